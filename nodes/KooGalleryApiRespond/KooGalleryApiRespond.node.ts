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
	gatewayErrorBody,
	isBilledStatus,
	type AgentsUsage,
} from '../../core/gateway-usage';
import { findGatewayCall, type GatewayCall } from '../shared/triggerCall';
import { properties } from './description';
import { readResult, readUsage, type Fail } from './inputs';

/** What is sent: the HTTP status, the body, and for a billed Agents answer its usage. */
interface Reply {
	status: number;
	body: IDataObject;
	usage?: AgentsUsage;
}

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
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const found = findGatewayCall(this);
		// Streaming only when the trigger streams and n8n still streams this run.
		const call: GatewayCall = { ...found, streaming: found.streaming && this.isStreaming() };
		const node = this.getNode();
		const fail: Fail = (message, description) =>
			new NodeOperationError(node, message, { itemIndex: 0, description });
		const answer = this.getNodeParameter('answer', 0) as 'success' | 'error';
		const reply = answer === 'error' ? errorReply(this, fail) : foundReply(this, items, call, fail);
		await send(this, call, reply);
		const summary = summaryOf(call, reply);
		if (!isBilledStatus(reply.status)) summary.error = reply.body.error as IDataObject;
		return [
			items.map((item, index) => ({
				json: index === 0 ? { ...item.json, koogalleryAnswer: summary } : item.json,
				pairedItem: { item: index },
			})),
		];
	}
}

/** An error neither gateway bills: a 4xx or 5xx status and {"error":{"code","message"}}. */
function errorReply(context: IExecuteFunctions, fail: Fail): Reply {
	const status = Number(context.getNodeParameter('errorStatus', 0, 500));
	if (!Number.isInteger(status) || status < 400 || status > 599) {
		throw fail(
			`The error status ${status} is not a 4xx or 5xx status.`,
			'Use 400 to 599, so the gateway does not bill the call.',
		);
	}
	const code = String(context.getNodeParameter('errorCode', 0, 'error') || 'error');
	const message = String(
		context.getNodeParameter('errorMessage', 0, '') || 'The request could not be completed.',
	);
	return { status, body: gatewayErrorBody(code, message) };
}

/** An item with no fields but the trigger's block: what a step that found nothing gives. */
const isEmptyItem = (item: INodeExecutionData): boolean =>
	Object.keys(item.json).every((name) => name === 'koogallery');

/**
 * A success answer; with "Answer 404 When Nothing Was Found" on, it reads only the items with
 * fields, and answers 404 (not billed) when there are none.
 */
function foundReply(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	call: GatewayCall,
	fail: Fail,
): Reply {
	if (context.getNodeParameter('notFoundAnswer', 0, false) !== true)
		return successReply(context, items, call, fail);
	const found = items.filter((item) => !isEmptyItem(item));
	if (found.length > 0) return successReply(context, found, call, fail);
	const message = String(
		context.getNodeParameter('notFoundMessage', 0, '') || 'Nothing was found.',
	);
	return { status: 404, body: gatewayErrorBody('not_found', message) };
}

/** A billed answer: the result, with the usage for the Agents gateway. */
function successReply(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	call: GatewayCall,
	fail: Fail,
): Reply {
	const status = Number(context.getNodeParameter('successStatus', 0, 200));
	if (!isBilledStatus(status)) {
		throw fail(
			`The status ${status} is not a 2xx status.`,
			'A success answer uses 200 to 299; answer errors with Answer: Error.',
		);
	}
	const result = readResult(
		context,
		items.map((item) => item.json),
		fail,
	);
	if (call.gateway === 'agents') {
		const usage = readUsage(context, items[0]?.json ?? {}, fail);
		const finalEvent = context.getNodeParameter('finalEvent', 0, 'usage') as string;
		const sent = call.streaming && finalEvent === 'usage' ? undefined : result;
		return { status, body: agentsAnswerBody(sent, usage) as IDataObject, usage };
	}
	const body =
		result !== null && typeof result === 'object' && !Array.isArray(result)
			? result
			: { data: result };
	return { status, body: body as IDataObject };
}

/** Sends the reply: as the HTTP answer, or streaming as the last chunk. */
async function send(context: IExecuteFunctions, call: GatewayCall, reply: Reply): Promise<void> {
	const text = JSON.stringify(reply.body);
	if (call.streaming) {
		// n8n already sent 200 and its headers; this is the last chunk, so the usage is sent once, last.
		context.sendChunk('begin', 0);
		context.sendChunk('item', 0, text);
		context.sendChunk('end', 0);
		return;
	}
	await context.sendResponse({
		body: text,
		headers: { 'content-type': 'application/json; charset=utf-8' },
		statusCode: reply.status,
	});
}

/** What the node outputs about the answer: the status sent, whether it is billed, the usage. */
function summaryOf(call: GatewayCall, reply: Reply): IDataObject {
	const sentStatus = call.streaming ? 200 : reply.status;
	const summary: IDataObject = {
		gateway: call.gateway,
		status: sentStatus,
		billed: call.gateway === 'apig' ? isBilledStatus(sentStatus) : reply.usage !== undefined,
		streamed: call.streaming,
	};
	if (reply.usage) {
		summary.usage = { ...reply.usage.usage };
		if (reply.usage.transcripts) summary.transcripts = { ...reply.usage.transcripts };
	}
	return summary;
}
