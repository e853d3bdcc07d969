/**
 * From workflow items to usage records (core/usage-input.ts): field spellings, time formats, the
 * derived metering_sn, the old API's product_id, and every problem reported with its field.
 */
import {
	buildUsageRecord,
	readUsageInput,
	toUsageTime,
	usageRecordKey,
} from '../../core/usage-input';
import { deriveMeteringSn } from '../../core/usage-signature';

const NOW = Date.UTC(2024, 2, 10, 12, 0, 0);
const GOOD = {
	instanceId: '7f141bf1-aec8-4859-8323-fb3a8ad50721',
	beginTime: '2024-03-09T08:00:00Z',
	endTime: '2024-03-09T09:00:00Z',
	usageValue: 99,
};

describe('toUsageTime', () => {
	it("writes every accepted form as UTC yyyyMMdd'T'HHmmss'Z'", () => {
		const cases: Array<[unknown, string]> = [
			['20220809T091000Z', '20220809T091000Z'],
			['2022-08-09T09:10:00Z', '20220809T091000Z'],
			['2022-08-09T17:10:00+08:00', '20220809T091000Z'],
			['2022-08-09T17:10:00.999+0800', '20220809T091000Z'],
			['2022-08-09', '20220809T000000Z'],
			[Date.UTC(2022, 7, 9, 9, 10, 0), '20220809T091000Z'],
			[new Date(Date.UTC(2022, 7, 9, 9, 10, 0)), '20220809T091000Z'],
			[{ toJSDate: () => new Date(Date.UTC(2022, 7, 9, 9, 10, 0)) }, '20220809T091000Z'],
		];
		for (const [value, text] of cases) expect(toUsageTime(value)).toEqual({ ok: true, text });
	});

	it('refuses times without a zone and things that are not times', () => {
		expect(toUsageTime('2022-08-09 09:10:00')).toEqual({
			ok: false,
			message: '"2022-08-09 09:10:00" has no time zone; add Z (UTC) or an offset such as +08:00',
		});
		expect(toUsageTime('2022-08-09T09:10:00')).toEqual(expect.objectContaining({ ok: false }));
		expect(toUsageTime('yesterday')).toEqual(expect.objectContaining({ ok: false }));
		expect(toUsageTime('2022-13-45T00:00:00Z')).toEqual(expect.objectContaining({ ok: false }));
		expect(toUsageTime(Number.NaN)).toEqual(expect.objectContaining({ ok: false }));
		expect(toUsageTime(true)).toEqual({ ok: false, message: 'is not a time' });
	});
});

describe('readUsageInput', () => {
	it('takes snake_case first, camelCase otherwise, and ignores other fields', () => {
		expect(
			readUsageInput({
				instance_id: 'a',
				instanceId: 'b',
				beginTime: 1,
				usage_value: '',
				usageValue: 2,
				row: 7,
				meteringSn: 'sn',
			}),
		).toEqual({ instanceId: 'a', beginTime: 1, usageValue: 2, meteringSn: 'sn' });
	});
});

describe('buildUsageRecord (new API)', () => {
	it('builds the record, stamps record_time with now, and derives a stable metering_sn', () => {
		const built = buildUsageRecord(GOOD, { nowMs: NOW });
		expect(built).toEqual({
			ok: true,
			record: {
				instance_id: GOOD.instanceId,
				begin_time: '20240309T080000Z',
				end_time: '20240309T090000Z',
				record_time: '20240310T120000Z',
				usage_value: 99,
				metering_sn: deriveMeteringSn({
					instance_id: GOOD.instanceId,
					begin_time: '20240309T080000Z',
					end_time: '20240309T090000Z',
				}),
			},
		});
		const again = buildUsageRecord({ ...GOOD, usageValue: '12.5' }, { nowMs: NOW + 3_600_000 });
		expect(again.ok && again.record.metering_sn).toBe(built.ok && built.record.metering_sn);
		expect(again.ok && again.record.usage_value).toBe(12.5);
	});

	it('keeps a given metering_sn and package instance, and can send the value as text', () => {
		const built = buildUsageRecord(
			{ ...GOOD, meteringSn: 42, relatePkgInstance: 'pkg', usageValue: 1.25 },
			{ nowMs: NOW, usageValueAsText: true },
		);
		expect(built.ok && built.record).toEqual(
			expect.objectContaining({
				metering_sn: '42',
				relate_pkg_instance: 'pkg',
				usage_value: '1.25',
			}),
		);
	});

	it('reports each problem with its field', () => {
		const problems = (input: object, options = {}) => {
			const built = buildUsageRecord({ ...GOOD, ...input }, { nowMs: NOW, ...options });
			return built.ok ? [] : built.problems;
		};
		expect(problems({ instanceId: undefined })).toEqual([
			{ field: 'instance_id', message: 'instance_id is missing.' },
		]);
		expect(problems({ endTime: '2024-03-09T07:00:00Z' })).toEqual([
			{ field: 'end_time', message: 'begin_time is after end_time.' },
		]);
		expect(problems({ usageValue: -1 })).toEqual([
			{ field: 'usage_value', message: 'usage_value must be greater than 0.' },
		]);
		expect(problems({ usageValue: 'abc' })[0].field).toBe('usage_value');
		expect(problems({ usageValue: 1.23456 })).toEqual([
			{ field: 'usage_value', message: 'usage_value 1.23456 has more than 4 decimal places.' },
		]);
		expect(problems({ beginTime: '2024-03-09 08:00' })).toEqual([
			{
				field: 'begin_time',
				message:
					'begin_time "2024-03-09 08:00" has no time zone; add Z (UTC) or an offset such as +08:00.',
			},
		]);
		expect(problems({ beginTime: '2024-02-01T00:00:00Z' })).toEqual([
			{
				field: 'begin_time',
				message: 'begin_time is more than 21 days ago; KooGallery refuses older usage.',
			},
		]);
		expect(problems({ beginTime: '2024-02-01T00:00:00Z' }, { skipTimeWindow: true })).toEqual([]);
		expect(problems({ meteringSn: 'x'.repeat(65) })[0]).toEqual({
			field: 'metering_sn',
			message: 'metering_sn is 65 characters long; at most 64 are allowed.',
		});
		expect(
			problems({ instanceId: undefined, usageValue: 0, endTime: undefined }).map((p) => p.field),
		).toEqual(['instance_id', 'end_time', 'usage_value']);
	});
});

describe('buildUsageRecord (old API)', () => {
	it('needs product_id and sends no metering_sn', () => {
		const built = buildUsageRecord({ ...GOOD, productId: 'OFFI1' }, { api: 'old', nowMs: NOW });
		expect(built.ok && built.record).toEqual({
			instance_id: GOOD.instanceId,
			begin_time: '20240309T080000Z',
			end_time: '20240309T090000Z',
			record_time: '20240310T120000Z',
			usage_value: 99,
			product_id: 'OFFI1',
		});
		const missing = buildUsageRecord(GOOD, { api: 'old', nowMs: NOW });
		expect(missing.ok ? [] : missing.problems).toEqual([
			{
				field: 'product_id',
				message: 'product_id is missing (the old usage API needs the product ID of the instance).',
			},
		]);
		const withSn = buildUsageRecord(
			{ ...GOOD, productId: 'OFFI1', meteringSn: 'sn' },
			{ api: 'old', nowMs: NOW },
		);
		expect(withSn.ok ? [] : withSn.problems.map((p) => p.field)).toEqual(['metering_sn']);
	});

	it('keys duplicates by metering_sn (new) and by instance and period (old)', () => {
		const built = buildUsageRecord({ ...GOOD, productId: 'p' }, { api: 'old', nowMs: NOW });
		if (!built.ok) throw new Error('expected a record');
		expect(usageRecordKey(built.record, 'old')).toBe(
			`period:${JSON.stringify([GOOD.instanceId, '20240309T080000Z', '20240309T090000Z', ''])}`,
		);
		expect(usageRecordKey({ ...built.record, metering_sn: 'abc' }, 'new')).toBe('sn:abc');
	});
});
