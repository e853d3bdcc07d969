import {
	deepCopy,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { decryptCredential, isEncryptType } from '../../../../core/credential-crypto';
import type { SellerKeys } from '../../../shared/sellerKey';
import { decryptFields, itemByItem, itemError, loadSellerKeys, openWithKeys } from '../../helpers';
import { fieldList } from '../../itemFields';
import { showFor } from '../types';
import { encryptTypeOptions } from './common.description';

/** The notice of Credentials > Decrypt, shown above the Fields parameter. */
export const decryptNotice: INodeProperties = {
	displayName:
		'Decrypted values are plain text in the output and in the saved execution. Use this to check what was sent, and keep such runs out of shared workflows.',
	name: 'decryptNotice',
	type: 'notice',
	default: '',
	displayOptions: showFor('credentials', ['decrypt']),
};

/** Credentials > Decrypt; the Fields parameter is in common.description.ts, the notice above it is `decryptNotice`. */
export const description: INodeProperties[] = [
	{
		displayName: 'Encrypt Type',
		name: 'decryptType',
		type: 'options',
		default: 'fromItem',
		displayOptions: showFor('credentials', ['decrypt']),
		options: [
			{ name: "From the Item's EncryptType Field (Else 1)", value: 'fromItem' },
			...encryptTypeOptions,
		],
		description: 'The encryptType the values were encrypted with',
	},
];

/** The encrypt type item `i` asks for: the parameter, or the item's `encryptType` (else 1). */
function decryptTypeOf(ctx: IExecuteFunctions, i: number, item: INodeExecutionData): string {
	const choice = String(ctx.getNodeParameter('decryptType', i, 'fromItem'));
	const fromItem = item.json.encryptType;
	if (choice !== 'fromItem') return choice;
	return fromItem === undefined || fromItem === null || fromItem === '' ? '1' : String(fromItem);
}

/** Item `i` with its listed fields decrypted with the current or the previous seller key. */
function decryptItem(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	keys: SellerKeys,
): IDataObject {
	const fields = fieldList(ctx.getNodeParameter('credentialFields', i, ''));
	const type = decryptTypeOf(ctx, i, item);
	if (!isEncryptType(type))
		throw itemError(
			ctx,
			i,
			`The item's encryptType is "${String(item.json.encryptType).slice(0, 10)}"; KooGallery knows only 1 (AES-256) and 2 (AES-128).`,
		);
	if (keys.basic.length === 0)
		throw itemError(ctx, i, 'The KooGallery Seller Key credential has no key.');
	if (fields.length === 0) throw itemError(ctx, i, 'Give the names of the fields to decrypt.');
	const json = deepCopy(item.json);
	const done = decryptFields(ctx, i, json, fields, {
		open: (wire) => openWithKeys(decryptCredential, keys.basic, [type], wire),
	});
	if (done === 0)
		throw itemError(
			ctx,
			i,
			`The item has none of the fields ${fields.join(', ')}, or they are all empty.`,
		);
	return json;
}

/**
 * Credentials > Decrypt: each listed field decrypted with the current seller key, or the previous
 * one while keys are being changed (then `decryptedWithPreviousKey` is true).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const keys = await loadSellerKeys(this);
	return [await itemByItem(this, (i, item) => decryptItem(this, i, item, keys))];
}
