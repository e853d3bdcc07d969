/**
 * The mutation test through a real n8n 2.41.1: every original signed request is accepted once,
 * then 10,000+ variants (test/security/mutations.cts) are all refused, none starts an execution,
 * n8n stays healthy, and neither n8n's log nor its database holds a key afterwards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { verifyBodySign } from '../../core/body-sign';
import { KIT_SCENARIOS } from '../../core/schemas/kit';
import { LICENSE_SCENARIOS } from '../../core/schemas/license';
import { SAAS_V1_SCENARIOS } from '../../core/schemas/saas-v1';
import { SAAS_V2_SCENARIOS } from '../../core/schemas/saas-v2';
import { sendRequest } from '../../scripts/n8n-http.cjs';
import { startN8nWithPack, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { mutations, validRequests, type Protocol, type Request } from '../security/mutations.cjs';
import { sellerKeyCredential, triggerWorkflow } from './trigger-workflows.cjs';

const KEYS = { basic: 'e2e-mutation-basic-key-5f1c9a', kit: 'e2e-mutation-kit-key-8b2d4e' };
const PATHS: Record<Protocol, string> = {
	saasV2: 'm/saas',
	kit: 'm/kit',
	license: 'm/license',
	saasV1: 'm/v1',
};
const answerAll = () => ({ respondTo: 'result', resultCode: '000000' });
const workflows = [
	triggerWorkflow(
		'E2eMutV2',
		'saasV2',
		'scenarios',
		PATHS.saasV2,
		SAAS_V2_SCENARIOS.map((s) => s.activity),
		answerAll,
	),
	triggerWorkflow(
		'E2eMutKit',
		'kit',
		'kitScenarios',
		PATHS.kit,
		KIT_SCENARIOS.map((s) => s.activity),
		answerAll,
	),
	triggerWorkflow(
		'E2eMutLicense',
		'license',
		'licenseScenarios',
		PATHS.license,
		LICENSE_SCENARIOS.map((s) => s.activity),
		answerAll,
	),
	triggerWorkflow(
		'E2eMutV1',
		'saasV1',
		'v1Scenarios',
		PATHS.saasV1,
		SAAS_V1_SCENARIOS.map((s) => s.activity),
		answerAll,
	),
];

interface Outcome {
	label: string;
	status: number;
	resultCode?: string;
	signed: boolean;
}

describe('10,000+ mutated requests through a real n8n', () => {
	let handle: N8nHandle;

	beforeAll(async () => {
		handle = await startN8nWithPack('mutations', {
			workflows,
			credentials: [sellerKeyCredential(KEYS.basic, KEYS.kit)],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
	}, 60_000);

	const send = async (request: Request & { label?: string }): Promise<Outcome> => {
		const url = `${handle.baseUrl}/webhook/${PATHS[request.protocol]}${request.subPath}${request.query ? `?${request.query}` : ''}`;
		const answer = await sendRequest(url, {
			method: request.method,
			headers: request.headers,
			body: request.method === 'POST' ? request.body : undefined,
		});
		let resultCode: string | undefined;
		try {
			resultCode = JSON.parse(answer.body.toString('utf8')).resultCode;
		} catch {
			resultCode = undefined;
		}
		const key = request.protocol === 'kit' ? KEYS.kit : KEYS.basic;
		return {
			label: request.label ?? request.scenario,
			status: answer.status,
			resultCode,
			signed: verifyBodySign(key, answer.body, answer.headers['body-sign']),
		};
	};

	it(
		'accepts each original once, refuses every variant with a signed code, and starts no execution for them',
		async () => {
			const originals = validRequests(KEYS, Date.now());
			for (const original of originals) {
				const outcome = await send(original);
				expect([
					original.protocol,
					original.scenario,
					outcome.status,
					outcome.resultCode,
					outcome.signed,
				]).toEqual([original.protocol, original.scenario, 200, '000000', true]);
			}
			const executions = await handle.waitForExecutions(originals.length, { timeoutMs: 60_000 });
			expect(executions).toHaveLength(originals.length);

			const variants = mutations(originals, KEYS);
			expect(variants.length).toBeGreaterThanOrEqual(10_000);
			const outcomes: Outcome[] = [];
			const queue = [...variants];
			const worker = async () => {
				for (let variant = queue.shift(); variant; variant = queue.shift())
					outcomes.push(await send(variant));
			};
			await Promise.all(Array.from({ length: 8 }, worker));

			const accepted = outcomes.filter((o) => o.resultCode === '000000');
			expect(accepted.map((o) => o.label)).toEqual([]);
			// n8n refuses a body that is not JSON itself (HTTP 422, before any node runs); every other
			// variant reaches the trigger and gets a signed 000001 or 000002.
			const byN8n = outcomes.filter((o) => o.status === 422);
			const byTrigger = outcomes.filter((o) => o.status !== 422);
			const unexpected = byTrigger.filter(
				(o) => o.status !== 200 || !o.signed || !['000001', '000002'].includes(o.resultCode ?? ''),
			);
			expect(unexpected.slice(0, 20)).toEqual([]);
			expect(byTrigger.length).toBeGreaterThan(variants.length / 2);
			process.stdout.write(
				`mutations: ${variants.length} sent, ${byTrigger.length} refused by the trigger (signed), ${byN8n.length} refused by n8n's JSON parser (422)\n`,
			);

			// Still exactly the originals' executions, and n8n is healthy.
			expect(await handle.listExecutions()).toHaveLength(originals.length);
			const health = await sendRequest(`${handle.baseUrl}/healthz`);
			expect(health.status).toBe(200);
			const fresh = await send(validRequests(KEYS, Date.now())[0]);
			expect([fresh.status, fresh.resultCode, fresh.signed]).toEqual([200, '000000', true]);
		},
		30 * 60_000,
	);

	it("leaves no key in n8n's log or database", async () => {
		const logs = handle.logs();
		expect(logs).toMatch(/KooGallery call refused/);
		for (const key of Object.values(KEYS)) expect(logs).not.toContain(key);
		const db = fs.readFileSync(path.join(handle.userFolder, '.n8n', 'database.sqlite'));
		const wal = path.join(handle.userFolder, '.n8n', 'database.sqlite-wal');
		const all = fs.existsSync(wal) ? Buffer.concat([db, fs.readFileSync(wal)]) : db;
		for (const key of Object.values(KEYS)) expect(all.includes(key)).toBe(false);
	});
});
