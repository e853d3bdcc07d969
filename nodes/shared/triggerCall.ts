import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import {
	CALL_BLOCK,
	isGatewayCallBlock,
	isKooGalleryCallBlock,
	readGatewayCall,
	readKooGalleryCall,
	type GatewayCall,
	type TriggerCall,
} from '../../core/trigger-call';

/**
 * How a node that answers finds the call it answers: the item its trigger started the run with,
 * read through the contract in core/trigger-call.ts (the block's type, writer and reader).
 */

export type { GatewayCall, TriggerCall };

const MAX_OUTPUTS = 16;

/** Which trigger to look for, and how its errors are worded. */
export interface TriggerItemSearch {
	/** The end of the trigger's node type, for example `.kooGalleryTrigger`. */
	typeSuffix: string;
	/** The trigger's display name, for example `KooGallery Trigger`. */
	triggerLabel: string;
	/** The answering node's display name, for example `KooGallery Respond`. */
	respondLabel: string;
	/** Whether the trigger's `koogallery` block is a call this node can answer. */
	accepts: (block: IDataObject) => boolean;
}

/**
 * Finds the trigger of the given type this node descends from and the item it emitted for this
 * run, on whichever output fired. Throws a plain-language error when there is none (for example
 * a manual test run).
 */
export function findTriggerItem(
	context: IExecuteFunctions,
	search: TriggerItemSearch,
): { triggerName: string; json: IDataObject; block: IDataObject } {
	const node = context.getNode();
	const triggers = context
		.getParentNodes(node.name)
		.filter((parent) => parent.type.endsWith(search.typeSuffix));
	if (triggers.length === 0) {
		throw new NodeOperationError(node, `No ${search.triggerLabel} comes before this node.`, {
			description: `${search.respondLabel} answers the call a ${search.triggerLabel} received. Connect it after one.`,
		});
	}
	const proxy = context.getWorkflowDataProxy(0);
	for (const trigger of triggers) {
		for (let branch = 0; branch < MAX_OUTPUTS; branch++) {
			let json: IDataObject | undefined;
			try {
				json = (proxy.$(trigger.name).first(branch) as { json?: IDataObject } | undefined)?.json;
			} catch {
				break; // the trigger did not run, or has no more outputs
			}
			const block = json?.[CALL_BLOCK] as IDataObject | undefined;
			if (!json || !block || !search.accepts(block)) continue;
			return { triggerName: trigger.name, json, block };
		}
	}
	throw new NodeOperationError(node, 'There is no KooGallery call to answer in this run.', {
		description:
			'This happens when the workflow is run by hand. Send a call from the simulator or the seller console debugging page (应用接入调试) instead.',
	});
}

/**
 * Finds the KooGallery Trigger this node descends from and the item it emitted for this run.
 * Throws a plain-language error when there is none (for example a manual test run).
 */
export function findTriggerCall(context: IExecuteFunctions): TriggerCall {
	const { triggerName, json, block } = findTriggerItem(context, {
		typeSuffix: '.kooGalleryTrigger',
		triggerLabel: 'KooGallery Trigger',
		respondLabel: 'KooGallery Respond',
		accepts: isKooGalleryCallBlock,
	});
	return readKooGalleryCall(triggerName, json, block);
}

/**
 * Finds the KooGallery API Trigger this node descends from and the call it received for this
 * run. Throws a plain-language error when there is none (for example a manual test run).
 */
export function findGatewayCall(context: IExecuteFunctions): GatewayCall {
	const { block } = findTriggerItem(context, {
		typeSuffix: '.kooGalleryApiTrigger',
		triggerLabel: 'KooGallery API Trigger',
		respondLabel: 'KooGallery API Respond',
		accepts: isGatewayCallBlock,
	});
	return readGatewayCall(block);
}
