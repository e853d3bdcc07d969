/**
 * Reading KooGallery's calls past the signature (spec decision 16): a call KooGallery really
 * signed is refused only when a field the scenario cannot be acted on without is absent or
 * unusable. Never for a field's type (numbers and numeric text are interchangeable), a
 * `null` (the same as absent), an extra field (kept, nested ones too), an unknown value (kept as
 * sent and listed in `unknownValues`) or a length. One implementation of each lenient reading,
 * shared by every protocol's schema.
 */
import { bodyText } from '../fields';

/** What every inbound-payload parser returns. */
export type ParseResult<T> =
	| {
			ok: true;
			activity: string;
			data: T;
			/**
			 * The fields (dotted paths, e.g. `scene`, `userList.0.role`) whose value is not one the pages
			 * document; each is kept as sent. `activity` is listed for a scenario this pack does not know.
			 */
			unknownValues: string[];
	  }
	| { ok: false; resultCode: '000002'; field?: string; message: string };

export type ParseFailure = Extract<ParseResult<unknown>, { ok: false }>;

export function parseFailure(message: string, field?: string): ParseFailure {
	return field === undefined
		? { ok: false, resultCode: '000002', message }
		: { ok: false, resultCode: '000002', field, message };
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Puts in quotes every JSON number whose text JavaScript would change: more than 15 significant
 * digits (a 17-digit time or ID would lose digits), trailing zeros (`5.0`, `99.9900`) or an
 * exponent. Such a number is then handed over as its text exactly as sent, the way Huawei's Java
 * sample (Jackson into a map of strings) reads it. Text inside strings is left alone.
 */
function quoteInexactNumbers(text: string): string {
	return text.replace(JSON_TOKEN, (token) =>
		token[0] === '"' || String(Number(token)) === token ? token : `"${token}"`,
	);
}
/** A JSON string (skipped whole, so digits inside it are left alone) or a JSON number. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Parses text as a JSON object. Empty text, invalid JSON and JSON that is not an object
 * (array, string, number, null) are failures, never exceptions. Numbers JavaScript cannot hold
 * exactly arrive as their text (see `quoteInexactNumbers`).
 */
export function parseJsonObject(
	raw: string | Buffer,
): { ok: true; value: Record<string, unknown> } | ParseFailure {
	const text = bodyText(raw);
	if (text.trim() === '') return parseFailure('The request body is empty.');
	let value: unknown;
	try {
		value = JSON.parse(quoteInexactNumbers(text));
	} catch {
		return parseFailure('The request body is not valid JSON.');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return parseFailure('The request body must be a JSON object.');
	}
	return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Reads JSON sent as text inside a field (`productInfo`, kit `userList`, `orgInfoList`): strict
 * JSON, or the JSON-like text with bare keys of Huawei's allOrgSync example. Undefined when it is
 * neither.
 */
function parseJsonText(text: string): unknown {
	for (const candidate of [text, text.replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":')]) {
		try {
			return dropNulls(JSON.parse(quoteInexactNumbers(candidate)));
		} catch {
			// try the next reading
		}
	}
	return undefined;
}

/** `null` is the same as absent (Huawei's canonical form drops nulls): removed from objects and lists, at every depth. */
function dropNulls(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((item) => item !== null).map(dropNulls);
	if (typeof value !== 'object' || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = dropNulls(item);
	return out;
}

// ---------------------------------------------------------------- lenient field readers

/**
 * How one field is read: returns the value to hand over. `at.path` names the field; an unknown
 * value is noted in `at.unknown`; a field the scenario cannot be acted on without and that is
 * missing or unusable throws a `Refusal`. Plain functions, not zod: zod's transforms cost about
 * 20 µs a field, ten times the whole reading.
 */
export type Reader<T = unknown> = (value: unknown, at: ReadContext) => T;
export interface ReadContext {
	path: string;
	unknown: string[];
}
/** The fields of one record, each with its reader. */
export type Shape = Record<string, Reader>;
/** What a shape hands over: its fields, plus every field it does not name, as sent. */
export type Fields<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> } & Record<
	string,
	unknown
>;

class Refusal {
	constructor(
		readonly path: string,
		readonly message: string,
	) {}
}
const refuse = (at: ReadContext, message: string): never => {
	throw new Refusal(at.path, message);
};
const MISSING = 'is required but missing';

/** A scalar as text: text as sent, a number or boolean in its decimal or `true`/`false` form. */
export function scalarText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (
		(typeof value === 'number' && Number.isFinite(value)) ||
		typeof value === 'boolean' ||
		typeof value === 'bigint'
	)
		return String(value);
	return undefined;
}

/**
 * An ID, a code or any other text. Handed over as text (a number becomes its decimal text). A
 * required one must be present and not blank; an optional one that is not a scalar is kept as
 * sent and noted as unknown.
 */
export const text =
	(required = false): Reader<string | undefined> =>
	(value, at) => {
		if (value === undefined) return required ? refuse(at, MISSING) : undefined;
		const read = scalarText(value);
		if (read === undefined) {
			if (required) return refuse(at, 'must be text or a number');
			at.unknown.push(at.path);
			return value as string;
		}
		if (required && read.trim() === '') return refuse(at, 'must not be empty');
		return read;
	};

/**
 * One of the documented values. Matched without regard to case or surrounding blanks and handed
 * over in the documented spelling; any other value is kept as sent (as text) and noted, so the
 * workflow can branch on it. A required one must be present.
 */
export const oneOf =
	(values: readonly string[], required = false): Reader<string | undefined> =>
	(value, at) => {
		if (value === undefined)
			return required ? refuse(at, `${MISSING} (${values.join(', ')})`) : undefined;
		const read = scalarText(value);
		const known =
			read === undefined
				? undefined
				: values.find((v) => v.toLowerCase() === read.trim().toLowerCase());
		if (known !== undefined) return known;
		if (read === undefined && required) return refuse(at, `must be one of ${values.join(', ')}`);
		at.unknown.push(at.path);
		return (read ?? value) as string;
	};

const TRUE_WORDS = ['1', 'true'];
const FALSE_WORDS = ['0', 'false'];

/**
 * A yes/no flag sent as `1`/`0`, `"1"`/`"0"`, `true`/`false` or `"true"`/`"false"`: handed over
 * as `no` or `yes` (the protocol's documented type, e.g. `"0"`/`"1"`, `0`/`1`, `"false"`/`"true"`).
 * Any other value is kept as sent and noted.
 */
export const yesNo =
	<T extends string | number>(no: T, yes: T): Reader<T | undefined> =>
	(value, at) => {
		if (value === undefined) return undefined;
		const read = scalarText(value)?.trim().toLowerCase();
		if (read !== undefined && TRUE_WORDS.includes(read)) return yes;
		if (read !== undefined && FALSE_WORDS.includes(read)) return no;
		at.unknown.push(at.path);
		return value as T;
	};

/** A number from a JSON number, numeric text or `true`/`false` (1/0, also as text); undefined otherwise. */
function readNumber(value: unknown): number | undefined {
	const read = scalarText(value)?.trim().toLowerCase();
	if (read === 'true' || read === 'false') return read === 'true' ? 1 : 0;
	if (read === undefined || !JSON_NUMBER.test(read)) return undefined;
	return Number(read);
}

/**
 * A whole number (a count or a numeric code), handed over as a number. With `meanings`, a number
 * outside them is kept and noted; text that is no number is kept as sent and noted. A required
 * one must be present and be a number.
 */
export const whole =
	(
		options: { required?: boolean; meanings?: Record<number, string> } = {},
	): Reader<number | undefined> =>
	(value, at) => {
		if (value === undefined) return options.required ? refuse(at, MISSING) : undefined;
		const read = readNumber(value);
		if (read === undefined) {
			if (options.required) {
				const meanings = Object.entries(options.meanings ?? {}).map(([v, m]) => `${v} (${m})`);
				return refuse(
					at,
					meanings.length ? `must be one of ${meanings.join(', ')}` : 'must be a number',
				);
			}
			at.unknown.push(at.path);
			return value as number;
		}
		if (options.meanings && !Object.prototype.hasOwnProperty.call(options.meanings, read))
			at.unknown.push(at.path);
		return read;
	};

/**
 * Parses a KooGallery UTC time `yyyyMMddHHmmss` or `yyyyMMddHHmmssSSS` (both are sent) into an
 * ISO 8601 string; undefined when the text is not such a time.
 */
export function parseKooGalleryTime(text: string): string | undefined {
	const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
	if (!m) return undefined;
	const [, y, mo, d, h, mi, s, ms = '000'] = m;
	const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms));
	if (date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59)
		return undefined;
	return date.toISOString();
}

/**
 * A time, handed over as text exactly as sent (a number becomes its digits). The documented forms
 * are `yyyyMMddHHmmss` and `yyyyMMddHHmmssSSS`; another time JavaScript can read (ISO 8601) is
 * kept and noted. A required time must be readable as a time, an optional one is kept whatever it is.
 */
export const time =
	(required = false): Reader<string | undefined> =>
	(value, at) => {
		if (value === undefined) return required ? refuse(at, MISSING) : undefined;
		const read = scalarText(value)?.trim();
		if (read !== undefined && parseKooGalleryTime(read) !== undefined) return read;
		const readable = read !== undefined && !/^\d+$/.test(read) && Number.isFinite(Date.parse(read));
		if (!readable && required)
			return refuse(at, 'must be a time yyyyMMddHHmmss or yyyyMMddHHmmssSSS');
		at.unknown.push(at.path);
		return (read ?? value) as string;
	};

/**
 * Structured data (`productInfo`): an object, JSON text of one (parsed), or a list as sent. Text
 * that is not JSON is kept as sent and noted.
 */
export const structure = (): Reader<Record<string, unknown> | undefined> => (value, at) => {
	if (typeof value !== 'string') return value as Record<string, unknown> | undefined;
	const parsed = parseJsonText(value);
	if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
	at.unknown.push(at.path);
	return value as unknown as Record<string, unknown>;
};

/** Reads a record with a shape: every field it names with its reader, every other field kept as sent. */
function readRecord<S extends Shape>(
	shape: S,
	value: Record<string, unknown>,
	at: ReadContext,
): Fields<S> {
	const out: Record<string, unknown> = { ...value };
	const prefix = at.path === '' ? '' : `${at.path}.`;
	for (const [name, read] of Object.entries(shape)) {
		const field = read(value[name], { path: `${prefix}${name}`, unknown: at.unknown });
		if (field === undefined) delete out[name];
		else out[name] = field;
	}
	return out as Fields<S>;
}

/**
 * A list of records (kit `userList`, `orgInfoList`): a list, its JSON text (also the bare-key
 * text of Huawei's example), or one record where a list was expected. Always handed over as a
 * list; every entry must be a record.
 */
export const listOf =
	<S extends Shape>(item: S, what: string): Reader<Array<Fields<S>>> =>
	(value, at) => {
		if (value === undefined) return refuse(at, MISSING);
		const read = typeof value === 'string' ? parseJsonText(value) : value;
		if (typeof read !== 'object' || read === null)
			return refuse(at, `must be a list of ${what} (a list or its JSON text)`);
		return (Array.isArray(read) ? read : [read]).map((entry: unknown, index) => {
			const path = `${at.path}.${index}`;
			if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
				return refuse({ ...at, path }, 'must be a record');
			return readRecord(item, entry as Record<string, unknown>, { path, unknown: at.unknown });
		});
	};

/** A list of IDs (queryInstance `instanceId`): comma-separated text, or a list; handed over as comma-separated text. At least one ID. */
export const idList = (): Reader<string> => (value, at) => {
	if (value === undefined) return refuse(at, MISSING);
	const parts = (Array.isArray(value) ? value : [value]).map(scalarText);
	if (parts.includes(undefined))
		return refuse(at, 'must be a comma-separated list of instance IDs');
	const joined = parts.join(',');
	if (splitInstanceIds(joined).length === 0) return refuse(at, 'must name at least one instance');
	return joined;
};

/** Comma-separated IDs, trimmed, blanks dropped. */
export function splitInstanceIds(value: string): string[] {
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/**
 * Reads one call's fields with a scenario's shape: nulls dropped, every field read leniently,
 * unknown fields kept. A failure names the first field the scenario cannot be acted on without.
 */
export function readFields<S extends Shape>(
	shape: S,
	activity: string,
	values: Record<string, unknown>,
): ParseResult<Fields<S>> {
	const unknown: string[] = [];
	try {
		const data = readRecord(shape, dropNulls(values) as Record<string, unknown>, {
			path: '',
			unknown,
		});
		return { ok: true, activity, data, unknownValues: [...new Set(unknown)] };
	} catch (error) {
		// Only a Refusal is expected; anything else is refused as unreadable, never let through.
		return error instanceof Refusal
			? parseFailure(`"${error.path}" ${error.message}.`, error.path)
			: parseFailure('The request could not be read.');
	}
}

/** The fields of a call of any scenario of `schemas`: one `Fields` per scenario, as a union. */
export type CallOf<S extends Record<string, Shape>> = { [A in keyof S]: Fields<S[A]> }[keyof S];

/** True when `name` names one of `schemas` (an own property, so `toString` and the like never match). */
export function isSchemaName<S extends Record<string, Shape>>(
	schemas: S,
	name: unknown,
): name is keyof S & string {
	return typeof name === 'string' && Object.prototype.hasOwnProperty.call(schemas, name);
}

/**
 * Reads a call with the shape its `activity` names in `schemas`; an `activity` this pack does not
 * know is handed over as sent and noted (see `readUnknownActivity`).
 */
export function readActivity<S extends Record<string, Shape>>(
	schemas: S,
	values: Record<string, unknown>,
): ParseResult<CallOf<S>> {
	const activity = values.activity;
	if (!isSchemaName(schemas, activity))
		return readUnknownActivity(values) as ParseResult<CallOf<S>>;
	return readFields(schemas[activity], activity, values) as ParseResult<CallOf<S>>;
}

/**
 * A call whose `activity` this pack does not know (KooGallery adds scenarios over time): never
 * refused, handed over as sent (nulls dropped) with `activity` noted as unknown. The activity
 * must be readable as text.
 */
export function readUnknownActivity(
	values: Record<string, unknown>,
): ParseResult<Record<string, unknown>> {
	const activity = scalarText(values.activity)?.trim();
	if (!activity) return parseFailure('"activity" is required but missing.', 'activity');
	return {
		ok: true,
		activity,
		data: dropNulls(values) as Record<string, unknown>,
		unknownValues: ['activity'],
	};
}
