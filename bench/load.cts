/**
 * Load: KooGallery's calls offered at a fixed rate (50 a second for 60 seconds by default) to the
 * PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json) in a real n8n 2.41.1,
 * against a baseline measured in the same run on the same n8n: n8n's own Webhook -> Respond to
 * Webhook answering a static body, on each n8n set-up in turn.
 *
 * The bench in parts: bench/load-setup.cts (the n8n set-ups and starting one), bench/load-run.cts
 * (the run: warm-up, baseline, lower rates, the pack), bench/load-check.cts (the database against
 * the answers, the retries, what must hold) and bench/load-report.cts (the saved results and the
 * "Load" section of BENCHMARKS.md). The calls come from scripts/load-generator.cts.
 *
 * Used by `npm run bench` (part `load`, every variant), which writes bench/results/load.json and
 * the "Load" section of BENCHMARKS.md. Nothing here judges a number; the bench fails (exit code 1)
 * only when an answer was wrong or the data afterwards is not consistent (`loadCorrectness`).
 *
 *   node --require tsx/cjs bench/load.cts [--variants=sqlite,postgres,postgres-lean,queue]
 *        [--rate=50] [--duration=60] [--out=BENCHMARKS.md]
 *   node --require tsx/cjs bench/load.cts --from-results   (the section from bench/results/load.json)
 *
 * A run replaces the saved results of the variants it measured and keeps the others.
 */
import * as path from 'node:path';

import { loadCorrectness } from './load-check.cjs';
import {
	LOAD_RESULTS_FILE,
	loadTable,
	renderLoadSection,
	saveLoadResults,
	savedLoadSection,
	writeLoadSection,
} from './load-report.cjs';
import { runLoadBench } from './load-run.cjs';
import { LOAD_VARIANTS, type LoadVariant } from './load-setup.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');

/** Writes the section from bench/results/load.json (as the last bench left it), measuring nothing. */
function fromResults(): void {
	const out = path.join(REPO_ROOT, 'BENCHMARKS.md');
	const section = savedLoadSection();
	if (!section) throw new Error(`no results in ${LOAD_RESULTS_FILE}`);
	writeLoadSection(out, section);
	process.stdout.write(`wrote the Load section of ${out} from ${LOAD_RESULTS_FILE}\n`);
}

/** Measures each variant the arguments name; resolves with the exit code (1: any failed). */
async function measure(argv: string[]): Promise<number> {
	const arg = (name: string) =>
		argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const out = path.resolve(arg('out') ?? path.join(REPO_ROOT, 'BENCHMARKS.md'));
	const variants = (arg('variants')?.split(',') ?? LOAD_VARIANTS) as LoadVariant[];
	const unknown = variants.filter((v) => !LOAD_VARIANTS.includes(v));
	if (unknown.length) throw new Error(`unknown variants ${unknown.join(', ')}`);
	const log = (line: string) =>
		process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
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
	return failed ? 1 : 0;
}

if (require.main === module && process.argv.includes('--from-results')) {
	fromResults();
} else if (require.main === module) {
	void measure(process.argv).then((code) => process.exit(code));
}
