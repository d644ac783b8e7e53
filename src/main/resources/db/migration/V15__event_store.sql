-- D07: the event store. Every domain event of the hub's topics (quote, policy, claim, billing), appended once, in the
-- order the hub recorded it (position), with its aggregate's stream (aggregate_type, aggregate_id, version).
-- docs/architecture.md, "The event store (D07)", says why a table and not Kafka itself.
CREATE TABLE hub.event_store (
    -- global position: assigned under hub.event_store_append_lock(), so positions are committed in increasing order
    -- (a reader following the store by position never sees a gap fill in behind it)
    position       bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aggregate_type varchar(32)   NOT NULL,
    aggregate_id   varchar(64)   NOT NULL,
    -- the aggregate's version after the event; NULL for an unversioned notice (PaymentOverdue carries the account
    -- version it was computed against, which another event of the account already has)
    version        integer,
    event_id       varchar(128)  NOT NULL UNIQUE,
    event_type     varchar(64)   NOT NULL,
    payload        jsonb         NOT NULL,
    occurred_at    timestamptz   NOT NULL,
    recorded_at    timestamptz   NOT NULL DEFAULT now(),
    -- where the hub read it (topic/partition/offset), for an operator tracing an event back to Kafka
    source         varchar(300),
    CONSTRAINT event_store_stream UNIQUE (aggregate_type, aggregate_id, version)
);

-- The policy projection (read model) kept from the store: the state of each policy after its last projected event.
-- Only consecutive versions are projected (1, 2, 3...): a later version stored ahead of a missing one waits in the store.
CREATE TABLE hub.policy_state (
    policy_id       varchar(64)    PRIMARY KEY,
    policy_number   varchar(64),
    customer_id     varchar(64),
    product         varchar(16),
    status          varchar(16),
    premium         numeric(14, 2),
    currency        char(3),
    claim_count     integer        NOT NULL DEFAULT 0,
    premium_paid    numeric(14, 2),
    version         integer        NOT NULL,
    last_event_type varchar(64),
    occurred_at     timestamptz,
    last_position   bigint         NOT NULL
);

-- Every hub.event-store.snapshot-every events of a policy, its state (a hub.policy_state row as JSON): a past state
-- is the nearest snapshot at or before the instant asked plus the few events after it.
CREATE TABLE hub.policy_state_snapshots (
    policy_id   varchar(64)  NOT NULL,
    version     integer      NOT NULL,
    occurred_at timestamptz  NOT NULL,
    state       jsonb        NOT NULL,
    taken_at    timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (policy_id, version)
);

-- One lock for every append and every rebuild: appends take their positions one after the other (commit order =
-- position order) and a rebuild replays while no append changes the projection under it.
CREATE FUNCTION hub.event_store_append_lock() RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtext('hub.event_store append'))
$$;

-- The projection's one rule: a policy's state after one event. Every policy event carries the policy's snapshot; a
-- field the event does not carry keeps its value. Used alike by the live projection, the rebuild and asOf.
CREATE FUNCTION hub.policy_state_apply(p_state jsonb, p_event hub.event_store) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(p_state, jsonb_build_object('policy_id', p_event.aggregate_id, 'claim_count', 0))
        || jsonb_strip_nulls(jsonb_build_object(
               'policy_number', d ->> 'policyNumber', 'customer_id', d ->> 'customerId', 'product', d ->> 'product',
               'status', d ->> 'status', 'premium', d -> 'premium', 'currency', d ->> 'currency',
               'claim_count', d -> 'claimCount', 'premium_paid', d -> 'premiumPaid'))
        || jsonb_build_object('version', p_event.version, 'last_event_type', p_event.event_type,
               'occurred_at', p_event.occurred_at, 'last_position', p_event.position)
    FROM (SELECT p_event.payload AS d) s
$$;

-- Whether a stored event is the next one of a policy projected up to p_version (0: nothing yet): the next version, or
-- the policy's first event - version 1, or its PolicyCreated (PAS issues a policy at version 2: version 1 is the
-- PENDING policy of the subscription saga, which has no event)
CREATE FUNCTION hub.policy_event_follows(p_version integer, p_event hub.event_store) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_event.version = p_version + 1 OR (p_version = 0 AND p_event.event_type = 'PolicyCreated')
$$;

-- Brings one policy's projection row up to its last consecutive stored version, taking a snapshot at every
-- multiple of p_snapshot_every. Called in the append's transaction, under the append lock.
CREATE FUNCTION hub.project_policy(p_policy_id text, p_snapshot_every integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_state   jsonb;
    v_version integer := 0;
    v_applied integer := 0;
    e         hub.event_store;
BEGIN
    SELECT to_jsonb(s), s.version INTO v_state, v_version FROM hub.policy_state s WHERE s.policy_id = p_policy_id;
    v_version := COALESCE(v_version, 0);
    FOR e IN SELECT * FROM hub.event_store
             WHERE aggregate_type = 'policy' AND aggregate_id = p_policy_id AND version > v_version
             ORDER BY version LOOP
        EXIT WHEN NOT hub.policy_event_follows(v_version, e);
        v_state := hub.policy_state_apply(v_state, e);
        v_version := e.version;
        v_applied := v_applied + 1;
        IF p_snapshot_every > 0 AND v_version % p_snapshot_every = 0 THEN
            INSERT INTO hub.policy_state_snapshots (policy_id, version, occurred_at, state)
            VALUES (p_policy_id, v_version, e.occurred_at, v_state) ON CONFLICT DO NOTHING;
        END IF;
    END LOOP;
    IF v_applied > 0 THEN
        INSERT INTO hub.policy_state AS p SELECT * FROM jsonb_populate_record(NULL::hub.policy_state, v_state)
        ON CONFLICT (policy_id) DO UPDATE SET
            policy_number = EXCLUDED.policy_number, customer_id = EXCLUDED.customer_id, product = EXCLUDED.product,
            status = EXCLUDED.status, premium = EXCLUDED.premium, currency = EXCLUDED.currency,
            claim_count = EXCLUDED.claim_count, premium_paid = EXCLUDED.premium_paid, version = EXCLUDED.version,
            last_event_type = EXCLUDED.last_event_type, occurred_at = EXCLUDED.occurred_at,
            last_position = EXCLUDED.last_position;
    END IF;
    RETURN v_applied;
END
$$;

-- Appends one event (the envelope) to the store, in ONE statement (one transaction) with the projection's update:
--  * its eventId is stored already: a redelivery -> 'DUPLICATE', nothing written;
--  * its (aggregate, version) is another event's: a conflict -> parked in hub.parked_events with the reason
--    (consumer 'event-store/<aggregate type>', GET /api/admin/parked-events) -> 'PARKED';
--  * else appended -> 'APPENDED <position>', and a policy's projection brought up to date.
-- p_unversioned: event types stored without a version (their aggregateVersion is not theirs).
CREATE FUNCTION hub.append_event(p_event jsonb, p_aggregate_type text, p_unversioned text[], p_source text,
                                 p_snapshot_every integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_id       text    := p_event ->> 'aggregateId';
    v_type     text    := p_event ->> 'eventType';
    v_version  integer := CASE WHEN v_type = ANY (p_unversioned) THEN NULL ELSE (p_event ->> 'aggregateVersion')::integer END;
    v_holder   text;
    v_position bigint;
BEGIN
    IF v_id IS NULL OR p_event ->> 'eventId' IS NULL OR p_aggregate_type IS NULL THEN
        RAISE EXCEPTION 'event without eventId, aggregateId or aggregate type: %', p_event;
    END IF;
    PERFORM hub.event_store_append_lock();
    IF EXISTS (SELECT 1 FROM hub.event_store WHERE event_id = p_event ->> 'eventId') THEN
        RETURN 'DUPLICATE';
    END IF;
    SELECT event_id INTO v_holder FROM hub.event_store
    WHERE aggregate_type = p_aggregate_type AND aggregate_id = v_id AND version = v_version;
    IF v_holder IS NOT NULL THEN
        INSERT INTO hub.parked_events (consumer, aggregate_id, version, event_id, event_type, event, reason)
        VALUES ('event-store/' || p_aggregate_type, v_id, v_version, p_event ->> 'eventId', v_type, p_event,
                format('version conflict: %s %s version %s is already event %s', p_aggregate_type, v_id, v_version, v_holder))
        ON CONFLICT DO NOTHING;
        RETURN 'PARKED';
    END IF;
    INSERT INTO hub.event_store (aggregate_type, aggregate_id, version, event_id, event_type, payload, occurred_at, source)
    VALUES (p_aggregate_type, v_id, v_version, p_event ->> 'eventId', v_type, p_event -> 'data',
            (p_event ->> 'occurredAt')::timestamptz, p_source)
    RETURNING position INTO v_position;
    IF p_aggregate_type = 'policy' THEN
        PERFORM hub.project_policy(v_id, p_snapshot_every);
    END IF;
    RETURN 'APPENDED ' || v_position;
END
$$;

-- md5 over the projection's rows in policy order: equal checksums, equal projections
CREATE FUNCTION hub.policy_state_checksum() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT md5(COALESCE(string_agg(s::text, '|' ORDER BY s.policy_id), '')) FROM hub.policy_state s
$$;

-- Drops the policy projection and its snapshots and replays every policy event of the store, in one transaction:
-- readers see the old projection until it commits. Appends wait for it (the append lock), so no event is projected
-- twice or lost; a second rebuild meanwhile answers {"busy": true} at once (its caller answers 409).
CREATE FUNCTION hub.rebuild_policy_state(p_snapshot_every integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_before    text;
    v_rows      bigint;
    v_started   timestamptz := clock_timestamp();
    v_state     jsonb;
    v_policy    text;
    v_version   integer;
    v_events    bigint := 0;
    v_waiting   bigint := 0;
    v_snapshots bigint := 0;
    e           hub.event_store;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('hub.event_store rebuild policy-state')) THEN
        RETURN jsonb_build_object('busy', true);
    END IF;
    PERFORM hub.event_store_append_lock();
    v_before := hub.policy_state_checksum();
    SELECT count(*) INTO v_rows FROM hub.policy_state;
    DELETE FROM hub.policy_state;
    DELETE FROM hub.policy_state_snapshots;

    FOR e IN SELECT * FROM hub.event_store WHERE aggregate_type = 'policy' ORDER BY aggregate_id, version LOOP
        IF v_policy IS DISTINCT FROM e.aggregate_id THEN
            IF v_state IS NOT NULL THEN
                INSERT INTO hub.policy_state SELECT * FROM jsonb_populate_record(NULL::hub.policy_state, v_state);
            END IF;
            v_policy := e.aggregate_id;
            v_state := NULL;
            v_version := 0;
        END IF;
        IF NOT hub.policy_event_follows(v_version, e) THEN
            -- after a gap nothing more of this policy is projected (as the live projection)
            v_waiting := v_waiting + 1;
            CONTINUE;
        END IF;
        v_state := hub.policy_state_apply(v_state, e);
        v_version := e.version;
        v_events := v_events + 1;
        IF p_snapshot_every > 0 AND v_version % p_snapshot_every = 0 THEN
            INSERT INTO hub.policy_state_snapshots (policy_id, version, occurred_at, state)
            VALUES (v_policy, v_version, e.occurred_at, v_state);
            v_snapshots := v_snapshots + 1;
        END IF;
    END LOOP;
    IF v_state IS NOT NULL THEN
        INSERT INTO hub.policy_state SELECT * FROM jsonb_populate_record(NULL::hub.policy_state, v_state);
    END IF;

    RETURN jsonb_build_object(
        'busy', false,
        'before', jsonb_build_object('checksum', v_before, 'rows', v_rows),
        'after', jsonb_build_object('checksum', hub.policy_state_checksum(), 'rows', (SELECT count(*) FROM hub.policy_state)),
        'eventsReplayed', v_events, 'eventsWaitingForAGap', v_waiting, 'snapshots', v_snapshots,
        'durationMs', round(extract(epoch FROM clock_timestamp() - v_started) * 1000));
END
$$;

-- A policy's state as of an instant: the nearest snapshot at or before it, then its next events (consecutive
-- versions) that had occurred by then. NULL when the policy had no event by then (or none at all).
CREATE FUNCTION hub.policy_state_as_of(p_policy_id text, p_as_of timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_state    jsonb;
    v_version  integer;
    v_snapshot integer;
    v_replayed integer := 0;
    e          hub.event_store;
BEGIN
    SELECT state, version INTO v_state, v_snapshot FROM hub.policy_state_snapshots
    WHERE policy_id = p_policy_id AND occurred_at <= p_as_of ORDER BY version DESC LIMIT 1;
    v_version := COALESCE(v_snapshot, 0);
    FOR e IN SELECT * FROM hub.event_store
             WHERE aggregate_type = 'policy' AND aggregate_id = p_policy_id AND version > v_version
             ORDER BY version LOOP
        EXIT WHEN NOT hub.policy_event_follows(v_version, e) OR e.occurred_at > p_as_of;
        v_state := hub.policy_state_apply(v_state, e);
        v_version := e.version;
        v_replayed := v_replayed + 1;
    END LOOP;
    RETURN v_state || jsonb_build_object('snapshot_version', v_snapshot, 'events_replayed', v_replayed);
END
$$;

-- An ISO-8601 instant with its offset (2026-11-22T10:00:00Z, ...+01:00), or NULL for anything else: PostgreSQL alone
-- would take 'now', 'today' or a date without a zone
CREATE FUNCTION hub.instant_or_null(p_text text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_text IS NULL
       OR p_text !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$' THEN
        RETURN NULL;
    END IF;
    RETURN CAST(p_text AS timestamptz);
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- A policy state (a hub.policy_state row as JSON, or an asOf answer) as the API answers it
CREATE FUNCTION hub.policy_state_view(s jsonb, p_as_of timestamptz) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN s IS NULL THEN NULL ELSE jsonb_build_object(
        'policyId', s -> 'policy_id', 'policyNumber', s -> 'policy_number', 'customerId', s -> 'customer_id',
        'product', s -> 'product', 'status', s -> 'status', 'premium', s -> 'premium', 'currency', s -> 'currency',
        'claimCount', s -> 'claim_count', 'premiumPaid', s -> 'premium_paid', 'version', s -> 'version',
        'lastEventType', s -> 'last_event_type', 'occurredAt', s -> 'occurred_at', 'lastPosition', s -> 'last_position',
        'asOf', p_as_of,
        'source', CASE WHEN p_as_of IS NULL THEN 'projection' ELSE 'snapshot and events' END,
        'snapshotVersion', s -> 'snapshot_version', 'eventsReplayed', s -> 'events_replayed') END
$$;
