"""The benchmark suite's quick mode: each workload runs once at a tiny size, and the check
values agree with the reference (numpy, else torch). The default run does this for our
engine against numpy; the slow run (`-m slow`, CI) for every installed system. No test
looks at a time; timings on a shared machine are noise."""
import functools
import importlib
import sys
from pathlib import Path

import pytest

# make `benchmarks` importable from a checkout that was not `pip install -e`d
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import run  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402


@functools.cache
def quick_rows(*systems: str) -> tuple[dict, ...]:
    """Quick rows of these systems on every workload, run once for all tests (in parallel)."""
    return tuple(run.collect(list(WORKLOADS.values()), list(systems), quick=True))


def rows_of(name: str, systems) -> list[dict]:
    return [r for r in quick_rows(*systems) if r["workload"] == name]


@pytest.mark.parametrize("name", WORKLOADS)
def test_ours_runs_and_agrees_with_numpy(name):
    """Our engine and hand-written numpy, the one peer that starts fast (the others import
    torch, seconds per process): our check values match numpy's where it has the workload."""
    workload = WORKLOADS[name]
    for module in run.SYSTEMS[run.OURS] + workload.requires.get(run.OURS, ()):
        try:
            importlib.import_module(module)
        except Exception as e:
            pytest.skip(f"{name} on our engine needs `import {module}`, which fails for "
                        f"now ({type(e).__name__}: {e})")
    rows = rows_of(name, (run.OURS, "numpy"))
    ours = next(r for r in rows if r["system"] == run.OURS)
    assert "checks" in ours, f"{ours['error']}: {ours.get('message')}"
    assert run.check_agreement(rows) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", WORKLOADS)
def test_every_system_agrees(name):
    """Every installed system (micrograd, PyTorch, numpy and ours) runs the workload and
    matches the reference (numpy, else torch)."""
    rows = rows_of(name, run.SYSTEMS)
    assert run.check_agreement(rows) == []
    if not any(r["system"] in run.REFERENCES and "checks" in r for r in rows):
        pytest.skip(f"no reference system ({' or '.join(run.REFERENCES)}) is installed")


def test_a_new_report_keeps_the_hand_written_analysis(tmp_path):
    """RESULTS.md's table is regenerated; the section from NOTES_HEADING on is not."""
    path = tmp_path / "RESULTS.md"
    assert run.kept_notes(path) == ""
    notes = f"{run.NOTES_HEADING}\n\nW1 spends 40% in the sweep.\n"
    path.write_text(f"# Benchmark results\n\n| old | table |\n\n{notes}")
    assert run.kept_notes(path) == notes
    path.write_text("# Benchmark results\n\nno analysis yet\n")
    assert run.kept_notes(path) == ""
