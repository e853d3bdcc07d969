import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import {
	buildUsageRecord,
	readUsageInput,
	usageRecordKey,
	type UsageApi,
	type UsageInput,
	type UsageProblem,
} from '../../core/usage-input';
import {
	MAX_USAGE_RECORDS_PER_PUSH,
	chunkRecords,
	usageBody,
	type UsageRecord,
} from '../../core/usage-signature';
import {
	asNodeError,
	callOpenApi,
	openApiError,
	wholeNumber,
	type CallOutcome,
	type RetryBudget,
	type RetryPolicy,
} from './transport';

/** The outcome of one input record. */
export type UsageStatus = 'pushed' | 'failed' | 'invalid';

interface Entry {
	index: number;
	record: UsageRecord & { product_id?: string };
}

interface Outcome {
	status: UsageStatus;
	record?: Entry['record'];
	reason?: string;
	field?: string;
	problems?: UsageProblem[];
	errorCode?: string;
	attempts?: number;
}

/** Options of Usage > Push and Push (Old API). */
export interface UsagePushOptions {
	batchSize?: number;
	checkTimeWindow?: boolean;
	usageValueAsText?: boolean;
	includeInput?: boolean;
}

/**
 * Requests spent isolating records KooGallery refused inside a batch (splitting it in halves).
 * Beyond this, a refused group is reported failed as a whole, so a run of bad data cannot turn
 * into thousands of calls.
 */
export const MAX_ISOLATION_REQUESTS = 200;

/** KooGallery codes that point at one field of a record. */
const FIELD_OF_CODE: Record<string, string> = { '9001': 'instance_id', '9004': 'begin_time' };

function readMapped(ctx: IExecuteFunctions, index: number, api: UsageApi): UsageInput {
	const value = (name: string) => {
		const v = ctx.getNodeParameter(name, index, '') as unknown;
		return v === '' ? undefined : v;
	};
	const input: UsageInput = {
		instanceId: value('instanceId'),
		beginTime: value('beginTime'),
		endTime: value('endTime'),
		usageValue: value('usageValue'),
		recordTime: value('recordTime'),
		relatePkgInstance: value('relatePkgInstance'),
	};
	if (api === 'new') input.meteringSn = value('meteringSn');
	else input.productId = value('productId');
	return input;
}

function failedOutcome(entry: Entry, outcome: CallOutcome, why: string): Outcome {
	const number = outcome.code ? /\.(\d{4})$/.exec(outcome.code)?.[1] : undefined;
	const failed: Outcome = {
		status: 'failed',
		record: entry.record,
		reason: why,
		attempts: outcome.attempts,
	};
	if (outcome.code) failed.errorCode = outcome.code;
	if (number && FIELD_OF_CODE[number]) failed.field = FIELD_OF_CODE[number];
	return failed;
}

/**
 * Usage > Push (new API) and Usage > Push (Old API). Every input item is one record: checked
 * first (bad ones become `invalid` items naming the field and never reach KooGallery), then the
 * good ones are sent in batches of at most 1000, retried on passing failures, and isolated by
 * halving when KooGallery refuses a batch because of one of its records. Returns two outputs:
 * every record with its outcome, and again those not accepted.
 */
export async function pushUsage(
	this: IExecuteFunctions,
	api: UsageApi,
	policy: RetryPolicy,
	budget: RetryBudget,
	timeoutMs: number,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('usageOptions', 0, {}) as UsagePushOptions;
	const source = this.getNodeParameter('recordSource', 0, 'fields') as 'fields' | 'mapped';
	const nowMs = Date.now();
	const outcomes: Outcome[] = new Array(items.length);
	const valid: Entry[] = [];
	const firstIndexOfKey = new Map<string, number>();

	for (let i = 0; i < items.length; i++) {
		const input = source === 'mapped' ? readMapped(this, i, api) : readUsageInput(items[i].json);
		const built = buildUsageRecord(input, {
			api,
			nowMs,
			skipTimeWindow: options.checkTimeWindow === false,
			usageValueAsText: options.usageValueAsText === true,
		});
		if (!built.ok) {
			outcomes[i] = {
				status: 'invalid',
				field: built.problems[0].field,
				reason: built.problems.map((p) => p.message).join(' '),
				problems: built.problems,
			};
			continue;
		}
		const key = usageRecordKey(built.record, api);
		const first = firstIndexOfKey.get(key);
		if (first !== undefined) {
			const field = api === 'new' ? 'metering_sn' : 'begin_time';
			const message =
				api === 'new'
					? `metering_sn ${built.record.metering_sn} is the same as input item ${first}'s; KooGallery would count this usage once, so it is not sent twice.`
					: `begin_time and end_time of instance ${built.record.instance_id} are the same as input item ${first}'s; KooGallery treats the second as a duplicate.`;
			outcomes[i] = {
				status: 'invalid',
				field,
				reason: message,
				problems: [{ field, message }],
				record: built.record,
			};
			continue;
		}
		firstIndexOfKey.set(key, i);
		valid.push({ index: i, record: built.record });
	}

	const path = api === 'new' ? OPEN_API_PATHS.usagePush : OPEN_API_PATHS.usagePushOld;
	let sizeLimit = wholeNumber(
		options.batchSize,
		MAX_USAGE_RECORDS_PER_PUSH,
		1,
		MAX_USAGE_RECORDS_PER_PUSH,
	);
	let isolationRequests = 0;
	const queue: Entry[][] = chunkRecords(valid, sizeLimit);
	while (queue.length > 0) {
		const batch = queue.shift() as Entry[];
		if (batch.length > sizeLimit) {
			queue.unshift(...chunkRecords(batch, sizeLimit));
			continue;
		}
		let outcome: CallOutcome;
		try {
			outcome = await callOpenApi(
				this,
				{ method: 'POST', path, body: usageBody(batch.map((e) => e.record)), timeoutMs },
				policy,
				budget,
			);
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, batch[0].index);
			for (const entry of batch)
				outcomes[entry.index] = {
					status: 'failed',
					record: entry.record,
					reason: (error as Error).message,
				};
			continue;
		}
		const canSplit = batch.length > 1;
		if (outcome.verdict === 'ok') {
			for (const entry of batch)
				outcomes[entry.index] = {
					status: 'pushed',
					record: entry.record,
					attempts: outcome.attempts,
				};
		} else if (outcome.verdict === 'tooLarge' && canSplit) {
			sizeLimit = Math.ceil(batch.length / 2);
			queue.unshift(...chunkRecords(batch, sizeLimit));
		} else if (
			outcome.verdict === 'recordProblem' &&
			canSplit &&
			isolationRequests < MAX_ISOLATION_REQUESTS
		) {
			isolationRequests += 2;
			queue.unshift(...chunkRecords(batch, Math.ceil(batch.length / 2)));
		} else if (outcome.verdict === 'fatal' && !this.continueOnFail()) {
			throw openApiError(this, outcome, batch[0].index);
		} else {
			const why =
				outcome.verdict === 'recordProblem' && canSplit
					? `${outcome.explanation} (This group of ${batch.length} records was refused together; the limit of ${MAX_ISOLATION_REQUESTS} requests for finding the bad records was reached.)`
					: outcome.explanation;
			for (const entry of batch) outcomes[entry.index] = failedOutcome(entry, outcome, why);
		}
	}

	const results: INodeExecutionData[] = [];
	const notAccepted: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = outcomeJson(
			outcomes[i],
			options.includeInput === false ? undefined : items[i].json,
		);
		results.push({ json, pairedItem: { item: i } });
		if (outcomes[i].status !== 'pushed')
			notAccepted.push({ json: { ...json }, pairedItem: { item: i } });
	}
	return [results, notAccepted];
}

function outcomeJson(outcome: Outcome, input: IDataObject | undefined): IDataObject {
	const json: IDataObject = { status: outcome.status };
	if (outcome.record?.metering_sn) json.meteringSn = outcome.record.metering_sn;
	if (outcome.record?.instance_id) json.instanceId = outcome.record.instance_id;
	if (outcome.field) json.field = outcome.field;
	if (outcome.reason) json.reason = outcome.reason;
	if (outcome.problems) json.problems = outcome.problems as unknown as IDataObject[];
	if (outcome.errorCode) json.errorCode = outcome.errorCode;
	if (outcome.attempts !== undefined) json.attempts = outcome.attempts;
	if (outcome.record) json.record = { ...outcome.record } as IDataObject;
	if (input) json.input = input;
	return json;
}
