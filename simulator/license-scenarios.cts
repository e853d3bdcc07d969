/**
 * The License test plan (docs/protocol/koogallery-joint-license.md §8): license-code products (POST, signed like
 * SaaS V2.0), online license issuing (getLicenseAsync) and the offline getLicense family (GET,
 * authToken). A product uses one guide; pick it with `guides`.
 */
import { randomUUID } from 'node:crypto';

import { code as codeCheck, Report, type CaseResult } from './checks.cjs';
import { sendHttp, type CallAnswer } from './http.cjs';
import { call, newOrder } from './saas-v2-client.cjs';
import { signV1Call } from './v1-client.cjs';

export type LicenseGuide = 'code' | 'online' | 'offline';
export const LICENSE_GUIDES: readonly LicenseGuide[] = ['code', 'online', 'offline'];

/** Plays the License cases of the chosen guides against `url`, signing with `key`. */
export async function runLicense(
	url: string,
	key: string,
	options: { guides?: readonly LicenseGuide[]; testFlag?: boolean } = {},
): Promise<CaseResult[]> {
	const report = new Report();
	const guides = options.guides ?? LICENSE_GUIDES;
	const ok = codeCheck(['000000']);
	const flag = options.testFlag ? { testFlag: '1' } : {};
	const issued = (answer: CallAnswer) =>
		codeCheck(['000000', '000004'])(answer) ??
		(typeof answer.json?.license === 'string' && answer.json.license !== ''
			? undefined
			: 'no license in the answer');

	if (guides.includes('code')) {
		const license = `PL${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
		const order = newOrder();
		const renew = await call(url, key, {
			activity: 'refreshLicenseCode',
			scene: 'RENEWAL',
			...order,
			license,
			expireTime: '20991231235959',
			...flag,
		});
		report.add('License code: renewal', 'refreshLicenseCode', renew, ok(renew));
		for (const status of ['FREEZE', 'UNFREEZE']) {
			const answer = await call(url, key, {
				activity: 'updateLicenseCodeStatus',
				license,
				status,
				...flag,
			});
			report.add(
				`License code: ${status.toLowerCase()}`,
				'updateLicenseCodeStatus',
				answer,
				ok(answer),
			);
		}
		for (const label of ['License code: release', 'License code: repeated release']) {
			const answer = await call(url, key, {
				activity: 'releaseLicenseCode',
				license,
				...order,
				...flag,
			});
			report.add(label, 'releaseLicenseCode', answer, ok(answer));
		}
		const forged = await call(
			url,
			key,
			{ activity: 'releaseLicenseCode', license, ...flag },
			{ signWith: `${key}-wrong` },
		);
		report.add(
			'License code: refuses another key',
			'security',
			forged,
			codeCheck(['000001'])(forged),
		);
	}

	if (guides.includes('online')) {
		const request = {
			activity: 'getLicenseAsync',
			instanceId: `ins-${randomUUID().slice(0, 8)}`,
			effectiveTime: '20260101000000',
			expireTime: '20991231235959',
			eventId: randomUUID(),
			deviceFingerprint: 'fp-sim-001',
			...flag,
		};
		const first = await call(url, key, request);
		report.add('Online license: issue', 'getLicenseAsync', first, issued(first));
		const again = await call(url, key, request);
		report.add(
			'Online license: repeated event gets the same license',
			'getLicenseAsync',
			again,
			issued(again) ??
				(again.json?.license === first.json?.license
					? undefined
					: 'a repeated event got another license'),
		);
	}

	if (guides.includes('offline')) {
		const get = (params: Record<string, string | undefined>, signWith = key) =>
			sendHttp(signV1Call(url, signWith, params), key);
		const { orderId } = newOrder();
		const purchase = {
			activity: 'getLicense',
			customerId: `cust-${randomUUID().slice(0, 8)}`,
			orderId,
			productId: 'OFFI-SIM-LIC',
			...flag,
		};
		const first = await get({ ...purchase, businessId: randomUUID() });
		const instanceId = first.json?.instanceId;
		report.add(
			'Offline license: get',
			'getLicense',
			first,
			issued(first) ??
				(typeof instanceId === 'string' && instanceId ? undefined : 'no instanceId in the answer'),
		);
		const again = await get({ ...purchase, businessId: randomUUID() });
		report.add(
			'Offline license: repeated order gets the same answer',
			'getLicense',
			again,
			issued(again) ??
				(again.json?.instanceId === instanceId && again.json?.license === first.json?.license
					? undefined
					: 'a repeated order got another instance or license'),
		);
		if (typeof instanceId === 'string') {
			const renew = await get({
				activity: 'refreshLicense',
				orderId: newOrder().orderId,
				instanceId,
				expireTime: '20991231235959',
			});
			report.add('Offline license: renewal', 'refreshLicense', renew, ok(renew));
			const release = await get({ activity: 'releaseLicense', orderId, instanceId });
			report.add('Offline license: release', 'releaseLicense', release, ok(release));
		}
		const wrong = await get({ ...purchase, businessId: randomUUID() }, `${key}-wrong`);
		report.add(
			'Offline license: refuses another key',
			'security',
			wrong,
			codeCheck(['000001'])(wrong),
		);
	}
	return report.results;
}
