#!/usr/bin/env bash
# D07: the policy projection's rebuild from the event store (docs/performance.md, "Event store: projection rebuild"),
# in one command:
#
#   bench/run-eventstore-benchmark.sh
#   EVENTS=200000 ROUNDS=5 HUB_PORT=18380 MOCKS_PORT=18390 KAFKA_PORT=18392 PG_PORT=18332 IDP_PORT=18300 \
#     bench/run-eventstore-benchmark.sh
#
# EVENTS [100000] policy events are written straight into hub.event_store (as the database owner, one INSERT ...
# SELECT: EVENTS_PER_POLICY [5] versions per policy, each the policy snapshot the PAS events carry, ~350 bytes), then
# POST /api/admin/projections/policy-state/rebuild is called ROUNDS [3] times with an operator token (admin scope).
# Round 1 projects the rows inserted behind the projection's back (its checksums differ); the next rounds replay the
# same store and must answer equal checksums. results.md: per round the call's wall time, the database function's own
# time (durationMs), events replayed, rows, snapshots (hub.event-store.snapshot-every) and whether the checksums match;
# the target is < 20 s for 100,000 events.
#
# Same stack handling as the other benchmarks (bench/stack.sh: own ports, waits for a quiet machine up to QUIET_WAIT
# [600] s, stops everything it started). Everything it writes goes under bench/target/runs/<UTC time>-eventstore/.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

EVENTS=${EVENTS:-100000}
EVENTS_PER_POLICY=${EVENTS_PER_POLICY:-5}
ROUNDS=${ROUNDS:-3}
OPERATOR_ID=${OPERATOR_ID:-operator}
OPERATOR_SECRET=${OPERATOR_SECRET:-operator-local-only}

RUN_NAME=$(date -u +%Y%m%dT%H%M%SZ)-eventstore
source "$ROOT/bench/stack.sh"
start_stack

PGPASSWORD=$(sed -n 's/^postgres.superuser.password=//p' "$WORK_DIR/local-credentials.properties")
export PGPASSWORD
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h localhost -p "$PG_PORT" -U postgres -d insurance)

POLICIES=$(( (EVENTS + EVENTS_PER_POLICY - 1) / EVENTS_PER_POLICY ))
log "Writing $EVENTS policy events ($POLICIES policies x $EVENTS_PER_POLICY versions) into hub.event_store"
started=$(date +%s%N)
"${PSQL[@]}" <<SQL > "$RUN_DIR/insert.log" 2>&1
INSERT INTO hub.event_store (aggregate_type, aggregate_id, version, event_id, event_type, payload, occurred_at, source)
SELECT 'policy', p.id, v,
       'bench-' || p.id || '-' || v,
       CASE v WHEN 1 THEN 'PolicyCreated' WHEN 2 THEN 'PolicyPremiumPaid' WHEN 3 THEN 'PolicyActivated'
              ELSE 'PolicyClaimsUpdated' END,
       jsonb_build_object('policyId', p.id, 'policyNumber', 'POL-' || p.n, 'quoteId', 'Q-' || p.n,
                          'customerId', 'C-' || (p.n % 5000), 'product', CASE WHEN p.n % 2 = 0 THEN 'AUTO' ELSE 'HOME' END,
                          'premium', 300 + (p.n % 700) + 0.50, 'currency', 'EUR',
                          'status', CASE WHEN v = 1 THEN 'ISSUED' ELSE 'ACTIVE' END, 'version', v,
                          'claimCount', GREATEST(v - 3, 0), 'claimedTotal', GREATEST(v - 3, 0) * 100.00,
                          'premiumPaid', CASE WHEN v = 1 THEN 0 ELSE 300 + (p.n % 700) + 0.50 END,
                          'coverage', jsonb_build_object('thirdParty', true, 'glassBreakage', p.n % 3 = 0)),
       timestamptz '2026-01-01T00:00:00Z' + make_interval(mins => p.n) + make_interval(secs => v),
       'bench'
FROM (SELECT n, 'P-bench-' || lpad(n::text, 8, '0') AS id FROM generate_series(1, $POLICIES) n) p,
     generate_series(1, $EVENTS_PER_POLICY) v
WHERE (p.n - 1) * $EVENTS_PER_POLICY + v <= $EVENTS;
ANALYZE hub.event_store;
SQL
insert_ms=$(( ($(date +%s%N) - started) / 1000000 ))
stored=$("${PSQL[@]}" -tAc "SELECT count(*) FROM hub.event_store WHERE aggregate_type = 'policy'")
log "Inserted in ${insert_ms} ms; policy events in the store: $stored"

TOKEN=$(curl -sf -u "$OPERATOR_ID:$OPERATOR_SECRET" -d grant_type=client_credentials -d scope=admin "$TOKEN_URL" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

wait_for_quiet
load_before=$(loadavg)
for round in $(seq 1 "$ROUNDS"); do
  log "Rebuild $round/$ROUNDS"
  curl -s -o "$RUN_DIR/rebuild-$round.json" -w '%{http_code} %{time_total}\n' -X POST \
    -H "Authorization: Bearer $TOKEN" "$HUB_URL/api/admin/projections/policy-state/rebuild" > "$RUN_DIR/rebuild-$round.status"
  log "  $(cat "$RUN_DIR/rebuild-$round.status"): $(cat "$RUN_DIR/rebuild-$round.json")"
done
load_after=$(loadavg)

python3 - "$RUN_DIR" "$ROUNDS" "$stored" "$insert_ms" "$load_before" "$load_after" > "$RESULTS" <<'PY'
import json, sys
run, rounds, stored, insert_ms, load_before, load_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
print(f"# Event store: policy projection rebuild ({stored} policy events in hub.event_store)\n")
print(f"Machine: {open(run + '/machine.txt').read().strip()}".replace("\n", "; "))
print(f"\nEvents inserted straight into the store in {insert_ms} ms. Load average before the rebuilds {load_before}, after {load_after}.\n")
print("| round | HTTP | wall time (s) | database function (ms) | events replayed | rows before | rows after | snapshots | checksums equal | target < 20 s |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in range(1, rounds + 1):
    code, wall = open(f"{run}/rebuild-{r}.status").read().split()
    body = json.load(open(f"{run}/rebuild-{r}.json"))
    equal = body.get("before", {}).get("checksum") == body.get("after", {}).get("checksum")
    print(f"| {r} | {code} | {float(wall):.2f} | {body.get('durationMs')} | {body.get('eventsReplayed')} | "
          f"{body.get('before', {}).get('rows')} | {body.get('after', {}).get('rows')} | {body.get('snapshots')} | "
          f"{'yes' if equal else 'no' + (' (round 1: rows inserted behind the projection)' if r == 1 else '')} | "
          f"{'met' if float(wall) < 20 else 'MISSED'} |")
PY
cat "$RESULTS"
