/**
 * Reading Open API answers (core/openapi-errors.ts): result codes from both answer shapes, the
 * documented MKT./CBC./license codes, what each one makes the node do, and which thrown network
 * errors are worth another attempt (checked on real failures of a real HTTP client).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import {
	LICENSE_CODES,
	MKT_CODES,
	classifyOpenApiAnswer,
	describeNetworkError,
	isTransientNetworkError,
	lookupOpenApiCode,
	readOpenApiResult,
} from '../../core/openapi-errors';

describe('readOpenApiResult', () => {
	it('reads resultCode/resultMsg (order) and error_code/error_msg (usage, license), as text or parsed', () => {
		expect(
			readOpenApiResult('{"resultCode":"MKT.0000","resultMsg":"Success","orderInfo":{}}'),
		).toEqual({
			code: 'MKT.0000',
			message: 'Success',
			body: { resultCode: 'MKT.0000', resultMsg: 'Success', orderInfo: {} },
		});
		expect(readOpenApiResult({ error_code: '92020003', error_msg: 'illegal state' })).toEqual(
			expect.objectContaining({ code: '92020003', message: 'illegal state' }),
		);
		expect(readOpenApiResult(Buffer.from('{"error_code":"MKT.9001"}')).code).toBe('MKT.9001');
		expect(readOpenApiResult('<html>Bad Gateway</html>')).toEqual({});
		expect(readOpenApiResult('')).toEqual({ body: undefined });
	});
});

describe('lookupOpenApiCode', () => {
	it('accepts both MKT. and CBC. prefixes and the license codes', () => {
		expect(lookupOpenApiCode('MKT.9001')?.meaning).toBe('Instance ID not found');
		expect(lookupOpenApiCode('CBC.9001')).toBe(lookupOpenApiCode('MKT.9001'));
		expect(lookupOpenApiCode('92020004')?.meaning).toBe('Can not activate before user received');
		expect(lookupOpenApiCode('MKT.1234')).toBeUndefined();
		expect(lookupOpenApiCode('APIGW.0101')).toBeUndefined();
	});

	it('covers every code of the spec tables', () => {
		expect(Object.keys(MKT_CODES).sort()).toEqual([
			'0000',
			'0100',
			'0101',
			'0102',
			'0150',
			'0151',
			'0154',
			'0199',
			'0250',
			'0999',
			'9001',
			'9002',
			'9003',
			'9004',
		]);
		expect(Object.keys(LICENSE_CODES).sort()).toEqual([
			'92020000',
			'92020001',
			'92020002',
			'92020003',
			'92020004',
			'92020005',
			'92020011',
			'92020020',
			'95000001',
			'95000002',
			'95000003',
			'95000004',
		]);
	});
});

describe('classifyOpenApiAnswer', () => {
	const verdict = (status: number, body: unknown) => classifyOpenApiAnswer(status, body).verdict;

	it('accepts success codes and code-less JSON 2xx answers only', () => {
		expect(verdict(200, '{"resultCode":"MKT.0000"}')).toBe('ok');
		expect(verdict(200, { error_code: 'CBC.0000' })).toBe('ok');
		expect(verdict(200, { error_code: '92020000' })).toBe('ok');
		expect(verdict(200, '')).toBe('ok');
		expect(verdict(200, { accepted: true })).toBe('ok');
		expect(verdict(200, '<html>login</html>')).toBe('fatal');
		expect(verdict(500, '{"error_code":"MKT.0000"}')).toBe('retry');
	});

	it('decides by the documented code first', () => {
		expect(verdict(500, { error_code: 'MKT.0999' })).toBe('retry');
		expect(verdict(406, { error_code: 'MKT.0250' })).toBe('rateLimited');
		expect(verdict(500, { error_code: 'MKT.9003' })).toBe('tooLarge');
		for (const code of [
			'MKT.9001',
			'MKT.9002',
			'MKT.9004',
			'MKT.0100',
			'MKT.0101',
			'MKT.0199',
			'CBC.0150',
		])
			expect(verdict(500, { error_code: code })).toBe('recordProblem');
		for (const code of ['MKT.0102', 'MKT.0151', 'CBC.0154'])
			expect(verdict(401, { resultCode: code })).toBe('fatal');
		expect(verdict(200, { error_code: '92020001' })).toBe('retry');
		expect(verdict(200, { error_code: '92020005' })).toBe('fatal');
	});

	it('falls back on the HTTP status for unknown or missing codes', () => {
		expect(verdict(502, 'Bad Gateway')).toBe('retry');
		expect(verdict(503, '')).toBe('retry');
		expect(verdict(408, '')).toBe('retry');
		expect(verdict(429, '')).toBe('rateLimited');
		expect(verdict(401, { error_code: 'APIGW.0301' })).toBe('fatal');
		expect(verdict(404, { error_code: 'APIGW.0101' })).toBe('fatal');
		expect(verdict(200, { error_code: 'MKT.7777' })).toBe('fatal');
	});

	it("explains in plain words, with the code and KooGallery's own message", () => {
		expect(
			classifyOpenApiAnswer(401, { resultCode: 'MKT.0154', resultMsg: 'Illegal token.' }),
		).toEqual({
			verdict: 'fatal',
			status: 401,
			code: 'MKT.0154',
			message: 'Illegal token.',
			body: { resultCode: 'MKT.0154', resultMsg: 'Illegal token.' },
			explanation:
				"MKT.0154 Illegal token: KooGallery did not accept the request signature. Check the AK and SK in the KooGallery Access Key credential (seller console: 我的凭证 (My Credentials) > 访问密钥 (Access Keys)) and that this machine's clock is right.",
		});
		expect(
			classifyOpenApiAnswer(404, { error_code: 'APIGW.0101', error_msg: 'no such API' })
				.explanation,
		).toBe(
			'APIGW.0101 (no such API): The address does not exist (HTTP 404). Check the site, or the custom base URL, in the credential.',
		);
	});
});

describe('network errors', () => {
	const node = {
		name: 'KooGallery',
		type: 'n8n-nodes-koogallery.kooGallery',
		typeVersion: 1,
	} as INode;
	let server: http.Server;
	let port: number;
	beforeAll(async () => {
		server = http.createServer((req) => {
			// Anything else is never answered (until afterAll closes it): only the caller's timeout ends it.
			if (req.url === '/drop') req.socket.destroy();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	/** The error a real request throws, wrapped the way n8n wraps it. */
	async function failure(url: string, timeout?: number): Promise<NodeApiError> {
		const error = await axios.get(url, { timeout }).catch((e) => e);
		return new NodeApiError(node, error as JsonObject);
	}

	it('treats a dropped connection, a timeout and a refused connection as passing', async () => {
		const dropped = await failure(`http://127.0.0.1:${port}/drop`);
		expect(isTransientNetworkError(dropped)).toBe(true);
		expect(describeNetworkError(dropped)).toBe(
			'The connection was closed before KooGallery answered.',
		);
		const late = await failure(`http://127.0.0.1:${port}/slow`, 50);
		expect(isTransientNetworkError(late)).toBe(true);
		expect(describeNetworkError(late)).toBe('KooGallery did not answer in time (timeout).');
		const closed = await failure('http://127.0.0.1:1/');
		expect(isTransientNetworkError(closed)).toBe(true);
		expect(describeNetworkError(closed)).toBe(
			'The connection was refused: nothing answers at that address.',
		);
	});

	it('does not retry configuration errors', () => {
		const error = new NodeApiError(
			node,
			new Error('The Access Key ID (AK) is empty.') as unknown as JsonObject,
		);
		expect(isTransientNetworkError(error)).toBe(false);
		expect(isTransientNetworkError(new Error('Cannot read properties of undefined'))).toBe(false);
	});
});
