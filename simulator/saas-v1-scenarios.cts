/**
 * The SaaS V1.0 test plan (deprecated guide, docs/protocol/koogallery-openapi-v1.md §C): GET calls signed with
 * `authToken`, a purchase's whole life, then the refusals. V1.0 always encrypts returned credentials.
 */
import { randomUUID } from 'node:crypto';

import { decryptCredential } from '../core/credential-crypto';
import { code as codeCheck, Report, type CaseResult } from './checks.cjs';
import { sendHttp, type CallAnswer } from './http.cjs';
import { newOrder } from './saas-v2-client.cjs';
import { signV1Call } from './v1-client.cjs';

/** Checks that a V1.0 answer's appInfo credentials are encrypted and decrypt with the key. */
function checkEncryptedLogin(
	answer: CallAnswer,
	key: string,
	appInfo: unknown,
): string | undefined {
	const info = appInfo as Record<string, unknown> | undefined;
	if (!info || typeof info.frontEndUrl !== 'string' || info.frontEndUrl === '')
		return 'appInfo.frontEndUrl is missing';
	const encryptType = (answer.json?.encryptType as string | undefined) ?? '1';
	for (const field of ['userName', 'password']) {
		if (typeof info[field] !== 'string') continue;
		try {
			decryptCredential(key, info[field] as string, encryptType === '2' ? '2' : '1');
		} catch (error) {
			return `appInfo.${field} is not encrypted with this key: ${(error as Error).message}`;
		}
	}
	return undefined;
}

/** Plays every SaaS V1.0 case against `url`, signing with `key`. */
export async function runSaasV1(
	url: string,
	key: string,
	options: { testFlag?: boolean } = {},
): Promise<CaseResult[]> {
	const report = new Report();
	const ok = codeCheck(['000000']);
	const flag = options.testFlag ? { testFlag: '1' } : {};
	const get = (
		params: Record<string, string | undefined>,
		opts: { timestampMs?: number; signWith?: string; post?: boolean } = {},
	) => sendHttp(signV1Call(url, opts.signWith ?? key, params, opts), key);

	const { orderId } = newOrder();
	const purchase = {
		activity: 'newInstance',
		customerId: `cust-${randomUUID().slice(0, 8)}`,
		customerName: 'sim_user',
		orderId,
		productId: 'OFFI-SIM-V1',
		...flag,
	};
	const first = await get({ ...purchase, businessId: randomUUID() });
	const instanceId = first.json?.instanceId;
	let problem =
		ok(first) ??
		(typeof instanceId === 'string' && instanceId !== ''
			? undefined
			: 'no instanceId in the answer');
	problem ??=
		first.json?.appInfo === undefined
			? undefined
			: checkEncryptedLogin(first, key, first.json.appInfo);
	report.add('New purchase', 'newInstance', first, problem, `instanceId ${String(instanceId)}`);
	if (problem || typeof instanceId !== 'string') return report.results;
	const again = await get({ ...purchase, businessId: randomUUID() });
	report.add(
		'Repeated new purchase (same order)',
		'newInstance',
		again,
		ok(again) ??
			(again.json?.instanceId === instanceId
				? undefined
				: `got instanceId ${String(again.json?.instanceId)}, first was ${instanceId}`),
	);
	const posted = await get(
		{ ...purchase, customerName: '', businessId: randomUUID() },
		{ post: true },
	);
	report.add(
		'Repeated new purchase as a POST (JSON body, authToken header, token without blanks)',
		'newInstance',
		posted,
		ok(posted) ??
			(posted.json?.instanceId === instanceId
				? undefined
				: `got instanceId ${String(posted.json?.instanceId)}, first was ${instanceId}`),
	);

	const query = await get({ activity: 'queryInstance', instanceId, ...flag });
	report.add(
		'Query instance',
		'queryInstance',
		query,
		codeCheck(['000000', '000005'])(query),
		query.json?.resultCode === '000005' ? 'not supported by this product (000005)' : '',
	);
	const renewal = await get({
		activity: 'refreshInstance',
		orderId: newOrder().orderId,
		instanceId,
		expireTime: '20991231235959',
		...flag,
	});
	report.add('Renewal', 'refreshInstance', renewal, ok(renewal));
	const expire = await get({ activity: 'expireInstance', instanceId, orderId, ...flag });
	report.add('Expiry', 'expireInstance', expire, ok(expire));
	for (const status of ['FREEZE', 'NORMAL']) {
		const answer = await get({
			activity: 'instanceStatus',
			instanceId,
			instanceStatus: status,
			...flag,
		});
		report.add(status === 'FREEZE' ? 'Freeze' : 'Unfreeze', 'instanceStatus', answer, ok(answer));
	}
	for (const label of ['Release', 'Repeated release']) {
		const answer = await get({ activity: 'releaseInstance', instanceId, orderId, ...flag });
		report.add(label, 'releaseInstance', answer, ok(answer));
	}

	const probe = { activity: 'expireInstance', instanceId, orderId, ...flag };
	const refused = (label: string, answer: CallAnswer, expected: string) =>
		report.add(label, 'security', answer, codeCheck([expected])(answer));
	refused('Refuses another key', await get(probe, { signWith: `${key}-wrong` }), '000001');
	refused(
		'Refuses a timeStamp beyond the one-day window (25 h old)',
		await get(probe, { timestampMs: Date.now() - 25 * 3_600_000 }),
		'000002',
	);
	const forgedPost = signV1Call(url, key, probe, { post: true });
	forgedPost.body = String(forgedPost.body).replace(String(instanceId), 'another-instance');
	refused('Refuses a POST whose JSON body was changed', await sendHttp(forgedPost, key), '000001');
	const once = signV1Call(url, key, probe);
	const firstTime = await sendHttp(once, key);
	const replay = await sendHttp(once, key);
	report.add(
		'Refuses a replayed call (same authToken)',
		'security',
		replay,
		ok(firstTime) ?? codeCheck(['000001'])(replay),
	);
	refused(
		'Refuses a missing field (customerId)',
		await get({ ...purchase, customerId: undefined, businessId: randomUUID() }),
		'000002',
	);
	return report.results;
}
