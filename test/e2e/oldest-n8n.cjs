// The oldest n8n the pack supports (README "Supported n8n versions"); scripts/n8n-install.cts
// TEST_VERSIONS names the Node it runs on. Set before the test file loads the harness.
process.env.N8N_TEST_VERSION = '1.123.81';
