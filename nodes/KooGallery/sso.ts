import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import {
	authorizationCodeFields,
	readTokenAnswer,
	readUserInfoAnswer,
	refreshTokenFields,
	SSO_PATHS,
	ssoBaseUrl,
	userInfoSyncKeys,
	type SsoAnswer,
} from '../../core/sso';
import { asNodeError, failedItemJson, wholeNumber } from './transport';

export const SSO_CREDENTIAL = 'kooGallerySsoApi';

export type SsoOperation = 'getTokens' | 'refreshToken' | 'getUserInfo';

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The per-tenant options: none, or the domain (and, for token requests, the client) of one tenant. */
interface Tenant {
	baseUrl?: string;
	client?: { client_id: string; client_secret: string };
}

function readTenant(
	ctx: IExecuteFunctions,
	options: IDataObject,
	operation: SsoOperation,
	itemIndex: number,
): Tenant {
	const domain = text(options.tenantDomain);
	const clientId = text(options.clientId);
	const secret = text(options.encryptedClientSecret);
	const fail = (message: string) => new NodeOperationError(ctx.getNode(), message, { itemIndex });
	if (operation === 'getUserInfo') return domain ? { baseUrl: ssoBaseUrl(domain) } : {};
	if (!domain && !clientId && !secret) return {};
	if (!domain || !clientId || !secret)
		throw fail(
			'A per-tenant request needs all three options: the tenant domain, the client ID and the encrypted client secret of that tenant.',
		);
	return { baseUrl: ssoBaseUrl(domain), client: { client_id: clientId, client_secret: secret } };
}

/**
 * Sends one request through the KooGallery SSO credential and reads its answer whatever the
 * HTTP status. A failure to send (no answer, an unusable credential) becomes a NodeApiError with
 * only its message, so nothing of the request (which carries the client secret) is kept.
 */
async function send(
	ctx: IExecuteFunctions,
	request: IHttpRequestOptions,
	itemIndex: number,
): Promise<IN8nHttpFullResponse> {
	try {
		return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, SSO_CREDENTIAL, {
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw new NodeApiError(ctx.getNode(), { message: (error as Error).message } as JsonObject, {
			message: `The KooGallery auth centre could not be asked: ${(error as Error).message}`,
			itemIndex,
		});
	}
}

function refused(
	ctx: IExecuteFunctions,
	answer: Extract<SsoAnswer<unknown>, { ok: false }>,
	itemIndex: number,
): NodeApiError {
	const error = new NodeApiError(
		ctx.getNode(),
		{ error: answer.error ?? null, error_description: answer.description ?? null } as JsonObject,
		{
			message: `The KooGallery auth centre refused the request${answer.error ? `: ${answer.error}` : ` (HTTP ${answer.status})`}`,
			description: answer.explanation,
			httpCode: String(answer.status),
			itemIndex,
		},
	);
	if (answer.error) error.context.errorCode = answer.error;
	return error;
}

/**
 * Single Sign-On > Get Tokens, Refresh Token and Get User Info (docs/protocol/koogallery-joint-license.md §6.3
 * to §6.5), one request per item, never retried (a code works once). The credential adds the
 * client ID and secret; the node never sees the secret.
 */
export async function singleSignOn(
	this: IExecuteFunctions,
	operation: SsoOperation,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const options = this.getNodeParameter('ssoOptions', i, {}) as IDataObject;
			const timeout = wholeNumber(options.timeoutSeconds, 30, 1, 600) * 1000;
			const tenant = readTenant(this, options, operation, i);
			const url = `${tenant.baseUrl ?? ''}${operation === 'getUserInfo' ? SSO_PATHS.userInfo : SSO_PATHS.exchange}`;
			const fail = (message: string) =>
				new NodeOperationError(this.getNode(), message, { itemIndex: i });

			if (operation === 'getUserInfo') {
				const accessToken = text(this.getNodeParameter('accessToken', i, ''));
				if (!accessToken) throw fail('The access token is empty.');
				const response = await send(
					this,
					{
						method: 'GET',
						url,
						headers: { Accept: 'application/json', Authorization: `Bearer ${accessToken}` },
						timeout,
					},
					i,
				);
				const answer = readUserInfoAnswer(response.statusCode, response.body);
				if (!answer.ok) throw refused(this, answer, i);
				out.push({
					json: { ...answer.value, sync: userInfoSyncKeys(answer.value) } as IDataObject,
					pairedItem: { item: i },
				});
				continue;
			}

			let fields: Record<string, string>;
			if (operation === 'getTokens') {
				const code = text(this.getNodeParameter('code', i, ''));
				if (!code) throw fail('The authorization code is empty.');
				fields = authorizationCodeFields(code, text(this.getNodeParameter('redirectUri', i, '')));
			} else {
				const refreshToken = text(this.getNodeParameter('refreshToken', i, ''));
				if (!refreshToken) throw fail('The refresh token is empty.');
				fields = refreshTokenFields(refreshToken);
			}
			const response = await send(
				this,
				{ method: 'POST', url, body: { ...fields, ...tenant.client }, timeout },
				i,
			);
			const answer = readTokenAnswer(
				operation === 'getTokens' ? 'authorizationCode' : 'refreshToken',
				response.statusCode,
				response.body,
			);
			if (!answer.ok) throw refused(this, answer, i);
			const json: IDataObject = { ...answer.value } as IDataObject;
			if (typeof answer.value.expires_in === 'number')
				json.expires_at = new Date(Date.now() + answer.value.expires_in * 1000).toISOString();
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push({ json: failedItemJson(this, nodeError), pairedItem: { item: i } });
		}
	}
	return out;
}
