import { z } from 'zod';

import { readV1Params } from '../saas-v1-auth-token';
import { parseFailure, parseKooGalleryTime, zodFailure, type ParseResult } from './common';
import { splitInstanceIds, type ScenarioInfo } from './saas-v2';

/**
 * SaaS Access Guide V1.0 (deprecated, 已下线): KooGallery calls the production address with GET
 * parameters and tells scenarios apart by `activity` (docs/protocol/koogallery-openapi-v1.md §C.5). Every value
 * arrives as text, so numbers are checked as digits.
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

/** A mandatory text field: present, not empty, at most `max` characters. */
export const requiredText = (max: number) => z.string().min(1).max(max);
/** An optional text field of at most `max` characters (empty allowed). */
export const optionalText = (max: number) => z.string().max(max).optional();
/** A KooGallery time, `yyyyMMddHHmmss` or `yyyyMMddHHmmssSSS` (at most 20 characters by every table). */
export const kooTime = z
	.string()
	.refine(
		(value) => parseKooGalleryTime(value) !== undefined,
		'must be a time yyyyMMddHHmmss or yyyyMMddHHmmssSSS',
	);
/** `periodType` of periodic products. */
export const periodType = z.enum(['year', 'month']).optional();
/** An integer of at most `digits` digits sent as text (GET parameters are text). */
export const digitsText = (digits: number) =>
	z
		.string()
		.regex(new RegExp(`^\\d{1,${digits}}$`), `must be a whole number of at most ${digits} digits`);
/** `orderAmount`: a decimal with up to 3 decimals, negative for a cancelled renewal, at most 20 characters. */
const orderAmount = z
	.string()
	.max(20)
	.regex(/^-?\d+(\.\d{1,3})?$/, 'must be an amount with at most 3 decimals')
	.optional();
/** `testFlag` documented as "Integer 1": one digit, `1` for a debugging call. */
const testFlagDigit = z.string().regex(/^\d$/, 'must be one digit (1 = debugging call)').optional();
const testFlagText = optionalText(2);

/** `authToken` and `timeStamp`, present on every V1.0-style GET call (also the offline License guide). */
export const v1SignedFields = { authToken: requiredText(50), timeStamp: kooTime };

const newInstance = z
	.object({
		...v1SignedFields,
		activity: z.literal('newInstance'),
		customerId: requiredText(100),
		// Mandatory on the Chinese page, optional on the international one (§C.5): optional here.
		customerName: optionalText(64),
		userId: optionalText(64),
		userName: optionalText(64),
		// Not all rows of the table were retrieved; these three are in Huawei's sample request and
		// mandatory in the License variant of the same call.
		businessId: requiredText(64),
		orderId: requiredText(64),
		productId: requiredText(64),
		testFlag: testFlagText,
	})
	.passthrough();
const refreshInstance = z
	.object({
		...v1SignedFields,
		activity: z.literal('refreshInstance'),
		orderId: requiredText(64),
		instanceId: requiredText(64),
		productId: optionalText(64),
		expireTime: kooTime,
		trialToFormal: optionalText(2),
		periodType,
		periodNumber: digitsText(2).optional(),
		orderAmount,
		testFlag: testFlagDigit,
	})
	.passthrough();
const expireInstance = z
	.object({
		...v1SignedFields,
		activity: z.literal('expireInstance'),
		instanceId: requiredText(64),
		orderId: requiredText(64),
		testFlag: testFlagText,
	})
	.passthrough();
const releaseInstance = z
	.object({
		...v1SignedFields,
		activity: z.literal('releaseInstance'),
		instanceId: requiredText(64),
		// The table marks it mandatory, but the documented example request has no orderId (§C.5).
		orderId: optionalText(64),
		orderAmount,
		testFlag: testFlagDigit,
	})
	.passthrough();
const instanceStatus = z
	.object({
		...v1SignedFields,
		activity: z.literal('instanceStatus'),
		instanceId: requiredText(64),
		instanceStatus: z.enum(['FREEZE', 'NORMAL']),
		testFlag: testFlagText,
	})
	.passthrough();
const queryInstance = z
	.object({
		...v1SignedFields,
		activity: z.literal('queryInstance'),
		// A comma-separated list of up to 100 IDs, so the table's 64 applies to each ID, not the list.
		instanceId: z
			.string()
			.refine((value) => splitInstanceIds(value).length > 0, 'must name at least one instance')
			.refine((value) => splitInstanceIds(value).length <= 100, 'may name at most 100 instances')
			.refine(
				(value) => splitInstanceIds(value).every((id) => id.length <= 64),
				'has an ID longer than 64 characters',
			),
		testFlag: testFlagText,
	})
	.passthrough();

export const saasV1RequestSchemas = {
	newInstance,
	refreshInstance,
	expireInstance,
	releaseInstance,
	instanceStatus,
	queryInstance,
} as const;

export type SaasV1Activity = keyof typeof saasV1RequestSchemas;
export type SaasV1Request = {
	[A in SaasV1Activity]: z.infer<(typeof saasV1RequestSchemas)[A]>;
}[SaasV1Activity];

export function isSaasV1Activity(value: unknown): value is SaasV1Activity {
	return (
		typeof value === 'string' && Object.prototype.hasOwnProperty.call(saasV1RequestSchemas, value)
	);
}

/**
 * Validates a V1.0 call's parameters: a decoded record (a parsed query or form) or the raw query
 * text. A repeated parameter, an unknown `activity` or a schema problem is a `000002` failure
 * that names the field.
 */
export function parseSaasV1Request(
	params: Record<string, unknown> | string | undefined,
): ParseResult<SaasV1Request> {
	const read = readV1Params(params);
	if (!read.ok) return parseFailure(read.message, read.parameter);
	const values = { ...read.params };
	const activity = values.activity;
	if (activity === undefined)
		return parseFailure('"activity" is required but missing.', 'activity');
	if (!isSaasV1Activity(activity)) {
		return parseFailure(
			`"activity" ${JSON.stringify(activity.slice(0, 40))} is not a SaaS V1.0 scenario.`,
			'activity',
		);
	}
	const result = saasV1RequestSchemas[activity].safeParse(values);
	return result.success
		? { ok: true, activity, data: result.data as SaasV1Request }
		: zodFailure(result.error);
}
