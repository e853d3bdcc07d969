import {
	deepCopy,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	decryptBuyerContact,
	isEncryptType,
	type EncryptType,
} from '../../../../core/credential-crypto';
import type { SellerKeys } from '../../../shared/sellerKey';
import { decryptFields, itemByItem, itemError, loadSellerKeys, openWithKeys } from '../../helpers';
import { fieldList } from '../../itemFields';
import { showFor } from '../types';

/** Buyer Contact > Decrypt. */
export const description: INodeProperties[] = [
	{
		displayName: 'Fields',
		name: 'contactFields',
		type: 'string',
		default: 'mobilePhone, email',
		required: true,
		displayOptions: showFor('buyerContact'),
		description:
			'Names of the item fields holding an encrypted mobile number or e-mail, separated by commas; a dot reaches into an object (query.mobilePhone). Each is replaced by the plain value; empty or missing fields are left as they are.',
	},
	{
		displayName: 'Encrypt Type',
		name: 'contactEncryptType',
		type: 'options',
		default: '1',
		displayOptions: showFor('buyerContact'),
		options: [
			{ name: 'AES-256 (encryptType 1)', value: '1' },
			{ name: 'AES-128 (encryptType 2)', value: '2' },
			{ name: 'Try Both', value: 'both' },
		],
		description:
			'KooGallery does not say which AES size it uses for buyer contacts; 1 (AES-256) is the default of its sample. Try Both tries AES-256, then AES-128.',
	},
	{
		displayName: 'URL-Encoded',
		name: 'urlEncoded',
		type: 'options',
		default: 'auto',
		displayOptions: showFor('buyerContact'),
		options: [
			{
				name: 'Detect',
				value: 'auto',
				description: 'Decode %XX escapes when there are any (an encrypted value never contains %)',
			},
			{ name: 'Yes', value: 'yes', description: 'The values are still URL-encoded' },
			{ name: 'No', value: 'no', description: 'The values were already decoded' },
		],
		description:
			'V1.0 sends buyer contacts in the URL. A value taken from the raw URL is still URL-encoded; a value from a parsed query is not (a + turned into a space is repaired either way).',
	},
];

/** Decodes %XX escapes as asked; undefined when the escapes are broken. */
function urlDecoded(value: string, mode: string): string | undefined {
	if (mode === 'no' || (mode === 'auto' && !/%[0-9A-Fa-f]{2}/.test(value))) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return undefined;
	}
}

/** Item `i` with its listed contact fields decrypted with the current or the previous seller key. */
function decryptItem(
	ctx: IExecuteFunctions,
	i: number,
	item: INodeExecutionData,
	keys: SellerKeys,
): IDataObject {
	const fields = fieldList(ctx.getNodeParameter('contactFields', i, ''));
	const choice = String(ctx.getNodeParameter('contactEncryptType', i, '1'));
	const mode = String(ctx.getNodeParameter('urlEncoded', i, 'auto'));
	const types: EncryptType[] =
		choice === 'both' ? ['1', '2'] : isEncryptType(choice) ? [choice] : [];
	if (types.length === 0)
		throw itemError(ctx, i, 'The encrypt type must be 1 (AES-256), 2 (AES-128) or both.');
	if (keys.basic.length === 0)
		throw itemError(ctx, i, 'The KooGallery Seller Key credential has no key.');
	if (fields.length === 0) throw itemError(ctx, i, 'Give the names of the fields to decrypt.');
	const json = deepCopy(item.json);
	decryptFields(ctx, i, json, fields, {
		toWire: (value) => urlDecoded(value.trim(), mode),
		malformed: 'is not correctly URL-encoded',
		open: (wire) => openWithKeys(decryptBuyerContact, keys.basic, types, wire),
	});
	return json;
}

/**
 * Buyer Contact > Decrypt: the buyer's `mobilePhone` and `email` as KooGallery sends them
 * (docs/protocol/koogallery-openapi-v1.md §C.5, §C.6), URL-encoded or not, replaced by their plain values.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const keys = await loadSellerKeys(this);
	return [await itemByItem(this, (i, item) => decryptItem(this, i, item, keys))];
}
