/**
 * What every KooGallery request verifier shares: reading the signing parameters, the timestamp
 * window, the nonce replay cache and trying each configured key (current, then previous).
 * Verifiers never throw on bad input; they return a failure that says exactly why.
 */

/** Why a request was refused. Callers map this to a result code and a plain message. */
export type VerificationFailureReason =
	| 'missingParameter'
	| 'malformedParameter'
	| 'duplicateParameter'
	| 'staleTimestamp'
	| 'replayedNonce'
	| 'badSignature'
	| 'noKey';

export interface VerificationFailure {
	ok: false;
	reason: VerificationFailureReason;
	/** Plain-English explanation for the operator. Never contains a key. */
	message: string;
	/** The parameter or header at fault, when there is one. */
	parameter?: string;
}

export interface VerificationSuccess {
	ok: true;
	/** 0 = current key, 1 = previous key (during a key rotation). */
	keyIndex: number;
	/** The key that verified the request; answer with this key. */
	key: string;
	/** Which reading of the body matched (for example `raw` or `canonical`). */
	form: string;
	timestampMs: number;
	nonce?: string;
	/** Our clock minus the caller's, in milliseconds. */
	skewMs: number;
}

export type VerificationResult = VerificationSuccess | VerificationFailure;

/** Default timestamp tolerance, both directions (docs/protocol/README.md decision 2). */
const DEFAULT_TOLERANCE_MS = 60_000;

/** What every verifier takes besides the request itself: the keys, the clock and the replay cache. */
export interface VerifyOptions {
	/** Current key first, then the previous one during a rotation; empty entries are skipped. */
	keys: ReadonlyArray<string | undefined>;
	nowMs?: number;
	toleranceMs?: number;
	nonceStore?: NonceStore;
	/** How long a nonce is remembered; default twice the tolerance. */
	nonceTtlMs?: number;
}

/** Remembers nonces to refuse replays. Implementations may be shared between processes. */
export interface NonceStore {
	/** Returns true if the nonce is new (and remembers it until `nowMs + ttlMs`), false if seen. */
	checkAndRemember(nonce: string, nowMs: number, ttlMs: number): boolean;
}

/**
 * In-memory nonce cache with a size bound: expired entries are dropped first, then the oldest.
 * It protects one process; replays that reach another process are harmless because the
 * workflows are idempotent (docs/protocol/README.md decision 8).
 */
export class MemoryNonceStore implements NonceStore {
	private readonly seen = new Map<string, number>();

	constructor(readonly maxEntries = 50_000) {}

	get size(): number {
		return this.seen.size;
	}

	checkAndRemember(nonce: string, nowMs: number, ttlMs: number): boolean {
		const expiresAt = this.seen.get(nonce);
		if (expiresAt !== undefined && expiresAt > nowMs) return false;
		this.seen.delete(nonce);
		this.prune(nowMs);
		this.seen.set(nonce, nowMs + ttlMs);
		return true;
	}

	/** Entries are kept in insertion order: drop expired ones from the front, and the oldest when full. */
	private prune(nowMs: number): void {
		for (const [nonce, expiresAt] of this.seen) {
			if (expiresAt > nowMs && this.seen.size < this.maxEntries) return;
			this.seen.delete(nonce);
		}
	}
}

export function failure(
	reason: VerificationFailureReason,
	message: string,
	parameter?: string,
): VerificationFailure {
	return parameter === undefined
		? { ok: false, reason, message }
		: { ok: false, reason, message, parameter };
}

/**
 * Reads one parameter from a parsed query string or header map. Arrays (a repeated parameter)
 * and objects are refused, so an attacker cannot smuggle a second value past the check.
 */
export function readParameter(
	source: Record<string, unknown> | undefined,
	name: string,
	where = 'URL parameter',
): { ok: true; value: string } | VerificationFailure {
	const value = source?.[name];
	if (Array.isArray(value)) {
		return failure('duplicateParameter', `The ${where} "${name}" was sent more than once.`, name);
	}
	if (value === undefined || value === null || value === '') {
		return failure('missingParameter', `The ${where} "${name}" is missing.`, name);
	}
	if (typeof value !== 'string') {
		return failure('malformedParameter', `The ${where} "${name}" is not a plain text value.`, name);
	}
	return { ok: true, value };
}

/**
 * Parses a KooGallery timestamp: milliseconds since the epoch (13 digits); a value of 10 digits
 * or fewer is read as seconds, as some older pages describe it.
 */
export function parseTimestampMs(raw: string): number | undefined {
	if (!/^\d{1,16}$/.test(raw)) return undefined;
	const value = Number(raw);
	return raw.length <= 10 ? value * 1000 : value;
}

export interface SignedRequestCheck extends VerifyOptions {
	timestamp: string;
	timestampName: string;
	signature: string;
	signatureName: string;
	/** The forms of the request to try, in order; `sign` gives the expected signature for a key. */
	forms: ReadonlyArray<{ form: string; sign: (key: string) => string }>;
	/** Compares the expected signature with the received one (hex ignoring case, or exact text). */
	compare: (expected: string, received: string) => boolean;
	nonce?: string;
}

/** How far off a timestamp is, for a `staleTimestamp` message: `N s old; at most M s is accepted`. */
export function skewText(skewMs: number, toleranceMs: number): string {
	const off = `${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs > 0 ? 'old' : 'in the future'}`;
	return `${off}; at most ${Math.round(toleranceMs / 1000)} s is accepted`;
}

/**
 * Checks timestamp, signature and nonce, in that order. The nonce is remembered only once the
 * signature has verified, so unsigned junk cannot fill the cache or burn a real nonce.
 */
export function checkSignedRequest(check: SignedRequestCheck): VerificationResult {
	const keys = check.keys.filter((key): key is string => typeof key === 'string' && key.length > 0);
	if (keys.length === 0) {
		return failure('noKey', 'No seller key is configured, so the request cannot be checked.');
	}
	const timestampMs = parseTimestampMs(check.timestamp);
	if (timestampMs === undefined) {
		return failure(
			'malformedParameter',
			`"${check.timestampName}" must be a number of milliseconds since 1970.`,
			check.timestampName,
		);
	}
	const nowMs = check.nowMs ?? Date.now();
	const toleranceMs = check.toleranceMs ?? DEFAULT_TOLERANCE_MS;
	const skewMs = nowMs - timestampMs;
	if (Math.abs(skewMs) > toleranceMs) {
		return failure(
			'staleTimestamp',
			`The request's timestamp is ${skewText(skewMs, toleranceMs)}. Check the server clock if this repeats.`,
			check.timestampName,
		);
	}
	let match: { keyIndex: number; key: string; form: string } | undefined;
	for (let keyIndex = 0; keyIndex < check.keys.length && !match; keyIndex++) {
		const key = check.keys[keyIndex];
		if (!key) continue;
		for (const { form, sign } of check.forms) {
			if (check.compare(sign(key), check.signature)) {
				match = { keyIndex, key, form };
				break;
			}
		}
	}
	if (!match) {
		return failure(
			'badSignature',
			`The "${check.signatureName}" does not match. Either the request was changed on the way or the seller key in n8n is not the one shown in the seller console.`,
			check.signatureName,
		);
	}
	if (check.nonce !== undefined && check.nonceStore) {
		const ttl = check.nonceTtlMs ?? 2 * toleranceMs;
		if (!check.nonceStore.checkAndRemember(check.nonce, nowMs, ttl)) {
			return failure(
				'replayedNonce',
				'This request was already received once (same nonce); a replay is refused.',
				'nonce',
			);
		}
	}
	return { ok: true, ...match, timestampMs, nonce: check.nonce, skewMs };
}
