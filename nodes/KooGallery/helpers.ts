import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { KooGalleryCryptoError, type EncryptType } from '../../core/credential-crypto';
import { SELLER_KEY_CREDENTIAL, sellerKeysFrom, type SellerKeys } from '../shared/sellerKey';
import { readField, writeField } from './itemFields';
import { asNodeError, failedItemJson } from './transport';

/** The seller keys of the node's KooGallery Seller Key credential. */
export async function loadSellerKeys(ctx: IExecuteFunctions): Promise<SellerKeys> {
	return sellerKeysFrom(
		await ctx.getCredentials<ICredentialDataDecryptedObject>(SELLER_KEY_CREDENTIAL),
	);
}

/**
 * Runs `work` for every input item, one after the other; a failure is thrown, or with "Continue"
 * becomes an error item (routed to the error output when the node has one). `keptOnFailure` gives
 * the fields of the input item a failed item keeps (none when absent or undefined).
 */
export async function itemByItem(
	ctx: IExecuteFunctions,
	work: (index: number, item: INodeExecutionData) => IDataObject | Promise<IDataObject>,
	keptOnFailure?: (index: number, item: INodeExecutionData) => IDataObject | undefined,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: await work(i, items[i]), pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(ctx, error, i);
			if (!ctx.continueOnFail()) throw nodeError;
			const kept = keptOnFailure?.(i, items[i]);
			out.push({ json: failedItemJson(ctx, nodeError, kept), pairedItem: { item: i } });
		}
	}
	return out;
}

/** A NodeOperationError for item `itemIndex`. */
export const itemError = (ctx: IExecuteFunctions, itemIndex: number, message: string) =>
	new NodeOperationError(ctx.getNode(), message, { itemIndex });

/** A value decrypted by `openWithKeys`, and which key opened it (0 current, 1 previous). */
export interface Opened {
	text: string;
	keyIndex: number;
}

/**
 * Decrypts with each key (current, then previous) and each encrypt type given, returning the
 * first that opens the value. Throws the current key's error when none does; the messages come
 * from core and never contain the key, the value or its plain text.
 */
export function openWithKeys(
	decrypt: (key: string, wire: string, type: EncryptType) => string,
	keys: readonly string[],
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

/** The error for one field of an item that could not be encrypted or decrypted. */
export const fieldError = (ctx: IExecuteFunctions, i: number, field: string, error: unknown) =>
	new NodeOperationError(ctx.getNode(), `Field "${field}": ${(error as Error).message}`, {
		itemIndex: i,
	});

/**
 * Decrypts the listed text fields of `json` in place with the seller keys (current, then
 * previous); empty or missing fields are left alone. `toWire` turns a field's value into what
 * KooGallery encrypted (undefined: the value is malformed, named in `malformed`). Returns how many
 * fields were decrypted; sets `decryptedWithPreviousKey` when the previous key was needed.
 */
export function decryptFields(
	ctx: IExecuteFunctions,
	i: number,
	json: IDataObject,
	fields: string[],
	decrypt: {
		open: (wire: string) => Opened;
		toWire?: (value: string) => string | undefined;
		malformed?: string;
	},
): number {
	let done = 0;
	let usedPrevious = false;
	for (const field of fields) {
		const value = readField(json, field);
		if (value === undefined || value === null || value === '') continue;
		if (typeof value !== 'string')
			throw itemError(ctx, i, `Field "${field}" is not text, so it is not encrypted.`);
		const wire = decrypt.toWire ? decrypt.toWire(value) : value;
		if (wire === undefined) throw itemError(ctx, i, `Field "${field}" ${decrypt.malformed}.`);
		let opened: Opened;
		try {
			opened = decrypt.open(wire);
		} catch (error) {
			throw fieldError(ctx, i, field, error);
		}
		writeField(json, field, opened.text);
		usedPrevious = usedPrevious || opened.keyIndex === 1;
		done++;
	}
	if (usedPrevious) json.decryptedWithPreviousKey = true;
	return done;
}
