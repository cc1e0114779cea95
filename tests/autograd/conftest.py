"""Fixtures for the autograd tests; the hypothesis strategies live in agtest.py."""
import sys
from pathlib import Path

import numpy as np
import pytest

# Make `import agtest` work under every pytest import mode (tests/autograd is no package:
# a package here would be named `autograd` and shadow the engine).
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def rng():
    """A seeded numpy Generator: the same numbers on every run."""
    return np.random.default_rng(0)
