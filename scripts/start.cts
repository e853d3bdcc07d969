/**
 * `npm start`: a local n8n 2.41.1 with this pack and the built-in default workflow, ready for the
 * simulator or the seller console.
 *
 * `npm run build` has run before this script (the npm script does it). Then it provisions the pinned
 * n8n (cached), installs the pack, imports the default workflow the first time (later runs keep the
 * operator's edits) and a "KooGallery Seller Key" credential from KOOGALLERY_ACCESS_KEY (or a demo
 * key made once and kept in the user folder), starts n8n on 127.0.0.1:5678 (N8N_PORT overrides)
 * with the tuned expression-engine settings, waits for the production URL and the Data table,
 * prints what to paste and what to run, plays the simulator once, and keeps n8n running until
 * Ctrl-C. Everything lives in `.n8n-local/` in the repository, so a second start reuses it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { waitForDataTable } from './n8n-data-tables.cjs';
import { querySqlite } from './n8n-database.cjs';
import { isPortFree, sendRequest } from './n8n-http.cjs';
import { ensureN8n, installPack, type N8nInstall } from './n8n-install.cjs';
import { startN8n, type N8nHandle } from './n8n-process.cjs';
import { formatResults, runSaasV2 } from '../simulator/saas-v2-scenarios.cjs';

const REPO_ROOT = path.resolve(__dirname, '..');
const USER_FOLDER = path.join(REPO_ROOT, '.n8n-local');
const WORKFLOW_FILE = path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-data-table.json');
const DEMO_KEY_FILE = path.join(USER_FOLDER, 'demo-seller-key.txt');
/** What was imported last time: the shipped file's hash and the version n8n gave it. */
const STATE_FILE = path.join(USER_FOLDER, 'default-workflow.json');
const TABLE_NAME = 'koogallery_instances';
const WEBHOOK_PATH = 'koogallery/saas';
const CREDENTIAL = {
	id: 'kooGallerySellerKey',
	name: 'KooGallery Seller Key',
	type: 'kooGallerySellerKeyApi',
};

const say = (text = '') => process.stdout.write(`${text}\n`);
/** The n8n this script started, so every way out stops it. */
let handle: N8nHandle | undefined;

/** The seller key to use: KOOGALLERY_ACCESS_KEY, else a demo key made once and kept. */
function sellerKey(): { key: string; demo: boolean } {
	const fromEnv = process.env.KOOGALLERY_ACCESS_KEY?.trim();
	if (fromEnv) return { key: fromEnv, demo: false };
	if (!fs.existsSync(DEMO_KEY_FILE)) {
		fs.writeFileSync(DEMO_KEY_FILE, `demo-${randomBytes(18).toString('base64url')}\n`, {
			mode: 0o600,
		});
	}
	return { key: fs.readFileSync(DEMO_KEY_FILE, 'utf8').trim(), demo: true };
}

/** The version n8n holds of the workflow (changes whenever it is saved in the editor); undefined if absent. */
async function storedVersion(install: N8nInstall, id: string): Promise<string | undefined> {
	if (!fs.existsSync(path.join(USER_FOLDER, '.n8n', 'database.sqlite'))) return undefined;
	const rows = await querySqlite(
		install,
		USER_FOLDER,
		'SELECT versionId FROM workflow_entity WHERE id = ?',
		[id],
	).catch(() => []);
	return rows.length ? String(rows[0].versionId) : undefined;
}

type ImportDecision = 'import' | 'update' | 'keep' | 'keep-edited';

/**
 * Whether to import the shipped workflow: the first time; again when the shipped file changed and
 * the copy in n8n was not edited since the last import; never over the operator's edits.
 */
async function importDecision(
	install: N8nInstall,
	id: string,
	fileHash: string,
): Promise<ImportDecision> {
	const version = await storedVersion(install, id);
	if (version === undefined) return 'import';
	const state = fs.existsSync(STATE_FILE)
		? (JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { fileHash?: string; versionId?: string })
		: {};
	if (state.fileHash === fileHash) return 'keep';
	return state.versionId === version ? 'update' : 'keep-edited';
}

/**
 * Waits until the production URL is served by the KooGallery Trigger: an unsigned POST is refused
 * by the trigger with a signed JSON answer (and starts no execution), where n8n answers 404 while
 * the workflow is not active yet.
 */
async function waitForProductionUrl(url: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const answer = await sendRequest(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		}).catch(() => undefined);
		if (answer?.status === 200 && answer.headers['body-sign']) return;
		if (Date.now() > deadline) {
			throw new Error(
				`${url} is not served by the KooGallery Trigger (last HTTP status ${answer?.status ?? 'none'}); is the workflow published?`,
			);
		}
		await sleep(500);
	}
}

async function main(): Promise<void> {
	const port = Number(process.env.N8N_PORT ?? 5678);
	if (!Number.isInteger(port) || port <= 0 || port > 65535)
		throw new Error(`N8N_PORT "${process.env.N8N_PORT}" is not a port number`);
	if (!(await isPortFree(port))) {
		throw new Error(
			`port ${port} on 127.0.0.1 is in use (another n8n?). Stop it, or run with N8N_PORT=<other port> npm start`,
		);
	}
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	const { key, demo } = sellerKey();
	const workflowText = fs.readFileSync(WORKFLOW_FILE, 'utf8');
	const workflow = JSON.parse(workflowText) as { id: string; name: string };
	const fileHash = createHash('sha256').update(workflowText).digest('hex');

	say(
		`Preparing n8n in ${path.relative(process.cwd(), USER_FOLDER) || USER_FOLDER} (the first run downloads n8n 2.41.1, about 8 minutes)`,
	);
	const install = await ensureN8n();
	installPack(USER_FOLDER);
	const decision = await importDecision(install, workflow.id, fileHash);
	const importing = decision === 'import' || decision === 'update';

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		say(`\n${signal}: stopping n8n...`);
		(handle ? handle.stop() : Promise.resolve()).then(
			() => {
				say('n8n stopped.');
				process.exit(0);
			},
			(error: Error) => {
				process.stderr.write(`could not stop n8n: ${error.message}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));

	handle = await startN8n({
		userFolder: USER_FOLDER,
		port,
		// The credential follows KOOGALLERY_ACCESS_KEY on every start; the workflow is imported and
		// published only when needed, so edits made in the editor survive the next start.
		credentials: [{ ...CREDENTIAL, data: { secretKey: key, site: 'cn' } }],
		workflows: importing ? [workflow] : [],
	});
	if (stopping) return;
	// The harness leaves its import files (with the plain seller key) in the user folder: remove them.
	for (const entry of fs.readdirSync(USER_FOLDER)) {
		if (entry.startsWith('import-'))
			fs.rmSync(path.join(USER_FOLDER, entry), { recursive: true, force: true });
	}
	if (importing) {
		const versionId = await storedVersion(install, workflow.id);
		fs.writeFileSync(STATE_FILE, `${JSON.stringify({ fileHash, versionId }, null, '\t')}\n`);
	}
	const url = `${handle.baseUrl}/webhook/${WEBHOOK_PATH}`;
	await waitForProductionUrl(url);
	await waitForDataTable(install, USER_FOLDER, TABLE_NAME);

	say();
	say(`n8n is running: ${handle.baseUrl}  (logs: ${path.join(USER_FOLDER, 'n8n.log')})`);
	say(
		'  Open it in a browser; the first visit asks you to create the owner account, then the workflow is under Overview.',
	);
	const status: Record<ImportDecision, string> = {
		import: 'imported and published',
		update: `updated from ${path.relative(REPO_ROOT, WORKFLOW_FILE)} and published`,
		keep: 'kept from the last start',
		'keep-edited': `your edited copy is kept; the newer ${path.relative(REPO_ROOT, WORKFLOW_FILE)} was not imported`,
	};
	say(`Workflow: "${workflow.name}" (${status[decision]})`);
	say(`Orders are kept in the n8n Data table "${TABLE_NAME}".`);
	say();
	say(`Production URL (生产接口地址):  ${url}`);
	say(
		demo
			? `Seller key (demo, kept in ${path.relative(REPO_ROOT, DEMO_KEY_FILE)}):  ${key}\n` +
					'  To use your own key from 卖家中心 > 应用工具 > 密钥管理: KOOGALLERY_ACCESS_KEY=<key> npm start'
			: 'Seller key: from KOOGALLERY_ACCESS_KEY',
	);
	say();
	say('Try it with the KooGallery simulator:');
	say(`  npm run sim -- run --url ${url} --key ${demo ? key : '"$KOOGALLERY_ACCESS_KEY"'}`);
	say();
	say('Playing the simulator once now:');
	const results = await runSaasV2(url, key);
	say(formatResults(results));
	say();
	say(
		'KooGallery needs HTTPS on a domain name: put n8n behind your HTTPS proxy and set WEBHOOK_URL before you paste the URL.',
	);
	say('Press Ctrl-C to stop n8n.');
}

main().catch(async (error: Error) => {
	process.stderr.write(`npm start failed: ${error.message}\n`);
	await handle?.stop().catch(() => undefined);
	process.exit(1);
});
