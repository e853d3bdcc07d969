/**
 * Part 1 of the benchmarks (issue 7): each protocol-core operation against the raw `node:crypto`
 * work it cannot avoid, measured in the same process, in alternating timed runs.
 *
 * Every pair is first checked to compute the same thing (same signature, same ciphertext), so a
 * ratio always compares equal work.
 */
import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { canonicalRequest } from '../core/aksk/canonical';
import { signApigRequest, type SignApigRequestInput } from '../core/aksk/sign';
import { bodySignHeader, signedJsonResponse, toKooGalleryJson } from '../core/body-sign';
import {
	deriveAesKey,
	encryptCredential,
	randomIv,
	sha1PrngBytes,
} from '../core/credential-crypto';
import {
	canonicalSaasV2Payload,
	signSaasV2Request,
	verifySaasV2Request,
} from '../core/saas-v2-signature';
import { median } from './stats.cjs';

/** One measured pair. */
export interface CorePairResult {
	id: string;
	operation: string;
	baseline: string;
	/** Median operations per CPU-second of the core operation over the runs. */
	opsPerSec: number;
	/** Median operations per CPU-second of the baseline over the runs. */
	baselineOpsPerSec: number;
	/** Median over the rounds of baseline ops/s divided by operation ops/s: how many times longer one operation takes. */
	ratio: number;
	/** Whether this pair is judged against the 1.5x target (others are shown for information). */
	target: boolean;
	runs: number;
	note?: string;
	/** Pieces of the core operation timed on their own, to show where its extra time goes. */
	parts: Array<{ label: string; microseconds: number }>;
}

export interface CoreBenchOptions {
	/** Timed runs per side (the median is reported). */
	runs: number;
	/** Length of one timed run, in milliseconds. */
	runMs: number;
	/** Progress output. */
	log?: (line: string) => void;
}

interface Pair {
	id: string;
	operation: string;
	baseline: string;
	target: boolean;
	note?: string;
	subject: () => unknown;
	raw: () => unknown;
	/** Throws if the two sides do not compute the same thing. */
	check: () => void;
	/** Pieces of the core operation, each timed on its own (see `CorePairResult.parts`). */
	parts?: Array<{ label: string; fn: () => unknown }>;
}

const SELLER_KEY = 'bench-Seller-Key-3c5e7a9b1d2f4e6a';
const NONCE = 'B7C1F0E2A3D4958676A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3';
const TIMESTAMP = '1767225600000';

let sink = 0;
/** Keeps results alive so the work cannot be optimised away. */
function consume(value: unknown): void {
	if (typeof value === 'string') sink += value.length;
	else if (Buffer.isBuffer(value)) sink += value[0] ?? 0;
	else if (value) sink += 1;
}

function assert(condition: boolean, message: string): void {
	if (!condition) throw new Error(`benchmark pair is not equal work: ${message}`);
}

/**
 * A SaaS V2.0 newInstance body of about `bytes` bytes: the documented fields plus an
 * `extendParams` list, keys sorted and compact, so the raw body is already Huawei's canonical form
 * (the verifier then has one form to check, as with KooGallery's real calls).
 */
export function saasV2Body(bytes: number): Buffer {
	const base: Record<string, unknown> = {
		activity: 'newInstance',
		businessId: '61e834ba-7b97-4418-b8f7-e5a2c8a1d3f0',
		chargingMode: 1,
		customerId: '68cbc86abc2018ab880d92f36422fa0e',
		customerName: 'bench-customer',
		expireTime: '20281231235959',
		orderId: 'CS1906666666ABCDE',
		orderLineId: 'CS1906666666ABCDE-000001',
		periodNumber: 1,
		periodType: 'year',
		productId: '00301-666666-0--0',
		provisionType: 1,
		skuCode: 'c3b97a4c-26d3-4d5c-8a6b-2b1f0e9d8c7a',
		testFlag: '0',
		userId: '157f7b89-8a71-4f2c-8f3e-1d2c3b4a5e6f',
		userName: 'bench-user',
	};
	const extendParams: Array<{ name: string; value: string }> = [];
	const size = () => Buffer.byteLength(JSON.stringify(sorted({ ...base, extendParams })));
	while (size() < bytes) {
		extendParams.push({ name: `param${extendParams.length}`, value: 'x'.repeat(24) });
	}
	return Buffer.from(JSON.stringify(sorted({ ...base, extendParams })));
}

function sorted(record: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(
		Object.keys(record)
			.sort()
			.map((key) => [key, record[key]]),
	);
}

function verificationPair(bytes: number): Pair {
	const body = saasV2Body(bytes);
	const signature = signSaasV2Request(SELLER_KEY, body, NONCE, TIMESTAMP);
	const query = { signature, timestamp: TIMESTAMP, nonce: NONCE };
	const expected = Buffer.from(signature, 'hex');
	const now = Number(TIMESTAMP) + 1000;
	const subject = () =>
		verifySaasV2Request({ query, rawBody: body, keys: [SELLER_KEY], nowMs: now });
	const raw = () => {
		const inner = createHmac('sha256', SELLER_KEY).update(body).digest('hex');
		const outer = createHmac('sha256', SELLER_KEY)
			.update(SELLER_KEY + NONCE + TIMESTAMP + inner)
			.digest();
		return timingSafeEqual(outer, expected);
	};
	const label = bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
	return {
		id: `verify-${bytes}`,
		operation: `verifySaasV2Request, ${label} body (${body.length} bytes)`,
		baseline: 'two HMAC-SHA256 (body, then key+nonce+timestamp+hex) and a constant-time compare',
		target: true,
		subject,
		raw,
		check: () => {
			const result = subject();
			assert(
				result.ok === true && result.form === 'raw',
				`verification failed: ${JSON.stringify(result)}`,
			);
			assert(raw() === true, 'raw HMAC did not match');
		},
		parts: [
			{
				label:
					'canonicalSaasV2Payload(body): JSON.parse and sorted JSON.stringify, done on every call even when the raw body verifies',
				fn: () => canonicalSaasV2Payload(body),
			},
			{
				label: 'body.toString("utf8"), to compare the canonical form with the raw body',
				fn: () => body.toString('utf8'),
			},
		],
	};
}

/** core/hmac's Base64 HMAC: `digest()` to a Buffer, then `toString('base64')`. */
function digestThenBase64(text: string): { label: string; fn: () => unknown } {
	return {
		label:
			"core/hmac's hmacSha256Base64: digest() to a Buffer, then toString('base64') (the baseline asks digest('base64'))",
		fn: () => createHmac('sha256', SELLER_KEY).update(text).digest().toString('base64'),
	};
}

function bodySignPairs(): Pair[] {
	const answer = {
		resultCode: '000000',
		resultMsg: 'success',
		instanceId: '61e834ba-7b97-4418-b8f7-e5a2c8a1d3f0',
	};
	const text = toKooGalleryJson(answer);
	const rawBase64 = () => createHmac('sha256', SELLER_KEY).update(text).digest('base64');
	return [
		{
			id: 'body-sign-header',
			operation: 'bodySignHeader over a serialised answer (newInstance, 97 bytes)',
			baseline: 'one HMAC-SHA256, Base64',
			target: true,
			subject: () => bodySignHeader(SELLER_KEY, text),
			raw: rawBase64,
			check: () =>
				assert(bodySignHeader(SELLER_KEY, text).includes(`"${rawBase64()}"`), 'Body-Sign differs'),
			parts: [digestThenBase64(text)],
		},
		{
			id: 'signed-json-response',
			operation: 'signedJsonResponse (serialise the answer, escape non-ASCII, sign)',
			baseline: 'JSON.stringify of the answer and one HMAC-SHA256, Base64',
			target: true,
			subject: () => signedJsonResponse(SELLER_KEY, answer),
			raw: () => {
				const body = JSON.stringify(answer);
				return createHmac('sha256', SELLER_KEY).update(body).digest('base64');
			},
			check: () => {
				const signed = signedJsonResponse(SELLER_KEY, answer);
				assert(signed.body === JSON.stringify(answer), 'serialised answers differ');
				assert(signed.headers['body-sign'].includes(`"${rawBase64()}"`), 'Body-Sign differs');
			},
			parts: [
				{
					label: 'toKooGalleryJson(answer): JSON.stringify and the non-ASCII escape',
					fn: () => toKooGalleryJson(answer),
				},
				digestThenBase64(text),
			],
		},
	];
}

function encryptionPairs(): Pair[] {
	const password = 'Init-Pa55word!2026';
	const iv = 'Ab3dEf6hIj9lMn2p';
	const ivBytes = Buffer.from(iv, 'latin1');
	const key = deriveAesKey(SELLER_KEY, 256);
	const cacheLookup = {
		label: 'deriveAesKey from the cache: SHA-256 of the key as the cache id, and a copy of the key',
		fn: () => deriveAesKey(SELLER_KEY, 256),
	};
	const raw = () => {
		const cipher = createCipheriv('aes-256-cbc', key, ivBytes);
		return iv + Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]).toString('base64');
	};
	return [
		{
			id: 'encrypt-fixed-iv',
			operation: 'encryptCredential, AES-256 (key from the per-key cache, IV given)',
			baseline: 'one AES-256-CBC encryption with a precomputed key, Base64',
			target: true,
			subject: () => encryptCredential(SELLER_KEY, password, '1', iv),
			raw,
			check: () =>
				assert(encryptCredential(SELLER_KEY, password, '1', iv) === raw(), 'ciphertexts differ'),
			parts: [cacheLookup],
		},
		{
			id: 'encrypt-random-iv',
			operation: 'encryptCredential, AES-256, fresh random IV (as the Respond node calls it)',
			baseline: 'one AES-256-CBC encryption with a precomputed key and a fixed IV, Base64',
			target: false,
			note: 'the difference is the 16 crypto.randomInt draws of the IV, which the baseline does not do',
			subject: () => encryptCredential(SELLER_KEY, password, '1'),
			raw,
			check: () =>
				assert(
					encryptCredential(SELLER_KEY, password, '1').length === raw().length,
					'lengths differ',
				),
			parts: [cacheLookup, { label: 'randomIv(): 16 crypto.randomInt draws', fn: randomIv }],
		},
		{
			id: 'derive-uncached',
			operation: 'SHA1PRNG key derivation redone per call (sha1PrngBytes, 32 bytes)',
			baseline: 'deriveAesKey from the per-key cache',
			target: false,
			note: 'shows what the cache saves on every encryption',
			subject: () => sha1PrngBytes(Buffer.from(SELLER_KEY, 'utf8'), 32),
			raw: () => deriveAesKey(SELLER_KEY, 256),
			check: () =>
				assert(
					sha1PrngBytes(Buffer.from(SELLER_KEY, 'utf8'), 32).equals(deriveAesKey(SELLER_KEY, 256)),
					'keys differ',
				),
		},
	];
}

function akskPair(id: string, label: string, request: SignApigRequestInput): Pair {
	const signed = signApigRequest(request);
	const canonical = signed.canonicalRequest;
	const sdkDate = signed.headers['X-Sdk-Date'];
	const { Authorization: _authorization, ...added } = signed.headers;
	const signedHeaders = { ...request.headers, ...added };
	const names = signed.signedHeaders.split(';');
	// The payload hash ends the canonical request, which is otherwise string assembly.
	const payloadHash = () =>
		createHash('sha256')
			.update(request.body ?? '')
			.digest('hex');
	const raw = () => {
		consume(payloadHash());
		const requestHash = createHash('sha256').update(canonical).digest('hex');
		return createHmac('sha256', request.sk)
			.update(`SDK-HMAC-SHA256\n${sdkDate}\n${requestHash}`)
			.digest('hex');
	};
	return {
		id,
		operation: `signApigRequest, ${label}`,
		baseline:
			'SHA-256 of the body, SHA-256 of the canonical request, one HMAC-SHA256 (the hashes it must compute)',
		target: true,
		subject: () => signApigRequest(request),
		raw,
		parts: [
			{
				label:
					'canonicalRequest alone: URL parsing, percent-encoding byte by byte, header sorting (includes the body hash)',
				fn: () => canonicalRequest({ ...request, headers: signedHeaders }, names),
			},
		],
		check: () => {
			assert(
				canonicalRequest({ ...request, headers: signedHeaders }, names) === canonical,
				'canonical requests differ',
			);
			assert(canonical.endsWith(`\n${payloadHash()}`), 'payload hashes differ');
			assert(
				signApigRequest(request).headers.Authorization.endsWith(`Signature=${raw()}`),
				'signatures differ',
			);
		},
	};
}

function akskPairs(): Pair[] {
	const date = new Date(Date.UTC(2026, 0, 1, 8, 30, 0));
	const body = JSON.stringify({
		usage_records: Array.from({ length: 6 }, (_, i) => ({
			begin_time: '20260101070000',
			end_time: '20260101080000',
			instance_id: `a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c${String(i).padStart(2, '0')}`,
			metering_sn: `bench-${i}-0123456789abcdef0123456789abcdef`,
			usage_value: 12.5 + i,
		})),
	});
	return [
		akskPair('aksk-get', 'GET with a 3-parameter query, 2 headers', {
			method: 'GET',
			url: 'https://mkt.myhuaweicloud.cn/api/mkp-openapi-public/global/v1/order/query?orderId=CS1906666666ABCDE&limit=10&offset=0',
			headers: { 'Content-Type': 'application/json' },
			ak: 'BENCHAKABCDEFGHIJKLM',
			sk: 'benchSKabcdefghijklmnopqrstuvwxyz0123456',
			date,
		}),
		akskPair('aksk-post', `POST with a ${body.length}-byte JSON body, 2 headers`, {
			method: 'POST',
			url: 'https://mkt.myhuaweicloud.cn/api/mkp-openapi-public/global/v1/isv/usage-records',
			headers: { 'Content-Type': 'application/json' },
			body,
			ak: 'BENCHAKABCDEFGHIJKLM',
			sk: 'benchSKabcdefghijklmnopqrstuvwxyz0123456',
			date,
		}),
	];
}

/** CPU time this process has used, in milliseconds (user + system). */
function cpuMs(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}

/**
 * Operations per CPU-second of `fn` over about `durationMs` of this process's CPU time, calling
 * it in batches between clock reads. CPU time, not wall time, so that other processes competing
 * for the machine's cores do not count against the operation being measured.
 */
function timedRun(fn: () => unknown, durationMs: number): number {
	let batch = 16;
	let operations = 0;
	const started = cpuMs();
	let elapsed = 0;
	while (elapsed < durationMs) {
		for (let i = 0; i < batch; i++) consume(fn());
		operations += batch;
		elapsed = cpuMs() - started;
		if (elapsed < durationMs / 20) batch *= 2;
	}
	return (operations * 1000) / elapsed;
}

/** All pairs of part 1. */
export function corePairs(): Pair[] {
	return [
		verificationPair(1024),
		verificationPair(64 * 1024),
		...bodySignPairs(),
		...encryptionPairs(),
		...akskPairs(),
	];
}

/**
 * Runs every pair: a warm-up, then `runs` rounds in which the core operation, its baseline and
 * each of its parts get one timed run each, in an order that rotates from round to round. Reports
 * the median operations per CPU-second of each, and as the ratio the median of the rounds' ratios
 * (each computed from two runs made right after one another).
 */
export function runCoreBench(options: CoreBenchOptions): CorePairResult[] {
	const results: CorePairResult[] = [];
	for (const pair of corePairs()) {
		pair.check();
		const timed = [
			{ label: 'subject', fn: pair.subject },
			{ label: 'raw', fn: pair.raw },
			...(pair.parts ?? []),
		];
		for (const entry of timed) timedRun(entry.fn, options.runMs / 2);
		const runs: number[][] = timed.map(() => []);
		const ratios: number[] = [];
		for (let round = 0; round < options.runs; round++) {
			for (let step = 0; step < timed.length; step++) {
				const index = (step + round) % timed.length;
				runs[index].push(timedRun(timed[index].fn, options.runMs));
			}
			ratios.push(runs[1][round] / runs[0][round]);
		}
		const opsPerSec = median(runs[0]);
		const baselineOpsPerSec = median(runs[1]);
		const result: CorePairResult = {
			id: pair.id,
			operation: pair.operation,
			baseline: pair.baseline,
			opsPerSec,
			baselineOpsPerSec,
			ratio: median(ratios),
			target: pair.target,
			runs: options.runs,
			note: pair.note,
			parts: (pair.parts ?? []).map((part, i) => ({
				label: part.label,
				microseconds: 1e6 / median(runs[i + 2]),
			})),
		};
		options.log?.(
			`core ${pair.id}: ${Math.round(opsPerSec)} ops/s vs ${Math.round(baselineOpsPerSec)} ops/s raw, ratio ${result.ratio.toFixed(2)}`,
		);
		results.push(result);
	}
	if (sink === -1) options.log?.('unreachable');
	return results;
}
