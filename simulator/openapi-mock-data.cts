/**
 * Data the Open API mock serves: the documented mock orders (docs/protocol/koogallery-openapi-v1.md §A.1)
 * and a set of license codes in every state the license APIs know (§A.4).
 *
 * Only MOCKPERIODYEARNEW is a captured KooGallery answer (vector TV8, [C-JAVA-QO]); it is served
 * byte for byte. The other mock orders follow its shape with the order type and charging mode
 * their names document; their product names, dates and amounts are ours.
 */

/** TV8: KooGallery's real answer for MOCKPERIODYEARNEW, verbatim. */
export const TV8_ANSWER =
	'{"resultCode":"MKT.0000","resultMsg":"Success","orderInfo":{"orderId":"MOCKPERIODYEARNEW","orderType":"NEW","createTime":"20241121090846","orderLine":[{"orderLineId":"MOCKPERIODYEARNEW-000001","chargingMode":"PERIOD","periodType":"year","periodNumber":1,"expireTime":"20251121235959","productInfo":[{"productId":"OFFI846204237451911168","skuCode":"0a4d1578-5295-46a7-92d4-7c803dccc51d","linearValue":50,"productName":"MOCK测试商品,测试规格,基础版,包周期"}],"extendParams":[{"name":"emailDomainName","value":"test.xxxx.com"},{"name":"ip","value":"127.0.0.1"}],"currency":"100","currencyAfterDiscount":"100"}],"buyerInfo":{"mobilePhone":"18688888888","email":null,"customerId":"459bbbec25d24749b2eb83be37b602a8","customerName":"mock_user_01","customerRealName":"测试用户1","customerType":0,"userId":null,"userName":null},"extendParams":[]}}';

export type OrderInfo = Record<string, unknown> & {
	orderId: string;
	orderLine: Array<Record<string, unknown>>;
};

interface MockOrderSpec {
	orderId: string;
	orderType: 'NEW' | 'TRIAL' | 'TRIAL_TO_FORMAL' | 'UNSUBSCRIBE' | 'RENEW' | 'CHANGE';
	chargingMode: 'PERIOD' | 'ONE_TIME' | 'ON_DEMAND' | 'ON_DEMAND_PKG';
	periodType?: string;
	periodNumber?: number;
	expireTime?: string;
	productName: string;
}

/** The documented mock orders other than MOCKPERIODYEARNEW (spec §A.1, [S-QO-INTL], [S-QO-MOCK]). */
const SPECS: MockOrderSpec[] = [
	{
		orderId: 'MOCKONETIMENEW',
		orderType: 'NEW',
		chargingMode: 'ONE_TIME',
		productName: 'MOCK测试商品,测试规格,基础版,一次性',
	},
	{
		orderId: 'MOCKONDEMAND',
		orderType: 'NEW',
		chargingMode: 'ON_DEMAND',
		productName: 'MOCK测试商品,测试规格,基础版,按需',
	},
	{
		orderId: 'MOCKONDEMANDPKG',
		orderType: 'NEW',
		chargingMode: 'ON_DEMAND_PKG',
		periodType: 'month',
		periodNumber: 1,
		expireTime: '20251221235959',
		productName: 'MOCK测试商品,测试规格,基础版,按需套餐包',
	},
	{
		orderId: 'MOCKPERIODDAYTRIAL',
		orderType: 'TRIAL',
		chargingMode: 'PERIOD',
		periodType: 'day',
		periodNumber: 7,
		expireTime: '20241128235959',
		productName: 'MOCK测试商品,测试规格,基础版,试用',
	},
	{
		orderId: 'MOCKMONTYTRIALTOFORMAL',
		orderType: 'TRIAL_TO_FORMAL',
		chargingMode: 'PERIOD',
		periodType: 'month',
		periodNumber: 1,
		expireTime: '20241221235959',
		productName: 'MOCK测试商品,测试规格,基础版,包周期',
	},
	{
		orderId: 'MOCKMONTYUNSUBSCRIBE',
		orderType: 'UNSUBSCRIBE',
		chargingMode: 'PERIOD',
		periodType: 'month',
		periodNumber: 1,
		expireTime: '20241221235959',
		productName: 'MOCK测试商品,测试规格,基础版,包周期',
	},
	{
		orderId: 'MOCKMONTYRENEW',
		orderType: 'RENEW',
		chargingMode: 'PERIOD',
		periodType: 'month',
		periodNumber: 1,
		expireTime: '20250121235959',
		productName: 'MOCK测试商品,测试规格,基础版,包周期',
	},
	{
		orderId: 'MOCKMONTYCHANGE',
		orderType: 'CHANGE',
		chargingMode: 'PERIOD',
		periodType: 'month',
		periodNumber: 1,
		expireTime: '20241221235959',
		productName: 'MOCK测试商品,测试规格,专业版,包周期',
	},
];

/** Every mock order by ID, each a fresh copy of KooGallery's `orderInfo`. */
export function mockOrders(): Map<string, OrderInfo> {
	const tv8 = (JSON.parse(TV8_ANSWER) as { orderInfo: OrderInfo }).orderInfo;
	const orders = new Map<string, OrderInfo>([[tv8.orderId, tv8]]);
	for (const spec of SPECS) {
		const template = JSON.parse(JSON.stringify(tv8)) as OrderInfo;
		const line: Record<string, unknown> = {
			...template.orderLine[0],
			orderLineId: `${spec.orderId}-000001`,
			chargingMode: spec.chargingMode,
			productInfo: [
				{ ...(template.orderLine[0].productInfo as object[])[0], productName: spec.productName },
			],
		};
		for (const key of ['periodType', 'periodNumber', 'expireTime'] as const) {
			if (spec[key] === undefined) delete line[key];
			else line[key] = spec[key];
		}
		orders.set(spec.orderId, {
			...template,
			orderId: spec.orderId,
			orderType: spec.orderType,
			orderLine: [line],
		});
	}
	return orders;
}

/**
 * `count` distinct orders in the shape of the documented ones (`MOCKGEN00001`...), each with its own
 * buyer, product name, order type and expiry, for tests that query many orders. The same count
 * gives the same orders.
 */
export function generatedOrders(count: number): OrderInfo[] {
	const tv8 = (JSON.parse(TV8_ANSWER) as { orderInfo: OrderInfo }).orderInfo;
	const types = ['NEW', 'RENEW', 'CHANGE', 'TRIAL'] as const;
	return Array.from({ length: count }, (_, index) => {
		const n = String(index + 1).padStart(5, '0');
		const orderId = `MOCKGEN${n}`;
		const template = JSON.parse(JSON.stringify(tv8)) as OrderInfo;
		const line = template.orderLine[0];
		return {
			...template,
			orderId,
			orderType: types[index % types.length],
			createTime: `2025${String((index % 12) + 1).padStart(2, '0')}01000000`,
			orderLine: [
				{
					...line,
					orderLineId: `${orderId}-000001`,
					periodNumber: (index % 3) + 1,
					expireTime: `${2026 + (index % 3)}1231235959`,
					productInfo: [
						{
							...(line.productInfo as object[])[0],
							productName: `MOCK generated product ${n}`,
							linearValue: index + 1,
						},
					],
				},
			],
			buyerInfo: {
				...(template.buyerInfo as object),
				customerId: `mockgencustomer${n}`,
				customerName: `mock_gen_${n}`,
			},
		};
	});
}

/** The states a license code can be in for the mock. */
export type LicenseState = 'notReceived' | 'issued' | 'ALIVE' | 'EXPIRED' | 'RELEASED';

export interface MockLicense {
	state: LicenseState;
	productId: string;
	orderId: string;
	amount: number;
	/** UTC `yyyyMMddHHmmss`. */
	expireTime: string;
	/** UTC `yyyyMMddHHmmss`, once activated. */
	activateTime?: string;
}

/** Default license codes: five waiting for activation, and one in each other state. */
export function mockLicenses(): Map<string, MockLicense> {
	const base = {
		productId: 'OFFI846204237451911168',
		orderId: 'CS2411210908MOCK1',
		amount: 2,
		expireTime: '20271231235959',
	};
	const licenses = new Map<string, MockLicense>();
	for (let n = 1; n <= 5; n++) licenses.set(`PLMOCK000000000${n}`, { ...base, state: 'issued' });
	licenses.set('PLMOCKNOTRECEIVED', { ...base, state: 'notReceived' });
	licenses.set('PLMOCKACTIVE', { ...base, state: 'ALIVE', activateTime: '20241121090846' });
	licenses.set('PLMOCKEXPIRED', {
		...base,
		state: 'EXPIRED',
		activateTime: '20231121090846',
		expireTime: '20241121235959',
	});
	licenses.set('PLMOCKRELEASED', {
		...base,
		state: 'RELEASED',
		activateTime: '20231121090846',
		expireTime: '20241121235959',
	});
	return licenses;
}
