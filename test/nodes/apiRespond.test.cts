/**
 * KooGallery API Respond (docs/protocol/koogallery-agents-apig.md §1.6, §1.7, §2.5): the exact answer sent
 * for the Agents gateway (top-level usage built from the run's chat model counts, the item or
 * values, validated) and for APIG (2xx billed, 4xx/5xx not), sync and streaming, run unmodified
 * in the fake n8n execute context.
 */
import type { IDataObject } from 'n8n-workflow';

import { KooGalleryApiRespond } from '../../nodes/KooGalleryApiRespond/KooGalleryApiRespond.node';
import { isBilledStatus } from '../../core/gateway-usage';
import { executeContext } from './fakes.cjs';

const respond = new KooGalleryApiRespond();
const API_TRIGGER = [
	{ name: 'KooGallery API Trigger', type: 'n8n-nodes-koogallery.kooGalleryApiTrigger' },
];

const triggerItem = (gateway: 'agents' | 'apig', extra: IDataObject = {}) => ({
	input: 'hi',
	koogallery: {
		gateway,
		requestId: 'r-1',
		customerId: 'c-1',
		customerName: 'n',
		method: 'POST',
		path: '/p',
		query: {},
		headers: {},
		responseMode: 'sync',
		...extra,
	},
});

/** One chat model call as n8n 2.41.1 records it in the run data (ai_languageModel output). */
const modelRun = (usage: IDataObject, key = 'tokenUsage') => ({
	data: {
		ai_languageModel: [[{ json: { response: { generations: [[{ text: 'x' }]] }, [key]: usage } }]],
	},
});

function call(options: {
	parameters: IDataObject;
	items?: IDataObject[];
	gateway?: 'agents' | 'apig';
	streaming?: boolean;
	runData?: Record<string, unknown[]>;
}) {
	const { context, sent } = executeContext({
		parameters: options.parameters,
		items: options.items ?? [{ output: 'Echo: hi' }],
		parents: API_TRIGGER,
		triggerOutputs: [
			triggerItem(
				options.gateway ?? 'agents',
				options.streaming ? { responseMode: 'streaming', streamFormat: 'sse' } : {},
			),
		],
	});
	const chunks: Array<[string, number, unknown]> = [];
	Object.assign(context, {
		isStreaming: () => options.streaming === true,
		sendChunk: (type: string, itemIndex: number, content?: unknown) => {
			chunks.push([type, itemIndex, content]);
		},
		runExecutionData: { resultData: { runData: options.runData ?? {} } },
	});
	return { context, sent, chunks };
}

const AGENT_RUNS = {
	'AI Agent': [{ data: { main: [[{ json: { output: 'Echo: hi' } }]] } }],
	'OpenAI Chat Model': [
		modelRun({ promptTokens: 31, completionTokens: 217, totalTokens: 248 }),
		modelRun({ promptTokens: 10, completionTokens: 5, totalTokens: 15 }),
	],
};

describe('KooGallery API Respond, Agents gateway', () => {
	it("bills the sum of the run's chat model calls, with the agent's output as data", async () => {
		const { context, sent } = call({
			parameters: {
				answer: 'success',
				resultFrom: 'field',
				resultField: 'output',
				successStatus: 200,
				billingItems: ['tokens'],
				usageFrom: 'model',
			},
			runData: AGENT_RUNS,
		});
		const out = await respond.execute.call(context);
		expect(sent).toHaveLength(1);
		expect(sent[0].statusCode).toBe(200);
		expect(sent[0].headers['content-type']).toBe('application/json; charset=utf-8');
		expect(sent[0].body).toBe(
			'{"data":"Echo: hi","usage":{"completion_tokens":222,"prompt_tokens":41,"total_tokens":263}}',
		);
		expect(out[0][0].json.koogalleryAnswer).toEqual({
			gateway: 'agents',
			status: 200,
			billed: true,
			streamed: false,
			usage: { completion_tokens: 222, prompt_tokens: 41, total_tokens: 263 },
		});
	});

	it('A9: sends the result JSON and the values given, byte for byte', async () => {
		const { context, sent } = call({
			parameters: {
				answer: 'success',
				resultFrom: 'json',
				resultJson: '{"data":{"answer":"..."}}',
				successStatus: 200,
				billingItems: ['tokens'],
				usageFrom: 'values',
				promptTokens: 31,
				completionTokens: 217,
			},
		});
		await respond.execute.call(context);
		expect(sent[0].body).toBe(
			'{"data":{"answer":"..."},"usage":{"completion_tokens":217,"prompt_tokens":31,"total_tokens":248}}',
		);
	});

	it("reads usage from the input item, replacing the item's own usage object with the checked one", async () => {
		const { context, sent } = call({
			items: [
				{
					answer: 'x',
					usage: { prompt_tokens: 3, completion_tokens: 4, extra: 'dropped' },
					image_count: 2,
					videoDuration: 7,
					transcripts: { content_duration_in_milliseconds: 1500 },
				},
			],
			parameters: {
				answer: 'success',
				resultFrom: 'item',
				successStatus: 200,
				billingItems: ['tokens', 'images', 'video', 'audio'],
				usageFrom: 'item',
			},
		});
		await respond.execute.call(context);
		expect(JSON.parse(sent[0].body)).toEqual({
			answer: 'x',
			image_count: 2,
			videoDuration: 7,
			usage: {
				completion_tokens: 4,
				prompt_tokens: 3,
				total_tokens: 7,
				image_count: 2,
				video_duration: 7,
			},
			transcripts: { content_duration_in_milliseconds: 1500 },
		});
	});

	it('takes tokens from the model and images from the value given', async () => {
		const { context, sent } = call({
			parameters: {
				answer: 'success',
				resultFrom: 'field',
				resultField: 'output',
				successStatus: 200,
				billingItems: ['tokens', 'images'],
				usageFrom: 'model',
				imageCount: 3,
			},
			runData: AGENT_RUNS,
		});
		await respond.execute.call(context);
		expect(JSON.parse(sent[0].body).usage).toEqual({
			completion_tokens: 222,
			prompt_tokens: 41,
			total_tokens: 263,
			image_count: 3,
		});
	});

	const refusals: Array<[string, Parameters<typeof call>[0], RegExp]> = [
		[
			'a negative count',
			{
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['tokens'],
					usageFrom: 'values',
					promptTokens: -1,
					completionTokens: 2,
				},
			},
			/"prompt_tokens" must be a whole number of 0 or more, not -1/,
		],
		[
			'a fraction of a second',
			{
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['video'],
					usageFrom: 'values',
					videoSeconds: 2.5,
				},
			},
			/"video_duration" must be a whole number/,
		],
		[
			'a count given as text',
			{
				items: [{ output: 'x', prompt_tokens: '31', completion_tokens: 1 }],
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['tokens'],
					usageFrom: 'item',
				},
			},
			/"prompt_tokens" must be a number, not the text "31"/,
		],
		[
			'an item without counts',
			{
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['tokens'],
					usageFrom: 'item',
				},
			},
			/has no prompt_tokens value/,
		],
		[
			'no chat model in the run',
			{
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['tokens'],
					usageFrom: 'model',
				},
			},
			/No chat model ran/,
		],
		[
			'only estimated counts',
			{
				runData: {
					'OpenAI Chat Model': [
						modelRun({ promptTokens: 5, completionTokens: 0 }, 'tokenUsageEstimate'),
					],
				},
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'output',
					billingItems: ['tokens'],
					usageFrom: 'model',
				},
			},
			/only estimated/,
		],
		[
			'a missing result field',
			{
				parameters: {
					answer: 'success',
					resultFrom: 'field',
					resultField: 'text',
					billingItems: ['tokens'],
					usageFrom: 'values',
					promptTokens: 1,
					completionTokens: 1,
				},
			},
			/has no field "text"/,
		],
		[
			'a success status that is not 2xx',
			{
				parameters: {
					answer: 'success',
					successStatus: 302,
					resultFrom: 'field',
					resultField: 'output',
				},
			},
			/not a 2xx status/,
		],
		[
			'an error status that is 2xx',
			{ parameters: { answer: 'error', errorStatus: 200 } },
			/not a 4xx or 5xx status/,
		],
	];
	it.each(refusals)(
		'refuses to answer with %s, sending nothing',
		async (_name, options, message) => {
			const { context, sent, chunks } = call({
				...options,
				parameters: { successStatus: 200, ...options.parameters },
			});
			await expect(respond.execute.call(context)).rejects.toThrow(message);
			expect(sent).toHaveLength(0);
			expect(chunks).toHaveLength(0);
		},
	);

	it('answers an error with a 4xx or 5xx status and no usage', async () => {
		const { context, sent } = call({
			parameters: {
				answer: 'error',
				errorStatus: 429,
				errorCode: 'quota',
				errorMessage: 'Too many requests.',
			},
			runData: AGENT_RUNS,
		});
		const out = await respond.execute.call(context);
		expect(sent).toEqual([
			{
				statusCode: 429,
				headers: { 'content-type': 'application/json; charset=utf-8' },
				body: '{"error":{"code":"quota","message":"Too many requests."}}',
			},
		]);
		expect(out[0][0].json.koogalleryAnswer).toEqual({
			gateway: 'agents',
			status: 429,
			billed: false,
			streamed: false,
			error: { code: 'quota', message: 'Too many requests.' },
		});
	});

	it('streams the usage once, as the last event, after an AI Agent streamed the answer', async () => {
		const { context, sent, chunks } = call({
			streaming: true,
			runData: AGENT_RUNS,
			parameters: {
				answer: 'success',
				resultFrom: 'field',
				resultField: 'output',
				successStatus: 200,
				billingItems: ['tokens'],
				usageFrom: 'model',
				finalEvent: 'usage',
			},
		});
		const out = await respond.execute.call(context);
		expect(sent).toHaveLength(0);
		expect(chunks).toEqual([
			['begin', 0, undefined],
			['item', 0, '{"usage":{"completion_tokens":222,"prompt_tokens":41,"total_tokens":263}}'],
			['end', 0, undefined],
		]);
		expect(out[0][0].json.koogalleryAnswer).toMatchObject({
			streamed: true,
			billed: true,
			status: 200,
		});
	});

	it('streams result and usage together when nothing was streamed before, and an error without usage', async () => {
		const both = call({
			streaming: true,
			runData: AGENT_RUNS,
			parameters: {
				answer: 'success',
				resultFrom: 'field',
				resultField: 'output',
				successStatus: 200,
				billingItems: ['tokens'],
				usageFrom: 'model',
				finalEvent: 'resultAndUsage',
			},
		});
		await respond.execute.call(both.context);
		expect(both.chunks[1][2]).toBe(
			'{"data":"Echo: hi","usage":{"completion_tokens":222,"prompt_tokens":41,"total_tokens":263}}',
		);
		const error = call({
			streaming: true,
			parameters: {
				answer: 'error',
				errorStatus: 500,
				errorCode: 'error',
				errorMessage: 'Failed.',
			},
		});
		await respond.execute.call(error.context);
		expect(error.chunks.map(([type, , content]) => [type, content])).toEqual([
			['begin', undefined],
			['item', '{"error":{"code":"error","message":"Failed."}}'],
			['end', undefined],
		]);
	});

	it('needs a KooGallery API Trigger before it', async () => {
		const { context } = executeContext({
			parameters: { answer: 'success' },
			parents: [{ name: 'KooGallery Trigger', type: 'n8n-nodes-koogallery.kooGalleryTrigger' }],
			triggerOutputs: [{ koogallery: { scenario: 'newInstance' } }],
		});
		await expect(respond.execute.call(context)).rejects.toThrow(
			'No KooGallery API Trigger comes before this node.',
		);
		const manual = executeContext({
			parameters: { answer: 'success' },
			parents: API_TRIGGER,
			triggerOutputs: [],
		});
		await expect(respond.execute.call(manual.context)).rejects.toThrow(
			'There is no KooGallery call to answer in this run.',
		);
	});
});

describe('KooGallery API Respond, APIG gateway', () => {
	it('B3: a 2xx answer is billed and carries no usage; a 4xx or 5xx answer is not billed', async () => {
		for (const status of [200, 201, 204, 299]) {
			const { context, sent } = call({
				gateway: 'apig',
				items: [{ rows: [1, 2] }],
				parameters: {
					answer: 'success',
					resultFrom: 'item',
					successStatus: status,
					billingItems: ['tokens'],
					usageFrom: 'model',
				},
			});
			const out = await respond.execute.call(context);
			expect(sent[0]).toMatchObject({ statusCode: status, body: '{"rows":[1,2]}' });
			expect(out[0][0].json.koogalleryAnswer).toEqual({
				gateway: 'apig',
				status,
				billed: true,
				streamed: false,
			});
		}
		for (const status of [400, 401, 429, 500, 504]) {
			const { context, sent } = call({
				gateway: 'apig',
				parameters: {
					answer: 'error',
					errorStatus: status,
					errorCode: 'not_found',
					errorMessage: 'No such row.',
				},
			});
			const out = await respond.execute.call(context);
			expect(sent[0]).toMatchObject({
				statusCode: status,
				body: '{"error":{"code":"not_found","message":"No such row."}}',
			});
			expect((out[0][0].json.koogalleryAnswer as IDataObject).billed).toBe(isBilledStatus(status));
			expect(isBilledStatus(status)).toBe(false);
		}
	});

	it('with Answer 404 When Nothing Was Found: an empty item is answered 404, not billed; items with fields as before', async () => {
		const parameters = {
			answer: 'success',
			resultFrom: 'item',
			successStatus: 200,
			notFoundAnswer: true,
			notFoundMessage: 'No item has this code.',
		};
		// What Split Out set to Always Output Data gives when the list it splits is empty.
		const nothing = call({ gateway: 'apig', items: [{}], parameters });
		const out = await respond.execute.call(nothing.context);
		expect(nothing.sent).toEqual([
			expect.objectContaining({
				statusCode: 404,
				body: '{"error":{"code":"not_found","message":"No item has this code."}}',
			}),
		]);
		expect(out[0][0].json.koogalleryAnswer).toEqual({
			gateway: 'apig',
			status: 404,
			billed: false,
			streamed: false,
			error: { code: 'not_found', message: 'No item has this code.' },
		});
		// An item holding only the trigger's block is empty too.
		const blockOnly = call({
			gateway: 'apig',
			items: [{ koogallery: { gateway: 'apig' } }],
			parameters,
		});
		await respond.execute.call(blockOnly.context);
		expect(blockOnly.sent[0].statusCode).toBe(404);

		const found = call({
			gateway: 'apig',
			items: [{ code: 'KG-001', name: 'Backup' }],
			parameters,
		});
		await respond.execute.call(found.context);
		expect(found.sent[0]).toMatchObject({
			statusCode: 200,
			body: '{"code":"KG-001","name":"Backup"}',
		});
		// Empty items beside items with fields are left out of the answer.
		const some = call({ gateway: 'apig', items: [{}, { code: 'KG-002' }, {}], parameters });
		await respond.execute.call(some.context);
		expect(some.sent[0]).toMatchObject({ statusCode: 200, body: '{"code":"KG-002"}' });

		// Off (the default), an empty item is a billed empty answer, as before.
		const off = call({
			gateway: 'apig',
			items: [{}],
			parameters: { answer: 'success', resultFrom: 'item', successStatus: 200 },
		});
		await respond.execute.call(off.context);
		expect(off.sent[0]).toMatchObject({ statusCode: 200, body: '{}' });
	});

	it('wraps a result that is not an object under data', async () => {
		const { context, sent } = call({
			gateway: 'apig',
			items: [{ output: 'plain text' }],
			parameters: {
				answer: 'success',
				resultFrom: 'field',
				resultField: 'output',
				successStatus: 200,
			},
		});
		await respond.execute.call(context);
		expect(sent[0].body).toBe('{"data":"plain text"}');
	});
});
