/**
 * The PostgreSQL example workflow (workflows/koogallery-saas-v2-postgres.json) answers KooGallery's
 * calls without evaluating a single n8n expression: its nodes are set up by field names only, and
 * the database does the work (views with INSTEAD OF INSERT functions, workflows/sql/). With
 * N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (README, `npm start`, deploy/), a run that evaluates no
 * expression takes no expression sandbox, which is most of the CPU n8n spends on a call. One
 * expression anywhere on a call's path silently costs that again; this test keeps it from coming
 * back. Only the failure path (after an error output) and the start-up step may use expressions.
 */
import {
	allLeadTo,
	callPath,
	callPathExpressions,
	errorRoutes,
	readExample,
} from './call-path.cjs';

const workflow = readExample('koogallery-saas-v2-postgres.json');

describe('the PostgreSQL example workflow', () => {
	const nodes = callPath(workflow);

	it('reaches every scenario, the database and an answer on the path a call takes', () => {
		const types = nodes.map((n) => n.type);
		expect(types.filter((t) => t === 'n8n-nodes-base.postgres')).toHaveLength(3);
		expect(types).toContain('n8n-nodes-koogallery.kooGallery');
		expect(nodes.map((n) => n.name)).toEqual(
			expect.arrayContaining([
				'Save the new instance',
				'Find the instances',
				'Pick the change fields',
				'Save the change',
				'Instance known?',
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

	it('sends renewal, freeze or unfreeze, release and upgrade down one path, which keeps `activity`', () => {
		// Every node of the workflow costs n8n CPU on every call (n8n reads all their parameters),
		// so the four notifications share one Edit Fields and one PostgreSQL step; the database
		// tells them apart by the call's `activity`.
		const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
		const scenarios = trigger?.parameters.scenarios as string[];
		const outputs = workflow.connections[trigger?.name ?? ''].main;
		const targetOf = (activity: string) =>
			outputs[scenarios.indexOf(activity)].map((target) => target.node);
		expect(
			['refreshInstance', 'updateInstanceStatus', 'releaseInstance', 'upgradeInstance'].map(
				targetOf,
			),
		).toEqual(Array(4).fill(['Pick the change fields']));
		const pick = workflow.nodes.find((n) => n.name === 'Pick the change fields');
		expect(String(pick?.parameters.includeFields).split(/,\s*/)).toContain('activity');
		expect(workflow.connections['Pick the change fields'].main).toEqual([
			[expect.objectContaining({ node: 'Save the change' })],
		]);
		expect(
			workflow.nodes.find((n) => n.name === 'Save the change')?.parameters.table,
		).toMatchObject({ value: 'koogallery_instance_changes' });
	});

	it('evaluates no n8n expression on the path a call takes', () => {
		expect(callPathExpressions(workflow)).toEqual([]);
	});

	it('still answers every failure on that path through the failure path', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		expect(errorRoutes(workflow, databaseSteps)).toEqual(
			allLeadTo(databaseSteps, 'Answer: try again later'),
		);
	});
});
