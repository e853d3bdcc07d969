import type { INodeProperties } from 'n8n-workflow';

const show = (
	resource: string,
	operation?: string[],
	extra: Record<string, Array<string | boolean>> = {},
) => ({
	show: operation
		? { resource: [resource], operation, ...extra }
		: { resource: [resource], ...extra },
});

/** Operations of Credentials, Buyer Contact and Signature. */
export const toolOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'encrypt',
		displayOptions: show('credentials'),
		options: [
			{
				name: 'Encrypt',
				value: 'encrypt',
				action: 'Encrypt login credentials',
				description:
					"Encrypt the user name and password (or any field) of an instance's login for KooGallery (appInfo 账号密码加密), with your seller key",
			},
			{
				name: 'Decrypt',
				value: 'decrypt',
				action: 'Decrypt login credentials',
				description: 'Decrypt encrypted login credentials, to check what was sent to KooGallery',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'decrypt',
		displayOptions: show('buyerContact'),
		options: [
			{
				name: 'Decrypt',
				value: 'decrypt',
				action: 'Decrypt a buyer contact',
				description:
					"Decrypt the buyer's mobile number and e-mail (mobilePhone, email) as KooGallery sends them, URL-encoded or not",
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'signBody',
		displayOptions: show('signature'),
		options: [
			{
				name: 'Sign Body',
				value: 'signBody',
				action: 'Sign an answer body',
				description:
					'Make the Body-Sign header (响应消息体签名) for an answer body, and give the exact body to send with it',
			},
			{
				name: 'Verify Request',
				value: 'verifyRequest',
				action: 'Verify a captured request',
				description:
					'Check a captured KooGallery request (V2.0 URL parameters and body, kit x-sign headers, or V1.0 authToken) and say in plain words whether it is genuine, and if not, why',
			},
		],
	},
];

const encryptTypeOptions = [
	{ name: 'AES-256 (encryptType 1)', value: '1' },
	{ name: 'AES-128 (encryptType 2)', value: '2' },
];

/** Credentials > Encrypt and Decrypt. */
export const credentialProperties: INodeProperties[] = [
	{
		displayName:
			'Decrypted values are plain text in the output and in the saved execution. Use this to check what was sent, and keep such runs out of shared workflows.',
		name: 'decryptNotice',
		type: 'notice',
		default: '',
		displayOptions: show('credentials', ['decrypt']),
	},
	{
		displayName: 'Fields',
		name: 'credentialFields',
		type: 'string',
		default: 'userName, password',
		required: true,
		displayOptions: show('credentials'),
		description:
			'Names of the item fields to encrypt or decrypt, separated by commas; a dot reaches into an object (appInfo.password). Each value is replaced in place; fields an item does not have are left out, and an item with none of them is an error.',
	},
	{
		displayName: 'Encrypt Type',
		name: 'encryptType',
		type: 'options',
		default: '1',
		displayOptions: show('credentials', ['encrypt']),
		options: encryptTypeOptions,
		description:
			'The encryptType to send with the values: 1 (AES-256) unless your product uses 2. The output item gets an encryptType field with it.',
	},
	{
		displayName: 'Encrypt Type',
		name: 'decryptType',
		type: 'options',
		default: 'fromItem',
		displayOptions: show('credentials', ['decrypt']),
		options: [
			{ name: "From the Item's EncryptType Field (Else 1)", value: 'fromItem' },
			...encryptTypeOptions,
		],
		description: 'The encryptType the values were encrypted with',
	},
];

/** Buyer Contact > Decrypt. */
export const buyerContactProperties: INodeProperties[] = [
	{
		displayName: 'Fields',
		name: 'contactFields',
		type: 'string',
		default: 'mobilePhone, email',
		required: true,
		displayOptions: show('buyerContact'),
		description:
			'Names of the item fields holding an encrypted mobile number or e-mail, separated by commas; a dot reaches into an object (query.mobilePhone). Each is replaced by the plain value; empty or missing fields are left as they are.',
	},
	{
		displayName: 'Encrypt Type',
		name: 'contactEncryptType',
		type: 'options',
		default: '1',
		displayOptions: show('buyerContact'),
		options: [
			{ name: 'AES-256 (encryptType 1)', value: '1' },
			{ name: 'AES-128 (encryptType 2)', value: '2' },
			{ name: 'Try Both', value: 'both' },
		],
		description:
			'KooGallery does not say which AES size it uses for buyer contacts; 1 (AES-256) is the default of its sample. Try Both tries AES-256, then AES-128.',
	},
	{
		displayName: 'URL-Encoded',
		name: 'urlEncoded',
		type: 'options',
		default: 'auto',
		displayOptions: show('buyerContact'),
		options: [
			{
				name: 'Detect',
				value: 'auto',
				description: 'Decode %XX escapes when there are any (an encrypted value never contains %)',
			},
			{ name: 'Yes', value: 'yes', description: 'The values are still URL-encoded' },
			{ name: 'No', value: 'no', description: 'The values were already decoded' },
		],
		description:
			'V1.0 sends buyer contacts in the URL. A value taken from the raw URL is still URL-encoded; a value from a parsed query is not (a + turned into a space is repaired either way).',
	},
];

/** Signature > Sign Body and Verify Request. */
export const signatureProperties: INodeProperties[] = [
	{
		displayName: 'Body',
		name: 'bodyToSign',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: '{"resultCode":"000000","resultMsg":"success"}',
		displayOptions: show('signature', ['signBody']),
		description:
			"The JSON answer to sign. Text is signed exactly as given; an object (from an expression) is first written as compact JSON with non-ASCII characters as \\uXXXX, as KooGallery asks. Send the output's body, byte for byte, with its Body-Sign header.",
	},
	{
		displayName: 'Key',
		name: 'signingKey',
		type: 'options',
		default: 'current',
		displayOptions: show('signature', ['signBody']),
		options: [
			{ name: 'Seller Key', value: 'current' },
			{ name: 'Previous Seller Key', value: 'previous' },
			{ name: 'Joint-Operation Kit Key', value: 'kit' },
		],
		description:
			'Sign with the key that signed the call you answer. The keys come from the KooGallery Seller Key credential.',
	},
	{
		displayName: 'Request Type',
		name: 'captureProtocol',
		type: 'options',
		default: 'saasV2',
		displayOptions: show('signature', ['verifyRequest']),
		options: [
			{
				name: 'SaaS V2.0 or License Code (URL Parameters + Body)',
				value: 'saasV2',
				description:
					'Signed with signature, timestamp and nonce in the URL; checked with the seller key',
			},
			{
				name: 'Joint-Operation Kit Sync (Headers + Body)',
				value: 'kit',
				description:
					'Signed with the x-sign, x-timestamp and x-nonce headers; checked with the kit key',
			},
			{
				name: 'SaaS V1.0 or getLicense (authToken Parameters)',
				value: 'saasV1',
				description: 'Signed with authToken over the URL parameters; checked with the seller key',
			},
		],
	},
	{
		displayName: 'Request URL or Parameters',
		name: 'capturedParameters',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://isv.example.com/produce?signature=...&timestamp=...&nonce=...',
		displayOptions: show('signature', ['verifyRequest'], { captureProtocol: ['saasV2', 'saasV1'] }),
		description:
			'The whole request URL, its query string, or the parameters as JSON (for example the query field of a Webhook node). For V1.0 prefer the raw URL: its signature is over the decoded values, and a raw URL is decoded exactly as KooGallery expects.',
	},
	{
		displayName: 'Headers',
		name: 'capturedHeaders',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'x-sign: 11C4CD...\nx-timestamp: 1680508066618\nx-nonce: 50D83F...',
		displayOptions: show('signature', ['verifyRequest'], { captureProtocol: ['kit'] }),
		description:
			'The request headers: one "name: value" per line as a browser or proxy shows them, or a JSON object (for example the headers field of a Webhook node)',
	},
	{
		displayName: 'Body',
		name: 'capturedBody',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		displayOptions: show('signature', ['verifyRequest'], { captureProtocol: ['saasV2', 'kit'] }),
		description:
			"The request body exactly as received. An object from an expression is written as compact JSON; if KooGallery's bytes differed, the sorted reading Huawei's sample signs may still match.",
	},
	{
		displayName: 'Check Time',
		name: 'checkTime',
		type: 'boolean',
		default: true,
		displayOptions: show('signature', ['verifyRequest']),
		description:
			'Whether to refuse a request signed too long ago, as the trigger does. Turn off to check only the signature of an old capture.',
	},
	{
		displayName: 'Time Tolerance (Seconds)',
		name: 'toleranceSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 1, maxValue: 86_400 },
		displayOptions: show('signature', ['verifyRequest'], { checkTime: [true] }),
		description: 'How far the request time may be from now, either way. KooGallery asks for 60.',
	},
];
