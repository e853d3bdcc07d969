/**
 * The simulator reaches a production URL over HTTPS the way KooGallery must: the server's
 * certificate is checked (trusted authority, valid for the URL's domain, full chain sent), a test
 * CA can be trusted instead of Node's list (`--ca`), and a domain can be pointed at an address
 * without DNS (`--resolve`). A local node:https server with certificates from scripts/test-ca.cts.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { bodySignHeader } from '../../core/body-sign';
import { makeTestCa, type TestCa } from '../../scripts/test-ca.cjs';
import { sendHttp, useConnection } from '../../simulator/http.cjs';

const DOMAIN = 'koogallery.test';
const KEY = 'http-test-seller-key';

describe('simulator HTTPS connections', () => {
	let dir: string;
	let ca: TestCa;
	const servers: https.Server[] = [];

	/** An HTTPS server answering every POST with its body, signed; `chain` false sends the server certificate alone. */
	const serve = async (chain = true): Promise<number> => {
		const fullChain = fs.readFileSync(ca.fullChainFile, 'utf8');
		const cert = chain
			? fullChain
			: fullChain.slice(0, fullChain.indexOf('-----END CERTIFICATE-----') + 26);
		const server = https.createServer(
			{ cert, key: fs.readFileSync(ca.keyFile) },
			(request, response) => {
				const chunks: Buffer[] = [];
				request.on('data', (chunk: Buffer) => chunks.push(chunk));
				request.on('end', () => {
					const body = Buffer.concat(chunks);
					response.writeHead(200, {
						'content-type': 'application/json',
						'body-sign': bodySignHeader(KEY, body),
					});
					response.end(body);
				});
			},
		);
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return (server.address() as AddressInfo).port;
	};
	const post = (url: string) =>
		sendHttp(
			{
				method: 'POST',
				url,
				headers: { 'content-type': 'application/json' },
				body: '{"customerName":"华为云 客户 ✓"}',
			},
			KEY,
		);

	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-http-test-'));
		ca = makeTestCa(dir, DOMAIN);
	});
	afterEach(() => useConnection({}));
	afterAll(async () => {
		await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('reaches the domain at the address given, trusting the given CA: exact bytes, signature checked', async () => {
		const port = await serve();
		useConnection({ ca: ca.rootPem, resolve: { [DOMAIN]: '127.0.0.1' } });
		const answer = await post(`https://${DOMAIN}:${port}/webhook/koogallery/saas`);
		expect([answer.status, answer.signed, answer.json]).toEqual([
			200,
			true,
			{ customerName: '华为云 客户 ✓' },
		]);
	});

	it('refuses a certificate from an authority it was not told to trust', async () => {
		const port = await serve();
		useConnection({ resolve: { [DOMAIN]: '127.0.0.1' } });
		const answer = await post(`https://${DOMAIN}:${port}/`);
		expect(answer.status).toBe(0);
		expect(answer.text).toMatch(/certificate/i);
	});

	it('refuses the server by IP address: the certificate names the domain (KooGallery calls domains only)', async () => {
		const port = await serve();
		useConnection({ ca: ca.rootPem });
		const answer = await post(`https://127.0.0.1:${port}/`);
		expect(answer.status).toBe(0);
		expect(answer.text).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
	});

	it('refuses a server that sends its certificate without the intermediate (no full chain)', async () => {
		const port = await serve(false);
		useConnection({ ca: ca.rootPem, resolve: { [DOMAIN]: '127.0.0.1' } });
		const answer = await post(`https://${DOMAIN}:${port}/`);
		expect(answer.status).toBe(0);
		expect(answer.text).toMatch(/unable to (get|verify)/);
	});
});
