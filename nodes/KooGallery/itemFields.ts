import { isSafeObjectProperty, type IDataObject } from 'n8n-workflow';

import { readField as readPath } from '../../core/fields';

/** Field names from text: separated by commas, semicolons or new lines, trimmed, each once. */
export function fieldList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,;\n]+/);
	return [...new Set(parts.map((part) => part.trim()).filter((part) => part !== ''))];
}

/** The path segments of `a.b.c`; undefined when a segment is empty or unsafe (`__proto__`...). */
function segments(path: string): string[] | undefined {
	const parts = path.split('.');
	return parts.every((part) => part !== '' && isSafeObjectProperty(part)) ? parts : undefined;
}

/** The value at a dotted path of an item, or undefined (core/fields.ts, with n8n's unsafe names). */
export function readField(json: IDataObject, path: string): unknown {
	return readPath(json, path, isSafeObjectProperty);
}

/** Sets the value at a dotted path that `readField` found (the objects on the way exist). */
export function writeField(json: IDataObject, path: string, value: string): void {
	const parts = segments(path);
	if (!parts) return;
	let current = json;
	for (const part of parts.slice(0, -1)) current = current[part] as IDataObject;
	current[parts[parts.length - 1]] = value;
}
