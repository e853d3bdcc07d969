/**
 * The KooGallery action node's local operations (issue 9) run through the node's execute() with
 * the seller key from the KooGallery Seller Key credential, against the spec vectors:
 * docs/protocol/koogallery-saas-v2.md T2 (ciphertexts, Body-Sign, V2.0 request signature),
 * docs/protocol/koogallery-openapi-v1.md TV4 (V1.0 authToken), TV5 (Body-Sign), TV6 (SHA1PRNG AES),
 * docs/protocol/koogallery-joint-license.md B.1/B.2 (kit x-sign). Nothing of the node or core is mocked.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { verifyBodySign } from '../../core/body-sign';
import { decryptCredential, encryptCredential } from '../../core/credential-crypto';
import { KooGallery } from '../../nodes/KooGallery/KooGallery.node';
import { REPLAY_CHECK_NOTE } from '../../nodes/KooGallery/actions/signature/verifyRequest.operation';
import { actionContext } from './kooGallery-fakes.cjs';
import { T2 } from '../spec-vectors.cjs';

const KEY = '0123456789abcdef-TEST-KEY-not-real';
const PREVIOUS_KEY = 'previous-key-0123456789';
const KIT_KEY = 'TEST-ACCESS-KEY-0001';
const SELLER = {
	secretKey: KEY,
	previousSecretKey: PREVIOUS_KEY,
	kitSecretKey: KIT_KEY,
	site: 'cn',
};
const TV_KEY = 'xxxxxxx';

const TV6 = {
	mobile256: 'abcdefgh12345678MZgye9ZJ/7vYk/loNYGkvg==',
	mobile128: 'abcdefgh12345678Bp1JPH/S93DCSRE3+ZmlUQ==',
};
const KIT_B1 = {
	body: '{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}',
	headers:
		'x-sign: 009D6A535687DC66AB2431DDD508BF434269DFE169DFF6F8512A6A455B479EA5\nx-timestamp: 1680508066618\nx-nonce: 50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
};
const TV4_URL =
	'https://example.isv.com/produce?activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903&authToken=Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=';

const node = new KooGallery();

async function run(
	parameters: IDataObject | ((i: number) => IDataObject),
	items: IDataObject[] = [{}],
	extra: { seller?: IDataObject; continueOnFail?: boolean } = {},
): Promise<INodeExecutionData[]> {
	const { context } = actionContext({
		parameters,
		items,
		credentials: { kooGallerySellerKeyApi: extra.seller ?? SELLER },
		continueOnFail: extra.continueOnFail,
	});
	const output = (await node.execute.call(context)) as INodeExecutionData[][];
	expect(output).toHaveLength(1);
	return output[0];
}

async function failure(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a failure');
}

/** No secret may appear anywhere in what the node returns or throws. */
function expectNoSecrets(value: unknown, also: string[] = []) {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	for (const secret of [KEY, PREVIOUS_KEY, KIT_KEY, TV_KEY, ...also])
		expect(text).not.toContain(secret);
}

describe('Credentials > Encrypt', () => {
	const encrypt = {
		resource: 'credentials',
		operation: 'encrypt',
		credentialFields: 'userName, password',
	};

	it('replaces user name and password with what core makes for the same IV, and adds encryptType', async () => {
		for (const encryptType of ['1', '2'] as const) {
			const [out] = await run({ ...encrypt, encryptType }, [
				{ userName: 'admin', password: 'Huawei@12345', url: 'https://app' },
			]);
			const json = out.json as Record<string, string>;
			expect(json.encryptType).toBe(encryptType);
			expect(json.url).toBe('https://app');
			for (const [field, plain] of [
				['userName', 'admin'],
				['password', 'Huawei@12345'],
			]) {
				expect(json[field]).toMatch(/^[A-Za-z0-9]{16}[A-Za-z0-9+/]+=*$/);
				expect(json[field]).toBe(
					encryptCredential(KEY, plain, encryptType, json[field].slice(0, 16)),
				);
				expect(decryptCredential(KEY, json[field], encryptType)).toBe(plain);
			}
			expect(JSON.stringify(out)).not.toContain('Huawei@12345');
			expectNoSecrets(out);
		}
	});

	it('reaches into objects, leaves missing fields out, and gives the T2 ciphertext for its IV', async () => {
		const [out] = await run(
			{ ...encrypt, credentialFields: 'appInfo.userName, appInfo.password, nope' },
			[{ appInfo: { userName: 'admin', frontEndUrl: 'https://app' } }],
		);
		const appInfo = out.json.appInfo as Record<string, string>;
		expect(Object.keys(appInfo)).toEqual(['userName', 'frontEndUrl']);
		expect(appInfo.userName.slice(16)).toBe(
			encryptCredential(KEY, 'admin', '1', appInfo.userName.slice(0, 16)).slice(16),
		);
		expect(encryptCredential(KEY, 'admin', '1', 'A1b2C3d4E5f6G7h8')).toBe(T2.admin1);
		expect(out.json.encryptType).toBe('1');
	});

	it('fails an item with none of the fields, an object field or a value too long, naming no secret', async () => {
		const long = 'p'.repeat(80);
		const items = [
			{ other: 1 },
			{ password: { nested: true } },
			{ password: long },
			{ password: 'ok' },
		];
		const out = await run(encrypt, items, { continueOnFail: true });
		expect(out.map((o) => o.json.error ?? 'ok')).toEqual([
			'The item has none of the fields userName, password, or they are all empty.',
			'Field "password" holds an object or a list, not a value to encrypt.',
			'Field "password": The encrypted value would be 144 characters; KooGallery allows 128, so the text may be at most 79 bytes of UTF-8 (it is 80).',
			'ok',
		]);
		expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(decryptCredential(KEY, out[3].json.password as string)).toBe('ok');
		expect(JSON.stringify(out)).not.toContain(long);
		expectNoSecrets(out);
		const error = await failure(run(encrypt, items));
		expect(error.message).toBe(
			'The item has none of the fields userName, password, or they are all empty.',
		);
	});
});

describe('Credentials > Decrypt', () => {
	const decrypt = {
		resource: 'credentials',
		operation: 'decrypt',
		credentialFields: 'userName, password',
	};

	it('opens the T2 ciphertexts, with encryptType from the item or the parameter', async () => {
		const out = await run(decrypt, [
			{ userName: T2.admin1, password: T2.password1, encryptType: '1' },
			{ userName: T2.admin2, encryptType: 2 },
			{ userName: T2.admin1 },
		]);
		expect(out.map((o) => o.json)).toEqual([
			{ userName: 'admin', password: 'Huawei@12345', encryptType: '1' },
			{ userName: 'admin', encryptType: 2 },
			{ userName: 'admin' },
		]);
		const [forced] = await run({ ...decrypt, decryptType: '2' }, [
			{ userName: T2.admin2, encryptType: '1' },
		]);
		expect(forced.json.userName).toBe('admin');
	});

	it('opens a value made with the previous key and says so', async () => {
		const [out] = await run(decrypt, [{ password: encryptCredential(PREVIOUS_KEY, 'old-secret') }]);
		expect(out.json).toEqual({ password: 'old-secret', decryptedWithPreviousKey: true });
	});

	it('explains a wrong key, a wrong type and a malformed value per item, without leaking', async () => {
		const foreign = encryptCredential('some-other-key-000', 'their-password');
		const items = [
			{ password: foreign },
			{ password: T2.admin1, encryptType: '3' },
			{ password: 'not-encrypted' },
			{ password: T2.admin1.replace('o', '*') },
			{ password: T2.password1 },
		];
		const out = await run(decrypt, items, { continueOnFail: true });
		expect(out[0].json.error).toMatch(
			/^Field "password": The encrypted credential could not be decrypted \(bad padding\): wrong access key or wrong encryptType\.$|^Field "password": The decrypted credential is not valid UTF-8 text/,
		);
		expect(out[1].json.error).toBe(
			'The item\'s encryptType is "3"; KooGallery knows only 1 (AES-256) and 2 (AES-128).',
		);
		expect(out[2].json.error).toBe(
			'Field "password": The encrypted credential has the wrong length: expected a 16-character IV followed by Base64 of whole AES blocks.',
		);
		expect(out[3].json.error).toBe(
			'Field "password": The encrypted credential is not valid Base64 after the IV.',
		);
		expect(out[4].json).toEqual({ password: 'Huawei@12345' });
		expect(JSON.stringify(out.slice(0, 4))).not.toContain('their-password');
		expect(JSON.stringify(out.slice(0, 4))).not.toContain(foreign);
		expectNoSecrets(out);
	});
});

describe('Buyer Contact > Decrypt', () => {
	const contact = {
		resource: 'buyerContact',
		operation: 'decrypt',
		contactFields: 'mobilePhone, email',
	};

	it('opens T2 and TV6 mobiles, URL-encoded, decoded, or with + turned into a space', async () => {
		const out = await run(contact, [
			{ mobilePhone: encodeURIComponent(T2.mobile1), email: '' },
			{ mobilePhone: T2.mobile1, orderId: 'CS1' },
			{ mobilePhone: T2.password1.replace('+', ' ') },
		]);
		expect(out.map((o) => o.json)).toEqual([
			{ mobilePhone: '13800000000', email: '' },
			{ mobilePhone: '13800000000', orderId: 'CS1' },
			{ mobilePhone: 'Huawei@12345' },
		]);
		const tv6 = await run(
			{ ...contact, contactEncryptType: 'both' },
			[{ mobilePhone: TV6.mobile256 }, { mobilePhone: encodeURIComponent(TV6.mobile128) }],
			{ seller: { secretKey: TV_KEY } },
		);
		expect(tv6.map((o) => o.json.mobilePhone)).toEqual(['15905222222', '15905222222']);
	});

	it('keeps %-escapes when told the values are decoded, and reports broken escapes', async () => {
		const out = await run(
			(i) => ({ ...contact, urlEncoded: i === 0 ? 'no' : 'yes' }),
			[{ mobilePhone: encodeURIComponent(T2.mobile1) }, { mobilePhone: '%E0%A4%A' }],
			{ continueOnFail: true },
		);
		expect(out[0].json.error).toMatch(/^Field "mobilePhone": The encrypted contact/);
		expect(out[1].json.error).toBe('Field "mobilePhone" is not correctly URL-encoded.');
	});

	it('with AES-128 only, an AES-256 value fails', async () => {
		const error = await failure(
			run({ ...contact, contactEncryptType: '2' }, [{ mobilePhone: TV6.mobile256 }], {
				seller: { secretKey: TV_KEY },
			}),
		);
		expect(error.message).toMatch(/^Field "mobilePhone": The (encrypted|decrypted) contact/);
		expectNoSecrets(error.message, ['15905222222']);
	});
});

describe('Signature > Sign Body', () => {
	const sign = { resource: 'signature', operation: 'signBody' };

	it('gives the T2 and TV5 Body-Sign headers for their exact bodies', async () => {
		const [t2] = await run({ ...sign, bodyToSign: T2.answer });
		expect(t2.json).toEqual({
			body: T2.answer,
			bodySign: T2.bodySign,
			headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Body-Sign': T2.bodySign },
		});
		const tv5Body =
			'{"resultCode":"000000","resultMsg":"success.","instanceId":"03pf80c2bae96vc49b80b917bea776d7"}';
		const [tv5] = await run({ ...sign, bodyToSign: tv5Body }, [{}], {
			seller: { secretKey: TV_KEY },
		});
		expect(tv5.json.bodySign).toBe(
			'sign_type="HMAC-SHA256", signature= "eLI2qP4Ue+sAKlqsKio+GUgGuOEL0oQe9kTVl55t+Cw="',
		);
	});

	it('writes an object as KooGallery JSON (\\uXXXX) and signs those bytes with the chosen key', async () => {
		const value = { resultCode: '000000', resultMsg: '成功', appInfo: { memo: '中文' } };
		const out = await run(
			(i) => ({ ...sign, bodyToSign: value, signingKey: ['current', 'previous', 'kit'][i] }),
			[{}, {}, {}],
		);
		const body =
			'{"resultCode":"000000","resultMsg":"\\u6210\\u529f","appInfo":{"memo":"\\u4e2d\\u6587"}}';
		expect(out.map((o) => o.json.body)).toEqual([body, body, body]);
		expect(verifyBodySign(KEY, body, out[0].json.bodySign)).toBe(true);
		expect(verifyBodySign(PREVIOUS_KEY, body, out[1].json.bodySign)).toBe(true);
		expect(verifyBodySign(KIT_KEY, body, out[2].json.bodySign)).toBe(true);
		expectNoSecrets(out);
	});

	it('refuses an empty body, text that is not JSON and a key the credential lacks, item by item', async () => {
		const out = await run(
			(i) =>
				[
					{ ...sign, bodyToSign: '' },
					{ ...sign, bodyToSign: 'resultCode=000000' },
					{ ...sign, bodyToSign: T2.answer, signingKey: 'kit' },
					{ ...sign, bodyToSign: T2.answer },
				][i],
			[{}, {}, {}, {}],
			{ continueOnFail: true, seller: { secretKey: KEY } },
		);
		expect(out.map((o) => o.json.error ?? o.json.bodySign)).toEqual([
			'The body to sign is empty.',
			'The body is not valid JSON. KooGallery reads resultCode from a JSON answer, so sign the exact JSON text you will send.',
			'The KooGallery Seller Key credential has no joint-operation kit key.',
			T2.bodySign,
		]);
	});
});

describe('Signature > Verify Request', () => {
	const verify = { resource: 'signature', operation: 'verifyRequest', checkTime: false };

	it('finds the T2 V2.0 request genuine and says how, with its time and nonce', async () => {
		const [out] = await run({
			...verify,
			captureProtocol: 'saasV2',
			capturedParameters: T2.url,
			capturedBody: T2.body,
		});
		expect(out.json).toEqual({
			genuine: true,
			verdict: 'genuine',
			explanation:
				'Genuine: KooGallery signed this request with your seller key over the exact body given. The time was not checked.',
			requestType: 'saasV2',
			signedWith: 'seller key',
			bodyReading: 'exact bytes',
			signedAt: '2023-04-03T07:47:46.618Z',
			ageSeconds: expect.any(Number),
			timeChecked: false,
			nonce: '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
			replayCheck: REPLAY_CHECK_NOTE,
		});
		expect(out.json.ageSeconds).toBeGreaterThan(60 * 60 * 24 * 365);
	});

	it('with Check Time on, calls the 2023 capture stale; with the key as previous key, still genuine', async () => {
		const [stale] = await run({
			...verify,
			checkTime: true,
			captureProtocol: 'saasV2',
			capturedParameters: T2.url,
			capturedBody: T2.body,
		});
		expect(stale.json).toMatchObject({
			genuine: false,
			verdict: 'stale',
			problemWith: 'timestamp',
			timeChecked: true,
		});
		expect(stale.json.explanation).toMatch(
			/^Not accepted: the request is outside the time window\. The request's timestamp is \d+ s old; at most 60 s is accepted\./,
		);
		const [previous] = await run(
			{ ...verify, captureProtocol: 'saasV2', capturedParameters: T2.url, capturedBody: T2.body },
			[{}],
			{ seller: { secretKey: 'the-new-key-0000', previousSecretKey: KEY } },
		);
		expect(previous.json).toMatchObject({ genuine: true, signedWith: 'previous seller key' });
	});

	it('checks kit headers (B.1) with the kit key and V1.0 parameters (TV4) with the seller key', async () => {
		const [kit] = await run({
			...verify,
			captureProtocol: 'kit',
			capturedHeaders: KIT_B1.headers,
			capturedBody: KIT_B1.body,
		});
		expect(kit.json).toMatchObject({
			genuine: true,
			signedWith: 'joint-operation kit key',
			bodyReading: 'sorted keys, nulls dropped (as the Huawei sample signs)',
			signedAt: '2023-04-03T07:47:46.618Z',
		});
		const [v1] = await run(
			{ ...verify, captureProtocol: 'saasV1', capturedParameters: TV4_URL },
			[{}],
			{
				seller: { secretKey: TV_KEY },
			},
		);
		expect(v1.json).toMatchObject({
			genuine: true,
			bodyReading: 'decoded parameters',
			signedAt: '2020-07-27T07:37:11.903Z',
			nonce: 'Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ=',
		});
	});

	it('gives a verdict per item: genuine, tampered, replayed, malformed, and an error item for an unreadable one', async () => {
		const changed = T2.body.replace('"testFlag":"1"', '"testFlag":"0"');
		const items = [
			{ url: T2.url, body: T2.body },
			{ url: T2.url, body: changed },
			{ url: T2.url, body: T2.body },
			{ url: T2.url.replace(/&nonce=.*$/, ''), body: T2.body },
			{ url: '', body: T2.body },
			{ url: '{"signature":', body: T2.body },
		];
		const out = await run(
			(i) => ({
				...verify,
				captureProtocol: 'saasV2',
				capturedParameters: items[i].url,
				capturedBody: items[i].body,
			}),
			items,
			{ continueOnFail: true },
		);
		expect(out.map((o) => o.json.verdict ?? o.json.error)).toEqual([
			'genuine',
			'tampered',
			'replayed',
			'malformed',
			'The URL parameters are empty: paste the request URL, its query string, or the parameters as JSON.',
			'The URL parameters look like JSON but are not valid JSON.',
		]);
		expect(out[1].json.explanation).toMatch(/^Not genuine: the signature does not match\./);
		expect(out[2].json.explanation).toMatch(
			/^Replayed: an earlier item of this run carries the same request/,
		);
		expect(out[3].json).toMatchObject({
			problemWith: 'nonce',
			nonce: null,
			explanation:
				'Malformed: the request cannot be checked. The URL parameter "nonce" is missing.',
		});
		expect(out.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expectNoSecrets(out);
		const error = await failure(
			run(
				(i) => ({
					...verify,
					captureProtocol: 'saasV2',
					capturedParameters: items[i].url,
					capturedBody: items[i].body,
				}),
				items,
			),
		);
		expect(error.message).toBe(
			'The URL parameters are empty: paste the request URL, its query string, or the parameters as JSON.',
		);
	});

	it('hints at swapped keys when a kit request verifies with the seller key, and needs a kit key', async () => {
		const [swapped] = await run(
			{
				...verify,
				captureProtocol: 'kit',
				capturedHeaders: KIT_B1.headers,
				capturedBody: KIT_B1.body,
			},
			[{}],
			{ seller: { secretKey: KIT_KEY, kitSecretKey: 'kit-key-not-this-one' } },
		);
		expect(swapped.json).toMatchObject({ genuine: false, verdict: 'tampered' });
		expect(swapped.json.hint).toMatch(
			/^This kit request verifies with your seller key instead of the kit key/,
		);
		const noKit = await failure(
			run(
				{
					...verify,
					captureProtocol: 'kit',
					capturedHeaders: KIT_B1.headers,
					capturedBody: KIT_B1.body,
				},
				[{}],
				{
					seller: { secretKey: KEY },
				},
			),
		);
		expect(noKit.message).toBe(
			'The KooGallery Seller Key credential has no joint-operation kit key, so a kit request cannot be checked.',
		);
	});

	it('takes headers and parameters as objects from an expression, and a body object', async () => {
		const [kit] = await run({
			...verify,
			captureProtocol: 'kit',
			capturedHeaders: {
				'x-sign': '009d6a535687dc66ab2431ddd508bf434269dfe169dff6f8512a6a455b479ea5',
				'x-timestamp': '1680508066618',
				'x-nonce': '50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA',
			},
			capturedBody: JSON.parse(KIT_B1.body),
		});
		expect(kit.json.genuine).toBe(true);
		const query = Object.fromEntries(new URL(T2.url).searchParams);
		const [v2] = await run({
			...verify,
			captureProtocol: 'saasV2',
			capturedParameters: query,
			capturedBody: JSON.parse(T2.body),
		});
		expect(v2.json).toMatchObject({ genuine: true, bodyReading: 'exact bytes' });
	});
});
