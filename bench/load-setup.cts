/**
 * The set-up of the load bench (bench/load.cts): the n8n set-ups it runs on (`LoadVariant`), and
 * `startEnvironment`, which starts one of them with the PostgreSQL example workflow
 * (workflows/koogallery-saas-v2-postgres.json) and the baseline (n8n's own Webhook -> Respond to
 * Webhook answering a static body), a private PostgreSQL and the Open API mock.
 *
 * The set-ups: n8n's own data in SQLite (the harness default), in PostgreSQL with one process in
 * regular mode (with and without n8n's settings that save fewer executions), and in queue mode
 * (scripts/n8n-queue.cts: 2 webhook processes the calls alternate between, 2 workers). All run
 * the tuned expression-engine settings (docs/protocol/README.md decision 15) unless named otherwise.
 *
 * Used by the load bench (bench/load-run.cts), the profiler (bench/profile.cts) and the short
 * burst in CI (test/e2e/burst.e2e.test.cts).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { exampleCredentials } from '../scripts/example-credentials.cjs';
import type { ExecutionSummary } from '../scripts/n8n-database.cjs';
import { ensureN8n, installPack } from '../scripts/n8n-install.cjs';
import { sendRequest } from '../scripts/n8n-http.cjs';
import { startN8n } from '../scripts/n8n-process.cjs';
import { N8N_SCHEMA, startQueueN8n } from '../scripts/n8n-queue.cjs';
import { startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { startOpenApiMock } from '../simulator/openapi-mock.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');

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
export const LEAN_ENV = {
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
	EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'false',
	EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
};

/**
 * n8n's older expression engine, which evaluates expressions in n8n's own process: n8n 2.x's
 * default (`vm`) builds a fresh V8 isolate for every execution that evaluates any expression.
 */
const LEGACY_ENGINE_ENV = { N8N_EXPRESSION_ENGINE: 'legacy' };

/** n8n's heap limit in MB that deploy/n8n.env and the README advise (`NODE_OPTIONS`). */
export const HEAP_LIMIT_MB = 1536;
/**
 * Without it, Node.js sizes n8n's heap from this machine's memory and V8 lets the garbage of
 * finished executions grow to several times what is live before it collects.
 */
const HEAP_ENV = { NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT_MB}` };

/**
 * n8n keeps 2 PostgreSQL connections per process by default (DB_POSTGRESDB_POOL_SIZE); under load
 * its executions wait for one and time out after 20 s ("timeout exceeded when trying to connect").
 */
const POOL_ENV = { DB_POSTGRESDB_POOL_SIZE: '10' };

/**
 * The trigger's Busy Limit in the variants that keep it (the example's own): about twice the calls
 * a second one n8n process answers here, so the calls it takes wait about 2 s (Little's law).
 */
export const BUSY_LIMIT = 40;

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
export const turnsAway = (variant: LoadVariant | undefined) =>
	!!variant && (variant.endsWith('-limit') || variant.endsWith('-auto'));
/** The README's production settings beside the expression engine (the "lean" variants). */
const PRODUCTION_ENV = { ...POOL_ENV, ...LEAN_ENV, ...HEAP_ENV };
/** What each variant is, in words (for the report). */
const LEAN_TEXT = `one n8n process, regular mode, n8n's data in PostgreSQL, pool 10, successful executions not saved, heap limit ${HEAP_LIMIT_MB} MB (as deploy/n8n.env)`;
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
export const VARIANT_ENV: Record<LoadVariant, Record<string, string>> = {
	sqlite: TUNED_ENV,
	postgres: TUNED_ENV,
	'postgres-pool': { ...TUNED_ENV, ...POOL_ENV },
	'postgres-lean': { ...TUNED_ENV, ...PRODUCTION_ENV },
	'postgres-lean-legacy': { ...TUNED_ENV, ...PRODUCTION_ENV, ...LEGACY_ENGINE_ENV },
	'postgres-lean-limit': { ...TUNED_ENV, ...PRODUCTION_ENV },
	'postgres-lean-legacy-limit': { ...TUNED_ENV, ...PRODUCTION_ENV, ...LEGACY_ENGINE_ENV },
	'postgres-lean-auto': { ...TUNED_ENV, ...PRODUCTION_ENV },
	'postgres-lean-default-engine-auto': { ...DEFAULT_ENGINE_ENV, ...PRODUCTION_ENV },
	queue: { ...TUNED_ENV, ...POOL_ENV },
};
export const BASELINE_PATH = 'load/n8n-static';
const BASELINE_BODY = '{"resultCode":"000000","resultMsg":"success"}';

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
	/**
	 * Imports and publishes the example workflow again with the trigger's Busy Limit set to
	 * `busyLimit` (0: off), then stops n8n's main process, deletes n8n's executions and starts it
	 * again: no execution, memory or learnt limit of the run before remains. `pids` and `logs` follow the new process. Regular
	 * mode on PostgreSQL only (absent for SQLite and queue mode).
	 */
	republish?(busyLimit: number | 'auto'): Promise<void>;
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

/** The example workflow as read from `file`, its trigger's Busy Limit set for the variant. */
function packWorkflow(
	variant: LoadVariant,
	file: string,
	busyLimit: EnvironmentOptions['busyLimit'],
): { id: string; path: string; workflow: object } {
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8')) as {
		id: string;
		nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
	};
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	if (!trigger) throw new Error('the PostgreSQL example lost its KooGallery Trigger');
	// The example ships with Busy Limit Auto; only the set-ups named for a limit keep one.
	trigger.parameters.options = {
		...(trigger.parameters.options as object),
		...busyLimitOf(variant),
		...(busyLimit === 'auto'
			? { busyLimit: 'auto', maxCallsInProgress: 0 }
			: busyLimit === undefined
				? {}
				: { busyLimit: 'off', maxCallsInProgress: busyLimit }),
	};
	return { id: workflow.id, path: String(trigger.parameters.path), workflow };
}

/** What starting n8n adds to an environment: its URLs, processes and logs. */
type N8nPart = Omit<Environment, 'pg' | 'workflowId' | 'stop' | 'republish'> & {
	/** Publishes `workflow` and restarts main (regular mode); resolves with n8n's new pids. */
	restartWith?(workflow: object): Promise<number[]>;
};

/** What the n8n of each set-up is started with. */
interface N8nStart {
	variant: LoadVariant;
	pack: ReturnType<typeof packWorkflow>;
	credentials: (pg: PostgresServer) => object[];
	tarball?: string;
	extraEnv: Record<string, string>;
	/** Where each started part's stop goes, to be run in reverse. */
	stops: Array<() => unknown>;
}

/** The SQLite set-up: one n8n process of the harness, with a private PostgreSQL for the workflow. */
async function startSqliteN8n(start: N8nStart): Promise<N8nPart & { pg: PostgresServer }> {
	const { stops, pack } = start;
	const server = await startPostgres();
	stops.push(() => server.stop());
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-load-'));
	stops.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
	installPack(userFolder, start.tarball);
	const n8n = await startN8n({
		userFolder,
		workflows: [pack.workflow, baselineWorkflow()],
		env: { ...TUNED_ENV, ...start.extraEnv },
		credentials: start.credentials(server),
	});
	stops.push(() => n8n.stop());
	return {
		pg: server,
		packUrls: [`${n8n.baseUrl}/webhook/${pack.path}`],
		baselineUrls: [`${n8n.baseUrl}/webhook/${BASELINE_PATH}`],
		pids: [n8n.pid],
		logs: () => [n8n.logs()],
		listExecutions: (id) => n8n.listExecutions(id),
	};
}

/** The PostgreSQL set-ups: regular mode or queue mode with n8n's data in PostgreSQL. */
async function startPostgresN8n(start: N8nStart): Promise<N8nPart & { pg: PostgresServer }> {
	const { variant, pack } = start;
	// startQueueN8n installs the pack from the work tree's dist/ (npm run build).
	const q = await startQueueN8n({
		workflows: [pack.workflow as { id: string }, baselineWorkflow() as { id: string }],
		credentials: start.credentials,
		webhookPaths: [pack.path, BASELINE_PATH],
		regular: variant !== 'queue',
		env: { ...VARIANT_ENV[variant], ...start.extraEnv },
	});
	start.stops.push(() => q.stop());
	const front = variant === 'queue' ? q.webhooks : [q.main];
	// main changes when it is restarted (`restartWith`); its port and URLs stay.
	const all = () => [q.main, ...q.webhooks, ...q.workers];
	return {
		pg: q.pg,
		packUrls: front.map((p) => `${p.baseUrl}/webhook/${pack.path}`),
		baselineUrls: front.map((p) => `${p.baseUrl}/webhook/${BASELINE_PATH}`),
		pids: all().map((p) => p.pid),
		logs: () => all().map((p) => p.logs()),
		listExecutions: async (id) => q.listExecutions(id),
		restartWith:
			variant === 'queue'
				? undefined
				: async (workflow) => {
						const { id } = workflow as { id: string };
						const afterId = q.outboxMark();
						q.publish([workflow as { id: string }]);
						// With EXECUTIONS_DATA_SAVE_ON_SUCCESS=none n8n 2.41.1 leaves every answered
						// webhook execution listed as "running"; a main started on thousands of them
						// spends a minute and a gigabyte recovering them. Cleared while main is down.
						await q.restartMain({ ids: [id], afterId }, () =>
							q.pg.sql(`TRUNCATE ${N8N_SCHEMA}.execution_entity CASCADE`),
						);
						await waitUntilServed(`${q.main.baseUrl}/webhook/${pack.path}`);
						return all().map((p) => p.pid);
					},
	};
}

/** Waits (up to 60 s) until n8n serves `url`: an unsigned probe, refused before any execution. */
async function waitUntilServed(url: string): Promise<void> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const { status } = await sendRequest(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		}).catch(() => ({ status: 0 }));
		if (status !== 0 && status !== 404) return;
		if (Date.now() > deadline) throw new Error(`n8n does not serve ${url} (HTTP ${status})`);
		await sleep(500);
	}
}

/** Waits (up to 60 s) until the example workflow has created its table. */
async function waitForTables(pg: PostgresServer): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (
		pg.rows("SELECT 1 AS x FROM pg_tables WHERE tablename = 'koogallery_instances'").length === 0
	) {
		if (Date.now() > deadline) throw new Error('the example workflow did not create its tables');
		await sleep(500);
	}
}

/**
 * Starts the Open API mock, a private PostgreSQL and n8n in the set-up `variant` with the example
 * workflow and the baseline, and resolves once the example's tables exist. On failure whatever
 * started is stopped again.
 */
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
		const pack = packWorkflow(variant, workflowFile, options.busyLimit);
		const credentials = (pg: PostgresServer) => exampleCredentials(SECRETS, pg, openApi.url);
		const start: N8nStart = { variant, pack, credentials, tarball, extraEnv, stops };
		const { restartWith, ...env } =
			variant === 'sqlite' ? await startSqliteN8n(start) : await startPostgresN8n(start);
		await waitForTables(env.pg);
		const result: Environment = { ...env, workflowId: pack.id, stop };
		if (restartWith)
			result.republish = async (busyLimit) => {
				result.pids = await restartWith(packWorkflow(variant, workflowFile, busyLimit).workflow);
			};
		return result;
	} catch (error) {
		await stop();
		throw error;
	}
}
