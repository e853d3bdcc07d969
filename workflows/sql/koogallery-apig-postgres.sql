-- Tables of the example workflow "KooGallery API product (APIG): answers from PostgreSQL"
-- (workflows/koogallery-apig-postgres.json). The workflow runs this itself when it is
-- published and each time n8n starts; run it yourself if its database user may not create tables.
-- Existing tables and rows are kept.

-- What the API answers: one row per item code. Replace the sample rows with your own.
CREATE TABLE IF NOT EXISTS koogallery_api_items (
	code text PRIMARY KEY,
	name text NOT NULL,
	description text,
	price_cents integer NOT NULL DEFAULT 0,
	currency text NOT NULL DEFAULT 'CNY',
	updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO koogallery_api_items (code, name, description, price_cents, currency) VALUES
	('KG-001', 'Cloud backup 100 GB', 'Daily backup of one server, kept 30 days', 4900, 'CNY'),
	('KG-002', 'Cloud backup 1 TB', 'Daily backup of up to ten servers, kept 90 days', 29900, 'CNY'),
	('KG-003', 'Security scan', 'Weekly vulnerability scan of one public address', 9900, 'CNY')
ON CONFLICT (code) DO NOTHING;

-- One row per call that reached the database. billed: answered 2xx, which API Gateway bills.
CREATE TABLE IF NOT EXISTS koogallery_api_calls (
	id bigserial PRIMARY KEY,
	execution_id text NOT NULL,
	request_id text,
	code text NOT NULL,
	billed boolean NOT NULL,
	called_at timestamptz NOT NULL DEFAULT now()
);
