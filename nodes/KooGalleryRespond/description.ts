import type {
	IDataObject,
	IDisplayOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { RESULT_CODES } from '../../core/result-codes';
import { LICENSE_RESULT_CODES } from '../../core/schemas/license';
import { ANSWERS, LICENSE_ONLY_CODES, type AnswerSpec } from './answers';

/*
 * What n8n's editor shows of KooGallery Respond. The answers (answers.ts) decide the "Answer To"
 * options, the subtitle and which parameters each answer shows; nothing here names an answer.
 */

type Answers = Readonly<Record<string, AnswerSpec>>;

/** The "Answer To" options, sorted by name as n8n asks of options. */
export function answerToOptions(answers: Answers): INodePropertyOptions[] {
	return Object.entries(answers)
		.map(([value, spec]) => ({ name: spec.name, value, description: spec.description }))
		.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The subtitle under the node: "Answer: " and the chosen answer's short name. */
export function answerSubtitle(answers: Answers): string {
	const names = Object.entries(answers).map(([value, spec]) => `${value}: "${spec.subtitle}"`);
	return `={{"Answer: " + ({ ${names.join(', ')} })[$parameter["respondTo"]] }}`;
}

/**
 * When the editor shows a parameter: for the answers listing it in `shows`; one that no answer
 * lists is shown for every answer but those listing it in `hides` (always, when none does).
 * The answers are named in reverse alphabetical order, as this node has always listed them.
 */
export function answersShowing(
	answers: Answers,
	parameter: string,
	also: IDataObject = {},
): IDisplayOptions | undefined {
	const named = (list: 'shows' | 'hides') =>
		Object.keys(answers)
			.filter((value) => answers[value][list]?.includes(parameter))
			.sort()
			.reverse();
	const showing = named('shows');
	if (showing.length > 0) return { show: { respondTo: showing, ...also } };
	const hiding = named('hides');
	return hiding.length > 0 ? { hide: { respondTo: hiding } } : undefined;
}

/** The parameters an answer declares for itself, shown for that answer only, after the others. */
export function ownProperties(answers: Answers): INodeProperties[] {
	return Object.entries(answers).flatMap(([value, spec]) =>
		(spec.properties ?? []).map((property) => ({
			...property,
			displayOptions: {
				...property.displayOptions,
				show: { respondTo: [value], ...property.displayOptions?.show },
			},
		})),
	);
}

const shownFor = (parameter: string, also?: IDataObject) =>
	answersShowing(ANSWERS, parameter, also);

const resultCodeOptions = [
	...Object.entries(RESULT_CODES).map(([code, meaning]) => ({
		name: `${code} ${meaning}`,
		value: code,
	})),
	...LICENSE_ONLY_CODES.map((code) => ({
		name: `${code} License: ${LICENSE_RESULT_CODES[code]}`,
		value: code,
	})),
];

/** The answers' parameters, in the order the editor shows them. */
const PARAMETERS: INodeProperties[] = [
	{
		displayName: 'Result Code',
		name: 'resultCode',
		type: 'options',
		default: '000000',
		options: resultCodeOptions,
		displayOptions: shownFor('resultCode'),
		description:
			'000000 means done. For a new purchase that is still being set up, use 000004 and answer the instance details later, when KooGallery asks (Query Instance).',
	},
	{
		displayName: 'Allow the Change',
		name: 'allowChange',
		type: 'boolean',
		default: true,
		displayOptions: shownFor('allowChange'),
		description:
			'Whether the customer may renew with the new product (for example a downgrade that still fits their usage)',
	},
	{
		displayName: 'Message',
		name: 'resultMessage',
		type: 'string',
		default: '',
		displayOptions: shownFor('resultMessage'),
		description:
			"Short text KooGallery shows with the result (at most 255 characters). Empty uses the result code's meaning.",
	},
	{
		displayName: 'Instance ID',
		name: 'instanceId',
		type: 'string',
		default: '',
		displayOptions: shownFor('instanceId'),
		hint: "Empty: the input item's instanceId, else an ID made from the order, the same on every retry",
		description:
			"Your ID for the new instance. Leave empty to use the input item's instanceId field (for example the row you found for this order), or else an ID made from the order line (its orderLineId, or a code computed from orderId and orderLineId or productId), which every retry of the order gets again (with the option Answer 'Not Found' When Nothing Was Found on, a new purchase is answered 000005 instead); for getLicenseAsync, the instance ID KooGallery sent.",
	},
	{
		displayName: 'License',
		name: 'license',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: shownFor('license'),
		hint: "Empty: the input item's license field",
		description:
			"The license (code or file content) for the customer. Leave empty to use the input item's license field (for example the row you saved for this order). A repeated call for the same order or event must get the same license.",
	},
	{
		displayName:
			'Login details: SaaS V1.0 products send them with the new purchase (always encrypted); SaaS V2.0 products send them only when KooGallery asks (Query Instance), so leave them empty there.',
		name: 'loginNotice',
		type: 'notice',
		default: '',
		displayOptions: shownFor('loginNotice'),
	},
	{
		displayName: 'Instance ID',
		name: 'infoInstanceId',
		type: 'string',
		default: '',
		displayOptions: shownFor('infoInstanceId'),
		hint: "Empty: the input item's instanceId, or the only instance KooGallery asked about",
		description:
			"The instance this item describes. Leave empty to use the input item's instanceId field, or the only instance KooGallery asked about.",
	},
	{
		displayName: 'Customer URL',
		name: 'frontEndUrl',
		type: 'string',
		default: '',
		displayOptions: shownFor('frontEndUrl'),
		description:
			"The address where the customer uses the product (frontEndUrl, required to show login details). Leave empty to use the input item's frontEndUrl field.",
	},
	{
		displayName: 'Admin URL',
		name: 'adminUrl',
		type: 'string',
		default: '',
		displayOptions: shownFor('adminUrl'),
		description:
			"Where the customer's administrator manages the product. Leave empty to use the input item's adminUrl field (Query Instance).",
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		displayOptions: shownFor('userName'),
		description:
			"The administrator account given to the customer. Leave empty to use the input item's userName field (Query Instance).",
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: shownFor('password'),
		description:
			"The initial administrator password. It never appears in this node's output. Leave empty to use the input item's password field (Query Instance).",
	},
	{
		displayName: 'Memo',
		name: 'memo',
		type: 'string',
		default: '',
		displayOptions: shownFor('memo'),
		description:
			"Free text for the customer (at most 1024 characters). Leave empty to use the input item's memo field (Query Instance).",
	},
	{
		displayName: 'Encrypt User Name and Password',
		name: 'encrypt',
		type: 'boolean',
		default: false,
		displayOptions: shownFor('encrypt'),
		description:
			'Whether to send the account encrypted with your seller key (AES, encryptType). The V2.0 guide shows plain text; turn this on if the seller console debugging page (应用接入调试) expects encrypted values.',
	},
	{
		displayName: 'Encryption',
		name: 'encryptType',
		type: 'options',
		default: '1',
		options: [
			{ name: 'AES-256 (encryptType 1)', value: '1' },
			{ name: 'AES-128 (encryptType 2)', value: '2' },
		],
		displayOptions: shownFor('encryptType', { encrypt: [true] }),
	},
	{
		displayName: 'Usage (On-Demand Products)',
		name: 'usage',
		type: 'fixedCollection',
		placeholder: 'Add usage',
		default: {},
		typeOptions: { multipleValues: true },
		displayOptions: shownFor('usage'),
		options: [
			{
				displayName: 'Usage',
				name: 'entries',
				values: [
					{
						displayName: 'Usage Value',
						name: 'usageValue',
						type: 'number',
						default: 0,
						typeOptions: { numberPrecision: 4 },
						description: 'Cumulative usage of the instance, or the used amount of a package',
					},
					{
						displayName: 'Statistics Time (UTC)',
						name: 'statisticalTime',
						type: 'string',
						default: '',
						description:
							'When the usage was counted, as yyyyMMddHHmmssSSS in UTC. Empty means now.',
					},
					{
						displayName: 'Related Instance ID',
						name: 'relatedInstanceId',
						type: 'string',
						default: '',
						description: 'For a package instance: the on-demand instance it belongs to',
					},
					{
						displayName: 'Dashboard URL',
						name: 'dashboardUrl',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: shownFor('options'),
		options: [
			{
				displayName: "Answer 'Not Found' When Nothing Was Found",
				name: 'notFoundAnswer',
				type: 'boolean',
				default: false,
				description:
					'Whether to answer that nothing was found when the input has nothing: no item, or only empty items, as a database step or Split Out set to Always Output Data gives when it found nothing. The answer is 000003 (instance not found, 实例不存在); for Query Instance (查询实例信息) also when an instance KooGallery asked about has no item. For New Purchase (创建实例) it is 000005 (try again later; KooGallery calls again for up to 3 hours), also when no instance ID was found (Instance ID empty and no input item with an instanceId): a purchase is never answered done without the instance your system made. Empty items are left out of the answer.',
			},
		],
	},
];

/** The subtitle under the node on the canvas. */
export const subtitle = answerSubtitle(ANSWERS);

/** The parameters of the node, in the order the editor shows them. */
export const properties: INodeProperties[] = [
	{
		displayName:
			'Put this node at the end of a KooGallery Trigger branch. It answers the call that started the run, signed with your seller key. KooGallery waits at most 5 seconds.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Answer To',
		name: 'respondTo',
		type: 'options',
		noDataExpression: true,
		default: 'result',
		options: answerToOptions(ANSWERS),
	},
	...PARAMETERS,
	...ownProperties(ANSWERS),
];
