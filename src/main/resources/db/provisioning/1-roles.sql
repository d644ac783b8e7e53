-- Least-privilege roles of the insurance database, run once by its owner (a superuser) before anything else.
-- The local stack (DevServices) runs it on every start with fresh passwords; a deployment runs it with its own
-- (psql -v is not used: ${...} are replaced by the caller, passwords with quotes doubled).
--   insurance_hub    the hub's pool: owns schema hub, nothing else (no superuser, no COPY ... PROGRAM, no other schema)
--   insurance_relay  Debezium's outbox relays and the business-change capture (D05/D06): REPLICATION, reads only the
--                    outbox tables and the captured business tables (2-publications.sql),
--                    writes only its own heartbeat and offset tables
--   insurance_mocks  the simulated systems: create and own their own schemas
REVOKE ALL ON DATABASE ${database} FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE ROLE insurance_hub LOGIN PASSWORD '${hubPassword}';
CREATE ROLE insurance_relay LOGIN REPLICATION PASSWORD '${relayPassword}';
CREATE ROLE insurance_mocks LOGIN PASSWORD '${mocksPassword}';
GRANT CONNECT ON DATABASE ${database} TO insurance_hub, insurance_relay, insurance_mocks;
GRANT CREATE ON DATABASE ${database} TO insurance_mocks;

CREATE SCHEMA hub AUTHORIZATION insurance_hub;

-- The relays' heartbeat: Debezium writes it every hub.outbox.heartbeat-interval and each publication includes it,
-- so that a slot whose outbox is idle still moves on and does not hold WAL back
CREATE SCHEMA relay AUTHORIZATION insurance_relay;
CREATE TABLE relay.outbox_heartbeat (
    source  varchar(32) PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
ALTER TABLE relay.outbox_heartbeat OWNER TO insurance_relay;
-- The relays' offsets (Debezium's position in each slot's stream), written by the leading instance once Kafka has
-- acknowledged every event before it: the instance that takes the relays over starts from them (hub.outbox.offset-table)
CREATE TABLE relay.outbox_offsets (
    relay        varchar(64) NOT NULL,
    offset_key   text        NOT NULL,
    offset_value text,
    stored_at    timestamptz NOT NULL,
    PRIMARY KEY (relay, offset_key)
);
ALTER TABLE relay.outbox_offsets OWNER TO insurance_relay;

-- D02-D04, the warehouse: a database of its own (it may as well live on another server: hub.warehouse.url), owned by
-- insurance_warehouse, the hub's warehouse pool (Flyway creates its schema `warehouse` there, db/warehouse). That role
-- has no access to the insurance database. The loads read the systems' tables as insurance_warehouse_reader: CONNECT
-- here and SELECT on the tables they read (3-warehouse-sources.sql, once the systems have created them), nothing else.
CREATE ROLE insurance_warehouse LOGIN PASSWORD '${warehousePassword}';
CREATE ROLE insurance_warehouse_reader LOGIN PASSWORD '${warehouseReaderPassword}';
CREATE DATABASE warehouse OWNER insurance_warehouse;
REVOKE ALL ON DATABASE warehouse FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE warehouse TO insurance_warehouse;
GRANT CONNECT ON DATABASE ${database} TO insurance_warehouse_reader;
