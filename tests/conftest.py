"""The `slow` marker and the option for even longer runs.

The default run (`python -m pytest -q`) leaves out the tests marked `slow` (pytest.ini);
CI runs them next:

    python -m pytest -q -m slow            # fuzzing with 2,000 graphs per test, the scale
                                           # tests at full size, every benchmark system
    python -m pytest -q -m slow --long     # the full-size scale tests 5x larger (AUTOGRAD_LONG=1)

`--long` only sets the environment variable that tests/test_scale.py reads, so setting
it directly works the same.
"""
import os
import sys
from pathlib import Path

import pytest

# Shared test helpers (drawn.py) import as top-level modules under every import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def torch():
    """PyTorch, for reference values; the test is skipped where it is not installed."""
    return pytest.importorskip("torch")


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true",
                     help="run the full-size scale tests 5x larger (5e6-op chain, 50,000 "
                          "training steps); they are slow tests: add -m slow")


def pytest_configure(config):
    # Runs before the test files are imported, which read it at import time.
    if config.getoption("--long"):
        os.environ["AUTOGRAD_LONG"] = "1"
