/**
 * A local mock of a joint-operation tenant's KooGallery auth centre (docs/protocol/koogallery-joint-license.md
 * §6.3 to §6.5), for tests and the simulator. Each tenant lives under its own path prefix of the
 * mock's address (its "domain"), with its own OAuth client and users. It behaves as the documented
 * answers (Spring Security OAuth2's) say:
 * - `POST <prefix>/api/v1/oauth2/token`, a form: the client is checked first (wrong or missing:
 *   401 `invalid_client`), then the grant: `authorization_code` (a code from `login`, single use,
 *   5 minutes, bound to its client and redirect URI: else 400 `invalid_grant` "Invalid
 *   authorization code") or `refresh_token` (rotated on use: an old one gives 400 `invalid_grant`
 *   "Invalid refresh token"); anything else 400 `unsupported_grant_type`; a body that is not a form
 *   400 `invalid_request`. Tokens: `Bearer`, `expires_in` 7200, `scope` `get_user_info`.
 * - `GET <prefix>/api/v1/oauth2/userinfo` with `Authorization: Bearer <access token>`: the user
 *   (all documented fields as text); no token gives the documented 401 `unauthorized`, an unknown
 *   or expired one 401 `invalid_token`.
 * - anything else: 404 with an HTML page.
 * The call log keeps the client ID and the outcome, never the secret or tokens. The endpoints are
 * a route table keyed by the names of core's SSO_PATHS, one handler each.
 *
 * Run it on its own with `npx tsx simulator/sso-mock.cts --port 8788` (one demo tenant at `/`).
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { safeEqual } from '../core/hmac';
import { SSO_PATHS, type SsoUserInfo } from '../core/sso';

/** One tenant: its auth centre lives at `<mock url><pathPrefix>`. */
export interface SsoMockTenant {
	/** '' for the mock's root, or a path such as '/tenant-b'. */
	pathPrefix: string;
	clientId: string;
	clientSecret: string;
	users: SsoUserInfo[];
}

export interface SsoMockOptions {
	port?: number;
	host?: string;
	tenants: SsoMockTenant[];
	/** Access token lifetime (default 7200 s, the documented example). */
	accessTokenSeconds?: number;
}

/** One request the mock received. */
export interface SsoMockCall {
	method: string;
	path: string;
	status: number;
	grantType?: string;
	clientId?: string;
	error?: string;
}

export interface SsoMock {
	/** `http://127.0.0.1:<port>`; a tenant's domain is `url + pathPrefix`. */
	url: string;
	/** A login: a fresh code for `userName` of the tenant at `pathPrefix`, as the callback gets it. */
	login(userName: string, options?: { pathPrefix?: string; redirectUri?: string }): string;
	/** Makes every access token issued so far expired. */
	expireAccessTokens(): void;
	calls(): SsoMockCall[];
	reset(): void;
	stop(): Promise<void>;
}

const CODE_LIFETIME_MS = 5 * 60_000;
const REFRESH_LIFETIME_MS = 30 * 86_400_000;

interface Grant {
	tenant: SsoMockTenant;
	userName: string;
	expiresAt: number;
}

const token = () => randomBytes(24).toString('base64url');

/** The codes and tokens the mock has issued, and its log. */
interface SsoMockState {
	options: SsoMockOptions;
	accessSeconds: number;
	codes: Map<string, Grant & { redirectUri?: string }>;
	accessTokens: Map<string, Grant>;
	refreshTokens: Map<string, Grant>;
	log: SsoMockCall[];
}

/** One request to an endpoint of a tenant. */
interface SsoRequest {
	tenant: SsoMockTenant;
	req: http.IncomingMessage;
	body: string;
	call: SsoMockCall;
}

/** What an endpoint answers: a JSON body, or text for an HTML page. */
interface Reply {
	status: number;
	body: unknown;
}

const oauthError = (status: number, error: string, description: string): Reply => ({
	status,
	body: { error, error_description: description },
});

function issue(state: SsoMockState, tenant: SsoMockTenant, userName: string): Reply {
	const access = token();
	const refresh = token();
	const now = Date.now();
	const accessSeconds = state.accessSeconds;
	state.accessTokens.set(access, { tenant, userName, expiresAt: now + accessSeconds * 1000 });
	state.refreshTokens.set(refresh, { tenant, userName, expiresAt: now + REFRESH_LIFETIME_MS });
	return {
		status: 200,
		body: {
			access_token: access,
			token_type: 'Bearer',
			expires_in: accessSeconds,
			scope: 'get_user_info',
			refresh_token: refresh,
		},
	};
}

/** The `authorization_code` grant: a code from `login`, single use, bound to client and redirect URI. */
function codeGrant(state: SsoMockState, tenant: SsoMockTenant, form: URLSearchParams): Reply {
	const code = form.get('code') ?? '';
	const grant = state.codes.get(code);
	state.codes.delete(code);
	const redirectUri = form.get('redirect_uri') ?? undefined;
	if (
		!grant ||
		grant.tenant !== tenant ||
		grant.expiresAt < Date.now() ||
		(grant.redirectUri !== undefined && grant.redirectUri !== redirectUri)
	)
		return oauthError(400, 'invalid_grant', 'Invalid authorization code');
	return issue(state, tenant, grant.userName);
}

/** The `refresh_token` grant: rotated on use, so an old refresh token is refused. */
function refreshGrant(state: SsoMockState, tenant: SsoMockTenant, form: URLSearchParams): Reply {
	const refresh = form.get('refresh_token') ?? '';
	const grant = state.refreshTokens.get(refresh);
	state.refreshTokens.delete(refresh);
	if (!grant || grant.tenant !== tenant || grant.expiresAt < Date.now())
		return oauthError(400, 'invalid_grant', 'Invalid refresh token');
	return issue(state, tenant, grant.userName);
}

/** `POST <prefix>/api/v1/oauth2/token`: the client first, then the grant. */
function tokenEndpoint(state: SsoMockState, { tenant, req, body, call }: SsoRequest): Reply {
	const contentType = String(req.headers['content-type'] ?? '');
	if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded'))
		return oauthError(
			400,
			'invalid_request',
			'Content type must be application/x-www-form-urlencoded',
		);
	const form = new URLSearchParams(body);
	const clientId = form.get('client_id') ?? '';
	const secret = form.get('client_secret') ?? '';
	call.clientId = clientId;
	call.grantType = form.get('grant_type') ?? undefined;
	if (!safeEqual(tenant.clientId, clientId) || !safeEqual(tenant.clientSecret, secret))
		return oauthError(401, 'invalid_client', 'Bad client credentials');
	if (call.grantType === 'authorization_code') return codeGrant(state, tenant, form);
	if (call.grantType === 'refresh_token') return refreshGrant(state, tenant, form);
	return oauthError(
		400,
		'unsupported_grant_type',
		`Unsupported grant type: ${call.grantType ?? ''}`.slice(0, 80),
	);
}

/** `GET <prefix>/api/v1/oauth2/userinfo` with `Authorization: Bearer <access token>`. */
function userInfoEndpoint(state: SsoMockState, { tenant, req }: SsoRequest): Reply {
	const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
	if (!match)
		return oauthError(
			401,
			'unauthorized',
			'Full authentication is required to access this resource',
		);
	const grant = state.accessTokens.get(match[1]);
	if (!grant || grant.tenant !== tenant || grant.expiresAt < Date.now())
		return oauthError(401, 'invalid_token', 'Invalid access token');
	const user = tenant.users.find((u) => u.userName === grant.userName);
	return { status: 200, body: user ?? {} };
}

/** The endpoints of each tenant, by core's SSO path names, with their HTTP method. */
const SSO_ROUTES: Record<
	keyof typeof SSO_PATHS,
	{ method: string; handle(state: SsoMockState, request: SsoRequest): Reply }
> = {
	exchange: { method: 'POST', handle: tokenEndpoint },
	userInfo: { method: 'GET', handle: userInfoEndpoint },
};

const NOT_FOUND: Reply = { status: 404, body: '<html><body>Not Found</body></html>' };

/** The reply of the endpoint a request is for, or 404 when it is for none. */
function route(state: SsoMockState, req: http.IncomingMessage, body: string, call: SsoMockCall) {
	for (const name of Object.keys(SSO_ROUTES) as Array<keyof typeof SSO_PATHS>) {
		const tenant = state.options.tenants.find(
			(t) => call.path === `${t.pathPrefix}${SSO_PATHS[name]}`,
		);
		if (tenant && req.method === SSO_ROUTES[name].method)
			return SSO_ROUTES[name].handle(state, { tenant, req, body, call });
	}
	return NOT_FOUND;
}

/** Logs the call (never a secret or token) and sends the reply. */
function answer(
	state: SsoMockState,
	res: http.ServerResponse,
	call: SsoMockCall,
	{ status, body }: Reply,
): void {
	call.status = status;
	if (status >= 400 && typeof body === 'object' && body !== null)
		call.error = (body as { error?: string }).error;
	state.log.push(call);
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': typeof body === 'string' ? 'text/html' : 'application/json;charset=UTF-8',
		'cache-control': 'no-store',
	});
	res.end(text);
}

/** A login: a fresh code for a user of the tenant at `pathPrefix`, as the callback gets it. */
function login(
	state: SsoMockState,
	userName: string,
	loginOptions: { pathPrefix?: string; redirectUri?: string },
): string {
	const tenant = state.options.tenants.find(
		(t) => t.pathPrefix === (loginOptions.pathPrefix ?? ''),
	);
	if (!tenant) throw new Error(`no tenant at "${loginOptions.pathPrefix ?? ''}"`);
	if (!tenant.users.some((u) => u.userName === userName))
		throw new Error(`no user ${userName} in that tenant`);
	const code = token();
	state.codes.set(code, {
		tenant,
		userName,
		expiresAt: Date.now() + CODE_LIFETIME_MS,
		redirectUri: loginOptions.redirectUri,
	});
	return code;
}

export async function startSsoMock(options: SsoMockOptions): Promise<SsoMock> {
	const state: SsoMockState = {
		options,
		accessSeconds: options.accessTokenSeconds ?? 7200,
		codes: new Map(),
		accessTokens: new Map(),
		refreshTokens: new Map(),
		log: [],
	};
	const sockets = new Set<Socket>();
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const path = new URL(req.url ?? '/', 'http://mock').pathname;
			const call: SsoMockCall = { method: req.method ?? '', path, status: 0 };
			const body = Buffer.concat(chunks).toString('utf8');
			answer(state, res, call, route(state, req, body, call));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) =>
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
	);
	const address = server.address() as AddressInfo;
	return {
		url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
		login: (userName, loginOptions = {}) => login(state, userName, loginOptions),
		expireAccessTokens() {
			for (const grant of state.accessTokens.values()) grant.expiresAt = 0;
		},
		calls: () => state.log.map((c) => ({ ...c })),
		reset() {
			state.log = [];
		},
		stop: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

if (require.main === module) {
	const portArg = process.argv.indexOf('--port');
	const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8788;
	void startSsoMock({
		port,
		tenants: [
			{
				pathPrefix: '',
				clientId: process.env.KOOGALLERY_SSO_CLIENT_ID ?? 'demo-client-id',
				clientSecret: process.env.KOOGALLERY_SSO_CLIENT_SECRET ?? 'demo-client-secret',
				users: [
					{
						userName: 'zhangsan',
						name: '张三',
						tenant: '34a59a26e6a24071a9cc7a0526440171',
						organizationCode: '10000',
						role: 'user',
					},
				],
			},
		],
	}).then((mock) => {
		process.stdout.write(
			`SSO mock at ${mock.url}; a login code for zhangsan: ${mock.login('zhangsan')}\n`,
		);
	});
}
