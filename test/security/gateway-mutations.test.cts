/**
 * Mutations of valid gateway calls (issue 8's attack test, for the Agents and APIG gateways of
 * issue 11), checked by the KooGallery API Trigger's own check (`checkGatewayCall`), the code that
 * decides before any workflow starts:
 * - Agents: every character of the token changed (also the last character of each part, whose
 *   low base64url bits a decode-then-compare verifier would ignore), parts dropped, truncated,
 *   padded, swapped with another key's, re-signed with another secret, other algorithms, the
 *   timestamp and exp moved past the window edges, the header sent twice or under another name;
 * - APIG: every byte of the body changed, path, query, method, signed headers changed or dropped,
 *   every character of the signature changed, the date moved past ±15 minutes, another key.
 * Every variant must be refused; the untouched originals must pass (else the test proves nothing).
 */
import { createHmac } from 'node:crypto';

import { signAgentsToken } from '../../core/agents-token';
import { formatSdkDate } from '../../core/aksk/date';
import { signApigRequest } from '../../core/aksk/sign';
import {
	checkGatewayCall,
	type GatewayAuth,
	type GatewayRequest,
} from '../../core/gateway-receive';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const APP_KEY = 'd44cd9aa-e48e-be17-27f4-5ef3474797a1';
const APP_SECRET = 'mutation-test-app-secret-0001';
const AGENTS: GatewayAuth = { type: 'appKey', keys: [{ appKey: APP_KEY, appSecret: APP_SECRET }] };
const SIGNATURE_KEY = 'mutationSignKey';
const SIGNATURE_SECRET = 'mutation-test-signature-secret-0001';
const APIG: GatewayAuth = {
	type: 'signatureKey',
	keys: [{ key: SIGNATURE_KEY, secret: SIGNATURE_SECRET }],
};
const OPTIONS = { nowMs: NOW, tokenHeader: 'authorization' };

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A token with any header and payload text, signed with `secret` (for algorithm and shape variants). */
function rawToken(header: string, payload: string, secret = APP_SECRET): string {
	const head = `${b64url(header)}.${b64url(payload)}`;
	return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function agentsCall(headers: GatewayRequest['headers']): GatewayRequest {
	return { method: 'POST', url: '/webhook/agent', headers, rawBody: Buffer.from('{"input":"hi"}') };
}

/** Each character of `text` replaced by another base64url character (two per position). */
function characterFlips(text: string, alphabet: string): string[] {
	const out: string[] = [];
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '.') continue;
		const at = alphabet.indexOf(text[i]);
		for (const step of [1, 17]) {
			const other = alphabet[(at + step) % alphabet.length];
			out.push(text.slice(0, i) + other + text.slice(i + 1));
		}
	}
	return out;
}

function agentsVariants(
	token: string,
): Array<{ label: string; headers: GatewayRequest['headers'] }> {
	const [h, p, s] = token.split('.');
	const variants: Array<{ label: string; headers: GatewayRequest['headers'] }> = [];
	const add = (label: string, value: string | string[] | undefined) =>
		variants.push({ label, headers: value === undefined ? {} : { authorization: value } });
	characterFlips(token, BASE64URL).forEach((t, i) => add(`character flip ${i}`, t));
	for (const [name, part] of [
		['header', h],
		['payload', p],
		['signature', s],
	] as const) {
		const last = part.length - 1;
		for (const c of BASE64URL) {
			if (c === part[last]) continue;
			const changed = part.slice(0, last) + c;
			add(`last character of the ${name} → ${c}`, token.replace(`${part}`, changed));
		}
	}
	for (let cut = 1; cut < token.length; cut += 7) add(`truncated to ${cut}`, token.slice(0, cut));
	add('no signature', `${h}.${p}`);
	add('empty signature', `${h}.${p}.`);
	add('four parts', `${token}.${s}`);
	add('signature upper case', `${h}.${p}.${s.toUpperCase()}`);
	add('signature lower case', `${h}.${p}.${s.toLowerCase()}`);
	add('Basic prefix', `Basic ${token}`);
	add('missing', undefined);
	add('empty', '');
	add('sent twice', [token, token]);
	add('too long', `${token}${'A'.repeat(5000)}`);
	const payload = (fields: Record<string, unknown>) =>
		JSON.stringify({ api_key: APP_KEY, ...fields });
	const fresh = { exp: NOW + 300_000, timestamp: NOW };
	add('alg none', `${b64url('{"alg":"none","sign_type":"SIGN"}')}.${b64url(payload(fresh))}.`);
	add('alg HS512', rawToken('{"alg":"HS512","sign_type":"SIGN"}', payload(fresh)));
	add('alg RS256', rawToken('{"alg":"RS256","sign_type":"SIGN"}', payload(fresh)));
	add('sign_type other', rawToken('{"alg":"HS256","sign_type":"ENCRYPT"}', payload(fresh)));
	add('header not JSON', rawToken('alg=HS256', payload(fresh)));
	add('payload not JSON', rawToken('{"alg":"HS256"}', 'api_key=x'));
	add('payload an array', rawToken('{"alg":"HS256"}', '[1,2]'));
	add('no api_key', rawToken('{"alg":"HS256"}', JSON.stringify(fresh)));
	add(
		'no timestamp',
		rawToken('{"alg":"HS256"}', JSON.stringify({ api_key: APP_KEY, exp: NOW + 300_000 })),
	);
	add('timestamp text', rawToken('{"alg":"HS256"}', payload({ timestamp: String(NOW) })));
	add(
		'unknown key',
		rawToken('{"alg":"HS256"}', JSON.stringify({ api_key: `${APP_KEY}x`, timestamp: NOW })),
	);
	add(
		'another secret',
		signAgentsToken({ appKey: APP_KEY, appSecret: `${APP_SECRET}x`, timestampMs: NOW }),
	);
	add(
		'secret as base64',
		signAgentsToken({ appKey: APP_KEY, appSecret: b64url(APP_SECRET), timestampMs: NOW }),
	);
	for (const seconds of [361, 3600, 86_400, -61, -3600])
		add(
			`timestamp ${seconds} s ago`,
			signAgentsToken({
				appKey: APP_KEY,
				appSecret: APP_SECRET,
				timestampMs: NOW - seconds * 1000,
			}),
		);
	for (const exp of [NOW - 61_000, Math.floor((NOW - 61_000) / 1000), 0])
		add(
			`exp ${exp}`,
			signAgentsToken({ appKey: APP_KEY, appSecret: APP_SECRET, timestampMs: NOW, exp }),
		);
	return variants;
}

interface ApigCall extends GatewayRequest {
	label: string;
}

function signedApig(
	date = new Date(NOW),
	secret = SIGNATURE_SECRET,
	key = SIGNATURE_KEY,
): GatewayRequest {
	const request = {
		method: 'POST',
		url: '/webhook/api/translate?lang=en&mode=fast',
		headers: {
			host: 'n8n.seller.example.com',
			'content-type': 'application/json',
			'x-seller-trace': 't-1',
		},
		rawBody: Buffer.from('{"text":"hello KooGallery","n":1}'),
	};
	const signed = signApigRequest({
		method: request.method,
		url: request.url,
		headers: request.headers,
		body: request.rawBody,
		ak: key,
		sk: secret,
		date,
	});
	const headers: Record<string, string> = { ...request.headers };
	for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
	return { ...request, headers };
}

function apigVariants(original: GatewayRequest): ApigCall[] {
	const out: ApigCall[] = [];
	const add = (label: string, change: Partial<GatewayRequest>) =>
		out.push({ ...original, ...change, label });
	const headers = original.headers as Record<string, string>;
	for (let i = 0; i < original.rawBody.length; i++) {
		const body = Buffer.from(original.rawBody);
		body[i] ^= 0x01;
		add(`body byte ${i} flipped`, { rawBody: body });
	}
	add('body empty', { rawBody: Buffer.alloc(0) });
	add('body with a trailing space', {
		rawBody: Buffer.concat([original.rawBody, Buffer.from(' ')]),
	});
	for (const url of [
		'/webhook/api/translate?lang=de&mode=fast',
		'/webhook/api/translate?lang=en',
		'/webhook/api/translate?lang=en&mode=fast&x=1',
		'/webhook/api/translatE?lang=en&mode=fast',
		'/webhook/api/translate/x?lang=en&mode=fast',
		'/webhook/api/translate',
	])
		add(`url ${url}`, { url });
	for (const method of ['GET', 'PUT', 'DELETE']) add(`method ${method}`, { method });
	for (const name of ['host', 'content-type', 'x-seller-trace', 'x-sdk-date', 'authorization']) {
		const dropped = { ...headers };
		delete dropped[name];
		add(`header ${name} dropped`, { headers: dropped });
		if (name !== 'authorization')
			add(`header ${name} changed`, { headers: { ...headers, [name]: `${headers[name]}0` } });
	}
	const authorization = headers.authorization;
	const signature = authorization.slice(authorization.lastIndexOf('=') + 1);
	characterFlips(signature, '0123456789abcdef').forEach((flipped, i) =>
		add(`signature character flip ${i}`, {
			headers: { ...headers, authorization: authorization.replace(signature, flipped) },
		}),
	);
	add('signature truncated', {
		headers: { ...headers, authorization: authorization.slice(0, -1) },
	});
	add('signed headers without host', {
		headers: {
			...headers,
			authorization: authorization.replace('SignedHeaders=', 'SignedHeaders=x-'),
		},
	});
	add('another algorithm name', {
		headers: {
			...headers,
			authorization: authorization.replace('SDK-HMAC-SHA256', 'SDK-HMAC-SHA1'),
		},
	});
	add('unknown key', {
		headers: {
			...headers,
			authorization: authorization.replace(`Access=${SIGNATURE_KEY}`, 'Access=someoneElse'),
		},
	});
	add('authorization sent twice', {
		headers: { ...headers, authorization: [authorization, authorization] },
	});
	for (const minutes of [15.02, 60, -15.02, -60]) {
		const date = new Date(NOW - minutes * 60_000);
		add(`signed ${minutes} minutes ago`, { headers: signedApig(date).headers });
		add(`date header moved ${minutes} minutes`, {
			headers: { ...headers, 'x-sdk-date': formatSdkDate(date) },
		});
	}
	add('another secret', { headers: signedApig(new Date(NOW), `${SIGNATURE_SECRET}x`).headers });
	add('another key and its own secret', {
		headers: signedApig(new Date(NOW), 'other-secret', 'otherKey').headers,
	});
	return out;
}

describe('gateway calls mutated (Agents token, APIG signature)', () => {
	const token = signAgentsToken({
		appKey: APP_KEY,
		appSecret: APP_SECRET,
		timestampMs: NOW - 1000,
		exp: NOW + 299_000,
	});

	it('accepts the untouched originals', () => {
		expect(checkGatewayCall(AGENTS, agentsCall({ authorization: token }), OPTIONS)).toMatchObject({
			ok: true,
			apiKey: APP_KEY,
		});
		expect(
			checkGatewayCall(AGENTS, agentsCall({ authorization: `Bearer ${token}` }), OPTIONS).ok,
		).toBe(true);
		expect(checkGatewayCall(APIG, signedApig(), OPTIONS)).toMatchObject({
			ok: true,
			apiKey: SIGNATURE_KEY,
		});
	});

	it('refuses every mutated Agents token, with 400 or 401 and a reason', () => {
		const variants = agentsVariants(token);
		expect(variants.length).toBeGreaterThan(600);
		const accepted = variants.filter((v) => {
			const result = checkGatewayCall(AGENTS, agentsCall(v.headers), OPTIONS);
			if (!result.ok) expect([400, 401]).toContain(result.status);
			return result.ok;
		});
		expect(accepted.map((v) => v.label)).toEqual([]);
	});

	it('refuses every mutated APIG call, with 400 or 401 and a reason', () => {
		const variants = apigVariants(signedApig());
		expect(variants.length).toBeGreaterThan(150);
		const accepted = variants.filter((v) => {
			const result = checkGatewayCall(APIG, v, OPTIONS);
			if (!result.ok) expect([400, 401]).toContain(result.status);
			return result.ok;
		});
		expect(accepted.map((v) => v.label)).toEqual([]);
	});
});
