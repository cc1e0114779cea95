"""Run every workload on every system, each case in a fresh process, and print one table.

    python -m benchmarks                  # full run; also writes benchmarks/RESULTS.md
    python -m benchmarks --quick          # tiny sizes, one repeat, checks that all agree
    python -m benchmarks --workloads W3 W4 --systems autograd torch

A system that is not installed is reported as such; a case that fails is reported by the
name of its exception (``RecursionError``), a crash by its exit code.
"""
import argparse
import datetime
import itertools
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not __package__:  # run as `python benchmarks/run.py`: make `benchmarks` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.workloads import WORKLOADS  # noqa: E402
from benchmarks.workloads.spec import Workload  # noqa: E402

OURS = "autograd"
COMPILED = "autograd-compiled"                 # ours through autograd.compile
SYSTEMS = {"autograd": ("autograd",), COMPILED: ("autograd",), "micrograd": ("micrograd",),
           "torch": ("torch",), "numpy": ("numpy",)}  # system -> the modules it imports
REFERENCES = ("numpy", "torch")                # check values are compared with the first
# Set on some machines because old OpenBLAS builds misbehave on new CPUs; they pick a
# slower kernel for a current numpy (and so for us) but not for torch, so the full run
# drops them for its workers. Quick runs and tests keep the environment as it is.
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def installed(system: str, workload: Workload) -> bool:
    """Whether every module the system needs for this workload can be found."""
    modules = SYSTEMS[system] + workload.requires.get(system, ())
    return all(find_spec(m) is not None for m in modules)


def spawn(args: list[str], env: dict | None = None, timeout: float | None = None) -> dict:
    """Run ``python -m benchmarks.worker ARGS`` in a fresh process; return its JSON line."""
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.worker", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "Timeout", "message": f"no result after {timeout} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        return {"error": f"Crashed (exit {proc.returncode})", "message": proc.stderr[-500:]}
    return json.loads(lines[-1])


def collect(workloads: list[Workload], systems: list[str], quick: bool = False,
            repeats: int = 5, min_time: float = 0.2, timeout: float | None = None,
            env: dict | None = None, progress: bool = False) -> list[dict]:
    """One row per (workload, size, system): the worker's result or why there is none.

    Quick runs use each workload's tiny size, one repeat and a 2-minute timeout, and run
    the workers in parallel (their times mean nothing); full runs go one at a time.
    """
    if quick:
        repeats, min_time, timeout = 1, 0.0, 120
    cases = [(w, size, s) for w in workloads for size in ((w.quick_size,) if quick else w.sizes)
             for s in w.systems if s in systems]

    def run_case(case):
        workload, size, system = case
        row = {"workload": workload.name, "size": size, "system": system}
        if installed(system, workload):
            row |= spawn(["--workload", workload.name, "--system", system, "--size", str(size),
                          "--repeats", str(repeats), "--min-time", str(min_time)], env, timeout)
        else:
            row["error"] = "not installed"
        if progress:
            print(format_table([row]).splitlines()[-1], file=sys.stderr, flush=True)
        return row

    if quick:
        with ThreadPoolExecutor(os.cpu_count()) as pool:
            return list(pool.map(run_case, cases))
    return [run_case(case) for case in cases]


def check_agreement(rows: list[dict]) -> list[str]:
    """Problems found: failures of installed systems, and check values that differ
    from the reference system's (numpy, else torch) beyond the workload's tolerance."""
    problems = []
    for (name, size), group in itertools.groupby(rows, lambda r: (r["workload"], r["size"])):
        group, rtol = list(group), WORKLOADS[name].rtol
        problems += [f"{name} {r['system']}: {r['error']}: {r.get('message', '')}"
                     for r in group if r.get("error", "not installed") != "not installed"]
        ran = {r["system"]: r["checks"] for r in group if "checks" in r}
        reference = next((s for s in REFERENCES if s in ran), None)
        for system, checks in ran.items():
            if reference and not all(math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)
                                     for a, b in zip(checks, ran[reference])):
                problems.append(f"{name} size {size}: {system} checks {checks} differ from "
                                f"{reference} {ran[reference]} (rtol {rtol})")
    return problems


def format_seconds(t: float) -> str:
    """Three significant digits in s, ms, µs or ns."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def format_table(rows: list[dict]) -> str:
    """The results as a Markdown table, ours first within each workload and size; each
    system's time is compared with ours, eager and compiled."""
    ours, compiled = ({(r["workload"], r["size"]): r["seconds"]
                       for r in rows if r["system"] == system and "seconds" in r}
                      for system in (OURS, COMPILED))
    lines = ["| workload | size | system | time | ours / system | compiled / system | "
             "peak RSS growth | check |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        workload = WORKLOADS[r["workload"]]
        size = f"{workload.size_name}={r['size']:,}"
        name = f"{r['system']} (ours)" if r["system"] in (OURS, COMPILED) else r["system"]
        if "seconds" not in r:
            lines.append(f"| {r['workload']} | {size} | {name} | {r['error']} | | | | |")
            continue
        per_unit = r["seconds"] / workload.units_per_iter(r["size"])
        ratios = [""] * 2
        for k, (system, times) in enumerate([(OURS, ours), (COMPILED, compiled)]):
            mine = times.get((r["workload"], r["size"]))
            if r["system"] != OURS and r["system"] != system and mine is not None:
                ratios[k] = f"{mine / r['seconds']:.2f}"
        lines.append(f"| {r['workload']} | {size} | {name} | "
                     f"{format_seconds(per_unit)}/{workload.unit} | {' | '.join(ratios)} | "
                     f"{r['peak_rss_mib']:.1f} MiB | {r['checks'][-1]:.10g} |")
    return "\n".join(lines)


NOTES_HEADING = "## Where the time goes"


def kept_notes(path: Path) -> str:
    """The hand-written part of an existing RESULTS.md, from NOTES_HEADING to the end: a
    new run replaces the table but keeps the analysis (update it when the numbers move)."""
    text = path.read_text() if path.exists() else ""
    start = text.find(NOTES_HEADING)
    return text[start:] if start >= 0 else ""


def format_report(table: str, info: dict, args: argparse.Namespace, dropped: dict,
                  notes: str = "") -> str:
    """RESULTS.md: date, machine, peers, the table, how to read it, then `notes`."""
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    env = ", ".join(f"{k}={v}" for k, v in info["env"].items()) or "none"
    dropped = ", ".join(f"{k}={v}" for k, v in dropped.items()) or "none"
    torch_threads = info.get("torch_threads", "torch not installed")
    workloads = "\n".join(f"- **{w.name}** {w.title}. Check: {w.check}."
                          for w in WORKLOADS.values())
    return f"""# Benchmark results

Generated by `{' '.join(['python -m benchmarks', *args.argv])}`, {datetime.date.today()}.
Every case ran in a fresh worker process, one at a time.

## Machine
- CPU: {info['cpu']}, {info['cores']} cores
- Python {info['python']}; numpy {info['versions']['numpy']} with {info['blas']}
- Thread pools seen by numpy: {'; '.join(info['threadpools'])}
- torch intra-op threads: {torch_threads}
- Peers: {versions}; ours: the working tree
- BLAS/OpenMP variables in the workers: {env}; removed for them: {dropped}
- Load average (1 min) before / after the run: {info['load'][0]:.2f} / {info['load'][1]:.2f};
  much above 0 means other work shared the cores and the times are noisy

## Results
{table}

## How to read it
- **time**: median over {args.repeats} repeats after two warm-up iterations; each repeat
  runs enough iterations to last at least {args.min_time} s. One iteration is forward,
  backward and the update where there is one. W2 is per primitive operation (N
  multiplications and N additions, forward and backward).
- **ours / system**: our time divided by that system's; below 1 means ours is faster.
  **compiled / system**: the same for our step compiled with `autograd.compile` (after
  its first call, which traces; the warm-up iterations include it).
- **peak RSS growth**: `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the worker after
  the run minus the same before its first iteration (after imports, data and weights).
  It counts native allocations (numpy, torch) that `tracemalloc` misses; 0 means the run
  stayed below the high-water mark that imports and setup had already reached.
- **check**: the value returned by the 2nd iteration; systems that agree computed the
  same thing. A failing case shows the name of its exception instead of a time.

## Workloads
{workloads}

{notes}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repeat; check that all systems agree")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2,
                        help="seconds one timed repeat lasts at least")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per worker")
    parser.add_argument("--keep-blas-env", action="store_true",
                        help=f"keep {', '.join(BLAS_OVERRIDES)} for the workers")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    workloads = [WORKLOADS[name] for name in args.workloads]

    if args.quick:
        rows = collect(workloads, args.systems, quick=True)
        print(format_table(rows))
        problems = check_agreement(rows)
        print("\n".join(problems) if problems else "All check values agree.")
        return 1 if problems else 0

    keep = args.keep_blas_env
    dropped = {k: os.environ[k] for k in BLAS_OVERRIDES if k in os.environ and not keep}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    info = spawn(["--info"], env)
    load_before = os.getloadavg()[0]
    rows = collect(workloads, args.systems, repeats=args.repeats, min_time=args.min_time,
                   timeout=args.timeout, env=env, progress=True)
    info["load"] = (load_before, os.getloadavg()[0])
    table = format_table(rows)
    print(table)
    notes = kept_notes(args.output)
    args.output.write_text(format_report(table, info, args, dropped, notes).rstrip() + "\n")
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
