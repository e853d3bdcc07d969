import type { IDataObject, IExecuteFunctions, IRunExecutionData } from 'n8n-workflow';

/** The token counts of every AI model call of this run, summed. */
export interface ModelTokenCounts {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	/** How many model calls reported counts. */
	calls: number;
	/** The model nodes they came from. */
	nodes: string[];
	/** Model calls that reported no counts, so n8n only estimated them (`tokenUsageEstimate`). */
	estimatedCalls: number;
}

const num = (value: unknown): number =>
	typeof value === 'number' && Number.isFinite(value) ? value : 0;

/**
 * Sums the token counts n8n's chat model sub-nodes (OpenAI Chat Model and the others built on
 * n8n's LLM tracing) recorded in this run. n8n 2.41.1 keeps them only in the run data, under
 * `runData[<model node>][<run>].data.ai_languageModel[0][<item>].json.tokenUsage`
 * (`{promptTokens, completionTokens, totalTokens}`, one run per model call); expressions cannot
 * read them (`$('OpenAI Chat Model')` sees only `main` outputs). The execute context carries the
 * live run data as `runExecutionData` (n8n-core's NodeExecutionContext), which is read here.
 * A call where the model reported nothing carries `tokenUsageEstimate` instead: it is counted in
 * `estimatedCalls`, never billed.
 */
export function modelTokenCounts(context: IExecuteFunctions): ModelTokenCounts {
	const run = (context as unknown as { runExecutionData?: IRunExecutionData }).runExecutionData;
	const counts: ModelTokenCounts = {
		promptTokens: 0,
		completionTokens: 0,
		totalTokens: 0,
		calls: 0,
		nodes: [],
		estimatedCalls: 0,
	};
	const runData = run?.resultData?.runData ?? {};
	for (const [nodeName, tasks] of Object.entries(runData)) {
		for (const task of tasks ?? []) {
			const outputs = task?.data?.ai_languageModel;
			if (!Array.isArray(outputs)) continue;
			for (const items of outputs) {
				for (const item of items ?? []) {
					const json = (item?.json ?? {}) as IDataObject;
					const usage = json.tokenUsage as IDataObject | undefined;
					if (usage && typeof usage === 'object') {
						counts.promptTokens += num(usage.promptTokens);
						counts.completionTokens += num(usage.completionTokens);
						counts.totalTokens += num(usage.totalTokens);
						counts.calls += 1;
						if (!counts.nodes.includes(nodeName)) counts.nodes.push(nodeName);
					} else if (json.tokenUsageEstimate !== undefined) {
						counts.estimatedCalls += 1;
					}
				}
			}
		}
	}
	return counts;
}
