/**
 * Debian's Chromium driven by playwright-core, as the editor tests use it. playwright-core never
 * downloads a browser; `.ci/install-browser` installs /usr/bin/chromium (and a CJK font).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import type { AuthCookie } from './n8n-session.cjs';

/** Where Debian installs Chromium; `KOOGALLERY_CHROMIUM` overrides it. */
export const CHROMIUM = process.env.KOOGALLERY_CHROMIUM || '/usr/bin/chromium';

/**
 * Flags for a headless Chromium started as root on a machine without a network: no sandbox (root),
 * no /dev/shm (small in containers), and nothing that calls home.
 */
const FLAGS = [
	'--no-sandbox',
	'--disable-dev-shm-usage',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Starts headless Chromium; throws a plain instruction when it is not installed. */
export async function launchChromium(): Promise<Browser> {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: run \`bash .ci/install-browser\` (as root) first`);
	}
	return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * A browser context signed in to the n8n at `baseUrl` with `cookie`, sized like a laptop screen,
 * in English, with the clipboard readable (to check the copy buttons).
 */
export async function signedInContext(
	browser: Browser,
	baseUrl: string,
	cookie: AuthCookie,
): Promise<BrowserContext> {
	const context = await browser.newContext({
		viewport: { width: 1440, height: 900 },
		locale: 'en-US',
		timezoneId: 'UTC',
		permissions: ['clipboard-read', 'clipboard-write'],
	});
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
	await context.addCookies([{ name: cookie.name, value: cookie.value, url: baseUrl }]);
	return context;
}

/** Saves a screenshot of the page as `<folder>/<name>.png` and returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
	fs.mkdirSync(folder, { recursive: true });
	const file = path.join(folder, `${name}.png`);
	await page.screenshot({ path: file });
	return file;
}
