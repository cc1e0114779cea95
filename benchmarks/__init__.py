"""Benchmarks: this project's engine against micrograd, PyTorch and hand-written numpy.

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``) for the full table, which is
also written to ``benchmarks/RESULTS.md``; ``python -m benchmarks --quick`` runs every
workload once at a tiny size and checks that all systems compute the same values.

Layout: ``workloads/`` holds one module per workload (its data and one setup function per
system), ``worker.py`` times one (workload, system, size) case inside a fresh process, and
``run.py`` spawns the workers, checks agreement and formats the table.
"""
