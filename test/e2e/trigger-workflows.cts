/** Small workflows for end-to-end tests: one KooGallery Trigger with a KooGallery Respond on every output. */
import { KIT_SCENARIOS } from '../../core/schemas/kit';
import { LICENSE_SCENARIOS } from '../../core/schemas/license';
import { SAAS_V1_SCENARIOS } from '../../core/schemas/saas-v1';

export const CREDENTIAL = { id: 'kooGallerySellerKey', name: 'KooGallery Seller Key' };

/** The seller key credential in `n8n import:credentials` form. */
export function sellerKeyCredential(secretKey: string, kitSecretKey = '') {
	return {
		...CREDENTIAL,
		type: 'kooGallerySellerKeyApi',
		data: { secretKey, kitSecretKey, site: 'cn' },
	};
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
		connections: {
			[trigger.name]: { main: responders.map((r) => [{ node: r.name, type: 'main', index: 0 }]) },
		},
		settings: { executionOrder: 'v1' },
	};
}

const result = { respondTo: 'result', resultCode: '000000' };
const login = {
	frontEndUrl: 'https://app.example.com',
	adminUrl: 'https://app.example.com/admin',
	userName: '={{ "user-" + $json.customerId }}',
	password: 'Init-Pass-123',
};

/** Joint-operation kit syncs at `koogallery/kit`: every sync answered 000000. */
export const kitWorkflow = triggerWorkflow(
	'E2eKitSync0001',
	'kit',
	'kitScenarios',
	'koogallery/kit',
	KIT_SCENARIOS.map((s) => s.activity),
	() => result,
);
/** SaaS V1.0 at `koogallery/v1`: purchases answered with an instance and login details. */
export const v1Workflow = triggerWorkflow(
	'E2eSaasV10001',
	'saasV1',
	'v1Scenarios',
	'koogallery/v1',
	SAAS_V1_SCENARIOS.map((s) => s.activity),
	(activity) =>
		activity === 'newInstance'
			? {
					respondTo: 'newInstance',
					resultCode: '000000',
					instanceId: '={{ "v1-" + $json.orderId }}',
					...login,
				}
			: activity === 'queryInstance'
				? { respondTo: 'queryInstance', resultCode: '000000', ...login, userName: 'admin' }
				: result,
);
/** License products (all three guides) at `koogallery/license`. */
export const licenseWorkflow = triggerWorkflow(
	'E2eLicense0001',
	'license',
	'licenseScenarios',
	'koogallery/license',
	LICENSE_SCENARIOS.map((s) => s.activity),
	(activity) =>
		activity === 'getLicense'
			? {
					respondTo: 'license',
					resultCode: '000000',
					instanceId: '={{ "lic-" + $json.orderId }}',
					license: '={{ "LIC-" + $json.orderId }}',
				}
			: activity === 'getLicenseAsync'
				? { respondTo: 'license', resultCode: '000000', license: '={{ "LIC-" + $json.eventId }}' }
				: result,
);

/**
 * The workflow with every KooGallery Trigger's Busy Limit turned off. The examples ship with Busy
 * Limit Auto, which turns simultaneous calls away with HTTP 503 or not depending on how fast the
 * machine answers; tests about something else send calls at once, so they run the examples without
 * it (test/e2e/burst.e2e.test.cts runs the PostgreSQL example as shipped, Auto included).
 */
export function busyLimitOff<
	T extends { nodes: Array<{ type: string; parameters: Record<string, unknown> }> },
>(workflow: T): T {
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-koogallery.kooGalleryTrigger')
			node.parameters.options = { ...(node.parameters.options as object), busyLimit: 'off' };
	}
	return workflow;
}
