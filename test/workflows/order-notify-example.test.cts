/**
 * The order-notification example in PostgreSQL (workflows/koogallery-order-notify-postgres.json)
 * answers KooGallery at once, then records the order, reads it (Order > Get) and tells the team,
 * without evaluating a single n8n expression and without a Code step: its steps are set up by field
 * names only, and the database does the work (views with INSTEAD OF INSERT functions,
 * workflows/sql/koogallery-order-notify.sql), including the message for the team, which it gives
 * back in the shape the chat robot takes. With N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true such a run
 * takes no expression sandbox.
 */
import { callPath, callPathExpressions, readExample } from './call-path.cjs';

const workflow = readExample('koogallery-order-notify-postgres.json');

describe('the order-notification example workflow in PostgreSQL', () => {
	const nodes = callPath(workflow);
	const names = nodes.map((n) => n.name);

	it('answers KooGallery first, then records, reads, saves and tells, in that order', () => {
		expect(names).toEqual([
			'KooGallery Trigger',
			'Answer KooGallery: received',
			'Pick the order line',
			'Record the order',
			'New order?',
			'Get the order from KooGallery',
			'Pick the order details',
			'Save the order details',
			'The message as JSON',
			'Tell the team',
		]);
		expect(nodes[1].type).toBe('n8n-nodes-koogallery.kooGalleryRespond');
		// A repeated notification ends at "New order?": Split Out gives nothing for an empty list
		// (never set to Always Output Data, which would read and tell again).
		const newOrder = workflow.nodes.find((n) => n.name === 'New order?');
		expect(newOrder).toEqual(
			expect.objectContaining({ type: 'n8n-nodes-base.splitOut', parameters: expect.anything() }),
		);
		expect(newOrder).not.toHaveProperty('alwaysOutputData', true);
		// Order > Get reads orderId and orderLineId from its input item and keeps the input fields.
		expect(workflow.nodes.find((n) => n.name === 'Get the order from KooGallery')).toEqual(
			expect.objectContaining({
				onError: 'continueRegularOutput',
				parameters: expect.objectContaining({
					orderId: '',
					orderLineId: '',
					orderOptions: { keepInputFields: true },
				}),
			}),
		);
		// The team is sent the database's message as it is: {"msgtype":"text","text":{"content":...}}.
		expect(workflow.nodes.find((n) => n.name === 'Save the order details')?.parameters).toEqual(
			expect.objectContaining({ options: { outputColumns: ['msgtype', 'text'] } }),
		);
		expect(workflow.nodes.find((n) => n.name === 'Tell the team')?.parameters).toEqual(
			expect.objectContaining({ contentType: 'binaryData', inputDataFieldName: 'data' }),
		);
	});

	it('evaluates no n8n expression and runs no Code step on the path a call takes', () => {
		expect(callPathExpressions(workflow)).toEqual([]);
		expect(nodes.filter((n) => n.type === 'n8n-nodes-base.code').map((n) => n.name)).toEqual([]);
	});

	it('reports a failed database step to the operator (KooGallery already has its answer)', () => {
		const databaseSteps = nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
		expect(databaseSteps.map((n) => n.name)).toEqual([
			'Record the order',
			'Save the order details',
		]);
		// A failure stops the run, which the error workflow (KooGallery: failure alerts) reports.
		for (const step of databaseSteps)
			expect([step.name, step.onError]).toEqual([step.name, undefined]);
		expect(
			(workflow as unknown as { settings: { errorWorkflow?: string } }).settings.errorWorkflow,
		).toBe('KooGalleryAlerts');
	});
});
