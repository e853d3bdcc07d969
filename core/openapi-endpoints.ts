/**
 * Where KooGallery's Open APIs live (docs/protocol/koogallery-openapi-v1.md §A.0, docs/protocol/README.md decision 10):
 * one host per site, a custom base URL for the local mock or a seller's gateway, and the paths
 * of the APIs the action node calls.
 */
import { apigEncode } from './aksk/canonical';

/** The sites a seller can be on, plus `custom` for a base URL of one's own. */
export type OpenApiSite = 'cn' | 'cnFallback' | 'intl' | 'eu' | 'custom';

/** Host per site. `cnFallback` is the documented `.cn` name for when the `.com` one is unreachable. */
export const OPEN_API_HOSTS: Readonly<Record<Exclude<OpenApiSite, 'custom'>, string>> = {
	cn: 'mkt.myhuaweicloud.com',
	cnFallback: 'mkt.myhuaweicloud.cn',
	intl: 'mkt-intl.myhuaweicloud.com',
	eu: 'mkt.myhuaweicloud.eu',
};

/** One Open API the action node calls: its HTTP method and path (the site host or base URL goes before it). */
export interface OpenApiEndpoint {
	readonly method: 'GET' | 'POST';
	readonly path: string;
}

/**
 * The Open APIs the action node calls (spec §A.1, §A.2.1, §A.2.2, §A.4), by name. The node's
 * operations send their requests to these entries and the Open API mock routes on them
 * (simulator/openapi-mock.cts), so a new API is one entry here.
 */
export const OPEN_API_ENDPOINTS = {
	orderQuery: { method: 'GET', path: '/api/mkp-openapi-public/global/v1/order/query' },
	usagePush: { method: 'POST', path: '/api/mkp-openapi-public/global/v1/isv/usage-data' },
	usagePushOld: { method: 'POST', path: '/rest/marketplace/v1/isv/usage-data' },
	licenseActivateV1: { method: 'POST', path: '/api/mkp-openapi-public/global/v1/license/activate' },
	licenseActivateV2: { method: 'POST', path: '/api/mkp-openapi-public/global/v2/license/activate' },
	licenseHeartbeatV1: {
		method: 'POST',
		path: '/api/mkp-openapi-public/global/v1/license/heartbeat',
	},
	licenseHeartbeatV2: {
		method: 'POST',
		path: '/api/mkp-openapi-public/global/v2/license/heartbeat',
	},
} as const satisfies Record<string, OpenApiEndpoint>;

export type OpenApiEndpointName = keyof typeof OPEN_API_ENDPOINTS;

/** The path of each Open API, by the same names. */
export const OPEN_API_PATHS = Object.fromEntries(
	Object.entries(OPEN_API_ENDPOINTS).map(([name, endpoint]) => [name, endpoint.path]),
) as { readonly [Name in OpenApiEndpointName]: (typeof OPEN_API_ENDPOINTS)[Name]['path'] };

/** The name of the Open API at exactly this path, or undefined. */
export function openApiEndpointAt(path: string): OpenApiEndpointName | undefined {
	return (Object.keys(OPEN_API_ENDPOINTS) as OpenApiEndpointName[]).find(
		(name) => OPEN_API_ENDPOINTS[name].path === path,
	);
}

/** The parsed URL, or undefined when the text is not one. */
function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/**
 * The base URL (scheme, host and an optional path prefix, no trailing slash) for a site. For
 * `custom`, the given URL is checked: it must be http(s), carry a host, and have no query or
 * fragment. Throws an Error with a plain explanation otherwise.
 */
export function openApiBaseUrl(site: string | undefined, customBaseUrl?: string): string {
	if (site === 'custom') {
		const text = (customBaseUrl ?? '').trim();
		if (text === '') {
			throw new Error(
				'The credential is set to a custom base URL, but the Base URL field is empty.',
			);
		}
		const parsed = parseUrl(text);
		if (!parsed) {
			throw new Error(
				`The custom base URL "${text}" is not a URL. Write it like https://gateway.example.com or http://127.0.0.1:8787.`,
			);
		}
		if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
			throw new Error(
				`The custom base URL must start with https:// (or http:// for a local mock), not ${parsed.protocol}//.`,
			);
		}
		if (parsed.search !== '' || parsed.hash !== '') {
			throw new Error(
				'The custom base URL must not contain "?" or "#"; give only the address and an optional path prefix.',
			);
		}
		return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
	}
	const host = OPEN_API_HOSTS[(site ?? 'cn') as Exclude<OpenApiSite, 'custom'>];
	if (host === undefined)
		throw new Error(`"${site}" is not a KooGallery site. Pick one in the credential.`);
	return `https://${host}`;
}

/** Query values as the node hands them over; empty and missing values are left out. */
export type QueryInput = Record<string, string | number | boolean | null | undefined>;

/**
 * Joins a base URL, a path (absolute URLs are kept as they are) and query parameters into the
 * exact URL to request. Names and values are percent-encoded the way APIG canonicalises them,
 * in the order given; parameters whose value is undefined, null or '' are left out.
 */
export function buildOpenApiUrl(baseUrl: string, path: string, query: QueryInput = {}): string {
	const start = /^https?:\/\//i.test(path)
		? path
		: `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
	const pairs = Object.entries(query)
		.filter(([, value]) => value !== undefined && value !== null && value !== '')
		.map(([name, value]) => `${apigEncode(name)}=${apigEncode(String(value))}`);
	if (pairs.length === 0) return start;
	return `${start}${start.includes('?') ? '&' : '?'}${pairs.join('&')}`;
}

/**
 * True when a URL is the new usage push, which needs the extra `signature` / `ts` / `nonce`
 * headers (spec §A.2.1). A custom base URL may add a path prefix, so only the end is compared.
 */
export function isNewUsagePush(url: string): boolean {
	const path = parseUrl(url)?.pathname ?? url.split('?')[0];
	return path.replace(/\/+$/, '').endsWith(OPEN_API_PATHS.usagePush);
}
