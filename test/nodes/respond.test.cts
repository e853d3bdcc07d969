import { KooGalleryRespond } from '../../nodes/KooGalleryRespond/KooGalleryRespond.node';
import { verifyBodySign } from '../../core/body-sign';
import { decryptCredential } from '../../core/credential-crypto';
import { executeContext, KEY, PREVIOUS_KEY, type SentResponse } from './fakes.cjs';
import type { IDataObject } from 'n8n-workflow';

const respond = new KooGalleryRespond();

const newInstanceItem = (extra: IDataObject = {}) => ({
	activity: 'newInstance',
	orderId: 'CS1',
	orderLineId: 'CS1-000001',
	businessId: 'biz-1',
	koogallery: {
		protocol: 'saasV2',
		scenario: 'newInstance',
		verification: { key: 'current' },
		answered: false,
		...extra,
	},
});
const queryItem = (ids: string[]) => ({
	activity: 'queryInstance',
	instanceId: ids.join(','),
	koogallery: {
		protocol: 'saasV2',
		scenario: 'queryInstance',
		instanceIds: ids,
		verification: { key: 'current' },
		answered: false,
	},
});

function answer(sent: SentResponse[], key = KEY) {
	expect(sent).toHaveLength(1);
	expect(sent[0].statusCode).toBe(200);
	expect(typeof sent[0].body).toBe('string');
	expect(verifyBodySign(key, sent[0].body, sent[0].headers['body-sign'])).toBe(true);
	return JSON.parse(sent[0].body);
}

describe('KooGallery Respond', () => {
	// Spec decision 17: every retry of a new purchase brings a new businessId, and KooGallery expects
	// the same instanceId again ("a resend must return the same instance",
	// https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html).
	it('answers a new purchase with an ID made from the order line by default, the same for every retry, signed over the bytes sent', async () => {
		const answers = [];
		for (const businessId of ['biz-1', 'biz-2-retry']) {
			const { context, sent } = executeContext({
				parameters: {
					respondTo: 'newInstance',
					resultCode: '000000',
					resultMessage: '',
					instanceId: '',
				},
				triggerOutputs: [{ ...newInstanceItem(), businessId }],
			});
			const out = await respond.execute.call(context);
			answers.push(answer(sent));
			expect(out[0][0].json.koogalleryAnswer).toEqual({
				resultCode: '000000',
				resultMsg: 'Success',
				instanceId: 'CS1-000001',
			});
		}
		expect(answers).toEqual([
			{ resultCode: '000000', resultMsg: 'Success', instanceId: 'CS1-000001' },
			{ resultCode: '000000', resultMsg: 'Success', instanceId: 'CS1-000001' },
		]);
	});

	it('sends the License result codes 000900 to 000903 with their meaning, and a message cut by code point', async () => {
		const { context, sent } = executeContext({
			parameters: { respondTo: 'result', resultCode: '000903', resultMessage: '' },
			triggerOutputs: [
				{
					activity: 'getLicenseAsync',
					instanceId: 'ins-7',
					koogallery: {
						protocol: 'license',
						scenario: 'getLicenseAsync',
						verification: { key: 'current' },
					},
				},
			],
		});
		await respond.execute.call(context);
		expect(sent[0].body).toBe(
			'{"resultCode":"000903","resultMsg":"The device fingerprint is required"}',
		);
		expect(answer(sent)).toEqual({
			resultCode: '000903',
			resultMsg: 'The device fingerprint is required',
		});
		const long = executeContext({
			parameters: {
				respondTo: 'result',
				resultCode: '000900',
				resultMessage: `${'额'.repeat(254)}😀😀`,
			},
			triggerOutputs: [
				{
					activity: 'getLicenseAsync',
					instanceId: 'ins-7',
					koogallery: {
						protocol: 'license',
						scenario: 'getLicenseAsync',
						verification: { key: 'current' },
					},
				},
			],
		});
		await respond.execute.call(long.context);
		expect(answer(long.sent).resultMsg).toBe(`${'额'.repeat(254)}😀`);
	});

	it('uses the instance ID given, 000004 for slow provisioning, and signs with the key that signed the call', async () => {
		const { context, sent } = executeContext({
			parameters: {
				respondTo: 'newInstance',
				resultCode: '000004',
				resultMessage: 'provisioning',
				instanceId: 'inst-42',
			},
			triggerOutputs: [newInstanceItem({ verification: { key: 'previous' } })],
		});
		await respond.execute.call(context);
		expect(answer(sent, PREVIOUS_KEY)).toEqual({
			resultCode: '000004',
			resultMsg: 'provisioning',
			instanceId: 'inst-42',
		});
	});

	it('finds the trigger item on whichever output fired', async () => {
		const { context, sent } = executeContext({
			parameters: { respondTo: 'result', resultCode: '000003', resultMessage: '' },
			triggerOutputs: [
				undefined,
				undefined,
				{
					activity: 'releaseInstance',
					instanceId: 'x',
					koogallery: { scenario: 'releaseInstance', verification: { key: 'current' } },
				},
			],
		});
		await respond.execute.call(context);
		expect(answer(sent)).toEqual({ resultCode: '000003', resultMsg: 'Instance ID does not exist' });
	});

	it('answers queryInstance with one info entry per item, encrypting the account when asked', async () => {
		const rows = [
			{ id: 'i-1', url: 'https://a.example.com', user: 'admin', pass: 'S3cret!pass' },
			{ id: 'i-2', url: 'https://b.example.com', user: '管理员', pass: 'Pässwörd-2' },
		];
		const { context, sent } = executeContext({
			items: rows,
			parameters: (i) => ({
				respondTo: 'queryInstance',
				resultCode: '000000',
				infoInstanceId: rows[i].id,
				frontEndUrl: rows[i].url,
				adminUrl: `${rows[i].url}/admin`,
				userName: rows[i].user,
				password: rows[i].pass,
				memo: '创建实例成功',
				encrypt: true,
				encryptType: '1',
				usage: {
					entries: [
						{
							usageValue: 12.345678,
							statisticalTime: '20260101120000000',
							relatedInstanceId: '',
							dashboardUrl: '',
						},
					],
				},
			}),
			triggerOutputs: [undefined, queryItem(['i-1', 'i-2'])],
		});
		const out = await respond.execute.call(context);
		expect(sent[0].body).toContain('"memo":"\\u521b\\u5efa\\u5b9e\\u4f8b\\u6210\\u529f"');
		const body = answer(sent);
		expect(body.encryptType).toBe('1');
		expect(body.info).toHaveLength(2);
		body.info.forEach(
			(
				entry: { instanceId: string; appInfo: IDataObject; usageInfo: IDataObject[] },
				i: number,
			) => {
				expect(entry.instanceId).toBe(rows[i].id);
				expect(entry.appInfo.frontEndUrl).toBe(rows[i].url);
				expect(decryptCredential(KEY, entry.appInfo.userName as string, '1')).toBe(rows[i].user);
				expect(decryptCredential(KEY, entry.appInfo.password as string, '1')).toBe(rows[i].pass);
				expect(entry.usageInfo).toEqual([
					{ usageValue: 12.3457, statisticalTime: '20260101120000000' },
				]);
			},
		);
		// The input items pass through unchanged; what the node adds never holds a password.
		const shown = JSON.stringify(out[0].map((item) => item.json.koogalleryAnswer));
		for (const row of rows) expect(shown).not.toContain(row.pass);
		expect(shown).not.toContain(body.info[0].appInfo.password);
	});

	it('sends plaintext credentials when encryption is off, still keeping the password out of the output', async () => {
		const { context, sent } = executeContext({
			parameters: {
				respondTo: 'queryInstance',
				resultCode: '000000',
				infoInstanceId: '',
				frontEndUrl: 'https://a',
				userName: 'u',
				password: 'p-123',
				encrypt: false,
			},
			triggerOutputs: [queryItem(['only'])],
		});
		const out = await respond.execute.call(context);
		expect(answer(sent)).toEqual({
			resultCode: '000000',
			resultMsg: 'Success',
			info: [
				{
					instanceId: 'only',
					appInfo: { frontEndUrl: 'https://a', userName: 'u', password: 'p-123' },
				},
			],
		});
		expect(JSON.stringify(out[0][0].json.koogalleryAnswer)).not.toContain('p-123');
	});

	it('takes empty Query Instance fields, and the purchase instance ID, from the input item', async () => {
		const rows = [
			{
				instanceId: 'i-1',
				frontEndUrl: 'https://a.example.com',
				userName: 'admin-a',
				password: 'pw-a',
				memo: 'hello',
			},
			{
				instanceId: 'i-2',
				frontEndUrl: 'https://b.example.com',
				userName: 'admin-b',
				password: 'pw-b',
			},
		];
		const { context, sent } = executeContext({
			items: rows,
			parameters: {
				respondTo: 'queryInstance',
				resultCode: '000000',
				infoInstanceId: '',
				frontEndUrl: '',
				userName: '',
				password: '',
				memo: '',
				encrypt: false,
			},
			triggerOutputs: [queryItem(['i-1', 'i-2'])],
		});
		await respond.execute.call(context);
		expect(answer(sent).info).toEqual([
			{
				instanceId: 'i-1',
				appInfo: {
					frontEndUrl: 'https://a.example.com',
					userName: 'admin-a',
					password: 'pw-a',
					memo: 'hello',
				},
			},
			{
				instanceId: 'i-2',
				appInfo: { frontEndUrl: 'https://b.example.com', userName: 'admin-b', password: 'pw-b' },
			},
		]);
		const found = executeContext({
			items: [{ orderId: 'CS1', instanceId: 'first-business-id' }],
			parameters: { respondTo: 'newInstance', resultCode: '000000', instanceId: '' },
			triggerOutputs: [newInstanceItem()],
		});
		await respond.execute.call(found.context);
		expect(answer(found.sent).instanceId).toBe('first-business-id');
	});

	it('answers the renewal change check', async () => {
		const item = {
			activity: 'changeInstanceCheck',
			instanceId: 'i',
			productInfo: {},
			koogallery: { scenario: 'changeInstanceCheck', verification: { key: 'current' } },
		};
		for (const [allow, code] of [
			[true, '000000'],
			[false, '000005'],
		] as const) {
			const { context, sent } = executeContext({
				parameters: { respondTo: 'changeInstanceCheck', allowChange: allow, resultMessage: '' },
				triggerOutputs: [item],
			});
			await respond.execute.call(context);
			expect(answer(sent).resultCode).toBe(code);
		}
	});

	it('sends nothing when the trigger already answered', async () => {
		const { context, sent } = executeContext({
			parameters: { respondTo: 'result', resultCode: '000000' },
			triggerOutputs: [
				{
					activity: 'releaseInstance',
					koogallery: { scenario: 'releaseInstance', answered: true },
				},
			],
		});
		const out = await respond.execute.call(context);
		expect(sent).toHaveLength(0);
		expect(out[0]).toHaveLength(1);
	});

	it('answers a SaaS V1.0 purchase with the instance ID and always-encrypted login details', async () => {
		const { context, sent } = executeContext({
			parameters: {
				respondTo: 'newInstance',
				resultCode: '000000',
				instanceId: '',
				frontEndUrl: 'https://v1.example.com',
				userName: 'admin',
				password: 'pw-v1-secret',
				memo: '',
				encrypt: false,
				encryptType: '1',
			},
			triggerOutputs: [
				{
					activity: 'newInstance',
					businessId: 'biz-v1',
					koogallery: {
						protocol: 'saasV1',
						scenario: 'newInstance',
						verification: { key: 'current' },
					},
				},
			],
		});
		const out = await respond.execute.call(context);
		const body = answer(sent);
		expect(body).toMatchObject({
			resultCode: '000000',
			instanceId: 'biz-v1',
			encryptType: '1',
			appInfo: { frontEndUrl: 'https://v1.example.com' },
		});
		expect(decryptCredential(KEY, body.appInfo.userName, '1')).toBe('admin');
		expect(decryptCredential(KEY, body.appInfo.password, '1')).toBe('pw-v1-secret');
		expect(JSON.stringify(out[0][0].json.koogalleryAnswer)).not.toContain('pw-v1-secret');
	});

	it('refuses login details on a SaaS V2.0 purchase, which sends them in Query Instance', async () => {
		const { context, sent } = executeContext({
			parameters: {
				respondTo: 'newInstance',
				resultCode: '000000',
				instanceId: '',
				frontEndUrl: 'https://a',
				userName: 'u',
			},
			triggerOutputs: [newInstanceItem()],
		});
		await expect(respond.execute.call(context)).rejects.toThrow(/does not take login details/);
		expect(sent).toHaveLength(0);
	});

	it('answers getLicense with the instance ID and the license, and getLicenseAsync with the instance sent', async () => {
		const get = executeContext({
			parameters: {
				respondTo: 'license',
				resultCode: '000000',
				instanceId: '',
				license: 'LIC-123',
			},
			triggerOutputs: [
				{
					activity: 'getLicense',
					businessId: 'biz-l',
					orderId: 'CS1',
					productId: 'OFFI1',
					koogallery: {
						protocol: 'license',
						scenario: 'getLicense',
						verification: { key: 'current' },
					},
				},
			],
		});
		const out = await respond.execute.call(get.context);
		// No order line in the older License calls: a code from orderId and productId (see core/instance-id.ts).
		expect(answer(get.sent)).toEqual({
			resultCode: '000000',
			resultMsg: 'Success',
			instanceId: 'f1dc032e50874ae2c01db8a01a6da579',
			license: 'LIC-123',
		});
		expect(JSON.stringify(out)).not.toContain('LIC-123');
		const asyncCall = executeContext({
			parameters: { respondTo: 'license', resultCode: '000000', instanceId: '', license: 'LIC-9' },
			triggerOutputs: [
				{
					activity: 'getLicenseAsync',
					instanceId: 'ins-7',
					eventId: 'e1',
					koogallery: {
						protocol: 'license',
						scenario: 'getLicenseAsync',
						verification: { key: 'current' },
					},
				},
			],
		});
		await respond.execute.call(asyncCall.context);
		expect(answer(asyncCall.sent)).toMatchObject({ instanceId: 'ins-7', license: 'LIC-9' });
	});

	it("answers a license with the input item's instanceId and license when both parameters are empty, and refuses an answer without a license", async () => {
		const licenseCall = (items: IDataObject[]) =>
			executeContext({
				parameters: { respondTo: 'license', resultCode: '000000', instanceId: '', license: '' },
				items,
				triggerOutputs: [
					{
						activity: 'getLicense',
						businessId: 'biz-repeat',
						orderId: 'CS1',
						productId: 'OFFI1',
						koogallery: {
							protocol: 'license',
							scenario: 'getLicense',
							verification: { key: 'current' },
						},
					},
				],
			});
		const saved = licenseCall([{ instanceId: 'biz-first', license: 'eyJ.c2ln' }]);
		const out = await respond.execute.call(saved.context);
		expect(answer(saved.sent)).toEqual({
			resultCode: '000000',
			resultMsg: 'Success',
			instanceId: 'biz-first',
			license: 'eyJ.c2ln',
		});
		expect(out[0][0].json.koogalleryAnswer).toMatchObject({ license: '(set)' });
		// A license that is not text, or none at all, is no license: nothing is sent.
		for (const items of [
			[{ instanceId: 'biz-first', license: 42 }],
			[{ instanceId: 'biz-first' }],
		]) {
			const none = licenseCall(items);
			await expect(respond.execute.call(none.context)).rejects.toThrow(/The license is empty/);
			expect(none.sent).toHaveLength(0);
		}
	});

	it('signs joint-operation answers with the kit key', async () => {
		const kitKey = 'kit-key-abcdef-0123456789';
		const { context, sent } = executeContext({
			parameters: { respondTo: 'result', resultCode: '000000' },
			credentials: { secretKey: KEY, kitSecretKey: kitKey },
			triggerOutputs: [
				{
					tenantId: 't',
					koogallery: { protocol: 'kit', scenario: 'tenantSync', verification: { key: 'current' } },
				},
			],
		});
		await respond.execute.call(context);
		expect(answer(sent, kitKey)).toEqual({ resultCode: '000000', resultMsg: 'Success' });
	});

	const errors: Array<[string, Parameters<typeof executeContext>[0], RegExp]> = [
		[
			'no trigger before it',
			{
				parameters: { respondTo: 'result', resultCode: '000000' },
				parents: [{ name: 'Set', type: 'n8n-nodes-base.set' }],
			},
			/No KooGallery Trigger comes before/,
		],
		[
			'a manual run (trigger did not run)',
			{ parameters: { respondTo: 'result', resultCode: '000000' }, triggerOutputs: [] },
			/no KooGallery call to answer/,
		],
		[
			'the wrong scenario',
			{
				parameters: { respondTo: 'queryInstance', resultCode: '000000' },
				triggerOutputs: [newInstanceItem()],
			},
			/answers "queryInstance" but the call .* is "newInstance"/,
		],
		[
			'several instances without IDs',
			{
				parameters: {
					respondTo: 'queryInstance',
					resultCode: '000000',
					infoInstanceId: '',
					frontEndUrl: 'https://a',
				},
				triggerOutputs: [queryItem(['a', 'b'])],
			},
			/Instance ID is empty/,
		],
		[
			'an instance not asked about',
			{
				parameters: {
					respondTo: 'queryInstance',
					resultCode: '000000',
					infoInstanceId: 'zzz',
					frontEndUrl: 'https://a',
				},
				triggerOutputs: [queryItem(['a'])],
			},
			/was not asked about/,
		],
		[
			'login details without a URL',
			{
				parameters: {
					respondTo: 'queryInstance',
					resultCode: '000000',
					infoInstanceId: '',
					frontEndUrl: '',
					userName: 'u',
				},
				triggerOutputs: [queryItem(['a'])],
			},
			/Customer URL is empty/,
		],
		[
			'an over-long encrypted password',
			{
				parameters: {
					respondTo: 'queryInstance',
					resultCode: '000000',
					infoInstanceId: '',
					frontEndUrl: 'https://a',
					password: 'x'.repeat(100),
					encrypt: true,
					encryptType: '2',
				},
				triggerOutputs: [queryItem(['a'])],
			},
			/Password/,
		],
		[
			'an over-long instance ID',
			{
				parameters: { respondTo: 'newInstance', resultCode: '000000', instanceId: 'x'.repeat(65) },
				triggerOutputs: [newInstanceItem()],
			},
			/1 to 64 characters/,
		],
	];
	it.each(errors)('refuses to answer with %s, sending nothing', async (_name, options, message) => {
		const { context, sent } = executeContext(options);
		await expect(respond.execute.call(context)).rejects.toThrow(message);
		expect(sent).toHaveLength(0);
	});
});

describe("KooGallery Respond: Answer 'Not Found' When Nothing Was Found", () => {
	const notFound = { notFoundAnswer: true };
	const login = {
		resultCode: '000000',
		infoInstanceId: '',
		frontEndUrl: '',
		userName: '',
		password: '',
		memo: '',
		encrypt: false,
	};
	const row = (instanceId: string) => ({
		instanceId,
		frontEndUrl: `https://${instanceId}.example.com`,
		userName: `admin-${instanceId}`,
		password: `pw-${instanceId}`,
	});
	const changeCheckItem = {
		activity: 'changeInstanceCheck',
		instanceId: 'i',
		koogallery: { scenario: 'changeInstanceCheck', verification: { key: 'current' } },
	};

	it('answers 000003, signed, when the node gets no item, whatever it answers to but a new purchase', async () => {
		const cases = [
			{ respondTo: 'queryInstance', trigger: queryItem(['i-1']) },
			{ respondTo: 'result', trigger: queryItem(['i-1']) },
			{ respondTo: 'changeInstanceCheck', trigger: changeCheckItem },
		];
		for (const { respondTo, trigger } of cases) {
			const { context, sent } = executeContext({
				items: [],
				parameters: { respondTo, ...login, instanceId: '', allowChange: true, options: notFound },
				triggerOutputs: [trigger],
			});
			const out = await respond.execute.call(context);
			expect(sent[0].body).toBe('{"resultCode":"000003","resultMsg":"Instance ID does not exist"}');
			expect(answer(sent)).toEqual({
				resultCode: '000003',
				resultMsg: 'Instance ID does not exist',
			});
			expect(out).toEqual([[]]);
		}
	});

	it('answers 000003 when every item is empty, as a database step that found no row gives', async () => {
		for (const [respondTo, trigger] of [
			['result', newInstanceItem()],
			['queryInstance', queryItem(['i-1'])],
		] as const) {
			const { context, sent } = executeContext({
				items: [{}, {}],
				parameters: { respondTo, ...login, instanceId: '', options: notFound },
				triggerOutputs: [trigger],
			});
			const out = await respond.execute.call(context);
			expect(answer(sent)).toEqual({
				resultCode: '000003',
				resultMsg: 'Instance ID does not exist',
			});
			expect(out[0][0].json).toEqual({
				koogalleryAnswer: { resultCode: '000003', resultMsg: 'Instance ID does not exist' },
			});
		}
	});

	// KooGallery documents 000003 for calls about an existing instance; for a new purchase, an
	// instance not found is one not made, answered 000005, which KooGallery retries (up to 3 hours).
	const notMade =
		'{"resultCode":"000005","resultMsg":"The instance has not been created. Please try again later."}';

	it('answers a new purchase 000005, signed, when nothing was found: no item, only empty items, or no instance ID', async () => {
		const inputs: Array<[string, IDataObject[], string]> = [
			['no item', [], ''],
			['only empty items', [{}, {}], ''],
			['no item, though Instance ID is set', [], 'inst-9'],
			['an API answer without id', [{ name: 'acme', status: 'active' }], ''],
			['an instanceId of null', [{ instanceId: null, name: 'acme' }], ''],
			['an empty instanceId', [{ instanceId: '  ' }, { instanceId: 'second' }], ''],
			['an instanceId that is an object', [{ instanceId: { id: 'x' } }], ''],
		];
		for (const [name, items, instanceId] of inputs) {
			for (const resultCode of ['000000', '000004']) {
				const { context, sent } = executeContext({
					items,
					parameters: { respondTo: 'newInstance', resultCode, instanceId, options: notFound },
					triggerOutputs: [newInstanceItem()],
				});
				const out = await respond.execute.call(context);
				expect([name, resultCode, sent[0]?.body]).toEqual([name, resultCode, notMade]);
				expect(answer(sent)).toEqual({
					resultCode: '000005',
					resultMsg: 'The instance has not been created. Please try again later.',
				});
				expect(out[0][0]?.json.koogalleryAnswer ?? 'no item out').toEqual(
					items.length === 0 ? 'no item out' : JSON.parse(notMade),
				);
			}
		}
	});

	it('answers a new purchase 000000 with the instance ID found: the parameter, else the first item with fields', async () => {
		const found: Array<[IDataObject[], string, string]> = [
			[[{}, { instanceId: 'acc_7', name: 'acme' }], '', 'acc_7'],
			[[{ instanceId: ' acc_8 ' }], '', 'acc_8'],
			// Many APIs give their IDs as numbers.
			[[{ instanceId: 12345 }], '', '12345'],
			[[{ instanceId: 0 }], '', '0'],
			// The parameter wins, also over an item without instanceId.
			[[{ name: 'acme' }], 'inst-9', 'inst-9'],
			[[{ instanceId: 'acc_7' }], 'inst-9', 'inst-9'],
		];
		for (const [items, instanceId, expected] of found) {
			const { context, sent } = executeContext({
				items,
				parameters: {
					respondTo: 'newInstance',
					resultCode: '000000',
					instanceId,
					options: notFound,
				},
				triggerOutputs: [newInstanceItem()],
			});
			const out = await respond.execute.call(context);
			expect(sent[0].body).toBe(
				`{"resultCode":"000000","resultMsg":"Success","instanceId":"${expected}"}`,
			);
			expect(answer(sent)).toEqual({
				resultCode: '000000',
				resultMsg: 'Success',
				instanceId: expected,
			});
			expect(out[0][0].json.koogalleryAnswer).toEqual(JSON.parse(sent[0].body));
		}
	});

	it('answers 000003 naming the instance KooGallery asked about that no item answers', async () => {
		const { context, sent } = executeContext({
			items: [row('i-1'), {}],
			parameters: { respondTo: 'queryInstance', ...login, options: notFound },
			triggerOutputs: [queryItem(['i-1', 'i-2'])],
		});
		await respond.execute.call(context);
		expect(answer(sent)).toEqual({
			resultCode: '000003',
			resultMsg: 'Instance ID does not exist: i-2',
		});
	});

	it('answers every instance found, leaving empty items out', async () => {
		const { context, sent } = executeContext({
			items: [{}, row('i-2'), row('i-1')],
			parameters: { respondTo: 'queryInstance', ...login, options: notFound },
			triggerOutputs: [queryItem(['i-1', 'i-2'])],
		});
		await respond.execute.call(context);
		expect(answer(sent)).toEqual({
			resultCode: '000000',
			resultMsg: 'Success',
			info: [
				{
					instanceId: 'i-2',
					appInfo: {
						frontEndUrl: 'https://i-2.example.com',
						userName: 'admin-i-2',
						password: 'pw-i-2',
					},
				},
				{
					instanceId: 'i-1',
					appInfo: {
						frontEndUrl: 'https://i-1.example.com',
						userName: 'admin-i-1',
						password: 'pw-i-1',
					},
				},
			],
		});
		// An item without its own instanceId answers the only instance asked about, as without the option.
		const only = executeContext({
			items: [{ frontEndUrl: 'https://only.example.com' }],
			parameters: { respondTo: 'queryInstance', ...login, options: notFound },
			triggerOutputs: [queryItem(['only'])],
		});
		await respond.execute.call(only.context);
		expect(answer(only.sent).info).toEqual([
			{ instanceId: 'only', appInfo: { frontEndUrl: 'https://only.example.com' } },
		]);
		// The instance ID of a new purchase comes from the first item found.
		const purchase = executeContext({
			items: [{}, { instanceId: 'row-7' }],
			parameters: {
				respondTo: 'newInstance',
				resultCode: '000000',
				instanceId: '',
				options: notFound,
			},
			triggerOutputs: [newInstanceItem()],
		});
		await respond.execute.call(purchase.context);
		expect(answer(purchase.sent).instanceId).toBe('row-7');
	});

	it('answers as before when the option is off', async () => {
		const bodies = [];
		// No options (a node saved before the option existed), none added, and the option off.
		for (const set of [{}, { options: {} }, { options: { notFoundAnswer: false } }]) {
			const purchase = executeContext({
				items: [{}],
				parameters: { respondTo: 'newInstance', resultCode: '000000', instanceId: '', ...set },
				triggerOutputs: [newInstanceItem()],
			});
			await respond.execute.call(purchase.context);
			const query = executeContext({
				items: [{}],
				parameters: { respondTo: 'queryInstance', ...login, ...set },
				triggerOutputs: [queryItem(['only'])],
			});
			await respond.execute.call(query.context);
			const none = executeContext({
				items: [],
				parameters: { respondTo: 'result', resultCode: '000000', ...set },
				triggerOutputs: [queryItem(['only'])],
			});
			await respond.execute.call(none.context);
			bodies.push([purchase.sent[0].body, query.sent[0].body, none.sent[0].body]);
		}
		expect(bodies[0]).toEqual([
			'{"resultCode":"000000","resultMsg":"Success","instanceId":"CS1-000001"}',
			'{"resultCode":"000000","resultMsg":"Success","info":[{"instanceId":"only"}]}',
			'{"resultCode":"000000","resultMsg":"Success"}',
		]);
		expect(bodies[1]).toEqual(bodies[0]);
		expect(bodies[2]).toEqual(bodies[0]);
	});

	it('without the option, answers a new purchase with the instance ID found or else one made from the order', async () => {
		const bodies = [];
		for (const items of [[{ instanceId: 12345 }], [{ instanceId: null }], [{ name: 'acme' }], []]) {
			const { context, sent } = executeContext({
				items,
				parameters: { respondTo: 'newInstance', resultCode: '000000', instanceId: '' },
				triggerOutputs: [newInstanceItem()],
			});
			await respond.execute.call(context);
			expect(answer(sent).resultCode).toBe('000000');
			bodies.push(sent[0].body);
		}
		expect(bodies).toEqual([
			'{"resultCode":"000000","resultMsg":"Success","instanceId":"12345"}',
			'{"resultCode":"000000","resultMsg":"Success","instanceId":"CS1-000001"}',
			'{"resultCode":"000000","resultMsg":"Success","instanceId":"CS1-000001"}',
			'{"resultCode":"000000","resultMsg":"Success","instanceId":"CS1-000001"}',
		]);
	});
});
