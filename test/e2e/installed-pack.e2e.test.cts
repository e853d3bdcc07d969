/**
 * The built pack works when installed the way n8n installs a community package (2.41.1 here, and
 * 1.123.81, the oldest supported, in the e2e-oldest-n8n project): the tarball from `npm pack`
 * (the one test/e2e/npm-package.e2e.test.cts checks) is unpacked into `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/` (outside
 * this repository, so this repository's node_modules cannot help), and every file its package.json
 * lists under `n8n.nodes` and `n8n.credentials` is loaded on n8n's Node with the `NODE_PATH` n8n sets
 * before loading community packages (docs/protocol/README.md decision 11). Its imports, `n8n-workflow` and
 * `zod` included, must then resolve to n8n's own copies.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
	cacheDir,
	ensureN8n,
	installPack,
	n8nNodePath,
	n8nPackageDir,
	N8N_VERSION,
	type N8nInstall,
} from '../../scripts/n8n-install.cjs';

// Each load runs in a fresh Node process; leave room for a slow runner.
jest.setTimeout(180_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const repoManifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const listedNodes: string[] = repoManifest.n8n?.nodes ?? [];
const listedCredentials: string[] = repoManifest.n8n?.credentials ?? [];
/** The imports n8n allows a verified community package (docs/protocol/n8n-platform.md §0.2). */
const ALLOWED_IMPORTS = ['n8n-workflow', 'zod', 'crypto', 'lodash', 'moment', 'p-limit', 'luxon'];

/** What the loader child reports for one file. */
interface LoadReport {
	ok: boolean;
	error?: string;
	className?: string;
	name?: string;
	/** Files outside the package that loading pulled in. */
	external?: string[];
	/** Where the package resolves each bare import to. */
	resolved?: Record<string, string>;
	/** A trigger's webhooks carry n8n's native resolvers (n8n 2.35 and newer). */
	nativeResolvers?: boolean;
	/** A trigger shows the notice for n8n older than 2.35. */
	olderN8nNotice?: boolean;
}

/**
 * Loads `file` like n8n-core's `DirectoryLoader.loadClass` (class name = file name up to the first
 * dot, `new (require(file))[className]()`) in a child on n8n's Node, and reports what it found.
 */
function loadInChild(
	install: N8nInstall,
	packageDir: string,
	file: string,
	nodePath: string | undefined,
): LoadReport {
	const script = `
		const path = require('node:path');
		const { createRequire } = require('node:module');
		const [packageDir, file, bareImports] = process.argv.slice(1);
		const report = {};
		try {
			const className = path.parse(file).name.split('.')[0];
			const instance = new (require(path.join(packageDir, file))[className])();
			report.className = instance.constructor.name;
			report.name = instance.description ? instance.description.name : instance.name;
			const webhooks = (instance.description && instance.description.webhooks) || [];
			report.nativeResolvers = webhooks.some((w) => Object.getOwnPropertySymbols(w).length > 0);
			const properties = (instance.description && instance.description.properties) || [];
			report.olderN8nNotice = properties.some((p) => p.name === 'olderN8nNotice');
			report.external = Object.keys(require.cache).filter((f) => !f.startsWith(packageDir + path.sep));
			const packageRequire = createRequire(path.join(packageDir, file));
			report.resolved = {};
			for (const name of JSON.parse(bareImports)) report.resolved[name] = packageRequire.resolve(name);
			report.ok = true;
		} catch (error) {
			report.ok = false;
			report.error = String(error && error.message);
		}
		process.stdout.write(JSON.stringify(report));`;
	const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
	if (nodePath !== undefined) env.NODE_PATH = nodePath;
	const result = spawnSync(
		install.nodeBin,
		['-e', script, packageDir, file, JSON.stringify(['n8n-workflow', 'zod'])],
		{ cwd: os.tmpdir(), env, encoding: 'utf8' },
	);
	if (result.status !== 0) throw new Error(`loader child failed: ${result.stderr}`);
	return JSON.parse(result.stdout) as LoadReport;
}

/** Every bare module name the JavaScript files under `dir` require. */
function bareImports(dir: string): Set<string> {
	const names = new Set<string>();
	for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
		if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
		const source = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
		for (const match of source.matchAll(/require\("([^"]+)"\)/g)) {
			if (!match[1].startsWith('.')) names.add(match[1]);
		}
	}
	return names;
}

describe('the packed tarball installed as n8n installs community packages', () => {
	let install: N8nInstall;
	let packageDir: string;
	let nodePath: string;
	let userFolder: string;
	const n8nModules = () => path.join(cacheDir(), 'n8n', 'node_modules');
	/** n8n-workflow 2.35 and newer exports `webhookDescriptionFields` and its resolvers. */
	const hasNativeResolvers = () => {
		const { version } = JSON.parse(
			fs.readFileSync(path.join(n8nModules(), 'n8n-workflow', 'package.json'), 'utf8'),
		);
		const [major, minor] = String(version).split('.').map(Number);
		return major > 2 || (major === 2 && minor >= 35);
	};

	beforeAll(async () => {
		install = await ensureN8n();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-installed-pack-'));
		packageDir = installPack(userFolder);
		nodePath = n8nNodePath(install);
	}, 20 * 60_000);

	afterAll(() => {
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	it('sits in <userFolder>/.n8n/nodes/node_modules, outside this repository', () => {
		expect(
			packageDir.endsWith(path.join('.n8n', 'nodes', 'node_modules', 'n8n-nodes-koogallery')),
		).toBe(true);
		expect(path.relative(REPO_ROOT, packageDir).startsWith('..')).toBe(true);
	});

	it('has no runtime dependencies, in the repository and in the installed package', () => {
		const installed = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
		expect(repoManifest.dependencies).toBeUndefined();
		expect(installed.dependencies).toBeUndefined();
		expect(fs.existsSync(path.join(packageDir, 'node_modules'))).toBe(false);
	});

	it('lists nodes and credentials in its n8n section', () => {
		expect(listedNodes.length).toBeGreaterThan(0);
		expect(listedCredentials.length).toBeGreaterThan(0);
	});

	it('imports only modules n8n allows, besides node builtins', () => {
		const names = [...bareImports(path.join(packageDir, 'dist'))];
		const outside = names.filter(
			(name) => !name.startsWith('node:') && !ALLOWED_IMPORTS.includes(name),
		);
		expect(outside).toEqual([]);
		// Since the tolerant reading (issue 16) the core reads bodies with plain functions: only
		// n8n-workflow and node builtins are imported, zod no longer.
		expect(names).toEqual(expect.arrayContaining(['n8n-workflow', 'node:crypto']));
		expect(names).not.toContain('zod');
	});

	it('uses NODE_PATH = the module paths of n8n dist/load-nodes-and-credentials.js', () => {
		const source = fs.readFileSync(
			path.join(
				path.dirname(path.dirname(install.n8nBin)),
				'dist',
				'load-nodes-and-credentials.js',
			),
			'utf8',
		);
		// The line this test replicates; if n8n changes it, the replication must be revisited.
		expect(source).toContain(
			'process.env.NODE_PATH = [module.paths.join(delimiter), process.env.NODE_PATH]',
		);
		expect(nodePath.split(path.delimiter)).toContain(n8nModules());
	});

	const files = [
		...listedNodes.map((file) => ['node', file]),
		...listedCredentials.map((file) => ['credential', file]),
	];
	it.each(files.length ? files : [['(none)', '(the n8n section lists no files)']])(
		'loads %s %s with n8n-workflow and zod from n8n itself',
		(_kind, file) => {
			expect(fs.existsSync(path.join(packageDir, file))).toBe(true);
			const report = loadInChild(install, packageDir, file, nodePath);
			expect(report.error).toBeUndefined();
			const className = path.basename(file).split('.')[0];
			expect(report.className).toBe(className);
			// n8n names types in camelCase: KooGalleryTrigger -> kooGalleryTrigger.
			expect(report.name).toBe(className.charAt(0).toLowerCase() + className.slice(1));
			for (const name of ['n8n-workflow', 'zod']) {
				expect(report.resolved?.[name].startsWith(path.join(n8nModules(), name) + path.sep)).toBe(
					true,
				);
			}
			for (const external of report.external ?? []) {
				expect(external.startsWith(n8nModules() + path.sep)).toBe(true);
			}
			// Triggers use n8n's native webhook resolvers where its n8n-workflow has them, and
			// otherwise say in the editor that this n8n is older than 2.35.
			const isTrigger = /Trigger\.node\.js$/.test(file);
			expect(report.nativeResolvers).toBe(isTrigger && hasNativeResolvers());
			expect(report.olderN8nNotice).toBe(isTrigger && !hasNativeResolvers());
		},
	);

	it(`runs in n8n ${N8N_VERSION}, resolving zod to the 3.25 release that n8n carries`, () => {
		const read = (dir: string) =>
			JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		const n8nManifest = read(n8nPackageDir(install));
		expect(n8nManifest.version).toBe(N8N_VERSION);
		// 2.41.1 carries 3.25.76, 1.123.81 3.25.67; the pack uses only what both have.
		const zodVersion = read(path.join(n8nModules(), 'zod')).version;
		expect(zodVersion).toBe(n8nManifest.dependencies.zod);
		expect(zodVersion).toMatch(/^3\.25\.\d+$/);
	});

	it('holds exactly the files of the packed tarball, plus the package.json n8n rewrote', () => {
		const [tarball] = fs.readdirSync(path.join(userFolder, 'pack'));
		const listing = spawnSync('tar', ['-tzf', path.join(userFolder, 'pack', tarball)], {
			encoding: 'utf8',
		});
		expect(listing.status).toBe(0);
		const packed = listing.stdout
			.split('\n')
			.filter(Boolean)
			.map((entry) => entry.replace(/^package\//, ''));
		const installed = fs
			.readdirSync(packageDir, { withFileTypes: true, recursive: true })
			.filter((entry) => entry.isFile())
			.map((entry) => path.relative(packageDir, path.join(entry.parentPath, entry.name)));
		expect(installed.sort()).toEqual(packed.sort());
		expect(installed).toContain('dist/nodes/KooGalleryTrigger/KooGalleryTrigger.node.js');
	});

	it('cannot load without n8n on NODE_PATH (the folder really is isolated)', () => {
		const [, file] = files[0] ?? [];
		expect(file).toBeDefined();
		const report = loadInChild(install, packageDir, file, undefined);
		expect(report.ok).toBe(false);
		expect(report.error).toMatch(/Cannot find module '(n8n-workflow|zod)'/);
	});
});
