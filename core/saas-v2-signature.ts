import { hmacSha256Hex, safeEqualHex } from './hmac';
import {
	checkSignedRequest,
	failure,
	readParameter,
	type VerificationFailure,
	type VerificationResult,
	type VerifyOptions,
} from './verification';

/** Bodies above this size are refused before any hashing or parsing (KooGallery's are < 10 KB). */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_NONCE_LENGTH = 128;

/**
 * The form of the body Huawei's V2.0 Java sample hashes: top-level keys sorted ascending,
 * null values dropped, compact JSON. Undefined when the body is not a JSON object.
 */
export function canonicalSaasV2Payload(rawBody: string | Buffer): string | undefined {
	// Untrusted input: a body nested thousands deep parses but overflows the stack when written
	// back, so any failure means "no canonical reading", never an exception.
	try {
		const value: unknown = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
		if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
		const record = value as Record<string, unknown>;
		const sorted: Record<string, unknown> = {};
		for (const key of Object.keys(record).sort()) {
			if (record[key] !== null) sorted[key] = record[key];
		}
		return JSON.stringify(sorted);
	} catch {
		return undefined;
	}
}

/**
 * The V2.0 request signature (docs/protocol/README.md decision 2): both HMACs keyed with the seller key,
 * `hex(HMAC(key, key + nonce + timestamp + hex(HMAC(key, body))))`, lowercase.
 */
export function signSaasV2Request(key: string, body: string | Buffer, nonce: string, timestamp: string): string {
	return hmacSha256Hex(key, key + nonce + timestamp + hmacSha256Hex(key, body));
}

/**
 * The two readings of a body to try, in order (docs/protocol/README.md decision 2): the exact raw bytes, then
 * Huawei's canonical form. The canonical form is built only when the raw bytes did not verify,
 * and skipped when it equals them.
 */
export function rawThenCanonical(
	rawBody: string | Buffer,
	sign: (key: string, body: string | Buffer) => string,
): Array<{ form: string; sign: (key: string) => string }> {
	let canonical: string | undefined | null = null;
	const canonicalBody = () => {
		if (canonical === null) {
			const text = canonicalSaasV2Payload(rawBody);
			canonical = text === (typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')) ? undefined : text;
		}
		return canonical;
	};
	return [
		{ form: 'raw', sign: (key) => sign(key, rawBody) },
		{
			form: 'canonical',
			sign: (key) => {
				const body = canonicalBody();
				// No canonical reading: an empty expectation never matches.
				return body === undefined ? '' : sign(key, body);
			},
		},
	];
}

export interface SaasV2VerifyInput extends VerifyOptions {
	/** The parsed URL query (`signature`, `timestamp`, `nonce`). */
	query: Record<string, unknown> | undefined;
	/** The exact request body bytes. */
	rawBody: string | Buffer;
}

/** Refuses a body above {@link MAX_BODY_BYTES} before any hashing or parsing. */
export function bodyTooLarge(rawBody: string | Buffer): VerificationFailure | undefined {
	const size = typeof rawBody === 'string' ? Buffer.byteLength(rawBody) : rawBody.length;
	return size > MAX_BODY_BYTES
		? failure('malformedParameter', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 'body')
		: undefined;
}

/**
 * Verifies a SaaS V2.0 call: the exact raw body first, then the canonical form Huawei's sample
 * uses. Never throws; a failure says which check failed.
 */
export function verifySaasV2Request(input: SaasV2VerifyInput): VerificationResult {
	const signature = readParameter(input.query, 'signature');
	if (!signature.ok) return signature;
	const timestamp = readParameter(input.query, 'timestamp');
	if (!timestamp.ok) return timestamp;
	const nonce = readParameter(input.query, 'nonce');
	if (!nonce.ok) return nonce;
	if (nonce.value.length > MAX_NONCE_LENGTH) {
		return failure('malformedParameter', `The URL parameter "nonce" is longer than ${MAX_NONCE_LENGTH} characters.`, 'nonce');
	}
	const rawBody = input.rawBody ?? '';
	const tooLarge = bodyTooLarge(rawBody);
	if (tooLarge) return tooLarge;
	const forms = rawThenCanonical(rawBody, (key, body) => signSaasV2Request(key, body, nonce.value, timestamp.value));
	return checkSignedRequest({
		keys: input.keys,
		timestamp: timestamp.value,
		timestampName: 'timestamp',
		signature: signature.value,
		signatureName: 'signature',
		nonce: nonce.value,
		forms,
		compare: safeEqualHex,
		nowMs: input.nowMs,
		toleranceMs: input.toleranceMs,
		nonceStore: input.nonceStore,
		nonceTtlMs: input.nonceTtlMs,
	});
}
