import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The seller's own RSA private key that signs the licenses of a License product (License类), used
 * by KooGallery > Signature > Sign Text. The seller's software keeps the matching public key and
 * checks each license with it, offline. It is not a KooGallery key: KooGallery never sees it. The
 * node tests it locally (nodes/KooGallery/actions/signature/signText.operation.ts).
 */
export class KooGalleryLicenseKeyApi implements ICredentialType {
	name = 'kooGalleryLicenseKeyApi';

	displayName = 'KooGallery License Signing Key API';

	icon: Icon = { light: 'file:../icons/koogallery.svg', dark: 'file:../icons/koogallery.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-koogallery/n8n-nodes-koogallery#example-workflows';

	properties: INodeProperties[] = [
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: '-----BEGIN PRIVATE KEY-----',
			hint: 'Your own RSA private key (at least 2048 bits); your software keeps the public key and checks each license with it',
			description:
				'The RSA private key that signs your licenses: PEM (PKCS#8 or PKCS#1) or the Base64 of the key. Make a key pair once, for example with openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072; put the public key into your software.',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'privateKeyPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only if the private key is encrypted (BEGIN ENCRYPTED PRIVATE KEY)',
		},
	];
}
