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

-- What the workflow's steps write into. Each is a view with the fields of KooGallery's sync as its
-- columns (text, as KooGallery may send a number where text is expected; `koogallery` is what the
-- KooGallery Trigger adds, with the idempotency keys); writing a row into it runs the function
-- below it, which reads the sync's `flag` and adds, changes or deletes rows in the tables above. So
-- the workflow itself needs no formulas, only field names. Functions, views and their triggers are
-- replaced each time this runs: change them here, not in the database.

-- A list of records (userList, orgInfoList) as n8n hands it over (a PostgreSQL array of JSON
-- texts) or as JSON text, as a JSON list; anything else is an empty list.
CREATE OR REPLACE FUNCTION koogallery_kit_list(list text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	parsed jsonb;
BEGIN
	IF left(ltrim(list), 1) = '{' THEN
		parsed := to_jsonb(list::jsonb[]);
	ELSIF left(ltrim(list), 1) = '[' THEN
		parsed := list::jsonb;
	END IF;
	RETURN CASE WHEN jsonb_typeof(parsed) = 'array' THEN parsed ELSE '[]' END;
EXCEPTION WHEN others THEN
	RETURN '[]';
END
$$;

-- The idempotency keys the KooGallery Trigger gave the sync (koogallery.idempotencyKeys), as a list.
CREATE OR REPLACE FUNCTION koogallery_kit_keys(koogallery jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(koogallery -> 'idempotencyKeys') = 'array'
		THEN koogallery -> 'idempotencyKeys' ELSE '[]' END
$$;

-- Tenant sync (企业同步): flag 0 deletes the tenant with its applications, users and departments;
-- any other flag adds or updates it. Deleting what is gone already changes nothing, so a repeated
-- delete succeeds.
CREATE OR REPLACE VIEW koogallery_kit_tenant_syncs AS SELECT
	NULL::text AS "instanceId", NULL::text AS "tenantId", NULL::text AS "orderId",
	NULL::text AS "tenantCode", NULL::text AS name, NULL::text AS "domainName",
	NULL::text AS flag, NULL::jsonb AS koogallery
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_kit_sync_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	record_key text := koogallery_kit_keys(NEW.koogallery) ->> 0;
	instance text := NULLIF(NEW."instanceId", '');
BEGIN
	IF trim(NEW.flag) = '0' THEN
		DELETE FROM koogallery_kit_tenants WHERE key = record_key;
		DELETE FROM koogallery_kit_apps
			WHERE instance_id IS NOT DISTINCT FROM instance AND tenant_id = NEW."tenantId";
		DELETE FROM koogallery_kit_users
			WHERE instance_id IS NOT DISTINCT FROM instance AND tenant_id = NEW."tenantId";
		DELETE FROM koogallery_kit_departments
			WHERE instance_id IS NOT DISTINCT FROM instance AND tenant_id = NEW."tenantId";
	ELSE
		INSERT INTO koogallery_kit_tenants (key, instance_id, tenant_id, order_id, tenant_code, name,
			domain_name, test_call)
		VALUES (record_key, instance, NEW."tenantId", NULLIF(NEW."orderId", ''), NEW."tenantCode",
			NEW.name, COALESCE(NEW."domainName", ''), NEW.koogallery ->> 'testFlag' = 'true')
		ON CONFLICT (key) DO UPDATE SET order_id = EXCLUDED.order_id,
			tenant_code = EXCLUDED.tenant_code, name = EXCLUDED.name,
			domain_name = EXCLUDED.domain_name, test_call = EXCLUDED.test_call, updated_at = now();
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_kit_sync_tenant ON koogallery_kit_tenant_syncs;
CREATE TRIGGER koogallery_kit_sync_tenant INSTEAD OF INSERT ON koogallery_kit_tenant_syncs
	FOR EACH ROW EXECUTE FUNCTION koogallery_kit_sync_tenant();

-- Application sync (应用同步): flag 0 deletes the application; any other flag adds or updates it.
CREATE OR REPLACE VIEW koogallery_kit_application_syncs AS SELECT
	NULL::text AS "instanceId", NULL::text AS "tenantId", NULL::text AS "appId",
	NULL::text AS "clientId", NULL::text AS "clientSecret", NULL::text AS flag,
	NULL::jsonb AS koogallery
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_kit_sync_application() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	record_key text := koogallery_kit_keys(NEW.koogallery) ->> 0;
BEGIN
	IF trim(NEW.flag) = '0' THEN
		DELETE FROM koogallery_kit_apps WHERE key = record_key;
	ELSE
		INSERT INTO koogallery_kit_apps (key, instance_id, tenant_id, app_id, client_id,
			client_secret_encrypted)
		VALUES (record_key, NULLIF(NEW."instanceId", ''), NEW."tenantId", NEW."appId", NEW."clientId",
			NEW."clientSecret")
		ON CONFLICT (key) DO UPDATE SET client_id = EXCLUDED.client_id,
			client_secret_encrypted = EXCLUDED.client_secret_encrypted, updated_at = now();
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_kit_sync_application ON koogallery_kit_application_syncs;
CREATE TRIGGER koogallery_kit_sync_application INSTEAD OF INSERT ON koogallery_kit_application_syncs
	FOR EACH ROW EXECUTE FUNCTION koogallery_kit_sync_application();

-- User authorization sync (用户授权同步): one row per user of userList, whose key is the
-- idempotency key in the same place (keys[n] belongs to userList[n]). Flag 0 deletes the users,
-- flag 3 withdraws their access (authorized false, the row stays), any other flag adds or updates.
CREATE OR REPLACE VIEW koogallery_kit_user_syncs AS SELECT
	NULL::text AS "instanceId", NULL::text AS "tenantId", NULL::text AS "appId",
	-- a list: n8n hands it over as a PostgreSQL array (text), read by koogallery_kit_list
	NULL::text AS "userList", NULL::text AS flag, NULL::jsonb AS koogallery
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_kit_sync_users() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	keys jsonb := koogallery_kit_keys(NEW.koogallery);
BEGIN
	IF trim(NEW.flag) = '0' THEN
		DELETE FROM koogallery_kit_users WHERE key IN (SELECT jsonb_array_elements_text(keys));
	ELSIF trim(NEW.flag) = '3' THEN
		UPDATE koogallery_kit_users SET authorized = false, updated_at = now()
		WHERE key IN (SELECT jsonb_array_elements_text(keys));
	ELSE
		INSERT INTO koogallery_kit_users (key, instance_id, tenant_id, app_id, user_name, name,
			org_code, role, enabled, authorized, mobile, email, position, employee_code, employee_type)
		SELECT DISTINCT ON (k.key) k.key, NULLIF(NEW."instanceId", ''), NEW."tenantId", NEW."appId",
			u ->> 'userName', COALESCE(u ->> 'name', ''), u ->> 'orgCode', COALESCE(u ->> 'role', ''),
			COALESCE(u ->> 'enable' = 'true', true), true, u ->> 'mobile', u ->> 'email',
			u ->> 'position', u ->> 'employeeCode',
			CASE WHEN u ->> 'employeeType' ~ '^\s*-?[0-9]{1,9}\s*$' THEN (u ->> 'employeeType')::int END
		FROM jsonb_array_elements_text(keys) WITH ORDINALITY AS k (key, n)
		JOIN jsonb_array_elements(koogallery_kit_list(NEW."userList")) WITH ORDINALITY AS l (u, n)
			ON l.n = k.n
		ORDER BY k.key, k.n DESC
		ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, org_code = EXCLUDED.org_code,
			role = EXCLUDED.role, enabled = EXCLUDED.enabled, authorized = true,
			mobile = EXCLUDED.mobile, email = EXCLUDED.email, position = EXCLUDED.position,
			employee_code = EXCLUDED.employee_code, employee_type = EXCLUDED.employee_type,
			updated_at = now();
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_kit_sync_users ON koogallery_kit_user_syncs;
CREATE TRIGGER koogallery_kit_sync_users INSTEAD OF INSERT ON koogallery_kit_user_syncs
	FOR EACH ROW EXECUTE FUNCTION koogallery_kit_sync_users();

-- Department change (部门增量同步): flag 0 deletes the department; any other flag adds or updates it.
CREATE OR REPLACE VIEW koogallery_kit_department_syncs AS SELECT
	NULL::text AS "instanceId", NULL::text AS "tenantId", NULL::text AS "orgCode",
	NULL::text AS "orgName", NULL::text AS "parentCode", NULL::text AS flag,
	NULL::jsonb AS koogallery
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_kit_sync_department() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	record_key text := koogallery_kit_keys(NEW.koogallery) ->> 0;
BEGIN
	IF trim(NEW.flag) = '0' THEN
		DELETE FROM koogallery_kit_departments WHERE key = record_key;
	ELSE
		INSERT INTO koogallery_kit_departments (key, instance_id, tenant_id, org_code, org_name,
			parent_code)
		VALUES (record_key, NULLIF(NEW."instanceId", ''), NEW."tenantId", NEW."orgCode",
			COALESCE(NEW."orgName", ''), NULLIF(NEW."parentCode", ''))
		ON CONFLICT (key) DO UPDATE SET org_name = EXCLUDED.org_name,
			parent_code = EXCLUDED.parent_code, updated_at = now();
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_kit_sync_department ON koogallery_kit_department_syncs;
CREATE TRIGGER koogallery_kit_sync_department INSTEAD OF INSERT ON koogallery_kit_department_syncs
	FOR EACH ROW EXECUTE FUNCTION koogallery_kit_sync_department();

-- All departments (部门全量同步): every department of orgInfoList is added or updated (keys[n]
-- belongs to orgInfoList[n]); departments missing from the list are kept.
CREATE OR REPLACE VIEW koogallery_kit_department_lists AS SELECT
	NULL::text AS "instanceId", NULL::text AS "tenantId",
	-- a list: n8n hands it over as a PostgreSQL array (text), read by koogallery_kit_list
	NULL::text AS "orgInfoList", NULL::jsonb AS koogallery
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_kit_sync_department_list() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO koogallery_kit_departments (key, instance_id, tenant_id, org_code, org_name,
		parent_code)
	SELECT DISTINCT ON (k.key) k.key, NULLIF(NEW."instanceId", ''), NEW."tenantId", o ->> 'orgCode',
		COALESCE(o ->> 'orgName', ''), NULLIF(o ->> 'parentCode', '')
	FROM jsonb_array_elements_text(koogallery_kit_keys(NEW.koogallery)) WITH ORDINALITY AS k (key, n)
	JOIN jsonb_array_elements(koogallery_kit_list(NEW."orgInfoList")) WITH ORDINALITY AS l (o, n)
		ON l.n = k.n
	ORDER BY k.key, k.n DESC
	ON CONFLICT (key) DO UPDATE SET org_name = EXCLUDED.org_name,
		parent_code = EXCLUDED.parent_code, updated_at = now();
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_kit_sync_department_list ON koogallery_kit_department_lists;
CREATE TRIGGER koogallery_kit_sync_department_list INSTEAD OF INSERT ON koogallery_kit_department_lists
	FOR EACH ROW EXECUTE FUNCTION koogallery_kit_sync_department_list();
