import { readV1Params } from '../saas-v1-auth-token';
import {
	oneOf,
	parseFailure,
	parseJsonObject,
	readActivity,
	text,
	time,
	whole,
	yesNo,
	type CallOf,
	type ParseResult,
	type Shape,
} from './common';
import { periodType, v1SignedFields } from './saas-v1';
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

// Past the signature every field is read leniently (common.ts); required are only the fields a
// scenario cannot be acted on without (spec decision 16, docs/protocol/koogallery-joint-license.md §8).
const testFlag = yesNo('0', '1');
const status = oneOf(['FREEZE', 'UNFREEZE'], true);

const refreshLicenseCode = {
	activity: text(true),
	scene: oneOf(['RENEWAL', 'UNSUBSCRIBE_RENEWAL_PERIOD']),
	orderId: text(),
	orderLineId: text(),
	license: text(true),
	productId: text(),
	expireTime: time(true),
	testFlag,
} satisfies Shape;
const updateLicenseCodeStatus = {
	activity: text(true),
	license: text(true),
	status,
	testFlag,
} satisfies Shape;
const releaseLicenseCode = {
	activity: text(true),
	license: text(true),
	orderId: text(),
	orderLineId: text(),
	testFlag,
} satisfies Shape;
const getLicenseAsync = {
	activity: text(true),
	// The same event and device must get the same license again: both identify the request.
	instanceId: text(true),
	eventId: text(true),
	effectiveTime: time(),
	expireTime: time(),
	deviceFingerprint: text(),
	testFlag,
} satisfies Shape;
const getLicense = {
	...v1SignedFields,
	activity: text(true),
	customerId: text(true),
	orderId: text(true),
	customerName: text(),
	businessId: text(),
	skuCode: text(),
	productId: text(),
	expireTime: time(),
	periodType,
	// A quantity (how many licenses), handed over as a number.
	amount: whole(),
	testFlag,
} satisfies Shape;
const refreshLicense = {
	...v1SignedFields,
	activity: text(true),
	orderId: text(),
	instanceId: text(true),
	productId: text(),
	expireTime: time(true),
	periodType,
	periodNumber: whole(),
	testFlag,
} satisfies Shape;
const releaseLicense = {
	...v1SignedFields,
	activity: text(true),
	orderId: text(),
	instanceId: text(true),
	testFlag,
} satisfies Shape;

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
export type LicenseRequest = CallOf<typeof licenseRequestSchemas>;

/**
 * Reads a License call: a body (text or bytes) as JSON, or a record of decoded GET parameters (the
 * `getLicense` family). The method only decides how the call was verified; either carries any
 * activity. An `activity` this pack does not know is handed over as sent and noted; a field the
 * scenario cannot be acted on without is a `000002` failure that names it.
 */
export function parseLicenseRequest(
	input: string | Buffer | Record<string, unknown>,
): ParseResult<LicenseRequest> {
	let values: Record<string, unknown>;
	if (typeof input === 'string' || Buffer.isBuffer(input)) {
		const json = parseJsonObject(input);
		if (!json.ok) return json;
		values = json.value;
	} else {
		const read = readV1Params(input);
		if (!read.ok) return parseFailure(read.message, read.parameter);
		values = { ...read.params };
	}
	return readActivity(licenseRequestSchemas, values);
}
