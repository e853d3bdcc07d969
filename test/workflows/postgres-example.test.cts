/**
 * The PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json) answers KooGallery's
 * calls without evaluating a single n8n expression: its nodes are set up by field names only, and
 * the database does the work (views with INSTEAD OF INSERT functions, workflows/sql/). With
 * N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (README, `npm start`, deploy/), a run that evaluates no
 * expression takes no expression sandbox, which is most of the CPU n8n spends on a call. One
 * expression anywhere on a call's path silently costs that again; this test keeps it from coming
 * back. Only the failure path (after an error output) and the start-up step may use expressions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface Node {
	name: string;
	type: string;
	onError?: string;
	parameters: Record<string, unknown>;
}
interface Workflow {
	nodes: Node[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const workflow = JSON.parse(
	fs.readFileSync(path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-postgres.json'), 'utf8'),
) as Workflow;
const byName = new Map(workflow.nodes.map((node) => [node.name, node]));

/** The nodes a call can run through: from the trigger, along every output but an error output. */
function callPath(): Node[] {
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	if (!trigger) throw new Error('the example has no KooGallery Trigger');
	const seen = new Map<string, Node>();
	const visit = (node: Node) => {
		if (seen.has(node.name)) return;
		seen.set(node.name, node);
		const outputs = workflow.connections[node.name]?.main ?? [];
		outputs.forEach((targets, index) => {
			const isErrorOutput =
				node.onError === 'continueErrorOutput' && index === outputs.length - 1 && index > 0;
			if (isErrorOutput) return;
			for (const target of targets ?? []) {
				const next = byName.get(target.node);
				if (!next) throw new Error(`${node.name} leads to a missing node ${target.node}`);
				visit(next);
			}
		});
	};
	visit(trigger);
	return [...seen.values()];
}

/** Every parameter of a node that is an expression (a string starting with "="), by its path. */
function expressionsOf(value: unknown, at: string): string[] {
	if (typeof value === 'string') return value.startsWith('=') ? [`${at}: ${value}`] : [];
	if (Array.isArray(value)) return value.flatMap((entry, i) => expressionsOf(entry, `${at}[${i}]`));
	if (value !== null && typeof value === 'object')
		return Object.entries(value).flatMap(([key, entry]) => expressionsOf(entry, `${at}.${key}`));
	return [];
}

describe('the PostgreSQL example workflow', () => {
	const nodes = callPath();

	it('reaches every scenario, the database and an answer on the path a call takes', () => {
		const types = nodes.map((n) => n.type);
		expect(types.filter((t) => t === 'n8n-nodes-base.postgres')).toHaveLength(6);
		expect(types).toContain('n8n-nodes-koogallery.kooGallery');
		expect(nodes.map((n) => n.name)).toEqual(
			expect.arrayContaining([
				'Save the new instance',
				'Find the instances',
				'Save the new expiry date',
				'Freeze or unfreeze',
				'Mark as released',
				'Note the upgrade order',
				'Answer: new instance ID',
				'Answer: login details',
				'Answer: done',
				'Answer: change allowed',
			]),
		);
		// The failure path is not part of it.
		expect(nodes.map((n) => n.name)).not.toContain('Answer: try again later');
		expect(nodes.map((n) => n.name)).not.toContain('Create the tables');
	});

	it('evaluates no n8n expression on the path a call takes', () => {
		expect(nodes.flatMap((n) => expressionsOf(n.parameters, n.name))).toEqual([]);
	});

	it('still answers every failure on that path through the failure path', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		for (const step of databaseSteps) {
			expect([step.name, step.onError]).toEqual([step.name, 'continueErrorOutput']);
			expect([step.name, workflow.connections[step.name].main[1]]).toEqual([
				step.name,
				[expect.objectContaining({ node: 'Answer: try again later' })],
			]);
		}
	});
});
