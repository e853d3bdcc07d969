import { createHash } from 'node:crypto';

import { defaultInstanceId, MAX_INSTANCE_ID_LENGTH } from '../../core/instance-id';

/**
 * Spec decision 17. The new-purchase page asks for a unique instanceId and the same instance for a
 * resent order, while businessId differs on every call (V1.0 新购商品,
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649013.html); instanceId is String(64), and order line IDs are `<orderId>-000001`
 * (https://support.huaweicloud.com/intl/en-us/accessg-marketplace/topic_0070649116.html).
 */
describe('the default instance ID of a new purchase', () => {
	it('is the order line ID itself when it has the documented form: readable, the same on every retry', () => {
		const call = { orderId: 'CS2211181819B4LVS', orderLineId: 'CS2211181819B4LVS-000001' };
		expect(defaultInstanceId({ ...call, businessId: 'first' })).toBe('CS2211181819B4LVS-000001');
		expect(defaultInstanceId({ ...call, businessId: 'retry' })).toBe('CS2211181819B4LVS-000001');
		expect(defaultInstanceId({ ...call, orderLineId: 'CS2211181819B4LVS-000002' })).toBe(
			'CS2211181819B4LVS-000002',
		);
	});

	it('is 32 hex characters of SHA-256 over the order and its line otherwise (V1.0: orderId and productId)', () => {
		const hash = (parts: string[]) =>
			createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
		expect(defaultInstanceId({ orderId: 'CS1', productId: 'OFFI1', businessId: 'b' })).toBe(
			hash(['CS1', 'OFFI1']),
		);
		expect(defaultInstanceId({ orderId: 'CS1', productId: 'OFFI2' })).not.toBe(
			hash(['CS1', 'OFFI1']),
		);
		expect(defaultInstanceId({ orderId: 'CS1', orderLineId: 'LINE-7' })).toBe(
			hash(['CS1', 'LINE-7']),
		);
		expect(defaultInstanceId({ orderId: 12345, orderLineId: 12345 })).toBe(
			hash(['12345', '12345']),
		);
		const long = { orderId: 'O'.repeat(40), orderLineId: `${'O'.repeat(40)}-${'1'.repeat(30)}` };
		expect(defaultInstanceId(long)).toBe(hash([long.orderId, long.orderLineId]));
		expect(defaultInstanceId(long)?.length).toBeLessThanOrEqual(MAX_INSTANCE_ID_LENGTH);
		// "A-B" + "C" and "A" + "B-C" are different order lines, so they get different IDs.
		expect(defaultInstanceId({ orderId: 'A-B', productId: 'C' })).not.toBe(
			defaultInstanceId({ orderId: 'A', productId: 'B-C' }),
		);
	});

	it('is undefined without an order, so the workflow is told to give one', () => {
		expect(defaultInstanceId({ businessId: 'b' })).toBeUndefined();
		expect(defaultInstanceId({ orderId: '  ' })).toBeUndefined();
	});
});
