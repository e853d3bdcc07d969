/**
 * What the KooGallery Trigger does with a call, decided without n8n: refuse it (with the signed
 * answer), acknowledge it (a notification for a scenario the seller did not pick) or run the
 * workflow (with the item to start it). Given the protocol, the request as received, the seller's
 * keys, the nonce store and the clock; the trigger only reads the request, asks here and writes
 * the answer or starts the run (the pattern of octokit's `verifyAndReceive`).
 * docs/protocol/README.md decisions 4, 5 and 14.
 */
import { answerKey, callKeys, keyFamilyLabel, type SellerKeyRing } from './answer-key';
import { signedJsonResponse } from './body-sign';
import { resultBody, verificationResultCode, type ResultCode } from './result-codes';
import { callItem, callVerification, type KooGalleryCallBlock } from './trigger-call';
import {
	OTHER_CALL,
	protocols,
	type Fields,
	type IncomingCall,
	type ParsedCall,
	type ProtocolName,
	type ScenarioInfo,
} from './trigger-protocols';
import type { NonceStore, VerificationResult } from './verification';

/** An HTTP answer, written exactly as given. */
export interface WebhookAnswer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** The call as received: the request's parts and where it came from (for the log only). */
export interface ReceivedCall extends IncomingCall {
	ip?: string;
}

export interface ReceiveSettings {
	protocol: ProtocolName;
	/** The scenarios the seller picked, one output each. */
	enabled: readonly string[];
	/** Answer "success" at once to calls that only inform. */
	acknowledgeNotifications: boolean;
	toleranceMs: number;
	authTokenToleranceMs: number;
	keys: SellerKeyRing;
	nonceStore: NonceStore;
	nowMs: number;
	/** Named in the operator's log lines. */
	nodeName: string;
	credentialName: string;
}

export type ReceiveDecision =
	| {
			action: 'refuse';
			resultCode: ResultCode;
			answer: WebhookAnswer;
			log: string;
			/**
			 * Refused for the keys the credential holds (none, or none that verifies the call):
			 * another reading of the credential may decide otherwise. Not set once a key verified
			 * the call (its nonce is then remembered, and deciding again would see a replay).
			 */
			credentialMismatch?: true;
	  }
	| { action: 'acknowledge'; answer: WebhookAnswer; log: string }
	| {
			action: 'run';
			/** The output of the scenario, among `outputCount`. */
			outputIndex: number;
			outputCount: number;
			item: Fields;
			/** Set when the call is answered at once, before the run (Answer Notifications Immediately). */
			answer?: WebhookAnswer;
	  };

/** A result-code answer, signed with the key when there is one (docs/protocol/README.md decision 4). */
export function resultAnswer(key: string | undefined, value: Fields): WebhookAnswer {
	const response = key
		? signedJsonResponse(key, value)
		: {
				body: JSON.stringify(value),
				headers: { 'content-type': 'application/json;charset=UTF-8' },
			};
	return { status: 200, headers: response.headers, body: response.body };
}

/**
 * The answer when the call cannot be taken now (busy, or the credential unreadable): not
 * KooGallery's fault, so an error without a result code, as for a failed workflow step, and
 * KooGallery calls again later instead of taking the answer as final.
 */
export const KOOGALLERY_BUSY_ANSWER: WebhookAnswer = {
	status: 503,
	headers: { 'content-type': 'application/json;charset=UTF-8' },
	body: JSON.stringify({ error: 'The seller service is busy. Please try again later.' }),
};

const refusal = (
	key: string | undefined,
	code: ResultCode,
	message: string,
	operatorMessage: string,
	credentialMismatch = false,
): ReceiveDecision => ({
	action: 'refuse',
	resultCode: code,
	answer: resultAnswer(key, resultBody(code, message)),
	log: `KooGallery call refused (${code}): ${operatorMessage}`,
	...(credentialMismatch && { credentialMismatch }),
});

/** Decides what to do with one KooGallery call. Never throws. */
export function receiveKooGalleryCall(
	call: ReceivedCall,
	settings: ReceiveSettings,
): ReceiveDecision {
	const keys = callKeys(settings.protocol, settings.keys);
	if (keys.length === 0) {
		return refusal(
			undefined,
			'000001',
			'Authentication failed.',
			`no ${keyFamilyLabel(settings.protocol)} is set in the "${settings.credentialName}" credential of node "${settings.nodeName}", so no call can be checked`,
			true,
		);
	}
	const verification = verifyCall(call, keys, settings);
	if (!verification.ok) return verification.refusal;
	// The answer is signed with the key that verified the call (answerKey with its keyIndex).
	const signingKey = verification.result.key;
	const read = parseCall(call, settings, signingKey);
	if (!read.ok) return read.refusal;
	return route(read.parsed, verification.result, signingKey, settings);
}

type Verified = Extract<VerificationResult, { ok: true }>;

/** Checks the signature, the time and the nonce; a refusal is signed with the current key. */
function verifyCall(
	call: ReceivedCall,
	keys: readonly string[],
	settings: ReceiveSettings,
): { ok: true; result: Verified } | { ok: false; refusal: ReceiveDecision } {
	const currentKey = answerKey(settings.protocol, settings.keys);
	// The core never throws on bad input; should it ever, the call is refused, not let through
	// and not left to n8n's unsigned error page.
	let result: VerificationResult;
	try {
		result = protocols[settings.protocol].verify(call, {
			keys,
			toleranceMs: settings.toleranceMs,
			authTokenToleranceMs: settings.authTokenToleranceMs,
			nonceStore: settings.nonceStore,
			nowMs: settings.nowMs,
		});
	} catch (error) {
		const why = `the call could not be checked (${(error as Error).name})`;
		return { ok: false, refusal: refusal(currentKey, '000001', 'Authentication failed.', why) };
	}
	if (result.ok) return { ok: true, result };
	const code = verificationResultCode(result.reason, result.parameter);
	// Parameter problems are safe to explain; signature details are not.
	const message = code === '000002' ? result.message : 'Authentication failed.';
	const why = `${result.message} (from ${call.ip ?? 'unknown address'})`;
	const mismatch = result.reason === 'badSignature' || result.reason === 'noKey';
	return { ok: false, refusal: refusal(currentKey, code, message, why, mismatch) };
}

/** Reads the verified call's fields; a call that cannot be read is refused 000002. */
function parseCall(
	call: ReceivedCall,
	settings: ReceiveSettings,
	signingKey: string,
):
	| { ok: true; parsed: Extract<ParsedCall, { ok: true }> }
	| { ok: false; refusal: ReceiveDecision } {
	let parsed: ParsedCall;
	try {
		parsed = protocols[settings.protocol].parse(call);
	} catch (error) {
		const why = `the call could not be read (${(error as Error).name})`;
		const message = 'The request could not be read.';
		return { ok: false, refusal: refusal(signingKey, '000002', message, why) };
	}
	if (parsed.ok) return { ok: true, parsed };
	return {
		ok: false,
		refusal: refusal(signingKey, parsed.resultCode, parsed.message, parsed.message),
	};
}

/** Sends a verified, read call to its scenario's output, or answers it for the seller. */
function route(
	parsed: Extract<ParsedCall, { ok: true }>,
	verified: Verified,
	signingKey: string,
	settings: ReceiveSettings,
): ReceiveDecision {
	const protocol = protocols[settings.protocol];
	// A scenario this pack does not know goes to the "Other Call" output, never refused as invalid.
	const scenario =
		protocol.scenarios.find((s) => s.activity === parsed.activity) ??
		protocol.scenarios.find((s) => s.activity === OTHER_CALL.activity);
	if (scenario === undefined) {
		const message = `Unknown activity ${parsed.activity}.`;
		return refusal(signingKey, '000002', message, `unknown activity ${parsed.activity}`);
	}
	const outputs = protocol.scenarios.filter((s) => settings.enabled.includes(s.activity));
	const outputIndex = outputs.findIndex((s) => s.activity === scenario.activity);
	if (outputIndex === -1) return notHandled(parsed.activity, scenario, signingKey, settings);
	const answeredNow = settings.acknowledgeNotifications && !scenario.needsAnswer;
	const block: KooGalleryCallBlock = {
		protocol: settings.protocol,
		scenario: parsed.activity,
		scenarioName: scenario.label,
		testFlag: parsed.testFlag,
		unknownValues: parsed.unknownValues,
		...parsed.extra,
		verification: callVerification(verified.keyIndex, verified.form, verified.skewMs),
		receivedAt: new Date(settings.nowMs).toISOString(),
		answered: answeredNow,
	};
	return {
		action: 'run',
		outputIndex,
		outputCount: outputs.length,
		item: callItem(parsed.data, block),
		...(answeredNow ? { answer: resultAnswer(signingKey, resultBody('000000', 'success')) } : {}),
	};
}

/** A scenario the seller did not pick: refused when KooGallery needs an answer, else acknowledged. */
function notHandled(
	activity: string,
	scenario: ScenarioInfo,
	signingKey: string,
	settings: ReceiveSettings,
): ReceiveDecision {
	if (scenario.needsAnswer) {
		const other =
			scenario === OTHER_CALL
				? ' and will call again. This version of the pack does not know that scenario: turn on "Other Call" to receive it'
				: '';
		return refusal(
			signingKey,
			'000005',
			`This seller does not handle ${activity} yet.`,
			`"${scenario.label}" (${activity}) is not among the scenarios handled by node "${settings.nodeName}"; KooGallery was told it is not supported${other}`,
		);
	}
	return {
		action: 'acknowledge',
		answer: resultAnswer(signingKey, resultBody('000000', 'success')),
		log: `KooGallery ${scenario.activity} acknowledged without running the workflow: the scenario is not among those handled by node "${settings.nodeName}"`,
	};
}
