import {
	idList,
	oneOf,
	parseJsonObject,
	readActivity,
	splitInstanceIds,
	structure,
	text,
	time,
	yesNo,
	type CallOf,
	type ParseResult,
	type Shape,
} from './common';

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
		description:
			'A customer paid for the product (trials included). Answer with the instance ID; the same order must get the same ID again.',
		needsAnswer: true,
		mandatory: true,
	},
	{
		activity: 'queryInstance',
		label: 'Query Instance',
		zh: '查询实例信息',
		description:
			'KooGallery asks for the login URL and account of one or more instances (it polls after a purchase).',
		needsAnswer: true,
		mandatory: true,
	},
	{
		activity: 'refreshInstance',
		label: 'Renewal or Trial to Paid',
		zh: '更新实例',
		description:
			'A renewal, a trial turned paid, a cancelled renewal or a renewal with a change: update the expiry date.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'updateInstanceStatus',
		label: 'Freeze or Unfreeze',
		zh: '更新实例状态',
		description:
			'The instance expired or is in arrears (FREEZE), or was renewed (UNFREEZE). Keep the customer data while frozen.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'releaseInstance',
		label: 'Release',
		zh: '释放实例',
		description:
			'The subscription ended or was cancelled: delete the instance. A repeated release must still succeed.',
		needsAnswer: false,
		mandatory: true,
	},
	{
		activity: 'upgradeInstance',
		label: 'Upgrade',
		zh: '实例升级',
		description:
			'The customer upgraded or scaled out (periodic products). Read the new specification with Order > Get.',
		needsAnswer: false,
		mandatory: false,
	},
	{
		activity: 'changeInstanceCheck',
		label: 'Renewal Change Check',
		zh: '续费变更校验',
		description:
			'Before a renewal that changes the product, KooGallery asks whether the change is allowed.',
		needsAnswer: true,
		mandatory: false,
	},
];

// Past the signature every field is read leniently (common.ts); required are only the fields a
// scenario cannot be acted on without (spec decision 16, docs/protocol/koogallery-saas-v2.md §4).
const testFlag = yesNo('0', '1');
const base = { activity: text(true), testFlag };

// orderId identifies the purchase (Order > Get); orderLineId and businessId are read when sent.
const newInstance = {
	...base,
	orderId: text(true),
	orderLineId: text(),
	businessId: text(),
} satisfies Shape;
const queryInstance = { ...base, instanceId: idList() } satisfies Shape;
const refreshInstance = {
	...base,
	scene: oneOf(['TRIAL_TO_FORMAL', 'RENEWAL', 'UNSUBSCRIBE_RENEWAL_PERIOD', 'RENEWAL_CHANGE']),
	orderId: text(),
	orderLineId: text(),
	instanceId: text(true),
	productId: text(),
	expireTime: time(true),
} satisfies Shape;
const updateInstanceStatus = {
	...base,
	instanceId: text(true),
	status: oneOf(['FREEZE', 'UNFREEZE'], true),
} satisfies Shape;
const releaseInstance = {
	...base,
	instanceId: text(true),
	orderId: text(),
	orderLineId: text(),
} satisfies Shape;
const upgradeInstance = {
	...base,
	instanceId: text(true),
	orderId: text(true),
	orderLineId: text(),
} satisfies Shape;
// The ProductInfo fields are not published (spec §4.7); keep whatever is sent.
const changeInstanceCheck = {
	...base,
	instanceId: text(true),
	productInfo: structure(),
} satisfies Shape;

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
export type SaasV2Request = CallOf<typeof saasV2RequestSchemas>;

/**
 * Reads a SaaS V2.0 request body. An `activity` this pack does not know is handed over as sent,
 * noted in `unknownValues` (see `readUnknownActivity`).
 */
export function parseSaasV2Request(rawBody: string | Buffer): ParseResult<SaasV2Request> {
	const json = parseJsonObject(rawBody);
	if (!json.ok) return json;
	return readActivity(saasV2RequestSchemas, json.value);
}

export { splitInstanceIds };

/** True for KooGallery's debugging calls (`testFlag` "1", also sent as 1 or true); anything else is a real call. */
export function isTestCall(data: { testFlag?: unknown }): boolean {
	return data.testFlag === '1';
}
