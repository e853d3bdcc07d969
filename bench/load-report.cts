/**
 * The report of the older load set-ups (`bench/load.cts --variants=...`): the results saved in
 * bench/results/load-variants.json (one per n8n set-up; a run replaces the set-ups it measured and
 * keeps the others) and a "Load" section rendered from them, written only where `--out` says
 * (BENCHMARKS.md's Load section is the issue-21 matrix's: bench/load-matrix-report.cts). Nothing here judges a number: the targets are
 * reported, and the correctness verdict is bench/load-check.cts's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadCorrectness, STEADY_RSS_FACTOR, targets } from './load-check.cjs';
import type { LoadBenchResult, LoadSummary } from './load-run.cjs';
import {
	BUSY_LIMIT,
	LOAD_VARIANTS,
	turnsAway,
	VARIANT_TEXT,
	type LoadVariant,
} from './load-setup.cjs';
import { formatNumber, formatRatio, markdownTable } from './stats.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');

/** Where `bench/load.cts --variants=...` leaves the numbers of the set-ups it measured. */
export const LOAD_VARIANTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'load-variants.json');
export const LOAD_SECTION_TITLE = '## Load: 50 req/s × 60 s';

/** The results saved in `file` (one per variant, in `LOAD_VARIANTS` order); none if it is missing. */
export function readLoadResults(file = LOAD_VARIANTS_FILE): LoadBenchResult[] {
	if (!fs.existsSync(file)) return [];
	const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as LoadBenchResult | LoadBenchResult[];
	return (Array.isArray(saved) ? saved : [saved]).map((r) => ({
		...r,
		variant: r.variant ?? 'sqlite',
	}));
}

/**
 * Writes results to `file` (bench/results/load.json by default), replacing those of the same
 * variants and keeping the others; returns everything the file now holds.
 */
export function saveLoadResults(
	results: LoadBenchResult[],
	file = LOAD_VARIANTS_FILE,
): LoadBenchResult[] {
	const kept = readLoadResults(file).filter((r) => !results.some((n) => n.variant === r.variant));
	const all = [...kept, ...results].sort(
		(a, b) =>
			LOAD_VARIANTS.indexOf(a.variant ?? 'sqlite') - LOAD_VARIANTS.indexOf(b.variant ?? 'sqlite'),
	);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(all, null, '\t')}\n`);
	return all;
}

const ms = (value: number) => formatNumber(value);
/** n8n's CPU per call sent, ms (NaN when not measured). */
const cpuPerCall = (s: LoadSummary | undefined) =>
	s && Number.isFinite(s.cpuMs) ? s.cpuMs / Math.max(1, s.sent) : NaN;
/** What one call costs n8n in CPU at the first step's rate: pack and baseline (when measured). */
function cpuCost(
	result: LoadBenchResult,
): { pack: number; baseline: number; rate: number } | undefined {
	const step = result.steps?.[0];
	const pack = cpuPerCall(step?.summary);
	const baseline = cpuPerCall(result.baselineStep?.summary);
	if (!step || !Number.isFinite(pack) || !Number.isFinite(baseline)) return undefined;
	return { pack, baseline, rate: step.rate };
}
/** The table of one run: both workflows and the ratios. */
export function loadTable(result: LoadBenchResult): string {
	const row = (name: string, s: LoadSummary) => [
		name,
		String(s.sent),
		String(s.ok),
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p95),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)} / ${s.rssMb.maxMb.toFixed(0)}`,
	];
	const { pack, baseline } = result;
	return markdownTable(
		[
			'Workflow',
			'Sent',
			'Correct',
			'No answer',
			'HTTP error',
			'Wrong',
			'req/s',
			'p50 ms',
			'p95 ms',
			'p99 ms',
			'max ms',
			'> 5 s',
			'n8n RSS MB first / last / max',
		],
		[
			row('n8n Webhook -> Respond to Webhook (static, unsigned): baseline', baseline),
			row('KooGallery PostgreSQL example (signed, mixed scenarios)', pack),
			[
				'pack / baseline',
				'',
				'',
				'',
				'',
				'',
				formatRatio(pack.throughput / baseline.throughput),
				formatRatio(pack.latencyMs.p50 / baseline.latencyMs.p50),
				formatRatio(pack.latencyMs.p95 / baseline.latencyMs.p95),
				formatRatio(pack.latencyMs.p99 / baseline.latencyMs.p99),
				formatRatio(pack.latencyMs.max / baseline.latencyMs.max),
				'',
				formatRatio(pack.rssMb.maxMb / baseline.rssMb.maxMb),
			],
		],
	);
}

/** The table of the pack alone at lower rates (before the main run), when there is one. */
function stepsText(result: LoadBenchResult): string {
	if (!result.steps?.length) return '';
	const rows = result.steps.map(({ rate, durationMs, summary: s }) => [
		`${rate} req/s × ${durationMs / 1000} s`,
		`${s.ok} / ${s.sent}`,
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)}`,
		formatNumber(cpuPerCall(s)),
	]);
	const cost = cpuCost(result);
	return [
		"What the same n8n sustains: the pack alone at lower rates, after the baseline's run and before the pack's main run (its executions drained between steps):",
		'',
		markdownTable(
			[
				'Offered',
				'Correct / sent',
				'No answer',
				'HTTP error',
				'Wrong',
				'req/s',
				'p50 ms',
				'p99 ms',
				'max ms',
				'> 5 s',
				'n8n RSS MB first / last',
				'n8n CPU ms per call',
			],
			rows,
		),
		...(cost
			? [
					'',
					`What one call costs n8n: at ${cost.rate} req/s, which every set-up keeps up with, n8n's processes used ${formatNumber(cost.pack)} ms of CPU per call of the example against ${formatNumber(cost.baseline)} ms per call of the baseline at the same rate (${formatRatio(cost.pack / cost.baseline)}), in all their threads (the \`vm\` expression engine builds its sandboxes in threads of their own). The last column above is n8n's CPU per call at each rate.`,
				]
			: []),
	].join('\n');
}

/** One line per variant: what each n8n set-up served against its own baseline. */
function variantsTable(results: LoadBenchResult[]): string {
	const rows = results.map((r) => {
		const { pack: p, baseline: b } = r;
		const verdict = (met: boolean) => (met ? 'met' : '**missed**');
		const met = targets(r);
		return [
			VARIANT_TEXT[r.variant ?? 'sqlite'],
			r.startedAt.slice(0, 16).replace('T', ' '),
			r.loadAverage.before.map((v) => v.toFixed(1)).join(' / '),
			`${formatNumber(b.throughput)} (p99 ${ms(b.latencyMs.p99)} ms, ${b.over5s} > 5 s)`,
			`${p.ok} / ${p.sent}`,
			String(p.unanswered + p.refused),
			String(p.wrong),
			formatNumber(p.throughput),
			formatRatio(p.throughput / b.throughput),
			`${ms(p.latencyMs.p99)} (${formatRatio(p.latencyMs.p99 / b.latencyMs.p99)})`,
			String(p.over5s),
			`${p.rssMb.firstMb.toFixed(0)} / ${p.rssMb.lastMb.toFixed(0)} / ${p.rssMb.maxMb.toFixed(0)}`,
			((c) =>
				c
					? `${formatNumber(c.pack)} / ${formatNumber(c.baseline)} (${formatRatio(c.pack / c.baseline)})`
					: 'not measured')(cpuCost(r)),
			verdict(met.rateMet),
			verdict(met.timeMet),
			verdict(met.memoryMet),
		];
	});
	return markdownTable(
		[
			'n8n set-up',
			'Run (UTC)',
			'Load avg before (1/5/15 min)',
			'Baseline req/s',
			'Pack correct / sent',
			'No result code',
			'Wrong',
			'Pack req/s',
			'Pack / baseline',
			'Pack p99 ms (/ baseline)',
			'> 5 s',
			'n8n RSS MB first / last / max',
			'n8n CPU ms per call at 10 req/s, pack / baseline',
			'50 req/s',
			'5 s',
			'Memory',
		],
		rows,
	);
}

/** The "Load" section of BENCHMARKS.md: a summary of every variant, then each in detail. */
export function renderLoadSection(results: LoadBenchResult[]): string {
	return [
		LOAD_SECTION_TITLE,
		'',
		`The same open-loop load (${results[0]?.rate ?? 50} calls a second for ${(results[0]?.durationMs ?? 60_000) / 1000} s of mixed SaaS V2.0 calls, scripts/load-generator.cts) on each n8n set-up, each with its own baseline (n8n's Webhook -> Respond to Webhook) measured in the same run on the same set-up. RSS is the sum over the set-up's n8n processes (queue mode: main, both webhook processes and both workers; task runners not counted). Measured by \`node --require tsx/cjs bench/load.cts --variants=...\` (which keeps the other set-ups' saved numbers in bench/results/load-variants.json); each run fails when an answer is wrong or the data afterwards is not consistent (the CI tests run a short burst instead: test/e2e/burst.e2e.test.cts).`,
		'',
		variantsTable(results),
		'',
		...results.map(renderVariant),
	].join('\n');
}

/** How the set-up of `variant` was started, in words (SETTINGS: its n8n settings). */
function setupText(variant: LoadVariant): string {
	return variant === 'sqlite'
		? "One fresh n8n 2.41.1 in regular mode with the tuned settings (SETTINGS), SQLite for n8n's own data (the harness default), a private PostgreSQL for the workflow's tables"
		: variant === 'queue'
			? "A fresh n8n 2.41.1 in queue mode (scripts/n8n-queue.cts) with the tuned settings (SETTINGS): a private Redis, a private PostgreSQL holding n8n's data (schema n8n) and the workflow's tables, main, 2 webhook processes the generator alternates between, 2 workers with concurrency 10"
			: "One fresh n8n 2.41.1 in regular mode with the tuned settings (SETTINGS), n8n's own data in a private PostgreSQL (schema n8n) that also holds the workflow's tables (scripts/n8n-queue.cts with `regular: true`)";
}

/** The detailed subsection of one variant. */
function renderVariant(result: LoadBenchResult): string {
	const { pack, baseline, consistency: c, n8nLog: logs } = result;
	const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
	const { rateMet, timeMet, memoryMet } = targets(result);
	const problems = loadCorrectness(result);
	const settings = Object.entries(result.n8nSettings)
		.map(([k, v]) => `${k}=${v}`)
		.join(', ');
	const mix = Object.entries(pack.byScenario)
		.map(([name, s]) => `${name} ${s.sent}`)
		.join(', ');
	const executions = Object.entries(c.executions)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ');
	const verdict = (met: boolean) => (met ? 'met' : '**missed**');
	const when = result.startedAt.slice(0, 16).replace('T', ' ');
	const rss = (s: LoadSummary) =>
		`${s.rssMb.firstMb.toFixed(0)} MB at the start, ${s.rssMb.lastMb.toFixed(0)} MB at the end, ${s.rssMb.maxMb.toFixed(0)} MB at most`;
	const variant = result.variant ?? 'sqlite';
	const setup = setupText(variant);
	return [
		`### ${VARIANT_TEXT[variant]}`,
		'',
		`Open-loop load (scripts/load-generator.cts): ${result.rate} calls a second for ${result.durationMs / 1000} s, each sent on schedule whether or not earlier ones were answered, as KooGallery does. ${setup.replace('SETTINGS', settings)}, the Open API mock answering Order > Get; the baseline first, then the pack, on the same n8n, after 20 warm-up calls to each. Measured at ${when} UTC on ${result.cpus} CPUs; load average ${load(result.loadAverage.before)} before, ${load(result.loadAverage.after)} after: other engineers' n8n instances and tests were running on the same machine.`,
		'',
		`- **pack**: the PostgreSQL example workflow as shipped${variant.endsWith('-auto') ? ' (Busy Limit Auto)' : variant.endsWith('-limit') ? `, but with its Busy Limit set to ${BUSY_LIMIT}` : ', but with its Busy Limit turned off'}, with mixed SaaS V2.0 calls (${mix}): new purchases of fresh orders, every other call on an instance created earlier in the run with no other call in flight. Correct = HTTP 200, Body-Sign valid over the exact bytes, resultCode 000000, and the instance ID (new purchase) or the instance info (query).`,
		"- **baseline**: n8n's own Webhook -> Respond to Webhook answering a static body, unsigned; correct = HTTP 200 and resultCode 000000.",
		'- **No answer**: nothing within 30 s, or the connection closed; **HTTP error**: n8n answered another status than 200 without running the workflow to its Respond node (no result code reached the caller). KooGallery retries both. **Wrong**: answered 200 but not correct (must be 0).',
		'',
		loadTable(result),
		'',
		stepsText(result),
		'',
		'| Target | Result |',
		'| --- | --- |',
		`| ${result.rate} req/s served | ${verdict(rateMet)}: ${formatNumber(pack.throughput)} correct answers a second (baseline ${formatNumber(baseline.throughput)}; pack / baseline ${formatRatio(pack.throughput / baseline.throughput)}) |`,
		`| no answer slower than 5 s | ${verdict(timeMet)}: ${pack.over5s} answers over 5 s, ${pack.unanswered} without an answer (HTTP errors, answered at once and retried by KooGallery: ${pack.refused}); p99 of the answers ${ms(pack.latencyMs.p99)} ms (baseline: ${baseline.over5s} over 5 s, p99 ${ms(baseline.latencyMs.p99)} ms) |`,
		`| memory steady (never over ${STEADY_RSS_FACTOR}x n8n's RSS at the run's start) | ${verdict(memoryMet)}: n8n's RSS during the pack's run: ${rss(pack)}; during the baseline: ${rss(baseline)} |`,
		'',
		`**Correctness** (must hold at any rate; the bench fails otherwise): ${problems.length ? `**failed**: ${problems.join('; ')}` : 'held: every answer right, the data consistent'}.`,
		'',
		`**Data afterwards**: ${c.answeredOrders} new purchases answered correctly; ${c.missingRows.length} of them without a row, ${c.duplicateRows.length} with more than one, ${c.wrongInstanceId.length} with another instance ID; ${c.stateMismatches.length} instances whose status, expiry or last order differ from the last accepted call (${c.uncertain} not compared: their last change got no result code); ${c.unexplainedRows} rows no call explains. ${c.unansweredOrders} new purchases got no result code (${c.unansweredWithRow} had already made their row); sent again as KooGallery retries them, ${c.retriedOk} of ${c.retried} were answered correctly and ${c.notOneRowAfterRetry.length} orders do not end with exactly one row.`,
		'',
		`**n8n itself**: executions of the example stored: ${executions}; ${c.stuckExecutions} left as new or running when n8n's database stopped changing. n8n logged ${logs.pack.sqliteLockTimeouts} SQLite write-lock timeouts, ${logs.pack.databaseErrors ?? 'uncounted'} PostgreSQL query or connection errors and ${logs.pack.webhookProblems} "There was a problem executing the workflow" during the pack's run (baseline: ${logs.baseline.sqliteLockTimeouts}, ${logs.baseline.databaseErrors ?? 'uncounted'} and ${logs.baseline.webhookProblems}).${variant.startsWith('postgres-lean') ? ' With EXECUTIONS_DATA_SAVE_ON_SUCCESS=none n8n still writes each execution when it starts and deletes it once it succeeds, so only failed executions remain listed.' : ''}`,
		'',
		wrongText(result),
		whyText(result, { rateMet, timeMet, memoryMet }),
		'',
	].join('\n');
}

/** The wrong answers of the pack's run by kind, with the first example of each (empty if none). */
function wrongText(result: LoadBenchResult): string {
	const { pack } = result;
	if (!pack.wrong) return '';
	const kinds = Object.entries(pack.errors).filter(
		([kind]) => kind !== 'unanswered' && !kind.startsWith('http '),
	);
	const examples = kinds.map(([kind, n]) => {
		const example = result.packFailures.find((f) => f.kind === kind);
		return `${n} × ${kind}${example ? ` (e.g. ${example.scenario}, HTTP ${example.status}: \`${example.text.slice(0, 160)}\`)` : ''}`;
	});
	return `**Wrong answers** (the bench fails on these): ${examples.join('; ')}.\n`;
}

function whyText(result: LoadBenchResult, met: ReturnType<typeof targets>): string {
	if (met.rateMet && met.timeMet && met.memoryMet) return 'All three targets were met on this run.';
	const { pack, baseline, n8nLog: logs } = result;
	const fallback = pack.byScenario.newInstance?.sent ?? 0;
	const held = (result.steps ?? []).filter(
		({ summary: st }) => st.ok === st.sent && st.over5s === 0,
	);
	const best = held.length ? held[held.length - 1] : undefined;
	const broke = (result.steps ?? []).find(({ summary: st }) => st.ok < st.sent || st.over5s > 0);
	const sustained = best
		? ` Offered alone at lower rates, the pack answered every call correctly within 5 s at ${best.rate} a second (p99 ${ms(best.summary.latencyMs.p99)} ms)${broke ? ` and fell behind at ${broke.rate} a second (${formatNumber(broke.summary.throughput)} served, ${broke.summary.over5s + broke.summary.unanswered} calls over 5 s or unanswered)` : ''}: ${result.rate} a second is ${formatRatio(result.rate / best.rate)} the highest rate it held on this machine.`
		: '';
	const sqlite =
		logs.pack.sqliteLockTimeouts > 0
			? ` n8n keeps every execution in its own database: with SQLite one write lock serialises those saves, and with thousands of executions queued the lock timed out ${logs.pack.sqliteLockTimeouts} times; ${logs.pack.webhookProblems} calls ended with n8n's "problem executing the workflow" (${pack.refused} of them while the caller still waited, the rest after it had given up), and executions were left marked running that never finish.`
			: '';
	const cost = cpuCost(result);
	const cpu = cost
		? ` Each call of the example costs n8n ${formatNumber(cost.pack)} ms of CPU at ${cost.rate} a second (the baseline's ${formatNumber(cost.baseline)} ms).`
		: '';
	if (turnsAway(result.variant)) {
		return `Why: n8n cannot serve ${result.rate} a second here (see the set-ups without a limit), so the KooGallery Trigger's Busy Limit turned ${pack.refused} calls away at once with HTTP 503, without starting an execution, and KooGallery would send them again later. The ${pack.ok} calls it took were answered correctly${met.timeMet ? ' and every call got its answer within 5 s' : `, but ${pack.over5s} answers took over 5 s and ${pack.unanswered} got none`} (p99 ${ms(pack.latencyMs.p99)} ms), and n8n's memory ${met.memoryMet ? 'stayed steady' : 'still grew'} (${pack.rssMb.firstMb.toFixed(0)} MB at the start, ${pack.rssMb.maxMb.toFixed(0)} MB at most): ${formatNumber(pack.throughput)} correct answers a second, what this n8n holds, instead of a collapse.${cpu}`;
	}
	const ending: Partial<Record<LoadVariant, string>> = {
		sqlite: ` Reaching ${result.rate} a second needs a database that takes concurrent writes for n8n's own data (PostgreSQL, see the other set-ups) and more CPU for n8n.`,
		queue: ` All five n8n processes share the machine's ${result.cpus} cores with PostgreSQL, Redis and the load generator: on the same cores more processes add hand-over, not capacity.`,
	};
	return `Why: the pack's workflow does a database lookup, an Order > Get, one insert statement and a signed answer per new purchase (seven nodes, whose data n8n saves with each execution); the baseline runs two nodes.${cpu} On this ${result.cpus}-core machine shared with other tests, ${VARIANT_TEXT[result.variant ?? 'sqlite']} served ${formatNumber(baseline.throughput)} static answers a second but ${formatNumber(pack.throughput)} correct answers of the example a second (${formatRatio(pack.throughput / baseline.throughput)}); offered more than it serves, calls queue inside n8n and wait longer than KooGallery's 5 s (Little's law); ${baseline.over5s > 0 ? `even the baseline answered ${baseline.over5s} of its ${baseline.sent} calls after more than 5 s at this rate.` : `the baseline answered all its calls within 5 s.`}${sustained}${sqlite} n8n's memory grows with the calls it holds: ${(result.steps?.[0]?.summary.rssMb.firstMb ?? pack.rssMb.firstMb).toFixed(0)} MB before the pack's first call, ${pack.rssMb.maxMb.toFixed(0)} MB at most, so it is steady only below capacity.${ending[result.variant ?? 'sqlite'] ?? ` One n8n process runs the steps of all its executions on one JavaScript thread, so more calls a second need more processes (queue mode) on more cores than this machine's ${result.cpus}.`} The mix leans to new purchases (${fallback} of ${pack.sent}) because a call on an earlier instance needs one that was answered and is not busy, and few were.`;
}

/** The older set-ups' section from their saved results, or undefined when there are none. */
export function savedVariantsSection(file = LOAD_VARIANTS_FILE): string | undefined {
	const results = readLoadResults(file);
	return results.length ? renderLoadSection(results) : undefined;
}
