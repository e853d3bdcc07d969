/**
 * The Open API mock (simulator/openapi-mock.cts): it accepts what the credential signs, refuses a
 * request with any one signed element changed, checks the usage signature headers, answers bad
 * input with the documented codes, stores usage by metering_sn without double counting, and
 * injects faults reproducibly from a seed.
 */
import * as http from 'node:http';

import { signApigRequest } from '../../core/aksk/sign';
import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { signOpenApiRequest, type SignedOutgoingRequest } from '../../core/openapi-request';
import { formatUsageTime, usageBody, usageSignature } from '../../core/usage-signature';
import { generatedOrders, TV8_ANSWER } from '../../simulator/openapi-mock-data.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';

const AK = 'MOCKTESTAK0000000001';
const SK = 'mock-test-sk-not-real';
const SELLER_KEY = 'mock-test-seller-key';

interface Reply {
	status: number;
	text: string;
	json: Record<string, unknown>;
}

/** Sends exactly these bytes and headers with node:http; rejects on a dropped connection. */
function send(request: {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: string | Buffer;
}): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			request.url,
			{ method: request.method, headers: request.headers },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json: Record<string, unknown> = {};
					try {
						json = JSON.parse(text);
					} catch {
						// Not JSON: keep the text.
					}
					resolve({ status: res.statusCode ?? 0, text, json });
				});
			},
		);
		req.on('error', reject);
		if (request.body !== undefined) req.write(request.body);
		req.end();
	});
}

let mock: OpenApiMock;
const credentials = () => ({
	accessKeyId: AK,
	secretAccessKey: SK,
	sellerSecretKey: SELLER_KEY,
	site: 'custom',
	baseUrl: mock.url,
});
const sign = (request: {
	method: string;
	url: string;
	qs?: Record<string, string>;
	body?: string;
	headers?: Record<string, string>;
}) => signOpenApiRequest(credentials(), request);

const hourAgo = () => Date.now() - 3_600_000;
function record(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		instance_id: `inst-${n % 3}`,
		begin_time: formatUsageTime(new Date(hourAgo() - n * 60_000)),
		end_time: formatUsageTime(new Date(hourAgo() - n * 60_000 + 60_000)),
		record_time: formatUsageTime(new Date()),
		usage_value: 1.5,
		metering_sn: `sn-${n}`,
		...overrides,
	};
}
const push = (records: Array<Record<string, unknown>>) =>
	sign({ method: 'POST', url: OPEN_API_PATHS.usagePush, body: usageBody(records as never) });

beforeAll(async () => {
	mock = await startOpenApiMock({
		credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
		knownInstances: ['inst-0', 'inst-1', 'inst-2'],
	});
});
afterAll(() => mock.stop());
beforeEach(() => {
	mock.reset();
	mock.setFaults(undefined);
});

describe('AK/SK verification', () => {
	it('serves MOCKPERIODYEARNEW byte for byte (TV8) to a signed request', async () => {
		const reply = await send(
			sign({ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs: { orderId: 'MOCKPERIODYEARNEW' } }),
		);
		expect(reply.status).toBe(200);
		expect(reply.text).toBe(TV8_ANSWER);
	});

	const tampers: Array<[string, (r: SignedOutgoingRequest) => SignedOutgoingRequest]> = [
		['the method', (r) => ({ ...r, method: 'PUT' })],
		[
			'the path',
			(r) => ({ ...r, url: r.url.replace(OPEN_API_PATHS.usagePush, OPEN_API_PATHS.usagePushOld) }),
		],
		['a query parameter', (r) => ({ ...r, url: `${r.url}?extra=1` })],
		[
			'X-Sdk-Date',
			(r) => ({
				...r,
				headers: {
					...r.headers,
					'X-Sdk-Date': r.headers['X-Sdk-Date'].replace(/\d(?=Z$)/, (d) =>
						String((Number(d) + 1) % 10),
					),
				},
			}),
		],
		[
			'the host',
			(r) => ({
				...r,
				headers: { ...r.headers, host: r.headers.host.replace('127.0.0.1', 'localhost') },
			}),
		],
		[
			'Content-Type',
			(r) => ({
				...r,
				headers: { ...r.headers, 'Content-Type': 'application/json;charset=UTF-8' },
			}),
		],
		[
			'a usage header (nonce)',
			(r) => ({ ...r, headers: { ...r.headers, nonce: `${r.headers.nonce}0` } }),
		],
		['one body byte', (r) => ({ ...r, body: String(r.body).replace('1.5', '1.6') })],
		[
			'the signature',
			(r) => ({
				...r,
				headers: {
					...r.headers,
					Authorization: r.headers.Authorization.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
				},
			}),
		],
		[
			'the AK',
			(r) => ({
				...r,
				headers: {
					...r.headers,
					Authorization: r.headers.Authorization.replace(AK, 'SOMEONEELSE000000001'),
				},
			}),
		],
	];

	it('accepts the untouched usage push', async () => {
		const reply = await send(push([record(1)]));
		expect([reply.status, reply.json.error_code]).toEqual([200, 'MKT.0000']);
	});

	it.each(tampers)(
		'refuses the request when %s changed (401 MKT.0154), storing nothing',
		async (_what, tamper) => {
			const reply = await send(tamper(push([record(1)])));
			expect(reply.status).toBe(401);
			expect(reply.json.error_code).toBe('MKT.0154');
			expect(mock.records()).toHaveLength(0);
		},
	);

	it('answers an order query without Authorization in the order shape', async () => {
		const signed = sign({
			method: 'GET',
			url: OPEN_API_PATHS.orderQuery,
			qs: { orderId: 'MOCKONDEMAND' },
		});
		const { Authorization: _dropped, ...headers } = signed.headers;
		const reply = await send({ ...signed, headers });
		expect(reply.status).toBe(401);
		expect(reply.json).toEqual({
			resultCode: 'MKT.0154',
			resultMsg: 'Illegal token. The "Authorization" header is missing.',
		});
	});
});

describe('usage signature headers', () => {
	/** A usage push whose extra headers are made by hand, then AK/SK-signed properly. */
	function handMade(body: string, extra: Record<string, string>) {
		const url = `${mock.url}${OPEN_API_PATHS.usagePush}`;
		const headers = { 'Content-Type': 'application/json', ...extra };
		const signed = signApigRequest({ method: 'POST', url, headers, body, ak: AK, sk: SK });
		return { method: 'POST', url, headers: { ...headers, ...signed.headers }, body };
	}
	const body = usageBody([record(2)] as never);

	it('refuses a signature made with another key, or over another body (MKT.0102)', async () => {
		const ts = String(Date.now());
		for (const signature of [
			usageSignature('wrong-key', body, ts, 'n1'),
			usageSignature(SELLER_KEY, `${body} `, ts, 'n1'),
		]) {
			const reply = await send(handMade(body, { signature, ts, nonce: 'n1' }));
			expect([reply.status, reply.json.error_code]).toEqual([400, 'MKT.0102']);
		}
		const good = await send(
			handMade(body, { signature: usageSignature(SELLER_KEY, body, ts, 'n1'), ts, nonce: 'n1' }),
		);
		expect(good.status).toBe(200);
	});

	it('refuses a stale ts, a reused nonce and missing headers', async () => {
		const old = String(Date.now() - 10 * 60_000);
		const stale = await send(
			handMade(body, {
				signature: usageSignature(SELLER_KEY, body, old, 'n2'),
				ts: old,
				nonce: 'n2',
			}),
		);
		expect(stale.json).toEqual({
			error_code: 'MKT.0102',
			error_msg: 'Invalid body sign. The "ts" header is not the current time in milliseconds.',
		});
		const ts = String(Date.now());
		const once = handMade(body, {
			signature: usageSignature(SELLER_KEY, body, ts, 'n3'),
			ts,
			nonce: 'n3',
		});
		expect((await send(once)).status).toBe(200);
		expect((await send(once)).json.error_msg).toBe(
			'Invalid body sign. The "nonce" was used before.',
		);
		const missing = await send(handMade(body, { ts, nonce: 'n4' }));
		expect(missing.json).toEqual({
			error_code: 'MKT.0101',
			error_msg: 'Invalid parameter. The "signature" header is missing.',
		});
	});
});

describe('documented codes for bad input', () => {
	const order = (qs: Record<string, string>) =>
		send(sign({ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs }));

	it('order query', async () => {
		expect((await order({})).json.resultCode).toBe('MKT.0101');
		expect((await order({ orderId: 'x'.repeat(65) })).json.resultCode).toBe('MKT.0100');
		const notMine = await order({ orderId: 'CS0000NOTMINE' });
		expect([notMine.status, notMine.json.resultCode]).toEqual([401, 'MKT.0150']);
		const line = await order({ orderId: 'MOCKONDEMAND', orderLineId: 'MOCKONDEMAND-000001' });
		expect((line.json.orderInfo as { orderLine: unknown[] }).orderLine).toHaveLength(1);
		expect(
			(await order({ orderId: 'MOCKONDEMAND', orderLineId: 'MOCKONDEMAND-000002' })).json
				.resultCode,
		).toBe('MKT.0150');
	});

	it('usage push', async () => {
		const code = async (bodyText: string) => {
			const reply = await send(
				sign({ method: 'POST', url: OPEN_API_PATHS.usagePush, body: bodyText }),
			);
			return [reply.status, reply.json.error_code];
		};
		expect(await code('{not json')).toEqual([400, 'MKT.0199']);
		expect(await code('{"usage_records":[]}')).toEqual([400, 'MKT.0101']);
		expect(
			await code(usageBody(Array.from({ length: 1001 }, (_, n) => record(n)) as never)),
		).toEqual([500, 'MKT.9003']);
		expect(await code(usageBody([record(1), record(2, { usage_value: -1 })] as never))).toEqual([
			500,
			'MKT.0100',
		]);
		const old = formatUsageTime(new Date(Date.now() - 22 * 86_400_000));
		expect(await code(usageBody([record(1, { begin_time: old })] as never))).toEqual([
			500,
			'MKT.9004',
		]);
		expect(await code(usageBody([record(1, { instance_id: 'inst-unknown' })] as never))).toEqual([
			500,
			'MKT.9001',
		]);
		expect(mock.records()).toHaveLength(0);
		const bad = await send(push([record(1), record(2, { usage_value: 'x' })]));
		expect(bad.json.extra_info).toEqual([
			{ index: 1, problems: [expect.stringContaining('usage_value "x"')] },
		]);
	});

	it('license APIs', async () => {
		const license = (
			path: string,
			body: string,
			headers: Record<string, string> = {},
			method = 'POST',
		) => send(sign({ method, url: path, body, headers }));
		const codeOf = async (reply: Promise<Reply>) => {
			const r = await reply;
			return [r.status, r.json.error_code];
		};
		expect(
			await codeOf(
				license(OPEN_API_PATHS.licenseActivateV1, '{"license":"PLMOCK0000000001"}', {
					'Content-Type': 'text/plain',
				}),
			),
		).toEqual([415, '95000003']);
		expect(await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '{"license":'))).toEqual([
			400,
			'95000004',
		]);
		expect(await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '', {}, 'GET'))).toEqual([
			405,
			'95000002',
		]);
		expect(await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '{"license":"PL 1"}'))).toEqual([
			400,
			'95000001',
		]);
		const many = JSON.stringify({ license_list: Array.from({ length: 101 }, (_, n) => `PL${n}`) });
		expect(await codeOf(license(OPEN_API_PATHS.licenseActivateV2, many))).toEqual([
			400,
			'95000001',
		]);
		expect(
			await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '{"license":"PLNOSUCH"}')),
		).toEqual([200, '92020005']);
		expect(
			await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '{"license":"PLMOCKNOTRECEIVED"}')),
		).toEqual([200, '92020004']);
		expect(
			await codeOf(license(OPEN_API_PATHS.licenseHeartbeatV1, '{"license":"PLMOCK0000000001"}')),
		).toEqual([200, '92020011']);
		expect(
			await codeOf(
				license(
					OPEN_API_PATHS.licenseActivateV1,
					'{"license":"PLMOCK0000000001","real_effect_time":"20240230000000"}',
				),
			),
		).toEqual([400, '95000001']);
		expect(
			await codeOf(
				license(
					OPEN_API_PATHS.licenseActivateV1,
					'{"license":"PLMOCK0000000001","real_effect_time":"20240229000000"}',
				),
			),
		).toEqual([200, '92020000']);
		expect(
			await codeOf(license(OPEN_API_PATHS.licenseActivateV1, '{"license":"PLMOCK0000000001"}')),
		).toEqual([200, '92020003']);
		expect(
			await codeOf(
				license(
					OPEN_API_PATHS.licenseHeartbeatV2,
					'{"license_list":["PLMOCK0000000001","PLMOCKEXPIRED"]}',
				),
			),
		).toEqual([200, '92020000']);
		const expired = await license(OPEN_API_PATHS.licenseHeartbeatV1, '{"license":"PLMOCKEXPIRED"}');
		expect((expired.json.data as { status: string }).status).toBe('EXPIRED');
	});

	it('an unknown path', async () => {
		const reply = await send(
			sign({ method: 'GET', url: '/api/mkp-openapi-public/global/v1/nothing' }),
		);
		expect([reply.status, reply.json.error_code]).toEqual([404, 'APIGW.0101']);
	});
});

describe('storage', () => {
	it('counts a record once: same metering_sn, or same instance and period under another sn, is a duplicate', async () => {
		await send(push([record(1), record(2)]));
		await send(push([record(1), record(2, { metering_sn: 'another-sn' }), record(3)]));
		expect(mock.records().map((r) => r.meteringSn)).toEqual(['sn-1', 'sn-2', 'sn-3']);
		expect(mock.duplicates()).toBe(2);
		expect(mock.calls().map((c) => [c.records, c.added, c.duplicates])).toEqual([
			[2, 2, 0],
			[3, 1, 2],
		]);
	});

	it('stores the old API by instance and period', async () => {
		const oldRecord = (n: number) => {
			const { metering_sn: _sn, ...rest } = record(n);
			return { ...rest, product_id: 'OFFI1' };
		};
		const body = JSON.stringify({ usage_records: [oldRecord(1), oldRecord(1), oldRecord(2)] });
		const reply = await send(sign({ method: 'POST', url: OPEN_API_PATHS.usagePushOld, body }));
		expect(reply.json.error_code).toBe('MKT.0000');
		expect(mock.oldRecords()).toHaveLength(2);
		const withSn = await send(
			sign({
				method: 'POST',
				url: OPEN_API_PATHS.usagePushOld,
				body: JSON.stringify({ usage_records: [record(5, { product_id: 'p' })] }),
			}),
		);
		expect(withSn.json.error_code).toBe('MKT.0100');
	});
});

describe('faults', () => {
	async function faultSequence(seed: number): Promise<Array<string | undefined>> {
		mock.reset();
		mock.setFaults({
			seed,
			errorRate: 0.2,
			dropRate: 0.2,
			dropAfterRate: 0.2,
			delayRate: 0.1,
			delayMs: 20,
		});
		for (let n = 0; n < 30; n++) await send(push([record(n)])).catch(() => undefined);
		return mock.calls().map((c) => c.fault);
	}

	it('draws the same faults from the same seed, and others from another seed', async () => {
		const a = await faultSequence(11);
		const b = await faultSequence(11);
		const c = await faultSequence(12);
		expect(a).toEqual(b);
		expect(a).not.toEqual(c);
		expect(new Set(a)).toEqual(new Set([undefined, 'error', 'drop', 'dropAfter', 'delay']));
	});

	it('drops before or after storing, answers 5xx without storing, and answers late after storing', async () => {
		await faultSequence(11);
		const calls = mock.calls();
		const storedCalls = new Set(mock.records().map((r) => r.callIndex));
		for (const call of calls) {
			const stored = storedCalls.has(call.index);
			if (call.fault === 'drop' || call.fault === 'error') expect(stored).toBe(false);
			else expect(stored).toBe(true);
			if (call.fault === 'error') expect([500, 502, 503]).toContain(call.status);
		}
	});

	it('a dropped connection reaches the client as a reset; a path filter limits the faults', async () => {
		mock.setFaults({ dropRate: 1 });
		await expect(send(push([record(1)]))).rejects.toThrow(/socket hang up|ECONNRESET/);
		mock.setFaults({ dropRate: 1, paths: [OPEN_API_PATHS.usagePush] });
		const order = await send(
			sign({ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs: { orderId: 'MOCKONDEMAND' } }),
		);
		expect(order.status).toBe(200);
	});
});

describe('order query faults and many orders', () => {
	const query = (orderId: string) =>
		sign({ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs: { orderId } });

	it('serves extra generated orders beside the documented ones, each distinct', async () => {
		const extra = generatedOrders(30);
		expect(new Set(extra.map((o) => o.orderId)).size).toBe(30);
		expect(generatedOrders(30)).toEqual(extra);
		const withExtra = await startOpenApiMock({
			credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY },
			orders: extra,
		});
		try {
			const signed = signOpenApiRequest(
				{ ...credentials(), baseUrl: withExtra.url },
				{ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs: { orderId: 'MOCKGEN00017' } },
			);
			const answer = await send(signed);
			expect(answer.status).toBe(200);
			expect(answer.json).toEqual({
				resultCode: 'MKT.0000',
				resultMsg: 'Success.',
				orderInfo: JSON.parse(JSON.stringify(extra[16])),
			});
			expect(withExtra.orders().get('MOCKGEN00017')).toBe(extra[16]);
			expect(withExtra.orders().has('MOCKPERIODYEARNEW')).toBe(true);
		} finally {
			await withExtra.stop();
		}
	});

	it('a server error on the order route answers 500 in the order shape, or 502/503, and nothing else', async () => {
		mock.setFaults({ errorRate: 1, seed: 5, paths: [OPEN_API_PATHS.orderQuery] });
		const answers = [];
		for (let n = 0; n < 12; n++) answers.push(await send(query('MOCKONDEMAND')));
		expect(new Set(answers.map((a) => a.status))).toEqual(new Set([500, 502, 503]));
		for (const answer of answers.filter((a) => a.status === 500))
			expect(answer.json).toEqual({ resultCode: 'MKT.0999', resultMsg: 'System internal error.' });
		expect(mock.calls().map((c) => [c.fault, c.status])).toEqual(
			answers.map((a) => ['error', a.status]),
		);
	});

	it("a hang never answers: the caller's timeout ends the call", async () => {
		mock.setFaults({ hangRate: 1, paths: [OPEN_API_PATHS.orderQuery] });
		const signed = query('MOCKONDEMAND');
		const outcome = await new Promise<string>((resolve) => {
			const req = http.request(
				signed.url,
				{ method: 'GET', headers: signed.headers, timeout: 300 },
				() => resolve('answered'),
			);
			req.on('timeout', () => {
				req.destroy();
				resolve('timeout');
			});
			req.on('error', () => undefined);
			req.end();
		});
		expect(outcome).toBe('timeout');
		expect(mock.calls()).toEqual([
			expect.objectContaining({
				path: OPEN_API_PATHS.orderQuery,
				fault: 'hang',
				query: { orderId: 'MOCKONDEMAND' },
			}),
		]);
		expect(mock.calls()[0].status).toBeUndefined();
	});

	it('a dropped order query reaches the client as a reset; the next one is answered', async () => {
		mock.setFaults({ dropRate: 1, paths: [OPEN_API_PATHS.orderQuery] });
		await expect(send(query('MOCKONDEMAND'))).rejects.toThrow(/socket hang up|ECONNRESET/);
		mock.setFaults(undefined);
		const answer = await send(query('MOCKONDEMAND'));
		expect(answer.json.resultCode).toBe('MKT.0000');
		expect(mock.calls().map((c) => c.fault)).toEqual(['drop', undefined]);
	});
});
