import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import {
	asNodeError,
	callOpenApi,
	failedItemJson,
	openApiError,
	type RetryBudget,
	type RetryPolicy,
} from './transport';

/** `[{name, value}, ...]` as an object `{name: value}`; anything else is returned unchanged. */
function namedList(value: unknown): unknown {
	if (!Array.isArray(value)) return value;
	if (
		!value.every(
			(entry) =>
				entry && typeof entry === 'object' && typeof (entry as IDataObject).name === 'string',
		)
	)
		return value;
	return Object.fromEntries(
		value.map((entry) => [(entry as IDataObject).name, (entry as IDataObject).value ?? null]),
	);
}

/**
 * The order of a query-order answer as clean JSON (docs/protocol/koogallery-openapi-v1.md §A.1): the
 * `orderInfo` object without the result wrapper, each `extendParams` list turned into an object
 * keyed by name. Unknown fields are kept, as KooGallery may add fields.
 */
export function cleanOrder(orderInfo: IDataObject): IDataObject {
	const lines = Array.isArray(orderInfo.orderLine) ? (orderInfo.orderLine as IDataObject[]) : [];
	return {
		...orderInfo,
		extendParams: namedList(orderInfo.extendParams ?? []) as IDataObject,
		orderLine: lines.map((line) => ({
			...line,
			extendParams: namedList(line.extendParams ?? []) as IDataObject,
		})),
	};
}

/**
 * Order > Get: one query per input item, by order ID and optionally order line ID. A query is safe
 * to repeat, so timeouts, dropped connections and 5xx answers are retried with the shared bounded
 * backoff of `callOpenApi`; an item that still fails is thrown, or with "Continue" returned with
 * what failed (and routed to the error output when the node has one).
 */
export async function getOrders(
	this: IExecuteFunctions,
	policy: RetryPolicy,
	budget: RetryBudget,
	timeoutMs: number,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const orderId = String(this.getNodeParameter('orderId', i, '') ?? '').trim();
			const orderLineId = String(this.getNodeParameter('orderLineId', i, '') ?? '').trim();
			if (orderId === '' || orderId.length > 64) {
				throw new NodeOperationError(this.getNode(), 'The order ID must be 1 to 64 characters.', {
					itemIndex: i,
				});
			}
			if (orderLineId.length > 64) {
				throw new NodeOperationError(
					this.getNode(),
					'The order line ID must be at most 64 characters.',
					{ itemIndex: i },
				);
			}
			const qs: Record<string, string> = { orderId };
			if (orderLineId) qs.orderLineId = orderLineId;
			const outcome = await callOpenApi(
				this,
				{ method: 'GET', path: OPEN_API_PATHS.orderQuery, qs, timeoutMs },
				policy,
				budget,
			);
			const answer = outcome.body as IDataObject | undefined;
			if (outcome.verdict !== 'ok') throw openApiError(this, outcome, i);
			if (!answer || typeof answer.orderInfo !== 'object' || answer.orderInfo === null) {
				throw new NodeOperationError(
					this.getNode(),
					`KooGallery returned no order for ${orderId}.`,
					{
						itemIndex: i,
						description: `The answer was ${JSON.stringify(answer ?? null).slice(0, 500)}`,
					},
				);
			}
			out.push({ json: cleanOrder(answer.orderInfo as IDataObject), pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: failedItemJson(this, nodeError), pairedItem: { item: i } });
		}
	}
	return out;
}
