"""The README stays true: its examples run as written, and CI runs its test command."""
import doctest
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def quick_start_commands() -> list:
    """The lines of the first code block under '## Quick start'."""
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    return [line for line in block.splitlines()[1:] if line.strip()]


def test_quick_start_is_two_commands_one_demo_one_test():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("python -m demos")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci_lines


@pytest.mark.skipif(shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None,
                    reason="the drawing example renders an SVG with Graphviz's dot (apt-get "
                    "install graphviz) through the graphviz Python package")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_readme_examples_print_what_the_readme_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the drawing example writes neuron.svg
    # Code fences become blank lines, which end each example's expected output.
    text = "\n".join("" if line.startswith("```") else line
                     for line in README.read_text(encoding="utf-8").splitlines())
    examples = doctest.DocTestParser().get_doctest(text, {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(examples)
    assert runner.tries > 20
    assert runner.failures == 0, "README examples differ from what the code prints (see above)"


def test_only_autograd_and_nn_are_installed(monkeypatch):
    """demos and benchmarks run from the clone; generic names stay out of site-packages."""
    pytest.importorskip("setuptools")  # also provides distutils on Python 3.12+
    from distutils.core import run_setup
    monkeypatch.chdir(ROOT)
    dist = run_setup(str(ROOT / "setup.py"), stop_after="init")
    assert {p.split(".")[0] for p in dist.packages} == {"autograd", "nn"}


def test_the_how_it_works_table_lists_every_engine_file_with_its_length():
    section = README.read_text(encoding="utf-8").split("## How it works", 1)[1].split("\n## ")[0]
    listed = {path: int(lines) for path, lines in
              re.findall(r"^\| `(autograd/\w+\.py)` \| (\d+) \|", section, re.M)}
    files = {str(p.relative_to(ROOT)) for p in (ROOT / "autograd").glob("*.py")}
    assert set(listed) == files - {"autograd/__init__.py"}
    for path, lines in listed.items():
        actual = len((ROOT / path).read_text(encoding="utf-8").splitlines())
        assert abs(actual - lines) <= max(15, lines // 10), \
            f"README says {path} has {lines} lines; it has {actual}"
