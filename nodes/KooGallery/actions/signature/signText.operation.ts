import {
	isSafeObjectProperty,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { KeyObject } from 'node:crypto';

import { textField, trimmedText } from '../../../../core/fields';
import { readRsaPrivateKey, RsaSecretError } from '../../../../core/rsa-secret';
import { rsaSha256Base64 } from '../../../../core/rsa-sign';
import { itemByItem, itemError } from '../../helpers';
import { readField } from '../../itemFields';
import { showFor } from '../types';

/** Your own RSA key that signs licenses (credentials/KooGalleryLicenseKeyApi.credentials.ts). */
export const LICENSE_KEY_CREDENTIAL = 'kooGalleryLicenseKeyApi';

/** Signature > Sign Text. */
export const description: INodeProperties[] = [
	{
		displayName: 'Text Field',
		name: 'textField',
		type: 'string',
		default: 'licenseData',
		required: true,
		displayOptions: showFor('signature', ['signText']),
		description:
			'The field of the input item whose text is signed, by name (for example licenseData, or license.text for a field inside another). The text is signed exactly as it is.',
	},
	{
		displayName: 'Put Signature In',
		name: 'signatureField',
		type: 'string',
		default: 'signature',
		required: true,
		displayOptions: showFor('signature', ['signText']),
		description:
			'The field the Base64 signature is written to; the other fields of the item are kept',
	},
];

/** The key of the credential, or why it cannot be read (a message that never contains the key). */
function licenseKey(
	data: ICredentialDataDecryptedObject | undefined,
): { key: KeyObject } | { problem: string } {
	try {
		return {
			key: readRsaPrivateKey(
				textField(data?.privateKey),
				textField(data?.privateKeyPassphrase) || undefined,
			),
		};
	} catch (error) {
		return {
			problem: error instanceof RsaSecretError ? error.message : 'The key could not be read.',
		};
	}
}

/** Tests the credential: the key can be read and is an RSA private key. */
export async function testLicenseKey(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const read = licenseKey(credential.data);
	return 'key' in read
		? { status: 'OK', message: 'The RSA private key can sign.' }
		: { status: 'Error', message: read.problem };
}

/**
 * Signature > Sign Text: RSA-SHA256 over the text of a field chosen by name, with your own key
 * (the KooGallery License Signing Key credential), the Base64 signature written to another field.
 * A field named instead of an expression keeps the step free of n8n expressions.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credential =
		await this.getCredentials<ICredentialDataDecryptedObject>(LICENSE_KEY_CREDENTIAL);
	const read = licenseKey(credential);
	return [
		await itemByItem(this, (i, item) => {
			if (!('key' in read))
				throw itemError(this, i, `KooGallery License Signing Key credential: ${read.problem}`);
			const textPath = trimmedText(this.getNodeParameter('textField', i, ''));
			const target = trimmedText(this.getNodeParameter('signatureField', i, ''));
			if (!isSafeObjectProperty(target) || target === '')
				throw itemError(this, i, `"${target}" cannot be the name of the signature field.`);
			const text = readField(item.json, textPath);
			if (typeof text !== 'string' || text === '')
				throw itemError(
					this,
					i,
					`The input item has no text in the field "${textPath}" to sign (${text === undefined ? 'no such field' : text === '' ? 'it is empty' : 'it is not text'}).`,
				);
			return { ...item.json, [target]: rsaSha256Base64(read.key, text) };
		}),
	];
}
