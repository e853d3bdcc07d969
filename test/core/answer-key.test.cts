import {
	answerKey,
	callKeys,
	keyFamily,
	keyFamilyLabel,
	keyIndexOf,
	keyName,
	namedKey,
} from '../../core/answer-key';

/** docs/protocol/README.md decisions 3 (the kit key is its own) and 14 (answer with the key that verified). */
describe('which key checks a call and signs its answer', () => {
	const keys = { basic: ['current-key-1', 'previous-key-1'], kit: ['kit-key-0001'] };

	it.each([
		['saasV2', 'basic'],
		['license', 'basic'],
		['saasV1', 'basic'],
		['orderNotify', 'basic'],
		['kit', 'kit'],
	])('a %s call belongs to the %s family', (protocol, family) => {
		expect(keyFamily(protocol)).toBe(family);
		expect(callKeys(protocol, keys)).toEqual(family === 'kit' ? keys.kit : keys.basic);
	});

	it.each([
		['saasV2', 0, 'current-key-1'],
		['saasV2', 1, 'previous-key-1'],
		['license', 1, 'previous-key-1'],
		['kit', 0, 'kit-key-0001'],
		// A kit call has no previous key: its answer falls back to the current kit key.
		['kit', 1, 'kit-key-0001'],
	])('a %s call verified with key %d is answered with %s', (protocol, index, expected) => {
		expect(answerKey(protocol, keys, index)).toBe(expected);
	});

	it('falls back to the current key when the previous one was removed since, and has none when the family is empty', () => {
		expect(answerKey('saasV2', { basic: ['only-key-1'], kit: [] }, 1)).toBe('only-key-1');
		expect(answerKey('kit', { basic: ['only-key-1'], kit: [] })).toBeUndefined();
		expect(answerKey('saasV2', { basic: [], kit: ['kit-key-0001'] })).toBeUndefined();
	});

	it('names keys as the trigger item does, and reads them back', () => {
		expect([keyName(0), keyName(1)]).toEqual(['current', 'previous']);
		expect([keyIndexOf('current'), keyIndexOf('previous'), keyIndexOf(undefined)]).toEqual([
			0, 1, 0,
		]);
		expect([keyFamilyLabel('kit'), keyFamilyLabel('saasV2')]).toEqual(['kit key', 'seller key']);
	});

	it('gives a key picked by name exactly, without falling back', () => {
		expect(namedKey('current', keys)).toBe('current-key-1');
		expect(namedKey('previous', keys)).toBe('previous-key-1');
		expect(namedKey('kit', keys)).toBe('kit-key-0001');
		expect(namedKey('previous', { basic: ['only-key-1'], kit: [] })).toBeUndefined();
		expect(namedKey('kit', { basic: ['only-key-1'], kit: [] })).toBeUndefined();
	});
});
