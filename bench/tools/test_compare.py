"""End-to-end tests of tools/bench compare: the text report, the exit codes,
the HTML page, and the tools/bench dispatcher, on the files in testdata/."""

import contextlib
import html.parser
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import bench_compare
from keelbench import htmlreport

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "testdata")
BENCH_SCRIPT = os.path.join(HERE, "..", "..", "tools", "bench")
MICRO = [os.path.join(TESTDATA, "micro_old.json"), os.path.join(TESTDATA, "micro_new.json")]
LOAD = [os.path.join(TESTDATA, "load_old.json"), os.path.join(TESTDATA, "load_new.json")]


def run(*args):
    """Runs the CLI in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = bench_compare.main(list(args))
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


def line_of(text, start):
    return next(line for line in text.splitlines() if line.startswith(start))


class StrictHtmlChecker(html.parser.HTMLParser):
    """Collects what would make the page malformed: an end tag that does not
    close the innermost open element, or an element left open."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tags = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def check(self, text):
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"left open: {self.stack}")
        return self.problems


class TempDir(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.addCleanup(self._dir.cleanup)

    def path(self, name):
        return os.path.join(self._dir.name, name)

    def write_json(self, name, doc):
        with open(self.path(name), "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return self.path(name)


class MicroCompareTest(unittest.TestCase):
    def test_table_rows(self):
        code, out, _ = run(*MICRO)
        self.assertEqual(code, 0)
        self.assertIn("wall time/op (lower is better)", out)
        self.assertIn("items/s (higher is better)", out)
        row = line_of(out, "BM_ParseRequest/64")
        for part in ("102.0ns ± 2%", "92.00ns ± 2%", "-9.80%", "better", "p=0.008 n=5+5"):
            self.assertIn(part, row)
        row = line_of(out, "BM_RouterMatch")
        self.assertIn(" ~ ", row)
        self.assertIn("p=1.000 n=5+5", row)
        self.assertIn("WORSE", line_of(out, "BM_JsonSerialize"))
        self.assertIn("geomean", out)
        self.assertIn("only in old: BM_DateCache", out)
        self.assertIn("only in new: BM_ArenaReset", out)
        self.assertIn("SIGNIFICANT REGRESSIONS: 3", out)

    def test_fail_on_regression_threshold(self):
        code, _, err = run(*MICRO, "--fail-on-regression", "5")
        self.assertEqual(code, 1)
        self.assertIn("BM_JsonSerialize: wall time/op +9.90%", err)
        code, _, err = run(*MICRO, "--fail-on-regression", "10")
        self.assertEqual(code, 0)
        self.assertIn("OK", err)

    def test_same_file_has_no_changes(self):
        code, out, _ = run(MICRO[0], MICRO[0], "--fail-on-regression", "0")
        self.assertEqual(code, 0)
        rows = [line for line in out.splitlines() if line.startswith("BM_")]
        self.assertEqual(len(rows), 13)
        for row in rows:
            self.assertIn(" ~ ", row)


class LoadCompareTest(unittest.TestCase):
    def test_table_rows(self):
        code, out, _ = run(*LOAD)
        self.assertEqual(code, 0)
        self.assertIn("requests/s (higher is better)", out)
        self.assertIn("latency p99 (lower is better)", out)
        self.assertIn("server CPU time/request (lower is better)", out)
        rps = out.split("requests/s (higher is better)")[1]
        self.assertIn("+6.67%  better", line_of(rps, "plaintext/keel"))
        p99 = out.split("latency p99 (lower is better)")[1]
        self.assertIn("+21.74%  WORSE", line_of(p99, "json/keel"))
        self.assertIn("only in new: pipeline/keel", out)
        self.assertIn("warning (new): json/keel: 2 socket errors", out)
        self.assertIn("commit 5e1f00ddba11 (dirty)", out)
        self.assertNotIn("latency p99.9 (", out)  # charts only

    def test_fail_on_regression_threshold(self):
        self.assertEqual(run(*LOAD, "--fail-on-regression", "20")[0], 1)
        self.assertEqual(run(*LOAD, "--fail-on-regression", "25")[0], 0)


class SmallSampleTest(TempDir):
    def gbench(self, name, times):
        return self.write_json(name, {"benchmarks": [
            {"name": "BM_x", "run_type": "iteration", "real_time": t, "cpu_time": t,
             "time_unit": "ns"} for t in times]})

    def test_single_repetition_shows_the_change_but_never_fails(self):
        old, new = self.gbench("old.json", [100]), self.gbench("new.json", [150])
        code, out, _ = run(old, new, "--fail-on-regression", "1")
        self.assertEqual(code, 0)
        row = line_of(out, "BM_x")
        self.assertIn("+50.00%", row)
        self.assertIn("n=1+1 ¹", row)
        self.assertNotIn("p=", row)
        self.assertIn("¹ a side has a single sample", out)
        page = self.path("r.html")
        self.assertEqual(run(old, new, "--html", page)[0], 0)
        with open(page, encoding="utf-8") as f:
            self.assertIn("¹ a side has a single sample", f.read())

    def test_three_repetitions_get_the_sample_size_footnote(self):
        old = self.gbench("old.json", [100, 101, 102])
        new = self.gbench("new.json", [150, 151, 152])
        code, out, _ = run(old, new, "--fail-on-regression", "1")
        self.assertEqual(code, 0)
        self.assertIn("~", line_of(out, "BM_x"))
        self.assertIn("p=0.100 n=3+3 ²", line_of(out, "BM_x"))
        self.assertIn("² these sample sizes cannot give p < 0.05", out)


class ErrorTest(TempDir):
    def test_kinds_must_match(self):
        code, _, err = run(MICRO[0], LOAD[1])
        self.assertEqual(code, 2)
        self.assertIn("same kind", err)

    def test_unreadable_and_malformed_files(self):
        code, _, err = run(MICRO[0], self.path("missing.json"))
        self.assertEqual(code, 2)
        self.assertIn("cannot read", err)
        with open(self.path("bad.json"), "w") as f:
            f.write("not json")
        self.assertEqual(run(self.path("bad.json"), MICRO[1])[0], 2)

    def test_nothing_in_common(self):
        other = self.write_json("other.json", {"benchmarks": [
            {"name": "BM_other", "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]})
        code, _, err = run(MICRO[0], other)
        self.assertEqual(code, 2)
        self.assertIn("nothing to compare", err)

    def test_usage_errors(self):
        self.assertEqual(run(MICRO[0])[0], 2)
        self.assertEqual(run(*MICRO, "--fail-on-regression", "-1")[0], 2)
        self.assertEqual(run(*MICRO, "--fail-on-regression", "lots")[0], 2)

    def test_unwritable_html(self):
        code, _, err = run(*MICRO, "--html", self.path("no/such/dir/r.html"))
        self.assertEqual(code, 2)
        self.assertIn("cannot write", err)


class HtmlTest(TempDir):
    def render(self, old, new):
        out = self.path("report.html")
        code, stdout, _ = run(old, new, "--html", out)
        self.assertEqual(code, 0)
        self.assertIn(f"wrote {out}", stdout)
        with open(out, encoding="utf-8") as f:
            return f.read()

    def assertWellFormed(self, page):
        checker = StrictHtmlChecker()
        self.assertEqual(checker.check(page), [])
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        for tag in ("html", "head", "body", "style", "table", "svg", "rect", "text"):
            self.assertIn(tag, checker.tags)
        self.assertNotIn("http://", page)  # opens without a network
        self.assertNotIn("https://", page)
        self.assertNotIn("<script", page)
        return checker

    def test_micro_page(self):
        page = self.render(*MICRO)
        self.assertWellFormed(page)
        self.assertEqual(page.count("<svg"), 4)  # one chart per metric
        self.assertIn("BM_ParseRequest/64", page)
        self.assertIn("significant regression: BM_JsonSerialize", page)

    def test_load_page_has_latency_curves(self):
        page = self.render(*LOAD)
        checker = self.assertWellFormed(page)
        self.assertIn("polyline", checker.tags)
        self.assertIn("Latency percentiles", page)
        for name in ("plaintext/keel", "json/keel", "plaintext/nginx"):
            self.assertIn(f'aria-label="latency percentiles of {name}"', page)
        self.assertIn("latency p99.9", page)  # chart-only metrics are on the page

    def test_axis_ticks_step_1_2_5_in_the_shown_unit(self):
        # Peak RSS near 10,000 KiB: the ticks were 5000 KiB apart and read
        # "4.88281MiB, 9.76562MiB"; now they step in MiB.
        ticks, shown = htmlreport.axis("rss_mib", 10_500.0)
        self.assertEqual([htmlreport.tick_label(t, shown) for t in ticks],
                         ["0", "5MiB", "10MiB", "15MiB"])
        ticks, shown = htmlreport.axis("rate", 160_000.0)
        self.assertEqual([htmlreport.tick_label(t, shown) for t in ticks],
                         ["0", "50k/s", "100k/s", "150k/s", "200k/s"])
        ticks, shown = htmlreport.axis("latency_ms", 900.0)  # us in, ms shown
        self.assertEqual([htmlreport.tick_label(t, shown) for t in ticks],
                         ["0", "0.2ms", "0.4ms", "0.6ms", "0.8ms", "1ms"])

    def test_every_tick_of_the_load_page_is_a_round_step(self):
        page = self.render(*LOAD)
        labels = re.findall(r'text-anchor="(?:middle|end)">([0-9.]+)([a-zA-Z/]*)</text>', page)
        self.assertGreater(len(labels), 20)
        for number, unit in labels:
            # 1, 2 or 5 times a power of ten, or a multiple of such a step:
            # never more than three significant digits.
            self.assertLessEqual(len(number.replace(".", "").strip("0")), 3, number + unit)

    def test_names_are_escaped(self):
        doc = {"benchmarks": [{"name": 'BM_<script>&"', "real_time": t, "cpu_time": t,
                               "time_unit": "ns"} for t in (1, 2, 3)]}
        path = self.write_json("evil.json", doc)
        page = self.render(path, path)
        self.assertWellFormed(page)
        self.assertIn("BM_&lt;script&gt;&amp;&quot;", page)


class DispatcherTest(unittest.TestCase):
    def bench(self, *args):
        return subprocess.run(["bash", BENCH_SCRIPT, *args], capture_output=True, text=True,
                              timeout=60, env=dict(os.environ, PYTHONIOENCODING="utf-8"))

    def test_compare_runs_the_python_tool(self):
        res = self.bench("compare", *MICRO, "--fail-on-regression", "5")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("BM_ParseRequest/64", res.stdout)

    def test_unknown_command_and_no_command(self):
        res = self.bench("frobnicate")
        self.assertEqual(res.returncode, 2)
        self.assertIn("unknown command", res.stderr)
        self.assertEqual(self.bench().returncode, 2)

    def test_help(self):
        res = self.bench("--help")
        self.assertEqual(res.returncode, 0)
        self.assertIn("tools/bench compare OLD NEW", res.stdout)


if __name__ == "__main__":
    sys.exit(unittest.main())
