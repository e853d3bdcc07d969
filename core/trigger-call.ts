/**
 * The contract between the triggers and the nodes that answer their calls: the `koogallery` block
 * a trigger adds to the item it starts a run with, how it is written and how it is read back. The
 * KooGallery Trigger writes a {@link KooGalleryCallBlock} and KooGallery Respond reads it; the
 * KooGallery API Trigger writes a {@link GatewayCallBlock} and KooGallery API Respond reads it.
 * Nothing else reads or writes these blocks.
 */
import { keyIndexOf, keyName, type KeyIndex, type KeyName } from './answer-key';

type Fields = Record<string, unknown>;

/** The name of the block in the item: `json.koogallery`. */
export const CALL_BLOCK = 'koogallery';

/** How the KooGallery Trigger's call was verified. */
export interface CallVerification {
	/** Which seller key signed the call; the answer is signed with the same one. */
	key: KeyName;
	/** Which reading of the body matched (for example `raw` or `canonical`). */
	form?: string;
	clockSkewMs: number;
}

/** What the KooGallery Trigger writes beside the call's fields. */
export interface KooGalleryCallBlock {
	/** The trigger's product type: saasV2, kit, license, saasV1 or orderNotify. */
	protocol: string;
	/** The call's activity (its scenario). */
	scenario: string;
	scenarioName: string;
	testFlag: boolean;
	unknownValues: string[];
	/** Protocol extras: `instanceIds` (instance details), `idempotencyKeys` (kit syncs). */
	[extra: string]: unknown;
	verification: CallVerification;
	receivedAt: string;
	/** The trigger already answered (notifications answered immediately). */
	answered: boolean;
}

/** What the KooGallery API Trigger writes beside the call's fields. */
export interface GatewayCallBlock {
	gateway: 'agents' | 'apig';
	requestId: string;
	customerId: string;
	customerName: string;
	apiKey?: string;
	method: string;
	path: string;
	query: Fields;
	headers: Fields;
	responseMode: 'streaming' | 'sync';
	streamFormat?: 'sse' | 'n8n';
	inputCounts?: unknown;
	verification: Fields & { method: string; key: KeyName };
	receivedAt: string;
}

/** The item a trigger starts its run with: the call's fields, then the block (never overwritten by them). */
export function callItem<Block>(data: Fields, block: Block): Fields {
	return { ...data, [CALL_BLOCK]: block };
}

/** Writes the verification part of a KooGallery call's block. */
export function callVerification(
	keyIndex: KeyIndex,
	form: string | undefined,
	clockSkewMs: number,
): CallVerification {
	return { key: keyName(keyIndex), ...(form ? { form } : {}), clockSkewMs };
}

/** The KooGallery call a Respond node answers, as read back from the trigger's item. */
export interface TriggerCall {
	triggerName: string;
	/** The trigger's product type: saasV2, kit, license, saasV1 or orderNotify. */
	protocol: string;
	scenario: string;
	/** 0 = current seller key, 1 = previous key: the answer is signed with the key that signed the call. */
	keyIndex: KeyIndex;
	/** The trigger already answered (notifications answered immediately). */
	answered: boolean;
	data: Fields;
	instanceIds: string[];
}

/** Whether an item's block was written by the KooGallery Trigger. */
export const isKooGalleryCallBlock = (block: Fields): boolean => typeof block.scenario === 'string';

/** Whether an item's block was written by the KooGallery API Trigger. */
export const isGatewayCallBlock = (block: Fields): boolean =>
	block.gateway === 'agents' || block.gateway === 'apig';

/** Reads a KooGallery Trigger item back (the block must pass {@link isKooGalleryCallBlock}). */
export function readKooGalleryCall(triggerName: string, json: Fields, block: Fields): TriggerCall {
	const verification = (block.verification ?? {}) as Fields;
	const data: Fields = { ...json };
	delete data[CALL_BLOCK];
	return {
		triggerName,
		protocol: typeof block.protocol === 'string' ? block.protocol : 'saasV2',
		scenario: block.scenario as string,
		keyIndex: keyIndexOf(verification.key),
		answered: block.answered === true,
		data,
		instanceIds: Array.isArray(block.instanceIds) ? block.instanceIds.map(String) : [],
	};
}

/** The gateway call an API Respond node answers, as read back from the API Trigger's item. */
export interface GatewayCall {
	gateway: 'agents' | 'apig';
	streaming: boolean;
}

/** Reads a KooGallery API Trigger item back (the block must pass {@link isGatewayCallBlock}). */
export function readGatewayCall(block: Fields): GatewayCall {
	return {
		gateway: block.gateway as 'agents' | 'apig',
		streaming: block.responseMode === 'streaming',
	};
}
