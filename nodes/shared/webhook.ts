import type {
	ICredentialDataDecryptedObject,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { WebhookAnswer } from '../../core/receive';
import { takeCall, type BusyLimit } from './callsInProgress';

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
 * How long a trigger reuses a credential it has read. Reading one in a webhook costs n8n a
 * database query, a decryption and, with n8n 2.x's default expression-engine settings, a fresh
 * expression isolate (n8n's CredentialsHelper resolves a credential read outside an execution in
 * an isolate of its own): about a third of a call's CPU there. A changed credential therefore
 * takes effect within this time, and at once for a call it would otherwise refuse (see
 * {@link CredentialRead.reused}).
 */
export const CREDENTIAL_REUSE_MS = 5_000;
const MAX_CREDENTIALS_KEPT = 1_000;

/** Credentials read, per workflow, node and saved credential; held only in this process's memory. */
const credentialsRead = new Map<string, { data: ICredentialDataDecryptedObject; readAt: number }>();

/** Where a read credential is kept: only for a saved credential, under its ID, never shared across nodes. */
function credentialSlot(context: IWebhookFunctions, name: string): string | undefined {
	const node = context.getNode();
	const credentialId = node.credentials?.[name]?.id;
	if (!credentialId) return undefined;
	return [context.getWorkflow().id ?? '', node.id ?? node.name, name, credentialId].join('\u0000');
}

function forgetOld(now: number): void {
	for (const [slot, read] of credentialsRead) {
		if (now - read.readAt >= CREDENTIAL_REUSE_MS || credentialsRead.size >= MAX_CREDENTIALS_KEPT) {
			credentialsRead.delete(slot);
		}
	}
}

export type CredentialRead =
	| {
			ok: true;
			data: ICredentialDataDecryptedObject;
			/**
			 * Read up to {@link CREDENTIAL_REUSE_MS} ago, not for this call. A call the trigger would
			 * refuse with it is decided again with the credential as saved now (`fresh`), so a key
			 * changed a moment ago never refuses a genuine call.
			 */
			reused: boolean;
	  }
	| { ok: false; response: IWebhookResponseData };

/**
 * Reads the node's credential, or reuses the one read for the same node less than
 * {@link CREDENTIAL_REUSE_MS} ago unless `fresh`. When there is none or n8n cannot read it (for
 * example with its database overloaded), that is not the caller's fault: the operator is told why
 * and the caller gets the protocol's 503 answer, which it retries, rather than a refusal it takes
 * as final.
 */
export async function credentialOr503(
	context: IWebhookFunctions,
	name: string,
	unavailable: WebhookAnswer,
	logLine: (nodeName: string, problem: string) => string,
	fresh = false,
): Promise<CredentialRead> {
	const slot = credentialSlot(context, name);
	const now = performance.now();
	const kept = slot === undefined ? undefined : credentialsRead.get(slot);
	if (!fresh && kept && now - kept.readAt < CREDENTIAL_REUSE_MS) {
		return { ok: true, data: kept.data, reused: true };
	}
	try {
		const data = await context.getCredentials<ICredentialDataDecryptedObject>(name);
		if (slot !== undefined) {
			forgetOld(now);
			credentialsRead.set(slot, { data, readAt: now });
		}
		return { ok: true, data, reused: false };
	} catch (error) {
		if (slot !== undefined) credentialsRead.delete(slot);
		const node = context.getNode();
		context.logger.error(logLine(node.name, (error as Error).message), logWhere(context));
		return { ok: false, response: answered(context, unavailable) };
	}
}

/** Where a log line comes from: the workflow and the node. */
export function logWhere(context: IWebhookFunctions): { workflowId?: string; node: string } {
	return { workflowId: context.getWorkflow().id, node: context.getNode().name };
}
