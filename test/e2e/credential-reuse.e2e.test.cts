/**
 * The KooGallery Trigger reuses the seller key it read for 5 s (nodes/shared/credentialReuse.ts),
 * in a real n8n 2.41.1 with n8n's default expression-engine settings and /metrics on. There,
 * reading a credential in a webhook makes n8n's CredentialsHelper take an expression isolate of
 * its own; n8n counts every isolate taken in `n8n_expression_pool_acquired_total`.
 *
 * - Calls within 5 s of the key being read take 2 isolates each (n8n's webhook phase and the
 *   execution), not 3 as when every call read it.
 * - A key changed in n8n (its REST API, as the editor saves it) is used for the next call at once:
 *   the trigger reads the credential again before refusing a call it read an older key for.
 *
 * Needs `npm run build` first.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { startN8nWithPack, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { call } from '../../simulator/saas-v2-client.cjs';
import { restJson, setUpOwnerAndLogIn } from './editor/n8n-session.cjs';
import { CREDENTIAL, sellerKeyCredential, triggerWorkflow } from './trigger-workflows.cjs';

const OLD_KEY = 'e2e-Reuse-Old-Key-3c5e7a9b1d2f4a6c';
const NEW_KEY = 'e2e-Reuse-New-Key-8b0d2f4a6c3c5e7a';
const CALLS = 6;
/** The trigger keeps a credential for 5 s; a batch counts only if it was over well within that. */
const WINDOW_MS = 4_500;

const workflow = triggerWorkflow(
	'E2eCredReuse0001',
	'saasV2',
	'scenarios',
	'koogallery/reuse',
	['updateInstanceStatus'],
	() => ({ respondTo: 'result', resultCode: '000000' }),
);
const freeze = { activity: 'updateInstanceStatus', instanceId: 'i-1', status: 'FREEZE' };

describe('the KooGallery Trigger reuses the seller key it read, in a real n8n', () => {
	let handle: N8nHandle;
	let url: string;

	/** n8n's count of expression isolates taken so far (its /metrics). */
	const isolatesTaken = async () => {
		const text = await (await fetch(`${handle.baseUrl}/metrics`)).text();
		const line = /^n8n_expression_pool_acquired_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
		if (!line) throw new Error('/metrics lists no n8n_expression_pool_acquired_total');
		return Number(line[1]);
	};
	const accepted = async (key: string) => {
		const answer = await call(url, key, freeze);
		expect([answer.status, answer.json?.resultCode, answer.signed]).toEqual([200, '000000', true]);
	};

	beforeAll(async () => {
		handle = await startN8nWithPack('credential-reuse', {
			workflows: [workflow],
			credentials: [sellerKeyCredential(OLD_KEY)],
			env: {
				// n8n's own defaults, which the harness otherwise tunes.
				N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'false',
				N8N_EXPRESSION_ENGINE_POOL_SIZE: '1',
				N8N_METRICS: 'true',
				N8N_METRICS_INCLUDE_DEFAULT_METRICS: 'false',
			},
		});
		url = `${handle.baseUrl}/webhook/koogallery/reuse`;
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
	}, 60_000);

	it('a call takes no expression isolate for reading the seller key', async () => {
		// The warm-up call reads the key (no earlier read is kept: n8n is fresh, or 5 s have passed),
		// then CALLS calls follow one after another. A batch counts only if all of it was answered
		// within WINDOW_MS of sending the warm-up, so no call could have found the key expired and
		// read it again; a slower batch is tried again (at most 3 times) rather than counted.
		const perCall: number[] = [];
		for (let attempt = 0; attempt < 3; attempt++) {
			if (attempt > 0) await sleep(5_500);
			const warmUpSent = Date.now();
			await accepted(OLD_KEY);
			const before = await isolatesTaken();
			for (let i = 0; i < CALLS; i++) await accepted(OLD_KEY);
			if (Date.now() - warmUpSent >= WINDOW_MS) continue;
			perCall.push((await isolatesTaken()) - before);
			break;
		}
		// Before the change every call read the key and took 3 (18 for the batch).
		expect(perCall).toEqual([2 * CALLS]);
	}, 180_000);

	it('a seller key changed in n8n is used for the next call at once', async () => {
		const cookie = await setUpOwnerAndLogIn(handle.baseUrl);
		await accepted(OLD_KEY); // read and kept by the trigger
		// Saved as the editor saves it (PATCH /rest/credentials/:id with the whole credential, which
		// replaces its data): the new key, and no previous key.
		const saved = await restJson(
			handle.baseUrl,
			'PATCH',
			`/credentials/${CREDENTIAL.id}`,
			sellerKeyCredential(NEW_KEY),
			cookie,
		);
		expect(saved.status).toBe(200);
		// Accepted with the new key, answer signed with it (checked by `accepted`).
		await accepted(NEW_KEY);
		// That call had the trigger read the key again: the old one is refused now too.
		const old = await call(url, OLD_KEY, freeze);
		expect([old.status, old.json?.resultCode]).toEqual([200, '000001']);
	}, 180_000);
});
