import type { INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';

/** The encrypt types KooGallery knows (docs/protocol/koogallery-saas-v2.md §5.2). */
export const encryptTypeOptions = [
	{ name: 'AES-256 (encryptType 1)', value: '1' },
	{ name: 'AES-128 (encryptType 2)', value: '2' },
];

/** The fields to encrypt or decrypt: a parameter of both Credentials operations. */
export const credentialFieldsProperty: INodeProperties = {
	displayName: 'Fields',
	name: 'credentialFields',
	type: 'string',
	default: 'userName, password',
	required: true,
	displayOptions: showFor('credentials'),
	description:
		'Names of the item fields to encrypt or decrypt, separated by commas; a dot reaches into an object (appInfo.password). Each value is replaced in place; fields an item does not have are left out, and an item with none of them is an error.',
};
