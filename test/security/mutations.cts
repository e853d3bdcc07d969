/**
 * Mutations of valid, signed KooGallery requests for every scenario of every protocol: what
 * KooGallery's own tooling and attackers would send. Each variant is either a tampering (must fail
 * verification or validation on its own) or a harmless re-encoding of the original (must still be
 * refused, as a replay of the original's nonce or token). Shared by the in-process mutation test
 * and the one through a real n8n.
 */
import { isDeepStrictEqual } from 'node:util';

import { kitSignatureHeaders } from '../../core/kit-signature';
import { computeAuthToken } from '../../core/saas-v1-auth-token';
import { signSaasV2Request, canonicalSaasV2Payload } from '../../core/saas-v2-signature';
import { formatStatisticalTime } from '../../core/saas-v2-answers';

export type Protocol = 'saasV2' | 'kit' | 'license' | 'saasV1';

export interface Request {
	protocol: Protocol;
	scenario: string;
	method: 'GET' | 'POST';
	/** Path below the production URL ('' or `/produceAPI/v2/<sync>`). */
	subPath: string;
	/** Raw query string without '?'. */
	query: string;
	headers: Record<string, string | string[]>;
	body: Buffer;
}

export interface Variant extends Request {
	/** What was done to the original. */
	label: string;
	/** tamper: refused on its own; replay: a faithful re-encoding, refused only as a replay. */
	kind: 'tamper' | 'replay';
}

const KIT_TIME = '20260101000000000';
const json = (value: Record<string, unknown>) =>
	Buffer.from(canonicalSaasV2Payload(JSON.stringify(value)) as string);

const V2_BODIES: Record<string, Record<string, unknown>> = {
	newInstance: {
		activity: 'newInstance',
		orderId: 'CS2211181819B4LVS',
		orderLineId: 'CS2211181819B4LVS-000001',
		businessId: '87b94795-0603-4e24-8ae5-69420d60e3c8',
		testFlag: '1',
	},
	queryInstance: {
		activity: 'queryInstance',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		testFlag: '0',
	},
	refreshInstance: {
		activity: 'refreshInstance',
		expireTime: '20991124023618256',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		orderId: 'CS2211181819B4LVS',
		orderLineId: 'CS2211181819B4LVS-000001',
		productId: 'OFFI461867333479178240',
		scene: 'RENEWAL',
		testFlag: '1',
	},
	updateInstanceStatus: {
		activity: 'updateInstanceStatus',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		status: 'FREEZE',
		testFlag: '1',
	},
	releaseInstance: {
		activity: 'releaseInstance',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		orderId: 'CS2211181819B4LVS',
		orderLineId: 'CS2211181819B4LVS-000001',
		testFlag: '1',
	},
	upgradeInstance: {
		activity: 'upgradeInstance',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		orderId: 'CS2211181819B4LVS',
		orderLineId: 'CS2211181819B4LVS-000001',
		testFlag: '0',
	},
	changeInstanceCheck: {
		activity: 'changeInstanceCheck',
		instanceId: '10e758d0-31ad-4c4b-8f1b-81d03469a10e',
		productInfo: { productId: 'OFFI1', skuCode: 's1' },
	},
};

const KIT_BODIES: Record<string, Record<string, unknown>> = {
	tenantSync: {
		instanceId: 'huaiweitest123456',
		orderId: 'CS1906666666ABCDE',
		tenantId: '68cbc86a1b2c3d4e5f60718293a4b5c6',
		tenantCode: 'huawei',
		name: '华为测试',
		domainName: 'https://example.tenantaccount.com',
		flag: 1,
		testFlag: 0,
		timeStamp: KIT_TIME,
	},
	applicationSync: {
		instanceId: 'huaiweitest123456',
		tenantId: '68cbc86a1b2c3d4e5f60718293a4b5c6',
		appId: 'app-001',
		clientId: 'client-001',
		clientSecret: 'bXkgZW5jcnlwdGVkIHNlY3JldA==',
		flag: 1,
		testFlag: 0,
		timeStamp: KIT_TIME,
	},
	authSync: {
		instanceId: 'ins-001',
		tenantId: 't-001',
		appId: 'app-001',
		userList: [
			{ userName: 'zhangsan01', name: '张三', orgCode: '123456789', role: 'admin', enable: 'true' },
		],
		currentSyncTime: KIT_TIME,
		flag: 1,
		testFlag: 0,
		timeStamp: KIT_TIME,
	},
	singleOrgSync: {
		instanceId: 'ins-001',
		tenantId: 't-001',
		orgCode: '00000002',
		orgName: '测试部',
		parentCode: '265789314',
		flag: 1,
		testFlag: 1,
		timeStamp: KIT_TIME,
	},
	allOrgSync: {
		instanceId: 'ins-001',
		tenantId: 't-001',
		orgInfoList: [{ orgCode: '00000001', orgName: '产品部', parentCode: '265789314' }],
		testFlag: 0,
		timeStamp: KIT_TIME,
	},
};

const LICENSE_BODIES: Record<string, Record<string, unknown>> = {
	refreshLicenseCode: {
		activity: 'refreshLicenseCode',
		expireTime: '20990523201932',
		license: 'PL0000TEST',
		orderId: 'CS2305231234ABCDE',
		orderLineId: 'CS2305231234ABCDE-000001',
		productId: 'P1',
		scene: 'RENEWAL',
		testFlag: '1',
	},
	getLicenseAsync: {
		activity: 'getLicenseAsync',
		instanceId: 'ins-001',
		effectiveTime: '20230523120000',
		expireTime: '20990523120000',
		eventId: 'evt-0001',
		deviceFingerprint: 'fp-abc',
		testFlag: '1',
	},
};

const V1_PARAMS: Record<string, Record<string, string>> = {
	newInstance: {
		activity: 'newInstance',
		businessId: 'b1a2c3d4-0000-1111-2222-333344445555',
		customerId: '68805539',
		customerName: 'mock_user',
		orderId: 'CS2211181819B4LVS',
		productId: 'OFFI000000000000000001',
		testFlag: '1',
	},
	refreshInstance: {
		activity: 'refreshInstance',
		expireTime: '20990725000000',
		instanceId: '03pf80c2bae96vc49b80b917bea776d7',
		orderId: 'HWS001014ED483AA1E8',
		testFlag: '1',
	},
	expireInstance: {
		activity: 'expireInstance',
		instanceId: '03pf80c2bae96vc49b80b917bea776d7',
		orderId: 'HWS001014ED483AA1E8',
	},
	releaseInstance: {
		activity: 'releaseInstance',
		instanceId: '03pf80c2bae96vc49b80b917bea776d7',
		testFlag: '1',
	},
	instanceStatus: {
		activity: 'instanceStatus',
		instanceId: 'huaweitest123456',
		instanceStatus: 'FREEZE',
		testFlag: '1',
	},
	queryInstance: { activity: 'queryInstance', instanceId: 'ebc28eb6,fe28e27e', testFlag: '1' },
};

/**
 * Bodies that only Huawei's Java sample reading verifies: a number and a control character whose
 * escape Jackson writes in upper case, signed over `{"quantity":"2","remark":"a\u001Fb",...}`
 * (the V2.0 sample binds the body to Map<String, String>; core/saas-v2-signature.ts).
 */
const V2_JAVA_FORM = {
	raw: '{"activity":"newInstance","businessId":"7a1c2e3f-0000-4000-8000-000000000001","orderId":"CS2611250000JAVA","orderLineId":"CS2611250000JAVA-000001","quantity":2,"remark":"a\\u001fb","testFlag":"1"}',
	java: '{"activity":"newInstance","businessId":"7a1c2e3f-0000-4000-8000-000000000001","orderId":"CS2611250000JAVA","orderLineId":"CS2611250000JAVA-000001","quantity":"2","remark":"a\\u001Fb","testFlag":"1"}',
};

/**
 * V1.0 calls POSTed with a JSON body and the token in the `authToken` header, as
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html shows; the first
 * carries a blank member and a number, its token computed without blanks as the POST sample does.
 */
const V1_POST_BODIES: Record<string, Record<string, string | number>> = {
	newInstance: {
		...V1_PARAMS.newInstance,
		businessId: 'b1a2c3d4-0000-1111-2222-3333444455ff',
		customerName: '',
		testFlag: 1,
	},
	releaseInstance: { ...V1_PARAMS.releaseInstance, instanceId: '03pf80c2bae96vc49b80b917bea7post' },
};

/** A JSON body's members as the V1.0 POST sample's map of strings holds them: text, blanks left out. */
const v1Members = (body: Record<string, unknown>): Record<string, string> =>
	Object.fromEntries(
		Object.entries(body)
			.filter(([, v]) => v !== null && String(v).trim() !== '')
			.map(([k, v]) => [k, String(v)]),
	);

/**
 * Whether a changed body means exactly what the original means to the workflow, judged by
 * `JSON.parse` alone (for V1.0 POSTs, also as its map of strings without blanks, since the trigger
 * hands the workflow only the signed, non-blank members): such a change is a faithful re-encoding.
 */
function sameMeaning(protocol: Protocol, original: Buffer, changed: Buffer): boolean {
	try {
		const [a, b] = [original, changed].map(
			(body) => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
		);
		if (isDeepStrictEqual(a, b)) return true;
		return (
			protocol === 'saasV1' &&
			typeof b === 'object' &&
			b !== null &&
			!Array.isArray(b) &&
			isDeepStrictEqual(v1Members(a), v1Members(b))
		);
	} catch {
		return false;
	}
}

let counter = 0;
const nonceFor = (scenario: string) =>
	`N${(++counter).toString(16).padStart(6, '0')}${scenario.slice(0, 8).toUpperCase()}${'0'.repeat(40)}`.slice(
		0,
		64,
	);
const encodeQuery = (pairs: Array<[string, string]>) =>
	pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const parsePairs = (query: string): Array<[string, string]> =>
	query
		.split('&')
		.filter(Boolean)
		.map((pair) => {
			const [k, v = ''] = pair.split('=');
			return [decodeURIComponent(k), decodeURIComponent(v)];
		});

/** One valid, signed request per scenario of every protocol, timestamped `nowMs`. */
export function validRequests(keys: { basic: string; kit: string }, nowMs: number): Request[] {
	const requests: Request[] = [];
	const v2 = (protocol: Protocol, scenario: string, value: Record<string, unknown>) => {
		const body = json(value);
		const nonce = nonceFor(scenario);
		const timestamp = String(nowMs);
		const signature = signSaasV2Request(keys.basic, body, nonce, timestamp);
		requests.push({
			protocol,
			scenario,
			method: 'POST',
			subPath: '',
			query: encodeQuery([
				['signature', signature],
				['timestamp', timestamp],
				['nonce', nonce],
			]),
			headers: { 'content-type': 'application/json;charset=utf8' },
			body,
		});
	};
	for (const [scenario, value] of Object.entries(V2_BODIES)) v2('saasV2', scenario, value);
	for (const [scenario, value] of Object.entries(LICENSE_BODIES)) v2('license', scenario, value);
	for (const [scenario, value] of Object.entries(KIT_BODIES)) {
		const body = json(value);
		requests.push({
			protocol: 'kit',
			scenario,
			method: 'POST',
			subPath: `/produceAPI/v2/${scenario}`,
			query: '',
			headers: {
				'content-type': 'application/json',
				...kitSignatureHeaders(keys.kit, body, nonceFor(scenario), String(nowMs)),
			},
			body,
		});
	}
	for (const [scenario, params] of Object.entries(V1_PARAMS)) {
		const values = { ...params, timeStamp: formatStatisticalTime(new Date(nowMs)) };
		const authToken = computeAuthToken(keys.basic, values);
		requests.push({
			protocol: 'saasV1',
			scenario,
			method: 'GET',
			subPath: '',
			query: encodeQuery([...Object.entries(values), ['authToken', authToken]]),
			headers: {},
			body: Buffer.alloc(0),
		});
	}
	for (const [scenario, members] of Object.entries(V1_POST_BODIES)) {
		const body = { ...members, timeStamp: formatStatisticalTime(new Date(nowMs)) };
		const authToken = computeAuthToken(keys.basic, v1Members(body), true);
		requests.push({
			protocol: 'saasV1',
			scenario,
			method: 'POST',
			subPath: '',
			query: '',
			headers: { 'content-type': 'application/json', authtoken: authToken },
			body: Buffer.from(JSON.stringify(body)),
		});
	}
	const nonce = nonceFor('javaForm');
	const signature = signSaasV2Request(keys.basic, V2_JAVA_FORM.java, nonce, String(nowMs));
	requests.push({
		protocol: 'saasV2',
		scenario: 'newInstance',
		method: 'POST',
		subPath: '',
		query: encodeQuery([
			['signature', signature],
			['timestamp', String(nowMs)],
			['nonce', nonce],
		]),
		headers: { 'content-type': 'application/json;charset=utf8' },
		body: Buffer.from(V2_JAVA_FORM.raw),
	});
	return requests;
}

/** The ways the signature travels for each protocol: which query parameters or headers sign it. */
const SIGNING: Record<
	Protocol,
	{ where: 'query' | 'headers'; names: string[]; signature: string; time: string }
> = {
	saasV2: {
		where: 'query',
		names: ['signature', 'timestamp', 'nonce'],
		signature: 'signature',
		time: 'timestamp',
	},
	license: {
		where: 'query',
		names: ['signature', 'timestamp', 'nonce'],
		signature: 'signature',
		time: 'timestamp',
	},
	kit: {
		where: 'headers',
		names: ['x-sign', 'x-timestamp', 'x-nonce'],
		signature: 'x-sign',
		time: 'x-timestamp',
	},
	saasV1: {
		where: 'query',
		names: ['authToken', 'timeStamp', 'activity'],
		signature: 'authToken',
		time: 'timeStamp',
	},
};

/**
 * At least `minimum` variants of the valid requests: every byte of each body (or V1.0 query)
 * flipped three ways, signing parameters dropped, doubled, truncated, case-changed, re-signed with
 * another key, times moved around the window edges, empty, oversized, invalid UTF-8 and deeply
 * nested bodies, and faithful re-encodings that only a replay check can refuse.
 */
export function mutations(
	originals: Request[],
	keys: { basic: string; kit: string },
	toleranceMs = 60_000,
): Variant[] {
	const variants: Variant[] = [];
	const add = (original: Request, label: string, kind: Variant['kind'], change: Partial<Request>) =>
		variants.push({
			...original,
			...change,
			label: `${original.protocol}/${original.scenario}: ${label}`,
			kind,
		});
	for (const original of originals) {
		const signing = SIGNING[original.protocol];
		const pairs = parsePairs(original.query);
		const withQuery = (next: Array<[string, string]>) => ({ query: encodeQuery(next) });
		const setQuery = (name: string, value: string) =>
			withQuery(pairs.map(([k, v]) => [k, k === name ? value : v]));
		const setHeader = (name: string, value: string | string[] | undefined) => {
			const headers = { ...original.headers };
			if (value === undefined) delete headers[name];
			else headers[name] = value;
			return { headers };
		};
		const setSigning = (name: string, value: string | undefined) =>
			signing.where === 'headers'
				? setHeader(name, value)
				: value === undefined
					? withQuery(pairs.filter(([k]) => k !== name))
					: setQuery(name, value);
		const current = (name: string) =>
			signing.where === 'headers'
				? String(original.headers[name])
				: (pairs.find(([k]) => k === name)?.[1] ?? '');

		// Every byte flipped three ways: the body, or for V1.0 (no body) the decoded query values. A
		// flip that leaves the JSON meaning the same (`\u001f` to `\u001F`) is a re-encoding.
		if (original.method === 'POST') {
			for (let i = 0; i < original.body.length; i++) {
				for (const mask of [0x01, 0x02, 0x20, 0x80]) {
					const body = Buffer.from(original.body);
					body[i] ^= mask;
					add(
						original,
						`body byte ${i} ^ 0x${mask.toString(16)}`,
						sameMeaning(original.protocol, original.body, body) ? 'replay' : 'tamper',
						{ body },
					);
				}
			}
		} else {
			pairs.forEach(([name, value], index) => {
				if (name === 'authToken') return;
				for (let i = 0; i < value.length; i++) {
					for (const mask of [0x01, 0x02, 0x20]) {
						const changed =
							value.slice(0, i) +
							String.fromCharCode(value.charCodeAt(i) ^ mask) +
							value.slice(i + 1);
						add(
							original,
							`${name} char ${i} ^ 0x${mask.toString(16)}`,
							'tamper',
							withQuery(pairs.map((p, j) => (j === index ? [name, changed] : p))),
						);
					}
				}
			});
		}
		if (original.protocol === 'saasV1' && original.method === 'POST') {
			v1PostMutations(original, keys, (label, kind, change) => add(original, label, kind, change));
			continue;
		}
		for (const name of signing.names) {
			add(original, `${name} dropped`, 'tamper', setSigning(name, undefined));
			add(original, `${name} empty`, 'tamper', setSigning(name, ''));
			if (signing.where === 'headers')
				add(original, `${name} doubled`, 'tamper', setHeader(name, [current(name), current(name)]));
			// V1.0 signs and reads the first value of a repeated parameter, as Huawei's Java sample does.
			else if (original.protocol === 'saasV1')
				add(original, `${name} doubled`, 'replay', withQuery([...pairs, [name, current(name)]]));
			else add(original, `${name} doubled`, 'tamper', withQuery([...pairs, [name, current(name)]]));
		}
		const signature = current(signing.signature);
		add(
			original,
			'signature truncated',
			'tamper',
			setSigning(signing.signature, signature.slice(0, -1)),
		);
		add(
			original,
			'signature one character longer',
			'tamper',
			setSigning(signing.signature, `${signature}0`),
		);
		add(
			original,
			'signature not hex',
			'tamper',
			setSigning(signing.signature, `zz${signature.slice(2)}`),
		);
		add(
			original,
			'signature reversed',
			'tamper',
			setSigning(signing.signature, [...signature].reverse().join('')),
		);
		if (original.protocol !== 'saasV1') {
			add(
				original,
				'signature in other case',
				'replay',
				setSigning(
					signing.signature,
					signature === signature.toUpperCase() ? signature.toLowerCase() : signature.toUpperCase(),
				),
			);
			const nonceName = signing.names[2];
			add(original, 'nonce changed', 'tamper', setSigning(nonceName, `${current(nonceName)}X`));
			const timestamp = Number(current(signing.time));
			for (const shift of [1, -1, toleranceMs + 1, -(toleranceMs + 1), 3_600_000, -3_600_000]) {
				add(
					original,
					`timestamp ${shift > 0 ? '+' : ''}${shift} ms`,
					'tamper',
					setSigning(signing.time, String(timestamp + shift)),
				);
			}
			add(
				original,
				'timestamp in seconds',
				'tamper',
				setSigning(signing.time, String(Math.floor(timestamp / 1000))),
			);
			add(original, 'timestamp not a number', 'tamper', setSigning(signing.time, 'yesterday'));
			const otherKey = original.protocol === 'kit' ? keys.basic : keys.kit;
			const resigned =
				original.protocol === 'kit'
					? kitSignatureHeaders(
							otherKey,
							original.body,
							current('x-nonce'),
							current('x-timestamp'),
						)['x-sign']
					: signSaasV2Request(otherKey, original.body, current('nonce'), current('timestamp'));
			add(original, 'signed with another key', 'tamper', setSigning(signing.signature, resigned));
			add(original, 'empty body', 'tamper', { body: Buffer.alloc(0) });
			add(original, 'oversized body', 'tamper', {
				body: Buffer.concat([
					original.body.subarray(0, -1),
					Buffer.from(`,"pad":"${'x'.repeat(1_100_000)}"}`),
				]),
			});
			add(original, 'invalid UTF-8', 'tamper', {
				body: Buffer.concat([
					original.body.subarray(0, 10),
					Buffer.from([0xff, 0xfe]),
					original.body.subarray(12),
				]),
			});
			add(original, 'deeply nested JSON', 'tamper', {
				body: Buffer.from(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
			});
			add(original, 'JSON array', 'tamper', { body: Buffer.from(`[${original.body.toString()}]`) });
			const reordered = JSON.stringify(
				Object.fromEntries(Object.entries(JSON.parse(original.body.toString())).reverse()),
				null,
				1,
			);
			add(original, 'same JSON, other key order and spacing', 'replay', {
				body: Buffer.from(reordered),
			});
			add(original, 'query parameters reordered', 'replay', {
				query: [...original.query.split('&')].reverse().join('&'),
			});
		} else {
			const timeStamp = current('timeStamp');
			add(
				original,
				'timeStamp 2 minutes old',
				'tamper',
				setQuery(
					'timeStamp',
					formatStatisticalTime(
						new Date(
							Date.parse(
								`${timeStamp.slice(0, 4)}-${timeStamp.slice(4, 6)}-${timeStamp.slice(6, 8)}T${timeStamp.slice(8, 10)}:${timeStamp.slice(10, 12)}:${timeStamp.slice(12, 14)}.${timeStamp.slice(14)}Z`,
							) - 120_000,
						),
					),
				),
			);
			add(
				original,
				'signed with another key',
				'tamper',
				setQuery(
					'authToken',
					computeAuthToken(keys.kit, Object.fromEntries(pairs.filter(([k]) => k !== 'authToken'))),
				),
			);
			add(original, 'extra parameter', 'tamper', withQuery([...pairs, ['extra', '1']]));
			add(original, 'extra parameter put first', 'tamper', withQuery([['extra', '1'], ...pairs]));
			const otherActivity =
				current('activity') === 'queryInstance' ? 'releaseInstance' : 'queryInstance';
			add(
				original,
				'a parameter repeated with a forged value first',
				'tamper',
				withQuery([['activity', otherActivity], ...pairs]),
			);
			add(original, 'query parameters reordered', 'replay', {
				query: [...original.query.split('&')].reverse().join('&'),
			});
			add(original, '+ written as %2B and spaces as +', 'replay', {
				query: original.query.replace(/%20/g, '+'),
			});
			// Unsigned by a token computed without blanks, and never handed to the workflow.
			add(original, 'a blank parameter added', 'replay', withQuery([...pairs, ['extra', '']]));
			add(
				original,
				'a parameter repeated with a forged value after it',
				'replay',
				withQuery([...pairs, ['activity', otherActivity]]),
			);
		}
	}
	return variants;
}

/** The variants of a V1.0 POST whose token is the `authToken` header and whose timeStamp is in the body. */
function v1PostMutations(
	original: Request,
	keys: { basic: string; kit: string },
	add: (label: string, kind: Variant['kind'], change: Partial<Request>) => void,
): void {
	const token = String(original.headers.authtoken);
	const members = JSON.parse(original.body.toString('utf8')) as Record<string, string | number>;
	const withToken = (value: string | string[] | undefined) => {
		const headers = { ...original.headers };
		if (value === undefined) delete headers.authtoken;
		else headers.authtoken = value;
		return { headers };
	};
	const withBody = (next: Record<string, unknown>, space?: number) => ({
		body: Buffer.from(JSON.stringify(next, null, space)),
	});
	add('authToken header dropped', 'tamper', withToken(undefined));
	add('authToken header empty', 'tamper', withToken(''));
	add('authToken header doubled', 'tamper', withToken([token, token]));
	add('authToken truncated', 'tamper', withToken(token.slice(0, -1)));
	add('authToken one character longer', 'tamper', withToken(`${token}A`));
	add('authToken not Base64', 'tamper', withToken(`**${token.slice(2)}`));
	add('authToken reversed', 'tamper', withToken([...token].reverse().join('')));
	add('authToken in the query instead of the header', 'tamper', {
		...withToken(undefined),
		query: `authToken=${encodeURIComponent(token)}`,
	});
	add(
		'signed with another key',
		'tamper',
		withToken(computeAuthToken(keys.kit, v1Members(members), true)),
	);
	add(
		'signed with blanks by another key',
		'tamper',
		withToken(computeAuthToken(keys.kit, v1Members(members))),
	);
	const stamp = String(members.timeStamp);
	const older = formatStatisticalTime(
		new Date(
			Date.parse(
				`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}.${stamp.slice(14)}Z`,
			) - 120_000,
		),
	);
	add('timeStamp 2 minutes old', 'tamper', withBody({ ...members, timeStamp: older }));
	add('timeStamp dropped', 'tamper', withBody({ ...members, timeStamp: undefined }));
	add('extra member', 'tamper', withBody({ ...members, extra: '1' }));
	add(
		'a member as an object',
		'tamper',
		withBody({ ...members, activity: { value: members.activity } }),
	);
	add('body as a JSON array', 'tamper', { body: Buffer.from(`[${original.body.toString()}]`) });
	add('form body instead of JSON', 'tamper', {
		headers: { authtoken: token, 'content-type': 'application/x-www-form-urlencoded' },
		body: Buffer.from(new URLSearchParams(v1Members(members)).toString()),
	});
	add(
		'same JSON, other key order and spacing',
		'replay',
		withBody(Object.fromEntries(Object.entries(members).reverse()), 1),
	);
	add('a blank member added', 'replay', withBody({ ...members, extra: '' }));
	add(
		'a number sent as text',
		'replay',
		withBody(Object.fromEntries(Object.entries(members).map(([k, v]) => [k, String(v)]))),
	);
}
