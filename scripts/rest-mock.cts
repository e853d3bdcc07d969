/**
 * A small user-management REST API, standing in for a seller's own system in the REST example
 * workflow (workflows/koogallery-saas-v2-rest-api.json) and its end-to-end test. It behaves the
 * way such APIs commonly do:
 *
 *   POST   /api/v1/accounts        {externalId, plan?, expiresAt?, lastOrderId?, testAccount?}
 *                                  201 the new account; 200 the existing account when one with
 *                                  that externalId exists (create-or-get, so a repeated order finds
 *                                  its account and gets the same answer)
 *   GET    /api/v1/accounts/:id    200 the account; 404 {error}
 *   PATCH  /api/v1/accounts/:id    {status?, plan?, expiresAt?, lastOrderId?}: 200 the account; 404
 *   DELETE /api/v1/accounts/:id    204 (also when already deleted: the account is kept, status
 *                                  "deleted"); 404 for an unknown account
 *
 * Every request needs `Authorization: Bearer <token>` (401 otherwise). An account is
 * `{id, externalId, plan, status, expiresAt, lastOrderId, loginUrl, adminUrl, username,
 * initialPassword, testAccount, createdAt, updatedAt}`; status is active, suspended or deleted.
 * Faults can be injected: the next N requests answered with a given status (and body, such as a
 * 2xx without the account's id), or delayed.
 *
 * CLI: `npx tsx scripts/rest-mock.cts [--port 8790]` (token from USERS_API_TOKEN, else a demo token
 * it prints).
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One account of the mock API. */
export interface Account {
	id: string;
	externalId: string;
	plan: string;
	status: 'active' | 'suspended' | 'deleted';
	expiresAt: string | null;
	lastOrderId: string | null;
	loginUrl: string;
	adminUrl: string;
	username: string;
	initialPassword: string;
	testAccount: boolean;
	createdAt: string;
	updatedAt: string;
}

/** One request the mock received. */
export interface RestCall {
	method: string;
	path: string;
	status: number;
	body?: unknown;
}

export interface RestMock {
	/** `http://127.0.0.1:<port>`; the API is under `${url}/api/v1`. */
	url: string;
	port: number;
	/** Every account, deleted ones included, in creation order. */
	accounts(): Account[];
	/** Every request, in arrival order. */
	calls(): RestCall[];
	/** Answers the next `count` requests with HTTP `status` (and a JSON error) without doing them. */
	failNext(status: number, count?: number): void;
	/** Answers the next `count` requests with HTTP `status` and `body` (none: no body) without doing them. */
	answerNext(status: number, body?: unknown, count?: number): void;
	/** Delays every answer by `ms` (0 turns it off). */
	setDelay(ms: number): void;
	stop(): Promise<void>;
}

const STATUSES = ['active', 'suspended', 'deleted'] as const;

/** Starts the mock on 127.0.0.1 (a free port unless `port` is given). */
export async function startRestMock(options: { token: string; port?: number }): Promise<RestMock> {
	const accounts = new Map<string, Account>();
	const byExternalId = new Map<string, string>();
	const calls: RestCall[] = [];
	const sockets = new Set<Socket>();
	let canned: { status: number; body?: unknown; count: number } | undefined;
	let delayMs = 0;

	const answer = (status: number, body?: unknown) => ({ status, body });
	const now = () => new Date().toISOString();

	function route(method: string, path: string, body: unknown): { status: number; body?: unknown } {
		const collection = path === '/api/v1/accounts';
		const one = /^\/api\/v1\/accounts\/([^/]+)$/.exec(path);
		if (!collection && !one) return answer(404, { error: `No route ${method} ${path}` });
		const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
		if (collection) {
			if (method !== 'POST') return answer(405, { error: 'Use POST to create an account.' });
			const externalId = input.externalId;
			if (typeof externalId !== 'string' || externalId === '' || externalId.length > 128) {
				return answer(422, { error: 'externalId must be a text of 1 to 128 characters.' });
			}
			const existing = byExternalId.get(externalId);
			if (existing) return answer(200, accounts.get(existing));
			const id = `acc_${randomBytes(8).toString('hex')}`;
			const created: Account = {
				id,
				externalId,
				plan: typeof input.plan === 'string' && input.plan ? input.plan : 'standard',
				status: 'active',
				expiresAt: typeof input.expiresAt === 'string' ? input.expiresAt : null,
				lastOrderId: typeof input.lastOrderId === 'string' ? input.lastOrderId : null,
				loginUrl: `https://app.example.com/t/${id}/login`,
				adminUrl: `https://app.example.com/t/${id}/admin`,
				username: `admin@${id}`,
				initialPassword: randomBytes(9).toString('base64url'),
				testAccount: input.testAccount === true,
				createdAt: now(),
				updatedAt: now(),
			};
			accounts.set(id, created);
			byExternalId.set(externalId, id);
			return answer(201, created);
		}
		const account = accounts.get(decodeURIComponent((one as RegExpExecArray)[1]));
		if (!account) return answer(404, { error: 'No such account.' });
		switch (method) {
			case 'GET':
				return answer(200, account);
			case 'PATCH': {
				if (input.status !== undefined && !STATUSES.includes(input.status as Account['status'])) {
					return answer(422, { error: `status must be one of ${STATUSES.join(', ')}.` });
				}
				for (const field of ['status', 'plan', 'expiresAt', 'lastOrderId'] as const) {
					if (typeof input[field] === 'string')
						(account as unknown as Record<string, unknown>)[field] = input[field];
				}
				account.updatedAt = now();
				return answer(200, account);
			}
			case 'DELETE':
				account.status = 'deleted';
				account.updatedAt = now();
				return answer(204);
			default:
				return answer(405, { error: `${method} is not supported here.` });
		}
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const method = req.method ?? 'GET';
			const path = new URL(req.url ?? '/', 'http://mock.invalid').pathname.replace(/\/+$/, '');
			const raw = Buffer.concat(chunks).toString('utf8');
			let result: { status: number; body?: unknown };
			let body: unknown;
			if (canned && canned.count > 0) {
				canned.count -= 1;
				result = answer(canned.status, canned.body);
			} else if (req.headers.authorization !== `Bearer ${options.token}`) {
				result = answer(401, { error: 'Missing or wrong API token.' });
			} else {
				try {
					body = raw ? (JSON.parse(raw) as unknown) : undefined;
					result = route(method, path, body);
				} catch {
					result = answer(400, { error: 'The body is not JSON.' });
				}
			}
			calls.push({ method, path, status: result.status, body });
			const send = () => {
				if (res.destroyed) return;
				if (result.body === undefined) {
					res.writeHead(result.status).end();
					return;
				}
				const text = JSON.stringify(result.body);
				res
					.writeHead(result.status, {
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(text),
					})
					.end(text);
			};
			if (delayMs > 0) setTimeout(send, delayMs);
			else send();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		accounts: () => [...accounts.values()].map((a) => ({ ...a })),
		calls: () => calls.map((c) => ({ ...c })),
		failNext(status, count = 1) {
			canned = { status, body: { error: `Injected failure (HTTP ${status}).` }, count };
		},
		answerNext(status, body, count = 1) {
			canned = { status, body, count };
		},
		setDelay(ms) {
			delayMs = ms;
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

if (require.main === module) {
	const portArg = process.argv.indexOf('--port');
	const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8790;
	const token = process.env.USERS_API_TOKEN || `demo-${randomBytes(8).toString('hex')}`;
	startRestMock({ port, token }).then(
		(mock) =>
			process.stdout.write(
				`User-management API mock on ${mock.url}/api/v1 (header Authorization: Bearer ${token})\n`,
			),
		(error) => {
			process.stderr.write(`${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
