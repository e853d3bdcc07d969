import type {
	ICredentialDataDecryptedObject,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { WebhookAnswer } from '../../core/receive';
import { takeCall, type BusyLimit } from './callsInProgress';
import { readCredential } from './credentialReuse';

/**
 * The webhook plumbing both triggers share: reading the request as received (raw body
 * included), writing an answer the protocol core decided, turning calls away while busy and
 * answering 503 when the credential cannot be read. What the answers say is decided in core/.
 */

type RequestObject = ReturnType<IWebhookFunctions['getRequestObject']> & {
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
};

/** The request's parts, as a trigger hands them to the protocol core. */
export interface RequestParts {
	method: string;
	/** Path and query exactly as sent. */
	url: string;
	path: string;
	/** The query string exactly as sent, without `?`. */
	rawQuery: string;
	/** The query as n8n parsed it. */
	query: Record<string, unknown>;
	headers: Record<string, string | string[] | undefined>;
	ip?: string;
}

/** Reads the request line, query and headers (the body is read by {@link readRawBody}). */
export function requestParts(context: IWebhookFunctions, defaultMethod: string): RequestParts {
	const req = context.getRequestObject();
	const url = req.originalUrl ?? req.url ?? '';
	return {
		method: req.method ?? defaultMethod,
		url,
		path: req.path ?? url.split('?')[0],
		rawQuery: url.includes('?') ? url.slice(url.indexOf('?') + 1) : '',
		query: (req.query ?? {}) as Record<string, unknown>,
		headers: (req.headers ?? {}) as RequestParts['headers'],
		ip: req.ip,
	};
}

/** The body exactly as sent: signatures are computed over these bytes. */
export async function readRawBody(context: IWebhookFunctions): Promise<Buffer> {
	const req = context.getRequestObject() as RequestObject;
	if (req.rawBody === undefined && typeof req.readRawBody === 'function') await req.readRawBody();
	return req.rawBody ?? Buffer.alloc(0);
}

/** Writes an answer exactly as given (a signed body is never re-serialised). */
export function sendAnswer(context: IWebhookFunctions, answer: WebhookAnswer): void {
	const res = context.getResponseObject();
	res.status(answer.status);
	for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
	res.end(answer.body);
}

/** Writes the answer and tells n8n the trigger answered the call itself. */
export function answered(context: IWebhookFunctions, answer: WebhookAnswer): IWebhookResponseData {
	sendAnswer(context, answer);
	return { noWebhookResponse: true };
}

/**
 * Checked first, before any work (under overload even reading the credential is slow): when the
 * trigger's Busy Limit is reached, the call is turned away with the protocol's busy answer.
 */
export function turnedAwayWhenBusy(
	context: IWebhookFunctions,
	limit: BusyLimit,
	words: { calls: string; retry: string },
	busyAnswer: WebhookAnswer,
): IWebhookResponseData | undefined {
	return takeCall(context, limit, words) ? undefined : answered(context, busyAnswer);
}

/**
 * Reads the node's credential, or a recent reading of it (nodes/shared/credentialReuse.ts), and
 * decides the call with it. A call refused for the keys of a reading kept from an earlier call
 * is decided again with the credential as saved now, so a key changed a moment ago never refuses a
 * genuine call. When there is no credential or n8n cannot read it (for example with its database
 * overloaded), that is not the caller's fault: the operator is told why and the caller gets the
 * protocol's 503 answer, which it retries, rather than a refusal it takes as final.
 */
export async function decidedWithCredential<
	Decision extends { action: string; credentialMismatch?: true },
>(
	context: IWebhookFunctions,
	name: string,
	unavailable: WebhookAnswer,
	logLine: (nodeName: string, problem: string) => string,
	decide: (credential: ICredentialDataDecryptedObject) => Decision,
): Promise<{ ok: true; decision: Decision } | { ok: false; response: IWebhookResponseData }> {
	const read = async (fresh: boolean) => {
		try {
			return await readCredential(context, name, fresh);
		} catch (error) {
			context.logger.error(
				logLine(context.getNode().name, (error as Error).message),
				logWhere(context),
			);
			return undefined;
		}
	};
	const kept = await read(false);
	if (!kept) return { ok: false, response: answered(context, unavailable) };
	const decision = decide(kept.data);
	if (!decision.credentialMismatch || !kept.reused) return { ok: true, decision };
	const saved = await read(true);
	if (!saved) return { ok: false, response: answered(context, unavailable) };
	return { ok: true, decision: decide(saved.data) };
}

/** Where a log line comes from: the workflow and the node. */
export function logWhere(context: IWebhookFunctions): { workflowId?: string; node: string } {
	return { workflowId: context.getWorkflow().id, node: context.getNode().name };
}
