/**
 * The Open API credential fields the action-node tests use, and a shorthand for the fake n8n
 * context of kooGallery-fakes.cts with only the KooGallery Access Key credential set.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { actionContext, type SentRequest } from './kooGallery-fakes.cjs';

export type { SentRequest };

export const AK = 'UNITTESTAK0000000001';
export const SK = 'unit-test-secret-access-key-not-real';
export const SELLER_KEY = 'unit-test-seller-key-not-real';

/** Credential fields for a mock listening at `url`. */
export function mockCredentials(url: string, overrides: IDataObject = {}): IDataObject {
	return {
		accessKeyId: AK,
		secretAccessKey: SK,
		sellerSecretKey: SELLER_KEY,
		site: 'custom',
		baseUrl: url,
		...overrides,
	};
}

/** The action node's context with `credentials` as its KooGallery Access Key credential. */
export function openApiExecuteContext(options: {
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: IDataObject[];
	credentials: IDataObject;
	continueOnFail?: boolean;
}): { context: IExecuteFunctions; requests: SentRequest[] } {
	return actionContext({ ...options, credentials: { kooGalleryOpenApi: options.credentials } });
}
