"""Benchmarks against the per-cell loop, PyVista and numpy's own copy: ``python -m benchmarks.run``."""
