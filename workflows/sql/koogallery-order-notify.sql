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

-- What the workflow's steps write into. Each is a view with the fields of the call as its columns;
-- writing a row into it runs the function below it, which does the real work in the table above
-- and fills in the answer. So the workflow itself needs no formulas, only field names.
-- Functions, views and their triggers are replaced each time this runs (PostgreSQL 13 or later):
-- change them here, not in the database.

-- Record the order: the first notification of an order line records it; a later one (KooGallery's
-- retry, or 重新启动 in the seller console days later) only counts it, even at the same moment.
-- newOrder: a list holding the order line for a first notification, an empty list for a repeat.
CREATE OR REPLACE VIEW koogallery_order_notices AS SELECT
	NULL::text AS "orderId", NULL::text AS "orderLineId", NULL::jsonb AS koogallery,
	-- the answer
	NULL::jsonb AS "newOrder"
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_record_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	line_id text := COALESCE(NEW."orderLineId", '');
	is_new boolean;
BEGIN
	INSERT INTO koogallery_orders (order_id, order_line_id, test_call)
	VALUES (NEW."orderId", line_id, COALESCE(NEW.koogallery -> 'testFlag' = 'true'::jsonb, false))
	ON CONFLICT (order_id, order_line_id) DO UPDATE SET
		times_notified = koogallery_orders.times_notified + 1,
		last_notified_at = now()
	RETURNING (xmax = 0) INTO is_new;
	NEW."newOrder" := CASE WHEN is_new THEN jsonb_build_array(jsonb_build_object('orderId', NEW."orderId",
		'orderLineId', line_id, 'koogallery', NEW.koogallery)) ELSE '[]'::jsonb END;
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_record_order ON koogallery_order_notices;
CREATE TRIGGER koogallery_record_order INSTEAD OF INSERT ON koogallery_order_notices
	FOR EACH ROW EXECUTE FUNCTION koogallery_record_order();

-- Save the order details: KooGallery's order (Order > Get), or why it could not be read (error,
-- errorCode), into the order's row, and the message for your team in msgtype and text: the body
-- WeCom (企业微信) and DingTalk (钉钉) group robots take, {"msgtype":"text","text":{"content":"..."}}.
-- Change the wording of the messages here if you like. For Feishu (飞书), whose robots take
-- {"msg_type":"text","content":{"text":"..."}}, rename the columns msgtype and text of the view to
-- msg_type and content, set NEW.msg_type := 'text' and NEW.content := jsonb_build_object('text', message),
-- and choose msg_type and content as the output columns of the step "Save the order details".
CREATE OR REPLACE VIEW koogallery_order_details AS SELECT
	NULL::text AS "orderId", NULL::text AS "orderLineId", NULL::jsonb AS koogallery,
	NULL::jsonb AS "order", NULL::text AS error, NULL::text AS "errorCode",
	-- the answer: the message for your team
	NULL::text AS msgtype, NULL::jsonb AS text
WHERE false;

CREATE OR REPLACE FUNCTION koogallery_save_order_details() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	line_id text := COALESCE(NEW."orderLineId", '');
	test text := CASE WHEN NEW.koogallery -> 'testFlag' = 'true'::jsonb
		THEN ' (test call from the seller console)' ELSE '' END;
	lines jsonb := CASE WHEN jsonb_typeof(NEW."order" -> 'orderLine') = 'array'
		THEN NEW."order" -> 'orderLine' ELSE '[]'::jsonb END;
	line jsonb;
	product jsonb;
	buyer jsonb;
	why text;
	todo text;
	who text;
	reach text;
	paid text;
	message text;
BEGIN
	IF NULLIF(NEW.error, '') IS NOT NULL THEN
		why := NEW.error || COALESCE(' (' || NULLIF(NEW."errorCode", '') || ')', '');
		-- MKT.0150: the order is not this seller's, as for the made-up orders of the debugging page.
		IF NEW."errorCode" IN ('MKT.0150', 'MKT.0100') THEN
			UPDATE koogallery_orders SET status = 'unknown', order_error = why
			WHERE order_id = NEW."orderId" AND order_line_id = line_id;
			message := '[KooGallery] Order ' || NEW."orderId" || test
				|| ': KooGallery''s Order API does not know it (' || why
				|| '). Recorded as "unknown"; nothing to deliver.';
		ELSE
			UPDATE koogallery_orders SET status = 'not checked', order_error = why
			WHERE order_id = NEW."orderId" AND order_line_id = line_id;
			message := '[KooGallery] Order ' || NEW."orderId" || test
				|| ' was paid, but its details could not be read: ' || why
				|| '. Look it up in 卖家中心 (Seller Center) > 订单管理 (Orders); it is recorded as "not checked".';
		END IF;
	ELSE
		-- The order line notified, or the order's first line.
		SELECT l INTO line FROM jsonb_array_elements(lines) WITH ORDINALITY AS x (l, n)
		ORDER BY (l ->> 'orderLineId' IS NOT DISTINCT FROM line_id) DESC, n LIMIT 1;
		line := CASE WHEN jsonb_typeof(line) = 'object' THEN line ELSE '{}'::jsonb END;
		product := CASE WHEN jsonb_typeof(line -> 'productInfo' -> 0) = 'object'
			THEN line -> 'productInfo' -> 0 ELSE '{}'::jsonb END;
		buyer := CASE WHEN jsonb_typeof(NEW."order" -> 'buyerInfo') = 'object'
			THEN NEW."order" -> 'buyerInfo' ELSE '{}'::jsonb END;
		todo := CASE NEW."order" ->> 'orderType'
			WHEN 'NEW' THEN 'Deliver it.'
			WHEN 'TRIAL' THEN 'Deliver the trial.'
			WHEN 'TRIAL_TO_FORMAL' THEN 'The trial became a paid order.'
			WHEN 'RENEW' THEN 'Renewal: extend the service.'
			WHEN 'CHANGE' THEN 'Change: deliver the new specification.'
			WHEN 'UNSUBSCRIBE' THEN 'Unsubscribed (退订): stop the service.'
			ELSE 'Order type ' || COALESCE(NEW."order" ->> 'orderType', '') || '.' END;
		who := COALESCE(NULLIF(buyer ->> 'customerRealName', ''), NULLIF(buyer ->> 'customerName', ''),
			buyer ->> 'customerId', '');
		reach := concat_ws(', ', NULLIF(buyer ->> 'mobilePhone', ''), NULLIF(buyer ->> 'email', ''));
		paid := COALESCE(line ->> 'currencyAfterDiscount', line ->> 'currency', '');
		UPDATE koogallery_orders SET
			status = 'open',
			order_type = NULLIF(NEW."order" ->> 'orderType', ''),
			product_id = NULLIF(product ->> 'productId', ''),
			product_name = NULLIF(product ->> 'productName', ''),
			sku_code = NULLIF(product ->> 'skuCode', ''),
			quantity = NULLIF(product ->> 'linearValue', ''),
			charging_mode = NULLIF(line ->> 'chargingMode', ''),
			period = NULLIF(concat_ws(' ', line ->> 'periodNumber', line ->> 'periodType'), ''),
			expire_time = NULLIF(line ->> 'expireTime', ''),
			amount = NULLIF(paid, ''),
			customer_id = NULLIF(buyer ->> 'customerId', ''),
			customer_name = NULLIF(buyer ->> 'customerName', ''),
			customer_real_name = NULLIF(buyer ->> 'customerRealName', ''),
			contact = NULLIF(reach, ''),
			order_error = NULL
		WHERE order_id = NEW."orderId" AND order_line_id = line_id;
		message := '[KooGallery] Order ' || NEW."orderId" || test || ': ' || todo || E'\n'
			|| 'What: ' || COALESCE(product ->> 'productName', '')
			|| CASE WHEN product ? 'linearValue'
				THEN ', quantity ' || COALESCE(product ->> 'linearValue', 'null') ELSE '' END
			|| ' (SKU ' || COALESCE(product ->> 'skuCode', '') || E')\n'
			|| 'For: ' || who || CASE WHEN reach <> '' THEN ' (' || reach || ')' ELSE '' END || E'\n'
			|| 'Amount: ' || COALESCE(NULLIF(paid, ''), 'n/a') || ', order line '
			|| COALESCE(NULLIF(line ->> 'orderLineId', ''), line_id);
	END IF;
	NEW.msgtype := 'text';
	NEW.text := jsonb_build_object('content', message);
	RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS koogallery_save_order_details ON koogallery_order_details;
CREATE TRIGGER koogallery_save_order_details INSTEAD OF INSERT ON koogallery_order_details
	FOR EACH ROW EXECUTE FUNCTION koogallery_save_order_details();
