/**
 * One HTTP exchange with a production interface, read the way KooGallery reads it: the status,
 * the exact bytes, `Body-Sign` checked over those bytes, then the JSON.
 *
 * HTTPS is checked as KooGallery checks it: the certificate must be valid for the URL's host name
 * and issued by a trusted authority (Node's list, or only the ones given to `useConnection`).
 * `useConnection` can also resolve a host name to a fixed address, like curl's `--resolve`, to
 * try a server before its domain's DNS record points at it.
 */
import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';

import { verifyBodySign } from '../core/body-sign';

export interface CallAnswer {
	status: number;
	/** The exact bytes received, as text (or the network error). */
	text: string;
	headers: Record<string, string>;
	/** Body-Sign verified with the key over the exact bytes. */
	signed: boolean;
	json?: Record<string, unknown>;
	ms: number;
}

export interface HttpCall {
	method: 'GET' | 'HEAD' | 'POST';
	url: string;
	headers?: Record<string, string>;
	/** The body; a list of pieces is sent piece by piece, chunked (Transfer-Encoding: chunked). */
	body?: string | Buffer | Buffer[];
}

/** How calls reach their server. */
export interface Connection {
	/** Certificate authorities (PEM) to trust instead of Node's built-in list. */
	ca?: string | Buffer;
	/** Host names resolved to fixed IP addresses instead of DNS (`{ 'shop.example.com': '127.0.0.1' }`). */
	resolve?: Record<string, string>;
}

let connection: Connection = {};

/** Sets how every following call connects (the simulator's `--ca` and `--resolve`); `{}` restores the defaults. */
export function useConnection(next: Connection): void {
	connection = next;
}

/** The `ca` and `lookup` options of node:https / node:http for the current connection settings. */
function connectOptions(): { ca?: string | Buffer; lookup?: LookupFunction } {
	const { ca, resolve } = connection;
	if (!resolve) return { ca };
	const lookup: LookupFunction = (hostname, options, callback) => {
		const address = resolve[hostname.toLowerCase()];
		if (address === undefined) return dnsLookup(hostname, options, callback);
		const family = address.includes(':') ? 6 : 4;
		if (options.all)
			(callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
				{ address, family },
			]);
		else callback(null, address, family);
	};
	return { ca, lookup };
}

/** What came back: the status, the headers (lower-case names) and the exact body bytes. */
export interface Exchange {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

/** Sends one request (no redirects followed, the body byte for byte) and reads the whole answer. */
export function exchange(call: HttpCall, timeoutMs: number): Promise<Exchange> {
	return new Promise((resolve, reject) => {
		const url = new URL(call.url);
		const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
		if (!client) return reject(new Error(`${url.protocol} is not http: or https:`));
		const request = client.request(
			url,
			{ method: call.method, headers: call.headers, agent: false, ...connectOptions() },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('error', reject);
				response.on('end', () => {
					const headers: Record<string, string> = {};
					for (const [name, value] of Object.entries(response.headers)) {
						if (value !== undefined)
							headers[name] = Array.isArray(value) ? value.join(', ') : value;
					}
					resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
				});
			},
		);
		const timer = setTimeout(
			() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
			timeoutMs,
		);
		request.on('close', () => clearTimeout(timer));
		request.on('error', reject);
		const body = call.method === 'POST' ? call.body : undefined;
		if (Array.isArray(body)) {
			for (const piece of body) request.write(piece);
			request.end();
		} else request.end(body);
	});
}

/**
 * How long a call may take before it counts as unanswered: KooGallery's 5 seconds. The tests raise
 * it (test/e2e/setup.cts): on a busy machine an answer may come later, and how fast answers come is
 * measured by the benchmarks, not judged by the tests.
 */
let answerTimeoutMs = 5000;
export function setAnswerTimeout(ms: number): void {
	answerTimeoutMs = ms;
}

/** Sends a call and reads the answer; network errors become status 0 with the reason. */
export async function sendHttp(
	call: HttpCall,
	key: string,
	timeoutMs = answerTimeoutMs,
): Promise<CallAnswer> {
	const started = Date.now();
	try {
		const { status, headers, body } = await exchange(call, timeoutMs);
		let json: Record<string, unknown> | undefined;
		try {
			const parsed = JSON.parse(body.toString('utf8'));
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed;
		} catch {
			json = undefined;
		}
		return {
			status,
			text: body.toString('utf8'),
			headers,
			signed: verifyBodySign(key, body, headers['body-sign']),
			json,
			ms: Date.now() - started,
		};
	} catch (error) {
		return {
			status: 0,
			text: String((error as Error).message),
			headers: {},
			signed: false,
			ms: Date.now() - started,
		};
	}
}
