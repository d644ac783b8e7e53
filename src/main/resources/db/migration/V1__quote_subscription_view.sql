-- E09: the hub's read model of quotes, kept from the quote events. Applying an event is an upsert
-- guarded by the aggregate version, so a redelivered or older event changes nothing (R01, R02).
CREATE TABLE hub.quote_subscription_view (
    quote_id      varchar(40)    PRIMARY KEY,
    product       varchar(16)    NOT NULL,
    customer_email varchar(320),
    premium       numeric(12, 2),
    currency      varchar(3),
    rating_source varchar(16),
    status        varchar(16)    NOT NULL,
    valid_until   timestamptz,
    version       integer        NOT NULL,
    last_event_id varchar(64)    NOT NULL,
    updated_at    timestamptz    NOT NULL DEFAULT now()
);
