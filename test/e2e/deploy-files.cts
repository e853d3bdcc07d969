/**
 * The deploy/ folder as the HTTPS deployment test uses it: the files a seller copies onto the
 * server, with only what must differ on a test machine replaced, each replacement listed here and
 * required to match (a changed deploy file fails the test instead of silently escaping it):
 *
 * - deploy/nginx/koogallery-n8n.conf: the domain n8n.example.com → koogallery.test; `listen 443 ssl`
 *   → 127.0.0.1 and a free port (the IPv6 listen line dropped); /etc/nginx/tls/koogallery/ → the
 *   test's certificate folder; n8n's port 5678 → the test n8n's port.
 * - deploy/nginx/koogallery-acme.conf: the domain; `listen 80` → 127.0.0.1 and a free port (IPv6
 *   dropped); /var/www/certbot → a folder of the test.
 * - Debian's own /etc/nginx/nginx.conf (the nginx package's, as on the seller's server): pid file,
 *   logs and temporary files in the test's folder; conf.d and sites-enabled → the test's folder
 *   holding only the two sites above. Its `ssl_protocols TLSv1 TLSv1.1 …` and `gzip on` stay.
 * - deploy/n8n.env: the public-address lines → https://koogallery.test:<port>/, N8N_HOST; the
 *   encryption key → a random one; the PostgreSQL connection → the test's server (n8n's tables
 *   in the schema `n8n`, scripts/n8n-queue.cts). Every other line is used as written.
 *
 * deploy/systemd/n8n.service is not run (no systemd here): `systemdSettings` reads what it gives
 * n8n (command, port, environment file) so the test can check they match the other files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { PostgresServer } from '../../scripts/postgres.cjs';

const DEPLOY = path.resolve(__dirname, '..', '..', 'deploy');
/** The domain the deploy files are written for, which the seller replaces with theirs. */
export const PLACEHOLDER_DOMAIN = 'n8n.example.com';
/** Debian's nginx binary and main configuration (`.ci/install-nginx` installs them). */
export const NGINX = '/usr/sbin/nginx';
const DEBIAN_NGINX_CONF = '/etc/nginx/nginx.conf';

/** A deploy file's text. */
export function readDeployFile(relative: string): string {
	return fs.readFileSync(path.join(DEPLOY, relative), 'utf8');
}

/** Replaces each `[from, to]` in `text` (every occurrence); throws when one does not occur. */
export function substitute(
	text: string,
	what: string,
	pairs: Array<[string | RegExp, string]>,
): string {
	let out = text;
	for (const [from, to] of pairs) {
		const found = typeof from === 'string' ? out.includes(from) : from.test(out);
		if (!found)
			throw new Error(
				`${what} no longer contains ${String(from)}: update the test's substitutions`,
			);
		out =
			typeof from === 'string'
				? out.split(from).join(to)
				: out.replace(new RegExp(from.source, `${from.flags}g`), to);
	}
	return out;
}

/** The NAME=value lines of an environment file (systemd's EnvironmentFile format), in order. */
export function parseEnvFile(text: string): Record<string, string> {
	const env: Record<string, string> = {};
	for (const line of text.split('\n')) {
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#')) continue;
		const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(trimmed);
		if (!match) throw new Error(`not NAME=value: ${line}`);
		env[match[1]] = match[2];
	}
	return env;
}

/** deploy/n8n.env with the test's address, a random encryption key and the test's PostgreSQL. */
export function deployedN8nEnv(
	origin: string,
	domain: string,
	pg: PostgresServer,
): Record<string, string> {
	const env = parseEnvFile(readDeployFile('n8n.env'));
	const replaced: Record<string, string> = {
		N8N_WEBHOOK_URL: `${origin}/`,
		WEBHOOK_URL: `${origin}/`,
		N8N_EDITOR_BASE_URL: `${origin}/`,
		N8N_HOST: domain,
		N8N_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: pg.password,
	};
	for (const [name, value] of Object.entries(replaced)) {
		if (!(name in env)) throw new Error(`deploy/n8n.env no longer sets ${name}: update the test`);
		env[name] = value;
	}
	return env;
}

/** What a systemd unit of deploy/systemd gives n8n: its command, Environment= values and EnvironmentFile=. */
export function systemdSettings(unit: string): {
	execStart: string;
	environment: Record<string, string>;
	environmentFile: string;
} {
	const text = readDeployFile(path.join('systemd', unit));
	const values = (key: string) =>
		[...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
	return {
		execStart: values('ExecStart')[0],
		environment: Object.fromEntries(
			values('Environment').map((pair) => pair.split(/=(.*)/s).slice(0, 2)),
		),
		environmentFile: values('EnvironmentFile')[0],
	};
}

/** A running nginx started by `startNginx`. */
export interface Nginx {
	/** Its folder: configuration, logs, temporary files. */
	prefix: string;
	/** Everything in its error log so far. */
	errorLog(): string;
	/** Stops it (graceful) and waits until it has exited. */
	stop(): Promise<void>;
}

/** Where nginx listens and what it proxies to. */
export interface NginxPorts {
	https: number;
	http: number;
	n8n: number;
}

/**
 * Writes Debian's nginx.conf and the two deploy sites, substituted as the header says, into
 * `prefix`, checks them with `nginx -t`, and runs nginx in the foreground (`daemon off`) until
 * `stop()`. Resolves once both ports accept connections.
 */
export async function startNginx(
	prefix: string,
	domain: string,
	ports: NginxPorts,
	tls: { fullChainFile: string; keyFile: string },
): Promise<Nginx> {
	if (!fs.existsSync(NGINX) || !fs.existsSync(DEBIAN_NGINX_CONF)) {
		throw new Error(
			`${NGINX} or ${DEBIAN_NGINX_CONF} is missing: run \`bash .ci/install-nginx\` (as root) first`,
		);
	}
	const asRoot = process.getuid?.() === 0;
	const sites = path.join(prefix, 'sites-enabled');
	const certs = path.join(prefix, 'tls');
	const acme = path.join(prefix, 'acme');
	const temp = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) =>
		path.join(prefix, 'temp', name),
	);
	for (const dir of [sites, certs, acme, ...temp]) fs.mkdirSync(dir, { recursive: true });
	// Debian's nginx.conf runs the workers as www-data: they write large request bodies into the
	// temp folders, so those are theirs and every folder above them (up to the system's temporary
	// folder) may be passed through.
	if (asRoot) {
		for (const dir of temp) spawnSync('chown', ['www-data', dir]);
		for (let dir = prefix; dir.startsWith(`${os.tmpdir()}${path.sep}`); dir = path.dirname(dir)) {
			fs.chmodSync(dir, fs.statSync(dir).mode | 0o011);
		}
	}
	fs.copyFileSync(tls.fullChainFile, path.join(certs, 'fullchain.pem'));
	fs.copyFileSync(tls.keyFile, path.join(certs, 'privkey.pem'));
	fs.chmodSync(path.join(certs, 'privkey.pem'), 0o600);

	const [bodyTemp, proxyTemp, fastcgiTemp, uwsgiTemp, scgiTemp] = temp;
	const main = substitute(fs.readFileSync(DEBIAN_NGINX_CONF, 'utf8'), DEBIAN_NGINX_CONF, [
		...(asRoot ? [] : ([[/^user .*;$/m, '']] as Array<[RegExp, string]>)),
		[/^pid .*;$/m, `pid ${prefix}/nginx.pid;`],
		[/^(\s*)error_log .*;$/m, `$1error_log ${prefix}/error.log;`],
		[/^(\s*)access_log .*;$/m, `$1access_log ${prefix}/access.log;`],
		['include /etc/nginx/conf.d/*.conf;', ''],
		[
			'include /etc/nginx/sites-enabled/*;',
			`include ${sites}/*;\n\tclient_body_temp_path ${bodyTemp};\n\tproxy_temp_path ${proxyTemp};\n` +
				`\tfastcgi_temp_path ${fastcgiTemp};\n\tuwsgi_temp_path ${uwsgiTemp};\n\tscgi_temp_path ${scgiTemp};`,
		],
	]);
	const site = substitute(
		readDeployFile('nginx/koogallery-n8n.conf'),
		'deploy/nginx/koogallery-n8n.conf',
		[
			[PLACEHOLDER_DOMAIN, domain],
			['listen 443 ssl;', `listen 127.0.0.1:${ports.https} ssl;`],
			['listen [::]:443 ssl;', ''],
			['/etc/nginx/tls/koogallery/', `${certs}/`],
			['proxy_pass http://127.0.0.1:5678;', `proxy_pass http://127.0.0.1:${ports.n8n};`],
		],
	);
	const acmeSite = substitute(
		readDeployFile('nginx/koogallery-acme.conf'),
		'deploy/nginx/koogallery-acme.conf',
		[
			[PLACEHOLDER_DOMAIN, domain],
			['listen 80;', `listen 127.0.0.1:${ports.http};`],
			['listen [::]:80;', ''],
			['/var/www/certbot', acme],
		],
	);
	const conf = path.join(prefix, 'nginx.conf');
	fs.writeFileSync(conf, main);
	fs.writeFileSync(path.join(sites, 'koogallery-n8n'), site);
	fs.writeFileSync(path.join(sites, 'koogallery-acme'), acmeSite);

	const args = ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')];
	const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
	if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}`);

	const child: ChildProcess = spawn(NGINX, [...args, '-g', 'daemon off;'], {
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr?.on('data', (chunk) => (stderr += chunk));
	let exited = false;
	const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
	const kill = () => child.kill('SIGKILL');
	process.on('exit', kill);
	const errorLog = () => {
		const file = path.join(prefix, 'error.log');
		return `${stderr}${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''}`;
	};
	const stop = async () => {
		process.removeListener('exit', kill);
		if (!exited) child.kill('SIGQUIT');
		await exit;
	};
	const accepts = (port: number) =>
		new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
			socket.on('error', () => resolve(false));
		});
	const deadline = Date.now() + 60_000;
	while (!((await accepts(ports.https)) && (await accepts(ports.http)))) {
		if (exited || Date.now() > deadline) {
			await stop();
			throw new Error(`nginx did not start:\n${errorLog()}`);
		}
		await sleep(100);
	}
	return { prefix, errorLog, stop };
}
