import { z } from 'zod';

/**
 * Reading KooGallery's calls past the signature (spec decision 16, docs/protocol/README.md): a call
 * KooGallery really signed is refused only when a field the scenario cannot be acted on without is
 * absent or unusable. Never for a field's type (numbers and numeric text are interchangeable), a
 * `null` (the same as absent), an extra field (kept, nested ones too), an unknown value (kept as
 * sent and listed in `unknownValues`) or a length. One implementation of each lenient reading,
 * shared by every protocol's schema.
 */

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
	let out = '';
	let copied = 0;
	for (let i = 0; i < text.length; ) {
		const c = text.charCodeAt(i);
		if (c === 0x22) {
			// a string: skip to its closing quote, stepping over escapes
			for (i++; i < text.length && text.charCodeAt(i) !== 0x22; ) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
			i++;
		} else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
			const start = i;
			while (i < text.length && /[-+.eE\d]/.test(text[i])) i++;
			const token = text.slice(start, i);
			if (JSON_NUMBER.test(token) && String(Number(token)) !== token) {
				out += `${text.slice(copied, start)}"${token}"`;
				copied = i;
			}
		} else i++;
	}
	return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Parses text as a JSON object. Empty text, invalid JSON and JSON that is not an object
 * (array, string, number, null) are failures, never exceptions. Numbers JavaScript cannot hold
 * exactly arrive as their text (see `quoteInexactNumbers`).
 */
export function parseJsonObject(
	raw: string | Buffer,
): { ok: true; value: Record<string, unknown> } | ParseFailure {
	const text = typeof raw === 'string' ? raw : raw.toString('utf8');
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
export function parseJsonText(text: string): unknown {
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
export function dropNulls(value: unknown): unknown {
	if (Array.isArray(value)) return value.filter((item) => item !== null).map(dropNulls);
	if (typeof value !== 'object' || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = dropNulls(item);
	return out;
}

// ---------------------------------------------------------------- lenient field readers

/** Where the readers note unknown values during one `readFields` (parsing is synchronous). */
let noted: string[] | undefined;
const noteUnknown = (ctx: z.RefinementCtx): void => {
	noted?.push(ctx.path.join('.'));
};
const refuse = (ctx: z.RefinementCtx, message: string): never => {
	ctx.addIssue({ code: z.ZodIssueCode.custom, message });
	return z.NEVER;
};
const MISSING = 'is required but missing';

/** A scalar as text: text as sent, a number or boolean in its decimal or `true`/`false` form. */
export function scalarText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	return undefined;
}

/**
 * An ID, a code or any other text. Handed over as text (a number becomes its decimal text). A
 * required one must be present and not blank; an optional one that is not a scalar is kept as
 * sent and noted as unknown.
 */
export const text = (required = false) =>
	z.unknown().transform((value, ctx) => {
		if (value === undefined) return required ? refuse(ctx, MISSING) : undefined;
		const read = scalarText(value);
		if (read === undefined) {
			if (required) return refuse(ctx, 'must be text or a number');
			noteUnknown(ctx);
			return value as string;
		}
		if (required && read.trim() === '') return refuse(ctx, 'must not be empty');
		return read;
	});

/**
 * One of the documented values. Matched without regard to case or surrounding blanks and handed
 * over in the documented spelling; any other value is kept as sent (as text) and noted, so the
 * workflow can branch on it. A required one must be present.
 */
export const oneOf = (values: readonly string[], required = false) =>
	z.unknown().transform((value, ctx) => {
		if (value === undefined) return required ? refuse(ctx, `${MISSING} (${values.join(', ')})`) : undefined;
		const read = scalarText(value);
		const known = read === undefined ? undefined : values.find((v) => v.toLowerCase() === read.trim().toLowerCase());
		if (known !== undefined) return known;
		if (read === undefined && required) return refuse(ctx, `must be one of ${values.join(', ')}`);
		noteUnknown(ctx);
		return (read ?? value) as string;
	});

const TRUE_WORDS = ['1', 'true'];
const FALSE_WORDS = ['0', 'false'];

/**
 * A yes/no flag sent as `1`/`0`, `"1"`/`"0"`, `true`/`false` or `"true"`/`"false"`: handed over
 * as `no` or `yes` (the protocol's documented type, e.g. `"0"`/`"1"`, `0`/`1`, `"false"`/`"true"`).
 * Any other value is kept as sent and noted.
 */
export const yesNo = <T extends string | number>(no: T, yes: T) =>
	z.unknown().transform((value, ctx): T | undefined => {
		if (value === undefined) return undefined;
		const read = scalarText(value)?.trim().toLowerCase();
		if (read !== undefined && TRUE_WORDS.includes(read)) return yes;
		if (read !== undefined && FALSE_WORDS.includes(read)) return no;
		noteUnknown(ctx);
		return value as T;
	});

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
export const whole = (options: { required?: boolean; meanings?: Record<number, string> } = {}) =>
	z.unknown().transform((value, ctx) => {
		if (value === undefined) return options.required ? refuse(ctx, MISSING) : undefined;
		const read = readNumber(value);
		if (read === undefined) {
			if (options.required) {
				const meanings = Object.entries(options.meanings ?? {}).map(([v, m]) => `${v} (${m})`);
				return refuse(ctx, meanings.length ? `must be one of ${meanings.join(', ')}` : 'must be a number');
			}
			noteUnknown(ctx);
			return value as number;
		}
		if (options.meanings && !Object.prototype.hasOwnProperty.call(options.meanings, read)) noteUnknown(ctx);
		return read;
	});

/**
 * Parses a KooGallery UTC time `yyyyMMddHHmmss` or `yyyyMMddHHmmssSSS` (both are sent) into an
 * ISO 8601 string; undefined when the text is not such a time.
 */
export function parseKooGalleryTime(text: string): string | undefined {
	const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
	if (!m) return undefined;
	const [, y, mo, d, h, mi, s, ms = '000'] = m;
	const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms));
	if (date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
	return date.toISOString();
}

/**
 * A time, handed over as text exactly as sent (a number becomes its digits). The documented forms
 * are `yyyyMMddHHmmss` and `yyyyMMddHHmmssSSS`; another time JavaScript can read (ISO 8601) is
 * kept and noted. A required time must be readable as a time, an optional one is kept whatever it is.
 */
export const time = (required = false) =>
	z.unknown().transform((value, ctx) => {
		if (value === undefined) return required ? refuse(ctx, MISSING) : undefined;
		const read = scalarText(value)?.trim();
		if (read !== undefined && parseKooGalleryTime(read) !== undefined) return read;
		const readable = read !== undefined && !/^\d+$/.test(read) && Number.isFinite(Date.parse(read));
		if (!readable && required) return refuse(ctx, 'must be a time yyyyMMddHHmmss or yyyyMMddHHmmssSSS');
		noteUnknown(ctx);
		return (read ?? value) as string;
	});

/**
 * Structured data (`productInfo`): an object, JSON text of one (parsed), or a list as sent. Text
 * that is not JSON is kept as sent and noted.
 */
export const structure = () =>
	z.unknown().transform((value, ctx) => {
		if (typeof value !== 'string') return value as Record<string, unknown> | undefined;
		const parsed = parseJsonText(value);
		if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
		noteUnknown(ctx);
		return value as unknown as Record<string, unknown>;
	});

/**
 * A list of records (kit `userList`, `orgInfoList`): a list, its JSON text (also the bare-key
 * text of Huawei's example), or one record where a list was expected. Always handed over as a list.
 */
export const listOf = <T extends z.ZodTypeAny>(item: T, what: string) =>
	z.preprocess((value, ctx) => {
		const read = typeof value === 'string' ? parseJsonText(value) : value;
		if (value === undefined) return value;
		if (read === undefined) return refuse(ctx, `must be a list of ${what} (a list or its JSON text)`);
		return Array.isArray(read) ? read : [read];
	}, z.array(item, { required_error: MISSING }));

/** A list of IDs (queryInstance `instanceId`): comma-separated text, or a list; handed over as comma-separated text. At least one ID. */
export const idList = () =>
	z.unknown().transform((value, ctx) => {
		if (value === undefined) return refuse(ctx, MISSING);
		const parts = (Array.isArray(value) ? value : [value]).map(scalarText);
		if (parts.includes(undefined)) return refuse(ctx, 'must be a comma-separated list of instance IDs');
		const joined = parts.join(',');
		if (splitInstanceIds(joined).length === 0) return refuse(ctx, 'must name at least one instance');
		return joined;
	});

/** Comma-separated IDs, trimmed, blanks dropped. */
export function splitInstanceIds(value: string): string[] {
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** Turns the first zod issue into a failure that names the field in plain words. */
export function zodFailure(error: z.ZodError): ParseFailure {
	const issue = error.issues[0];
	const field = issue?.path.join('.') || undefined;
	if (!issue) return parseFailure('The request body is not valid.');
	const subject = field ? `"${field}"` : 'The request body';
	if (issue.code === 'invalid_type' && issue.received === 'undefined') {
		return parseFailure(`${subject} ${MISSING}.`, field);
	}
	if (issue.code === 'custom') return parseFailure(`${subject} ${issue.message}.`, field);
	return parseFailure(`${subject}: ${issue.message}.`, field);
}

/**
 * Reads one call's fields with a scenario's schema: nulls dropped, every field read leniently,
 * unknown fields kept. A failure names the first field the scenario cannot be acted on without.
 */
export function readFields<T>(
	schema: z.ZodTypeAny,
	activity: string,
	values: Record<string, unknown>,
): ParseResult<T> {
	const outer = noted;
	const found: string[] = [];
	noted = found;
	let result: z.SafeParseReturnType<unknown, unknown>;
	try {
		result = schema.safeParse(dropNulls(values));
	} finally {
		noted = outer;
	}
	if (!result.success) return zodFailure(result.error);
	return { ok: true, activity, data: result.data as T, unknownValues: [...new Set(found)] };
}

/**
 * A call whose `activity` this pack does not know (KooGallery adds scenarios over time): never
 * refused, handed over as sent (nulls dropped) with `activity` noted as unknown. The activity
 * must be readable as text.
 */
export function readUnknownActivity(values: Record<string, unknown>): ParseResult<Record<string, unknown>> {
	const activity = scalarText(values.activity)?.trim();
	if (!activity) return parseFailure('"activity" is required but missing.', 'activity');
	return { ok: true, activity, data: dropNulls(values) as Record<string, unknown>, unknownValues: ['activity'] };
}
