import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { OPEN_API_ENDPOINTS } from '../../../../core/openapi-endpoints';
import { itemByItem, itemError } from '../../helpers';
import { callEndpoint, callSettings, openApiError, type CallSettings } from '../../transport';
import { showFor } from '../types';

/** Order > Get (查询订单). */
export const description: INodeProperties[] = [
	{
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		default: '',
		placeholder: 'CS2207261447AUY4H',
		displayOptions: showFor('order', ['get']),
		hint: "Leave empty to use the input item's orderId field (for example the KooGallery Trigger's new purchase call)",
		description:
			"The KooGallery order ID (订单ID). Leave empty to use the input item's orderId field (for example the KooGallery Trigger's new purchase call). The documented mock orders such as MOCKPERIODYEARNEW work with real credentials for testing.",
	},
	{
		displayName: 'Order Line ID',
		name: 'orderLineId',
		type: 'string',
		default: '',
		placeholder: 'CS2207261447AUY4H-000001',
		displayOptions: showFor('order', ['get']),
		hint: "Leave empty to use the input item's orderLineId field, if it has one",
		description:
			"Only this line of the order (订单行ID). Leave empty to use the input item's orderLineId field (for example the KooGallery Trigger's new purchase call); without one, the whole order.",
	},
	{
		displayName: 'Order Options',
		name: 'orderOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor('order', ['get']),
		options: [
			{
				displayName: 'Keep Input Fields',
				name: 'keepInputFields',
				type: 'boolean',
				default: false,
				description:
					'Whether to output the input item\'s fields with the order under "order", instead of the order alone. An item whose query failed (with On Error set to continue) keeps them too, with the error.',
			},
		],
	},
];

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

/** A field of the input item as text: a string or a number, trimmed; anything else is empty. */
function itemText(item: INodeExecutionData, field: string): string {
	const value = item.json[field];
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** The parameter `name` of item `i`, or when it is empty the input item's field of that name. */
function parameterOrItem(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	name: string,
): string {
	return String(ctx.getNodeParameter(name, i, '') ?? '').trim() || itemText(item, name);
}

/** Whether item `i` is output with the input item's fields (Keep Input Fields). */
function keepsInputFields(ctx: IExecuteFunctions, i: number): boolean {
	const options = ctx.getNodeParameter('orderOptions', i, {}) as IDataObject;
	return options.keepInputFields === true;
}

/** Queries the order of item `i`. */
async function getOrder(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	settings: CallSettings,
): Promise<IDataObject> {
	const orderId = parameterOrItem(ctx, i, item, 'orderId');
	const orderLineId = parameterOrItem(ctx, i, item, 'orderLineId');
	if (orderId === '' || orderId.length > 64)
		throw itemError(ctx, i, 'The order ID must be 1 to 64 characters.');
	if (orderLineId.length > 64)
		throw itemError(ctx, i, 'The order line ID must be at most 64 characters.');
	const qs: Record<string, string> = { orderId };
	if (orderLineId) qs.orderLineId = orderLineId;
	const outcome = await callEndpoint(ctx, OPEN_API_ENDPOINTS.orderQuery, { qs }, settings);
	const answer = outcome.body as IDataObject | undefined;
	if (outcome.verdict !== 'ok') throw openApiError(ctx, outcome, i);
	if (!answer || typeof answer.orderInfo !== 'object' || answer.orderInfo === null) {
		throw new NodeOperationError(ctx.getNode(), `KooGallery returned no order for ${orderId}.`, {
			itemIndex: i,
			description: `The answer was ${JSON.stringify(answer ?? null).slice(0, 500)}`,
		});
	}
	return cleanOrder(answer.orderInfo as IDataObject);
}

/**
 * Order > Get: one query per input item, by order ID and optionally order line ID (the parameters,
 * or the input item's fields of the same names). A query is safe to repeat, so timeouts, dropped
 * connections and 5xx answers are retried with the shared bounded backoff of `callOpenApi`; an
 * item that still fails is thrown, or with "Continue" returned with what failed (and routed to the
 * error output when the node has one). With Keep Input Fields, the order goes under `order` of the
 * input item's fields, and a failed item keeps them too.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const settings = callSettings(this);
	return [
		await itemByItem(
			this,
			async (i, item) => {
				const order = await getOrder(this, i, item, settings);
				return keepsInputFields(this, i) ? { ...item.json, order } : order;
			},
			(i, item) => (keepsInputFields(this, i) ? item.json : undefined),
		),
	];
}
