/**
 * `npm run sim -- serve`: the simulator CLI runs the Open API mock as a process, tells the user
 * what to put into the credential, accepts a request signed the way the credential signs it (and
 * refuses one signed with another SK), prints one line per request, and stops cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import { OPEN_API_PATHS } from '../../core/openapi-endpoints';
import { signOpenApiRequest } from '../../core/openapi-request';
import { freePort } from '../../scripts/n8n-http.cjs';
import { TV8_ANSWER } from '../../simulator/openapi-mock-data.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const AK = 'SERVETESTAK000000001';
const SK = 'serve-test-secret-key';

describe('npm run sim -- serve', () => {
	let child: ChildProcess;
	let output = '';
	let port: number;
	const exited = () =>
		new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	/** Resolves once the process has printed `text`; fails if it exits first. */
	const waitForOutput = (text: string) =>
		new Promise<void>((resolve, reject) => {
			const check = () => {
				if (!output.includes(text)) return;
				stop();
				resolve();
			};
			const onExit = (code: number | null) => {
				stop();
				reject(new Error(`exited (${code}) without "${text}" in:\n${output}`));
			};
			const stop = () => {
				child.stdout?.off('data', check);
				child.stderr?.off('data', check);
				child.off('exit', onExit);
			};
			child.stdout?.on('data', check);
			child.stderr?.on('data', check);
			child.once('exit', onExit);
			check();
		});
	const query = (sk: string, orderId: string) => {
		const signed = signOpenApiRequest(
			{ accessKeyId: AK, secretAccessKey: sk, site: 'custom', baseUrl: `http://127.0.0.1:${port}` },
			{ method: 'GET', url: OPEN_API_PATHS.orderQuery, qs: { orderId } },
		);
		return fetch(signed.url, { method: 'GET', headers: signed.headers });
	};

	beforeAll(async () => {
		port = await freePort();
		child = spawn(
			process.execPath,
			[
				'--require',
				'tsx/cjs',
				'simulator/cli.cts',
				'serve',
				'--port',
				String(port),
				'--ak',
				AK,
				'--sk',
				SK,
				'--seller-key',
				'serve-seller-key',
			],
			{ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		// Starting tsx and compiling the simulator takes long on a busy machine.
		await waitForOutput('Press Ctrl-C to stop.');
	}, 180_000);

	afterAll(() => {
		if (child.exitCode === null) child.kill('SIGKILL');
	});

	it('prints the values for the KooGallery Access Key credential and the mock orders', () => {
		expect(output).toContain(`KooGallery Open API mock listening on http://127.0.0.1:${port}`);
		expect(output).toMatch(new RegExp(`Base URL +http://127\\.0\\.0\\.1:${port}\\n`));
		expect(output).toMatch(new RegExp(`Access Key ID \\(AK\\) +${AK}\\n`));
		expect(output).toMatch(new RegExp(`Secret Access Key \\(SK\\) +${SK}\\n`));
		expect(output).toMatch(/Seller Key \(for Usage Push\) +serve-seller-key\n/);
		expect(output).toContain('MOCKPERIODYEARNEW');
	});

	it('answers a request signed with the AK/SK it was given, refuses another SK, and prints each request', async () => {
		const answer = await query(SK, 'MOCKPERIODYEARNEW');
		expect(answer.status).toBe(200);
		expect(await answer.text()).toBe(TV8_ANSWER);
		const refused = await query(`${SK}-other`, 'MOCKPERIODYEARNEW');
		expect(refused.status).toBe(401);
		expect(((await refused.json()) as { resultCode: string }).resultCode).toBe('MKT.0154');
		await waitForOutput('Order > Get MOCKPERIODYEARNEW: 401 MKT.0154');
		expect(output).toMatch(/\d\d:\d\d:\d\d Order > Get MOCKPERIODYEARNEW: 200 MKT\.0000\n/);
	});

	it('stops on Ctrl-C with exit code 0 and frees the port', async () => {
		const done = exited();
		child.kill('SIGINT');
		expect(await done).toBe(0);
		expect(output).toContain('Stopped.');
		await expect(query(SK, 'MOCKPERIODYEARNEW')).rejects.toThrow();
	});
});
