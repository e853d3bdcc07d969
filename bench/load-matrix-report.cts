/**
 * The "Load" section of BENCHMARKS.md from one run of the issue-21 matrix (bench/load-matrix.cts),
 * and its saved results (bench/results/load.json). The section shows only the run that wrote it.
 * Nothing here changes the exit code: targets are reported, and the correctness verdict is
 * `matrixCorrectness`'s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { STEADY_RSS_FACTOR } from './load-check.cjs';
import {
	ENGINE_TEXT,
	HAND_SET_FACTOR,
	KEEP_UP_SHARE,
	matrixCorrectness,
	type EngineRun,
	type EngineSetting,
	type MatrixCell,
	type MatrixResult,
	type SettingRun,
} from './load-matrix.cjs';
import { formatNumber, markdownTable } from './stats.cjs';
import { HEAP_LIMIT_MB } from './load-setup.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');

/** Where the bench leaves the numbers of the last full run. */
export const LOAD_RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'load.json');
/** Every title of the Load section starts so (older ones too), so a run replaces the one before. */
const LOAD_TITLE_PREFIX = '## Load:';
export const LOAD_SECTION_TITLE = `${LOAD_TITLE_PREFIX} Busy Limit Auto against no limit and a hand-set limit (issue 21)`;
/** Auto must keep the correct answers at 2x and 4x at this share of the sustainable rate at least. */
export const AUTO_THROUGHPUT_SHARE = 0.8;

/**
 * n8n's CPU per call of the PostgreSQL example, measured by part `examples` of the same bench run
 * (bench/examples-cost.cts), per expression-engine setting: per call its Busy Limit turns away and
 * per accepted call of the mix, ms. The "why" of a missed throughput target does the arithmetic.
 */
export interface LoadCpuCosts {
	refusalMs: Partial<Record<EngineSetting, number>>;
	acceptedMs: Partial<Record<EngineSetting, number>>;
	/** Per call n8n's own Webhook node turns away (IP not allowed): any webhook call's floor. */
	floorMs: Partial<Record<EngineSetting, number>>;
	/** Calls a second of the refusal runs. */
	refusalRate: Partial<Record<EngineSetting, number>>;
}

/** The saved matrix, or undefined when the file is missing or holds the older variants' results. */
export function readMatrixResult(file = LOAD_RESULTS_FILE): MatrixResult | undefined {
	if (!fs.existsSync(file)) return undefined;
	const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
	return saved && typeof saved === 'object' && 'runs' in saved
		? (saved as MatrixResult)
		: undefined;
}

export function saveMatrixResult(result: MatrixResult, file = LOAD_RESULTS_FILE): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(result, null, '\t')}\n`);
}

const num = (value: number) => formatNumber(value);
const mb = (value: number) => value.toFixed(0);
const settingName = (s: SettingRun) =>
	s.setting === 'auto'
		? 'Auto'
		: s.setting === 'off'
			? 'no limit (Off)'
			: `hand-set limit ${String(s.busyLimit)}`;

/** Auto's targets in one cell. */
function autoVerdicts(run: EngineRun, cell: MatrixCell, setting: SettingRun) {
	const high = cell.multiple >= 2;
	return {
		inTime: cell.over5s === 0,
		answered: cell.noAnswer === 0,
		throughput: high ? cell.correctPerSecond >= AUTO_THROUGHPUT_SHARE * run.baseRate : undefined,
		memory: setting.rssPeakMb <= STEADY_RSS_FACTOR * setting.rssStartMb,
	};
}

const verdict = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : '**missed**');

function rampTable(run: EngineRun): string {
	return markdownTable(
		[
			'Offered /s',
			'Calls',
			'Correct',
			'Answered /s',
			'503',
			'Other errors',
			'No answer',
			'> 5 s',
			'p50 ms',
			'p99 ms',
			'Held',
		],
		run.ramp.map((s) => [
			num(s.rate),
			String(s.offered),
			String(s.correct),
			num(s.answerRate),
			String(s.turnedAway),
			String(s.otherErrors),
			String(s.noAnswer),
			String(s.over5s),
			num(s.correctP50Ms),
			num(s.correctP99Ms),
			s.held ? 'yes' : 'no',
		]),
	);
}

function matrixTable(run: EngineRun): string {
	const rows: string[][] = [];
	const multiples = [...new Set(run.settings.flatMap((s) => s.cells.map((c) => c.multiple)))];
	for (const multiple of multiples) {
		for (const setting of run.settings) {
			const c = setting.cells.find((cell) => cell.multiple === multiple);
			if (!c) continue;
			rows.push([
				`${multiple}x (${num(c.rate)}/s)`,
				settingName(setting),
				String(c.offered),
				String(c.correct),
				c.turnedAway
					? `${c.turnedAway} (p99 ${num(c.turnedAwayP99Ms)} ms${c.turnedAwayOver5s ? `, ${c.turnedAwayOver5s} after 5 s` : ''})`
					: '0',
				String(c.otherErrors),
				String(c.noAnswer),
				setting.setting === 'auto' && c.over5s > 0 ? `**${c.over5s}**` : String(c.over5s),
				num(c.correctP50Ms),
				num(c.correctP99Ms),
				num(c.correctPerSecond),
				`${mb(c.rssStartMb)} / ${mb(c.rssPeakMb)}`,
				c.n8nCores === undefined ? '-' : c.n8nCores.toFixed(2),
				`${(c.drainMs / 1000).toFixed(0)} s${c.drained ? '' : ', still busy'}`,
			]);
		}
	}
	return markdownTable(
		[
			'Rate',
			'Busy Limit',
			'Calls',
			'Correct',
			'503 turned away',
			'Other errors',
			'No answer',
			'Answers > 5 s',
			'Correct p50 ms',
			'Correct p99 ms',
			'Correct in time /s',
			'n8n RSS MB start / peak',
			'n8n CPU, cores',
			'Drain',
		],
		rows,
	);
}

/** The other errors of every cell (kind, count and an example), or nothing when there were none. */
function otherErrorsText(run: EngineRun): string {
	const lines = run.settings.flatMap((setting) =>
		setting.cells
			.filter((c) => c.otherErrors > 0)
			.map((c) => {
				const kinds = Object.entries(c.errors)
					.filter(([kind]) => kind !== 'http 503' && kind !== 'unanswered')
					.map(([kind, n]) => `${n} × ${kind}`)
					.join(', ');
				const example = c.otherErrorExamples[0];
				return `- ${settingName(setting)} at ${c.multiple}x: ${kinds}${example ? ` (e.g. ${example.scenario}, HTTP ${example.status}: \`${example.text.slice(0, 160).replace(/`/g, "'")}\`)` : ''}`;
			}),
	);
	return lines.length ? ['Other errors:', '', ...lines, ''].join('\n') : '';
}

function memoryTable(run: EngineRun): string {
	return markdownTable(
		[
			'Busy Limit',
			'n8n reset (re-publish, executions cleared, restart)',
			'RSS MB at start',
			'Peak',
			'Peak / start',
		],
		run.settings.map((s) => [
			settingName(s),
			`${(s.resetMs / 1000).toFixed(0)} s`,
			mb(s.rssStartMb),
			mb(s.rssPeakMb),
			`${(s.rssPeakMb / s.rssStartMb).toFixed(2)}x`,
		]),
	);
}

/**
 * Why Auto's correct answers fell short at a rate: what the calls it turned away cost n8n's CPU
 * (calls turned away a second × CPU per refusal, in cores) against the machine's cores, and what
 * the correct answers cost beside them, from part `examples`' measurements of the same bench run;
 * with what n8n's main process really used over the cell, when measured.
 */
export function throughputWhy(
	run: EngineRun,
	cell: MatrixCell,
	cpus: number,
	costs: LoadCpuCosts | undefined,
): string {
	const seconds = cell.durationMs / 1000;
	const refused = cell.turnedAway / seconds;
	const used =
		cell.n8nCores === undefined
			? ''
			: `Over the cell n8n's main process, which runs the JavaScript of every webhook call on one thread, used ${num(cell.n8nCores)} cores.`;
	const turnedAway = `Auto turned away ${cell.turnedAway} of ${cell.offered} calls in ${num(seconds)} s, ${num(refused)} a second.`;
	const refusalMs = costs?.refusalMs[run.engine];
	if (refusalMs === undefined || !costs)
		return [
			turnedAway,
			used,
			"n8n's CPU per call turned away was not measured in this run (part examples).",
		]
			.filter(Boolean)
			.join(' ');
	const refusalCores = (refused * refusalMs) / 1000;
	const floorMs = costs.floorMs[run.engine];
	const acceptedMs = costs.acceptedMs[run.engine];
	const correct = cell.correct / seconds;
	const acceptedCores = acceptedMs === undefined ? NaN : (correct * acceptedMs) / 1000;
	// What n8n used over the cell, less the correct answers at their cost, per call turned away.
	const implied =
		cell.n8nCores !== undefined && Number.isFinite(acceptedCores) && cell.turnedAway > 0
			? ((cell.n8nCores - acceptedCores) * 1000) / refused
			: NaN;
	return [
		turnedAway,
		`A call the PostgreSQL example's Busy Limit turns away costs n8n ${num(refusalMs)} ms of CPU, n8n's own part of every webhook call before the trigger's code runs (section "The SaaS V2.0 examples against the bare pack"${floorMs === undefined ? '' : `; n8n's own Webhook node turning a call away: ${num(floorMs)} ms`}), measured in part examples of this run: same expression-engine setting, ${costs.refusalRate[run.engine] ?? '?'} calls a second turned away with nothing else to do, n8n's own data in SQLite there and in PostgreSQL here, at the machine load of that moment.`,
		`At that cost the refusals take ${num(refused)}/s × ${num(refusalMs)} ms = ${num(refusalCores)} cores of the machine's ${cpus}, for calls KooGallery must send again` +
			(Number.isFinite(acceptedCores)
				? `, and the ${cell.correct} correct answers (${num(correct)} a second) at ${num(acceptedMs ?? NaN)} ms each (an accepted call of the mix, part examples) ${num(acceptedCores)} cores: ${num((refusalCores / (refusalCores + acceptedCores)) * 100)}% of n8n's CPU on calls turned away.`
				: '.'),
		used,
		implied > 0
			? `That use, less the correct answers at their cost, leaves ${num(implied)} ms per call turned away.`
			: '',
	]
		.filter(Boolean)
		.join(' ');
}

function verdictTable(run: EngineRun, cpus: number, costs: LoadCpuCosts | undefined): string {
	const auto = run.settings.find((s) => s.setting === 'auto');
	if (!auto) return 'Auto was not measured.';
	const rows = auto.cells.map((cell) => {
		const v = autoVerdicts(run, cell, auto);
		return [
			`${cell.multiple}x (${num(cell.rate)}/s)`,
			`${verdict(v.inTime)} (${cell.over5s})`,
			`${verdict(v.answered)} (${cell.noAnswer})`,
			v.throughput === undefined
				? 'not a target at this rate'
				: `${verdict(v.throughput)} (${num(cell.correctPerSecond)} /s against ${num(AUTO_THROUGHPUT_SHARE * run.baseRate)})`,
			v.throughput === false ? throughputWhy(run, cell, cpus, costs) : '',
		];
	});
	const memory = autoVerdicts(run, auto.cells[0], auto).memory;
	return [
		markdownTable(
			[
				'Auto at',
				'0 answers after 5 s',
				'0 calls without an answer',
				`Correct in time /s ≥ ${AUTO_THROUGHPUT_SHARE} × sustainable rate (2x and 4x)`,
				'Why the correct answers fell short',
			],
			rows,
		),
		'',
		`Memory under Auto, all rates (peak ≤ ${STEADY_RSS_FACTOR}x n8n's RSS after its start and warm-up): ${verdict(memory)} (${mb(auto.rssStartMb)} MB at the start, ${mb(auto.rssPeakMb)} MB at most, ${(auto.rssPeakMb / auto.rssStartMb).toFixed(2)}x).`,
	].join('\n');
}

function consistencyText(run: EngineRun): string {
	const c = run.consistency;
	const sample =
		c.notRetried !== undefined
			? ` A random sample of ${c.retried} of the ${c.unansweredOrders} new purchases without a result code was sent again as KooGallery retries them (2 at a time, up to 10 times each, a second apart, since Auto may turn a retry away too: ${c.retriedOk} answered correctly, ${c.notOneRowAfterRetry.length} orders without exactly one row afterwards); the other ${c.notRetried} were checked for at most one row (${(c.notRetriedDuplicates ?? []).length} had more).`
			: ` All ${c.unansweredOrders} new purchases without a result code were sent again as KooGallery retries them: ${c.retriedOk} of ${c.retried} answered correctly, ${c.notOneRowAfterRetry.length} orders without exactly one row afterwards.`;
	return `**Data afterwards** (all ${run.totalSent} calls of this engine setting, warm-ups and ramp included; ${run.totalWrong} wrong answers): ${c.answeredOrders} new purchases answered correctly; ${c.missingRows.length} of them without a row, ${c.duplicateRows.length} with more than one, ${c.wrongInstanceId.length} with another instance ID; ${c.stateMismatches.length} instances not in the state the last accepted call left (${c.uncertain} not compared: their last change got no result code); ${c.unexplainedRows} rows no call explains.${sample} n8n logged ${run.n8nLog.databaseErrors} PostgreSQL query or connection errors, ${run.n8nLog.webhookProblems} "There was a problem executing the workflow" and ${run.n8nLog.turnedAwayLines} Busy Limit warnings.`;
}

function engineSection(run: EngineRun, cpus: number, costs: LoadCpuCosts | undefined): string {
	const settings = Object.entries(run.n8nSettings)
		.map(([k, v]) => `${k}=${v}`)
		.join(', ');
	const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
	const capped = run.ramp.length > 0 && run.ramp.every((s) => s.held);
	const sustainable = Number.isFinite(run.sustainableRate)
		? `**${num(run.sustainableRate)} calls a second**${capped ? " (the ramp's highest rate: n8n may sustain more)" : ''}`
		: `**none of the ramp's rates held**, so the cells use its lowest rate (${num(Math.min(...run.ramp.map((s) => s.rate)))}/s) as the base`;
	return [
		`### ${ENGINE_TEXT[run.engine]}`,
		'',
		`n8n settings: ${settings}. Run ${run.startedAt.slice(0, 16).replace('T', ' ')} to ${run.finishedAt.slice(11, 16)} UTC; load average ${load(run.loadAverage.before)} before, ${load(run.loadAverage.after)} after.`,
		'',
		`Sustainable rate: ${sustainable}; the hand-set Busy Limit is therefore ${run.handSetLimit} (${HAND_SET_FACTOR} × that rate, the README's advice). The ramp (Busy Limit off):`,
		'',
		rampTable(run),
		'',
		matrixTable(run),
		'',
		otherErrorsText(run),
		memoryTable(run),
		'',
		verdictTable(run, cpus, costs),
		'',
		consistencyText(run),
		'',
	].join('\n');
}

/** The plain explanation at the top of the section. */
function introText(result: MatrixResult): string {
	const multiples = result.multiples.map((m) => `${m}x`).join(', ');
	return [
		"**What Auto is.** KooGallery waits 5 seconds for an answer. Offered more calls than it can finish, n8n starts them all at once, so every call slows down past the 5 seconds and n8n's memory grows with the calls it holds. The KooGallery Trigger's Busy Limit turns a call away at once with HTTP 503 (which KooGallery retries later) when too many are already waiting. Auto (nodes/shared/adaptiveLimit.ts) needs no number: every second it sets the limit to the answers n8n gave in the last second times a 3-second target (Little's law, calls waiting = answers a second × time to answer, the estimate behind Netflix concurrency-limits' Vegas limiter and TCP BBR); it grows only while the limit is really used (Netflix's app-limited check), starts at 4 and at most doubles a second (TCP slow start; Envoy's adaptive concurrency filter also starts low), smooths growth (Netflix's Gradient2) and cuts at once when the slowest answer took longer than the target.",
		'',
		`**How it is measured.** The PostgreSQL example workflow as shipped (workflows/koogallery-saas-v2-postgres.json, read at run time, its Busy Limit set per row) in one fresh n8n 2.41.1 in regular mode, n8n's data in a private PostgreSQL as the README advises (pool 10, successful executions not saved, heap limit ${HEAP_LIMIT_MB} MB as deploy/n8n.env), the Open API mock answering Order > Get, on ${result.cpus} CPUs (${result.cpuModel}) shared with other work. Calls come open-loop from scripts/load-generator.cts (each sent on schedule whether or not earlier ones were answered, as KooGallery does; mixed new purchases, queries, renewals, freezes, upgrades and releases, signed as KooGallery signs), and each is read as KooGallery reads it, with a client timeout of ${result.clientTimeoutMs / 1000} s so that "no answer" really means none. Per engine setting:`,
		'',
		`1. **Sustainable rate**, with the Busy Limit off: steps of ${result.stepMs / 1000} s at rising rates. A step holds when every call got a correct signed answer within 5 s and n8n answered at ${KEEP_UP_SHARE * 100}% of the offered rate at least ("Answered /s": correct answers a second from the first to the last; below the offered rate when a backlog built up). The sustainable rate is the highest rate that held below the first that did not (when the first rate does not hold, it is halved until one does), refined by one step halfway between them.`,
		`2. **Cells**: ${multiples} of that rate, ${result.cellMs / 1000} s each, for each Busy Limit in turn: no limit (Off), the hand-set limit the README advises (about twice the calls a second n8n answers in time: ${HAND_SET_FACTOR} × the sustainable rate), and Auto. Before each Busy Limit the example is imported and published again with that setting and n8n's main process is stopped, its executions deleted from its database (with successful executions not saved, n8n 2.41.1 still leaves every answered webhook execution listed as running, and a main started on thousands of them took over a minute and a gigabyte to recover them) and started again, then warmed up for 10 s at up to 5 calls a second (a fresh n8n answers its first calls slowly): no backlog, memory or learnt limit of one setting reaches the next. After each cell the client waits for every answer (up to ${result.clientTimeoutMs / 1000} s) and n8n is given time to finish the executions left over, until it is idle (CPU below 10% of a core; at most 45 s, 20 s after a setting's last cell, whose remaining backlog the restart ends).`,
		'3. **Data**: the database compared with every answer of the run; a random sample of the new purchases that got no result code (up to 50) is sent again as KooGallery retries them, each until it is answered (up to 10 times, a second apart); the rest are checked for at most one row. The bench fails only on a wrong answer or inconsistent data, never on a missed target.',
		'',
		`**Columns.** Correct: HTTP 200, Body-Sign valid over the exact bytes, resultCode 000000 and the instance ID or info asked for. 503 turned away: the Busy Limit's answer (no result code; KooGallery retries), with the p99 of how long it took and how many came after 5 s (a 503 after 5 s means the call waited inside n8n before the trigger's code could run). Other errors: any other status, or a 200 that is not a correct signed answer (wrong: must be 0). No answer: nothing within the client timeout. Answers > 5 s: answers of any kind after KooGallery's 5 s (it has given up on them). Correct in time /s: correct answers within 5 s, per second from the cell's first call to its last answer (or give-up after the client timeout): what KooGallery got out of n8n over the cell. RSS: n8n's main process (the expression engine's isolates run in its threads), sampled every 500 ms; start is just before the cell, peak over the cell and its drain. n8n CPU: what n8n's main process used from the cell's first call to its last answer (user + system time), in cores of the machine's ${result.cpus}. Drain: how long n8n took afterwards to finish the executions of the calls given up on (until its CPU use fell below 10% of a core; still busy: the limit was reached).`,
	].join('\n');
}

/**
 * The "Load" section of BENCHMARKS.md from one matrix run; `costs` (from part `examples` of the
 * same bench run, when measured) explain a missed throughput target.
 */
export function renderMatrixSection(result: MatrixResult, costs?: LoadCpuCosts): string {
	const problems = matrixCorrectness(result);
	return [
		LOAD_SECTION_TITLE,
		'',
		result.quick
			? `**A \`--quick\` smoke test** (${result.startedAt.slice(0, 16).replace('T', ' ')} UTC): short cells, one engine setting; these numbers only show the part runs. The full run: \`npm run bench\` or \`node --require tsx/cjs bench/load.cts\`.`
			: `Measured by \`npm run bench\` (part load) or \`node --require tsx/cjs bench/load.cts\`, ${result.startedAt.slice(0, 16).replace('T', ' ')} to ${result.finishedAt.slice(11, 16)} UTC. Only this run's numbers are shown; the older set-ups (SQLite, queue mode, the legacy engine...) are still measured on request by \`node --require tsx/cjs bench/load.cts --variants=...\`.`,
		'',
		introText(result),
		'',
		`**Correctness** (the bench fails otherwise): ${problems.length ? `**failed**: ${problems.join('; ')}` : 'held: every answer right, the data consistent'}.`,
		'',
		...result.runs.map((run) => engineSection(run, result.cpus, costs)),
	].join('\n');
}

/** Replaces (or appends) the Load section of a Markdown file, whatever its earlier title. */
export function writeLoadSection(file: string, section: string): void {
	const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const found = text.startsWith(LOAD_TITLE_PREFIX) ? 0 : text.indexOf(`\n${LOAD_TITLE_PREFIX}`);
	if (found < 0) {
		fs.writeFileSync(file, `${text.replace(/\n*$/, '\n\n')}${section}`);
		return;
	}
	const start = found === 0 ? 0 : found + 1;
	const next = text.indexOf('\n## ', start + LOAD_TITLE_PREFIX.length);
	fs.writeFileSync(
		file,
		`${text.slice(0, start)}${section.replace(/\n*$/, '\n')}${next < 0 ? '' : text.slice(next)}`,
	);
}

/** The Load section from the last saved full run, or a note that there is none yet. */
export function savedMatrixSection(file = LOAD_RESULTS_FILE, costs?: LoadCpuCosts): string {
	const saved = readMatrixResult(file);
	return saved
		? renderMatrixSection(saved, costs)
		: `${LOAD_SECTION_TITLE}\n\nNot measured yet: run \`npm run bench\` (part load) or \`node --require tsx/cjs bench/load.cts\`.\n`;
}
