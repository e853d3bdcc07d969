/**
 * Load: KooGallery's calls offered at a fixed rate (50 a second for 60 seconds by default) to the
 * PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json) in a real n8n 2.41.1 with
 * the tuned expression-engine settings (docs/protocol/README.md decision 15), against a baseline measured in the
 * same run on the same n8n: n8n's own Webhook -> Respond to Webhook answering a static body.
 *
 * The calls come from scripts/load.cts (mixed scenarios, signed by the simulator's client). After
 * the load the database is compared with what the answers said (one row per answered new purchase,
 * states as the last accepted call left them), and every new purchase that went unanswered is sent
 * again the way KooGallery retries it.
 *
 * The same load runs on several set-ups of n8n (`LoadVariant`): n8n's own data in SQLite (the
 * harness default), in PostgreSQL with one process in regular mode (with and without n8n's
 * settings that save fewer executions), and in queue mode (scripts/n8n-queue.cts: 2 webhook
 * processes the calls alternate between, 2 workers). Each variant measures its own baseline.
 *
 * Used by `npm run bench` (part `load`, every variant), which writes bench/results/load.json and
 * the "Load" section of BENCHMARKS.md. Nothing here judges a number; the bench fails (exit code 1)
 * only when an answer was wrong or the data afterwards is not consistent (`loadCorrectness`).
 * test/e2e/burst.e2e.test.cts uses its set-up and its database check for a short burst in CI.
 *
 *   node --require tsx/cjs bench/load.cts [--variants=sqlite,postgres,postgres-lean,queue]
 *        [--rate=50] [--duration=60] [--out=BENCHMARKS.md]
 *   node --require tsx/cjs bench/load.cts --from-results   (the section from bench/results/load.json)
 *
 * A run replaces the saved results of the variants it measured and keeps the others.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	formatLoadResult,
	rssSummary,
	runLoad,
	type LoadOptions,
	type LoadResult,
	type TrackedInstance,
	type UnansweredOrder,
} from '../scripts/load-generator.cjs';
import { type ExecutionSummary } from '../scripts/n8n-database.cjs';
import { ensureN8n, installPack } from '../scripts/n8n-install.cjs';
import { startN8n } from '../scripts/n8n-process.cjs';
import { startQueueN8n } from '../scripts/n8n-queue.cjs';
import { sqlLiteral, startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { startOpenApiMock } from '../simulator/openapi-mock.cjs';
import { exampleCredentials } from '../scripts/example-credentials.cjs';
import { call, newBusinessId } from '../simulator/saas-v2-client.cjs';
import { formatNumber, formatRatio, markdownTable } from './stats.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');
/** Where the test and the bench leave the numbers of the last run. */
export const LOAD_RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'load.json');
export const LOAD_SECTION_TITLE = '## Load: 50 req/s × 60 s';

export const SECRETS = {
	sellerKey: 'load-Seller-Key-7d1e4c2b',
	ak: 'LOADBENCHAK0000000001',
	sk: 'load-bench-secret-access-key',
};
const TUNED_ENV = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
	N8N_EXPRESSION_ENGINE_POOL_SIZE: '4',
};
/** n8n 2.41.1's own expression-engine defaults, which the harness otherwise tunes (docs/protocol/README.md decision 15). */
const DEFAULT_ENGINE_ENV = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'false',
	N8N_EXPRESSION_ENGINE_POOL_SIZE: '1',
};
/** n8n's settings that cut its database writes per call: successful executions are not kept. */
const LEAN_ENV = {
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
	EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false',
	EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
};

/**
 * n8n's older expression engine, which evaluates expressions in n8n's own process: n8n 2.x's
 * default (`vm`) builds a fresh V8 isolate for every execution that evaluates any expression.
 */
const LEGACY_ENGINE_ENV = { N8N_EXPRESSION_ENGINE: 'legacy' };

/**
 * n8n keeps 2 PostgreSQL connections per process by default (DB_POSTGRESDB_POOL_SIZE); under load
 * its executions wait for one and time out after 20 s ("timeout exceeded when trying to connect").
 */
const POOL_ENV = { DB_POSTGRESDB_POOL_SIZE: '10' };

/**
 * The trigger's Busy Limit in the variants that keep it (the example's own): about twice the calls
 * a second one n8n process answers here, so the calls it takes wait about 2 s (Little's law).
 */
const BUSY_LIMIT = 40;

/** The set-ups of n8n the load runs on. */
export type LoadVariant =
	| 'sqlite'
	| 'postgres'
	| 'postgres-pool'
	| 'postgres-lean'
	| 'postgres-lean-legacy'
	| 'postgres-lean-limit'
	| 'postgres-lean-legacy-limit'
	| 'postgres-lean-auto'
	| 'postgres-lean-default-engine-auto'
	| 'queue';
export const LOAD_VARIANTS: LoadVariant[] = [
	'sqlite',
	'postgres',
	'postgres-pool',
	'postgres-lean',
	'postgres-lean-legacy',
	'postgres-lean-limit',
	'postgres-lean-legacy-limit',
	'postgres-lean-auto',
	'postgres-lean-default-engine-auto',
	'queue',
];
/** The variants whose trigger turns calls away: a fixed Busy Limit (`-limit`) or Auto (`-auto`). */
const busyLimitOf = (variant: LoadVariant) =>
	variant.endsWith('-auto')
		? { busyLimit: 'auto', maxCallsInProgress: 0 }
		: { busyLimit: 'off', maxCallsInProgress: variant.endsWith('-limit') ? BUSY_LIMIT : 0 };
const turnsAway = (variant: LoadVariant | undefined) =>
	!!variant && (variant.endsWith('-limit') || variant.endsWith('-auto'));
/** What each variant is, in words (for the report). */
const LEAN_TEXT =
	"one n8n process, regular mode, n8n's data in PostgreSQL, pool 10, successful executions not saved";
export const VARIANT_TEXT: Record<LoadVariant, string> = {
	sqlite: "one n8n process, regular mode, n8n's data in SQLite (default)",
	postgres: "one n8n process, regular mode, n8n's data in PostgreSQL (n8n's default pool of 2)",
	'postgres-pool':
		"one n8n process, regular mode, n8n's data in PostgreSQL, DB_POSTGRESDB_POOL_SIZE=10",
	'postgres-lean': LEAN_TEXT,
	'postgres-lean-legacy': `${LEAN_TEXT}, n8n's legacy expression engine (N8N_EXPRESSION_ENGINE=legacy)`,
	'postgres-lean-limit': `${LEAN_TEXT}, the KooGallery Trigger's Busy Limit set to ${BUSY_LIMIT}`,
	'postgres-lean-legacy-limit': `${LEAN_TEXT}, legacy expression engine, the KooGallery Trigger's Busy Limit set to ${BUSY_LIMIT}`,
	'postgres-lean-auto': `${LEAN_TEXT}, the KooGallery Trigger's Busy Limit on Auto (as shipped)`,
	'postgres-lean-default-engine-auto': `${LEAN_TEXT}, n8n's default expression-engine settings (not tuned), the KooGallery Trigger's Busy Limit on Auto (as shipped)`,
	queue:
		"queue mode, n8n's data in PostgreSQL (pool 10 per process), Redis: main + 2 webhook processes (calls alternate) + 2 workers (concurrency 10)",
};
/** n8n's environment of each variant beyond the harness's (tuned expression engine for all). */
const VARIANT_ENV: Record<LoadVariant, Record<string, string>> = {
	sqlite: TUNED_ENV,
	postgres: TUNED_ENV,
	'postgres-pool': { ...TUNED_ENV, ...POOL_ENV },
	'postgres-lean': { ...TUNED_ENV, ...POOL_ENV, ...LEAN_ENV },
	'postgres-lean-legacy': { ...TUNED_ENV, ...POOL_ENV, ...LEAN_ENV, ...LEGACY_ENGINE_ENV },
	'postgres-lean-limit': { ...TUNED_ENV, ...POOL_ENV, ...LEAN_ENV },
	'postgres-lean-legacy-limit': { ...TUNED_ENV, ...POOL_ENV, ...LEAN_ENV, ...LEGACY_ENGINE_ENV },
	'postgres-lean-auto': { ...TUNED_ENV, ...POOL_ENV, ...LEAN_ENV },
	'postgres-lean-default-engine-auto': { ...DEFAULT_ENGINE_ENV, ...POOL_ENV, ...LEAN_ENV },
	queue: { ...TUNED_ENV, ...POOL_ENV },
};
const BASELINE_PATH = 'load/n8n-static';
const BASELINE_BODY = '{"resultCode":"000000","resultMsg":"success"}';

/** A load run without the per-call lists (kept small for the results file). */
export type LoadSummary = Omit<LoadResult, 'instances' | 'ordersToRetry' | 'rss'> & {
	rssMb: { firstMb: number; lastMb: number; maxMb: number };
	/** RSS of n8n every second, MB. */
	rssSeries: number[];
};

/** How the database compares with what the answers said. */
export interface Consistency {
	/** New purchases answered 000000 with an instance ID. */
	answeredOrders: number;
	/** Of those, how many have no row, more than one row, or a row with another instance ID. */
	missingRows: string[];
	duplicateRows: string[];
	wrongInstanceId: string[];
	/** Instances whose status, expiry or last order differ from the last accepted call. */
	stateMismatches: Array<{
		instanceId: string;
		expected: Record<string, unknown>;
		actual: Record<string, unknown>;
	}>;
	/** Instances whose last change went unanswered, so either state is right (not compared). */
	uncertain: number;
	/** Rows of the load's orders that no answered or unanswered new purchase explains. */
	unexplainedRows: number;
	/** New purchases without a result code (unanswered or HTTP error), those with a row before the retry, and the retry's outcome. */
	unansweredOrders: number;
	unansweredWithRow: number;
	retried: number;
	retriedOk: number;
	/** Orders (answered or retried) that do not have exactly one row after the retries. */
	notOneRowAfterRetry: string[];
	/** Executions of the example workflow n8n stored, by status. */
	executions: Record<string, number>;
	/** Executions n8n still listed as new or running when its database stopped changing. */
	stuckExecutions: number;
}

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

/** n8n Webhook -> Respond to Webhook with a static body: the cheapest answer n8n gives. */
function baselineWorkflow(): object {
	return {
		id: 'LoadBaselineN8n0',
		name: 'Load baseline: n8n Webhook -> Respond to Webhook (static)',
		nodes: [
			{
				parameters: {
					httpMethod: 'POST',
					path: BASELINE_PATH,
					responseMode: 'responseNode',
					options: {},
				},
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: randomUUID(),
			},
			{
				parameters: { respondWith: 'text', responseBody: BASELINE_BODY, options: {} },
				id: randomUUID(),
				name: 'Respond to Webhook',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.5,
				position: [220, 0],
			},
		],
		connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

export interface Environment {
	pg: PostgresServer;
	/** The pack's production URLs, used in turn (several webhook processes in queue mode). */
	packUrls: string[];
	baselineUrls: string[];
	/** n8n's processes whose memory is sampled. */
	pids: number[];
	/** Each n8n process's log so far. */
	logs(): string[];
	listExecutions(workflowId: string): Promise<ExecutionSummary[]>;
	workflowId: string;
	stop(): Promise<void>;
}

export interface EnvironmentOptions {
	/** A packed tarball of the pack; the work tree's dist/ when omitted. */
	tarball?: string;
	/** More of n8n's environment (the profiler's NODE_OPTIONS). */
	extraEnv?: Record<string, string>;
	/** The workflow (default: the PostgreSQL example). */
	workflowFile?: string;
	/** The trigger's Busy Limit, a number or "auto" (default: the variant's: off, BUSY_LIMIT or auto). */
	busyLimit?: number | 'auto';
}

export async function startEnvironment(
	variant: LoadVariant,
	options: EnvironmentOptions = {},
): Promise<Environment> {
	const { tarball, extraEnv = {} } = options;
	const workflowFile =
		options.workflowFile ?? path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-postgres.json');
	await ensureN8n();
	const stops: Array<() => unknown> = [];
	const stop = async () => {
		for (const step of stops.reverse()) await step();
	};
	try {
		const openApi = await startOpenApiMock({ credentials: SECRETS });
		stops.push(() => openApi.stop());
		const workflow = JSON.parse(fs.readFileSync(workflowFile, 'utf8')) as {
			id: string;
			nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
		};
		const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
		if (!trigger) throw new Error('the PostgreSQL example lost its KooGallery Trigger');
		// The example ships with Busy Limit Auto; only the set-ups named for a limit keep one.
		trigger.parameters.options = {
			...(trigger.parameters.options as object),
			...busyLimitOf(variant),
			...(options.busyLimit === 'auto'
				? { busyLimit: 'auto', maxCallsInProgress: 0 }
				: options.busyLimit === undefined
					? {}
					: { busyLimit: 'off', maxCallsInProgress: options.busyLimit }),
		};
		const packPath = String(trigger.parameters.path);
		const credentials = (pg: PostgresServer) => exampleCredentials(SECRETS, pg, openApi.url);
		let env: Omit<Environment, 'pg' | 'workflowId' | 'stop'>;
		let pg: PostgresServer;
		if (variant === 'sqlite') {
			const server = await startPostgres();
			pg = server;
			stops.push(() => server.stop());
			const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-load-'));
			stops.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
			installPack(userFolder, tarball);
			const n8n = await startN8n({
				userFolder,
				workflows: [workflow, baselineWorkflow()],
				env: { ...TUNED_ENV, ...extraEnv },
				credentials: credentials(server),
			});
			stops.push(() => n8n.stop());
			env = {
				packUrls: [`${n8n.baseUrl}/webhook/${packPath}`],
				baselineUrls: [`${n8n.baseUrl}/webhook/${BASELINE_PATH}`],
				pids: [n8n.pid],
				logs: () => [n8n.logs()],
				listExecutions: (id) => n8n.listExecutions(id),
			};
		} else {
			// startQueueN8n installs the pack from the work tree's dist/ (npm run build).
			const q = await startQueueN8n({
				workflows: [workflow as { id: string }, baselineWorkflow() as { id: string }],
				credentials,
				webhookPaths: [packPath, BASELINE_PATH],
				regular: variant !== 'queue',
				env: { ...VARIANT_ENV[variant], ...extraEnv },
			});
			pg = q.pg;
			stops.push(() => q.stop());
			const front = variant === 'queue' ? q.webhooks : [q.main];
			const all = [q.main, ...q.webhooks, ...q.workers];
			env = {
				packUrls: front.map((p) => `${p.baseUrl}/webhook/${packPath}`),
				baselineUrls: front.map((p) => `${p.baseUrl}/webhook/${BASELINE_PATH}`),
				pids: all.map((p) => p.pid),
				logs: () => all.map((p) => p.logs()),
				listExecutions: async (id) => q.listExecutions(id),
			};
		}
		const deadline = Date.now() + 60_000;
		while (
			pg.rows("SELECT 1 AS x FROM pg_tables WHERE tablename = 'koogallery_instances'").length === 0
		) {
			if (Date.now() > deadline) throw new Error('the example workflow did not create its tables');
			await sleep(500);
		}
		return { ...env, pg, workflowId: workflow.id, stop };
	} catch (error) {
		await stop();
		throw error;
	}
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

interface InstanceRow {
	instance_id: string;
	order_id: string;
	order_line_id: string;
	status: string;
	expire_time: string | null;
	last_order_id: string | null;
}

function rowsOfOrders(pg: PostgresServer, orderIds: string[]): InstanceRow[] {
	if (orderIds.length === 0) return [];
	const rows: InstanceRow[] = [];
	for (let i = 0; i < orderIds.length; i += 500) {
		const list = orderIds
			.slice(i, i + 500)
			.map(sqlLiteral)
			.join(', ');
		rows.push(
			...pg.rows<InstanceRow>(
				`SELECT instance_id, order_id, order_line_id, status, expire_time, last_order_id
				FROM koogallery_instances WHERE order_id IN (${list})`,
			),
		);
	}
	return rows;
}

/**
 * Compares the database with the answers, then sends every unanswered new purchase again,
 * `retryConcurrency` at a time.
 */
export async function checkConsistency(
	env: Pick<Environment, 'pg' | 'packUrls'>,
	instances: TrackedInstance[],
	unanswered: UnansweredOrder[],
	executions: { byStatus: Record<string, number>; stuck: number },
	retryConcurrency = 4,
): Promise<Consistency> {
	const allOrders = [...instances.map((i) => i.orderId), ...unanswered.map((o) => o.orderId)];
	const rows = rowsOfOrders(env.pg, allOrders);
	const byOrder = new Map<string, InstanceRow[]>();
	for (const row of rows) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
	const result: Consistency = {
		answeredOrders: instances.length,
		missingRows: [],
		duplicateRows: [],
		wrongInstanceId: [],
		stateMismatches: [],
		uncertain: instances.filter((i) => i.uncertain).length,
		unexplainedRows: 0,
		unansweredOrders: unanswered.length,
		unansweredWithRow: unanswered.filter((o) => byOrder.has(o.orderId)).length,
		retried: 0,
		retriedOk: 0,
		notOneRowAfterRetry: [],
		executions: executions.byStatus,
		stuckExecutions: executions.stuck,
	};
	const total = Number(
		env.pg.rows<{ n: string }>('SELECT count(*) AS n FROM koogallery_instances')[0].n,
	);
	result.unexplainedRows = total - rows.length;
	for (const instance of instances) {
		const found = byOrder.get(instance.orderId) ?? [];
		if (found.length === 0) result.missingRows.push(instance.orderId);
		if (found.length > 1) result.duplicateRows.push(instance.orderId);
		const row = found[0];
		if (!row) continue;
		if (row.instance_id !== instance.instanceId || row.order_line_id !== instance.orderLineId)
			result.wrongInstanceId.push(instance.orderId);
		if (instance.uncertain) continue;
		const expected = {
			status: instance.status,
			expire_time: instance.expireTime ?? row.expire_time,
			last_order_id: instance.lastOrderId,
		};
		const actual = {
			status: row.status,
			expire_time: row.expire_time,
			last_order_id: row.last_order_id,
		};
		if (JSON.stringify(expected) !== JSON.stringify(actual))
			result.stateMismatches.push({ instanceId: instance.instanceId, expected, actual });
	}
	// KooGallery retries what it got no result code for: the same order, a new businessId, a few
	// times.
	const retriedIds = new Map<string, string>();
	const queue = [...unanswered];
	const retry = async () => {
		for (let order = queue.shift(); order; order = queue.shift()) {
			result.retried++;
			for (let attempt = 0; attempt < 3; attempt++) {
				const answer = await call(env.packUrls[0], SECRETS.sellerKey, {
					activity: 'newInstance',
					orderId: order.orderId,
					orderLineId: order.orderLineId,
					businessId: newBusinessId(),
				});
				if (answer.status === 200 && answer.signed && answer.json?.resultCode === '000000') {
					result.retriedOk++;
					retriedIds.set(order.orderId, String(answer.json.instanceId));
					break;
				}
			}
		}
	};
	await Promise.all(Array.from({ length: retryConcurrency }, retry));
	const after = rowsOfOrders(env.pg, allOrders);
	for (const orderId of [...instances.map((i) => i.orderId), ...retriedIds.keys()]) {
		const found = after.filter((r) => r.order_id === orderId);
		const expectedId =
			retriedIds.get(orderId) ?? instances.find((i) => i.orderId === orderId)?.instanceId;
		if (found.length !== 1 || found[0].instance_id !== expectedId)
			result.notOneRowAfterRetry.push(orderId);
	}
	return result;
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
		const logStart = logMark(env);
		const progress =
			(name: string) =>
			(s: {
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
		log(`baseline: ${rate} req/s for ${durationMs / 1000} s to n8n Webhook -> Respond to Webhook`);
		const baseline = await runLoad({
			urls: env.baselineUrls,
			key: SECRETS.sellerKey,
			rate,
			durationMs,
			plain: true,
			rssPids: env.pids,
			onSecond: progress('baseline'),
		});
		log(formatLoadResult(baseline));
		await drain(env, 'LoadBaselineN8n0', log);
		const baselineLog = logCounts(env, logStart);
		const stepMs = options.stepMs ?? 20_000;
		const stepRates = options.steps ?? [10, 20, 30];
		let baselineStep: LoadBenchResult['baselineStep'];
		if (stepRates.length) {
			log(`step: the baseline alone at ${stepRates[0]} req/s for ${stepMs / 1000} s`);
			const step = await runLoad({
				urls: env.baselineUrls,
				key: SECRETS.sellerKey,
				rate: stepRates[0],
				durationMs: stepMs,
				plain: true,
				rssPids: env.pids,
			});
			log(formatLoadResult(step));
			baselineStep = { rate: stepRates[0], durationMs: stepMs, summary: summarise(step) };
			await drain(env, 'LoadBaselineN8n0', log);
		}
		const steps: LoadBenchResult['steps'] = [];
		const stepResults: LoadResult[] = [];
		for (const stepRate of stepRates) {
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
		const packLogStart = logMark(env);
		log(`pack: ${rate} req/s for ${durationMs / 1000} s to the PostgreSQL example`);
		const pack = await runLoad({
			urls: env.packUrls,
			key: SECRETS.sellerKey,
			rate,
			durationMs,
			rssPids: env.pids,
			onSecond: progress('pack'),
		});
		log(formatLoadResult(pack));
		const executions = await drain(env, env.workflowId, log);
		const packLog = logCounts(env, packLogStart);
		log('comparing the database with the answers; retrying unanswered new purchases');
		const consistency = await checkConsistency(
			env,
			[warm, ...stepResults, pack].flatMap((r) => r.instances),
			[warm, ...stepResults, pack].flatMap((r) => r.ordersToRetry),
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

/** The results saved in `file` (one per variant, in `LOAD_VARIANTS` order); none if it is missing. */
export function readLoadResults(file = LOAD_RESULTS_FILE): LoadBenchResult[] {
	if (!fs.existsSync(file)) return [];
	const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as LoadBenchResult | LoadBenchResult[];
	return (Array.isArray(saved) ? saved : [saved]).map((r) => ({
		...r,
		variant: r.variant ?? 'sqlite',
	}));
}

/**
 * Writes results to `file` (bench/results/load.json by default), replacing those of the same
 * variants and keeping the others; returns everything the file now holds.
 */
export function saveLoadResults(
	results: LoadBenchResult[],
	file = LOAD_RESULTS_FILE,
): LoadBenchResult[] {
	const kept = readLoadResults(file).filter((r) => !results.some((n) => n.variant === r.variant));
	const all = [...kept, ...results].sort(
		(a, b) =>
			LOAD_VARIANTS.indexOf(a.variant ?? 'sqlite') - LOAD_VARIANTS.indexOf(b.variant ?? 'sqlite'),
	);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(all, null, '\t')}\n`);
	return all;
}

const ms = (value: number) => formatNumber(value);
/** n8n's CPU per call sent, ms (NaN when not measured). */
const cpuPerCall = (s: LoadSummary | undefined) =>
	s && Number.isFinite(s.cpuMs) ? s.cpuMs / Math.max(1, s.sent) : NaN;
/** What one call costs n8n in CPU at the first step's rate: pack and baseline (when measured). */
function cpuCost(
	result: LoadBenchResult,
): { pack: number; baseline: number; rate: number } | undefined {
	const step = result.steps?.[0];
	const pack = cpuPerCall(step?.summary);
	const baseline = cpuPerCall(result.baselineStep?.summary);
	if (!step || !Number.isFinite(pack) || !Number.isFinite(baseline)) return undefined;
	return { pack, baseline, rate: step.rate };
}
/** The table of one run: both workflows and the ratios. */
export function loadTable(result: LoadBenchResult): string {
	const row = (name: string, s: LoadSummary) => [
		name,
		String(s.sent),
		String(s.ok),
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p95),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)} / ${s.rssMb.maxMb.toFixed(0)}`,
	];
	const { pack, baseline } = result;
	return markdownTable(
		[
			'Workflow',
			'Sent',
			'Correct',
			'No answer',
			'HTTP error',
			'Wrong',
			'req/s',
			'p50 ms',
			'p95 ms',
			'p99 ms',
			'max ms',
			'> 5 s',
			'n8n RSS MB first / last / max',
		],
		[
			row('n8n Webhook -> Respond to Webhook (static, unsigned): baseline', baseline),
			row('KooGallery PostgreSQL example (signed, mixed scenarios)', pack),
			[
				'pack / baseline',
				'',
				'',
				'',
				'',
				'',
				formatRatio(pack.throughput / baseline.throughput),
				formatRatio(pack.latencyMs.p50 / baseline.latencyMs.p50),
				formatRatio(pack.latencyMs.p95 / baseline.latencyMs.p95),
				formatRatio(pack.latencyMs.p99 / baseline.latencyMs.p99),
				formatRatio(pack.latencyMs.max / baseline.latencyMs.max),
				'',
				formatRatio(pack.rssMb.maxMb / baseline.rssMb.maxMb),
			],
		],
	);
}

/** The table of the pack alone at lower rates (before the main run), when there is one. */
function stepsText(result: LoadBenchResult): string {
	if (!result.steps?.length) return '';
	const rows = result.steps.map(({ rate, durationMs, summary: s }) => [
		`${rate} req/s × ${durationMs / 1000} s`,
		`${s.ok} / ${s.sent}`,
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)}`,
		formatNumber(cpuPerCall(s)),
	]);
	const cost = cpuCost(result);
	return [
		"What the same n8n sustains: the pack alone at lower rates, after the baseline's run and before the pack's main run (its executions drained between steps):",
		'',
		markdownTable(
			[
				'Offered',
				'Correct / sent',
				'No answer',
				'HTTP error',
				'Wrong',
				'req/s',
				'p50 ms',
				'p99 ms',
				'max ms',
				'> 5 s',
				'n8n RSS MB first / last',
				'n8n CPU ms per call',
			],
			rows,
		),
		...(cost
			? [
					'',
					`What one call costs n8n: at ${cost.rate} req/s, which every set-up keeps up with, n8n's processes used ${formatNumber(cost.pack)} ms of CPU per call of the example against ${formatNumber(cost.baseline)} ms per call of the baseline at the same rate (${formatRatio(cost.pack / cost.baseline)}), in all their threads (the \`vm\` expression engine builds its sandboxes in threads of their own). The last column above is n8n's CPU per call at each rate.`,
				]
			: []),
	].join('\n');
}

/** One line per variant: what each n8n set-up served against its own baseline. */
function variantsTable(results: LoadBenchResult[]): string {
	const rows = results.map((r) => {
		const { pack: p, baseline: b } = r;
		const verdict = (met: boolean) => (met ? 'met' : '**missed**');
		const met = targets(r);
		return [
			VARIANT_TEXT[r.variant ?? 'sqlite'],
			r.startedAt.slice(0, 16).replace('T', ' '),
			r.loadAverage.before.map((v) => v.toFixed(1)).join(' / '),
			`${formatNumber(b.throughput)} (p99 ${ms(b.latencyMs.p99)} ms, ${b.over5s} > 5 s)`,
			`${p.ok} / ${p.sent}`,
			String(p.unanswered + p.refused),
			String(p.wrong),
			formatNumber(p.throughput),
			formatRatio(p.throughput / b.throughput),
			`${ms(p.latencyMs.p99)} (${formatRatio(p.latencyMs.p99 / b.latencyMs.p99)})`,
			String(p.over5s),
			`${p.rssMb.firstMb.toFixed(0)} / ${p.rssMb.lastMb.toFixed(0)} / ${p.rssMb.maxMb.toFixed(0)}`,
			((c) =>
				c
					? `${formatNumber(c.pack)} / ${formatNumber(c.baseline)} (${formatRatio(c.pack / c.baseline)})`
					: 'not measured')(cpuCost(r)),
			verdict(met.rateMet),
			verdict(met.timeMet),
			verdict(met.memoryMet),
		];
	});
	return markdownTable(
		[
			'n8n set-up',
			'Run (UTC)',
			'Load avg before (1/5/15 min)',
			'Baseline req/s',
			'Pack correct / sent',
			'No result code',
			'Wrong',
			'Pack req/s',
			'Pack / baseline',
			'Pack p99 ms (/ baseline)',
			'> 5 s',
			'n8n RSS MB first / last / max',
			'n8n CPU ms per call at 10 req/s, pack / baseline',
			'50 req/s',
			'5 s',
			'Memory',
		],
		rows,
	);
}

/** The "Load" section of BENCHMARKS.md: a summary of every variant, then each in detail. */
export function renderLoadSection(results: LoadBenchResult[]): string {
	return [
		LOAD_SECTION_TITLE,
		'',
		`The same open-loop load (${results[0]?.rate ?? 50} calls a second for ${(results[0]?.durationMs ?? 60_000) / 1000} s of mixed SaaS V2.0 calls, scripts/load.cts) on each n8n set-up, each with its own baseline (n8n's Webhook -> Respond to Webhook) measured in the same run on the same set-up. RSS is the sum over the set-up's n8n processes (queue mode: main, both webhook processes and both workers; task runners not counted). Measured by \`npm run bench\` (part load, every set-up) or \`node --require tsx/cjs bench/load.cts --variants=...\` (which rewrites only this section and keeps the other set-ups' saved numbers); each run fails when an answer is wrong or the data afterwards is not consistent (the CI tests run a short burst instead: test/e2e/burst.e2e.test.cts).`,
		'',
		variantsTable(results),
		'',
		...results.map(renderVariant),
	].join('\n');
}

/** The detailed subsection of one variant. */
/** Memory counts as steady when n8n never grew past this multiple of its RSS at the run's start. */
const STEADY_RSS_FACTOR = 1.5;

/**
 * The three targets of issue 8 for one run: every call answered correctly at the offered rate;
 * every call answered (correctly or with an HTTP error KooGallery retries) within 5 s; memory steady.
 */
function targets(result: LoadBenchResult): {
	rateMet: boolean;
	timeMet: boolean;
	memoryMet: boolean;
} {
	const { pack } = result;
	return {
		rateMet: pack.throughput >= result.rate * 0.95 && pack.ok === pack.sent,
		timeMet: pack.over5s === 0 && pack.unanswered === 0,
		memoryMet: pack.rssMb.maxMb <= STEADY_RSS_FACTOR * pack.rssMb.firstMb,
	};
}

/**
 * What must hold at any rate (the load's correctness, not its speed): every call planned was sent
 * and ended answered or not; no answer was wrong, here or at the lower rates; the database holds
 * one row per answered new purchase with the answered instance ID and the last accepted state; and
 * every new purchase without a result code, sent again, ends with exactly one row. Returns what
 * did not hold (empty: all did).
 */
export function loadCorrectness(result: LoadBenchResult): string[] {
	const { pack, baseline, consistency: c } = result;
	const planned = Math.round((result.rate * result.durationMs) / 1000);
	const newPurchases = pack.byScenario.newInstance ?? { sent: 0, ok: 0, failed: 0 };
	const problems: Array<[boolean, string]> = [
		[pack.sent === planned, `the pack was sent ${pack.sent} of ${planned} calls`],
		[baseline.sent === planned, `the baseline was sent ${baseline.sent} of ${planned} calls`],
		[
			pack.answered + pack.unanswered === pack.sent &&
				pack.ok + pack.unanswered + pack.refused + pack.wrong === pack.sent,
			"the pack's calls do not add up (answered + unanswered, ok + unanswered + HTTP error + wrong)",
		],
		[pack.wrong === 0, `${pack.wrong} wrong answers`],
		[
			(result.steps ?? []).every((step) => step.summary.wrong === 0),
			'wrong answers at the lower rates',
		],
		[pack.ok > 0, 'no call was answered correctly'],
		[c.answeredOrders > 0, 'no new purchase was answered correctly'],
		[c.missingRows.length === 0, `${c.missingRows.length} answered new purchases without a row`],
		[c.duplicateRows.length === 0, `${c.duplicateRows.length} orders with more than one row`],
		[c.wrongInstanceId.length === 0, `${c.wrongInstanceId.length} rows with another instance ID`],
		[
			c.stateMismatches.length === 0,
			`${c.stateMismatches.length} instances not in the state the last accepted call left`,
		],
		[c.unexplainedRows === 0, `${c.unexplainedRows} rows no call explains`],
		[
			c.unansweredOrders >= newPurchases.sent - newPurchases.ok,
			'new purchases without a result code were not all listed for the retry',
		],
		[
			c.retried === c.unansweredOrders && c.retriedOk === c.retried,
			`${c.retriedOk} of ${c.unansweredOrders} new purchases answered correctly when sent again`,
		],
		[
			c.notOneRowAfterRetry.length === 0,
			`${c.notOneRowAfterRetry.length} orders without exactly one row after the retries`,
		],
	];
	return problems.filter(([held]) => !held).map(([, problem]) => problem);
}

function renderVariant(result: LoadBenchResult): string {
	const { pack, baseline, consistency: c, n8nLog: logs } = result;
	const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
	const { rateMet, timeMet, memoryMet } = targets(result);
	const problems = loadCorrectness(result);
	const settings = Object.entries(result.n8nSettings)
		.map(([k, v]) => `${k}=${v}`)
		.join(', ');
	const mix = Object.entries(pack.byScenario)
		.map(([name, s]) => `${name} ${s.sent}`)
		.join(', ');
	const executions = Object.entries(c.executions)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ');
	const verdict = (met: boolean) => (met ? 'met' : '**missed**');
	const when = result.startedAt.slice(0, 16).replace('T', ' ');
	const rss = (s: LoadSummary) =>
		`${s.rssMb.firstMb.toFixed(0)} MB at the start, ${s.rssMb.lastMb.toFixed(0)} MB at the end, ${s.rssMb.maxMb.toFixed(0)} MB at most`;
	const variant = result.variant ?? 'sqlite';
	const setup =
		variant === 'sqlite'
			? "One fresh n8n 2.41.1 in regular mode with the tuned settings (SETTINGS), SQLite for n8n's own data (the harness default), a private PostgreSQL for the workflow's tables"
			: variant === 'queue'
				? "A fresh n8n 2.41.1 in queue mode (scripts/n8n-queue.cts) with the tuned settings (SETTINGS): a private Redis, a private PostgreSQL holding n8n's data (schema n8n) and the workflow's tables, main, 2 webhook processes the generator alternates between, 2 workers with concurrency 10"
				: "One fresh n8n 2.41.1 in regular mode with the tuned settings (SETTINGS), n8n's own data in a private PostgreSQL (schema n8n) that also holds the workflow's tables (scripts/n8n-queue.cts with `regular: true`)";
	return [
		`### ${VARIANT_TEXT[variant]}`,
		'',
		`Open-loop load (scripts/load.cts): ${result.rate} calls a second for ${result.durationMs / 1000} s, each sent on schedule whether or not earlier ones were answered, as KooGallery does. ${setup.replace('SETTINGS', settings)}, the Open API mock answering Order > Get; the baseline first, then the pack, on the same n8n, after 20 warm-up calls to each. Measured at ${when} UTC on ${result.cpus} CPUs; load average ${load(result.loadAverage.before)} before, ${load(result.loadAverage.after)} after: other engineers' n8n instances and tests were running on the same machine.`,
		'',
		`- **pack**: the PostgreSQL example workflow as shipped${variant.endsWith('-auto') ? ' (Busy Limit Auto)' : variant.endsWith('-limit') ? `, but with its Busy Limit set to ${BUSY_LIMIT}` : ', but with its Busy Limit turned off'}, with mixed SaaS V2.0 calls (${mix}): new purchases of fresh orders, every other call on an instance created earlier in the run with no other call in flight. Correct = HTTP 200, Body-Sign valid over the exact bytes, resultCode 000000, and the instance ID (new purchase) or the instance info (query).`,
		"- **baseline**: n8n's own Webhook -> Respond to Webhook answering a static body, unsigned; correct = HTTP 200 and resultCode 000000.",
		'- **No answer**: nothing within 30 s, or the connection closed; **HTTP error**: n8n answered another status than 200 without running the workflow to its Respond node (no result code reached the caller). KooGallery retries both. **Wrong**: answered 200 but not correct (must be 0).',
		'',
		loadTable(result),
		'',
		stepsText(result),
		'',
		'| Target | Result |',
		'| --- | --- |',
		`| ${result.rate} req/s served | ${verdict(rateMet)}: ${formatNumber(pack.throughput)} correct answers a second (baseline ${formatNumber(baseline.throughput)}; pack / baseline ${formatRatio(pack.throughput / baseline.throughput)}) |`,
		`| no answer slower than 5 s | ${verdict(timeMet)}: ${pack.over5s} answers over 5 s, ${pack.unanswered} without an answer (HTTP errors, answered at once and retried by KooGallery: ${pack.refused}); p99 of the answers ${ms(pack.latencyMs.p99)} ms (baseline: ${baseline.over5s} over 5 s, p99 ${ms(baseline.latencyMs.p99)} ms) |`,
		`| memory steady (never over ${STEADY_RSS_FACTOR}x n8n's RSS at the run's start) | ${verdict(memoryMet)}: n8n's RSS during the pack's run: ${rss(pack)}; during the baseline: ${rss(baseline)} |`,
		'',
		`**Correctness** (must hold at any rate; the bench fails otherwise): ${problems.length ? `**failed**: ${problems.join('; ')}` : 'held: every answer right, the data consistent'}.`,
		'',
		`**Data afterwards**: ${c.answeredOrders} new purchases answered correctly; ${c.missingRows.length} of them without a row, ${c.duplicateRows.length} with more than one, ${c.wrongInstanceId.length} with another instance ID; ${c.stateMismatches.length} instances whose status, expiry or last order differ from the last accepted call (${c.uncertain} not compared: their last change got no result code); ${c.unexplainedRows} rows no call explains. ${c.unansweredOrders} new purchases got no result code (${c.unansweredWithRow} had already made their row); sent again as KooGallery retries them, ${c.retriedOk} of ${c.retried} were answered correctly and ${c.notOneRowAfterRetry.length} orders do not end with exactly one row.`,
		'',
		`**n8n itself**: executions of the example stored: ${executions}; ${c.stuckExecutions} left as new or running when n8n's database stopped changing. n8n logged ${logs.pack.sqliteLockTimeouts} SQLite write-lock timeouts, ${logs.pack.databaseErrors ?? 'uncounted'} PostgreSQL query or connection errors and ${logs.pack.webhookProblems} "There was a problem executing the workflow" during the pack's run (baseline: ${logs.baseline.sqliteLockTimeouts}, ${logs.baseline.databaseErrors ?? 'uncounted'} and ${logs.baseline.webhookProblems}).${variant.startsWith('postgres-lean') ? ' With EXECUTIONS_DATA_SAVE_ON_SUCCESS=none n8n still writes each execution when it starts and deletes it once it succeeds, so only failed executions remain listed.' : ''}`,
		'',
		wrongText(result),
		whyText(result, { rateMet, timeMet, memoryMet }),
		'',
	].join('\n');
}

/** The wrong answers of the pack's run by kind, with the first example of each (empty if none). */
function wrongText(result: LoadBenchResult): string {
	const { pack } = result;
	if (!pack.wrong) return '';
	const kinds = Object.entries(pack.errors).filter(
		([kind]) => kind !== 'unanswered' && !kind.startsWith('http '),
	);
	const examples = kinds.map(([kind, n]) => {
		const example = result.packFailures.find((f) => f.kind === kind);
		return `${n} × ${kind}${example ? ` (e.g. ${example.scenario}, HTTP ${example.status}: \`${example.text.slice(0, 160)}\`)` : ''}`;
	});
	return `**Wrong answers** (the bench fails on these): ${examples.join('; ')}.\n`;
}

function whyText(result: LoadBenchResult, met: ReturnType<typeof targets>): string {
	if (met.rateMet && met.timeMet && met.memoryMet) return 'All three targets were met on this run.';
	const { pack, baseline, n8nLog: logs } = result;
	const fallback = pack.byScenario.newInstance?.sent ?? 0;
	const held = (result.steps ?? []).filter(
		({ summary: st }) => st.ok === st.sent && st.over5s === 0,
	);
	const best = held.length ? held[held.length - 1] : undefined;
	const broke = (result.steps ?? []).find(({ summary: st }) => st.ok < st.sent || st.over5s > 0);
	const sustained = best
		? ` Offered alone at lower rates, the pack answered every call correctly within 5 s at ${best.rate} a second (p99 ${ms(best.summary.latencyMs.p99)} ms)${broke ? ` and fell behind at ${broke.rate} a second (${formatNumber(broke.summary.throughput)} served, ${broke.summary.over5s + broke.summary.unanswered} calls over 5 s or unanswered)` : ''}: ${result.rate} a second is ${formatRatio(result.rate / best.rate)} the highest rate it held on this machine.`
		: '';
	const sqlite =
		logs.pack.sqliteLockTimeouts > 0
			? ` n8n keeps every execution in its own database: with SQLite one write lock serialises those saves, and with thousands of executions queued the lock timed out ${logs.pack.sqliteLockTimeouts} times; ${logs.pack.webhookProblems} calls ended with n8n's "problem executing the workflow" (${pack.refused} of them while the caller still waited, the rest after it had given up), and executions were left marked running that never finish.`
			: '';
	const cost = cpuCost(result);
	const cpu = cost
		? ` Each call of the example costs n8n ${formatNumber(cost.pack)} ms of CPU at ${cost.rate} a second (the baseline's ${formatNumber(cost.baseline)} ms).`
		: '';
	if (turnsAway(result.variant)) {
		return `Why: n8n cannot serve ${result.rate} a second here (see the set-ups without a limit), so the KooGallery Trigger's Busy Limit turned ${pack.refused} calls away at once with HTTP 503, without starting an execution, and KooGallery would send them again later. The ${pack.ok} calls it took were answered correctly${met.timeMet ? ' and every call got its answer within 5 s' : `, but ${pack.over5s} answers took over 5 s and ${pack.unanswered} got none`} (p99 ${ms(pack.latencyMs.p99)} ms), and n8n's memory ${met.memoryMet ? 'stayed steady' : 'still grew'} (${pack.rssMb.firstMb.toFixed(0)} MB at the start, ${pack.rssMb.maxMb.toFixed(0)} MB at most): ${formatNumber(pack.throughput)} correct answers a second, what this n8n holds, instead of a collapse.${cpu}`;
	}
	const ending: Partial<Record<LoadVariant, string>> = {
		sqlite: ` Reaching ${result.rate} a second needs a database that takes concurrent writes for n8n's own data (PostgreSQL, see the other set-ups) and more CPU for n8n.`,
		queue: ` All five n8n processes share the machine's ${result.cpus} cores with PostgreSQL, Redis and the load generator: on the same cores more processes add hand-over, not capacity.`,
	};
	return `Why: the pack's workflow does a database lookup, an Order > Get, one insert statement and a signed answer per new purchase (seven nodes, whose data n8n saves with each execution); the baseline runs two nodes.${cpu} On this ${result.cpus}-core machine shared with other tests, ${VARIANT_TEXT[result.variant ?? 'sqlite']} served ${formatNumber(baseline.throughput)} static answers a second but ${formatNumber(pack.throughput)} correct answers of the example a second (${formatRatio(pack.throughput / baseline.throughput)}); offered more than it serves, calls queue inside n8n and wait longer than KooGallery's 5 s (Little's law); ${baseline.over5s > 0 ? `even the baseline answered ${baseline.over5s} of its ${baseline.sent} calls after more than 5 s at this rate.` : `the baseline answered all its calls within 5 s.`}${sustained}${sqlite} n8n's memory grows with the calls it holds: ${(result.steps?.[0]?.summary.rssMb.firstMb ?? pack.rssMb.firstMb).toFixed(0)} MB before the pack's first call, ${pack.rssMb.maxMb.toFixed(0)} MB at most, so it is steady only below capacity.${ending[result.variant ?? 'sqlite'] ?? ` One n8n process runs the steps of all its executions on one JavaScript thread, so more calls a second need more processes (queue mode) on more cores than this machine's ${result.cpus}.`} The mix leans to new purchases (${fallback} of ${pack.sent}) because a call on an earlier instance needs one that was answered and is not busy, and few were.`;
}

/** Replaces (or appends) the Load section of a Markdown file. */
export function writeLoadSection(file: string, section: string): void {
	const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const start = text.indexOf(LOAD_SECTION_TITLE);
	if (start < 0) {
		fs.writeFileSync(file, `${text.replace(/\n*$/, '\n\n')}${section}`);
		return;
	}
	const next = text.indexOf('\n## ', start + LOAD_SECTION_TITLE.length);
	fs.writeFileSync(
		file,
		`${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next + 1)}`,
	);
}

/** The Load section from the last saved results, or undefined when there are none. */
export function savedLoadSection(file = LOAD_RESULTS_FILE): string | undefined {
	const results = readLoadResults(file);
	return results.length ? renderLoadSection(results) : undefined;
}

if (require.main === module && process.argv.includes('--from-results')) {
	// Writes the section from bench/results/load.json (as the last bench left it), measuring nothing.
	const out = path.join(REPO_ROOT, 'BENCHMARKS.md');
	const section = savedLoadSection();
	if (!section) throw new Error(`no results in ${LOAD_RESULTS_FILE}`);
	writeLoadSection(out, section);
	process.stdout.write(`wrote the Load section of ${out} from ${LOAD_RESULTS_FILE}\n`);
} else if (require.main === module) {
	const arg = (name: string) =>
		process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const out = path.resolve(arg('out') ?? path.join(REPO_ROOT, 'BENCHMARKS.md'));
	const variants = (arg('variants')?.split(',') ?? LOAD_VARIANTS) as LoadVariant[];
	const unknown = variants.filter((v) => !LOAD_VARIANTS.includes(v));
	if (unknown.length) throw new Error(`unknown variants ${unknown.join(', ')}`);
	const log = (line: string) =>
		process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
	void (async () => {
		let failed = false;
		for (const variant of variants) {
			try {
				const result = await runLoadBench({
					variant,
					rate: Number(arg('rate') ?? 50),
					durationMs: Number(arg('duration') ?? 60) * 1000,
					log,
				});
				// Saved after each variant, so a later failure keeps what was measured.
				writeLoadSection(out, renderLoadSection(saveLoadResults([result])));
				process.stdout.write(`${variant}:\n${loadTable(result)}\n`);
				const problems = loadCorrectness(result);
				if (problems.length) {
					failed = true;
					process.stderr.write(`${variant}: not correct: ${problems.join('; ')}\n`);
				}
			} catch (error) {
				failed = true;
				process.stderr.write(`${variant}: ${(error as Error).stack ?? String(error)}\n`);
			}
		}
		process.exit(failed ? 1 : 0);
	})();
}
