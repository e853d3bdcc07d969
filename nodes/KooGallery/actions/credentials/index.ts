import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import { credentialFieldsProperty } from './common.description';
import * as decrypt from './decrypt.operation';
import * as encrypt from './encrypt.operation';

/** The operations of Credentials (appInfo 账号密码). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'encrypt',
	displayOptions: showFor('credentials'),
	options: [
		{
			name: 'Encrypt',
			value: 'encrypt',
			action: 'Encrypt login credentials',
			description:
				"Encrypt the user name and password (or any field) of an instance's login for KooGallery (appInfo 账号密码加密), with your seller key",
		},
		{
			name: 'Decrypt',
			value: 'decrypt',
			action: 'Decrypt login credentials',
			description: 'Decrypt encrypted login credentials, to check what was sent to KooGallery',
		},
	],
};

export const credentials: KooGalleryResource = {
	operation,
	properties: [
		decrypt.decryptNotice,
		credentialFieldsProperty,
		...encrypt.description,
		...decrypt.description,
	],
	operations: { encrypt, decrypt },
};
