"""What a running server costs, read from /proc (Linux only).

memory_kb   VmRSS and its parts (RssAnon: heap and stacks, where leaks
            live; RssFile: mapped files, here mostly LMDB's map)
fd_count    open file descriptors
connections the server's TCP connections on its port: sockets in
            /proc/net/tcp{,6} whose local port is the server's, other than
            the listener and TIME_WAIT (which hold no descriptor)
dir_kb      the size of the files in a directory (the store's data dir)
"""

import os

# /proc/net/tcp states (include/net/tcp_states.h), in hex.
_LISTEN = "0A"
_TIME_WAIT = "06"


def memory_kb(pid):
    """{"VmRSS": kB, "RssAnon": kB, "RssFile": kB, "VmHWM": kB}; a field
    the kernel does not report is absent."""
    want = ("VmRSS", "RssAnon", "RssFile", "VmHWM")
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in want:
                out[name] = int(value.split()[0])
    return out


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def connections(port):
    """Server-side TCP connections on `port` (IPv4 and IPv6)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)  # the header line
                for line in f:
                    fields = line.split(None, 4)
                    local, state = fields[1], fields[3]
                    if int(local.rsplit(":", 1)[1], 16) == port and state not in (
                            _LISTEN, _TIME_WAIT):
                        count += 1
        except OSError:
            pass
    return count



def dir_kb(path):
    """The files directly in `path`, in KiB (0 if it cannot be read)."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for e in entries:
                if e.is_file(follow_symlinks=False):
                    total += e.stat(follow_symlinks=False).st_size
    except OSError:
        return 0
    return total // 1024
