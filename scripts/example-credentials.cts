/**
 * The credentials the example workflows (workflows/koogallery-*.json) name, for a real n8n the
 * harness starts (scripts/n8n-process.cts): used by the load bench (bench/load-setup.cts) and the
 * end-to-end tests (test/e2e/workflows-env.cts and others).
 */
import type { PostgresServer } from './postgres.cjs';

/**
 * The credentials, under the ids the example workflows name, that the SaaS V2.0 PostgreSQL
 * example needs: the seller key (and kit key), the PostgreSQL server, the Open API mock at
 * `openApiUrl`.
 */
export function exampleCredentials(
	secrets: { sellerKey: string; kitKey?: string; ak: string; sk: string },
	pg: Pick<PostgresServer, 'n8nCredential'>,
	openApiUrl: string,
): object[] {
	return [
		{
			id: 'kooGallerySellerKey',
			name: 'KooGallery Seller Key',
			type: 'kooGallerySellerKeyApi',
			data: { secretKey: secrets.sellerKey, kitSecretKey: secrets.kitKey ?? '', site: 'cn' },
		},
		pg.n8nCredential('koogalleryPostgres', 'KooGallery PostgreSQL'),
		{
			id: 'kooGalleryOpenApi',
			name: 'KooGallery Open API',
			type: 'kooGalleryOpenApi',
			data: {
				accessKeyId: secrets.ak,
				secretAccessKey: secrets.sk,
				sellerSecretKey: secrets.sellerKey,
				site: 'custom',
				baseUrl: openApiUrl,
			},
		},
	];
}
