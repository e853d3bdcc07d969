/**
 * The SSO client secret as applicationSync delivers it: RSA-OAEP with the seller's public key
 * (docs/protocol/koogallery-joint-license.md §0.3, hash UNCONFIRMED). Node's own OAEP encryption makes the
 * SHA-256 and SHA-1 ciphertexts; Java's SunJCE default for "OAEPWithSHA-256AndMGF1Padding"
 * (SHA-256 label hash, MGF1 with SHA-1) is made with a test-side OAEP encoder that is first
 * checked against node's own decryption for the two variants node supports.
 */
import {
	constants,
	createHash,
	generateKeyPairSync,
	privateDecrypt,
	publicEncrypt,
	randomBytes,
	type KeyObject,
} from 'node:crypto';

import {
	ciphertextBytes,
	decryptRsaSecret,
	looksRsaEncrypted,
	modulusBytes,
	oaepDecode,
	readRsaPrivateKey,
	RsaSecretError,
} from '../../core/rsa-secret';

const pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
const other = generateKeyPairSync('rsa', { modulusLength: 3072 });
const SECRET = 'sso-client-secret-0123456789-ABCDEF';

/** RFC 8017 §7.1.1 EME-OAEP encoding, empty label, chosen label hash and MGF1 hash. */
function oaepEncode(message: Buffer, k: number, hash: string, mgfHash: string): Buffer {
	const hLen = createHash(hash).digest().length;
	const mgf1 = (seed: Buffer, length: number) => {
		const out: Buffer[] = [];
		for (let c = 0; Buffer.concat(out).length < length; c++) {
			const counter = Buffer.alloc(4);
			counter.writeUInt32BE(c);
			out.push(createHash(mgfHash).update(seed).update(counter).digest());
		}
		return Buffer.concat(out).subarray(0, length);
	};
	const ps = Buffer.alloc(k - message.length - 2 * hLen - 2);
	const db = Buffer.concat([createHash(hash).digest(), ps, Buffer.from([1]), message]);
	const seed = randomBytes(hLen);
	const maskedDb = Buffer.from(db.map((b, i) => b ^ mgf1(seed, db.length)[i]));
	const maskedSeed = Buffer.from(seed.map((b, i) => b ^ mgf1(maskedDb, hLen)[i]));
	return Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
}

function rawEncrypt(key: KeyObject, encoded: Buffer): string {
	return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, encoded).toString('base64');
}

const nodeOaep = (hash: string, text = SECRET, key = pair.publicKey) =>
	publicEncrypt(
		{ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
		Buffer.from(text),
	);

describe('the test-side OAEP encoder', () => {
	it('produces what node decrypts, for SHA-256 and SHA-1', () => {
		for (const hash of ['sha256', 'sha1']) {
			const encoded = oaepEncode(Buffer.from(SECRET), 384, hash, hash);
			const ciphertext = Buffer.from(rawEncrypt(pair.publicKey, encoded), 'base64');
			const plain = privateDecrypt(
				{ key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
				ciphertext,
			);
			expect(plain.toString()).toBe(SECRET);
		}
	});
});

describe('decryptRsaSecret', () => {
	const key = pair.privateKey;

	it('opens OAEP SHA-256 (node, OpenSSL), SHA-256 with MGF1-SHA-1 (Java SunJCE) and SHA-1', () => {
		expect(decryptRsaSecret(key, nodeOaep('sha256').toString('base64'))).toEqual({
			secret: SECRET,
			variant: 'sha256',
		});
		const java = rawEncrypt(pair.publicKey, oaepEncode(Buffer.from(SECRET), 384, 'sha256', 'sha1'));
		expect(decryptRsaSecret(key, java)).toEqual({ secret: SECRET, variant: 'sha256-mgf1-sha1' });
		expect(decryptRsaSecret(key, nodeOaep('sha1').toString('base64'))).toEqual({
			secret: SECRET,
			variant: 'sha1',
		});
	});

	it('accepts URL-safe Base64 without padding, Base64 with line breaks, and hex', () => {
		const bytes = nodeOaep('sha256');
		const urlSafe = bytes.toString('base64url');
		const wrapped = bytes.toString('base64').replace(/(.{64})/g, '$1\n');
		for (const text of [urlSafe, wrapped, bytes.toString('hex')])
			expect(decryptRsaSecret(key, text).secret).toBe(SECRET);
	});

	it('keeps UTF-8 secrets intact', () => {
		const text = 'clé-秘密-🔑';
		expect(decryptRsaSecret(key, nodeOaep('sha1', text).toString('base64')).secret).toBe(text);
	});

	it('refuses a ciphertext for another key pair, a tampered one and PKCS#1 v1.5, without leaking', () => {
		const foreign = nodeOaep('sha256', SECRET, other.publicKey).toString('base64');
		const tampered = nodeOaep('sha256');
		tampered[200] ^= 1;
		const v15 = publicEncrypt(
			{ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING },
			Buffer.from(SECRET),
		).toString('base64');
		const aboveModulus = Buffer.alloc(384, 0xff).toString('base64');
		for (const text of [foreign, tampered.toString('base64'), v15, aboveModulus]) {
			let error: unknown;
			try {
				decryptRsaSecret(key, text);
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(RsaSecretError);
			expect((error as Error).message).toBe(
				'The encrypted client secret could not be decrypted with this private key: it was encrypted for another key pair, or not with RSA-OAEP (SHA-256 or SHA-1).',
			);
			expect((error as Error).message).not.toContain(text.slice(0, 20));
			expect((error as Error).message).not.toContain(SECRET);
		}
	});

	it('says when the text is not a ciphertext for this key size', () => {
		expect(() => decryptRsaSecret(key, 'plain-client-secret')).toThrow(
			'The encrypted client secret is not Base64 or hex of 384 bytes, the size of a ciphertext for this 3072-bit key.',
		);
		const short = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const for2048 = publicEncrypt(
			{ key: short.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
			Buffer.from(SECRET),
		).toString('base64');
		expect(() => decryptRsaSecret(key, for2048)).toThrow(/not Base64 or hex of 384 bytes/);
		expect(decryptRsaSecret(short.privateKey, for2048).secret).toBe(SECRET);
	});
});

describe('oaepDecode', () => {
	it('rejects a wrong leading byte, a wrong label hash and a missing separator', () => {
		const good = oaepEncode(Buffer.from('x'), 384, 'sha256', 'sha256');
		expect(oaepDecode(good, 'sha256')?.toString()).toBe('x');
		expect(oaepDecode(good, 'sha1')).toBeUndefined();
		const lead = Buffer.from(good);
		lead[0] = 1;
		expect(oaepDecode(lead, 'sha256')).toBeUndefined();
		expect(oaepDecode(Buffer.alloc(384), 'sha256')).toBeUndefined();
		expect(oaepDecode(Buffer.alloc(20), 'sha256')).toBeUndefined();
	});
});

describe('readRsaPrivateKey', () => {
	const pkcs8 = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
	const pkcs1 = pair.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
	const der8 = (pair.privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString(
		'base64',
	);
	const der1 = (pair.privateKey.export({ format: 'der', type: 'pkcs1' }) as Buffer).toString(
		'base64',
	);
	const encrypted = pair.privateKey.export({
		format: 'pem',
		type: 'pkcs8',
		cipher: 'aes-256-cbc',
		passphrase: 'pass-phrase',
	}) as string;
	const ciphertext = nodeOaep('sha256').toString('base64');

	it('reads PKCS#8 and PKCS#1 PEM, bare DER Base64, escaped line breaks and an encrypted PEM', () => {
		for (const text of [pkcs8, pkcs1, der8, der1, pkcs8.replace(/\n/g, '\\n')]) {
			const key = readRsaPrivateKey(text);
			expect(modulusBytes(key)).toBe(384);
			expect(decryptRsaSecret(key, ciphertext).secret).toBe(SECRET);
		}
		expect(decryptRsaSecret(readRsaPrivateKey(encrypted, 'pass-phrase'), ciphertext).secret).toBe(
			SECRET,
		);
	});

	it('explains an empty, cut, non-RSA or locked key without echoing it', () => {
		expect(() => readRsaPrivateKey('')).toThrow('The RSA private key is empty.');
		expect(() => readRsaPrivateKey(pkcs8.slice(0, 300))).toThrow(
			/could not be read: copy the whole key/,
		);
		expect(() => readRsaPrivateKey('not a key at all!')).toThrow(/neither PEM/);
		expect(() => readRsaPrivateKey(encrypted, 'wrong')).toThrow(/passphrase is missing or wrong/);
		const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
			format: 'pem',
			type: 'pkcs8',
		}) as string;
		expect(() => readRsaPrivateKey(ec)).toThrow(
			'The private key is a ec key; it must be an RSA key.',
		);
	});
});

describe('looksRsaEncrypted and ciphertextBytes', () => {
	it('recognise only ciphertext-sized Base64 or hex', () => {
		const key = pair.privateKey;
		expect(looksRsaEncrypted(nodeOaep('sha256').toString('base64'), key)).toBe(true);
		expect(looksRsaEncrypted('abc123', key)).toBe(false);
		expect(looksRsaEncrypted(randomBytes(256).toString('base64'), key)).toBe(false);
		expect(ciphertextBytes('!!', 1)).toBeUndefined();
		expect(ciphertextBytes('zz', 2)).toBeUndefined();
		expect(ciphertextBytes('0aff', 2)).toEqual(Buffer.from([0x0a, 0xff]));
	});
});
