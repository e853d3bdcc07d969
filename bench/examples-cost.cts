/**
 * What the shipped SaaS V2.0 examples cost n8n per call against the bare pack (issue 21), part
 * `examples` of `npm run bench`.
 *
 * One n8n 2.41.1 per expression-engine setting (bench/n8n-calls.cts's N8N_SETTINGS) serves, side by
 * side, three workflows:
 * - bare:      KooGallery Trigger -> KooGallery Respond, one Respond per answer kind (new purchase:
 *              the business ID as instance ID; query: fixed login details; the rest: 000000);
 * - postgres:  workflows/koogallery-saas-v2-postgres.json as shipped (read at run time), with a
 *              private PostgreSQL and the Open API mock for Order > Get;
 * - dataTable: workflows/koogallery-saas-v2-data-table.json as shipped, its Data table in n8n.
 * The bare trigger gets the examples' trigger options (Busy Limit as shipped), so the three differ
 * only in what runs after the trigger.
 *
 * Two measurements, with KooGallery's real signed calls from scripts/load-generator.cts:
 * 1. n8n CPU per call: the CPU time (user + system, /proc/<pid>/stat) of every process of n8n's
 *    process group (n8n and its task runner) over a fixed number of calls at a modest fixed rate,
 *    plus a second for the last executions to finish, less what n8n uses when idle, divided by the
 *    calls. New purchases only, and the load bench's mix (new purchase, query, renewal,
 *    freeze/unfreeze, upgrade, release). The workflows alternate in rounds, in a rotating order, so
 *    machine load falls on all of them; each round's values are kept, so that the report can
 *    compare an example with the bare trigger of the same round (bench/examples-report.cts).
 * 2. Highest rate answered in time (tuned settings, the mix): steps of offered rates, each workflow
 *    in turn at each step; a step passes when at least 99% of its calls got a correct answer within
 *    KooGallery's 5 s and the correct answers per second (over the step and its last answers) were
 *    at least 90% of the rate offered. Each workflow's steps start at 70% of the rate its CPU per
 *    call predicts for one core, then follow `nextRate` (up until a step fails, down until one
 *    passes, then halving the gap), at most `maxSteps` steps.
 * 3. n8n CPU per call turned away: copies of the bare workflow and of the PostgreSQL example with
 *    a Busy Limit number of 1 and a Wait node that holds their first new purchase (so one call is
 *    in progress and every later call is answered HTTP 503 by the trigger), then a fixed number of
 *    calls at a fixed rate, all turned away; n8n's process-group CPU as in 1. divided by the calls.
 *    The same for n8n's own Webhook node turning calls away (IP not allowed, HTTP 403: no
 *    execution, the floor of any n8n webhook call) and answering at once (Respond: Immediately,
 *    HTTP 200, then a one-node execution). Rounds in a rotating order, as in 1.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { exampleCredentials } from '../scripts/example-credentials.cjs';
import { waitForDataTable } from '../scripts/n8n-data-tables.cjs';
import { ensureN8n, installPack } from '../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../scripts/n8n-process.cjs';
import {
	DEFAULT_MIX,
	KOOGALLERY_TIMEOUT_MS,
	readCpuMs,
	readProcStat,
	runLoad,
	type LoadResult,
	type LoadScenario,
} from '../scripts/load-generator.cjs';
import { startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { startOpenApiMock, type OpenApiMock } from '../simulator/openapi-mock.cjs';
import { LEAN_ENV } from './load-setup.cjs';
import { N8N_SETTINGS, type SettingId } from './n8n-calls.cjs';
import { quantile } from './stats.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');
const SECRETS = {
	sellerKey: 'examples-Seller-Key-4b8d2f6a',
	ak: 'EXAMPLESBENCHAK00001',
	sk: 'examples-bench-secret-access-key',
};

export type ExampleId = 'bare' | 'postgres' | 'dataTable';
export const EXAMPLES: ExampleId[] = ['bare', 'postgres', 'dataTable'];
export const EXAMPLE_TEXT: Record<ExampleId, string> = {
	bare: 'bare KooGallery Trigger -> KooGallery Respond',
	postgres: 'PostgreSQL example (workflows/koogallery-saas-v2-postgres.json)',
	dataTable: 'Data table example (workflows/koogallery-saas-v2-data-table.json)',
};
const FILES: Record<Exclude<ExampleId, 'bare'>, string> = {
	postgres: 'koogallery-saas-v2-postgres.json',
	dataTable: 'koogallery-saas-v2-data-table.json',
};
const BARE_PATH = 'bench/koogallery-bare';
const DATA_TABLE = 'koogallery_instances';

/**
 * What answers the calls of the refusal runs (measurement 3): copies of the bare workflow and of the
 * PostgreSQL example whose Busy Limit (a number, 1) turns the calls away while one is held, and
 * n8n's own Webhook node turning calls away or answering at once.
 */
export type RefusalId = 'bare' | 'postgres' | 'webhookRefused' | 'webhookAtOnce';
export const REFUSALS: RefusalId[] = ['bare', 'postgres', 'webhookRefused', 'webhookAtOnce'];
export const REFUSAL_TEXT: Record<RefusalId, string> = {
	bare: 'bare KooGallery Trigger -> KooGallery Respond, its Busy Limit turning calls away',
	postgres: 'PostgreSQL example, its Busy Limit turning calls away',
	webhookRefused: "n8n's Webhook node turning calls away (IP not allowed)",
	webhookAtOnce: "n8n's Webhook node answering at once (Respond: Immediately)",
};
/** The answer every measured call of a refusal run must get. */
export const REFUSAL_STATUS: Record<RefusalId, number> = {
	bare: 503,
	postgres: 503,
	webhookRefused: 403,
	webhookAtOnce: 200,
};
/** The refusal runs that hold one call first (a Busy Limit of 1 and a Wait node). */
const HELD: RefusalId[] = ['bare', 'postgres'];
const REFUSAL_PATHS: Record<RefusalId, string> = {
	bare: 'bench/refuse-bare',
	postgres: 'bench/refuse-postgres',
	webhookRefused: 'bench/webhook-refused',
	webhookAtOnce: 'bench/webhook-at-once',
};
/** Calls sent before each refusal run for this long, not counted (with a held call: all must be turned away). */
export const REFUSAL_WARM_UP_MS = 1000;

export type MixId = 'newInstance' | 'mix';
export const MIXES: Record<MixId, { label: string; weights: Record<LoadScenario, number> }> = {
	newInstance: {
		label: 'new purchases only',
		weights: { ...zeroMix(), newInstance: 1 },
	},
	mix: {
		label: `the load bench's mix (${Object.entries(DEFAULT_MIX)
			.map(([scenario, weight]) => `${scenario} ${weight}%`)
			.join(', ')})`,
		weights: DEFAULT_MIX,
	},
};

function zeroMix(): Record<LoadScenario, number> {
	return Object.fromEntries(Object.keys(DEFAULT_MIX).map((key) => [key, 0])) as Record<
		LoadScenario,
		number
	>;
}

/** One workflow's CPU measurement with one setting and mix, summed over the rounds. */
export interface CostCell {
	setting: SettingId;
	example: ExampleId;
	mix: MixId;
	calls: number;
	ok: number;
	/** n8n's CPU over the runs, less its idle use, in ms. */
	cpuMs: number;
	cpuMsPerCall: number;
	/** CPU per call of each round, ms. */
	perRound: number[];
	/** Of `cpuMs`, what n8n's main process used (the rest: its task runner), ms. */
	mainCpuMs: number;
	/**
	 * n8n's own counters over the runs (its /metrics): expression-engine isolates (bridges) taken
	 * from the pool, and expressions evaluated in them; NaN when n8n did not report them.
	 */
	acquired: number;
	evaluated: number;
	p50: number;
	p99: number;
	/** Up to three failure kinds with counts. */
	errors: string[];
}

export interface RampStep {
	example: ExampleId;
	rate: number;
	sent: number;
	/** Correct answers within 5 s. */
	inTime: number;
	/** Correct answers per second, from the first call to the last answer. */
	answeredRate: number;
	p99: number;
	passed: boolean;
	errors: string[];
	/** The largest delay of a call behind its planned start: the client itself falling behind. */
	clientLagMs: number;
	/** CPU the bench process (which signs the calls and checks the answers) used, in cores. */
	clientCores: number;
}

/** One target's refusal runs (measurement 3) with one setting, summed over the rounds. */
export interface RefusalCell {
	setting: SettingId;
	target: RefusalId;
	/** Calls a second of the runs (`refusalRateFor`). */
	rate: number;
	/** The answer every measured call should get (503, 403 or 200). */
	status: number;
	calls: number;
	/** Measured calls answered with `status`. */
	expected: number;
	/** n8n's CPU over the runs, less its idle use, in ms. */
	cpuMs: number;
	cpuMsPerCall: number;
	/** CPU per call of each round, ms. */
	perRound: number[];
	/** Latency of the measured calls, all rounds together, ms. */
	p50: number;
	p99: number;
	/** The held calls (Busy Limit copies only): answered correctly after the runs, of how many. */
	held?: { ok: number; sent: number };
	/** What went otherwise than planned, with counts. */
	errors: string[];
}

export interface ExamplesSetting {
	id: SettingId;
	label: string;
	cells: CostCell[];
	/** Measurement 3; absent in results saved before it. */
	refusals?: RefusalCell[];
	/** n8n's CPU use when idle, in cores (`measureIdle`; subtracted from each run). */
	idleCores: number;
	loadBefore: number[];
	loadAfter: number[];
}

export interface ExamplesCostResult {
	rate: number;
	runMs: number;
	rounds: Record<SettingId, number>;
	settings: ExamplesSetting[];
	ramp: {
		setting: SettingId;
		mix: MixId;
		stepMs: number;
		maxSteps: number;
		steps: RampStep[];
		/**
		 * Highest rate that passed, per workflow (0: none passed), the lowest that failed (null: none
		 * failed), and `atLeast` when no step failed.
		 */
		highest: Record<ExampleId, { rate: number; failed: number | null; atLeast: boolean }>;
	};
	/** Measurement 3's settings; absent in results saved before it. */
	refusal?: {
		/** Calls a second at most (each cell has its own rate) and length of one measured run. */
		rate: number;
		runMs: number;
		/** How long the Wait node holds the first call. */
		holdMs: number;
		rounds: Record<SettingId, number>;
	};
	/** Expression parameters (`={{ ... }}`) in each workflow as run, sticky notes left out. */
	expressions: Record<ExampleId, number>;
	postgres: string;
	/** Settings whose measurement failed (the others' numbers are kept), and why. */
	failures?: Array<{ setting: SettingId; message: string }>;
	durationMs: number;
}

export interface ExamplesCostOptions {
	tarball: string;
	/** Calls per second of the CPU runs. */
	rate: number;
	/** Length of one CPU run. */
	runMs: number;
	/** Rounds per setting (a setting with 0 rounds is not started). */
	rounds: Record<SettingId, number>;
	stepMs: number;
	maxSteps: number;
	/** Calls a second (at most; `refusalRateFor`) and length of one refusal run (measurement 3). */
	refusalRate: number;
	refusalMs: number;
	/** Refusal rounds per setting (0: none). */
	refusalRounds: Record<SettingId, number>;
	log: (line: string) => void;
}

export type Node = Record<string, unknown> & { name: string; type: string };
export type Workflow = { id: string; nodes: Node[]; connections: Record<string, unknown> };

function readExample(example: Exclude<ExampleId, 'bare'>): Workflow {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', FILES[example]), 'utf8'));
}

function triggerOf(workflow: Workflow): Node & { parameters: Record<string, unknown> } {
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	if (!trigger) throw new Error(`workflow ${workflow.id} has no KooGallery Trigger`);
	return trigger as Node & { parameters: Record<string, unknown> };
}

/** KooGallery Trigger -> one KooGallery Respond per answer kind, the trigger's options as given. */
function bareWorkflow(triggerOptions: unknown): Workflow {
	const scenarios = [
		'newInstance',
		'queryInstance',
		'refreshInstance',
		'updateInstanceStatus',
		'releaseInstance',
		'upgradeInstance',
	];
	const credentials = {
		kooGallerySellerKeyApi: { id: 'kooGallerySellerKey', name: 'KooGallery Seller Key' },
	};
	const respond = (name: string, parameters: Record<string, unknown>, y: number): Node => ({
		parameters,
		id: `bare-${name.replace(/\W/g, '-')}`,
		name,
		type: 'n8n-nodes-koogallery.kooGalleryRespond',
		typeVersion: 1,
		position: [300, y],
		credentials,
	});
	const nodes: Node[] = [
		{
			parameters: {
				path: BARE_PATH,
				protocol: 'saasV2',
				scenarios,
				options: triggerOptions ?? {},
			},
			id: 'bare-trigger',
			name: 'KooGallery Trigger',
			type: 'n8n-nodes-koogallery.kooGalleryTrigger',
			typeVersion: 2,
			position: [0, 0],
			webhookId: randomUUID(),
			credentials,
		},
		respond('Answer: new instance ID', { respondTo: 'newInstance' }, 0),
		respond(
			'Answer: login details',
			{
				respondTo: 'queryInstance',
				frontEndUrl: 'https://saas.example.com/',
				adminUrl: 'https://saas.example.com/admin',
				userName: 'admin',
				password: 'Bench-Pa55word!',
			},
			200,
		),
		respond('Answer: done', {}, 400),
	];
	const to = (name: string) => [{ node: name, type: 'main', index: 0 }];
	return {
		id: 'BenchBareTrigResp',
		name: 'Bench: bare KooGallery Trigger -> Respond',
		nodes,
		connections: {
			'KooGallery Trigger': {
				main: [
					to('Answer: new instance ID'),
					to('Answer: login details'),
					...scenarios.slice(2).map(() => to('Answer: done')),
				],
			},
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	} as Workflow;
}

/**
 * A copy of `workflow` for the refusal runs: its KooGallery Trigger on `path` with a Busy Limit
 * number of 1, and a Wait node of `holdMs` between the trigger's first output (new purchase) and
 * what followed it, so the first new purchase stays in progress (n8n keeps a wait under 65 s in
 * memory) while every later call is turned away before the trigger reads it. Every other node is
 * kept, as n8n builds the whole workflow for each call; other triggers (the PostgreSQL example's
 * start-up branch) are disabled so that the copy does not create the tables a second time.
 */
export function heldCopy(workflow: Workflow, id: string, path: string, holdMs: number): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow & Record<string, unknown>;
	delete copy.versionId;
	delete copy.active;
	copy.id = id;
	copy.name = `Bench: ${String(copy.name)}, Busy Limit 1, first call held`;
	const trigger = triggerOf(copy);
	trigger.parameters = {
		...trigger.parameters,
		path,
		options: { ...(trigger.parameters.options as object), maxCallsInProgress: 1 },
	};
	trigger.webhookId = randomUUID();
	for (const node of copy.nodes)
		if (node !== trigger && /trigger$/i.test(node.type)) node.disabled = true;
	const outputs = (copy.connections[trigger.name] as { main: unknown[][] }).main;
	const hold: Node = {
		parameters: { resume: 'timeInterval', amount: holdMs / 1000, unit: 'seconds' },
		id: 'bench-hold-first-call',
		name: 'Bench: hold the first call',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [0, -300],
		webhookId: randomUUID(),
	};
	copy.nodes.push(hold);
	copy.connections[hold.name] = { main: [outputs[0]] };
	outputs[0] = [{ node: hold.name, type: 'main', index: 0 }];
	return copy;
}

/** n8n's Webhook node alone on `path`: answering at once, or turning every call away (`refuse`). */
function webhookWorkflow(id: string, path: string, refuse: boolean): Workflow {
	return {
		id,
		name: `Bench: n8n Webhook ${refuse ? 'turning calls away' : 'answering at once'}`,
		nodes: [
			{
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode: 'onReceived',
					// 192.0.2.1 (TEST-NET-1) is no caller here: every call is answered 403 before any execution.
					options: refuse ? { ipWhitelist: '192.0.2.1' } : {},
				},
				id: `${id}-webhook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as Workflow;
}

/** Expression parameters (string values starting "=") of the workflow's nodes, sticky notes left out. */
export function countExpressions(workflow: Workflow): number {
	const count = (value: unknown): number => {
		if (typeof value === 'string') return value.startsWith('=') ? 1 : 0;
		if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + count(v), 0);
		if (value && typeof value === 'object')
			return Object.values(value).reduce((sum: number, v) => sum + count(v), 0);
		return 0;
	};
	return workflow.nodes
		.filter((node) => node.type !== 'n8n-nodes-base.stickyNote')
		.reduce((sum, node) => sum + count(node.parameters), 0);
}

/** CPU time of every process in process group `pgid`, ms (utime + stime; 100 ticks a second). */
export function groupCpuMs(pgid: number): number {
	let total = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = readProcStat(Number(entry)); // undefined: the process ended while reading
		if (stat?.pgrp === pgid) total += stat.cpuMs;
	}
	return total;
}

/**
 * n8n's expression-engine counters (N8N_METRICS=true): isolates taken from the pool and
 * expressions evaluated, so far; NaN when /metrics does not list them.
 */
async function expressionCounters(
	baseUrl: string,
): Promise<{ acquired: number; evaluated: number }> {
	try {
		const response = await fetch(`${baseUrl}/metrics`);
		const text = await response.text();
		const sum = (name: string) => {
			const values = text
				.split('\n')
				.filter((line) => line.startsWith(name) && /^[\w]+(\{[^}]*\})? /.test(line))
				.filter((line) => line.split(/[{ ]/)[0] === name)
				.map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
			return values.length ? values.reduce((a, b) => a + b, 0) : NaN;
		};
		return {
			acquired: sum('n8n_expression_pool_acquired_total'),
			evaluated: sum('n8n_expression_evaluation_duration_seconds_count'),
		};
	} catch {
		return { acquired: NaN, evaluated: NaN };
	}
}

/**
 * Waits (up to 20 s) until n8n uses under `maxCores` (a fifth of a core unless given) over half a
 * second; its use then, cores.
 */
async function waitIdle(pgid: number, maxCores = 0.2): Promise<number> {
	const deadline = Date.now() + 20_000;
	for (;;) {
		const before = groupCpuMs(pgid);
		const started = Date.now();
		await sleep(500);
		const cores = (groupCpuMs(pgid) - before) / (Date.now() - started);
		if (cores < maxCores || Date.now() > deadline) return cores;
	}
}

/**
 * n8n's CPU use when idle, in cores: over 5 s once it is idle. /proc counts in 10 ms ticks, so half
 * a second alone reads 0, 0.02 or 0.04 cores, and 0.02 cores subtracted over a CPU run of 13 s is
 * 4 ms per call of 60.
 */
async function measureIdle(pgid: number): Promise<number> {
	await waitIdle(pgid);
	const before = groupCpuMs(pgid);
	const started = Date.now();
	await sleep(5000);
	return (groupCpuMs(pgid) - before) / (Date.now() - started);
}

function errorList(result: LoadResult): string[] {
	return Object.entries(result.errors)
		.sort((a, b) => b[1] - a[1])
		.slice(0, 3)
		.map(([kind, n]) => `${kind}: ${n}`);
}

const cpuCores = (usage: NodeJS.CpuUsage, wallMs: number) =>
	(usage.user + usage.system) / 1000 / Math.max(wallMs, 1);

function loadAverage(): number[] {
	return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

interface Running {
	n8n: N8nHandle;
	urls: Record<ExampleId, string>;
	refusalUrls: Record<RefusalId, string>;
}

/** Waits until the PostgreSQL example has created its tables (its start-up branch). */
async function waitForPgTables(pg: PostgresServer): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (pg.rows(`SELECT 1 AS x FROM pg_tables WHERE tablename = '${DATA_TABLE}'`).length === 0) {
		if (Date.now() > deadline) throw new Error('the PostgreSQL example did not create its tables');
		await sleep(500);
	}
}

/**
 * Sends 20 calls of the mix to each workflow; throws when one is answered wrongly or not at all.
 * The Busy Limit's HTTP 503 (Auto starts low and learns; a fresh n8n answers its first calls
 * slowly) is KooGallery's "call again later", not a fault.
 */
async function warmUp(running: Running, log: (line: string) => void): Promise<void> {
	for (const example of EXAMPLES) {
		const result = await runLoad({
			urls: running.urls[example],
			key: SECRETS.sellerKey,
			rate: 5,
			durationMs: 4000,
			mix: DEFAULT_MIX,
			timeoutMs: 10_000,
		});
		const busy = result.errors['http 503'] ?? 0;
		if (result.ok + busy !== result.sent) {
			throw new Error(
				`${example} warm-up: ${result.sent - result.ok} of ${result.sent} calls failed (${errorList(result).join(', ')}; ${result.failures[0]?.text ?? ''})`,
			);
		}
		log(
			`examples warm-up ${example}: ${result.ok} of ${result.sent} correct${busy ? `, ${busy} turned away (HTTP 503)` : ''}`,
		);
	}
}

/**
 * n8n's CPU (its whole process group) while `work` runs and for a second after it, for the last
 * executions to finish, less its idle use (`idleCores`) over that time, in ms.
 */
async function groupCpuDuring<T>(
	pgid: number,
	idleCores: number,
	work: () => Promise<T>,
): Promise<{ value: T; cpuMs: number }> {
	const before = groupCpuMs(pgid);
	const started = Date.now();
	const value = await work();
	await sleep(1000);
	return { value, cpuMs: groupCpuMs(pgid) - before - idleCores * (Date.now() - started) };
}

/** `list` started at its `round`-th entry (mod its length): each round another goes first. */
function rotated<T>(list: readonly T[], round: number): T[] {
	return list.map((_, i) => list[(i + round) % list.length]);
}

/** One CPU run: `rate` calls a second for `runMs`, then a second for the last executions. */
async function cpuRun(
	running: Running,
	example: ExampleId,
	mix: MixId,
	options: ExamplesCostOptions,
	idleCores: number,
): Promise<{
	result: LoadResult;
	cpuMs: number;
	mainCpuMs: number;
	acquired: number;
	evaluated: number;
}> {
	const pgid = running.n8n.pid;
	await waitIdle(pgid);
	const counters = await expressionCounters(running.n8n.baseUrl);
	const mainBefore = readCpuMs(pgid);
	const { value: result, cpuMs: used } = await groupCpuDuring(pgid, idleCores, () =>
		runLoad({
			urls: running.urls[example],
			key: SECRETS.sellerKey,
			rate: options.rate,
			durationMs: options.runMs,
			mix: MIXES[mix].weights,
			timeoutMs: 10_000,
		}),
	);
	const mainUsed = readCpuMs(pgid) - mainBefore;
	const after = await expressionCounters(running.n8n.baseUrl);
	return {
		result,
		cpuMs: Math.max(0, used),
		mainCpuMs: Math.max(0, Math.min(mainUsed, used)),
		acquired: after.acquired - counters.acquired,
		evaluated: after.evaluated - counters.evaluated,
	};
}

async function measureCpu(
	running: Running,
	setting: SettingId,
	rounds: number,
	options: ExamplesCostOptions,
	idleCores: number,
): Promise<CostCell[]> {
	const cells = new Map<string, CostCell & { latencies: LoadResult[] }>();
	for (let round = 0; round < rounds; round++) {
		for (const mix of Object.keys(MIXES) as MixId[]) {
			for (const example of rotated(EXAMPLES, round)) {
				const run = await cpuRun(running, example, mix, options, idleCores);
				const { result, cpuMs } = run;
				const key = `${example}/${mix}`;
				const cell = cells.get(key) ?? {
					setting,
					example,
					mix,
					calls: 0,
					ok: 0,
					cpuMs: 0,
					cpuMsPerCall: NaN,
					perRound: [],
					mainCpuMs: 0,
					acquired: 0,
					evaluated: 0,
					p50: NaN,
					p99: NaN,
					errors: [],
					latencies: [],
				};
				cell.calls += result.sent;
				cell.ok += result.ok;
				cell.cpuMs += cpuMs;
				cell.perRound.push(cpuMs / result.sent);
				cell.mainCpuMs += run.mainCpuMs;
				cell.acquired += run.acquired;
				cell.evaluated += run.evaluated;
				cell.errors.push(...errorList(result));
				cell.latencies.push(result);
				cells.set(key, cell);
				options.log(
					`examples ${setting} ${mix} ${example} round ${round + 1}: ${(cpuMs / result.sent).toFixed(1)} ms CPU per call, ` +
						`${result.ok}/${result.sent} correct, p50 ${result.latencyMs.p50} ms, ` +
						`${(run.acquired / result.sent).toFixed(2)} isolates and ${(run.evaluated / result.sent).toFixed(1)} expressions per call`,
				);
			}
		}
	}
	return [...cells.values()].map(({ latencies, ...cell }) => ({
		...cell,
		cpuMsPerCall: cell.cpuMs / cell.calls,
		// The median of the rounds' p50 and the largest p99: a summary, not a pooled quantile.
		p50: latencies.map((r) => r.latencyMs.p50).sort((a, b) => a - b)[
			Math.floor((latencies.length - 1) / 2)
		],
		p99: Math.max(...latencies.map((r) => r.latencyMs.p99)),
		errors: [...new Set(cell.errors)],
	}));
}

/** Calls at `rate` for `durationMs`, each answer's HTTP status and latency noted (not checked). */
async function statusLoad(
	url: string,
	rate: number,
	durationMs: number,
): Promise<{ sent: number; statuses: Record<number, number>; ms: number[] }> {
	const statuses: Record<number, number> = {};
	const ms: number[] = [];
	const result = await runLoad({
		urls: url,
		key: SECRETS.sellerKey,
		rate,
		durationMs,
		mix: MIXES.newInstance.weights,
		timeoutMs: 10_000,
		plain: true,
		onCallDone: (call) => {
			statuses[call.status] = (statuses[call.status] ?? 0) + 1;
			ms.push(call.ms);
		},
	});
	return { sent: result.sent, statuses, ms };
}

const statusText = (statuses: Record<number, number>) =>
	Object.entries(statuses)
		.map(([status, n]) => `${status === '0' ? 'no answer' : `HTTP ${status}`}: ${n}`)
		.join(', ');

/**
 * The refusal runs' rate with one setting: where the bare trigger's accepted new purchases would
 * take half a core (`bareMsPerCall`, measured just before), at most `maxRate`, at least 2. With
 * n8n's default expression engine every call, turned away or not, takes an expression isolate
 * (tens of ms), and 30 calls a second would be more than n8n can turn away in time.
 */
export function refusalRateFor(bareMsPerCall: number, maxRate: number): number {
	const rate = Number.isFinite(bareMsPerCall) ? Math.floor(500 / Math.max(bareMsPerCall, 1)) : 2;
	return Math.max(2, Math.min(maxRate, rate));
}

/**
 * One refusal run (measurement 3): for a Busy Limit copy, its first new purchase sent and held,
 * then `REFUSAL_WARM_UP_MS` of calls (which must all be turned away), then `rate` calls a second
 * for `refusalMs` and a second for n8n to finish; n8n's CPU over the run less its idle use. The
 * held call is answered after the run (the Wait node's `holdMs`) and must be correct.
 */
async function refusalRun(
	running: Running,
	target: RefusalId,
	rate: number,
	holdMs: number,
	options: ExamplesCostOptions,
	idleCores: number,
): Promise<{
	sent: number;
	expected: number;
	cpuMs: number;
	ms: number[];
	held?: boolean;
	errors: string[];
}> {
	const pgid = running.n8n.pid;
	const url = running.refusalUrls[target];
	const status = REFUSAL_STATUS[target];
	const errors: string[] = [];
	// A call turned away costs a few ms: wait for n8n to be quieter than before a CPU run.
	await waitIdle(pgid, 0.05);
	const heldAt = Date.now();
	const held = HELD.includes(target)
		? runLoad({
				urls: url,
				key: SECRETS.sellerKey,
				rate: 1,
				durationMs: 1000,
				mix: MIXES.newInstance.weights,
				timeoutMs: holdMs + 30_000,
			})
		: undefined;
	if (held) await sleep(500);
	const warm = await statusLoad(url, rate, REFUSAL_WARM_UP_MS);
	if ((warm.statuses[status] ?? 0) !== warm.sent)
		errors.push(`warm-up not all HTTP ${status} (${statusText(warm.statuses)})`);
	await sleep(300);
	const { value: run, cpuMs } = await groupCpuDuring(pgid, idleCores, () =>
		statusLoad(url, rate, options.refusalMs),
	);
	const endedAt = Date.now();
	const expected = run.statuses[status] ?? 0;
	if (expected !== run.sent) errors.push(`not all HTTP ${status} (${statusText(run.statuses)})`);
	let heldOk: boolean | undefined;
	if (held) {
		const answer = await held;
		heldOk = answer.ok === 1;
		if (!heldOk) errors.push(`held call not answered correctly (${errorList(answer).join(', ')})`);
		else if (heldAt + answer.elapsedMs < endedAt)
			errors.push('held call answered before the run ended');
	}
	return { sent: run.sent, expected, cpuMs: Math.max(0, cpuMs), ms: run.ms, held: heldOk, errors };
}

/** Measurement 3: every refusal target in turn, `rounds` times in a rotating order. */
async function measureRefusals(
	running: Running,
	setting: SettingId,
	rounds: number,
	rate: number,
	holdMs: number,
	options: ExamplesCostOptions,
	idleCores: number,
): Promise<RefusalCell[]> {
	const cells = new Map<RefusalId, RefusalCell & { ms: number[] }>();
	for (let round = 0; round < rounds; round++) {
		for (const target of rotated(REFUSALS, round)) {
			const run = await refusalRun(running, target, rate, holdMs, options, idleCores);
			const cell = cells.get(target) ?? {
				setting,
				target,
				rate,
				status: REFUSAL_STATUS[target],
				calls: 0,
				expected: 0,
				cpuMs: 0,
				cpuMsPerCall: NaN,
				perRound: [],
				p50: NaN,
				p99: NaN,
				held: HELD.includes(target) ? { ok: 0, sent: 0 } : undefined,
				errors: [],
				ms: [],
			};
			cell.calls += run.sent;
			cell.expected += run.expected;
			cell.cpuMs += run.cpuMs;
			cell.perRound.push(run.cpuMs / run.sent);
			cell.ms.push(...run.ms);
			if (cell.held) {
				cell.held.sent++;
				if (run.held) cell.held.ok++;
			}
			cell.errors.push(...run.errors.map((e) => `round ${round + 1}: ${e}`));
			cells.set(target, cell);
			options.log(
				`examples ${setting} refusals ${target} round ${round + 1}: ${(run.cpuMs / run.sent).toFixed(2)} ms CPU per call, ` +
					`${run.expected}/${run.sent} HTTP ${REFUSAL_STATUS[target]}${run.errors.length ? `; ${run.errors.join('; ')}` : ''}`,
			);
		}
	}
	return [...cells.values()].map(({ ms, ...cell }) => ({
		...cell,
		cpuMsPerCall: cell.cpuMs / cell.calls,
		p50: quantile(ms, 0.5),
		p99: quantile(ms, 0.99),
	}));
}

/** One ramp step for one workflow. */
async function rampStep(
	running: Running,
	example: ExampleId,
	rate: number,
	options: ExamplesCostOptions,
): Promise<RampStep> {
	await waitIdle(running.n8n.pid);
	const client = process.cpuUsage();
	const started = Date.now();
	const result = await runLoad({
		urls: running.urls[example],
		key: SECRETS.sellerKey,
		rate,
		durationMs: options.stepMs,
		mix: MIXES.mix.weights,
		timeoutMs: 10_000,
	});
	// Correct answers that came in time: answers over 5 s are counted whatever they said.
	const inTime = Math.max(0, result.ok - result.over5s);
	const step: RampStep = {
		example,
		rate,
		sent: result.sent,
		inTime,
		answeredRate: result.throughput,
		p99: result.latencyMs.p99,
		passed: inTime >= 0.99 * result.sent && result.throughput >= 0.9 * rate,
		errors: errorList(result),
		clientLagMs: result.maxStartLagMs,
		clientCores: cpuCores(process.cpuUsage(client), Date.now() - started),
	};
	options.log(
		`examples ramp ${example} ${rate}/s: ${inTime}/${result.sent} correct within ${KOOGALLERY_TIMEOUT_MS / 1000} s, ` +
			`${result.throughput.toFixed(1)} answered/s, p99 ${result.latencyMs.p99} ms, client ${step.clientCores.toFixed(2)} cores: ${step.passed ? 'passed' : 'failed'}`,
	);
	return step;
}

/**
 * The next rate to offer: up by 40% while no step has failed, down by 30% while none has passed,
 * then halfway (geometrically) between the highest pass and the lowest failure until they are
 * within 12% (or 1 call a second) of each other; undefined when done.
 */
export function nextRate(passed: number, failed: number, rate: number): number | undefined {
	if (failed === Infinity) return Math.ceil(rate * 1.4);
	if (passed === 0) {
		const down = Math.floor(rate * 0.7);
		return down >= 1 ? down : undefined;
	}
	if (failed <= passed * 1.12 || failed - passed <= 1) return undefined;
	const middle = Math.round(Math.sqrt(passed * failed));
	return Math.min(failed - 1, Math.max(passed + 1, middle));
}

/**
 * Steps of offered rates, every workflow in turn at each step (each at its own rate, see
 * `nextRate`), until each workflow's highest rate is known or `maxSteps` steps were run.
 */
async function ramp(
	running: Running,
	start: Record<ExampleId, number>,
	options: ExamplesCostOptions,
): Promise<Pick<ExamplesCostResult['ramp'], 'steps' | 'highest'>> {
	const steps: RampStep[] = [];
	const state = Object.fromEntries(
		EXAMPLES.map((example) => [
			example,
			{ rate: start[example], passed: 0, failed: Infinity, done: false, count: 0 },
		]),
	) as Record<
		ExampleId,
		{ rate: number; passed: number; failed: number; done: boolean; count: number }
	>;
	while (EXAMPLES.some((example) => !state[example].done)) {
		for (const example of EXAMPLES) {
			const s = state[example];
			if (s.done) continue;
			const step = await rampStep(running, example, s.rate, options);
			steps.push(step);
			s.count++;
			if (step.passed) s.passed = Math.max(s.passed, s.rate);
			else s.failed = Math.min(s.failed, s.rate);
			const next = nextRate(s.passed, s.failed, s.rate);
			s.done = s.count >= options.maxSteps || next === undefined;
			s.rate = next ?? s.rate;
		}
	}
	return {
		steps,
		highest: Object.fromEntries(
			EXAMPLES.map((example) => [
				example,
				{
					rate: state[example].passed,
					failed: state[example].failed === Infinity ? null : state[example].failed,
					atLeast: state[example].failed === Infinity,
				},
			]),
		) as ExamplesCostResult['ramp']['highest'],
	};
}

/**
 * Starts n8n with the three workflows and the refusal targets for one setting; resolves once both
 * examples' tables exist.
 */
async function startRunning(
	env: Record<string, string>,
	workflows: Workflow[],
	refusals: Record<RefusalId, Workflow>,
	pg: PostgresServer,
	openApi: OpenApiMock,
	tarball: string,
	stops: Array<() => unknown>,
): Promise<Running> {
	const install = await ensureN8n();
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-examples-'));
	stops.push(() => {
		if (!process.env.KOOGALLERY_KEEP_N8N) fs.rmSync(userFolder, { recursive: true, force: true });
	});
	installPack(userFolder, tarball);
	const n8n = await startN8n({
		userFolder,
		workflows: [...workflows, ...REFUSALS.map((target) => refusals[target])],
		credentials: exampleCredentials(SECRETS, pg, openApi.url),
		// Successful executions not kept, as the README advises for production (LEAN_ENV); /metrics
		// for the expression engine's counters (which n8n keeps in any case).
		env: {
			...LEAN_ENV,
			...env,
			N8N_METRICS: 'true',
			N8N_METRICS_INCLUDE_DEFAULT_METRICS: 'false',
		},
	});
	stops.push(() => n8n.stop());
	await waitForPgTables(pg);
	await waitForDataTable(install, userFolder, DATA_TABLE, 60_000);
	const url = (workflow: Workflow) =>
		`${n8n.baseUrl}/webhook/${String(triggerOf(workflow).parameters.path)}`;
	const [bare, postgres, dataTable] = workflows;
	return {
		n8n,
		urls: { bare: url(bare), postgres: url(postgres), dataTable: url(dataTable) },
		refusalUrls: Object.fromEntries(
			REFUSALS.map((target) => [target, `${n8n.baseUrl}/webhook/${REFUSAL_PATHS[target]}`]),
		) as Record<RefusalId, string>,
	};
}

/** Runs the part; always stops what it started. */
export async function runExamplesCostBench(
	options: ExamplesCostOptions,
): Promise<ExamplesCostResult> {
	const startedAt = Date.now();
	const postgresExample = readExample('postgres');
	const dataTableExample = readExample('dataTable');
	const workflows = [
		bareWorkflow(triggerOf(postgresExample).parameters.options),
		postgresExample,
		dataTableExample,
	];
	const expressions = Object.fromEntries(
		EXAMPLES.map((example, i) => [example, countExpressions(workflows[i])]),
	) as Record<ExampleId, number>;
	// The Wait node holds the first call over the warm-up, the run, its last second and a margin.
	const holdMs = Math.ceil((options.refusalMs + 5000) / 1000) * 1000;
	const refusals: Record<RefusalId, Workflow> = {
		bare: heldCopy(workflows[0], 'BenchRefuseBare', REFUSAL_PATHS.bare, holdMs),
		postgres: heldCopy(postgresExample, 'BenchRefusePg', REFUSAL_PATHS.postgres, holdMs),
		webhookRefused: webhookWorkflow('BenchWebhookNo', REFUSAL_PATHS.webhookRefused, true),
		webhookAtOnce: webhookWorkflow('BenchWebhookNow', REFUSAL_PATHS.webhookAtOnce, false),
	};
	const stops: Array<() => unknown> = [];
	const stopAll = async () => {
		for (const step of stops.splice(0).reverse()) await step();
	};
	const settings: ExamplesSetting[] = [];
	const failures: NonNullable<ExamplesCostResult['failures']> = [];
	let rampResult: Pick<ExamplesCostResult['ramp'], 'steps' | 'highest'> | undefined;
	let postgresVersion = '';
	try {
		const pg = await startPostgres();
		stops.push(() => pg.stop());
		postgresVersion = pg.version;
		const openApi = await startOpenApiMock({ credentials: SECRETS });
		stops.push(() => openApi.stop());
		for (const setting of N8N_SETTINGS) {
			const rounds = options.rounds[setting.id] ?? 0;
			if (rounds < 1) continue;
			// The second setting finds the PostgreSQL example's tables with the first one's rows (a
			// few hundred orders, which every call's lookup by key does not notice).
			const own: Array<() => unknown> = [];
			try {
				const running = await startRunning(
					{ ...setting.env },
					workflows,
					refusals,
					pg,
					openApi,
					options.tarball,
					own,
				);
				await warmUp(running, options.log);
				const idleCores = await measureIdle(running.n8n.pid);
				const loadBefore = loadAverage();
				const cells = await measureCpu(running, setting.id, rounds, options, idleCores);
				const refusalRounds = options.refusalRounds[setting.id] ?? 0;
				const bareMs = cells.find((c) => c.example === 'bare' && c.mix === 'newInstance');
				const refusalRate = refusalRateFor(bareMs?.cpuMsPerCall ?? NaN, options.refusalRate);
				const refusalCells =
					refusalRounds > 0
						? await measureRefusals(
								running,
								setting.id,
								refusalRounds,
								refusalRate,
								holdMs,
								options,
								idleCores,
							)
						: undefined;
				if (setting.id === 'tuned') {
					// 70% of what one core would serve at the measured CPU per call, as the first step: from
					// there 6 steps find any capacity from 0.6 to 1.6 times that within 20% (test/scripts).
					const start = Object.fromEntries(
						EXAMPLES.map((example) => {
							const cell = cells.find((c) => c.example === example && c.mix === 'mix');
							const perCall = cell?.cpuMsPerCall ?? 100;
							return [example, Math.max(2, Math.round(700 / Math.max(perCall, 1)))];
						}),
					) as Record<ExampleId, number>;
					rampResult = await ramp(running, start, options);
				}
				settings.push({
					id: setting.id,
					label: setting.label,
					cells,
					refusals: refusalCells,
					idleCores,
					loadBefore,
					loadAfter: loadAverage(),
				});
			} catch (error) {
				// The other setting's numbers stay: the part is reported as failed with this reason.
				const message = ((error as Error).message ?? String(error)).split('\n')[0];
				options.log(`examples ${setting.id} failed: ${message}`);
				failures.push({ setting: setting.id, message });
			} finally {
				for (const step of own.reverse()) await step();
			}
		}
	} finally {
		await stopAll();
	}
	return {
		rate: options.rate,
		runMs: options.runMs,
		rounds: options.rounds,
		settings,
		ramp: {
			setting: 'tuned',
			mix: 'mix',
			stepMs: options.stepMs,
			maxSteps: options.maxSteps,
			steps: rampResult?.steps ?? [],
			highest:
				rampResult?.highest ??
				({
					bare: { rate: 0, failed: null, atLeast: false },
					postgres: { rate: 0, failed: null, atLeast: false },
					dataTable: { rate: 0, failed: null, atLeast: false },
				} as ExamplesCostResult['ramp']['highest']),
		},
		refusal: {
			rate: options.refusalRate,
			runMs: options.refusalMs,
			holdMs,
			rounds: options.refusalRounds,
		},
		expressions,
		postgres: postgresVersion,
		failures,
		durationMs: Date.now() - startedAt,
	};
}
