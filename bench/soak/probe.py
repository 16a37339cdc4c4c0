#!/usr/bin/env python3
"""A paced latency probe: GET PATH on a few keep-alive connections at a
fixed total rate, printing one JSON object with the latency percentiles.

Usage: probe.py PORT SECONDS [--connections 4] [--rate 400] [--path /healthz]

Unlike wrk it does not send as fast as it can, so on a small machine it
leaves the CPU to the server it measures. Each request has a scheduled
time, and its latency runs from that time, not from when it was sent: a
stalled server cannot hide its stall by delaying the next request
(coordinated omission). One thread, epoll; run it as its own process so
nothing else shares its interpreter. Loopback only.
"""

import argparse
import json
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verdict  # noqa: E402


class _Probe:
    __slots__ = ("sock", "due", "sent_for", "buf")

    def __init__(self, sock, due):
        self.sock, self.due, self.sent_for, self.buf = sock, due, None, b""


def _complete(buf):
    """Length of the first whole response in buf (keel always sends
    Content-Length), or 0."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 0
    length = 0
    for line in buf[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return end + 4 + length if len(buf) >= end + 4 + length else 0


def probe(port, seconds, connections, rate, path):
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    interval = connections / rate  # each connection's own spacing
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    probes = []
    for i in range(connections):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        p = _Probe(sock, start + i * interval / connections)
        probes.append(p)
        sel.register(sock, selectors.EVENT_READ, p)
    latencies, errors, statuses = [], 0, {}
    end = start + seconds
    while True:
        now = time.monotonic()
        for p in probes:
            if p.sent_for is None and p.due <= now and p.due < end and p.sock is not None:
                p.sent_for = p.due
                try:
                    p.sock.sendall(request)
                except OSError:
                    errors += 1
                    sel.unregister(p.sock)
                    p.sock.close()
                    p.sock = None
        live = [p for p in probes if p.sock is not None]
        if not live or (now >= end and all(p.sent_for is None for p in live)):
            break
        waits = [p.due - now for p in live if p.sent_for is None and p.due < end]
        timeout = max(0.0, min(waits)) if waits else 0.05
        if now > end + 10:
            errors += sum(1 for p in live if p.sent_for is not None)
            break
        for key, _ in sel.select(min(timeout, 0.05)):
            p = key.data
            try:
                chunk = p.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                errors += 1
                sel.unregister(p.sock)
                p.sock.close()
                p.sock = None
                continue
            p.buf += chunk
            n = _complete(p.buf)
            if n and p.sent_for is not None:
                status = p.buf.split(b" ", 2)[1].decode()
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(time.monotonic() - p.sent_for)
                p.buf = p.buf[n:]
                p.due = p.sent_for + interval
                p.sent_for = None
    for p in probes:
        if p.sock is not None:
            p.sock.close()
    pct = {k: round(verdict.percentile(latencies, q) * 1e6) if latencies else None
           for k, q in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100))}
    return {"requests": len(latencies), "duration_s": seconds, "rate": rate,
            "connections": connections, "errors": errors, "statuses": statuses,
            "latency_us": pct}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("port", type=int)
    p.add_argument("seconds", type=float)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--rate", type=float, default=400.0, help="requests per second in all")
    p.add_argument("--path", default="/healthz")
    a = p.parse_args()
    print(json.dumps(probe(a.port, a.seconds, a.connections, a.rate, a.path)))


if __name__ == "__main__":
    main()
