/**
 * The pack as a seller sees it in n8n 2.41.1's editor, in a real browser (Debian's headless
 * Chromium driven by playwright-core; `.ci/install-browser` installs it).
 *
 * One real n8n (scripts/n8n-process.cts) with the pack installed as a community package. The owner
 * account is made and signed in through n8n's REST API; every example workflow of `workflows/*.json`
 * is then saved through the same API the way a seller's import saves it (not published, naming
 * credentials that do not exist yet), with a few small sandbox workflows for the panels the examples
 * do not show. The browser carries the owner's session cookie. The suite checks:
 *
 * - n8n serves the icon of every node and credential of the pack (light and dark SVG);
 * - every example workflow opens with every node drawn, no "install this node" or other warning
 *   badge (credentials the seller must fill excepted), every connection drawn from an output that
 *   exists, and our nodes with their icon loaded, their name and a readable subtitle;
 * - the KooGallery Trigger: one output per scenario labelled with the seller console's Chinese
 *   term and drawn in full once connected, each scenario listed in English with that term in
 *   the panel, the production URL shown and copied by a click, the parameters in the
 *   order a seller needs them, the kit product type showing its five sync addresses;
 * - KooGallery Respond: the fields shown follow "Answer To", encryptType explained;
 * - the credential forms: secrets masked, visible help saying where in the seller console each
 *   value is, and a credential test that reports success or a failure in plain words (the Open API
 *   credential against the local Open API mock, never a real KooGallery host);
 * - known problems of the action node and its credential, as `it.failing` tests (see there).
 *
 * Screenshots go to $KOOGALLERY_SCREENSHOTS (emptied first) or a new folder
 * <tmp>/koogallery-editor-screenshots-XXXXXX of this run, so two runs at once never share one (the
 * folder is printed at the end); the best are copied by hand into docs/screenshots/. Needs
 * `npm run build` first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page } from 'playwright-core';

import { KooGalleryRespond } from '../../nodes/KooGalleryRespond/KooGalleryRespond.node';
import { protocols, scenarioOption, scenarioOutputLabel } from '../../core/trigger-protocols';
import { ensureN8n, installPack } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import { launchChromium, screenshot, signedInContext } from './editor/browser.cjs';
import {
	canvasNodes,
	edgeCount,
	openNode,
	openWorkflow,
	optionTexts,
	outputLabels,
	selectOption,
	setSwitch,
	shownParameters,
	tooltipOf,
	webhookUrls,
	zoomTo,
} from './editor/editor-pages.cjs';
import { createWorkflow, setUpOwnerAndLogIn, type AuthCookie } from './editor/n8n-session.cjs';

jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = 'n8n-nodes-koogallery';
let SHOTS = process.env.KOOGALLERY_SCREENSHOTS || '';

type WorkflowNode = {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
};
type Workflow = {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	/** By source node, then by connection type (`main`, `ai_languageModel`, ...). */
	connections: Record<
		string,
		Record<string, Array<Array<{ node: string; [key: string]: unknown }> | null> | undefined>
	>;
};

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};
/** Node type names of the pack, from the files package.json lists (`KooGallery.node.js` → `kooGallery`). */
const packNodeTypes = manifest.n8n.nodes.map((file) => {
	const base = path.basename(file, '.node.js');
	return `${PACKAGE}.${base[0].toLowerCase()}${base.slice(1)}`;
});
const hasActionNode = packNodeTypes.includes(`${PACKAGE}.kooGallery`);

const exampleFiles = fs
	.readdirSync(path.join(REPO_ROOT, 'workflows'))
	.filter((file) => file.endsWith('.json'))
	.sort();
const examples = exampleFiles.map(
	(file) =>
		JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as Workflow,
);

/** A node of ours, at `x` on the canvas. */
const ourNode = (
	name: string,
	type: string,
	typeVersion: number,
	x: number,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
): WorkflowNode => ({
	id: `${name.replace(/\W+/g, '-')}-${x}`,
	name,
	type: `${PACKAGE}.${type}`,
	typeVersion,
	position: [x, 0],
	parameters,
	...extra,
});
const trigger = (name: string, path: string, x: number, parameters: Record<string, unknown> = {}) =>
	ourNode(name, 'kooGalleryTrigger', 2, x, {
		path,
		protocol: 'saasV2',
		scenarios: ['newInstance', 'queryInstance'],
		options: {},
		...parameters,
	});
const chain = (...names: string[]): Workflow['connections'] =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

/**
 * Small workflows with our nodes for the panels the examples do not show, one per test: n8n's editor
 * saves every change at once, so no test sees another's edits. They are saved through the REST API
 * and not published, like a workflow a seller is building.
 */
const sandboxes: Record<string, Workflow> = {
	// Each product type twice, every scenario ticked: once with every output connected, as in every
	// example and every finished workflow, and once with none connected.
	outputs: {
		id: 'EditorOutputsSandbox',
		name: 'Editor test: trigger outputs of every product type',
		nodes: Object.entries(protocols).flatMap(([name, protocol], i) => {
			const parameters = {
				path: `koogallery/editor-${name.toLowerCase()}`,
				protocol: name,
				[protocol.scenariosParameter]: protocol.scenarios.map((s) => s.activity),
				options: {},
			};
			return [
				ourNode(`Trigger ${name}`, 'kooGalleryTrigger', 2, i * 600, parameters),
				ourNode(
					`Trigger ${name} wired`,
					'kooGalleryTrigger',
					2,
					i * 600,
					{ ...parameters, path: `${parameters.path}-wired` },
					{ position: [i * 600, 1000] },
				),
				{
					id: `next-${name}`,
					name: `Next ${name}`,
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [i * 600 + 300, 1000],
					parameters: {},
				},
			];
		}),
		connections: Object.fromEntries(
			Object.entries(protocols).map(([name, protocol]) => [
				`Trigger ${name} wired`,
				{ main: protocol.scenarios.map(() => [{ node: `Next ${name}`, type: 'main', index: 0 }]) },
			]),
		),
	},
	triggerPanel: {
		id: 'EditorTriggerSandbox',
		name: 'Editor test: trigger panel',
		nodes: [trigger('KooGallery Trigger', 'koogallery/editor-trigger', 0)],
		connections: {},
	},
	respond: {
		id: 'EditorRespondSandbox',
		name: 'Editor test: respond panel',
		nodes: [
			trigger('KooGallery Trigger', 'koogallery/editor-respond', 0),
			ourNode('KooGallery Respond', 'kooGalleryRespond', 1, 400, {
				respondTo: 'result',
				resultCode: '000000',
			}),
		],
		connections: chain('KooGallery Trigger', 'KooGallery Respond'),
	},
	sellerKey: {
		id: 'EditorSellerKeySandbox',
		name: 'Editor test: seller key credential',
		nodes: [trigger('KooGallery Trigger', 'koogallery/editor-seller-key', 0)],
		connections: {},
	},
	action: {
		id: 'EditorActionSandbox',
		name: 'Editor test: action node',
		nodes: [
			trigger('KooGallery Trigger', 'koogallery/editor-action', 0),
			ourNode('KooGallery', 'kooGallery', 1, 400, {
				resource: 'usage',
				operation: 'push',
				recordSource: 'mapped',
			}),
		],
		connections: chain('KooGallery Trigger', 'KooGallery'),
	},
};

/** "English (中文)": an English name (no Chinese) with the seller console's Chinese term in brackets at the end. */
const BILINGUAL = /^[A-Z][^\p{Script=Han}]* \([^()]*\p{Script=Han}[^()]*\)$/u;
/** What a subtitle must never show: raw expressions or missing values. */
const UNREADABLE = /undefined|null|\{\{|\[object|NaN/;

const isOurs = (type: string) => type.startsWith(`${PACKAGE}.`);
const nonSticky = (workflow: Workflow) =>
	workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
const connectionCount = (workflow: Workflow) =>
	Object.values(workflow.connections).reduce(
		// Every connection type: an AI Agent's chat model is an `ai_languageModel` edge on the canvas.
		(sum, outputs) =>
			sum +
			Object.values(outputs)
				.flat()
				.reduce((n, targets) => n + (targets?.length ?? 0), 0),
		0,
	);
/** The scenario outputs a trigger node must show: "English (中文)" for each scenario it handles. */
const expectedOutputs = (node: WorkflowNode) => {
	const protocol = protocols[(node.parameters.protocol as keyof typeof protocols) ?? 'saasV2'];
	const enabled = (node.parameters[protocol.scenariosParameter] as string[] | undefined) ?? [];
	return protocol.scenarios.filter((s) => enabled.includes(s.activity)).map(scenarioOutputLabel);
};
/** The answer of n8n's credential test, read from the editor's own request. */
type CredentialTest = { status: string; message: string };

describe("the pack in n8n's editor, in a real browser", () => {
	let handle: N8nHandle;
	let mock: OpenApiMock;
	let browser: Browser;
	let context: BrowserContext;
	let cookie: AuthCookie;
	let userFolder: string;
	/** Browser console lines that say n8n could not work out our nodes' inputs or outputs. */
	const editorWarnings: string[] = [];
	/** Requests for the pack's files (icons, node and credential types) that failed. */
	const failedRequests: string[] = [];

	/** A new tab, watched for n8n's warnings about our nodes and for failed requests. */
	const newPage = async (): Promise<Page> => {
		const page = await context.newPage();
		page.on('console', (message: ConsoleMessage) => {
			if (/Could not calculate (inputs|outputs)/.test(message.text()))
				editorWarnings.push(message.text());
		});
		page.on('pageerror', (error) => {
			if (/koogallery/i.test(`${error.message}\n${error.stack ?? ''}`))
				editorWarnings.push(error.message);
		});
		page.on('response', (response) => {
			// n8n also asks for /schemas/<type>/<version>.json of every node; no community node has one.
			if (response.status() >= 400 && /^\/(icons|types)\//.test(new URL(response.url()).pathname)) {
				failedRequests.push(`${response.status()} ${response.url()}`);
			}
		});
		return page;
	};
	/** Runs `run` in a new tab; on failure saves what the tab showed as failed-<name>.png. */
	const withPage = async (name: string, run: (page: Page) => Promise<void>) => {
		const page = await newPage();
		try {
			await run(page);
		} catch (error) {
			await screenshot(page, SHOTS, `failed-${name}`).catch(() => undefined);
			throw error;
		} finally {
			await page.close();
		}
	};
	/** Saves the credential dialog and returns n8n's credential test answer. */
	const saveAndTest = async (page: Page, modal: Locator): Promise<CredentialTest> => {
		const answer = page.waitForResponse(
			(response) => new URL(response.url()).pathname === '/rest/credentials/test',
		);
		await modal.locator('[data-test-id="credential-save-button"]').click();
		return ((await (await answer).json()) as { data: CredentialTest }).data;
	};
	/** Checks the dialog shows a refused test in plain words: n8n's banner and our explanation. */
	const expectRefusalShown = async (modal: Locator, refused: CredentialTest) => {
		await modal
			.getByText(/Couldn.t connect with these settings/)
			.first()
			.waitFor();
		const details = modal.getByText('More details');
		if (await details.isVisible()) await details.click();
		await modal.getByText(refused.message).waitFor();
	};

	beforeAll(async () => {
		if (SHOTS === '')
			SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-editor-screenshots-'));
		else {
			fs.rmSync(SHOTS, { recursive: true, force: true });
			fs.mkdirSync(SHOTS, { recursive: true });
		}
		await ensureN8n();
		mock = await startOpenApiMock({
			credentials: {
				ak: 'EDITORTESTAK00000001',
				sk: 'editor-test-secret-access-key',
				sellerKey: 'editor-test-seller-key',
			},
		});
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-editor-'));
		installPack(userFolder);
		handle = await startN8n({ userFolder, workflows: [] });
		cookie = await setUpOwnerAndLogIn(handle.baseUrl);
		// As a seller imports a workflow file: saved, not published, naming credentials that do not
		// exist yet. (Publishing each through n8n's CLI would add about 10 s per workflow.)
		for (const workflow of [...examples, ...Object.values(sandboxes)]) {
			expect(
				await createWorkflow(handle.baseUrl, cookie, {
					settings: { executionOrder: 'v1' },
					...workflow,
				}),
			).toBe(workflow.id);
		}
		browser = await launchChromium();
		context = await signedInContext(browser, handle.baseUrl, cookie);
	}, 20 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await handle?.stop();
		await mock?.stop();
		if (userFolder && process.env.KOOGALLERY_KEEP_N8N !== '1')
			fs.rmSync(userFolder, { recursive: true, force: true });
		process.stderr.write(`[editor e2e] screenshots in ${SHOTS}\n`);
	}, 60_000);

	afterEach(() => {
		// Checked after every test, so the test that caused them fails.
		expect(editorWarnings.splice(0)).toEqual([]);
		expect(failedRequests.splice(0)).toEqual([]);
	});

	it('serves the light and dark icon of every node and credential of the pack', async () => {
		const get = async (route: string) => await context.request.get(`${handle.baseUrl}/${route}`);
		const types = async (file: string) =>
			(
				(await (await get(`types/${file}`)).json()) as Array<{
					name: string;
					iconUrl?: { light: string; dark: string };
				}>
			).filter((type) => type.name.startsWith(`${PACKAGE}.`) || type.name.startsWith('kooGallery'));
		const nodes = await types('nodes.json');
		const credentials = await types('credentials.json');
		expect(nodes.map((type) => type.name)).toEqual(expect.arrayContaining(packNodeTypes));
		expect(credentials).toHaveLength(manifest.n8n.credentials.length);
		for (const type of [...nodes, ...credentials]) {
			expect(type.iconUrl).toBeDefined();
			for (const url of [type.iconUrl!.light, type.iconUrl!.dark]) {
				const answer = await get(url);
				expect([type.name, url, answer.status(), answer.headers()['content-type']]).toEqual([
					type.name,
					url,
					200,
					'image/svg+xml',
				]);
				expect((await answer.text()).trimStart()).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);
			}
		}
	});

	describe.each(examples.map((workflow, index) => [exampleFiles[index], workflow] as const))(
		'example workflow %s',
		(file, workflow) => {
			it('opens with every node drawn and installed, our nodes with icon, name and subtitle, and no unexpected warning', async () => {
				await withPage(`example-${workflow.id}`, async (page) => {
					await openWorkflow(page, handle.baseUrl, workflow.id, nonSticky(workflow).length);
					const drawn = await canvasNodes(page);
					expect(drawn.map((node) => node.name).sort()).toEqual(
						nonSticky(workflow)
							.map((node) => node.name)
							.sort(),
					);

					for (const node of drawn) {
						if (node.badges.length === 0) continue;
						// The only warning a freshly imported example may show: a credential the seller must fill.
						const badge = page.locator(
							`[data-test-id="canvas-node"][data-node-name="${node.name}"] [data-test-id="${node.badges[0]}"]`,
						);
						const text = await tooltipOf(page, badge);
						expect({ file, node: node.name, badges: node.badges, text }).toEqual({
							file,
							node: node.name,
							badges: ['node-issues'],
							text: expect.stringMatching(/credential/i),
						});
					}

					for (const node of drawn.filter((n) => isOurs(n.type))) {
						expect({ node: node.name, iconSrc: node.iconSrc, iconLoaded: node.iconLoaded }).toEqual(
							{
								node: node.name,
								iconSrc: expect.stringMatching(
									new RegExp(`^/icons/${PACKAGE}/dist/icons/koogallery(\\.dark)?\\.svg$`),
								),
								iconLoaded: true,
							},
						);
						expect(node.label).toBe(node.name);
						expect(node.subtitle).not.toBe('');
						expect(node.subtitle).not.toMatch(UNREADABLE);
					}

					// Every connection is drawn, each from an output the node really has.
					expect(await edgeCount(page)).toBe(connectionCount(workflow));
					for (const [source, outputs] of Object.entries(workflow.connections)) {
						const used = (outputs.main ?? []).length;
						const shown = await page
							.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${source}"]`)
							.count();
						expect({ source, enoughOutputs: shown >= used }).toEqual({
							source,
							enoughOutputs: true,
						});
					}
					const triggers = workflow.nodes.filter((n) => n.type === `${PACKAGE}.kooGalleryTrigger`);
					for (const node of triggers) {
						const labels = await outputLabels(page, node.name);
						expect({ node: node.name, outputs: labels }).toEqual({
							node: node.name,
							outputs: expectedOutputs(node).map((text) => ({ text, fits: true })),
						});
					}
					await screenshot(page, SHOTS, `canvas-${workflow.id}`);
					if (triggers.length > 0) {
						await zoomTo(page, triggers[0].name);
						await screenshot(page, SHOTS, `canvas-${workflow.id}-trigger`);
					}
				});
			});
		},
	);

	it('KooGallery Trigger: one output per scenario of every product type, labelled with the seller console term and drawn in full when connected', async () => {
		await withPage('trigger-outputs', async (page) => {
			const workflow = sandboxes.outputs;
			await openWorkflow(page, handle.baseUrl, workflow.id, workflow.nodes.length);
			const triggers = workflow.nodes.filter(
				(node) => node.type === `${PACKAGE}.kooGalleryTrigger`,
			);
			expect(triggers).toHaveLength(2 * Object.keys(protocols).length);
			for (const node of triggers) {
				const labels = await outputLabels(page, node.name);
				for (const { text } of labels) expect(text).toMatch(/\p{Script=Han}/u);
				if (node.name.endsWith(' wired')) {
					// Connected: the full console term of each scenario at n8n's default zoom, none cut short with "…".
					expect({ node: node.name, labels }).toEqual({
						node: node.name,
						labels: expectedOutputs(node).map((text) => ({ text, fits: true })),
					});
				} else {
					// Not connected yet, n8n 2.41.1 keeps room for its "+" connector line and gives a label
					// 62 px (76 px when some label of the node has 7 characters or more): a term of up to five
					// Chinese characters is drawn in full, a longer one in full once its output is connected.
					expect({ node: node.name, labels: labels.map((label) => label.text) }).toEqual({
						node: node.name,
						labels: expectedOutputs(node),
					});
					expect(labels.filter((label) => !label.fits && [...label.text].length <= 5)).toEqual([]);
				}
			}
			await screenshot(page, SHOTS, 'trigger-outputs');
			await zoomTo(page, 'Trigger saasV2 wired');
			await screenshot(page, SHOTS, 'trigger-outputs-wired');
		});
	});

	it('KooGallery Trigger panel: production URL shown and copied, parameters in the order a seller needs, every scenario bilingual', async () => {
		await withPage('trigger-panel', async (page) => {
			const workflow = sandboxes.triggerPanel;
			const path0 = workflow.nodes[0].parameters.path as string;
			await openWorkflow(page, handle.baseUrl, workflow.id, workflow.nodes.length);
			const ndv = await openNode(page, 'KooGallery Trigger');

			const { urls, section } = await webhookUrls(ndv, 'production');
			expect(urls).toEqual([`${handle.baseUrl}/webhook/${path0}`]);
			await section.locator('.webhook-url').first().click();
			await page.getByText('URL copied').first().waitFor();
			expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(urls[0]);
			await screenshot(page, SHOTS, 'trigger-panel');

			const shown = await shownParameters(ndv);
			expect(shown.map((item) => item.name)).toEqual([
				'notice',
				'protocol',
				'scenarios',
				'path',
				'options',
			]);
			// The notice says where the URL goes in the seller console, and how test calls look.
			expect(shown[0].text).toMatch(/Production URL/);
			expect(shown[0].text).toMatch(/生产接口地址/);
			expect(shown[0].text).toMatch(/testFlag/);

			for (const [name, protocol] of Object.entries(protocols)) {
				await selectOption(page, ndv, 'protocol', protocol.displayName);
				const scenarios = await optionTexts(page, ndv, protocol.scenariosParameter);
				expect({ name, scenarios }).toEqual({
					name,
					scenarios: protocol.scenarios.map(scenarioOption),
				});
				for (const scenario of scenarios) expect(scenario).toMatch(BILINGUAL);
				if (name === 'kit') {
					// A joint-operation product gets one address per sync, under the base it registers.
					const kit = await webhookUrls(ndv, 'production');
					expect(kit.urls).toEqual(
						protocol.scenarios.map(
							(s) => `${handle.baseUrl}/webhook/${path0}/produceAPI/v2/${s.activity}`,
						),
					);
					const notices = (await shownParameters(ndv)).filter((item) => item.name === 'notice');
					expect(notices.map((item) => item.text).join(' ')).toMatch(/produceAPI\/v2\//);
					await screenshot(page, SHOTS, 'trigger-panel-kit');
				}
			}
		});
	});

	it('KooGallery Respond panel: the fields follow "Answer To", and encryptType is explained', async () => {
		const description = new KooGalleryRespond().description;
		const defaults: INodeParameters = Object.fromEntries(
			description.properties.map((property) => [
				property.name,
				property.default as INodeParameters[string],
			]),
		);
		/** The parameters n8n must show for these values, in description order (notices as "notice"). */
		const expectedFor = (values: INodeParameters) =>
			description.properties
				.filter((property: INodeProperties) =>
					NodeHelpers.displayParameter(
						{ ...defaults, ...values },
						property,
						{ typeVersion: 1 },
						description,
					),
				)
				.map((property) => (property.type === 'notice' ? 'notice' : property.name));

		await withPage('respond-panel', async (page) => {
			const workflow = sandboxes.respond;
			await openWorkflow(page, handle.baseUrl, workflow.id, workflow.nodes.length);
			const ndv = await openNode(page, 'KooGallery Respond');
			const answerTo = description.properties.find((property) => property.name === 'respondTo')!;
			const seen = new Map<string, string[]>();
			for (const option of answerTo.options as Array<{ name: string; value: string }>) {
				await selectOption(page, ndv, 'respondTo', option.name);
				const shown = (await shownParameters(ndv)).map((item) => item.name);
				expect({ option: option.value, shown }).toEqual({
					option: option.value,
					shown: expectedFor({ respondTo: option.value }),
				});
				seen.set(option.value, shown);
				await screenshot(page, SHOTS, `respond-panel-${option.value}`);
			}
			expect(seen.get('changeInstanceCheck')).toContain('allowChange');
			expect(seen.get('changeInstanceCheck')).not.toContain('resultCode');
			expect(seen.get('license')).toContain('license');
			expect(seen.get('queryInstance')).toContain('usage');
			expect(seen.get('result')).not.toContain('frontEndUrl');
			// An empty Instance ID is allowed; the hint under it says what is sent then.
			await selectOption(page, ndv, 'respondTo', 'New Purchase (创建实例)');
			expect(
				(await ndv.locator('[data-test-id="node-parameters"]').innerText()).replace(/\s+/g, ' '),
			).toMatch(
				/Empty: the input item's instanceId, else an ID made from the order, the same on every retry/,
			);
			expect(new Set([...seen.values()].map((shown) => JSON.stringify(shown))).size).toBe(
				seen.size,
			);

			await selectOption(page, ndv, 'respondTo', 'Query Instance (查询实例信息)');
			expect(await tooltipOf(page, ndv.locator('label[for="encrypt"]'))).toMatch(/encryptType/);
			await setSwitch(ndv, 'encrypt', true);
			expect((await shownParameters(ndv)).map((item) => item.name)).toEqual(
				expectedFor({ respondTo: 'queryInstance', encrypt: true }),
			);
			expect(await optionTexts(page, ndv, 'encryptType')).toEqual([
				'AES-256 (encryptType 1)',
				'AES-128 (encryptType 2)',
			]);
			await screenshot(page, SHOTS, 'respond-panel-queryInstance-encrypted');
		});
	});

	it('KooGallery Seller Key credential: secrets masked, visible help says where in the seller console, test says OK or why not', async () => {
		await withPage('seller-key', async (page) => {
			const workflow = sandboxes.sellerKey;
			await openWorkflow(page, handle.baseUrl, workflow.id, workflow.nodes.length);
			const ndv = await openNode(page, 'KooGallery Trigger');
			await ndv.locator('[data-test-id="node-credentials-empty-state"] button').first().click();
			const modal = page.locator('[data-test-id="editCredential-modal"]');
			await modal.waitFor();

			for (const name of ['secretKey', 'previousSecretKey', 'kitSecretKey']) {
				expect(
					await modal
						.locator(`[data-test-id="parameter-input-${name}"] input`)
						.getAttribute('type'),
				).toBe('password');
			}
			// Shown under the fields, not only in a tooltip a seller may never hover.
			const hints = (await modal.innerText()).replace(/\s+/g, ' ');
			expect(hints).toMatch(/卖家中心 \(Seller Center\)/);
			expect(hints).toMatch(/密钥管理 \(Key Management\)/);
			await screenshot(page, SHOTS, 'credential-seller-key');

			// A key pasted with a space and cut short: refused, and the dialog says why in plain words.
			await modal.locator('[data-test-id="parameter-input-secretKey"] input').fill('Abc 123');
			const refused = await saveAndTest(page, modal);
			expect(refused).toEqual({
				status: 'Error',
				message: expect.stringMatching(/shorter than 8 characters/),
			});
			await expectRefusalShown(modal, refused);
			await screenshot(page, SHOTS, 'credential-seller-key-refused');

			await modal
				.locator('[data-test-id="parameter-input-secretKey"] input')
				.fill('Seller-Key-0123456789abcdef');
			expect((await saveAndTest(page, modal)).status).toBe('OK');
			await modal.waitFor({ state: 'hidden' });

			// With its credential set, the trigger's own panel says how calls reach the workflow.
			await ndv.getByText('Listen for one KooGallery call to the Test URL').waitFor();
			await ndv.getByText('When will this node trigger my flow?').click();
			const help = (await ndv.innerText()).replace(/\s+/g, ' ');
			expect(help).toMatch(/Test URL/);
			expect(help).toMatch(/Production URL/);
			expect(help).toMatch(/应用接入调试/);
			expect(help).not.toMatch(/Pull in events/);
			await screenshot(page, SHOTS, 'trigger-panel-ready');
		});
	});

	/** Opens a new credential of `typeName` from the Credentials page, as a seller starts one by hand. */
	const newCredential = async (page: Page, typeName: string): Promise<Locator> => {
		await page.goto(`${handle.baseUrl}/home/credentials/create`);
		const chooser = page.locator('[data-test-id="selectCredential-modal"]');
		await chooser.locator('[data-test-id="new-credential-type-select"] input').fill(typeName);
		await page
			.locator('[data-test-id="new-credential-type-select-option"]:visible')
			.filter({ hasText: typeName })
			.first()
			.click();
		await chooser.locator('[data-test-id="new-credential-type-button"]').click();
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.waitFor();
		return modal;
	};

	(manifest.n8n.credentials.some((file) => file.includes('KooGalleryOpenApi')) ? it : it.skip)(
		'KooGallery Access Key credential: secrets masked, test against the local Open API mock says OK or why not',
		async () => {
			await withPage('open-api-credential', async (page) => {
				const modal = await newCredential(page, 'KooGallery Access Key');
				for (const name of ['secretAccessKey', 'sellerSecretKey']) {
					expect(
						await modal
							.locator(`[data-test-id="parameter-input-${name}"] input`)
							.getAttribute('type'),
					).toBe('password');
				}
				await modal
					.locator('[data-test-id="parameter-input-accessKeyId"] input')
					.fill('EDITORTESTAK00000001');
				await modal
					.locator('[data-test-id="parameter-input-sellerSecretKey"] input')
					.fill('editor-test-seller-key');
				// Only the local mock is ever called: no request leaves this machine.
				await selectOption(page, modal, 'site', 'Custom Base URL');
				await modal.locator('[data-test-id="parameter-input-baseUrl"] input').fill(mock.url);
				await modal
					.locator('[data-test-id="parameter-input-secretAccessKey"] input')
					.fill('not-the-secret-access-key');
				const refused = await saveAndTest(page, modal);
				expect(refused).toEqual({ status: 'Error', message: expect.stringMatching(/^MKT\.0154 /) });
				await expectRefusalShown(modal, refused);
				await screenshot(page, SHOTS, 'credential-open-api-refused');

				await modal
					.locator('[data-test-id="parameter-input-secretAccessKey"] input')
					.fill('editor-test-secret-access-key');
				expect((await saveAndTest(page, modal)).status).toBe('OK');
			});
		},
	);

	// Known problems, reported to the action node's author (its files are not this suite's to change).
	// `it.failing` passes while the problem is there; once it is fixed the test fails: make it `it`.

	// n8n 2.41.1 leaves out the Resource drop-down when the node's credentials have displayOptions on
	// `resource` (it takes Resource for an authentication choice); the node now declares none.
	(hasActionNode ? it : it.skip)(
		'a KooGallery Usage > Push node opens with the Resource drop-down and its usage fields',
		async () => {
			await withPage('action-node', async (page) => {
				const workflow = sandboxes.action;
				await openWorkflow(page, handle.baseUrl, workflow.id, workflow.nodes.length);
				const ndv = await openNode(page, 'KooGallery');
				const shown = await shownParameters(ndv);
				await screenshot(page, SHOTS, 'action-usage-push');
				expect(shown.map((item) => item.name)).toEqual(
					expect.arrayContaining([
						'resource',
						'operation',
						'recordSource',
						'instanceId',
						'beginTime',
						'endTime',
						'usageValue',
						'meteringSn',
					]),
				);
				expect(
					shown
						.filter((item) => item.name === 'notice')
						.map((item) => item.text)
						.join(' '),
				).toMatch(/metering_sn/);
				expect(await tooltipOf(page, ndv.locator('label[for="meteringSn"]'))).toMatch(
					/metering_sn/,
				);
			});
		},
	);

	// Where each value is found is in visible hints, not only in tooltips that appear on hover.
	(manifest.n8n.credentials.some((file) => file.includes('KooGalleryOpenApi')) ? it : it.skip)(
		'the KooGallery Access Key credential form shows where in the seller console each value is',
		async () => {
			await withPage('open-api-help', async (page) => {
				const modal = await newCredential(page, 'KooGallery Access Key');
				await screenshot(page, SHOTS, 'credential-open-api');
				const shown = (await modal.innerText()).replace(/\s+/g, ' ');
				expect(shown).toMatch(/我的凭证 \(My Credentials\)/);
				expect(shown).toMatch(/密钥管理 \(Key Management\)/);
			});
		},
	);
});
