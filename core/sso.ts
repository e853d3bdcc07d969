/**
 * Single sign-on of joint-operation SaaS products (联营kit账号登录, docs/protocol/koogallery-joint-license.md §6,
 * docs/protocol/koogallery-openapi-v1.md §A.5): the seller's server calls the tenant's KooGallery auth centre at
 * `{domain_name}` (the tenant's `domainName` from `tenantSync`) to exchange the login code for
 * tokens, refresh them, and read the signed-in user. Plain OAuth 2.0; the answers and error
 * strings are those of Spring Security OAuth2, which the documented messages match.
 */

import { decryptRsaSecret, looksRsaEncrypted, readRsaPrivateKey } from './rsa-secret';
import { textField, trimmedText } from './fields';

/** Paths under the tenant domain (§6.3 to §6.5). */
export const SSO_PATHS = {
	/** Authorization-code exchange and refresh (§6.3, §6.4). */
	exchange: '/api/v1/oauth2/token',
	userInfo: '/api/v1/oauth2/userinfo',
} as const;

/** The refresh token lives 30 days by default (§6.3). */
const REFRESH_TOKEN_DAYS = 30;

/**
 * The tenant domain as a base URL: `https://` added when no scheme is given, trailing slashes
 * removed. Throws a plain Error for anything that is not an http(s) address without query or
 * fragment.
 */
export function ssoBaseUrl(domain: unknown): string {
	const text = trimmedText(domain);
	if (text === '')
		throw new Error(
			"The tenant domain is empty: give the tenant's domainName from the tenant sync (企业同步), for example https://example.tenantaccount.com.",
		);
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
	let url: URL | undefined;
	try {
		url = new URL(withScheme);
	} catch {
		url = undefined;
	}
	if (!url) throw new Error(`The tenant domain "${text.slice(0, 100)}" is not a web address.`);
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw new Error('The tenant domain must be an https:// address.');
	if (url.search || url.hash || url.username || url.password)
		throw new Error(
			'The tenant domain must be a plain address, without query, fragment or user name.',
		);
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `application/x-www-form-urlencoded` text of the fields, in the order given (empty ones left out). */
export function formEncode(fields: Record<string, string | undefined>): string {
	const form = new URLSearchParams();
	for (const [name, value] of Object.entries(fields)) {
		if (value !== undefined && value !== '') form.append(name, value);
	}
	return form.toString();
}

/** The token request of §6.3 without the client credentials (the credential adds those). */
export function authorizationCodeFields(
	code: string,
	redirectUri?: string,
): Record<string, string> {
	const fields: Record<string, string> = { grant_type: 'authorization_code', code };
	if (redirectUri) fields.redirect_uri = redirectUri;
	return fields;
}

/** The refresh request of §6.4 without the client credentials. */
export function refreshTokenFields(refreshToken: string): Record<string, string> {
	return { grant_type: 'refresh_token', refresh_token: refreshToken };
}

/** A token answer (§6.3, §6.4). */
export interface SsoTokens {
	access_token: string;
	token_type: string;
	expires_in?: number;
	scope?: string;
	refresh_token?: string;
	[field: string]: unknown;
}

/** How an auth-centre answer was read. */
export type SsoAnswer<T> =
	| { ok: true; value: T }
	| {
			ok: false;
			status: number;
			/** The OAuth `error` code when the answer had one (`invalid_grant`, `invalid_client`...). */
			error?: string;
			description?: string;
			/** Plain-English account of what went wrong and what to do. */
			explanation: string;
	  };

function parseBody(body: unknown): unknown {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body);
		} catch {
			return body;
		}
	}
	if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
	return body;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What an OAuth error means for the operator, by operation. `grant` is the request that failed:
 * the code exchange, the refresh, or the user-info read.
 */
function explainSsoError(
	grant: 'authorizationCode' | 'refreshToken' | 'userInfo',
	status: number,
	error: string | undefined,
	description: string | undefined,
): string {
	const said = description ? ` (the auth centre said: "${description.slice(0, 200)}")` : '';
	switch (error) {
		case 'invalid_grant':
			return grant === 'refreshToken'
				? `The refresh token was refused${said}: it is wrong, was already replaced by a newer one, or is older than ${REFRESH_TOKEN_DAYS} days. The user must sign in again.`
				: `The authorization code was refused${said}: a code works once and only for a short time, and only with the client ID it was issued for. Get a new one by sending the user through the login page again.`;
		case 'invalid_client':
		case 'unauthorized_client':
			return `The auth centre did not accept the client ID or client secret${said}. Check them against the application sync (应用同步) of this tenant; the secret must be the decrypted one.`;
		case 'unauthorized':
		case 'invalid_token':
			return grant === 'userInfo'
				? `The access token was refused${said}: it is wrong or expired (access tokens last about 2 hours). Refresh it with Single Sign-On > Refresh Token.`
				: `The auth centre refused the request${said}: check the client ID and client secret.`;
		case 'invalid_request':
		case 'unsupported_grant_type':
			return `The auth centre found the request incomplete${said}.`;
		case undefined:
			return status === 404
				? 'Nothing answers at this address: check the tenant domain (the domainName from the tenant sync).'
				: `The auth centre answered HTTP ${status} without an OAuth error: check the tenant domain (the domainName from the tenant sync).`;
		default:
			return `The auth centre refused the request with "${error.slice(0, 80)}"${said}.`;
	}
}

function failed<T>(
	grant: 'authorizationCode' | 'refreshToken' | 'userInfo',
	status: number,
	body: unknown,
): SsoAnswer<T> {
	const error = isObject(body) && typeof body.error === 'string' ? body.error : undefined;
	const description =
		isObject(body) && typeof body.error_description === 'string'
			? body.error_description
			: undefined;
	return {
		ok: false,
		status,
		error,
		description,
		explanation: explainSsoError(grant, status, error, description),
	};
}

/** Reads the answer of a token or refresh request (§6.3, §6.4). */
export function readTokenAnswer(
	grant: 'authorizationCode' | 'refreshToken',
	status: number,
	rawBody: unknown,
): SsoAnswer<SsoTokens> {
	const body = parseBody(rawBody);
	if (status !== 200) return failed(grant, status, body);
	if (!isObject(body) || typeof body.access_token !== 'string' || body.access_token === '') {
		return {
			ok: false,
			status,
			explanation:
				'The auth centre answered without an access token: check the tenant domain (the domainName from the tenant sync).',
		};
	}
	const tokens: SsoTokens = { ...body } as SsoTokens;
	if (typeof tokens.expires_in === 'string' && /^\d+$/.test(tokens.expires_in))
		tokens.expires_in = Number(tokens.expires_in);
	return { ok: true, value: tokens };
}

/** The signed-in user (§6.5); every documented field is text. */
export interface SsoUserInfo {
	id?: string;
	userName?: string;
	name?: string;
	email?: string;
	mobile?: string;
	role?: string;
	organizationName?: string;
	userId?: string;
	organizationCode?: string;
	projectName?: string;
	tenant?: string;
	[field: string]: unknown;
}

/** Reads the answer of the user-info request (§6.5). */
export function readUserInfoAnswer(status: number, rawBody: unknown): SsoAnswer<SsoUserInfo> {
	const body = parseBody(rawBody);
	if (status !== 200) return failed('userInfo', status, body);
	if (!isObject(body) || (typeof body.userName !== 'string' && typeof body.id !== 'string')) {
		return {
			ok: false,
			status,
			explanation:
				'The auth centre answered without a user: check the tenant domain (the domainName from the tenant sync).',
		};
	}
	return { ok: true, value: body as SsoUserInfo };
}

/**
 * The user-info fields under the names the kit syncs use (§3 authSync user, §1 tenantSync), so a
 * login can be matched to the synced directory: `userName` is the same login name as in the user
 * authorization sync, `organizationCode` is its `orgCode`, `role` is `user` or `admin`, and
 * `tenant` is documented as the enterprise's ID "in the sync interfaces", taken here as the
 * `tenantId` of the tenant sync (UNCONFIRMED, §6.5).
 */
export function userInfoSyncKeys(user: SsoUserInfo): Record<string, string | null> {
	const orNull = (value: unknown) => textField(value) || null;
	return {
		userName: orNull(user.userName),
		name: orNull(user.name),
		orgCode: orNull(user.organizationCode),
		orgName: orNull(user.organizationName),
		tenantId: orNull(user.tenant),
		tenantName: orNull(user.projectName),
		role: orNull(user.role),
		email: orNull(user.email),
		mobile: orNull(user.mobile),
	};
}

/**
 * The client secret to send, from the SSO credential: taken as it is, or decrypted with the RSA
 * private key when one is set and the value has the shape of a ciphertext for it (as the
 * `applicationSync` delivers it, §0.3). Throws `RsaSecretError` or a plain Error, never with the
 * secret or the key in the message.
 */
export function credentialClientSecret(
	secret: unknown,
	privateKey: unknown,
	passphrase?: unknown,
): string {
	const value = trimmedText(secret);
	if (value === '')
		throw new Error(
			'The client secret is empty: take it from the application sync (应用同步, clientSecret) of the tenant.',
		);
	if (trimmedText(privateKey) === '') return value;
	const key = readRsaPrivateKey(trimmedText(privateKey), trimmedText(passphrase) || undefined);
	return looksRsaEncrypted(value, key) ? decryptRsaSecret(key, value).secret : value;
}

/**
 * A tenant's client secret given per item, as the `applicationSync` delivered it: it must be
 * RSA-encrypted for the credential's private key, so no plain secret travels through workflow
 * data. Throws when there is no private key or the value does not decrypt.
 */
export function tenantClientSecret(
	encrypted: unknown,
	privateKey: unknown,
	passphrase?: unknown,
): string {
	if (trimmedText(privateKey) === '')
		throw new Error(
			'A per-tenant client secret must be the encrypted one from the application sync, and the KooGallery SSO credential has no RSA private key to decrypt it.',
		);
	const key = readRsaPrivateKey(trimmedText(privateKey), trimmedText(passphrase) || undefined);
	return decryptRsaSecret(key, trimmedText(encrypted)).secret;
}
