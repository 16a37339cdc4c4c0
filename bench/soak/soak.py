#!/usr/bin/env python3
"""tools/bench soak: mixed traffic against one keel, judged on what it leaves behind.

Starts keel (its own temporary data dir, a free port on 127.0.0.1, a cheap
argon2 cost as the tests use), creates an admin and a few users, then runs
the lanes of bench/soak/traffic.py for --duration seconds: reads, PATCHes,
logins, refreshes, sign-ups, malformed requests, slow clients, abrupt
disconnects and pipelining. Every second it samples keel's memory
(/proc/<pid>/status), open fds (/proc/<pid>/fd), TCP connections and CPU,
and the answers and latencies of that second. It writes a self-contained
HTML report with SVG charts and the same figures as JSON, and passes or
fails on the rules in bench/soak/verdict.py: the heap (RssAnon) after
warm-up grows by at most --rss-limit-pct, fds do not grow, no 5xx but the
designed 503, every answer expected, and a clean exit. VmRSS is reported
too; it also counts the store's mapped pages, which grow with its data.

Python 3 standard library only; only 127.0.0.1 is contacted. Every process
started here is stopped by its PID, also on Ctrl-C or SIGTERM.
"""

import argparse
import collections
import datetime
import json
import os
import secrets
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "bench", "tools"), os.path.join(ROOT, "bench", "load")]

import httpclient  # noqa: E402
import procstat  # noqa: E402
import report  # noqa: E402
import run as load_run  # noqa: E402  (bench/load/run.py: processes, build, machine info)
import traffic  # noqa: E402
import verdict  # noqa: E402

PROG = "tools/bench soak"
ADMIN_EMAIL = "soak-admin@example.com"
ADMIN_PASSWORD = "soak-admin-password"
# The integration tests' cost (tests/integration/api_client.cc): hashing
# stays in the mix without the 64 MiB per hash of the default cost, which
# would make RSS jump with every login that happens to be sampled.
CHEAP_HASH = ["--argon2-ops", "1", "--argon2-mem-kib", "64"]


def log(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n", 1)[1],
        epilog="Arguments after -- go to keel, after the soak's own (a later option wins), "
        "e.g. -- --threads 1.\nExit status: 0 passed; 1 a check failed or a step failed; "
        "2 bad options; 128+N after signal N.")
    p.add_argument("--duration", metavar="S", type=float, default=600,
                   help="seconds of traffic (default 600)")
    p.add_argument("--warmup", metavar="S", type=float,
                   help="seconds at the start that the heap check ignores, during which "
                   "every lane runs 3 times as fast and sign-ups 8 times (default 120, or "
                   "40%% of --duration when that is less)")
    p.add_argument("--rate-scale", metavar="X", type=float, default=1.0,
                   help="multiplies every lane's request rate (default 1)")
    p.add_argument("--lanes", metavar="LIST", type=lane_list, default=list(LANES),
                   help="comma-separated lanes to run (default all: " + ",".join(LANES) +
                   "); fewer narrow down what a failure comes from")
    p.add_argument("--rss-limit-pct", metavar="PCT", type=float, default=2.0,
                   help="largest heap (RssAnon) growth after warm-up that passes (default 2)")
    p.add_argument("--no-rss-gate", action="store_true",
                   help="report heap growth but do not fail on it (automatic for sanitizer "
                   "builds)")
    p.add_argument("--out", metavar="FILE",
                   help="the HTML report (default out/soak-<date>.html); the JSON goes "
                   "next to it with .json")
    args = load_run.parse_with_keel_args(p, argv)
    if args.duration < 10:
        p.error("--duration must be at least 10 seconds")
    if args.warmup is None:
        args.warmup = min(120.0, round(args.duration * 0.4))
    if not 0 <= args.warmup < args.duration:
        p.error("--warmup must be at least 0 and less than --duration")
    if args.rate_scale <= 0:
        p.error("--rate-scale must be positive")
    return args


def keel_env():
    """This environment without KEEL_* (so the caller's shell cannot change
    the run), plus the first admin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    env.update(KEEL_ADMIN_EMAIL=ADMIN_EMAIL, KEEL_ADMIN_PASSWORD=ADMIN_PASSWORD)
    return env


def wait_idle(port, timeout_s):
    """Waits until keel holds no connection on its port; True if it did."""
    deadline = time.monotonic() + timeout_s
    while procstat.connections(port) > 0:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class Sampler(threading.Thread):
    """Samples keel once a second on a fixed grid until `stop`, which it
    also sets when keel dies."""

    def __init__(self, proc, port, data_dir, t0, stop):
        super().__init__(name="sampler", daemon=True)
        self.proc, self.port, self.data_dir, self.t0, self.stop = proc, port, data_dir, t0, stop
        self.samples = []
        self.died = False

    def run(self):
        hz = os.sysconf("SC_CLK_TCK")
        last_ticks, last_t = load_run.read_stat_ticks(self.proc.pid), 0.0
        k = 1
        while not self.stop.wait(max(0.0, self.t0 + k - time.monotonic())):
            if self.proc.poll() is not None:
                self.died = True
                self.stop.set()
                return
            t = time.monotonic() - self.t0
            try:
                mem = procstat.memory_kb(self.proc.pid)
                ticks = load_run.read_stat_ticks(self.proc.pid)
                self.samples.append({
                    "t": round(t, 2), "rss_kb": mem.get("VmRSS", 0),
                    "anon_kb": mem.get("RssAnon", 0), "file_kb": mem.get("RssFile", 0),
                    "fds": procstat.fd_count(self.proc.pid),
                    "conns": procstat.connections(self.port),
                    "store_kb": procstat.dir_kb(self.data_dir),
                    "cpu_pct": round((ticks - last_ticks) / hz / (t - last_t) * 100, 1),
                })
                last_ticks, last_t = ticks, t
            except OSError:
                pass  # exiting right now; the next round sees it
            k += 1


LANES = ("read", "write", "auth", "signup", "pipeline", "malformed", "abrupt", "slow")


def lane_list(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in LANES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown lane {', '.join(unknown) or text!r} "
                                         f"(known: {', '.join(LANES)})")
    return names


def start_lanes(ctx, accounts, crashed, wanted):
    """One thread per lane in `wanted`; a lane that raises is recorded in
    `crashed`."""
    a = iter(accounts)
    lanes = [("read-0", traffic.read_lane, (ctx, 0, next(a)))]
    lanes += [(f"read-{i}", traffic.read_lane, (ctx, i, next(a))) for i in range(1, 4)]
    lanes += [(f"write-{i}", traffic.write_lane, (ctx, i, [next(a), next(a)])) for i in range(2)]
    lanes += [("auth", traffic.auth_lane, (ctx, [next(a) for _ in range(6)])),
              ("signup", traffic.signup_lane, (ctx,)),
              ("pipeline", traffic.pipeline_lane, (ctx, next(a))),
              ("malformed", traffic.malformed_lane, (ctx,)),
              ("abrupt", traffic.abrupt_lane, (ctx, next(a))),
              ("slow", traffic.slow_lane, (ctx,))]
    lanes = [lane for lane in lanes if lane[0].split("-")[0] in wanted]

    def guarded(name, fn, fargs):
        try:
            fn(*fargs)
        except Exception:  # a bug in the lane, not keel's answer: report it
            crashed.append(f"{name}: {traceback.format_exc()}")
            ctx.stop.set()

    threads = [threading.Thread(target=guarded, args=lane, name=lane[0], daemon=True)
               for lane in lanes]
    for t in threads:
        t.start()
    return threads


ACCOUNTS_NEEDED = 4 + 4 + 6 + 1 + 1


def soak(args, procs, tmp, now):
    keel = args.keel
    if keel is None:
        if not args.no_build:
            load_run.build(os.path.abspath(args.build_dir), tmp)
        keel = load_run.binaries(os.path.abspath(args.build_dir))[0]
    kind = load_run.build_type(os.path.dirname(os.path.abspath(keel)))
    options = ["--bench-endpoints", "--log-level", "warn"] + CHEAP_HASH + args.keel_args
    data_dir = os.path.join(tmp, "data")
    server = load_run.start_keel(procs, keel, data_dir, options, [], tmp, env=keel_env())
    pid, port = server.proc.pid, server.port
    log(f"keel pid {pid} on port {port} ({kind or 'unknown build'})")

    tag = secrets.token_hex(3)
    ctx = traffic.Context(port, None, args.rate_scale, tag)
    ctx.admin = traffic.admin_account(ctx, ADMIN_EMAIL, ADMIN_PASSWORD)
    accounts = [traffic.new_account(ctx, f"u{i}") for i in range(ACCOUNTS_NEEDED)]
    if not wait_idle(port, 10):
        raise load_run.Failure("keel kept connections open after the setup requests")
    fds_before = procstat.fd_count(pid)

    t0 = time.monotonic()
    ctx.rec = traffic.Recorder(t0)
    ctx.warm_until = t0 + args.warmup
    sampler = Sampler(server.proc, port, data_dir, t0, ctx.stop)
    sampler.start()
    crashed = []
    threads = start_lanes(ctx, accounts, crashed, args.lanes)
    log(f"traffic for {args.duration:g} s (warm-up {args.warmup:g} s)")
    deadline = t0 + args.duration
    next_note = t0 + 60
    while not ctx.stop.wait(max(0.0, min(deadline, next_note) - time.monotonic())):
        if time.monotonic() >= deadline:
            break
        next_note += 60
        s = sampler.samples[-1] if sampler.samples else None
        if s:
            log(f"{s['t']:.0f} s: VmRSS {s['rss_kb'] / 1024:.1f} MiB, {s['fds']} fds, "
                f"{s['conns']} connections")
    ctx.stop.set()
    ran_s = time.monotonic() - t0
    for t in threads:
        t.join(timeout=30)
    sampler.join(timeout=5)

    fds_after = None
    exit_ok, exit_detail = False, ""
    if sampler.died or server.proc.poll() is not None:
        exit_detail = f"keel died during the run (status {server.proc.poll()}):\n" + \
            load_run.tail(server.log_path)
    else:
        if wait_idle(port, 15):
            fds_after = procstat.fd_count(pid)
        else:
            exit_detail = "keel still held connections 15 s after the traffic stopped; "
        health = httpclient.call(port, "GET", "/healthz")
        procs.stop(server.proc)
        code = server.proc.returncode
        exit_ok = health.status == 200 and code == 0 and fds_after is not None
        exit_detail += (f"GET /healthz after the run: {health.status}; exit status on "
                        f"SIGTERM: {code}")
        if code != 0:
            exit_detail += "\n" + load_run.tail(server.log_path)
    if crashed:
        exit_ok = False
        exit_detail += "\nsoak lane crashed (a bug in the soak): " + "\n".join(crashed)

    sanitized = "sanitized" in (kind or "")
    rss_gate = not args.no_rss_gate and not sanitized
    checks = verdict.judge(sampler.samples, args.warmup, args.rss_limit_pct, rss_gate,
                           fds_before, fds_after, ctx.rec.bad_5xx, ctx.rec.unexpected,
                           exit_detail, exit_ok)
    return summarize(args, now, keel, kind, options, ctx.rec, sampler.samples, checks,
                     fds_before, fds_after, round(ran_s, 1))


def summarize(args, now, keel, kind, options, rec, samples, checks, fds_before, fds_after,
              ran_s):
    per_second = []
    for sec in range(int(ran_s)):  # whole seconds: the last, cut short, would dip
        row = {"t": sec}
        row.update(rec.by_second.get(sec, {}))
        lat = rec.fast_latency.get(sec, [])
        for name, q in (("fast_p50_ms", 50), ("fast_p99_ms", 99), ("fast_max_ms", 100)):
            v = verdict.percentile(lat, q)
            row[name] = None if v is None else round(v * 1000, 3)
        per_second.append(row)
    latency = {}
    for kind_name, values in rec.latency.items():
        latency[kind_name] = {"n": len(values)}
        for key, q in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100)):
            latency[kind_name][key] = round(verdict.percentile(values, q) * 1000, 3)
    win = verdict.rss_windows(samples, args.warmup)
    anon = verdict.rss_windows(samples, args.warmup, "anon_kb")
    rss = {"start_kb": samples[0]["rss_kb"] if samples else None,
           "peak_kb": max((s["rss_kb"] for s in samples), default=None),
           "base_kb": win[0] if win else None, "end_kb": win[1] if win else None,
           "window_samples": win[2] if win else None,
           "anon_base_kb": anon[0] if anon else None, "anon_end_kb": anon[1] if anon else None}
    by_status = collections.Counter()
    for (k, outcome), n in rec.counts.items():
        by_status[str(outcome)] += n
    return {
        "kind": "keel-soak", "version": 1,
        "date": now.isoformat().replace("+00:00", "Z"),
        "git": load_run.git_info(), "machine": load_run.machine_info(),
        "keel": {"path": keel, "build": kind, "options": options,
                 "version": load_run.tool_version([keel, "--version"])},
        "duration_s": ran_s, "warmup_s": args.warmup, "rate_scale": args.rate_scale,
        "rss_limit_pct": args.rss_limit_pct,
        "passed": verdict.passed(checks),
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
        "requests": sum(rec.counts.values()),
        "by_status": dict(sorted(by_status.items())),
        "counts": [{"kind": k, "outcome": o, "n": n}
                   for (k, o), n in sorted(rec.counts.items(), key=lambda kv: (kv[0][0],
                                                                               str(kv[0][1])))],
        "latency": latency, "rss": rss,
        "fds": {"idle_before": fds_before, "idle_after": fds_after,
                "max": max((s["fds"] for s in samples), default=None)},
        "connections_max": max((s["conns"] for s in samples), default=None),
        "examples": [[k, o, d] for k, o, d in rec.examples],
        "samples": samples, "per_second": per_second,
    }


def print_summary(doc):
    for c in doc["checks"]:
        mark = {True: "pass", False: "FAIL", None: "info"}[c["ok"]]
        print(f"  {mark:5} {c['name']:12} {c['detail']}")
    print(f"  requests {doc['requests']:,} by status: " +
          ", ".join(f"{k} {v:,}" for k, v in doc["by_status"].items()))
    for kind, l in sorted(doc["latency"].items()):
        print(f"  latency {kind:10} n={l['n']:<8,} p50 {l['p50']:.2f} ms  p99 {l['p99']:.2f} ms"
              f"  p99.9 {l['p99.9']:.2f} ms  max {l['max']:.2f} ms")
    print("soak: " + ("PASSED" if doc["passed"] else "FAILED"))


def main(argv=None):
    args = parse_args(argv)
    # Lanes hand the interpreter lock over every 1 ms instead of 5, so a
    # thread whose answer arrived waits less to notice it.
    sys.setswitchinterval(0.001)

    def body(procs, tmp):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        out = args.out or os.path.join(ROOT, "out", f"soak-{now.strftime('%Y%m%d-%H%M%S')}.html")
        doc = soak(args, procs, tmp, now)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        json_path = os.path.splitext(out)[0] + ".json"
        with open(json_path, "w") as f:
            json.dump(doc, f, indent=1)
        with open(out, "w") as f:
            f.write(report.render(doc))
        print_summary(doc)
        print(f"wrote {out} and {json_path}")
        return 0 if doc["passed"] else 1

    return load_run.run_guarded(body, "keel-soak-", log=log,
                                failures=(load_run.Failure, traffic.SetupError))


if __name__ == "__main__":
    sys.exit(main())
