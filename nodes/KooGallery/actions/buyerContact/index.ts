import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as decrypt from './decrypt.operation';

/** The operations of Buyer Contact (手机号 / 邮箱). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'decrypt',
	displayOptions: showFor('buyerContact'),
	options: [
		{
			name: 'Decrypt',
			value: 'decrypt',
			action: 'Decrypt a buyer contact',
			description:
				"Decrypt the buyer's mobile number and e-mail (mobilePhone, email) as KooGallery sends them, URL-encoded or not",
		},
	],
};

export const buyerContact: KooGalleryResource = {
	operation,
	properties: [...decrypt.description],
	operations: { decrypt },
};
