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
 * The mock routes on the endpoint table of core/openapi-endpoints.ts, the one the action node sends
 * its requests to: the handler of each API is in simulator/openapi-mock-handlers.cts, its answers
 * in simulator/openapi-mock-answers.cts.
 *
 * Run it on its own with `npx tsx simulator/openapi-mock.cts --port 8787` (credentials from
 * KOOGALLERY_AK, KOOGALLERY_SK, KOOGALLERY_SELLER_KEY, or test defaults).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { verifyApigRequest } from '../core/aksk/verify';
import { OPEN_API_ENDPOINTS, openApiEndpointAt } from '../core/openapi-endpoints';
import { MAX_USAGE_RECORDS_PER_PUSH } from '../core/usage-signature';
import { MemoryNonceStore } from '../core/verification';
import {
	mktAnswer,
	unknownApiAnswer,
	wrongMethodAnswer,
	type Answer,
	type AnswerShape,
} from './openapi-mock-answers.cjs';
import {
	mockLicenses,
	mockOrders,
	type MockLicense,
	type OrderInfo,
} from './openapi-mock-data.cjs';
import {
	MOCK_ROUTES,
	USAGE_TS_TOLERANCE_MS,
	type MockRequest,
	type MockState,
} from './openapi-mock-handlers.cjs';

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

/** The mock's stores and fault settings, and the log of calls. */
interface Mock {
	options: OpenApiMockOptions;
	state: MockState;
	calls: MockCall[];
	faults: OpenApiMockFaults;
	random: () => number;
}

/** Empty stores, the documented orders (and the given ones) and the default license codes. */
function freshState(options: OpenApiMockOptions): MockState {
	const orders = mockOrders();
	for (const order of options.orders ?? []) orders.set(order.orderId, order);
	return {
		sellerKey: options.credentials.sellerKey,
		orders,
		licenses: mockLicenses(),
		stored: [],
		bySn: new Map(),
		byPeriod: new Set(),
		old: [],
		oldByPeriod: new Set(),
		duplicateCount: 0,
		nonces: new MemoryNonceStore(),
		maxRecords: options.maxUsageRecords ?? MAX_USAGE_RECORDS_PER_PUSH,
		usageTsToleranceMs: options.usageTsToleranceMs ?? USAGE_TS_TOLERANCE_MS,
		known: options.knownInstances ? new Set(options.knownInstances) : undefined,
	};
}

/** The fault for a request to `path`, drawn from the seeded generator; at most one. */
function drawFault(mock: Mock, path: string): FaultKind | undefined {
	const { faults } = mock;
	if (faults.paths && !faults.paths.some((p) => path.endsWith(p))) return undefined;
	const draw = mock.random();
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

/**
 * The answer to a request: 404 for a path that is no Open API of core's endpoint table, 401
 * `MKT.0154` when the AK/SK signature does not verify, the API's own refusal of a wrong method,
 * else the answer of the API's handler.
 */
function route(mock: Mock, request: MockRequest, path: string): Answer {
	const name = openApiEndpointAt(path);
	if (name === undefined) return unknownApiAnswer();
	const { req, raw } = request;
	const mockRoute = MOCK_ROUTES[name];
	const verified = verifyApigRequest({
		method: req.method ?? 'GET',
		url: req.url ?? '/',
		headers: req.headers,
		body: raw.length > 0 ? raw : undefined,
		credentials: (key) =>
			key === mock.options.credentials.ak ? mock.options.credentials.sk : undefined,
	});
	if (!verified.ok) return mktAnswer(mockRoute.shape, 401, '0154', verified.message);
	const { method } = OPEN_API_ENDPOINTS[name];
	if (req.method !== method) return wrongMethodAnswer(mockRoute.shape, method);
	return mockRoute.handle(mock.state, request);
}

/** The answer shape of a path, for a fault's answer; a path that is no Open API as the usage APIs'. */
function shapeOf(path: string): AnswerShape {
	const name = openApiEndpointAt(path);
	return name === undefined ? 'usage' : MOCK_ROUTES[name].shape;
}

function send(res: http.ServerResponse, answer: Answer): void {
	if (res.destroyed) return;
	const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
	res.writeHead(answer.status, {
		'content-type': 'application/json;charset=UTF-8',
		'content-length': Buffer.byteLength(text),
	});
	res.end(text);
}

/** Answers HTTP 500 (`MKT.0999`), 502 or 503 without processing the request. */
function sendError(mock: Mock, res: http.ServerResponse, call: MockCall): void {
	const status = [500, 502, 503][Math.floor(mock.random() * 3)];
	call.status = status;
	if (status === 500) {
		const answer = mktAnswer(shapeOf(call.path), 500, '0999');
		call.code = answer.code;
		send(res, answer);
		return;
	}
	res
		.writeHead(status, { 'content-type': 'text/plain' })
		.end(status === 502 ? 'Bad Gateway' : 'Service Unavailable');
}

/** Logs a received request, injects its fault if one is drawn, and answers it. */
function handle(
	mock: Mock,
	req: http.IncomingMessage,
	res: http.ServerResponse,
	raw: Buffer,
): void {
	const parsedUrl = new URL(req.url ?? '/', 'http://mock.invalid');
	const path = parsedUrl.pathname.replace(/\/+$/, '') || '/';
	const query = parsedUrl.searchParams;
	const call: MockCall = {
		index: mock.calls.length,
		method: req.method ?? 'GET',
		path,
		query: Object.fromEntries(query),
	};
	mock.calls.push(call);
	const fault = drawFault(mock, path);
	if (fault) call.fault = fault;
	if (fault === 'drop') return void req.socket.destroy();
	// Hang: keep the connection open and never answer; stop() closes it.
	if (fault === 'hang') return;
	if (fault === 'error') return sendError(mock, res, call);
	const answer = route(mock, { req, raw, query, call }, path);
	call.status = answer.status;
	call.code = answer.code;
	if (answer.detail) call.detail = answer.detail;
	if (fault === 'dropAfter') return void req.socket.destroy();
	if (fault === 'delay') {
		setTimeout(() => send(res, answer), mock.faults.delayMs ?? 1000);
		return;
	}
	send(res, answer);
}

/** The mock's handle for tests: its address, what it stored and received, its settings. */
function mockHandle(mock: Mock, server: http.Server, sockets: Set<Socket>): OpenApiMock {
	const host = mock.options.host ?? '127.0.0.1';
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${host}:${port}`,
		port,
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
		records: () => [...mock.state.stored],
		oldRecords: () => [...mock.state.old],
		calls: () => mock.calls.map((c) => ({ ...c })),
		duplicates: () => mock.state.duplicateCount,
		setFaults(next) {
			mock.faults = next ?? {};
			mock.random = seededRandom(mock.faults.seed ?? 1);
		},
		licenses: () => mock.state.licenses,
		orders: () => mock.state.orders,
		reset() {
			mock.state = { ...freshState(mock.options), orders: mock.state.orders };
			mock.calls = [];
		},
	};
}

/**
 * Starts the mock on 127.0.0.1 (a free port unless `port` is given) and resolves once it listens.
 */
export async function startOpenApiMock(options: OpenApiMockOptions): Promise<OpenApiMock> {
	const faults = options.faults ?? {};
	const mock: Mock = {
		options,
		state: freshState(options),
		calls: [],
		faults,
		random: seededRandom(faults.seed ?? 1),
	};
	const sockets = new Set<Socket>();
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => handle(mock, req, res, Buffer.concat(chunks)));
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	return mockHandle(mock, server, sockets);
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
