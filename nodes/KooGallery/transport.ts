import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import type { OpenApiEndpoint } from '../../core/openapi-endpoints';
import {
	classifyOpenApiAnswer,
	describeNetworkError,
	isTransientNetworkError,
	type OpenApiVerdict,
} from '../../core/openapi-errors';

/** One Open API request as the operations describe it; the credential turns it into the signed one. */
export interface OpenApiRequest {
	method: 'GET' | 'POST';
	/** Path of the API (the credential adds the site host or custom base URL). */
	path: string;
	qs?: Record<string, string>;
	/** The body, already serialised: it is signed and sent exactly as it is. */
	body?: string;
	timeoutMs: number;
}

export interface RetryPolicy {
	/** Attempts per request, the first one included. */
	maxAttempts: number;
	/** Wait before the second attempt; doubles each time, with jitter. */
	initialDelayMs: number;
	/** Longest single wait. */
	maxDelayMs: number;
}

/** Time the run may still spend waiting between retries, shared by all its requests. */
export interface RetryBudget {
	remainingMs: number;
}

/** How the Open API operations call KooGallery: the retry policy, its shared budget, the timeout. */
export interface CallSettings {
	policy: RetryPolicy;
	budget: RetryBudget;
	timeoutMs: number;
}

/** Longest single wait between two attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

/** The Request Options of the node (`callOptions`, read once per run), with their defaults. */
export function callSettings(ctx: IExecuteFunctions): CallSettings {
	const call = ctx.getNodeParameter('callOptions', 0, {}) as IDataObject;
	return {
		policy: {
			maxAttempts: wholeNumber(call.maxAttempts, 5, 1, 10),
			initialDelayMs: wholeNumber(call.initialRetryDelayMs, 1000, 0, 60_000),
			maxDelayMs: MAX_RETRY_DELAY_MS,
		},
		budget: { remainingMs: wholeNumber(call.maxRetryWaitSeconds, 120, 0, 3600) * 1000 },
		timeoutMs: wholeNumber(call.timeoutSeconds, 30, 1, 600) * 1000,
	};
}

/** How a request ended, after any retries. */
export interface CallOutcome {
	verdict: OpenApiVerdict | 'network';
	attempts: number;
	status?: number;
	code?: string;
	message?: string;
	/** Plain-English account of the last answer or failure. */
	explanation: string;
	/** The answer body, parsed when it is JSON. */
	body?: unknown;
}

const RETRYABLE = new Set<CallOutcome['verdict']>(['retry', 'rateLimited', 'network']);

/**
 * Sends one request through `httpRequestWithAuthentication` (the credential signs it) and reads
 * the answer whatever its HTTP status. A connection failure or timeout comes back as a `network`
 * outcome; anything else thrown (an incomplete credential, for example) is thrown on.
 */
export async function sendOnce(
	ctx: IExecuteFunctions,
	request: OpenApiRequest,
): Promise<Omit<CallOutcome, 'attempts'>> {
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'kooGalleryOpenApi', {
			method: request.method,
			url: request.path,
			qs: request.qs,
			body: request.body,
			headers: { 'Content-Type': 'application/json' },
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		if (isTransientNetworkError(error))
			return { verdict: 'network', explanation: describeNetworkError(error) };
		throw asNodeError(ctx, error);
	}
	return classifyOpenApiAnswer(response.statusCode, response.body);
}

/** The wait before attempt `attempt + 1`: exponential, jittered, longer when rate-limited. */
export function retryDelay(
	attempt: number,
	policy: RetryPolicy,
	rateLimited: boolean,
	random = Math.random,
): number {
	const exponential = policy.initialDelayMs * 2 ** (attempt - 1) * (rateLimited ? 2 : 1);
	const capped = Math.min(policy.maxDelayMs, exponential);
	return Math.round(capped * (0.5 + random() / 2));
}

function assertNotCancelled(ctx: IExecuteFunctions): void {
	const signal = ctx.getExecutionCancelSignal?.();
	if (signal?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled.');
}

/**
 * Sends a request, retrying passing failures (timeouts, dropped connections, 5xx, rate limits)
 * with exponential backoff. Stops after `policy.maxAttempts` attempts, or earlier when the next
 * wait would overdraw the shared `budget`. Waits use n8n's `sleep`.
 */
export async function callOpenApi(
	ctx: IExecuteFunctions,
	request: OpenApiRequest,
	policy: RetryPolicy,
	budget: RetryBudget,
): Promise<CallOutcome> {
	for (let attempt = 1; ; attempt++) {
		assertNotCancelled(ctx);
		const outcome = await sendOnce(ctx, request);
		if (!RETRYABLE.has(outcome.verdict)) return { ...outcome, attempts: attempt };
		if (attempt >= policy.maxAttempts) {
			return {
				...outcome,
				attempts: attempt,
				explanation: `${outcome.explanation} Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}.`,
			};
		}
		const delay = retryDelay(attempt, policy, outcome.verdict === 'rateLimited');
		if (delay > budget.remainingMs) {
			return {
				...outcome,
				attempts: attempt,
				explanation: `${outcome.explanation} Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: the retry wait limit of this run is used up.`,
			};
		}
		budget.remainingMs -= delay;
		await sleep(delay);
	}
}

/** Calls one Open API of core's endpoint table with the run's call settings (see `callOpenApi`). */
export async function callEndpoint(
	ctx: IExecuteFunctions,
	endpoint: OpenApiEndpoint,
	request: Pick<OpenApiRequest, 'qs' | 'body'>,
	settings: CallSettings,
): Promise<CallOutcome> {
	return await callOpenApi(
		ctx,
		{ method: endpoint.method, path: endpoint.path, ...request, timeoutMs: settings.timeoutMs },
		settings.policy,
		settings.budget,
	);
}

/** The NodeApiError for a request KooGallery did not accept: its code, message and explanation. */
export function openApiError(
	ctx: IExecuteFunctions,
	outcome: CallOutcome,
	itemIndex: number,
): NodeApiError {
	const code = outcome.code ?? (outcome.verdict === 'network' ? 'NETWORK' : undefined);
	const headline = outcome.code
		? `KooGallery refused the request: ${outcome.code}${outcome.message ? ` ${outcome.message}` : ''}`
		: outcome.verdict === 'network'
			? 'KooGallery could not be reached'
			: `KooGallery refused the request${outcome.status ? ` (HTTP ${outcome.status})` : ''}`;
	const response: JsonObject = {
		code: code ?? null,
		message: outcome.message ?? outcome.explanation,
	};
	if (outcome.body !== undefined) response.body = outcome.body as JsonObject;
	const error = new NodeApiError(ctx.getNode(), response, {
		message: headline,
		description: outcome.explanation,
		httpCode: outcome.status ? String(outcome.status) : undefined,
		itemIndex,
	});
	if (code) error.context.errorCode = code;
	return error;
}

/** The error as n8n shows it: NodeApiError and NodeOperationError as they are, anything else wrapped. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(
		ctx.getNode(),
		error as Error,
		itemIndex === undefined ? {} : { itemIndex },
	);
}

/**
 * The JSON of an item that failed under On Error "Continue". With "Continue (using error output)",
 * n8n moves an item to the error output only when its JSON has no keys other than `error`,
 * `message` and `details` (n8n-core `handleNodeErrorOutput`), and adds the input item's fields to
 * it; there the explanation and code go under `details`. Otherwise the item is the `kept` fields
 * of the input item (if any) with `error`, `description`, `errorCode`, as for the node's other
 * operations.
 */
export function failedItemJson(
	ctx: IExecuteFunctions,
	error: Error,
	kept: IDataObject = {},
): IDataObject {
	const details = errorDetails(error);
	if (ctx.getNode().onError === 'continueErrorOutput') return { error: error.message, details };
	return { ...kept, error: error.message, ...details };
}

/** The code and explanation of a node error, for items that continue after a failure. */
export function errorDetails(error: unknown): IDataObject {
	const details: IDataObject = {};
	const description = (error as { description?: unknown }).description;
	if (typeof description === 'string') details.description = description;
	const context = (error as { context?: IDataObject }).context;
	if (context && typeof context.errorCode === 'string') details.errorCode = context.errorCode;
	return details;
}

/** Reads a whole number option, falling back to `fallback` and clamping it to `[min, max]`. */
export function wholeNumber(value: unknown, fallback: number, min: number, max: number): number {
	const number = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : fallback;
	return Math.min(max, Math.max(min, number));
}
