/**
 * A local OpenAI-compatible chat model for the Agents-gateway example workflow and its tests. It
 * answers `POST /v1/chat/completions` (also without the `/v1`) the way OpenAI's Chat Completions
 * API does, deterministically, and reports token counts the tests can check exactly:
 *
 *   reply              "Echo: <the last user message>"
 *   prompt_tokens      31 + number of Unicode code points of the last user message
 *   completion_tokens  217 + the same number
 *   total_tokens       their sum
 *
 * (31 and 217 are the numbers of the Agents gateway's own billing example.)
 *
 * Tool calls, for agents that use tools: when the request offers `tools`, its last message is the
 * user's and that message contains `[use a tool]`, the mock answers with one call of the first tool
 * instead (arguments made from the tool's JSON schema; usage `prompt_tokens` 31 + n,
 * `completion_tokens` 19). The agent then runs the tool and asks again with the tool's result; that
 * call gets the ordinary answer and usage. So such a run makes two model calls, and a correct bill
 * is their sum.
 *
 * Non-streaming calls get
 * one `chat.completion` object with `usage`. Streaming calls (`"stream": true`) get Server-Sent
 * Events: a role chunk, the reply in word-sized content chunks, a chunk with `finish_reason`, then,
 * when the request asked for it with `stream_options.include_usage` (LangChain's ChatOpenAI, which
 * n8n's OpenAI Chat Model node uses, does), a last chunk with empty `choices` and `usage`, then
 * `data: [DONE]`.
 *
 * Every call it answers is recorded (`served()`, or `GET /_mock/served` over HTTP), so a test knows
 * exactly which token counts the model reported for which input. Requests need
 * `Authorization: Bearer <apiKey>` (401 otherwise, recorded too).
 *
 * CLI: `node --require tsx/cjs scripts/mock-model.cts [--port 8791] [--api-key <key>]`; it prints the
 * base URL to put into an n8n "OpenAI" credential.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** OpenAI's `usage` object. */
export interface ModelUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
}

/** One call the mock model answered. */
export interface ServedCall {
	/** Arrival order, from 1. */
	seq: number;
	path: string;
	/** HTTP status it answered with. */
	status: number;
	/** Whether the answer was an SSE stream. */
	stream: boolean;
	/** Whether the request asked for the usage chunk (`stream_options.include_usage`). */
	includeUsage: boolean;
	model?: string;
	/** The text of the last `user` message ('' when there is none). */
	userMessage: string;
	/** `answer` (text) or `tool_call` (a call of the named tool). */
	kind: 'answer' | 'tool_call';
	/** The tool called, for a `tool_call`. */
	tool?: string;
	reply: string;
	/** The usage the model reported (in the body, or in the stream's usage chunk). */
	usage: ModelUsage;
	/** Whether the reported usage actually reached the caller (false for a stream without include_usage). */
	usageSent: boolean;
}

/** A running mock model. */
export interface MockModel {
	/** `http://127.0.0.1:<port>/v1`: the base URL for an OpenAI client or n8n's OpenAI credential. */
	baseUrl: string;
	port: number;
	apiKey: string;
	/** Every call answered, in arrival order. */
	served(): ServedCall[];
	/** Forgets the recorded calls. */
	clear(): void;
	/**
	 * Answers the next `count` chat completion calls with HTTP `status` and an OpenAI-style error
	 * (recorded with that status and no usage), as a failing model service would.
	 */
	failNext(status: number, count?: number): void;
	/**
	 * An n8n credential (for `n8n import:credentials` / `startN8n({credentials})`) of type
	 * `openAiApi` that points n8n's OpenAI nodes at this mock.
	 */
	credential(id: string, name?: string): N8nImportCredential;
	stop(): Promise<void>;
}

/** A credential in `n8n import:credentials` form. */
export interface N8nImportCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** The reply the mock gives to a user message. */
export function mockReply(userMessage: string): string {
	return `Echo: ${userMessage}`;
}

/** The token counts the mock reports for a user message (see the file comment). */
export function mockUsage(userMessage: string): ModelUsage {
	const length = [...userMessage].length;
	const prompt = 31 + length;
	const completion = 217 + length;
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
	};
}

/** The text of a Chat Completions message content (a string, or an array of text parts). */
function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) =>
				part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
					? (part as { text: string }).text
					: '',
			)
			.join('');
	}
	return '';
}

/** The last `user` message of a Chat Completions request body. */
export function lastUserMessage(body: unknown): string {
	const messages = (body as { messages?: unknown } | undefined)?.messages;
	if (!Array.isArray(messages)) return '';
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i] as { role?: unknown; content?: unknown } | null;
		if (message && message.role === 'user') return contentText(message.content);
	}
	return '';
}

/** The marker that makes the mock call a tool (see the file comment). */
export const TOOL_MARKER = '[use a tool]';

/** The token counts the mock reports for a tool call made for a user message. */
export function mockToolCallUsage(userMessage: string): ModelUsage {
	const prompt = 31 + [...userMessage].length;
	return { prompt_tokens: prompt, completion_tokens: 19, total_tokens: prompt + 19 };
}

/** An OpenAI tool offered in a request. */
interface OfferedTool {
	type?: string;
	function?: { name?: string; parameters?: { properties?: Record<string, { type?: string }> } };
}

/** Arguments for a tool, made from its JSON schema: "6*7" for text, 1 for numbers, true for booleans. */
function toolArguments(tool: OfferedTool): string {
	const args: Record<string, unknown> = {};
	for (const [name, schema] of Object.entries(tool.function?.parameters?.properties ?? {})) {
		args[name] =
			schema?.type === 'number' || schema?.type === 'integer'
				? 1
				: schema?.type === 'boolean'
					? true
					: '6*7';
	}
	return JSON.stringify(args);
}

/** The tool to call for a request, when it asks for one (see the file comment). */
function toolToCall(body: Record<string, unknown>, userMessage: string): OfferedTool | undefined {
	const tools = Array.isArray(body.tools) ? (body.tools as OfferedTool[]) : [];
	const messages = body.messages as Array<{ role?: unknown }>;
	const last = messages[messages.length - 1];
	if (tools.length === 0 || last?.role !== 'user' || !userMessage.includes(TOOL_MARKER))
		return undefined;
	return typeof tools[0]?.function?.name === 'string' ? tools[0] : undefined;
}

/** The reply split into chunks the way a model streams: one word (with its leading space) each. */
export function replyChunks(reply: string): string[] {
	return reply.match(/\s*\S+/g) ?? [reply];
}

/** Starts the mock on 127.0.0.1 (a free port unless `port` is given). */
export async function startMockModel(
	options: { port?: number; apiKey?: string } = {},
): Promise<MockModel> {
	const apiKey = options.apiKey ?? `mock-${randomBytes(8).toString('hex')}`;
	const served: ServedCall[] = [];
	const sockets = new Set<Socket>();
	let seq = 0;
	let failures = { status: 0, count: 0 };

	const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
		const text = JSON.stringify(body);
		res
			.writeHead(status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(text),
			})
			.end(text);
	};

	function complete(path: string, body: Record<string, unknown>, res: http.ServerResponse): void {
		const userMessage = lastUserMessage(body);
		const tool = toolToCall(body, userMessage);
		const reply = tool ? '' : mockReply(userMessage);
		const usage = tool ? mockToolCallUsage(userMessage) : mockUsage(userMessage);
		const model = typeof body.model === 'string' ? body.model : 'mock-model';
		const stream = body.stream === true;
		const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
		const includeUsage = stream && streamOptions?.include_usage === true;
		const id = `chatcmpl-mock${++seq}`;
		const created = Math.floor(Date.now() / 1000);
		served.push({
			seq,
			path,
			status: 200,
			stream,
			includeUsage,
			model,
			userMessage,
			kind: tool ? 'tool_call' : 'answer',
			...(tool ? { tool: tool.function?.name } : {}),
			reply,
			usage,
			usageSent: !stream || includeUsage,
		});
		const toolCall = tool && {
			id: `call_mock${seq}`,
			type: 'function',
			function: { name: tool.function?.name as string, arguments: toolArguments(tool) },
		};
		if (!stream) {
			sendJson(res, 200, {
				id,
				object: 'chat.completion',
				created,
				model,
				choices: [
					toolCall
						? {
								index: 0,
								message: { role: 'assistant', content: null, tool_calls: [toolCall] },
								logprobs: null,
								finish_reason: 'tool_calls',
							}
						: {
								index: 0,
								message: { role: 'assistant', content: reply },
								logprobs: null,
								finish_reason: 'stop',
							},
				],
				usage,
			});
			return;
		}
		res.writeHead(200, {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache',
			connection: 'keep-alive',
		});
		const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
			`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
		const frames = [
			chunk([
				{
					index: 0,
					delta: { role: 'assistant', content: toolCall ? null : '' },
					finish_reason: null,
				},
			]),
		];
		if (toolCall) {
			const { name, arguments: args } = toolCall.function;
			frames.push(
				chunk([
					{
						index: 0,
						delta: {
							tool_calls: [
								{ index: 0, id: toolCall.id, type: 'function', function: { name, arguments: '' } },
							],
						},
						finish_reason: null,
					},
				]),
			);
			frames.push(
				chunk([
					{
						index: 0,
						delta: { tool_calls: [{ index: 0, function: { arguments: args } }] },
						finish_reason: null,
					},
				]),
			);
		} else {
			for (const piece of replyChunks(reply)) {
				frames.push(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
			}
		}
		frames.push(chunk([{ index: 0, delta: {}, finish_reason: toolCall ? 'tool_calls' : 'stop' }]));
		if (includeUsage) frames.push(chunk([], { usage }));
		frames.push('data: [DONE]\n\n');
		for (const frame of frames) res.write(frame);
		res.end();
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const method = req.method ?? 'GET';
			const path = new URL(req.url ?? '/', 'http://mock.invalid').pathname.replace(/\/+$/, '');
			if (path === '/_mock/served') {
				if (method === 'DELETE') {
					served.length = 0;
					res.writeHead(204).end();
				} else sendJson(res, 200, served);
				return;
			}
			const record = (status: number) =>
				served.push({
					seq: ++seq,
					path,
					status,
					stream: false,
					includeUsage: false,
					userMessage: '',
					kind: 'answer',
					reply: '',
					usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
					usageSent: false,
				});
			if (req.headers.authorization !== `Bearer ${apiKey}`) {
				record(401);
				sendJson(res, 401, {
					error: {
						message: 'Incorrect API key provided.',
						type: 'invalid_request_error',
						code: 'invalid_api_key',
					},
				});
				return;
			}
			if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
				sendJson(res, 200, {
					object: 'list',
					data: [{ id: 'mock-model', object: 'model', created: 0, owned_by: 'mock' }],
				});
				return;
			}
			if (method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
				record(404);
				sendJson(res, 404, {
					error: {
						message: `No route ${method} ${path} (this mock serves only chat completions).`,
						type: 'invalid_request_error',
					},
				});
				return;
			}
			if (failures.count > 0) {
				failures.count -= 1;
				record(failures.status);
				sendJson(res, failures.status, {
					error: { message: `Injected failure (HTTP ${failures.status}).`, type: 'server_error' },
				});
				return;
			}
			let body: unknown;
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				body = undefined;
			}
			if (
				!body ||
				typeof body !== 'object' ||
				!Array.isArray((body as { messages?: unknown }).messages)
			) {
				record(400);
				sendJson(res, 400, {
					error: {
						message: 'The body must be a JSON object with messages.',
						type: 'invalid_request_error',
					},
				});
				return;
			}
			complete(path, body as Record<string, unknown>, res);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const baseUrl = `http://127.0.0.1:${port}/v1`;
	return {
		baseUrl,
		port,
		apiKey,
		served: () => served.map((call) => ({ ...call, usage: { ...call.usage } })),
		clear() {
			served.length = 0;
		},
		failNext(status, count = 1) {
			failures = { status, count };
		},
		credential: (id, name = 'Mock model (OpenAI-compatible)') => ({
			id,
			name,
			type: 'openAiApi',
			data: { apiKey, url: baseUrl },
		}),
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Reads a running mock's record over HTTP (`GET <base>/_mock/served`; base with or without `/v1`). */
export async function fetchServed(baseUrl: string): Promise<ServedCall[]> {
	const root = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
	const response = await fetch(`${root}/_mock/served`);
	if (!response.ok) throw new Error(`mock model record: HTTP ${response.status}`);
	return (await response.json()) as ServedCall[];
}

if (require.main === module) {
	const arg = (name: string) => {
		const index = process.argv.indexOf(`--${name}`);
		return index > 0 ? process.argv[index + 1] : undefined;
	};
	startMockModel({ port: Number(arg('port') ?? 8791), apiKey: arg('api-key') }).then(
		(mock) =>
			process.stdout.write(
				`Mock chat model on ${mock.baseUrl} (API key ${mock.apiKey}); record at ${mock.baseUrl.replace(/\/v1$/, '')}/_mock/served\n`,
			),
		(error) => {
			process.stderr.write(`${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
