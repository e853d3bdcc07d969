import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { refreshTokenFields } from '../../../../core/sso';
import { itemError } from '../../helpers';
import { showFor } from '../types';
import { requestTokens, ssoItems, trimmedText } from './common';

/** Single Sign-On > Refresh Token (刷新AccessToken); the options are in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Refresh Token',
		name: 'refreshToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: showFor('sso', ['refreshToken']),
		description:
			'The refresh_token of the last Get Tokens or Refresh Token answer (valid 30 days; each refresh gives a new one)',
	},
];

/** Gets a new access token (and refresh token) with each item's refresh token. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await ssoItems(this, 'refreshToken', async (i, target) => {
		const refreshToken = trimmedText(this.getNodeParameter('refreshToken', i, ''));
		if (!refreshToken) throw itemError(this, i, 'The refresh token is empty.');
		return await requestTokens(this, i, target, 'refreshToken', refreshTokenFields(refreshToken));
	});
}
