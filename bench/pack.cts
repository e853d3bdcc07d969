/**
 * Packs the built pack once per benchmark run, so every n8n instance of the run installs the same
 * tarball even if `dist/` is rebuilt meanwhile (other work on the same machine may rebuild it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { packRepo } from '../scripts/n8n-install.cjs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Packs the repository into a fresh temporary folder and returns the tarball path. A build that
 * is running right now leaves `dist/` incomplete for a moment, so a failed pack is retried a few
 * times before giving up.
 */
export async function packOnce(log: (line: string) => void): Promise<string> {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-bench-pack-'));
	for (let attempt = 1; ; attempt++) {
		try {
			const tarball = packRepo(folder);
			log(`packed ${path.basename(tarball)}`);
			return tarball;
		} catch (error) {
			if (attempt >= 5) throw error;
			log(
				`pack attempt ${attempt} failed (${(error as Error).message.split('\n')[0]}); retrying in 5 s`,
			);
			await sleep(5000);
		}
	}
}
