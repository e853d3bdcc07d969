import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { MKT_CODES } from '../core/openapi-errors';
import { signOpenApiRequest } from '../core/openapi-request';

/** The documented MKT./CBC. failure codes, as credential-test rules with their plain explanation. */
const failureRules = Object.entries(MKT_CODES)
	.filter(([, info]) => info.verdict !== 'ok')
	.flatMap(([number, info]) =>
		['MKT', 'CBC'].flatMap((prefix) =>
			['resultCode', 'error_code'].map((key) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key,
					value: `${prefix}.${number}`,
					message: `${prefix}.${number} ${info.meaning}: ${info.explanation}`,
				},
			})),
		),
	);

/**
 * AK/SK access key of a KooGallery seller, for the Open APIs the seller calls (query orders, push
 * usage, activate and query license codes). Every request is signed in `authenticate` with
 * Huawei's `SDK-HMAC-SHA256` over exactly the bytes sent (docs/protocol/koogallery-openapi-v1.md §B);
 * usage pushes also get the `signature`/`ts`/`nonce` headers made with the seller key (§A.2.1).
 */
export class KooGalleryOpenApi implements ICredentialType {
	name = 'kooGalleryOpenApi';

	displayName = 'KooGallery Access Key API';

	icon: Icon = { light: 'file:../icons/koogallery.svg', dark: 'file:../icons/koogallery.dark.svg' };

	documentationUrl =
		'https://support.huaweicloud.com/intl/en-us/accessg-marketplace/topic_0070649116.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Key ID (AK)',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			hint: 'In the seller console: your user name (top right) > 我的凭证 (My Credentials) > 访问密钥 (Access Keys)',
			description:
				'In the seller console: click your user name (top right) > 我的凭证 (My Credentials) > 访问密钥 (Access Keys) > 新增访问密钥 (Create Access Key). An IAM sub-user needs programmatic access (编程访问).',
		},
		{
			displayName: 'Secret Access Key (SK)',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'The SK in the key file (credentials.csv) you downloaded when you created the access key',
			description:
				'The SK from the key file (credentials.csv) downloaded when the access key was created. It cannot be shown again.',
		},
		{
			displayName: 'Seller Key (for Usage Push)',
			name: 'sellerSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'For usage pushes only: the key in 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 密钥管理 (Key Management)',
			description:
				'Only needed to push pay-per-use usage with the new API: the key bound to the basic interfaces in 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 密钥管理 (Key Management), the same key as in the KooGallery Seller Key credential. It signs the usage body (signature header).',
		},
		{
			displayName: 'Site',
			name: 'site',
			type: 'options',
			default: 'cn',
			options: [
				{ name: 'Chinese Mainland (mkt.myhuaweicloud.com)', value: 'cn' },
				{ name: 'Chinese Mainland, Fallback (mkt.myhuaweicloud.cn)', value: 'cnFallback' },
				{ name: 'International (mkt-intl.myhuaweicloud.com)', value: 'intl' },
				{ name: 'Europe (mkt.myhuaweicloud.eu)', value: 'eu' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			description:
				'The KooGallery site the product is sold on. Use Custom Base URL for the local mock of the Open APIs or a gateway in front of KooGallery.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8787',
			displayOptions: { show: { site: ['custom'] } },
			description:
				'Scheme, host and port, and an optional path prefix. The API paths are appended to it.',
		},
	];

	/**
	 * Signs each request: absolute URL, body serialised once, `Content-Type`, usage headers for the
	 * new usage push, then `X-Sdk-Date`, `host` and `Authorization`. The result carries no `qs` or
	 * `baseURL`, so n8n sends exactly what was signed.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const signed = signOpenApiRequest(credentials, {
			method: requestOptions.method,
			url: requestOptions.url,
			qs: requestOptions.qs,
			headers: requestOptions.headers,
			body: requestOptions.body,
		});
		const options: IHttpRequestOptions = {
			...requestOptions,
			method: signed.method as IHttpRequestOptions['method'],
			url: signed.url,
			headers: signed.headers,
			body: signed.body,
		};
		delete options.qs;
		delete options.baseURL;
		if (signed.body === undefined) delete options.body;
		return options;
	}

	/**
	 * A cheap signed call: query the documented mock order, which works with any seller's real AK/SK.
	 * Failures KooGallery explains with a code are turned into plain sentences.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: '/api/mkp-openapi-public/global/v1/order/query',
			qs: { orderId: 'MOCKPERIODYEARNEW' },
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...failureRules,
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'resultCode',
					value: undefined,
					message:
						"The answer carries no KooGallery result code. Either the API gateway refused the request before KooGallery saw it (check the AK and SK, and this machine's clock), or the address is not KooGallery's Open API (check the site, or the custom base URL).",
				},
			},
		],
	};
}
