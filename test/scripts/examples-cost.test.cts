/**
 * The pieces of bench/examples-cost.cts that decide its numbers without an n8n: the rate steps
 * (nextRate) against a server of known capacity, the CPU of a process group read from /proc, and
 * the count of expression parameters in a workflow.
 */
import * as fs from 'node:fs';

import { countExpressions, groupCpuMs, nextRate } from '../../bench/examples-cost.cjs';

/** Runs the ramp against a server that holds every rate up to `capacity`; returns the rates offered. */
function rampAgainst(capacity: number, start: number, maxSteps: number) {
	const offered: number[] = [];
	let passed = 0;
	let failed = Infinity;
	let rate: number | undefined = start;
	while (rate !== undefined && offered.length < maxSteps) {
		offered.push(rate);
		if (rate <= capacity) passed = Math.max(passed, rate);
		else failed = Math.min(failed, rate);
		rate = nextRate(passed, failed, rate);
	}
	return { offered, passed, failed };
}

describe('nextRate', () => {
	it('rises by 40% until a step fails, then halves the gap until pass and failure are within 12%', () => {
		const { offered, passed, failed } = rampAgainst(23, 10, 20);
		expect(offered).toEqual([10, 14, 20, 28, 24, 22]);
		expect(passed).toBe(22);
		expect(failed).toBe(24);
		expect(failed / passed).toBeLessThanOrEqual(1.12);
	});

	it('goes down by 30% while no step passes, and stops below 1 call a second', () => {
		expect(rampAgainst(5, 20, 20).offered).toEqual([20, 14, 9, 6, 4, 5]);
		expect(rampAgainst(0, 2, 20).offered).toEqual([2, 1]);
	});

	it('stops when the gap is one call a second', () => {
		expect(nextRate(5, 6, 6)).toBeUndefined();
		expect(nextRate(50, 56, 56)).toBeUndefined();
		expect(nextRate(50, 57, 57)).toBe(53);
	});

	it("bounds any capacity 0.6 to 1.6 times the one-core prediction within 20% in the bench's 6 steps from 70% of it", () => {
		for (let predicted = 5; predicted <= 150; predicted++) {
			for (const factor of [0.6, 0.8, 1, 1.25, 1.6]) {
				const capacity = Math.round(predicted * factor);
				const start = Math.max(2, Math.round(predicted * 0.7));
				const { passed, failed } = rampAgainst(capacity, start, 6);
				expect(passed).toBeGreaterThan(0);
				expect(passed).toBeLessThanOrEqual(capacity);
				expect(failed).toBeGreaterThan(capacity);
				expect(failed <= passed * 1.2 || failed - passed <= 1).toBe(true);
			}
		}
	});

	it('finds every capacity from 3 to 200 a second within 12% in at most 8 steps from half of it', () => {
		for (let capacity = 3; capacity <= 200; capacity++) {
			const { offered, passed, failed } = rampAgainst(capacity, Math.ceil(capacity / 2), 8);
			expect(passed).toBeLessThanOrEqual(capacity);
			expect(failed).toBeGreaterThan(capacity);
			expect(failed <= passed * 1.12 || failed - passed <= 1).toBe(true);
			expect(offered.length).toBeLessThanOrEqual(8);
		}
	});
});

describe('groupCpuMs', () => {
	it("counts the CPU this process group uses, as this process's own clock does", () => {
		const stat = fs.readFileSync('/proc/self/stat', 'utf8');
		const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
		const before = groupCpuMs(pgid);
		const own = process.cpuUsage();
		const until = Date.now() + 300;
		let spin = 0;
		while (Date.now() < until) spin++;
		const used = process.cpuUsage(own);
		const ownMs = (used.user + used.system) / 1000;
		expect(spin).toBeGreaterThan(0);
		// /proc counts in 10 ms ticks; other processes of the group may add to it.
		expect(groupCpuMs(pgid) - before).toBeGreaterThanOrEqual(ownMs - 20);
	});

	it('is 0 for a process group that does not exist', () => {
		expect(groupCpuMs(2 ** 30)).toBe(0);
	});
});

describe('countExpressions', () => {
	it('counts string parameters starting with "=" at any depth, sticky notes left out', () => {
		const workflow = {
			id: 'w',
			connections: {},
			nodes: [
				{
					name: 'A',
					type: 'n8n-nodes-base.set',
					parameters: {
						value: '={{ $json.a }}',
						plain: 'text',
						list: [{ field: '={{ 1 }}' }, { field: 'two' }],
						nested: { deep: { x: '=literal' } },
					},
				},
				{ name: 'Note', type: 'n8n-nodes-base.stickyNote', parameters: { content: '={{ no }}' } },
				{ name: 'B', type: 'n8n-nodes-base.noOp' },
			],
		};
		expect(countExpressions(workflow)).toBe(3);
	});
});
