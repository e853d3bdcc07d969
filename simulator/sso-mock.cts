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
 * The call log keeps the client ID and the outcome, never the secret or tokens.
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

export async function startSsoMock(options: SsoMockOptions): Promise<SsoMock> {
	const accessSeconds = options.accessTokenSeconds ?? 7200;
	const codes = new Map<string, Grant & { redirectUri?: string }>();
	const accessTokens = new Map<string, Grant>();
	const refreshTokens = new Map<string, Grant>();
	let log: SsoMockCall[] = [];
	const sockets = new Set<Socket>();

	const tenantOf = (path: string, endpoint: string) =>
		options.tenants.find((t) => path === `${t.pathPrefix}${endpoint}`);

	function answer(
		res: http.ServerResponse,
		call: SsoMockCall,
		status: number,
		body: unknown,
	): void {
		call.status = status;
		if (status >= 400 && typeof body === 'object' && body !== null)
			call.error = (body as { error?: string }).error;
		log.push(call);
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		res.writeHead(status, {
			'content-type': typeof body === 'string' ? 'text/html' : 'application/json;charset=UTF-8',
			'cache-control': 'no-store',
		});
		res.end(text);
	}

	function issue(tenant: SsoMockTenant, userName: string) {
		const access = token();
		const refresh = token();
		const now = Date.now();
		accessTokens.set(access, { tenant, userName, expiresAt: now + accessSeconds * 1000 });
		refreshTokens.set(refresh, { tenant, userName, expiresAt: now + REFRESH_LIFETIME_MS });
		return {
			access_token: access,
			token_type: 'Bearer',
			expires_in: accessSeconds,
			scope: 'get_user_info',
			refresh_token: refresh,
		};
	}

	function tokenEndpoint(
		tenant: SsoMockTenant,
		body: string,
		contentType: string,
		res: http.ServerResponse,
		call: SsoMockCall,
	): void {
		if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded'))
			return answer(res, call, 400, {
				error: 'invalid_request',
				error_description: 'Content type must be application/x-www-form-urlencoded',
			});
		const form = new URLSearchParams(body);
		const clientId = form.get('client_id') ?? '';
		const secret = form.get('client_secret') ?? '';
		call.clientId = clientId;
		call.grantType = form.get('grant_type') ?? undefined;
		if (!safeEqual(tenant.clientId, clientId) || !safeEqual(tenant.clientSecret, secret))
			return answer(res, call, 401, {
				error: 'invalid_client',
				error_description: 'Bad client credentials',
			});
		const now = Date.now();
		if (call.grantType === 'authorization_code') {
			const code = form.get('code') ?? '';
			const grant = codes.get(code);
			codes.delete(code);
			const redirectUri = form.get('redirect_uri') ?? undefined;
			if (
				!grant ||
				grant.tenant !== tenant ||
				grant.expiresAt < now ||
				(grant.redirectUri !== undefined && grant.redirectUri !== redirectUri)
			)
				return answer(res, call, 400, {
					error: 'invalid_grant',
					error_description: 'Invalid authorization code',
				});
			return answer(res, call, 200, issue(tenant, grant.userName));
		}
		if (call.grantType === 'refresh_token') {
			const refresh = form.get('refresh_token') ?? '';
			const grant = refreshTokens.get(refresh);
			refreshTokens.delete(refresh);
			if (!grant || grant.tenant !== tenant || grant.expiresAt < now)
				return answer(res, call, 400, {
					error: 'invalid_grant',
					error_description: 'Invalid refresh token',
				});
			return answer(res, call, 200, issue(tenant, grant.userName));
		}
		return answer(res, call, 400, {
			error: 'unsupported_grant_type',
			error_description: `Unsupported grant type: ${call.grantType ?? ''}`.slice(0, 80),
		});
	}

	function userInfoEndpoint(
		tenant: SsoMockTenant,
		authorization: string | undefined,
		res: http.ServerResponse,
		call: SsoMockCall,
	): void {
		const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
		if (!match)
			return answer(res, call, 401, {
				error: 'unauthorized',
				error_description: 'Full authentication is required to access this resource',
			});
		const grant = accessTokens.get(match[1]);
		if (!grant || grant.tenant !== tenant || grant.expiresAt < Date.now())
			return answer(res, call, 401, {
				error: 'invalid_token',
				error_description: 'Invalid access token',
			});
		const user = tenant.users.find((u) => u.userName === grant.userName);
		return answer(res, call, 200, user ?? {});
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const path = new URL(req.url ?? '/', 'http://mock').pathname;
			const call: SsoMockCall = { method: req.method ?? '', path, status: 0 };
			const tokenTenant = tenantOf(path, SSO_PATHS.exchange);
			const infoTenant = tenantOf(path, SSO_PATHS.userInfo);
			if (tokenTenant && req.method === 'POST')
				return tokenEndpoint(
					tokenTenant,
					Buffer.concat(chunks).toString('utf8'),
					String(req.headers['content-type'] ?? ''),
					res,
					call,
				);
			if (infoTenant && req.method === 'GET')
				return userInfoEndpoint(infoTenant, req.headers.authorization, res, call);
			return answer(res, call, 404, '<html><body>Not Found</body></html>');
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
	const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

	return {
		url,
		login(userName, loginOptions = {}) {
			const tenant = options.tenants.find((t) => t.pathPrefix === (loginOptions.pathPrefix ?? ''));
			if (!tenant) throw new Error(`no tenant at "${loginOptions.pathPrefix ?? ''}"`);
			if (!tenant.users.some((u) => u.userName === userName))
				throw new Error(`no user ${userName} in that tenant`);
			const code = token();
			codes.set(code, {
				tenant,
				userName,
				expiresAt: Date.now() + CODE_LIFETIME_MS,
				redirectUri: loginOptions.redirectUri,
			});
			return code;
		},
		expireAccessTokens() {
			for (const grant of accessTokens.values()) grant.expiresAt = 0;
		},
		calls: () => log.map((c) => ({ ...c })),
		reset() {
			log = [];
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
