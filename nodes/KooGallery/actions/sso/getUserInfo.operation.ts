import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { readUserInfoAnswer, userInfoSyncKeys } from '../../../../core/sso';
import { itemError } from '../../helpers';
import { showFor } from '../types';
import { refused, send, ssoItems, trimmedText } from './common';

/** Single Sign-On > Get User Info (获取用户信息); the options are in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: showFor('sso', ['getUserInfo']),
		description: 'The access_token of a Get Tokens or Refresh Token answer',
	},
];

/** Reads who signed in with each item's access token, with the field names of the kit syncs. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await ssoItems(this, 'getUserInfo', async (i, target) => {
		const accessToken = trimmedText(this.getNodeParameter('accessToken', i, ''));
		if (!accessToken) throw itemError(this, i, 'The access token is empty.');
		const response = await send(
			this,
			{
				method: 'GET',
				url: target.url,
				headers: { Accept: 'application/json', Authorization: `Bearer ${accessToken}` },
				timeout: target.timeout,
			},
			i,
		);
		const answer = readUserInfoAnswer(response.statusCode, response.body);
		if (!answer.ok) throw refused(this, answer, i);
		return { ...answer.value, sync: userInfoSyncKeys(answer.value) } as IDataObject;
	});
}
