/**
 * What KooGallery's gateways bill from (docs/protocol/koogallery-agents-apig.md §1.6, §1.7, §2.5).
 *
 * Agents gateway (Agents网关): the seller's JSON answer is the meter. It must carry a top-level
 * `usage` object; the gateway reads, per billing item the seller registered, these default parse
 * fields: `usage.prompt_tokens` (Tokens输入), `usage.completion_tokens` (Tokens输出),
 * `usage.image_count` (图片数), `usage.video_duration` (视频时长(秒), seconds) and, for audio
 * (语音时长(秒)), `transcripts.content_duration_in_milliseconds`. That last path does not start with
 * `usage.`, so the audio duration is written where the path points: a top-level `transcripts`
 * object, in milliseconds exactly as the field name says (whether the gateway converts it to
 * seconds is UNCONFIRMED). `total_tokens` is not a billing item but Huawei's sample requires it.
 *
 * APIG gateway (APIG网关): APIG counts calls itself; since 2025-07-16 only answers with an HTTP
 * status in [200, 300) are billed.
 */

/** The gateway's default parse path for each billing item, as shown in the seller console. */
export const AGENTS_PARSE_PATHS = {
	prompt_tokens: 'usage.prompt_tokens',
	completion_tokens: 'usage.completion_tokens',
	total_tokens: 'usage.total_tokens',
	image_count: 'usage.image_count',
	video_duration: 'usage.video_duration',
	content_duration_in_milliseconds: 'transcripts.content_duration_in_milliseconds',
} as const;

/** The numbers a workflow hands over, by field name. Absent (undefined or null) means not billed. */
export interface AgentsUsageInput {
	prompt_tokens?: unknown;
	completion_tokens?: unknown;
	total_tokens?: unknown;
	image_count?: unknown;
	video_duration?: unknown;
	content_duration_in_milliseconds?: unknown;
}

/** The top-level `usage` object, keys in the order of Huawei's sample. */
export interface AgentsUsageObject {
	completion_tokens: number;
	prompt_tokens: number;
	total_tokens: number;
	image_count?: number;
	video_duration?: number;
}

/** Everything the gateway may bill from one answer. */
export interface AgentsUsage {
	usage: AgentsUsageObject;
	/** Only when an audio duration was given: `transcripts.content_duration_in_milliseconds`. */
	transcripts?: { content_duration_in_milliseconds: number };
}

/** A usage value that is not a non-negative whole number; `field` names it. */
export class AgentsUsageError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'AgentsUsageError';
	}
}

const absent = (value: unknown): boolean => value === undefined || value === null;

/** Checks one value: a JSON number that is a non-negative safe integer, else an error naming the field. */
function count(field: string, value: unknown): number {
	if (typeof value !== 'number') {
		throw new AgentsUsageError(
			field,
			`Usage field "${field}" must be a number, not ${value === '' ? 'empty text' : typeof value === 'string' ? `the text ${JSON.stringify(value.slice(0, 40))}` : typeof value}.`,
		);
	}
	if (!Number.isSafeInteger(value) || value < 0) {
		throw new AgentsUsageError(
			field,
			`Usage field "${field}" must be a whole number of 0 or more, not ${value}.`,
		);
	}
	return value;
}

/**
 * Builds the billing part of an Agents answer from the workflow's numbers. Token counts default
 * to 0 (the `usage` object is always there, with all three token fields); `total_tokens` is
 * prompt + completion unless given. Images, video seconds and audio milliseconds appear only when
 * given. Every value must be a non-negative safe integer JSON number: text, fractions, negatives
 * and NaN throw an `AgentsUsageError` whose message names the field, so a wrong number is never
 * billed.
 */
export function buildAgentsUsage(values: AgentsUsageInput): AgentsUsage {
	const prompt = absent(values.prompt_tokens) ? 0 : count('prompt_tokens', values.prompt_tokens);
	const completion = absent(values.completion_tokens)
		? 0
		: count('completion_tokens', values.completion_tokens);
	const total = absent(values.total_tokens)
		? count('total_tokens', prompt + completion)
		: count('total_tokens', values.total_tokens);
	const usage: AgentsUsageObject = {
		completion_tokens: completion,
		prompt_tokens: prompt,
		total_tokens: total,
	};
	if (!absent(values.image_count)) usage.image_count = count('image_count', values.image_count);
	if (!absent(values.video_duration))
		usage.video_duration = count('video_duration', values.video_duration);
	const result: AgentsUsage = { usage };
	if (!absent(values.content_duration_in_milliseconds)) {
		result.transcripts = {
			content_duration_in_milliseconds: count(
				'content_duration_in_milliseconds',
				values.content_duration_in_milliseconds,
			),
		};
	}
	return result;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON body of a billed Agents answer: the seller's result, then the top-level `usage` (and
 * `transcripts` for audio). A plain object result keeps its own fields at the top level (any
 * `usage` or `transcripts` of its own is replaced, so an upstream model's numbers never reach
 * the meter unchecked); any other result (text, number, list) goes under `data`, as in
 * Huawei's sample.
 */
export function agentsAnswerBody(result: unknown, usage: AgentsUsage): Record<string, unknown> {
	const body: Record<string, unknown> = {};
	if (isPlainObject(result)) {
		for (const [name, value] of Object.entries(result)) {
			if (name !== 'usage' && name !== 'transcripts') body[name] = value;
		}
	} else if (result !== undefined) {
		body.data = result;
	}
	body.usage = { ...usage.usage };
	if (usage.transcripts) body.transcripts = { ...usage.transcripts };
	return body;
}

/**
 * The body of a refusal or failure: `{"error":{"code","message"}}` and no `usage`, so neither
 * gateway bills it (sent with a 4xx or 5xx status).
 */
export function gatewayErrorBody(
	code: string,
	message: string,
): { error: { code: string; message: string } } {
	return { error: { code, message } };
}

/** Whether APIG bills a call answered with this HTTP status: 2xx only (rule since 2025-07-16). */
export function isBilledStatus(status: number): boolean {
	return Number.isInteger(status) && status >= 200 && status < 300;
}

/**
 * What the Agents gateway may count in a request's `input` text when a product bills bytes
 * (字节数) or characters (字符数): UTF-8 bytes, Unicode code points and UTF-16 code units (Java's
 * `String.length()`). Which of the last two the gateway calls characters is UNCONFIRMED.
 */
export function agentsInputCounts(text: string): {
	bytes: number;
	codePoints: number;
	utf16Units: number;
} {
	return {
		bytes: Buffer.byteLength(text, 'utf8'),
		codePoints: [...text].length,
		utf16Units: text.length,
	};
}
