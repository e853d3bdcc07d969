/**
 * The workflow the action-node e2e tests import: Webhook (the last node answers with all items)
 * -> optionally Split Out of one body field -> KooGallery, optionally with an error output
 * ending in two No Operation nodes, "Orders" and "Failed".
 */
type Node = Record<string, unknown>;
const link = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });

export function actionWorkflow(options: {
	id: string;
	name?: string;
	/** The webhook path; defaults to the id. */
	path?: string;
	/** Split the request body's field (`body.<field>`) into one item each before the KooGallery node. */
	splitField?: string;
	parameters: Record<string, unknown>;
	credentials: Record<string, { id: string; name: string }>;
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	/** Workflow settings beyond the execution order. */
	settings?: Record<string, unknown>;
}) {
	const { id, splitField, onError } = options;
	const nodes: Node[] = [
		{
			id: `${id}-webhook`,
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `${id}-hook`,
			parameters: {
				httpMethod: 'POST',
				path: options.path ?? id,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
		},
		{
			id: `${id}-koogallery`,
			name: 'KooGallery',
			type: 'n8n-nodes-koogallery.kooGallery',
			typeVersion: 1,
			position: [440, 0],
			...(onError ? { onError } : {}),
			parameters: options.parameters,
			credentials: options.credentials,
		},
	];
	const connections: Record<string, unknown> = {};
	if (splitField) {
		nodes.push({
			id: `${id}-split`,
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [220, 0],
			parameters: { fieldToSplitOut: `body.${splitField}`, include: 'noOtherFields', options: {} },
		});
		connections.Webhook = link('Split Out');
		connections['Split Out'] = link('KooGallery');
	} else {
		connections.Webhook = link('KooGallery');
	}
	if (onError === 'continueErrorOutput') {
		for (const name of ['Orders', 'Failed'])
			nodes.push({
				id: `${id}-${name}`,
				name,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [660, name === 'Orders' ? -100 : 100],
				parameters: {},
			});
		connections.KooGallery = { main: [link('Orders').main[0], link('Failed').main[0]] };
	}
	return {
		id,
		name: options.name ?? id,
		nodes,
		connections,
		settings: { executionOrder: 'v1', ...options.settings },
		pinData: {},
	};
}
