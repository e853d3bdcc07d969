/**
 * What the documentation tests read from the repository: its files, the comments of its source
 * files, and the parts of a Markdown file (code blocks, headings and their anchors, links).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as ts from 'typescript';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Folders that are not the project's own text. */
const SKIPPED = new Set(['node_modules', 'dist', '.git']);

/** Every file of the repository (relative, with `/`), generated folders left out. */
export function repositoryFiles(dir = REPO_ROOT): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		if (SKIPPED.has(entry.name)) return [];
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return repositoryFiles(full);
		return [path.relative(REPO_ROOT, full).split(path.sep).join('/')];
	});
}

export const read = (file: string): string => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** The text of every comment in a TypeScript or JavaScript source file, read by the TypeScript parser. */
export function commentsOf(file: string, text = read(file)): string[] {
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const comments = new Map<number, string>();
	const collect = (ranges: ts.CommentRange[] | undefined) => {
		for (const range of ranges ?? []) comments.set(range.pos, text.slice(range.pos, range.end));
	};
	const visit = (node: ts.Node) => {
		collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
		collect(ts.getTrailingCommentRanges(text, node.getEnd()));
		for (const child of node.getChildren(source)) visit(child);
	};
	visit(source);
	return [...comments].sort(([a], [b]) => a - b).map(([, comment]) => comment);
}

export interface CodeBlock {
	language: string;
	text: string;
}

/** A fenced code block, also indented inside a list item. */
const FENCE = /^[ \t]*```([^\n`]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;

/** The fenced code blocks of a Markdown text, in order, each line without its indentation. */
export function codeBlocks(markdown: string): CodeBlock[] {
	return [...markdown.matchAll(FENCE)].map((match) => ({
		language: match[1].trim(),
		text: match[2].replace(/^[ \t]+/gm, ''),
	}));
}

/** Markdown text without its fenced code blocks. */
export const withoutFences = (markdown: string): string => markdown.replace(FENCE, '');

/** Markdown text without its code (fenced blocks and inline code spans), where links are not links. */
export const withoutCode = (markdown: string): string =>
	withoutFences(markdown).replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
	const plain = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
	return plain
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: one per heading, repeated headings numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const count = new Map<string, number>();
	for (const match of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
		const slug = headingSlug(match[1]);
		const n = count.get(slug) ?? 0;
		count.set(slug, n + 1);
		anchors.add(n === 0 ? slug : `${slug}-${n}`);
	}
	return anchors;
}

/** Local link and image targets of a Markdown text (web addresses left out). */
export function localTargets(markdown: string): string[] {
	const text = withoutCode(markdown);
	const targets = [
		...[...text.matchAll(/!?\[(?:[^\]]|\][^(])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
			(m) => m[1],
		),
		...[...text.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
	];
	return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}
