import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as signBody from './signBody.operation';
import * as signText from './signText.operation';
import * as verifyRequest from './verifyRequest.operation';

/** The operations of Signature (签名). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'signBody',
	displayOptions: showFor('signature'),
	options: [
		{
			name: 'Sign Body',
			value: 'signBody',
			action: 'Sign an answer body',
			description:
				'Make the Body-Sign header (响应消息体签名) for an answer body, and give the exact body to send with it',
		},
		{
			name: 'Sign Text With Your RSA Key',
			value: 'signText',
			action: 'Sign a text with your RSA key',
			description:
				'Sign the text of a field with your own RSA private key (RSA-SHA256), for example a license your software checks with the public key',
		},
		{
			name: 'Verify Request',
			value: 'verifyRequest',
			action: 'Verify a captured request',
			description:
				'Check a captured KooGallery request (V2.0 URL parameters and body, kit x-sign headers, or V1.0 authToken) and say in plain words whether it is genuine, and if not, why',
		},
	],
};

export const signature: KooGalleryResource = {
	operation,
	properties: [...signBody.description, ...signText.description, ...verifyRequest.description],
	operations: { signBody, signText, verifyRequest },
};
