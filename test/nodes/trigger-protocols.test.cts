import { KooGalleryTrigger } from '../../nodes/KooGalleryTrigger/KooGalleryTrigger.node';
import { kitSignatureHeaders } from '../../core/kit-signature';
import { computeAuthToken } from '../../core/saas-v1-auth-token';
import { signSaasV2Request } from '../../core/saas-v2-signature';
import { formatStatisticalTime } from '../../core/saas-v2-answers';
import { verifyBodySign } from '../../core/body-sign';
import { CREDENTIALS, KEY, webhookContext } from './fakes.cjs';
import { WEBHOOK_RESOLVERS, type IDataObject } from 'n8n-workflow';
import { KIT_SCENARIOS } from '../../core/schemas/kit';

const trigger = new KooGalleryTrigger();
const KIT_KEY = 'kit-key-0123456789-not-real';
const credentials = { ...CREDENTIALS, kitSecretKey: KIT_KEY };
let n = 0;
const nonce = () => `nonce-${++n}-${Math.random()}`;

const outputsOf = (result: { workflowData?: unknown[][] }) =>
	(result.workflowData ?? []).map((o) => o.length);
const itemOf = (result: { workflowData?: Array<Array<{ json: IDataObject }>> }) =>
	result.workflowData!.flat()[0].json as IDataObject & { koogallery: IDataObject };

describe('KooGallery Trigger: joint-operation kit syncs', () => {
	const tenantSync = JSON.stringify({
		instanceId: 'ins-1',
		orderId: 'CS1',
		tenantId: 't-1',
		tenantCode: 'acme',
		name: 'ACME',
		domainName: 'https://acme.example.com',
		flag: 1,
		testFlag: 1,
		timeStamp: '20220413093539534',
	});
	const kitCall = (path: string, body: string, key = KIT_KEY, parameters: IDataObject = {}) =>
		webhookContext({
			query: {},
			rawBody: body,
			url: `/webhook/koogallery/kit/produceAPI/v2/${path}`,
			headers: {
				'content-type': 'application/json',
				...kitSignatureHeaders(key, body, nonce(), String(Date.now())),
			},
			credentials,
			parameters: {
				protocol: 'kit',
				path: 'koogallery/kit',
				kitScenarios: ['tenantSync', 'applicationSync', 'authSync'],
				...parameters,
			},
		});

	it('verifies x-sign with the kit key and starts the Tenant Sync branch with idempotency keys', async () => {
		const { context, response } = kitCall('tenantSync', tenantSync);
		const result = await trigger.webhook.call(context);
		expect(response.body).toBeUndefined();
		expect(outputsOf(result)).toEqual([1, 0, 0]);
		expect(itemOf(result)).toMatchObject({
			tenantId: 't-1',
			koogallery: {
				protocol: 'kit',
				scenario: 'tenantSync',
				testFlag: true,
				idempotencyKeys: ['tenant:ins-1/t-1'],
			},
		});
	});

	it('refuses a call signed with the basic key, answering with the kit key', async () => {
		const { context, response } = kitCall('tenantSync', tenantSync, KEY);
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(verifyBodySign(KIT_KEY, response.body!, response.headers['body-sign'])).toBe(true);
		expect(JSON.parse(response.body!).resultCode).toBe('000001');
	});

	it('acknowledges a department sync it does not handle and refuses a bad body with 000002', async () => {
		const org = JSON.stringify({
			instanceId: 'ins-1',
			tenantId: 't-1',
			orgCode: '001',
			orgName: 'Sales',
			parentCode: '000',
			flag: 1,
			testFlag: 0,
			timeStamp: '20220420114117642',
		});
		const ack = kitCall('singleOrgSync', org);
		expect(await trigger.webhook.call(ack.context)).toEqual({ noWebhookResponse: true });
		expect(JSON.parse(ack.response.body!).resultCode).toBe('000000');
		const bad = kitCall(
			'tenantSync',
			JSON.stringify({ ...JSON.parse(tenantSync), tenantId: undefined }),
		);
		await trigger.webhook.call(bad.context);
		expect(JSON.parse(bad.response.body!)).toEqual({
			resultCode: '000002',
			resultMsg: '"tenantId" is required but missing.',
		});
	});

	it('refuses kit calls when no kit key is set', async () => {
		const { context, response, logs } = webhookContext({
			query: {},
			rawBody: tenantSync,
			url: '/webhook/koogallery/kit/produceAPI/v2/tenantSync',
			headers: kitSignatureHeaders(KIT_KEY, tenantSync, nonce(), String(Date.now())),
			parameters: { protocol: 'kit', kitScenarios: ['tenantSync'] },
		});
		await trigger.webhook.call(context);
		expect(JSON.parse(response.body!).resultCode).toBe('000001');
		expect(logs[0].message).toMatch(/no kit key/);
	});

	it('registers the five kit sub-paths only for kit products, the same in the editor and in n8n', () => {
		const webhooks = trigger.description.webhooks!;
		const evaluate = (template: unknown, parameter: IDataObject) => {
			const text = String(template);
			expect(text.startsWith('={{') && text.endsWith('}}')).toBe(true);
			return new Function('$parameter', `return ${text.slice(3, -2)}`)(parameter);
		};
		const resolvers = (webhook: object) =>
			(webhook as Record<symbol, Record<string, { resolve: (p: IDataObject) => unknown }>>)[
				WEBHOOK_RESOLVERS
			];
		const fields = (webhook: (typeof webhooks)[number], parameter: IDataObject) => {
			const editor = ['httpMethod', 'path', 'ndvHideUrl'].map((f) =>
				evaluate((webhook as unknown as IDataObject)[f], parameter),
			);
			const native = ['httpMethod', 'path', 'ndvHideUrl'].map((f) =>
				resolvers(webhook)[f].resolve(parameter),
			);
			expect(native).toEqual(editor);
			return editor;
		};
		const table = ['saasV2', 'kit', 'license', 'saasV1', 'orderNotify'].map((protocol) =>
			webhooks.map((w) => fields(w, { protocol, path: 'p/x' })),
		);
		expect(table[0][0]).toEqual(['POST', 'p/x', false]);
		expect(table[1][0]).toEqual(['', 'p/x', true]);
		expect(table[2][0]).toEqual(['GET,POST', 'p/x', false]);
		expect(table[3][0]).toEqual(['GET,POST', 'p/x', false]);
		expect(table[4][0]).toEqual(['POST', 'p/x', false]);
		expect(table[4].slice(1).map(([method]) => method)).toEqual(['', '', '', '', '']);
		expect(table[1].slice(1)).toEqual(
			KIT_SCENARIOS.map((s) => ['POST', `p/x/produceAPI/v2/${s.activity}`, false]),
		);
		expect(table[0].slice(1).map(([method]) => method)).toEqual(['', '', '', '', '']);
	});
});

describe('KooGallery Trigger: SaaS V1.0 and License GET calls (authToken)', () => {
	const v1Url = (params: Record<string, string>, key = KEY) => {
		const token = computeAuthToken(key, params);
		const query = Object.entries({ ...params, authToken: token })
			.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
			.join('&');
		return `/webhook/koogallery/v1?${query}`;
	};
	const now = () => formatStatisticalTime(new Date());

	it('verifies a V1.0 newInstance GET and routes it', async () => {
		const params = {
			activity: 'newInstance',
			businessId: 'b-1',
			customerId: 'c-1',
			orderId: 'CS1',
			productId: 'P1',
			testFlag: '1',
			timeStamp: now(),
		};
		const { context, response } = webhookContext({
			method: 'GET',
			url: v1Url(params),
			query: {},
			rawBody: '',
			parameters: { protocol: 'saasV1', v1Scenarios: ['newInstance', 'releaseInstance'] },
		});
		const result = await trigger.webhook.call(context);
		expect(response.body).toBeUndefined();
		expect(outputsOf(result)).toEqual([1, 0]);
		expect(itemOf(result)).toMatchObject({
			orderId: 'CS1',
			koogallery: { protocol: 'saasV1', scenario: 'newInstance', testFlag: true },
		});
	});

	it('refuses a V1.0 call with a wrong token (000001) or a timeStamp beyond the window (000002)', async () => {
		const params = { activity: 'releaseInstance', instanceId: 'i-1', timeStamp: now() };
		const dayOld = formatStatisticalTime(new Date(Date.now() - 25 * 3_600_000));
		const threeHoursOld = formatStatisticalTime(new Date(Date.now() - 3 * 3_600_000));
		for (const [url, options, code] of [
			[v1Url(params, 'other-key-123'), {}, '000001'],
			[v1Url({ ...params, timeStamp: dayOld }), {}, '000002'],
			[v1Url({ ...params, timeStamp: threeHoursOld }), { authTokenToleranceHours: 2 }, '000002'],
		] as const) {
			const { context, response } = webhookContext({
				method: 'GET',
				url,
				query: {},
				rawBody: '',
				parameters: { protocol: 'saasV1', v1Scenarios: ['releaseInstance'], options },
			});
			expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
			expect(JSON.parse(response.body!).resultCode).toBe(code);
		}
	});

	// No V1.0 page gives a window, and KooGallery retries a failed call hours later
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html): one day by default.
	it('accepts a V1.0 call whose timeStamp is 3 hours old by default (a retry of the first URL)', async () => {
		const params = {
			activity: 'releaseInstance',
			instanceId: 'i-1',
			timeStamp: formatStatisticalTime(new Date(Date.now() - 3 * 3_600_000)),
		};
		const { context } = webhookContext({
			method: 'GET',
			url: v1Url(params),
			query: {},
			rawBody: '',
			parameters: { protocol: 'saasV1', v1Scenarios: ['releaseInstance'] },
		});
		const result = await trigger.webhook.call(context);
		expect(outputsOf(result)).toEqual([1]);
		expect(itemOf(result).koogallery).toMatchObject({
			scenario: 'releaseInstance',
			verification: { form: 'decoded' },
		});
	});

	// "云商店每次调用商家接口的Get请求参数中或Post请求的Header里都会带有authToken值", body members signed
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html); the POST sample
	// skips blank values (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649159.html).
	it('verifies a V1.0 POST with a JSON body and the authToken header, its token computed without blanks', async () => {
		const body = {
			activity: 'newInstance',
			businessId: 'b-1',
			customerId: 'c-1',
			customerName: '',
			orderId: 'CS1',
			productId: 'P1',
			testFlag: 1,
			timeStamp: now(),
		};
		const strings = { ...body, testFlag: '1' };
		const post = (authToken: string, sent: object = body) =>
			webhookContext({
				method: 'POST',
				url: '/webhook/koogallery/v1',
				query: {},
				rawBody: JSON.stringify(sent),
				headers: { 'content-type': 'application/json', authtoken: authToken },
				parameters: { protocol: 'saasV1', v1Scenarios: ['newInstance'] },
			});
		const ok = post(computeAuthToken(KEY, strings, true));
		const result = await trigger.webhook.call(ok.context);
		expect(outputsOf(result)).toEqual([1]);
		const item = itemOf(result);
		expect(item).toMatchObject({
			orderId: 'CS1',
			testFlag: '1',
			koogallery: {
				protocol: 'saasV1',
				scenario: 'newInstance',
				testFlag: true,
				verification: { form: 'withoutBlank' },
			},
		});
		// The blank customerName was not signed, so it does not reach the workflow.
		expect(item).not.toHaveProperty('customerName');
		// Forgeries: another key, a changed member, an added member, no header.
		for (const forged of [
			post(computeAuthToken('other-key-123', strings, true)),
			post(computeAuthToken(KEY, strings, true), { ...body, orderId: 'CS2' }),
			post(computeAuthToken(KEY, strings, true), { ...body, extra: 'x' }),
			post(''),
		]) {
			expect(await trigger.webhook.call(forged.context)).toEqual({ noWebhookResponse: true });
			expect(JSON.parse(forged.response.body!).resultCode).toBe('000001');
		}
	});

	it('reads License code calls (POST, V2.0 signature) and getLicense (GET, authToken) on one trigger', async () => {
		const parameters = {
			protocol: 'license',
			licenseScenarios: ['refreshLicenseCode', 'getLicense'],
		};
		const body = JSON.stringify({
			activity: 'refreshLicenseCode',
			expireTime: '20300523201932',
			license: 'PL1',
			orderId: 'CS1',
			orderLineId: 'CS1-000001',
			productId: 'P1',
			scene: 'RENEWAL',
			testFlag: '1',
		});
		const n1 = nonce();
		const ts = String(Date.now());
		const post = webhookContext({
			query: { signature: signSaasV2Request(KEY, body, n1, ts), timestamp: ts, nonce: n1 },
			rawBody: body,
			url: '/webhook/koogallery/license',
			parameters,
		});
		const postResult = await trigger.webhook.call(post.context);
		expect(outputsOf(postResult)).toEqual([1, 0]);
		expect(itemOf(postResult).koogallery).toMatchObject({
			protocol: 'license',
			scenario: 'refreshLicenseCode',
		});
		const params = {
			activity: 'getLicense',
			businessId: 'b-1',
			customerId: 'c-1',
			orderId: 'CS1',
			productId: 'P1',
			testFlag: '1',
			timeStamp: now(),
		};
		const get = webhookContext({
			method: 'GET',
			url: v1Url(params).replace('/v1', '/license'),
			query: {},
			rawBody: '',
			parameters,
		});
		const getResult = await trigger.webhook.call(get.context);
		expect(outputsOf(getResult)).toEqual([0, 1]);
		expect(itemOf(getResult)).toMatchObject({
			orderId: 'CS1',
			koogallery: { scenario: 'getLicense' },
		});
	});
});
