/**
 * A private, throw-away PostgreSQL server for the benchmarks: `initdb` into a temporary folder,
 * listening on 127.0.0.1 at a free port only, trust authentication, stopped and deleted afterwards.
 * It uses the locally installed PostgreSQL binaries (Debian's `postgresql` package puts them in
 * /usr/lib/postgresql/<major>/bin); nothing is installed and no existing cluster is touched.
 * When run as root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort } from '../scripts/n8n-harness.cjs';

/** A running private PostgreSQL server. */
export interface PostgresServer {
	host: string;
	port: number;
	user: string;
	database: string;
	/** `postgres --version`, for the results file. */
	version: string;
	/** Runs SQL with psql and returns its unaligned, tuples-only output; throws on error. */
	sql(statement: string): string;
	/** Stops the server and deletes its data folder. */
	stop(): void;
}

/** The folder of the PostgreSQL binaries, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
	const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
	const candidates: string[] = [];
	if (fromConfig.status === 0) candidates.push(fromConfig.stdout.trim());
	const debian = '/usr/lib/postgresql';
	if (fs.existsSync(debian)) {
		const majors = fs
			.readdirSync(debian)
			.filter((name) => /^\d+$/.test(name))
			.sort((a, b) => Number(b) - Number(a));
		candidates.push(...majors.map((major) => path.join(debian, major, 'bin')));
	}
	return candidates.find((dir) =>
		['initdb', 'pg_ctl', 'postgres', 'psql'].every((bin) => fs.existsSync(path.join(dir, bin))),
	);
}

function check(result: SpawnSyncReturns<string>, what: string): string {
	if (result.status !== 0) {
		throw new Error(
			`${what} failed (exit ${result.status}): ${result.stderr || result.stdout || String(result.error)}`,
		);
	}
	return result.stdout;
}

/** Starts a private server; throws with the reason when PostgreSQL is missing or will not start. */
export async function startPostgres(): Promise<PostgresServer> {
	const bin = findPostgresBin();
	if (!bin) throw new Error('PostgreSQL is not installed (no initdb/pg_ctl/postgres/psql found)');
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const run = (command: string, args: string[]) => {
		const full = path.join(bin, command);
		return asRoot
			? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], {
					encoding: 'utf8',
					cwd: os.tmpdir(),
				})
			: spawnSync(full, args, { encoding: 'utf8' });
	};
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-bench-pg-'));
	const dataDir = path.join(root, 'data');
	if (asRoot) {
		fs.chmodSync(root, 0o755);
		check(spawnSync('chown', ['postgres:postgres', root], { encoding: 'utf8' }), 'chown');
	}
	const port = await freePort();
	let started = false;
	const stop = () => {
		if (started) run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
		started = false;
		fs.rmSync(root, { recursive: true, force: true });
	};
	try {
		check(
			run('initdb', [
				'-D',
				dataDir,
				'-U',
				'postgres',
				'--auth=trust',
				'--no-sync',
				'-E',
				'UTF8',
				'--no-locale',
			]),
			'initdb',
		);
		const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c max_connections=200`;
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
	} catch (error) {
		stop();
		throw error;
	}
	const version = check(run('postgres', ['--version']), 'postgres --version').trim();
	const sql = (statement: string) =>
		check(
			run('psql', [
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-v',
				'ON_ERROR_STOP=1',
				'-Atq',
				'-c',
				statement,
			]),
			'psql',
		);
	return { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', version, sql, stop };
}
