import * as n8nWorkflow from 'n8n-workflow';
import type { INodeParameters, INodeProperties, NodeParameterValueType } from 'n8n-workflow';

/**
 * A webhook-description field worked out from the node's parameters: the expression text the
 * editor (and an n8n without native resolvers) evaluates, and the same rule as a plain function.
 */
export interface WebhookField {
	template: string;
	resolve: (parameters: INodeParameters) => NodeParameterValueType | undefined;
}

type FieldRule = (parameters: INodeParameters) => NodeParameterValueType | undefined;

/** The helpers n8n-workflow exports from n8n 2.35 on; n8n 1.x and 2.0 to 2.34 lack them. */
interface NativeResolverApi {
	fromFunction(fn: FieldRule): WebhookField;
	fromParameter(path: string): WebhookField;
	webhookDescriptionFields(fields: Record<string, WebhookField>): Record<string, string>;
}

// Feature detection at load time: a named import of a missing export would be undefined and the
// first call would throw while n8n loads the node, so n8n would skip the whole package.
const native = n8nWorkflow as unknown as Partial<NativeResolverApi>;

/**
 * True when the running n8n resolves the triggers' webhook fields without its expression engine
 * (n8n 2.35 and newer; about 106 -> 35 ms a call, BENCHMARKS.md). Older n8n gets the same
 * expressions and evaluates them itself: slower, identical in behaviour.
 */
export const nativeWebhookResolvers =
	typeof native.fromFunction === 'function' &&
	typeof native.fromParameter === 'function' &&
	typeof native.webhookDescriptionFields === 'function';

/**
 * A field computed by a function of the parameters. The function must be self-contained: its
 * source is inlined into the expression.
 */
export function fromFunction(fn: FieldRule): WebhookField {
	if (nativeWebhookResolvers) return (native as NativeResolverApi).fromFunction(fn);
	return { template: `={{(${String(fn)})($parameter)}}`, resolve: fn };
}

/** A field that reads one parameter. */
export function fromParameter(name: string): WebhookField {
	if (nativeWebhookResolvers) return (native as NativeResolverApi).fromParameter(name);
	return { template: `={{$parameter["${name}"]}}`, resolve: (parameters) => parameters[name] };
}

/**
 * Spreads into a webhook description: the expression per field, plus n8n's native resolvers
 * where n8n has them.
 */
export function webhookDescriptionFields<K extends string>(
	fields: Record<K, WebhookField>,
): Record<K, string> {
	if (nativeWebhookResolvers) {
		return (native as NativeResolverApi).webhookDescriptionFields(fields) as Record<K, string>;
	}
	const templates = {} as Record<K, string>;
	for (const key of Object.keys(fields) as K[]) templates[key] = fields[key].template;
	return templates;
}

/**
 * The notice a trigger shows on n8n older than 2.35 (none on newer n8n): it works, each call
 * takes longer, and updating n8n fixes that.
 */
export function olderN8nNotice(): INodeProperties[] {
	if (nativeWebhookResolvers) return [];
	return [
		{
			displayName:
				"This n8n is older than 2.35, so it works out this trigger's address with its expression engine on every call. Everything works; each call takes a little longer. Update n8n to 2.35 or newer for faster answers.",
			name: 'olderN8nNotice',
			type: 'notice',
			default: '',
		},
	];
}
