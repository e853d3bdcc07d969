/**
 * A short burst of mixed SaaS V2.0 calls through the PostgreSQL example as shipped
 * (workflows/koogallery-saas-v2-postgres.json, Busy Limit Auto) in a real n8n 2.41.1, with more
 * calls in flight than Auto starts with, so that calls may be turned away: every call is answered
 * correctly or with HTTP 503 (which KooGallery retries), and afterwards the database is
 * consistent. How many are turned away depends on the machine's speed; what is asserted does not.
 * The calls are sent a few at a time (the next as soon as one is answered) and no time is
 * asserted. How fast n8n answers is measured by `npm run bench` (part load: 50 calls a second for
 * a minute, bench/load.cts), which uses the same set-up (bench/load-setup.cts) and the same
 * database check (bench/load-check.cts).
 */
import { checkConsistency } from '../../bench/load-check.cjs';
import { drain } from '../../bench/load-run.cjs';
import { SECRETS, startEnvironment, type Environment } from '../../bench/load-setup.cjs';
import { formatLoadResult, runLoad } from '../../scripts/load-generator.cjs';

/** The least Busy Limit Auto ever sets (nodes/shared/adaptiveLimit.ts): the retries never exceed it. */
const AUTO_MIN_LIMIT = 2;
/**
 * 40 calls, at most 5 a second and 6 in flight (a call turned away frees its place at once, so
 * the rate keeps those places from using up the burst); no call is given up on before 5 minutes.
 */
const BURST = { rate: 5, durationMs: 8000, maxInFlight: 6, timeoutMs: 300_000 };
const BUSY_ANSWER = { error: 'The seller service is busy. Please try again later.' };

jest.setTimeout(600_000);

describe(`a burst of ${(BURST.rate * BURST.durationMs) / 1000} mixed calls through the PostgreSQL example as shipped (Busy Limit Auto)`, () => {
	let env: Environment;

	beforeAll(async () => {
		// One n8n process keeping every execution (its data in SQLite), the example's Busy Limit Auto.
		env = await startEnvironment('sqlite', { busyLimit: 'auto' });
	}, 20 * 60_000);

	afterAll(async () => {
		await env?.stop();
	}, 120_000);

	it('answers every call correctly or with HTTP 503, keeps one row per answered purchase, and ends with one row per turned-away purchase sent again', async () => {
		const result = await runLoad({ urls: env.packUrls, key: SECRETS.sellerKey, ...BURST });
		const turnedAway = result.errors['http 503'] ?? 0;
		process.stderr.write(`[burst] ${formatLoadResult(result).replace(/\n/g, '\n[burst] ')}\n`);

		expect(result.sent).toBe((BURST.rate * BURST.durationMs) / 1000);
		expect(result.mostInFlight).toBeLessThanOrEqual(BURST.maxInFlight);
		// Correct (HTTP 200, Body-Sign over the bytes, result code, instance ID or info) or 503.
		expect(result.failures.filter((f) => f.kind !== 'http 503')).toEqual([]);
		expect(result.ok + turnedAway).toBe(result.sent);
		for (const failure of result.failures) expect(JSON.parse(failure.text)).toEqual(BUSY_ANSWER);
		expect(result.ok).toBeGreaterThan(0);

		const executions = await drain(env, env.workflowId, () => undefined);
		expect(executions.stuck).toBe(0);
		expect(Object.keys(executions.byStatus)).toEqual(['success']);
		// Sent again as KooGallery does later, never more at a time than the Busy Limit takes.
		const c = await checkConsistency(
			env,
			result.instances,
			result.ordersToRetry,
			executions,
			AUTO_MIN_LIMIT,
		);
		const newPurchases = result.byScenario.newInstance;
		expect(c.answeredOrders).toBe(newPurchases.ok);
		expect(c.answeredOrders).toBeGreaterThan(0);
		expect({
			missing: c.missingRows,
			duplicate: c.duplicateRows,
			wrongInstanceId: c.wrongInstanceId,
			stateMismatches: c.stateMismatches,
			unexplainedRows: c.unexplainedRows,
		}).toEqual({
			missing: [],
			duplicate: [],
			wrongInstanceId: [],
			stateMismatches: [],
			unexplainedRows: 0,
		});
		// A purchase turned away started nothing, so it made no row; sent again, it makes exactly one.
		expect(c.unansweredOrders).toBe(newPurchases.sent - newPurchases.ok);
		expect(c.unansweredWithRow).toBe(0);
		expect([c.retried, c.retriedOk]).toEqual([c.unansweredOrders, c.unansweredOrders]);
		expect(c.notOneRowAfterRetry).toEqual([]);
	});
});
