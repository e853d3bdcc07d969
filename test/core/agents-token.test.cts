/**
 * Agents gateway token (docs/protocol/koogallery-agents-apig.md §1.4 and vectors A1–A7): each token is
 * reproduced byte for byte from its header and payload, then verified or refused exactly as the
 * spec states at the stated `now`, with the window edges on both sides, key rotation, the length
 * cap and the header forms.
 */
import {
	AGENTS_TOKEN_MAX_LENGTH,
	agentsTimeToMs,
	signAgentsToken,
	verifyAgentsToken,
	type AgentsTokenResult,
} from '../../core/agents-token';
import { hmacSha256 } from '../../core/hmac';

const APP_KEY = 'd44cd9aa-e48e-be17-27f4-5ef3474797a1';
const APP_SECRET = 'kg-demo-app-secret-2025';
const TIMESTAMP = 1735689600000;
const EXP_MS = 1735689900000;
const NOW = 1735689700000;
const KEYS = [{ appKey: APP_KEY, appSecret: APP_SECRET }];

const A1 =
	'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2ExIiwiZXhwIjoxNzM1Njg5OTAwMDAwLCJ0aW1lc3RhbXAiOjE3MzU2ODk2MDAwMDB9.9jLpSv7FhMFgBUoq1ntl1Q2Rtfl4cw4PZTGQeCXgcgw';
const A2 =
	'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2ExIiwiZXhwIjoxNzM1Njg5OTAwMDAwLCJ0aW1lc3RhbXAiOjE3MzU2ODk2MDAwMDB9.apDYEZEt9MS9870pQXvjpGJ8yf7a2_-vwcqSRexQX6g';
const A3 =
	'eyJzaWduX3R5cGUiOiJTSUdOIiwidHlwIjoiSldUIiwiYWxnIjoiSFMyNTYifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2ExIiwiZXhwIjoxNzM1Njg5OTAwLCJ0aW1lc3RhbXAiOjE3MzU2ODk2MDAwMDB9.VwUz8uwqzmVrAZcPe6Vs0id6CKLAPagl5TEEBSDJNq4';
const A4 =
	'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2ExIiwidGltZXN0YW1wIjoxNzM1Njg5NjAwMDAwfQ.d41DrvreHhH61vMVqKYES7op-xVONpY5GVztk5SmLzU';
const A5 =
	'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2EyIiwiZXhwIjoxNzM1Njg5OTAwMDAwLCJ0aW1lc3RhbXAiOjE3MzU2ODk2MDAwMDB9.9jLpSv7FhMFgBUoq1ntl1Q2Rtfl4cw4PZTGQeCXgcgw';
const A6 =
	'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiZDQ0Y2Q5YWEtZTQ4ZS1iZTE3LTI3ZjQtNWVmMzQ3NDc5N2ExIiwiZXhwIjoxNzM1Njg5OTAwMDAwLCJ0aW1lc3RhbXAiOjE3MzU2ODk2MDAwMDB9.lSm2fVZp1B6_A-pP7YQWeOG_ZCnOjCXMoR_UKWtbU-Q';

const verify = (header: string | undefined, nowMs = NOW, keys = KEYS) =>
	verifyAgentsToken(header, { keys, nowMs });

const reasonOf = (result: AgentsTokenResult) => (result.ok ? 'ok' : result.reason);

/** Decodes a token's header and payload text, to check that signing wrote exactly these bytes. */
const partsOf = (token: string) =>
	token
		.split('.')
		.slice(0, 2)
		.map((part) => Buffer.from(part, 'base64url').toString('utf8'));

describe('signAgentsToken reproduces vectors A1–A4 byte for byte', () => {
	it('A1: default header, exp in milliseconds', () => {
		const token = signAgentsToken({
			appKey: APP_KEY,
			appSecret: APP_SECRET,
			timestampMs: TIMESTAMP,
			exp: EXP_MS,
		});
		expect(token).toBe(A1);
		expect(partsOf(token)).toEqual([
			'{"alg":"HS256","sign_type":"SIGN"}',
			`{"api_key":"${APP_KEY}","exp":1735689900000,"timestamp":1735689600000}`,
		]);
	});

	it('A2: java-jwt header with typ first', () => {
		expect(
			signAgentsToken({
				appKey: APP_KEY,
				appSecret: APP_SECRET,
				timestampMs: TIMESTAMP,
				exp: EXP_MS,
				header: { typ: 'JWT', alg: 'HS256', sign_type: 'SIGN' },
			}),
		).toBe(A2);
	});

	it('A3: exp in seconds', () => {
		expect(
			signAgentsToken({
				appKey: APP_KEY,
				appSecret: APP_SECRET,
				timestampMs: TIMESTAMP,
				exp: 1735689900,
				header: { sign_type: 'SIGN', typ: 'JWT', alg: 'HS256' },
			}),
		).toBe(A3);
	});

	it('A4: no exp', () => {
		const token = signAgentsToken({
			appKey: APP_KEY,
			appSecret: APP_SECRET,
			timestampMs: TIMESTAMP,
		});
		expect(token).toBe(A4);
		expect(partsOf(token)[1]).toBe(`{"api_key":"${APP_KEY}","timestamp":1735689600000}`);
	});

	it('A6: the same claims signed with "wrong-secret"', () => {
		expect(
			signAgentsToken({
				appKey: APP_KEY,
				appSecret: 'wrong-secret',
				timestampMs: TIMESTAMP,
				exp: EXP_MS,
			}),
		).toBe(A6);
	});
});

describe('verifyAgentsToken on vectors A1–A7', () => {
	it('A1 is valid at now = 1735689700000 and stale at 1735690000000 + 61 000', () => {
		expect(verify(A1)).toEqual({
			ok: true,
			apiKey: APP_KEY,
			timestampMs: TIMESTAMP,
			exp: EXP_MS,
			keyIndex: 0,
		});
		const late = verify(A1, 1735690000000 + 61_000);
		expect(reasonOf(late)).toBe('stale');
		expect(late.ok || late.message).toMatch(/461 s ago; at most 360 s/);
	});

	it('A2 is valid: the HMAC covers the received text, not a re-serialised header', () => {
		expect(verify(A2)).toMatchObject({ ok: true, apiKey: APP_KEY, exp: EXP_MS });
	});

	it('A3 is valid: exp in seconds is normalised', () => {
		expect(verify(A3)).toMatchObject({ ok: true, exp: 1735689900, timestampMs: TIMESTAMP });
		expect(agentsTimeToMs(1735689900)).toBe(EXP_MS);
		expect(agentsTimeToMs(EXP_MS)).toBe(EXP_MS);
	});

	it('A4 is valid without exp; freshness comes from timestamp alone', () => {
		const result = verify(A4);
		expect(result).toEqual({ ok: true, apiKey: APP_KEY, timestampMs: TIMESTAMP, keyIndex: 0 });
	});

	it('A5 (payload changed, signature kept) fails: unknown key, or signature if …97a2 were configured', () => {
		expect(reasonOf(verify(A5))).toBe('unknown-key');
		const both = [...KEYS, { appKey: `${APP_KEY.slice(0, -1)}2`, appSecret: APP_SECRET }];
		expect(reasonOf(verify(A5, NOW, both))).toBe('signature');
	});

	it('A6 (wrong secret) fails on the signature, and the message holds no secret', () => {
		const result = verify(A6);
		expect(reasonOf(result)).toBe('signature');
		expect(JSON.stringify(result)).not.toContain(APP_SECRET);
		expect(
			JSON.stringify(verify(A6, NOW, [{ appKey: APP_KEY, appSecret: 'wrong-secret' }])),
		).not.toContain('wrong-secret');
	});

	it.each([
		['Authorization: <A1>', A1],
		['Bearer <A1>', `Bearer ${A1}`],
		['bearer <A1>', `bearer ${A1}`],
		['with spaces around', `  Bearer   ${A1}  `],
	])('A7: %s verifies', (_name, header) => {
		expect(verify(header).ok).toBe(true);
	});

	it('A7: Basic <A1>, a 2-part token and alg none fail', () => {
		expect(reasonOf(verify(`Basic ${A1}`))).toBe('malformed');
		expect(reasonOf(verify(A1.split('.').slice(0, 2).join('.')))).toBe('malformed');
		expect(reasonOf(verify(`${A1}.x`))).toBe('malformed');
		const none = signAgentsToken({
			appKey: APP_KEY,
			appSecret: APP_SECRET,
			timestampMs: TIMESTAMP,
			header: { alg: 'none', sign_type: 'SIGN' },
		});
		expect(reasonOf(verify(none))).toBe('algorithm');
		// The classic unsigned form: alg none and an empty signature.
		const [, payload] = A1.split('.');
		const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
		expect(reasonOf(verify(unsigned))).toBe('malformed');
		const hs512 = signAgentsToken({
			appKey: APP_KEY,
			appSecret: APP_SECRET,
			timestampMs: TIMESTAMP,
			header: { alg: 'HS512' },
		});
		expect(reasonOf(verify(hs512))).toBe('algorithm');
	});
});

describe('verifyAgentsToken, other cases', () => {
	const make = (
		timestampMs: number,
		exp?: number,
		extra: Partial<Parameters<typeof signAgentsToken>[0]> = {},
	) => signAgentsToken({ appKey: APP_KEY, appSecret: APP_SECRET, timestampMs, exp, ...extra });

	it('accepts timestamp exactly at both window edges and refuses 1 ms beyond (300 s window + 60 s skew)', () => {
		expect(verify(make(NOW - 360_000), NOW).ok).toBe(true);
		expect(reasonOf(verify(make(NOW - 360_001), NOW))).toBe('stale');
		expect(verify(make(NOW + 60_000), NOW).ok).toBe(true);
		expect(reasonOf(verify(make(NOW + 60_001), NOW))).toBe('stale');
	});

	it('honours a custom window and skew', () => {
		const token = make(NOW - 100_000);
		expect(
			verifyAgentsToken(token, { keys: KEYS, nowMs: NOW, windowSeconds: 60, skewSeconds: 40 }).ok,
		).toBe(true);
		expect(
			reasonOf(
				verifyAgentsToken(token, { keys: KEYS, nowMs: NOW, windowSeconds: 60, skewSeconds: 39 }),
			),
		).toBe('stale');
	});

	it('refuses an expired exp in either unit, with the skew allowed past it', () => {
		const expMs = NOW - 60_000;
		expect(verify(make(NOW - 100_000, expMs)).ok).toBe(true);
		expect(reasonOf(verify(make(NOW - 100_000, expMs - 1)))).toBe('expired');
		expect(reasonOf(verify(make(NOW - 100_000, Math.floor((NOW - 61_000) / 1000) - 1)))).toBe(
			'expired',
		);
		expect(verify(make(NOW - 100_000, Math.floor(NOW / 1000))).ok).toBe(true);
	});

	it('reads a timestamp in seconds too (the reverse of A3)', () => {
		expect(verify(make(Math.floor(NOW / 1000) - 10, NOW + 200_000))).toMatchObject({
			ok: true,
			timestampMs: (Math.floor(NOW / 1000) - 10) * 1000,
		});
	});

	it('accepts a previous pair while rotating, by APP Key or by secret alone', () => {
		const keys = [
			{ appKey: 'new-app-key', appSecret: 'new-secret-2026' },
			{ appKey: APP_KEY, appSecret: APP_SECRET },
		];
		expect(verify(A1, NOW, keys)).toMatchObject({ ok: true, keyIndex: 1 });
		expect(
			verify(
				make(NOW, undefined, { appKey: 'new-app-key', appSecret: 'new-secret-2026' }),
				NOW,
				keys,
			),
		).toMatchObject({ ok: true, keyIndex: 0, apiKey: 'new-app-key' });
		const sameKey = [
			{ appKey: APP_KEY, appSecret: 'rotated-secret' },
			{ appKey: APP_KEY, appSecret: APP_SECRET },
		];
		expect(verify(A1, NOW, sameKey)).toMatchObject({ ok: true, keyIndex: 1 });
		expect(
			verify(make(NOW, undefined, { appSecret: 'rotated-secret' }), NOW, sameKey),
		).toMatchObject({ ok: true, keyIndex: 0 });
		expect(reasonOf(verify(A1, NOW, [sameKey[0]]))).toBe('signature');
	});

	it('skips empty pairs, so an empty secret never verifies anything', () => {
		const emptySecret = make(NOW, undefined, { appSecret: '' });
		expect(reasonOf(verify(emptySecret, NOW, [{ appKey: APP_KEY, appSecret: '' }]))).toBe(
			'unknown-key',
		);
		expect(reasonOf(verify(A1, NOW, []))).toBe('unknown-key');
	});

	it('caps the token length before parsing', () => {
		const long = make(NOW, undefined, {
			header: { alg: 'HS256', sign_type: 'SIGN', pad: 'x'.repeat(3000) },
		});
		expect(long.length).toBeGreaterThan(AGENTS_TOKEN_MAX_LENGTH);
		expect(verify(long)).toMatchObject({
			ok: false,
			reason: 'malformed',
			message: expect.stringMatching(/longer than 4096/),
		});
		const fits = make(NOW, undefined, { header: { alg: 'HS256', pad: 'x'.repeat(2000) } });
		expect(fits.length).toBeLessThanOrEqual(AGENTS_TOKEN_MAX_LENGTH);
		expect(verify(fits).ok).toBe(true);
	});

	it('refuses a missing header, junk, and claims of the wrong type', () => {
		expect(reasonOf(verify(undefined))).toBe('missing');
		expect(reasonOf(verify('   '))).toBe('missing');
		expect(reasonOf(verify('Bearer '))).toBe('malformed');
		expect(reasonOf(verify('a.b.c'))).toBe('malformed');
		expect(reasonOf(verify('a!.b.c'))).toBe('malformed');
		const sign = (header: object, payload: object) => {
			const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
			return `${input}.${hmacSha256(APP_SECRET, input).toString('base64url')}`;
		};
		const header = { alg: 'HS256', sign_type: 'SIGN' };
		expect(verify(sign(header, { api_key: APP_KEY, timestamp: NOW })).ok).toBe(true);
		expect(
			reasonOf(
				verify(sign({ alg: 'HS256', sign_type: 'OTHER' }, { api_key: APP_KEY, timestamp: NOW })),
			),
		).toBe('algorithm');
		expect(reasonOf(verify(sign(header, { api_key: APP_KEY, timestamp: String(NOW) })))).toBe(
			'malformed',
		);
		expect(reasonOf(verify(sign(header, { api_key: APP_KEY, timestamp: NOW + 0.5 })))).toBe(
			'malformed',
		);
		expect(reasonOf(verify(sign(header, { api_key: APP_KEY })))).toBe('malformed');
		expect(reasonOf(verify(sign(header, { api_key: '', timestamp: NOW })))).toBe('malformed');
		expect(reasonOf(verify(sign(header, { api_key: 42, timestamp: NOW })))).toBe('malformed');
		expect(reasonOf(verify(sign(header, { api_key: APP_KEY, timestamp: NOW, exp: 'soon' })))).toBe(
			'malformed',
		);
		expect(reasonOf(verify(sign([1], { api_key: APP_KEY, timestamp: NOW })))).toBe('malformed');
	});

	it('accepts defensive base64 padding on the parts, signing the text as received', () => {
		const [h, p] = A4.split('.');
		const padded = `${h}=.${p}`;
		const signed = `${padded}.${hmacSha256(APP_SECRET, padded).toString('base64url')}=`;
		expect(verify(signed).ok).toBe(true);
	});
});
