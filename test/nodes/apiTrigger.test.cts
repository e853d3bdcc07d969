/**
 * KooGallery API Trigger (docs/protocol/koogallery-agents-apig.md §1.3–§1.5, §2.3, §3): what webhook()
 * writes and returns for Agents and APIG gateway calls, run unmodified in the fake n8n context.
 * Refusals must answer non-2xx JSON without usage and start no workflow; the APIG vectors B1/B2
 * go through the trigger's own verification path.
 */
import * as http from 'node:http';
import { WEBHOOK_RESOLVERS, type IDataObject, type IWebhookResponseData } from 'n8n-workflow';

import { KooGalleryApiTrigger } from '../../nodes/KooGalleryApiTrigger/KooGalleryApiTrigger.node';
import { frameAsSse, sseFromN8nLine } from '../../nodes/KooGalleryApiTrigger/stream';
import { KooGalleryGatewayApi } from '../../credentials/KooGalleryGatewayApi.credentials';
import { signAgentsToken } from '../../core/agents-token';
import { webhookContext, type WrittenResponse } from './fakes.cjs';

const trigger = new KooGalleryApiTrigger();

const APP_KEY = 'd44cd9aa-e48e-be17-27f4-5ef3474797a1';
const APP_SECRET = 'kg-demo-app-secret-2025';
const AGENTS = {
	authType: 'appKey',
	appKey: APP_KEY,
	appSecret: APP_SECRET,
	previousAppKey: '',
	previousAppSecret: '',
};
const HEADER_SECRET = 'a-long-random-header-secret-0123456789';
const HEADER_AUTH = {
	authType: 'header',
	headerName: 'X-Seller-Token',
	headerSecret: HEADER_SECRET,
	previousHeaderSecret: 'old-header-secret-abcdefghijkl',
};
const IDENTITY = {
	'x-request-id': '3f1c2a4e-1111-2222-3333-444455556666',
	'x-customer-id': 'dom-123',
	'x-customer-name': 'buyer-account',
};

interface StreamRecord extends WrittenResponse {
	written: string[];
	head?: { status: number; headers: Record<string, string> };
	ended: boolean;
}

/** The fake webhook context, with a response that also records writeHead, write and end for streaming. */
function gatewayCall(options: {
	parameters?: IDataObject;
	credentials?: IDataObject | Error;
	method?: string;
	url?: string;
	headers?: Record<string, string>;
	body?: string;
	query?: Record<string, unknown>;
	workflowId?: string;
	credentialId?: string;
}) {
	const { context, response, logs, finish, credentialReads } = webhookContext({
		workflowId: options.workflowId,
		credentialId: options.credentialId,
		parameters: {
			gateway: 'agents',
			path: 'koogallery/agent',
			responseMode: 'sync',
			options: {},
			...options.parameters,
		},
		credentials: options.credentials ?? AGENTS,
		method: options.method ?? 'POST',
		url: options.url ?? '/webhook/koogallery/agent',
		headers: { 'content-type': 'application/json', ...options.headers },
		rawBody: options.body ?? '',
		query: options.query ?? {},
	});
	const record = response as StreamRecord;
	record.written = [];
	record.ended = false;
	const base = (context.getResponseObject as () => IDataObject)();
	const res = {
		...base,
		status(code: number) {
			response.status = code;
			return this;
		},
		writeHead(status: number, headers: Record<string, string>) {
			record.head = { status, headers };
		},
		flushHeaders() {},
		write(chunk: string) {
			record.written.push(chunk);
			return true;
		},
		end(body?: string) {
			if (body !== undefined) response.body = body;
			record.ended = true;
			finish();
		},
	};
	(context as unknown as { getResponseObject: () => unknown }).getResponseObject = () => res;
	// The workflow after the trigger: an AI Agent, then the answer node (names as n8n gives them).
	(context as unknown as { getChildNodes: () => unknown }).getChildNodes = () => [
		{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, disabled: false },
		{
			name: 'Answer',
			type: 'n8n-nodes-koogallery.kooGalleryApiRespond',
			typeVersion: 1,
			disabled: false,
		},
	];
	return { context, response: record, logs, res, credentialReads };
}

const token = (overrides: Partial<Parameters<typeof signAgentsToken>[0]> = {}) =>
	signAgentsToken({
		appKey: APP_KEY,
		appSecret: APP_SECRET,
		timestampMs: Date.now(),
		exp: Date.now() + 300_000,
		...overrides,
	});

const itemOf = (result: IWebhookResponseData) =>
	result.workflowData![0][0].json as IDataObject & { koogallery: IDataObject };

/** Checks a refusal: the status, a JSON error body without usage, no workflow, one warning without secrets. */
function expectRefused(
	result: IWebhookResponseData,
	call: ReturnType<typeof gatewayCall>,
	status: number,
	logged: RegExp,
) {
	expect(result).toEqual({ noWebhookResponse: true });
	expect(call.response.status).toBe(status);
	expect(call.response.headers['content-type']).toBe('application/json; charset=utf-8');
	const body = JSON.parse(call.response.body!);
	expect(Object.keys(body)).toEqual(['error']);
	expect(body.error).toEqual({
		code: status === 400 ? 'bad_request' : 'unauthorized',
		message: expect.any(String),
	});
	expect(call.response.body).not.toContain('usage');
	expect(call.logs).toHaveLength(1);
	expect(call.logs[0].level).toBe('warn');
	expect(call.logs[0].message).toMatch(logged);
	const logged_ = JSON.stringify(call.logs);
	for (const secret of [
		APP_SECRET,
		HEADER_SECRET,
		'kgSignSecretDemo2025',
		'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
	])
		expect(logged_).not.toContain(secret);
}

describe('KooGallery API Trigger, Agents gateway with APP Key and APP Secret', () => {
	it('starts the workflow with the body and a koogallery block, hiding the token', async () => {
		const jwt = token();
		const call = gatewayCall({
			headers: { authorization: `Bearer ${jwt}`, ...IDENTITY, 'x-trace': 't1' },
			body: '{"input":"你好","stream":false}',
		});
		const result = await trigger.webhook.call(call.context);
		expect(result.noWebhookResponse).toBeUndefined();
		expect(call.response.body).toBeUndefined();
		expect(call.logs).toEqual([]);
		expect(result.workflowData).toHaveLength(1);
		const json = itemOf(result);
		expect(json).toMatchObject({ input: '你好', stream: false });
		expect(json.koogallery.inputCounts).toEqual({ bytes: 6, codePoints: 2, utf16Units: 2 });
		expect(json.koogallery).toMatchObject({
			gateway: 'agents',
			requestId: IDENTITY['x-request-id'],
			customerId: 'dom-123',
			customerName: 'buyer-account',
			apiKey: APP_KEY,
			method: 'POST',
			path: '/webhook/koogallery/agent',
			query: {},
			responseMode: 'sync',
			verification: { method: 'appKey', key: 'current' },
		});
		const headers = json.koogallery.headers as IDataObject;
		expect(headers['x-trace']).toBe('t1');
		expect(headers.authorization).toBeUndefined();
		expect(JSON.stringify(json)).not.toContain(jwt.split('.')[2]);
	});

	it('accepts the previous pair while rotating and a token in a custom header', async () => {
		const previous = token({ appKey: 'old-key', appSecret: 'old-secret-value' });
		const call = gatewayCall({
			credentials: { ...AGENTS, previousAppKey: 'old-key', previousAppSecret: 'old-secret-value' },
			headers: { 'x-agent-token': previous },
			parameters: { options: { jwtHeaderName: 'X-Agent-Token' } },
		});
		const result = await trigger.webhook.call(call.context);
		expect(itemOf(result).koogallery).toMatchObject({
			apiKey: 'old-key',
			verification: { key: 'previous' },
		});
		expect((itemOf(result).koogallery.headers as IDataObject)['x-agent-token']).toBeUndefined();
	});

	it('reads its credential once for the calls of 5 seconds, and again at once for a secret saved since', async () => {
		const first = gatewayCall({ credentialId: 'gw-reuse-1', headers: { authorization: token() } });
		await trigger.webhook.call(first.context);
		const second = gatewayCall({ credentialId: 'gw-reuse-1', headers: { authorization: token() } });
		expect(itemOf(await trigger.webhook.call(second.context)).koogallery).toMatchObject({
			apiKey: APP_KEY,
		});
		const saved = { ...AGENTS, appSecret: 'a-secret-saved-a-moment-ago' };
		const third = gatewayCall({
			credentialId: 'gw-reuse-1',
			credentials: saved,
			headers: { authorization: token({ appSecret: saved.appSecret }) },
		});
		expect(itemOf(await trigger.webhook.call(third.context)).koogallery).toMatchObject({
			apiKey: APP_KEY,
		});
		expect([first, second, third].map((call) => call.credentialReads())).toEqual([1, 0, 1]);
	});

	const refusals: Array<[string, () => Record<string, string>, number, RegExp]> = [
		['no token', () => ({}), 401, /carries no gateway token/],
		[
			'a token signed with another secret',
			() => ({ authorization: token({ appSecret: 'wrong-secret' }) }),
			401,
			/signature does not match/,
		],
		[
			'an unknown APP Key',
			() => ({ authorization: token({ appKey: 'someone-else' }) }),
			401,
			/not configured/,
		],
		[
			'a stale token',
			() => ({ authorization: token({ timestampMs: Date.now() - 400_000, exp: undefined }) }),
			401,
			/made 40\d s ago/,
		],
		[
			'an expired token',
			() => ({
				authorization: token({ timestampMs: Date.now() - 200_000, exp: Date.now() - 120_000 }),
			}),
			401,
			/expired/,
		],
		['alg none', () => ({ authorization: token({ header: { alg: 'none' } }) }), 401, /only HS256/],
		['a Basic header', () => ({ authorization: `Basic ${token()}` }), 400, /not a JWT/],
		[
			'a tampered payload',
			() => {
				const [h, , s] = token().split('.');
				return {
					authorization: `${h}.${Buffer.from(JSON.stringify({ api_key: APP_KEY, timestamp: Date.now() + 1 })).toString('base64url')}.${s}`,
				};
			},
			401,
			/signature does not match/,
		],
	];
	it.each(refusals)(
		'refuses %s without usage and starts nothing',
		async (_name, headers, status, logged) => {
			const call = gatewayCall({ headers: { ...headers(), ...IDENTITY }, body: '{"input":"hi"}' });
			const result = await trigger.webhook.call(call.context);
			expectRefused(result, call, status, logged);
			expect(call.logs[0].message).toContain(IDENTITY['x-request-id']);
		},
	);

	it('refuses a repeated token only when Refuse Repeated Tokens is on', async () => {
		const jwt = token();
		for (let i = 0; i < 2; i++) {
			const call = gatewayCall({ headers: { authorization: jwt }, body: '{}' });
			expect((await trigger.webhook.call(call.context)).workflowData).toBeDefined();
		}
		const on = { options: { refuseRepeatedTokens: true } };
		const first = gatewayCall({ headers: { authorization: jwt }, body: '{}', parameters: on });
		expect((await trigger.webhook.call(first.context)).workflowData).toBeDefined();
		const again = gatewayCall({
			headers: { authorization: `Bearer ${jwt}` },
			body: '{}',
			parameters: on,
		});
		expectRefused(await trigger.webhook.call(again.context), again, 401, /already received once/);
		const other = gatewayCall({
			headers: { authorization: token({ timestampMs: Date.now() + 1 }) },
			body: '{}',
			parameters: on,
		});
		expect((await trigger.webhook.call(other.context)).workflowData).toBeDefined();
		const forged = gatewayCall({
			headers: { authorization: token({ appSecret: 'not-the-secret' }) },
			body: '{}',
			parameters: on,
		});
		expectRefused(
			await trigger.webhook.call(forged.context),
			forged,
			401,
			/signature does not match/,
		);
	});

	it('refuses a body that is not JSON, and every call when the credential is empty or of the wrong type', async () => {
		const bad = gatewayCall({ headers: { authorization: token() }, body: '{"input":' });
		expectRefused(await trigger.webhook.call(bad.context), bad, 400, /not valid JSON/);
		const empty = gatewayCall({
			headers: { authorization: token() },
			credentials: { authType: 'appKey', appKey: '', appSecret: '' },
		});
		expectRefused(
			await trigger.webhook.call(empty.context),
			empty,
			401,
			/no APP Key and APP Secret/,
		);
		const wrongType = gatewayCall({
			headers: { authorization: token() },
			credentials: { authType: 'signatureKey', signatureKey: 'k', signatureSecret: 's' },
		});
		expectRefused(
			await trigger.webhook.call(wrongType.context),
			wrongType,
			401,
			/cannot carry a "signatureKey" credential/,
		);
		// A credential n8n cannot read (none chosen, or its database overloaded) is not the caller's
		// fault: 503, which the caller may retry, with no usage and no workflow.
		const unreadable = gatewayCall({
			headers: { authorization: token() },
			credentials: new Error('timeout exceeded when trying to connect'),
		});
		expect(await trigger.webhook.call(unreadable.context)).toEqual({ noWebhookResponse: true });
		expect(unreadable.response.status).toBe(503);
		expect(JSON.parse(unreadable.response.body!)).toEqual({
			error: { code: 'unavailable', message: 'The service is busy. Please try again later.' },
		});
		expect(unreadable.logs.map((l) => [l.level, l.message])).toEqual([
			[
				'error',
				expect.stringMatching(
					/credential of node "KooGallery Trigger" could not be read \(timeout exceeded when trying to connect\)/,
				),
			],
		]);
	});

	it('turns a call away with 503, unbilled, while its Busy Limit of calls waits for answers', async () => {
		const limited = () =>
			gatewayCall({
				workflowId: 'api-busy',
				parameters: { options: { maxCallsInProgress: 1 } },
				headers: { authorization: token() },
				body: '{"input":"hi"}',
			});
		const first = limited();
		expect((await trigger.webhook.call(first.context)).workflowData).toBeDefined();
		const second = limited();
		expect(await trigger.webhook.call(second.context)).toEqual({ noWebhookResponse: true });
		expect(second.response.status).toBe(503);
		expect(JSON.parse(second.response.body!)).toEqual({
			error: { code: 'unavailable', message: 'The service is busy. Please try again later.' },
		});
		expect(second.logs.map((l) => [l.level, l.message])).toEqual([
			[
				'warn',
				'KooGallery agents gateway calls turned away (HTTP 503): a call arrived while 1 call was already waiting for an answer from node "KooGallery Trigger" (its Busy Limit option); the caller may try again; none was billed',
			],
		]);
		// Once the first call's answer is sent, the next is taken.
		first.res.end('{}');
		expect((await trigger.webhook.call(limited().context)).workflowData).toBeDefined();
	});

	it('reads a GET call from its query', async () => {
		const call = gatewayCall({
			method: 'GET',
			url: '/webhook/koogallery/agent?input=hi',
			query: { input: 'hi' },
			headers: { authorization: token() },
		});
		const json = itemOf(await trigger.webhook.call(call.context));
		expect(json).toMatchObject({
			input: 'hi',
			koogallery: { method: 'GET', path: '/webhook/koogallery/agent', query: { input: 'hi' } },
		});
	});
});

describe('KooGallery API Trigger, connectivity check (校验后端服务)', () => {
	it('answers a GET without credentials with a health answer and runs nothing', async () => {
		const call = gatewayCall({ method: 'GET' });
		const result = await trigger.webhook.call(call.context);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(call.response.status).toBe(200);
		const body = JSON.parse(call.response.body!);
		expect(body).toEqual({ status: 'ok', service: 'koogallery-gateway-backend' });
		expect(call.logs.map((l) => l.level)).toEqual(['info']);
	});

	it('answers HEAD with an empty body', async () => {
		const call = gatewayCall({ method: 'HEAD' });
		expect(await trigger.webhook.call(call.context)).toEqual({ noWebhookResponse: true });
		expect(call.response.status).toBe(200);
		expect(call.response.body).toBe('');
	});

	it('still refuses a GET with a wrong token, a POST without one, and a GET when the option is off', async () => {
		const wrong = gatewayCall({
			method: 'GET',
			headers: { authorization: token({ appSecret: 'nope-secret' }) },
		});
		expectRefused(await trigger.webhook.call(wrong.context), wrong, 401, /signature/);
		const post = gatewayCall({});
		expectRefused(await trigger.webhook.call(post.context), post, 401, /no gateway token/);
		const off = gatewayCall({ method: 'GET', parameters: { options: { healthCheck: false } } });
		expectRefused(await trigger.webhook.call(off.context), off, 401, /no gateway token/);
	});
});

describe('KooGallery API Trigger, constant secret header (自主认证)', () => {
	it('accepts the configured value and the previous one, never showing the header', async () => {
		for (const [value, key] of [
			[HEADER_SECRET, 'current'],
			['old-header-secret-abcdefghijkl', 'previous'],
		]) {
			const call = gatewayCall({
				credentials: HEADER_AUTH,
				headers: { 'x-seller-token': value, ...IDENTITY },
				body: '{"q":1}',
			});
			const json = itemOf(await trigger.webhook.call(call.context));
			expect(json.koogallery).toMatchObject({
				verification: { method: 'header', key },
				customerId: 'dom-123',
			});
			expect(JSON.stringify(json)).not.toContain(value);
		}
	});

	it('refuses a wrong, a missing and a repeated header', async () => {
		const wrong = gatewayCall({
			credentials: HEADER_AUTH,
			headers: { 'x-seller-token': `${HEADER_SECRET}x` },
		});
		expectRefused(
			await trigger.webhook.call(wrong.context),
			wrong,
			401,
			/does not hold the configured value/,
		);
		const missing = gatewayCall({
			credentials: HEADER_AUTH,
			headers: { 'x-other': HEADER_SECRET },
		});
		expectRefused(
			await trigger.webhook.call(missing.context),
			missing,
			401,
			/"x-seller-token" is missing/,
		);
		const twice = gatewayCall({
			credentials: HEADER_AUTH,
			headers: { 'x-seller-token': [HEADER_SECRET, HEADER_SECRET] as unknown as string },
		});
		expectRefused(await trigger.webhook.call(twice.context), twice, 400, /more than once/);
	});
});

describe('KooGallery API Trigger, APIG signature key (B1, B2)', () => {
	const apig = { gateway: 'apig', authentication: 'credential' };
	afterEach(() => jest.useRealTimers());
	const at = (iso: string) =>
		jest.useFakeTimers({
			now: Date.parse(iso),
			doNotFake: [
				'nextTick',
				'queueMicrotask',
				'setImmediate',
				'setTimeout',
				'setInterval',
				'clearTimeout',
				'clearInterval',
				'clearImmediate',
			],
		});

	const B1 = {
		method: 'GET',
		url: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
		query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
		headers: {
			'content-type': 'application/json',
			host: 'service.region.example.com',
			'x-sdk-date': '20191115T033655Z',
			authorization:
				'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
		},
		credentials: {
			authType: 'signatureKey',
			signatureKey: 'QTWAOYTTINDUT2QVKYUC',
			signatureSecret: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
		},
		parameters: apig,
	};
	const B2 = {
		method: 'POST',
		url: '/v1/translate',
		body: '{"text":"hello"}',
		headers: {
			'content-type': 'application/json',
			host: 'api.seller.example.com',
			'x-sdk-date': '20250101T000000Z',
			authorization:
				'SDK-HMAC-SHA256 Access=kgSignKeyDemo, SignedHeaders=content-type;host;x-sdk-date, Signature=09f475235f368bffbb850068a6bd69a4dfaf4b4d2a069bcb64fbc3df39f8b8b4',
		},
		credentials: {
			authType: 'signatureKey',
			signatureKey: 'kgSignKeyDemo',
			signatureSecret: 'kgSignSecretDemo2025',
		},
		parameters: apig,
	};

	it("B1 (Huawei's published example) verifies 10 minutes later", async () => {
		at('2019-11-15T03:46:55Z');
		const call = gatewayCall(B1);
		const json = itemOf(await trigger.webhook.call(call.context));
		expect(json).toMatchObject({
			limit: '2',
			koogallery: {
				gateway: 'apig',
				apiKey: 'QTWAOYTTINDUT2QVKYUC',
				verification: { method: 'signatureKey', key: 'current', clockSkewMs: 600_000 },
			},
		});
		expect(json.koogallery.inputCounts).toBeUndefined();
	});

	it('B2 verifies at 00:10:00Z, not at 00:15:01Z, and not with one body byte changed', async () => {
		at('2025-01-01T00:10:00Z');
		const good = gatewayCall(B2);
		expect(itemOf(await trigger.webhook.call(good.context))).toMatchObject({
			text: 'hello',
			koogallery: { apiKey: 'kgSignKeyDemo' },
		});
		const tampered = gatewayCall({ ...B2, body: '{"text":"hellp"}' });
		expectRefused(await trigger.webhook.call(tampered.context), tampered, 401, /does not match/);
		at('2025-01-01T00:15:01Z');
		const late = gatewayCall(B2);
		expectRefused(await trigger.webhook.call(late.context), late, 401, /901 s old/);
		at('2025-01-01T00:15:00Z');
		const edge = gatewayCall(B2);
		expect((await trigger.webhook.call(edge.context)).workflowData).toBeDefined();
	});

	it('checks the signed host when a proxy rewrote Host, and refuses an unknown key', async () => {
		at('2025-01-01T00:00:30Z');
		const proxied = gatewayCall({ ...B2, headers: { ...B2.headers, host: 'n8n.internal:5678' } });
		expectRefused(await trigger.webhook.call(proxied.context), proxied, 401, /does not match/);
		const fixed = gatewayCall({
			...B2,
			headers: { ...B2.headers, host: 'n8n.internal:5678' },
			parameters: { ...apig, options: { signedHost: 'api.seller.example.com' } },
		});
		expect((await trigger.webhook.call(fixed.context)).workflowData).toBeDefined();
		const unknown = gatewayCall({
			...B2,
			credentials: { ...B2.credentials, signatureKey: 'another-key' },
		});
		expectRefused(await trigger.webhook.call(unknown.context), unknown, 401, /not known/);
	});

	it('answers the connectivity check only when a credential is in use; with None every call runs', async () => {
		const none = gatewayCall({
			method: 'GET',
			credentials: new Error('none configured'),
			parameters: { gateway: 'apig', authentication: 'none' },
		});
		const result = await trigger.webhook.call(none.context);
		expect(itemOf(result).koogallery).toMatchObject({
			gateway: 'apig',
			verification: { method: 'none' },
		});
		const unsigned = gatewayCall({
			method: 'POST',
			body: '{}',
			credentials: B2.credentials,
			parameters: apig,
		});
		expectRefused(
			await trigger.webhook.call(unsigned.context),
			unsigned,
			401,
			/"Authorization" header is missing/,
		);
		const wrongType = gatewayCall({ ...B2, credentials: AGENTS });
		expectRefused(
			await trigger.webhook.call(wrongType.context),
			wrongType,
			401,
			/cannot carry a "appKey" credential/,
		);
	});
});

describe('KooGallery API Trigger, streaming (流式)', () => {
	it("sends SSE headers before the workflow starts and frames n8n's chunks as data: events", async () => {
		const call = gatewayCall({
			headers: { authorization: token() },
			body: '{"input":"hi"}',
			parameters: { responseMode: 'streaming' },
		});
		const result = await trigger.webhook.call(call.context);
		expect(result.noWebhookResponse).toBe(true);
		expect(itemOf(result).koogallery).toMatchObject({
			responseMode: 'streaming',
			streamFormat: 'sse',
		});
		expect(call.response.head).toEqual({
			status: 200,
			headers: expect.objectContaining({ 'Content-Type': 'text/event-stream; charset=utf-8' }),
		});
		const res = call.res as unknown as { write: (chunk: string) => boolean; end: () => void };
		const line = (chunk: IDataObject, nodeName = 'AI Agent') =>
			`${JSON.stringify({ ...chunk, metadata: { nodeName, itemIndex: 0, runIndex: 0, timestamp: 1 } })}\n`;
		res.write(line({ type: 'begin' }));
		res.write(line({ type: 'item', content: 'Hel' }));
		const split = line({ type: 'item', content: 'lo' });
		res.write(split.slice(0, 10));
		res.write(split.slice(10));
		res.write('{"type":"keepalive"}\n');
		res.write(line({ type: 'end' }));
		res.write(
			line(
				{
					type: 'item',
					content: '{"usage":{"completion_tokens":2,"prompt_tokens":1,"total_tokens":3}}',
				},
				'Answer',
			),
		);
		res.end();
		expect(call.response.written.join('') + call.response.body).toBe(
			'data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\n: keepalive\n\ndata: {"usage":{"completion_tokens":2,"prompt_tokens":1,"total_tokens":3}}\n\ndata: [DONE]\n\n',
		);
	});

	it("never lets a model's text pose as the bill or end the stream: only the answer node sends raw JSON", async () => {
		const call = gatewayCall({
			headers: { authorization: token() },
			body: '{"input":"hi"}',
			parameters: { responseMode: 'streaming' },
		});
		await trigger.webhook.call(call.context);
		const res = call.res as unknown as { write: (chunk: string) => boolean; end: () => void };
		const line = (content: string, nodeName: string) =>
			`${JSON.stringify({ type: 'item', content, metadata: { nodeName } })}\n`;
		res.write(
			line('{"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}', 'AI Agent'),
		);
		res.write(line('[DONE]', 'AI Agent'));
		res.write(line('[DONE]', 'Answer'));
		res.write(
			line('{"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}', 'Answer'),
		);
		res.end();
		expect(call.response.written.join('') + call.response.body).toBe(
			'data: {"data":"{\\"usage\\":{\\"prompt_tokens\\":0,\\"completion_tokens\\":0,\\"total_tokens\\":0}}"}\n\n' +
				'data: {"data":"[DONE]"}\n\ndata: {"data":"[DONE]"}\n\n' +
				'data: {"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\ndata: [DONE]\n\n',
		);
	});

	it("leaves n8n's lines as they are in n8n format, and refuses before any header is sent", async () => {
		const call = gatewayCall({
			headers: { authorization: token() },
			parameters: { responseMode: 'streaming', options: { streamFormat: 'n8n' } },
		});
		await trigger.webhook.call(call.context);
		expect(call.response.head?.headers['Content-Type']).toBe('application/json; charset=utf-8');
		(call.res as unknown as { write: (chunk: string) => boolean }).write('{"type":"begin"}\n');
		expect(call.response.written).toEqual(['{"type":"begin"}\n']);
		const refused = gatewayCall({ parameters: { responseMode: 'streaming' } });
		expectRefused(await trigger.webhook.call(refused.context), refused, 401, /no gateway token/);
		expect(refused.response.head).toBeUndefined();
	});

	it('turns an n8n error chunk into an error event without usage or internals', () => {
		expect(
			sseFromN8nLine('{"type":"error","content":"ECONNREFUSED 10.0.0.5:5432"}', new Set()),
		).toBe(
			'data: {"error":{"code":"workflow_error","message":"The request could not be completed."}}\n\n',
		);
		expect(sseFromN8nLine('not json', new Set())).toBe('not json');
	});

	it('frames a real chunked HTTP response', async () => {
		const server = http.createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			frameAsSse(res, new Set(['Answer']));
			res.write('{"type":"begin"}\n');
			res.write(
				'{"type":"item","content":"{\\"usage\\":{\\"prompt_tokens\\":1}}","metadata":{"nodeName":"Answer"}}\n',
			);
			res.write('{"type":"end"}\n');
			res.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as { port: number };
			const text = await new Promise<string>((resolve, reject) => {
				http
					.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
						let data = '';
						res.setEncoding('utf8');
						res.on('data', (chunk: string) => (data += chunk));
						res.on('end', () => resolve(data));
					})
					.on('error', reject);
			});
			expect(text).toBe('data: {"usage":{"prompt_tokens":1}}\n\ndata: [DONE]\n\n');
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});
});

describe('KooGallery API Trigger description', () => {
	it('resolves method, path and response mode the same in the editor and natively', () => {
		const [webhook] = trigger.description.webhooks!;
		const evaluate = (template: unknown, parameter: IDataObject) =>
			new Function('$parameter', `return ${String(template).slice(3, -2)}`)(parameter);
		const resolvers = (
			webhook as unknown as Record<symbol, Record<string, { resolve: (p: IDataObject) => unknown }>>
		)[WEBHOOK_RESOLVERS];
		const fields = ['httpMethod', 'path', 'responseMode'];
		const table = [
			{ gateway: 'agents', responseMode: 'sync', path: 'a/b' },
			{ gateway: 'agents', responseMode: 'streaming', path: 'a/b' },
			{ gateway: 'apig', responseMode: 'sync', path: 'c' },
		].map((parameters) => {
			const editor = fields.map((f) =>
				evaluate((webhook as unknown as IDataObject)[f], parameters),
			);
			expect(fields.map((f) => resolvers[f].resolve(parameters))).toEqual(editor);
			return editor;
		});
		expect(table).toEqual([
			['GET,POST,HEAD', 'a/b', 'responseNode'],
			['GET,POST,HEAD', 'a/b', 'streaming'],
			['GET,POST,PUT,PATCH,DELETE,HEAD', 'c', 'responseNode'],
		]);
		expect(trigger.description.version).toBeGreaterThan(1);
	});

	it('masks every secret of the credential', () => {
		const credential = new KooGalleryGatewayApi();
		const secrets = credential.properties.filter((p) => /secret/i.test(p.name));
		expect(secrets.map((p) => p.name)).toEqual([
			'appSecret',
			'previousAppSecret',
			'signatureSecret',
			'previousSignatureSecret',
			'headerSecret',
			'previousHeaderSecret',
		]);
		for (const property of secrets) expect(property.typeOptions?.password).toBe(true);
	});
});
