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
 * - A call's time also counts what it waited inside n8n before the trigger saw it (under n8n's
 *   default expression-engine settings every call first waits for n8n's one expression sandbox).
 *   That wait is read from the call's signed timestamp: its age on arrival (this server's clock
 *   minus the timestamp) is the clock difference between KooGallery and this server, plus the
 *   network, plus the wait. As Vegas takes the shortest round trip seen as the delay without a
 *   queue, the shortest age of a genuine call (signature checked) is taken as the age of a call
 *   that did not wait (NoWaitAge). As BBR re-measures its shortest round trip only once its queue
 *   has drained (PROBE_RTT), that age is set afresh only by a call that met no load, never from
 *   calls that waited, which would make it creep up under a long overload (Vegas's known flaw).
 *   It is forgotten when, while n8n is busy, no call was taken for 30 s (every one seemed to have
 *   waited too long; under a real overload some still get through, so the clocks moved), and after
 *   10 minutes: calls are never turned away for good. The trigger's clock is monotonic
 *   (callsInProgress.ts), so a step of this server's clock changes no age.
 * - A call that already waited so long that it would likely be answered after KooGallery's 5
 *   seconds, even within the target, is turned away, but only while n8n is busy (calls in progress
 *   or just turned away): CoDel's rule, as Facebook applies it to server queues ("Fail at Scale",
 *   ACM Queue 2015: a request that waited too long is dropped only while the queue has not been
 *   empty lately). A call that met no load is never turned away for its age: without load no call
 *   waits, so its age means the clocks moved, and it teaches the new age instead.
 * No timer runs: the limit is worked out when an answer finishes, from the clock passed in.
 */

export interface AdaptiveLimitSettings extends Partial<WaitSettings> {
	/** The slowest answer of a window should take at most this long (ms); the deadline is 5 s. */
	targetMs: number;
	/** How long a window of answers lasts at least (ms). */
	windowMs: number;
	initialLimit: number;
	minLimit: number;
	maxLimit: number;
}

/** How the wait before the trigger is judged (those of AUTO_LIMIT_SETTINGS when not given). */
export interface WaitSettings {
	/** KooGallery's deadline for an answer (ms), counted from when it sent the call. */
	deadlineMs: number;
	/**
	 * Kept free of the deadline besides the target (ms): the way back to KooGallery, a window in
	 * which answers exceed the target before the limit is cut, and the network's jitter.
	 */
	marginMs: number;
	/** How often (ms) a quiet call sets afresh the age of a call that did not wait (clock drift). */
	noWaitRefreshMs: number;
	/** That age is forgotten when it was not set afresh for this long (ms), even under load. */
	noWaitMaxAgeMs: number;
	/** After this long (ms) without taking a call, waits are no reason to turn calls away. */
	lockoutMs: number;
}

export const AUTO_LIMIT_SETTINGS: Required<AdaptiveLimitSettings> = {
	// 2 s, not more: under overload a call also waits inside n8n before the trigger sees it
	// (BENCHMARKS.md, Busy Limit; up to about 3 s with n8n's default expression engine), and that
	// wait counts towards KooGallery's 5 seconds too. A full process answers at its own pace
	// whatever it holds, so a shorter target costs no throughput.
	targetMs: 2000,
	windowMs: 1000,
	initialLimit: 4,
	minLimit: 2,
	maxLimit: 1000,
	deadlineMs: 5000,
	// So a call that already waited more than 5 - 2 - 1 = 2 s is turned away while n8n is busy.
	marginMs: 1000,
	noWaitRefreshMs: 60_000,
	// Long: under a long overload the calls taken waited (up to 2 s), and what is then learnt afresh
	// from them makes the waits of later calls look shorter than they are.
	noWaitMaxAgeMs: 600_000,
	// Under a real overload calls are still taken now and then (the wait rises and falls).
	lockoutMs: 30_000,
};

/** The longest a call may have waited before the trigger and still be taken while n8n is busy. */
export function allowedWaitMs({
	deadlineMs,
	targetMs,
	marginMs,
}: Pick<Required<AdaptiveLimitSettings>, 'deadlineMs' | 'targetMs' | 'marginMs'>): number {
	return deadlineMs - targetMs - marginMs;
}

/** What Busy Limit Auto makes of a call that arrives while the limit leaves room for it. */
export interface Arrival {
	/** How long it waited inside n8n before the trigger (0 when that cannot be told). */
	waitedMs: number;
	/** It waited so long, while n8n was busy, that it would likely be answered after the deadline. */
	tooLate: boolean;
	/** Nothing was in progress and nothing was turned away just before: n8n was not busy. */
	quiet: boolean;
}

/**
 * The age a call that did not wait arrives with: the clock difference between KooGallery and
 * this server plus the network. It is the smallest age of a genuine call since it was last set
 * afresh, to the age of one genuine call:
 * - when nothing is known (the first call, or nothing set afresh for `noWaitMaxAgeMs`);
 * - by a quiet call (one that met no load) that seems to have waited longer than `believableMs`:
 *   without load no call waits, so the clocks moved (KooGallery's clock went back, or a clock
 *   passed in stepped);
 * - by a quiet call when the value is older than `noWaitRefreshMs`: the clocks drift apart.
 * Calls taken under load only lower it. Set afresh from them, it would creep up during a long
 * overload (they waited up to the wait allowed) and make every later call seem to have waited
 * less: the "persistent congestion" that makes Vegas's shortest round trip creep up.
 */
export class NoWaitAge {
	private value: number | undefined;
	private setAt = -Infinity;

	constructor(
		private readonly settings: Pick<WaitSettings, 'noWaitRefreshMs' | 'noWaitMaxAgeMs'>,
		/** Longer than this, a wait is not believed of a call that met no load. */
		private readonly believableMs: number,
	) {}

	/** How long a call of `ageMs` waited beyond a call that did not wait (undefined when unknown). */
	waitedMs(ageMs: number, nowMs: number): number | undefined {
		const value = this.valueAt(nowMs);
		return value === undefined ? undefined : Math.max(0, ageMs - value);
	}

	/** A genuine call arrived `ageMs` after its timestamp; `quiet`: it met no load. */
	learn(ageMs: number, nowMs: number, quiet: boolean): void {
		const value = this.valueAt(nowMs);
		const afresh =
			value === undefined ||
			(quiet &&
				(ageMs - value > this.believableMs || nowMs - this.setAt >= this.settings.noWaitRefreshMs));
		if (afresh) {
			this.value = ageMs;
			this.setAt = nowMs;
		} else this.value = Math.min(value, ageMs);
	}

	/** Forgets what was learnt. */
	forget(): void {
		this.value = undefined;
	}

	private valueAt(nowMs: number): number | undefined {
		// Set "later than now": a clock passed in went back.
		const fresh = nowMs >= this.setAt && nowMs - this.setAt < this.settings.noWaitMaxAgeMs;
		return fresh ? this.value : undefined;
	}
}

export class AdaptiveLimit {
	private limitValue: number;
	private windowStart: number | undefined;
	private slowestMs = 0;
	private answers = 0;
	private busiest = 0;
	private readonly noWaitAge: NoWaitAge;
	private turnedAwayAt = -Infinity;
	private takenAt = -Infinity;
	private readonly settings: Required<AdaptiveLimitSettings>;

	constructor(settings: AdaptiveLimitSettings = AUTO_LIMIT_SETTINGS) {
		this.settings = { ...AUTO_LIMIT_SETTINGS, ...settings };
		this.limitValue = settings.initialLimit;
		this.noWaitAge = new NoWaitAge(this.settings, this.allowedWaitMs);
	}

	/** Calls that may be in progress at once now. */
	get limit(): number {
		return Math.floor(this.limitValue);
	}

	/** The longest a call may have waited before the trigger and still be taken while n8n is busy. */
	get allowedWaitMs(): number {
		return allowedWaitMs(this.settings);
	}

	/**
	 * A call arrives at `nowMs`, `ageMs` after its timestamp (as sent, not yet checked; undefined
	 * without one), while `inProgress` other calls wait for their answer and the limit leaves room
	 * for it.
	 */
	arrive(ageMs: number | undefined, inProgress: number, nowMs: number): Arrival {
		// A call waits before the trigger only while n8n is busy, and then this trigger has calls in
		// progress or has just turned one away. Otherwise a long wait is not believed: the call is
		// taken, and its age is learnt afresh (noteGenuine).
		const quiet = inProgress === 0 && !(nowMs - this.turnedAwayAt < this.settings.windowMs);
		let waitedMs = ageMs === undefined ? 0 : (this.noWaitAge.waitedMs(ageMs, nowMs) ?? 0);
		// No call taken for so long while calls kept arriving: every one seemed to have waited too
		// long. Under a real overload some calls are still taken (the wait before the trigger rises
		// and falls), so the clocks moved under load (KooGallery's clock went back): what was
		// learnt is forgotten and this call taken, to learn afresh.
		if (
			!quiet &&
			waitedMs > this.allowedWaitMs &&
			!(nowMs - this.takenAt < this.settings.lockoutMs)
		) {
			this.noWaitAge.forget();
			waitedMs = 0;
		}
		return { waitedMs, quiet, tooLate: !quiet && waitedMs > this.allowedWaitMs };
	}

	/** A call was turned away at `nowMs`, whatever the reason. */
	noteTurnedAway(nowMs: number): void {
		this.turnedAwayAt = nowMs;
	}

	/**
	 * A call taken, having arrived `ageMs` after its timestamp as {@link arrive} said, proved
	 * genuine at `nowMs` (its signature checked out). Only genuine calls teach how old a call that
	 * did not wait arrives, so a forged timestamp can only get its own call turned away.
	 */
	noteGenuine(ageMs: number, nowMs: number, arrival: Arrival): void {
		this.noWaitAge.learn(ageMs, nowMs, arrival.quiet);
	}

	/**
	 * A call was taken (at `nowMs`) while `inProgress` calls (itself included) were waiting for
	 * their answer.
	 */
	noteTaken(inProgress: number, nowMs?: number): void {
		if (inProgress > this.busiest) this.busiest = inProgress;
		if (nowMs !== undefined) this.takenAt = nowMs;
	}

	/**
	 * A call taken at `startMs` was answered (or its caller left) at `endMs`; `waitedMs` before the
	 * trigger count too, since KooGallery's 5 seconds run from when it sent the call.
	 */
	noteAnswered(startMs: number, endMs: number, waitedMs = 0): void {
		if (this.windowStart === undefined) {
			this.windowStart = endMs; // the first answer opens the first window
			return;
		}
		this.answers++;
		this.slowestMs = Math.max(this.slowestMs, endMs - startMs + waitedMs);
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
