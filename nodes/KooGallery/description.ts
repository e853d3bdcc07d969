import type { INodeProperties } from 'n8n-workflow';

import { buyerContact } from './actions/buyerContact';
import { credentials } from './actions/credentials';
import { licenseCode } from './actions/licenseCode';
import { order } from './actions/order';
import { signature } from './actions/signature';
import { sso } from './actions/sso';
import { usage } from './actions/usage';

/** The resources that call KooGallery's Open APIs with the Open API credential. */
export const OPEN_API_RESOURCES = ['order', 'usage', 'licenseCode'];

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
 * The parameters of the KooGallery node, in the order n8n's editor shows them: Resource, the
 * Operation of each resource, each resource's parameters, and the Request Options.
 */
export const kooGalleryProperties: INodeProperties[] = [
	resourceProperty,
	...OPERATIONS_FIRST.map((resource) => resource.operation),
	...OPERATIONS_FIRST.flatMap((resource) => resource.properties),
	sso.operation,
	...sso.properties,
	callOptionsProperty,
];
