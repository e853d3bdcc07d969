import { EventEmitter } from 'node:events';

import { CallsInProgress } from '../../nodes/shared/callsInProgress';

describe('CallsInProgress', () => {
	it('counts a call until its response finishes or closes, once, whichever comes first', () => {
		const calls = new CallsInProgress();
		const [a, b, c] = [new EventEmitter(), new EventEmitter(), new EventEmitter()];
		expect(calls.tryEnter('k', 2, a)).toBe(true);
		expect(calls.tryEnter('k', 2, b)).toBe(true);
		expect(calls.tryEnter('k', 2, c)).toBe(false);
		expect(calls.count('k')).toBe(2);
		a.emit('finish');
		a.emit('close');
		expect(calls.count('k')).toBe(1);
		// A connection the caller dropped closes without finishing.
		b.emit('close');
		expect(calls.count('k')).toBe(0);
		expect(calls.tryEnter('k', 2, c)).toBe(true);
		expect(calls.count('other')).toBe(0);
	});

	it('takes every call without a limit or without a response it can watch', () => {
		const calls = new CallsInProgress();
		for (let i = 0; i < 5; i++) expect(calls.tryEnter('k', 0, new EventEmitter())).toBe(true);
		expect(calls.tryEnter('k', 1, {})).toBe(true);
		expect(calls.count('k')).toBe(0);
	});

	it('reports refusals at most once every 10 s, with how many there were since the last report and why', () => {
		let now = 1_000;
		const calls = new CallsInProgress(() => now);
		expect(calls.noteRefusal('k')).toEqual({ full: 1, waited: 0 });
		now = 2_000;
		expect(calls.noteRefusal('k', 'waited')).toBeUndefined();
		now = 10_999;
		expect(calls.noteRefusal('k')).toBeUndefined();
		now = 11_000;
		expect(calls.noteRefusal('k')).toEqual({ full: 2, waited: 1 });
		expect(calls.noteRefusal('j', 'waited')).toEqual({ full: 0, waited: 1 });
	});
});
