import {
	bodyForms,
	canonicalSaasV2Payload,
	javaMapSaasV2Payload,
	MAX_BODY_BYTES,
	signSaasV2Request,
	verifySaasV2Request,
} from '../../core/saas-v2-signature';
import { hmacSha256Hex } from '../../core/hmac';
import { MemoryNonceStore } from '../../core/verification';

// docs/protocol/koogallery-saas-v2.md, test vectors T2 (computed with real Java javax.crypto).
const KEY = '0123456789abcdef-TEST-KEY-not-real';
const BODY =
	'{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}';
const NONCE = '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA';
const TIMESTAMP = '1680508066618';
const SIGNATURE = '326b471467475cf08ec741e215297a770a8c4b07ef6d715c6eaf926c30d684a5';
const NOW = Number(TIMESTAMP) + 1500;

const verify = (overrides: Partial<Parameters<typeof verifySaasV2Request>[0]> = {}) =>
	verifySaasV2Request({
		query: { signature: SIGNATURE, timestamp: TIMESTAMP, nonce: NONCE },
		rawBody: BODY,
		keys: [KEY],
		nowMs: NOW,
		...overrides,
	});

describe('SaaS V2.0 request signature (vector T2)', () => {
	it('reproduces the inner body HMAC and the signature byte for byte', () => {
		expect(hmacSha256Hex(KEY, BODY)).toBe(
			'c4ba096c4021674a6b57d1df400508126620f6d47792ef4e20112281f9a977d9',
		);
		expect(signSaasV2Request(KEY, BODY, NONCE, TIMESTAMP)).toBe(SIGNATURE);
		expect(signSaasV2Request(KEY, Buffer.from(BODY), NONCE, TIMESTAMP)).toBe(SIGNATURE);
	});

	it('verifies the vector, in lower and upper case, over the raw body', () => {
		const ok = verify();
		expect(ok).toMatchObject({
			ok: true,
			keyIndex: 0,
			key: KEY,
			form: 'raw',
			timestampMs: Number(TIMESTAMP),
			nonce: NONCE,
			skewMs: 1500,
		});
		expect(
			verify({ query: { signature: SIGNATURE.toUpperCase(), timestamp: TIMESTAMP, nonce: NONCE } }),
		).toMatchObject({ ok: true });
	});

	it('accepts the canonical reading when the raw bytes differ (spaces, key order, nulls)', () => {
		const reordered =
			'{ "testFlag": "1", "orderLineId": "CS2211181819B4LVS-000001", "orderId": "CS2211181819B4LVS",\n "businessId": "87b94795-0603-4e24-8ae5-69420d60e3c8", "activity": "newInstance", "extra": null }';
		expect(canonicalSaasV2Payload(reordered)).toBe(BODY);
		expect(verify({ rawBody: reordered })).toMatchObject({ ok: true, form: 'canonical' });
	});

	it('accepts the previous key during a rotation and says so', () => {
		expect(verify({ keys: ['a-new-key-0000000000', KEY] })).toMatchObject({
			ok: true,
			keyIndex: 1,
			key: KEY,
		});
		expect(verify({ keys: [undefined, KEY] })).toMatchObject({ ok: true, keyIndex: 1 });
	});
});

describe('SaaS V2.0 tamper and bad input', () => {
	const flip = (text: string, index: number) =>
		text.slice(0, index) + (text[index] === 'a' ? 'b' : 'a') + text.slice(index + 1);

	it('rejects any single changed byte of the body', () => {
		for (let i = 0; i < BODY.length; i++) {
			const result = verify({ rawBody: flip(BODY, i) });
			expect(result.ok).toBe(false);
		}
	});

	it('rejects a changed nonce, timestamp digit or signature with the right reason', () => {
		expect(
			verify({ query: { signature: SIGNATURE, timestamp: TIMESTAMP, nonce: flip(NONCE, 5) } }),
		).toMatchObject({ ok: false, reason: 'badSignature', parameter: 'signature' });
		const ts = String(Number(TIMESTAMP) + 1);
		expect(verify({ query: { signature: SIGNATURE, timestamp: ts, nonce: NONCE } })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
		for (let i = 0; i < SIGNATURE.length; i += 7) {
			expect(
				verify({ query: { signature: flip(SIGNATURE, i), timestamp: TIMESTAMP, nonce: NONCE } }),
			).toMatchObject({ ok: false, reason: 'badSignature' });
		}
		expect(verify({ keys: ['another-key'] })).toMatchObject({ ok: false, reason: 'badSignature' });
	});

	it('checks the timestamp window in both directions, edges included', () => {
		const t = Number(TIMESTAMP);
		expect(verify({ nowMs: t + 60_000 })).toMatchObject({ ok: true });
		expect(verify({ nowMs: t - 60_000 })).toMatchObject({ ok: true });
		expect(verify({ nowMs: t + 60_001 })).toMatchObject({
			ok: false,
			reason: 'staleTimestamp',
			parameter: 'timestamp',
		});
		expect(verify({ nowMs: t - 60_001 })).toMatchObject({ ok: false, reason: 'staleTimestamp' });
		expect(verify({ nowMs: t + 300_000, toleranceMs: 300_000 })).toMatchObject({ ok: true });
		expect(verify({ nowMs: t + 300_001, toleranceMs: 300_000 })).toMatchObject({
			ok: false,
			reason: 'staleTimestamp',
		});
	});

	it('refuses a replayed nonce within the TTL and forgets it afterwards', () => {
		const store = new MemoryNonceStore(10);
		expect(verify({ nonceStore: store })).toMatchObject({ ok: true });
		expect(verify({ nonceStore: store, nowMs: NOW + 30_000 })).toMatchObject({
			ok: false,
			reason: 'replayedNonce',
		});
		// TTL defaults to twice the tolerance; after that the timestamp window refuses it anyway.
		expect(store.checkAndRemember(NONCE, NOW + 120_001, 1)).toBe(true);
	});

	it('does not burn a nonce on a request whose signature fails', () => {
		const store = new MemoryNonceStore(10);
		expect(verify({ nonceStore: store, keys: ['wrong'] })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
		expect(store.size).toBe(0);
		expect(verify({ nonceStore: store })).toMatchObject({ ok: true });
	});

	it('returns a reason, never throws, for missing, duplicated and malformed parameters', () => {
		const q = { signature: SIGNATURE, timestamp: TIMESTAMP, nonce: NONCE };
		const cases: Array<[Record<string, unknown> | undefined, string, string]> = [
			[undefined, 'missingParameter', 'signature'],
			[{ ...q, signature: undefined }, 'missingParameter', 'signature'],
			[{ ...q, timestamp: '' }, 'missingParameter', 'timestamp'],
			[{ ...q, nonce: undefined }, 'missingParameter', 'nonce'],
			[{ ...q, signature: [SIGNATURE, SIGNATURE] }, 'duplicateParameter', 'signature'],
			[{ ...q, timestamp: [TIMESTAMP, TIMESTAMP] }, 'duplicateParameter', 'timestamp'],
			[{ ...q, nonce: { a: 1 } }, 'malformedParameter', 'nonce'],
			[{ ...q, timestamp: 'yesterday' }, 'malformedParameter', 'timestamp'],
			[{ ...q, timestamp: '-1680508066618' }, 'malformedParameter', 'timestamp'],
			[{ ...q, nonce: 'n'.repeat(129) }, 'malformedParameter', 'nonce'],
			[{ ...q, signature: SIGNATURE.slice(1) }, 'badSignature', 'signature'],
			[{ ...q, signature: 'zz' + SIGNATURE.slice(2) }, 'badSignature', 'signature'],
		];
		for (const [query, reason, parameter] of cases) {
			expect(verify({ query })).toMatchObject({ ok: false, reason, parameter });
		}
		expect(verify({ keys: [] })).toMatchObject({ ok: false, reason: 'noKey' });
	});

	it('handles empty, non-JSON, non-object and huge bodies without throwing', () => {
		for (const body of ['', 'not json', '[1,2]', '"text"', 'null', Buffer.alloc(0)]) {
			expect(verify({ rawBody: body })).toMatchObject({ ok: false, reason: 'badSignature' });
			const nonce = 'n-' + String(body).length;
			const sig = signSaasV2Request(KEY, body, nonce, TIMESTAMP);
			expect(
				verify({ rawBody: body, query: { signature: sig, timestamp: TIMESTAMP, nonce } }),
			).toMatchObject({ ok: true, form: 'raw' });
		}
		const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
		expect(canonicalSaasV2Payload(deep)).toBeUndefined();
		expect(verify({ rawBody: deep })).toMatchObject({ ok: false, reason: 'badSignature' });
		const huge = '{"activity":"' + 'x'.repeat(MAX_BODY_BYTES) + '"}';
		expect(verify({ rawBody: huge })).toMatchObject({
			ok: false,
			reason: 'malformedParameter',
			parameter: 'body',
		});
	});

	it('round-trips random bodies signed by our signer', () => {
		for (let i = 0; i < 50; i++) {
			const body = JSON.stringify({
				activity: 'queryInstance',
				instanceId: `id-${i}-中文-${'z'.repeat(i)}`,
			});
			const nonce = `nonce${i}`;
			const ts = String(NOW - i * 1000);
			const sig = signSaasV2Request(KEY, body, nonce, ts);
			expect(
				verify({ rawBody: body, query: { signature: sig, timestamp: ts, nonce } }),
			).toMatchObject({ ok: true, nonce });
		}
	});
});

describe('MemoryNonceStore', () => {
	it('stays within its bound, dropping the oldest first', () => {
		const store = new MemoryNonceStore(100);
		for (let i = 0; i < 1000; i++) expect(store.checkAndRemember(`n${i}`, 0, 60_000)).toBe(true);
		expect(store.size).toBe(100);
		expect(store.checkAndRemember('n999', 1, 60_000)).toBe(false);
		expect(store.checkAndRemember('n0', 1, 60_000)).toBe(true);
	});

	it('drops expired entries as time moves on', () => {
		const store = new MemoryNonceStore(100);
		for (let i = 0; i < 50; i++) store.checkAndRemember(`n${i}`, 0, 1000);
		store.checkAndRemember('later', 5000, 1000);
		expect(store.size).toBe(1);
	});
});

/**
 * Huawei's V2.0 Java sample binds the body to Map<String, String> (IsvProduceController,
 * `@RequestBody Map<String,String>`, sample project linked from
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000001945216782.html) and signs
 * what Jackson writes back: every scalar as text, keys sorted, nulls dropped, `\u001F` in upper case.
 */
describe("SaaS V2.0: the Java sample's Map<String, String> reading", () => {
	const raw =
		'{"testFlag":1,"orderAmount":99.9900,"activity":"newInstance","trial":true,"memo":"a\\u001fb","orderId":"CS1","none":null}';
	const javaForm =
		'{"activity":"newInstance","memo":"a\\u001Fb","orderAmount":"99.9900","orderId":"CS1","testFlag":"1","trial":"true"}';
	const signed = (body: string) => signSaasV2Request(KEY, body, NONCE, TIMESTAMP);

	it('writes the body back as Jackson does from a map of strings', () => {
		expect(javaMapSaasV2Payload(raw)).toBe(javaForm);
		// Today's canonical form keeps the types and JavaScript's lower-case escapes: a different text.
		expect(canonicalSaasV2Payload(raw)).toBe(
			'{"activity":"newInstance","memo":"a\\u001fb","orderAmount":99.99,"orderId":"CS1","testFlag":1,"trial":true}',
		);
		expect(javaMapSaasV2Payload('{"b":"1","a":"2","b":"3"}')).toBe('{"a":"2","b":"3"}');
		expect(
			javaMapSaasV2Payload('{"productInfo":{"skuCode":"s\\u0001","n":1.50},"x":[1,"\\\\u0001"]}'),
		).toBe('{"productInfo":{"skuCode":"s\\u0001","n":1.5},"x":[1,"\\\\u0001"]}');
		for (const notObject of [
			'',
			'[]',
			'"x"',
			'null',
			'{',
			`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
		]) {
			expect(javaMapSaasV2Payload(notObject)).toBeUndefined();
		}
	});

	it('verifies a body whose signature was computed over the Java form', () => {
		const query = { signature: signed(javaForm), timestamp: TIMESTAMP, nonce: NONCE };
		expect(verify({ query, rawBody: raw })).toMatchObject({ ok: true, form: 'java' });
		expect(verify({ query, rawBody: Buffer.from(raw) })).toMatchObject({ ok: true, form: 'java' });
	});

	it('refuses the same body altered, and the Java form signed with another key', () => {
		const query = { signature: signed(javaForm), timestamp: TIMESTAMP, nonce: NONCE };
		for (const altered of [
			raw.replace('"testFlag":1', '"testFlag":0'),
			raw.replace('99.9900', '99.99'),
			raw.replace('true', 'false'),
			raw.replace('a\\u001fb', 'a\\u001eb'),
			raw.replace('"none":null', '"none":"x"'),
			raw.replace('}', ',"extra":"1"}'),
		]) {
			expect(verify({ query, rawBody: altered })).toMatchObject({
				ok: false,
				reason: 'badSignature',
			});
		}
		const otherKey = signSaasV2Request('another-key-0000', javaForm, NONCE, TIMESTAMP);
		expect(verify({ query: { ...query, signature: otherKey }, rawBody: raw })).toMatchObject({
			ok: false,
			reason: 'badSignature',
		});
	});

	it('builds the Java form only when the raw bytes and the canonical form did not verify', () => {
		let reads = 0;
		const forms = bodyForms(BODY, (key, body) => signSaasV2Request(key, body, NONCE, TIMESTAMP), [
			['canonical', (body) => (reads++, canonicalSaasV2Payload(body))],
			['java', (body) => (reads++, javaMapSaasV2Payload(body))],
		]);
		expect(forms.map((f) => f.form)).toEqual(['raw', 'canonical', 'java']);
		expect(forms[0].sign(KEY)).toBe(SIGNATURE);
		expect(reads).toBe(0);
		// Both readings equal the raw bytes here, so neither is tried again.
		expect([forms[1].sign(KEY), forms[2].sign(KEY)]).toEqual(['', '']);
		expect(reads).toBe(2);
	});
});
