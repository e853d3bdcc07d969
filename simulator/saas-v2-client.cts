/**
 * Sends SaaS V2.0 calls exactly as KooGallery signs them, and reads the answers the way
 * KooGallery does: HTTP status, `Body-Sign` over the exact bytes received, then the JSON.
 * Shared by the simulator and the end-to-end tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { canonicalSaasV2Payload, signSaasV2Request } from '../core/saas-v2-signature';
import { sendHttp, type CallAnswer } from './http.cjs';

export interface SignedCall {
	url: string;
	body: string;
	query: { signature: string; timestamp: string; nonce: string };
}

export type { CallAnswer };

/** KooGallery's nonces are 64 upper-case hex characters. */
export function newNonce(): string {
	return randomBytes(32).toString('hex').toUpperCase();
}

/**
 * Serialises a payload so the raw bytes equal Huawei's canonical reading (sorted keys, no nulls,
 * compact), then signs it. `body` may be given as text to send something malformed.
 */
export function signCall(
	productionUrl: string,
	key: string,
	payload: Record<string, unknown> | string,
	options: { nonce?: string; timestampMs?: number } = {},
): SignedCall {
	const body =
		typeof payload === 'string'
			? payload
			: (canonicalSaasV2Payload(JSON.stringify(payload)) as string);
	const nonce = options.nonce ?? newNonce();
	const timestamp = String(options.timestampMs ?? Date.now());
	const signature = signSaasV2Request(key, body, nonce, timestamp);
	const url = new URL(productionUrl);
	url.searchParams.set('signature', signature);
	url.searchParams.set('timestamp', timestamp);
	url.searchParams.set('nonce', nonce);
	return { url: url.toString(), body, query: { signature, timestamp, nonce } };
}

/** Posts a signed call and reads the answer. */
export function send(call: SignedCall, key: string, timeoutMs?: number): Promise<CallAnswer> {
	return sendHttp(
		{
			method: 'POST',
			url: call.url,
			headers: { 'content-type': 'application/json;charset=utf8' },
			body: call.body,
		},
		key,
		timeoutMs,
	);
}

/** Signs and sends in one step. */
export async function call(
	productionUrl: string,
	key: string,
	payload: Record<string, unknown> | string,
	options: { nonce?: string; timestampMs?: number; signWith?: string } = {},
): Promise<CallAnswer> {
	return send(signCall(productionUrl, options.signWith ?? key, payload, options), key);
}

/** A fresh KooGallery-looking order: ids as in the docs' examples. */
export function newOrder(): { orderId: string; orderLineId: string } {
	const orderId = `CS${Date.now().toString().slice(-10)}${randomBytes(3).toString('hex').toUpperCase()}`;
	return { orderId, orderLineId: `${orderId}-000001` };
}

export const newBusinessId = (): string => randomUUID();
