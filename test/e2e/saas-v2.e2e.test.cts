/**
 * SaaS V2.0 end to end in a real n8n 2.41.1 (and, in the e2e-oldest-n8n project, 1.123.81): the
 * built-in default workflow (workflows/koogallery-saas-v2-data-table.json) with the KooGallery
 * Trigger and KooGallery Respond installed as a community package, its orders kept in an n8n Data
 * table that the workflow creates itself when it is published. n8n 1.x has Data tables but no
 * Table > Create in its Data table node, so there the test does what the README tells a 1.x
 * operator: it creates the table in n8n (Data tables tab, here its REST API) and removes the
 * workflow's two set-up nodes. Calls are signed by our core exactly as KooGallery signs them
 * (simulator/saas-v2-client.cts); every answer's Body-Sign is checked over the bytes received.
 *
 * Needs `npm run build` first; the first run also installs n8n into the cache (about 8 minutes).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyBodySign } from '../../core/body-sign';
import { decryptCredential } from '../../core/credential-crypto';
import { formatStatisticalTime } from '../../core/saas-v2-answers';
import {
	readDataTableRows,
	waitForDataTable,
	type DataTableInfo,
} from '../../scripts/n8n-data-tables.cjs';
import { sendRequest } from '../../scripts/n8n-http.cjs';
import {
	ensureN8n,
	installPack,
	N8N_MAJOR,
	N8N_VERSION,
	type N8nInstall,
} from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import {
	call,
	newBusinessId,
	newNonce,
	newOrder,
	send,
	signCall,
	type CallAnswer,
} from '../../simulator/saas-v2-client.cjs';
import { formatResults, runSaasV2 } from '../../simulator/saas-v2-scenarios.cjs';
import { busyLimitOff } from './trigger-workflows.cjs';
import { restJson, setUpOwnerAndLogIn } from './editor/n8n-session.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOW_FILE = path.join(REPO_ROOT, 'workflows', 'koogallery-saas-v2-data-table.json');
const TABLE_NAME = 'koogallery_instances';
const KEY = 'e2e-Seller-Key-9f3a7c1d2b4e6f80';
const WRONG_KEY = 'e2e-Other-Key-1a2b3c4d5e6f7a8b';
const BODY_SIGN_FORMAT = /^sign_type="HMAC-SHA256", signature= "[A-Za-z0-9+/]+={0,2}"$/;

type Workflow = {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters: Record<string, unknown>;
		webhookId?: string;
		credentials?: unknown;
	}>;
	connections: Record<string, unknown>;
};

/** The two nodes that create the Data table when the workflow is published (n8n 2.x). */
const SET_UP_NODES = ['When published or n8n starts', 'Create the instances table'];
/** n8n 2.x creates the table from the workflow; on 1.x the operator creates it by hand. */
const TABLE_FROM_WORKFLOW = N8N_MAJOR >= 2;

/** A copy of `workflow` without its set-up branch. */
function withoutSetUp(workflow: Workflow): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.nodes = copy.nodes.filter((node) => !SET_UP_NODES.includes(node.name));
	for (const name of SET_UP_NODES) delete copy.connections[name];
	return copy;
}

const asShipped = busyLimitOff(JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8')) as Workflow);

/** The columns the workflow's set-up node creates, as `{ name, type }`. */
function tableColumns(workflow: Workflow): Array<{ name: string; type: string }> {
	const create = workflow.nodes.find((node) => node.name === SET_UP_NODES[1]);
	const columns = (create?.parameters.columns as { column?: Array<{ name: string; type: string }> })
		?.column;
	if (!columns?.length) throw new Error('the shipped workflow lost its Data table columns');
	return columns;
}

/**
 * What an operator of n8n 1.x does before publishing the workflow (README "Supported n8n
 * versions"): creates the Data table in n8n (the Data tables tab; here the editor's REST call
 * `POST /rest/projects/<project>/data-tables`, in the owner's project, where imported workflows
 * go) on a first start of n8n without workflows. Returns the table's ID.
 */
async function createTableByHand(userFolder: string): Promise<string> {
	const first = await startN8n({ userFolder, workflows: [] });
	try {
		const cookie = await setUpOwnerAndLogIn(first.baseUrl);
		const [{ id: projectId }] = await first.query("SELECT id FROM project WHERE type = 'personal'");
		const answer = await restJson(
			first.baseUrl,
			'POST',
			`/projects/${String(projectId)}/data-tables`,
			{ name: TABLE_NAME, columns: tableColumns(asShipped) },
			cookie,
		);
		const id = (answer.json as { data?: { id?: string } }).data?.id;
		if (answer.status !== 200 || !id) {
			throw new Error(
				`creating the Data table answered ${answer.status}: ${JSON.stringify(answer.json)}`,
			);
		}
		return id;
	} finally {
		await first.stop();
	}
}

/**
 * The workflow as an n8n 1.x operator runs it: without the set-up nodes, and every Data table node
 * choosing the table made by hand (1.x finds a Data table by its ID only, not by its name).
 */
function forN8n1(workflow: Workflow, tableId: string): Workflow {
	const copy = withoutSetUp(workflow);
	for (const node of copy.nodes) {
		if ((node.parameters.dataTableId as { __rl?: boolean } | undefined)?.__rl) {
			node.parameters.dataTableId = { __rl: true, mode: 'id', value: tableId };
		}
	}
	return copy;
}

/**
 * The shipped workflow with "Encrypt User Name and Password" turned on in its queryInstance answer,
 * at its own production URL. It shares the Data table (and its set-up) with the shipped workflow.
 */
function encryptedVariant(workflow: Workflow): Workflow {
	const copy = withoutSetUp(workflow);
	copy.id = 'KooGallerySaasV2Enc';
	copy.name = `${workflow.name} (encrypted login details)`;
	const trigger = copy.nodes.find((node) => node.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	const answer = copy.nodes.find((node) => node.name === 'Answer: login details');
	if (!trigger || !answer)
		throw new Error('the shipped workflow lost its trigger or its queryInstance answer');
	trigger.parameters.path = 'koogallery/saas-encrypted';
	trigger.webhookId = '6f1d2c3b-4a59-4e68-9d7c-0b1a2c3d4e5f';
	answer.parameters.encrypt = true;
	return copy;
}

/**
 * A server the Busy Limit workflow calls before it answers: it holds every request until the test
 * releases them, and answers at once after that. While it holds, the calls taken stay in progress
 * however fast or slow the machine is.
 */
async function startHold() {
	const held: http.ServerResponse[] = [];
	let released = false;
	const answer = (res: http.ServerResponse) =>
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"provisioned":true}');
	const server = http.createServer((req, res) => {
		req.resume();
		if (released) answer(res);
		else held.push(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/provision`,
		release: () => {
			released = true;
			for (const res of held.splice(0)) answer(res);
		},
		stop: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

/**
 * A trigger with a Busy Limit of 2 whose new purchases are answered only after the hold server
 * answers, at its own production URL: to see calls beyond the limit turned away while two are in
 * progress.
 */
const BUSY_LIMIT = 2;
const BUSY_WORKFLOW_ID = 'KooGallerySaasBusy';
const busyWorkflow = (holdUrl: string) => ({
	id: BUSY_WORKFLOW_ID,
	name: 'e2e Busy Limit',
	nodes: [
		{
			id: 'busy-trigger',
			name: 'KooGallery Trigger',
			type: 'n8n-nodes-koogallery.kooGalleryTrigger',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '7a2e3d4c-5b6a-4f79-8e0d-1c2b3a4d5e6f',
			parameters: {
				path: 'koogallery/saas-busy',
				protocol: 'saasV2',
				scenarios: ['newInstance'],
				options: { maxCallsInProgress: BUSY_LIMIT },
			},
			credentials: {
				kooGallerySellerKeyApi: { id: 'kooGallerySellerKey', name: 'KooGallery Seller Key' },
			},
		},
		{
			id: 'busy-wait',
			name: 'Slow provisioning',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [220, 0],
			parameters: { url: holdUrl, options: { timeout: 600_000 } },
		},
		{
			id: 'busy-answer',
			name: 'Answer',
			type: 'n8n-nodes-koogallery.kooGalleryRespond',
			typeVersion: 1,
			position: [440, 0],
			parameters: { respondTo: 'newInstance' },
			credentials: {
				kooGallerySellerKeyApi: { id: 'kooGallerySellerKey', name: 'KooGallery Seller Key' },
			},
		},
	],
	connections: {
		'KooGallery Trigger': { main: [[{ node: 'Slow provisioning', type: 'main', index: 0 }]] },
		'Slow provisioning': { main: [[{ node: 'Answer', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
});

describe('SaaS V2.0 in a real n8n with the built-in default workflow', () => {
	let install: N8nInstall;
	let handle: N8nHandle;
	let userFolder: string;
	let table: DataTableInfo;
	let url: string;
	let encryptedUrl: string;
	let hold: Awaited<ReturnType<typeof startHold>>;
	/** The shipped workflow as this n8n runs it (see `forN8n1`); its id never changes. */
	let shipped = asShipped;
	/** Every answer the workflow gave in this suite, to check their signatures at the end. */
	const answers: Array<{ what: string; answer: CallAnswer }> = [];
	/** Every order sent as newInstance, with the instance ID it got. */
	const orders = new Map<string, string>();

	const track = (what: string, answer: CallAnswer): CallAnswer => {
		answers.push({ what, answer });
		return answer;
	};
	const kooGallery = async (payload: Record<string, unknown>, target = url) =>
		track(String(payload.activity), await call(target, KEY, payload));
	const rows = async () => await readDataTableRows(install, userFolder, table);
	const rowOf = async (instanceId: string) => {
		const found = (await rows()).filter((row) => row.instanceId === instanceId);
		expect(found).toHaveLength(1);
		return found[0];
	};
	const executionCount = async () => (await handle.listExecutions(shipped.id)).length;
	/** A new purchase answered 000000; returns the instance ID. */
	const buy = async (order = newOrder(), businessId = newBusinessId()) => {
		const answer = await kooGallery({ activity: 'newInstance', ...order, businessId });
		expect(answer.json?.resultCode).toBe('000000');
		const instanceId = String(answer.json?.instanceId);
		orders.set(`${order.orderId}/${order.orderLineId}`, instanceId);
		return { order, businessId, instanceId, answer };
	};
	/**
	 * Runs `refused` (calls that must start no execution), then one valid call, and checks that
	 * exactly that one valid call added an execution. n8n records an execution before it answers,
	 * so one started by a refused call would already be counted.
	 */
	const expectNoExecution = async (refused: () => Promise<void>) => {
		const before = await executionCount();
		await refused();
		const sentinel = await kooGallery({
			activity: 'changeInstanceCheck',
			instanceId: 'sentinel',
			productInfo: { productId: 'P' },
		});
		expect(sentinel.json?.resultCode).toBe('000000');
		const after = await handle.waitForExecutions(before + 1, { workflowId: shipped.id });
		expect(after).toHaveLength(before + 1);
	};

	beforeAll(async () => {
		install = await ensureN8n();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-saas-v2-'));
		installPack(userFolder);
		hold = await startHold();
		if (!TABLE_FROM_WORKFLOW) shipped = forN8n1(asShipped, await createTableByHand(userFolder));
		handle = await startN8n({
			userFolder,
			workflows: [shipped, encryptedVariant(shipped), busyWorkflow(hold.url)],
			credentials: [
				{
					id: 'kooGallerySellerKey',
					name: 'KooGallery Seller Key',
					type: 'kooGallerySellerKeyApi',
					data: { secretKey: KEY, site: 'cn' },
				},
			],
		});
		url = `${handle.baseUrl}/webhook/koogallery/saas`;
		encryptedUrl = `${handle.baseUrl}/webhook/koogallery/saas-encrypted`;
		table = await waitForDataTable(install, userFolder, TABLE_NAME);
	}, 20 * 60_000);

	afterAll(async () => {
		await handle?.stop();
		await hold?.stop();
		// About 60 MB per run; KEEP_N8N_FOLDER=1 keeps it (database, n8n.log) for a look.
		if (userFolder && !process.env.KEEP_N8N_FOLDER)
			fs.rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	it(
		TABLE_FROM_WORKFLOW
			? 'creates its Data table itself when it is published, with no rows yet'
			: '(n8n 1.x) works with the Data table made by hand, with no rows yet',
		async () => {
			if (TABLE_FROM_WORKFLOW) {
				// The set-up branch (n8n Trigger on publish/start, then Data table > Create) ran once, successfully.
				const runs = await handle.waitForExecutions(1, { workflowId: shipped.id });
				expect(runs.map((run) => [run.mode, run.status])).toEqual([['trigger', 'success']]);
			} else {
				expect(await executionCount()).toBe(0);
			}
			expect(table.name).toBe(TABLE_NAME);
			expect(await rows()).toEqual([]);
		},
	);

	it('passes every case of the simulator, as real calls and as debugging calls (testFlag 1)', async () => {
		for (const testFlag of [false, true]) {
			const results = await runSaasV2(url, KEY, { testFlag });
			const failures = results.filter((r) => !r.pass);
			if (failures.length) process.stderr.write(`${formatResults(results)}\n`);
			expect(failures.map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
			expect(results.length).toBeGreaterThanOrEqual(18);
		}
	}, 120_000);

	it('answers a new purchase with the business ID as instance ID, and a repeated one with the same ID, storing one row', async () => {
		const before = await executionCount();
		const { order, businessId, instanceId, answer } = await buy();
		expect(answer.status).toBe(200);
		expect(answer.text).toBe(
			JSON.stringify({ resultCode: '000000', resultMsg: 'Success', instanceId: businessId }),
		);
		expect(instanceId).toBe(businessId);

		const again = await kooGallery({
			activity: 'newInstance',
			...order,
			businessId: newBusinessId(),
		});
		expect(again.text).toBe(
			JSON.stringify({ resultCode: '000000', resultMsg: 'Success', instanceId }),
		);
		const runs = await handle.waitForExecutions(before + 2, { workflowId: shipped.id });
		expect(runs.slice(before).map((run) => run.status)).toEqual(['success', 'success']);

		const row = await rowOf(instanceId);
		expect(row).toMatchObject({
			orderId: order.orderId,
			orderLineId: order.orderLineId,
			status: 'active',
			lastOrderId: order.orderId,
			frontEndUrl: `https://app.example.com/login?tenant=${instanceId}`,
			userName: `admin-${order.orderId.toLowerCase()}`,
			testCall: 0,
		});
		expect(String(row.password)).toMatch(/^[A-Za-z0-9]{16}$/);
	});

	// n8n 1.123.81's Data tables on SQLite fail when copies of one order arrive at the same moment
	// (TransactionNotStartedError, QueryFailedError in n8n's log, later rows missing): not run there;
	// the README sends 1.x operators with such traffic to the PostgreSQL example.
	(TABLE_FROM_WORKFLOW ? it : it.skip)(
		'gives copies of one new order that arrive at the same moment one instance ID and one row',
		async () => {
			const order = newOrder();
			const businessIds = Array.from({ length: 6 }, () => newBusinessId());
			const copies = await Promise.all(
				businessIds.map((businessId) =>
					kooGallery({ activity: 'newInstance', ...order, businessId }),
				),
			);
			expect(copies.map((answer) => answer.json?.resultCode)).toEqual(
				businessIds.map(() => '000000'),
			);
			const ids = [...new Set(copies.map((answer) => answer.json?.instanceId))];
			expect(ids).toHaveLength(1);
			expect(businessIds).toContain(ids[0]);
			const forOrder = (await rows()).filter((row) => row.orderId === order.orderId);
			expect(forOrder.map((row) => row.instanceId)).toEqual(ids);
			orders.set(`${order.orderId}/${order.orderLineId}`, String(ids[0]));
		},
	);

	it('answers queryInstance with the stored login details, one entry per requested instance, and 000003 for unknown ones', async () => {
		const first = await buy();
		const second = await buy();
		const [one, two] = [await rowOf(first.instanceId), await rowOf(second.instanceId)];
		const appInfo = (row: Record<string, unknown>) => ({
			frontEndUrl: row.frontEndUrl,
			userName: row.userName,
			password: row.password,
		});

		const single = await kooGallery({ activity: 'queryInstance', instanceId: first.instanceId });
		expect(single.json).toEqual({
			resultCode: '000000',
			resultMsg: 'Success',
			info: [{ instanceId: first.instanceId, appInfo: appInfo(one) }],
		});

		const both = await kooGallery({
			activity: 'queryInstance',
			instanceId: `${second.instanceId},${first.instanceId}`,
		});
		expect(both.json?.resultCode).toBe('000000');
		expect(both.json?.info).toEqual([
			{ instanceId: second.instanceId, appInfo: appInfo(two) },
			{ instanceId: first.instanceId, appInfo: appInfo(one) },
		]);

		const unknown = await kooGallery({ activity: 'queryInstance', instanceId: 'no-such-instance' });
		expect(unknown.json).toEqual({ resultCode: '000003', resultMsg: 'Instance ID does not exist' });
	});

	it('renews, freezes, unfreezes, upgrades, allows a change and releases, keeping the row up to date', async () => {
		const { order, instanceId } = await buy();
		const ok = { resultCode: '000000', resultMsg: 'Success' };
		const renewal = newOrder();
		const expireTime = formatStatisticalTime(new Date(Date.now() + 400 * 86_400_000));
		expect(
			(
				await kooGallery({
					activity: 'refreshInstance',
					...renewal,
					instanceId,
					scene: 'RENEWAL',
					expireTime,
				})
			).json,
		).toEqual(ok);
		expect(await rowOf(instanceId)).toMatchObject({
			expireTime,
			lastOrderId: renewal.orderId,
			status: 'active',
		});

		expect(
			(await kooGallery({ activity: 'updateInstanceStatus', instanceId, status: 'FREEZE' })).json,
		).toEqual(ok);
		expect((await rowOf(instanceId)).status).toBe('frozen');
		expect(
			(await kooGallery({ activity: 'updateInstanceStatus', instanceId, status: 'UNFREEZE' })).json,
		).toEqual(ok);
		expect((await rowOf(instanceId)).status).toBe('active');

		const upgrade = newOrder();
		expect(
			(await kooGallery({ activity: 'upgradeInstance', instanceId, ...upgrade })).json,
		).toEqual(ok);
		expect((await rowOf(instanceId)).lastOrderId).toBe(upgrade.orderId);

		const check = await kooGallery({
			activity: 'changeInstanceCheck',
			instanceId,
			productInfo: { productId: 'OFFI-E2E' },
		});
		expect(check.json).toEqual({ resultCode: '000000', resultMsg: 'The change is allowed.' });

		expect((await kooGallery({ activity: 'releaseInstance', instanceId, ...order })).json).toEqual(
			ok,
		);
		expect((await rowOf(instanceId)).status).toBe('released');
		expect((await kooGallery({ activity: 'releaseInstance', instanceId })).json).toEqual(ok);
		expect(await rowOf(instanceId)).toMatchObject({
			status: 'released',
			orderId: order.orderId,
			expireTime,
		});
	});

	it('answers 000003 when a renewal, status change, release or upgrade names an unknown instance', async () => {
		const unknown = { resultCode: '000003', resultMsg: 'Instance ID does not exist' };
		const instanceId = `unknown-${newBusinessId()}`;
		const expireTime = formatStatisticalTime(new Date(Date.now() + 30 * 86_400_000));
		const count = (await rows()).length;
		for (const payload of [
			{
				activity: 'refreshInstance',
				...newOrder(),
				instanceId,
				scene: 'TRIAL_TO_FORMAL',
				expireTime,
			},
			{ activity: 'updateInstanceStatus', instanceId, status: 'FREEZE' },
			{ activity: 'releaseInstance', instanceId },
			{ activity: 'upgradeInstance', instanceId, ...newOrder() },
		]) {
			expect([payload.activity, (await kooGallery(payload)).json]).toEqual([
				payload.activity,
				unknown,
			]);
		}
		expect(await rows()).toHaveLength(count);
	});

	it("refuses a changed body and another key with 000001, a stale timestamp with 000002 (as Huawei's sample), a replayed nonce with 000001, starting no execution", async () => {
		const refusals: CallAnswer[] = [];
		const probe = { activity: 'newInstance', ...newOrder(), businessId: newBusinessId() };
		await expectNoExecution(async () => {
			const signed = signCall(url, KEY, probe);
			refusals.push(
				track(
					'changed body',
					await send(
						{ ...signed, body: signed.body.replace(probe.orderId, `${probe.orderId}X`) },
						KEY,
					),
				),
			);
			refusals.push(track('another key', await call(url, KEY, probe, { signWith: WRONG_KEY })));
			refusals.push(
				track(
					'stale timestamp',
					await call(url, KEY, probe, { timestampMs: Date.now() - 5 * 60_000 }),
				),
			);
		});
		const authFailed = { resultCode: '000001', resultMsg: 'Authentication failed.' };
		expect(refusals.map((answer) => [answer.status, answer.json])).toEqual([
			[200, authFailed],
			[200, authFailed],
			[
				200,
				{
					resultCode: '000002',
					resultMsg: expect.stringMatching(
						/^The request's timestamp is 30\d s old; at most 60 s is accepted\./,
					),
				},
			],
		]);

		// The first use of a nonce runs the workflow; the replay of the same signed call does not.
		const once = signCall(
			url,
			KEY,
			{ activity: 'queryInstance', instanceId: 'replay-probe' },
			{ nonce: newNonce() },
		);
		expect(track('first use of a nonce', await send(once, KEY)).json?.resultCode).toBe('000003');
		await expectNoExecution(async () => {
			const replay = track('replayed nonce', await send(once, KEY));
			expect([replay.status, replay.json]).toEqual([200, authFailed]);
		});
		expect(
			(await rows()).some(
				(row) => row.orderId === probe.orderId || row.orderId === `${probe.orderId}X`,
			),
		).toBe(false);
	});

	it('refuses a missing mandatory field and a body that is not JSON with 000002, starting no execution', async () => {
		const invalid: CallAnswer[] = [];
		await expectNoExecution(async () => {
			const { orderId: _dropped, ...noOrderId } = {
				activity: 'newInstance',
				...newOrder(),
				businessId: newBusinessId(),
			};
			invalid.push(track('missing orderId', await call(url, KEY, noOrderId)));
			// A body that is not JSON reaches the trigger when it is not labelled application/json.
			const broken = signCall(url, KEY, '{"activity":"newInstance",');
			const plain = await sendRequest(broken.url, {
				method: 'POST',
				headers: { 'content-type': 'text/plain;charset=utf8' },
				body: broken.body,
			});
			const text = plain.body.toString('utf8');
			invalid.push(
				track('body not JSON', {
					status: plain.status,
					text,
					headers: { 'body-sign': String(plain.headers['body-sign'] ?? '') },
					signed: verifyBodySign(KEY, plain.body, plain.headers['body-sign']),
					json: JSON.parse(text),
					ms: 0,
				}),
			);
		});
		expect(invalid.map((answer) => [answer.status, answer.json?.resultCode])).toEqual([
			[200, '000002'],
			[200, '000002'],
		]);
		expect(invalid[0].json?.resultMsg).toBe('"orderId" is required but missing.');
	});

	it(`(n8n ${N8N_VERSION}) answers a body that is not JSON but labelled application/json with HTTP 422 itself, starting no execution`, async () => {
		await expectNoExecution(async () => {
			const answer = await call(url, KEY, '{"activity":"newInstance",');
			expect(answer.status).toBe(422);
			expect(answer.text).not.toContain(KEY);
		});
	});

	it('sends user name and password encrypted when the answer is set to encrypt, and they decrypt to the stored values', async () => {
		const { instanceId } = await buy();
		const row = await rowOf(instanceId);
		const answer = await kooGallery({ activity: 'queryInstance', instanceId }, encryptedUrl);
		expect(answer.json?.resultCode).toBe('000000');
		expect(answer.json?.encryptType).toBe('1');
		const [entry] = answer.json?.info as Array<{
			instanceId: string;
			appInfo: Record<string, string>;
		}>;
		expect(entry.instanceId).toBe(instanceId);
		expect(entry.appInfo.frontEndUrl).toBe(row.frontEndUrl);
		expect(entry.appInfo.userName).not.toBe(row.userName);
		expect(entry.appInfo.password).not.toBe(row.password);
		expect(decryptCredential(KEY, entry.appInfo.userName, '1')).toBe(row.userName);
		expect(decryptCredential(KEY, entry.appInfo.password, '1')).toBe(row.password);
		expect(() => decryptCredential(WRONG_KEY, entry.appInfo.password, '1')).toThrow();
	});

	it('signed every answer with Body-Sign over the exact bytes received, in the documented format', () => {
		expect(answers.length).toBeGreaterThan(30);
		const bad = answers.filter(
			({ answer }) => !answer.signed || !BODY_SIGN_FORMAT.test(answer.headers['body-sign'] ?? ''),
		);
		expect(
			bad.map(({ what, answer }) => `${what}: ${answer.status} ${answer.headers['body-sign']}`),
		).toEqual([]);
		for (const { answer } of answers) {
			expect(
				verifyBodySign(KEY, Buffer.from(answer.text, 'utf8'), answer.headers['body-sign']),
			).toBe(true);
			expect(
				verifyBodySign(WRONG_KEY, Buffer.from(answer.text, 'utf8'), answer.headers['body-sign']),
			).toBe(false);
		}
	});

	it('holds exactly one row per order after repeated purchases', async () => {
		const { order, instanceId } = await buy();
		for (let i = 0; i < 3; i++) {
			const again = await kooGallery({
				activity: 'newInstance',
				...order,
				businessId: newBusinessId(),
			});
			expect(again.json?.instanceId).toBe(instanceId);
		}
		const all = await rows();
		const perOrder = new Map<string, number>();
		for (const row of all) {
			const orderKey = `${String(row.orderId)}/${String(row.orderLineId)}`;
			perOrder.set(orderKey, (perOrder.get(orderKey) ?? 0) + 1);
		}
		expect([...perOrder].filter(([, count]) => count !== 1)).toEqual([]);
		for (const [orderKey, id] of orders) {
			expect([
				orderKey,
				all
					.filter((row) => `${String(row.orderId)}/${String(row.orderLineId)}` === orderKey)
					.map((row) => row.instanceId),
			]).toEqual([orderKey, [id]]);
		}
		expect(new Set(all.map((row) => row.instanceId)).size).toBe(all.length);
	});

	it('turns calls beyond the Busy Limit away at once with HTTP 503, starting no execution, and takes calls again once answered', async () => {
		const busyUrl = `${handle.baseUrl}/webhook/koogallery/saas-busy`;
		const purchase = () =>
			call(busyUrl, KEY, { activity: 'newInstance', ...newOrder(), businessId: newBusinessId() });
		// Five at once; the calls taken wait on the hold server, so only the others can be answered
		// until it is released.
		const early: CallAnswer[] = [];
		const calls = Array.from({ length: 5 }, purchase);
		await new Promise<void>((resolve) => {
			for (const pending of calls) {
				void pending.then((answer) => {
					if (early.push(answer) === 5 - BUSY_LIMIT) resolve();
				});
			}
		});
		for (const answer of early.slice(0, 5 - BUSY_LIMIT)) {
			// Answered while the calls taken were still in progress, without a result code (KooGallery calls again).
			expect([answer.status, answer.json]).toEqual([
				503,
				{ error: 'The seller service is busy. Please try again later.' },
			]);
		}
		hold.release();
		const all = await Promise.all(calls);
		const taken = all.filter((a) => a.status === 200);
		expect([taken.length, all.filter((a) => a.status === 503).length]).toEqual([
			BUSY_LIMIT,
			5 - BUSY_LIMIT,
		]);
		for (const answer of taken) {
			expect(answer.signed).toBe(true);
			expect(answer.json?.resultCode).toBe('000000');
		}
		expect(
			await handle.waitForExecutions(BUSY_LIMIT, { workflowId: BUSY_WORKFLOW_ID }),
		).toHaveLength(BUSY_LIMIT);
		const later = await purchase();
		expect([later.status, later.signed, later.json?.resultCode]).toEqual([200, true, '000000']);
		const told = handle
			.logs()
			.split('\n')
			.filter((line) => line.includes('turned away'));
		// Not a line per call: the first refusal, then at most one line every 10 s (unit-tested).
		expect(told.length).toBeGreaterThanOrEqual(1);
		expect(told.length).toBeLessThanOrEqual(5 - BUSY_LIMIT);
		expect(told[0]).toContain(
			`KooGallery calls turned away (HTTP 503): a call arrived while ${BUSY_LIMIT} calls were already waiting for an answer from node "KooGallery Trigger" (its Busy Limit option); KooGallery will call again`,
		);
	}, 300_000);

	it('logs one plain line for each refused call and never the seller key', () => {
		const logs = handle.logs();
		const refused = logs.split('\n').filter((line) => line.includes('KooGallery call refused'));
		expect(
			refused.some((line) => /KooGallery call refused \(000002\): .*timestamp.*old/.test(line)),
		).toBe(true);
		expect(
			refused.some((line) => /KooGallery call refused \(000001\): .*same nonce/.test(line)),
		).toBe(true);
		expect(
			refused.some((line) => /KooGallery call refused \(000001\): .*signature/.test(line)),
		).toBe(true);
		expect(
			refused.some((line) =>
				/KooGallery call refused \(000002\): "orderId" is required but missing/.test(line),
			),
		).toBe(true);
		expect(logs).not.toContain(KEY);
		expect(logs).not.toContain(WRONG_KEY);
	});
});
