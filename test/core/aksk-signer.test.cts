/**
 * AK/SK signer (`SDK-HMAC-SHA256`, docs/protocol/koogallery-openapi-v1.md §B.3): the published vectors
 * TV1/TV2/TV3 byte for byte, a second opinion from Huawei's Node SDK core `AKSKSigner` on 240
 * generated requests (docs/protocol/README.md decision 13), and the verifier's round trips and tamper cases.
 */
import {
	EMPTY_BODY_SHA256,
	apigEncode,
	canonicalQueryString,
	canonicalRequest,
	canonicalUri,
	type ApigRequest,
	type HeaderMap,
} from '../../core/aksk/canonical';
import { formatSdkDate, parseSdkDate } from '../../core/aksk/date';
import { signApigRequest, stringToSign } from '../../core/aksk/sign';
import {
	APIG_DEFAULT_TOLERANCE_MS,
	parseApigAuthorization,
	verifyApigRequest,
} from '../../core/aksk/verify';
import { sha256Hex } from '../../core/hmac';

// The SDK's typings describe its own request class; only the fields the signer reads are used.
interface SdkRequest {
	endpoint: string;
	method: string;
	headers: Record<string, string>;
	queryParams: Record<string, string | string[]>;
	data?: unknown;
}
// The SDK is a devDependency, used here only as the reference (it cannot ship).
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
	AKSKSigner: {
		sign(
			request: SdkRequest,
			credential: { getAk(): string; getSk(): string },
		): Record<string, string>;
	};
};

const NL = '\n';

describe('TV1: Huawei official example', () => {
	const request = {
		method: 'GET',
		url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
		headers: {
			'Content-Type': 'application/json',
			Host: 'service.region.example.com',
			'X-Sdk-Date': '20191115T033655Z',
		},
		ak: 'QTWAOYTTINDUT2QVKYUC',
		sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
	};
	const expectedCanonical = [
		'GET',
		'/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
		'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
		'content-type:application/json',
		'host:service.region.example.com',
		'x-sdk-date:20191115T033655Z',
		'',
		'content-type;host;x-sdk-date',
		'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	].join(NL);

	it('builds the canonical request, string to sign and signature of the documentation', () => {
		const signed = signApigRequest(request);
		expect(signed.canonicalRequest).toBe(expectedCanonical);
		expect(canonicalRequest(request)).toBe(expectedCanonical);
		expect(sha256Hex(signed.canonicalRequest)).toBe(
			'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
		);
		expect(signed.stringToSign).toBe(
			`SDK-HMAC-SHA256${NL}20191115T033655Z${NL}b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a`,
		);
		expect(stringToSign('20191115T033655Z', expectedCanonical)).toBe(signed.stringToSign);
		expect(signed.headers).toEqual({
			Authorization:
				'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
		});
	});

	it('gives the same signature when the date comes from `date` and the host from the URL', () => {
		const { Host: _host, 'X-Sdk-Date': _date, ...headers } = request.headers;
		const signed = signApigRequest({
			...request,
			headers,
			date: new Date(Date.UTC(2019, 10, 15, 3, 36, 55)),
		});
		expect(signed.headers).toEqual({
			'X-Sdk-Date': '20191115T033655Z',
			host: 'service.region.example.com',
			Authorization:
				'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
		});
	});
});

describe('TV2: KooGallery license activation (community SDK test)', () => {
	it('adds the host from the URL and signs an empty POST body', () => {
		const signed = signApigRequest({
			method: 'POST',
			url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/license/activate',
			headers: {
				'x-stage': 'RELEASE',
				'X-Sdk-Date': '20240317T144237Z',
				'Content-Type': 'application/json',
			},
			body: '',
			ak: 'test',
			sk: '123',
		});
		expect(signed.canonicalRequest).toBe(
			[
				'POST',
				'/api/mkp-openapi-public/global/v1/license/activate/',
				'',
				'content-type:application/json',
				'host:mkt.myhuaweicloud.com',
				'x-sdk-date:20240317T144237Z',
				'x-stage:RELEASE',
				'',
				'content-type;host;x-sdk-date;x-stage',
				EMPTY_BODY_SHA256,
			].join(NL),
		);
		expect(sha256Hex(signed.canonicalRequest)).toBe(
			'9a33b07351104f6c775075faa7dc0db58ec18bc532feaa8fd0b8fcf7990b1a9e',
		);
		expect(signed.headers).toEqual({
			host: 'mkt.myhuaweicloud.com',
			Authorization:
				'SDK-HMAC-SHA256 Access=test, SignedHeaders=content-type;host;x-sdk-date;x-stage, Signature=77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d',
		});
	});

	it('does not let the AK enter the signature', () => {
		const base = {
			method: 'POST',
			url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/license/activate',
			headers: {
				'x-stage': 'RELEASE',
				'X-Sdk-Date': '20240317T144237Z',
				'Content-Type': 'application/json',
			},
			sk: '123',
		};
		const a = parseApigAuthorization(
			signApigRequest({ ...base, ak: 'test' }).headers.Authorization,
		);
		const b = parseApigAuthorization(
			signApigRequest({ ...base, ak: 'other' }).headers.Authorization,
		);
		expect(a?.signature).toBe('77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d');
		expect(b?.signature).toBe(a?.signature);
		expect(b?.ak).toBe('other');
	});
});

describe('TV3: order query', () => {
	it('matches the local-check vector', () => {
		const signed = signApigRequest({
			method: 'GET',
			url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKPERIODYEARNEW',
			headers: {
				'Content-Type': 'application/json',
				Host: 'mkt.myhuaweicloud.com',
				'X-Sdk-Date': '20240317T144237Z',
			},
			ak: 'AK',
			sk: '123',
		});
		expect(sha256Hex(signed.canonicalRequest)).toBe(
			'27a1734f642f796b1388d07abf70f70ed176d687436c7b8b604a263612fe8260',
		);
		expect(signed.headers.Authorization).toBe(
			'SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=b2395e9e1eec2a32e164466eeb5be45956dcc7eeb9b6ebcb1ed2e4079df4c435',
		);
	});
});

describe('canonical pieces', () => {
	it('formats and parses X-Sdk-Date in UTC', () => {
		expect(formatSdkDate(new Date(Date.UTC(2016, 5, 29, 10, 14, 59)))).toBe('20160629T101459Z');
		expect(formatSdkDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 999)))).toBe('20240102T030405Z');
		expect(parseSdkDate('20160629T101459Z')).toBe(Date.UTC(2016, 5, 29, 10, 14, 59));
		for (const bad of [
			'20160629T101459',
			'2016-06-29T10:14:59Z',
			'20230230T000000Z',
			'20160629T246000Z',
			'',
			7,
		]) {
			expect(parseSdkDate(bad)).toBeUndefined();
		}
	});

	it('appends a slash to the canonical URI only when missing, and re-encodes segments', () => {
		expect(canonicalUri('/v1/vpcs')).toBe('/v1/vpcs/');
		expect(canonicalUri('/v1/vpcs/')).toBe('/v1/vpcs/');
		expect(canonicalUri('/')).toBe('/');
		expect(canonicalUri('')).toBe('/');
		expect(canonicalUri('/a%20b/%E6%95%B0%E6%8D%AE/x%2fy')).toBe(
			'/a%20b/%E6%95%B0%E6%8D%AE/x%2Fy/',
		);
		expect(canonicalUri("/a b/数据/!*(')")).toBe('/a%20b/%E6%95%B0%E6%8D%AE/%21%2A%28%27%29/');
		// A malformed escape is encoded as it was sent.
		expect(canonicalUri('/a%zz')).toBe('/a%25zz/');
	});

	it('sorts the query by name then value, keeps repeated and empty values, treats + literally', () => {
		expect(canonicalQueryString('')).toBe('');
		expect(canonicalQueryString('?b=2&a=1')).toBe('a=1&b=2');
		expect(canonicalQueryString('k=z&k=a&k=m')).toBe('k=a&k=m&k=z');
		expect(canonicalQueryString('flag&empty=&x=1')).toBe('empty=&flag=&x=1');
		expect(canonicalQueryString('=orphan&&a=1')).toBe('a=1');
		expect(canonicalQueryString('q=a+b&r=a%20b&s=a%2Bb')).toBe('q=a%2Bb&r=a%20b&s=a%2Bb');
		expect(canonicalQueryString('n%C3%A4me=%E2%82%AC&t=~-_.')).toBe('n%C3%A4me=%E2%82%AC&t=~-_.');
	});

	it('encodes UTF-8 with uppercase hex, keeping only unreserved characters', () => {
		expect(apigEncode("AZaz09-_.~ !*'()/?#[]@$&+,;=%")).toBe(
			'AZaz09-_.~%20%21%2A%27%28%29%2F%3F%23%5B%5D%40%24%26%2B%2C%3B%3D%25',
		);
		expect(apigEncode('é😀')).toBe('%C3%A9%F0%9F%98%80');
	});

	it('hashes the body exactly as sent, string or Buffer alike', () => {
		const base = {
			method: 'POST',
			url: 'https://h.example/p',
			headers: { 'X-Sdk-Date': '20240101T000000Z' },
		};
		const text = '{"name":"数据","n":1}';
		const fromText = canonicalRequest({ ...base, body: text });
		expect(canonicalRequest({ ...base, body: Buffer.from(text, 'utf8') })).toBe(fromText);
		expect(fromText.endsWith(`\n${sha256Hex(Buffer.from(text, 'utf8'))}`)).toBe(true);
		expect(canonicalRequest({ ...base, body: '' })).toBe(canonicalRequest(base));
		expect(canonicalRequest({ ...base, body: ' ' })).not.toBe(canonicalRequest(base));
	});

	it('trims header values, merges header name case, and never signs Authorization', () => {
		const signed = signApigRequest({
			method: 'GET',
			url: 'https://h.example/p',
			headers: {
				'X-Custom': '  spaced value \t',
				Authorization: 'old',
				'X-Sdk-Date': '20240101T000000Z',
			},
			ak: 'ak',
			sk: 'sk',
		});
		expect(signed.signedHeaders).toBe('host;x-custom;x-sdk-date');
		expect(signed.canonicalRequest).toContain('\nx-custom:spaced value\n');
	});

	it('takes the host with its port from the URL, as it goes on the wire', () => {
		const sign = (url: string) =>
			signApigRequest({
				method: 'GET',
				url,
				headers: { 'X-Sdk-Date': '20240101T000000Z' },
				ak: 'a',
				sk: 's',
			});
		expect(sign('http://127.0.0.1:3000/x').headers.host).toBe('127.0.0.1:3000');
		expect(sign('https://mkt.myhuaweicloud.com:443/x').headers.host).toBe('mkt.myhuaweicloud.com');
		expect(() => sign('/relative/path')).toThrow('Host header');
	});
});

/** Mulberry32: a small seeded generator, so every run signs the same requests. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface GeneratedRequest {
	/** What our signer gets: the URL as it would go on the wire. */
	ours: ApigRequest;
	/** The same request in the SDK's shape: raw path, decoded query object, parsed JSON body. */
	sdk: SdkRequest;
	date: Date;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const UNRESERVED = `${LETTERS}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~`;
// Characters a path can carry raw through both `new URL` and the SDK's `url.parse` (see below).
const PATH_RESERVED = '!$&()*+,;=:@%';
const UNICODE = ['é', 'ü', '数据', '云商店', 'Ω', '😀', 'ß'];
const QUERY_EXTRA = ' !#$&\'()*+,/:;=?@[]%"<>^`{|}\\';

function generate(random: () => number, index: number): GeneratedRequest {
	const pick = <T,>(items: readonly T[] | string): T =>
		items[Math.floor(random() * items.length)] as T;
	const chance = (p: number) => random() < p;
	const text = (alphabet: string, min: number, max: number, unicode = 0): string => {
		let out = '';
		const length = min + Math.floor(random() * (max - min + 1));
		for (let i = 0; i < length; i++) out += chance(unicode) ? pick(UNICODE) : pick(alphabet);
		return out;
	};
	/** Escapes for the wire, sometimes fully, sometimes as encodeURIComponent does, sometimes not for `keep`. */
	const escape = (value: string, keep: string): string => {
		const style = random();
		if (style < 0.3) return apigEncode(value);
		if (style < 0.6) return encodeURIComponent(value);
		return [...value]
			.map((char) =>
				keep.includes(char) || UNRESERVED.includes(char) ? char : encodeURIComponent(char),
			)
			.join('');
	};

	const method = pick(['GET', 'POST', 'PUT', 'DELETE'] as const);
	const host = pick([
		'mkt.myhuaweicloud.com',
		'mkt-intl.myhuaweicloud.com',
		'mkt.myhuaweicloud.eu',
		'127.0.0.1:8443',
		'localhost:3000',
	]);

	// Path: segments never "." or ".." (the WHATWG parser resolves those, the SDK does not).
	const segments: string[] = [];
	const segmentCount = Math.floor(random() * 5);
	for (let i = 0; i < segmentCount; i++) {
		let segment = text(UNRESERVED + PATH_RESERVED, chance(0.05) ? 0 : 1, 12, 0.15);
		while (segment === '.' || segment === '..') segment = text(LETTERS, 1, 4);
		segments.push(segment);
	}
	const trailingSlash = segmentCount === 0 || chance(0.4);
	const rawPath = `/${segments.join('/')}${trailingSlash && segmentCount > 0 ? '/' : ''}`;
	const wirePath = `/${segments.map((s) => escape(s, PATH_RESERVED.replace('%', ''))).join('/')}${trailingSlash && segmentCount > 0 ? '/' : ''}`;

	// Query: repeated names, empty values, names without "=", reserved and non-ASCII characters.
	const queryParams: Record<string, string | string[]> = {};
	const wireQuery: string[] = [];
	const paramCount = Math.floor(random() * 6);
	for (let i = 0; i < paramCount; i++) {
		const name =
			chance(0.3) && i > 0
				? Object.keys(queryParams)[0]
				: text(UNRESERVED + QUERY_EXTRA, 1, 8, 0.1);
		const repeats = chance(0.2) ? 2 + Math.floor(random() * 3) : 1;
		for (let r = 0; r < repeats; r++) {
			const value = chance(0.15) ? '' : text(UNRESERVED + QUERY_EXTRA, 1, 16, 0.1);
			const existing = queryParams[name];
			queryParams[name] = existing === undefined ? value : ([] as string[]).concat(existing, value);
			const wireName = escape(name, "!$'()*,/:;@?");
			if (value === '' && chance(0.5)) wireQuery.push(wireName);
			else wireQuery.push(`${wireName}=${escape(value, "!$'()*,/:;@?")}`);
		}
	}

	// Headers: lowercase letters, digits and "-" in names (see the header-order note below).
	const sdkHeaders: Record<string, string> = {};
	const ourHeaders: HeaderMap = {};
	const addHeader = (name: string, value: string) => {
		sdkHeaders[name] = value;
		ourHeaders[
			chance(0.5)
				? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
				: name
		] = value;
	};
	if (method !== 'GET' || chance(0.5))
		addHeader(
			'content-type',
			pick(['application/json', 'application/json;charset=UTF-8', 'text/plain']),
		);
	const extra = Math.floor(random() * 4);
	for (let i = 0; i < extra; i++) {
		addHeader(
			`x-${text(`${LETTERS}0123456789-`, 1, 10)}`.replace(/-+$/, '') || 'x-h',
			text(' !#$%&()*+,-./0123456789:;<=>?@ABCXYZabcxyz[]^_{|}~', 1, 24).trim() || 'v',
		);
	}
	if (chance(0.5)) addHeader('x-stage', 'RELEASE');

	// Body: JSON as the SDK would serialise it (JSON.stringify of an object), or none.
	let data: unknown;
	let body: string | Buffer | undefined;
	if ((method === 'POST' || method === 'PUT') && chance(0.85)) {
		data = chance(0.1)
			? {}
			: {
					usage_records: [
						{ instance_id: text(UNRESERVED, 8, 36), usage_value: Math.round(random() * 1e6) / 100 },
					],
					note: text(UNRESERVED + QUERY_EXTRA, 0, 20, 0.3),
					nested: { emoji: '😀', quote: '"\\', n: index },
				};
		const json = JSON.stringify(data);
		body = chance(0.3) ? Buffer.from(json, 'utf8') : json;
	} else if (chance(0.3)) {
		body = '';
	}

	const date = new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 20 * 365 * 86400) * 1000);
	const ourQuery = wireQuery.length > 0 ? `?${wireQuery.join('&')}` : '';
	return {
		ours: { method, url: `https://${host}${wirePath}${ourQuery}`, headers: ourHeaders, body },
		sdk: {
			endpoint: `https://${host}${rawPath}`,
			method,
			headers: { ...sdkHeaders, 'X-Sdk-Date': formatSdkDate(date) },
			queryParams,
			data,
		},
		date,
	};
}

describe('second opinion: Huawei Node SDK core AKSKSigner (decision 13)', () => {
	const credential = {
		getAk: () => 'HPUABCDEFGHIJKLMNOPQ',
		getSk: () => 'sk-Secret/With+Special=Chars',
	};
	const random = seededRandom(0x5eed2024);
	const cases = Array.from({ length: 240 }, (_, index) => generate(random, index));

	it('covers the variety the decision asks for', () => {
		const methods = new Set(cases.map((c) => c.ours.method));
		expect([...methods].sort()).toEqual(['DELETE', 'GET', 'POST', 'PUT']);
		const paths = cases.map((c) => new URL(c.ours.url).pathname);
		expect(paths.filter((p) => p.endsWith('/') && p !== '/').length).toBeGreaterThan(20);
		expect(paths.filter((p) => !p.endsWith('/')).length).toBeGreaterThan(20);
		expect(paths.filter((p) => /%[EF][0-9A-F]/i.test(p)).length).toBeGreaterThan(10);
		expect(
			cases.filter((c) => Object.values(c.sdk.queryParams).some(Array.isArray)).length,
		).toBeGreaterThan(10);
		expect(
			cases.filter((c) =>
				Object.values(c.sdk.queryParams).some(
					(v) => v === '' || (Array.isArray(v) && v.includes('')),
				),
			).length,
		).toBeGreaterThan(10);
		expect(cases.filter((c) => /%2B|\+/.test(new URL(c.ours.url).search)).length).toBeGreaterThan(
			10,
		);
		expect(cases.filter((c) => Buffer.isBuffer(c.ours.body)).length).toBeGreaterThan(10);
		expect(
			cases.filter((c) => typeof c.ours.body === 'string' && /[^\x00-\x7f]/.test(c.ours.body))
				.length,
		).toBeGreaterThan(10);
		expect(
			cases.filter((c) => c.ours.body === undefined || c.ours.body === '').length,
		).toBeGreaterThan(50);
	});

	it('gives the same X-Sdk-Date, host and Authorization as the SDK for every generated request', () => {
		const mismatches: string[] = [];
		for (const [index, c] of cases.entries()) {
			const sdkHeaders = AKSKSigner.sign(
				{
					...c.sdk,
					headers: { ...c.sdk.headers },
					queryParams: structuredClone(c.sdk.queryParams),
				},
				credential,
			);
			const ours = signApigRequest({
				...c.ours,
				ak: credential.getAk(),
				sk: credential.getSk(),
				date: c.date,
			});
			const same =
				ours.headers.Authorization === sdkHeaders.Authorization &&
				ours.headers['X-Sdk-Date'] === sdkHeaders['X-Sdk-Date'] &&
				ours.headers.host === sdkHeaders.host;
			if (!same) {
				mismatches.push(
					`#${index} ${c.ours.method} ${c.ours.url}\n ours ${ours.headers.Authorization}\n sdk  ${sdkHeaders.Authorization}\n${ours.canonicalRequest}`,
				);
			}
		}
		expect(mismatches).toEqual([]);
	});

	it('documents where the SDK differs from the published rules, and which one we follow', () => {
		const sign = (ours: Omit<ApigRequest, 'method'>, sdk: Omit<SdkRequest, 'method'>) => ({
			ours: signApigRequest({ method: 'GET', ...ours, ak: 'a', sk: 's' }).headers.Authorization,
			sdk: AKSKSigner.sign({ method: 'GET', ...sdk }, { getAk: () => 'a', getSk: () => 's' })
				.Authorization,
		});
		const date = '20240101T000000Z';
		// 1. Header values: the spec (§B.3, [S-APISIGN-2]) trims them; the SDK signs them untrimmed.
		//    We follow the published rule; the two agree as soon as values carry no outer spaces.
		const padded = sign(
			{ url: 'https://h.example/p', headers: { 'X-Sdk-Date': date, 'x-a': ' v ' } },
			{
				endpoint: 'https://h.example/p',
				headers: { 'X-Sdk-Date': date, 'x-a': ' v ' },
				queryParams: {},
			},
		);
		const trimmed = sign(
			{ url: 'https://h.example/p', headers: { 'X-Sdk-Date': date, 'x-a': 'v' } },
			{
				endpoint: 'https://h.example/p',
				headers: { 'X-Sdk-Date': date, 'x-a': 'v' },
				queryParams: {},
			},
		);
		expect(padded.ours).toBe(trimmed.ours);
		expect(padded.sdk).not.toBe(padded.ours);
		expect(trimmed.sdk).toBe(trimmed.ours);
		// 2. Header order: the SDK lists SignedHeaders in code-unit order but writes the canonical
		//    headers in locale order, which puts "_" before "-". The spec says sorted; we use
		//    code-unit order for both, so SignedHeaders and the canonical headers always agree.
		const underscore = sign(
			{ url: 'https://h.example/p', headers: { 'X-Sdk-Date': date, 'x-a': '1', x_a: '2' } },
			{
				endpoint: 'https://h.example/p',
				headers: { 'X-Sdk-Date': date, 'x-a': '1', x_a: '2' },
				queryParams: {},
			},
		);
		expect(underscore.sdk).not.toBe(underscore.ours);
		// 3. A path escape: the SDK encodes the path it is given again, so an escaped space
		//    becomes %2520 (and url.parse escapes a raw space first). Servers see the decoded path;
		//    we decode, then encode, as the APIG signer samples do.
		const spaced = sign(
			{ url: 'https://h.example/a%20b', headers: { 'X-Sdk-Date': date } },
			{ endpoint: 'https://h.example/a b', headers: { 'X-Sdk-Date': date }, queryParams: {} },
		);
		expect(spaced.sdk).not.toBe(spaced.ours);
		expect(
			canonicalRequest({
				method: 'GET',
				url: 'https://h.example/a%20b',
				headers: { 'X-Sdk-Date': date },
			}).split('\n')[1],
		).toBe('/a%20b/');
		// 4. Default port: the SDK keeps ":443" in the host; HTTP clients (and we) drop it.
		const port = sign(
			{ url: 'https://h.example:443/p', headers: { 'X-Sdk-Date': date } },
			{ endpoint: 'https://h.example:443/p', headers: { 'X-Sdk-Date': date }, queryParams: {} },
		);
		expect(port.sdk).not.toBe(port.ours);
		// The trailing-slash rule is NOT a difference: both append "/" (TV1, TV2 and the cases above).
	});
});

describe('verifyApigRequest', () => {
	const NOW = Date.UTC(2024, 2, 17, 14, 42, 37);
	const keys: Record<string, string> = { AK1: 'secret-one', AK2: 'secret-two' };
	const credentials = (ak: string) => keys[ak];

	/** Signs a request and returns what a server would receive: lowercase headers, path-only URL. */
	function received(request: ApigRequest, ak = 'AK1', date = new Date(NOW)) {
		const signed = signApigRequest({ ...request, ak, sk: keys[ak], date });
		const url = new URL(request.url);
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries({ ...request.headers, ...signed.headers }))
			headers[name.toLowerCase()] = String(value);
		return { method: request.method, url: url.pathname + url.search, headers, body: request.body };
	}

	const order: ApigRequest = {
		method: 'GET',
		url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/order/query?orderId=MOCKONDEMAND&orderLineId=MOCKONDEMAND-000001',
		headers: { 'Content-Type': 'application/json' },
	};
	const push: ApigRequest = {
		method: 'POST',
		url: 'https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/isv/usage-data',
		headers: {
			'Content-Type': 'application/json',
			nonce: '6c63c221-1f6b-4141-8ff4-22f5dfe82b65',
			ts: '1709690865879',
		},
		body: '{"usage_records":[{"instance_id":"数据-1","usage_value":99}]}',
	};

	it('accepts what signApigRequest signs, for either key, string or Buffer body', () => {
		for (const ak of ['AK1', 'AK2']) {
			for (const request of [
				order,
				push,
				{ ...push, body: Buffer.from(push.body as string, 'utf8') },
			]) {
				const result = verifyApigRequest({
					...received(request, ak),
					credentials,
					nowMs: NOW + 5000,
				});
				expect(result).toEqual({
					ok: true,
					ak,
					sdkDate: '20240317T144237Z',
					timestampMs: NOW,
					skewMs: 5000,
					signedHeaders: expect.arrayContaining(['host', 'x-sdk-date', 'content-type']),
				});
			}
		}
	});

	it('accepts the published TV1 request', () => {
		const result = verifyApigRequest({
			method: 'GET',
			url: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
			headers: {
				'content-type': 'application/json',
				host: 'service.region.example.com',
				'x-sdk-date': '20191115T033655Z',
				authorization:
					'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
			},
			credentials: (ak) =>
				ak === 'QTWAOYTTINDUT2QVKYUC' ? 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' : undefined,
			nowMs: Date.UTC(2019, 10, 15, 3, 40),
		});
		expect(result.ok).toBe(true);
	});

	it('takes the host from an absolute URL when no Host header is given', () => {
		const request = received(order);
		const { host, ...headers } = request.headers;
		const absolute = `https://${host}${request.url}`;
		expect(
			verifyApigRequest({ ...request, url: absolute, headers, credentials, nowMs: NOW }).ok,
		).toBe(true);
		expect(verifyApigRequest({ ...request, headers, credentials, nowMs: NOW })).toMatchObject({
			reason: 'missingParameter',
			parameter: 'host',
		});
	});

	it('ignores unsigned headers the transport adds', () => {
		const request = received(push);
		const result = verifyApigRequest({
			...request,
			headers: { ...request.headers, 'user-agent': 'n8n', 'content-length': '99', accept: '*/*' },
			credentials,
			nowMs: NOW,
		});
		expect(result.ok).toBe(true);
	});

	const mutateChar = (text: string, index: number): string => {
		const code = text.charCodeAt(index);
		return text.slice(0, index) + String.fromCharCode(code ^ 1) + text.slice(index + 1);
	};

	it('refuses every single-byte change of the body', () => {
		const request = received(push);
		const bytes = Buffer.from(push.body as string, 'utf8');
		for (let i = 0; i < bytes.length; i++) {
			const body = Buffer.from(bytes);
			body[i] ^= 1;
			const result = verifyApigRequest({ ...request, body, credentials, nowMs: NOW });
			expect(result).toMatchObject({ ok: false, reason: 'badSignature' });
		}
		// Removing the body, or adding one, is a change too.
		expect(
			verifyApigRequest({ ...request, body: undefined, credentials, nowMs: NOW }),
		).toMatchObject({ reason: 'badSignature' });
		expect(
			verifyApigRequest({ ...received(order), body: '{}', credentials, nowMs: NOW }),
		).toMatchObject({ reason: 'badSignature' });
	});

	it('refuses every single-character change of the path and query', () => {
		const request = received(order);
		for (let i = 1; i < request.url.length; i++) {
			const url = mutateChar(request.url, i);
			const result = verifyApigRequest({ ...request, url, credentials, nowMs: NOW });
			expect({ url, reason: result.ok ? 'accepted' : result.reason }).toEqual({
				url,
				reason: 'badSignature',
			});
		}
		// Adding a parameter, or dropping the only trailing one, is a change too.
		expect(
			verifyApigRequest({ ...request, url: `${request.url}&extra=1`, credentials, nowMs: NOW }),
		).toMatchObject({ reason: 'badSignature' });
		expect(
			verifyApigRequest({ ...request, url: request.url.split('&')[0], credentials, nowMs: NOW }),
		).toMatchObject({ reason: 'badSignature' });
	});

	it('refuses every single-character change of a signed header value, and a changed method', () => {
		const request = received(push);
		for (const name of ['content-type', 'host', 'nonce', 'ts']) {
			const value = request.headers[name];
			for (let i = 0; i < value.length; i++) {
				const headers = { ...request.headers, [name]: mutateChar(value, i) };
				const result = verifyApigRequest({ ...request, headers, credentials, nowMs: NOW });
				expect({ name, i, reason: result.ok ? 'accepted' : result.reason }).toEqual({
					name,
					i,
					reason: 'badSignature',
				});
			}
		}
		// X-Sdk-Date: a second later is still in the window, but signed differently.
		const later = { ...request.headers, 'x-sdk-date': '20240317T144238Z' };
		expect(
			verifyApigRequest({ ...request, headers: later, credentials, nowMs: NOW }),
		).toMatchObject({ reason: 'badSignature' });
		expect(verifyApigRequest({ ...request, method: 'PUT', credentials, nowMs: NOW })).toMatchObject(
			{ reason: 'badSignature' },
		);
		// The signature itself, and the access key.
		const auth = request.headers.authorization;
		const flipped = auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0');
		expect(
			verifyApigRequest({
				...request,
				headers: { ...request.headers, authorization: flipped },
				credentials,
				nowMs: NOW,
			}),
		).toMatchObject({ reason: 'badSignature' });
		const otherKey = auth.replace('Access=AK1', 'Access=AK2');
		expect(
			verifyApigRequest({
				...request,
				headers: { ...request.headers, authorization: otherKey },
				credentials,
				nowMs: NOW,
			}),
		).toMatchObject({ reason: 'badSignature' });
		const unknownKey = auth.replace('Access=AK1', 'Access=NOPE');
		expect(
			verifyApigRequest({
				...request,
				headers: { ...request.headers, authorization: unknownKey },
				credentials,
				nowMs: NOW,
			}),
		).toMatchObject({
			reason: 'badSignature',
			message: 'The access key "NOPE" is not known.',
		});
	});

	it('shows the canonical request it computed when the signature does not match', () => {
		const request = received(order);
		const result = verifyApigRequest({
			...request,
			url: `${request.url}&x=1`,
			credentials,
			nowMs: NOW,
		});
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.canonicalRequest?.split('\n').slice(0, 3)).toEqual([
			'GET',
			'/api/mkp-openapi-public/global/v1/order/query/',
			'orderId=MOCKONDEMAND&orderLineId=MOCKONDEMAND-000001&x=1',
		]);
		expect(result.stringToSign?.startsWith('SDK-HMAC-SHA256\n20240317T144237Z\n')).toBe(true);
	});

	it('refuses a date outside the window, both ways, and accepts its edge', () => {
		const request = received(order);
		expect(APIG_DEFAULT_TOLERANCE_MS).toBe(15 * 60_000);
		expect(
			verifyApigRequest({ ...request, credentials, nowMs: NOW + APIG_DEFAULT_TOLERANCE_MS }).ok,
		).toBe(true);
		expect(
			verifyApigRequest({ ...request, credentials, nowMs: NOW + APIG_DEFAULT_TOLERANCE_MS + 1000 }),
		).toMatchObject({
			reason: 'staleTimestamp',
			message: expect.stringContaining('901 s old'),
		});
		expect(verifyApigRequest({ ...request, credentials, nowMs: NOW - 16 * 60_000 })).toMatchObject({
			reason: 'staleTimestamp',
			message: expect.stringContaining('in the future'),
		});
		expect(
			verifyApigRequest({ ...request, credentials, nowMs: NOW + 61_000, toleranceMs: 60_000 }),
		).toMatchObject({ reason: 'staleTimestamp' });
	});

	it('says what is missing or malformed, and never throws', () => {
		const request = received(order);
		const without = (name: string) =>
			Object.fromEntries(Object.entries(request.headers).filter(([n]) => n !== name));
		expect(
			verifyApigRequest({ ...request, headers: without('authorization'), credentials, nowMs: NOW }),
		).toEqual({
			ok: false,
			reason: 'missingParameter',
			message: 'The "Authorization" header is missing.',
			parameter: 'Authorization',
		});
		expect(
			verifyApigRequest({ ...request, headers: without('x-sdk-date'), credentials, nowMs: NOW }),
		).toMatchObject({
			reason: 'missingParameter',
			parameter: 'X-Sdk-Date',
		});
		expect(
			verifyApigRequest({ ...request, headers: without('content-type'), credentials, nowMs: NOW }),
		).toMatchObject({
			reason: 'missingParameter',
			parameter: 'content-type',
		});
		const garbage = [
			'garbage',
			'Bearer abc',
			'SDK-HMAC-SHA256 Access=AK1',
			'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=zz',
			'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;X-Sdk-Date, Signature=' + 'a'.repeat(64),
			'SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host, Signature=' + 'a'.repeat(64),
			'HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=' + 'a'.repeat(64),
		];
		for (const authorization of garbage) {
			const result = verifyApigRequest({
				...request,
				headers: { ...request.headers, authorization },
				credentials,
				nowMs: NOW,
			});
			expect({ authorization, reason: result.ok ? 'accepted' : result.reason }).toEqual({
				authorization,
				reason: 'malformedParameter',
			});
		}
		for (const date of ['2024-03-17T14:42:37Z', '20240317T144237', '20240230T000000Z']) {
			const result = verifyApigRequest({
				...request,
				headers: { ...request.headers, 'x-sdk-date': date },
				credentials,
				nowMs: NOW,
			});
			expect(result).toMatchObject({ reason: 'malformedParameter', parameter: 'X-Sdk-Date' });
		}
		const weird = [
			{ ...request, url: 'http://[bad', credentials, nowMs: NOW },
			{
				...request,
				headers: { ...request.headers, authorization: ['a', 'b'] },
				credentials,
				nowMs: NOW,
			},
			{ ...request, headers: undefined, credentials, nowMs: NOW },
			{
				...request,
				credentials: () => {
					throw new Error('store down');
				},
				nowMs: NOW,
			},
		];
		for (const input of weird) {
			expect(() => verifyApigRequest(input)).not.toThrow();
			expect(verifyApigRequest(input).ok).toBe(false);
		}
	});
});
