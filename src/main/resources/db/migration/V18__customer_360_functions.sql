-- D08: how an event changes the customer 360 read model (V17), and how it is read (F05 and the overview).

-- One customer's view changed by an event: + 1 on its version, the event named, the time.
CREATE FUNCTION hub.touch_customer_360(p_customer_id text, p_event jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hub.customer_360 AS c (customer_id, version, last_event_id, last_event_type, updated_at)
    VALUES (p_customer_id, 1, p_event ->> 'eventId', p_event ->> 'eventType', now())
    ON CONFLICT (customer_id) DO UPDATE SET
        version         = c.version + 1,
        last_event_id   = EXCLUDED.last_event_id,
        last_event_type = EXCLUDED.last_event_type,
        updated_at      = now()
$$;

-- D08: apply one event, in ONE statement (one transaction whoever calls it), and answer the outcome:
--  * DUPLICATE: its eventId was taken before (a redelivery): nothing changes;
--  * STALE: a policy or claim snapshot older than (or as old as) the one held: nothing changes but the ids it may
--    complete (a policy's customer read after a later event that did not carry it);
--  * SKIPPED: an event with nothing for this view (a credit note);
--  * APPLIED <customer id or ->: the view changed ('-' while the customer is not known yet: an invoice read before its
--    policy; the policy's first event then claims it).
-- Policy and claim snapshots go by their aggregate's version (order-safe: an older snapshot never overwrites a newer
-- one). Invoices and payments are sets keyed by Billing's ids (see V17): any order gives the same rows.
-- An advisory lock per aggregate serialises two hub instances on one aggregate during a consumer-group rebalance.
CREATE FUNCTION hub.apply_customer_360_event(p_event jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_type      text    := p_event ->> 'eventType';
    v_event_id  text    := p_event ->> 'eventId';
    v_aggregate text    := p_event ->> 'aggregateId';
    v_version   integer := (p_event ->> 'aggregateVersion')::integer;
    d           jsonb   := p_event -> 'data';
    v_customer  text;
    v_stored    integer;
    v_outcome   text    := 'APPLIED';
BEGIN
    IF v_event_id IS NULL OR v_aggregate IS NULL OR v_type IS NULL OR d IS NULL THEN
        RAISE EXCEPTION 'customer 360: an event without eventId, eventType, aggregateId or data: %', left(p_event::text, 200);
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('customer-360:' || v_aggregate));
    -- under the lock: the same event has the same aggregate, so a concurrent redelivery waits and finds the row
    UPDATE hub.customer_360_events SET deliveries = deliveries + 1, last_delivered_at = now()
    WHERE event_id = v_event_id;
    IF FOUND THEN
        RETURN 'DUPLICATE';
    END IF;
    INSERT INTO hub.customer_360_events (event_id, event_type, aggregate_id, outcome)
    VALUES (v_event_id, v_type, v_aggregate, 'APPLYING');

    IF v_type = 'CustomerRegistered' THEN
        v_customer := d ->> 'customerId';
        INSERT INTO hub.customer_360 AS c (customer_id, first_name, last_name, email, birth_date, version,
                                           last_event_id, last_event_type, updated_at)
        VALUES (v_customer, d ->> 'firstName', d ->> 'lastName', d ->> 'email', (d ->> 'birthDate')::date, 1,
                v_event_id, v_type, now())
        ON CONFLICT (customer_id) DO UPDATE SET
            first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, email = EXCLUDED.email,
            birth_date = COALESCE(EXCLUDED.birth_date, c.birth_date), version = c.version + 1,
            last_event_id = EXCLUDED.last_event_id, last_event_type = EXCLUDED.last_event_type, updated_at = now();
        v_customer := NULL; -- touched above

    ELSIF v_type LIKE 'Policy%' THEN
        SELECT version INTO v_stored FROM hub.customer_360_policies WHERE policy_id = v_aggregate;
        IF v_stored IS NULL THEN
            INSERT INTO hub.customer_360_policies (policy_id, customer_id, policy_number, product, status, premium,
                                                   currency, premium_paid, claim_count, version, occurred_at)
            VALUES (v_aggregate, d ->> 'customerId', d ->> 'policyNumber', d ->> 'product', d ->> 'status',
                    (d ->> 'premium')::numeric, d ->> 'currency', (d ->> 'premiumPaid')::numeric,
                    (d ->> 'claimCount')::integer, v_version, (p_event ->> 'occurredAt')::timestamptz);
            v_customer := d ->> 'customerId';
        ELSIF v_version > v_stored THEN
            UPDATE hub.customer_360_policies p SET
                customer_id   = COALESCE(p.customer_id, d ->> 'customerId'),
                policy_number = COALESCE(d ->> 'policyNumber', p.policy_number),
                product       = COALESCE(d ->> 'product', p.product),
                status        = COALESCE(d ->> 'status', p.status),
                premium       = COALESCE((d ->> 'premium')::numeric, p.premium),
                currency      = COALESCE(d ->> 'currency', p.currency),
                premium_paid  = COALESCE((d ->> 'premiumPaid')::numeric, p.premium_paid),
                claim_count   = COALESCE((d ->> 'claimCount')::integer, p.claim_count),
                version       = v_version,
                occurred_at   = (p_event ->> 'occurredAt')::timestamptz,
                updated_at    = now()
            WHERE policy_id = v_aggregate
            RETURNING customer_id INTO v_customer;
        ELSE
            -- an older snapshot: only what the newer one lacked (its customer, number, product)
            UPDATE hub.customer_360_policies p SET
                customer_id   = COALESCE(p.customer_id, d ->> 'customerId'),
                policy_number = COALESCE(p.policy_number, d ->> 'policyNumber'),
                product       = COALESCE(p.product, d ->> 'product'),
                updated_at    = now()
            WHERE policy_id = v_aggregate
              AND ((p.customer_id IS NULL AND d ->> 'customerId' IS NOT NULL)
                   OR (p.policy_number IS NULL AND d ->> 'policyNumber' IS NOT NULL)
                   OR (p.product IS NULL AND d ->> 'product' IS NOT NULL))
            RETURNING customer_id INTO v_customer;
            IF NOT FOUND THEN
                v_outcome := 'STALE';
            END IF;
        END IF;
        IF v_customer IS NOT NULL THEN
            -- invoices read before the policy: now the customer's
            UPDATE hub.customer_360_invoices SET customer_id = v_customer, updated_at = now()
            WHERE policy_id = v_aggregate AND customer_id IS NULL;
        END IF;

    ELSIF v_type LIKE 'Claim%' THEN
        SELECT version INTO v_stored FROM hub.customer_360_claims WHERE claim_id = v_aggregate;
        IF v_stored IS NOT NULL AND v_version <= v_stored THEN
            v_outcome := 'STALE';
        ELSE
            INSERT INTO hub.customer_360_claims AS c (claim_id, customer_id, policy_id, policy_number, claim_number,
                                                      status, incident_date, claimed_amount, assessed_amount,
                                                      settled_amount, currency, version, occurred_at)
            VALUES (v_aggregate, d ->> 'customerId', d ->> 'policyId', d ->> 'policyNumber', d ->> 'claimNumber',
                    d ->> 'status', (d ->> 'incidentDate')::date, (d ->> 'claimedAmount')::numeric,
                    (d ->> 'assessedAmount')::numeric, (d ->> 'settledAmount')::numeric, d ->> 'currency',
                    v_version, (p_event ->> 'occurredAt')::timestamptz)
            ON CONFLICT (claim_id) DO UPDATE SET
                customer_id = EXCLUDED.customer_id, policy_id = EXCLUDED.policy_id,
                policy_number = COALESCE(EXCLUDED.policy_number, c.policy_number),
                claim_number = EXCLUDED.claim_number, status = EXCLUDED.status,
                incident_date = EXCLUDED.incident_date, claimed_amount = EXCLUDED.claimed_amount,
                assessed_amount = COALESCE(EXCLUDED.assessed_amount, c.assessed_amount),
                settled_amount = COALESCE(EXCLUDED.settled_amount, c.settled_amount),
                currency = EXCLUDED.currency, version = EXCLUDED.version, occurred_at = EXCLUDED.occurred_at,
                updated_at = now();
            v_customer := d ->> 'customerId';
        END IF;

    ELSIF v_type IN ('InvoiceIssued', 'InvoiceCancelled')
          OR (v_type = 'InvoiceAdjusted' AND d ->> 'invoiceId' IS NOT NULL) THEN
        v_customer := COALESCE(d ->> 'customerId',
                               (SELECT customer_id FROM hub.customer_360_policies WHERE policy_id = d ->> 'policyId'));
        INSERT INTO hub.customer_360_invoices AS i (invoice_id, policy_id, customer_id, account_id, kind, amount,
                                                    currency, due_date, cancelled, issued_at)
        VALUES (d ->> 'invoiceId', d ->> 'policyId', v_customer, COALESCE(d ->> 'accountId', v_aggregate),
                CASE WHEN v_type = 'InvoiceAdjusted' THEN 'ADJUSTMENT' ELSE d ->> 'kind' END,
                (d ->> 'amount')::numeric, d ->> 'currency', (d ->> 'dueDate')::date,
                v_type = 'InvoiceCancelled' OR d ->> 'status' = 'CANCELLED',
                CASE WHEN v_type <> 'InvoiceCancelled' THEN (p_event ->> 'occurredAt')::timestamptz END)
        ON CONFLICT (invoice_id) DO UPDATE SET
            customer_id = COALESCE(i.customer_id, EXCLUDED.customer_id),
            kind        = COALESCE(i.kind, EXCLUDED.kind),
            amount      = COALESCE(i.amount, EXCLUDED.amount),
            currency    = COALESCE(i.currency, EXCLUDED.currency),
            due_date    = COALESCE(i.due_date, EXCLUDED.due_date),
            cancelled   = i.cancelled OR EXCLUDED.cancelled,
            issued_at   = COALESCE(i.issued_at, EXCLUDED.issued_at),
            updated_at  = now();

    ELSIF v_type = 'PaymentReceived' THEN
        INSERT INTO hub.customer_360_payments (payment_id, invoice_id, policy_id, amount, currency, received_at)
        VALUES (d ->> 'paymentId', d ->> 'invoiceId', d ->> 'policyId', (d ->> 'amount')::numeric, d ->> 'currency',
                (p_event ->> 'occurredAt')::timestamptz)
        ON CONFLICT (payment_id) DO NOTHING;
        IF FOUND THEN
            v_customer := COALESCE(d ->> 'customerId',
                                   (SELECT customer_id FROM hub.customer_360_invoices WHERE invoice_id = d ->> 'invoiceId'),
                                   (SELECT customer_id FROM hub.customer_360_policies WHERE policy_id = d ->> 'policyId'));
        ELSE
            v_outcome := 'STALE';
        END IF;

    ELSE
        v_outcome := 'SKIPPED';
    END IF;

    IF v_outcome = 'APPLIED' THEN
        IF v_customer IS NOT NULL THEN
            PERFORM hub.touch_customer_360(v_customer, p_event);
        END IF;
        v_outcome := 'APPLIED ' || COALESCE(v_customer, CASE WHEN v_type = 'CustomerRegistered' THEN d ->> 'customerId' END, '-');
    END IF;
    UPDATE hub.customer_360_events SET outcome = split_part(v_outcome, ' ', 1) WHERE event_id = v_event_id;
    RETURN v_outcome;
END
$$;

-- F05 + D08: one customer's view as one JSON document, from the read model only, in one snapshot (STABLE: every
-- query here sees the calling statement's snapshot, so the version matches the lists). p_view: 'overview' (the 360),
-- 'web' (the overview and every list: all claims, invoices with what is paid and due, payments), 'mobile' (name,
-- counts, next payment due, open claims trimmed). NULL for a customer the read model does not know.
-- Balance due: what is left to pay on the invoices not cancelled (issued minus payments received, never below 0 per
-- invoice); next payment due: the earliest of them with something left to pay.
CREATE FUNCTION hub.customer_360_view(p_customer_id text, p_view text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    c           hub.customer_360%ROWTYPE;
    v_policies  jsonb;
    v_claims    jsonb;
    v_open      jsonb;
    v_invoices  jsonb;
    v_payments  jsonb;
    v_balance   numeric;
    v_currency  text;
    v_next      jsonb;
BEGIN
    SELECT * INTO c FROM hub.customer_360 WHERE customer_id = p_customer_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;

    SELECT COALESCE(jsonb_agg(jsonb_build_object('policyId', policy_id, 'policyNumber', policy_number,
                                                 'product', product, 'status', status, 'premium', premium,
                                                 'currency', currency, 'premiumPaid', premium_paid,
                                                 'version', version) ORDER BY policy_number, policy_id), '[]')
    INTO v_policies FROM hub.customer_360_policies WHERE customer_id = p_customer_id;

    SELECT COALESCE(jsonb_agg(jsonb_build_object('claimId', claim_id, 'claimNumber', claim_number,
                                                 'policyId', policy_id, 'policyNumber', policy_number,
                                                 'status', status, 'incidentDate', incident_date,
                                                 'claimedAmount', claimed_amount, 'assessedAmount', assessed_amount,
                                                 'settledAmount', settled_amount, 'currency', currency,
                                                 'open', status IN ('OPEN', 'ASSESSED'))
                              ORDER BY incident_date DESC, claim_number), '[]')
    INTO v_claims FROM hub.customer_360_claims WHERE customer_id = p_customer_id;
    SELECT COALESCE(jsonb_agg(cl - 'open' - 'settledAmount'), '[]') INTO v_open
    FROM jsonb_array_elements(v_claims) cl WHERE (cl ->> 'open')::boolean;

    WITH inv AS (
        SELECT i.*, COALESCE(p.paid, 0) AS paid,
               CASE WHEN i.cancelled THEN 0 ELSE GREATEST(COALESCE(i.amount, 0) - COALESCE(p.paid, 0), 0) END AS outstanding
        FROM hub.customer_360_invoices i
        LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM hub.customer_360_payments GROUP BY invoice_id) p
               ON p.invoice_id = i.invoice_id
        WHERE i.customer_id = p_customer_id
    )
    SELECT COALESCE(jsonb_agg(jsonb_build_object('invoiceId', invoice_id, 'policyId', policy_id, 'kind', kind,
                                                 'amount', amount, 'paid', paid, 'outstanding', outstanding,
                                                 'currency', currency, 'dueDate', due_date,
                                                 'status', CASE WHEN cancelled THEN 'CANCELLED'
                                                                WHEN outstanding = 0 THEN 'PAID' ELSE 'OPEN' END)
                              ORDER BY due_date, invoice_id), '[]'),
           COALESCE(sum(outstanding), 0),
           min(currency),
           (SELECT jsonb_build_object('invoiceId', n.invoice_id, 'dueDate', n.due_date, 'amount', n.outstanding,
                                      'currency', n.currency)
            FROM inv n WHERE n.outstanding > 0 ORDER BY n.due_date NULLS LAST, n.invoice_id LIMIT 1)
    INTO v_invoices, v_balance, v_currency, v_next FROM inv;

    IF p_view = 'mobile' THEN
        RETURN jsonb_build_object(
            'customerId', c.customer_id,
            'name', NULLIF(concat_ws(' ', c.first_name, c.last_name), ''),
            'counts', jsonb_build_object('policies', jsonb_array_length(v_policies),
                                         'activePolicies', (SELECT count(*) FROM jsonb_array_elements(v_policies) p
                                                            WHERE p ->> 'status' = 'ACTIVE'),
                                         'openClaims', jsonb_array_length(v_open)),
            'nextPaymentDue', v_next - 'invoiceId',
            'openClaims', (SELECT COALESCE(jsonb_agg(jsonb_build_object('claimNumber', o ->> 'claimNumber',
                                                                        'status', o ->> 'status')), '[]')
                           FROM jsonb_array_elements(v_open) o),
            'version', c.version);
    END IF;

    IF p_view = 'web' THEN
        SELECT COALESCE(jsonb_agg(jsonb_build_object('paymentId', y.payment_id, 'invoiceId', y.invoice_id,
                                                     'amount', y.amount, 'currency', y.currency,
                                                     'receivedAt', y.received_at) ORDER BY y.received_at, y.payment_id), '[]')
        INTO v_payments
        FROM hub.customer_360_payments y JOIN hub.customer_360_invoices i ON i.invoice_id = y.invoice_id
        WHERE i.customer_id = p_customer_id;
    END IF;

    RETURN jsonb_build_object(
        'customer', jsonb_build_object('customerId', c.customer_id, 'firstName', c.first_name,
                                       'lastName', c.last_name, 'email', c.email, 'birthDate', c.birth_date),
        'policies', v_policies,
        'openClaims', v_open,
        'balanceDue', jsonb_build_object('amount', v_balance, 'currency', v_currency),
        'nextPaymentDue', v_next,
        'version', c.version,
        'updatedAt', c.updated_at)
        || CASE WHEN p_view = 'web'
                THEN jsonb_build_object('claims', (SELECT COALESCE(jsonb_agg(cl - 'open'), '[]') FROM jsonb_array_elements(v_claims) cl),
                                        'invoices', v_invoices, 'payments', v_payments)
                ELSE '{}'::jsonb END;
END
$$;
