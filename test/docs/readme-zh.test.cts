/**
 * The Chinese operator's guide (README.zh-CN.md) gives the same commands and file names as the
 * English README: the same shell blocks in the same order (comments, which are translated, left
 * out), the same commands written inline, and the same example workflow files. The two READMEs
 * link to each other from their first line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { codeBlocks, read, REPO_ROOT, withoutCode, withoutFences } from './markdown.cjs';

const english = read('README.md');
const chinese = read('README.zh-CN.md');

const SHELL = new Set(['bash', 'sh', 'shell', 'console']);

/** The shell blocks of a README, each as its command lines: comments and blank lines dropped. */
const shellBlocks = (markdown: string): string[][] =>
	codeBlocks(markdown)
		.filter((block) => SHELL.has(block.language))
		.map((block) =>
			block.text
				.split('\n')
				.map((line) => line.replace(/(^|\s+)#\s.*$/, '').trimEnd())
				.filter((line) => line !== ''),
		);

/** Commands written inline (`npm …`, `npx …`, `node …`, `bash …`). */
const inlineCommands = (markdown: string): string[] =>
	[
		...new Set(
			[...withoutFences(markdown).matchAll(/`((?:npm|npx|node|bash)\s[^`]+)`/g)].map((match) =>
				match[1].replace(/\s+/g, ' '),
			),
		),
	].sort();

/** The example workflow files (and their SQL) a README names. */
const exampleFiles = (markdown: string): string[] =>
	[
		...new Set(
			[...markdown.matchAll(/\bkoogallery-[a-z0-9-]+\.(?:json|sql)\b/g)].map((match) => match[0]),
		),
	].sort();

describe('README.zh-CN.md and README.md', () => {
	it('link to each other from their first line', () => {
		expect(english.split('\n')[0]).toContain('](README.zh-CN.md)');
		expect(chinese.split('\n')[0]).toContain('](README.md)');
	});

	it('have the same shell blocks, in the same order', () => {
		const blocks = shellBlocks(english);
		expect(blocks.length).toBeGreaterThanOrEqual(5);
		expect(shellBlocks(chinese)).toEqual(blocks);
	});

	it('write the same commands inline', () => {
		const commands = inlineCommands(english);
		expect(commands).toContain('npm run sim -- serve');
		expect(inlineCommands(chinese)).toEqual(commands);
	});

	it('name the same example workflow files, every one of workflows/', () => {
		const files = exampleFiles(english);
		expect(exampleFiles(chinese)).toEqual(files);
		const shipped = fs
			.readdirSync(path.join(REPO_ROOT, 'workflows'))
			.filter((name) => name.endsWith('.json'));
		expect(files).toEqual(expect.arrayContaining(shipped));
	});

	it('the Chinese guide is written in Chinese, not a copy of the English', () => {
		const prose = withoutCode(chinese);
		const han = prose.match(/\p{Script=Han}/gu) ?? [];
		expect(han.length).toBeGreaterThan(prose.length / 5);
	});
});
