/**
 * KooGallery > Signature > Sign Text: RSA-SHA256 over the text of a field chosen by name, with the
 * seller's own key from the KooGallery License Signing Key credential (the License example signs
 * each license with it, without an n8n expression). Real keys, real signatures; nothing of the node
 * or core is mocked.
 */
import { createSign, generateKeyPairSync, verify } from 'node:crypto';
import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IDataObject,
	INodeExecutionData,
} from 'n8n-workflow';

import { KooGallery } from '../../nodes/KooGallery/KooGallery.node';
import { testLicenseKey } from '../../nodes/KooGallery/actions/signature/signText.operation';
import { actionContext } from './kooGallery-fakes.cjs';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const node = new KooGallery();
const LICENSE_TEXT =
	'{"product":"OFFI-1","customer":"客户-1","order":"CS1","instance":"biz-1","device":"","issued":"2026-12-07T14:00:00.000Z","expires":""}';

async function sign(
	items: IDataObject[],
	parameters: IDataObject = {},
	extra: { key?: IDataObject; continueOnFail?: boolean } = {},
): Promise<INodeExecutionData[]> {
	const { context } = actionContext({
		parameters: { resource: 'signature', operation: 'signText', ...parameters },
		items,
		credentials: { kooGalleryLicenseKeyApi: extra.key ?? { privateKey } },
		continueOnFail: extra.continueOnFail,
	});
	const output = (await node.execute.call(context)) as INodeExecutionData[][];
	expect(output).toHaveLength(1);
	return output[0];
}

const valid = (text: string, signature: unknown) =>
	verify(
		'RSA-SHA256',
		Buffer.from(text, 'utf8'),
		publicKey,
		Buffer.from(String(signature), 'base64'),
	);

describe('KooGallery > Signature > Sign Text', () => {
	it("signs the named field (licenseData by default) with the RSA key, keeps the other fields, and makes the signature n8n's Crypto node makes", async () => {
		const [out] = await sign(
			[{ issueKey: 'order:CS1', licenseData: LICENSE_TEXT, testCall: false }],
			{
				textField: 'licenseData',
				signatureField: 'signature',
			},
		);
		expect(Object.keys(out.json)).toEqual(['issueKey', 'licenseData', 'testCall', 'signature']);
		expect(out.json).toMatchObject({
			issueKey: 'order:CS1',
			licenseData: LICENSE_TEXT,
			testCall: false,
		});
		expect(valid(LICENSE_TEXT, out.json.signature)).toBe(true);
		// n8n's Crypto node, Sign with RSA-SHA256 and BASE64, does exactly this (PKCS#1 v1.5 is deterministic).
		const crypto = createSign('RSA-SHA256');
		crypto.write(LICENSE_TEXT);
		crypto.end();
		expect(out.json.signature).toBe(crypto.sign(privateKey, 'base64'));
		// A changed text no longer matches the signature.
		expect(
			valid(LICENSE_TEXT.replace('"expires":""', '"expires":"20991231235959"'), out.json.signature),
		).toBe(false);
	});

	it('reads a field inside another, writes to the field named, and signs each item with its own text', async () => {
		const out = await sign([{ license: { text: 'first' } }, { license: { text: 'second' } }], {
			textField: 'license.text',
			signatureField: 'sig',
		});
		expect(
			out.map((item) => valid(String((item.json.license as IDataObject).text), item.json.sig)),
		).toEqual([true, true]);
		expect(out[0].json.sig).not.toBe(out[1].json.sig);
	});

	it('reads an encrypted key with its passphrase, and a key given as bare Base64', async () => {
		const encrypted = pair.privateKey
			.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' })
			.toString();
		const [withPassphrase] = await sign(
			[{ licenseData: 'x' }],
			{ textField: 'licenseData', signatureField: 'signature' },
			{
				key: { privateKey: encrypted, privateKeyPassphrase: 'open sesame' },
			},
		);
		expect(valid('x', withPassphrase.json.signature)).toBe(true);
		const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
		const [bare] = await sign(
			[{ licenseData: 'x' }],
			{ textField: 'licenseData', signatureField: 'signature' },
			{
				key: { privateKey: der },
			},
		);
		expect(bare.json.signature).toBe(withPassphrase.json.signature);
	});

	it('refuses an item without text to sign and a key it cannot read, in plain words that never hold the key', async () => {
		const params = { textField: 'licenseData', signatureField: 'signature' };
		await expect(sign([{ other: 'x' }], params)).rejects.toThrow(
			'The input item has no text in the field "licenseData" to sign (no such field).',
		);
		await expect(sign([{ licenseData: '' }], params)).rejects.toThrow(/\(it is empty\)/);
		await expect(sign([{ licenseData: { a: 1 } }], params)).rejects.toThrow(/\(it is not text\)/);
		await expect(
			sign([{ licenseData: 'x' }], { ...params, signatureField: '__proto__' }),
		).rejects.toThrow(/cannot be the name of the signature field/);
		const cut = privateKey.slice(0, 300);
		const error = await sign([{ licenseData: 'x' }], params, { key: { privateKey: cut } }).catch(
			(e: Error) => e,
		);
		expect(String((error as Error).message)).toBe(
			'KooGallery License Signing Key credential: The RSA private key could not be read: copy the whole key, including its BEGIN and END lines.',
		);
		expect(JSON.stringify(error)).not.toContain(cut.slice(40, 120));
		// With Continue (using error output), a bad item becomes an error item and the others are signed.
		const out = await sign([{ licenseData: 'x' }, { other: 1 }], params, { continueOnFail: true });
		expect(valid('x', out[0].json.signature)).toBe(true);
		expect(out[1].json.error).toMatch(/no text in the field "licenseData"/);
	});

	it('tests the credential by reading the key', async () => {
		const test = (data: IDataObject) =>
			testLicenseKey.call(
				{} as ICredentialTestFunctions,
				{
					data,
				} as unknown as ICredentialsDecrypted,
			);
		expect(await test({ privateKey })).toEqual({
			status: 'OK',
			message: 'The RSA private key can sign.',
		});
		expect(await test({ privateKey: '' })).toEqual({
			status: 'Error',
			message: 'The RSA private key is empty.',
		});
		const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
			.privateKey.export({ type: 'pkcs8', format: 'pem' })
			.toString();
		expect(await test({ privateKey: ec })).toEqual({
			status: 'Error',
			message: 'The private key is a ec key; it must be an RSA key.',
		});
	});
});
