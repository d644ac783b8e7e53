#!/usr/bin/env bash
# The crash and fault scenarios of docs/reliability.md, on real processes, in one command:
#
#   bench/run-fault-scenarios.sh              # all of them, one after the other (about 35 minutes on a busy 2-core machine)
#   bench/run-fault-scenarios.sh hub-kill     # or some of them
#
#   hub-kill          kill -9 the hub mid-burst (Kafka, PostgreSQL, the mocks and the identity provider live on in
#                     processes of their own), start it again at once
#   broker-kill       kill -9 Kafka's process mid-burst, start it again DOWN [10] s later (its log kept)
#   walsender-kill    end the relays' replication connections mid-burst (pg_terminate_backend on pg_stat_replication)
#   postgres-restart  restart PostgreSQL mid-burst (pg_ctl restart -m fast: every connection of every process broken)
#   leader-kill       two hubs; kill -9 the one that leads the outbox relays mid-burst; the other takes over
#
# Each scenario starts its own stack with its data kept across restarts (-Dhub.dev.keep-data=true): Kafka in one JVM,
# PostgreSQL, the mocks and the identity provider in another (com.insurancehub.dev.LocalInfrastructure), each hub in its
# own (com.insurancehub.dev.LocalHub -Dhub.dev.infrastructure=external), all started with plain `java -cp` so that
# their pids are known. Then: a warm-up (10 subscriptions, checked), the load - COUNT [150] subscriptions (a new quote,
# then the saga) at RATE [10]/s through the hub API with a client credentials token (FaultLoad, which retries a call
# no hub took for RETRY_FOR [300] s, on the other hub if there are two) - the fault KILL_AFTER [5] s into it, and the check once the load
# is over (FaultCheck): every issued policy has exactly one PolicyCreated, invoice, confirmation email and audit
# record, no subscription is left half-way after the recovery window (WINDOW [240] s at most), nothing the outboxes
# wrote is missing from Kafka; the figures (produced, consumed, duplicates absorbed, lost, times to recover).
#
# Ports (never the stack's defaults): HUB_PORT [18480] (and +1 for the second hub), MOCKS_PORT [18490],
# KAFKA_PORT [19492], PG_PORT [25742], IDP_PORT [19400]. HUB_JVM_ARGS adds settings to every hub (e.g. the saga's).
# Everything it writes goes under bench/target/runs/<UTC time>-faults/: per scenario its processes' logs, fault.json
# (what was done, when), load.json, check.json; results.md is the table of docs/reliability.md. Every process it
# started is stopped when it ends, whatever happens. Exit code 1 when a scenario lost, duplicated or left something
# half-done. Never part of ./mvnw test (it runs for minutes and kills processes).
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

ALL=(hub-kill broker-kill walsender-kill postgres-restart leader-kill)
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(all)
if [ "${SCENARIOS[*]}" = all ]; then SCENARIOS=("${ALL[@]}"); fi
for s in "${SCENARIOS[@]}"; do
  case " ${ALL[*]} " in *" $s "*) ;; *) echo "Unknown scenario '$s' (${ALL[*]} or all)" >&2; exit 2 ;; esac
done

COUNT=${COUNT:-150}
RATE=${RATE:-10}
KILL_AFTER=${KILL_AFTER:-5}
DOWN=${DOWN:-10}
WINDOW=${WINDOW:-240}
RETRY_FOR=${RETRY_FOR:-300}
HUB_PORT=${HUB_PORT:-18480}
MOCKS_PORT=${MOCKS_PORT:-18490}
KAFKA_PORT=${KAFKA_PORT:-19492}
PG_PORT=${PG_PORT:-25742}
IDP_PORT=${IDP_PORT:-19400}
CLIENT_ID=${BENCH_CLIENT_ID:-partner-broker}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-300}
HUB_JVM_ARGS=${HUB_JVM_ARGS:-}

RUN_DIR="$ROOT/bench/target/runs/$(date -u +%Y%m%dT%H%M%SZ)-faults"
mkdir -p "$RUN_DIR"
RESULTS="$RUN_DIR/results.md"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now_ms() { date +%s%3N; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# a Spring Boot log line's time (ISO, UTC) as epoch ms
line_ms() { date -d "$(cut -d' ' -f1 <<<"$1")" +%s%3N; }

for p in "$HUB_PORT" "$((HUB_PORT + 1))" "$MOCKS_PORT" "$KAFKA_PORT" "$PG_PORT" "$IDP_PORT"; do
  if port_in_use "$p"; then
    log "Port $p is in use: choose HUB_PORT/MOCKS_PORT/KAFKA_PORT/PG_PORT/IDP_PORT"; exit 1
  fi
done

# ---- one build, one classpath ---------------------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc), memory: $(free -h | awk '/^Mem:/{print $2}')"
  echo "java: $(java -version 2>&1 | sed -n 2p)"
  if git rev-parse --git-dir >/dev/null 2>&1; then
    echo "git: $(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  fi
} > "$RUN_DIR/machine.txt"
log "Building (./mvnw -B -Pbench test-compile) - log: $RUN_DIR/build.log"
if ! "$ROOT/mvnw" -B -Pbench test-compile > "$RUN_DIR/build.log" 2>&1 \
  || ! "$ROOT/mvnw" -B -q -Pbench dependency:build-classpath -Dmdep.includeScope=test \
       -Dmdep.outputFile="$RUN_DIR/classpath.txt" >> "$RUN_DIR/build.log" 2>&1; then
  tail -40 "$RUN_DIR/build.log" >&2; log "Build failed"; exit 1
fi
CP="$ROOT/bench/target/test-classes:$ROOT/bench/target/classes:$(cat "$RUN_DIR/classpath.txt")"
JAVA=(java -Xmx1g -XX:+UseSerialGC -cp "$CP")
TOOL=(java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$CP")

# ---- processes: started here, stopped here ----------------------------------------------------------------------
KAFKA_PID="" INFRA_PID="" HUB_PIDS=() LOAD_PID="" FAULT_TOOL_PID=""

stop_pid() { # pid name: SIGTERM, 60 s, then SIGKILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "$2 (pid $pid) still running 60 s after SIGTERM: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  [ -z "$LOAD_PID" ] || { kill -KILL "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""; }
  [ -z "$FAULT_TOOL_PID" ] || { kill -KILL "$FAULT_TOOL_PID" 2>/dev/null || true; FAULT_TOOL_PID=""; }
  for pid in "${HUB_PIDS[@]}"; do stop_pid "$pid" hub; done
  HUB_PIDS=()
  stop_pid "$INFRA_PID" "PostgreSQL, mocks, identity provider"; INFRA_PID=""
  stop_pid "$KAFKA_PID" Kafka; KAFKA_PID=""
  # a PostgreSQL restarted by pg_ctl is no child of ours: found by its data directory, under this run's folder
  local left
  left=$(pgrep -f -- "$RUN_DIR/" || true)
  if [ -n "$left" ]; then
    log "Left over (pids $left): SIGTERM"
    kill -TERM $left 2>/dev/null || true; sleep 5
    left=$(pgrep -f -- "$RUN_DIR/" || true)
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
  fi
}

finish() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [ -n "$(pgrep -f -- "$RUN_DIR/" || true)" ]; then
    log "WARNING: processes of this run still alive: $(pgrep -f -- "$RUN_DIR/" | tr '\n' ' ')"; [ "$rc" -ne 0 ] || rc=1
  else
    log "Stopped: no process of this run is left."
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# waits for a line in a process's log; fails if the process dies first or after STARTUP_TIMEOUT
wait_for() { # pid logfile pattern what
  local pid=$1 file=$2 pattern=$3 what=$4 t0
  t0=$(date +%s)
  until grep -q -- "$pattern" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then tail -40 "$file" >&2; log "$what stopped before it was up"; return 1; fi
    if [ $(( $(date +%s) - t0 )) -ge "$STARTUP_TIMEOUT" ]; then tail -40 "$file" >&2; log "$what not up after ${STARTUP_TIMEOUT}s"; return 1; fi
    sleep 0.2
  done
}

infra_props() {
  echo "-Dhub.dev.work-dir=$WORK" -Dhub.dev.keep-data=true "-Dhub.dev.kafka-port=$KAFKA_PORT" \
    "-Dhub.dev.postgres-port=$PG_PORT" "-Dhub.dev.mocks-port=$MOCKS_PORT" "-Dhub.dev.idp-port=$IDP_PORT"
}

start_kafka() { # $1: log name
  # shellcheck disable=SC2046
  "${JAVA[@]}" $(infra_props) -Dhub.dev.services=kafka com.insurancehub.dev.LocalInfrastructure \
    > "$SDIR/$1.log" 2>&1 < /dev/null &
  KAFKA_PID=$!
  wait_for "$KAFKA_PID" "$SDIR/$1.log" "Local infrastructure is running" Kafka
}

start_infra() {
  # shellcheck disable=SC2046
  "${JAVA[@]}" $(infra_props) -Dhub.dev.services=postgres,mocks,idp com.insurancehub.dev.LocalInfrastructure \
    > "$SDIR/infrastructure.log" 2>&1 < /dev/null &
  INFRA_PID=$!
  wait_for "$INFRA_PID" "$SDIR/infrastructure.log" "Local infrastructure is running" "PostgreSQL, mocks, identity provider"
}

start_hub() { # index (1, 2) log-name; sets HUB_PIDS[index-1]
  local i=$1 name=$2
  # shellcheck disable=SC2046,SC2086
  "${JAVA[@]}" $(infra_props) -Dhub.dev.infrastructure=external "-Dserver.port=$((HUB_PORT + i - 1))" \
    "-Dhub.rate-limits.clients.$CLIENT_ID=1000000" $HUB_JVM_ARGS com.insurancehub.dev.LocalHub \
    > "$SDIR/$name.log" 2>&1 < /dev/null &
  HUB_PIDS[$((i - 1))]=$!
  wait_for "${HUB_PIDS[$((i - 1))]}" "$SDIR/$name.log" "Insurance integration hub is running" "hub $name"
}

superuser_password() {
  sed -n 's/^postgres.superuser.password=//p' "$WORK/local-credentials.properties" 2>/dev/null | head -1
}

load() { # run-name count hubs; in the background, LOAD_PID
  "${TOOL[@]}" "-DtokenUrl=http://localhost:$IDP_PORT/oauth2/token" "-DclientId=$CLIENT_ID" \
    com.insurancehub.bench.FaultLoad "hubs=$3" "count=$2" "rate=$RATE" "run=$1" "out=$SDIR/$1.json" "retryFor=$RETRY_FOR" \
    > "$SDIR/$1.log" 2>&1 &
  LOAD_PID=$!
}

check() { # load-file kill-at window out
  "${TOOL[@]}" com.insurancehub.bench.FaultCheck "jdbcUrl=jdbc:postgresql://localhost:$PG_PORT/insurance" \
    "password=$(superuser_password)" "kafka=localhost:$KAFKA_PORT" "load=$1" "killAt=$2" "window=$3" "out=$4" \
    > "${4%.json}.log" 2>&1
}

# ---- the faults: each writes $SDIR/fault.json ---------------------------------------------------------------
fault_hub-kill() {
  local kill_at back
  kill_at=$(now_ms)
  kill -KILL "${HUB_PIDS[0]}"
  log "hub (pid ${HUB_PIDS[0]}) killed with SIGKILL; starting it again"
  start_hub 1 hub-restarted
  back=$(( $(now_ms) - kill_at ))
  log "hub up again ${back} ms after the kill"
  echo "{\"killed\": \"hub (kill -9)\", \"killAt\": $kill_at, \"hubUpAgainAfterMs\": $back}" > "$SDIR/fault.json"
}

fault_broker-kill() {
  local kill_at back
  kill_at=$(now_ms)
  kill -KILL "$KAFKA_PID"
  log "Kafka (pid $KAFKA_PID) killed with SIGKILL; starting it again in ${DOWN}s"
  sleep "$DOWN"
  start_kafka kafka-restarted
  back=$(( $(now_ms) - kill_at ))
  log "Kafka up again ${back} ms after the kill"
  echo "{\"killed\": \"Kafka (kill -9)\", \"killAt\": $kill_at, \"down\": $DOWN, \"brokerUpAgainAfterMs\": $back}" > "$SDIR/fault.json"
}

# started with the load, ahead of the fault (a JVM takes seconds to start on a busy machine): it waits for $1
prepare_walsender-kill() {
  "${TOOL[@]}" com.insurancehub.bench.FaultDatabase terminate-walsenders \
    "jdbc:postgresql://localhost:$PG_PORT/insurance" "$(superuser_password)" 120 "$1" > "$SDIR/walsenders.log" 2>&1 &
  FAULT_TOOL_PID=$!
}

fault_walsender-kill() {
  local line
  wait "$FAULT_TOOL_PID" || true
  line=$(grep '^{' "$SDIR/walsenders.log" | tail -1)
  log "walsenders ended: $line"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["killed"]="the relays walsenders (pg_terminate_backend)"; print(json.dumps(d))' \
    "$line" > "$SDIR/fault.json"
}

fault_postgres-restart() {
  local pidfile data pid bin kill_at back as=()
  pidfile=$(find "$WORK" -name postmaster.pid | head -1)
  data=$(dirname "$pidfile")
  pid=$(head -1 "$pidfile")
  bin=$(dirname "$(readlink -f "/proc/$pid/exe")")
  # PostgreSQL refuses to run as root; the embedded server runs in a user namespace (unshare -U) for that reason
  if [ "$(id -u)" = 0 ]; then as=(unshare -U); fi
  kill_at=$(now_ms)
  "${as[@]}" "$bin/pg_ctl" -D "$data" restart -m fast -w -t 60 -l "$SDIR/postgres-restarted.log" > "$SDIR/pg_ctl.log" 2>&1
  back=$(( $(now_ms) - kill_at ))
  log "PostgreSQL restarted (pg_ctl restart -m fast): accepting connections ${back} ms after the stop began"
  echo "{\"killed\": \"PostgreSQL (pg_ctl restart -m fast)\", \"killAt\": $kill_at, \"postgresUpAgainAfterMs\": $back}" > "$SDIR/fault.json"
}

fault_leader-kill() {
  local leader="" survivor kill_at took="" line seen
  for i in 1 2; do
    if grep -q "leads the outbox relays" "$SDIR/hub-$i.log"; then leader=$i; fi
  done
  [ -n "$leader" ] || { log "no hub says it leads the outbox relays"; return 1; }
  survivor=$((3 - leader))
  seen=$(grep -c "leads the outbox relays" "$SDIR/hub-$survivor.log" || true)
  kill_at=$(now_ms)
  kill -KILL "${HUB_PIDS[$((leader - 1))]}"
  log "relay leader hub-$leader (pid ${HUB_PIDS[$((leader - 1))]}) killed with SIGKILL; waiting for hub-$survivor to take over"
  for _ in $(seq 1 600); do
    if [ "$(grep -c "leads the outbox relays" "$SDIR/hub-$survivor.log" || true)" -gt "$seen" ]; then
      line=$(grep "leads the outbox relays" "$SDIR/hub-$survivor.log" | tail -1)
      took=$(( $(line_ms "$line") - kill_at ))
      break
    fi
    sleep 0.2
  done
  log "hub-$survivor leads the relays ${took:-(not within 120 s)} ms after the kill"
  echo "{\"killed\": \"the relay leader hub-$leader (kill -9)\", \"killAt\": $kill_at, \"leader\": $leader, \"takeoverAfterMs\": ${took:-null}}" > "$SDIR/fault.json"
}

# ---- a scenario -------------------------------------------------------------------------------------------------
FAILED=()
run_scenario() {
  local s=$1 hubs kill_at planned
  SDIR="$RUN_DIR/$s"
  WORK="$SDIR/dev-services"
  mkdir -p "$WORK"
  log "== $s: starting Kafka, then PostgreSQL + mocks + identity provider, then the hub(s) - logs in $SDIR"
  start_kafka kafka
  start_infra
  start_hub 1 hub-1
  hubs="http://localhost:$HUB_PORT"
  if [ "$s" = leader-kill ]; then
    start_hub 2 hub-2
    hubs+=",http://localhost:$((HUB_PORT + 1))"
  fi
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$SDIR/loadavg.txt"

  log "$s: warm-up (10 subscriptions, checked)"
  load warm-up 10 "$hubs"
  wait "$LOAD_PID"; LOAD_PID=""
  if ! check "$SDIR/warm-up.json" 0 60 "$SDIR/warm-up-check.json"; then
    log "$s: the stack does not work before any fault (see $SDIR/warm-up-check.log)"; FAILED+=("$s"); stop_all; return
  fi

  log "$s: load - $COUNT subscriptions at $RATE/s, the fault ${KILL_AFTER}s into it"
  load load "$COUNT" "$hubs"
  wait_for "$LOAD_PID" "$SDIR/load.log" "Load started" "the load"
  planned=$(( $(now_ms) + KILL_AFTER * 1000 ))
  if declare -F "prepare_$s" > /dev/null; then "prepare_$s" "$planned"; fi
  sleep "$(awk -v ms=$(( planned - $(now_ms) )) 'BEGIN { printf "%.3f", (ms > 0 ? ms : 0) / 1000 }')"
  "fault_$s" || { log "$s: the fault could not be applied"; FAILED+=("$s"); stop_all; return; }
  wait "$LOAD_PID" || true; LOAD_PID=""
  log "$s: load over ($(tail -1 "$SDIR/load.log")); checking (at most ${WINDOW}s for the recovery)"
  kill_at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["killAt"])' "$SDIR/fault.json")
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$SDIR/loadavg.txt"
  if check "$SDIR/load.json" "$kill_at" "$WINDOW" "$SDIR/check.json"; then
    log "$s: PASSED"
  else
    log "$s: FAILED - problems in $SDIR/check.json"; FAILED+=("$s")
  fi
  stop_all
}

for s in "${SCENARIOS[@]}"; do
  run_scenario "$s"
done

python3 - "$RUN_DIR" "${SCENARIOS[@]}" > "$RESULTS" <<'PY'
import json, os, sys
run, scenarios = sys.argv[1], sys.argv[2:]
def load(s, name):
    try:
        return json.load(open(os.path.join(run, s, name)))
    except (OSError, ValueError):
        return None
def ms(v):
    return "-" if v is None else f"{v / 1000:.1f} s"
print("| scenario | killed | subscriptions | PolicyCreated produced / on Kafka / consumed | duplicates absorbed | lost | subscriptions left half-way | recovery | passed |")
print("|---|---|---|---|---|---:|---:|---|---|")
for s in scenarios:
    f, c = load(s, "fault.json"), load(s, "check.json")
    if not f or not c:
        print(f"| {s} | {f['killed'] if f else '-'} | - | - | - | - | - | - | no (did not run to the end) |")
        continue
    pc, t = c["policyCreated"], c.get("times", {})
    consumed = min(pc["consumed"].values()) if pc["consumed"] else 0
    subs = ", ".join(f"{n} {k.lower()}" for k, n in c["load"].items())
    dup_relay = sum(r["duplicateRecords"] for r in c["relay"].values())
    rec = []
    for key, label in (("hubUpAgainAfterMs", "hub up"), ("brokerUpAgainAfterMs", "broker up"),
                       ("postgresUpAgainAfterMs", "PostgreSQL up"), ("streamingAgainAfterMs", "walsenders streaming"),
                       ("takeoverAfterMs", "other hub leads")):
        if key in f:
            rec.append(f"{label} {ms(f[key])}")
    rec.append(f"first new event relayed {ms(t.get('firstRecordRelayedAfterKillMs'))}")
    rec.append(f"first new invoice {ms(t.get('firstInvoiceOfPolicyIssuedAfterKillMs'))}")
    rec.append(f"longest invoice gap {ms(t.get('longestInvoiceGapMs'))}")
    if c.get("settledAfterKillMs") is not None:
        rec.append(f"all settled {ms(c['settledAfterKillMs'])}")
    half = c["halfStates"]["subscriptions"]
    print(f"| {s} | {f['killed']} | {subs} | {pc['produced']} / {pc['onTopic']['onTopic']} / {consumed} "
          f"| {pc['duplicatesAbsorbed']} PolicyCreated ({dup_relay} relay duplicates in all) | {c['lost']} | {half} "
          f"| {'; '.join(rec)} | {'yes' if c['passed'] else 'NO: ' + str(len(c['problems'])) + ' problems'} |")
PY
cat "$RESULTS"
log "Results: $RESULTS"
if [ ${#FAILED[@]} -gt 0 ]; then
  log "Failed: ${FAILED[*]}"; exit 1
fi
