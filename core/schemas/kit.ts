import {
	listOf,
	oneOf,
	parseFailure,
	parseJsonObject,
	readFields,
	isSchemaName,
	text,
	time,
	whole,
	yesNo,
	type CallOf,
	type ParseResult,
	type Shape,
} from './common';
import type { ScenarioInfo } from './saas-v2';
import { textField } from '../fields';

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

// Past the signature every field is read leniently (common.ts); required are only the fields a
// sync cannot be acted on without (spec decision 16, docs/protocol/koogallery-joint-license.md §1–§5).
const flag = (meanings: Record<number, string>) => whole({ required: true, meanings });
const changes = { 0: 'delete', 1: 'add', 2: 'modify' };
const common = {
	// Mandatory in the tables, but empty while the seller applies for the application credential (§0.4).
	instanceId: text(),
	tenantId: text(true),
	testFlag: yesNo(0, 1),
	timeStamp: time(),
};

const user = {
	userName: text(true),
	// name and orgCode are absent on deletes.
	name: text(),
	orgCode: text(),
	position: text(),
	employeeCode: text(),
	employeeType: whole({
		meanings: { 1: 'regular', 2: 'intern', 3: 'labour dispatch', 4: 'labour outsourcing' },
	}),
	role: oneOf(['user', 'admin']),
	enable: yesNo('false', 'true'),
	mobile: text(),
	email: text(),
	workPlace: text(),
} satisfies Shape;

const orgInfo = { orgCode: text(true), orgName: text(), parentCode: text() } satisfies Shape;

const tenantSync = {
	...common,
	orderId: text(),
	tenantCode: text(true),
	name: text(true),
	// The sign-on domain; absent on deletes.
	domainName: text(),
	flag: flag(changes),
} satisfies Shape;
const applicationSync = {
	...common,
	appId: text(true),
	clientId: text(true),
	clientSecret: text(true),
	flag: flag(changes),
} satisfies Shape;
const authSync = {
	...common,
	appId: text(true),
	userList: listOf(user, 'users'),
	currentSyncTime: time(),
	flag: flag({ ...changes, 3: 'cancel authorization' }),
} satisfies Shape;
const singleOrgSync = {
	...common,
	orgCode: text(true),
	orgName: text(),
	parentCode: text(),
	flag: flag(changes),
} satisfies Shape;
// orgInfoList is typed OrgInfo[] but Huawei's example sends JSON-like text with bare keys (§5).
const allOrgSync = { ...common, orgInfoList: listOf(orgInfo, 'departments') } satisfies Shape;

export const kitRequestSchemas = {
	tenantSync,
	applicationSync,
	authSync,
	singleOrgSync,
	allOrgSync,
} as const;

export type KitScenario = keyof typeof kitRequestSchemas;
export type KitRequest = CallOf<typeof kitRequestSchemas>;

/** The scenario a request path names (its last segment, query and trailing slash ignored), if any. */
export function kitScenarioFromPath(path: string): KitScenario | undefined {
	const segments = path
		.split('?')[0]
		.split('/')
		.filter((segment) => segment !== '');
	const last = segments[segments.length - 1];
	return isSchemaName(kitRequestSchemas, last) ? last : undefined;
}

/**
 * Reads a kit sync body for the scenario `name` (taken from the request path). A field a sync
 * cannot be acted on without is a `000002` failure that names it, e.g. `userList.0.userName`.
 */
export function parseKitRequest(name: string, rawBody: string | Buffer): ParseResult<KitRequest> {
	if (!isSchemaName(kitRequestSchemas, name))
		return parseFailure(`${JSON.stringify(String(name).slice(0, 40))} is not a kit sync scenario.`);
	const json = parseJsonObject(rawBody);
	if (!json.ok) return json;
	return readFields(kitRequestSchemas[name], name, json.value);
}

/** True for KooGallery's debugging calls (`testFlag` 1, also sent as "1" or true). */
export function isKitTestCall(data: { testFlag?: unknown }): boolean {
	return data.testFlag === 1;
}

const part = (value: unknown): string => encodeURIComponent(textField(value));

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
