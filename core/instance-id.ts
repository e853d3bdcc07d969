import { createHash } from 'node:crypto';
import { trimmedText } from './fields';

/**
 * The instance ID a new purchase is answered with when the workflow gives none (docs/protocol/README.md
 * decision 17). KooGallery retries a new purchase with a new `businessId` each time, and expects
 * the same `instanceId` for the same order again (docs/protocol/koogallery-saas-v2.md §4.1,
 * docs/protocol/koogallery-openapi-v1.md §C.5: "a resend must return the same instance"). With no
 * database, the ID is therefore derived from what every retry repeats: the order line.
 */

/** `instanceId` is String(64) in every answer table. */
export const MAX_INSTANCE_ID_LENGTH = 64;

const text = (value: unknown): string =>
	typeof value === 'number' ? String(value) : trimmedText(value);

/**
 * The stable default instance ID of a new purchase, or undefined when the call names no order:
 * - the `orderLineId` itself when it has KooGallery's documented form `<orderId>-000001` and fits
 *   in 64 characters: readable, and unique because KooGallery's order line IDs are;
 * - otherwise 32 hex characters of SHA-256 over the order and its line (V2.0 `orderLineId`; the
 *   V1.0 and License calls have none, so `productId`, which tells apart the several calls one
 *   on-demand order brings, docs/protocol/koogallery-openapi-v1.md §C.5).
 * Every retry of one order line gets the same ID; two order lines never share one.
 */
export function defaultInstanceId(data: Record<string, unknown>): string | undefined {
	const orderId = text(data.orderId);
	if (orderId === '') return undefined;
	const orderLineId = text(data.orderLineId);
	if (orderLineId.startsWith(`${orderId}-`) && orderLineId.length <= MAX_INSTANCE_ID_LENGTH)
		return orderLineId;
	const line = orderLineId || text(data.productId);
	return createHash('sha256')
		.update(JSON.stringify([orderId, line]))
		.digest('hex')
		.slice(0, 32);
}
