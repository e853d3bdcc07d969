import { NodeConnectionTypes, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import {
	protocols,
	scenarioOption,
	scenarioOutputLabel,
	type ProtocolName,
} from '../../core/trigger-protocols';
import { autoBusyLimitOption, busyLimitOption } from '../shared/callsInProgress';
import {
	fromFunction,
	fromParameter,
	olderN8nNotice,
	webhookDescriptionFields,
} from '../shared/webhookFields';

interface OutputLabel {
	displayName: string;
}

/**
 * Evaluated by the editor (stringified), so it must be self-contained: one output per scenario the
 * operator enables, in the protocol's own order, labelled with the console's term (scenarioOutputLabel).
 */
const configuredOutputs = (
	parameters: Record<string, unknown>,
	all: Record<
		string,
		{ parameter: string; scenarios: Array<{ activity: string; output: string }> }
	>,
	type: string,
): Array<{ type: string } & OutputLabel> => {
	const protocol = all[String(parameters.protocol ?? 'saasV2')];
	if (!protocol) return [];
	const enabled = parameters[protocol.parameter];
	return protocol.scenarios
		.filter((s) => Array.isArray(enabled) && enabled.includes(s.activity))
		.map((s) => ({ type, displayName: s.output }));
};

const outputCatalogue = Object.fromEntries(
	Object.entries(protocols).map(([name, p]) => [
		name,
		{
			parameter: p.scenariosParameter,
			scenarios: p.scenarios.map((s) => ({ activity: s.activity, output: scenarioOutputLabel(s) })),
		},
	]),
);

/**
 * Where each product type listens. Declared with native resolvers so that n8n 2.35 and newer reads
 * them from the parameters on every call without running its expression engine (older n8n
 * evaluates the expression text, which is also what the editor sees; ../shared/webhookFields.ts).
 * The functions must be self-contained: n8n inlines their source into the expression.
 */
const mainWebhookFields = webhookDescriptionFields({
	httpMethod: fromFunction((p) =>
		p.protocol === 'kit'
			? ''
			: p.protocol === 'license' || p.protocol === 'saasV1'
				? 'GET,POST'
				: 'POST',
	),
	path: fromParameter('path'),
	ndvHideUrl: fromFunction((p) => p.protocol === 'kit'),
});
const kitMethod = fromFunction((p) => (p.protocol === 'kit' ? 'POST' : ''));
const kitHidden = fromFunction((p) => p.protocol !== 'kit');
/** Joint-operation syncs arrive at fixed sub-paths of the production address (one function each, self-contained). */
const kitPaths = [
	fromFunction((p) => `${String(p.path)}/produceAPI/v2/tenantSync`),
	fromFunction((p) => `${String(p.path)}/produceAPI/v2/applicationSync`),
	fromFunction((p) => `${String(p.path)}/produceAPI/v2/authSync`),
	fromFunction((p) => `${String(p.path)}/produceAPI/v2/singleOrgSync`),
	fromFunction((p) => `${String(p.path)}/produceAPI/v2/allOrgSync`),
];

/**
 * One multi-select of scenarios per product type; each scenario picked gets an output. The
 * scenarios KooGallery requires of every product (`mandatory` in core/schemas) are ticked at first.
 */
function scenarioParameter(protocol: ProtocolName): INodeProperties {
	const handler = protocols[protocol];
	return {
		displayName: 'Scenarios Handled',
		name: handler.scenariosParameter,
		type: 'multiOptions',
		default: [...handler.scenarios.filter((s) => s.mandatory).map((s) => s.activity)],
		displayOptions: { show: { protocol: [protocol] } },
		options: handler.scenarios.map((s) => ({
			name: scenarioOption(s),
			value: s.activity,
			description: s.description,
		})),
		description:
			'Each scenario you pick gets its own output. A call for a scenario you did not pick is answered for you: acknowledged when KooGallery only informs you, refused with a clear code when it needs an answer.',
	};
}

export const triggerPanelText: INodeTypeDescription['triggerPanel'] = {
	header: 'Listen for one KooGallery call to the Test URL',
	executionsHelp: {
		inactive:
			"<b>While building your workflow</b>, click 'Execute step', then send one call to the Test URL (under Webhook URLs), signed with your seller key. That call runs the workflow here in the editor.<br /><br /><b>Once you publish the workflow</b>, KooGallery's calls to the Production URL run it, including the test calls of the seller console's debugging page (应用接入调试). Those runs appear under Executions, not in the editor.",
		active:
			"<b>This workflow is published</b>: every call KooGallery sends to the Production URL runs it, including the test calls of the seller console's debugging page (应用接入调试). Those runs appear under Executions, not in the editor.<br /><br /><b>To see one call here</b>, click 'Execute step', then send it to the Test URL (under Webhook URLs), signed with your seller key.",
	},
};

// n8n's expressions end at the first "}}", so the catalogue is written one value a line
// (compact JSON ends in "}}}" and the editor then draws the trigger with no outputs at all).
export const triggerOutputs: INodeTypeDescription['outputs'] = `={{(${configuredOutputs})($parameter, ${JSON.stringify(outputCatalogue, null, 1)}, ${JSON.stringify(NodeConnectionTypes.Main)})}}`;

export const triggerWebhooks: INodeTypeDescription['webhooks'] = [
	{ name: 'default', responseMode: 'responseNode', isFullPath: true, ...mainWebhookFields },
	...kitPaths.map((path) => ({
		name: 'default' as const,
		responseMode: 'responseNode',
		isFullPath: true,
		...webhookDescriptionFields({ httpMethod: kitMethod, path, ndvHideUrl: kitHidden }),
	})),
];

export const triggerProperties: INodeProperties[] = [
	...olderN8nNotice(),
	{
		displayName:
			'Open Webhook URLs above, choose Production URL and click the address to copy it. Paste it in the seller console as the 生产接口地址 (production interface address) of your product: 卖家中心 (Seller Center) > 商品管理 (Products) > your product. KooGallery sends every scenario to that one address, over HTTPS on a domain name. Test calls from the debugging page (应用接入调试) carry testFlag "1", shown as koogallery.testFlag: true in this node\'s output.',
		name: 'urlNotice',
		type: 'notice',
		default: '',
		displayOptions: { hide: { protocol: ['kit', 'orderNotify'] } },
	},
	{
		displayName:
			'Open Webhook URLs above, choose Production URL and click the address to copy it. In the seller console add it under 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 生产地址管理 (Production Addresses), bind your key to it, test it on the 订单通知 (Order Notification) tab of 调试 (Debug), then click 配置 (Configure) and choose the product types (接入类型) or products to notify. Use the key bound to this address in the credential. Test calls carry testFlag "1", shown as koogallery.testFlag: true in this node\'s output.',
		name: 'orderUrlNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { protocol: ['orderNotify'] } },
	},
	{
		displayName:
			"Open Webhook URLs above and choose Production URL: KooGallery calls one address for each sync. In the seller console, enter the part before /produceAPI/v2/ as the 生产地址 (production address) of the application credential (应用凭证); KooGallery adds /produceAPI/v2/… itself. Test calls carry testFlag 1, shown as koogallery.testFlag: true in this node's output.",
		name: 'kitUrlNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { protocol: ['kit'] } },
	},
	{
		displayName: 'Product Type',
		name: 'protocol',
		type: 'options',
		default: 'saasV2',
		options: Object.entries(protocols).map(([value, p]) => ({
			name: p.displayName,
			value,
			description: p.description,
		})),
		description:
			'How the product was listed on KooGallery. This decides which calls arrive and how they are signed.',
	},
	scenarioParameter('saasV2'),
	scenarioParameter('kit'),
	scenarioParameter('license'),
	scenarioParameter('saasV1'),
	scenarioParameter('orderNotify'),
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: 'koogallery/saas',
		required: true,
		placeholder: 'koogallery/saas',
		description:
			'The end of the production URL. Use a different path for each product whose calls this workflow should not receive.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Answer Notifications Immediately',
				name: 'acknowledgeNotifications',
				type: 'boolean',
				default: false,
				description:
					'Whether to answer "success" at once for calls that only inform you (order notification, renewal, freeze or unfreeze, release, upgrade) and run the branch afterwards. Calls that need an answer (new purchase, instance details, change check) still wait for a KooGallery Respond node.',
			},
			autoBusyLimitOption,
			busyLimitOption(
				'A fixed number of calls this trigger may have waiting for their answer at once, in this n8n process, instead of Busy Limit Auto. A call beyond it is turned away at once with HTTP 503, which KooGallery retries later. 0 means no fixed number. See the README, "Running n8n for KooGallery in production".',
			),
			{
				displayName: 'Clock Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 5, maxValue: 900 },
				description:
					"How far the time in a call may differ from this server's clock, either way, before the call is refused as stale. KooGallery's own sample uses 60 seconds. Calls signed with authToken (SaaS V1.0, older License products) use the option below instead.",
			},
			{
				displayName: 'authToken Call Time Window (Hours)',
				name: 'authTokenToleranceHours',
				type: 'number',
				default: 24,
				typeOptions: { minValue: 1, maxValue: 720 },
				displayOptions: { show: { '/protocol': ['saasV1', 'license'] } },
				description:
					'SaaS V1.0 and older License calls (signed with authToken): how far their timeStamp may be from this server\'s clock, either way. KooGallery publishes no limit for them and may send a failed call again hours later (retries, or the restart button 重新启动 in the seller console), so the default is one day. See the README, "What KooGallery is told when something is wrong".',
			},
		],
	},
];
