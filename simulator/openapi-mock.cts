/**
 * A local mock of KooGallery's Open APIs (docs/protocol/koogallery-openapi-v1.md §A, §B), for tests, the
 * simulator and the example workflows. It checks requests the way KooGallery does:
 * - every request: the `SDK-HMAC-SHA256` Authorization, with core's `verifyApigRequest`;
 * - the new usage push: the `signature` / `ts` / `nonce` headers over the exact body, with core's
 *   `usageSignature` and the seller key;
 * and answers with the documented codes. It serves the documented mock orders, stores pushed
 * usage records by `metering_sn`, activates and queries license codes, and injects faults on
 * demand (delays, 5xx answers, connections dropped before or after the request was processed),
 * drawn from a seeded random generator so a test run can be repeated.
 *
 * Where Huawei's pages are silent, the mock's behaviour is our documented assumption:
 * - a usage record whose `metering_sn` is already stored, or whose instance, begin and end time
 *   match a stored one (KooGallery's duplicate rule, §A.2.1 reporting rules), is accepted and not
 *   stored again; a call is all or nothing: one bad record refuses the whole call;
 * - an unknown order ID (or order line ID) is answered 401 `MKT.0150` (the order is not the seller's);
 * - a failed AK/SK check is answered 401 `MKT.0154` (Illegal token) in the API's own answer shape;
 * - the usage `ts` header must be within 5 minutes of the mock's clock, each nonce is used once;
 * - license v2 (batch) answers: `data.license_list` with one entry per code, or `92020020` with
 *   `data.invalid_license_list` when any code cannot be processed (then none is).
 *
 * Run it on its own with `npx tsx simulator/openapi-mock.cts --port 8787` (credentials from
 * KOOGALLERY_AK, KOOGALLERY_SK, KOOGALLERY_SELLER_KEY, or test defaults).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { parseSdkDate } from '../core/aksk/date';
import { verifyApigRequest } from '../core/aksk/verify';
import { safeEqual } from '../core/hmac';
import {
	MAX_USAGE_AGE_MS,
	MAX_USAGE_RECORDS_PER_PUSH,
	usageSignature,
	validateUsageRecord,
} from '../core/usage-signature';
import { OPEN_API_PATHS } from '../core/openapi-endpoints';
import { MemoryNonceStore } from '../core/verification';
import {
	mockLicenses,
	mockOrders,
	TV8_ANSWER,
	type MockLicense,
	type OrderInfo,
} from './openapi-mock-data.cjs';

/** Faults to inject. Rates are probabilities per request; at most one fault hits a request. */
export interface OpenApiMockFaults {
	/** Seed of the random generator (default 1). */
	seed?: number;
	/** Answer HTTP 500 (`MKT.0999`), 502 or 503 without processing the request. */
	errorRate?: number;
	/** Close the connection without processing the request. */
	dropRate?: number;
	/** Process the request (records are stored), then close the connection without answering. */
	dropAfterRate?: number;
	/** Process the request, then answer only after `delayMs`. */
	delayRate?: number;
	delayMs?: number;
	/** Accept the request and never answer (the caller's timeout ends it); nothing is processed. */
	hangRate?: number;
	/** Only requests whose path ends with one of these get faults (default: all). */
	paths?: string[];
}

export type FaultKind = 'error' | 'drop' | 'dropAfter' | 'delay' | 'hang';

export interface OpenApiMockOptions {
	port?: number;
	host?: string;
	credentials: { ak: string; sk: string; sellerKey: string };
	faults?: OpenApiMockFaults;
	/** When given, usage for any other instance ID is refused with `MKT.9001`. */
	knownInstances?: readonly string[];
	/** Records accepted per usage push (default 1000; a mirror of the docs says 100). */
	maxUsageRecords?: number;
	/** Accepted distance of the usage `ts` header from the mock's clock (default 5 minutes). */
	usageTsToleranceMs?: number;
	/** Orders served besides the documented mock orders (see `generatedOrders`). */
	orders?: readonly OrderInfo[];
}

/** One request the mock received. */
export interface MockCall {
	index: number;
	method: string;
	path: string;
	query: Record<string, string>;
	status?: number;
	/** Result code answered (`MKT.0000`, `92020003`...). */
	code?: string;
	fault?: FaultKind;
	/** Usage pushes: records in the call, newly stored, and already known. */
	records?: number;
	added?: number;
	duplicates?: number;
	/** What failed, when the request was refused. */
	detail?: string;
}

/** A stored usage record of the new API. */
export interface StoredUsageRecord {
	meteringSn: string;
	record: Record<string, unknown>;
	/** Index of the call that stored it. */
	callIndex: number;
}

export interface OpenApiMock {
	/** `http://127.0.0.1:<port>`: the custom base URL for the credential. */
	url: string;
	port: number;
	stop(): Promise<void>;
	/** Stored new-API usage records, in arrival order. */
	records(): StoredUsageRecord[];
	/** Stored old-API usage records, in arrival order. */
	oldRecords(): Array<Record<string, unknown>>;
	/** Every request received, in order. */
	calls(): MockCall[];
	/** Records that arrived again (same metering_sn or same instance and period) and were not stored. */
	duplicates(): number;
	/** Replaces the fault settings (and restarts the random generator from their seed). */
	setFaults(faults: OpenApiMockFaults | undefined): void;
	/** The license codes and their state. */
	licenses(): Map<string, MockLicense>;
	/** The orders the mock serves, by order ID (the same objects it answers with). */
	orders(): ReadonlyMap<string, OrderInfo>;
	/** Forgets records, calls and nonces, and restores the default license codes. */
	reset(): void;
}

/** A small seeded random generator (mulberry32): the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Answer {
	status: number;
	body: Record<string, unknown> | string;
	code?: string;
	detail?: string;
}

const USAGE_TS_TOLERANCE_MS = 5 * 60_000;
const MKT_MESSAGES: Record<string, string> = {
	'0000': 'Success.',
	'0999': 'System internal error.',
	'0100': 'Failure of input parameter.',
	'0101': 'Invalid parameter.',
	'0102': 'Invalid body sign.',
	'0199': 'Request parameter error.',
	'0150': 'Illegal operation.',
	'0154': 'Illegal token.',
	'9001': 'Instance ID not found.',
	'9003': 'Usage records extends size limit.',
	'9004': 'Record beginTime extends Limit.',
};
const LICENSE_MESSAGES: Record<string, string> = {
	'92020000': 'success',
	'92020003': 'illegal state',
	'92020004': 'can not active before user received.',
	'92020005': 'license code notexist',
	'92020011': 'license code has been not activated.',
	'92020020': 'Invalid license code exists.',
	'95000001': 'req param is invalid',
	'95000002': 'Request method not supported',
	'95000003': 'Content type not supported',
	'95000004': 'req message is not readable',
};

/** The two Open API answer shapes of `MKT.` codes: the order API's and the usage APIs'. */
type MktApi = 'order' | 'usage';
const MKT_FIELDS: Record<MktApi, { code: string; message: string }> = {
	order: { code: 'resultCode', message: 'resultMsg' },
	usage: { code: 'error_code', message: 'error_msg' },
};

/** An answer with an `MKT.` code, in the field names of the order or the usage API. */
function mktAnswer(
	api: MktApi,
	status: number,
	number: string,
	detail?: string,
	extra: Record<string, unknown> = {},
): Answer {
	const code = `MKT.${number}`;
	const fields = MKT_FIELDS[api];
	return {
		status,
		code,
		detail,
		body: {
			[fields.code]: code,
			[fields.message]: detail ? `${MKT_MESSAGES[number]} ${detail}` : MKT_MESSAGES[number],
			...extra,
		},
	};
}

const orderAnswer = (
	status: number,
	number: string,
	detail?: string,
	extra?: Record<string, unknown>,
) => mktAnswer('order', status, number, detail, extra);
const usageAnswer = (
	status: number,
	number: string,
	detail?: string,
	extra?: Record<string, unknown>,
) => mktAnswer('usage', status, number, detail, extra);

/** The answer shape of an API path: the order API's, else the usage APIs' (license APIs have no MKT codes). */
const apiOf = (path: string): MktApi => (path === OPEN_API_PATHS.orderQuery ? 'order' : 'usage');

/** A license-API answer. */
function licenseAnswer(status: number, code: string, data?: unknown, detail?: string): Answer {
	const body: Record<string, unknown> = { error_code: code, error_msg: LICENSE_MESSAGES[code] };
	if (data !== undefined) body.data = data;
	return { status, code, detail, body };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function licenseTime(ms: number): string {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(raw.toString('utf8')) };
	} catch {
		return { ok: false };
	}
}

/**
 * Starts the mock on 127.0.0.1 (a free port unless `port` is given) and resolves once it listens.
 */
export async function startOpenApiMock(options: OpenApiMockOptions): Promise<OpenApiMock> {
	const { ak, sk, sellerKey } = options.credentials;
	const orders = mockOrders();
	for (const order of options.orders ?? []) orders.set(order.orderId, order);
	let licenses = mockLicenses();
	let stored: StoredUsageRecord[] = [];
	let bySn = new Map<string, StoredUsageRecord>();
	let byPeriod = new Set<string>();
	let old: Array<Record<string, unknown>> = [];
	let oldByPeriod = new Set<string>();
	let duplicateCount = 0;
	let calls: MockCall[] = [];
	let nonces = new MemoryNonceStore();
	let faults: OpenApiMockFaults = options.faults ?? {};
	let random = seededRandom(faults.seed ?? 1);
	const maxRecords = options.maxUsageRecords ?? MAX_USAGE_RECORDS_PER_PUSH;
	const known = options.knownInstances ? new Set(options.knownInstances) : undefined;
	const sockets = new Set<Socket>();

	const periodKey = (r: Record<string, unknown>) =>
		JSON.stringify([r.instance_id, r.begin_time, r.end_time, r.relate_pkg_instance ?? '']);

	function drawFault(path: string): FaultKind | undefined {
		if (faults.paths && !faults.paths.some((p) => path.endsWith(p))) return undefined;
		const draw = random();
		let edge = 0;
		for (const [kind, rate] of [
			['error', faults.errorRate],
			['drop', faults.dropRate],
			['dropAfter', faults.dropAfterRate],
			['delay', faults.delayRate],
			['hang', faults.hangRate],
		] as Array<[FaultKind, number | undefined]>) {
			edge += rate ?? 0;
			if (draw < edge) return kind;
		}
		return undefined;
	}

	function checkRecords(records: unknown[], api: 'new' | 'old', nowMs: number): Answer | undefined {
		const problems: Array<{ index: number; problems: string[] }> = [];
		for (const [index, raw] of records.entries()) {
			const record = (raw ?? {}) as Record<string, unknown>;
			let list: string[];
			if (api === 'new') {
				list = validateUsageRecord(record);
			} else {
				const { product_id: productId, ...rest } = record;
				list = 'metering_sn' in rest ? ['metering_sn is not a field of the old usage API.'] : [];
				list.push(...validateUsageRecord({ ...rest, metering_sn: 'old-api' }));
				if (typeof productId !== 'string' || productId === '' || productId.length > 64)
					list.push('product_id is missing or not 1 to 64 characters of text.');
			}
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
		if (known) {
			for (const [index, raw] of records.entries()) {
				const id = String((raw as Record<string, unknown>).instance_id);
				if (!known.has(id))
					return usageAnswer(500, '9001', `Record ${index}: ${id}.`, {
						extra_info: [{ index, instance_id: id }],
					});
			}
		}
		return undefined;
	}

	function usagePush(
		req: http.IncomingMessage,
		raw: Buffer,
		call: MockCall,
		api: 'new' | 'old',
	): Answer {
		const nowMs = Date.now();
		if (req.method !== 'POST') return usageAnswer(400, '0101', 'Use POST.');
		if (api === 'new') {
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
			if (
				!/^\d{13}$/.test(ts as string) ||
				Math.abs(nowMs - Number(ts)) > (options.usageTsToleranceMs ?? USAGE_TS_TOLERANCE_MS)
			)
				return usageAnswer(400, '0102', 'The "ts" header is not the current time in milliseconds.');
			if (
				!safeEqual(
					usageSignature(sellerKey, raw.toString('utf8'), ts as string, nonce as string),
					signature,
				)
			)
				return usageAnswer(
					400,
					'0102',
					'The "signature" header does not match ts, nonce and the body.',
				);
			if (!nonces.checkAndRemember(nonce as string, nowMs, 2 * USAGE_TS_TOLERANCE_MS))
				return usageAnswer(400, '0102', 'The "nonce" was used before.');
		}
		const parsed = parseJson(raw);
		if (!parsed.ok) return usageAnswer(400, '0199', 'The body is not JSON.');
		const records = (parsed.value as { usage_records?: unknown })?.usage_records;
		if (!Array.isArray(records) || records.length === 0)
			return usageAnswer(400, '0101', 'usage_records is missing or empty.');
		call.records = records.length;
		if (records.length > maxRecords)
			return usageAnswer(500, '9003', `${records.length} records; at most ${maxRecords}.`);
		const refusal = checkRecords(records, api, nowMs);
		if (refusal) return refusal;
		let added = 0;
		let duplicates = 0;
		for (const raw of records as Array<Record<string, unknown>>) {
			const key = periodKey(raw);
			if (api === 'new') {
				const sn = String(raw.metering_sn);
				if (bySn.has(sn) || byPeriod.has(key)) {
					duplicates++;
					continue;
				}
				const entry = { meteringSn: sn, record: raw, callIndex: call.index };
				stored.push(entry);
				bySn.set(sn, entry);
				byPeriod.add(key);
			} else {
				if (oldByPeriod.has(key)) {
					duplicates++;
					continue;
				}
				old.push(raw);
				oldByPeriod.add(key);
			}
			added++;
		}
		call.added = added;
		call.duplicates = duplicates;
		duplicateCount += duplicates;
		return usageAnswer(200, '0000');
	}

	function orderQuery(req: http.IncomingMessage, query: URLSearchParams): Answer {
		if (req.method !== 'GET') return orderAnswer(400, '0101', 'Use GET.');
		const orderId = query.get('orderId');
		const orderLineId = query.get('orderLineId');
		if (!orderId) return orderAnswer(400, '0101', 'orderId is missing.');
		if (orderId.length > 64 || (orderLineId ?? '').length > 64)
			return orderAnswer(500, '0100', 'orderId and orderLineId are at most 64 characters.');
		if (orderId === 'MOCKPERIODYEARNEW' && !orderLineId)
			return { status: 200, code: 'MKT.0000', body: TV8_ANSWER };
		const order = orders.get(orderId);
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

	function licenseCall(
		req: http.IncomingMessage,
		raw: Buffer,
		action: 'activate' | 'heartbeat',
		version: 1 | 2,
	): Answer {
		if (req.method !== 'POST') return licenseAnswer(405, '95000002');
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
		if (action === 'activate' && body.real_effect_time !== undefined) {
			const text = String(body.real_effect_time);
			if (
				!/^\d{14}$/.test(text) ||
				parseSdkDate(`${text.slice(0, 8)}T${text.slice(8)}Z`) === undefined
			)
				return licenseAnswer(400, '95000001', undefined, 'real_effect_time');
		}
		if (action === 'heartbeat' && body.heartbeatInfo !== undefined) {
			const info = body.heartbeatInfo as Record<string, unknown>;
			if (
				typeof info?.thirdPartyAccount !== 'string' ||
				info.thirdPartyAccount.length > 256 ||
				(info.ip !== undefined && String(info.ip).length > 32)
			)
				return licenseAnswer(400, '95000001', undefined, 'heartbeatInfo');
		}
		const refusal = (code: string): string | undefined => {
			const license = licenses.get(code);
			if (!license) return '92020005';
			if (action === 'activate') {
				if (license.state === 'notReceived') return '92020004';
				if (license.state !== 'issued') return '92020003';
			} else if (license.state === 'notReceived' || license.state === 'issued') return '92020011';
			return undefined;
		};
		const refused = (codes as string[]).filter((code) => refusal(code) !== undefined);
		if (refused.length > 0) {
			if (version === 1) return licenseAnswer(200, refusal(refused[0]) as string);
			return licenseAnswer(200, '92020020', { invalid_license_list: refused });
		}
		const now = licenseTime(Date.now());
		const results = (codes as string[]).map((code) => {
			const license = licenses.get(code) as MockLicense;
			if (action === 'activate') {
				license.state = 'ALIVE';
				license.activateTime = now;
				return {
					license,
					code,
					info: JSON.stringify({
						status: 'ALIVE',
						expire_time: license.expireTime,
						product_id: license.productId,
						amount: license.amount,
						order_id: license.orderId,
					}),
				};
			}
			return { license, code };
		});
		const entry = (r: (typeof results)[number]) =>
			action === 'activate'
				? { license_code_info: r.info }
				: {
						license_code: r.code,
						status: r.license.state,
						activate_time: r.license.activateTime,
						expire_time: r.license.expireTime,
					};
		if (version === 1) return licenseAnswer(200, '92020000', entry(results[0]));
		return licenseAnswer(200, '92020000', {
			license_list: results.map((r) => ({ license: r.code, ...entry(r) })),
		});
	}

	function route(
		req: http.IncomingMessage,
		raw: Buffer,
		path: string,
		query: URLSearchParams,
		call: MockCall,
	): Answer {
		if (!(Object.values(OPEN_API_PATHS) as string[]).includes(path)) {
			return {
				status: 404,
				code: 'APIGW.0101',
				body: {
					error_code: 'APIGW.0101',
					error_msg: 'The API does not exist or has not been published in the environment.',
				},
			};
		}
		const verified = verifyApigRequest({
			method: req.method ?? 'GET',
			url: req.url ?? '/',
			headers: req.headers,
			body: raw.length > 0 ? raw : undefined,
			credentials: (key) => (key === ak ? sk : undefined),
		});
		if (!verified.ok) return mktAnswer(apiOf(path), 401, '0154', verified.message);
		switch (path) {
			case OPEN_API_PATHS.orderQuery:
				return orderQuery(req, query);
			case OPEN_API_PATHS.usagePush:
				return usagePush(req, raw, call, 'new');
			case OPEN_API_PATHS.usagePushOld:
				return usagePush(req, raw, call, 'old');
			case OPEN_API_PATHS.licenseActivateV1:
				return licenseCall(req, raw, 'activate', 1);
			case OPEN_API_PATHS.licenseActivateV2:
				return licenseCall(req, raw, 'activate', 2);
			case OPEN_API_PATHS.licenseHeartbeatV1:
				return licenseCall(req, raw, 'heartbeat', 1);
			default:
				return licenseCall(req, raw, 'heartbeat', 2);
		}
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const parsedUrl = new URL(req.url ?? '/', 'http://mock.invalid');
			const path = parsedUrl.pathname.replace(/\/+$/, '') || '/';
			const call: MockCall = {
				index: calls.length,
				method: req.method ?? 'GET',
				path,
				query: Object.fromEntries(parsedUrl.searchParams),
			};
			calls.push(call);
			const fault = drawFault(path);
			if (fault) call.fault = fault;
			if (fault === 'drop') {
				req.socket.destroy();
				return;
			}
			// Hang: keep the connection open and never answer; stop() closes it.
			if (fault === 'hang') return;
			if (fault === 'error') {
				const status = [500, 502, 503][Math.floor(random() * 3)];
				call.status = status;
				if (status === 500) {
					const answer = mktAnswer(apiOf(path), 500, '0999');
					call.code = answer.code;
					send(res, answer);
				} else {
					res
						.writeHead(status, { 'content-type': 'text/plain' })
						.end(status === 502 ? 'Bad Gateway' : 'Service Unavailable');
				}
				return;
			}
			const answer = route(req, raw, path, parsedUrl.searchParams, call);
			call.status = answer.status;
			call.code = answer.code;
			if (answer.detail) call.detail = answer.detail;
			if (fault === 'dropAfter') {
				req.socket.destroy();
				return;
			}
			if (fault === 'delay') {
				setTimeout(() => send(res, answer), faults.delayMs ?? 1000);
				return;
			}
			send(res, answer);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	function send(res: http.ServerResponse, answer: Answer): void {
		if (res.destroyed) return;
		const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
		res.writeHead(answer.status, {
			'content-type': 'application/json;charset=UTF-8',
			'content-length': Buffer.byteLength(text),
		});
		res.end(text);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const host = options.host ?? '127.0.0.1';

	return {
		url: `http://${host}:${port}`,
		port,
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
		records: () => [...stored],
		oldRecords: () => [...old],
		calls: () => calls.map((c) => ({ ...c })),
		duplicates: () => duplicateCount,
		setFaults(next) {
			faults = next ?? {};
			random = seededRandom(faults.seed ?? 1);
		},
		licenses: () => licenses,
		orders: () => orders,
		reset() {
			stored = [];
			bySn = new Map();
			byPeriod = new Set();
			old = [];
			oldByPeriod = new Set();
			duplicateCount = 0;
			calls = [];
			nonces = new MemoryNonceStore();
			licenses = mockLicenses();
		},
	};
}

if (require.main === module) {
	const portArg = process.argv.indexOf('--port');
	const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8787;
	startOpenApiMock({
		port,
		credentials: {
			ak: process.env.KOOGALLERY_AK ?? 'MOCKAK0000000000000',
			sk: process.env.KOOGALLERY_SK ?? 'mock-secret-access-key-not-real',
			sellerKey: process.env.KOOGALLERY_SELLER_KEY ?? 'mock-seller-key-not-real',
		},
	}).then((mock) => process.stdout.write(`KooGallery Open API mock listening on ${mock.url}\n`));
}
