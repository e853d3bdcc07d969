/**
 * The REST example workflow (workflows/koogallery-saas-v2-rest-api.json) talks to the seller's own
 * user-management API with n8n's HTTP Request node. With N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true
 * (README, `npm start`, deploy/), a run that evaluates no n8n expression takes no expression
 * sandbox, which is most of the CPU n8n spends on a call; one expression on a path costs that again.
 *
 * A new purchase (the call KooGallery repeats most, and the one that must answer within seconds)
 * and the change check evaluate none: the request body is the item itself (Rename Keys, Edit Fields
 * keeping fields by name, Convert to File), a status that is not 2xx leaves by the error output,
 * and KooGallery Respond reads `instanceId` by name. A 2xx answer without an account `id` is no
 * account made: the Respond's option "Answer 'Not Found' When Nothing Was Found" answers it 000005,
 * which needs no expression either. The other calls name an account in the URL
 * (`/accounts/{id}`), and n8n's HTTP Request node reads its URL, query and headers only from its
 * parameters: one expression there is unavoidable, so those paths keep exactly the expressions
 * listed here and no more. The failure path (after an error output) may use expressions.
 */
import {
	callPath,
	callPathExpressions,
	expressionsAlong,
	expressionsOf,
	readExample,
	type Workflow,
	type WorkflowNode,
} from './call-path.cjs';

const FILE = 'koogallery-saas-v2-rest-api.json';
const workflow = readExample(FILE);

/** The nodes a call of the trigger's output `output` runs through when every step succeeds. */
function successPath(flow: Workflow, output: number): WorkflowNode[] {
	const byName = new Map(flow.nodes.map((node) => [node.name, node]));
	const trigger = flow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	const path: WorkflowNode[] = [];
	let next = flow.connections[String(trigger?.name)].main[output]?.[0]?.node;
	while (next !== undefined) {
		const node = byName.get(next) as WorkflowNode;
		path.push(node);
		// Every step's first output is the one a successful call takes.
		next = flow.connections[node.name]?.main[0]?.[0]?.node;
	}
	return path;
}

const URL_EXPRESSION =
	'=https://users.example.com/api/v1/accounts/{{ encodeURIComponent($json.instanceId) }}';

describe('the REST example workflow', () => {
	it('answers a new purchase without evaluating any n8n expression', () => {
		const nodes = successPath(workflow, 0);
		expect(nodes.map((n) => [n.name, n.type])).toEqual([
			['Name the account fields', 'n8n-nodes-base.renameKeys'],
			['Pick the account fields', 'n8n-nodes-base.set'],
			['Make the JSON body', 'n8n-nodes-base.convertToFile'],
			['API: create the account', 'n8n-nodes-base.httpRequest'],
			['Name the instance ID', 'n8n-nodes-base.renameKeys'],
			['Answer: instance ID', 'n8n-nodes-koogallery.kooGalleryRespond'],
		]);
		expect(expressionsAlong(nodes)).toEqual([]);
	});

	it('sends the API exactly the account fields, as the JSON body, to a fixed address', () => {
		const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
		expect(byName.get('Name the account fields')?.parameters.keys).toEqual({
			key: [
				{ currentKey: 'orderLineId', newKey: 'externalId' },
				{ currentKey: 'orderId', newKey: 'lastOrderId' },
				{ currentKey: 'koogallery.testFlag', newKey: 'testAccount' },
			],
		});
		expect(byName.get('Pick the account fields')?.parameters).toMatchObject({
			include: 'selected',
			includeFields: 'externalId, lastOrderId, testAccount',
			includeOtherFields: true,
		});
		expect(byName.get('Make the JSON body')?.parameters).toMatchObject({
			operation: 'toJson',
			mode: 'each',
		});
		const create = byName.get('API: create the account') as WorkflowNode;
		expect(create.parameters).toMatchObject({
			method: 'POST',
			url: 'https://users.example.com/api/v1/accounts',
			contentType: 'binaryData',
			inputDataFieldName: 'data',
		});
		// Not 2xx: the error output, which answers 000005 and tells the operator.
		expect(create.onError).toBe('continueErrorOutput');
		expect(JSON.stringify(create.parameters)).not.toContain('neverError');
		expect(workflow.connections[create.name].main[1]).toEqual([
			expect.objectContaining({ node: 'Answer: try again later' }),
		]);
		// The account's id is the instance ID; no id (nothing found) is answered 000005, not an ID
		// made from the order (test/nodes/respond.test.cts).
		expect(byName.get('Name the instance ID')?.parameters.keys).toEqual({
			key: [{ currentKey: 'id', newKey: 'instanceId' }],
		});
		expect(byName.get('Answer: instance ID')?.parameters).toEqual({
			respondTo: 'newInstance',
			options: { notFoundAnswer: true },
		});
	});

	it('answers the change check without any n8n expression', () => {
		const nodes = successPath(workflow, 6);
		expect(nodes.map((n) => n.name)).toEqual(['Answer: change allowed']);
		expect(expressionsAlong(nodes)).toEqual([]);
	});

	it('keeps on the other paths only the account in the URL, the query checks and the freeze status', () => {
		const byPath = (output: number) => expressionsAlong(successPath(workflow, output));
		// Query Instance: the account in the URL, and the two checks over all the instances asked
		// about (all answered, all found) that decide between 000000, 000003 and 000005 at once.
		expect(byPath(1)).toEqual([
			`API: get the account.url: ${URL_EXPRESSION}`,
			'API answered?.conditions.conditions[0].leftValue: ={{ $input.all().every(i => i.json.statusCode === 200 || i.json.statusCode === 404) }}',
			'All accounts found?.conditions.conditions[0].leftValue: ={{ $input.all().every(i => i.json.statusCode === 200) }}',
		]);
		const update = [
			`API: update the account.url: ${URL_EXPRESSION}`,
			'API: update the account.jsonBody: ={{ JSON.stringify($json.change) }}',
		];
		expect(byPath(2)).toEqual(update); // renewal
		expect(byPath(3)).toEqual([
			// KooGallery's FREEZE / UNFREEZE turned into the API's status.
			"Freeze or unfreeze.assignments.assignments[0].value: ={{ { status: $json.status === 'FREEZE' ? 'suspended' : 'active' } }}",
			...update,
		]);
		expect(byPath(4)).toEqual([`API: delete the account.url: ${URL_EXPRESSION}`]); // release
		expect(byPath(5)).toEqual(update); // upgrade
		// Every answer reads its fields by name.
		for (const node of workflow.nodes.filter(
			(n) => n.type === 'n8n-nodes-koogallery.kooGalleryRespond',
		))
			expect([node.name, expressionsOf(node.parameters, node.name)]).toEqual([node.name, []]);
	});

	it('has no other expression on any path a call can take but the failure report', () => {
		const onSuccess = new Set(
			[0, 1, 2, 3, 4, 5, 6].flatMap((output) => expressionsAlong(successPath(workflow, output))),
		);
		const others = callPathExpressions(workflow).filter((e) => !onSuccess.has(e));
		// Reached from "API answered?" (query) when the API failed: the 000005 answer's report.
		expect(others.map((e) => e.split(':')[0])).toEqual([
			'Describe the failure.assignments.assignments[0].value',
			'Describe the failure.assignments.assignments[1].value',
			'Tell the operator.errorMessage',
		]);
		// "Account unknown?" (404 -> 000003, else 000005) sits after error outputs only.
		expect(callPath(workflow).map((n) => n.name)).not.toContain('Account unknown?');
	});

	it('sends every API step that is not 2xx to the answer for unknown instances or the failure answer', () => {
		for (const name of ['API: update the account', 'API: delete the account']) {
			const step = workflow.nodes.find((n) => n.name === name) as WorkflowNode;
			expect([name, step.onError]).toEqual([name, 'continueErrorOutput']);
			expect([name, workflow.connections[name].main]).toEqual([
				name,
				[
					[expect.objectContaining({ node: 'Answer: done' })],
					[expect.objectContaining({ node: 'Account unknown?' })],
				],
			]);
		}
		expect(workflow.connections['Account unknown?'].main).toEqual([
			[expect.objectContaining({ node: 'Answer: unknown instance' })],
			[expect.objectContaining({ node: 'Answer: try again later' })],
		]);
	});
});
