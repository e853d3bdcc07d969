import { NodeConnectionTypes, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import {
	AGENTS_DEFAULT_SKEW_SECONDS,
	AGENTS_DEFAULT_WINDOW_SECONDS,
} from '../../core/agents-token';
import { busyLimitOption } from '../shared/callsInProgress';
import {
	fromFunction,
	fromParameter,
	olderN8nNotice,
	webhookDescriptionFields,
} from '../shared/webhookFields';

/**
 * Where the trigger listens, read by n8n 2.35 and newer without its expression engine
 * (docs/protocol/README.md decision 15; older n8n evaluates the expressions, ../shared/webhookFields.ts). The functions are
 * inlined into the editor's expressions, so they must be self-contained.
 */
const webhookFields = webhookDescriptionFields({
	httpMethod: fromFunction((p) =>
		p.gateway === 'apig' ? 'GET,POST,PUT,PATCH,DELETE,HEAD' : 'GET,POST,HEAD',
	),
	path: fromParameter('path'),
	responseMode: fromFunction((p) =>
		p.responseMode === 'streaming' ? 'streaming' : 'responseNode',
	),
});

export const apiTriggerPanelText: INodeTypeDescription['triggerPanel'] = {
	header: 'Listen for one gateway call to the Test URL',
	executionsHelp: {
		inactive:
			"<b>While building your workflow</b>, click 'Execute step', then send one call to the Test URL (under Webhook URLs), signed as the gateway signs it (the simulator does this). That call runs the workflow here in the editor.<br /><br /><b>Once you publish the workflow</b>, the gateway's calls to the Production URL run it. Those runs appear under Executions, not in the editor.",
		active:
			"<b>This workflow is published</b>: every call the gateway forwards to the Production URL runs it. Those runs appear under Executions, not in the editor.<br /><br /><b>To see one call here</b>, click 'Execute step', then send it to the Test URL (under Webhook URLs).",
	},
};

export const apiTriggerOutputs: INodeTypeDescription['outputs'] = [NodeConnectionTypes.Main];

export const apiTriggerWebhooks: INodeTypeDescription['webhooks'] = [
	{ name: 'default', isFullPath: true, ...webhookFields },
];

export const apiTriggerProperties: INodeProperties[] = [
	...olderN8nNotice(),
	{
		displayName:
			"Open Webhook URLs above, choose Production URL and copy it. In the seller console: add its domain under 应用接入 (Application Access) > 生产地址管理 (Production Addresses), then register the agent under AI网关服务 (AI Gateway) > Agents注册 (Register Agent) with that domain as Agents访问前缀 (access prefix), the rest of the URL as Agents访问路径 (access path), and the same 调用方式 (call mode) as Response Mode below. A GET or HEAD without any credentials, such as the console's 校验后端服务 (check backend) button, gets a small health answer and runs nothing (see Options).",
		name: 'agentsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { gateway: ['agents'] } },
	},
	{
		displayName:
			'Open Webhook URLs above, choose Production URL and use it as the backend address of your API in the API Gateway console (API网关, shared edition 共享版): backend request protocol, domain and path. APIG bills a call only when this workflow answers 2xx: answer errors with KooGallery API Respond set to Error.',
		name: 'apigNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { gateway: ['apig'] } },
	},
	{
		displayName: 'Gateway',
		name: 'gateway',
		type: 'options',
		noDataExpression: true,
		default: 'agents',
		options: [
			{
				name: 'Agents Gateway (Agents网关类商品)',
				value: 'agents',
				description: 'AI agents billed by the usage your answer reports (tokens, images, seconds)',
			},
			{
				name: 'API Gateway (APIG网关类商品)',
				value: 'apig',
				description: 'APIs sold through Huawei API Gateway, billed per successful (2xx) call',
			},
		],
		description: 'How the product is listed on KooGallery',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		default: 'credential',
		displayOptions: { show: { gateway: ['apig'] } },
		options: [
			{
				name: 'KooGallery Gateway Auth Credential',
				value: 'credential',
				description: 'APIG signature key (签名密钥) or a constant secret header',
			},
			{
				name: 'None',
				value: 'none',
				description: 'Anyone who knows the URL can call the workflow',
			},
		],
	},
	{
		displayName:
			'Without authentication anyone who finds this URL can run the workflow and use what it pays for. Bind a signature key (签名密钥) to the API in the API Gateway console, or add a constant secret backend header (常量参数), and check it here.',
		name: 'noAuthWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { gateway: ['apig'], authentication: ['none'] } },
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: 'koogallery/agent',
		required: true,
		placeholder: 'koogallery/agent',
		description:
			'The end of the production URL. The Agents gateway allows no path parameters (no {name} parts).',
	},
	{
		displayName: 'Response Mode',
		name: 'responseMode',
		type: 'options',
		noDataExpression: true,
		default: 'sync',
		options: [
			{
				name: 'Synchronous (同步)',
				value: 'sync',
				description: 'One JSON answer from KooGallery API Respond',
			},
			{
				name: 'Streaming (流式)',
				value: 'streaming',
				description:
					'The answer is streamed while the workflow runs (for example by an AI Agent with streaming on); KooGallery API Respond sends the final usage in the last event',
			},
		],
		description: 'Choose the same call mode (调用方式) as registered in the seller console',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Answer Connectivity Check (校验后端服务)',
				name: 'healthCheck',
				type: 'boolean',
				default: true,
				description:
					"Whether a GET or HEAD request that carries no credentials at all gets a small 200 JSON health answer (no usage) without running the workflow, so the seller console's check backend button (校验后端服务) succeeds. Calls with wrong credentials are still refused.",
			},
			busyLimitOption(
				'How many calls this trigger may have waiting for their answer (or still streaming) at once, in this n8n process. A call beyond the limit is turned away at once with HTTP 503 and is not billed, so the calls already taken are still answered in time. 0 means no limit.',
			),
			{
				displayName: 'JWT Header Name (Agents)',
				name: 'jwtHeaderName',
				type: 'string',
				default: 'Authorization',
				description:
					'The header carrying the Agents gateway\'s token, with or without "Bearer ". Huawei\'s pages do not name it; Authorization is the most likely.',
			},
			{
				displayName: 'Refuse Repeated Tokens (Agents)',
				name: 'refuseRepeatedTokens',
				type: 'boolean',
				default: false,
				description:
					'Whether a token already received once is refused while it is still fresh, so a captured call cannot be replayed. The token holds only the APP Key and a millisecond time, so two calls the gateway makes in the same millisecond carry the same token, and Huawei does not say whether it reuses tokens: turn this on only if every call gets a new one. Remembered per n8n process.',
			},
			{
				displayName: 'Signature Clock Tolerance (Minutes, APIG)',
				name: 'apigToleranceMinutes',
				type: 'number',
				default: 15,
				typeOptions: { minValue: 1, maxValue: 60 },
				description:
					"How far X-Sdk-Date may differ from this server's clock, either way. Huawei's own backend sample uses 15 minutes.",
			},
			{
				displayName: 'Signed Host (APIG)',
				name: 'signedHost',
				type: 'string',
				default: '',
				placeholder: 'api.example.com',
				description:
					'Only when a proxy in front of n8n changes the Host header: the host API Gateway called (and signed). Empty uses the Host header received.',
			},
			{
				displayName: 'Stream Format',
				name: 'streamFormat',
				type: 'options',
				default: 'sse',
				options: [
					{
						name: 'Server-Sent Events (Data: Lines)',
						value: 'sse',
						description:
							'One "data: {...}" event per chunk, the final usage last, then "data: [DONE]"',
					},
					{
						name: 'N8n Lines',
						value: 'n8n',
						description: "The streaming format of n8n's own Webhook node: one JSON object per line",
					},
				],
				description: 'Only for Response Mode Streaming (流式)',
			},
			{
				displayName: 'Token Age Limit (Seconds, Agents)',
				name: 'windowSeconds',
				type: 'number',
				default: AGENTS_DEFAULT_WINDOW_SECONDS,
				typeOptions: { minValue: 30, maxValue: 3600 },
				description:
					"How old the token's timestamp may be. Huawei's sample lets a token expire after 5 minutes.",
			},
			{
				displayName: 'Token Clock Skew (Seconds, Agents)',
				name: 'skewSeconds',
				type: 'number',
				default: AGENTS_DEFAULT_SKEW_SECONDS,
				typeOptions: { minValue: 0, maxValue: 600 },
				description:
					"How far the gateway's clock may be ahead of or behind this server's, on top of the age limit",
			},
		],
	},
];
