/**
 * How Huawei's Java samples read a JSON request body: into a `Map<String, String>` (Spring's
 * `@RequestBody` with Jackson, or `BeanUtils.describe` of a bean of strings), and, for the V2.0
 * signature, written back by Jackson (docs/protocol/koogallery-saas-v2.md §2.2). Jackson keeps a
 * number's exact text when it reads it into a String (`99.9900` stays `99.9900`, where
 * `JSON.parse` would make it `99.99`), so the top-level values are read from the raw text here.
 */
import { bodyText } from './fields';

/** A top-level value as the Java samples hold it: text, or (an object or array) its compact JSON. */
export type JavaValue = string | { json: string };

/** The end (exclusive) of the JSON string starting at `start` (a `"`). The text is valid JSON. */
function stringEnd(text: string, start: number): number {
	let i = start + 1;
	while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
	return i + 1;
}

/** The end (exclusive) of the JSON value starting at `start`. The text is valid JSON. */
function valueEnd(text: string, start: number): number {
	const first = text[start];
	if (first === '"') return stringEnd(text, start);
	if (first !== '{' && first !== '[') {
		let i = start;
		while (i < text.length && !/[\s,}\]]/.test(text[i])) i++;
		return i;
	}
	let depth = 0;
	let i = start;
	do {
		const c = text[i];
		if (c === '"') {
			i = stringEnd(text, i);
			continue;
		}
		if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') depth--;
		i++;
	} while (depth > 0);
	return i;
}

const skipSpace = (text: string, i: number): number => {
	while (/\s/.test(text[i] ?? '')) i++;
	return i;
};

/**
 * The top-level members of a JSON object body as Huawei's Java samples read them: a string as it
 * is, a number as its exact text, `true`/`false` as text, `null` as absent (the samples drop
 * nulls), an object or array as its compact JSON written by Jackson (see {@link jacksonJson}). A
 * repeated name keeps its last value, as Jackson does. Undefined when the body is not a JSON object. Never throws.
 */
export function readJavaStringMap(rawBody: string | Buffer): Map<string, JavaValue> | undefined {
	const text = bodyText(rawBody);
	try {
		const parsed: unknown = JSON.parse(text);
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
		// The text is valid JSON from here on, so the scan below needs no error handling.
		const members = new Map<string, JavaValue | null>();
		let i = skipSpace(text, text.indexOf('{') + 1);
		while (text[i] === '"') {
			const nameEnd = stringEnd(text, i);
			const name = JSON.parse(text.slice(i, nameEnd)) as string;
			const start = skipSpace(text, skipSpace(text, nameEnd) + 1);
			const end = valueEnd(text, start);
			const raw = text.slice(start, end);
			if (raw[0] === '"') members.set(name, JSON.parse(raw) as string);
			else if (raw[0] === '{' || raw[0] === '[')
				members.set(name, { json: jacksonJson(JSON.parse(raw)) });
			else members.set(name, raw === 'null' ? null : raw);
			i = skipSpace(text, end);
			if (text[i] === ',') i = skipSpace(text, i + 1);
		}
		const result = new Map<string, JavaValue>();
		for (const [name, value] of members) if (value !== null) result.set(name, value);
		return result;
	} catch {
		// A body nested thousands deep parses but overflows the stack when read again: no reading.
		return undefined;
	}
}

/**
 * JSON text as Jackson writes it by default: compact, like `JSON.stringify`, except that control
 * characters without a short escape are written `\u001F` with upper-case hex (JavaScript writes
 * `\u001f`). Every backslash in `JSON.stringify`'s output starts an escape, so the scan is exact.
 */
export function jacksonJson(value: unknown): string {
	return JSON.stringify(value).replace(/\\(?:u([0-9a-f]{4})|.)/g, (escape: string, hex?: string) =>
		hex === undefined ? escape : `\\u${hex.toUpperCase()}`,
	);
}
