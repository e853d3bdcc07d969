import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import { AdaptiveLimit } from './adaptiveLimit';

/**
 * The calls a trigger has taken and not answered yet, counted per trigger node in this n8n process.
 *
 * n8n starts an execution for every call it receives and runs them all at once. Offered more calls
 * than it can finish, it slows every one of them down, past KooGallery's 5-second limit, while its
 * memory grows with the calls it holds (BENCHMARKS.md, "Load"). A trigger with a busy limit turns a
 * call beyond the limit away at once instead, with HTTP 503 and no result code, which KooGallery
 * retries later; the calls it keeps are answered in time. The limit is a number the operator sets,
 * or "auto": learnt per trigger from how fast its calls are answered (adaptiveLimit.ts).
 */

/** A number of calls (0 or less for none), or "auto". */
export type BusyLimit = number | 'auto';

/** The part of n8n's HTTP response the count needs: it ends when the response finishes or closes. */
export interface EndingResponse {
	once?(event: 'finish' | 'close', listener: () => void): unknown;
}

export class CallsInProgress {
	private readonly counts = new Map<string, number>();
	private readonly refusals = new Map<string, { count: number; reportedAt: number }>();
	private readonly adaptive = new Map<string, AdaptiveLimit>();

	/** `clock` gives the time in ms (tests pass their own). */
	constructor(private readonly clock: () => number = Date.now) {}

	/** Calls of `key` in progress now. */
	count(key: string): number {
		return this.counts.get(key) ?? 0;
	}

	/** The limit in force for `key` now: the number set, or what "auto" has learnt so far. */
	limitOf(key: string, limit: BusyLimit): number {
		return limit === 'auto' ? this.autoLimit(key).limit : limit;
	}

	/**
	 * Takes a call in unless the limit of calls of `key` are already in progress (a limit of 0 or
	 * less means none). A call taken in counts until `response` finishes or closes, whichever comes
	 * first; with "auto", how long that took teaches the limit.
	 */
	tryEnter(key: string, limit: BusyLimit, response: EndingResponse): boolean {
		const max = this.limitOf(key, limit);
		if (!(max > 0) || typeof response.once !== 'function') return true;
		const count = this.count(key) + 1;
		if (count > max) return false;
		this.counts.set(key, count);
		const auto = limit === 'auto' ? this.autoLimit(key) : undefined;
		const takenAt = this.clock();
		auto?.noteTaken(count);
		let left = false;
		const leave = () => {
			if (left) return;
			left = true;
			const remaining = this.count(key) - 1;
			if (remaining > 0) this.counts.set(key, remaining);
			else this.counts.delete(key);
			auto?.noteAnswered(takenAt, this.clock());
		};
		response.once('finish', leave);
		response.once('close', leave);
		return true;
	}

	private autoLimit(key: string): AdaptiveLimit {
		let auto = this.adaptive.get(key);
		if (!auto) this.adaptive.set(key, (auto = new AdaptiveLimit()));
		return auto;
	}

	/**
	 * Notes one call of `key` turned away. Returns how many were turned away since the last report
	 * when one is due (the first, then at most one every `everyMs`), so the log says it without a
	 * line per call; otherwise undefined.
	 */
	noteRefusal(key: string, everyMs = 10_000): number | undefined {
		const nowMs = this.clock();
		const entry = this.refusals.get(key) ?? { count: 0, reportedAt: -Infinity };
		entry.count++;
		this.refusals.set(key, entry);
		if (nowMs - entry.reportedAt < everyMs) return undefined;
		const count = entry.count;
		this.refusals.set(key, { count: 0, reportedAt: nowMs });
		return count;
	}
}

/** The triggers' Busy Limit number (read as `options.maxCallsInProgress`); `description` says what a refusal means for its caller. */
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

/**
 * The KooGallery Trigger's Busy Limit setting (read as `options.busyLimit`): "auto" learns the
 * limit that keeps answers inside KooGallery's 5 seconds; a Busy Limit number overrides it.
 */
export const autoBusyLimitOption: INodeProperties = {
	displayName: 'Busy Limit',
	name: 'busyLimit',
	type: 'options',
	default: 'auto',
	options: [
		{
			name: 'Auto',
			value: 'auto',
			description:
				'Learn from how fast calls are answered how many may wait at once, and turn a call away with HTTP 503 (KooGallery retries it) when it would be answered after 5 seconds',
		},
		{ name: 'Off', value: 'off', description: 'Take every call, however busy n8n is' },
	],
	description:
		'What to do when more KooGallery calls arrive than n8n can answer within 5 seconds. A Busy Limit number above 0 overrides this.',
};

/** The limit a KooGallery Trigger's options set: a number above 0 wins over "auto". */
export function busyLimitFrom(options: {
	busyLimit?: string;
	maxCallsInProgress?: number;
}): BusyLimit {
	const fixed = options.maxCallsInProgress ?? 0;
	if (fixed > 0) return fixed;
	return options.busyLimit === 'auto' ? 'auto' : 0;
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
	limit: BusyLimit,
	words: { calls: string; retry: string },
): boolean {
	const node = context.getNode();
	const workflowId = context.getWorkflow().id;
	const key = `${workflowId ?? ''}\u0000${node.name}`;
	if (callsInProgress.tryEnter(key, limit, context.getResponseObject())) return true;
	const turnedAway = callsInProgress.noteRefusal(key);
	if (turnedAway !== undefined) {
		const max = callsInProgress.limitOf(key, limit); // a refusal leaves the limit as it was
		context.logger.warn(
			`${words.calls} turned away (HTTP 503): ${turnedAway === 1 ? 'a call' : `${turnedAway} calls`} arrived while ${max} call${max === 1 ? ' was' : 's were'} already waiting for an answer from node "${node.name}" (its Busy Limit option${limit === 'auto' ? ', Auto' : ''}); ${words.retry}`,
			{ workflowId, node: node.name },
		);
	}
	return false;
}
