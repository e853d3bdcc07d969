/**
 * API-type products end to end in a real n8n 2.41.1 with this pack: the two example workflows
 * (workflows/koogallery-agent-openai.json, workflows/koogallery-apig-postgres.json) imported and
 * published as shipped, plus the agent workflow once more with its trigger in Streaming mode.
 *
 * - Agents gateway: the AI Agent's OpenAI Chat Model talks to a local OpenAI-compatible mock model
 *   (scripts/mock-model.cts) that reports known token counts. The simulator's agents plan passes
 *   synchronous and streaming; the billed `usage` equals exactly what the model reported; refused
 *   calls (tampered, expired, wrong-secret, unknown-key tokens) carry no usage, never reach the model
 *   and start no execution (n8n's execution list); the trigger's item carries the request and the
 *   gateway's X-Request-Id / X-Customer-* headers.
 * - APIG gateway: the simulator's apig plan passes; answers come from PostgreSQL (a changed row is
 *   answered changed); 2xx answers are billed and logged billed, 4xx not; refused calls start no
 *   execution and leave no row.
 *
 * - Queue mode (main, two webhook processes, two workers): the agent workflows pass the simulator
 *   through each webhook process, synchronous and streaming (SSE through Redis), each accepted call
 *   one execution run by a worker, refused calls none.
 *
 * Needs `npm run build`, PostgreSQL (`.ci/install-postgres`) and Redis (`.ci/install-redis`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { signAgentsToken } from '../../core/agents-token';
import { signApigRequest } from '../../core/aksk/sign';
import {
	mockReply,
	mockToolCallUsage,
	mockUsage,
	startMockModel,
	TOOL_MARKER,
	type MockModel,
} from '../../scripts/mock-model.cjs';
import { ensureN8n, installPack, n8nPackageDir } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { startQueueN8n, type QueueN8n } from '../../scripts/n8n-queue.cjs';
import { startPostgres, sqlLiteral as q, type PostgresServer } from '../../scripts/postgres.cjs';
import {
	customerHeaders,
	sendGateway,
	streamedText,
	usagesIn,
	type GatewayAnswer,
} from '../../simulator/gateway-client.cjs';
import { runAgents, runApig } from '../../simulator/gateway-scenarios.cjs';
import { waitFor, type Workflow } from './workflows-env.cjs';
import { expectAllPass } from './plans.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const APP = { key: 'e2e-agent-app-key-0001', secret: 'e2e-Agent-App-Secret-7f3a9c51' };
const SIGNATURE = { key: 'e2eApigSignKey01', secret: 'e2e-Apig-Sign-Secret-2b8d4f60' };
const AGENT_FILE = 'koogallery-agent-openai.json';
const APIG_FILE = 'koogallery-apig-postgres.json';
const API_TRIGGER = 'n8n-nodes-koogallery.kooGalleryApiTrigger';

const readShipped = (file: string) =>
	JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as Workflow & {
		nodes: Array<Workflow['nodes'][number] & { id: string }>;
	};
const triggerOf = (workflow: Workflow) => {
	const trigger = workflow.nodes.find((node) => node.type === API_TRIGGER);
	if (!trigger) throw new Error(`${workflow.name} has no KooGallery API Trigger`);
	return trigger;
};

/** The shipped agent workflow with its trigger in Streaming (流式) mode, as a seller would switch it. */
function streamingCopy(shipped: Workflow): Workflow {
	const copy = JSON.parse(JSON.stringify(shipped)) as Workflow;
	copy.id = 'KooGalleryAgentStrm';
	copy.name = `${shipped.name} (streaming)`;
	const trigger = triggerOf(copy);
	trigger.parameters = {
		...trigger.parameters,
		path: 'koogallery/agent-stream',
		responseMode: 'streaming',
	};
	trigger.webhookId = '8d3f4a10-2b6c-4e7d-9a1f-3c5b7e9d0a22';
	return copy;
}

/**
 * An agent workflow with a Calculator tool on its AI Agent: asked with the mock's tool marker, the
 * model is called twice per run (the tool call, then the answer).
 */
function withCalculator(
	workflow: Workflow,
	id: string,
	triggerPath: string,
	webhookId: string,
): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.id = id;
	copy.name = `${workflow.name} (with a tool)`;
	const trigger = triggerOf(copy);
	trigger.parameters = { ...trigger.parameters, path: triggerPath };
	trigger.webhookId = webhookId;
	copy.nodes.push({
		id: 'e2e-calculator-tool',
		name: 'Calculator',
		type: '@n8n/n8n-nodes-langchain.toolCalculator',
		typeVersion: 1,
		position: [420, 260],
		parameters: {},
	} as unknown as Workflow['nodes'][number]);
	(copy.connections as Record<string, unknown>).Calculator = {
		ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]],
	};
	return copy;
}

/** A copy of a workflow whose trigger checks a constant secret header (自主认证 / APIG constant parameter) instead. */
function withSecretHeader(
	workflow: Workflow,
	id: string,
	triggerPath: string,
	webhookId: string,
): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.id = id;
	copy.name = `${workflow.name} (secret header)`;
	const trigger = triggerOf(copy);
	trigger.parameters = { ...trigger.parameters, path: triggerPath };
	trigger.webhookId = webhookId;
	trigger.credentials = {
		kooGalleryGatewayApi: { id: 'kooGallerySecretHeader', name: 'KooGallery secret header' },
	};
	return copy;
}
/** The streaming agent workflow with the trigger's Stream Format option set (`n8n`: n8n's own JSON lines). */
function withStreamFormat(workflow: Workflow, streamFormat: string): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.id = 'KooGalleryAgentLines';
	copy.name = `${workflow.name} (n8n lines)`;
	const trigger = triggerOf(copy);
	trigger.parameters = {
		...trigger.parameters,
		path: 'koogallery/agent-lines',
		options: { streamFormat },
	};
	trigger.webhookId = '8d3f4a10-2b6c-4e7d-9a1f-3c5b7e9d0a26';
	return copy;
}
const SECRET_HEADER = { name: 'X-Seller-Token', value: 'e2e-Seller-Header-Value-93c1e7a5b2' };

jest.setTimeout(180_000);

describe('API products (Agents and APIG gateways) in a real n8n', () => {
	const agent = readShipped(AGENT_FILE);
	const apig = readShipped(APIG_FILE);
	const agentStream = streamingCopy(agent);
	const agentTool = withCalculator(
		agent,
		'KooGalleryAgentTool',
		'koogallery/agent-tool',
		'8d3f4a10-2b6c-4e7d-9a1f-3c5b7e9d0a23',
	);
	const agentLines = withStreamFormat(agentStream, 'n8n');
	const agentHeader = withSecretHeader(
		agent,
		'KooGalleryAgentHdr',
		'koogallery/agent-header',
		'8d3f4a10-2b6c-4e7d-9a1f-3c5b7e9d0a25',
	);
	const apigHeader = withSecretHeader(
		apig,
		'KooGalleryApigHdr',
		'koogallery/api/items-header',
		'5e2a7c91-4d3b-4f8a-b6e0-1a9c3d5f7b43',
	);
	const agentStreamTool = withCalculator(
		agentStream,
		'KooGalleryAgentStrTool',
		'koogallery/agent-stream-tool',
		'8d3f4a10-2b6c-4e7d-9a1f-3c5b7e9d0a24',
	);
	let model: MockModel;
	let pg: PostgresServer;
	let n8n: N8nHandle;
	let userFolder: string;
	let flatted: { parse(text: string): any };
	const url = (workflow: Workflow) =>
		`${n8n.baseUrl}/webhook/${String(triggerOf(workflow).parameters.path)}`;
	const executionCount = async (workflowId: string) =>
		(await n8n.listExecutions(workflowId)).length;
	/**
	 * The run data of the execution a call started, once it has finished. n8n answers from the
	 * respond node before it finishes and saves the execution, so wait for it: `before` is the
	 * workflow's execution count before the call.
	 */
	const runDataOfCall = async (
		workflowId: string,
		before: number,
	): Promise<Record<string, any[]>> => {
		const rows = await n8n.waitForExecutions(before + 1, { workflowId, timeoutMs: 60_000 });
		const last = rows.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
		await waitFor(`execution ${last.id} to finish`, async () =>
			(await n8n.listExecutions(workflowId)).find(
				(run) => run.id === last.id && run.stoppedAt !== null,
			)
				? true
				: undefined,
		);
		const [row] = await n8n.query('SELECT data FROM execution_data WHERE executionId = ?', [
			Number(last.id),
		]);
		return flatted.parse(String(row.data)).resultData.runData as Record<string, any[]>;
	};
	const agentCall = (
		target: string,
		input: string,
		auth: Record<string, string>,
		headers = customerHeaders(),
	) =>
		sendGateway({
			method: 'POST',
			url: target,
			headers: { 'Content-Type': 'application/json', ...headers, ...auth },
			body: JSON.stringify({ input }),
		});
	const token = (overrides: Partial<Parameters<typeof signAgentsToken>[0]> = {}) => {
		const now = Date.now();
		return signAgentsToken({
			appKey: APP.key,
			appSecret: APP.secret,
			timestampMs: now,
			exp: now + 300_000,
			...overrides,
		});
	};

	beforeAll(async () => {
		const install = await ensureN8n();
		flatted = require(path.join(path.dirname(n8nPackageDir(install)), 'flatted')) as typeof flatted;
		model = await startMockModel();
		pg = await startPostgres();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-gateway-e2e-'));
		installPack(userFolder);
		n8n = await startN8n({
			userFolder,
			workflows: [
				agent,
				agentStream,
				agentLines,
				agentTool,
				agentStreamTool,
				agentHeader,
				apig,
				apigHeader,
			],
			credentials: [
				{
					id: 'kooGalleryAgentKey',
					name: 'KooGallery Agent APP Key',
					type: 'kooGalleryGatewayApi',
					data: { authType: 'appKey', appKey: APP.key, appSecret: APP.secret },
				},
				{
					id: 'kooGalleryApigKey',
					name: 'KooGallery APIG Signature Key',
					type: 'kooGalleryGatewayApi',
					data: {
						authType: 'signatureKey',
						signatureKey: SIGNATURE.key,
						signatureSecret: SIGNATURE.secret,
					},
				},
				{
					id: 'kooGallerySecretHeader',
					name: 'KooGallery secret header',
					type: 'kooGalleryGatewayApi',
					data: {
						authType: 'header',
						headerName: SECRET_HEADER.name,
						headerSecret: SECRET_HEADER.value,
					},
				},
				model.credential('koogalleryOpenAi', 'OpenAI account'),
				pg.n8nCredential('koogalleryPostgres', 'KooGallery PostgreSQL'),
			],
		});
		await waitFor(
			'the tables koogallery_api_items and koogallery_api_calls',
			() => {
				const tables = pg
					.rows<{ name: string }>(
						"SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
					)
					.map((r) => r.name);
				return tables.includes('koogallery_api_items') && tables.includes('koogallery_api_calls')
					? true
					: undefined;
			},
			60_000,
		);
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		pg?.stop();
		await model?.stop();
		if (userFolder && !process.env.KEEP_N8N_FOLDER)
			fs.rmSync(userFolder, { recursive: true, force: true });
	}, 120_000);

	describe('as shipped', () => {
		it.each([
			[AGENT_FILE, 'agents'],
			[APIG_FILE, 'apig'],
		])(
			'%s: published, a KooGallery API Trigger for the %s gateway with its credential, set-up notes',
			async (file, gateway) => {
				const shipped = readShipped(file);
				expect(n8n.workflowIds).toContain(shipped.id);
				const trigger = triggerOf(shipped);
				expect(trigger.parameters.gateway).toBe(gateway);
				expect(trigger.webhookId).toMatch(/^[0-9a-f-]{36}$/);
				expect(Object.keys(trigger.credentials ?? {})).toEqual(['kooGalleryGatewayApi']);
				const notes = shipped.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
				expect(notes.length).toBeGreaterThanOrEqual(2);
				expect(String(notes[0].parameters.content)).toMatch(/Set up, once/);
				expect(shipped.settings.errorWorkflow).toBe('KooGalleryAlerts');
				expect(
					(await n8n.listExecutions(shipped.id)).filter((run) => run.status === 'crashed'),
				).toEqual([]);
			},
		);

		it('the agent uses the Chat Completions API (which OpenAI-compatible services offer), not the Responses API', () => {
			const chatModel = agent.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi');
			expect(chatModel?.parameters.responsesApiEnabled).toBe(false);
		});

		it('the APIG workflow creates its tables with exactly the SQL shipped in workflows/sql/', () => {
			const create = apig.nodes.find((n) => n.name === 'Create the tables');
			expect(create?.parameters.query).toBe(
				fs.readFileSync(
					path.join(REPO_ROOT, 'workflows', 'sql', 'koogallery-apig-postgres.sql'),
					'utf8',
				),
			);
		});
	});

	describe('Agents gateway: an AI Agent with an OpenAI chat model', () => {
		it('passes the simulator synchronously, billing what the model reported', async () => {
			expectAllPass(
				await runAgents(url(agent), {
					appKey: APP.key,
					appSecret: APP.secret,
					modelRecord: async () => model.served(),
					probe: true,
				}),
				11,
			);
		});

		it('passes the simulator streaming: usage once, in the last event', async () => {
			expectAllPass(
				await runAgents(url(agentStream), {
					appKey: APP.key,
					appSecret: APP.secret,
					modelRecord: async () => model.served(),
					stream: true,
				}),
				10,
			);
		});

		it("passes the simulator streaming in n8n's own line format (Stream Format: n8n Lines)", async () => {
			const results = await runAgents(url(agentLines), {
				appKey: APP.key,
				appSecret: APP.secret,
				modelRecord: async () => model.served(),
				stream: true,
			});
			expectAllPass(results, 10);
			const input = 'n8n lines';
			const answer = await agentCall(url(agentLines), input, {
				Authorization: `Bearer ${token()}`,
			});
			expect(answer.headers['content-type']).toMatch(/^application\/json/);
			expect(answer.text).not.toContain('data:');
			expect([usagesIn(answer), streamedText(answer.events ?? [])]).toEqual([
				[mockUsage(input)],
				mockReply(input),
			]);
		});

		it('passes the simulator with self-managed auth (自主认证): the constant header, a wrong or missing one refused', async () => {
			expectAllPass(
				await runAgents(url(agentHeader), {
					secretHeader: SECRET_HEADER,
					modelRecord: async () => model.served(),
				}),
				3,
			);
		});

		it('bills exactly the tokens the model reported; the trigger item carries the body and the gateway headers', async () => {
			const input = 'Bill me exactly: 你好, KooGallery 😀';
			const headers = customerHeaders();
			const before = await executionCount(agent.id);
			const answer = await agentCall(
				url(agent),
				input,
				{ Authorization: `Bearer ${token()}` },
				headers,
			);
			expect(answer.status).toBe(200);
			expect(answer.json).toEqual({ data: mockReply(input), usage: mockUsage(input) });
			const served = model.served().filter((call) => call.userMessage === input);
			expect(served.map((call) => [call.stream, call.usage])).toEqual([[false, mockUsage(input)]]);

			const data = await runDataOfCall(agent.id, before);
			const item = data['KooGallery API Trigger'][0].data.main[0][0].json;
			expect(item.input).toBe(input);
			expect(item.koogallery).toMatchObject({
				gateway: 'agents',
				requestId: headers['X-Request-Id'],
				customerId: headers['X-Customer-Id'],
				customerName: headers['X-Customer-Name'],
				apiKey: APP.key,
			});
			// The token itself is never kept in the execution.
			expect(JSON.stringify(item)).not.toContain(token().split('.')[0] + '.');
		});

		it('streams the model reply, then the usage the model reported as the last event', async () => {
			const input = 'Stream and bill: 流式';
			const answer = await agentCall(url(agentStream), input, {
				Authorization: `Bearer ${token()}`,
			});
			expect(answer.status).toBe(200);
			expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
			const usages = usagesIn(answer);
			expect(usages).toEqual([mockUsage(input)]);
			expect(usagesIn({ ...answer, events: answer.events?.slice(-1) })).toEqual([mockUsage(input)]);
			const served = model.served().filter((call) => call.userMessage === input);
			expect(served.map((call) => [call.stream, call.includeUsage, call.usage])).toEqual([
				[true, true, mockUsage(input)],
			]);
			expect(streamedText(answer.events ?? [])).toBe(mockReply(input));
		});

		it('an agent that uses a tool calls the model twice and bills the sum of both calls', async () => {
			const input = `What is 6*7? ${TOOL_MARKER}`;
			const before = await executionCount(agentTool.id);
			const answer = await agentCall(url(agentTool), input, { Authorization: `Bearer ${token()}` });
			const served = model.served().filter((call) => call.userMessage === input);
			expect(served.map((call) => [call.kind, call.tool, call.usage])).toEqual([
				['tool_call', 'Calculator', mockToolCallUsage(input)],
				['answer', undefined, mockUsage(input)],
			]);
			const sum = (field: 'prompt_tokens' | 'completion_tokens' | 'total_tokens') =>
				mockToolCallUsage(input)[field] + mockUsage(input)[field];
			expect([answer.status, answer.json]).toEqual([
				200,
				{
					data: mockReply(input),
					usage: {
						completion_tokens: sum('completion_tokens'),
						prompt_tokens: sum('prompt_tokens'),
						total_tokens: sum('total_tokens'),
					},
				},
			]);
			const data = await runDataOfCall(agentTool.id, before);
			expect(data.Calculator?.length).toBe(1);
		});

		it('streaming, an agent that uses a tool sends the sum of both model calls once, in the last event', async () => {
			const input = `Stream 6*7 ${TOOL_MARKER}`;
			const answer = await agentCall(url(agentStreamTool), input, {
				Authorization: `Bearer ${token()}`,
			});
			const served = model.served().filter((call) => call.userMessage === input);
			expect(served.map((call) => [call.kind, call.stream, call.includeUsage])).toEqual([
				['tool_call', true, true],
				['answer', true, true],
			]);
			const sum = (field: 'prompt_tokens' | 'completion_tokens' | 'total_tokens') =>
				mockToolCallUsage(input)[field] + mockUsage(input)[field];
			const expected = {
				completion_tokens: sum('completion_tokens'),
				prompt_tokens: sum('prompt_tokens'),
				total_tokens: sum('total_tokens'),
			};
			expect(answer.status).toBe(200);
			expect(usagesIn(answer)).toEqual([expected]);
			expect(usagesIn({ ...answer, events: answer.events?.slice(-1) })).toEqual([expected]);
			expect(streamedText(answer.events ?? [])).toBe(mockReply(input));
		});

		it('when the model fails, answers 502 without usage (not billed); streaming, an error event without usage', async () => {
			model.failNext(400, 3);
			const failed = await agentCall(url(agent), 'the model fails', {
				Authorization: `Bearer ${token()}`,
			});
			model.failNext(400, 3);
			const streamed = await agentCall(url(agentStream), 'the model fails while streaming', {
				Authorization: `Bearer ${token()}`,
			});
			model.failNext(0, 0);
			expect([failed.status, failed.json]).toEqual([
				502,
				{
					error: {
						code: 'model_unavailable',
						message: 'The assistant could not answer right now. Please try again later.',
					},
				},
			]);
			// The stream had started (200) before the model failed: the error goes in its last event.
			expect(streamed.status).toBe(200);
			expect(streamed.text).not.toContain('"usage"');
			expect(streamed.events?.[streamed.events.length - 1]).toEqual({
				error: {
					code: 'model_unavailable',
					message: 'The assistant could not answer right now. Please try again later.',
				},
			});
		});

		it('refuses tampered, expired, wrong-secret and unknown-key tokens: no usage, no model call, no execution', async () => {
			const before = {
				sync: (await n8n.listExecutions(agent.id)).length,
				stream: (await n8n.listExecutions(agentStream.id)).length,
				served: model.served().length,
			};
			const now = Date.now();
			const [head, , signature] = token().split('.');
			const forged = Buffer.from(
				JSON.stringify({ api_key: APP.key, exp: now + 3_600_000, timestamp: now + 5 }),
			).toString('base64url');
			const refusals: Record<string, Record<string, string>> = {
				'no token': {},
				tampered: { Authorization: `Bearer ${head}.${forged}.${signature}` },
				expired: {
					Authorization: `Bearer ${token({ timestampMs: now - 600_000, exp: now - 300_000 })}`,
				},
				'wrong secret': {
					Authorization: `Bearer ${signAgentsToken({ appKey: APP.key, appSecret: 'not-the-secret', timestampMs: now, exp: now + 300_000 })}`,
				},
				'unknown key': {
					Authorization: `Bearer ${signAgentsToken({ appKey: 'someone-else', appSecret: APP.secret, timestampMs: now, exp: now + 300_000 })}`,
				},
			};
			const answers: Array<[string, string, number, number]> = [];
			for (const workflow of [agent, agentStream]) {
				for (const [label, auth] of Object.entries(refusals)) {
					const answer: GatewayAnswer = await agentCall(url(workflow), `refused ${label}`, auth);
					answers.push([
						workflow.id,
						label,
						answer.status,
						usagesIn(answer).length + (answer.text.includes('"usage"') ? 1 : 0),
					]);
				}
			}
			expect(answers).toEqual(
				[agent, agentStream].flatMap((w) =>
					Object.keys(refusals).map((label) => [w.id, label, 401, 0]),
				),
			);
			// One accepted call per workflow afterwards: when it has finished, the refused ones would have too.
			for (const workflow of [agent, agentStream]) {
				expect(
					(
						await agentCall(url(workflow), 'accepted after refusals', {
							Authorization: `Bearer ${token()}`,
						})
					).status,
				).toBe(200);
			}
			await n8n.waitForExecutions(before.sync + 1, { workflowId: agent.id, timeoutMs: 60_000 });
			await n8n.waitForExecutions(before.stream + 1, {
				workflowId: agentStream.id,
				timeoutMs: 60_000,
			});
			// Every execution these calls started, finished or not: only the accepted one.
			expect((await n8n.listExecutions(agent.id)).length).toBe(before.sync + 1);
			expect((await n8n.listExecutions(agentStream.id)).length).toBe(before.stream + 1);
			expect(
				model
					.served()
					.slice(before.served)
					.map((call) => call.userMessage),
			).toEqual(['accepted after refusals', 'accepted after refusals']);
		});
	});

	describe('APIG gateway: an API answered from PostgreSQL', () => {
		const item = (code: string) =>
			pg.rows<{ name: string }>(`SELECT name FROM koogallery_api_items WHERE code = ${q(code)}`)[0];
		const calls = () =>
			pg.rows<{ code: string; billed: boolean; execution_id: string }>(
				'SELECT code, billed, execution_id FROM koogallery_api_calls ORDER BY id',
			);
		const signedPost = (
			body: string,
			sign: { sk?: string; date?: Date; signedBody?: string } = {},
		) => {
			const headers: Record<string, string> = { 'Content-Type': 'application/json' };
			const signed = signApigRequest({
				method: 'POST',
				url: url(apig),
				headers,
				body: sign.signedBody ?? body,
				ak: SIGNATURE.key,
				sk: sign.sk ?? SIGNATURE.secret,
				date: sign.date,
			});
			for (const [name, value] of Object.entries(signed.headers))
				if (name !== 'host') headers[name] = value;
			return sendGateway({ method: 'POST', url: url(apig), headers, body });
		};

		it('passes the simulator: served 2xx (billed), unknown code 404 and refusals not billed', async () => {
			expectAllPass(
				await runApig(url(apig), {
					ak: SIGNATURE.key,
					sk: SIGNATURE.secret,
					body: '{"code":"KG-001"}',
					notFoundBody: '{"code":"KG-404"}',
					check: (answer) =>
						answer.json?.name === item('KG-001').name
							? undefined
							: `not the database row: ${answer.text}`,
				}),
				7,
			);
		});

		it('passes the simulator with a constant backend header instead of a signature key', async () => {
			expectAllPass(
				await runApig(url(apigHeader), {
					secretHeader: SECRET_HEADER,
					body: '{"code":"KG-001"}',
					notFoundBody: '{"code":"KG-404"}',
				}),
				3,
			);
		});

		it('answers from the database: a changed row is answered changed, by POST and by signed GET', async () => {
			pg.sql(
				"UPDATE koogallery_api_items SET name = 'Cloud backup 1 TB (renamed)' WHERE code = 'KG-002'",
			);
			const posted = await signedPost('{"code":"KG-002"}');
			expect([posted.status, posted.json]).toEqual([
				200,
				expect.objectContaining({
					code: 'KG-002',
					name: 'Cloud backup 1 TB (renamed)',
					priceCents: 29900,
					currency: 'CNY',
				}),
			]);
			const getUrl = `${url(apig)}?code=KG-003`;
			const signed = signApigRequest({
				method: 'GET',
				url: getUrl,
				headers: {},
				ak: SIGNATURE.key,
				sk: SIGNATURE.secret,
			});
			const headers = Object.fromEntries(
				Object.entries(signed.headers).filter(([name]) => name !== 'host'),
			);
			const got = await sendGateway({ method: 'GET', url: getUrl, headers });
			expect([got.status, got.json?.name]).toEqual([200, item('KG-003').name]);
		});

		it('logs 2xx answers as billed and 4xx as not; refused calls start no execution and leave no row', async () => {
			const before = { runs: (await n8n.listExecutions(apig.id)).length, rows: calls().length };
			const refused = [
				await sendGateway({
					method: 'POST',
					url: url(apig),
					headers: { 'Content-Type': 'application/json' },
					body: '{"code":"KG-001"}',
				}),
				await signedPost('{"code":"KG-001"}', { date: new Date(Date.now() - 20 * 60_000) }),
				await signedPost('{"code":"KG-001","x":1}', { signedBody: '{"code":"KG-001"}' }),
				await signedPost('{"code":"KG-001"}', { sk: 'not-the-secret' }),
			];
			expect(refused.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
			expect((await signedPost('{"code":"KG-001"}')).status).toBe(200);
			expect((await signedPost('{"code":"NOPE"}')).status).toBe(404);
			await n8n.waitForExecutions(before.runs + 2, { workflowId: apig.id, timeoutMs: 60_000 });
			expect((await n8n.listExecutions(apig.id)).length).toBe(before.runs + 2);
			expect(
				calls()
					.slice(before.rows)
					.map((row) => [row.code, row.billed]),
			).toEqual([
				['KG-001', true],
				['NOPE', false],
			]);
		});
	});
	it("keeps no secret: n8n's log and the saved executions hold no APP Secret, signature secret, header value or gateway credential", async () => {
		const secrets = [APP.secret, SIGNATURE.secret, SECRET_HEADER.value, model.apiKey];
		const logs = n8n.logs();
		expect(secrets.filter((secret) => logs.includes(secret))).toEqual([]);
		const rows = await n8n.query('SELECT executionId, data FROM execution_data');
		expect(rows.length).toBeGreaterThan(20);
		const tokenHeader = token().split('.')[0];
		for (const row of rows) {
			const data = String(row.data);
			const found = [...secrets, tokenHeader, 'SDK-HMAC-SHA256'].filter((secret) =>
				data.includes(secret),
			);
			expect([row.executionId, found]).toEqual([row.executionId, []]);
		}
	});
});

/**
 * The same agent workflows in n8n's queue mode (scripts/n8n-queue.cts: main, two webhook processes,
 * two workers, Redis, PostgreSQL): the trigger runs in a webhook process, the AI Agent and the
 * respond node on a worker, and the streamed chunks travel back through Redis to the webhook
 * process, which frames them as SSE. Needs `.ci/install-redis` too.
 */
describe('the agent workflows in queue mode (webhook processes and workers)', () => {
	const agent = readShipped(AGENT_FILE);
	const agentStream = streamingCopy(agent);
	const paths = [agent, agentStream].map((workflow) => String(triggerOf(workflow).parameters.path));
	let model: MockModel;
	let n8n: QueueN8n;
	const token = () => {
		const now = Date.now();
		return signAgentsToken({
			appKey: APP.key,
			appSecret: APP.secret,
			timestampMs: now,
			exp: now + 300_000,
		});
	};

	beforeAll(async () => {
		model = await startMockModel();
		n8n = await startQueueN8n({
			workflows: [agent, agentStream],
			webhookPaths: paths,
			credentials: [
				{
					id: 'kooGalleryAgentKey',
					name: 'KooGallery Agent APP Key',
					type: 'kooGalleryGatewayApi',
					data: { authType: 'appKey', appKey: APP.key, appSecret: APP.secret },
				},
				model.credential('koogalleryOpenAi', 'OpenAI account'),
			],
		});
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await model?.stop();
	}, 180_000);

	it.each([0, 1])(
		'webhook process %i: the simulator passes, sync and streaming, billing what the model reported',
		async (index) => {
			const base = `${n8n.webhooks[index].baseUrl}/webhook`;
			const options = {
				appKey: APP.key,
				appSecret: APP.secret,
				modelRecord: async () => model.served(),
			};
			expectAllPass(await runAgents(`${base}/${paths[0]}`, options), 10);
			expectAllPass(await runAgents(`${base}/${paths[1]}`, { ...options, stream: true }), 10);
		},
	);

	it('every accepted call ran on a worker: one execution each, refused calls none', async () => {
		const input = 'queue mode: exact bill';
		const answer = await sendGateway({
			method: 'POST',
			url: `${n8n.webhooks[0].baseUrl}/webhook/${paths[1]}`,
			headers: {
				'Content-Type': 'application/json',
				Authorization: `Bearer ${token()}`,
				...customerHeaders(),
			},
			body: JSON.stringify({ input }),
		});
		expect([answer.status, usagesIn(answer), streamedText(answer.events ?? [])]).toEqual([
			200,
			[mockUsage(input)],
			mockReply(input),
		]);
		// Two simulator runs per webhook process, two accepted calls in each, plus this one.
		const accepted = model.served().filter((call) => call.status === 200).length;
		expect(accepted).toBe(2 * 2 * 2 + 1);
		await waitFor(
			`${accepted} finished executions`,
			() =>
				n8n.listExecutions().filter((run) => run.stoppedAt !== null).length >= accepted
					? true
					: undefined,
			60_000,
		);
		const runs = n8n.listExecutions();
		expect(runs.length).toBe(accepted);
		expect(runs.filter((run) => run.status !== 'success')).toEqual([]);
		// Each queued by one webhook process and run by one worker.
		const count = (text: string, id: string, what: string) =>
			text.split('\n').filter((line) => line.includes(`${what} ${id} (job `)).length;
		for (const run of runs) {
			const ran = n8n.workers.reduce(
				(sum, worker) => sum + count(worker.logs(), run.id, 'Worker started execution'),
				0,
			);
			const queued = n8n.webhooks.reduce(
				(sum, webhook) => sum + count(webhook.logs(), run.id, 'Enqueued execution'),
				0,
			);
			expect([run.id, ran, queued]).toEqual([run.id, 1, 1]);
		}
	});
});
