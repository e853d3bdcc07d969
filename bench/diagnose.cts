/**
 * Live checks that explain part 2's numbers, read from the built nodes (dist/) with n8n-workflow's
 * own helpers rather than written down once and left to go stale.
 *
 * n8n 2.41.1 skips taking an expression isolate for a webhook call only when the start node is its
 * own Webhook node (`webhookPhaseNeedsIsolate` in n8n's dist/webhooks/live-webhooks.js). For any
 * other trigger it resolves each webhook description's fields (path, httpMethod...) to find the
 * webhook that was called; a field that is an expression (`={{ ... }}`) without a native resolver
 * (`webhookDescriptionFields` / `fromParameter` / `fromFunction` of n8n-workflow) goes through the
 * expression engine on every call. A node whose `outputs` is an expression is evaluated the same
 * way when the workflow runs.
 */
import * as path from 'node:path';

import { webhookDescriptionIsNativelyResolvable, type INodeType } from 'n8n-workflow';

const REPO_ROOT = path.resolve(__dirname, '..');

export interface TriggerDiagnosis {
	/** Webhook descriptions the trigger declares. */
	webhooks: number;
	/** Of those, how many n8n cannot resolve without the expression engine. */
	notNative: number;
	/** The expression-valued fields over all descriptions, e.g. `path`, `httpMethod`. */
	expressionFields: number;
	/** Whether the node's `outputs` is an expression (evaluated per run). */
	outputsIsExpression: boolean;
}

/** Inspects the built KooGallery Trigger; undefined (with the reason logged) when it cannot be loaded. */
export function diagnoseTrigger(log: (line: string) => void): TriggerDiagnosis | undefined {
	try {
		const file = path.join(
			REPO_ROOT,
			'dist',
			'nodes',
			'KooGalleryTrigger',
			'KooGalleryTrigger.node.js',
		);
		const module = require(file) as { KooGalleryTrigger: new () => INodeType };
		const { description } = new module.KooGalleryTrigger();
		const webhooks = description.webhooks ?? [];
		const expressionFields = webhooks
			.flatMap((webhook) => Object.values(webhook))
			.filter((value) => typeof value === 'string' && value.startsWith('=')).length;
		return {
			webhooks: webhooks.length,
			notNative: webhooks.filter((webhook) => !webhookDescriptionIsNativelyResolvable(webhook))
				.length,
			expressionFields,
			outputsIsExpression: typeof description.outputs === 'string',
		};
	} catch (error) {
		log(`trigger diagnosis unavailable: ${(error as Error).message}`);
		return undefined;
	}
}
