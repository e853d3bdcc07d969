import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as push from './push.operation';
import * as pushOld from './pushOld.operation';
import { recordProperties } from './records.description';

/** The operations of Usage (按需使用量). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'push',
	displayOptions: showFor('usage'),
	options: [
		{
			name: 'Push',
			value: 'push',
			action: 'Push usage records',
			description:
				'Report pay-per-use usage with the current API (按需使用量推送(新)), in batches of up to 1000',
		},
		{
			name: 'Push (Old API)',
			value: 'pushOld',
			action: 'Push usage records with the old API',
			description:
				'Report usage with the old API (按需使用量推送(旧)), for products that still use it',
		},
	],
};

export const usage: KooGalleryResource = {
	operation,
	properties: [...push.description, ...pushOld.description, ...recordProperties],
	operations: { push, pushOld },
};
