import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { KOOGALLERY_BUSY_ANSWER, receiveKooGalleryCall } from '../../core/receive';
import { protocols, type ProtocolName } from '../../core/trigger-protocols';
import { MemoryNonceStore } from '../../core/verification';
import { busyLimitFrom, takeCall } from '../shared/callsInProgress';
import { SELLER_KEY_CREDENTIAL, sellerKeysFrom, testSellerKey } from '../shared/sellerKey';
import {
	answered,
	decidedWithCredential,
	logWhere,
	readRawBody,
	requestParts,
	sendAnswer,
} from '../shared/webhook';
import { enteredByHandWebhookMethods } from '../shared/webhookMethods';
import {
	triggerOutputs,
	triggerPanelText,
	triggerProperties,
	triggerWebhooks,
} from './description';

/**
 * Seen nonces, per n8n process. Best effort by design (docs/protocol/README.md decision 8): in queue mode another
 * webhook process has its own cache, and the example workflows are idempotent on business keys,
 * so a replay that slips past one cache does no harm. It holds nonces only, never request data.
 */
const nonceStore = new MemoryNonceStore(50_000);

interface TriggerOptions {
	acknowledgeNotifications?: boolean;
	busyLimit?: string;
	maxCallsInProgress?: number;
	toleranceSeconds?: number;
	authTokenToleranceHours?: number;
}

export class KooGalleryTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery Trigger',
		name: 'kooGalleryTrigger',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['trigger'],
		version: 2,
		subtitle: '={{"Production interface: " + $parameter["path"]}}',
		description:
			"Receives KooGallery's calls to your production interface (生产接口), checks they really come from KooGallery, and starts the branch for that scenario",
		defaults: { name: 'KooGallery Trigger' },
		triggerPanel: triggerPanelText,
		inputs: [],
		outputs: triggerOutputs,
		credentials: [
			{ name: 'kooGallerySellerKeyApi', required: true, testedBy: 'kooGallerySellerKeyTest' },
		],
		webhooks: triggerWebhooks,
		properties: triggerProperties,
	};

	methods = {
		credentialTest: { kooGallerySellerKeyTest: testSellerKey },
	};

	webhookMethods = enteredByHandWebhookMethods;

	/** Reads the call, asks the protocol core what to do (core/receive.ts), and does it. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = Date.now();
		const protocol = this.getNodeParameter('protocol', 'saasV2') as ProtocolName;
		const enabled = this.getNodeParameter(protocols[protocol].scenariosParameter, []) as string[];
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const words = { calls: 'KooGallery calls', retry: 'KooGallery will call again' };
		const request = requestParts(this, 'POST');
		// Checked first, before any work (under overload even reading the credential is slow). The
		// timestamp is read unchecked here: a forged one can only get its own call turned away.
		const sentAt = protocols[protocol].sentAt(request);
		const taken = takeCall(this, busyLimitFrom(options), words, sentAt);
		if (!taken) return answered(this, KOOGALLERY_BUSY_ANSWER);
		const rawBody = await readRawBody(this);
		// No credential chosen, or n8n could not read it: busy rather than "000001", which
		// KooGallery would take as final.
		const decided = await decidedWithCredential(
			this,
			SELLER_KEY_CREDENTIAL,
			KOOGALLERY_BUSY_ANSWER,
			(node, problem) =>
				`KooGallery call not checked (HTTP 503): the "${SELLER_KEY_CREDENTIAL}" credential of node "${node}" could not be read (${problem}); KooGallery will call again`,
			(credential) =>
				receiveKooGalleryCall(
					{ ...request, rawBody },
					{
						protocol,
						enabled,
						acknowledgeNotifications: options.acknowledgeNotifications === true,
						toleranceMs: (options.toleranceSeconds ?? 60) * 1000,
						authTokenToleranceMs: (options.authTokenToleranceHours ?? 24) * 3_600_000,
						keys: sellerKeysFrom(credential),
						nonceStore,
						nowMs: receivedAt,
						nodeName: this.getNode().name,
						credentialName: SELLER_KEY_CREDENTIAL,
					},
				),
		);
		if (!decided.ok) return decided.response;
		const { decision } = decided;
		// Run or acknowledged: the signature checked out, so the timestamp is KooGallery's.
		if (decision.action !== 'refuse') taken.genuine();
		if (decision.action === 'refuse') this.logger.warn(decision.log, logWhere(this));
		if (decision.action === 'acknowledge') this.logger.info(decision.log, logWhere(this));
		if (decision.action !== 'run') return answered(this, decision.answer);
		if (decision.answer) sendAnswer(this, decision.answer);
		const item: INodeExecutionData = { json: decision.item as INodeExecutionData['json'] };
		const workflowData = Array.from({ length: decision.outputCount }, (_, i) =>
			i === decision.outputIndex ? [item] : [],
		);
		return decision.answer ? { noWebhookResponse: true, workflowData } : { workflowData };
	}
}
