import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { authorizationCodeFields } from '../../../../core/sso';
import { itemError } from '../../helpers';
import { showFor } from '../types';
import { requestTokens, ssoItems, trimmedText } from './common';

/** Single Sign-On > Get Tokens (获取AccessToken); the options are in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Authorization Code',
		name: 'code',
		type: 'string',
		default: '',
		required: true,
		displayOptions: showFor('sso', ['getTokens']),
		description:
			'The code parameter of the login callback. It works once and only for a short time.',
	},
	{
		displayName: 'Redirect URI',
		name: 'redirectUri',
		type: 'string',
		default: '',
		placeholder: 'https://app.example.com/sso/callback',
		displayOptions: showFor('sso', ['getTokens']),
		description:
			'The callback address the code was sent to, if your application registered one (redirect_uri). Leave empty otherwise.',
	},
];

/** Exchanges each item's authorization code for an access token and a refresh token. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await ssoItems(this, 'getTokens', async (i, target) => {
		const code = trimmedText(this.getNodeParameter('code', i, ''));
		if (!code) throw itemError(this, i, 'The authorization code is empty.');
		const fields = authorizationCodeFields(
			code,
			trimmedText(this.getNodeParameter('redirectUri', i, '')),
		);
		return await requestTokens(this, i, target, 'authorizationCode', fields);
	});
}
