/**
 * KooGallery Trigger, product type "Order Notification (订单通知)": verified exactly as SaaS V2.0
 * calls are, before any execution, then read leniently; one output "Order Paid".
 */
import { keyFamily } from '../../core/answer-key';
import { verifyBodySign } from '../../core/body-sign';
import { signSaasV2Request } from '../../core/saas-v2-signature';
import { KooGalleryTrigger } from '../../nodes/KooGalleryTrigger/KooGalleryTrigger.node';
import { protocols } from '../../core/trigger-protocols';
import { KEY, PREVIOUS_KEY, webhookContext } from './fakes.cjs';
import type { IDataObject } from 'n8n-workflow';

const trigger = new KooGalleryTrigger();
let n = 0;
const PARAMETERS = {
	protocol: 'orderNotify',
	path: 'koogallery/orders',
	orderScenarios: ['orderNotify'],
	options: {},
};
const ORDER = {
	activity: 'orderNotify',
	orderId: 'CS2211181819B4LVS',
	orderLineId: 'CS2211181819B4LVS-000001',
	testFlag: '0',
};

function signed(
	body: string,
	options: { key?: string; timestampMs?: number; nonce?: string; parameters?: IDataObject } = {},
) {
	const nonce = options.nonce ?? `order-nonce-${++n}-${Math.random()}`;
	const timestamp = String(options.timestampMs ?? Date.now());
	const query = {
		signature: signSaasV2Request(options.key ?? KEY, body, nonce, timestamp),
		timestamp,
		nonce,
	};
	return webhookContext({
		query,
		rawBody: body,
		url: '/webhook/koogallery/orders',
		parameters: { ...PARAMETERS, ...options.parameters },
	});
}
const answerOf = (response: { body?: string; headers: Record<string, string> }, key = KEY) => {
	expect(verifyBodySign(key, response.body!, response.headers['body-sign'])).toBe(true);
	return JSON.parse(response.body!) as IDataObject;
};

describe('KooGallery Trigger: order notification (订单通知)', () => {
	it('verifies with the one SaaS V2.0 verifier, the same function', () => {
		expect(protocols.orderNotify.verify).toBe(protocols.saasV2.verify);
		expect(keyFamily('orderNotify')).toBe('basic');
	});

	it('starts the Order Paid branch with the order, leaving the answer to the workflow', async () => {
		const { context, response } = signed(JSON.stringify(ORDER));
		const result = await trigger.webhook.call(context);
		expect(response.body).toBeUndefined();
		expect(result.noWebhookResponse).toBeUndefined();
		expect(result.workflowData).toHaveLength(1);
		expect(result.workflowData![0][0].json).toMatchObject({
			...ORDER,
			koogallery: {
				protocol: 'orderNotify',
				scenario: 'orderNotify',
				scenarioName: 'Order Paid',
				testFlag: false,
				answered: false,
			},
		});
	});

	it('answers a signed success at once with "Answer Notifications Immediately", and still runs the branch', async () => {
		const { context, response } = signed(JSON.stringify({ ...ORDER, testFlag: 1 }), {
			parameters: { options: { acknowledgeNotifications: true } },
		});
		const result = await trigger.webhook.call(context);
		expect(answerOf(response)).toEqual({ resultCode: '000000', resultMsg: 'success' });
		expect(result.noWebhookResponse).toBe(true);
		expect(result.workflowData![0][0].json).toMatchObject({
			orderId: ORDER.orderId,
			testFlag: '1',
			koogallery: { testFlag: true, answered: true },
		});
	});

	it('acknowledges without running the workflow when the scenario is not ticked (never left unanswered)', async () => {
		const { context, response } = signed(JSON.stringify(ORDER), {
			parameters: { orderScenarios: [] },
		});
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(response).resultCode).toBe('000000');
	});

	it('accepts a call signed with the previous key and answers with that key', async () => {
		const { context, response } = signed(JSON.stringify(ORDER), {
			key: PREVIOUS_KEY,
			parameters: { options: { acknowledgeNotifications: true } },
		});
		const result = await trigger.webhook.call(context);
		expect(answerOf(response, PREVIOUS_KEY).resultCode).toBe('000000');
		expect(result.workflowData![0][0].json).toMatchObject({
			koogallery: { verification: { key: 'previous' } },
		});
	});

	it('reads numbers and nulls, and keeps unknown fields', async () => {
		const { context } = signed(
			'{"activity":"orderNotify","orderId":2211181819,"orderLineId":null,"testFlag":null,"channel":"x"}',
		);
		const result = await trigger.webhook.call(context);
		const json = result.workflowData![0][0].json;
		expect(json).toMatchObject({
			orderId: '2211181819',
			channel: 'x',
			koogallery: { testFlag: false },
		});
		expect(json).not.toHaveProperty('orderLineId');
	});

	describe('refuses before any execution, with a signed result code', () => {
		const refused = async ({ context, response }: ReturnType<typeof webhookContext>) => {
			expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
			return answerOf(response);
		};
		/** The same signed query with another body or signature. */
		const altered = (body: string, change: { body?: string; signature?: string }) => {
			const query = {
				...(signed(body).context.getRequestObject().query as Record<string, unknown>),
			};
			if (change.signature) query.signature = change.signature;
			return webhookContext({
				query,
				rawBody: change.body ?? body,
				url: '/webhook/koogallery/orders',
				parameters: PARAMETERS,
			});
		};
		const body = JSON.stringify(ORDER);

		it('a bad signature, another key, a stale timestamp', async () => {
			expect((await refused(altered(body, { signature: 'ab'.repeat(32) }))).resultCode).toBe(
				'000001',
			);
			expect((await refused(signed(body, { key: 'some-other-key-123' }))).resultCode).toBe(
				'000001',
			);
			expect(
				(await refused(signed(body, { timestampMs: Date.now() - 10 * 60_000 }))).resultCode,
			).toBe('000002');
		});

		it('a body changed after signing', async () => {
			expect(
				(await refused(altered(body, { body: body.replace('B4LVS"', 'B4LVT"') }))).resultCode,
			).toBe('000001');
		});

		it('a replayed nonce', async () => {
			const nonce = `replayed-${Math.random()}`;
			const timestampMs = Date.now();
			const first = await trigger.webhook.call(signed(body, { nonce, timestampMs }).context);
			expect(first.workflowData).toHaveLength(1);
			expect((await refused(signed(body, { nonce, timestampMs }))).resultCode).toBe('000001');
		});

		it('a signed call without an order ID, or for another interface (000002)', async () => {
			expect(await refused(signed(JSON.stringify({ ...ORDER, orderId: undefined })))).toEqual({
				resultCode: '000002',
				resultMsg: '"orderId" is required but missing.',
			});
			const other = await refused(
				signed(JSON.stringify({ ...ORDER, activity: 'newInstance', businessId: 'b-1' })),
			);
			expect(other.resultCode).toBe('000002');
		});
	});
});
