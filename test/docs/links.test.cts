/**
 * Every reference the repository makes resolves inside the repository:
 *
 * - no comment, Markdown file or example workflow points at the research folder outside it (the
 *   protocol notes live in docs/protocol/);
 * - a comment or document citing a protocol file (`docs/protocol/koogallery-saas-v2.md §4.2`, or
 *   the bare file name) names a file of docs/protocol/ and sections it has; `README.md decision N`
 *   names a decision that exists;
 * - a `docs/...` path in a comment exists;
 * - every local link and image of README.md, README.zh-CN.md and docs/ (and any other Markdown
 *   file) points at a file that exists, and its `#anchor` at a heading of that file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	anchorsOf,
	commentsOf,
	localTargets,
	read,
	REPO_ROOT,
	repositoryFiles,
} from './markdown.cjs';

const PROTOCOL_DIR = 'docs/protocol';
/** The research folder beside the repository; written in pieces so this file does not name it. */
const RESEARCH = ['shared', 'spec', ''].join('/');

const files = repositoryFiles();
const sourceFiles = files.filter((f) => /\.(c|m)?[jt]s$/.test(f) && !f.endsWith('.d.ts'));
const markdownFiles = files.filter((f) => f.endsWith('.md'));
const workflowFiles = files.filter((f) => f.startsWith('workflows/'));

/** What each file says to a reader: the comments of source files, the whole text of the others. */
const texts: Array<{ file: string; text: string }> = [
	...sourceFiles.map((file) => ({ file, text: commentsOf(file).join('\n') })),
	...[...markdownFiles, ...workflowFiles].map((file) => ({ file, text: read(file) })),
];

const exists = (file: string): boolean => fs.existsSync(path.join(REPO_ROOT, file));

/** Section numbers a protocol file has: `## 4.`, `### 4.2`, `### A.2.1`, `### T2.`, `### TV7:`. */
function sectionsOf(file: string): Set<string> {
	const headings = read(file).matchAll(
		/^#{1,4}[ \t]+§?([A-Z]{0,2}\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)(?=[.:\s])/gm,
	);
	return new Set([...headings].map((match) => match[1]));
}

/** The numbered decisions of docs/protocol/README.md. */
function decisionsOf(): Set<string> {
	const text = read(`${PROTOCOL_DIR}/README.md`);
	const decisions = text.slice(text.indexOf('## Decisions')).matchAll(/^(\d+)\. /gm);
	return new Set([...decisions].map((match) => match[1]));
}

const PROTOCOL_FILE =
	/(?:\bdocs\/protocol\/)?\b((?:koogallery-[a-z0-9-]+|n8n-platform|marketplace-practices)\.md)\b/g;
const SECTION_ID = '([A-Z]{0,2}\\d+(?:\\.\\d+)*|[A-Z](?:\\.\\d+)*)(?![\\w.]*\\w)';
const NEXT_SECTION = new RegExp(`^\\s*(?:,|;|and|to|or|–|—|-)?\\s*§${SECTION_ID}`);
const DECISION =
	/(?:\bdocs\/protocol\/README\.md|\bREADME|\bspec),? decisions? (\d+)((?:(?:,|,? and| to|–)\s*\d+)*)/g;

interface Citation {
	file: string;
	cites: string;
}

/** Every protocol citation in a text, with the sections it names: `koogallery-saas-v2.md §4.2, §5`. */
function citations(text: string): Array<{ target: string; sections: string[]; quote: string }> {
	return [...text.matchAll(PROTOCOL_FILE)].map((match) => {
		const sections: string[] = [];
		let rest = text.slice((match.index ?? 0) + match[0].length);
		for (let next = NEXT_SECTION.exec(rest); next; next = NEXT_SECTION.exec(rest)) {
			sections.push(next[1]);
			rest = rest.slice(next[0].length);
		}
		return { target: `${PROTOCOL_DIR}/${match[1]}`, sections, quote: match[0] };
	});
}

describe('references stay inside the repository', () => {
	it('reads comments as comments (a URL in a string is not one, a citation in a comment is)', () => {
		const comments = commentsOf(
			'x.ts',
			"const url = 'https://example.com/a'; // see koogallery-saas-v2.md §4.2\n/** Block */\nconst b = 1; /* end */",
		);
		expect(comments).toEqual(['// see koogallery-saas-v2.md §4.2', '/** Block */', '/* end */']);
	});

	it('no comment, document or workflow points at the research folder outside the repository', () => {
		const outside: Citation[] = [];
		for (const { file, text } of texts) {
			for (const match of text.matchAll(/(?:\.\.\/)+shared\/[\w./-]*/g)) {
				const resolved = path.relative(
					REPO_ROOT,
					path.resolve(REPO_ROOT, path.dirname(file), match[0]),
				);
				if (resolved.startsWith('..') || !exists(resolved)) outside.push({ file, cites: match[0] });
			}
			if (text.includes(RESEARCH)) outside.push({ file, cites: RESEARCH });
		}
		expect(outside).toEqual([]);
	});

	it('every cited protocol file and section exists in docs/protocol/', () => {
		const sections = new Map<string, Set<string>>();
		const broken: Citation[] = [];
		let checked = 0;
		for (const { file, text } of texts) {
			for (const citation of citations(text)) {
				checked += 1;
				if (!exists(citation.target)) {
					broken.push({ file, cites: citation.quote });
					continue;
				}
				if (!sections.has(citation.target))
					sections.set(citation.target, sectionsOf(citation.target));
				for (const section of citation.sections) {
					if (!sections.get(citation.target)!.has(section))
						broken.push({ file, cites: `${citation.quote} §${section}` });
				}
			}
		}
		expect(broken).toEqual([]);
		// The code cites the protocol notes dozens of times; finding none would mean the pattern broke.
		expect(checked).toBeGreaterThan(50);
	});

	it('every cited decision exists in docs/protocol/README.md', () => {
		const decisions = decisionsOf();
		expect([...decisions].map(Number)).toEqual(
			Array.from({ length: decisions.size }, (_, i) => i + 1),
		);
		const broken: Citation[] = [];
		for (const { file, text } of texts) {
			for (const match of text.matchAll(DECISION)) {
				const numbers = [match[1], ...(match[2].match(/\d+/g) ?? [])];
				for (const n of numbers) if (!decisions.has(n)) broken.push({ file, cites: match[0] });
			}
		}
		expect(broken).toEqual([]);
	});

	it('every docs/ path named in a comment exists', () => {
		const missing: Citation[] = [];
		for (const { file, text } of texts.filter((t) => sourceFiles.includes(t.file))) {
			for (const match of text.matchAll(/(?<![\w./-])docs\/[\w./-]*\w/g)) {
				if (!exists(match[0])) missing.push({ file, cites: match[0] });
			}
		}
		expect(missing).toEqual([]);
	});

	it('the protocol notes have the sections the checker expects (a file per research file)', () => {
		expect(files.filter((f) => f.startsWith(`${PROTOCOL_DIR}/`)).sort()).toEqual(
			[
				'README.md',
				'koogallery-agents-apig.md',
				'koogallery-joint-license.md',
				'koogallery-openapi-v1.md',
				'koogallery-saas-v2.md',
				'n8n-platform.md',
			].map((name) => `${PROTOCOL_DIR}/${name}`),
		);
		expect(sectionsOf(`${PROTOCOL_DIR}/koogallery-saas-v2.md`)).toEqual(
			new Set([
				'0',
				'1',
				'2',
				'2.1',
				'2.2',
				'2.3',
				'3',
				'4',
				'4.0',
				'4.1',
				'4.2',
				'4.3',
				'4.4',
				'4.5',
				'4.6',
				'4.7',
				'4.8',
				'5',
				'5.1',
				'5.2',
				'6',
				'T1',
				'T2',
			]),
		);
	});
});

describe('Markdown links and images', () => {
	const docs = markdownFiles.filter((f) => !f.startsWith('test/'));

	it('covers both READMEs and docs/', () => {
		expect(docs).toEqual(
			expect.arrayContaining(['README.md', 'README.zh-CN.md', `${PROTOCOL_DIR}/README.md`]),
		);
	});

	it('every local link and image points at an existing file and heading', () => {
		const broken: Array<{ file: string; target: string }> = [];
		let checked = 0;
		for (const file of docs) {
			for (const target of localTargets(read(file))) {
				checked += 1;
				const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
				const linked =
					pathPart === ''
						? file
						: path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(pathPart)));
				if (linked.startsWith('..') || !exists(linked)) {
					broken.push({ file, target });
					continue;
				}
				if (
					anchor !== undefined &&
					linked.endsWith('.md') &&
					!anchorsOf(read(linked)).has(decodeURIComponent(anchor))
				) {
					broken.push({ file, target });
				}
			}
		}
		expect(broken).toEqual([]);
		expect(checked).toBeGreaterThan(10);
	});

	it('finds links the way GitHub renders them (a link in code is not one; anchors are GitHub slugs)', () => {
		const sample = [
			'# Selling an AI agent or API (Agents网关 / APIG网关 products)',
			'## Set up',
			'## Set up',
			'See [x](docs/a.md#b), ![shot](docs/s.png "title"), <img src="i.svg">, [web](https://x.y), `[not](c.md)`.',
			'```',
			'[also not](d.md)',
			'```',
		].join('\n');
		expect(localTargets(sample)).toEqual(['docs/a.md#b', 'docs/s.png', 'i.svg']);
		expect(anchorsOf(sample)).toEqual(
			new Set(['selling-an-ai-agent-or-api-agents网关--apig网关-products', 'set-up', 'set-up-1']),
		);
	});
});
