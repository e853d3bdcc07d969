/**
 * The gateway simulator (`--protocol agents` / `apig`) against in-process reference backends built
 * from the pack's own core (token and APIG signature verification, usage builder) and the mock
 * model: a correct backend passes every case, and each kind of faulty backend (accepts anything,
 * bills refusals, misreports usage, streams usage twice or not last, answers 5xx) fails the cases
 * that should catch it. Also the stream readers and the mock model's own contract.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import { verifyAgentsToken } from '../../core/agents-token';
import { verifyApigRequest } from '../../core/aksk/verify';
import { agentsAnswerBody, buildAgentsUsage, gatewayErrorBody } from '../../core/gateway-usage';
import {
	fetchServed,
	mockReply,
	mockToolCallUsage,
	mockUsage,
	replyChunks,
	startMockModel,
	TOOL_MARKER,
	type MockModel,
} from '../../scripts/mock-model.cjs';
import type { CaseResult } from '../../simulator/checks.cjs';
import { parseStream, streamedText, usageOf } from '../../simulator/gateway-client.cjs';
import { reportedUsage, runAgents, runApig } from '../../simulator/gateway-scenarios.cjs';

const APP_KEY = 'd44cd9aa-e48e-be17-27f4-5ef3474797a1';
const APP_SECRET = 'kg-demo-app-secret-2025';
const AK = 'kgSignKeyDemo';
const SK = 'kgSignSecretDemo2025';

interface Backend {
	url: string;
	stop(): Promise<void>;
}

async function listen(
	handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => unknown,
): Promise<Backend> {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch((error) => {
				res.writeHead(500).end(String(error));
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/agent`,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
	res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** How a reference Agents backend behaves; the defaults are the correct behaviour. */
interface AgentsFaults {
	stream?: 'sse' | 'ndjson';
	/** Skip token verification. */
	acceptAll?: boolean;
	/** Put a usage object into refusals. */
	billRefusals?: boolean;
	/** Add this to the completion tokens the model reported. */
	usageDelta?: number;
	/** Stream: send usage in two events. */
	usageTwice?: boolean;
	/** Stream: send usage before the text. */
	usageFirst?: boolean;
	/** Self-managed auth: this constant header instead of the token. */
	secretHeader?: { name: string; value: string };
}

async function agentsBackend(model: MockModel, faults: AgentsFaults = {}): Promise<Backend> {
	return listen(async (req, raw, res) => {
		if (req.method === 'GET' || req.method === 'HEAD') return json(res, 200, { status: 'ok' });
		let accepted: boolean;
		if (faults.acceptAll) accepted = true;
		else if (faults.secretHeader)
			accepted = req.headers[faults.secretHeader.name.toLowerCase()] === faults.secretHeader.value;
		else {
			const header = req.headers.authorization;
			accepted = verifyAgentsToken(typeof header === 'string' ? header : undefined, {
				keys: [{ appKey: APP_KEY, appSecret: APP_SECRET }],
				nowMs: Date.now(),
			}).ok;
		}
		if (!accepted) {
			const body: Record<string, unknown> = gatewayErrorBody('unauthorized', 'Refused.');
			if (faults.billRefusals)
				body.usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
			return json(res, 401, body);
		}
		const input = (JSON.parse(raw) as { input: string }).input;
		const answer = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${model.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'mock-model', messages: [{ role: 'user', content: input }] }),
		});
		const completion = (await answer.json()) as {
			choices: Array<{ message: { content: string } }>;
			usage: { prompt_tokens: number; completion_tokens: number };
		};
		const usage = buildAgentsUsage({
			prompt_tokens: completion.usage.prompt_tokens,
			completion_tokens: completion.usage.completion_tokens + (faults.usageDelta ?? 0),
		});
		const reply = completion.choices[0].message.content;
		if (!faults.stream) return json(res, 200, agentsAnswerBody({ answer: reply }, usage));
		const events: unknown[] = replyChunks(reply).map((piece) => ({
			choices: [{ index: 0, delta: { content: piece } }],
		}));
		const usageEvent = { usage: usage.usage };
		if (faults.usageFirst) events.unshift(usageEvent);
		else events.push(usageEvent);
		if (faults.usageTwice) events.splice(1, 0, usageEvent);
		if (faults.stream === 'sse') {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
			res.end('data: [DONE]\n\n');
		} else {
			res.writeHead(200, { 'content-type': 'application/json' });
			// n8n's own line format: every node's chunks between begin and end markers.
			res.write('{"type":"begin"}\n');
			for (const event of events)
				res.write(`${JSON.stringify({ type: 'item', content: JSON.stringify(event) })}\n`);
			res.end('{"type":"end"}\n');
		}
	});
}

const failed = (results: CaseResult[]) => results.filter((r) => !r.pass).map((r) => r.name);
const passedAll = (results: CaseResult[]) => {
	expect(results.filter((r) => !r.pass)).toEqual([]);
	expect(results.length).toBeGreaterThan(0);
};

describe('gateway stream readers', () => {
	it('reads SSE events, leaving out comments and [DONE]', () => {
		const text =
			': keepalive\n\ndata: {"a":1}\n\ndata: {"usage":{"prompt_tokens":2}}\n\ndata: [DONE]\n\n';
		expect(parseStream(text)).toEqual([{ a: 1 }, { usage: { prompt_tokens: 2 } }]);
	});
	it("reads n8n's NDJSON chunks, leaving out keepalives, and finds usage inside a chunk's content", () => {
		const text =
			'{"type":"begin"}\n{"type":"keepalive"}\n{"type":"item","content":"Echo:"}\n{"type":"item","content":"{\\"usage\\":{\\"prompt_tokens\\":3}}"}\n';
		const events = parseStream(text);
		expect(events).toHaveLength(3);
		expect(usageOf(events[2])).toEqual({ prompt_tokens: 3 });
		expect(usageOf(events[1])).toBeUndefined();
		expect(streamedText(events)).toBe('Echo:');
		expect(streamedText([{ data: 'Echo:' }, { data: ' hi' }, { usage: {} }])).toBe('Echo: hi');
	});
	it('is empty for text that is no stream', () => {
		expect(parseStream('not json\nat all')).toEqual([]);
	});
	it('sums the usage of every model call for an input', () => {
		const record = [
			{
				userMessage: 'sim a 1',
				usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
			},
			{ userMessage: 'other', usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 } },
			{
				userMessage: 'sim a 1 again',
				usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
			},
		];
		expect(reportedUsage(record, 'sim a 1')).toEqual({
			prompt_tokens: 11,
			completion_tokens: 22,
			total_tokens: 33,
		});
		expect(reportedUsage(record, 'missing')).toBeUndefined();
	});
});

describe('mock model', () => {
	let model: MockModel;
	beforeAll(async () => (model = await startMockModel()));
	afterAll(() => model.stop());

	it('answers a non-streaming call with the known usage and records it', async () => {
		model.clear();
		const response = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${model.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'm',
				messages: [
					{ role: 'system', content: 'be brief' },
					{ role: 'user', content: '你好😀' },
				],
			}),
		});
		const body = (await response.json()) as Record<string, unknown>;
		expect(body.usage).toEqual({ prompt_tokens: 34, completion_tokens: 220, total_tokens: 254 });
		expect(body.choices).toEqual([
			{
				index: 0,
				message: { role: 'assistant', content: 'Echo: 你好😀' },
				logprobs: null,
				finish_reason: 'stop',
			},
		]);
		expect(model.served()).toMatchObject([
			{ stream: false, userMessage: '你好😀', usage: mockUsage('你好😀'), usageSent: true },
		]);
	});

	it('streams SSE chunks with the usage chunk last when include_usage is asked, then [DONE]', async () => {
		const response = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${model.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'm',
				stream: true,
				stream_options: { include_usage: true },
				messages: [{ role: 'user', content: 'one two' }],
			}),
		});
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		const text = await response.text();
		expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
		const events = parseStream(text) as Array<{
			choices: Array<{ delta: { content?: string } }>;
			usage?: unknown;
		}>;
		expect(events.map((e) => e.choices[0]?.delta.content ?? '').join('')).toBe(
			mockReply('one two'),
		);
		expect(events[events.length - 1]).toMatchObject({ choices: [], usage: mockUsage('one two') });
		expect(events.slice(0, -1).every((e) => e.usage === undefined)).toBe(true);
	});

	it('sends no usage chunk without include_usage, and says so in its record', async () => {
		model.clear();
		const response = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${model.apiKey}` },
			body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'x' }] }),
		});
		expect((await response.text()).includes('"usage"')).toBe(false);
		expect(model.served()[0]).toMatchObject({
			stream: true,
			includeUsage: false,
			usageSent: false,
		});
	});

	it('calls the first offered tool when the user asks with the marker, then answers once the tool result is back', async () => {
		model.clear();
		const user = `6*7? ${TOOL_MARKER}`;
		const tools = [
			{
				type: 'function',
				function: {
					name: 'calculator',
					parameters: {
						type: 'object',
						properties: { input: { type: 'string' }, precise: { type: 'boolean' } },
					},
				},
			},
		];
		const ask = async (messages: unknown[], stream = false) =>
			await fetch(`${model.baseUrl}/chat/completions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${model.apiKey}` },
				body: JSON.stringify({
					messages,
					tools,
					stream,
					...(stream ? { stream_options: { include_usage: true } } : {}),
				}),
			});
		const first = (await (await ask([{ role: 'user', content: user }])).json()) as Record<
			string,
			any
		>;
		expect(first.choices[0]).toEqual({
			index: 0,
			message: {
				role: 'assistant',
				content: null,
				tool_calls: [
					{
						id: expect.stringMatching(/^call_mock\d+$/),
						type: 'function',
						function: { name: 'calculator', arguments: '{"input":"6*7","precise":true}' },
					},
				],
			},
			logprobs: null,
			finish_reason: 'tool_calls',
		});
		expect(first.usage).toEqual(mockToolCallUsage(user));
		const second = (await (
			await ask([
				{ role: 'user', content: user },
				first.choices[0].message,
				{ role: 'tool', tool_call_id: first.choices[0].message.tool_calls[0].id, content: '42' },
			])
		).json()) as Record<string, any>;
		expect([second.choices[0].message.content, second.usage]).toEqual([
			mockReply(user),
			mockUsage(user),
		]);
		const streamed = parseStream(
			await (await ask([{ role: 'user', content: user }], true)).text(),
		) as Array<Record<string, any>>;
		expect(
			streamed
				.flatMap((e) => e.choices[0]?.delta?.tool_calls ?? [])
				.map((t: any) => t.function.arguments)
				.join(''),
		).toBe('{"input":"6*7","precise":true}');
		expect(streamed[streamed.length - 1].usage).toEqual(mockToolCallUsage(user));
		expect(model.served().map((call) => [call.kind, call.tool, call.stream])).toEqual([
			['tool_call', 'calculator', false],
			['answer', undefined, false],
			['tool_call', 'calculator', true],
		]);
		// Without the marker, or without tools, it just answers.
		const plain = (await (await ask([{ role: 'user', content: 'no marker' }])).json()) as Record<
			string,
			any
		>;
		expect(plain.choices[0].finish_reason).toBe('stop');
	});

	it('fails the next calls on request, then answers again', async () => {
		model.clear();
		model.failNext(503, 1);
		const ask = () =>
			fetch(`${model.baseUrl}/chat/completions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${model.apiKey}` },
				body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
			});
		const failed = await ask();
		expect([failed.status, ((await failed.json()) as { usage?: unknown }).usage]).toEqual([
			503,
			undefined,
		]);
		expect((await ask()).status).toBe(200);
		expect(model.served().map((call) => [call.status, call.usageSent])).toEqual([
			[503, false],
			[200, true],
		]);
	});

	it('gives its record over HTTP, with or without /v1 in the base URL', async () => {
		expect(await fetchServed(model.baseUrl)).toEqual(model.served());
		expect(await fetchServed(model.baseUrl.replace(/\/v1$/, ''))).toEqual(model.served());
		expect(model.served().length).toBeGreaterThan(0);
	});

	it('refuses a wrong API key (401, recorded)', async () => {
		model.clear();
		const response = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { authorization: 'Bearer nope' },
			body: '{}',
		});
		expect(response.status).toBe(401);
		expect(model.served()).toMatchObject([{ status: 401 }]);
	});
});

describe('simulator --protocol agents', () => {
	let model: MockModel;
	const backends: Backend[] = [];
	const start = async (faults?: AgentsFaults) => {
		const backend = await agentsBackend(model, faults);
		backends.push(backend);
		return backend.url;
	};
	const options = (extra: Record<string, unknown> = {}) => ({
		appKey: APP_KEY,
		appSecret: APP_SECRET,
		modelRecord: async () => model.served(),
		probe: true,
		timeoutMs: 20_000,
		...extra,
	});
	beforeAll(async () => (model = await startMockModel()));
	afterAll(async () => {
		for (const backend of backends) await backend.stop();
		await model.stop();
	});

	it('passes a correct synchronous backend, with usage equal to what the model reported', async () => {
		const results = await runAgents(await start(), options());
		passedAll(results);
		expect(results.map((r) => r.name)).toEqual(
			expect.arrayContaining([
				'Refuses a tampered token (payload changed)',
				'Refuses an expired token (10 min old)',
				'Refuses a token signed with a wrong secret',
				'Refuses a token of an unknown APP Key',
			]),
		);
		expect(results[0].detail).toContain('equal to what the model reported');
	});

	it('passes a correct streaming backend, SSE and NDJSON', async () => {
		passedAll(await runAgents(await start({ stream: 'sse' }), options({ stream: true })));
		passedAll(await runAgents(await start({ stream: 'ndjson' }), options({ stream: true })));
	});

	it('passes a correct self-managed (constant header) backend', async () => {
		const secretHeader = { name: 'X-Seller-Secret', value: 's3cret' };
		passedAll(
			await runAgents(await start({ secretHeader }), {
				secretHeader,
				modelRecord: async () => model.served(),
			}),
		);
	});

	it('fails a backend that accepts every token: each refusal case fails', async () => {
		const names = failed(await runAgents(await start({ acceptAll: true }), options()));
		expect(names).toEqual([
			'Refuses a call without a token',
			'Refuses a tampered token (payload changed)',
			'Refuses a tampered token (signature changed)',
			'Refuses an expired token (10 min old)',
			'Refuses a token signed with a wrong secret',
			'Refuses a token of an unknown APP Key',
			'Refuses alg "none"',
			'Refuses "Basic <token>"',
		]);
	});

	it('fails a backend whose refusals carry usage', async () => {
		const security = (await runAgents(await start({ billRefusals: true }), options())).filter(
			(r) => r.scenario === 'security',
		);
		expect(security).toHaveLength(8);
		for (const result of security)
			expect(result).toMatchObject({
				pass: false,
				detail: 'HTTP 401 but the answer carries usage',
			});
	});

	it('fails a backend that bills other numbers than the model reported', async () => {
		const results = await runAgents(await start({ usageDelta: 1 }), options());
		const accepted = results.filter((r) => r.scenario === 'sync');
		expect(accepted).toHaveLength(2);
		for (const result of accepted)
			expect(result.detail).toMatch(/^usage\.completion_tokens is \d+; the model reported \d+$/);
	});

	it('fails a stream that sends usage twice, or not last', async () => {
		const twice = await runAgents(
			await start({ stream: 'sse', usageTwice: true }),
			options({ stream: true }),
		);
		expect(twice.filter((r) => r.scenario === 'stream').map((r) => r.detail)).toEqual([
			'2 events carry usage; the final usage must be sent once',
			'2 events carry usage; the final usage must be sent once',
		]);
		const first = await runAgents(
			await start({ stream: 'sse', usageFirst: true }),
			options({ stream: true }),
		);
		expect(first.filter((r) => r.scenario === 'stream').map((r) => r.detail)).toEqual([
			'usage is not in the last event',
			'usage is not in the last event',
		]);
		const lines = await runAgents(
			await start({ stream: 'ndjson', usageFirst: true }),
			options({ stream: true }),
		);
		expect(lines.filter((r) => r.scenario === 'stream').map((r) => r.detail)).toEqual([
			'usage is not in the last event',
			'usage is not in the last event',
		]);
	});

	it('fails a synchronous answer where a stream is expected', async () => {
		const streamed = (await runAgents(await start(), options({ stream: true }))).filter(
			(r) => r.scenario === 'stream',
		);
		expect(streamed).toHaveLength(2);
		for (const result of streamed)
			expect(result.detail).toMatch(/^not a stream: \{"answer":"Echo: sim /);
	});
});

describe('simulator --protocol apig', () => {
	const backends: Backend[] = [];
	/** A product lookup behind APIG: {"code"} → 200 the item, 404 unknown; signature checked unless `acceptAll`. */
	const start = async (faults: { acceptAll?: boolean; notFoundStatus?: number } = {}) => {
		const backend = await listen((req, raw, res) => {
			if (!faults.acceptAll) {
				const verdict = verifyApigRequest({
					method: req.method ?? 'POST',
					url: req.url ?? '/',
					headers: req.headers as Record<string, string>,
					body: raw,
					credentials: (ak) => (ak === AK ? SK : undefined),
				});
				if (!verdict.ok) return json(res, 401, gatewayErrorBody('unauthorized', verdict.message));
			}
			const code = (JSON.parse(raw) as { code?: string }).code;
			if (code !== 'KG-001')
				return json(
					res,
					faults.notFoundStatus ?? 404,
					gatewayErrorBody('not_found', 'No such item.'),
				);
			return json(res, 200, { code, name: 'Demo item' });
		});
		backends.push(backend);
		return backend.url;
	};
	const options = {
		ak: AK,
		sk: SK,
		body: '{"code":"KG-001"}',
		notFoundBody: '{"code":"KG-404"}',
		check: (answer: { json?: Record<string, unknown> }) =>
			answer.json?.name === 'Demo item' ? undefined : 'not the item',
	};
	afterAll(async () => {
		for (const backend of backends) await backend.stop();
	});

	it('passes a backend that verifies the signature: served 2xx, not found and refusals 4xx', async () => {
		const results = await runApig(await start(), options);
		passedAll(results);
		expect(results.map((r) => r.name)).toEqual([
			'Signed call (SDK-HMAC-SHA256)',
			'Unknown item answered 4xx',
			'Refuses an unsigned call',
			expect.stringMatching(/^Refuses a stale X-Sdk-Date \(\d{8}T\d{6}Z, 20 min old\)$/),
			'Refuses a tampered body',
			'Refuses a wrong secret',
			'Refuses an unknown key',
		]);
	});

	it('fails a backend that serves unsigned, stale and tampered calls (billed)', async () => {
		const names = failed(await runApig(await start({ acceptAll: true }), options));
		expect(names).toEqual([
			'Refuses an unsigned call',
			expect.stringMatching(/^Refuses a stale X-Sdk-Date/),
			'Refuses a tampered body',
			'Refuses a wrong secret',
			'Refuses an unknown key',
		]);
	});

	it('fails a backend that answers an unknown item with a 5xx', async () => {
		const results = await runApig(await start({ notFoundStatus: 500 }), options);
		expect(failed(results)).toEqual(['Unknown item answered 4xx']);
	});

	it('fails a served answer without the expected data', async () => {
		const results = await runApig(await start(), { ...options, check: () => 'no row' });
		expect(results[0]).toMatchObject({ pass: false, detail: 'no row' });
	});
});

describe('npm run sim -- run --protocol agents | apig (the CLI)', () => {
	const REPO_ROOT = path.resolve(__dirname, '..', '..');
	let model: MockModel;
	const backends: Backend[] = [];
	/** Runs the simulator CLI; resolves with its exit code and output. */
	const sim = (args: string[]) =>
		new Promise<{ code: number | null; output: string }>((resolve) => {
			const child = spawn(
				process.execPath,
				['--require', 'tsx/cjs', 'simulator/cli.cts', 'run', ...args],
				{ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
			);
			let output = '';
			child.stdout.on('data', (chunk) => (output += chunk));
			child.stderr.on('data', (chunk) => (output += chunk));
			child.on('exit', (code) => resolve({ code, output }));
		});
	beforeAll(async () => (model = await startMockModel()));
	afterAll(async () => {
		for (const backend of backends) await backend.stop();
		await model.stop();
	});

	it('agents: exit 0 against a correct backend, usage checked against the mock model over HTTP; exit 1 against one that accepts anything', async () => {
		const good = await agentsBackend(model);
		const bad = await agentsBackend(model, { acceptAll: true });
		backends.push(good, bad);
		const auth = ['--app-key', APP_KEY, '--app-secret', APP_SECRET, '--model-url', model.baseUrl];
		const passed = await sim(['--protocol', 'agents', '--url', good.url, ...auth]);
		expect([passed.code, passed.output]).toEqual([
			0,
			expect.stringContaining('10 passed, 0 failed'),
		]);
		expect(passed.output).toContain('equal to what the model reported');
		const failed = await sim(['--protocol', 'agents', '--url', bad.url, ...auth]);
		expect([failed.code, failed.output]).toEqual([
			1,
			expect.stringContaining('2 passed, 8 failed'),
		]);
	}, 180_000);

	it('agents with --secret-header; usage errors exit 2', async () => {
		const secretHeader = { name: 'X-Seller-Secret', value: 'cli-s3cret' };
		const backend = await agentsBackend(model, { secretHeader });
		backends.push(backend);
		const run = await sim([
			'--protocol',
			'agents',
			'--url',
			backend.url,
			'--secret-header',
			`${secretHeader.name}:${secretHeader.value}`,
		]);
		expect([run.code, run.output]).toEqual([0, expect.stringContaining('3 passed, 0 failed')]);
		expect((await sim(['--protocol', 'agents'])).code).toBe(2);
	}, 180_000);
});
