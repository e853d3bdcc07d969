/**
 * Part 3b of the benchmarks (issue 21): the usage-metering example workflow itself
 * (workflows/koogallery-usage-metering.json) reporting 10,000 and 100,000 unreported rows from a
 * private PostgreSQL to the Open API mock, in a real n8n, while the resident memory of the n8n
 * process is sampled every 50 ms.
 *
 * The workflow is imported as shipped, except that its hourly Schedule Trigger becomes a Webhook
 * of the same name (so one run starts when the benchmark asks for it) and it names no error
 * workflow. Each size runs in its own fresh n8n: a warm-up run of one page first (so loading the
 * nodes' code is not counted), then the measured run. Growth = highest RSS during the run minus
 * RSS right before it.
 *
 * Every size is measured twice. First with n8n's default heap settings: that is the measurement of
 * issue 21's target (n8n as a seller installs it). V8 then lets the garbage of finished page runs
 * pile up to about four times what is live before its next full collection, so the peak shows when
 * V8 collects rather than what n8n holds (bench/usage-memory-probe.cts shows the heap after a full
 * collection is the same after the run as before it). Then, as extra information, with the heap
 * limit that deploy/n8n.env and the README advise (`NODE_OPTIONS=--max-old-space-size=1536`), under
 * which V8 collects sooner. Every run also checks that each row was pushed exactly once, at most
 * 1000 records a call.
 *
 *   node --require tsx/cjs bench/usage-workflow.cts [--sizes=10000,100000] [--heap-limit=MB]
 *       (after npm run build)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { installPack } from '../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../scripts/n8n-process.cjs';
import { type ExecutionSummary } from '../scripts/n8n-database.cjs';
import { sendRequest } from '../scripts/n8n-http.cjs';
import { exampleCredentials } from '../scripts/example-credentials.cjs';
import { startPostgres, type PostgresServer } from '../scripts/postgres.cjs';
import { startOpenApiMock, type OpenApiMock } from '../simulator/openapi-mock.cjs';
import { OPEN_API_PATHS } from '../core/openapi-endpoints';
import { HEAP_LIMIT_MB } from './load-setup.cjs';
import { packOnce } from './pack.cjs';
import { nowMs } from './stats.cjs';
import { rssMb } from './usage-push.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');
const AK = 'BENCHOPENAPIAK000002';
const SK = 'bench-open-api-secret-access-key-not-real';
const SELLER_KEY = 'bench-seller-key-not-real';

/** The Open API mock for the usage example, knowing the bench's made-up keys. */
export const startUsageMock = (): Promise<OpenApiMock> =>
	startOpenApiMock({ credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY } });

/** The example's credentials (scripts/example-credentials.cts): the bench's PostgreSQL and the Open API mock. */
export const usageCredentials = (pg: PostgresServer, mock: OpenApiMock): object[] =>
	exampleCredentials({ sellerKey: SELLER_KEY, ak: AK, sk: SK }, pg, mock.url);
const HOOK = 'bench-usage-metering';
const SAMPLE_EVERY_MS = 50;
/** Rows of the warm-up run: one page. */
export const WARM_UP_ROWS = 1000;
const RUN_TIMEOUT_MS = 40 * 60_000;

/** One measured run of the example workflow. */
export interface UsageWorkflowRun {
	/** n8n's heap limit (`--max-old-space-size`) in MB, or undefined for Node's default. */
	heapLimitMb?: number;
	/** Unreported rows in the table when the run started. */
	rows: number;
	/** Rows marked reported at the end (must equal `rows`). */
	reported: number;
	/** Runs of one page (n8n executions started by the workflow calling itself). */
	pageRuns: number;
	/** Usage push calls the mock received, the largest one, and the records it stored. */
	calls: number;
	largestCall: number;
	stored: number;
	/**
	 * Records in all the calls, and records the mock received again (same metering_sn or same
	 * instance and period); absent in results saved before they were counted.
	 */
	pushed?: number;
	duplicates?: number;
	/** From starting the run to the last execution's end, in milliseconds. */
	wallMs: number;
	rssBeforeMb: number;
	rssPeakMb: number;
	error?: string;
}

export interface UsageWorkflowResult {
	sizes: number[];
	warmUpRows: number;
	runs: UsageWorkflowRun[];
	loadBefore: number[];
	loadAfter: number[];
}

/** The shipped workflow with a Webhook, named like the Schedule Trigger, in its place. */
export function benchWorkflow(): Record<string, unknown> {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(REPO_ROOT, 'workflows', 'koogallery-usage-metering.json'), 'utf8'),
	) as { nodes: Array<Record<string, unknown>>; settings: Record<string, unknown> };
	const schedule = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
	if (!schedule) throw new Error('the usage workflow lost its Schedule Trigger');
	Object.assign(schedule, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: HOOK,
		parameters: { httpMethod: 'POST', path: HOOK, responseMode: 'onReceived', options: {} },
	});
	delete workflow.settings.errorWorkflow;
	return workflow;
}

/** `count` unreported rows over 13 instances, one-second periods from 6 hours ago, all distinct. */
export function insertRows(pg: PostgresServer, count: number, tag: string): void {
	pg.sql(`INSERT INTO koogallery_usage (instance_id, begin_time, end_time, usage_value)
		SELECT '${tag}-instance-' || (n % 13),
			now() - interval '6 hours' + (n / 13) * interval '1 second',
			now() - interval '6 hours' + (n / 13 + 1) * interval '1 second',
			(n % 50) + 0.25
		FROM generate_series(0, ${count - 1}) AS n`);
}

function unreported(pg: PostgresServer): number {
	return pg.rows<{ n: number }>(
		'SELECT count(*)::int AS n FROM koogallery_usage WHERE reported_at IS NULL',
	)[0].n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` is true, polling every second; throws with `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(1000);
	}
}

/** Starts one run, waits until every row is reported and every execution has ended. */
export async function reportAll(
	handle: N8nHandle,
	pg: PostgresServer,
	workflowId: string,
): Promise<ExecutionSummary[]> {
	const before = new Set((await handle.listExecutions(workflowId)).map((run) => run.id));
	const answer = await sendRequest(`${handle.baseUrl}/webhook/${HOOK}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	if (answer.status !== 200) throw new Error(`n8n answered HTTP ${answer.status} to the webhook`);
	await until('every row reported', () => unreported(pg) === 0, RUN_TIMEOUT_MS);
	let runs: ExecutionSummary[] = [];
	await until(
		'the run to end',
		async () => {
			runs = (await handle.listExecutions(workflowId)).filter((run) => !before.has(run.id));
			return runs.length > 0 && runs.every((run) => run.stoppedAt !== null);
		},
		RUN_TIMEOUT_MS,
	);
	const failed = runs.filter((run) => run.status !== 'success');
	if (failed.length) throw new Error(`${failed.length} execution(s) ended ${failed[0].status}`);
	return runs;
}

async function measure(
	handle: N8nHandle,
	pg: PostgresServer,
	mock: OpenApiMock,
	workflowId: string,
	rows: number,
	heapLimitMb: number | undefined,
	log: (line: string) => void,
): Promise<UsageWorkflowRun> {
	mock.reset();
	const duplicatesBefore = mock.duplicates();
	insertRows(pg, rows, `bench${rows}`);
	const rssBefore = rssMb(handle.pid) ?? NaN;
	let peak = rssBefore;
	const sample = () => {
		const now = rssMb(handle.pid);
		if (now !== undefined && now > peak) peak = now;
	};
	const sampler = setInterval(sample, SAMPLE_EVERY_MS);
	const started = nowMs();
	let error: string | undefined;
	let runs: ExecutionSummary[] = [];
	try {
		runs = await reportAll(handle, pg, workflowId);
	} catch (failure) {
		error = (failure as Error).message;
	} finally {
		clearInterval(sampler);
		sample();
	}
	const wallMs = nowMs() - started;
	const calls = mock.calls().filter((call) => call.path === OPEN_API_PATHS.usagePush);
	const reported = pg.rows<{ n: number }>(
		`SELECT count(*)::int AS n FROM koogallery_usage WHERE instance_id LIKE 'bench${rows}-%' AND reported_at IS NOT NULL`,
	)[0].n;
	const stored = mock.records().length;
	const pushed = calls.reduce((sum, call) => sum + (call.records ?? 0), 0);
	const duplicates = mock.duplicates() - duplicatesBefore;
	const largestCall = Math.max(0, ...calls.map((call) => call.records ?? 0));
	// Each row exactly once, at most 1000 records a call (issue 21).
	if (!error && (reported !== rows || stored !== rows || pushed !== rows || duplicates !== 0))
		error = `${reported} of ${rows} rows reported, ${stored} records stored by the mock, ${pushed} pushed, ${duplicates} sent again`;
	if (!error && largestCall > 1000) error = `a call carried ${largestCall} records (at most 1000)`;
	const result: UsageWorkflowRun = {
		heapLimitMb,
		rows,
		reported,
		pageRuns: runs.filter((run) => run.mode === 'integrated').length,
		calls: calls.length,
		largestCall,
		stored,
		pushed,
		duplicates,
		wallMs,
		rssBeforeMb: rssBefore,
		rssPeakMb: peak,
		error,
	};
	log(
		`usage workflow ${rows} (heap ${heapLimitMb ? `${heapLimitMb} MB` : 'default'}): ${result.pageRuns} page runs, ${result.calls} calls, ${stored} stored, ` +
			`${(wallMs / 1000).toFixed(1)} s, RSS ${rssBefore.toFixed(0)} -> peak ${peak.toFixed(0)} MB` +
			(error ? `, ERROR ${error}` : ''),
	);
	return result;
}

/** One fresh n8n and PostgreSQL: warm-up run of one page, then the measured run of `rows` rows. */
async function runOneSize(
	tarball: string,
	mock: OpenApiMock,
	rows: number,
	heapLimitMb: number | undefined,
	log: (line: string) => void,
): Promise<UsageWorkflowRun> {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-bench-usage-workflow-'));
	let pg: PostgresServer | undefined;
	let handle: N8nHandle | undefined;
	try {
		pg = await startPostgres();
		installPack(userFolder, tarball);
		const workflow = benchWorkflow();
		handle = await startN8n({
			userFolder,
			workflows: [workflow],
			credentials: usageCredentials(pg, mock),
			env: heapLimitMb ? { NODE_OPTIONS: `--max-old-space-size=${heapLimitMb}` } : {},
		});
		const workflowId = String(workflow.id);
		const server = pg;
		// The workflow creates its table when n8n starts.
		await until(
			'the table koogallery_usage',
			() => server.rows("SELECT 1 FROM pg_tables WHERE tablename = 'koogallery_usage'").length > 0,
			120_000,
		);
		insertRows(pg, WARM_UP_ROWS, 'warmup');
		await reportAll(handle, pg, workflowId);
		await sleep(3000);
		return await measure(handle, pg, mock, workflowId, rows, heapLimitMb, log);
	} finally {
		await handle?.stop();
		pg?.stop();
		if (!process.env.KOOGALLERY_KEEP_N8N) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

/**
 * Runs part 3b: each size in its own fresh n8n, smaller first, with the default heap and then with
 * the heap limit. Always stops what it started.
 */
export async function runUsageWorkflowBench(options: {
	sizes: number[];
	tarball: string;
	log: (line: string) => void;
	/** The heap limit of the second measurement (default HEAP_LIMIT_MB). */
	heapLimitMb?: number;
}): Promise<UsageWorkflowResult> {
	const sizes = [...options.sizes].sort((a, b) => a - b);
	const loadBefore = os.loadavg().map((value) => Math.round(value * 100) / 100);
	const mock = await startUsageMock();
	const runs: UsageWorkflowRun[] = [];
	try {
		for (const heapLimitMb of [undefined, options.heapLimitMb ?? HEAP_LIMIT_MB])
			for (const rows of sizes)
				runs.push(await runOneSize(options.tarball, mock, rows, heapLimitMb, options.log));
	} finally {
		await mock.stop();
	}
	return {
		sizes,
		warmUpRows: WARM_UP_ROWS,
		runs,
		loadBefore,
		loadAfter: os.loadavg().map((value) => Math.round(value * 100) / 100),
	};
}

if (require.main === module) {
	const log = (line: string) =>
		process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
	const sizes = (
		process.argv.find((arg) => arg.startsWith('--sizes='))?.slice('--sizes='.length) ??
		'10000,100000'
	)
		.split(',')
		.map(Number);
	const heapLimitMb = Number(
		process.argv.find((arg) => arg.startsWith('--heap-limit='))?.slice('--heap-limit='.length) ??
			HEAP_LIMIT_MB,
	);
	(async () => {
		const tarball = await packOnce(log);
		try {
			const result = await runUsageWorkflowBench({ sizes, tarball, log, heapLimitMb });
			process.stdout.write(`${JSON.stringify(result, null, '\t')}\n`);
			const growth = (run: UsageWorkflowRun) => run.rssPeakMb - run.rssBeforeMb;
			for (const heap of [undefined, heapLimitMb]) {
				const runs = result.runs.filter((run) => run.heapLimitMb === heap);
				const [small, large] = [runs[0], runs[runs.length - 1]];
				log(
					`heap ${heap ?? 'default'}: peak RSS growth ${growth(small).toFixed(0)} MB at ${small.rows} rows, ` +
						`${growth(large).toFixed(0)} MB at ${large.rows} rows: ${(growth(large) / growth(small)).toFixed(2)}x`,
				);
			}
			return result.runs.some((run) => run.error) ? 1 : 0;
		} finally {
			fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		}
	})().then(
		(code) => process.exit(code),
		(error) => {
			log(`failed: ${(error as Error).stack ?? String(error)}`);
			process.exit(1);
		},
	);
}
