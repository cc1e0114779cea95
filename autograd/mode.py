"""The bottom of the engine: per-thread switches, anomaly reports, and `unbroadcast`.

Nothing here imports the rest of the engine; everything else may import it.

- `no_grad()` turns graph recording off and `detect_anomaly()` turns NaN/inf checks on, each
  for the current thread only (a `threading.local`), so one thread can train while
  another evaluates.
- Anomaly reports name the line of user code that made the bad op: the innermost frame
  outside the packages listed in `LIBRARY_PACKAGES`. Packages built on the engine add
  their own name (`nn` does), so the report skips their frames too.
- `unbroadcast` is the one place where broadcasting is undone in the backward pass.
- Errors about shapes and axes are catchable the way numpy and PyTorch users catch them:
  `ShapeError` is both a ValueError (numpy's type) and a RuntimeError (PyTorch's), and an
  axis out of range raises numpy's `AxisError` (a ValueError and an IndexError).
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

import numpy as np


AxisError = np.exceptions.AxisError


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit an operation (matmul, reshape, broadcasting, concat, ...)."""


class _Mode(threading.local):
    """Per-thread switches: is the graph being recorded, is anomaly detection on, and the
    tracer of `autograd.compile` while it records a function's first call (else None)."""
    recording = True
    anomaly = False
    tracer = None


state = _Mode()


@contextmanager
def _switched(name: str, value: bool):
    previous = getattr(state, name)
    setattr(state, name, value)
    try:
        yield
    finally:
        setattr(state, name, previous)


def no_grad():
    """Within this block (or decorated function) operations record no graph.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False, y.parents == ()
    """
    return _switched("recording", False)


def enable_grad():
    """Record the graph again inside a `no_grad()` block (as `torch.enable_grad`)."""
    return _switched("recording", True)


def detect_anomaly():
    """Within this block the first op whose output or gradient holds NaN or inf raises
    `FloatingPointError`, naming the op, its input shapes and the line that created it."""
    return _switched("anomaly", True)


def anomaly_paused():
    """Anomaly checks off for a moment: the backward sweep checks a create_graph VJP's
    result as the backward of its op, not each op the VJP is made of."""
    return _switched("anomaly", False)


# ---- anomaly reports ----------------------------------------------------------------------
LIBRARY_PACKAGES = {__name__.partition(".")[0]}
"""Top-level packages whose frames are not the user's line in anomaly reports."""


def user_line() -> str:
    """'file:line in function' of the innermost caller outside LIBRARY_PACKAGES."""
    frame = sys._getframe(1)
    while frame is not None and \
            frame.f_globals.get("__name__", "").partition(".")[0] in LIBRARY_PACKAGES:
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _shapes(node) -> str:
    return ", ".join(str(p.shape) for p in node.parents)


def check_forward(out) -> None:
    """Remember where `out` was made; raise if its data holds NaN or inf."""
    out._trace = user_line()
    if not np.all(np.isfinite(out._data)):
        raise FloatingPointError(f"detect_anomaly: {out.op} gave NaN or inf from inputs of "
                                 f"shape {_shapes(out)}, at {out._trace}")


def check_backward(node, index: int, g) -> None:
    """Raise if the gradient that `node`'s backward gave its input `index` holds NaN or inf."""
    if not np.all(np.isfinite(getattr(g, "_data", g))):
        trace = getattr(node, "_trace", "an unknown line (made outside detect_anomaly)")
        raise FloatingPointError(f"detect_anomaly: the backward of {node.op} (inputs of shape "
                                 f"{_shapes(node)}, created at {trace}) gave NaN or inf for "
                                 f"input {index}")


# ---- broadcasting ---------------------------------------------------------------------------
def unbroadcast(grad, shape: tuple):
    """Sum `grad` over the axes that broadcasting added or stretched, so it has `shape`.

    Works on arrays and on Values (it only calls `.sum` and `.reshape`).
    """
    gshape = grad.shape if type(grad) is not float else ()
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0 or any(n != 1 and n != gshape[lead + i] for i, n in enumerate(shape)):
        # Only a VJP that returns a wrongly shaped gradient can get here.
        raise ShapeError(f"unbroadcast: a gradient of shape {gshape} cannot be reduced to "
                         f"shape {shape}")
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and gshape[lead + i] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)
