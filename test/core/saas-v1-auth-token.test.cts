import {
	authTokenStringToSign,
	computeAuthToken,
	DEFAULT_V1_TOLERANCE_MS,
	isBlank,
	parseQueryString,
	readV1JsonBody,
	readV1Params,
	verifySaasV1Request,
	withoutBlankParams,
	type SaasV1VerifyInput,
} from '../../core/saas-v1-auth-token';
import { MemoryNonceStore } from '../../core/verification';

// docs/protocol/koogallery-openapi-v1.md TV4 (a value published in Huawei's public sample).
const TV4 = {
	key: 'xxxxxxx',
	url: '?activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903&authToken=Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=',
	stringToSign:
		'activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903',
	token: 'Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=',
	nowMs: Date.UTC(2020, 6, 27, 7, 37, 11, 903),
};
// docs/protocol/koogallery-joint-license.md test vector B.5 (offline getLicense).
const B5 = {
	key: 'TEST-ACCESS-KEY-0001',
	params: {
		activity: 'getLicense',
		businessId: 'b1a2c3d4-0000-1111-2222-333344445555',
		customerId: '68805539',
		orderId: 'CS2211181819B4LVS',
		productId: 'OFFI000000000000000001',
		testFlag: '1',
		timeStamp: '20230523120000123',
	},
	stringToSign:
		'activity=getLicense&businessId=b1a2c3d4-0000-1111-2222-333344445555&customerId=68805539&orderId=CS2211181819B4LVS&productId=OFFI000000000000000001&testFlag=1&timeStamp=20230523120000123',
	token: '3YhAK7Bc9sJJsj4Ws/hHnktDUhY3zuVGZcbFdEANvIk=',
	nowMs: Date.UTC(2023, 4, 23, 12, 0, 0, 123),
};

const tv4Params = (): Record<string, string> => {
	const parsed = readV1Params(TV4.url);
	if (!parsed.ok) throw new Error('TV4 did not parse');
	return { ...parsed.params };
};
const verifyTv4 = (overrides: Partial<SaasV1VerifyInput>) =>
	verifySaasV1Request({ params: TV4.url, keys: [TV4.key], nowMs: TV4.nowMs, ...overrides });

/** Encodes parameters as KooGallery does: every value percent-encoded, `+` as `%2B`. */
const encode = (params: Record<string, string>) =>
	Object.entries(params)
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
		.join('&');

describe('V1.0 authToken: published vectors', () => {
	it('reproduces TV4 and B.5 byte for byte', () => {
		const params = tv4Params();
		expect(authTokenStringToSign(params)).toBe(TV4.stringToSign);
		expect(computeAuthToken(TV4.key, params)).toBe(TV4.token);
		expect(authTokenStringToSign(B5.params)).toBe(B5.stringToSign);
		expect(computeAuthToken(B5.key, B5.params)).toBe(B5.token);
	});

	it('verifies TV4 from the raw query (literal +), from a parsed record (+ read as space) and with %2B', () => {
		expect(verifyTv4({})).toMatchObject({
			ok: true,
			keyIndex: 0,
			key: TV4.key,
			form: 'decoded',
			timestampMs: TV4.nowMs,
			skewMs: 0,
		});
		const record = { ...tv4Params(), authToken: TV4.token.replace(/\+/g, ' ') };
		expect(verifyTv4({ params: record })).toMatchObject({ ok: true });
		expect(verifyTv4({ params: TV4.url.replace(/\+/g, '%2B').replace(/=$/, '%3D') })).toMatchObject(
			{ ok: true },
		);
		expect(
			verifySaasV1Request({
				params: { ...B5.params, authToken: B5.token },
				keys: [B5.key],
				nowMs: B5.nowMs,
			}),
		).toMatchObject({ ok: true });
	});

	it('decodes the documented instanceStatus URL the way Huawei encodes it', () => {
		const url =
			'activity=instanceStatus&instanceId=huaweitest123456&instanceStatus=FREEZE&testFlag=1&timeStamp=20230327070251713&authToken=pqlrW7%2BPHC%2F1JE%2BMEjKxC94GGJreoS6PZHd982auw2o%3D';
		const parsed = parseQueryString(url);
		expect(parsed).toMatchObject({
			ok: true,
			params: {
				authToken: 'pqlrW7+PHC/1JE+MEjKxC94GGJreoS6PZHd982auw2o=',
				instanceStatus: 'FREEZE',
			},
		});
	});
});

describe('V1.0 authToken: URL decoding', () => {
	it('reads + as a space, %XX as UTF-8, bare names as empty, and keeps repeats', () => {
		const parsed = parseQueryString('?a=x+y&b=%E5%BC%A0%E4%B8%89&c&d=1%2B1%3D2&a=z&&e=');
		expect(parsed.ok && { ...parsed.params }).toEqual({
			a: ['x y', 'z'],
			b: '张三',
			c: '',
			d: '1+1=2',
			e: '',
		});
		const proto = parseQueryString('__proto__=x&constructor=y');
		expect(proto.ok && Object.keys(proto.params)).toEqual(['__proto__', 'constructor']);
		expect(proto.ok && proto.params.__proto__).toBe('x');
	});

	it('refuses broken escapes without throwing', () => {
		for (const raw of ['a=%zz', 'a=%E5%BC', 'a%=1', 'a=%']) {
			expect(parseQueryString(raw)).toMatchObject({ ok: false, reason: 'malformedParameter' });
		}
	});

	it('signs decoded values: a round trip with spaces, +, &, = and Chinese in values', () => {
		const params = {
			activity: 'newInstance',
			customerName: '张三 & Co=1+1',
			orderId: 'CS1',
			timeStamp: '20240101000000000',
			Zeta: 'upper case sorts first',
		};
		const token = computeAuthToken('seller-key-1', params);
		expect(authTokenStringToSign(params).startsWith('Zeta=')).toBe(true);
		const nowMs = Date.UTC(2024, 0, 1);
		const query = `${encode(params)}&authToken=${encodeURIComponent(token)}`;
		expect(verifySaasV1Request({ params: query, keys: ['seller-key-1'], nowMs })).toMatchObject({
			ok: true,
		});
		expect(
			verifySaasV1Request({
				params: { ...params, authToken: token },
				keys: ['seller-key-1'],
				nowMs,
			}),
		).toMatchObject({ ok: true });
	});
});

describe('V1.0 authToken: tampering, keys, window, replay', () => {
	it('refuses any changed parameter, an added parameter, a changed timeStamp or token character', () => {
		const base = { ...tv4Params(), authToken: TV4.token };
		const flipped = `${TV4.token[0] === 'G' ? 'H' : 'G'}${TV4.token.slice(1)}`;
		const cases: Array<Record<string, string>> = [
			{ ...base, orderId: 'CS1906666666ABCDF' },
			{ ...base, testFlag: '0' },
			{ ...base, testFlag: '' },
			{ ...base, extra: 'x' },
			{ ...base, timeStamp: '20200727073711904' },
			{ ...base, authToken: flipped },
			{ ...base, authToken: TV4.token.slice(0, -1) },
		];
		for (const params of cases) {
			expect(verifyTv4({ params })).toMatchObject({
				ok: false,
				reason: 'badSignature',
				parameter: 'authToken',
			});
		}
	});

	it('refuses another key and accepts the previous key with keyIndex 1', () => {
		expect(verifyTv4({ keys: ['yyyyyyy'] })).toMatchObject({ ok: false, reason: 'badSignature' });
		expect(verifyTv4({ keys: ['new-key', TV4.key] })).toMatchObject({
			ok: true,
			keyIndex: 1,
			key: TV4.key,
		});
		expect(verifyTv4({ keys: [] })).toMatchObject({ ok: false, reason: 'noKey' });
	});

	it('accepts timeStamps just inside the window and refuses them just outside, both ways', () => {
		for (const skew of [60_000, -60_000])
			expect(verifyTv4({ nowMs: TV4.nowMs + skew, toleranceMs: 60_000 })).toMatchObject({
				ok: true,
				skewMs: skew,
			});
		for (const skew of [60_001, -60_001]) {
			expect(verifyTv4({ nowMs: TV4.nowMs + skew, toleranceMs: 60_000 })).toMatchObject({
				ok: false,
				reason: 'staleTimestamp',
				parameter: 'timeStamp',
			});
		}
		expect(verifyTv4({ nowMs: TV4.nowMs + 300_000, toleranceMs: 300_000 })).toMatchObject({
			ok: true,
		});
	});

	it('refuses the same signed request twice (the token is the nonce)', () => {
		const nonceStore = new MemoryNonceStore();
		expect(verifyTv4({ nonceStore })).toMatchObject({ ok: true, nonce: TV4.token });
		expect(verifyTv4({ nonceStore })).toMatchObject({ ok: false, reason: 'replayedNonce' });
	});
});

describe('V1.0 authToken: bad input never throws', () => {
	const base = { ...tv4Params(), authToken: TV4.token };
	const without = (name: string) =>
		Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
	const cases: Array<[string, SaasV1VerifyInput['params'], string, string?]> = [
		['undefined params', undefined, 'missingParameter', 'authToken'],
		['empty string', '', 'missingParameter', 'authToken'],
		['empty record', {}, 'missingParameter', 'authToken'],
		['missing authToken', without('authToken'), 'missingParameter', 'authToken'],
		['missing timeStamp', without('timeStamp'), 'missingParameter', 'timeStamp'],
		[
			'empty authToken',
			`${TV4.url.replace(/authToken=.*$/, 'authToken=')}`,
			'missingParameter',
			'authToken',
		],
		[
			'orderId twice, the forged value first',
			`${TV4.url.replace('orderId=', 'orderId=other&orderId=')}`,
			'badSignature',
			'authToken',
		],
		[
			'orderId twice (record), the forged value first',
			{ ...base, orderId: ['a', 'CS1906666666ABCDE'] },
			'badSignature',
			'authToken',
		],
		['nested value', { ...base, orderId: { a: '1' } }, 'malformedParameter', 'orderId'],
		['number value', { ...base, testFlag: 1 }, 'malformedParameter', 'testFlag'],
		[
			'non-numeric timeStamp',
			{ ...base, timeStamp: 'yesterday' },
			'malformedParameter',
			'timeStamp',
		],
		[
			'impossible timeStamp',
			{ ...base, timeStamp: '20201327073711903' },
			'malformedParameter',
			'timeStamp',
		],
		[
			'epoch-ms timeStamp',
			{ ...base, timeStamp: String(TV4.nowMs) },
			'malformedParameter',
			'timeStamp',
		],
		['broken escape', `${TV4.url}&x=%G1`, 'malformedParameter', 'x'],
		['non-Base64 token', { ...base, authToken: '!!not-base64!!' }, 'badSignature', 'authToken'],
		['5 MB of parameters', `a=${'b'.repeat(5 * 1024 * 1024)}`, 'malformedParameter', undefined],
	];
	it.each(cases)('%s', (_name, params, reason, parameter) => {
		let result: ReturnType<typeof verifySaasV1Request> | undefined;
		expect(() => {
			result = verifyTv4({ params });
		}).not.toThrow();
		expect(result).toMatchObject(
			parameter ? { ok: false, reason, parameter } : { ok: false, reason },
		);
	});
});

/**
 * What Huawei's V1.0 pages and Java samples accept, which the pack must accept too (issue 16), and
 * the forgeries each relaxation must still refuse.
 */
describe("V1.0 authToken: as lenient as Huawei's samples, never forgeable", () => {
	const KEY = 'v1-post-key-0123456789';
	const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
	const stamp = '20260102030405678';
	const body = {
		activity: 'newInstance',
		businessId: 'b-1',
		customerId: 'c-1',
		orderId: 'CS1',
		productId: 'P1',
		testFlag: '1',
		timeStamp: stamp,
	};

	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html: "对于post请求,
	// 取所有的body请求参数", the token in the authToken header, HMAC_SHA256(Key+timeStamp, p1=1&p3=3&...).
	it('verifies a POST whose JSON body members are signed and whose token is the authToken header', () => {
		const token = computeAuthToken(KEY, body);
		const read = readV1JsonBody(JSON.stringify(body));
		expect(read).toEqual({ ok: true, params: body });
		if (!read.ok) return;
		expect(
			verifySaasV1Request({
				params: { ...read.params, authToken: token },
				keys: [KEY],
				nowMs: NOW,
			}),
		).toMatchObject({ ok: true, form: 'decoded' });
		for (const forged of [
			{ ...body, orderId: 'CS2' },
			{ ...body, extra: 'x' },
			{ ...body, timeStamp: '20260102030405679' },
		]) {
			expect(
				verifySaasV1Request({ params: { ...forged, authToken: token }, keys: [KEY], nowMs: NOW }),
			).toMatchObject({ ok: false, reason: 'badSignature' });
		}
	});

	// The POST sample reads the body into a map of strings (BeanUtils.describe): numbers and booleans
	// become their text, null is left out (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649159.html).
	it("reads JSON numbers, booleans and nulls as the POST sample's map of strings holds them", () => {
		expect(
			readV1JsonBody(
				'{"testFlag":1,"orderAmount":99.9900,"trial":true,"userId":null,"x":{"a":"\\u001f"}}',
			),
		).toEqual({
			ok: true,
			params: { testFlag: '1', orderAmount: '99.9900', trial: 'true', x: '{"a":"\\u001F"}' },
		});
		for (const bad of ['', '[]', '"x"', '{', `${'['.repeat(5000)}${']'.repeat(5000)}`]) {
			expect(readV1JsonBody(bad)).toMatchObject({ ok: false, reason: 'malformedParameter' });
		}
		expect(readV1JsonBody(`{"a":"${'b'.repeat(1_100_000)}"}`)).toMatchObject({
			ok: false,
			reason: 'malformedParameter',
		});
	});

	// The POST sample skips blank values: "if (StringUtils.isBlank(value)) continue;"
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649159.html); the GET sample
	// signs every parameter (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649061.html).
	it('accepts a token computed with the blank parameters and one computed without them', () => {
		const withBlank = { ...body, customerName: '', userName: ' ' };
		expect(authTokenStringToSign(withBlank, true)).toBe(authTokenStringToSign(body));
		expect(isBlank(' \t\u3000')).toBe(true);
		expect(isBlank('\u00A0')).toBe(false); // Java's Character.isWhitespace excludes the no-break space
		const signedWith = computeAuthToken(KEY, withBlank);
		const signedWithout = computeAuthToken(KEY, withBlank, true);
		expect(signedWith).not.toBe(signedWithout);
		expect(
			verifySaasV1Request({
				params: { ...withBlank, authToken: signedWith },
				keys: [KEY],
				nowMs: NOW,
			}),
		).toMatchObject({ ok: true, form: 'decoded' });
		expect(
			verifySaasV1Request({
				params: { ...withBlank, authToken: signedWithout },
				keys: [KEY],
				nowMs: NOW,
			}),
		).toMatchObject({ ok: true, form: 'withoutBlank' });
		// Forgeries: a blank value given content, a value blanked, a token from another key.
		for (const params of [
			{ ...withBlank, customerName: 'x', authToken: signedWithout },
			{ ...withBlank, orderId: '', authToken: signedWithout },
			{ ...withBlank, authToken: computeAuthToken('another-key', withBlank, true) },
		]) {
			expect(verifySaasV1Request({ params, keys: [KEY], nowMs: NOW })).toMatchObject({
				ok: false,
				reason: 'badSignature',
			});
		}
		// Blank parameters added on the way verify (the token does not sign them) but never reach the workflow.
		expect(withoutBlankParams({ ...body, added: '', other: ' ' })).toEqual(body);
	});

	// The GET sample reads request.getParameterMap() and signs value[0] of every name
	// (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649061.html).
	it('uses the first value of a repeated parameter, as Java does', () => {
		const query = `${encode(body)}&authToken=${encodeURIComponent(computeAuthToken(KEY, body))}`;
		expect(
			verifySaasV1Request({ params: `${query}&orderId=CS9`, keys: [KEY], nowMs: NOW }),
		).toMatchObject({ ok: true });
		expect(readV1Params(`${query}&orderId=CS9`)).toMatchObject({
			ok: true,
			params: { orderId: 'CS1' },
		});
		expect(
			verifySaasV1Request({ params: `orderId=CS9&${query}`, keys: [KEY], nowMs: NOW }),
		).toMatchObject({ ok: false, reason: 'badSignature' });
	});

	// No V1.0 page gives a window and the samples check none; KooGallery retries a new purchase hourly
	// for 3 hours (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html).
	it('accepts a timeStamp up to one day old or ahead by default, and refuses one beyond', () => {
		const query = (nowMs: number) =>
			verifySaasV1Request({
				params: { ...body, authToken: computeAuthToken(KEY, body) },
				keys: [KEY],
				nowMs,
			});
		expect(DEFAULT_V1_TOLERANCE_MS).toBe(86_400_000);
		expect(query(NOW + 3 * 3_600_000)).toMatchObject({ ok: true, skewMs: 3 * 3_600_000 });
		expect(query(NOW + 86_400_000)).toMatchObject({ ok: true });
		expect(query(NOW - 8 * 3_600_000)).toMatchObject({ ok: true }); // a timeStamp written in UTC+8
		expect(query(NOW + 86_400_001)).toMatchObject({
			ok: false,
			reason: 'staleTimestamp',
			parameter: 'timeStamp',
		});
		expect(query(NOW - 86_400_001)).toMatchObject({ ok: false, reason: 'staleTimestamp' });
	});
});
