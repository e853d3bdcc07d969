import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { testSellerKey } from '../shared/sellerKey';
import { router } from './actions/router';
import { testLicenseKey } from './actions/signature/signText.operation';
import { SSO_CREDENTIAL } from './actions/sso/common';
import { kooGalleryProperties } from './description';

const main = JSON.stringify(NodeConnectionTypes.Main);

/**
 * The KooGallery action node. Its parameters are in description.ts, each operation in
 * actions/<resource>/<operation>.operation.ts, and actions/router.ts runs the one it is set to.
 */
export class KooGallery implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery',
		name: 'kooGallery',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			"Calls KooGallery's Open APIs as a seller: query orders (查询订单), push pay-per-use usage (按需使用量推送), activate and query license codes (授权码); with your seller key, encrypts and decrypts credentials and buyer contacts, signs answers and checks captured requests; and signs users in through a joint-operation tenant (联营kit SSO)",
		defaults: { name: 'KooGallery' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{$parameter["resource"] === "usage" ? [{"type":${main},"displayName":"Results"},{"type":${main},"displayName":"Failed"}] : [{"type":${main}}]}}`,
		// No displayOptions here: n8n's editor takes a parameter that credentials depend on for an
		// "authentication" choice and hides it, which would hide Resource. Each operation asks for
		// the one credential it needs and says so when it is missing.
		credentials: [
			{ name: 'kooGalleryOpenApi', required: false },
			{ name: 'kooGallerySellerKeyApi', required: false, testedBy: 'kooGallerySellerKeyTest' },
			{ name: SSO_CREDENTIAL, required: false },
			{ name: 'kooGalleryLicenseKeyApi', required: false, testedBy: 'kooGalleryLicenseKeyTest' },
		],
		properties: [...kooGalleryProperties],
	};

	methods = {
		credentialTest: {
			kooGallerySellerKeyTest: testSellerKey,
			kooGalleryLicenseKeyTest: testLicenseKey,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
