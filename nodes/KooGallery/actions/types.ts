import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/**
 * One operation of the KooGallery node (`actions/<resource>/<operation>.operation.ts`): the
 * parameters only it shows, and what it does with the input items. It returns every output of
 * the node (Usage has two: Results and Failed).
 */
export interface KooGalleryOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]>;
}

/**
 * One resource (`actions/<resource>/index.ts`): its Operation parameter (the list of its
 * operations), its other parameters in the order the editor shows them, and its operations by
 * value. The router dispatches on `operations`.
 */
export interface KooGalleryResource {
	operation: INodeProperties;
	properties: INodeProperties[];
	operations: Record<string, KooGalleryOperation>;
}

/** `displayOptions` showing a parameter for a resource, optionally some of its operations and more. */
export function showFor(
	resource: string,
	operations?: string[],
	extra: Record<string, Array<string | boolean>> = {},
): IDisplayOptions {
	return {
		show: operations
			? { resource: [resource], operation: operations, ...extra }
			: { resource: [resource], ...extra },
	};
}
