/**
 * The load generator (scripts/load-generator.cts) against a small in-process production interface that
 * verifies every call with core's verifier and keeps the instances' state: the generator's counts,
 * its checks of each answer and the state it expects at the end must match what the server saw.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';

import { signedJsonResponse } from '../../core/body-sign';
import { verifySaasV2Request } from '../../core/saas-v2-signature';
import {
	checkAnswer,
	readCpuMs,
	readRssKb,
	runLoad,
	summariseLatency,
} from '../../scripts/load-generator.cjs';

const KEY = 'load-test-seller-key';

interface ServerInstance {
	orderId: string;
	status: string;
	expireTime?: string;
	lastOrderId: string;
}

/**
 * A production interface; `misbehave` picks calls to answer wrongly. It holds its answers until
 * `batch` calls are waiting for one, then answers them all.
 */
async function startInterface(
	misbehave: (n: number) => 'unsigned' | 'code' | 'drop' | undefined = () => undefined,
	batch = 1,
) {
	const instances = new Map<string, ServerInstance>();
	let received = 0;
	const waiting: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const n = received++;
			const raw = Buffer.concat(chunks);
			const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
			const verified = verifySaasV2Request({ keys: [KEY], query, rawBody: raw });
			const body = JSON.parse(raw.toString('utf8')) as Record<string, string>;
			let answer: Record<string, unknown> = { resultCode: '000000', resultMsg: 'success' };
			if (!verified.ok) answer = { resultCode: '000001', resultMsg: 'auth' };
			else if (body.activity === 'newInstance') {
				instances.set(body.businessId, {
					orderId: body.orderId,
					status: 'active',
					lastOrderId: body.orderId,
				});
				answer.instanceId = body.businessId;
			} else {
				const instance = instances.get(body.instanceId);
				if (!instance) answer = { resultCode: '000003', resultMsg: 'unknown' };
				else if (body.activity === 'queryInstance') answer.info = [{ instanceId: body.instanceId }];
				else if (body.activity === 'refreshInstance') {
					instance.expireTime = body.expireTime;
					instance.lastOrderId = body.orderId;
				} else if (body.activity === 'upgradeInstance') instance.lastOrderId = body.orderId;
				else if (body.activity === 'releaseInstance') instance.status = 'released';
				else if (body.activity === 'updateInstanceStatus' && instance.status !== 'released')
					instance.status = body.status === 'FREEZE' ? 'frozen' : 'active';
			}
			const fault = misbehave(n);
			if (fault === 'drop') {
				req.socket.destroy();
				return;
			}
			if (fault === 'code') answer = { resultCode: '000002', resultMsg: 'invalid' };
			const signed = signedJsonResponse(fault === 'unsigned' ? `${KEY}-other` : KEY, answer);
			waiting.push(() => res.writeHead(200, signed.headers).end(signed.body));
			if (waiting.length >= batch) for (const send of waiting.splice(0)) send();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/saas`;
	return {
		url,
		instances,
		received: () => received,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('load generator', () => {
	it('sends rate × duration mixed calls; every answer is checked and the expected state matches the server', async () => {
		const server = await startInterface();
		try {
			const seconds: number[] = [];
			const result = await runLoad({
				urls: server.url,
				key: KEY,
				rate: 40,
				durationMs: 2000,
				rssPids: [process.pid],
				onSecond: (s) => seconds.push(s.second),
			});
			expect(result.sent).toBe(80);
			expect(server.received()).toBe(80);
			expect(result.answered).toBe(80);
			expect(result.ok).toBe(80);
			expect(result.errors).toEqual({});
			expect([result.unanswered, result.refused, result.wrong]).toEqual([0, 0, 0]);
			// Calls on earlier instances were mixed in.
			expect(Object.keys(result.byScenario).length).toBeGreaterThan(1);
			expect(result.byScenario.newInstance.sent).toBe(result.instances.length);
			expect(server.instances.size).toBe(result.instances.length);
			for (const instance of result.instances) {
				const seen = server.instances.get(instance.instanceId);
				expect(seen).toEqual({
					orderId: instance.orderId,
					status: instance.status,
					expireTime: instance.expireTime,
					lastOrderId: instance.lastOrderId,
				});
			}
			expect(seconds.length).toBeGreaterThanOrEqual(1);
			const own = result.rss.filter((s) => s.pid === process.pid);
			expect(own.length).toBeGreaterThanOrEqual(2);
			expect(own.every((s) => s.rssKb > 0)).toBe(true);
			// The interface runs in this process, so answering 80 calls cost it CPU time.
			expect(result.cpuMs).toBeGreaterThan(0);
			expect(result.cpuMs).toBeLessThan(result.elapsedMs * os.cpus().length);
		} finally {
			await server.stop();
		}
	});

	it('counts unsigned answers, wrong result codes and dropped connections by kind', async () => {
		const server = await startInterface((n) =>
			n % 10 === 3 ? 'unsigned' : n % 10 === 5 ? 'code' : n % 10 === 7 ? 'drop' : undefined,
		);
		try {
			const result = await runLoad({
				urls: [server.url, server.url],
				key: KEY,
				rate: 50,
				durationMs: 1000,
			});
			expect(result.sent).toBe(50);
			expect(result.errors).toEqual({ unsigned: 5, 'resultCode 000002': 5, unanswered: 5 });
			expect(result.unanswered).toBe(5);
			expect(result.refused).toBe(0);
			expect(result.wrong).toBe(10);
			expect(result.answered).toBe(45);
			expect(result.ok).toBe(35);
			// Only new purchases without a result code are retried by KooGallery.
			expect(result.ordersToRetry.length).toBeLessThanOrEqual(5);
			// The instances the generator knows are those it got a correct new-purchase answer for.
			expect(result.instances.length).toBe(result.byScenario.newInstance.ok);
		} finally {
			await server.stop();
		}
	});

	it('keeps at most maxInFlight calls in flight, whatever the rate', async () => {
		// The interface answers only once 3 calls wait: fewer in flight would stall the run.
		const server = await startInterface(undefined, 3);
		try {
			const result = await runLoad({
				urls: server.url,
				key: KEY,
				rate: 1000,
				durationMs: 30,
				maxInFlight: 3,
			});
			expect([result.sent, result.ok, server.received()]).toEqual([30, 30, 30]);
			expect(result.mostInFlight).toBe(3);
		} finally {
			await server.stop();
		}
	});

	it('plain mode checks only HTTP 200 and result code', () => {
		const answer = {
			status: 200,
			text: '',
			headers: {},
			signed: false,
			json: { resultCode: '000000' },
			ms: 3,
		};
		expect(checkAnswer('newInstance', answer, true)).toBeUndefined();
		expect(checkAnswer('newInstance', answer, false)).toBe('unsigned');
		expect(checkAnswer('newInstance', { ...answer, signed: true }, false)).toBe('instanceId');
		expect(checkAnswer('queryInstance', { ...answer, status: 0 }, true)).toBe('unanswered');
		expect(checkAnswer('queryInstance', { ...answer, status: 502 }, true)).toBe('http 502');
	});

	it('summarises latency by nearest rank and reads RSS from /proc', () => {
		const values = Array.from({ length: 100 }, (_, i) => 100 - i);
		expect(summariseLatency(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
		expect(readRssKb(process.pid)).toBeGreaterThan(1000);
		expect(Number.isNaN(readRssKb(2 ** 22 + 12345))).toBe(true);
	});

	it("reads a process's CPU time from /proc as Node counts it", () => {
		const usage = () => {
			const { user, system } = process.cpuUsage();
			return (user + system) / 1000;
		};
		const [procBefore, nodeBefore] = [readCpuMs(process.pid), usage()];
		// Work until Node counts 300 ms of CPU (not of the clock: a busy machine only makes it longer).
		let spin = 0;
		while (usage() - nodeBefore < 300) for (let i = 0; i < 10_000; i++) spin += Math.sqrt(spin + i);
		const procUsed = readCpuMs(process.pid) - procBefore;
		const nodeUsed = usage() - nodeBefore;
		expect(spin).toBeGreaterThan(0);
		expect(nodeUsed).toBeGreaterThanOrEqual(300);
		// /proc counts in 10 ms ticks (and all threads): within a few ticks of Node's own count.
		expect(Math.abs(procUsed - nodeUsed)).toBeLessThan(60);
		expect(Number.isNaN(readCpuMs(2 ** 22 + 12345))).toBe(true);
	});
});
