import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as signBody from './signBody.operation';
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
	properties: [...signBody.description, ...verifyRequest.description],
	operations: { signBody, verifyRequest },
};
