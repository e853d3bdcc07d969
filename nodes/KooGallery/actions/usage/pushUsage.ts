import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { OPEN_API_ENDPOINTS } from '../../../../core/openapi-endpoints';
import {
	buildUsageRecord,
	readUsageInput,
	usageRecordKey,
	type UsageApi,
	type UsageInput,
	type UsageProblem,
} from '../../../../core/usage-input';
import {
	MAX_USAGE_RECORDS_PER_PUSH,
	chunkRecords,
	usageBody,
	type UsageRecord,
} from '../../../../core/usage-signature';
import {
	asNodeError,
	callEndpoint,
	callSettings,
	openApiError,
	wholeNumber,
	type CallOutcome,
	type CallSettings,
} from '../../transport';

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

/** The record of item `index` from the Values Below parameters. */
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

/** The `invalid` outcome of a record that repeats the key of input item `first`. */
function duplicateOutcome(record: Entry['record'], api: UsageApi, first: number): Outcome {
	const field = api === 'new' ? 'metering_sn' : 'begin_time';
	const message =
		api === 'new'
			? `metering_sn ${record.metering_sn} is the same as input item ${first}'s; KooGallery would count this usage once, so it is not sent twice.`
			: `begin_time and end_time of instance ${record.instance_id} are the same as input item ${first}'s; KooGallery treats the second as a duplicate.`;
	return { status: 'invalid', field, reason: message, problems: [{ field, message }], record };
}

/** The records to push, and the `invalid` outcome of every input item that is not one. */
interface Checked {
	outcomes: Outcome[];
	valid: Entry[];
}

/**
 * Checks every input item first: bad ones become `invalid` outcomes naming the field, and a record
 * with the key of an earlier one (KooGallery would count it once) too. They never reach KooGallery.
 */
function checkRecords(ctx: IExecuteFunctions, api: UsageApi, options: UsagePushOptions): Checked {
	const items = ctx.getInputData();
	const source = ctx.getNodeParameter('recordSource', 0, 'fields') as 'fields' | 'mapped';
	const nowMs = Date.now();
	const checked: Checked = { outcomes: new Array(items.length), valid: [] };
	const firstIndexOfKey = new Map<string, number>();
	for (let i = 0; i < items.length; i++) {
		const input = source === 'mapped' ? readMapped(ctx, i, api) : readUsageInput(items[i].json);
		const built = buildUsageRecord(input, {
			api,
			nowMs,
			skipTimeWindow: options.checkTimeWindow === false,
			usageValueAsText: options.usageValueAsText === true,
		});
		if (!built.ok) {
			checked.outcomes[i] = {
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
			checked.outcomes[i] = duplicateOutcome(built.record, api, first);
			continue;
		}
		firstIndexOfKey.set(key, i);
		checked.valid.push({ index: i, record: built.record });
	}
	return checked;
}

/** The state of one run's sending: batches still to send, the batch size and isolation calls spent. */
interface Sending {
	api: UsageApi;
	settings: CallSettings;
	outcomes: Outcome[];
	queue: Entry[][];
	sizeLimit: number;
	isolationRequests: number;
}

/** Sends one batch; a failure to send is thrown, or with "Continue" marks the batch failed. */
async function sendBatch(
	ctx: IExecuteFunctions,
	sending: Sending,
	batch: Entry[],
): Promise<CallOutcome | undefined> {
	const endpoint =
		sending.api === 'new' ? OPEN_API_ENDPOINTS.usagePush : OPEN_API_ENDPOINTS.usagePushOld;
	try {
		const body = usageBody(batch.map((e) => e.record));
		return await callEndpoint(ctx, endpoint, { body }, sending.settings);
	} catch (error) {
		if (!ctx.continueOnFail()) throw asNodeError(ctx, error, batch[0].index);
		for (const entry of batch)
			sending.outcomes[entry.index] = {
				status: 'failed',
				record: entry.record,
				reason: (error as Error).message,
			};
		return undefined;
	}
}

/**
 * What KooGallery's answer to a batch means: pushed; too large (halve the batches); one of its
 * records refused (halve it to find which, within MAX_ISOLATION_REQUESTS); or failed.
 */
function settleBatch(
	ctx: IExecuteFunctions,
	sending: Sending,
	batch: Entry[],
	outcome: CallOutcome,
): void {
	const canSplit = batch.length > 1;
	if (outcome.verdict === 'ok') {
		for (const entry of batch)
			sending.outcomes[entry.index] = {
				status: 'pushed',
				record: entry.record,
				attempts: outcome.attempts,
			};
	} else if (outcome.verdict === 'tooLarge' && canSplit) {
		sending.sizeLimit = Math.ceil(batch.length / 2);
		sending.queue.unshift(...chunkRecords(batch, sending.sizeLimit));
	} else if (
		outcome.verdict === 'recordProblem' &&
		canSplit &&
		sending.isolationRequests < MAX_ISOLATION_REQUESTS
	) {
		sending.isolationRequests += 2;
		sending.queue.unshift(...chunkRecords(batch, Math.ceil(batch.length / 2)));
	} else if (outcome.verdict === 'fatal' && !ctx.continueOnFail()) {
		throw openApiError(ctx, outcome, batch[0].index);
	} else {
		const why =
			outcome.verdict === 'recordProblem' && canSplit
				? `${outcome.explanation} (This group of ${batch.length} records was refused together; the limit of ${MAX_ISOLATION_REQUESTS} requests for finding the bad records was reached.)`
				: outcome.explanation;
		for (const entry of batch) sending.outcomes[entry.index] = failedOutcome(entry, outcome, why);
	}
}

/**
 * Sends the good records in batches of at most 1000 (or the Batch Size option), retried on
 * passing failures, and isolated by halving when KooGallery refuses a batch because of one of
 * its records. Writes each record's outcome into `sending.outcomes`.
 */
async function sendRecords(
	ctx: IExecuteFunctions,
	sending: Sending,
	valid: Entry[],
	batchSize: unknown,
): Promise<void> {
	sending.sizeLimit = wholeNumber(
		batchSize,
		MAX_USAGE_RECORDS_PER_PUSH,
		1,
		MAX_USAGE_RECORDS_PER_PUSH,
	);
	sending.queue = chunkRecords(valid, sending.sizeLimit);
	while (sending.queue.length > 0) {
		const batch = sending.queue.shift() as Entry[];
		if (batch.length > sending.sizeLimit) {
			sending.queue.unshift(...chunkRecords(batch, sending.sizeLimit));
			continue;
		}
		const outcome = await sendBatch(ctx, sending, batch);
		if (outcome) settleBatch(ctx, sending, batch, outcome);
	}
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

/** The two outputs: every record with its outcome, and again those not accepted. */
function usageOutputs(
	items: INodeExecutionData[],
	outcomes: Outcome[],
	includeInput: boolean,
): INodeExecutionData[][] {
	const results: INodeExecutionData[] = [];
	const notAccepted: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = outcomeJson(outcomes[i], includeInput ? items[i].json : undefined);
		results.push({ json, pairedItem: { item: i } });
		if (outcomes[i].status !== 'pushed')
			notAccepted.push({ json: { ...json }, pairedItem: { item: i } });
	}
	return [results, notAccepted];
}

/**
 * Usage > Push (new API) and Usage > Push (Old API). Every input item is one record: checked
 * first (bad ones become `invalid` items naming the field and never reach KooGallery), then the
 * good ones are sent in batches of at most 1000, retried on passing failures, and isolated by
 * halving when KooGallery refuses a batch because of one of its records. Returns two outputs:
 * every record with its outcome, and again those not accepted.
 */
export async function pushUsage(
	ctx: IExecuteFunctions,
	api: UsageApi,
): Promise<INodeExecutionData[][]> {
	const settings = callSettings(ctx);
	const items = ctx.getInputData();
	const options = ctx.getNodeParameter('usageOptions', 0, {}) as UsagePushOptions;
	const { outcomes, valid } = checkRecords(ctx, api, options);
	const sending: Sending = {
		api,
		settings,
		outcomes,
		queue: [],
		sizeLimit: 0,
		isolationRequests: 0,
	};
	await sendRecords(ctx, sending, valid, options.batchSize);
	return usageOutputs(items, outcomes, options.includeInput !== false);
}
