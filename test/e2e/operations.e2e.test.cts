/**
 * The KooGallery action node's seller-key operations (issue 9) and single sign-on (issue 6) inside
 * a real n8n 2.41.1 (scripts/n8n-process.cts), with the pack installed as users install it and
 * the credentials imported encrypted by n8n. Each workflow is Webhook (the last node answers) ->
 * Split Out (one item per entry of `items`) -> KooGallery with "On Error: Continue", so a POST runs
 * one operation item by item. Each run mixes good items with one bad item: the bad one becomes an
 * error item with a plain explanation and the others still give the spec vectors'
 * values (docs/protocol/koogallery-saas-v2.md T2; docs/protocol/koogallery-joint-license.md B.1, B.5). SSO runs against the
 * local auth-centre mock, with the client secret stored RSA-encrypted as applicationSync delivers
 * it.
 *
 * Finally n8n's SQLite database is read: no saved execution (run data, workflow, errors) holds a
 * seller key, the kit key, the SSO client secret or the private key, the KooGallery node's run
 * data never holds a password it encrypted, and the credentials table holds none of them in plain.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import { constants, generateKeyPairSync, publicEncrypt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyBodySign } from '../../core/body-sign';
import { decryptCredential } from '../../core/credential-crypto';
import { signSaasV2Request } from '../../core/saas-v2-signature';
import { sendRequest } from '../../scripts/n8n-http.cjs';
import { ensureN8n, installPack, n8nPackageDir } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { startSsoMock, type SsoMock } from '../../simulator/sso-mock.cjs';
import { actionWorkflow } from './action-workflows.cjs';
import { T2 } from '../spec-vectors.cjs';

jest.setTimeout(300_000);

const KEY = '0123456789abcdef-TEST-KEY-not-real';
const PREVIOUS_KEY = 'e2e-previous-seller-key-0001';
const KIT_KEY = 'TEST-ACCESS-KEY-0001';
const V1_KEY = 'TEST-ACCESS-KEY-0001';
const CLIENT = { id: 'e2e-sso-client-0001', secret: 'e2e-sso-client-secret-0123456789' };
const PASSWORDS = ['E2E-plain-password-one-7f3a', 'E2E-plain-password-two-91cd'];
const LONG_PASSWORD = `E2E-too-long-${'z'.repeat(80)}`;

const KIT_B1 = {
	body: '{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	headers:
		'x-sign: 009D6A535687DC66AB2431DDD508BF434269DFE169DFF6F8512A6A455B479EA5\nx-timestamp: 1680508066618\nx-nonce: 50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
};
const B5_PARAMS = {
	activity: 'getLicense',
	businessId: 'b1a2c3d4-0000-1111-2222-333344445555',
	customerId: '68805539',
	orderId: 'CS2211181819B4LVS',
	productId: 'OFFI000000000000000001',
	testFlag: '1',
	timeStamp: '20230523120000123',
	authToken: '3YhAK7Bc9sJJsj4Ws/hHnktDUhY3zuVGZcbFdEANvIk=',
};
const ZHANGSAN = {
	userName: 'zhangsan',
	name: '张三',
	tenant: '34a59a26e6a24071a9cc7a0526440171',
	organizationCode: '10000',
	role: 'user',
};

const pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
const PRIVATE_KEY = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const ENCRYPTED_CLIENT_SECRET = publicEncrypt(
	{ key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
	Buffer.from(CLIENT.secret),
).toString('base64');

const SELLER = { id: 'kgOpsSellerKey01', name: 'KooGallery Seller Key (T2)' };
const SELLER_V1 = { id: 'kgOpsSellerKey02', name: 'KooGallery Seller Key (B.5)' };
const SSO = { id: 'kgOpsSsoCred0001', name: 'KooGallery SSO (mock tenant)' };

/** Webhook (last node answers with all items) -> Split Out `body.items` -> KooGallery, continuing on error. */
function workflow(
	id: string,
	parameters: Record<string, unknown>,
	credentials: Record<string, { id: string; name: string }>,
) {
	return actionWorkflow({
		id,
		name: `KooGallery ${id}`,
		splitField: 'items',
		parameters,
		credentials,
		onError: 'continueRegularOutput',
		settings: { saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
	});
}

const seller = { kooGallerySellerKeyApi: SELLER };
const sso = { kooGallerySsoApi: SSO };
const WORKFLOWS = [
	workflow(
		'kg-ops-encrypt',
		{
			resource: 'credentials',
			operation: 'encrypt',
			credentialFields: 'userName, password',
			encryptType: '1',
		},
		seller,
	),
	workflow(
		'kg-ops-decrypt',
		{ resource: 'credentials', operation: 'decrypt', credentialFields: 'userName, password' },
		seller,
	),
	workflow(
		'kg-ops-contact',
		{ resource: 'buyerContact', operation: 'decrypt', contactFields: 'mobilePhone, email' },
		seller,
	),
	workflow(
		'kg-ops-sign',
		{
			resource: 'signature',
			operation: 'signBody',
			bodyToSign: '={{ $json.body }}',
			signingKey: '={{ $json.key }}',
		},
		seller,
	),
	workflow(
		'kg-ops-verify-v2',
		{
			resource: 'signature',
			operation: 'verifyRequest',
			captureProtocol: 'saasV2',
			capturedParameters: '={{ $json.url }}',
			capturedBody: '={{ $json.body }}',
			checkTime: '={{ $json.checkTime }}',
		},
		seller,
	),
	workflow(
		'kg-ops-verify-kit',
		{
			resource: 'signature',
			operation: 'verifyRequest',
			captureProtocol: 'kit',
			capturedHeaders: '={{ $json.headers }}',
			capturedBody: '={{ $json.body }}',
			checkTime: false,
		},
		seller,
	),
	workflow(
		'kg-ops-verify-v1',
		{
			resource: 'signature',
			operation: 'verifyRequest',
			captureProtocol: 'saasV1',
			capturedParameters: '={{ $json.parameters }}',
			checkTime: false,
		},
		{ kooGallerySellerKeyApi: SELLER_V1 },
	),
	workflow(
		'kg-ops-sso-tokens',
		{ resource: 'sso', operation: 'getTokens', code: '={{ $json.code }}' },
		sso,
	),
	workflow(
		'kg-ops-sso-refresh',
		{ resource: 'sso', operation: 'refreshToken', refreshToken: '={{ $json.refreshToken }}' },
		sso,
	),
	workflow(
		'kg-ops-sso-userinfo',
		{ resource: 'sso', operation: 'getUserInfo', accessToken: '={{ $json.accessToken }}' },
		sso,
	),
];

type Item = Record<string, any>;

describe('KooGallery action node operations in a real n8n, item by item', () => {
	let mock: SsoMock;
	let n8n: N8nHandle;
	let userFolder: string;
	let flatted: { parse(text: string): any };

	beforeAll(async () => {
		mock = await startSsoMock({
			tenants: [
				{ pathPrefix: '', clientId: CLIENT.id, clientSecret: CLIENT.secret, users: [ZHANGSAN] },
			],
		});
		const install = await ensureN8n();
		flatted = require(path.join(path.dirname(n8nPackageDir(install)), 'flatted')) as typeof flatted;
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-operations-e2e-'));
		installPack(userFolder);
		n8n = await startN8n({
			userFolder,
			credentials: [
				{
					...SELLER,
					type: 'kooGallerySellerKeyApi',
					data: {
						secretKey: KEY,
						previousSecretKey: PREVIOUS_KEY,
						kitSecretKey: KIT_KEY,
						site: 'cn',
					},
				},
				{ ...SELLER_V1, type: 'kooGallerySellerKeyApi', data: { secretKey: V1_KEY, site: 'cn' } },
				{
					...SSO,
					type: 'kooGallerySsoApi',
					data: {
						tenantDomain: mock.url,
						clientId: CLIENT.id,
						clientSecret: ENCRYPTED_CLIENT_SECRET,
						privateKey: PRIVATE_KEY,
						privateKeyPassphrase: '',
					},
				},
			],
			workflows: WORKFLOWS,
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await mock?.stop();
		if (userFolder && !process.env.KOOGALLERY_KEEP_N8N)
			fs.rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	/** POSTs the items to a workflow and returns the KooGallery node's output items. */
	async function run(id: string, items: Item[]): Promise<Item[]> {
		const answer = await sendRequest(`${n8n.baseUrl}/webhook/${id}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items }),
		});
		const text = answer.body.toString('utf8');
		if (answer.status !== 200)
			throw new Error(
				`n8n answered ${answer.status}: ${text.slice(0, 500)}\n${n8n.logs().slice(-3000)}`,
			);
		const out = JSON.parse(text) as Item[];
		expect(out).toHaveLength(items.length);
		return out;
	}

	it('Credentials > Encrypt: each password encrypted with the seller key; a too-long one fails alone', async () => {
		const out = await run('kg-ops-encrypt', [
			{ userName: 'admin', password: PASSWORDS[0] },
			{ userName: 'ops', password: LONG_PASSWORD },
			{ userName: 'ops2', password: PASSWORDS[1] },
		]);
		expect(decryptCredential(KEY, out[0].userName)).toBe('admin');
		expect(decryptCredential(KEY, out[0].password)).toBe(PASSWORDS[0]);
		expect(out[1]).toEqual({
			error: expect.stringMatching(
				/^Field "password": The encrypted value would be \d+ characters; KooGallery allows 128/,
			),
		});
		expect(decryptCredential(KEY, out[2].password)).toBe(PASSWORDS[1]);
		expect([out[0].encryptType, out[2].encryptType]).toEqual(['1', '1']);
	});

	it('Credentials > Decrypt: the T2 ciphertexts; a value that is not encrypted fails alone', async () => {
		const out = await run('kg-ops-decrypt', [
			{ userName: T2.admin1, password: T2.password1 },
			{ password: 'not-encrypted-at-all' },
			{ userName: T2.admin2, encryptType: '2' },
		]);
		expect(out).toEqual([
			{ userName: 'admin', password: 'Huawei@12345' },
			{
				error:
					'Field "password": The encrypted credential has the wrong length: expected a 16-character IV followed by Base64 of whole AES blocks.',
			},
			{ userName: 'admin', encryptType: '2' },
		]);
	});

	it('Buyer Contact > Decrypt: the T2 mobile URL-encoded and not; a broken value fails alone', async () => {
		const out = await run('kg-ops-contact', [
			{ mobilePhone: encodeURIComponent(T2.mobile1), email: '' },
			{ mobilePhone: 'A1b2C3d4E5f6G7h8%E0%A4%A' },
			{ mobilePhone: T2.mobile1 },
		]);
		expect(out).toEqual([
			{ mobilePhone: '13800000000', email: '' },
			{ error: 'Field "mobilePhone" is not correctly URL-encoded.' },
			{ mobilePhone: '13800000000' },
		]);
	});

	it('Signature > Sign Body: the T2 Body-Sign; text that is not JSON fails alone; an object is signed as sent', async () => {
		const out = await run('kg-ops-sign', [
			{ body: T2.answer, key: 'current' },
			{ body: 'resultCode=000000', key: 'current' },
			{ body: { resultCode: '000000', resultMsg: '成功' }, key: 'kit' },
		]);
		expect(out[0]).toEqual({
			body: T2.answer,
			bodySign: T2.bodySign,
			headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Body-Sign': T2.bodySign },
		});
		expect(out[1].error).toMatch(/^The body is not valid JSON\./);
		expect(out[2].body).toBe('{"resultCode":"000000","resultMsg":"\\u6210\\u529f"}');
		expect(verifyBodySign(KIT_KEY, out[2].body, out[2].bodySign)).toBe(true);
	});

	it('Signature > Verify Request (V2.0): genuine, tampered, stale, replayed, and an unreadable capture fails alone', async () => {
		const now = String(Date.now());
		const nonce = randomUUID().replace(/-/g, '');
		const fresh = `https://isv.example.com/produce?signature=${signSaasV2Request(KEY, T2.body, nonce, now)}&timestamp=${now}&nonce=${nonce}`;
		const out = await run('kg-ops-verify-v2', [
			{ url: T2.url, body: T2.body, checkTime: false },
			{ url: T2.url, body: T2.body.replace('"testFlag":"1"', '"testFlag":"0"'), checkTime: false },
			{ url: fresh, body: T2.body, checkTime: true },
			{ url: T2.url, body: T2.body, checkTime: true },
			{ url: '', body: T2.body, checkTime: false },
			{ url: T2.url, body: T2.body, checkTime: false },
		]);
		expect(out.map((o) => o.verdict ?? o.error)).toEqual([
			'genuine',
			'tampered',
			'genuine',
			'stale',
			'The URL parameters are empty: paste the request URL, its query string, or the parameters as JSON.',
			'replayed',
		]);
		expect(out[0]).toMatchObject({
			genuine: true,
			signedWith: 'seller key',
			signedAt: '2023-04-03T07:47:46.618Z',
			nonce: '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
		});
		expect(out[2]).toMatchObject({ genuine: true, timeChecked: true, nonce });
		expect(out[3].explanation).toMatch(/^Not accepted: the request is outside the time window\./);
	});

	it('Signature > Verify Request (kit headers, B.1): genuine, tampered, and missing headers fail alone', async () => {
		const out = await run('kg-ops-verify-kit', [
			{ headers: KIT_B1.headers, body: KIT_B1.body },
			{ headers: '', body: KIT_B1.body },
			{ headers: KIT_B1.headers, body: KIT_B1.body.replace('huaiweitest"', 'huaiweitest2"') },
		]);
		expect(out[0]).toMatchObject({
			genuine: true,
			verdict: 'genuine',
			signedWith: 'joint-operation kit key',
		});
		expect(out[1].error).toMatch(/^The headers are empty/);
		expect(out[2]).toMatchObject({ genuine: false, verdict: 'tampered' });
	});

	it('Signature > Verify Request (V1.0 authToken, B.5): genuine, tampered, malformed', async () => {
		const out = await run('kg-ops-verify-v1', [
			{ parameters: B5_PARAMS },
			{ parameters: { ...B5_PARAMS, orderId: 'CS0000000000OTHER' } },
			{ parameters: { ...B5_PARAMS, authToken: undefined } },
		]);
		expect(out.map((o) => o.verdict)).toEqual(['genuine', 'tampered', 'malformed']);
		expect(out[0]).toMatchObject({
			signedAt: '2023-05-23T12:00:00.123Z',
			bodyReading: 'decoded parameters',
		});
	});

	it('Single Sign-On: tokens, refresh and user info per item; a bad code, token or refresh token fails alone', async () => {
		const tokens = await run('kg-ops-sso-tokens', [
			{ code: mock.login('zhangsan') },
			{ code: 'not-a-code' },
			{ code: mock.login('zhangsan') },
		]);
		expect(tokens[0]).toMatchObject({
			token_type: 'Bearer',
			expires_in: 7200,
			scope: 'get_user_info',
		});
		expect(tokens[1]).toEqual({
			error: 'The KooGallery auth centre refused the request: invalid_grant',
			description: expect.stringMatching(/^The authorization code was refused/),
			errorCode: 'invalid_grant',
		});
		expect(tokens[2].access_token).toEqual(expect.any(String));
		const refreshed = await run('kg-ops-sso-refresh', [
			{ refreshToken: tokens[0].refresh_token },
			{ refreshToken: tokens[0].refresh_token },
			{ refreshToken: tokens[2].refresh_token },
		]);
		expect(refreshed[0].access_token).toEqual(expect.any(String));
		expect(refreshed[1].errorCode).toBe('invalid_grant');
		expect(refreshed[2].access_token).toEqual(expect.any(String));
		const users = await run('kg-ops-sso-userinfo', [
			{ accessToken: refreshed[0].access_token },
			{ accessToken: 'not-a-token' },
			{ accessToken: refreshed[2].access_token },
		]);
		expect(users[0]).toEqual({
			...ZHANGSAN,
			sync: expect.objectContaining({
				userName: 'zhangsan',
				orgCode: '10000',
				tenantId: ZHANGSAN.tenant,
			}),
		});
		expect(users[1].errorCode).toBe('invalid_token');
		expect(users[2].userName).toBe('zhangsan');
		expect(
			mock
				.calls()
				.filter((c) => c.path.endsWith('/token'))
				.every((c) => c.clientId === CLIENT.id),
		).toBe(true);
	});

	it('saves no key, client secret or private key in any execution, and no password the node encrypted, in plain, in its run data', async () => {
		const ids = WORKFLOWS.map((w) => w.id);
		const executions = (await n8n.listExecutions()).filter((e) => ids.includes(e.workflowId));
		expect(new Set(executions.map((e) => e.workflowId))).toEqual(new Set(ids));
		expect(executions.every((e) => e.status === 'success')).toBe(true);
		const secrets = [
			KEY,
			PREVIOUS_KEY,
			KIT_KEY,
			CLIENT.secret,
			ENCRYPTED_CLIENT_SECRET.slice(0, 40),
			...PRIVATE_KEY.split('\n').filter((line) => line.length > 40),
		];
		for (const execution of executions) {
			const [row] = await n8n.query(
				'SELECT data, workflowData FROM execution_data WHERE executionId = ?',
				[Number(execution.id)],
			);
			const stored = `${String(row.data)}\n${String(row.workflowData)}`;
			for (const secret of secrets) expect(stored).not.toContain(secret);
			const runData = flatted.parse(String(row.data)).resultData.runData as Record<string, any[]>;
			const nodeRun = JSON.stringify(runData.KooGallery);
			for (const password of [...PASSWORDS, LONG_PASSWORD]) expect(nodeRun).not.toContain(password);
			// The search sees the saved data: the webhook kept the passwords it received, and
			// Decrypt's run data holds the plain text it was asked for.
			if (execution.workflowId === 'kg-ops-encrypt') {
				expect(JSON.stringify(runData.Webhook)).toContain(PASSWORDS[0]);
				expect(nodeRun).toContain('"encryptType":"1"');
			}
			if (execution.workflowId === 'kg-ops-decrypt') expect(nodeRun).toContain('Huawei@12345');
		}
		const credentials = await n8n.query('SELECT data FROM credentials_entity');
		expect(credentials.length).toBeGreaterThanOrEqual(3);
		for (const row of credentials)
			for (const secret of secrets) expect(String(row.data)).not.toContain(secret);
	});
});
