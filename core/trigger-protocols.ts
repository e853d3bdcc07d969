import { KIT_HEADERS, readHeader, verifyKitRequest } from './kit-signature';
import {
	DEFAULT_V1_TOLERANCE_MS,
	readV1JsonBody,
	readV1Params,
	verifySaasV1Request,
	withoutBlankParams,
} from './saas-v1-auth-token';
import { verifySaasV2Request } from './saas-v2-signature';
import { parseFailure, type ParseResult } from './schemas/common';
import {
	isKitTestCall,
	KIT_SCENARIOS,
	kitIdempotencyKey,
	kitScenarioFromPath,
	parseKitRequest,
} from './schemas/kit';
import { LICENSE_SCENARIOS, parseLicenseRequest } from './schemas/license';
import { ORDER_NOTIFY_SCENARIOS, parseOrderNotifyRequest } from './schemas/order-notify';
import { parseSaasV1Request, SAAS_V1_SCENARIOS } from './schemas/saas-v1';
import type { ScenarioInfo } from './schemas/saas-v2';
import {
	isTestCall,
	parseSaasV2Request,
	SAAS_V2_SCENARIOS,
	splitInstanceIds,
} from './schemas/saas-v2';
import {
	parseTimestampMs,
	readParameter,
	type VerificationFailure,
	type VerificationResult,
	type VerifyOptions,
} from './verification';

export type { ScenarioInfo };

/** Plain JSON fields, as a call's data and extras are handed on. */
export type Fields = Record<string, unknown>;

/** One incoming HTTP call, as the KooGallery Trigger hands it to a protocol. */
export interface IncomingCall {
	method: string;
	/** The request path, e.g. `/webhook/koogallery/kit/produceAPI/v2/tenantSync`. */
	path: string;
	/** The query string exactly as sent, without `?` (V1.0 tokens are computed over the decoded values). */
	rawQuery: string;
	/** The query as n8n parsed it. */
	query: Record<string, unknown>;
	headers: Record<string, unknown>;
	rawBody: Buffer;
}

export type ParsedCall =
	| {
			ok: true;
			activity: string;
			data: Fields;
			testFlag: boolean;
			/** Fields whose value the pages do not document, kept as sent (`activity` for an unknown scenario). */
			unknownValues: string[];
			extra: Fields;
	  }
	| { ok: false; resultCode: '000002'; field?: string; message: string };

/** One inbound protocol: how its calls arrive, are verified and are read. The protocol core does the work. */
export interface ProtocolHandler {
	displayName: string;
	description: string;
	/** The trigger parameter that lists the scenarios the operator handles. */
	scenariosParameter: string;
	scenarios: readonly ScenarioInfo[];
	verify(call: IncomingCall, options: TriggerVerifyOptions): VerificationResult;
	parse(call: IncomingCall): ParsedCall;
	/**
	 * When KooGallery sent the call (ms since 1970, by its clock), read from the call's timestamp
	 * exactly as `verify` reads it but not checked, without reading the body; undefined when the
	 * call has none that KooGallery sets as it sends it. Busy Limit Auto uses it to tell how long
	 * the call waited inside n8n before the trigger (callsInProgress.ts).
	 */
	sentAt(call: Pick<IncomingCall, 'method' | 'query' | 'headers'>): number | undefined;
}

/** A timestamp as read, or undefined when it could not be read. */
const timestampOf = (
	read: { ok: true; value: string } | VerificationFailure,
): number | undefined => (read.ok ? parseTimestampMs(read.value) : undefined);

/** What the trigger passes to `verify`: the V1.0-style `authToken` calls have their own time window. */
export interface TriggerVerifyOptions extends VerifyOptions {
	/** How far a V1.0 `timeStamp` may be from now; default {@link DEFAULT_V1_TOLERANCE_MS}. */
	authTokenToleranceMs?: number;
}

const authTokenOptions = ({
	authTokenToleranceMs,
	...options
}: TriggerVerifyOptions): VerifyOptions => ({
	...options,
	toleranceMs: authTokenToleranceMs ?? DEFAULT_V1_TOLERANCE_MS,
});

/** Turns a core parse result into the trigger's form, adding protocol-specific extras. */
function toParsedCall(
	result: ParseResult<object>,
	testFlag: (data: Fields) => boolean,
	extra: (activity: string, data: Fields) => Fields = () => ({}),
): ParsedCall {
	if (!result.ok) return result;
	const data = result.data as Fields;
	return {
		ok: true,
		activity: result.activity,
		data,
		testFlag: testFlag(data),
		unknownValues: result.unknownValues,
		extra: extra(result.activity, data),
	};
}

/**
 * The output for a scenario this version of the pack does not know (KooGallery adds scenarios
 * over time): always the last output, so turning it on never moves the other outputs' connections.
 */
export const OTHER_CALL: ScenarioInfo = {
	activity: 'otherCall',
	label: 'Other Call',
	zh: '其他调用',
	description:
		'A scenario this version of the pack does not know yet. Its fields arrive as KooGallery sent them and koogallery.scenario holds its activity; answer it with KooGallery Respond (Result Code Only). Without this output such a call is answered 000005 and KooGallery calls again later.',
	needsAnswer: true,
	mandatory: false,
};

const queryInstanceIds = (activity: string, data: Fields): Fields =>
	activity === 'queryInstance' && typeof data.instanceId === 'string'
		? { instanceIds: splitInstanceIds(data.instanceId) }
		: {};

/** True for a POST whose body is JSON (by its content type, or by its first character). */
function hasJsonBody(call: IncomingCall): boolean {
	const type = call.headers['content-type'];
	return (
		(typeof type === 'string' && /json/i.test(type)) ||
		/^\s*\{/.test(call.rawBody.toString('utf8', 0, 64))
	);
}

/**
 * V1.0-style parameters: the query of a GET, the form body of a POST, or the members of a POSTed
 * JSON body with the token of its `authToken` header added (never signed itself,
 * https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html).
 */
function v1Parameters(
	call: IncomingCall,
): { ok: true; params: Record<string, string> | string } | VerificationFailure {
	if (call.method === 'GET') return { ok: true, params: call.rawQuery };
	if (!hasJsonBody(call)) return { ok: true, params: call.rawBody.toString('utf8') };
	const body = readV1JsonBody(call.rawBody);
	if (!body.ok) return body;
	const header = readHeader(call.headers, 'authtoken', true);
	if (!header.ok && header.reason !== 'missingParameter')
		return { ...header, parameter: 'authToken' };
	return {
		ok: true,
		params: header.ok ? { ...body.params, authToken: header.value } : body.params,
	};
}

const saasV2: ProtocolHandler = {
	displayName: 'SaaS (Access Guide V2.0)',
	description: 'General and self-service SaaS products under the current SaaS access guide (V2.0)',
	scenariosParameter: 'scenarios',
	scenarios: [...SAAS_V2_SCENARIOS, OTHER_CALL],
	verify: (call, options) =>
		verifySaasV2Request({ query: call.query, rawBody: call.rawBody, ...options }),
	parse: (call) => toParsedCall(parseSaasV2Request(call.rawBody), isTestCall, queryInstanceIds),
	sentAt: (call) => timestampOf(readParameter(call.query, 'timestamp')),
};

const kit: ProtocolHandler = {
	displayName: 'Joint-Operation SaaS Sync (联营kit)',
	description:
		'Joint-operation SaaS products: tenant, application, user and department syncs at <production URL>/produceAPI/v2/…',
	scenariosParameter: 'kitScenarios',
	// The sync paths are fixed, so a kit call always names a known scenario.
	scenarios: KIT_SCENARIOS,
	verify: (call, options) =>
		verifyKitRequest({ headers: call.headers, rawBody: call.rawBody, ...options }),
	parse(call) {
		const name = kitScenarioFromPath(call.path);
		if (!name) return parseFailure(`The address ${call.path} is not a kit sync interface.`);
		return toParsedCall(parseKitRequest(name, call.rawBody), isKitTestCall, (_activity, data) => ({
			idempotencyKeys: kitIdempotencyKey(name, data),
		}));
	},
	sentAt: (call) => timestampOf(readHeader(call.headers, KIT_HEADERS.timestamp, true)),
};

const license: ProtocolHandler = {
	displayName: 'License Products (License类)',
	description:
		'License-code products (POST, signed like SaaS V2.0) and the older getLicense family (GET, signed with authToken)',
	scenariosParameter: 'licenseScenarios',
	scenarios: [...LICENSE_SCENARIOS, OTHER_CALL],
	verify: (call, options) =>
		call.method === 'GET'
			? verifySaasV1Request({ params: call.rawQuery, ...authTokenOptions(options) })
			: verifySaasV2Request({ query: call.query, rawBody: call.rawBody, ...options }),
	parse(call) {
		if (call.method !== 'GET') return toParsedCall(parseLicenseRequest(call.rawBody), isTestCall);
		const params = readV1Params(call.rawQuery);
		if (!params.ok) return parseFailure(params.message, params.parameter);
		return toParsedCall(parseLicenseRequest(withoutBlankParams(params.params)), isTestCall);
	},
	// A GET's timeStamp may be hours old when the call is sent again (saasV1 below).
	sentAt: (call) => (call.method === 'GET' ? undefined : saasV2.sentAt(call)),
};

const saasV1: ProtocolHandler = {
	displayName: 'SaaS (Access Guide V1.0, deprecated)',
	description: 'Older SaaS products still listed under the V1.0 guide: calls signed with authToken',
	scenariosParameter: 'v1Scenarios',
	scenarios: [...SAAS_V1_SCENARIOS, OTHER_CALL],
	verify(call, options) {
		const read = v1Parameters(call);
		return read.ok
			? verifySaasV1Request({ params: read.params, ...authTokenOptions(options) })
			: read;
	},
	parse(call) {
		const read = v1Parameters(call);
		const params = read.ok ? readV1Params(read.params) : read;
		if (!params.ok) return parseFailure(params.message, params.parameter);
		return toParsedCall(
			parseSaasV1Request(withoutBlankParams(params.params)),
			isTestCall,
			queryInstanceIds,
		);
	},
	// No: a V1.0 call may be sent again hours later with the timeStamp first signed (the seller
	// console's restart button), so its age says nothing about a wait inside n8n.
	sentAt: () => undefined,
};

/** Every product type but images: the order notification, verified exactly as SaaS V2.0 calls are. */
const orderNotify: ProtocolHandler = {
	displayName: 'Order Notification (订单通知, any product type)',
	description:
		'Any product but images (SaaS, License, API, hardware, manual services 人工服务): KooGallery sends the order number once it is paid',
	scenariosParameter: 'orderScenarios',
	scenarios: ORDER_NOTIFY_SCENARIOS,
	verify: saasV2.verify,
	parse: (call) => toParsedCall(parseOrderNotifyRequest(call.rawBody), isTestCall),
	sentAt: saasV2.sentAt,
};

export const protocols = { saasV2, kit, license, saasV1, orderNotify } satisfies Record<
	string,
	ProtocolHandler
>;

/** How the trigger's panel lists a scenario: the English name with the seller console's term beside it. */
export const scenarioOption = (s: ScenarioInfo): string => `${s.label} (${s.zh})`;

/**
 * The label n8n draws at a scenario's output on the canvas: the seller console's term, the word an
 * operator looks for. n8n 2.41.1 cuts the label of a connected output at 96 px of 12 px text (its
 * editor CSS: `._handle._connected ._label { max-width: 96px }`), room for 8 Chinese characters and
 * no English word beside the six-character terms; "Query Instance (查询实例信息)" was drawn
 * "Query Instanc…". The English name stays in the panel (`scenarioOption`) and in every item the
 * trigger outputs (`koogallery.scenarioName`).
 */
export const scenarioOutputLabel = (s: ScenarioInfo): string => s.zh;

export type ProtocolName = keyof typeof protocols;
