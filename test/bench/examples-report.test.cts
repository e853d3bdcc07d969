/**
 * Part `examples` of the bench without an n8n: the CPU target judged on the median of the rounds'
 * ratios (bench/examples-report.cts), the copies of a workflow that hold their first call for the
 * refusal runs (bench/examples-cost.cts), and what the load part's "why" takes from this part.
 */
import {
	heldCopy,
	refusalRateFor,
	type CostCell,
	type ExampleId,
	type ExamplesCostResult,
	type MixId,
	type RefusalCell,
	type RefusalId,
	type Workflow,
} from '../../bench/examples-cost.cjs';
import { exampleTargets, loadCpuCosts, verdictRatio } from '../../bench/examples-report.cjs';
import { averagedMedian } from '../../bench/stats.cjs';

/** A cell of 60 calls a round with these CPU-per-call values, all answered correctly. */
function cell(example: ExampleId, mix: MixId, perRound: number[], ok = true): CostCell {
	const calls = 60 * perRound.length;
	const cpuMs = perRound.reduce((sum, v) => sum + v * 60, 0);
	return {
		setting: 'tuned',
		example,
		mix,
		calls,
		ok: ok ? calls : calls - 1,
		cpuMs,
		cpuMsPerCall: cpuMs / calls,
		perRound,
		mainCpuMs: cpuMs,
		acquired: 0,
		evaluated: 0,
		p50: 10,
		p99: 20,
		errors: ok ? [] : ['http 500: 1'],
	};
}

function refusal(target: RefusalId, cpuMsPerCall: number, expected = 120): RefusalCell {
	return {
		setting: 'tuned',
		target,
		rate: 30,
		status: target === 'webhookRefused' ? 403 : target === 'webhookAtOnce' ? 200 : 503,
		calls: 120,
		expected,
		cpuMs: cpuMsPerCall * 120,
		cpuMsPerCall,
		perRound: [cpuMsPerCall, cpuMsPerCall],
		p50: 5,
		p99: 9,
		errors: [],
	};
}

/** A result with the bare trigger's and the PostgreSQL example's rounds (both call kinds alike). */
function resultWith(
	bare: number[],
	postgres: number[],
	options: { ok?: boolean; refusals?: RefusalCell[] } = {},
): ExamplesCostResult {
	const cells = (['newInstance', 'mix'] as const).flatMap((mix) => [
		cell('bare', mix, bare),
		cell('postgres', mix, postgres, options.ok ?? true),
	]);
	return {
		rate: 5,
		runMs: 12_000,
		rounds: { tuned: bare.length, defaults: 0 },
		settings: [
			{
				id: 'tuned',
				label: 'tuned',
				cells,
				refusals: options.refusals,
				idleCores: 0,
				loadBefore: [0, 0, 0],
				loadAfter: [0, 0, 0],
			},
		],
		ramp: {
			setting: 'tuned',
			mix: 'mix',
			stepMs: 10_000,
			maxSteps: 6,
			steps: [],
			highest: {
				bare: { rate: 0, failed: null, atLeast: false },
				postgres: { rate: 0, failed: null, atLeast: false },
				dataTable: { rate: 0, failed: null, atLeast: false },
			},
		},
		refusal: options.refusals
			? { rate: 30, runMs: 4000, holdMs: 8000, rounds: { tuned: 2, defaults: 0 } }
			: undefined,
		expressions: { bare: 0, postgres: 3, dataTable: 33 },
		postgres: 'test',
		durationMs: 1,
	};
}

const cpuRow = (result: ExamplesCostResult) =>
	exampleTargets(result).find((row) => row.target.includes('PostgreSQL example: n8n CPU'));

describe('averagedMedian', () => {
	it('is the middle value, or the mean of the two middle ones for an even count', () => {
		expect(averagedMedian([3, 1, 2])).toBe(2);
		expect(averagedMedian([4, 1, 3, 2])).toBe(2.5);
		expect(averagedMedian([])).toBeNaN();
	});
});

describe('examples: the CPU target', () => {
	it("is judged on the median of the rounds' ratios, with each round's ratio and the pooled one shown", () => {
		// The bare trigger's last round was cheap (other work hit the example's side only): the
		// pooled ratio is 1.77x, the rounds' ratios 1.4, 1.4, 1.4 and 4.
		const result = resultWith([10, 10, 10, 5], [14, 14, 14, 20]);
		const bare = result.settings[0].cells[0];
		const postgres = result.settings[0].cells[1];
		expect(verdictRatio(postgres, bare)).toBeCloseTo(1.4, 10);
		const row = cpuRow(result);
		expect(row?.met).toBe(true);
		expect(row?.result).toBe(
			'1.40x, median of 4 rounds (each round: 1.40x, 1.40x, 1.40x, 4.00x); all rounds pooled 1.77x (15.5 ms / 8.75 ms)',
		);
		expect(row?.why).toBe(
			'The rounds disagree: 1 of 4 above 1.5x; the verdict follows their median.',
		);
	});

	it('is missed when the mean of the two middle ratios is above the target', () => {
		// Ratios 1.2, 1.4, 1.7, 1.9: the lower middle alone (1.4) would pass, their mean is 1.55.
		const row = cpuRow(resultWith([10, 10, 10, 10], [12, 14, 17, 19]));
		expect(row?.met).toBe(false);
		expect(row?.result).toMatch(/^1\.55x, median of 4 rounds/);
		expect(row?.why).toContain('The rounds disagree: 2 of 4 above 1.5x');
	});

	it('is missed when a call was not answered correctly, whatever the ratio', () => {
		const row = cpuRow(resultWith([10, 10], [11, 11], { ok: false }));
		expect(row?.met).toBe(false);
		expect(row?.why).toContain('Not every call was answered correctly');
	});
});

describe('examples: what the load part takes from the refusal runs', () => {
	it("gives the PostgreSQL example's CPU per refusal and per accepted call of the mix, and n8n's floor", () => {
		const result = resultWith([10, 10], [20, 22], {
			refusals: [refusal('postgres', 4.5), refusal('webhookRefused', 3), refusal('bare', 4)],
		});
		expect(loadCpuCosts(result)).toEqual({
			refusalMs: { tuned: 4.5 },
			acceptedMs: { tuned: 21 },
			floorMs: { tuned: 3 },
			refusalRate: { tuned: 30 },
		});
	});

	it('gives nothing when the refusals were not measured or not all turned away', () => {
		expect(loadCpuCosts(resultWith([10], [20]))).toBeUndefined();
		expect(loadCpuCosts({ skipped: 'no' })).toBeUndefined();
		const partly = resultWith([10], [20], { refusals: [refusal('postgres', 4.5, 119)] });
		expect(loadCpuCosts(partly)).toBeUndefined();
	});
});

describe('heldCopy', () => {
	const original: Workflow & Record<string, unknown> = {
		id: 'Original',
		name: 'Example',
		versionId: 'v1',
		nodes: [
			{
				name: 'KooGallery Trigger',
				type: 'n8n-nodes-koogallery.kooGalleryTrigger',
				webhookId: 'hook-1',
				parameters: { path: 'shipped/path', options: { busyLimit: 'auto' } },
			},
			{ name: 'When n8n starts', type: 'n8n-nodes-base.n8nTrigger', parameters: {} },
			{ name: 'New purchase', type: 'n8n-nodes-base.set', parameters: {} },
			{ name: 'Query', type: 'n8n-nodes-base.set', parameters: {} },
		],
		connections: {
			'KooGallery Trigger': {
				main: [
					[{ node: 'New purchase', type: 'main', index: 0 }],
					[{ node: 'Query', type: 'main', index: 0 }],
				],
			},
		},
	};

	it("holds the trigger's first output in a Wait node, with a Busy Limit of 1 on a path of its own", () => {
		const before = JSON.stringify(original);
		const copy = heldCopy(original, 'Copy', 'bench/held', 8000) as Workflow &
			Record<string, unknown>;
		expect(JSON.stringify(original)).toBe(before);
		expect(copy.id).toBe('Copy');
		expect(copy.versionId).toBeUndefined();
		const trigger = copy.nodes[0];
		expect(trigger.parameters).toEqual({
			path: 'bench/held',
			options: { busyLimit: 'auto', maxCallsInProgress: 1 },
		});
		expect(trigger.webhookId).not.toBe('hook-1');
		expect(trigger.disabled).toBeUndefined();
		expect(copy.nodes[1].disabled).toBe(true);
		expect(copy.nodes.map((n) => n.name)).toEqual([
			'KooGallery Trigger',
			'When n8n starts',
			'New purchase',
			'Query',
			'Bench: hold the first call',
		]);
		expect(copy.nodes[4]).toMatchObject({
			type: 'n8n-nodes-base.wait',
			parameters: { resume: 'timeInterval', amount: 8, unit: 'seconds' },
		});
		expect(copy.connections).toEqual({
			'KooGallery Trigger': {
				main: [
					[{ node: 'Bench: hold the first call', type: 'main', index: 0 }],
					[{ node: 'Query', type: 'main', index: 0 }],
				],
			},
			'Bench: hold the first call': {
				main: [[{ node: 'New purchase', type: 'main', index: 0 }]],
			},
		});
	});
});

describe('refusalRateFor', () => {
	it("is where the bare trigger's accepted calls would take half a core, within 2 and the most asked", () => {
		expect(refusalRateFor(10, 30)).toBe(30); // 50 a second would be half a core
		expect(refusalRateFor(25, 30)).toBe(20);
		expect(refusalRateFor(90, 30)).toBe(5); // n8n's default engine
		expect(refusalRateFor(400, 30)).toBe(2);
		expect(refusalRateFor(NaN, 30)).toBe(2);
	});
});
