#!/usr/bin/env bash
# The event benchmarks of docs/performance.md, end to end, in one command:
#
#   bench/run-event-benchmarks.sh                # burst steady subscribe
#   bench/run-event-benchmarks.sh burst          # or some of them
#
#   burst      D01 relay throughput: ROWS [20000] outbox rows committed at once (200 keys), events/s until the last
#              record is on Kafka, per-key order checked (com.insurancehub.bench.OutboxRelayBenchmark burst);
#              BURSTS [5] times in a row, the first ones warming the JIT
#   steady     D01 commit -> consumer latency at RELAY_RATE [500] rows/s, one row per transaction: p50/p95/p99
#              over DURATION [60] s after WARMUP [20] s (OutboxRelayBenchmark steady)
#   subscribe  F03 subscribe p99 at SUBSCRIBE_RATE [20]/s over DURATION s after WARMUP s (Gatling,
#              com.insurancehub.bench.SubscriptionSimulation)
#   retry      E01 first-invoice delay behind PolicyCreated: POLICIES [100] at POLICY_RATE [2]/s, Billing healthy, then
#              failing BILLING_ERROR_RATE [0.3] of its calls (com.insurancehub.bench.ConsumerRetryBenchmark); not in
#              the default set
#
# Same stack handling as bench/run-quote-benchmark.sh (bench/stack.sh: own ports, waits for a quiet machine,
# stops everything it started). Everything it writes goes under bench/target/runs/<UTC time>/; results.md is the
# table for docs/performance.md.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(burst steady subscribe)
for s in "${SCENARIOS[@]}"; do
  case "$s" in burst|steady|subscribe|retry) ;; *) echo "Unknown benchmark '$s' (burst, steady, subscribe or retry)" >&2; exit 2 ;; esac
done

ROWS=${ROWS:-20000}
BURSTS=${BURSTS:-5}
RELAY_RATE=${RELAY_RATE:-500}
SUBSCRIBE_RATE=${SUBSCRIBE_RATE:-20}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-20}
POLICIES=${POLICIES:-100}
POLICY_RATE=${POLICY_RATE:-2}
BILLING_ERROR_RATE=${BILLING_ERROR_RATE:-0.3}

RUN_NAME=$(date -u +%Y%m%dT%H%M%SZ)-events
source "$ROOT/bench/stack.sh"
start_stack

"${MVN[@]}" -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN_DIR/classpath.txt" \
  > "$RUN_DIR/classpath.log" 2>&1
CP="$ROOT/bench/target/test-classes:$ROOT/bench/target/classes:$(cat "$RUN_DIR/classpath.txt")"
RELAY=(java -cp "$CP" com.insurancehub.bench.OutboxRelayBenchmark)
DB="jdbcUrl=jdbc:postgresql://localhost:$PG_PORT/insurance"
# The benchmark plays Billing as the database owner, whose password is new at every start of the stack
PGPASSWORD=$(sed -n 's/^postgres.superuser.password=//p' "$WORK_DIR/local-credentials.properties")
export PGPASSWORD
KAFKA="kafka=localhost:$KAFKA_PORT"

for s in "${SCENARIOS[@]}"; do
  case "$s" in
    burst)
      for i in $(seq 1 "$BURSTS"); do
        wait_for_quiet
        log "Relay burst $i/$BURSTS: $ROWS rows in one transaction"
        before=$(cpu_sample)
        "${RELAY[@]}" burst "$DB" "$KAFKA" rows="$ROWS" summaryFile="$RUN_DIR/burst-$i.json" > "$RUN_DIR/burst-$i.log" 2>&1 \
          || log "burst $i failed: see $RUN_DIR/burst-$i.log"
        foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-burst-$i.txt"
      done ;;
    steady)
      wait_for_quiet
      log "Relay latency: $RELAY_RATE rows/s, warm-up ${WARMUP}s, measured ${DURATION}s"
      before=$(cpu_sample)
      "${RELAY[@]}" steady "$DB" "$KAFKA" rate="$RELAY_RATE" warmup="$WARMUP" duration="$DURATION" \
        summaryFile="$RUN_DIR/steady.json" > "$RUN_DIR/steady.log" 2>&1 || log "steady failed: see $RUN_DIR/steady.log"
      foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-steady.txt" ;;
    subscribe)
      wait_for_quiet
      log "Subscribe: $SUBSCRIBE_RATE/s, warm-up ${WARMUP}s, measured ${DURATION}s"
      before=$(cpu_sample)
      "${MVN[@]}" "${NO_BUILD[@]}" gatling:test -Dgatling.simulationClass=com.insurancehub.bench.SubscriptionSimulation \
        -Dgatling.resultsFolder="$RUN_DIR/gatling-subscribe" -Drate="$SUBSCRIBE_RATE" -Dduration="$DURATION" \
        -Dwarmup="$WARMUP" -DhubUrl="$HUB_URL" "${AUTH_PROPS[@]}" -DsummaryFile="$RUN_DIR/subscribe.json" \
        > "$RUN_DIR/gatling-subscribe.log" 2>&1 || log "subscribe: Gatling reported a failure, see $RUN_DIR/gatling-subscribe.log"
      foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-subscribe.txt" ;;
    retry)
      for rate in 0 "$BILLING_ERROR_RATE"; do
        wait_for_quiet
        log "Retry delay: $POLICIES PolicyCreated at $POLICY_RATE/s, Billing failing $rate of its calls"
        before=$(cpu_sample)
        java -cp "$CP" com.insurancehub.bench.ConsumerRetryBenchmark mocksUrl="$MOCKS_URL" "$DB" policies="$POLICIES" \
          rate="$POLICY_RATE" errorRate="$rate" summaryFile="$RUN_DIR/retry-$rate.json" > "$RUN_DIR/retry-$rate.log" 2>&1 \
          || log "retry $rate failed: see $RUN_DIR/retry-$rate.log"
        foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-retry-$rate.txt"
      done ;;
  esac
done

python3 - "$RUN_DIR" > "$RESULTS" <<'PY'
import glob, json, os, sys
run = sys.argv[1]
def load(name):
    try:
        return json.load(open(os.path.join(run, name)))
    except (OSError, ValueError):
        return None
def foreign(name):
    try:
        return open(os.path.join(run, f"foreign-cores-{name}.txt")).read().strip()
    except OSError:
        return "?"
print("| benchmark | load | result | target | met | other processes (cores) |")
print("|---|---|---|---|---|---:|")
for f in sorted(glob.glob(os.path.join(run, "burst-*.json"))):
    b, n = json.load(open(f)), os.path.basename(f)[:-5]
    ok = b["received"] == b["rows"] and b["perKeyOrderKept"] and b["eventsPerSecond"] >= 5000
    print(f"| relay {n} | {b['rows']} rows in one commit | {b['eventsPerSecond']} events/s, all {b['received']} received, "
          f"per-key order {'kept' if b['perKeyOrderKept'] else 'BROKEN'}, last after {b['lastRecordAfterCommitMs']} ms "
          f"| >= 5,000 events/s, order kept | {'yes' if ok else 'no'} | {foreign(n)} |")
s = load("steady.json")
if s:
    ok = s["p99Ms"] is not None and s["p99Ms"] < 100 and s["received"] == s["measuredRows"]
    print(f"| commit -> consumer | {s['rate']:.0f} rows/s, {s['measuredSeconds']} s | p50 {s['p50Ms']} ms, p95 {s['p95Ms']} ms, "
          f"p99 {s['p99Ms']} ms, max {s['maxMs']:.1f} ms ({s['received']}/{s['measuredRows']} received) | p99 < 100 ms "
          f"| {'yes' if ok else 'no'} | {foreign('steady')} |")
for f in sorted(glob.glob(os.path.join(run, "retry-*.json")), key=lambda f: json.load(open(f))["billingErrorRate"]):
    r, n = json.load(open(f)), os.path.basename(f)[:-5]
    print(f"| first invoice after PolicyCreated | {r['policies']} at {r['ratePerSecond']:.0f}/s, Billing failing "
          f"{r['billingErrorRate']} | p50 {r['p50Ms']} ms, p90 {r['p90Ms']} ms, p99 {r['p99Ms']} ms, max {r['maxMs']} ms, "
          f"{r['withoutInvoice']} dead-lettered | - | - | {foreign(n)} |")
u = load("subscribe.json")
if u:
    ok = u["p99Ms"] is not None and u["p99Ms"] < 300 and u["ko"] == 0
    print(f"| subscribe | {u['rate']:.0f}/s, {u['measuredSeconds']} s | p50 {u['p50Ms']} ms, p95 {u['p95Ms']} ms, "
          f"p99 {u['p99Ms']} ms, max {u['maxMs']:.1f} ms ({u['ok']} OK, {u['ko']} KO) | p99 < 300 ms "
          f"| {'yes' if ok else 'no'} | {foreign('subscribe')} |")
PY
cat "$RESULTS"
log "Results: $RESULTS"
