/**
 * The pack scaled out: n8n 2.41.1 in queue mode (scripts/n8n-queue.cts) with a private Redis and
 * PostgreSQL, one main, two webhook processes and two workers, running the shipped example workflow
 * "KooGallery SaaS V2.0: orders in PostgreSQL" as a seller would. KooGallery's calls go to either
 * webhook process; the workflow runs on a worker; the answer travels back through Redis.
 *
 * Shown here: the simulator's whole SaaS V2.0 plan passes through each webhook process (answers
 * signed correctly, login details decrypt); a signed call replayed byte for byte to the other webhook
 * process, whose nonce cache has not seen it, is accepted there but harmless (same instance ID, one
 * instance), while the process that saw it refuses it; copies of one order sent at once to both
 * processes leave one instance per order, the one every answer named; every execution was queued by
 * a webhook process and run by a worker; and a load run through both processes is answered without
 * error. Needs `npm run build`, `.ci/install-postgres` and `.ci/install-redis`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { formatLoadResult, runLoad } from '../../scripts/load-generator.cjs';
import { startQueueN8n, type QueueN8n } from '../../scripts/n8n-queue.cjs';
import { sqlLiteral as q } from '../../scripts/postgres.cjs';
import { formatResults, type CaseResult } from '../../simulator/checks.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import {
	call,
	newBusinessId,
	newOrder,
	send,
	signCall,
	type CallAnswer,
} from '../../simulator/saas-v2-client.cjs';
import { runSaasV2 } from '../../simulator/saas-v2-scenarios.cjs';
import { busyLimitOff, triggerWorkflow } from './trigger-workflows.cjs';
import { waitFor } from './workflows-env.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOW = busyLimitOff(
	JSON.parse(
		fs.readFileSync(path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-postgres.json'), 'utf8'),
	) as { id: string; nodes: Array<{ type: string; parameters: Record<string, unknown> }> },
);
const TRIGGER_PATH = String(
	WORKFLOW.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger')?.parameters.path,
);
const KEY = 'e2e-Queue-Seller-Key-7d3f1a9c5e';
const OPEN_API = { ak: 'E2EQUEUEAK0000000001', sk: 'e2e-queue-secret-access-key' };
const ok = { resultCode: '000000', resultMsg: 'Success' };
/** A workflow published while everything runs: a trigger answering Query Instance with 000000. */
const LATE = triggerWorkflow(
	'E2eQueueLate',
	'saasV2',
	'scenarios',
	'queue/late',
	['queryInstance'],
	() => ({
		respondTo: 'result',
		resultCode: '000000',
	}),
);
/**
 * The load run: 80 mixed calls, the next sent as soon as one of 4 in flight is answered, so the
 * calls never outrun n8n however busy the machine; no call is given up on before 5 minutes.
 */
const LOAD = { rate: 8, durationMs: 10_000, maxInFlight: 4, timeoutMs: 300_000 };
const LOAD_CALLS = (LOAD.rate * LOAD.durationMs) / 1000;

jest.setTimeout(120_000);

describe('n8n in queue mode: two webhook processes, two workers, one PostgreSQL, one Redis', () => {
	let n8n: QueueN8n;
	let openApi: OpenApiMock;
	/** Production URL of the workflow on webhook process `index` (0 or 1). */
	const url = (index: number) => `${n8n.webhooks[index].baseUrl}/webhook/${TRIGGER_PATH}`;
	const rows = <T = Record<string, unknown>,>(query: string) => n8n.pg.rows<T>(query);
	const instancesOf = (orderId: string) =>
		rows<{ instance_id: string; status: string }>(
			`SELECT instance_id, status FROM koogallery_instances WHERE order_id = ${q(orderId)}`,
		);

	beforeAll(async () => {
		openApi = await startOpenApiMock({
			credentials: { ak: OPEN_API.ak, sk: OPEN_API.sk, sellerKey: KEY },
		});
		n8n = await startQueueN8n({
			workflows: [WORKFLOW],
			webhookPaths: [TRIGGER_PATH],
			credentials: (pg) => [
				{
					id: 'kooGallerySellerKey',
					name: 'KooGallery Seller Key',
					type: 'kooGallerySellerKeyApi',
					data: { secretKey: KEY, kitSecretKey: '', site: 'cn' },
				},
				pg.n8nCredential('koogalleryPostgres', 'KooGallery PostgreSQL'),
				{
					id: 'kooGalleryOpenApi',
					name: 'KooGallery Open API',
					type: 'kooGalleryOpenApi',
					data: {
						accessKeyId: OPEN_API.ak,
						secretAccessKey: OPEN_API.sk,
						sellerSecretKey: KEY,
						site: 'custom',
						baseUrl: openApi.url,
					},
				},
			],
		});
		// The workflow creates its tables when it is published (an execution on a worker).
		await waitFor(
			'the table koogallery_instances',
			() =>
				rows(
					"SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'koogallery_instances'",
				).length
					? true
					: undefined,
			60_000,
		);
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await openApi?.stop();
	}, 180_000);

	it('runs two webhook processes and two workers, each its own process with its own ports', () => {
		const all = [n8n.main, ...n8n.webhooks, ...n8n.workers];
		expect(all.map((p) => p.role)).toEqual(['main', 'webhook', 'webhook', 'worker', 'worker']);
		expect(new Set(all.map((p) => p.pid)).size).toBe(5);
		expect(new Set(all.map((p) => p.port)).size).toBe(5);
		expect(all.filter((p) => p.exited())).toEqual([]);
		for (const worker of n8n.workers) expect(worker.logs()).toContain('n8n worker is now ready');
		// Each worker runs its own task broker, on its own port; main runs none (runs from the
		// editor go to the workers too).
		const brokerPort = (text: string) =>
			/Task Broker ready on 127\.0\.0\.1, port (\d+)/.exec(text)?.[1];
		const brokers = n8n.workers.map((w) => brokerPort(w.logs()));
		expect(brokers.every((port) => port !== undefined)).toBe(true);
		expect(new Set(brokers).size).toBe(n8n.workers.length);
		expect(brokerPort(n8n.main.logs())).toBeUndefined();
		for (const webhook of n8n.webhooks) {
			expect(webhook.logs()).toContain('Webhook listener waiting for requests.');
		}
	});

	describe.each([0, 1])('through webhook process %i', (index) => {
		it('passes every case of the simulator, as real calls and as debugging calls', async () => {
			for (const testFlag of [false, true]) {
				const results: CaseResult[] = await runSaasV2(url(index), KEY, { testFlag });
				const failures = results.filter((r) => !r.pass);
				if (failures.length) process.stderr.write(`${formatResults(results)}\n`);
				expect(failures.map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
				expect(results.length).toBeGreaterThanOrEqual(18);
			}
		}, 240_000);
	});

	it('accepts a call replayed byte for byte to the other webhook process, harmlessly: same instance ID, one instance', async () => {
		const order = newOrder();
		const businessId = newBusinessId();
		const signed = signCall(url(0), KEY, { activity: 'newInstance', ...order, businessId });
		const onOther = {
			...signed,
			url: signed.url.replace(n8n.webhooks[0].baseUrl, n8n.webhooks[1].baseUrl),
		};
		expect(onOther.url).not.toBe(signed.url);
		expect(new URL(onOther.url).search).toBe(new URL(signed.url).search);

		const first = await send(signed, KEY);
		expect([first.status, first.signed, first.json]).toEqual([
			200,
			true,
			{ ...ok, instanceId: businessId },
		]);
		// The other process has not seen the nonce: it runs the workflow, which finds the order.
		const replayed = await send(onOther, KEY);
		expect([replayed.status, replayed.signed, replayed.json]).toEqual([
			200,
			true,
			{ ...ok, instanceId: businessId },
		]);
		// The process that saw the nonce refuses it.
		const again = await send(signed, KEY);
		expect([again.status, again.signed, again.json?.resultCode]).toEqual([200, true, '000001']);

		expect(instancesOf(order.orderId)).toEqual([{ instance_id: businessId, status: 'active' }]);
		expect(
			rows(`SELECT instance_id FROM koogallery_credentials WHERE instance_id = ${q(businessId)}`),
		).toHaveLength(1);
	});

	it('gives copies of one order sent at once to both webhook processes one instance, the one every answer names', async () => {
		const orders = Array.from({ length: 6 }, () => newOrder());
		const copies = 4;
		const sent = orders.flatMap((order) =>
			Array.from({ length: copies }, (_, copy) => ({
				order,
				businessId: newBusinessId(),
				target: copy % 2,
			})),
		);
		const answers: CallAnswer[] = await Promise.all(
			sent.map(({ order, businessId, target }) =>
				call(url(target), KEY, { activity: 'newInstance', ...order, businessId }),
			),
		);
		for (const order of orders) {
			const mine = sent
				.map((s, i) => ({ ...s, answer: answers[i] }))
				.filter((s) => s.order.orderId === order.orderId);
			expect(
				mine.map((s) => [s.answer.status, s.answer.signed, s.answer.json?.resultCode]),
			).toEqual(mine.map(() => [200, true, '000000']));
			const named = [...new Set(mine.map((s) => s.answer.json?.instanceId))];
			expect(named).toHaveLength(1);
			expect(mine.map((s) => s.businessId)).toContain(named[0]);
			expect(instancesOf(order.orderId)).toEqual([{ instance_id: named[0], status: 'active' }]);
			expect(
				rows(
					`SELECT user_name FROM koogallery_credentials WHERE instance_id = ${q(String(named[0]))}`,
				),
			).toEqual([{ user_name: `admin-${order.orderId.toLowerCase()}` }]);
		}
	}, 180_000);

	it('ran every call on a worker: queued by the webhook process that received it, run by exactly one worker', async () => {
		const executions = await waitFor('every execution to finish', () => {
			const all = n8n.listExecutions(WORKFLOW.id);
			return all.every((e) => e.stoppedAt !== null) ? all : undefined;
		});
		const calls = executions.filter((e) => e.mode === 'webhook');
		expect(calls.length).toBeGreaterThanOrEqual(60);
		expect(executions.filter((e) => e.status !== 'success')).toEqual([]);
		const count = (text: string, id: string, what: string) =>
			text.split('\n').filter((line) => line.includes(`${what} ${id} (job `)).length;
		const perWorker = n8n.workers.map(() => 0);
		const perWebhook = n8n.webhooks.map(() => 0);
		for (const execution of calls) {
			const ran = n8n.workers.map((w) => count(w.logs(), execution.id, 'Worker started execution'));
			const queued = n8n.webhooks.map((w) => count(w.logs(), execution.id, 'Enqueued execution'));
			expect([
				execution.id,
				ran.reduce((a, b) => a + b, 0),
				queued.reduce((a, b) => a + b, 0),
			]).toEqual([execution.id, 1, 1]);
			ran.forEach((n, i) => (perWorker[i] += n));
			queued.forEach((n, i) => (perWebhook[i] += n));
		}
		// Neither the webhook processes nor main ran an execution themselves.
		for (const proc of [n8n.main, ...n8n.webhooks]) {
			expect([proc.name, proc.logs().includes('Worker started execution')]).toEqual([
				proc.name,
				false,
			]);
		}
		process.stderr.write(
			`queue mode: ${calls.length} calls; queued by webhook processes ${perWebhook.join(' / ')}; ` +
				`run by workers ${perWorker.join(' / ')}\n`,
		);
		for (const n of [...perWorker, ...perWebhook]) expect(n).toBeGreaterThan(0);
	});

	it(`answers ${LOAD_CALLS} mixed calls (${LOAD.maxInFlight} at a time) correctly through both webhook processes in turn, with one row per answered purchase in the state the calls left`, async () => {
		const pids = [...n8n.webhooks, ...n8n.workers].map((p) => p.pid);
		const result = await runLoad({ urls: [url(0), url(1)], key: KEY, ...LOAD, rssPids: pids });
		process.stderr.write(
			`queue-mode load through ${n8n.webhooks.length} webhook processes and ${n8n.workers.length} workers:\n${formatLoadResult(result)}\n`,
		);
		expect(result.failures).toEqual([]);
		expect(result.errors).toEqual({});
		expect(result.sent).toBe(LOAD_CALLS);
		expect(result.ok).toBe(result.sent);
		expect(result.instances.length).toBeGreaterThan(0);

		const byOrder = new Map<string, Array<Record<string, string | null>>>();
		const found = rows<Record<string, string | null>>(
			`SELECT order_id, order_line_id, instance_id, status, expire_time, last_order_id FROM koogallery_instances
			WHERE order_id IN (${result.instances.map((i) => q(i.orderId)).join(', ')})`,
		);
		for (const row of found)
			byOrder.set(String(row.order_id), [...(byOrder.get(String(row.order_id)) ?? []), row]);
		for (const instance of result.instances) {
			const mine = byOrder.get(instance.orderId) ?? [];
			expect([instance.orderId, mine.length]).toEqual([instance.orderId, 1]);
			expect(mine[0]).toMatchObject({
				order_line_id: instance.orderLineId,
				instance_id: instance.instanceId,
				status: instance.status,
				last_order_id: instance.lastOrderId,
				...(instance.expireTime ? { expire_time: instance.expireTime } : {}),
			});
		}
	}, 300_000);

	it('answers calls while main is down, and serves a workflow published meanwhile on both webhook processes without restarting them', async () => {
		const pids = [...n8n.webhooks, ...n8n.workers].map((p) => p.pid);
		const order = newOrder();
		const bought = await call(url(0), KEY, {
			activity: 'newInstance',
			...order,
			businessId: newBusinessId(),
		});
		expect(bought.json?.resultCode).toBe('000000');
		const instanceId = String(bought.json?.instanceId);

		// Main (editor, activation, timers) stopped: KooGallery's calls do not need it.
		await n8n.main.stop();
		expect(n8n.main.exited()).toBe(true);
		for (const index of [0, 1]) {
			const query = await call(url(index), KEY, { activity: 'queryInstance', instanceId });
			expect([index, query.status, query.signed, query.json?.resultCode]).toEqual([
				index,
				200,
				true,
				'000000',
			]);
		}

		// A new workflow is published and main comes back, which activates it; the webhook
		// processes, never restarted, serve it (they look each call's webhook up in the database).
		n8n.publish([LATE]);
		await n8n.restartMain();
		await n8n.waitForWebhooks(['queue/late']);
		for (const index of [0, 1]) {
			const lateUrl = `${n8n.webhooks[index].baseUrl}/webhook/queue/late`;
			const answer = await call(lateUrl, KEY, { activity: 'queryInstance', instanceId });
			expect([index, answer.status, answer.signed, answer.json?.resultCode]).toEqual([
				index,
				200,
				true,
				'000000',
			]);
		}
		expect([...n8n.webhooks, ...n8n.workers].map((p) => p.pid)).toEqual(pids);
		expect([...n8n.webhooks, ...n8n.workers].filter((p) => p.exited())).toEqual([]);
	}, 600_000);
});
