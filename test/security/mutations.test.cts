import { keyFamily } from '../../core/answer-key';
import { protocols, type IncomingCall } from '../../core/trigger-protocols';
import { MemoryNonceStore } from '../../core/verification';
import { mutations, validRequests, type Request } from './mutations.cjs';

const KEYS = { basic: 'mutation-basic-key-0123456789', kit: 'mutation-kit-key-9876543210' };
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

function incoming(request: Request): IncomingCall {
	return {
		method: request.method,
		path: `/webhook/koogallery${request.subPath}`,
		rawQuery: request.query,
		query: Object.fromEntries(new URLSearchParams(request.query)),
		headers: request.headers,
		rawBody: request.body,
	};
}

/** What the KooGallery Trigger does before starting an execution: verify, then validate. */
function accepted(request: Request, store: MemoryNonceStore): boolean {
	const protocol = protocols[request.protocol];
	const call = incoming(request);
	// A repeated query parameter reaches n8n's parser as an array, as it does in express.
	const counts = new Map<string, string[]>();
	for (const [name, value] of new URLSearchParams(request.query))
		counts.set(name, [...(counts.get(name) ?? []), value]);
	call.query = Object.fromEntries(
		[...counts].map(([name, values]) => [name, values.length > 1 ? values : values[0]]),
	);
	const verification = protocol.verify(call, {
		keys: [keyFamily(request.protocol) === 'kit' ? KEYS.kit : KEYS.basic],
		toleranceMs: 60_000,
		nonceStore: store,
		nowMs: NOW,
	});
	return verification.ok && protocol.parse(call).ok;
}

describe('mutations of signed requests (in process, the trigger path)', () => {
	const originals = validRequests(KEYS, NOW);
	const variants = mutations(originals, KEYS);

	it('covers every scenario of every protocol with over 10,000 variants, and the forms accepted since issue 16', () => {
		expect(variants.length).toBeGreaterThanOrEqual(10_000);
		const scenarios = new Set(originals.map((o) => `${o.protocol}/${o.scenario}`));
		expect(scenarios.size).toBe(20);
		expect(new Set(originals.map((o) => o.protocol))).toEqual(
			new Set(['saasV2', 'kit', 'license', 'saasV1']),
		);
		// V1.0 POSTs with a JSON body and the authToken header, and a V2.0 body only the Java sample's
		// Map<String, String> reading verifies: each with its forged variants.
		expect(
			originals
				.filter((o) => o.protocol === 'saasV1' && o.method === 'POST')
				.map((o) => o.scenario),
		).toEqual(['newInstance', 'releaseInstance']);
		expect(originals.filter((o) => o.body.includes('\\u001f'))).toHaveLength(1);
		expect(
			variants.filter((v) => v.protocol === 'saasV1' && v.method === 'POST' && v.kind === 'tamper')
				.length,
		).toBeGreaterThan(1_000);
	});

	it('verifies the new forms by the reading they need: V1.0 POST without blanks, V2.0 by the Java form', () => {
		const forms = originals.map((original) => {
			const protocol = protocols[original.protocol];
			const result = protocol.verify(incoming(original), {
				keys: [keyFamily(original.protocol) === 'kit' ? KEYS.kit : KEYS.basic],
				nowMs: NOW,
			});
			return result.ok ? result.form : result.reason;
		});
		expect(forms.filter((form) => form === 'java')).toHaveLength(1);
		expect(forms.filter((form) => form === 'withoutBlank')).toHaveLength(1);
		expect(forms.every((form) => ['raw', 'decoded', 'java', 'withoutBlank'].includes(form))).toBe(
			true,
		);
	});

	it('accepts every original once, then refuses every variant', () => {
		const store = new MemoryNonceStore(100_000);
		for (const original of originals)
			expect([original.protocol, original.scenario, accepted(original, store)]).toEqual([
				original.protocol,
				original.scenario,
				true,
			]);
		const let_through = variants.filter((variant) => accepted(variant, store)).map((v) => v.label);
		expect(let_through).toEqual([]);
	});

	it('refuses every tampering on its own, even without the replay check', () => {
		const tampered = variants.filter((v) => v.kind === 'tamper');
		expect(tampered.length).toBeGreaterThan(9_000);
		const let_through = tampered
			.filter((variant) => accepted(variant, new MemoryNonceStore(10)))
			.map((v) => v.label);
		expect(let_through).toEqual([]);
	});

	it('lets the faithful re-encodings through only when the replay check is off (so they test the replay check)', () => {
		const replays = variants.filter((v) => v.kind === 'replay');
		expect(replays.length).toBeGreaterThan(20);
		const refused = replays
			.filter((variant) => !accepted(variant, new MemoryNonceStore(10)))
			.map((v) => v.label);
		expect(refused).toEqual([]);
	});
});
