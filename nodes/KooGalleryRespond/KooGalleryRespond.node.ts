import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { answerKey } from '../../core/answer-key';
import { signedJsonResponse } from '../../core/body-sign';
import { encryptCredential, type EncryptType } from '../../core/credential-crypto';
import { defaultInstanceId, MAX_INSTANCE_ID_LENGTH } from '../../core/instance-id';
import { isResultCode, RESULT_CODES, resultBody } from '../../core/result-codes';
import { LICENSE_RESULT_CODES } from '../../core/schemas/license';
import { SELLER_KEY_CREDENTIAL, sellerKeysFrom, testSellerKey } from '../shared/sellerKey';
import { buildInstanceInfo, type InstanceInfoInput } from '../../core/saas-v2-answers';
import { findTriggerCall, type TriggerCall } from '../shared/triggerCall';

type RespondTo = 'newInstance' | 'queryInstance' | 'changeInstanceCheck' | 'license' | 'result';

/** The scenarios each kind of answer fits (SaaS V2.0 and V1.0 share names; License has its own). */
const SCENARIOS_OF: Record<Exclude<RespondTo, 'result'>, string[]> = {
	newInstance: ['newInstance'],
	queryInstance: ['queryInstance'],
	changeInstanceCheck: ['changeInstanceCheck'],
	license: ['getLicense', 'getLicenseAsync'],
};

/** Codes only the License guides define (online License activation, docs/protocol/koogallery-joint-license.md §8.3). */
const LICENSE_ONLY_CODES = ['000900', '000901', '000902', '000903'] as const;
type LicenseOnlyCode = (typeof LICENSE_ONLY_CODES)[number];
const isLicenseOnlyCode = (code: string): code is LicenseOnlyCode =>
	(LICENSE_ONLY_CODES as readonly string[]).includes(code);

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

export class KooGalleryRespond implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery Respond',
		name: 'kooGalleryRespond',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle:
			'={{"Answer: " + ({ newInstance: "New Purchase", queryInstance: "Query Instance", changeInstanceCheck: "Change Check", license: "Issue License", result: "Result Code" })[$parameter["respondTo"]] }}',
		description:
			'Sends KooGallery the signed answer (Body-Sign) to the call a KooGallery Trigger received',
		defaults: { name: 'KooGallery Respond' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'kooGallerySellerKeyApi', required: true, testedBy: 'kooGallerySellerKeyTest' },
		],
		properties: [
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
				options: [
					{
						name: 'Any Scenario: Result Code Only',
						value: 'result',
						description:
							'Order notification, renewal, freeze or unfreeze, release, upgrade, or an error for any scenario',
					},
					{
						name: 'Issue License (获取License)',
						value: 'license',
						description:
							'License products: answer getLicense or getLicenseAsync with the license (and instance ID)',
					},
					{
						name: 'New Purchase (创建实例)',
						value: 'newInstance',
						description: 'Answer with the instance ID of the new purchase',
					},
					{
						name: 'Query Instance (查询实例信息)',
						value: 'queryInstance',
						description:
							'Answer with the login address and account of each instance, one input item per instance',
					},
					{
						name: 'Renewal Change Check (续费变更校验)',
						value: 'changeInstanceCheck',
						description: 'Allow or refuse the change the customer asked for',
					},
				],
			},
			{
				displayName: 'Result Code',
				name: 'resultCode',
				type: 'options',
				default: '000000',
				options: resultCodeOptions,
				displayOptions: { hide: { respondTo: ['changeInstanceCheck'] } },
				description:
					'000000 means done. For a new purchase that is still being set up, use 000004 and answer the instance details later, when KooGallery asks (Query Instance).',
			},
			{
				displayName: 'Allow the Change',
				name: 'allowChange',
				type: 'boolean',
				default: true,
				displayOptions: { show: { respondTo: ['changeInstanceCheck'] } },
				description:
					'Whether the customer may renew with the new product (for example a downgrade that still fits their usage)',
			},
			{
				displayName: 'Message',
				name: 'resultMessage',
				type: 'string',
				default: '',
				description:
					"Short text KooGallery shows with the result (at most 255 characters). Empty uses the result code's meaning.",
			},
			{
				displayName: 'Instance ID',
				name: 'instanceId',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['newInstance', 'license'] } },
				hint: "Empty: the input item's instanceId, else an ID made from the order, the same on every retry",
				description:
					"Your ID for the new instance. Leave empty to use the input item's instanceId field (for example the row you found for this order), or else an ID made from the order line (its orderLineId, or a code computed from orderId and orderLineId or productId), which every retry of the order gets again; for getLicenseAsync, the instance ID KooGallery sent.",
			},
			{
				displayName: 'License',
				name: 'license',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				displayOptions: { show: { respondTo: ['license'] } },
				description:
					'The license (code or file content) for the customer. A repeated call for the same order or event must get the same license.',
			},
			{
				displayName:
					'Login details: SaaS V1.0 products send them with the new purchase (always encrypted); SaaS V2.0 products send them only when KooGallery asks (Query Instance), so leave them empty there.',
				name: 'loginNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { respondTo: ['newInstance'] } },
			},
			{
				displayName: 'Instance ID',
				name: 'infoInstanceId',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance'] } },
				hint: "Empty: the input item's instanceId, or the only instance KooGallery asked about",
				description:
					"The instance this item describes. Leave empty to use the input item's instanceId field, or the only instance KooGallery asked about.",
			},
			{
				displayName: 'Customer URL',
				name: 'frontEndUrl',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
				description:
					"The address where the customer uses the product (frontEndUrl, required to show login details). Leave empty to use the input item's frontEndUrl field.",
			},
			{
				displayName: 'Admin URL',
				name: 'adminUrl',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
				description:
					"Where the customer's administrator manages the product. Leave empty to use the input item's adminUrl field (Query Instance).",
			},
			{
				displayName: 'User Name',
				name: 'userName',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
				description:
					"The administrator account given to the customer. Leave empty to use the input item's userName field (Query Instance).",
			},
			{
				displayName: 'Password',
				name: 'password',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
				description:
					"The initial administrator password. It never appears in this node's output. Leave empty to use the input item's password field (Query Instance).",
			},
			{
				displayName: 'Memo',
				name: 'memo',
				type: 'string',
				default: '',
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
				description:
					"Free text for the customer (at most 1024 characters). Leave empty to use the input item's memo field (Query Instance).",
			},
			{
				displayName: 'Encrypt User Name and Password',
				name: 'encrypt',
				type: 'boolean',
				default: false,
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'] } },
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
				displayOptions: { show: { respondTo: ['queryInstance', 'newInstance'], encrypt: [true] } },
			},
			{
				displayName: 'Usage (On-Demand Products)',
				name: 'usage',
				type: 'fixedCollection',
				placeholder: 'Add usage',
				default: {},
				typeOptions: { multipleValues: true },
				displayOptions: { show: { respondTo: ['queryInstance'] } },
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
		],
	};

	methods = {
		credentialTest: { kooGallerySellerKeyTest: testSellerKey },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const respondTo = this.getNodeParameter('respondTo', 0) as RespondTo;
		const call: TriggerCall = findTriggerCall(this);

		if (respondTo !== 'result' && !SCENARIOS_OF[respondTo].includes(call.scenario)) {
			throw new NodeOperationError(
				node,
				`This node answers "${respondTo}" but the call that started this run is "${call.scenario}".`,
				{
					description:
						'Connect it to the matching output of the KooGallery Trigger, or set "Answer To" to the scenario of that output.',
				},
			);
		}
		const passThrough = items.map((item, index) => ({
			json: item.json,
			pairedItem: { item: index },
		}));
		if (call.answered) return [passThrough];

		const keys = sellerKeysFrom(
			await this.getCredentials<ICredentialDataDecryptedObject>(SELLER_KEY_CREDENTIAL),
		);
		const key = answerKey(call.protocol, keys, call.keyIndex);
		if (!key) {
			throw new NodeOperationError(
				node,
				`The seller key credential has no ${call.protocol === 'kit' ? 'kit key' : 'key'}.`,
				{
					description:
						'Open the KooGallery Seller Key credential and paste the key from the seller console.',
				},
			);
		}
		// SaaS V1.0 always encrypts returned credentials (docs/protocol/README.md decision 6).
		const encryptionRequired = call.protocol === 'saasV1';
		const encrypt = (text: string, type: EncryptType) => encryptCredential(key, text, type);
		const fail = (message: string, description: string, itemIndex = 0) =>
			new NodeOperationError(node, message, { itemIndex, description });

		let body: IDataObject;
		let summary: IDataObject;
		if (respondTo === 'changeInstanceCheck') {
			const allow = this.getNodeParameter('allowChange', 0) as boolean;
			const message = this.getNodeParameter('resultMessage', 0, '') as string;
			body = resultBody(
				allow ? '000000' : '000005',
				message || (allow ? 'The change is allowed.' : 'The change is not allowed.'),
			);
			summary = { ...body };
		} else {
			const code = this.getNodeParameter('resultCode', 0) as string;
			if (!isResultCode(code) && !isLicenseOnlyCode(code))
				throw fail(
					`"${code}" is not a KooGallery result code.`,
					'Pick one of the listed codes, such as 000000 for success.',
				);
			const message = (this.getNodeParameter('resultMessage', 0, '') as string) || undefined;
			body = resultBody(
				code,
				message ?? (isLicenseOnlyCode(code) ? LICENSE_RESULT_CODES[code] : undefined),
			);
			summary = { ...body };
			const answersData = code === '000000' || code === '000004';
			if (respondTo === 'newInstance' || respondTo === 'license') {
				const given = (this.getNodeParameter('instanceId', 0, '') as string).trim();
				const fromItem = items[0]?.json.instanceId;
				// The workflow's own ID wins; without one, an ID every retry of the order line gets again
				// (docs/protocol/README.md decision 17, see defaultInstanceId), never the retry's own businessId.
				const instanceId =
					given ||
					String(
						(typeof fromItem === 'string' && fromItem) ||
							call.data.instanceId ||
							defaultInstanceId(call.data) ||
							call.data.businessId ||
							'',
					).trim();
				if (instanceId === '' || instanceId.length > MAX_INSTANCE_ID_LENGTH)
					throw fail(
						'The instance ID must be 1 to 64 characters.',
						'Use your own ID for the instance, or leave it empty for an ID made from the order.',
					);
				body.instanceId = summary.instanceId = instanceId;
				if (respondTo === 'license' && answersData) {
					const license = String(this.getNodeParameter('license', 0, '') ?? '');
					if (license === '')
						throw fail(
							'The license is empty.',
							'Put the license your generator issued for this order in "License".',
						);
					body.license = license;
					summary.license = '(set)';
				}
				if (respondTo === 'newInstance') {
					const login = readInstanceInfo(this, 0, encryptionRequired);
					const hasLogin = Boolean(
						login.frontEndUrl || login.userName || login.password || login.adminUrl || login.memo,
					);
					if (hasLogin && call.protocol === 'saasV2') {
						throw fail(
							'SaaS V2.0 does not take login details on a new purchase.',
							'Leave the login fields empty here and answer them in a KooGallery Respond node set to Query Instance.',
						);
					}
					if (hasLogin) {
						const built = buildInstanceInfo([{ ...login, instanceId }], [instanceId], encrypt);
						if (!built.ok) throw fail(built.message, built.description);
						const [entry] = built.body.info as IDataObject[];
						const [shown] = built.summary;
						Object.assign(body, { encryptType: built.body.encryptType, appInfo: entry.appInfo });
						Object.assign(summary, { encryptType: built.body.encryptType, appInfo: shown.appInfo });
					}
				}
			} else if (respondTo === 'queryInstance' && answersData) {
				const infos = items.map((item, itemIndex) =>
					readInstanceInfo(this, itemIndex, encryptionRequired, item.json),
				);
				const built = buildInstanceInfo(infos, call.instanceIds, encrypt);
				if (!built.ok) throw fail(built.message, built.description, built.itemIndex);
				Object.assign(body, built.body);
				summary.info = built.summary;
			}
		}

		const response = signedJsonResponse(key, body);
		await this.sendResponse({ body: response.body, headers: response.headers, statusCode: 200 });
		return [
			passThrough.map((item, index) =>
				index === 0 ? { ...item, json: { ...item.json, koogalleryAnswer: summary } } : item,
			),
		];
	}
}

/** The login fields a Query Instance answer takes from the input item when left empty. */
const ITEM_FIELDS = ['frontEndUrl', 'adminUrl', 'userName', 'password', 'memo'] as const;

/**
 * Reads one instance's answer fields. For Query Instance, an empty field takes the input item's
 * field of the same name (and `instanceId`), so a row looked up from a table needs no expressions.
 */
function readInstanceInfo(
	context: IExecuteFunctions,
	itemIndex: number,
	encryptionRequired: boolean,
	fromItem?: IDataObject,
): InstanceInfoInput {
	const fallback = (name: string): string => {
		const value = fromItem?.[name];
		return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
	};
	const read = (name: string, itemField = name): string => {
		const value = String(context.getNodeParameter(name, itemIndex, '') ?? '');
		return (value || fallback(itemField)).trim();
	};
	const itemInstanceId = fallback('instanceId');
	const usage = context.getNodeParameter('usage.entries', itemIndex, []) as IDataObject[];
	const [frontEndUrl, adminUrl, userName, password, memo] = ITEM_FIELDS.map((field) => read(field));
	return {
		// A comma list is the request's own instanceId (several instances asked about): not one ID.
		instanceId: read('infoInstanceId', itemInstanceId.includes(',') ? '' : 'instanceId'),
		frontEndUrl,
		adminUrl,
		userName,
		password,
		memo,
		encryptType:
			encryptionRequired || context.getNodeParameter('encrypt', itemIndex, false)
				? (context.getNodeParameter('encryptType', itemIndex, '1') as EncryptType)
				: undefined,
		usage: usage.map((entry) => ({
			usageValue: Number(entry.usageValue ?? 0),
			statisticalTime: String(entry.statisticalTime ?? ''),
			relatedInstanceId: String(entry.relatedInstanceId ?? ''),
			dashboardUrl: String(entry.dashboardUrl ?? ''),
		})),
	};
}
