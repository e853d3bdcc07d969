/**
 * Turns the results of one benchmark run into BENCHMARKS.md: machine and versions, the load on
 * the machine, every target of issue 7 with met / missed and why, then the tables of each part.
 */
import type { CorePairResult } from './core.cjs';
import type { TriggerDiagnosis } from './diagnose.cjs';
import type { ExamplesCostResult } from './examples-cost.cjs';
import { examplesSection, exampleTargets } from './examples-report.cjs';
import {
	WARM_UP_CALLS,
	type CellResult,
	type N8nCallsResult,
	type SettingResult,
	type Variant,
} from './n8n-calls.cjs';
import { formatNumber, formatRatio, markdownTable } from './stats.cjs';
import type { UsagePushResult, UsageRunResult } from './usage-push.cjs';
import type { UsageWorkflowResult, UsageWorkflowRun } from './usage-workflow.cjs';

/** A part that was not measured, and why. */
export interface Skipped {
	skipped: string;
}

export interface MachineInfo {
	cpus: number;
	cpuModel: string;
	memoryGb: number;
	kernel: string;
	benchNode: string;
	n8nVersion: string;
	n8nNode: string;
	commit: string;
}

export interface BenchReport {
	startedAt: Date;
	finishedAt: Date;
	command: string;
	machine: MachineInfo;
	/** Load average (1, 5, 15 min) at named moments of the run. */
	load: Array<{ when: string; average: number[] }>;
	core: { results: CorePairResult[]; runs: number; runMs: number } | Skipped;
	calls: N8nCallsResult | Skipped;
	/** The SaaS V2.0 examples against the bare pack (issue 21); absent in results saved before it. */
	examples?: ExamplesCostResult | Skipped;
	usage: UsagePushResult | Skipped;
	/** The usage-metering example workflow itself (issue 21); absent in results saved before it. */
	usageWorkflow?: UsageWorkflowResult | Skipped;
	trigger?: TriggerDiagnosis;
}

const CORE_TARGET = 1.5;
const P99_LIMIT_MS = 100;
const P99_RATIO_TARGET = 1.2;
const USAGE_CALL_LIMIT = 100;
/** Issue 21: the example's peak memory growth at the larger backlog at most this times the smaller's. */
const USAGE_WORKFLOW_GROWTH_TARGET = 2;

const isSkipped = (part: object): part is Skipped => 'skipped' in part;
const ms = (value: number) => formatNumber(value, 3);
const mb = (value: number) => `${Math.round(value)} MB`;
const µs = (opsPerSec: number) => `${formatNumber(1e6 / opsPerSec, 3)} µs`;

/** Long explanations shared by several targets, printed once under the targets table. */
class Notes {
	private readonly texts: string[] = [];

	/** Returns a reference such as "(note 2)" to `text`, adding it the first time. */
	ref(text: string): string {
		let index = this.texts.indexOf(text);
		if (index === -1) index = this.texts.push(text) - 1;
		return `(note ${index + 1})`;
	}

	render(): string {
		return this.texts.map((text, i) => `${i + 1}. ${text}`).join('\n');
	}
}

interface TargetRow {
	target: string;
	result: string;
	/** "info": a row shown for information, not judged; "undecided": measured, but not enough to judge. */
	met: boolean | undefined | 'info' | 'undecided';
	why: string;
}

function verdict(met: TargetRow['met']): string {
	if (met === undefined) return 'not measured';
	if (met === 'info') return 'for information';
	if (met === 'undecided') return 'not decided';
	return met ? 'met' : '**missed**';
}

function coreTargets(report: BenchReport): TargetRow[] {
	if (isSkipped(report.core)) {
		return [
			{
				target: `Core: each operation within ${CORE_TARGET}x of its raw crypto baseline`,
				result: '-',
				met: undefined,
				why: report.core.skipped,
			},
		];
	}
	return report.core.results
		.filter((result) => result.target)
		.map((result) => {
			const met = result.ratio <= CORE_TARGET;
			let why = '';
			if (!met) {
				const extra = 1e6 / result.opsPerSec - 1e6 / result.baselineOpsPerSec;
				why =
					`One call takes ${µs(result.opsPerSec)} against ${µs(result.baselineOpsPerSec)} for the baseline (${formatNumber(extra, 3)} µs more). ` +
					result.parts
						.map((part) => `${part.label}: ${formatNumber(part.microseconds, 3)} µs.`)
						.join(' ');
			}
			return {
				target: `Core: ${result.operation} within ${CORE_TARGET}x of ${result.baseline}`,
				result: formatRatio(result.ratio),
				met,
				why,
			};
		});
}

function cellOf(
	setting: SettingResult,
	variant: Variant,
	side: 'pack' | 'n8n',
	concurrency: number,
): CellResult | undefined {
	return setting.cells.find(
		(cell) => cell.variant === variant && cell.side === side && cell.concurrency === concurrency,
	);
}

function triggerCause(trigger: TriggerDiagnosis | undefined): string | undefined {
	if (!trigger || trigger.notNative === 0) return undefined;
	return (
		`The KooGallery Trigger declares ${trigger.webhooks} webhook descriptions, ${trigger.notNative} of them with fields that are ` +
		`expressions (${trigger.expressionFields} in all, such as \`path: '={{$parameter["path"]}}'\`) without a native resolver. To find ` +
		'the webhook that was called, n8n 2.41.1 resolves those fields through its expression engine (a V8 isolate) on every ' +
		"call, before the workflow starts; n8n's own Webhook node declares its fields with native resolvers, so n8n skips " +
		'that work for it (`webhookPhaseNeedsIsolate` in dist/webhooks/live-webhooks.js, `webhookDescriptionIsNativelyResolvable` ' +
		'in n8n-workflow)' +
		(trigger.outputsIsExpression
			? ". The trigger's `outputs` is an expression too, evaluated on every run"
			: '') +
		". Declaring the trigger's webhook fields with n8n-workflow's `webhookDescriptionFields` / `fromParameter` / " +
		'`fromFunction` would let n8n resolve them without the engine. This is read from the built node by bench/diagnose.cts ' +
		'on each run.'
	);
}

function variantLabel(variant: Variant): string {
	return variant === 'plain' ? 'Trigger -> Respond' : 'Trigger -> PostgreSQL upsert -> Respond';
}

function callTargets(report: BenchReport, notes: Notes): TargetRow[] {
	const calls = report.calls;
	if (isSkipped(calls)) {
		return [
			{
				target: `Through n8n: p99 at concurrency 10 below ${P99_LIMIT_MS} ms`,
				result: '-',
				met: undefined,
				why: calls.skipped,
			},
			{
				target: `Through n8n: p99 at concurrency 10 within ${P99_RATIO_TARGET}x of the unsigned baseline`,
				result: '-',
				met: undefined,
				why: calls.skipped,
			},
			{
				target: 'Through n8n: zero errors at concurrency 50',
				result: '-',
				met: undefined,
				why: calls.skipped,
			},
		];
	}
	const rows: TargetRow[] = [];
	const variants: Variant[] = ['plain', 'postgres'];
	for (const setting of calls.settings) {
		for (const variant of variants) {
			const pack10 = cellOf(setting, variant, 'pack', 10);
			const n8n10 = cellOf(setting, variant, 'n8n', 10);
			const pack50 = cellOf(setting, variant, 'pack', 50);
			const where = `${variantLabel(variant)}, ${setting.id === 'tuned' ? 'tuned n8n settings' : "n8n's default settings"}`;
			if (!pack10 || !n8n10) continue;
			const load = `load average ${setting.loadBefore[0]} -> ${setting.loadAfter[0]} on ${report.machine.cpus} cores`;
			const cause = triggerCause(report.trigger);
			const packSlower = pack10.p99 > n8n10.p99 * P99_RATIO_TARGET;
			const causeRef = packSlower && cause ? ` ${notes.ref(cause)}` : '';
			const p99Met = pack10.p99 < P99_LIMIT_MS;
			const little = notes.ref(
				"With 10 calls always in flight, the typical latency is 10 divided by the throughput (Little's law): " +
					`a p99 under ${P99_LIMIT_MS} ms at concurrency 10 needs well over ${Math.round((10 * 1000) / P99_LIMIT_MS)} calls a second. ` +
					'On this machine n8n itself (a database write per execution, SQLite by default) gives far less than that while ' +
					'other tests share its two cores, so the limit cannot be met by any workflow here; it can only be compared.',
			);
			rows.push({
				target: `Through n8n (${where}): p99 at concurrency 10 below ${P99_LIMIT_MS} ms`,
				result: `${ms(pack10.p99)} ms`,
				met: p99Met,
				why: p99Met
					? ''
					: n8n10.p99 >= P99_LIMIT_MS
						? `n8n's own unsigned Webhook -> Respond to Webhook needs ${ms(n8n10.p99)} ms at p99 too, at ${formatNumber(n8n10.reqPerSec, 3)} req/s (${load}) ${little}.` +
							(packSlower ? ` The pack adds more on top${causeRef}.` : '')
						: `n8n's own unsigned baseline needs ${ms(n8n10.p99)} ms at p99 (${load}).${causeRef}`,
			});
			const ratio = pack10.p99 / n8n10.p99;
			const ratioMet = ratio <= P99_RATIO_TARGET;
			rows.push({
				target: `Through n8n (${where}): p99 at concurrency 10 within ${P99_RATIO_TARGET}x of the unsigned baseline`,
				result: `${formatRatio(ratio)} (${ms(pack10.p99)} / ${ms(n8n10.p99)} ms)`,
				met: ratioMet,
				why: ratioMet
					? ''
					: `The pack serves ${formatNumber(pack10.reqPerSec, 3)} req/s against ${formatNumber(n8n10.reqPerSec, 3)}.${causeRef}`,
			});
			if (pack50) {
				const n8n50 = cellOf(setting, variant, 'n8n', 50);
				// KooGallery gives up after 5 s: for it, a later answer is a failed call too.
				const errorsMet = pack50.errors === 0 && pack50.overKooGalleryLimit === 0;
				const reasons: string[] = [];
				if (pack50.errors > 0) reasons.push(`Errors seen: ${pack50.errorSamples.join('; ')}.`);
				if (pack50.overKooGalleryLimit > 0) {
					reasons.push(
						`Every answer was correct, but ${pack50.overKooGalleryLimit} came after KooGallery's 5-second limit, which KooGallery counts as failed calls ` +
							`(n8n's own baseline: ${n8n50 ? `${n8n50.overKooGalleryLimit} of ${n8n50.requests}` : 'not measured'}). ` +
							`50 calls sent together are served at ${formatNumber(pack50.reqPerSec, 3)} req/s, so the last of them waits about ${formatNumber(50 / pack50.reqPerSec, 2)} s.` +
							causeRef,
					);
				}
				rows.push({
					target: `Through n8n (${where}): zero errors at concurrency 50`,
					result: `${pack50.errors} errors, ${pack50.overKooGalleryLimit} answers after 5 s, of ${pack50.requests}`,
					met: errorsMet,
					why: reasons.join(' '),
				});
			}
		}
	}
	if (typeof calls.postgres === 'object' && 'skipped' in calls.postgres) {
		rows.push({
			target: 'Through n8n: the same with a PostgreSQL upsert in the middle',
			result: '-',
			met: undefined,
			why: `Not measured: ${calls.postgres.skipped}`,
		});
	}
	return rows;
}

function usageRun(
	usage: UsagePushResult,
	side: 'pack' | 'noop',
	records: number,
): UsageRunResult | undefined {
	return usage.runs.find((run) => run.side === side && run.records === records);
}

/** Peak memory growth of the pack's run minus the baseline's, in MB: what the node itself adds. */
function ownGrowth(usage: UsagePushResult, records: number): number | undefined {
	const pack = usageRun(usage, 'pack', records);
	const noop = usageRun(usage, 'noop', records);
	if (!pack || !noop) return undefined;
	return pack.rssPeakMb - pack.rssBeforeMb - (noop.rssPeakMb - noop.rssBeforeMb);
}

function usageTargets(report: BenchReport): TargetRow[] {
	const usage = report.usage;
	if (isSkipped(usage)) {
		return [
			{
				target: `Usage push: 100,000 records in at most ${USAGE_CALL_LIMIT} calls`,
				result: '-',
				met: undefined,
				why: usage.skipped,
			},
			{
				target: 'Usage push: memory that does not grow with the input',
				result: '-',
				met: undefined,
				why: usage.skipped,
			},
		];
	}
	const largest = Math.max(...usage.sizes);
	const smallest = Math.min(...usage.sizes);
	const big = usageRun(usage, 'pack', largest);
	const rows: TargetRow[] = [];
	if (big) {
		const met =
			!big.error &&
			big.stored === big.records &&
			big.calls <= USAGE_CALL_LIMIT * (largest / 100_000);
		rows.push({
			target: `Usage push: ${largest.toLocaleString('en-US')} records in at most ${Math.ceil((USAGE_CALL_LIMIT * largest) / 100_000)} calls`,
			result: `${big.calls} calls, ${big.stored.toLocaleString('en-US')} records stored by the mock`,
			met,
			why: met ? '' : (big.error ?? `${big.calls} calls were made`),
		});
	}
	const small = ownGrowth(usage, smallest);
	const large = ownGrowth(usage, largest);
	if (small !== undefined && large !== undefined) {
		// "Does not grow": at the larger input, what the node adds over n8n's own baseline stays
		// below twice what it adds at the smaller one (at least 5 MB, the sampling noise).
		const met = large <= 2 * Math.max(small, 5);
		const noopLarge = usageRun(usage, 'noop', largest);
		rows.push({
			target: 'Usage push: memory that does not grow with the input',
			result: `the node adds ${mb(small)} at ${smallest.toLocaleString('en-US')} records, ${mb(large)} at ${largest.toLocaleString('en-US')} (peak RSS growth over the No Operation baseline's; "does not grow" taken as less than 2x for ${formatNumber(largest / smallest, 3)}x the input)`,
			met,
			why: met
				? ''
				: `Only the request bodies are bounded by the batch (at most ${usage.maxRecordsPerCall} records per call). The node returns one output item per record (its outcome and the record with its metering_sn), which n8n keeps in the run data and saves with the execution, and in the node's code (actions/usage/pushUsage.ts) it checks every input record before sending any, keeping the checked records, an outcome per record and a map of record keys for the duplicate check: about ${formatNumber(((large - small) * 1024) / (largest - smallest), 2)} KB per record in all. ` +
					(noopLarge
						? `n8n itself, with no KooGallery node, already grows by ${mb(noopLarge.rssPeakMb - noopLarge.rssBeforeMb)} for ${largest.toLocaleString('en-US')} records, because it hands a node all its input items at once and keeps every node's output items for the execution. `
						: '') +
					'Memory bounded by the batch would need the records to reach n8n in batches (several runs of the workflow, each with a few thousand records).',
		});
	}
	return rows;
}

const workflowGrowth = (run: UsageWorkflowRun) => run.rssPeakMb - run.rssBeforeMb;
const heapName = (limit: number | undefined) => (limit ? `${limit} MB heap limit` : 'default heap');

/** The smallest and largest run of the example workflow with one heap setting, if both are there. */
function workflowEnds(
	result: UsageWorkflowResult,
	heapLimitMb: number | undefined,
): [UsageWorkflowRun, UsageWorkflowRun] | undefined {
	const runs = result.runs.filter((run) => run.heapLimitMb === heapLimitMb);
	const small = runs.find((run) => run.rows === Math.min(...result.sizes));
	const large = runs.find((run) => run.rows === Math.max(...result.sizes));
	return small && large && small !== large ? [small, large] : undefined;
}

/** Growth at the larger size over growth at the smaller (at least 5 MB, the sampling noise). */
const workflowRatio = ([small, large]: [UsageWorkflowRun, UsageWorkflowRun]) =>
	workflowGrowth(large) / Math.max(workflowGrowth(small), 5);

function usageWorkflowTargets(report: BenchReport): TargetRow[] {
	const result = report.usageWorkflow;
	const target = `Usage metering example: peak n8n memory growth at 100,000 unreported rows at most ${USAGE_WORKFLOW_GROWTH_TARGET}x that at 10,000 (n8n as installed, Node's default heap settings), every row pushed exactly once, at most 1000 a call`;
	if (!result) return [];
	if (isSkipped(result)) return [{ target, result: '-', met: undefined, why: result.skipped }];
	const limit = Math.max(0, ...result.runs.map((run) => run.heapLimitMb ?? 0)) || undefined;
	const limited = limit ? workflowEnds(result, limit) : undefined;
	// The target is measured with n8n's default settings; the heap limit is extra information.
	const unlimited = workflowEnds(result, undefined);
	const describe = (pair: [UsageWorkflowRun, UsageWorkflowRun]) =>
		`${formatNumber(workflowRatio(pair), 3)}x with ${heapName(pair[0].heapLimitMb)} (${mb(workflowGrowth(pair[0]))} at ${pair[0].rows.toLocaleString('en-US')} rows, ${mb(workflowGrowth(pair[1]))} at ${pair[1].rows.toLocaleString('en-US')}; ${pair[1].pageRuns} page runs, largest call ${pair[1].largestCall} records)`;
	if (!unlimited)
		return [
			{
				target,
				result: limited ? `only measured with a heap limit: ${describe(limited)}` : '-',
				met: undefined,
				why: "two sizes were not measured with Node's default heap settings",
			},
		];
	const errors = result.runs.filter((run) => run.error).map((run) => run.error);
	const met = errors.length === 0 && workflowRatio(unlimited) <= USAGE_WORKFLOW_GROWTH_TARGET;
	const limitedText = limited
		? `For information, ${describe(limited)}${workflowRatio(limited) <= USAGE_WORKFLOW_GROWTH_TARGET ? ': within the target with that setting' : ''}.`
		: '';
	return [
		{
			target,
			result: `${describe(unlimited)}${limitedText ? `. ${limitedText}` : ''}`,
			met,
			why: met
				? ''
				: (errors[0] ??
					"What grows is garbage, not data n8n keeps: each page runs in an execution of its own, and nothing of a page stays once its run ends (bench/usage-memory-probe.cts: V8's heap after a full collection is the same after the run as before it, at 10,000, 30,000, 100,000 and 200,000 rows, and no larger during the run). With Node's default heap settings on a machine with this much memory, V8 lets its heap grow to about four times what is live before its next full collection, and it ran none during most runs, so the peak follows how much garbage the run made, that is how many pages it sent, until V8 collects (in the probe the peak at 200,000 rows was no higher than at 100,000). The example cannot choose when n8n's JavaScript engine collects; the heap limit that deploy/n8n.env sets (`NODE_OPTIONS=--max-old-space-size=...`, README \"Running n8n for KooGallery in production\") makes V8 collect sooner."),
		},
	];
}

function usageWorkflowSection(result: UsageWorkflowResult | Skipped | undefined): string {
	if (!result) return '';
	const heading = '### The usage-metering example workflow';
	if (isSkipped(result)) return [heading, '', `Not measured: ${result.skipped}`].join('\n');
	const settings = [...new Set(result.runs.map((run) => run.heapLimitMb))];
	return [
		heading,
		'',
		'workflows/koogallery-usage-metering.json as shipped (its hourly Schedule Trigger replaced by a Webhook of the same',
		'name, to start one run), reporting the unreported rows of a private PostgreSQL (13 instances, one-second periods)',
		'to the Open API mock. The hourly run lists pages of at most 1000 rows and calls the workflow itself once per page;',
		`each size runs in its own fresh n8n, after a warm-up run of ${result.warmUpRows.toLocaleString('en-US')} rows, once with Node's default heap settings (the`,
		'measurement of the target) and once with the heap limit of deploy/n8n.env (`NODE_OPTIONS=--max-old-space-size=...`).',
		'RSS of the n8n process sampled every 50 ms, from right before the run until its last execution ended. Pushed: records',
		'in all the calls; sent again: records the mock had already received (each row must be pushed exactly once).',
		'',
		markdownTable(
			[
				'n8n heap',
				'Rows',
				'Page runs',
				'Calls',
				'Largest call',
				'Stored',
				'Pushed',
				'Sent again',
				'Reported',
				'Wall time',
				'RSS before',
				'RSS peak',
				'Growth',
				'Error',
			],
			result.runs.map((run) => [
				heapName(run.heapLimitMb),
				run.rows.toLocaleString('en-US'),
				String(run.pageRuns),
				String(run.calls),
				String(run.largestCall),
				run.stored.toLocaleString('en-US'),
				run.pushed?.toLocaleString('en-US') ?? '-',
				run.duplicates?.toLocaleString('en-US') ?? '-',
				run.reported.toLocaleString('en-US'),
				`${formatNumber(run.wallMs / 1000, 3)} s`,
				mb(run.rssBeforeMb),
				mb(run.rssPeakMb),
				mb(workflowGrowth(run)),
				run.error ?? '',
			]),
		),
		'',
		...settings.map((limit) => {
			const ends = workflowEnds(result, limit);
			return ends
				? `Memory growth from ${ends[0].rows.toLocaleString('en-US')} to ${ends[1].rows.toLocaleString('en-US')} rows, ${heapName(limit)}: ${formatNumber(workflowRatio(ends), 3)}x for ${formatNumber(ends[1].rows / ends[0].rows, 3)}x the rows.`
				: '';
		}),
	].join('\n');
}

function machineSection(report: BenchReport): string {
	const m = report.machine;
	const postgres =
		!isSkipped(report.calls) && 'version' in report.calls.postgres
			? report.calls.postgres.version
			: 'not used';
	const minutes = (report.finishedAt.getTime() - report.startedAt.getTime()) / 60_000;
	return markdownTable(
		['What', 'Value'],
		[
			[
				'Date',
				`${report.startedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC (run took ${minutes.toFixed(1)} min)`,
			],
			['Command', `\`${report.command}\``],
			['Commit', m.commit],
			['CPU', `${m.cpus} × ${m.cpuModel} (nproc ${m.cpus})`],
			['Memory', `${m.memoryGb.toFixed(1)} GB`],
			['Kernel', m.kernel],
			['n8n', `${m.n8nVersion} on Node ${m.n8nNode} (SQLite database)`],
			['Benchmark client and part 1', `Node ${m.benchNode}`],
			['PostgreSQL', postgres],
		],
	);
}

function loadSection(report: BenchReport): string {
	return [
		'Other engineers run tests (each starting its own n8n) on this machine while the benchmarks run, so the',
		'numbers include their load. The load average (1 / 5 / 15 minutes) at each step of this run:',
		'',
		markdownTable(
			['When', 'Load average'],
			report.load.map((entry) => [
				entry.when,
				entry.average.map((value) => value.toFixed(2)).join(' / '),
			]),
		),
		'',
		'Every ratio compares two things measured in the same run, alternating, so shared load affects both',
		'sides; absolute latencies and throughputs are only comparable between runs at similar load.',
	].join('\n');
}

function coreSection(report: BenchReport): string {
	if (isSkipped(report.core)) return `Not measured: ${report.core.skipped}`;
	const { results, runs, runMs } = report.core;
	return [
		`Operations per CPU-second of this process (process.cpuUsage, so other processes' load does not count), median of`,
		`${runs} rounds after a warm-up; in each round the core operation, its baseline and the parts named under Targets get`,
		`one run of ${runMs} ms CPU time each, in rotating order. Each pair is first checked to produce the same bytes (same`,
		'signature, same ciphertext). Ratio = how many times longer one core operation takes than its baseline, the median',
		"of the rounds' ratios.",
		'',
		markdownTable(
			[
				'Core operation',
				'ops per CPU-s',
				'Baseline (node:crypto)',
				'ops per CPU-s',
				'Ratio',
				`Target ${CORE_TARGET}x`,
			],
			results.map((result) => [
				result.operation,
				formatNumber(result.opsPerSec, 3),
				result.baseline,
				formatNumber(result.baselineOpsPerSec, 3),
				formatRatio(result.ratio),
				result.target
					? verdict(result.ratio <= CORE_TARGET)
					: `for information${result.note ? `: ${result.note}` : ''}`,
			]),
		),
	].join('\n');
}

function callTable(setting: SettingResult, variant: Variant): string {
	const rows: string[][] = [];
	const concurrencies = [...new Set(setting.cells.map((cell) => cell.concurrency))];
	for (const concurrency of concurrencies) {
		const pack = cellOf(setting, variant, 'pack', concurrency);
		const n8n = cellOf(setting, variant, 'n8n', concurrency);
		for (const cell of [pack, n8n]) {
			if (!cell) continue;
			const isPack = cell.side === 'pack';
			rows.push([
				String(concurrency),
				isPack ? 'pack (signed)' : 'n8n (unsigned)',
				ms(cell.p50),
				ms(cell.p95),
				ms(cell.p99),
				ms(cell.max),
				formatNumber(cell.reqPerSec, 3),
				`${cell.errors}`,
				`${cell.overKooGalleryLimit}`,
				isPack && n8n ? formatRatio(cell.p50 / n8n.p50) : '',
				isPack && n8n ? formatRatio(cell.p99 / n8n.p99) : '',
				isPack && n8n ? formatRatio(cell.reqPerSec / n8n.reqPerSec) : '',
			]);
		}
	}
	return markdownTable(
		[
			'Conc.',
			'Workflow',
			'p50 ms',
			'p95 ms',
			'p99 ms',
			'max ms',
			'req/s',
			'Errors',
			'> 5 s',
			'p50 pack/n8n',
			'p99 pack/n8n',
			'req/s pack/n8n',
		],
		rows,
	);
}

function callsSection(report: BenchReport): string {
	const calls = report.calls;
	if (isSkipped(calls)) return `Not measured: ${calls.skipped}`;
	const lines = [
		`Each cell: ${calls.requestsPerCell} requests per workflow, sent in ${calls.rounds} rounds that alternate between the`,
		`pack and its baseline (pack first in odd rounds, baseline first in even ones), after ${WARM_UP_CALLS} warm-up calls to each`,
		'workflow; one fresh n8n per setting, all four workflows imported and published in it. Latency runs from',
		'sending the request to the last byte of the answer (keep-alive connections, one per request in flight).',
		'An error is anything but HTTP 200 with resultCode 000000 and the expected instance ID (and, for the pack,',
		'a Body-Sign valid over the exact bytes). "> 5 s" counts answers slower than KooGallery waits.',
		'',
		'- **pack**: KooGallery Trigger (V2.0 signature check, field check) -> KooGallery Respond (newInstance, the',
		"  default instance ID: the order line's ID; Body-Sign), with every call signed exactly as KooGallery signs it.",
		"- **n8n**: n8n's Webhook (POST, respond with a Respond to Webhook node) -> Respond to Webhook answering the",
		"  same JSON (`{resultCode, resultMsg, instanceId}` from the request's orderLineId, by expression), unsigned;",
		'  same request bytes.',
		'- **PostgreSQL variant**: a Postgres node (Execute Query, query parameters by expression) between the two,',
		'  running `INSERT ... ON CONFLICT (order_id, order_line_id) DO UPDATE ... RETURNING instance_id` on a private',
		'  local PostgreSQL; the answer takes its instance ID from the returned row.',
	];
	if ('skipped' in calls.postgres)
		lines.push('', `The PostgreSQL variant was not measured: ${calls.postgres.skipped}`);
	for (const setting of calls.settings) {
		lines.push(
			'',
			`### ${setting.id === 'tuned' ? 'Tuned settings' : 'Default settings'}: ${setting.label}`,
			'',
		);
		lines.push(
			`Load average ${setting.loadBefore.join(' / ')} before, ${setting.loadAfter.join(' / ')} after.`,
		);
		for (const variant of ['plain', 'postgres'] as const) {
			if (!setting.cells.some((cell) => cell.variant === variant)) continue;
			lines.push(
				'',
				`**${variantLabel(variant)}** (baseline: Webhook -> ${variant === 'postgres' ? 'Postgres -> ' : ''}Respond to Webhook)`,
				'',
			);
			lines.push(callTable(setting, variant));
			const errors = setting.cells.filter((cell) => cell.variant === variant && cell.errors > 0);
			for (const cell of errors)
				lines.push(
					'',
					`Errors, ${cell.side} at concurrency ${cell.concurrency}: ${cell.errorSamples.join('; ')}`,
				);
		}
	}
	return lines.join('\n');
}

function usageSection(report: BenchReport): string {
	const usage = report.usage;
	if (isSkipped(usage)) return `Not measured yet: ${usage.skipped}`;
	const rows = usage.runs.map((run) => [
		run.side === 'pack' ? 'KooGallery Usage > Push' : 'No Operation (baseline)',
		run.records.toLocaleString('en-US'),
		`${formatNumber(run.bodyMb, 3)} MB`,
		String(run.calls),
		String(run.largestCall),
		run.side === 'pack' ? run.stored.toLocaleString('en-US') : '-',
		`${formatNumber(run.wallMs / 1000, 3)} s`,
		formatNumber((run.records * 1000) / run.wallMs, 3),
		mb(run.rssBeforeMb),
		mb(run.rssPeakMb),
		mb(run.rssPeakMb - run.rssBeforeMb),
		run.error ?? '',
	]);
	const smallest = Math.min(...usage.sizes);
	const largest = Math.max(...usage.sizes);
	const growth: string[][] = [];
	for (const side of ['pack', 'noop'] as const) {
		const small = usageRun(usage, side, smallest);
		const large = usageRun(usage, side, largest);
		if (!small || !large) continue;
		growth.push([
			side === 'pack' ? 'KooGallery Usage > Push' : 'No Operation (baseline)',
			`${formatNumber(large.records / small.records, 3)}x`,
			side === 'pack' ? `${formatNumber(large.calls / small.calls, 3)}x` : '-',
			`${formatNumber(large.wallMs / small.wallMs, 3)}x`,
			`${formatNumber((large.rssPeakMb - large.rssBeforeMb) / (small.rssPeakMb - small.rssBeforeMb), 3)}x`,
		]);
	}
	const own = [smallest, largest].map((size) => ownGrowth(usage, size));
	return [
		'Workflow: n8n Webhook (answers when the last node is done) -> Split Out (one item per record) -> the node. The records',
		'(13 instances, one-second periods of the last hours, all distinct) are POSTed to the webhook; the KooGallery node',
		'pushes them with the new usage API to the Open API mock (simulator/openapi-mock.cts, which checks AK/SK and the',
		"usage signature and stores every record) on 127.0.0.1. The baseline puts n8n's No Operation node in its place.",
		'Each side runs in its own fresh n8n (tuned settings, `N8N_PAYLOAD_SIZE_MAX=64`), smaller input first; the resident',
		`memory (RSS) of the n8n process is sampled every 50 ms. Mock limit: ${usage.maxRecordsPerCall} records per call.`,
		'',
		markdownTable(
			[
				'Node',
				'Records',
				'Body',
				'Calls',
				'Largest call',
				'Stored',
				'Wall time',
				'Records/s',
				'RSS before',
				'RSS peak',
				'Growth',
				'Error',
			],
			rows,
		),
		'',
		`How each grows from ${smallest.toLocaleString('en-US')} to ${largest.toLocaleString('en-US')} records:`,
		'',
		markdownTable(['Node', 'Records', 'Calls', 'Wall time', 'Memory growth'], growth),
		'',
		own[0] !== undefined && own[1] !== undefined
			? `What the KooGallery node adds over the baseline (difference of the growths): ${mb(own[0])} at ${smallest.toLocaleString('en-US')} records, ${mb(own[1])} at ${largest.toLocaleString('en-US')}.`
			: '',
	].join('\n');
}

/** The whole BENCHMARKS.md text. */
export function renderReport(report: BenchReport): string {
	const notes = new Notes();
	const targets = [
		...coreTargets(report),
		...callTargets(report, notes),
		...exampleTargets(report.examples),
		...usageTargets(report),
		...usageWorkflowTargets(report),
	];
	return [
		'# Benchmarks',
		'',
		'Written by `npm run bench` (bench/run.cts); a new run replaces this file. These are benchmarks, not tests:',
		'nothing in CI fails on a number. What is measured and why: issue 7.',
		'',
		'## Machine and versions',
		'',
		machineSection(report),
		'',
		'## Load on the machine',
		'',
		loadSection(report),
		'',
		'## Targets',
		'',
		markdownTable(
			['Target', 'Result', 'Verdict', 'Why'],
			targets.map((row) => [row.target, row.result, verdict(row.met), row.why]),
		),
		'',
		notes.render(),
		'',
		'## 1. Protocol core against raw node:crypto',
		'',
		coreSection(report),
		'',
		'## 2. A whole call through a real n8n',
		'',
		callsSection(report),
		'',
		...(report.examples ? [examplesSection(report.examples), ''] : []),
		'## 3. Usage push',
		'',
		usageSection(report),
		'',
		...(report.usageWorkflow ? [usageWorkflowSection(report.usageWorkflow), ''] : []),
	].join('\n');
}
