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

-- What the workflow's steps write into. Each is a view with the fields of KooGallery's call as its
-- columns; writing a row into it runs the function below it, which does the real work in the tables
-- above and fills in the answer. So the workflow itself needs no formulas, only field names.
-- Functions, views and their triggers are replaced each time this runs (PostgreSQL 13 or later):
-- change them here, not in the database.

-- New purchase (创建实例): the customer, the instance and its log-in, in one step, so a new
-- purchase is saved whole or not at all. A repeated order (even one arriving at the same moment)
-- gets the instance of the first and changes nothing.
-- The first password is random (16 letters and digits), unless a step before sets `password`.
-- Change the log-in address (https://app.example.com/login?tenant=) and the user name
-- ('admin-' and the order ID) to your product's: near the end of the function.
CREATE OR REPLACE VIEW koogallery_new_purchases AS SELECT
	NULL::text AS "businessId", NULL::text AS "orderId", NULL::text AS "orderLineId",
	-- KooGallery's order details (Order > Get), or the reason they could not be read
	NULL::jsonb AS "order", NULL::text AS error, NULL::text AS "errorCode",
	NULL::text AS password, NULL::jsonb AS koogallery,
	-- the answer: the instance ID
	NULL::text AS "instanceId"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_save_new_purchase() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	buyer jsonb := NEW."order" -> 'buyerInfo';
	line jsonb := NEW."order" -> 'orderLine' -> 0;
	product jsonb := NEW."order" -> 'orderLine' -> 0 -> 'productInfo' -> 0;
	customer text := NULLIF(NEW."order" -> 'buyerInfo' ->> 'customerId', '');
BEGIN
	IF customer IS NOT NULL THEN
		INSERT INTO koogallery_tenants (customer_id, customer_name, real_name, mobile, email)
		VALUES (customer, NULLIF(buyer ->> 'customerName', ''), NULLIF(buyer ->> 'customerRealName', ''),
			NULLIF(buyer ->> 'mobilePhone', ''), NULLIF(buyer ->> 'email', ''))
		ON CONFLICT (customer_id) DO UPDATE SET
			customer_name = EXCLUDED.customer_name,
			real_name = EXCLUDED.real_name,
			mobile = EXCLUDED.mobile,
			email = EXCLUDED.email,
			updated_at = now();
	END IF;
	INSERT INTO koogallery_instances (instance_id, order_id, order_line_id, customer_id, product_id,
		sku_code, product_name, charging_mode, expire_time, last_order_id, order_checked,
		order_check_error, test_call)
	VALUES (NEW."businessId", NEW."orderId", NEW."orderLineId", customer,
		NULLIF(product ->> 'productId', ''), NULLIF(product ->> 'skuCode', ''),
		NULLIF(product ->> 'productName', ''), NULLIF(line ->> 'chargingMode', ''),
		NULLIF(line ->> 'expireTime', ''), NEW."orderId", NULLIF(NEW.error, '') IS NULL,
		NULLIF(NEW.error, '') || COALESCE(' (' || NULLIF(NEW."errorCode", '') || ')', ''),
		COALESCE((NEW.koogallery ->> 'testFlag')::boolean, false))
	-- A repeated order: keep the first instance as it is.
	ON CONFLICT (order_id, order_line_id) DO UPDATE SET updated_at = koogallery_instances.updated_at
	RETURNING instance_id INTO NEW."instanceId";
	INSERT INTO koogallery_credentials (instance_id, front_end_url, user_name, password)
	VALUES (NEW."instanceId", 'https://app.example.com/login?tenant=' || NEW."instanceId",
		'admin-' || lower(NEW."orderId"),
		COALESCE(NULLIF(NEW.password, ''), left(translate(encode(decode(replace(
			gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/=', ''), 16)))
	ON CONFLICT (instance_id) DO NOTHING;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_save_new_purchase ON koogallery_new_purchases;
CREATE TRIGGER koogallery_save_new_purchase INSTEAD OF INSERT ON koogallery_new_purchases
	FOR EACH ROW EXECUTE FUNCTION koogallery_save_new_purchase();

-- Query instance (查询实例信息): the log-in details of each instance KooGallery asked about
-- (koogallery.instanceIds), as a list `logins`; an unknown instance is left out of it.
CREATE OR REPLACE VIEW koogallery_instance_queries AS SELECT
	NULL::jsonb AS koogallery,
	-- the answer: one entry per known instance
	NULL::jsonb AS logins
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_find_logins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	SELECT COALESCE(jsonb_agg(jsonb_build_object('instanceId', c.instance_id,
			'frontEndUrl', c.front_end_url, 'adminUrl', c.admin_url, 'userName', c.user_name,
			'password', c.password) ORDER BY asked.n), '[]')
	INTO NEW.logins
	FROM jsonb_array_elements_text(NEW.koogallery -> 'instanceIds') WITH ORDINALITY AS asked (id, n)
	JOIN koogallery_credentials c ON c.instance_id = asked.id;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_find_logins ON koogallery_instance_queries;
CREATE TRIGGER koogallery_find_logins INSTEAD OF INSERT ON koogallery_instance_queries
	FOR EACH ROW EXECUTE FUNCTION koogallery_find_logins();

-- Renewal (续费), freeze or unfreeze (冻结 / 解冻), release (释放) and upgrade (升级): one view
-- for all four, so the workflow needs one step for them. `activity` is KooGallery's name of the
-- call (refreshInstance, updateInstanceStatus, releaseInstance, upgradeInstance) and says what to
-- change. Each change gives back no row when the table does not know the instance, which
-- KooGallery is answered 000003. Any other `activity` changes nothing and is answered as the
-- instance is: 000000 if the table knows it, 000003 if not.
-- (Earlier versions wrote into four views, koogallery_renewals, koogallery_status_changes,
-- koogallery_releases and koogallery_upgrades. They are left as they are, so a workflow that still
-- uses them keeps working; drop them once none does.)
CREATE OR REPLACE VIEW koogallery_instance_changes AS SELECT
	NULL::text AS activity, NULL::text AS "instanceId", NULL::text AS "orderId",
	NULL::text AS "expireTime", NULL::text AS "productId", NULL::text AS status
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_save_instance_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	CASE NEW.activity
	-- Renewal (续费): the new expiry date and the renewal order.
	WHEN 'refreshInstance' THEN
		UPDATE koogallery_instances
		SET expire_time = NEW."expireTime", last_order_id = NEW."orderId",
			product_id = COALESCE(NULLIF(NEW."productId", ''), product_id), updated_at = now()
		WHERE instance_id = NEW."instanceId";
	-- Freeze or unfreeze (冻结 / 解冻): status FREEZE or UNFREEZE. KooGallery freezes for up to
	-- 15 days before it releases: keep the customer's data. A released instance stays released.
	WHEN 'updateInstanceStatus' THEN
		UPDATE koogallery_instances
		SET status = CASE WHEN status = 'released' THEN status
			WHEN NEW.status = 'FREEZE' THEN 'frozen' ELSE 'active' END, updated_at = now()
		WHERE instance_id = NEW."instanceId";
	-- Release (释放): the instance is marked released.
	WHEN 'releaseInstance' THEN
		UPDATE koogallery_instances SET status = 'released', updated_at = now()
		WHERE instance_id = NEW."instanceId";
	-- Upgrade (升级): the upgrade order is noted.
	WHEN 'upgradeInstance' THEN
		UPDATE koogallery_instances SET last_order_id = NEW."orderId", updated_at = now()
		WHERE instance_id = NEW."instanceId";
	-- Anything else: nothing to change.
	ELSE
		PERFORM FROM koogallery_instances WHERE instance_id = NEW."instanceId";
	END CASE;
	IF NOT FOUND THEN RETURN NULL; END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_save_instance_change ON koogallery_instance_changes;
CREATE TRIGGER koogallery_save_instance_change INSTEAD OF INSERT ON koogallery_instance_changes
	FOR EACH ROW EXECUTE FUNCTION koogallery_save_instance_change();
