/**
 * koogallery-sim: plays KooGallery against your production URL.
 *
 *   npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2|kit|license|saas-v1|order-notify] [--test-flag]
 *   npm run sim -- run --protocol agents --url <backend URL> --app-key <K> --app-secret <S> [--stream] [--model-url <mock>]
 *   npm run sim -- run --protocol apig --url <backend URL> --ak <key> --sk <secret> [--body <json>]
 *   npm run sim -- serve [--port 8787]   (the KooGallery Open API mock, until Ctrl-C)
 *
 * Exit code 0 when every case passes, 1 when any fails, 2 for a usage error.
 */
import { readFileSync } from 'node:fs';

import { formatResults, type CaseResult } from './checks.cjs';
import { runAgents, runApig, type SecretHeader } from './gateway-scenarios.cjs';
import { useConnection } from './http.cjs';
import { runKit } from './kit-scenarios.cjs';
import { LICENSE_GUIDES, runLicense, type LicenseGuide } from './license-scenarios.cjs';
import { runOrderNotify } from './order-notify-scenarios.cjs';
import { runSaasV1 } from './saas-v1-scenarios.cjs';
import { runSaasV2 } from './saas-v2-scenarios.cjs';
import { serve, SERVE_USAGE } from './serve.cjs';
import { fetchServed } from '../scripts/mock-model.cjs';

type Runner = (url: string, key: string, args: string[]) => Promise<CaseResult[]>;

const RUNNERS: Record<string, { title: string; run: Runner }> = {
	'saas-v2': {
		title: 'SaaS V2.0',
		run: (url, key, args) => runSaasV2(url, key, { testFlag: args.includes('--test-flag') }),
	},
	kit: {
		title: 'joint-operation kit syncs (联营kit)',
		run: (url, key, args) => runKit(url, key, { testFlag: args.includes('--test-flag') }),
	},
	license: {
		title: 'License products',
		run: (url, key, args) => {
			const guides = (option(args, 'license-guide') ?? LICENSE_GUIDES.join(',')).split(
				',',
			) as LicenseGuide[];
			const unknown = guides.filter((g) => !LICENSE_GUIDES.includes(g));
			if (unknown.length > 0)
				throw new Error(
					`unknown --license-guide ${unknown.join(', ')}; use ${LICENSE_GUIDES.join(', ')}`,
				);
			return runLicense(url, key, { guides, testFlag: args.includes('--test-flag') });
		},
	},
	'saas-v1': {
		title: 'SaaS V1.0',
		run: (url, key, args) => runSaasV1(url, key, { testFlag: args.includes('--test-flag') }),
	},
	'order-notify': {
		title: 'order notifications (订单通知)',
		run: (url, key, args) => runOrderNotify(url, key, { testFlag: args.includes('--test-flag') }),
	},
};

/** The API-product gateways: no seller key; their own options (see USAGE). */
const GATEWAY_RUNNERS: Record<
	string,
	{ title: string; run: (url: string, args: string[]) => Promise<CaseResult[]> }
> = {
	agents: {
		title: 'Agents gateway (Agents网关)',
		run: (url, args) => {
			const modelUrl = option(args, 'model-url');
			return runAgents(url, {
				appKey: option(args, 'app-key') ?? process.env.KOOGALLERY_APP_KEY,
				appSecret: option(args, 'app-secret') ?? process.env.KOOGALLERY_APP_SECRET,
				secretHeader: secretHeader(args),
				tokenHeader: option(args, 'token-header'),
				stream: args.includes('--stream'),
				probe: args.includes('--probe'),
				modelRecord: modelUrl ? () => fetchServed(modelUrl) : undefined,
			});
		},
	},
	apig: {
		title: 'APIG gateway (APIG网关)',
		run: (url, args) =>
			runApig(url, {
				ak: option(args, 'ak') ?? process.env.KOOGALLERY_APIG_KEY,
				sk: option(args, 'sk') ?? process.env.KOOGALLERY_APIG_SECRET,
				secretHeader: secretHeader(args),
				body: option(args, 'body'),
				notFoundBody: option(args, 'not-found-body'),
			}),
	},
};

/** `--secret-header Name:value` (the gateway's constant header), if given. */
function secretHeader(args: string[]): SecretHeader | undefined {
	const value = option(args, 'secret-header');
	if (value === undefined) return undefined;
	const colon = value.indexOf(':');
	if (colon < 1) throw new Error('--secret-header must be Name:value');
	return { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
}

const USAGE = `koogallery-sim — plays KooGallery's calls against your production interface (生产接口)

  npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2] [--test-flag]

  --url            the production URL, e.g. http://127.0.0.1:5678/webhook/koogallery/saas
                   (kit: the production address; /produceAPI/v2/<sync> is appended)
  --key            the seller key (Key值) of the workflow's KooGallery Seller Key credential
                   (kit: the kit key); or set KOOGALLERY_ACCESS_KEY
  --protocol       saas-v2 (default), kit, license, saas-v1 or order-notify (agents and apig: see below)
                   order-notify: any product type's order notification (订单通知), about the
                   documented mock orders, which the Open API mock (serve, below) knows
  --license-guide  license only: code, online, offline, or a comma list (default: all three)
  --test-flag      mark every call as a debugging call (testFlag "1"), as the seller console does

HTTPS (any protocol): the certificate must be valid for the URL's domain and issued by a trusted
authority, as KooGallery requires.

  --ca <file>      trust only the certificate authorities in this PEM file (a test CA)
  --resolve <domain>:<IP address>   connect to this address for the domain instead of asking
                   DNS, e.g. to try your server before the domain points at it (comma list allowed)

API products (no --key):

  npm run sim -- run --protocol agents --url <backend URL> --app-key <APP Key> --app-secret <APP Secret>
  npm run sim -- run --protocol apig --url <backend URL> --ak <signature key> --sk <its secret>

  agents           calls signed with the Agents gateway's token (Authorization: Bearer <JWT>) plus
                   X-Request-Id / X-Customer-Id / X-Customer-Name; checks the answer's usage and
                   that tampered, expired, wrong-secret and unknown-key tokens are refused unbilled
    --app-key, --app-secret   the agent's APP Key / APP Secret (or KOOGALLERY_APP_KEY / _SECRET)
    --secret-header Name:value   self-managed auth (自主认证) instead of the token
    --token-header   the header carrying the token (default Authorization)
    --stream         the agent is registered for streaming (流式): usage once, in the last event
    --model-url      an OpenAI-compatible mock model (scripts/mock-model.cts): usage must equal
                     exactly what it reported for each call
    --probe          also expect the console probe (GET without credentials) to be answered 2xx
  apig             calls signed with the API's signature key (SDK-HMAC-SHA256); 2xx = billed,
                   refusals (unsigned, stale, tampered, wrong secret, unknown key) must be non-2xx
    --ak, --sk       the signature key and secret (or KOOGALLERY_APIG_KEY / _SECRET)
    --secret-header Name:value   a constant backend header (with or without a signature key)
    --body           the JSON body of a call the backend serves (default {"input":"hello"})
    --not-found-body a JSON body the backend answers 4xx (not billed), optional

${SERVE_USAGE}`;

function option(args: string[], name: string): string | undefined {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? undefined : args[index + 1];
}

/** `--resolve a.example.com:1.2.3.4,b.example.com:::1` as a map from domain to address. */
function resolveOption(value: string | undefined): Record<string, string> | undefined {
	if (value === undefined) return undefined;
	const entries = value.split(',').map((entry) => {
		const colon = entry.indexOf(':');
		if (colon < 1 || colon === entry.length - 1)
			throw new Error('--resolve must be <domain>:<IP address>');
		return [entry.slice(0, colon).trim().toLowerCase(), entry.slice(colon + 1).trim()];
	});
	return Object.fromEntries(entries);
}

async function main(): Promise<number> {
	const [command, ...args] = process.argv.slice(2);
	if (command === 'serve') return await serve(args);
	if (command === 'run') {
		const ca = option(args, 'ca');
		useConnection({
			ca: ca === undefined ? undefined : readFileSync(ca),
			resolve: resolveOption(option(args, 'resolve')),
		});
		const url = option(args, 'url');
		const gateway = GATEWAY_RUNNERS[option(args, 'protocol') ?? ''];
		if (gateway) {
			if (!url) {
				process.stderr.write(`--url is required.\n\n${USAGE}`);
				return 2;
			}
			process.stdout.write(`Playing the ${gateway.title} against ${url}\n\n`);
			const results = await gateway.run(url, args);
			process.stdout.write(`${formatResults(results)}\n`);
			return results.every((r) => r.pass) ? 0 : 1;
		}
		const key = option(args, 'key') ?? process.env.KOOGALLERY_ACCESS_KEY;
		const protocol = option(args, 'protocol') ?? 'saas-v2';
		if (!url || !key) {
			process.stderr.write(`--url and --key are required.\n\n${USAGE}`);
			return 2;
		}
		const runner = RUNNERS[protocol];
		if (!runner) {
			process.stderr.write(
				`Unknown protocol "${protocol}"; use ${[...Object.keys(RUNNERS), ...Object.keys(GATEWAY_RUNNERS)].join(', ')}.\n`,
			);
			return 2;
		}
		process.stdout.write(`Playing ${runner.title} against ${url}\n\n`);
		const results = await runner.run(url, key, args);
		process.stdout.write(`${formatResults(results)}\n`);
		return results.every((r) => r.pass) ? 0 : 1;
	}
	process.stdout.write(USAGE);
	return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(`koogallery-sim: ${(error as Error).message}\n`);
		process.exit(1);
	},
);
