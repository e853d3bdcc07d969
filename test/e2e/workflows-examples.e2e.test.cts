/**
 * The example workflows (workflows/koogallery-*.json) end to end: all six imported and published
 * into one real n8n 2.41.1 with this pack, on a real PostgreSQL, against the KooGallery Open API
 * mock and a user-management API mock (test/e2e/workflows-env.cts). For each KooGallery workflow
 * the simulator plays every case of its protocol; then each workflow's own promises are checked
 * in the database: one instance per order however often KooGallery repeats it, the order details
 * read before provisioning, exactly the accepted usage rows marked, the directory kept by
 * idempotency key, one signed license per order or event, and a plain alert naming the order when
 * a database or API fails.
 *
 * The usage-metering schedule runs every few seconds here instead of hourly; nothing else in the
 * shipped workflows is changed but the addresses a seller fills in. Needs `npm run build` and
 * PostgreSQL (`.ci/install-postgres`).
 */
import { verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { sendHttp, type CallAnswer } from '../../simulator/http.cjs';
import { runKit, signKitCall } from '../../simulator/kit-scenarios.cjs';
import { runLicense } from '../../simulator/license-scenarios.cjs';
import { call, newBusinessId, newOrder } from '../../simulator/saas-v2-client.cjs';
import { runSaasV2 } from '../../simulator/saas-v2-scenarios.cjs';
import { signV1Call } from '../../simulator/v1-client.cjs';
import { sqlLiteral as q } from '../../scripts/postgres.cjs';
import { expectAllPass } from './plans.cjs';
import {
	readWorkflow,
	SECRETS,
	startExampleEnvironment,
	waitFor,
	WORKFLOW_FILES,
	type ExampleEnvironment,
	type ExampleName,
} from './workflows-env.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const KEY = SECRETS.sellerKey;
const ok = { resultCode: '000000', resultMsg: 'Success' };
const tryLater = {
	resultCode: '000005',
	resultMsg: 'The order could not be processed right now. Please try again later.',
};

jest.setTimeout(180_000);

describe('the example workflows in a real n8n with a real PostgreSQL', () => {
	let env: ExampleEnvironment;
	const rows = <T = Record<string, unknown>,>(query: string) => env.pg.rows<T>(query);
	/** The alerts whose text contains every one of `parts`, waiting until there is one. */
	const alertAbout = (...parts: string[]) =>
		waitFor(`an alert about ${parts.join(', ')}`, () => {
			const found = env.alerts.find((alert) => parts.every((part) => alert.text.includes(part)));
			return found?.text;
		});

	beforeAll(async () => {
		env = await startExampleEnvironment();
	}, 20 * 60_000);

	afterAll(async () => {
		await env?.stop();
	}, 120_000);

	describe('as shipped', () => {
		it.each(Object.keys(WORKFLOW_FILES) as ExampleName[])(
			'%s: is published, has sticky notes for the person setting it up, and names the failure-alerts workflow',
			async (name) => {
				const shipped = readWorkflow(name);
				expect(env.n8n.workflowIds).toContain(shipped.id);
				const notes = shipped.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
				expect(notes.length).toBeGreaterThanOrEqual(2);
				expect(String(notes[0].parameters.content)).toMatch(/Set up, once/);
				if (name === 'alerts') {
					expect(shipped.nodes.map((n) => n.type)).toContain('n8n-nodes-base.errorTrigger');
				} else {
					expect(shipped.settings.errorWorkflow).toBe(readWorkflow('alerts').id);
				}
				const runs = await env.n8n.listExecutions(shipped.id);
				expect(runs.filter((run) => run.status === 'crashed')).toEqual([]);
			},
		);

		it('creates its tables with exactly the SQL shipped in workflows/sql/', () => {
			for (const [name, file] of [
				['postgres', 'koogallery-saas-v2-postgres.sql'],
				['usage', 'koogallery-usage-metering.sql'],
				['kit', 'koogallery-kit-directory.sql'],
				['license', 'koogallery-license.sql'],
			] as Array<[ExampleName, string]>) {
				const create = readWorkflow(name).nodes.find((n) => n.name === 'Create the tables');
				expect([name, create?.parameters.query]).toEqual([
					name,
					fs.readFileSync(path.join(REPO_ROOT, 'workflows', 'sql', file), 'utf8'),
				]);
			}
		});
	});

	describe('SaaS V2.0 in PostgreSQL', () => {
		const buy = async (order = newOrder(), businessId = newBusinessId()) =>
			await call(env.urls.postgres, KEY, { activity: 'newInstance', ...order, businessId });

		it('passes every case of the simulator, as real calls and as debugging calls', async () => {
			for (const testFlag of [false, true]) {
				expectAllPass(await runSaasV2(env.urls.postgres, KEY, { testFlag }), 18);
			}
		}, 120_000);

		it('reads the order from KooGallery (Order > Get) before provisioning, and stores customer, product and expiry', async () => {
			const before = env.openApi.calls().length;
			const order = { orderId: 'MOCKPERIODYEARNEW', orderLineId: 'MOCKPERIODYEARNEW-000001' };
			const businessId = newBusinessId();
			const first = await buy(order, businessId);
			expect(first.json).toEqual({ ...ok, instanceId: businessId });
			const again = await buy(order);
			expect(again.json).toEqual({ ...ok, instanceId: businessId });

			// The order is read on each call (the repeat too: the workflow has no branch to skip it);
			// the repeat changed nothing (the row below is the first call's).
			const queries = env.openApi
				.calls()
				.slice(before)
				.filter((c) => c.path === OPEN_API_PATHS.orderQuery);
			expect(queries.map((c) => [c.path, c.query.orderId, c.query.orderLineId, c.code])).toEqual([
				[OPEN_API_PATHS.orderQuery, order.orderId, order.orderLineId, 'MKT.0000'],
				[OPEN_API_PATHS.orderQuery, order.orderId, order.orderLineId, 'MKT.0000'],
			]);
			expect(
				rows(
					`SELECT instance_id, product_id, sku_code, charging_mode, expire_time, customer_id, order_checked, order_check_error, status, test_call
					FROM koogallery_instances WHERE order_id = 'MOCKPERIODYEARNEW'`,
				),
			).toEqual([
				{
					instance_id: businessId,
					product_id: 'OFFI846204237451911168',
					sku_code: '0a4d1578-5295-46a7-92d4-7c803dccc51d',
					charging_mode: 'PERIOD',
					expire_time: '20251121235959',
					customer_id: '459bbbec25d24749b2eb83be37b602a8',
					order_checked: true,
					order_check_error: null,
					status: 'active',
					test_call: false,
				},
			]);
			expect(
				rows(`SELECT customer_name, real_name, mobile, email FROM koogallery_tenants
					WHERE customer_id = '459bbbec25d24749b2eb83be37b602a8'`),
			).toEqual([
				{
					customer_name: 'mock_user_01',
					real_name: '测试用户1',
					mobile: '18688888888',
					email: null,
				},
			]);
		});

		it('still provisions an order KooGallery cannot describe (debugging calls), noting why', async () => {
			const order = newOrder();
			const answer = await buy(order);
			expect(answer.json?.resultCode).toBe('000000');
			const [row] = rows<{ order_checked: boolean; order_check_error: string; customer_id: null }>(
				`SELECT order_checked, order_check_error, customer_id FROM koogallery_instances WHERE order_id = ${q(order.orderId)}`,
			);
			expect(row.order_checked).toBe(false);
			expect(row.customer_id).toBeNull();
			expect(row.order_check_error).toContain('MKT.0150');
		});

		it('gives copies of one new order that arrive at the same moment one instance ID, one instance and one login', async () => {
			const order = newOrder();
			const businessIds = Array.from({ length: 6 }, () => newBusinessId());
			const answers = await Promise.all(businessIds.map((id) => buy(order, id)));
			expect(answers.map((a) => a.json?.resultCode)).toEqual(businessIds.map(() => '000000'));
			const ids = [...new Set(answers.map((a) => a.json?.instanceId))];
			expect(ids).toHaveLength(1);
			expect(businessIds).toContain(ids[0]);
			expect(
				rows(`SELECT i.instance_id, c.user_name FROM koogallery_instances i
					JOIN koogallery_credentials c USING (instance_id) WHERE order_id = ${q(order.orderId)}`),
			).toEqual([{ instance_id: ids[0], user_name: `admin-${order.orderId.toLowerCase()}` }]);
		});

		it('answers queryInstance with the stored login details, and 000003 when any instance asked about is unknown', async () => {
			const one = String((await buy()).json?.instanceId);
			const two = String((await buy()).json?.instanceId);
			const login = (id: string) =>
				rows<Record<string, string>>(
					`SELECT instance_id AS "instanceId", front_end_url AS "frontEndUrl", user_name AS "userName", password
					FROM koogallery_credentials WHERE instance_id = ${q(id)}`,
				)[0];
			const info = (id: string) => {
				const { instanceId, ...appInfo } = login(id);
				return { instanceId, appInfo };
			};
			const both = await call(env.urls.postgres, KEY, {
				activity: 'queryInstance',
				instanceId: `${two},${one}`,
			});
			expect(both.json).toEqual({ ...ok, info: [info(two), info(one)] });
			expect(login(one).frontEndUrl).toBe(`https://app.example.com/login?tenant=${one}`);
			expect(login(one).password).toMatch(/^[A-Za-z0-9]{16}$/);
			const unknown = await call(env.urls.postgres, KEY, {
				activity: 'queryInstance',
				instanceId: `${one},no-such-instance`,
			});
			expect(unknown.json).toEqual({
				resultCode: '000003',
				resultMsg: 'Instance ID does not exist: no-such-instance',
			});
		});

		it('renews, freezes, unfreezes, upgrades and releases the row, repeats change nothing new, and answers 000003 for an unknown instance', async () => {
			const { orderId } = newOrder();
			const instanceId = String(
				(await buy({ orderId, orderLineId: `${orderId}-000001` })).json?.instanceId,
			);
			const state = () =>
				rows(
					`SELECT status, expire_time, last_order_id, product_id FROM koogallery_instances WHERE instance_id = ${q(instanceId)}`,
				)[0];
			const renewal = newOrder();
			const send = (payload: Record<string, unknown>) => call(env.urls.postgres, KEY, payload);
			const renew = {
				activity: 'refreshInstance',
				...renewal,
				instanceId,
				scene: 'RENEWAL',
				productId: 'renewed-product',
				expireTime: '20301231235959',
			};
			const renewed = {
				status: 'active',
				expire_time: '20301231235959',
				last_order_id: renewal.orderId,
				product_id: 'renewed-product',
			};
			for (let i = 0; i < 2; i++) {
				expect((await send(renew)).json).toEqual(ok);
				expect(state()).toEqual(renewed);
			}
			expect(
				(await send({ activity: 'updateInstanceStatus', instanceId, status: 'FREEZE' })).json,
			).toEqual(ok);
			expect(state()).toEqual({ ...renewed, status: 'frozen' });
			expect(
				(await send({ activity: 'updateInstanceStatus', instanceId, status: 'UNFREEZE' })).json,
			).toEqual(ok);
			expect(state()).toEqual(renewed);
			// Fields another scenario uses, sent with an upgrade in odd types, change nothing else and
			// are no reason to refuse it.
			const upgrade = newOrder();
			const oddUpgrade = {
				activity: 'upgradeInstance',
				instanceId,
				...upgrade,
				expireTime: 20991231235959,
				productId: ['other-product'],
				status: { value: 'FREEZE' },
			};
			for (let i = 0; i < 2; i++) {
				expect((await send(oddUpgrade)).json).toEqual(ok);
				expect(state()).toEqual({ ...renewed, last_order_id: upgrade.orderId });
			}
			for (let i = 0; i < 2; i++) {
				expect((await send({ activity: 'releaseInstance', instanceId })).json).toEqual(ok);
				expect(state().status).toBe('released');
			}
			expect(
				(await send({ activity: 'updateInstanceStatus', instanceId, status: 'UNFREEZE' })).json,
			).toEqual(ok);
			expect(state()).toEqual({
				...renewed,
				status: 'released',
				last_order_id: upgrade.orderId,
			});
			const unknown = { resultCode: '000003', resultMsg: 'Instance ID does not exist' };
			const nobody = 'no-such-instance';
			for (const payload of [
				{ ...renew, instanceId: nobody },
				{ activity: 'updateInstanceStatus', instanceId: nobody, status: 'FREEZE' },
				{ activity: 'releaseInstance', instanceId: nobody },
				{ activity: 'upgradeInstance', instanceId: nobody, ...newOrder() },
			]) {
				expect([payload.activity, (await send(payload)).json]).toEqual([payload.activity, unknown]);
			}
			expect(
				rows(
					`SELECT count(*)::int AS n FROM koogallery_instances WHERE instance_id = ${q(nobody)}`,
				),
			).toEqual([{ n: 0 }]);
		});

		it('answers 000005 to a renewal when the database fails, tells the operator which instance, and renews when KooGallery calls again', async () => {
			const { orderId } = newOrder();
			const instanceId = String(
				(await buy({ orderId, orderLineId: `${orderId}-000001` })).json?.instanceId,
			);
			const renewal = {
				activity: 'refreshInstance',
				...newOrder(),
				instanceId,
				scene: 'RENEWAL',
				expireTime: '20311231235959',
			};
			env.pg.sql('ALTER TABLE koogallery_instances RENAME TO koogallery_instances_away');
			try {
				const answer = await call(env.urls.postgres, KEY, renewal);
				expect([answer.status, answer.json, answer.signed]).toEqual([200, tryLater, true]);
			} finally {
				env.pg.sql('ALTER TABLE koogallery_instances_away RENAME TO koogallery_instances');
			}
			const text = await alertAbout(instanceId, renewal.orderId);
			expect(text).toContain(
				`KooGallery Renewal or Trial to Paid for instance ${instanceId} (order ${renewal.orderId}) could not be completed: step "Save the change": PostgreSQL said "relation "koogallery_instances" does not exist"`,
			);
			expect((await call(env.urls.postgres, KEY, renewal)).json).toEqual(ok);
			expect(
				rows(
					`SELECT expire_time, last_order_id FROM koogallery_instances WHERE instance_id = ${q(instanceId)}`,
				),
			).toEqual([{ expire_time: '20311231235959', last_order_id: renewal.orderId }]);
		});

		it('holds exactly one instance per order after the simulator and the tests sent duplicates, each with its login', () => {
			expect(
				rows(`SELECT order_id, order_line_id, count(*)::int AS n FROM koogallery_instances
					GROUP BY order_id, order_line_id HAVING count(*) <> 1`),
			).toEqual([]);
			expect(
				rows(`SELECT instance_id FROM koogallery_instances i WHERE NOT EXISTS
				(SELECT 1 FROM koogallery_credentials c WHERE c.instance_id = i.instance_id)`),
			).toEqual([]);
		});

		it('answers 000005 when the database fails, and the operator is told which order failed and why', async () => {
			env.pg.sql('ALTER TABLE koogallery_instances RENAME TO koogallery_instances_away');
			const order = newOrder();
			try {
				const answer = await buy(order);
				expect([answer.status, answer.json, answer.signed]).toEqual([200, tryLater, true]);
			} finally {
				env.pg.sql('ALTER TABLE koogallery_instances_away RENAME TO koogallery_instances');
			}
			const text = await alertAbout(order.orderId);
			expect(text).toContain(
				`KooGallery New Purchase for order ${order.orderId} could not be completed`,
			);
			expect(text).toContain('PostgreSQL said "relation "koogallery_instances" does not exist"');
			expect(text).toContain('KooGallery was told to try again later (000005)');
			expect(text).toContain('What to check: the table is missing');
			expect(text).toContain('Workflow "KooGallery SaaS V2.0: orders in PostgreSQL"');
			expect(text).toMatch(
				/Open the run: http:\/\/127\.0\.0\.1:\d+\/workflow\/KooGallerySaasV2Pg\/executions\/\d+/,
			);
			// KooGallery calls again later; then the order is provisioned once.
			const retry = await buy(order);
			expect(retry.json?.resultCode).toBe('000000');
			expect(
				rows(
					`SELECT count(*)::int AS n FROM koogallery_instances WHERE order_id = ${q(order.orderId)}`,
				),
			).toEqual([{ n: 1 }]);
		});
	});

	describe('SaaS V2.0 through the user-management API', () => {
		const buy = (order = newOrder()) =>
			call(env.urls.rest, KEY, { activity: 'newInstance', ...order, businessId: newBusinessId() });

		it('passes every case of the simulator, as real calls and as debugging calls', async () => {
			for (const testFlag of [false, true]) {
				expectAllPass(await runSaasV2(env.urls.rest, KEY, { testFlag }), 18);
			}
		}, 120_000);

		it('makes one account per order, however often and however simultaneously KooGallery repeats it', async () => {
			const order = newOrder();
			const answers = await Promise.all(Array.from({ length: 5 }, () => buy(order)));
			answers.push(await buy(order));
			const ids = [...new Set(answers.map((a) => a.json?.instanceId))];
			expect(answers.map((a) => a.json?.resultCode)).toEqual(answers.map(() => '000000'));
			expect(ids).toHaveLength(1);
			const accounts = env.userApi.accounts();
			// The account's externalId is KooGallery's order line ID (unique per order line).
			expect(accounts.filter((a) => a.externalId === order.orderLineId).map((a) => a.id)).toEqual(
				ids,
			);
			const perOrder = new Map<string, number>();
			for (const account of accounts)
				perOrder.set(account.externalId, (perOrder.get(account.externalId) ?? 0) + 1);
			expect([...perOrder].filter(([, n]) => n !== 1)).toEqual([]);
		});

		it('answers a new purchase 000005 when the API answers 2xx without the account id, and 000000 with the id it gives', async () => {
			const notMade = {
				resultCode: '000005',
				resultMsg: 'The instance has not been created. Please try again later.',
			};
			const cases: Array<[string, number, unknown, Record<string, unknown>]> = [
				['201 without id', 201, { externalId: 'x', status: 'active' }, notMade],
				['200 with id null', 200, { id: null, status: 'pending' }, notMade],
				['201 with an empty id', 201, { id: '' }, notMade],
				['204 without a body', 204, undefined, notMade],
				['201 with an id', 201, { id: 'acc_given_1' }, { ...ok, instanceId: 'acc_given_1' }],
				['200 with a number as id', 200, { id: 90210 }, { ...ok, instanceId: '90210' }],
			];
			for (const [name, status, body, expected] of cases) {
				env.userApi.answerNext(status, body);
				const order = newOrder();
				const answer = await buy(order);
				expect([name, answer.status, answer.json, answer.signed]).toEqual([
					name,
					200,
					expected,
					true,
				]);
				if (expected === notMade) {
					// KooGallery calls again later; the API now makes the account, whose id is answered.
					const retry = await buy(order);
					const made = env.userApi.accounts().find((a) => a.externalId === order.orderLineId);
					expect([name, made?.id]).toEqual([name, expect.stringMatching(/^acc_[0-9a-f]{16}$/)]);
					expect([name, retry.json]).toEqual([name, { ...ok, instanceId: made?.id }]);
				}
			}
		});

		it("answers queryInstance from the API's account, and carries renewals, freezes and releases to it", async () => {
			const order = newOrder();
			const instanceId = String((await buy(order)).json?.instanceId);
			const account = () => env.userApi.accounts().find((a) => a.id === instanceId);
			// The new purchase sent exactly the account fields of the API's contract, as JSON.
			const created = env.userApi
				.calls()
				.find(
					(c) =>
						c.method === 'POST' &&
						c.status === 201 &&
						(c.body as { externalId?: string } | undefined)?.externalId === order.orderLineId,
				);
			expect(created?.body).toEqual({
				externalId: order.orderLineId,
				lastOrderId: order.orderId,
				plan: 'standard',
				testAccount: false,
			});
			expect(account()).toMatchObject({ lastOrderId: order.orderId, plan: 'standard' });
			const query = await call(env.urls.rest, KEY, { activity: 'queryInstance', instanceId });
			expect(query.json).toEqual({
				...ok,
				info: [
					{
						instanceId,
						appInfo: {
							frontEndUrl: account()?.loginUrl,
							adminUrl: account()?.adminUrl,
							userName: account()?.username,
							password: account()?.initialPassword,
						},
					},
				],
			});
			const send = (payload: Record<string, unknown>) => call(env.urls.rest, KEY, payload);
			const renewal = newOrder();
			expect(
				(
					await send({
						activity: 'refreshInstance',
						...renewal,
						instanceId,
						scene: 'RENEWAL',
						expireTime: '20301231235959',
					})
				).json,
			).toEqual(ok);
			expect(account()).toMatchObject({
				expiresAt: '20301231235959',
				lastOrderId: renewal.orderId,
				status: 'active',
			});
			expect(
				(await send({ activity: 'updateInstanceStatus', instanceId, status: 'FREEZE' })).json,
			).toEqual(ok);
			expect(account()?.status).toBe('suspended');
			expect(
				(await send({ activity: 'updateInstanceStatus', instanceId, status: 'UNFREEZE' })).json,
			).toEqual(ok);
			expect(account()?.status).toBe('active');
			expect((await send({ activity: 'releaseInstance', instanceId, ...order })).json).toEqual(ok);
			expect((await send({ activity: 'releaseInstance', instanceId })).json).toEqual(ok);
			expect(account()?.status).toBe('deleted');
		});

		it('answers 000003 when the API does not know the instance', async () => {
			const unknown = { resultCode: '000003', resultMsg: 'Instance ID does not exist' };
			const known = String((await buy()).json?.instanceId);
			for (const payload of [
				{ activity: 'queryInstance', instanceId: `${known},acc_unknown` },
				{ activity: 'updateInstanceStatus', instanceId: 'acc_unknown', status: 'FREEZE' },
				{ activity: 'releaseInstance', instanceId: 'acc_unknown' },
				{ activity: 'upgradeInstance', instanceId: 'acc_unknown', ...newOrder() },
			]) {
				expect([payload.activity, (await call(env.urls.rest, KEY, payload)).json]).toEqual([
					payload.activity,
					unknown,
				]);
			}
		});

		it('answers 000005 when the API fails or does not answer in time, creates nothing, and tells the operator why', async () => {
			const failures: Array<{
				order: { orderId: string; orderLineId: string };
				answer: CallAnswer;
			}> = [];
			env.userApi.failNext(503);
			const unavailable = newOrder();
			failures.push({ order: unavailable, answer: await buy(unavailable) });
			env.userApi.failNext(401);
			const refused = newOrder();
			failures.push({ order: refused, answer: await buy(refused) });
			env.userApi.setDelay(4000);
			const slow = newOrder();
			try {
				failures.push({ order: slow, answer: await buy(slow) });
			} finally {
				env.userApi.setDelay(0);
			}
			expect(failures.map(({ answer }) => [answer.status, answer.json, answer.signed])).toEqual(
				failures.map(() => [200, tryLater, true]),
			);
			const made = env.userApi.accounts().map((a) => a.externalId);
			expect(made).not.toContain(unavailable.orderLineId);
			expect(made).not.toContain(refused.orderLineId);

			expect(await alertAbout(unavailable.orderId)).toContain(
				`KooGallery New Purchase for order ${unavailable.orderId} could not be completed: your user API answered HTTP 503 "Injected failure (HTTP 503)."`,
			);
			const unauthorised = await alertAbout(refused.orderId);
			expect(unauthorised).toContain('your user API answered HTTP 401');
			expect(unauthorised).toContain('What to check: the API refused the token');
			const timedOut = await alertAbout(slow.orderId);
			expect(timedOut).toContain('your user API could not be reached: timeout of 3000ms exceeded');
			expect(timedOut).toContain('What to check: the service did not answer in time');
			expect(timedOut).toContain('Workflow "KooGallery SaaS V2.0: accounts through your user API"');
		});
	});

	describe('usage metering', () => {
		type UsageRow = {
			id: number;
			instance_id: string;
			reported: boolean;
			reported_sn: string | null;
			attempts: number;
			last_error: string | null;
		};
		const usage = () =>
			rows<UsageRow>(`SELECT id::int, instance_id, reported_at IS NOT NULL AS reported, reported_sn, attempts, last_error
				FROM koogallery_usage ORDER BY id`);
		const usageCalls = () => env.openApi.calls().filter((c) => c.path === OPEN_API_PATHS.usagePush);

		it('pushes the unreported rows on its schedule and marks exactly the rows KooGallery accepted, even through faults', async () => {
			env.openApi.setFaults({
				seed: 7,
				errorRate: 0.25,
				dropAfterRate: 0.15,
				paths: [OPEN_API_PATHS.usagePush],
			});
			env.pg
				.sql(`INSERT INTO koogallery_usage (instance_id, begin_time, end_time, usage_value, metering_sn) VALUES
				('usage-instance-1', now() - interval '3 hours', now() - interval '2 hours', 1.5, NULL),
				('usage-instance-1', now() - interval '2 hours', now() - interval '1 hour', 2.25, NULL),
				('usage-instance-2', now() - interval '2 hours', now() - interval '1 hour', 10, 'seller-sn-0001'),
				('usage-instance-2', now() - interval '1 hour', now(), 0.0001, NULL),
				('not-a-known-instance', now() - interval '1 hour', now(), 4, NULL),
				('usage-instance-1', now() - interval '1 hour', now(), -3, NULL)`);
			const all = await waitFor(
				'every valid row reported and both bad rows tried',
				() => {
					const current = usage();
					return current.slice(0, 4).every((r) => r.reported) &&
						current.slice(4).every((r) => r.attempts >= 1)
						? current
						: undefined;
				},
				90_000,
			);
			env.openApi.setFaults(undefined);
			// Some pushes failed on the way (an error answer, or a dropped answer after storing).
			expect(usageCalls().filter((c) => c.fault).length).toBeGreaterThan(0);
			const [valid, bad] = [all.slice(0, 4), all.slice(4)];
			expect(valid.map((r) => r.last_error)).toEqual([null, null, null, null]);
			expect(valid[2].reported_sn).toBe('seller-sn-0001');
			// KooGallery holds exactly the accepted rows, each once.
			const stored = env.openApi.records();
			expect(stored.map((r) => r.meteringSn).sort()).toEqual(
				valid.map((r) => String(r.reported_sn)).sort(),
			);
			for (const row of valid) {
				expect(stored.find((r) => r.meteringSn === row.reported_sn)?.record.instance_id).toBe(
					row.instance_id,
				);
			}
			expect(bad.map((r) => r.reported)).toEqual([false, false]);
			expect(bad[0].last_error).toMatch(/MKT\.9001/);
			expect(bad[1].last_error).toMatch(/^invalid usage_value: /);

			const text = await alertAbout(
				'usage record',
				`row ${bad[0].id} of instance not-a-known-instance`,
			);
			expect(text).toContain(`row ${bad[1].id} of instance usage-instance-1`);
			expect(text).toContain('Fix or delete them in the table koogallery_usage');
		}, 120_000);

		it('never pushes a reported row again: later runs send only the row KooGallery refused', async () => {
			const workflowId = env.workflows.usage.id;
			await waitFor('runs in flight to finish', async () =>
				(await env.n8n.listExecutions(workflowId)).every((run) => run.stoppedAt !== null)
					? true
					: undefined,
			);
			const callsBefore = usageCalls().length;
			const runsBefore = (await env.n8n.listExecutions(workflowId)).length;
			await env.n8n.waitForExecutions(runsBefore + 2, { workflowId, timeoutMs: 120_000 });
			const later = usageCalls().slice(callsBefore);
			expect(later.length).toBeGreaterThanOrEqual(1);
			expect(later.map((c) => c.records)).toEqual(later.map(() => 1));
			expect(env.openApi.records()).toHaveLength(4);
			env.pg.sql('DELETE FROM koogallery_usage WHERE reported_at IS NULL');
		});

		describe('more rows than one page (2,500 rows, pages of at most 1000)', () => {
			const PAGE_ROWS = 2500;
			type BatchRow = { id: number; reported_sn: string | null; attempts: number };
			/**
			 * Inserts `PAGE_ROWS` rows for the known instances, one-second periods from `hoursAgo` hours
			 * ago, and runs `alongside` in the same transaction; returns the first row's id.
			 */
			const insertRows = (hoursAgo: number, alongside = ''): number => {
				const [{ next }] = rows<{ next: number }>(
					`SELECT coalesce(max(id), 0)::int + 1 AS next FROM koogallery_usage`,
				);
				env.pg.sql(`INSERT INTO koogallery_usage (instance_id, begin_time, end_time, usage_value)
					SELECT 'usage-instance-' || (1 + n % 2),
						now() - interval '${hoursAgo} hours' + n * interval '1 second',
						now() - interval '${hoursAgo} hours' + (n + 1) * interval '1 second',
						1 + n % 7
					FROM generate_series(0, ${PAGE_ROWS - 1}) AS n;
					${alongside}`);
				const [{ low, high, count }] = rows<{ low: number; high: number; count: number }>(
					`SELECT min(id)::int AS low, max(id)::int AS high, count(*)::int AS count
					FROM koogallery_usage WHERE id >= ${next}`,
				);
				expect({ count, span: high - low + 1 }).toEqual({ count: PAGE_ROWS, span: PAGE_ROWS });
				return low;
			};
			const batch = (first: number) =>
				rows<BatchRow & { reported: boolean; claimed: boolean; last_error: string | null }>(
					`SELECT id::int, reported_sn, attempts, last_error, reported_at IS NOT NULL AS reported,
						claimed_until IS NOT NULL AS claimed
					FROM koogallery_usage WHERE id >= ${first} ORDER BY id`,
				);
			/** How often each row of the batch was marked reported (the trigger below counts it). */
			const marks = (first: number) =>
				rows<{ id: number; times: number }>(
					`SELECT id::int, count(*)::int AS times FROM e2e_usage_marks WHERE id >= ${first}
					GROUP BY id ORDER BY id`,
				);
			/** The push calls since `from`, and how many records they carried in all. */
			const pushesSince = (from: number) => {
				const calls = usageCalls().filter((c) => c.index >= from);
				return {
					calls,
					records: calls.reduce((sum, c) => sum + (c.records ?? 0), 0),
					largest: Math.max(0, ...calls.map((c) => c.records ?? 0)),
				};
			};
			const stopRuns = () =>
				waitFor('runs in flight to finish', async () =>
					(await env.n8n.listExecutions(env.workflows.usage.id)).every(
						(run) => run.stoppedAt !== null,
					)
						? true
						: undefined,
				);

			beforeAll(() => {
				if (!env) return;
				// Counts every change of reported_at, so a row marked twice would show.
				env.pg.sql(`CREATE TABLE e2e_usage_marks (id bigint NOT NULL);
					CREATE FUNCTION e2e_usage_mark() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN INSERT INTO e2e_usage_marks (id) VALUES (NEW.id); RETURN NEW; END $$;
					CREATE TRIGGER e2e_usage_mark AFTER UPDATE ON koogallery_usage FOR EACH ROW
					WHEN (OLD.reported_at IS DISTINCT FROM NEW.reported_at) EXECUTE FUNCTION e2e_usage_mark();`);
			});

			afterAll(() => {
				env?.pg.sql(`DROP TRIGGER IF EXISTS e2e_usage_mark ON koogallery_usage;
					DROP TRIGGER IF EXISTS e2e_usage_fail ON koogallery_usage;
					DROP FUNCTION IF EXISTS e2e_usage_mark(); DROP FUNCTION IF EXISTS e2e_usage_fail();
					DROP TABLE IF EXISTS e2e_usage_marks; DROP TABLE IF EXISTS e2e_usage_fail_from;`);
			});

			it('pushes every row exactly once, at most 1000 a call, and marks it exactly once, each page in a run of its own, while runs overlap', async () => {
				await stopRuns();
				const runsBefore = new Set(
					(await env.n8n.listExecutions(env.workflows.usage.id)).map((run) => run.id),
				);
				const fromCall = env.openApi.calls().length;
				const duplicatesBefore = env.openApi.duplicates();
				// KooGallery answers each push after 2.5 s, so a run of three pages outlasts the 3-second
				// schedule and the next runs start while it is still sending.
				env.openApi.setFaults({
					seed: 3,
					delayRate: 1,
					delayMs: 2500,
					paths: [OPEN_API_PATHS.usagePush],
				});
				const first = insertRows(8);
				const done = await waitFor(
					'all 2,500 rows reported',
					() => {
						const current = batch(first);
						return current.every((r) => r.reported) ? current : undefined;
					},
					240_000,
				);
				env.openApi.setFaults(undefined);
				await stopRuns();
				const runs = (await env.n8n.listExecutions(env.workflows.usage.id)).filter(
					(run) => !runsBefore.has(run.id),
				);
				// Runs did overlap: one of the scheduled runs started before an earlier one had ended.
				const time = (value: string | null) =>
					Date.parse(/[TZ]/.test(String(value)) ? String(value) : `${value}Z`.replace(' ', 'T'));
				const scheduled = runs
					.filter((run) => run.mode === 'trigger')
					.sort((a, b) => time(a.startedAt) - time(b.startedAt));
				expect(
					scheduled.some((run, i) =>
						scheduled.slice(0, i).some((earlier) => time(earlier.stoppedAt) > time(run.startedAt)),
					),
				).toBe(true);

				const pushed = pushesSince(fromCall);
				// Every row once: 2,500 records in all, no call over 1000, nothing sent twice.
				expect({ records: pushed.records, duplicates: env.openApi.duplicates() }).toEqual({
					records: PAGE_ROWS,
					duplicates: duplicatesBefore,
				});
				expect(pushed.largest).toBeLessThanOrEqual(1000);
				expect(pushed.calls.length).toBeGreaterThanOrEqual(3);
				expect(pushed.calls.filter((c) => c.status !== 200)).toEqual([]);
				// KooGallery holds each row's metering_sn once, the one the row keeps.
				const stored = new Map(env.openApi.records().map((r) => [r.meteringSn, r]));
				for (const row of done) {
					expect({ id: row.id, stored: stored.has(String(row.reported_sn)) }).toEqual({
						id: row.id,
						stored: true,
					});
				}
				expect(new Set(done.map((r) => r.reported_sn)).size).toBe(PAGE_ROWS);
				expect(done.filter((r) => r.attempts !== 1 || r.last_error || r.claimed)).toEqual([]);
				// Marked exactly once each.
				const marked = marks(first);
				expect(marked).toHaveLength(PAGE_ROWS);
				expect(marked.filter((m) => m.times !== 1)).toEqual([]);
				// The pages ran as runs of their own (called by the hourly run), at least one per page.
				const pageRuns = runs.filter((run) => run.mode === 'integrated');
				expect(pageRuns.length).toBeGreaterThanOrEqual(3);
				expect(pageRuns.filter((run) => run.status !== 'success')).toEqual([]);
			}, 300_000);

			it('a failure in the middle of a run leaves that page and the rest unreported, never marked, and a later hour reports them once', async () => {
				await stopRuns();
				const fromCall = env.openApi.calls().length;
				const duplicatesBefore = env.openApi.duplicates();
				// The database fails while marking any row of the second page or later; the rule comes
				// with the rows (one transaction), so no run sees the rows without it.
				env.pg.sql(`CREATE TABLE e2e_usage_fail_from (id bigint NOT NULL);
					CREATE FUNCTION e2e_usage_fail() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN
						IF NEW.id >= (SELECT id FROM e2e_usage_fail_from) THEN
							RAISE EXCEPTION 'e2e: the database failed while marking row %', NEW.id;
						END IF;
						RETURN NEW;
					END $$;`);
				const first = insertRows(
					4,
					`INSERT INTO e2e_usage_fail_from SELECT max(id) - ${PAGE_ROWS - 1000 - 1} FROM koogallery_usage;
					CREATE TRIGGER e2e_usage_fail BEFORE UPDATE ON koogallery_usage FOR EACH ROW
					WHEN (NEW.reported_at IS NOT NULL AND OLD.reported_at IS NULL)
					EXECUTE FUNCTION e2e_usage_fail();`,
				);
				const failFrom = first + 1000;
				expect(rows(`SELECT id::int FROM e2e_usage_fail_from`)).toEqual([{ id: failFrom }]);

				// Page 1 is reported; every later page is sent once, fails while being marked, and stays
				// taken (claimed_until) by the failed run, so no later run sends it again.
				await waitFor(
					'page 1 reported, the later pages sent and left unreported',
					() => {
						const current = batch(first);
						const later = current.filter((r) => r.id >= failFrom);
						return current.filter((r) => r.id < failFrom).every((r) => r.reported) &&
							later.every((r) => !r.reported && r.claimed) &&
							pushesSince(fromCall).records >= PAGE_ROWS
							? true
							: undefined;
					},
					240_000,
				);
				await stopRuns();
				const failed = batch(first);
				expect(failed.filter((r) => r.reported).map((r) => r.id)).toEqual(
					failed.filter((r) => r.id < failFrom).map((r) => r.id),
				);
				expect(
					failed.filter((r) => r.id >= failFrom && (r.reported || r.reported_sn !== null)),
				).toEqual([]);
				expect(marks(first).map((m) => m.id)).toEqual(
					failed.filter((r) => r.id < failFrom).map((r) => r.id),
				);
				expect(pushesSince(fromCall).records).toBe(PAGE_ROWS);
				// The page's run names the step; the hourly run fails with it.
				const pageAlert = await alertAbout(
					'e2e: the database failed while marking row',
					'step "Mark the accepted rows as reported"',
				);
				expect(pageAlert).toContain('Workflow "KooGallery: usage metering"');
				await alertAbout(
					'e2e: the database failed while marking row',
					'step "Report the page in a run of its own"',
				);

				// An hour later: the database works again and the failed runs' claims have run out.
				const retryFrom = env.openApi.calls().length;
				env.pg.sql(`DROP TRIGGER e2e_usage_fail ON koogallery_usage;
					UPDATE koogallery_usage SET claimed_until = now() - interval '1 second'
					WHERE claimed_until IS NOT NULL;`);
				const done = await waitFor(
					'every row reported after the failure',
					() => {
						const current = batch(first);
						return current.every((r) => r.reported) ? current : undefined;
					},
					240_000,
				);
				await stopRuns();
				// The rows of the failed pages were sent once more (KooGallery counts them once: the same
				// metering_sn), the reported page never again; every row is marked exactly once.
				const retried = pushesSince(retryFrom);
				expect(retried.records).toBe(PAGE_ROWS - 1000);
				expect(retried.largest).toBeLessThanOrEqual(1000);
				expect(env.openApi.duplicates() - duplicatesBefore).toBe(PAGE_ROWS - 1000);
				const marked = marks(first);
				expect(marked).toHaveLength(PAGE_ROWS);
				expect(marked.filter((m) => m.times !== 1)).toEqual([]);
				expect(done.filter((r) => r.last_error || r.claimed)).toEqual([]);
			}, 600_000);
		});
	});

	describe('joint-operation directory in PostgreSQL', () => {
		const sync = (name: string, payload: Record<string, unknown>) =>
			sendHttp(signKitCall(env.urls.kit, SECRETS.kitKey, name, payload), SECRETS.kitKey);
		const kitTime = () => '20260101120000000';

		it('passes every kit case of the simulator (x-sign, kit key)', async () => {
			expectAllPass(await runKit(env.urls.kit, SECRETS.kitKey), 17);
		}, 120_000);

		it('keeps tenant, application, users and departments by idempotency key; repeated syncs add nothing; repeated deletes succeed', async () => {
			const base = {
				instanceId: 'kit-ins-1',
				tenantId: 'kit-tenant-1',
				testFlag: 0,
				timeStamp: kitTime(),
			};
			const tenant = {
				...base,
				orderId: 'CSKIT0001',
				tenantCode: 'acme',
				name: 'ACME 企业',
				domainName: 'https://acme.example.com',
				flag: 1,
			};
			const app = {
				...base,
				appId: 'app-1',
				clientId: 'client-1',
				clientSecret: 'ENCRYPTED==',
				flag: 1,
			};
			const users = [
				{
					userName: 'zhangsan',
					name: '张三',
					orgCode: 'D1',
					role: 'admin',
					enable: 'true',
					mobile: '13800000000',
				},
				{
					userName: 'lisi',
					name: '李四',
					orgCode: 'D2',
					role: 'user',
					enable: 'false',
					employeeType: 2,
				},
			];
			const auth = {
				...base,
				appId: 'app-1',
				userList: users,
				currentSyncTime: kitTime(),
				flag: 1,
			};
			const ok000 = (answer: CallAnswer) => [answer.status, answer.json?.resultCode, answer.signed];
			for (let i = 0; i < 2; i++) {
				for (const [name, payload] of [
					['tenantSync', tenant],
					['applicationSync', app],
					['authSync', auth],
					[
						'singleOrgSync',
						{ ...base, orgCode: 'D2', orgName: '测试部', parentCode: 'D1', flag: 1 },
					],
					[
						'allOrgSync',
						{
							...base,
							orgInfoList:
								'[{orgCode:"D1", orgName:"产品部", parentCode:""},{orgCode:"D3", orgName:"市场部", parentCode:"D1"}]',
						},
					],
				] as Array<[string, Record<string, unknown>]>) {
					expect([name, ...ok000(await sync(name, payload))]).toEqual([name, 200, '000000', true]);
				}
			}
			expect(
				rows(
					"SELECT key, tenant_code, name, domain_name FROM koogallery_kit_tenants WHERE tenant_id = 'kit-tenant-1'",
				),
			).toEqual([
				{
					key: 'tenant:kit-ins-1/kit-tenant-1',
					tenant_code: 'acme',
					name: 'ACME 企业',
					domain_name: 'https://acme.example.com',
				},
			]);
			expect(
				rows(
					"SELECT key, client_id, client_secret_encrypted FROM koogallery_kit_apps WHERE tenant_id = 'kit-tenant-1'",
				),
			).toEqual([
				{
					key: 'app:kit-ins-1/kit-tenant-1/app-1',
					client_id: 'client-1',
					client_secret_encrypted: 'ENCRYPTED==',
				},
			]);
			expect(
				rows(
					"SELECT key, name, org_code, role, enabled, authorized, mobile, employee_type FROM koogallery_kit_users WHERE tenant_id = 'kit-tenant-1' ORDER BY key",
				),
			).toEqual([
				{
					key: 'user:kit-ins-1/kit-tenant-1/app-1/lisi',
					name: '李四',
					org_code: 'D2',
					role: 'user',
					enabled: false,
					authorized: true,
					mobile: null,
					employee_type: 2,
				},
				{
					key: 'user:kit-ins-1/kit-tenant-1/app-1/zhangsan',
					name: '张三',
					org_code: 'D1',
					role: 'admin',
					enabled: true,
					authorized: true,
					mobile: '13800000000',
					employee_type: null,
				},
			]);
			expect(
				rows(
					"SELECT key, org_name, parent_code FROM koogallery_kit_departments WHERE tenant_id = 'kit-tenant-1' ORDER BY key",
				),
			).toEqual([
				{ key: 'org:kit-ins-1/kit-tenant-1/D1', org_name: '产品部', parent_code: null },
				{ key: 'org:kit-ins-1/kit-tenant-1/D2', org_name: '测试部', parent_code: 'D1' },
				{ key: 'org:kit-ins-1/kit-tenant-1/D3', org_name: '市场部', parent_code: 'D1' },
			]);

			// Rename, withdraw one user's access, remove the other, delete a department (twice each).
			for (let i = 0; i < 2; i++) {
				expect(
					ok000(await sync('tenantSync', { ...tenant, name: 'ACME Renamed', flag: 2 })),
				).toEqual([200, '000000', true]);
				expect(ok000(await sync('authSync', { ...auth, userList: [users[0]], flag: 3 }))).toEqual([
					200,
					'000000',
					true,
				]);
				expect(ok000(await sync('authSync', { ...auth, userList: [users[1]], flag: 0 }))).toEqual([
					200,
					'000000',
					true,
				]);
				expect(
					ok000(
						await sync('singleOrgSync', { ...base, orgCode: 'D3', orgName: '市场部', flag: 0 }),
					),
				).toEqual([200, '000000', true]);
			}
			expect(
				rows("SELECT name FROM koogallery_kit_tenants WHERE tenant_id = 'kit-tenant-1'"),
			).toEqual([{ name: 'ACME Renamed' }]);
			expect(
				rows(
					"SELECT user_name, authorized FROM koogallery_kit_users WHERE tenant_id = 'kit-tenant-1'",
				),
			).toEqual([{ user_name: 'zhangsan', authorized: false }]);
			expect(
				rows(
					"SELECT org_code FROM koogallery_kit_departments WHERE tenant_id = 'kit-tenant-1' ORDER BY org_code",
				),
			).toEqual([{ org_code: 'D1' }, { org_code: 'D2' }]);

			// Deleting the tenant removes its application, users and departments; again succeeds.
			for (let i = 0; i < 2; i++) {
				expect(ok000(await sync('tenantSync', { ...tenant, flag: 0 }))).toEqual([
					200,
					'000000',
					true,
				]);
			}
			for (const table of [
				'koogallery_kit_tenants',
				'koogallery_kit_apps',
				'koogallery_kit_users',
				'koogallery_kit_departments',
			]) {
				expect([table, rows(`SELECT key FROM ${table} WHERE tenant_id = 'kit-tenant-1'`)]).toEqual([
					table,
					[],
				]);
			}
		});

		it('saves a sync that leaves out what the tables keep (lenient): no name, role, enable, domain; a type that is no number', async () => {
			const base = {
				instanceId: 'kit-ins-7',
				tenantId: 'kit-tenant-7',
				testFlag: 1,
				timeStamp: kitTime(),
			};
			const answers = [
				await sync('tenantSync', { ...base, tenantCode: 'bare', name: 'Bare Co', flag: 1 }),
				await sync('authSync', {
					...base,
					appId: 'app-7',
					userList: [{ userName: 'o\'brien "ob"', employeeType: 'intern' }],
					currentSyncTime: kitTime(),
					flag: 1,
				}),
				await sync('singleOrgSync', { ...base, orgCode: 'D7', flag: 2 }),
			];
			expect(answers.map((a) => [a.status, a.json?.resultCode, a.signed])).toEqual([
				[200, '000000', true],
				[200, '000000', true],
				[200, '000000', true],
			]);
			expect(
				rows(
					"SELECT key, domain_name, test_call FROM koogallery_kit_tenants WHERE tenant_id = 'kit-tenant-7'",
				),
			).toEqual([{ key: 'tenant:kit-ins-7/kit-tenant-7', domain_name: '', test_call: true }]);
			expect(
				rows(
					"SELECT key, user_name, name, role, enabled, employee_type FROM koogallery_kit_users WHERE tenant_id = 'kit-tenant-7'",
				),
			).toEqual([
				{
					key: "user:kit-ins-7/kit-tenant-7/app-7/o'brien%20%22ob%22",
					user_name: 'o\'brien "ob"',
					name: '',
					role: '',
					enabled: true,
					employee_type: null,
				},
			]);
			expect(
				rows(
					"SELECT key, org_name, parent_code FROM koogallery_kit_departments WHERE tenant_id = 'kit-tenant-7'",
				),
			).toEqual([{ key: 'org:kit-ins-7/kit-tenant-7/D7', org_name: '', parent_code: null }]);
		});

		it('answers 000005 when the database fails and tells the operator which tenant failed', async () => {
			env.pg.sql('ALTER TABLE koogallery_kit_users RENAME TO koogallery_kit_users_away');
			try {
				const answer = await sync('authSync', {
					instanceId: 'kit-ins-9',
					tenantId: 'kit-tenant-9',
					testFlag: 0,
					timeStamp: kitTime(),
					appId: 'app-9',
					userList: [
						{ userName: 'wangwu', name: '王五', orgCode: 'D1', role: 'user', enable: 'true' },
					],
					currentSyncTime: kitTime(),
					flag: 1,
				});
				expect([answer.status, answer.json?.resultCode, answer.signed]).toEqual([
					200,
					'000005',
					true,
				]);
			} finally {
				env.pg.sql('ALTER TABLE koogallery_kit_users_away RENAME TO koogallery_kit_users');
			}
			const text = await alertAbout('kit-tenant-9');
			expect(text).toContain(
				'KooGallery User Authorization Sync for tenant kit-tenant-9 of instance kit-ins-9 could not be completed: step "Save the users"',
			);
			expect(text).toContain('does not send it again by itself');
		});
	});

	describe('License issuance', () => {
		const decode = (license: string) => {
			const [data, signature] = license.split('.');
			const text = Buffer.from(data, 'base64').toString('utf8');
			return {
				facts: JSON.parse(text) as Record<string, string>,
				valid: verify(
					'RSA-SHA256',
					Buffer.from(text),
					env.licensePublicKey,
					Buffer.from(signature, 'base64'),
				),
			};
		};
		const getLicense = (params: Record<string, string>) =>
			sendHttp(signV1Call(env.urls.license, KEY, params), KEY);

		it('passes every License case of the three guides', async () => {
			expectAllPass(await runLicense(env.urls.license, KEY), 13);
		}, 120_000);

		it('issues a license signed with the seller key for a new order, and the same instance and license for every repeat', async () => {
			const { orderId } = newOrder();
			const purchase = {
				activity: 'getLicense',
				customerId: 'cust-e2e-1',
				orderId,
				productId: 'OFFI-LIC-E2E',
				expireTime: '20301231235959',
			};
			const first = await getLicense({ ...purchase, businessId: 'biz-first' });
			expect(first.json?.resultCode).toBe('000000');
			expect(first.json?.instanceId).toBe('biz-first');
			const license = String(first.json?.license);
			const { facts, valid } = decode(license);
			expect(valid).toBe(true);
			expect(facts).toMatchObject({
				product: 'OFFI-LIC-E2E',
				customer: 'cust-e2e-1',
				order: orderId,
				instance: 'biz-first',
				expires: '20301231235959',
			});
			// A license whose text was changed (a later expiry) no longer matches its signature.
			const longer = Buffer.from(JSON.stringify({ ...facts, expires: '20991231235959' })).toString(
				'base64',
			);
			expect(decode(`${longer}.${license.split('.')[1]}`).valid).toBe(false);

			const repeats = await Promise.all(
				Array.from({ length: 4 }, (_, i) =>
					getLicense({ ...purchase, businessId: `biz-repeat-${i}` }),
				),
			);
			expect(repeats.map((a) => [a.json?.instanceId, a.json?.license])).toEqual(
				repeats.map(() => ['biz-first', license]),
			);
			expect(
				rows(`SELECT instance_id, status FROM koogallery_licenses WHERE order_id = ${q(orderId)}`),
			).toEqual([{ instance_id: 'biz-first', status: 'active' }]);
		});

		it('gives copies of one order arriving together one license and one row', async () => {
			const { orderId } = newOrder();
			const answers = await Promise.all(
				Array.from({ length: 5 }, (_, i) =>
					getLicense({
						activity: 'getLicense',
						customerId: 'cust-e2e-2',
						orderId,
						productId: 'OFFI-LIC-E2E',
						businessId: `biz-${i}`,
					}),
				),
			);
			expect(
				new Set(answers.map((a) => `${String(a.json?.instanceId)} ${String(a.json?.license)}`))
					.size,
			).toBe(1);
			expect(
				rows(`SELECT count(*)::int AS n FROM koogallery_licenses WHERE order_id = ${q(orderId)}`),
			).toEqual([{ n: 1 }]);
		});

		it('online activation: the same license for a repeated event and device, another one for another device', async () => {
			const request = {
				activity: 'getLicenseAsync',
				instanceId: 'lic-ins-e2e',
				effectiveTime: '20260101000000',
				expireTime: '20271231235959',
				eventId: 'event-e2e-1',
			};
			const one = await call(env.urls.license, KEY, { ...request, deviceFingerprint: 'device-A' });
			const again = await call(env.urls.license, KEY, {
				...request,
				deviceFingerprint: 'device-A',
			});
			const other = await call(env.urls.license, KEY, {
				...request,
				deviceFingerprint: 'device-B',
			});
			expect([one.json?.resultCode, again.json?.resultCode, other.json?.resultCode]).toEqual([
				'000000',
				'000000',
				'000000',
			]);
			expect(again.json?.license).toBe(one.json?.license);
			expect(other.json?.license).not.toBe(one.json?.license);
			expect(decode(String(other.json?.license))).toMatchObject({
				valid: true,
				facts: { instance: 'lic-ins-e2e', device: 'device-B' },
			});
		});

		it('keeps license codes and offline licenses up to date, and answers 000003 for an unknown offline instance', async () => {
			const license = 'PLE2ECODE0001';
			const order = newOrder();
			const send = (payload: Record<string, unknown>) => call(env.urls.license, KEY, payload);
			expect(
				(
					await send({
						activity: 'refreshLicenseCode',
						scene: 'RENEWAL',
						...order,
						license,
						expireTime: '20301231235959',
					})
				).json?.resultCode,
			).toBe('000000');
			expect(
				(await send({ activity: 'updateLicenseCodeStatus', license, status: 'FREEZE' })).json
					?.resultCode,
			).toBe('000000');
			expect(
				rows(
					`SELECT status, expire_time, last_order_id FROM koogallery_license_codes WHERE license = ${q(license)}`,
				),
			).toEqual([
				{ status: 'frozen', expire_time: '20301231235959', last_order_id: order.orderId },
			]);
			for (let i = 0; i < 2; i++)
				expect((await send({ activity: 'releaseLicenseCode', license })).json?.resultCode).toBe(
					'000000',
				);
			expect(
				(await send({ activity: 'updateLicenseCodeStatus', license, status: 'UNFREEZE' })).json
					?.resultCode,
			).toBe('000000');
			expect(
				rows(`SELECT status FROM koogallery_license_codes WHERE license = ${q(license)}`),
			).toEqual([{ status: 'released' }]);

			const unknown = await getLicense({
				activity: 'releaseLicense',
				orderId: 'CSNONE',
				instanceId: 'no-such-instance',
			});
			expect(unknown.json?.resultCode).toBe('000003');
		});

		it('answers 000005 when the database fails, tells the operator which order, and issues the license once when KooGallery calls again', async () => {
			const { orderId } = newOrder();
			const purchase = {
				activity: 'getLicense',
				customerId: 'cust-e2e-3',
				orderId,
				productId: 'OFFI-LIC-E2E',
				businessId: 'biz-after-failure',
			};
			env.pg.sql('ALTER TABLE koogallery_licenses RENAME TO koogallery_licenses_away');
			try {
				const answer = await getLicense(purchase);
				expect([answer.status, answer.json]).toEqual([200, tryLater]);
			} finally {
				env.pg.sql('ALTER TABLE koogallery_licenses_away RENAME TO koogallery_licenses');
			}
			const text = await alertAbout(orderId);
			expect(text).toContain(`for order ${orderId} could not be completed`);
			expect(text).toContain('koogallery_licenses');
			expect(text).toContain('KooGallery was told to try again later (000005)');
			const retry = await getLicense(purchase);
			expect(retry.json).toMatchObject({ resultCode: '000000', instanceId: 'biz-after-failure' });
			expect(decode(String(retry.json?.license)).valid).toBe(true);
			expect(
				rows(`SELECT count(*)::int AS n FROM koogallery_licenses WHERE order_id = ${q(orderId)}`),
			).toEqual([{ n: 1 }]);
		});
	});

	describe('failure alerts', () => {
		it("never puts a key, a password or a token into the alerts or n8n's log", () => {
			const secrets = [...Object.values(SECRETS), env.pg.password];
			const logs = env.n8n.logs();
			const alerts = env.alerts.map((a) => a.text).join('\n');
			expect(env.alerts.length).toBeGreaterThanOrEqual(5);
			expect(secrets.filter((secret) => logs.includes(secret) || alerts.includes(secret))).toEqual(
				[],
			);
		});
	});
});
