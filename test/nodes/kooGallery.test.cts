/**
 * The KooGallery action node end to end in-process: the node's execute(), the credential's
 * authenticate() signing every request, a real HTTP client (test/nodes/openapi-fakes.cts) and the
 * local Open API mock verifying AK/SK and the usage signature. Nothing of the three is mocked out.
 */
import type { IDataObject, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';

import { KooGalleryOpenApi } from '../../credentials/KooGalleryOpenApi.credentials';
import { deriveMeteringSn, formatUsageTime } from '../../core/usage-signature';
import { KooGallery } from '../../nodes/KooGallery/KooGallery.node';
import { MAX_ISOLATION_REQUESTS } from '../../nodes/KooGallery/actions/usage/pushUsage';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import { AK, SELLER_KEY, SK, mockCredentials, openApiExecuteContext } from './openapi-fakes.cjs';

const TV8_ORDER_INFO = {
	orderId: 'MOCKPERIODYEARNEW',
	orderType: 'NEW',
	createTime: '20241121090846',
	orderLine: [
		{
			orderLineId: 'MOCKPERIODYEARNEW-000001',
			chargingMode: 'PERIOD',
			periodType: 'year',
			periodNumber: 1,
			expireTime: '20251121235959',
			productInfo: [
				{
					productId: 'OFFI846204237451911168',
					skuCode: '0a4d1578-5295-46a7-92d4-7c803dccc51d',
					linearValue: 50,
					productName: 'MOCK测试商品,测试规格,基础版,包周期',
				},
			],
			extendParams: { emailDomainName: 'test.xxxx.com', ip: '127.0.0.1' },
			currency: '100',
			currencyAfterDiscount: '100',
		},
	],
	buyerInfo: {
		mobilePhone: '18688888888',
		email: null,
		customerId: '459bbbec25d24749b2eb83be37b602a8',
		customerName: 'mock_user_01',
		customerRealName: '测试用户1',
		customerType: 0,
		userId: null,
		userName: null,
	},
	extendParams: {},
};

const node = new KooGallery();
/** Fast retries for tests; the behaviour is the same as with the defaults. */
const FAST = {
	callOptions: { initialRetryDelayMs: 5, maxRetryWaitSeconds: 30, timeoutSeconds: 5 },
};

let mock: OpenApiMock;
beforeAll(async () => {
	mock = await startOpenApiMock({ credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY } });
});
afterAll(async () => {
	await mock.stop();
});
beforeEach(() => {
	mock.reset();
	mock.setFaults(undefined);
});

async function run(
	parameters: IDataObject,
	items: IDataObject[] = [{}],
	extra: { credentials?: IDataObject; continueOnFail?: boolean } = {},
) {
	const { context, requests } = openApiExecuteContext({
		parameters: { ...FAST, ...parameters },
		items,
		credentials: extra.credentials ?? mockCredentials(mock.url),
		continueOnFail: extra.continueOnFail,
	});
	const output = (await node.execute.call(context)) as INodeExecutionData[][];
	return { output, requests };
}

/** Usage records within the 21-day window: hour `n` after a fixed start two days ago. */
const START =
	Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) -
	2 * 86_400_000;
function usageItems(count: number, instances = 7): IDataObject[] {
	return Array.from({ length: count }, (_, n) => ({
		instance_id: `instance-${n % instances}`,
		begin_time: new Date(START + Math.floor(n / instances) * 60_000).toISOString(),
		end_time: new Date(START + Math.floor(n / instances) * 60_000 + 60_000).toISOString(),
		usage_value: ((n % 97) + 1) / 4,
		row: n,
	}));
}
const PUSH = { resource: 'usage', operation: 'push', recordSource: 'fields' };

describe('Order > Get', () => {
	it('returns the documented mock order as clean JSON, in one signed call', async () => {
		const { output, requests } = await run({
			resource: 'order',
			operation: 'get',
			orderId: 'MOCKPERIODYEARNEW',
		});
		expect(output).toHaveLength(1);
		expect(output[0]).toEqual([{ json: TV8_ORDER_INFO, pairedItem: { item: 0 } }]);
		expect(mock.calls()).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: '/api/mkp-openapi-public/global/v1/order/query',
				status: 200,
				code: 'MKT.0000',
			}),
		]);
		expect(requests[0].sent.url).toBe(
			`${mock.url}/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKPERIODYEARNEW`,
		);
		expect(requests[0].sent.headers).toEqual(
			expect.objectContaining({
				'Content-Type': 'application/json',
				Authorization: expect.stringMatching(
					/^SDK-HMAC-SHA256 Access=UNITTESTAK0000000001, SignedHeaders=content-type;host;x-sdk-date, Signature=[0-9a-f]{64}$/,
				),
			}),
		);
	});

	it('queries one line, and every documented mock order', async () => {
		const ids = [
			'MOCKONETIMENEW',
			'MOCKONDEMAND',
			'MOCKONDEMANDPKG',
			'MOCKPERIODDAYTRIAL',
			'MOCKMONTYTRIALTOFORMAL',
			'MOCKMONTYUNSUBSCRIBE',
			'MOCKMONTYRENEW',
			'MOCKMONTYCHANGE',
		];
		const { context } = openApiExecuteContext({
			parameters: (i) => ({
				...FAST,
				resource: 'order',
				operation: 'get',
				orderId: ids[i],
				orderLineId: `${ids[i]}-000001`,
			}),
			items: ids.map((id) => ({ id })),
			credentials: mockCredentials(mock.url),
		});
		const [orders] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(
			orders.map((o) => [
				o.json.orderId,
				o.json.orderType,
				(o.json.orderLine as IDataObject[])[0].chargingMode,
			]),
		).toEqual([
			['MOCKONETIMENEW', 'NEW', 'ONE_TIME'],
			['MOCKONDEMAND', 'NEW', 'ON_DEMAND'],
			['MOCKONDEMANDPKG', 'NEW', 'ON_DEMAND_PKG'],
			['MOCKPERIODDAYTRIAL', 'TRIAL', 'PERIOD'],
			['MOCKMONTYTRIALTOFORMAL', 'TRIAL_TO_FORMAL', 'PERIOD'],
			['MOCKMONTYUNSUBSCRIBE', 'UNSUBSCRIBE', 'PERIOD'],
			['MOCKMONTYRENEW', 'RENEW', 'PERIOD'],
			['MOCKMONTYCHANGE', 'CHANGE', 'PERIOD'],
		]);
		expect(mock.calls().filter((c) => c.query.orderLineId).length).toBe(ids.length);
	});

	it('turns a KooGallery refusal into a NodeApiError with the code and a plain explanation', async () => {
		const error = await run({
			resource: 'order',
			operation: 'get',
			orderId: 'CS0000NOTMINE',
		}).catch((e) => e);
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toBe(
			'KooGallery refused the request: MKT.0150 Illegal operation. The order CS0000NOTMINE does not belong to this seller.',
		);
		expect(error.description).toMatch(
			/^MKT\.0150 Illegal operation: The order or instance does not belong to the seller of this AK\/SK/,
		);
		expect(error.httpCode).toBe('401');
		expect(mock.calls()).toHaveLength(1);
	});

	it('explains a wrong SK and does not retry it', async () => {
		const error = await run(
			{ resource: 'order', operation: 'get', orderId: 'MOCKPERIODYEARNEW' },
			[{}],
			{
				credentials: mockCredentials(mock.url, { secretAccessKey: 'not-the-sk' }),
			},
		).catch((e) => e);
		expect(error.message).toMatch(
			/^KooGallery refused the request: MKT\.0154 Illegal token\. The signature in "Authorization" does not match/,
		);
		expect(error.description).toContain(
			'Check the AK and SK in the KooGallery Access Key credential',
		);
		expect(mock.calls()).toHaveLength(1);
	});

	it('continues item by item when asked to', async () => {
		const { context } = openApiExecuteContext({
			parameters: (i) => ({
				...FAST,
				resource: 'order',
				operation: 'get',
				orderId: ['MOCKONDEMAND', 'CS0000NOTMINE', ''][i],
			}),
			items: [{}, {}, {}],
			credentials: mockCredentials(mock.url),
			continueOnFail: true,
		});
		const [out] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.orderId).toBe('MOCKONDEMAND');
		expect(out[1].json).toEqual(
			expect.objectContaining({
				errorCode: 'MKT.0150',
				error: expect.stringContaining('MKT.0150'),
			}),
		);
		expect(out[2].json).toEqual({ error: 'The order ID must be 1 to 64 characters.' });
		expect(mock.calls()).toHaveLength(2);
	});

	it('retries a dropped connection and a 5xx, then succeeds', async () => {
		const ids = Array.from({ length: 6 }, () => 'MOCKONDEMAND');
		const { context } = openApiExecuteContext({
			parameters: {
				...FAST,
				callOptions: { ...FAST.callOptions, maxAttempts: 10 },
				resource: 'order',
				operation: 'get',
				orderId: 'MOCKONDEMAND',
			},
			items: ids.map(() => ({})),
			credentials: mockCredentials(mock.url),
		});
		mock.setFaults({ seed: 7, dropRate: 0.3, errorRate: 0.3 });
		const [out] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(out.every((o) => o.json.orderId === 'MOCKONDEMAND')).toBe(true);
		const calls = mock.calls();
		expect(calls.filter((c) => c.fault).length).toBeGreaterThan(0);
		expect(calls.filter((c) => !c.fault && c.status === 200)).toHaveLength(6);
	});
});

describe('Order > Get from the input item', () => {
	/** A new purchase as the KooGallery Trigger outputs it (the fields Order > Get reads). */
	const purchase = (orderId: string | number, extra: IDataObject = {}) => ({
		activity: 'newInstance',
		orderId,
		orderLineId: `${orderId}-000001`,
		businessId: 'biz-1',
		koogallery: { protocol: 'saasV2', scenario: 'newInstance' },
		...extra,
	});
	const GET = { resource: 'order', operation: 'get', orderId: '', orderLineId: '' };
	/** The query of a request as sent. */
	const query = (request: { sent: IHttpRequestOptions }) =>
		Object.fromEntries(new URL(String(request.sent.url)).searchParams);

	it("reads the order ID and order line ID of empty parameters from the input item's fields", async () => {
		const { output, requests } = await run(GET, [
			purchase('MOCKONDEMAND'),
			{ orderId: ' MOCKONETIMENEW ' },
		]);
		expect(requests.map((r) => r.sent.url)).toEqual([
			`${mock.url}/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKONDEMAND&orderLineId=MOCKONDEMAND-000001`,
			`${mock.url}/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKONETIMENEW`,
		]);
		expect(output[0].map((o) => o.json.orderId)).toEqual(['MOCKONDEMAND', 'MOCKONETIMENEW']);
		// A parameter that is set wins over the item's field.
		const given = await run(
			{ ...GET, orderId: 'MOCKONDEMANDPKG', orderLineId: 'MOCKONDEMANDPKG-000001' },
			[purchase('MOCKONDEMAND')],
		);
		expect(query(given.requests[0])).toEqual({
			orderId: 'MOCKONDEMANDPKG',
			orderLineId: 'MOCKONDEMANDPKG-000001',
		});
		expect(given.output[0][0].json.orderId).toBe('MOCKONDEMANDPKG');
		// A number is read as text (the order ID of a database row, say).
		const numbered = await run(GET, [{ orderId: 20241121 }], { continueOnFail: true });
		expect(query(numbered.requests[0])).toEqual({ orderId: '20241121' });
	});

	it('keeps the input fields, with the order under "order"', async () => {
		const item = purchase('MOCKONDEMAND');
		const { output } = await run({ ...GET, orderOptions: { keepInputFields: true } }, [item]);
		expect(output[0]).toHaveLength(1);
		const { order, ...rest } = output[0][0].json;
		expect(rest).toEqual(item);
		expect(order).toEqual(
			expect.objectContaining({
				orderId: 'MOCKONDEMAND',
				orderLine: [expect.objectContaining({ orderLineId: 'MOCKONDEMAND-000001' })],
			}),
		);
		// Off, the output is the order alone, as before.
		const plain = await run({ ...GET, orderOptions: { keepInputFields: false } }, [item]);
		expect(plain.output[0][0].json).toEqual(order);
	});

	it('keeps the input fields of an item whose query failed, with the error, when On Error continues', async () => {
		const items = [purchase('CS0000NOTMINE'), purchase('MOCKONDEMAND')];
		const { output } = await run({ ...GET, orderOptions: { keepInputFields: true } }, items, {
			continueOnFail: true,
		});
		expect(output[0].map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0][0].json).toEqual({
			...items[0],
			error:
				'KooGallery refused the request: MKT.0150 Illegal operation. The order CS0000NOTMINE does not belong to this seller.',
			description: expect.stringMatching(/^MKT\.0150 Illegal operation/),
			errorCode: 'MKT.0150',
		});
		expect(output[0][1].json).toEqual({
			...items[1],
			order: expect.objectContaining({ orderId: 'MOCKONDEMAND' }),
		});
		// Without the option a failed item is the error alone, as before.
		const plain = await run(GET, items.slice(0, 1), { continueOnFail: true });
		expect(Object.keys(plain.output[0][0].json).sort()).toEqual([
			'description',
			'error',
			'errorCode',
		]);
	});

	it('with an error output, a failed item keeps only error and details, which n8n adds the input fields to', async () => {
		const { context } = openApiExecuteContext({
			parameters: { ...FAST, ...GET, orderOptions: { keepInputFields: true } },
			items: [purchase('CS0000NOTMINE')],
			credentials: mockCredentials(mock.url),
			continueOnFail: true,
		});
		const node0 = context.getNode();
		context.getNode = () => ({ ...node0, onError: 'continueErrorOutput' });
		const [out] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(Object.keys(out[0].json).sort()).toEqual(['details', 'error']);
		expect(out[0].pairedItem).toEqual({ item: 0 });
	});

	it('says the order ID is missing when neither the parameter nor the item has one', async () => {
		const error = await run(GET, [{ orderLineId: 'X-000001', orderId: '  ' }]).catch((e) => e);
		expect(error.message).toBe('The order ID must be 1 to 64 characters.');
		const { output } = await run(GET, [{ orderId: { nested: 1 } }, {}], { continueOnFail: true });
		expect(output[0].map((o) => o.json)).toEqual([
			{ error: 'The order ID must be 1 to 64 characters.' },
			{ error: 'The order ID must be 1 to 64 characters.' },
		]);
		expect(mock.calls()).toHaveLength(0);
	});
});

describe('Order > Get under faults', () => {
	const ORDERS = ['MOCKPERIODYEARNEW', 'MOCKONETIMENEW', 'MOCKONDEMAND', 'MOCKONDEMANDPKG'];

	async function getAll(
		faults: Parameters<OpenApiMock['setFaults']>[0],
		maxAttempts: number,
		onError?: 'continueRegularOutput' | 'continueErrorOutput',
	) {
		const { context } = openApiExecuteContext({
			parameters: (i) => ({
				callOptions: {
					initialRetryDelayMs: 5,
					maxRetryWaitSeconds: 30,
					// An answered call must never meet the timeout, however busy the machine; when every
					// call hangs, the timeout ends each one at any length.
					timeoutSeconds: faults?.hangRate === 1 ? 1 : 5,
					maxAttempts,
				},
				resource: 'order',
				operation: 'get',
				orderId: ORDERS[i % ORDERS.length],
			}),
			items: ORDERS.map(() => ({})),
			credentials: mockCredentials(mock.url),
			continueOnFail: true,
		});
		const node0 = context.getNode();
		context.getNode = () => ({ ...node0, onError });
		mock.setFaults(faults);
		const [out] = (await node.execute.call(context)) as INodeExecutionData[][];
		return out;
	}

	it.each([
		[
			'a server error (5xx)',
			{ errorRate: 1 },
			/KooGallery (answered HTTP 50[023]|had an internal error)/,
		],
		[
			'a connection reset',
			{ dropRate: 1 },
			/^The connection was closed before KooGallery answered\./,
		],
		[
			'a hang past the timeout',
			{ hangRate: 1 },
			/^KooGallery did not answer in time \(timeout\)\./,
		],
	])(
		'%s on every attempt: each item is reported failed, saying what failed, after exactly 2 attempts',
		async (_name, faults, said) => {
			const out = await getAll(faults, 2, 'continueRegularOutput');
			expect(out).toHaveLength(ORDERS.length);
			expect(out.map((o) => o.pairedItem)).toEqual(ORDERS.map((_, item) => ({ item })));
			for (const item of out) {
				expect(item.json.orderId).toBeUndefined();
				expect(String(item.json.error)).toMatch(
					/^KooGallery (could not be reached|refused the request)/,
				);
				expect(String(item.json.description)).toMatch(said);
				expect(String(item.json.description)).toMatch(/Gave up after 2 attempts\.$/);
			}
			// Two attempts per item, no more: the retry is bounded.
			expect(mock.calls()).toHaveLength(ORDERS.length * 2);
		},
	);

	it('with an error output, a failed item has only the keys n8n moves there: error and details', async () => {
		const out = await getAll({ dropRate: 1 }, 2, 'continueErrorOutput');
		for (const item of out) {
			expect(Object.keys(item.json).sort()).toEqual(['details', 'error']);
			expect(item.json.error).toBe('KooGallery could not be reached');
			expect(item.json.details).toEqual({
				description:
					'The connection was closed before KooGallery answered. Gave up after 2 attempts.',
				errorCode: 'NETWORK',
			});
		}
	});

	it('retries a query that failed for a passing reason, and returns the order data once per item', async () => {
		const out = await getAll({ seed: 3, errorRate: 0.2, dropRate: 0.2, hangRate: 0.1 }, 10);
		const orders = mock.orders();
		expect(out.map((o) => o.json.orderId)).toEqual(ORDERS);
		for (const item of out)
			expect(item.json.createTime).toBe(orders.get(String(item.json.orderId))?.createTime);
		const faulted = mock.calls().filter((c) => c.fault);
		expect(new Set(faulted.map((c) => c.fault)).size).toBeGreaterThan(1);
		expect(mock.calls().filter((c) => !c.fault)).toHaveLength(ORDERS.length);
	}, 120_000);
});

describe('Usage > Push', () => {
	it('pushes 2,500 records in 3 calls, each record stored exactly once, with its derived metering_sn', async () => {
		const items = usageItems(2500);
		const { output, requests } = await run(PUSH, items);
		const [results, failed] = output;
		expect(failed).toEqual([]);
		expect(results).toHaveLength(2500);
		expect(results.every((r) => r.json.status === 'pushed')).toBe(true);
		const calls = mock.calls();
		expect(calls.map((c) => [c.records, c.added, c.code])).toEqual([
			[1000, 1000, 'MKT.0000'],
			[1000, 1000, 'MKT.0000'],
			[500, 500, 'MKT.0000'],
		]);
		const stored = mock.records();
		expect(stored).toHaveLength(2500);
		expect(new Set(stored.map((s) => s.meteringSn)).size).toBe(2500);
		results.forEach((r, i) => {
			const record = r.json.record as IDataObject;
			expect(r.pairedItem).toEqual({ item: i });
			expect(r.json.meteringSn).toBe(deriveMeteringSn(record as never));
			expect((r.json.input as IDataObject).row).toBe(i);
			expect(record.begin_time).toBe(formatUsageTime(new Date(items[i].begin_time as string)));
		});
		// The signed body is the sent body: the mock checked both signatures over the bytes it got.
		expect(requests.map((r) => typeof r.sent.body)).toEqual(['string', 'string', 'string']);
		expect(requests[0].sent.headers).toEqual(
			expect.objectContaining({
				signature: expect.any(String),
				ts: expect.stringMatching(/^\d{13}$/),
				nonce: expect.any(String),
			}),
		);
	});

	it('adds nothing when the same push runs again', async () => {
		const items = usageItems(1200);
		await run(PUSH, items);
		const first = mock.records().map((s) => s.meteringSn);
		const { output } = await run(PUSH, items);
		expect(output[0].every((r) => r.json.status === 'pushed')).toBe(true);
		expect(mock.records().map((s) => s.meteringSn)).toEqual(first);
		expect(mock.duplicates()).toBe(1200);
	});

	it('reports bad input per item with the field name, and still pushes the valid items', async () => {
		const good = usageItems(3);
		const bad: IDataObject[] = [
			{ ...good[0], instance_id: undefined, row: 'no instance' },
			{
				...good[0],
				instance_id: 'instance-x',
				end_time: new Date(START - 3_600_000).toISOString(),
				row: 'end before begin',
			},
			{ ...good[0], instance_id: 'instance-y', usage_value: -1, row: 'negative' },
			{ ...good[0], instance_id: 'instance-z', usage_value: 'lots', row: 'not a number' },
			{ ...good[0], instance_id: 'instance-w', usage_value: 1.23456, row: 'five decimals' },
			{ ...good[0], begin_time: '2024-03-01 10:00:00', row: 'no zone' },
			{
				...good[0],
				begin_time: new Date(START - 30 * 86_400_000).toISOString(),
				instance_id: 'instance-old',
				row: 'too old',
			},
		];
		const items = [good[0], ...bad, good[1], good[2]];
		const { output } = await run(PUSH, items);
		const [results, failed] = output;
		expect(results.map((r) => [r.json.status, r.json.field ?? null])).toEqual([
			['pushed', null],
			['invalid', 'instance_id'],
			['invalid', 'end_time'],
			['invalid', 'usage_value'],
			['invalid', 'usage_value'],
			['invalid', 'usage_value'],
			['invalid', 'begin_time'],
			['invalid', 'begin_time'],
			['pushed', null],
			['pushed', null],
		]);
		expect(results[1].json.reason).toBe('instance_id is missing.');
		expect(results[2].json.reason).toBe('begin_time is after end_time.');
		expect(results[3].json.reason).toBe('usage_value must be greater than 0.');
		expect(results[5].json.reason).toMatch(/has more than 4 decimal places/);
		expect(results[6].json.reason).toMatch(/no time zone/);
		expect(results[7].json.reason).toMatch(/more than 21 days ago/);
		expect(failed.map((f) => f.pairedItem)).toEqual(
			[1, 2, 3, 4, 5, 6, 7].map((item) => ({ item })),
		);
		expect(failed.map((f) => f.json.status)).toEqual(Array(7).fill('invalid'));
		expect(mock.records().map((s) => s.record.instance_id)).toEqual([
			'instance-0',
			'instance-1',
			'instance-2',
		]);
		expect(mock.calls()).toHaveLength(1);
	});

	it('marks a second record with the same metering_sn invalid instead of sending it twice', async () => {
		const [one] = usageItems(1);
		const { output } = await run(PUSH, [one, { ...one, usage_value: 5 }]);
		expect(output[0].map((r) => [r.json.status, r.json.field ?? null])).toEqual([
			['pushed', null],
			['invalid', 'metering_sn'],
		]);
		expect(mock.records()).toHaveLength(1);
	});

	it('takes values from the parameters in "Values Below" mode, with a given metering_sn and package', async () => {
		const { context } = openApiExecuteContext({
			parameters: (i) => ({
				...FAST,
				resource: 'usage',
				operation: 'push',
				recordSource: 'mapped',
				instanceId: `inst-${i}`,
				beginTime: START,
				endTime: START + 3_600_000,
				usageValue: '2.5',
				meteringSn: i === 0 ? 'my-sn-0' : '',
				relatePkgInstance: i === 1 ? 'pkg-1' : '',
				recordTime: '',
			}),
			items: [{}, {}],
			credentials: mockCredentials(mock.url),
		});
		const [results] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(results.map((r) => r.json.status)).toEqual(['pushed', 'pushed']);
		const stored = mock.records();
		expect(stored[0].meteringSn).toBe('my-sn-0');
		expect(stored[0].record).toEqual(
			expect.objectContaining({ instance_id: 'inst-0', usage_value: 2.5 }),
		);
		expect(stored[1].record.relate_pkg_instance).toBe('pkg-1');
		expect(stored[1].meteringSn).toBe(deriveMeteringSn(stored[1].record as never));
	});

	it('with 30% random faults, every record ends accepted exactly once or reported failed; a re-run completes without duplicates', async () => {
		const items = usageItems(3000, 11);
		mock.setFaults({ seed: 42, errorRate: 0.1, dropRate: 0.1, dropAfterRate: 0.1 });
		const first = await run(
			{
				...PUSH,
				usageOptions: { batchSize: 100 },
				callOptions: { ...FAST.callOptions, maxAttempts: 2 },
			},
			items,
		);
		const [results, failed] = first.output;
		const storedSns = new Set(mock.records().map((s) => s.meteringSn));
		expect(mock.records()).toHaveLength(storedSns.size);
		const pushed = results.filter((r) => r.json.status === 'pushed');
		expect(pushed.length + failed.length).toBe(3000);
		expect(failed.length).toBeGreaterThan(0); // two attempts are not always enough at this fault rate
		for (const r of pushed) expect(storedSns.has(r.json.meteringSn as string)).toBe(true);
		for (const f of failed) {
			expect(f.json.status).toBe('failed');
			expect(f.json.reason).toMatch(/Gave up after 2 attempts\.$/);
		}
		const calls = mock.calls();
		expect(calls.filter((c) => c.fault === 'dropAfter').length).toBeGreaterThan(0);
		expect(mock.duplicates()).toBeGreaterThan(0); // a dropped answer after storing was retried and not counted twice

		const second = await run(
			{
				...PUSH,
				usageOptions: { batchSize: 100 },
				callOptions: { ...FAST.callOptions, maxAttempts: 10 },
			},
			items,
		);
		expect(second.output[1]).toEqual([]);
		expect(mock.records()).toHaveLength(3000);
		expect(new Set(mock.records().map((s) => s.meteringSn)).size).toBe(3000);
	});

	it('isolates a record KooGallery refuses (unknown instance) by halving, and pushes the rest of its batch', async () => {
		await mock.stop();
		mock = await startOpenApiMock({
			credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
			knownInstances: Array.from({ length: 7 }, (_, n) => `instance-${n}`),
		});
		const items = usageItems(1000);
		items[500] = { ...items[500], instance_id: 'instance-unknown' };
		const { output } = await run(PUSH, items);
		const [results, failed] = output;
		expect(failed.map((f) => f.pairedItem)).toEqual([{ item: 500 }]);
		expect(failed[0].json).toEqual(
			expect.objectContaining({
				status: 'failed',
				errorCode: 'MKT.9001',
				field: 'instance_id',
				reason: expect.stringMatching(/^MKT\.9001 Instance ID not found/),
			}),
		);
		expect(results.filter((r) => r.json.status === 'pushed')).toHaveLength(999);
		expect(mock.records()).toHaveLength(999);
		// 1000 -> 500 -> 250 -> ... -> 1: ten halvings, two calls each, after the first call.
		expect(mock.calls()).toHaveLength(21);
		expect(mock.calls().filter((c) => c.code === 'MKT.9001')).toHaveLength(11);
	});

	it('reports a refused group as a whole once the isolation budget is spent', async () => {
		await mock.stop();
		mock = await startOpenApiMock({
			credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
			knownInstances: ['nobody'],
		});
		const { output } = await run({ ...PUSH, usageOptions: { batchSize: 1000 } }, usageItems(1000));
		expect(output[1]).toHaveLength(1000);
		expect(mock.records()).toHaveLength(0);
		expect(mock.calls().length).toBeLessThanOrEqual(1 + MAX_ISOLATION_REQUESTS);
		expect(
			output[1].some((f) =>
				/limit of 200 requests for finding the bad records/.test(f.json.reason as string),
			),
		).toBe(true);
	});

	it('halves batches KooGallery finds too big (MKT.9003)', async () => {
		await mock.stop();
		mock = await startOpenApiMock({
			credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
			maxUsageRecords: 100,
		});
		const { output } = await run(PUSH, usageItems(250));
		expect(output[0].every((r) => r.json.status === 'pushed')).toBe(true);
		expect(mock.records()).toHaveLength(250);
		expect(mock.calls().map((c) => [c.records, c.code])).toEqual([
			[250, 'MKT.9003'],
			[125, 'MKT.9003'],
			[63, 'MKT.0000'],
			[62, 'MKT.0000'],
			[63, 'MKT.0000'],
			[62, 'MKT.0000'],
		]);
	});

	it('stops with a plain error when the seller key is wrong, and reports per record with Continue On Fail', async () => {
		const credentials = mockCredentials(mock.url, { sellerSecretKey: 'not-the-seller-key' });
		const error = await run(PUSH, usageItems(3), { credentials }).catch((e) => e);
		expect(error.message).toMatch(/^KooGallery refused the request: MKT\.0102 Invalid body sign/);
		expect(error.description).toContain('密钥管理');
		const { output } = await run(PUSH, usageItems(3), { credentials, continueOnFail: true });
		expect(output[1].map((f) => [f.json.status, f.json.errorCode])).toEqual(
			Array(3).fill(['failed', 'MKT.0102']),
		);
		expect(mock.records()).toHaveLength(0);
	});

	it('says what is missing when the credential has no seller key', async () => {
		const error = await run(PUSH, usageItems(1), {
			credentials: mockCredentials(mock.url, { sellerSecretKey: '' }),
		}).catch((e) => e);
		expect(error.message).toMatch(/Usage pushes need the seller key/);
		expect(mock.calls()).toHaveLength(0);
	});
});

describe('Usage > Push (Old API)', () => {
	it('sends product_id without metering_sn or usage headers, and reports a missing product_id', async () => {
		const items = usageItems(3).map((item, i) =>
			i === 1 ? item : { ...item, product_id: 'OFFI846204237451911168' },
		);
		const { output, requests } = await run(
			{ resource: 'usage', operation: 'pushOld', recordSource: 'fields' },
			items,
		);
		expect(output[0].map((r) => [r.json.status, r.json.field ?? null])).toEqual([
			['pushed', null],
			['invalid', 'product_id'],
			['pushed', null],
		]);
		expect(mock.oldRecords()).toHaveLength(2);
		expect(mock.oldRecords()[0]).toEqual(
			expect.objectContaining({ product_id: 'OFFI846204237451911168', instance_id: 'instance-0' }),
		);
		expect('metering_sn' in mock.oldRecords()[0]).toBe(false);
		expect(requests[0].sent.url).toBe(`${mock.url}/rest/marketplace/v1/isv/usage-data`);
		expect(Object.keys(requests[0].sent.headers as object).sort()).toEqual([
			'Authorization',
			'Content-Type',
			'X-Sdk-Date',
			'host',
		]);
	});
});

describe('License Code', () => {
	const LICENSE = { resource: 'licenseCode', apiVersion: 'v1' };

	it('activates a code once (v1), decoding license_code_info; a second activation is refused with 92020003', async () => {
		const { output } = await run({
			...LICENSE,
			operation: 'activate',
			licenseCodes: 'PLMOCK0000000001',
			realEffectTime: '2024-11-21T09:08:46Z',
		});
		expect(output[0][0].json).toEqual({
			license: 'PLMOCK0000000001',
			errorCode: '92020000',
			errorMsg: 'success',
			data: {
				license_code_info: {
					status: 'ALIVE',
					expire_time: '20271231235959',
					product_id: 'OFFI846204237451911168',
					amount: 2,
					order_id: 'CS2411210908MOCK1',
				},
			},
		});
		expect(mock.licenses().get('PLMOCK0000000001')?.state).toBe('ALIVE');
		const error = await run({
			...LICENSE,
			operation: 'activate',
			licenseCodes: 'PLMOCK0000000001',
		}).catch((e) => e);
		expect(error.message).toBe('KooGallery refused the request: 92020003 illegal state');
		expect(error.description).toMatch(/activate a code only once/);
	});

	it('queries a code (v1 heartbeat) with heartbeatInfo, and explains one not yet activated', async () => {
		const { output, requests } = await run({
			...LICENSE,
			operation: 'query',
			licenseCodes: 'PLMOCKACTIVE',
			thirdPartyAccount: 'acct-1',
			ip: '10.0.0.1',
		});
		expect(output[0][0].json.data).toEqual({
			license_code: 'PLMOCKACTIVE',
			status: 'ALIVE',
			activate_time: '20241121090846',
			expire_time: '20271231235959',
		});
		expect(requests[0].sent.body).toBe(
			'{"heartbeatInfo":{"ip":"10.0.0.1","thirdPartyAccount":"acct-1"},"license":"PLMOCKACTIVE"}',
		);
		const error = await run({
			...LICENSE,
			operation: 'query',
			licenseCodes: 'PLMOCK0000000002',
		}).catch((e) => e);
		expect(error.message).toBe(
			'KooGallery refused the request: 92020011 license code has been not activated.',
		);
	});

	it('activates and queries several codes in one v2 call; one bad code refuses the batch (92020020)', async () => {
		const v2 = { resource: 'licenseCode', apiVersion: 'v2' };
		const { output } = await run({
			...v2,
			operation: 'activate',
			licenseCodes: 'PLMOCK0000000003, PLMOCK0000000004',
		});
		expect(output[0][0].json.licenses).toEqual(['PLMOCK0000000003', 'PLMOCK0000000004']);
		expect((output[0][0].json.data as IDataObject).license_list).toEqual([
			expect.objectContaining({
				license: 'PLMOCK0000000003',
				license_code_info: expect.objectContaining({ status: 'ALIVE' }),
			}),
			expect.objectContaining({
				license: 'PLMOCK0000000004',
				license_code_info: expect.objectContaining({ status: 'ALIVE' }),
			}),
		]);
		const query = await run({
			...v2,
			operation: 'query',
			licenseCodes: ['PLMOCK0000000003', 'PLMOCK0000000004'],
		});
		expect(
			((query.output[0][0].json.data as IDataObject).license_list as IDataObject[]).map(
				(l) => l.status,
			),
		).toEqual(['ALIVE', 'ALIVE']);
		const error = await run({
			...v2,
			operation: 'activate',
			licenseCodes: 'PLMOCK0000000005\nPLNOSUCHCODE',
		}).catch((e) => e);
		expect(error.message).toBe(
			'KooGallery refused the request: 92020020 Invalid license code exists.',
		);
		expect(mock.licenses().get('PLMOCK0000000005')?.state).toBe('issued');
	});

	it('checks the input before calling, and continues per item when asked', async () => {
		const codes = ['A,B', 'PLMOCKNOTRECEIVED', 'PLMOCK0000000001'];
		const { context } = openApiExecuteContext({
			parameters: (i) => ({ ...FAST, ...LICENSE, operation: 'activate', licenseCodes: codes[i] }),
			items: [{}, {}, {}],
			credentials: mockCredentials(mock.url),
			continueOnFail: true,
		});
		const [out] = (await node.execute.call(context)) as INodeExecutionData[][];
		expect(out[0].json.error).toBe(
			'The v1 API takes one license code per call; 2 were given. Use v2 for several codes.',
		);
		expect(out[1].json).toEqual(expect.objectContaining({ errorCode: '92020004' }));
		expect(out[2].json.errorCode).toBe('92020000');
		expect(mock.calls()).toHaveLength(2);
	});
});

describe('credential test', () => {
	const credential = new KooGalleryOpenApi();

	/**
	 * Runs the credential's declarative test the way n8n 2.41.1's CredentialsTester does
	 * (n8n/dist/services/credentials-tester.service.js): the test request goes through
	 * httpRequestWithAuthentication with returnFullResponse, then the first responseSuccessBody
	 * rule whose key holds its value gives the error message.
	 */
	async function testCredential(
		credentials: IDataObject,
	): Promise<{ status: string; message: string }> {
		const { context } = openApiExecuteContext({ parameters: {}, credentials });
		const options = { ...credential.test.request, returnFullResponse: true } as IHttpRequestOptions;
		let response: { body: IDataObject };
		try {
			response = await context.helpers.httpRequestWithAuthentication.call(
				context,
				'kooGalleryOpenApi',
				options,
			);
		} catch (error) {
			return { status: 'Error', message: (error as Error).message };
		}
		for (const rule of credential.test.rules ?? []) {
			if (rule.type !== 'responseSuccessBody') continue;
			const { key, value, message } = rule.properties;
			const body = typeof response.body === 'object' && response.body !== null ? response.body : {};
			if (body[key] === value) return { status: 'Error', message };
		}
		return { status: 'OK', message: 'Connection successful!' };
	}

	it('passes with the right AK/SK, by querying the mock order once', async () => {
		expect(await testCredential(mockCredentials(mock.url))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(mock.calls()).toEqual([
			expect.objectContaining({ query: { orderId: 'MOCKPERIODYEARNEW' }, status: 200 }),
		]);
	});

	it('explains a wrong SK, a wrong address and an incomplete credential in plain words', async () => {
		expect(await testCredential(mockCredentials(mock.url, { secretAccessKey: 'wrong' }))).toEqual({
			status: 'Error',
			message:
				"MKT.0154 Illegal token: KooGallery did not accept the request signature. Check the AK and SK in the KooGallery Access Key credential (seller console: 我的凭证 (My Credentials) > 访问密钥 (Access Keys)) and that this machine's clock is right.",
		});
		const elsewhere = await testCredential(mockCredentials(`${mock.url}/not-koogallery`));
		expect(elsewhere.message).toMatch(/^The answer carries no KooGallery result code\./);
		const incomplete = await testCredential(mockCredentials(mock.url, { accessKeyId: '' }));
		expect(incomplete).toEqual({
			status: 'Error',
			message: expect.stringContaining('The Access Key ID (AK) is empty.'),
		});
	});
});
