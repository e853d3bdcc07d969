/**
 * The order notification plan (订单通知, docs/protocol/koogallery-saas-v2.md §4.8) the simulator
 * plays against a production URL: paid orders, KooGallery's retry of one, the seller console's
 * later resend (重新启动, a new signature for the same order), the debugging page's made-up order,
 * then the refusals. The orders are KooGallery's documented mock orders, which the Order query
 * Open API answers for every seller (and the Open API mock too), so a workflow can read them.
 *
 * The pages ask for `resultCode`/`resultMsg` and say nothing of Body-Sign on this interface's
 * answers: a Body-Sign header is not required, but one that is present must verify.
 */
import { code as codeCheck, Report, type CaseResult } from './checks.cjs';
import { call, newNonce, send, signCall } from './saas-v2-client.cjs';

/** The documented mock orders the plan notifies about: a one-time purchase (a manual service or hardware) and a yearly one. */
export const NOTIFIED_ORDERS = [
	{ orderId: 'MOCKONETIMENEW', orderLineId: 'MOCKONETIMENEW-000001' },
	{ orderId: 'MOCKPERIODYEARNEW', orderLineId: 'MOCKPERIODYEARNEW-000001' },
] as const;

/** The order of the guide's example, which the debugging page sends and no Order API knows. */
export const MADE_UP_ORDER = {
	orderId: 'CS2211181819B4LVS',
	orderLineId: 'CS2211181819B4LVS-000001',
} as const;

const ok = codeCheck(['000000'], false);
const refused = (expected: string) => codeCheck([expected], false);

/** Plays the order notification cases against `url`, signing with `key`. */
export async function runOrderNotify(
	url: string,
	key: string,
	options: { testFlag?: boolean } = {},
): Promise<CaseResult[]> {
	const report = new Report();
	const testFlag = options.testFlag ? '1' : '0';
	const notify = (order: { orderId: string; orderLineId: string }, flag = testFlag) => ({
		activity: 'orderNotify',
		...order,
		testFlag: flag,
	});
	const [first, second] = NOTIFIED_ORDERS;

	const paid = await call(url, key, notify(first));
	report.add(`Order paid (${first.orderId})`, 'orderNotify', paid, ok(paid));
	const retry = await call(url, key, notify(first));
	report.add('Repeated notification (KooGallery retries)', 'orderNotify', retry, ok(retry));
	const resend = await call(url, key, notify(first));
	report.add(
		'Console resend, 重新启动 (new signature, same order)',
		'orderNotify',
		resend,
		ok(resend),
	);
	const another = await call(url, key, notify(second));
	report.add(`Another order paid (${second.orderId})`, 'orderNotify', another, ok(another));
	const madeUp = await call(url, key, notify(MADE_UP_ORDER, '1'));
	report.add(
		"Debugging page's made-up order (testFlag 1)",
		'orderNotify',
		madeUp,
		ok(madeUp),
		'answered although no Order API knows it',
	);

	// Refusals: each must be answered with the right code, and start nothing.
	const probe = notify(second);
	const good = signCall(url, key, probe);
	const forged = new URL(good.url);
	forged.searchParams.set(
		'signature',
		good.query.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')),
	);
	const forgedAnswer = await send({ ...good, url: forged.toString() }, key);
	report.add('Refuses a bad signature', 'security', forgedAnswer, refused('000001')(forgedAnswer));
	const wrongKey = await call(url, key, probe, { signWith: `${key}-wrong` });
	report.add('Refuses another key', 'security', wrongKey, refused('000001')(wrongKey));
	const stale = await call(url, key, probe, { timestampMs: Date.now() - 10 * 60_000 });
	report.add('Refuses a stale timestamp (10 min old)', 'security', stale, refused('000002')(stale));
	const once = signCall(url, key, probe, { nonce: newNonce() });
	const firstTime = await send(once, key);
	const replay = await send(once, key);
	report.add(
		'Refuses a replayed call (same nonce)',
		'security',
		replay,
		ok(firstTime) ?? refused('000001')(replay),
	);
	const tampered = signCall(url, key, notify(second));
	const tamperedAnswer = await send(
		{ ...tampered, body: tampered.body.replace(second.orderId, first.orderId) },
		key,
	);
	report.add(
		'Refuses a changed body (another order ID)',
		'security',
		tamperedAnswer,
		refused('000001')(tamperedAnswer),
	);
	const missing = await call(url, key, {
		activity: 'orderNotify',
		orderLineId: 'X-000001',
		testFlag,
	});
	report.add(
		'Refuses a notification without orderId',
		'validation',
		missing,
		refused('000002')(missing),
	);
	return report.results;
}
