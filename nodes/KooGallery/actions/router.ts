import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { buyerContact } from './buyerContact';
import { credentials } from './credentials';
import { licenseCode } from './licenseCode';
import { order } from './order';
import { signature } from './signature';
import { sso } from './sso';
import type { KooGalleryOperation, KooGalleryResource } from './types';
import { usage } from './usage';

/** Every resource of the node, by the value of its Resource option. */
export const RESOURCES: Readonly<Record<string, KooGalleryResource>> = {
	buyerContact,
	credentials,
	licenseCode,
	order,
	signature,
	sso,
	usage,
};

const own = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** The operation a resource and operation value name, or undefined when there is none. */
export function operationOf(resource: string, operation: string): KooGalleryOperation | undefined {
	if (!own(RESOURCES, resource)) return undefined;
	const operations = RESOURCES[resource].operations;
	return own(operations, operation) ? operations[operation] : undefined;
}

/** Runs the operation the node is set to: the one dispatch of the KooGallery node. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const action = operationOf(resource, operation);
	if (!action)
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported.`,
		);
	return await action.execute.call(this);
}
