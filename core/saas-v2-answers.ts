import { parseKooGalleryTime } from './schemas/common';

/** What the operator gives for one instance of a `queryInstance` answer (docs/protocol/koogallery-saas-v2.md §4.2). */
export interface InstanceInfoInput {
	/** Empty: the only instance KooGallery asked for. */
	instanceId: string;
	frontEndUrl: string;
	adminUrl: string;
	userName: string;
	password: string;
	memo: string;
	/** Set to encrypt userName and password (docs/protocol/README.md decision 6). */
	encryptType?: '1' | '2';
	usage: Array<{
		usageValue: number;
		statisticalTime: string;
		relatedInstanceId: string;
		dashboardUrl: string;
	}>;
}

export type InstanceInfoResult =
	| { ok: true; body: Record<string, unknown>; summary: Array<Record<string, unknown>> }
	| { ok: false; itemIndex: number; message: string; description: string };

/** UTC `yyyyMMddHHmmssSSS`, the `statisticalTime` format. */
export function formatStatisticalTime(date: Date): string {
	const pad = (n: number, width = 2) => String(n).padStart(width, '0');
	return (
		`${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
		`${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(date.getUTCMilliseconds(), 3)}`
	);
}

/** Why one item cannot be answered: what is wrong and what to do. */
class Refusal {
	constructor(
		readonly message: string,
		readonly description: string,
	) {}
}

/**
 * Builds the `info` list (and `encryptType`) of a `queryInstance` answer, one entry per input,
 * checking the documented limits. The summary is safe to show: it never holds a password or
 * an encrypted value.
 */
export function buildInstanceInfo(
	inputs: InstanceInfoInput[],
	requestedIds: readonly string[],
	encrypt: (text: string, encryptType: '1' | '2') => string,
	now: Date = new Date(),
): InstanceInfoResult {
	const info: Array<Record<string, unknown>> = [];
	const summary: Array<Record<string, unknown>> = [];
	const seen = new Set<string>();
	const encryptTypes = new Set(inputs.map((input) => input.encryptType));
	if (encryptTypes.size > 1) {
		return {
			ok: false,
			itemIndex: 0,
			message:
				'Some instances are set to be encrypted and others not, or with different encryption.',
			description:
				'KooGallery reads one encryptType for the whole answer: use the same encryption setting for every item.',
		};
	}
	for (const [itemIndex, input] of inputs.entries()) {
		const built = buildEntry(input, requestedIds, seen, encrypt, now);
		if (built instanceof Refusal) return { ok: false, itemIndex, ...built };
		info.push(built.entry);
		summary.push(built.shown);
	}
	const [encryptType] = [...encryptTypes];
	const body: Record<string, unknown> = encryptType ? { encryptType, info } : { info };
	return { ok: true, body, summary };
}

/** One `info` entry and its summary; `seen` collects the instance IDs answered so far. */
function buildEntry(
	input: InstanceInfoInput,
	requestedIds: readonly string[],
	seen: Set<string>,
	encrypt: (text: string, encryptType: '1' | '2') => string,
	now: Date,
): { entry: Record<string, unknown>; shown: Record<string, unknown> } | Refusal {
	const instanceId = answeredInstanceId(input.instanceId, requestedIds, seen);
	if (instanceId instanceof Refusal) return instanceId;
	seen.add(instanceId);
	const entry: Record<string, unknown> = { instanceId };
	const shown: Record<string, unknown> = { instanceId };
	if (input.frontEndUrl || input.adminUrl || input.userName || input.password || input.memo) {
		const app = buildAppInfo(input, encrypt);
		if (app instanceof Refusal) return app;
		entry.appInfo = app.appInfo;
		shown.appInfo = app.shownApp;
	}
	if (input.usage.length > 0) {
		const usageInfo = buildUsageInfo(input.usage, now);
		if (usageInfo instanceof Refusal) return usageInfo;
		entry.usageInfo = usageInfo;
		shown.usageInfo = usageInfo;
	}
	return { entry, shown };
}

/**
 * The instance an item answers for: its own ID, or the only one asked about when it gives none
 * (empty when it gives none and KooGallery asked about several).
 */
export function instanceIdAnswered(given: string, requestedIds: readonly string[]): string {
	return given === '' && requestedIds.length === 1 ? requestedIds[0] : given;
}

/** The instance an item answers for ({@link instanceIdAnswered}), checked against the request. */
function answeredInstanceId(
	given: string,
	requestedIds: readonly string[],
	seen: ReadonlySet<string>,
): string | Refusal {
	const instanceId = instanceIdAnswered(given, requestedIds);
	if (instanceId === '') {
		return new Refusal(
			'Instance ID is empty, and KooGallery asked about several instances.',
			`Set "Instance ID" for each item (KooGallery asked about: ${requestedIds.join(', ')}).`,
		);
	}
	if (instanceId.length > 64)
		return new Refusal(
			'The instance ID is longer than 64 characters.',
			'Use the ID you answered on the new purchase.',
		);
	if (seen.has(instanceId))
		return new Refusal(`Instance ${instanceId} appears twice.`, 'Give each instance one item.');
	if (!requestedIds.includes(instanceId)) {
		return new Refusal(
			`Instance ${instanceId} was not asked about.`,
			`KooGallery asked about: ${requestedIds.join(', ')}.`,
		);
	}
	return instanceId;
}

/** The `appInfo` of an item (user name and password encrypted when asked) and its safe summary. */
function buildAppInfo(
	input: InstanceInfoInput,
	encrypt: (text: string, encryptType: '1' | '2') => string,
): { appInfo: Record<string, unknown>; shownApp: Record<string, unknown> } | Refusal {
	if (!input.frontEndUrl) {
		return new Refusal(
			'Customer URL is empty.',
			'KooGallery needs the customer URL (frontEndUrl) whenever login details are given.',
		);
	}
	for (const [field, value, max] of [
		['Customer URL', input.frontEndUrl, 512],
		['Admin URL', input.adminUrl, 512],
		['Memo', input.memo, 1024],
	] as const) {
		if (value.length > max)
			return new Refusal(`${field} is longer than ${max} characters.`, 'Shorten it.');
	}
	const appInfo: Record<string, unknown> = { frontEndUrl: input.frontEndUrl };
	const shownApp: Record<string, unknown> = { frontEndUrl: input.frontEndUrl };
	if (input.adminUrl) appInfo.adminUrl = shownApp.adminUrl = input.adminUrl;
	for (const field of ['userName', 'password'] as const) {
		const value = input[field];
		if (!value) continue;
		const label = field === 'userName' ? 'User name' : 'Password';
		try {
			appInfo[field] = input.encryptType ? encrypt(value, input.encryptType) : value;
		} catch (error) {
			return new Refusal(`${label}: ${(error as Error).message}`, 'Use a shorter value.');
		}
		if ((appInfo[field] as string).length > 128) {
			return new Refusal(`${label} is longer than 128 characters.`, 'Use a shorter value.');
		}
		shownApp[field] =
			field === 'userName' && !input.encryptType
				? value
				: input.encryptType
					? '(encrypted)'
					: '(set)';
	}
	if (input.memo) appInfo.memo = shownApp.memo = input.memo;
	return { appInfo, shownApp };
}

/** The `usageInfo` list of an item: values checked and rounded, times defaulting to now. */
function buildUsageInfo(
	usages: InstanceInfoInput['usage'],
	now: Date,
): Array<Record<string, unknown>> | Refusal {
	const usageInfo: Array<Record<string, unknown>> = [];
	for (const usage of usages) {
		if (!Number.isFinite(usage.usageValue) || usage.usageValue < 0 || usage.usageValue >= 1e8) {
			return new Refusal(
				'Usage value must be a number from 0 to 99999999.9999.',
				'KooGallery accepts at most 12 digits, 4 after the point.',
			);
		}
		const statisticalTime = usage.statisticalTime || formatStatisticalTime(now);
		if (!/^\d{17}$/.test(statisticalTime) || parseKooGalleryTime(statisticalTime) === undefined) {
			return new Refusal(
				'Statistics time must be a UTC time written yyyyMMddHHmmssSSS.',
				'For example 20260101120000000, or leave it empty for now.',
			);
		}
		const record: Record<string, unknown> = {
			usageValue: Math.round(usage.usageValue * 10_000) / 10_000,
			statisticalTime,
		};
		if (usage.relatedInstanceId) record.relatedInstanceId = usage.relatedInstanceId;
		if (usage.dashboardUrl) record.dashboardUrl = usage.dashboardUrl;
		usageInfo.push(record);
	}
	return usageInfo;
}
