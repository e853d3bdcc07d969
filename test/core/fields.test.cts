/**
 * The one reader of each kind in core/fields.ts (issue 22 item 6): a field's text, a body's text
 * and a value at a dotted path of a record.
 */
import { bodyText, readField, textField, trimmedText } from '../../core/fields';

describe('textField and trimmedText', () => {
	it('give a string as it is, or without its surrounding blanks', () => {
		expect(textField('  AK 1 ')).toBe('  AK 1 ');
		expect(trimmedText('  AK 1 ')).toBe('AK 1');
		expect(trimmedText('\t\n')).toBe('');
	});

	it("give '' for anything that is not a string", () => {
		for (const value of [undefined, null, 0, 12, true, {}, ['a'], Buffer.from('a')]) {
			expect(textField(value)).toBe('');
			expect(trimmedText(value)).toBe('');
		}
	});
});

describe('bodyText', () => {
	it('reads bytes as UTF-8 and keeps text as it is', () => {
		expect(bodyText(Buffer.from('{"name":"云商店"}', 'utf8'))).toBe('{"name":"云商店"}');
		expect(bodyText('{"a":1}')).toBe('{"a":1}');
		expect(bodyText(Buffer.alloc(0))).toBe('');
	});
});

describe('readField', () => {
	const item = {
		order: { id: 'CS1', lines: [{ id: 'L1' }], empty: null, zero: 0 },
		'dotted.name': 'x',
	};

	it('reads own properties along a dotted path', () => {
		expect(readField(item, 'order.id')).toBe('CS1');
		expect(readField(item, 'order.zero')).toBe(0);
		expect(readField(item, 'order.empty')).toBeNull();
		expect(readField(item, 'order')).toBe(item.order);
	});

	it('reads nothing through a list, a missing step, a scalar or an inherited property', () => {
		expect(readField(item, 'order.lines.0.id')).toBeUndefined();
		expect(readField(item, 'order.missing.id')).toBeUndefined();
		expect(readField(item, 'order.id.length')).toBeUndefined();
		expect(readField(item, 'order.toString')).toBeUndefined();
		expect(readField(item, 'dotted.name')).toBeUndefined();
		expect(readField('text', 'length')).toBeUndefined();
		expect(readField(null, 'a')).toBeUndefined();
	});

	it('reads nothing for an empty segment or a prototype name, even an own one', () => {
		const parsed = JSON.parse('{"__proto__":{"polluted":1},"a":{"constructor":{"b":2}}}');
		expect(readField(parsed, '__proto__.polluted')).toBeUndefined();
		expect(readField(parsed, 'a.constructor.b')).toBeUndefined();
		expect(readField(item, 'order..id')).toBeUndefined();
		expect(readField(item, '')).toBeUndefined();
	});

	it('takes the unsafe names from the caller when given', () => {
		const unsafe = new Set(['id']);
		expect(readField(item, 'order.id', (name) => !unsafe.has(name))).toBeUndefined();
		expect(readField(item, 'order.zero', (name) => !unsafe.has(name))).toBe(0);
	});
});
