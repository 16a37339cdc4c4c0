"""Readers for the two kinds of results file that tools/bench writes.

  Google Benchmark JSON  (tools/bench micro; --benchmark_format=json)
  keel load results      (tools/bench load; "kind": "keel-load", version 1)

bench/README.md describes both formats. load() returns a Results whose
samples hold one value per repetition, so the comparison never sees which
kind it came from. Nothing here prints; problems that do not stop the
reading (a failed benchmark, wrk errors) become Results.warnings, problems
that do raise FormatError with the file name and the offending field.
"""

import json
import math
from dataclasses import dataclass, field
from typing import Any


KIND_NAMES = {"gbench": "Google Benchmark JSON", "keel-load": "keel load results"}


class FormatError(Exception):
    """The file is unreadable, not JSON, or not one of the two formats."""


@dataclass(frozen=True)
class Metric:
    key: str  # field name in the samples, e.g. "real_time", "p99"
    title: str  # what the table header calls it
    unit: str  # how values format: a key of report's _SCALES
    higher_is_better: bool
    in_table: bool = True  # False: only in the HTML charts, never gated on


@dataclass
class Results:
    kind: str  # "gbench" or "keel-load"
    path: str
    metrics: list[Metric]  # display order
    # samples[metric key][benchmark name] = one value per repetition
    samples: dict[str, dict[str, list[float]]]
    names: list[str]  # benchmark or scenario names in file order
    info: dict[str, str] = field(default_factory=dict)  # shown in headers
    warnings: list[str] = field(default_factory=list)

    def add(self, key: str, name: str, value: float) -> None:
        if name not in self.names:
            self.names.append(name)
        self.samples.setdefault(key, {}).setdefault(name, []).append(value)


GBENCH_METRICS = [
    Metric("real_time", "wall time/op", "ns", False),
    Metric("cpu_time", "CPU time/op", "ns", False),
    Metric("items_per_second", "items/s", "rate", True),
    Metric("bytes_per_second", "bytes/s", "bytes_rate", True),
]

LATENCY_KEYS = ["p50", "p90", "p99", "p99.9", "max"]  # wrk's, in microseconds

# Load metrics show in one fixed unit each, the one `tools/bench load`'s
# summary uses, so a number reads the same in both: requests per second,
# latency in ms, CPU time per request in us, peak RSS in MiB.
LOAD_METRICS = [
    Metric("requests_per_sec", "requests/s", "req_rate", True),
    Metric("p50", "latency p50", "latency_ms", False),
    Metric("p90", "latency p90", "latency_ms", False, in_table=False),
    Metric("p99", "latency p99", "latency_ms", False),
    Metric("p99.9", "latency p99.9", "latency_ms", False, in_table=False),
    Metric("max", "latency max", "latency_ms", False, in_table=False),
    Metric("cpu_us_per_request", "server CPU time/request", "cpu_us", False),
    Metric("peak_rss_kb", "server peak RSS", "rss_mib", False),
    Metric("bytes_per_sec", "bytes/s", "bytes_rate", True, in_table=False),
]

_TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Suffixes of aggregate rows in files from Google Benchmark versions that
# did not yet write run_type.
_AGGREGATE_SUFFIXES = ("_mean", "_median", "_stddev", "_cv", "_BigO", "_RMS")


def load(path: str) -> Results:
    """Reads a results file of either kind. Raises FormatError."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise FormatError(f"{path}: cannot read: {e.strerror or e}") from e
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{path}: not valid JSON: {e}") from e
    if isinstance(doc, dict) and doc.get("kind") == "keel-load":
        return read_load(doc, path)
    if isinstance(doc, dict) and isinstance(doc.get("benchmarks"), list):
        return read_gbench(doc, path)
    raise FormatError(f'{path}: neither Google Benchmark JSON (no "benchmarks" list) '
                      'nor keel load results (no "kind": "keel-load")')


def _number(value: Any, where: str, path: str) -> float:
    """A finite, non-negative JSON number; FormatError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value < 0:
        raise FormatError(f"{path}: {where}: expected a non-negative number, got {value!r}")
    return float(value)


# ---- Google Benchmark -------------------------------------------------------

def read_gbench(doc: dict, path: str) -> Results:
    """Google Benchmark JSON: one sample per "iteration" entry (a
    repetition); aggregate entries (mean, median, stddev, cv, BigO) are
    skipped because they summarise the same runs. Times become ns."""
    res = Results("gbench", path, GBENCH_METRICS, {}, [])
    medians = {}  # name -> its "median" aggregate, for aggregate-only files
    for i, entry in enumerate(doc["benchmarks"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise FormatError(f"{path}: benchmarks[{i}]: expected an object with a name")
        name = entry.get("run_name") or entry["name"]
        if _is_aggregate(entry):
            if entry.get("aggregate_name") == "median":
                medians[name] = entry
            continue
        if entry.get("error_occurred"):
            res.warnings.append(f"{name}: the benchmark failed: "
                                f"{entry.get('error_message', 'no message')}")
            continue
        _add_gbench_entry(res, entry, name, f"benchmarks[{i}]")
    for name, entry in medians.items():
        if name not in res.names:
            res.warnings.append(f"{name}: the file has only aggregates (was "
                                "--benchmark_report_aggregates_only set?); "
                                "using the median as a single sample")
            _add_gbench_entry(res, entry, name, "median aggregate")
    if not res.names:
        raise FormatError(f"{path}: no benchmark results in the file")
    _gbench_info(res, doc.get("context"))
    return res


def _is_aggregate(entry: dict) -> bool:
    if "run_type" in entry:
        return entry["run_type"] == "aggregate"
    return "aggregate_name" in entry or entry["name"].endswith(_AGGREGATE_SUFFIXES)


def _add_gbench_entry(res: Results, entry: dict, name: str, where: str) -> None:
    unit = entry.get("time_unit", "ns")
    if unit not in _TIME_UNIT_NS:
        raise FormatError(f"{res.path}: {where}: unknown time_unit {unit!r}")
    for key in ("real_time", "cpu_time"):
        if key not in entry:
            raise FormatError(f"{res.path}: {where} ({name}): no {key}")
        value = _number(entry[key], f"{where}.{key}", res.path)
        res.add(key, name, value * _TIME_UNIT_NS[unit])
    for key in ("items_per_second", "bytes_per_second"):
        if key in entry:
            res.add(key, name, _number(entry[key], f"{where}.{key}", res.path))


def _gbench_info(res: Results, context: Any) -> None:
    if not isinstance(context, dict):
        return
    if "date" in context:
        res.info["date"] = str(context["date"])
    machine = []
    if "host_name" in context:
        machine.append(str(context["host_name"]))
    if "num_cpus" in context:
        mhz = context.get("mhz_per_cpu")
        machine.append(f"{context['num_cpus']} CPUs" + (f" @ {mhz} MHz" if mhz else ""))
    if machine:
        res.info["machine"] = ", ".join(machine)
    if context.get("cpu_scaling_enabled"):
        res.warnings.append("CPU frequency scaling was enabled: times are noisier")
    if context.get("library_build_type") == "debug":
        res.warnings.append("the Google Benchmark library was a debug build")


# ---- keel load results ------------------------------------------------------

def read_load(doc: dict, path: str) -> Results:
    """keel load results, version 1 (bench/README.md). Scenarios pair by
    name and server, written "name/server"; latency percentiles that are
    null (wrk could not tell) are left out of that metric's samples."""
    if doc.get("version") != 1:
        raise FormatError(f"{path}: keel-load version {doc.get('version')!r} is not "
                          "supported (this tool reads version 1)")
    scenarios = doc.get("scenarios")
    if not isinstance(scenarios, list):
        raise FormatError(f"{path}: scenarios: expected a list")
    res = Results("keel-load", path, LOAD_METRICS, {}, [])
    for i, sc in enumerate(scenarios):
        where = f"scenarios[{i}]"
        if not isinstance(sc, dict) or not isinstance(sc.get("name"), str) or not sc["name"]:
            raise FormatError(f"{path}: {where}: expected an object with a name")
        name = f"{sc['name']}/{sc.get('server', 'keel')}"
        if name in res.names:
            raise FormatError(f"{path}: {where}: scenario {name} appears twice")
        reps = sc.get("repetitions")
        if not isinstance(reps, list):
            raise FormatError(f"{path}: {where}.repetitions: expected a list")
        # A repetition cut short ("interrupted": true, see bench/README.md)
        # stays in the file for the record but is no sample.
        cut = [j for j, rep in enumerate(reps) if isinstance(rep, dict) and rep.get("interrupted")]
        if cut:
            res.warnings.append(f"{name}: {len(cut)} of {len(reps)} repetitions were "
                                "interrupted and are left out")
        if len(cut) == len(reps):
            res.warnings.append(f"{name}: no complete repetitions" if reps
                                else f"{name}: no repetitions")
        bad = [0, 0]  # errors, non-2xx responses over the complete repetitions
        for j, rep in enumerate(reps):
            if j not in cut:
                _add_repetition(res, name, rep, f"{where}.repetitions[{j}]", bad)
        if bad[0] or bad[1]:
            res.warnings.append(f"{name}: {bad[0]:.0f} socket errors and {bad[1]:.0f} "
                                f"non-2xx responses over {len(reps) - len(cut)} repetitions")
    if not res.names:
        raise FormatError(f"{path}: no scenarios in the file")
    _load_info(res, doc)
    return res


def _add_repetition(res: Results, name: str, rep: Any, where: str, bad: list) -> None:
    path = res.path
    if not isinstance(rep, dict):
        raise FormatError(f"{path}: {where}: expected an object")
    if "requests_per_sec" not in rep:
        raise FormatError(f"{path}: {where}: no requests_per_sec")
    rps = _number(rep["requests_per_sec"], f"{where}.requests_per_sec", path)
    res.add("requests_per_sec", name, rps)
    latency = rep.get("latency_us") or {}
    if not isinstance(latency, dict):
        raise FormatError(f"{path}: {where}.latency_us: expected an object")
    for key in LATENCY_KEYS:
        if latency.get(key) is not None:
            res.add(key, name, _number(latency[key], f"{where}.latency_us.{key}", path))
    for key in ("bytes_per_sec", "peak_rss_kb"):
        if rep.get(key) is not None:
            res.add(key, name, _number(rep[key], f"{where}.{key}", path))
    requests = rep.get("requests")
    if requests is None and rep.get("duration_s") is not None:
        requests = rps * _number(rep["duration_s"], f"{where}.duration_s", path)
    if rep.get("cpu_seconds") is not None and requests:
        cpu = _number(rep["cpu_seconds"], f"{where}.cpu_seconds", path)
        requests = _number(requests, f"{where}.requests", path)
        res.add("cpu_us_per_request", name, cpu * 1e6 / requests)
    for k, key in enumerate(("errors", "non_2xx")):
        bad[k] += _count(rep.get(key, 0), f"{where}.{key}", path)


def _count(value: Any, where: str, path: str) -> float:
    """An error count: a number, or an object of numbers (wrk's
    connect/read/write/status/timeout split) that is summed."""
    if isinstance(value, dict):
        return sum(_number(v, f"{where}.{k}", path) for k, v in value.items())
    return 0.0 if value is None else _number(value, where, path)


def _load_info(res: Results, doc: dict) -> None:
    if doc.get("date"):
        res.info["date"] = str(doc["date"])
    git = doc.get("git")
    if isinstance(git, dict) and git.get("commit"):
        res.info["commit"] = str(git["commit"])[:12] + (" (dirty)" if git.get("dirty") else "")
    machine = doc.get("machine")
    if isinstance(machine, dict):
        parts = [str(machine[k]) for k in ("cpu", "kernel") if machine.get(k)]
        if machine.get("cores"):
            parts.insert(1, f"{machine['cores']} cores")
        if parts:
            res.info["machine"] = ", ".join(parts)
    keel = doc.get("keel")
    if isinstance(keel, dict) and isinstance(keel.get("options"), list):
        res.info["keel options"] = " ".join(str(o) for o in keel["options"]) or "(defaults)"
    settings = doc.get("load")
    if isinstance(settings, dict) and settings:
        res.info["load"] = ", ".join(f"{k} {v}" for k, v in settings.items())
