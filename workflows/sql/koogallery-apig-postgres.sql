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
-- request_id is API Gateway's X-Request-Id of the call. execution_id (n8n's execution) is only
-- filled in rows written by earlier versions of this example.
CREATE TABLE IF NOT EXISTS koogallery_api_calls (
	id bigserial PRIMARY KEY,
	execution_id text,
	request_id text,
	code text NOT NULL,
	billed boolean NOT NULL,
	called_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE koogallery_api_calls ALTER COLUMN execution_id DROP NOT NULL;

-- What the workflow's "Find the item" step writes into: a view with the call's fields as its
-- columns. Writing a row into it runs the function below, which logs the call and fills in the
-- answer, so the workflow itself needs no formulas, only field names.
-- found: a list holding the item (code, name, description, priceCents, currency, callId), or an
-- empty list for an unknown code. Replaced each time this runs (PostgreSQL 13 or later): change it
-- here, not in the database.
CREATE OR REPLACE VIEW koogallery_api_lookups AS SELECT
	NULL::text AS code, NULL::jsonb AS koogallery,
	-- the answer
	NULL::jsonb AS found
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_find_api_item() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	asked text := COALESCE(NEW.code, '');
	item koogallery_api_items%ROWTYPE;
	call_id bigint;
BEGIN
	SELECT * INTO item FROM koogallery_api_items WHERE code = asked;
	INSERT INTO koogallery_api_calls (request_id, code, billed)
	VALUES (NULLIF(NEW.koogallery ->> 'requestId', ''), asked, item.code IS NOT NULL)
	RETURNING id INTO call_id;
	NEW.found := CASE WHEN item.code IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
		'code', item.code, 'name', item.name, 'description', item.description,
		'priceCents', item.price_cents, 'currency', item.currency, 'callId', call_id)) END;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_find_api_item ON koogallery_api_lookups;
CREATE TRIGGER koogallery_find_api_item INSTEAD OF INSERT ON koogallery_api_lookups
	FOR EACH ROW EXECUTE FUNCTION koogallery_find_api_item();
