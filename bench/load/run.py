#!/usr/bin/env python3
"""tools/bench load: wrk load tests against a Release keel (and nginx).

Builds keel and keel-admin (Release), seeds a fresh temporary data dir with
`keel-admin seed` (and one admin), starts keel pinned to its own CPUs and
drives it with wrk pinned to the others. Every scenario runs --repetitions
times after an unrecorded warm-up; wrk hands each run's numbers over as
JSON through the Lua done() hook (bench/load/json_done.lua), and keel's CPU
time (utime+stime) and peak RSS (VmHWM) come from /proc around every run.
The results file is "keel load results" ("kind": "keel-load", version 1;
bench/README.md), which `tools/bench compare OLD NEW` reads.

Python 3 standard library only. Only 127.0.0.1 is ever contacted; every
process started here is stopped by its PID, also on Ctrl-C or SIGTERM.
"""

import argparse
import datetime
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

PROG = "tools/bench load"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOAD_DIR = os.path.join(ROOT, "bench", "load")
NGINX_TEMPLATE = os.path.join(ROOT, "bench", "engine", "nginx.conf.template")

USER_PASSWORD = "load-test-password"
EMAIL_FORMAT = "user%d@example.com"  # keel-admin seed's numbering: 1 .. --users
ADMIN_EMAIL = "load-admin@example.com"
ADMIN_PASSWORD = "load-admin-password"

# Scenarios that hash a password (argon2id, tens of milliseconds each) run
# with at most this many connections per keel thread and a long wrk timeout:
# with 64 connections queued behind the hasher, every request would wait
# seconds and wrk's default 2 s timeout would turn most of them into errors.
HASHING_CONNECTIONS_PER_THREAD = 4
HASHING_TIMEOUT_S = 30


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # the URL's path
    request: str  # what the results file says is sent
    script: str  # in bench/load/
    # The script's arguments after "--"; script_args() expands "users" to
    # FIRST_ID COUNT TOKEN (users.lua), "login" to COUNT PASSWORD FORMAT
    # (login.lua) and "tag" to a fresh random tag (create_user.lua).
    args: tuple = ()
    hashing: bool = False  # argon2id per request: few connections, long timeout
    baseline: bool = False  # also run against nginx with --baseline nginx
    about: str = ""


SCENARIOS = [
    Scenario("plaintext", "/plaintext", "GET /plaintext", "get.lua", baseline=True,
             about="GET /plaintext (TechEmpower test 6)"),
    Scenario("json", "/json", "GET /json", "get.lua", baseline=True,
             about="GET /json (TechEmpower test 1)"),
    Scenario("pipeline", "/plaintext", "GET /plaintext, 16 per write", "pipeline.lua", ("16",),
             about="GET /plaintext, 16 requests pipelined per write"),
    Scenario("get-user", "/", "GET /api/users/{id}", "users.lua", ("users", "0"),
             about="GET /api/users/{random seeded id}, admin token"),
    Scenario("create-user", "/", "POST /api/users", "create_user.lua", ("tag",), hashing=True,
             about="POST /api/users with a new email each time (argon2id: slow)"),
    Scenario("update-user", "/", "PATCH /api/users/{id}", "users.lua", ("users", "100"),
             about="PATCH /api/users/{random id} merge patch of the name, admin token"),
    Scenario("login", "/", "POST /api/auth/login", "login.lua", ("login",), hashing=True,
             about="POST /api/auth/login as a random seeded user (argon2id: slow)"),
    Scenario("mix", "/", "GET or PATCH /api/users/{id}", "users.lua", ("users", "10"),
             about="90% get-user, 10% update-user"),
]
BY_NAME = {s.name: s for s in SCENARIOS}


class Failure(Exception):
    """A step failed; the message says which and why."""


class Interrupted(Exception):
    """SIGTERM or SIGHUP arrived (SIGINT is KeyboardInterrupt)."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(message):
    print(f"load: {message}", file=sys.stderr, flush=True)


# ---- Command line -----------------------------------------------------------

def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def scenario_list(text):
    if text == "all":
        return [s.name for s in SCENARIOS]
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(unknown) or text!r} "
            f"(known: {', '.join(BY_NAME)}, or all)")
    return list(dict.fromkeys(names))  # in the order given, once each


def scenario_help():
    lines = [f"  {s.name:12} {s.about}" for s in SCENARIOS]
    return "\n".join(lines)


EPILOG = f"""scenarios:
{scenario_help()}

Every scenario expects 2xx answers only; others are counted as non_2xx (the
Lua response() hook) and socket errors as errors, and a scenario with any
gets a WARNING line after the summary. create-user and login
hash a password per request (argon2id at keel's default cost), so they run
with at most {HASHING_CONNECTIONS_PER_THREAD} connections per keel thread and a {HASHING_TIMEOUT_S} s wrk timeout,
and give tens of requests per second per core.

what happens:
  1. cmake Release build of keel and keel-admin in --build-dir (default build/;
     CMAKE_BUILD_PARALLEL_LEVEL sets the jobs, else one per core)
  2. a fresh data dir under $TMPDIR (where fsyncs land): `keel-admin seed`
     makes --users users user1@example.com .. userN@example.com sharing one
     password, `keel-admin create-admin` one admin
  3. keel --threads N --bench-endpoints --log-level warn --port 0, pinned with
     taskset: --threads 1 -> the first CPU; more -> the first half of the
     CPUs. wrk (-t = keel's threads, at most its CPUs) runs on the rest.
  4. per scenario: a --warmup run (not recorded), then --repetitions runs of
     wrk -c N -d S --latency -s bench/load/<script>; with --baseline nginx,
     plaintext and json also run against nginx (one worker, same CPUs),
     alternating keel and nginx every repetition
  5. the results file (default out/load-<date>.json) and a summary table

results file ("kind": "keel-load", "version": 1; bench/README.md): date, git
commit and dirty flag, machine (CPU model, cores, kernel), keel options, load
settings, and per scenario and server one entry per repetition with
requests_per_sec, requests, duration_s, latency_us (p50 p90 p99 p99.9 max,
and min mean stdev), errors (socket errors: connect+read+write+timeout),
non_2xx, bytes_per_sec, peak_rss_kb (VmHWM, reset before each run) and
cpu_seconds (the server's utime+stime over the run); each scenario entry
also has its request and connections. A repetition cut short (wrk exited
non-zero, or measured under 95% of --duration) is kept with "interrupted":
true and interrupted_why, warned about, and left out of the summary (and of
tools/bench compare). The server is let go idle before each
run, so a run does not pay for the last one's queued work.
Compare two files with: tools/bench compare OLD.json NEW.json

With the defaults a run takes about 8 minutes (2 more with --baseline nginx).
Exit status: 0 done; 1 a step failed (the message says which); 2 bad
options; 128+N after signal N. Every process started is stopped by its PID
and the temp dir removed, also on Ctrl-C.

example:
  tools/bench load --duration 10 --repetitions 5 --baseline nginx
  tools/bench load --scenarios plaintext,get-user --duration 3 --users 1000
"""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load tests a Release keel with wrk and writes keel load results\n"
        "(JSON) that `tools/bench compare` reads.", epilog=EPILOG)
    p.add_argument("--out", metavar="FILE",
                   help="results file (default out/load-<date>.json in the repository)")
    p.add_argument("--duration", metavar="S", type=positive_int, default=10,
                   help="seconds per recorded run (default 10)")
    p.add_argument("--connections", metavar="N", type=positive_int, default=64,
                   help="wrk connections (default 64)")
    p.add_argument("--threads", metavar="N", type=positive_int, default=1,
                   help="keel worker threads (default 1)")
    p.add_argument("--scenarios", metavar="LIST", type=scenario_list,
                   default=[s.name for s in SCENARIOS],
                   help="comma-separated scenario names, or all (default all)")
    p.add_argument("--repetitions", metavar="N", type=positive_int, default=5,
                   help="recorded runs per scenario and server (default 5)")
    p.add_argument("--baseline", choices=["nginx"],
                   help="also run plaintext and json against nginx")
    p.add_argument("--users", metavar="N", type=positive_int, default=10000,
                   help="users seeded before keel starts (default 10000)")
    p.add_argument("--warmup", metavar="S", type=non_negative_int, default=2,
                   help="seconds of unrecorded load before each scenario (default 2; 0: none)")
    p.add_argument("--build-dir", metavar="DIR", default=os.path.join(ROOT, "build"),
                   help="cmake build directory (default build/ in the repository)")
    p.add_argument("--no-build", action="store_true",
                   help="use the keel and keel-admin already in --build-dir, whatever "
                   "their build type (recorded in the results; CI smoke tests)")
    args = p.parse_args(argv)
    if args.connections < args.threads:
        p.error("--connections must be at least --threads")
    return args


# ---- Processes --------------------------------------------------------------

class Processes:
    """Every process started here, stopped by PID in stop_all(). Children
    get their own session, so a Ctrl-C reaches only this script, which then
    stops them in order."""

    def __init__(self):
        self._procs = []  # Popen objects, in start order
        self._children = {}  # PID -> its children's PIDs (nginx's workers)

    def start(self, argv, **kwargs):
        proc = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL, **kwargs)
        self._procs.append(proc)
        return proc

    def add_children(self, proc, pids):
        """Children of `proc` to kill with it should it ignore SIGTERM."""
        self._children.setdefault(proc.pid, []).extend(pids)

    def stop(self, proc, grace_s=10.0):
        """SIGTERM, then SIGKILL after grace_s. The children go first then:
        while their parent lives, their PIDs cannot have been reused."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                for pid in self._children.get(proc.pid, []):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.kill()
                proc.wait()
        self._children.pop(proc.pid, None)
        self._procs.remove(proc)

    def stop_all(self):
        for proc in reversed(self._procs[:]):
            self.stop(proc)


def _on_signal(signum, frame):
    raise Interrupted(signum)


def run_checked(argv, what, log_path, **kwargs):
    """Runs a short command to completion, output to log_path; Failure with
    the log's tail if it fails."""
    with open(log_path, "ab") as out:
        code = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, **kwargs).returncode
    if code != 0:
        raise Failure(f"{what} failed (exit {code}):\n{tail(log_path)}")


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip()
    except OSError:
        return "(no output)"


# ---- Build, seed, machine ---------------------------------------------------

def build(build_dir, tmp):
    log(f"building keel and keel-admin (Release) in {build_dir}…")
    start = time.monotonic()
    log_path = os.path.join(tmp, "build.log")
    run_checked(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                 "-DKEEL_SANITIZE=OFF"], "cmake configure", log_path)
    jobs = [] if os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") else [
        "--parallel", str(os.cpu_count() or 1)]
    run_checked(["cmake", "--build", build_dir, "--target", "keel", "keel-admin"] + jobs,
                "cmake --build", log_path)
    log(f"build done in {time.monotonic() - start:.0f} s")


def build_type(build_dir):
    """CMAKE_BUILD_TYPE from the build dir's cache, with " sanitized" when
    KEEL_SANITIZE is on; None if there is no cache."""
    cache = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"(CMAKE_BUILD_TYPE|KEEL_SANITIZE):\w+=(.*)", line.strip())
                if m:
                    cache[m.group(1)] = m.group(2)
    except OSError:
        return None
    kind = cache.get("CMAKE_BUILD_TYPE") or "(none)"
    return kind + (" sanitized" if cache.get("KEEL_SANITIZE", "OFF").upper() in
                   ("ON", "1", "TRUE", "YES") else "")


def binaries(build_dir):
    keel, admin = os.path.join(build_dir, "keel"), os.path.join(build_dir, "keel-admin")
    for path in (keel, admin):
        if not os.access(path, os.X_OK):
            raise Failure(f"{path} is not built")
    return keel, admin


def seed(keel_admin, data_dir, users, tmp):
    log(f"seeding {users} users and an admin with keel-admin")
    log_path = os.path.join(tmp, "keel-admin.log")
    base = [keel_admin, "--data-dir", data_dir]
    run_checked(base + ["seed", "--count", str(users), "--password", USER_PASSWORD,
                        "--email-format", EMAIL_FORMAT], "keel-admin seed", log_path)
    run_checked(base + ["create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD],
                "keel-admin create-admin", log_path)


def git_info():
    def git(*args):
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True,
                              text=True, check=True).stdout
    try:
        return {"commit": git("rev-parse", "HEAD").strip(),
                "dirty": bool(git("status", "--porcelain").strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def machine_info():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": os.uname().release}


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text else None


def short_version(line):
    """"wrk debian/4.1.0-3+b2 [epoll] Copyright ..." -> "wrk debian/4.1.0-3+b2"."""
    return " ".join(line.split()[:2]) if line else line


def split_cpus(threads):
    """(keel CPUs, wrk CPUs): one CPU for one keel thread, else the first
    half; wrk gets the rest. Both empty on a one-CPU machine (no pinning)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return [], []
    keel = cpus[:1] if threads == 1 else cpus[:len(cpus) // 2]
    return keel, cpus[len(keel):]


def cpu_list(cpus):
    return ",".join(str(c) for c in cpus)


def pinned(cpus, argv):
    return (["taskset", "-c", cpu_list(cpus)] if cpus else []) + argv


# ---- Servers ----------------------------------------------------------------

@dataclass
class Server:
    name: str  # "keel" or "nginx"
    proc: subprocess.Popen
    port: int
    log_path: str
    token: str = ""  # keel: an admin access token

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def pids(self):
        """The server and its children (nginx's workers)."""
        pids = [self.proc.pid]
        for task in _listdir(f"/proc/{self.proc.pid}/task"):
            try:
                with open(f"/proc/{self.proc.pid}/task/{task}/children") as f:
                    pids += [int(p) for p in f.read().split()]
            except OSError:
                pass
        return pids

    def check_alive(self):
        if self.proc.poll() is not None:
            raise Failure(f"{self.name} exited with status {self.proc.returncode}:\n"
                          f"{tail(self.log_path)}")


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def start_keel(procs, keel, data_dir, options, cpus, tmp, env=None):
    """keel on 127.0.0.1 and a free port, once it answers GET /plaintext
    (so `options` must hold --bench-endpoints). `env`: its whole
    environment (default: this process's)."""
    out_path = os.path.join(tmp, "keel.out")
    with open(out_path, "wb") as out:
        proc = procs.start(pinned(cpus, [keel] + options + [
            "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir]),
            stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server("keel", proc, 0, out_path)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        server.check_alive()
        with open(out_path, errors="replace") as f:
            m = re.search(r"listening on http://(?:127\.0\.0\.1|\[::1\]):(\d+)", f.read())
        if m:
            server.port = int(m.group(1))
            wait_http(server, "/plaintext")
            return server
        time.sleep(0.05)
    raise Failure(f"keel printed no 'listening on http://HOST:PORT' line in 15 s:\n"
                  f"{tail(out_path)}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(procs, cpus, tmp):
    d = os.path.join(tmp, "nginx")
    os.makedirs(d)
    port = free_port()
    nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 65536)
    with open(NGINX_TEMPLATE) as f:
        conf = f.read()
    for key, value in (("@TMP@", d), ("@PORT@", port), ("@NOFILE@", nofile),
                       ("@CONNECTIONS@", max(nofile - 64, 1024))):
        conf = conf.replace(key, str(value))
    conf_path = os.path.join(d, "nginx.conf")
    with open(conf_path, "w") as f:
        f.write(conf)
    err_path = os.path.join(d, "error.log")
    with open(os.path.join(d, "stdout.log"), "wb") as out:
        proc = procs.start(pinned(cpus, [
            "nginx", "-p", d, "-e", err_path, "-c", conf_path, "-g", "daemon off;"]),
            stdout=out, stderr=subprocess.STDOUT)
    server = Server("nginx", proc, port, err_path)
    wait_http(server, "/plaintext")
    procs.add_children(proc, server.pids()[1:])
    return server


def wait_http(server, path, timeout_s=15):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            status, _ = http(server, "GET", path, timeout=1)
            if status == 200:
                return
            raise Failure(f"{server.name}: GET {path} answered {status}"
                          + (" (was keel started with --bench-endpoints?)"
                             if server.name == "keel" else ""))
        except (OSError, urllib.error.URLError):
            time.sleep(0.05)
    raise Failure(f"{server.name} did not answer GET {path} in {timeout_s} s:\n"
                  f"{tail(server.log_path)}")


def http(server, method, path, body=None, token=None, timeout=30):
    """(status, parsed JSON body or None). Loopback only."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.url(path), data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def login(server):
    status, body = http(server, "POST", "/api/auth/login",
                        {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise Failure(f"keel: admin login answered {status}: {body}")
    return body["access_token"]


def seeded_ids(server, users):
    """The first seeded user's id. keel-admin numbers emails 1..N in id
    order on a fresh store; both ends are checked so a change there shows
    up here rather than as a run full of 404s."""
    status, body = http(server, "GET", "/api/users?limit=1", token=server.token)
    if status != 200 or not isinstance(body, list) or not body:
        raise Failure(f"keel: GET /api/users?limit=1 answered {status}: {body}")
    first_id = body[0].get("id")
    for n, uid in ((1, first_id), (users, first_id + users - 1)):
        status, user = http(server, "GET", f"/api/users/{uid}", token=server.token)
        want = EMAIL_FORMAT % n
        if status != 200 or not isinstance(user, dict) or user.get("email") != want:
            raise Failure(f"keel: expected user {uid} to be {want}, GET answered {status}: {user}")
    return first_id


# ---- wrk runs ---------------------------------------------------------------

def read_stat_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def read_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def reset_hwm(pid):
    # "5" resets VmHWM to the current RSS (Linux 4.0+), so each run reports
    # its own peak rather than the process's lifetime peak.
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


@dataclass
class Plan:
    args: argparse.Namespace
    keel_cpus: list  # empty: not pinned
    wrk_cpus: list
    wrk_threads: int
    first_id: int = 1
    tmp: str = ""
    runs_done: int = 0
    runs_total: int = 0
    overhead_s: float = 0.5  # measured per run: login, settling, start, stop


def connections_for(plan, scenario):
    c = plan.args.connections
    if scenario.hashing:
        c = min(c, HASHING_CONNECTIONS_PER_THREAD * plan.args.threads)
    return max(c, plan.wrk_threads)


def script_args(plan, scenario, server):
    out = []
    for a in scenario.args:
        if a == "users":
            out += [str(plan.first_id), str(plan.args.users), server.token]
        elif a == "login":
            out += [str(plan.args.users), USER_PASSWORD, EMAIL_FORMAT]
        elif a == "tag":
            out.append(secrets.token_hex(4))
        else:
            out.append(a)
    return out


def run_wrk(plan, scenario, server, seconds):
    """One wrk run; the repetition's entry of the results file."""
    server.check_alive()
    if server.name == "keel" and "users" in scenario.args:
        server.token = login(server)  # fresh for every run: it never expires mid-run
    json_path = os.path.join(plan.tmp, "wrk.json")
    if os.path.exists(json_path):
        os.unlink(json_path)
    argv = ["wrk", f"-t{plan.wrk_threads}", f"-c{connections_for(plan, scenario)}",
            f"-d{seconds}s", "--latency"]
    if scenario.hashing:
        argv.append(f"--timeout={HASHING_TIMEOUT_S}s")
    argv += ["-s", os.path.join(LOAD_DIR, scenario.script), server.url(scenario.path)]
    extra = script_args(plan, scenario, server)
    if extra:
        argv += ["--"] + extra
    env = dict(os.environ, WRK_JSON_OUT=json_path, WRK_COUNT_STATUS="1", WRK_SEED=str(secrets.randbelow(1 << 30)))

    pids = server.pids()
    settle(pids)
    for pid in pids:
        reset_hwm(pid)
    ticks = sum(read_stat_ticks(p) for p in pids)
    try:
        out = subprocess.run(pinned(plan.wrk_cpus, argv), env=env, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL,
                             timeout=seconds + HASHING_TIMEOUT_S + 30)
    except subprocess.TimeoutExpired:
        raise Failure(f"wrk did not finish {scenario.name} against {server.name} in time")
    # Read at once: hashes still queued when wrk hung up are left out here
    # and settled before the next run, so each run counts the work done
    # while wrk was counting answers.
    ticks = sum(read_stat_ticks(p) for p in pids) - ticks
    rss = sum(read_hwm_kb(p) for p in pids)
    server.check_alive()
    if not os.path.exists(json_path):
        raise Failure(f"wrk failed (exit {out.returncode}) on {scenario.name} against "
                      f"{server.name}:\n{(out.stderr or out.stdout).strip()}")
    with open(json_path) as f:
        w = json.load(f)
    rep = repetition(w, ticks / os.sysconf("SC_CLK_TCK"), rss)
    why = cut_short(out.returncode, rep["duration_s"], seconds)
    if why:
        rep["interrupted"] = True
        rep["interrupted_why"] = why
    return rep


def cut_short(returncode, measured_s, asked_s):
    """Why a wrk run that wrote its results is not a full one, or None.
    wrk stopped early (a SIGINT sent to it alone ends the run and still
    prints, and done() still writes, the numbers so far) measures less than
    it was asked to; wrk's measured time is never below the asked one
    otherwise, so 5% under it is a cut, not jitter."""
    if returncode != 0:
        return f"wrk exited with status {returncode}"
    if measured_s < 0.95 * asked_s:
        return f"wrk ran {measured_s:.1f} s of the {asked_s} s asked"
    return None


def complete(reps):
    """The repetitions that count: those not interrupted."""
    return [r for r in reps if not r.get("interrupted")]


def settle(pids, timeout_s=10.0):
    """Waits until the server has been idle for 100 ms (work left over from
    the last run, such as queued password hashes, is done)."""
    deadline = time.monotonic() + timeout_s
    last = sum(read_stat_ticks(p) for p in pids)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = sum(read_stat_ticks(p) for p in pids)
        if now == last:
            return
        last = now


def repetition(w, cpu_seconds, peak_rss_kb):
    seconds = w["duration_us"] / 1e6
    e = w["errors"]
    return {
        "requests_per_sec": w["requests_per_sec"],
        "requests": w["requests"],
        "duration_s": round(seconds, 6),
        "latency_us": {k: w["latency_us"][k] for k in
                       ("p50", "p90", "p99", "p99.9", "max", "min", "mean", "stdev")},
        # Socket errors only; HTTP statuses >= 300 are in non_2xx.
        "errors": e["connect"] + e["read"] + e["write"] + e["timeout"],
        "wrk_errors": e,
        "non_2xx": w["non_2xx"],
        "bytes_per_sec": round(w["bytes"] / seconds, 1) if seconds > 0 else 0,
        "peak_rss_kb": peak_rss_kb,
        "cpu_seconds": round(cpu_seconds, 3),
    }


def progress(plan, what):
    left = plan.runs_total - plan.runs_done
    per_run = plan.args.duration + plan.overhead_s
    warmups = left * plan.args.warmup / max(plan.args.repetitions, 1)
    eta = int(left * per_run + warmups)
    log(f"[{plan.runs_done + 1}/{plan.runs_total}] {what}, about {eta // 60}m{eta % 60:02d}s left")


def run_scenario(plan, scenario, servers, results):
    """Warm-up, then the repetitions; with two servers they alternate."""
    a = plan.args
    entries = {s.name: {"name": scenario.name, "server": s.name, "request": scenario.request,
                        "connections": connections_for(plan, scenario), "repetitions": []}
               for s in servers}
    for s in servers:
        if a.warmup > 0:
            log(f"warming up {scenario.name} on {s.name} ({a.warmup} s)")
            warmup = run_wrk(plan, scenario, s, a.warmup)
            if warmup.get("interrupted"):
                log(f"warning: the warm-up was cut short ({warmup['interrupted_why']})")
    for rep in range(a.repetitions):
        order = servers if rep % 2 == 0 else list(reversed(servers))
        for s in order:
            what = f"{scenario.name} on {s.name}, repetition {rep + 1}/{a.repetitions}"
            progress(plan, what)
            t0 = time.monotonic()
            result = run_wrk(plan, scenario, s, a.duration)
            if result.get("interrupted"):
                log(f"warning: {what} was cut short ({result['interrupted_why']}): recorded "
                    "as interrupted and left out of the statistics")
            entries[s.name]["repetitions"].append(result)
            spent = time.monotonic() - t0 - a.duration
            plan.overhead_s = (plan.overhead_s * plan.runs_done + spent) / (plan.runs_done + 1)
            plan.runs_done += 1
    results.extend(entries[s.name] for s in servers)


# ---- Results ----------------------------------------------------------------

def default_out(now):
    return os.path.join(ROOT, "out", f"load-{now.strftime('%Y%m%d-%H%M%S')}.json")


def write_results(path, doc):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, scale=1.0, digits=0):
    return "-" if value is None else f"{value / scale:,.{digits}f}"


def summary_table(scenarios):
    head = ("scenario", "server", "conns", "req/s", "p50 ms", "p99 ms", "CPU us/req",
            "peak RSS MiB", "non-2xx", "errors")
    rows = [head]
    for sc in scenarios:
        reps = complete(sc["repetitions"])
        lat = [r["latency_us"] for r in reps]
        cpu = [r["cpu_seconds"] * 1e6 / r["requests"] for r in reps if r["requests"]]
        rows.append((
            sc["name"], sc["server"], str(sc["connections"]),
            fmt(median(r["requests_per_sec"] for r in reps)),
            fmt(median(x["p50"] for x in lat), 1000, 2),
            fmt(median(x["p99"] for x in lat), 1000, 2),
            fmt(median(cpu), 1, 1),
            fmt(max((r["peak_rss_kb"] for r in reps), default=None), 1024, 1),
            fmt(sum(r["non_2xx"] or 0 for r in reps)),
            fmt(sum(r["errors"] for r in reps))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for r in rows:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells))
    return ("\n".join(lines) + "\n(medians over the complete repetitions; peak RSS: "
            "the largest)\n")


def result_warnings(scenarios):
    """Lines for what makes a scenario's numbers doubtful: repetitions cut
    short (left out of the statistics), and answers that were not all 2xx
    or socket errors (its throughput was measured on errors, not on work)."""
    lines = []
    for sc in scenarios:
        cut = [r for r in sc["repetitions"] if r.get("interrupted")]
        if cut:
            why = "; ".join(dict.fromkeys(r.get("interrupted_why", "?") for r in cut))
            lines.append(f"WARNING: {sc['name']}/{sc['server']}: {len(cut)} of "
                         f"{len(sc['repetitions'])} repetitions interrupted ({why}); left out "
                         "of the statistics")
        reps = complete(sc["repetitions"])
        non_2xx = sum(r["non_2xx"] or 0 for r in reps)
        errors = sum(r["errors"] for r in reps)
        if non_2xx or errors:
            lines.append(f"WARNING: {sc['name']}/{sc['server']}: {non_2xx:,} non-2xx answers and "
                         f"{errors:,} socket errors over {len(reps)} repetitions; its req/s "
                         "is not a result")
    return lines


# ---- Main -------------------------------------------------------------------

def check_tools(args):
    need = ["cmake", "wrk", "taskset"] + (["nginx"] if args.baseline else [])
    missing = [t for t in need if shutil.which(t) is None]
    if missing:
        raise Failure(f"not found: {', '.join(missing)} (run tools/deps)")


def parse_with_keel_args(p, argv):
    """Adds --keel, --build-dir and --no-build to the parser `p` of a bench
    command that starts one keel (bench/soak), parses `argv`, and puts what
    follows "--" in args.keel_args: options passed on to keel."""
    p.add_argument("--keel", metavar="PATH", help="the keel binary to run (no build)")
    p.add_argument("--build-dir", metavar="DIR", default=os.path.join(ROOT, "build"),
                   help="where to build Release keel when --keel is not given")
    p.add_argument("--no-build", action="store_true",
                   help="use the keel already in --build-dir")
    args, rest = p.parse_known_args(argv)
    if rest and rest[0] == "--":
        rest = rest[1:]
    elif rest:
        p.error(f"unknown arguments {' '.join(rest)} (keel's go after --)")
    args.keel_args = rest
    return args


def run_guarded(body, tmp_prefix, log=log, failures=(Failure,)):
    """Runs body(procs, tmp) the way every bench command must: SIGTERM and
    SIGHUP end it like SIGINT, what it started is stopped and its temporary
    directory removed whatever happens, and the exit status says how it
    ended (body's own status; 1 for a failure in `failures`; 128 + signal).
    Shared by this runner and bench/soak."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    procs = Processes()
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=tmp_prefix)
        return body(procs, tmp)
    except failures as e:
        log(f"error: {e}")
        return 1
    except KeyboardInterrupt:
        log("interrupted (SIGINT): stopping")
        return 128 + signal.SIGINT
    except Interrupted as e:
        log(f"interrupted ({e}): stopping")
        return 128 + e.signum
    finally:
        # Stop what was started even if a second signal comes in meanwhile.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        procs.stop_all()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)

    def body(procs, tmp):
        check_tools(args)
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        out_path = args.out or default_out(now)
        doc = benchmark(args, procs, tmp, now)
        write_results(out_path, doc)
        sys.stdout.write(summary_table(doc["scenarios"]))
        for line in result_warnings(doc["scenarios"]):
            print(line)
        print(f"wrote {out_path}")
        return 0

    return run_guarded(body, "keel-load-")


def benchmark(args, procs, tmp, now):
    """Everything between the temp dir and the results file."""
    keel, keel_admin, kind = prepare_binaries(args, tmp)
    plan = make_plan(args, tmp)
    scenarios = [BY_NAME[n] for n in args.scenarios]
    with_nginx = [s for s in scenarios if args.baseline and s.baseline]
    plan.runs_total = args.repetitions * (len(scenarios) + len(with_nginx))

    data_dir = os.path.join(tmp, "data")
    seed(keel_admin, data_dir, args.users, tmp)
    options = ["--threads", str(args.threads), "--bench-endpoints", "--log-level", "warn"]
    keel_server = start_keel(procs, keel, data_dir, options, plan.keel_cpus, tmp)
    log(f"keel pid {keel_server.proc.pid} on port {keel_server.port}, CPUs "
        f"{cpu_list(plan.keel_cpus) or 'any'}; wrk on {cpu_list(plan.wrk_cpus) or 'any'}")
    keel_server.token = login(keel_server)
    plan.first_id = seeded_ids(keel_server, args.users)
    nginx = start_nginx(procs, plan.keel_cpus, tmp) if with_nginx else None

    results = []
    for sc in scenarios:
        servers = [keel_server] + ([nginx] if sc in with_nginx else [])
        run_scenario(plan, sc, servers, results)

    doc = {
        "kind": "keel-load",
        "version": 1,
        "date": now.isoformat().replace("+00:00", "Z"),
        "git": git_info(),
        "machine": machine_info(),
        "keel": {"options": options, "version": tool_version([keel, "--version"]),
                 "build": kind, "cpus": cpu_list(plan.keel_cpus) or None,
                 "users": args.users, "seeded_by": "keel-admin seed"},
        "load": {"tool": short_version(tool_version(["wrk", "-v"])),
                 "duration_s": args.duration, "connections": args.connections,
                 "threads": plan.wrk_threads, "warmup_s": args.warmup,
                 "wrk_cpus": cpu_list(plan.wrk_cpus) or None},
        "scenarios": results,
    }
    if nginx:
        doc["nginx"] = {"version": tool_version(["nginx", "-v"]), "workers": 1}
    return doc


def prepare_binaries(args, tmp):
    """(keel, keel-admin, build type), built unless --no-build."""
    build_dir = os.path.abspath(args.build_dir)
    if not args.no_build:
        build(build_dir, tmp)
    keel, keel_admin = binaries(build_dir)
    kind = build_type(build_dir)
    if kind != "Release":
        log(f"warning: {build_dir} is a {kind} build, not Release: "
            "the numbers are not comparable with Release ones")
    return keel, keel_admin, kind


def make_plan(args, tmp):
    keel_cpus, wrk_cpus = split_cpus(args.threads)
    if not keel_cpus:
        log("warning: one CPU only: keel and wrk share it, the numbers mean little")
    elif args.threads > len(keel_cpus):
        log(f"warning: {args.threads} keel threads on {len(keel_cpus)} CPU(s)")
    # One wrk thread per keel thread, as far as wrk's CPUs go.
    wrk_threads = min(args.threads, len(wrk_cpus) if wrk_cpus else 1)
    return Plan(args, keel_cpus, wrk_cpus, wrk_threads, tmp=tmp)


if __name__ == "__main__":
    sys.exit(main())
