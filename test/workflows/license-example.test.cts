/**
 * The License example workflow (workflows/koogallery-license-issuance.json) answers KooGallery's
 * License calls with its steps set up by field names only: the database does the work (views with
 * INSTEAD OF INSERT functions, workflows/sql/koogallery-license.sql), Split Out takes the place of
 * the "issued before?" and "instance known?" checks, and KooGallery Respond reads the instance ID
 * and the license from its input. With N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (README, `npm
 * start`, deploy/), a run that evaluates no expression takes no expression sandbox, which is most
 * of the CPU n8n spends on a call. Only the failure path (after an error output) and the start-up
 * step may use expressions.
 */
import {
	allLeadTo,
	callPath,
	callPathExpressions,
	errorRoutes,
	readExample,
} from './call-path.cjs';

const workflow = readExample('koogallery-license-issuance.json');

describe('the License example workflow', () => {
	const nodes = callPath(workflow);
	const names = nodes.map((n) => n.name);

	it('reaches every License scenario, the database, the signing step and an answer on the path a call takes', () => {
		expect(nodes.filter((n) => n.type === 'n8n-nodes-base.postgres')).toHaveLength(7);
		expect(names).toEqual(
			expect.arrayContaining([
				'Find the license',
				'Sign it with your key',
				'Save the license',
				'Renew the license code',
				'Freeze or unfreeze the code',
				'Release the license code',
				'Renew the license',
				'Release the license',
				'Answer: the same license',
				'Answer: license',
				'Answer: done',
			]),
		);
		// The failure path is not part of it.
		expect(names).not.toContain('Answer: try again later');
		expect(names).not.toContain('Create the tables');
	});

	it('evaluates no n8n expression on the path a call takes', () => {
		expect(callPathExpressions(workflow)).toEqual([]);
	});

	it("signs with the pack's Sign Text, which reads the text by field name, and gives that step no error output", () => {
		const signing = nodes.find((n) => n.name === 'Sign it with your key');
		expect(signing).toMatchObject({
			type: 'n8n-nodes-koogallery.kooGallery',
			parameters: { resource: 'signature', operation: 'signText', textField: 'licenseData' },
		});
		// For a node with an error output n8n works out the node's outputs on every run, and the
		// KooGallery node's outputs are an expression (Usage has two): one expression sandbox per
		// new license (seen in n8n's /metrics). A signing failure (a wrong key) stops the run, and
		// the error workflow tells the operator.
		expect(signing?.onError).toBeUndefined();
		expect(workflow.connections['Sign it with your key'].main).toHaveLength(1);
	});

	it('still answers every failure on that path through the failure path', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		expect(databaseSteps).toHaveLength(7);
		expect(errorRoutes(workflow, databaseSteps)).toEqual(
			allLeadTo(databaseSteps, 'Answer: try again later'),
		);
	});
});
