import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OpenApiEndpoint } from '../../../../core/openapi-endpoints';
import { toUsageTime } from '../../../../core/usage-input';
import { sortedJson } from '../../../../core/usage-signature';
import { itemByItem, itemError } from '../../helpers';
import { callEndpoint, callSettings, openApiError, type CallSettings } from '../../transport';

/** The v2 license APIs take at most this many codes per call (docs/protocol/koogallery-openapi-v1.md §A.4.1). */
export const MAX_LICENSE_CODES_PER_CALL = 100;

export type LicenseApiVersion = 'v1' | 'v2';

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

/** The license codes of item `i`, checked against what the API version takes. */
function readCodes(ctx: IExecuteFunctions, i: number, version: LicenseApiVersion): string[] {
	const codes = readLicenseCodes(ctx.getNodeParameter('licenseCodes', i, ''));
	if (codes.length === 0) throw itemError(ctx, i, 'Give at least one license code.');
	if (version === 'v1' && codes.length > 1)
		throw itemError(
			ctx,
			i,
			`The v1 API takes one license code per call; ${codes.length} were given. Use v2 for several codes.`,
		);
	if (codes.length > MAX_LICENSE_CODES_PER_CALL)
		throw itemError(
			ctx,
			i,
			`At most ${MAX_LICENSE_CODES_PER_CALL} license codes per call; ${codes.length} were given.`,
		);
	const long = codes.find((code) => code.length > 64);
	if (long)
		throw itemError(
			ctx,
			i,
			`The license code "${long.slice(0, 20)}..." is longer than 64 characters.`,
		);
	return codes;
}

/** What differs between the two License Code operations: their APIs and their own body fields. */
export interface LicenseApi {
	endpoints: Record<LicenseApiVersion, OpenApiEndpoint>;
	/** Adds the operation's own fields of item `i` to the request body. */
	addFields(ctx: IExecuteFunctions, i: number, version: LicenseApiVersion, body: IDataObject): void;
}

/** One license call for item `i`, and its answer as the output item. */
async function licenseItem(
	ctx: IExecuteFunctions,
	i: number,
	api: LicenseApi,
	settings: CallSettings,
): Promise<IDataObject> {
	const version = ctx.getNodeParameter('apiVersion', i, 'v1') as LicenseApiVersion;
	const codes = readCodes(ctx, i, version);
	const body: IDataObject = version === 'v1' ? { license: codes[0] } : { license_list: codes };
	api.addFields(ctx, i, version, body);
	const outcome = await callEndpoint(
		ctx,
		api.endpoints[version],
		{ body: sortedJson(body) },
		settings,
	);
	if (outcome.verdict !== 'ok') throw openApiError(ctx, outcome, i);
	const answer = (outcome.body ?? {}) as IDataObject;
	const json: IDataObject = version === 'v1' ? { license: codes[0] } : { licenses: codes };
	json.errorCode = (answer.error_code as string) ?? null;
	json.errorMsg = (answer.error_msg as string) ?? null;
	json.data = (decodeInfoFields(answer.data ?? null) as IDataObject) ?? null;
	return json;
}

/**
 * License Code > Activate and License Code > Query (heartbeat), v1 (one code) or v2 (up to 100
 * codes a call), one call per input item. The v2 request and answer shapes are not fully
 * documented (spec §A.4): v2 sends `license_list`, and the answer's `data` is passed on as it comes.
 */
export async function licenseCall(
	ctx: IExecuteFunctions,
	api: LicenseApi,
): Promise<INodeExecutionData[][]> {
	const settings = callSettings(ctx);
	return [await itemByItem(ctx, async (i) => await licenseItem(ctx, i, api, settings))];
}
