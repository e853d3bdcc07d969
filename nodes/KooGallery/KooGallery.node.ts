import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { testSellerKey } from '../shared/sellerKey';
import { decryptBuyerContacts, decryptCredentials, encryptCredentials } from './cryptoTools';
import {
	callOptionsProperty,
	licenseProperties,
	orderProperties,
	usageProperties,
} from './descriptions';
import { licenseCodes } from './license';
import { getOrders } from './order';
import { signBodies, verifyRequests } from './signatureTools';
import { singleSignOn, SSO_CREDENTIAL, type SsoOperation } from './sso';
import { ssoProperties } from './ssoDescriptions';
import {
	buyerContactProperties,
	credentialProperties,
	signatureProperties,
	toolOperations,
} from './toolDescriptions';
import { wholeNumber, type RetryPolicy } from './transport';
import { pushUsage } from './usage';

/** Longest single wait between two attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

const main = JSON.stringify(NodeConnectionTypes.Main);

/** Operations that work on the items with the seller key, without calling KooGallery. */
const LOCAL_OPERATIONS: Record<string, (this: IExecuteFunctions) => Promise<INodeExecutionData[]>> =
	{
		'credentials.encrypt': encryptCredentials,
		'credentials.decrypt': decryptCredentials,
		'buyerContact.decrypt': decryptBuyerContacts,
		'signature.signBody': signBodies,
		'signature.verifyRequest': verifyRequests,
	};

export class KooGallery implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery',
		name: 'kooGallery',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			"Calls KooGallery's Open APIs as a seller: query orders (查询订单), push pay-per-use usage (按需使用量推送), activate and query license codes (授权码); with your seller key, encrypts and decrypts credentials and buyer contacts, signs answers and checks captured requests; and signs users in through a joint-operation tenant (联营kit SSO)",
		defaults: { name: 'KooGallery' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{$parameter["resource"] === "usage" ? [{"type":${main},"displayName":"Results"},{"type":${main},"displayName":"Failed"}] : [{"type":${main}}]}}`,
		// No displayOptions here: n8n's editor takes a parameter that credentials depend on for an
		// "authentication" choice and hides it, which would hide Resource. Each operation asks for
		// the one credential it needs and says so when it is missing.
		credentials: [
			{ name: 'kooGalleryOpenApi', required: false },
			{ name: 'kooGallerySellerKeyApi', required: false, testedBy: 'kooGallerySellerKeyTest' },
			{ name: SSO_CREDENTIAL, required: false },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'order',
				options: [
					{ name: 'Buyer Contact (手机号 / 邮箱)', value: 'buyerContact' },
					{ name: 'Credentials (appInfo 账号密码)', value: 'credentials' },
					{ name: 'License Code (授权码)', value: 'licenseCode' },
					{ name: 'Order (订单)', value: 'order' },
					{ name: 'Signature (签名)', value: 'signature' },
					{ name: 'Single Sign-On (联营Kit账号登录)', value: 'sso' },
					{ name: 'Usage (按需使用量)', value: 'usage' },
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'get',
				displayOptions: { show: { resource: ['order'] } },
				options: [
					{
						name: 'Get',
						value: 'get',
						action: 'Get an order',
						description:
							'Query an order and its lines: what the customer bought, for how long, and who they are',
					},
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'push',
				displayOptions: { show: { resource: ['usage'] } },
				options: [
					{
						name: 'Push',
						value: 'push',
						action: 'Push usage records',
						description:
							'Report pay-per-use usage with the current API (按需使用量推送(新)), in batches of up to 1000',
					},
					{
						name: 'Push (Old API)',
						value: 'pushOld',
						action: 'Push usage records with the old API',
						description:
							'Report usage with the old API (按需使用量推送(旧)), for products that still use it',
					},
				],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'activate',
				displayOptions: { show: { resource: ['licenseCode'] } },
				options: [
					{
						name: 'Activate',
						value: 'activate',
						action: 'Activate a license code',
						description: 'Activate a license code once the customer has it (激活授权码)',
					},
					{
						name: 'Query',
						value: 'query',
						action: 'Query a license code',
						description:
							'Check a license code, once a day on first use of your software (查询授权码, formerly heartbeat)',
					},
				],
			},
			...toolOperations,
			...orderProperties,
			...usageProperties,
			...licenseProperties,
			...credentialProperties,
			...buyerContactProperties,
			...signatureProperties,
			...ssoProperties,
			callOptionsProperty,
		],
	};

	methods = {
		credentialTest: { kooGallerySellerKeyTest: testSellerKey },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const local = LOCAL_OPERATIONS[`${resource}.${operation}`];
		if (local) return [await local.call(this)];
		if (
			resource === 'sso' &&
			(operation === 'getTokens' || operation === 'refreshToken' || operation === 'getUserInfo')
		) {
			return [await singleSignOn.call(this, operation as SsoOperation)];
		}
		const call = this.getNodeParameter('callOptions', 0, {}) as IDataObject;
		const policy: RetryPolicy = {
			maxAttempts: wholeNumber(call.maxAttempts, 5, 1, 10),
			initialDelayMs: wholeNumber(call.initialRetryDelayMs, 1000, 0, 60_000),
			maxDelayMs: MAX_RETRY_DELAY_MS,
		};
		const budget = { remainingMs: wholeNumber(call.maxRetryWaitSeconds, 120, 0, 3600) * 1000 };
		const timeoutMs = wholeNumber(call.timeoutSeconds, 30, 1, 600) * 1000;

		if (resource === 'order' && operation === 'get') {
			return [await getOrders.call(this, policy, budget, timeoutMs)];
		}
		if (resource === 'usage' && (operation === 'push' || operation === 'pushOld')) {
			return await pushUsage.call(
				this,
				operation === 'push' ? 'new' : 'old',
				policy,
				budget,
				timeoutMs,
			);
		}
		if (resource === 'licenseCode' && (operation === 'activate' || operation === 'query')) {
			return [await licenseCodes.call(this, operation, policy, budget, timeoutMs)];
		}
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported.`,
		);
	}
}
