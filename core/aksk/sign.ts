/**
 * Huawei API Gateway AK/SK signing, `SDK-HMAC-SHA256` (docs/protocol/koogallery-openapi-v1.md §B.3
 * steps 2 to 4): the Authorization header KooGallery's Open APIs require. The canonical request of
 * step 1 is in `./canonical`.
 */
import { hmacSha256Hex, sha256Hex } from '../hmac';
import {
	canonicalFrom,
	defaultSignedNames,
	lowercaseHeaders,
	parseUrl,
	type ApigRequest,
} from './canonical';
import { formatSdkDate, SDK_DATE_HEADER } from './date';

const APIG_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SignApigRequestInput extends ApigRequest {
	ak: string;
	sk: string;
	/** Signing time; defaults to now. Ignored when the headers already carry `X-Sdk-Date`. */
	date?: Date;
}

export interface SignedApigRequest {
	/** The headers to add to the request: `X-Sdk-Date` and `host` when missing, `Authorization`. */
	headers: Record<string, string>;
	/** The lowercase signed header names joined with `;`. */
	signedHeaders: string;
	canonicalRequest: string;
	stringToSign: string;
}

/** The string to sign of spec §B.3 step 2: algorithm, `X-Sdk-Date` and the canonical request's hash. */
export function stringToSign(sdkDate: string, canonical: string): string {
	return `${APIG_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** The signature of spec §B.3 step 3: lowercase hex HMAC-SHA256 keyed with the SK. */
export function apigSignature(sk: string, toSign: string): string {
	return hmacSha256Hex(sk, toSign);
}

/**
 * Signs a request for Huawei API Gateway (`SDK-HMAC-SHA256`) and returns the headers to add:
 * `X-Sdk-Date` (unless the request already has one, whose value is then used), `host` (unless
 * given; taken from the URL) and `Authorization` (spec §B.3 step 4). All headers handed in are
 * signed, so add `Content-Type` and friends before signing, and send the body exactly as passed
 * here. Throws only when the URL cannot be parsed or names no host.
 */
export function signApigRequest(input: SignApigRequestInput): SignedApigRequest {
	const added: Record<string, string> = {};
	const headers = lowercaseHeaders(input.headers);
	let sdkDate = headers.get('x-sdk-date');
	if (sdkDate === undefined) {
		sdkDate = formatSdkDate(input.date ?? new Date());
		added[SDK_DATE_HEADER] = sdkDate;
		headers.set('x-sdk-date', sdkDate);
	}
	const url = parseUrl(input.url);
	if (!headers.has('host')) {
		if (!url.host) throw new Error('A relative URL needs a Host header to be signed.');
		added.host = url.host;
		headers.set('host', url.host);
	}
	const names = defaultSignedNames(headers);
	const canonical = canonicalFrom(input, url, headers, names);
	const toSign = stringToSign(sdkDate, canonical);
	const signedHeaders = names.join(';');
	added.Authorization = `${APIG_ALGORITHM} Access=${input.ak}, SignedHeaders=${signedHeaders}, Signature=${apigSignature(input.sk, toSign)}`;
	return { headers: added, signedHeaders, canonicalRequest: canonical, stringToSign: toSign };
}
