"""The soak's traffic: one thread per lane, each paced to a fixed rate.

Every request's outcome goes to a Recorder: its status (or how the
connection failed), its latency, and whether the lane expected it. The lanes:

  read       keep-alive GETs, HEADs and conditional GETs of the lane's own
             user, /healthz, /plaintext, /json; lane 0 also pages the user
             list as admin. Every 500th request closes the connection.
  write      PATCH (merge patch) of the lane's users' names; some with a
             current If-Match (200), some with a stale one (412)
  auth       login, two refreshes, logout; now and then a reused refresh
             token (401, ends the family) and a wrong password (401)
  signup     sign-up, login, GET /me, DELETE of the new user: the store
             does not grow, so its mapped pages do not either
  pipeline   16 mixed requests in one write, then the 16 answers
  malformed  requests that must get a 4xx, each on a new connection
  abrupt     connections dropped at awkward moments: before a request,
             mid-header, mid-body, right after a request that hashes or
             writes, in the middle of a large answer
  slow       connections that trickle their headers (408 expected)

Requests that make keel answer 501 or 505 (an unknown Transfer-Encoding,
HTTP/2.0 in the request line) are left out: the soak allows no 5xx other
than the hash queue's 503.
"""

import collections
import itertools
import random
import threading
import time

import httpclient
import slowconn
from httpclient import ConnectionEnded, Conn, bearer, request

PASSWORD = "soak-password-1"
MERGE_PATCH = "Content-Type: application/merge-patch+json"
# Kinds whose latency is charted per second: they do no password hashing,
# so their latency is keel's request path, not argon2.
FAST_KINDS = ("read", "write", "pipeline")
# Access tokens live 900 s by default; lanes log in again well before that.
TOKEN_MAX_AGE_S = 300


class Recorder:
    """Every outcome, tallied by kind and by second. Thread-safe."""

    def __init__(self, t0):
        self.t0 = t0
        self._lock = threading.Lock()
        self.counts = collections.Counter()  # (kind, outcome) -> n
        self.by_second = collections.defaultdict(collections.Counter)  # second -> class -> n
        self.fast_latency = collections.defaultdict(list)  # second -> [s]
        self.latency = collections.defaultdict(list)  # kind -> [s]
        self.unexpected = collections.Counter()  # (kind, outcome) -> n
        self.bad_5xx = collections.Counter()  # (kind, outcome) -> n
        self.examples = []  # (kind, outcome, detail) of the first unexpected ones

    def record(self, kind, outcome, latency=None, expected=(), retry_after=None, detail=""):
        """`outcome`: a status or a transport failure ("reset", "eof",
        "timeout", "error", "aborted"). A 503 with `retry_after` is the
        designed overload answer and always expected."""
        designed = outcome == 503 and bool(retry_after)
        ok = outcome in expected or designed
        now = time.monotonic()
        second = int(now - self.t0)
        with self._lock:
            self.counts[(kind, outcome)] += 1
            self.by_second[second][outcome_class(outcome, designed)] += 1
            if latency is not None and isinstance(outcome, int):
                self.latency[kind].append(latency)
                if kind in FAST_KINDS:
                    self.fast_latency[second].append(latency)
            if isinstance(outcome, int) and outcome >= 500 and not designed:
                self.bad_5xx[(kind, outcome)] += 1
            if not ok:
                self.unexpected[(kind, outcome)] += 1
                if len(self.examples) < 20:
                    self.examples.append((kind, outcome, detail))

    def response(self, kind, r, latency, expected, detail=""):
        self.record(kind, r.status, latency, expected, r.header("retry-after"),
                    detail or r.body[:200].decode("utf-8", "replace"))


def outcome_class(outcome, designed=False):
    if isinstance(outcome, int):
        if designed:
            return "503 designed"
        return f"{outcome // 100}xx"
    return "aborted" if outcome == "aborted" else "transport error"


class Account:
    def __init__(self, user_id, email, password):
        self.id = user_id
        self.email = email
        self.password = password
        self.access = ""
        self.refresh = ""
        self.etag = ""
        self.logged_in_at = 0.0


class Context:
    """What every lane shares. `port` is keel's; `stop` ends the lanes."""

    def __init__(self, port, recorder, rate_scale, tag):
        self.port = port
        self.rec = recorder
        self.scale = rate_scale
        self.tag = tag  # makes this run's emails unique
        self.stop = threading.Event()
        self.warm_until = 0.0  # time.monotonic() when the warm-up ends
        self.admin = None
        self._serial = itertools.count(1)

    def email(self, what):
        return f"soak-{self.tag}-{what}-{next(self._serial)}@example.com"


# ---- Setup (before the clock starts) ------------------------------------------

class SetupError(Exception):
    pass


def _must(r, want, what):
    if r.status != want:
        raise SetupError(f"{what}: want {want}, got {r.status} {r.body[:200]!r}")
    return r.json()


def login(port, account, rec=None):
    """Logs `account` in (recorded as kind "login" when `rec` is given)."""
    start = time.perf_counter()
    r = httpclient.call(port, "POST", "/api/auth/login",
                        body={"email": account.email, "password": account.password})
    if rec is not None:
        rec.response("login", r, time.perf_counter() - start, (200, 429))
    if r.status == 200:
        body = r.json()
        account.access, account.refresh = body["access_token"], body["refresh_token"]
        account.logged_in_at = time.monotonic()
    return r


def new_account(ctx, what):
    email = ctx.email(what)
    r = httpclient.call(ctx.port, "POST", "/api/users",
                        body={"email": email, "name": f"Soak {what}", "password": PASSWORD})
    user = _must(r, 201, f"sign-up of {email}")
    a = Account(user["id"], email, PASSWORD)
    a.etag = r.header("etag") or ""
    _must(login(ctx.port, a), 200, f"login of {email}")
    return a


def admin_account(ctx, email, password):
    a = Account(0, email, password)
    _must(login(ctx.port, a), 200, f"admin login of {email}")
    me = _must(httpclient.call(ctx.port, "GET", "/api/users/me", [bearer(a.access)]), 200,
               "admin GET /api/users/me")
    a.id = me["id"]
    return a


def fresh(ctx, account):
    """Logs in again when the access token is getting old."""
    if time.monotonic() - account.logged_in_at > TOKEN_MAX_AGE_S:
        login(ctx.port, account, ctx.rec)


# ---- Lane machinery --------------------------------------------------------------

class Pacer:
    """Spaces iterations 1/rate apart (1/(rate * boost) until `boost_until`,
    a time.monotonic() value); after a stall it does not burst to catch
    up."""

    def __init__(self, rate, boost=1.0, boost_until=0.0):
        self.interval = 1.0 / rate
        self.boost, self.boost_until = boost, boost_until
        self.next = time.monotonic()

    def wait(self, stop):
        boosted = time.monotonic() < self.boost_until
        self.next += self.interval / (self.boost if boosted else 1.0)
        delay = self.next - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        elif delay < -1.0:
            self.next = time.monotonic()


class KeepAlive:
    """One keep-alive connection, reopened after it closes or fails."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.conn = None

    def exchange(self, data, head=False):
        if self.conn is None:
            self.conn = Conn(self.ctx.port)
        try:
            r, seconds = self.conn.exchange(data, head)
        except (ConnectionEnded, OSError):
            self.close()
            raise
        if (r.header("connection") or "").lower() == "close":
            self.close()
        return r, seconds

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# The warm-up runs every lane this many times as fast, so that what grows to
# a high-water mark (allocator arenas, buffer pools, free lists) gets there
# before the measured part, which then runs at the normal rate.
WARMUP_BOOST = 3.0


def run_lane(ctx, kind, rate, step, warmup_boost=WARMUP_BOOST):
    """Calls step() `rate` times a second (times the context's scale) until
    stop, `warmup_boost` times as often during the warm-up; a transport
    failure is recorded as an unexpected outcome of `kind`."""
    pacer = Pacer(rate * ctx.scale, warmup_boost, ctx.warm_until)
    while not ctx.stop.is_set():
        try:
            step()
        except ConnectionEnded as e:
            ctx.rec.record(kind, e.how, detail=str(e))
        except OSError as e:
            ctx.rec.record(kind, "error", detail=str(e))
        pacer.wait(ctx.stop)


# ---- The lanes ---------------------------------------------------------------------

def read_lane(ctx, index, account, rate=100):
    conn = KeepAlive(ctx)
    n = itertools.count()

    def step():
        fresh(ctx, account)
        i = next(n)
        auth = [bearer(account.access)]
        me = f"/api/users/{account.id}"
        choice = i % 8
        head = False
        if i % 500 == 499:
            data, want = request("GET", "/healthz", ["Connection: close"]), (200,)
        elif choice == 0:
            data, want = request("GET", me, auth), (200,)
        elif choice == 1:
            data, want = request("GET", "/api/users/me", auth), (200,)
        elif choice == 2:
            data, want = request("GET", "/healthz"), (200,)
        elif choice == 3:
            data, want, head = request("HEAD", me, auth), (200,), True
        elif choice == 4:
            data, want = request("GET", "/plaintext"), (200,)
        elif choice == 5:
            data, want = request("GET", "/json"), (200,)
        elif choice == 6 and account.etag:
            # Nobody else writes this user, so its ETag stays current.
            data, want = request("GET", me, auth + [f"If-None-Match: {account.etag}"]), (304,)
        elif index == 0 and ctx.admin is not None:
            after = random.randint(0, 200)
            data, want = request("GET", f"/api/users?limit=50&after={after}",
                                 [bearer(ctx.admin.access)]), (200,)
        else:
            data, want = request("GET", me, auth), (200,)
        r, seconds = conn.exchange(data, head)
        if choice == 0 and r.status == 200:
            account.etag = r.header("etag") or account.etag
        ctx.rec.response("read", r, seconds, want)

    try:
        run_lane(ctx, "read", rate, step)
    finally:
        conn.close()


def write_lane(ctx, index, accounts, rate=25):
    conn = KeepAlive(ctx)
    n = itertools.count()

    def step():
        i = next(n)
        a = accounts[i % len(accounts)]
        fresh(ctx, a)
        headers = [bearer(a.access), MERGE_PATCH]
        want = (200,)
        if i % 25 == 24:
            headers.append('If-Match: "stale-etag"')
            want = (412,)
        elif i % 10 == 9 and a.etag:
            headers.append(f"If-Match: {a.etag}")
        body = {"name": f"Soak writer {index}.{i}"}
        r, seconds = conn.exchange(request("PATCH", f"/api/users/{a.id}", headers, body))
        if r.status == 200:
            a.etag = r.header("etag") or ""
        ctx.rec.response("write", r, seconds, want)

    try:
        run_lane(ctx, "write", rate, step)
    finally:
        conn.close()


def auth_lane(ctx, accounts, rate=5):
    """Each step: login, refresh twice, logout (a session's whole life)."""
    conn = KeepAlive(ctx)
    n = itertools.count()
    last_wrong = [time.monotonic()]

    def post(kind, path, body, want):
        r, seconds = conn.exchange(request("POST", path, [], body))
        ctx.rec.response(kind, r, seconds, want)
        return r

    def step():
        i = next(n)
        a = accounts[i % len(accounts)]
        # A wrong password every 30 s: fewer than the default 50 failures
        # per address and 15 minutes, so the right ones keep working.
        if time.monotonic() - last_wrong[0] > 30:
            last_wrong[0] = time.monotonic()
            post("login", "/api/auth/login", {"email": a.email, "password": "wrong-password"},
                 (401, 429))
        r = post("login", "/api/auth/login", {"email": a.email, "password": a.password},
                 (200, 429))
        if r.status != 200:
            return
        token = r.json()["refresh_token"]
        used = None
        for _ in range(2):
            r = post("refresh", "/api/auth/refresh", {"refresh_token": token}, (200,))
            if r.status != 200:
                return
            used, token = token, r.json()["refresh_token"]
        if i % 10 == 9:
            # Reuse is theft: 401, and the whole family ends.
            post("refresh", "/api/auth/refresh", {"refresh_token": used}, (401,))
            post("refresh", "/api/auth/refresh", {"refresh_token": token}, (401,))
        post("logout", "/api/auth/logout", {"refresh_token": token}, (204,))

    try:
        run_lane(ctx, "auth", rate, step)
    finally:
        conn.close()


def signup_lane(ctx, rate=2, warmup_boost=8.0):
    """Sign-up, login, GET /me, DELETE: users come and go. Each new user
    brings a new access token, and keel keeps the last tokens it verified in
    a fixed-size cache per worker, which at 2 new tokens a second takes
    about ten minutes to fill: growth that is bounded, but that a 2% limit
    on a heap of 2 MiB would call a leak. So the warm-up runs this lane
    `warmup_boost` times as fast (more than the others), to fill such
    caches before the memory is measured."""
    conn = KeepAlive(ctx)

    def step():
        email = ctx.email("churn")
        r, seconds = conn.exchange(request(
            "POST", "/api/users", [], {"email": email, "name": "Churn", "password": PASSWORD}))
        ctx.rec.response("signup", r, seconds, (201, 429))
        if r.status != 201:
            return
        uid = r.json()["id"]
        r, seconds = conn.exchange(request(
            "POST", "/api/auth/login", [], {"email": email, "password": PASSWORD}))
        ctx.rec.response("login", r, seconds, (200, 429))
        if r.status != 200:
            return
        auth = [bearer(r.json()["access_token"])]
        r, seconds = conn.exchange(request("GET", "/api/users/me", auth))
        ctx.rec.response("read", r, seconds, (200,))
        r, seconds = conn.exchange(request("DELETE", f"/api/users/{uid}", auth))
        ctx.rec.response("delete", r, seconds, (204,))

    try:
        run_lane(ctx, "signup", rate, step, warmup_boost)
    finally:
        conn.close()


def pipeline_lane(ctx, account, rate=10, depth=16):
    conn = [None]
    n = itertools.count()

    def step():
        fresh(ctx, account)
        i = next(n)
        if conn[0] is None or i % 50 == 0:
            if conn[0] is not None:
                conn[0].close()
            conn[0] = Conn(ctx.port)
        c = conn[0]
        shapes = [(request("GET", "/healthz"), False),
                  (request("GET", "/api/users/me", [bearer(account.access)]), False),
                  (request("HEAD", "/plaintext"), True),
                  (request("GET", "/json"), False)]
        batch = [shapes[k % len(shapes)] for k in range(depth)]
        start = time.perf_counter()
        try:
            c.send(b"".join(data for data, _ in batch))
            for _, head in batch:
                r = c.read_response(head)
                ctx.rec.response("pipeline", r, time.perf_counter() - start, (200,))
        except (ConnectionEnded, OSError):
            c.close()
            conn[0] = None
            raise

    try:
        run_lane(ctx, "pipeline", rate, step)
    finally:
        if conn[0] is not None:
            conn[0].close()


def _malformed_cases():
    """(name, bytes): each must be answered with a 4xx."""
    h = b"Host: 127.0.0.1\r\n"
    body = '{"email":"bad@example.com","name":"\udcff","password":"x"}'.encode(
        "utf-8", "surrogateescape")
    return [
        ("garbage request line", b"GARBAGE\r\n\r\n"),
        ("unknown method", b"BREW /healthz HTTP/1.1\r\n" + h + b"\r\n"),
        ("no Host", b"GET /healthz HTTP/1.1\r\n\r\n"),
        ("two Hosts", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("bare LF", b"GET /healthz HTTP/1.1\nHost: x\n\n"),
        ("NUL in a header", b"GET /healthz HTTP/1.1\r\n" + h + b"X-A: a\x00b\r\n\r\n"),
        ("obs-fold", b"GET /healthz HTTP/1.1\r\n" + h + b"X-A: a\r\n b\r\n\r\n"),
        ("space before colon", b"GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n"),
        ("CL and TE", b"POST /api/users HTTP/1.1\r\n" + h +
         b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("two Content-Lengths", b"POST /api/users HTTP/1.1\r\n" + h +
         b"Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"),
        ("bad Content-Length", b"POST /api/users HTTP/1.1\r\n" + h +
         b"Content-Length: 12a\r\n\r\n"),
        ("bad chunk size", b"POST /api/users HTTP/1.1\r\n" + h +
         b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n"),
        ("huge Content-Length", b"POST /api/users HTTP/1.1\r\n" + h +
         b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n"),
        ("long URL", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + h + b"\r\n"),
        ("big header", b"GET /healthz HTTP/1.1\r\n" + h + b"X-Big: " + b"b" * 17000 +
         b"\r\n\r\n"),
        ("control byte in target", b"GET /heal\x01thz HTTP/1.1\r\n" + h + b"\r\n"),
        ("TLS hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("truncated JSON", request("POST", "/api/users", [], '{"email":')),
        ("JSON as text/plain", request("POST", "/api/users", ["Content-Type: text/plain"], "{}")),
        ("invalid UTF-8 name", request("POST", "/api/users",
                                       ["Content-Type: application/json"], body)),
        ("unknown field", request("POST", "/api/users", [], {"zz": 1})),
        ("no such route", request("GET", "/nope")),
        ("wrong method", request("DELETE", "/healthz")),
        ("garbage token", request("GET", "/api/users/me", ["Authorization: Bearer a.b.c"])),
        ("alg none", request("GET", "/api/users/me", [
            "Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."])),
        ("no token", request("GET", "/api/users/me")),
        ("unknown refresh token", request("POST", "/api/auth/refresh", [],
                                          {"refresh_token": "nope"})),
        ("login without password", request("POST", "/api/auth/login", [],
                                           {"email": "x@example.com"})),
    ]


def malformed_lane(ctx, rate=10):
    cases = _malformed_cases()
    n = itertools.count()
    want = tuple(range(400, 500))

    def step():
        name, data = cases[next(n) % len(cases)]
        c = Conn(ctx.port)
        try:
            r, seconds = c.exchange(data)
            ctx.rec.response("malformed", r, seconds, want, detail=name)
        except ConnectionEnded as e:
            ctx.rec.record("malformed", e.how, detail=f"{name}: {e}")
        finally:
            c.close()

    run_lane(ctx, "malformed", rate, step)


def abrupt_lane(ctx, account, rate=10):
    """Connections that end without waiting for (all of) an answer. Each
    counts as "aborted"; what matters is that keel shrugs them off."""
    n = itertools.count()

    def login_req():
        return request("POST", "/api/auth/login", [],
                       {"email": account.email, "password": account.password})

    def patch_req():
        return request("PATCH", f"/api/users/{account.id}",
                       [bearer(account.access), MERGE_PATCH], {"name": "Abrupt"})

    variants = [
        ("connect, close", lambda c: None, False),
        ("connect, reset", lambda c: None, True),
        ("half a header, reset", lambda c: c.send(b"GET /healthz HTTP/1.1\r\nHo"), True),
        ("request, close unread", lambda c: c.send(request("GET", "/plaintext")), False),
        ("32 pipelined, reset", lambda c: c.send(request("GET", "/json") * 32), True),
        ("half a body, close", lambda c: c.send(request(
            "POST", "/api/users", ["Content-Type: application/json", "Content-Length: 500"])
            + b'{"email":"x'), False),
        ("login, reset before the hash ends", lambda c: c.send(login_req()), True),
        ("PATCH, reset before the commit", lambda c: c.send(patch_req()), True),
        ("big list, reset after 100 bytes", lambda c: (
            c.send(request("GET", "/api/users?limit=1000", [bearer(ctx.admin.access)])),
            c.sock.recv(100)), True),
    ]

    def step():
        fresh(ctx, account)
        name, act, reset = variants[next(n) % len(variants)]
        c = Conn(ctx.port)
        try:
            act(c)
        finally:
            c.close(reset=reset)
        ctx.rec.record("abrupt", "aborted", expected=("aborted",), detail=name)

    run_lane(ctx, "abrupt", rate, step)


def slow_lane(ctx, count=8):
    t = slowconn.Trickler(ctx.port, count)
    seen = 0
    try:
        while not ctx.stop.is_set():
            t.open_missing()
            t.step(0.5)
            for e in t.endings[seen:]:
                outcome = e.status if e.how == "response" else e.how
                ctx.rec.record("slow", outcome, e.seconds, (408,))
            seen = len(t.endings)
    finally:
        t.close_all()
