/**
 * The issue-21 load matrix's own arithmetic (bench/load-matrix.cts) and its report
 * (bench/load-matrix-report.cts), without n8n: how one run's calls are counted from the load
 * generator's result and per-call ends, when a ramp step holds, the ramp's rates, what makes the
 * bench fail, and that a run replaces the Load section of BENCHMARKS.md whatever its older title.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	countCalls,
	matrixCorrectness,
	rampRates,
	stepHeld,
	type EngineRun,
	type MatrixResult,
} from '../../bench/load-matrix.cjs';
import {
	renderMatrixSection,
	throughputWhy,
	writeLoadSection,
} from '../../bench/load-matrix-report.cjs';
import type { CallDone, LoadResult } from '../../scripts/load-generator.cjs';

/** A generator result with only what `countCalls` reads. */
function result(over: Partial<LoadResult>): LoadResult {
	return {
		offeredRate: 10,
		durationMs: 2000,
		elapsedMs: 4000,
		sent: 20,
		answered: 20,
		ok: 20,
		unanswered: 0,
		refused: 0,
		wrong: 0,
		errors: {},
		latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
		mostInFlight: 0,
		over5s: 0,
		throughput: 0,
		maxStartLagMs: 0,
		byScenario: {},
		failures: [],
		instances: [],
		ordersToRetry: [],
		rss: [],
		cpuMs: NaN,
		...over,
	};
}

/** `n` correct calls, one every `everyMs` from 0, each answered after `ms`. */
const correctCalls = (n: number, everyMs: number, ms: number): CallDone[] =>
	Array.from({ length: n }, (_, i) => ({
		sentAtMs: i * everyMs,
		endedAtMs: i * everyMs + ms,
		status: 200,
		ms,
	}));

describe('load matrix: counting a run', () => {
	it('splits the calls into correct, 503, other errors and no answer, and counts correct in-time answers per second of the whole run', () => {
		const calls: CallDone[] = [
			...correctCalls(10, 100, 50),
			{ sentAtMs: 1000, endedAtMs: 7000, status: 200, ms: 6000 }, // correct but late
			{ sentAtMs: 1100, endedAtMs: 1101, status: 503, ms: 1, failure: 'http 503' },
			{ sentAtMs: 1200, endedAtMs: 1201, status: 503, ms: 1, failure: 'http 503' },
			{ sentAtMs: 1300, endedAtMs: 1400, status: 500, ms: 100, failure: 'http 500' },
			{ sentAtMs: 1400, endedAtMs: 1500, status: 200, ms: 100, failure: 'unsigned' },
			{ sentAtMs: 1500, endedAtMs: 31_500, status: 0, ms: 30_000, failure: 'unanswered' },
		];
		const counts = countCalls(
			result({
				sent: 16,
				answered: 15,
				ok: 11,
				unanswered: 1,
				refused: 3,
				wrong: 1,
				over5s: 1,
				elapsedMs: 32_000,
				errors: { 'http 503': 2, 'http 500': 1, unsigned: 1, unanswered: 1 },
				failures: [
					{ scenario: 'newInstance', kind: 'http 503', status: 503, text: '' },
					{ scenario: 'queryInstance', kind: 'http 500', status: 500, text: 'oops' },
				],
			}),
			calls,
		);
		expect(counts).toMatchObject({
			offered: 16,
			correct: 11,
			turnedAway: 2,
			otherErrors: 2,
			wrong: 1,
			noAnswer: 1,
			over5s: 1,
			correctP50Ms: 50,
			correctP99Ms: 6000,
			turnedAwayP99Ms: 1,
			turnedAwayOver5s: 0,
		});
		// 10 correct answers within 5 s over 32 s from the first call to the last give-up.
		expect(counts.correctPerSecond).toBeCloseTo(10 / 32, 6);
		expect(counts.otherErrorExamples.map((e) => e.kind)).toEqual(['http 500']);
	});

	it('holds a ramp step only when every call was answered correctly in time and n8n kept up', () => {
		// 20 calls at 10 a second answered after 50 ms: kept up.
		const kept = countCalls(result({}), correctCalls(20, 100, 50));
		expect(kept.answerRate).toBeCloseTo(10, 6);
		expect(stepHeld(kept)).toBe(true);
		// The same calls answered ever later (a backlog growing by 100 ms a call): 19 answers
		// over 3.8 s, 5 a second.
		const late = correctCalls(20, 100, 50).map((c, i) => ({
			...c,
			ms: 50 + i * 100,
			endedAtMs: c.endedAtMs + i * 100,
		}));
		const behind = countCalls(result({}), late);
		expect(behind.answerRate).toBeCloseTo(5, 6);
		expect(stepHeld(behind)).toBe(false);
		// Kept up, but one call went unanswered.
		const missing = countCalls(
			result({ answered: 19, ok: 19, unanswered: 1, errors: { unanswered: 1 } }),
			correctCalls(19, 100, 50),
		);
		expect(stepHeld(missing)).toBe(false);
	});

	it('ramps by equal steps up to the highest rate', () => {
		expect(rampRates(5, 5, 30)).toEqual([5, 10, 15, 20, 25, 30]);
		expect(rampRates(8, 8, 24)).toEqual([8, 16, 24]);
	});
});

/** A matrix result of one engine setting whose data check found `consistency`. */
function matrixWith(consistency: Partial<EngineRun['consistency']>, totalWrong = 0): MatrixResult {
	const run = {
		engine: 'tuned',
		n8nSettings: {},
		startedAt: '2026-12-07T12:00:00.000Z',
		finishedAt: '2026-12-07T12:10:00.000Z',
		loadAverage: { before: [0, 0, 0], after: [0, 0, 0] },
		ramp: [],
		sustainableRate: 20,
		baseRate: 20,
		handSetLimit: 40,
		settings: [],
		totalSent: 100,
		totalWrong,
		uncounted: 0,
		n8nLog: { databaseErrors: 0, webhookProblems: 0, turnedAwayLines: 0 },
		consistency: {
			answeredOrders: 10,
			missingRows: [],
			duplicateRows: [],
			wrongInstanceId: [],
			stateMismatches: [],
			uncertain: 0,
			unexplainedRows: 0,
			unansweredOrders: 0,
			unansweredWithRow: 0,
			retried: 0,
			retriedOk: 0,
			notOneRowAfterRetry: [],
			executions: {},
			stuckExecutions: 0,
			...consistency,
		},
	} satisfies EngineRun;
	return {
		startedAt: run.startedAt,
		finishedAt: run.finishedAt,
		quick: false,
		cpus: 2,
		cpuModel: 'test',
		multiples: [0.5, 1, 2, 4],
		cellMs: 20_000,
		stepMs: 10_000,
		clientTimeoutMs: 30_000,
		runs: [run],
	};
}

describe('load matrix: what fails the bench', () => {
	it('fails on wrong answers and inconsistent data, never on numbers', () => {
		expect(matrixCorrectness(matrixWith({}))).toEqual([]);
		expect(matrixCorrectness(matrixWith({}, 2))).toEqual(['tuned: 2 wrong answers']);
		expect(matrixCorrectness(matrixWith({ duplicateRows: ['o1'] }))).toEqual([
			'tuned: 1 orders with more than one row',
		]);
		expect(
			matrixCorrectness(matrixWith({ notRetried: 5, notRetriedDuplicates: ['o2', 'o3'] })),
		).toEqual(['tuned: 2 unanswered new purchases with more than one row']);
		expect(matrixCorrectness(matrixWith({ retried: 3, retriedOk: 2 }))).toEqual([
			'tuned: 2 of 3 new purchases answered correctly when sent again',
		]);
	});
});

describe('load matrix: the Load section', () => {
	it('replaces the older Load section (another title) and keeps the sections around it', () => {
		const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'load-section-')), 'B.md');
		fs.writeFileSync(
			file,
			'# Bench\n\n## Load on the machine\n\nkept\n\n## Load: 50 req/s × 60 s\n\nold numbers\n\n### sqlite\n\nmore old\n\n## Later\n\nkept too\n',
		);
		const section = renderMatrixSection(matrixWith({}));
		writeLoadSection(file, section);
		const text = fs.readFileSync(file, 'utf8');
		expect(text).not.toContain('old numbers');
		expect(text).not.toContain('more old');
		expect(text).toContain('## Load on the machine\n\nkept\n');
		expect(text).toContain(`${section.replace(/\n*$/, '\n')}\n## Later\n\nkept too\n`);
		// Written again, the section is replaced, not added.
		writeLoadSection(file, section);
		expect(fs.readFileSync(file, 'utf8')).toBe(text);
		fs.rmSync(path.dirname(file), { recursive: true, force: true });
	});
});

describe('load matrix: why the correct answers fell short', () => {
	const run = matrixWith({}).runs[0];
	// Auto at 4x of 60/s: 4340 calls turned away and 460 correct in 20 s.
	const cell = {
		...countCalls(result({ offeredRate: 240, durationMs: 20_000, sent: 4800 }), []),
		offered: 4800,
		correct: 460,
		turnedAway: 4340,
		setting: 'auto' as const,
		multiple: 4,
		rssStartMb: 800,
		rssPeakMb: 810,
		drainMs: 1000,
		drained: true,
		n8nCores: 1.05,
	};
	const costs = {
		refusalMs: { tuned: 4.5 },
		acceptedMs: { tuned: 20 },
		floorMs: { tuned: 3 },
		refusalRate: { tuned: 30 },
	};

	it("does the arithmetic of what the refusals and the correct answers cost against the machine's cores", () => {
		const why = throughputWhy(run, cell, 2, costs);
		expect(why).toContain('Auto turned away 4340 of 4800 calls in 20.0 s, 217 a second.');
		expect(why).toContain('costs n8n 4.50 ms of CPU');
		expect(why).toContain("n8n's own Webhook node turning a call away: 3.00 ms)");
		// 217 × 4.5 ms = 0.977 cores; 23 correct a second × 20 ms = 0.46 cores; 68% on refusals.
		expect(why).toContain("217/s × 4.50 ms = 0.977 cores of the machine's 2");
		expect(why).toContain('the 460 correct answers (23.0 a second) at 20.0 ms each');
		expect(why).toContain("0.460 cores: 68.0% of n8n's CPU on calls turned away.");
		expect(why).toContain(
			"n8n's main process, which runs the JavaScript of every webhook call on one thread, used 1.05 cores.",
		);
		// (1.05 - 0.46) cores over 217 refusals a second.
		expect(why).toContain('leaves 2.72 ms per call turned away.');
	});

	it('says so when the refusals were not measured, and uses the engine setting of the run', () => {
		expect(throughputWhy(run, cell, 2, undefined)).toContain(
			"n8n's CPU per call turned away was not measured in this run (part examples).",
		);
		const other = throughputWhy({ ...run, engine: 'default' }, cell, 2, costs);
		expect(other).toContain('was not measured in this run');
		expect(other).not.toContain('4.50 ms');
	});
});
