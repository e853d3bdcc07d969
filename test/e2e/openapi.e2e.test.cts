/**
 * The KooGallery action node inside a real n8n 2.41.1 (scripts/n8n-process.cts), against the local
 * Open API mock started here on 127.0.0.1. Workflows are driven through n8n's own Webhook node
 * (response mode "last node"), so each POST runs the installed pack exactly as a user's workflow
 * would: the imported KooGallery Access Key credential signs every request in its `authenticate`,
 * through n8n's own HTTP stack, and the mock verifies AK/SK and the usage signature.
 *
 * Shown: Order > Get returns the mock order; Usage > Push of 2,500 records makes 3 calls and every
 * record arrives exactly once; with 30% of calls failing at random (5xx, connections dropped before
 * or after the mock stored the records), 10,000 records end accepted exactly once or reported
 * failed, and pushing them again adds no duplicate.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { formatUsageTime } from '../../core/usage-signature';
import { sendRequest } from '../../scripts/n8n-http.cjs';
import { installPack } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import { actionWorkflow } from './action-workflows.cjs';

jest.setTimeout(300_000);

const AK = 'E2EOPENAPIAK00000001';
const SK = 'e2e-open-api-secret-access-key-not-real';
const SELLER_KEY = 'e2e-seller-key-not-real';
const CREDENTIAL = { id: 'kgOpenApiE2E0001', name: 'KooGallery Open API (mock)' };
const USAGE_PATH = '/api/mkp-openapi-public/global/v1/isv/usage-data';

/** Webhook (last node answers) -> [Split Out records] -> KooGallery. */
function workflow(
	id: string,
	name: string,
	webhookPath: string,
	kooGallery: Record<string, unknown>,
	splitRecords: boolean,
) {
	return actionWorkflow({
		id,
		name,
		path: webhookPath,
		splitField: splitRecords ? 'records' : undefined,
		parameters: kooGallery,
		credentials: { kooGalleryOpenApi: CREDENTIAL },
	});
}

const pushParameters = (maxAttempts: number, batchSize = 1000) => ({
	resource: 'usage',
	operation: 'push',
	recordSource: 'fields',
	usageOptions: { includeInput: false, batchSize },
	callOptions: {
		maxAttempts,
		initialRetryDelayMs: 50,
		maxRetryWaitSeconds: 240,
		timeoutSeconds: 10,
	},
});

/** `count` distinct usage records of the last day, over 13 instances. */
function records(count: number, tag: string): Array<Record<string, unknown>> {
	const start = Date.now() - 86_400_000;
	return Array.from({ length: count }, (_, n) => ({
		instance_id: `${tag}-instance-${n % 13}`,
		begin_time: new Date(start + Math.floor(n / 13) * 1000).toISOString(),
		end_time: new Date(start + Math.floor(n / 13) * 1000 + 1000).toISOString(),
		usage_value: (n % 50) + 0.25,
	}));
}

/** One line of numbers on stderr (jest buffers console output). */
const report = (line: string) => process.stderr.write(`[openapi e2e] ${line}\n`);

interface Outcome {
	status: 'pushed' | 'failed' | 'invalid';
	meteringSn: string;
	reason?: string;
	record: Record<string, unknown>;
}

describe('KooGallery action node in a real n8n, against the Open API mock', () => {
	let mock: OpenApiMock;
	let n8n: N8nHandle;
	let userFolder: string;

	beforeAll(async () => {
		mock = await startOpenApiMock({ credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY } });
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-openapi-e2e-'));
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
				workflow(
					'kgE2EOrderGet0001',
					'KooGallery order',
					'kg-order',
					{
						resource: 'order',
						operation: 'get',
						orderId: '={{ $json.body.orderId }}',
					},
					false,
				),
				workflow('kgE2EUsagePush001', 'KooGallery usage', 'kg-usage', pushParameters(5), true),
				// Two attempts per call and batches of 500, so that some calls fail for good at this fault rate.
				workflow(
					'kgE2EUsagePush003',
					'KooGallery usage, hasty',
					'kg-usage-hasty',
					pushParameters(2, 500),
					true,
				),
				workflow(
					'kgE2EUsagePush002',
					'KooGallery usage, patient',
					'kg-usage-patient',
					pushParameters(10),
					true,
				),
			],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await mock?.stop();
		if (userFolder && !process.env.KOOGALLERY_KEEP_N8N)
			fs.rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	async function post(webhookPath: string, body: unknown): Promise<unknown> {
		const answer = await sendRequest(`${n8n.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = answer.body.toString('utf8');
		if (answer.status !== 200)
			throw new Error(
				`n8n answered ${answer.status}: ${text.slice(0, 500)}\n${n8n.logs().slice(-3000)}`,
			);
		return JSON.parse(text);
	}

	const usageCalls = (fromIndex: number) =>
		mock.calls().filter((c) => c.index >= fromIndex && c.path === USAGE_PATH);

	it('Order > Get returns the documented mock order, signed with the imported credential', async () => {
		mock.reset();
		const [order] = (await post('kg-order', { orderId: 'MOCKPERIODYEARNEW' })) as Array<
			Record<string, any>
		>;
		expect(order).toMatchObject({
			orderId: 'MOCKPERIODYEARNEW',
			orderType: 'NEW',
			createTime: '20241121090846',
			buyerInfo: { customerName: 'mock_user_01', customerId: '459bbbec25d24749b2eb83be37b602a8' },
			extendParams: {},
		});
		expect(order.orderLine).toHaveLength(1);
		expect(order.orderLine[0]).toMatchObject({
			orderLineId: 'MOCKPERIODYEARNEW-000001',
			chargingMode: 'PERIOD',
			periodType: 'year',
			expireTime: '20251121235959',
			extendParams: { emailDomainName: 'test.xxxx.com', ip: '127.0.0.1' },
		});
		expect(order.orderLine[0].productInfo[0].productId).toBe('OFFI846204237451911168');
		expect(mock.calls()).toEqual([
			expect.objectContaining({
				method: 'GET',
				status: 200,
				code: 'MKT.0000',
				query: { orderId: 'MOCKPERIODYEARNEW' },
			}),
		]);
	});

	it('Usage > Push of 2,500 records makes 3 calls and every record arrives exactly once', async () => {
		mock.reset();
		const input = records(2500, 'a');
		const results = (await post('kg-usage', { records: input })) as Outcome[];
		expect(results).toHaveLength(2500);
		expect(results.every((r) => r.status === 'pushed')).toBe(true);
		expect(usageCalls(0).map((c) => [c.records, c.added, c.duplicates, c.status])).toEqual([
			[1000, 1000, 0, 200],
			[1000, 1000, 0, 200],
			[500, 500, 0, 200],
		]);
		const stored = mock.records();
		expect(stored).toHaveLength(2500);
		expect(new Set(stored.map((s) => s.meteringSn))).toEqual(
			new Set(results.map((r) => r.meteringSn)),
		);
		report(
			`2,500 records: calls of ${usageCalls(0)
				.map((c) => c.records)
				.join(', ')} records; ${stored.length} stored`,
		);
		results.forEach((r, i) => {
			expect(r.record.instance_id).toBe(input[i].instance_id);
			expect(r.record.begin_time).toBe(formatUsageTime(new Date(input[i].begin_time as string)));
		});
	});

	it('with 30% of calls failing at random, 10,000 records end accepted exactly once or reported failed; a re-run adds no duplicate', async () => {
		mock.reset();
		const input = records(10_000, 'b');
		mock.setFaults({
			seed: 2026,
			errorRate: 0.1,
			dropRate: 0.1,
			dropAfterRate: 0.1,
			delayRate: 0.05,
			delayMs: 300,
			paths: [USAGE_PATH],
		});

		const first = (await post('kg-usage-hasty', { records: input })) as Outcome[];
		expect(first).toHaveLength(10_000);
		const calls = usageCalls(0);
		const faulted = calls.filter((c) => c.fault && c.fault !== 'delay').length;
		expect(faulted / calls.length).toBeGreaterThan(0.15);
		expect(calls.some((c) => c.fault === 'dropAfter')).toBe(true);
		const stored = mock.records();
		const storedSns = new Set(stored.map((s) => s.meteringSn));
		expect(storedSns.size).toBe(stored.length);
		expect(calls.reduce((sum, c) => sum + (c.added ?? 0), 0)).toBe(stored.length);
		for (const r of first) {
			expect(['pushed', 'failed']).toContain(r.status);
			if (r.status === 'pushed') expect(storedSns.has(r.meteringSn)).toBe(true);
			else expect(r.reason).toMatch(/Gave up after 2 attempts\.$/);
		}
		// The fixed seed makes some calls fail twice in a row: those records are reported, not lost.
		expect(first.filter((r) => r.status === 'failed').length).toBeGreaterThan(0);
		expect(new Set(first.map((r) => r.meteringSn)).size).toBe(10_000);
		// A call whose answer was lost after the mock stored it may end "failed" on its last attempt:
		// reported, and harmless, because the re-run below sends the same metering_sn again.
		const failedButStored = first.filter(
			(r) => r.status === 'failed' && storedSns.has(r.meteringSn),
		).length;

		report(
			`10,000 records, first run: ${calls.length} calls, ${faulted} faulted (${calls.filter((c) => c.fault === 'dropAfter').length} after storing); ` +
				`${first.filter((r) => r.status === 'pushed').length} pushed, ${first.filter((r) => r.status === 'failed').length} reported failed; ` +
				`${stored.length} stored (${failedButStored} of them reported failed: their answer was lost), ${mock.duplicates()} duplicates absorbed`,
		);
		const before = calls.length;
		const again = (await post('kg-usage-patient', { records: input })) as Outcome[];
		expect(again.map((r) => r.status)).toEqual(Array(10_000).fill('pushed'));
		expect(again.map((r) => r.meteringSn)).toEqual(first.map((r) => r.meteringSn));
		const after = mock.records();
		expect(after).toHaveLength(10_000);
		expect(new Set(after.map((s) => s.meteringSn)).size).toBe(10_000);
		expect(after.slice(0, stored.length)).toEqual(stored);
		// Everything stored by the first run arrived again and was absorbed, not added.
		expect(mock.duplicates()).toBeGreaterThanOrEqual(stored.length);
		expect(usageCalls(before).length).toBeGreaterThanOrEqual(10);
		report(
			`10,000 records, re-run: ${usageCalls(before).length} calls, all pushed; ${after.length} stored, ${mock.duplicates()} duplicates absorbed in total`,
		);

		const executions = await n8n.listExecutions();
		expect(executions.filter((e) => e.status === 'success')).toHaveLength(executions.length);
	});
});
