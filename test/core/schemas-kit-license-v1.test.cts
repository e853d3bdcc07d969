import {
	isKitTestCall,
	KIT_RESULT_CODES,
	KIT_SCENARIOS,
	kitIdempotencyKey,
	kitRequestSchemas,
	kitScenarioFromPath,
	parseKitRequest,
} from '../../core/schemas/kit';
import {
	LICENSE_RESULT_CODES,
	LICENSE_SCENARIOS,
	licenseRequestSchemas,
	parseLicenseRequest,
} from '../../core/schemas/license';
import {
	parseSaasV1Request,
	SAAS_V1_SCENARIOS,
	saasV1RequestSchemas,
} from '../../core/schemas/saas-v1';
import { readV1Params } from '../../core/saas-v1-auth-token';

type Failure = { ok: false; resultCode: string; field?: string; message: string };
/** Asserts a 000002 failure that names `field` and whose message matches `message`. */
function expectFailure(result: { ok: boolean }, field: string | undefined, message: RegExp): void {
	expect(result).toMatchObject({ ok: false, resultCode: '000002' });
	const failure = result as Failure;
	expect(failure.field).toBe(field);
	expect(failure.message).toMatch(message);
}

// ---------------------------------------------------------------- kit (docs/protocol/koogallery-joint-license.md §1–§5)

const KIT = {
	// §Test vectors A, tenantSync v2 request [S1].
	tenantSync:
		'{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86****************880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	// §2 table (no published example).
	applicationSync:
		'{"instanceId":"huaiweitest123456","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","appId":"app-001","clientId":"client-001","clientSecret":"bXkgZW5jcnlwdGVkIHNlY3JldA==","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	// Test vector B.2, with the user fields of the [S8] example.
	authSync:
		'{"userList":[{"userName":"zhangsan01","name":"张三","position":"系统管理员","orgCode":"123456789","role":"admin","enable":"true"}],"instanceId":"ins-001","tenantId":"t-001","appId":"app-001","currentSyncTime":"20220420114117642","flag":1,"testFlag":0,"timeStamp":"20220420114117642"}',
	// §4 table (no published example).
	singleOrgSync:
		'{"instanceId":"ins-001","tenantId":"t-001","orgCode":"00000002","orgName":"测试部","parentCode":"265789314","flag":1,"testFlag":1,"timeStamp":"20220420114117642"}',
	// §Test vectors A, allOrgSync v2 [S4]: orgInfoList as a string with bare keys (the example's "..." completed).
	allOrgSync:
		'{"instanceId":"hua******t123456","tenantId":"68cbc8******b880d92f36422fa0e","orgInfoList":"[{orgCode:\\"00000001\\", orgName:\\"产品部\\", parentCode:\\"265789314\\" },{orgCode:\\"00000002\\", orgName:\\"测试部\\", parentCode:\\"265789314\\"}]","testFlag":0,"timeStamp":"20220413093539534"}',
};
const ORGS = [
	{ orgCode: '00000001', orgName: '产品部', parentCode: '265789314' },
	{ orgCode: '00000002', orgName: '测试部', parentCode: '265789314' },
];

describe('kit schemas', () => {
	it('accepts one documented fixture per scenario and keeps every field', () => {
		for (const [name, body] of Object.entries(KIT)) {
			const expected = JSON.parse(body);
			if (name === 'allOrgSync') expected.orgInfoList = ORGS;
			expect(parseKitRequest(name, body)).toEqual({
				ok: true,
				activity: name,
				data: expected,
				unknownValues: [],
			});
			expect(parseKitRequest(name, Buffer.from(body))).toMatchObject({ ok: true });
		}
		expect(KIT_SCENARIOS.map((s) => s.activity)).toEqual(Object.keys(kitRequestSchemas));
		expect(Object.keys(KIT)).toEqual(Object.keys(kitRequestSchemas));
	});

	it('reads orgInfoList as an array, as JSON text or as the bare-key text', () => {
		const base = JSON.parse(KIT.allOrgSync);
		for (const orgInfoList of [ORGS, JSON.stringify(ORGS)]) {
			expect(parseKitRequest('allOrgSync', JSON.stringify({ ...base, orgInfoList }))).toMatchObject(
				{ ok: true, data: { orgInfoList: ORGS } },
			);
		}
		expectFailure(
			parseKitRequest('allOrgSync', JSON.stringify({ ...base, orgInfoList: '[{orgCode: ' })),
			'orgInfoList',
			/list of departments/,
		);
		expectFailure(
			parseKitRequest('allOrgSync', JSON.stringify({ ...base, orgInfoList: [{ orgName: 'x' }] })),
			'orgInfoList.0.orgCode',
			/required/,
		);
		expectFailure(
			parseKitRequest('allOrgSync', JSON.stringify({ ...base, orgInfoList: undefined })),
			'orgInfoList',
			/required/,
		);
	});

	it('accepts an empty, null or missing instanceId and orderId (credential-time calls, §0.4 of https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649433.html)', () => {
		const base = JSON.parse(KIT.tenantSync);
		for (const value of ['', null, undefined]) {
			expect(
				parseKitRequest(
					'tenantSync',
					JSON.stringify({ ...base, instanceId: value, orderId: value }),
				),
			).toMatchObject({ ok: true });
		}
	});

	it('keeps unknown extra fields at the top and inside users', () => {
		const body = JSON.parse(KIT.authSync);
		body.newTop = 1;
		body.userList[0].entryDate = '20220101';
		expect(parseKitRequest('authSync', JSON.stringify(body))).toMatchObject({
			ok: true,
			data: { newTop: 1, userList: [{ entryDate: '20220101' }] },
		});
	});

	it('refuses with 000002, naming the field, only what a sync cannot be acted on without', () => {
		const tenant = JSON.parse(KIT.tenantSync);
		const auth = JSON.parse(KIT.authSync);
		const user = auth.userList[0];
		const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
			['tenantSync', { ...tenant, tenantId: undefined }, 'tenantId', /required but missing/],
			['tenantSync', { ...tenant, tenantCode: '' }, 'tenantCode', /must not be empty/],
			['tenantSync', { ...tenant, flag: undefined }, 'flag', /required but missing/],
			[
				'tenantSync',
				{ ...tenant, flag: 'add' },
				'flag',
				/one of 0 \(delete\), 1 \(add\), 2 \(modify\)/,
			],
			[
				'applicationSync',
				{ ...JSON.parse(KIT.applicationSync), clientSecret: undefined },
				'clientSecret',
				/required/,
			],
			['authSync', { ...auth, flag: 'x' }, 'flag', /3 \(cancel authorization\)/],
			['authSync', { ...auth, userList: 'zhangsan01' }, 'userList', /list of users/],
			['authSync', { ...auth, userList: undefined }, 'userList', /required/],
			[
				'authSync',
				{ ...auth, userList: [{ ...user, userName: undefined }] },
				'userList.0.userName',
				/required/,
			],
			['singleOrgSync', { ...JSON.parse(KIT.singleOrgSync), orgCode: null }, 'orgCode', /required/],
		];
		for (const [name, body, field, message] of cases)
			expectFailure(parseKitRequest(name, JSON.stringify(body)), field, message);
	});

	it('refuses unknown scenarios and bodies that are not JSON objects with 000002, never throwing', () => {
		expectFailure(
			parseKitRequest('newInstance', KIT.tenantSync),
			undefined,
			/not a kit sync scenario/,
		);
		for (const body of [
			'',
			'not json',
			'[]',
			'null',
			Buffer.from([0xff, 0x7b]),
			Buffer.alloc(5 * 1024 * 1024, 0x20),
		]) {
			expect(parseKitRequest('tenantSync', body)).toMatchObject({
				ok: false,
				resultCode: '000002',
			});
		}
	});

	it('finds the scenario from the request path', () => {
		for (const s of KIT_SCENARIOS) {
			expect(kitScenarioFromPath(s.path)).toBe(s.activity);
			expect(kitScenarioFromPath(`/webhook/koogallery${s.path}/?x=1`)).toBe(s.activity);
		}
		for (const path of ['/produceAPI/v2/unknown', '/', '', '/produceAPI/v2/tenantSync/extra'])
			expect(kitScenarioFromPath(path)).toBeUndefined();
	});

	it('gives one idempotency key per record, shared by single and full department syncs', () => {
		const data = (name: keyof typeof KIT) => {
			const parsed = parseKitRequest(name, KIT[name]);
			if (!parsed.ok) throw new Error(parsed.message);
			return parsed.data as Record<string, unknown>;
		};
		expect(kitIdempotencyKey('tenantSync', data('tenantSync'))).toEqual([
			'tenant:huaiweitest123456/68cbc86****************880d92f36422fa0e',
		]);
		expect(kitIdempotencyKey('applicationSync', data('applicationSync'))).toEqual([
			'app:huaiweitest123456/68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e/app-001',
		]);
		const twoUsers = {
			...data('authSync'),
			userList: [{ userName: 'a/b' }, { userName: 'zhangsan01' }],
		};
		expect(kitIdempotencyKey('authSync', twoUsers)).toEqual([
			'user:ins-001/t-001/app-001/a%2Fb',
			'user:ins-001/t-001/app-001/zhangsan01',
		]);
		const single = kitIdempotencyKey('singleOrgSync', data('singleOrgSync'));
		expect(single).toEqual(['org:ins-001/t-001/00000002']);
		const all = kitIdempotencyKey('allOrgSync', {
			...data('allOrgSync'),
			instanceId: 'ins-001',
			tenantId: 't-001',
		});
		expect(all).toEqual(['org:ins-001/t-001/00000001', 'org:ins-001/t-001/00000002']);
		expect(kitIdempotencyKey('tenantSync', { ...data('tenantSync'), instanceId: null })).toEqual([
			'tenant:/68cbc86****************880d92f36422fa0e',
		]);
	});

	it('tells debugging calls apart and lists its extra result code', () => {
		expect(isKitTestCall({ testFlag: 1 })).toBe(true);
		expect(isKitTestCall({ testFlag: 0 })).toBe(false);
		expect(KIT_RESULT_CODES['000101']).toMatch(/client secret/);
	});
});

// ---------------------------------------------------------------- License (docs/protocol/koogallery-joint-license.md §8)

const LICENSE_POST = {
	// §Test vectors A, License 2.0 renewal request [S24].
	refreshLicenseCode:
		'{"activity":"refreshLicenseCode","expireTime":"20230523201932","license":"******","orderId":"******","orderLineId":"******","productId":"******","scene":"RENEWAL","testFlag":"1"}',
	// §8.2 table.
	updateLicenseCodeStatus:
		'{"activity":"updateLicenseCodeStatus","license":"PL0000TEST","status":"FREEZE","testFlag":"1"}',
	releaseLicenseCode:
		'{"activity":"releaseLicenseCode","license":"PL0000TEST","orderId":"CS2305231234ABCDE","orderLineId":"CS2305231234ABCDE-000001","testFlag":"0"}',
	// §8.3 table.
	getLicenseAsync:
		'{"activity":"getLicenseAsync","instanceId":"ins-001","effectiveTime":"20230523120000","expireTime":"20240523120000","eventId":"evt-0001","deviceFingerprint":"fp-abc","testFlag":"1"}',
};
// Test vector B.5 for getLicense; §8.1 tables for the other two.
const LICENSE_GET = {
	getLicense: {
		activity: 'getLicense',
		businessId: 'b1a2c3d4-0000-1111-2222-333344445555',
		customerId: '68805539',
		orderId: 'CS2211181819B4LVS',
		productId: 'OFFI000000000000000001',
		testFlag: '1',
		timeStamp: '20230523120000123',
		authToken: '3YhAK7Bc9sJJsj4Ws/hHnktDUhY3zuVGZcbFdEANvIk=',
	},
	refreshLicense: {
		activity: 'refreshLicense',
		orderId: 'CS2305231234RENEW',
		instanceId: 'ins-001',
		expireTime: '20240523120000',
		periodType: 'year',
		periodNumber: '1',
		timeStamp: '20230523120000123',
		authToken: 'x',
	},
	releaseLicense: {
		activity: 'releaseLicense',
		orderId: 'CS2211181819B4LVS',
		instanceId: 'ins-001',
		timeStamp: '20230523120000123',
		authToken: 'x',
	},
};

describe('License schemas', () => {
	it('accepts one documented fixture per call and keeps every field', () => {
		for (const [activity, body] of Object.entries(LICENSE_POST)) {
			expect(parseLicenseRequest(body)).toEqual({
				ok: true,
				activity,
				data: JSON.parse(body),
				unknownValues: [],
			});
		}
		for (const [activity, params] of Object.entries(LICENSE_GET)) {
			// periodNumber is a count: handed over as a number (README, "What the trigger hands over").
			const data = activity === 'refreshLicense' ? { ...params, periodNumber: 1 } : params;
			expect(parseLicenseRequest(params)).toEqual({ ok: true, activity, data, unknownValues: [] });
		}
		expect(LICENSE_SCENARIOS.map((s) => s.activity).sort()).toEqual(
			Object.keys(licenseRequestSchemas).sort(),
		);
		expect([...Object.keys(LICENSE_POST), ...Object.keys(LICENSE_GET)].sort()).toEqual(
			Object.keys(licenseRequestSchemas).sort(),
		);
	});

	it('reads GET parameters decoded from the raw query text as well', () => {
		const raw = `${Object.entries(LICENSE_GET.getLicense)
			.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
			.join('&')}`;
		const read = readV1Params(raw);
		expect(read.ok && parseLicenseRequest(read.params)).toEqual({
			ok: true,
			activity: 'getLicense',
			data: LICENSE_GET.getLicense,
			unknownValues: [],
		});
	});

	it('refuses with 000002, naming the field, only what a call cannot be acted on without', () => {
		const renew = JSON.parse(LICENSE_POST.refreshLicenseCode);
		const cases: Array<[string | Record<string, unknown>, string, RegExp]> = [
			[JSON.stringify({ ...renew, license: undefined }), 'license', /required but missing/],
			[JSON.stringify({ ...renew, expireTime: 'later' }), 'expireTime', /yyyyMMddHHmmss/],
			[
				JSON.stringify({ ...JSON.parse(LICENSE_POST.updateLicenseCodeStatus), status: undefined }),
				'status',
				/required/,
			],
			[
				JSON.stringify({ ...JSON.parse(LICENSE_POST.getLicenseAsync), eventId: undefined }),
				'eventId',
				/required/,
			],
			[{ ...LICENSE_GET.getLicense, orderId: undefined }, 'orderId', /required/],
			[{ ...LICENSE_GET.releaseLicense, instanceId: undefined }, 'instanceId', /required/],
			[JSON.stringify({ ...renew, activity: undefined }), 'activity', /required/],
		];
		for (const [input, field, message] of cases)
			expectFailure(parseLicenseRequest(input), field, message);
	});

	it('refuses bodies that are not JSON objects, never throwing', () => {
		for (const body of ['', '{', '[]', '"x"', Buffer.from('null')]) {
			expect(parseLicenseRequest(body)).toMatchObject({ ok: false, resultCode: '000002' });
		}
	});

	it('lists the License result codes with English messages', () => {
		expect(Object.keys(LICENSE_RESULT_CODES)).toEqual([
			'000003',
			'000900',
			'000901',
			'000902',
			'000903',
		]);
		expect(LICENSE_RESULT_CODES['000003']).toBe('License code does not exist');
	});
});

// ---------------------------------------------------------------- SaaS V1.0 (docs/protocol/koogallery-openapi-v1.md §C.5)

const V1 = {
	// TV4's original request.
	newInstance:
		'activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903&authToken=Gzbfjf9LHRBcI3bFVi%2B%2BsLinCNOBF6qa7is1fvjEgYQ%3D',
	// The documented example URLs.
	refreshInstance:
		'activity=refreshInstance&expireTime=20180725000000&instanceId=03pf80c2bae96vc49b80b917bea776d7&orderId=HWS001014ED483AA1E8&timeStamp=20170725025113409&testFlag=1&authToken=09lsS5y%2BKCtxBu%2BON4TXv1SrjH5KVYka9sx2MauHrQU%3D',
	expireInstance:
		'activity=expireInstance&instanceId=03pf80c2bae96vc49b80b917bea776d7&orderId=HWS001014ED483AA1E8&timeStamp=20170725025113409&testFlag=1&authToken=09lsS5y%2BKCtxBu%2BON4TXv1SrjH5KVYka9sx2MauHrQU%3D',
	releaseInstance:
		'activity=releaseInstance&instanceId=03pf80c2bae96vc49b80b917bea776d7&timeStamp=20170725025113409&testFlag=1&authToken=09lsS5y%2BKCtxBu%2BON4TXv1SrjH5KVYka9sx2MauHrQU%3D',
	instanceStatus:
		'activity=instanceStatus&instanceId=huaweitest123456&instanceStatus=FREEZE&testFlag=1&timeStamp=20230327070251713&authToken=pqlrW7%2BPHC%2F1JE%2BMEjKxC94GGJreoS6PZHd982auw2o%3D',
	queryInstance:
		'activity=queryInstance&instanceId=ebc28eb6-0f5c-4d35-a9a6-6b9f3c1d2e01%2Cfe28e27e-5b1a-4c7d-8e9f-0a1b2c3d4e5f%2C92df74e4-1234-4abc-9def-0123456789ab&testFlag=1&timeStamp=20230327065233980&authToken=E0aBcD%2B%2F%3D',
};

describe('SaaS V1.0 schemas', () => {
	it('accepts one documented request per activity, decoded, keeping every field', () => {
		for (const [activity, query] of Object.entries(V1)) {
			const read = readV1Params(query);
			if (!read.ok) throw new Error(read.message);
			expect(parseSaasV1Request(query)).toEqual({
				ok: true,
				activity,
				data: { ...read.params },
				unknownValues: [],
			});
			expect(parseSaasV1Request({ ...read.params })).toMatchObject({ ok: true, activity });
		}
		const tv4 = parseSaasV1Request(V1.newInstance);
		expect(tv4.ok && (tv4.data as Record<string, unknown>).authToken).toBe(
			'Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=',
		);
		expect(SAAS_V1_SCENARIOS.map((s) => s.activity)).toEqual(Object.keys(saasV1RequestSchemas));
		expect(Object.keys(V1)).toEqual(Object.keys(saasV1RequestSchemas));
	});

	it('refuses with 000002, naming the field, only what a call cannot be acted on without', () => {
		const cases: Array<[string, string, RegExp]> = [
			[V1.instanceStatus.replace('&instanceStatus=FREEZE', ''), 'instanceStatus', /required/],
			[V1.refreshInstance.replace(/&instanceId=[^&]*/, ''), 'instanceId', /required but missing/],
			[
				V1.refreshInstance.replace('expireTime=20180725000000', 'expireTime=never'),
				'expireTime',
				/yyyyMMddHHmmss/,
			],
			[V1.newInstance.replace(/&orderId=[^&]*/, ''), 'orderId', /required/],
			[
				V1.newInstance.replace(/customerId=[^&]*/, 'customerId='),
				'customerId',
				/must not be empty/,
			],
			[
				V1.queryInstance.replace(/instanceId=[^&]*/, 'instanceId=%2C%2C'),
				'instanceId',
				/at least one/,
			],
			[V1.releaseInstance.replace('activity=releaseInstance&', ''), 'activity', /required/],
			[`${V1.releaseInstance}&x=%zz`, 'x', /URL-encoded/],
		];
		for (const [query, field, message] of cases)
			expectFailure(parseSaasV1Request(query), field, message);
	});

	it('refuses empty or odd input with 000002, never throwing', () => {
		for (const input of [
			undefined,
			'',
			'&&&',
			{ activity: ['newInstance', 'x'] },
			{ activity: { a: 1 } },
		]) {
			expect(parseSaasV1Request(input)).toMatchObject({ ok: false, resultCode: '000002' });
		}
	});
});
