/**
 * Order notification (订单通知) end to end: both example workflows (workflows/koogallery-order-
 * notify.json with an n8n Data table, and its PostgreSQL variant) imported as shipped into one real
 * n8n 2.41.1 with this pack, against the KooGallery Open API mock and two team chats that keep what
 * they receive. The simulator plays the order notification plan; then each workflow's promises are
 * checked where they are kept: every notified order recorded once with what to deliver to whom
 * (read with Order > Get), a later resend with a new signature creating nothing new, an order the
 * Order API does not know recorded as unknown, refused calls starting no execution.
 *
 * A resend "days later" is a call with a new signature, nonce and timestamp for an order processed
 * long before; nothing in the workflows depends on how long before, so the test does not wait days.
 * Needs `npm run build` and PostgreSQL (`.ci/install-postgres`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { exampleCredentials } from '../../scripts/example-credentials.cjs';
import {
	readDataTableRows,
	waitForDataTable,
	type DataTableInfo,
} from '../../scripts/n8n-data-tables.cjs';
import { ensureN8n, installPack, type N8nInstall } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { startPostgres, type PostgresServer } from '../../scripts/postgres.cjs';
import { formatResults, type CaseResult } from '../../simulator/checks.cjs';
import { generatedOrders } from '../../simulator/openapi-mock-data.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import {
	MADE_UP_ORDER,
	NOTIFIED_ORDERS,
	runOrderNotify,
} from '../../simulator/order-notify-scenarios.cjs';
import { call, newNonce, newOrder, send, signCall } from '../../simulator/saas-v2-client.cjs';
import { busyLimitOff } from './trigger-workflows.cjs';
import {
	CHAT_PLACEHOLDER,
	SECRETS,
	startChat,
	waitFor,
	type Alert,
	type Workflow,
} from './workflows-env.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const KEY = SECRETS.sellerKey;
const TABLE = 'koogallery_orders';
const VARIANTS = {
	dataTable: 'koogallery-order-notify.json',
	postgres: 'koogallery-order-notify-postgres.json',
} as const;
type Variant = keyof typeof VARIANTS;

/** One recorded order, read the same way from the Data table and from PostgreSQL. */
interface OrderRow {
	orderId: string;
	orderLineId: string;
	status: string;
	orderType: string | null;
	productName: string | null;
	skuCode: string | null;
	quantity: string | null;
	chargingMode: string | null;
	customerRealName: string | null;
	orderError: string | null;
	testCall: boolean;
	timesNotified: number;
}

const notify = (order: { orderId: string; orderLineId: string }, testFlag = '0') => ({
	activity: 'orderNotify',
	...order,
	testFlag,
});

jest.setTimeout(90_000);

describe('order notification (订单通知) in a real n8n: the example workflows', () => {
	let install: N8nInstall;
	let n8n: N8nHandle;
	let pg: PostgresServer;
	let openApi: OpenApiMock;
	let userFolder: string;
	let table: DataTableInfo;
	const workflows = {} as Record<Variant, Workflow>;
	const urls = {} as Record<Variant, string>;
	const chats = {} as Record<Variant, { url: string; alerts: Alert[]; stop(): Promise<void> }>;
	/** Orders the Open API mock knows besides the documented ones, for the concurrency case. */
	const [concurrentDt, concurrentPg] = generatedOrders(2);
	const stops: Array<() => Promise<void> | void> = [];

	const ordersOf = async (variant: Variant): Promise<OrderRow[]> => {
		if (variant === 'postgres') {
			return pg.rows<OrderRow>(
				`SELECT order_id AS "orderId", order_line_id AS "orderLineId", status, order_type AS "orderType",
					product_name AS "productName", sku_code AS "skuCode", quantity, charging_mode AS "chargingMode",
					customer_real_name AS "customerRealName", order_error AS "orderError", test_call AS "testCall",
					times_notified AS "timesNotified"
				FROM koogallery_orders ORDER BY first_notified_at, order_id`,
			);
		}
		const rows = await readDataTableRows(install, userFolder, table);
		const text = (value: unknown) =>
			value === null || value === undefined || value === '' ? null : String(value);
		return rows.map((row) => ({
			orderId: String(row.orderId),
			orderLineId: String(row.orderLineId ?? ''),
			status: String(row.status),
			orderType: text(row.orderType),
			productName: text(row.productName),
			skuCode: text(row.skuCode),
			quantity: text(row.quantity),
			chargingMode: text(row.chargingMode),
			customerRealName: text(row.customerRealName),
			orderError: text(row.orderError),
			// SQLite keeps booleans as 0/1.
			testCall: row.testCall === true || row.testCall === 1,
			timesNotified: Number(row.timesNotified),
		}));
	};
	const orderRows = async (variant: Variant, orderId: string) =>
		(await ordersOf(variant)).filter((row) => row.orderId === orderId);
	const messagesAbout = (variant: Variant, orderId: string) =>
		chats[variant].alerts.filter((alert) => alert.text.includes(orderId));
	/** Waits until every execution the workflow started has finished, and at least `count` of them. */
	const settled = async (variant: Variant, count: number) => {
		const id = workflows[variant].id;
		await n8n.waitForExecutions(count, { workflowId: id });
		return await waitFor(`the runs of ${variant} to finish`, async () => {
			const runs = await n8n.listExecutions(id);
			return runs.every((run) => run.stoppedAt !== null) ? runs : undefined;
		});
	};
	const runCount = async (variant: Variant) =>
		(await n8n.listExecutions(workflows[variant].id)).length;

	beforeAll(async () => {
		install = await ensureN8n();
		try {
			pg = await startPostgres();
			stops.push(() => pg.stop());
			openApi = await startOpenApiMock({
				credentials: { ak: SECRETS.ak, sk: SECRETS.sk, sellerKey: KEY },
				orders: [concurrentDt, concurrentPg],
			});
			stops.push(() => openApi.stop());
			for (const variant of Object.keys(VARIANTS) as Variant[]) {
				chats[variant] = await startChat();
				stops.push(() => chats[variant].stop());
				const text = fs.readFileSync(path.join(REPO_ROOT, 'workflows', VARIANTS[variant]), 'utf8');
				// Copies arrive at once: Busy Limit Auto would turn some away or not depending on the machine's speed.
				workflows[variant] = busyLimitOff(
					JSON.parse(text.split(CHAT_PLACEHOLDER).join(chats[variant].url)) as Workflow,
				);
			}
			userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-orders-'));
			stops.push(() => {
				if (!process.env.KEEP_N8N_FOLDER) fs.rmSync(userFolder, { recursive: true, force: true });
			});
			installPack(userFolder);
			n8n = await startN8n({
				userFolder,
				workflows: [workflows.dataTable, workflows.postgres],
				credentials: exampleCredentials(SECRETS, pg, openApi.url),
			});
			stops.push(() => n8n.stop());
			for (const variant of Object.keys(VARIANTS) as Variant[]) {
				const trigger = workflows[variant].nodes.find(
					(n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger',
				);
				urls[variant] = `${n8n.baseUrl}/webhook/${String(trigger?.parameters.path)}`;
			}
			table = await waitForDataTable(install, userFolder, TABLE);
			await waitFor('the PostgreSQL table koogallery_orders', () =>
				pg.rows<{ name: string }>(
					"SELECT tablename AS name FROM pg_tables WHERE tablename = 'koogallery_orders'",
				).length
					? true
					: undefined,
			);
		} catch (error) {
			for (const stop of stops.reverse()) await stop();
			throw error;
		}
	}, 20 * 60_000);

	afterAll(async () => {
		for (const stop of stops.reverse()) await stop();
	}, 120_000);

	it('ships the PostgreSQL variant with its tables and functions as in workflows/sql/', () => {
		// The PostgreSQL variant reads the order in the database (workflows/sql/koogallery-order-notify.sql)
		// instead of a Code step; each variant's test below checks both write the same rows and messages.
		expect(
			workflows.postgres.nodes.filter((n) => n.type === 'n8n-nodes-base.code').map((n) => n.name),
		).toEqual([]);
		expect(
			workflows.postgres.nodes.find((n) => n.name === 'Create the tables')?.parameters.query,
		).toBe(
			fs.readFileSync(
				path.join(REPO_ROOT, 'workflows', 'sql', 'koogallery-order-notify.sql'),
				'utf8',
			),
		);
		for (const variant of Object.keys(VARIANTS) as Variant[]) {
			const notes = workflows[variant].nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
			expect(String(notes[0].parameters.content)).toMatch(/Set up, once/);
		}
	});

	describe.each(Object.keys(VARIANTS) as Variant[])('%s', (variant) => {
		const [oneTime, yearly] = NOTIFIED_ORDERS;

		it('passes every case of the simulator plan, as real calls and as debugging calls', async () => {
			for (const testFlag of [false, true]) {
				const results: CaseResult[] = await runOrderNotify(urls[variant], KEY, { testFlag });
				const failures = results.filter((r) => !r.pass);
				if (failures.length) process.stderr.write(`${formatResults(results)}\n`);
				expect(failures.map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
				expect(results.length).toBe(11);
			}
			const runs = await settled(variant, 1);
			expect(runs.filter((run) => run.status !== 'success')).toEqual([]);
		}, 180_000);

		it('records each notified order once, with what to deliver to whom from Order > Get, and tells the team once', async () => {
			// Each plan notified the one-time order 3 times (paid, KooGallery's retry, the console's resend).
			const [first] = await orderRows(variant, oneTime.orderId);
			expect(await orderRows(variant, oneTime.orderId)).toHaveLength(1);
			expect(first).toEqual({
				orderId: oneTime.orderId,
				orderLineId: oneTime.orderLineId,
				status: 'open',
				orderType: 'NEW',
				productName: 'MOCK测试商品,测试规格,基础版,一次性',
				skuCode: '0a4d1578-5295-46a7-92d4-7c803dccc51d',
				quantity: '50',
				chargingMode: 'ONE_TIME',
				customerRealName: '测试用户1',
				orderError: null,
				testCall: false,
				timesNotified: expect.any(Number),
			});
			// PostgreSQL counts every copy in one statement; the Data table variant does not count a
			// copy that arrived while the first was still being recorded (it only removes its own row).
			if (variant === 'postgres') expect(first.timesNotified).toBe(6);
			else expect(first.timesNotified).toBeGreaterThanOrEqual(1);
			expect(first.timesNotified).toBeLessThanOrEqual(6);
			expect(await orderRows(variant, yearly.orderId)).toMatchObject([
				{ status: 'open', orderType: 'NEW', chargingMode: 'PERIOD' },
			]);
			const messages = messagesAbout(variant, oneTime.orderId);
			expect(messages.map((m) => m.text)).toEqual([
				`[KooGallery] Order ${oneTime.orderId}: Deliver it.\nWhat: MOCK测试商品,测试规格,基础版,一次性, quantity 50 (SKU 0a4d1578-5295-46a7-92d4-7c803dccc51d)\nFor: 测试用户1 (18688888888)\nAmount: 100, order line ${oneTime.orderLineId}`,
			]);
			expect(messagesAbout(variant, yearly.orderId)).toHaveLength(1);
			// The debugging page's made-up order: kept as unknown, marked as a test call.
			expect(await orderRows(variant, MADE_UP_ORDER.orderId)).toMatchObject([
				{
					status: 'unknown',
					testCall: true,
					orderType: null,
					orderError: expect.stringContaining('MKT.0150'),
				},
			]);
		});

		it('a resend days later (new signature, same order) creates nothing new, reads nothing and tells nobody', async () => {
			const before = {
				rows: (await ordersOf(variant)).length,
				runs: await runCount(variant),
				queries: openApi.calls().length,
			};
			const [row] = await orderRows(variant, oneTime.orderId);
			const answer = await call(urls[variant], KEY, notify(oneTime));
			expect(answer.json).toEqual({ resultCode: '000000', resultMsg: 'Success' });
			await settled(variant, before.runs + 1);
			expect((await ordersOf(variant)).length).toBe(before.rows);
			expect(await orderRows(variant, oneTime.orderId)).toEqual([
				{ ...row, timesNotified: row.timesNotified + 1 },
			]);
			expect(
				openApi
					.calls()
					.slice(before.queries)
					.filter((c) => c.path === OPEN_API_PATHS.orderQuery),
			).toEqual([]);
			expect(messagesAbout(variant, oneTime.orderId)).toHaveLength(1);
		});

		it('records an order the Order API does not know as unknown, and tells the team so', async () => {
			const order = newOrder();
			const runs = await runCount(variant);
			const answer = await call(urls[variant], KEY, notify(order));
			expect(answer.json?.resultCode).toBe('000000');
			await settled(variant, runs + 1);
			expect(await orderRows(variant, order.orderId)).toMatchObject([
				{
					orderLineId: order.orderLineId,
					status: 'unknown',
					testCall: false,
					timesNotified: 1,
					orderError: expect.stringContaining('MKT.0150'),
				},
			]);
			const message = await waitFor(
				'the message about the unknown order',
				() => messagesAbout(variant, order.orderId)[0],
			);
			expect(message.text).toMatch(/Order API does not know it/);
		});

		it('records copies of one order arriving at the same moment once, and tells the team once', async () => {
			const order = variant === 'dataTable' ? concurrentDt : concurrentPg;
			const line = { orderId: order.orderId, orderLineId: String(order.orderLine[0].orderLineId) };
			const runs = await runCount(variant);
			const answers = await Promise.all(
				[1, 2, 3].map(() => call(urls[variant], KEY, notify(line))),
			);
			expect(answers.map((a) => a.json?.resultCode)).toEqual(['000000', '000000', '000000']);
			await settled(variant, runs + 3);
			expect(await orderRows(variant, order.orderId)).toMatchObject([
				{
					status: 'open',
					productName: String(
						(order.orderLine[0].productInfo as Array<{ productName: string }>)[0].productName,
					),
				},
			]);
			await waitFor('the message about the order', () => messagesAbout(variant, order.orderId)[0]);
			expect(messagesAbout(variant, order.orderId)).toHaveLength(1);
		});
	});

	it('refuses forged, stale, replayed, changed and order-less calls without starting an execution', async () => {
		const url = urls.dataTable;
		const [, yearly] = NOTIFIED_ORDERS;
		const before = await runCount('dataTable');
		const good = signCall(url, KEY, notify(yearly));
		const forged = new URL(good.url);
		forged.searchParams.set('signature', 'ab'.repeat(32));
		const replayed = signCall(url, KEY, notify(yearly), { nonce: newNonce() });
		expect((await send(replayed, KEY)).json?.resultCode).toBe('000000');
		const answers = [
			await send({ ...good, url: forged.toString() }, KEY),
			await call(url, KEY, notify(yearly), { signWith: `${KEY}-other` }),
			await call(url, KEY, notify(yearly), { timestampMs: Date.now() - 10 * 60_000 }),
			await send(replayed, KEY),
			await send({ ...good, body: good.body.replace(yearly.orderId, 'MOCKONETIMENEW') }, KEY),
			await call(url, KEY, { activity: 'orderNotify', orderLineId: 'X-000001', testFlag: '0' }),
		];
		expect(answers.map((a) => [a.json?.resultCode, a.signed])).toEqual([
			['000001', true],
			['000001', true],
			['000002', true],
			['000001', true],
			['000001', true],
			['000002', true],
		]);
		// Only the first copy of the replayed call ran; a good call afterwards is the next run.
		await settled('dataTable', before + 1);
		expect(await runCount('dataTable')).toBe(before + 1);
		await call(url, KEY, notify(yearly));
		const runs = await settled('dataTable', before + 2);
		expect(runs).toHaveLength(before + 2);
	});
});
