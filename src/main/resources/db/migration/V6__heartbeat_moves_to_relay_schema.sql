-- The relays' heartbeat is written by the replication role, which owns it in its own schema (relay.outbox_heartbeat,
-- db/provisioning/1-roles.sql): the hub's schema is the hub's alone.
DROP TABLE IF EXISTS hub.outbox_heartbeat;
