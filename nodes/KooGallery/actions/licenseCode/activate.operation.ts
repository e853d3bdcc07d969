import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { OPEN_API_ENDPOINTS } from '../../../../core/openapi-endpoints';
import { itemError } from '../../helpers';
import { showFor } from '../types';
import { licenseCall, toLicenseTime } from './licenseCall';

/** License Code > Activate (激活授权码); the codes and API version are in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Real Effect Time',
		name: 'realEffectTime',
		type: 'string',
		default: '',
		placeholder: '2024-03-01T10:00:00Z',
		displayOptions: showFor('licenseCode', ['activate']),
		description:
			'When the license was really delivered (real_effect_time), not earlier than the order time. ISO 8601 with a zone, epoch milliseconds or yyyyMMddHHmmss in UTC. Leave empty to omit.',
	},
];

/** Adds `real_effect_time` when the item gives one. */
function addFields(ctx: IExecuteFunctions, i: number, _version: string, body: IDataObject): void {
	const effect = ctx.getNodeParameter('realEffectTime', i, '') as unknown;
	if (effect === '' || effect === undefined || effect === null) return;
	try {
		body.real_effect_time = toLicenseTime(effect);
	} catch (error) {
		throw itemError(ctx, i, (error as Error).message);
	}
}

/** Activates the license code(s) of each input item. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await licenseCall(this, {
		endpoints: {
			v1: OPEN_API_ENDPOINTS.licenseActivateV1,
			v2: OPEN_API_ENDPOINTS.licenseActivateV2,
		},
		addFields,
	});
}
