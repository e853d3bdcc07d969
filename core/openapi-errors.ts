/**
 * What KooGallery's Open API answers mean (docs/protocol/koogallery-openapi-v1.md §A.1, §A.2.1, §A.4.3):
 * reading the result code out of an answer, a plain-English explanation for each documented
 * code, and what a caller should do next (done, retry, split the batch, isolate a bad record,
 * or stop). The order and usage APIs use `MKT.` codes; a documentation mirror shows `CBC.` for
 * the same numbers, so only the number after the dot is looked at.
 */

/** What to do after an answer. */
export type OpenApiVerdict =
	/** Accepted. */
	| 'ok'
	/** A passing problem (5xx, internal error): the same request may succeed later. */
	| 'retry'
	/** Too many requests: retry later, more slowly. */
	| 'rateLimited'
	/** The batch has more records than KooGallery takes: split it. */
	| 'tooLarge'
	/** Something about the records (unknown instance, bad value, too old): isolate the bad one. */
	| 'recordProblem'
	/** Credential, signature or request problem that repeating will not fix. */
	| 'fatal';

export interface OpenApiCodeInfo {
	/** What KooGallery's table calls it. */
	meaning: string;
	/** What it means for the seller and what to do, in plain words. */
	explanation: string;
	verdict: OpenApiVerdict;
}

const CREDENTIALS_HINT =
	"Check the AK and SK in the KooGallery Access Key credential (seller console: 我的凭证 (My Credentials) > 访问密钥 (Access Keys)) and that this machine's clock is right.";

/** Order and usage API codes by the number after `MKT.` / `CBC.` (spec §A.1 and §A.2.1 tables). */
export const MKT_CODES: Readonly<Record<string, OpenApiCodeInfo>> = {
	'0000': { meaning: 'Success', explanation: 'KooGallery accepted the request.', verdict: 'ok' },
	'0999': {
		meaning: 'System internal error',
		explanation: 'KooGallery had an internal error. Trying again later usually works.',
		verdict: 'retry',
	},
	'0100': {
		meaning: 'Failure of input parameter',
		explanation:
			'A value is out of range, illegal or badly formatted (for example a usage value or a time).',
		verdict: 'recordProblem',
	},
	'0101': {
		meaning: 'Invalid parameter',
		explanation:
			'A mandatory parameter is missing or a parameter is not defined (for example no instance ID or no order ID).',
		verdict: 'recordProblem',
	},
	'0102': {
		meaning: 'Invalid body sign',
		explanation:
			'The usage-push signature header did not match. Check the seller key in the credential: it must be the key bound to the basic interfaces in 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 密钥管理 (Key Management).',
		verdict: 'fatal',
	},
	'0199': {
		meaning: 'Request parameter error',
		explanation: 'A parameter is wrong (for example a mandatory one is missing).',
		verdict: 'recordProblem',
	},
	'0150': {
		meaning: 'Illegal operation',
		explanation:
			'The order or instance does not belong to the seller of this AK/SK (for example a product another seller published, or an ID from another site).',
		verdict: 'recordProblem',
	},
	'0151': {
		meaning: 'No authority',
		explanation: `The AK/SK does not belong to a seller account. ${CREDENTIALS_HINT}`,
		verdict: 'fatal',
	},
	'0154': {
		meaning: 'Illegal token',
		explanation: `KooGallery did not accept the request signature. ${CREDENTIALS_HINT}`,
		verdict: 'fatal',
	},
	'0250': {
		meaning: 'Access frequency overlimit',
		explanation: 'Too many calls in a short time. Slow down and try again.',
		verdict: 'rateLimited',
	},
	'9001': {
		meaning: 'Instance ID not found',
		explanation:
			'KooGallery knows no pay-per-use instance with this ID. Use the instance ID your production interface returned for the order.',
		verdict: 'recordProblem',
	},
	'9002': {
		meaning: 'Invalid usage entries',
		explanation:
			'The usage does not match a metering entity of the product (check the product specification in the seller console).',
		verdict: 'recordProblem',
	},
	'9003': {
		meaning: 'Usage records extends size limit',
		explanation: 'Too many records in one call; they are sent again in smaller batches.',
		verdict: 'tooLarge',
	},
	'9004': {
		meaning: 'Record beginTime extends limit',
		explanation: 'The usage begins more than 21 days ago; KooGallery no longer takes it.',
		verdict: 'recordProblem',
	},
};

/** License-code API codes (spec §A.4.3). */
export const LICENSE_CODES: Readonly<Record<string, OpenApiCodeInfo>> = {
	'92020000': {
		meaning: 'Success',
		explanation: 'KooGallery accepted the request.',
		verdict: 'ok',
	},
	'92020001': {
		meaning: 'Internal error',
		explanation: 'KooGallery had an internal error. Trying again later usually works.',
		verdict: 'retry',
	},
	'92020002': {
		meaning: 'Invalid param',
		explanation: 'A parameter is invalid.',
		verdict: 'fatal',
	},
	'92020003': {
		meaning: 'Illegal state',
		explanation:
			'The license code is not in a state that allows this (for example it is already activated: activate a code only once).',
		verdict: 'fatal',
	},
	'92020004': {
		meaning: 'Can not activate before user received',
		explanation: 'The customer has not received the license code yet.',
		verdict: 'fatal',
	},
	'92020005': {
		meaning: 'License code not exist',
		explanation: 'KooGallery knows no such license code.',
		verdict: 'fatal',
	},
	'92020011': {
		meaning: 'License code has not been activated',
		explanation: 'Activate the license code before querying it.',
		verdict: 'fatal',
	},
	'92020020': {
		meaning: 'Invalid license code exists',
		explanation: 'At least one code in the batch is invalid; nothing in the batch was processed.',
		verdict: 'fatal',
	},
	'95000001': {
		meaning: 'Request parameter is invalid',
		explanation:
			'A parameter failed its format, mandatory or length check (for example more than 100 codes, or a code longer than 64 characters).',
		verdict: 'fatal',
	},
	'95000002': {
		meaning: 'Request method not supported',
		explanation: 'The API was called with the wrong HTTP method.',
		verdict: 'fatal',
	},
	'95000003': {
		meaning: 'Content type not supported',
		explanation: 'The request must be sent as application/json.',
		verdict: 'fatal',
	},
	'95000004': {
		meaning: 'Request message is not readable',
		explanation: 'The request body is not valid JSON.',
		verdict: 'fatal',
	},
};

const SUCCESS_CODES = new Set(['MKT.0000', 'CBC.0000', '92020000']);

/** The code and message of an answer, from `resultCode`/`resultMsg` (order) or `error_code`/`error_msg` (usage, license). */
export interface OpenApiResult {
	code?: string;
	message?: string;
	/** The body as JSON, when it is JSON. */
	body?: unknown;
}

/** Reads an answer body (text or already parsed JSON) into its code and message. */
export function readOpenApiResult(body: unknown): OpenApiResult {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = body.trim() === '' ? undefined : JSON.parse(body);
		} catch {
			return {};
		}
	} else if (Buffer.isBuffer(body)) {
		return readOpenApiResult(body.toString('utf8'));
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
		return { body: parsed };
	const fields = parsed as Record<string, unknown>;
	const code = fields.resultCode ?? fields.error_code ?? fields.errorCode;
	const message = fields.resultMsg ?? fields.error_msg ?? fields.errorMsg;
	return {
		code: code === undefined || code === null ? undefined : String(code),
		message: message === undefined || message === null ? undefined : String(message),
		body: parsed,
	};
}

/** The documented meaning of a code (`MKT.9001`, `CBC.0154`, `92020003`...), or undefined. */
export function lookupOpenApiCode(code: string | undefined): OpenApiCodeInfo | undefined {
	if (!code) return undefined;
	const dotted = /^(?:MKT|CBC)\.(\d{4})$/.exec(code);
	if (dotted) return MKT_CODES[dotted[1]];
	return LICENSE_CODES[code];
}

export interface OpenApiClassification {
	verdict: OpenApiVerdict;
	status: number;
	code?: string;
	/** KooGallery's own message, when it sent one. */
	message?: string;
	/** One plain-English sentence or two for the operator. */
	explanation: string;
	body?: unknown;
}

function byStatus(status: number): { verdict: OpenApiVerdict; explanation: string } {
	if (status === 429 || status === 406)
		return {
			verdict: 'rateLimited',
			explanation: 'KooGallery is limiting the call rate. Slow down and try again.',
		};
	if (status === 408 || status >= 500)
		return {
			verdict: 'retry',
			explanation: `KooGallery answered HTTP ${status}, a passing server problem. Trying again later usually works.`,
		};
	if (status === 401 || status === 403)
		return {
			verdict: 'fatal',
			explanation: `KooGallery refused the credential (HTTP ${status}). ${CREDENTIALS_HINT}`,
		};
	if (status === 404)
		return {
			verdict: 'fatal',
			explanation:
				'The address does not exist (HTTP 404). Check the site, or the custom base URL, in the credential.',
		};
	return { verdict: 'fatal', explanation: `KooGallery refused the request (HTTP ${status}).` };
}

/**
 * Decides what an HTTP answer means. Accepted: a 2xx answer with a success code, or a 2xx JSON
 * (or empty) answer without any code. A documented code decides the rest; an undocumented one or
 * none falls back on the HTTP status (5xx and 408 retry, 406 and 429 slow down, others stop).
 * A 2xx answer that is not JSON is not taken as success.
 */
export function classifyOpenApiAnswer(status: number, body: unknown): OpenApiClassification {
	const result = readOpenApiResult(body);
	const success2xx = status >= 200 && status < 300;
	const base = { status, code: result.code, message: result.message, body: result.body };
	if (success2xx && result.code !== undefined && SUCCESS_CODES.has(result.code)) {
		return { ...base, verdict: 'ok', explanation: 'Accepted.' };
	}
	const info = lookupOpenApiCode(result.code);
	if (info && info.verdict !== 'ok') {
		return {
			...base,
			verdict: info.verdict,
			explanation: `${result.code} ${info.meaning}: ${info.explanation}`,
		};
	}
	if (success2xx && result.code === undefined) {
		const empty =
			body === undefined || body === null || (typeof body === 'string' && body.trim() === '');
		if (empty || result.body !== undefined)
			return { ...base, verdict: 'ok', explanation: 'Accepted.' };
		return {
			...base,
			verdict: 'fatal',
			explanation:
				"The answer is not JSON, so it does not come from KooGallery's Open API. Check the site or the custom base URL in the credential.",
		};
	}
	const fallback = byStatus(success2xx ? 500 : status);
	const what = result.code ? `${result.code}${result.message ? ` (${result.message})` : ''}: ` : '';
	return {
		...base,
		verdict: success2xx ? 'fatal' : fallback.verdict,
		explanation: `${what}${fallback.explanation}`,
	};
}

/** Network-level failure codes worth another attempt (Node and axios names). */
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNABORTED',
	'ECONNREFUSED',
	'ECONNRESET',
	'EHOSTUNREACH',
	'ENETDOWN',
	'ENETUNREACH',
	'EPIPE',
	'ETIMEDOUT',
	'EAI_AGAIN',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
	if (error === null || typeof error !== 'object' || seen.has(error)) return [];
	seen.add(error);
	const own = (error as { code?: unknown }).code;
	const codes = typeof own === 'string' ? [own] : [];
	return [...codes, ...errorCodes((error as { cause?: unknown }).cause, seen)];
}

/**
 * True when an error thrown by the HTTP client (possibly wrapped, as n8n wraps it in a
 * NodeApiError with the original as `cause`) is a connection or timeout failure, so the same
 * request may succeed on another attempt.
 */
export function isTransientNetworkError(error: unknown): boolean {
	if (errorCodes(error).some((code) => TRANSIENT_NETWORK_CODES.has(code))) return true;
	const messages: string[] = [];
	for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
		messages.push(String((e as { message?: unknown }).message ?? ''));
		e = (e as { cause?: unknown }).cause;
	}
	return messages.some((m) =>
		/socket hang up|timeout of \d+ms exceeded|ECONNRESET|ETIMEDOUT/i.test(m),
	);
}

/** A plain description of a network failure for the operator. */
export function describeNetworkError(error: unknown): string {
	const codes = errorCodes(error);
	if (codes.includes('ECONNABORTED') || codes.includes('ETIMEDOUT'))
		return 'KooGallery did not answer in time (timeout).';
	if (codes.includes('ECONNREFUSED'))
		return 'The connection was refused: nothing answers at that address.';
	if (codes.includes('ECONNRESET') || codes.includes('EPIPE'))
		return 'The connection was closed before KooGallery answered.';
	if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN'))
		return 'The host name could not be resolved. Check the site or the custom base URL, and the network.';
	const message =
		error && typeof error === 'object'
			? String((error as { message?: unknown }).message ?? '')
			: String(error);
	return message ? `The request failed: ${message}` : 'The request failed.';
}
