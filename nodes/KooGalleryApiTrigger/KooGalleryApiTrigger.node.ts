import type {
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { APIG_DEFAULT_TOLERANCE_MS } from '../../core/aksk/verify';
import {
	gatewayAuthFrom,
	gatewayBusyAnswer,
	gatewayCallAbout,
	receiveGatewayCall,
	type GatewayName,
	type GatewaySettings,
	type StreamFormat,
} from '../../core/gateway-receive';
import { MemoryNonceStore } from '../../core/verification';
import {
	answered,
	decidedWithCredential,
	logWhere,
	readRawBody,
	requestParts,
	turnedAwayWhenBusy,
} from '../shared/webhook';
import { enteredByHandWebhookMethods } from '../shared/webhookMethods';
import {
	apiTriggerOutputs,
	apiTriggerPanelText,
	apiTriggerProperties,
	apiTriggerWebhooks,
} from './description';
import { GATEWAY_CREDENTIAL, testGatewayAuth } from './gatewayAuth';
import { frameAsSse, streamHeaders } from './stream';

interface TriggerOptions {
	healthCheck?: boolean;
	jwtHeaderName?: string;
	windowSeconds?: number;
	skewSeconds?: number;
	apigToleranceMinutes?: number;
	signedHost?: string;
	streamFormat?: StreamFormat;
	refuseRepeatedTokens?: boolean;
	maxCallsInProgress?: number;
}

/**
 * Agents tokens seen, per n8n process, for the opt-in option Refuse Repeated Tokens. It holds
 * token signatures only; a replay that reaches another process is not caught (docs/protocol/README.md decision 8).
 */
const tokenStore = new MemoryNonceStore(50_000);

/** What the trigger's parameters ask of the check (everything but the credential). */
function gatewaySettings(
	context: IWebhookFunctions,
	gateway: GatewayName,
	nowMs: number,
): Omit<GatewaySettings, 'auth'> {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	return {
		gateway,
		healthCheck: options.healthCheck !== false,
		streaming: context.getNodeParameter('responseMode', 'sync') === 'streaming',
		streamFormat: options.streamFormat === 'n8n' ? 'n8n' : 'sse',
		nowMs,
		tokenHeader: (options.jwtHeaderName || 'Authorization').trim().toLowerCase(),
		windowSeconds: options.windowSeconds,
		skewSeconds: options.skewSeconds,
		apigToleranceMs:
			options.apigToleranceMinutes === undefined
				? APIG_DEFAULT_TOLERANCE_MS
				: options.apigToleranceMinutes * 60_000,
		signedHost: options.signedHost?.trim() || undefined,
		tokenStore: options.refuseRepeatedTokens === true ? tokenStore : undefined,
		nodeName: context.getNode().name,
	};
}

export class KooGalleryApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery API Trigger',
		name: 'kooGalleryApiTrigger',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['trigger'],
		version: 2,
		subtitle:
			'={{($parameter["gateway"] === "apig" ? "APIG: " : "Agents: ") + $parameter["path"]}}',
		description:
			"Receives the calls KooGallery's Agents gateway or API Gateway (APIG) forwards to your AI agent or API, checks they really come from the gateway, and runs the workflow",
		defaults: { name: 'KooGallery API Trigger' },
		triggerPanel: apiTriggerPanelText,
		inputs: [],
		outputs: apiTriggerOutputs,
		credentials: [
			{
				name: 'kooGalleryGatewayApi',
				required: true,
				testedBy: 'kooGalleryGatewayAuthTest',
				displayOptions: { hide: { authentication: ['none'] } },
			},
		],
		webhooks: apiTriggerWebhooks,
		properties: apiTriggerProperties,
	};

	methods = {
		credentialTest: { kooGalleryGatewayAuthTest: testGatewayAuth },
	};

	webhookMethods = enteredByHandWebhookMethods;

	/** Reads the call, asks the gateway core what to do (core/gateway-receive.ts), and does it. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = Date.now();
		const gateway = this.getNodeParameter('gateway', 'agents') as GatewayName;
		const checked =
			gateway !== 'apig' || this.getNodeParameter('authentication', 'credential') !== 'none';
		const request = requestParts(this, 'GET');
		const method = request.method.toUpperCase();
		const { maxCallsInProgress } = this.getNodeParameter('options', {}) as TriggerOptions;
		const words = {
			calls: `KooGallery ${gateway} gateway calls`,
			retry: 'the caller may try again; none was billed',
		};
		const busy = turnedAwayWhenBusy(
			this,
			maxCallsInProgress ?? 0,
			words,
			gatewayBusyAnswer(method),
		);
		if (busy) return busy;
		const settings = gatewaySettings(this, gateway, receivedAt);
		const rawBody = await readRawBody(this);
		const decide = (credential: ICredentialDataDecryptedObject | undefined) =>
			receiveGatewayCall(
				{ ...request, url: request.url || '/', rawBody },
				{ ...settings, auth: credential ? gatewayAuthFrom(credential) : { type: 'none' } },
			);
		let decision: ReturnType<typeof decide>;
		if (!checked) decision = decide(undefined);
		else {
			const decided = await decidedWithCredential(
				this,
				GATEWAY_CREDENTIAL,
				gatewayBusyAnswer(method),
				(node, problem) =>
					`KooGallery ${gateway} gateway call not checked (503): the "KooGallery Gateway Auth" credential of node "${node}" could not be read (${problem}) ${gatewayCallAbout(request)}`,
				decide,
			);
			if (!decided.ok) return decided.response;
			decision = decided.decision;
		}
		if (decision.action === 'refuse') this.logger.warn(decision.log, logWhere(this));
		if (decision.action === 'acknowledge') this.logger.info(decision.log, logWhere(this));
		if (decision.action !== 'run') return answered(this, decision.answer);
		const item: INodeExecutionData = { json: decision.item as INodeExecutionData['json'] };
		if (!settings.streaming) return { workflowData: [[item]] };
		startStream.call(this, settings.streamFormat);
		return { noWebhookResponse: true, workflowData: [[item]] };
	}
}

/**
 * As n8n's own Webhook node does in streaming mode: headers first, then n8n writes each chunk
 * the workflow sends and ends the response when the execution finishes.
 */
function startStream(this: IWebhookFunctions, format: StreamFormat): void {
	const res = this.getResponseObject();
	res.writeHead(200, streamHeaders(format));
	res.flushHeaders();
	if (format !== 'sse') return;
	// Only the workflow's own KooGallery API Respond nodes may send raw JSON events (the usage).
	const answerNodes = this.getChildNodes(this.getNode().name)
		.filter((node) => node.type.endsWith('.kooGalleryApiRespond'))
		.map((node) => node.name);
	frameAsSse(res, new Set(answerNodes));
}
