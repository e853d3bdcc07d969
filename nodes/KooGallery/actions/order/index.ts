import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as get from './get.operation';

/** The operations of Order (订单). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'get',
	displayOptions: showFor('order'),
	options: [
		{
			name: 'Get',
			value: 'get',
			action: 'Get an order',
			description:
				'Query an order and its lines: what the customer bought, for how long, and who they are',
		},
	],
};

export const order: KooGalleryResource = {
	operation,
	properties: [...get.description],
	operations: { get },
};
