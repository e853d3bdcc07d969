/**
 * Verifying a request signed with Huawei API Gateway's `SDK-HMAC-SHA256`
 * (docs/protocol/koogallery-openapi-v1.md §B.3): used in production by the KooGallery API Trigger
 * to check APIG's backend signature on gateway calls, and by the simulator's mock of
 * KooGallery's Open APIs.
 */
import { safeEqualHex } from '../hmac';
import { failure, skewText, type VerificationFailure } from '../verification';
import { canonicalRequest, lowercaseHeaders, parseUrl, type ApigRequest } from './canonical';
import { parseSdkDate, SDK_DATE_HEADER } from './date';
import { apigSignature, stringToSign } from './sign';

/**
 * Clock skew accepted by `verifyApigRequest` by default: 15 minutes each way. The APIG limit is
 * not published (spec §B.3 marks it UNCONFIRMED and suggests ±15 min).
 */
export const APIG_DEFAULT_TOLERANCE_MS = 15 * 60_000;

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
const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;

/**
 * Checks an incoming request signed with `SDK-HMAC-SHA256`. Reads `Authorization` and
 * `X-Sdk-Date`, checks the date window, then recomputes the signature over the headers the
 * client listed. Never throws: bad input gives a failure with `missingParameter`,
 * `malformedParameter`, `staleTimestamp` or `badSignature`.
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
	const authorization = readAuthorization(headers);
	if (!('ak' in authorization)) return authorization;
	const sdkDate = headers.get('x-sdk-date') as string;
	const date = checkSdkDate(sdkDate, input);
	if (!date.ok) return date;
	const canonical = canonicalRequest(input, authorization.signedHeaders);
	const toSign = stringToSign(sdkDate, canonical);
	const sk = input.credentials(authorization.ak);
	const refusal =
		sk === undefined || sk === ''
			? `The access key "${authorization.ak}" is not known.`
			: safeEqualHex(apigSignature(sk, toSign), authorization.signature)
				? undefined
				: 'The signature in "Authorization" does not match the request. Compare the canonical request below with the one the client signed.';
	if (refusal !== undefined) {
		return {
			...failure('badSignature', refusal, 'Authorization'),
			canonicalRequest: canonical,
			stringToSign: toSign,
		};
	}
	return {
		ok: true,
		ak: authorization.ak,
		sdkDate,
		timestampMs: date.timestampMs,
		skewMs: date.skewMs,
		signedHeaders: authorization.signedHeaders,
	};
}

/** The `Authorization` header, read and checked against the headers present; or why not. */
function readAuthorization(
	headers: Map<string, string>,
): ApigAuthorization | ApigVerificationFailure {
	const raw = headers.get('authorization');
	if (!raw) {
		return failure('missingParameter', 'The "Authorization" header is missing.', 'Authorization');
	}
	const authorization = parseApigAuthorization(raw);
	const malformed = (message: string) => failure('malformedParameter', message, 'Authorization');
	if (!authorization) {
		return malformed(
			'The "Authorization" header is not of the form "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>".',
		);
	}
	if (!HEX_SIGNATURE.test(authorization.signature)) {
		return malformed('The signature in "Authorization" is not 64 hex characters.');
	}
	const unsigned = REQUIRED_SIGNED.filter((name) => !authorization.signedHeaders.includes(name));
	if (unsigned.length > 0) {
		return malformed(
			`SignedHeaders in "Authorization" must include ${unsigned.map((name) => `"${name}"`).join(' and ')}.`,
		);
	}
	const missing = authorization.signedHeaders.find((name) => !headers.has(name));
	if (missing !== undefined) {
		const header = missing === 'x-sdk-date' ? SDK_DATE_HEADER : missing;
		return failure(
			'missingParameter',
			`The signed header "${header}" is missing from the request.`,
			header,
		);
	}
	return authorization;
}

/** The `X-Sdk-Date` read and checked against the accepted window; or why not. */
function checkSdkDate(
	sdkDate: string,
	input: VerifyApigRequestInput,
): { ok: true; timestampMs: number; skewMs: number } | ApigVerificationFailure {
	const timestampMs = parseSdkDate(sdkDate);
	if (timestampMs === undefined) {
		return failure(
			'malformedParameter',
			`"${SDK_DATE_HEADER}" must be a UTC time written yyyyMMdd'T'HHmmss'Z' (for example 20191115T033655Z).`,
			SDK_DATE_HEADER,
		);
	}
	const toleranceMs = input.toleranceMs ?? APIG_DEFAULT_TOLERANCE_MS;
	const skewMs = (input.nowMs ?? Date.now()) - timestampMs;
	if (Math.abs(skewMs) > toleranceMs) {
		return failure(
			'staleTimestamp',
			`"${SDK_DATE_HEADER}" is ${skewText(skewMs, toleranceMs)}. Check the client clock.`,
			SDK_DATE_HEADER,
		);
	}
	return { ok: true, timestampMs, skewMs };
}
