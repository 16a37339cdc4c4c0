"""Pairs two Results into one table per metric, the way benchstat does.

A row is a benchmark (or load scenario) present in both files with samples
for the metric. Its change is the new median against the old one; it is
significant when both sides have at least two samples and the two-sided
Mann-Whitney U p-value is below stats.ALPHA. A regression is a significant
change in the worse direction of the metric. The geometric-mean row is
descriptive only: it is never tested and never gates.
"""

from dataclasses import dataclass, field
from typing import Optional

from . import stats
from .formats import KIND_NAMES, Metric, Results


@dataclass
class Row:
    name: str
    old: list[float]
    new: list[float]
    old_median: float
    new_median: float
    delta_pct: Optional[float]  # None when the old median is 0
    p: Optional[float] = None  # None when a side has a single sample
    method: str = ""  # "exact" / "asymptotic" when p is set
    significant: bool = False
    verdict: str = ""  # "better", "worse" or "" (not significant / no change)
    underpowered: bool = False  # too few samples for any p below ALPHA


@dataclass
class Table:
    metric: Metric
    rows: list[Row]
    geomean: Optional[tuple[float, float, float]] = None  # old, new, delta %
    geomean_skipped: int = 0  # rows left out of the geomean (a median <= 0)


@dataclass
class Comparison:
    old: Results
    new: Results
    tables: list[Table]  # every metric with at least one row, tables first
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # mismatched machines etc.

    def regressions(self, threshold_pct: float = 0.0) -> list[tuple[Metric, Row]]:
        """Significant regressions in table metrics worse than threshold_pct."""
        found = []
        for table in self.tables:
            if not table.metric.in_table:
                continue
            for row in table.rows:
                if row.verdict == "worse" and row.delta_pct is not None \
                        and abs(row.delta_pct) > threshold_pct:
                    found.append((table.metric, row))
        return found


class KindMismatch(ValueError):
    """The two files are of different kinds."""


def compare(old: Results, new: Results) -> Comparison:
    """Builds the tables. Raises KindMismatch when the files differ in kind."""
    if old.kind != new.kind:
        raise KindMismatch(f"{old.path} is {KIND_NAMES[old.kind]} but {new.path} is "
                           f"{KIND_NAMES[new.kind]}; compare two files of the same kind")
    both = [n for n in old.names if n in new.names]
    result = Comparison(old, new, [],
                        only_old=[n for n in old.names if n not in new.names],
                        only_new=[n for n in new.names if n not in old.names])
    for metric in old.metrics:
        rows = []
        for name in both:
            a = old.samples.get(metric.key, {}).get(name)
            b = new.samples.get(metric.key, {}).get(name)
            if a and b:
                rows.append(make_row(name, a, b, metric.higher_is_better))
        if rows:
            result.tables.append(_table(metric, rows))
    result.tables.sort(key=lambda t: not t.metric.in_table)  # stable: keeps order
    for key in ("machine", "keel options", "load"):
        a, b = old.info.get(key), new.info.get(key)
        if a and b and a != b:
            result.notes.append(f"{key} differs: old {a}; new {b}")
    return result


def make_row(name: str, old: list[float], new: list[float], higher_is_better: bool) -> Row:
    a, b = stats.median(old), stats.median(new)
    delta = (b - a) / a * 100 if a != 0 else None
    row = Row(name, list(old), list(new), a, b, delta)
    if len(old) < 2 or len(new) < 2:
        return row
    test = stats.mann_whitney_u(old, new)
    row.p, row.method = test.p, test.method
    row.significant = test.p < stats.ALPHA
    row.underpowered = (not row.significant
                        and stats.min_p_value(len(old), len(new)) >= stats.ALPHA)
    if row.significant and b != a:
        row.verdict = "better" if (b > a) == higher_is_better else "worse"
    return row


def _table(metric: Metric, rows: list[Row]) -> Table:
    table = Table(metric, rows)
    usable = [r for r in rows if r.old_median > 0 and r.new_median > 0]
    table.geomean_skipped = len(rows) - len(usable)
    if len(usable) >= 2:
        g_old = stats.geomean([r.old_median for r in usable])
        g_new = stats.geomean([r.new_median for r in usable])
        table.geomean = (g_old, g_new, (g_new - g_old) / g_old * 100)
    return table
