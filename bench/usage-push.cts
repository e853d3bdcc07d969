/**
 * Part 3 of the benchmarks (issue 7): Usage > Push of 10,000 and 100,000 records through the
 * KooGallery action node in a real n8n 2.41.1, against the local Open API mock
 * (simulator/openapi-mock.cts) on 127.0.0.1.
 *
 * The workflow is Webhook (answers when the last node is done) -> Split Out (one item per record)
 * -> KooGallery Usage > Push. Its baseline is the same workflow with n8n's "No Operation" node in
 * place of the KooGallery node: what n8n itself spends receiving, splitting and holding that many
 * items. Each side runs in its own fresh n8n, 10,000 records first, then 100,000, while the
 * resident memory of the n8n process is sampled every 50 ms.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { formatUsageTime, MAX_USAGE_RECORDS_PER_PUSH } from '../core/usage-signature';
import { sendRequest } from '../scripts/n8n-http.cjs';
import { installPack } from '../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../scripts/n8n-process.cjs';
import { startOpenApiMock, type OpenApiMock } from '../simulator/openapi-mock.cjs';
import { nowMs } from './stats.cjs';

const AK = 'BENCHOPENAPIAK000001';
const SK = 'bench-open-api-secret-access-key-not-real';
const SELLER_KEY = 'bench-seller-key-not-real';
const CREDENTIAL = { id: 'benchOpenApi0001', name: 'KooGallery Open API (bench mock)' };
const USAGE_PATH = '/api/mkp-openapi-public/global/v1/isv/usage-data';
const SAMPLE_EVERY_MS = 50;

export type UsageSide = 'pack' | 'noop';

/** One push of `records` records by one side. */
export interface UsageRunResult {
	side: UsageSide;
	records: number;
	/** Usage push calls the mock received (0 for the baseline). */
	calls: number;
	/** Records the mock stored (0 for the baseline). */
	stored: number;
	/** Largest records-per-call seen. */
	largestCall: number;
	/** From sending the records to n8n's answer after the last node, in milliseconds. */
	wallMs: number;
	/** Resident memory of the n8n process right before the push, in MB. */
	rssBeforeMb: number;
	/** Highest resident memory sampled during the push, in MB. */
	rssPeakMb: number;
	/** Size of the request body holding the records, in MB. */
	bodyMb: number;
	error?: string;
}

export interface UsagePushResult {
	sizes: number[];
	runs: UsageRunResult[];
	maxRecordsPerCall: number;
	loadBefore: number[];
	loadAfter: number[];
}

export interface UsagePushOptions {
	sizes: number[];
	tarball: string;
	log: (line: string) => void;
}

/** `count` distinct usage records of the last hours, over 13 instances, one second apart. */
function usageRecords(count: number, tag: string): Array<Record<string, unknown>> {
	const start = Date.now() - 6 * 3600_000;
	return Array.from({ length: count }, (_, n) => {
		const begin = start + Math.floor(n / 13) * 1000;
		return {
			instance_id: `${tag}-instance-${n % 13}`,
			begin_time: formatUsageTime(new Date(begin)),
			end_time: formatUsageTime(new Date(begin + 1000)),
			usage_value: (n % 50) + 0.25,
		};
	});
}

function workflow(side: UsageSide): Record<string, unknown> {
	const last =
		side === 'pack'
			? {
					id: 'bench-usage-koogallery',
					name: 'KooGallery',
					type: 'n8n-nodes-koogallery.kooGallery',
					typeVersion: 1,
					position: [440, 0],
					parameters: {
						resource: 'usage',
						operation: 'push',
						recordSource: 'fields',
						usageOptions: { includeInput: false },
						callOptions: { maxAttempts: 3, timeoutSeconds: 30 },
					},
					credentials: { kooGalleryOpenApi: CREDENTIAL },
				}
			: {
					id: 'bench-usage-noop',
					name: 'No Operation',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [440, 0],
					parameters: {},
				};
	return {
		id: side === 'pack' ? 'BenchUsagePush01' : 'BenchUsageNoOp01',
		name: `Bench: usage push (${side})`,
		nodes: [
			{
				id: 'bench-usage-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `bench-usage-${side}`,
				parameters: {
					httpMethod: 'POST',
					path: `bench-usage-${side}`,
					responseMode: 'lastNode',
					responseData: 'firstEntryJson',
					options: {},
				},
			},
			{
				id: 'bench-usage-split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.records', include: 'noOtherFields', options: {} },
			},
			last,
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: last.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Resident memory of a process in MB, from /proc (undefined when unreadable). */
export function rssMb(pid: number): number | undefined {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /VmRSS:\s+(\d+) kB/.exec(status);
		return match ? Number(match[1]) / 1024 : undefined;
	} catch {
		return undefined;
	}
}

async function pushOnce(
	handle: N8nHandle,
	mock: OpenApiMock,
	side: UsageSide,
	count: number,
	log: (line: string) => void,
): Promise<UsageRunResult> {
	mock.reset();
	const body = JSON.stringify({ records: usageRecords(count, `${side}${count}`) });
	const rssBefore = rssMb(handle.pid) ?? NaN;
	let peak = rssBefore;
	const sampler = setInterval(() => {
		const now = rssMb(handle.pid);
		if (now !== undefined && now > peak) peak = now;
	}, SAMPLE_EVERY_MS);
	const started = nowMs();
	let error: string | undefined;
	try {
		const answer = await sendRequest(`${handle.baseUrl}/webhook/bench-usage-${side}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body,
		});
		const text = answer.body.toString('utf8');
		if (answer.status !== 200) error = `n8n answered HTTP ${answer.status}: ${text.slice(0, 200)}`;
		else if (side === 'pack' && (JSON.parse(text) as { status?: string }).status !== 'pushed') {
			error = `first record not pushed: ${text.slice(0, 200)}`;
		}
	} catch (failure) {
		error = (failure as Error).message;
	} finally {
		clearInterval(sampler);
	}
	const wallMs = nowMs() - started;
	const last = rssMb(handle.pid);
	if (last !== undefined && last > peak) peak = last;
	const calls = mock.calls().filter((call) => call.path === USAGE_PATH);
	const stored = mock.records().length;
	if (!error && side === 'pack' && stored !== count)
		error = `the mock stored ${stored} of ${count} records`;
	const result: UsageRunResult = {
		side,
		records: count,
		calls: calls.length,
		stored,
		largestCall: Math.max(0, ...calls.map((call) => call.records ?? 0)),
		wallMs,
		rssBeforeMb: rssBefore,
		rssPeakMb: peak,
		bodyMb: Buffer.byteLength(body) / 1024 / 1024,
		error,
	};
	log(
		`usage ${side} ${count}: ${result.calls} calls, ${stored} stored, ${(wallMs / 1000).toFixed(1)} s, ` +
			`RSS ${rssBefore.toFixed(0)} -> peak ${peak.toFixed(0)} MB${error ? `, ERROR ${error}` : ''}`,
	);
	return result;
}

/** Runs part 3: a fresh n8n per side, each size in ascending order. Always stops what it started. */
export async function runUsagePushBench(options: UsagePushOptions): Promise<UsagePushResult> {
	const sizes = [...options.sizes].sort((a, b) => a - b);
	const loadBefore = os.loadavg().map((value) => Math.round(value * 100) / 100);
	const mock = await startOpenApiMock({ credentials: { ak: AK, sk: SK, sellerKey: SELLER_KEY } });
	const runs: UsageRunResult[] = [];
	try {
		for (const side of ['noop', 'pack'] as const) {
			const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `koogallery-bench-usage-${side}-`));
			let handle: N8nHandle | undefined;
			try {
				installPack(userFolder, options.tarball);
				handle = await startN8n({
					userFolder,
					workflows: [workflow(side)],
					credentials: [
						{
							...CREDENTIAL,
							type: 'kooGalleryOpenApi',
							data: {
								accessKeyId: AK,
								secretAccessKey: SK,
								sellerSecretKey: SELLER_KEY,
								site: 'custom',
								baseUrl: mock.url,
							},
						},
					],
					// 100,000 records are about 12 MB of JSON; n8n's default request limit is 16 MB.
					env: { N8N_PAYLOAD_SIZE_MAX: '64' },
				});
				for (const count of sizes)
					runs.push(await pushOnce(handle, mock, side, count, options.log));
			} finally {
				await handle?.stop();
				if (!process.env.KOOGALLERY_KEEP_N8N)
					fs.rmSync(userFolder, { recursive: true, force: true });
			}
		}
	} finally {
		await mock.stop();
	}
	return {
		sizes,
		runs,
		maxRecordsPerCall: MAX_USAGE_RECORDS_PER_PUSH,
		loadBefore,
		loadAfter: os.loadavg().map((value) => Math.round(value * 100) / 100),
	};
}
