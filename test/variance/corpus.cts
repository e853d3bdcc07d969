/**
 * The variance corpus (issue 16): for every scenario of every protocol, many correctly signed
 * calls built from the documented example by changing types, adding nulls, unknown fields and
 * values, dropping optional fields, lengthening values and nesting JSON as text. Each one is a
 * call KooGallery could really send, so each must start its scenario's branch and never be
 * answered 000001 or 000002. Used by test/variance/corpus.test.cts (in process) and
 * test/e2e/variance.e2e.test.cts (through a real n8n).
 */
import { signKitCall } from '../../simulator/kit-scenarios.cjs';
import type { HttpCall } from '../../simulator/http.cjs';
import { signCall } from '../../simulator/saas-v2-client.cjs';
import { signV1Call } from '../../simulator/v1-client.cjs';

export type Protocol = 'saasV2' | 'kit' | 'license' | 'saasV1' | 'orderNotify';

/** The output a call for a scenario this pack does not know goes to (core/trigger-protocols.ts). */
export const OTHER = 'otherCall';

export interface VarianceCase {
	protocol: Protocol;
	/** The documented scenario the body was built from. */
	seed: string;
	/** The trigger output the call must start: the scenario, or `otherCall` for a new activity. */
	output: string;
	label: string;
	/** JSON text for POST protocols; decoded parameters for GET (V1.0, offline License). */
	body?: string;
	params?: Record<string, string>;
}

interface Seed {
	protocol: Protocol;
	scenario: string;
	/** The documented example (docs/protocol/… test vectors and tables). */
	example: Record<string, unknown>;
	/** Fields the scenario cannot be acted on without: never dropped or emptied. */
	required: string[];
	/** Enumerations: each gets an unknown value and a differently spelled known one. */
	enums?: Record<string, { unknown: string | number; respelled: string | number }>;
	/** Time fields. */
	times?: string[];
	/** Fields holding structured data, also sent as JSON text. */
	structured?: string[];
	/** Scenario-specific variants. */
	extra?: Array<[string, (example: Record<string, unknown>) => Record<string, unknown>]>;
}

// ---------------------------------------------------------------- documented examples

const ID = '10e758d0-31ad-4c4b-8f1b-81d03469a10e';
const ORDER = { orderId: 'CS2211181819B4LVS', orderLineId: 'CS2211181819B4LVS-000001' };
const V2_STATUS = { unknown: 'SUSPEND', respelled: 'freeze' };
const SCENE = { unknown: 'RENEWAL_WITH_UPGRADE', respelled: 'renewal' };

/** koogallery-saas-v2.md, test vectors T1 (Huawei's documented request bodies). */
const SAAS_V2: Seed[] = [
	{
		protocol: 'saasV2',
		scenario: 'newInstance',
		example: {
			activity: 'newInstance',
			businessId: '87b94795-0603-4e24-8ae5-69420d60e3c8',
			...ORDER,
			testFlag: '1',
		},
		required: ['orderId'],
	},
	{
		protocol: 'saasV2',
		scenario: 'queryInstance',
		example: { activity: 'queryInstance', instanceId: ID, testFlag: '0' },
		required: ['instanceId'],
		extra: [
			[
				'instanceId a list of 150 IDs',
				(e) => ({
					...e,
					instanceId: Array.from({ length: 150 }, (_, i) => `${ID}-${i}`).join(','),
				}),
			],
			['instanceId a JSON list', (e) => ({ ...e, instanceId: [ID, `${ID}-2`] })],
			['instanceId with blanks around commas', (e) => ({ ...e, instanceId: ` ${ID} , ${ID}-2 ,` })],
		],
	},
	{
		protocol: 'saasV2',
		scenario: 'refreshInstance',
		example: {
			activity: 'refreshInstance',
			expireTime: '20221124023618256',
			instanceId: ID,
			...ORDER,
			productId: 'OFFI461867333479178240',
			scene: 'RENEWAL',
			testFlag: '1',
		},
		required: ['instanceId', 'expireTime'],
		enums: { scene: SCENE },
		times: ['expireTime'],
	},
	{
		protocol: 'saasV2',
		scenario: 'updateInstanceStatus',
		example: { activity: 'updateInstanceStatus', instanceId: ID, status: 'FREEZE', testFlag: '1' },
		required: ['instanceId', 'status'],
		enums: { status: V2_STATUS },
	},
	{
		protocol: 'saasV2',
		scenario: 'releaseInstance',
		example: { activity: 'releaseInstance', instanceId: ID, ...ORDER, testFlag: '1' },
		required: ['instanceId'],
	},
	{
		protocol: 'saasV2',
		scenario: 'upgradeInstance',
		example: { activity: 'upgradeInstance', instanceId: ID, ...ORDER, testFlag: '0' },
		required: ['instanceId', 'orderId'],
	},
	{
		protocol: 'saasV2',
		scenario: 'changeInstanceCheck',
		example: {
			activity: 'changeInstanceCheck',
			instanceId: ID,
			productInfo: {
				productId: 'OFFI1',
				skuCode: 's1',
				linearValue: 50,
				chargingMode: 'PERIOD',
				periodType: 'year',
			},
		},
		required: ['instanceId'],
		structured: ['productInfo'],
		extra: [
			[
				'productInfo with an unknown chargingMode and periodType',
				(e) => ({
					...e,
					productInfo: {
						...(e.productInfo as object),
						chargingMode: 'USAGE_PACKAGE',
						periodType: 'week',
					},
				}),
			],
			[
				'productInfo nested deeper, with nulls',
				(e) => ({
					...e,
					productInfo: {
						...(e.productInfo as object),
						extendParams: [{ name: 'ip', value: null }],
						skuCode: null,
					},
				}),
			],
		],
	},
];

const KIT_TIME = '20220413093539534';
const KIT_BASE = {
	instanceId: 'huaiweitest123456',
	tenantId: '68cbc86a1b2c3d4e5f60718293a4b5c6880d92f36422fa0e',
	testFlag: 0,
	timeStamp: KIT_TIME,
};
const CHANGE = { unknown: 7, respelled: '1' };
const USER = {
	userName: 'zhangsan01',
	name: '张三',
	position: '系统管理员',
	orgCode: '123456789',
	role: 'admin',
	enable: 'true',
	employeeType: 1,
	mobile: '13800000000',
	email: 'zhangsan@example.com',
};
const ORGS = [
	{ orgCode: '00000001', orgName: '产品部', parentCode: '265789314' },
	{ orgCode: '00000002', orgName: '测试部', parentCode: '265789314' },
];
const withUser = (e: Record<string, unknown>, change: Record<string, unknown>) => ({
	...e,
	userList: [{ ...USER, ...change }],
});

/** koogallery-joint-license.md §1–§5 and test vectors A/B (Huawei's documented sync bodies). */
const KIT: Seed[] = [
	{
		protocol: 'kit',
		scenario: 'tenantSync',
		example: {
			...KIT_BASE,
			orderId: 'CS1906666666ABCDE',
			tenantCode: 'huawei',
			name: 'huaiweitest',
			domainName: 'https://example.tenantaccount.com',
			flag: 1,
		},
		required: ['tenantId', 'tenantCode', 'name', 'flag'],
		enums: { flag: CHANGE },
		times: ['timeStamp'],
		extra: [
			[
				'a delete without domainName, instanceId or orderId',
				(e) => ({ ...e, flag: 0, domainName: undefined, instanceId: '', orderId: null }),
			],
		],
	},
	{
		protocol: 'kit',
		scenario: 'applicationSync',
		example: {
			...KIT_BASE,
			appId: 'app-001',
			clientId: 'client-001',
			clientSecret: 'bXkgZW5jcnlwdGVkIHNlY3JldA==',
			flag: 1,
		},
		required: ['tenantId', 'appId', 'clientId', 'clientSecret', 'flag'],
		enums: { flag: CHANGE },
		times: ['timeStamp'],
		extra: [['instanceId empty (credential application)', (e) => ({ ...e, instanceId: '' })]],
	},
	{
		protocol: 'kit',
		scenario: 'authSync',
		example: {
			...KIT_BASE,
			appId: 'app-001',
			userList: [USER],
			currentSyncTime: '20220420114117642',
			flag: 1,
		},
		required: ['tenantId', 'appId', 'userList', 'flag'],
		enums: { flag: { unknown: 9, respelled: 'true' } },
		times: ['timeStamp', 'currentSyncTime'],
		structured: ['userList'],
		extra: [
			['userList one user object, not a list', (e) => ({ ...e, userList: USER })],
			['user employeeType as text', (e) => withUser(e, { employeeType: '2' })],
			['user employeeType unknown (9)', (e) => withUser(e, { employeeType: 9 })],
			['user enable as a boolean', (e) => withUser(e, { enable: true })],
			['user enable as 0', (e) => withUser(e, { enable: 0 })],
			['user role unknown (owner)', (e) => withUser(e, { role: 'owner' })],
			['user role upper case', (e) => withUser(e, { role: 'ADMIN' })],
			[
				'user without name and orgCode (a delete)',
				(e) => ({ ...withUser(e, { name: undefined, orgCode: null }), flag: 0 }),
			],
			[
				'user with nulls and an unknown nested field',
				(e) =>
					withUser(e, { position: null, mobile: null, workPlace: { city: '深圳', floor: null } }),
			],
			[
				'user fields as numbers',
				(e) => withUser(e, { userName: 1234567, orgCode: 123456789, mobile: 13800000000 }),
			],
			['user name 500 characters', (e) => withUser(e, { name: '张'.repeat(500) })],
			[
				'two users, one null',
				(e) => ({ ...e, userList: [USER, null, { ...USER, userName: 'lisi' }] }),
			],
			['an empty userList', (e) => ({ ...e, userList: [] })],
		],
	},
	{
		protocol: 'kit',
		scenario: 'singleOrgSync',
		example: {
			...KIT_BASE,
			orgCode: '00000002',
			orgName: '测试部',
			parentCode: '265789314',
			flag: 1,
			testFlag: 1,
		},
		required: ['tenantId', 'orgCode', 'flag'],
		enums: { flag: CHANGE },
		times: ['timeStamp'],
		extra: [['a delete without orgName', (e) => ({ ...e, flag: 0, orgName: undefined })]],
	},
	{
		protocol: 'kit',
		scenario: 'allOrgSync',
		example: { ...KIT_BASE, orgInfoList: ORGS },
		required: ['tenantId', 'orgInfoList'],
		times: ['timeStamp'],
		structured: ['orgInfoList'],
		extra: [
			[
				"orgInfoList as Huawei's example text, with bare keys",
				(e) => ({
					...e,
					orgInfoList:
						'[{orgCode:"00000001", orgName:"产品部", parentCode:"265789314" },{orgCode:"00000002", orgName:"测试部", parentCode:"265789314"}]',
				}),
			],
			['orgInfoList one department object', (e) => ({ ...e, orgInfoList: ORGS[0] })],
			[
				'departments with null parentCode and codes as numbers',
				(e) => ({
					...e,
					orgInfoList: [
						{ orgCode: 1, orgName: '产品部', parentCode: null },
						{ orgCode: 2, parentCode: 1 },
					],
				}),
			],
			[
				'1000 departments',
				(e) => ({
					...e,
					orgInfoList: Array.from({ length: 1000 }, (_, i) => ({
						orgCode: `D${i}`,
						orgName: `部门${i}`,
						parentCode: 'D0',
					})),
				}),
			],
		],
	},
];

const LICENSE_CODE = { license: 'PL0000TEST', testFlag: '1' };
/** koogallery-joint-license.md §8 and test vectors (Huawei's License tables and examples). */
const LICENSE: Seed[] = [
	{
		protocol: 'license',
		scenario: 'refreshLicenseCode',
		example: {
			activity: 'refreshLicenseCode',
			expireTime: '20230523201932',
			...LICENSE_CODE,
			...ORDER,
			productId: 'OFFI0001',
			scene: 'RENEWAL',
		},
		required: ['license', 'expireTime'],
		enums: { scene: { unknown: 'TRIAL_TO_FORMAL', respelled: 'Renewal' } },
		times: ['expireTime'],
	},
	{
		protocol: 'license',
		scenario: 'updateLicenseCodeStatus',
		example: { activity: 'updateLicenseCodeStatus', ...LICENSE_CODE, status: 'FREEZE' },
		required: ['license', 'status'],
		enums: { status: V2_STATUS },
	},
	{
		protocol: 'license',
		scenario: 'releaseLicenseCode',
		example: { activity: 'releaseLicenseCode', ...LICENSE_CODE, ...ORDER },
		required: ['license'],
	},
	{
		protocol: 'license',
		scenario: 'getLicenseAsync',
		example: {
			activity: 'getLicenseAsync',
			instanceId: 'ins-001',
			effectiveTime: '20230523120000',
			expireTime: '20240523120000',
			eventId: 'evt-0001',
			deviceFingerprint: 'fp-abc',
			testFlag: '1',
		},
		required: ['instanceId', 'eventId'],
		times: ['effectiveTime', 'expireTime'],
		extra: [
			['deviceFingerprint 5000 characters', (e) => ({ ...e, deviceFingerprint: 'f'.repeat(5000) })],
		],
	},
	// The offline guide's GET calls (test vector B.5 and the §8.1 tables).
	{
		protocol: 'license',
		scenario: 'getLicense',
		example: {
			activity: 'getLicense',
			businessId: 'b1a2c3d4-0000-1111-2222-333344445555',
			customerId: '68805539',
			customerName: 'sim_user',
			orderId: 'CS2211181819B4LVS',
			productId: 'OFFI000000000000000001',
			skuCode: 'sku-1',
			periodType: 'year',
			amount: '2',
			testFlag: '1',
		},
		required: ['customerId', 'orderId'],
		enums: { periodType: { unknown: 'week', respelled: 'YEAR' } },
		extra: [['amount 123456 (any size)', (e) => ({ ...e, amount: '123456' })]],
	},
	{
		protocol: 'license',
		scenario: 'refreshLicense',
		example: {
			activity: 'refreshLicense',
			orderId: 'CS2305231234RENEW',
			instanceId: 'ins-001',
			expireTime: '20240523120000',
			periodType: 'year',
			periodNumber: '1',
		},
		required: ['instanceId', 'expireTime'],
		enums: { periodType: { unknown: 'day', respelled: 'Month' } },
		times: ['expireTime'],
		extra: [['periodNumber 100 (any size)', (e) => ({ ...e, periodNumber: '100' })]],
	},
	{
		protocol: 'license',
		scenario: 'releaseLicense',
		example: { activity: 'releaseLicense', orderId: 'CS2211181819B4LVS', instanceId: 'ins-001' },
		required: ['instanceId'],
	},
];

const V1_ID = '03pf80c2bae96vc49b80b917bea776d7';
/** koogallery-openapi-v1.md §C.5: Huawei's documented example URLs (TV4 for newInstance). */
const SAAS_V1: Seed[] = [
	{
		protocol: 'saasV1',
		scenario: 'newInstance',
		example: {
			activity: 'newInstance',
			businessId: '61e834ba-7b97-4418-b8f7-e5345137278c',
			customerId: '68cbc86abc2018ab880d92f36422fa0e',
			customerName: 'sim_user',
			expireTime: '20200727153156',
			orderId: 'CS1906666666ABCDE',
			productId: '00301-666666-0--0',
			testFlag: '1',
		},
		required: ['customerId', 'orderId'],
		times: ['expireTime'],
	},
	{
		protocol: 'saasV1',
		scenario: 'refreshInstance',
		example: {
			activity: 'refreshInstance',
			expireTime: '20180725000000',
			instanceId: V1_ID,
			orderId: 'HWS001014ED483AA1E8',
			periodType: 'year',
			periodNumber: '1',
			orderAmount: '99.9900',
			testFlag: '1',
		},
		required: ['instanceId', 'expireTime'],
		enums: { periodType: { unknown: 'week', respelled: 'YEAR' } },
		times: ['expireTime'],
		extra: [
			['orderAmount negative (a cancelled renewal)', (e) => ({ ...e, orderAmount: '-5.0' })],
			['orderAmount with 6 decimals', (e) => ({ ...e, orderAmount: '1.234567' })],
			['periodNumber 240 (any size)', (e) => ({ ...e, periodNumber: '240' })],
			['trialToFormal 1', (e) => ({ ...e, trialToFormal: '1' })],
		],
	},
	{
		protocol: 'saasV1',
		scenario: 'expireInstance',
		example: {
			activity: 'expireInstance',
			instanceId: V1_ID,
			orderId: 'HWS001014ED483AA1E8',
			testFlag: '1',
		},
		required: ['instanceId'],
	},
	{
		protocol: 'saasV1',
		scenario: 'releaseInstance',
		example: { activity: 'releaseInstance', instanceId: V1_ID, testFlag: '1' },
		required: ['instanceId'],
		extra: [
			[
				'with orderId and orderAmount',
				(e) => ({ ...e, orderId: 'HWS001014ED483AA1E8', orderAmount: '0' }),
			],
		],
	},
	{
		protocol: 'saasV1',
		scenario: 'instanceStatus',
		example: {
			activity: 'instanceStatus',
			instanceId: 'huaweitest123456',
			instanceStatus: 'FREEZE',
			testFlag: '1',
		},
		required: ['instanceId', 'instanceStatus'],
		enums: { instanceStatus: { unknown: 'SUSPENDED', respelled: 'normal' } },
	},
	{
		protocol: 'saasV1',
		scenario: 'queryInstance',
		example: {
			activity: 'queryInstance',
			instanceId:
				'ebc28eb6-0f5c-4d35-a9a6-6b9f3c1d2e01,fe28e27e-5b1a-4c7d-8e9f-0a1b2c3d4e5f,92df74e4-1234-4abc-9def-0123456789ab',
			testFlag: '1',
		},
		required: ['instanceId'],
		extra: [
			[
				'instanceId 120 IDs',
				(e) => ({ ...e, instanceId: Array.from({ length: 120 }, (_, i) => `id-${i}`).join(',') }),
			],
		],
	},
];

/** koogallery-saas-v2.md §4.8: the order notification's documented body. */
const ORDER_NOTIFY: Seed[] = [
	{
		protocol: 'orderNotify',
		scenario: 'orderNotify',
		example: { activity: 'orderNotify', ...ORDER, testFlag: '0' },
		required: ['orderId'],
	},
];

export const SEEDS: readonly Seed[] = [...SAAS_V2, ...KIT, ...LICENSE, ...SAAS_V1, ...ORDER_NOTIFY];

/** GET calls: everything arrives as text. */
const isGet = (seed: Seed) =>
	seed.protocol === 'saasV1' ||
	['getLicense', 'refreshLicense', 'releaseLicense'].includes(seed.scenario);

// ---------------------------------------------------------------- variations

/** A JSON number written exactly as given (e.g. `5.0`, 20 digits), which JSON.stringify cannot write. */
const raw = (token: string) => `@@RAW:${token}@@`;
const toJson = (value: Record<string, unknown>) =>
	JSON.stringify(value).replace(/"@@RAW:([^@]*)@@"/g, '$1');

type Variant = [string, Record<string, unknown>];

const without = (value: Record<string, unknown>, field: string) => {
	const copy = { ...value };
	delete copy[field];
	return copy;
};

/** Unknown fields KooGallery could add, one per kind of JSON value. */
const UNKNOWN_FIELDS: Array<[string, unknown]> = [
	['text', 'a new field'],
	['number', 42],
	['decimal with trailing zeros', raw('5.0')],
	['negative decimal', raw('-99.9900')],
	['23-digit number', raw('12345678901234567890123')],
	['boolean', true],
	['null', null],
	['nested object with nulls', { a: { b: [1, null, { c: null }] }, d: null }],
	[
		'list of objects',
		[
			{ name: 'emailDomainName', value: 'test.example.com' },
			{ name: 'ip', value: '127.0.0.1' },
		],
	],
	['JSON text', '{"saasExtendParams":[{"name":"x","value":"1"}]}'],
	['long Chinese text', '扩展参数'.repeat(300)],
	['exponent number', raw('1e3')],
];
/** The same for GET parameters, which are text. */
const UNKNOWN_PARAMS: Array<[string, string]> = [
	['text', 'a new parameter'],
	['number', '42'],
	['decimal with trailing zeros', '5.0'],
	['empty', ''],
	['JSON text', '{"a":[1,null]}'],
	['the word null', 'null'],
	['long Chinese text', '扩展参数'.repeat(200)],
	['spaces and symbols', 'a b+c&d=e/f?g'],
];
const TEST_FLAGS: Array<[string, unknown]> = [
	['1', 1],
	['"1"', '1'],
	['0', 0],
	['"0"', '0'],
	['true', true],
	['false', false],
	['"true"', 'true'],
	['null', null],
	['absent', undefined],
];
const TEST_PARAMS: Array<[string, string | undefined]> = [
	['1', '1'],
	['0', '0'],
	['true', 'true'],
	['empty', ''],
	['absent', undefined],
];

/** Every variant of one seed; the documented example first. */
function variants(seed: Seed): Variant[] {
	const get = isGet(seed);
	const e = seed.example;
	const out: Variant[] = [['as documented', e]];
	const add = (label: string, value: Record<string, unknown>) => out.push([label, value]);
	const special = new Set([
		'activity',
		'testFlag',
		...Object.keys(seed.enums ?? {}),
		...(seed.times ?? []),
		...(seed.structured ?? []),
	]);

	for (const [label, flag] of get ? TEST_PARAMS : TEST_FLAGS)
		add(`testFlag ${label}`, { ...e, testFlag: flag });
	for (const field of Object.keys(e)) {
		if (field === 'activity' || field === 'testFlag' || seed.required.includes(field)) continue;
		add(`${field} dropped`, without(e, field));
		add(get ? `${field} empty` : `${field} null`, { ...e, [field]: get ? '' : null });
	}
	for (const [field, value] of Object.entries(e)) {
		if (special.has(field) || typeof value !== 'string') continue;
		add(`${field} 600 characters longer`, { ...e, [field]: `${value}-${'L'.repeat(600)}` });
		if (get) add(`${field} all digits`, { ...e, [field]: '000123456789' });
		else {
			add(`${field} a number`, { ...e, [field]: 123456789 });
			add(`${field} a 20-digit number`, { ...e, [field]: raw('12345678901234567890') });
		}
	}
	for (const [field, { unknown, respelled }] of Object.entries(seed.enums ?? {})) {
		add(`${field} unknown value ${unknown}`, { ...e, [field]: get ? String(unknown) : unknown });
		add(`${field} spelled ${respelled}`, { ...e, [field]: get ? String(respelled) : respelled });
		add(`${field} with blanks around it`, { ...e, [field]: ` ${String(e[field])} ` });
	}
	for (const field of seed.times ?? []) {
		const value = String(e[field]);
		const seconds = value.slice(0, 14);
		add(`${field} with milliseconds`, { ...e, [field]: `${seconds}123` });
		add(`${field} without milliseconds`, { ...e, [field]: seconds });
		add(`${field} as ISO 8601`, {
			...e,
			[field]: `${seconds.slice(0, 4)}-${seconds.slice(4, 6)}-${seconds.slice(6, 8)}T${seconds.slice(8, 10)}:${seconds.slice(10, 12)}:${seconds.slice(12, 14)}Z`,
		});
		if (!get) add(`${field} a ${value.length}-digit number`, { ...e, [field]: raw(value) });
	}
	for (const field of seed.structured ?? []) {
		const value = e[field];
		add(`${field} as JSON text`, { ...e, [field]: JSON.stringify(value) });
		add(`${field} as JSON text with nulls`, {
			...e,
			[field]: JSON.stringify(
				Array.isArray(value) ? [...value, null] : { ...(value as object), extra: null },
			),
		});
		if (!Array.isArray(value)) add(`${field} a list of one`, { ...e, [field]: [value] });
	}
	for (const [label, value] of get ? UNKNOWN_PARAMS : UNKNOWN_FIELDS)
		add(`unknown field: ${label}`, { ...e, newField: value });
	for (const [label, change] of seed.extra ?? []) add(label, change(e));

	// Whole-body changes.
	const optional = Object.keys(e).filter((f) => f !== 'activity' && !seed.required.includes(f));
	add(
		'every optional field dropped',
		Object.fromEntries(Object.entries(e).filter(([f]) => !optional.includes(f))),
	);
	if (!get) {
		add(
			'every number as text',
			Object.fromEntries(
				Object.entries(e).map(([f, v]) => [f, typeof v === 'number' ? String(v) : v]),
			),
		);
		add(
			'every digit-only text as a number',
			Object.fromEntries(
				Object.entries(e).map(([f, v]) => [
					f,
					typeof v === 'string' && /^[1-9]\d*$/.test(v) ? raw(v) : v,
				]),
			),
		);
		add(
			'every optional field null',
			Object.fromEntries(Object.entries(e).map(([f, v]) => [f, optional.includes(f) ? null : v])),
		);
	}
	// Combinations, until the scenario has at least 40.
	const flags = get ? TEST_PARAMS : TEST_FLAGS;
	const fields = get ? UNKNOWN_PARAMS : UNKNOWN_FIELDS;
	for (let i = 0; out.length < 48; i++) {
		const [flagLabel, flag] = flags[i % flags.length];
		const [fieldLabel, field] = fields[(i * 5 + 3) % fields.length];
		add(`testFlag ${flagLabel} with unknown fields (${fieldLabel}) at the top, second ${i}`, {
			...e,
			testFlag: flag,
			[`added${i}`]: field,
			[`nested${i}`]: get ? JSON.stringify({ field }) : { field },
		});
	}
	return out;
}

/** GET parameters: text, absent values left out. */
const asParams = (value: Record<string, unknown>): Record<string, string> =>
	Object.fromEntries(
		Object.entries(value)
			.filter(([, v]) => v !== undefined)
			.map(([k, v]) => [k, String(v)]),
	);

/** New activities of a known protocol (KooGallery adds scenarios): routed to the Other Call output. */
const NEW_ACTIVITIES = [
	'suspendInstance',
	'transferInstance',
	'refreshInstanceV3',
	'notifyPrice',
	'queryUsage',
	'upgradeLicense',
	'renewInstance2',
];

/** The whole corpus: every scenario of every protocol, and new activities for those with an Other Call output. */
export function varianceCorpus(): VarianceCase[] {
	const cases: VarianceCase[] = [];
	const seen = new Set<string>();
	const push = (seed: Seed, output: string, label: string, value: Record<string, unknown>) => {
		const item: VarianceCase = isGet(seed)
			? { protocol: seed.protocol, seed: seed.scenario, output, label, params: asParams(value) }
			: { protocol: seed.protocol, seed: seed.scenario, output, label, body: toJson(value) };
		const key = `${seed.protocol}/${seed.scenario}/${output}/${item.body ?? JSON.stringify(item.params)}`;
		if (seen.has(key)) return; // identical calls would be replays of each other
		seen.add(key);
		cases.push(item);
	};
	for (const seed of SEEDS) {
		const all = variants(seed);
		for (const [label, value] of all) push(seed, seed.scenario, label, value);
		// The kit's paths are fixed, and the order notification address takes orderNotify only.
		if (seed.protocol === 'kit' || seed.protocol === 'orderNotify') continue;
		all.slice(0, 8).forEach(([label, value], i) => {
			const activity = NEW_ACTIVITIES[i % NEW_ACTIVITIES.length];
			push(seed, OTHER, `new activity ${activity}, from ${seed.scenario} ${label}`, {
				...value,
				activity,
			});
		});
	}
	return cases;
}

/** The production path each protocol's workflow listens on, under /webhook/. */
export const PATHS: Record<Protocol, string> = {
	saasV2: 'variance/saas',
	kit: 'variance/kit',
	license: 'variance/license',
	saasV1: 'variance/v1',
	orderNotify: 'variance/order',
};

/** Signs one case as KooGallery does, for the production URL `base/webhook/<path>`. */
export function signCase(
	base: string,
	keys: { basic: string; kit: string },
	item: VarianceCase,
): HttpCall {
	const url = `${base}/${PATHS[item.protocol]}`;
	if (item.params) return signV1Call(url, keys.basic, item.params);
	if (item.protocol === 'kit') return signKitCall(url, keys.kit, item.seed, item.body as string);
	const signed = signCall(url, keys.basic, item.body as string);
	return {
		method: 'POST',
		url: signed.url,
		headers: { 'content-type': 'application/json;charset=utf8' },
		body: signed.body,
	};
}
