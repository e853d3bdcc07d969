import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { testSellerKey } from '../shared/sellerKey';
import { router } from './actions/router';
import { kooGalleryDescription } from './description';

/**
 * The KooGallery action node: its parameters are in description.ts, each operation in
 * actions/<resource>/<operation>.operation.ts, and actions/router.ts runs the one it is set to.
 */
export class KooGallery implements INodeType {
	description: INodeTypeDescription = kooGalleryDescription();

	methods = {
		credentialTest: { kooGallerySellerKeyTest: testSellerKey },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
