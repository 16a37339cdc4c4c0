#!/usr/bin/env python3
"""tools/bench slow-clients: many slowloris connections against one keel.

Starts keel (its own temporary data dir, a free port on 127.0.0.1, a short
--header-timeout) and holds --connections connections open that trickle a
header block one byte per second and never finish it; each one that ends
is replaced, so the attack keeps its size. Meanwhile a prober measures
GET /healthz on 4 keep-alive connections: by default bench/soak/probe.py,
400 requests a second in its own process, latency counted from each
request's scheduled time; with --prober wrk, `wrk -t1 -c4` as fast as it
can (on a 2-core machine wrk then takes a whole core from keel, and its
latency measures the CPU contention as much as keel). Then no more slow
connections are opened, and every one still open is waited for.

It passes when the prober's p99 stays under --p99-limit-ms with no error,
every slow connection got a 408 between --header-timeout and
--header-timeout + --slack seconds after it connected, the attack really
held (at least 95% of --connections open at its peak), and keel still
answers and exits 0 on SIGTERM. It reports keel's memory per slow
connection: (peak VmRSS - VmRSS before the attack) / connections held then.

Python 3 standard library (and wrk for --prober wrk); only 127.0.0.1 is contacted. Every
process started here is stopped by its PID.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "bench", "load")]

import httpclient  # noqa: E402
import procstat  # noqa: E402
import run as load_run  # noqa: E402  (bench/load/run.py: processes, build)
import slowconn  # noqa: E402
import verdict  # noqa: E402

PROG = "tools/bench slow-clients"
JSON_DONE = os.path.join(ROOT, "bench", "load", "json_done.lua")
LARGE = {"connections": 15000, "header_timeout": 10, "duration": 60}


def log(message):
    print(f"slow-clients: {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n", 1)[1],
        epilog="Arguments after -- go to keel, after the script's own.\n--large is "
        f"--connections {LARGE['connections']} --header-timeout {LARGE['header_timeout']} "
        f"--duration {LARGE['duration']} (needs a hard fd limit above the connections).\n"
        "Exit status: 0 passed; 1 a check or a step failed; 2 bad options.")
    p.add_argument("--connections", metavar="N", type=int, default=5000,
                   help="slow connections held open (default 5000)")
    p.add_argument("--header-timeout", metavar="S", type=int, default=3,
                   help="keel's --header-timeout (default 3)")
    p.add_argument("--duration", metavar="S", type=int, default=10,
                   help="seconds of wrk under the attack (default 10)")
    p.add_argument("--large", action="store_true", help="the larger mode (see below)")
    p.add_argument("--prober", choices=("python", "wrk"), default="python",
                   help="what measures /healthz during the attack (default python)")
    p.add_argument("--probe-rate", metavar="R", type=float, default=400.0,
                   help="requests per second of the python prober (default 400)")
    p.add_argument("--p99-limit-ms", metavar="MS", type=float, default=20.0,
                   help="wrk's p99 must stay under this (default 20)")
    p.add_argument("--slack", metavar="S", type=float, default=1.5,
                   help="how late after --header-timeout a 408 may come (default 1.5)")
    p.add_argument("--out", metavar="FILE", help="also write the figures as JSON")
    args = load_run.parse_with_keel_args(p, argv)
    if args.large:
        for k, v in LARGE.items():
            setattr(args, k, v)
    if args.connections < 1 or args.header_timeout < 1 or args.duration < 1:
        p.error("--connections, --header-timeout and --duration must be at least 1")
    return args


def raise_fd_limit(needed):
    """RLIMIT_NOFILE's soft limit up to the hard one; a Failure if even that
    is below `needed`. (keel raises its own.)"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise load_run.Failure(f"{needed} file descriptors needed, the hard limit is {hard} "
                               "(raise it, or ask for fewer --connections)")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_prober(args, port, json_path):
    """The prober as a child process that ends by itself after --duration."""
    if args.prober == "wrk":
        argv = ["wrk", "-t1", "-c4", f"-d{args.duration}s", "--latency", "-s", JSON_DONE,
                f"http://127.0.0.1:{port}/healthz"]
        env = dict(os.environ, WRK_JSON_OUT=json_path)
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    argv = [sys.executable, os.path.join(HERE, "probe.py"), str(port), str(args.duration),
            "--connections", "4", "--rate", str(args.probe_rate)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def prober_result(args, proc, out, json_path):
    """(figures with latency_us and requests, error count) or (None, why)."""
    if proc.returncode != 0:
        return None, f"the prober failed (exit {proc.returncode}): {out.strip()}"
    if args.prober == "wrk":
        if not os.path.exists(json_path):
            return None, f"wrk wrote no results: {out.strip()}"
        with open(json_path) as f:
            w = json.load(f)
        return w, sum(w["errors"].values())
    w = json.loads(out)
    return w, w["errors"] + sum(n for s, n in w["statuses"].items() if s != "200")


def attack(args, procs, tmp):
    keel = args.keel
    if keel is None:
        if not args.no_build:
            load_run.build(os.path.abspath(args.build_dir), tmp)
        keel = load_run.binaries(os.path.abspath(args.build_dir))[0]
    raise_fd_limit(args.connections + 256)
    options = ["--bench-endpoints", "--log-level", "warn",
               "--header-timeout", str(args.header_timeout),
               "--max-connections", str(max(10000, args.connections + 1000))] + args.keel_args
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    server = load_run.start_keel(procs, keel, os.path.join(tmp, "data"), options, [], tmp,
                                 env=env)
    pid, port = server.proc.pid, server.port
    log(f"keel pid {pid} on port {port}; {args.connections} slow connections, "
        f"--header-timeout {args.header_timeout}, {args.prober} prober for {args.duration} s")
    time.sleep(0.5)
    rss_before = procstat.memory_kb(pid)["VmRSS"]

    t = slowconn.Trickler(port, args.connections)
    start = time.monotonic()
    while t.live < args.connections and time.monotonic() - start < 30:
        t.step(0)
        t.open_missing(limit=250)
    open_s = time.monotonic() - start
    if t.live < args.connections:
        raise load_run.Failure(f"only {t.live} of {args.connections} connections opened in "
                               f"30 s (last connect error: {t.last_connect_error or 'none'})")

    json_path = os.path.join(tmp, "wrk.json")
    wrk = start_prober(args, port, json_path)
    peak = {"rss_kb": rss_before, "conns": 0, "rss_at_max_conns": rss_before}
    next_sample = 0.0
    while wrk.poll() is None:
        t.step(0.1)
        now = time.monotonic()
        if now >= next_sample:
            next_sample = now + 0.5
            rss = procstat.memory_kb(pid)["VmRSS"]
            conns = procstat.connections(port)
            peak["rss_kb"] = max(peak["rss_kb"], rss)
            if conns > peak["conns"]:
                peak["conns"], peak["rss_at_max_conns"] = conns, rss
        if server.proc.poll() is not None:
            break
    out, err = wrk.communicate()
    # JSON on stdout for the python prober; a failure explains itself on stderr.
    wrk_out = out if wrk.returncode == 0 else f"{out}{err or ''}"
    left = t.finish(timeout=args.header_timeout + args.slack + 5)
    t.close_all()
    return server, t, wrk, wrk_out, json_path, rss_before, peak, open_s, left


def judge(args, server, t, wrk, wrk_out, json_path, rss_before, peak, open_s, left, procs):
    checks = []
    doc = {"connections": args.connections, "header_timeout_s": args.header_timeout,
           "duration_s": args.duration, "open_seconds": round(open_s, 2)}
    w, errors = prober_result(args, wrk, wrk_out, json_path)
    if w is None:
        checks.append(("healthz p99", False, errors))
    else:
        p99_ms = (w["latency_us"]["p99"] or 0) / 1000
        doc["prober"] = args.prober
        doc["healthz"] = w
        checks.append(("healthz p99", p99_ms < args.p99_limit_ms and errors == 0,
                       f"{p99_ms:.2f} ms (limit {args.p99_limit_ms:g}); p50 "
                       f"{(w['latency_us']['p50'] or 0) / 1000:.2f} ms, max "
                       f"{w['latency_us']['max'] / 1000:.2f} ms; {w['requests']:,} requests "
                       f"({args.prober}), {errors} errors"))
    endings = t.endings
    got408 = [e for e in endings if e.how == "response" and e.status == 408]
    others = [e for e in endings if not (e.how == "response" and e.status == 408)]
    secs = [e.seconds for e in got408]
    lo, hi = args.header_timeout - 0.3, args.header_timeout + args.slack
    off = [s for s in secs if not lo <= s <= hi]
    kinds = {}
    for e in others:
        key = str(e.status) if e.how == "response" else e.how
        kinds[key] = kinds.get(key, 0) + 1
    doc.update(opened=t.opened_total, got_408=len(got408), other_endings=kinds,
               still_open=left)
    if secs:
        doc["seconds_to_408"] = {"min": round(min(secs), 3),
                                 "p50": round(verdict.percentile(secs, 50), 3),
                                 "p99": round(verdict.percentile(secs, 99), 3),
                                 "max": round(max(secs), 3)}
    detail = (f"{len(got408):,} of {t.opened_total:,} slow connections got 408"
              + (f"; others: {kinds}" if kinds else "") + (f"; {left} still open" if left else ""))
    if secs:
        s = doc["seconds_to_408"]
        detail += (f"; seconds to the 408: min {s['min']}, median {s['p50']}, max {s['max']} "
                   f"(allowed {lo:g} to {hi:g}; {len(off)} outside)")
    checks.append(("408", not others and not left and not off and len(got408) > 0, detail))
    per_conn = (peak["rss_at_max_conns"] - rss_before) / peak["conns"] if peak["conns"] else 0.0
    doc["memory"] = {"rss_before_kb": rss_before, "rss_peak_kb": peak["rss_kb"],
                     "max_connections_held": peak["conns"],
                     "rss_at_max_connections_kb": peak["rss_at_max_conns"],
                     "kb_per_connection": round(per_conn, 2)}
    checks.append(("held", peak["conns"] >= 0.95 * args.connections,
                   f"{peak['conns']:,} connections open at the peak; VmRSS "
                   f"{rss_before / 1024:.1f} MiB before the attack, "
                   f"{peak['rss_at_max_conns'] / 1024:.1f} MiB then: {per_conn:.2f} KiB per "
                   f"connection (peak VmRSS {peak['rss_kb'] / 1024:.1f} MiB)"))
    if server.proc.poll() is not None:
        checks.append(("exit", False, f"keel died (status {server.proc.returncode}):\n"
                       + load_run.tail(server.log_path)))
    else:
        health = httpclient.call(server.port, "GET", "/healthz")
        procs.stop(server.proc)
        code = server.proc.returncode
        checks.append(("exit", health.status == 200 and code == 0,
                       f"GET /healthz afterwards: {health.status}; exit status on SIGTERM: "
                       f"{code}"))
    doc["checks"] = [{"name": n, "ok": ok, "detail": d} for n, ok, d in checks]
    doc["passed"] = all(ok for _, ok, _ in checks)
    return doc


def main(argv=None):
    args = parse_args(argv)

    def body(procs, tmp):
        if args.prober == "wrk" and shutil.which("wrk") is None:
            raise load_run.Failure("wrk not found (run tools/deps)")
        result = attack(args, procs, tmp)
        doc = judge(args, *result, procs)
        for c in doc["checks"]:
            print(f"  {'pass' if c['ok'] else 'FAIL':5} {c['name']:12} {c['detail']}")
        print("slow-clients: " + ("PASSED" if doc["passed"] else "FAILED"))
        if args.out:
            with open(args.out, "w") as f:
                json.dump(doc, f, indent=1)
        return 0 if doc["passed"] else 1

    return load_run.run_guarded(body, "keel-slow-", log=log)


if __name__ == "__main__":
    sys.exit(main())
