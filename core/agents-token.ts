/**
 * The token KooGallery's Agents gateway (Agents网关) sends to the seller's backend under
 * "AK/SK认证" (docs/protocol/koogallery-agents-apig.md §1.4): an HS256 JWT in the Zhipu style, header
 * `{"alg":"HS256","sign_type":"SIGN"}`, payload `{"api_key": <APP Key>, "exp": ..., "timestamp": <ms>}`,
 * signed with the UTF-8 bytes of the APP Secret the seller chose when registering the agent.
 *
 * Verification follows §1.4 steps 1–7 without a JWT library: the HMAC is computed over the exact
 * `header.payload` text received (never re-serialised: java-jwt adds `typ` in HashMap order),
 * only HS256 is accepted, `exp` is read in milliseconds or seconds, and the signatures are
 * compared in constant time. Where the token travels and the unit of `exp` are UNCONFIRMED in
 * Huawei's pages, so both header forms (raw and `Bearer `) and both units are accepted.
 */
import { hmacSha256, safeEqual } from './hmac';

/** The header KooGallery's sample (and Zhipu's SDKs) put on the token. */
const AGENTS_TOKEN_HEADER: Readonly<Record<string, unknown>> = {
	alg: 'HS256',
	sign_type: 'SIGN',
};

/** Longest token text accepted (after removing `Bearer `); a real one is about 250 characters. */
export const AGENTS_TOKEN_MAX_LENGTH = 4096;

/** How old a token's `timestamp` may be, in seconds: the sample's 5-minute expiry (失效时间5分钟). */
export const AGENTS_DEFAULT_WINDOW_SECONDS = 300;

/** Clock difference allowed on top of the window, either way, in seconds. */
export const AGENTS_DEFAULT_SKEW_SECONDS = 60;

/** Times below this are read as seconds, at or above it as milliseconds (year 5138 in seconds). */
const MS_THRESHOLD = 1e11;

const PART = /^[A-Za-z0-9_-]+={0,2}$/;

export interface AgentsKey {
	appKey: string;
	appSecret: string;
}

export interface SignAgentsTokenInput {
	appKey: string;
	appSecret: string;
	timestampMs: number;
	/** Written as given (milliseconds in the Zhipu style, or seconds); left out when undefined. */
	exp?: number;
	/** The token header; default `{"alg":"HS256","sign_type":"SIGN"}`. */
	header?: Record<string, unknown>;
}

export interface VerifyAgentsTokenOptions {
	/** The APP Key / APP Secret pairs accepted (current first, then a previous pair while rotating). */
	keys: ReadonlyArray<AgentsKey>;
	nowMs: number;
	/** How old `timestamp` may be; default 300 s. */
	windowSeconds?: number;
	/** Clock skew allowed either way; default 60 s. */
	skewSeconds?: number;
}

export type AgentsTokenFailureReason =
	'missing' | 'malformed' | 'algorithm' | 'unknown-key' | 'signature' | 'stale' | 'expired';

export interface AgentsTokenSuccess {
	ok: true;
	/** The APP Key the token names (`api_key`). */
	apiKey: string;
	/** `timestamp`, in milliseconds (a value in seconds is converted). */
	timestampMs: number;
	/** `exp` exactly as sent, when present. */
	exp?: number;
	/** Which configured pair verified the token: 0 = the first (current), 1 = the next (previous). */
	keyIndex: number;
}

export interface AgentsTokenFailure {
	ok: false;
	reason: AgentsTokenFailureReason;
	/** Plain English for the operator. Never contains a secret. */
	message: string;
}

export type AgentsTokenResult = AgentsTokenSuccess | AgentsTokenFailure;

const base64url = (data: string | Buffer): string =>
	(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');

/** The signature part for a signing input, base64url without padding. */
function tokenSignature(appSecret: string, signingInput: string): string {
	return base64url(hmacSha256(Buffer.from(appSecret, 'utf8'), Buffer.from(signingInput, 'ascii')));
}

/**
 * Makes the token the Agents gateway sends: base64url(header) "." base64url(payload) "."
 * base64url(HMAC-SHA256(appSecret, first two parts)). The payload holds `api_key`, `exp` (only
 * when given) and `timestamp`, in that order, as compact JSON. Used by the simulator and tests.
 */
export function signAgentsToken(input: SignAgentsTokenInput): string {
	const header = input.header ?? AGENTS_TOKEN_HEADER;
	const payload: Record<string, unknown> = { api_key: input.appKey };
	if (input.exp !== undefined) payload.exp = input.exp;
	payload.timestamp = input.timestampMs;
	const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
	return `${signingInput}.${tokenSignature(input.appSecret, signingInput)}`;
}

const fail = (reason: AgentsTokenFailureReason, message: string): AgentsTokenFailure => ({
	ok: false,
	reason,
	message,
});

/** Decodes one base64url part as a JSON object; undefined when it is not one. */
function decodeJsonObject(part: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(
			Buffer.from(part.replace(/=+$/, ''), 'base64url').toString('utf8'),
		);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/** Milliseconds for a time given in milliseconds or seconds (below 1e11 means seconds). */
export function agentsTimeToMs(value: number): number {
	return value >= MS_THRESHOLD ? value : value * 1000;
}

/** Shortens a value for a log line: the APP Key is not secret, but it comes from the caller. */
const shown = (text: string): string =>
	JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);

/**
 * Verifies the Agents gateway's token (spec §1.4 steps 1–7). `headerValue` is the raw header
 * (`<jwt>` or `Bearer <jwt>`, prefix in any case). Checks, in order: present; at most 4096
 * characters; three base64url parts; header JSON with `alg` HS256 (and `sign_type` SIGN when
 * present); payload JSON with a non-empty `api_key` and an integer `timestamp` (and a numeric
 * `exp` when present); a configured pair for `api_key`; the HMAC over the received text, in
 * constant time, trying every pair with that APP Key; `timestamp` no older than window + skew and
 * no further ahead than skew; `exp` (ms or s) not passed by more than skew. Never throws.
 */
export function verifyAgentsToken(
	headerValue: string | undefined,
	options: VerifyAgentsTokenOptions,
): AgentsTokenResult {
	const token = readToken(headerValue);
	if (!('parts' in token)) return token;
	const claims = readClaims(token.header, token.payload);
	if (!('apiKey' in claims)) return claims;
	const keyIndex = matchingKey(token.parts, claims.apiKey, options.keys);
	if (typeof keyIndex !== 'number') return keyIndex;
	const timestampMs = agentsTimeToMs(claims.timestamp);
	const late = checkTimes(timestampMs, claims.exp, options);
	if (late) return late;
	const { apiKey, exp } = claims;
	return exp === undefined
		? { ok: true, apiKey, timestampMs, keyIndex }
		: { ok: true, apiKey, timestampMs, exp, keyIndex };
}

interface ReadToken {
	parts: string[];
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
}

/** The token's three parts and its decoded header and payload (steps 1–2); or why not. */
function readToken(headerValue: string | undefined): ReadToken | AgentsTokenFailure {
	if (typeof headerValue !== 'string' || headerValue.trim() === '') {
		return fail('missing', 'The request carries no gateway token.');
	}
	const token = headerValue.trim().replace(/^bearer\s+/i, '');
	if (token.length > AGENTS_TOKEN_MAX_LENGTH) {
		return fail(
			'malformed',
			`The gateway token is longer than ${AGENTS_TOKEN_MAX_LENGTH} characters.`,
		);
	}
	const parts = token.split('.');
	if (parts.length !== 3 || !parts.every((part) => PART.test(part))) {
		return fail(
			'malformed',
			'The gateway token is not a JWT (three base64url parts separated by dots, optionally after "Bearer ").',
		);
	}
	const header = decodeJsonObject(parts[0]);
	const payload = decodeJsonObject(parts[1]);
	if (!header || !payload) {
		return fail('malformed', "The gateway token's header or payload is not a JSON object.");
	}
	return { parts, header, payload };
}

interface Claims {
	apiKey: string;
	timestamp: number;
	exp?: number;
}

/** The algorithm checked and the claims read (steps 3–4); or why not. */
function readClaims(
	header: Record<string, unknown>,
	payload: Record<string, unknown>,
): Claims | AgentsTokenFailure {
	if (header.alg !== 'HS256') {
		return fail(
			'algorithm',
			`The gateway token uses algorithm ${shown(String(header.alg))}; only HS256 is accepted.`,
		);
	}
	if (header.sign_type !== undefined && header.sign_type !== 'SIGN') {
		return fail(
			'algorithm',
			`The gateway token's sign_type is ${shown(String(header.sign_type))}; only "SIGN" is accepted.`,
		);
	}
	const { api_key: apiKey, timestamp, exp } = payload;
	if (typeof apiKey !== 'string' || apiKey === '') {
		return fail('malformed', 'The gateway token has no api_key.');
	}
	if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
		return fail('malformed', "The gateway token's timestamp is not a whole number.");
	}
	if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || exp < 0)) {
		return fail('malformed', "The gateway token's exp is not a number.");
	}
	return { apiKey, timestamp, exp: exp as number | undefined };
}

/**
 * The index of the configured pair whose APP Secret signed the token (steps 5–6: every pair
 * with that APP Key is tried, in constant time each); or why none.
 */
function matchingKey(
	parts: string[],
	apiKey: string,
	keys: ReadonlyArray<AgentsKey>,
): number | AgentsTokenFailure {
	const candidates = keys
		.map((key, keyIndex) => ({ ...key, keyIndex }))
		.filter((key) => key.appKey !== '' && key.appSecret !== '' && key.appKey === apiKey);
	if (candidates.length === 0) {
		return fail(
			'unknown-key',
			`The gateway token names APP Key ${shown(apiKey)}, which is not configured.`,
		);
	}
	const signingInput = `${parts[0]}.${parts[1]}`;
	const received = parts[2].replace(/=+$/, '');
	const match = candidates.find((key) =>
		safeEqual(tokenSignature(key.appSecret, signingInput), received),
	);
	if (!match) {
		return fail(
			'signature',
			`The gateway token's signature does not match the APP Secret configured for APP Key ${shown(apiKey)}.`,
		);
	}
	return match.keyIndex;
}

/** `timestamp` within the window and `exp` not passed (step 7); undefined when both hold. */
function checkTimes(
	timestampMs: number,
	exp: number | undefined,
	options: VerifyAgentsTokenOptions,
): AgentsTokenFailure | undefined {
	const windowMs = (options.windowSeconds ?? AGENTS_DEFAULT_WINDOW_SECONDS) * 1000;
	const skewMs = (options.skewSeconds ?? AGENTS_DEFAULT_SKEW_SECONDS) * 1000;
	const nowMs = options.nowMs;
	if (timestampMs < nowMs - windowMs - skewMs) {
		return fail(
			'stale',
			`The gateway token was made ${Math.round((nowMs - timestampMs) / 1000)} s ago; at most ${Math.round((windowMs + skewMs) / 1000)} s is accepted. Check this server's clock if this repeats.`,
		);
	}
	if (timestampMs > nowMs + skewMs) {
		return fail(
			'stale',
			`The gateway token's timestamp is ${Math.round((timestampMs - nowMs) / 1000)} s in the future; at most ${Math.round(skewMs / 1000)} s is accepted. Check this server's clock.`,
		);
	}
	if (exp !== undefined && nowMs > agentsTimeToMs(exp) + skewMs) {
		return fail(
			'expired',
			`The gateway token expired ${Math.round((nowMs - agentsTimeToMs(exp)) / 1000)} s ago.`,
		);
	}
	return undefined;
}
