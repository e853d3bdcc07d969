import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The seller key (Key值) that KooGallery uses to sign its calls to the seller's production
 * interface (生产接口) and that the seller uses to sign answers (Body-Sign) and encrypt credentials.
 * There is no KooGallery endpoint to test it against, so the nodes test it locally
 * (see nodes/shared/sellerKey.ts).
 */
export class KooGallerySellerKeyApi implements ICredentialType {
	name = 'kooGallerySellerKeyApi';

	displayName = 'KooGallery Seller Key API';

	icon: Icon = { light: 'file:../icons/koogallery.svg', dark: 'file:../icons/koogallery.dark.svg' };

	documentationUrl =
		'https://support.huaweicloud.com/intl/en-us/accessg-marketplace/topic_0070649090.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Key (Key值)',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'In the seller console: 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 密钥管理 (Key Management), the key of the basic interfaces',
			description:
				'The key KooGallery signs its calls with. In the seller console: 卖家中心 (Seller Center) > 应用工具 (Application Tools) > 密钥管理 (Key Management), the key bound to the basic SaaS interfaces (获取Key值).',
		},
		{
			displayName: 'Previous Key (while rotating)',
			name: 'previousSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'Only while you change your key: the old key, so calls signed with either are accepted. Clear it afterwards.',
			description:
				'Only while you change your key: put the old key here for a while, so calls signed with either key are accepted. Each answer is signed with the key that signed the call. Clear it once KooGallery uses the new key.',
		},
		{
			displayName: 'Joint-Operation Kit Key (联营kit)',
			name: 'kitSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			hint: 'Only for joint-operation (联营) SaaS products: the separate key of the 联营SaaS同步 (kit sync) interfaces, also in 密钥管理 (Key Management)',
			description:
				'Only for joint-operation (联营) SaaS products: the separate key bound to the 联营SaaS同步 (kit sync) interfaces in 密钥管理 (Key Management). KooGallery does not allow the same key for both. Leave empty otherwise.',
		},
		{
			displayName: 'Site',
			name: 'site',
			type: 'options',
			default: 'cn',
			options: [
				{ name: 'Chinese Mainland (华为云)', value: 'cn' },
				{ name: 'International (Huawei Cloud International)', value: 'intl' },
				{ name: 'Europe', value: 'eu' },
			],
			description:
				'Which KooGallery site the product is listed on. Each site has its own seller key.',
		},
	];
}
