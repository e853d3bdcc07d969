import {
	deepCopy,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { encryptCredential, isEncryptType } from '../../../../core/credential-crypto';
import type { SellerKeys } from '../../../shared/sellerKey';
import { fieldError, itemByItem, itemError, loadSellerKeys } from '../../helpers';
import { fieldList, readField, writeField } from '../../itemFields';
import { showFor } from '../types';
import { encryptTypeOptions } from './common.description';

/** Credentials > Encrypt; the Fields parameter is in common.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName: 'Encrypt Type',
		name: 'encryptType',
		type: 'options',
		default: '1',
		displayOptions: showFor('credentials', ['encrypt']),
		options: encryptTypeOptions,
		description:
			'The encryptType to send with the values: 1 (AES-256) unless your product uses 2. The output item gets an encryptType field with it.',
	},
];

/** Item `i` with its listed fields encrypted with the current seller key. */
function encryptItem(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	keys: SellerKeys,
): IDataObject {
	const fields = fieldList(ctx.getNodeParameter('credentialFields', i, ''));
	const type = String(ctx.getNodeParameter('encryptType', i, '1'));
	if (!isEncryptType(type))
		throw itemError(ctx, i, 'The encrypt type must be 1 (AES-256) or 2 (AES-128).');
	if (keys.basic.length === 0)
		throw itemError(ctx, i, 'The KooGallery Seller Key credential has no key.');
	if (fields.length === 0) throw itemError(ctx, i, 'Give the names of the fields to encrypt.');
	const json = deepCopy(item.json);
	let done = 0;
	for (const field of fields) {
		const value = readField(json, field);
		if (value === undefined || value === null || value === '') continue;
		if (typeof value === 'object')
			throw itemError(
				ctx,
				i,
				`Field "${field}" holds an object or a list, not a value to encrypt.`,
			);
		try {
			writeField(json, field, encryptCredential(keys.basic[0], String(value), type));
		} catch (error) {
			throw fieldError(ctx, i, field, error);
		}
		done++;
	}
	if (done === 0)
		throw itemError(
			ctx,
			i,
			`The item has none of the fields ${fields.join(', ')}, or they are all empty.`,
		);
	json.encryptType = type;
	return json;
}

/**
 * Credentials > Encrypt: each listed field of each item replaced by KooGallery's encrypted form
 * (docs/protocol/koogallery-saas-v2.md §5.2) made with the current seller key, plus `encryptType`.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const keys = await loadSellerKeys(this);
	return [await itemByItem(this, (i, item) => encryptItem(this, i, item, keys))];
}
