import { z } from 'zod';

import { parseFailure, parseJsonObject, parseKooGalleryTime, zodFailure, type ParseResult } from './common';

/** One scenario (activity) as the operator sees it in the editor and in the seller console. */
export interface ScenarioInfo {
	activity: string;
	/** English name. */
	label: string;
	/** The seller console's Chinese term. */
	zh: string;
	description: string;
	/** True when KooGallery needs data in the answer (not only a result code). */
	needsAnswer: boolean;
	/** True when every product must implement it (docs/protocol/koogallery-saas-v2.md §4.0). */
	mandatory: boolean;
}

/** The SaaS V2.0 scenarios in the order a purchase lives through them. */
export const SAAS_V2_SCENARIOS: readonly ScenarioInfo[] = [
	{
		activity: 'newInstance',
		label: 'New Purchase',
		zh: '创建实例',
		description: 'A customer paid for the product (trials included). Answer with the instance ID; the same order must get the same ID again.',
		needsAnswer: true,
		mandatory: true,
	},
	{
		activity: 'queryInstance',
		label: 'Query Instance',
		zh: '查询实例信息',
		description: 'KooGallery asks for the login URL and account of one or more instances (it polls after a purchase).',
		needsAnswer: true,
		mandatory: true,
	},
	{
		activity: 'refreshInstance',
		label: 'Renewal or Trial to Paid',
		zh: '更新实例',
		description: 'A renewal, a trial turned paid, a cancelled renewal or a renewal with a change: update the expiry date.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'updateInstanceStatus',
		label: 'Freeze or Unfreeze',
		zh: '更新实例状态',
		description: 'The instance expired or is in arrears (FREEZE), or was renewed (UNFREEZE). Keep the customer data while frozen.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'releaseInstance',
		label: 'Release',
		zh: '释放实例',
		description: 'The subscription ended or was cancelled: delete the instance. A repeated release must still succeed.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'upgradeInstance',
		label: 'Upgrade',
		zh: '实例升级',
		description: 'The customer upgraded or scaled out (periodic products). Read the new specification with Order > Get.',
		needsAnswer: false,
		mandatory: false,
	},
	{
		activity: 'changeInstanceCheck',
		label: 'Renewal Change Check',
		zh: '续费变更校验',
		description: 'Before a renewal that changes the product, KooGallery asks whether the change is allowed.',
		needsAnswer: true,
		mandatory: false,
	},
];

const id = (max: number) => z.string().min(1).max(max);
const testFlag = z.string().max(2).optional();
const kooTime = z
	.string()
	.refine((value) => parseKooGalleryTime(value) !== undefined, 'must be a UTC time yyyyMMddHHmmss or yyyyMMddHHmmssSSS');

const newInstance = z
	.object({ activity: z.literal('newInstance'), orderId: id(64), orderLineId: id(64), businessId: id(64), testFlag })
	.passthrough();
const queryInstance = z
	.object({
		activity: z.literal('queryInstance'),
		// Up to 100 comma-separated IDs; the documented max length (100) is not enforced (spec §4.2).
		instanceId: z
			.string()
			.refine((value) => splitInstanceIds(value).length > 0, 'must name at least one instance')
			.refine((value) => splitInstanceIds(value).length <= 100, 'may name at most 100 instances'),
		testFlag,
	})
	.passthrough();
const refreshInstance = z
	.object({
		activity: z.literal('refreshInstance'),
		scene: z.enum(['TRIAL_TO_FORMAL', 'RENEWAL', 'UNSUBSCRIBE_RENEWAL_PERIOD', 'RENEWAL_CHANGE']),
		orderId: id(64),
		orderLineId: id(64),
		instanceId: id(64),
		productId: z.string().max(64).optional(),
		expireTime: kooTime,
		testFlag,
	})
	.passthrough();
const updateInstanceStatus = z
	.object({
		activity: z.literal('updateInstanceStatus'),
		instanceId: id(64),
		status: z.enum(['FREEZE', 'UNFREEZE']),
		testFlag,
	})
	.passthrough();
const releaseInstance = z
	.object({
		activity: z.literal('releaseInstance'),
		instanceId: id(64),
		orderId: z.string().max(64).optional(),
		orderLineId: z.string().max(64).optional(),
		testFlag,
	})
	.passthrough();
const upgradeInstance = z
	.object({ activity: z.literal('upgradeInstance'), instanceId: id(64), orderId: id(64), orderLineId: id(64), testFlag })
	.passthrough();
const changeInstanceCheck = z
	.object({
		activity: z.literal('changeInstanceCheck'),
		instanceId: id(64),
		// The ProductInfo fields are not published (spec §4.7); keep whatever is sent.
		productInfo: z.record(z.unknown()),
		testFlag,
	})
	.passthrough();

export const saasV2RequestSchemas = {
	newInstance,
	queryInstance,
	refreshInstance,
	updateInstanceStatus,
	releaseInstance,
	upgradeInstance,
	changeInstanceCheck,
} as const;

export type SaasV2Activity = keyof typeof saasV2RequestSchemas;
export type SaasV2Request = { [A in SaasV2Activity]: z.infer<(typeof saasV2RequestSchemas)[A]> }[SaasV2Activity];

export function isSaasV2Activity(value: unknown): value is SaasV2Activity {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(saasV2RequestSchemas, value);
}

/**
 * Parses and validates a SaaS V2.0 request body. An unknown `activity` is reported with the field
 * `activity` so the caller can answer it sensibly.
 */
export function parseSaasV2Request(rawBody: string | Buffer): ParseResult<SaasV2Request> {
	const json = parseJsonObject(rawBody);
	if (!json.ok) return json;
	const activity = json.value.activity;
	if (activity === undefined) return parseFailure('"activity" is required but missing.', 'activity');
	if (!isSaasV2Activity(activity)) {
		return parseFailure(`"activity" ${JSON.stringify(activity)} is not a SaaS V2.0 scenario.`, 'activity');
	}
	const result = saasV2RequestSchemas[activity].safeParse(json.value);
	return result.success ? { ok: true, activity, data: result.data as SaasV2Request } : zodFailure(result.error);
}

/** The instance IDs of a `queryInstance` call, trimmed, blanks dropped. */
export function splitInstanceIds(value: string): string[] {
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** True for KooGallery's debugging calls (`testFlag` "1"); anything else is a real call. */
export function isTestCall(data: { testFlag?: unknown }): boolean {
	return data.testFlag === '1';
}
