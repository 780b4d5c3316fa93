"""Benchmarks: `make bench` runs every `benchmarks/bench_*.py` module's `main()`.

Figures are printed, never asserted: speed belongs in the closing note, not in the test suite.
"""
