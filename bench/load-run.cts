/**
 * The run of the load bench (bench/load.cts): KooGallery's calls offered at a fixed rate (50 a
 * second for 60 seconds by default) to the PostgreSQL example workflow in a real n8n 2.41.1 with the
 * tuned expression-engine settings (docs/protocol/README.md decision 15), against a baseline
 * measured in the same run on the same n8n: n8n's own Webhook -> Respond to Webhook answering a
 * static body. Each n8n set-up (bench/load-setup.cts) measures its own baseline.
 *
 * The calls come from scripts/load-generator.cts (mixed scenarios, signed by the simulator's
 * client). After the load the database is compared with what the answers said, and every new
 * purchase that went unanswered is sent again the way KooGallery retries it (bench/load-check.cts).
 */
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import {
	formatLoadResult,
	rssSummary,
	runLoad,
	type LoadOptions,
	type LoadResult,
} from '../scripts/load-generator.cjs';
import { checkConsistency, type Consistency } from './load-check.cjs';
import {
	SECRETS,
	startEnvironment,
	VARIANT_ENV,
	VARIANT_TEXT,
	type Environment,
	type LoadVariant,
} from './load-setup.cjs';

/** A load run without the per-call lists (kept small for the results file). */
export type LoadSummary = Omit<LoadResult, 'instances' | 'ordersToRetry' | 'rss'> & {
	rssMb: { firstMb: number; lastMb: number; maxMb: number };
	/** RSS of n8n every second, MB. */
	rssSeries: number[];
};

/** What n8n's log says about the run: lines counted by pattern. */
export interface N8nLogCounts {
	/** `Timeout waiting for lock SqliteWriteConnectionMutex`: n8n's SQLite write lock timed out. */
	sqliteLockTimeouts: number;
	/** `QueryFailedError`, a refused PostgreSQL connection or a pool wait timed out, in n8n's log. */
	databaseErrors?: number;
	/** `There was a problem executing the workflow`: n8n answered a webhook call with an error. */
	webhookProblems: number;
}

export interface LoadBenchResult {
	/** The n8n set-up (absent in results saved before there were variants: SQLite). */
	variant?: LoadVariant;
	startedAt: string;
	finishedAt: string;
	rate: number;
	durationMs: number;
	cpus: number;
	loadAverage: { before: number[]; after: number[] };
	n8nSettings: Record<string, string>;
	baseline: LoadSummary;
	pack: LoadSummary;
	consistency: Consistency;
	/** n8n's log during the baseline and during the pack's run. */
	n8nLog: { baseline: N8nLogCounts; pack: N8nLogCounts };
	/** Every failed-call example of the pack's run (up to 20). */
	packFailures: LoadResult['failures'];
	/** The pack alone at lower rates, before the main run: what n8n sustains here. */
	steps: Array<{ rate: number; durationMs: number; summary: LoadSummary }>;
	/**
	 * The baseline alone at the first step's rate, to compare what one call costs n8n in CPU (absent
	 * in results saved before it was measured).
	 */
	baselineStep?: { rate: number; durationMs: number; summary: LoadSummary };
}

export interface LoadBenchOptions {
	/** The n8n set-up (default `sqlite`). */
	variant?: LoadVariant;
	rate?: number;
	durationMs?: number;
	/** Rates the pack alone is offered first, `stepMs` each (default 10, 20 and 30 a second, 20 s). */
	steps?: number[];
	stepMs?: number;
	/** A packed tarball of the pack; packed from the work tree when omitted. */
	tarball?: string;
	log?: (line: string) => void;
}

/** The run without its per-call lists; RSS is the sum over n8n's processes at each sample. */
function summarise(result: LoadResult): LoadSummary {
	const { instances: _i, ordersToRetry: _u, rss, ...rest } = result;
	const byTime = new Map<number, number>();
	for (const s of rss) {
		if (Number.isFinite(s.rssKb)) byTime.set(s.atMs, (byTime.get(s.atMs) ?? 0) + s.rssKb);
	}
	const total = [...byTime.entries()].map(([atMs, rssKb]) => ({ atMs, pid: 0, rssKb }));
	return {
		...rest,
		rssMb: rssSummary(total, 0),
		rssSeries: total.map((s) => Math.round(s.rssKb / 1024)),
	};
}

/** 20 calls to each workflow, the baseline first, so n8n has loaded both; the pack's run is returned. */
export async function warmUp(
	env: Pick<Environment, 'baselineUrls' | 'packUrls'>,
	mix?: LoadOptions['mix'],
): Promise<LoadResult> {
	const calls = { key: SECRETS.sellerKey, rate: 5, durationMs: 4000 };
	await runLoad({ ...calls, urls: env.baselineUrls, plain: true });
	return runLoad({ ...calls, urls: env.packUrls, mix });
}

/**
 * Waits until n8n has no execution of the workflow left running (calls given up on still run), or
 * until its executions have not changed for 30 s (an execution whose final save failed stays
 * "running" in n8n's database for ever). Returns the executions by status and how many are stuck.
 */
export async function drain(
	n8n: Pick<Environment, 'listExecutions'>,
	workflowId: string,
	log: (line: string) => void,
): Promise<{ byStatus: Record<string, number>; stuck: number }> {
	const deadline = Date.now() + 10 * 60_000;
	let last = '';
	let unchangedSince = Date.now();
	for (;;) {
		const executions = await n8n.listExecutions(workflowId);
		const byStatus: Record<string, number> = {};
		for (const e of executions) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
		const busy = executions.filter(
			(e) => !e.finished && ['new', 'running', 'waiting'].includes(e.status),
		).length;
		const state = JSON.stringify(byStatus);
		if (state !== last) {
			last = state;
			unchangedSince = Date.now();
		}
		if (busy === 0 || Date.now() - unchangedSince > 30_000 || Date.now() > deadline)
			return { byStatus, stuck: busy };
		log(`waiting for ${busy} executions to finish (${state})`);
		await sleep(3000);
	}
}

/** Where each n8n process's log ends now. */
function logMark(env: Environment): number[] {
	return env.logs().map((text) => text.length);
}

/** Counts what n8n's processes logged since `from` (see `logMark`). */
function logCounts(env: Environment, from: number[]): N8nLogCounts {
	const text = env
		.logs()
		.map((log, i) => log.slice(from[i] ?? 0))
		.join('\n');
	const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
	return {
		sqliteLockTimeouts: count(/Timeout waiting for lock SqliteWriteConnectionMutex/g),
		databaseErrors: count(
			/QueryFailedError|remaining connection slots|too many clients|timeout exceeded when trying to connect/g,
		),
		webhookProblems: count(/There was a problem executing the workflow/g),
	};
}

/** Logs the load's progress every 10 s. */
function progress(log: (line: string) => void, name: string) {
	return (s: {
		second: number;
		sent: number;
		ok: number;
		inFlight: number;
		rss: Array<{ rssKb: number }>;
	}) => {
		if (s.second % 10 === 0)
			log(
				`${name} ${s.second}s: sent ${s.sent}/s, ok ${s.ok}/s, in flight ${s.inFlight}, n8n RSS ${Math.round(s.rss.reduce((sum, r) => sum + r.rssKb, 0) / 1024)} MB`,
			);
	};
}

/** The baseline at the main rate, its executions drained; what n8n logged meanwhile. */
async function measureBaseline(
	env: Environment,
	rate: number,
	durationMs: number,
	log: (line: string) => void,
): Promise<{ baseline: LoadResult; baselineLog: N8nLogCounts }> {
	const logStart = logMark(env);
	log(`baseline: ${rate} req/s for ${durationMs / 1000} s to n8n Webhook -> Respond to Webhook`);
	const baseline = await runLoad({
		urls: env.baselineUrls,
		key: SECRETS.sellerKey,
		rate,
		durationMs,
		plain: true,
		rssPids: env.pids,
		onSecond: progress(log, 'baseline'),
	});
	log(formatLoadResult(baseline));
	await drain(env, 'LoadBaselineN8n0', log);
	return { baseline, baselineLog: logCounts(env, logStart) };
}

/** The baseline alone at `rate` for `stepMs`, to compare what one call costs n8n in CPU. */
async function measureBaselineStep(
	env: Environment,
	rate: number,
	stepMs: number,
	log: (line: string) => void,
): Promise<NonNullable<LoadBenchResult['baselineStep']>> {
	log(`step: the baseline alone at ${rate} req/s for ${stepMs / 1000} s`);
	const step = await runLoad({
		urls: env.baselineUrls,
		key: SECRETS.sellerKey,
		rate,
		durationMs: stepMs,
		plain: true,
		rssPids: env.pids,
	});
	log(formatLoadResult(step));
	await drain(env, 'LoadBaselineN8n0', log);
	return { rate, durationMs: stepMs, summary: summarise(step) };
}

/** The pack alone at each of `rates` for `stepMs`, its executions drained after each. */
async function measureSteps(
	env: Environment,
	rates: number[],
	stepMs: number,
	log: (line: string) => void,
): Promise<{ steps: LoadBenchResult['steps']; stepResults: LoadResult[] }> {
	const steps: LoadBenchResult['steps'] = [];
	const stepResults: LoadResult[] = [];
	for (const stepRate of rates) {
		log(`step: the pack alone at ${stepRate} req/s for ${stepMs / 1000} s`);
		const step = await runLoad({
			urls: env.packUrls,
			key: SECRETS.sellerKey,
			rate: stepRate,
			durationMs: stepMs,
			rssPids: env.pids,
		});
		log(formatLoadResult(step));
		stepResults.push(step);
		steps.push({ rate: stepRate, durationMs: stepMs, summary: summarise(step) });
		await drain(env, env.workflowId, log);
	}
	return { steps, stepResults };
}

/** The pack at the main rate, its executions drained; what n8n logged meanwhile. */
async function measurePack(
	env: Environment,
	rate: number,
	durationMs: number,
	log: (line: string) => void,
) {
	const packLogStart = logMark(env);
	log(`pack: ${rate} req/s for ${durationMs / 1000} s to the PostgreSQL example`);
	const pack = await runLoad({
		urls: env.packUrls,
		key: SECRETS.sellerKey,
		rate,
		durationMs,
		rssPids: env.pids,
		onSecond: progress(log, 'pack'),
	});
	log(formatLoadResult(pack));
	const executions = await drain(env, env.workflowId, log);
	return { pack, executions, packLog: logCounts(env, packLogStart) };
}

/**
 * Runs the load against the baseline and the PostgreSQL example in one fresh n8n set-up (the
 * variant) and checks the database afterwards. Resolves with the numbers; throws only when the
 * environment cannot start.
 */
export async function runLoadBench(options: LoadBenchOptions = {}): Promise<LoadBenchResult> {
	const rate = options.rate ?? 50;
	const durationMs = options.durationMs ?? 60_000;
	const log = options.log ?? (() => undefined);
	const startedAt = new Date().toISOString();
	const before = os.loadavg();
	const variant = options.variant ?? 'sqlite';
	log(`starting PostgreSQL, the Open API mock and n8n (tuned settings): ${VARIANT_TEXT[variant]}`);
	const env = await startEnvironment(variant, { tarball: options.tarball });
	try {
		log('warming up: 20 calls to each workflow');
		const warm = await warmUp(env);
		const { baseline, baselineLog } = await measureBaseline(env, rate, durationMs, log);
		const stepMs = options.stepMs ?? 20_000;
		const stepRates = options.steps ?? [10, 20, 30];
		const baselineStep = stepRates.length
			? await measureBaselineStep(env, stepRates[0], stepMs, log)
			: undefined;
		const { steps, stepResults } = await measureSteps(env, stepRates, stepMs, log);
		const { pack, executions, packLog } = await measurePack(env, rate, durationMs, log);
		log('comparing the database with the answers; retrying unanswered new purchases');
		const runs = [warm, ...stepResults, pack];
		const consistency = await checkConsistency(
			env,
			runs.flatMap((r) => r.instances),
			runs.flatMap((r) => r.ordersToRetry),
			executions,
		);
		return {
			variant,
			startedAt,
			finishedAt: new Date().toISOString(),
			rate,
			durationMs,
			cpus: os.cpus().length,
			loadAverage: { before, after: os.loadavg() },
			n8nSettings: VARIANT_ENV[variant],
			baseline: summarise(baseline),
			pack: summarise(pack),
			consistency,
			n8nLog: { baseline: baselineLog, pack: packLog },
			packFailures: pack.failures,
			steps,
			baselineStep,
		};
	} finally {
		await env.stop();
	}
}
