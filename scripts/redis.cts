/**
 * A private, throw-away Redis server for the queue-mode end-to-end test: Debian's `redis-server`
 * (`.ci/install-redis` installs it when missing) on a free port of 127.0.0.1, with no persistence
 * (no RDB snapshots, no append-only file) and its working folder in a temporary directory that is
 * deleted when it stops. No system service or existing server is touched.
 *
 * CLI (for trying queue mode by hand): `node --require tsx/cjs scripts/redis.cts` starts one,
 * prints its port and stops it on Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort } from './n8n-http.cjs';

/** A running private Redis server. */
export interface RedisServer {
	host: string;
	port: number;
	/** `redis-server --version`. */
	version: string;
	/** Process id of `redis-server`. */
	pid: number;
	/** Sends one command (inline protocol) and resolves with Redis's raw reply. */
	command(line: string): Promise<string>;
	/** Stops the server and deletes its folder. Safe to call twice. */
	stop(): Promise<void>;
}

/** Sends one inline command to Redis at `port` and resolves with the first reply chunk. */
function redisCommand(port: number, line: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(5000, () =>
			socket.destroy(new Error(`Redis on ${port} did not answer "${line}"`)),
		);
		socket.once('error', reject);
		socket.once('connect', () => socket.write(`${line}\r\n`));
		socket.once('data', (chunk) => {
			socket.end();
			resolve(chunk.toString('utf8'));
		});
	});
}

/**
 * Starts a private Redis server and resolves once it answers PING. Throws with the reason (and
 * cleans up) when `redis-server` is missing or will not start.
 */
export async function startRedis(): Promise<RedisServer> {
	const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
	if (probe.status !== 0) {
		throw new Error('redis-server is not installed: run .ci/install-redis');
	}
	const version = probe.stdout.trim();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-redis-'));
	const port = await freePort();
	const logFile = path.join(dir, 'redis.log');
	const child = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
			'--logfile',
			logFile,
		],
		{ stdio: 'ignore' },
	);
	const pid = child.pid as number;
	let exited = false;
	const exitPromise = new Promise<void>((resolve) =>
		child.on('exit', () => {
			exited = true;
			resolve();
		}),
	);
	const killNow = () => {
		if (!exited) child.kill('SIGKILL');
	};
	// A test run that dies half-way must not leave a server running.
	process.on('exit', killNow);
	const stop = async () => {
		if (!exited) {
			child.kill('SIGTERM');
			const deadline = Date.now() + 10_000;
			while (!exited && Date.now() < deadline) await sleep(50);
			killNow();
		}
		await exitPromise;
		process.removeListener('exit', killNow);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (exited) {
			const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
			await stop();
			throw new Error(`redis-server exited during start-up:\n${log}`);
		}
		try {
			if ((await redisCommand(port, 'PING')).startsWith('+PONG')) break;
		} catch {
			// Not listening yet.
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server on port ${port} did not answer PING within 30 s`);
		}
		await sleep(100);
	}
	return {
		host: '127.0.0.1',
		port,
		version,
		pid,
		command: (line) => redisCommand(port, line),
		stop,
	};
}

if (require.main === module) {
	startRedis().then(
		(server) => {
			process.stdout.write(
				`${server.version}\nlistening on ${server.host}:${server.port}\nPress Ctrl-C to stop it.\n`,
			);
			const quit = () => void server.stop().then(() => process.exit(0));
			process.on('SIGINT', quit);
			process.on('SIGTERM', quit);
		},
		(error) => {
			process.stderr.write(`${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
