import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import {
	IV_LENGTH,
	KooGalleryCryptoError,
	MAX_CREDENTIAL_LENGTH,
	MAX_CREDENTIAL_PLAINTEXT_BYTES,
	decryptBuyerContact,
	decryptCredential,
	deriveAesKey,
	encryptCredential,
	isEncryptType,
	randomIv,
	sha1PrngBytes,
	updateSha1PrngState,
	type EncryptType,
} from '../../core/credential-crypto';

// docs/protocol/koogallery-saas-v2.md T2 and docs/protocol/koogallery-openapi-v1.md TV6.
const T2_KEY = '0123456789abcdef-TEST-KEY-not-real';
const T2_IV = 'A1b2C3d4E5f6G7h8';
const TV6_KEY = 'xxxxxxx';

/** Deterministic PRNG (mulberry32) so the random loops are reproducible. */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function sha1(data: Buffer): Buffer {
	return createHash('sha1').update(data).digest();
}

// --- An independent model of SHA1PRNG: the state as a 160-bit number (byte 0 least significant).
// Java's updateState adds byte by byte with signed bytes and a floor carry. Summing its steps
// (v_i = t_i + 256 * carry_{i+1}) gives: newState = (S + O + 1) mod 2^160, where S and O are the
// values of state and output read with SIGNED digits (sum of int8(b_i) * 256^i). Reading them
// unsigned (plain 160-bit addition) is NOT the same thing; the tests below show it.
const MOD = 1n << 160n;

function toBig(bytes: Buffer, signedDigits: boolean): bigint {
	let value = 0n;
	for (let i = bytes.length - 1; i >= 0; i--) {
		const digit = signedDigits && bytes[i] >= 128 ? bytes[i] - 256 : bytes[i];
		value = value * 256n + BigInt(digit);
	}
	return ((value % MOD) + MOD) % MOD;
}

function fromBig(value: bigint): Buffer {
	const out = Buffer.alloc(20);
	let v = value;
	for (let i = 0; i < 20; i++) {
		out[i] = Number(v & 0xffn);
		v >>= 8n;
	}
	return out;
}

/** newState = state + output + 1 (mod 2^160); if nothing changed, byte 0 is incremented alone. */
function bigUpdate(state: Buffer, output: Buffer, signedDigits: boolean): Buffer {
	const old = toBig(state, false);
	let next = (toBig(state, signedDigits) + toBig(output, signedDigits) + 1n) % MOD;
	if (next === old) next = (next & ~0xffn) | ((next + 1n) & 0xffn);
	return fromBig(next);
}

function bigPrng(seed: Buffer, length: number, signedDigits = true): Buffer {
	let state = sha1(seed);
	const blocks: Buffer[] = [];
	for (let n = 0; n < length; n += 20) {
		const block = sha1(state);
		blocks.push(block);
		state = bigUpdate(state, block, signedDigits);
	}
	return Buffer.concat(blocks).subarray(0, length);
}

/** The carries Java's loop produces (for finding keys that take the rare carry paths). */
function carries(state: Buffer, output: Buffer): number[] {
	const result: number[] = [];
	let carry = 1;
	for (let i = 0; i < 20; i++) {
		const v = ((state[i] << 24) >> 24) + ((output[i] << 24) >> 24) + carry;
		carry = v >> 8;
		result.push(carry);
	}
	return result;
}

function expectCryptoError(fn: () => unknown, ...mustNotContain: string[]): KooGalleryCryptoError {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(KooGalleryCryptoError);
	const error = caught as KooGalleryCryptoError;
	expect(error.name).toBe('KooGalleryCryptoError');
	for (const secret of mustNotContain) expect(error.message).not.toContain(secret);
	return error;
}

describe('deriveAesKey (SHA1PRNG emulation)', () => {
	it('matches the T2 keys byte for byte', () => {
		expect(deriveAesKey(T2_KEY, 128).toString('hex')).toBe('e4706b2641e5daf8b528edbdd6e53804');
		expect(deriveAesKey(T2_KEY, 256).toString('hex')).toBe(
			'e4706b2641e5daf8b528edbdd6e53804358db26241622a89a6226ac5e767745f',
		);
	});

	it('matches the TV6 keys byte for byte', () => {
		expect(deriveAesKey(TV6_KEY, 256).toString('hex')).toBe(
			'c962ef8500ad13239b5ec0eb6a5c570b3cae0fd0e5c28e793eb6aaa22d251123',
		);
		expect(deriveAesKey(TV6_KEY, 128).toString('hex')).toBe('c962ef8500ad13239b5ec0eb6a5c570b');
	});

	it('gives SHA1(SHA1(key))[0:16] for AES-128 (§5.2)', () => {
		const expected = sha1(sha1(Buffer.from(T2_KEY, 'utf8'))).subarray(0, 16);
		expect(deriveAesKey(T2_KEY, 128).equals(expected)).toBe(true);
	});

	it('hands out copies: changing a returned key does not change later results', () => {
		const first = deriveAesKey(T2_KEY, 256);
		first.fill(0);
		expect(deriveAesKey(T2_KEY, 256).toString('hex')).toBe(
			'e4706b2641e5daf8b528edbdd6e53804358db26241622a89a6226ac5e767745f',
		);
	});

	it('stays correct after the cache has evicted a key', () => {
		const before = deriveAesKey(TV6_KEY, 256).toString('hex');
		for (let i = 0; i < 40; i++) deriveAesKey(`evict-${i}`, i % 2 ? 128 : 256);
		expect(deriveAesKey(TV6_KEY, 256).toString('hex')).toBe(before);
		expect(before).toBe('c962ef8500ad13239b5ec0eb6a5c570b3cae0fd0e5c28e793eb6aaa22d251123');
	});

	it('rejects an empty key and unknown sizes', () => {
		expectCryptoError(() => deriveAesKey('', 256));
		expectCryptoError(() => deriveAesKey(T2_KEY, 192 as 256), T2_KEY);
	});

	it('agrees with the signed-digit BigInt model for 1000 random keys (256-bit keys and 200-byte streams)', () => {
		const next = seeded(1000);
		let differsFromUnsigned = 0;
		for (let i = 0; i < 1000; i++) {
			const length = 1 + Math.floor(next() * 40);
			const seed = Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
			const key = seed.toString('latin1');
			const keyBytes = Buffer.from(key, 'utf8');
			expect(deriveAesKey(key, 256).equals(bigPrng(keyBytes, 32))).toBe(true);
			expect(deriveAesKey(key, 128).equals(bigPrng(keyBytes, 16))).toBe(true);
			expect(sha1PrngBytes(seed, 200).equals(bigPrng(seed, 200))).toBe(true);
			if (!deriveAesKey(key, 256).equals(bigPrng(keyBytes, 32, false))) differsFromUnsigned++;
		}
		// Plain unsigned 160-bit addition is a different function: it misses every one of them.
		expect(differsFromUnsigned).toBe(1000);
	});

	it('takes the rare carry paths (carry -1 and -2) exactly as the model does', () => {
		// Signed sums range from -257 to 255, so a carry is -2, -1 or 0 (never +1). Look for keys
		// whose first state update produces a -2 carry (state and output both 0x80 at one index
		// with a negative carry coming in), plus keys with many -1 carries.
		const withMinusTwo: string[] = [];
		const withManyMinusOne: string[] = [];
		for (let i = 0; i < 300_000 && withMinusTwo.length < 3; i++) {
			const key = `carry-${i}`;
			const state = sha1(Buffer.from(key, 'utf8'));
			const c = carries(state, sha1(state));
			if (c.includes(-2)) withMinusTwo.push(key);
			if (withManyMinusOne.length < 5 && c.filter((x) => x === -1).length >= 15)
				withManyMinusOne.push(key);
		}
		expect(withMinusTwo.length).toBe(3);
		expect(withManyMinusOne.length).toBe(5);
		for (const key of [...withMinusTwo, ...withManyMinusOne]) {
			const keyBytes = Buffer.from(key, 'utf8');
			const derived = deriveAesKey(key, 256);
			expect(derived.equals(bigPrng(keyBytes, 32))).toBe(true);
			expect(derived.equals(bigPrng(keyBytes, 32, false))).toBe(false);
		}
	});

	it('applies the !changed rule: an update that changes nothing bumps byte 0 only', () => {
		// state 0 + output (signed value -1) + 1 = state: no byte changes, so byte 0 goes to 1.
		const state = Buffer.alloc(20);
		const output = Buffer.alloc(20);
		output[0] = 0xff;
		const expected = bigUpdate(state, output, true);
		updateSha1PrngState(state, output);
		expect(state.toString('hex')).toBe('01' + '00'.repeat(19));
		expect(state.equals(expected)).toBe(true);
		// Byte 0 at 0xff: output bytes ff 01 (signed value -1 + 256 = 255) leave every byte as it was,
		// so byte 0 wraps to 0x00 with no carry into byte 1.
		const wrap = Buffer.alloc(20);
		wrap[0] = 0xff;
		const wrapOutput = Buffer.alloc(20);
		wrapOutput[0] = 0xff;
		wrapOutput[1] = 0x01;
		const wrapExpected = bigUpdate(wrap, wrapOutput, true);
		updateSha1PrngState(wrap, wrapOutput);
		expect(wrap.toString('hex')).toBe('00'.repeat(20));
		expect(wrap.equals(wrapExpected)).toBe(true);
	});

	it('matches the model on random states and outputs, including the all-0x80 worst case', () => {
		const next = seeded(7);
		const cases: [Buffer, Buffer][] = [[Buffer.alloc(20, 0x80), Buffer.alloc(20, 0x80)]];
		cases.push([Buffer.alloc(20, 0x7f), Buffer.alloc(20, 0x7f)]);
		for (let i = 0; i < 2000; i++) {
			const bytes = () =>
				Buffer.from(
					Array.from({ length: 20 }, () => (next() < 0.3 ? 0x80 : Math.floor(next() * 256))),
				);
			cases.push([bytes(), bytes()]);
		}
		for (const [state, output] of cases) {
			const expected = bigUpdate(state, output, true);
			const actual = Buffer.from(state);
			updateSha1PrngState(actual, output);
			expect(actual.toString('hex')).toBe(expected.toString('hex'));
		}
	});
});

describe('encryptCredential', () => {
	it.each([
		['1', 'admin', 'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw=='],
		['2', 'admin', 'A1b2C3d4E5f6G7h8xZoX7TTJ1Lm96f4df3BqmA=='],
		['1', 'Huawei@12345', 'A1b2C3d4E5f6G7h8u69Oak+I0q04Uwa2Cuxj9A=='],
		['1', '13800000000', 'A1b2C3d4E5f6G7h8z3Eg5QAG9OZ99ArOZK1Ywg=='],
	] as [EncryptType, string, string][])('T2: type %s, %s', (type, plaintext, expected) => {
		expect(encryptCredential(T2_KEY, plaintext, type, T2_IV)).toBe(expected);
	});

	it('TV6 vectors', () => {
		expect(encryptCredential(TV6_KEY, '15905222222', '1', 'abcdefgh12345678')).toBe(
			'abcdefgh12345678MZgye9ZJ/7vYk/loNYGkvg==',
		);
		expect(encryptCredential(TV6_KEY, '15905222222', '2', 'abcdefgh12345678')).toBe(
			'abcdefgh12345678Bp1JPH/S93DCSRE3+ZmlUQ==',
		);
		expect(
			encryptCredential('ExampleKey_123456', 'admin@example.com', '1', '0123456789abcdef'),
		).toBe('0123456789abcdefltrfl+fOfe1JU+QtTPm/kNK75oUFTonWkwdeifeNaHY=');
	});

	it('defaults to encryptType 1 (AES-256)', () => {
		expect(encryptCredential(T2_KEY, 'admin', undefined, T2_IV)).toBe(
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw==',
		);
	});

	it('uses a fresh random IV when none is given', () => {
		const a = encryptCredential(T2_KEY, 'admin');
		const b = encryptCredential(T2_KEY, 'admin');
		expect(a.slice(0, IV_LENGTH)).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(a).not.toBe(b);
		expect(decryptCredential(T2_KEY, a)).toBe('admin');
		expect(decryptCredential(T2_KEY, b)).toBe('admin');
	});

	it('rejects IVs that are not 16 alphanumerics', () => {
		for (const iv of [
			'A1b2C3d4E5f6G7h',
			'A1b2C3d4E5f6G7h8X',
			'A1b2C3d4E5f6G7h!',
			'A1b2C3d4E5f6G7hé',
			'',
		]) {
			expectCryptoError(() => encryptCredential(T2_KEY, 'admin', '1', iv), T2_KEY, 'admin');
		}
	});

	it('rejects an unknown encryptType', () => {
		expectCryptoError(
			() => encryptCredential(T2_KEY, 'admin', '3' as EncryptType, T2_IV),
			T2_KEY,
			'admin',
		);
	});

	it('enforces the 128-character field limit for both types', () => {
		expect(MAX_CREDENTIAL_LENGTH).toBe(128);
		// 79 bytes -> 80 bytes of ciphertext -> 108 Base64 chars -> 124 with the IV; 80 bytes -> 144.
		expect(MAX_CREDENTIAL_PLAINTEXT_BYTES).toBe(79);
		for (const type of ['1', '2'] as EncryptType[]) {
			const longest = 'p'.repeat(79);
			const wire = encryptCredential(T2_KEY, longest, type);
			expect(wire.length).toBe(124);
			expect(decryptCredential(T2_KEY, wire, type)).toBe(longest);
			const tooLong = 'q'.repeat(80);
			const error = expectCryptoError(
				() => encryptCredential(T2_KEY, tooLong, type),
				T2_KEY,
				tooLong,
			);
			expect(error.message).toContain('128');
			// Counted in UTF-8 bytes: 26 CJK characters are 78 bytes, 27 are 81.
			const chinese = '密'.repeat(26);
			expect(decryptCredential(T2_KEY, encryptCredential(T2_KEY, chinese, type), type)).toBe(
				chinese,
			);
			expectCryptoError(() => encryptCredential(T2_KEY, chinese + '码', type), T2_KEY, chinese);
		}
	});
});

describe('randomIv', () => {
	it('returns 16 alphanumerics and differs across calls', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200; i++) {
			const iv = randomIv();
			expect(iv).toMatch(/^[A-Za-z0-9]{16}$/);
			seen.add(iv);
		}
		expect(seen.size).toBe(200);
	});

	it('uses the whole alphabet', () => {
		const chars = new Set(Array.from({ length: 400 }, () => randomIv()).join(''));
		// 6400 draws from 62 symbols: missing one has probability about 62 * (61/62)^6400, i.e. never.
		expect(chars.size).toBe(62);
	});
});

describe('round trips', () => {
	const ascii = (next: () => number) => String.fromCharCode(32 + Math.floor(next() * 95));
	const chinese = (next: () => number) =>
		String.fromCharCode(0x4e00 + Math.floor(next() * (0x9fa5 - 0x4e00)));
	const astral = () => '😀';

	function randomText(next: () => number, pick: ((n: () => number) => string)[]): string {
		const target = Math.floor(next() * 90);
		let text = '';
		while (text.length < target) {
			const ch = pick[Math.floor(next() * pick.length)](next);
			if (Buffer.byteLength(text + ch, 'utf8') > MAX_CREDENTIAL_PLAINTEXT_BYTES) break;
			text += ch;
		}
		return text;
	}

	it.each([
		['1', 'ASCII', [ascii]],
		['2', 'ASCII', [ascii]],
		['1', 'Chinese and mixed', [chinese, ascii, astral]],
		['2', 'Chinese and mixed', [chinese, ascii, astral]],
	] as [EncryptType, string, ((n: () => number) => string)[]][])(
		'type %s, %s text, 200 random strings with random IVs',
		(type, _label, pick) => {
			const next = seeded(type === '1' ? 11 : 22);
			for (let i = 0; i < 200; i++) {
				const accessKey = randomBytes(16).toString('base64');
				const text = randomText(next, pick);
				const wire = encryptCredential(accessKey, text, type);
				expect(wire.length).toBeLessThanOrEqual(MAX_CREDENTIAL_LENGTH);
				expect(decryptCredential(accessKey, wire, type)).toBe(text);
				expect(decryptBuyerContact(accessKey, wire, type)).toBe(text);
				// Independent check of the cipher: node's AES with the derived key and the IV bytes.
				const bits = type === '1' ? 256 : 128;
				const iv = wire.slice(0, 16);
				const cipher = createCipheriv(
					`aes-${bits}-cbc`,
					deriveAesKey(accessKey, bits),
					Buffer.from(iv, 'utf8'),
				);
				const expected =
					iv + Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
				expect(wire).toBe(expected);
			}
		},
	);

	it('round-trips the empty string', () => {
		const wire = encryptCredential(T2_KEY, '', '2');
		expect(wire.length).toBe(16 + 24);
		expect(decryptCredential(T2_KEY, wire, '2')).toBe('');
	});
});

describe('decryptBuyerContact and decryptCredential', () => {
	it('decrypt the T2 mobile vector and the TV6 vectors', () => {
		expect(decryptBuyerContact(T2_KEY, 'A1b2C3d4E5f6G7h8z3Eg5QAG9OZ99ArOZK1Ywg==', '1')).toBe(
			'13800000000',
		);
		expect(decryptBuyerContact(TV6_KEY, 'abcdefgh12345678MZgye9ZJ/7vYk/loNYGkvg==', '1')).toBe(
			'15905222222',
		);
		expect(decryptBuyerContact(TV6_KEY, 'abcdefgh12345678Bp1JPH/S93DCSRE3+ZmlUQ==', '2')).toBe(
			'15905222222',
		);
		expect(
			decryptBuyerContact(
				'ExampleKey_123456',
				'0123456789abcdefltrfl+fOfe1JU+QtTPm/kNK75oUFTonWkwdeifeNaHY=',
				'1',
			),
		).toBe('admin@example.com');
		expect(decryptCredential(T2_KEY, 'A1b2C3d4E5f6G7h8xZoX7TTJ1Lm96f4df3BqmA==', '2')).toBe(
			'admin',
		);
		expect(decryptCredential(T2_KEY, 'A1b2C3d4E5f6G7h8u69Oak+I0q04Uwa2Cuxj9A==')).toBe(
			'Huawei@12345',
		);
	});

	it("accepts a '+' that URL decoding turned into a space", () => {
		expect(decryptBuyerContact(T2_KEY, 'A1b2C3d4E5f6G7h8u69Oak I0q04Uwa2Cuxj9A==', '1')).toBe(
			'Huawei@12345',
		);
	});

	it('a wrong key fails with a plain error that leaks neither key nor plaintext', () => {
		const secretKey = 'seller-secret-key-5f2c9a';
		const otherKey = 'another-secret-key-77e1b0';
		const plaintext = 'TopSecretPassword#2024';
		for (const type of ['1', '2'] as EncryptType[]) {
			const wire = encryptCredential(secretKey, plaintext, type, 'Zz9Yy8Xx7Ww6Vv5U');
			for (const decryptFn of [decryptCredential, decryptBuyerContact]) {
				const error = expectCryptoError(
					() => decryptFn(otherKey, wire, type),
					secretKey,
					otherKey,
					plaintext,
					wire.slice(16),
				);
				expect(error.message).toMatch(/wrong access key/);
				expect(error.message).not.toMatch(/bad decrypt|error:|EVP|digital envelope/i);
			}
		}
	});

	it('a wrong encryptType fails cleanly', () => {
		expectCryptoError(
			() => decryptCredential(T2_KEY, 'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw==', '2'),
			T2_KEY,
		);
		expectCryptoError(() =>
			decryptCredential(T2_KEY, 'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw==', '9' as EncryptType),
		);
	});

	it('reject wrong lengths, bad IVs and bad Base64 with plain messages', () => {
		const bad = [
			'', // empty
			'A1b2C3d4E5f6G7h8', // IV only
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBY', // Base64 cut short
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw=', // half the padding of a 2-character tail
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkB*w==', // not Base64
			'A1b2C3d4E5f6G7h8ocZBbgLM=Rm6gla1CdkBYw==', // padding in the middle
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw=A', // padding then data
			'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYwAA', // 30 bytes, not whole AES blocks
			'A1b2C3d4\u00e95f6G7h8ocZBbgLMeRm6gla1CdkBYw==', // IV with a non-ASCII character (17 bytes)
		];
		for (const wire of bad) {
			expectCryptoError(() => decryptCredential(T2_KEY, wire, '1'), T2_KEY);
			expectCryptoError(() => decryptBuyerContact(T2_KEY, wire, '1'), T2_KEY);
		}
		expectCryptoError(() => decryptBuyerContact(T2_KEY, 42 as unknown as string, '1'));
		expectCryptoError(() =>
			decryptBuyerContact('', 'A1b2C3d4E5f6G7h8ocZBbgLMeRm6gla1CdkBYw==', '1'),
		);
	});

	it('decryptCredential refuses values longer than the field; decryptBuyerContact has no such limit', () => {
		const email = `${'very.long.mailbox.name'.repeat(5)}@example.com`;
		const iv = 'Qq1Ww2Ee3Rr4Tt5Y';
		const cipher = createCipheriv(
			'aes-256-cbc',
			deriveAesKey(T2_KEY, 256),
			Buffer.from(iv, 'utf8'),
		);
		const wire =
			iv + Buffer.concat([cipher.update(email, 'utf8'), cipher.final()]).toString('base64');
		expect(wire.length).toBeGreaterThan(MAX_CREDENTIAL_LENGTH);
		expect(decryptBuyerContact(T2_KEY, wire, '1')).toBe(email);
		expectCryptoError(() => decryptCredential(T2_KEY, wire, '1'), T2_KEY, email);
	});

	it('isEncryptType accepts exactly "1" and "2"', () => {
		expect(['1', '2', 1, 2, '3', '', undefined, null, '01'].map(isEncryptType)).toEqual([
			true,
			true,
			false,
			false,
			false,
			false,
			false,
			false,
			false,
		]);
	});
});

/**
 * Huawei's decryption sample (`decryptMobilePhoneOrEMail`, docs/protocol/koogallery-openapi-v1.md
 * §C.6, a public copy: com.kuyun.common.util.HuaWeiSaasUtil) takes `str.substring(0, 16)` as the IV
 * whatever its characters, and decodes the rest with `java.util.Base64.getDecoder()`, for which the
 * padding is "not required". Decryption here accepts the same, and still refuses a wrong key.
 */
describe("decryption as lenient as Huawei's Java sample", () => {
	const encryptWithIv = (key: string, iv: string, text: string, bits: 128 | 256 = 256) => {
		const cipher = createCipheriv(
			`aes-${bits}-cbc`,
			deriveAesKey(key, bits),
			Buffer.from(iv, 'utf8'),
		);
		return iv + Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
	};

	it('decrypts the spec vector TV6 with and without its Base64 padding', () => {
		for (const wire of [
			'abcdefgh12345678MZgye9ZJ/7vYk/loNYGkvg==',
			'abcdefgh12345678MZgye9ZJ/7vYk/loNYGkvg',
		]) {
			expect(decryptBuyerContact(TV6_KEY, wire, '1')).toBe('15905222222');
		}
		expect(decryptBuyerContact(TV6_KEY, 'abcdefgh12345678Bp1JPH/S93DCSRE3+ZmlUQ', '2')).toBe(
			'15905222222',
		);
	});

	it('round-trips an IV with + and /, and any tail length Base64 allows, padded or not', () => {
		for (const [iv, text] of [
			['ab+/cd+/ef+/gh+/', 'admin@example.com'],
			['++++////++++////', '13800000000'],
			['A1b2C3d4E5f6G7h!', 'a password of thirty-two bytes!!'],
		]) {
			const padded = encryptWithIv(T2_KEY, iv, text);
			const unpadded = padded.replace(/=+$/, '');
			expect(decryptBuyerContact(T2_KEY, padded, '1')).toBe(text);
			expect(decryptBuyerContact(T2_KEY, unpadded, '1')).toBe(text);
			expect(decryptCredential(T2_KEY, unpadded, '1')).toBe(text);
			// A '+' turned into a space by a URL decoder is read back as '+'.
			expect(decryptBuyerContact(T2_KEY, unpadded.replace(/\+/g, ' '), '1')).toBe(text);
			expectCryptoError(() => decryptBuyerContact('another-key-0000', unpadded, '1'), T2_KEY, text);
		}
	});
});
