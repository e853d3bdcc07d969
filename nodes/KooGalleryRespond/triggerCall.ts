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

const MAX_OUTPUTS = 16;

/** Which trigger to look for, and how its errors are worded. */
export interface TriggerItemSearch {
	/** The end of the trigger's node type, for example `.kooGalleryTrigger`. */
	typeSuffix: string;
	/** The trigger's display name, for example `KooGallery Trigger`. */
	triggerLabel: string;
	/** The answering node's display name, for example `KooGallery Respond`. */
	respondLabel: string;
	/** Whether the trigger's `koogallery` block is a call this node can answer. */
	accepts: (block: IDataObject) => boolean;
}

/**
 * Finds the trigger of the given type this node descends from and the item it emitted for this
 * run, on whichever output fired. Throws a plain-language error when there is none (for example
 * a manual test run).
 */
export function findTriggerItem(
	context: IExecuteFunctions,
	search: TriggerItemSearch,
): { triggerName: string; json: IDataObject; block: IDataObject } {
	const node = context.getNode();
	const triggers = context
		.getParentNodes(node.name)
		.filter((parent) => parent.type.endsWith(search.typeSuffix));
	if (triggers.length === 0) {
		throw new NodeOperationError(node, `No ${search.triggerLabel} comes before this node.`, {
			description: `${search.respondLabel} answers the call a ${search.triggerLabel} received. Connect it after one.`,
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
			if (!json || !block || !search.accepts(block)) continue;
			return { triggerName: trigger.name, json, block };
		}
	}
	throw new NodeOperationError(node, 'There is no KooGallery call to answer in this run.', {
		description:
			'This happens when the workflow is run by hand. Send a call from the simulator or the seller console debugging page (应用接入调试) instead.',
	});
}

/**
 * Finds the KooGallery Trigger this node descends from and the item it emitted for this run.
 * Throws a plain-language error when there is none (for example a manual test run).
 */
export function findTriggerCall(context: IExecuteFunctions): TriggerCall {
	const { triggerName, json, block } = findTriggerItem(context, {
		typeSuffix: '.kooGalleryTrigger',
		triggerLabel: 'KooGallery Trigger',
		respondLabel: 'KooGallery Respond',
		accepts: (found) => typeof found.scenario === 'string',
	});
	const verification = (block.verification ?? {}) as IDataObject;
	const data: IDataObject = { ...json };
	delete data.koogallery;
	return {
		triggerName,
		protocol: typeof block.protocol === 'string' ? block.protocol : 'saasV2',
		scenario: block.scenario as string,
		keyIndex: verification.key === 'previous' ? 1 : 0,
		answered: block.answered === true,
		data,
		instanceIds: Array.isArray(block.instanceIds) ? block.instanceIds.map(String) : [],
	};
}
