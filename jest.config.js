/**
 * Unit tests run in-process; e2e tests drive a real n8n (test/e2e) and run one file at a time. The
 * e2e-oldest-n8n project runs the installed-pack and SaaS V2.0 tests again on the oldest n8n the
 * pack supports (test/e2e/oldest-n8n.cjs sets N8N_TEST_VERSION for scripts/n8n-install.cts).
 */
const transform = { '^.+\\.c?ts$': ['ts-jest', { tsconfig: 'tsconfig.tools.json' }] };
const moduleFileExtensions = ['ts', 'cts', 'js', 'json'];
// Test helpers are .cts files imported as './helper.cjs' (the TypeScript convention).
const resolver = '<rootDir>/test/resolver.cjs';
// The build output repeats package.json; tests load the built pack only through an installed copy.
const modulePathIgnorePatterns = ['<rootDir>/dist/'];
module.exports = {
	// Jest's default of 5 s per test is too tight for tests with real servers on a busy 2-core CI
	// machine; e2e files set their own. No test may depend on how fast it runs.
	testTimeout: 60_000,
	reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
	projects: [
		{
			displayName: 'unit',
			testMatch: ['<rootDir>/test/**/*.test.cts'],
			testPathIgnorePatterns: ['\\.e2e\\.test\\.cts$'],
			transform,
			moduleFileExtensions,
			resolver,
			modulePathIgnorePatterns,
		},
		{
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/**/*.e2e.test.cts'],
			setupFiles: ['<rootDir>/test/e2e/setup.cts'],
			transform,
			moduleFileExtensions,
			resolver,
			modulePathIgnorePatterns,
		},
		{
			displayName: 'e2e-oldest-n8n',
			testMatch: [
				'<rootDir>/test/e2e/installed-pack.e2e.test.cts',
				'<rootDir>/test/e2e/saas-v2.e2e.test.cts',
			],
			setupFiles: ['<rootDir>/test/e2e/oldest-n8n.cjs'],
			transform,
			moduleFileExtensions,
			resolver,
			modulePathIgnorePatterns,
		},
	],
};
