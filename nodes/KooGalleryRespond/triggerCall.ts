import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

/** The KooGallery call that started this run, as the KooGallery Trigger put it in its item. */
export interface TriggerCall {
	triggerName: string;
	/** The trigger's product type: saasV2, kit, license or saasV1. */
	protocol: string;
	scenario: string;
	/** 0 = current seller key, 1 = previous key: the answer is signed with the key that signed the call. */
	keyIndex: number;
	/** The trigger already answered (notifications answered immediately). */
	answered: boolean;
	data: IDataObject;
	instanceIds: string[];
}

const TRIGGER_TYPE_SUFFIX = '.kooGalleryTrigger';
const MAX_OUTPUTS = 16;

/**
 * Finds the KooGallery Trigger this node descends from and the item it emitted for this run.
 * Throws a plain-language error when there is none (for example a manual test run).
 */
export function findTriggerCall(context: IExecuteFunctions): TriggerCall {
	const node = context.getNode();
	const triggers = context.getParentNodes(node.name).filter((parent) => parent.type.endsWith(TRIGGER_TYPE_SUFFIX));
	if (triggers.length === 0) {
		throw new NodeOperationError(node, 'No KooGallery Trigger comes before this node.', {
			description: 'KooGallery Respond answers the call a KooGallery Trigger received. Connect it after one.',
		});
	}
	const proxy = context.getWorkflowDataProxy(0);
	for (const trigger of triggers) {
		for (let branch = 0; branch < MAX_OUTPUTS; branch++) {
			let json: IDataObject | undefined;
			try {
				json = (proxy.$(trigger.name).first(branch) as { json?: IDataObject } | undefined)?.json;
			} catch {
				break; // the trigger did not run, or has no more outputs
			}
			const block = json?.koogallery as IDataObject | undefined;
			if (!json || !block || typeof block.scenario !== 'string') continue;
			const verification = (block.verification ?? {}) as IDataObject;
			const data: IDataObject = { ...json };
			delete data.koogallery;
			return {
				triggerName: trigger.name,
				protocol: typeof block.protocol === 'string' ? block.protocol : 'saasV2',
				scenario: block.scenario,
				keyIndex: verification.key === 'previous' ? 1 : 0,
				answered: block.answered === true,
				data,
				instanceIds: Array.isArray(block.instanceIds) ? block.instanceIds.map(String) : [],
			};
		}
	}
	throw new NodeOperationError(node, 'There is no KooGallery call to answer in this run.', {
		description:
			'This happens when the workflow is run by hand. Send a call from the simulator or the seller console debugging page (应用接入调试) instead.',
	});
}
