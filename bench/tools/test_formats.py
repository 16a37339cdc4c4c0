"""Unit tests for keelbench.formats: both readers, on the files in testdata/
and on small documents written for one case each."""

import json
import os
import tempfile
import unittest

from keelbench import formats

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def testdata(name):
    return os.path.join(TESTDATA, name)


class TempFiles(unittest.TestCase):
    """Writes documents to a temporary directory removed after each test."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.addCleanup(self._dir.cleanup)

    def write(self, doc, name="r.json"):
        path = os.path.join(self._dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    def load(self, doc):
        return formats.load(self.write(doc))

    def assertFormatError(self, doc, *fragments):
        with self.assertRaises(formats.FormatError) as ctx:
            self.load(doc)
        for fragment in fragments:
            self.assertIn(fragment, str(ctx.exception))


def gb_entry(name, real, unit="ns", **extra):
    entry = {"name": name, "run_name": name, "run_type": "iteration", "iterations": 100,
             "real_time": real, "cpu_time": real, "time_unit": unit}
    entry.update(extra)
    return entry


class GoogleBenchmarkTest(TempFiles):
    def test_reads_the_testdata_repetitions_and_skips_aggregates(self):
        res = formats.load(testdata("micro_old.json"))
        self.assertEqual(res.kind, "gbench")
        self.assertEqual(res.names, ["BM_ParseRequest/64", "BM_RouterMatch",
                                     "BM_JsonSerialize", "BM_DateCache"])
        self.assertEqual(res.samples["real_time"]["BM_ParseRequest/64"],
                         [100.0, 101.0, 102.0, 103.0, 104.0])
        self.assertEqual(len(res.samples["cpu_time"]["BM_RouterMatch"]), 5)
        self.assertEqual(res.warnings, [])
        self.assertEqual(res.info["date"], "2026-11-29T06:10:11+00:00")
        self.assertEqual(res.info["machine"], "bench1, 2 CPUs @ 2450 MHz")

    def test_times_become_nanoseconds(self):
        res = formats.load(testdata("micro_old.json"))
        self.assertAlmostEqual(res.samples["real_time"]["BM_JsonSerialize"][0], 2000.0)
        doc = {"benchmarks": [gb_entry("a", 1.5, "ms"), gb_entry("b", 2, "s"),
                              gb_entry("c", 3, "us"), gb_entry("d", 4)]}
        got = self.load(doc).samples["real_time"]
        self.assertEqual((got["a"], got["b"], got["c"], got["d"]),
                         ([1.5e6], [2e9], [3e3], [4.0]))

    def test_throughput_counters_only_where_present(self):
        res = formats.load(testdata("micro_old.json"))
        self.assertIn("BM_ParseRequest/64", res.samples["bytes_per_second"])
        self.assertNotIn("BM_RouterMatch", res.samples["bytes_per_second"])
        self.assertEqual(len(res.samples["items_per_second"]["BM_RouterMatch"]), 5)

    def test_files_without_run_type_skip_aggregates_by_name(self):
        doc = {"benchmarks": [
            {"name": "BM_a", "iterations": 10, "real_time": 5, "cpu_time": 4, "time_unit": "ns"},
            {"name": "BM_a", "iterations": 10, "real_time": 6, "cpu_time": 5, "time_unit": "ns"},
            {"name": "BM_a_mean", "iterations": 2, "real_time": 99, "cpu_time": 99,
             "time_unit": "ns"},
            {"name": "BM_a_stddev", "iterations": 2, "real_time": 99, "cpu_time": 99,
             "time_unit": "ns"},
        ]}
        res = self.load(doc)
        self.assertEqual(res.names, ["BM_a"])
        self.assertEqual(res.samples["real_time"]["BM_a"], [5.0, 6.0])
        self.assertEqual(res.samples["cpu_time"]["BM_a"], [4.0, 5.0])

    def test_single_repetition(self):
        res = self.load({"context": {}, "benchmarks": [gb_entry("BM_x", 7)]})
        self.assertEqual(res.samples["real_time"], {"BM_x": [7.0]})

    def test_failed_benchmark_is_a_warning(self):
        doc = {"benchmarks": [gb_entry("BM_ok", 1),
                              {"name": "BM_bad", "run_type": "iteration",
                               "error_occurred": True, "error_message": "no socket"}]}
        res = self.load(doc)
        self.assertEqual(res.names, ["BM_ok"])
        self.assertEqual(len(res.warnings), 1)
        self.assertIn("BM_bad", res.warnings[0])
        self.assertIn("no socket", res.warnings[0])

    def test_aggregates_only_use_the_median_as_one_sample(self):
        doc = {"benchmarks": [
            {"name": f"BM_x_{agg}", "run_name": "BM_x", "run_type": "aggregate",
             "aggregate_name": agg, "real_time": value, "cpu_time": value, "time_unit": "ns"}
            for agg, value in (("mean", 10.0), ("median", 9.0), ("stddev", 1.0))]}
        res = self.load(doc)
        self.assertEqual(res.samples["real_time"], {"BM_x": [9.0]})
        self.assertIn("aggregates", res.warnings[0])

    def test_context_warnings(self):
        doc = {"context": {"cpu_scaling_enabled": True, "library_build_type": "debug"},
               "benchmarks": [gb_entry("BM_x", 1)]}
        warnings = " ".join(self.load(doc).warnings)
        self.assertIn("scaling", warnings)
        self.assertIn("debug", warnings)

    def test_errors(self):
        self.assertFormatError({"benchmarks": []}, "no benchmark results")
        self.assertFormatError({"benchmarks": [gb_entry("a", 1, "min")]}, "time_unit")
        self.assertFormatError({"benchmarks": [gb_entry("a", "fast")]}, "real_time", "'fast'")
        self.assertFormatError({"benchmarks": [gb_entry("a", -1)]}, "real_time")
        self.assertFormatError({"benchmarks": [{"name": "a", "real_time": 1}]}, "cpu_time")
        self.assertFormatError({"benchmarks": [3]}, "benchmarks[0]")


def load_doc(scenarios, **top):
    doc = {"kind": "keel-load", "version": 1, "scenarios": scenarios}
    doc.update(top)
    return doc


def rep(rps=1000.0, **extra):
    r = {"requests_per_sec": rps, "latency_us": {"p50": 100, "p90": 200, "p99": 400,
                                                   "p99.9": 800, "max": 1600}}
    r.update(extra)
    return r


class KeelLoadTest(TempFiles):
    def test_reads_the_testdata(self):
        res = formats.load(testdata("load_old.json"))
        self.assertEqual(res.kind, "keel-load")
        self.assertEqual(res.names, ["plaintext/keel", "json/keel", "plaintext/nginx"])
        self.assertEqual(res.samples["requests_per_sec"]["plaintext/keel"],
                         [111529.1, 112640.4, 121427.9, 121068.2, 118134.0])
        self.assertEqual(res.samples["p99"]["json/keel"], [900, 950, 920, 910, 930])
        self.assertEqual(len(res.samples["peak_rss_kb"]["plaintext/nginx"]), 5)
        self.assertEqual(res.info["commit"], "d0ac53d1f00d")
        self.assertEqual(res.info["machine"], "AMD EPYC 7B13, 2 cores, 6.1.0-28-amd64")
        self.assertEqual(res.info["keel options"], "--threads 1 --bench-endpoints")
        self.assertEqual(res.warnings, [])

    def test_null_percentile_is_left_out(self):
        res = formats.load(testdata("load_old.json"))
        self.assertEqual(len(res.samples["p99.9"]["json/keel"]), 4)
        self.assertEqual(len(res.samples["p99"]["json/keel"]), 5)

    def test_errors_and_dirty_tree_are_reported(self):
        res = formats.load(testdata("load_new.json"))
        self.assertEqual(res.info["commit"], "5e1f00ddba11 (dirty)")
        self.assertEqual(len(res.warnings), 1)
        self.assertIn("json/keel: 2 socket errors and 1 non-2xx", res.warnings[0])

    def test_cpu_per_request(self):
        res = self.load(load_doc([{"name": "a", "repetitions": [
            rep(requests=2000, cpu_seconds=0.5),  # 250 us per request
            rep(2000.0, duration_s=2.0, cpu_seconds=1.0),  # 4000 requests: 250 us
            rep(cpu_seconds=1.0),  # no request count: no sample
        ]}]))
        self.assertEqual(res.samples["cpu_us_per_request"]["a/keel"], [250.0, 250.0])

    def test_server_defaults_to_keel_and_pairs_by_name_and_server(self):
        res = self.load(load_doc([{"name": "plaintext", "repetitions": [rep()]},
                                  {"name": "plaintext", "server": "nginx",
                                   "repetitions": [rep()]}]))
        self.assertEqual(res.names, ["plaintext/keel", "plaintext/nginx"])

    def test_error_counts_may_be_wrk_objects(self):
        res = self.load(load_doc([{"name": "a", "repetitions": [
            rep(errors={"connect": 1, "read": 2, "write": 0, "timeout": 3}, non_2xx=4)]}]))
        self.assertIn("6 socket errors and 4 non-2xx", res.warnings[0])

    def test_interrupted_repetitions_are_left_out_with_a_warning(self):
        res = self.load(load_doc([{"name": "a", "repetitions": [
            rep(1000.0), rep(10.0, interrupted=True, interrupted_why="wrk exited with status 1",
                             non_2xx=5),
            rep(1100.0)]}]))
        self.assertEqual(res.samples["requests_per_sec"]["a/keel"], [1000.0, 1100.0])
        self.assertEqual(len(res.samples["p50"]["a/keel"]), 2)
        self.assertEqual(res.warnings, ["a/keel: 1 of 3 repetitions were interrupted and are "
                                        "left out"])

    def test_a_scenario_with_only_interrupted_repetitions_has_no_samples(self):
        res = self.load(load_doc([{"name": "a", "repetitions": [rep()]},
                                  {"name": "b", "repetitions": [rep(interrupted=True)]}]))
        self.assertEqual(res.names, ["a/keel"])
        self.assertIn("b/keel: no complete repetitions", res.warnings)

    def test_optional_fields_may_be_missing(self):
        res = self.load(load_doc([{"name": "a", "repetitions": [{"requests_per_sec": 5}]}]))
        self.assertEqual(res.samples, {"requests_per_sec": {"a/keel": [5.0]}})

    def test_errors(self):
        self.assertFormatError({"kind": "keel-load", "version": 2, "scenarios": []},
                               "version 2")
        self.assertFormatError({"kind": "keel-load", "version": 1}, "scenarios")
        self.assertFormatError(load_doc([]), "no scenarios")
        self.assertFormatError(load_doc([{"repetitions": []}]), "scenarios[0]", "name")
        self.assertFormatError(load_doc([{"name": "a", "repetitions": [{"p50": 1}]}]),
                               "scenarios[0].repetitions[0]", "requests_per_sec")
        self.assertFormatError(
            load_doc([{"name": "a", "repetitions": [rep(), rep(latency_us={"p99": "x"})]}]),
            "scenarios[0].repetitions[1].latency_us.p99")
        self.assertFormatError(load_doc([{"name": "a", "repetitions": [rep(True)]}]),
                               "requests_per_sec")
        self.assertFormatError(load_doc([{"name": "a", "repetitions": [rep()]},
                                         {"name": "a", "repetitions": [rep()]}]),
                               "a/keel appears twice")


class DetectionTest(TempFiles):
    def test_not_json(self):
        self.assertFormatError("{benchmarks: oops", "not valid JSON")

    def test_neither_kind(self):
        self.assertFormatError([1, 2], "neither")
        self.assertFormatError({"kind": "other"}, "neither")

    def test_missing_file(self):
        with self.assertRaises(formats.FormatError) as ctx:
            formats.load(os.path.join(TESTDATA, "does-not-exist.json"))
        self.assertIn("cannot read", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
