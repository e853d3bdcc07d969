import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { verifyAgentsToken, type AgentsKey } from '../../core/agents-token';
import { verifyApigRequest } from '../../core/aksk/verify';
import { safeEqualSecret } from '../../core/hmac';
import type { NonceStore } from '../../core/verification';

export const GATEWAY_CREDENTIAL = 'kooGalleryGatewayApi';

export type GatewayName = 'agents' | 'apig';

/** What the KooGallery Gateway Auth credential holds, read once per call. */
export type GatewayAuth =
	| { type: 'appKey'; keys: AgentsKey[] }
	| { type: 'signatureKey'; keys: Array<{ key: string; secret: string }> }
	| { type: 'header'; name: string; values: string[] }
	| { type: 'none' };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Reads the credential's fields (current pair first, then the previous one while rotating).
 * Returns a plain-English problem instead when nothing usable is set.
 */
export function gatewayAuthFrom(
	data: ICredentialDataDecryptedObject | undefined,
): GatewayAuth | { problem: string } {
	const type = text(data?.authType) || 'appKey';
	if (type === 'appKey') {
		const keys = [
			{ appKey: text(data?.appKey).trim(), appSecret: text(data?.appSecret) },
			{ appKey: text(data?.previousAppKey).trim(), appSecret: text(data?.previousAppSecret) },
		].filter((pair) => pair.appKey !== '' && pair.appSecret !== '');
		return keys.length > 0 ? { type, keys } : { problem: 'it has no APP Key and APP Secret' };
	}
	if (type === 'signatureKey') {
		const keys = [
			{ key: text(data?.signatureKey).trim(), secret: text(data?.signatureSecret) },
			{ key: text(data?.previousSignatureKey).trim(), secret: text(data?.previousSignatureSecret) },
		].filter((pair) => pair.key !== '' && pair.secret !== '');
		return keys.length > 0 ? { type, keys } : { problem: 'it has no signature Key and Secret' };
	}
	if (type === 'header') {
		const name = text(data?.headerName).trim().toLowerCase();
		const values = [text(data?.headerSecret), text(data?.previousHeaderSecret)].filter(
			(v) => v !== '',
		);
		if (name === '') return { problem: 'it has no header name' };
		return values.length > 0 ? { type, name, values } : { problem: 'it has no header value' };
	}
	return { problem: `its type "${type}" is unknown` };
}

/** Which credential types fit which gateway. */
export const AUTH_TYPES_OF: Record<GatewayName, ReadonlyArray<GatewayAuth['type']>> = {
	agents: ['appKey', 'header'],
	apig: ['signatureKey', 'header', 'none'],
};

/** The call as the trigger received it. */
export interface GatewayRequest {
	method: string;
	/** Path and query exactly as sent. */
	url: string;
	/** Node's incoming headers (lowercase names). */
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
}

export interface GatewayCheckOptions {
	nowMs: number;
	/** The header carrying the Agents token, lowercase; default `authorization`. */
	tokenHeader: string;
	windowSeconds?: number;
	skewSeconds?: number;
	/** APIG clock tolerance either way, in milliseconds. */
	apigToleranceMs?: number;
	/** The Host the gateway signed, when a proxy in front of n8n changes it. */
	signedHost?: string;
	/**
	 * When given, an Agents token already seen within its age limit is refused (spec §1.4 step 8,
	 * opt-in: whether the gateway ever sends one token twice is UNCONFIRMED).
	 */
	tokenStore?: NonceStore;
}

export type GatewayCheck =
	| {
			ok: true;
			/** 0 = current credential values, 1 = previous ones. */
			keyIndex: number;
			apiKey?: string;
			timestampMs?: number;
			exp?: number;
			clockSkewMs?: number;
	  }
	| {
			ok: false;
			/** 400 for input that cannot be read, 401 for anything else. */
			status: 400 | 401;
			/** For the caller: short, without detail. */
			publicMessage: string;
			/** For the operator's log: the exact reason, never a secret. */
			message: string;
	  };

const refused = (status: 400 | 401, message: string): GatewayCheck => ({
	ok: false,
	status,
	publicMessage:
		status === 400
			? 'The gateway credentials of this request could not be read.'
			: 'The gateway credentials of this request were not accepted.',
	message,
});

/** One header value; a header sent twice is refused by the callers (undefined here). */
function single(value: string | string[] | undefined): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** Whether a request carries any gateway credential at all (a connectivity probe carries none). */
export function carriesCredentials(
	auth: GatewayAuth,
	headers: GatewayRequest['headers'],
	tokenHeader: string,
): boolean {
	const names = ['authorization', 'x-sdk-date', tokenHeader];
	if (auth.type === 'header') names.push(auth.name);
	return names.some((name) => {
		const value = headers[name];
		return value !== undefined && value !== '';
	});
}

/**
 * Checks that a call comes from the gateway, with the credential's method: the Agents token
 * (`verifyAgentsToken`), APIG's `SDK-HMAC-SHA256` backend signature (`verifyApigRequest`, over
 * the path, query, signed headers and raw body as received), or a constant header compared in
 * constant time. Never throws.
 */
export function checkGatewayCall(
	auth: GatewayAuth,
	request: GatewayRequest,
	options: GatewayCheckOptions,
): GatewayCheck {
	if (auth.type === 'none') return { ok: true, keyIndex: 0 };
	if (auth.type === 'header') {
		const raw = request.headers[auth.name];
		if (raw === undefined || raw === '')
			return refused(401, `the header "${auth.name}" is missing`);
		const value = single(raw);
		if (value === undefined)
			return refused(400, `the header "${auth.name}" was sent more than once`);
		const keyIndex = auth.values.findIndex((expected) => safeEqualSecret(expected, value));
		return keyIndex === -1
			? refused(401, `the header "${auth.name}" does not hold the configured value`)
			: { ok: true, keyIndex };
	}
	if (auth.type === 'appKey') {
		const raw = request.headers[options.tokenHeader];
		if (Array.isArray(raw))
			return refused(400, `the header "${options.tokenHeader}" was sent more than once`);
		const result = verifyAgentsToken(raw, {
			keys: auth.keys,
			nowMs: options.nowMs,
			windowSeconds: options.windowSeconds,
			skewSeconds: options.skewSeconds,
		});
		if (!result.ok) {
			const where = result.reason === 'missing' ? ` (header "${options.tokenHeader}")` : '';
			return refused(result.reason === 'malformed' ? 400 : 401, `${result.message}${where}`);
		}
		if (options.tokenStore) {
			// Remembered only once verified, so junk cannot fill the store; kept as long as the token is fresh.
			const signature = String(raw).trim().split('.')[2].replace(/=+$/, '');
			const ttlMs = ((options.windowSeconds ?? 300) + 2 * (options.skewSeconds ?? 60)) * 1000;
			if (!options.tokenStore.checkAndRemember(signature, options.nowMs, ttlMs)) {
				return refused(
					401,
					'the same gateway token was already received once; a replay is refused',
				);
			}
		}
		return {
			ok: true,
			keyIndex: result.keyIndex,
			apiKey: result.apiKey,
			timestampMs: result.timestampMs,
			...(result.exp === undefined ? {} : { exp: result.exp }),
			clockSkewMs: options.nowMs - result.timestampMs,
		};
	}
	const headers: Record<string, string | string[] | undefined> = { ...request.headers };
	if (options.signedHost) headers.host = options.signedHost;
	const result = verifyApigRequest({
		method: request.method,
		url: request.url,
		headers,
		body: request.rawBody,
		credentials: (ak) => auth.keys.find((pair) => pair.key === ak)?.secret,
		nowMs: options.nowMs,
		toleranceMs: options.apigToleranceMs,
	});
	if (!result.ok) {
		return refused(
			result.reason === 'malformedParameter' ? 400 : 401,
			`APIG signature: ${result.message}`,
		);
	}
	return {
		ok: true,
		keyIndex: Math.max(
			0,
			auth.keys.findIndex((pair) => pair.key === result.ak),
		),
		apiKey: result.ak,
		timestampMs: result.timestampMs,
		clockSkewMs: result.skewMs,
	};
}

/**
 * Credential test for KooGallery Gateway Auth. No gateway endpoint checks these values, so this
 * checks their shape only; the real proof is a call from the gateway or the local simulator.
 */
export async function testGatewayAuth(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const auth = gatewayAuthFrom(credential.data);
	if ('problem' in auth)
		return { status: 'Error', message: `The credential cannot check calls: ${auth.problem}.` };
	const problems: string[] = [];
	if (auth.type === 'appKey') {
		for (const pair of auth.keys) {
			if (pair.appSecret.trim() !== pair.appSecret)
				problems.push('An APP Secret starts or ends with a space.');
		}
	}
	if (auth.type === 'signatureKey') {
		for (const pair of auth.keys) {
			if (pair.secret.trim() !== pair.secret)
				problems.push('A signature Secret starts or ends with a space.');
		}
	}
	if (auth.type === 'header') {
		if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(auth.name))
			problems.push('The header name has characters a header name cannot have.');
		if (/^(x-apig-|x-sdk-)|^x-stage$/.test(auth.name))
			problems.push(
				'Header names starting with x-apig- or x-sdk-, and x-stage, are reserved by API Gateway.',
			);
		if (auth.values[0].length < 16)
			problems.push(
				'The header secret value is shorter than 16 characters; use a long random value.',
			);
	}
	if (problems.length > 0) return { status: 'Error', message: problems.join(' ') };
	return {
		status: 'OK',
		message:
			'The values look right. No gateway endpoint can check them remotely: send a call with the simulator (npm run sim) to prove them.',
	};
}
