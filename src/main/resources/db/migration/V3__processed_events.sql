-- R01: the idempotent consumers' memory (camel-sql JdbcMessageIdRepository). One row per event a consumer
-- has fully handled; the key is "<route id>:<event id>", so every consumer keeps its own.
CREATE TABLE hub.processed_events (
    processorname varchar(64)  NOT NULL,
    messageid     varchar(256) NOT NULL,
    createdat     timestamp    NOT NULL DEFAULT now(),
    PRIMARY KEY (processorname, messageid)
);
