/**
 * Reading values of unknown shape (credential fields, parsed bodies, workflow items): one helper
 * for each way the core and the nodes read them.
 */

/** A field's text: the string as it is (not trimmed), `''` for anything else (absent, a number, an object). */
export function textField(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** A field's text without surrounding blanks; `''` for anything but a string. */
export function trimmedText(value: unknown): string {
	return textField(value).trim();
}

/** A body as text: a string as it is, bytes as UTF-8. */
export function bodyText(body: string | Buffer): string {
	return typeof body === 'string' ? body : body.toString('utf8');
}

/** Names that must never be followed in a path (prototype pollution). */
const UNSAFE_NAMES = new Set(['__proto__', 'prototype', 'constructor']);
const isSafeName = (name: string): boolean => !UNSAFE_NAMES.has(name);

/**
 * The value at a dotted path (`a.b.c`) of a record, or undefined: every step must be an own
 * property of an object that is not a list. A path with an empty or unsafe segment reads nothing;
 * `isSafe` decides which names are unsafe (default `__proto__`, `prototype`, `constructor`; a node
 * passes n8n's `isSafeObjectProperty`).
 */
export function readField(
	record: unknown,
	path: string,
	isSafe: (name: string) => boolean = isSafeName,
): unknown {
	const segments = path.split('.');
	if (!segments.every((name) => name !== '' && isSafe(name))) return undefined;
	let current = record;
	for (const name of segments) {
		if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
		if (!Object.prototype.hasOwnProperty.call(current, name)) return undefined;
		current = (current as Record<string, unknown>)[name];
	}
	return current;
}
