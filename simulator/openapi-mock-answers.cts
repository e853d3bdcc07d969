/**
 * The answers of the Open API mock (simulator/openapi-mock.cts): KooGallery's result codes and
 * messages in the field names of each API (docs/protocol/koogallery-openapi-v1.md §A).
 */

/** One answer of the mock, with the code and the detail it logs. */
export interface Answer {
	status: number;
	body: Record<string, unknown> | string;
	code?: string;
	detail?: string;
}

/**
 * How an API answers: the order API with `resultCode` / `resultMsg` `MKT.` codes, the usage APIs
 * with `error_code` / `error_msg` `MKT.` codes, the license APIs with their own numeric codes (and
 * `MKT.` codes in the usage field names for what the gateway refuses).
 */
export type AnswerShape = 'order' | 'usage' | 'license';

const MKT_MESSAGES: Record<string, string> = {
	'0000': 'Success.',
	'0999': 'System internal error.',
	'0100': 'Failure of input parameter.',
	'0101': 'Invalid parameter.',
	'0102': 'Invalid body sign.',
	'0199': 'Request parameter error.',
	'0150': 'Illegal operation.',
	'0154': 'Illegal token.',
	'9001': 'Instance ID not found.',
	'9003': 'Usage records extends size limit.',
	'9004': 'Record beginTime extends Limit.',
};
const LICENSE_MESSAGES: Record<string, string> = {
	'92020000': 'success',
	'92020003': 'illegal state',
	'92020004': 'can not active before user received.',
	'92020005': 'license code notexist',
	'92020011': 'license code has been not activated.',
	'92020020': 'Invalid license code exists.',
	'95000001': 'req param is invalid',
	'95000002': 'Request method not supported',
	'95000003': 'Content type not supported',
	'95000004': 'req message is not readable',
};

/** The field names of `MKT.` codes: the order API's, or the usage APIs' (also the license APIs'). */
const MKT_FIELDS: Record<AnswerShape, { code: string; message: string }> = {
	order: { code: 'resultCode', message: 'resultMsg' },
	usage: { code: 'error_code', message: 'error_msg' },
	license: { code: 'error_code', message: 'error_msg' },
};

/** An answer with an `MKT.` code, in the field names of the API's shape. */
export function mktAnswer(
	shape: AnswerShape,
	status: number,
	number: string,
	detail?: string,
	extra: Record<string, unknown> = {},
): Answer {
	const code = `MKT.${number}`;
	const fields = MKT_FIELDS[shape];
	return {
		status,
		code,
		detail,
		body: {
			[fields.code]: code,
			[fields.message]: detail ? `${MKT_MESSAGES[number]} ${detail}` : MKT_MESSAGES[number],
			...extra,
		},
	};
}

export const orderAnswer = (
	status: number,
	number: string,
	detail?: string,
	extra?: Record<string, unknown>,
) => mktAnswer('order', status, number, detail, extra);

export const usageAnswer = (
	status: number,
	number: string,
	detail?: string,
	extra?: Record<string, unknown>,
) => mktAnswer('usage', status, number, detail, extra);

/** A license-API answer. */
export function licenseAnswer(
	status: number,
	code: string,
	data?: unknown,
	detail?: string,
): Answer {
	const body: Record<string, unknown> = { error_code: code, error_msg: LICENSE_MESSAGES[code] };
	if (data !== undefined) body.data = data;
	return { status, code, detail, body };
}

/** The answer to a request with the wrong HTTP method, as each API gives it. */
export function wrongMethodAnswer(shape: AnswerShape, method: string): Answer {
	if (shape === 'license') return licenseAnswer(405, '95000002');
	return mktAnswer(shape, 400, '0101', `Use ${method}.`);
}

/** The gateway's answer for a path that is no Open API. */
export const unknownApiAnswer = (): Answer => ({
	status: 404,
	code: 'APIGW.0101',
	body: {
		error_code: 'APIGW.0101',
		error_msg: 'The API does not exist or has not been published in the environment.',
	},
});

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A time as the license APIs write it: UTC `yyyyMMddHHmmss`. */
export function licenseTime(ms: number): string {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

export function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(raw.toString('utf8')) };
	} catch {
		return { ok: false };
	}
}
