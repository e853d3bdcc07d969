/**
 * The APIG example workflow (workflows/koogallery-apig-postgres.json) answers every customer call
 * API Gateway forwards without evaluating a single n8n expression: its steps are set up by field
 * names only, and the database does the work (a view with an INSTEAD OF INSERT function,
 * workflows/sql/koogallery-apig-postgres.sql). It is the busiest path of all the examples (one run
 * per customer API call), so one expression on it would cost an expression sandbox on each call.
 * Only the failure path (after an error output) and the start-up step may use expressions.
 */
import {
	allLeadTo,
	callPath,
	callPathExpressions,
	errorRoutes,
	readExample,
} from './call-path.cjs';

const API_TRIGGER = 'n8n-nodes-koogallery.kooGalleryApiTrigger';
const workflow = readExample('koogallery-apig-postgres.json');

describe('the APIG example workflow', () => {
	const nodes = callPath(workflow, API_TRIGGER);

	it('reaches the database and both answers on the path a call takes', () => {
		expect(nodes.map((n) => n.type)).toEqual([
			API_TRIGGER,
			'n8n-nodes-base.set',
			'n8n-nodes-base.postgres',
			'n8n-nodes-base.splitOut',
			'n8n-nodes-koogallery.kooGalleryApiRespond',
		]);
		// The known and the unknown code are answered by one step: the item (200, billed) or 404.
		const answer = nodes[nodes.length - 1];
		expect(answer.parameters).toEqual(
			expect.objectContaining({ answer: 'success', resultFrom: 'item', notFoundAnswer: true }),
		);
		// Split Out gives an empty item for an unknown code only when set to Always Output Data.
		expect(workflow.nodes.find((n) => n.name === 'Item found?')).toEqual(
			expect.objectContaining({ alwaysOutputData: true }),
		);
		expect(nodes.map((n) => n.name)).not.toContain('Answer: try again later (not billed)');
		expect(nodes.map((n) => n.name)).not.toContain('Create the tables');
	});

	it('evaluates no n8n expression on the path a call takes', () => {
		expect(callPathExpressions(workflow, API_TRIGGER)).toEqual([]);
	});

	it('answers a database failure on that path with 503 (not billed) through the failure path', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		expect(databaseSteps).not.toHaveLength(0);
		expect(errorRoutes(workflow, databaseSteps)).toEqual(
			allLeadTo(databaseSteps, 'Answer: try again later (not billed)'),
		);
		expect(
			workflow.nodes.find((n) => n.name === 'Answer: try again later (not billed)')?.parameters,
		).toEqual(expect.objectContaining({ answer: 'error', errorStatus: 503 }));
	});
});
