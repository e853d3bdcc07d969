import type { INodeProperties } from 'n8n-workflow';

/** The resources that call KooGallery's Open APIs with the Open API credential. */
export const OPEN_API_RESOURCES = ['order', 'usage', 'licenseCode'];

/** Order > Get (查询订单). */
export const orderProperties: INodeProperties[] = [
	{
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'CS2207261447AUY4H',
		displayOptions: { show: { resource: ['order'], operation: ['get'] } },
		description:
			'The KooGallery order ID (订单ID), for example from a new purchase (newInstance) call. The documented mock orders such as MOCKPERIODYEARNEW work with real credentials for testing.',
	},
	{
		displayName: 'Order Line ID',
		name: 'orderLineId',
		type: 'string',
		default: '',
		placeholder: 'CS2207261447AUY4H-000001',
		displayOptions: { show: { resource: ['order'], operation: ['get'] } },
		description: 'Only this line of the order (订单行ID). Leave empty for the whole order.',
	},
];

const usageOperations = ['push', 'pushOld'];
const mapped = (operations: string[] = usageOperations) => ({
	show: { resource: ['usage'], operation: operations, recordSource: ['mapped'] },
});

/** Usage > Push and Push (Old API) (按需使用量推送). */
export const usageProperties: INodeProperties[] = [
	{
		displayName:
			'Each input item is one usage record. Output "Results" has one item per input item with its status: pushed (KooGallery accepted it), invalid (a field is wrong: see field and reason; it was not sent) or failed (KooGallery refused it or could not be reached after retries: see reason). Output "Failed" repeats the invalid and failed items, so you can alert or retry without filtering. Pushing the same records again is safe: each record keeps its metering_sn, so KooGallery counts it once.',
		name: 'usageNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['usage'], operation: ['push'] } },
	},
	{
		displayName:
			'The old usage API (按需使用量推送(旧)) is for products that still use it. It needs product_id and has no metering_sn; KooGallery drops a second record with the same instance, begin_time and end_time. Output "Results" has one item per input item with its status; output "Failed" repeats those not accepted.',
		name: 'usageOldNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['usage'], operation: ['pushOld'] } },
	},
	{
		displayName: 'Records From',
		name: 'recordSource',
		type: 'options',
		default: 'fields',
		displayOptions: { show: { resource: ['usage'], operation: usageOperations } },
		options: [
			{
				name: 'Input Item Fields',
				value: 'fields',
				description:
					'Read instance_id, begin_time, end_time, usage_value and the optional metering_sn, relate_pkg_instance, record_time (and product_id for the old API) from each item; camelCase names work too',
			},
			{
				name: 'Values Below',
				value: 'mapped',
				description: 'Set each value below, usually with an expression',
			},
		],
	},
	{
		displayName: 'Instance ID',
		name: 'instanceId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: mapped(),
		description:
			'The pay-per-use instance ID your production interface returned for the order (instance_id)',
	},
	{
		displayName: 'Begin Time',
		name: 'beginTime',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2024-03-01T10:00:00Z',
		displayOptions: mapped(),
		description:
			"Start of the usage period: ISO 8601 with Z or an offset, epoch milliseconds, or yyyyMMdd'T'HHmmss'Z'. It is sent in UTC and must be within the last 21 days.",
	},
	{
		displayName: 'End Time',
		name: 'endTime',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2024-03-01T11:00:00Z',
		displayOptions: mapped(),
		description:
			'End of the usage period, not before the begin time. Same formats as the begin time.',
	},
	{
		displayName: 'Usage Value',
		name: 'usageValue',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1.5',
		displayOptions: mapped(),
		description:
			'The amount used, in the unit of the billing item (计费项) of the product: a positive number with at most 4 decimal places',
	},
	{
		displayName: 'Metering Serial Number',
		name: 'meteringSn',
		type: 'string',
		default: '',
		displayOptions: mapped(['push']),
		description:
			'Your unique ID for this record (metering_sn, at most 64 characters). Leave empty to derive a stable one from the instance and the period, so the same usage is never counted twice.',
	},
	{
		displayName: 'Product ID',
		name: 'productId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: mapped(['pushOld']),
		description: 'The product ID of the instance (product_id), required by the old usage API',
	},
	{
		displayName: 'Package Instance ID',
		name: 'relatePkgInstance',
		type: 'string',
		default: '',
		displayOptions: mapped(),
		description:
			'Only for stop-before-excess packages (用完即停套餐包): the package instance the usage is deducted from (relate_pkg_instance)',
	},
	{
		displayName: 'Record Time',
		name: 'recordTime',
		type: 'string',
		default: '',
		displayOptions: mapped(),
		description:
			'When the usage was recorded (record_time). Leave empty to use the time of the push.',
	},
	{
		displayName: 'Usage Options',
		name: 'usageOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['usage'], operation: usageOperations } },
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 1, maxValue: 1000 },
				description:
					'Records per call, at most 1000. If KooGallery says a call is too big (MKT.9003), the node halves the batches by itself.',
			},
			{
				displayName: 'Check Time Window',
				name: 'checkTimeWindow',
				type: 'boolean',
				default: true,
				description:
					'Whether to mark records invalid whose begin time is more than 21 days ago or whose times lie in the future, before sending',
			},
			{
				displayName: 'Send Usage Value as Text',
				name: 'usageValueAsText',
				type: 'boolean',
				default: false,
				description:
					'Whether to send usage_value as text ("1.5") instead of a JSON number. The international pages type it as a number, the Chinese mainland page as text.',
			},
			{
				displayName: 'Include Input Fields',
				name: 'includeInput',
				type: 'boolean',
				default: true,
				description:
					'Whether to copy each input item to the "input" field of its result, so you can tell which row to mark as pushed',
			},
		],
	},
];

/** License Code > Activate and Query (激活授权码, 查询授权码). */
export const licenseProperties: INodeProperties[] = [
	{
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'options',
		default: 'v1',
		displayOptions: { show: { resource: ['licenseCode'] } },
		options: [
			{ name: 'V1: One Code per Call', value: 'v1' },
			{ name: 'V2: Up to 100 Codes per Call', value: 'v2' },
		],
		description:
			'KooGallery accepts either version for the access check. The v2 answer format is not fully documented; its data is passed on as it comes.',
	},
	{
		displayName: 'License Codes',
		name: 'licenseCodes',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'PLXXXXXX',
		displayOptions: { show: { resource: ['licenseCode'] } },
		description:
			'The license code (授权码); for v2, several codes separated by commas or new lines, or a list from an expression',
	},
	{
		displayName: 'Real Effect Time',
		name: 'realEffectTime',
		type: 'string',
		default: '',
		placeholder: '2024-03-01T10:00:00Z',
		displayOptions: { show: { resource: ['licenseCode'], operation: ['activate'] } },
		description:
			'When the license was really delivered (real_effect_time), not earlier than the order time. ISO 8601 with a zone, epoch milliseconds or yyyyMMddHHmmss in UTC. Leave empty to omit.',
	},
	{
		displayName: 'Third-Party Account',
		name: 'thirdPartyAccount',
		type: 'string',
		default: '',
		displayOptions: {
			show: { resource: ['licenseCode'], operation: ['query'], apiVersion: ['v1'] },
		},
		description:
			'Optional, being phased out by KooGallery: the end user of your software (account or device ID), sent as heartbeatInfo',
	},
	{
		displayName: 'IP Address',
		name: 'ip',
		type: 'string',
		default: '',
		displayOptions: {
			show: { resource: ['licenseCode'], operation: ['query'], apiVersion: ['v1'] },
		},
		description: 'Optional IP of the end user, sent with the third-party account',
	},
];

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
