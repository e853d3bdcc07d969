import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { answerKey } from '../../core/answer-key';
import { signedJsonResponse } from '../../core/body-sign';
import { encryptCredential, type EncryptType } from '../../core/credential-crypto';
import { readCredential } from '../shared/credentialReuse';
import { SELLER_KEY_CREDENTIAL, sellerKeysFrom, testSellerKey } from '../shared/sellerKey';
import { ANSWERS, buildAnswer, type AnswerInput, type RespondTo } from './answers';
import { properties, subtitle } from './description';
import { findTriggerCall, type TriggerCall } from '../shared/triggerCall';

export class KooGalleryRespond implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'KooGallery Respond',
		name: 'kooGalleryRespond',
		icon: {
			light: 'file:../../icons/koogallery.svg',
			dark: 'file:../../icons/koogallery.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle,
		description:
			'Sends KooGallery the signed answer (Body-Sign) to the call a KooGallery Trigger received',
		defaults: { name: 'KooGallery Respond' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'kooGallerySellerKeyApi', required: true, testedBy: 'kooGallerySellerKeyTest' },
		],
		properties,
	};

	methods = {
		credentialTest: { kooGallerySellerKeyTest: testSellerKey },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const respondTo = this.getNodeParameter('respondTo', 0) as RespondTo;
		const call: TriggerCall = findTriggerCall(this);
		checkScenario(this.getNode(), respondTo, call);
		const passThrough = items.map((item, index) => ({
			json: item.json,
			pairedItem: { item: index },
		}));
		if (call.answered) return [passThrough];

		const key = await signingKey(this, call);
		const { body, summary } = buildAnswer(ANSWERS[respondTo], answerInput(this, items, call, key));
		const response = signedJsonResponse(key, body);
		await this.sendResponse({ body: response.body, headers: response.headers, statusCode: 200 });
		return [withSummary(passThrough, summary)];
	}
}

/** Refuses to answer a call of another scenario than the chosen answer fits. */
function checkScenario(node: INode, respondTo: RespondTo, call: TriggerCall): void {
	const { scenarios } = ANSWERS[respondTo];
	if (scenarios === undefined || scenarios.includes(call.scenario)) return;
	throw new NodeOperationError(
		node,
		`This node answers "${respondTo}" but the call that started this run is "${call.scenario}".`,
		{
			description:
				'Connect it to the matching output of the KooGallery Trigger, or set "Answer To" to the scenario of that output.',
		},
	);
}

/** The seller key the answer is signed with: the one that signed the call. */
async function signingKey(context: IExecuteFunctions, call: TriggerCall): Promise<string> {
	// The reading the trigger checked the call with, when recent: the key is chosen by its place.
	const keys = sellerKeysFrom((await readCredential(context, SELLER_KEY_CREDENTIAL)).data);
	const key = answerKey(call.protocol, keys, call.keyIndex);
	if (!key) {
		throw new NodeOperationError(
			context.getNode(),
			`The seller key credential has no ${call.protocol === 'kit' ? 'kit key' : 'key'}.`,
			{
				description:
					'Open the KooGallery Seller Key credential and paste the key from the seller console.',
			},
		);
	}
	return key;
}

/** What the chosen answer is built from. */
function answerInput(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	call: TriggerCall,
	key: string,
): AnswerInput {
	const node = context.getNode();
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		context,
		items,
		call,
		// SaaS V1.0 always encrypts returned credentials (docs/protocol/README.md decision 6).
		encryptionRequired: call.protocol === 'saasV1',
		encrypt: (text: string, type: EncryptType) => encryptCredential(key, text, type),
		fail: (message: string, description: string, itemIndex = 0) =>
			new NodeOperationError(node, message, { itemIndex, description }),
		notFoundAnswer: options.notFoundAnswer === true,
	};
}

/** The input items passed through, the first with the answer's summary as `koogalleryAnswer`. */
function withSummary(
	passThrough: INodeExecutionData[],
	summary: IDataObject,
): INodeExecutionData[] {
	return passThrough.map((item, index) =>
		index === 0 ? { ...item, json: { ...item.json, koogalleryAnswer: summary } } : item,
	);
}
