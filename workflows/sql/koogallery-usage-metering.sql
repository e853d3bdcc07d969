-- Table of the example workflow "KooGallery usage metering" (workflows/koogallery-usage-metering.json).
-- Your product writes one row per period of pay-per-use usage; the workflow reports the rows not yet
-- reported to KooGallery every hour and marks those KooGallery accepted. The workflow runs this
-- itself when it is published and each time n8n starts. Existing tables and rows are kept.
CREATE TABLE IF NOT EXISTS koogallery_usage (
	id bigserial PRIMARY KEY,
	-- the instance ID your production interface returned for the order
	instance_id text NOT NULL,
	begin_time timestamptz NOT NULL,
	end_time timestamptz NOT NULL,
	-- in the unit of the product's billing item (计费项), at most 4 decimal places
	usage_value numeric(20, 4) NOT NULL,
	-- your own ID for the record; leave it empty and one is derived from the instance and the period
	metering_sn text UNIQUE,
	-- set once KooGallery accepted the record; rows with a time here are never reported again
	reported_at timestamptz,
	-- the metering_sn KooGallery received (yours, or the one derived from instance and period)
	reported_sn text,
	attempts integer NOT NULL DEFAULT 0,
	-- why KooGallery did not accept the record the last time
	last_error text,
	-- while a run is sending the row: no other run takes it before this time
	claimed_until timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
-- Tables made by an earlier version of the workflow get the column too.
ALTER TABLE koogallery_usage ADD COLUMN IF NOT EXISTS claimed_until timestamptz;
CREATE INDEX IF NOT EXISTS koogallery_usage_unreported ON koogallery_usage (id) WHERE reported_at IS NULL;
