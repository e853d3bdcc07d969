/**
 * Minimal stand-ins for the n8n contexts our nodes run in (docs/protocol/n8n-platform.md §4.1): they record
 * what the node writes to the HTTP response or sends with sendResponse, so tests assert the
 * exact bytes. The nodes themselves run unmodified.
 */
import type { IDataObject, IExecuteFunctions, IWebhookFunctions, INode } from 'n8n-workflow';

export const KEY = '0123456789abcdef-TEST-KEY-not-real';
export const PREVIOUS_KEY = 'previous-key-0123456789';
export const CREDENTIALS = {
	secretKey: KEY,
	previousSecretKey: PREVIOUS_KEY,
	kitSecretKey: '',
	site: 'cn',
};

export interface WrittenResponse {
	status?: number;
	headers: Record<string, string>;
	body?: string;
}

export interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

/** A node's saved credential as n8n gives it (its ID), for whichever type the node reads. */
const savedCredential = (id: string | undefined) =>
	id === undefined
		? {}
		: {
				credentials: Object.fromEntries(
					['kooGallerySellerKeyApi', 'kooGalleryGatewayApi'].map((type) => [
						type,
						{ id, name: 'test' },
					]),
				),
			};

export function webhookContext(options: {
	parameters?: IDataObject;
	query: Record<string, unknown>;
	rawBody: Buffer | string;
	headers?: Record<string, string>;
	credentials?: IDataObject | Error;
	method?: string;
	/** The request URL (path and query) as sent; defaults to the V2.0 production path. */
	url?: string;
	/** The workflow the trigger belongs to (default `wf1`). */
	workflowId?: string;
	/** The saved credential's ID, as n8n gives it on the node (default: none, never reused). */
	credentialId?: string;
}): {
	context: IWebhookFunctions;
	response: WrittenResponse;
	logs: LogLine[];
	/** Ends the HTTP response as n8n does once a Respond node answered ('finish', then 'close'). */
	finish: () => void;
	/** How many times the node asked n8n for its credential. */
	credentialReads: () => number;
} {
	const response: WrittenResponse = { headers: {} };
	let reads = 0;
	const logs: LogLine[] = [];
	const listeners: Record<string, Array<() => void>> = {};
	const emit = (event: string) => {
		const waiting = listeners[event] ?? [];
		listeners[event] = [];
		for (const listener of waiting) listener();
	};
	const finish = () => {
		emit('finish');
		emit('close');
	};
	const parameters: IDataObject = {
		path: 'koogallery/saas',
		protocol: 'saasV2',
		scenarios: [
			'newInstance',
			'queryInstance',
			'refreshInstance',
			'updateInstanceStatus',
			'releaseInstance',
		],
		options: {},
		...options.parameters,
	};
	const node = {
		name: 'KooGallery Trigger',
		type: 'n8n-nodes-koogallery.kooGalleryTrigger',
		typeVersion: 2,
		...savedCredential(options.credentialId),
	} as INode;
	const log = (level: string) => (message: string, meta?: unknown) =>
		logs.push({ level, message, meta });
	const context = {
		getNodeParameter: (name: string, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
		getRequestObject: () => ({
			method: options.method ?? 'POST',
			originalUrl: options.url ?? '/webhook/koogallery/saas',
			path: (options.url ?? '/webhook/koogallery/saas').split('?')[0],
			query: options.query,
			headers: options.headers ?? { 'content-type': 'application/json' },
			rawBody: typeof options.rawBody === 'string' ? Buffer.from(options.rawBody) : options.rawBody,
			ip: '127.0.0.1',
		}),
		getResponseObject: () => ({
			status(code: number) {
				response.status = code;
				return this;
			},
			setHeader(name: string, value: string) {
				response.headers[name.toLowerCase()] = value;
			},
			end(body: string) {
				response.body = body;
				finish();
			},
			once(event: string, listener: () => void) {
				(listeners[event] ??= []).push(listener);
			},
		}),
		getNode: () => node,
		getWorkflow: () => ({ id: options.workflowId ?? 'wf1', name: 'test', active: true }),
		getCredentials: async () => {
			reads++;
			if (options.credentials instanceof Error) throw options.credentials;
			return options.credentials ?? CREDENTIALS;
		},
		logger: { warn: log('warn'), info: log('info'), error: log('error'), debug: log('debug') },
	};
	return {
		context: context as unknown as IWebhookFunctions,
		response,
		logs,
		finish,
		credentialReads: () => reads,
	};
}

export interface SentResponse {
	body: string;
	headers: Record<string, string>;
	statusCode: number;
}

export function executeContext(options: {
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: IDataObject[];
	/** The trigger item per output branch (undefined = branch did not emit). */
	triggerOutputs?: Array<IDataObject | undefined>;
	parents?: Array<{ name: string; type: string }>;
	credentials?: IDataObject;
	/** As for {@link webhookContext}. */
	workflowId?: string;
	credentialId?: string;
}): { context: IExecuteFunctions; sent: SentResponse[] } {
	const sent: SentResponse[] = [];
	const node = {
		name: 'KooGallery Respond',
		type: 'n8n-nodes-koogallery.kooGalleryRespond',
		typeVersion: 1,
		...savedCredential(options.credentialId),
	} as INode;
	const params = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;
	const parents = options.parents ?? [
		{ name: 'KooGallery Trigger', type: 'n8n-nodes-koogallery.kooGalleryTrigger' },
	];
	const outputs = options.triggerOutputs ?? [];
	const context = {
		getInputData: () => (options.items ?? [{}]).map((json) => ({ json })),
		getNode: () => node,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const p = params(itemIndex);
			if (name === 'usage.entries')
				return (p.usage as IDataObject | undefined)?.entries ?? fallback;
			return name in p ? p[name] : fallback;
		},
		getParentNodes: () => parents.map((p) => ({ ...p, typeVersion: 1, disabled: false })),
		getWorkflowDataProxy: () => ({
			$: (name: string) => ({
				first: (branch: number) => {
					if (name !== parents[0]?.name || outputs.length === 0)
						throw new Error(`Node '${name}' hasn't been executed`);
					if (branch >= outputs.length) throw new Error('No data found');
					const json = outputs[branch];
					return json ? { json } : undefined;
				},
			}),
		}),
		getWorkflow: () => ({ id: options.workflowId ?? 'wf1', name: 'test', active: true }),
		getCredentials: async () => options.credentials ?? CREDENTIALS,
		sendResponse: async (response: SentResponse) => {
			sent.push(response);
		},
	};
	return { context: context as unknown as IExecuteFunctions, sent };
}
