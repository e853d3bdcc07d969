/**
 * The Busy Limit's "Auto" setting: how many calls a trigger may have waiting for their answer,
 * learnt from how fast the answers come, so that no call it takes is answered after KooGallery's
 * 5 seconds and the operator never has to guess a number.
 *
 * Ideas taken from proven adaptive concurrency limiters:
 * - The estimate is Little's law (calls in progress = answers per second × time to answer), the
 *   estimate behind Netflix concurrency-limits' Vegas limiter and TCP BBR (bandwidth × delay).
 *   They aim at the shortest delay seen; a KooGallery call has a deadline instead, so here the
 *   limit is what the process answered per second in the last window times a fixed target well
 *   inside the 5 seconds. A process that is full answers at its own pace whatever comes in, so
 *   the calls it holds are then answered after about the target.
 * - While the limit is not really used (Netflix's "app-limited" check), it grows no further than
 *   what the process answered per second times the target: that many calls it has shown it answers
 *   in time, so a quiet hour leaves no limit that a burst then overshoots, and a short pause of
 *   n8n's (a garbage collection) that gathers calls does not turn away calls at a rate n8n answers
 *   easily.
 * - It starts low and grows at most twofold a window (TCP slow start; Envoy's adaptive concurrency
 *   filter also starts from a small limit), so the first burst after a start is answered in time.
 * - Growth is smoothed (Gradient2's smoothing); a cut is not, so an overload stops within one
 *   window.
 * No timer runs: the limit is worked out when an answer finishes, from the clock passed in.
 */

export interface AdaptiveLimitSettings {
	/** The slowest answer of a window should take at most this long (ms); the deadline is 5 s. */
	targetMs: number;
	/** How long a window of answers lasts at least (ms). */
	windowMs: number;
	initialLimit: number;
	minLimit: number;
	maxLimit: number;
}

export const AUTO_LIMIT_SETTINGS: AdaptiveLimitSettings = {
	// 2 s, not more: under four times the load n8n can answer, a call also waits up to about 1 s
	// inside n8n before the trigger sees it (BENCHMARKS.md, Busy Limit), and that wait counts
	// towards KooGallery's 5 seconds too. A full process answers at its own pace whatever it holds,
	// so a shorter target costs no throughput.
	targetMs: 2000,
	windowMs: 1000,
	initialLimit: 4,
	minLimit: 2,
	maxLimit: 1000,
};

export class AdaptiveLimit {
	private limitValue: number;
	private windowStart: number | undefined;
	private slowestMs = 0;
	private answers = 0;
	private busiest = 0;

	constructor(private readonly settings: AdaptiveLimitSettings = AUTO_LIMIT_SETTINGS) {
		this.limitValue = settings.initialLimit;
	}

	/** Calls that may be in progress at once now. */
	get limit(): number {
		return Math.floor(this.limitValue);
	}

	/** A call was taken while `inProgress` calls (itself included) were waiting for their answer. */
	noteTaken(inProgress: number): void {
		if (inProgress > this.busiest) this.busiest = inProgress;
	}

	/** A call taken at `startMs` was answered (or its caller left) at `endMs`. */
	noteAnswered(startMs: number, endMs: number): void {
		if (this.windowStart === undefined) {
			this.windowStart = endMs; // the first answer opens the first window
			return;
		}
		this.answers++;
		this.slowestMs = Math.max(this.slowestMs, endMs - startMs);
		const elapsedMs = endMs - this.windowStart;
		if (elapsedMs < this.settings.windowMs) return;
		this.limitValue = this.next(elapsedMs);
		this.windowStart = endMs;
		this.slowestMs = 0;
		this.answers = 0;
		this.busiest = 0;
	}

	private next(elapsedMs: number): number {
		const { targetMs, minLimit, maxLimit } = this.settings;
		const limit = this.limitValue;
		const answerable = (this.answers / elapsedMs) * targetMs;
		let next: number;
		if (this.slowestMs > targetMs) next = Math.min(limit, answerable);
		// Answers were quick: the process answered `answerable` calls within the target, so that
		// many may wait even if fewer were in progress (a pause of n8n's, such as a garbage
		// collection, gathers calls a rate it answers easily never would).
		else if (this.busiest * 2 < limit) next = Math.max(limit, Math.min(limit * 2, answerable));
		else next = Math.min(limit * 2, Math.max(limit, (limit + answerable) / 2));
		return Math.min(maxLimit, Math.max(minLimit, next));
	}
}
