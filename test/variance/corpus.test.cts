/**
 * The variance corpus in process (issue 16): every body is a call KooGallery could really send;
 * each must pass the trigger's own verification and reading and name its scenario's output.
 * test/e2e/variance.e2e.test.cts sends the same corpus through a real n8n.
 */
import { keyFamily } from '../../core/answer-key';
import { MemoryNonceStore } from '../../core/verification';
import { protocols, type IncomingCall } from '../../core/trigger-protocols';
import type { HttpCall } from '../../simulator/http.cjs';
import { OTHER, SEEDS, signCase, varianceCorpus, type VarianceCase } from './corpus.cjs';

const KEYS = { basic: 'variance-basic-key-0123456789', kit: 'variance-kit-key-9876543210' };

function incoming(call: HttpCall): IncomingCall {
	const url = new URL(call.url);
	return {
		method: call.method,
		path: url.pathname,
		rawQuery: url.search.slice(1),
		query: Object.fromEntries(url.searchParams),
		headers: call.headers ?? {},
		rawBody: Array.isArray(call.body) ? Buffer.concat(call.body) : Buffer.from(call.body ?? ''),
	};
}

describe('the variance corpus (calls KooGallery could really send)', () => {
	const corpus = varianceCorpus();
	const byOutput = new Map<string, VarianceCase[]>();
	for (const item of corpus)
		byOutput.set(`${item.protocol}/${item.output}`, [
			...(byOutput.get(`${item.protocol}/${item.output}`) ?? []),
			item,
		]);

	it('has at least 40 bodies for every scenario of every protocol, and for new activities', () => {
		const expected = [
			...SEEDS.map((seed) => `${seed.protocol}/${seed.scenario}`),
			...['saasV2', 'license', 'saasV1'].map((protocol) => `${protocol}/${OTHER}`),
		];
		expect([...byOutput.keys()].sort()).toEqual([...new Set(expected)].sort());
		const small = [...byOutput]
			.filter(([, items]) => items.length < 40)
			.map(([name, items]) => `${name}: ${items.length}`);
		expect(small).toEqual([]);
		expect(corpus.length).toBeGreaterThan(1000);
	});

	it('verifies and reads every body, each naming its scenario (or Other Call for a new activity)', () => {
		const store = new MemoryNonceStore(100_000);
		const problems: string[] = [];
		for (const item of corpus) {
			const handler = protocols[item.protocol];
			const call = incoming(signCase('https://isv.example.com/webhook', KEYS, item));
			const verification = handler.verify(call, {
				keys: [keyFamily(item.protocol) === 'kit' ? KEYS.kit : KEYS.basic],
				nonceStore: store,
				nowMs: Date.now(),
			});
			const parsed = handler.parse(call);
			const output = parsed.ok
				? (handler.scenarios.find((s) => s.activity === parsed.activity)?.activity ?? OTHER)
				: undefined;
			if (!verification.ok || !parsed.ok || output !== item.output) {
				problems.push(
					`${item.protocol}/${item.seed} "${item.label}": ${verification.ok ? '' : verification.message} ${parsed.ok ? `went to ${output}` : parsed.message}`,
				);
			}
		}
		expect(problems).toEqual([]);
	});

	it('lists the unknown values it kept, so a workflow can branch on them', () => {
		const read = (item: VarianceCase) => {
			const call = incoming(signCase('https://isv.example.com/webhook', KEYS, item));
			const parsed = protocols[item.protocol].parse(call);
			if (!parsed.ok) throw new Error(parsed.message);
			return parsed;
		};
		for (const item of corpus.filter((c) => /unknown value/.test(c.label))) {
			const field = /^(\w+) unknown value/.exec(item.label)?.[1] ?? '';
			expect([item.label, read(item).unknownValues]).toEqual([
				item.label,
				expect.arrayContaining([field]),
			]);
		}
		for (const item of corpus.filter((c) => c.output === OTHER)) {
			expect([item.label, read(item).unknownValues]).toEqual([item.label, ['activity']]);
		}
		for (const item of corpus.filter((c) => c.label === 'as documented')) {
			expect([item.label, read(item).unknownValues]).toEqual([item.label, []]);
		}
	});
});
