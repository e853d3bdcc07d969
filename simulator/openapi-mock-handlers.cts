/**
 * What the Open API mock (simulator/openapi-mock.cts) does for each Open API: one handler per
 * API, in a route table keyed by the endpoint names of core/openapi-endpoints.ts, the table the
 * action node sends its requests to. A new API is one entry there and one handler here; the
 * compiler asks for the handler.
 *
 * The mock's documented assumptions where Huawei's pages are silent are listed in
 * simulator/openapi-mock.cts.
 */
import type * as http from 'node:http';

import { parseSdkDate } from '../core/aksk/date';
import { safeEqual } from '../core/hmac';
import type { OpenApiEndpointName } from '../core/openapi-endpoints';
import { MAX_USAGE_AGE_MS, usageSignature, validateUsageRecord } from '../core/usage-signature';
import type { MemoryNonceStore } from '../core/verification';
import {
	licenseAnswer,
	licenseTime,
	orderAnswer,
	parseJson,
	usageAnswer,
	type Answer,
	type AnswerShape,
} from './openapi-mock-answers.cjs';
import { TV8_ANSWER, type MockLicense, type OrderInfo } from './openapi-mock-data.cjs';
import type { MockCall, StoredUsageRecord } from './openapi-mock.cjs';

/** Default accepted distance of the usage `ts` header from the mock's clock. */
export const USAGE_TS_TOLERANCE_MS = 5 * 60_000;

/** What the mock knows and has stored; `reset()` of the mock empties the stores. */
export interface MockState {
	sellerKey: string;
	orders: Map<string, OrderInfo>;
	licenses: Map<string, MockLicense>;
	stored: StoredUsageRecord[];
	bySn: Map<string, StoredUsageRecord>;
	byPeriod: Set<string>;
	old: Array<Record<string, unknown>>;
	oldByPeriod: Set<string>;
	duplicateCount: number;
	nonces: MemoryNonceStore;
	maxRecords: number;
	usageTsToleranceMs: number;
	known?: Set<string>;
}

/** One request that passed the AK/SK check, with its log entry. */
export interface MockRequest {
	req: http.IncomingMessage;
	raw: Buffer;
	query: URLSearchParams;
	call: MockCall;
}

/** How the mock serves one Open API: its answer shape and its handler. */
export interface MockRoute {
	shape: AnswerShape;
	handle(state: MockState, request: MockRequest): Answer;
}

/** Order query (§A.1): the documented mock orders; MOCKPERIODYEARNEW byte for byte (TV8). */
function orderQuery(state: MockState, { query }: MockRequest): Answer {
	const orderId = query.get('orderId');
	const orderLineId = query.get('orderLineId');
	if (!orderId) return orderAnswer(400, '0101', 'orderId is missing.');
	if (orderId.length > 64 || (orderLineId ?? '').length > 64)
		return orderAnswer(500, '0100', 'orderId and orderLineId are at most 64 characters.');
	if (orderId === 'MOCKPERIODYEARNEW' && !orderLineId)
		return { status: 200, code: 'MKT.0000', body: TV8_ANSWER };
	const order = state.orders.get(orderId);
	if (!order)
		return orderAnswer(401, '0150', `The order ${orderId} does not belong to this seller.`);
	const lines = orderLineId
		? order.orderLine.filter((l) => l.orderLineId === orderLineId)
		: order.orderLine;
	if (lines.length === 0)
		return orderAnswer(
			401,
			'0150',
			`The order line ${orderLineId} does not belong to this seller.`,
		);
	return orderAnswer(200, '0000', undefined, { orderInfo: { ...order, orderLine: lines } });
}

/** The new usage push's `signature` / `ts` / `nonce` headers over the exact body (§A.2.1). */
function checkUsageHeaders(
	state: MockState,
	{ req, raw }: MockRequest,
	nowMs: number,
): Answer | undefined {
	const header = (name: string) => {
		const value = req.headers[name];
		return typeof value === 'string' ? value : undefined;
	};
	const [signature, ts, nonce] = [header('signature'), header('ts'), header('nonce')];
	const missing = [
		['signature', signature],
		['ts', ts],
		['nonce', nonce],
	].find(([, v]) => !v);
	if (missing) return usageAnswer(400, '0101', `The "${missing[0]}" header is missing.`);
	if (!/^\d{13}$/.test(ts as string) || Math.abs(nowMs - Number(ts)) > state.usageTsToleranceMs)
		return usageAnswer(400, '0102', 'The "ts" header is not the current time in milliseconds.');
	const expected = usageSignature(
		state.sellerKey,
		raw.toString('utf8'),
		ts as string,
		nonce as string,
	);
	if (!safeEqual(expected, signature))
		return usageAnswer(
			400,
			'0102',
			'The "signature" header does not match ts, nonce and the body.',
		);
	if (!state.nonces.checkAndRemember(nonce as string, nowMs, 2 * USAGE_TS_TOLERANCE_MS))
		return usageAnswer(400, '0102', 'The "nonce" was used before.');
	return undefined;
}

/** The problems of one record of a usage push. */
function recordProblems(raw: unknown, api: 'new' | 'old'): string[] {
	const record = (raw ?? {}) as Record<string, unknown>;
	if (api === 'new') return validateUsageRecord(record);
	const { product_id: productId, ...rest } = record;
	const list = 'metering_sn' in rest ? ['metering_sn is not a field of the old usage API.'] : [];
	list.push(...validateUsageRecord({ ...rest, metering_sn: 'old-api' }));
	if (typeof productId !== 'string' || productId === '' || productId.length > 64)
		list.push('product_id is missing or not 1 to 64 characters of text.');
	return list;
}

/** The refusal of a usage push with a bad, too old or unknown-instance record; all or nothing. */
function checkRecords(
	state: MockState,
	records: unknown[],
	api: 'new' | 'old',
	nowMs: number,
): Answer | undefined {
	const problems: Array<{ index: number; problems: string[] }> = [];
	for (const [index, raw] of records.entries()) {
		const list = recordProblems(raw, api);
		if (list.length > 0) problems.push({ index, problems: list });
	}
	if (problems.length > 0) {
		const first = problems[0];
		return usageAnswer(500, '0100', `Record ${first.index}: ${first.problems.join(' ')}`, {
			extra_info: problems,
		});
	}
	for (const [index, raw] of records.entries()) {
		const begin = parseSdkDate((raw as Record<string, unknown>).begin_time) as number;
		if (nowMs - begin > MAX_USAGE_AGE_MS)
			return usageAnswer(500, '9004', `Record ${index} begins more than 21 days ago.`, {
				extra_info: [{ index }],
			});
	}
	if (!state.known) return undefined;
	for (const [index, raw] of records.entries()) {
		const id = String((raw as Record<string, unknown>).instance_id);
		if (!state.known.has(id))
			return usageAnswer(500, '9001', `Record ${index}: ${id}.`, {
				extra_info: [{ index, instance_id: id }],
			});
	}
	return undefined;
}

const periodKey = (r: Record<string, unknown>) =>
	JSON.stringify([r.instance_id, r.begin_time, r.end_time, r.relate_pkg_instance ?? '']);

/**
 * Stores accepted records: a record whose `metering_sn` is already stored, or whose instance,
 * begin and end time match a stored one, is accepted and not stored again.
 */
function storeRecords(
	state: MockState,
	records: Array<Record<string, unknown>>,
	api: 'new' | 'old',
	call: MockCall,
): void {
	let added = 0;
	let duplicates = 0;
	for (const raw of records) {
		const key = periodKey(raw);
		const sn = String(raw.metering_sn);
		const known =
			api === 'new' ? state.bySn.has(sn) || state.byPeriod.has(key) : state.oldByPeriod.has(key);
		if (known) {
			duplicates++;
			continue;
		}
		if (api === 'new') {
			const entry = { meteringSn: sn, record: raw, callIndex: call.index };
			state.stored.push(entry);
			state.bySn.set(sn, entry);
			state.byPeriod.add(key);
		} else {
			state.old.push(raw);
			state.oldByPeriod.add(key);
		}
		added++;
	}
	call.added = added;
	call.duplicates = duplicates;
	state.duplicateCount += duplicates;
}

/** Usage push, new API (§A.2.1, signed headers and `metering_sn`) or old API (§A.2.2). */
function usagePush(state: MockState, request: MockRequest, api: 'new' | 'old'): Answer {
	const nowMs = Date.now();
	if (api === 'new') {
		const refusal = checkUsageHeaders(state, request, nowMs);
		if (refusal) return refusal;
	}
	const parsed = parseJson(request.raw);
	if (!parsed.ok) return usageAnswer(400, '0199', 'The body is not JSON.');
	const records = (parsed.value as { usage_records?: unknown })?.usage_records;
	if (!Array.isArray(records) || records.length === 0)
		return usageAnswer(400, '0101', 'usage_records is missing or empty.');
	request.call.records = records.length;
	if (records.length > state.maxRecords)
		return usageAnswer(500, '9003', `${records.length} records; at most ${state.maxRecords}.`);
	const refusal = checkRecords(state, records, api, nowMs);
	if (refusal) return refusal;
	storeRecords(state, records as Array<Record<string, unknown>>, api, request.call);
	return usageAnswer(200, '0000');
}

type LicenseAction = 'activate' | 'heartbeat';

/** A license request's codes and body, or the answer refusing what cannot be read. */
function readLicenseRequest(
	{ req, raw }: MockRequest,
	action: LicenseAction,
	version: 1 | 2,
): { codes: string[]; body: Record<string, unknown> } | Answer {
	if (
		!String(req.headers['content-type'] ?? '')
			.toLowerCase()
			.includes('application/json')
	)
		return licenseAnswer(415, '95000003');
	const parsed = parseJson(raw);
	if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object')
		return licenseAnswer(400, '95000004');
	const body = parsed.value as Record<string, unknown>;
	const validCode = (code: unknown) =>
		typeof code === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(code);
	const codes: unknown[] =
		version === 1 ? [body.license] : Array.isArray(body.license_list) ? body.license_list : [];
	if (codes.length === 0 || codes.length > 100 || !codes.every(validCode))
		return licenseAnswer(
			400,
			'95000001',
			undefined,
			version === 1 ? 'license' : 'license_list must hold 1 to 100 codes',
		);
	const fieldProblem = licenseFieldProblem(body, action);
	if (fieldProblem) return licenseAnswer(400, '95000001', undefined, fieldProblem);
	return { codes: codes as string[], body };
}

/** The field of a license body that is malformed: `real_effect_time` or `heartbeatInfo`. */
function licenseFieldProblem(
	body: Record<string, unknown>,
	action: LicenseAction,
): string | undefined {
	if (action === 'activate' && body.real_effect_time !== undefined) {
		const text = String(body.real_effect_time);
		if (
			!/^\d{14}$/.test(text) ||
			parseSdkDate(`${text.slice(0, 8)}T${text.slice(8)}Z`) === undefined
		)
			return 'real_effect_time';
	}
	if (action === 'heartbeat' && body.heartbeatInfo !== undefined) {
		const info = body.heartbeatInfo as Record<string, unknown>;
		if (
			typeof info?.thirdPartyAccount !== 'string' ||
			info.thirdPartyAccount.length > 256 ||
			(info.ip !== undefined && String(info.ip).length > 32)
		)
			return 'heartbeatInfo';
	}
	return undefined;
}

/** Why a license code cannot be activated or queried in its state; undefined when it can. */
function licenseRefusal(
	license: MockLicense | undefined,
	action: LicenseAction,
): string | undefined {
	if (!license) return '92020005';
	if (action === 'activate') {
		if (license.state === 'notReceived') return '92020004';
		if (license.state !== 'issued') return '92020003';
	} else if (license.state === 'notReceived' || license.state === 'issued') return '92020011';
	return undefined;
}

/** The answer's entry for one code: activated (and its `license_code_info`), or its state. */
function licenseEntry(
	license: MockLicense,
	code: string,
	action: LicenseAction,
	now: string,
): Record<string, unknown> {
	if (action === 'heartbeat')
		return {
			license_code: code,
			status: license.state,
			activate_time: license.activateTime,
			expire_time: license.expireTime,
		};
	license.state = 'ALIVE';
	license.activateTime = now;
	const info = {
		status: 'ALIVE',
		expire_time: license.expireTime,
		product_id: license.productId,
		amount: license.amount,
		order_id: license.orderId,
	};
	return { license_code_info: JSON.stringify(info) };
}

/**
 * License activate and query (heartbeat), v1 (one code) or v2 (a batch): v2 answers
 * `data.license_list` with one entry per code, or `92020020` with `data.invalid_license_list`
 * when any code cannot be processed (then none is).
 */
function licenseCall(
	state: MockState,
	request: MockRequest,
	action: LicenseAction,
	version: 1 | 2,
): Answer {
	const read = readLicenseRequest(request, action, version);
	if ('status' in read) return read;
	const { codes } = read;
	const refused = codes.filter((code) => licenseRefusal(state.licenses.get(code), action));
	if (refused.length > 0) {
		if (version === 1)
			return licenseAnswer(200, licenseRefusal(state.licenses.get(refused[0]), action) as string);
		return licenseAnswer(200, '92020020', { invalid_license_list: refused });
	}
	const now = licenseTime(Date.now());
	const entries = codes.map((code) => ({
		code,
		entry: licenseEntry(state.licenses.get(code) as MockLicense, code, action, now),
	}));
	if (version === 1) return licenseAnswer(200, '92020000', entries[0].entry);
	return licenseAnswer(200, '92020000', {
		license_list: entries.map(({ code, entry }) => ({ license: code, ...entry })),
	});
}

/**
 * The Open APIs the mock serves, by core's endpoint names. The router checks the path, the AK/SK
 * signature and the HTTP method of the endpoint entry before it calls a handler.
 */
export const MOCK_ROUTES: Readonly<Record<OpenApiEndpointName, MockRoute>> = {
	orderQuery: { shape: 'order', handle: orderQuery },
	usagePush: { shape: 'usage', handle: (state, request) => usagePush(state, request, 'new') },
	usagePushOld: { shape: 'usage', handle: (state, request) => usagePush(state, request, 'old') },
	licenseActivateV1: {
		shape: 'license',
		handle: (state, request) => licenseCall(state, request, 'activate', 1),
	},
	licenseActivateV2: {
		shape: 'license',
		handle: (state, request) => licenseCall(state, request, 'activate', 2),
	},
	licenseHeartbeatV1: {
		shape: 'license',
		handle: (state, request) => licenseCall(state, request, 'heartbeat', 1),
	},
	licenseHeartbeatV2: {
		shape: 'license',
		handle: (state, request) => licenseCall(state, request, 'heartbeat', 2),
	},
};
