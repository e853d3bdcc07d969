/**
 * What the KooGallery API Trigger does with a call forwarded by the Agents gateway or API Gateway
 * (APIG), decided without n8n: refuse it (401 or 400, never billed), answer the console's
 * connectivity check, or run the workflow with the item to start it. The trigger only reads the
 * request and its credential, asks here, and writes the answer or starts the run.
 * Specification: docs/protocol/koogallery-agents-apig.md.
 */
import { textField } from './fields';
import { verifyAgentsToken, type AgentsKey } from './agents-token';
import { verifyApigRequest } from './aksk/verify';
import { agentsInputCounts, gatewayErrorBody } from './gateway-usage';
import { safeEqualSecret } from './hmac';
import { keyName } from './answer-key';
import type { WebhookAnswer } from './receive';
import { callItem, type GatewayCallBlock } from './trigger-call';
import type { NonceStore } from './verification';

export type GatewayName = 'agents' | 'apig';

/** What the KooGallery Gateway Auth credential holds, read once per call. */
export type GatewayAuth =
	| { type: 'appKey'; keys: AgentsKey[] }
	| { type: 'signatureKey'; keys: Array<{ key: string; secret: string }> }
	| { type: 'header'; name: string; values: string[] }
	| { type: 'none' };

/**
 * Reads the credential's fields (current pair first, then the previous one while rotating).
 * Returns a plain-English problem instead when nothing usable is set.
 */
export function gatewayAuthFrom(
	data: Record<string, unknown> | undefined,
): GatewayAuth | { problem: string } {
	const type = textField(data?.authType) || 'appKey';
	if (type === 'appKey') {
		const keys = [
			{ appKey: textField(data?.appKey).trim(), appSecret: textField(data?.appSecret) },
			{
				appKey: textField(data?.previousAppKey).trim(),
				appSecret: textField(data?.previousAppSecret),
			},
		].filter((pair) => pair.appKey !== '' && pair.appSecret !== '');
		return keys.length > 0 ? { type, keys } : { problem: 'it has no APP Key and APP Secret' };
	}
	if (type === 'signatureKey') {
		const keys = [
			{ key: textField(data?.signatureKey).trim(), secret: textField(data?.signatureSecret) },
			{
				key: textField(data?.previousSignatureKey).trim(),
				secret: textField(data?.previousSignatureSecret),
			},
		].filter((pair) => pair.key !== '' && pair.secret !== '');
		return keys.length > 0 ? { type, keys } : { problem: 'it has no signature Key and Secret' };
	}
	if (type === 'header') {
		const name = textField(data?.headerName).trim().toLowerCase();
		const values = [textField(data?.headerSecret), textField(data?.previousHeaderSecret)].filter(
			(v) => v !== '',
		);
		if (name === '') return { problem: 'it has no header name' };
		return values.length > 0 ? { type, name, values } : { problem: 'it has no header value' };
	}
	return { problem: `its type "${type}" is unknown` };
}

/** Which credential types fit which gateway. */
export const AUTH_TYPES_OF: Record<GatewayName, ReadonlyArray<GatewayAuth['type']>> = {
	agents: ['appKey', 'header'],
	apig: ['signatureKey', 'header', 'none'],
};

/** The call as the trigger received it. */
export interface GatewayRequest {
	method: string;
	/** Path and query exactly as sent. */
	url: string;
	/** Node's incoming headers (lowercase names). */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
}

export interface GatewayCheckOptions {
	nowMs: number;
	/** The header carrying the Agents token, lowercase; default `authorization`. */
	tokenHeader: string;
	windowSeconds?: number;
	skewSeconds?: number;
	/** APIG clock tolerance either way, in milliseconds. */
	apigToleranceMs?: number;
	/** The Host the gateway signed, when a proxy in front of n8n changes it. */
	signedHost?: string;
	/**
	 * When given, an Agents token already seen within its age limit is refused (spec §1.4 step 8,
	 * opt-in: whether the gateway ever sends one token twice is UNCONFIRMED).
	 */
	tokenStore?: NonceStore;
}

export type GatewayCheck =
	| {
			ok: true;
			/** 0 = current credential values, 1 = previous ones. */
			keyIndex: number;
			apiKey?: string;
			timestampMs?: number;
			exp?: number;
			clockSkewMs?: number;
	  }
	| {
			ok: false;
			/** 400 for input that cannot be read, 401 for anything else. */
			status: 400 | 401;
			/** For the caller: short, without detail. */
			publicMessage: string;
			/** For the operator's log: the exact reason, never a secret. */
			message: string;
			/** Refused for the values the credential holds (as {@link GatewayDecision}). */
			credentialMismatch?: true;
	  };

const refused = (status: 400 | 401, message: string, credentialMismatch = false): GatewayCheck => ({
	ok: false,
	status,
	publicMessage:
		status === 400
			? 'The gateway credentials of this request could not be read.'
			: 'The gateway credentials of this request were not accepted.',
	message,
	...(credentialMismatch && { credentialMismatch }),
});

/** One header value; a header sent twice is refused by the callers (undefined here). */
function single(value: string | string[] | undefined): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** Whether a request carries any gateway credential at all (a connectivity probe carries none). */
export function carriesCredentials(
	auth: GatewayAuth,
	headers: GatewayRequest['headers'],
	tokenHeader: string,
): boolean {
	const names = ['authorization', 'x-sdk-date', tokenHeader];
	if (auth.type === 'header') names.push(auth.name);
	return names.some((name) => {
		const value = headers[name];
		return value !== undefined && value !== '';
	});
}

/**
 * Checks that a call comes from the gateway, with the credential's method: the Agents token
 * (`verifyAgentsToken`), APIG's `SDK-HMAC-SHA256` backend signature (`verifyApigRequest`, over
 * the path, query, signed headers and raw body as received), or a constant header compared in
 * constant time. Never throws.
 */
export function checkGatewayCall(
	auth: GatewayAuth,
	request: GatewayRequest,
	options: GatewayCheckOptions,
): GatewayCheck {
	if (auth.type === 'none') return { ok: true, keyIndex: 0 };
	if (auth.type === 'header') return checkHeader(auth, request);
	if (auth.type === 'appKey') return checkAgentsToken(auth, request, options);
	return checkApigSignature(auth, request, options);
}

/** A constant header, compared in constant time with the current and the previous value. */
function checkHeader(
	auth: Extract<GatewayAuth, { type: 'header' }>,
	request: GatewayRequest,
): GatewayCheck {
	const raw = request.headers[auth.name];
	if (raw === undefined || raw === '') return refused(401, `the header "${auth.name}" is missing`);
	const value = single(raw);
	if (value === undefined) return refused(400, `the header "${auth.name}" was sent more than once`);
	const keyIndex = auth.values.findIndex((expected) => safeEqualSecret(expected, value));
	return keyIndex === -1
		? refused(401, `the header "${auth.name}" does not hold the configured value`, true)
		: { ok: true, keyIndex };
}

/** The Agents gateway's token (`verifyAgentsToken`), and with a token store, no replay. */
function checkAgentsToken(
	auth: Extract<GatewayAuth, { type: 'appKey' }>,
	request: GatewayRequest,
	options: GatewayCheckOptions,
): GatewayCheck {
	const raw = request.headers[options.tokenHeader];
	if (Array.isArray(raw))
		return refused(400, `the header "${options.tokenHeader}" was sent more than once`);
	const result = verifyAgentsToken(raw, {
		keys: auth.keys,
		nowMs: options.nowMs,
		windowSeconds: options.windowSeconds,
		skewSeconds: options.skewSeconds,
	});
	if (!result.ok) {
		const where = result.reason === 'missing' ? ` (header "${options.tokenHeader}")` : '';
		const mismatch = result.reason === 'unknown-key' || result.reason === 'signature';
		return refused(
			result.reason === 'malformed' ? 400 : 401,
			`${result.message}${where}`,
			mismatch,
		);
	}
	if (options.tokenStore) {
		// Remembered only once verified, so junk cannot fill the store; kept as long as the token is fresh.
		const signature = String(raw).trim().split('.')[2].replace(/=+$/, '');
		const ttlMs = ((options.windowSeconds ?? 300) + 2 * (options.skewSeconds ?? 60)) * 1000;
		if (!options.tokenStore.checkAndRemember(signature, options.nowMs, ttlMs)) {
			return refused(401, 'the same gateway token was already received once; a replay is refused');
		}
	}
	return {
		ok: true,
		keyIndex: result.keyIndex,
		apiKey: result.apiKey,
		timestampMs: result.timestampMs,
		...(result.exp === undefined ? {} : { exp: result.exp }),
		clockSkewMs: options.nowMs - result.timestampMs,
	};
}

/** APIG's `SDK-HMAC-SHA256` backend signature (`verifyApigRequest`). */
function checkApigSignature(
	auth: Extract<GatewayAuth, { type: 'signatureKey' }>,
	request: GatewayRequest,
	options: GatewayCheckOptions,
): GatewayCheck {
	const headers: Record<string, string | string[] | undefined> = { ...request.headers };
	if (options.signedHost) headers.host = options.signedHost;
	const result = verifyApigRequest({
		method: request.method,
		url: request.url,
		headers,
		body: request.rawBody,
		credentials: (ak) => auth.keys.find((pair) => pair.key === ak)?.secret,
		nowMs: options.nowMs,
		toleranceMs: options.apigToleranceMs,
	});
	if (!result.ok) {
		return refused(
			result.reason === 'malformedParameter' ? 400 : 401,
			`APIG signature: ${result.message}`,
			result.reason === 'badSignature',
		);
	}
	return {
		ok: true,
		keyIndex: Math.max(
			0,
			auth.keys.findIndex((pair) => pair.key === result.ak),
		),
		apiKey: result.ak,
		timestampMs: result.timestampMs,
		clockSkewMs: result.skewMs,
	};
}

/** Headers never copied into the output item: they carry the gateway's proof or other secrets. */
const ALWAYS_HIDDEN = ['authorization', 'proxy-authorization', 'cookie'];

/** The answer to the seller console's connectivity check (校验后端服务). */
const HEALTH_BODY = JSON.stringify({ status: 'ok', service: 'koogallery-gateway-backend' });

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** A JSON answer to a gateway call; a HEAD request gets the status and headers only. */
export function gatewayAnswer(method: string, status: number, body: string): WebhookAnswer {
	return { status, headers: { ...JSON_HEADERS }, body: method === 'HEAD' ? '' : body };
}

/**
 * The answer when the call cannot be taken now (busy, or the credential unreadable): a 503 the
 * caller may retry, not a refusal; never billed.
 */
export const gatewayBusyAnswer = (method: string): WebhookAnswer =>
	gatewayAnswer(
		method,
		503,
		JSON.stringify(gatewayErrorBody('unavailable', 'The service is busy. Please try again later.')),
	);

/**
 * How a streaming answer is framed on the wire.
 * - `sse`: Server-Sent Events, one `data: <compact JSON>` event per chunk (the OpenAI/Zhipu style
 *   the spec recommends for the Agents gateway, §1.6; the exact format the gateway parses is
 *   UNCONFIRMED).
 * - `n8n`: n8n's own streaming lines, one JSON object per line
 *   (`{"type":"item","content":"...","metadata":{...}}`), unchanged.
 */
export type StreamFormat = 'sse' | 'n8n';

/** The call as received, with what the item shows of it. */
export interface ReceivedGatewayCall extends GatewayRequest {
	/** The query as n8n parsed it. */
	query: Record<string, unknown>;
	ip?: string;
}

export interface GatewaySettings extends Omit<GatewayCheckOptions, 'tokenStore'> {
	gateway: GatewayName;
	/** The credential as read (`{ type: 'none' }` when the trigger checks nothing). */
	auth: GatewayAuth | { problem: string };
	/** Answer a GET or HEAD without credentials as the console's connectivity check. */
	healthCheck: boolean;
	streaming: boolean;
	streamFormat: StreamFormat;
	/** Given when the trigger refuses a token it has already seen (Refuse Repeated Tokens). */
	tokenStore?: NonceStore;
	/** Named in the operator's log lines. */
	nodeName: string;
}

export type GatewayDecision =
	| {
			action: 'refuse';
			answer: WebhookAnswer;
			log: string;
			/**
			 * Refused for the values the credential holds (unusable, or none that verifies the
			 * call): another reading of the credential may decide otherwise. Not set once the call
			 * was verified (a token store then remembers it, and deciding again would see a replay).
			 */
			credentialMismatch?: true;
	  }
	| { action: 'acknowledge'; answer: WebhookAnswer; log: string }
	| { action: 'run'; item: Record<string, unknown> };

const headerText = (value: unknown): string =>
	typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : '';

/** How the operator's log names a call: its X-Request-Id and where it came from. */
export function gatewayCallAbout(call: Pick<ReceivedGatewayCall, 'headers' | 'ip'>): string {
	const requestId = headerText(call.headers['x-request-id']);
	return `(request ${requestId || 'without X-Request-Id'} from ${call.ip ?? 'unknown address'})`;
}

/** Decides what to do with one gateway call. Never throws. */
export function receiveGatewayCall(
	call: ReceivedGatewayCall,
	settings: GatewaySettings,
): GatewayDecision {
	const method = call.method.toUpperCase();
	const about = gatewayCallAbout(call);
	const refuse = (
		status: 400 | 401,
		publicMessage: string,
		why: string,
		credentialMismatch = false,
	): GatewayDecision => ({
		...(credentialMismatch && { credentialMismatch }),
		action: 'refuse',
		answer: gatewayAnswer(
			method,
			status,
			JSON.stringify(
				gatewayErrorBody(status === 400 ? 'bad_request' : 'unauthorized', publicMessage),
			),
		),
		log: `KooGallery ${settings.gateway} gateway call refused (${status}): ${why} ${about}`,
	});
	const usable = usableAuth(settings);
	if (!usable.ok) return refuse(401, NOT_ACCEPTED, usable.why, true);
	const auth = usable.auth;
	if (
		settings.healthCheck &&
		auth.type !== 'none' &&
		(method === 'GET' || method === 'HEAD') &&
		!carriesCredentials(auth, call.headers, settings.tokenHeader)
	) {
		return {
			action: 'acknowledge',
			answer: gatewayAnswer(method, 200, HEALTH_BODY),
			log: `KooGallery connectivity check answered without running the workflow ${about}`,
		};
	}
	const check = safeCheck(auth, { ...call, method }, settings);
	if (!check.ok)
		return refuse(check.status, check.publicMessage, check.message, check.credentialMismatch);
	const body =
		method === 'GET' || method === 'HEAD'
			? { ok: true as const, data: {} }
			: readBody(call.rawBody, headerText(call.headers['content-type']));
	if (!body.ok)
		return refuse(400, 'The request body is not valid JSON.', 'the request body is not valid JSON');
	const data = method === 'GET' || method === 'HEAD' ? call.query : body.data;
	return {
		action: 'run',
		item: callItem(data, gatewayBlock(call, method, auth, check, data, settings)),
	};
}

const NOT_ACCEPTED = 'The gateway credentials of this request were not accepted.';

/** The credential, when it can check this gateway's calls. */
function usableAuth(
	settings: GatewaySettings,
): { ok: true; auth: GatewayAuth } | { ok: false; why: string } {
	const { auth, gateway, nodeName } = settings;
	if ('problem' in auth)
		return {
			ok: false,
			why: `the "KooGallery Gateway Auth" credential of node "${nodeName}" cannot check calls: ${auth.problem}`,
		};
	if (!AUTH_TYPES_OF[gateway].includes(auth.type))
		return {
			ok: false,
			why: `node "${nodeName}" is set to the ${gateway === 'apig' ? 'API Gateway' : 'Agents gateway'}, whose calls cannot carry a "${auth.type}" credential; choose another type in its KooGallery Gateway Auth credential`,
		};
	return { ok: true, auth };
}

/** {@link checkGatewayCall}; should it ever throw, the call is refused, not let through. */
function safeCheck(
	auth: GatewayAuth,
	request: GatewayRequest,
	settings: GatewaySettings,
): GatewayCheck {
	try {
		return checkGatewayCall(auth, request, settings);
	} catch (error) {
		return {
			ok: false,
			status: 401,
			publicMessage: NOT_ACCEPTED,
			message: `the call could not be checked (${(error as Error).name})`,
		};
	}
}

/** The body as the workflow sees it: JSON fields at the top level, other content under `body`. */
function readBody(
	rawBody: Buffer,
	contentType: string,
): { ok: true; data: Record<string, unknown> } | { ok: false } {
	if (rawBody.length === 0) return { ok: true, data: {} };
	const text = rawBody.toString('utf8');
	if (!/json/i.test(contentType) && !/^\s*[{[]/.test(text))
		return { ok: true, data: { body: text } };
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? { ok: true, data: value as Record<string, unknown> }
			: { ok: true, data: { body: value } };
	} catch {
		return /json/i.test(contentType) ? { ok: false } : { ok: true, data: { body: text } };
	}
}

/** The block the API Trigger writes beside the call's fields (core/trigger-call.ts). */
function gatewayBlock(
	call: ReceivedGatewayCall,
	method: string,
	auth: GatewayAuth,
	check: Extract<GatewayCheck, { ok: true }>,
	data: Record<string, unknown>,
	settings: GatewaySettings,
): GatewayCallBlock {
	const hidden = new Set([
		...ALWAYS_HIDDEN,
		settings.tokenHeader,
		...(auth.type === 'header' ? [auth.name] : []),
	]);
	const shownHeaders: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(call.headers)) {
		if (!hidden.has(name.toLowerCase()) && value !== undefined)
			shownHeaders[name.toLowerCase()] = value;
	}
	const verification: GatewayCallBlock['verification'] = {
		method: auth.type,
		key: keyName(check.keyIndex),
	};
	if (check.timestampMs !== undefined) verification.timestampMs = check.timestampMs;
	if (check.exp !== undefined) verification.exp = check.exp;
	if (check.clockSkewMs !== undefined) verification.clockSkewMs = check.clockSkewMs;
	// What the Agents gateway counts when a product bills bytes (字节数) or characters (字符数).
	const input = settings.gateway === 'agents' ? data.input : undefined;
	return {
		gateway: settings.gateway,
		requestId: headerText(call.headers['x-request-id']),
		customerId: headerText(call.headers['x-customer-id']),
		customerName: headerText(call.headers['x-customer-name']),
		...(check.apiKey === undefined ? {} : { apiKey: check.apiKey }),
		method,
		path: call.url.split('?')[0],
		query: call.query,
		headers: shownHeaders,
		responseMode: settings.streaming ? 'streaming' : 'sync',
		...(settings.streaming ? { streamFormat: settings.streamFormat } : {}),
		...(typeof input === 'string' ? { inputCounts: agentsInputCounts(input) } : {}),
		verification,
		receivedAt: new Date(settings.nowMs).toISOString(),
	};
}
