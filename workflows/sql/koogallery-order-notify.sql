-- Table of the example workflow "KooGallery order notification: orders in PostgreSQL"
-- (workflows/koogallery-order-notify-postgres.json). The workflow runs this itself when it is
-- published and each time n8n starts; run it yourself if its database user may not create tables.
-- Existing tables and rows are kept.

-- One row per order line KooGallery notified, kept once however often the order is sent again.
CREATE TABLE IF NOT EXISTS koogallery_orders (
	order_id text NOT NULL,
	-- empty when a notification names no order line
	order_line_id text NOT NULL DEFAULT '',
	-- received (just noted), open (read: deliver it), unknown (KooGallery's Order API does not
	-- know the order, as for the debugging page's made-up orders) or not checked (see order_error)
	status text NOT NULL DEFAULT 'received',
	-- NEW, TRIAL, TRIAL_TO_FORMAL, RENEW, CHANGE or UNSUBSCRIBE
	order_type text,
	product_id text,
	product_name text,
	sku_code text,
	quantity text,
	charging_mode text,
	period text,
	-- yyyyMMddHHmmss (UTC), for orders with a period
	expire_time text,
	amount text,
	customer_id text,
	customer_name text,
	customer_real_name text,
	contact text,
	order_error text,
	test_call boolean NOT NULL DEFAULT false,
	times_notified integer NOT NULL DEFAULT 1,
	first_notified_at timestamptz NOT NULL DEFAULT now(),
	last_notified_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (order_id, order_line_id)
);
