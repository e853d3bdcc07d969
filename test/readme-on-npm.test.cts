/**
 * The README is also the page npm and n8n's Community Nodes panel show, outside the repository:
 * its images and the links to the example workflows must be absolute URLs of the repository that
 * package.json names, pointing at files that exist, and its first screen must tell an operator how
 * to install the pack from the panel and where the workflows are, before any developer set-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
/** `owner/name` from package.json's repository URL. */
const repository = /^https:\/\/github\.com\/([^/]+\/[^/.]+)\.git$/.exec(
	manifest.repository.url,
)?.[1];
const GITHUB = `https://github.com/${repository}/`;
const RAW = `https://raw.githubusercontent.com/${repository}/main/`;

/** Targets of Markdown links and images, and of HTML `src`/`href` attributes. */
function targets(markdown: string, images: boolean): string[] {
	const pattern = images
		? /!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]+src="([^"]+)"/g
		: /(?<!!)\[[^\]]*\]\(([^)\s]+)\)|href="([^"]+)"/g;
	return [...markdown.matchAll(pattern)].map((match) => match[1] ?? match[2]);
}

/** The repository file or folder an absolute URL of this repository points at, if it is one. */
function repositoryPath(url: string): string | undefined {
	if (url.startsWith(RAW)) return url.slice(RAW.length);
	const match = new RegExp(`^${GITHUB.replace(/[.]/g, '\\.')}(?:blob|tree)/main/(.+)$`).exec(url);
	return match?.[1];
}

describe('README.md on npm and in n8n', () => {
	it('names the repository of package.json', () => {
		expect(repository).toBe('n8n-nodes-koogallery/n8n-nodes-koogallery');
		expect(manifest.homepage).toBe(`https://github.com/${repository}`);
	});

	it('shows every image from the repository by absolute URL, and each image exists', () => {
		const images = targets(readme, true);
		expect(images.length).toBeGreaterThanOrEqual(2);
		for (const image of images) {
			expect(image.startsWith(RAW)).toBe(true);
			expect(fs.existsSync(path.join(REPO_ROOT, repositoryPath(image)!))).toBe(true);
		}
	});

	it('links every example workflow by absolute URL', () => {
		const links = targets(readme, false);
		const workflows = fs
			.readdirSync(path.join(REPO_ROOT, 'workflows'))
			.filter((file) => file.endsWith('.json'));
		expect(workflows.length).toBeGreaterThanOrEqual(9);
		for (const file of workflows) {
			const linked = links.filter((link) => repositoryPath(link) === `workflows/${file}`);
			expect([file, linked.length > 0]).toEqual([file, true]);
		}
		expect(links.filter((link) => /(^|\/)workflows\//.test(link) && !/^https:/.test(link))).toEqual(
			[],
		);
	});

	it('points every absolute link into the repository at a file or folder that exists', () => {
		const paths = [...targets(readme, false), ...targets(readme, true)]
			.map(repositoryPath)
			.filter((p): p is string => p !== undefined);
		expect(paths.length).toBeGreaterThan(10);
		expect(
			paths.filter((p) => !fs.existsSync(path.join(REPO_ROOT, decodeURIComponent(p)))),
		).toEqual([]);
	});

	it('says first how to install from the Community Nodes panel and where the workflows are', () => {
		const firstDeveloperStep = readme.indexOf('npm ci');
		const install = readme.indexOf('Settings > Community\n   Nodes > Install');
		const packageName = readme.indexOf('`n8n-nodes-koogallery`');
		const workflowsFolder = readme.indexOf(`${GITHUB}tree/main/workflows`);
		expect(firstDeveloperStep).toBeGreaterThan(0);
		for (const position of [install, packageName, workflowsFolder]) {
			expect(position).toBeGreaterThan(0);
			expect(position).toBeLessThan(firstDeveloperStep);
		}
		// Within the first screen: the first 25 lines.
		expect(readme.split('\n').slice(0, 25).join('\n')).toContain('Settings > Community');
	});

	it('states the supported n8n versions that package.json declares', () => {
		expect(manifest.engines.n8n).toBe('>=1.123.0 <3');
		expect(readme).toMatch(/### Supported n8n versions/);
		expect(readme).toMatch(/\| 1\.123\.x \(the last 1\.x line\) +\|/);
		expect(readme).toMatch(/\| 2\.x \(2\.0 and newer\) +\|/);
	});
});
