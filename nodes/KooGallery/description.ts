import { NodeConnectionTypes, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { buyerContact } from './actions/buyerContact';
import { credentials } from './actions/credentials';
import { licenseCode } from './actions/licenseCode';
import { order } from './actions/order';
import { signature } from './actions/signature';
import { sso } from './actions/sso';
import { SSO_CREDENTIAL } from './actions/sso/common';
import { usage } from './actions/usage';

/** The resources that call KooGallery's Open APIs with the Open API credential. */
export const OPEN_API_RESOURCES = ['order', 'usage', 'licenseCode'];

const main = JSON.stringify(NodeConnectionTypes.Main);

export const resourceProperty: INodeProperties = {
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
};

/** Timeouts and retries, for every operation. */
export const callOptionsProperty: INodeProperties = {
	displayName: 'Request Options',
	name: 'callOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { resource: OPEN_API_RESOURCES } },
	options: [
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 1, maxValue: 600 },
			description:
				'How long to wait for each answer before treating the call as failed and retrying it',
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 1, maxValue: 10 },
			description:
				'Attempts per call, the first included. Only timeouts, dropped connections, 5xx answers and rate limits are retried.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			default: 120,
			typeOptions: { minValue: 0, maxValue: 3600 },
			description:
				'The most time this run spends waiting between retries, all calls together. When it is used up, failing calls are reported instead of retried.',
		},
		{
			displayName: 'First Retry Delay (Ms)',
			name: 'initialRetryDelayMs',
			type: 'number',
			default: 1000,
			typeOptions: { minValue: 0, maxValue: 60000 },
			description:
				'Wait before the first retry; it doubles with each further attempt (with some randomness), up to 30 seconds',
		},
	],
};

/**
 * The resources whose Operation parameters come first in the editor, in this order, before their
 * other parameters; Single Sign-On follows with its Operation and parameters together. Saved
 * workflows and the editor depend on this order staying as it is.
 */
const OPERATIONS_FIRST = [order, usage, licenseCode, credentials, buyerContact, signature];

/**
 * The KooGallery node as n8n's editor shows it: its resources, operations and parameters. A new
 * object for each node instance, as n8n's loader writes into the description it is given.
 */
export const kooGalleryDescription = (): INodeTypeDescription => ({
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
		resourceProperty,
		...OPERATIONS_FIRST.map((resource) => resource.operation),
		...OPERATIONS_FIRST.flatMap((resource) => resource.properties),
		sso.operation,
		...sso.properties,
		callOptionsProperty,
	],
});
