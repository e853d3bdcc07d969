import { readV1Params } from '../saas-v1-auth-token';
import {
	idList,
	oneOf,
	parseFailure,
	readActivity,
	text,
	time,
	whole,
	yesNo,
	type CallOf,
	type ParseResult,
	type Shape,
} from './common';
import type { ScenarioInfo } from './saas-v2';

/**
 * SaaS Access Guide V1.0 (deprecated, 已下线): KooGallery calls the production address with GET
 * parameters and tells scenarios apart by `activity` (docs/protocol/koogallery-openapi-v1.md §C.5).
 */

/** The V1.0 scenarios in the order a purchase lives through them. */
export const SAAS_V1_SCENARIOS: readonly ScenarioInfo[] = [
	{
		activity: 'newInstance',
		label: 'New Purchase',
		zh: '新购商品',
		description:
			'A customer bought the product. Answer with the instance ID (and the login details, encrypted); the same order must get the same ID again.',
		needsAnswer: true,
		mandatory: true,
	},
	{
		activity: 'refreshInstance',
		label: 'Renewal or Trial to Paid',
		zh: '商品续费',
		description:
			'A renewal (a new order for the same instance) or a trial turned paid: update the expiry date.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'expireInstance',
		label: 'Expiry',
		zh: '商品过期',
		description: 'The subscription expired: freeze the instance and keep the customer data.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'releaseInstance',
		label: 'Release',
		zh: '商品资源释放',
		description:
			'The retention period ended or the customer unsubscribed: delete the instance. A repeated release must still succeed.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'instanceStatus',
		label: 'Freeze or Unfreeze',
		zh: '资源状态变更',
		description: 'The instance must be frozen (FREEZE) or is usable again (NORMAL).',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'queryInstance',
		label: 'Query Instance',
		zh: '查询实例信息',
		description:
			'KooGallery asks for the details and usage of up to 100 instances; mandatory for pay-per-use products and packages.',
		needsAnswer: true,
		mandatory: false,
	},
];

// Past the signature every field is read leniently (common.ts); required are only the fields a
// scenario cannot be acted on without (spec decision 16, docs/protocol/koogallery-openapi-v1.md §C.5).

/** `periodType` of periodic products. */
export const periodType = oneOf(['year', 'month']);

/**
 * `authToken` and `timeStamp`, present on every V1.0-style call and checked by the verification
 * before any reading (also the offline License guide); read here only to hand them over.
 */
export const v1SignedFields = { authToken: text(), timeStamp: time() };
const base = { ...v1SignedFields, activity: text(true), testFlag: yesNo('0', '1') };

const newInstance = {
	...base,
	// The buyer the instance is for, and the order that makes a repeated purchase the same one.
	customerId: text(true),
	orderId: text(true),
	customerName: text(),
	userId: text(),
	userName: text(),
	businessId: text(),
	productId: text(),
} satisfies Shape;
const refreshInstance = {
	...base,
	orderId: text(),
	instanceId: text(true),
	productId: text(),
	expireTime: time(true),
	trialToFormal: yesNo('0', '1'),
	periodType,
	periodNumber: whole(),
	// An amount (yuan, negative for a cancelled renewal): text exactly as sent, e.g. "99.9900".
	orderAmount: text(),
} satisfies Shape;
const expireInstance = {
	...base,
	instanceId: text(true),
	// Mandatory in the table, but an expiry concerns the instance, not an order.
	orderId: text(),
} satisfies Shape;
const releaseInstance = {
	...base,
	instanceId: text(true),
	// The table marks it mandatory, but the documented example request has no orderId (§C.5).
	orderId: text(),
	orderAmount: text(),
} satisfies Shape;
const instanceStatus = {
	...base,
	instanceId: text(true),
	instanceStatus: oneOf(['FREEZE', 'NORMAL'], true),
} satisfies Shape;
// A comma-separated list of IDs.
const queryInstance = { ...base, instanceId: idList() } satisfies Shape;

export const saasV1RequestSchemas = {
	newInstance,
	refreshInstance,
	expireInstance,
	releaseInstance,
	instanceStatus,
	queryInstance,
} as const;

export type SaasV1Activity = keyof typeof saasV1RequestSchemas;
export type SaasV1Request = CallOf<typeof saasV1RequestSchemas>;

/**
 * Reads a V1.0 call's parameters: a decoded record (a parsed query or form) or the raw query text.
 * An `activity` this pack does not know is handed over as sent and noted; a field the scenario
 * cannot be acted on without is a `000002` failure that names it.
 */
export function parseSaasV1Request(
	params: Record<string, unknown> | string | undefined,
): ParseResult<SaasV1Request> {
	const read = readV1Params(params);
	if (!read.ok) return parseFailure(read.message, read.parameter);
	const values = { ...read.params };
	return readActivity(saasV1RequestSchemas, values);
}
