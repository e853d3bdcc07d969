/**
 * The KooGallery API Trigger's receive decision (core/gateway-receive.ts), table by table,
 * without n8n: Agents tokens and APIG signatures made with the core signers go in; the decision,
 * the exact status and body, and the item's block come out (docs/protocol/koogallery-agents-apig.md).
 */
import { signAgentsToken } from '../../core/agents-token';
import { signApigRequest } from '../../core/aksk/sign';
import {
	gatewayBusyAnswer,
	receiveGatewayCall,
	type GatewayAuth,
	type GatewayDecision,
	type GatewaySettings,
	type ReceivedGatewayCall,
} from '../../core/gateway-receive';
import { MemoryNonceStore } from '../../core/verification';

const NOW = Date.UTC(2026, 11, 7, 5, 0, 0);
const APP_KEY = 'd44cd9aa-e48e-be17-27f4-5ef3474797a1';
const APP_SECRET = 'receive-test-app-secret-0001';
const AGENTS: GatewayAuth = { type: 'appKey', keys: [{ appKey: APP_KEY, appSecret: APP_SECRET }] };
const SIGNATURE_KEY = 'receiveSignKey';
const SIGNATURE_SECRET = 'receive-test-signature-secret-0001';
const APIG: GatewayAuth = {
	type: 'signatureKey',
	keys: [{ key: SIGNATURE_KEY, secret: SIGNATURE_SECRET }],
};
const HEADER: GatewayAuth = {
	type: 'header',
	name: 'x-seller-token',
	values: ['current-header-secret-0123456789', 'previous-header-secret-012345678'],
};
const IDENTITY = { 'x-request-id': 'req-1', 'x-customer-id': 'dom-1', 'x-customer-name': 'buyer' };

function settings(
	gateway: 'agents' | 'apig',
	auth: GatewaySettings['auth'],
	changes: Partial<GatewaySettings> = {},
): GatewaySettings {
	return {
		gateway,
		auth,
		healthCheck: true,
		streaming: false,
		streamFormat: 'sse',
		nowMs: NOW,
		tokenHeader: 'authorization',
		nodeName: 'KooGallery API Trigger',
		...changes,
	};
}

function agentsCall(body: object, token?: string, method = 'POST'): ReceivedGatewayCall {
	const headers: Record<string, string> = { 'content-type': 'application/json', ...IDENTITY };
	headers.authorization =
		token ??
		signAgentsToken({
			appKey: APP_KEY,
			appSecret: APP_SECRET,
			timestampMs: NOW,
			exp: NOW + 300_000,
		});
	return {
		method,
		url: '/webhook/agent',
		headers,
		rawBody: Buffer.from(method === 'GET' ? '' : JSON.stringify(body)),
		query: {},
		ip: '198.51.100.4',
	};
}

function apigCall(body: string, secret = SIGNATURE_SECRET, dateMs = NOW): ReceivedGatewayCall {
	const request = {
		method: 'POST',
		url: '/webhook/api?lang=zh',
		headers: {
			host: 'seller.example.com',
			'content-type': 'application/json',
			...IDENTITY,
		} as Record<string, string>,
		rawBody: Buffer.from(body),
	};
	const signed = signApigRequest({
		method: request.method,
		url: request.url,
		headers: request.headers,
		body: request.rawBody,
		ak: SIGNATURE_KEY,
		sk: secret,
		date: new Date(dateMs),
	});
	for (const [name, value] of Object.entries(signed.headers))
		request.headers[name.toLowerCase()] = value;
	return { ...request, query: { lang: 'zh' } };
}

function refusalOf(decision: GatewayDecision): { status: number; body: unknown; log: string } {
	if (decision.action !== 'refuse') throw new Error(`expected a refusal, got ${decision.action}`);
	expect(decision.answer.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
	return {
		status: decision.answer.status,
		body: JSON.parse(decision.answer.body),
		log: decision.log,
	};
}

describe('the gateway receive decision runs a genuine call', () => {
	it.each<[string, () => ReceivedGatewayCall, GatewaySettings, Record<string, unknown>]>([
		[
			'an Agents call with a fresh token',
			() => agentsCall({ input: 'hello 世界' }),
			settings('agents', AGENTS),
			{
				gateway: 'agents',
				apiKey: APP_KEY,
				verification: { method: 'appKey', key: 'current', timestampMs: NOW, clockSkewMs: 0 },
				inputCounts: expect.anything(),
			},
		],
		[
			'an APIG call with its backend signature',
			() => apigCall('{"q":1}'),
			settings('apig', APIG),
			{
				gateway: 'apig',
				apiKey: SIGNATURE_KEY,
				path: '/webhook/api',
				query: { lang: 'zh' },
				verification: { method: 'signatureKey', key: 'current' },
			},
		],
		[
			'an APIG call checked by a constant header (the previous value)',
			() => ({
				...apigCall('{"q":1}'),
				headers: {
					'x-seller-token': 'previous-header-secret-012345678',
					'content-type': 'application/json',
				},
			}),
			settings('apig', HEADER),
			{ verification: { method: 'header', key: 'previous' } },
		],
		[
			'an APIG call when the trigger checks nothing',
			() => ({ ...apigCall('{"q":1}'), headers: {} }),
			settings('apig', { type: 'none' }),
			{ verification: { method: 'none', key: 'current' } },
		],
	])('%s', (_name, make, chosen, block) => {
		const decision = receiveGatewayCall(make(), chosen);
		expect(decision.action).toBe('run');
		if (decision.action !== 'run') return;
		expect(decision.item.koogallery).toMatchObject({
			...block,
			responseMode: 'sync',
			receivedAt: new Date(NOW).toISOString(),
		});
	});

	it('hides the gateway proof from the item and keeps the other headers and the body', () => {
		const decision = receiveGatewayCall(
			agentsCall({ input: 'hi', stream: false }),
			settings('agents', AGENTS, { streaming: true }),
		);
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(decision.item.input).toBe('hi');
		const block = decision.item.koogallery as Record<string, Record<string, unknown>>;
		expect(block.headers).toEqual({ 'content-type': 'application/json', ...IDENTITY });
		expect(block).toMatchObject({
			requestId: 'req-1',
			customerId: 'dom-1',
			customerName: 'buyer',
			responseMode: 'streaming',
			streamFormat: 'sse',
		});
		expect(JSON.stringify(decision.item)).not.toContain(APP_SECRET);
	});
});

describe('the gateway receive decision refuses, never billed', () => {
	const expired = () =>
		agentsCall(
			{},
			signAgentsToken({
				appKey: APP_KEY,
				appSecret: APP_SECRET,
				timestampMs: NOW - 3_600_000,
				exp: NOW - 3_000_000,
			}),
		);
	it.each<[string, () => ReceivedGatewayCall, GatewaySettings, number, string, RegExp]>([
		[
			'an Agents token signed with another secret',
			() =>
				agentsCall(
					{},
					signAgentsToken({
						appKey: APP_KEY,
						appSecret: 'another-secret-000000',
						timestampMs: NOW,
					}),
				),
			settings('agents', AGENTS),
			401,
			'unauthorized',
			/refused \(401\)/,
		],
		[
			'an expired Agents token',
			expired,
			settings('agents', AGENTS),
			401,
			'unauthorized',
			/\(request req-1 from 198\.51\.100\.4\)$/,
		],
		[
			'an APIG body changed after signing',
			() => ({ ...apigCall('{"q":1}'), rawBody: Buffer.from('{"q":2}') }),
			settings('apig', APIG),
			401,
			'unauthorized',
			/APIG signature/,
		],
		[
			'an APIG date 20 minutes old',
			() => apigCall('{"q":1}', SIGNATURE_SECRET, NOW - 20 * 60_000),
			settings('apig', APIG),
			401,
			'unauthorized',
			/APIG signature/,
		],
		[
			'a body that is not JSON though it says so',
			() => agentsCall({}, undefined, 'POST'),
			settings('agents', AGENTS),
			400,
			'bad_request',
			/not valid JSON/,
		],
		[
			'a credential that cannot check calls',
			() => agentsCall({}),
			settings('agents', { problem: 'it has no APP Key and APP Secret' }),
			401,
			'unauthorized',
			/cannot check calls: it has no APP Key/,
		],
		[
			'a credential type the gateway cannot carry',
			() => agentsCall({}),
			settings('agents', APIG),
			401,
			'unauthorized',
			/whose calls cannot carry a "signatureKey" credential/,
		],
	])('%s', (name, make, chosen, status, code, logged) => {
		const call = make();
		if (name.startsWith('a body')) call.rawBody = Buffer.from('{not json');
		const refusal = refusalOf(receiveGatewayCall(call, chosen));
		expect(refusal.status).toBe(status);
		expect(refusal.body).toMatchObject({ error: { code } });
		expect(JSON.stringify(refusal.body)).not.toContain('usage');
		expect(refusal.log).toMatch(logged);
		for (const secret of [APP_SECRET, SIGNATURE_SECRET]) expect(refusal.log).not.toContain(secret);
	});

	it('refuses a repeated Agents token only when given a token store', () => {
		const call = agentsCall({});
		const store = new MemoryNonceStore();
		expect(receiveGatewayCall(call, settings('agents', AGENTS)).action).toBe('run');
		expect(receiveGatewayCall(call, settings('agents', AGENTS)).action).toBe('run');
		expect(receiveGatewayCall(call, settings('agents', AGENTS, { tokenStore: store })).action).toBe(
			'run',
		);
		expect(
			refusalOf(receiveGatewayCall(call, settings('agents', AGENTS, { tokenStore: store }))).log,
		).toMatch(/already received once/);
	});

	it('marks the refusals made for the values of the credential, which another reading of it may change', () => {
		const mismatch = (call: ReceivedGatewayCall, gatewaySettings: GatewaySettings) => {
			const decision = receiveGatewayCall(call, gatewaySettings);
			return decision.action === 'refuse'
				? (decision.credentialMismatch ?? false)
				: decision.action;
		};
		const otherSecret = signAgentsToken({
			appKey: APP_KEY,
			appSecret: 'another',
			timestampMs: NOW,
		});
		const otherKey = signAgentsToken({
			appKey: 'unknown',
			appSecret: APP_SECRET,
			timestampMs: NOW,
		});
		expect(mismatch(agentsCall({}, otherSecret), settings('agents', AGENTS))).toBe(true);
		expect(mismatch(agentsCall({}, otherKey), settings('agents', AGENTS))).toBe(true);
		expect(mismatch(apigCall('{}', 'another-secret'), settings('apig', APIG))).toBe(true);
		const wrongHeader = { ...agentsCall({}), headers: { 'x-seller-token': 'wrong' } };
		expect(mismatch(wrongHeader, settings('agents', HEADER))).toBe(true);
		expect(mismatch(agentsCall({}), settings('apig', AGENTS))).toBe(true);
		// Not for the values: a token not sent, or one already verified and remembered.
		expect(mismatch(agentsCall({}, ''), settings('agents', AGENTS))).toBe(false);
		const store = new MemoryNonceStore();
		const call = agentsCall({});
		expect(mismatch(call, settings('agents', AGENTS, { tokenStore: store }))).toBe('run');
		expect(mismatch(call, settings('agents', AGENTS, { tokenStore: store }))).toBe(false);
	});

	it('answers a HEAD refusal with the status and headers only', () => {
		const call = { ...agentsCall({}, 'not-a-token'), method: 'HEAD' };
		const decision = receiveGatewayCall(call, settings('agents', AGENTS));
		if (decision.action !== 'refuse') throw new Error(decision.action);
		expect(decision.answer.status).toBe(400);
		expect(decision.answer.body).toBe('');
	});
});

describe('the connectivity check and the busy answer', () => {
	it('answers a GET without credentials as the console check, without running anything', () => {
		const call: ReceivedGatewayCall = {
			method: 'get',
			url: '/webhook/agent',
			headers: {},
			rawBody: Buffer.alloc(0),
			query: {},
		};
		const decision = receiveGatewayCall(call, settings('agents', AGENTS));
		expect(decision.action).toBe('acknowledge');
		if (decision.action !== 'acknowledge') return;
		expect(decision.answer).toEqual({
			status: 200,
			headers: { 'content-type': 'application/json; charset=utf-8' },
			body: '{"status":"ok","service":"koogallery-gateway-backend"}',
		});
		expect(decision.log).toBe(
			'KooGallery connectivity check answered without running the workflow (request without X-Request-Id from unknown address)',
		);
		const off = receiveGatewayCall(call, settings('agents', AGENTS, { healthCheck: false }));
		expect(refusalOf(off).status).toBe(401);
	});

	it('is a retryable 503, empty for HEAD', () => {
		expect(gatewayBusyAnswer('POST')).toEqual({
			status: 503,
			headers: { 'content-type': 'application/json; charset=utf-8' },
			body: JSON.stringify({
				error: { code: 'unavailable', message: 'The service is busy. Please try again later.' },
			}),
		});
		expect(gatewayBusyAnswer('HEAD').body).toBe('');
	});
});
