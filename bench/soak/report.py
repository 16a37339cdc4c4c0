"""The soak's HTML report: one self-contained page, charts as inline SVG.

It reuses the comparison report's style, escaping, legend and tick helpers
(bench/tools/keelbench/htmlreport.py); what is new here is a chart of
values over time. No script, no external URL: it opens from disk.
"""

import math

from keelbench import htmlreport as hr

WIDTH = 760
COLORS = {
    "2xx": "#1e8e3e", "3xx": "#1a73e8", "4xx": "#b06000", "503 designed": "#9334e6",
    "5xx": "#d93025", "transport error": "#000000", "aborted": "#9aa0a6",
}
STYLE = hr.STYLE + """
.pass { color: #1e8e3e; font-weight: bold; }
.fail { color: #d93025; font-weight: bold; }
.info { color: #5f6368; }
"""


def _ticks_for(lo, hi, log, zero):
    if log:
        return hr.log_ticks(lo, hi)
    if not zero:
        pad = max((hi - lo) * 0.1, abs(hi) * 0.005, 1e-9)
        return hr.nice_ticks(lo - pad, hi + pad)
    return hr.nice_ticks(0.0, hi * 1.05 if hi > 0 else 1.0)


def _label(v):
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def time_chart(title, series, y_label, log=False, zero=True, shade_until=None, hlines=(),
               height=250):
    """Lines of (t seconds, value) points: `series` is [(label, color,
    points)]. `shade_until` greys the warm-up; `hlines` are (value, label)
    reference lines. A log y axis drops values <= 0; `zero`: a linear axis
    starts at 0, else it spans just the values (to show small changes)."""
    left, right, top, bottom = 64, 20, 44, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    xs = [t for _, _, pts in series for t, _ in pts] or [0, 1]
    values = [v for _, _, pts in series for _, v in pts if v is not None and (v > 0 or not log)]
    values += [v for v, _ in hlines]
    t_hi = max(max(xs), 1)
    if not values:
        values = [1.0]
    lo, hi = min(values), max(values)
    if log and lo > 0:
        ticks = _ticks_for(lo, hi, True, zero)
        f = math.log10
    else:
        log = False
        ticks = _ticks_for(lo, hi, False, zero)
        f = float
    y_lo, y_hi = ticks[0], ticks[-1]
    span = (f(y_hi) - f(y_lo)) or 1.0

    def x(t):
        return left + t / t_hi * plot_w

    def y(v):
        return top + plot_h - (f(v) - f(y_lo)) / span * plot_h

    parts = [f'<svg width="{WIDTH}" height="{height}" role="img" aria-label="{hr.esc(title)}">',
             f'<text x="{left}" y="16">{hr.esc(title)}</text>']
    if shade_until:
        parts.append(f'<rect x="{left}" y="{top}" width="{x(shade_until) - left:.1f}" '
                     f'height="{plot_h}" fill="#f1f3f4"><title>warm-up</title></rect>'
                     f'<text x="{left + 4}" y="{top + 12}" class="small">warm-up</text>')
    for t in ticks:
        parts.append(f'<line x1="{left - 4}" y1="{y(t):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(t):.1f}" stroke="#e0e0e0"/><text x="{left - 6}" '
                     f'y="{y(t) + 4:.1f}" text-anchor="end">{hr.esc(_label(t))}</text>')
    for t in hr.nice_ticks(0.0, t_hi, 8):
        if t <= t_hi:
            parts.append(f'<line x1="{x(t):.1f}" y1="{top + plot_h}" x2="{x(t):.1f}" '
                         f'y2="{top + plot_h + 4}" stroke="#888"/><text x="{x(t):.1f}" '
                         f'y="{top + plot_h + 16}" text-anchor="middle">{_label(t)}</text>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>'
                 f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top + plot_h}" stroke="#888"/>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 4}" text-anchor="end">'
                 f'seconds; y: {hr.esc(y_label)}{", log scale" if log else ""}</text>')
    for value, label in hlines:
        parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(value):.1f}" stroke="#d93025" stroke-dasharray="4 3">'
                     f'<title>{hr.esc(label)}</title></line>')
    for label, color, pts in series:
        shown = [(t, v) for t, v in pts if v is not None and (v > 0 or not log)]
        if shown:
            line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in shown)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" '
                         f'stroke-width="1.5"><title>{hr.esc(label)}</title></polyline>')
    parts.append(hr._legend(left, 34, [(label, color) for label, color, _ in series]))
    parts.append("</svg>")
    return "".join(parts)


def _table(head, rows):
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{hr.esc(h)}</th>" for h in head) +
           "</tr></thead>", "<tbody>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{hr.esc(c)}</td>" for c in r) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _ms(v):
    return "-" if v is None else f"{v:.2f}"


def render(s):
    """The page for a soak summary (the dict soak.py writes as JSON)."""
    verdict = "PASSED" if s["passed"] else "FAILED"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>Keel soak: {verdict}</title>", f"<style>{STYLE}</style>", "</head>",
           "<body>", f'<h1>Keel soak: <span class="{"pass" if s["passed"] else "fail"}">'
           f"{verdict}</span></h1>", "<ul>"]
    git = s.get("git") or {}
    machine = s.get("machine") or {}
    facts = [
        f"date {s['date']}; {s['duration_s']} s of traffic, the first {s['warmup_s']} s "
        f"warm-up; rate scale {s['rate_scale']:g}",
        f"keel {s['keel'].get('version') or ''} ({s['keel'].get('build') or 'unknown build'}), "
        f"options: {' '.join(s['keel']['options'])}",
        f"git {git.get('commit') or '?'}{' (dirty)' if git.get('dirty') else ''}; "
        f"{machine.get('cpu') or '?'}, {machine.get('cores')} cores, kernel "
        f"{machine.get('kernel')}",
        f"{s['requests']:,} requests ({s['requests'] / max(s['duration_s'], 1):,.0f}/s); "
        "latencies are measured by the Python client and include its own scheduling",
    ]
    out += [f"<li>{hr.esc(f)}</li>" for f in facts] + ["</ul>", "<h2>Checks</h2>"]
    rows = []
    for c in s["checks"]:
        mark = {True: "pass", False: "FAIL", None: "not gated"}[c["ok"]]
        rows.append((c["name"], mark, c["detail"]))
    out += _table(("check", "result", "detail"), rows)

    samples = s["samples"]
    warm = s["warmup_s"]
    rss = s["rss"]
    hlines = []
    if rss.get("anon_base_kb"):
        base = rss["anon_base_kb"]
        hlines = [(base, "first-window median"),
                  (base * (1 + s["rss_limit_pct"] / 100), f"limit: +{s['rss_limit_pct']:g}%")]
    out.append("<h2>Charts</h2>")
    out.append(time_chart("keel RssAnon (KiB, the heap check; the axis spans only the values)", [
        ("RssAnon", "#1e8e3e", [(p["t"], p.get("anon_kb", 0)) for p in samples]),
    ], "KiB", zero=False, shade_until=warm, hlines=hlines))
    out.append(time_chart("keel memory by kind (MiB)", [
        ("VmRSS", "#1a73e8", [(p["t"], p["rss_kb"] / 1024) for p in samples]),
        ("RssAnon", "#1e8e3e", [(p["t"], p.get("anon_kb", 0) / 1024) for p in samples]),
        ("RssFile", "#9aa0a6", [(p["t"], p.get("file_kb", 0) / 1024) for p in samples]),
        ("store files", "#b06000", [(p["t"], p.get("store_kb", 0) / 1024) for p in samples]),
    ], "MiB", shade_until=warm))
    out.append(time_chart("open descriptors and TCP connections", [
        ("fds", "#1a73e8", [(p["t"], p["fds"]) for p in samples]),
        ("connections", "#b06000", [(p["t"], p["conns"]) for p in samples]),
        ("fds - connections", "#1e8e3e", [(p["t"], p["fds"] - p["conns"]) for p in samples]),
    ], "count", shade_until=warm))
    per = s["per_second"]
    classes = [c for c in COLORS if any(p.get(c) for p in per)]
    out.append(time_chart("answers per second by status class", [
        (c, COLORS[c], [(p["t"], p.get(c, 0)) for p in per]) for c in classes
    ], "per second", shade_until=warm))
    out.append(time_chart("latency of requests without a password hash (ms)", [
        ("p50", "#1e8e3e", [(p["t"], p.get("fast_p50_ms")) for p in per]),
        ("p99", "#b06000", [(p["t"], p.get("fast_p99_ms")) for p in per]),
        ("max", "#d93025", [(p["t"], p.get("fast_max_ms")) for p in per]),
    ], "ms", log=True, shade_until=warm))
    out.append(time_chart("keel CPU (% of one core)", [
        ("CPU", "#1a73e8", [(p["t"], p.get("cpu_pct")) for p in samples]),
    ], "%", shade_until=warm, height=180))

    out.append("<h2>Latency by kind (ms, whole run)</h2>")
    rows = []
    for kind, l in sorted(s["latency"].items()):
        rows.append((kind, f"{l['n']:,}", _ms(l["p50"]), _ms(l["p90"]), _ms(l["p99"]),
                     _ms(l["p99.9"]), _ms(l["max"])))
    out += _table(("kind", "answers", "p50", "p90", "p99", "p99.9", "max"), rows)
    out.append("<h2>Outcomes by kind</h2>")
    rows = [(c["kind"], str(c["outcome"]), f"{c['n']:,}") for c in s["counts"]]
    out += _table(("kind", "status or outcome", "count"), rows)
    if s.get("examples"):
        out.append("<h2>First unexpected answers</h2>")
        out += _table(("kind", "outcome", "detail"),
                      [(e[0], str(e[1]), e[2]) for e in s["examples"]])
    out.append('<p class="small">Memory: RssAnon is heap and stacks, where a leak shows, and '
               "what the heap check compares; RssFile is mapped files, mostly "
               "the store's map; store files is the size of the data dir's files. "
               "Connections are keel's sockets on its port other than the listener and "
               "TIME_WAIT. The latency chart covers the read, write and "
               "pipeline lanes, which never hash a password; every kind is in the table.</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
