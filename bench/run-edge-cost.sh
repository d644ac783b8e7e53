#!/usr/bin/env bash
# What the edge (F07) costs a quote, in one command (docs/performance.md, "The edge's cost (F07)"):
#
#   bench/run-edge-cost.sh                    # cache and open: the two 100 req/s scenarios (about 20 minutes)
#   bench/run-edge-cost.sh cache open slow    # or others
#
# The quote benchmark on the hub before its edge (BASELINE_REF: no authentication, no rate limits, no input filter,
# no correlation id) and on this tree, one after the other and alternating (per round and scenario: baseline, then
# this tree), each with its own worktree's unchanged bench/run-quote-benchmark.sh: its own build (into that
# worktree's bench/target), its own stack on the same default ports (never two at once), the same rates and
# durations. The baseline calls anonymously and unlimited, as that hub had no edge; this tree calls with a token
# (QuoteSimulation, ClientCredentialsToken) and its client's limit raised (bench/stack.sh). A fresh stack per
# scenario and side: each scenario meets a JVM in the same state on both sides. Prints a table of p50/p99
# before -> after and the ratio; each side's full results stay in its run folder (given in the table).
#
# Environment (defaults in brackets):
#   BASELINE_REF [e2062c1]            the commit before the edge
#   BASELINE_DIR [bench/target/edge-baseline]  a checkout of BASELINE_REF; created as a detached git worktree when
#                                     missing. An existing one must be at BASELINE_REF and is only built, never changed.
#   ROUNDS [1]                        baseline/edge pairs per scenario; with more than one, a median row per scenario
#   ATTEMPTS [1]                      per scenario and side (see below why not the quote script's 3)
#   everything bench/run-quote-benchmark.sh reads (RATE_*, DURATION, WARMUP, ports, MAX_FOREIGN, QUIET_WAIT, ...),
#   passed to both sides
# Writes bench/target/runs/<UTC time>-edge-cost/results.md (and the log of each side's run next to it).
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(cache open)
for s in "${SCENARIOS[@]}"; do
  case "$s" in cache|slow|open) ;; *) echo "Unknown scenario '$s' (cache, slow or open)" >&2; exit 2 ;; esac
done
BASELINE_REF=${BASELINE_REF:-e2062c1}
BASELINE_DIR=${BASELINE_DIR:-$ROOT/bench/target/edge-baseline}
ROUNDS=${ROUNDS:-1}
# One attempt per scenario, unlike the quote script's 3: its second attempt runs on the same stack, whose JVM the first
# one has warmed for another 90 s, so a side that happened to be re-run would look faster for that alone (seen: p99
# 23 ms on an open scenario's second attempt against 49 ms on the other side's first). A disturbed pair shows in the
# "other processes" column; run more ROUNDS instead.
export ATTEMPTS=${ATTEMPTS:-1}

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

want=$(git rev-parse --verify "$BASELINE_REF^{commit}")
if [ ! -e "$BASELINE_DIR" ]; then
  log "Creating the baseline worktree $BASELINE_DIR at $BASELINE_REF"
  git worktree add --detach "$BASELINE_DIR" "$want" >&2
fi
have=$(git -C "$BASELINE_DIR" rev-parse HEAD)
if [ "$have" != "$want" ]; then
  log "$BASELINE_DIR is at $have, not at $BASELINE_REF ($want): check it out there or choose BASELINE_DIR"
  exit 1
fi
if [ "$(cd "$BASELINE_DIR" && pwd -P)" = "$(pwd -P)" ]; then
  log "BASELINE_DIR is this worktree: the two sides must build into different folders"; exit 1
fi

OUT="$ROOT/bench/target/runs/$(date -u +%Y%m%dT%H%M%SZ)-edge-cost"
mkdir -p "$OUT"
RUNS="$OUT/runs.tsv" # round, scenario, side, exit code, run folder
: > "$RUNS"

# Newest quote benchmark run folder of a worktree (event and edge-cost runs have a suffix)
# (none yet in a fresh worktree: ls fails, which pipefail would make fatal)
newest_run() { { ls -1d "$1"/bench/target/runs/*Z 2>/dev/null || true; } | sort | tail -1; }

run_side() { # side dir round scenario
  local side=$1 dir=$2 round=$3 s=$4 before after rc=0
  before=$(newest_run "$dir")
  log "Round $round, $s, $side ($dir at $(git -C "$dir" rev-parse --short HEAD)): bench/run-quote-benchmark.sh $s"
  "$dir/bench/run-quote-benchmark.sh" "$s" > "$OUT/$side-$s-round$round.log" 2>&1 || rc=$?
  after=$(newest_run "$dir")
  # exit 3: a p99 target missed, the figures are there; anything else: no figures
  if [ "$after" = "$before" ]; then after=-; fi
  log "Round $round, $s, $side: exit $rc, results in $after"
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$s" "$side" "$rc" "$after" >> "$RUNS"
}

for round in $(seq 1 "$ROUNDS"); do
  for s in "${SCENARIOS[@]}"; do
    run_side baseline "$BASELINE_DIR" "$round" "$s"
    run_side edge "$ROOT" "$round" "$s"
  done
done

python3 - "$RUNS" "$(git -C "$BASELINE_DIR" rev-parse --short HEAD)" \
  "$(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')" \
  > "$OUT/results.md" <<'PY'
import json, os, statistics, sys

runs_file, base_commit, edge_commit = sys.argv[1:4]

def figures(scenario, run_dir):
    """The measured phase of one run: its results.md row (Gatling's figures) and its summary (the hub's timers)."""
    if run_dir == "-":
        return None
    row = None
    for line in open(os.path.join(run_dir, "results.md")):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == scenario and len(cells) >= 15 and cells[3].isdigit():
            row = cells
            break
    if row is None:
        return None
    summary = json.load(open(os.path.join(run_dir, f"summary-{scenario}.json")))
    http = summary.get("hubMeanMs", {}).get("http:POST /api/quotes", {}).get("meanMs")
    return {"rate": row[2], "ok": int(row[3]), "ko": int(row[4]), "mean": float(row[5]), "p50": float(row[6]),
            "p95": float(row[7]), "p99": float(row[8]), "max": float(row[9]), "foreign": row[14],
            "cpu": summary.get("cpu", {}).get("stackJvmCpuMsPerRequest"), "http": http,
            "run": os.path.basename(run_dir)}

pairs = {}
for line in open(runs_file):
    rnd, scenario, side, rc, run_dir = line.rstrip("\n").split("\t")
    pairs.setdefault((scenario, int(rnd)), {})[side] = figures(scenario, run_dir)

def num(v, fmt="{:g}"):
    return "-" if v is None else fmt.format(v)
def arrow(b, e, key, fmt="{:g}"):
    return f"{num(b and b[key], fmt)} → {num(e and e[key], fmt)}"
def ratio(b, e, key):
    return "-" if not b or not e or not b[key] else f"{e[key] / b[key]:.2f}"

print(f"Baseline {base_commit} (before the edge, anonymous) → edge {edge_commit} (token, client limit raised).")
print()
print("| scenario | rate (req/s) | round | p50 (ms) | p99 (ms) | p99 ratio | mean (ms) | p95 (ms) | KO "
      "| HTTP server mean (ms) | stack JVM CPU per request (ms) | other processes (cores) | runs |")
print("|---|---:|---:|---|---|---:|---|---|---|---|---|---|---|")
by_scenario = {}
for (scenario, rnd), sides in sorted(pairs.items()):
    b, e = sides.get("baseline"), sides.get("edge")
    by_scenario.setdefault(scenario, []).append((b, e))
    rate = (b or e or {}).get("rate", "-")
    print(f"| {scenario} | {rate} | {rnd} | {arrow(b, e, 'p50')} | **{arrow(b, e, 'p99')}** | {ratio(b, e, 'p99')} "
          f"| {arrow(b, e, 'mean')} | {arrow(b, e, 'p95')} | {arrow(b, e, 'ko')} | {arrow(b, e, 'http', '{:.2f}')} "
          f"| {arrow(b, e, 'cpu')} | {(b or {}).get('foreign', '-')} / {(e or {}).get('foreign', '-')} "
          f"| {(b or {}).get('run', '-')} / {(e or {}).get('run', '-')} |")
for scenario, rows in by_scenario.items():
    if len(rows) < 2:
        continue
    med = lambda side, key: statistics.median(r[side][key] for r in rows if r[side] and r[side][key] is not None)
    b = {k: med(0, k) for k in ("p50", "p99")}
    e = {k: med(1, k) for k in ("p50", "p99")}
    print(f"| {scenario} | | median of {len(rows)} | {b['p50']:g} → {e['p50']:g} | **{b['p99']:g} → {e['p99']:g}** "
          f"| {e['p99'] / b['p99']:.2f} | | | | | | | |")
PY

{
  echo
  echo "Measured phase only (warm-up excluded), one stack per scenario and side, baseline first. Machine: $(nproc) CPUs,"
  echo "$(java -version 2>&1 | sed -n 2p). Each side's run folder (bench/target/runs/ of its worktree) has the"
  echo "full tables, the Gatling reports and the stack log; the logs of the runs: $OUT/."
} >> "$OUT/results.md"
echo
cat "$OUT/results.md"
log "Results: $OUT/results.md"
