/**
 * Issue 8, load: 50 calls a second for 60 seconds of mixed SaaS V2.0 scenarios against the
 * PostgreSQL example workflow in a real n8n 2.41.1 (tuned settings, spec README decision 15), with
 * n8n's own Webhook -> Respond to Webhook as the baseline in the same run (bench/load.cts).
 *
 * Asserted: correctness only. No call is answered wrongly: an answer is either correct (HTTP 200,
 * Body-Sign over the exact bytes, the right result code and instance ID) or carries no result code
 * at all (no answer, or an HTTP error from n8n), which KooGallery retries. Afterwards the database
 * holds one row per correctly answered new purchase with the answered instance ID and the state the
 * last accepted call left; after sending again every new purchase that got no result code, each
 * such order has exactly one row.
 * Reported, never asserted: throughput, latency, answers over 5 s, n8n's memory. They are printed
 * as a table and written to a temporary file (its path is printed); only `npm run bench` writes
 * bench/results/load.json. This test runs the SQLite set-up; the bench adds the PostgreSQL and
 * queue-mode ones.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	loadTable,
	runLoadBench,
	saveLoadResults,
	type LoadBenchResult,
} from '../../bench/load.cjs';

jest.setTimeout(40 * 60_000);

describe('load: 50 req/s × 60 s against the PostgreSQL example', () => {
	let result: LoadBenchResult;

	beforeAll(async () => {
		result = await runLoadBench({
			log: (line) => process.stderr.write(`[load] ${line}\n`),
		});
		const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-load-')), 'load.json');
		saveLoadResults([result], file);
		process.stderr.write(`\n${loadTable(result)}\n[load] numbers written to ${file}\n`);
	}, 40 * 60_000);

	it('sent every call it planned to both workflows, each ending answered or unanswered', () => {
		expect(result.pack.sent).toBe(3000);
		expect(result.baseline.sent).toBe(3000);
		expect(result.pack.answered + result.pack.unanswered).toBe(result.pack.sent);
		expect(result.pack.ok + result.pack.unanswered + result.pack.refused + result.pack.wrong).toBe(
			result.pack.sent,
		);
	});

	it('answers no call wrongly: every 200 answer is signed over its bytes with the right result code', () => {
		const wrong = result.packFailures.filter(
			(f) => f.kind !== 'unanswered' && !f.kind.startsWith('http '),
		);
		expect(wrong).toEqual([]);
		expect(result.pack.wrong).toBe(0);
		// The same at the lower rates the pack was offered first.
		expect(result.steps.map((step) => step.summary.wrong)).toEqual(result.steps.map(() => 0));
		expect(result.pack.ok).toBeGreaterThan(0);
	});

	it('keeps one row per answered new purchase with the answered instance ID and the last accepted state', () => {
		const c = result.consistency;
		expect(c.answeredOrders).toBeGreaterThan(0);
		expect(c.missingRows).toEqual([]);
		expect(c.duplicateRows).toEqual([]);
		expect(c.wrongInstanceId).toEqual([]);
		expect(c.stateMismatches).toEqual([]);
		expect(c.unexplainedRows).toBe(0);
	});

	it('loses no call KooGallery could not retry: every new purchase without a result code, sent again, ends with exactly one row', () => {
		const c = result.consistency;
		const newPurchases = result.pack.byScenario.newInstance;
		expect(c.unansweredOrders).toBeGreaterThanOrEqual(newPurchases.sent - newPurchases.ok);
		expect(c.retried).toBe(c.unansweredOrders);
		expect(c.retriedOk).toBe(c.retried);
		expect(c.notOneRowAfterRetry).toEqual([]);
	});
});
