import {
	cutResultMessage,
	MAX_RESULT_MESSAGE,
	resultBody,
	verificationResultCode,
} from '../../core/result-codes';

describe("result codes as Huawei's samples answer them", () => {
	// The V2.0 sample's verifySignature answers a missing or stale timestamp with INVALID_PARAM
	// (docs/protocol/koogallery-saas-v2.md §2.2), the kit sample's verifyTenantSignature a timestamp
	// older than 60 s with 000002 (docs/protocol/koogallery-joint-license.md §0.2): docs/protocol/README.md decision 16.
	it('answers a stale or missing timestamp with 000002, a forged or replayed call with 000001', () => {
		for (const parameter of ['timestamp', 'x-timestamp', 'timeStamp']) {
			expect(verificationResultCode('staleTimestamp', parameter)).toBe('000002');
			expect(verificationResultCode('missingParameter', parameter)).toBe('000002');
		}
		expect(verificationResultCode('badSignature', 'signature')).toBe('000001');
		expect(verificationResultCode('replayedNonce', 'nonce')).toBe('000001');
		expect(verificationResultCode('missingParameter', 'authToken')).toBe('000001');
	});
});

describe('resultMsg cut to 255 characters without splitting one', () => {
	it('counts by code point, so a character outside the BMP is kept whole or left out whole', () => {
		const emoji = '😀'; // two UTF-16 code units
		const message = `${'a'.repeat(254)}${emoji}${emoji}`;
		expect(message.length).toBe(258);
		const cut = cutResultMessage(message);
		expect(Array.from(cut)).toHaveLength(MAX_RESULT_MESSAGE);
		expect(cut).toBe(`${'a'.repeat(254)}${emoji}`);
		expect(cutResultMessage(emoji.repeat(300))).toBe(emoji.repeat(255));
		expect(cutResultMessage('中'.repeat(300))).toBe('中'.repeat(255));
	});

	it('never leaves a lone surrogate, and keeps short messages exactly as they are', () => {
		const lone = `ok\uD83D then \uDE00 end`;
		expect(cutResultMessage(lone)).toBe('ok\uFFFD then \uFFFD end');
		for (const cut of [cutResultMessage(`${'a'.repeat(254)}😀`), cutResultMessage(lone)]) {
			expect(cut).not.toMatch(
				/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
			);
		}
		expect(resultBody('000000', 'success')).toEqual({ resultCode: '000000', resultMsg: 'success' });
		expect(JSON.stringify(resultBody('000003'))).toBe(
			'{"resultCode":"000003","resultMsg":"Instance ID does not exist"}',
		);
	});
});
