# Shared by the benchmark scripts (sourced, never run): start the full local stack on its own ports, measure
# how busy the rest of the machine is, and stop everything the run started, whatever happens.
# Expects ROOT and RUN_NAME; sets the settings every benchmark shares (environment overrides them) and the run
# folder bench/target/runs/$RUN_NAME.
#
# STACK_LAYOUT [split]: how the stack runs (docs/performance.md, "The quote path at 100 req/s"):
#   split   the hub alone in its JVM (com.insurancehub.dev.LocalHub -Dhub.dev.infrastructure=external), as in
#           production; Kafka, the mocks and the identity provider in another (LocalInfrastructure), PostgreSQL in its
#           own process; both JVMs started with plain `java -cp` on the classpath of the one build. GC logs:
#           hub-gc.log and infrastructure-gc.log; logs: stack.log (the hub) and infrastructure.log.
#   single  everything in one JVM (./mvnw -Pbench spring-boot:test-run, LocalHub), as before issue 11: the broker's
#           and the mocks' allocations land in the hub's heap and pause it. GC log: stack-gc.log.
# HUB_JVM_ARGS [see below]: heap and collector of the hub's JVM (split), or of the one JVM (single).
# INFRA_JVM_ARGS [-Xms2g -Xmx2g]: the same for the infrastructure JVM (split only).
# STACK_JVM_ARGS []: more options for the hub's JVM (both layouts), e.g. a flight recording.
# HUB_GC_LOG: the GC log of the JVM that runs the hub (hub-gc.log or stack-gc.log), for the scripts' tables.

HUB_PORT=${HUB_PORT:-8080}
MOCKS_PORT=${MOCKS_PORT:-8090}
KAFKA_PORT=${KAFKA_PORT:-9092}
PG_PORT=${PG_PORT:-15432}
IDP_PORT=${IDP_PORT:-9000}
# The client the simulations call as (client credentials at the stack's identity provider, F07)
BENCH_CLIENT_ID=${BENCH_CLIENT_ID:-partner-broker}
MAX_FOREIGN=${MAX_FOREIGN:-0.1}
QUIET_WAIT=${QUIET_WAIT:-600}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-300}
STACK_JVM_ARGS=${STACK_JVM_ARGS:-}
STACK_LAYOUT=${STACK_LAYOUT:-split}
case "$STACK_LAYOUT" in split|single) ;; *) echo "STACK_LAYOUT=$STACK_LAYOUT: split or single" >&2; exit 2 ;; esac
# The hub's heap and collector (docs/performance.md, "The quote path at 100 req/s" and "... third session"): a fixed
# heap (no resizing pauses, young generation sized once), G1 with its default pause goal. 2 GB, not 1: half as many
# young collections (one every ~11 s at 100 quotes/s), and on a busy machine a pause is as long as its GC threads
# wait for a core (6 ms usually, 15-32 ms at times): the remaining bursts of slow answers lined up with those pauses.
# The infrastructure's JVM (the broker and the Quote Engine, both in the request's path) likewise.
HUB_JVM_ARGS=${HUB_JVM_ARGS:--Xms2g -Xmx2g -XX:+UseG1GC}
INFRA_JVM_ARGS=${INFRA_JVM_ARGS:--Xms2g -Xmx2g}

RUN_DIR="$ROOT/bench/target/runs/$RUN_NAME"
WORK_DIR="$RUN_DIR/dev-services"
STACK_LOG="$RUN_DIR/stack.log"
INFRA_LOG="$RUN_DIR/infrastructure.log"
if [ "$STACK_LAYOUT" = split ]; then HUB_GC_LOG="$RUN_DIR/hub-gc.log"; else HUB_GC_LOG="$RUN_DIR/stack-gc.log"; fi
LOAD_LOG="$RUN_DIR/loadavg.log"
RESULTS="$RUN_DIR/results.md"
mkdir -p "$RUN_DIR"
HUB_URL="http://localhost:$HUB_PORT"
MOCKS_URL="http://localhost:$MOCKS_PORT"
TOKEN_URL="http://localhost:$IDP_PORT/oauth2/token"
# For the Gatling simulations: where and as whom they get their token (ClientCredentialsToken)
AUTH_PROPS=(-DtokenUrl="$TOKEN_URL" -DclientId="$BENCH_CLIENT_ID")
MVN=("$ROOT/mvnw" -B -Pbench)
# After the one build: spring-boot:test-run and gatling:test each fork the lifecycle up to test-compile; these
# flags make that a no-op, so that what runs is what was built, even if the sources change meanwhile.
NO_BUILD=(-Dmaven.main.skip=true -Dmaven.resources.skip=true -Dmaven.test.skip=true)

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# "<all jiffies> <busy jiffies> <jiffies of this run's processes> <steal jiffies>": this script and everything below it (Maven,
# the stack's JVM, Gatling), its PostgreSQL (found by data directory) and the backends below it (pg_ctl detaches the
# postmaster: its parent is init), exited children included (cutime)
cpu_sample() {
  python3 - "$$" "$WORK_DIR" <<'PY'
import os, sys
root, work = int(sys.argv[1]), sys.argv[2]
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        continue
    f = stat[stat.rindex(")") + 2:].split()
    procs[int(pid)] = (int(f[1]), sum(int(x) for x in f[11:15]), cmd)
ours, todo = set(), [root] + [p for p, (_, _, cmd) in procs.items() if work in cmd]
while todo:
    p = todo.pop()
    ours.add(p)
    todo += [c for c, (ppid, _, _) in procs.items() if ppid == p and c not in ours]
print(sum(cpu), sum(cpu) - cpu[3] - cpu[4], sum(procs[p][1] for p in ours if p in procs), cpu[7])
PY
}

# cores used by other processes between two cpu_sample outputs
foreign_cores() {
  awk -v a="$1" -v b="$2" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
    all = y[1] - x[1]; other = (y[2] - x[2]) - (y[3] - x[3]); if (other < 0) other = 0;
    printf "%.2f", (all > 0 ? n * other / all : 0) }'
}

# cores the hypervisor gave to someone else (steal) between two cpu_sample outputs
steal_cores() {
  awk -v a="$1" -v b="$2" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " "); all = y[1] - x[1];
    printf "%.2f", (all > 0 && y[4] != "" ? n * (y[4] - x[4]) / all : 0) }'
}

# How fast the host runs today: CPU milliseconds of a fixed single-threaded piece of work (an interpreter loop over
# a dictionary: branches and memory, like the JVMs' work, not a vectorised hash), best of five. On a virtual machine
# the same code ran up to a third slower within one afternoon (docs/performance.md, fourth session): runs are only
# comparable at the same canary. Also written to host-speed.log.
host_canary() {
  local ms
  ms=$(python3 - <<'PY'
import time
def once():
    t, d = time.process_time(), {}
    for i in range(2_000_000):
        d[i & 4095] = d.get(i & 4095, 0) + i
    return (time.process_time() - t) * 1000
print(f"{min(once() for _ in range(5)):.0f}")
PY
)
  echo "$(date -u +%H:%M:%S) $ms" >> "$RUN_DIR/host-speed.log"
  echo "$ms"
}

wait_for_quiet() {
  local waited=0 before after f
  while true; do
    before=$(cpu_sample); sleep 10; after=$(cpu_sample)
    f=$(foreign_cores "$before" "$after")
    if awk -v f="$f" -v m="$MAX_FOREIGN" 'BEGIN { exit !(f < m) }'; then
      log "Other processes use $f cores (< $MAX_FOREIGN): measuring (load $(loadavg), host canary $(host_canary) ms)"
      return
    fi
    if [ "$waited" -ge "$QUIET_WAIT" ]; then
      log "WARNING: other processes still use $f cores after ${waited}s: measuring anyway, figures will suffer (host canary $(host_canary) ms)"
      return
    fi
    log "Other processes use $f cores (>= $MAX_FOREIGN): waiting for a quieter machine (${waited}/${QUIET_WAIT}s)"
    sleep 20; waited=$((waited + 30))
  done
}

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# ---- the stack: started by this script, stopped by this script -------------------------------------------
STACK_PID=""    # the process that runs the hub: Maven (single) or the hub's JVM (split)
INFRA_PID=""    # split: the infrastructure's JVM
SAMPLER_PID=""

descendants() { # every process below $1, deepest last
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

stop_stack() {
  local rc=$?
  trap - EXIT INT TERM
  # what the benchmark started on top of the stack, stopped first (while the database is still up)
  if declare -F before_stop_stack >/dev/null; then before_stop_stack || true; fi
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    local tree
    tree=$(descendants "$STACK_PID" | tr '\n' ' ')
    log "Stopping the stack: SIGTERM to pid $STACK_PID (single: Maven; split: the hub's JVM; below it: ${tree:-none})"
    kill -TERM "$STACK_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 1; done
    # single: the hub's JVM closes Kafka, the mocks and PostgreSQL in its shutdown hook; give it time, then insist
    local pid
    for pid in $tree; do
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      if kill -0 "$pid" 2>/dev/null; then log "pid $pid still running: SIGTERM"; kill -TERM "$pid" 2>/dev/null || true; fi
    done
    sleep 2
    for pid in $STACK_PID $tree; do
      if kill -0 "$pid" 2>/dev/null; then log "pid $pid still running: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    done
  fi
  # split: the infrastructure after the hub (its consumers leave their groups while Kafka is still there)
  if [ -n "$INFRA_PID" ] && kill -0 "$INFRA_PID" 2>/dev/null; then
    log "Stopping the infrastructure: SIGTERM to its JVM (pid $INFRA_PID)"
    kill -TERM "$INFRA_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$INFRA_PID" 2>/dev/null || break; sleep 1; done
    if kill -0 "$INFRA_PID" 2>/dev/null; then log "pid $INFRA_PID still running: SIGKILL"; kill -KILL "$INFRA_PID" 2>/dev/null || true; fi
  fi
  # PostgreSQL runs detached from the JVM (pg_ctl): find ours by its data directory, which only this run uses
  local left
  left=$(pgrep -f -- "$WORK_DIR" || true)
  if [ -n "$left" ]; then
    log "Left over after the stack stopped (pids $left): SIGTERM"
    kill -TERM $left 2>/dev/null || true
    sleep 5
    left=$(pgrep -f -- "$WORK_DIR" || true)
    if [ -n "$left" ]; then kill -KILL $left 2>/dev/null || true; fi
  fi
  left=$(pgrep -f -- "$WORK_DIR" || true)
  if [ -n "$left" ]; then
    log "WARNING: processes of this run still alive: $left"
    rc=${rc:-1}; [ "$rc" -ne 0 ] || rc=1
  else
    log "Stack stopped: no java or postgres process of this run is left."
  fi
  exit "$rc"
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Builds once (profile bench), starts the stack and waits until it is up; starts the load sampler.
start_stack() {
  busy=()
  for p in "$HUB_PORT" "$MOCKS_PORT" "$KAFKA_PORT" "$PG_PORT" "$IDP_PORT"; do
    if port_in_use "$p"; then busy+=("$p"); fi
  done
  if [ ${#busy[@]} -gt 0 ]; then
    log "Port(s) ${busy[*]} in use: is a hub already running? Stop it, or choose HUB_PORT/MOCKS_PORT/KAFKA_PORT/PG_PORT/IDP_PORT."
    exit 1
  fi
  command -v python3 >/dev/null || { log "python3 is needed to read Gatling's stats.json"; exit 1; }

  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpus: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(free -h | awk '/^Mem:/{print $2}')"
    echo "java: $(java -version 2>&1 | sed -n 2p)"
    echo "load before build: $(loadavg)"
    # before anything of the run exists: the canaries before each scenario also compete with the idle stack
    echo "host canary before the build: $(host_canary) ms"
    if git rev-parse --git-dir >/dev/null 2>&1; then
      echo "git: $(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
    fi
  } > "$RUN_DIR/machine.txt"

  # ---- build once -----------------------------------------------------------------------------------------
  log "Building (./mvnw -B -Pbench test-compile) - log: $RUN_DIR/build.log"
  if ! "${MVN[@]}" test-compile > "$RUN_DIR/build.log" 2>&1; then
    tail -40 "$RUN_DIR/build.log" >&2; log "Build failed"; exit 1
  fi

  local dev="-Dhub.dev.work-dir=$WORK_DIR -Dhub.dev.kafka-port=$KAFKA_PORT -Dhub.dev.postgres-port=$PG_PORT"
  dev+=" -Dhub.dev.mocks-port=$MOCKS_PORT -Dhub.dev.idp-port=$IDP_PORT"
  # The benchmarks measure what the edge costs per request, not its limit: the bench client's 1,000/min
  # (hub.rate-limits.default-client) would refuse most of a 100 req/s run. Raised for this client only; the check
  # itself (one PostgreSQL transaction per request) still runs on every request, as in production.
  local hub="-Dserver.port=$HUB_PORT -Dhub.rate-limits.clients.$BENCH_CLIENT_ID=1000000"
  hub+=" -Xlog:gc:file=$HUB_GC_LOG:time,uptime ${HUB_JVM_ARGS}${STACK_JVM_ARGS:+ $STACK_JVM_ARGS}"
  started=$(date +%s)
  if [ "$STACK_LAYOUT" = split ]; then
    # ---- split: the infrastructure's JVM, then the hub's, each with `java -cp` -------------------------------
    if ! "${MVN[@]}" -q -o dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$RUN_DIR/classpath.txt" >> "$RUN_DIR/build.log" 2>&1 \
      && ! "${MVN[@]}" -q dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$RUN_DIR/classpath.txt" >> "$RUN_DIR/build.log" 2>&1; then
      tail -40 "$RUN_DIR/build.log" >&2; log "Build failed (classpath)"; exit 1
    fi
    local cp="$ROOT/bench/target/test-classes:$ROOT/bench/target/classes:$(cat "$RUN_DIR/classpath.txt")"
    log "Starting the infrastructure (Kafka, PostgreSQL, mocks, identity provider) - log: $INFRA_LOG"
    # shellcheck disable=SC2086
    java $INFRA_JVM_ARGS -Xlog:gc:file="$RUN_DIR/infrastructure-gc.log":time,uptime -cp "$cp" $dev \
      -Dhub.dev.services=kafka,postgres,mocks,idp com.insurancehub.dev.LocalInfrastructure \
      > "$INFRA_LOG" 2>&1 < /dev/null &
    INFRA_PID=$!
    wait_for_line "$INFRA_PID" "$INFRA_LOG" "Local infrastructure is running" "The infrastructure"
    log "Infrastructure up in $(( $(date +%s) - started ))s; starting the hub alone - log: $STACK_LOG"
    # shellcheck disable=SC2086
    java $hub -cp "$cp" $dev -Dhub.dev.infrastructure=external com.insurancehub.dev.LocalHub \
      > "$STACK_LOG" 2>&1 < /dev/null &
    STACK_PID=$!
    wait_for_line "$STACK_PID" "$STACK_LOG" "Insurance integration hub is running" "The hub"
    echo "layout: split; hub JVM options: $(ps -o args= -p "$STACK_PID" | tr ' ' '\n' | grep -E '^-(X|D)' | tr '\n' ' ')" >> "$RUN_DIR/machine.txt"
    echo "infrastructure JVM options: $(ps -o args= -p "$INFRA_PID" | tr ' ' '\n' | grep -E '^-(X|D)' | tr '\n' ' ')" >> "$RUN_DIR/machine.txt"
  else
    # ---- single: everything in one JVM (spring-boot:test-run) ------------------------------------------------
    # optimizedLaunch=false: spring-boot:test-run would otherwise start the JVM with -XX:TieredStopAtLevel=1
    # (C1 only), quick to start but not what a server runs with.
    log "Starting the stack (./mvnw -B -Pbench spring-boot:test-run) - log: $STACK_LOG"
    "${MVN[@]}" "${NO_BUILD[@]}" spring-boot:test-run -Dspring-boot.test-run.optimizedLaunch=false \
      "-Dspring-boot.run.jvmArguments=$dev $hub" > "$STACK_LOG" 2>&1 < /dev/null &
    STACK_PID=$!
    wait_for_line "$STACK_PID" "$STACK_LOG" "Insurance integration hub is running" "The stack"
    for pid in $(descendants "$STACK_PID"); do # the JVM that runs the stack, and its options
      if ps -o args= -p "$pid" | grep -q 'com.insurancehub.dev.LocalHub'; then
        echo "layout: single; stack JVM options: $(ps -o args= -p "$pid" | tr ' ' '\n' | grep -E '^-(X|D)' | tr '\n' ' ')" >> "$RUN_DIR/machine.txt"
      fi
    done
  fi
  log "Stack up in $(( $(date +%s) - started ))s ($STACK_LAYOUT): hub $HUB_URL, mocks $MOCKS_URL"
  sleep 10 # let the start-up settle (Debezium snapshot, first Kafka metadata, JIT of the boot code)

  ( while true; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-4 /proc/loadavg)"; sleep 5; done ) > "$LOAD_LOG" &
  SAMPLER_PID=$!

}

# Waits for a line in a log; exits if the process dies first or after STARTUP_TIMEOUT (from $started).
wait_for_line() { # pid logfile pattern what
  until grep -q -- "$3" "$2" 2>/dev/null; do
    if ! kill -0 "$1" 2>/dev/null; then
      tail -60 "$2" >&2; log "$4 stopped before it was up"; exit 1
    fi
    if [ $(( $(date +%s) - started )) -ge "$STARTUP_TIMEOUT" ]; then
      tail -60 "$2" >&2; log "$4 is not up after ${STARTUP_TIMEOUT}s"; exit 1
    fi
    sleep 1
  done
}
