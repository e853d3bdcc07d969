/**
 * The contract between the triggers and the nodes that answer them (core/trigger-call.ts): what
 * the trigger writes is what the Respond node reads back, including the key that signed the call
 * (docs/protocol/README.md decision 14).
 */
import { answerKey } from '../../core/answer-key';
import {
	callItem,
	callVerification,
	isGatewayCallBlock,
	isKooGalleryCallBlock,
	readGatewayCall,
	readKooGalleryCall,
} from '../../core/trigger-call';

describe('the item block a trigger writes and a Respond node reads', () => {
	const block = {
		protocol: 'saasV2',
		scenario: 'queryInstance',
		scenarioName: 'Query Instance',
		testFlag: false,
		unknownValues: [],
		instanceIds: ['i-1', 'i-2'],
		verification: callVerification(1, 'raw', 12),
		receivedAt: '2026-12-07T05:00:00.000Z',
		answered: false,
	};

	it('keeps the call fields and puts the block last, never overwritten by a field of the same name', () => {
		const item = callItem({ instanceId: 'i-1,i-2', koogallery: 'sent by the caller' }, block);
		expect(Object.keys(item)).toEqual(['instanceId', 'koogallery']);
		expect(item.koogallery).toBe(block);
	});

	it('reads back the product type, scenario, signing key, instance IDs and the call fields alone', () => {
		const item = callItem({ activity: 'queryInstance', instanceId: 'i-1,i-2' }, block);
		const call = readKooGalleryCall('Trigger', item, block);
		expect(call).toEqual({
			triggerName: 'Trigger',
			protocol: 'saasV2',
			scenario: 'queryInstance',
			keyIndex: 1,
			answered: false,
			data: { activity: 'queryInstance', instanceId: 'i-1,i-2' },
			instanceIds: ['i-1', 'i-2'],
		});
		const keys = { basic: ['current-key-01', 'previous-key-01'], kit: [] };
		expect(answerKey(call.protocol, keys, call.keyIndex)).toBe('previous-key-01');
	});

	it('writes the verification as the trigger item shows it', () => {
		expect(callVerification(0, undefined, -3)).toEqual({ key: 'current', clockSkewMs: -3 });
		expect(callVerification(1, 'canonical', 0)).toEqual({
			key: 'previous',
			form: 'canonical',
			clockSkewMs: 0,
		});
	});

	it('tells the two triggers apart and reads a gateway call', () => {
		expect(isKooGalleryCallBlock(block)).toBe(true);
		expect(isGatewayCallBlock(block)).toBe(false);
		const gateway = { gateway: 'apig', responseMode: 'streaming' };
		expect(isGatewayCallBlock(gateway)).toBe(true);
		expect(isKooGalleryCallBlock(gateway)).toBe(false);
		expect(readGatewayCall(gateway)).toEqual({ gateway: 'apig', streaming: true });
		expect(readGatewayCall({ gateway: 'agents', responseMode: 'sync' })).toEqual({
			gateway: 'agents',
			streaming: false,
		});
	});
});
