/**
 * Tolerant reading past the signature (spec decision 16, issue 16): one test per relaxation, each
 * naming the Huawei page or Java sample that shows KooGallery may send that shape. The readers are
 * in core/schemas/common.ts, shared by every protocol.
 */
import { parseJsonObject, type ParseResult } from '../../core/schemas/common';
import { isKitTestCall, parseKitRequest } from '../../core/schemas/kit';
import { parseLicenseRequest } from '../../core/schemas/license';
import { parseSaasV1Request } from '../../core/schemas/saas-v1';
import { isTestCall, parseSaasV2Request } from '../../core/schemas/saas-v2';

/** The data of a successful read (fails the test with the message otherwise). */
function dataOf(
	result: ParseResult<unknown>,
): Record<string, unknown> & { unknownValues: string[]; testFlag?: unknown } {
	if (!result.ok) throw new Error(result.message);
	return { ...(result.data as Record<string, unknown>), unknownValues: result.unknownValues };
}
const v2 = (body: Record<string, unknown> | string) =>
	dataOf(parseSaasV2Request(typeof body === 'string' ? body : JSON.stringify(body)));
const kit = (name: string, body: Record<string, unknown>) =>
	dataOf(parseKitRequest(name, JSON.stringify(body)));
const v1 = (params: Record<string, string>) =>
	dataOf(parseSaasV1Request({ authToken: 'x', timeStamp: '20230327070251713', ...params }));

const NEW = {
	activity: 'newInstance',
	businessId: 'b-1',
	orderId: 'CS2211181819B4LVS',
	orderLineId: 'CS2211181819B4LVS-000001',
};
const REFRESH = {
	activity: 'refreshInstance',
	expireTime: '20221124023618256',
	instanceId: 'i-1',
	orderId: 'CS1',
	orderLineId: 'CS1-000001',
	scene: 'RENEWAL',
	testFlag: '1',
};
const TENANT = {
	instanceId: 'ins-1',
	orderId: 'CS1',
	tenantId: 't-1',
	tenantCode: 'acme',
	name: 'ACME',
	domainName: 'https://acme.example.com',
	flag: 1,
	testFlag: 0,
	timeStamp: '20220413093539534',
};
const USER = {
	userName: 'zhangsan01',
	name: '张三',
	orgCode: '123',
	role: 'admin',
	enable: 'true',
};
const AUTH = {
	instanceId: 'ins-1',
	tenantId: 't-1',
	appId: 'app-1',
	userList: [USER],
	currentSyncTime: '20220420114117642',
	flag: 1,
	testFlag: 0,
};

describe('scalars: a number or numeric text, handed over in one documented type', () => {
	// testFlag is "String" on the V2.0 pages (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649251.html),
	// "Integer 1" on the V1.0 renewal page (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649180.html),
	// and the Java sample compares it with DEBUG_TEST = "1" (IsvProduceConstant).
	it('SaaS V2.0 / V1.0 / License testFlag: 1, "1", true → "1"; 0, "0", false → "0"; null or absent → absent', () => {
		for (const [flag, expected] of [
			[1, '1'],
			['1', '1'],
			[true, '1'],
			['true', '1'],
			[0, '0'],
			['0', '0'],
			[false, '0'],
			[null, undefined],
			[undefined, undefined],
		] as const) {
			const data = v2({ ...NEW, testFlag: flag });
			expect([flag, data.testFlag, isTestCall(data)]).toEqual([flag, expected, expected === '1']);
		}
		expect(v1({ activity: 'expireInstance', instanceId: 'i', testFlag: 'true' }).testFlag).toBe(
			'1',
		);
		expect(
			dataOf(
				parseLicenseRequest(
					JSON.stringify({ activity: 'releaseLicenseCode', license: 'L', testFlag: 1 }),
				),
			).testFlag,
		).toBe('1');
	});

	// Kit testFlag and flag are Integer(2) in the tenantSync table (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649433.html).
	it('kit testFlag and flag: numbers, numeric text or booleans → numbers', () => {
		const data = kit('tenantSync', { ...TENANT, testFlag: '1', flag: '2' });
		expect([data.testFlag, data.flag, isKitTestCall(data)]).toEqual([1, 2, true]);
		expect(kit('tenantSync', { ...TENANT, testFlag: true, flag: true })).toMatchObject({
			testFlag: 1,
			flag: 1,
		});
	});

	// The V2.0 Java sample reads the body into Map<String, String> (IsvProduceController,
	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000001945216782.html): an ID sent as a number is text to it.
	it('IDs sent as numbers become their text, every digit kept even beyond 15 digits', () => {
		expect(
			v2(
				'{"activity":"newInstance","orderId":12345678901234567890,"orderLineId":42,"businessId":7}',
			),
		).toMatchObject({
			orderId: '12345678901234567890',
			orderLineId: '42',
			businessId: '7',
		});
		expect(kit('tenantSync', { ...TENANT, tenantId: 998877, tenantCode: 5 })).toMatchObject({
			tenantId: '998877',
			tenantCode: '5',
		});
	});

	// authSync v2 table (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649435.html): employeeType
	// Integer, enable String "true"/"false"; the V1.0 page (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649111.html) types them differently.
	it('user employeeType → number, enable → "true"/"false", whichever way they are sent', () => {
		const users = kit('authSync', {
			...AUTH,
			userList: [
				{ ...USER, employeeType: '2', enable: true },
				{ ...USER, employeeType: 3, enable: 0 },
				{ ...USER, enable: 'false' },
			],
		}).userList;
		expect(users).toMatchObject([
			{ employeeType: 2, enable: 'true' },
			{ employeeType: 3, enable: 'false' },
			{ enable: 'false' },
		]);
	});

	// orderAmount is "bigdecimal 20", periodNumber "integer 2" on the V1.0 renewal page
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649180.html); the sample does not check either.
	it('amounts stay text exactly as sent (99.9900, 5.0, negative); periodNumber of any size is a number', () => {
		const data = v1({
			activity: 'refreshInstance',
			instanceId: 'i',
			expireTime: '20991231235959',
			orderAmount: '99.9900',
			periodNumber: '240',
		});
		expect([data.orderAmount, data.periodNumber]).toEqual(['99.9900', 240]);
		expect(
			v1({ activity: 'releaseInstance', instanceId: 'i', orderAmount: '-5.0' }).orderAmount,
		).toBe('-5.0');
		const json = parseJsonObject('{"a":5.0,"b":99.9900,"c":1.5,"d":"5.0","e":[1e3]}');
		expect(json).toEqual({
			ok: true,
			value: { a: '5.0', b: '99.9900', c: 1.5, d: '5.0', e: ['1e3'] },
		});
	});

	// refreshInstance example (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649429.html): expireTime has
	// milliseconds there and none on the V1.0 page; a 17-digit number is beyond JavaScript's exact integers.
	it('times: with or without milliseconds, as a 17-digit number, or ISO 8601 (noted); handed over as text', () => {
		expect(
			v2('{"activity":"refreshInstance","instanceId":"i","expireTime":20221124023618256}'),
		).toMatchObject({ expireTime: '20221124023618256', unknownValues: [] });
		expect(v2({ ...REFRESH, expireTime: '20221124023618' }).expireTime).toBe('20221124023618');
		expect(v2({ ...REFRESH, expireTime: '2022-11-24T02:36:18Z' })).toMatchObject({
			expireTime: '2022-11-24T02:36:18Z',
			unknownValues: ['expireTime'],
		});
	});
});

describe('null is the same as absent', () => {
	// Huawei's canonical body drops null values before signing (V2.0 HTTP Body签名,
	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649476.html), so bodies can carry them.
	it('drops nulls at every depth, for optional fields, unknown fields and list entries', () => {
		const data = v2({
			...REFRESH,
			orderLineId: null,
			productId: null,
			extra: { a: null, b: [null, 1] },
		});
		expect(data).not.toHaveProperty('orderLineId');
		expect(data).not.toHaveProperty('productId');
		expect(data.extra).toEqual({ b: [1] });
		expect(
			kit('authSync', { ...AUTH, userList: [null, { ...USER, position: null }] }).userList,
		).toEqual([USER]);
	});
});

describe('unknown values of enumerations pass through, listed in unknownValues', () => {
	// RENEWAL_CHANGE is only on the newer Chinese refreshInstance page (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649429.html),
	// not on the EU one (https://support.huaweicloud.com/eu/accessg-marketplace/en-us_topic_000011.html): values are added over time.
	it('scene, status, periodType, instanceStatus, role, flag and employeeType', () => {
		expect(v2({ ...REFRESH, scene: 'RENEWAL_UPGRADE' })).toMatchObject({
			scene: 'RENEWAL_UPGRADE',
			unknownValues: ['scene'],
		});
		expect(
			v2({ activity: 'updateInstanceStatus', instanceId: 'i', status: 'SUSPEND' }),
		).toMatchObject({ status: 'SUSPEND', unknownValues: ['status'] });
		expect(
			v1({ activity: 'instanceStatus', instanceId: 'i', instanceStatus: 'SUSPENDED' })
				.unknownValues,
		).toEqual(['instanceStatus']);
		expect(
			v1({
				activity: 'refreshInstance',
				instanceId: 'i',
				expireTime: '20991231235959',
				periodType: 'week',
			}),
		).toMatchObject({ periodType: 'week', unknownValues: ['periodType'] });
		expect(
			kit('authSync', {
				...AUTH,
				flag: 4,
				userList: [{ ...USER, role: 'owner', employeeType: 9 }],
			}),
		).toMatchObject({
			flag: 4,
			userList: [{ role: 'owner', employeeType: 9 }],
			unknownValues: ['userList.0.employeeType', 'userList.0.role', 'flag'],
		});
		// License code renewals list two scenes (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649167.html).
		expect(
			dataOf(
				parseLicenseRequest(
					JSON.stringify({
						activity: 'refreshLicenseCode',
						license: 'L',
						expireTime: '20991231235959',
						scene: 'TRIAL_TO_FORMAL',
					}),
				),
			).unknownValues,
		).toEqual(['scene']);
	});

	it('known values spelled in another case or with blanks are handed over in the documented spelling', () => {
		expect(
			v2({ activity: 'updateInstanceStatus', instanceId: 'i', status: ' freeze ' }),
		).toMatchObject({ status: 'FREEZE', unknownValues: [] });
		expect(
			kit('authSync', { ...AUTH, userList: [{ ...USER, role: 'ADMIN' }] }).userList,
		).toMatchObject([{ role: 'admin' }]);
	});

	// orderNotify is a separate interface that may reach the same address (koogallery-saas-v2.md §4.8,
	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000002055600456.html).
	it('a new activity of a known protocol is read as sent, with activity noted, never refused', () => {
		for (const result of [
			parseSaasV2Request(
				JSON.stringify({
					activity: 'orderNotify',
					orderId: 'CS1',
					orderLineId: 'CS1-1',
					testFlag: '1',
					x: null,
				}),
			),
			parseSaasV1Request({
				activity: 'upgradeInstance',
				instanceId: 'i',
				authToken: 'x',
				timeStamp: '20230327070251713',
			}),
			parseLicenseRequest(JSON.stringify({ activity: 'suspendLicenseCode', license: 'L' })),
		]) {
			expect(result).toMatchObject({ ok: true, unknownValues: ['activity'] });
		}
		expect(
			dataOf(
				parseSaasV2Request(JSON.stringify({ activity: 'orderNotify', orderId: 'CS1', x: null })),
			),
		).toEqual({ activity: 'orderNotify', orderId: 'CS1', unknownValues: ['activity'] });
	});

	it('an activity or kit scenario named like an Object property (toString, constructor) is not a known one', () => {
		for (const activity of ['toString', 'constructor', 'hasOwnProperty']) {
			expect(dataOf(parseSaasV2Request(JSON.stringify({ activity, orderId: 'CS1' })))).toEqual({
				activity,
				orderId: 'CS1',
				unknownValues: ['activity'],
			});
			expect(parseLicenseRequest(JSON.stringify({ activity }))).toMatchObject({
				ok: true,
				unknownValues: ['activity'],
			});
			expect(parseKitRequest(activity, '{}')).toMatchObject({ ok: false, resultCode: '000002' });
		}
	});
});

describe('unknown fields are kept, nested ones too', () => {
	// Huawei adds fields over time: the V1.0 newInstance table lists saasExtendParams, chargingMode … without types
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html).
	it('at the top, inside users, inside departments and inside productInfo', () => {
		expect(
			v2({ ...NEW, saasExtendParams: [{ name: 'ip', value: '1' }], chargingMode: 'PERIOD' }),
		).toMatchObject({ saasExtendParams: [{ name: 'ip', value: '1' }], chargingMode: 'PERIOD' });
		expect(
			kit('authSync', { ...AUTH, userList: [{ ...USER, entryDate: '20220101', extra: { a: 1 } }] })
				.userList,
		).toMatchObject([{ entryDate: '20220101', extra: { a: 1 } }]);
		expect(
			kit('allOrgSync', { ...TENANT, orgInfoList: [{ orgCode: '1', orgName: 'x', level: 3 }] })
				.orgInfoList,
		).toEqual([{ orgCode: '1', orgName: 'x', level: 3 }]);
		expect(
			v2({
				activity: 'changeInstanceCheck',
				instanceId: 'i',
				productInfo: { productId: 'p', newField: { a: 1 } },
			}).productInfo,
		).toEqual({ productId: 'p', newField: { a: 1 } });
	});
});

describe('fields optional in some flows are optional', () => {
	// §0.4 of the kit guide (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649433.html): instanceId and
	// orderId are empty while the seller applies for the application credential.
	it('kit instanceId / orderId empty, null or absent', () => {
		const { instanceId: _i, orderId: _o, ...rest } = TENANT;
		expect(kit('tenantSync', rest)).toMatchObject({ tenantId: 't-1' });
		expect(
			kit('applicationSync', {
				tenantId: 't',
				appId: 'a',
				clientId: 'c',
				clientSecret: 's',
				flag: 1,
				instanceId: '',
			}).instanceId,
		).toBe('');
	});

	// orderLineId is "O" on the release page and absent from some flows (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649431.html);
	// the upgrade example (https://support.huaweicloud.com/intl/en-us/accessg-marketplace/topic_0070649097.html) acts on orderId.
	it('SaaS V2.0 orderLineId on refresh and upgrade; businessId and orderLineId on a new purchase', () => {
		const { orderLineId: _l, ...refresh } = REFRESH;
		expect(v2(refresh)).toMatchObject({ instanceId: 'i-1' });
		expect(v2({ activity: 'upgradeInstance', instanceId: 'i', orderId: 'CS1' })).toMatchObject({
			orderId: 'CS1',
		});
		expect(v2({ activity: 'newInstance', orderId: 'CS1' })).toMatchObject({ orderId: 'CS1' });
	});

	// The V1.0 expiry page's example URL (https://support.huaweicloud.com/intl/en-us/accessg-marketplace/en-us_topic_0070649055.html)
	// concerns the instance; the release example has no orderId either.
	it('V1.0 orderId on expireInstance and releaseInstance', () => {
		expect(v1({ activity: 'expireInstance', instanceId: 'i' })).toMatchObject({ instanceId: 'i' });
		expect(v1({ activity: 'releaseInstance', instanceId: 'i' })).toMatchObject({ instanceId: 'i' });
	});

	// tenantSync and authSync deletes (flag 0) identify the record by its ID only
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649433.html, …0070649435.html).
	it('tenant domainName and user name / orgCode on deletes', () => {
		const { domainName: _d, ...tenant } = TENANT;
		expect(kit('tenantSync', { ...tenant, flag: 0 })).toMatchObject({ flag: 0 });
		expect(
			kit('authSync', { ...AUTH, flag: 0, userList: [{ userName: 'zhangsan01' }] }).userList,
		).toEqual([{ userName: 'zhangsan01' }]);
	});
});

describe('structured fields sent as JSON text, and lists where one object was expected', () => {
	// The ProductInfo fields are not published (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000002411753620.html).
	it('productInfo as an object, as JSON text, or as a list', () => {
		const info = { productId: 'OFFI1', skuCode: 's1' };
		expect(
			v2({ activity: 'changeInstanceCheck', instanceId: 'i', productInfo: JSON.stringify(info) })
				.productInfo,
		).toEqual(info);
		expect(
			v2({ activity: 'changeInstanceCheck', instanceId: 'i', productInfo: [info] }).productInfo,
		).toEqual([info]);
		expect(
			v2({ activity: 'changeInstanceCheck', instanceId: 'i', productInfo: 'not json' }),
		).toMatchObject({ productInfo: 'not json', unknownValues: ['productInfo'] });
	});

	// The V1.0 authSync page (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649111.html) sends userList as
	// a JSON string; the allOrgSync v2 example (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649437.html)
	// sends orgInfoList as text with bare keys.
	it('kit userList / orgInfoList as JSON text, bare-key text, or one object', () => {
		expect(kit('authSync', { ...AUTH, userList: JSON.stringify([USER]) }).userList).toEqual([USER]);
		expect(kit('authSync', { ...AUTH, userList: USER }).userList).toEqual([USER]);
		expect(
			kit('allOrgSync', { ...TENANT, orgInfoList: '[{orgCode:"1", orgName:"产品部"}]' })
				.orgInfoList,
		).toEqual([{ orgCode: '1', orgName: '产品部' }]);
		expect(kit('allOrgSync', { ...TENANT, orgInfoList: { orgCode: '1' } }).orgInfoList).toEqual([
			{ orgCode: '1' },
		]);
	});

	// The offline License guide's getLicense (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000001353181669.html) is a GET,
	// but a POST signed like V2.0 is just as genuine: the method decides only how the call is verified.
	it('a License call on the other method is read all the same', () => {
		expect(
			parseLicenseRequest(
				JSON.stringify({ activity: 'getLicense', customerId: 'c', orderId: 'o' }),
			),
		).toMatchObject({ ok: true, activity: 'getLicense' });
		expect(parseLicenseRequest({ activity: 'releaseLicenseCode', license: 'L' })).toMatchObject({
			ok: true,
			activity: 'releaseLicenseCode',
		});
	});
});

describe('no length refusals (only the overall body-size bound stays)', () => {
	// The tables give lengths (orderId 64: https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649251.html;
	// customerId 100: https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html; deviceFingerprint 1024:
	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649255.html); the Java sample checks none of them.
	it('long IDs, names, fingerprints and more than 100 queried instances', () => {
		expect(v2({ ...NEW, orderId: 'O'.repeat(500) }).orderId).toHaveLength(500);
		expect(
			v1({ activity: 'newInstance', customerId: 'c'.repeat(300), orderId: 'o' }).customerId,
		).toHaveLength(300);
		expect(kit('tenantSync', { ...TENANT, name: '名'.repeat(1000) }).name).toHaveLength(1000);
		expect(
			dataOf(
				parseLicenseRequest(
					JSON.stringify({
						activity: 'getLicenseAsync',
						instanceId: 'i',
						eventId: 'e',
						deviceFingerprint: 'f'.repeat(5000),
					}),
				),
			).deviceFingerprint,
		).toHaveLength(5000);
		const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`).join(',');
		expect(v2({ activity: 'queryInstance', instanceId: ids }).instanceId).toBe(ids);
	});
});
