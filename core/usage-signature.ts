/**
 * Usage push, new version (docs/protocol/koogallery-openapi-v1.md §A.2.1, docs/protocol/README.md decision 9): the body
 * serialised with its keys sorted, the extra `signature` / `ts` / `nonce` headers, stable
 * `metering_sn` values, record checks and batches of at most 1000 records.
 */
import { randomUUID } from 'node:crypto';
import { formatSdkDate, parseSdkDate } from './aksk/date';
import { hmacSha256Base64, sha256Hex } from './hmac';

/** KooGallery takes at most this many records in one push (spec §A.2.1, `usage_records` max 1000). */
export const MAX_USAGE_RECORDS_PER_PUSH = 1000;

/** How far back `begin_time` may lie (error MKT.9004, spec §A.2.1). */
export const MAX_USAGE_AGE_MS = 21 * 24 * 3600_000;

/** One usage record (UsagePushData) as KooGallery reads it. */
export interface UsageRecord {
	/** The pay-per-use instance ID, at most 64 characters. */
	instance_id: string;
	/** UTC `yyyyMMdd'T'HHmmss'Z'`. */
	record_time: string;
	begin_time: string;
	end_time: string;
	/** A positive number with at most 4 decimal places (a number or its decimal text). */
	usage_value: number | string;
	/** The seller's unique ID for the record, at most 64 characters; see `deriveMeteringSn`. */
	metering_sn?: string;
	/** For stop-before-excess packages: the package instance the usage is deducted from. */
	relate_pkg_instance?: string;
}

/** Formats a date as a usage time: UTC `yyyyMMdd'T'HHmmss'Z'`, for example `20220809T091000Z`. */
export function formatUsageTime(date: Date): string {
	return formatSdkDate(date);
}

/**
 * Serialises a JSON value compactly with the keys of every object sorted ascending (recursively,
 * by UTF-16 code units; arrays keep their order). It follows JSON.stringify otherwise: entries
 * whose value is undefined or a function are left out, `toJSON` is honoured. Keys are written in
 * sorted order even when they look like numbers, which plain objects would reorder.
 */
export function sortedJson(value: unknown): string {
	return serialise(value) ?? 'null';
}

function serialise(value: unknown): string | undefined {
	if (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as { toJSON?: unknown }).toJSON === 'function'
	) {
		value = (value as { toJSON: () => unknown }).toJSON();
	}
	if (Array.isArray(value)) return `[${value.map((item) => serialise(item) ?? 'null').join(',')}]`;
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	const entries: string[] = [];
	for (const key of Object.keys(value).sort()) {
		const text = serialise((value as Record<string, unknown>)[key]);
		if (text !== undefined) entries.push(`${JSON.stringify(key)}:${text}`);
	}
	return `{${entries.join(',')}}`;
}

/**
 * The usage-push body, `{"usage_records":[...]}`, with keys sorted ascending at every level and no
 * whitespace. Send exactly this string, and sign exactly this string (decision 9).
 */
export function usageBody(records: readonly UsageRecord[]): string {
	return sortedJson({ usage_records: records });
}

/**
 * The extra `signature` header of the new usage push:
 * `Base64(HMAC-SHA256(sellerKey, "ts=" + ts + "&nonce=" + nonce + "&body=" + body))`, where the
 * key is the seller's interconnection key (not the AK/SK) and `body` is the exact body sent.
 */
export function usageSignature(
	sellerKey: string,
	body: string,
	ts: string | number,
	nonce: string,
): string {
	return hmacSha256Base64(sellerKey, `ts=${ts}&nonce=${nonce}&body=${body}`);
}

export interface UsagePushHeaders {
	signature: string;
	/** Milliseconds since 1970, as text. */
	ts: string;
	nonce: string;
}

/**
 * The three extra headers of the new usage push for one body: `ts` (now, in milliseconds), a
 * fresh random UUID `nonce`, and their `signature`. `nowMs` and `nonce` can be fixed for tests.
 */
export function usagePushHeaders(
	sellerKey: string,
	body: string,
	options: { nowMs?: number; nonce?: string } = {},
): UsagePushHeaders {
	const ts = String(options.nowMs ?? Date.now());
	const nonce = options.nonce ?? randomUUID();
	return { signature: usageSignature(sellerKey, body, ts, nonce), ts, nonce };
}

/**
 * A stable `metering_sn` for a record that has none: the lowercase hex SHA-256 (64 characters,
 * the field's maximum) of the record's business key, that is `instance_id`, `begin_time`,
 * `end_time` and `relate_pkg_instance`. The same usage period of the same instance always gets
 * the same value, so a retried push is not counted twice; `record_time` and `usage_value` are
 * left out on purpose, as a retry may restamp or recompute them.
 */
export function deriveMeteringSn(
	record: Pick<UsageRecord, 'instance_id' | 'begin_time' | 'end_time' | 'relate_pkg_instance'>,
): string {
	return sha256Hex(
		JSON.stringify([
			'koogallery-usage-v1',
			String(record.instance_id ?? ''),
			String(record.begin_time ?? ''),
			String(record.end_time ?? ''),
			String(record.relate_pkg_instance ?? ''),
		]),
	);
}

/** The record with `metering_sn` filled in by `deriveMeteringSn` when it has none. */
export function withMeteringSn(record: UsageRecord): UsageRecord {
	if (typeof record.metering_sn === 'string' && record.metering_sn !== '') return record;
	return { ...record, metering_sn: deriveMeteringSn(record) };
}

const FIELDS: ReadonlyArray<keyof UsageRecord> = [
	'instance_id',
	'record_time',
	'begin_time',
	'end_time',
	'usage_value',
	'metering_sn',
	'relate_pkg_instance',
];
const USAGE_VALUE = /^\d+(\.\d+)?$/;

export interface ValidateUsageOptions {
	/** When given, also checks that `begin_time` is at most 21 days old and no time is in the future. */
	nowMs?: number;
}

/**
 * Checks one usage record against the field table of spec §A.2.1 and returns a plain-English
 * problem for each invalid field (an empty list when the record is fine). `metering_sn` is
 * required (decision 9): fill it with `withMeteringSn` first when the user gives none.
 */
export function validateUsageRecord(record: unknown, options: ValidateUsageOptions = {}): string[] {
	if (record === null || typeof record !== 'object' || Array.isArray(record)) {
		return [
			'The usage record must be an object with instance_id, record_time, begin_time, end_time, usage_value and metering_sn.',
		];
	}
	const fields = record as Record<string, unknown>;
	const problems: string[] = [];
	checkText(fields, 'instance_id', true, problems);
	checkText(fields, 'metering_sn', true, problems);
	checkText(fields, 'relate_pkg_instance', false, problems);
	checkTimes(fields, options.nowMs, problems);
	checkUsageValue(fields.usage_value, problems);
	for (const name of Object.keys(fields)) {
		if (!(FIELDS as readonly string[]).includes(name)) {
			problems.push(`${name} is not a usage record field (allowed: ${FIELDS.join(', ')}).`);
		}
	}
	return problems;
}

const absent = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A text field of at most 64 characters. */
function checkText(
	fields: Record<string, unknown>,
	name: string,
	mandatory: boolean,
	problems: string[],
): void {
	const value = fields[name];
	if (absent(value)) {
		if (mandatory) problems.push(`${name} is missing.`);
		return;
	}
	if (typeof value !== 'string') problems.push(`${name} must be text.`);
	else if (value.length > 64)
		problems.push(`${name} is ${value.length} characters long; at most 64 are allowed.`);
}

/** The three times: present, readable, in order, and (with `nowMs`) neither too old nor ahead. */
function checkTimes(
	fields: Record<string, unknown>,
	nowMs: number | undefined,
	problems: string[],
): void {
	const times: Partial<Record<'record_time' | 'begin_time' | 'end_time', number>> = {};
	for (const name of ['record_time', 'begin_time', 'end_time'] as const) {
		const value = fields[name];
		if (absent(value)) {
			problems.push(`${name} is missing.`);
			continue;
		}
		const ms = parseSdkDate(value);
		if (ms === undefined) {
			problems.push(
				`${name} ${JSON.stringify(value)} is not a UTC time written yyyyMMdd'T'HHmmss'Z' (for example 20220809T091000Z).`,
			);
		} else {
			times[name] = ms;
		}
	}
	const { begin_time: begin, end_time: end } = times;
	if (begin !== undefined && end !== undefined && begin > end) {
		problems.push('begin_time is after end_time.');
	}
	if (nowMs === undefined) return;
	if (begin !== undefined && nowMs - begin > MAX_USAGE_AGE_MS) {
		problems.push('begin_time is more than 21 days ago; KooGallery refuses older usage.');
	}
	for (const name of ['begin_time', 'end_time', 'record_time'] as const) {
		const ms = times[name];
		if (ms !== undefined && ms > nowMs) problems.push(`${name} is in the future.`);
	}
}

/** `usage_value`: a positive decimal, at most 8 digits before the point, 4 after, 20 characters. */
function checkUsageValue(usage: unknown, problems: string[]): void {
	if (absent(usage)) {
		problems.push('usage_value is missing.');
		return;
	}
	if (typeof usage !== 'number' && typeof usage !== 'string') {
		problems.push('usage_value must be a number.');
		return;
	}
	const written = typeof usage === 'number' ? String(usage) : usage;
	if (typeof usage === 'number' && !Number.isFinite(usage)) {
		problems.push('usage_value must be a finite number.');
	} else if (!USAGE_VALUE.test(written)) {
		problems.push(
			typeof usage === 'number' && usage <= 0
				? 'usage_value must be greater than 0.'
				: `usage_value ${JSON.stringify(usage)} must be a positive decimal number with at most 4 decimal places (for example 99 or 1.2345).`,
		);
	} else {
		const [whole, decimals = ''] = written.split('.');
		if (Number(written) <= 0) problems.push('usage_value must be greater than 0.');
		if (decimals.length > 4)
			problems.push(`usage_value ${written} has more than 4 decimal places.`);
		if (whole.replace(/^0+(?=\d)/, '').length > 8) {
			problems.push(
				`usage_value ${written} is too large; at most 8 digits before the decimal point are allowed.`,
			);
		}
		if (written.length > 20) problems.push(`usage_value ${written} is longer than 20 characters.`);
	}
}

/**
 * Splits records into batches of at most `size` (default 1000, KooGallery's limit), in order.
 * No records give no batches.
 */
export function chunkRecords<T>(
	records: readonly T[],
	size: number = MAX_USAGE_RECORDS_PER_PUSH,
): T[][] {
	if (!Number.isInteger(size) || size < 1)
		throw new RangeError('The batch size must be a whole number of at least 1.');
	const batches: T[][] = [];
	for (let start = 0; start < records.length; start += size)
		batches.push(records.slice(start, start + size));
	return batches;
}
