import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { OPEN_API_ENDPOINTS } from '../../../../core/openapi-endpoints';
import { showFor } from '../types';
import { licenseCall } from './licenseCall';

/** License Code > Query (查询授权码, formerly heartbeat); the codes and API version are in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Third-Party Account',
		name: 'thirdPartyAccount',
		type: 'string',
		default: '',
		displayOptions: showFor('licenseCode', ['query'], { apiVersion: ['v1'] }),
		description:
			'Optional, being phased out by KooGallery: the end user of your software (account or device ID), sent as heartbeatInfo',
	},
	{
		displayName: 'IP Address',
		name: 'ip',
		type: 'string',
		default: '',
		displayOptions: showFor('licenseCode', ['query'], { apiVersion: ['v1'] }),
		description: 'Optional IP of the end user, sent with the third-party account',
	},
];

/** Adds `heartbeatInfo` (v1 only) when the item gives a third-party account. */
function addFields(ctx: IExecuteFunctions, i: number, version: string, body: IDataObject): void {
	if (version !== 'v1') return;
	const account = String(ctx.getNodeParameter('thirdPartyAccount', i, '') ?? '').trim();
	const ip = String(ctx.getNodeParameter('ip', i, '') ?? '').trim();
	if (account)
		body.heartbeatInfo = ip ? { thirdPartyAccount: account, ip } : { thirdPartyAccount: account };
}

/** Queries the license code(s) of each input item. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await licenseCall(this, {
		endpoints: {
			v1: OPEN_API_ENDPOINTS.licenseHeartbeatV1,
			v2: OPEN_API_ENDPOINTS.licenseHeartbeatV2,
		},
		addFields,
	});
}
