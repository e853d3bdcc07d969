/**
 * Command-line wrapper around the real-n8n harness (scripts/n8n-install.cts,
 * scripts/n8n-process.cts).
 *
 *   npx tsx scripts/n8n.cts ensure                 install Node 24 + n8n 2.41.1 into the cache
 *                                                  (N8N_TEST_VERSION=1.123.81: that n8n on Node 22)
 *   npx tsx scripts/n8n.cts pack <userFolder>      install the built pack into <userFolder>
 *   npx tsx scripts/n8n.cts start [--port N] [--user-folder DIR] [--no-pack]
 *                                 [--credentials creds.json] [workflow.json ...]
 *                                                  start n8n with the pack, the given credentials
 *                                                  (import:credentials form, plain data) and
 *                                                  workflows (one or an array per file) until Ctrl-C
 *   npx tsx scripts/n8n.cts exec -- <n8n args>     run any n8n CLI command with the cached install
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureN8n, installPack } from './n8n-install.cjs';
import { n8nEnv, startN8n } from './n8n-process.cjs';

/** Parses `start` arguments. */
function parseStart(args: string[]) {
	let port: number | undefined;
	let userFolder: string | undefined;
	let pack = true;
	let credentials: string | undefined;
	const files: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--port') port = Number(args[++i]);
		else if (arg === '--user-folder') userFolder = path.resolve(args[++i]);
		else if (arg === '--no-pack') pack = false;
		else if (arg === '--credentials') credentials = path.resolve(args[++i]);
		else files.push(path.resolve(arg));
	}
	return { port, userFolder, pack, credentials, files };
}

async function main(): Promise<void> {
	const [command, ...args] = process.argv.slice(2);
	if (command === 'ensure') {
		const install = await ensureN8n();
		process.stdout.write(`${JSON.stringify(install)}\n`);
	} else if (command === 'pack') {
		if (!args[0]) throw new Error('usage: pack <userFolder>');
		process.stdout.write(`${installPack(path.resolve(args[0]))}\n`);
	} else if (command === 'start') {
		const options = parseStart(args);
		const userFolder =
			options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-n8n-'));
		await ensureN8n();
		if (options.pack) installPack(userFolder);
		const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
		const workflows = options.files.flatMap((file) => readJson(file));
		const credentials = options.credentials ? readJson(options.credentials) : undefined;
		const handle = await startN8n({ userFolder, port: options.port, workflows, credentials });
		process.stdout.write(
			`n8n is up at ${handle.baseUrl} (user folder ${userFolder}); Ctrl-C stops it\n`,
		);
		const stop = () => {
			handle.stop().then(
				() => process.exit(0),
				() => process.exit(1),
			);
		};
		process.on('SIGINT', stop);
		process.on('SIGTERM', stop);
	} else if (command === 'exec') {
		const install = await ensureN8n();
		const rest = args[0] === '--' ? args.slice(1) : args;
		const result = spawnSync(install.nodeBin, [install.n8nBin, ...rest], {
			stdio: 'inherit',
			env: n8nEnv(install, { userFolder: process.env.N8N_USER_FOLDER ?? process.cwd() }),
		});
		process.exitCode = result.status ?? 1;
	} else {
		process.stderr.write(
			'usage: n8n.cts ensure | pack <userFolder> | start [--port N] [--user-folder DIR] [--no-pack] [--credentials creds.json] [workflow.json ...] | exec -- <n8n args>\n',
		);
		process.exitCode = 2;
	}
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
