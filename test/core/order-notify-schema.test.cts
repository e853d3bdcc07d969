/**
 * The order notification body (订单通知, docs/protocol/koogallery-saas-v2.md §4.8), read leniently:
 * only a call that names no order, or is another interface's call, is refused.
 */
import { parseOrderNotifyRequest } from '../../core/schemas/order-notify';

const parse = (body: unknown) =>
	parseOrderNotifyRequest(typeof body === 'string' ? body : JSON.stringify(body));

describe('order notification body', () => {
	it("reads the guide's example as sent", () => {
		expect(
			parse(
				'{"activity":"orderNotify","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}',
			),
		).toEqual({
			ok: true,
			activity: 'orderNotify',
			data: {
				activity: 'orderNotify',
				orderId: 'CS2211181819B4LVS',
				orderLineId: 'CS2211181819B4LVS-000001',
				testFlag: '1',
			},
			unknownValues: [],
		});
	});

	it('takes numbers as text, null as absent, and keeps unknown fields and long values', () => {
		const long = 'L'.repeat(300);
		expect(
			parse({
				activity: 'orderNotify',
				orderId: 2211181819,
				orderLineId: null,
				testFlag: 0,
				extra: { a: 1 },
				note: long,
			}),
		).toEqual({
			ok: true,
			activity: 'orderNotify',
			data: {
				activity: 'orderNotify',
				orderId: '2211181819',
				testFlag: '0',
				extra: { a: 1 },
				note: long,
			},
			unknownValues: [],
		});
		const result = parse({
			activity: 'orderNotify',
			orderId: 'CS1',
			orderLineId: 7,
			testFlag: true,
		});
		expect(result.ok && result.data).toEqual({
			activity: 'orderNotify',
			orderId: 'CS1',
			orderLineId: '7',
			testFlag: '1',
		});
	});

	it('refuses a call without an order ID, with 000002 naming the field', () => {
		for (const orderId of [undefined, null]) {
			expect(parse({ activity: 'orderNotify', orderId, orderLineId: 'CS1-000001' })).toEqual({
				ok: false,
				resultCode: '000002',
				field: 'orderId',
				message: '"orderId" is required but missing.',
			});
		}
		for (const orderId of ['', '  ']) {
			expect(parse({ activity: 'orderNotify', orderId })).toMatchObject({
				ok: false,
				field: 'orderId',
				message: '"orderId" must not be empty.',
			});
		}
		expect(parse({ activity: 'orderNotify', orderId: { id: 'CS1' } })).toMatchObject({
			ok: false,
			field: 'orderId',
		});
	});

	it("refuses a call without activity, or another interface's call (acknowledging it would lose it)", () => {
		expect(parse({ orderId: 'CS1' })).toMatchObject({
			ok: false,
			resultCode: '000002',
			field: 'activity',
		});
		expect(
			parse({
				activity: 'newInstance',
				orderId: 'CS1',
				orderLineId: 'CS1-000001',
				businessId: 'b',
			}),
		).toMatchObject({
			ok: false,
			resultCode: '000002',
			field: 'activity',
		});
	});

	it('refuses a body that is not a JSON object', () => {
		for (const body of ['', 'not json', '["orderNotify"]', 'null']) {
			expect(parse(body)).toMatchObject({ ok: false, resultCode: '000002' });
		}
	});
});
