/**
 * A private, throw-away PostgreSQL server for the end-to-end tests of the example workflows:
 * `initdb` into a temporary folder, listening on 127.0.0.1 at a free port only (no Unix socket
 * outside that folder), stopped and deleted afterwards. It uses the PostgreSQL binaries of
 * Debian's `postgresql` package (/usr/lib/postgresql/<major>/bin; `.ci/install-postgres` installs
 * them when missing); nothing else is installed and no existing cluster is touched.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: then every PostgreSQL command runs as
 * the `postgres` system user (created by Debian's package) through `runuser`.
 *
 * The server uses password authentication (scram-sha-256) for TCP connections, as a seller's
 * database would, so the n8n credential built by `n8nCredential` is really checked.
 *
 * CLI (for trying the example workflows by hand): `npx tsx scripts/postgres.cts` starts one, prints
 * the connection details and stops it on Ctrl-C.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort } from './n8n-http.cjs';

/** A running private PostgreSQL server. */
export interface PostgresServer {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	/** `postgres --version`. */
	version: string;
	/** Runs SQL (one or more statements) with psql and returns its unaligned, tuples-only output. */
	sql(statement: string): string;
	/** Runs a query and returns its rows as JSON objects (column name to value). */
	rows<T = Record<string, unknown>>(query: string): T[];
	/** The server as an n8n `postgres` credential in `n8n import:credentials` form. */
	n8nCredential(id: string, name: string): object;
	/** Stops the server (fast shutdown) and deletes its folder. Safe to call twice. */
	stop(): void;
}

/** The folder of the PostgreSQL server binaries, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
	const candidates: string[] = [];
	const debian = '/usr/lib/postgresql';
	if (fs.existsSync(debian)) {
		const majors = fs
			.readdirSync(debian)
			.filter((name) => /^\d+$/.test(name))
			.sort((a, b) => Number(b) - Number(a));
		candidates.push(...majors.map((major) => path.join(debian, major, 'bin')));
	}
	const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
	if (fromConfig.status === 0) candidates.push(fromConfig.stdout.trim());
	return candidates.find((dir) =>
		['initdb', 'pg_ctl', 'postgres', 'psql'].every((bin) => fs.existsSync(path.join(dir, bin))),
	);
}

function check(result: SpawnSyncReturns<string>, what: string): string {
	if (result.status !== 0) {
		const reason = result.stderr || result.stdout || String(result.error);
		throw new Error(`${what} failed (exit ${result.status}): ${reason.trim()}`);
	}
	return result.stdout;
}

/** A SQL string literal for `value` (standard_conforming_strings is on by default). */
export function sqlLiteral(value: string | number | boolean | null): string {
	if (value === null) return 'NULL';
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Starts a private server and resolves once it accepts connections. Throws with the reason when
 * PostgreSQL is missing or will not start (after cleaning up).
 */
export async function startPostgres(): Promise<PostgresServer> {
	const bin = findPostgresBin();
	if (!bin) {
		throw new Error(
			'PostgreSQL is not installed (no initdb, pg_ctl, postgres and psql found): run .ci/install-postgres',
		);
	}
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-pg-'));
	const dataDir = path.join(root, 'data');
	const user = 'koogallery';
	const password = randomBytes(12).toString('hex');
	const database = 'koogallery';
	const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
		const full = path.join(bin, command);
		const options = { encoding: 'utf8' as const, cwd: root, env: { ...process.env, ...env } };
		return asRoot
			? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], options)
			: spawnSync(full, args, options);
	};
	if (asRoot) {
		fs.chmodSync(root, 0o755);
		check(spawnSync('chown', ['postgres:postgres', root], { encoding: 'utf8' }), 'chown');
	}
	const port = await freePort();
	/** One psql statement over the socket in `root`, stopping at the first error. */
	const psql = (db: string, flags: string, statement: string, what: string) =>
		check(
			run('psql', [
				'-X',
				'-h',
				root,
				'-p',
				String(port),
				'-U',
				user,
				'-d',
				db,
				'-v',
				'ON_ERROR_STOP=1',
				flags,
				'-c',
				statement,
			]),
			what,
		);
	let started = false;
	const stop = () => {
		if (started) run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
		started = false;
		fs.rmSync(root, { recursive: true, force: true });
		process.removeListener('exit', stop);
	};
	// A test run that dies half-way must not leave a server running.
	process.on('exit', stop);
	try {
		const passwordFile = path.join(root, 'password');
		fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
		if (asRoot)
			check(spawnSync('chown', ['postgres:postgres', passwordFile], { encoding: 'utf8' }), 'chown');
		check(
			run('initdb', [
				'-D',
				dataDir,
				'-U',
				user,
				`--pwfile=${passwordFile}`,
				'--auth-local=trust',
				'--auth-host=scram-sha-256',
				'--no-sync',
				'-E',
				'UTF8',
				'--no-locale',
			]),
			'initdb',
		);
		fs.rmSync(passwordFile);
		const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c max_connections=100 -c fsync=off`;
		check(
			run('pg_ctl', [
				'-D',
				dataDir,
				'-o',
				options,
				'-l',
				path.join(root, 'server.log'),
				'-w',
				'-t',
				'60',
				'start',
			]),
			'pg_ctl start',
		);
		started = true;
		// The database the workflows use; psql itself connects over the socket in `root` (trust).
		psql('postgres', '-q', `CREATE DATABASE ${database}`, 'CREATE DATABASE');
	} catch (error) {
		stop();
		throw error;
	}
	const version = check(run('postgres', ['--version']), 'postgres --version').trim();
	const sql = (statement: string) =>
		psql(database, '-Atq', statement, `psql "${statement.slice(0, 120)}"`);
	return {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		version,
		sql,
		rows<T>(query: string): T[] {
			const text = sql(`SELECT coalesce(json_agg(q), '[]'::json) FROM (${query}) AS q`).trim();
			return JSON.parse(text) as T[];
		},
		n8nCredential(id: string, name: string) {
			return {
				id,
				name,
				type: 'postgres',
				data: { host: '127.0.0.1', port, database, user, password, ssl: 'disable' },
			};
		},
		stop,
	};
}

if (require.main === module) {
	startPostgres().then(
		(server) => {
			process.stdout.write(
				`PostgreSQL (${server.version}) on ${server.host}:${server.port}\n` +
					`  database ${server.database}, user ${server.user}, password ${server.password}\n` +
					'Press Ctrl-C to stop it and delete its data.\n',
			);
			const quit = () => {
				server.stop();
				process.exit(0);
			};
			process.on('SIGINT', quit);
			process.on('SIGTERM', quit);
			setInterval(() => undefined, 60_000);
		},
		(error) => {
			process.stderr.write(`${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
