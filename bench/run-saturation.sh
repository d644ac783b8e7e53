#!/usr/bin/env bash
# The saturation curves of docs/performance.md ("Saturation (issue 11)"), end to end, in one command:
#
#   bench/run-saturation.sh                          # quotes subscriptions (at most about 25 minutes)
#   bench/run-saturation.sh sustain                  # subscriptions held at the last saturation point (about 12 min)
#   bench/run-saturation.sh quotes subscriptions sustain
#
#   quotes         POST /api/quotes answered from the rating cache (QuoteSimulation, scenario cache), an open-model
#                  stepped load: QUOTE_STEPS ["100 200 300 400 500 600 800 1000 1200 1500"] per second, each held
#                  QUOTE_STEP_DURATION [30] s, after QUOTE_WARMUP [30] s at the first step's rate; p99 target
#                  QUOTE_TARGET [50] ms
#   subscriptions  a new quote then its subscription, the saga (SubscriptionSimulation), stepped the same way:
#                  SUBSCRIBE_STEPS ["10 20 40 60 80 100 120 150"], SUBSCRIBE_STEP_DURATION [60] s, SUBSCRIBE_WARMUP
#                  [30] s; p99 target (of the subscribe call) SUBSCRIBE_TARGET [300] ms; then the loss check
#   sustain        subscriptions at SUSTAIN_RATE [the saturation point of the latest subscriptions run under
#                  bench/target/runs, this one's included] for SUSTAIN_DURATION [600] s (one step per minute, never
#                  stopped) after SUSTAIN_WARMUP [30] s; then the loss check
#
# Stop rule of a stepped load (com.insurancehub.bench.SteppedLoad): after STOP_AFTER_MISSES [2] steps whose p99
# reached the target, or a step with more than MAX_KO_PERCENT [1] % KO. Saturation point: the highest step with
# p99 below the target and no KO.
# Loss check (com.insurancehub.bench.FaultCheck, the fault harness's checker) once the load is over, waiting at most
# CHECK_WINDOW [180] s for the run to settle: every subscription answered 201 ISSUED is an issued policy in PAS with
# exactly one PolicyCreated in PAS's outbox and on Kafka, one invoice, one confirmation email, one audit record;
# no subscription half-way; every PAS and Billing outbox row of the run on its topic; no duplicate record.
# While the load runs, bench/stack-sampler.py samples every SAMPLE_EVERY [5] s what every process of the run uses
# (CPU, RSS, each stack JVM's heap and threads; thread names every THREAD_NAMES_EVERY [30] s, jcmd).
# After each load, until the run's processes use less than DRAIN_CORES [0.3] cores (DRAIN_MAX [180] s at most): a
# stopped load leaves queued requests and sagas behind, which must not fall into the next load.
#
# Same stack handling as the other bench scripts (bench/stack.sh: one build with -Pbench, the full local stack on its
# own ports HUB_PORT MOCKS_PORT KAFKA_PORT PG_PORT IDP_PORT, STACK_JVM_ARGS, waits for a quiet machine: MAX_FOREIGN
# [0.1] cores, QUIET_WAIT [600] s before each load; stops everything it started). EVENT_NOTIFIER=1 turns on Camel's
# per-endpoint timers (costly: off by default, so that they do not move the saturation point).
# Everything goes under bench/target/runs/<UTC time>-saturation/: results.md (tables, loss checks, where the CPU went),
# saturation-<mode>.svg, steps-<mode>.json, samples.jsonl, check-<mode>.json, Gatling's reports and logs.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(quotes subscriptions)
for m in "${MODES[@]}"; do
  case "$m" in quotes|subscriptions|sustain) ;; *) echo "Unknown mode '$m' (quotes, subscriptions or sustain)" >&2; exit 2 ;; esac
done

QUOTE_STEPS=${QUOTE_STEPS:-"100 200 300 400 500 600 800 1000 1200 1500"}
QUOTE_STEP_DURATION=${QUOTE_STEP_DURATION:-30}
QUOTE_WARMUP=${QUOTE_WARMUP:-30}
QUOTE_TARGET=${QUOTE_TARGET:-50}
SUBSCRIBE_STEPS=${SUBSCRIBE_STEPS:-"10 20 40 60 80 100 120 150"}
SUBSCRIBE_STEP_DURATION=${SUBSCRIBE_STEP_DURATION:-60}
SUBSCRIBE_WARMUP=${SUBSCRIBE_WARMUP:-30}
SUBSCRIBE_TARGET=${SUBSCRIBE_TARGET:-300}
SUSTAIN_DURATION=${SUSTAIN_DURATION:-600}
SUSTAIN_WARMUP=${SUSTAIN_WARMUP:-30}
STOP_AFTER_MISSES=${STOP_AFTER_MISSES:-2}
MAX_KO_PERCENT=${MAX_KO_PERCENT:-1}
CHECK_WINDOW=${CHECK_WINDOW:-180}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
THREAD_NAMES_EVERY=${THREAD_NAMES_EVERY:-30}
DRAIN_CORES=${DRAIN_CORES:-0.3}
DRAIN_MAX=${DRAIN_MAX:-180}

RUN_NAME=$(date -u +%Y%m%dT%H%M%SZ)-saturation
if [ "${EVENT_NOTIFIER:-0}" = 1 ]; then
  STACK_JVM_ARGS="-Dcamel.metrics.enable-exchange-event-notifier=true${STACK_JVM_ARGS:+ $STACK_JVM_ARGS}"
fi
source "$ROOT/bench/stack.sh"

# The sustained rate: given, or the saturation point of the latest subscriptions run (this one's, if it ran first)
saturation_point() {
  python3 - "$ROOT/bench/target/runs" <<'PY'
import glob, json, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*-saturation", "steps-subscriptions.json")), reverse=True):
    try:
        r = json.load(open(f))
    except (OSError, ValueError):
        continue
    ok = [s["offeredRate"] for s in r.get("steps", []) if s.get("judged") and s["p99Ms"] is not None
          and s["p99Ms"] < r["p99TargetMs"] and s["ko"] == 0 and s["failedBefore"] == 0]
    if ok:
        print(f"{max(ok):g} {f}")
        break
PY
}

STATS_PID=""
on_exit() {
  local rc=$?
  if [ -n "$STATS_PID" ]; then kill "$STATS_PID" 2>/dev/null || true; wait "$STATS_PID" 2>/dev/null || true; fi
  (exit "$rc"); stop_stack
}
trap on_exit EXIT

start_stack
python3 "$ROOT/bench/stack-sampler.py" "$$" "$WORK_DIR" "$RUN_DIR/samples.jsonl" "$SAMPLE_EVERY" "$THREAD_NAMES_EVERY" \
  2> "$RUN_DIR/sampler.log" &
STATS_PID=$!

# FaultCheck runs from the bench classes with the test classpath, as in run-fault-scenarios.sh
CP=""
if [[ " ${MODES[*]} " == *" subscriptions "* || " ${MODES[*]} " == *" sustain "* ]]; then
  "${MVN[@]}" -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN_DIR/classpath.txt" \
    > "$RUN_DIR/classpath.log" 2>&1
  CP="$ROOT/bench/target/test-classes:$ROOT/bench/target/classes:$(cat "$RUN_DIR/classpath.txt")"
fi
PG_SUPERUSER_PASSWORD=$(sed -n 's/^postgres.superuser.password=//p' "$WORK_DIR/local-credentials.properties")

# gatling <mode> <simulation> <steps> <step seconds> <warm-up> <target> <stop after misses> [extra -D...]
gatling() {
  local mode=$1 simulation=$2 steps=$3 step_seconds=$4 warmup=$5 target=$6 misses=$7
  shift 7
  wait_for_quiet
  log "$mode: steps $steps /s, ${step_seconds}s each, warm-up ${warmup}s, p99 target ${target} ms"
  echo "$mode start $(date -u +%H:%M:%S) load $(loadavg)" >> "$RUN_DIR/phases.log"
  if "${MVN[@]}" "${NO_BUILD[@]}" gatling:test -Dgatling.simulationClass="com.insurancehub.bench.$simulation" \
      -Dgatling.resultsFolder="$RUN_DIR/gatling-$mode" -Dgatling.runDescription="saturation, $mode" \
      -Dsteps="$(echo "$steps" | tr ' ' ',')" -DstepDuration="$step_seconds" -Dwarmup="$warmup" -Dp99Target="$target" \
      -DstopAfterMisses="$misses" -DmaxKoPercent="$MAX_KO_PERCENT" -DstepsFile="$RUN_DIR/steps-$mode.json" \
      -DhubUrl="$HUB_URL" -DmocksUrl="$MOCKS_URL" "${AUTH_PROPS[@]}" "$@" > "$RUN_DIR/gatling-$mode.log" 2>&1; then
    log "$mode done ($(grep -m1 'Stopping the load' "$RUN_DIR/gatling-$mode.log" || echo 'every step ran'))"
  else
    log "$mode: Gatling failed, see $RUN_DIR/gatling-$mode.log"
  fi
  echo "$mode end $(date -u +%H:%M:%S) load $(loadavg)" >> "$RUN_DIR/phases.log"
  wait_for_drain
}

# A stopped load leaves work behind (requests queued in the hub, sagas, their events): the next load must not
# start on it. Waits until the run's processes use less than DRAIN_CORES for 5 s, DRAIN_MAX s at most.
wait_for_drain() {
  local waited=0 a b used=?
  while [ "$waited" -lt "$DRAIN_MAX" ]; do
    a=$(cpu_sample); sleep 5; b=$(cpu_sample); waited=$((waited + 5))
    used=$(awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " "); all = y[1] - x[1];
      printf "%.2f", (all > 0 ? n * (y[3] - x[3]) / all : 0) }')
    if awk -v u="$used" -v m="$DRAIN_CORES" 'BEGIN { exit !(u < m) }'; then
      log "stack idle again ($used cores) ${waited}s after the load"; return
    fi
  done
  log "WARNING: the stack still uses $used cores ${DRAIN_MAX}s after the load: going on"
}

loss_check() { # mode: FaultCheck on load-<mode>.json -> check-<mode>.json
  local mode=$1
  [ -f "$RUN_DIR/load-$mode.json" ] || { log "$mode: no load file, no loss check"; return; }
  log "$mode: loss check (FaultCheck, at most ${CHECK_WINDOW}s for the run to settle)"
  if java -Xmx512m -cp "$CP" com.insurancehub.bench.FaultCheck "jdbcUrl=jdbc:postgresql://localhost:$PG_PORT/insurance" \
      "password=$PG_SUPERUSER_PASSWORD" "kafka=localhost:$KAFKA_PORT" "load=$RUN_DIR/load-$mode.json" killAt=0 \
      "window=$CHECK_WINDOW" "out=$RUN_DIR/check-$mode.json" > "$RUN_DIR/check-$mode.log" 2>&1; then
    log "$mode: loss check passed"
  else
    log "$mode: loss check FAILED, see $RUN_DIR/check-$mode.json"
  fi
}

for m in "${MODES[@]}"; do
  case "$m" in
    quotes)
      gatling quotes QuoteSimulation "$QUOTE_STEPS" "$QUOTE_STEP_DURATION" "$QUOTE_WARMUP" "$QUOTE_TARGET" \
        "$STOP_AFTER_MISSES" -Dscenario=cache ;;
    subscriptions)
      gatling subscriptions SubscriptionSimulation "$SUBSCRIBE_STEPS" "$SUBSCRIBE_STEP_DURATION" "$SUBSCRIBE_WARMUP" \
        "$SUBSCRIBE_TARGET" "$STOP_AFTER_MISSES" -Drun="${RUN_NAME%-saturation}-steps" \
        -DloadFile="$RUN_DIR/load-subscriptions.json"
      loss_check subscriptions ;;
    sustain)
      rate=${SUSTAIN_RATE:-}
      if [ -z "$rate" ]; then
        found=$(saturation_point)
        if [ -z "$found" ]; then
          log "sustain: skipped, no saturation point under bench/target/runs (no step held): set SUSTAIN_RATE"
          continue
        fi
        rate=${found%% *}
        log "sustain: $rate/s, the saturation point of ${found#* }"
      fi
      # one step per minute (the per-minute p99), the duration rounded up to whole minutes; shorter: one step
      minutes=$(( (SUSTAIN_DURATION + 59) / 60 ))
      step_seconds=$(( SUSTAIN_DURATION < 60 ? SUSTAIN_DURATION : 60 ))
      steps=$(for _ in $(seq 1 "$minutes"); do printf '%s ' "$rate"; done)
      gatling sustain SubscriptionSimulation "${steps% }" "$step_seconds" \
        "$SUSTAIN_WARMUP" "$SUBSCRIBE_TARGET" 0 -Drun="${RUN_NAME%-saturation}-sustain" \
        -DloadFile="$RUN_DIR/load-sustain.json"
      loss_check sustain ;;
  esac
done

kill "$STATS_PID" 2>/dev/null || true; wait "$STATS_PID" 2>/dev/null || true; STATS_PID=""
HUB_PORT=$HUB_PORT MOCKS_PORT=$MOCKS_PORT IDP_PORT=$IDP_PORT python3 "$ROOT/bench/saturation-report.py" "$RUN_DIR" "${MODES[@]}"
log "Results: $RESULTS"
