/**
 * The gateways' billing contract (docs/protocol/koogallery-agents-apig.md §1.6, §2.5; vectors A8, A9, B3):
 * the Agents answer body byte for byte, usage validation naming the field at fault, the error
 * body without usage, the APIG billed statuses, and the request counts of A8.
 */
import {
	AGENTS_PARSE_PATHS,
	AgentsUsageError,
	agentsAnswerBody,
	agentsInputCounts,
	buildAgentsUsage,
	gatewayErrorBody,
	isBilledStatus,
} from '../../core/gateway-usage';
import { safeEqualSecret } from '../../core/hmac';

/** Reads a dot path (the gateway's parse field) out of a JSON body. */
const read = (body: unknown, path: string): unknown =>
	path
		.split('.')
		.reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], body);

describe('Agents usage', () => {
	it('A9: the sync answer the gateway bills 31 input and 217 output tokens from', () => {
		const usage = buildAgentsUsage({ prompt_tokens: 31, completion_tokens: 217 });
		const body = agentsAnswerBody({ data: { answer: '...' } }, usage);
		expect(JSON.stringify(body)).toBe(
			'{"data":{"answer":"..."},"usage":{"completion_tokens":217,"prompt_tokens":31,"total_tokens":248}}',
		);
		expect(read(body, AGENTS_PARSE_PATHS.prompt_tokens)).toBe(31);
		expect(read(body, AGENTS_PARSE_PATHS.completion_tokens)).toBe(217);
	});

	it('A9 with usage.image_count 2: an image-billed product bills 2 images', () => {
		const body = agentsAnswerBody(
			'a picture',
			buildAgentsUsage({ prompt_tokens: 31, completion_tokens: 217, image_count: 2 }),
		);
		expect(body).toEqual({
			data: 'a picture',
			usage: { completion_tokens: 217, prompt_tokens: 31, total_tokens: 248, image_count: 2 },
		});
		expect(read(body, AGENTS_PARSE_PATHS.image_count)).toBe(2);
	});

	it('places video seconds in usage and audio milliseconds at transcripts.content_duration_in_milliseconds', () => {
		const body = agentsAnswerBody(
			{ text: 'hi' },
			buildAgentsUsage({ video_duration: 12, content_duration_in_milliseconds: 61_500 }),
		);
		expect(body).toEqual({
			text: 'hi',
			usage: { completion_tokens: 0, prompt_tokens: 0, total_tokens: 0, video_duration: 12 },
			transcripts: { content_duration_in_milliseconds: 61_500 },
		});
		expect(read(body, AGENTS_PARSE_PATHS.video_duration)).toBe(12);
		expect(read(body, AGENTS_PARSE_PATHS.content_duration_in_milliseconds)).toBe(61_500);
	});

	it('keeps a given total, and zero tokens when nothing is given', () => {
		expect(
			buildAgentsUsage({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 20 }).usage
				.total_tokens,
		).toBe(20);
		expect(buildAgentsUsage({})).toEqual({
			usage: { completion_tokens: 0, prompt_tokens: 0, total_tokens: 0 },
		});
		expect(buildAgentsUsage({ prompt_tokens: null, image_count: undefined })).toEqual({
			usage: { completion_tokens: 0, prompt_tokens: 0, total_tokens: 0 },
		});
	});

	it('replaces a usage or transcripts object of the result, so upstream numbers never reach the meter', () => {
		const body = agentsAnswerBody(
			{
				answer: 'x',
				usage: { prompt_tokens: 9999 },
				transcripts: { content_duration_in_milliseconds: 1 },
			},
			buildAgentsUsage({ prompt_tokens: 1, completion_tokens: 2 }),
		);
		expect(body).toEqual({
			answer: 'x',
			usage: { completion_tokens: 2, prompt_tokens: 1, total_tokens: 3 },
		});
		expect(agentsAnswerBody([1, 2], buildAgentsUsage({})).data).toEqual([1, 2]);
		expect(Object.keys(agentsAnswerBody(undefined, buildAgentsUsage({})))).toEqual(['usage']);
	});

	it.each([
		['prompt_tokens', -1, /"prompt_tokens" must be a whole number of 0 or more, not -1/],
		['completion_tokens', 2.5, /"completion_tokens" must be a whole number of 0 or more, not 2.5/],
		['image_count', '3', /"image_count" must be a number, not the text "3"/],
		['video_duration', '', /"video_duration" must be a number, not empty text/],
		['total_tokens', Number.NaN, /"total_tokens" must be a whole number/],
		[
			'content_duration_in_milliseconds',
			Infinity,
			/"content_duration_in_milliseconds" must be a whole number/,
		],
		['prompt_tokens', 2 ** 53, /"prompt_tokens" must be a whole number/],
		['completion_tokens', true, /"completion_tokens" must be a number, not boolean/],
	])('refuses %s = %p, naming the field', (field, value, message) => {
		let error: unknown;
		try {
			buildAgentsUsage({ [field]: value });
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(AgentsUsageError);
		expect((error as AgentsUsageError).field).toBe(field);
		expect((error as Error).message).toMatch(message);
	});

	it('refuses a computed total that is no longer a safe integer', () => {
		expect(() =>
			buildAgentsUsage({ prompt_tokens: Number.MAX_SAFE_INTEGER, completion_tokens: 1 }),
		).toThrow(/"total_tokens"/);
	});
});

describe('gateway errors and APIG billing', () => {
	it('an error body has no usage', () => {
		const body = gatewayErrorBody('unauthorized', 'The gateway token is missing.');
		expect(JSON.stringify(body)).toBe(
			'{"error":{"code":"unauthorized","message":"The gateway token is missing."}}',
		);
		expect(body).not.toHaveProperty('usage');
	});

	it('B3: 200/201/204/299 are billed; 300/301/400/401/429/500/504 are not', () => {
		for (const status of [200, 201, 204, 299]) expect(isBilledStatus(status)).toBe(true);
		for (const status of [300, 301, 400, 401, 429, 500, 504, 199, 0, 200.5, Number.NaN])
			expect(isBilledStatus(status)).toBe(false);
	});
});

describe('A8: what the gateway may count in the request input', () => {
	it('counts 23 UTF-8 bytes, 16 code points and 17 UTF-16 units', () => {
		expect(agentsInputCounts('你好, KooGallery 😀')).toEqual({
			bytes: 23,
			codePoints: 16,
			utf16Units: 17,
		});
	});
});

describe('safeEqualSecret', () => {
	it('matches equal values of any length and nothing else', () => {
		expect(safeEqualSecret('s3cret-header-value', 's3cret-header-value')).toBe(true);
		expect(safeEqualSecret('s3cret-header-value', 's3cret-header-valuE')).toBe(false);
		expect(safeEqualSecret('s3cret-header-value', 's3cret')).toBe(false);
		expect(safeEqualSecret('s3cret-header-value', undefined)).toBe(false);
		expect(safeEqualSecret('s3cret-header-value', ['s3cret-header-value'])).toBe(false);
		expect(safeEqualSecret('', '')).toBe(false);
	});
});
