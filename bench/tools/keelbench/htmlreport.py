"""One self-contained HTML page for a Comparison: the tables of the text
report, a bar chart per metric (old beside new, median with a min-max
whisker) and, for load results, latency percentile curves per scenario.

Everything is inline (CSS, SVG); the page has no script and no external
URL, so it opens from a file without a network. Every name from a results
file is escaped. The output is deterministic for a given Comparison.
"""

import html
import math

from . import report, stats
from .compare import Comparison, Table
from .formats import LATENCY_KEYS, LOAD_METRICS

# The display unit of the latency curves: the tables' latency unit.
LATENCY_UNIT = next(m.unit for m in LOAD_METRICS if m.key == "p50")

OLD_COLOR = "#9aa0a6"
NEW_COLORS = {"better": "#1e8e3e", "worse": "#d93025", "": "#1a73e8"}
CHART_WIDTH = 760
CHAR_PX = 7  # rough width of a 12px character, for fitting labels

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #202124; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 2px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 1px solid #888; }
tr.geomean td { border-top: 1px solid #ccc; font-style: italic; }
.worse { color: #d93025; font-weight: bold; }
.better { color: #1e8e3e; }
.warn { color: #b06000; }
svg { display: block; margin: 4px 0 20px; }
svg text { font: 12px system-ui, sans-serif; fill: #202124; }
.curves svg { display: inline-block; margin-right: 16px; }
.small { color: #5f6368; font-size: 12px; }
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def render(comp: Comparison) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           "<title>Keel benchmark comparison</title>", f"<style>{STYLE}</style>",
           "</head>", "<body>", "<h1>Keel benchmark comparison</h1>", "<ul>"]
    for label, res in (("old", comp.old), ("new", comp.new)):
        out.append("<li>" + "<br>".join(esc(s.strip()) for s in report.describe(label, res))
                   + "</li>")
    out.append("</ul>")
    out += _messages(comp)
    for table in comp.tables:
        out += _table_section(table)
    if comp.old.kind == "keel-load":
        out += _latency_section(comp)
    notes = report.footnotes(comp.tables) + [" ".join(report.LEGEND)]
    out += [f'<p class="small">{esc(n)}</p>' for n in notes]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _messages(comp: Comparison) -> list[str]:
    items = []
    for metric, row in comp.regressions():
        items.append(f'<li class="worse">significant regression: {esc(row.name)} '
                     f"{esc(metric.title)} {row.delta_pct:+.2f}% (p={row.p:.3f})</li>")
    if comp.only_old:
        items.append(f"<li>only in old: {esc(', '.join(comp.only_old))}</li>")
    if comp.only_new:
        items.append(f"<li>only in new: {esc(', '.join(comp.only_new))}</li>")
    for label, res in (("old", comp.old), ("new", comp.new)):
        items += [f'<li class="warn">warning ({label}): {esc(w)}</li>' for w in res.warnings]
    items += [f'<li class="warn">note: {esc(n)}</li>' for n in comp.notes]
    return ["<ul>"] + items + ["</ul>"] if items else []


def _table_section(table: Table) -> list[str]:
    metric = table.metric
    out = [f"<h2>{esc(metric.title)} ({esc(report.direction(table))})</h2>"]
    if not metric.in_table:
        out.append('<p class="small">chart only: not in the text report, never gated</p>')
    out += ["<table>", "<thead><tr><th>name</th><th>old</th><th>new</th><th>delta</th>"
            "<th></th><th></th></tr></thead>", "<tbody>"]
    for r in table.rows:
        cls = {"better": "better", "worse": "worse"}.get(r.verdict, "")
        verdict = {"better": "better", "worse": "WORSE"}.get(r.verdict, "")
        cells = [r.name, report.cell(r.old, r.old_median, metric.unit, r.old_median),
                 report.cell(r.new, r.new_median, metric.unit, r.old_median),
                 report.delta_text(r), verdict, report.p_text(r)]
        out.append(f'<tr class="{cls}">' + "".join(f"<td>{esc(c)}</td>" for c in cells)
                   + "</tr>")
    if table.geomean:
        g_old, g_new, d = table.geomean
        cells = ["geomean", report.fmt(g_old, metric.unit),
                 report.fmt(g_new, metric.unit, g_old), f"{d:+.2f}%", "", ""]
        out.append('<tr class="geomean">' + "".join(f"<td>{esc(c)}</td>" for c in cells)
                   + "</tr>")
    out += ["</tbody>", "</table>", bar_chart(table)]
    return out


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:max(1, chars - 1)] + "…"


def bar_chart(table: Table) -> str:
    """Horizontal bars per row: old (grey) above new (coloured by verdict),
    each the median with a whisker from the smallest to the largest sample."""
    unit = table.metric.unit
    label_w = min(300, max(80, CHAR_PX * max(len(r.name) for r in table.rows) + 12))
    x0, plot_w = label_w, CHART_WIDTH - label_w - 90
    top, bar_h, group_h = 28, 12, 40
    height = top + group_h * len(table.rows) + 30
    hi = max(max(r.old + r.new) for r in table.rows) * 1.05 or 1.0
    ticks, shown = axis(unit, hi)
    hi = max(hi, ticks[-1])

    def x(v):
        return x0 + v / hi * plot_w

    parts = [f'<svg width="{CHART_WIDTH}" height="{height}" role="img" '
             f'aria-label="{esc(table.metric.title)}: old and new per benchmark">',
             _legend(x0, 14, [("old", OLD_COLOR), ("new", NEW_COLORS[""]),
                              ("new, better", NEW_COLORS["better"]),
                              ("new, worse", NEW_COLORS["worse"])])]
    for i, r in enumerate(table.rows):
        y = top + i * group_h
        parts.append(f'<text x="{x0 - 6}" y="{y + bar_h + 4}" text-anchor="end">'
                     f"<title>{esc(r.name)}</title>{esc(_fit(r.name, (label_w - 12) // CHAR_PX))}"
                     "</text>")
        for k, (side, values, med) in enumerate((("old", r.old, r.old_median),
                                                 ("new", r.new, r.new_median))):
            color = OLD_COLOR if side == "old" else NEW_COLORS[r.verdict]
            yb = y + k * (bar_h + 4)
            tip = (f"{r.name} {side}: median {report.fmt(med, unit)}, n={len(values)}, "
                   f"min {report.fmt(min(values), unit)}, max {report.fmt(max(values), unit)}")
            parts.append(f'<rect x="{x0}" y="{yb}" width="{x(med) - x0:.1f}" height="{bar_h}" '
                         f'fill="{color}"><title>{esc(tip)}</title></rect>')
            ym = yb + bar_h / 2
            parts.append(f'<line x1="{x(min(values)):.1f}" y1="{ym}" x2="{x(max(values)):.1f}" '
                         f'y2="{ym}" stroke="#202124" stroke-width="1"/>')
            parts.append(f'<text x="{x(max(values)) + 4:.1f}" y="{yb + bar_h - 2}">'
                         f"{esc(report.fmt(med, unit, r.old_median))}</text>")
    axis_y = top + group_h * len(table.rows)
    parts.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x0 + plot_w}" y2="{axis_y}" '
                 'stroke="#888"/>')
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{axis_y}" x2="{x(t):.1f}" y2="{axis_y + 4}" '
                     f'stroke="#888"/><text x="{x(t):.1f}" y="{axis_y + 16}" '
                     f'text-anchor="middle">{esc(tick_label(t, shown))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(x: float, y: float, entries: list[tuple[str, str]]) -> str:
    parts = []
    for label, color in entries:
        parts.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14:.0f}" y="{y}">{esc(label)}</text>')
        x += 24 + CHAR_PX * len(label)
    return "".join(parts)


def axis(unit: str, hi: float) -> tuple[list[float], tuple[float, str]]:
    """Ticks from 0 covering hi, 1, 2 or 5 times a power of ten apart in
    the unit the labels show (5MiB, 10MiB rather than 5000 KiB steps shown
    as 4.88281MiB), and that unit's (divisor, suffix)."""
    shown = report.scale(unit, hi)
    return [t * shown[0] for t in nice_ticks(0.0, hi / shown[0])], shown


def tick_label(value: float, shown: tuple[float, str]) -> str:
    """A short axis label in the unit `shown` (divisor, suffix): "50k/s",
    "5ms", "0"; no padding digits, and no float noise (0.30000000000000004)."""
    if value == 0:
        return "0"
    divisor, suffix = shown
    return f"{round(value / divisor, 9):g}{suffix}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering lo..hi."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    n = int(math.ceil((hi - first) / step - 1e-9))
    return [first + i * step for i in range(n + 1)]


def log_ticks(lo: float, hi: float) -> list[float]:
    """1, 2 and 5 times powers of ten, from the last one at or below lo to the
    first one at or above hi (both positive)."""
    steps = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)) - 1,
                                          math.ceil(math.log10(hi)) + 1) for m in (1, 2, 5)]
    first = max(i for i, s in enumerate(steps) if s <= lo * (1 + 1e-9))
    last = min(i for i, s in enumerate(steps) if s >= hi * (1 - 1e-9))
    return steps[first:last + 1]


def _latency_section(comp: Comparison) -> list[str]:
    charts = []
    for name in [n for n in comp.old.names if n in comp.new.names]:
        curves = {}
        for side, res in (("old", comp.old), ("new", comp.new)):
            points = [(k, stats.median(res.samples[k][name])) for k in LATENCY_KEYS
                      if res.samples.get(k, {}).get(name)]
            if points:
                curves[side] = points
        if len(curves) == 2:
            charts.append(latency_chart(name, curves))
    if not charts:
        return []
    return ["<h2>Latency percentiles (median over repetitions; lower is better)</h2>",
            '<div class="curves">'] + charts + ["</div>"]


def latency_chart(name: str, curves: dict[str, list[tuple[str, float]]]) -> str:
    """Latency (y) against percentile (x: p50 .. max, evenly spaced), old and
    new as two lines. The y axis is logarithmic when the values span more
    than a factor of 10, which the tail usually does. Values are in us and
    show in LATENCY_UNIT, as in the tables; ticks are 1-2-5 steps of it."""
    width, height, left, right, top, bottom = 360, 230, 56, 24, 30, 34
    values = [v for pts in curves.values() for _, v in pts]
    lo, hi = min(values), max(values)
    log = lo > 0 and hi / lo > 10
    shown = report.scale(LATENCY_UNIT, hi)
    if log:
        ticks = [t * shown[0] for t in log_ticks(lo / shown[0], hi / shown[0])]
        lo, hi = ticks[0], ticks[-1]
        f = math.log10
    else:
        ticks, shown = axis(LATENCY_UNIT, hi * 1.05)
        lo, hi = 0.0, ticks[-1]
        f = float
    plot_h, plot_w = height - top - bottom, width - left - right
    span = (f(hi) - f(lo)) or 1.0

    def y(v):
        return top + plot_h - (f(v) - f(lo)) / span * plot_h

    def x(key):
        return left + LATENCY_KEYS.index(key) / (len(LATENCY_KEYS) - 1) * plot_w

    scale_note = ", log scale" if log else ""
    parts = [f'<svg width="{width}" height="{height}" role="img" '
             f'aria-label="latency percentiles of {esc(name)}">',
             f'<text x="{left}" y="14">{esc(name)} — latency{scale_note}</text>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
             f'y2="{top + plot_h}" stroke="#888"/>']
    for t in ticks:
        parts.append(f'<line x1="{left - 4}" y1="{y(t):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(t):.1f}" stroke="#eee"/><text x="{left - 6}" y="{y(t) + 4:.1f}" '
                     f'text-anchor="end">{esc(tick_label(t, shown))}</text>')
    for key in LATENCY_KEYS:
        parts.append(f'<text x="{x(key):.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle">{esc(key)}</text>')
    for side, color, dash in (("old", OLD_COLOR, ' stroke-dasharray="5 3"'),
                              ("new", NEW_COLORS[""], "")):
        pts = curves[side]
        line = " ".join(f"{x(k):.1f},{y(v):.1f}" for k, v in pts)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" '
                     f'stroke-width="2"{dash}/>')
        for k, v in pts:
            tip = f"{side} {k}: {report.fmt(v, LATENCY_UNIT)}"
            parts.append(f'<circle cx="{x(k):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                         f"<title>{esc(tip)}</title></circle>")
    parts.append(_legend(left + plot_w - 110, height - 4, [("old", OLD_COLOR),
                                                          ("new", NEW_COLORS[""])]))
    parts.append("</svg>")
    return "".join(parts)
