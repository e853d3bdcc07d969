/**
 * An IExecuteFunctions for the KooGallery action node whose `httpRequestWithAuthentication` does
 * what n8n 2.41.1 does (n8n-core `request-helpers/authentication.js`, backend-network
 * `http/axios/request.js` and `config.js`): drop an empty body from GET, run the credential's own
 * `authenticate`, turn the options into an axios request with n8n's axios defaults, send it for
 * real, and wrap any thrown error in a NodeApiError. So node, credential signing and mock server
 * all run as they are.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { KooGalleryOpenApi } from '../../credentials/KooGalleryOpenApi.credentials';

export const AK = 'UNITTESTAK0000000001';
export const SK = 'unit-test-secret-access-key-not-real';
export const SELLER_KEY = 'unit-test-seller-key-not-real';

/** Credential fields for a mock listening at `url`. */
export function mockCredentials(url: string, overrides: IDataObject = {}): IDataObject {
	return {
		accessKeyId: AK,
		secretAccessKey: SK,
		sellerSecretKey: SELLER_KEY,
		site: 'custom',
		baseUrl: url,
		...overrides,
	};
}

/** What the node handed to n8n, and what went on the wire after `authenticate`. */
export interface SentRequest {
	options: IHttpRequestOptions;
	sent: IHttpRequestOptions;
}

/** An axios instance configured like n8n's global axios defaults. */
const client = axios.create({ timeout: 300_000, proxy: false });
client.defaults.headers.post = {};
client.interceptors.request.use((config) => {
	if (config.data === undefined) config.headers.setContentType(false, false);
	return config;
});

function toAxios(options: IHttpRequestOptions): AxiosRequestConfig {
	const config: AxiosRequestConfig = {
		method: options.method ?? 'GET',
		url: options.url,
		baseURL: options.baseURL,
		params: options.qs,
		headers: { ...(options.headers as Record<string, string>) },
		timeout: options.timeout,
		maxBodyLength: Infinity,
		maxContentLength: Infinity,
	};
	const body = options.body;
	if (
		typeof body === 'string' ||
		(body && typeof body === 'object' && Object.keys(body).length > 0)
	)
		config.data = body;
	if ((config.method ?? 'GET').toUpperCase() === 'GET') delete config.data;
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	return config;
}

export function openApiExecuteContext(options: {
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: IDataObject[];
	credentials: IDataObject;
	continueOnFail?: boolean;
}): { context: IExecuteFunctions; requests: SentRequest[] } {
	const requests: SentRequest[] = [];
	const node = {
		name: 'KooGallery',
		type: 'n8n-nodes-koogallery.kooGallery',
		typeVersion: 1,
		parameters: {},
	} as unknown as INode;
	const credential = new KooGalleryOpenApi();
	const params = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;
	const context = {
		getInputData: () => (options.items ?? [{}]).map((json) => ({ json })),
		getNode: () => node,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const p = params(itemIndex);
			return name in p ? p[name] : fallback;
		},
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => undefined,
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			async httpRequestWithAuthentication(
				this: IExecuteFunctions,
				type: string,
				requestOptions: IHttpRequestOptions,
			) {
				if (type !== 'kooGalleryOpenApi') throw new Error(`unexpected credential type ${type}`);
				const given = { ...requestOptions };
				if (
					['GET', 'HEAD', undefined].includes(requestOptions.method) &&
					(requestOptions.body === '' || requestOptions.body === undefined)
				)
					delete requestOptions.body;
				try {
					const sent = await credential.authenticate(
						options.credentials as ICredentialDataDecryptedObject,
						requestOptions,
					);
					requests.push({ options: given, sent });
					const response = await client.request(toAxios(sent));
					if (sent.returnFullResponse) {
						return {
							body: response.data,
							headers: response.headers,
							statusCode: response.status,
							statusMessage: response.statusText,
						};
					}
					return response.data;
				} catch (error) {
					throw new NodeApiError(node, error as JsonObject);
				}
			},
		},
	};
	return { context: context as unknown as IExecuteFunctions, requests };
}
