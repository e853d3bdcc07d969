/**
 * Usage push, new version (docs/protocol/koogallery-openapi-v1.md §A.2.1, TV7, docs/protocol/README.md decision 9).
 */
import { createHmac } from 'node:crypto';
import {
	MAX_USAGE_RECORDS_PER_PUSH,
	chunkRecords,
	deriveMeteringSn,
	formatUsageTime,
	sortedJson,
	usageBody,
	usagePushHeaders,
	usageSignature,
	validateUsageRecord,
	withMeteringSn,
	type UsageRecord,
} from '../../core/usage-signature';

const TV7_BODY =
	'{"usage_records":[{"begin_time":"20220809T080000Z","end_time":"20220809T090000Z","instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","metering_sn":"sn-0001","record_time":"20220809T091000Z","usage_value":99}]}';

/** The TV7 record with its keys in a deliberately unsorted order. */
const tv7Record: UsageRecord = {
	usage_value: 99,
	record_time: '20220809T091000Z',
	metering_sn: 'sn-0001',
	instance_id: '7f141bf1-aec8-4859-8323-fb3a8ad50721',
	end_time: '20220809T090000Z',
	begin_time: '20220809T080000Z',
};

describe('TV7: usage-push body and signature header', () => {
	it('serialises the record with sorted keys, byte for byte', () => {
		expect(usageBody([tv7Record])).toBe(TV7_BODY);
	});

	it('signs ts, nonce and body exactly as the vector says', () => {
		expect(
			usageSignature('xxxxxxx', TV7_BODY, '1709690865879', '6c63c221-1f6b-4141-8ff4-22f5dfe82b65'),
		).toBe('jSE2V7njJnNnK5Cj7jI4UBmeKOhkdulLYVZb6IZ9GyM=');
		expect(
			usageSignature('xxxxxxx', TV7_BODY, 1709690865879, '6c63c221-1f6b-4141-8ff4-22f5dfe82b65'),
		).toBe('jSE2V7njJnNnK5Cj7jI4UBmeKOhkdulLYVZb6IZ9GyM=');
	});

	it('builds the three headers, with a fresh UUID nonce each time', () => {
		expect(
			usagePushHeaders('xxxxxxx', TV7_BODY, {
				nowMs: 1709690865879,
				nonce: '6c63c221-1f6b-4141-8ff4-22f5dfe82b65',
			}),
		).toEqual({
			signature: 'jSE2V7njJnNnK5Cj7jI4UBmeKOhkdulLYVZb6IZ9GyM=',
			ts: '1709690865879',
			nonce: '6c63c221-1f6b-4141-8ff4-22f5dfe82b65',
		});
		const a = usagePushHeaders('xxxxxxx', TV7_BODY, { nowMs: 1709690865879 });
		const b = usagePushHeaders('xxxxxxx', TV7_BODY, { nowMs: 1709690865879 });
		expect(a.nonce).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
		);
		expect(a.nonce).not.toBe(b.nonce);
		expect(a.signature).toBe(usageSignature('xxxxxxx', TV7_BODY, a.ts, a.nonce));
		expect(a.signature).not.toBe(b.signature);
	});

	it('changes with every input: key, ts, nonce and each body byte', () => {
		const reference = usageSignature('xxxxxxx', TV7_BODY, '1709690865879', 'n');
		expect(usageSignature('xxxxxxy', TV7_BODY, '1709690865879', 'n')).not.toBe(reference);
		expect(usageSignature('xxxxxxx', TV7_BODY, '1709690865878', 'n')).not.toBe(reference);
		expect(usageSignature('xxxxxxx', TV7_BODY, '1709690865879', 'm')).not.toBe(reference);
		for (let i = 0; i < TV7_BODY.length; i++) {
			const changed =
				TV7_BODY.slice(0, i) +
				String.fromCharCode(TV7_BODY.charCodeAt(i) ^ 1) +
				TV7_BODY.slice(i + 1);
			expect(usageSignature('xxxxxxx', changed, '1709690865879', 'n')).not.toBe(reference);
		}
	});

	it('signs non-ASCII bodies as UTF-8', () => {
		const body = usageBody([{ ...tv7Record, instance_id: '实例-é' }]);
		expect(body).toContain('"instance_id":"实例-é"');
		const expected = createHmac('sha256', 'key')
			.update(Buffer.from(`ts=1&nonce=n&body=${body}`, 'utf8'))
			.digest('base64');
		expect(usageSignature('key', body, 1, 'n')).toBe(expected);
	});
});

describe('sortedJson', () => {
	it('sorts keys at every depth, keeps array order, drops undefined, keeps null', () => {
		expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null }, e: undefined })).toBe(
			'{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}',
		);
		expect(sortedJson([3, 'x', true, undefined])).toBe('[3,"x",true,null]');
		expect(sortedJson({ when: new Date(Date.UTC(2024, 0, 1)), f: () => 1, s: 'é"\\' })).toBe(
			'{"s":"é\\"\\\\","when":"2024-01-01T00:00:00.000Z"}',
		);
		expect(sortedJson({ B: 1, a: 2, _: 3, '10': 4, '9': 5 })).toBe(
			'{"10":4,"9":5,"B":1,"_":3,"a":2}',
		);
	});

	it('round-trips through JSON.parse', () => {
		const value = { z: [1.5, { y: null, x: '数据' }], a: { '2': true, '10': false }, m: -0.0001 };
		expect(JSON.parse(sortedJson(value))).toEqual(value);
	});

	it('is stable: the same data in any key order gives the same bytes', () => {
		const reversed = Object.fromEntries(Object.entries(tv7Record).reverse()) as UsageRecord;
		expect(Object.keys(reversed)[0]).toBe('begin_time');
		expect(usageBody([reversed])).toBe(TV7_BODY);
		expect(usageBody([JSON.parse(TV7_BODY).usage_records[0]])).toBe(TV7_BODY);
	});
});

describe('formatUsageTime', () => {
	it("writes UTC yyyyMMdd'T'HHmmss'Z'", () => {
		expect(formatUsageTime(new Date(Date.UTC(2022, 7, 9, 9, 10, 0)))).toBe('20220809T091000Z');
		expect(formatUsageTime(new Date('2022-08-09T17:10:00.999+08:00'))).toBe('20220809T091000Z');
		// 16 characters; the field table's 17 is a maximum length.
		expect(formatUsageTime(new Date(Date.UTC(2024, 0, 1, 0, 0, 0)))).toBe('20240101T000000Z');
	});
});

describe('metering_sn', () => {
	const record: UsageRecord = {
		instance_id: '7f141bf1-aec8-4859-8323-fb3a8ad50721',
		record_time: '20220809T091000Z',
		begin_time: '20220809T080000Z',
		end_time: '20220809T090000Z',
		usage_value: 99,
	};

	it('is 64 lowercase hex characters, the field maximum', () => {
		expect(deriveMeteringSn(record)).toMatch(/^[0-9a-f]{64}$/);
	});

	it('is stable across calls, key order, record_time and usage_value (a retry keeps its sn)', () => {
		const sn = deriveMeteringSn(record);
		expect(deriveMeteringSn({ ...record })).toBe(sn);
		expect(
			deriveMeteringSn({
				end_time: record.end_time,
				begin_time: record.begin_time,
				instance_id: record.instance_id,
			}),
		).toBe(sn);
		expect(
			deriveMeteringSn({
				...record,
				record_time: '20220809T101500Z',
				usage_value: '98.5',
			} as UsageRecord),
		).toBe(sn);
	});

	it('differs for another instance, period or package', () => {
		const sn = deriveMeteringSn(record);
		const others = [
			{ ...record, instance_id: `${record.instance_id}x` },
			{ ...record, begin_time: '20220809T080001Z' },
			{ ...record, end_time: '20220809T090001Z' },
			{ ...record, relate_pkg_instance: 'pkg-1' },
			// Field boundaries cannot be shifted to forge a collision.
			{ ...record, instance_id: `${record.instance_id}2022`, begin_time: '0809T080000Z' },
		];
		const sns = others.map(deriveMeteringSn);
		expect(new Set([sn, ...sns]).size).toBe(others.length + 1);
	});

	it('is filled in only when missing', () => {
		expect(withMeteringSn(record).metering_sn).toBe(deriveMeteringSn(record));
		expect(withMeteringSn({ ...record, metering_sn: '' }).metering_sn).toBe(
			deriveMeteringSn(record),
		);
		expect(withMeteringSn({ ...record, metering_sn: 'mine-1' }).metering_sn).toBe('mine-1');
		expect(record.metering_sn).toBeUndefined();
		expect(validateUsageRecord(withMeteringSn(record))).toEqual([]);
	});
});

describe('validateUsageRecord', () => {
	it('accepts the TV7 record, numeric text and package records', () => {
		expect(validateUsageRecord(tv7Record)).toEqual([]);
		expect(validateUsageRecord({ ...tv7Record, usage_value: '99' })).toEqual([]);
		expect(validateUsageRecord({ ...tv7Record, usage_value: 12345678.1234 })).toEqual([]);
		expect(validateUsageRecord({ ...tv7Record, usage_value: '0.0001' })).toEqual([]);
		expect(validateUsageRecord({ ...tv7Record, relate_pkg_instance: 'p'.repeat(64) })).toEqual([]);
	});

	it('names every missing mandatory field', () => {
		expect(validateUsageRecord({})).toEqual([
			'instance_id is missing.',
			'metering_sn is missing.',
			'record_time is missing.',
			'begin_time is missing.',
			'end_time is missing.',
			'usage_value is missing.',
		]);
		expect(validateUsageRecord(null)).toEqual([
			'The usage record must be an object with instance_id, record_time, begin_time, end_time, usage_value and metering_sn.',
		]);
		expect(validateUsageRecord([tv7Record])).toHaveLength(1);
	});

	it('checks lengths and types of text fields', () => {
		expect(
			validateUsageRecord({
				...tv7Record,
				instance_id: 'i'.repeat(65),
				metering_sn: 7,
				relate_pkg_instance: 'p'.repeat(70),
			}),
		).toEqual([
			'instance_id is 65 characters long; at most 64 are allowed.',
			'metering_sn must be text.',
			'relate_pkg_instance is 70 characters long; at most 64 are allowed.',
		]);
	});

	it('checks the time format, real dates and their order', () => {
		expect(
			validateUsageRecord({
				...tv7Record,
				record_time: '2022-08-09T09:10:00Z',
				begin_time: '20220230T000000Z',
			}),
		).toEqual([
			"record_time \"2022-08-09T09:10:00Z\" is not a UTC time written yyyyMMdd'T'HHmmss'Z' (for example 20220809T091000Z).",
			"begin_time \"20220230T000000Z\" is not a UTC time written yyyyMMdd'T'HHmmss'Z' (for example 20220809T091000Z).",
		]);
		expect(validateUsageRecord({ ...tv7Record, begin_time: '20220809T100000Z' })).toEqual([
			'begin_time is after end_time.',
		]);
	});

	it('checks the 21-day window and future times when given the time now', () => {
		const now = Date.UTC(2022, 7, 9, 9, 30);
		expect(validateUsageRecord(tv7Record, { nowMs: now })).toEqual([]);
		expect(validateUsageRecord(tv7Record, { nowMs: Date.UTC(2022, 7, 30, 8, 0, 1) })).toEqual([
			'begin_time is more than 21 days ago; KooGallery refuses older usage.',
		]);
		expect(validateUsageRecord(tv7Record, { nowMs: Date.UTC(2022, 7, 9, 8, 30) })).toEqual([
			'end_time is in the future.',
			'record_time is in the future.',
		]);
	});

	it('checks usage_value: positive, at most 4 decimals, Double(12,4), 20 characters', () => {
		const problems = (usage_value: unknown) => validateUsageRecord({ ...tv7Record, usage_value });
		expect(problems(0)).toEqual(['usage_value must be greater than 0.']);
		expect(problems('0.0000')).toEqual(['usage_value must be greater than 0.']);
		expect(problems(-1)).toEqual(['usage_value must be greater than 0.']);
		expect(problems(1.23456)).toEqual(['usage_value 1.23456 has more than 4 decimal places.']);
		expect(problems(123456789)).toEqual([
			'usage_value 123456789 is too large; at most 8 digits before the decimal point are allowed.',
		]);
		expect(problems('000000000000000001.5')).toEqual([]);
		expect(problems('0000000000000000001.5')).toEqual([
			'usage_value 0000000000000000001.5 is longer than 20 characters.',
		]);
		expect(problems('1,5')).toEqual([
			'usage_value "1,5" must be a positive decimal number with at most 4 decimal places (for example 99 or 1.2345).',
		]);
		expect(problems(1e-7)).toHaveLength(1);
		expect(problems(Number.NaN)).toEqual(['usage_value must be a finite number.']);
		expect(problems(true)).toEqual(['usage_value must be a number.']);
		expect(problems(undefined)).toEqual(['usage_value is missing.']);
	});

	it('reports fields KooGallery does not know', () => {
		expect(validateUsageRecord({ ...tv7Record, product_id: 'x' })).toEqual([
			'product_id is not a usage record field (allowed: instance_id, record_time, begin_time, end_time, usage_value, metering_sn, relate_pkg_instance).',
		]);
	});
});

describe('chunkRecords', () => {
	const records = (n: number) => Array.from({ length: n }, (_, i) => i);

	it.each([
		[0, []],
		[1, [1]],
		[1000, [1000]],
		[1001, [1000, 1]],
		[2500, [1000, 1000, 500]],
	])('splits %i records into batches of %j', (count, sizes) => {
		const input = records(count);
		const batches = chunkRecords(input);
		expect(batches.map((batch) => batch.length)).toEqual(sizes);
		expect(batches.flat()).toEqual(input);
	});

	it('uses the 1000-record limit by default and honours a smaller size', () => {
		expect(MAX_USAGE_RECORDS_PER_PUSH).toBe(1000);
		expect(chunkRecords(records(5), 2)).toEqual([[0, 1], [2, 3], [4]]);
		expect(() => chunkRecords(records(5), 0)).toThrow(RangeError);
		expect(() => chunkRecords(records(5), 1.5)).toThrow(RangeError);
	});
});
