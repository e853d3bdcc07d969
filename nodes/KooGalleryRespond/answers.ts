import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	NodeOperationError,
} from 'n8n-workflow';

import type { EncryptType } from '../../core/credential-crypto';
import { defaultInstanceId, MAX_INSTANCE_ID_LENGTH } from '../../core/instance-id';
import { isResultCode, RESULT_CODES, resultBody } from '../../core/result-codes';
import {
	buildInstanceInfo,
	instanceIdAnswered,
	type InstanceInfoInput,
} from '../../core/saas-v2-answers';
import { LICENSE_RESULT_CODES } from '../../core/schemas/license';
import { readInstanceInfo } from './instanceInfo';
import type { TriggerCall } from '../shared/triggerCall';

/*
 * The answers KooGallery Respond can send, one entry of ANSWERS each. The node reads everything
 * about an answer from here: its "Answer To" option and subtitle (description.ts), the scenarios it
 * fits, the parameters it shows, and how it builds the body. Answering a new scenario with data is
 * one new entry here (and its scenario in core/schemas/); the node itself needs no edit.
 */

/** Codes only the License guides define (online License activation, docs/protocol/koogallery-joint-license.md §8.3). */
export const LICENSE_ONLY_CODES = ['000900', '000901', '000902', '000903'] as const;
type LicenseOnlyCode = (typeof LICENSE_ONLY_CODES)[number];
const isLicenseOnlyCode = (code: string): code is LicenseOnlyCode =>
	(LICENSE_ONLY_CODES as readonly string[]).includes(code);

type Fail = (message: string, description: string, itemIndex?: number) => NodeOperationError;

/** What an answer is built from: the call that started the run, this node's parameters and items. */
export interface AnswerInput {
	context: IExecuteFunctions;
	items: INodeExecutionData[];
	call: TriggerCall;
	/** Login details must be encrypted whatever the Encrypt parameter says (SaaS V1.0). */
	encryptionRequired: boolean;
	/** Encrypts with the key the answer is signed with. */
	encrypt: (text: string, type: EncryptType) => string;
	fail: Fail;
	/**
	 * The option "Answer 'Not Found' When Nothing Was Found": an input with nothing in it is
	 * answered "not found" (000003, or what the answer's spec says), and the answer reads only the
	 * items with fields.
	 */
	notFoundAnswer: boolean;
}

/** The body KooGallery gets (signed) and the summary the node outputs, which never holds a secret. */
export interface Answer {
	body: IDataObject;
	summary: IDataObject;
}

export interface AnswerSpec {
	/** The option of the "Answer To" parameter. */
	name: string;
	description: string;
	/** Shown under the node on the canvas: "Answer: <subtitle>". */
	subtitle: string;
	/** The scenarios (koogallery.scenario) this answer fits; absent: any scenario. */
	scenarios?: readonly string[];
	/** The parameters of description.ts shown for this answer only (and the other answers listing them). */
	shows: readonly string[];
	/** Parameters shown for every answer that this answer hides. */
	hides?: readonly string[];
	/** Parameters of this answer alone, shown after the others. */
	properties?: readonly INodeProperties[];
	/**
	 * With "Answer 'Not Found' When Nothing Was Found" on: what KooGallery asked about that no input
	 * item answers (for example an instance ID). Absent: only an input with nothing in it is
	 * "not found".
	 */
	notFound?(input: AnswerInput): readonly string[];
	/**
	 * With that option on, the answer when nothing was found, given what is missing (empty when the
	 * input has nothing in it). Absent: 000003 (instance not found) naming what is missing.
	 */
	nothingFound?(missing: readonly string[]): Answer;
	build(input: AnswerInput): Answer;
}

/** An input item with no fields: what a database step set to Always Output Data gives for no row. */
const isEmptyItem = (item: INodeExecutionData): boolean => Object.keys(item.json).length === 0;

/**
 * The input items an answer reads, with their index: every item, or with "Answer 'Not Found' When
 * Nothing Was Found" on, only the items with fields.
 */
function itemsRead({ items, notFoundAnswer }: AnswerInput): Array<{
	json: IDataObject;
	itemIndex: number;
}> {
	return items
		.map((item, itemIndex) => ({ item, itemIndex }))
		.filter(({ item }) => !notFoundAnswer || !isEmptyItem(item))
		.map(({ item, itemIndex }) => ({ json: item.json, itemIndex }));
}

/** 000003 (instance not found) with its standard message, and what was not found if known. */
function notFoundBody(missing: readonly string[]): Answer {
	const meaning = RESULT_CODES['000003'];
	const body: IDataObject = resultBody(
		'000003',
		missing.length > 0 ? `${meaning}: ${missing.join(', ')}` : meaning,
	);
	return { body, summary: { ...body } };
}

/** The result code and message of an answer (Result Code, Message). */
function resultCodeAnswer({ context, fail }: AnswerInput): {
	answer: Answer;
	answersData: boolean;
} {
	const code = context.getNodeParameter('resultCode', 0) as string;
	if (!isResultCode(code) && !isLicenseOnlyCode(code))
		throw fail(
			`"${code}" is not a KooGallery result code.`,
			'Pick one of the listed codes, such as 000000 for success.',
		);
	const message = (context.getNodeParameter('resultMessage', 0, '') as string) || undefined;
	const body: IDataObject = resultBody(
		code,
		message ?? (isLicenseOnlyCode(code) ? LICENSE_RESULT_CODES[code] : undefined),
	);
	// Data goes with success and with "being processed" only.
	return {
		answer: { body, summary: { ...body } },
		answersData: code === '000000' || code === '000004',
	};
}

/**
 * The workflow's own instance ID for a new purchase or a license: the Instance ID parameter, else
 * the first input item's `instanceId` (text, or a number as many APIs give their IDs); '' for none.
 */
function workflowInstanceId(input: AnswerInput): string {
	const given = String(input.context.getNodeParameter('instanceId', 0, '') ?? '').trim();
	const fromItem = itemsRead(input)[0]?.json.instanceId;
	return (
		given ||
		(typeof fromItem === 'string' || typeof fromItem === 'number' ? String(fromItem).trim() : '')
	);
}

/** Adds the instance ID of a new purchase or a license to the answer, and returns it. */
function addInstanceId(input: AnswerInput, answer: Answer): string {
	const { call, fail } = input;
	// The workflow's own ID wins; without one, an ID every retry of the order line gets again
	// (docs/protocol/README.md decision 17, see defaultInstanceId), never the retry's own businessId.
	const instanceId =
		workflowInstanceId(input) ||
		String(
			call.data.instanceId || defaultInstanceId(call.data) || call.data.businessId || '',
		).trim();
	if (instanceId === '' || instanceId.length > MAX_INSTANCE_ID_LENGTH)
		throw fail(
			'The instance ID must be 1 to 64 characters.',
			'Use your own ID for the instance, or leave it empty for an ID made from the order.',
		);
	answer.body.instanceId = answer.summary.instanceId = instanceId;
	return instanceId;
}

/** Adds the login details of a new purchase (SaaS V1.0 only: V2.0 answers them in Query Instance). */
function addLoginDetails(input: AnswerInput, answer: Answer, instanceId: string): void {
	const { call, fail } = input;
	const login = readInstanceInfo(input.context, 0, input.encryptionRequired);
	const hasLogin = Boolean(
		login.frontEndUrl || login.userName || login.password || login.adminUrl || login.memo,
	);
	if (hasLogin && call.protocol === 'saasV2') {
		throw fail(
			'SaaS V2.0 does not take login details on a new purchase.',
			'Leave the login fields empty here and answer them in a KooGallery Respond node set to Query Instance.',
		);
	}
	if (!hasLogin) return;
	const built = buildInstanceInfo([{ ...login, instanceId }], [instanceId], input.encrypt);
	if (!built.ok) throw fail(built.message, built.description);
	const [entry] = built.body.info as IDataObject[];
	const [shown] = built.summary;
	Object.assign(answer.body, { encryptType: built.body.encryptType, appInfo: entry.appInfo });
	Object.assign(answer.summary, { encryptType: built.body.encryptType, appInfo: shown.appInfo });
}

/**
 * Adds the license a license product issues: the License parameter, or when it is empty the input
 * item's `license` field (so a license found or saved by a step before needs no expression). The
 * summary only says it is set.
 */
function addLicense(input: AnswerInput, answer: Answer): void {
	const { context, fail } = input;
	const given = String(context.getNodeParameter('license', 0, '') ?? '');
	const fromItem = itemsRead(input)[0]?.json.license;
	const license = given || (typeof fromItem === 'string' ? fromItem : '');
	if (license === '')
		throw fail(
			'The license is empty.',
			'Put the license your generator issued for this order in "License", or give the input item a license field.',
		);
	answer.body.license = license;
	answer.summary.license = '(set)';
}

/** The instance details of a Query Instance answer, one per input item read, with its index. */
function instanceInfos(input: AnswerInput): Array<{ info: InstanceInfoInput; itemIndex: number }> {
	return itemsRead(input).map(({ json, itemIndex }) => ({
		info: readInstanceInfo(input.context, itemIndex, input.encryptionRequired, json),
		itemIndex,
	}));
}

/** The instances KooGallery asked about that no input item answers. */
function instancesNotFound(input: AnswerInput): string[] {
	const asked = input.call.instanceIds;
	const answered = new Set(
		instanceInfos(input).map(({ info }) => instanceIdAnswered(info.instanceId, asked)),
	);
	return asked.filter((instanceId) => !answered.has(instanceId));
}

/** Adds the `info` list of a Query Instance answer, one entry per input item. */
function addInstanceInfo(input: AnswerInput, answer: Answer): void {
	const read = instanceInfos(input);
	const built = buildInstanceInfo(
		read.map(({ info }) => info),
		input.call.instanceIds,
		input.encrypt,
	);
	if (!built.ok)
		throw input.fail(built.message, built.description, read[built.itemIndex].itemIndex);
	Object.assign(answer.body, built.body);
	answer.summary.info = built.summary;
}

/** Allowed (000000) or not (000005), with the operator's message or a plain default. */
function changeCheckAnswer({ context }: AnswerInput): Answer {
	const allow = context.getNodeParameter('allowChange', 0) as boolean;
	const message = context.getNodeParameter('resultMessage', 0, '') as string;
	const body: IDataObject = resultBody(
		allow ? '000000' : '000005',
		message || (allow ? 'The change is allowed.' : 'The change is not allowed.'),
	);
	return { body, summary: { ...body } };
}

/** The login details a new purchase (SaaS V1.0) and a Query Instance answer carry. */
const LOGIN_PARAMETERS = [
	'frontEndUrl',
	'adminUrl',
	'userName',
	'password',
	'memo',
	'encrypt',
	'encryptType',
];

/**
 * A new purchase whose instance was not found (not made): 000005, which KooGallery answers by
 * calling again later (for up to 3 hours), never 000003, a code KooGallery documents for calls
 * about an existing instance. The message says what happened in plain words.
 */
function instanceNotMade(): Answer {
	const body: IDataObject = resultBody(
		'000005',
		'The instance has not been created. Please try again later.',
	);
	return { body, summary: { ...body } };
}

const answers = {
	newInstance: {
		name: 'New Purchase (创建实例)',
		description: 'Answer with the instance ID of the new purchase',
		subtitle: 'New Purchase',
		scenarios: ['newInstance'],
		shows: ['instanceId', 'loginNotice', ...LOGIN_PARAMETERS],
		// With the option on, a new purchase is answered only with the instance the workflow made:
		// no instance ID (parameter or input item) is nothing found, never an ID made from the order.
		notFound: (input) => (workflowInstanceId(input) === '' ? ['instanceId'] : []),
		nothingFound: instanceNotMade,
		build(input) {
			const { answer } = resultCodeAnswer(input);
			const instanceId = addInstanceId(input, answer);
			addLoginDetails(input, answer, instanceId);
			return answer;
		},
	},
	queryInstance: {
		name: 'Query Instance (查询实例信息)',
		description:
			'Answer with the login address and account of each instance, one input item per instance',
		subtitle: 'Query Instance',
		scenarios: ['queryInstance'],
		shows: ['infoInstanceId', ...LOGIN_PARAMETERS, 'usage'],
		notFound: instancesNotFound,
		build(input) {
			const { answer, answersData } = resultCodeAnswer(input);
			if (answersData) addInstanceInfo(input, answer);
			return answer;
		},
	},
	changeInstanceCheck: {
		name: 'Renewal Change Check (续费变更校验)',
		description: 'Allow or refuse the change the customer asked for',
		subtitle: 'Change Check',
		scenarios: ['changeInstanceCheck'],
		shows: ['allowChange'],
		hides: ['resultCode'],
		build: changeCheckAnswer,
	},
	license: {
		name: 'Issue License (获取License)',
		description:
			'License products: answer getLicense or getLicenseAsync with the license (and instance ID)',
		subtitle: 'Issue License',
		scenarios: ['getLicense', 'getLicenseAsync'],
		shows: ['instanceId', 'license'],
		build(input) {
			const { answer, answersData } = resultCodeAnswer(input);
			addInstanceId(input, answer);
			if (answersData) addLicense(input, answer);
			return answer;
		},
	},
	result: {
		name: 'Any Scenario: Result Code Only',
		description:
			'Order notification, renewal, freeze or unfreeze, release, upgrade, or an error for any scenario',
		subtitle: 'Result Code',
		shows: [],
		build: (input) => resultCodeAnswer(input).answer,
	},
} satisfies Record<string, AnswerSpec>;

/** The value of the "Answer To" parameter. */
export type RespondTo = keyof typeof answers;

/** Every answer, keyed by its "Answer To" value, in the order of the node's subtitle. */
export const ANSWERS: Readonly<Record<RespondTo, AnswerSpec>> = answers;

/**
 * Builds the answer the node sends. With "Answer 'Not Found' When Nothing Was Found" on, an input
 * with nothing in it (no item, or only empty items), or one missing something the answer is about
 * (its spec's `notFound`), gets the spec's `nothingFound` answer instead: 000003 unless the spec
 * says otherwise (a new purchase: 000005).
 */
export function buildAnswer(spec: AnswerSpec, input: AnswerInput): Answer {
	if (!input.notFoundAnswer) return spec.build(input);
	const nothing = itemsRead(input).length === 0;
	const missing = nothing ? [] : (spec.notFound?.(input) ?? []);
	if (!nothing && missing.length === 0) return spec.build(input);
	return (spec.nothingFound ?? notFoundBody)(missing);
}
