/**
 * Issue 8, faults during an order query: Order > Get over 60 order IDs in a real n8n 2.41.1 while
 * the Open API mock answers 5xx, hangs past the node's timeout or resets the connection on a share
 * of its order queries (seeded, so a run can be repeated). Every item must end either with that
 * order's data exactly as the mock serves it, or reported failed with a plain message saying what
 * failed on its last attempt (timeout, connection closed, server error); none missing, none
 * duplicated. Shown twice: with On Error "Continue" (failed items stay in the output, in input
 * order) and with "Continue (using error output)" (failed items on the error output, with the input
 * item's fields). A query is safe to repeat: each item is tried at most `maxAttempts` times, and an
 * order is never queried again after an answer came back.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { sendRequest } from '../../scripts/n8n-http.cjs';
import { ensureN8n, installPack, n8nPackageDir } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { generatedOrders, type OrderInfo } from '../../simulator/openapi-mock-data.cjs';
import {
	startOpenApiMock,
	type MockCall,
	type OpenApiMock,
} from '../../simulator/openapi-mock.cjs';
import { actionWorkflow } from './action-workflows.cjs';

jest.setTimeout(300_000);

const AK = 'E2EORDERFAULTSAK0001';
const SK = 'e2e-order-faults-secret-access-key';
const SELLER_KEY = 'e2e-order-faults-seller-key';
const CREDENTIAL = { id: 'kgOrderFaults001', name: 'KooGallery Open API (mock, faults)' };
const ORDER_COUNT = 60;
const MAX_ATTEMPTS = 2;
const FAULTS = {
	seed: 808,
	errorRate: 0.15,
	dropRate: 0.15,
	hangRate: 0.1,
	paths: [OPEN_API_PATHS.orderQuery],
};

/** What the operator must be told, by the fault of the item's last attempt. */
const SAID: Record<string, RegExp> = {
	error: /KooGallery (answered HTTP 50[023], a passing server problem|had an internal error)/,
	drop: /^The connection was closed before KooGallery answered\./,
	hang: /^KooGallery did not answer in time \(timeout\)\./,
};

type Item = Record<string, any>;

/** Webhook -> Split Out (one item per order) -> KooGallery Order > Get [-> Orders / Failed]. */
function workflow(id: string, onError: 'continueRegularOutput' | 'continueErrorOutput') {
	return actionWorkflow({
		id,
		splitField: 'orders',
		onError,
		parameters: {
			resource: 'order',
			operation: 'get',
			orderId: '={{ $json.orderId }}',
			callOptions: {
				maxAttempts: MAX_ATTEMPTS,
				initialRetryDelayMs: 50,
				maxRetryWaitSeconds: 60,
				// Long enough that an answered query never meets it on a busy machine; each hang costs it.
				timeoutSeconds: 5,
			},
		},
		credentials: { kooGalleryOpenApi: CREDENTIAL },
	});
}

/** The order as Order > Get returns it: `extendParams` lists become objects keyed by name. */
function cleaned(order: OrderInfo): Item {
	const named = (list: unknown) =>
		Object.fromEntries(((list as Item[]) ?? []).map((p) => [p.name, p.value ?? null]));
	return JSON.parse(
		JSON.stringify({
			...order,
			extendParams: named(order.extendParams),
			orderLine: order.orderLine.map((line) => ({
				...line,
				extendParams: named(line.extendParams),
			})),
		}),
	);
}

const report = (line: string) => process.stderr.write(`[order faults e2e] ${line}\n`);

describe('Order > Get over many orders while the Open API fails, hangs and resets', () => {
	let mock: OpenApiMock;
	let n8n: N8nHandle;
	let userFolder: string;
	let flatted: { parse(text: string): any };
	const orders = generatedOrders(ORDER_COUNT);
	const orderIds = orders.map((o) => o.orderId);

	beforeAll(async () => {
		mock = await startOpenApiMock({
			credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
			orders,
		});
		const install = await ensureN8n();
		flatted = require(path.join(path.dirname(n8nPackageDir(install)), 'flatted')) as typeof flatted;
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-order-faults-e2e-'));
		installPack(userFolder);
		n8n = await startN8n({
			userFolder,
			credentials: [
				{
					...CREDENTIAL,
					type: 'kooGalleryOpenApi',
					data: {
						accessKeyId: AK,
						secretAccessKey: SK,
						sellerSecretKey: SELLER_KEY,
						site: 'custom',
						baseUrl: mock.url,
					},
				},
			],
			workflows: [
				workflow('kgOrderFaultsContinue', 'continueRegularOutput'),
				workflow('kgOrderFaultsErrOut', 'continueErrorOutput'),
			],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await mock?.stop();
		if (userFolder && !process.env.KOOGALLERY_KEEP_N8N)
			fs.rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	async function post(webhookPath: string): Promise<Item[]> {
		const answer = await sendRequest(`${n8n.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ orders: orderIds.map((orderId) => ({ orderId })) }),
		});
		const text = answer.body.toString('utf8');
		if (answer.status !== 200)
			throw new Error(
				`n8n answered ${answer.status}: ${text.slice(0, 500)}\n${n8n.logs().slice(-3000)}`,
			);
		return JSON.parse(text) as Item[];
	}

	/** The mock's order queries for one order, oldest first. */
	const callsFor = (orderId: string): MockCall[] =>
		mock.calls().filter((c) => c.path === OPEN_API_PATHS.orderQuery && c.query.orderId === orderId);

	/** Checks one order's outcome against what the mock did; returns 'ok' or the last fault. */
	function checkOutcome(orderId: string, outcome: { order?: Item; failure?: Item }): string {
		const calls = callsFor(orderId);
		expect(calls.length).toBeGreaterThanOrEqual(1);
		expect(calls.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
		// No query after the one that was answered.
		expect(calls.slice(0, -1).every((c) => c.fault)).toBe(true);
		const last = calls[calls.length - 1];
		if (outcome.order) {
			expect(last.fault).toBeUndefined();
			expect(last.status).toBe(200);
			expect(outcome.order).toEqual(cleaned(mock.orders().get(orderId) as OrderInfo));
			return 'ok';
		}
		expect(last.fault).toBeDefined();
		expect(calls).toHaveLength(MAX_ATTEMPTS);
		// The explanation: at the top under "Continue", under `details` on the error output.
		const failure = outcome.failure as Item;
		const description = String(failure.description ?? failure.details?.description);
		expect(String(failure.error)).toMatch(/^KooGallery (could not be reached|refused the request)/);
		expect(description).toMatch(SAID[last.fault as string]);
		expect(description).toMatch(/Gave up after 2 attempts\.$/);
		return last.fault as string;
	}

	const tally = (outcomes: string[]) =>
		outcomes.reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});

	it('On Error "Continue": one item per order in input order, each the order data or what failed', async () => {
		mock.reset();
		mock.setFaults(FAULTS);
		const out = await post('kgOrderFaultsContinue');
		expect(out).toHaveLength(ORDER_COUNT);
		const outcomes = out.map((item, i) =>
			checkOutcome(orderIds[i], item.orderId === undefined ? { failure: item } : { order: item }),
		);
		for (const [i, item] of out.entries())
			if (item.orderId !== undefined) expect(item.orderId).toBe(orderIds[i]);
		const counts = tally(outcomes);
		report(
			`Continue: ${JSON.stringify(counts)} after ${mock.calls().length} queries (faults ${JSON.stringify(tally(mock.calls().map((c) => c.fault ?? 'none')))})`,
		);
		// The seed gives every kind of outcome, so each path above was exercised.
		expect(Object.keys(counts).sort()).toEqual(['drop', 'error', 'hang', 'ok']);
	});

	it('On Error "Continue (using error output)": orders on the success output, failures on the error output, each order once', async () => {
		mock.reset();
		mock.setFaults({ ...FAULTS, seed: FAULTS.seed + 1 });
		const before = (await n8n.listExecutions('kgOrderFaultsErrOut')).length;
		await post('kgOrderFaultsErrOut');
		const executions = await n8n.waitForExecutions(before + 1, {
			workflowId: 'kgOrderFaultsErrOut',
		});
		const execution = executions[executions.length - 1];
		expect(execution.status).toBe('success');
		const [row] = await n8n.query('SELECT data FROM execution_data WHERE executionId = ?', [
			Number(execution.id),
		]);
		const runData = flatted.parse(String(row.data)).resultData.runData as Record<string, any[]>;
		const [success, failed] = runData.KooGallery[0].data.main as Item[][];
		expect(runData.Orders[0].data.main[0]).toHaveLength(success.length);
		expect(runData.Failed?.[0].data.main[0] ?? []).toHaveLength(failed?.length ?? 0);
		expect(success.length + (failed?.length ?? 0)).toBe(ORDER_COUNT);
		const seen = [
			...success.map((i) => i.json.orderId),
			...(failed ?? []).map((i) => i.json.orderId),
		];
		expect([...seen].sort()).toEqual([...orderIds].sort());
		const outcomes = [
			...success.map((item) => checkOutcome(item.json.orderId, { order: item.json })),
			// An error item carries the input item's fields (the order ID) and what failed.
			...(failed ?? []).map((item) => {
				expect(Object.keys(item.json).sort()).toEqual(['details', 'error', 'orderId']);
				return checkOutcome(item.json.orderId, { failure: item.json });
			}),
		];
		const counts = tally(outcomes);
		report(
			`error output: ${success.length} orders, ${failed?.length ?? 0} failed ${JSON.stringify(counts)}`,
		);
		expect(counts.ok).toBeGreaterThan(0);
		expect(failed?.length ?? 0).toBeGreaterThan(0);
	});
});
