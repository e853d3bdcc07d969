import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import { AdaptiveLimit, allowedWaitMs, AUTO_LIMIT_SETTINGS } from './adaptiveLimit';

/**
 * The calls a trigger has taken and not answered yet, counted per trigger node in this n8n process.
 *
 * n8n starts an execution for every call it receives and runs them all at once. Offered more calls
 * than it can finish, it slows every one of them down, past KooGallery's 5-second limit, while its
 * memory grows with the calls it holds (BENCHMARKS.md, "Load"). A trigger with a busy limit turns a
 * call beyond the limit away at once instead, with HTTP 503 and no result code, which KooGallery
 * retries later; the calls it keeps are answered in time. The limit is a number the operator sets,
 * or "auto": learnt per trigger from how fast its calls are answered (adaptiveLimit.ts). With
 * "auto" a call that already waited too long inside n8n before the trigger saw it, as its signed
 * timestamp tells, is turned away too while n8n is busy.
 */

/** A number of calls (0 or less for none), or "auto". */
export type BusyLimit = number | 'auto';

/** The part of n8n's HTTP response the count needs: it ends when the response finishes or closes. */
export interface EndingResponse {
	once?(event: 'finish' | 'close', listener: () => void): unknown;
}

/** Why a call was turned away: the limit of calls was in progress, or it had waited too long already. */
export type Refusal = 'full' | 'waited';

/** A call taken in. */
export interface TakenCall {
	/**
	 * Its signature checked out: the timestamp it was taken with is KooGallery's, and teaches Busy
	 * Limit Auto how old a call that did not wait arrives. Only genuine calls teach it, so a forged
	 * timestamp can only get its own call turned away.
	 */
	genuine(): void;
}

const NOTHING_TO_LEARN: TakenCall = { genuine: () => undefined };

/** The turned-away calls of one report, by why. */
export interface RefusalReport {
	full: number;
	waited: number;
}

/**
 * Milliseconds since 1970 that never step: the time this process started plus a monotonic clock.
 * A clock step (NTP setting the system clock) neither stretches nor shortens what is measured.
 */
const steadyClock = (): number => performance.timeOrigin + performance.now();

export class CallsInProgress {
	private readonly counts = new Map<string, number>();
	private readonly refusals = new Map<string, RefusalReport & { reportedAt: number }>();
	private readonly adaptive = new Map<string, AdaptiveLimit>();

	/** `clock` gives the time in ms (tests pass their own). */
	constructor(private readonly clock: () => number = steadyClock) {}

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
	 *
	 * `sentAtMs` is the call's timestamp, as sent and not yet checked (the time the caller sent it,
	 * by its clock). With "auto" it tells how long the call already waited inside n8n before the
	 * trigger saw it, measured against the calls whose timestamp proved genuine
	 * ({@link TakenCall.genuine}): that wait counts in the time its answer takes, and a call that
	 * waited too long is turned away while n8n is busy.
	 */
	tryEnter(key: string, limit: BusyLimit, response: EndingResponse, sentAtMs?: number): boolean {
		return typeof this.enter(key, limit, response, sentAtMs) !== 'string';
	}

	/** As {@link tryEnter}: the call taken, or why it was not. */
	enter(
		key: string,
		limit: BusyLimit,
		response: EndingResponse,
		sentAtMs?: number,
	): TakenCall | Refusal {
		const max = this.limitOf(key, limit);
		if (!(max > 0) || typeof response.once !== 'function') return NOTHING_TO_LEARN;
		const count = this.count(key) + 1;
		const auto = limit === 'auto' ? this.autoLimit(key) : undefined;
		const takenAt = this.clock();
		if (count > max) {
			auto?.noteTurnedAway(takenAt);
			return 'full';
		}
		const ageMs =
			sentAtMs === undefined || !Number.isFinite(sentAtMs) ? undefined : takenAt - sentAtMs;
		const arrival = auto?.arrive(ageMs, count - 1, takenAt);
		if (arrival?.tooLate) {
			auto?.noteTurnedAway(takenAt);
			return 'waited';
		}
		this.counts.set(key, count);
		auto?.noteTaken(count, takenAt);
		let left = false;
		const leave = () => {
			if (left) return;
			left = true;
			const remaining = this.count(key) - 1;
			if (remaining > 0) this.counts.set(key, remaining);
			else this.counts.delete(key);
			auto?.noteAnswered(takenAt, this.clock(), arrival?.waitedMs);
		};
		response.once('finish', leave);
		response.once('close', leave);
		if (!auto || !arrival || ageMs === undefined) return NOTHING_TO_LEARN;
		let learnt = false;
		return {
			genuine: () => {
				if (learnt) return;
				learnt = true;
				auto.noteGenuine(ageMs, this.clock(), arrival);
			},
		};
	}

	private autoLimit(key: string): AdaptiveLimit {
		let auto = this.adaptive.get(key);
		if (!auto) this.adaptive.set(key, (auto = new AdaptiveLimit()));
		return auto;
	}

	/**
	 * Notes one call of `key` turned away, and why. Returns how many were turned away since the last
	 * report, by why, when one is due (the first, then at most one every `everyMs`), so the log says
	 * it without a line per call; otherwise undefined.
	 */
	noteRefusal(key: string, why: Refusal = 'full', everyMs = 10_000): RefusalReport | undefined {
		const nowMs = this.clock();
		const entry = this.refusals.get(key) ?? { full: 0, waited: 0, reportedAt: -Infinity };
		entry[why]++;
		this.refusals.set(key, entry);
		if (nowMs - entry.reportedAt < everyMs) return undefined;
		this.refusals.set(key, { full: 0, waited: 0, reportedAt: nowMs });
		return { full: entry.full, waited: entry.waited };
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
				"Learn from how fast calls are answered how many may wait at once, and turn a call away with HTTP 503 (KooGallery retries it) when it would be answered after 5 seconds. The time a call already waited inside n8n before reaching this trigger counts too, read from the call's signed timestamp.",
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

/** How long a call may have waited inside n8n before the trigger, under Auto, in whole seconds. */
const WAIT_ALLOWED_S = allowedWaitMs(AUTO_LIMIT_SETTINGS) / 1000;

const callsText = (n: number): string => (n === 1 ? 'a call' : `${n} calls`);

/**
 * Takes the call a trigger is handling, under its Busy Limit (`limit`, 0 for none), or not
 * (undefined).
 * `sentAtMs` is the call's timestamp as sent (not yet checked), when its protocol has one that
 * KooGallery sets when it sends the call: with Auto, a call that already waited too long inside
 * n8n is turned away too. When a call is not taken, the operator is told in the log, at most once
 * every 10 s, how many calls were turned away and why; the trigger then answers HTTP 503 itself.
 */
export function takeCall(
	context: IWebhookFunctions,
	limit: BusyLimit,
	words: { calls: string; retry: string },
	sentAtMs?: number,
): TakenCall | undefined {
	const node = context.getNode();
	const workflowId = context.getWorkflow().id;
	const key = `${workflowId ?? ''}\u0000${node.name}`;
	const entered = callsInProgress.enter(key, limit, context.getResponseObject(), sentAtMs);
	if (typeof entered !== 'string') return entered;
	const report = callsInProgress.noteRefusal(key, entered);
	if (report !== undefined) {
		const max = callsInProgress.limitOf(key, limit); // a refusal leaves the limit as it was
		const reasons = [];
		if (report.full > 0)
			reasons.push(
				`${callsText(report.full)} arrived while ${max} call${max === 1 ? ' was' : 's were'} already waiting for an answer from node "${node.name}"`,
			);
		if (report.waited > 0)
			reasons.push(
				`${callsText(report.waited)} had already waited more than ${WAIT_ALLOWED_S} s inside n8n before node "${node.name}" saw ${report.waited === 1 ? 'it' : 'them'}, too long to be answered within KooGallery's 5 seconds`,
			);
		context.logger.warn(
			`${words.calls} turned away (HTTP 503): ${reasons.join('; ')} (its Busy Limit option${limit === 'auto' ? ', Auto' : ''}); ${words.retry}`,
			{ workflowId, node: node.name },
		);
	}
	return undefined;
}
