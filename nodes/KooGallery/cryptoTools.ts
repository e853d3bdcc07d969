import {
	NodeOperationError,
	deepCopy,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import {
	decryptBuyerContact,
	decryptCredential,
	encryptCredential,
	isEncryptType,
	KooGalleryCryptoError,
	type EncryptType,
} from '../../core/credential-crypto';
import { SELLER_KEY_CREDENTIAL, sellerKeysFrom, type SellerKeys } from '../shared/sellerKey';
import { fieldList, readField, writeField } from './itemFields';
import { asNodeError, failedItemJson } from './transport';

/** The seller keys of the node's KooGallery Seller Key credential. */
export async function loadSellerKeys(ctx: IExecuteFunctions): Promise<SellerKeys> {
	return sellerKeysFrom(
		await ctx.getCredentials<ICredentialDataDecryptedObject>(SELLER_KEY_CREDENTIAL),
	);
}

/** Runs `work` for every input item; a failure becomes an error item with Continue On Fail. */
export function itemByItem(
	ctx: IExecuteFunctions,
	work: (index: number, item: INodeExecutionData) => IDataObject,
): INodeExecutionData[] {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: work(i, items[i]), pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(ctx, error, i);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push({ json: failedItemJson(ctx, nodeError), pairedItem: { item: i } });
		}
	}
	return out;
}

interface Opened {
	text: string;
	keyIndex: number;
}

/**
 * Decrypts with each key (current, then previous) and each encrypt type given, returning the
 * first that opens the value. Throws the current key's error when none does; the messages come
 * from core and never contain the key, the value or its plain text.
 */
function openWithKeys(
	decrypt: typeof decryptCredential,
	keys: string[],
	types: EncryptType[],
	wire: string,
): Opened {
	let firstError: KooGalleryCryptoError | undefined;
	for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
		for (const type of types) {
			let text: string | undefined;
			try {
				text = decrypt(keys[keyIndex], wire, type);
			} catch (error) {
				firstError =
					firstError ??
					(error instanceof KooGalleryCryptoError
						? error
						: new KooGalleryCryptoError('The value could not be decrypted.'));
			}
			if (text !== undefined) return { text, keyIndex };
		}
	}
	throw firstError ?? new KooGalleryCryptoError('No key to decrypt with.');
}

const fieldError = (ctx: IExecuteFunctions, i: number, field: string, error: unknown) =>
	new NodeOperationError(ctx.getNode(), `Field "${field}": ${(error as Error).message}`, {
		itemIndex: i,
	});

/**
 * Credentials > Encrypt: each listed field of each item replaced by KooGallery's encrypted form
 * (docs/protocol/koogallery-saas-v2.md §5.2) made with the current seller key, plus `encryptType`.
 */
export async function encryptCredentials(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const keys = await loadSellerKeys(this);
	return itemByItem(this, (i, item) => {
		const fields = fieldList(this.getNodeParameter('credentialFields', i, ''));
		const type = String(this.getNodeParameter('encryptType', i, '1'));
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex: i });
		if (!isEncryptType(type)) throw fail('The encrypt type must be 1 (AES-256) or 2 (AES-128).');
		if (keys.basic.length === 0) throw fail('The KooGallery Seller Key credential has no key.');
		if (fields.length === 0) throw fail('Give the names of the fields to encrypt.');
		const json = deepCopy(item.json);
		let done = 0;
		for (const field of fields) {
			const value = readField(json, field);
			if (value === undefined || value === null || value === '') continue;
			if (typeof value === 'object')
				throw fail(`Field "${field}" holds an object or a list, not a value to encrypt.`);
			try {
				writeField(json, field, encryptCredential(keys.basic[0], String(value), type));
			} catch (error) {
				throw fieldError(this, i, field, error);
			}
			done++;
		}
		if (done === 0)
			throw fail(`The item has none of the fields ${fields.join(', ')}, or they are all empty.`);
		json.encryptType = type;
		return json;
	});
}

/**
 * Credentials > Decrypt: each listed field decrypted with the current seller key, or the previous
 * one while keys are being changed (then `decryptedWithPreviousKey` is true).
 */
export async function decryptCredentials(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const keys = await loadSellerKeys(this);
	return itemByItem(this, (i, item) => {
		const fields = fieldList(this.getNodeParameter('credentialFields', i, ''));
		const choice = String(this.getNodeParameter('decryptType', i, 'fromItem'));
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex: i });
		const fromItem = item.json.encryptType;
		const type =
			choice === 'fromItem'
				? fromItem === undefined || fromItem === null || fromItem === ''
					? '1'
					: String(fromItem)
				: choice;
		if (!isEncryptType(type))
			throw fail(
				`The item's encryptType is "${String(fromItem).slice(0, 10)}"; KooGallery knows only 1 (AES-256) and 2 (AES-128).`,
			);
		if (keys.basic.length === 0) throw fail('The KooGallery Seller Key credential has no key.');
		if (fields.length === 0) throw fail('Give the names of the fields to decrypt.');
		const json = deepCopy(item.json);
		let done = 0;
		let usedPrevious = false;
		for (const field of fields) {
			const value = readField(json, field);
			if (value === undefined || value === null || value === '') continue;
			if (typeof value !== 'string')
				throw fail(`Field "${field}" is not text, so it is not encrypted.`);
			let opened: Opened;
			try {
				opened = openWithKeys(decryptCredential, keys.basic, [type], value);
			} catch (error) {
				throw fieldError(this, i, field, error);
			}
			writeField(json, field, opened.text);
			usedPrevious = usedPrevious || opened.keyIndex === 1;
			done++;
		}
		if (done === 0)
			throw fail(`The item has none of the fields ${fields.join(', ')}, or they are all empty.`);
		if (usedPrevious) json.decryptedWithPreviousKey = true;
		return json;
	});
}

/** Decodes %XX escapes as asked; undefined when the escapes are broken. */
function urlDecoded(value: string, mode: string): string | undefined {
	if (mode === 'no' || (mode === 'auto' && !/%[0-9A-Fa-f]{2}/.test(value))) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return undefined;
	}
}

/**
 * Buyer Contact > Decrypt: the buyer's `mobilePhone` and `email` as KooGallery sends them
 * (docs/protocol/koogallery-openapi-v1.md §C.5, §C.6), URL-encoded or not, replaced by their plain values.
 */
export async function decryptBuyerContacts(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const keys = await loadSellerKeys(this);
	return itemByItem(this, (i, item) => {
		const fields = fieldList(this.getNodeParameter('contactFields', i, ''));
		const choice = String(this.getNodeParameter('contactEncryptType', i, '1'));
		const mode = String(this.getNodeParameter('urlEncoded', i, 'auto'));
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), message, { itemIndex: i });
		const types: EncryptType[] =
			choice === 'both' ? ['1', '2'] : isEncryptType(choice) ? [choice] : [];
		if (types.length === 0)
			throw fail('The encrypt type must be 1 (AES-256), 2 (AES-128) or both.');
		if (keys.basic.length === 0) throw fail('The KooGallery Seller Key credential has no key.');
		if (fields.length === 0) throw fail('Give the names of the fields to decrypt.');
		const json = deepCopy(item.json);
		let usedPrevious = false;
		for (const field of fields) {
			const value = readField(json, field);
			if (value === undefined || value === null || value === '') continue;
			if (typeof value !== 'string')
				throw fail(`Field "${field}" is not text, so it is not encrypted.`);
			const wire = urlDecoded(value.trim(), mode);
			if (wire === undefined) throw fail(`Field "${field}" is not correctly URL-encoded.`);
			let opened: Opened;
			try {
				opened = openWithKeys(decryptBuyerContact, keys.basic, types, wire);
			} catch (error) {
				throw fieldError(this, i, field, error);
			}
			writeField(json, field, opened.text);
			usedPrevious = usedPrevious || opened.keyIndex === 1;
		}
		if (usedPrevious) json.decryptedWithPreviousKey = true;
		return json;
	});
}
