"""The soak's pass/fail rules, as pure functions of what was measured.

A run passes when every gated check passes:
  heap        the median RssAnon (keel's anonymous memory: heap, stacks) of
              the last window is at most `limit_pct` above the median of the
              first window after warm-up (a window is a fifth of the
              post-warm-up samples, 3 to 30 of them)
  descriptors keel's open fds once idle after the traffic are no more than
              once idle before it
  5xx         no 5xx answer except 503 with Retry-After (the hash queue's
              designed overload answer)
  answers     every request got an answer its lane expects
  exit        keel lived to the end and exited 0 on SIGTERM (under
              AddressSanitizer that includes LeakSanitizer's check)

VmRSS is reported beside the heap check, not gated: its other part,
RssFile, is mostly the store's memory map, which grows with the data the
store keeps (refresh tokens are remembered after rotation, to catch their
reuse), and that is data, not a leak. A leak shows in RssAnon.
"""

from dataclasses import dataclass
from typing import Optional


@dataclass
class Check:
    name: str
    ok: Optional[bool]  # None: measured, not gated
    detail: str


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of unsorted values; None if
    there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats
    return ordered[min(len(ordered), int(rank)) - 1]


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


def rss_windows(samples, warmup_s, key="rss_kb"):
    """(first-window median, last-window median, window size) of `key` over
    the samples taken at or after warmup_s; None when fewer than 6."""
    post = [s[key] for s in samples if s["t"] >= warmup_s]
    if len(post) < 6:
        return None
    w = max(3, min(30, len(post) // 5))
    return median(post[:w]), median(post[-w:]), w


def _growth(win):
    base, end, _ = win
    return (end - base) / base * 100 if base else 0.0


def judge(samples, warmup_s, limit_pct, rss_gate, fds_before, fds_after, bad_5xx,
          unexpected, exit_detail, exit_ok):
    """The checks, in report order. `bad_5xx` and `unexpected` map
    (kind, outcome) to counts."""
    checks = []
    win = rss_windows(samples, warmup_s, "anon_kb")
    if win is None:
        checks.append(Check("heap", False, "fewer than 6 samples after warm-up"))
    else:
        growth = _growth(win)
        detail = (f"RssAnon {win[0]:.0f} KiB -> {win[1]:.0f} KiB ({growth:+.2f}%, medians of "
                  f"the first and last {win[2]} samples after warm-up; limit +{limit_pct:g}%)")
        if rss_gate:
            checks.append(Check("heap", growth <= limit_pct, detail))
        else:
            checks.append(Check("heap", None, detail + "; not gated: a sanitizer build's "
                                "allocator keeps freed memory in quarantine"))
        total, mapped = rss_windows(samples, warmup_s), rss_windows(samples, warmup_s, "file_kb")
        checks.append(Check("VmRSS", None, (
            f"{total[0] / 1024:.2f} MiB -> {total[1] / 1024:.2f} MiB ({_growth(total):+.2f}%), "
            f"of which RssFile (mostly the store's map) {mapped[0]:.0f} -> {mapped[1]:.0f} KiB; "
            "reported, not gated")))
    if fds_before is None or fds_after is None:
        checks.append(Check("descriptors", False, "keel's fds could not be read when idle"))
    else:
        checks.append(Check("descriptors", fds_after <= fds_before,
                            f"{fds_before} open when idle before the traffic, "
                            f"{fds_after} when idle after it"))
    n5 = sum(bad_5xx.values())
    checks.append(Check("5xx", n5 == 0, "none other than 503 with Retry-After" if n5 == 0 else
                        f"{n5}: " + _top(bad_5xx)))
    nu = sum(unexpected.values())
    checks.append(Check("answers", nu == 0, "every answer was one its request expects"
                        if nu == 0 else f"{nu} unexpected: " + _top(unexpected)))
    checks.append(Check("exit", exit_ok, exit_detail))
    return checks


def _top(counter, n=6):
    items = sorted(counter.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{kind} {outcome} x{count}" for (kind, outcome), count in items)


def passed(checks):
    return all(c.ok is not False for c in checks)
