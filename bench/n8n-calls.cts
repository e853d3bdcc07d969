/**
 * Part 2 of the benchmarks (issue 7): a whole KooGallery call through a real n8n 2.41.1.
 *
 * One n8n instance serves, side by side:
 * - pack:  KooGallery Trigger (verifies the V2.0 signature) -> KooGallery Respond (newInstance,
 *          signed with Body-Sign);
 * - n8n:   n8n's own Webhook -> Respond to Webhook giving the same JSON answer, unsigned;
 * and, when PostgreSQL is available, the same two with a Postgres "Execute Query" upsert of the
 * order in the middle (the answer's instance ID then comes from the database row).
 *
 * The pack and its n8n baseline are measured alternately in rounds, at concurrency 1, 10 and 50,
 * with the same number of requests, the same signed request bytes and the same client. Every
 * answer is checked (HTTP 200, resultCode 000000, the expected instance ID, and for the pack a
 * Body-Sign valid over the exact bytes); anything else counts as an error. Requests go to
 * 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyBodySign } from '../core/body-sign';
import { defaultInstanceId } from '../core/instance-id';
import { installPack } from '../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../scripts/n8n-process.cjs';
import { newOrder, signCall } from '../simulator/saas-v2-client.cjs';
import { startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { median, nowMs, quantile } from './stats.cjs';

const SELLER_KEY = 'bench-Seller-Key-5d7f9b1c3e5a7c9e';
const SELLER_CREDENTIAL = { id: 'benchSellerKey01', name: 'Bench seller key' };
const POSTGRES_CREDENTIAL = { id: 'benchPostgres001', name: 'Bench PostgreSQL' };
/** KooGallery gives up on an answer after 5 seconds. */
export const KOOGALLERY_TIMEOUT_MS = 5000;
/** Calls sent to each workflow before measuring, at concurrency 5, not counted. */
export const WARM_UP_CALLS = 20;
/** The client gives up after this long and counts an error. */
const CLIENT_TIMEOUT_MS = 30_000;
const TABLE = 'koogallery_bench_instances';
/** Idempotent on the order: a repeated order gets the instance ID it got the first time. */
const UPSERT =
	`INSERT INTO ${TABLE} (order_id, order_line_id, instance_id) VALUES ($1, $2, $3) ` +
	`ON CONFLICT (order_id, order_line_id) DO UPDATE SET updated_at = now() RETURNING instance_id`;

/** The two n8n expression-engine settings compared (docs/protocol/README.md decision 15). */
export const N8N_SETTINGS = [
	{
		id: 'tuned',
		label:
			'N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true, N8N_EXPRESSION_ENGINE_POOL_SIZE=4 (as `npm start` and the README)',
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true', N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' },
	},
	{
		id: 'defaults',
		label:
			"n8n's defaults (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=false, N8N_EXPRESSION_ENGINE_POOL_SIZE=1)",
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'false', N8N_EXPRESSION_ENGINE_POOL_SIZE: '1' },
	},
] as const;

export type SettingId = (typeof N8N_SETTINGS)[number]['id'];
export type Variant = 'plain' | 'postgres';
export type Side = 'pack' | 'n8n';

/** The measurement of one side at one concurrency. */
export interface CellResult {
	setting: SettingId;
	variant: Variant;
	side: Side;
	concurrency: number;
	requests: number;
	errors: number;
	/** Up to five distinct error descriptions. */
	errorSamples: string[];
	/** Answers that took longer than KooGallery's 5-second limit (counted, not errors). */
	overKooGalleryLimit: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
	/** Requests divided by the wall time of this side's rounds. */
	reqPerSec: number;
}

export interface SettingResult {
	id: SettingId;
	label: string;
	cells: CellResult[];
	/** Load average right before and after this setting's measurements. */
	loadBefore: number[];
	loadAfter: number[];
}

export interface N8nCallsResult {
	requestsPerCell: number;
	rounds: number;
	concurrencies: number[];
	/** PostgreSQL server version, or why the PostgreSQL variant was not measured. */
	postgres: { version: string } | { skipped: string };
	settings: SettingResult[];
}

export interface N8nCallsOptions {
	requestsPerCell: number;
	/** Each cell's requests are split into this many alternating rounds. */
	rounds: number;
	concurrencies: number[];
	/** Which settings to measure (default both). */
	settings?: SettingId[];
	/** Measure the PostgreSQL variant when PostgreSQL can be started (default true). */
	postgres?: boolean;
	/** The packed pack (`packOnce`); every n8n instance installs this same tarball. */
	tarball: string;
	log: (line: string) => void;
}

type Node = Record<string, unknown>;

function credentialsOf(kind: 'seller' | 'postgres'): Record<string, unknown> {
	return kind === 'seller'
		? { kooGallerySellerKeyApi: SELLER_CREDENTIAL }
		: { postgres: POSTGRES_CREDENTIAL };
}

function postgresNode(replacements: string): Node {
	return {
		parameters: {
			operation: 'executeQuery',
			query: UPSERT,
			options: { queryReplacement: replacements },
		},
		id: randomUUID(),
		name: 'Upsert the order',
		type: 'n8n-nodes-base.postgres',
		typeVersion: 2.6,
		position: [220, 0],
		credentials: credentialsOf('postgres'),
	};
}

/** A workflow whose nodes run in a line, from first to last. */
function chain(id: string, name: string, nodes: Node[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name as string] = {
			main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]],
		};
	}
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

/** KooGallery Trigger -> [Postgres upsert] -> KooGallery Respond (newInstance). */
function packWorkflow(variant: Variant): Record<string, unknown> {
	const trigger: Node = {
		parameters: {
			path: `bench/koogallery-${variant}`,
			protocol: 'saasV2',
			scenarios: ['newInstance'],
			options: {},
		},
		id: randomUUID(),
		name: 'KooGallery Trigger',
		type: 'n8n-nodes-koogallery.kooGalleryTrigger',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		credentials: credentialsOf('seller'),
	};
	const respond: Node = {
		// Without a database the instance ID is left empty: the node then answers the order line's
		// own ID (core/instance-id.ts), the same on every retry.
		parameters:
			variant === 'postgres'
				? { respondTo: 'newInstance', instanceId: '={{ $json.instance_id }}' }
				: { respondTo: 'newInstance' },
		id: randomUUID(),
		name: 'KooGallery Respond',
		type: 'n8n-nodes-koogallery.kooGalleryRespond',
		typeVersion: 1,
		position: [440, 0],
		credentials: credentialsOf('seller'),
	};
	const middle =
		variant === 'postgres'
			? [postgresNode('={{ [$json.orderId, $json.orderLineId, $json.businessId] }}')]
			: [];
	return chain(
		`BenchPack${variant === 'postgres' ? 'Pg' : 'Plain'}`,
		`Bench: KooGallery Trigger -> Respond (${variant})`,
		[trigger, ...middle, respond],
	);
}

/** n8n Webhook -> [Postgres upsert] -> Respond to Webhook with the same JSON answer, unsigned. */
function n8nWorkflow(variant: Variant): Record<string, unknown> {
	const webhook: Node = {
		parameters: {
			httpMethod: 'POST',
			path: `bench/n8n-${variant}`,
			responseMode: 'responseNode',
			options: {},
		},
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: randomUUID(),
	};
	const instanceId = variant === 'postgres' ? '$json.instance_id' : '$json.body.orderLineId';
	const respond: Node = {
		parameters: {
			respondWith: 'json',
			responseBody: `={{ { resultCode: '000000', resultMsg: 'success', instanceId: ${instanceId} } }}`,
			options: {},
		},
		id: randomUUID(),
		name: 'Respond to Webhook',
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.5,
		position: [440, 0],
	};
	const middle =
		variant === 'postgres'
			? [postgresNode('={{ [$json.body.orderId, $json.body.orderLineId, $json.body.businessId] }}')]
			: [];
	return chain(
		`BenchN8n${variant === 'postgres' ? 'Pg' : 'Plain'}`,
		`Bench: n8n Webhook -> Respond to Webhook (${variant})`,
		[webhook, ...middle, respond],
	);
}

/** A fresh newInstance call, signed as KooGallery signs it; the same bytes go to both sides. */
function newCall(url: string): {
	url: string;
	body: string;
	/** The instance ID expected: the row's (the business ID) with a database, else the order line's. */
	expected: Record<Variant, string>;
} {
	const businessId = randomUUID();
	const payload = {
		activity: 'newInstance',
		...newOrder(),
		businessId,
		customerId: '68cbc86abc2018ab880d92f36422fa0e',
		productId: '00301-666666-0--0',
		skuCode: 'c3b97a4c-26d3-4d5c-8a6b-2b1f0e9d8c7a',
		testFlag: '0',
	};
	const signed = signCall(url, SELLER_KEY, payload);
	const orderLine = defaultInstanceId(payload) ?? '';
	return {
		url: signed.url,
		body: signed.body,
		expected: { plain: orderLine, postgres: businessId },
	};
}

interface Sample {
	ms: number;
	error?: string;
}

/** Posts one call and checks the answer; the time covers sending until the last answer byte. */
function post(
	agent: http.Agent,
	side: Side,
	variant: Variant,
	call: ReturnType<typeof newCall>,
): Promise<Sample> {
	return new Promise((resolve) => {
		const started = nowMs();
		const finish = (error?: string, body?: Buffer, response?: http.IncomingMessage) => {
			const ms = nowMs() - started;
			if (error || !body || !response) return resolve({ ms, error: error ?? 'no answer' });
			resolve({ ms, error: checkAnswer(side, response, body, call.expected[variant]) });
		};
		const request = http.request(
			call.url,
			{ method: 'POST', agent, headers: { 'content-type': 'application/json;charset=utf8' } },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () => finish(undefined, Buffer.concat(chunks), response));
				response.on('error', (error) => finish(`response error: ${error.message}`));
			},
		);
		request.on('error', (error) => finish(`request error: ${error.message}`));
		request.setTimeout(CLIENT_TIMEOUT_MS, () =>
			request.destroy(new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms`)),
		);
		request.end(call.body);
	});
}

/** Undefined when the answer is the one expected, else why not. */
function checkAnswer(
	side: Side,
	response: http.IncomingMessage,
	body: Buffer,
	expectedInstanceId: string,
): string | undefined {
	if (response.statusCode !== 200)
		return `HTTP ${response.statusCode}: ${body.toString('utf8').slice(0, 120)}`;
	let json: Record<string, unknown>;
	try {
		json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
	} catch {
		return `answer is not JSON: ${body.toString('utf8').slice(0, 120)}`;
	}
	if (json.resultCode !== '000000')
		return `resultCode ${String(json.resultCode)}: ${String(json.resultMsg)}`;
	if (json.instanceId !== expectedInstanceId)
		return `instanceId ${String(json.instanceId)} is not the expected one`;
	if (side === 'pack' && !verifyBodySign(SELLER_KEY, body, response.headers['body-sign']))
		return 'Body-Sign missing or wrong';
	return undefined;
}

/** Sends `count` calls to `url` with `concurrency` calls in flight; returns samples and wall time. */
async function load(
	url: string,
	side: Side,
	variant: Variant,
	count: number,
	concurrency: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const samples: Sample[] = [];
	let next = 0;
	const started = nowMs();
	const worker = async () => {
		while (next < count) {
			next++;
			samples.push(await post(agent, side, variant, newCall(url)));
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	const wallMs = nowMs() - started;
	agent.destroy();
	return { samples, wallMs };
}

function summarise(
	setting: SettingId,
	variant: Variant,
	side: Side,
	concurrency: number,
	samples: Sample[],
	wallMs: number,
): CellResult {
	const ms = samples.map((sample) => sample.ms);
	const errors = samples.filter((sample) => sample.error);
	return {
		setting,
		variant,
		side,
		concurrency,
		requests: samples.length,
		errors: errors.length,
		errorSamples: [...new Set(errors.map((sample) => sample.error as string))].slice(0, 5),
		overKooGalleryLimit: ms.filter((value) => value > KOOGALLERY_TIMEOUT_MS).length,
		p50: median(ms),
		p95: quantile(ms, 0.95),
		p99: quantile(ms, 0.99),
		max: Math.max(...ms),
		reqPerSec: (samples.length * 1000) / wallMs,
	};
}

function loadAverage(): number[] {
	return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

/** Measures one variant's pack and n8n sides at every concurrency, alternating in rounds. */
async function measureVariant(
	handle: N8nHandle,
	setting: SettingId,
	variant: Variant,
	options: N8nCallsOptions,
): Promise<CellResult[]> {
	const urls: Record<Side, string> = {
		pack: `${handle.baseUrl}/webhook/bench/koogallery-${variant}`,
		n8n: `${handle.baseUrl}/webhook/bench/n8n-${variant}`,
	};
	// Warm-up: not counted; fails loudly if a workflow does not answer as expected.
	for (const side of ['pack', 'n8n'] as const) {
		const warm = await load(urls[side], side, variant, WARM_UP_CALLS, 5);
		const failed = warm.samples.filter((sample) => sample.error);
		if (failed.length > 0) {
			throw new Error(
				`${setting}/${variant}/${side} warm-up: ${failed.length} of ${WARM_UP_CALLS} failed, e.g. ${failed[0].error}`,
			);
		}
	}
	const cells: CellResult[] = [];
	for (const concurrency of options.concurrencies) {
		const collected: Record<Side, { samples: Sample[]; wallMs: number }> = {
			pack: { samples: [], wallMs: 0 },
			n8n: { samples: [], wallMs: 0 },
		};
		const perRound = Math.ceil(options.requestsPerCell / options.rounds);
		for (let round = 0; round < options.rounds; round++) {
			const order: Side[] = round % 2 === 0 ? ['pack', 'n8n'] : ['n8n', 'pack'];
			for (const side of order) {
				const count = Math.min(perRound, options.requestsPerCell - collected[side].samples.length);
				if (count <= 0) continue;
				const result = await load(urls[side], side, variant, count, concurrency);
				collected[side].samples.push(...result.samples);
				collected[side].wallMs += result.wallMs;
			}
		}
		for (const side of ['pack', 'n8n'] as const) {
			const cell = summarise(
				setting,
				variant,
				side,
				concurrency,
				collected[side].samples,
				collected[side].wallMs,
			);
			options.log(
				`n8n ${setting} ${variant} ${side} c=${concurrency}: p50 ${cell.p50.toFixed(1)} p95 ${cell.p95.toFixed(1)} ` +
					`p99 ${cell.p99.toFixed(1)} ms, ${cell.reqPerSec.toFixed(1)} req/s, ${cell.errors} errors`,
			);
			cells.push(cell);
		}
	}
	return cells;
}

/** Starts a private PostgreSQL with the table, or says why the PostgreSQL variant is skipped. */
async function preparePostgres(options: N8nCallsOptions): Promise<PostgresServer | string> {
	if (options.postgres === false) return 'not requested in this run';
	try {
		const server = await startPostgres();
		server.sql(
			`CREATE TABLE ${TABLE} (order_id text NOT NULL, order_line_id text NOT NULL, instance_id text NOT NULL, ` +
				`created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), ` +
				`PRIMARY KEY (order_id, order_line_id))`,
		);
		options.log(`PostgreSQL ready on 127.0.0.1:${server.port} (${server.version})`);
		return server;
	} catch (error) {
		options.log(`PostgreSQL variant skipped: ${(error as Error).message}`);
		return (error as Error).message;
	}
}

/**
 * Runs part 2: for each n8n setting, a fresh n8n with the pack installed and the workflows
 * imported, then every variant and concurrency. Always stops what it started.
 */
export async function runN8nCallsBench(options: N8nCallsOptions): Promise<N8nCallsResult> {
	const postgres = await preparePostgres(options);
	const variants: Variant[] = typeof postgres === 'string' ? ['plain'] : ['plain', 'postgres'];
	const settings: SettingResult[] = [];
	try {
		for (const setting of N8N_SETTINGS.filter(
			(s) => !options.settings || options.settings.includes(s.id),
		)) {
			const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `koogallery-bench-${setting.id}-`));
			let handle: N8nHandle | undefined;
			try {
				installPack(userFolder, options.tarball);
				const credentials: object[] = [
					{
						...SELLER_CREDENTIAL,
						type: 'kooGallerySellerKeyApi',
						data: { secretKey: SELLER_KEY, site: 'cn' },
					},
				];
				if (typeof postgres !== 'string') {
					credentials.push({
						...POSTGRES_CREDENTIAL,
						type: 'postgres',
						data: {
							host: postgres.host,
							port: postgres.port,
							database: postgres.database,
							user: postgres.user,
							password: postgres.password,
							ssl: 'disable',
							allowUnauthorizedCerts: false,
							maxConnections: 100,
						},
					});
				}
				handle = await startN8n({
					userFolder,
					workflows: variants.flatMap((variant) => [packWorkflow(variant), n8nWorkflow(variant)]),
					credentials,
					env: { ...setting.env },
				});
				const loadBefore = loadAverage();
				const cells: CellResult[] = [];
				for (const variant of variants)
					cells.push(...(await measureVariant(handle, setting.id, variant, options)));
				settings.push({
					id: setting.id,
					label: setting.label,
					cells,
					loadBefore,
					loadAfter: loadAverage(),
				});
			} finally {
				await handle?.stop();
				if (!process.env.KOOGALLERY_KEEP_N8N)
					fs.rmSync(userFolder, { recursive: true, force: true });
			}
		}
	} finally {
		if (typeof postgres !== 'string') postgres.stop();
	}
	return {
		requestsPerCell: options.requestsPerCell,
		rounds: options.rounds,
		concurrencies: options.concurrencies,
		postgres: typeof postgres === 'string' ? { skipped: postgres } : { version: postgres.version },
		settings,
	};
}
