import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import {
	agentsAnswerBody,
	buildAgentsUsage,
	gatewayErrorBody,
	isBilledStatus,
	type AgentsUsage,
	type AgentsUsageInput,
} from '../../core/gateway-usage';
import { findGatewayCall } from '../shared/triggerCall';
import { modelTokenCounts } from './modelUsage';

type BillingItem = 'tokens' | 'images' | 'video' | 'audio';
type UsageFrom = 'model' | 'item' | 'values';

/** Where each usage value is looked for in an input item (Usage From: Input Item), first found wins. */
const ITEM_FIELDS: Record<keyof AgentsUsageInput, string[]> = {
	prompt_tokens: [
		'usage.prompt_tokens',
		'prompt_tokens',
		'promptTokens',
		'tokenUsage.promptTokens',
		'usage.input_tokens',
		'input_tokens',
	],
	completion_tokens: [
		'usage.completion_tokens',
		'completion_tokens',
		'completionTokens',
		'tokenUsage.completionTokens',
		'usage.output_tokens',
		'output_tokens',
	],
	total_tokens: ['usage.total_tokens', 'total_tokens', 'totalTokens', 'tokenUsage.totalTokens'],
	image_count: ['usage.image_count', 'image_count', 'imageCount'],
	video_duration: ['usage.video_duration', 'video_duration', 'videoDuration'],
	content_duration_in_milliseconds: [
		'transcripts.content_duration_in_milliseconds',
		'content_duration_in_milliseconds',
		'audioMilliseconds',
	],
};

/** The fields each billing item fills. */
const FIELDS_OF: Record<BillingItem, Array<keyof AgentsUsageInput>> = {
	tokens: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
	images: ['image_count'],
	video: ['video_duration'],
	audio: ['content_duration_in_milliseconds'],
};

/** The number parameter for each field (Usage From: Values Below). */
const PARAMETER_OF: Partial<Record<keyof AgentsUsageInput, string>> = {
	prompt_tokens: 'promptTokens',
	completion_tokens: 'completionTokens',
	image_count: 'imageCount',
	video_duration: 'videoSeconds',
	content_duration_in_milliseconds: 'audioMilliseconds',
};

const readPath = (json: IDataObject, path: string): unknown =>
	path
		.split('.')
		.reduce<unknown>(
			(value, name) =>
				value !== null && typeof value === 'object' ? (value as IDataObject)[name] : undefined,
			json,
		);

const withoutBlock = (json: IDataObject): IDataObject => {
	const copy = { ...json };
	delete copy.koogallery;
	return copy;
};

export class KooGalleryApiRespond implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery API Respond',
		name: 'kooGalleryApiRespond',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["answer"] === "error" ? "Error: not billed" : "Success: billed"}}',
		description:
			'Answers the gateway call a KooGallery API Trigger received: the result with the usage the Agents gateway bills, or an error that is not billed',
		defaults: { name: 'KooGallery API Respond' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Put this node at the end of a KooGallery API Trigger branch. Agents gateway: the answer carries a top-level usage object, which is what KooGallery bills (tokens by default from the chat model calls of this run). API Gateway (APIG): a 2xx answer is billed, a 4xx or 5xx one is not. In Streaming (流式) mode the usage goes in the last event.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Answer',
				name: 'answer',
				type: 'options',
				noDataExpression: true,
				default: 'success',
				options: [
					{
						name: 'Success (Billed)',
						value: 'success',
						description: 'The result, with usage for the Agents gateway; a 2xx status for APIG',
					},
					{
						name: 'Error (Not Billed)',
						value: 'error',
						description: 'A 4xx or 5xx status and {"error":{"code","message"}}, without usage',
					},
				],
			},
			{
				displayName: 'Result From',
				name: 'resultFrom',
				type: 'options',
				default: 'field',
				displayOptions: { show: { answer: ['success'] } },
				options: [
					{
						name: 'Input Item Field (Sent as Data)',
						value: 'field',
						description:
							'One field of the input item, for example an AI Agent\'s output, sent as {"data": ...}',
					},
					{
						name: 'Whole Input Item',
						value: 'item',
						description: "The input item's fields at the top level of the answer",
					},
					{
						name: 'JSON',
						value: 'json',
						description: 'The JSON below',
					},
				],
			},
			{
				displayName: 'Field',
				name: 'resultField',
				type: 'string',
				default: 'output',
				displayOptions: { show: { answer: ['success'], resultFrom: ['field'] } },
				description:
					'The input item\'s field holding the result (dots reach into objects). An AI Agent puts its answer in "output".',
			},
			{
				displayName: 'JSON',
				name: 'resultJson',
				type: 'json',
				default: '{}',
				displayOptions: { show: { answer: ['success'], resultFrom: ['json'] } },
			},
			{
				displayName: 'Status',
				name: 'successStatus',
				type: 'number',
				default: 200,
				typeOptions: { minValue: 200, maxValue: 299 },
				displayOptions: { show: { answer: ['success'] } },
				description: 'A 2xx HTTP status. API Gateway bills every 2xx answer.',
			},
			{
				displayName: 'Billing Items (Agents)',
				name: 'billingItems',
				type: 'multiOptions',
				default: ['tokens'],
				displayOptions: { show: { answer: ['success'] } },
				options: [
					{ name: 'Tokens In and Out (Tokens输入 / Tokens输出)', value: 'tokens' },
					{ name: 'Images (图片数)', value: 'images' },
					{ name: 'Video Seconds (视频时长)', value: 'video' },
					{ name: 'Audio Milliseconds (语音时长)', value: 'audio' },
				],
				description:
					'The billing items registered for the agent (计费项). Tokens go in usage.prompt_tokens, usage.completion_tokens and usage.total_tokens, images in usage.image_count, video seconds in usage.video_duration, audio in transcripts.content_duration_in_milliseconds. Ignored for APIG.',
			},
			{
				displayName: 'Usage From',
				name: 'usageFrom',
				type: 'options',
				default: 'model',
				displayOptions: { show: { answer: ['success'] } },
				options: [
					{
						name: 'Chat Model Token Counts (This Run)',
						value: 'model',
						description:
							"Tokens: the sum of what every chat model call of this run reported (for example an AI Agent's OpenAI Chat Model); other items from the values below",
					},
					{
						name: 'Input Item Fields',
						value: 'item',
						description:
							'From the input item: usage.prompt_tokens or promptTokens or tokenUsage.promptTokens, completion likewise, image_count, video_duration, content_duration_in_milliseconds',
					},
					{
						name: 'Values Below',
						value: 'values',
						description: 'The numbers below (expressions allowed)',
					},
				],
			},
			{
				displayName: 'Input Tokens',
				name: 'promptTokens',
				type: 'number',
				default: 0,
				displayOptions: {
					show: { answer: ['success'], usageFrom: ['values'], billingItems: ['tokens'] },
				},
			},
			{
				displayName: 'Output Tokens',
				name: 'completionTokens',
				type: 'number',
				default: 0,
				displayOptions: {
					show: { answer: ['success'], usageFrom: ['values'], billingItems: ['tokens'] },
				},
			},
			{
				displayName: 'Image Count',
				name: 'imageCount',
				type: 'number',
				default: 0,
				displayOptions: {
					show: { answer: ['success'], usageFrom: ['values', 'model'], billingItems: ['images'] },
				},
			},
			{
				displayName: 'Video Seconds',
				name: 'videoSeconds',
				type: 'number',
				default: 0,
				displayOptions: {
					show: { answer: ['success'], usageFrom: ['values', 'model'], billingItems: ['video'] },
				},
			},
			{
				displayName: 'Audio Milliseconds',
				name: 'audioMilliseconds',
				type: 'number',
				default: 0,
				displayOptions: {
					show: { answer: ['success'], usageFrom: ['values', 'model'], billingItems: ['audio'] },
				},
			},
			{
				displayName: 'Last Streamed Event',
				name: 'finalEvent',
				type: 'options',
				default: 'usage',
				displayOptions: { show: { answer: ['success'] } },
				options: [
					{
						name: 'Usage Only',
						value: 'usage',
						description: 'An AI Agent already streamed the answer: send only {"usage": ...}',
					},
					{
						name: 'Result and Usage',
						value: 'resultAndUsage',
						description: 'Nothing was streamed before: send the result and the usage in one event',
					},
				],
				description: 'Only for a trigger in Streaming (流式) mode',
			},
			{
				displayName: 'Status',
				name: 'errorStatus',
				type: 'number',
				default: 500,
				typeOptions: { minValue: 400, maxValue: 599 },
				displayOptions: { show: { answer: ['error'] } },
				description:
					'A 4xx or 5xx HTTP status: neither gateway bills it. In Streaming (流式) mode the status was already sent as 200; the error then goes in the last event, without usage.',
			},
			{
				displayName: 'Error Code',
				name: 'errorCode',
				type: 'string',
				default: 'error',
				displayOptions: { show: { answer: ['error'] } },
			},
			{
				displayName: 'Error Message',
				name: 'errorMessage',
				type: 'string',
				default: 'The request could not be completed.',
				displayOptions: { show: { answer: ['error'] } },
				description: 'Shown to the caller. Keep internal details out of it.',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const call = findGatewayCall(this);
		const gateway = call.gateway;
		const streaming = call.streaming && this.isStreaming();
		const first = items[0]?.json ?? {};
		const fail = (message: string, description: string) =>
			new NodeOperationError(node, message, { itemIndex: 0, description });

		const answer = this.getNodeParameter('answer', 0) as 'success' | 'error';
		let status: number;
		let body: IDataObject;
		let usage: AgentsUsage | undefined;
		if (answer === 'error') {
			status = Number(this.getNodeParameter('errorStatus', 0, 500));
			if (!Number.isInteger(status) || status < 400 || status > 599) {
				throw fail(
					`The error status ${status} is not a 4xx or 5xx status.`,
					'Use 400 to 599, so the gateway does not bill the call.',
				);
			}
			const code = String(this.getNodeParameter('errorCode', 0, 'error') || 'error');
			const message = String(
				this.getNodeParameter('errorMessage', 0, '') || 'The request could not be completed.',
			);
			body = gatewayErrorBody(code, message);
		} else {
			status = Number(this.getNodeParameter('successStatus', 0, 200));
			if (!isBilledStatus(status)) {
				throw fail(
					`The status ${status} is not a 2xx status.`,
					'A success answer uses 200 to 299; answer errors with Answer: Error.',
				);
			}
			const result = readResult(
				this,
				items.map((item) => item.json),
				fail,
			);
			if (gateway === 'agents') {
				usage = readUsage(this, first, fail);
				const finalEvent = this.getNodeParameter('finalEvent', 0, 'usage') as string;
				body = agentsAnswerBody(
					streaming && finalEvent === 'usage' ? undefined : result,
					usage,
				) as IDataObject;
			} else {
				body = (
					result !== null && typeof result === 'object' && !Array.isArray(result)
						? result
						: { data: result }
				) as IDataObject;
			}
		}

		const text = JSON.stringify(body);
		if (streaming) {
			// n8n already sent 200 and its headers; this is the last chunk, so the usage is sent once, last.
			this.sendChunk('begin', 0);
			this.sendChunk('item', 0, text);
			this.sendChunk('end', 0);
		} else {
			await this.sendResponse({
				body: text,
				headers: { 'content-type': 'application/json; charset=utf-8' },
				statusCode: status,
			});
		}
		const sentStatus = streaming ? 200 : status;
		const summary: IDataObject = {
			gateway,
			status: sentStatus,
			billed: gateway === 'apig' ? isBilledStatus(sentStatus) : usage !== undefined,
			streamed: streaming,
		};
		if (usage) {
			summary.usage = { ...usage.usage };
			if (usage.transcripts) summary.transcripts = { ...usage.transcripts };
		}
		if (answer === 'error') summary.error = body.error as IDataObject;
		return [
			items.map((item, index) => ({
				json: index === 0 ? { ...item.json, koogalleryAnswer: summary } : item.json,
				pairedItem: { item: index },
			})),
		];
	}
}

type Fail = (message: string, description: string) => NodeOperationError;

/** The seller's result, from the input items as the Result From parameter says. */
function readResult(context: IExecuteFunctions, items: IDataObject[], fail: Fail): unknown {
	const from = context.getNodeParameter('resultFrom', 0, 'field') as string;
	if (from === 'json') {
		const raw = context.getNodeParameter('resultJson', 0, '{}') as unknown;
		if (typeof raw !== 'string') return raw;
		try {
			return JSON.parse(raw) as unknown;
		} catch {
			throw fail('The JSON result is not valid JSON.', 'Check the JSON field of this node.');
		}
	}
	if (from === 'item') {
		const results = items.map(withoutBlock);
		return results.length === 1 ? results[0] : { data: results };
	}
	const field = String(context.getNodeParameter('resultField', 0, 'output') || 'output');
	const values = items.map((json) => readPath(json, field));
	if (values.every((value) => value === undefined)) {
		throw fail(
			`The input item has no field "${field}".`,
			'Set Field to the field holding the result (an AI Agent uses "output"), or choose another Result From.',
		);
	}
	return values.length === 1 ? values[0] : values;
}

/** The usage values the Billing Items and Usage From parameters call for, checked by buildAgentsUsage. */
function readUsage(context: IExecuteFunctions, item: IDataObject, fail: Fail): AgentsUsage {
	const billingItems = context.getNodeParameter('billingItems', 0, ['tokens']) as BillingItem[];
	const from = context.getNodeParameter('usageFrom', 0, 'model') as UsageFrom;
	const values: AgentsUsageInput = {};
	const fromParameter = (field: keyof AgentsUsageInput) => {
		const parameter = PARAMETER_OF[field];
		if (parameter) values[field] = context.getNodeParameter(parameter, 0, 0);
	};
	for (const billingItem of billingItems) {
		for (const field of FIELDS_OF[billingItem]) {
			if (from === 'item') {
				const name = ITEM_FIELDS[field].find((path) => readPath(item, path) !== undefined);
				if (name !== undefined) values[field] = readPath(item, name);
				else if (field !== 'total_tokens') {
					throw fail(
						`The input item has no ${field} value.`,
						`Usage From is Input Item Fields: give the item one of ${ITEM_FIELDS[field].join(', ')}, or choose another Usage From.`,
					);
				}
			} else if (from === 'model' && billingItem === 'tokens') {
				if (field !== 'prompt_tokens') continue;
				const counts = modelTokenCounts(context);
				if (counts.calls === 0) {
					throw fail(
						counts.estimatedCalls > 0
							? 'The chat model did not report its token counts; n8n only estimated them, and an estimate is not billed.'
							: 'No chat model ran in this run, so there are no token counts to bill.',
						'Usage From is Chat Model Token Counts: put an AI Agent with a chat model (for example OpenAI Chat Model) before this node, with a model that reports usage, or choose another Usage From.',
					);
				}
				values.prompt_tokens = counts.promptTokens;
				values.completion_tokens = counts.completionTokens;
				// A model that reports no total gets prompt + completion (buildAgentsUsage computes it).
				if (counts.totalTokens > 0) values.total_tokens = counts.totalTokens;
			} else {
				fromParameter(field);
			}
		}
	}
	try {
		return buildAgentsUsage(values);
	} catch (error) {
		// buildAgentsUsage throws only AgentsUsageError, whose message names the field at fault.
		throw fail(
			(error as Error).message,
			'The gateway bills from these numbers: each must be a whole number of 0 or more.',
		);
	}
}
