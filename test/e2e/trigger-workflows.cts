/** Small workflows for end-to-end tests: one KooGallery Trigger with a KooGallery Respond on every output. */

export const CREDENTIAL = { id: 'kooGallerySellerKey', name: 'KooGallery Seller Key' };

/** The seller key credential in `n8n import:credentials` form. */
export function sellerKeyCredential(secretKey: string, kitSecretKey = '') {
	return { ...CREDENTIAL, type: 'kooGallerySellerKeyApi', data: { secretKey, kitSecretKey, site: 'cn' } };
}

/**
 * A workflow whose trigger (product type `protocol`, scenarios in the parameter `parameter`) has
 * every activity of `activities` enabled, each output answered by a Respond node with `answers(activity)`.
 */
export function triggerWorkflow(
	id: string,
	protocol: string,
	parameter: string,
	path: string,
	activities: string[],
	answers: (activity: string) => Record<string, unknown>,
) {
	const trigger = {
		id: `${id}-trigger`,
		name: 'KooGallery Trigger',
		type: 'n8n-nodes-koogallery.kooGalleryTrigger',
		typeVersion: 2,
		position: [0, 0],
		// n8n uses the full path only for a trigger that has a webhookId.
		webhookId: `${id}-0000-4000-8000-000000000000`.slice(0, 36),
		parameters: { path, protocol, [parameter]: activities, options: {} },
		credentials: { kooGallerySellerKeyApi: CREDENTIAL },
	};
	const responders = activities.map((activity, index) => ({
		id: `${id}-answer-${index}`,
		name: `Answer ${activity}`,
		type: 'n8n-nodes-koogallery.kooGalleryRespond',
		typeVersion: 1,
		position: [400, index * 200],
		parameters: answers(activity),
		credentials: { kooGallerySellerKeyApi: CREDENTIAL },
	}));
	return {
		id,
		name: `e2e ${protocol} ${path}`,
		nodes: [trigger, ...responders],
		connections: { [trigger.name]: { main: responders.map((r) => [{ node: r.name, type: 'main', index: 0 }]) } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The workflow with every KooGallery Trigger's Busy Limit turned off. The examples ship with Busy
 * Limit Auto, which turns simultaneous calls away with HTTP 503 or not depending on how fast the
 * machine answers; tests about something else send calls at once, so they run the examples without
 * it (test/e2e/burst.e2e.test.cts runs the PostgreSQL example as shipped, Auto included).
 */
export function busyLimitOff<T extends { nodes: Array<{ type: string; parameters: Record<string, unknown> }> }>(workflow: T): T {
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-koogallery.kooGalleryTrigger')
			node.parameters.options = { ...(node.parameters.options as object), busyLimit: 'off' };
	}
	return workflow;
}
