/**
 * KooGallery Respond reads every answer from its table (nodes/KooGalleryRespond/answers.ts): a new
 * answer is one new entry there, and the node's editor description and execute follow without an
 * edit. These tests add an answer for a made-up scenario and check both.
 */
import type { IDataObject } from 'n8n-workflow';

import { verifyBodySign } from '../../core/body-sign';
import { resultBody } from '../../core/result-codes';
import { ANSWERS, type AnswerSpec } from '../../nodes/KooGalleryRespond/answers';
import {
	answerSubtitle,
	answerToOptions,
	answersShowing,
	ownProperties,
	properties,
	subtitle,
} from '../../nodes/KooGalleryRespond/description';
import { KooGalleryRespond } from '../../nodes/KooGalleryRespond/KooGalleryRespond.node';
import { executeContext, KEY } from './fakes.cjs';

/** An answer for a scenario KooGallery does not have: the amount used, from its own parameter. */
const queryUsage: AnswerSpec = {
	name: 'Query Usage (查询用量)',
	description: 'Answer with the amount used',
	subtitle: 'Usage',
	scenarios: ['queryUsage'],
	shows: ['instanceId'],
	properties: [{ displayName: 'Amount Used', name: 'amountUsed', type: 'number', default: 0 }],
	build({ context }) {
		const body: IDataObject = {
			...resultBody('000000'),
			amountUsed: context.getNodeParameter('amountUsed', 0) as number,
		};
		return { body, summary: { ...body } };
	},
};
const withQueryUsage = { ...ANSWERS, queryUsage };

describe('KooGallery Respond answers', () => {
	it('builds the editor description from the answer table', () => {
		expect(answerToOptions(ANSWERS).map((option) => option.value)).toEqual([
			'result',
			'license',
			'newInstance',
			'queryInstance',
			'changeInstanceCheck',
		]);
		expect(subtitle).toBe(
			'={{"Answer: " + ({ newInstance: "New Purchase", queryInstance: "Query Instance", changeInstanceCheck: "Change Check", license: "Issue License", result: "Result Code" })[$parameter["respondTo"]] }}',
		);
		const shown = (name: string) => properties.find((p) => p.name === name)?.displayOptions;
		expect(shown('resultCode')).toEqual({ hide: { respondTo: ['changeInstanceCheck'] } });
		expect(shown('resultMessage')).toBeUndefined();
		expect(shown('instanceId')).toEqual({ show: { respondTo: ['newInstance', 'license'] } });
		expect(shown('encryptType')).toEqual({
			show: { respondTo: ['queryInstance', 'newInstance'], encrypt: [true] },
		});
		expect(shown('usage')).toEqual({ show: { respondTo: ['queryInstance'] } });
		// The options are shown for every answer.
		expect(shown('options')).toBeUndefined();
		expect(properties.find((p) => p.name === 'options')?.options).toEqual([
			expect.objectContaining({ name: 'notFoundAnswer', type: 'boolean', default: false }),
		]);
		// Every parameter an answer shows exists.
		const names = properties.map((p) => p.name);
		for (const spec of Object.values(ANSWERS))
			for (const name of [...spec.shows, ...(spec.hides ?? [])]) expect(names).toContain(name);
	});

	it('shows a new answer in the editor with no edit of the node', () => {
		expect(answerToOptions(withQueryUsage).map((option) => option.name)).toEqual([
			'Any Scenario: Result Code Only',
			'Issue License (获取License)',
			'New Purchase (创建实例)',
			'Query Instance (查询实例信息)',
			'Query Usage (查询用量)',
			'Renewal Change Check (续费变更校验)',
		]);
		expect(answerSubtitle(withQueryUsage)).toContain(
			'result: "Result Code", queryUsage: "Usage" })[$parameter["respondTo"]]',
		);
		expect(answersShowing(withQueryUsage, 'instanceId')).toEqual({
			show: { respondTo: ['queryUsage', 'newInstance', 'license'] },
		});
		expect(ownProperties(withQueryUsage)).toEqual([
			{
				displayName: 'Amount Used',
				name: 'amountUsed',
				type: 'number',
				default: 0,
				displayOptions: { show: { respondTo: ['queryUsage'] } },
			},
		]);
	});

	it('answers with a new answer, and only its scenarios, with no edit of the node', async () => {
		const answers = ANSWERS as Record<string, AnswerSpec>;
		answers.queryUsage = queryUsage;
		try {
			const call = (scenario: string) => ({
				instanceId: 'i-1',
				koogallery: { protocol: 'saasV2', scenario, verification: { key: 'current' } },
			});
			const parameters = { respondTo: 'queryUsage', amountUsed: 12 };
			const { context, sent } = executeContext({
				parameters,
				triggerOutputs: [call('queryUsage')],
			});
			const out = await new KooGalleryRespond().execute.call(context);
			expect(sent[0].body).toBe('{"resultCode":"000000","resultMsg":"Success","amountUsed":12}');
			expect(verifyBodySign(KEY, sent[0].body, sent[0].headers['body-sign'])).toBe(true);
			expect(out[0][0].json.koogalleryAnswer).toEqual(JSON.parse(sent[0].body));

			// "Answer 'Not Found' When Nothing Was Found" asks the answer's table entry what is missing.
			queryUsage.notFound = ({ items }) => (items.some((item) => item.json.meter) ? [] : ['meter']);
			const notFound = { ...parameters, options: { notFoundAnswer: true } };
			const missing = executeContext({
				parameters: notFound,
				items: [{ other: 1 }],
				triggerOutputs: [call('queryUsage')],
			});
			await new KooGalleryRespond().execute.call(missing.context);
			expect(missing.sent[0].body).toBe(
				'{"resultCode":"000003","resultMsg":"Instance ID does not exist: meter"}',
			);
			const found = executeContext({
				parameters: notFound,
				items: [{ meter: 1 }],
				triggerOutputs: [call('queryUsage')],
			});
			await new KooGalleryRespond().execute.call(found.context);
			expect(found.sent[0].body).toBe(
				'{"resultCode":"000000","resultMsg":"Success","amountUsed":12}',
			);
			// ... and what to answer then, if not 000003: here for what is missing and for no item.
			queryUsage.nothingFound = (what) => {
				const body: IDataObject = resultBody('000005', `No ${what.join(', ') || 'item'}`);
				return { body, summary: { ...body } };
			};
			for (const [items, body] of [
				[[{ other: 1 }], '{"resultCode":"000005","resultMsg":"No meter"}'],
				[[{}], '{"resultCode":"000005","resultMsg":"No item"}'],
				[[{ meter: 1 }], '{"resultCode":"000000","resultMsg":"Success","amountUsed":12}'],
			] as const) {
				const own = executeContext({
					parameters: notFound,
					items: [...items],
					triggerOutputs: [call('queryUsage')],
				});
				await new KooGalleryRespond().execute.call(own.context);
				expect(own.sent[0].body).toBe(body);
				expect(verifyBodySign(KEY, own.sent[0].body, own.sent[0].headers['body-sign'])).toBe(true);
			}

			const other = executeContext({ parameters, triggerOutputs: [call('releaseInstance')] });
			await expect(new KooGalleryRespond().execute.call(other.context)).rejects.toThrow(
				'This node answers "queryUsage" but the call that started this run is "releaseInstance".',
			);
			expect(other.sent).toHaveLength(0);
		} finally {
			delete answers.queryUsage;
			delete queryUsage.notFound;
			delete queryUsage.nothingFound;
		}
	});
});
