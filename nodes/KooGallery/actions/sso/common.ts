import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { readTokenAnswer, ssoBaseUrl, SSO_PATHS, type SsoAnswer } from '../../../../core/sso';
import { itemByItem, itemError } from '../../helpers';
import { wholeNumber } from '../../transport';

export const SSO_CREDENTIAL = 'kooGallerySsoApi';

export type SsoOperation = 'getTokens' | 'refreshToken' | 'getUserInfo';

export const trimmedText = (value: unknown): string =>
	typeof value === 'string' ? value.trim() : '';

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
	const domain = trimmedText(options.tenantDomain);
	const clientId = trimmedText(options.clientId);
	const secret = trimmedText(options.encryptedClientSecret);
	if (operation === 'getUserInfo') return domain ? { baseUrl: ssoBaseUrl(domain) } : {};
	if (!domain && !clientId && !secret) return {};
	if (!domain || !clientId || !secret)
		throw itemError(
			ctx,
			itemIndex,
			'A per-tenant request needs all three options: the tenant domain, the client ID and the encrypted client secret of that tenant.',
		);
	return { baseUrl: ssoBaseUrl(domain), client: { client_id: clientId, client_secret: secret } };
}

/** Where one item's request goes: the tenant, the full URL, and the timeout. */
export interface SsoTarget {
	tenant: Tenant;
	url: string;
	timeout: number;
}

/**
 * Runs one Single Sign-On request per input item (docs/protocol/koogallery-joint-license.md §6.3
 * to §6.5), never retried (a code works once), after reading the item's options. The credential
 * adds the client ID and secret; the node never sees the secret.
 */
export async function ssoItems(
	ctx: IExecuteFunctions,
	operation: SsoOperation,
	work: (i: number, target: SsoTarget) => Promise<IDataObject>,
): Promise<INodeExecutionData[][]> {
	return [
		await itemByItem(ctx, async (i) => {
			const options = ctx.getNodeParameter('ssoOptions', i, {}) as IDataObject;
			const timeout = wholeNumber(options.timeoutSeconds, 30, 1, 600) * 1000;
			const tenant = readTenant(ctx, options, operation, i);
			const path = operation === 'getUserInfo' ? SSO_PATHS.userInfo : SSO_PATHS.exchange;
			return await work(i, { tenant, url: `${tenant.baseUrl ?? ''}${path}`, timeout });
		}),
	];
}

/**
 * Sends one request through the KooGallery SSO credential and reads its answer whatever the
 * HTTP status. A failure to send (no answer, an unusable credential) becomes a NodeApiError with
 * only its message, so nothing of the request (which carries the client secret) is kept.
 */
export async function send(
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

/** The error for an answer the auth centre refused. */
export function refused(
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

/** Asks the token endpoint with the grant's fields; the answer's tokens, with `expires_at`. */
export async function requestTokens(
	ctx: IExecuteFunctions,
	i: number,
	target: SsoTarget,
	grant: 'authorizationCode' | 'refreshToken',
	fields: Record<string, string>,
): Promise<IDataObject> {
	const response = await send(
		ctx,
		{
			method: 'POST',
			url: target.url,
			body: { ...fields, ...target.tenant.client },
			timeout: target.timeout,
		},
		i,
	);
	const answer = readTokenAnswer(grant, response.statusCode, response.body);
	if (!answer.ok) throw refused(ctx, answer, i);
	const json: IDataObject = { ...answer.value } as IDataObject;
	if (typeof answer.value.expires_in === 'number')
		json.expires_at = new Date(Date.now() + answer.value.expires_in * 1000).toISOString();
	return json;
}
