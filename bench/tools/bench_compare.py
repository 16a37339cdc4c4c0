#!/usr/bin/env python3
"""tools/bench compare: compares two benchmark results files, like benchstat.

Usage: tools/bench compare OLD NEW [--html FILE] [--fail-on-regression PCT]

OLD and NEW are both Google Benchmark JSON (tools/bench micro) or both keel
load results (tools/bench load). Benchmarks and scenarios pair by name; for
each metric the report shows the old and new medians, the change, and a
two-sided Mann-Whitney U p-value; "~" marks a change that is not
significant at 0.05. bench/README.md explains the output.

Exit status: 0 on success; 1 when --fail-on-regression PCT is given and a
significant regression is worse than PCT percent; 2 on a usage error, an
unreadable or malformed file, or when the files have nothing in common.
"""

import argparse
import math
import signal
import sys

from keelbench import compare, formats, htmlreport, report

PROG = "tools/bench compare"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG, description="Compares two benchmark results files: both Google "
        "Benchmark JSON (tools/bench micro) or both keel load results (tools/bench load).",
        epilog="See bench/README.md for the file formats and how to read the output.")
    parser.add_argument("old", metavar="OLD", help="results file of the baseline")
    parser.add_argument("new", metavar="NEW", help="results file to judge")
    parser.add_argument("--html", metavar="FILE",
                        help="also write a self-contained HTML report with SVG charts")
    parser.add_argument("--fail-on-regression", metavar="PCT", type=percent,
                        help="exit 1 when a significant regression exceeds PCT percent")
    return parser.parse_args(argv)


def percent(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a percentage >= 0, got {text!r}")
    return value


def fail(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def main(argv=None):
    args = parse_args(argv)
    try:
        old, new = formats.load(args.old), formats.load(args.new)
        comp = compare.compare(old, new)
    except (formats.FormatError, compare.KindMismatch) as e:
        return fail(str(e))
    sys.stdout.write(report.render(comp))
    if not comp.tables:
        return fail("nothing to compare: no benchmark or scenario is in both files")
    if args.html:
        try:
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(htmlreport.render(comp))
        except OSError as e:
            return fail(f"cannot write {args.html}: {e.strerror or e}")
        print(f"wrote {args.html}")
    if args.fail_on_regression is None:
        return 0
    worse = comp.regressions(args.fail_on_regression)
    if worse:
        print(f"FAIL: {len(worse)} significant regression(s) worse than "
              f"{args.fail_on_regression:g}%:", file=sys.stderr)
        for metric, row in worse:
            print(f"  {row.name}: {metric.title} {row.delta_pct:+.2f}% (p={row.p:.3f})",
                  file=sys.stderr)
        return 1
    print(f"OK: no significant regression worse than {args.fail_on_regression:g}%",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Piped into head, end quietly as other Unix tools do, not with a traceback;
    # "±" and the footnote marks must not crash an ASCII-only terminal.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.stdout.reconfigure(errors="replace")
    sys.exit(main())
