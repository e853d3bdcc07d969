import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import type { SellerKeyRing } from '../../core/answer-key';
import { textField } from '../../core/fields';

export const SELLER_KEY_CREDENTIAL = 'kooGallerySellerKeyApi';

/** The seller's keys as the credential holds them (the type core/answer-key.ts decides with). */
export type SellerKeys = SellerKeyRing;

export function sellerKeysFrom(data: ICredentialDataDecryptedObject | undefined): SellerKeys {
	const basic = [textField(data?.secretKey), textField(data?.previousSecretKey)].filter(
		(k) => k !== '',
	);
	const kit = [textField(data?.kitSecretKey)].filter((k) => k !== '');
	return { basic, kit };
}

/** Plain-language problems with a key's shape; empty when it looks usable. */
export function sellerKeyProblems(data: ICredentialDataDecryptedObject | undefined): string[] {
	const problems: string[] = [];
	const check = (label: string, value: string, required: boolean) => {
		if (value === '') {
			if (required) problems.push(`${label} is empty.`);
			return;
		}
		if (value.trim() !== value)
			problems.push(`${label} starts or ends with a space; copy it again without spaces.`);
		if (!/^[\x21-\x7e]+$/.test(value.trim()))
			problems.push(
				`${label} contains characters that are not in a KooGallery key (only letters, digits and symbols).`,
			);
		if (value.trim().length < 8)
			problems.push(`${label} is shorter than 8 characters; it is probably incomplete.`);
	};
	const key = textField(data?.secretKey);
	const previous = textField(data?.previousSecretKey);
	const kit = textField(data?.kitSecretKey);
	check('The key', key, true);
	check('The previous key', previous, false);
	check('The kit key', kit, false);
	if (kit !== '' && kit === key)
		problems.push(
			'The kit key is the same as the key; KooGallery binds a different key to the kit interfaces.',
		);
	if (previous !== '' && previous === key)
		problems.push('The previous key is the same as the key; clear it.');
	return problems;
}

/**
 * Credential test for the seller key. KooGallery has no endpoint that checks a seller key, so this
 * checks its shape only; the real proof is a call from the seller console's debugging page
 * (应用接入调试) or from the local simulator.
 */
export async function testSellerKey(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const problems = sellerKeyProblems(credential.data);
	if (problems.length > 0) return { status: 'Error', message: problems.join(' ') };
	return {
		status: 'OK',
		message:
			'The key looks right. KooGallery offers no way to check it remotely: run the simulator or the seller console debugging page (应用接入调试) to prove it.',
	};
}
