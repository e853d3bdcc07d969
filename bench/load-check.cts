/**
 * The checks of the load bench (bench/load.cts). `checkConsistency` compares the database with
 * what the answers said (one row per answered new purchase, states as the last accepted call left
 * them) and sends every unanswered new purchase again the way KooGallery retries it.
 * `loadCorrectness` is what must hold at any rate: the bench fails (exit code 1) only when an
 * answer was wrong or the data afterwards is not consistent; `targets` are reported, never enforced.
 * test/e2e/burst.e2e.test.cts uses the same database check for a short burst in CI.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { TrackedInstance, UnansweredOrder } from '../scripts/load-generator.cjs';
import { sqlLiteral, type PostgresServer } from '../scripts/postgres.cjs';
import { call, newBusinessId } from '../simulator/saas-v2-client.cjs';
import type { LoadBenchResult } from './load-run.cjs';
import { SECRETS, type Environment } from './load-setup.cjs';

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
	/**
	 * Unanswered new purchases left out of the retry (`retrySample`), and those of them with more
	 * than one row (absent in results saved before there was a sample).
	 */
	notRetried?: number;
	notRetriedDuplicates?: string[];
	/** Executions of the example workflow n8n stored, by status. */
	executions: Record<string, number>;
	/** Executions n8n still listed as new or running when its database stopped changing. */
	stuckExecutions: number;
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

/** Rows of the load's orders grouped by order ID. */
function byOrderId(rows: InstanceRow[]): Map<string, InstanceRow[]> {
	const byOrder = new Map<string, InstanceRow[]>();
	for (const row of rows) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
	return byOrder;
}

/**
 * Compares each answered new purchase with its rows: one row, the answered instance ID, and (unless
 * its last change went unanswered) the state the last accepted call left. Fills `result`.
 */
function compareRows(
	result: Consistency,
	instances: TrackedInstance[],
	byOrder: Map<string, InstanceRow[]>,
): void {
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
}

/** How patiently a new purchase without a result code is sent again. */
export interface RetryPatience {
	/** Times it is sent at most (default 3). */
	attempts: number;
	/** Pause after an attempt without a correct answer, ms (default 0), as KooGallery waits. */
	pauseMs: number;
}

/**
 * Sends every unanswered new purchase again, `concurrency` at a time, as KooGallery retries what it
 * got no result code for: the same order, a new businessId, up to `patience.attempts` times.
 * Counts into `result`; returns the instance ID each retried order was answered with.
 */
async function retryUnanswered(
	url: string,
	unanswered: UnansweredOrder[],
	result: Consistency,
	concurrency: number,
	patience: RetryPatience,
): Promise<Map<string, string>> {
	const retriedIds = new Map<string, string>();
	const queue = [...unanswered];
	const retry = async () => {
		for (let order = queue.shift(); order; order = queue.shift()) {
			result.retried++;
			for (let attempt = 0; attempt < patience.attempts; attempt++) {
				if (attempt > 0 && patience.pauseMs > 0) await sleep(patience.pauseMs);
				const answer = await call(url, SECRETS.sellerKey, {
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
	await Promise.all(Array.from({ length: concurrency }, retry));
	return retriedIds;
}

/**
 * Compares the database with the answers, then sends every unanswered new purchase again,
 * `retryConcurrency` at a time; with `retrySample`, only that many of them picked at random (the
 * rest are checked for at most one row), so the retries take a bounded time.
 */
export async function checkConsistency(
	env: Pick<Environment, 'pg' | 'packUrls'>,
	instances: TrackedInstance[],
	unanswered: UnansweredOrder[],
	executions: { byStatus: Record<string, number>; stuck: number },
	retryConcurrency = 4,
	retrySample = Infinity,
	patience: RetryPatience = { attempts: 3, pauseMs: 0 },
): Promise<Consistency> {
	const allOrders = [...instances.map((i) => i.orderId), ...unanswered.map((o) => o.orderId)];
	const rows = rowsOfOrders(env.pg, allOrders);
	const byOrder = byOrderId(rows);
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
	compareRows(result, instances, byOrder);
	const shuffled = [...unanswered].sort(() => Math.random() - 0.5);
	const toRetry = retrySample < unanswered.length ? shuffled.slice(0, retrySample) : unanswered;
	if (toRetry !== unanswered) {
		const left = shuffled.slice(toRetry.length);
		result.notRetried = left.length;
		result.notRetriedDuplicates = left
			.filter((o) => (byOrder.get(o.orderId)?.length ?? 0) > 1)
			.map((o) => o.orderId);
	}
	const retriedIds = await retryUnanswered(
		env.packUrls[0],
		toRetry,
		result,
		retryConcurrency,
		patience,
	);
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

/** Memory counts as steady when n8n never grew past this multiple of its RSS at the run's start. */
export const STEADY_RSS_FACTOR = 1.5;

/**
 * The three targets of issue 8 for one run: every call answered correctly at the offered rate;
 * every call answered (correctly or with an HTTP error KooGallery retries) within 5 s; memory steady.
 */
export function targets(result: LoadBenchResult): {
	rateMet: boolean;
	timeMet: boolean;
	memoryMet: boolean;
} {
	const { pack } = result;
	return {
		rateMet: pack.throughput >= result.rate * 0.95 && pack.ok === pack.sent,
		timeMet: pack.over5s === 0 && pack.unanswered === 0,
		memoryMet: pack.rssMb.maxMb <= STEADY_RSS_FACTOR * pack.rssMb.firstMb,
	};
}

/**
 * The database against the answers, as checks `[held, what did not hold]`: what every load run
 * must show (the old set-ups' and the Busy Limit matrix's alike).
 */
export function databaseChecks(c: Consistency): Array<[boolean, string]> {
	return [
		[c.answeredOrders > 0, 'no new purchase was answered correctly'],
		[c.missingRows.length === 0, `${c.missingRows.length} answered new purchases without a row`],
		[c.duplicateRows.length === 0, `${c.duplicateRows.length} orders with more than one row`],
		[c.wrongInstanceId.length === 0, `${c.wrongInstanceId.length} rows with another instance ID`],
		[
			c.stateMismatches.length === 0,
			`${c.stateMismatches.length} instances not in the state the last accepted call left`,
		],
		[c.unexplainedRows === 0, `${c.unexplainedRows} rows no call explains`],
	];
}

/**
 * What must hold at any rate (the load's correctness, not its speed): every call planned was sent
 * and ended answered or not; no answer was wrong, here or at the lower rates; the database holds
 * one row per answered new purchase with the answered instance ID and the last accepted state; and
 * every new purchase without a result code, sent again, ends with exactly one row. Returns what
 * did not hold (empty: all did).
 */
export function loadCorrectness(result: LoadBenchResult): string[] {
	const { pack, baseline, consistency: c } = result;
	const planned = Math.round((result.rate * result.durationMs) / 1000);
	const newPurchases = pack.byScenario.newInstance ?? { sent: 0, ok: 0, failed: 0 };
	const problems: Array<[boolean, string]> = [
		[pack.sent === planned, `the pack was sent ${pack.sent} of ${planned} calls`],
		[baseline.sent === planned, `the baseline was sent ${baseline.sent} of ${planned} calls`],
		[
			pack.answered + pack.unanswered === pack.sent &&
				pack.ok + pack.unanswered + pack.refused + pack.wrong === pack.sent,
			"the pack's calls do not add up (answered + unanswered, ok + unanswered + HTTP error + wrong)",
		],
		[pack.wrong === 0, `${pack.wrong} wrong answers`],
		[
			(result.steps ?? []).every((step) => step.summary.wrong === 0),
			'wrong answers at the lower rates',
		],
		[pack.ok > 0, 'no call was answered correctly'],
		...databaseChecks(c),
		[
			c.unansweredOrders >= newPurchases.sent - newPurchases.ok,
			'new purchases without a result code were not all listed for the retry',
		],
		[
			c.retried === c.unansweredOrders && c.retriedOk === c.retried,
			`${c.retriedOk} of ${c.unansweredOrders} new purchases answered correctly when sent again`,
		],
		[
			c.notOneRowAfterRetry.length === 0,
			`${c.notOneRowAfterRetry.length} orders without exactly one row after the retries`,
		],
	];
	return problems.filter(([held]) => !held).map(([, problem]) => problem);
}
