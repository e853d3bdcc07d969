/**
 * One HTTP exchange with a production interface, read the way KooGallery reads it: the status,
 * the exact bytes, `Body-Sign` checked over those bytes, then the JSON.
 */
import { verifyBodySign } from '../core/body-sign';

export interface CallAnswer {
	status: number;
	/** The exact bytes received, as text (or the network error). */
	text: string;
	headers: Record<string, string>;
	/** Body-Sign verified with the key over the exact bytes. */
	signed: boolean;
	json?: Record<string, unknown>;
	ms: number;
}

export interface HttpCall {
	method: 'GET' | 'POST';
	url: string;
	headers?: Record<string, string>;
	body?: string;
}

/**
 * How long a call may take before it counts as unanswered: KooGallery's 5 seconds. The tests raise
 * it (test/e2e/setup.cts): on a busy machine an answer may come later, and how fast answers come is
 * measured by the benchmarks, not judged by the tests.
 */
let answerTimeoutMs = 5000;
export function setAnswerTimeout(ms: number): void {
	answerTimeoutMs = ms;
}

/** Sends a call and reads the answer; network errors become status 0 with the reason. */
export async function sendHttp(call: HttpCall, key: string, timeoutMs = answerTimeoutMs): Promise<CallAnswer> {
	const started = Date.now();
	try {
		const response = await fetch(call.url, {
			method: call.method,
			headers: call.headers,
			body: call.method === 'GET' ? undefined : call.body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const bytes = Buffer.from(await response.arrayBuffer());
		const headers: Record<string, string> = {};
		response.headers.forEach((value, name) => (headers[name] = value));
		let json: Record<string, unknown> | undefined;
		try {
			const parsed = JSON.parse(bytes.toString('utf8'));
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed;
		} catch {
			json = undefined;
		}
		return {
			status: response.status,
			text: bytes.toString('utf8'),
			headers,
			signed: verifyBodySign(key, bytes, headers['body-sign']),
			json,
			ms: Date.now() - started,
		};
	} catch (error) {
		return { status: 0, text: String((error as Error).message), headers: {}, signed: false, ms: Date.now() - started };
	}
}
