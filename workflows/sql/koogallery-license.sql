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

-- What the workflow's steps write into. Each is a view with the fields of KooGallery's call as its
-- columns; writing a row into it runs the function below it, which does the real work in the tables
-- above and fills in the answer. So the workflow itself needs no formulas, only field names.
-- Functions, views and their triggers are replaced each time this runs (PostgreSQL 11 or later):
-- change them here, not in the database.

-- A license asked for (获取License getLicense, 异步申请License getLicenseAsync). The issue key is
-- "order:<orderId>" for a purchase, "event:<instanceId>/<eventId>/<device>" for an activation; the
-- instance is the purchase's business ID (as KooGallery recommends) or the activation's instance.
-- Issued before: `issued` is a list with that instance and license, and `toSign` is empty.
-- New: `issued` is empty and `toSign` holds the issue key and the text of the license to sign.
-- Change what a license says here (the facts in licenseData; keep it JSON).
CREATE OR REPLACE VIEW koogallery_license_requests AS SELECT
	NULL::text AS "orderId", NULL::text AS "businessId", NULL::text AS "instanceId",
	NULL::text AS "eventId", NULL::text AS "deviceFingerprint", NULL::text AS "customerId",
	NULL::text AS "productId", NULL::text AS "expireTime", NULL::jsonb AS koogallery,
	-- the answer: the license issued before, or what to sign
	NULL::jsonb AS issued, NULL::jsonb AS "toSign"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_find_license() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	purchase boolean := NEW.koogallery ->> 'scenario' = 'getLicense';
	wanted text;
	instance text;
	facts text;
	earlier koogallery_licenses%ROWTYPE;
BEGIN
	IF purchase THEN
		wanted := 'order:' || COALESCE(NEW."orderId", '');
		instance := NEW."businessId";
	ELSE
		wanted := 'event:' || COALESCE(NEW."instanceId", '') || '/' || COALESCE(NEW."eventId", '')
			|| '/' || COALESCE(NEW."deviceFingerprint", '');
		instance := NEW."instanceId";
	END IF;
	SELECT * INTO earlier FROM koogallery_licenses WHERE issue_key = wanted;
	IF FOUND THEN
		NEW.issued := jsonb_build_array(jsonb_build_object('instanceId', earlier.instance_id,
			'license', earlier.license));
		NEW."toSign" := '[]';
		RETURN NEW;
	END IF;
	-- The facts as compact JSON, in this order, each a text ('' when KooGallery sent none).
	facts := '{"product":' || to_json(COALESCE(NEW."productId", ''))::text
		|| ',"customer":' || to_json(COALESCE(NEW."customerId", ''))::text
		|| ',"order":' || to_json(COALESCE(NEW."orderId", ''))::text
		|| ',"instance":' || to_json(COALESCE(instance, ''))::text
		|| ',"device":' || to_json(COALESCE(NEW."deviceFingerprint", ''))::text
		|| ',"issued":' || to_json(to_char(clock_timestamp() AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
		|| ',"expires":' || to_json(COALESCE(NEW."expireTime", ''))::text || '}';
	NEW.issued := '[]';
	NEW."toSign" := jsonb_build_array(jsonb_build_object('issueKey', wanted,
		'licenseData', facts,
		'testCall', COALESCE(lower(NEW.koogallery ->> 'testFlag') IN ('true', '1'), false)));
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_find_license ON koogallery_license_requests;
CREATE TRIGGER koogallery_find_license INSTEAD OF INSERT ON koogallery_license_requests
	FOR EACH ROW EXECUTE FUNCTION koogallery_find_license();

-- A license signed by the workflow: the license is the text it says, Base64, a dot, and your RSA
-- signature over that text. Two copies of one request arriving together: the first saved license
-- is the answer to both.
CREATE OR REPLACE VIEW koogallery_signed_licenses AS SELECT
	NULL::text AS "issueKey", NULL::text AS "licenseData", NULL::text AS signature,
	NULL::boolean AS "testCall",
	-- the answer: the instance and its license
	NULL::text AS "instanceId", NULL::text AS license
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_save_license() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	facts jsonb := NEW."licenseData"::jsonb;
BEGIN
	INSERT INTO koogallery_licenses (issue_key, instance_id, order_id, customer_id, product_id,
		device_fingerprint, license, expire_time, test_call)
	VALUES (NEW."issueKey", NULLIF(facts ->> 'instance', ''), NULLIF(facts ->> 'order', ''),
		NULLIF(facts ->> 'customer', ''), NULLIF(facts ->> 'product', ''),
		NULLIF(facts ->> 'device', ''),
		replace(encode(convert_to(NEW."licenseData", 'UTF8'), 'base64'), E'\n', '') || '.'
			|| NEW.signature,
		NULLIF(facts ->> 'expires', ''), COALESCE(NEW."testCall", false))
	ON CONFLICT (issue_key) DO UPDATE SET updated_at = koogallery_licenses.updated_at
	RETURNING instance_id, license INTO NEW."instanceId", NEW.license;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_save_license ON koogallery_signed_licenses;
CREATE TRIGGER koogallery_save_license INSTEAD OF INSERT ON koogallery_signed_licenses
	FOR EACH ROW EXECUTE FUNCTION koogallery_save_license();

-- License code renewed or bought again (授权码续费, refreshLicenseCode): its new expiry and order.
-- A code not seen yet is added.
CREATE OR REPLACE VIEW koogallery_license_code_renewals AS SELECT
	NULL::text AS license, NULL::text AS "expireTime", NULL::text AS "orderId"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_renew_license_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO koogallery_license_codes (license, expire_time, last_order_id)
	VALUES (NEW.license, NEW."expireTime", NEW."orderId")
	ON CONFLICT (license) DO UPDATE SET expire_time = EXCLUDED.expire_time,
		last_order_id = EXCLUDED.last_order_id, updated_at = now();
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_renew_license_code ON koogallery_license_code_renewals;
CREATE TRIGGER koogallery_renew_license_code INSTEAD OF INSERT ON koogallery_license_code_renewals
	FOR EACH ROW EXECUTE FUNCTION koogallery_renew_license_code();

-- License code frozen or unfrozen (updateLicenseCodeStatus, status FREEZE or UNFREEZE): frozen for
-- up to 15 days before KooGallery releases it, so keep the customer's data. A released code stays
-- released.
CREATE OR REPLACE VIEW koogallery_license_code_statuses AS SELECT
	NULL::text AS license, NULL::text AS status
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_save_license_code_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO koogallery_license_codes (license, status)
	VALUES (NEW.license, CASE WHEN NEW.status = 'FREEZE' THEN 'frozen' ELSE 'active' END)
	ON CONFLICT (license) DO UPDATE SET updated_at = now(),
		status = CASE WHEN koogallery_license_codes.status = 'released' THEN 'released'
			ELSE EXCLUDED.status END;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_save_license_code_status ON koogallery_license_code_statuses;
CREATE TRIGGER koogallery_save_license_code_status INSTEAD OF INSERT ON koogallery_license_code_statuses
	FOR EACH ROW EXECUTE FUNCTION koogallery_save_license_code_status();

-- License code released (releaseLicenseCode): marked released.
CREATE OR REPLACE VIEW koogallery_license_code_releases AS SELECT
	NULL::text AS license, NULL::text AS "orderId"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_release_license_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO koogallery_license_codes (license, status, last_order_id)
	VALUES (NEW.license, 'released', NULLIF(NEW."orderId", ''))
	ON CONFLICT (license) DO UPDATE SET status = 'released', updated_at = now();
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_release_license_code ON koogallery_license_code_releases;
CREATE TRIGGER koogallery_release_license_code INSTEAD OF INSERT ON koogallery_license_code_releases
	FOR EACH ROW EXECUTE FUNCTION koogallery_release_license_code();

-- Offline license renewed (refreshLicense): the new expiry of the instance's licenses. Gives back no
-- row when no license of the instance is known, which KooGallery is answered 000003.
CREATE OR REPLACE VIEW koogallery_license_renewals AS SELECT
	NULL::text AS "instanceId", NULL::text AS "expireTime"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_renew_license() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE koogallery_licenses SET expire_time = NEW."expireTime", updated_at = now()
	WHERE instance_id = NEW."instanceId";
	IF NOT FOUND THEN RETURN NULL; END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_renew_license ON koogallery_license_renewals;
CREATE TRIGGER koogallery_renew_license INSTEAD OF INSERT ON koogallery_license_renewals
	FOR EACH ROW EXECUTE FUNCTION koogallery_renew_license();

-- Offline license released (releaseLicense): the instance's licenses are marked released; no row
-- back (000003) when none is known.
CREATE OR REPLACE VIEW koogallery_license_releases AS SELECT NULL::text AS "instanceId" WHERE false;

CREATE OR REPLACE FUNCTION koogallery_release_license() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE koogallery_licenses SET status = 'released', updated_at = now()
	WHERE instance_id = NEW."instanceId";
	IF NOT FOUND THEN RETURN NULL; END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_release_license ON koogallery_license_releases;
CREATE TRIGGER koogallery_release_license INSTEAD OF INSERT ON koogallery_license_releases
	FOR EACH ROW EXECUTE FUNCTION koogallery_release_license();
