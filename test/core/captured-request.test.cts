/**
 * Captured requests as operators paste them, checked against the spec vectors:
 * docs/protocol/koogallery-saas-v2.md T2 (V2.0 request signature), docs/protocol/koogallery-joint-license.md B.1/B.2 (kit
 * x-sign) and B.5, docs/protocol/koogallery-openapi-v1.md TV4 (V1.0 authToken).
 */
import {
	capturedTimestampMs,
	CaptureReadError,
	explainVerdict,
	queryTextOf,
	readCapturedHeaders,
	readCapturedParameters,
	verdictOfReason,
	verifyCapturedRequest,
	type CapturedRequest,
} from '../../core/captured-request';
import { MemoryNonceStore } from '../../core/verification';

const T2 = {
	key: '0123456789abcdef-TEST-KEY-not-real',
	body: '{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}',
	nonce: '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
	timestamp: '1680508066618',
	signature: '326b471467475cf08ec741e215297a770a8c4b07ef6d715c6eaf926c30d684a5',
};
const T2_URL = `https://www.isvwebsite.com/saasproduce?signature=${T2.signature}&timestamp=${T2.timestamp}&nonce=${T2.nonce}`;
const KIT = {
	key: 'TEST-ACCESS-KEY-0001',
	nonce: '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
	timestamp: '1680508066618',
	b1: '{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	b1Sign: '009d6a535687dc66ab2431ddd508bf434269dfe169dff6f8512a6a455b479ea5',
	b2: '{"userList":[{"userName":"zhangsan01","name":"张三","orgCode":"123456789","role":"admin","enable":"true"}],"instanceId":"ins-001","tenantId":"t-001","appId":"app-001","currentSyncTime":"20220420114117642","flag":1,"testFlag":0,"timeStamp":"20220420114117642"}',
	b2Sign: 'ee51f3a278911cd3f46dd50ecab474720f4afde7ef058902ff3794370d84085b',
};
const TV4 = {
	key: 'xxxxxxx',
	url: 'https://example.isv.com/produce?activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903&authToken=Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=',
	timeMs: Date.UTC(2020, 6, 27, 7, 37, 11, 903),
};
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
		authToken: '3YhAK7Bc9sJJsj4Ws/hHnktDUhY3zuVGZcbFdEANvIk=',
	},
};

const v2 = (parameters: unknown, body: unknown = T2.body): CapturedRequest => ({
	protocol: 'saasV2',
	parameters,
	body,
});
const kit = (headers: unknown, body: unknown): CapturedRequest => ({
	protocol: 'kit',
	headers,
	body,
});
const noTime = { checkTime: false };

describe('reading what the operator pasted', () => {
	it('takes the query of a URL, a bare query string, or JSON parameters', () => {
		expect(queryTextOf(`${T2_URL}#frag`)).toBe(
			`signature=${T2.signature}&timestamp=${T2.timestamp}&nonce=${T2.nonce}`,
		);
		expect(queryTextOf('?a=1')).toBe('a=1');
		expect(readCapturedParameters('  {"a":"1"} ')).toEqual({ a: '1' });
		expect(readCapturedParameters({ a: '1' })).toEqual({ a: '1' });
		expect(() => readCapturedParameters('')).toThrow(CaptureReadError);
		expect(() => readCapturedParameters('{"a":')).toThrow(
			'The URL parameters look like JSON but are not valid JSON.',
		);
	});

	it('reads header lines as a proxy shows them, keeping a repeated header twice', () => {
		const headers = readCapturedHeaders(
			'POST /produceAPI/v2/tenantSync HTTP/1.1\r\nHost: isv.example.com\r\nX-Sign: abc\r\nx-sign: def\r\nx-nonce:  n1 \n: junk\nbad header: x',
		);
		expect(headers).toEqual({ host: 'isv.example.com', 'x-sign': ['abc', 'def'], 'x-nonce': 'n1' });
		expect(readCapturedHeaders('{"x-sign":"a"}')).toEqual({ 'x-sign': 'a' });
		expect(() => readCapturedHeaders('   ')).toThrow(/The headers are empty/);
	});
});

describe('SaaS V2.0 captures (T2 vector)', () => {
	it('finds the T2 request genuine from the whole URL, the query, or JSON parameters', () => {
		const json = { signature: T2.signature, timestamp: T2.timestamp, nonce: T2.nonce };
		for (const parameters of [T2_URL, queryTextOf(T2_URL), JSON.stringify(json), json]) {
			const result = verifyCapturedRequest(v2(parameters), { keys: [T2.key], ...noTime });
			expect(result).toMatchObject({ ok: true, keyIndex: 0, form: 'raw', nonce: T2.nonce });
		}
	});

	it('is genuine within the window and stale outside it when time is checked', () => {
		const at = Number(T2.timestamp);
		expect(
			verifyCapturedRequest(v2(T2_URL), { keys: [T2.key], checkTime: true, nowMs: at + 59_000 }).ok,
		).toBe(true);
		const stale = verifyCapturedRequest(v2(T2_URL), {
			keys: [T2.key],
			checkTime: true,
			nowMs: at + 61_000,
		});
		expect(stale).toMatchObject({ ok: false, reason: 'staleTimestamp' });
		expect(verdictOfReason((stale as { reason: 'staleTimestamp' }).reason)).toBe('stale');
	});

	it('says tampered for a changed body, a changed nonce and another key; verifies with the previous key', () => {
		const changed = T2.body.replace('"testFlag":"1"', '"testFlag":"0"');
		const results = [
			verifyCapturedRequest(v2(T2_URL, changed), { keys: [T2.key], ...noTime }),
			verifyCapturedRequest(v2(T2_URL.replace('nonce=50', 'nonce=51')), {
				keys: [T2.key],
				...noTime,
			}),
			verifyCapturedRequest(v2(T2_URL), { keys: ['another-key-0000'], ...noTime }),
		];
		for (const result of results)
			expect(result).toMatchObject({ ok: false, reason: 'badSignature' });
		expect(
			verifyCapturedRequest(v2(T2_URL), { keys: ['new-key-00000000', T2.key], ...noTime }),
		).toMatchObject({ ok: true, keyIndex: 1 });
	});

	it('takes a body object from an expression as compact JSON; a reordered body verifies in the canonical reading', () => {
		const result = verifyCapturedRequest(v2(T2_URL, JSON.parse(T2.body)), {
			keys: [T2.key],
			...noTime,
		});
		expect(result).toMatchObject({ ok: true, form: 'raw' });
		const reordered = { testFlag: '1', ...JSON.parse(T2.body) };
		expect(
			verifyCapturedRequest(v2(T2_URL, JSON.stringify(reordered)), { keys: [T2.key], ...noTime }),
		).toMatchObject({ ok: true, form: 'canonical' });
	});

	it('says malformed for a missing or repeated parameter or a broken escape', () => {
		const cases = [
			`timestamp=${T2.timestamp}&nonce=${T2.nonce}`,
			`${queryTextOf(T2_URL)}&nonce=again`,
			`signature=${T2.signature}&timestamp=%zz&nonce=1`,
			`signature=${T2.signature}&timestamp=yesterday&nonce=1`,
		];
		for (const parameters of cases) {
			const result = verifyCapturedRequest(v2(parameters), { keys: [T2.key], ...noTime });
			expect(result.ok).toBe(false);
			if (!result.ok) expect(verdictOfReason(result.reason)).toBe('malformed');
		}
	});

	it('reports a nonce seen earlier in the same run as replayed, only once it verified', () => {
		const store = new MemoryNonceStore();
		const options = { keys: [T2.key], ...noTime, nonceStore: store };
		expect(verifyCapturedRequest(v2(T2_URL, '{"forged":1}'), options).ok).toBe(false);
		expect(verifyCapturedRequest(v2(T2_URL), options).ok).toBe(true);
		expect(verifyCapturedRequest(v2(T2_URL), options)).toMatchObject({
			ok: false,
			reason: 'replayedNonce',
		});
	});

	it('reads the time of the capture even when it fails', () => {
		expect(capturedTimestampMs(v2(T2_URL))).toBe(1680508066618);
		expect(capturedTimestampMs(v2({ timestamp: '1680508066' }))).toBe(1680508066000);
		expect(capturedTimestampMs(v2(''))).toBeUndefined();
	});
});

describe('kit captures (B.1, B.2 vectors)', () => {
	const lines = (sign: string) =>
		`x-sign: ${sign.toUpperCase()}\nx-timestamp: ${KIT.timestamp}\nx-nonce: ${KIT.nonce}`;

	it('finds B.1 and B.2 genuine in their canonical reading, from header lines or JSON', () => {
		const b1 = verifyCapturedRequest(kit(lines(KIT.b1Sign), KIT.b1), {
			keys: [KIT.key],
			...noTime,
		});
		expect(b1).toMatchObject({ ok: true, form: 'canonical' });
		const headers = { 'X-Sign': KIT.b2Sign, 'X-Timestamp': KIT.timestamp, 'X-Nonce': KIT.nonce };
		const b2 = verifyCapturedRequest(kit(headers, KIT.b2), { keys: [KIT.key], ...noTime });
		expect(b2).toMatchObject({ ok: true, form: 'canonical' });
		expect(capturedTimestampMs(kit(headers, KIT.b2))).toBe(1680508066618);
	});

	it('says tampered when a user is renamed, malformed when x-nonce is missing or sent twice', () => {
		const renamed = KIT.b2.replace('zhangsan01', 'zhangsan02');
		expect(
			verifyCapturedRequest(kit(lines(KIT.b2Sign), renamed), { keys: [KIT.key], ...noTime }),
		).toMatchObject({ ok: false, reason: 'badSignature' });
		const noNonce = `x-sign: ${KIT.b1Sign}\nx-timestamp: ${KIT.timestamp}`;
		expect(
			verifyCapturedRequest(kit(noNonce, KIT.b1), { keys: [KIT.key], ...noTime }),
		).toMatchObject({ ok: false, reason: 'missingParameter', parameter: 'x-nonce' });
		expect(
			verifyCapturedRequest(kit(`${lines(KIT.b1Sign)}\nx-nonce: other`, KIT.b1), {
				keys: [KIT.key],
				...noTime,
			}),
		).toMatchObject({ ok: false, reason: 'duplicateParameter' });
	});
});

describe('V1.0 captures (TV4, B.5 vectors)', () => {
	it('finds TV4 genuine from the raw URL, and B.5 from decoded JSON parameters', () => {
		const tv4: CapturedRequest = { protocol: 'saasV1', parameters: TV4.url };
		expect(verifyCapturedRequest(tv4, { keys: [TV4.key], ...noTime })).toMatchObject({
			ok: true,
			form: 'decoded',
		});
		expect(capturedTimestampMs(tv4)).toBe(TV4.timeMs);
		const b5: CapturedRequest = { protocol: 'saasV1', parameters: B5.params };
		expect(verifyCapturedRequest(b5, { keys: [B5.key], ...noTime }).ok).toBe(true);
		expect(
			verifyCapturedRequest(tv4, { keys: [TV4.key], checkTime: true, nowMs: TV4.timeMs + 30_000 })
				.ok,
		).toBe(true);
	});

	it('says tampered for a changed parameter and stale for an old capture', () => {
		const changed: CapturedRequest = {
			protocol: 'saasV1',
			parameters: TV4.url.replace('testFlag=1', 'testFlag=0'),
		};
		expect(verifyCapturedRequest(changed, { keys: [TV4.key], ...noTime })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
		const tv4: CapturedRequest = { protocol: 'saasV1', parameters: TV4.url };
		expect(
			verifyCapturedRequest(tv4, { keys: [TV4.key], checkTime: true, nowMs: Date.now() }),
		).toMatchObject({ ok: false, reason: 'staleTimestamp' });
	});
});

describe('explainVerdict', () => {
	it('words each verdict for the operator', () => {
		const ok = verifyCapturedRequest(v2(T2_URL), { keys: [T2.key], ...noTime });
		expect(explainVerdict(ok, { keyName: 'current seller key', timeChecked: false })).toBe(
			'Genuine: KooGallery signed this request with your current seller key over the exact body given. The time was not checked.',
		);
		const bad = verifyCapturedRequest(v2(T2_URL, '{}'), { keys: [T2.key], ...noTime });
		expect(explainVerdict(bad, { timeChecked: false })).toMatch(
			/^Not genuine: the signature does not match\. Either the request was changed after it was signed/,
		);
		const stale = verifyCapturedRequest(v2(T2_URL), { keys: [T2.key], checkTime: true });
		expect(explainVerdict(stale, { timeChecked: true })).toMatch(
			/^Not accepted: the request is outside the time window\. The request's timestamp is \d+ s old; at most 60 s is accepted\..*Turn off "Check Time"/,
		);
		for (const text of [ok, bad, stale].map((r) => explainVerdict(r, { timeChecked: true })))
			expect(text).not.toContain(T2.key);
	});
});
