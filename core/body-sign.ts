import { hmacSha256Base64, safeEqual } from './hmac';

/** The exact `Body-Sign` header text KooGallery documents, space after `signature=` included. */
export function bodySignHeader(key: string, body: string | Buffer): string {
	return `sign_type="HMAC-SHA256", signature= "${hmacSha256Base64(key, body)}"`;
}

/**
 * Serialises a response as compact JSON with every non-ASCII character written as `\uXXXX`
 * (KooGallery asks for this in `memo`; it is valid JSON and keeps the bytes ASCII-only).
 */
export function toKooGalleryJson(value: unknown): string {
	return JSON.stringify(value).replace(
		/[\u0080-\uffff]/g,
		(c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

export interface SignedResponse {
	/** The exact text to send; the signature covers these bytes. */
	body: string;
	headers: { 'content-type': string; 'body-sign': string };
}

/** Serialises a response once and signs those exact bytes, returning both together. */
export function signedJsonResponse(key: string, value: unknown): SignedResponse {
	const body = toKooGalleryJson(value);
	return {
		body,
		headers: {
			'content-type': 'application/json;charset=UTF-8',
			'body-sign': bodySignHeader(key, body),
		},
	};
}

/**
 * Reads the signature out of a `Body-Sign` header. Accepts the documented form and the common
 * variant without the space; undefined when the header is not a `Body-Sign` value.
 */
export function parseBodySign(
	header: unknown,
): { signType: string; signature: string } | undefined {
	if (typeof header !== 'string') return undefined;
	const m = /^\s*sign_type\s*=\s*"([^"]*)"\s*,\s*signature\s*=\s*"([A-Za-z0-9+/=]*)"\s*$/.exec(
		header,
	);
	return m ? { signType: m[1], signature: m[2] } : undefined;
}

/** Checks a response's `Body-Sign` over the exact bytes received. */
export function verifyBodySign(key: string, body: string | Buffer, header: unknown): boolean {
	const parsed = parseBodySign(header);
	return (
		parsed !== undefined &&
		parsed.signType === 'HMAC-SHA256' &&
		safeEqual(hmacSha256Base64(key, body), parsed.signature)
	);
}
