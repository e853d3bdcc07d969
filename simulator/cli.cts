/**
 * koogallery-sim: plays KooGallery against your production URL.
 *
 *   npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2] [--test-flag]
 *
 * Exit code 0 when every case passes, 1 when any fails, 2 for a usage error.
 */
import { formatResults, runSaasV2 } from './saas-v2-scenarios.cjs';

const USAGE = `koogallery-sim — plays KooGallery's calls against your production interface (生产接口)

  npm run sim -- run --url <production URL> --key <seller key> [--protocol saas-v2] [--test-flag]

  --url        the production URL, e.g. http://127.0.0.1:5678/webhook/koogallery/saas
  --key        the seller key (Key值) the workflow's KooGallery Seller Key credential holds
               (or set KOOGALLERY_ACCESS_KEY)
  --protocol   saas-v2 (default)
  --test-flag  mark every call as a debugging call (testFlag "1"), as the seller console does
`;

function option(args: string[], name: string): string | undefined {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? undefined : args[index + 1];
}

async function main(): Promise<number> {
	const [command, ...args] = process.argv.slice(2);
	if (command === 'run') {
		const url = option(args, 'url');
		const key = option(args, 'key') ?? process.env.KOOGALLERY_ACCESS_KEY;
		const protocol = option(args, 'protocol') ?? 'saas-v2';
		if (!url || !key) {
			process.stderr.write(`--url and --key are required.\n\n${USAGE}`);
			return 2;
		}
		if (protocol !== 'saas-v2') {
			process.stderr.write(`Protocol "${protocol}" is not supported yet; use saas-v2.\n`);
			return 2;
		}
		process.stdout.write(`Playing SaaS V2.0 against ${url}\n\n`);
		const results = await runSaasV2(url, key, { testFlag: args.includes('--test-flag') });
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
