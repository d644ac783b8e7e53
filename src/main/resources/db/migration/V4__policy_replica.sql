-- D09 + R02: the hub's replica of PAS policies, kept from the policy events (every one carries the policy's
-- snapshot), so that the claims coverage check (F06) still answers while PAS is down.
CREATE TABLE hub.policy_replica (
    policy_id       varchar(64)   PRIMARY KEY,
    policy_number   varchar(64)   NOT NULL UNIQUE,
    quote_id        varchar(64),
    customer_id     varchar(64),
    product         varchar(16),
    status          varchar(16)   NOT NULL,
    premium         numeric(14, 2),
    currency        char(3),
    coverage        jsonb,
    claim_count     integer,
    claimed_total   numeric(14, 2),
    premium_paid    numeric(14, 2),
    version         integer       NOT NULL,
    last_event_id   varchar(128),
    last_event_type varchar(64),
    occurred_at     timestamptz,
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

-- R02: events that arrived ahead of their turn (a gap in the aggregate's versions), held with the reason until
-- the missing version arrives. Never dropped: a gap that never fills stays here, visible to operators
-- (GET /api/admin/parked-events).
CREATE TABLE hub.parked_events (
    consumer     varchar(64)  NOT NULL,
    aggregate_id varchar(64)  NOT NULL,
    version      integer      NOT NULL,
    event_id     varchar(128),
    event_type   varchar(64),
    event        jsonb        NOT NULL,
    reason       text         NOT NULL,
    parked_at    timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, aggregate_id, version)
);

-- The policy snapshot of one event onto the replica row. A field the event does not carry keeps its value.
CREATE FUNCTION hub.upsert_policy_replica(p_event jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hub.policy_replica AS r
        (policy_id, policy_number, quote_id, customer_id, product, status, premium, currency, coverage, claim_count,
         claimed_total, premium_paid, version, last_event_id, last_event_type, occurred_at, updated_at)
    SELECT p_event ->> 'aggregateId', d ->> 'policyNumber', d ->> 'quoteId', d ->> 'customerId', d ->> 'product',
           d ->> 'status', (d ->> 'premium')::numeric, d ->> 'currency', d -> 'coverage', (d ->> 'claimCount')::integer,
           (d ->> 'claimedTotal')::numeric, (d ->> 'premiumPaid')::numeric, (p_event ->> 'aggregateVersion')::integer,
           p_event ->> 'eventId', p_event ->> 'eventType', (p_event ->> 'occurredAt')::timestamptz, now()
    FROM (SELECT p_event -> 'data' AS d) s
    ON CONFLICT (policy_id) DO UPDATE SET
        policy_number   = COALESCE(EXCLUDED.policy_number, r.policy_number),
        quote_id        = COALESCE(EXCLUDED.quote_id, r.quote_id),
        customer_id     = COALESCE(EXCLUDED.customer_id, r.customer_id),
        product         = COALESCE(EXCLUDED.product, r.product),
        status          = COALESCE(EXCLUDED.status, r.status),
        premium         = COALESCE(EXCLUDED.premium, r.premium),
        currency        = COALESCE(EXCLUDED.currency, r.currency),
        coverage        = COALESCE(EXCLUDED.coverage, r.coverage),
        claim_count     = COALESCE(EXCLUDED.claim_count, r.claim_count),
        claimed_total   = COALESCE(EXCLUDED.claimed_total, r.claimed_total),
        premium_paid    = COALESCE(EXCLUDED.premium_paid, r.premium_paid),
        version         = EXCLUDED.version,
        last_event_id   = EXCLUDED.last_event_id,
        last_event_type = EXCLUDED.last_event_type,
        occurred_at     = EXCLUDED.occurred_at,
        updated_at      = now()
$$;

-- R02: apply one policy event in per-aggregate order, in ONE statement (so one transaction, whoever calls it):
--  * version <= stored version: already reflected (a redelivery or a late duplicate) -> 'STALE', nothing changes;
--  * version = stored + 1, or the policy's first event (PolicyCreated, or version 1) -> applied, then every parked
--    successor (stored + 1, + 2, ...) is applied too and unparked (resequencing) -> 'APPLIED <n>';
--  * anything else is a gap -> parked with the reason -> 'PARKED'.
-- An advisory lock per policy serialises two callers of the same policy (e.g. two hub instances during a
-- consumer-group rebalance).
CREATE FUNCTION hub.apply_policy_event(p_event jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c_consumer constant text := 'policy-replica';
    v_id      text    := p_event ->> 'aggregateId';
    v_version integer := (p_event ->> 'aggregateVersion')::integer;
    v_stored  integer;
    v_next    jsonb;
    v_applied integer := 1;
BEGIN
    IF v_id IS NULL OR v_version IS NULL THEN
        RAISE EXCEPTION 'policy event without aggregateId or aggregateVersion: %', p_event;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext(c_consumer || ':' || v_id));
    SELECT version INTO v_stored FROM hub.policy_replica WHERE policy_id = v_id;

    IF v_stored IS NOT NULL AND v_version <= v_stored THEN
        RETURN 'STALE';
    END IF;
    IF (v_stored IS NULL AND p_event ->> 'eventType' <> 'PolicyCreated' AND v_version <> 1)
       OR (v_stored IS NOT NULL AND v_version > v_stored + 1) THEN
        INSERT INTO hub.parked_events (consumer, aggregate_id, version, event_id, event_type, event, reason)
        VALUES (c_consumer, v_id, v_version, p_event ->> 'eventId', p_event ->> 'eventType', p_event,
                CASE WHEN v_stored IS NULL
                     THEN format('gap: no earlier event of policy %s applied yet, version %s waits for its first event (PolicyCreated)', v_id, v_version)
                     ELSE format('gap: replica at version %s, version %s waits for version %s', v_stored, v_version, v_stored + 1)
                END)
        ON CONFLICT DO NOTHING;
        RETURN 'PARKED';
    END IF;

    PERFORM hub.upsert_policy_replica(p_event);
    LOOP
        DELETE FROM hub.parked_events
        WHERE consumer = c_consumer AND aggregate_id = v_id AND version = v_version + 1
        RETURNING event INTO v_next;
        EXIT WHEN v_next IS NULL;
        PERFORM hub.upsert_policy_replica(v_next);
        v_version := v_version + 1;
        v_applied := v_applied + 1;
    END LOOP;
    -- parked copies of versions now applied (a gap event delivered twice) are done with
    DELETE FROM hub.parked_events WHERE consumer = c_consumer AND aggregate_id = v_id AND version <= v_version;
    RETURN 'APPLIED ' || v_applied;
END
$$;
