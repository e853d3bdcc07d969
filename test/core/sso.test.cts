/**
 * Single sign-on helpers (docs/protocol/koogallery-joint-license.md §6.3 to §6.5): the tenant domain as a base
 * URL, the form bodies, and the reading of token, refresh and user-info answers, including the
 * documented error answers.
 */
import {
	authorizationCodeFields,
	formEncode,
	readTokenAnswer,
	readUserInfoAnswer,
	refreshTokenFields,
	ssoBaseUrl,
	userInfoSyncKeys,
} from '../../core/sso';

describe('ssoBaseUrl', () => {
	it('takes the tenant domainName with or without scheme, dropping trailing slashes', () => {
		expect(ssoBaseUrl('https://example.tenantaccount.com')).toBe(
			'https://example.tenantaccount.com',
		);
		expect(ssoBaseUrl(' example.tenantaccount.com/ ')).toBe('https://example.tenantaccount.com');
		expect(ssoBaseUrl('http://127.0.0.1:8080/tenant-a//')).toBe('http://127.0.0.1:8080/tenant-a');
	});

	it('refuses empty, non-web and decorated addresses in plain words', () => {
		expect(() => ssoBaseUrl('')).toThrow(/The tenant domain is empty/);
		expect(() => ssoBaseUrl(undefined)).toThrow(/The tenant domain is empty/);
		expect(() => ssoBaseUrl('ftp://host')).toThrow(
			'The tenant domain must be an https:// address.',
		);
		expect(() => ssoBaseUrl('https://host?x=1')).toThrow(/without query/);
		expect(() => ssoBaseUrl('https://user:pw@host')).toThrow(
			/without query, fragment or user name/,
		);
		expect(() => ssoBaseUrl('https://exa mple')).toThrow(/is not a web address/);
	});
});

describe('form bodies', () => {
	it('encodes the documented token and refresh fields', () => {
		expect(formEncode(authorizationCodeFields('z2D+/=', 'https://example.com/cb?a=1'))).toBe(
			'grant_type=authorization_code&code=z2D%2B%2F%3D&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fa%3D1',
		);
		expect(formEncode(authorizationCodeFields('abc'))).toBe(
			'grant_type=authorization_code&code=abc',
		);
		expect(formEncode(refreshTokenFields('r t'))).toBe(
			'grant_type=refresh_token&refresh_token=r+t',
		);
		expect(formEncode({ a: '', b: undefined, c: 'x' })).toBe('c=x');
	});
});

describe('readTokenAnswer', () => {
	it('reads the documented answer (example of §6.4), from text or an object', () => {
		const body = {
			access_token: 'at-1',
			token_type: 'Bearer',
			expires_in: 7200,
			scope: 'get_user_info',
			refresh_token: 'rt-1',
		};
		expect(readTokenAnswer('refreshToken', 200, JSON.stringify(body))).toEqual({
			ok: true,
			value: body,
		});
		expect(readTokenAnswer('authorizationCode', 200, { ...body, expires_in: '7200' })).toEqual({
			ok: true,
			value: body,
		});
	});

	it('explains the documented errors and non-OAuth answers', () => {
		const code = readTokenAnswer('authorizationCode', 400, {
			error: 'invalid_grant',
			error_description: 'Invalid authorization code',
		});
		expect(code).toMatchObject({ ok: false, status: 400, error: 'invalid_grant' });
		expect(!code.ok && code.explanation).toMatch(
			/^The authorization code was refused \(the auth centre said: "Invalid authorization code"\): a code works once/,
		);
		const refresh = readTokenAnswer(
			'refreshToken',
			400,
			'{"error":"invalid_grant","error_description":"Invalid refresh token"}',
		);
		expect(!refresh.ok && refresh.explanation).toMatch(
			/older than 30 days\. The user must sign in again\.$/,
		);
		const client = readTokenAnswer('authorizationCode', 401, { error: 'invalid_client' });
		expect(!client.ok && client.explanation).toMatch(
			/did not accept the client ID or client secret/,
		);
		const html = readTokenAnswer('authorizationCode', 404, '<html>Not Found</html>');
		expect(!html.ok && html.explanation).toBe(
			'Nothing answers at this address: check the tenant domain (the domainName from the tenant sync).',
		);
		const empty = readTokenAnswer('authorizationCode', 200, '{}');
		expect(!empty.ok && empty.explanation).toMatch(/without an access token/);
	});
});

describe('readUserInfoAnswer and userInfoSyncKeys', () => {
	const user = {
		userName: 'zhangsan',
		name: '张三',
		tenant: '34a59a26e6a24071a9cc7a0526440171',
		organizationCode: '10000',
		role: 'user',
	};

	it('reads the documented example (§6.5) and names its fields as the syncs do', () => {
		const answer = readUserInfoAnswer(200, JSON.stringify(user));
		expect(answer).toEqual({ ok: true, value: user });
		expect(userInfoSyncKeys(user)).toEqual({
			userName: 'zhangsan',
			name: '张三',
			orgCode: '10000',
			orgName: null,
			tenantId: '34a59a26e6a24071a9cc7a0526440171',
			tenantName: null,
			role: 'user',
			email: null,
			mobile: null,
		});
	});

	it('explains the documented 401 and an answer without a user', () => {
		const refused = readUserInfoAnswer(401, {
			error: 'unauthorized',
			error_description: 'Full authentication is required to access this resource',
		});
		expect(!refused.ok && refused.explanation).toMatch(
			/^The access token was refused .*Refresh it with Single Sign-On > Refresh Token\.$/,
		);
		expect(readUserInfoAnswer(200, '[]')).toMatchObject({ ok: false, status: 200 });
	});
});
