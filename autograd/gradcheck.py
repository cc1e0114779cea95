"""Finite-difference gradients, and a check of reverse mode against them."""
from __future__ import annotations

import numpy as np

from .functional import grad, no_grad
from .value import Value


class GradcheckError(AssertionError):
    """Reverse-mode and finite-difference gradients disagree."""


def _as_float64_leaves(inputs) -> list:
    """Fresh float64 leaf copies of the inputs (scalars stay scalars)."""
    leaves = []
    for x in inputs:
        data = x.data if isinstance(x, Value) else Value(x).data
        leaves.append(Value(data if type(data) is float else np.asarray(data, np.float64)))
    return leaves


def _projection(out: Value):
    """Fixed random weights that turn a non-scalar output into the scalar sum(out * w)."""
    if out.size == 1:
        return None
    return np.random.default_rng(0).standard_normal(out.shape)


def _scalar_output(fn, inputs, weights) -> float:
    out = fn(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    data = np.asarray(out.data, dtype=np.float64)
    return float(np.sum(data * weights)) if weights is not None else float(data.sum())


def numerical_grad(fn, inputs, eps: float = 1e-6) -> list:
    """Central finite differences (f(x + eps) - f(x - eps)) / 2 eps of `fn(*inputs)`.

    Computed in float64, one pair of forward passes per input element. A non-scalar output
    is first reduced to sum(out * w) with fixed random weights w (the same ones `gradcheck`
    uses). Returns one float or array per input, shaped like it.
    """
    inputs = _as_float64_leaves([inputs] if isinstance(inputs, Value) else inputs)
    with no_grad():
        weights = _projection(fn(*inputs))
        grads = []
        for k, x in enumerate(inputs):
            base = np.array(x.data, dtype=np.float64)
            g = np.zeros_like(base)
            for j in np.ndindex(base.shape):
                values = []
                for step in (eps, -eps):
                    moved = base.copy()
                    moved[j] += step
                    arg = Value(float(moved) if type(x.data) is float else moved)
                    values.append(_scalar_output(fn, inputs[:k] + [arg] + inputs[k + 1:],
                                                 weights))
                g[j] = (values[0] - values[1]) / (2 * eps)
            grads.append(float(g) if type(x.data) is float else g)
    return grads


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check reverse-mode gradients of `fn(*inputs)` against finite differences, in float64.

    Passes when |reverse - numeric| <= atol + rtol * |numeric| everywhere. Otherwise raises
    `GradcheckError` (or returns False if `raise_exception` is False) naming the input, the
    worst element, both values and the absolute and relative error.

    >>> gradcheck(lambda a, b: (a * b).tanh(), [Value(np.ones(3)), Value(2.0)])
    True
    """
    inputs = _as_float64_leaves([inputs] if isinstance(inputs, Value) else inputs)
    out = fn(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    weights = _projection(out)
    reverse = grad(out, inputs, grad_outputs=weights)
    numeric = numerical_grad(fn, inputs, eps)
    for k, (r, n) in enumerate(zip(reverse, numeric)):
        r, n = np.asarray(r.data, np.float64), np.asarray(n, np.float64)
        excess = np.abs(r - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isnan(excess), np.inf, excess)  # NaN on either side fails
        if excess.size and excess.max() > 0:
            j = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
            rev, num = float(r[j]), float(n[j])
            abs_err = abs(rev - num)
            rel_err = abs_err / abs(num) if num != 0 else float("inf")
            message = (f"gradcheck: input {k} (shape {inputs[k].shape}) disagrees at element "
                       f"{j}: reverse mode {rev!r}, finite differences {num!r}, "
                       f"abs error {abs_err:.3g}, rel error {rel_err:.3g} "
                       f"(atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
