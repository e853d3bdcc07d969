import type { IHookFunctions } from 'n8n-workflow';

/**
 * Webhook methods for a trigger whose URL the seller enters by hand (in the seller console or the
 * API Gateway console): there is nothing to register with, check at or remove from the caller.
 */
export const enteredByHandWebhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
