#!/usr/bin/env bash
# The event benchmarks of docs/performance.md, end to end, in one command:
#
#   bench/run-event-benchmarks.sh                # burst steady subscribe
#   bench/run-event-benchmarks.sh burst          # or some of them
#
#   burst      D01 relay throughput, the hub's relay against a raw-Debezium baseline in the same run: ROWS [20000]
#              outbox rows committed at once (200 keys x 100 versions), events/s = rows / (last record received -
#              commit), every row received and per-key order checked (com.insurancehub.bench.OutboxRelayBenchmark
#              burst). The baseline (com.insurancehub.bench.RawDebeziumRelay, started once, log raw-relay.log) is
#              the plain Debezium engine + KafkaProducer with the hub relay's engine and producer settings (read from
#              src/main/resources/application.yaml, hub.outbox.*), relaying its own table bench_raw.outbox to
#              BASELINE_TOPIC [insurance.billing.events]. BURSTS [5] rounds, each one burst into bench_raw.outbox
#              and one into billing.outbox (the hub), which goes first alternating per round; the first rounds warm
#              the JIT (cold = round 1, warm = mean of the last two rounds: 4-5 of 5). results.md: per round hub,
#              baseline, ratio hub/baseline; cold and warm against the targets (hub >= 20,000 warm, >= 6,000 cold,
#              ratio >= 0.8). BASELINE_JVM_ARGS [= STACK_JVM_ARGS]: the baseline JVM's options.
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
BASELINE_TOPIC=${BASELINE_TOPIC:-insurance.billing.events}

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

# ---- the raw-Debezium baseline (burst): one process for the whole run, stopped before the stack ---------------
BASELINE_PID=""
start_baseline() {
  # The hub relay's engine and producer settings, from the one place they are set (a ${VAR:default} counts as its
  # default); Debezium's queue is Camel's default (8192) unless hub.outbox.max-queue-size sets it.
  local settings
  settings=$(python3 - "$ROOT/src/main/resources/application.yaml" <<'PY'
import re, sys, yaml
outbox = yaml.safe_load(open(sys.argv[1]))["hub"]["outbox"]
def get(conf, key, default):
    v = conf.get(key, default)
    m = re.fullmatch(r"\$\{[^:}]*:([^}]*)\}", str(v))
    return m.group(1) if m else v
kafka = outbox.get("kafka", {})
print(f"pollInterval={get(outbox, 'poll-interval', 500)} maxBatchSize={get(outbox, 'max-batch-size', 2048)} "
      f"maxQueueSize={get(outbox, 'max-queue-size', 8192)} offsetFlushInterval={get(outbox, 'offset-flush-interval', 1000)} "
      f"lingerMs={get(kafka, 'linger-ms', 5)} batchSize={get(kafka, 'batch-size', 262144)} "
      f"deliveryTimeout={get(kafka, 'delivery-timeout', 600000)}")
PY
)
  log "Starting the raw-Debezium baseline ($settings, topic $BASELINE_TOPIC) - log: $RUN_DIR/raw-relay.log"
  echo "baseline settings: $settings topic=$BASELINE_TOPIC jvm=${BASELINE_JVM_ARGS-$STACK_JVM_ARGS}" >> "$RUN_DIR/machine.txt"
  rm -f "$RUN_DIR/raw-relay.ready"
  # shellcheck disable=SC2086 # the JVM options are a list
  java ${BASELINE_JVM_ARGS-$STACK_JVM_ARGS} -Xlog:gc:file="$RUN_DIR/raw-relay-gc.log":time -cp "$CP" \
    com.insurancehub.bench.RawDebeziumRelay "jdbcUrl=jdbc:postgresql://localhost:$PG_PORT/insurance" "$KAFKA" \
    topic="$BASELINE_TOPIC" offsetsFile="$RUN_DIR/raw-relay-offsets.dat" readyFile="$RUN_DIR/raw-relay.ready" \
    $settings > "$RUN_DIR/raw-relay.log" 2>&1 < /dev/null &
  BASELINE_PID=$!
  echo "$BASELINE_PID" > "$RUN_DIR/raw-relay.pid"
  local waited=0
  until [ -f "$RUN_DIR/raw-relay.ready" ]; do
    if ! kill -0 "$BASELINE_PID" 2>/dev/null; then
      tail -40 "$RUN_DIR/raw-relay.log" >&2; log "The baseline stopped before it streamed"; BASELINE_PID=""; exit 1
    fi
    if [ "$waited" -ge 120 ]; then tail -40 "$RUN_DIR/raw-relay.log" >&2; log "The baseline does not stream after 120s"; exit 1; fi
    sleep 1; waited=$((waited + 1))
  done
  log "Baseline streaming after ${waited}s (pid $BASELINE_PID)"
}
# SIGTERM: it closes its engine and drops its replication slot (a slot left behind holds WAL); killed after 40 s
stop_baseline() {
  [ -n "$BASELINE_PID" ] || return 0
  if kill -0 "$BASELINE_PID" 2>/dev/null; then
    log "Stopping the baseline (pid $BASELINE_PID)"
    kill -TERM "$BASELINE_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$BASELINE_PID" 2>/dev/null || break; sleep 1; done
    if kill -0 "$BASELINE_PID" 2>/dev/null; then log "baseline still running: SIGKILL"; kill -KILL "$BASELINE_PID" 2>/dev/null || true; fi
  fi
  wait "$BASELINE_PID" 2>/dev/null || true
  BASELINE_PID=""
}
before_stop_stack() { stop_baseline; } # called by stop_stack (bench/stack.sh), while the database is still up

for s in "${SCENARIOS[@]}"; do
  case "$s" in
    burst)
      start_baseline
      for i in $(seq 1 "$BURSTS"); do
        # who goes first alternates, so that what the first burst leaves behind (GC, WAL, Kafka's page cache) falls
        # on each side equally
        if [ $((i % 2)) -eq 1 ]; then order=(baseline hub); else order=(hub baseline); fi
        for target in "${order[@]}"; do
          wait_for_quiet
          log "Relay burst $i/$BURSTS, $target: $ROWS rows in one transaction"
          topic=(); [ "$target" = hub ] || topic=(topic="$BASELINE_TOPIC")
          before=$(cpu_sample)
          "${RELAY[@]}" burst "$DB" "$KAFKA" target="$target" "${topic[@]}" rows="$ROWS" \
            summaryFile="$RUN_DIR/burst-$target-$i.json" > "$RUN_DIR/burst-$target-$i.log" 2>&1 \
            || log "burst $i ($target) failed: see $RUN_DIR/burst-$target-$i.log"
          foreign_cores "$before" "$(cpu_sample)" > "$RUN_DIR/foreign-cores-burst-$target-$i.txt"
        done
      done
      stop_baseline ;;
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
rounds = sorted({int(f.rsplit("-", 1)[1][:-5]) for f in glob.glob(os.path.join(run, "burst-*-*.json"))})
if rounds:
    def eps(b):
        return b["eventsPerSecond"] if b else None
    def checked(b):
        return bool(b) and b["received"] == b["rows"] and b["perKeyOrderKept"]
    def what(b):
        if not b:
            return "failed"
        return (f"{b['received']}/{b['rows']} received, order {'kept' if b['perKeyOrderKept'] else 'BROKEN'}, "
                f"last after {b['lastRecordAfterCommitMs']} ms")
    def num(x):
        return "-" if x is None else f"{x:,.0f}"
    def ratio(h, r):
        return None if not h or not r else h / r
    def rat(x):
        return "-" if x is None else f"{x:.2f}"
    def mean(xs):
        return None if not xs or None in xs else sum(xs) / len(xs)
    hub = {i: load(f"burst-hub-{i}.json") for i in rounds}
    raw = {i: load(f"burst-baseline-{i}.json") for i in rounds}
    rows = next((b["rows"] for b in list(hub.values()) + list(raw.values()) if b), "?")
    print(f"Relay burst: {rows} rows in one commit (200 keys); hub = billing.outbox through the hub's relay, baseline = "
          f"bench_raw.outbox through the raw Debezium engine + KafkaProducer (RawDebeziumRelay); first of each round "
          f"alternates.\n")
    print("| round | first | hub events/s | baseline events/s | ratio hub/baseline | hub | baseline | other processes (cores) hub / baseline |")
    print("|---:|---|---:|---:|---:|---|---|---:|")
    for i in rounds:
        print(f"| {i} | {'baseline' if i % 2 else 'hub'} | {num(eps(hub[i]))} | {num(eps(raw[i]))} "
              f"| {rat(ratio(eps(hub[i]), eps(raw[i])))} | {what(hub[i])} | {what(raw[i])} "
              f"| {foreign(f'burst-hub-{i}')} / {foreign(f'burst-baseline-{i}')} |")
    n = rounds[-1]
    warm = [i for i in rounds if i >= max(2, n - 1)] if n >= 2 else []
    cold_h, cold_r = eps(hub[rounds[0]]), eps(raw[rounds[0]])
    warm_h, warm_r = mean([eps(hub[i]) for i in warm]), mean([eps(raw[i]) for i in warm])
    label = f"warm (mean of rounds {warm[0]}-{warm[-1]})" if warm else "warm (needs BURSTS >= 2)"
    def met(x, t):
        return "-" if x is None else ("yes" if x >= t else "no")
    print("\n| burst | hub events/s | baseline events/s | ratio hub/baseline | target | met |")
    print("|---|---:|---:|---:|---|---|")
    print(f"| cold (round {rounds[0]}) | {num(cold_h)} | {num(cold_r)} | {rat(ratio(cold_h, cold_r))} "
          f"| hub >= 6,000 events/s; ratio >= 0.8 | {met(cold_h, 6000)}; {met(ratio(cold_h, cold_r), 0.8)} |")
    print(f"| {label} | {num(warm_h)} | {num(warm_r)} | {rat(ratio(warm_h, warm_r))} "
          f"| hub >= 20,000 events/s; ratio >= 0.8 | {met(warm_h, 20000)}; {met(ratio(warm_h, warm_r), 0.8)} |")
    all_ok = all(checked(hub[i]) and checked(raw[i]) for i in rounds)
    print(f"| every burst | | | | every row received, per-key order kept (hub and baseline) | {'yes' if all_ok else 'no'} |")
    print()
if any(os.path.exists(os.path.join(run, f)) for f in ("steady.json", "subscribe.json")) \
        or glob.glob(os.path.join(run, "retry-*.json")):
    print("| benchmark | load | result | target | met | other processes (cores) |")
    print("|---|---|---|---|---|---:|")
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
