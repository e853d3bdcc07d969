import type { VerificationFailureReason } from './verification';

/**
 * KooGallery result codes (docs/protocol/koogallery-saas-v2.md §6) with plain-English messages. The kit and
 * License protocols add their own codes in their modules' answers; these are the shared ones.
 */
export const RESULT_CODES = {
	'000000': 'Success',
	'000001': 'Authentication failed',
	'000002': 'Invalid request parameter',
	'000003': 'Instance ID does not exist',
	'000004': 'Request is being processed',
	'000005': 'Other internal error',
	'000100': 'No instance resource can be allocated',
	'000101': 'Mobile number missing or already exists',
	'000102': 'E-mail missing or already exists',
	'000103': 'Product already purchased',
	'000104': 'Internal service error',
	'000105': 'Account has already subscribed to benefits',
	'000106': 'Product resources sold out',
	'000107': 'SaaS e-mail domain already exists',
} as const;

export type ResultCode = keyof typeof RESULT_CODES;

export function isResultCode(value: unknown): value is ResultCode {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RESULT_CODES, value);
}

/** The smallest valid answer: `{ resultCode, resultMsg }`, the message defaulting to the code's meaning. */
export function resultBody(code: ResultCode, message?: string): { resultCode: ResultCode; resultMsg: string } {
	return { resultCode: code, resultMsg: (message ?? RESULT_CODES[code]).slice(0, 255) };
}

/** Parameters that carry the signature itself: missing or malformed, the call is unauthenticated. */
const SIGNATURE_PARAMETERS = new Set(['signature', 'x-sign', 'authToken', 'Authorization']);

/**
 * The code a failed verification is answered with. A missing or malformed signature, a wrong
 * signature, a stale time or a replay is an authentication failure (`000001`, as Huawei's samples
 * answer a missing signature); any other missing, repeated or malformed signing parameter (time,
 * nonce, body size) is an invalid parameter (`000002`).
 */
export function verificationResultCode(reason: VerificationFailureReason, parameter?: string): '000001' | '000002' {
	if (parameter !== undefined && SIGNATURE_PARAMETERS.has(parameter)) return '000001';
	switch (reason) {
		case 'missingParameter':
		case 'malformedParameter':
		case 'duplicateParameter':
			return '000002';
		default:
			return '000001';
	}
}
