import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * How a KooGallery gateway proves a call to the seller's backend is its own (spec
 * docs/protocol/koogallery-agents-apig.md §1.4, §1.5, §2.3): the Agents gateway's token made from the APP Key
 * and APP Secret the seller registered (AK/SK认证), APIG's backend signature made with a signature
 * key (签名密钥), or a constant secret header the gateway adds (自主认证, or an APIG constant
 * backend parameter). Nothing is called with it; the KooGallery API Trigger checks calls with it.
 */
export class KooGalleryGatewayApi implements ICredentialType {
	name = 'kooGalleryGatewayApi';

	// n8n's editor drops a trailing " API": this shows as "KooGallery Gateway Auth".
	displayName = 'KooGallery Gateway Auth API';

	icon: Icon = { light: 'file:../icons/koogallery.svg', dark: 'file:../icons/koogallery.dark.svg' };

	documentationUrl = 'https://support.huaweicloud.com/usermanual-marketplace/sp_topic_0000236.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Gateway Proves Itself With',
			name: 'authType',
			type: 'options',
			default: 'appKey',
			options: [
				{
					name: 'Agents Gateway: APP Key and APP Secret (AK/SK认证)',
					value: 'appKey',
					description:
						'The token the Agents gateway signs with the APP Secret you registered (recommended)',
				},
				{
					name: 'APIG Gateway: Signature Key (签名密钥)',
					value: 'signatureKey',
					description:
						'The SDK-HMAC-SHA256 signature API Gateway adds when a signature key is bound to the API',
				},
				{
					name: 'Constant Secret Header (自主认证 / 常量参数)',
					value: 'header',
					description:
						'A header with a fixed secret value that the gateway adds to every call (Agents self-managed auth, or an APIG constant backend parameter)',
				},
			],
		},
		{
			displayName: 'APP Key',
			name: 'appKey',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authType: ['appKey'] } },
			hint: 'The APP Key you chose when registering the agent: AI网关服务 (AI Gateway) > Agents注册 (Register Agent)',
			description:
				'The APP Key you defined yourself (自行定义) when registering the agent in the seller console: AI网关服务 (AI Gateway) > Agents注册 (Register Agent). The gateway puts it in every token as api_key.',
		},
		{
			displayName: 'APP Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['appKey'] } },
			hint: 'The APP Secret registered with that APP Key. The gateway signs its token with it.',
			description:
				'The APP Secret you registered with the APP Key. The gateway signs every token with it (HS256).',
		},
		{
			displayName: 'Previous APP Key (While Rotating)',
			name: 'previousAppKey',
			type: 'string',
			default: '',
			displayOptions: { show: { authType: ['appKey'] } },
			hint: 'Only while you change the APP Key or Secret in the console: the old pair, so calls made with either are accepted. Clear it afterwards.',
			description:
				'Only while you change the APP Key or APP Secret of the agent: the old APP Key (it may be the same as the new one when only the secret changes). Clear both previous fields once the gateway uses the new pair.',
		},
		{
			displayName: 'Previous APP Secret (While Rotating)',
			name: 'previousAppSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['appKey'] } },
			description: 'Only while rotating: the old APP Secret that goes with the previous APP Key',
		},
		{
			displayName: 'Signature Key (Key)',
			name: 'signatureKey',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authType: ['signatureKey'] } },
			hint: 'In the API Gateway console: API网关 (API Gateway) > 共享版 (shared edition) > 签名密钥 (Signature Keys), the key bound to your API',
			description:
				'The Key of the signature key bound to your API in the API Gateway console: 签名密钥 (Signature Keys). API Gateway sends it as Access= in the Authorization header.',
		},
		{
			displayName: 'Signature Secret (Secret)',
			name: 'signatureSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['signatureKey'] } },
			hint: 'The Secret of the same signature key (密钥)',
			description:
				'The Secret of the same signature key. API Gateway signs each call to your backend with it.',
		},
		{
			displayName: 'Previous Signature Key (While Rotating)',
			name: 'previousSignatureKey',
			type: 'string',
			default: '',
			displayOptions: { show: { authType: ['signatureKey'] } },
			hint: 'Only while you bind a new signature key: the old Key and Secret, so calls signed with either are accepted. Clear them afterwards.',
		},
		{
			displayName: 'Previous Signature Secret (While Rotating)',
			name: 'previousSignatureSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['signatureKey'] } },
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Seller-Token',
			required: true,
			displayOptions: { show: { authType: ['header'] } },
			hint: 'The header you added as a constant request-header parameter (接口入参, or an APIG constant backend parameter 常量参数)',
			description:
				'The name of the constant header the gateway adds to every call: an Agents interface input parameter (接口入参) for self-managed auth (自主认证), or an APIG backend parameter of origin CONSTANT (常量). Names starting with x-apig- or x-sdk- are reserved by API Gateway.',
		},
		{
			displayName: 'Header Secret Value',
			name: 'headerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authType: ['header'] } },
			hint: 'The secret value of that header. Use a long random value: anyone who knows it can call your backend.',
			description:
				'The secret value of that header, compared in constant time. Use a long random value.',
		},
		{
			displayName: 'Previous Header Secret Value (While Rotating)',
			name: 'previousHeaderSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['header'] } },
			hint: 'Only while you change the value in the console: the old value, so calls with either are accepted. Clear it afterwards.',
		},
	];
}
