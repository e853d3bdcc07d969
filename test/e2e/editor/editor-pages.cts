/// <reference lib="dom" />
/**
 * What a seller sees in n8n 2.41.1's editor, read from the page the way a person reads it: the
 * canvas nodes with their icon, name, subtitle and warning badges, the node panel (NDV) with its
 * parameters, notices, webhook URLs and tooltips, and the credential dialog. Selectors are n8n's
 * own `data-test-id` attributes (the ones n8n's Playwright tests use), checked against 2.41.1.
 */
import type { Locator, Page } from 'playwright-core';

/** One node as the canvas draws it. */
export interface CanvasNode {
	name: string;
	type: string;
	/** `src` of the node's icon image, if it is an image. */
	iconSrc: string | null;
	/** True when that image decoded (a broken or missing SVG has no natural width). */
	iconLoaded: boolean;
	label: string;
	subtitle: string;
	/** n8n's warning badges on the node: `node-not-installed`, `node-issues`, `node-setup-required`. */
	badges: string[];
}

/** The warning badges n8n puts on a canvas node (CanvasNodeStatusIcons in n8n's editor). */
export const WARNING_BADGES = ['node-not-installed', 'node-issues', 'node-setup-required'];

/** Opens a workflow in the editor and waits until its canvas has drawn `nodeCount` nodes. */
export async function openWorkflow(
	page: Page,
	baseUrl: string,
	id: string,
	nodeCount: number,
): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
	await page.waitForFunction(
		(count) => document.querySelectorAll('[data-test-id="canvas-node"]').length >= count,
		nodeCount,
	);
	// Node icons load after the canvas is drawn (slowly on a busy machine): wait until the browser
	// is done with each, loaded or broken; canvasNodes then tells which loaded.
	await page.waitForFunction(() =>
		Array.from(
			document.querySelectorAll<HTMLImageElement>(
				'[data-test-id="canvas-node"] .n8n-node-icon img',
			),
		).every((image) => image.complete),
	);
	await dismissPopups(page);
}

/** Closes n8n's own pop-ups (the "Production Checklist" suggestions) that cover the canvas. */
export async function dismissPopups(page: Page): Promise<void> {
	const close = page.locator('[data-test-id="suggested-actions-close"]');
	if (await close.isVisible().catch(() => false)) await close.click();
}

/** Every node on the canvas, sticky notes excepted. */
export async function canvasNodes(page: Page): Promise<CanvasNode[]> {
	return await page.$$eval(
		'[data-test-id="canvas-node"]',
		(elements, badgeIds) =>
			elements.map((element) => {
				const image = element.querySelector<HTMLImageElement>('.n8n-node-icon img');
				const text = (selector: string) =>
					(element.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();
				return {
					name: element.getAttribute('data-node-name') ?? '',
					type: element.getAttribute('data-node-type') ?? '',
					iconSrc: image?.getAttribute('src') ?? null,
					iconLoaded: Boolean(image && image.complete && image.naturalWidth > 0),
					label: text('[class*="_description_"] [class*="_label_"]'),
					subtitle: text('[class*="_description_"] [class*="_subtitle_"]'),
					badges: badgeIds.filter((id) => element.querySelector(`[data-test-id="${id}"]`) !== null),
				};
			}),
		WARNING_BADGES,
	);
}

/**
 * The text of the tooltip n8n shows when the pointer rests on `target`. For a parameter label, that
 * is the description behind the label's info icon, which appears only while the label is hovered.
 */
export async function tooltipOf(page: Page, target: Locator): Promise<string> {
	await target.hover();
	const infoIcon = target.locator('[class*="_infoIcon_"]');
	if ((await infoIcon.count()) > 0) await infoIcon.first().hover();
	const tooltip = page.locator('.n8n-tooltip:visible').last();
	await tooltip.waitFor();
	return (await tooltip.innerText()).replace(/\s+/g, ' ').trim();
}

/** One output label as the canvas draws it. */
export interface OutputLabel {
	text: string;
	/** False when n8n cuts the label short ("Query Instanc…"): its text is wider than the room it gets. */
	fits: boolean;
}

/** The labels of a node's output handles on the canvas, in output order, read from the rendered DOM. */
export async function outputLabels(page: Page, nodeName: string): Promise<OutputLabel[]> {
	return await page.$$eval(
		`[data-test-id="canvas-node-output-handle"][data-node-name="${nodeName}"]`,
		(handles) =>
			handles
				.map((handle) => {
					// n8n 2.41.1: CanvasHandleMainOutput's label, cut with an ellipsis beyond its max-width.
					const label = handle.querySelector<HTMLElement>('[class*="_outputLabel_"]');
					return {
						index: Number(handle.getAttribute('data-index')),
						text: (label?.textContent ?? '').replace(/\s+/g, ' ').trim(),
						fits: label !== null && label.scrollWidth <= label.clientWidth,
					};
				})
				.sort((a, b) => a.index - b.index)
				.map(({ text, fits }) => ({ text, fits })),
	);
}

/** Zooms the canvas in around a node (as a person does with Ctrl and the mouse wheel). */
export async function zoomTo(page: Page, nodeName: string, steps = 5): Promise<void> {
	const box = await page
		.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`)
		.boundingBox();
	if (!box) throw new Error(`node "${nodeName}" is not on the canvas`);
	await page.mouse.move(box.x + box.width / 2 + 300, box.y + box.height / 2);
	for (let step = 0; step < steps; step++) {
		await page.keyboard.down('Control');
		await page.mouse.wheel(0, -100);
		await page.keyboard.up('Control');
		await page.waitForTimeout(150);
	}
	// The minimap n8n shows while the pointer zooms fades out once the pointer has left the canvas.
	await page.mouse.move(1, 1);
	await page.waitForTimeout(2000);
}

/** Number of connections drawn on the canvas. */
export async function edgeCount(page: Page): Promise<number> {
	return await page.locator('[data-test-id="edge"]').count();
}

/** Opens a node's panel (NDV) by double-clicking it on the canvas. */
export async function openNode(page: Page, nodeName: string): Promise<Locator> {
	const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
	// n8n sometimes lays a pill over the middle of a small canvas; the double click is what counts.
	await node.dblclick({ timeout: 5000 }).catch(async () => await node.dispatchEvent('dblclick'));
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.locator('[data-test-id="node-parameters"]').waitFor();
	return ndv;
}

/** A parameter or notice shown in the node panel, in the order the panel shows them. */
export interface ShownParameter {
	/** The parameter name (`label[for]`), or `notice` for a notice. */
	name: string;
	/** The label or the notice text. */
	text: string;
}

/**
 * The parameters and notices the Parameters tab of the open panel shows, top to bottom (the
 * credential selector and the Settings tab are not included).
 */
export async function shownParameters(ndv: Locator): Promise<ShownParameter[]> {
	return await ndv.locator('[data-test-id="node-parameters"]').evaluate((root) => {
		const visible = (element: Element) => (element as HTMLElement).offsetParent !== null;
		const list = root.querySelector('.parameter-input-list-wrapper');
		if (!list) return [];
		const items = list.querySelectorAll(':scope > * label[for], :scope > * [role="alert"]');
		const shown: Array<{ name: string; text: string }> = [];
		for (const item of Array.from(items)) {
			if (!visible(item)) continue;
			// Labels of fields inside collections belong to the collection listed already.
			if (
				item.tagName === 'LABEL' &&
				item.closest('[class*="_collectionParameter_"], .fixed-collection-parameter')
			)
				continue;
			const text = (item.textContent ?? '').replace(/\s+/g, ' ').trim();
			shown.push(
				item.tagName === 'LABEL'
					? { name: item.getAttribute('for') ?? '', text }
					: { name: 'notice', text },
			);
		}
		return shown;
	});
}

/** The visible options of the open drop-down, by their headline (an option's first line). */
async function openOptions(page: Page): Promise<{ options: Locator; texts: string[] }> {
	const options = page.locator('.el-select-dropdown__item[role="option"]:visible');
	await options.first().waitFor();
	const texts = await options.evaluateAll((elements) =>
		elements.map((element) =>
			((element.querySelector('.option-headline') ?? element).textContent ?? '').trim(),
		),
	);
	return { options, texts };
}

/** Picks `optionText` in the drop-down of parameter `name` of the open panel. */
export async function selectOption(
	page: Page,
	ndv: Locator,
	name: string,
	optionText: string,
): Promise<void> {
	await ndv.locator(`[data-test-id="parameter-input-${name}"]`).click();
	const { options, texts } = await openOptions(page);
	const index = texts.indexOf(optionText);
	if (index === -1)
		throw new Error(`"${name}" has no option "${optionText}"; it offers ${JSON.stringify(texts)}`);
	await options.nth(index).click();
	await options
		.first()
		.waitFor({ state: 'hidden' })
		.catch(() => undefined);
}

/** The option texts of drop-down parameter `name` of the open panel (opens and closes it). */
export async function optionTexts(page: Page, ndv: Locator, name: string): Promise<string[]> {
	// Clicked at the chevron: the middle of a multi-select may be the "x" of a chosen value.
	const input = ndv.locator(`[data-test-id="parameter-input-${name}"]`);
	const box = await input.boundingBox();
	await input.click(
		box ? { position: { x: box.width - 14, y: Math.min(box.height / 2, 18) } } : undefined,
	);
	const { options, texts } = await openOptions(page);
	await page.keyboard.press('Escape');
	await options
		.first()
		.waitFor({ state: 'hidden' })
		.catch(() => undefined);
	return texts;
}

/** Turns the boolean parameter `name` of the open panel on or off. */
export async function setSwitch(ndv: Locator, name: string, on: boolean): Promise<void> {
	const toggle = ndv
		.locator(
			`[data-test-id="parameter-input-${name}"] [role="switch"], [data-test-id="parameter-input-${name}"] .el-switch`,
		)
		.first();
	const checked = await toggle.evaluate(
		(element) =>
			element.getAttribute('aria-checked') === 'true' || element.classList.contains('is-checked'),
	);
	if (checked !== on) await toggle.click();
}

/** The Webhook URLs section of a trigger's panel: the URLs shown for `kind`, and the section. */
export async function webhookUrls(
	ndv: Locator,
	kind: 'test' | 'production',
): Promise<{ urls: string[]; section: Locator }> {
	const section = ndv.locator('.webhooks');
	const headline = section.locator('.headline');
	if (!(await headline.getAttribute('class'))?.includes('expanded')) await headline.click();
	await section.locator(`[data-test-id="radio-button-${kind}"]`).click();
	const urls = section.locator('.webhook-url');
	await urls.first().waitFor();
	return { urls: (await urls.allInnerTexts()).map((url) => url.trim()), section };
}
