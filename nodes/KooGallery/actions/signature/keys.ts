/**
 * Which seller key the signature tools use: the one place they decide it, so that it can be
 * swapped for core/answer-key.ts (`namedKey`, `keyFamily`) once that is merged. The rules are
 * docs/protocol/README.md decisions 3 and 14: joint-operation kit syncs are signed with the kit
 * key, everything else with the basic seller key (current, then previous while rotating).
 */
import type { SellerKeys } from '../../../shared/sellerKey';

/** The key Sign Body signs with: exactly the one picked (no fallback); undefined when missing. */
export function signingKey(which: string, keys: SellerKeys): string | undefined {
	if (which === 'kit') return keys.kit[0];
	return keys.basic[which === 'previous' ? 1 : 0];
}

/** What the picked key is called in the error when the credential does not hold it. */
export function signingKeyName(which: string): string {
	return which === 'kit'
		? 'joint-operation kit key'
		: which === 'previous'
			? 'previous key'
			: 'key';
}

/** The key family that signs a captured request of this type: `kit` for kit syncs, else `basic`. */
export function requestKeyFamily(protocol: string): keyof SellerKeys {
	return protocol === 'kit' ? 'kit' : 'basic';
}
