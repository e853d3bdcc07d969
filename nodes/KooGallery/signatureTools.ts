import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { bodySignHeader, toKooGalleryJson } from '../../core/body-sign';
import {
	capturedNonce,
	capturedTimestampMs,
	CaptureReadError,
	explainVerdict,
	verdictOfReason,
	verifyCapturedRequest,
	type CapturedProtocol,
	type CapturedRequest,
} from '../../core/captured-request';
import { MemoryNonceStore, type VerificationResult } from '../../core/verification';
import { itemByItem, loadSellerKeys } from './cryptoTools';
import { wholeNumber } from './transport';

/** What Verify Request says about replays, since it keeps no nonces between runs. */
export const REPLAY_CHECK_NOTE =
	'Compared only with the other items of this run. n8n keeps no list of nonces between runs (the KooGallery Trigger remembers them in memory for twice its time window), so look this nonce up in your logs or earlier executions to know whether the call was sent twice.';

const CONTENT_TYPE = 'application/json;charset=UTF-8';

/**
 * Signature > Sign Body: the `Body-Sign` header (docs/protocol/koogallery-saas-v2.md §3) over the exact body
 * text, with the body to send. Text is signed as given; an object is written as KooGallery JSON.
 */
export async function signBodies(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const keys = await loadSellerKeys(this);
	return itemByItem(this, (i) => {
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex: i });
		const given = this.getNodeParameter('bodyToSign', i, '') as unknown;
		const which = String(this.getNodeParameter('signingKey', i, 'current'));
		let body: string;
		if (typeof given === 'string') {
			if (given.trim() === '') throw fail('The body to sign is empty.');
			let json = true;
			try {
				JSON.parse(given);
			} catch {
				json = false;
			}
			if (!json)
				throw fail(
					'The body is not valid JSON. KooGallery reads resultCode from a JSON answer, so sign the exact JSON text you will send.',
				);
			body = given;
		} else if (typeof given === 'object' && given !== null) {
			body = toKooGalleryJson(given);
		} else {
			throw fail('The body to sign must be JSON text or an object.');
		}
		const key =
			which === 'kit' ? keys.kit[0] : which === 'previous' ? keys.basic[1] : keys.basic[0];
		if (!key) {
			const name =
				which === 'kit' ? 'joint-operation kit key' : which === 'previous' ? 'previous key' : 'key';
			throw fail(`The KooGallery Seller Key credential has no ${name}.`);
		}
		const header = bodySignHeader(key, body);
		return {
			body,
			bodySign: header,
			headers: { 'Content-Type': CONTENT_TYPE, 'Body-Sign': header },
		};
	});
}

const KEY_NAMES = {
	basic: ['seller key', 'previous seller key'],
	kit: ['joint-operation kit key'],
};

const BODY_READINGS: Record<string, string> = {
	raw: 'exact bytes',
	canonical: 'sorted keys, nulls dropped (as the Huawei sample signs)',
	decoded: 'decoded parameters',
};

/**
 * Signature > Verify Request: checks each captured request with the trigger's own verifiers and
 * says whether it is genuine and, if not, why: stale, replayed (the same nonce earlier in this
 * run), tampered or signed with another key, or malformed. Keys come from the credential; the
 * expected signature is never shown.
 */
export async function verifyRequests(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const keys = await loadSellerKeys(this);
	const nonces = new MemoryNonceStore();
	const nowMs = Date.now();
	return itemByItem(this, (i) => {
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex: i });
		const protocol = String(this.getNodeParameter('captureProtocol', i, 'saasV2'));
		if (protocol !== 'saasV2' && protocol !== 'kit' && protocol !== 'saasV1')
			throw fail(`Unknown request type "${protocol.slice(0, 20)}".`);
		const checkTime = this.getNodeParameter('checkTime', i, true) !== false;
		const toleranceMs =
			wholeNumber(this.getNodeParameter('toleranceSeconds', i, 60), 60, 1, 86_400) * 1000;
		const capture: CapturedRequest = { protocol: protocol as CapturedProtocol };
		if (protocol === 'kit') capture.headers = this.getNodeParameter('capturedHeaders', i, '');
		else capture.parameters = this.getNodeParameter('capturedParameters', i, '');
		if (protocol !== 'saasV1') capture.body = this.getNodeParameter('capturedBody', i, '');

		const family = protocol === 'kit' ? 'kit' : 'basic';
		const familyKeys = keys[family];
		if (familyKeys.length === 0)
			throw fail(
				family === 'kit'
					? 'The KooGallery Seller Key credential has no joint-operation kit key, so a kit request cannot be checked.'
					: 'The KooGallery Seller Key credential has no key.',
			);
		let result: VerificationResult | undefined;
		let readProblem: string | undefined;
		try {
			result = verifyCapturedRequest(capture, {
				keys: familyKeys,
				checkTime,
				toleranceMs,
				nowMs,
				nonceStore: nonces,
			});
		} catch (error) {
			if (!(error instanceof CaptureReadError))
				readProblem = 'The captured request could not be read.';
			else readProblem = error.message;
		}
		if (!result) throw fail(readProblem ?? 'The captured request could not be read.');

		const signedAtMs = capturedTimestampMs(capture);
		const json: IDataObject = {
			genuine: result.ok,
			verdict: result.ok ? 'genuine' : verdictOfReason(result.reason),
			explanation: explainVerdict(result, {
				keyName: result.ok ? KEY_NAMES[family][result.keyIndex] : undefined,
				timeChecked: checkTime,
			}),
			requestType: protocol,
		};
		if (result.ok) {
			json.signedWith = KEY_NAMES[family][result.keyIndex];
			json.bodyReading = BODY_READINGS[result.form] ?? result.form;
		} else if (result.parameter) {
			json.problemWith = result.parameter;
		}
		json.signedAt = signedAtMs === undefined ? null : new Date(signedAtMs).toISOString();
		json.ageSeconds = signedAtMs === undefined ? null : Math.round((nowMs - signedAtMs) / 1000);
		json.timeChecked = checkTime;
		json.nonce = capturedNonce(capture) ?? null;
		json.replayCheck = REPLAY_CHECK_NOTE;
		if (!result.ok && result.reason === 'badSignature') {
			const hint = otherKeyHint(capture, family, keys);
			if (hint) json.hint = hint;
		}
		return json;
	});
}

/**
 * When a request fails with its own key family, whether it verifies with the other family (the
 * kit key for a basic request, the seller key for a kit request): then the keys are bound the
 * other way round in the seller console or swapped in the credential.
 */
function otherKeyHint(
	capture: CapturedRequest,
	family: 'basic' | 'kit',
	keys: { basic: string[]; kit: string[] },
): string | undefined {
	const other = family === 'kit' ? keys.basic : keys.kit;
	if (other.length === 0) return undefined;
	const retry = verifyCapturedRequest(capture, { keys: other, checkTime: false });
	if (!retry.ok) return undefined;
	return family === 'kit'
		? 'This kit request verifies with your seller key instead of the kit key: in the seller console (密钥管理) the kit sync interfaces are bound to that key, or the two keys are swapped in the credential.'
		: 'This request verifies with your joint-operation kit key instead of the seller key: in the seller console (密钥管理) the basic interfaces are bound to that key, or the two keys are swapped in the credential.';
}
