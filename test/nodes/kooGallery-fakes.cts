/**
 * An IExecuteFunctions for the KooGallery action node with several credentials, one per type, as
 * n8n hands them over: `getCredentials(type)` returns the fields, and
 * `httpRequestWithAuthentication(type, options)` does what n8n 2.41.1 does (n8n-core
 * `request-helpers/authentication.js`, backend-network `http/axios/request.js` and `config.js`): drop an empty
 * body from GET, run the credential's own `authenticate`, send the result with axios for real,
 * and wrap any thrown error in a NodeApiError. Node, credential and mock server run as they are.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { KooGalleryOpenApi } from '../../credentials/KooGalleryOpenApi.credentials';
import { KooGallerySsoApi } from '../../credentials/KooGallerySsoApi.credentials';

/** What the node handed to n8n, and what went on the wire after `authenticate`. */
export interface SentRequest {
	type: string;
	options: IHttpRequestOptions;
	sent: IHttpRequestOptions;
}

const CREDENTIAL_TYPES: Record<string, ICredentialType> = {
	kooGalleryOpenApi: new KooGalleryOpenApi(),
	kooGallerySsoApi: new KooGallerySsoApi(),
};

/** An axios instance configured like n8n's global axios defaults. */
const client = axios.create({ timeout: 300_000, proxy: false });
client.defaults.headers.post = {};
client.interceptors.request.use((config) => {
	if (config.data === undefined) config.headers.setContentType(false, false);
	return config;
});

/** n8n's conversion of request options to axios (the parts our requests use). */
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
	if (options.json && !Object.keys(config.headers ?? {}).some((h) => h.toLowerCase() === 'accept'))
		(config.headers as Record<string, string>).Accept = 'application/json';
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	return config;
}

export const ACTION_NODE = {
	name: 'KooGallery',
	type: 'n8n-nodes-koogallery.kooGallery',
	typeVersion: 1,
	parameters: {},
} as unknown as INode;

export function actionContext(options: {
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: IDataObject[];
	/** Credential fields by credential type name. */
	credentials: Record<string, IDataObject>;
	continueOnFail?: boolean;
	/** The node's On Error setting; "continueErrorOutput" gives it an error output. */
	onError?: INode['onError'];
}): { context: IExecuteFunctions; requests: SentRequest[] } {
	const requests: SentRequest[] = [];
	const node: INode = { ...ACTION_NODE, onError: options.onError };
	const params = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;
	const getCredentials = async (type: string) => {
		const data = options.credentials[type];
		if (!data)
			throw new Error(`Node "KooGallery" does not have any credentials of type "${type}" set`);
		return { ...data };
	};
	const context = {
		getInputData: () => (options.items ?? [{}]).map((json) => ({ json })),
		getNode: () => node,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const p = params(itemIndex);
			return name in p ? p[name] : fallback;
		},
		getCredentials,
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => undefined,
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			async httpRequestWithAuthentication(
				this: IExecuteFunctions,
				type: string,
				requestOptions: IHttpRequestOptions,
			) {
				const credential = CREDENTIAL_TYPES[type];
				if (!credential?.authenticate || typeof credential.authenticate !== 'function')
					throw new Error(`unexpected credential type ${type}`);
				const given = { ...requestOptions };
				if (
					['GET', 'HEAD', undefined].includes(requestOptions.method) &&
					(requestOptions.body === '' || requestOptions.body === undefined)
				)
					delete requestOptions.body;
				try {
					const data = (await getCredentials(type)) as ICredentialDataDecryptedObject;
					const sent = await credential.authenticate(data, requestOptions);
					requests.push({ type, options: given, sent });
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
