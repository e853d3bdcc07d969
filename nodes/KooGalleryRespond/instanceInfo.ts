import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { EncryptType } from '../../core/credential-crypto';
import type { InstanceInfoInput } from '../../core/saas-v2-answers';

/** The login fields a Query Instance answer takes from the input item when left empty. */
const ITEM_FIELDS = ['frontEndUrl', 'adminUrl', 'userName', 'password', 'memo'] as const;

/**
 * Reads one instance's answer fields. For Query Instance, an empty field takes the input item's
 * field of the same name (and `instanceId`), so a row looked up from a table needs no expressions.
 */
export function readInstanceInfo(
	context: IExecuteFunctions,
	itemIndex: number,
	encryptionRequired: boolean,
	fromItem?: IDataObject,
): InstanceInfoInput {
	const fallback = (name: string): string => {
		const value = fromItem?.[name];
		return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
	};
	const read = (name: string, itemField = name): string => {
		const value = String(context.getNodeParameter(name, itemIndex, '') ?? '');
		return (value || fallback(itemField)).trim();
	};
	const itemInstanceId = fallback('instanceId');
	const usage = context.getNodeParameter('usage.entries', itemIndex, []) as IDataObject[];
	const [frontEndUrl, adminUrl, userName, password, memo] = ITEM_FIELDS.map((field) => read(field));
	return {
		// A comma list is the request's own instanceId (several instances asked about): not one ID.
		instanceId: read('infoInstanceId', itemInstanceId.includes(',') ? '' : 'instanceId'),
		frontEndUrl,
		adminUrl,
		userName,
		password,
		memo,
		encryptType:
			encryptionRequired || context.getNodeParameter('encrypt', itemIndex, false)
				? (context.getNodeParameter('encryptType', itemIndex, '1') as EncryptType)
				: undefined,
		usage: usage.map((entry) => ({
			usageValue: Number(entry.usageValue ?? 0),
			statisticalTime: String(entry.statisticalTime ?? ''),
			relatedInstanceId: String(entry.relatedInstanceId ?? ''),
			dashboardUrl: String(entry.dashboardUrl ?? ''),
		})),
	};
}
