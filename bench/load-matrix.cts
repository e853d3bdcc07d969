/**
 * The load of issue 21 (bench/load.cts, `npm run bench` part `load`): what the KooGallery Trigger's
 * Busy Limit "Auto" does for the PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json,
 * read at run time) in a real n8n 2.41.1, compared in the same run with no limit and with the
 * hand-set limit the README advises, under two expression-engine settings in turn:
 *
 * 1. One n8n in regular mode with its data in PostgreSQL as the README advises (pool 10, successful
 *    executions not saved), started fresh for each engine setting (bench/load-setup.cts).
 * 2. The sustainable rate, with the Busy Limit off: steps of `stepMs` at rising rates; a step
 *    holds when every call got a correct answer within 5 s and n8n answered at 90% of the offered
 *    rate at least, from its first answer to its last (so no backlog built up). The sustainable
 *    rate is the highest rate that held below the first that did not (one more step halfway
 *    between the two refines it).
 * 3. For each trigger setting (off, the hand-set limit, Auto) in turn: the example imported and
 *    published again with that setting and n8n's main process restarted (no execution, memory or
 *    learnt limit of the setting before remains), 10 s of warm-up calls, then `multiples` of the
 *    sustainable rate for `cellMs` each, n8n's executions drained after each (bounded).
 * 4. The database compared with every answer; a sample of the unanswered new purchases sent again.
 *
 * Per cell the calls are counted by outcome (bench/load-matrix-report.cts says what each means) and
 * n8n's RSS is sampled every 500 ms. Nothing here judges a number: the bench fails only on wrong
 * answers or inconsistent data (`matrixCorrectness`).
 */
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import {
	KOOGALLERY_TIMEOUT_MS,
	readCpuMs,
	readRssKb,
	runLoad,
	type CallDone,
	type LoadResult,
} from '../scripts/load-generator.cjs';
import { checkConsistency, databaseChecks, type Consistency } from './load-check.cjs';
import { SECRETS, startEnvironment, VARIANT_ENV, type Environment } from './load-setup.cjs';
import { quantile } from './stats.cjs';

/** The expression-engine settings measured: the README's tuned ones and n8n 2.41.1's defaults. */
export type EngineSetting = 'tuned' | 'default';
/** The KooGallery Trigger's Busy Limit in a cell. */
export type TriggerSetting = 'off' | 'limit' | 'auto';

export const ENGINE_VARIANT = {
	tuned: 'postgres-lean',
	default: 'postgres-lean-default-engine-auto',
} as const;
export const ENGINE_TEXT: Record<EngineSetting, string> = {
	tuned:
		'tuned expression engine (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true, N8N_EXPRESSION_ENGINE_POOL_SIZE=4, as the README and `npm start`)',
	default:
		"n8n's default expression-engine settings (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=false, N8N_EXPRESSION_ENGINE_POOL_SIZE=1)",
};
export const SETTING_ORDER: TriggerSetting[] = ['off', 'limit', 'auto'];
/** A ramp step holds when n8n answered at this share of the offered rate at least (`answerRate`). */
export const KEEP_UP_SHARE = 0.9;
/** The README's hand-set Busy Limit: about twice the calls a second n8n answers in time. */
export const HAND_SET_FACTOR = 2;

/** The calls of one run (a ramp step or a cell), counted by outcome. */
export interface CallCounts {
	rate: number;
	durationMs: number;
	/** Calls offered (all were sent, on schedule). */
	offered: number;
	/** HTTP 200, Body-Sign valid, resultCode 000000 and the expected fields. */
	correct: number;
	/** Answered HTTP 503 (the Busy Limit turning the call away). */
	turnedAway: number;
	/**
	 * Latency of the 503 answers (p99, ms) and how many came after 5 s: a call turned away late
	 * waited in n8n before the trigger's code ran.
	 */
	turnedAwayP99Ms: number;
	turnedAwayOver5s: number;
	/** Other HTTP statuses, or HTTP 200 without a correct signed answer (`wrong`). */
	otherErrors: number;
	/** HTTP 200 but not a correct signed answer: must be 0. */
	wrong: number;
	/** No answer within the client's 30 s (or the connection closed). */
	noAnswer: number;
	/** Answers of any kind that came after KooGallery's 5 s. */
	over5s: number;
	/** Latency of the correct answers, ms. */
	correctP50Ms: number;
	correctP99Ms: number;
	/**
	 * Correct answers within 5 s per second, from the first call to the last answer (or give-up):
	 * what KooGallery got out of n8n over the cell.
	 */
	correctPerSecond: number;
	/**
	 * Correct answers a second from the first correct answer to the last (NaN under two): the rate
	 * n8n answered at, whatever the latency; below the offered rate when a backlog built up.
	 */
	answerRate: number;
	/** Failures by kind (`http 503`, `unanswered`, ...). */
	errors: Record<string, number>;
	/** Up to 3 examples of the other errors (not 503, not unanswered). */
	otherErrorExamples: LoadResult['failures'];
}

export interface RampStep extends CallCounts {
	held: boolean;
}

export interface MatrixCell extends CallCounts {
	setting: TriggerSetting;
	/** The rate as a multiple of the sustainable rate. */
	multiple: number;
	/** n8n's RSS (MB) just before the cell and its largest sample during it and its drain. */
	rssStartMb: number;
	rssPeakMb: number;
	/** How long n8n took afterwards to finish the executions left, ms; and whether it had. */
	drainMs: number;
	drained: boolean;
	/**
	 * CPU n8n's main process used from the cell's first call to its last answer, in cores (absent
	 * in results saved before it was measured).
	 */
	n8nCores?: number;
}

export interface SettingRun {
	setting: TriggerSetting;
	/** The Busy Limit set: 0 (off), a number, or "auto". */
	busyLimit: number | 'auto';
	/** How long re-publishing and restarting n8n took, ms. */
	resetMs: number;
	/** n8n's RSS (MB) after its restart and the warm-up, and the largest sample over all cells. */
	rssStartMb: number;
	rssPeakMb: number;
	cells: MatrixCell[];
}

export interface EngineRun {
	engine: EngineSetting;
	n8nSettings: Record<string, string>;
	startedAt: string;
	finishedAt: string;
	loadAverage: { before: number[]; after: number[] };
	ramp: RampStep[];
	/** The highest rate that held (NaN when none did). */
	sustainableRate: number;
	/** The rate the cells' multiples are of: the sustainable rate, or the ramp's lowest if none held. */
	baseRate: number;
	handSetLimit: number;
	settings: SettingRun[];
	consistency: Consistency;
	/** Calls sent in the whole run (warm-ups, ramp, cells) and the wrong answers among them. */
	totalSent: number;
	totalWrong: number;
	/** Calls whose outcomes do not add up (must be 0). */
	uncounted: number;
	/** What n8n logged over the run. */
	n8nLog: { databaseErrors: number; webhookProblems: number; turnedAwayLines: number };
}

export interface MatrixResult {
	startedAt: string;
	finishedAt: string;
	quick: boolean;
	cpus: number;
	cpuModel: string;
	multiples: number[];
	cellMs: number;
	stepMs: number;
	clientTimeoutMs: number;
	runs: EngineRun[];
}

export interface MatrixOptions {
	engines?: EngineSetting[];
	/** The trigger settings measured, in this order (default all: off, the hand-set limit, Auto). */
	settings?: TriggerSetting[];
	/** Multiples of the sustainable rate (default 0.5, 1, 2, 4). */
	multiples?: number[];
	/** How long each cell offers calls (default 20 s) and each ramp step (default: as a cell). */
	cellMs?: number;
	stepMs?: number;
	/** The ramp: from `rampFrom` calls a second up by `rampBy` to at most `rampMax`. */
	rampFrom?: number;
	rampBy?: number;
	rampMax?: number;
	/** Unanswered new purchases sent again afterwards, at most (default 50 per engine setting). */
	retrySample?: number;
	/** A short smoke test (the numbers mean little). */
	quick?: boolean;
	log?: (line: string) => void;
}

const CLIENT_TIMEOUT_MS = 30_000;
const WARM_UP_MS = 10_000;
/** How long n8n may take to finish its executions after a cell (the last of a setting: less). */
const DRAIN_CAP_MS = 45_000;
const LAST_DRAIN_CAP_MS = 20_000;

/** Correct answers a second between the first and the last of them (NaN under two). */
function answerRate(correct: CallDone[]): number {
	if (correct.length < 2) return NaN;
	const ends = correct.map((c) => c.endedAtMs);
	const spanMs = Math.max(...ends) - Math.min(...ends);
	return spanMs > 0 ? (correct.length - 1) / (spanMs / 1000) : NaN;
}

/** Counts one run's calls from their ends (`calls`) and the generator's result. */
export function countCalls(result: LoadResult, calls: CallDone[]): CallCounts {
	const correct = calls.filter((c) => c.failure === undefined);
	const latencies = correct.map((c) => c.ms);
	const inTime = correct.filter((c) => c.ms <= KOOGALLERY_TIMEOUT_MS).length;
	const turnedAway = result.errors['http 503'] ?? 0;
	const refusals = calls.filter((c) => c.status === 503).map((c) => c.ms);
	return {
		rate: result.offeredRate,
		durationMs: result.durationMs,
		offered: result.sent,
		correct: result.ok,
		turnedAway,
		turnedAwayP99Ms: quantile(refusals, 0.99),
		turnedAwayOver5s: refusals.filter((ms) => ms > KOOGALLERY_TIMEOUT_MS).length,
		otherErrors: result.refused - turnedAway + result.wrong,
		wrong: result.wrong,
		noAnswer: result.unanswered,
		over5s: result.over5s,
		correctP50Ms: quantile(latencies, 0.5),
		correctP99Ms: quantile(latencies, 0.99),
		correctPerSecond: inTime / (result.elapsedMs / 1000),
		answerRate: answerRate(correct),
		errors: result.errors,
		otherErrorExamples: result.failures
			.filter((f) => f.kind !== 'http 503' && f.kind !== 'unanswered')
			.slice(0, 3),
	};
}

/** Whether a ramp step held: every call answered correctly within 5 s, and no backlog built up. */
export function stepHeld(c: CallCounts): boolean {
	return (
		c.correct === c.offered &&
		c.over5s === 0 &&
		c.noAnswer === 0 &&
		c.answerRate >= KEEP_UP_SHARE * c.rate
	);
}

/** The rates of the ramp: `from`, `from + by`, ... up to `max`. */
export function rampRates(from: number, by: number, max: number): number[] {
	const rates: number[] = [];
	for (let rate = from; rate <= max + 1e-9; rate += by) rates.push(Math.round(rate * 10) / 10);
	return rates;
}

/** Samples the summed RSS of `pids()` every 500 ms until stopped; `peakSince` reads the samples. */
function rssSampler(pids: () => number[]) {
	const samples: Array<{ at: number; mb: number }> = [];
	const take = () => {
		const kb = pids().reduce((sum, pid) => sum + readRssKb(pid), 0);
		if (Number.isFinite(kb)) samples.push({ at: Date.now(), mb: kb / 1024 });
		return kb / 1024;
	};
	take();
	const timer = setInterval(take, 500);
	return {
		now: take,
		peakSince: (at: number) =>
			Math.max(...samples.filter((s) => s.at >= at).map((s) => s.mb), take()),
		stop: () => clearInterval(timer),
	};
}

/** n8n counts as idle while its processes use less than this share of one core. */
const IDLE_CPU_SHARE = 0.1;

/**
 * Waits until n8n has finished the executions the cell left (those of calls given up on still
 * run): until its processes used less than 10% of one core over the last second, or `capMs`
 * passed. n8n's own list cannot tell: with EXECUTIONS_DATA_SAVE_ON_SUCCESS=none, n8n 2.41.1 leaves
 * every successful webhook execution listed as "running". Returns how long it waited and whether
 * n8n went idle.
 */
async function drainWithin(
	env: Environment,
	capMs: number,
	log: (line: string) => void,
): Promise<{ drainMs: number; drained: boolean }> {
	const started = Date.now();
	const cpu = () => env.pids.reduce((sum, pid) => sum + readCpuMs(pid), 0);
	let before = cpu();
	for (;;) {
		await sleep(1000);
		const now = cpu();
		const waited = Date.now() - started;
		if (now - before < IDLE_CPU_SHARE * 1000) return { drainMs: waited, drained: true };
		if (waited > capMs) {
			log(`n8n still busy after ${waited} ms`);
			return { drainMs: waited, drained: false };
		}
		before = now;
	}
}

/** Everything the run's calls left for the database check. */
class RunRecord {
	instances: LoadResult['instances'] = [];
	ordersToRetry: LoadResult['ordersToRetry'] = [];
	sent = 0;
	wrong = 0;
	uncounted = 0;
	add(result: LoadResult): void {
		this.instances.push(...result.instances);
		this.ordersToRetry.push(...result.ordersToRetry);
		this.sent += result.sent;
		this.wrong += result.wrong;
		if (
			result.answered + result.unanswered !== result.sent ||
			result.ok + result.unanswered + result.refused + result.wrong !== result.sent
		)
			this.uncounted += result.sent;
	}
}

/** Offers `rate` calls a second for `durationMs` to the example; returns the counts. */
async function offer(
	env: Environment,
	record: RunRecord,
	rate: number,
	durationMs: number,
): Promise<CallCounts> {
	const calls: CallDone[] = [];
	const result = await runLoad({
		urls: env.packUrls,
		key: SECRETS.sellerKey,
		rate,
		durationMs,
		timeoutMs: CLIENT_TIMEOUT_MS,
		onCallDone: (c) => calls.push(c),
	});
	record.add(result);
	return countCalls(result, calls);
}

const line = (c: CallCounts) =>
	`offered ${c.offered}, correct ${c.correct} (${c.correctPerSecond.toFixed(1)}/s in time, answered at ${c.answerRate.toFixed(1)}/s), 503 ${c.turnedAway} (p99 ${c.turnedAwayP99Ms} ms, ${c.turnedAwayOver5s} after 5 s), other errors ${c.otherErrors}${c.otherErrors ? ` ${JSON.stringify(c.otherErrorExamples)}` : ''}, no answer ${c.noAnswer}, over 5 s ${c.over5s}, p50 ${c.correctP50Ms} ms, p99 ${c.correctP99Ms} ms`;

/** The lowest rate the ramp tries, calls a second. */
const MIN_RAMP_RATE = 0.5;

/**
 * The ramp with the Busy Limit off: rising rates until one does not hold (the first one halved
 * until one does), then one step halfway between the highest that held and the lowest that did not.
 */
async function findSustainableRate(
	env: Environment,
	record: RunRecord,
	options: Required<Omit<MatrixOptions, 'engines' | 'multiples' | 'quick' | 'log'>>,
	log: (line: string) => void,
): Promise<{ ramp: RampStep[]; sustainableRate: number }> {
	const ramp: RampStep[] = [];
	const step = async (rate: number) => {
		const counts = await offer(env, record, rate, options.stepMs);
		const held = stepHeld(counts);
		log(`ramp ${rate}/s: ${held ? 'held' : 'did not hold'}: ${line(counts)}`);
		ramp.push({ ...counts, held });
		await drainWithin(env, DRAIN_CAP_MS, log);
		return held;
	};
	let best = NaN;
	let failedAt = NaN;
	for (const rate of rampRates(options.rampFrom, options.rampBy, options.rampMax)) {
		if (!(await step(rate))) {
			failedAt = rate;
			break;
		}
		best = rate;
	}
	// The first rate too high already: halved until one holds (down to half a call a second).
	while (!Number.isFinite(best) && failedAt / 2 >= MIN_RAMP_RATE) {
		const half = Math.round((failedAt / 2) * 10) / 10;
		if (await step(half)) best = half;
		else failedAt = half;
	}
	if (Number.isFinite(best) && Number.isFinite(failedAt) && failedAt - best > 1) {
		const middle = Math.round(((best + failedAt) / 2) * 10) / 10;
		if (await step(middle)) best = middle;
	}
	return { ramp, sustainableRate: best };
}

/**
 * `WARM_UP_MS` of calls at `rate` a second to a freshly started n8n, which answers its first calls
 * slowly (seen with n8n's default expression engine: several seconds a call for the first tens of
 * calls), then a drain. Counted for the database check, not reported.
 */
async function warmUp(
	env: Environment,
	record: RunRecord,
	rate: number,
	log: (line: string) => void,
): Promise<void> {
	const calls: CallDone[] = [];
	const result = await runLoad({
		urls: env.packUrls,
		key: SECRETS.sellerKey,
		rate,
		durationMs: WARM_UP_MS,
		timeoutMs: CLIENT_TIMEOUT_MS,
		onCallDone: (c) => calls.push(c),
	});
	record.add(result);
	log(`warm-up ${rate}/s: ${line(countCalls(result, calls))}`);
	await drainWithin(env, DRAIN_CAP_MS, log);
}

/** One trigger setting: n8n reset with it, warmed up, then each multiple of the sustainable rate. */
async function measureSetting(
	env: Environment,
	record: RunRecord,
	setting: TriggerSetting,
	busyLimit: number | 'auto',
	rates: Array<{ multiple: number; rate: number }>,
	cellMs: number,
	log: (line: string) => void,
): Promise<SettingRun> {
	const republish = env.republish;
	if (!republish) throw new Error('the set-up cannot be re-published');
	const resetStarted = Date.now();
	log(`${setting}: re-publishing the example with Busy Limit ${busyLimit} and restarting n8n`);
	await republish(busyLimit);
	const resetMs = Date.now() - resetStarted;
	await warmUp(env, record, Math.min(5, rates[0].rate), log);
	const rss = rssSampler(() => env.pids);
	const settingStart = Date.now();
	const rssStartMb = rss.now();
	const cells: MatrixCell[] = [];
	try {
		for (const [i, { multiple, rate }] of rates.entries()) {
			const cellStart = Date.now();
			const rssCellStart = rss.now();
			const cpu = () => env.pids.reduce((sum, pid) => sum + readCpuMs(pid), 0);
			const cpuBefore = cpu();
			const counts = await offer(env, record, rate, cellMs);
			const n8nCores = (cpu() - cpuBefore) / Math.max(1, Date.now() - cellStart);
			const last = i === rates.length - 1;
			const drained = await drainWithin(env, last ? LAST_DRAIN_CAP_MS : DRAIN_CAP_MS, log);
			const cell: MatrixCell = {
				...counts,
				setting,
				multiple,
				rssStartMb: rssCellStart,
				rssPeakMb: rss.peakSince(cellStart),
				...drained,
				n8nCores,
			};
			log(
				`${setting} ${multiple}x (${rate}/s): ${line(counts)}; RSS ${cell.rssStartMb.toFixed(0)} -> ${cell.rssPeakMb.toFixed(0)} MB; n8n ${n8nCores.toFixed(2)} cores`,
			);
			cells.push(cell);
		}
		return {
			setting,
			busyLimit,
			resetMs,
			rssStartMb,
			rssPeakMb: rss.peakSince(settingStart),
			cells,
		};
	} finally {
		rss.stop();
	}
}

/** Counts what n8n logged (all its processes, whole run). */
function logCounts(env: Environment): EngineRun['n8nLog'] {
	const text = env.logs().join('\n');
	const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
	return {
		databaseErrors: count(
			/QueryFailedError|remaining connection slots|too many clients|timeout exceeded when trying to connect/g,
		),
		webhookProblems: count(/There was a problem executing the workflow/g),
		turnedAwayLines: count(/turned away \(HTTP 503\)/g),
	};
}

/** The whole matrix under one engine setting, in a fresh n8n set-up. */
export async function runEngine(
	engine: EngineSetting,
	options: Required<Omit<MatrixOptions, 'engines' | 'quick' | 'log'>>,
	log: (line: string) => void,
): Promise<EngineRun> {
	const startedAt = new Date().toISOString();
	const before = os.loadavg();
	const variant = ENGINE_VARIANT[engine];
	log(`${engine}: starting PostgreSQL, the Open API mock and n8n: ${ENGINE_TEXT[engine]}`);
	const env = await startEnvironment(variant, { busyLimit: 0 });
	const logsBefore: string[] = [];
	try {
		const record = new RunRecord();
		await warmUp(env, record, 3, log);
		const { ramp, sustainableRate } = await findSustainableRate(env, record, options, log);
		// With no step held, the cells run at multiples of the ramp's lowest rate.
		const base = Number.isFinite(sustainableRate)
			? sustainableRate
			: Math.min(...ramp.map((s) => s.rate));
		const handSetLimit = Math.max(1, Math.round(HAND_SET_FACTOR * base));
		log(`${engine}: sustainable rate ${sustainableRate}/s; hand-set Busy Limit ${handSetLimit}`);
		const rates = options.multiples.map((multiple) => ({
			multiple,
			rate: Math.round(base * multiple * 10) / 10,
		}));
		const settings: SettingRun[] = [];
		for (const setting of options.settings) {
			const busyLimit = setting === 'auto' ? 'auto' : setting === 'limit' ? handSetLimit : 0;
			logsBefore.push(...env.logs());
			settings.push(
				await measureSetting(env, record, setting, busyLimit, rates, options.cellMs, log),
			);
		}
		await drainWithin(env, DRAIN_CAP_MS, log);
		log(`${engine}: comparing the database with the answers; retrying a sample of the unanswered`);
		// n8n's execution list says nothing here (see drainWithin): not reported.
		const consistency = await checkConsistency(
			env,
			record.instances,
			record.ordersToRetry,
			{ byStatus: {}, stuck: 0 },
			2,
			options.retrySample,
			// Auto may turn a retry away too (HTTP 503): KooGallery sends it again later.
			{ attempts: 10, pauseMs: 1000 },
		);
		const logged = logCounts({ ...env, logs: () => [...logsBefore, ...env.logs()] });
		return {
			engine,
			n8nSettings: VARIANT_ENV[variant],
			startedAt,
			finishedAt: new Date().toISOString(),
			loadAverage: { before, after: os.loadavg() },
			ramp,
			sustainableRate,
			baseRate: base,
			handSetLimit,
			settings,
			consistency,
			totalSent: record.sent,
			totalWrong: record.wrong,
			uncounted: record.uncounted,
			n8nLog: logged,
		};
	} finally {
		await env.stop();
	}
}

/** The defaults of a full run and of `--quick`. */
export function matrixSettings(options: MatrixOptions): Required<MatrixOptions> {
	const quick = options.quick ?? false;
	const cellMs = options.cellMs ?? (quick ? 5000 : 20_000);
	return {
		engines: options.engines ?? (quick ? ['tuned'] : ['tuned', 'default']),
		settings: options.settings ?? SETTING_ORDER,
		multiples: options.multiples ?? (quick ? [1, 4] : [0.5, 1, 2, 4]),
		cellMs,
		// As long as a cell: a rate that holds for a shorter step may still collapse in a cell.
		stepMs: options.stepMs ?? cellMs,
		rampFrom: options.rampFrom ?? (quick ? 8 : 5),
		rampBy: options.rampBy ?? (quick ? 8 : 5),
		rampMax: options.rampMax ?? (quick ? 24 : 60),
		retrySample: options.retrySample ?? (quick ? 20 : 50),
		quick,
		log: options.log ?? (() => undefined),
	};
}

/** Runs the matrix under each engine setting in turn; an engine setting that fails is thrown. */
export async function runLoadMatrix(options: MatrixOptions = {}): Promise<MatrixResult> {
	const settings = matrixSettings(options);
	const { engines, quick, log, ...rest } = settings;
	const startedAt = new Date().toISOString();
	const runs: EngineRun[] = [];
	for (const engine of engines) runs.push(await runEngine(engine, rest, log));
	return {
		startedAt,
		finishedAt: new Date().toISOString(),
		quick,
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model ?? 'unknown',
		multiples: settings.multiples,
		cellMs: settings.cellMs,
		stepMs: settings.stepMs,
		clientTimeoutMs: CLIENT_TIMEOUT_MS,
		runs,
	};
}

/**
 * What must hold at any rate (correctness, not speed): no wrong answer anywhere in the run, every
 * call's outcome counted, and the database consistent with the answers (bench/load-check.cts).
 * Returns what did not hold (empty: all did).
 */
export function matrixCorrectness(result: MatrixResult): string[] {
	return result.runs.flatMap((run) => {
		const c = run.consistency;
		const problems: Array<[boolean, string]> = [
			[run.totalWrong === 0, `${run.totalWrong} wrong answers`],
			[run.uncounted === 0, `${run.uncounted} calls whose outcomes do not add up`],
			...databaseChecks(c),
			[
				c.retriedOk === c.retried,
				`${c.retriedOk} of ${c.retried} new purchases answered correctly when sent again`,
			],
			[
				c.notOneRowAfterRetry.length === 0,
				`${c.notOneRowAfterRetry.length} orders without exactly one row after the retries`,
			],
			[
				(c.notRetriedDuplicates ?? []).length === 0,
				`${(c.notRetriedDuplicates ?? []).length} unanswered new purchases with more than one row`,
			],
		];
		return problems.filter(([held]) => !held).map(([, p]) => `${run.engine}: ${p}`);
	});
}
