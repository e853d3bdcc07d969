/**
 * Building and signing Open API requests (core/openapi-request.ts, the credential's
 * authenticate): the published SDK-HMAC-SHA256 vectors TV1 and TV2 and our TV3 reproduced through
 * the same path the node uses, TV7's usage signature header, hosts per site, custom base URLs,
 * and the plain errors for an incomplete credential.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { verifyApigRequest } from '../../core/aksk/verify';
import {
	OPEN_API_HOSTS,
	buildOpenApiUrl,
	isNewUsagePush,
	openApiBaseUrl,
} from '../../core/openapi-endpoints';
import { openApiCredentialProblems, signOpenApiRequest } from '../../core/openapi-request';
import { usageSignature } from '../../core/usage-signature';
import { KooGalleryOpenApi } from '../../credentials/KooGalleryOpenApi.credentials';

const TV1 = {
	credentials: {
		accessKeyId: 'QTWAOYTTINDUT2QVKYUC',
		secretAccessKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
		site: 'custom',
		baseUrl: 'https://service.region.example.com',
	},
	request: {
		method: 'GET',
		url: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
		qs: { limit: 2, marker: '13551d6b-755d-4757-b956-536f674975c0' },
	},
	now: new Date(Date.UTC(2019, 10, 15, 3, 36, 55)),
	authorization:
		'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
};
const KG_TEST = { accessKeyId: 'test', secretAccessKey: '123', site: 'cn' };
const TV_DATE = new Date(Date.UTC(2024, 2, 17, 14, 42, 37));

describe('SDK-HMAC-SHA256 vectors through signOpenApiRequest', () => {
	it('TV1 (Huawei official example), with the query given as qs', () => {
		const signed = signOpenApiRequest(TV1.credentials, TV1.request, { now: TV1.now });
		expect(signed.url).toBe(
			'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
		);
		expect(signed.headers).toEqual({
			'Content-Type': 'application/json',
			'X-Sdk-Date': '20191115T033655Z',
			host: 'service.region.example.com',
			Authorization: TV1.authorization,
		});
		expect(signed.body).toBeUndefined();
	});

	it('TV2 (license activate, empty body, x-stage header)', () => {
		const signed = signOpenApiRequest(
			KG_TEST,
			{
				method: 'POST',
				url: '/api/mkp-openapi-public/global/v1/license/activate',
				body: '',
				headers: { 'x-stage': 'RELEASE' },
			},
			{ now: TV_DATE },
		);
		expect(signed.url).toBe(
			'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/license/activate',
		);
		expect(signed.headers.Authorization).toBe(
			'SDK-HMAC-SHA256 Access=test, SignedHeaders=content-type;host;x-sdk-date;x-stage, Signature=77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d',
		);
		expect(signed.body).toBe('');
	});

	it("TV3 (order query) through the credential's authenticate, as n8n calls it", async () => {
		const options: IHttpRequestOptions = {
			method: 'GET',
			url: '/api/mkp-openapi-public/global/v1/order/query',
			qs: { orderId: 'MOCKPERIODYEARNEW' },
			headers: { 'X-Sdk-Date': '20240317T144237Z' },
			json: false,
			returnFullResponse: true,
		};
		const sent = await new KooGalleryOpenApi().authenticate(KG_TEST, options);
		expect(sent).toEqual({
			method: 'GET',
			url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKPERIODYEARNEW',
			headers: {
				'X-Sdk-Date': '20240317T144237Z',
				'Content-Type': 'application/json',
				host: 'mkt.myhuaweicloud.com',
				Authorization:
					'SDK-HMAC-SHA256 Access=test, SignedHeaders=content-type;host;x-sdk-date, Signature=b2395e9e1eec2a32e164466eeb5be45956dcc7eeb9b6ebcb1ed2e4079df4c435',
			},
			json: false,
			returnFullResponse: true,
		});
	});
});

describe('usage push headers', () => {
	const TV7_BODY =
		'{"usage_records":[{"begin_time":"20220809T080000Z","end_time":"20220809T090000Z","instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","metering_sn":"sn-0001","record_time":"20220809T091000Z","usage_value":99}]}';

	it("adds TV7's signature, ts and nonce over the exact body, and signs them with AK/SK too", () => {
		const signed = signOpenApiRequest(
			{ ...KG_TEST, sellerSecretKey: 'xxxxxxx' },
			{ method: 'POST', url: '/api/mkp-openapi-public/global/v1/isv/usage-data', body: TV7_BODY },
			{ now: new Date(1709690865879), nonce: '6c63c221-1f6b-4141-8ff4-22f5dfe82b65' },
		);
		expect(signed.body).toBe(TV7_BODY);
		expect(signed.headers).toEqual(
			expect.objectContaining({
				signature: 'jSE2V7njJnNnK5Cj7jI4UBmeKOhkdulLYVZb6IZ9GyM=',
				ts: '1709690865879',
				nonce: '6c63c221-1f6b-4141-8ff4-22f5dfe82b65',
				'X-Sdk-Date': '20240306T020745Z',
			}),
		);
		expect(signed.headers.Authorization).toMatch(
			/SignedHeaders=content-type;host;nonce;signature;ts;x-sdk-date,/,
		);
		const verified = verifyApigRequest({
			method: 'POST',
			url: signed.url,
			headers: signed.headers,
			body: signed.body,
			credentials: (ak) => (ak === 'test' ? '123' : undefined),
			nowMs: 1709690865879,
		});
		expect(verified.ok).toBe(true);
	});

	it('uses a fresh nonce each time, and finds the usage path behind a gateway prefix', () => {
		const credentials = {
			...KG_TEST,
			site: 'custom',
			baseUrl: 'https://gw.example.com/koogallery/',
			sellerSecretKey: 'k',
		};
		const request = {
			method: 'POST',
			url: '/api/mkp-openapi-public/global/v1/isv/usage-data',
			body: '{"usage_records":[]}',
		};
		const a = signOpenApiRequest(credentials, request);
		const b = signOpenApiRequest(credentials, request);
		expect(a.url).toBe(
			'https://gw.example.com/koogallery/api/mkp-openapi-public/global/v1/isv/usage-data',
		);
		expect(a.headers.nonce).not.toBe(b.headers.nonce);
		expect(a.headers.signature).toBe(
			usageSignature('k', request.body, a.headers.ts, a.headers.nonce),
		);
	});

	it('leaves the old usage API and other APIs without them', () => {
		for (const url of [
			'/rest/marketplace/v1/isv/usage-data',
			'/api/mkp-openapi-public/global/v1/license/activate',
		]) {
			const signed = signOpenApiRequest(
				{ ...KG_TEST, sellerSecretKey: 'k' },
				{ method: 'POST', url, body: '{}' },
			);
			expect(Object.keys(signed.headers).sort()).toEqual([
				'Authorization',
				'Content-Type',
				'X-Sdk-Date',
				'host',
			]);
		}
	});

	it('refuses to push usage without a seller key, saying where to find it', () => {
		expect(() =>
			signOpenApiRequest(KG_TEST, {
				method: 'POST',
				url: '/api/mkp-openapi-public/global/v1/isv/usage-data',
				body: '{}',
			}),
		).toThrow(
			'Usage pushes need the seller key (商家对接密钥) in the credential: the key bound to the basic interfaces in 卖家中心 > 应用工具 > 密钥管理.',
		);
	});
});

describe('hosts and URLs', () => {
	it('maps each site to its host (decision 10)', () => {
		expect(openApiBaseUrl('cn')).toBe('https://mkt.myhuaweicloud.com');
		expect(openApiBaseUrl('cnFallback')).toBe('https://mkt.myhuaweicloud.cn');
		expect(openApiBaseUrl('intl')).toBe('https://mkt-intl.myhuaweicloud.com');
		expect(openApiBaseUrl('eu')).toBe('https://mkt.myhuaweicloud.eu');
		expect(Object.keys(OPEN_API_HOSTS)).toHaveLength(4);
		expect(openApiBaseUrl('custom', ' http://127.0.0.1:8787/ ')).toBe('http://127.0.0.1:8787');
	});

	it('explains a bad custom base URL', () => {
		expect(() => openApiBaseUrl('custom', '')).toThrow('the Base URL field is empty');
		expect(() => openApiBaseUrl('custom', 'mkt.example.com')).toThrow('is not a URL');
		expect(() => openApiBaseUrl('custom', 'ftp://mkt.example.com')).toThrow(
			'must start with https://',
		);
		expect(() => openApiBaseUrl('custom', 'https://mkt.example.com/?a=1')).toThrow(
			'must not contain "?" or "#"',
		);
		expect(() => openApiBaseUrl('mars')).toThrow('"mars" is not a KooGallery site');
	});

	it('encodes query values once, RFC 3986 style, and leaves out empty ones', () => {
		expect(buildOpenApiUrl('https://h', '/p', { a: 'x y+z', b: '', c: undefined, d: '订单' })).toBe(
			'https://h/p?a=x%20y%2Bz&d=%E8%AE%A2%E5%8D%95',
		);
	});

	it('recognises the new usage path only', () => {
		expect(
			isNewUsagePush('http://127.0.0.1:1/api/mkp-openapi-public/global/v1/isv/usage-data/'),
		).toBe(true);
		expect(isNewUsagePush('https://h/rest/marketplace/v1/isv/usage-data')).toBe(false);
	});

	it('signs a request whose query needs encoding so that the verifier agrees', () => {
		const signed = signOpenApiRequest(KG_TEST, {
			method: 'GET',
			url: '/api/mkp-openapi-public/global/v1/order/query',
			qs: { orderId: 'A B/订单' },
		});
		const result = verifyApigRequest({
			method: 'GET',
			url: signed.url,
			headers: signed.headers,
			credentials: () => '123',
		});
		expect(result.ok).toBe(true);
	});
});

describe('credential problems', () => {
	it('lists every missing piece in plain words', () => {
		expect(openApiCredentialProblems({ site: 'custom' })).toEqual([
			'The Access Key ID (AK) is empty. Copy it from the seller console: 我的凭证 (My Credentials) > 访问密钥 (Access Keys).',
			'The Secret Access Key (SK) is empty. It is in the key file downloaded when the access key was created.',
			'The credential is set to a custom base URL, but the Base URL field is empty.',
		]);
		expect(openApiCredentialProblems(KG_TEST)).toEqual([]);
		expect(() => signOpenApiRequest({ ...KG_TEST, secretAccessKey: ' ' }, { url: '/x' })).toThrow(
			'The Secret Access Key (SK) is empty.',
		);
	});

	it('serialises an object body once, and drops an empty one from GET', () => {
		expect(
			signOpenApiRequest(KG_TEST, { method: 'POST', url: '/x', body: { b: 1, a: [2] } }).body,
		).toBe('{"b":1,"a":[2]}');
		expect(
			signOpenApiRequest(KG_TEST, { method: 'GET', url: '/x', body: {} }).body,
		).toBeUndefined();
	});
});
