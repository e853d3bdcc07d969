/**
 * The world the example workflows (workflows/koogallery-*.json) run in for their end-to-end test:
 * one real n8n 2.41.1 with the pack installed and all six example workflows imported and
 * published, one private PostgreSQL server (scripts/postgres.cts), the KooGallery Open API mock
 * (simulator/openapi-mock.cts), the user-management API mock (scripts/rest-mock.cts) and a team
 * chat that records the alerts it receives.
 *
 * The workflows are imported as shipped, with three substitutions a seller makes too: the user
 * API's address, the team chat's address, and (usage metering only) the schedule, which runs
 * every few seconds instead of every hour so the test sees several runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { ensureN8n, installPack } from '../../scripts/n8n-install.cjs';
import { startN8n, type N8nHandle } from '../../scripts/n8n-process.cjs';
import { exampleCredentials } from '../../scripts/example-credentials.cjs';
import { startPostgres, type PostgresServer } from '../../scripts/postgres.cjs';
import { startRestMock, type RestMock } from '../../scripts/rest-mock.cjs';
import { startOpenApiMock, type OpenApiMock } from '../../simulator/openapi-mock.cjs';
import { busyLimitOff } from './trigger-workflows.cjs';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The example workflows, by the part of their file name after `koogallery-`. */
export const WORKFLOW_FILES = {
	postgres: 'koogallery-saas-v2-postgres.json',
	rest: 'koogallery-saas-v2-rest-api.json',
	usage: 'koogallery-usage-metering.json',
	alerts: 'koogallery-failure-alerts.json',
	kit: 'koogallery-kit-directory-postgres.json',
	license: 'koogallery-license-issuance.json',
} as const;
export type ExampleName = keyof typeof WORKFLOW_FILES;

/** What the shipped workflows point at, which a seller replaces with their own addresses. */
export const USER_API_PLACEHOLDER = 'https://users.example.com';
export const CHAT_PLACEHOLDER = 'https://chat.example.com/hooks/REPLACE-ME';
/** How often the usage-metering schedule runs in the test (the shipped one runs hourly). */
export const USAGE_INTERVAL_SECONDS = 3;

export interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}
export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
	settings: Record<string, unknown>;
}

/** Reads a shipped example workflow. */
export function readWorkflow(name: ExampleName): Workflow {
	return JSON.parse(
		fs.readFileSync(path.join(REPO_ROOT, 'workflows', WORKFLOW_FILES[name]), 'utf8'),
	) as Workflow;
}

/** The secrets of the test run; none of them may appear in n8n's log. */
export const SECRETS = {
	sellerKey: 'e2e-Example-Seller-Key-5c1d9e2f',
	kitKey: 'e2e-Example-Kit-Key-8a7b6c5d4e3f',
	ak: 'E2EEXAMPLEAK000000001',
	sk: 'e2e-example-secret-access-key',
	userApiToken: 'e2e-user-api-token-3f9a1c',
};

/** The tables the example workflows create for themselves. */
export const EXAMPLE_TABLES = [
	'koogallery_tenants',
	'koogallery_instances',
	'koogallery_credentials',
	'koogallery_usage',
	'koogallery_kit_tenants',
	'koogallery_kit_apps',
	'koogallery_kit_users',
	'koogallery_kit_departments',
	'koogallery_licenses',
	'koogallery_license_codes',
];

/** One message the team chat received. */
export interface Alert {
	text: string;
	receivedAt: number;
}

/** A team chat incoming webhook that keeps what it receives. */
export async function startChat(): Promise<{
	url: string;
	alerts: Alert[];
	stop(): Promise<void>;
}> {
	const alerts: Alert[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			try {
				const message = JSON.parse(body) as { text?: { content?: string } };
				alerts.push({ text: String(message.text?.content ?? body), receivedAt: Date.now() });
			} catch {
				alerts.push({ text: body, receivedAt: Date.now() });
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hooks/team`,
		alerts,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

export interface ExampleEnvironment {
	n8n: N8nHandle;
	pg: PostgresServer;
	openApi: OpenApiMock;
	userApi: RestMock;
	/** Messages the team chat received, oldest first. */
	alerts: Alert[];
	/** The workflows as imported. */
	workflows: Record<ExampleName, Workflow>;
	/** Production URL of each KooGallery workflow. */
	urls: { postgres: string; rest: string; kit: string; license: string };
	/** The public key matching the license signing key (PEM). */
	licensePublicKey: string;
	stop(): Promise<void>;
}

/** Every production URL of a workflow: `<n8n>/webhook/<trigger path>`. */
function productionUrl(baseUrl: string, workflow: Workflow): string {
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-koogallery.kooGalleryTrigger');
	if (!trigger) throw new Error(`${workflow.name} has no KooGallery Trigger`);
	return `${baseUrl}/webhook/${String(trigger.parameters.path)}`;
}

/** Starts everything and resolves once n8n runs all six workflows and their tables exist. */
export async function startExampleEnvironment(): Promise<ExampleEnvironment> {
	await ensureN8n();
	const stops: Array<() => Promise<void> | void> = [];
	const stopAll = async () => {
		for (const stop of stops.reverse()) await stop();
	};
	try {
		const pg = await startPostgres();
		stops.push(() => pg.stop());
		const openApi = await startOpenApiMock({
			credentials: { ak: SECRETS.ak, sk: SECRETS.sk, sellerKey: SECRETS.sellerKey },
			knownInstances: ['usage-instance-1', 'usage-instance-2'],
		});
		stops.push(() => openApi.stop());
		const userApi = await startRestMock({ token: SECRETS.userApiToken });
		stops.push(() => userApi.stop());
		const chat = await startChat();
		stops.push(() => chat.stop());

		const substitute = (name: ExampleName): Workflow => {
			const text = fs
				.readFileSync(path.join(REPO_ROOT, 'workflows', WORKFLOW_FILES[name]), 'utf8')
				.split(USER_API_PLACEHOLDER)
				.join(userApi.url)
				.split(CHAT_PLACEHOLDER)
				.join(chat.url);
			const workflow = JSON.parse(text) as Workflow;
			if (name === 'usage') {
				const schedule = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
				if (!schedule) throw new Error('the usage workflow lost its Schedule Trigger');
				schedule.parameters.rule = {
					interval: [{ field: 'seconds', secondsInterval: USAGE_INTERVAL_SECONDS }],
				};
			}
			return busyLimitOff(workflow);
		};
		const workflows = Object.fromEntries(
			(Object.keys(WORKFLOW_FILES) as ExampleName[]).map((name) => [name, substitute(name)]),
		) as Record<ExampleName, Workflow>;

		const { publicKey, privateKey } = generateKeyPairSync('rsa', {
			modulusLength: 2048,
			publicKeyEncoding: { type: 'spki', format: 'pem' },
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
		});
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'koogallery-examples-'));
		stops.push(() => {
			if (!process.env.KEEP_N8N_FOLDER) fs.rmSync(userFolder, { recursive: true, force: true });
		});
		installPack(userFolder);
		const n8n = await startN8n({
			userFolder,
			// The error workflow first, so it is active before the others can fail.
			workflows: [
				workflows.alerts,
				workflows.postgres,
				workflows.rest,
				workflows.usage,
				workflows.kit,
				workflows.license,
			],
			credentials: [
				...exampleCredentials(SECRETS, pg, openApi.url),
				{
					id: 'usersApiToken',
					name: 'Your user API token',
					type: 'httpHeaderAuth',
					data: { name: 'Authorization', value: `Bearer ${SECRETS.userApiToken}` },
				},
				{
					id: 'koogalleryLicenseKey',
					name: 'Your license signing key',
					type: 'kooGalleryLicenseKeyApi',
					data: { privateKey },
				},
			],
		});
		stops.push(() => n8n.stop());
		// Each workflow with tables creates them when it is published and when n8n starts.
		await waitFor(
			`the tables ${EXAMPLE_TABLES.join(', ')}`,
			() => {
				const present = pg.rows<{ name: string }>(
					"SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
				);
				return EXAMPLE_TABLES.every((table) => present.some((row) => row.name === table))
					? true
					: undefined;
			},
			60_000,
		);
		return {
			n8n,
			pg,
			openApi,
			userApi,
			alerts: chat.alerts,
			workflows,
			urls: {
				postgres: productionUrl(n8n.baseUrl, workflows.postgres),
				rest: productionUrl(n8n.baseUrl, workflows.rest),
				kit: productionUrl(n8n.baseUrl, workflows.kit),
				license: productionUrl(n8n.baseUrl, workflows.license),
			},
			licensePublicKey: publicKey,
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** Polls `check` until it returns a value other than undefined; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
	what: string,
	check: () => T | undefined | Promise<T | undefined>,
	timeoutMs = 120_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}
