import type { z } from 'zod';

/** What every inbound-payload parser returns. */
export type ParseResult<T> =
	| { ok: true; activity: string; data: T }
	| { ok: false; resultCode: '000002'; field?: string; message: string };

export type ParseFailure = Extract<ParseResult<unknown>, { ok: false }>;

export function parseFailure(message: string, field?: string): ParseFailure {
	return field === undefined
		? { ok: false, resultCode: '000002', message }
		: { ok: false, resultCode: '000002', field, message };
}

/**
 * Parses text as a JSON object. Empty text, invalid JSON and JSON that is not an object
 * (array, string, number, null) are failures, never exceptions.
 */
export function parseJsonObject(
	raw: string | Buffer,
): { ok: true; value: Record<string, unknown> } | ParseFailure {
	const text = typeof raw === 'string' ? raw : raw.toString('utf8');
	if (text.trim() === '') return parseFailure('The request body is empty.');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return parseFailure('The request body is not valid JSON.');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return parseFailure('The request body must be a JSON object.');
	}
	return { ok: true, value: value as Record<string, unknown> };
}

/** Turns the first zod issue into a failure that names the field in plain words. */
export function zodFailure(error: z.ZodError): ParseFailure {
	const issue = error.issues[0];
	const field = issue?.path.join('.') || undefined;
	if (!issue) return parseFailure('The request body is not valid.');
	const subject = field ? `"${field}"` : 'The request body';
	if (issue.code === 'invalid_type' && issue.received === 'undefined') {
		return parseFailure(`${subject} is required but missing.`, field);
	}
	if (issue.code === 'too_big') return parseFailure(`${subject} is too long (at most ${issue.maximum} characters).`, field);
	if (issue.code === 'too_small') return parseFailure(`${subject} must not be empty.`, field);
	if (issue.code === 'invalid_enum_value') {
		return parseFailure(`${subject} must be one of ${issue.options.join(', ')}.`, field);
	}
	return parseFailure(`${subject}: ${issue.message}.`, field);
}

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
