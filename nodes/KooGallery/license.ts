import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { toUsageTime } from '../../core/usage-input';
import { sortedJson } from '../../core/usage-signature';
import {
	asNodeError,
	callOpenApi,
	failedItemJson,
	openApiError,
	type RetryBudget,
	type RetryPolicy,
} from './transport';

/** The v2 license APIs take at most this many codes per call (docs/protocol/koogallery-openapi-v1.md §A.4.1). */
export const MAX_LICENSE_CODES_PER_CALL = 100;

/** Reads license codes from text (split on commas, semicolons, spaces or new lines) or a list. */
export function readLicenseCodes(value: unknown): string[] {
	const parts = Array.isArray(value)
		? value.map((v) => String(v ?? ''))
		: String(value ?? '').split(/[\s,;]+/);
	return parts.map((code) => code.trim()).filter((code) => code !== '');
}

/**
 * `real_effect_time` as KooGallery wants it: UTC `yyyyMMddHHmmss`. Takes that form as it is, or
 * any time `toUsageTime` reads (ISO 8601 with a zone, epoch milliseconds, a Date).
 */
export function toLicenseTime(value: unknown): string {
	if (typeof value === 'string' && /^\d{14}$/.test(value.trim())) return value.trim();
	const time = toUsageTime(value);
	if (!time.ok) throw new Error(`The real effect time ${time.message}.`);
	return time.text.replace('T', '').replace('Z', '');
}

/** Replaces fields whose name ends in `info` and that hold JSON text (like `license_code_info`) by the parsed value. */
export function decodeInfoFields(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(decodeInfoFields);
	if (value === null || typeof value !== 'object') return value;
	const out: IDataObject = {};
	for (const [key, field] of Object.entries(value as IDataObject)) {
		if (typeof field === 'string' && /info$/i.test(key) && /^\s*[[{]/.test(field)) {
			try {
				out[key] = JSON.parse(field);
				continue;
			} catch {
				// Not JSON after all: keep the text.
			}
		}
		out[key] = decodeInfoFields(field) as IDataObject;
	}
	return out;
}

/**
 * License Code > Activate and License Code > Query (heartbeat), v1 (one code) or v2 (up to 100
 * codes a call), one call per input item. The v2 request and answer shapes are not fully
 * documented (spec §A.4): v2 sends `license_list`, and the answer's `data` is passed on as it comes.
 */
export async function licenseCodes(
	this: IExecuteFunctions,
	operation: 'activate' | 'query',
	policy: RetryPolicy,
	budget: RetryBudget,
	timeoutMs: number,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const version = this.getNodeParameter('apiVersion', i, 'v1') as 'v1' | 'v2';
			const codes = readLicenseCodes(this.getNodeParameter('licenseCodes', i, ''));
			const fail = (message: string) =>
				new NodeOperationError(this.getNode(), message, { itemIndex: i });
			if (codes.length === 0) throw fail('Give at least one license code.');
			if (version === 'v1' && codes.length > 1)
				throw fail(
					`The v1 API takes one license code per call; ${codes.length} were given. Use v2 for several codes.`,
				);
			if (codes.length > MAX_LICENSE_CODES_PER_CALL)
				throw fail(
					`At most ${MAX_LICENSE_CODES_PER_CALL} license codes per call; ${codes.length} were given.`,
				);
			const long = codes.find((code) => code.length > 64);
			if (long)
				throw fail(`The license code "${long.slice(0, 20)}..." is longer than 64 characters.`);

			const body: IDataObject = version === 'v1' ? { license: codes[0] } : { license_list: codes };
			if (operation === 'activate') {
				const effect = this.getNodeParameter('realEffectTime', i, '') as unknown;
				if (effect !== '' && effect !== undefined && effect !== null) {
					try {
						body.real_effect_time = toLicenseTime(effect);
					} catch (error) {
						throw fail((error as Error).message);
					}
				}
			} else if (version === 'v1') {
				const account = String(this.getNodeParameter('thirdPartyAccount', i, '') ?? '').trim();
				const ip = String(this.getNodeParameter('ip', i, '') ?? '').trim();
				if (account)
					body.heartbeatInfo = ip
						? { thirdPartyAccount: account, ip }
						: { thirdPartyAccount: account };
			}
			const path =
				operation === 'activate'
					? version === 'v1'
						? OPEN_API_PATHS.licenseActivateV1
						: OPEN_API_PATHS.licenseActivateV2
					: version === 'v1'
						? OPEN_API_PATHS.licenseHeartbeatV1
						: OPEN_API_PATHS.licenseHeartbeatV2;
			const outcome = await callOpenApi(
				this,
				{ method: 'POST', path, body: sortedJson(body), timeoutMs },
				policy,
				budget,
			);
			if (outcome.verdict !== 'ok') throw openApiError(this, outcome, i);
			const answer = (outcome.body ?? {}) as IDataObject;
			const json: IDataObject = version === 'v1' ? { license: codes[0] } : { licenses: codes };
			json.errorCode = (answer.error_code as string) ?? null;
			json.errorMsg = (answer.error_msg as string) ?? null;
			json.data = (decodeInfoFields(answer.data ?? null) as IDataObject) ?? null;
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: failedItemJson(this, nodeError), pairedItem: { item: i } });
		}
	}
	return out;
}
