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
	/** Called as each call ends (answered or given up on), for measures per call. */
	onCallDone?: (call: CallDone) => void;
}

/** One call as it ended, passed to `onCallDone`. */
export interface CallDone {
	/** When it was sent and when it ended, ms since the run started. */
	sentAtMs: number;
	endedAtMs: number;
	/** HTTP status; 0 when unanswered. */
	status: number;
	/** Its latency as `send` measured it, ms. */
	ms: number;
	/** The failed check (`unanswered`, `http 503`, `unsigned`, ...); undefined when correct. */
	failure?: string;
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

/**
 * A process's group and the CPU time (utime + stime) it has used so far in ms, from
 * /proc/<pid>/stat; undefined if it cannot be read (the process is gone).
 */
export function readProcStat(pid: number): { pgrp: number; cpuMs: number } | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Fields 5 (pgrp), 14 (utime) and 15 (stime) of proc(5); times in ticks of 1/100 s
		// (USER_HZ on Linux).
		return { pgrp: Number(fields[2]), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
	} catch {
		return undefined;
	}
}

/** CPU time (utime + stime of /proc/<pid>/stat) a process has used so far, ms; NaN if unreadable. */
export function readCpuMs(pid: number): number {
	return readProcStat(pid)?.cpuMs ?? NaN;
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

/** Draws a scenario by the weights of `mix`. */
function pickScenario(mix: Record<LoadScenario, number>, totalWeight: number): LoadScenario {
	let draw = Math.random() * totalWeight;
	for (const [scenario, weight] of Object.entries(mix) as Array<[LoadScenario, number]>) {
		draw -= weight;
		if (draw < 0) return scenario;
	}
	return 'newInstance';
}

/** A call on an instance created earlier: its body, and what the instance becomes if accepted. */
type InstancePlan = (
	instance: TrackedInstance,
	flag: Record<string, string>,
) => Pick<PlannedCall, 'payload' | 'apply'>;

const INSTANCE_PLANS: Record<Exclude<LoadScenario, 'newInstance'>, InstancePlan> = {
	queryInstance: (instance, flag) => ({
		payload: { activity: 'queryInstance', instanceId: instance.instanceId, ...flag },
	}),
	refreshInstance: (instance, flag) => {
		const order = newOrder();
		const expireTime = expireTimeAfterDays(365);
		const scene = Math.random() < 0.5 ? 'RENEWAL' : 'TRIAL_TO_FORMAL';
		return {
			payload: {
				activity: 'refreshInstance',
				instanceId: instance.instanceId,
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
	},
	updateInstanceStatus: (instance, flag) => {
		const status = instance.status === 'frozen' ? 'UNFREEZE' : 'FREEZE';
		return {
			payload: {
				activity: 'updateInstanceStatus',
				instanceId: instance.instanceId,
				status,
				...flag,
			},
			apply: (i) => {
				if (i.status !== 'released') i.status = status === 'FREEZE' ? 'frozen' : 'active';
			},
		};
	},
	upgradeInstance: (instance, flag) => {
		const order = newOrder();
		return {
			payload: { activity: 'upgradeInstance', instanceId: instance.instanceId, ...order, ...flag },
			apply: (i) => {
				i.lastOrderId = order.orderId;
			},
		};
	},
	releaseInstance: (instance, flag) => ({
		payload: {
			activity: 'releaseInstance',
			instanceId: instance.instanceId,
			orderId: instance.orderId,
			orderLineId: instance.orderLineId,
			...flag,
		},
		apply: (i) => {
			i.status = 'released';
		},
	}),
};

/**
 * The next call: a scenario drawn by the mix, on an instance with no call in flight (KooGallery
 * does not overlap calls for one instance), taken out of `idle`; a new purchase when none is idle.
 */
function planCall(
	mix: Record<LoadScenario, number>,
	totalWeight: number,
	idle: TrackedInstance[],
	flag: Record<string, string>,
): PlannedCall {
	const scenario = pickScenario(mix, totalWeight);
	const instance =
		scenario === 'newInstance' || idle.length === 0
			? undefined
			: idle.splice(Math.floor(Math.random() * idle.length), 1)[0];
	if (!instance || scenario === 'newInstance') {
		const order = { ...newOrder(), businessId: newBusinessId() };
		return {
			scenario: 'newInstance',
			order,
			payload: { activity: 'newInstance', ...order, ...flag },
		};
	}
	return { scenario, instance, ...INSTANCE_PLANS[scenario](instance, flag) };
}

/** What a run has counted so far, and the instances it may call on next. */
class LoadTally {
	instances: TrackedInstance[] = [];
	/** Instances with no call in flight. */
	idle: TrackedInstance[] = [];
	ordersToRetry: UnansweredOrder[] = [];
	latencies: number[] = [];
	errors: Record<string, number> = {};
	failures: LoadResult['failures'] = [];
	byScenario: LoadResult['byScenario'] = {};
	sent = 0;
	answered = 0;
	ok = 0;
	over5s = 0;
	inFlight = 0;
	mostInFlight = 0;
	/** The counts of the current second (reset by the run's ticker). */
	thisSecond = { sent: 0, answered: 0, ok: 0 };

	constructor(private readonly plain: boolean) {}

	/** Counts a call as sent and in flight. */
	onSend(call: PlannedCall): void {
		this.byScenario[call.scenario] ??= { sent: 0, ok: 0, failed: 0 };
		this.byScenario[call.scenario].sent++;
		this.sent++;
		this.thisSecond.sent++;
		this.inFlight++;
		this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
	}

	/**
	 * Counts the answer to `call` (status 0: none) and tracks the instance it made or changed;
	 * returns the failed check, undefined when correct.
	 */
	onAnswer(call: PlannedCall, answer: CallAnswer): string | undefined {
		this.inFlight--;
		const kind = checkAnswer(call.scenario, answer, this.plain);
		if (answer.status !== 0) {
			this.answered++;
			this.thisSecond.answered++;
			this.latencies.push(answer.ms);
			if (answer.ms > KOOGALLERY_TIMEOUT_MS) this.over5s++;
		}
		if (kind) {
			this.onFailure(call, kind, answer);
			return kind;
		}
		this.ok++;
		this.thisSecond.ok++;
		this.byScenario[call.scenario].ok++;
		if (this.plain) return;
		if (call.order) {
			const instance: TrackedInstance = {
				orderId: call.order.orderId,
				orderLineId: call.order.orderLineId,
				instanceId: String(answer.json?.instanceId),
				status: 'active',
				lastOrderId: call.order.orderId,
				uncertain: false,
			};
			this.instances.push(instance);
			this.idle.push(instance);
		} else if (call.instance) {
			call.apply?.(call.instance);
			if (call.instance.status !== 'released') this.idle.push(call.instance);
		}
		return undefined;
	}

	/** Counts a failed call; what KooGallery would retry is listed, a changed instance marked. */
	private onFailure(call: PlannedCall, kind: string, answer: CallAnswer): void {
		this.errors[kind] = (this.errors[kind] ?? 0) + 1;
		this.byScenario[call.scenario].failed++;
		if (this.failures.length < 20)
			this.failures.push({
				scenario: call.scenario,
				kind,
				status: answer.status,
				text: answer.text.slice(0, 300),
			});
		const retried = answer.status !== 200;
		if (call.order && retried) this.ordersToRetry.push(call.order);
		if (call.instance) {
			// A change without a result code may or may not have been applied.
			if (retried && call.apply) call.instance.uncertain = true;
			if (call.instance.status !== 'released' && !call.instance.uncertain)
				this.idle.push(call.instance);
		}
	}
}

/**
 * Samples the RSS of `options.rssPids` now and every second (reporting each second to
 * `options.onSecond`), and their CPU time at the start and the end.
 */
function startSampling(options: LoadOptions, tally: LoadTally, started: number) {
	const rss: RssSample[] = [];
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
		const { sent, answered, ok } = tally.thisSecond;
		options.onSecond?.({ second, sent, answered, ok, inFlight: tally.inFlight, rss: taken });
		tally.thisSecond = { sent: 0, answered: 0, ok: 0 };
	}, 1000);
	return {
		rss,
		stopTicker: () => clearInterval(ticker),
		/** Takes the last sample; returns the CPU time used since the start, ms. */
		finish: () => {
			sample();
			return cpuTotal() - cpuBefore;
		},
	};
}

/**
 * Starts `fire` for call i at `started + i / rate` seconds, never more than `maxInFlight` in flight;
 * resolves once every call has settled, with the largest lag of a start behind its schedule.
 */
async function offerCalls(
	options: LoadOptions,
	started: number,
	fire: (i: number) => Promise<void>,
): Promise<number> {
	const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
	const pending = new Set<Promise<void>>();
	const total = Math.round((options.rate * options.durationMs) / 1000);
	let maxStartLagMs = 0;
	for (let i = 0; i < total; i++) {
		while (pending.size >= (options.maxInFlight ?? Infinity)) await Promise.race(pending);
		const due = started + (i * 1000) / options.rate;
		const wait = due - Date.now();
		if (wait > 0) await sleep(wait);
		maxStartLagMs = Math.max(maxStartLagMs, Date.now() - due);
		const fired: Promise<void> = fire(i).finally(() => pending.delete(fired));
		pending.add(fired);
	}
	await Promise.all(pending);
	return maxStartLagMs;
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
	const flag: Record<string, string> = options.testFlag ? { testFlag: '1' } : {};
	const tally = new LoadTally(options.plain === true);

	let started = Date.now();
	const fire = async (i: number): Promise<void> => {
		const call = planCall(mix, totalWeight, tally.idle, flag);
		const url = urls[i % urls.length];
		tally.onSend(call);
		const sentAtMs = Date.now() - started;
		const answer = await send(signCall(url, options.key, call.payload), options.key, timeoutMs);
		const failure = tally.onAnswer(call, answer);
		options.onCallDone?.({
			sentAtMs,
			endedAtMs: Date.now() - started,
			status: answer.status,
			ms: answer.ms,
			failure,
		});
	};

	started = Date.now();
	const sampling = startSampling(options, tally, started);
	let maxStartLagMs: number;
	try {
		maxStartLagMs = await offerCalls(options, started, fire);
	} finally {
		sampling.stopTicker();
	}
	const cpuMs = sampling.finish();
	return loadResult(options, tally, {
		elapsedMs: Date.now() - started,
		maxStartLagMs,
		rss: sampling.rss,
		cpuMs,
	});
}

/** The result of a finished run from its tally. */
function loadResult(
	options: LoadOptions,
	tally: LoadTally,
	run: Pick<LoadResult, 'elapsedMs' | 'maxStartLagMs' | 'rss' | 'cpuMs'>,
): LoadResult {
	const { sent, ok, errors } = tally;
	const unanswered = errors.unanswered ?? 0;
	const refused = Object.entries(errors)
		.filter(([kind]) => kind.startsWith('http '))
		.reduce((sum, [, n]) => sum + n, 0);
	return {
		offeredRate: options.rate,
		durationMs: options.durationMs,
		elapsedMs: run.elapsedMs,
		sent,
		answered: tally.answered,
		ok,
		unanswered,
		refused,
		wrong: sent - ok - unanswered - refused,
		errors,
		latencyMs: summariseLatency(tally.latencies),
		over5s: tally.over5s,
		throughput: ok / (run.elapsedMs / 1000),
		maxStartLagMs: run.maxStartLagMs,
		mostInFlight: tally.mostInFlight,
		byScenario: tally.byScenario,
		failures: tally.failures,
		instances: tally.instances,
		ordersToRetry: tally.ordersToRetry,
		rss: run.rss,
		cpuMs: run.cpuMs,
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
