/**
 * The variance corpus (test/variance/corpus.cts) through a real n8n 2.41.1 (issue 16): every
 * correctly signed call, whatever the shape of its fields, starts an execution of its scenario's
 * branch and is answered by that branch's own KooGallery Respond node, never 000001 or 000002.
 * One n8n, one workflow per product type, a few calls at a time. Needs `npm run build` first.
 */
import { KIT_SCENARIOS } from '../../core/schemas/kit';
import { LICENSE_SCENARIOS } from '../../core/schemas/license';
import { ORDER_NOTIFY_SCENARIOS } from '../../core/schemas/order-notify';
import { SAAS_V1_SCENARIOS } from '../../core/schemas/saas-v1';
import { SAAS_V2_SCENARIOS } from '../../core/schemas/saas-v2';
import { startN8nWithPack, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { sendHttp } from '../../simulator/http.cjs';
import { OTHER, PATHS, signCase, varianceCorpus, type VarianceCase } from '../variance/corpus.cjs';
import { sellerKeyCredential, triggerWorkflow } from './trigger-workflows.cjs';

const KEYS = { basic: 'e2e-variance-basic-key-3c7a91', kit: 'e2e-variance-kit-key-9e14b2' };
/** Each Respond node says which branch answered, so the answer proves the workflow's own node sent it. */
const answer = (activity: string) => ({
	respondTo: 'result',
	resultCode: '000000',
	resultMessage: `branch ${activity}`,
});
const activities = (list: ReadonlyArray<{ activity: string }>, other = true) => [
	...list.map((s) => s.activity),
	...(other ? [OTHER] : []),
];
const workflows = [
	triggerWorkflow(
		'E2eVarV2',
		'saasV2',
		'scenarios',
		PATHS.saasV2,
		activities(SAAS_V2_SCENARIOS),
		answer,
	),
	triggerWorkflow(
		'E2eVarKit',
		'kit',
		'kitScenarios',
		PATHS.kit,
		activities(KIT_SCENARIOS, false),
		answer,
	),
	triggerWorkflow(
		'E2eVarLicense',
		'license',
		'licenseScenarios',
		PATHS.license,
		activities(LICENSE_SCENARIOS),
		answer,
	),
	triggerWorkflow(
		'E2eVarV1',
		'saasV1',
		'v1Scenarios',
		PATHS.saasV1,
		activities(SAAS_V1_SCENARIOS),
		answer,
	),
	triggerWorkflow(
		'E2eVarOrder',
		'orderNotify',
		'orderScenarios',
		PATHS.orderNotify,
		activities(ORDER_NOTIFY_SCENARIOS, false),
		answer,
	),
];

describe('the variance corpus through a real n8n', () => {
	let handle: N8nHandle;

	beforeAll(async () => {
		handle = await startN8nWithPack('variance', {
			workflows,
			credentials: [sellerKeyCredential(KEYS.basic, KEYS.kit)],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
	}, 60_000);

	it(
		"answers every call from its scenario branch's Respond node, none with 000001 or 000002",
		async () => {
			const corpus = varianceCorpus();
			const base = `${handle.baseUrl}/webhook`;
			const problems: string[] = [];
			const codes = new Map<string, number>();
			const queue = [...corpus];
			const send = async (item: VarianceCase) => {
				// Signed just before sending: the time window is the real one.
				const reply = await sendHttp(
					signCase(base, KEYS, item),
					item.protocol === 'kit' ? KEYS.kit : KEYS.basic,
					60_000,
				);
				const code = String(reply.json?.resultCode);
				codes.set(code, (codes.get(code) ?? 0) + 1);
				const got = [reply.status, reply.signed, code, reply.json?.resultMsg];
				const expected = [200, true, '000000', `branch ${item.output}`];
				if (JSON.stringify(got) !== JSON.stringify(expected))
					problems.push(
						`${item.protocol}/${item.seed} "${item.label}": got ${JSON.stringify(got)} (${reply.text.slice(0, 200)})`,
					);
			};
			const worker = async () => {
				for (let item = queue.shift(); item; item = queue.shift()) await send(item);
			};
			await Promise.all(Array.from({ length: 4 }, worker));
			process.stdout.write(
				`variance: ${corpus.length} calls sent, result codes ${JSON.stringify(Object.fromEntries(codes))}\n`,
			);
			expect(problems.slice(0, 30)).toEqual([]);
			expect(codes.get('000001') ?? 0).toBe(0);
			expect(codes.get('000002') ?? 0).toBe(0);
			// One execution per call, in the workflow of its product type.
			for (const [index, workflow] of workflows.entries()) {
				const protocol = (['saasV2', 'kit', 'license', 'saasV1', 'orderNotify'] as const)[index];
				const expected = corpus.filter((c) => c.protocol === protocol).length;
				const executions = await handle.waitForExecutions(expected, {
					workflowId: workflow.id,
					timeoutMs: 120_000,
				});
				const failed = executions.filter((e) => e.status !== 'success').length;
				expect([protocol, executions.length, failed]).toEqual([protocol, expected, 0]);
			}
		},
		40 * 60_000,
	);
});
