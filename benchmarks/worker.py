"""Time one (workload, system, size) case in this fresh process; print one JSON line.

    python -m benchmarks.worker --workload W1 --system torch --size 100
    python -m benchmarks.worker --info      # machine, BLAS and peer versions

The case is built first (imports, data, weights), then the peak resident set size is
noted as the baseline. Two warm-up iterations follow; their return values are the check
values. Then ``repeats`` timed repeats of ``number`` iterations each, ``number`` chosen
so that one repeat lasts at least ``min_time`` seconds. The result is the median seconds
per iteration and the growth of the peak RSS (``getrusage``, so native allocations of
numpy and torch count, which ``tracemalloc`` would miss). An exception becomes
``{"error": <its class name>, "message": ...}``.
"""
import argparse
import importlib.metadata
import json
import math
import os
import platform
import resource
import statistics
import time

from benchmarks.workloads import WORKLOADS
from benchmarks.workloads.spec import Step, torch_cpu

PEERS = ("micrograd", "torch", "numpy")


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(step: Step, repeats: int, min_time: float) -> dict:
    """Warm up, time ``step`` and report seconds per iteration, checks and memory."""
    baseline = peak_rss_mib()
    checks = [step()]
    start = time.perf_counter()
    checks.append(step())
    once = time.perf_counter() - start
    number = max(1, math.ceil(min_time / once)) if once > 0 else 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - start) / number)
    return {"seconds": statistics.median(times), "times": times, "number": number,
            "checks": checks, "peak_rss_mib": peak_rss_mib() - baseline}


def machine_info() -> dict:
    """CPU, Python, numpy and its BLAS, thread pools, peer versions, BLAS/OpenMP env."""
    import numpy
    info = {"cores": os.cpu_count(), "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas['name']} {blas.get('version', '')}".strip()
    except (TypeError, KeyError):
        info["blas"] = "unknown"
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [
            f"{p['internal_api']} {p.get('version') or ''} ({p['num_threads']} threads"
            + (f", {p['architecture']} kernel)" if p.get("architecture") else ")")
            for p in threadpool_info()]
    except ImportError:
        info["threadpools"] = ["threadpoolctl not installed"]
    info["versions"] = {}
    for name in PEERS:
        try:
            info["versions"][name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            info["versions"][name] = "not installed"
    if info["versions"]["torch"] != "not installed":
        info["torch_threads"] = torch_cpu().get_num_threads()
    info["env"] = {k: v for k, v in sorted(os.environ.items())
                   if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    return info


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=WORKLOADS)
    parser.add_argument("--system")
    parser.add_argument("--size", type=int)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--info", action="store_true", help="print the machine's details")
    args = parser.parse_args(argv)
    if args.info:
        print(json.dumps(machine_info()))
        return
    try:
        step = WORKLOADS[args.workload].systems[args.system](args.size)
        result = measure(step, args.repeats, args.min_time)
    except Exception as e:  # the benchmark reports any failure by name, e.g. RecursionError
        result = {"error": type(e).__name__, "message": str(e)[:500]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
