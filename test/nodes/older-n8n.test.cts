/**
 * The triggers on an n8n older than 2.35, whose n8n-workflow has no `fromFunction`, `fromParameter`
 * or `webhookDescriptionFields` (n8n 1.123.81 ships n8n-workflow 1.120.31, n8n 2.34 ships 2.34.3):
 * the pack is loaded against this repository's n8n-workflow minus those three exports, exactly
 * what n8n's NODE_PATH gives it there. The real older n8n runs in test/e2e (N8N_TEST_VERSION).
 */
import { WEBHOOK_RESOLVERS, type IDataObject, type INodeTypeDescription } from 'n8n-workflow';

import { signSaasV2Request } from '../../core/saas-v2-signature';
import { verifyBodySign } from '../../core/body-sign';
import { KooGalleryTrigger } from '../../nodes/KooGalleryTrigger/KooGalleryTrigger.node';
import { KooGalleryApiTrigger } from '../../nodes/KooGalleryApiTrigger/KooGalleryApiTrigger.node';
import { nativeWebhookResolvers } from '../../nodes/shared/webhookFields';
import { CREDENTIALS, KEY, webhookContext } from './fakes.cjs';

type Modules = {
	webhookFields: typeof import('../../nodes/shared/webhookFields');
	Trigger: typeof KooGalleryTrigger;
	ApiTrigger: typeof KooGalleryApiTrigger;
};

/** The pack's triggers loaded in a module registry whose n8n-workflow lacks the 2.35 helpers. */
function loadOnOlderN8n(): Modules {
	let modules: Modules | undefined;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => {
			const actual = jest.requireActual('n8n-workflow');
			const { fromFunction, fromParameter, webhookDescriptionFields, ...older } = actual;
			expect([fromFunction, fromParameter, webhookDescriptionFields].map((f) => typeof f)).toEqual([
				'function',
				'function',
				'function',
			]);
			return older;
		});
		modules = {
			webhookFields: require('../../nodes/shared/webhookFields'),
			Trigger: require('../../nodes/KooGalleryTrigger/KooGalleryTrigger.node').KooGalleryTrigger,
			ApiTrigger: require('../../nodes/KooGalleryApiTrigger/KooGalleryApiTrigger.node')
				.KooGalleryApiTrigger,
		};
	});
	jest.dontMock('n8n-workflow');
	return modules!;
}

const older = loadOnOlderN8n();
const pairs: Array<[string, INodeTypeDescription, INodeTypeDescription]> = [
	['KooGallery Trigger', new KooGalleryTrigger().description, new older.Trigger().description],
	[
		'KooGallery API Trigger',
		new KooGalleryApiTrigger().description,
		new older.ApiTrigger().description,
	],
];
const resolversOf = (webhook: object) => (webhook as Record<symbol, unknown>)[WEBHOOK_RESOLVERS];

describe('the triggers on n8n older than 2.35', () => {
	it('detects which n8n-workflow it runs on', () => {
		expect(nativeWebhookResolvers).toBe(true);
		expect(older.webhookFields.nativeWebhookResolvers).toBe(false);
	});

	it.each(pairs)(
		'%s declares the same webhook expressions, without native resolvers',
		(_name, current, old) => {
			// JSON keeps the string fields (what n8n and its editor read) and drops the resolver symbol.
			expect(JSON.parse(JSON.stringify(old.webhooks))).toEqual(
				JSON.parse(JSON.stringify(current.webhooks)),
			);
			expect(old.webhooks!.length).toBeGreaterThan(0);
			for (const webhook of current.webhooks!) expect(resolversOf(webhook)).toBeDefined();
			for (const webhook of old.webhooks!) {
				expect(resolversOf(webhook)).toBeUndefined();
				expect(String(webhook.path)).toMatch(/^=\{\{.*\}\}$/);
			}
		},
	);

	it.each(pairs)(
		'%s shows the older-n8n notice first and nothing else changes',
		(_name, current, old) => {
			expect(current.properties.find((p) => p.name === 'olderN8nNotice')).toBeUndefined();
			const [notice, ...rest] = old.properties;
			expect(notice).toMatchObject({ name: 'olderN8nNotice', type: 'notice' });
			expect(notice.displayName).toMatch(/older than 2\.35.*Update n8n to 2\.35 or newer/);
			expect(JSON.stringify(rest)).toBe(JSON.stringify(current.properties));
		},
	);

	it('verifies and routes a signed SaaS V2.0 call, and refuses a forged one with a signed answer', async () => {
		const trigger = new older.Trigger();
		const body = JSON.stringify({
			activity: 'newInstance',
			orderId: 'CS1',
			orderLineId: 'CS1-000001',
			businessId: 'b-1',
			testFlag: '1',
		});
		const call = (key: string) => {
			const nonce = `older-${key.length}-${Math.random()}`;
			const timestamp = String(Date.now());
			const query = { signature: signSaasV2Request(key, body, nonce, timestamp), timestamp, nonce };
			return webhookContext({ query, rawBody: body, credentials: CREDENTIALS });
		};
		const genuine = await trigger.webhook.call(call(KEY).context);
		expect(genuine.workflowData![0][0].json).toMatchObject({
			orderId: 'CS1',
			koogallery: { scenario: 'newInstance' },
		});

		const forged = call('not-the-seller-key-0123456789');
		const refused = await trigger.webhook.call(forged.context);
		expect(refused.workflowData).toBeUndefined();
		const answer = JSON.parse(forged.response.body!) as IDataObject;
		expect(answer.resultCode).toBe('000001');
		expect(verifyBodySign(KEY, forged.response.body!, forged.response.headers['body-sign'])).toBe(
			true,
		);
	});
});
