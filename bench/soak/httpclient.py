"""A small blocking HTTP/1.1 client over raw sockets (standard library only).

The soak and the slow-client attack need what urllib cannot do: pipelining,
bytes that are not valid HTTP on purpose, one connection kept across
requests, and an exact account of how a connection ended (a response, EOF,
a reset or a timeout). Only what keel sends is understood: every response
carries Content-Length (keel never chunks).

One Conn belongs to one thread at a time.
"""

import json
import socket
import struct
import time

HOST = "127.0.0.1"


class ConnectionEnded(Exception):
    """The peer closed (EOF or reset) or the read timed out; `how` is
    "eof", "reset", "timeout" or "error"."""

    def __init__(self, how, detail=""):
        super().__init__(f"{how}{': ' + detail if detail else ''}")
        self.how = how


class Response:
    __slots__ = ("status", "reason", "headers", "body")

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-cased name -> value (the last one)
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def request(method, path, headers=(), body=None, host=HOST):
    """The bytes of one request. `body` (bytes, str or a JSON-able object)
    gets a Content-Length; a dict or list is sent as application/json
    unless `headers` names a Content-Type."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += list(headers)
    data = b""
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            if not any(h.lower().startswith("content-type:") for h in headers):
                lines.append("Content-Type: application/json")
        else:
            data = body.encode() if isinstance(body, str) else body
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def bearer(token):
    return f"Authorization: Bearer {token}"


class Conn:
    """A client connection to 127.0.0.1:port with a read buffer, so
    pipelined responses that arrive together are split correctly."""

    def __init__(self, port, timeout=10.0, host=HOST):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except socket.timeout as e:
            raise ConnectionEnded("timeout", "send") from e
        except ConnectionResetError as e:
            raise ConnectionEnded("reset", "send") from e
        except OSError as e:
            raise ConnectionEnded("error", f"send: {e}") from e

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as e:
            raise ConnectionEnded("timeout") from e
        except ConnectionResetError as e:
            raise ConnectionEnded("reset") from e
        except OSError as e:
            raise ConnectionEnded("error", str(e)) from e
        if not chunk:
            raise ConnectionEnded("eof")
        self.buf += chunk

    def read_response(self, head=False):
        """One response; `head`: it answers a HEAD, so it has no body."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        head_bytes, self.buf = self.buf[:end], self.buf[end + 4:]
        lines = head_bytes.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ConnectionEnded("error", f"bad status line {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(parts[1])
        length = 0
        if not head and status >= 200 and status not in (204, 304):
            if "transfer-encoding" in headers:
                raise ConnectionEnded("error", "chunked response: not expected from keel")
            length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return Response(status, parts[2] if len(parts) > 2 else "", headers, body)

    def exchange(self, data, head=False):
        """Sends one request and reads its response: (response, seconds)."""
        start = time.perf_counter()
        self.send(data)
        r = self.read_response(head)
        return r, time.perf_counter() - start

    def close(self, reset=False):
        """Closes; `reset`: with SO_LINGER 0, so the peer sees an RST."""
        if self.sock is None:
            return
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
        self.sock = None


def call(port, method, path, headers=(), body=None, timeout=10.0):
    """One request on a fresh connection: the Response."""
    c = Conn(port, timeout)
    try:
        c.send(request(method, path, list(headers) + ["Connection: close"], body))
        return c.read_response(method == "HEAD")
    finally:
        c.close()
