"""Unit tests of the load runner's bookkeeping (bench/load/run.py): how a
wrk run becomes a repetition and how the summary reads them. No process is
started. Run: python3 -m unittest discover -s bench/load -p 'test_*.py'."""

import os
import sys
import unittest

import run

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from keelbench import formats, report  # noqa: E402  (after the path it needs)


def wrk_json(requests=1000, duration_us=1_000_000, non_2xx=0, socket_errors=0):
    """What json_done.lua writes for one run."""
    return {
        "requests": requests, "duration_us": duration_us,
        "requests_per_sec": requests / (duration_us / 1e6), "bytes": requests * 100,
        "non_2xx": non_2xx,
        "errors": {"connect": 0, "read": socket_errors, "write": 0, "status": non_2xx,
                   "timeout": 0},
        "latency_us": {"min": 10, "mean": 50.0, "stdev": 5.0, "p50": 40, "p90": 60,
                       "p99": 90, "p99.9": 120, "max": 200},
    }


def scenario(name, reps, server="keel"):
    return {"name": name, "server": server, "request": "GET /", "connections": 4,
            "repetitions": reps}


class NonTwoXx(unittest.TestCase):
    def test_repetition_keeps_the_count(self):
        rep = run.repetition(wrk_json(non_2xx=1000), cpu_seconds=0.5, peak_rss_kb=1024)
        self.assertEqual(rep["non_2xx"], 1000)
        self.assertEqual(rep["errors"], 0)  # statuses are not socket errors

    def test_summary_counts_and_warns(self):
        clean = [run.repetition(wrk_json(), 0.5, 1024) for _ in range(2)]
        notfound = [run.repetition(wrk_json(non_2xx=n), 0.5, 1024) for n in (1000, 900)]
        scenarios = [scenario("plaintext", clean), scenario("pipeline", notfound)]
        table = run.summary_table(scenarios).splitlines()
        row = next(line for line in table if line.startswith("pipeline"))
        self.assertIn("1,900", row)
        warnings = run.result_warnings(scenarios)
        self.assertEqual(len(warnings), 1, warnings)
        self.assertTrue(warnings[0].startswith("WARNING: pipeline/keel: 1,900 non-2xx answers"),
                        warnings[0])

    def test_socket_errors_warn_too(self):
        reps = [run.repetition(wrk_json(socket_errors=3), 0.5, 1024)]
        warnings = run.result_warnings([scenario("json", reps, server="nginx")])
        self.assertEqual(len(warnings), 1, warnings)
        self.assertIn("json/nginx: 0 non-2xx answers and 3 socket errors", warnings[0])

    def test_clean_runs_do_not_warn(self):
        reps = [run.repetition(wrk_json(), 0.5, 1024)]
        self.assertEqual(run.result_warnings([scenario("json", reps)]), [])


class Interrupted(unittest.TestCase):
    def test_cut_short(self):
        self.assertIsNone(run.cut_short(0, 10.02, 10))
        self.assertIsNone(run.cut_short(0, 9.6, 10))  # within 5%
        self.assertEqual(run.cut_short(0, 3.25, 10), "wrk ran 3.2 s of the 10 s asked")
        self.assertEqual(run.cut_short(1, 10.0, 10), "wrk exited with status 1")
        self.assertEqual(run.cut_short(-2, 10.0, 10), "wrk exited with status -2")

    def test_interrupted_repetitions_leave_the_statistics(self):
        full = [run.repetition(wrk_json(requests=r), 0.5, 1024) for r in (1000, 3000)]
        cut = run.repetition(wrk_json(requests=10, duration_us=300_000, non_2xx=7), 0.1, 99999)
        cut.update(interrupted=True, interrupted_why="wrk ran 0.3 s of the 1 s asked")
        scenarios = [scenario("json", [full[0], cut, full[1]])]
        row = run.summary_table(scenarios).splitlines()[1].split()
        # req/s is the median of 1000 and 3000 only; peak RSS and the
        # non-2xx count ignore the cut run too.
        self.assertEqual(row[3], "2,000")
        self.assertEqual(row[7], "1.0")
        self.assertEqual(row[8], "0")
        self.assertEqual(run.result_warnings(scenarios), [
            "WARNING: json/keel: 1 of 3 repetitions interrupted (wrk ran 0.3 s of the 1 s "
            "asked); left out of the statistics"])

    def test_all_interrupted_leaves_empty_cells(self):
        cut = run.repetition(wrk_json(), 0.5, 1024)
        cut.update(interrupted=True, interrupted_why="wrk exited with status 1")
        row = run.summary_table([scenario("json", [cut])]).splitlines()[1].split()
        self.assertEqual(row[3:8], ["-", "-", "-", "-", "-"])


class Units(unittest.TestCase):
    """One unit per quantity: the load summary and `tools/bench compare`
    show the same repetition's numbers in the same units."""

    def test_summary_and_compare_agree(self):
        w = wrk_json(requests=250_000, duration_us=10_000_000)
        w["latency_us"].update(p50=574, p99=12_345)
        rep = run.repetition(w, cpu_seconds=1.9, peak_rss_kb=10_240)
        lines = run.summary_table([scenario("plaintext", [rep])]).splitlines()
        header = [h.strip() for h in lines[0].split("  ") if h.strip()]
        row = dict(zip(header, lines[1].split()))
        metrics = {m.key: m for m in formats.LOAD_METRICS}
        cpu_us = rep["cpu_seconds"] * 1e6 / rep["requests"]
        for column, key, value, suffix in (
                ("req/s", "requests_per_sec", rep["requests_per_sec"], "/s"),
                ("p50 ms", "p50", 574, "ms"), ("p99 ms", "p99", 12_345, "ms"),
                ("CPU us/req", "cpu_us_per_request", cpu_us, "us"),
                ("peak RSS MiB", "peak_rss_kb", 10_240, "MiB")):
            unit = metrics[key].unit
            # One fixed unit in compare, whatever the value's size...
            self.assertEqual(report._SCALES[unit], [(report.scale(unit, 1e-9)[0], suffix)],
                             f"{key}: compare shows {unit}")
            shown = report.fmt(value, unit)
            self.assertTrue(shown.endswith(suffix), shown)
            # ...and the same number as the summary, up to each side's rounding.
            compare_value = float(shown[:-len(suffix)])
            self.assertAlmostEqual(float(row[column].replace(",", "")), compare_value,
                                   delta=0.01 * compare_value + 0.01, msg=column)


if __name__ == "__main__":
    unittest.main()
