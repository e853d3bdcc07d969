/**
 * koogallery-sim: plays KooGallery against your production URL.
 *
 *   npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2] [--test-flag]
 *   npm run sim -- serve [--port 8787]   (the KooGallery Open API mock, until Ctrl-C)
 *
 * Exit code 0 when every case passes, 1 when any fails, 2 for a usage error.
 */
import { formatResults, type CaseResult } from './checks.cjs';
import { runKit } from './kit-scenarios.cjs';
import { LICENSE_GUIDES, runLicense, type LicenseGuide } from './license-scenarios.cjs';
import { runSaasV1 } from './saas-v1-scenarios.cjs';
import { runSaasV2 } from './saas-v2-scenarios.cjs';
import { serve, SERVE_USAGE } from './serve.cjs';

type Runner = (url: string, key: string, args: string[]) => Promise<CaseResult[]>;

const RUNNERS: Record<string, { title: string; run: Runner }> = {
	'saas-v2': { title: 'SaaS V2.0', run: (url, key, args) => runSaasV2(url, key, { testFlag: args.includes('--test-flag') }) },
	kit: { title: 'joint-operation kit syncs (联营kit)', run: (url, key, args) => runKit(url, key, { testFlag: args.includes('--test-flag') }) },
	license: {
		title: 'License products',
		run: (url, key, args) => {
			const guides = (option(args, 'license-guide') ?? LICENSE_GUIDES.join(',')).split(',') as LicenseGuide[];
			const unknown = guides.filter((g) => !LICENSE_GUIDES.includes(g));
			if (unknown.length > 0) throw new Error(`unknown --license-guide ${unknown.join(', ')}; use ${LICENSE_GUIDES.join(', ')}`);
			return runLicense(url, key, { guides, testFlag: args.includes('--test-flag') });
		},
	},
	'saas-v1': { title: 'SaaS V1.0', run: (url, key, args) => runSaasV1(url, key, { testFlag: args.includes('--test-flag') }) },
};

const USAGE = `koogallery-sim — plays KooGallery's calls against your production interface (生产接口)

  npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2] [--test-flag]

  --url            the production URL, e.g. http://127.0.0.1:5678/webhook/koogallery/saas
                   (kit: the production address; /produceAPI/v2/<sync> is appended)
  --key            the seller key (Key值) of the workflow's KooGallery Seller Key credential
                   (kit: the kit key); or set KOOGALLERY_ACCESS_KEY
  --protocol       saas-v2 (default), kit, license or saas-v1
  --license-guide  license only: code, online, offline, or a comma list (default: all three)
  --test-flag      mark every call as a debugging call (testFlag "1"), as the seller console does

${SERVE_USAGE}`;

function option(args: string[], name: string): string | undefined {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? undefined : args[index + 1];
}

async function main(): Promise<number> {
	const [command, ...args] = process.argv.slice(2);
	if (command === 'serve') return await serve(args);
	if (command === 'run') {
		const url = option(args, 'url');
		const key = option(args, 'key') ?? process.env.KOOGALLERY_ACCESS_KEY;
		const protocol = option(args, 'protocol') ?? 'saas-v2';
		if (!url || !key) {
			process.stderr.write(`--url and --key are required.\n\n${USAGE}`);
			return 2;
		}
		const runner = RUNNERS[protocol];
		if (!runner) {
			process.stderr.write(`Unknown protocol "${protocol}"; use ${Object.keys(RUNNERS).join(', ')}.\n`);
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
