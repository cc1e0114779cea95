"""docs/tutorial.ipynb runs from top to bottom, and is stored without outputs.

The notebook asserts each claim it makes, so running it is the test: a cell that raises
fails it, with the cell and its traceback in the message. nbclient runs it in a fresh
kernel of this very Python (`sys.executable`, not whatever "python3" kernel Jupyter has
registered), in docs/ as Jupyter would, with this checkout first on the path.

Drawing the plots into inline PNGs takes half the notebook's time, so the default run draws
them with matplotlib's Agg backend, which makes every plotting call but shows nothing; the
slow test shows them inline as Jupyter does, and without Graphviz's `dot`.
"""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
SKIPPED_DRAWING = "(drawing skipped: Graphviz's `dot` program is not installed)"


def code_cells(nb) -> list:
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


def test_stored_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert len(code_cells(nb)) >= 20
    for i, cell in enumerate(code_cells(nb)):
        assert cell["outputs"] == [] and cell["execution_count"] is None, (
            f"code cell {i} of {NOTEBOOK.name} was stored with its outputs; clear them "
            f"(Jupyter: Edit > Clear Outputs of All Cells, then save; or jupyter nbconvert "
            f"--clear-output --inplace docs/tutorial.ipynb)")


def run_notebook(tmp_path, inline_plots=False, path=None):
    """Execute the notebook in a new kernel; return it with its outputs. `path` replaces the
    kernel's PATH (to hide Graphviz's `dot`)."""
    for name in ("nbclient", "nbformat", "ipykernel"):
        pytest.importorskip(name, reason=f"{name} runs the notebook; install the test extra: "
                                         'pip install -e ".[test,demos]"')
    pytest.importorskip("matplotlib", reason="the notebook plots with matplotlib; install the "
                                             'demos extra: pip install -e ".[test,demos]"')
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    kernels = tmp_path / "kernels"
    (kernels / "this-python").mkdir(parents=True)
    (kernels / "this-python" / "kernel.json").write_text(json.dumps({
        # nocolor: a failing cell's traceback in the test report without terminal colours
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--InteractiveShell.colors=nocolor"],
        "display_name": "this Python", "language": "python"}))
    km = KernelManager(kernel_name="this-python",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    if not inline_plots:
        env["MPLBACKEND"] = "agg"
    if path is not None:
        env["PATH"] = str(path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, km=km, timeout=120, shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute(env=env)
    return nb


def outputs(cell) -> tuple:
    """(printed text, the set of MIME types displayed) of an executed cell."""
    text = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
    shown = {kind for o in cell["outputs"] for kind in o.get("data", {})}
    return text, shown


def test_every_cell_runs_and_every_claim_holds(tmp_path):
    nb = run_notebook(tmp_path)
    cells = code_cells(nb)
    assert all(cell["execution_count"] is not None for cell in cells)
    drawings = sum("image/svg+xml" in outputs(cell)[1] for cell in cells)
    assert drawings == (4 if shutil.which("dot") else 0)


@pytest.mark.slow
def test_plots_inline_and_without_graphviz_the_drawings_are_skipped(tmp_path):
    nb = run_notebook(tmp_path, inline_plots=True, path=tmp_path)  # no `dot` on this PATH
    results = [outputs(cell) for cell in code_cells(nb)]
    assert sum("image/png" in kinds for _, kinds in results) == 9
    assert sum(SKIPPED_DRAWING in text for text, _ in results) == 4
    assert not any("image/svg+xml" in kinds for _, kinds in results)
