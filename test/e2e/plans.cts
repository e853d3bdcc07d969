/** What the end-to-end tests expect of a simulator plan played against a real n8n. */
import { formatResults, type CaseResult } from '../../simulator/checks.cjs';

/** Every case passed (the whole table is printed when one did not), and at least `minimum` cases ran. */
export function expectAllPass(results: CaseResult[], minimum: number): void {
	const failures = results.filter((r) => !r.pass);
	if (failures.length) process.stderr.write(`${formatResults(results)}\n`);
	expect(failures.map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
	expect(results.length).toBeGreaterThanOrEqual(minimum);
}
