import type { INodeProperties } from 'n8n-workflow';

const show = (operation?: string[]) => ({
	show: operation ? { resource: ['sso'], operation } : { resource: ['sso'] },
});

/** Single Sign-On (联营kit账号登录): get tokens, refresh, get user info. */
export const ssoProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'getTokens',
		displayOptions: show(),
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
	},
	{
		displayName: 'Authorization Code',
		name: 'code',
		type: 'string',
		default: '',
		required: true,
		displayOptions: show(['getTokens']),
		description:
			'The code parameter of the login callback. It works once and only for a short time.',
	},
	{
		displayName: 'Redirect URI',
		name: 'redirectUri',
		type: 'string',
		default: '',
		placeholder: 'https://app.example.com/sso/callback',
		displayOptions: show(['getTokens']),
		description:
			'The callback address the code was sent to, if your application registered one (redirect_uri). Leave empty otherwise.',
	},
	{
		displayName: 'Refresh Token',
		name: 'refreshToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: show(['refreshToken']),
		description:
			'The refresh_token of the last Get Tokens or Refresh Token answer (valid 30 days; each refresh gives a new one)',
	},
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: show(['getUserInfo']),
		description: 'The access_token of a Get Tokens or Refresh Token answer',
	},
	{
		displayName: 'Options',
		name: 'ssoOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(),
		options: [
			{
				displayName: 'Tenant Domain (Per Tenant)',
				name: 'tenantDomain',
				type: 'string',
				default: '',
				placeholder: 'https://example.tenantaccount.com',
				description:
					"This tenant's domainName from the tenant sync (企业同步), instead of the credential's. For Get Tokens and Refresh Token it needs the tenant's client ID and encrypted client secret too.",
			},
			{
				displayName: 'Client ID (Per Tenant)',
				name: 'clientId',
				type: 'string',
				default: '',
				description:
					"This tenant's clientId from the application sync (应用同步), instead of the credential's",
			},
			{
				displayName: 'Encrypted Client Secret (Per Tenant)',
				name: 'encryptedClientSecret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description:
					"This tenant's clientSecret exactly as the application sync (应用同步) delivered it, RSA-encrypted with your public key. The credential's RSA private key decrypts it; a plain secret is refused, so none travels through workflow data.",
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 1, maxValue: 600 },
				description:
					'How long to wait for the auth centre. Requests are not retried: a code works once.',
			},
		],
	},
];
