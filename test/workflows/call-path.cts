/**
 * Reads a shipped example workflow and finds the nodes a KooGallery call runs through, so a test can
 * keep n8n expressions off that path. With N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (README, `npm
 * start`, deploy/), a run that evaluates no expression takes no expression sandbox, which is most of
 * the CPU n8n spends on a call; one expression anywhere on the path silently costs that again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface WorkflowNode {
	name: string;
	type: string;
	onError?: string;
	parameters: Record<string, unknown>;
}
export interface Workflow {
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

/** A workflow of workflows/, by its file name. */
export function readExample(file: string): Workflow {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as Workflow;
}

/**
 * The nodes a call can run through: from the first node of `triggerType`, along every output but an
 * error output (the failure path may use expressions).
 */
export function callPath(
	workflow: Workflow,
	triggerType = 'n8n-nodes-koogallery.kooGalleryTrigger',
): WorkflowNode[] {
	const byName = new Map(workflow.nodes.map((node) => [node.name, node]));
	const trigger = workflow.nodes.find((n) => n.type === triggerType);
	if (!trigger) throw new Error(`the example has no ${triggerType}`);
	const seen = new Map<string, WorkflowNode>();
	const visit = (node: WorkflowNode) => {
		if (seen.has(node.name)) return;
		seen.set(node.name, node);
		const outputs = workflow.connections[node.name]?.main ?? [];
		outputs.forEach((targets, index) => {
			const isErrorOutput =
				node.onError === 'continueErrorOutput' && index === outputs.length - 1 && index > 0;
			if (isErrorOutput) return;
			for (const target of targets ?? []) {
				const next = byName.get(target.node);
				if (!next) throw new Error(`${node.name} leads to a missing node ${target.node}`);
				visit(next);
			}
		});
	};
	visit(trigger);
	return [...seen.values()];
}

/** Every parameter of a node that is an expression (a string starting with "="), by its path. */
export function expressionsOf(value: unknown, at: string): string[] {
	if (typeof value === 'string') return value.startsWith('=') ? [`${at}: ${value}`] : [];
	if (Array.isArray(value)) return value.flatMap((entry, i) => expressionsOf(entry, `${at}[${i}]`));
	if (value !== null && typeof value === 'object')
		return Object.entries(value).flatMap(([key, entry]) => expressionsOf(entry, `${at}.${key}`));
	return [];
}

/** The expressions in the parameters of `nodes`, by node name and parameter path. */
export const expressionsAlong = (nodes: WorkflowNode[]): string[] =>
	nodes.flatMap((n) => expressionsOf(n.parameters, n.name));

/** The expressions on the path a call takes, by node name and parameter path. */
export function callPathExpressions(workflow: Workflow, triggerType?: string): string[] {
	return expressionsAlong(callPath(workflow, triggerType));
}

/**
 * Each step as `[name, its On Error setting, the nodes its error output leads to]`, so a test can
 * ask that every step on a call's path sends a failure to the failure answer.
 */
export function errorRoutes(
	workflow: Workflow,
	steps: WorkflowNode[],
): Array<[string, string | undefined, string[]]> {
	return steps.map((step) => [
		step.name,
		step.onError,
		(workflow.connections[step.name]?.main[1] ?? []).map((target) => target.node),
	]);
}

/** What errorRoutes gives when every step leads its error output to `answer` alone. */
export const allLeadTo = (
	steps: WorkflowNode[],
	answer: string,
): Array<[string, string, string[]]> =>
	steps.map((step) => [step.name, 'continueErrorOutput', [answer]]);
