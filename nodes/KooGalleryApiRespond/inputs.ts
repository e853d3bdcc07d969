import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import {
	buildAgentsUsage,
	type AgentsUsage,
	type AgentsUsageInput,
} from '../../core/gateway-usage';
import { modelTokenCounts } from './modelUsage';

/*
 * What a success answer is made of: the seller's result (Result From) and the usage the Agents
 * gateway bills (Billing Items, Usage From), read from this node's parameters and input items.
 */

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

export type Fail = (message: string, description: string) => NodeOperationError;

/** The seller's result, from the input items as the Result From parameter says. */
export function readResult(context: IExecuteFunctions, items: IDataObject[], fail: Fail): unknown {
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
export function readUsage(context: IExecuteFunctions, item: IDataObject, fail: Fail): AgentsUsage {
	const billingItems = context.getNodeParameter('billingItems', 0, ['tokens']) as BillingItem[];
	const from = context.getNodeParameter('usageFrom', 0, 'model') as UsageFrom;
	const values: AgentsUsageInput = {};
	for (const billingItem of billingItems) {
		if (from === 'model' && billingItem === 'tokens') {
			Object.assign(values, modelTokens(context, fail));
			continue;
		}
		for (const field of FIELDS_OF[billingItem]) {
			if (from === 'item') {
				fromItem(item, field, values, fail);
			} else {
				const parameter = PARAMETER_OF[field];
				if (parameter) values[field] = context.getNodeParameter(parameter, 0, 0);
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

/** One usage value from the input item (Usage From: Input Item Fields); only total_tokens may be missing. */
function fromItem(
	item: IDataObject,
	field: keyof AgentsUsageInput,
	values: AgentsUsageInput,
	fail: Fail,
): void {
	const name = ITEM_FIELDS[field].find((path) => readPath(item, path) !== undefined);
	if (name !== undefined) values[field] = readPath(item, name);
	else if (field !== 'total_tokens') {
		throw fail(
			`The input item has no ${field} value.`,
			`Usage From is Input Item Fields: give the item one of ${ITEM_FIELDS[field].join(', ')}, or choose another Usage From.`,
		);
	}
}

/** The token counts every chat model call of this run reported (Usage From: Chat Model Token Counts). */
function modelTokens(context: IExecuteFunctions, fail: Fail): AgentsUsageInput {
	const counts = modelTokenCounts(context);
	if (counts.calls === 0) {
		throw fail(
			counts.estimatedCalls > 0
				? 'The chat model did not report its token counts; n8n only estimated them, and an estimate is not billed.'
				: 'No chat model ran in this run, so there are no token counts to bill.',
			'Usage From is Chat Model Token Counts: put an AI Agent with a chat model (for example OpenAI Chat Model) before this node, with a model that reports usage, or choose another Usage From.',
		);
	}
	const values: AgentsUsageInput = {
		prompt_tokens: counts.promptTokens,
		completion_tokens: counts.completionTokens,
	};
	// A model that reports no total gets prompt + completion (buildAgentsUsage computes it).
	if (counts.totalTokens > 0) values.total_tokens = counts.totalTokens;
	return values;
}
