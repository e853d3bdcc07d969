import type { IDataObject } from 'n8n-workflow';

import type { NonceStore, VerificationResult } from '../../core/verification';
import { verifySaasV2Request } from '../../core/saas-v2-signature';
import { parseSaasV2Request, saasV2Scenarios } from '../../core/schemas/saas-v2';

/** What the trigger needs to know about one scenario (activity) of a protocol. */
export interface ScenarioInfo {
	activity: string;
	label: string;
	zh: string;
	description: string;
	/** KooGallery needs a real answer (an instance id, instance details, a verdict), not just "received". */
	needsAnswer: boolean;
	/** Listed as mandatory for most products; enabled by default in the trigger. */
	mandatory: boolean;
}

export interface VerifyInput {
	query: Record<string, string | string[] | undefined>;
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	keys: string[];
	toleranceMs: number;
	nonceStore: NonceStore;
	nowMs: number;
}

export type ParseResult =
	| { ok: true; activity: string; data: IDataObject; testFlag: boolean; extra: IDataObject }
	| { ok: false; resultCode: string; message: string };

/** One inbound protocol: how its calls are verified and read. The protocol core does the work. */
export interface ProtocolHandler {
	displayName: string;
	description: string;
	usesKitKey: boolean;
	scenarios: ScenarioInfo[];
	verify(input: VerifyInput): Promise<VerificationResult>;
	parse(request: { query: unknown }, rawBody: Buffer): ParseResult;
}

function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(rawBody.toString('utf8')) };
	} catch (error) {
		return { ok: false };
	}
}

const saasV2: ProtocolHandler = {
	displayName: 'SaaS (Access Guide V2.0)',
	description: 'General and self-service SaaS products listed under the current SaaS access guide (V2.0)',
	usesKitKey: false,
	scenarios: saasV2Scenarios,
	verify: (input) => verifySaasV2Request(input),
	parse(_request, rawBody) {
		const json = parseJson(rawBody);
		if (!json.ok) return { ok: false, resultCode: '000002', message: 'The request body is not valid JSON.' };
		const parsed = parseSaasV2Request(json.value);
		if (!parsed.ok) return { ok: false, resultCode: parsed.resultCode, message: parsed.message };
		const data = parsed.data as IDataObject;
		const extra: IDataObject = {};
		if (parsed.activity === 'queryInstance') {
			extra.instanceIds = String(data.instanceId)
				.split(',')
				.map((id) => id.trim())
				.filter((id) => id !== '');
		}
		return { ok: true, activity: parsed.activity, data, testFlag: data.testFlag === '1', extra };
	},
};

export const protocols = { saasV2 } satisfies Record<string, ProtocolHandler>;
export type ProtocolName = keyof typeof protocols;
