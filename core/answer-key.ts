/**
 * Which seller key checks a KooGallery call and which key signs the answer to it: the one place
 * that decides (docs/protocol/README.md decisions 3 and 14). The triggers, the Respond node and
 * the signature tools all ask here.
 *
 * - Joint-operation syncs (`kit`) are signed with the kit key, every other product type with the
 *   basic seller key (docs/protocol/README.md decision 3).
 * - While the seller rotates the key, a call may be signed with the previous key; its answer is
 *   signed with the key that verified the call (docs/protocol/README.md decision 14).
 */

/** The seller's keys, current first, then the previous one while rotating. */
export interface SellerKeyRing {
	/** The basic seller key(s): SaaS V2.0, License, V1.0 and the order notification. */
	readonly basic: readonly string[];
	/** The joint-operation kit key(s). */
	readonly kit: readonly string[];
}

export type KeyFamily = keyof SellerKeyRing;

/** Which of a family's keys: 0 = current, 1 = previous. */
export type KeyIndex = number;

/** The family of keys that signs the calls of a product type (`kit` or anything else). */
export function keyFamily(protocol: string): KeyFamily {
	return protocol === 'kit' ? 'kit' : 'basic';
}

/** The keys that may have signed a call of this product type, current first. */
export function callKeys(protocol: string, keys: SellerKeyRing): readonly string[] {
	return keys[keyFamily(protocol)];
}

/**
 * The key that signs the answer to a call of this product type: the key that verified the call
 * (`signedWith`, 0 = current, 1 = previous), or the family's current key when that key is gone
 * (for example removed from the credential since). Undefined when the family has no key at all.
 */
export function answerKey(
	protocol: string,
	keys: SellerKeyRing,
	signedWith: KeyIndex = 0,
): string | undefined {
	const family = callKeys(protocol, keys);
	return family[signedWith] ?? family[0];
}

/** How a key is named in the item a trigger writes (`koogallery.verification.key`). */
export type KeyName = 'current' | 'previous';

export const keyName = (index: KeyIndex): KeyName => (index === 0 ? 'current' : 'previous');

export const keyIndexOf = (name: unknown): KeyIndex => (name === 'previous' ? 1 : 0);

/** What a key family is called in plain-language messages. */
export const keyFamilyLabel = (protocol: string): string =>
	keyFamily(protocol) === 'kit' ? 'kit key' : 'seller key';

/**
 * The key a seller picks by name (Signature > Sign Body: current, previous or kit), exactly that
 * key, with no fallback: undefined when the credential does not hold it.
 */
export function namedKey(which: KeyName | 'kit', keys: SellerKeyRing): string | undefined {
	if (which === 'kit') return keys.kit[0];
	return keys.basic[which === 'previous' ? 1 : 0];
}
