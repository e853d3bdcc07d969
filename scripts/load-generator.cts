/**
 * An open-loop load generator for a SaaS V2.0 production interface: it sends signed calls at a
 * fixed rate whether or not earlier ones were answered (as KooGallery does: its calls do not wait
 * for each other), mixing new purchases with calls on instances the run created earlier, and reads
 * every answer the way KooGallery does (HTTP status, `Body-Sign` over the exact bytes, result code).
 *
 *   node --require tsx/cjs scripts/load-generator.cts --url=http://127.0.0.1:5679/webhook/koogallery/saas
 *        [--url=SECOND_URL ...] --key=SELLER_KEY [--rate=50] [--duration=60] [--pid=N ...]
 *        [--plain] [--json=FILE]
 *
 * Several URLs are used in turn (for example two n8n webhook processes in queue mode). `--pid`
 * samples the resident memory of a process every second. `--plain` checks only HTTP 200 and result
 * code 000000 (for a baseline workflow that answers a static, unsigned body).
 *
 * Calls are signed with the simulator's client (simulator/saas-v2-client.cts); nothing here signs.
 */
import * as fs from 'node:fs';

import {
	newBusinessId,
	newOrder,
	send,
	signCall,
	type CallAnswer,
} from '../simulator/saas-v2-client.cjs';

/** The scenarios the generator mixes. `updateInstanceStatus` freezes or unfreezes (expiry). */
export type LoadScenario =
	| 'newInstance'
	| 'queryInstance'
	| 'refreshInstance'
	| 'updateInstanceStatus'
	| 'upgradeInstance'
	| 'releaseInstance';

/** Default weights of the mix; a scenario that needs an instance falls back to newInstance when none is free. */
export const DEFAULT_MIX: Record<LoadScenario, number> = {
	newInstance: 40,
	queryInstance: 20,
	refreshInstance: 15,
	updateInstanceStatus: 10,
	upgradeInstance: 10,
	releaseInstance: 5,
};

/** KooGallery waits this long for an answer before it gives up and retries later. */
export const KOOGALLERY_TIMEOUT_MS = 5000;

/** An instance the run created, and what the last accepted call says its state must be. */
export interface TrackedInstance {
	orderId: string;
	orderLineId: string;
	instanceId: string;
	/** `active`, `frozen` or `released`, after the last call answered 000000. */
	status: 'active' | 'frozen' | 'released';
	/** expireTime of the last accepted renewal, if any. */
	expireTime?: string;
	/** orderId of the last accepted renewal or upgrade (the new purchase's order at first). */
	lastOrderId: string;
	/** A state-changing call on it went unanswered: its state is not known. */
	uncertain: boolean;
}

/** A new purchase KooGallery would send again: no answer, or an HTTP error instead of a result code. */
export interface UnansweredOrder {
	orderId: string;
	orderLineId: string;
	businessId: string;
}

/** One RSS sample. */
export interface RssSample {
	/** Milliseconds since the run started. */
	atMs: number;
	pid: number;
	/** Resident set size in kB (VmRSS of /proc/<pid>/status); NaN if the process is gone. */
	rssKb: number;
}

/** Statistics of one second of the run, passed to `onSecond`. */
export interface SecondStats {
	second: number;
	sent: number;
	answered: number;
	ok: number;
	inFlight: number;
	rss: RssSample[];
}

export interface LoadOptions {
	/** Production URL, or several used in turn. */
	urls: string | string[];
	/** The seller key: calls are signed with it and answers verified with it. */
	key: string;
	/** Calls per second offered. */
	rate: number;
	/** How long calls are started, in milliseconds. */
	durationMs: number;
	/**
	 * At most this many calls in flight: the next call waits for an answer (a closed loop that never
	 * offers more than the server takes, for tests on a busy machine). Default: no limit (open loop).
	 */
	maxInFlight?: number;
	/** How long one call may take before it counts as unanswered (default 30 s, to see slow answers). */
	timeoutMs?: number;
	/** Weights of the scenarios (default DEFAULT_MIX). */
	mix?: Partial<Record<LoadScenario, number>>;
	/** Only HTTP 200 and resultCode 000000 are checked (a baseline with a static unsigned answer). */
	plain?: boolean;
	/** Processes whose RSS is sampled every second. */
	rssPids?: number[];
	/** Called once a second while the run lasts. */
	onSecond?: (stats: SecondStats) => void;
	/** Send testFlag "1" on every call. */
	testFlag?: boolean;
}

export interface LatencySummary {
	p50: number;
	p95: number;
	p99: number;
	max: number;
}

export interface LoadResult {
	offeredRate: number;
	durationMs: number;
	/** From the first call sent to the last answer (or give-up). */
	elapsedMs: number;
	sent: number;
	/** Calls that got an HTTP answer (any status). */
	answered: number;
	/** Answers that passed every check. */
	ok: number;
	/** Calls with no answer within timeoutMs (network error, reset, timeout): KooGallery would retry them. */
	unanswered: number;
	/**
	 * Calls answered with an HTTP status other than 200 (n8n refusing, for example 503 when it
	 * cannot start an execution): no result code reached KooGallery, so it would retry them too.
	 */
	refused: number;
	/** Calls answered 200 but wrongly: bad or missing Body-Sign, wrong result code or instance ID. */
	wrong: number;
	/** Failed checks by kind (`unanswered`, `http 500`, `unsigned`, `resultCode 000001`, `instanceId`...). */
	errors: Record<string, number>;
	/** Latency of answered calls, in milliseconds. */
	latencyMs: LatencySummary;
	/** The most calls in flight at once. */
	mostInFlight: number;
	/** Answered calls slower than KooGallery's 5 s timeout. */
	over5s: number;
	/** Correct answers per second of elapsed time. */
	throughput: number;
	/** Largest lag between a call's planned and actual start (the generator itself falling behind). */
	maxStartLagMs: number;
	byScenario: Record<string, { sent: number; ok: number; failed: number }>;
	/** Up to 20 examples of failed calls. */
	failures: Array<{ scenario: string; kind: string; status: number; text: string }>;
	/** Instances created by answered new purchases, with their expected state. */
	instances: TrackedInstance[];
	/** New purchases that went unanswered or were refused (KooGallery would send them again). */
	ordersToRetry: UnansweredOrder[];
	rss: RssSample[];
	/**
	 * CPU time (user + system, all threads) the `rssPids` processes used from the first call to the
	 * last answer, in milliseconds; NaN without processes. Divided by `sent` when every call was
	 * answered, it is what one call costs n8n.
	 */
	cpuMs: number;
}

/** CPU time (utime + stime of /proc/<pid>/stat) a process has used so far, ms; NaN if unreadable. */
export function readCpuMs(pid: number): number {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Fields 14 and 15 of proc(5), in clock ticks of 1/100 s (USER_HZ on Linux).
		return (Number(fields[11]) + Number(fields[12])) * 10;
	} catch {
		return NaN;
	}
}

/** Reads VmRSS (kB) of a process from /proc; NaN if it cannot be read. */
export function readRssKb(pid: number): number {
	try {
		const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) : NaN;
	} catch {
		return NaN;
	}
}

/** Nearest-rank quantile of a sorted array; NaN when empty. */
function quantileSorted(sorted: number[], q: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Percentiles of latencies in milliseconds. */
export function summariseLatency(values: number[]): LatencySummary {
	const sorted = [...values].sort((a, b) => a - b);
	return {
		p50: quantileSorted(sorted, 0.5),
		p95: quantileSorted(sorted, 0.95),
		p99: quantileSorted(sorted, 0.99),
		max: sorted.length ? sorted[sorted.length - 1] : NaN,
	};
}

const pad = (n: number) => String(n).padStart(2, '0');
/** yyyyMMddHHmmss in UTC, as KooGallery writes expireTime. */
function expireTimeAfterDays(days: number): string {
	const d = new Date(Date.now() + days * 86_400_000);
	return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

interface PlannedCall {
	scenario: LoadScenario;
	payload: Record<string, unknown>;
	instance?: TrackedInstance;
	/** What the instance becomes if the call is accepted. */
	apply?: (instance: TrackedInstance) => void;
	order?: UnansweredOrder;
}

/**
 * Checks one answer; returns the failure kind or undefined. `plain` checks only status and code.
 */
export function checkAnswer(
	scenario: LoadScenario,
	answer: CallAnswer,
	plain: boolean,
	expectedInstanceId?: string,
): string | undefined {
	if (answer.status === 0) return 'unanswered';
	if (answer.status !== 200) return `http ${answer.status}`;
	if (!plain && !answer.signed) return 'unsigned';
	if (!answer.json) return 'not json';
	const code = answer.json.resultCode;
	if (code !== '000000') return `resultCode ${String(code)}`;
	if (plain) return undefined;
	if (scenario === 'newInstance') {
		const id = answer.json.instanceId;
		if (typeof id !== 'string' || id === '' || id.length > 64) return 'instanceId';
		if (expectedInstanceId !== undefined && id !== expectedInstanceId) return 'instanceId';
	}
	if (scenario === 'queryInstance' && !answer.json.info) return 'no info';
	return undefined;
}

/**
 * Runs the load and resolves when every call sent has been answered or given up on.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
	const urls = Array.isArray(options.urls) ? options.urls : [options.urls];
	if (urls.length === 0) throw new Error('runLoad needs at least one URL');
	if (!(options.rate > 0) || !(options.durationMs > 0))
		throw new Error('rate and durationMs must be positive');
	const timeoutMs = options.timeoutMs ?? 30_000;
	const mix = { ...DEFAULT_MIX, ...options.mix };
	const totalWeight = Object.values(mix).reduce((a, b) => a + b, 0);
	const flag = options.testFlag ? { testFlag: '1' } : {};

	const instances: TrackedInstance[] = [];
	const idle: TrackedInstance[] = [];
	const ordersToRetry: UnansweredOrder[] = [];
	const latencies: number[] = [];
	const errors: Record<string, number> = {};
	const failures: LoadResult['failures'] = [];
	const byScenario: LoadResult['byScenario'] = {};
	const rss: RssSample[] = [];
	let sent = 0;
	let answered = 0;
	let ok = 0;
	let over5s = 0;
	let maxStartLagMs = 0;
	let secondSent = 0;
	let secondAnswered = 0;
	let secondOk = 0;
	let inFlight = 0;
	let mostInFlight = 0;

	const pickScenario = (): LoadScenario => {
		let draw = Math.random() * totalWeight;
		for (const [scenario, weight] of Object.entries(mix) as Array<[LoadScenario, number]>) {
			draw -= weight;
			if (draw < 0) return scenario;
		}
		return 'newInstance';
	};

	const plan = (): PlannedCall => {
		let scenario = pickScenario();
		// An instance with no call in flight (KooGallery does not overlap calls for one instance).
		const instance =
			scenario === 'newInstance' || idle.length === 0
				? undefined
				: idle.splice(Math.floor(Math.random() * idle.length), 1)[0];
		if (!instance) scenario = 'newInstance';
		switch (scenario) {
			case 'newInstance': {
				const order = { ...newOrder(), businessId: newBusinessId() };
				return { scenario, order, payload: { activity: 'newInstance', ...order, ...flag } };
			}
			case 'queryInstance':
				return {
					scenario,
					instance,
					payload: { activity: 'queryInstance', instanceId: instance?.instanceId, ...flag },
				};
			case 'refreshInstance': {
				const order = newOrder();
				const expireTime = expireTimeAfterDays(365);
				const scene = Math.random() < 0.5 ? 'RENEWAL' : 'TRIAL_TO_FORMAL';
				return {
					scenario,
					instance,
					payload: {
						activity: 'refreshInstance',
						instanceId: instance?.instanceId,
						...order,
						scene,
						expireTime,
						...flag,
					},
					apply: (i) => {
						i.expireTime = expireTime;
						i.lastOrderId = order.orderId;
					},
				};
			}
			case 'updateInstanceStatus': {
				const status = instance?.status === 'frozen' ? 'UNFREEZE' : 'FREEZE';
				return {
					scenario,
					instance,
					payload: {
						activity: 'updateInstanceStatus',
						instanceId: instance?.instanceId,
						status,
						...flag,
					},
					apply: (i) => {
						if (i.status !== 'released') i.status = status === 'FREEZE' ? 'frozen' : 'active';
					},
				};
			}
			case 'upgradeInstance': {
				const order = newOrder();
				return {
					scenario,
					instance,
					payload: {
						activity: 'upgradeInstance',
						instanceId: instance?.instanceId,
						...order,
						...flag,
					},
					apply: (i) => {
						i.lastOrderId = order.orderId;
					},
				};
			}
			default:
				return {
					scenario,
					instance,
					payload: {
						activity: 'releaseInstance',
						instanceId: instance?.instanceId,
						orderId: instance?.orderId,
						orderLineId: instance?.orderLineId,
						...flag,
					},
					apply: (i) => {
						i.status = 'released';
					},
				};
		}
	};

	const fail = (scenario: string, kind: string, answer: CallAnswer) => {
		errors[kind] = (errors[kind] ?? 0) + 1;
		byScenario[scenario].failed++;
		if (failures.length < 20)
			failures.push({ scenario, kind, status: answer.status, text: answer.text.slice(0, 300) });
	};

	const fire = async (call: PlannedCall, url: string): Promise<void> => {
		const stats = (byScenario[call.scenario] ??= { sent: 0, ok: 0, failed: 0 });
		stats.sent++;
		sent++;
		secondSent++;
		inFlight++;
		mostInFlight = Math.max(mostInFlight, inFlight);
		const answer = await send(signCall(url, options.key, call.payload), options.key, timeoutMs);
		inFlight--;
		const kind = checkAnswer(call.scenario, answer, options.plain === true);
		if (answer.status !== 0) {
			answered++;
			secondAnswered++;
			latencies.push(answer.ms);
			if (answer.ms > KOOGALLERY_TIMEOUT_MS) over5s++;
		}
		if (kind) {
			fail(call.scenario, kind, answer);
			const retried = answer.status !== 200;
			if (call.order && retried) ordersToRetry.push(call.order);
			if (call.instance) {
				// A change without a result code may or may not have been applied.
				if (retried && call.apply) call.instance.uncertain = true;
				if (call.instance.status !== 'released' && !call.instance.uncertain)
					idle.push(call.instance);
			}
			return;
		}
		ok++;
		secondOk++;
		stats.ok++;
		if (options.plain) return;
		if (call.order) {
			const instance: TrackedInstance = {
				orderId: call.order.orderId,
				orderLineId: call.order.orderLineId,
				instanceId: String(answer.json?.instanceId),
				status: 'active',
				lastOrderId: call.order.orderId,
				uncertain: false,
			};
			instances.push(instance);
			idle.push(instance);
		} else if (call.instance) {
			call.apply?.(call.instance);
			if (call.instance.status !== 'released') idle.push(call.instance);
		}
	};

	const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
	const started = Date.now();
	const sample = () => {
		const atMs = Date.now() - started;
		const taken = (options.rssPids ?? []).map((pid) => ({ atMs, pid, rssKb: readRssKb(pid) }));
		rss.push(...taken);
		return taken;
	};
	sample();
	const cpuTotal = () =>
		options.rssPids?.length ? options.rssPids.reduce((sum, pid) => sum + readCpuMs(pid), 0) : NaN;
	const cpuBefore = cpuTotal();
	let second = 0;
	const ticker = setInterval(() => {
		second++;
		const taken = sample();
		options.onSecond?.({
			second,
			sent: secondSent,
			answered: secondAnswered,
			ok: secondOk,
			inFlight,
			rss: taken,
		});
		secondSent = secondAnswered = secondOk = 0;
	}, 1000);

	const pending = new Set<Promise<void>>();
	const total = Math.round((options.rate * options.durationMs) / 1000);
	try {
		for (let i = 0; i < total; i++) {
			while (pending.size >= (options.maxInFlight ?? Infinity)) await Promise.race(pending);
			const due = started + (i * 1000) / options.rate;
			const wait = due - Date.now();
			if (wait > 0) await sleep(wait);
			maxStartLagMs = Math.max(maxStartLagMs, Date.now() - due);
			const fired: Promise<void> = fire(plan(), urls[i % urls.length]).finally(() =>
				pending.delete(fired),
			);
			pending.add(fired);
		}
		await Promise.all(pending);
	} finally {
		clearInterval(ticker);
	}
	sample();
	const cpuMs = cpuTotal() - cpuBefore;
	const elapsedMs = Date.now() - started;
	const unanswered = errors.unanswered ?? 0;
	const refused = Object.entries(errors)
		.filter(([kind]) => kind.startsWith('http '))
		.reduce((sum, [, n]) => sum + n, 0);
	return {
		offeredRate: options.rate,
		durationMs: options.durationMs,
		elapsedMs,
		sent,
		answered,
		ok,
		unanswered,
		refused,
		wrong: sent - ok - unanswered - refused,
		errors,
		latencyMs: summariseLatency(latencies),
		over5s,
		throughput: ok / (elapsedMs / 1000),
		maxStartLagMs,
		mostInFlight,
		byScenario,
		failures,
		instances,
		ordersToRetry,
		rss,
		cpuMs,
	};
}

/** RSS of one process over the run: first, last and largest sample, in MB. */
export function rssSummary(
	samples: RssSample[],
	pid: number,
): { firstMb: number; lastMb: number; maxMb: number } {
	const values = samples
		.filter((s) => s.pid === pid && Number.isFinite(s.rssKb))
		.map((s) => s.rssKb / 1024);
	return {
		firstMb: values.length ? values[0] : NaN,
		lastMb: values.length ? values[values.length - 1] : NaN,
		maxMb: values.length ? Math.max(...values) : NaN,
	};
}

/** A one-paragraph text summary of a result. */
export function formatLoadResult(result: LoadResult): string {
	const l = result.latencyMs;
	const errors = Object.entries(result.errors)
		.map(([kind, n]) => `${kind}: ${n}`)
		.join(', ');
	return [
		`offered ${result.offeredRate} req/s for ${result.durationMs / 1000} s: sent ${result.sent}, answered ${result.answered}, ok ${result.ok}, unanswered ${result.unanswered}, refused (HTTP error) ${result.refused}, wrong ${result.wrong}`,
		`throughput ${result.throughput.toFixed(1)} req/s; latency p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms; answers over 5 s: ${result.over5s}`,
		`errors: ${errors || 'none'}; generator start lag max ${result.maxStartLagMs} ms`,
		...(Number.isFinite(result.cpuMs)
			? [
					`n8n CPU ${Math.round(result.cpuMs)} ms in ${(result.elapsedMs / 1000).toFixed(1)} s (${(result.cpuMs / result.elapsedMs).toFixed(2)} cores), ${(result.cpuMs / Math.max(1, result.sent)).toFixed(1)} ms per call sent`,
				]
			: []),
	].join('\n');
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const values = (name: string) =>
		args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
	const urls = values('url');
	const key = values('key')[0] ?? process.env.KOOGALLERY_SELLER_KEY;
	if (urls.length === 0 || !key) {
		process.stderr.write(
			'usage: load-generator.cts --url=URL [--url=URL] --key=SELLER_KEY [--rate=50] [--duration=60] [--pid=N] [--plain] [--json=FILE]\n',
		);
		process.exit(2);
	}
	const pids = values('pid').map(Number);
	runLoad({
		urls,
		key,
		rate: Number(values('rate')[0] ?? 50),
		durationMs: Number(values('duration')[0] ?? 60) * 1000,
		plain: args.includes('--plain'),
		rssPids: pids,
		onSecond: (s) =>
			process.stdout.write(
				`${s.second}s sent ${s.sent} answered ${s.answered} ok ${s.ok} in flight ${s.inFlight}${s.rss.map((r) => ` rss[${r.pid}] ${(r.rssKb / 1024).toFixed(0)} MB`).join('')}\n`,
			),
	}).then(
		(result) => {
			process.stdout.write(`${formatLoadResult(result)}\n`);
			for (const pid of pids) {
				const m = rssSummary(result.rss, pid);
				process.stdout.write(
					`rss[${pid}] first ${m.firstMb.toFixed(0)} MB, last ${m.lastMb.toFixed(0)} MB, max ${m.maxMb.toFixed(0)} MB\n`,
				);
			}
			const json = values('json')[0];
			if (json) fs.writeFileSync(json, `${JSON.stringify(result, null, '\t')}\n`);
			process.exit(result.ok === result.sent ? 0 : 1);
		},
		(error: Error) => {
			process.stderr.write(`${error.stack ?? error.message}\n`);
			process.exit(2);
		},
	);
}
