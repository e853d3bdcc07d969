import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { bodySignHeader, toKooGalleryJson } from '../../../../core/body-sign';
import type { SellerKeys } from '../../../shared/sellerKey';
import { itemByItem, itemError, loadSellerKeys } from '../../helpers';
import { showFor } from '../types';
import { namedKey } from '../../../../core/answer-key';

const CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Signature > Sign Body. */
export const description: INodeProperties[] = [
	{
		displayName: 'Body',
		name: 'bodyToSign',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: '{"resultCode":"000000","resultMsg":"success"}',
		displayOptions: showFor('signature', ['signBody']),
		description:
			"The JSON answer to sign. Text is signed exactly as given; an object (from an expression) is first written as compact JSON with non-ASCII characters as \\uXXXX, as KooGallery asks. Send the output's body, byte for byte, with its Body-Sign header.",
	},
	{
		displayName: 'Key',
		name: 'signingKey',
		type: 'options',
		default: 'current',
		displayOptions: showFor('signature', ['signBody']),
		options: [
			{ name: 'Seller Key', value: 'current' },
			{ name: 'Previous Seller Key', value: 'previous' },
			{ name: 'Joint-Operation Kit Key', value: 'kit' },
		],
		description:
			'Sign with the key that signed the call you answer. The keys come from the KooGallery Seller Key credential.',
	},
];

/** The exact body text of item `i` to sign: JSON text as given, an object as KooGallery JSON. */
function bodyText(ctx: IExecuteFunctions, i: number, given: unknown): string {
	if (typeof given === 'object' && given !== null) return toKooGalleryJson(given);
	if (typeof given !== 'string')
		throw itemError(ctx, i, 'The body to sign must be JSON text or an object.');
	if (given.trim() === '') throw itemError(ctx, i, 'The body to sign is empty.');
	try {
		JSON.parse(given);
	} catch {
		throw itemError(
			ctx,
			i,
			'The body is not valid JSON. KooGallery reads resultCode from a JSON answer, so sign the exact JSON text you will send.',
		);
	}
	return given;
}

/** What each key a seller can pick is called when the credential does not hold it. */
const KEY_NAMES: Record<string, string> = {
	current: 'key',
	previous: 'previous key',
	kit: 'joint-operation kit key',
};

/** The body of item `i` with its `Body-Sign` header, made with the key the item picks. */
function signItem(ctx: IExecuteFunctions, i: number, keys: SellerKeys): IDataObject {
	const given = ctx.getNodeParameter('bodyToSign', i, '') as unknown;
	const which = ctx.getNodeParameter('signingKey', i, 'current') as 'current' | 'previous' | 'kit';
	const body = bodyText(ctx, i, given);
	const key = namedKey(which, keys);
	if (!key)
		throw itemError(
			ctx,
			i,
			`The KooGallery Seller Key credential has no ${KEY_NAMES[which] ?? 'key'}.`,
		);
	const header = bodySignHeader(key, body);
	return {
		body,
		bodySign: header,
		headers: { 'Content-Type': CONTENT_TYPE, 'Body-Sign': header },
	};
}

/**
 * Signature > Sign Body: the `Body-Sign` header (docs/protocol/koogallery-saas-v2.md §3) over the exact body
 * text, with the body to send. Text is signed as given; an object is written as KooGallery JSON.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const keys = await loadSellerKeys(this);
	return [await itemByItem(this, (i) => signItem(this, i, keys))];
}
