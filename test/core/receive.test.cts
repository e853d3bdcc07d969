/**
 * The KooGallery Trigger's receive decision (core/receive.ts), table by table, without n8n: real
 * calls signed with the core signers go in, and the decision, the exact result code and the
 * signature of the answer come out. docs/protocol/README.md decisions 4, 5 and 14.
 */
import { verifyBodySign } from '../../core/body-sign';
import { kitSignatureHeaders } from '../../core/kit-signature';
import {
	KOOGALLERY_BUSY_ANSWER,
	receiveKooGalleryCall,
	type ReceiveDecision,
	type ReceivedCall,
	type ReceiveSettings,
} from '../../core/receive';
import { computeAuthToken } from '../../core/saas-v1-auth-token';
import { signSaasV2Request } from '../../core/saas-v2-signature';
import { protocols, type ProtocolName } from '../../core/trigger-protocols';
import { MemoryNonceStore } from '../../core/verification';

const NOW = Date.UTC(2026, 11, 7, 5, 0, 0);
const KEYS = {
	basic: ['current-seller-key-01', 'previous-seller-key-01'],
	kit: ['kit-key-000001'],
};
const ENABLED: Record<ProtocolName, string[]> = {
	saasV2: ['newInstance', 'queryInstance', 'refreshInstance', 'releaseInstance'],
	kit: ['tenantSync', 'applicationSync', 'authSync'],
	license: ['refreshLicenseCode', 'releaseLicenseCode'],
	saasV1: ['newInstance', 'refreshInstance', 'releaseInstance'],
	orderNotify: ['orderNotify'],
};
let counter = 0;

function settings(protocol: ProtocolName, changes: Partial<ReceiveSettings> = {}): ReceiveSettings {
	return {
		protocol,
		enabled: ENABLED[protocol],
		acknowledgeNotifications: false,
		toleranceMs: 60_000,
		authTokenToleranceMs: 86_400_000,
		keys: KEYS,
		nonceStore: new MemoryNonceStore(),
		nowMs: NOW,
		nodeName: 'KooGallery Trigger',
		credentialName: 'kooGallerySellerKeyApi',
		...changes,
	};
}

/** A SaaS V2.0-signed POST (also License 2.0 and the order notification). */
function v2Call(body: object | string, key = KEYS.basic[0], atMs = NOW): ReceivedCall {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	const nonce = `receive-nonce-${++counter}`;
	const timestamp = String(atMs);
	const query = { signature: signSaasV2Request(key, raw, nonce, timestamp), timestamp, nonce };
	return {
		method: 'POST',
		path: '/webhook/koogallery/saas',
		rawQuery: new URLSearchParams(query).toString(),
		query,
		headers: { 'content-type': 'application/json' },
		rawBody: Buffer.from(raw),
		ip: '203.0.113.7',
	};
}

function kitCall(scenario: string, body: object, key = KEYS.kit[0]): ReceivedCall {
	const raw = JSON.stringify(body);
	return {
		method: 'POST',
		path: `/webhook/koogallery/kit/produceAPI/v2/${scenario}`,
		rawQuery: '',
		query: {},
		headers: {
			'content-type': 'application/json',
			...kitSignatureHeaders(key, raw, `kit-nonce-${++counter}`, String(NOW)),
		},
		rawBody: Buffer.from(raw),
	};
}

/** A V1.0 GET signed with authToken. */
function v1Call(params: Record<string, string>, key = KEYS.basic[0]): ReceivedCall {
	const signed = { ...params, timeStamp: '20261207050000000' };
	const query = { ...signed, authToken: computeAuthToken(key, signed) };
	const rawQuery = new URLSearchParams(query).toString();
	return {
		method: 'GET',
		path: '/webhook/koogallery/v1',
		rawQuery,
		query,
		headers: {},
		rawBody: Buffer.alloc(0),
	};
}

/** The result code of a refusal or acknowledgement, after checking the answer is signed with `key`. */
function answerOf(decision: ReceiveDecision, key: string | undefined): Record<string, unknown> {
	if (decision.action === 'run') throw new Error('the call was run, not answered');
	expect(decision.answer.status).toBe(200);
	expect(decision.answer.headers['content-type']).toBe('application/json;charset=UTF-8');
	if (key === undefined) expect(decision.answer.headers['body-sign']).toBeUndefined();
	else
		expect(verifyBodySign(key, decision.answer.body, decision.answer.headers['body-sign'])).toBe(
			true,
		);
	return JSON.parse(decision.answer.body) as Record<string, unknown>;
}

const NEW = {
	activity: 'newInstance',
	orderId: 'CS1',
	orderLineId: 'CS1-000001',
	businessId: 'b-1',
};
const TENANT = {
	instanceId: 'ins-1',
	orderId: 'CS1',
	tenantId: 't-1',
	tenantCode: 'acme',
	name: 'ACME',
	domainName: 'https://acme.example.com',
	flag: 1,
	testFlag: 1,
	timeStamp: '20220413093539534',
};

describe('the receive decision runs a genuine call on its scenario output', () => {
	it.each<[string, ProtocolName, () => ReceivedCall, string, number]>([
		['SaaS V2.0 new purchase', 'saasV2', () => v2Call(NEW), 'newInstance', 0],
		[
			'SaaS V2.0 release',
			'saasV2',
			() => v2Call({ activity: 'releaseInstance', instanceId: 'i-1' }),
			'releaseInstance',
			3,
		],
		['kit tenant sync', 'kit', () => kitCall('tenantSync', TENANT), 'tenantSync', 0],
		[
			'order notification',
			'orderNotify',
			() => v2Call({ activity: 'orderNotify', orderId: 'CS2', testFlag: '0' }),
			'orderNotify',
			0,
		],
		[
			'V1.0 new purchase',
			'saasV1',
			() =>
				v1Call({
					activity: 'newInstance',
					orderId: 'CS3',
					businessId: 'b-3',
					customerId: 'c-1',
					productId: 'p-1',
					testFlag: '1',
				}),
			'newInstance',
			0,
		],
	])('%s', (_name, protocol, make, scenario, outputIndex) => {
		const decision = receiveKooGalleryCall(make(), settings(protocol));
		expect(decision.action).toBe('run');
		if (decision.action !== 'run') return;
		expect(decision.outputIndex).toBe(outputIndex);
		expect(decision.outputCount).toBe(ENABLED[protocol].length);
		expect(decision.answer).toBeUndefined();
		expect(decision.item.koogallery).toMatchObject({
			protocol,
			scenario,
			verification: { key: 'current' },
			receivedAt: new Date(NOW).toISOString(),
			answered: false,
		});
	});

	it('keeps the call fields at the top level and writes the block after them', () => {
		const decision = receiveKooGalleryCall(v2Call({ ...NEW, testFlag: '1' }), settings('saasV2'));
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(Object.keys(decision.item)).toEqual([...Object.keys(NEW), 'testFlag', 'koogallery']);
		expect(decision.item.koogallery).toEqual({
			protocol: 'saasV2',
			scenario: 'newInstance',
			scenarioName: 'New Purchase',
			testFlag: true,
			unknownValues: [],
			verification: { key: 'current', form: 'raw', clockSkewMs: 0 },
			receivedAt: new Date(NOW).toISOString(),
			answered: false,
		});
	});

	it('notes the previous key when it signed the call (the answer is signed with it later)', () => {
		const decision = receiveKooGalleryCall(v2Call(NEW, KEYS.basic[1]), settings('saasV2'));
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(decision.item.koogallery).toMatchObject({ verification: { key: 'previous' } });
	});

	it('answers a notification at once when asked, signed with the key that signed it, and still runs it', () => {
		const call = v2Call({ activity: 'releaseInstance', instanceId: 'i-1' }, KEYS.basic[1]);
		const decision = receiveKooGalleryCall(
			call,
			settings('saasV2', { acknowledgeNotifications: true }),
		);
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(decision.answer).toBeDefined();
		expect(
			answerOf({ action: 'acknowledge', answer: decision.answer!, log: '' }, KEYS.basic[1]),
		).toEqual({
			resultCode: '000000',
			resultMsg: 'success',
		});
		expect(decision.item.koogallery).toMatchObject({ answered: true });
	});

	it('leaves a call that needs an answer to the Respond node even when notifications are answered at once', () => {
		const decision = receiveKooGalleryCall(
			v2Call(NEW),
			settings('saasV2', { acknowledgeNotifications: true }),
		);
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(decision.answer).toBeUndefined();
		expect(decision.item.koogallery).toMatchObject({ answered: false });
	});
});

describe('the receive decision refuses, with the result code KooGallery reads', () => {
	const stale = () => v2Call(NEW, KEYS.basic[0], NOW - 120_000);
	it.each<
		[
			string,
			ProtocolName,
			() => ReceivedCall,
			Partial<ReceiveSettings>,
			string,
			string | undefined,
			RegExp,
		]
	>([
		[
			'a wrong key',
			'saasV2',
			() => v2Call(NEW, 'another-sellers-key'),
			{},
			'000001',
			KEYS.basic[0],
			/signature/i,
		],
		['a stale timestamp', 'saasV2', stale, {}, '000002', KEYS.basic[0], /from 203\.0\.113\.7/],
		[
			'a kit call signed with the basic key, answered with the kit key',
			'kit',
			() => kitCall('tenantSync', TENANT, KEYS.basic[0]),
			{},
			'000001',
			KEYS.kit[0],
			/refused \(000001\)/,
		],
		[
			'no kit key in the credential, unsigned',
			'kit',
			() => kitCall('tenantSync', TENANT),
			{ keys: { basic: KEYS.basic, kit: [] } },
			'000001',
			undefined,
			/no kit key is set in the "kooGallerySellerKeyApi" credential of node "KooGallery Trigger"/,
		],
		[
			'no seller key in the credential, unsigned',
			'saasV2',
			() => v2Call(NEW),
			{ keys: { basic: [], kit: KEYS.kit } },
			'000001',
			undefined,
			/no seller key is set/,
		],
		[
			'a body that is not JSON',
			'saasV2',
			() => v2Call('not json'),
			{},
			'000002',
			KEYS.basic[0],
			/refused \(000002\)/,
		],
		[
			'a scenario needing an answer that the seller did not pick',
			'saasV2',
			() => v2Call({ activity: 'queryInstance', instanceId: 'i-1' }),
			{ enabled: ['newInstance'] },
			'000005',
			KEYS.basic[0],
			/"Query Instance" \(queryInstance\) is not among the scenarios handled by node "KooGallery Trigger"/,
		],
		[
			'an activity this pack does not know, without Other Call',
			'saasV2',
			() => v2Call({ activity: 'brandNewActivity' }),
			{},
			'000005',
			KEYS.basic[0],
			/turn on "Other Call"/,
		],
	])('%s', (_name, protocol, make, changes, code, key, logged) => {
		const decision = receiveKooGalleryCall(make(), settings(protocol, changes));
		expect(decision.action).toBe('refuse');
		if (decision.action !== 'refuse') return;
		expect(decision.resultCode).toBe(code);
		expect(answerOf(decision, key).resultCode).toBe(code);
		expect(decision.log).toMatch(logged);
		for (const secret of [...KEYS.basic, ...KEYS.kit]) expect(decision.log).not.toContain(secret);
	});

	it('explains parameter problems to KooGallery but never signature details', () => {
		const badSignature = receiveKooGalleryCall(
			v2Call(NEW, 'another-sellers-key'),
			settings('saasV2'),
		);
		expect(answerOf(badSignature, KEYS.basic[0])).toEqual({
			resultCode: '000001',
			resultMsg: 'Authentication failed.',
		});
		const call = v2Call(NEW);
		delete call.query.nonce;
		const missing = receiveKooGalleryCall(call, settings('saasV2'));
		expect(answerOf(missing, KEYS.basic[0])).toMatchObject({ resultCode: '000002' });
	});

	it('marks the refusals made for the keys of the credential, which another reading of it may change', () => {
		const mismatch = (call: ReceivedCall, protocol: ProtocolName, changes = {}) => {
			const decision = receiveKooGalleryCall(call, settings(protocol, changes));
			return decision.action === 'refuse'
				? (decision.credentialMismatch ?? false)
				: decision.action;
		};
		expect(mismatch(v2Call(NEW, 'another-sellers-key'), 'saasV2')).toBe(true);
		expect(mismatch(v2Call(NEW), 'saasV2', { keys: { basic: [], kit: KEYS.kit } })).toBe(true);
		expect(mismatch(kitCall('tenantSync', TENANT, KEYS.basic[0]), 'kit')).toBe(true);
		// Not for the keys: deciding again would give the same, and after a key verified the call
		// its nonce is remembered, so deciding again would refuse it as a replay.
		expect(mismatch(stale(), 'saasV2')).toBe(false);
		expect(mismatch(v2Call('not json'), 'saasV2')).toBe(false);
		const store = new MemoryNonceStore();
		const call = v2Call(NEW);
		expect(mismatch(call, 'saasV2', { nonceStore: store })).toBe('run');
		expect(mismatch(call, 'saasV2', { nonceStore: store })).toBe(false);
	});

	it('refuses the same call twice with the same nonce store (a replay)', () => {
		const store = new MemoryNonceStore();
		const call = v2Call(NEW);
		expect(receiveKooGalleryCall(call, settings('saasV2', { nonceStore: store })).action).toBe(
			'run',
		);
		const replay = receiveKooGalleryCall(call, settings('saasV2', { nonceStore: store }));
		expect(replay.action).toBe('refuse');
		expect(answerOf(replay, KEYS.basic[0]).resultCode).toBe('000001');
	});

	it('sends an unknown activity to Other Call when the seller turned it on', () => {
		const decision = receiveKooGalleryCall(
			v2Call({ activity: 'brandNewActivity' }),
			settings('saasV2', { enabled: ['newInstance', 'otherCall'] }),
		);
		if (decision.action !== 'run') throw new Error(decision.action);
		expect(decision.outputIndex).toBe(1);
		expect(decision.item.koogallery).toMatchObject({
			scenario: 'brandNewActivity',
			scenarioName: 'Other Call',
			unknownValues: ['activity'],
		});
	});
});

describe('the receive decision acknowledges a notification the seller did not pick', () => {
	it.each<[string, ProtocolName, () => ReceivedCall, string[]]>([
		[
			'a SaaS V2.0 release',
			'saasV2',
			() => v2Call({ activity: 'releaseInstance', instanceId: 'i-1' }),
			['newInstance'],
		],
		[
			'a kit department sync',
			'kit',
			() =>
				kitCall('singleOrgSync', {
					instanceId: 'ins-1',
					tenantId: 't-1',
					orgCode: '001',
					orgName: 'Sales',
					parentCode: '000',
					flag: 1,
					testFlag: 0,
					timeStamp: '20220420114117642',
				}),
			['tenantSync'],
		],
	])('%s, with a signed success and an info line', (_name, protocol, make, enabled) => {
		const decision = receiveKooGalleryCall(make(), settings(protocol, { enabled }));
		expect(decision.action).toBe('acknowledge');
		expect(answerOf(decision, protocol === 'kit' ? KEYS.kit[0] : KEYS.basic[0])).toEqual({
			resultCode: '000000',
			resultMsg: 'success',
		});
		if (decision.action === 'acknowledge')
			expect(decision.log).toMatch(/acknowledged without running the workflow/);
	});
});

describe('the busy answer', () => {
	it('is a 503 without a result code, so KooGallery calls again instead of taking it as final', () => {
		expect(KOOGALLERY_BUSY_ANSWER.status).toBe(503);
		expect(JSON.parse(KOOGALLERY_BUSY_ANSWER.body)).toEqual({
			error: 'The seller service is busy. Please try again later.',
		});
	});
});

describe("each protocol's sentAt reads the timestamp its verify checks, without checking it", () => {
	const options = { keys: KEYS.basic, nowMs: NOW, toleranceMs: 60_000 };
	it.each<[string, ProtocolName, ReceivedCall]>([
		['SaaS V2.0', 'saasV2', v2Call(NEW, KEYS.basic[0], NOW - 1234)],
		['order notification', 'orderNotify', v2Call({ activity: 'orderNotify', orderId: 'CS2' })],
		[
			'License 2.0 POST',
			'license',
			v2Call({ activity: 'refreshLicenseCode' }, KEYS.basic[0], NOW - 7),
		],
	])('%s: the URL parameter timestamp', (_name, protocol, call) => {
		const verified = protocols[protocol].verify(call, options);
		expect(verified.ok).toBe(true);
		expect(protocols[protocol].sentAt(call)).toBe(verified.ok ? verified.timestampMs : NaN);
	});

	it('kit: the x-timestamp header', () => {
		const call = kitCall('tenantSync', TENANT);
		const verified = protocols.kit.verify(call, { ...options, keys: KEYS.kit });
		expect(verified.ok && verified.timestampMs).toBe(NOW);
		expect(protocols.kit.sentAt(call)).toBe(NOW);
	});

	it('unchecked: a forged call gives its timestamp all the same; none when it cannot be read', () => {
		const forged = v2Call(NEW, 'not-the-seller-key', NOW - 5000);
		expect(protocols.saasV2.verify(forged, options).ok).toBe(false);
		expect(protocols.saasV2.sentAt(forged)).toBe(NOW - 5000);
		for (const timestamp of [undefined, '', 'soon', ['1', '2']])
			expect(protocols.saasV2.sentAt({ ...forged, query: { ...forged.query, timestamp } })).toBe(
				undefined,
			);
	});

	it('none for calls signed with authToken (V1.0, License GET): KooGallery may send one again hours later with the timeStamp it first signed', () => {
		const call = v1Call({ activity: 'newInstance', orderId: 'CS3' });
		expect(protocols.saasV1.sentAt(call)).toBeUndefined();
		expect(protocols.license.sentAt(call)).toBeUndefined();
	});
});
