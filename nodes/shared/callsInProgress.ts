import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

/**
 * The calls a trigger has taken and not answered yet, counted per trigger node in this n8n process.
 *
 * n8n starts an execution for every call it receives and runs them all at once. Offered more calls
 * than it can finish, it slows every one of them down, past KooGallery's 5-second limit, while its
 * memory grows with the calls it holds (BENCHMARKS.md, "Load"). A trigger with a busy limit turns a
 * call beyond the limit away at once instead, with HTTP 503 and no result code, which KooGallery
 * retries later; the calls it keeps are answered in time.
 */

/** The part of n8n's HTTP response the count needs: it ends when the response finishes or closes. */
export interface EndingResponse {
	once?(event: 'finish' | 'close', listener: () => void): unknown;
}

export class CallsInProgress {
	private readonly counts = new Map<string, number>();
	private readonly refusals = new Map<string, { count: number; reportedAt: number }>();

	/** Calls of `key` in progress now. */
	count(key: string): number {
		return this.counts.get(key) ?? 0;
	}

	/**
	 * Takes a call in unless `limit` calls of `key` are already in progress (a limit of 0 or less
	 * means none). A call taken in counts until `response` finishes or closes, whichever comes first.
	 */
	tryEnter(key: string, limit: number, response: EndingResponse): boolean {
		if (!(limit > 0) || typeof response.once !== 'function') return true;
		const count = this.count(key);
		if (count >= limit) return false;
		this.counts.set(key, count + 1);
		let left = false;
		const leave = () => {
			if (left) return;
			left = true;
			const remaining = this.count(key) - 1;
			if (remaining > 0) this.counts.set(key, remaining);
			else this.counts.delete(key);
		};
		response.once('finish', leave);
		response.once('close', leave);
		return true;
	}

	/**
	 * Notes one call of `key` turned away. Returns how many were turned away since the last report
	 * when one is due (the first, then at most one every `everyMs`), so the log says it without a
	 * line per call; otherwise undefined.
	 */
	noteRefusal(key: string, nowMs: number, everyMs = 10_000): number | undefined {
		const entry = this.refusals.get(key) ?? { count: 0, reportedAt: -Infinity };
		entry.count++;
		this.refusals.set(key, entry);
		if (nowMs - entry.reportedAt < everyMs) return undefined;
		const count = entry.count;
		this.refusals.set(key, { count: 0, reportedAt: nowMs });
		return count;
	}
}

/** The triggers' Busy Limit option (read as `options.maxCallsInProgress`); `description` says what a refusal means for its caller. */
export function busyLimitOption(description: string): INodeProperties {
	return {
		displayName: 'Busy Limit (Calls Waiting for an Answer)',
		name: 'maxCallsInProgress',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description,
	};
}

/** One count for the whole n8n process, shared by the triggers (each node has its own key). */
const callsInProgress = new CallsInProgress();

/**
 * Whether a trigger takes the call it is handling, under its Busy Limit (`limit`, 0 for none).
 * When it does not, the operator is told in the log, at most once every 10 s, how many calls were
 * turned away; the trigger then answers HTTP 503 itself.
 */
export function takeCall(
	context: IWebhookFunctions,
	limit: number,
	words: { calls: string; retry: string },
): boolean {
	const node = context.getNode();
	const workflowId = context.getWorkflow().id;
	const key = `${workflowId ?? ''}\u0000${node.name}`;
	if (callsInProgress.tryEnter(key, limit, context.getResponseObject())) return true;
	const turnedAway = callsInProgress.noteRefusal(key, Date.now());
	if (turnedAway !== undefined) {
		context.logger.warn(
			`${words.calls} turned away (HTTP 503): ${turnedAway === 1 ? 'a call' : `${turnedAway} calls`} arrived while ${limit} call${limit === 1 ? ' was' : 's were'} already waiting for an answer from node "${node.name}" (its Busy Limit option); ${words.retry}`,
			{ workflowId, node: node.name },
		);
	}
	return false;
}
