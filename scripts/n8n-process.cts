/**
 * The process part of the real-n8n harness (docs/protocol/README.md decisions 12 and 15,
 * docs/protocol/n8n-platform.md §4.2–§4.5): the environment every n8n command runs with, n8n's CLI
 * (import credentials and workflows, publish), and n8n's long-running processes.
 *
 * `startN8n(...)` imports credentials and workflows with n8n's CLI, publishes the workflows, starts
 * `n8n start` on 127.0.0.1 and waits until it is ready and has activated every workflow. The handle
 * reads real executions straight from n8n's SQLite database (scripts/n8n-database.cts).
 *
 * The other parts: scripts/n8n-install.cts (Node and n8n into the cache, the pack into n8n),
 * scripts/n8n-http.cts. CLI: scripts/n8n.cts. Test: test/e2e/harness.e2e.test.cts.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
	pendingActivations,
	queryExecutions,
	querySqlite,
	type ExecutionSummary,
} from './n8n-database.cjs';
import { freePort, httpStatus } from './n8n-http.cjs';
import {
	ensureN8n,
	harnessLog as log,
	installPack,
	N8N_MAJOR,
	nodeEnv,
	type N8nInstall,
} from './n8n-install.cjs';

/** Fixed encryption key for test instances, so imported credentials decrypt the same way each run. */
export const TEST_ENCRYPTION_KEY = 'koogallery-e2e-test-encryption-key';

/** Options for the environment n8n commands run with. */
export interface N8nEnvOptions {
	/** `N8N_USER_FOLDER`: n8n keeps `.n8n/` (database, config, community nodes) under it. */
	userFolder: string;
	/** HTTP port of the editor, REST API and webhooks. */
	port?: number;
	/** Port of the task broker that n8n's JavaScript task runner connects to. */
	brokerPort?: number;
	/** Extra or overriding variables. */
	env?: NodeJS.ProcessEnv;
}

/**
 * The environment every n8n command of the harness runs with: its Node first on PATH, the tuned
 * expression-engine settings of docs/protocol/README.md decision 15, a fixed test encryption key, nothing that
 * phones home, and everything bound to 127.0.0.1.
 */
export function n8nEnv(install: N8nInstall, options: N8nEnvOptions): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = nodeEnv(install.nodeBin, {
		// A parent jest sets NODE_ENV=test, which makes n8n silence its logger and refuse to load
		// nodes; run n8n as deployed.
		NODE_ENV: 'production',
		N8N_USER_FOLDER: options.userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
		N8N_EXPRESSION_ENGINE_POOL_SIZE: '4',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		DB_TYPE: 'sqlite',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
		NO_COLOR: '1',
	});
	if (options.port !== undefined) {
		env.N8N_PORT = String(options.port);
	}
	if (options.brokerPort !== undefined) env.N8N_RUNNERS_BROKER_PORT = String(options.brokerPort);
	// Inherited NODE_OPTIONS (ts-jest, tsx loaders) must not leak into n8n.
	delete env.NODE_OPTIONS;
	delete env.NODE_PATH;
	return { ...env, ...options.env };
}

/** Runs one n8n CLI command to completion and returns its output; throws if it failed. */
export function runN8nCommand(install: N8nInstall, args: string[], env: NodeJS.ProcessEnv): string {
	const options: SpawnSyncOptions = { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 };
	const result = spawnSync(install.nodeBin, [install.n8nBin, ...args], options);
	const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
	// n8n commands log their own failures and may still exit 0, so look at the output as well.
	if (result.status !== 0 || /An error occurred|Error updating database/.test(output)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.status}):\n${output}`);
	}
	return output;
}

/** A running n8n started by `startN8n`. */
export interface N8nHandle {
	/** `http://127.0.0.1:<port>`; production webhooks are under `${baseUrl}/webhook/<path>`. */
	baseUrl: string;
	port: number;
	userFolder: string;
	/** Ids of the imported workflows, in the order given. */
	workflowIds: string[];
	/** Stops n8n (SIGTERM to its process group, SIGKILL after 20 s) and waits until it is gone. */
	stop(): Promise<void>;
	/** Everything n8n has written to stdout and stderr so far. */
	logs(): string;
	/**
	 * The node and credential types n8n loaded, read from the type files it writes at start-up
	 * (`<userFolder>/.cache/n8n/public/types/{nodes,credentials}.json`, served to the editor).
	 */
	loadedTypes(): { nodes: string[]; credentials: string[] };
	/** Process id of `n8n start`, which leads its own process group (the task runner is in it). */
	pid: number;
	/** Runs a read-only SQL query on n8n's SQLite database (see `querySqlite`). */
	query(sql: string, params?: Array<string | number>): Promise<Array<Record<string, unknown>>>;
	/** The executions n8n has stored, oldest first, optionally for one workflow only. */
	listExecutions(workflowId?: string): Promise<ExecutionSummary[]>;
	/** Polls `listExecutions` until at least `count` executions have stopped; returns them. */
	waitForExecutions(
		count: number,
		options?: { workflowId?: string; timeoutMs?: number },
	): Promise<ExecutionSummary[]>;
}

/** Options for `startN8n`. */
export interface StartOptions {
	/** N8N_USER_FOLDER; install the pack into it first (`installPack`) if the workflows need it. */
	userFolder: string;
	/** HTTP port; a free one on 127.0.0.1 is picked if omitted. */
	port?: number;
	/** Workflow JSON objects. Each is imported and published; one without `id` gets a random id. */
	workflows: object[];
	/** Credentials in `n8n import:credentials` form: `{ id, name, type, data: { ...plain fields } }`. */
	credentials?: object[];
	/** Extra environment variables for every n8n command. */
	env?: NodeJS.ProcessEnv;
	/** How long to wait for n8n to be ready (default 180 s). */
	startTimeoutMs?: number;
}

/** A 16-character alphanumeric id, the shape n8n uses for workflow ids. */
function randomId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The CLI command that publishes (2.x) or activates (1.x, whose `update:workflow --active=true`
 * sets the active version) one imported workflow; n8n runs it from its next start.
 */
function publishCommand(workflowId: string): string[] {
	return N8N_MAJOR >= 2
		? ['publish:workflow', `--id=${workflowId}`]
		: ['update:workflow', `--id=${workflowId}`, '--active=true'];
}

/**
 * n8n 1.x activates every active workflow during `n8n start`, before it logs the editor URL, and
 * logs `Activated workflow "<name>" (ID: <id>)` for each, or `Issue on initial workflow activation
 * try of "<name>" (ID: <id>)` (ActiveWorkflowManager.activateWorkflow). Returns the workflow ids
 * not yet activated; throws on a failed activation.
 */
function pendingActivationsInLog(logs: string, workflows: Array<{ id: string; name?: unknown }>) {
	const pending: string[] = [];
	for (const { id, name } of workflows) {
		const label = `"${String(name)}" (ID: ${id})`;
		const failure = logs.indexOf(`Issue on initial workflow activation try of ${label}`);
		if (failure >= 0) {
			throw new Error(`activating workflow ${id} failed: ${logs.slice(failure, failure + 2000)}`);
		}
		if (!logs.includes(`Activated workflow ${label}`)) pending.push(id);
	}
	return pending;
}

/** Names of the node and credential types in the type files n8n wrote for the editor. */
function readLoadedTypes(userFolder: string): { nodes: string[]; credentials: string[] } {
	const dir = path.join(userFolder, '.cache', 'n8n', 'public', 'types');
	const names = (file: string) =>
		(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<{ name: string }>).map(
			(type) => type.name,
		);
	return { nodes: [...new Set(names('nodes.json'))], credentials: names('credentials.json') };
}

const runningGroups = new Set<number>();
process.on('exit', () => {
	for (const pid of runningGroups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
});

/** True while any process of the group led by `pid` exists. */
function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Imports the given credentials and workflows into the n8n of `userFolder` with n8n's CLI and
 * publishes every workflow; returns the workflows as imported (one without an id gets a random one).
 */
function importIntoN8n(
	install: N8nInstall,
	env: NodeJS.ProcessEnv,
	inputDir: string,
	options: Pick<StartOptions, 'workflows' | 'credentials'>,
): Array<Record<string, unknown> & { id: string }> {
	if (options.credentials?.length) {
		// The import file holds the plain secrets: readable by us only, and deleted at once.
		const file = path.join(inputDir, 'credentials.json');
		fs.writeFileSync(file, JSON.stringify(options.credentials), { mode: 0o600 });
		log(`importing ${options.credentials.length} credential(s)`);
		try {
			runN8nCommand(install, ['import:credentials', `--input=${file}`], env);
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	const workflows = options.workflows.map((workflow) => {
		const copy = { ...(workflow as Record<string, unknown>) };
		if (typeof copy.id !== 'string' || !copy.id) copy.id = randomId();
		return copy as Record<string, unknown> & { id: string };
	});
	if (workflows.length) {
		const file = path.join(inputDir, 'workflows.json');
		fs.writeFileSync(file, JSON.stringify(workflows));
		log(`importing ${workflows.length} workflow(s)`);
		const output = runN8nCommand(install, ['import:workflow', `--input=${file}`], env);
		const expected = `Successfully imported ${workflows.length} ${workflows.length === 1 ? 'workflow' : 'workflows'}`;
		if (!output.includes(expected)) throw new Error(`workflow import incomplete:\n${output}`);
		for (const workflow of workflows) runN8nCommand(install, publishCommand(workflow.id), env);
		log(`published ${workflows.map((w) => w.id).join(', ')}`);
	}
	return workflows;
}

/** What `waitUntilReady` watches: the started process and where its workflows' activation stands. */
interface Startup {
	install: N8nInstall;
	userFolder: string;
	proc: N8nProcess;
	baseUrl: string;
	workflows: Array<{ id: string; name?: unknown }>;
	/** The last outbox record before this start-up (n8n 2.x). */
	lastOutboxId: number;
	timeoutMs: number;
}

/**
 * Polls until `/healthz/readiness` answers 200, the editor URL has been logged (n8n logs it after
 * activating the published workflows) and each workflow is activated; throws (after stopping n8n,
 * with the last log lines) if n8n exits, fails to load a package or is not ready in time.
 */
async function waitUntilReady(startup: Startup): Promise<void> {
	const { install, userFolder, proc, baseUrl, workflows } = startup;
	const ids = workflows.map((w) => w.id);
	const started = Date.now();
	try {
		for (;;) {
			if (proc.exited()) throw new Error('n8n exited during start-up');
			// n8n skips a community package it cannot load and carries on; the harness does not.
			const failedPackage = /Failed to load package "[^"]+"\n[^\n]*/.exec(proc.logs());
			if (failedPackage) throw new Error(`n8n could not load a package: ${failedPackage[0]}`);
			if (Date.now() - started > startup.timeoutMs)
				throw new Error(`n8n not ready after ${startup.timeoutMs} ms`);
			if (
				proc.logs().includes('Editor is now accessible via') &&
				(await httpStatus(`${baseUrl}/healthz/readiness`)) === 200 &&
				(N8N_MAJOR >= 2
					? await pendingActivations(install, userFolder, ids, startup.lastOutboxId)
					: pendingActivationsInLog(proc.logs(), workflows)
				).length === 0
			) {
				break;
			}
			await sleep(500);
		}
	} catch (error) {
		await proc.stop();
		const tail = proc.logs().split('\n').slice(-60).join('\n');
		throw new Error(`${(error as Error).message}; last log lines:\n${tail}`);
	}
	log(`n8n ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Imports the given credentials and workflows into the n8n of `userFolder`, publishes every
 * workflow, starts `n8n start` on 127.0.0.1, and resolves once `/healthz/readiness` answers 200,
 * the editor URL has been logged (n8n logs it after activating the published workflows) and each
 * workflow has logged `Activated workflow`. n8n's output goes to `<userFolder>/n8n.log`.
 */
export async function startN8n(options: StartOptions): Promise<N8nHandle> {
	const install = await ensureN8n();
	const { userFolder } = options;
	fs.mkdirSync(userFolder, { recursive: true });
	const port = options.port ?? (await freePort());
	const brokerPort = await freePort();
	const env = n8nEnv(install, { userFolder, port, brokerPort, env: options.env });
	const inputDir = fs.mkdtempSync(path.join(userFolder, 'import-'));
	const workflows = importIntoN8n(install, env, inputDir, options);

	// Outbox records created from here on belong to this start-up's activation of the workflows.
	const [{ lastId }] =
		workflows.length && N8N_MAJOR >= 2
			? await querySqlite(
					install,
					userFolder,
					'SELECT COALESCE(MAX(id), 0) AS lastId FROM workflow_publication_outbox',
				)
			: [{ lastId: 0 }];

	const logFile = path.join(userFolder, 'n8n.log');
	const proc = spawnN8nProcess(install, ['start'], { env, cwd: userFolder, logFile });
	const baseUrl = `http://127.0.0.1:${port}`;
	log(`starting n8n on ${baseUrl} (logs: ${logFile})`);
	await waitUntilReady({
		install,
		userFolder,
		proc,
		baseUrl,
		workflows,
		lastOutboxId: Number(lastId),
		timeoutMs: options.startTimeoutMs ?? 180_000,
	});
	return n8nHandle(install, proc, { baseUrl, port, userFolder, ids: workflows.map((w) => w.id) });
}

/**
 * Starts n8n on a fresh user folder in the system's temporary folder (`koogallery-<name>-...`,
 * kept afterwards; the handle names it) with the pack installed as a community package
 * (`installPack`, from the work tree's build), as most end-to-end tests do.
 */
export async function startN8nWithPack(
	name: string,
	options: Omit<StartOptions, 'userFolder'>,
): Promise<N8nHandle> {
	await ensureN8n();
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `koogallery-${name}-`));
	installPack(userFolder);
	return startN8n({ ...options, userFolder });
}

/** The handle of an n8n that `startN8n` has started and found ready. */
function n8nHandle(
	install: N8nInstall,
	proc: N8nProcess,
	where: { baseUrl: string; port: number; userFolder: string; ids: string[] },
): N8nHandle {
	const { userFolder } = where;
	const listExecutions = (workflowId?: string) => queryExecutions(install, userFolder, workflowId);
	return {
		baseUrl: where.baseUrl,
		port: where.port,
		userFolder,
		workflowIds: where.ids,
		pid: proc.pid,
		query: (sql, params) => querySqlite(install, userFolder, sql, params),
		stop: proc.stop,
		logs: proc.logs,
		loadedTypes: () => readLoadedTypes(userFolder),
		listExecutions,
		async waitForExecutions(count, waitOptions = {}) {
			// Generous: a bound for a busy machine, not a measure (it returns as soon as they are done).
			const deadline = Date.now() + (waitOptions.timeoutMs ?? 120_000);
			for (;;) {
				const rows = await listExecutions(waitOptions.workflowId);
				const done = rows.filter((row) => row.stoppedAt !== null);
				if (done.length >= count) return rows;
				if (Date.now() > deadline) {
					throw new Error(`expected ${count} finished executions, found ${JSON.stringify(rows)}`);
				}
				await sleep(250);
			}
		},
	};
}
/** A long-running n8n command (`start`, `webhook`, `worker`) started by `spawnN8nProcess`. */
export interface N8nProcess {
	/** Process id of the command, which leads its own process group (task runners included). */
	pid: number;
	/** The file its stdout and stderr go to. */
	logFile: string;
	/** Everything it has written so far. */
	logs(): string;
	/** True once the process has exited. */
	exited(): boolean;
	/** SIGTERM to its process group, SIGKILL after 20 s; resolves once the group is gone. */
	stop(): Promise<void>;
}

/**
 * Starts one long-running n8n command (for example `['webhook']` or `['worker', '--concurrency=10']`)
 * in its own process group with the given environment (see `n8nEnv`), writing its output to
 * `logFile`. It is killed when this process exits. Readiness is the caller's business.
 */
export function spawnN8nProcess(
	install: N8nInstall,
	args: string[],
	options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string },
): N8nProcess {
	const out = fs.openSync(options.logFile, 'w');
	const child: ChildProcess = spawn(install.nodeBin, [install.n8nBin, ...args], {
		env: options.env,
		cwd: options.cwd,
		stdio: ['ignore', out, out],
		detached: true,
	});
	fs.closeSync(out);
	const pid = child.pid as number;
	runningGroups.add(pid);
	let exited = false;
	const exitPromise = new Promise<void>((resolve) => {
		child.on('exit', () => {
			exited = true;
			resolve();
		});
	});
	return {
		pid,
		logFile: options.logFile,
		logs: () => (fs.existsSync(options.logFile) ? fs.readFileSync(options.logFile, 'utf8') : ''),
		exited: () => exited,
		async stop() {
			if (groupAlive(pid)) {
				try {
					process.kill(-pid, 'SIGTERM');
				} catch {
					// Already gone.
				}
				const deadline = Date.now() + 20_000;
				while (groupAlive(pid) && Date.now() < deadline) await sleep(200);
				if (groupAlive(pid)) {
					log(`n8n ${args[0]} (pid ${pid}) ignored SIGTERM for 20 s; sending SIGKILL`);
					process.kill(-pid, 'SIGKILL');
					while (groupAlive(pid)) await sleep(100);
				}
			}
			await exitPromise;
			runningGroups.delete(pid);
		},
	};
}
