import type { INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';

/** The per-tenant options and the timeout, for every Single Sign-On operation. */
export const ssoOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'ssoOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showFor('sso'),
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
};
