import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	credentialClientSecret,
	formEncode,
	SSO_PATHS,
	ssoBaseUrl,
	tenantClientSecret,
} from '../core/sso';

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * Single sign-on of a joint-operation SaaS product (联营kit账号登录, docs/protocol/koogallery-joint-license.md §6):
 * the tenant's auth centre address and the OAuth client KooGallery created for the application.
 * The client ID and secret arrive in the kit's application sync (应用同步); the secret is
 * RSA-encrypted there with the public key the seller registered, so the credential can hold the
 * private key and decrypt it (core/rsa-secret.ts tries OAEP SHA-256, SHA-256 with MGF1-SHA-1 as
 * Java's default, then SHA-1). `authenticate` adds the client ID and secret to token requests only,
 * sent as a form to the credential's own tenant domain; a per-tenant client given by the node
 * must come with its encrypted secret and is decrypted here.
 */
export class KooGallerySsoApi implements ICredentialType {
	name = 'kooGallerySsoApi';

	displayName = 'KooGallery SSO API';

	icon: Icon = { light: 'file:../icons/koogallery.svg', dark: 'file:../icons/koogallery.dark.svg' };

	documentationUrl =
		'https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649448.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Tenant Domain',
			name: 'tenantDomain',
			type: 'string',
			default: '',
			placeholder: 'https://example.tenantaccount.com',
			description:
				"The tenant's auth centre: the domainName KooGallery sends in the tenant sync (企业同步). Leave empty if every request gives its own tenant domain (node option Per-Tenant Client).",
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			description: 'The clientId KooGallery sends in the application sync (应用同步) of the tenant',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The clientSecret of the application sync (应用同步): either as it arrived, RSA-encrypted with your public key (then set the private key below), or already decrypted',
		},
		{
			displayName: 'RSA Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'The private key of the key pair whose public key you gave when creating the application credential (应用凭证, at least 3072 bits). PEM (PKCS#8 or PKCS#1) or the Base64 of the key. Needed to decrypt encrypted client secrets.',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'privateKeyPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only if the private key is encrypted (BEGIN ENCRYPTED PRIVATE KEY)',
		},
	];

	/**
	 * Resolves the path against the tenant domain and, for token requests (a body with
	 * `grant_type`), adds `client_id` and `client_secret` and sends the body as a form. An absolute
	 * URL is a per-tenant request: then the body must carry the tenant's client ID and encrypted
	 * secret, and the credential's own client is never sent there.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const url = String(requestOptions.url ?? '');
		const perTenant = /^https?:\/\//i.test(url);
		const options: IHttpRequestOptions = {
			...requestOptions,
			url: perTenant
				? url
				: `${ssoBaseUrl(credentials.tenantDomain)}${url.startsWith('/') ? url : `/${url}`}`,
			headers: { ...(requestOptions.headers ?? {}) },
		};
		delete options.baseURL;
		const body = requestOptions.body as IDataObject | undefined;
		if (typeof body !== 'object' || body === null || typeof body.grant_type !== 'string')
			return options;
		const fields: Record<string, string> = {};
		for (const [name, value] of Object.entries(body))
			if (name !== 'client_id' && name !== 'client_secret') fields[name] = text(value);
		const givenClient = body.client_id !== undefined || body.client_secret !== undefined;
		if (perTenant && !givenClient)
			throw new Error(
				"The credential's client secret is only sent to its own tenant domain: a per-tenant domain needs that tenant's client ID and encrypted client secret.",
			);
		if (givenClient && !perTenant)
			throw new Error('A per-tenant client ID and secret need their tenant domain.');
		const clientId = perTenant ? text(body.client_id) : text(credentials.clientId);
		if (clientId === '')
			throw new Error(
				'The client ID is empty: take it from the application sync (应用同步) of the tenant.',
			);
		const clientSecret = perTenant
			? tenantClientSecret(
					body.client_secret,
					credentials.privateKey,
					credentials.privateKeyPassphrase,
				)
			: credentialClientSecret(
					credentials.clientSecret,
					credentials.privateKey,
					credentials.privateKeyPassphrase,
				);
		options.body = formEncode({ ...fields, client_id: clientId, client_secret: clientSecret });
		options.headers = {
			...options.headers,
			'Content-Type': 'application/x-www-form-urlencoded',
			Accept: 'application/json',
		};
		return options;
	}

	/**
	 * Exchanges a code that cannot exist. An OAuth server checks the client first: a wrong client
	 * is refused with `invalid_client` (HTTP 401), a right one then fails on the code with
	 * `invalid_grant`, which means the client ID, secret and domain are right.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			url: SSO_PATHS.exchange,
			body: { grant_type: 'authorization_code', code: 'n8n-credential-test-not-a-code' },
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'invalid_client',
					message:
						'The auth centre did not accept the client ID or client secret. Check them against the application sync (应用同步) of this tenant; an encrypted secret needs the matching private key.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'unauthorized',
					message:
						'The auth centre did not accept the client ID or client secret. Check them against the application sync (应用同步) of this tenant.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: undefined,
					message:
						"The answer is not an OAuth answer: check the tenant domain (the tenant sync's domainName).",
				},
			},
		],
	};
}
