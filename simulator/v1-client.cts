/** Calls signed with `authToken` (SaaS V1.0 and the offline License guide): GET with parameters. */
import { computeAuthToken } from '../core/saas-v1-auth-token';
import { formatStatisticalTime } from '../core/saas-v2-answers';
import type { HttpCall } from './http.cjs';

/** Builds a GET call whose `timeStamp` (UTC) and `authToken` are set as KooGallery sets them. */
export function signV1Call(
	productionUrl: string,
	key: string,
	params: Record<string, string | undefined>,
	options: { timestampMs?: number } = {},
): HttpCall {
	const values: Record<string, string> = { timeStamp: formatStatisticalTime(new Date(options.timestampMs ?? Date.now())) };
	for (const [name, value] of Object.entries(params)) if (value !== undefined) values[name] = value;
	const authToken = computeAuthToken(key, values);
	const query = Object.entries({ ...values, authToken })
		.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
		.join('&');
	return { method: 'GET', url: `${productionUrl}${productionUrl.includes('?') ? '&' : '?'}${query}` };
}
