"""Slow clients: connections that send their header block one byte at a
time and never finish it (slowloris), handled in one thread with epoll.

A Trickler keeps `count` such connections open. Each sends one byte every
`interval` seconds from a header block that never ends, and each ending is
recorded: the status of the response the server sent (keel: 408 at
--header-timeout), or how the connection broke. With `reopen`, every
connection that ends is replaced, so the attack holds its size.

Only the thread that calls step() and close_all() may use a Trickler.
"""

import collections
import selectors
import socket
import time

from httpclient import HOST

# The bytes sent, one at a time: a request line and Host, then header lines
# forever. Nothing here ends the header block.
_PREFIX = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
_FILLER = b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"


class Ending:
    """How one slow connection ended."""
    __slots__ = ("opened", "ended", "status", "how", "sent")

    def __init__(self, opened, ended, status, how, sent):
        self.opened = opened  # time.monotonic() after connect
        self.ended = ended  # when the response head (or the end) arrived
        self.status = status  # the response's status, or None
        self.how = how  # "response", "eof", "reset", "error", "connect"
        self.sent = sent  # bytes trickled before the end

    @property
    def seconds(self):
        return self.ended - self.opened


class _Slow:
    __slots__ = ("sock", "opened", "sent", "due", "buf")

    def __init__(self, sock, opened, due):
        self.sock = sock
        self.opened = opened
        self.sent = 0
        self.due = due
        self.buf = b""


class Trickler:
    def __init__(self, port, count, interval=1.0, reopen=True, connect_timeout=5.0):
        self.port = port
        self.count = count
        self.interval = interval
        self.reopen = reopen
        self.connect_timeout = connect_timeout
        self.endings = []  # Ending, in the order they happened
        self.opened_total = 0
        self.last_connect_error = ""
        self._sel = selectors.DefaultSelector()
        self._live = {}  # fd -> _Slow
        # Every connection has the same interval, so a FIFO ordered by the
        # next send time replaces a heap.
        self._queue = collections.deque()

    @property
    def live(self):
        return len(self._live)

    def open_missing(self, limit=None):
        """Opens connections until `count` are live (at most `limit` now).
        A failed connect is recorded as an Ending with how="connect"."""
        n = 0
        while len(self._live) < self.count and (limit is None or n < limit):
            n += 1
            now = time.monotonic()
            try:
                sock = socket.create_connection((HOST, self.port), timeout=self.connect_timeout)
            except OSError as e:
                self.endings.append(Ending(now, time.monotonic(), None, "connect", 0))
                self.last_connect_error = str(e)
                continue
            sock.setblocking(False)
            s = _Slow(sock, time.monotonic(), 0.0)
            self._live[sock.fileno()] = s
            self._sel.register(sock, selectors.EVENT_READ, s)
            self.opened_total += 1
            self._send_byte(s, s.opened)

    def _send_byte(self, s, now):
        i = s.sent
        byte = (_PREFIX[i:i + 1] if i < len(_PREFIX)
                else _FILLER[(i - len(_PREFIX)) % len(_FILLER):][:1])
        try:
            if s.sock.send(byte) == 1:
                s.sent += 1
        except BlockingIOError:
            pass  # the peer's window is full: try again next time
        except OSError:
            return  # the read side reports the end
        s.due = now + self.interval
        self._queue.append(s)

    def _end(self, s, status, how):
        fd = s.sock.fileno()
        self._sel.unregister(s.sock)
        del self._live[fd]
        s.sock.close()
        s.sock = None
        self.endings.append(Ending(s.opened, time.monotonic(), status, how, s.sent))

    def _on_readable(self, s):
        try:
            chunk = s.sock.recv(4096)
        except BlockingIOError:
            return
        except ConnectionResetError:
            chunk, how = b"", "reset"
        except OSError:
            chunk, how = b"", "error"
        else:
            how = "eof"
        if chunk:
            s.buf += chunk
            if b"\r\n" not in s.buf:
                return
            line = s.buf.split(b"\r\n", 1)[0].split()
            status = int(line[1]) if len(line) > 1 and line[1].isdigit() else None
            self._end(s, status, "response")
        else:
            self._end(s, None, how)

    def step(self, seconds):
        """Runs the attack for `seconds`: sends due bytes, reads answers and,
        with `reopen`, replaces connections that ended."""
        deadline = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            while self._queue and self._queue[0].due <= now:
                s = self._queue.popleft()
                if s.sock is not None:
                    self._send_byte(s, now)
            if self.reopen:
                self.open_missing(limit=500)  # a bounded batch keeps the reads flowing
            if now >= deadline:
                return
            wait = deadline - now
            if self._queue:
                wait = min(wait, max(0.0, self._queue[0].due - now))
            for key, _ in self._sel.select(wait):
                if key.data.sock is not None:
                    self._on_readable(key.data)

    def finish(self, timeout):
        """Stops replacing connections and keeps trickling until every live
        one has ended or `timeout` seconds have passed; returns how many are
        still open."""
        self.reopen = False
        deadline = time.monotonic() + timeout
        while self._live and time.monotonic() < deadline:
            self.step(min(0.2, max(0.0, deadline - time.monotonic())))
        return len(self._live)

    def close_all(self):
        """Closes every live connection (not recorded as an ending)."""
        for s in list(self._live.values()):
            self._sel.unregister(s.sock)
            s.sock.close()
            s.sock = None
        self._live.clear()
        self._queue.clear()
        self._sel.close()
