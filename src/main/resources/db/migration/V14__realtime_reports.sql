-- D05: the real-time reports' read models, kept from the audit trail (V13) by a trigger: a change lands in its report
-- in the transaction that records it, and only when it is recorded for the first time - a replayed change conflicts
-- on audit_trail_once, inserts no row, fires nothing - so the running totals below stay exact under replays.
CREATE TABLE hub.report_policies_per_hour (
    hour     timestamptz    PRIMARY KEY,                 -- the policies' creation hour (PAS created_at)
    policies integer        NOT NULL,
    premium  numeric(16, 2) NOT NULL
);
-- Policies in force (status other than CANCELLED), per product and currency
CREATE TABLE hub.report_premium_by_product (
    product  varchar(32)    NOT NULL,
    currency varchar(3)     NOT NULL,
    policies integer        NOT NULL,
    premium  numeric(16, 2) NOT NULL,
    PRIMARY KEY (product, currency)
);
-- Claims not yet SETTLED or REJECTED
CREATE TABLE hub.report_open_claims (
    claim_id       varchar(40)    PRIMARY KEY,
    claim_number   varchar(16),
    policy_id      varchar(64),
    customer_id    varchar(64),
    status         varchar(16)    NOT NULL,
    claimed_amount numeric(12, 2) NOT NULL,
    currency       varchar(3)     NOT NULL,
    opened_at      timestamptz
);

CREATE FUNCTION hub.apply_change_to_reports() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := NEW.before;
    new_row jsonb := NEW.after;
BEGIN
    IF NEW.source_table = 'pas.policies' THEN
        IF NEW.operation IN ('c', 'r') THEN
            INSERT INTO hub.report_policies_per_hour AS r (hour, policies, premium)
            VALUES (date_trunc('hour', (new_row ->> 'created_at')::timestamptz), 1, (new_row ->> 'premium')::numeric)
            ON CONFLICT (hour) DO UPDATE SET policies = r.policies + 1, premium = r.premium + EXCLUDED.premium;
        ELSIF NEW.operation = 'd' THEN
            UPDATE hub.report_policies_per_hour
            SET policies = policies - 1, premium = premium - (old_row ->> 'premium')::numeric
            WHERE hour = date_trunc('hour', (old_row ->> 'created_at')::timestamptz);
        ELSIF (old_row ->> 'premium')::numeric IS DISTINCT FROM (new_row ->> 'premium')::numeric THEN
            UPDATE hub.report_policies_per_hour
            SET premium = premium - (old_row ->> 'premium')::numeric + (new_row ->> 'premium')::numeric
            WHERE hour = date_trunc('hour', (new_row ->> 'created_at')::timestamptz);
        END IF;
        -- in force before: its contribution leaves; in force after: it comes (a product change moves it)
        IF old_row IS NOT NULL AND NEW.operation <> 'r' AND old_row ->> 'status' <> 'CANCELLED' THEN
            UPDATE hub.report_premium_by_product
            SET policies = policies - 1, premium = premium - (old_row ->> 'premium')::numeric
            WHERE product = old_row ->> 'product' AND currency = old_row ->> 'currency';
        END IF;
        IF new_row IS NOT NULL AND new_row ->> 'status' <> 'CANCELLED' THEN
            INSERT INTO hub.report_premium_by_product AS r (product, currency, policies, premium)
            VALUES (new_row ->> 'product', new_row ->> 'currency', 1, (new_row ->> 'premium')::numeric)
            ON CONFLICT (product, currency) DO UPDATE
                SET policies = r.policies + 1, premium = r.premium + EXCLUDED.premium;
        END IF;
    ELSIF NEW.source_table = 'claims.claims' THEN
        IF new_row IS NULL OR new_row ->> 'status' IN ('SETTLED', 'REJECTED') THEN
            DELETE FROM hub.report_open_claims WHERE claim_id = coalesce(old_row, new_row) ->> 'claim_id';
        ELSE
            INSERT INTO hub.report_open_claims AS r (claim_id, claim_number, policy_id, customer_id, status,
                                                     claimed_amount, currency, opened_at)
            VALUES (new_row ->> 'claim_id', new_row ->> 'claim_number', new_row ->> 'policy_id',
                    new_row ->> 'customer_id', new_row ->> 'status', (new_row ->> 'claimed_amount')::numeric,
                    new_row ->> 'currency', (new_row ->> 'created_at')::timestamptz)
            ON CONFLICT (claim_id) DO UPDATE
                SET status = EXCLUDED.status, claimed_amount = EXCLUDED.claimed_amount, currency = EXCLUDED.currency,
                    policy_id = EXCLUDED.policy_id, customer_id = EXCLUDED.customer_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_trail_feeds_reports AFTER INSERT ON hub.audit_trail
    FOR EACH ROW EXECUTE FUNCTION hub.apply_change_to_reports();
