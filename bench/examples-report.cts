/**
 * The Targets rows and the section of BENCHMARKS.md for part `examples` (bench/examples-cost.cts,
 * issue 21): the shipped SaaS V2.0 examples' n8n CPU per call and highest rate answered in time
 * against the bare KooGallery Trigger -> Respond.
 */
import {
	EXAMPLE_TEXT,
	EXAMPLES,
	MIXES,
	REFUSAL_TEXT,
	REFUSAL_WARM_UP_MS,
	REFUSALS,
	type CostCell,
	type ExampleId,
	type ExamplesCostResult,
	type MixId,
	type RefusalId,
} from './examples-cost.cjs';
import type { LoadCpuCosts } from './load-matrix-report.cjs';
import type { SettingId } from './n8n-calls.cjs';
import { averagedMedian, formatNumber, formatRatio, markdownTable } from './stats.cjs';

/** Issue 21: the PostgreSQL example's n8n CPU per call at most this times the bare pack's. */
export const EXAMPLE_CPU_TARGET = 1.5;
/** Issue 21: its highest rate answered in time at least this times the bare pack's. */
export const EXAMPLE_RATE_TARGET = 0.7;

/** A row of the Targets table; `met` "info" for a row shown for information. */
export interface ExampleTargetRow {
	target: string;
	result: string;
	met: boolean | undefined | 'info' | 'undecided';
	why: string;
}

type Example = Exclude<ExampleId, 'bare'>;
const SHORT: Record<Example, string> = {
	postgres: 'PostgreSQL example',
	dataTable: 'Data table example',
};
const ms = (value: number) => `${formatNumber(value, 3)} ms`;
const perCall = (total: number, cell: CostCell) => total / cell.calls;

/**
 * The workflow's CPU per call over the bare trigger's, round by round: each round runs the two one
 * after the other, seconds apart, so load from other work falls on both sides of a round alike.
 */
export function roundRatios(cell: CostCell, bare: CostCell): number[] {
	const rounds = Math.min(cell.perRound.length, bare.perRound.length);
	return Array.from({ length: rounds }, (_, i) => cell.perRound[i] / bare.perRound[i]);
}

/**
 * The ratio the CPU target is judged on: the median of the rounds' ratios (a round that a burst of
 * other work hit on one side only moves it little), or the pooled ratio when no rounds are known.
 */
export function verdictRatio(cell: CostCell, bare: CostCell): number {
	const ratios = roundRatios(cell, bare);
	return ratios.length ? averagedMedian(ratios) : cell.cpuMsPerCall / bare.cpuMsPerCall;
}

function cellOf(
	result: ExamplesCostResult,
	setting: SettingId,
	example: ExampleId,
	mix: MixId,
): CostCell | undefined {
	return result.settings
		.find((s) => s.id === setting)
		?.cells.find((c) => c.example === example && c.mix === mix);
}

/** What n8n did per call beyond the bare pack: expression isolates, expressions, main process. */
function cpuWhy(result: ExamplesCostResult, cell: CostCell, bare: CostCell): string {
	const engine = Number.isFinite(cell.acquired)
		? `n8n took ${formatNumber(perCall(cell.acquired, cell), 2)} expression isolates from its pool and evaluated ` +
			`${formatNumber(perCall(cell.evaluated, cell), 3)} expressions per call (bare: ${formatNumber(perCall(bare.acquired, bare), 2)} and ` +
			`${formatNumber(perCall(bare.evaluated, bare), 3)}); the workflow has ${result.expressions[cell.example]} expression parameters (bare: ${result.expressions.bare}). `
		: `The workflow has ${result.expressions[cell.example]} expression parameters (bare: ${result.expressions.bare}). `;
	// What one isolate costs here: the bare workflow under n8n's default settings takes isolates
	// that it does not take under the tuned ones, and otherwise does the same work.
	const bareDefaults = cellOf(result, 'defaults', 'bare', cell.mix);
	const extraIsolates = bareDefaults
		? perCall(bareDefaults.acquired, bareDefaults) - perCall(bare.acquired, bare)
		: NaN;
	const extraMs = bareDefaults ? bareDefaults.cpuMsPerCall - bare.cpuMsPerCall : NaN;
	const isolateCost =
		extraIsolates >= 0.5 && Number.isFinite(extraMs)
			? ` One isolate costs n8n about ${ms(extraMs / extraIsolates)} of CPU here (the bare workflow under n8n's default settings takes ${formatNumber(extraIsolates, 2)} more per call and uses ${ms(extraMs)} more).`
			: '';
	return (
		`${ms(cell.cpuMsPerCall)} against ${ms(bare.cpuMsPerCall)} per call (${ms(cell.cpuMsPerCall - bare.cpuMsPerCall)} more), ` +
		`${formatNumber((cell.mainCpuMs / Math.max(cell.cpuMs, 1)) * 100, 2)}% of it in n8n's main process. ${engine}` +
		'Per call the example also runs its database nodes' +
		(cell.example === 'postgres'
			? ' and, for a new purchase, Order > Get against the Open API mock'
			: '') +
		', each a node execution n8n records in the run data it saves.' +
		isolateCost
	);
}

function cpuRows(result: ExamplesCostResult): ExampleTargetRow[] {
	const rows: ExampleTargetRow[] = [];
	for (const example of ['postgres', 'dataTable'] as const) {
		for (const mix of Object.keys(MIXES) as MixId[]) {
			const target = `${SHORT[example]}: n8n CPU per call at most ${EXAMPLE_CPU_TARGET}x the bare Trigger -> Respond's (tuned settings, ${MIXES[mix].label.replace(/ \(.*$/, '')})${example === 'dataTable' ? ', for information' : ''}`;
			const cell = cellOf(result, 'tuned', example, mix);
			const bare = cellOf(result, 'tuned', 'bare', mix);
			if (!cell || !bare) {
				const failed = result.failures?.find((f) => f.setting === 'tuned');
				rows.push({
					target,
					result: '-',
					met: undefined,
					why: failed ? `the run failed: ${failed.message}` : 'not measured in this run',
				});
				continue;
			}
			const ratios = roundRatios(cell, bare);
			const ratio = verdictRatio(cell, bare);
			const pooled = cell.cpuMsPerCall / bare.cpuMsPerCall;
			const wrong = [cell, bare].filter((c) => c.ok < c.calls);
			const met = ratio <= EXAMPLE_CPU_TARGET && wrong.length === 0;
			const above = ratios.filter((r) => r > EXAMPLE_CPU_TARGET).length;
			const split =
				above > 0 && above < ratios.length
					? `The rounds disagree: ${above} of ${ratios.length} above ${EXAMPLE_CPU_TARGET}x; the verdict follows their median. `
					: '';
			rows.push({
				target,
				result:
					ratios.length > 0
						? `${formatRatio(ratio)}, median of ${ratios.length} ${ratios.length === 1 ? 'round' : 'rounds'} (each round: ${ratios.map(formatRatio).join(', ')}); all rounds pooled ${formatRatio(pooled)} (${ms(cell.cpuMsPerCall)} / ${ms(bare.cpuMsPerCall)})`
						: `${formatRatio(pooled)} (${ms(cell.cpuMsPerCall)} / ${ms(bare.cpuMsPerCall)})`,
				met: example === 'dataTable' ? 'info' : met,
				why: (
					(wrong.length
						? `Not every call was answered correctly (${wrong.map((c) => `${c.example}: ${c.ok} of ${c.calls}; ${c.errors.join(', ')}`).join('; ')}). `
						: '') +
					split +
					(met ? '' : cpuWhy(result, cell, bare))
				).trim(),
			});
		}
	}
	return rows;
}

function rateText(highest: { rate: number; atLeast: boolean }): string {
	if (highest.rate === 0) return 'none of the steps';
	return `${highest.atLeast ? 'at least ' : ''}${highest.rate}/s`;
}

function rateRows(result: ExamplesCostResult): ExampleTargetRow[] {
	const { highest, steps } = result.ramp;
	return (['postgres', 'dataTable'] as const).map((example) => {
		const target = `${SHORT[example]}: highest rate answered in time at least ${EXAMPLE_RATE_TARGET}x the bare Trigger -> Respond's (tuned settings, the mix)${example === 'dataTable' ? ', for information' : ''}`;
		const own = highest[example];
		const bare = highest.bare;
		if (steps.length === 0 || bare.rate === 0)
			return { target, result: '-', met: undefined, why: 'not measured in this run' };
		const ratio = own.rate / bare.rate;
		// Where a workflow never failed a step, its highest rate is only a lower bound: judge on the
		// bounds then, and leave it undecided when they straddle the target.
		const lower = own.rate / (bare.failed ?? Infinity);
		const upper = own.failed === null ? Infinity : own.failed / bare.rate;
		const known = !own.atLeast && !bare.atLeast;
		const met = known
			? ratio >= EXAMPLE_RATE_TARGET
			: lower >= EXAMPLE_RATE_TARGET
				? true
				: upper < EXAMPLE_RATE_TARGET
					? false
					: 'undecided';
		const failed = steps.find((s) => s.example === example && !s.passed);
		const cpu = cellOf(result, 'tuned', example, 'mix');
		const bareCpu = cellOf(result, 'tuned', 'bare', 'mix');
		return {
			target,
			result: `${formatRatio(ratio)} (${rateText(own)} / ${rateText(bare)})`,
			met: example === 'dataTable' ? 'info' : met,
			why:
				met === true
					? ''
					: [
							known
								? ''
								: `No step failed for ${[own.atLeast ? SHORT[example] : '', bare.atLeast ? 'the bare pack' : ''].filter(Boolean).join(' or ')} within ${result.ramp.maxSteps ?? '?'} steps, so the highest rate found there is only a lower bound.`,
							failed
								? `At ${failed.rate}/s ${failed.inTime} of ${failed.sent} calls got a correct answer within 5 s, ${formatNumber(failed.answeredRate, 3)} answered a second, p99 ${ms(failed.p99)}${failed.errors.length ? ` (${failed.errors.join(', ')})` : ''}.`
								: '',
							cpu && bareCpu
								? `One n8n process serves about one core: at ${ms(cpu.cpuMsPerCall)} of CPU per call of the mix that is about ${Math.floor(1000 / cpu.cpuMsPerCall)} calls a second, against ${Math.floor(1000 / bareCpu.cpuMsPerCall)} for the bare pack's ${ms(bareCpu.cpuMsPerCall)}.`
								: '',
						]
							.filter(Boolean)
							.join(' '),
		};
	});
}

const refusalOf = (result: ExamplesCostResult, setting: SettingId, target: RefusalId) =>
	result.settings.find((s) => s.id === setting)?.refusals?.find((c) => c.target === target);

/**
 * What the load part's "why" needs from this part (bench/load-matrix-report.cts): n8n's CPU per
 * call the PostgreSQL example's Busy Limit turns away and per accepted call of the mix, per
 * expression-engine setting; undefined when the refusals were not measured.
 */
export function loadCpuCosts(
	result: ExamplesCostResult | { skipped: string } | undefined,
): LoadCpuCosts | undefined {
	if (!result || 'skipped' in result || !result.refusal) return undefined;
	const engines = { tuned: 'tuned', defaults: 'default' } as const;
	const costs: LoadCpuCosts = {
		refusalMs: {},
		acceptedMs: {},
		floorMs: {},
		refusalRate: {},
	};
	for (const setting of ['tuned', 'defaults'] as const) {
		const refusal = refusalOf(result, setting, 'postgres');
		if (refusal && refusal.expected === refusal.calls) {
			costs.refusalMs[engines[setting]] = refusal.cpuMsPerCall;
			costs.refusalRate[engines[setting]] = refusal.rate;
		}
		const floor = refusalOf(result, setting, 'webhookRefused');
		if (floor && floor.expected === floor.calls)
			costs.floorMs[engines[setting]] = floor.cpuMsPerCall;
		const accepted = cellOf(result, setting, 'postgres', 'mix');
		if (accepted) costs.acceptedMs[engines[setting]] = accepted.cpuMsPerCall;
	}
	return Object.keys(costs.refusalMs).length ? costs : undefined;
}

/** The table and text of measurement 3 (calls turned away), or nothing when not measured. */
function refusalSection(result: ExamplesCostResult): string[] {
	const refusal = result.refusal;
	const settings = result.settings.filter((s) => s.refusals?.length);
	if (!refusal || settings.length === 0) return [];
	const rows = settings.flatMap((setting) =>
		REFUSALS.flatMap((target) => {
			const cell = setting.refusals?.find((c) => c.target === target);
			if (!cell) return [];
			return [
				[
					setting.id,
					REFUSAL_TEXT[target],
					`${cell.rate}/s`,
					`HTTP ${cell.status}`,
					`${cell.expected} / ${cell.calls}`,
					ms(cell.cpuMsPerCall),
					cell.perRound.map((v) => formatNumber(v, 3)).join(', '),
					ms(cell.p50),
					ms(cell.p99),
					cell.held ? `${cell.held.ok} / ${cell.held.sent} correct` : '-',
					cell.errors.join('; ') || 'none',
				],
			];
		}),
	);
	const compare = settings.flatMap((setting) => {
		const of = (target: RefusalId) => setting.refusals?.find((c) => c.target === target);
		const postgres = of('postgres');
		const bare = of('bare');
		const floor = of('webhookRefused');
		const atOnce = of('webhookAtOnce');
		const accepted = setting.cells.find((c) => c.example === 'postgres' && c.mix === 'mix');
		if (!postgres) return [];
		const parts = [
			accepted
				? `${formatNumber((postgres.cpuMsPerCall / accepted.cpuMsPerCall) * 100, 2)}% of an accepted call of the mix (${ms(accepted.cpuMsPerCall)}, above)`
				: '',
			bare ? `the bare trigger's refusal ${ms(bare.cpuMsPerCall)}` : '',
			floor ? `n8n's own Webhook node turning a call away ${ms(floor.cpuMsPerCall)}` : '',
			atOnce ? `and answering one at once ${ms(atOnce.cpuMsPerCall)}` : '',
		].filter(Boolean);
		return [
			`- ${setting.id}: a call the PostgreSQL example's Busy Limit turns away costs n8n ${ms(postgres.cpuMsPerCall)} of CPU; ${parts.join('; ')}.`,
		];
	});
	return [
		'',
		`**n8n CPU per call turned away**: the trigger's Busy Limit answers HTTP 503 before it reads the call, but by then n8n has done its own part of a webhook call: it has looked the webhook up, loaded the workflow from its database, built it (every node), resolved its webhooks and, unless the expression engine acquires lazily (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true), taken an expression isolate, which it skips only for its own Webhook node (n8n 2.41.1, dist/webhooks/live-webhooks.js, executeWebhook).`,
		`Measured on copies of the bare workflow and of the PostgreSQL example (all their nodes) with a Busy Limit number of 1 and a Wait node of ${refusal.holdMs / 1000} s after the trigger's new-purchase output: the copy's first new purchase is sent and held there, ${REFUSAL_WARM_UP_MS / 1000} s of calls not counted follow (all must be turned away), then new purchases at a fixed rate for ${refusal.runMs / 1000} s, all turned away, and 1 s more; n8n's process-group CPU over that time less its idle use, divided by the calls, as above. The held call is answered after the run and must be correct.`,
		`The rate is ${refusal.rate} calls a second, or lower where the bare trigger's accepted new purchases (above) would take more than half a core at that rate (with n8n's default engine, which takes an isolate for every call, turned away or not, ${refusal.rate} refusals a second overloaded n8n in a trial).`,
		"For comparison, n8n's own Webhook node (POST, Respond: Immediately) with an IP allow-list no caller matches, which answers 403 before any execution (the least any n8n webhook call costs), and the same node answering at once (HTTP 200, then a one-node execution, not saved).",
		`The targets alternate in rounds in a rotating order (rounds: ${Object.entries(refusal.rounds)
			.map(([id, n]) => `${id} ${n}`)
			.join(
				', ',
			)}); n8n has nothing else to do during a run but the held call, so a refusal amid accepted calls may cost otherwise.`,
		'',
		markdownTable(
			[
				'Settings',
				'Workflow',
				'Rate',
				'Answer',
				'Answered so',
				'CPU per call',
				'Per round',
				'p50',
				'p99',
				'Held call',
				'Errors',
			],
			rows,
		),
		...(compare.length ? ['', ...compare] : []),
	];
}

/** The Targets rows of part `examples`; a skipped part gives one row saying why. */
export function exampleTargets(
	result: ExamplesCostResult | { skipped: string } | undefined,
): ExampleTargetRow[] {
	if (!result) return [];
	if ('skipped' in result) {
		return [
			{
				target: `PostgreSQL example: n8n CPU per call at most ${EXAMPLE_CPU_TARGET}x, highest rate answered in time at least ${EXAMPLE_RATE_TARGET}x the bare Trigger -> Respond's`,
				result: '-',
				met: undefined,
				why: result.skipped,
			},
		];
	}
	return [...cpuRows(result), ...rateRows(result)];
}

/** The section "The SaaS V2.0 examples against the bare pack". */
export function examplesSection(
	result: ExamplesCostResult | { skipped: string } | undefined,
): string {
	if (!result) return '';
	const heading = '### The SaaS V2.0 examples against the bare pack (issue 21)';
	if ('skipped' in result) return [heading, '', `Not measured: ${result.skipped}`].join('\n');
	const cpuRowsTable = result.settings.flatMap((setting) =>
		(Object.keys(MIXES) as MixId[]).flatMap((mix) =>
			EXAMPLES.map((example) => {
				const cell = setting.cells.find((c) => c.example === example && c.mix === mix);
				const bare = setting.cells.find((c) => c.example === 'bare' && c.mix === mix);
				if (!cell) return [];
				return [
					setting.id,
					MIXES[mix].label.replace(/ \(.*$/, ''),
					EXAMPLE_TEXT[example].replace(/ \(.*$/, ''),
					`${cell.ok} / ${cell.calls}`,
					ms(cell.cpuMsPerCall),
					cell.perRound.map((v) => formatNumber(v, 3)).join(', '),
					bare && example !== 'bare' ? roundRatios(cell, bare).map(formatRatio).join(', ') : '-',
					bare && example !== 'bare' ? formatRatio(verdictRatio(cell, bare)) : '-',
					bare && example !== 'bare' ? formatRatio(cell.cpuMsPerCall / bare.cpuMsPerCall) : '-',
					`${formatNumber((cell.mainCpuMs / Math.max(cell.cpuMs, 1)) * 100, 2)}%`,
					Number.isFinite(cell.acquired) ? formatNumber(perCall(cell.acquired, cell), 2) : 'n/a',
					Number.isFinite(cell.evaluated) ? formatNumber(perCall(cell.evaluated, cell), 3) : 'n/a',
					ms(cell.p50),
					ms(cell.p99),
					cell.errors.join(', ') || 'none',
				];
			}),
		),
	);
	const rampRows = result.ramp.steps.map((step) => [
		EXAMPLE_TEXT[step.example].replace(/ \(.*$/, ''),
		`${step.rate}/s`,
		String(step.sent),
		String(step.inTime),
		formatNumber(step.answeredRate, 3),
		ms(step.p99),
		step.passed ? 'passed' : 'failed',
		step.errors.join(', ') || 'none',
		`${formatNumber(step.clientCores ?? NaN, 2)} cores, ${ms(step.clientLagMs ?? NaN)} late at most`,
	]);
	const highest = result.ramp.highest;
	return [
		heading,
		'',
		"bench/examples-cost.cts. One n8n per expression-engine setting (n8n's own data in SQLite, successful executions not",
		'saved as the README advises for production) serves three workflows side by side: a bare KooGallery',
		"Trigger -> KooGallery Respond (one Respond per answer kind, no expressions, the examples' trigger options), and",
		'workflows/koogallery-saas-v2-postgres.json and workflows/koogallery-saas-v2-data-table.json as shipped (read when the',
		"bench runs), with a private PostgreSQL and the Open API mock for Order > Get. Calls are KooGallery's, signed, from",
		'scripts/load-generator.cts. Each workflow first gets 20 calls of the mix, not counted.',
		...(result.failures ?? []).flatMap((f) => [
			'',
			`**Not measured with the ${f.setting} settings**: the run failed: ${f.message}`,
		]),
		'',
		`**n8n CPU per call**: ${result.rate} calls a second for ${result.runMs / 1000} s per run (${(result.rate * result.runMs) / 1000} calls), then 1 s for the last`,
		"executions to finish; the CPU time (user + system) of n8n's process group (main process and task runner) over that time,",
		`less its idle use (${result.settings.map((s) => `${s.id} ${formatNumber(s.idleCores, 2)} cores`).join(', ')}, over 5 s once n8n is idle), divided by the calls.`,
		'The workflows alternate in rounds in a rotating order (rounds: ' +
			Object.entries(result.rounds)
				.map(([id, n]) => `${id} ${n}`)
				.join(', ') +
			"). Isolates and expressions: n8n's own counters (`n8n_expression_pool_acquired_total`,",
		'`n8n_expression_evaluation_duration_seconds_count` on /metrics) over the runs, per call.',
		'',
		"x bare: the CPU per call over the bare trigger's of the same round and call kinds. Within a round the workflows run one",
		'after the other, seconds apart, so load from other work on the machine that changes over minutes falls on both sides',
		"of a round's ratio alike, while it can make one round's CPU per call twice another's. The target is judged on the",
		"median of the rounds' ratios (for an even number of rounds, the mean of the two middle ones), which a round that a",
		'burst of other work hit on one side only moves little; the pooled ratio (all calls of all rounds) is shown beside it.',
		'',
		markdownTable(
			[
				'Settings',
				'Call kinds',
				'Workflow',
				'Correct',
				'CPU per call',
				'Per round',
				'x bare, each round',
				'x bare, median of rounds',
				'x bare, pooled',
				'Main process',
				'Isolates per call',
				'Expressions per call',
				'p50',
				'p99 (worst round)',
				'Errors',
			],
			cpuRowsTable.filter((row) => row.length > 0),
		),
		...refusalSection(result),
		'',
		`**Highest rate answered in time** (tuned settings, the mix): steps of ${result.ramp.stepMs / 1000} s, every workflow in turn at each step at its own`,
		'rate, starting at 70% of what its CPU per call predicts for one core, up by 40% until a step fails (down by 30% until one',
		'passes), then halfway between the highest pass and the lowest failure until they are within 12%, at most',
		`${result.ramp.maxSteps ?? '?'} steps per workflow. A step passes when at least 99% of its calls got a correct answer within 5 s and`,
		'the correct answers per second (until the last answer) were at least 90% of the rate offered. An HTTP 503 is the',
		"trigger's Busy Limit (Auto, as shipped) turning a call away, which KooGallery retries later. The client runs on the",
		'same two cores: what it used is shown, as it takes from what n8n can use at the highest rates.',
		'',
		markdownTable(
			[
				'Workflow',
				'Offered',
				'Sent',
				'Correct within 5 s',
				'Answered per second',
				'p99',
				'Step',
				'Errors',
				'Client (signing, checking)',
			],
			rampRows,
		),
		'',
		`Highest rate answered in time: bare ${rateText(highest.bare)}, PostgreSQL example ${rateText(highest.postgres)} ` +
			`(${formatRatio(highest.postgres.rate / highest.bare.rate)} of the bare's), Data table example ${rateText(highest.dataTable)} ` +
			`(${formatRatio(highest.dataTable.rate / highest.bare.rate)}).`,
	].join('\n');
}
