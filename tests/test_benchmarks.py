"""The benchmark suite's quick mode: each workload runs once at a tiny size on every
installed system, and all systems' check values agree with the reference (numpy, else
torch). No test looks at a time; timings on a shared machine are noise."""
import functools
import importlib
import sys
from pathlib import Path

import pytest

# make `benchmarks` importable from a checkout that was not `pip install -e`d
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import run  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402

PEERS = [s for s in run.SYSTEMS if s != run.OURS]


@functools.cache
def peer_rows() -> tuple[dict, ...]:
    """Quick rows of every peer on every workload, run once for all tests (in parallel)."""
    return tuple(run.collect(list(WORKLOADS.values()), PEERS, quick=True))


def rows_of(name: str) -> list[dict]:
    return [r for r in peer_rows() if r["workload"] == name]


@pytest.mark.parametrize("name", WORKLOADS)
def test_peers_agree(name):
    rows = rows_of(name)
    if not any("checks" in r for r in rows):
        pytest.skip(f"no peer of {name} is installed")
    assert run.check_agreement(rows) == []


@pytest.mark.parametrize("name", WORKLOADS)
def test_ours_agrees(name):
    workload = WORKLOADS[name]
    for module in run.SYSTEMS[run.OURS] + workload.requires.get(run.OURS, ()):
        try:
            importlib.import_module(module)
        except Exception as e:
            pytest.skip(f"{name} on our engine needs `import {module}`, which fails for "
                        f"now ({type(e).__name__}: {e})")
    ours = run.collect([workload], [run.OURS], quick=True)
    assert "checks" in ours[0], f"{ours[0]['error']}: {ours[0].get('message')}"
    if not any(r["system"] in run.REFERENCES and "checks" in r for r in rows_of(name)):
        pytest.skip(f"no reference system ({' or '.join(run.REFERENCES)}) is installed")
    assert run.check_agreement(ours + rows_of(name)) == []


def test_a_new_report_keeps_the_hand_written_analysis(tmp_path):
    """RESULTS.md's table is regenerated; the section from NOTES_HEADING on is not."""
    path = tmp_path / "RESULTS.md"
    assert run.kept_notes(path) == ""
    notes = f"{run.NOTES_HEADING}\n\nW1 spends 40% in the sweep.\n"
    path.write_text(f"# Benchmark results\n\n| old | table |\n\n{notes}")
    assert run.kept_notes(path) == notes
    path.write_text("# Benchmark results\n\nno analysis yet\n")
    assert run.kept_notes(path) == ""
