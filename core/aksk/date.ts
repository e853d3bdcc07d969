/**
 * The `X-Sdk-Date` header of Huawei API Gateway's `SDK-HMAC-SHA256` signing
 * (docs/protocol/koogallery-openapi-v1.md §B.3): UTC `yyyyMMdd'T'HHmmss'Z'`. Also read by the usage
 * push, whose times take the same form.
 */

/** The date header APIG reads, written `yyyyMMdd'T'HHmmss'Z'` in UTC. */
export const SDK_DATE_HEADER = 'X-Sdk-Date';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** The last second formatted and its text: requests signed in the same second share it. */
let lastSecond = Number.NaN;
let lastText = '';

/** Formats a date as APIG's `X-Sdk-Date`: UTC `yyyyMMdd'T'HHmmss'Z'`, for example `20191115T033655Z`. */
export function formatSdkDate(date: Date): string {
	const second = Math.floor(date.getTime() / 1000);
	if (second === lastSecond) return lastText;
	const text =
		`${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
		`T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
	lastSecond = second;
	lastText = text;
	return text;
}

const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Reads a UTC `yyyyMMdd'T'HHmmss'Z'` value and returns milliseconds since 1970, or undefined when
 * the text is not in that form or names a date that does not exist (for example 20230230).
 */
export function parseSdkDate(text: unknown): number | undefined {
	if (typeof text !== 'string') return undefined;
	const match = SDK_DATE.exec(text);
	if (!match) return undefined;
	const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
	const ms = Date.UTC(year, month - 1, day, hour, minute, second);
	const date = new Date(ms);
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day ||
		date.getUTCHours() !== hour ||
		date.getUTCMinutes() !== minute ||
		date.getUTCSeconds() !== second
	) {
		return undefined;
	}
	return ms;
}
