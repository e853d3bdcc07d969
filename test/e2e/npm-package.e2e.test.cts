/**
 * What `npm pack` yields is what n8n's verification accepts: the tarball holds the built pack, its
 * READMEs, LICENSE and CHANGELOG and nothing of the repository's tooling or tests, stays small, and
 * passes the static analysis of n8n's own scanner (@n8n/scan-community-package, the check n8n runs
 * before it lists a package as verified): its ESLint rules over the tarball's JavaScript and
 * package.json, and over the source files the provenance attestation would point at. The scanner's
 * third check, npm provenance, exists only for a version published by .github/workflows/publish.yml.
 * test/e2e/installed-pack.e2e.test.cts installs this same tarball into a real n8n.
 *
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { packRepo } from '../../scripts/n8n-install.cjs';

jest.setTimeout(5 * 60_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const REPOSITORY = 'https://github.com/n8n-nodes-koogallery/n8n-nodes-koogallery';
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
/** Generous bounds: today about 170 kB packed and 0.8 MB unpacked. */
const MAX_PACKED_BYTES = 400_000;
const MAX_UNPACKED_BYTES = 2_000_000;

interface ScanResult {
	passed: boolean;
	message?: string;
	details?: string;
}

/**
 * Runs the scanner's `analyzePackage` on `dir` with the given file patterns, in a Node child (the
 * scanner is an ES module); `sourcePatterns` selects the scanner's own SOURCE_FILE_PATTERNS.
 */
function scan(dir: string, patterns: string[] | 'sourcePatterns'): ScanResult {
	const scanner = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	const script = `
		const [scanner, dir, patterns] = process.argv.slice(1);
		import(scanner).then(async ({ analyzePackage, SOURCE_FILE_PATTERNS }) => {
			const chosen = patterns === 'sourcePatterns' ? SOURCE_FILE_PATTERNS : JSON.parse(patterns);
			const { passed, message, details } = await analyzePackage(dir, chosen);
			process.stdout.write(JSON.stringify({ passed, message, details }));
		});`;
	const arg = patterns === 'sourcePatterns' ? patterns : JSON.stringify(patterns);
	// Without jest's NODE_ENV=test, which makes eslint-plugin-n8n-nodes-base read file names as in
	// its own tests (lib/ast/utils/filename.js) and report every node file as misnamed.
	const env = { ...process.env };
	delete env.NODE_ENV;
	const result = spawnSync(process.execPath, ['-e', script, scanner, dir, arg], {
		encoding: 'utf8',
		env,
		maxBuffer: 16 * 1024 * 1024,
	});
	if (result.status !== 0) throw new Error(`scanner failed: ${result.stderr}`);
	return JSON.parse(result.stdout) as ScanResult;
}

/** The files `dir` holds, relative to it, sorted. */
function filesIn(dir: string): string[] {
	return fs
		.readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
		.sort();
}

describe('the npm package (npm pack)', () => {
	let workDir: string;
	let tarball: string;
	let unpacked: string;
	let files: string[];

	beforeAll(() => {
		workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-npm-package-'));
		tarball = packRepo(workDir);
		unpacked = path.join(workDir, 'package');
		fs.mkdirSync(unpacked);
		const untar = spawnSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		expect(untar.status).toBe(0);
		files = filesIn(unpacked);
	});

	afterAll(() => {
		if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
	});

	it('holds package.json, the READMEs, LICENSE, CHANGELOG.md and dist/ only', () => {
		// npm always adds README* files: the Chinese guide travels with the English one.
		expect(files.filter((file) => !file.startsWith('dist/'))).toEqual([
			'CHANGELOG.md',
			'LICENSE',
			'README.md',
			'README.zh-CN.md',
			'package.json',
		]);
		expect(fs.readFileSync(path.join(unpacked, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
	});

	it('holds every node, credential and icon it lists, and no tests, tooling, screenshots or build state', () => {
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(files).toContain(file);
		}
		expect(files).toEqual(
			expect.arrayContaining(['dist/icons/koogallery.svg', 'dist/icons/koogallery.dark.svg']),
		);
		const dist = files.filter((file) => file.startsWith('dist/'));
		const allowed =
			/^dist\/(core|nodes|credentials)\/.+\.(js|js\.map|d\.ts|json)$|^dist\/icons\/[^/]+\.svg$/;
		expect(dist.filter((file) => !allowed.test(file))).toEqual([]);
		const unwanted =
			/(^|\/)(test|tests|scripts|bench|simulator|docs|workflows)\/|\.(cts|cjs|ts|png|tgz|tsbuildinfo)$|\.test\./;
		expect(files.filter((file) => unwanted.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
	});

	it('ships source maps with relative paths only', () => {
		const maps = files.filter((file) => file.endsWith('.js.map'));
		expect(maps.length).toBeGreaterThan(10);
		for (const file of maps) {
			const map = JSON.parse(fs.readFileSync(path.join(unpacked, file), 'utf8')) as {
				sources: string[];
				sourceRoot?: string;
			};
			for (const source of [map.sourceRoot ?? '', ...map.sources]) {
				expect(path.isAbsolute(source) || /^[a-z]+:/i.test(source)).toBe(false);
			}
			expect(fs.readFileSync(path.join(unpacked, file), 'utf8')).not.toContain(REPO_ROOT);
		}
	});

	it(`stays small (under ${MAX_PACKED_BYTES / 1000} kB packed, ${MAX_UNPACKED_BYTES / 1e6} MB unpacked)`, () => {
		const packed = fs.statSync(tarball).size;
		const unpackedSize = files.reduce(
			(sum, file) => sum + fs.statSync(path.join(unpacked, file)).size,
			0,
		);
		expect(packed).toBeGreaterThan(50_000);
		expect(packed).toBeLessThan(MAX_PACKED_BYTES);
		expect(unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
	});

	it('carries the metadata n8n and npm show: name, licence, repository, supported versions', () => {
		const shipped = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
		expect(shipped.name).toBe('n8n-nodes-koogallery');
		expect(shipped.keywords).toContain('n8n-community-node-package');
		expect(shipped.license).toBe('MIT');
		expect(shipped.homepage).toBe(REPOSITORY);
		expect(shipped.repository.url).toBe(`${REPOSITORY}.git`);
		expect(shipped.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(shipped.dependencies).toBeUndefined();
		expect(shipped.engines).toEqual({ node: '>=20.19', n8n: '>=1.123.0 <3' });
	});

	it("passes n8n's scanner on the tarball's JavaScript and package.json", () => {
		const result = scan(unpacked, ['**/*.js', 'package.json']);
		expect(result.details ?? '').toBe('');
		expect(result.passed).toBe(true);
	});

	it("passes n8n's scanner on the source files its provenance points at", () => {
		const result = scan(REPO_ROOT, 'sourcePatterns');
		expect(result.details ?? '').toBe('');
		expect(result.passed).toBe(true);
	});

	it("is refused by n8n's scanner once it gains an install script (the scan really checks)", () => {
		const copy = path.join(workDir, 'with-install-script');
		fs.cpSync(unpacked, copy, { recursive: true });
		const shipped = JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8'));
		shipped.scripts = { ...shipped.scripts, postinstall: 'node dist/nodes/shared/sellerKey.js' };
		fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify(shipped, null, 2));
		const result = scan(copy, ['**/*.js', 'package.json']);
		expect(result.passed).toBe(false);
		expect(result.details).toMatch(/postinstall/);
	});
});
