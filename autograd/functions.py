"""The functions of `autograd` (`autograd.where(...)`, `autograd.einsum(...)`, ...).

Each checks its arguments, then calls ops of the table (`ops.py`) or composes them. Every
public function defined here is exported by `autograd/__init__.py` (see `__all__` below).
"""
from __future__ import annotations

import numpy as np

from . import ops
from .mode import AxisError, ShapeError
from .value import Value


def _as_values(values, name: str) -> list:
    values = [v if isinstance(v, Value) else Value(v, requires_grad=False) for v in values]
    if not values:
        raise ValueError(f"{name}: needs at least one Value")
    return values


def maximum(a, b) -> Value:
    """Elementwise maximum (numpy.maximum); where a and b tie each gets half the gradient."""
    return ops.maximum(ops.as_value(a, Value(0.0)), b)


def minimum(a, b) -> Value:
    """Elementwise minimum (numpy.minimum); where a and b tie each gets half the gradient."""
    return ops.minimum(ops.as_value(a, Value(0.0)), b)


def concat(values, axis: int = 0) -> Value:
    """Join Values along an existing axis (numpy.concatenate)."""
    values = _as_values(values, "concat")
    axis = ops.as_axis(axis, values[0], "concat")
    if not axis:
        raise ShapeError("concat: cannot join scalars; use stack")
    offsets = tuple(np.cumsum([0] + [v.shape[axis[0]] if v.ndim > axis[0] else 0
                                     for v in values]).tolist())
    return ops.concat_op(len(values))(*values, axis[0], offsets)


def stack(values, axis: int = 0) -> Value:
    """Join Values along a new axis (numpy.stack)."""
    values = _as_values(values, "stack")
    ndim = values[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise AxisError(f"stack: axis {axis} is out of range for the result's {ndim} axes")
    axis %= ndim
    shapes = {v.shape for v in values}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all Values need the same shape, got {sorted(shapes)}")
    shape = values[0].shape
    return concat([v.reshape(shape[:axis] + (1,) + shape[axis:]) for v in values], axis)


def where(condition, a, b) -> Value:
    """Elementwise `a` where `condition` holds, else `b`; differentiable in a and b."""
    condition = np.asarray(ops.data_of(condition), dtype=bool)
    shapes = [np.shape(ops.data_of(x)) for x in (a, b)]
    try:
        np.broadcast_shapes(condition.shape, *shapes)
    except ValueError:
        raise ShapeError(f"where: condition of shape {condition.shape} and values of shapes "
                         f"{shapes[0]} and {shapes[1]} do not broadcast together") from None
    if not isinstance(b, Value):
        a = ops.as_value(a, Value(b, requires_grad=False))  # the result is a Value either way
    return ops.where(a, b, condition)


# ---- comparisons and logic (no gradient) ---------------------------------------------------


# ---- elementwise math ------------------------------------------------------------------------


# ---- reductions and scans ----------------------------------------------------------------------


# ---- shapes and indexing -------------------------------------------------------------------------


# ---- linear algebra ----------------------------------------------------------------------------


__all__ = [name for name, f in list(globals().items())
           if not name.startswith("_") and getattr(f, "__module__", None) == __name__]
