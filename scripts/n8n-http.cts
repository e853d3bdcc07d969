/**
 * The HTTP part of the real-n8n harness: free ports on 127.0.0.1, and requests to n8n that keep
 * the exact bytes of the answer. The other parts: scripts/n8n-install.cts, scripts/n8n-process.cts,
 * scripts/n8n-database.cts.
 */
import * as http from 'node:http';
import * as net from 'node:net';

/** Finds a TCP port on 127.0.0.1 that is free right now. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** True if nothing listens on 127.0.0.1:port. */
export async function isPortFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** An HTTP answer with its exact body bytes. */
export interface HttpAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/**
 * Sends one HTTP request with node:http (no proxy, no re-serialisation: `body` goes out byte for
 * byte) and returns the answer with its raw body.
 */
export function sendRequest(
	url: string,
	options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			url,
			{ method: options.method ?? 'GET', headers: options.headers },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						headers: response.headers,
						body: Buffer.concat(chunks),
					}),
				);
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.setTimeout(60_000, () => request.destroy(new Error(`timeout on ${url}`)));
		request.end(options.body);
	});
}

/** GETs a URL on the local n8n and returns its status code (0 if the connection failed). */
export function httpStatus(url: string): Promise<number> {
	return new Promise((resolve) => {
		const request = http.get(url, (response) => {
			response.resume();
			response.on('end', () => resolve(response.statusCode ?? 0));
		});
		request.on('error', () => resolve(0));
		request.setTimeout(5000, () => request.destroy());
	});
}
