/**
 * Huawei API Gateway AK/SK signing, `SDK-HMAC-SHA256` (docs/protocol/koogallery-openapi-v1.md §B.3):
 * the Authorization header that KooGallery's Open APIs require, and its verification for the
 * local mock server.
 *
 * Corners the published documentation leaves open are settled the way Huawei's own signers do
 * (the Node SDK core `AKSKSigner`, docs/protocol/README.md decision 13, and the APIG signer samples):
 * - the path and every query name and value are percent-decoded first and encoded again in the
 *   RFC 3986 style (only `A-Z a-z 0-9 - _ . ~` stay as they are, UTF-8, uppercase hex), so the
 *   canonical form does not depend on how the caller escaped the URL;
 * - `+` in a query is a literal plus (RFC 3986), not a space;
 * - query names are sorted, and the values of a repeated name are sorted too (JavaScript string
 *   order, UTF-16 code units, as the SDK does); a name without `=` has an empty value; an empty
 *   name is dropped;
 * - every header handed in is signed (except `Authorization`), names lowercased and sorted,
 *   values trimmed;
 * - the host comes from the URL (port only when it is not the default one, as it goes on the
 *   wire) unless a `Host` header is given.
 */
import { hmacSha256Hex, safeEqualHex, sha256Hex } from './hmac';
import { failure, type VerificationFailure } from './verification';

export const APIG_ALGORITHM = 'SDK-HMAC-SHA256';

/** The date header APIG reads, written `yyyyMMdd'T'HHmmss'Z'` in UTC. */
export const SDK_DATE_HEADER = 'X-Sdk-Date';

/**
 * Clock skew accepted by `verifyApigRequest` by default: 15 minutes each way. The APIG limit is
 * not published (spec §B.3 marks it UNCONFIRMED and suggests ±15 min).
 */
export const APIG_DEFAULT_TOLERANCE_MS = 15 * 60_000;

/** SHA-256 of an empty body, the payload hash of every request without a body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Header values as callers hold them (n8n request options, Node's incoming headers). */
export type HeaderValue = string | number | boolean | readonly string[] | null | undefined;
export type HeaderMap = Record<string, HeaderValue>;

export interface ApigRequest {
	method: string;
	/** Absolute URL, or a path with query (then a `Host` header is needed). */
	url: string;
	headers?: HeaderMap;
	/** The body exactly as sent; undefined means no body. */
	body?: string | Buffer;
}

export interface SignApigRequestInput extends ApigRequest {
	ak: string;
	sk: string;
	/** Signing time; defaults to now. Ignored when the headers already carry `X-Sdk-Date`. */
	date?: Date;
}

export interface SignedApigRequest {
	/** The headers to add to the request: `X-Sdk-Date` and `host` when missing, `Authorization`. */
	headers: Record<string, string>;
	/** The lowercase signed header names joined with `;`. */
	signedHeaders: string;
	canonicalRequest: string;
	stringToSign: string;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Formats a date as APIG's `X-Sdk-Date`: UTC `yyyyMMdd'T'HHmmss'Z'`, for example `20191115T033655Z`. */
export function formatSdkDate(date: Date): string {
	return (
		`${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
		`T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
	);
}

const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Reads a UTC `yyyyMMdd'T'HHmmss'Z'` value and returns milliseconds since 1970, or undefined when
 * the text is not in that form or names a date that does not exist (for example 20230230).
 */
export function parseSdkDate(text: unknown): number | undefined {
	if (typeof text !== 'string') return undefined;
	const match = SDK_DATE.exec(text);
	if (!match) return undefined;
	const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
	const ms = Date.UTC(year, month - 1, day, hour, minute, second);
	const date = new Date(ms);
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day ||
		date.getUTCHours() !== hour ||
		date.getUTCMinutes() !== minute ||
		date.getUTCSeconds() !== second
	) {
		return undefined;
	}
	return ms;
}

const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;
/** What encodeURIComponent leaves as it is but APIG encodes. */
const SUB_DELIMS = /[!'()*]/g;
const percentByte = (byte: number): string =>
	`%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Percent-encodes text the way APIG canonicalises it: UTF-8, everything but `A-Z a-z 0-9 - _ . ~`. */
export function apigEncode(text: string): string {
	if (UNRESERVED_ONLY.test(text)) return text;
	try {
		// encodeURIComponent writes UTF-8 in uppercase hex and keeps only `!'()*` beyond APIG's set.
		return encodeURIComponent(text).replace(SUB_DELIMS, (char) => percentByte(char.charCodeAt(0)));
	} catch {
		// A lone surrogate: encode its UTF-8 replacement character, as Buffer.from does.
		let out = '';
		for (const byte of Buffer.from(text, 'utf8')) {
			const char = String.fromCharCode(byte);
			out += UNRESERVED_ONLY.test(char) ? char : percentByte(byte);
		}
		return out;
	}
}

/** Percent-decodes text; a malformed escape leaves the text as it is (it is then encoded as sent). */
function safeDecode(text: string): string {
	if (!text.includes('%')) return text;
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** A path that decoding and encoding again leave as it is. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-_.~/]*$/;

/**
 * The canonical URI: each `/`-separated segment of the path decoded and encoded again, with a
 * `/` appended when the path does not end with one (the request itself keeps its own path).
 */
export function canonicalUri(path: string): string {
	if (PLAIN_PATH.test(path)) return path.endsWith('/') ? path : `${path}/`;
	const uri = (path || '/')
		.split('/')
		.map((segment) => apigEncode(safeDecode(segment)))
		.join('/');
	return uri.endsWith('/') ? uri : `${uri}/`;
}

/**
 * The canonical query string from a raw query (with or without the leading `?`): names and
 * values decoded and encoded again, sorted by name then by value, joined as `k=v` with `&`.
 */
export function canonicalQueryString(query: string): string {
	const raw = query.startsWith('?') ? query.slice(1) : query;
	if (raw === '') return '';
	const pairs: Array<[name: string, value: string]> = [];
	for (const part of raw.split('&')) {
		const eq = part.indexOf('=');
		const name = safeDecode(eq === -1 ? part : part.slice(0, eq));
		if (name !== '') pairs.push([name, eq === -1 ? '' : safeDecode(part.slice(eq + 1))]);
	}
	const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
	pairs.sort((a, b) => order(a[0], b[0]) || order(a[1], b[1]));
	return pairs.map(([name, value]) => `${apigEncode(name)}=${apigEncode(value)}`).join('&');
}

interface ParsedUrl {
	/** `host[:port]` as it goes in the Host header; empty for a relative URL. */
	host: string;
	path: string;
	query: string;
}

/**
 * Splits a URL with the WHATWG parser, the one HTTP clients use, so the path is the one sent on
 * the wire (dot segments resolved). A relative URL (starting with `/`) keeps its path as given.
 * Throws on text that is not a URL.
 */
function parseUrl(url: string): ParsedUrl {
	if (url.startsWith('/')) {
		const parsed = new URL(`http://relative.invalid${url}`);
		return { host: '', path: parsed.pathname, query: parsed.search };
	}
	const parsed = new URL(url);
	return { host: parsed.host, path: parsed.pathname, query: parsed.search };
}

/** One header value as text: lists joined with `,`, then trimmed. Undefined when absent. */
function headerText(value: HeaderValue): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (Array.isArray(value)) return value.join(',').trim();
	return String(value).trim();
}

/** Headers by lowercase name (the last one wins when a name repeats in different case). */
function lowercaseHeaders(headers: HeaderMap | undefined): Map<string, string> {
	const map = new Map<string, string>();
	for (const [name, value] of Object.entries(headers ?? {})) {
		const text = headerText(value);
		if (text !== undefined) map.set(name.toLowerCase(), text);
	}
	return map;
}

/** The signed header names for a header map: every header but `Authorization`, lowercased, sorted. */
export function signedHeaderNames(headers: HeaderMap | undefined): string[] {
	return [...lowercaseHeaders(headers).keys()].filter((name) => name !== 'authorization').sort();
}

/** Hex SHA-256 of the body exactly as sent (text as UTF-8); the empty hash when there is none. */
export function payloadHash(body: string | Buffer | undefined): string {
	return body === undefined ? EMPTY_BODY_SHA256 : sha256Hex(body);
}

/**
 * The canonical request of spec §B.3 step 1. `signedHeaders` lists the lowercase header names
 * to sign (default: all of them but `Authorization`); a listed header that is absent counts as
 * an empty value. The host comes from the URL unless a `Host` header is present.
 */
export function canonicalRequest(request: ApigRequest, signedHeaders?: readonly string[]): string {
	const url = parseUrl(request.url);
	const headers = lowercaseHeaders(request.headers);
	if (!headers.has('host') && url.host) headers.set('host', url.host);
	const names =
		signedHeaders ?? [...headers.keys()].filter((name) => name !== 'authorization').sort();
	return canonicalFrom(request, url, headers, names);
}

/** The canonical request from a parsed URL and lowercase headers (one parse of each per signature). */
function canonicalFrom(
	request: ApigRequest,
	url: ParsedUrl,
	headers: Map<string, string>,
	names: readonly string[],
): string {
	let canonicalHeaders = '';
	for (const name of names) canonicalHeaders += `${name}:${headers.get(name) ?? ''}\n`;
	return [
		request.method.toUpperCase(),
		canonicalUri(url.path),
		canonicalQueryString(url.query),
		canonicalHeaders,
		names.join(';'),
		payloadHash(request.body),
	].join('\n');
}

/** The string to sign of spec §B.3 step 2: algorithm, `X-Sdk-Date` and the canonical request's hash. */
export function stringToSign(sdkDate: string, canonical: string): string {
	return `${APIG_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** The signature of spec §B.3 step 3: lowercase hex HMAC-SHA256 keyed with the SK. */
export function apigSignature(sk: string, toSign: string): string {
	return hmacSha256Hex(sk, toSign);
}

/** The Authorization header value of spec §B.3 step 4. */
export function authorizationHeader(ak: string, signedHeaders: string, signature: string): string {
	return `${APIG_ALGORITHM} Access=${ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * Signs a request for Huawei API Gateway (`SDK-HMAC-SHA256`) and returns the headers to add:
 * `X-Sdk-Date` (unless the request already has one, whose value is then used), `host` (unless
 * given; taken from the URL) and `Authorization`. All headers handed in are signed, so add
 * `Content-Type` and friends before signing, and send the body exactly as passed here.
 * Throws only when the URL cannot be parsed or names no host.
 */
export function signApigRequest(input: SignApigRequestInput): SignedApigRequest {
	const added: Record<string, string> = {};
	const headers = lowercaseHeaders(input.headers);
	let sdkDate = headers.get('x-sdk-date');
	if (sdkDate === undefined) {
		sdkDate = formatSdkDate(input.date ?? new Date());
		added[SDK_DATE_HEADER] = sdkDate;
		headers.set('x-sdk-date', sdkDate);
	}
	const url = parseUrl(input.url);
	if (!headers.has('host')) {
		if (!url.host) throw new Error('A relative URL needs a Host header to be signed.');
		added.host = url.host;
		headers.set('host', url.host);
	}
	const names = [...headers.keys()].filter((name) => name !== 'authorization').sort();
	const canonical = canonicalFrom(input, url, headers, names);
	const toSign = stringToSign(sdkDate, canonical);
	const signedHeaders = names.join(';');
	added.Authorization = authorizationHeader(
		input.ak,
		signedHeaders,
		apigSignature(input.sk, toSign),
	);
	return { headers: added, signedHeaders, canonicalRequest: canonical, stringToSign: toSign };
}

export interface ApigAuthorization {
	ak: string;
	signedHeaders: string[];
	signature: string;
}

const AUTHORIZATION =
	/^SDK-HMAC-SHA256\s+Access=([^\s,]+)\s*,\s*SignedHeaders=([^\s,]+)\s*,\s*Signature=([^\s,]+)\s*$/;

/** Reads an `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header; undefined if it is not one. */
export function parseApigAuthorization(value: unknown): ApigAuthorization | undefined {
	if (typeof value !== 'string') return undefined;
	const match = AUTHORIZATION.exec(value.trim());
	if (!match) return undefined;
	const signedHeaders = match[2].split(';');
	if (signedHeaders.some((name) => name === '' || name !== name.toLowerCase())) return undefined;
	return { ak: match[1], signedHeaders, signature: match[3] };
}

export interface VerifyApigRequestInput extends ApigRequest {
	/** Returns the SK for an AK, or undefined when the AK is unknown. */
	credentials: (ak: string) => string | undefined;
	nowMs?: number;
	/** Accepted clock skew each way; default `APIG_DEFAULT_TOLERANCE_MS` (15 min). */
	toleranceMs?: number;
}

export interface ApigVerificationSuccess {
	ok: true;
	ak: string;
	sdkDate: string;
	timestampMs: number;
	/** Our clock minus the caller's, in milliseconds. */
	skewMs: number;
	signedHeaders: string[];
}

/** A refusal; for `badSignature` it also shows what was signed, to compare with the client's. */
export type ApigVerificationFailure = VerificationFailure & {
	canonicalRequest?: string;
	stringToSign?: string;
};

export type ApigVerificationResult = ApigVerificationSuccess | ApigVerificationFailure;

const REQUIRED_SIGNED = ['host', 'x-sdk-date'];

/**
 * Checks an incoming request signed with `SDK-HMAC-SHA256` (for the local mock of KooGallery's
 * Open APIs). Reads `Authorization` and `X-Sdk-Date`, checks the date window, then recomputes
 * the signature over the headers the client listed. Never throws: bad input gives a failure
 * with `missingParameter`, `malformedParameter`, `staleTimestamp` or `badSignature`.
 */
export function verifyApigRequest(input: VerifyApigRequestInput): ApigVerificationResult {
	try {
		return verify(input);
	} catch {
		return failure('malformedParameter', 'The request URL or headers could not be read.');
	}
}

function verify(input: VerifyApigRequestInput): ApigVerificationResult {
	const headers = lowercaseHeaders(input.headers);
	const urlHost = parseUrl(input.url).host;
	if (!headers.has('host') && urlHost) headers.set('host', urlHost);
	const rawAuthorization = headers.get('authorization');
	if (!rawAuthorization) {
		return failure('missingParameter', 'The "Authorization" header is missing.', 'Authorization');
	}
	const authorization = parseApigAuthorization(rawAuthorization);
	if (!authorization) {
		return failure(
			'malformedParameter',
			'The "Authorization" header is not of the form "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>".',
			'Authorization',
		);
	}
	if (!/^[0-9a-fA-F]{64}$/.test(authorization.signature)) {
		return failure(
			'malformedParameter',
			'The signature in "Authorization" is not 64 hex characters.',
			'Authorization',
		);
	}
	const unsigned = REQUIRED_SIGNED.filter((name) => !authorization.signedHeaders.includes(name));
	if (unsigned.length > 0) {
		return failure(
			'malformedParameter',
			`SignedHeaders in "Authorization" must include ${unsigned.map((name) => `"${name}"`).join(' and ')}.`,
			'Authorization',
		);
	}
	const missing = authorization.signedHeaders.filter((name) => !headers.has(name));
	if (missing.length > 0) {
		const header = missing[0] === 'x-sdk-date' ? SDK_DATE_HEADER : missing[0];
		return failure(
			'missingParameter',
			`The signed header "${header}" is missing from the request.`,
			header,
		);
	}
	const sdkDate = headers.get('x-sdk-date') as string;
	const timestampMs = parseSdkDate(sdkDate);
	if (timestampMs === undefined) {
		return failure(
			'malformedParameter',
			`"${SDK_DATE_HEADER}" must be a UTC time written yyyyMMdd'T'HHmmss'Z' (for example 20191115T033655Z).`,
			SDK_DATE_HEADER,
		);
	}
	const nowMs = input.nowMs ?? Date.now();
	const toleranceMs = input.toleranceMs ?? APIG_DEFAULT_TOLERANCE_MS;
	const skewMs = nowMs - timestampMs;
	if (Math.abs(skewMs) > toleranceMs) {
		return failure(
			'staleTimestamp',
			`"${SDK_DATE_HEADER}" is ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs > 0 ? 'old' : 'in the future'}; at most ${Math.round(toleranceMs / 1000)} s is accepted. Check the client clock.`,
			SDK_DATE_HEADER,
		);
	}
	const canonical = canonicalRequest(input, authorization.signedHeaders);
	const toSign = stringToSign(sdkDate, canonical);
	const sk = input.credentials(authorization.ak);
	if (sk === undefined || sk === '') {
		return {
			...failure(
				'badSignature',
				`The access key "${authorization.ak}" is not known.`,
				'Authorization',
			),
			canonicalRequest: canonical,
			stringToSign: toSign,
		};
	}
	if (!safeEqualHex(apigSignature(sk, toSign), authorization.signature)) {
		return {
			...failure(
				'badSignature',
				'The signature in "Authorization" does not match the request. Compare the canonical request below with the one the client signed.',
				'Authorization',
			),
			canonicalRequest: canonical,
			stringToSign: toSign,
		};
	}
	return {
		ok: true,
		ak: authorization.ak,
		sdkDate,
		timestampMs,
		skewMs,
		signedHeaders: authorization.signedHeaders,
	};
}
