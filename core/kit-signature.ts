import { hmacSha256Hex } from './hmac';
import { canonicalSaasV2Payload, checkSignedBody, KIT_READINGS } from './saas-v2-signature';
import {
	failure,
	readParameter,
	type VerificationFailure,
	type VerificationResult,
	type VerifyOptions,
} from './verification';

/**
 * Joint-operation kit (联营kit) sync calls carry their signature in three headers
 * (docs/protocol/koogallery-joint-license.md §0.2): `x-sign`, `x-timestamp` (milliseconds) and `x-nonce`.
 */
export const KIT_HEADERS = { sign: 'x-sign', timestamp: 'x-timestamp', nonce: 'x-nonce' } as const;

/**
 * The kit signature (§0.2, Huawei's Java sample): one HMAC, keyed with the kit key, over
 * `key + nonce + timestamp + payload`, as lowercase hex. The payload is signed exactly as given;
 * Huawei signs the canonical form of the body (see {@link canonicalKitPayload}).
 */
export function signKitRequest(
	key: string,
	rawBody: string | Buffer,
	nonce: string,
	timestamp: string,
): string {
	const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
	return hmacSha256Hex(key, Buffer.concat([Buffer.from(key + nonce + timestamp, 'utf8'), body]));
}

/**
 * The body as Huawei's sample re-serialises it before signing: top-level keys sorted, null
 * values dropped, compact JSON (the same rule as the V2.0 basic interfaces). Undefined when the
 * body is not a JSON object.
 */
export function canonicalKitPayload(rawBody: string | Buffer): string | undefined {
	return canonicalSaasV2Payload(rawBody);
}

/** The three headers for a kit call, signed over `rawBody` as given (for simulators and tests). */
export function kitSignatureHeaders(
	key: string,
	rawBody: string | Buffer,
	nonce: string,
	timestamp: string,
): Record<(typeof KIT_HEADERS)[keyof typeof KIT_HEADERS], string> {
	return {
		[KIT_HEADERS.sign]: signKitRequest(key, rawBody, nonce, timestamp),
		[KIT_HEADERS.timestamp]: timestamp,
		[KIT_HEADERS.nonce]: nonce,
	};
}

export interface KitVerifyInput extends VerifyOptions {
	/** The request headers. Names are matched ignoring case (Node already lowercases them). */
	headers: Record<string, unknown> | undefined;
	/** The exact request body bytes. */
	rawBody: string | Buffer;
}

/**
 * Reads one header ignoring the case of its name. The same header twice (two names differing in
 * case, an array from `headersDistinct`, or the `a, b` text Node makes of a repeated `x-` header
 * whose value can never contain a comma) is refused as duplicated.
 */
export function readHeader(
	headers: Record<string, unknown> | undefined,
	name: string,
	commaMeansRepeated: boolean,
): { ok: true; value: string } | VerificationFailure {
	const values: unknown[] = [];
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() !== name) continue;
		if (Array.isArray(value)) values.push(...value);
		else values.push(value);
	}
	const single = values.length > 1 ? values : values[0];
	const result = readParameter({ [name]: single }, name, 'header');
	if (result.ok && commaMeansRepeated && result.value.includes(',')) {
		return failure('duplicateParameter', `The header "${name}" was sent more than once.`, name);
	}
	return result;
}

/**
 * Verifies a kit sync call (spec §0.2, docs/protocol/README.md decision 3): the exact raw body first, then the
 * canonical form Huawei's sample signs. Checks the timestamp window, the key (current, then
 * previous) and the nonce through {@link checkSignedBody}. Never throws.
 */
export function verifyKitRequest(input: KitVerifyInput): VerificationResult {
	const signature = readHeader(input.headers, KIT_HEADERS.sign, true);
	if (!signature.ok) return signature;
	const timestamp = readHeader(input.headers, KIT_HEADERS.timestamp, true);
	if (!timestamp.ok) return timestamp;
	const nonce = readHeader(input.headers, KIT_HEADERS.nonce, false);
	if (!nonce.ok) return nonce;
	return checkSignedBody(
		input,
		{
			signature: { name: KIT_HEADERS.sign, value: signature.value },
			timestamp: { name: KIT_HEADERS.timestamp, value: timestamp.value },
			nonce: nonce.value,
			readings: KIT_READINGS,
		},
		(key, body) => signKitRequest(key, body, nonce.value, timestamp.value),
	);
}
