/**
 * KooGallery credential encryption (docs/protocol/README.md decision 6, docs/protocol/koogallery-saas-v2.md §5.2,
 * docs/protocol/koogallery-openapi-v1.md §C.6): AES-CBC with PKCS#5 padding, the key taken from Sun's `SHA1PRNG`
 * seeded with the seller's access key, wire form = 16-character alphanumeric IV + Base64(ciphertext).
 */
import {
	createCipheriv,
	createDecipheriv,
	createSecretKey,
	hash,
	randomInt,
	type KeyObject,
} from 'node:crypto';

/** `encryptType` on the wire: `'1'` = AES-256-CBC (the default), `'2'` = AES-128-CBC. */
export type EncryptType = '1' | '2';

/** The longest `userName` / `password` KooGallery accepts, counted on the IV plus the Base64 ciphertext. */
export const MAX_CREDENTIAL_LENGTH = 128;

/** Length of the IV text at the start of every encrypted value. */
export const IV_LENGTH = 16;

const BLOCK_SIZE = 16;
const SHA1_SIZE = 20;
const IV_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const IV_PATTERN = /^[A-Za-z0-9]{16}$/;
/**
 * Base64 as Huawei's decryption sample (`decryptMobilePhoneOrEMail`, docs/protocol/koogallery-openapi-v1.md
 * §C.6) reads it with Java's `Base64.getDecoder()`: the padding `=` may be left out, which
 * `java.util.Base64.Decoder` documents as "not required".
 */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
/**
 * The IV of a value to decrypt: any 16 ASCII characters, since Java's sample takes
 * `str.substring(0, 16).getBytes()` whatever they are (our own IVs are letters and digits only).
 */
const DECRYPT_IV_PATTERN = /^[\x20-\x7E]{16}$/;
const KEY_CACHE_SIZE = 16;

/** Characters an encrypted value of `plaintextBytes` UTF-8 bytes takes on the wire. */
function wireLength(plaintextBytes: number): number {
	const cipherBytes = (Math.floor(plaintextBytes / BLOCK_SIZE) + 1) * BLOCK_SIZE;
	return IV_LENGTH + 4 * Math.ceil(cipherBytes / 3);
}

/** The most UTF-8 bytes of plaintext whose encrypted form still fits in `MAX_CREDENTIAL_LENGTH` (79). */
export const MAX_CREDENTIAL_PLAINTEXT_BYTES = (() => {
	let bytes = 0;
	while (wireLength(bytes + 1) <= MAX_CREDENTIAL_LENGTH) bytes++;
	return bytes;
})();

/**
 * Raised for every encryption or decryption problem. The message is plain English and never
 * contains the key, the plaintext or the ciphertext.
 */
export class KooGalleryCryptoError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'KooGalleryCryptoError';
	}
}

/** True for the two `encryptType` values KooGallery defines. */
export function isEncryptType(value: unknown): value is EncryptType {
	return value === '1' || value === '2';
}

/** The OpenSSL cipher name for a key size (a constant string, as the cipher lookup prefers). */
const cipherName = (bits: 128 | 256): string => (bits === 256 ? 'aes-256-cbc' : 'aes-128-cbc');

function keyBits(encryptType: unknown): 128 | 256 {
	if (encryptType === '1') return 256;
	if (encryptType === '2') return 128;
	throw new KooGalleryCryptoError('encryptType must be "1" (AES-256) or "2" (AES-128).');
}

function sha1(data: Buffer): Buffer {
	return hash('sha1', data, 'buffer');
}

/** Reads a byte as Java's signed `byte` (-128..127). */
function signed(byte: number): number {
	return (byte << 24) >> 24;
}

/**
 * One step of Java's `sun.security.provider.SecureRandom.updateState`, in place: adds `output`
 * and 1 to `state` byte by byte from index 0, with Java's signed-byte arithmetic and arithmetic
 * carry shift; if no byte changed, increments `state[0]`. Exported for tests.
 */
export function updateSha1PrngState(state: Buffer, output: Buffer): void {
	let carry = 1;
	let changed = false;
	for (let i = 0; i < state.length; i++) {
		const sum = signed(state[i]) + signed(output[i]) + carry;
		const byte = sum & 0xff;
		changed = changed || state[i] !== byte;
		state[i] = byte;
		carry = sum >> 8;
	}
	if (!changed) state[0] = (state[0] + 1) & 0xff;
}

/**
 * The first `length` bytes Java's `SecureRandom.getInstance("SHA1PRNG")` returns from one
 * `nextBytes` call right after `setSeed(seed)` (Sun provider): state = SHA1(seed), then blocks of
 * SHA1(state), updating the state after each block.
 */
export function sha1PrngBytes(seed: Buffer, length: number): Buffer {
	const state = sha1(seed);
	const blocks: Buffer[] = [];
	for (let produced = 0; produced < length; produced += SHA1_SIZE) {
		const block = sha1(state);
		blocks.push(block);
		updateSha1PrngState(state, block);
	}
	return Buffer.concat(blocks).subarray(0, length);
}

const keyCache = new Map<string, KeyObject>();

function requireAccessKey(accessKey: unknown): string {
	if (typeof accessKey !== 'string' || accessKey.length === 0) {
		throw new KooGalleryCryptoError('The access key must be a non-empty string.');
	}
	return accessKey;
}

/**
 * The derived key from the cache (at most 16 recently used keys, indexed by a SHA-256 of bits and
 * key, so the cache never holds an access key), derived on a miss. Kept as a `KeyObject`, which
 * the ciphers take without copying.
 */
function cachedAesKey(accessKey: string, bits: 128 | 256): KeyObject {
	const key = requireAccessKey(accessKey);
	const cacheId = hash('sha256', `${bits}:${key}`, 'base64');
	let derived = keyCache.get(cacheId);
	if (derived) {
		if (keyCache.size > 1) {
			keyCache.delete(cacheId);
			keyCache.set(cacheId, derived);
		}
		return derived;
	}
	derived = createSecretKey(sha1PrngBytes(Buffer.from(key, 'utf8'), bits / 8));
	if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
	keyCache.set(cacheId, derived);
	return derived;
}

/**
 * The AES key Huawei's Java derives from the access key: `KeyGenerator("AES").init(bits,
 * SHA1PRNG seeded with accessKey's UTF-8 bytes)`. Recently used keys are cached; callers get
 * their own copy.
 */
export function deriveAesKey(accessKey: string, bits: 128 | 256): Buffer {
	requireAccessKey(accessKey);
	if (bits !== 128 && bits !== 256)
		throw new KooGalleryCryptoError('AES key size must be 128 or 256 bits.');
	return cachedAesKey(accessKey, bits).export();
}

/** A fresh IV: 16 characters drawn from [A-Za-z0-9] with `crypto.randomInt`. */
export function randomIv(): string {
	let iv = '';
	for (let i = 0; i < IV_LENGTH; i++) iv += IV_ALPHABET[randomInt(IV_ALPHABET.length)];
	return iv;
}

/**
 * Encrypts a `userName` or `password` for KooGallery: IV + Base64(AES-CBC-PKCS#5 of the UTF-8
 * text). Throws `KooGalleryCryptoError` if the result would exceed 128 characters (more than 79
 * bytes of UTF-8 text) or the IV is not 16 letters and digits.
 */
export function encryptCredential(
	accessKey: string,
	plaintext: string,
	encryptType: EncryptType = '1',
	iv: string = randomIv(),
): string {
	const bits = keyBits(encryptType);
	if (typeof iv !== 'string' || !IV_PATTERN.test(iv)) {
		throw new KooGalleryCryptoError('The IV must be 16 characters from A-Z, a-z and 0-9.');
	}
	if (typeof plaintext !== 'string')
		throw new KooGalleryCryptoError('The value to encrypt must be a string.');
	const bytes = Buffer.byteLength(plaintext, 'utf8');
	if (wireLength(bytes) > MAX_CREDENTIAL_LENGTH) {
		throw new KooGalleryCryptoError(
			`The encrypted value would be ${wireLength(bytes)} characters; KooGallery allows ${MAX_CREDENTIAL_LENGTH}, ` +
				`so the text may be at most ${MAX_CREDENTIAL_PLAINTEXT_BYTES} bytes of UTF-8 (it is ${bytes}).`,
		);
	}
	const cipher = createCipheriv(
		cipherName(bits),
		cachedAesKey(accessKey, bits),
		Buffer.from(iv, 'latin1'),
	);
	return iv + Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** AES-CBC decryption; undefined when the padding is wrong (node's own error text is dropped). */
function aesDecrypt(
	bits: 128 | 256,
	key: KeyObject,
	iv: string,
	ciphertext: Buffer,
): Buffer | undefined {
	try {
		const decipher = createDecipheriv(cipherName(bits), key, Buffer.from(iv, 'latin1'));
		return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
	} catch {
		return undefined;
	}
}

function decrypt(accessKey: string, wire: string, encryptType: EncryptType, what: string): string {
	const bits = keyBits(encryptType);
	if (typeof wire !== 'string')
		throw new KooGalleryCryptoError(`The encrypted ${what} must be a string.`);
	// A URL-decoded query turns an unescaped '+' into a space; a space is never valid Base64 and
	// never in an IV KooGallery makes (Java's sample picks letters and digits).
	const text = wire.replace(/ /g, '+');
	// 22 characters: one AES block in Base64 without its padding.
	if (text.length < IV_LENGTH + 22) {
		throw new KooGalleryCryptoError(
			`The encrypted ${what} has the wrong length: expected a 16-character IV followed by Base64 of whole AES blocks.`,
		);
	}
	const iv = text.slice(0, IV_LENGTH);
	if (!DECRYPT_IV_PATTERN.test(iv)) {
		throw new KooGalleryCryptoError(`The encrypted ${what} does not start with a 16-character IV.`);
	}
	const body = text.slice(IV_LENGTH);
	if (!BASE64_PATTERN.test(body))
		throw new KooGalleryCryptoError(`The encrypted ${what} is not valid Base64 after the IV.`);
	const ciphertext = Buffer.from(body, 'base64');
	if (ciphertext.length === 0 || ciphertext.length % BLOCK_SIZE !== 0) {
		throw new KooGalleryCryptoError(`The encrypted ${what} is not a whole number of AES blocks.`);
	}
	const plain = aesDecrypt(bits, cachedAesKey(accessKey, bits), iv, ciphertext);
	if (!plain) {
		throw new KooGalleryCryptoError(
			`The encrypted ${what} could not be decrypted (bad padding): wrong access key or wrong encryptType.`,
		);
	}
	const result = plain.toString('utf8');
	if (!Buffer.from(result, 'utf8').equals(plain)) {
		throw new KooGalleryCryptoError(
			`The decrypted ${what} is not valid UTF-8 text: wrong access key or wrong encryptType.`,
		);
	}
	return result;
}

/**
 * Decrypts a value made by `encryptCredential` (or by Huawei's Java sample) and returns the text.
 * Throws `KooGalleryCryptoError` for a wrong length, bad Base64 or a wrong key, and for input
 * longer than the 128-character field.
 */
export function decryptCredential(
	accessKey: string,
	wire: string,
	encryptType: EncryptType = '1',
): string {
	if (typeof wire === 'string' && wire.length > MAX_CREDENTIAL_LENGTH) {
		throw new KooGalleryCryptoError(
			`The encrypted credential is longer than the ${MAX_CREDENTIAL_LENGTH} characters KooGallery allows.`,
		);
	}
	return decrypt(accessKey, wire, encryptType, 'credential');
}

/**
 * Decrypts a buyer's `mobilePhone` or `email` as KooGallery sends it (16-character IV +
 * Base64 ciphertext, same key derivation). Throws `KooGalleryCryptoError` on any failure.
 */
export function decryptBuyerContact(
	accessKey: string,
	wire: string,
	encryptType: EncryptType = '1',
): string {
	return decrypt(accessKey, wire, encryptType, 'contact');
}
