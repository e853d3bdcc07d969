import { KooGalleryTrigger } from '../../nodes/KooGalleryTrigger/KooGalleryTrigger.node';
import { protocols } from '../../core/trigger-protocols';
import { signSaasV2Request } from '../../core/saas-v2-signature';
import { verifyBodySign } from '../../core/body-sign';
import { SAAS_V2_SCENARIOS } from '../../core/schemas/saas-v2';
import { KooGalleryRespond } from '../../nodes/KooGalleryRespond/KooGalleryRespond.node';
import { CREDENTIALS, executeContext, KEY, PREVIOUS_KEY, webhookContext } from './fakes.cjs';
import type { IDataObject } from 'n8n-workflow';

const trigger = new KooGalleryTrigger();
let counter = 0;

function call(
	body: IDataObject | string,
	opts: {
		key?: string;
		parameters?: IDataObject;
		nowOffsetMs?: number;
		tamper?: (q: Record<string, string>, b: string) => [Record<string, string>, string];
		credentials?: IDataObject | Error;
		workflowId?: string;
		credentialId?: string;
	} = {},
) {
	const raw = typeof body === 'string' ? body : JSON.stringify(body);
	const nonce = `nonce-${process.pid}-${++counter}-${Math.random()}`;
	const timestamp = String(Date.now() + (opts.nowOffsetMs ?? 0));
	let query: Record<string, string> = {
		signature: signSaasV2Request(opts.key ?? KEY, raw, nonce, timestamp),
		timestamp,
		nonce,
	};
	let sent = raw;
	if (opts.tamper) [query, sent] = opts.tamper(query, raw);
	return webhookContext({
		query,
		rawBody: sent,
		parameters: opts.parameters,
		credentials: opts.credentials,
		workflowId: opts.workflowId,
		credentialId: opts.credentialId,
	});
}

const NEW = {
	activity: 'newInstance',
	orderId: 'CS1',
	orderLineId: 'CS1-000001',
	businessId: 'b-1',
	testFlag: '1',
};

function answerOf(
	response: { body?: string; headers: Record<string, string>; status?: number },
	key = KEY,
) {
	expect(response.status).toBe(200);
	expect(response.headers['content-type']).toBe('application/json;charset=UTF-8');
	expect(verifyBodySign(key, response.body ?? '', response.headers['body-sign'])).toBe(true);
	return JSON.parse(response.body ?? '');
}

describe('KooGallery Trigger webhook()', () => {
	it('starts the New Purchase branch with the validated payload and a koogallery block', async () => {
		const { context, response, logs } = call(NEW);
		const result = await trigger.webhook.call(context);
		expect(result.noWebhookResponse).toBeUndefined();
		expect(response.body).toBeUndefined();
		expect(logs).toEqual([]);
		const outputs = result.workflowData!;
		expect(outputs).toHaveLength(5);
		expect(outputs.slice(1).every((o) => o.length === 0)).toBe(true);
		const json = outputs[0][0].json as IDataObject & { koogallery: IDataObject };
		expect(json).toMatchObject({ ...NEW });
		expect(json.koogallery).toMatchObject({
			protocol: 'saasV2',
			scenario: 'newInstance',
			scenarioName: 'New Purchase',
			testFlag: true,
			verification: { key: 'current', form: 'raw' },
			answered: false,
		});
		expect(Math.abs(Date.parse(json.koogallery.receivedAt as string) - Date.now())).toBeLessThan(
			60_000,
		);
	});

	it('routes each scenario to its own output and lists queryInstance IDs', async () => {
		const { context } = call({ activity: 'queryInstance', instanceId: 'i-1, i-2' });
		const outputs = (await trigger.webhook.call(context)).workflowData!;
		expect(outputs.map((o) => o.length)).toEqual([0, 1, 0, 0, 0]);
		expect(outputs[1][0].json.koogallery).toMatchObject({
			scenario: 'queryInstance',
			instanceIds: ['i-1', 'i-2'],
			testFlag: false,
		});
	});

	it('accepts the previous key during a rotation and answers refusals with the current key', async () => {
		const { context } = call(NEW, { key: PREVIOUS_KEY });
		const outputs = (await trigger.webhook.call(context)).workflowData!;
		expect(outputs[0][0].json.koogallery).toMatchObject({ verification: { key: 'previous' } });
	});

	const refusals: Array<[string, string, Parameters<typeof call>[1], RegExp, string]> = [
		[
			'a tampered body',
			'000001',
			{ tamper: (q, b) => [q, b.replace('CS1', 'CS2')] },
			/does not match/,
			'Authentication failed.',
		],
		[
			'a wrong key',
			'000001',
			{ key: 'some-other-key-123' },
			/does not match/,
			'Authentication failed.',
		],
		// Huawei's V2.0 sample answers a stale timestamp with INVALID_PARAM (docs/protocol/koogallery-saas-v2.md §2.2).
		[
			'a stale timestamp',
			'000002',
			{ nowOffsetMs: -61_000 },
			/61 s old/,
			"The request's timestamp is 61 s old; at most 60 s is accepted. Check the server clock if this repeats.",
		],
		[
			'a future timestamp',
			'000002',
			{ nowOffsetMs: 61_000 },
			/in the future/,
			"The request's timestamp is 61 s in the future; at most 60 s is accepted. Check the server clock if this repeats.",
		],
		[
			'a missing signature',
			'000001',
			{ tamper: (q, b) => [{ ...q, signature: '' }, b] },
			/"signature" is missing/,
			'Authentication failed.',
		],
		[
			'a missing nonce',
			'000002',
			{ tamper: (q, b) => [{ ...q, nonce: '' }, b] },
			/"nonce" is missing/,
			'The URL parameter "nonce" is missing.',
		],
		[
			'a repeated timestamp',
			'000002',
			{
				tamper: (q, b) => [{ ...q, timestamp: [q.timestamp, q.timestamp] as unknown as string }, b],
			},
			/more than once/,
			'The URL parameter "timestamp" was sent more than once.',
		],
	];
	it.each(refusals)(
		'refuses %s with a signed %s and starts nothing',
		async (_name, code, opts, logged, message) => {
			const { context, response, logs } = call(NEW, opts);
			const result = await trigger.webhook.call(context);
			expect(result).toEqual({ noWebhookResponse: true });
			expect(answerOf(response)).toEqual({ resultCode: code, resultMsg: message });
			expect(logs).toHaveLength(1);
			expect(logs[0].level).toBe('warn');
			expect(logs[0].message).toMatch(logged);
			expect(JSON.stringify(logs)).not.toContain(KEY);
		},
	);

	it('refuses a replayed nonce', async () => {
		const first = call(NEW);
		expect((await trigger.webhook.call(first.context)).workflowData).toBeDefined();
		const req = first.context.getRequestObject();
		const replay = webhookContext({
			query: req.query as Record<string, string>,
			rawBody: req.rawBody as Buffer,
		});
		expect(await trigger.webhook.call(replay.context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(replay.response).resultCode).toBe('000001');
		expect(replay.logs[0].message).toMatch(/already received/);
	});

	it('answers 000002 naming the field for malformed JSON or a missing mandatory field', async () => {
		const bad = call('{"activity":"newInstance",');
		expect(await trigger.webhook.call(bad.context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(bad.response)).toEqual({
			resultCode: '000002',
			resultMsg: 'The request body is not valid JSON.',
		});
		const missing = call({ ...NEW, orderId: undefined });
		await trigger.webhook.call(missing.context);
		expect(answerOf(missing.response)).toEqual({
			resultCode: '000002',
			resultMsg: '"orderId" is required but missing.',
		});
	});

	it('acknowledges a notification it does not handle, and refuses an unhandled scenario that needs an answer', async () => {
		const upgrade = call({
			activity: 'upgradeInstance',
			instanceId: 'i-1',
			orderId: 'o',
			orderLineId: 'l',
		});
		expect(await trigger.webhook.call(upgrade.context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(upgrade.response)).toEqual({ resultCode: '000000', resultMsg: 'success' });
		const check = call({ activity: 'changeInstanceCheck', instanceId: 'i-1', productInfo: {} });
		expect(await trigger.webhook.call(check.context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(check.response).resultCode).toBe('000005');
	});

	// Spec decision 16; the V2.0 sample dispatches on activity and never refuses a field's shape
	// (IsvProduceServiceImpl, https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0000001945216782.html).
	it('hands a leniently read call over in the documented types and lists the unknown values it kept', async () => {
		const { context } = call(
			'{"activity":"refreshInstance","instanceId":12345678901234567890,"expireTime":20221124023618256,"scene":"RENEWAL_PLUS","orderLineId":null,"testFlag":1,"extra":{"a":null,"b":5.0}}',
		);
		const outputs = (await trigger.webhook.call(context)).workflowData!;
		const json = outputs[2][0].json as IDataObject & { koogallery: IDataObject };
		expect(json).toEqual({
			activity: 'refreshInstance',
			instanceId: '12345678901234567890',
			expireTime: '20221124023618256',
			scene: 'RENEWAL_PLUS',
			testFlag: '1',
			extra: { b: '5.0' },
			koogallery: expect.objectContaining({
				scenario: 'refreshInstance',
				testFlag: true,
				unknownValues: ['scene'],
			}),
		});
	});

	it('sends a scenario it does not know to the last output, Other Call, when it is on; else answers 000005 (retried), never 000002', async () => {
		const body = { activity: 'suspendInstance', instanceId: 'i-1', reason: 'new scenario' };
		const parameters = { scenarios: ['newInstance', 'queryInstance', 'otherCall'] };
		const on = call(body, { parameters });
		const outputs = (await trigger.webhook.call(on.context)).workflowData!;
		expect(outputs.map((o) => o.length)).toEqual([0, 0, 1]);
		expect(outputs[2][0].json).toMatchObject({
			...body,
			koogallery: {
				scenario: 'suspendInstance',
				scenarioName: 'Other Call',
				unknownValues: ['activity'],
			},
		});
		const off = call(body);
		expect(await trigger.webhook.call(off.context)).toEqual({ noWebhookResponse: true });
		expect(answerOf(off.response)).toEqual({
			resultCode: '000005',
			resultMsg: 'This seller does not handle suspendInstance yet.',
		});
		expect(off.logs[0].message).toMatch(/turn on "Other Call"/);
		expect(protocols.saasV2.scenarios.map((s) => s.activity).at(-1)).toBe('otherCall');
	});

	it('answers notifications at once when asked, and still runs the branch', async () => {
		const { context, response } = call(
			{ activity: 'releaseInstance', instanceId: 'i-1' },
			{ parameters: { options: { acknowledgeNotifications: true } } },
		);
		const result = await trigger.webhook.call(context);
		expect(result.noWebhookResponse).toBe(true);
		expect(answerOf(response)).toEqual({ resultCode: '000000', resultMsg: 'success' });
		expect(result.workflowData![4][0].json.koogallery).toMatchObject({
			scenario: 'releaseInstance',
			answered: true,
		});
		// A scenario that needs an answer is not answered early.
		const fresh = call(NEW, { parameters: { options: { acknowledgeNotifications: true } } });
		expect((await trigger.webhook.call(fresh.context)).noWebhookResponse).toBeUndefined();
		expect(fresh.response.body).toBeUndefined();
	});

	it('refuses, signed, a call the core fails to check instead of leaving n8n to answer 500', async () => {
		const original = protocols.saasV2.verify;
		protocols.saasV2.verify = () => {
			throw new RangeError('Maximum call stack size exceeded');
		};
		try {
			const { context, response, logs } = call(NEW);
			expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
			expect(answerOf(response)).toEqual({
				resultCode: '000001',
				resultMsg: 'Authentication failed.',
			});
			expect(logs[0].message).toMatch(/could not be checked \(RangeError\)/);
		} finally {
			protocols.saasV2.verify = original;
		}
	});

	it('honours a wider clock tolerance', async () => {
		const { context } = call(NEW, {
			nowOffsetMs: -200_000,
			parameters: { options: { toleranceSeconds: 300 } },
		});
		expect((await trigger.webhook.call(context)).workflowData).toBeDefined();
	});

	it('refuses every call, unsigned, when the credential has no key', async () => {
		const { context, response, logs } = call(NEW, {
			credentials: { ...CREDENTIALS, secretKey: '', previousSecretKey: '' },
		});
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(JSON.parse(response.body!)).toEqual({
			resultCode: '000001',
			resultMsg: 'Authentication failed.',
		});
		expect(response.headers['body-sign']).toBeUndefined();
		expect(logs[0].message).toMatch(/no seller key/);
	});

	it('answers 503 without a result code when n8n cannot read the credential, so KooGallery calls again', async () => {
		const { context, response, logs } = call(NEW, {
			credentials: new Error('timeout exceeded when trying to connect'),
		});
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(response.status).toBe(503);
		expect(JSON.parse(response.body!)).toEqual({
			error: 'The seller service is busy. Please try again later.',
		});
		expect(response.body).not.toContain('resultCode');
		expect(logs.map((l) => [l.level, l.message])).toEqual([
			[
				'error',
				expect.stringMatching(
					/could not be read \(timeout exceeded when trying to connect\); KooGallery will call again/,
				),
			],
		]);
	});

	describe('reading the seller key', () => {
		// Each test its own credential ID: what one reads is kept for the next (same process).
		const NEW_KEY = 'a-key-saved-a-moment-ago-0123456789';
		const run = async (made: ReturnType<typeof call>) => {
			const result = await trigger.webhook.call(made.context);
			return { result, reads: made.credentialReads(), response: made.response };
		};

		it('reads the credential once for the calls of 5 seconds', async () => {
			const first = await run(call(NEW, { credentialId: 'reuse-1' }));
			const second = await run(call(NEW, { credentialId: 'reuse-1' }));
			expect([first.reads, second.reads]).toEqual([1, 0]);
			expect(second.result.workflowData?.[0]).toHaveLength(1);
		});

		it('accepts at once a call signed with a key saved since it was read, reading it again', async () => {
			await run(call(NEW, { credentialId: 'reuse-2' }));
			const changed = { ...CREDENTIALS, secretKey: NEW_KEY, previousSecretKey: KEY };
			const signedWithNew = await run(
				call(NEW, { credentialId: 'reuse-2', key: NEW_KEY, credentials: changed }),
			);
			expect(signedWithNew.reads).toBe(1);
			expect(signedWithNew.result.workflowData?.[0]).toHaveLength(1);
			// From then on the new credential is the one kept.
			const next = await run(call(NEW, { credentialId: 'reuse-2', key: NEW_KEY }));
			expect([next.reads, next.result.workflowData?.[0]?.length]).toEqual([0, 1]);
		});

		it('refuses a forged call after reading the credential again, as without reuse', async () => {
			await run(call(NEW, { credentialId: 'reuse-3' }));
			const forged = await run(call(NEW, { credentialId: 'reuse-3', key: 'not-the-key' }));
			expect(forged.reads).toBe(1);
			expect(forged.result).toEqual({ noWebhookResponse: true });
			expect(answerOf(forged.response)).toEqual({
				resultCode: '000001',
				resultMsg: 'Authentication failed.',
			});
		});

		it('answers a call refused after its key checked out as without reuse, not as a replay', async () => {
			await run(call(NEW, { credentialId: 'reuse-8' }));
			const notJson = await run(call('not json', { credentialId: 'reuse-8' }));
			expect(notJson.reads).toBe(0);
			expect(answerOf(notJson.response).resultCode).toBe('000002');
		});

		it('reads it again after 5 seconds', async () => {
			let now = performance.now();
			const clock = jest.spyOn(performance, 'now').mockImplementation(() => now);
			try {
				await run(call(NEW, { credentialId: 'reuse-4' }));
				now += 4_999;
				const within = await run(call(NEW, { credentialId: 'reuse-4' }));
				now += 2;
				const after = await run(call(NEW, { credentialId: 'reuse-4' }));
				expect([within.reads, after.reads]).toEqual([0, 1]);
			} finally {
				clock.mockRestore();
			}
		});

		it('lets KooGallery Respond sign the answer from the reading the call was checked with', async () => {
			// The call is signed with KEY and checked with the reading kept; then the key is changed
			// (KEY becomes the previous one). The answer must still be signed with KEY.
			const checked = await run(call(NEW, { credentialId: 'reuse-7', workflowId: 'wf-r' }));
			const item = checked.result.workflowData?.[0]?.[0]?.json;
			expect(item?.koogallery).toMatchObject({ verification: { key: 'current' } });
			const { context, sent } = executeContext({
				parameters: { respondTo: 'newInstance', resultCode: '000000', instanceId: '' },
				triggerOutputs: [item],
				credentials: { ...CREDENTIALS, secretKey: NEW_KEY, previousSecretKey: KEY },
				credentialId: 'reuse-7',
				workflowId: 'wf-r',
			});
			await new KooGalleryRespond().execute.call(context);
			expect(verifyBodySign(KEY, sent[0].body, sent[0].headers['body-sign'])).toBe(true);
		});

		it('keeps what it read for its own workflow only, and never a credential n8n could not read', async () => {
			await run(call(NEW, { credentialId: 'reuse-5', workflowId: 'wf-a' }));
			const other = await run(call(NEW, { credentialId: 'reuse-5', workflowId: 'wf-b' }));
			expect(other.reads).toBe(1);
			// A workflow without an ID (never saved) keeps nothing, so none can share its reading.
			await run(call(NEW, { credentialId: 'reuse-5', workflowId: '' }));
			const unsaved = await run(call(NEW, { credentialId: 'reuse-5', workflowId: '' }));
			expect(unsaved.reads).toBe(1);
			const unreadable = new Error('timeout exceeded when trying to connect');
			const failed = await run(call(NEW, { credentialId: 'reuse-6', credentials: unreadable }));
			expect(failed.response.status).toBe(503);
			const next = await run(call(NEW, { credentialId: 'reuse-6' }));
			expect([next.reads, next.result.workflowData?.[0]?.length]).toEqual([1, 1]);
		});
	});

	describe('Busy Limit', () => {
		const limited = (workflowId: string, limit: number, body: IDataObject = NEW) =>
			call(body, { workflowId, parameters: { options: { maxCallsInProgress: limit } } });
		const busyBody = { error: 'The seller service is busy. Please try again later.' };

		it('turns a call away with 503 while the limit of calls waits for answers, and takes calls again once one is answered', async () => {
			const waiting = [limited('busy-1', 2), limited('busy-1', 2)];
			for (const w of waiting)
				expect((await trigger.webhook.call(w.context)).workflowData).toBeDefined();

			const third = limited('busy-1', 2);
			expect(await trigger.webhook.call(third.context)).toEqual({ noWebhookResponse: true });
			expect(third.response.status).toBe(503);
			expect(JSON.parse(third.response.body!)).toEqual(busyBody);
			expect(third.response.body).not.toContain('resultCode');
			expect(third.logs.map((l) => [l.level, l.message])).toEqual([
				[
					'warn',
					'KooGallery calls turned away (HTTP 503): a call arrived while 2 calls were already waiting for an answer from node "KooGallery Trigger" (its Busy Limit option); KooGallery will call again',
				],
			]);
			// The call turned away used no nonce: sent again later, it is accepted.
			const again = webhookContext({
				query: third.context.getRequestObject().query as Record<string, string>,
				rawBody: third.context.getRequestObject().rawBody as Buffer,
				workflowId: 'busy-1',
				parameters: { options: { maxCallsInProgress: 2 } },
			});

			waiting[0].finish();
			expect((await trigger.webhook.call(again.context)).workflowData![0][0].json).toMatchObject(
				NEW,
			);
			// Two are waiting again (the second and the call sent again).
			const fourth = limited('busy-1', 2);
			expect(await trigger.webhook.call(fourth.context)).toEqual({ noWebhookResponse: true });
			expect(fourth.response.status).toBe(503);
			// Reported once for a burst, not once per call.
			expect(fourth.logs).toEqual([]);
		});

		it('counts refusals and acknowledgements as answered at once, and each trigger on its own', async () => {
			const refused = call(NEW, {
				key: 'some-other-key-123',
				workflowId: 'busy-2',
				parameters: { options: { maxCallsInProgress: 1 } },
			});
			await trigger.webhook.call(refused.context);
			expect(answerOf(refused.response).resultCode).toBe('000001');
			const acknowledged = call(
				{
					activity: 'refreshInstance',
					scene: 'RENEWAL',
					instanceId: 'i-1',
					orderId: 'CS2',
					orderLineId: 'CS2-000001',
					expireTime: '20991231000000',
				},
				{
					workflowId: 'busy-2',
					parameters: { options: { maxCallsInProgress: 1, acknowledgeNotifications: true } },
				},
			);
			expect((await trigger.webhook.call(acknowledged.context)).workflowData).toBeDefined();
			expect(answerOf(acknowledged.response).resultCode).toBe('000000');

			const first = limited('busy-2', 1);
			expect((await trigger.webhook.call(first.context)).workflowData).toBeDefined();
			expect((await trigger.webhook.call(limited('busy-2', 1).context)).noWebhookResponse).toBe(
				true,
			);
			// Another workflow's trigger has its own count.
			expect((await trigger.webhook.call(limited('busy-3', 1).context)).workflowData).toBeDefined();
		});

		it('Auto: starts by taking 4 calls at once and turns the 5th away, telling the operator it was Auto', async () => {
			const auto = () =>
				call(NEW, { workflowId: 'busy-auto', parameters: { options: { busyLimit: 'auto' } } });
			for (let i = 0; i < 4; i++)
				expect((await trigger.webhook.call(auto().context)).workflowData).toBeDefined();
			const fifth = auto();
			expect(await trigger.webhook.call(fifth.context)).toEqual({ noWebhookResponse: true });
			expect(fifth.response.status).toBe(503);
			expect(JSON.parse(fifth.response.body!)).toEqual(busyBody);
			expect(fifth.logs.map((l) => l.message)).toEqual([
				'KooGallery calls turned away (HTTP 503): a call arrived while 4 calls were already waiting for an answer from node "KooGallery Trigger" (its Busy Limit option, Auto); KooGallery will call again',
			]);
			// A number overrides Auto.
			const fixed = call(NEW, {
				workflowId: 'busy-auto',
				parameters: { options: { busyLimit: 'auto', maxCallsInProgress: 5 } },
			});
			expect((await trigger.webhook.call(fixed.context)).workflowData).toBeDefined();
		});

		it('Auto: turns away a call that already waited more than 2 s inside n8n (its signed timestamp says) while another is in progress; a number does not', async () => {
			const auto = (nowOffsetMs = 0) =>
				call(NEW, {
					workflowId: 'busy-waited',
					nowOffsetMs,
					parameters: { options: { busyLimit: 'auto' } },
				});
			expect((await trigger.webhook.call(auto().context)).workflowData).toBeDefined();
			// Signed 10 s ago, well within the 60 s accepted, but it would be answered too late.
			const waited = auto(-10_000);
			expect(await trigger.webhook.call(waited.context)).toEqual({ noWebhookResponse: true });
			expect(waited.response.status).toBe(503);
			expect(JSON.parse(waited.response.body!)).toEqual(busyBody);
			expect(waited.logs.map((l) => l.message)).toEqual([
				'KooGallery calls turned away (HTTP 503): a call had already waited more than 2 s inside n8n before node "KooGallery Trigger" saw it, too long to be answered within KooGallery\'s 5 seconds (its Busy Limit option, Auto); KooGallery will call again',
			]);
			// Sent again by KooGallery, signed anew: taken.
			expect((await trigger.webhook.call(auto().context)).workflowData).toBeDefined();
			const fixed = call(NEW, {
				workflowId: 'busy-waited',
				nowOffsetMs: -10_000,
				parameters: { options: { maxCallsInProgress: 5 } },
			});
			expect((await trigger.webhook.call(fixed.context)).workflowData).toBeDefined();
		});

		it('counts nothing without a limit', async () => {
			for (let i = 0; i < 20; i++) {
				const { context, response } = limited('busy-4', 0);
				expect((await trigger.webhook.call(context)).workflowData).toBeDefined();
				expect(response.status).toBeUndefined();
			}
		});
	});
});

describe('KooGallery Trigger description', () => {
	const evaluateOutputs = (parameters: IDataObject) => {
		const expression = trigger.description.outputs as string;
		const inner = expression.slice(3, -2);
		return new Function('$parameter', `return ${inner}`)(parameters) as Array<{
			type: string;
			displayName: string;
		}>;
	};

	it('writes the outputs expression so that n8n does not end it early at a "}}"', () => {
		const expression = trigger.description.outputs as string;
		expect(expression.startsWith('={{')).toBe(true);
		expect(expression.endsWith('}}')).toBe(true);
		expect(expression.slice(3, -2)).not.toContain('}}');
	});

	it('has one output per enabled scenario, in lifecycle order, labelled with the seller console term', () => {
		expect(
			evaluateOutputs({ protocol: 'saasV2', scenarios: ['releaseInstance', 'newInstance'] }),
		).toEqual([
			{ type: 'main', displayName: '创建实例' },
			{ type: 'main', displayName: '释放实例' },
		]);
		expect(evaluateOutputs({ protocol: 'saasV2', scenarios: [] })).toEqual([]);
	});

	it('enables the mandatory scenarios by default', () => {
		const scenarios = trigger.description.properties.find((p) => p.name === 'scenarios')!;
		expect(scenarios.default).toEqual(
			SAAS_V2_SCENARIOS.filter((s) => s.mandatory).map((s) => s.activity),
		);
		expect(trigger.description.version).toBeGreaterThan(1);
	});
});
