import { createHash, createHmac, hash, timingSafeEqual } from 'node:crypto';

/** Text is hashed as UTF-8; Buffers are hashed as they are. */
export type Bytes = string | Buffer;

/** HMAC-SHA256 of `data` keyed with `key` (both UTF-8 when given as text). */
export function hmacSha256(key: Bytes, data: Bytes): Buffer {
	return createHmac('sha256', key).update(data).digest();
}

/** Lowercase hex HMAC-SHA256, the form KooGallery's request signatures use. */
export function hmacSha256Hex(key: Bytes, data: Bytes): string {
	return createHmac('sha256', key).update(data).digest('hex');
}

/** Standard Base64 (with padding) HMAC-SHA256, the form `Body-Sign` uses. */
export function hmacSha256Base64(key: Bytes, data: Bytes): string {
	return createHmac('sha256', key).update(data).digest('base64');
}

/** Lowercase hex SHA-256 (one-shot `crypto.hash`: no Hash object for a single digest). */
export function sha256Hex(data: Bytes): string {
	return hash('sha256', data, 'hex');
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Compares two hex strings in constant time, ignoring case. Returns false (never throws) for
 * values of different length, odd length or with non-hex characters.
 */
export function safeEqualHex(expected: string, received: unknown): boolean {
	if (typeof received !== 'string') return false;
	if (expected.length !== received.length || expected.length % 2 !== 0) return false;
	if (!HEX.test(received) || !HEX.test(expected)) return false;
	return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(received, 'hex'));
}

/** Compares two strings byte for byte in constant time; false (never throws) for other input. */
export function safeEqual(expected: string, received: unknown): boolean {
	if (typeof received !== 'string') return false;
	const a = Buffer.from(expected, 'utf8');
	const b = Buffer.from(received, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Compares a configured secret with a received value in constant time, whatever their lengths:
 * both are hashed with SHA-256 first, so neither the content nor the length of the secret leaks
 * through timing. False (never throws) for a non-string or an empty configured secret.
 */
export function safeEqualSecret(expected: string, received: unknown): boolean {
	if (typeof received !== 'string' || expected === '') return false;
	const a = createHash('sha256').update(expected, 'utf8').digest();
	const b = createHash('sha256').update(received, 'utf8').digest();
	return timingSafeEqual(a, b);
}
