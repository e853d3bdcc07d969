/**
 * Diagnosis for part 3b (bench/usage-workflow.cts): where the memory of the usage-metering example
 * goes. Runs the example as the benchmark does (fresh n8n per size, warm-up page first), but loads a
 * small sampler into the n8n process (`NODE_OPTIONS=--require ... --expose-gc`) that writes
 * `process.memoryUsage()` every 50 ms, and on SIGUSR2 runs a full garbage collection and writes the
 * memory after it (optionally a heap snapshot too). Per size it prints:
 *
 * - RSS and V8 heap (used, total) before the run, their peaks during it, and after a forced
 *   collection before and after the run (what n8n really kept);
 * - with --trace-gc, the collections during the run (from n8n's log).
 *
 *   node --require tsx/cjs bench/usage-memory-probe.cts [--sizes=10000,30000,100000]
 *       [--heap=512] [--snapshot] [--trace-gc]        (after npm run build)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { installPack } from '../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../scripts/n8n-process.cjs';
import { startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import type { OpenApiMock } from '../simulator/openapi-mock.cjs';
import { packOnce } from './pack.cjs';
import {
	benchWorkflow,
	insertRows,
	reportAll,
	startUsageMock,
	usageCredentials,
	WARM_UP_ROWS,
} from './usage-workflow.cjs';

/** Loaded into n8n's main process only (not its task runner, which inherits NODE_OPTIONS). */
const SAMPLER = `
const fs = require('node:fs');
const v8 = require('node:v8');
const out = process.env.KG_MEMLOG;
if (out && process.argv.includes('start') && /n8n/.test(process.argv[1] || '')) {
	if (process.env.KG_TRACE_GC) v8.setFlagsFromString('--trace-gc');
	const mb = (n) => (n / 1048576).toFixed(1);
	const line = (tag) => {
		const m = process.memoryUsage();
		fs.appendFileSync(out, [Date.now(), tag, mb(m.rss), mb(m.heapUsed), mb(m.heapTotal), mb(m.external), mb(m.arrayBuffers)].join(' ') + '\\n');
	};
	setInterval(() => line('s'), 50).unref();
	process.on('SIGUSR2', () => {
		line('pre-gc');
		global.gc();
		global.gc();
		line('gc');
		const spaces = v8.getHeapSpaceStatistics().map((s) => s.space_name + '=' + mb(s.space_used_size)).join(' ');
		fs.appendFileSync(out, Date.now() + ' spaces ' + spaces + '\\n');
		if (process.env.KG_SNAPDIR) {
			const file = v8.writeHeapSnapshot(process.env.KG_SNAPDIR + '/' + Date.now() + '.heapsnapshot');
			fs.appendFileSync(out, Date.now() + ' snapshot ' + file + '\\n');
		}
		fs.appendFileSync(out, Date.now() + ' done\\n');
	});
}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sample {
	t: number;
	tag: string;
	rss: number;
	heapUsed: number;
	heapTotal: number;
	external: number;
	arrayBuffers: number;
}

function readSamples(file: string): Sample[] {
	if (!fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.map((line) => line.split(' '))
		.filter((parts) => parts.length === 7)
		.map(([t, tag, rss, heapUsed, heapTotal, external, arrayBuffers]) => ({
			t: Number(t),
			tag,
			rss: Number(rss),
			heapUsed: Number(heapUsed),
			heapTotal: Number(heapTotal),
			external: Number(external),
			arrayBuffers: Number(arrayBuffers),
		}));
}

/** Sends SIGUSR2 and waits until the sampler has written `done`. */
async function forceGc(pid: number, file: string): Promise<Sample> {
	const doneBefore = (fs.readFileSync(file, 'utf8').match(/ done\n/g) ?? []).length;
	process.kill(pid, 'SIGUSR2');
	for (let i = 0; i < 600; i++) {
		await sleep(500);
		const done = (fs.readFileSync(file, 'utf8').match(/ done\n/g) ?? []).length;
		if (done > doneBefore) break;
	}
	const gcs = readSamples(file).filter((sample) => sample.tag === 'gc');
	return gcs[gcs.length - 1];
}

async function probe(
	tarball: string,
	mock: OpenApiMock,
	rows: number,
	flags: { heap?: number; snapshot: boolean; traceGc: boolean; preGc: boolean },
	workDir: string,
): Promise<string> {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-usage-memory-probe-'));
	const samplerFile = path.join(workDir, 'sampler.cjs');
	fs.writeFileSync(samplerFile, SAMPLER);
	const memlog = path.join(workDir, `mem-${rows}-${flags.heap ?? 'default'}.log`);
	fs.rmSync(memlog, { force: true });
	const snapDir = path.join(workDir, `snap-${rows}-${flags.heap ?? 'default'}`);
	if (flags.snapshot) fs.mkdirSync(snapDir, { recursive: true });
	let pg: PostgresServer | undefined;
	let handle: N8nHandle | undefined;
	try {
		pg = await startPostgres();
		installPack(userFolder, tarball);
		const workflow = benchWorkflow();
		const nodeOptions = [
			`--require=${samplerFile}`,
			'--expose-gc',
			...(flags.heap ? [`--max-old-space-size=${flags.heap}`] : []),
		].join(' ');
		handle = await startN8n({
			userFolder,
			workflows: [workflow],
			credentials: usageCredentials(pg, mock),
			env: {
				NODE_OPTIONS: nodeOptions,
				KG_MEMLOG: memlog,
				...(flags.traceGc ? { KG_TRACE_GC: '1' } : {}),
				...(flags.snapshot ? { KG_SNAPDIR: snapDir } : {}),
			},
		});
		const workflowId = String(workflow.id);
		const server = pg;
		for (let i = 0; i < 120; i++) {
			if (server.rows("SELECT 1 FROM pg_tables WHERE tablename = 'koogallery_usage'").length) break;
			await sleep(1000);
		}
		insertRows(pg, WARM_UP_ROWS, 'warmup');
		await reportAll(handle, pg, workflowId);
		await sleep(3000);
		mock.reset();
		insertRows(pg, rows, `probe${rows}`);
		// Without --no-pregc: a full collection right before the run, so its garbage is not counted.
		const gcBefore = flags.preGc ? await forceGc(handle.pid, memlog) : undefined;
		await sleep(1000);
		const logLinesBefore = fs
			.readFileSync(path.join(userFolder, 'n8n.log'), 'utf8')
			.split('\n').length;
		const start = Date.now();
		const before = readSamples(memlog).filter((s) => s.tag === 's' && s.t < start);
		const base = before[before.length - 1];
		await reportAll(handle, pg, workflowId);
		const end = Date.now();
		const during = readSamples(memlog).filter((s) => s.tag === 's' && s.t >= start && s.t <= end);
		await sleep(3000);
		const gcAfter = await forceGc(handle.pid, memlog);
		const peak = (key: keyof Sample) => Math.max(...during.map((s) => s[key] as number));
		const log = fs.readFileSync(path.join(userFolder, 'n8n.log'), 'utf8').split('\n');
		const gcLines = log.slice(logLinesBefore).filter((line) => /Mark-Compact|Scavenge/.test(line));
		const markCompacts = gcLines.filter((line) => /Mark-Compact/.test(line));
		const f = (n: number) => n.toFixed(0).padStart(5);
		return [
			`rows ${rows} heap ${flags.heap ?? 'default'}: ${((end - start) / 1000).toFixed(1)} s, ${during.length} samples`,
			`  before run:   rss ${f(base.rss)} heapUsed ${f(base.heapUsed)} heapTotal ${f(base.heapTotal)} external ${f(base.external)}`,
			`  peak in run:  rss ${f(peak('rss'))} heapUsed ${f(peak('heapUsed'))} heapTotal ${f(peak('heapTotal'))} external ${f(peak('external'))}`,
			`  growth:       rss ${f(peak('rss') - base.rss)} heapUsed ${f(peak('heapUsed') - base.heapUsed)} heapTotal ${f(peak('heapTotal') - base.heapTotal)}`,
			...(gcBefore
				? [
						`  after full GC before run: rss ${f(gcBefore.rss)} heapUsed ${f(gcBefore.heapUsed)} heapTotal ${f(gcBefore.heapTotal)}`,
					]
				: []),
			`  after full GC after run:  rss ${f(gcAfter.rss)} heapUsed ${f(gcAfter.heapUsed)} heapTotal ${f(gcAfter.heapTotal)}` +
				(gcBefore ? `  (retained heap ${f(gcAfter.heapUsed - gcBefore.heapUsed)} MB)` : ''),
			...(flags.traceGc
				? [
						`  gc during run: ${gcLines.length} (${markCompacts.length} mark-compact)`,
						...markCompacts.slice(0, 40).map((line) => `    ${line.trim().slice(0, 160)}`),
					]
				: []),
		].join('\n');
	} finally {
		await handle?.stop();
		pg?.stop();
		if (!process.env.KOOGALLERY_KEEP_N8N) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

if (require.main === module) {
	const log = (line: string) =>
		process.stderr.write(`[probe ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
	const arg = (name: string) =>
		process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const sizes = (arg('sizes') ?? '10000,30000,100000').split(',').map(Number);
	const heap = arg('heap') ? Number(arg('heap')) : undefined;
	const flags = {
		heap,
		snapshot: process.argv.includes('--snapshot'),
		traceGc: process.argv.includes('--trace-gc'),
		preGc: !process.argv.includes('--no-pregc'),
	};
	const workDir = arg('out') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-probe-'));
	fs.mkdirSync(workDir, { recursive: true });
	(async () => {
		const tarball = await packOnce(log);
		const mock = await startUsageMock();
		try {
			for (const rows of sizes) {
				const text = await probe(tarball, mock, rows, flags, workDir);
				process.stdout.write(`${text}\n`);
			}
			log(`memory logs in ${workDir}`);
		} finally {
			await mock.stop();
			fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		}
	})().then(
		() => process.exit(0),
		(error) => {
			log(`failed: ${(error as Error).stack ?? String(error)}`);
			process.exit(1);
		},
	);
}
