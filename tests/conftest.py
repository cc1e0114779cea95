"""Options for long runs, which CI leaves off:

    pytest --fuzz-long     # 2000 random graphs per fuzz test (AUTOGRAD_FUZZ_EXAMPLES=2000)
    pytest --long          # the scale tests 5x larger (AUTOGRAD_LONG=1)

Both only set the environment variables that the test files read, so setting those
directly works the same.
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
    parser.addoption("--fuzz-long", action="store_true",
                     help="run the gradient fuzzing with 2000 examples per test")
    parser.addoption("--long", action="store_true",
                     help="run the scale tests 5x larger (5e6-op chain, 50,000 training steps)")


def pytest_configure(config):
    # Runs before the test files are imported, which read these at import time.
    if config.getoption("--fuzz-long"):
        os.environ.setdefault("AUTOGRAD_FUZZ_EXAMPLES", "2000")
    if config.getoption("--long"):
        os.environ["AUTOGRAD_LONG"] = "1"
