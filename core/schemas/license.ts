import { z } from 'zod';

import { readV1Params } from '../saas-v1-auth-token';
import { parseFailure, parseJsonObject, zodFailure, type ParseResult } from './common';
import {
	digitsText,
	kooTime,
	optionalText,
	periodType,
	requiredText,
	v1SignedFields,
} from './saas-v1';
import type { ScenarioInfo } from './saas-v2';

/**
 * License products (docs/protocol/koogallery-joint-license.md §8). Three guides, one production address each:
 * - 联营License类授权码商品 2.0 (license codes): POST JSON signed like SaaS V2.0 (URL `signature`);
 * - 在线开通License: `getLicenseAsync`, POST JSON, same signature;
 * - 联营License (offline guide, 已下线): `getLicense` family, GET parameters signed with `authToken`.
 */

export interface LicenseScenarioInfo extends ScenarioInfo {
	/** POST = JSON body with the V2.0 URL signature; GET = parameters with `authToken` (V1.0 style). */
	method: 'POST' | 'GET';
	/** The guide the call belongs to. */
	guide: string;
}

const CODE_GUIDE = 'License code products 2.0 (联营License类授权码商品接入指南 2.0版本)';
const ONLINE_GUIDE = 'Online license activation (在线开通License)';
const OFFLINE_GUIDE = 'Joint-operation License, offline guide (联营License类商品接入指南, 已下线)';

export const LICENSE_SCENARIOS: readonly LicenseScenarioInfo[] = [
	{
		activity: 'refreshLicenseCode',
		label: 'Renew License Code',
		zh: '更新授权码有效期',
		description:
			"A renewal (or a cancelled renewal period) changed the license code's expiry date.",
		needsAnswer: false,
		mandatory: true,
		method: 'POST',
		guide: CODE_GUIDE,
	},
	{
		activity: 'updateLicenseCodeStatus',
		label: 'Freeze or Unfreeze License Code',
		zh: '变更授权码状态',
		description:
			'The license code expired past its grace period (FREEZE) or was renewed (UNFREEZE). Keep the data while frozen.',
		needsAnswer: false,
		mandatory: true,
		method: 'POST',
		guide: CODE_GUIDE,
	},
	{
		activity: 'releaseLicenseCode',
		label: 'Release License Code',
		zh: '释放授权码',
		description:
			"The freeze period ended or the customer unsubscribed: delete the license code's resources.",
		needsAnswer: false,
		mandatory: true,
		method: 'POST',
		guide: CODE_GUIDE,
	},
	{
		activity: 'getLicenseAsync',
		label: 'Issue License (Online)',
		zh: '异步申请License',
		description:
			'Issue a license for an instance and device. The same event and device must get the same license again.',
		needsAnswer: true,
		mandatory: false,
		method: 'POST',
		guide: ONLINE_GUIDE,
	},
	{
		activity: 'getLicense',
		label: 'Get License',
		zh: '获取License',
		description:
			'A new purchase: answer with the instance ID and the license. The same order must get the same answer again.',
		needsAnswer: true,
		mandatory: false,
		method: 'GET',
		guide: OFFLINE_GUIDE,
	},
	{
		activity: 'refreshLicense',
		label: 'Renew License',
		zh: 'License续费',
		description: 'A renewal or a trial turned paid: update the expiry date of the instance.',
		needsAnswer: false,
		mandatory: false,
		method: 'GET',
		guide: OFFLINE_GUIDE,
	},
	{
		activity: 'releaseLicense',
		label: 'Release License',
		zh: 'License释放',
		description: 'The retention period ended or the customer unsubscribed: release the license.',
		needsAnswer: false,
		mandatory: false,
		method: 'GET',
		guide: OFFLINE_GUIDE,
	},
];

/**
 * Result codes the License guides add to, or give another meaning in, the shared set (§8.2, §8.3).
 */
export const LICENSE_RESULT_CODES = {
	'000003': 'License code does not exist',
	'000900': 'Not enough license quota left on the order',
	'000901': "Licenses can only be issued within the order's validity period",
	'000902': 'A periodic license needs an expiry date',
	'000903': 'The device fingerprint is required',
} as const;

const refreshLicenseCode = z
	.object({
		activity: z.literal('refreshLicenseCode'),
		scene: z.enum(['RENEWAL', 'UNSUBSCRIBE_RENEWAL_PERIOD']),
		orderId: requiredText(64),
		orderLineId: requiredText(64),
		license: requiredText(64),
		productId: optionalText(64),
		expireTime: kooTime,
		testFlag: z.enum(['0', '1']).optional(),
	})
	.passthrough();
const updateLicenseCodeStatus = z
	.object({
		activity: z.literal('updateLicenseCodeStatus'),
		license: requiredText(64),
		status: z.enum(['FREEZE', 'UNFREEZE']),
		testFlag: optionalText(2),
	})
	.passthrough();
const releaseLicenseCode = z
	.object({
		activity: z.literal('releaseLicenseCode'),
		license: requiredText(64),
		orderId: optionalText(64),
		orderLineId: optionalText(64),
		testFlag: optionalText(2),
	})
	.passthrough();
const getLicenseAsync = z
	.object({
		activity: z.literal('getLicenseAsync'),
		instanceId: requiredText(64),
		effectiveTime: requiredText(32),
		expireTime: optionalText(32),
		eventId: requiredText(64),
		deviceFingerprint: optionalText(1024),
		testFlag: optionalText(2),
	})
	.passthrough();
const getLicense = z
	.object({
		...v1SignedFields,
		activity: z.literal('getLicense'),
		customerId: requiredText(100),
		customerName: optionalText(64),
		businessId: requiredText(64),
		orderId: requiredText(64),
		skuCode: optionalText(64),
		productId: requiredText(64),
		expireTime: kooTime.optional(),
		periodType,
		amount: z.string().regex(/^\d+$/, 'must be a whole number').optional(),
	})
	.passthrough();
const refreshLicense = z
	.object({
		...v1SignedFields,
		activity: z.literal('refreshLicense'),
		orderId: requiredText(64),
		instanceId: requiredText(64),
		productId: optionalText(64),
		expireTime: kooTime,
		periodType,
		periodNumber: digitsText(2).optional(),
	})
	.passthrough();
const releaseLicense = z
	.object({
		...v1SignedFields,
		activity: z.literal('releaseLicense'),
		orderId: requiredText(64),
		instanceId: requiredText(64),
	})
	.passthrough();

export const licenseRequestSchemas = {
	refreshLicenseCode,
	updateLicenseCodeStatus,
	releaseLicenseCode,
	getLicenseAsync,
	getLicense,
	refreshLicense,
	releaseLicense,
} as const;

export type LicenseActivity = keyof typeof licenseRequestSchemas;
export type LicenseRequest = {
	[A in LicenseActivity]: z.infer<(typeof licenseRequestSchemas)[A]>;
}[LicenseActivity];

export function isLicenseActivity(value: unknown): value is LicenseActivity {
	return (
		typeof value === 'string' && Object.prototype.hasOwnProperty.call(licenseRequestSchemas, value)
	);
}

/**
 * Parses a License call. A body (text or bytes) is read as JSON and must carry a POST activity;
 * a record of decoded GET parameters must carry a GET activity (the `getLicense` family). A
 * problem is a `000002` failure that names the field.
 */
export function parseLicenseRequest(
	input: string | Buffer | Record<string, unknown>,
): ParseResult<LicenseRequest> {
	let values: Record<string, unknown>;
	let method: 'POST' | 'GET';
	if (typeof input === 'string' || Buffer.isBuffer(input)) {
		const json = parseJsonObject(input);
		if (!json.ok) return json;
		values = json.value;
		method = 'POST';
	} else {
		const read = readV1Params(input);
		if (!read.ok) return parseFailure(read.message, read.parameter);
		values = { ...read.params };
		method = 'GET';
	}
	const activity = values.activity;
	if (activity === undefined)
		return parseFailure('"activity" is required but missing.', 'activity');
	if (!isLicenseActivity(activity)) {
		return parseFailure(
			`"activity" ${JSON.stringify(String(activity).slice(0, 40))} is not a License scenario.`,
			'activity',
		);
	}
	const scenario = LICENSE_SCENARIOS.find((s) => s.activity === activity);
	if (scenario && scenario.method !== method) {
		return parseFailure(
			`"activity" ${activity} is sent by KooGallery as ${scenario.method}, not as ${method}.`,
			'activity',
		);
	}
	const result = licenseRequestSchemas[activity].safeParse(values);
	return result.success
		? { ok: true, activity, data: result.data as LicenseRequest }
		: zodFailure(result.error);
}
