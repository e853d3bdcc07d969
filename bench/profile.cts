/**
 * Where n8n spends its CPU on a KooGallery call: runs the load bench's SQLite set-up with n8n under
 * V8's CPU profiler, offers the same low rate (default 10 a second for 20 s, new purchases only)
 * first to n8n's own Webhook -> Respond to Webhook and then to the PostgreSQL example, and prints
 * the CPU milliseconds n8n's main process used per call for each, then the profile's heaviest
 * functions and packages over both runs.
 *
 *   node --require tsx/cjs bench/profile.cts [--rate=10] [--duration=20] [--mix=newInstance]
 *        [--env=NAME=value,...] [--workflow=FILE] [--no-profile] [--top=40]
 *
 * `--env` adds to n8n's environment (for example N8N_EXPRESSION_ENGINE=legacy); `--workflow` replaces
 * the example with another workflow file (it must create the example's tables, as the example does).
 *
 * A diagnostic for making the example cheaper; it judges nothing and writes no results file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { formatLoadResult, runLoad, type LoadScenario } from '../scripts/load-generator.cjs';
import { warmUp } from './load-run.cjs';
import { SECRETS, startEnvironment } from './load-setup.cjs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Self time per function and per package (node_modules/<name>, or the file's folder). */
export function summariseProfile(file: string, top: number): string {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => {
		self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
	});
	const fn = new Map<string, number>();
	const pkg = new Map<string, number>();
	let total = 0;
	for (const [id, us] of self) {
		const node = byId.get(id);
		if (!node) continue;
		total += us;
		const { functionName, url, lineNumber } = node.callFrame;
		const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');
		const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
		fn.set(key, (fn.get(key) ?? 0) + us);
		// The innermost node_modules package of the file, else the kind of code.
		const inPackage = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop()?.[1];
		const other = url.startsWith('node:') ? url : url ? '(other file)' : `(${functionName})`;
		const p = inPackage ?? other;
		pkg.set(p, (pkg.get(p) ?? 0) + us);
	}
	const rows = (map: Map<string, number>) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(
				([k, us]) =>
					`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
			)
			.join('\n');
	return `total ${(total / 1000).toFixed(0)} ms sampled\n\nby package:\n${rows(pkg)}\n\nby function (self):\n${rows(fn)}`;
}

async function main(): Promise<void> {
	const arg = (name: string) =>
		process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const rate = Number(arg('rate') ?? 10);
	const durationMs = Number(arg('duration') ?? 20) * 1000;
	const scenarios = (arg('mix') ?? 'newInstance').split(',') as LoadScenario[];
	const mix = Object.fromEntries(
		(
			[
				'newInstance',
				'queryInstance',
				'refreshInstance',
				'updateInstanceStatus',
				'upgradeInstance',
				'releaseInstance',
			] as LoadScenario[]
		).map((s) => [s, scenarios.includes(s) ? 1 : 0]),
	);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-profile-'));
	const extraEnv = Object.fromEntries(
		(arg('env') ?? '')
			.split(',')
			.filter(Boolean)
			.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
	);
	const profiling = !process.argv.includes('--no-profile');
	if (profiling) extraEnv.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${dir}`;
	const env = await startEnvironment('sqlite', { extraEnv, workflowFile: arg('workflow') });
	try {
		await warmUp(env, mix);
		for (const [name, urls, plain] of [
			['baseline (Webhook -> Respond to Webhook)', env.baselineUrls, true],
			['pack (PostgreSQL example)', env.packUrls, false],
		] as const) {
			const result = await runLoad({
				urls,
				key: SECRETS.sellerKey,
				rate,
				durationMs,
				plain,
				mix,
				rssPids: env.pids,
			});
			console.log(`${name}:\n${formatLoadResult(result)}`);
		}
	} finally {
		await env.stop();
	}
	if (!profiling) return;
	const profiles = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	const main = profiles
		.map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size }))
		.sort((a, b) => b.size - a.size)[0];
	if (!main) throw new Error(`no CPU profile written in ${dir}`);
	console.log(`\nprofile ${path.join(dir, main.f)} (of ${profiles.length})`);
	console.log(summariseProfile(path.join(dir, main.f), Number(arg('top') ?? 40)));
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
