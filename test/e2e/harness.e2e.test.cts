/**
 * Smoke test of the real-n8n harness (scripts/n8n-process.cts): it starts n8n 2.41.1 on Node 24
 * with this pack installed as a community package, serves a published workflow built from n8n's own
 * Webhook and Respond to Webhook nodes, records the execution, and stops without leaving anything
 * behind.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPortFree, sendRequest } from '../../scripts/n8n-http.cjs';
import { installPack } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';

// Waiting for executions and stopping n8n take longer than jest's default 5 s on a slow runner.
jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const smokeWorkflow = JSON.parse(
	fs.readFileSync(path.join(__dirname, 'fixtures', 'harness-smoke.workflow.json'), 'utf8'),
);

/**
 * A credential in `n8n import:credentials` form, with its data in plain text; the smoke workflow's
 * Webhook node uses it for header authentication.
 */
const credential = {
	id: 'kgHarnessCred001',
	name: 'Harness smoke credential',
	type: 'httpHeaderAuth',
	data: { name: 'x-harness', value: `secret-${randomUUID()}` },
};

/** n8n's type name for a listed file: class name with a lower-case first letter. */
const typeName = (file: string) => {
	const className = path.basename(file).split('.')[0];
	return className.charAt(0).toLowerCase() + className.slice(1);
};

describe('the real-n8n harness', () => {
	let handle: N8nHandle;
	let userFolder: string;

	beforeAll(async () => {
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-harness-'));
		installPack(userFolder);
		handle = await startN8n({ userFolder, workflows: [smokeWorkflow], credentials: [credential] });
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
		// Set KOOGALLERY_KEEP_N8N=1 to keep the user folder (n8n.log, database) for debugging.
		if (userFolder && !process.env.KOOGALLERY_KEEP_N8N) {
			fs.rmSync(userFolder, { recursive: true, force: true });
		}
	}, 60_000);

	it('runs n8n 2.41.1 on 127.0.0.1 with the user folder it was given', () => {
		expect(handle.baseUrl).toBe(`http://127.0.0.1:${handle.port}`);
		expect(handle.logs()).toContain('Version: 2.41.1');
		expect(handle.logs()).toContain(`n8n ready on 127.0.0.1, port ${handle.port}`);
		expect(fs.existsSync(path.join(userFolder, '.n8n', 'database.sqlite'))).toBe(true);
	});

	it('loaded every node and credential the pack lists, under the package name', () => {
		const nodes: string[] = manifest.n8n.nodes;
		const credentials: string[] = manifest.n8n.credentials;
		expect(nodes.length).toBeGreaterThan(0);
		const loaded = handle.loadedTypes();
		for (const file of nodes) {
			expect(loaded.nodes).toContain(`n8n-nodes-koogallery.${typeName(file)}`);
		}
		for (const file of credentials) expect(loaded.credentials).toContain(typeName(file));
		// n8n's own nodes are there too, so the list is the real one.
		expect(loaded.nodes).toContain('n8n-nodes-base.webhook');
	});

	it('imported the credential and stored it encrypted', async () => {
		const rows = await handle.query('SELECT id, name, type, data FROM credentials_entity');
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			id: credential.id,
			name: credential.name,
			type: credential.type,
		});
		expect(typeof rows[0].data).toBe('string');
		expect(rows[0].data).not.toContain(credential.data.value);
	});

	it('leaves no file holding the plain secret in the user folder', () => {
		const holding: string[] = [];
		const walk = (dir: string) => {
			for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
				const file = path.join(dir, entry.name);
				if (entry.isDirectory()) {
					if (entry.name !== 'node_modules') walk(file);
				} else if (entry.isFile() && fs.readFileSync(file).includes(credential.data.value)) {
					holding.push(path.relative(handle.userFolder, file));
				}
			}
		};
		walk(handle.userFolder);
		expect(holding).toEqual([]);
	});

	it('answers the published webhook and records exactly that execution', async () => {
		const [workflowId] = handle.workflowIds;
		expect(await handle.listExecutions(workflowId)).toEqual([]);
		const ping = randomUUID();
		const answer = await sendRequest(`${handle.baseUrl}/webhook/harness-smoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-harness': credential.data.value },
			body: JSON.stringify({ ping }),
		});
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ ok: true, echo: ping });

		const executions = await handle.waitForExecutions(1, { workflowId });
		expect(executions).toHaveLength(1);
		expect(executions[0]).toMatchObject({ workflowId, status: 'success', mode: 'webhook' });
		expect(await handle.listExecutions()).toHaveLength(1);
	});

	it('refuses a wrong header value: n8n decrypted and uses the imported credential', async () => {
		const answer = await sendRequest(`${handle.baseUrl}/webhook/harness-smoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-harness': 'wrong' },
			body: JSON.stringify({ ping: 'refused' }),
		});
		expect(answer.status).toBe(403);
		expect(await handle.listExecutions()).toHaveLength(1);
	});

	it('answers 404 for a path no workflow registered, and starts no execution', async () => {
		const answer = await sendRequest(`${handle.baseUrl}/webhook/not-registered-${randomUUID()}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		expect(answer.status).toBe(404);
		expect(await handle.listExecutions()).toHaveLength(1);
	});

	it('stops cleanly: n8n and its task runner exit and the port is free again', async () => {
		await handle.stop();
		expect(() => process.kill(-handle.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
		expect(await isPortFree(handle.port)).toBe(true);
		await expect(sendRequest(`${handle.baseUrl}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
	});
});
