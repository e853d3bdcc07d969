/**
 * Joint-operation kit syncs, License products and SaaS V1.0 end to end in a real n8n 2.41.1: one
 * workflow per product type (built below: KooGallery Trigger → KooGallery Respond on every output),
 * played by the simulator exactly as KooGallery signs each protocol. Refused calls must start no
 * execution. Needs `npm run build` first.
 */
import { startN8nWithPack, type N8nHandle } from '../../scripts/n8n-process.cjs';
import {
	kitWorkflow,
	licenseWorkflow,
	sellerKeyCredential,
	v1Workflow,
} from './trigger-workflows.cjs';
import { sendHttp } from '../../simulator/http.cjs';
import { runKit, signKitCall } from '../../simulator/kit-scenarios.cjs';
import { runLicense } from '../../simulator/license-scenarios.cjs';
import { runSaasV1 } from '../../simulator/saas-v1-scenarios.cjs';
import { signV1Call } from '../../simulator/v1-client.cjs';
import { expectAllPass } from './plans.cjs';

const KEY = 'e2e-Basic-Key-7c1d2b4e6f809f3a';
const KIT_KEY = 'e2e-Kit-Key-4e6f809f3a7c1d2b';

describe('kit, License and SaaS V1.0 in a real n8n', () => {
	let handle: N8nHandle;
	let base: string;

	beforeAll(async () => {
		handle = await startN8nWithPack('protocols', {
			workflows: [kitWorkflow, v1Workflow, licenseWorkflow],
			credentials: [sellerKeyCredential(KEY, KIT_KEY)],
		});
		base = `${handle.baseUrl}/webhook`;
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
	}, 60_000);

	it('passes every kit sync case, signed with x-sign and the kit key', async () => {
		expectAllPass(await runKit(`${base}/koogallery/kit`, KIT_KEY), 17);
	}, 120_000);

	it('passes every SaaS V1.0 case, with encrypted login details on purchase', async () => {
		expectAllPass(await runSaasV1(`${base}/koogallery/v1`, KEY, { testFlag: true }), 15);
	}, 120_000);

	it('passes every License case of the three guides on one production address', async () => {
		expectAllPass(await runLicense(`${base}/koogallery/license`, KEY), 12);
	}, 120_000);

	it('starts no execution for refused kit and V1.0 calls', async () => {
		const count = async (id: string) => (await handle.listExecutions(id)).length;
		const tenant = {
			instanceId: 'i',
			tenantId: 't',
			tenantCode: 'c',
			name: 'n',
			domainName: 'https://d',
			flag: 1,
			testFlag: 0,
			orderId: 'o',
			timeStamp: '20260101000000000',
		};
		const kitBefore = await count(kitWorkflow.id);
		const v1Before = await count(v1Workflow.id);
		const refusals = [
			sendHttp(signKitCall(`${base}/koogallery/kit`, KEY, 'tenantSync', tenant), KIT_KEY),
			sendHttp(
				signKitCall(`${base}/koogallery/kit`, KIT_KEY, 'tenantSync', tenant, {
					timestampMs: Date.now() - 3_600_000,
				}),
				KIT_KEY,
			),
			sendHttp(
				signV1Call(`${base}/koogallery/v1`, KIT_KEY, {
					activity: 'expireInstance',
					instanceId: 'i',
					orderId: 'o',
				}),
				KEY,
			),
			// An expiry cannot be acted on without the instance (an orderId alone is not enough).
			sendHttp(
				signV1Call(`${base}/koogallery/v1`, KEY, { activity: 'expireInstance', orderId: 'o' }),
				KEY,
			),
		];
		const answers = await Promise.all(refusals);
		expect(answers.map((a) => [a.status, a.json?.resultCode])).toEqual([
			[200, '000001'],
			[200, '000002'],
			[200, '000001'],
			[200, '000002'],
		]);
		// One accepted call each, then exactly one more execution each: the refusals started none.
		const accepted = await sendHttp(
			signKitCall(`${base}/koogallery/kit`, KIT_KEY, 'tenantSync', tenant),
			KIT_KEY,
		);
		expect(accepted.json?.resultCode).toBe('000000');
		const v1Accepted = await sendHttp(
			signV1Call(`${base}/koogallery/v1`, KEY, {
				activity: 'expireInstance',
				instanceId: 'i',
				orderId: 'o',
			}),
			KEY,
		);
		expect(v1Accepted.json?.resultCode).toBe('000000');
		expect(
			await handle.waitForExecutions(kitBefore + 1, { workflowId: kitWorkflow.id }),
		).toHaveLength(kitBefore + 1);
		expect(
			await handle.waitForExecutions(v1Before + 1, { workflowId: v1Workflow.id }),
		).toHaveLength(v1Before + 1);
	}, 120_000);
});
