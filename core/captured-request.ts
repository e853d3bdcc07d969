/**
 * Checking a KooGallery request captured by hand (from a log, the seller console's debugging page
 * or a proxy) with the same verifiers the trigger uses: SaaS V2.0 URL parameters and body
 * (`verifySaasV2Request`), joint-operation kit headers and body (`verifyKitRequest`), or V1.0
 * `authToken` parameters (`verifySaasV1Request`). This module only reads what an operator pastes
 * (a whole URL, a query string, JSON, or header lines) and words the verdict.
 */
import { verifyKitRequest, KIT_HEADERS } from './kit-signature';
import { parseQueryString, readV1Params, verifySaasV1Request } from './saas-v1-auth-token';
import { verifySaasV2Request } from './saas-v2-signature';
import { parseKooGalleryTime } from './schemas/common';
import {
	parseTimestampMs,
	type NonceStore,
	type VerificationFailureReason,
	type VerificationResult,
} from './verification';

/** Which kind of KooGallery call was captured. */
export type CapturedProtocol = 'saasV2' | 'kit' | 'saasV1';

/** A captured request as the operator gave it. */
export interface CapturedRequest {
	protocol: CapturedProtocol;
	/** V2.0 and V1.0: the URL, its query string, or the parameters as a JSON object. */
	parameters?: unknown;
	/** Kit: the headers as a JSON object or as `Name: value` lines. */
	headers?: unknown;
	/** V2.0 and kit: the body exactly as received. */
	body?: unknown;
}

/** A reading problem: the capture itself cannot be read (not a verdict on the request). */
export class CaptureReadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CaptureReadError';
	}
}

/**
 * The query part of what was pasted: everything after the first `?` of a URL (without any
 * `#fragment`), or the text itself when it has no `?`.
 */
export function queryTextOf(text: string): string {
	const trimmed = text.trim();
	const question = trimmed.indexOf('?');
	const query = question === -1 ? trimmed : trimmed.slice(question + 1);
	const hash = query.indexOf('#');
	return hash === -1 ? query : query.slice(0, hash);
}

function jsonObject(text: string, what: string): Record<string, unknown> {
	let value: unknown;
	let valid = true;
	try {
		value = JSON.parse(text);
	} catch {
		valid = false;
	}
	if (!valid) throw new CaptureReadError(`The ${what} look like JSON but are not valid JSON.`);
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new CaptureReadError(`The ${what} must be a JSON object.`);
	return value as Record<string, unknown>;
}

/**
 * URL parameters from a capture: an object is taken as already decoded; text starting with `{`
 * is JSON; any other text is a URL or a query string, kept raw (V1.0 decodes it the way a Java
 * servlet does, which its signature depends on).
 */
export function readCapturedParameters(input: unknown): Record<string, unknown> | string {
	if (typeof input === 'object' && input !== null && !Array.isArray(input))
		return input as Record<string, unknown>;
	if (typeof input !== 'string' || input.trim() === '')
		throw new CaptureReadError(
			'The URL parameters are empty: paste the request URL, its query string, or the parameters as JSON.',
		);
	const text = input.trim();
	if (text.startsWith('{')) return jsonObject(text, 'URL parameters');
	return queryTextOf(text);
}

/**
 * Headers from a capture: an object (names matched ignoring case by the verifier), JSON text, or
 * `Name: value` lines as a browser or proxy shows them (a request line such as
 * `POST /path HTTP/1.1` is skipped; a header given twice keeps both values).
 */
export function readCapturedHeaders(input: unknown): Record<string, unknown> {
	if (typeof input === 'object' && input !== null && !Array.isArray(input))
		return input as Record<string, unknown>;
	if (typeof input !== 'string' || input.trim() === '')
		throw new CaptureReadError(
			`The headers are empty: paste at least ${KIT_HEADERS.sign}, ${KIT_HEADERS.timestamp} and ${KIT_HEADERS.nonce}.`,
		);
	const text = input.trim();
	if (text.startsWith('{')) return jsonObject(text, 'headers');
	const headers: Record<string, string | string[]> = {};
	for (const line of text.split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const name = line.slice(0, colon).trim().toLowerCase();
		if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) continue;
		const value = line.slice(colon + 1).trim();
		const previous = headers[name];
		headers[name] =
			previous === undefined
				? value
				: Array.isArray(previous)
					? [...previous, value]
					: [previous, value];
	}
	return headers;
}

/** The body as text: a string as it is; an object from an expression as compact JSON. */
function readCapturedBody(input: unknown): string {
	if (input === undefined || input === null) return '';
	if (typeof input === 'string') return input;
	if (Buffer.isBuffer(input)) return input.toString('utf8');
	return JSON.stringify(input);
}

function firstValue(value: unknown): unknown {
	return Array.isArray(value) ? value[0] : value;
}

/**
 * When the captured request says it was signed, in milliseconds since 1970; undefined when the
 * capture carries no readable time. V1.0's `timeStamp` is UTC `yyyyMMddHHmmssSSS`.
 */
export function capturedTimestampMs(capture: CapturedRequest): number | undefined {
	try {
		if (capture.protocol === 'kit') {
			const headers = readCapturedHeaders(capture.headers);
			const entry = Object.entries(headers).find(
				([name]) => name.toLowerCase() === KIT_HEADERS.timestamp,
			);
			const value = firstValue(entry?.[1]);
			return typeof value === 'string' ? parseTimestampMs(value) : undefined;
		}
		const parameters = readCapturedParameters(capture.parameters);
		if (capture.protocol === 'saasV2') {
			const query =
				typeof parameters === 'string'
					? (() => {
							const parsed = parseQueryString(parameters);
							return parsed.ok ? parsed.params : {};
						})()
					: parameters;
			const value = firstValue(query.timestamp);
			return typeof value === 'string' ? parseTimestampMs(value) : undefined;
		}
		const read = readV1Params(parameters);
		if (!read.ok || !read.params.timeStamp) return undefined;
		const iso = parseKooGalleryTime(read.params.timeStamp);
		return iso === undefined ? undefined : Date.parse(iso);
	} catch {
		return undefined;
	}
}

/**
 * The one-time value of a captured request, for the operator to look up in logs: the `nonce`
 * parameter (V2.0), the `x-nonce` header (kit), or the `authToken` itself (V1.0 has no nonce;
 * the trigger remembers the token instead). Undefined when the capture has none.
 */
export function capturedNonce(capture: CapturedRequest): string | undefined {
	try {
		let value: unknown;
		if (capture.protocol === 'kit') {
			const headers = readCapturedHeaders(capture.headers);
			value = Object.entries(headers).find(
				([name]) => name.toLowerCase() === KIT_HEADERS.nonce,
			)?.[1];
		} else {
			const parameters = readCapturedParameters(capture.parameters);
			const parsed = typeof parameters === 'string' ? parseQueryString(parameters) : undefined;
			const query = parsed
				? parsed.ok
					? parsed.params
					: {}
				: (parameters as Record<string, unknown>);
			value = capture.protocol === 'saasV1' ? query.authToken : query.nonce;
			if (capture.protocol === 'saasV1' && typeof value === 'string')
				value = value.replace(/ /g, '+');
		}
		value = firstValue(value);
		return typeof value === 'string' && value !== '' ? value : undefined;
	} catch {
		return undefined;
	}
}

/** Options of a capture check. */
export interface CaptureCheckOptions {
	/** Current key first, then the previous one. */
	keys: ReadonlyArray<string | undefined>;
	/** When false, only the signature is checked (an old capture cannot be in the time window). */
	checkTime: boolean;
	toleranceMs?: number;
	nowMs?: number;
	/** Remembers nonces across the captures of one run, to spot the same request twice. */
	nonceStore?: NonceStore;
}

/** A window wide enough that no timestamp falls outside it. */
const ANY_TIME_MS = Number.MAX_SAFE_INTEGER / 4;

/**
 * Verifies a captured request with the verifier of its protocol. Throws `CaptureReadError` when
 * the capture itself cannot be read; otherwise returns the verifier's result, never throwing.
 */
export function verifyCapturedRequest(
	capture: CapturedRequest,
	options: CaptureCheckOptions,
): VerificationResult {
	const common = {
		keys: options.keys,
		nowMs: options.nowMs,
		toleranceMs: options.checkTime ? options.toleranceMs : ANY_TIME_MS,
		nonceStore: options.nonceStore,
	};
	const rawBody = readCapturedBody(capture.body);
	if (capture.protocol === 'kit') {
		return verifyKitRequest({ ...common, headers: readCapturedHeaders(capture.headers), rawBody });
	}
	const parameters = readCapturedParameters(capture.parameters);
	if (capture.protocol === 'saasV1') {
		return verifySaasV1Request({ ...common, params: parameters });
	}
	let query: Record<string, unknown>;
	if (typeof parameters === 'string') {
		const parsed = parseQueryString(parameters);
		if (!parsed.ok) return parsed;
		query = parsed.params;
	} else {
		query = parameters;
	}
	return verifySaasV2Request({ ...common, query, rawBody });
}

/** The operator's verdict on a captured request. */
export type CaptureVerdict = 'genuine' | 'stale' | 'replayed' | 'tampered' | 'malformed' | 'noKey';

const VERDICT_OF_REASON: Record<VerificationFailureReason, CaptureVerdict> = {
	missingParameter: 'malformed',
	malformedParameter: 'malformed',
	duplicateParameter: 'malformed',
	staleTimestamp: 'stale',
	replayedNonce: 'replayed',
	badSignature: 'tampered',
	noKey: 'noKey',
};

/** The verdict for a verifier's failure reason. */
export function verdictOfReason(reason: VerificationFailureReason): CaptureVerdict {
	return VERDICT_OF_REASON[reason];
}

/**
 * One sentence saying whether the request is genuine and, if not, why, in words an operator
 * can act on. `keyName` names the key that verified it (for example "current seller key").
 */
export function explainVerdict(
	result: VerificationResult,
	context: { keyName?: string; timeChecked: boolean },
): string {
	if (result.ok) {
		const form =
			result.form === 'canonical'
				? ' over the body with its top-level keys sorted and nulls dropped (as the Huawei sample signs), not over the exact bytes given'
				: result.form === 'decoded'
					? ' over the decoded parameters'
					: ' over the exact body given';
		const time = context.timeChecked
			? ' Its time is within the accepted window.'
			: ' The time was not checked.';
		return `Genuine: KooGallery signed this request with your ${context.keyName ?? 'key'}${form}.${time}`;
	}
	switch (result.reason) {
		case 'badSignature':
			return `Not genuine: the signature does not match. Either the request was changed after it was signed (body, time, nonce or another parameter), or it was signed with a different key than the one in your credential. (${result.message})`;
		case 'staleTimestamp':
			return `Not accepted: the request is outside the time window. ${result.message} Turn off "Check Time" to check the signature of an old capture.`;
		case 'replayedNonce':
			return 'Replayed: an earlier item of this run carries the same request (same nonce), and KooGallery never sends a nonce twice. Only this run is compared; see "replayCheck".';
		case 'noKey':
			return result.message;
		default:
			return `Malformed: the request cannot be checked. ${result.message}`;
	}
}
