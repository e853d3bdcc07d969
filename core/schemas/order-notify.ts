/**
 * Order notification (订单通知, docs/protocol/koogallery-saas-v2.md §4.8): the one production
 * interface of every product type but images (SaaS, License, API, hardware, manual services).
 * KooGallery POSTs `{"activity":"orderNotify","orderId","orderLineId","testFlag"}`, signed like
 * SaaS V2.0; the seller reads the order with the Order query Open API and delivers.
 *
 * Read leniently (docs/protocol/README.md decision 16): past the signature, only a call that names no order
 * (or is not an order notification at all) is refused. Numbers and text are interchangeable and
 * handed on as text, null equals absent, unknown fields pass through, lengths are not enforced.
 */
import {
	parseFailure,
	parseJsonObject,
	readFields,
	scalarText,
	text,
	yesNo,
	type ParseResult,
	type Shape,
} from './common';
import type { ScenarioInfo } from './saas-v2';

const ORDER_NOTIFY_ACTIVITY = 'orderNotify';

export const ORDER_NOTIFY_SCENARIOS: readonly ScenarioInfo[] = [
	{
		activity: ORDER_NOTIFY_ACTIVITY,
		label: 'Order Paid',
		zh: '订单通知',
		description:
			'A customer paid for an order (new purchase, renewal or change) or unsubscribed. Read it with Order > Get; its order type says which.',
		needsAnswer: false,
		mandatory: true,
	},
];

export interface OrderNotifyRequest {
	activity: typeof ORDER_NOTIFY_ACTIVITY;
	orderId: string;
	/** Absent only if KooGallery ever leaves it out; the Order query API then returns every line. */
	orderLineId?: string;
	/** "1" for the seller console's debugging calls, else "0" or absent. */
	testFlag?: string;
	[field: string]: unknown;
}

/** Read with the shared lenient readers (common.ts): only the order ID is required. */
const orderNotify = {
	activity: text(true),
	orderId: text(true),
	orderLineId: text(),
	testFlag: yesNo('0', '1'),
} satisfies Shape;

/** Parses an order notification body; fails only without an order ID or for another activity. */
export function parseOrderNotifyRequest(rawBody: string | Buffer): ParseResult<OrderNotifyRequest> {
	const json = parseJsonObject(rawBody);
	if (!json.ok) return json;
	const activity = scalarText(json.value.activity)?.trim();
	if (!activity) return parseFailure('"activity" is required but missing.', 'activity');
	if (activity !== ORDER_NOTIFY_ACTIVITY) {
		// Acknowledging another interface's call here would tell KooGallery it was handled.
		return parseFailure(
			`"activity" ${JSON.stringify(json.value.activity)} is not an order notification; this address handles orderNotify.`,
			'activity',
		);
	}
	return readFields(orderNotify, ORDER_NOTIFY_ACTIVITY, {
		...json.value,
		activity,
	}) as ParseResult<OrderNotifyRequest>;
}
