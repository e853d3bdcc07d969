/**
 * n8n killed (SIGKILL) in the middle of a burst of new purchases and started again: every call got
 * either a correct, signed answer or none at all (so KooGallery calls again), and once KooGallery's
 * retries have arrived the built-in workflow holds exactly one complete row per order, with the
 * instance ID that was answered. Needs `npm run build` first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { readDataTableRows, waitForDataTable } from '../../scripts/n8n-data-tables.cjs';
import { isPortFree } from '../../scripts/n8n-http.cjs';
import { ensureN8n, type N8nInstall } from '../../scripts/n8n-install.cjs';
import { startN8n, startN8nWithPack, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { call, newBusinessId, newOrder, type CallAnswer } from '../../simulator/saas-v2-client.cjs';
import { busyLimitOff, sellerKeyCredential } from './trigger-workflows.cjs';

const KEY = 'e2e-Crash-Key-2b4e6f809f3a7c1d';
const WORKFLOW = busyLimitOff(
	JSON.parse(
		fs.readFileSync(
			path.join(__dirname, '..', '..', 'workflows', 'koogallery-saas-v2-data-table.json'),
			'utf8',
		),
	),
);
const BURST = 40;

describe('n8n killed mid-burst and restarted', () => {
	let install: N8nInstall;
	let handle: N8nHandle;
	let userFolder: string;

	beforeAll(async () => {
		install = await ensureN8n();
		handle = await startN8nWithPack('crash', {
			workflows: [WORKFLOW],
			credentials: [sellerKeyCredential(KEY)],
		});
		userFolder = handle.userFolder;
		await waitForDataTable(install, userFolder, 'koogallery_instances');
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
	}, 60_000);

	it(
		'answers each call correctly or not at all, and ends with one complete row per order',
		async () => {
			const url = () => `${handle.baseUrl}/webhook/koogallery/saas`;
			const orders = Array.from({ length: BURST }, () => newOrder());
			const answers = new Map<string, CallAnswer>();
			let next = 0;
			let correct = 0;
			const worker = async () => {
				for (let i = next++; i < orders.length; i = next++) {
					const answer = await call(url(), KEY, {
						activity: 'newInstance',
						...orders[i],
						businessId: newBusinessId(),
					});
					answers.set(orders[i].orderId, answer);
					// Kill n8n (its whole process group, no chance to clean up) as the fifth call is answered:
					// at most 3 calls are in flight then and the rest not sent yet, at any speed.
					if (answer.status === 200 && ++correct === 5) process.kill(-handle.pid, 'SIGKILL');
				}
			};
			await Promise.all(Array.from({ length: 4 }, worker));
			const port = handle.port;
			while (!(await isPortFree(port))) await sleep(100);

			const answered = [...answers.entries()].filter(([, a]) => a.status !== 0);
			const unanswered = [...answers.entries()].filter(([, a]) => a.status === 0);
			// Whatever got an answer got a correct one: signed, 000000, an instance ID.
			for (const [orderId, answer] of answered) {
				expect([
					orderId,
					answer.status,
					answer.signed,
					answer.json?.resultCode,
					typeof answer.json?.instanceId,
				]).toEqual([orderId, 200, true, '000000', 'string']);
			}
			expect(answered.length).toBeGreaterThanOrEqual(5);
			expect(unanswered.length).toBeGreaterThan(0);

			// Start n8n again on the same folder; the published workflow comes back by itself.
			handle = await startN8n({ userFolder, workflows: [], port });
			for (let tries = 0; ; tries++) {
				const probe = await call(url(), KEY, { activity: 'queryInstance', instanceId: 'probe' });
				if (probe.status === 200 && probe.json?.resultCode) break;
				if (tries > 1000)
					throw new Error(`the workflow did not come back: ${probe.status} ${probe.text}`);
				await sleep(300);
			}
			// KooGallery calls again for every order it got no answer for (with a new businessId).
			for (const [orderId] of unanswered) {
				const order = orders.find((o) => o.orderId === orderId)!;
				const retry = await call(url(), KEY, {
					activity: 'newInstance',
					...order,
					businessId: newBusinessId(),
				});
				expect([orderId, retry.status, retry.signed, retry.json?.resultCode]).toEqual([
					orderId,
					200,
					true,
					'000000',
				]);
				answers.set(orderId, retry);
			}

			const table = await waitForDataTable(install, userFolder, 'koogallery_instances');
			const rows = await readDataTableRows(install, userFolder, table);
			for (const order of orders) {
				const found = rows.filter(
					(row) => row.orderId === order.orderId && row.orderLineId === order.orderLineId,
				);
				expect([order.orderId, found.length]).toEqual([order.orderId, 1]);
				expect(found[0].instanceId).toBe(answers.get(order.orderId)?.json?.instanceId);
				// Complete: the row has everything a later Query Instance needs.
				expect(found[0]).toMatchObject({ status: 'active' });
				expect(String(found[0].password ?? '')).not.toBe('');
			}
			expect(rows).toHaveLength(orders.length);
		},
		10 * 60_000,
	);
});
