"""The text report: one benchstat-like table per metric, then footnotes.

Also the value formatting shared with htmlreport: a row's old and new
values use the same unit, picked from the old median, so they line up.
"""

import math
from typing import Optional

from . import stats
from .compare import Comparison, Row, Table
from .formats import KIND_NAMES

# unit -> [(divisor, suffix)], largest first; values arrive in the base unit
# (ns, us, per second, bytes per second, KiB). A unit with one entry is
# fixed: the load metrics, which `tools/bench load` prints in the same units.
_SCALES = {
    "ns": [(1e9, "s"), (1e6, "ms"), (1e3, "us"), (1.0, "ns")],
    "rate": [(1e9, "G/s"), (1e6, "M/s"), (1e3, "k/s"), (1.0, "/s")],
    "bytes_rate": [(2.0 ** 30, "GiB/s"), (2.0 ** 20, "MiB/s"), (2.0 ** 10, "KiB/s"),
                   (1.0, "B/s")],
    "req_rate": [(1.0, "/s")],  # requests per second
    "latency_ms": [(1e3, "ms")],  # from us
    "cpu_us": [(1.0, "us")],
    "rss_mib": [(2.0 ** 10, "MiB")],  # from KiB
}

LEGEND = [
    "~: no significant difference (two-sided Mann-Whitney U test, p >= 0.05).",
    "p is exact when neither side has ties and each has at most 50 samples, else the",
    "normal approximation with tie and continuity corrections. ± is the largest",
    "distance of a sample from the median. geomean: geometric mean of the medians",
    "of the rows above; it is descriptive, never tested.",
]
FOOTNOTE_SINGLE = ("¹ a side has a single sample: the change is shown, but with no p-value "
                   "it is never called significant.")
FOOTNOTE_FEW = ("² these sample sizes cannot give p < 0.05 whatever the numbers; "
                "run at least 5 repetitions a side.")


def scale(unit: str, reference: float) -> tuple[float, str]:
    """The (divisor, suffix) that shows `reference` with 1 to 3 integer digits."""
    steps = _SCALES.get(unit, [(1.0, "")])
    for divisor, suffix in steps:
        if abs(reference) >= divisor:
            return divisor, suffix
    return steps[-1]


def number(value: float) -> str:
    """About four significant digits, no exponent."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = min(3, max(0, 3 - int(math.floor(math.log10(abs(value))))))
    return f"{value:.{decimals}f}"


def fmt(value: float, unit: str, reference: Optional[float] = None) -> str:
    divisor, suffix = scale(unit, value if reference is None else reference)
    return number(value / divisor) + suffix


def spread(values: list[float]) -> str:
    s = stats.spread_pct(values)
    return f"± {s:.0f}%" if s >= 1 or s < 0.05 else f"± {s:.1f}%"


def cell(values: list[float], median: float, unit: str, reference: float) -> str:
    text = fmt(median, unit, reference)
    return text + " " + spread(values) if len(values) > 1 else text


def delta_text(row: Row) -> str:
    if row.p is not None and not row.significant:
        return "~"
    if row.delta_pct is None:
        return "n/a"
    return f"{row.delta_pct:+.2f}%"


def p_text(row: Row) -> str:
    n = f"n={len(row.old)}+{len(row.new)}"
    if row.p is None:
        return n + " ¹"
    return f"p={row.p:.3f} {n}" + (" ²" if row.underpowered else "")


def direction(table: Table) -> str:
    return "higher is better" if table.metric.higher_is_better else "lower is better"


def table_lines(table: Table) -> list[str]:
    unit = table.metric.unit
    grid = [["name", "old", "new", "delta", "", ""]]
    for r in table.rows:
        grid.append([r.name, cell(r.old, r.old_median, unit, r.old_median),
                     cell(r.new, r.new_median, unit, r.old_median), delta_text(r),
                     {"better": "better", "worse": "WORSE"}.get(r.verdict, ""), p_text(r)])
    if table.geomean:
        g_old, g_new, d = table.geomean
        grid.append(["geomean", fmt(g_old, unit), fmt(g_new, unit, g_old), f"{d:+.2f}%", "", ""])
    widths = [max(len(row[c]) for row in grid) for c in range(6)]
    lines = [f"{table.metric.title} ({direction(table)})"]
    for row in grid:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    if table.geomean_skipped:
        lines.append(f"({table.geomean_skipped} rows with a zero median are not in the geomean)")
    return lines


def describe(label: str, results) -> list[str]:
    """Where the results come from: the file, then what it says about itself."""
    lines = [f"{label}: {results.path} ({KIND_NAMES.get(results.kind, results.kind)})"]
    if results.info:
        lines.append("     " + "; ".join(f"{k} {v}" for k, v in results.info.items()))
    return lines


def footnotes(tables: list[Table]) -> list[str]:
    """The footnotes that the rows of these tables refer to."""
    rows = [r for t in tables for r in t.rows]
    notes = []
    if any(r.p is None for r in rows):
        notes.append(FOOTNOTE_SINGLE)
    if any(r.underpowered for r in rows):
        notes.append(FOOTNOTE_FEW)
    return notes


def render(comp: Comparison) -> str:
    """The whole text report, ending in a newline."""
    lines = describe("old", comp.old) + describe("new", comp.new)
    tables = [t for t in comp.tables if t.metric.in_table]
    for table in tables:
        lines.append("")
        lines += table_lines(table)
    lines.append("")
    if comp.only_old:
        lines.append("only in old: " + ", ".join(comp.only_old))
    if comp.only_new:
        lines.append("only in new: " + ", ".join(comp.only_new))
    for label, res in (("old", comp.old), ("new", comp.new)):
        lines += [f"warning ({label}): {w}" for w in res.warnings]
    lines += [f"note: {n}" for n in comp.notes]
    lines += footnotes(tables)
    lines += LEGEND
    worse = comp.regressions()
    if worse:
        lines.append("")
        lines.append(f"SIGNIFICANT REGRESSIONS: {len(worse)} (marked WORSE above)")
        lines += [f"  {r.name}: {m.title} {r.delta_pct:+.2f}% (p={r.p:.3f})" for m, r in worse]
    return "\n".join(lines) + "\n"
