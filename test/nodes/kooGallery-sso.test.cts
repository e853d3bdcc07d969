/**
 * Single Sign-On through the KooGallery action node (docs/protocol/koogallery-joint-license.md §6): the node's
 * execute(), the KooGallery SSO credential's authenticate() adding the client to token requests
 * (decrypting an RSA-encrypted client secret as applicationSync delivers it), a real HTTP client
 * (kooGallery-fakes.cts) and the local auth-centre mock (simulator/sso-mock.cts). None of them is
 * mocked out.
 */
import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	INodeExecutionData,
} from 'n8n-workflow';

import { KooGallerySsoApi } from '../../credentials/KooGallerySsoApi.credentials';
import { KooGallery } from '../../nodes/KooGallery/KooGallery.node';
import { startSsoMock, type SsoMock } from '../../simulator/sso-mock.cjs';
import { actionContext } from './kooGallery-fakes.cjs';

const pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
const otherPair = generateKeyPairSync('rsa', { modulusLength: 3072 });
const PRIVATE_KEY = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const OTHER_PRIVATE_KEY = otherPair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const A = { clientId: 'client-a-0001', clientSecret: 'client-a-secret-0123456789' };
const B = { clientId: 'client-b-0002', clientSecret: 'client-b-secret-9876543210' };
const ZHANGSAN = {
	id: 'u-1',
	userName: 'zhangsan',
	name: '张三',
	email: 'zhangsan@example.com',
	mobile: '13800000000',
	role: 'user',
	organizationName: '产品部',
	userId: 'uid-1',
	organizationCode: '10000',
	projectName: 'huaiweitest',
	tenant: '34a59a26e6a24071a9cc7a0526440171',
};
const LISI = {
	userName: 'lisi',
	name: '李四',
	tenant: 'tenant-b-id',
	organizationCode: '20000',
	role: 'admin',
};

/** The client secret as applicationSync sends it: RSA-OAEP with the seller's public key, Base64. */
const encryptForSeller = (secret: string, hash = 'sha256', key = pair.publicKey) =>
	publicEncrypt(
		{ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
		Buffer.from(secret),
	).toString('base64');

const node = new KooGallery();
let mock: SsoMock;
beforeAll(async () => {
	mock = await startSsoMock({
		tenants: [
			{ pathPrefix: '', ...A, users: [ZHANGSAN] },
			{ pathPrefix: '/tenant-b', ...B, users: [LISI] },
		],
	});
});
afterAll(async () => {
	await mock.stop();
});
beforeEach(() => mock.reset());

const credential = (overrides: IDataObject = {}): IDataObject => ({
	tenantDomain: mock.url,
	clientId: A.clientId,
	clientSecret: A.clientSecret,
	privateKey: '',
	privateKeyPassphrase: '',
	...overrides,
});

async function run(
	parameters: IDataObject | ((i: number) => IDataObject),
	items: IDataObject[] = [{}],
	extra: { sso?: IDataObject; continueOnFail?: boolean; onError?: 'continueErrorOutput' } = {},
) {
	const { context, requests } = actionContext({
		parameters,
		items,
		credentials: { kooGallerySsoApi: extra.sso ?? credential() },
		continueOnFail: extra.continueOnFail,
		onError: extra.onError,
	});
	const output = (await node.execute.call(context)) as INodeExecutionData[][];
	return { out: output[0], requests };
}

async function failure(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a failure');
}

const secrets = [A.clientSecret, B.clientSecret, PRIVATE_KEY.split('\n')[1]];
const expectNoSecrets = (value: unknown) => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	for (const secret of secrets) expect(text).not.toContain(secret);
};

const getTokens = (code: string, more: IDataObject = {}) => ({
	resource: 'sso',
	operation: 'getTokens',
	code,
	...more,
});

describe('Single Sign-On > Get Tokens, Refresh Token, Get User Info', () => {
	it('exchanges a login code, refreshes, and reads the user with the sync field names', async () => {
		const code = mock.login('zhangsan', { redirectUri: 'https://app.example.com/cb' });
		const { out, requests } = await run(
			getTokens(code, { redirectUri: 'https://app.example.com/cb' }),
		);
		const tokens = out[0].json;
		expect(tokens).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 7200,
			scope: 'get_user_info',
			refresh_token: expect.any(String),
			expires_at: expect.any(String),
		});
		const expiresIn = Date.parse(tokens.expires_at as string) - Date.now();
		expect(expiresIn).toBeGreaterThan(7100_000);
		expect(expiresIn).toBeLessThanOrEqual(7200_000);
		// The node hands over no client; the credential adds it and sends a form to the tenant domain.
		expect(requests[0].options.body).toEqual({
			grant_type: 'authorization_code',
			code,
			redirect_uri: 'https://app.example.com/cb',
		});
		expect(requests[0].sent.url).toBe(`${mock.url}/api/v1/oauth2/token`);
		expect(requests[0].sent.headers).toMatchObject({
			'Content-Type': 'application/x-www-form-urlencoded',
		});
		expect(Object.fromEntries(new URLSearchParams(requests[0].sent.body as string))).toEqual({
			grant_type: 'authorization_code',
			code,
			redirect_uri: 'https://app.example.com/cb',
			client_id: A.clientId,
			client_secret: A.clientSecret,
		});

		const refreshed = await run({
			resource: 'sso',
			operation: 'refreshToken',
			refreshToken: tokens.refresh_token,
		});
		expect(refreshed.out[0].json.access_token).not.toBe(tokens.access_token);
		expect(refreshed.out[0].json.refresh_token).not.toBe(tokens.refresh_token);

		const user = await run({
			resource: 'sso',
			operation: 'getUserInfo',
			accessToken: refreshed.out[0].json.access_token,
		});
		expect(user.out[0].json).toEqual({
			...ZHANGSAN,
			sync: {
				userName: 'zhangsan',
				name: '张三',
				orgCode: '10000',
				orgName: '产品部',
				tenantId: '34a59a26e6a24071a9cc7a0526440171',
				tenantName: 'huaiweitest',
				role: 'user',
				email: 'zhangsan@example.com',
				mobile: '13800000000',
			},
		});
		expect(user.requests[0].sent.headers).toMatchObject({
			Authorization: `Bearer ${refreshed.out[0].json.access_token}`,
			Accept: 'application/json',
		});
		expect(user.requests[0].sent.body).toBeUndefined();
		expect(
			mock.calls().map((c) => [c.path, c.status, c.grantType ?? null, c.clientId ?? null]),
		).toEqual([
			['/api/v1/oauth2/token', 200, 'authorization_code', A.clientId],
			['/api/v1/oauth2/token', 200, 'refresh_token', A.clientId],
			['/api/v1/oauth2/userinfo', 200, null, null],
		]);
		expectNoSecrets([out, refreshed.out, user.out]);
	});

	it('goes item by item: a used code, an expired token or a replaced refresh token fail alone', async () => {
		const used = mock.login('zhangsan');
		const first = await run(getTokens(used));
		const codes = [mock.login('zhangsan'), used, mock.login('zhangsan')];
		const { out } = await run((i) => getTokens(codes[i]), [{}, {}, {}], { continueOnFail: true });
		expect(out[0].json.access_token).toEqual(expect.any(String));
		expect(out[1].json).toEqual({
			error: 'The KooGallery auth centre refused the request: invalid_grant',
			description: expect.stringMatching(
				/^The authorization code was refused \(the auth centre said: "Invalid authorization code"\): a code works once/,
			),
			errorCode: 'invalid_grant',
		});
		expect(out[2].json.access_token).toEqual(expect.any(String));
		expect(out[2].json.access_token).not.toBe(out[0].json.access_token);
		// With an error output n8n moves an item there only if its keys are error, message, details.
		const routed = await run(getTokens(used), [{}], {
			continueOnFail: true,
			onError: 'continueErrorOutput',
		});
		expect(routed.out[0].json).toEqual({
			error: 'The KooGallery auth centre refused the request: invalid_grant',
			details: { description: out[1].json.description, errorCode: 'invalid_grant' },
		});
		const error = await failure(run((i) => getTokens(codes[i]), [{}, {}, {}]));
		expect(error.message).toBe('The KooGallery auth centre refused the request: invalid_grant');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		const again = await run({
			resource: 'sso',
			operation: 'refreshToken',
			refreshToken: first.out[0].json.refresh_token,
		});
		const stale = await failure(
			run({
				resource: 'sso',
				operation: 'refreshToken',
				refreshToken: first.out[0].json.refresh_token,
			}),
		);
		expect(stale.message).toBe('The KooGallery auth centre refused the request: invalid_grant');
		expect(stale.description).toMatch(
			/The refresh token was refused .* The user must sign in again\.$/,
		);
		expect(again.out[0].json.access_token).toEqual(expect.any(String));

		mock.expireAccessTokens();
		const expired = await failure(
			run({
				resource: 'sso',
				operation: 'getUserInfo',
				accessToken: again.out[0].json.access_token,
			}),
		);
		expect(expired.message).toBe('The KooGallery auth centre refused the request: invalid_token');
		expect(expired.description).toMatch(
			/^The access token was refused .* Refresh it with Single Sign-On > Refresh Token\.$/,
		);
		const empty = await failure(
			run({ resource: 'sso', operation: 'getUserInfo', accessToken: ' ' }),
		);
		expect(empty.message).toBe('The access token is empty.');
	});

	it('explains a wrong client secret and a wrong domain, never showing the secret', async () => {
		const wrong = await failure(
			run(getTokens(mock.login('zhangsan')), [{}], {
				sso: credential({ clientSecret: 'not-the-secret' }),
			}),
		);
		expect(wrong.message).toBe('The KooGallery auth centre refused the request: invalid_client');
		expect(wrong.description).toMatch(/did not accept the client ID or client secret/);
		const elsewhere = await failure(
			run(getTokens('x'), [{}], { sso: credential({ tenantDomain: `${mock.url}/nobody` }) }),
		);
		expect(elsewhere.message).toBe('The KooGallery auth centre refused the request (HTTP 404)');
		expect(elsewhere.description).toBe(
			'Nothing answers at this address: check the tenant domain (the domainName from the tenant sync).',
		);
		const unreachable = await failure(
			run(getTokens('x'), [{}], { sso: credential({ tenantDomain: 'http://127.0.0.1:1' }) }),
		);
		expect(unreachable.message).toMatch(/^The KooGallery auth centre could not be asked: /);
		expectNoSecrets([wrong, elsewhere, unreachable].map((e) => [e.message, e.description]));
	});
});

describe('the client secret as applicationSync delivers it (RSA-OAEP)', () => {
	it('decrypts a secret encrypted with SHA-256 or SHA-1 OAEP with the private key, PEM or Base64 DER', async () => {
		const der = (pair.privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString(
			'base64',
		);
		for (const [hash, privateKey] of [
			['sha256', PRIVATE_KEY],
			['sha1', der],
		]) {
			const sso = credential({ clientSecret: encryptForSeller(A.clientSecret, hash), privateKey });
			const { out, requests } = await run(getTokens(mock.login('zhangsan')), [{}], { sso });
			expect(out[0].json.token_type).toBe('Bearer');
			expect(new URLSearchParams(requests[0].sent.body as string).get('client_secret')).toBe(
				A.clientSecret,
			);
		}
	});

	it('still takes a plain secret when a private key is set, and says when the key does not fit', async () => {
		const plain = await run(getTokens(mock.login('zhangsan')), [{}], {
			sso: credential({ privateKey: PRIVATE_KEY }),
		});
		expect(plain.out[0].json.token_type).toBe('Bearer');
		const wrongKey = await failure(
			run(getTokens(mock.login('zhangsan')), [{}], {
				sso: credential({
					clientSecret: encryptForSeller(A.clientSecret),
					privateKey: OTHER_PRIVATE_KEY,
				}),
			}),
		);
		expect(wrongKey.message).toBe(
			'The KooGallery auth centre could not be asked: The encrypted client secret could not be decrypted with this private key: it was encrypted for another key pair, or not with RSA-OAEP (SHA-256 or SHA-1).',
		);
		expect(mock.calls()).toHaveLength(1);
	});

	it('signs a tenant in with its own domain, client ID and encrypted secret given per item', async () => {
		const perTenant = {
			tenantDomain: `${mock.url}/tenant-b/`,
			clientId: B.clientId,
			encryptedClientSecret: encryptForSeller(B.clientSecret, 'sha1'),
		};
		const sso = credential({ privateKey: PRIVATE_KEY });
		const { out, requests } = await run(
			getTokens(mock.login('lisi', { pathPrefix: '/tenant-b' }), { ssoOptions: perTenant }),
			[{}],
			{ sso },
		);
		expect(requests[0].sent.url).toBe(`${mock.url}/tenant-b/api/v1/oauth2/token`);
		expect(new URLSearchParams(requests[0].sent.body as string).get('client_secret')).toBe(
			B.clientSecret,
		);
		const user = await run(
			{
				resource: 'sso',
				operation: 'getUserInfo',
				accessToken: out[0].json.access_token,
				ssoOptions: { tenantDomain: perTenant.tenantDomain },
			},
			[{}],
			{ sso },
		);
		expect(user.out[0].json).toMatchObject({
			userName: 'lisi',
			sync: { orgCode: '20000', role: 'admin', tenantId: 'tenant-b-id' },
		});
		expectNoSecrets([out, user.out, requests[0].options]);
	});

	it('refuses a plain per-tenant secret, an incomplete per-tenant client, and no private key', async () => {
		const sso = credential({ privateKey: PRIVATE_KEY });
		const base = { tenantDomain: `${mock.url}/tenant-b`, clientId: B.clientId };
		const cases: Array<[IDataObject, IDataObject, RegExp]> = [
			[{ ...base, encryptedClientSecret: B.clientSecret }, sso, /not Base64 or hex of 384 bytes/],
			[{ ...base }, sso, /^A per-tenant request needs all three options/],
			[
				{ ...base, encryptedClientSecret: encryptForSeller(B.clientSecret) },
				credential(),
				/has no RSA private key to decrypt it\.$/,
			],
		];
		for (const [ssoOptions, credentials, message] of cases) {
			const error = await failure(run(getTokens('x', { ssoOptions }), [{}], { sso: credentials }));
			expect(error.message).toMatch(message);
			expectNoSecrets(error.message);
		}
		expect(mock.calls()).toEqual([]);
	});

	it("never sends the credential's own secret to a domain given per item", async () => {
		const credentialType = new KooGallerySsoApi();
		await expect(
			credentialType.authenticate(credential() as ICredentialDataDecryptedObject, {
				method: 'POST',
				url: 'https://elsewhere.example.com/api/v1/oauth2/token',
				body: { grant_type: 'authorization_code', code: 'x' },
			}),
		).rejects.toThrow("The credential's client secret is only sent to its own tenant domain");
	});
});

describe('credential test', () => {
	const credentialType = new KooGallerySsoApi();

	/** The declarative test as n8n 2.41.1's CredentialsTester runs it (see kooGallery.test.cts). */
	async function testCredential(sso: IDataObject): Promise<{ status: string; message: string }> {
		const { context } = actionContext({ parameters: {}, credentials: { kooGallerySsoApi: sso } });
		const options = {
			...credentialType.test.request,
			returnFullResponse: true,
		} as IHttpRequestOptions;
		let response: { body: IDataObject };
		try {
			response = await context.helpers.httpRequestWithAuthentication.call(
				context,
				'kooGallerySsoApi',
				options,
			);
		} catch (error) {
			return { status: 'Error', message: (error as Error).message };
		}
		for (const rule of credentialType.test.rules ?? []) {
			if (rule.type !== 'responseSuccessBody') continue;
			const { key, value, message } = rule.properties;
			const body = typeof response.body === 'object' && response.body !== null ? response.body : {};
			if (body[key] === value) return { status: 'Error', message };
		}
		return { status: 'OK', message: 'Connection successful!' };
	}

	it('passes for the right client (the probe code is refused with invalid_grant)', async () => {
		expect(await testCredential(credential())).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(mock.calls()).toEqual([
			expect.objectContaining({ status: 400, error: 'invalid_grant' }),
		]);
		const encrypted = credential({
			clientSecret: encryptForSeller(A.clientSecret),
			privateKey: PRIVATE_KEY,
		});
		expect((await testCredential(encrypted)).status).toBe('OK');
	});

	it('explains a wrong secret, a wrong domain and an empty client ID', async () => {
		expect((await testCredential(credential({ clientSecret: 'wrong' }))).message).toMatch(
			/^The auth centre did not accept the client ID or client secret\./,
		);
		expect((await testCredential(credential({ tenantDomain: `${mock.url}/nobody` }))).message).toBe(
			"The answer is not an OAuth answer: check the tenant domain (the tenant sync's domainName).",
		);
		expect((await testCredential(credential({ clientId: '' }))).message).toBe(
			'The client ID is empty: take it from the application sync (应用同步) of the tenant.',
		);
	});
});
