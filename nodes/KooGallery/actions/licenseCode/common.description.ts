import type { INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';

/** The parameters of both License Code operations (激活授权码, 查询授权码). */
export const licenseProperties: INodeProperties[] = [
	{
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'options',
		default: 'v1',
		displayOptions: showFor('licenseCode'),
		options: [
			{ name: 'V1: One Code per Call', value: 'v1' },
			{ name: 'V2: Up to 100 Codes per Call', value: 'v2' },
		],
		description:
			'KooGallery accepts either version for the access check. The v2 answer format is not fully documented; its data is passed on as it comes.',
	},
	{
		displayName: 'License Codes',
		name: 'licenseCodes',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'PLXXXXXX',
		displayOptions: showFor('licenseCode'),
		description:
			'The license code (授权码); for v2, several codes separated by commas or new lines, or a list from an expression',
	},
];
