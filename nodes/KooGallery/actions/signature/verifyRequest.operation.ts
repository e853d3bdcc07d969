import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	capturedNonce,
	capturedTimestampMs,
	CaptureReadError,
	explainVerdict,
	verdictOfReason,
	verifyCapturedRequest,
	type CapturedProtocol,
	type CapturedRequest,
} from '../../../../core/captured-request';
import { MemoryNonceStore, type VerificationResult } from '../../../../core/verification';
import type { SellerKeys } from '../../../shared/sellerKey';
import { itemByItem, itemError, loadSellerKeys } from '../../helpers';
import { wholeNumber } from '../../transport';
import { showFor } from '../types';
import { callKeys, keyFamily } from '../../../../core/answer-key';

/** What Verify Request says about replays, since it keeps no nonces between runs. */
export const REPLAY_CHECK_NOTE =
	'Compared only with the other items of this run. n8n keeps no list of nonces between runs (the KooGallery Trigger remembers them in memory for twice its time window), so look this nonce up in your logs or earlier executions to know whether the call was sent twice.';

/** Signature > Verify Request. */
export const description: INodeProperties[] = [
	{
		displayName: 'Request Type',
		name: 'captureProtocol',
		type: 'options',
		default: 'saasV2',
		displayOptions: showFor('signature', ['verifyRequest']),
		options: [
			{
				name: 'SaaS V2.0 or License Code (URL Parameters + Body)',
				value: 'saasV2',
				description:
					'Signed with signature, timestamp and nonce in the URL; checked with the seller key',
			},
			{
				name: 'Joint-Operation Kit Sync (Headers + Body)',
				value: 'kit',
				description:
					'Signed with the x-sign, x-timestamp and x-nonce headers; checked with the kit key',
			},
			{
				name: 'SaaS V1.0 or getLicense (authToken Parameters)',
				value: 'saasV1',
				description: 'Signed with authToken over the URL parameters; checked with the seller key',
			},
		],
	},
	{
		displayName: 'Request URL or Parameters',
		name: 'capturedParameters',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://isv.example.com/produce?signature=...&timestamp=...&nonce=...',
		displayOptions: showFor('signature', ['verifyRequest'], {
			captureProtocol: ['saasV2', 'saasV1'],
		}),
		description:
			'The whole request URL, its query string, or the parameters as JSON (for example the query field of a Webhook node). For V1.0 prefer the raw URL: its signature is over the decoded values, and a raw URL is decoded exactly as KooGallery expects.',
	},
	{
		displayName: 'Headers',
		name: 'capturedHeaders',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'x-sign: 11C4CD...\nx-timestamp: 1680508066618\nx-nonce: 50D83F...',
		displayOptions: showFor('signature', ['verifyRequest'], { captureProtocol: ['kit'] }),
		description:
			'The request headers: one "name: value" per line as a browser or proxy shows them, or a JSON object (for example the headers field of a Webhook node)',
	},
	{
		displayName: 'Body',
		name: 'capturedBody',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		displayOptions: showFor('signature', ['verifyRequest'], { captureProtocol: ['saasV2', 'kit'] }),
		description:
			"The request body exactly as received. An object from an expression is written as compact JSON; if KooGallery's bytes differed, the sorted reading Huawei's sample signs may still match.",
	},
	{
		displayName: 'Check Time',
		name: 'checkTime',
		type: 'boolean',
		default: true,
		displayOptions: showFor('signature', ['verifyRequest']),
		description:
			'Whether to refuse a request signed too long ago, as the trigger does. Turn off to check only the signature of an old capture.',
	},
	{
		displayName: 'Time Tolerance (Seconds)',
		name: 'toleranceSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 1, maxValue: 86_400 },
		displayOptions: showFor('signature', ['verifyRequest'], { checkTime: [true] }),
		description: 'How far the request time may be from now, either way. KooGallery asks for 60.',
	},
];

const KEY_NAMES = {
	basic: ['seller key', 'previous seller key'],
	kit: ['joint-operation kit key'],
};

const BODY_READINGS: Record<string, string> = {
	raw: 'exact bytes',
	canonical: 'sorted keys, nulls dropped (as the Huawei sample signs)',
	decoded: 'decoded parameters',
};

/** What one run checks with: the keys, the nonces seen in this run, and the time. */
interface Check {
	keys: SellerKeys;
	nonces: MemoryNonceStore;
	nowMs: number;
}

/** The captured request of item `i`, as its parameters describe it. */
function readCapture(ctx: IExecuteFunctions, i: number, protocol: string): CapturedRequest {
	const capture: CapturedRequest = { protocol: protocol as CapturedProtocol };
	if (protocol === 'kit') capture.headers = ctx.getNodeParameter('capturedHeaders', i, '');
	else capture.parameters = ctx.getNodeParameter('capturedParameters', i, '');
	if (protocol !== 'saasV1') capture.body = ctx.getNodeParameter('capturedBody', i, '');
	return capture;
}

/** Verifies a capture with the trigger's own verifiers; a capture that cannot be read is an error. */
function verifyCapture(
	ctx: IExecuteFunctions,
	i: number,
	capture: CapturedRequest,
	options: Parameters<typeof verifyCapturedRequest>[1],
): VerificationResult {
	let result: VerificationResult | undefined;
	let readProblem: string | undefined;
	try {
		result = verifyCapturedRequest(capture, options);
	} catch (error) {
		if (!(error instanceof CaptureReadError))
			readProblem = 'The captured request could not be read.';
		else readProblem = error.message;
	}
	if (!result) throw itemError(ctx, i, readProblem ?? 'The captured request could not be read.');
	return result;
}

/** The output item: genuine or not, why, which key and reading matched, when it was signed. */
function verdictJson(
	capture: CapturedRequest,
	result: VerificationResult,
	family: keyof SellerKeys,
	check: Check,
	checkTime: boolean,
): IDataObject {
	const signedAtMs = capturedTimestampMs(capture);
	const json: IDataObject = {
		genuine: result.ok,
		verdict: result.ok ? 'genuine' : verdictOfReason(result.reason),
		explanation: explainVerdict(result, {
			keyName: result.ok ? KEY_NAMES[family][result.keyIndex] : undefined,
			timeChecked: checkTime,
		}),
		requestType: capture.protocol,
	};
	if (result.ok) {
		json.signedWith = KEY_NAMES[family][result.keyIndex];
		json.bodyReading = BODY_READINGS[result.form] ?? result.form;
	} else if (result.parameter) {
		json.problemWith = result.parameter;
	}
	json.signedAt = signedAtMs === undefined ? null : new Date(signedAtMs).toISOString();
	json.ageSeconds = signedAtMs === undefined ? null : Math.round((check.nowMs - signedAtMs) / 1000);
	json.timeChecked = checkTime;
	json.nonce = capturedNonce(capture) ?? null;
	json.replayCheck = REPLAY_CHECK_NOTE;
	if (!result.ok && result.reason === 'badSignature') {
		const hint = otherKeyHint(capture, family, check.keys);
		if (hint) json.hint = hint;
	}
	return json;
}

/** Checks the captured request of item `i`. */
function verifyItem(ctx: IExecuteFunctions, i: number, check: Check): IDataObject {
	const protocol = String(ctx.getNodeParameter('captureProtocol', i, 'saasV2'));
	if (protocol !== 'saasV2' && protocol !== 'kit' && protocol !== 'saasV1')
		throw itemError(ctx, i, `Unknown request type "${protocol.slice(0, 20)}".`);
	const checkTime = ctx.getNodeParameter('checkTime', i, true) !== false;
	const toleranceMs =
		wholeNumber(ctx.getNodeParameter('toleranceSeconds', i, 60), 60, 1, 86_400) * 1000;
	const capture = readCapture(ctx, i, protocol);
	const family = keyFamily(protocol);
	const familyKeys = callKeys(protocol, check.keys);
	if (familyKeys.length === 0)
		throw itemError(
			ctx,
			i,
			family === 'kit'
				? 'The KooGallery Seller Key credential has no joint-operation kit key, so a kit request cannot be checked.'
				: 'The KooGallery Seller Key credential has no key.',
		);
	const result = verifyCapture(ctx, i, capture, {
		keys: familyKeys,
		checkTime,
		toleranceMs,
		nowMs: check.nowMs,
		nonceStore: check.nonces,
	});
	return verdictJson(capture, result, family, check, checkTime);
}

/**
 * Signature > Verify Request: checks each captured request with the trigger's own verifiers and
 * says whether it is genuine and, if not, why: stale, replayed (the same nonce earlier in this
 * run), tampered or signed with another key, or malformed. Keys come from the credential; the
 * expected signature is never shown.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const check: Check = {
		keys: await loadSellerKeys(this),
		nonces: new MemoryNonceStore(),
		nowMs: Date.now(),
	};
	return [await itemByItem(this, (i) => verifyItem(this, i, check))];
}

/**
 * When a request fails with its own key family, whether it verifies with the other family (the
 * kit key for a basic request, the seller key for a kit request): then the keys are bound the
 * other way round in the seller console or swapped in the credential.
 */
function otherKeyHint(
	capture: CapturedRequest,
	family: 'basic' | 'kit',
	keys: SellerKeys,
): string | undefined {
	const other = family === 'kit' ? keys.basic : keys.kit;
	if (other.length === 0) return undefined;
	const retry = verifyCapturedRequest(capture, { keys: other, checkTime: false });
	if (!retry.ok) return undefined;
	return family === 'kit'
		? 'This kit request verifies with your seller key instead of the kit key: in the seller console (密钥管理) the kit sync interfaces are bound to that key, or the two keys are swapped in the credential.'
		: 'This request verifies with your joint-operation kit key instead of the seller key: in the seller console (密钥管理) the basic interfaces are bound to that key, or the two keys are swapped in the credential.';
}
