/**
 * The SaaS V2.0 test plan the simulator plays against a production URL: a purchase's whole life in
 * KooGallery's order, then the refusals KooGallery's tooling and attackers provoke. Each case says
 * why it failed, like the seller console's debugging page (应用接入调试).
 */
import { decryptCredential } from '../core/credential-crypto';
import { formatStatisticalTime } from '../core/saas-v2-answers';
import { code as codeCheck, formatResults, Report, type CaseResult } from './checks.cjs';
import {
	call,
	newBusinessId,
	newNonce,
	newOrder,
	send,
	signCall,
	type CallAnswer,
} from './saas-v2-client.cjs';

export type { CaseResult };
export { formatResults };

export interface RunOptions {
	/** Send testFlag "1" on every call, as the seller console's debugging page does. */
	testFlag?: boolean;
}

const code = (...expected: string[]) => codeCheck(expected);

/** Plays every SaaS V2.0 case against `url`, signing with `key`. */
export async function runSaasV2(
	url: string,
	key: string,
	options: RunOptions = {},
): Promise<CaseResult[]> {
	const report = new Report();
	const results = report.results;
	const flag = options.testFlag ? { testFlag: '1' } : {};
	const record = (
		name: string,
		scenario: string,
		answer: CallAnswer,
		problem: string | undefined,
		note = '',
	) => report.add(name, scenario, answer, problem, note);

	const order = newOrder();
	const first = await call(url, key, {
		activity: 'newInstance',
		...order,
		businessId: newBusinessId(),
		...flag,
	});
	let problem = code('000000', '000004')(first);
	const instanceId = first.json?.instanceId;
	if (!problem && (typeof instanceId !== 'string' || instanceId === '' || instanceId.length > 64)) {
		problem = 'instanceId missing or longer than 64 characters';
	}
	record('New purchase', 'newInstance', first, problem, `instanceId ${String(instanceId)}`);
	if (typeof instanceId !== 'string' || problem) return results;

	const again = await call(url, key, {
		activity: 'newInstance',
		...order,
		businessId: newBusinessId(),
		...flag,
	});
	problem = code('000000', '000004')(again);
	if (!problem && again.json?.instanceId !== instanceId) {
		problem = `a repeated order got instanceId ${String(again.json?.instanceId)}, first was ${instanceId}`;
	}
	record('Repeated new purchase (same order)', 'newInstance', again, problem, 'same instanceId');

	const query = await call(url, key, { activity: 'queryInstance', instanceId, ...flag });
	record(
		'Query instance',
		'queryInstance',
		query,
		code('000000')(query) ?? checkInstanceInfo(query, key, instanceId),
	);

	const expireTime = formatStatisticalTime(new Date(Date.now() + 365 * 86_400_000));
	for (const scene of ['RENEWAL', 'TRIAL_TO_FORMAL']) {
		const renewal = await call(url, key, {
			activity: 'refreshInstance',
			...newOrder(),
			instanceId,
			scene,
			expireTime,
			...flag,
		});
		record(`Renewal (${scene})`, 'refreshInstance', renewal, code('000000')(renewal));
	}
	for (const status of ['FREEZE', 'UNFREEZE']) {
		const answer = await call(url, key, {
			activity: 'updateInstanceStatus',
			instanceId,
			status,
			...flag,
		});
		record(
			`${status === 'FREEZE' ? 'Freeze' : 'Unfreeze'}`,
			'updateInstanceStatus',
			answer,
			code('000000')(answer),
		);
	}
	const upgrade = await call(url, key, {
		activity: 'upgradeInstance',
		instanceId,
		...newOrder(),
		...flag,
	});
	record('Upgrade', 'upgradeInstance', upgrade, code('000000')(upgrade));
	const check = await call(url, key, {
		activity: 'changeInstanceCheck',
		instanceId,
		productInfo: { productId: 'OFFI-SIM' },
		...flag,
	});
	record(
		'Renewal change check (optional)',
		'changeInstanceCheck',
		check,
		code('000000', '000005')(check),
		check.json?.resultCode === '000005' ? 'not supported by this product (000005)' : 'allowed',
	);
	const release = await call(url, key, {
		activity: 'releaseInstance',
		instanceId,
		...order,
		...flag,
	});
	record('Release', 'releaseInstance', release, code('000000')(release));
	const releaseAgain = await call(url, key, { activity: 'releaseInstance', instanceId, ...flag });
	record('Repeated release', 'releaseInstance', releaseAgain, code('000000')(releaseAgain));

	// Refusals: each must be answered, signed, with the right code.
	const probe = { activity: 'queryInstance', instanceId, ...flag };
	const badSignature = signCall(url, key, probe);
	const forged = new URL(badSignature.url);
	forged.searchParams.set(
		'signature',
		badSignature.query.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')),
	);
	const forgedAnswer = await send({ ...badSignature, url: forged.toString() }, key);
	record('Refuses a bad signature', 'security', forgedAnswer, code('000001')(forgedAnswer));
	const wrongKey = await call(url, key, probe, { signWith: `${key}-wrong` });
	record('Refuses another key', 'security', wrongKey, code('000001')(wrongKey));
	const stale = await call(url, key, probe, { timestampMs: Date.now() - 10 * 60_000 });
	record('Refuses a stale timestamp (10 min old)', 'security', stale, code('000002')(stale));
	const nonce = newNonce();
	const once = signCall(url, key, probe, { nonce });
	const firstTime = await send(once, key);
	const replay = await send(once, key);
	record(
		'Refuses a replayed call (same nonce)',
		'security',
		replay,
		code('000000')(firstTime) ?? code('000001')(replay),
	);
	const tampered = signCall(url, key, {
		activity: 'newInstance',
		...newOrder(),
		businessId: newBusinessId(),
		...flag,
	});
	const tamperedAnswer = await send(
		{ ...tampered, body: tampered.body.replace('"newInstance"', '"newInstancf"') },
		key,
	);
	record('Refuses a changed body', 'security', tamperedAnswer, code('000001')(tamperedAnswer));
	const missing = await call(url, key, {
		activity: 'newInstance',
		orderLineId: 'X-000001',
		businessId: newBusinessId(),
		...flag,
	});
	record('Refuses a missing field (orderId)', 'validation', missing, code('000002')(missing));
	// (A body that is not JSON at all is refused by n8n's own body parser before any node runs.)
	const notObject = await call(url, key, '["newInstance"]');
	record(
		'Refuses a body that is not a JSON object',
		'validation',
		notObject,
		code('000002')(notObject),
	);
	return results;
}

/** Checks a queryInstance answer: the instance is there, and any encrypted credentials decrypt. */
function checkInstanceInfo(
	answer: CallAnswer,
	key: string,
	instanceId: string,
): string | undefined {
	const info = answer.json?.info;
	if (!Array.isArray(info)) return 'no info list in the answer';
	const entry = info.find((item) => item && item.instanceId === instanceId);
	if (!entry) return `info has no entry for ${instanceId}`;
	const appInfo = entry.appInfo as Record<string, unknown> | undefined;
	if (!appInfo || typeof appInfo.frontEndUrl !== 'string' || appInfo.frontEndUrl === '')
		return 'appInfo.frontEndUrl is missing';
	const encryptType = answer.json?.encryptType;
	if (encryptType !== undefined) {
		if (encryptType !== '1' && encryptType !== '2')
			return `encryptType ${String(encryptType)} is neither "1" nor "2"`;
		for (const field of ['userName', 'password']) {
			const value = appInfo[field];
			if (typeof value !== 'string') continue;
			try {
				decryptCredential(key, value, encryptType);
			} catch (error) {
				return `appInfo.${field} does not decrypt with this key: ${(error as Error).message}`;
			}
		}
	}
	return undefined;
}
