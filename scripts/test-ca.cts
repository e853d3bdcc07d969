/**
 * A throw-away certificate authority for the HTTPS tests, made with Debian's `openssl` command:
 * a root CA, an intermediate CA signed by it, and a server certificate for one domain signed by
 * the intermediate, the shape a real authority (Let's Encrypt, or one sold in Huawei Cloud's SSL
 * Certificate Manager) delivers. A client that trusts only the root accepts the server only when
 * the server sends its full chain (server certificate, then intermediate).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The files `makeTestCa` wrote. */
export interface TestCa {
	/** The root certificate (PEM): what a client is told to trust. */
	rootPem: string;
	/** Server certificate followed by the intermediate (PEM), as in Let's Encrypt's fullchain.pem. */
	fullChainFile: string;
	/** The server certificate's private key (PEM, unencrypted), as in privkey.pem. */
	keyFile: string;
}

function openssl(dir: string, args: string[]): void {
	const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr || String(result.error)}`);
	}
}

/** Writes a root CA, an intermediate and a server certificate for `domain` into `dir`. */
export function makeTestCa(dir: string, domain: string): TestCa {
	fs.mkdirSync(dir, { recursive: true });
	const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
	write(
		'ca.ext',
		'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
	);
	write(
		'server.ext',
		`subjectAltName=DNS:${domain}\nbasicConstraints=critical,CA:FALSE\n` +
			'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
	);
	const key = (name: string) => ['-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`];
	openssl(dir, [
		'req',
		'-x509',
		...key('root'),
		'-out',
		'root.pem',
		'-days',
		'7',
		'-subj',
		'/CN=KooGallery test root CA',
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
	]);
	openssl(dir, [
		'req',
		...key('intermediate'),
		'-out',
		'intermediate.csr',
		'-subj',
		'/CN=KooGallery test intermediate CA',
	]);
	openssl(dir, [
		'x509',
		'-req',
		'-in',
		'intermediate.csr',
		'-CA',
		'root.pem',
		'-CAkey',
		'root.key',
		'-CAcreateserial',
		'-out',
		'intermediate.pem',
		'-days',
		'7',
		'-extfile',
		'ca.ext',
	]);
	openssl(dir, ['req', ...key('server'), '-out', 'server.csr', '-subj', `/CN=${domain}`]);
	openssl(dir, [
		'x509',
		'-req',
		'-in',
		'server.csr',
		'-CA',
		'intermediate.pem',
		'-CAkey',
		'intermediate.key',
		'-CAcreateserial',
		'-out',
		'server.pem',
		'-days',
		'7',
		'-extfile',
		'server.ext',
	]);
	const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
	write('fullchain.pem', read('server.pem') + read('intermediate.pem'));
	return {
		rootPem: read('root.pem'),
		fullChainFile: path.join(dir, 'fullchain.pem'),
		keyFile: path.join(dir, 'server.key'),
	};
}
