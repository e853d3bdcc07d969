import { bodyText } from './fields';
import { hmacSha256Hex, safeEqualHex } from './hmac';
import { jacksonJson, readJavaStringMap, type JavaValue } from './java-json';
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
		const value: unknown = JSON.parse(bodyText(rawBody));
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
export function signSaasV2Request(
	key: string,
	body: string | Buffer,
	nonce: string,
	timestamp: string,
): string {
	return hmacSha256Hex(key, key + nonce + timestamp + hmacSha256Hex(key, body));
}

/**
 * The body as Huawei's V2.0 Java sample signs it when KooGallery's JSON is not all strings: the
 * sample's controller binds the body to a `Map<String, String>` (`@RequestBody`), so Jackson turns
 * every scalar into text (`1` into `"1"`, `99.9900` into `"99.9900"`, `true` into `"true"`), then
 * writes the map back with keys sorted, nulls dropped and Jackson's escaping (`\u001F`, upper
 * case). See docs/protocol/koogallery-saas-v2.md §2.2 and the sample's `IsvProduceController`
 * (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000001945216782.html). An
 * object or array value, which that map cannot hold, is written back as it came. Undefined when
 * the body is not a JSON object.
 */
export function javaMapSaasV2Payload(rawBody: string | Buffer): string | undefined {
	const members = readJavaStringMap(rawBody);
	if (members === undefined) return undefined;
	const names = [...members.keys()].sort();
	const written = names.map((name) => {
		const value = members.get(name) as JavaValue;
		return `${jacksonJson(name)}:${typeof value === 'string' ? jacksonJson(value) : value.json}`;
	});
	return `{${written.join(',')}}`;
}

/** A reading of the body other than its raw bytes: its name and how to build it from the raw bytes. */
export type BodyReading = readonly [
	form: string,
	read: (rawBody: string | Buffer) => string | undefined,
];

/** The kit sample binds the body to `Map<String, Object>`: only the canonical reading applies. */
export const KIT_READINGS: readonly BodyReading[] = [['canonical', canonicalSaasV2Payload]];
/** The V2.0 basic interfaces: the canonical reading, then the `Map<String, String>` one. */
const SAAS_V2_READINGS: readonly BodyReading[] = [...KIT_READINGS, ['java', javaMapSaasV2Payload]];

/**
 * The readings of a body to try, in order (docs/protocol/README.md decision 2): the exact raw bytes, then each
 * of `readings`. A reading is built only when every earlier one failed to verify, and skipped when
 * it equals the raw bytes or an earlier reading.
 */
export function bodyForms(
	rawBody: string | Buffer,
	sign: (key: string, body: string | Buffer) => string,
	readings: readonly BodyReading[],
): Array<{ form: string; sign: (key: string) => string }> {
	const built: Array<string | undefined> = [];
	const seen = () => [bodyText(rawBody), ...built];
	const body = (index: number): string | undefined => {
		while (built.length <= index) {
			const [, read] = readings[built.length];
			const text = read(rawBody);
			built.push(text !== undefined && seen().includes(text) ? undefined : text);
		}
		return built[index];
	};
	return [
		{ form: 'raw', sign: (key) => sign(key, rawBody) },
		...readings.map(([form], index) => ({
			form,
			sign: (key: string) => {
				const text = body(index);
				// No such reading, or the same text as an earlier one: an empty expectation never matches.
				return text === undefined ? '' : sign(key, text);
			},
		})),
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
		? failure(
				'malformedParameter',
				`The request body is larger than ${MAX_BODY_BYTES} bytes.`,
				'body',
			)
		: undefined;
}

/** The signed parts of a V2.0 or kit call, as read from the query or the headers, with their names. */
export interface SignedBodyCall {
	signature: { name: string; value: string };
	timestamp: { name: string; value: string };
	nonce: string;
	readings: readonly BodyReading[];
}

/**
 * The checks a V2.0 call and a kit call share once their signed parts are read: body size, then
 * timestamp, hex signature over the raw body and each reading, and nonce (`checkSignedRequest`).
 * `sign` gives the hex signature of a body for a key (nonce and timestamp already bound).
 */
export function checkSignedBody(
	input: VerifyOptions & { rawBody: string | Buffer },
	call: SignedBodyCall,
	sign: (key: string, body: string | Buffer) => string,
): VerificationResult {
	const rawBody = input.rawBody ?? '';
	const tooLarge = bodyTooLarge(rawBody);
	if (tooLarge) return tooLarge;
	return checkSignedRequest({
		keys: input.keys,
		timestamp: call.timestamp.value,
		timestampName: call.timestamp.name,
		signature: call.signature.value,
		signatureName: call.signature.name,
		nonce: call.nonce,
		forms: bodyForms(rawBody, sign, call.readings),
		compare: safeEqualHex,
		nowMs: input.nowMs,
		toleranceMs: input.toleranceMs,
		nonceStore: input.nonceStore,
		nonceTtlMs: input.nonceTtlMs,
	});
}

/**
 * Verifies a SaaS V2.0 call: the exact raw body first, then the canonical form Huawei's sample
 * uses, then the form its `Map<String, String>` binding gives. Never throws; a failure says which
 * check failed.
 */
export function verifySaasV2Request(input: SaasV2VerifyInput): VerificationResult {
	const signature = readParameter(input.query, 'signature');
	if (!signature.ok) return signature;
	const timestamp = readParameter(input.query, 'timestamp');
	if (!timestamp.ok) return timestamp;
	const nonce = readParameter(input.query, 'nonce');
	if (!nonce.ok) return nonce;
	if (nonce.value.length > MAX_NONCE_LENGTH) {
		return failure(
			'malformedParameter',
			`The URL parameter "nonce" is longer than ${MAX_NONCE_LENGTH} characters.`,
			'nonce',
		);
	}
	return checkSignedBody(
		input,
		{
			signature: { name: 'signature', value: signature.value },
			timestamp: { name: 'timestamp', value: timestamp.value },
			nonce: nonce.value,
			readings: SAAS_V2_READINGS,
		},
		(key, body) => signSaasV2Request(key, body, nonce.value, timestamp.value),
	);
}
