import type { INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';

/** Both usage operations: Push and Push (Old API). */
const usageOperations = ['push', 'pushOld'];
const mapped = (operations: string[] = usageOperations) =>
	showFor('usage', operations, { recordSource: ['mapped'] });

/**
 * The usage record parameters of Push and Push (Old API) (按需使用量推送): where records come from,
 * each field of a record when they are set below, and the push options.
 */
export const recordProperties: INodeProperties[] = [
	{
		displayName: 'Records From',
		name: 'recordSource',
		type: 'options',
		default: 'fields',
		displayOptions: showFor('usage', usageOperations),
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
		displayOptions: showFor('usage', usageOperations),
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
