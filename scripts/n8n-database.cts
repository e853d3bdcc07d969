/**
 * The database part of the real-n8n harness: read-only queries on the SQLite database of an n8n
 * the harness started (scripts/n8n-process.cts), with n8n's own `sqlite3` module on its Node. No
 * API key, user or HTTP session is needed, and it sees exactly what n8n stored.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

import { n8nPackageDir, type N8nInstall } from './n8n-install.cjs';

/** One execution row from n8n's `execution_entity` table. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
}

/**
 * Runs one read-only SQL query against the SQLite database of the n8n in `userFolder`, with n8n's
 * own `sqlite3` module on its Node, and returns the rows. n8n opens SQLite in WAL mode (its default
 * `DB_SQLITE_POOL_SIZE` is 3), so reading while n8n runs does not block n8n's writes.
 */
export function querySqlite(
	install: N8nInstall,
	userFolder: string,
	sql: string,
	params: Array<string | number> = [],
): Promise<Array<Record<string, unknown>>> {
	const sqlite3 = path.join(path.dirname(n8nPackageDir(install)), 'sqlite3');
	const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');
	const script = `
		const [sqlite3Path, dbFile, sql, params] = process.argv.slice(1);
		const sqlite3 = require(sqlite3Path);
		const fail = (error) => { process.stderr.write(String(error)); process.exit(1); };
		const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (error) => error && fail(error));
		db.configure('busyTimeout', 10000);
		db.all(sql, JSON.parse(params), (error, rows) => {
			if (error) fail(error);
			process.stdout.write(JSON.stringify(rows));
			db.close();
		});`;
	const args = ['-e', script, sqlite3, dbFile, sql, JSON.stringify(params)];
	return new Promise((resolve, reject) => {
		const child = spawn(install.nodeBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code !== 0) reject(new Error(`SQLite query "${sql}" failed: ${stderr}`));
			else resolve(JSON.parse(stdout) as Array<Record<string, unknown>>);
		});
	});
}

/** Reads the executions n8n has stored (table `execution_entity`), oldest first. */
export async function queryExecutions(
	install: N8nInstall,
	userFolder: string,
	workflowId?: string,
): Promise<ExecutionSummary[]> {
	const rows = await querySqlite(
		install,
		userFolder,
		'SELECT id, workflowId, status, mode, finished, startedAt, stoppedAt FROM execution_entity' +
			(workflowId ? ' WHERE workflowId = ?' : '') +
			' ORDER BY id',
		workflowId ? [workflowId] : [],
	);
	return rows.map(executionSummaryOf);
}

/** One row of n8n's `execution_entity` table (SQLite or PostgreSQL) as an ExecutionSummary. */
export function executionSummaryOf(row: Record<string, unknown>): ExecutionSummary {
	return {
		id: String(row.id),
		workflowId: String(row.workflowId),
		status: String(row.status),
		mode: String(row.mode),
		finished: Boolean(row.finished),
		startedAt: (row.startedAt as string | null) ?? null,
		stoppedAt: (row.stoppedAt as string | null) ?? null,
	};
}

/**
 * Publication progress of the given workflows since outbox record `afterId`. n8n 2.41.1 activates
 * published workflows asynchronously after start-up (`WorkflowPublicationOutboxConsumer`): it
 * queues one `workflow_publication_outbox` record per workflow and marks it `completed` once the
 * triggers (webhooks included) are registered, or `failed` / `partial_success` with an error.
 * Returns the workflow ids not yet done; throws on a failed activation.
 */
export async function pendingActivations(
	install: N8nInstall,
	userFolder: string,
	workflowIds: string[],
	afterId: number,
): Promise<string[]> {
	if (!workflowIds.length) return [];
	const outbox = await querySqlite(
		install,
		userFolder,
		'SELECT id, workflowId, status, errorMessage FROM workflow_publication_outbox WHERE id > ? ORDER BY id',
		[afterId],
	);
	const latest = new Map(outbox.map((row) => [String(row.workflowId), row]));
	const pending: string[] = [];
	for (const id of workflowIds) {
		const row = latest.get(id);
		if (row?.status === 'completed') continue;
		if (row?.status === 'failed' || row?.status === 'partial_success') {
			const triggers = await querySqlite(
				install,
				userFolder,
				'SELECT nodeId, status, errorMessage FROM workflow_publication_trigger_status WHERE workflowId = ?',
				[id],
			);
			throw new Error(
				`activating workflow ${id} ended "${row.status}": ${String(row.errorMessage)}; ` +
					`triggers: ${JSON.stringify(triggers)}`,
			);
		}
		pending.push(id);
	}
	return pending;
}
