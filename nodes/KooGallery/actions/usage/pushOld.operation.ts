import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { showFor } from '../types';
import { pushUsage } from './pushUsage';

/** Usage > Push (Old API) (按需使用量推送(旧)); its record fields are in records.description.ts. */
export const description: INodeProperties[] = [
	{
		displayName:
			'The old usage API (按需使用量推送(旧)) is for products that still use it. It needs product_id and has no metering_sn; KooGallery drops a second record with the same instance, begin_time and end_time. Output "Results" has one item per input item with its status; output "Failed" repeats those not accepted.',
		name: 'usageOldNotice',
		type: 'notice',
		default: '',
		displayOptions: showFor('usage', ['pushOld']),
	},
];

/** Pushes the input items as usage records with the old API. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await pushUsage(this, 'old');
}
