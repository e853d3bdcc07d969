import {
	canonicalKitPayload,
	kitSignatureHeaders,
	signKitRequest,
	verifyKitRequest,
	type KitVerifyInput,
} from '../../core/kit-signature';
import { MemoryNonceStore } from '../../core/verification';
import { verificationResultCode } from '../../core/result-codes';

// docs/protocol/koogallery-joint-license.md, test vectors B.1 and B.2 (Huawei's Java sample algorithm).
const KEY = 'TEST-ACCESS-KEY-0001';
const NONCE = '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA';
const TS = '1680508066618';
const NOW = Number(TS);
const B1 = {
	received:
		'{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	canonical:
		'{"domainName":"https://example.tenantaccount.com","flag":1,"instanceId":"huaiweitest123456","name":"huaiweitest","orderId":"CS1906666666ABCDE","tenantCode":"huawei","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","testFlag":0,"timeStamp":"20220413093539534"}',
	sign: '009d6a535687dc66ab2431ddd508bf434269dfe169dff6f8512a6a455b479ea5',
};
const B2 = {
	received:
		'{"userList":[{"userName":"zhangsan01","name":"张三","orgCode":"123456789","role":"admin","enable":"true"}],"instanceId":"ins-001","tenantId":"t-001","appId":"app-001","currentSyncTime":"20220420114117642","flag":1,"testFlag":0,"timeStamp":"20220420114117642"}',
	canonical:
		'{"appId":"app-001","currentSyncTime":"20220420114117642","flag":1,"instanceId":"ins-001","tenantId":"t-001","testFlag":0,"timeStamp":"20220420114117642","userList":[{"userName":"zhangsan01","name":"张三","orgCode":"123456789","role":"admin","enable":"true"}]}',
	sign: 'ee51f3a278911cd3f46dd50ecab474720f4afde7ef058902ff3794370d84085b',
};

const headersFor = (sign: string, ts = TS, nonce = NONCE) => ({
	'x-sign': sign,
	'x-timestamp': ts,
	'x-nonce': nonce,
});
const verify = (overrides: Partial<KitVerifyInput>) =>
	verifyKitRequest({
		headers: headersFor(B1.sign),
		rawBody: B1.received,
		keys: [KEY],
		nowMs: NOW,
		...overrides,
	});

describe('kit x-sign: published vectors', () => {
	it('reproduces the canonical payloads and signatures byte for byte', () => {
		for (const v of [B1, B2]) {
			expect(canonicalKitPayload(v.received)).toBe(v.canonical);
			expect(canonicalKitPayload(Buffer.from(v.received))).toBe(v.canonical);
			expect(signKitRequest(KEY, v.canonical, NONCE, TS)).toBe(v.sign);
			expect(signKitRequest(KEY, Buffer.from(v.canonical), NONCE, TS)).toBe(v.sign);
		}
	});

	it('verifies the received (unsorted) bodies through the canonical form, upper or lower case hex', () => {
		for (const v of [B1, B2]) {
			for (const sign of [v.sign, v.sign.toUpperCase()]) {
				const result = verifyKitRequest({
					headers: headersFor(sign),
					rawBody: Buffer.from(v.received),
					keys: [KEY],
					nowMs: NOW,
				});
				expect(result).toMatchObject({
					ok: true,
					keyIndex: 0,
					key: KEY,
					form: 'canonical',
					timestampMs: NOW,
					nonce: NONCE,
					skewMs: 0,
				});
			}
		}
	});

	it('drops top-level nulls only in the canonical form', () => {
		expect(canonicalKitPayload('{"b":null,"a":{"y":null,"x":1},"c":[null]}')).toBe(
			'{"a":{"y":null,"x":1},"c":[null]}',
		);
		for (const body of ['', 'nope', '[]', '"x"', 'null', '3'])
			expect(canonicalKitPayload(body)).toBeUndefined();
	});
});

describe('kit x-sign: round trip and tampering', () => {
	const body = '{"tenantId":"t-1","instanceId":"i-1","flag":1}';
	const ts = String(NOW);
	const good = kitSignatureHeaders(KEY, body, 'nonce-1', ts);

	it('our signer satisfies our verifier on the raw bytes', () => {
		expect(good).toEqual({
			'x-sign': signKitRequest(KEY, body, 'nonce-1', ts),
			'x-timestamp': ts,
			'x-nonce': 'nonce-1',
		});
		expect(
			verifyKitRequest({ headers: good, rawBody: body, keys: [KEY], nowMs: NOW }),
		).toMatchObject({ ok: true, form: 'raw' });
	});

	it('matches header names in any case', () => {
		const mixed = { 'X-Sign': good['x-sign'], 'X-TIMESTAMP': ts, 'x-Nonce': 'nonce-1' };
		expect(
			verifyKitRequest({ headers: mixed, rawBody: body, keys: [KEY], nowMs: NOW }),
		).toMatchObject({ ok: true });
		expect(
			verifyKitRequest({
				headers: { ...good, 'x-sign': [good['x-sign']] },
				rawBody: body,
				keys: [KEY],
				nowMs: NOW,
			}),
		).toMatchObject({ ok: true });
	});

	it('refuses a changed body, nonce, timestamp or signature byte', () => {
		const input = { headers: good, rawBody: body, keys: [KEY], nowMs: NOW };
		const flip = (s: string, i: number) =>
			s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
		const cases: KitVerifyInput[] = [
			{ ...input, rawBody: body.replace('t-1', 't-2') },
			{ ...input, rawBody: Buffer.concat([Buffer.from(body), Buffer.from(' ')]) },
			{ ...input, headers: { ...good, 'x-nonce': 'nonce-2' } },
			{ ...input, headers: { ...good, 'x-timestamp': String(NOW + 1) } },
			{ ...input, headers: { ...good, 'x-sign': flip(good['x-sign'], 0) } },
			{ ...input, headers: { ...good, 'x-sign': flip(good['x-sign'], 63) } },
		];
		for (const c of cases) {
			const result = verifyKitRequest(c);
			expect(result).toMatchObject({ ok: false, reason: 'badSignature', parameter: 'x-sign' });
			expect(!result.ok && verificationResultCode(result.reason)).toBe('000001');
		}
	});

	it('refuses another key, accepts the previous key with keyIndex 1 and answers with it', () => {
		expect(verify({ keys: ['ANOTHER-KEY-0002'] })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
		expect(verify({ keys: ['NEW-KEY-0003', KEY] })).toMatchObject({
			ok: true,
			keyIndex: 1,
			key: KEY,
		});
		expect(verify({ keys: [undefined, KEY] })).toMatchObject({ ok: true, keyIndex: 1, key: KEY });
		expect(verify({ keys: [] })).toMatchObject({ ok: false, reason: 'noKey' });
		expect(verify({ keys: ['', undefined] })).toMatchObject({ ok: false, reason: 'noKey' });
	});

	it('accepts timestamps just inside the window and refuses them just outside, both ways', () => {
		for (const skew of [60_000, -60_000, 0]) {
			expect(verify({ nowMs: NOW + skew })).toMatchObject({ ok: true, skewMs: skew });
		}
		for (const skew of [60_001, -60_001]) {
			const result = verify({ nowMs: NOW + skew });
			expect(result).toMatchObject({
				ok: false,
				reason: 'staleTimestamp',
				parameter: 'x-timestamp',
			});
		}
		expect(verify({ nowMs: NOW + 120_000, toleranceMs: 120_000 })).toMatchObject({ ok: true });
		expect(verify({ nowMs: NOW + 5_001, toleranceMs: 5_000 })).toMatchObject({
			ok: false,
			reason: 'staleTimestamp',
		});
	});

	it('refuses a replayed nonce, and remembers nonces only for verified calls', () => {
		const nonceStore = new MemoryNonceStore();
		expect(verify({ nonceStore, keys: ['WRONG-KEY-0000'] })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
		expect(nonceStore.size).toBe(0);
		expect(verify({ nonceStore })).toMatchObject({ ok: true });
		expect(verify({ nonceStore })).toMatchObject({ ok: false, reason: 'replayedNonce' });
		expect(
			verify({ nonceStore, nowMs: NOW + 1 + 120_000, toleranceMs: 200_000, nonceTtlMs: 120_000 }),
		).toMatchObject({ ok: true });
	});
});

describe('kit x-sign: bad input never throws', () => {
	const cases: Array<[string, Partial<KitVerifyInput>, string, string?]> = [
		['no headers at all', { headers: undefined }, 'missingParameter', 'x-sign'],
		['empty headers', { headers: {} }, 'missingParameter', 'x-sign'],
		[
			'missing x-timestamp',
			{ headers: { 'x-sign': B1.sign, 'x-nonce': NONCE } },
			'missingParameter',
			'x-timestamp',
		],
		[
			'missing x-nonce',
			{ headers: { 'x-sign': B1.sign, 'x-timestamp': TS } },
			'missingParameter',
			'x-nonce',
		],
		['empty x-nonce', { headers: headersFor(B1.sign, TS, '') }, 'missingParameter', 'x-nonce'],
		[
			'x-sign twice (array)',
			{ headers: { ...headersFor(B1.sign), 'x-sign': [B1.sign, B1.sign] } },
			'duplicateParameter',
			'x-sign',
		],
		[
			'x-sign twice (joined by Node)',
			{ headers: headersFor(`${B1.sign}, ${B1.sign}`) },
			'duplicateParameter',
			'x-sign',
		],
		[
			'x-sign twice (two cases)',
			{ headers: { ...headersFor(B1.sign), 'X-Sign': B1.sign } },
			'duplicateParameter',
			'x-sign',
		],
		[
			'x-timestamp twice',
			{ headers: headersFor(B1.sign, `${TS}, ${TS}`) },
			'duplicateParameter',
			'x-timestamp',
		],
		[
			'x-nonce twice',
			{ headers: { ...headersFor(B1.sign), 'x-nonce': [NONCE, 'other'] } },
			'duplicateParameter',
			'x-nonce',
		],
		[
			'x-sign not text',
			{ headers: { ...headersFor(B1.sign), 'x-sign': 12 } },
			'malformedParameter',
			'x-sign',
		],
		[
			'non-numeric x-timestamp',
			{ headers: headersFor(B1.sign, '2023-04-03T08:27:46Z') },
			'malformedParameter',
			'x-timestamp',
		],
		[
			'negative x-timestamp',
			{ headers: headersFor(B1.sign, '-1680508066618') },
			'malformedParameter',
			'x-timestamp',
		],
		['odd-length x-sign', { headers: headersFor(B1.sign.slice(1)) }, 'badSignature', 'x-sign'],
		['non-hex x-sign', { headers: headersFor(`z${B1.sign.slice(1)}`) }, 'badSignature', 'x-sign'],
		['empty body', { rawBody: '' }, 'badSignature', 'x-sign'],
		['non-JSON body', { rawBody: '{"instanceId":' }, 'badSignature', 'x-sign'],
		['array JSON body', { rawBody: '[1,2,3]' }, 'badSignature', 'x-sign'],
		['invalid UTF-8 body', { rawBody: Buffer.from([0xff, 0xfe, 0x7b]) }, 'badSignature', 'x-sign'],
		['5 MB body', { rawBody: Buffer.alloc(5 * 1024 * 1024, 0x61) }, 'malformedParameter', 'body'],
	];
	it.each(cases)('%s', (_name, overrides, reason, parameter) => {
		let result: ReturnType<typeof verifyKitRequest> | undefined;
		expect(() => {
			result = verify(overrides);
		}).not.toThrow();
		expect(result).toMatchObject({ ok: false, reason, parameter });
	});
});
