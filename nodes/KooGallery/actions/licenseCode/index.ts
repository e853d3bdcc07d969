import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import * as activate from './activate.operation';
import { licenseProperties } from './common.description';
import * as query from './query.operation';

/** The operations of License Code (授权码). */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'activate',
	displayOptions: showFor('licenseCode'),
	options: [
		{
			name: 'Activate',
			value: 'activate',
			action: 'Activate a license code',
			description: 'Activate a license code once the customer has it (激活授权码)',
		},
		{
			name: 'Query',
			value: 'query',
			action: 'Query a license code',
			description:
				'Check a license code, once a day on first use of your software (查询授权码, formerly heartbeat)',
		},
	],
};

export const licenseCode: KooGalleryResource = {
	operation,
	properties: [...licenseProperties, ...activate.description, ...query.description],
	operations: { activate, query },
};
