/**
 * Turns a request the action node wants to make into the exact request to send to KooGallery's
 * Open APIs: the absolute URL (site host or custom base URL, query encoded once), the body as one
 * string, `Content-Type`, the extra usage-push headers when the path is the new usage push
 * (docs/protocol/koogallery-openapi-v1.md §A.2.1, docs/protocol/README.md decision 9), and the `SDK-HMAC-SHA256`
 * Authorization over exactly those bytes (§B.3). The credential's `authenticate` calls this.
 */
import { signApigRequest } from './aksk/sign';
import {
	buildOpenApiUrl,
	isNewUsagePush,
	openApiBaseUrl,
	type QueryInput,
} from './openapi-endpoints';
import { usagePushHeaders } from './usage-signature';
import { textField, trimmedText } from './fields';

/** The fields of the `KooGallery Open API` credential (n8n hands them over decrypted). */
export interface OpenApiCredentialFields {
	accessKeyId?: unknown;
	secretAccessKey?: unknown;
	sellerSecretKey?: unknown;
	site?: unknown;
	baseUrl?: unknown;
}

/** The parts of n8n's request options this module reads. */
export interface OutgoingRequest {
	method?: string;
	url: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	body?: unknown;
}

export interface SignedOutgoingRequest {
	method: string;
	/** Absolute URL with the query already encoded; send it as it is, with no extra `qs`. */
	url: string;
	/** Every header to send: the caller's, `Content-Type`, usage headers, `X-Sdk-Date`, `host`, `Authorization`. */
	headers: Record<string, string>;
	/** The body exactly as signed; undefined when there is none. */
	body?: string | Buffer;
}

export interface SignOptions {
	/** Signing time (`X-Sdk-Date`, usage `ts`); defaults to now. */
	now?: Date;
	/** Fixed usage-push nonce, for tests. */
	nonce?: string;
}

/** Problems with the credential fields, in plain words; empty when it can sign requests. */
export function openApiCredentialProblems(credentials: OpenApiCredentialFields): string[] {
	const problems: string[] = [];
	if (trimmedText(credentials.accessKeyId) === '')
		problems.push(
			'The Access Key ID (AK) is empty. Copy it from the seller console: 我的凭证 (My Credentials) > 访问密钥 (Access Keys).',
		);
	if (trimmedText(credentials.secretAccessKey) === '')
		problems.push(
			'The Secret Access Key (SK) is empty. It is in the key file downloaded when the access key was created.',
		);
	try {
		openApiBaseUrl(trimmedText(credentials.site) || 'cn', trimmedText(credentials.baseUrl));
	} catch (error) {
		problems.push((error as Error).message);
	}
	return problems;
}

function queryInput(qs: Record<string, unknown> | undefined): QueryInput {
	const query: QueryInput = {};
	for (const [name, value] of Object.entries(qs ?? {})) {
		if (value === undefined || value === null) continue;
		query[name] =
			typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
	}
	return query;
}

function bodyText(method: string, body: unknown): string | Buffer | undefined {
	if (body === undefined || body === null) return undefined;
	if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
	if (
		typeof body === 'object' &&
		Object.keys(body as object).length === 0 &&
		['GET', 'HEAD'].includes(method)
	)
		return undefined;
	return JSON.stringify(body);
}

/**
 * Builds and signs one Open API request. The body is serialised once here (a string stays as it
 * is, an object becomes compact JSON) and the signature covers exactly those bytes; send the
 * returned `url`, `headers` and `body` unchanged. Throws an Error with a plain explanation when
 * the credential is incomplete, or when the request is the new usage push and no seller key is set.
 */
export function signOpenApiRequest(
	credentials: OpenApiCredentialFields,
	request: OutgoingRequest,
	options: SignOptions = {},
): SignedOutgoingRequest {
	const problems = openApiCredentialProblems(credentials);
	if (problems.length > 0) throw new Error(problems.join(' '));
	const method = (request.method ?? 'GET').toUpperCase();
	const base = openApiBaseUrl(
		trimmedText(credentials.site) || 'cn',
		trimmedText(credentials.baseUrl),
	);
	const url = buildOpenApiUrl(base, request.url, queryInput(request.qs));
	const body = bodyText(method, request.body);

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(request.headers ?? {})) {
		if (value !== undefined && value !== null) headers[name] = String(value);
	}
	if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
		headers['Content-Type'] = 'application/json';
	}
	if (isNewUsagePush(url)) {
		const sellerKey = textField(credentials.sellerSecretKey);
		if (sellerKey === '') {
			throw new Error(
				'Usage pushes need the seller key (商家对接密钥) in the credential: the key bound to the basic interfaces in 卖家中心 > 应用工具 > 密钥管理.',
			);
		}
		const extra = usagePushHeaders(sellerKey, body === undefined ? '' : body.toString(), {
			nowMs: options.now?.getTime(),
			nonce: options.nonce,
		});
		headers.signature = extra.signature;
		headers.ts = extra.ts;
		headers.nonce = extra.nonce;
	}
	const signed = signApigRequest({
		method,
		url,
		headers,
		body,
		ak: trimmedText(credentials.accessKeyId),
		sk: trimmedText(credentials.secretAccessKey),
		date: options.now,
	});
	return { method, url, headers: { ...headers, ...signed.headers }, body };
}
