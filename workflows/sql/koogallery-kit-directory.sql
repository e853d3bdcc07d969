-- Tables of the example workflow "KooGallery joint-operation directory in PostgreSQL"
-- (workflows/koogallery-kit-directory-postgres.json). Each row's key is the idempotency key the
-- KooGallery Trigger gives the record (koogallery.idempotencyKeys), so a repeated sync finds the
-- same row. The workflow runs this itself when it is published and each time n8n starts.
-- Existing tables and rows are kept.

-- Enterprises (tenants) that bound your application (企业同步).
CREATE TABLE IF NOT EXISTS koogallery_kit_tenants (
	key text PRIMARY KEY,
	instance_id text,
	tenant_id text NOT NULL,
	order_id text,
	tenant_code text NOT NULL,
	name text NOT NULL,
	-- the enterprise's sign-on domain (authorisation centre address)
	domain_name text NOT NULL,
	test_call boolean NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- The enterprise application's single sign-on client (应用同步).
CREATE TABLE IF NOT EXISTS koogallery_kit_apps (
	key text PRIMARY KEY,
	instance_id text,
	tenant_id text NOT NULL,
	app_id text NOT NULL,
	client_id text NOT NULL,
	-- as KooGallery sent it: encrypted with your application public key (RSA)
	client_secret_encrypted text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Users an administrator gave access to the application (用户授权同步).
CREATE TABLE IF NOT EXISTS koogallery_kit_users (
	key text PRIMARY KEY,
	instance_id text,
	tenant_id text NOT NULL,
	app_id text NOT NULL,
	user_name text NOT NULL,
	name text NOT NULL,
	org_code text,
	role text NOT NULL,
	enabled boolean NOT NULL,
	-- false once the authorisation was cancelled (flag 3); the row is kept
	authorized boolean NOT NULL DEFAULT true,
	mobile text,
	email text,
	position text,
	employee_code text,
	employee_type integer,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Departments (部门增量同步, 部门全量同步).
CREATE TABLE IF NOT EXISTS koogallery_kit_departments (
	key text PRIMARY KEY,
	instance_id text,
	tenant_id text NOT NULL,
	org_code text NOT NULL,
	org_name text NOT NULL,
	parent_code text,
	updated_at timestamptz NOT NULL DEFAULT now()
);
