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

/** The longest `resultMsg` KooGallery takes: String(255) in every answer table. */
export const MAX_RESULT_MESSAGE = 255;

/**
 * A `resultMsg` cut to {@link MAX_RESULT_MESSAGE} characters counted by code point, so a character
 * outside the BMP (an emoji, a rare Chinese character) is never split into a lone surrogate; a lone
 * surrogate already in the text becomes U+FFFD, since Java would read it as an invalid character.
 */
export function cutResultMessage(text: string): string {
	const wellFormed = text.replace(
		/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
		'\uFFFD',
	);
	return wellFormed.length <= MAX_RESULT_MESSAGE
		? wellFormed
		: Array.from(wellFormed).slice(0, MAX_RESULT_MESSAGE).join('');
}

/**
 * The smallest valid answer: `{ resultCode, resultMsg }`, the message defaulting to the code's
 * meaning (a code outside {@link RESULT_CODES}, such as a License code, brings its own message).
 */
export function resultBody<C extends string>(
	code: C,
	message?: string,
): { resultCode: C; resultMsg: string } {
	return {
		resultCode: code,
		resultMsg: cutResultMessage(message ?? (isResultCode(code) ? RESULT_CODES[code] : '')),
	};
}

/** Parameters that carry the signature itself: missing or malformed, the call is unauthenticated. */
const SIGNATURE_PARAMETERS = new Set(['signature', 'x-sign', 'authToken', 'Authorization']);

/**
 * The code a failed verification is answered with, as Huawei's samples answer (docs/protocol/README.md
 * decision 16). A missing or malformed signature, a wrong signature or a replay is an
 * authentication failure (`000001`, the samples' INVALID_TOKEN); a stale time and any other
 * missing, repeated or malformed signing parameter (time, nonce, body size) is an invalid
 * parameter (`000002`, INVALID_PARAM: the V2.0 sample's `verifySignature` and the kit sample's
 * `verifyTenantSignature` answer it for a timestamp older than 60 s, docs/protocol/koogallery-saas-v2.md §2.2
 * and docs/protocol/koogallery-joint-license.md §0.2). The V1.0 samples check no time at all; their
 * calls are answered the same way for one rule across protocols.
 */
export function verificationResultCode(
	reason: VerificationFailureReason,
	parameter?: string,
): '000001' | '000002' {
	if (parameter !== undefined && SIGNATURE_PARAMETERS.has(parameter)) return '000001';
	switch (reason) {
		case 'missingParameter':
		case 'malformedParameter':
		case 'duplicateParameter':
		case 'staleTimestamp':
			return '000002';
		default:
			return '000001';
	}
}
