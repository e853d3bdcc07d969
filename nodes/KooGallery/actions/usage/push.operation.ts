import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';
import { pushUsage } from './pushUsage';

/** Usage > Push (按需使用量推送(新)); its record fields are in records.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName:
			'Each input item is one usage record. Output "Results" has one item per input item with its status: pushed (KooGallery accepted it), invalid (a field is wrong: see field and reason; it was not sent) or failed (KooGallery refused it or could not be reached after retries: see reason). Output "Failed" repeats the invalid and failed items, so you can alert or retry without filtering. Pushing the same records again is safe: each record keeps its metering_sn, so KooGallery counts it once.',
		name: 'usageNotice',
		type: 'notice',
		default: '',
		displayOptions: showFor('usage', ['push']),
	},
];

/** Pushes the input items as usage records with the current API. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await pushUsage(this, 'new');
}
