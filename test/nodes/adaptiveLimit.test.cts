import { EventEmitter } from 'node:events';

import { AdaptiveLimit } from '../../nodes/shared/adaptiveLimit';
import { busyLimitFrom, CallsInProgress, type BusyLimit } from '../../nodes/shared/callsInProgress';

/**
 * Busy Limit Auto against a simulated n8n, in simulated time (so the result is the same on any
 * machine): a process that answers `capacity` calls a second, shared equally by the calls it holds
 * (one JavaScript thread runs every execution a little at a time), offered calls at random times
 * at a multiple of that rate. Every call is either turned away at once (503) or answered; what
 * matters is how late the answers are and how many are answered.
 */
function simulate(capacity: number, rateFactor: number, limit: BusyLimit, seconds = 120) {
	let now = 0;
	const calls = new CallsInProgress(() => now);
	const workMs = 1000 / capacity;
	const stepMs = 5;
	// Poisson arrivals from a seeded generator.
	let seed = 12345;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
	let nextArrival = 0;
	const arrival = () => (nextArrival += (-Math.log(random()) * 1000) / (capacity * rateFactor));
	arrival();
	const holding: { start: number; left: number; response: EventEmitter }[] = [];
	const latencies: number[] = [];
	let turnedAway = 0;
	while (now < seconds * 1000 || holding.length > 0) {
		while (nextArrival < now + stepMs && nextArrival < seconds * 1000) {
			const response = new EventEmitter();
			if (calls.tryEnter('trigger', limit, response))
				holding.push({ start: now, left: workMs, response });
			else turnedAway++;
			arrival();
		}
		const share = stepMs / Math.max(holding.length, 1);
		now += stepMs;
		for (let i = holding.length - 1; i >= 0; i--) {
			const call = holding[i];
			call.left -= share;
			if (call.left > 0) continue;
			holding.splice(i, 1);
			latencies.push(now - call.start);
			call.response.emit('finish');
		}
	}
	const offered = latencies.length + turnedAway;
	return {
		offered,
		answered: latencies.length,
		turnedAway,
		slowestMs: Math.max(...latencies),
		answeredPerSecond: latencies.length / seconds,
	};
}

describe('Busy Limit Auto (nodes/shared/adaptiveLimit.ts)', () => {
	// 8 calls a second is about what n8n 2.41.1 answers with its default expression engine on 2
	// cores, 40 with the tuned settings (BENCHMARKS.md, "Load").
	for (const capacity of [8, 40]) {
		describe(`a process that answers ${capacity} calls a second`, () => {
			for (const factor of [0.5, 1, 2, 4]) {
				it(`offered ${factor}x that rate: no answer after 3.5 s (KooGallery waits 5), and at 2x and 4x at least 80% of the rate answered`, () => {
					const run = simulate(capacity, factor, 'auto');
					// n8n itself may hold a call up to about 1 s before the trigger sees it (BENCHMARKS.md),
					// which this simulation leaves out: Auto must leave that time free.
					expect(run.slowestMs).toBeLessThanOrEqual(3500);
					expect(run.answered + run.turnedAway).toBe(run.offered);
					if (factor >= 2) expect(run.answeredPerSecond).toBeGreaterThanOrEqual(0.8 * capacity);
					// Below the rate it can answer, nearly every call is taken.
					if (factor < 1) expect(run.turnedAway / run.offered).toBeLessThan(0.01);
				});
			}

			it('without a limit the same process answers late at 2x, which is what Auto prevents', () => {
				expect(simulate(capacity, 2, 0, 30).slowestMs).toBeGreaterThan(5000);
			});
		});
	}

	it('a number chosen for a faster process answers late on a slower one; Auto does not need one', () => {
		// The README's old advice: about twice the calls a second answered, 80 for the tuned 40/s.
		expect(simulate(8, 4, 80, 60).slowestMs).toBeGreaterThan(5000);
		expect(simulate(8, 4, 'auto', 60).slowestMs).toBeLessThanOrEqual(5000);
	});

	describe('the limit', () => {
		const settings = {
			targetMs: 3000,
			windowMs: 1000,
			initialLimit: 4,
			minLimit: 2,
			maxLimit: 1000,
		};
		/** A limit whose first window opens at time 0. */
		const opened = (initialLimit = 4) => {
			const limit = new AdaptiveLimit({ ...settings, initialLimit });
			limit.noteAnswered(0, 0);
			return limit;
		};
		/** One window from `at` of `answers` answers each taking `ms`, with `busiest` calls in progress at most. */
		const windowOf = (
			limit: AdaptiveLimit,
			at: number,
			answers: number,
			ms: number,
			busiest: number,
		) => {
			limit.noteTaken(busiest);
			for (let i = 1; i <= answers; i++)
				limit.noteAnswered(at + (1000 * i) / answers - ms, at + (1000 * i) / answers);
			return limit.limit;
		};

		it('starts small and at most doubles per window while answers are quick', () => {
			const limit = opened();
			expect(limit.limit).toBe(4);
			expect(windowOf(limit, 0, 40, 100, 4)).toBe(8);
			expect(windowOf(limit, 1000, 80, 100, 8)).toBe(16);
		});

		it('while it is not used, grows no further than answers per second × the target (a quiet hour leaves no large limit behind)', () => {
			const limit = opened();
			// 2 answers a second: 2 × 3 s = 6 calls may wait, not 4 × 2^10.
			for (let w = 0; w < 10; w++) windowOf(limit, w * 1000, 2, 50, 1);
			expect(limit.limit).toBe(6);
		});

		it('lets as many calls wait as the process answers within the target, even while few are in progress (a pause of n8n gathers more)', () => {
			const limit = opened();
			// 40 quick answers a second with at most 2 in progress: 40 × 3 s = 120 may wait, reached
			// by doubling (4, 8, 16, 32, 64, 120).
			const seen = [];
			for (let w = 0; w < 10; w++) seen.push(windowOf(limit, w * 1000, 40, 30, 2));
			expect(seen).toEqual([8, 16, 32, 64, 120, 120, 120, 120, 120, 120]);
		});

		it('grows towards answers per second × the 3 s target, and no further', () => {
			const limit = opened();
			let value = 0;
			// A full process: 10 answers a second whatever it holds, each taking holding / 10 s.
			for (let w = 0; w < 30; w++)
				value = windowOf(limit, w * 1000, 10, (value || 4) * 100, value || 4);
			expect(value).toBeGreaterThanOrEqual(28);
			expect(value).toBeLessThanOrEqual(30);
		});

		it('is cut at once, within one window, when answers take longer than the target', () => {
			const limit = opened(100);
			expect(windowOf(limit, 0, 5, 4000, 100)).toBe(15);
			expect(windowOf(limit, 1000, 1, 9000, 15)).toBe(3);
			expect(windowOf(limit, 2000, 0, 0, 3)).toBe(3);
		});

		it('never goes below the minimum', () => {
			const limit = opened();
			limit.noteAnswered(0, 20_000);
			expect(limit.limit).toBe(2);
		});
	});

	it('the trigger option: a Busy Limit number above 0 overrides Auto; Auto only when chosen', () => {
		expect(busyLimitFrom({})).toBe(0);
		expect(busyLimitFrom({ busyLimit: 'auto' })).toBe('auto');
		expect(busyLimitFrom({ busyLimit: 'off' })).toBe(0);
		expect(busyLimitFrom({ busyLimit: 'auto', maxCallsInProgress: 40 })).toBe(40);
		expect(busyLimitFrom({ busyLimit: 'off', maxCallsInProgress: 0 })).toBe(0);
	});
});

/** A seeded random number generator in [0, 1), so that every run is the same. */
function seeded(seed: number): () => number {
	return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
}

const EPOCH = Date.UTC(2026, 11, 7);

/**
 * A simulated n8n in which a call waits before the trigger sees it, as n8n's default expression
 * engine makes every call of a community trigger wait for its one sandbox. One CPU is shared
 * equally by the executions running and by the call n8n is preparing for the trigger (`gateMs` of
 * CPU each, one call at a time, in the order they arrived), so the more it runs, the longer calls
 * wait before the trigger. KooGallery stamps each call with its clock when it sends it; the call
 * then takes `transit()` ms to arrive. Answers are timed as KooGallery times them, from sending.
 * Without `timestamps` the trigger is not given the calls' timestamps (the code before them).
 */
function simulateQueued(o: {
	capacity: number;
	factor: number;
	gateMs: number;
	timestamps: boolean;
	seconds?: number;
	/** KooGallery's clock at true time t (default: 2.5 minutes ahead of this server's). */
	kooGalleryClock?: (t: number) => number;
	serverClock?: (t: number) => number;
	transit?: () => number;
}) {
	const seconds = o.seconds ?? 120;
	let now = 0;
	const serverClock = o.serverClock ?? ((t: number) => EPOCH + t);
	const kooGalleryClock = o.kooGalleryClock ?? ((t: number) => EPOCH + 150_000 + t);
	const calls = new CallsInProgress(() => serverClock(now));
	const workMs = 1000 / o.capacity;
	const stepMs = 5;
	const random = seeded(12345);
	const transit = o.transit ?? (() => 20);
	let nextSend = 0;
	const send = () => (nextSend += (-Math.log(random()) * 1000) / (o.capacity * o.factor));
	send();
	let travelling: { sentAt: number; arrives: number; timestamp: number }[] = [];
	const queue: { sentAt: number; timestamp: number }[] = [];
	let head = 0;
	let headLeft = o.gateMs;
	let running: { sentAt: number; left: number; response: EventEmitter }[] = [];
	const takenAt: number[] = [];
	const turnedAwayForWaitAt: number[] = [];
	let turnedAway = 0;
	let late = 0;
	let inTime = 0;
	const end = seconds * 1000;
	while (now < end || head < queue.length || running.length > 0 || travelling.length > 0) {
		while (nextSend < now + stepMs && nextSend < end) {
			travelling.push({
				sentAt: nextSend,
				arrives: nextSend + transit(),
				timestamp: Math.round(kooGalleryClock(nextSend)),
			});
			send();
		}
		const arrived = travelling.filter((c) => c.arrives <= now);
		if (arrived.length > 0) {
			travelling = travelling.filter((c) => c.arrives > now);
			queue.push(...arrived.sort((a, b) => a.arrives - b.arrives));
		}
		const share = stepMs / Math.max(running.length + (head < queue.length ? 1 : 0), 1);
		now += stepMs;
		if (head < queue.length && (headLeft -= share) <= 0) {
			const call = queue[head++];
			headLeft = o.gateMs;
			const response = new EventEmitter();
			const why = calls.enter(
				'trigger',
				'auto',
				response,
				o.timestamps ? call.timestamp : undefined,
			);
			if (typeof why !== 'string') {
				why.genuine(); // every call is KooGallery's here
				takenAt.push(now);
				running.push({ sentAt: call.sentAt, left: workMs, response });
			} else {
				turnedAway++;
				if (why === 'waited') turnedAwayForWaitAt.push(now);
			}
		}
		let finished = false;
		for (const call of running) {
			if ((call.left -= share) > 0) continue;
			finished = true;
			if (now - call.sentAt > 5000) late++;
			else inTime++;
			call.response.emit('finish');
		}
		if (finished) running = running.filter((c) => c.left > 0);
	}
	const between = (times: number[], from: number, to: number) =>
		times.filter((t) => t >= from && t < to).length;
	return {
		offered: takenAt.length + turnedAway,
		taken: takenAt.length,
		turnedAway,
		turnedAwayForWait: turnedAwayForWaitAt.length,
		late,
		inTime,
		/** Calls taken between two times (ms). */
		takenBetween: (from: number, to: number) => between(takenAt, from, to),
		turnedAwayForWaitBetween: (from: number, to: number) => between(turnedAwayForWaitAt, from, to),
	};
}

describe("Busy Limit Auto counts the wait inside n8n before the trigger (the calls' signed timestamps)", () => {
	// Two n8n: 8 calls a second with 20 ms to prepare a call for the trigger, 40 with 5 ms. In both
	// the preparing alone keeps up with four times the rate (32 × 20 ms, 160 × 5 ms a second).
	for (const [capacity, gateMs] of [
		[8, 20],
		[40, 5],
	]) {
		describe(`a process that answers ${capacity} calls a second and prepares each for the trigger in ${gateMs} ms`, () => {
			for (const factor of [1, 2, 4]) {
				it(`offered ${factor}x that rate: without the timestamps answers come after 5 s; with them none does, and more are answered in time`, () => {
					const before = simulateQueued({ capacity, factor, gateMs, timestamps: false });
					const now = simulateQueued({ capacity, factor, gateMs, timestamps: true });
					expect(before.late).toBeGreaterThan(0);
					expect(now.late).toBe(0);
					expect(now.inTime).toBeGreaterThan(before.inTime);
					expect(now.turnedAwayForWait).toBeGreaterThan(0);
					expect(now.taken + now.turnedAway).toBe(now.offered);
				});
			}

			it('offered half that rate: nothing is turned away for its wait and nothing is late', () => {
				const run = simulateQueued({ capacity, factor: 0.5, gateMs, timestamps: true });
				expect(run.turnedAwayForWait).toBe(0);
				expect(run.late).toBe(0);
			});
		});
	}

	it('network jitter of up to a second turns nothing away for its wait at half the rate n8n answers', () => {
		const jitter = seeded(777);
		for (const capacity of [8, 40]) {
			const run = simulateQueued({
				capacity,
				factor: 0.5,
				gateMs: 5,
				timestamps: true,
				transit: () => 20 + 1000 * jitter(),
			});
			expect(run.turnedAwayForWait).toBe(0);
			expect(run.late).toBe(0);
			expect(run.taken).toBe(run.offered);
		}
	});

	describe('clock steps under load: never late, and calls are taken again soon after', () => {
		const stepAt = 40_000;
		// The difference between the clocks steps by `stepMs` at 40 s: KooGallery's clock going back
		// (this server's clock is monotonic in n8n, see "the trigger's clock" below; a step of it is
		// simulated here too, as a clock passed in).
		const cases: [string, number, 'kooGallery' | 'server'][] = [
			['KooGallery clock 10 s back', 10_000, 'kooGallery'],
			['KooGallery clock 3 s back', 3000, 'kooGallery'],
			['KooGallery clock 10 s forward', -10_000, 'kooGallery'],
			['server clock 10 s forward', 10_000, 'server'],
			['server clock 10 s back', -10_000, 'server'],
		];
		for (const factor of [0.9, 2]) {
			for (const [name, stepMs, whose] of cases) {
				it(`${name}, offered ${factor}x the rate`, () => {
					const base = { capacity: 15, factor, gateMs: 5, timestamps: true, seconds: 120 };
					const steady = simulateQueued(base);
					const step = (t: number) => (t >= stepAt ? stepMs : 0);
					const stepped = simulateQueued({
						...base,
						...(whose === 'kooGallery'
							? { kooGalleryClock: (t: number) => EPOCH + 150_000 + t - step(t) }
							: { serverClock: (t: number) => EPOCH + t + step(t) }),
					});
					expect(stepped.late).toBe(0);
					// From 40 s after the step on, calls are taken as without the step.
					const after = [stepAt + 40_000, 120_000] as const;
					expect(stepped.takenBetween(...after)).toBeGreaterThanOrEqual(
						0.9 * steady.takenBetween(...after),
					);
				});
			}
		}
	});
});

describe('Busy Limit Auto and the wait before the trigger, call by call', () => {
	const AHEAD = 150_000; // KooGallery's clock runs 2.5 minutes ahead of this server's
	let now: number;
	let kooGalleryBehind: number; // how far KooGallery's clock went back since the start
	let calls: CallsInProgress;
	beforeEach(() => {
		now = EPOCH;
		kooGalleryBehind = 0;
		calls = new CallsInProgress(() => now);
	});
	/**
	 * A call KooGallery sent `agoMs` before now reaches the trigger; it is signed by KooGallery
	 * unless `forged`. Returns why it was turned away (undefined: taken), and how to answer it.
	 */
	const arrive = (agoMs: number, limit: BusyLimit = 'auto', forged = false) => {
		const response = new EventEmitter();
		const sentAt = now + AHEAD - kooGalleryBehind - agoMs;
		const entered = calls.enter('trigger', limit, response, sentAt);
		if (typeof entered !== 'string' && !forged) entered.genuine();
		const why = typeof entered === 'string' ? entered : undefined;
		return { why, finish: () => response.emit('finish') };
	};

	it('turns away a call that waited more than 2 s while calls are in progress, and takes it when n8n is not busy', () => {
		const first = arrive(30);
		expect(first.why).toBeUndefined();
		expect(arrive(2_100).why).toBe('waited');
		expect(arrive(1_900).why).toBeUndefined();
		expect(calls.count('trigger')).toBe(2);
		// Nothing in progress, but a call was turned away half a second ago: n8n is still busy.
		calls = new CallsInProgress(() => now);
		arrive(30).finish();
		const busy = arrive(30);
		expect(arrive(2_100).why).toBe('waited');
		busy.finish();
		now += 500;
		expect(arrive(2_600).why).toBe('waited');
		// A second later, with nothing in progress: taken (without load no call waits).
		now += 1000;
		expect(arrive(3_600).why).toBeUndefined();
	});

	it('takes every call while nothing is learnt yet (the first calls after n8n starts)', () => {
		const response = new EventEmitter();
		expect(calls.tryEnter('trigger', 'auto', response)).toBe(true); // a call without a timestamp
		expect(arrive(10_000).why).toBeUndefined();
		expect(arrive(12_000).why).toBeUndefined();
		expect(calls.count('trigger')).toBe(3);
	});

	it('learns nothing from a forged timestamp: it can only get its own call turned away', () => {
		arrive(30);
		// Forged, 60 s in the future: taken (it seems not to have waited), but its signature fails.
		expect(arrive(-60_000, 'auto', true).why).toBeUndefined();
		// Had it been learnt, this call would seem to have waited 61 s.
		expect(arrive(1_000).why).toBeUndefined();
		// Forged, 30 s old: only that call is turned away.
		expect(arrive(30_000, 'auto', true).why).toBe('waited');
		expect(arrive(1_000).why).toBeUndefined();
	});

	it('a clock step at low load: the first call that meets no load is taken and teaches the new difference', () => {
		arrive(30).finish();
		now += 60_000;
		kooGalleryBehind = 10_000; // every call now looks 10 s older
		const [first, second] = [arrive(30), arrive(30)];
		expect(first.why).toBeUndefined();
		expect(second.why).toBeUndefined(); // judged against what the first call taught
		expect(arrive(2_100).why).toBe('waited');
		first.finish();
		second.finish();
		// And back: calls look 10 s younger, which the smallest age follows at once.
		now += 60_000;
		kooGalleryBehind = 0;
		expect(arrive(30).why).toBeUndefined();
		// Against the age learnt before, it would seem not to have waited at all.
		expect(arrive(2_100).why).toBe('waited');
	});

	it('never turns calls away for their wait for good: after 30 s without taking one, it learns afresh', () => {
		arrive(30); // stays in progress: n8n is busy throughout
		kooGalleryBehind = 10_000;
		const refused = [];
		for (let t = 0; t < 29_900; t += 100, now += 100) refused.push(arrive(30).why);
		expect(refused.every((why) => why === 'waited')).toBe(true);
		now += 100; // 30 s after the last call taken
		expect(arrive(30).why).toBeUndefined();
		expect(arrive(30).why).toBeUndefined();
		expect(arrive(2_100).why).toBe('waited');
	});

	it('follows clocks that drift apart: a call that meets no load sets the age afresh after a minute', () => {
		arrive(30).finish();
		now += 120_000;
		kooGalleryBehind = 1_500; // drifted 1.5 s in two minutes
		const quiet = arrive(30);
		expect(quiet.why).toBeUndefined();
		// 1 s of wait counts 1 s, not 2.5 s.
		expect(arrive(1_000).why).toBeUndefined();
	});

	it('only with Auto: a Busy Limit number or Off never looks at the timestamp', () => {
		arrive(30, 5);
		expect(arrive(30_000, 5).why).toBeUndefined();
		expect(arrive(30_000, 0).why).toBeUndefined();
		arrive(30);
		expect(arrive(30_000).why).toBe('waited');
	});

	it('counts the wait before the trigger in the answer times that teach the limit', () => {
		const limitAfter = (agoMs: number) => {
			now = EPOCH;
			calls = new CallsInProgress(() => now);
			arrive(30).finish(); // opens the first window
			const four = [arrive(agoMs), arrive(agoMs), arrive(agoMs), arrive(agoMs)];
			expect(four.map((c) => c.why)).toEqual([undefined, undefined, undefined, undefined]);
			now += 900;
			for (const call of four.slice(0, 3)) call.finish();
			now += 200;
			four[3].finish(); // closes the window
			return calls.limitOf('trigger', 'auto');
		};
		// Answered within 1.1 s of the trigger taking them: within the 2 s target, so it grows...
		expect(limitAfter(30)).toBe(5);
		// ...unless they had waited 1.5 s before it: 2.6 s in all, so it does not.
		expect(limitAfter(1_530)).toBe(4);
	});

	it("a call's wait before the trigger counts in the answer times that set the limit", () => {
		const settings = {
			targetMs: 3000,
			windowMs: 1000,
			initialLimit: 8,
			minLimit: 2,
			maxLimit: 1000,
		};
		const windowOf = (waitedMs: number) => {
			const limit = new AdaptiveLimit(settings);
			limit.noteAnswered(0, 0);
			limit.noteTaken(8);
			// 10 answers in a second, each 1 s after the call was taken.
			for (let i = 1; i <= 10; i++) limit.noteAnswered(i * 100 - 1000, i * 100, waitedMs);
			return limit.limit;
		};
		expect(windowOf(0)).toBe(16); // quick: doubles
		expect(windowOf(2_500)).toBe(8); // 3.5 s in all: over the target, so no growth
	});
});

describe("the trigger's clock", () => {
	afterEach(() => jest.restoreAllMocks());

	it('does not step when the system clock does (NTP): a call does not seem to have waited the step', () => {
		let monotonic = 1_000_000;
		const wall = Date.now();
		jest.spyOn(performance, 'now').mockImplementation(() => monotonic);
		const dateNow = jest.spyOn(Date, 'now').mockReturnValue(wall);
		const calls = new CallsInProgress();
		// KooGallery's clock, true time: what the monotonic clock says.
		const sentNow = () => performance.timeOrigin + monotonic - 30;
		const enter = () => {
			const response = new EventEmitter();
			const entered = calls.enter('trigger', 'auto', response, sentNow());
			if (typeof entered === 'string') return entered;
			entered.genuine();
			return undefined;
		};
		expect(enter()).toBeUndefined();
		monotonic += 1000;
		dateNow.mockReturnValue(wall + 1000 + 10_000); // the system clock is set 10 s forward
		expect(enter()).toBeUndefined();
		monotonic += 1000;
		dateNow.mockReturnValue(wall + 2000 - 10_000); // and back again, past where it was
		expect(enter()).toBeUndefined();
		expect(calls.count('trigger')).toBe(3);
	});
});
