/**
 * `koogallery-sim serve`: runs the KooGallery Open API mock (simulator/openapi-mock.cts) until
 * Ctrl-C, prints what to put into n8n's KooGallery Access Key credential, and prints one line per
 * request it receives, so a seller can watch their workflow's Order > Get, Usage > Push and License
 * Code calls without a Huawei account.
 */
import { OPEN_API_PATHS } from '../core/openapi-endpoints';
import { mockLicenses, mockOrders } from './openapi-mock-data.cjs';
import { startOpenApiMock, type MockCall } from './openapi-mock.cjs';

/** The credentials the mock accepts when none are given (the same as the mock's own CLI). */
export const DEFAULT_MOCK_CREDENTIALS = {
	ak: 'MOCKAK0000000000000',
	sk: 'mock-secret-access-key-not-real',
	sellerKey: 'mock-seller-key-not-real',
};

export const SERVE_USAGE = `  npm run sim -- serve [--port 8787] [--host 127.0.0.1] [--ak <AK>] [--sk <SK>] [--seller-key <key>]

  Runs a local copy of KooGallery's Open APIs (query orders, push usage, license codes) until
  Ctrl-C. Point n8n's KooGallery Access Key credential at it with Site "Custom Base URL".
  --ak, --sk       the access key it accepts (or KOOGALLERY_AK, KOOGALLERY_SK)
  --seller-key     the seller key that signs usage pushes (or KOOGALLERY_SELLER_KEY, KOOGALLERY_ACCESS_KEY)
`;

const API_NAMES: Record<string, string> = {
	[OPEN_API_PATHS.orderQuery]: 'Order > Get',
	[OPEN_API_PATHS.usagePush]: 'Usage > Push',
	[OPEN_API_PATHS.usagePushOld]: 'Usage > Push (Old API)',
	[OPEN_API_PATHS.licenseActivateV1]: 'License Code > Activate',
	[OPEN_API_PATHS.licenseActivateV2]: 'License Code > Activate',
	[OPEN_API_PATHS.licenseHeartbeatV1]: 'License Code > Query',
	[OPEN_API_PATHS.licenseHeartbeatV2]: 'License Code > Query',
};

/** One line for a request the mock answered, e.g. `12:00:01 Order > Get MOCKPERIODYEARNEW: 200 MKT.0000`. */
export function describeCall(call: MockCall, at = new Date()): string {
	const what = API_NAMES[call.path] ?? `${call.method} ${call.path}`;
	const subject =
		call.query.orderId ?? (call.records !== undefined ? `${call.records} record(s)` : '');
	const outcome = call.fault
		? `fault "${call.fault}"`
		: `${call.status ?? 'no answer'} ${call.code ?? ''}${call.detail ? ` (${call.detail})` : ''}`;
	return `${at.toISOString().slice(11, 19)} ${what}${subject ? ` ${subject}` : ''}: ${outcome.trim()}`;
}

function option(args: string[], name: string): string | undefined {
	const index = args.indexOf(`--${name}`);
	return index === -1 ? undefined : args[index + 1];
}

/**
 * Starts the mock with the options in `args` and resolves with exit code 0 once SIGINT or SIGTERM
 * stopped it (2 for a bad option).
 */
export async function serve(
	args: string[],
	out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
	const portText = option(args, 'port') ?? '8787';
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		process.stderr.write(`--port must be a port number, not "${portText}".\n\n${SERVE_USAGE}`);
		return 2;
	}
	const env = process.env;
	const credentials = {
		ak: option(args, 'ak') ?? env.KOOGALLERY_AK ?? DEFAULT_MOCK_CREDENTIALS.ak,
		sk: option(args, 'sk') ?? env.KOOGALLERY_SK ?? DEFAULT_MOCK_CREDENTIALS.sk,
		sellerKey:
			option(args, 'seller-key') ??
			env.KOOGALLERY_SELLER_KEY ??
			env.KOOGALLERY_ACCESS_KEY ??
			DEFAULT_MOCK_CREDENTIALS.sellerKey,
	};
	const mock = await startOpenApiMock({
		port,
		host: option(args, 'host') ?? '127.0.0.1',
		credentials,
	});
	const licenses = [...mockLicenses()].map(([code, license]) => `${code} (${license.state})`);
	out.write(
		[
			`KooGallery Open API mock listening on ${mock.url}`,
			'',
			'In n8n, open the KooGallery Access Key credential and set:',
			`  Site                          Custom Base URL`,
			`  Base URL                      ${mock.url}`,
			`  Access Key ID (AK)            ${credentials.ak}`,
			`  Secret Access Key (SK)        ${credentials.sk}`,
			`  Seller Key (for Usage Push)   ${credentials.sellerKey}`,
			'',
			`Orders it knows (each has the line <order ID>-000001): ${[...mockOrders().keys()].join(', ')}`,
			`License codes: ${licenses.join(', ')}`,
			'',
			'Press Ctrl-C to stop. Requests:',
			'',
		].join('\n'),
	);
	let printed = 0;
	const printNew = () => {
		const calls = mock.calls();
		for (; printed < calls.length; printed++) out.write(`${describeCall(calls[printed])}\n`);
	};
	const timer = setInterval(printNew, 250);
	await new Promise<void>((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	clearInterval(timer);
	printNew();
	await mock.stop();
	out.write('Stopped.\n');
	return 0;
}
