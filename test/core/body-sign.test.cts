import {
	bodySignHeader,
	parseBodySign,
	signedJsonResponse,
	toKooGalleryJson,
	verifyBodySign,
} from '../../core/body-sign';

// docs/protocol/koogallery-saas-v2.md, vector T2.
const KEY = '0123456789abcdef-TEST-KEY-not-real';
const BODY =
	'{"resultCode":"000000","resultMsg":"success","instanceId":"87b94795-0603-4e24-8ae5-69420d60e3c8"}';
const HEADER = 'sign_type="HMAC-SHA256", signature= "yHaSmgvtePiU2kTJ1G3Vt+fP6pqa55l+I5lu4kWkK00="';

describe('Body-Sign', () => {
	it('reproduces vector T2 with the exact documented header text', () => {
		expect(bodySignHeader(KEY, BODY)).toBe(HEADER);
		expect(bodySignHeader(KEY, Buffer.from(BODY))).toBe(HEADER);
	});

	it('serialises once and signs exactly the bytes it returns', () => {
		const response = signedJsonResponse(KEY, {
			resultCode: '000000',
			resultMsg: 'success',
			instanceId: '87b94795-0603-4e24-8ae5-69420d60e3c8',
		});
		expect(response.body).toBe(BODY);
		expect(response.headers).toEqual({
			'content-type': 'application/json;charset=UTF-8',
			'body-sign': HEADER,
		});
	});

	it('writes non-ASCII as \\u escapes, keeping the JSON value identical', () => {
		const value = { memo: '创建实例成功 ✓ 😀', n: 1 };
		const text = toKooGalleryJson(value);
		expect(text).toBe(
			'{"memo":"\\u521b\\u5efa\\u5b9e\\u4f8b\\u6210\\u529f \\u2713 \\ud83d\\ude00","n":1}',
		);
		expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
		expect(JSON.parse(text)).toEqual(value);
	});

	it('verifies over the bytes received and rejects any change', () => {
		expect(verifyBodySign(KEY, BODY, HEADER)).toBe(true);
		expect(verifyBodySign(KEY, BODY, HEADER.replace('= "', '="'))).toBe(true);
		expect(verifyBodySign(KEY, BODY + ' ', HEADER)).toBe(false);
		expect(verifyBodySign('other', BODY, HEADER)).toBe(false);
		expect(verifyBodySign(KEY, BODY, HEADER.replace('HMAC-SHA256', 'HMAC-SHA1'))).toBe(false);
		for (const bad of [undefined, '', 'garbage', 42, 'sign_type="HMAC-SHA256"']) {
			expect(verifyBodySign(KEY, BODY, bad)).toBe(false);
		}
		expect(parseBodySign(HEADER)).toEqual({
			signType: 'HMAC-SHA256',
			signature: 'yHaSmgvtePiU2kTJ1G3Vt+fP6pqa55l+I5lu4kWkK00=',
		});
	});
});
