import type { StreamFormat } from '../../core/gateway-receive';
import { gatewayErrorBody } from '../../core/gateway-usage';

export type { StreamFormat };

/** The data of the last SSE event, written when n8n ends the response: `data: [DONE]`. */
export const SSE_DONE = '[DONE]';

/** Response headers of a streaming answer, sent before the workflow starts. */
export function streamHeaders(format: StreamFormat): Record<string, string> {
	return {
		'Content-Type':
			format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/json; charset=utf-8',
		'Transfer-Encoding': 'chunked',
		'Cache-Control': 'no-cache',
		Connection: 'keep-alive',
		'X-Accel-Buffering': 'no',
	};
}

const isJsonObjectText = (text: string): boolean => {
	if (!text.startsWith('{')) return false;
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value);
	} catch {
		return false;
	}
};

/**
 * One line n8n writes to a streaming response, as SSE. n8n 2.41.1 writes
 * `JSON.stringify({type, content, metadata}) + "\n"` for every chunk a node sends, and
 * `{"type":"keepalive"}` every 30 s (n8n/dist/workflow-runner.js). Here:
 * - `item` from one of `answerNodes` (the workflow's KooGallery API Respond nodes, by
 *   `metadata.nodeName`) whose content is a JSON object text → `data: <content>`; any other item,
 *   whatever its text (a piece of an AI Agent's answer, even one that looks like `{"usage":...}` or
 *   `[DONE]`) → `data: {"data":"<text>"}`, so what a model writes can never pose as the bill or
 *   end the stream;
 * - `error` → `data: {"error":{...}}` with a fixed message (n8n's error text may hold internals)
 *   and no `usage`, so nothing is billed;
 * - `keepalive` → an SSE comment; `begin` and `end` → nothing.
 * A line that is not one of n8n's chunks is returned unchanged.
 */
export function sseFromN8nLine(line: string, answerNodes: ReadonlySet<string>): string {
	let chunk: unknown;
	try {
		chunk = JSON.parse(line);
	} catch {
		return line;
	}
	if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) return line;
	const { type, content, metadata } = chunk as {
		type?: unknown;
		content?: unknown;
		metadata?: { nodeName?: unknown };
	};
	switch (type) {
		case 'item': {
			const text = typeof content === 'string' ? content : JSON.stringify(content ?? '');
			const fromAnswerNode =
				typeof metadata?.nodeName === 'string' && answerNodes.has(metadata.nodeName);
			const data = fromAnswerNode && isJsonObjectText(text) ? text : JSON.stringify({ data: text });
			return `data: ${data}\n\n`;
		}
		case 'error':
			return `data: ${JSON.stringify(gatewayErrorBody('workflow_error', 'The request could not be completed.'))}\n\n`;
		case 'keepalive':
			return ': keepalive\n\n';
		case 'begin':
		case 'end':
			return '';
		default:
			return line;
	}
}

interface StreamingResponse {
	write: (...args: never[]) => boolean;
	end: (...args: never[]) => unknown;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;
type End = (...args: unknown[]) => unknown;

/**
 * Makes an HTTP response write SSE instead of n8n's streaming lines. n8n writes every chunk of a
 * streaming execution to the response object the trigger received (in queue mode too: the main
 * process relays the worker's chunks to it) and ends it when the execution finishes, so wrapping
 * that object's `write` and `end` once, before the workflow starts, frames every chunk. Text is
 * converted line by line (a line split over two writes waits for its end); `end` flushes what is
 * left and adds `data: [DONE]`. Buffers pass through unchanged. `answerNodes`: the names of the
 * nodes whose JSON chunks are sent as they are (see `sseFromN8nLine`).
 */
export function frameAsSse(res: StreamingResponse, answerNodes: ReadonlySet<string>): void {
	const target = res as unknown as { write: Write; end: End };
	const write = target.write.bind(res) as Write;
	const end = target.end.bind(res) as End;
	let pending = '';
	let ended = false;
	target.write = (chunk: unknown, ...rest: unknown[]) => {
		if (typeof chunk !== 'string') return write(chunk, ...rest);
		const text = pending + chunk;
		const cut = text.lastIndexOf('\n') + 1;
		pending = text.slice(cut);
		return write(sseFromN8nText(text.slice(0, cut), answerNodes), ...rest);
	};
	target.end = (...args: unknown[]) => {
		if (ended) return end(...args);
		ended = true;
		const [chunk] = args;
		const last = typeof chunk === 'string' ? chunk : '';
		const rest = typeof chunk === 'string' ? args.slice(1) : args;
		const tail = sseFromN8nText(`${pending}${last}\n`, answerNodes);
		pending = '';
		return end(`${tail}data: ${SSE_DONE}\n\n`, ...rest);
	};
}

/** Converts what n8n writes (whole lines, each ending in a newline) to SSE. */
export function sseFromN8nText(text: string, answerNodes: ReadonlySet<string>): string {
	return text
		.split('\n')
		.map((line) => (line.trim() === '' ? '' : sseFromN8nLine(line, answerNodes)))
		.join('');
}
