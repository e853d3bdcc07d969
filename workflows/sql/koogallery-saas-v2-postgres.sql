-- Tables of the example workflow "KooGallery SaaS V2.0 in PostgreSQL"
-- (workflows/koogallery-saas-v2-postgres.json). The workflow runs this itself when it is
-- published and each time n8n starts; run it yourself if its database user may not create tables.
-- Existing tables and rows are kept.

-- Your customers (the buyer of each order, from KooGallery's order details).
CREATE TABLE IF NOT EXISTS koogallery_tenants (
	customer_id text PRIMARY KEY,
	customer_name text,
	real_name text,
	mobile text,
	email text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per order line: the instance KooGallery knows by instance_id.
CREATE TABLE IF NOT EXISTS koogallery_instances (
	instance_id text PRIMARY KEY,
	order_id text NOT NULL,
	order_line_id text NOT NULL,
	customer_id text REFERENCES koogallery_tenants (customer_id),
	product_id text,
	sku_code text,
	product_name text,
	charging_mode text,
	-- active, frozen or released
	status text NOT NULL DEFAULT 'active',
	-- yyyyMMddHHmmss (UTC), from the order or the latest renewal
	expire_time text,
	last_order_id text,
	-- false when KooGallery's order details could not be read; order_check_error says why
	order_checked boolean NOT NULL DEFAULT false,
	order_check_error text,
	test_call boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- A repeated order never gets a second instance.
	UNIQUE (order_id, order_line_id)
);

-- The login details KooGallery shows the customer (queryInstance).
CREATE TABLE IF NOT EXISTS koogallery_credentials (
	instance_id text PRIMARY KEY REFERENCES koogallery_instances (instance_id),
	front_end_url text NOT NULL,
	admin_url text,
	user_name text NOT NULL,
	password text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
