import type { IDataObject } from 'n8n-workflow';

import type { NonceStore, VerificationResult } from '../../core/verification';
import { verifySaasV2Request } from '../../core/saas-v2-signature';
import type { ScenarioInfo } from '../../core/schemas/saas-v2';
import { isTestCall, parseSaasV2Request, SAAS_V2_SCENARIOS, splitInstanceIds } from '../../core/schemas/saas-v2';

export type { ScenarioInfo };

export interface VerifyInput {
	query: Record<string, unknown>;
	headers: Record<string, unknown>;
	rawBody: Buffer;
	keys: ReadonlyArray<string | undefined>;
	toleranceMs: number;
	nonceStore: NonceStore;
	nowMs: number;
}

export type ParsedCall =
	| { ok: true; activity: string; data: IDataObject; testFlag: boolean; extra: IDataObject }
	| { ok: false; resultCode: '000002'; field?: string; message: string };

/** One inbound protocol: how its calls are verified and read. The protocol core does the work. */
export interface ProtocolHandler {
	displayName: string;
	description: string;
	/** Joint-operation calls are signed with the kit key instead of the basic key. */
	usesKitKey: boolean;
	scenarios: readonly ScenarioInfo[];
	verify(input: VerifyInput): VerificationResult;
	parse(rawBody: Buffer): ParsedCall;
}

const saasV2: ProtocolHandler = {
	displayName: 'SaaS (Access Guide V2.0)',
	description: 'General and self-service SaaS products listed under the current SaaS access guide (V2.0)',
	usesKitKey: false,
	scenarios: SAAS_V2_SCENARIOS,
	verify: (input) => verifySaasV2Request(input),
	parse(rawBody) {
		const parsed = parseSaasV2Request(rawBody);
		if (!parsed.ok) return parsed;
		const data = parsed.data as IDataObject;
		const extra: IDataObject = {};
		if (parsed.data.activity === 'queryInstance') extra.instanceIds = splitInstanceIds(parsed.data.instanceId);
		return { ok: true, activity: parsed.activity, data, testFlag: isTestCall(parsed.data), extra };
	},
};

export const protocols = { saasV2 } satisfies Record<string, ProtocolHandler>;
export type ProtocolName = keyof typeof protocols;
