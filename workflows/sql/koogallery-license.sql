-- Tables of the example workflow "KooGallery License issuance" (workflows/koogallery-license-issuance.json).
-- The workflow runs this itself when it is published and each time n8n starts. Existing tables and
-- rows are kept.

-- Licenses this workflow issued: one per order (getLicense: issue_key "order:<orderId>") or per
-- instance, event and device (getLicenseAsync: "event:<instanceId>/<eventId>/<device>"). The issue
-- key makes a repeated call return the same license.
CREATE TABLE IF NOT EXISTS koogallery_licenses (
	issue_key text PRIMARY KEY,
	instance_id text NOT NULL,
	order_id text,
	customer_id text,
	product_id text,
	device_fingerprint text,
	license text NOT NULL,
	-- active or released
	status text NOT NULL DEFAULT 'active',
	-- yyyyMMddHHmmss (UTC) when the license ends; empty for a perpetual license
	expire_time text,
	test_call boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS koogallery_licenses_instance ON koogallery_licenses (instance_id);

-- License codes KooGallery generated and manages (license-code products 2.0): their state here.
CREATE TABLE IF NOT EXISTS koogallery_license_codes (
	license text PRIMARY KEY,
	-- active, frozen or released
	status text NOT NULL DEFAULT 'active',
	expire_time text,
	last_order_id text,
	updated_at timestamptz NOT NULL DEFAULT now()
);
