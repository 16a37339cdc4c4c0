#!/usr/bin/env python3
"""Measures a server's memory per idle keep-alive connection.

Reads the server's VmRSS (summed over every --pid given, e.g. nginx's
worker), opens --count TCP connections to 127.0.0.1:--port, sends one
complete GET on each and reads its whole response, so every connection has
done real work and is now idle in keep-alive. After --settle seconds it reads
VmRSS again, prints one JSON line with the numbers, and closes everything.

Usage: idle_conns.py --port P --pid PID [--pid PID2] [--count 10000]
                     [--path /plaintext] [--settle 1.0]
Exit status: 0 on success, 1 when a connection fails or a server stops
answering (the message says which connection and why).
"""

import argparse
import json
import resource
import socket
import sys
import time


def vm_rss_kb(pid):
    """The VmRSS of one process, in kB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def total_rss_kb(pids):
    return sum(vm_rss_kb(pid) for pid in pids)


def raise_fd_limit(needed):
    """Raises RLIMIT_NOFILE to the hard limit; fails if that is too low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"idle_conns.py: need {needed} file descriptors, hard limit is {hard}")
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def read_response(sock):
    """Reads one HTTP/1.1 response that carries Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response headers ended")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    if not status_line.startswith(b"HTTP/1.1 2"):
        raise ConnectionError(f"unexpected status: {status_line!r}")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed in the middle of the body")
        body += chunk


def open_idle(port, count, path):
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").encode()
    socks = []
    try:
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(sock)
            try:
                sock.sendall(request)
                read_response(sock)
            except (OSError, ConnectionError, ValueError) as err:
                raise ConnectionError(f"connection {i + 1} of {count}: {err}") from err
    except BaseException:
        close_all(socks)
        raise
    return socks


def close_all(socks):
    for sock in socks:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, action="append", required=True,
                        help="server process whose VmRSS counts (repeatable)")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds to wait before each RSS reading")
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("idle_conns.py: --count must be at least 1")

    raise_fd_limit(args.count + 64)
    time.sleep(args.settle)
    before = total_rss_kb(args.pid)
    start = time.monotonic()
    try:
        socks = open_idle(args.port, args.count, args.path)
    except ConnectionError as err:
        sys.exit(f"idle_conns.py: {err}")
    open_seconds = time.monotonic() - start
    time.sleep(args.settle)
    after = total_rss_kb(args.pid)
    # Every connection must still be open: a server that dropped some would
    # otherwise look cheaper than it is.
    for i, sock in enumerate(socks):
        sock.setblocking(False)
        try:
            if sock.recv(1, socket.MSG_PEEK) == b"":
                sys.exit(f"idle_conns.py: server closed idle connection {i + 1}")
        except BlockingIOError:
            pass
    close_all(socks)
    print(json.dumps({
        "connections": args.count,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "kb_per_connection": round((after - before) / args.count, 3),
        "open_seconds": round(open_seconds, 2),
    }))


if __name__ == "__main__":
    main()
