import {
	isTestCall,
	parseSaasV2Request,
	SAAS_V2_SCENARIOS,
	splitInstanceIds,
} from '../../core/schemas/saas-v2';
import { parseKooGalleryTime } from '../../core/schemas/common';
import { RESULT_CODES, resultBody, verificationResultCode } from '../../core/result-codes';

// Bodies of docs/protocol/koogallery-saas-v2.md, test vectors T1.
const T1 = {
	newInstance:
		'{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}',
	queryInstance:
		'{"activity":"queryInstance","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","testFlag":"0"}',
	refreshInstance:
		'{"activity":"refreshInstance","expireTime":"20221124023618256","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","productId":"OFFI461867333479178240","scene":"RENEWAL","testFlag":"1"}',
	updateInstanceStatus:
		'{"activity":"updateInstanceStatus","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","status":"FREEZE","testFlag":"1"}',
	releaseInstance:
		'{"activity":"releaseInstance","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}',
	upgradeInstance:
		'{"activity":"upgradeInstance","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"0"}',
	changeInstanceCheck:
		'{"activity":"changeInstanceCheck","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","productInfo":{"productId":"OFFI1","skuCode":"s1"}}',
};

describe('SaaS V2.0 schemas', () => {
	it('accepts every documented example and keeps every field', () => {
		for (const [activity, body] of Object.entries(T1)) {
			const result = parseSaasV2Request(body);
			expect(result).toEqual({ ok: true, activity, data: JSON.parse(body), unknownValues: [] });
		}
		expect(SAAS_V2_SCENARIOS.map((s) => s.activity)).toEqual(Object.keys(T1));
	});

	it('keeps unknown extra fields (KooGallery may add some)', () => {
		const body = JSON.stringify({ ...JSON.parse(T1.newInstance), newField: 'x' });
		expect(parseSaasV2Request(body)).toMatchObject({ ok: true, data: { newField: 'x' } });
	});

	it('refuses with 000002, naming the field, only what a scenario cannot be acted on without', () => {
		const purchase = JSON.parse(T1.newInstance);
		const base = JSON.parse(T1.refreshInstance);
		const cases: Array<[Record<string, unknown>, string, RegExp]> = [
			[{ ...purchase, orderId: undefined }, 'orderId', /required but missing/],
			[{ ...purchase, orderId: null }, 'orderId', /required but missing/],
			[{ ...purchase, orderId: ' ' }, 'orderId', /must not be empty/],
			[{ ...purchase, orderId: { id: 1 } }, 'orderId', /must be text or a number/],
			[{ ...base, instanceId: undefined }, 'instanceId', /required but missing/],
			[{ ...base, expireTime: undefined }, 'expireTime', /required but missing/],
			[{ ...base, expireTime: 'soon' }, 'expireTime', /yyyyMMddHHmmss/],
			[{ ...base, expireTime: '20221324023618' }, 'expireTime', /yyyyMMddHHmmss/],
			[
				{ ...JSON.parse(T1.updateInstanceStatus), status: undefined },
				'status',
				/required but missing \(FREEZE, UNFREEZE\)/,
			],
			[
				{ ...JSON.parse(T1.updateInstanceStatus), status: ['FREEZE'] },
				'status',
				/must be one of FREEZE, UNFREEZE/,
			],
			[{ ...JSON.parse(T1.upgradeInstance), orderId: undefined }, 'orderId', /required/],
			[{ ...base, activity: undefined }, 'activity', /required/],
		];
		for (const [body, field, message] of cases) {
			const result = parseSaasV2Request(JSON.stringify(body));
			expect(result).toMatchObject({ ok: false, resultCode: '000002', field });
			expect(!result.ok && result.message).toMatch(message);
		}
	});

	it('refuses bodies that are not JSON objects with 000002, never throwing', () => {
		for (const body of ['', '   ', 'not json', '[]', '"s"', '1', 'null', Buffer.from('{')]) {
			expect(parseSaasV2Request(body)).toMatchObject({ ok: false, resultCode: '000002' });
		}
	});

	it('splits queryInstance IDs, any number of them, but at least one', () => {
		expect(splitInstanceIds(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
		const ids = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`).join(',');
		expect(
			parseSaasV2Request(JSON.stringify({ activity: 'queryInstance', instanceId: ids(100) })),
		).toMatchObject({ ok: true });
		expect(
			parseSaasV2Request(JSON.stringify({ activity: 'queryInstance', instanceId: ids(101) })),
		).toMatchObject({ ok: true });
		expect(
			parseSaasV2Request(JSON.stringify({ activity: 'queryInstance', instanceId: ' , ' })),
		).toMatchObject({ ok: false, field: 'instanceId' });
	});

	it('reads testFlag "1" as a test call and anything else as real', () => {
		expect(isTestCall({ testFlag: '1' })).toBe(true);
		for (const flag of ['0', undefined, 1, 'true'])
			expect(isTestCall({ testFlag: flag })).toBe(false);
	});

	it('parses KooGallery times with and without milliseconds, as UTC', () => {
		expect(parseKooGalleryTime('20221124023618256')).toBe('2022-11-24T02:36:18.256Z');
		expect(parseKooGalleryTime('20221124023618')).toBe('2022-11-24T02:36:18.000Z');
		for (const bad of ['2022112402361', '20220230000000', '20221124246000', 'abcdefghijklmn']) {
			expect(parseKooGalleryTime(bad)).toBeUndefined();
		}
	});
});

describe('result codes', () => {
	it('has the documented codes with English messages', () => {
		expect(Object.keys(RESULT_CODES)).toEqual([
			'000000',
			'000001',
			'000002',
			'000003',
			'000004',
			'000005',
			'000100',
			'000101',
			'000102',
			'000103',
			'000104',
			'000105',
			'000106',
			'000107',
		]);
		expect(resultBody('000003')).toEqual({
			resultCode: '000003',
			resultMsg: 'Instance ID does not exist',
		});
		expect(resultBody('000000', 'x'.repeat(300)).resultMsg).toHaveLength(255);
	});

	it('maps verification failures to 000001 or 000002', () => {
		expect(verificationResultCode('badSignature')).toBe('000001');
		expect(verificationResultCode('staleTimestamp')).toBe('000002');
		expect(verificationResultCode('replayedNonce')).toBe('000001');
		expect(verificationResultCode('noKey')).toBe('000001');
		expect(verificationResultCode('missingParameter')).toBe('000002');
		expect(verificationResultCode('duplicateParameter')).toBe('000002');
		expect(verificationResultCode('malformedParameter')).toBe('000002');
		expect(verificationResultCode('missingParameter', 'timestamp')).toBe('000002');
		expect(verificationResultCode('missingParameter', 'signature')).toBe('000001');
		expect(verificationResultCode('duplicateParameter', 'x-sign')).toBe('000001');
		expect(verificationResultCode('malformedParameter', 'authToken')).toBe('000001');
	});
});
