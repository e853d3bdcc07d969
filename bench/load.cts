/**
 * Load: KooGallery's calls offered at a fixed rate (50 a second for 60 seconds by default) to the
 * PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json) in a real n8n 2.41.1 with
 * the tuned expression-engine settings (spec README decision 15), against a baseline measured in the
 * same run on the same n8n: n8n's own Webhook -> Respond to Webhook answering a static body.
 *
 * The calls come from scripts/load.cts (mixed scenarios, signed by the simulator's client). After
 * the load the database is compared with what the answers said (one row per answered new purchase,
 * states as the last accepted call left them), and every new purchase that went unanswered is sent
 * again the way KooGallery retries it.
 *
 * Used by test/e2e/load.e2e.test.cts (which asserts correctness) and by `npm run bench`
 * (part `load`), which writes the "Load" section of BENCHMARKS.md. Nothing here judges a number.
 *
 *   node --require tsx/cjs bench/load.cts [--rate=50] [--duration=60] [--out=BENCHMARKS.md]
 *   node --require tsx/cjs bench/load.cts --from-results   (the section from bench/results/load.json)
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	formatLoadResult,
	rssSummary,
	runLoad,
	type LoadResult,
	type TrackedInstance,
	type UnansweredOrder,
} from '../scripts/load.cjs';
import { ensureN8n, installPack, startN8n, type N8nHandle } from '../scripts/n8n-harness.cjs';
import { sqlLiteral, startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { startOpenApiMock } from '../simulator/openapi-mock.cjs';
import { call, newBusinessId } from '../simulator/saas-v2-client.cjs';
import { formatNumber, formatRatio, markdownTable } from './stats.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');
/** Where the test and the bench leave the numbers of the last run. */
export const LOAD_RESULTS_FILE = path.join(REPO_ROOT, 'bench', 'results', 'load.json');
export const LOAD_SECTION_TITLE = '## Load: 50 req/s × 60 s';

const SECRETS = {
	sellerKey: 'load-Seller-Key-7d1e4c2b',
	ak: 'LOADBENCHAK0000000001',
	sk: 'load-bench-secret-access-key',
};
const TUNED_ENV = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
	N8N_EXPRESSION_ENGINE_POOL_SIZE: '4',
};
const BASELINE_PATH = 'load/n8n-static';
const BASELINE_BODY = '{"resultCode":"000000","resultMsg":"success"}';

/** A load run without the per-call lists (kept small for the results file). */
export type LoadSummary = Omit<LoadResult, 'instances' | 'ordersToRetry' | 'rss'> & {
	rssMb: { firstMb: number; lastMb: number; maxMb: number };
	/** RSS of n8n every second, MB. */
	rssSeries: number[];
};

/** How the database compares with what the answers said. */
export interface Consistency {
	/** New purchases answered 000000 with an instance ID. */
	answeredOrders: number;
	/** Of those, how many have no row, more than one row, or a row with another instance ID. */
	missingRows: string[];
	duplicateRows: string[];
	wrongInstanceId: string[];
	/** Instances whose status, expiry or last order differ from the last accepted call. */
	stateMismatches: Array<{
		instanceId: string;
		expected: Record<string, unknown>;
		actual: Record<string, unknown>;
	}>;
	/** Instances whose last change went unanswered, so either state is right (not compared). */
	uncertain: number;
	/** Rows of the load's orders that no answered or unanswered new purchase explains. */
	unexplainedRows: number;
	/** New purchases without a result code (unanswered or HTTP error), those with a row before the retry, and the retry's outcome. */
	unansweredOrders: number;
	unansweredWithRow: number;
	retried: number;
	retriedOk: number;
	/** Orders (answered or retried) that do not have exactly one row after the retries. */
	notOneRowAfterRetry: string[];
	/** Executions of the example workflow n8n stored, by status. */
	executions: Record<string, number>;
	/** Executions n8n still listed as new or running when its database stopped changing. */
	stuckExecutions: number;
}

/** What n8n's log says about the run: lines counted by pattern. */
export interface N8nLogCounts {
	/** `Timeout waiting for lock SqliteWriteConnectionMutex`: n8n's SQLite write lock timed out. */
	sqliteLockTimeouts: number;
	/** `There was a problem executing the workflow`: n8n answered a webhook call with an error. */
	webhookProblems: number;
}

export interface LoadBenchResult {
	startedAt: string;
	finishedAt: string;
	rate: number;
	durationMs: number;
	cpus: number;
	loadAverage: { before: number[]; after: number[] };
	n8nSettings: Record<string, string>;
	baseline: LoadSummary;
	pack: LoadSummary;
	consistency: Consistency;
	/** n8n's log during the baseline and during the pack's run. */
	n8nLog: { baseline: N8nLogCounts; pack: N8nLogCounts };
	/** Every failed-call example of the pack's run (up to 20). */
	packFailures: LoadResult['failures'];
	/** The pack alone at lower rates, before the main run: what n8n sustains here. */
	steps: Array<{ rate: number; durationMs: number; summary: LoadSummary }>;
}

export interface LoadBenchOptions {
	rate?: number;
	durationMs?: number;
	/** Rates the pack alone is offered first, `stepMs` each (default 10, 20 and 30 a second, 20 s). */
	steps?: number[];
	stepMs?: number;
	/** A packed tarball of the pack; packed from the work tree when omitted. */
	tarball?: string;
	log?: (line: string) => void;
}

function summarise(result: LoadResult, pid: number): LoadSummary {
	const { instances: _i, ordersToRetry: _u, rss, ...rest } = result;
	return {
		...rest,
		rssMb: rssSummary(rss, pid),
		rssSeries: rss.filter((s) => s.pid === pid).map((s) => Math.round(s.rssKb / 1024)),
	};
}

/** n8n Webhook -> Respond to Webhook with a static body: the cheapest answer n8n gives. */
function baselineWorkflow(): object {
	return {
		id: 'LoadBaselineN8n0',
		name: 'Load baseline: n8n Webhook -> Respond to Webhook (static)',
		nodes: [
			{
				parameters: {
					httpMethod: 'POST',
					path: BASELINE_PATH,
					responseMode: 'responseNode',
					options: {},
				},
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: randomUUID(),
			},
			{
				parameters: { respondWith: 'text', responseBody: BASELINE_BODY, options: {} },
				id: randomUUID(),
				name: 'Respond to Webhook',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.5,
				position: [220, 0],
			},
		],
		connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

interface Environment {
	n8n: N8nHandle;
	pg: PostgresServer;
	packUrl: string;
	baselineUrl: string;
	workflowId: string;
	stop(): Promise<void>;
}

async function startEnvironment(tarball: string | undefined): Promise<Environment> {
	await ensureN8n();
	const stops: Array<() => unknown> = [];
	const stop = async () => {
		for (const step of stops.reverse()) await step();
	};
	try {
		const pg = await startPostgres();
		stops.push(() => pg.stop());
		const openApi = await startOpenApiMock({ credentials: SECRETS });
		stops.push(() => openApi.stop());
		const workflow = JSON.parse(
			fs.readFileSync(
				path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-postgres.json'),
				'utf8',
			),
		) as { id: string; nodes: Array<{ type: string; parameters: Record<string, unknown> }> };
		const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
		if (!trigger) throw new Error('the PostgreSQL example lost its KooGallery Trigger');
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-load-'));
		stops.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
		installPack(userFolder, tarball);
		const n8n = await startN8n({
			userFolder,
			workflows: [workflow, baselineWorkflow()],
			env: TUNED_ENV,
			credentials: [
				{
					id: 'kooGallerySellerKey',
					name: 'KooGallery Seller Key',
					type: 'kooGallerySellerKeyApi',
					data: { secretKey: SECRETS.sellerKey, kitSecretKey: '', site: 'cn' },
				},
				pg.n8nCredential('koogalleryPostgres', 'KooGallery PostgreSQL'),
				{
					id: 'kooGalleryOpenApi',
					name: 'KooGallery Open API',
					type: 'kooGalleryOpenApi',
					data: {
						accessKeyId: SECRETS.ak,
						secretAccessKey: SECRETS.sk,
						sellerSecretKey: SECRETS.sellerKey,
						site: 'custom',
						baseUrl: openApi.url,
					},
				},
			],
		});
		stops.push(() => n8n.stop());
		const deadline = Date.now() + 60_000;
		while (
			pg.rows("SELECT 1 AS x FROM pg_tables WHERE tablename = 'koogallery_instances'").length === 0
		) {
			if (Date.now() > deadline) throw new Error('the example workflow did not create its tables');
			await sleep(500);
		}
		return {
			n8n,
			pg,
			packUrl: `${n8n.baseUrl}/webhook/${String(trigger.parameters.path)}`,
			baselineUrl: `${n8n.baseUrl}/webhook/${BASELINE_PATH}`,
			workflowId: workflow.id,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until n8n has no execution of the workflow left running (calls given up on still run), or
 * until its executions have not changed for 30 s (an execution whose final save failed stays
 * "running" in n8n's database for ever). Returns the executions by status and how many are stuck.
 */
async function drain(
	n8n: N8nHandle,
	workflowId: string,
	log: (line: string) => void,
): Promise<{ byStatus: Record<string, number>; stuck: number }> {
	const deadline = Date.now() + 10 * 60_000;
	let last = '';
	let unchangedSince = Date.now();
	for (;;) {
		const executions = await n8n.listExecutions(workflowId);
		const byStatus: Record<string, number> = {};
		for (const e of executions) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
		const busy = executions.filter(
			(e) => !e.finished && ['new', 'running', 'waiting'].includes(e.status),
		).length;
		const state = JSON.stringify(byStatus);
		if (state !== last) {
			last = state;
			unchangedSince = Date.now();
		}
		if (busy === 0 || Date.now() - unchangedSince > 30_000 || Date.now() > deadline)
			return { byStatus, stuck: busy };
		log(`waiting for ${busy} executions to finish (${state})`);
		await sleep(3000);
	}
}

/** Counts what n8n logged since `from` (an offset into its log). */
function logCounts(n8n: N8nHandle, from: number): N8nLogCounts {
	const text = n8n.logs().slice(from);
	const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
	return {
		sqliteLockTimeouts: count(/Timeout waiting for lock SqliteWriteConnectionMutex/g),
		webhookProblems: count(/There was a problem executing the workflow/g),
	};
}

interface InstanceRow {
	instance_id: string;
	order_id: string;
	order_line_id: string;
	status: string;
	expire_time: string | null;
	last_order_id: string | null;
}

function rowsOfOrders(pg: PostgresServer, orderIds: string[]): InstanceRow[] {
	if (orderIds.length === 0) return [];
	const rows: InstanceRow[] = [];
	for (let i = 0; i < orderIds.length; i += 500) {
		const list = orderIds
			.slice(i, i + 500)
			.map(sqlLiteral)
			.join(', ');
		rows.push(
			...pg.rows<InstanceRow>(
				`SELECT instance_id, order_id, order_line_id, status, expire_time, last_order_id
				FROM koogallery_instances WHERE order_id IN (${list})`,
			),
		);
	}
	return rows;
}

/** Compares the database with the answers, then sends every unanswered new purchase again. */
async function checkConsistency(
	env: Environment,
	instances: TrackedInstance[],
	unanswered: UnansweredOrder[],
	executions: { byStatus: Record<string, number>; stuck: number },
): Promise<Consistency> {
	const allOrders = [...instances.map((i) => i.orderId), ...unanswered.map((o) => o.orderId)];
	const rows = rowsOfOrders(env.pg, allOrders);
	const byOrder = new Map<string, InstanceRow[]>();
	for (const row of rows) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
	const result: Consistency = {
		answeredOrders: instances.length,
		missingRows: [],
		duplicateRows: [],
		wrongInstanceId: [],
		stateMismatches: [],
		uncertain: instances.filter((i) => i.uncertain).length,
		unexplainedRows: 0,
		unansweredOrders: unanswered.length,
		unansweredWithRow: unanswered.filter((o) => byOrder.has(o.orderId)).length,
		retried: 0,
		retriedOk: 0,
		notOneRowAfterRetry: [],
		executions: executions.byStatus,
		stuckExecutions: executions.stuck,
	};
	const total = Number(
		env.pg.rows<{ n: string }>('SELECT count(*) AS n FROM koogallery_instances')[0].n,
	);
	result.unexplainedRows = total - rows.length;
	for (const instance of instances) {
		const found = byOrder.get(instance.orderId) ?? [];
		if (found.length === 0) result.missingRows.push(instance.orderId);
		if (found.length > 1) result.duplicateRows.push(instance.orderId);
		const row = found[0];
		if (!row) continue;
		if (row.instance_id !== instance.instanceId || row.order_line_id !== instance.orderLineId)
			result.wrongInstanceId.push(instance.orderId);
		if (instance.uncertain) continue;
		const expected = {
			status: instance.status,
			expire_time: instance.expireTime ?? row.expire_time,
			last_order_id: instance.lastOrderId,
		};
		const actual = {
			status: row.status,
			expire_time: row.expire_time,
			last_order_id: row.last_order_id,
		};
		if (JSON.stringify(expected) !== JSON.stringify(actual))
			result.stateMismatches.push({ instanceId: instance.instanceId, expected, actual });
	}
	// KooGallery retries what it got no result code for: the same order, a new businessId, a few
	// times; four at a time here.
	const retriedIds = new Map<string, string>();
	const queue = [...unanswered];
	const retry = async () => {
		for (let order = queue.shift(); order; order = queue.shift()) {
			result.retried++;
			for (let attempt = 0; attempt < 3; attempt++) {
				const answer = await call(env.packUrl, SECRETS.sellerKey, {
					activity: 'newInstance',
					orderId: order.orderId,
					orderLineId: order.orderLineId,
					businessId: newBusinessId(),
				});
				if (answer.status === 200 && answer.signed && answer.json?.resultCode === '000000') {
					result.retriedOk++;
					retriedIds.set(order.orderId, String(answer.json.instanceId));
					break;
				}
			}
		}
	};
	await Promise.all([retry(), retry(), retry(), retry()]);
	const after = rowsOfOrders(env.pg, allOrders);
	for (const orderId of [...instances.map((i) => i.orderId), ...retriedIds.keys()]) {
		const found = after.filter((r) => r.order_id === orderId);
		const expectedId =
			retriedIds.get(orderId) ?? instances.find((i) => i.orderId === orderId)?.instanceId;
		if (found.length !== 1 || found[0].instance_id !== expectedId)
			result.notOneRowAfterRetry.push(orderId);
	}
	return result;
}

/**
 * Runs the load against the baseline and the PostgreSQL example in one fresh n8n and checks the
 * database afterwards. Resolves with the numbers; throws only when the environment cannot start.
 */
export async function runLoadBench(options: LoadBenchOptions = {}): Promise<LoadBenchResult> {
	const rate = options.rate ?? 50;
	const durationMs = options.durationMs ?? 60_000;
	const log = options.log ?? (() => undefined);
	const startedAt = new Date().toISOString();
	const before = os.loadavg();
	log('starting PostgreSQL, the Open API mock and n8n (tuned settings)');
	const env = await startEnvironment(options.tarball);
	try {
		log('warming up: 20 calls to each workflow');
		await runLoad({
			urls: env.baselineUrl,
			key: SECRETS.sellerKey,
			rate: 5,
			durationMs: 4000,
			plain: true,
		});
		const warm = await runLoad({
			urls: env.packUrl,
			key: SECRETS.sellerKey,
			rate: 5,
			durationMs: 4000,
		});
		const logStart = env.n8n.logs().length;
		const progress =
			(name: string) =>
			(s: {
				second: number;
				sent: number;
				ok: number;
				inFlight: number;
				rss: Array<{ rssKb: number }>;
			}) => {
				if (s.second % 10 === 0)
					log(
						`${name} ${s.second}s: sent ${s.sent}/s, ok ${s.ok}/s, in flight ${s.inFlight}, n8n RSS ${Math.round((s.rss[0]?.rssKb ?? NaN) / 1024)} MB`,
					);
			};
		log(`baseline: ${rate} req/s for ${durationMs / 1000} s to n8n Webhook -> Respond to Webhook`);
		const baseline = await runLoad({
			urls: env.baselineUrl,
			key: SECRETS.sellerKey,
			rate,
			durationMs,
			plain: true,
			rssPids: [env.n8n.pid],
			onSecond: progress('baseline'),
		});
		log(formatLoadResult(baseline));
		await drain(env.n8n, 'LoadBaselineN8n0', log);
		const baselineLog = logCounts(env.n8n, logStart);
		const stepMs = options.stepMs ?? 20_000;
		const steps: LoadBenchResult['steps'] = [];
		const stepResults: LoadResult[] = [];
		for (const stepRate of options.steps ?? [10, 20, 30]) {
			log(`step: the pack alone at ${stepRate} req/s for ${stepMs / 1000} s`);
			const step = await runLoad({
				urls: env.packUrl,
				key: SECRETS.sellerKey,
				rate: stepRate,
				durationMs: stepMs,
				rssPids: [env.n8n.pid],
			});
			log(formatLoadResult(step));
			stepResults.push(step);
			steps.push({ rate: stepRate, durationMs: stepMs, summary: summarise(step, env.n8n.pid) });
			await drain(env.n8n, env.workflowId, log);
		}
		const packLogStart = env.n8n.logs().length;
		log(`pack: ${rate} req/s for ${durationMs / 1000} s to the PostgreSQL example`);
		const pack = await runLoad({
			urls: env.packUrl,
			key: SECRETS.sellerKey,
			rate,
			durationMs,
			rssPids: [env.n8n.pid],
			onSecond: progress('pack'),
		});
		log(formatLoadResult(pack));
		const executions = await drain(env.n8n, env.workflowId, log);
		const packLog = logCounts(env.n8n, packLogStart);
		log('comparing the database with the answers; retrying unanswered new purchases');
		const consistency = await checkConsistency(
			env,
			[warm, ...stepResults, pack].flatMap((r) => r.instances),
			[warm, ...stepResults, pack].flatMap((r) => r.ordersToRetry),
			executions,
		);
		return {
			startedAt,
			finishedAt: new Date().toISOString(),
			rate,
			durationMs,
			cpus: os.cpus().length,
			loadAverage: { before, after: os.loadavg() },
			n8nSettings: TUNED_ENV,
			baseline: summarise(baseline, env.n8n.pid),
			pack: summarise(pack, env.n8n.pid),
			consistency,
			n8nLog: { baseline: baselineLog, pack: packLog },
			packFailures: pack.failures,
			steps,
		};
	} finally {
		await env.stop();
	}
}

/** Writes the results file (bench/results/load.json by default). */
export function saveLoadResults(result: LoadBenchResult, file = LOAD_RESULTS_FILE): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(result, null, '\t')}\n`);
}

const ms = (value: number) => formatNumber(value);
/** The table of one run: both workflows and the ratios. */
export function loadTable(result: LoadBenchResult): string {
	const row = (name: string, s: LoadSummary) => [
		name,
		String(s.sent),
		String(s.ok),
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p95),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)} / ${s.rssMb.maxMb.toFixed(0)}`,
	];
	const { pack, baseline } = result;
	return markdownTable(
		[
			'Workflow',
			'Sent',
			'Correct',
			'No answer',
			'HTTP error',
			'Wrong',
			'req/s',
			'p50 ms',
			'p95 ms',
			'p99 ms',
			'max ms',
			'> 5 s',
			'n8n RSS MB first / last / max',
		],
		[
			row('n8n Webhook -> Respond to Webhook (static, unsigned): baseline', baseline),
			row('KooGallery PostgreSQL example (signed, mixed scenarios)', pack),
			[
				'pack / baseline',
				'',
				'',
				'',
				'',
				'',
				formatRatio(pack.throughput / baseline.throughput),
				formatRatio(pack.latencyMs.p50 / baseline.latencyMs.p50),
				formatRatio(pack.latencyMs.p95 / baseline.latencyMs.p95),
				formatRatio(pack.latencyMs.p99 / baseline.latencyMs.p99),
				formatRatio(pack.latencyMs.max / baseline.latencyMs.max),
				'',
				formatRatio(pack.rssMb.maxMb / baseline.rssMb.maxMb),
			],
		],
	);
}

/** The table of the pack alone at lower rates (before the main run), when there is one. */
function stepsText(result: LoadBenchResult): string {
	if (!result.steps?.length) return '';
	const rows = result.steps.map(({ rate, durationMs, summary: s }) => [
		`${rate} req/s × ${durationMs / 1000} s`,
		`${s.ok} / ${s.sent}`,
		String(s.unanswered),
		String(s.refused),
		String(s.wrong),
		formatNumber(s.throughput),
		ms(s.latencyMs.p50),
		ms(s.latencyMs.p99),
		ms(s.latencyMs.max),
		String(s.over5s),
		`${s.rssMb.firstMb.toFixed(0)} / ${s.rssMb.lastMb.toFixed(0)}`,
	]);
	return [
		"What the same n8n sustains: the pack alone at lower rates, after the baseline's run and before the pack's main run (its executions drained between steps):",
		'',
		markdownTable(
			[
				'Offered',
				'Correct / sent',
				'No answer',
				'HTTP error',
				'Wrong',
				'req/s',
				'p50 ms',
				'p99 ms',
				'max ms',
				'> 5 s',
				'n8n RSS MB first / last',
			],
			rows,
		),
	].join('\n');
}

/** The "Load" section of BENCHMARKS.md. */
export function renderLoadSection(result: LoadBenchResult): string {
	const { pack, baseline, consistency: c, n8nLog: logs } = result;
	const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
	const rateMet = pack.throughput >= result.rate * 0.95 && pack.ok === pack.sent;
	const timeMet = pack.over5s === 0 && pack.unanswered === 0 && pack.refused === 0;
	const settings = Object.entries(result.n8nSettings)
		.map(([k, v]) => `${k}=${v}`)
		.join(', ');
	const mix = Object.entries(pack.byScenario)
		.map(([name, s]) => `${name} ${s.sent}`)
		.join(', ');
	const executions = Object.entries(c.executions)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ');
	const verdict = (met: boolean) => (met ? 'met' : '**missed**');
	const when = result.startedAt.slice(0, 16).replace('T', ' ');
	const rss = (s: LoadSummary) =>
		`${s.rssMb.firstMb.toFixed(0)} MB at the start, ${s.rssMb.lastMb.toFixed(0)} MB at the end, ${s.rssMb.maxMb.toFixed(0)} MB at most`;
	return [
		LOAD_SECTION_TITLE,
		'',
		`Open-loop load (scripts/load.cts): ${result.rate} calls a second for ${result.durationMs / 1000} s, each sent on schedule whether or not earlier ones were answered, as KooGallery does. One fresh n8n 2.41.1 in regular mode with the tuned settings (${settings}), SQLite for n8n's own data (the harness default), a private PostgreSQL for the workflow's tables, the Open API mock answering Order > Get; the baseline first, then the pack, on the same n8n, after 20 warm-up calls to each. Measured by test/e2e/load.e2e.test.cts, \`npm run bench\` (part load) or \`node --require tsx/cjs bench/load.cts\` (which rewrites only this section), at ${when} UTC on ${result.cpus} CPUs; load average ${load(result.loadAverage.before)} before, ${load(result.loadAverage.after)} after: other engineers' n8n instances and tests were running on the same machine.`,
		'',
		`- **pack**: the PostgreSQL example workflow as shipped, with mixed SaaS V2.0 calls (${mix}): new purchases of fresh orders, every other call on an instance created earlier in the run with no other call in flight. Correct = HTTP 200, Body-Sign valid over the exact bytes, resultCode 000000, and the instance ID (new purchase) or the instance info (query).`,
		"- **baseline**: n8n's own Webhook -> Respond to Webhook answering a static body, unsigned; correct = HTTP 200 and resultCode 000000.",
		'- **No answer**: nothing within 30 s, or the connection closed; **HTTP error**: n8n answered another status than 200 without running the workflow to its Respond node (no result code reached the caller). KooGallery retries both. **Wrong**: answered 200 but not correct (must be 0).',
		'',
		loadTable(result),
		'',
		stepsText(result),
		'',
		'| Target | Result |',
		'| --- | --- |',
		`| ${result.rate} req/s served | ${verdict(rateMet)}: ${formatNumber(pack.throughput)} correct answers a second (baseline ${formatNumber(baseline.throughput)}; pack / baseline ${formatRatio(pack.throughput / baseline.throughput)}) |`,
		`| no answer slower than 5 s | ${verdict(timeMet)}: ${pack.over5s} answers over 5 s, ${pack.unanswered} without an answer, ${pack.refused} HTTP errors; p99 of the answers ${ms(pack.latencyMs.p99)} ms (baseline: ${baseline.over5s} over 5 s, p99 ${ms(baseline.latencyMs.p99)} ms) |`,
		`| memory steady | n8n's RSS during the pack's run: ${rss(pack)}; during the baseline: ${rss(baseline)} |`,
		'',
		`**Data afterwards** (asserted by the test): ${c.answeredOrders} new purchases answered correctly; ${c.missingRows.length} of them without a row, ${c.duplicateRows.length} with more than one, ${c.wrongInstanceId.length} with another instance ID; ${c.stateMismatches.length} instances whose status, expiry or last order differ from the last accepted call (${c.uncertain} not compared: their last change got no result code); ${c.unexplainedRows} rows no call explains. ${c.unansweredOrders} new purchases got no result code (${c.unansweredWithRow} had already made their row); sent again as KooGallery retries them, ${c.retriedOk} of ${c.retried} were answered correctly and ${c.notOneRowAfterRetry.length} orders do not end with exactly one row.`,
		'',
		`**n8n itself**: executions of the example stored: ${executions}; ${c.stuckExecutions} left as new or running when n8n's database stopped changing. n8n logged ${logs.pack.sqliteLockTimeouts} SQLite write-lock timeouts and ${logs.pack.webhookProblems} "There was a problem executing the workflow" during the pack's run (baseline: ${logs.baseline.sqliteLockTimeouts} and ${logs.baseline.webhookProblems}).`,
		'',
		whyText(result, rateMet, timeMet),
		'',
	].join('\n');
}

function whyText(result: LoadBenchResult, rateMet: boolean, timeMet: boolean): string {
	if (rateMet && timeMet) return 'Both targets were met on this run.';
	const { pack, baseline, n8nLog: logs } = result;
	const fallback = pack.byScenario.newInstance?.sent ?? 0;
	const held = (result.steps ?? []).filter(
		({ summary: st }) => st.ok === st.sent && st.over5s === 0,
	);
	const best = held.length ? held[held.length - 1] : undefined;
	const broke = (result.steps ?? []).find(({ summary: st }) => st.ok < st.sent || st.over5s > 0);
	const sustained = best
		? ` Offered alone at lower rates, the pack answered every call correctly within 5 s at ${best.rate} a second (p99 ${ms(best.summary.latencyMs.p99)} ms)${broke ? ` and fell behind at ${broke.rate} a second (${formatNumber(broke.summary.throughput)} served, ${broke.summary.over5s + broke.summary.unanswered} calls over 5 s or unanswered)` : ''}: ${result.rate} a second is ${formatRatio(result.rate / best.rate)} the highest rate it held on this machine.`
		: '';
	const sqlite =
		logs.pack.sqliteLockTimeouts > 0
			? ` n8n keeps every execution in its own database: with SQLite one write lock serialises those saves, and with thousands of executions queued the lock timed out ${logs.pack.sqliteLockTimeouts} times; ${logs.pack.webhookProblems} calls ended with n8n's "problem executing the workflow" (${pack.refused} of them while the caller still waited, the rest after it had given up), and executions were left marked running that never finish.`
			: '';
	return `Why: the pack's workflow does a database lookup, an Order > Get, three inserts and a signed answer per new purchase, about ten nodes whose data n8n saves with each execution; the baseline runs two nodes. On this ${result.cpus}-core machine shared with other tests, one n8n process in regular mode served ${formatNumber(baseline.throughput)} static answers a second but ${formatNumber(pack.throughput)} correct answers of the example a second (${formatRatio(pack.throughput / baseline.throughput)}); offered more than it serves, calls queue inside n8n and wait longer than KooGallery's 5 s (Little's law); even the baseline answered ${baseline.over5s} of its ${baseline.sent} calls after more than 5 s at this rate.${sustained}${sqlite} n8n's memory grows with the calls it holds: ${(result.steps?.[0]?.summary.rssMb.firstMb ?? pack.rssMb.firstMb).toFixed(0)} MB before the pack's first call, ${pack.rssMb.maxMb.toFixed(0)} MB at most, so it is steady only below capacity. Reaching ${result.rate} a second needs more CPU for n8n and a database that takes concurrent writes: PostgreSQL for n8n's own data and queue mode with webhook and worker processes on more cores (n8n-platform.md, queue mode). The mix leans to new purchases (${fallback} of ${pack.sent}) because a call on an earlier instance needs one that was answered and is not busy, and few were.`;
}

/** Replaces (or appends) the Load section of a Markdown file. */
export function writeLoadSection(file: string, section: string): void {
	const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const start = text.indexOf(LOAD_SECTION_TITLE);
	if (start < 0) {
		fs.writeFileSync(file, `${text.replace(/\n*$/, '\n\n')}${section}`);
		return;
	}
	const next = text.indexOf('\n## ', start + LOAD_SECTION_TITLE.length);
	fs.writeFileSync(
		file,
		`${text.slice(0, start)}${section}${next < 0 ? '' : text.slice(next + 1)}`,
	);
}

/** The Load section from the last saved results, or undefined when there are none. */
export function savedLoadSection(file = LOAD_RESULTS_FILE): string | undefined {
	if (!fs.existsSync(file)) return undefined;
	return renderLoadSection(JSON.parse(fs.readFileSync(file, 'utf8')) as LoadBenchResult);
}

if (require.main === module && process.argv.includes('--from-results')) {
	// Writes the section from bench/results/load.json (as the e2e test left it), measuring nothing.
	const out = path.join(REPO_ROOT, 'BENCHMARKS.md');
	const section = savedLoadSection();
	if (!section) throw new Error(`no results in ${LOAD_RESULTS_FILE}`);
	writeLoadSection(out, section);
	process.stdout.write(`wrote the Load section of ${out} from ${LOAD_RESULTS_FILE}\n`);
} else if (require.main === module) {
	const arg = (name: string) =>
		process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const out = path.resolve(arg('out') ?? path.join(REPO_ROOT, 'BENCHMARKS.md'));
	runLoadBench({
		rate: Number(arg('rate') ?? 50),
		durationMs: Number(arg('duration') ?? 60) * 1000,
		log: (line) =>
			process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
	}).then(
		(result) => {
			saveLoadResults(result);
			writeLoadSection(out, renderLoadSection(result));
			process.stdout.write(`${loadTable(result)}\n`);
			process.exit(0);
		},
		(error: Error) => {
			process.stderr.write(`${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}
