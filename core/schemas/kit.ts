import { z } from 'zod';

import {
	parseFailure,
	parseJsonObject,
	parseKooGalleryTime,
	zodFailure,
	type ParseResult,
} from './common';
import { requiredText } from './saas-v1';
import type { ScenarioInfo } from './saas-v2';

/**
 * Joint-operation SaaS kit (联营kit) sync calls, V2.0 (docs/protocol/koogallery-joint-license.md §0–§5): one
 * POST per scenario to `<production address>/produceAPI/v2/<scenario>`, signed with `x-sign`.
 * The scenario comes from the path, not from the body.
 */

export interface KitScenarioInfo extends ScenarioInfo {
	/** The sub-path KooGallery appends to the production address. */
	path: string;
}

/**
 * The kit scenarios in the order a binding lives through them. `needsAnswer` is true where
 * answering "success" without storing the data would leave the buyer unable to sign in: KooGallery
 * does not retry kit calls on its own (§0.7), so the workflow's own verdict must be the answer.
 */
export const KIT_SCENARIOS: readonly KitScenarioInfo[] = [
	{
		activity: 'tenantSync',
		label: 'Tenant Sync',
		zh: '企业同步',
		description:
			'A buyer bound the product to an enterprise (tenant): add, delete or rename the tenant and its login domain.',
		needsAnswer: true,
		mandatory: true,
		path: '/produceAPI/v2/tenantSync',
	},
	{
		activity: 'applicationSync',
		label: 'Application Sync',
		zh: '应用同步',
		description:
			"The enterprise application's single sign-on client: store the client ID and the (RSA-encrypted) client secret.",
		needsAnswer: true,
		mandatory: true,
		path: '/produceAPI/v2/applicationSync',
	},
	{
		activity: 'authSync',
		label: 'User Authorization Sync',
		zh: '用户授权同步',
		description: 'An administrator granted, changed or withdrew users’ access to the application.',
		needsAnswer: true,
		mandatory: true,
		path: '/produceAPI/v2/authSync',
	},
	{
		activity: 'singleOrgSync',
		label: 'Department Change',
		zh: '部门增量同步',
		description: 'One department was created, edited or deleted.',
		needsAnswer: false,
		mandatory: false,
		path: '/produceAPI/v2/singleOrgSync',
	},
	{
		activity: 'allOrgSync',
		label: 'All Departments',
		zh: '部门全量同步',
		description: "The enterprise's full, flat list of departments.",
		needsAnswer: false,
		mandatory: false,
		path: '/produceAPI/v2/allOrgSync',
	},
];

/**
 * Result codes the kit adds to the shared set (§0.6): Huawei's sample answers `000101` when the
 * application's client secret cannot be decrypted with the seller's private key.
 */
export const KIT_RESULT_CODES = {
	'000101': 'The client secret could not be decrypted with the application private key',
} as const;

/** `instanceId` / `orderId`: mandatory, but empty (or null) while the seller applies for the application credential (§0.4). */
const maybeEmptyId = z.string().max(64).nullable();
/** An `Integer(2)` enumeration sent as a JSON number. */
const intEnum = (meanings: Record<number, string>) =>
	z
		.number()
		.int()
		.refine(
			(value) => Object.prototype.hasOwnProperty.call(meanings, value),
			`must be one of ${Object.entries(meanings)
				.map(([value, meaning]) => `${value} (${meaning})`)
				.join(', ')}`,
		);
const testFlag = intEnum({ 0: 'production', 1: 'debugging' });
const kitTime = z
	.string()
	.refine(
		(value) => parseKooGalleryTime(value) !== undefined,
		'must be a time yyyyMMddHHmmssSSS (UTC+8)',
	);
const nullableText = (max: number) => z.string().max(max).nullish();
const common = {
	instanceId: maybeEmptyId,
	tenantId: requiredText(64),
	testFlag,
	timeStamp: kitTime,
};

const user = z
	.object({
		userName: requiredText(64),
		name: requiredText(64),
		orgCode: requiredText(64),
		position: nullableText(64),
		employeeCode: nullableText(64),
		employeeType: intEnum({
			1: 'regular',
			2: 'intern',
			3: 'labour dispatch',
			4: 'labour outsourcing',
		}).nullish(),
		role: z.enum(['user', 'admin']),
		enable: z.enum(['true', 'false']),
		mobile: nullableText(32),
		email: nullableText(128),
		workPlace: z.string().nullish(),
	})
	.passthrough();

const orgInfo = z
	.object({ orgCode: requiredText(64), orgName: requiredText(128), parentCode: nullableText(64) })
	.passthrough();

/**
 * `orgInfoList` is typed OrgInfo[] but Huawei's example sends a string of JSON-like text with bare
 * keys (§5). Accept an array, JSON text, or that bare-key text; the workflow always gets an array.
 */
function readOrgList(value: unknown, ctx: z.RefinementCtx): unknown {
	if (typeof value !== 'string') return value;
	for (const text of [value, value.replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":')]) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			// try the next reading
		}
	}
	ctx.addIssue({
		code: z.ZodIssueCode.custom,
		message: 'must be a list of departments (an array or its JSON text)',
	});
	return z.NEVER;
}

const tenantSync = z
	.object({
		...common,
		orderId: maybeEmptyId,
		tenantCode: requiredText(64),
		name: requiredText(255),
		domainName: requiredText(255),
		flag: intEnum({ 0: 'delete', 1: 'add', 2: 'modify' }),
	})
	.passthrough();
const applicationSync = z
	.object({
		...common,
		appId: requiredText(64),
		clientId: requiredText(64),
		clientSecret: z.string().min(1),
		flag: intEnum({ 0: 'delete', 1: 'add', 2: 'modify' }),
	})
	.passthrough();
const authSync = z
	.object({
		...common,
		appId: requiredText(64),
		userList: z.array(user),
		currentSyncTime: kitTime,
		flag: intEnum({ 0: 'delete', 1: 'add', 2: 'modify', 3: 'cancel authorization' }),
	})
	.passthrough();
const singleOrgSync = z
	.object({
		...common,
		orgCode: requiredText(64),
		orgName: requiredText(128),
		parentCode: nullableText(64),
		flag: intEnum({ 0: 'delete', 1: 'add', 2: 'modify' }),
	})
	.passthrough();
const allOrgSync = z
	.object({ ...common, orgInfoList: z.preprocess(readOrgList, z.array(orgInfo)) })
	.passthrough();

export const kitRequestSchemas = {
	tenantSync,
	applicationSync,
	authSync,
	singleOrgSync,
	allOrgSync,
} as const;

export type KitScenario = keyof typeof kitRequestSchemas;
export type KitRequest = {
	[S in KitScenario]: z.infer<(typeof kitRequestSchemas)[S]>;
}[KitScenario];

export function isKitScenario(value: unknown): value is KitScenario {
	return (
		typeof value === 'string' && Object.prototype.hasOwnProperty.call(kitRequestSchemas, value)
	);
}

/** The scenario a request path names (its last segment, query and trailing slash ignored), if any. */
export function kitScenarioFromPath(path: string): KitScenario | undefined {
	const segments = path
		.split('?')[0]
		.split('/')
		.filter((segment) => segment !== '');
	const last = segments[segments.length - 1];
	return isKitScenario(last) ? last : undefined;
}

/**
 * Parses and validates a kit sync body for the scenario `name` (taken from the request path).
 * Problems are `000002` failures that name the field, e.g. `userList.0.role`.
 */
export function parseKitRequest(name: string, rawBody: string | Buffer): ParseResult<KitRequest> {
	if (!isKitScenario(name))
		return parseFailure(`${JSON.stringify(String(name).slice(0, 40))} is not a kit sync scenario.`);
	const json = parseJsonObject(rawBody);
	if (!json.ok) return json;
	const result = kitRequestSchemas[name].safeParse(json.value);
	return result.success
		? { ok: true, activity: name, data: result.data as KitRequest }
		: zodFailure(result.error);
}

/** True for KooGallery's debugging calls (`testFlag` 1). */
export function isKitTestCall(data: { testFlag?: unknown }): boolean {
	return data.testFlag === 1;
}

const part = (value: unknown): string => encodeURIComponent(typeof value === 'string' ? value : '');

/**
 * The business keys that make a kit call idempotent (§1–§5): the same record may be added or
 * deleted many times without creating data. One key per record the call carries: tenant =
 * instance + tenant, application = + appId, user = + appId + userName (one per user of
 * `userList`), department = instance + tenant + orgCode (one per department of `orgInfoList`).
 * Keys look like `user:<instance>/<tenant>/<app>/<user>`, each part URL-encoded.
 */
export function kitIdempotencyKey(name: KitScenario, data: Record<string, unknown>): string[] {
	const base = `${part(data.instanceId)}/${part(data.tenantId)}`;
	const list = (value: unknown): Array<Record<string, unknown>> =>
		Array.isArray(value)
			? value.filter(
					(item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
				)
			: [];
	switch (name) {
		case 'tenantSync':
			return [`tenant:${base}`];
		case 'applicationSync':
			return [`app:${base}/${part(data.appId)}`];
		case 'authSync':
			return list(data.userList).map((u) => `user:${base}/${part(data.appId)}/${part(u.userName)}`);
		case 'singleOrgSync':
			return [`org:${base}/${part(data.orgCode)}`];
		case 'allOrgSync':
			return list(data.orgInfoList).map((o) => `org:${base}/${part(o.orgCode)}`);
	}
}
