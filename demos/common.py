"""What every demo shares: the `--quick/--seed/--out` options, the output folder, checking a
claim, the two-moons data set, and matplotlib without a screen.

Each demo's `main(argv)` returns a dict of its key numbers and raises `ClaimFailed` when
what it set out to show did not happen; `run(main)` turns that into a message and a non-zero
exit code for the command line.
"""
from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

DEMOS_EXTRA = 'pip install -e ".[demos]"'  # from a checkout; installs matplotlib and scikit-learn


class ClaimFailed(Exception):
    """A demo did not show what it claims (its numbers are in the message)."""


class MissingExtra(Exception):
    """A demo needs a package from the demos extra that is not installed."""


def check(condition: bool, message: str) -> None:
    """Raise `ClaimFailed(message)` unless `condition` holds: each demo checks its own claim."""
    if not condition:
        raise ClaimFailed(message)


def parse_args(name: str, doc: str, argv=None, quick_help: str = "small sizes, a few seconds"):
    """The options every demo takes (`argv=None` reads the command line); `--help` shows
    the demo's docstring `doc`."""
    parser = argparse.ArgumentParser(prog=f"python -m {name}", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); "
                        "the same seed gives the same numbers")
    parser.add_argument("--out", type=Path, default=Path("out"),
                        help="folder for the files the demo writes (default: ./out)")
    return parser.parse_args(argv)


def out_dir(args) -> Path:
    """The output folder, created if needed."""
    args.out.mkdir(parents=True, exist_ok=True)
    return args.out


def show_progress() -> bool:
    """Progress bars only when a person is watching (stderr is a terminal)."""
    return sys.stderr.isatty()


def run(main) -> int:
    """Run a demo's `main` from the command line: 0 when its claim holds, 1 otherwise."""
    try:
        main()
    except ClaimFailed as err:
        print(f"\nCLAIM FAILED: {err}", file=sys.stderr)
        return 1
    except MissingExtra as err:
        print(f"\nCannot run this demo: {err}", file=sys.stderr)
        return 1
    return 0


@contextmanager
def timer():
    """`with timer() as t: ...` then `t()` is the elapsed seconds (frozen at the end)."""
    start = time.perf_counter()
    end = None

    def elapsed() -> float:
        return (end if end is not None else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def pyplot():
    """matplotlib.pyplot drawing to files (the Agg backend: no screen needed)."""
    try:
        import matplotlib
    except ImportError:
        raise MissingExtra(f"this demo draws with matplotlib, which is not installed; "
                           f"install the demos extra: {DEMOS_EXTRA}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, path: Path) -> Path:
    """Save a matplotlib figure as a PNG, close it, and say where it went."""
    fig.savefig(path, dpi=120, bbox_inches="tight")
    pyplot().close(fig)
    print(f"  wrote {path}")
    return path


def make_moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X of shape (n, 2) and labels y in {0, 1} of shape (n,).

    Class 0 lies on the upper arc (cos t, sin t), class 1 on the lower arc
    (1 - cos t, 0.5 - sin t), for t in [0, pi]; Gaussian noise of standard deviation
    `noise` is added to every coordinate. No straight line separates them.
    """
    rng = np.random.default_rng(rng)
    n_upper = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t[:n_upper]), np.sin(t[:n_upper])])
    lower = np.column_stack([1.0 - np.cos(t[n_upper:]), 0.5 - np.sin(t[n_upper:])])
    X = np.vstack([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n_upper, int), np.ones(n - n_upper, int)])
    order = rng.permutation(n)
    return X[order], y[order]


def truth_table(inputs: np.ndarray, outputs, header: str = "out") -> str:
    """Rows `x1 x2 | out` for a two-input gate, as text to print."""
    lines = [f"    x1 x2 | {header}", "    ------+" + "-" * (len(header) + 2)]
    lines += [f"     {int(a)}  {int(b)} | {o}" for (a, b), o in zip(inputs, outputs)]
    return "\n".join(lines)
