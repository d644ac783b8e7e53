#!/usr/bin/env python3
"""The report of bench/run-saturation.sh: saturation-report.py RUN_DIR MODE...

Reads, in RUN_DIR: steps-<mode>.json (SteppedLoad: per step the offered rate, window, answers and percentiles),
samples.jsonl (stack-sampler.py: the run's processes every few seconds), check-<mode>.json (FaultCheck, when the mode
had a loss check), and writes results.md (printed too) and saturation-<mode>.svg (p99 and achieved rate against the
offered rate, the target as a line; drawn by hand, this machine has no plotting library).
"""
import json
import os
import re
import sys
from html import escape

run_dir, modes = sys.argv[1], sys.argv[2:]
HZ = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count()
MB = 1024 * 1024
TITLES = {"quotes": "Quotes (cache hits), POST /api/quotes", "subscriptions": "Subscriptions, POST /api/quotes/{id}/subscribe",
          "sustain": "Subscriptions sustained"}


def load(name):
    try:
        with open(os.path.join(run_dir, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


samples, names = [], {}
try:
    for line in open(os.path.join(run_dir, "samples.jsonl")):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if "procs" in d:
            samples.append(d)
        else:
            names.setdefault(d["pid"], []).append((d["t"], d["names"]))
except OSError:
    pass

STACK = re.compile(r"^(hub JVM|infrastructure JVM.*|stack JVM)$")


def window(start, end):
    """The first sample at or after start and the last at or before end (None when the window holds fewer than 2)."""
    inside = [s for s in samples if start <= s["t"] <= end]
    return (inside[0], inside[-1], inside) if len(inside) >= 2 else (None, None, inside)


def cores_by_kind(a, b):
    dt = (b["t"] - a["t"]) / 1000
    kinds = {}
    for pid, p in b["procs"].items():
        before = a["procs"].get(pid)
        used = p["cpu"] - (before["cpu"] if before and before["kind"] == p["kind"] else 0)
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + max(0, used) / HZ / dt
    busy = (b["busy"] - a["busy"]) / (b["all"] - a["all"]) * CPUS if b["all"] > a["all"] else 0
    return kinds, busy


def memory(sample, inside):
    """Per kind at the sample: RSS sum, PSS sum (PostgreSQL), heap used max over the window and committed at the end."""
    mem = {}
    for pid, p in sample["procs"].items():
        m = mem.setdefault(p["kind"], {"rss": 0, "pss": 0, "n": 0, "heapCommitted": 0})
        m["rss"] += p["rss"]
        m["pss"] += p.get("pss") or 0
        m["n"] += 1
        m["heapCommitted"] += p.get("heapCommitted", 0)
    for kind, m in mem.items():
        used = [sum(p.get("heapUsed", 0) for p in s["procs"].values() if p["kind"] == kind) for s in inside]
        m["heapUsedMax"] = max(used) if used else 0
    return mem


def fmt(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def saturation_point(steps, target):
    ok = [s for s in steps if s.get("judged") and s["p99Ms"] is not None and s["p99Ms"] < target
          and s["ko"] == 0 and s["failedBefore"] == 0]
    return max((s["offeredRate"] for s in ok), default=None)


def thread_group(name):
    # the Tomcats (hub, mocks, identity provider) by role, then digits as #: "http-nio-127.0.0.1-18380-exec-12" ->
    # "http-nio-#.#.#.#-hub-exec-#"
    for role, port in PORTS.items():
        name = name.replace(f"-{port}-", f"-{role}-")
    return re.sub(r"\d+", "#", name)


AREAS = [  # (area, regex on the thread's full name), first match wins
    ("GC", r"^(GC Thread|G1 |VM Periodic|VM Thread|Concurrent Mark|Concurrent Refine)"),
    ("JIT compiler", r"Compiler ?Thread|Sweeper thread"),
    ("Kafka broker", r"^(data-plane-kafka|kafka-\d+-raft|kafka-scheduler|kafka-log-cleaner|quorum-controller|broker-\d|"
                     r"controller-\d|ExpirationReaper|group-metadata-manager|transaction-log-manager|ReplicaFetcher|"
                     r"LogDirFailureHandler|AddPartitionsToTxnSender|TxnMarkerSender|raft-|kafka-\d+-metadata|"
                     r"kafka-\d+-snapshot|metrics-meter-tick|SensorExpiry|client-metrics-reaper|executor-)"),
    ("Kafka producer (hub)", r"kafka-producer-network-thread"),
    ("Kafka consumer routes (hub)", r"KafkaConsumer|kafka-coordinator-heartbeat"),
    ("outbox relay (Debezium)", r"(?i)debezium|PostgresOffsetBackingStore"),
    ("hub HTTP threads (Tomcat: edge, routes)", r"^http-nio-.*-{hub}-"),
    ("hub route executor (task-#)", r"^task-\d+"),
    ("mocks (Tomcat)", r"^http-nio-.*-{mocks}-"),
    ("identity provider (Tomcat)", r"^http-nio-.*-{idp}-"),
    ("tracing export", r"BatchSpanProcessor|BatchLogRecordProcessor"),
    ("other Camel threads (timers)", r"^Camel "),
    # Debezium's asynchronous engine runs its tasks and record processing on Executors.newFixedThreadPool: unnamed
    ("unnamed executors (pool-#-thread-#: Debezium's engine among them)", r"^pool-\d+-thread"),
]


def area_of(name, ports):
    for area, pattern in AREAS:
        if re.search(pattern.format(**ports), name):
            return area
    return "other threads"


def thread_cpu(a, b):
    """Per JVM of the stack: (group -> cores, area -> cores), from the threads' jiffies between two samples."""
    dt = (b["t"] - a["t"]) / 1000
    result = {}
    for pid, p in b["procs"].items():
        if "threads" not in p:
            continue
        before = (a["procs"].get(pid) or {}).get("threads", {})
        known = sorted(names.get(pid, []), key=lambda x: abs(x[0] - b["t"]))
        groups, areas = {}, {}
        for tid, jiffies in p["threads"].items():
            used = (jiffies - before.get(tid, 0)) / HZ / dt
            if used <= 0:
                continue
            name = next((n[tid] for _, n in known if tid in n), None) or f"(thread {tid}, exited or unnamed)"
            g = thread_group(name)
            groups[g] = groups.get(g, 0) + used
            ar = area_of(name, PORTS)
            areas[ar] = areas.get(ar, 0) + used
        result[f"{p['kind']} (pid {pid})"] = (groups, areas)
    return result


PORTS = {"hub": os.environ.get("HUB_PORT", "8080"), "mocks": os.environ.get("MOCKS_PORT", "8090"),
         "idp": os.environ.get("IDP_PORT", "9000")}


def nice(top):
    """A round tick step (1, 2 or 5 times a power of ten, about 5 ticks) and the axis end it gives."""
    import math
    raw = max(top, 1e-9) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return step, step * math.ceil(top / step - 1e-9)


def svg(mode, steps, target):
    judged = [s for s in steps if s.get("judged")]
    if not judged:
        return None
    w, h, left, right, top, bottom = 760, 420, 70, 70, 40, 50
    pw, ph = w - left - right, h - top - bottom
    xstep, xmax = nice(max(max(s["offeredRate"] for s in judged), max(s["achievedOkPerSecond"] for s in judged)))
    p99s = [s["p99Ms"] for s in judged if s["p99Ms"] is not None]
    ystep, ymax = nice(max(2.0 * target, min(max(p99s, default=target), 5.0 * target)))
    rmax = xmax
    X = lambda v: left + pw * v / xmax
    Y = lambda v: top + ph * (1 - min(v, ymax) / ymax)
    R = lambda v: top + ph * (1 - min(v, rmax) / rmax)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{escape(TITLES.get(mode, mode))}: '
           f'p99 and achieved rate against the offered rate</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#c0392b"/>',
           f'<line x1="{left + pw}" y1="{top}" x2="{left + pw}" y2="{top + ph}" stroke="#2471a3"/>']
    for i in range(round(xmax / xstep) + 1):
        xv = xstep * i
        out += [f'<text x="{X(xv):.1f}" y="{top + ph + 16}" text-anchor="middle">{xv:g}</text>',
                f'<text x="{left + pw + 6}" y="{R(xv) + 4:.1f}" fill="#2471a3">{xv:g}</text>']
    for i in range(round(ymax / ystep) + 1):
        yv = ystep * i
        out += [f'<text x="{left - 6}" y="{Y(yv) + 4:.1f}" text-anchor="end" fill="#c0392b">{yv:g}</text>',
                f'<line x1="{left}" y1="{Y(yv):.1f}" x2="{left + pw}" y2="{Y(yv):.1f}" stroke="#eee"/>']
    out += [f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle">offered rate (per second)</text>',
            f'<text transform="translate(16,{top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#c0392b">p99 (ms)</text>',
            f'<text transform="translate({w - 14},{top + ph / 2}) rotate(90)" text-anchor="middle" fill="#2471a3">'
            f'achieved (OK answers per second)</text>',
            f'<line x1="{left}" y1="{Y(target)}" x2="{left + pw}" y2="{Y(target)}" stroke="#c0392b" stroke-dasharray="6,4"/>',
            f'<text x="{left + 4}" y="{Y(target) - 4}" fill="#c0392b">p99 target {target} ms</text>',
            f'<line x1="{X(0)}" y1="{R(0)}" x2="{X(xmax)}" y2="{R(xmax)}" stroke="#aac" stroke-dasharray="2,3"/>']
    p99_points = [(X(s["offeredRate"]), Y(s["p99Ms"] if s["p99Ms"] is not None else ymax)) for s in judged]
    out.append('<polyline fill="none" stroke="#c0392b" stroke-width="2" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y in p99_points) + '"/>')
    for s, (x, y) in zip(judged, p99_points):
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#c0392b"/>')
        if s["p99Ms"] is None or s["p99Ms"] > ymax:
            label = "unanswered" if s["p99Ms"] is None else f"{s['p99Ms']:,.0f} ms"
            out.append(f'<text x="{x + 6:.1f}" y="{y + 14:.1f}" fill="#c0392b">{label}</text>')
    ach = [(X(s["offeredRate"]), R(s["achievedOkPerSecond"])) for s in judged]
    out.append('<polyline fill="none" stroke="#2471a3" stroke-width="2" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y in ach) + '"/>')
    out += [f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#2471a3"/>' for x, y in ach]
    sat = saturation_point(steps, target)
    if sat is not None:
        out += [f'<line x1="{X(sat)}" y1="{top}" x2="{X(sat)}" y2="{top + ph}" stroke="#27ae60" stroke-dasharray="4,3"/>',
                f'<text x="{X(sat) + 4}" y="{top + 12}" fill="#27ae60">saturation point {sat:g}/s</text>']
    out.append("</svg>")
    path = os.path.join(run_dir, f"saturation-{mode}.svg")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return os.path.basename(path)


lines = []
p = lines.append
machine = ""
try:
    machine = open(os.path.join(run_dir, "machine.txt")).read()
except OSError:
    pass
p(f"# Saturation run {os.path.basename(run_dir)}")
p("")
p("```")
p(machine.strip())
p("```")
for mode in modes:
    report = load(f"steps-{mode}.json")
    p("")
    p(f"## {TITLES.get(mode, mode)}")
    p("")
    if not report or not report.get("steps"):
        p(f"No result (see gatling-{mode}.log).")
        continue
    target, steps = report["p99TargetMs"], report["steps"]
    sat = saturation_point(steps, target)
    p(f"Steps of {report['stepSeconds']} s after a {report.get('warmupSeconds', '?')} s warm-up; p99 target {target} ms; "
      f"stop rule: {'none' if report['stopAfterMisses'] <= 0 else str(report['stopAfterMisses']) + ' steps at or over the target, or a step with more than ' + str(report['maxKoPercent']) + ' % KO'}. "
      f"Stopped: {report.get('stopReason') or 'no (every step ran)'}.")
    if mode != "sustain":
        p(f"**Saturation point (highest step with p99 < {target} ms and no KO): "
          f"{'none' if sat is None else f'{sat:g}/s'}.**")
    p("")
    kinds_seen = []
    rows = []
    for s in steps:
        a, b, inside = window(s["startEpochMs"], s["endEpochMs"])
        kinds, busy = cores_by_kind(a, b) if a else ({}, None)
        mem = memory(b, inside) if b else {}
        for k in mem:
            if STACK.match(k) and k not in kinds_seen:
                kinds_seen.append(k)
        rows.append((s, kinds, busy, mem))
    head = ("| step | offered (/s) | achieved (OK/s) | sent | KO | unanswered | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) "
            "| p99 < target | stack JVM CPU (cores) | PostgreSQL CPU (cores) | stack CPU per OK answer (ms) | Gatling CPU (cores) "
            "| other processes (cores) ")
    sep = "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:"
    for k in kinds_seen:
        head += f"| {k}: heap used max / committed (MB) | {k}: RSS (MB) "
        sep += "|---:|---:"
    head += "| PostgreSQL: RSS / PSS (MB, processes) |"
    sep += "|---:|"
    p(head)
    p(sep)
    for s, kinds, busy, mem in rows:
        stack_cpu = sum(v for k, v in kinds.items() if STACK.match(k))
        ours = sum(kinds.values())
        other = None if busy is None else max(0.0, busy - ours)
        # the stack's CPU (its JVMs and PostgreSQL) per OK answer: 2 cores / this = the rate the CPU allows
        per_answer = ((stack_cpu + kinds.get("PostgreSQL", 0)) * 1000 / s["achievedOkPerSecond"]
                      if kinds and s["achievedOkPerSecond"] > 0 else None)
        met = "(not judged: load stopped)" if not s.get("judged") else (
            "yes" if s["p99Ms"] is not None and s["p99Ms"] < target and s["ko"] == 0 else "**no**")
        row = (f"| {s['step']} | {s['offeredRate']:g} | {fmt(s['achievedOkPerSecond'], 1)} | {s['sent']} | "
               f"{s['ko'] + s['failedBefore']} | {s['unanswered']} | {fmt(s['p50Ms'], 1)} | {fmt(s['p95Ms'], 1)} | "
               f"{fmt(s['p99Ms'], 1) if s['p99Ms'] is not None else 'unanswered'} | {fmt(s['maxMs'], 1)} | {met} | "
               f"{fmt(stack_cpu if kinds else None, 2)} | {fmt(kinds.get('PostgreSQL') if kinds else None, 2)} | "
               f"{fmt(per_answer, 1)} | "
               f"{fmt(kinds.get('Gatling') if kinds else None, 2)} | {fmt(other, 2)} ")
        for k in kinds_seen:
            m = mem.get(k)
            row += (f"| {fmt(m['heapUsedMax'] / MB)} / {fmt(m['heapCommitted'] / MB)} | {fmt(m['rss'] / MB)} " if m
                    else "| – | – ")
        pg = mem.get("PostgreSQL")
        row += f"| {fmt(pg['rss'] / MB)} / {fmt(pg['pss'] / MB)} ({pg['n']}) |" if pg else "| – |"
        p(row)
    allf = report.get("all")
    if allf:
        p("")
        p(f"All steps together: {allf['sent']} sent, {allf['ok']} OK, {allf['ko'] + allf['failedBefore']} KO, "
          f"{allf['unanswered']} unanswered; p50 {fmt(allf['p50Ms'], 1)} ms, p95 {fmt(allf['p95Ms'], 1)} ms, "
          f"p99 {fmt(allf['p99Ms'], 1)} ms, max {fmt(allf['maxMs'], 1)} ms.")
    if mode == "sustain":
        judged = [s for s in steps if s.get("judged")]
        p99s = [s["p99Ms"] for s in judged if s["p99Ms"] is not None]
        if len(p99s) >= 2:
            half = len(p99s) // 2
            first, second = sum(p99s[:half]) / half, sum(p99s[half:]) / (len(p99s) - half)
            p(f"Per-step p99 (ms): {', '.join(fmt(v, 0) for v in p99s)}; mean of the first half {first:.0f}, of the "
              f"second {second:.0f} (ratio {second / first:.2f}): "
              f"{'no drift' if second / first < 1.25 else 'it drifts upwards'}.")
        if samples:
            sustain_start, sustain_end = steps[0]["startEpochMs"], steps[-1]["endEpochMs"]
            near = lambda t: min(samples, key=lambda s: abs(s["t"] - t))
            for label, t in (("start", sustain_start), ("end", sustain_end)):
                m = memory(near(t), [near(t)])
                parts = [f"{k}: heap {fmt(v['heapUsedMax'] / MB)} / {fmt(v['heapCommitted'] / MB)} MB, RSS {fmt(v['rss'] / MB)} MB"
                         for k, v in m.items() if STACK.match(k)]
                if "PostgreSQL" in m:
                    parts.append(f"PostgreSQL: RSS {fmt(m['PostgreSQL']['rss'] / MB)} MB, PSS {fmt(m['PostgreSQL']['pss'] / MB)} MB "
                                 f"({m['PostgreSQL']['n']} processes)")
                p(f"At the {label}: " + "; ".join(parts) + ".")
    check = load(f"check-{mode}.json")
    if check is not None:
        pc = check.get("policyCreated", {})
        relay_dups = sum(r.get("duplicateRecords", 0) for r in check.get("relay", {}).values())
        strict = check.get("passed") and relay_dups == 0 and pc.get("onTopic", {}).get("duplicateRecords", 0) == 0
        p("")
        p(f"**Loss check (FaultCheck): {'passed' if strict else 'FAILED'}.** Subscriptions by outcome: "
          f"{', '.join(f'{n} {k}' for k, n in check.get('load', {}).items())}; policies issued {check.get('issued')}; "
          f"PolicyCreated produced {pc.get('produced')}, on Kafka {pc.get('onTopic', {}).get('onTopic')}, consumed "
          f"{pc.get('consumed')}; invoices {pc.get('invoices')}, confirmation emails {pc.get('emails')}, audit records "
          f"{pc.get('auditRecords')}; lost {check.get('lost')}; relay duplicates {relay_dups}; subscriptions left "
          f"half-way {check.get('halfStates', {}).get('subscriptions')}; settled after the load in "
          f"{check.get('checkWaitedMs', 0) / 1000:.1f} s.")
        if check.get("problems"):
            p("Problems (first 10): " + "; ".join(check["problems"][:10]))
    # where the CPU went: the judged step with the highest achieved rate, per thread area of each stack JVM
    judged = [r for r in rows if r[0].get("judged")]
    if judged and samples:
        pick = sat if mode != "sustain" else None
        chosen = next((r for r in judged if r[0]["offeredRate"] == pick), None) or max(judged, key=lambda r: r[0]["achievedOkPerSecond"])
        s = chosen[0]
        a, b, _ = window(s["startEpochMs"], s["endEpochMs"])
        if a:
            kinds, busy = cores_by_kind(a, b)
            p("")
            p(f"Where the CPU went during step {s['step']} ({s['offeredRate']:g}/s offered, "
              f"{s['achievedOkPerSecond']:g} OK/s): machine {busy:.2f} of {CPUS} cores busy; by process kind: "
              + ", ".join(f"{k} {v:.2f}" for k, v in sorted(kinds.items(), key=lambda x: -x[1]) if v >= 0.005) + ".")
            for jvm, (groups, areas) in thread_cpu(a, b).items():
                total = sum(areas.values()) or 1
                p("")
                p(f"{jvm}, by area (threads' CPU, cores and share): "
                  + ", ".join(f"{k} {v:.2f} ({100 * v / total:.0f} %)" for k, v in sorted(areas.items(), key=lambda x: -x[1])))
                p("")
                p("| thread group (digits as #) | cores | share |")
                p("|---|---:|---:|")
                for g, v in sorted(groups.items(), key=lambda x: -x[1])[:15]:
                    p(f"| `{g}` | {v:.3f} | {100 * v / total:.1f} % |")
    picture = svg(mode, steps, target) if mode != "sustain" else None
    if picture:
        p("")
        p(f"Plot: `{picture}` (p99, red, left axis; achieved rate, blue, right axis; dotted: achieved = offered).")

p("")
p("Columns: offered = the step's arrival rate (open model: new requests whatever the answers); achieved = OK answers "
  "that arrived within the step's window, per second; sent/KO/unanswered = requests sent during the step, failed "
  "(KO answer, or a quote before the subscribe failed), never answered by the end; percentiles over the answers of "
  "the requests sent during the step, the unanswered counted as slower than all (a p99 that falls on them is "
  "'unanswered'); CPU in cores (of this machine's), from /proc over the step; stack CPU per OK answer = (stack JVMs + "
  "PostgreSQL) CPU-ms per OK answer of the step (the machine's cores divided by it: the rate its CPU allows); heap from each JVM's hsperfdata "
  "(used: highest sample in the step; committed: at its end); RSS at the step's end; PostgreSQL: all its processes, "
  "RSS counts the shared buffers in every backend, PSS shares them out.")
text = "\n".join(lines) + "\n"
with open(os.path.join(run_dir, "results.md"), "w") as f:
    f.write(text)
print(text)
