/**
 * n8n 2.41.1 scaled out on one machine, the way a seller who outgrows one process runs it
 * ("queue mode", docs/protocol/n8n-platform.md §5): a private Redis (scripts/redis.cts) carries the job
 * queue, a private PostgreSQL (scripts/postgres.cts) holds n8n's own data (schema `n8n`) beside the
 * workflows' tables (schema `public`), and several n8n processes share them:
 *
 * - one main (`n8n start`): editor, REST API, activation of published workflows, timers;
 * - `webhooks` webhook processes (`n8n webhook`), each on its own port: they receive KooGallery's
 *   calls, run the trigger's `webhook()` (signature check, nonce cache), enqueue an execution and
 *   relay the Respond node's answer back to the caller;
 * - `workers` worker processes (`n8n worker`): they take executions off the queue and run them.
 *
 * Every process gets its own user folder (n8n's crash journal and type cache live there; two
 * processes sharing one folder think the other crashed) with the pack installed into it: the pack
 * is installed once and copied, as an image layer would be. All of them share the encryption key,
 * the database, Redis and the tuned expression-engine settings of docs/protocol/README.md decision 15 (from
 * `n8nEnv`). What must differ between processes on one machine: the HTTP port of main and of each
 * webhook process, the task broker port of main and each worker (`N8N_RUNNERS_BROKER_PORT`, default
 * 5679: workers run a task broker and a JavaScript task runner too), and the health port of each
 * worker (`QUEUE_HEALTH_CHECK_PORT`, default 5678, only listened on when
 * `QUEUE_HEALTH_CHECK_ACTIVE=true`, which is used here to know a worker is ready). Manual
 * executions are sent to the workers as well (`OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true`, which
 * n8n 2.41.1 recommends in queue mode; main then starts no task runner).
 *
 * n8n names each process after the machine's host name when it believes it runs in a container
 * (`/.dockerenv` exists, as on the CI machine), so processes of one kind on one machine share a
 * "host ID" and main logs "Detected multiple instances sharing the same hostId": a warning only
 * (the ID labels workers in status messages; a worker's answer is broadcast as job progress and
 * picked up by the webhook process that holds that execution ID, whatever the host ID).
 *
 * Workflows and credentials are imported and published through the main's CLI before any process
 * starts. Webhook processes look a production URL up in the database on each call, so they also
 * serve workflows published later; `startQueueN8n` still waits until each of them serves every
 * given webhook path.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { executionSummaryOf, type ExecutionSummary } from './n8n-database.cjs';
import { freePort, httpStatus, sendRequest } from './n8n-http.cjs';
import { ensureN8n, installPack, type N8nInstall } from './n8n-install.cjs';
import { n8nEnv, runN8nCommand, spawnN8nProcess, type N8nProcess } from './n8n-process.cjs';
import { startPostgres, sqlLiteral, type PostgresServer } from './postgres.cjs';
import { startRedis, type RedisServer } from './redis.cjs';

/** The PostgreSQL schema n8n's own tables live in (the workflows' tables stay in `public`). */
export const N8N_SCHEMA = 'n8n';

/** One n8n process of the set-up. */
export interface QueueProcess extends N8nProcess {
	role: 'main' | 'webhook' | 'worker';
	/** `main`, `webhook-1`, `worker-2`, ... */
	name: string;
	/** HTTP port: editor and webhooks (main), webhooks (webhook), health check (worker). */
	port: number;
	/** `http://127.0.0.1:<port>`. */
	baseUrl: string;
	/** Its N8N_USER_FOLDER. */
	userFolder: string;
}

/** A running queue-mode n8n started by `startQueueN8n`. */
export interface QueueN8n {
	/** The job queue's Redis; none with `regular: true`. */
	redis?: RedisServer;
	/** The PostgreSQL server: n8n's data in schema `n8n`, the workflows' tables in `public`. */
	pg: PostgresServer;
	main: QueueProcess;
	webhooks: QueueProcess[];
	workers: QueueProcess[];
	/** Ids of the imported workflows, in the order given. */
	workflowIds: string[];
	/** The executions n8n has stored, oldest first, optionally for one workflow only. */
	listExecutions(workflowId?: string): ExecutionSummary[];
	/**
	 * Imports and publishes more workflows with n8n's CLI while everything runs. n8n 2.41.1's CLI
	 * only marks them published in the database ("Changes will not take effect if n8n is running"):
	 * main activates them when it next starts (`restartMain`).
	 */
	publish(workflows: Array<{ id: string }>): void;
	/**
	 * Stops main and starts it again on the same port and folder; resolves once it has activated
	 * every published workflow. Webhook processes and workers keep running meanwhile. With `only`,
	 * it waits instead for those workflows' activation recorded after outbox record `afterId`
	 * (`outboxMark()` taken before `publish`): a main started again in regular mode records only
	 * the workflows that changed (n8n 2.41.1 "reconcile"), and a running main may already have
	 * activated a published change itself.
	 */
	restartMain(
		only?: { ids: string[]; afterId: number },
		/** Run between stopping main and starting it again (for example to clear its executions). */
		whileStopped?: () => void,
	): Promise<QueueProcess>;
	/** The last record of n8n's workflow publication outbox now (0: none). */
	outboxMark(): number;
	/** Waits until every webhook process serves each of `paths` (under `/webhook/`). */
	waitForWebhooks(paths: string[], timeoutMs?: number): Promise<void>;
	/** Stops every n8n process, then Redis and PostgreSQL, and deletes the folders. Safe to call twice. */
	stop(): Promise<void>;
}

/** Options for `startQueueN8n`. */
export interface QueueOptions {
	/** Workflow JSON objects, each with an `id`; all are imported and published. */
	workflows: Array<{ id: string }>;
	/** Credentials in `n8n import:credentials` form; a function receives the PostgreSQL server. */
	credentials?: object[] | ((pg: PostgresServer) => object[]);
	/** Paths under `/webhook/` every webhook process must serve before the handle is returned. */
	webhookPaths?: string[];
	/** Number of webhook processes (default 2). */
	webhooks?: number;
	/** Number of workers (default 2). */
	workers?: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`, default 10). */
	concurrency?: number;
	/** Extra environment variables for every process; a function receives the PostgreSQL server. */
	env?: NodeJS.ProcessEnv | ((pg: PostgresServer) => NodeJS.ProcessEnv);
	/** How long to wait for all processes to be ready (default 300 s). */
	startTimeoutMs?: number;
	/**
	 * One n8n process in regular mode with its data in the same PostgreSQL (no Redis, no webhook
	 * processes, no workers): main receives the calls and runs the executions itself.
	 */
	regular?: boolean;
}

function log(message: string): void {
	process.stderr.write(`[n8n-queue ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The environment variables that keep n8n's own data in `pg` (schema `n8n`). */
export function postgresEnv(pg: PostgresServer): NodeJS.ProcessEnv {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: pg.password,
		DB_POSTGRESDB_SCHEMA: N8N_SCHEMA,
	};
}

/**
 * The environment variables that put a process into this queue-mode set-up: PostgreSQL, Redis,
 * queue mode, manual executions on workers. `n8nEnv` adds the rest (encryption key, expression
 * engine settings, loopback addresses).
 */
export function queueModeEnv(pg: PostgresServer, redis: RedisServer): NodeJS.ProcessEnv {
	return {
		...postgresEnv(pg),
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

/** Reads n8n's executions from its PostgreSQL schema, oldest first. */
function queryExecutions(pg: PostgresServer, workflowId?: string): ExecutionSummary[] {
	const rows = pg.rows<Record<string, unknown>>(
		`SELECT id, "workflowId", status, mode, finished, "startedAt", "stoppedAt"
		FROM ${N8N_SCHEMA}.execution_entity` +
			(workflowId ? ` WHERE "workflowId" = ${sqlLiteral(workflowId)}` : '') +
			' ORDER BY id',
	);
	return rows.map(executionSummaryOf);
}

/**
 * Workflow ids not yet activated by main since outbox record `afterId` (n8n 2.41.1 activates
 * published workflows asynchronously and records the outcome in `workflow_publication_outbox`);
 * throws on a failed activation.
 */
function pendingActivations(pg: PostgresServer, ids: string[], afterId: number): string[] {
	if (!ids.length) return [];
	const outbox = pg.rows<{ workflowId: string; status: string; errorMessage: string | null }>(
		`SELECT "workflowId", status, "errorMessage" FROM ${N8N_SCHEMA}.workflow_publication_outbox
		WHERE id > ${afterId} ORDER BY id`,
	);
	const latest = new Map(outbox.map((row) => [row.workflowId, row]));
	return ids.filter((id) => {
		const row = latest.get(id);
		if (row?.status === 'failed' || row?.status === 'partial_success') {
			throw new Error(
				`activating workflow ${id} ended "${row.status}": ${String(row.errorMessage)}`,
			);
		}
		return row?.status !== 'completed';
	});
}

/** Waits until `ready()` is true, failing early if the process exits; throws with its log tail. */
async function waitReady(
	proc: QueueProcess,
	ready: () => Promise<boolean>,
	deadline: number,
): Promise<void> {
	for (;;) {
		if (proc.exited()) throw new Error(`${proc.name} exited during start-up`);
		const failedPackage = /Failed to load package "[^"]+"\n[^\n]*/.exec(proc.logs());
		if (failedPackage)
			throw new Error(`${proc.name} could not load a package: ${failedPackage[0]}`);
		if (await ready()) return;
		if (Date.now() > deadline) throw new Error(`${proc.name} not ready in time`);
		await sleep(500);
	}
}

/** True once `webhook` answers every path with something other than 404. */
async function serves(webhook: QueueProcess, paths: string[]): Promise<boolean> {
	if ((await httpStatus(`${webhook.baseUrl}/healthz/readiness`)) !== 200) return false;
	for (const webhookPath of paths) {
		// An unsigned probe: a KooGallery trigger refuses it without starting an execution.
		const answer = await sendRequest(`${webhook.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		}).catch(() => ({ status: 0 }));
		if (answer.status === 0 || answer.status === 404) return false;
	}
	return true;
}

/**
 * One queue-mode set-up while it starts and runs: its folders, its servers and processes, the
 * process being waited for (whose log tail a start-up error carries) and main's environment.
 */
class QueueSetup {
	readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-queue-'));
	readonly processes: QueueProcess[] = [];
	readonly ids: string[] = [];
	redis?: RedisServer;
	pg?: PostgresServer;
	/** The process being waited for. */
	current?: QueueProcess;
	/** The environment every process shares (PostgreSQL, Redis, queue mode, `options.env`). */
	shared: NodeJS.ProcessEnv = {};
	extraEnv?: NodeJS.ProcessEnv;
	main!: { folder: string; port: number; env: NodeJS.ProcessEnv };
	private mainStarts = 0;
	private stopped = false;

	constructor(
		readonly install: N8nInstall,
		readonly options: QueueOptions,
	) {}

	/** Stops the n8n processes, then Redis and PostgreSQL, and deletes the folders; once only. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		// Webhook processes first (no new calls), then main, then workers (they finish their jobs).
		const order = ['webhook', 'main', 'worker'];
		for (const role of order) {
			await Promise.all(this.processes.filter((p) => p.role === role).map((p) => p.stop()));
		}
		await this.redis?.stop();
		this.pg?.stop();
		if (!process.env.KEEP_N8N_FOLDER) fs.rmSync(this.root, { recursive: true, force: true });
	}

	/** Starts Redis (queue mode) and PostgreSQL, installs the pack once, prepares main's environment. */
	async prepare(): Promise<void> {
		const { options } = this;
		if (!options.regular) this.redis = await startRedis();
		const pg = await startPostgres();
		this.pg = pg;
		pg.sql(`CREATE SCHEMA ${N8N_SCHEMA}`);
		log(
			`${this.redis ? `Redis on ${this.redis.port}, ` : 'regular mode, '}PostgreSQL on ${pg.port} (n8n in schema ${N8N_SCHEMA})`,
		);
		// The pack is installed once and copied into every process's own user folder.
		installPack(path.join(this.root, 'pack'));
		this.extraEnv = typeof options.env === 'function' ? options.env(pg) : options.env;
		this.shared = this.redis ? queueModeEnv(pg, this.redis) : postgresEnv(pg);
		const folder = this.folderFor('main');
		const port = await freePort();
		const env = n8nEnv(this.install, {
			userFolder: folder,
			port,
			brokerPort: await freePort(),
			env: { ...this.shared, ...this.extraEnv },
		});
		this.main = { folder, port, env };
	}

	/** A process's own user folder, with a copy of the installed pack. */
	folderFor(name: string): string {
		const folder = path.join(this.root, name);
		fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
		fs.cpSync(path.join(this.root, 'pack', '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), {
			recursive: true,
		});
		return folder;
	}

	/** Imports the credentials of `options` with main's CLI. */
	importCredentials(importDir: string): void {
		const { credentials: given } = this.options;
		const credentials =
			typeof given === 'function' ? given(this.pg as PostgresServer) : (given ?? []);
		if (!credentials.length) return;
		const file = path.join(importDir, 'credentials.json');
		fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
		try {
			runN8nCommand(this.install, ['import:credentials', `--input=${file}`], this.main.env);
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** Imports and publishes workflows with main's CLI (see `QueueN8n.publish`). */
	publish(importDir: string, workflows: Array<{ id: string }>): void {
		if (!workflows.length) return;
		const file = path.join(importDir, 'workflows.json');
		fs.writeFileSync(file, JSON.stringify(workflows));
		runN8nCommand(this.install, ['import:workflow', `--input=${file}`], this.main.env);
		for (const { id } of workflows) {
			runN8nCommand(this.install, ['publish:workflow', `--id=${id}`], this.main.env);
			if (!this.ids.includes(id)) this.ids.push(id);
		}
		log(`imported and published ${workflows.map((w) => w.id).join(', ')}`);
	}

	/** Starts one long-running n8n command as a process of the set-up. */
	launch(
		role: QueueProcess['role'],
		name: string,
		port: number,
		userFolder: string,
		env: NodeJS.ProcessEnv,
		args: string[],
	): QueueProcess {
		const proc = spawnN8nProcess(this.install, args, {
			env,
			cwd: userFolder,
			logFile: path.join(this.root, `${name}.log`),
		});
		const entry = { ...proc, role, name, port, baseUrl: `http://127.0.0.1:${port}`, userFolder };
		this.processes.push(entry);
		log(`started ${name} (pid ${proc.pid}, port ${port}, log ${proc.logFile})`);
		return entry;
	}

	/** The last record of n8n's workflow publication outbox now (0: none). */
	outboxMark(): number {
		const [{ lastId }] = (this.pg as PostgresServer).rows<{ lastId: number }>(
			`SELECT COALESCE(MAX(id), 0) AS "lastId" FROM ${N8N_SCHEMA}.workflow_publication_outbox`,
		);
		return Number(lastId);
	}

	/**
	 * Starts main; `ready` resolves once it is ready and has activated every published workflow
	 * (with `only`: those workflows, recorded after outbox record `only.afterId`).
	 */
	startMain(only?: { ids: string[]; afterId: number }): {
		proc: QueueProcess;
		ready: (deadline: number) => Promise<void>;
	} {
		const server = this.pg as PostgresServer;
		// Outbox records created from here on belong to this start's activation of the workflows.
		const lastId = only?.afterId ?? this.outboxMark();
		const ids = only?.ids ?? this.ids;
		this.mainStarts++;
		const name = this.mainStarts === 1 ? 'main' : `main-${this.mainStarts}`;
		const { folder, port, env } = this.main;
		const proc = this.launch('main', name, port, folder, env, ['start']);
		const ready = async (deadline: number) => {
			this.current = proc;
			await waitReady(
				proc,
				async () =>
					proc.logs().includes('Editor is now accessible via') &&
					(await httpStatus(`${proc.baseUrl}/healthz/readiness`)) === 200 &&
					pendingActivations(server, ids, lastId).length === 0,
				deadline,
			);
			this.current = undefined;
		};
		return { proc, ready };
	}

	/** Starts the workers (none in regular mode), each with its own health and broker ports. */
	async startWorkers(): Promise<QueueProcess[]> {
		const workers: QueueProcess[] = [];
		for (let i = 1; i <= (this.options.regular ? 0 : (this.options.workers ?? 2)); i++) {
			const name = `worker-${i}`;
			const userFolder = this.folderFor(name);
			const healthPort = await freePort();
			const env = n8nEnv(this.install, {
				userFolder,
				brokerPort: await freePort(),
				env: {
					...this.shared,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					...this.extraEnv,
				},
			});
			const concurrency = `--concurrency=${this.options.concurrency ?? 10}`;
			workers.push(
				this.launch('worker', name, healthPort, userFolder, env, ['worker', concurrency]),
			);
		}
		return workers;
	}

	/** Starts the webhook processes (none in regular mode), each on its own port. */
	async startWebhooks(): Promise<QueueProcess[]> {
		const webhooks: QueueProcess[] = [];
		for (let i = 1; i <= (this.options.regular ? 0 : (this.options.webhooks ?? 2)); i++) {
			const name = `webhook-${i}`;
			const userFolder = this.folderFor(name);
			const port = await freePort();
			const env = n8nEnv(this.install, {
				userFolder,
				port,
				env: { ...this.shared, ...this.extraEnv },
			});
			webhooks.push(this.launch('webhook', name, port, userFolder, env, ['webhook']));
		}
		return webhooks;
	}

	/** Waits until every worker reports ready. */
	async waitForWorkers(workers: QueueProcess[], deadline: number): Promise<void> {
		for (const worker of workers) {
			this.current = worker;
			await waitReady(
				worker,
				async () =>
					worker.logs().includes('n8n worker is now ready') &&
					(await httpStatus(`${worker.baseUrl}/healthz/readiness`)) === 200,
				deadline,
			);
		}
	}

	/** Waits until every webhook process serves each of `paths` (see `QueueN8n.waitForWebhooks`). */
	async waitForWebhooks(webhooks: QueueProcess[], paths: string[], timeoutMs = 120_000) {
		const until = Date.now() + timeoutMs;
		for (const webhook of webhooks) {
			this.current = webhook;
			await waitReady(webhook, () => serves(webhook, paths), until);
		}
		this.current = undefined;
	}
}

/** The handle of a started set-up; `restartMain` replaces its main. */
function queueHandle(
	setup: QueueSetup,
	first: QueueProcess,
	importDir: string,
	parts: { webhooks: QueueProcess[]; workers: QueueProcess[] },
): QueueN8n {
	const pg = setup.pg as PostgresServer;
	const handle: QueueN8n = {
		redis: setup.redis,
		pg,
		main: first,
		...parts,
		workflowIds: setup.ids,
		listExecutions: (workflowId) => queryExecutions(pg, workflowId),
		publish: (workflows) => setup.publish(importDir, workflows),
		outboxMark: () => setup.outboxMark(),
		async restartMain(only, whileStopped) {
			await handle.main.stop();
			setup.processes.splice(setup.processes.indexOf(handle.main), 1);
			whileStopped?.();
			const next = setup.startMain(only);
			const main = next.proc;
			handle.main = main;
			try {
				await next.ready(Date.now() + (setup.options.startTimeoutMs ?? 300_000));
			} catch (error) {
				const tail = main.logs().split('\n').slice(-60).join('\n');
				throw new Error(`${(error as Error).message}; last log lines of ${main.name}:\n${tail}`);
			}
			log(`${main.name} is ready and has activated the workflows`);
			return main;
		},
		waitForWebhooks: (paths, timeoutMs) => setup.waitForWebhooks(parts.webhooks, paths, timeoutMs),
		stop: () => setup.stop(),
	};
	return handle;
}

/**
 * Starts Redis, PostgreSQL and n8n 2.41.1 in queue mode (one main, `webhooks` webhook processes,
 * `workers` workers), imports and publishes the given workflows and credentials, and resolves once
 * main has activated every workflow, every worker reports ready and every webhook process serves
 * each of `webhookPaths` (with `regular`, only PostgreSQL and main start, and main serves the
 * webhooks). On failure everything started so far is stopped again and the error
 * carries the failing process's last log lines. Needs `npm run build`, `.ci/install-postgres` and
 * `.ci/install-redis`.
 */
export async function startQueueN8n(options: QueueOptions): Promise<QueueN8n> {
	const setup = new QueueSetup(await ensureN8n(), options);
	try {
		await setup.prepare();
		const importDir = fs.mkdtempSync(path.join(setup.root, 'import-'));
		setup.importCredentials(importDir);
		setup.publish(importDir, options.workflows);
		const firstMain = setup.startMain();
		const workers = await setup.startWorkers();
		const webhooks = await setup.startWebhooks();

		const deadline = Date.now() + (options.startTimeoutMs ?? 300_000);
		await firstMain.ready(deadline);
		log('main is ready and has activated the workflows');
		await setup.waitForWorkers(workers, deadline);
		log('workers are ready');
		await setup.waitForWebhooks(webhooks, options.webhookPaths ?? [], deadline - Date.now());
		log('webhook processes serve the workflows');
		return queueHandle(setup, firstMain.proc, importDir, { webhooks, workers });
	} catch (error) {
		const { current } = setup;
		const tail = current
			? `; last log lines of ${current.name}:\n${current.logs().split('\n').slice(-60).join('\n')}`
			: '';
		await setup.stop();
		throw new Error(`${(error as Error).message}${tail}`);
	}
}
