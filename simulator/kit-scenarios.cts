/**
 * The joint-operation kit test plan (联营kit, docs/protocol/koogallery-joint-license.md §0–§5): KooGallery's syncs
 * in the order a binding lives through them, signed with `x-sign` and the kit key, then the
 * refusals. Kit calls are not retried by KooGallery, so every sync must succeed the first time and
 * again when repeated.
 */
import { randomBytes } from 'node:crypto';

import { canonicalKitPayload, kitSignatureHeaders } from '../core/kit-signature';
import { formatStatisticalTime } from '../core/saas-v2-answers';
import { code as codeCheck, Report, type CaseResult } from './checks.cjs';
import { sendHttp, type CallAnswer, type HttpCall } from './http.cjs';
import { newNonce, newOrder } from './saas-v2-client.cjs';

/** Kit body times are UTC+8 `yyyyMMddHHmmssSSS` (§0.4). */
const kitTime = (date = new Date()) =>
	formatStatisticalTime(new Date(date.getTime() + 8 * 3_600_000));

/** Serialises a sync body canonically and signs it as KooGallery does. */
export function signKitCall(
	productionUrl: string,
	kitKey: string,
	name: string,
	payload: Record<string, unknown> | string,
	options: { nonce?: string; timestampMs?: number } = {},
): HttpCall {
	const body =
		typeof payload === 'string'
			? payload
			: (canonicalKitPayload(JSON.stringify(payload)) as string);
	const headers = kitSignatureHeaders(
		kitKey,
		body,
		options.nonce ?? newNonce(),
		String(options.timestampMs ?? Date.now()),
	);
	return {
		method: 'POST',
		url: `${productionUrl.replace(/\/$/, '')}/produceAPI/v2/${name}`,
		headers: { 'content-type': 'application/json', ...headers },
		body,
	};
}

/** Plays every kit case against the production URL (the address the sub-paths are appended to). */
export async function runKit(
	url: string,
	kitKey: string,
	options: { testFlag?: boolean } = {},
): Promise<CaseResult[]> {
	const report = new Report();
	const ok = codeCheck(['000000'], false);
	const sync = (
		name: string,
		payload: Record<string, unknown> | string,
		opts: { nonce?: string; timestampMs?: number; signWith?: string } = {},
	) => sendHttp(signKitCall(url, opts.signWith ?? kitKey, name, payload, opts), kitKey);
	const suffix = randomBytes(4).toString('hex');
	const base = {
		instanceId: `ins-${suffix}`,
		tenantId: `tenant-${suffix}`,
		testFlag: options.testFlag ? 1 : 0,
		timeStamp: kitTime(),
	};
	const tenant = {
		...base,
		orderId: newOrder().orderId,
		tenantCode: `acme-${suffix}`,
		name: 'ACME 测试企业',
		domainName: `https://acme-${suffix}.example.com`,
		flag: 1,
	};
	const app = {
		...base,
		appId: `app-${suffix}`,
		clientId: `client-${suffix}`,
		clientSecret: randomBytes(24).toString('base64'),
		flag: 1,
	};
	const user = {
		userName: `zhangsan-${suffix}`,
		name: '张三',
		orgCode: '001',
		role: 'admin',
		enable: 'true',
		position: null,
	};
	const auth = { ...base, appId: app.appId, userList: [user], currentSyncTime: kitTime(), flag: 1 };
	const dept = { ...base, orgCode: '002', orgName: '测试部', parentCode: '001', flag: 1 };
	const allOrgs = {
		...base,
		orgInfoList: [
			{ orgCode: '001', orgName: '产品部', parentCode: null },
			{ orgCode: '002', orgName: '测试部', parentCode: '001' },
		],
	};

	const add = async (label: string, name: string, payload: Record<string, unknown>) => {
		const answer = await sync(name, payload);
		report.add(label, name, answer, ok(answer));
	};
	await add('Tenant sync: add', 'tenantSync', tenant);
	await add('Tenant sync: repeated add', 'tenantSync', tenant);
	await add('Application sync: add', 'applicationSync', app);
	await add('User sync: authorise', 'authSync', auth);
	await add('User sync: repeated', 'authSync', auth);
	await add('Department sync: add one', 'singleOrgSync', dept);
	await add('Department sync: full list', 'allOrgSync', allOrgs);
	await add('Tenant sync: rename', 'tenantSync', { ...tenant, name: 'ACME Renamed', flag: 2 });
	await add('User sync: cancel authorisation', 'authSync', { ...auth, flag: 3 });
	await add('Application sync: delete', 'applicationSync', { ...app, flag: 0 });
	await add('Tenant sync: delete', 'tenantSync', { ...tenant, flag: 0 });
	await add('Tenant sync: repeated delete', 'tenantSync', { ...tenant, flag: 0 });

	const refused = (label: string, answer: CallAnswer, expected: string) =>
		report.add(label, 'security', answer, codeCheck([expected], false)(answer));
	const probe = { ...tenant, flag: 2 };
	const forged = signKitCall(url, kitKey, 'tenantSync', probe);
	forged.headers = {
		...forged.headers,
		'x-sign': forged.headers!['x-sign'].replace(/^./, (c) => (c === '0' ? '1' : '0')),
	};
	refused('Refuses a bad x-sign', await sendHttp(forged, kitKey), '000001');
	refused(
		'Refuses the basic key instead of the kit key',
		await sync('tenantSync', probe, { signWith: `${kitKey}-basic` }),
		'000001',
	);
	refused(
		'Refuses a stale x-timestamp (10 min old)',
		await sync('tenantSync', probe, { timestampMs: Date.now() - 600_000 }),
		'000002',
	);
	const once = signKitCall(url, kitKey, 'tenantSync', probe);
	const first = await sendHttp(once, kitKey);
	const replay = await sendHttp(once, kitKey);
	report.add(
		'Refuses a replayed sync (same nonce)',
		'security',
		replay,
		ok(first) ?? codeCheck(['000001'], false)(replay),
	);
	const missing = await sync('tenantSync', { ...tenant, tenantId: undefined });
	report.add(
		'Refuses a missing field (tenantId)',
		'validation',
		missing,
		codeCheck(['000002'], false)(missing),
	);
	return report.results;
}
