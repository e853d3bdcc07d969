/**
 * The single sign-on client secret as KooGallery delivers it in the joint-operation kit's
 * `applicationSync` (docs/protocol/koogallery-joint-license.md §2, §0.3): RSA-encrypted with the public key the
 * seller gave when creating the application (at least 3072 bits, OAEP padding). Huawei does not
 * say which OAEP hash it uses, nor the text encoding of the ciphertext (UNCONFIRMED, §0.3), so
 * this module tries every OAEP variant a Java or OpenSSL sender produces, most likely first:
 *
 * 1. `sha256`: OAEP with SHA-256 and MGF1-SHA-256 (OpenSSL, Node, Java with explicit
 *    `OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, ...)`);
 * 2. `sha256-mgf1-sha1`: OAEP with SHA-256 and MGF1-SHA-1, which is what Java's SunJCE gives for
 *    `Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding")` without parameters;
 * 3. `sha1`: OAEP with SHA-1 and MGF1-SHA-1 (Java's `RSA/ECB/OAEPPadding`, the OAEP default).
 *
 * OAEP carries its own integrity check (a hash of the empty label and a 0x01 separator), so a
 * wrong variant or a wrong key fails instead of giving garbage. The ciphertext may be Base64
 * (standard or URL-safe, with or without padding) or hex. The raw RSA step is node's
 * `privateDecrypt` without padding; the OAEP decoding (RFC 8017 §7.1.2) is done here because node
 * cannot set the MGF1 hash apart from the OAEP hash.
 */
import {
	constants,
	createHash,
	createPrivateKey,
	privateDecrypt,
	timingSafeEqual,
	type KeyObject,
} from 'node:crypto';

/** The OAEP variants tried, in this order. */
const OAEP_VARIANTS = ['sha256', 'sha256-mgf1-sha1', 'sha1'] as const;
export type OaepVariant = (typeof OAEP_VARIANTS)[number];

const VARIANT_HASHES: Record<OaepVariant, { hash: 'sha256' | 'sha1'; mgf1: 'sha256' | 'sha1' }> = {
	sha256: { hash: 'sha256', mgf1: 'sha256' },
	'sha256-mgf1-sha1': { hash: 'sha256', mgf1: 'sha1' },
	sha1: { hash: 'sha1', mgf1: 'sha1' },
};

/**
 * Raised for every problem with the private key or the encrypted secret. The message is plain
 * English and never contains the key, the ciphertext or the secret.
 */
export class RsaSecretError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RsaSecretError';
	}
}

/**
 * Reads an RSA private key: PEM (`BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY`, or an encrypted
 * `BEGIN ENCRYPTED PRIVATE KEY` with its passphrase), or the bare Base64 of a PKCS#8 or PKCS#1 DER
 * key as Java tools print it. Line breaks written as `\n` (two characters) are accepted too.
 */
export function readRsaPrivateKey(text: string, passphrase?: string): KeyObject {
	if (typeof text !== 'string' || text.trim() === '')
		throw new RsaSecretError('The RSA private key is empty.');
	const cleaned = text.replace(/\\n/g, '\n').trim();
	const attempts: Array<() => KeyObject> = [];
	if (cleaned.includes('-----BEGIN')) {
		attempts.push(() =>
			createPrivateKey({ key: cleaned, format: 'pem', passphrase: passphrase || undefined }),
		);
	} else {
		const compact = cleaned.replace(/\s+/g, '');
		if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
			throw new RsaSecretError(
				'The RSA private key is neither PEM (-----BEGIN PRIVATE KEY-----) nor Base64 of a DER key.',
			);
		const der = Buffer.from(compact, 'base64');
		attempts.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
		attempts.push(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
	}
	for (const attempt of attempts) {
		let key: KeyObject;
		try {
			key = attempt();
		} catch {
			continue;
		}
		if (key.asymmetricKeyType !== 'rsa')
			throw new RsaSecretError(
				`The private key is a ${String(key.asymmetricKeyType)} key; it must be an RSA key.`,
			);
		return key;
	}
	throw new RsaSecretError(
		cleaned.includes('ENCRYPTED')
			? 'The RSA private key could not be read: it is encrypted, and the passphrase is missing or wrong.'
			: 'The RSA private key could not be read: copy the whole key, including its BEGIN and END lines.',
	);
}

/** Size of the key's modulus in bytes (384 for a 3072-bit key). */
export function modulusBytes(key: KeyObject): number {
	const bits = key.asymmetricKeyDetails?.modulusLength;
	if (!bits) throw new RsaSecretError('The RSA private key has no readable modulus.');
	return Math.ceil(bits / 8);
}

/**
 * The ciphertext bytes of `text` if it is Base64 (standard or URL-safe) or hex of exactly
 * `length` bytes; undefined otherwise.
 */
export function ciphertextBytes(text: string, length: number): Buffer | undefined {
	if (typeof text !== 'string') return undefined;
	const compact = text.replace(/\s+/g, '');
	if (/^[0-9a-fA-F]+$/.test(compact) && compact.length === 2 * length)
		return Buffer.from(compact, 'hex');
	if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
	const bytes = Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	return bytes.length === length ? bytes : undefined;
}

/** True when `text` has the shape of a ciphertext for this key (Base64 or hex of the modulus size). */
export function looksRsaEncrypted(text: string, key: KeyObject): boolean {
	return ciphertextBytes(text, modulusBytes(key)) !== undefined;
}

/** MGF1 (RFC 8017 §B.2.1) with the given hash. */
function mgf1(seed: Buffer, length: number, hash: 'sha256' | 'sha1'): Buffer {
	const blocks: Buffer[] = [];
	let produced = 0;
	for (let counter = 0; produced < length; counter++) {
		const c = Buffer.alloc(4);
		c.writeUInt32BE(counter);
		const block = createHash(hash).update(seed).update(c).digest();
		blocks.push(block);
		produced += block.length;
	}
	return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
	const out = Buffer.alloc(a.length);
	for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
	return out;
}

/**
 * EME-OAEP decoding (RFC 8017 §7.1.2 step 3) of the `k`-byte encoded message, empty label.
 * Undefined when the encoding is not valid for this variant. Every check runs before the answer
 * is decided, so the variants cannot be told apart by where decoding stopped.
 */
export function oaepDecode(encoded: Buffer, variant: OaepVariant): Buffer | undefined {
	const { hash, mgf1: mgfHash } = VARIANT_HASHES[variant];
	const hLen = createHash(hash).digest().length;
	const k = encoded.length;
	if (k < 2 * hLen + 2) return undefined;
	const maskedSeed = encoded.subarray(1, 1 + hLen);
	const maskedDb = encoded.subarray(1 + hLen);
	const seed = xor(maskedSeed, mgf1(maskedDb, hLen, mgfHash));
	const db = xor(maskedDb, mgf1(seed, k - hLen - 1, mgfHash));
	const labelHash = createHash(hash).digest();
	let good = encoded[0] === 0 ? 1 : 0;
	good &= timingSafeEqual(db.subarray(0, hLen), labelHash) ? 1 : 0;
	let separator = -1;
	let paddingOk = 1;
	for (let i = hLen; i < db.length; i++) {
		if (separator === -1) {
			if (db[i] === 0x01) separator = i;
			else if (db[i] !== 0x00) paddingOk = 0;
		}
	}
	good &= paddingOk & (separator === -1 ? 0 : 1);
	return good === 1 ? db.subarray(separator + 1) : undefined;
}

/** The outcome of decrypting a client secret: the text and which OAEP variant opened it. */
export interface DecryptedSecret {
	secret: string;
	variant: OaepVariant;
}

/**
 * Decrypts a client secret encrypted with the seller's RSA public key, trying the OAEP variants
 * in {@link OAEP_VARIANTS} order. Throws `RsaSecretError` when the text is not a ciphertext for
 * this key or no variant opens it (a different key pair, or not OAEP).
 */
export function decryptRsaSecret(key: KeyObject, ciphertext: string): DecryptedSecret {
	const k = modulusBytes(key);
	const bytes = ciphertextBytes(ciphertext, k);
	if (!bytes)
		throw new RsaSecretError(
			`The encrypted client secret is not Base64 or hex of ${k} bytes, the size of a ciphertext for this ${k * 8}-bit key.`,
		);
	const refused = new RsaSecretError(
		'The encrypted client secret could not be decrypted with this private key: it was encrypted for another key pair, or not with RSA-OAEP (SHA-256 or SHA-1).',
	);
	let raw: Buffer | undefined;
	try {
		raw = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, bytes);
	} catch {
		// A value at or above this key's modulus: made for another key pair.
		raw = undefined;
	}
	if (!raw) throw refused;
	const encoded = raw.length < k ? Buffer.concat([Buffer.alloc(k - raw.length), raw]) : raw;
	for (const variant of OAEP_VARIANTS) {
		const plain = oaepDecode(encoded, variant);
		if (!plain) continue;
		const secret = plain.toString('utf8');
		if (Buffer.from(secret, 'utf8').equals(plain)) return { secret, variant };
	}
	throw refused;
}
