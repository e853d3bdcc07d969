/**
 * The joint-operation directory example (workflows/koogallery-kit-directory-postgres.json) answers
 * KooGallery's kit syncs without evaluating a single n8n expression: each sync's fields are picked
 * by name and written into a view whose function (workflows/sql/koogallery-kit-directory.sql) reads
 * the sync's flag and adds, changes or deletes the rows, keyed by the trigger's idempotency keys.
 * With N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true, a run that evaluates no expression takes no
 * expression sandbox; this test keeps expressions from coming back onto the path a sync takes.
 * Only the failure path (after an error output) and the start-up step may use expressions.
 */
import {
	allLeadTo,
	callPath,
	callPathExpressions,
	errorRoutes,
	readExample,
} from './call-path.cjs';

const workflow = readExample('koogallery-kit-directory-postgres.json');

describe('the joint-operation directory example workflow', () => {
	const nodes = callPath(workflow);

	it('reaches a database step for every sync and the answer on the path a sync takes', () => {
		const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
		expect(trigger?.parameters.kitScenarios).toEqual([
			'tenantSync',
			'applicationSync',
			'authSync',
			'singleOrgSync',
			'allOrgSync',
		]);
		// One output per scenario, each leading to a step.
		expect(workflow.connections[trigger!.name].main.map((targets) => targets.length)).toEqual([
			1, 1, 1, 1, 1,
		]);
		expect(nodes.filter((n) => n.type === 'n8n-nodes-base.postgres').map((n) => n.name)).toEqual(
			expect.arrayContaining([
				'Save the tenant',
				'Save the application',
				'Save the users',
				'Save the department',
				'Save all departments',
			]),
		);
		expect(nodes.map((n) => n.name)).toContain('Answer: success');
		// The failure path and the start-up step are not part of it.
		expect(nodes.map((n) => n.name)).not.toContain('Answer: failed');
		expect(nodes.map((n) => n.name)).not.toContain('Describe the failure');
		expect(nodes.map((n) => n.name)).not.toContain('Create the tables');
	});

	it('evaluates no n8n expression on the path a sync takes', () => {
		expect(callPathExpressions(workflow)).toEqual([]);
	});

	it('still answers every database failure on that path through the failure answer', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		expect(databaseSteps.length).toBeGreaterThanOrEqual(5);
		expect(errorRoutes(workflow, databaseSteps)).toEqual(
			allLeadTo(databaseSteps, 'Answer: failed'),
		);
		const failed = workflow.nodes.find((n) => n.name === 'Answer: failed');
		expect(failed?.parameters.resultCode).toBe('000005');
		expect(workflow.connections['Answer: failed'].main[0]).toEqual([
			expect.objectContaining({ node: 'Describe the failure' }),
		]);
	});
});
