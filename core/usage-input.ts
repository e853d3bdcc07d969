/**
 * From what a workflow hands the action node to a usage record KooGallery accepts (spec
 * docs/protocol/koogallery-openapi-v1.md §A.2, docs/protocol/README.md decision 9): field names in snake_case or camelCase,
 * times as Dates, ISO 8601 text, epoch milliseconds or already in `yyyyMMdd'T'HHmmss'Z'`, a
 * derived `metering_sn` when none is given, and every problem reported with the field it is about.
 * The record checks themselves are core/usage-signature's `validateUsageRecord`.
 */
import { parseSdkDate } from './aksk/date';
import {
	formatUsageTime,
	validateUsageRecord,
	withMeteringSn,
	type UsageRecord,
} from './usage-signature';

/** Which usage API a record is for: the new one (with `metering_sn`) or the old one (with `product_id`). */
export type UsageApi = 'new' | 'old';

/** One usage record as given, before checks. */
export interface UsageInput {
	instanceId?: unknown;
	beginTime?: unknown;
	endTime?: unknown;
	usageValue?: unknown;
	recordTime?: unknown;
	meteringSn?: unknown;
	relatePkgInstance?: unknown;
	productId?: unknown;
}

/** Accepted spellings of each input field, KooGallery's own name first. */
const USAGE_INPUT_ALIASES: Readonly<Record<keyof UsageInput, readonly string[]>> = {
	instanceId: ['instance_id', 'instanceId'],
	beginTime: ['begin_time', 'beginTime'],
	endTime: ['end_time', 'endTime'],
	usageValue: ['usage_value', 'usageValue'],
	recordTime: ['record_time', 'recordTime'],
	meteringSn: ['metering_sn', 'meteringSn'],
	relatePkgInstance: ['relate_pkg_instance', 'relatePkgInstance'],
	productId: ['product_id', 'productId'],
};

/** Picks the usage fields out of an input item's JSON (other fields are ignored). */
export function readUsageInput(json: Record<string, unknown>): UsageInput {
	const input: UsageInput = {};
	for (const [field, names] of Object.entries(USAGE_INPUT_ALIASES) as Array<
		[keyof UsageInput, readonly string[]]
	>) {
		const name = names.find((n) => json[n] !== undefined && json[n] !== null && json[n] !== '');
		if (name !== undefined) input[field] = json[name];
	}
	return input;
}

/** A problem with one field of one record. */
export interface UsageProblem {
	/** KooGallery's field name (`instance_id`, `usage_value`...), or `record` for the record as a whole. */
	field: string;
	message: string;
}

const ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a time into KooGallery's usage form, UTC `yyyyMMdd'T'HHmmss'Z'` (seconds; milliseconds
 * are dropped). Takes a Date, an object with `toJSDate()` (the Luxon DateTime n8n expressions
 * give), epoch milliseconds, text already in the usage form, or ISO 8601 text with a time zone
 * (`Z` or an offset) or a plain date (`2024-03-01`, taken as UTC midnight). A time of day without
 * a zone is refused: it would be read in the server's zone, and KooGallery wants UTC.
 */
export function toUsageTime(
	value: unknown,
): { ok: true; text: string } | { ok: false; message: string } {
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (
		value &&
		typeof value === 'object' &&
		typeof (value as { toJSDate?: unknown }).toJSDate === 'function'
	)
		date = (value as { toJSDate: () => Date }).toJSDate();
	else if (typeof value === 'number') {
		if (!Number.isFinite(value))
			return { ok: false, message: 'is not a finite number of milliseconds' };
		date = new Date(value);
	} else if (typeof value === 'string') {
		const textValue = value.trim();
		if (parseSdkDate(textValue) !== undefined) return { ok: true, text: textValue };
		if (
			/^\d{4}-\d{2}-\d{2}$/.test(textValue) ||
			(/^\d{4}-\d{2}-\d{2}T/.test(textValue) && ZONE.test(textValue))
		)
			date = new Date(textValue);
		else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(textValue))
			return {
				ok: false,
				message: `${JSON.stringify(value)} has no time zone; add Z (UTC) or an offset such as +08:00`,
			};
		else
			return {
				ok: false,
				message: `${JSON.stringify(value)} is not a time (use ISO 8601 such as 2024-03-01T10:00:00Z, epoch milliseconds, or yyyyMMdd'T'HHmmss'Z')`,
			};
	} else {
		return { ok: false, message: 'is not a time' };
	}
	if (Number.isNaN(date.getTime()))
		return { ok: false, message: `${JSON.stringify(value)} is not a valid time` };
	return { ok: true, text: formatUsageTime(date) };
}

/** The field a `validateUsageRecord` message is about: it starts with the field name. */
function problemField(message: string): string {
	if (message === 'begin_time is after end_time.') return 'end_time';
	const match = /^([a-z_]+) /.exec(message);
	return match ? match[1] : 'record';
}

export interface BuildUsageOptions {
	api?: UsageApi;
	/** The time now; enables the 21-day window and future checks, and stamps `record_time` when none is given. */
	nowMs?: number;
	/** Skip the 21-day window and future checks (still stamps `record_time` with `nowMs`). */
	skipTimeWindow?: boolean;
	/** Send `usage_value` as text instead of a JSON number (the Chinese mainland page types it String). */
	usageValueAsText?: boolean;
}

export type BuiltUsageRecord =
	| { ok: true; record: UsageRecord & { product_id?: string } }
	| { ok: false; problems: UsageProblem[] };

function usageValue(value: unknown, asText: boolean): unknown {
	if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))
		return asText ? value.trim() : Number(value);
	if (typeof value === 'number' && asText && Number.isFinite(value)) return String(value);
	return value;
}

/**
 * Builds the record KooGallery receives from one input and checks it. For the new API the
 * `metering_sn` is the given one or `deriveMeteringSn` of the record, so the same usage always
 * gets the same number. For the old API, `product_id` is required and `metering_sn` is not sent.
 * Returns the record, or every problem found, each with its field name.
 */
export function buildUsageRecord(
	input: UsageInput,
	options: BuildUsageOptions = {},
): BuiltUsageRecord {
	const nowMs = options.nowMs ?? Date.now();
	const problems: UsageProblem[] = [];
	const record = baseRecord(input, usageTimes(input, nowMs, problems), options);
	const checked =
		(options.api ?? 'new') === 'new'
			? newApiRecord(input, record, problems)
			: oldApiRecord(input, record, problems);
	const seen = new Set(problems.map((p) => p.field));
	for (const message of validateUsageRecord(checked, options.skipTimeWindow ? {} : { nowMs })) {
		const field = problemField(message);
		// A time that could not be read is already reported as such; "missing" would only confuse.
		if (seen.has(field) && /is missing\.$/.test(message)) continue;
		problems.push({ field, message });
	}
	if (problems.length > 0) return { ok: false, problems };
	return { ok: true, record: record as unknown as UsageRecord & { product_id?: string } };
}

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** The three times as KooGallery writes them (`record_time` defaults to now); unreadable ones go to `problems`. */
function usageTimes(
	input: UsageInput,
	nowMs: number,
	problems: UsageProblem[],
): Record<string, unknown> {
	const times: Record<string, unknown> = {};
	const timeFields: Array<[keyof UsageInput, string]> = [
		['beginTime', 'begin_time'],
		['endTime', 'end_time'],
		['recordTime', 'record_time'],
	];
	for (const [from, to] of timeFields) {
		const raw =
			from === 'recordTime' && input.recordTime === undefined ? new Date(nowMs) : input[from];
		if (raw === undefined || raw === null || raw === '') continue;
		const time = toUsageTime(raw);
		if (time.ok) times[to] = time.text;
		else problems.push({ field: to, message: `${to} ${time.message}.` });
	}
	return times;
}

/** The fields both APIs send, absent ones left out. */
function baseRecord(
	input: UsageInput,
	times: Record<string, unknown>,
	options: BuildUsageOptions,
): Record<string, unknown> {
	const record: Record<string, unknown> = {
		instance_id: input.instanceId,
		begin_time: times.begin_time,
		end_time: times.end_time,
		record_time: times.record_time,
		usage_value: usageValue(input.usageValue, options.usageValueAsText === true),
	};
	if (given(input.relatePkgInstance)) record.relate_pkg_instance = input.relatePkgInstance;
	for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
	return record;
}

/**
 * New API: `metering_sn` as given, or derived once the record is complete (it is then set on
 * `record`). Returns the form to validate (a placeholder number while the record is incomplete).
 */
function newApiRecord(
	input: UsageInput,
	record: Record<string, unknown>,
	problems: UsageProblem[],
): Record<string, unknown> {
	if (given(input.meteringSn))
		record.metering_sn =
			typeof input.meteringSn === 'number' ? String(input.meteringSn) : input.meteringSn;
	const complete = problems.length === 0 && typeof record.instance_id === 'string';
	if (!complete) return { ...record, metering_sn: record.metering_sn ?? 'derived' };
	const checked = { ...withMeteringSn(record as unknown as UsageRecord) };
	record.metering_sn = checked.metering_sn;
	return checked;
}

/** Old API: no `metering_sn`, a `product_id` of at most 64 characters (set on `record`). */
function oldApiRecord(
	input: UsageInput,
	record: Record<string, unknown>,
	problems: UsageProblem[],
): Record<string, unknown> {
	if (given(input.meteringSn))
		problems.push({
			field: 'metering_sn',
			message: 'metering_sn is not part of the old usage API; use Usage > Push for it.',
		});
	const checked = { ...record, metering_sn: 'old-api' };
	const productId = input.productId;
	if (!given(productId))
		problems.push({
			field: 'product_id',
			message: 'product_id is missing (the old usage API needs the product ID of the instance).',
		});
	else if (typeof productId !== 'string')
		problems.push({ field: 'product_id', message: 'product_id must be text.' });
	else if (productId.length > 64)
		problems.push({
			field: 'product_id',
			message: `product_id is ${productId.length} characters long; at most 64 are allowed.`,
		});
	else record.product_id = productId;
	return checked;
}

/**
 * The key that makes two records the same usage: `metering_sn` for the new API; instance and
 * period for the old one, which KooGallery treats as duplicates (spec §A.2.1 reporting rules).
 */
export function usageRecordKey(record: UsageRecord, api: UsageApi = 'new'): string {
	if (api === 'new') return `sn:${record.metering_sn}`;
	return `period:${JSON.stringify([record.instance_id, record.begin_time, record.end_time, record.relate_pkg_instance ?? ''])}`;
}
