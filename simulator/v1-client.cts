/**
 * Calls signed with `authToken` (SaaS V1.0 and the offline License guide): GET with parameters, or
 * POST with a JSON body and the token in the `authToken` header, computed without the blank members
 * as Huawei's POST sample does (https://support.huaweicloud.com/accessg-marketplace/zh-cn_topic_0070649135.html).
 */
import { computeAuthToken } from '../core/saas-v1-auth-token';
import { formatStatisticalTime } from '../core/saas-v2-answers';
import type { HttpCall } from './http.cjs';

/** Builds a GET call whose `timeStamp` (UTC) and `authToken` are set as KooGallery sets them. */
export function signV1Call(
	productionUrl: string,
	key: string,
	params: Record<string, string | undefined>,
	options: { timestampMs?: number; post?: boolean } = {},
): HttpCall {
	const values: Record<string, string> = {
		timeStamp: formatStatisticalTime(new Date(options.timestampMs ?? Date.now())),
	};
	for (const [name, value] of Object.entries(params)) if (value !== undefined) values[name] = value;
	if (options.post) {
		return {
			method: 'POST',
			url: productionUrl,
			headers: {
				'content-type': 'application/json',
				authToken: computeAuthToken(key, values, true),
			},
			body: JSON.stringify(values),
		};
	}
	const authToken = computeAuthToken(key, values);
	const query = Object.entries({ ...values, authToken })
		.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
		.join('&');
	return {
		method: 'GET',
		url: `${productionUrl}${productionUrl.includes('?') ? '&' : '?'}${query}`,
	};
}
