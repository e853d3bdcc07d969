/**
 * Load (issue 21): what the KooGallery Trigger's Busy Limit "Auto" does for the PostgreSQL example
 * workflow (workflows/koogallery-saas-v2-postgres.json) in a real n8n 2.41.1 at 0.5x, 1x, 2x and 4x
 * the rate it sustains, against no limit and the hand-set limit the README advises, in the same
 * run, under the tuned expression-engine settings and under n8n's defaults (bench/load-matrix.cts
 * explains the run; bench/load-matrix-report.cts writes the "Load" section of BENCHMARKS.md and
 * bench/results/load.json). About 20–25 minutes on 2 cores; `--quick` (one engine setting, 1x
 * and 4x, 5 s cells) about 4 minutes, its numbers only show that the part runs.
 *
 * Used by `npm run bench` (part `load`). Nothing here judges a number; the bench fails (exit code
 * 1) only when an answer was wrong or the data afterwards is not consistent (`matrixCorrectness`).
 *
 *   node --require tsx/cjs bench/load.cts [--quick] [--engines=tuned,default] [--multiples=0.5,1,2,4]
 *        [--cell=20] [--step=SECONDS, default as --cell] [--out=BENCHMARKS.md]
 *        [--settings=off,limit,auto] [--ramp-from=5] [--ramp-max=60]
 * (fewer settings or a shorter ramp: for trying a change; `npm run bench` measures them all)
 *   node --require tsx/cjs bench/load.cts --from-results   (the section from bench/results/load.json)
 *
 * The older set-ups (bench/load-setup.cts: SQLite, queue mode, the legacy engine, ...: 50 calls a
 * second for 60 s after steps, each against n8n's own Webhook -> Respond to Webhook) still run on
 * request; their results go to bench/results/load-variants.json and stdout, and into a Markdown
 * file only with `--out`:
 *
 *   node --require tsx/cjs bench/load.cts --variants=sqlite,queue [--rate=50] [--duration=60] [--out=FILE]
 */
import * as path from 'node:path';

import { loadCorrectness } from './load-check.cjs';
import {
	matrixCorrectness,
	runLoadMatrix,
	type EngineSetting,
	type TriggerSetting,
} from './load-matrix.cjs';
import {
	LOAD_RESULTS_FILE,
	readMatrixResult,
	renderMatrixSection,
	saveMatrixResult,
	writeLoadSection,
} from './load-matrix-report.cjs';
import { loadTable, renderLoadSection, saveLoadResults } from './load-report.cjs';
import { runLoadBench } from './load-run.cjs';
import { LOAD_VARIANTS, type LoadVariant } from './load-setup.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');

const log = (line: string) =>
	process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function argOf(argv: string[], name: string): string | undefined {
	return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Writes the section from bench/results/load.json (as the last full run left it), measuring nothing. */
function fromResults(argv: string[]): void {
	const out = path.resolve(argOf(argv, 'out') ?? path.join(REPO_ROOT, 'BENCHMARKS.md'));
	const saved = readMatrixResult();
	if (!saved) throw new Error(`no results of the issue-21 matrix in ${LOAD_RESULTS_FILE}`);
	writeLoadSection(out, renderMatrixSection(saved));
	process.stdout.write(`wrote the Load section of ${out} from ${LOAD_RESULTS_FILE}\n`);
}

/** The older set-ups the arguments name; resolves with the exit code (1: any failed). */
async function measureVariants(argv: string[], names: string): Promise<number> {
	const variants = names.split(',') as LoadVariant[];
	const unknown = variants.filter((v) => !LOAD_VARIANTS.includes(v));
	if (unknown.length) throw new Error(`unknown variants ${unknown.join(', ')}`);
	const out = argOf(argv, 'out');
	let failed = false;
	for (const variant of variants) {
		try {
			const result = await runLoadBench({
				variant,
				rate: Number(argOf(argv, 'rate') ?? 50),
				durationMs: Number(argOf(argv, 'duration') ?? 60) * 1000,
				log,
			});
			// Saved after each variant, so a later failure keeps what was measured.
			const all = saveLoadResults([result]);
			if (out) writeLoadSection(path.resolve(out), renderLoadSection(all));
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
	return failed ? 1 : 0;
}

/** The issue-21 matrix; resolves with the exit code (1: wrong answers or inconsistent data). */
async function measureMatrix(argv: string[]): Promise<number> {
	const quick = argv.includes('--quick');
	const list = (name: string) => argOf(argv, name)?.split(',');
	const seconds = (name: string) => {
		const value = argOf(argv, name);
		return value === undefined ? undefined : Number(value) * 1000;
	};
	const result = await runLoadMatrix({
		quick,
		engines: list('engines') as EngineSetting[] | undefined,
		settings: list('settings') as TriggerSetting[] | undefined,
		rampFrom: argOf(argv, 'ramp-from') === undefined ? undefined : Number(argOf(argv, 'ramp-from')),
		rampMax: argOf(argv, 'ramp-max') === undefined ? undefined : Number(argOf(argv, 'ramp-max')),
		multiples: list('multiples')?.map(Number),
		cellMs: seconds('cell'),
		stepMs: seconds('step'),
		log,
	});
	const out = path.resolve(argOf(argv, 'out') ?? path.join(REPO_ROOT, 'BENCHMARKS.md'));
	// A quick run only shows that the part works: its numbers are written, never saved.
	if (!quick) saveMatrixResult(result);
	writeLoadSection(out, renderMatrixSection(result));
	process.stdout.write(`wrote the Load section of ${out}\n`);
	const problems = matrixCorrectness(result);
	if (problems.length) process.stderr.write(`not correct: ${problems.join('; ')}\n`);
	return problems.length ? 1 : 0;
}

if (require.main === module) {
	const argv = process.argv.slice(2);
	const variants = argOf(argv, 'variants');
	const run = argv.includes('--from-results')
		? Promise.resolve(fromResults(argv)).then(() => 0)
		: variants
			? measureVariants(argv, variants)
			: measureMatrix(argv);
	run.then(
		(code) => process.exit(code),
		(error: Error) => {
			process.stderr.write(`${error.stack ?? String(error)}\n`);
			process.exit(1);
		},
	);
}
