/**
 * Small statistics and formatting helpers shared by the benchmarks.
 */

/** The value at quantile `q` (0..1) of the numbers, nearest-rank on a sorted copy; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil(q * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median (nearest-rank, lower middle for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
	return quantile(values, 0.5);
}

/** The median, the mean of the two middle values for an even count; NaN when empty. */
export function averagedMedian(values: readonly number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A number with `digits` significant figures and thousands separators, or "n/a" for NaN. */
export function formatNumber(value: number, digits = 3): string {
	if (!Number.isFinite(value)) return 'n/a';
	if (value === 0) return '0';
	const magnitude = Math.floor(Math.log10(Math.abs(value)));
	const decimals = Math.max(0, digits - 1 - magnitude);
	return value.toLocaleString('en-US', {
		maximumFractionDigits: decimals,
		minimumFractionDigits: decimals,
	});
}

/** A ratio as "1.23x". */
export function formatRatio(value: number): string {
	return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

/** Milliseconds since an arbitrary origin, with sub-millisecond precision. */
export function nowMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/** Escapes text for a Markdown table cell. */
export function cell(text: string): string {
	return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table from a header row and data rows. */
export function markdownTable(header: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
