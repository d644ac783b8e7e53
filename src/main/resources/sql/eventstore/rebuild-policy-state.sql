-- D07: the policy projection dropped and replayed from the store in one transaction (hub.rebuild_policy_state, Flyway
-- V15); answers the before/after checksums and counts as JSON, or {"busy": true} while another rebuild runs
SELECT CAST(hub.rebuild_policy_state(CAST(:#snapshotEvery AS integer)) AS text) AS result
