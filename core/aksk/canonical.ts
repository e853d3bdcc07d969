/**
 * The canonical request of Huawei API Gateway's `SDK-HMAC-SHA256` signing
 * (docs/protocol/koogallery-openapi-v1.md §B.3 step 1), shared by the signer and the verifier.
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
import { sha256Hex } from '../hmac';

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

/** `A-Z a-z 0-9 - _ . ~` by character code: what APIG leaves as it is. */
const UNRESERVED = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~')
	UNRESERVED[char.charCodeAt(0)] = 1;
const SLASH = 0x2f;

/** True when `text` is only unreserved characters (and `/` when `slash` is set). */
function unreservedOnly(text: string, slash: boolean): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code >= 128 || (UNRESERVED[code] === 0 && !(slash && code === SLASH))) return false;
	}
	return true;
}

/** What encodeURIComponent leaves as it is but APIG encodes. */
const SUB_DELIMS = /[!'()*]/g;
const percentByte = (byte: number): string =>
	`%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Percent-encodes text the way APIG canonicalises it: UTF-8, everything but `A-Z a-z 0-9 - _ . ~`. */
export function apigEncode(text: string): string {
	if (unreservedOnly(text, false)) return text;
	try {
		// encodeURIComponent writes UTF-8 in uppercase hex and keeps only `!'()*` beyond APIG's set.
		return encodeURIComponent(text).replace(SUB_DELIMS, (char) => percentByte(char.charCodeAt(0)));
	} catch {
		// A lone surrogate: encode its UTF-8 replacement character, as Buffer.from does.
		let out = '';
		for (const byte of Buffer.from(text, 'utf8')) {
			out += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : percentByte(byte);
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

/**
 * The canonical URI: each `/`-separated segment of the path decoded and encoded again, with a
 * `/` appended when the path does not end with one (the request itself keeps its own path).
 */
export function canonicalUri(path: string): string {
	const uri =
		path.charCodeAt(0) === SLASH && unreservedOnly(path, true)
			? path
			: (path || '/')
					.split('/')
					.map((segment) => apigEncode(safeDecode(segment)))
					.join('/');
	return uri.charCodeAt(uri.length - 1) === SLASH ? uri : `${uri}/`;
}

/** JavaScript string order (UTF-16 code units) of name, then value. */
function byNameThenValue(a: readonly [string, string], b: readonly [string, string]): number {
	if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * The canonical query string from a raw query (with or without the leading `?`): names and
 * values decoded and encoded again, sorted by name then by value, joined as `k=v` with `&`.
 */
export function canonicalQueryString(query: string): string {
	const pairs: Array<[name: string, value: string]> = [];
	let start = query.charCodeAt(0) === 0x3f ? 1 : 0;
	while (start < query.length) {
		let end = query.indexOf('&', start);
		if (end === -1) end = query.length;
		const eq = query.indexOf('=', start);
		const split = eq === -1 || eq > end ? end : eq;
		const name = safeDecode(query.slice(start, split));
		if (name !== '')
			pairs.push([name, split === end ? '' : safeDecode(query.slice(split + 1, end))]);
		start = end + 1;
	}
	pairs.sort(byNameThenValue);
	let out = '';
	for (let i = 0; i < pairs.length; i++) {
		out += `${i === 0 ? '' : '&'}${apigEncode(pairs[i][0])}=${apigEncode(pairs[i][1])}`;
	}
	return out;
}

export interface ParsedUrl {
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
export function parseUrl(url: string): ParsedUrl {
	const parsed = new URL(url.startsWith('/') ? `http://relative.invalid${url}` : url);
	return {
		host: url.startsWith('/') ? '' : parsed.host,
		path: parsed.pathname,
		query: parsed.search,
	};
}

/** One header value as text: lists joined with `,`, then trimmed. Undefined when absent. */
function headerText(value: HeaderValue): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (Array.isArray(value)) return value.join(',').trim();
	return String(value).trim();
}

/** Headers by lowercase name (the last one wins when a name repeats in different case). */
export function lowercaseHeaders(headers: HeaderMap | undefined): Map<string, string> {
	const map = new Map<string, string>();
	if (headers === undefined) return map;
	for (const name in headers) {
		if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
		const text = headerText(headers[name]);
		if (text !== undefined) map.set(name.toLowerCase(), text);
	}
	return map;
}

/** The names to sign by default: every header but `Authorization`, lowercase, sorted. */
export function defaultSignedNames(headers: Map<string, string>): string[] {
	const names: string[] = [];
	for (const name of headers.keys()) if (name !== 'authorization') names.push(name);
	return names.sort();
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
	return canonicalFrom(request, url, headers, signedHeaders ?? defaultSignedNames(headers));
}

/**
 * The canonical request from a parsed URL and lowercase headers, in one pass: method, URI, query,
 * `name:value` lines, signed names and payload hash, each ending with a new line but the last.
 */
export function canonicalFrom(
	request: ApigRequest,
	url: ParsedUrl,
	headers: Map<string, string>,
	names: readonly string[],
): string {
	let out = `${request.method.toUpperCase()}\n${canonicalUri(url.path)}\n${canonicalQueryString(url.query)}\n`;
	for (const name of names) out += `${name}:${headers.get(name) ?? ''}\n`;
	return `${out}\n${names.join(';')}\n${payloadHash(request.body)}`;
}
