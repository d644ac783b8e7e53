#!/usr/bin/env bash
# The D05/D06 benchmarks of docs/performance.md ("The CDC audit trail and the real-time reports"), in one command:
#
#   bench/run-cdc-benchmark.sh                 # report audit
#   bench/run-cdc-benchmark.sh report          # or one of them
#
#   report   committed change -> report: policy INSERTs in pas.policies at REPORT_RATE [500]/s, one per transaction,
#            as PAS's role; p50/p95/p99 over DURATION [60] s after WARMUP [20] s of (1) every change: WAL commit time
#            to the hub's transaction that recorded it in the audit trail and the read models (the database's clock),
#            (2) every PROBE_EVERY [200] ms one more policy of a product of its own, from its commit returning to
#            GET /api/reports/premium-by-product listing it (polled every POLL_EVERY [2] ms). Target: p99 < 250 ms.
#   audit    committed UPDATE -> audit entry: status UPDATEs of POLICIES [500] policies at AUDIT_RATE [100]/s as the
#            database owner (a DBA's SQL), the same two measures, (2) through GET /api/audit-trail. Target: p99 < 500 ms.
#
# Same stack handling as the other scripts (bench/stack.sh: HUB_PORT MOCKS_PORT KAFKA_PORT PG_PORT IDP_PORT, waits for
# a quiet machine up to QUIET_WAIT s, stops everything it started). Client: the local identity provider's `operator`
# (scopes reports audit). Everything goes under bench/target/runs/<UTC time>-cdc/; results.md is the table for
# docs/performance.md.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(report audit)
for s in "${SCENARIOS[@]}"; do
  case "$s" in report|audit) ;; *) echo "Unknown benchmark '$s' (report or audit)" >&2; exit 2 ;; esac
done

REPORT_RATE=${REPORT_RATE:-500}
AUDIT_RATE=${AUDIT_RATE:-100}
POLICIES=${POLICIES:-500}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-20}
PROBE_EVERY=${PROBE_EVERY:-200}
POLL_EVERY=${POLL_EVERY:-2}
BENCH_CLIENT_ID=operator

RUN_NAME=$(date -u +%Y%m%dT%H%M%SZ)-cdc
source "$ROOT/bench/stack.sh"
start_stack

"${MVN[@]}" -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN_DIR/classpath.txt" \
  > "$RUN_DIR/classpath.log" 2>&1 || "${MVN[@]}" -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$RUN_DIR/classpath.txt" >> "$RUN_DIR/classpath.log" 2>&1
CP="$ROOT/bench/target/test-classes:$ROOT/bench/target/classes:$(cat "$RUN_DIR/classpath.txt")"
# The benchmark writes as the database owner (PAS's role by SET ROLE, or itself), whose password is new at every start
PGPASSWORD=$(sed -n 's/^postgres.superuser.password=//p' "$WORK_DIR/local-credentials.properties")
export PGPASSWORD
BENCH=(java -cp "$CP" -DtokenUrl="$TOKEN_URL" -DclientId=operator -DclientSecret=operator-local-only
  -Dscope="reports audit" com.insurancehub.bench.CdcBenchmark "jdbcUrl=jdbc:postgresql://localhost:$PG_PORT/insurance"
  "hubUrl=$HUB_URL" warmup="$WARMUP" duration="$DURATION" probeEvery="$PROBE_EVERY" pollEvery="$POLL_EVERY")

for s in "${SCENARIOS[@]}"; do
  wait_for_quiet
  case "$s" in
    report) rate=$REPORT_RATE ;;
    audit) rate=$AUDIT_RATE ;;
  esac
  log "CDC $s: $rate changes/s, warm-up ${WARMUP}s, measured ${DURATION}s"
  before=$(cpu_sample)
  "${BENCH[@]}" mode="$s" rate="$rate" policies="$POLICIES" summaryFile="$RUN_DIR/$s.json" > "$RUN_DIR/$s.log" 2>&1 \
    || log "$s failed: see $RUN_DIR/$s.log"
  foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-$s.txt"
done

python3 - "$RUN_DIR" > "$RESULTS" <<'PY'
import json, os, sys
run = sys.argv[1]
targets = {"report": 250, "audit": 500}
print("| measure | rate/s | changes recorded | DB p50 / p95 / p99 / max (ms) | API probes | API p50 / p95 / p99 / max (ms) | target p99 | other processes (cores) |")
print("|---|---|---|---|---|---|---|---|")
for mode, label in (("report", "committed change → report"), ("audit", "committed UPDATE → audit entry")):
    try:
        r = json.load(open(os.path.join(run, f"{mode}.json")))
    except (OSError, ValueError):
        continue
    try:
        foreign = open(os.path.join(run, f"foreign-cores-{mode}.txt")).read().strip()
    except OSError:
        foreign = "?"
    f = lambda x: "-" if x is None else f"{x:.1f}"
    print(f"| {label} | {r['rate']:.0f} | {r['changesRecorded']}/{r['changesCommitted']} | "
          f"{f(r['dbP50Ms'])} / {f(r['dbP95Ms'])} / {f(r['dbP99Ms'])} / {f(r['dbMaxMs'])} | "
          f"{r['apiProbes']} ({r['apiProbesNotSeenIn5s']} not seen in 5 s) | "
          f"{f(r['apiP50Ms'])} / {f(r['apiP95Ms'])} / {f(r['apiP99Ms'])} / {f(r['apiMaxMs'])} | < {targets[mode]} | {foreign} |")
PY
cat "$RESULTS"
log "Results: $RESULTS (machine: $RUN_DIR/machine.txt, load: $LOAD_LOG)"
