/**
 * Reads the n8n Data tables of a real n8n started by the harness (scripts/n8n-process.cts).
 *
 * The shipped workflows create their own tables: a branch "When published or n8n starts" (n8n's
 * own n8n Trigger, events Workflow Published / Published Workflow Updated / Instance Started) runs
 * n8n's Data table node, Table > Create with "Reuse Existing Tables". So nothing here creates a
 * table; tests and `npm start` only wait for it and read it. n8n 2.41.1 keeps each Data table in
 * SQLite as `data_table` (name, id, projectId) plus one table `data_table_user_<id>` for the rows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { querySqlite } from './n8n-database.cjs';
import { type N8nInstall } from './n8n-install.cjs';

/** One Data table as n8n lists it. */
export interface DataTableInfo {
	id: string;
	name: string;
	projectId: string;
}

/** The Data tables of the n8n in `userFolder` whose name is exactly `name` (one per project). */
export async function findDataTables(
	install: N8nInstall,
	userFolder: string,
	name: string,
): Promise<DataTableInfo[]> {
	const rows = await querySqlite(
		install,
		userFolder,
		'SELECT id, name, projectId FROM data_table WHERE name = ? ORDER BY createdAt',
		[name],
	);
	return rows.map((row) => ({
		id: String(row.id),
		name: String(row.name),
		projectId: String(row.projectId),
	}));
}

/**
 * Waits until the Data table `name` exists (the workflow's set-up branch runs asynchronously after
 * n8n has activated it) and returns it. Throws after `timeoutMs` or if there is more than one.
 */
export async function waitForDataTable(
	install: N8nInstall,
	userFolder: string,
	name: string,
	timeoutMs = 30_000,
): Promise<DataTableInfo> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const tables = await findDataTables(install, userFolder, name).catch(() => []);
		if (tables.length > 1)
			throw new Error(`there are ${tables.length} Data tables named "${name}"`);
		if (tables.length === 1) return tables[0];
		if (Date.now() > deadline)
			throw new Error(`no Data table named "${name}" after ${timeoutMs} ms`);
		await sleep(250);
	}
}

/** All rows of a Data table, oldest first, with n8n's system columns `id`, `createdAt`, `updatedAt`. */
export async function readDataTableRows(
	install: N8nInstall,
	userFolder: string,
	table: DataTableInfo,
): Promise<Array<Record<string, unknown>>> {
	if (!/^[A-Za-z0-9_-]+$/.test(table.id)) throw new Error(`unexpected Data table id ${table.id}`);
	return await querySqlite(
		install,
		userFolder,
		`SELECT * FROM "data_table_user_${table.id}" ORDER BY id`,
	);
}
