/**
 * The test plans for API-type products (docs/protocol/koogallery-agents-apig.md): KooGallery's Agents
 * gateway (Agents网关) and Huawei's APIG gateway (APIG网关) calling the seller's backend.
 *
 * Agents: calls carry the gateway's HS256 token (or the seller's constant header) and the
 * `X-Request-Id` / `X-Customer-*` headers. An accepted call must be answered 2xx with a top-level
 * `usage` object (synchronous) or with a stream whose last event carries `usage` once; when the
 * model's record is available, `usage` must equal exactly what the model reported for that call.
 * Refused calls (no, tampered, expired, wrong-secret, unknown-key tokens...) must be answered
 * non-2xx, carry no `usage`, and never reach the model.
 *
 * APIG: calls signed with the API's signature key (`SDK-HMAC-SHA256`) or a constant header. A
 * served call is billed (2xx); refused calls (unsigned, stale `X-Sdk-Date`, tampered body, wrong
 * secret, unknown key) must not be (non-2xx).
 */
import { randomUUID } from 'node:crypto';

import { signAgentsToken } from '../core/agents-token';
import { formatSdkDate } from '../core/aksk/date';
import { signApigRequest } from '../core/aksk/sign';
import { isBilledStatus } from '../core/gateway-usage';
import type { CaseResult } from './checks.cjs';
import {
	customerHeaders,
	sendGateway,
	streamedText,
	usagesIn,
	type BilledUsage,
	type GatewayAnswer,
	type GatewayCall,
} from './gateway-client.cjs';

/** What the model reported for one call: its user message and its usage. */
export interface ModelReport {
	userMessage: string;
	reply?: string;
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** A constant header the gateway adds to every call (自主认证 / APIG backend parameter). */
export interface SecretHeader {
	name: string;
	value: string;
}

export interface AgentsPlanOptions {
	/** The APP Key and APP Secret registered for the agent (AK/SK认证). */
	appKey?: string;
	appSecret?: string;
	/** Self-managed auth (自主认证) instead: the constant header and its value. */
	secretHeader?: SecretHeader;
	/** The header the token travels in; default `Authorization`. */
	tokenHeader?: string;
	/** The agent is registered for streaming (流式); default synchronous (同步). */
	stream?: boolean;
	/** Reads what the model reported so far (the mock model's record); without it usage is only checked for shape. */
	modelRecord?: () => Promise<ModelReport[]>;
	/** Also play the console's connectivity probe (校验后端服务): a GET without credentials, answered 2xx without usage. */
	probe?: boolean;
	timeoutMs?: number;
}

export interface ApigPlanOptions {
	/** The signature key bound to the API (签名密钥): key and secret. */
	ak?: string;
	sk?: string;
	/** Or a constant backend header. With neither, only the billing of the served call is checked. */
	secretHeader?: SecretHeader;
	/** The body of a call the backend serves (2xx, billed); default `{"input":"hello"}`. */
	body?: string;
	/** A body the backend answers with a 4xx (not billed), e.g. an unknown id; optional. */
	notFoundBody?: string;
	/** Extra check of the served answer, e.g. that it holds the database's row. */
	check?: (answer: GatewayAnswer) => string | undefined;
	timeoutMs?: number;
}

/** Collects case results in order. */
class Results {
	readonly list: CaseResult[] = [];

	add(
		name: string,
		scenario: string,
		answer: GatewayAnswer,
		problem: string | undefined,
		note = '',
	): boolean {
		this.list.push({
			name,
			scenario,
			pass: problem === undefined,
			detail: problem ?? note,
			ms: answer.ms,
		});
		return problem === undefined;
	}
}

const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Problems with the `usage` object itself: three whole token counts, total = prompt + completion. */
function usageShape(usage: BilledUsage): string | undefined {
	for (const field of ['prompt_tokens', 'completion_tokens', 'total_tokens']) {
		if (!isCount(usage[field]))
			return `usage.${field} is ${JSON.stringify(usage[field])}, not a whole number`;
	}
	if (
		(usage.prompt_tokens as number) + (usage.completion_tokens as number) !==
		usage.total_tokens
	) {
		return `usage.total_tokens ${String(usage.total_tokens)} is not prompt + completion`;
	}
	return undefined;
}

/** The model's reports for one input (the calls whose user message contains it), summed. */
export function reportedUsage(
	record: ModelReport[],
	input: string,
): ModelReport['usage'] | undefined {
	const calls = record.filter((call) => call.userMessage.includes(input));
	if (calls.length === 0) return undefined;
	return calls.reduce(
		(sum, call) => ({
			prompt_tokens: sum.prompt_tokens + call.usage.prompt_tokens,
			completion_tokens: sum.completion_tokens + call.usage.completion_tokens,
			total_tokens: sum.total_tokens + call.usage.total_tokens,
		}),
		{ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
	);
}

/**
 * Problems with an answer the gateway bills: 2xx; synchronous: a JSON body with a top-level
 * `usage`; streaming: events, exactly one carrying `usage`, and that one last (n8n's begin/end
 * markers aside). The usage must be
 * well formed and, when `expected` is given, equal to it field for field.
 */
export function billedProblem(
	answer: GatewayAnswer,
	stream: boolean,
	expected?: ModelReport['usage'],
): string | undefined {
	if (answer.status === 0) return `no answer: ${answer.text}`;
	if (!isBilledStatus(answer.status)) return `HTTP ${answer.status}: ${answer.text.slice(0, 160)}`;
	const usages = usagesIn(answer);
	if (stream) {
		if (!answer.events) return `not a stream: ${answer.text.slice(0, 160)}`;
		if (usages.length !== 1)
			return `${usages.length} events carry usage; the final usage must be sent once`;
		const last = contentEvents(answer.events).pop();
		if (usagesIn({ ...answer, events: [last] }).length !== 1)
			return 'usage is not in the last event';
	} else {
		if (!answer.json) return `the body is not a JSON object: ${answer.text.slice(0, 160)}`;
		if (usages.length !== 1) return 'no top-level usage object';
	}
	const usage = usages[0];
	const shape = usageShape(usage);
	if (shape) return shape;
	if (expected) {
		for (const field of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) {
			if (usage[field] !== expected[field]) {
				return `usage.${field} is ${String(usage[field])}; the model reported ${expected[field]}`;
			}
		}
	}
	return undefined;
}

/** A stream's events without n8n's `begin` / `end` markers (its own line format sends them around every node's chunks). */
export function contentEvents(events: unknown[]): unknown[] {
	return events.filter((event) => {
		const type = (event as { type?: unknown } | null)?.type;
		return !(type === 'begin' || type === 'end');
	});
}

/** Problems with a refused call: answered, not 2xx, and no `usage` anywhere in it. */
export function refusedProblem(answer: GatewayAnswer): string | undefined {
	if (answer.status === 0) return `no answer: ${answer.text}`;
	if (isBilledStatus(answer.status))
		return `HTTP ${answer.status}: accepted (and billed) instead of refused`;
	if (usagesIn(answer).length > 0 || /"usage"/.test(answer.text))
		return `HTTP ${answer.status} but the answer carries usage`;
	return undefined;
}

/** A unique input text for one call, so the model's record can be matched to it. */
const uniqueInput = (label: string) => `sim ${label} ${randomUUID().slice(0, 8)}`;

/** Plays the Agents gateway against `url`. */
export async function runAgents(url: string, options: AgentsPlanOptions): Promise<CaseResult[]> {
	const results = new Results();
	const stream = options.stream === true;
	const tokenHeader = options.tokenHeader ?? 'Authorization';
	const jwt = options.secretHeader === undefined;
	if (jwt && (!options.appKey || !options.appSecret))
		throw new Error('The Agents plan needs the APP Key and APP Secret, or a secret header.');
	const appKey = options.appKey ?? '';
	const appSecret = options.appSecret ?? '';

	const token = (overrides: Partial<Parameters<typeof signAgentsToken>[0]> = {}) => {
		const now = Date.now();
		return signAgentsToken({
			appKey,
			appSecret,
			timestampMs: now,
			exp: now + 300_000,
			...overrides,
		});
	};
	const call = (input: string, auth: Record<string, string>): Promise<GatewayAnswer> =>
		sendGateway(
			{
				method: 'POST',
				url,
				headers: {
					'Content-Type': 'application/json',
					...(stream ? { Accept: 'text/event-stream' } : {}),
					...customerHeaders(),
					...auth,
				},
				body: JSON.stringify({ input }),
			},
			options.timeoutMs,
		);
	const goodAuth = (): Record<string, string> =>
		jwt
			? { [tokenHeader]: `Bearer ${token()}` }
			: {
					[(options.secretHeader as SecretHeader).name]: (options.secretHeader as SecretHeader)
						.value,
				};
	const record = async () => (options.modelRecord ? await options.modelRecord() : undefined);

	const accepted = async (name: string, auth: Record<string, string>) => {
		const input = uniqueInput(name);
		const answer = await call(input, auth);
		const served = await record();
		const expected = served ? reportedUsage(served, input) : undefined;
		let problem = served && !expected ? 'the model was never called for this input' : undefined;
		problem ??= billedProblem(answer, stream, expected);
		const usage = usagesIn(answer)[0];
		let note = usage
			? `billed ${String(usage.prompt_tokens)} in / ${String(usage.completion_tokens)} out`
			: '';
		note += expected ? ', equal to what the model reported' : ', not compared (no model record)';
		if (stream && answer.events)
			note += `; ${answer.events.length} events, text ${JSON.stringify(streamedText(answer.events).slice(0, 60))}`;
		results.add(name, stream ? 'stream' : 'sync', answer, problem, note);
	};
	const refused = async (name: string, auth: Record<string, string>) => {
		const input = uniqueInput(name);
		const answer = await call(input, auth);
		let problem = refusedProblem(answer);
		const served = await record();
		if (!problem && served && served.some((c) => c.userMessage.includes(input)))
			problem = 'refused, but the model was called for it';
		results.add(name, 'security', answer, problem, `HTTP ${answer.status}, no usage`);
	};

	if (jwt) {
		await accepted('Signed call (Authorization: Bearer <token>)', goodAuth());
		const now = Date.now();
		await accepted('Raw token, java-jwt header, exp in seconds', {
			[tokenHeader]: token({
				header: { typ: 'JWT', alg: 'HS256', sign_type: 'SIGN' },
				exp: Math.floor(now / 1000) + 300,
			}),
		});
		await refused('Refuses a call without a token', {});
		const [head, payload, signature] = token().split('.');
		const forged = Buffer.from(
			JSON.stringify({ api_key: appKey, exp: Date.now() + 3_600_000, timestamp: Date.now() + 1 }),
		).toString('base64url');
		await refused('Refuses a tampered token (payload changed)', {
			[tokenHeader]: `Bearer ${head}.${forged}.${signature}`,
		});
		const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
		await refused('Refuses a tampered token (signature changed)', {
			[tokenHeader]: `Bearer ${head}.${payload}.${flipped}`,
		});
		await refused('Refuses an expired token (10 min old)', {
			[tokenHeader]: `Bearer ${token({ timestampMs: now - 600_000, exp: now - 300_000 })}`,
		});
		await refused('Refuses a token signed with a wrong secret', {
			[tokenHeader]: `Bearer ${signAgentsToken({ appKey, appSecret: `${appSecret}-wrong`, timestampMs: now, exp: now + 300_000 })}`,
		});
		await refused('Refuses a token of an unknown APP Key', {
			[tokenHeader]: `Bearer ${signAgentsToken({ appKey: `${appKey}-unknown`, appSecret, timestampMs: now, exp: now + 300_000 })}`,
		});
		await refused('Refuses alg "none"', {
			[tokenHeader]: `Bearer ${token({ header: { alg: 'none', sign_type: 'SIGN' } })}`,
		});
		await refused('Refuses "Basic <token>"', { [tokenHeader]: `Basic ${token()}` });
	} else {
		const secret = options.secretHeader as SecretHeader;
		await accepted(`Call with the constant header ${secret.name}`, goodAuth());
		await refused(`Refuses a call without ${secret.name}`, {});
		await refused(`Refuses a wrong ${secret.name}`, { [secret.name]: `${secret.value}-wrong` });
	}
	if (options.probe) {
		const answer = await sendGateway({ method: 'GET', url }, options.timeoutMs);
		let problem: string | undefined;
		if (!isBilledStatus(answer.status))
			problem = `HTTP ${answer.status}: ${answer.text.slice(0, 160)}`;
		else if (/"usage"/.test(answer.text)) problem = 'the probe answer carries usage';
		results.add(
			'Console probe (校验后端服务): GET without credentials',
			'probe',
			answer,
			problem,
			`HTTP ${answer.status}`,
		);
	}
	return results.list;
}

/** Plays the APIG gateway against `url`. */
export async function runApig(url: string, options: ApigPlanOptions): Promise<CaseResult[]> {
	const results = new Results();
	const body = options.body ?? '{"input":"hello"}';
	const signing = options.ak !== undefined && options.sk !== undefined;

	/** A POST, signed over `signedBody` (default: the body sent) with `sk` at `date`. */
	const post = (
		sent: string,
		sign?: { ak?: string; sk?: string; date?: Date; signedBody?: string },
	): Promise<GatewayAnswer> => {
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (options.secretHeader) headers[options.secretHeader.name] = options.secretHeader.value;
		if (sign) {
			const signed = signApigRequest({
				method: 'POST',
				url,
				headers,
				body: sign.signedBody ?? sent,
				ak: sign.ak ?? (options.ak as string),
				sk: sign.sk ?? (options.sk as string),
				date: sign.date,
			});
			// fetch sends Host from the URL itself, the value that was signed.
			for (const [name, value] of Object.entries(signed.headers))
				if (name.toLowerCase() !== 'host') headers[name] = value;
		}
		const request: GatewayCall = { method: 'POST', url, headers, body: sent };
		return sendGateway(request, options.timeoutMs);
	};
	const served = async (name: string, answer: GatewayAnswer) => {
		let problem = answer.status === 0 ? `no answer: ${answer.text}` : undefined;
		problem ??= isBilledStatus(answer.status)
			? undefined
			: `HTTP ${answer.status} (not billed): ${answer.text.slice(0, 160)}`;
		problem ??= options.check?.(answer);
		results.add(name, 'billing', answer, problem, `HTTP ${answer.status}: billed`);
	};
	const notBilled = (name: string, scenario: string, answer: GatewayAnswer) => {
		let problem = answer.status === 0 ? `no answer: ${answer.text}` : undefined;
		problem ??= isBilledStatus(answer.status)
			? `HTTP ${answer.status}: billed, should have been refused`
			: undefined;
		problem ??=
			answer.status >= 500 ? `HTTP ${answer.status}: a server error instead of a 4xx` : undefined;
		results.add(name, scenario, answer, problem, `HTTP ${answer.status}: not billed`);
	};

	await served(
		signing
			? 'Signed call (SDK-HMAC-SHA256)'
			: options.secretHeader
				? `Call with ${options.secretHeader.name}`
				: 'Call',
		await post(body, signing ? {} : undefined),
	);
	if (options.notFoundBody !== undefined) {
		notBilled(
			'Unknown item answered 4xx',
			'billing',
			await post(options.notFoundBody, signing ? {} : undefined),
		);
	}
	if (signing) {
		notBilled('Refuses an unsigned call', 'security', await post(body));
		const stale = new Date(Date.now() - 20 * 60_000);
		notBilled(
			`Refuses a stale X-Sdk-Date (${formatSdkDate(stale)}, 20 min old)`,
			'security',
			await post(body, { date: stale }),
		);
		const tampered = body.replace(/}\s*$/, ',"tampered":true}');
		notBilled('Refuses a tampered body', 'security', await post(tampered, { signedBody: body }));
		notBilled(
			'Refuses a wrong secret',
			'security',
			await post(body, { sk: `${options.sk as string}-wrong` }),
		);
		notBilled(
			'Refuses an unknown key',
			'security',
			await post(body, { ak: `${options.ak as string}X` }),
		);
	}
	if (options.secretHeader) {
		const { name } = options.secretHeader;
		const answer = await sendGateway(
			{
				method: 'POST',
				url,
				headers: {
					'Content-Type': 'application/json',
					[name]: `${options.secretHeader.value}-wrong`,
				},
				body,
			},
			options.timeoutMs,
		);
		notBilled(`Refuses a wrong ${name}`, 'security', answer);
	}
	return results.list;
}
