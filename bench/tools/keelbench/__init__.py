"""Reading and comparing Keel benchmark results (standard library only).

Modules:
  stats       median, geometric mean, spread, Mann-Whitney U test
  formats     readers for Google Benchmark JSON and keel load results
  compare     pairs two results files into per-metric tables of rows
  report      the benchstat-like text tables
  htmlreport  one self-contained HTML page with inline SVG charts

bench/tools/bench_compare.py is the command line (tools/bench compare).
"""
