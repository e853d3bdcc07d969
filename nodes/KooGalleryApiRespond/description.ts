import type { INodeProperties } from 'n8n-workflow';

/** The parameters of KooGallery API Respond, as n8n's editor shows them. */
export const properties: INodeProperties[] = [
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
		displayName: 'Answer 404 When Nothing Was Found',
		name: 'notFoundAnswer',
		type: 'boolean',
		default: false,
		displayOptions: { show: { answer: ['success'] } },
		description:
			'Whether to answer 404 with {"error":{"code":"not_found","message"}} (not billed) when the input has only empty items, as a Split Out or database step set to Always Output Data gives when it found nothing. Empty items are left out of the result.',
	},
	{
		displayName: 'Not Found Message',
		name: 'notFoundMessage',
		type: 'string',
		default: 'Nothing was found.',
		displayOptions: { show: { answer: ['success'], notFoundAnswer: [true] } },
		description: 'Shown to the caller with the 404. Keep internal details out of it.',
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
];
