/** What the simulator checks in every answer, and how it reports a case. */
import type { CallAnswer } from './http.cjs';

export interface CaseResult {
	name: string;
	scenario: string;
	pass: boolean;
	/** Why it failed, or a note when it passed. */
	detail: string;
	ms: number;
}

export type Check = (answer: CallAnswer) => string | undefined;

/**
 * Problems common to every answer: HTTP 200 within KooGallery's 5 s, a valid Body-Sign (when
 * `signatureRequired`; the kit guide shows none, so there a present one must still verify), JSON
 * with a result code.
 */
export function wellFormed(answer: CallAnswer, signatureRequired = true): string | undefined {
	if (answer.status === 0) return `no answer: ${answer.text}`;
	if (answer.status !== 200) return `HTTP ${answer.status} instead of 200`;
	const header = answer.headers['body-sign'];
	if (!header && signatureRequired) return 'no Body-Sign header';
	if (header && !answer.signed) return 'Body-Sign does not match the body with this key';
	if (!answer.json) return `the body is not a JSON object: ${answer.text.slice(0, 80)}`;
	if (typeof answer.json.resultCode !== 'string') return 'no resultCode in the answer';
	if (answer.ms > 5000) return `answered after ${answer.ms} ms; KooGallery gives up after 5000 ms`;
	return undefined;
}

/** Expects one of the result codes (and a well-formed answer). */
export function code(expected: string[], signatureRequired = true): Check {
	return (answer) => {
		const problem = wellFormed(answer, signatureRequired);
		if (problem) return problem;
		const got = answer.json?.resultCode as string;
		return expected.includes(got)
			? undefined
			: `resultCode ${got} (${String(answer.json?.resultMsg ?? '')}) instead of ${expected.join(' or ')}`;
	};
}

/** Collects results in order. */
export class Report {
	readonly results: CaseResult[] = [];

	add(
		name: string,
		scenario: string,
		answer: CallAnswer,
		problem: string | undefined,
		note = '',
	): boolean {
		this.results.push({
			name,
			scenario,
			pass: problem === undefined,
			detail: problem ?? note,
			ms: answer.ms,
		});
		return problem === undefined;
	}
}

/** A fixed-width table of the results, one line per case, and the totals. */
export function formatResults(results: CaseResult[]): string {
	const width = Math.max(...results.map((r) => r.name.length), 10);
	const lines = results.map(
		(r) =>
			`${r.pass ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${String(r.ms).padStart(5)} ms  ${r.detail}`,
	);
	const failed = results.filter((r) => !r.pass).length;
	lines.push('', `${results.length - failed} passed, ${failed} failed`);
	return lines.join('\n');
}
