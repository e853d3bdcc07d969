/**
 * The KooGallery action node's one dispatch (nodes/KooGallery/actions/router.ts) against the
 * parameters the editor offers, and core's Open API endpoint table the node and the mock share.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	OPEN_API_ENDPOINTS,
	OPEN_API_PATHS,
	openApiEndpointAt,
} from '../../core/openapi-endpoints';
import { operationOf, RESOURCES, router } from '../../nodes/KooGallery/actions/router';
import { KooGallery } from '../../nodes/KooGallery/KooGallery.node';

const { properties } = new KooGallery().description;
const optionValues = (property: INodeProperties): string[] =>
	(property.options ?? []).map((option) => String((option as { value: unknown }).value));
const resourceValues = optionValues(properties.find((p) => p.name === 'resource')!);
const operationProperties = (resource: string) =>
	properties.filter(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
	);

describe('KooGallery action node router', () => {
	it('has one resource for each Resource option, and no other', () => {
		expect(resourceValues).toEqual([
			'buyerContact',
			'credentials',
			'licenseCode',
			'order',
			'signature',
			'sso',
			'usage',
		]);
		expect(Object.keys(RESOURCES).sort()).toEqual([...resourceValues].sort());
	});

	it.each(resourceValues)(
		'%s: runs each operation its Operation parameter offers, and none it does not',
		(resource) => {
			const [operation, ...others] = operationProperties(resource);
			expect(others).toEqual([]);
			expect(operation).toBe(RESOURCES[resource].operation);
			const values = optionValues(operation);
			expect(Object.keys(RESOURCES[resource].operations).sort()).toEqual([...values].sort());
			for (const value of values)
				expect(typeof operationOf(resource, value)?.execute).toBe('function');
		},
	);

	it('finds no operation behind inherited names or unknown values', () => {
		expect(operationOf('order', 'toString')).toBeUndefined();
		expect(operationOf('order', '__proto__')).toBeUndefined();
		expect(operationOf('constructor', 'get')).toBeUndefined();
		expect(operationOf('__proto__', 'get')).toBeUndefined();
		expect(operationOf('order', 'push')).toBeUndefined();
		expect(operationOf('usage', 'push')).toBe(RESOURCES.usage.operations.push);
	});

	it('refuses an operation the node does not have, naming it', async () => {
		const parameters: Record<string, string> = { resource: 'order', operation: 'delete' };
		const ctx = {
			getNodeParameter: (name: string) => parameters[name],
			getNode: () => ({
				id: 'n1',
				name: 'KooGallery',
				type: 'n8n-nodes-koogallery.kooGallery',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			}),
		} as unknown as IExecuteFunctions;
		await expect(router.call(ctx)).rejects.toThrow(
			'The operation "delete" of "order" is not supported.',
		);
	});
});

describe('Open API endpoint table (core/openapi-endpoints.ts)', () => {
	it('names each path once, and finds an endpoint only by its exact path', () => {
		const names = Object.keys(OPEN_API_ENDPOINTS) as Array<keyof typeof OPEN_API_ENDPOINTS>;
		expect(new Set(names.map((name) => OPEN_API_ENDPOINTS[name].path)).size).toBe(names.length);
		for (const name of names) {
			expect(OPEN_API_PATHS[name]).toBe(OPEN_API_ENDPOINTS[name].path);
			expect(openApiEndpointAt(OPEN_API_ENDPOINTS[name].path)).toBe(name);
		}
		expect(OPEN_API_ENDPOINTS.orderQuery).toEqual({
			method: 'GET',
			path: '/api/mkp-openapi-public/global/v1/order/query',
		});
		expect(OPEN_API_ENDPOINTS.usagePush.method).toBe('POST');
		expect(openApiEndpointAt(`/prefix${OPEN_API_PATHS.usagePush}`)).toBeUndefined();
		expect(openApiEndpointAt(`${OPEN_API_PATHS.usagePush}/`)).toBeUndefined();
	});
});
