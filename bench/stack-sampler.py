#!/usr/bin/env python3
"""What the stack's processes use, sampled every few seconds while a benchmark runs (bench/run-saturation.sh).

Run in the background: stack-sampler.py ROOT_PID WORK_DIR OUT_FILE [INTERVAL_S [NAMES_EVERY_S]]. It stops on SIGTERM.

The run's processes: every process below ROOT_PID (the benchmark script: Maven, the stack's JVMs, Gatling) and every
process whose command line names WORK_DIR (PostgreSQL's postmaster, which pg_ctl detaches) with its children (the
PostgreSQL backends, whose command lines do not name it). Each is given a kind from its command line (hub JVM,
infrastructure JVM, Gatling, Maven, PostgreSQL, ...), so a stack split into several JVMs is reported per JVM.

One JSON line per sample: time (epoch ms), /proc/stat's all and busy jiffies, and per process its kind, CPU jiffies
(user + system), RSS (bytes), PSS for PostgreSQL (its shared buffers are in every backend's RSS), and for a JVM of
the stack its heap (used, committed; from the JVM's hsperfdata file: no attach, no safepoint), GC count and time, and
the CPU jiffies of each of its threads (by thread id). Every NAMES_EVERY_S seconds, one more line per JVM of the stack
with its threads' names (jcmd Thread.print, the only source of full names: /proc keeps 15 characters), so that the
report can say which threads used the CPU.
"""
import json
import mmap
import os
import re
import signal
import struct
import subprocess
import sys
import time

root_pid, work_dir, out_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
interval = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
names_every = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
PAGE = os.sysconf("SC_PAGE_SIZE")
STACK_JVMS = ("hub JVM", "infrastructure JVM", "stack JVM")

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def kind_of(cmd, comm):
    if comm == "postgres" or "/bin/postgres" in cmd or cmd.startswith("postgres:"):
        return "PostgreSQL"
    if "java" in comm or "/java" in cmd.split(" ")[0]:
        if "com.insurancehub.dev.LocalHub" in cmd:
            return "hub JVM"
        if "com.insurancehub.dev.LocalInfrastructure" in cmd:
            m = re.search(r"-Dhub\.dev\.services=(\S+)", cmd)
            return "infrastructure JVM" + (f" ({m.group(1)})" if m else "")
        if "io.gatling.app.Gatling" in cmd or "GatlingCLI" in cmd:
            return "Gatling"
        if "plexus-classworlds" in cmd:
            if "gatling:test" in cmd:
                return "Maven (Gatling launcher)"
            if "spring-boot:test-run" in cmd:
                return "Maven (stack launcher)"
            return "Maven"
        m = re.search(r"com\.insurancehub\.bench\.(\w+)", cmd)
        if m:
            return f"bench tool ({m.group(1)})"
        if "jdk.jcmd" in cmd or "sun.tools.jcmd" in cmd:
            return "sampler (jcmd)"
        return "java (other)"
    if "stack-sampler" in cmd:
        return "sampler"
    return "other (this run)"


def processes():
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = read(f"/proc/{pid}/stat")
            cmd = read(f"/proc/{pid}/cmdline", "rb").replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        f = stat[stat.rindex(")") + 2:].split()
        procs[int(pid)] = {"ppid": int(f[1]), "cpu": int(f[11]) + int(f[12]), "rss": int(f[21]) * PAGE,
                           "comm": comm, "cmd": cmd}
    children = {}
    for pid, p in procs.items():
        children.setdefault(p["ppid"], []).append(pid)
    ours, todo = set(), [root_pid] + [p for p, v in procs.items() if work_dir in v["cmd"]]
    while todo:
        p = todo.pop()
        if p in ours or p not in procs:
            continue
        ours.add(p)
        todo += children.get(p, [])
    return {p: procs[p] for p in ours}


def hsperf(pid):
    """Heap and GC figures from the JVM's hsperfdata file (format: PerfDataPrologue, then PerfDataEntry records)."""
    for d in os.listdir("/tmp"):
        path = f"/tmp/{d}/{pid}"
        if d.startswith("hsperfdata_") and os.path.exists(path):
            break
    else:
        return None
    try:
        with open(path, "rb") as f:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        if struct.unpack_from(">I", buf, 0)[0] != 0xCAFEC0C0:
            return None
        order = "<" if buf[4] == 1 else ">"
        entry_offset, entries = struct.unpack_from(order + "ii", buf, 24)
        values, at = {}, entry_offset
        for _ in range(entries):
            length, name_offset, vector_length, data_type, _flags, _units, _var, data_offset = \
                struct.unpack_from(order + "iiibbbbi", buf, at)
            if length <= 0:
                break
            end = buf.find(b"\0", at + name_offset)
            name = buf[at + name_offset:end].decode(errors="replace")
            if vector_length == 0 and data_type == ord("J") and name.startswith(("sun.gc.", "sun.os.hrt.frequency")):
                values[name] = struct.unpack_from(order + "q", buf, at + data_offset)[0]
            at += length
    finally:
        buf.close()
    used = committed = 0
    for name, v in values.items():
        m = re.fullmatch(r"sun\.gc\.generation\.(\d)\.space\.(\d)\.(used|capacity)", name)
        if m and m.group(1) in ("0", "1"):
            if m.group(3) == "used":
                used += v
            else:
                committed += v
    freq = values.get("sun.os.hrt.frequency", 1e9)
    gc_count = sum(v for k, v in values.items() if re.fullmatch(r"sun\.gc\.collector\.\d\.invocations", k))
    gc_time = sum(v for k, v in values.items() if re.fullmatch(r"sun\.gc\.collector\.[01]\.time", k))
    return {"heapUsed": used, "heapCommitted": committed, "gcCount": gc_count, "gcSeconds": gc_time / freq}


def threads(pid):
    result = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return result
    for tid in tids:
        try:
            stat = read(f"/proc/{pid}/task/{tid}/stat")
        except OSError:
            continue
        f = stat[stat.rindex(")") + 2:].split()
        result[tid] = int(f[11]) + int(f[12])
    return result


def pss(pid):
    try:
        for line in read(f"/proc/{pid}/smaps_rollup").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def thread_names(pid):
    try:
        text = subprocess.run(["jcmd", str(pid), "Thread.print"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    names = {}
    for m in re.finditer(r'^"(.*?)"[^\n]*? nid=(0x[0-9a-f]+|\d+)', text, re.M):
        nid = m.group(2)
        names[str(int(nid, 16) if nid.startswith("0x") else int(nid))] = m.group(1)
    return names


last_names = 0.0
with open(out_file, "a", buffering=1) as out:
    while running:
        started = time.time()
        cpu = [int(x) for x in read("/proc/stat").splitlines()[0].split()[1:9]]
        sample = {"t": int(started * 1000), "all": sum(cpu), "busy": sum(cpu) - cpu[3] - cpu[4], "procs": {}}
        procs = processes()
        jvms = []
        for pid, p in procs.items():
            kind = kind_of(p["cmd"], p["comm"])
            entry = {"kind": kind, "cpu": p["cpu"], "rss": p["rss"]}
            if kind == "PostgreSQL":
                entry["pss"] = pss(pid)
            elif kind in STACK_JVMS or kind.startswith("infrastructure JVM") or kind == "Gatling":
                heap = hsperf(pid)
                if heap:
                    entry.update(heap)
                if kind != "Gatling":
                    entry["threads"] = threads(pid)
                    jvms.append(pid)
            sample["procs"][str(pid)] = entry
        out.write(json.dumps(sample) + "\n")
        if jvms and started - last_names >= names_every:
            last_names = started
            for pid in jvms:
                out.write(json.dumps({"t": int(time.time() * 1000), "pid": str(pid), "names": thread_names(pid)}) + "\n")
        while running and time.time() < started + interval:
            time.sleep(min(0.2, max(0.0, started + interval - time.time())))
