import type { INodeProperties } from 'n8n-workflow';

import { showFor, type KooGalleryResource } from '../types';
import { ssoOptionsProperty } from './common.description';
import * as getTokens from './getTokens.operation';
import * as getUserInfo from './getUserInfo.operation';
import * as refreshToken from './refreshToken.operation';

/** The operations of Single Sign-On (联营kit账号登录): get tokens, refresh, get user info. */
export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'getTokens',
	displayOptions: showFor('sso'),
	options: [
		{
			name: 'Get Tokens',
			value: 'getTokens',
			action: 'Exchange an authorization code for tokens',
			description:
				'Exchange the code KooGallery put on your login callback (?code=...) for an access token and a refresh token (获取AccessToken)',
		},
		{
			name: 'Refresh Token',
			value: 'refreshToken',
			action: 'Refresh an access token',
			description: 'Get a new access token with the refresh token (刷新AccessToken)',
		},
		{
			name: 'Get User Info',
			value: 'getUserInfo',
			action: 'Get the signed in user',
			description:
				'Read who signed in (获取用户信息): login name, name, department, role and tenant, with the field names of the kit syncs',
		},
	],
};

export const sso: KooGalleryResource = {
	operation,
	properties: [
		...getTokens.description,
		...refreshToken.description,
		...getUserInfo.description,
		ssoOptionsProperty,
	],
	operations: { getTokens, refreshToken, getUserInfo },
};
