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
# torch.f(x, ...) is x.f(...), on x as a Value (a number or array becomes a constant).
def _value(x) -> Value:
    return ops.as_value(x, Value(0.0))


def eq(input, other) -> Value: return _value(input).eq(other)
def ne(input, other) -> Value: return _value(input).ne(other)
def lt(input, other) -> Value: return _value(input).lt(other)
def le(input, other) -> Value: return _value(input).le(other)
def gt(input, other) -> Value: return _value(input).gt(other)
def ge(input, other) -> Value: return _value(input).ge(other)
def logical_and(input, other) -> Value: return _value(input).logical_and(other)
def logical_or(input, other) -> Value: return _value(input).logical_or(other)
def logical_xor(input, other) -> Value: return _value(input).logical_xor(other)
def logical_not(input) -> Value: return _value(input).logical_not()
def masked_fill(input, mask, value) -> Value: return _value(input).masked_fill(mask, value)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Value:
    """|input - other| <= atol + rtol * |other|, elementwise (torch.isclose)."""
    return _value(input).isclose(other, rtol, atol, equal_nan)


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if isclose holds everywhere (a Python bool, as torch.allclose)."""
    return _value(input).allclose(other, rtol, atol, equal_nan)


def argmax(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """Index of the (first) largest element along dim, or in the flattened data (int64)."""
    return _value(input).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """Index of the (first) smallest element along dim, or in the flattened data (int64)."""
    return _value(input).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


# torch.all and torch.any; named _all and _any here so that this module's code keeps Python's
# all() and any(); autograd/__init__.py exports them as autograd.all and autograd.any.
def _all(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """True where every element along dim (default all) is nonzero (torch.all)."""
    return _value(input).all(dim, keepdim, axis=axis, keepdims=keepdims)


def _any(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """True where some element along dim (default all) is nonzero (torch.any)."""
    return _value(input).any(dim, keepdim, axis=axis, keepdims=keepdims)


# ---- elementwise math ------------------------------------------------------------------------
# torch.f(x) is x.f(): each function is the method of the same name, on x as a Value (a
# number or array becomes a constant). Python's own abs(v), round(v, n) and pow(v, w) work
# on Values; `pow` is here too, as torch.pow.
def _value(x) -> Value:
    return ops.as_value(x, Value(0.0))


def exp(input) -> Value: return _value(input).exp()
def exp2(input) -> Value: return _value(input).exp2()
def expm1(input) -> Value: return _value(input).expm1()
def log(input) -> Value: return _value(input).log()
def log2(input) -> Value: return _value(input).log2()
def log10(input) -> Value: return _value(input).log10()
def log1p(input) -> Value: return _value(input).log1p()
def sqrt(input) -> Value: return _value(input).sqrt()
def rsqrt(input) -> Value: return _value(input).rsqrt()
def square(input) -> Value: return _value(input).square()
def reciprocal(input) -> Value: return _value(input).reciprocal()
def sin(input) -> Value: return _value(input).sin()
def cos(input) -> Value: return _value(input).cos()
def tan(input) -> Value: return _value(input).tan()
def asin(input) -> Value: return _value(input).asin()
def acos(input) -> Value: return _value(input).acos()
def atan(input) -> Value: return _value(input).atan()
def sinh(input) -> Value: return _value(input).sinh()
def cosh(input) -> Value: return _value(input).cosh()
def tanh(input) -> Value: return _value(input).tanh()
def asinh(input) -> Value: return _value(input).asinh()
def acosh(input) -> Value: return _value(input).acosh()
def atanh(input) -> Value: return _value(input).atanh()
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
def erf(input) -> Value: return _value(input).erf()
def sigmoid(input) -> Value: return _value(input).sigmoid()
def relu(input) -> Value: return _value(input).relu()
def sign(input) -> Value: return _value(input).sign()
def floor(input) -> Value: return _value(input).floor()
def ceil(input) -> Value: return _value(input).ceil()
def trunc(input) -> Value: return _value(input).trunc()
def isfinite(input) -> Value: return _value(input).isfinite()
def isinf(input) -> Value: return _value(input).isinf()
def isnan(input) -> Value: return _value(input).isnan()
def logaddexp(input, other) -> Value: return _value(input).logaddexp(other)
def copysign(input, other) -> Value: return _value(input).copysign(other)
def lerp(input, end, weight) -> Value: return _value(input).lerp(end, weight)
def fmod(input, other) -> Value: return _value(input).fmod(other)
def remainder(input, other) -> Value: return _value(input).remainder(other)


def div(input, other, *, rounding_mode: str | None = None) -> Value:
    """input / other, its quotient rounded as `rounding_mode` says (see `Value.div`)."""
    return _value(input).div(other, rounding_mode=rounding_mode)


def pow(input, exponent):
    """input ** exponent (torch.pow): either or both may be Values; broadcasts."""
    return input ** exponent


# ---- reductions and scans ----------------------------------------------------------------------


# ---- shapes and indexing -------------------------------------------------------------------------


# ---- linear algebra ----------------------------------------------------------------------------


__all__ = [name for name, f in list(globals().items())
           if not name.startswith("_") and getattr(f, "__module__", None) == __name__]
