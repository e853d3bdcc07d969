import { hmacSha256Base64, safeEqual } from './hmac';
import { MAX_BODY_BYTES } from './saas-v2-signature';
import { parseKooGalleryTime } from './schemas/common';
import {
	checkSignedRequest,
	failure,
	readParameter,
	type VerificationFailure,
	type VerificationResult,
	type VerifyOptions,
} from './verification';

/**
 * SaaS Access Guide V1.0 and the offline joint-operation License guide: KooGallery sends GET
 * requests whose parameters are signed with `authToken` (docs/protocol/koogallery-openapi-v1.md §C.3).
 */

/** Decoded request parameters; a repeated name keeps every value. */
export type V1Params = Record<string, string | string[]>;

/**
 * Decodes a query string or an `application/x-www-form-urlencoded` body the way a Java servlet's
 * `getParameterMap()` does: `+` is a space, `%XX` escapes are UTF-8, a name without `=` has an
 * empty value, a repeated name keeps all its values. A leading `?` is ignored. A broken escape
 * (`%zz`, a cut UTF-8 sequence) is a failure, never an exception.
 */
export function parseQueryString(
	raw: string,
): { ok: true; params: V1Params } | VerificationFailure {
	const params: V1Params = Object.create(null) as V1Params;
	const text = raw.startsWith('?') ? raw.slice(1) : raw;
	for (const part of text.split('&')) {
		if (part === '') continue;
		const eq = part.indexOf('=');
		const rawName = eq === -1 ? part : part.slice(0, eq);
		const rawValue = eq === -1 ? '' : part.slice(eq + 1);
		let name: string;
		let value: string;
		try {
			name = decodeURIComponent(rawName.replace(/\+/g, ' '));
			value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
		} catch {
			return failure(
				'malformedParameter',
				`The URL parameter "${rawName.slice(0, 40)}" is not correctly URL-encoded.`,
				rawName.slice(0, 40),
			);
		}
		const previous = params[name];
		if (previous === undefined) params[name] = value;
		else params[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
	}
	return { ok: true, params };
}

/**
 * The text `authToken` signs (§C.3 steps 1, 3, 4): every parameter except `authToken`, sorted by
 * name in UTF-16 code unit order (Java `TreeMap`), joined as `name=value` with `&`.
 */
export function authTokenStringToSign(params: Readonly<Record<string, string>>): string {
	return Object.keys(params)
		.filter((name) => name !== 'authToken')
		.sort()
		.map((name) => `${name}=${params[name]}`)
		.join('&');
}

/**
 * `authToken = Base64(HMAC-SHA256(key + timeStamp, sorted parameters))` (§C.3 step 5), computed
 * over the decoded parameter values; the HMAC key is the seller key with the raw `timeStamp`
 * text appended.
 */
export function computeAuthToken(key: string, params: Readonly<Record<string, string>>): string {
	return hmacSha256Base64(key + (params.timeStamp ?? ''), authTokenStringToSign(params));
}

/**
 * Turns decoded parameters into plain strings: a repeated parameter, or a value that is not text
 * (an object from a nested query parser), is refused so nothing unsigned reaches the workflow.
 */
export function singleValuedParams(
	params: Record<string, unknown>,
): { ok: true; params: Record<string, string> } | VerificationFailure {
	const single: Record<string, string> = Object.create(null) as Record<string, string>;
	for (const [name, value] of Object.entries(params)) {
		if (value === undefined) continue;
		if (Array.isArray(value) && value.length !== 1) {
			return failure(
				'duplicateParameter',
				`The URL parameter "${name}" was sent more than once.`,
				name,
			);
		}
		const only: unknown = Array.isArray(value) ? value[0] : value;
		if (typeof only !== 'string') {
			return failure(
				'malformedParameter',
				`The URL parameter "${name}" is not a plain text value.`,
				name,
			);
		}
		single[name] = only;
	}
	return { ok: true, params: single };
}

/**
 * Reads V1.0 parameters given either as an already decoded record (a framework's parsed query
 * or form) or as the raw query / form text, which is decoded here (see {@link parseQueryString}).
 */
export function readV1Params(
	input: Record<string, unknown> | string | undefined,
): { ok: true; params: Record<string, string> } | VerificationFailure {
	if (typeof input === 'string') {
		if (Buffer.byteLength(input) > MAX_BODY_BYTES) {
			return failure(
				'malformedParameter',
				`The request parameters are longer than ${MAX_BODY_BYTES} bytes.`,
			);
		}
		const parsed = parseQueryString(input);
		return parsed.ok ? singleValuedParams(parsed.params) : parsed;
	}
	return singleValuedParams(input ?? {});
}

/** V1.0 has no nonce: the `authToken` itself goes into the nonce store, so an identical request is refused. */
export interface SaasV1VerifyInput extends VerifyOptions {
	/** The GET query or the POSTed form: decoded (a parsed record) or raw text. */
	params: Record<string, unknown> | string | undefined;
}

/**
 * Verifies a SaaS V1.0 (or offline License) call signed with `authToken` (§C.3). `timeStamp`
 * (UTC `yyyyMMddHHmmssSSS`) must be within the tolerance of now; the token is compared exactly,
 * in constant time, after turning spaces back into `+` (a parser that treats `+` as a space
 * breaks Base64; a real `+` is sent as `%2B`). Never throws.
 */
export function verifySaasV1Request(input: SaasV1VerifyInput): VerificationResult {
	const read = readV1Params(input.params);
	if (!read.ok) return read;
	const params = read.params;
	const token = readParameter(params, 'authToken');
	if (!token.ok) return token;
	const timeStamp = readParameter(params, 'timeStamp');
	if (!timeStamp.ok) return timeStamp;
	const iso = parseKooGalleryTime(timeStamp.value);
	if (iso === undefined) {
		return failure(
			'malformedParameter',
			'"timeStamp" must be a UTC time yyyyMMddHHmmssSSS.',
			'timeStamp',
		);
	}
	const authToken = token.value.replace(/ /g, '+');
	return checkSignedRequest({
		keys: input.keys,
		timestamp: String(Date.parse(iso)),
		timestampName: 'timeStamp',
		signature: authToken,
		signatureName: 'authToken',
		nonce: authToken,
		forms: [{ form: 'decoded', sign: (key) => computeAuthToken(key, params) }],
		compare: safeEqual,
		nowMs: input.nowMs,
		toleranceMs: input.toleranceMs,
		nonceStore: input.nonceStore,
		nonceTtlMs: input.nonceTtlMs,
	});
}
