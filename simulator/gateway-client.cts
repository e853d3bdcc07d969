/**
 * One call through a KooGallery API gateway (Agents网关 or APIG网关) to the seller's backend, read
 * the way the gateway reads the answer: the status, the exact text, the JSON body (synchronous) or
 * the events (streaming), and the `usage` the gateway would bill from.
 */
import { randomUUID } from 'node:crypto';

import { exchange, type HttpCall } from './http.cjs';

/** What came back from the backend. */
export interface GatewayAnswer {
	status: number;
	headers: Record<string, string>;
	/** The exact body text (or the network error). */
	text: string;
	/** The body as a JSON object, when it is one. */
	json?: Record<string, unknown>;
	/** A streamed answer's events, in order, when the body is a stream (SSE or NDJSON). */
	events?: unknown[];
	ms: number;
}

export type GatewayCall = HttpCall;

/**
 * Sends a call and reads the whole answer (a stream is read to its end); network errors become
 * status 0 with the reason as text. The Agents gateway waits up to 300 s for a backend; the
 * default here is 120 s.
 */
export async function sendGateway(call: GatewayCall, timeoutMs = 120_000): Promise<GatewayAnswer> {
	const started = Date.now();
	try {
		const { status, headers, body } = await exchange(call, timeoutMs);
		const text = body.toString('utf8');
		const answer: GatewayAnswer = { status, headers, text, ms: Date.now() - started };
		const json = parseObject(text);
		if (json) answer.json = json;
		else {
			const events = parseStream(text);
			if (events.length > 0) answer.events = events;
		}
		return answer;
	} catch (error) {
		return {
			status: 0,
			headers: {},
			text: String((error as Error).message),
			ms: Date.now() - started,
		};
	}
}

/** Parses text as one JSON object; undefined when it is not exactly one. */
function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/** Parses a JSON value; the text itself when it is not JSON. */
function parseValue(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/**
 * The events of a streamed answer, in order. Reads Server-Sent Events (`data:` lines, events
 * separated by a blank line; comment lines and a terminal `[DONE]` are left out) or n8n's own
 * newline-delimited JSON (one object a line; n8n's `{"type":"keepalive"}` lines are left out).
 * Returns [] for text that is neither.
 */
export function parseStream(text: string): unknown[] {
	const lines = text.split(/\r?\n/);
	if (lines.some((line) => line.startsWith('data:'))) {
		const events: unknown[] = [];
		let data: string[] = [];
		const flush = () => {
			if (data.length === 0) return;
			const joined = data.join('\n');
			data = [];
			if (joined.trim() !== '[DONE]') events.push(parseValue(joined));
		};
		for (const line of lines) {
			if (line === '') flush();
			else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
		}
		flush();
		return events;
	}
	const events: unknown[] = [];
	for (const line of lines) {
		if (line.trim() === '') continue;
		const value = parseValue(line);
		if (typeof value !== 'object' || value === null) return [];
		if ((value as { type?: unknown }).type === 'keepalive') continue;
		events.push(value);
	}
	return events;
}

/** The billing numbers of an answer or event. */
export interface BilledUsage {
	prompt_tokens?: unknown;
	completion_tokens?: unknown;
	total_tokens?: unknown;
	[field: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The top-level `usage` object of a JSON body or of one stream event; also looks inside an n8n
 * chunk whose `content` is JSON text (`{"type":"item","content":"{\"usage\":…}"}`).
 */
export function usageOf(value: unknown): BilledUsage | undefined {
	if (!isObject(value)) return undefined;
	if (isObject(value.usage)) return value.usage as BilledUsage;
	if (typeof value.content === 'string') {
		const inner = parseObject(value.content);
		if (inner && isObject(inner.usage)) return inner.usage as BilledUsage;
	}
	return undefined;
}

/** Every `usage` object an answer carries: the body's, or each event's. */
export function usagesIn(answer: GatewayAnswer): BilledUsage[] {
	if (answer.json) {
		const usage = usageOf(answer.json);
		return usage ? [usage] : [];
	}
	return (answer.events ?? [])
		.map(usageOf)
		.filter((usage): usage is BilledUsage => usage !== undefined);
}

/**
 * The text a streamed answer carried, concatenated: n8n chunks' `content` (when it is not JSON),
 * `{"data": "<text>"}` events, OpenAI-style `choices[0].delta.content`, or plain-text events.
 */
export function streamedText(events: unknown[]): string {
	return events
		.map((event) => {
			if (typeof event === 'string') return event;
			if (!isObject(event)) return '';
			if (typeof event.content === 'string' && !parseObject(event.content)) return event.content;
			if (typeof event.data === 'string') return event.data;
			const choices = event.choices;
			if (Array.isArray(choices) && isObject(choices[0]) && isObject(choices[0].delta)) {
				const content = (choices[0].delta as { content?: unknown }).content;
				return typeof content === 'string' ? content : '';
			}
			return '';
		})
		.join('');
}

/** The identity headers the Agents gateway adds to every forwarded call (spec §1.3). */
export function customerHeaders(): Record<string, string> {
	return {
		'X-Request-Id': randomUUID(),
		'X-Customer-Id': `0${randomUUID().replace(/-/g, '').slice(0, 31)}`,
		'X-Customer-Name': 'sim_buyer',
	};
}
