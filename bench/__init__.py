"""Benchmarks: `python -m bench` runs them all; `python -m bench.core` the core alone."""
