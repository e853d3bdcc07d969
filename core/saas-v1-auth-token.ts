import { hmacSha256Base64, safeEqual } from './hmac';
import { readJavaStringMap } from './java-json';
import { bodyTooLarge, MAX_BODY_BYTES } from './saas-v2-signature';
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
 * requests whose parameters are signed with `authToken` (koogallery-openapi-v1.md §C.3), or a POST
 * with a JSON body and the token in an `authToken` header ("云商店每次调用商家接口的Get请求参数中或
 * Post请求的Header里都会带有authToken值", https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html).
 */

/**
 * How old (or how far ahead) a V1.0 `timeStamp` may be by default: 24 hours. The V1.0 pages give no
 * window and Huawei's V1.0 Java samples check none; KooGallery retries a failed new purchase hourly
 * for 3 hours, and the seller console's restart button (重新启动) may send the call again later,
 * possibly with the URL it first signed. A day covers the automatic retries even then, and also a
 * `timeStamp` written in UTC+8 instead of UTC (the kit pages use UTC+8). Replays inside the window
 * are refused by the token cache, and harmless beyond it because the example workflows are
 * idempotent (docs/protocol/README.md decision 8). The trigger lets the operator change it.
 */
export const DEFAULT_V1_TOLERANCE_MS = 24 * 60 * 60 * 1000;

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

/** Characters above U+0020 that Java's `Character.isWhitespace` accepts (Unicode separators except no-break spaces). */
const JAVA_WIDE_WHITESPACE = /^[\u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]$/;

/** Java's `StringUtils.isBlank`: empty, or only characters `Character.isWhitespace` accepts. */
export function isBlank(value: string): boolean {
	for (const c of value) {
		const code = c.charCodeAt(0);
		// Tab to carriage return, the four information separators U+001C to U+001F, and space.
		if ((code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20)) continue;
		if (!JAVA_WIDE_WHITESPACE.test(c)) return false;
	}
	return true;
}

/**
 * The parameters without the blank ones. The trigger hands the workflow only these: a token
 * computed without blanks does not sign them, so a blank parameter added on the way must not
 * reach the workflow (and a blank value means the same as an absent one).
 */
export function withoutBlankParams(
	params: Readonly<Record<string, string>>,
): Record<string, string> {
	return Object.fromEntries(Object.entries(params).filter(([, value]) => !isBlank(value)));
}

/**
 * The text `authToken` signs (§C.3 steps 1, 3, 4): every parameter except `authToken`, sorted by
 * name in UTF-16 code unit order (Java `TreeMap`), joined as `name=value` with `&`. With
 * `skipBlank`, blank values are left out, as Huawei's POST sample does (`if
 * (StringUtils.isBlank(value)) continue;`,
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649159.html).
 */
export function authTokenStringToSign(
	params: Readonly<Record<string, string>>,
	skipBlank = false,
): string {
	return Object.keys(params)
		.filter((name) => name !== 'authToken' && !(skipBlank && isBlank(params[name])))
		.sort()
		.map((name) => `${name}=${params[name]}`)
		.join('&');
}

/**
 * `authToken = Base64(HMAC-SHA256(key + timeStamp, sorted parameters))` (§C.3 step 5), computed
 * over the decoded parameter values; the HMAC key is the seller key with the raw `timeStamp`
 * text appended. `skipBlank` leaves blank values out (see {@link authTokenStringToSign}).
 */
export function computeAuthToken(
	key: string,
	params: Readonly<Record<string, string>>,
	skipBlank = false,
): string {
	return hmacSha256Base64(key + (params.timeStamp ?? ''), authTokenStringToSign(params, skipBlank));
}

/**
 * Turns decoded parameters into plain strings. A repeated parameter counts with its first value,
 * as in Huawei's Java sample (`request.getParameterMap()`, then `value[0]`,
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649061.html): the token is
 * computed over that value and the workflow sees only that value. A value that is not text (an
 * object from a nested query parser) is refused so nothing unsigned reaches the workflow.
 */
function singleValuedParams(
	params: Record<string, unknown>,
): { ok: true; params: Record<string, string> } | VerificationFailure {
	const single: Record<string, string> = Object.create(null) as Record<string, string>;
	for (const [name, value] of Object.entries(params)) {
		if (value === undefined) continue;
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

/**
 * Reads the JSON body of a V1.0 POST into the parameters its token signs, as Huawei's POST sample
 * reads it into a map of strings (`BeanUtils.describe`): a number or `true`/`false` as its text,
 * `null` left out, an object or array as compact JSON. A body that is not a JSON object, or is
 * larger than {@link MAX_BODY_BYTES}, is a failure.
 */
export function readV1JsonBody(
	rawBody: string | Buffer,
): { ok: true; params: Record<string, string> } | VerificationFailure {
	const tooLarge = bodyTooLarge(rawBody);
	if (tooLarge) return tooLarge;
	const members = readJavaStringMap(rawBody);
	if (members === undefined) {
		return failure('malformedParameter', 'The request body is not a JSON object.', 'body');
	}
	const params: Record<string, string> = Object.create(null) as Record<string, string>;
	for (const [name, value] of members) {
		params[name] = typeof value === 'string' ? value : value.json;
	}
	return { ok: true, params };
}

/** V1.0 has no nonce: the `authToken` itself goes into the nonce store, so an identical request is refused. */
export interface SaasV1VerifyInput extends VerifyOptions {
	/**
	 * The GET query, the POSTed form, or the POSTed JSON's members with the `authToken` header
	 * added: decoded (a record) or raw text.
	 */
	params: Record<string, unknown> | string | undefined;
}

/**
 * Verifies a SaaS V1.0 (or offline License) call signed with `authToken` (§C.3). `timeStamp`
 * (UTC `yyyyMMddHHmmssSSS`) must be within the tolerance of now (default
 * {@link DEFAULT_V1_TOLERANCE_MS}); the token is compared exactly, in constant time, after turning
 * spaces back into `+` (a parser that treats `+` as a space breaks Base64; a real `+` is sent as
 * `%2B`). The token may be computed over every parameter (the GET sample) or without the blank
 * ones (the POST sample); both are keyed with the seller key, so neither can be forged. Never throws.
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
	const hasBlank = Object.entries(params).some(
		([name, value]) => name !== 'authToken' && isBlank(value),
	);
	return checkSignedRequest({
		keys: input.keys,
		timestamp: String(Date.parse(iso)),
		timestampName: 'timeStamp',
		signature: authToken,
		signatureName: 'authToken',
		nonce: authToken,
		forms: [
			{ form: 'decoded', sign: (key) => computeAuthToken(key, params) },
			...(hasBlank
				? [{ form: 'withoutBlank', sign: (key: string) => computeAuthToken(key, params, true) }]
				: []),
		],
		compare: safeEqual,
		nowMs: input.nowMs,
		toleranceMs: input.toleranceMs ?? DEFAULT_V1_TOLERANCE_MS,
		nonceStore: input.nonceStore,
		nonceTtlMs: input.nonceTtlMs,
	});
}
