"""Finite-difference gradients, and a check of reverse mode against them."""
from __future__ import annotations

import numpy as np

from .backward import grad
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
    # fn runs with recording on: it may itself call grad() (checking a second derivative).
    weights = _projection(fn(*inputs))
    return _central_differences(lambda xs: _scalar_output(fn, xs, weights), inputs, eps)


def _central_differences(f, leaves: list, eps: float) -> list:
    """d f(leaves) / d leaf by central differences, for the float-valued function f of a
    list of leaves; one float or float64 array per leaf, shaped like it."""
    if not eps > 0:
        raise ValueError(f"finite differences need a step eps > 0, got {eps!r}")
    grads = []
    for k, x in enumerate(leaves):
        base = np.array(x.data, dtype=np.float64)
        g = np.zeros_like(base)
        for j in np.ndindex(base.shape):
            values = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[j] += step
                arg = Value(float(moved) if type(x.data) is float else moved)
                values.append(f(leaves[:k] + [arg] + leaves[k + 1:]))
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
    labels = [f"input {k} (shape {x.shape})" for k, x in enumerate(inputs)]
    return _verdict("gradcheck", [r.data for r in reverse], numeric, labels, atol, rtol,
                    raise_exception)


def _verdict(what: str, reverse, numeric, labels, atol, rtol, raise_exception,
             sides=("reverse mode", "finite differences")) -> bool:
    """True if every reverse-mode array agrees with its reference (`numeric`); otherwise
    raise (or return False) naming the first label that disagrees, its worst element and
    both values (called by the names in `sides`)."""
    for label, r, n in zip(labels, reverse, numeric):
        r, n = np.asarray(r, np.float64), np.asarray(n, np.float64)
        excess = np.abs(r - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isnan(excess), np.inf, excess)  # NaN on either side fails
        if excess.size and excess.max() > 0:
            j = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
            rev, num = float(r[j]), float(n[j])
            abs_err = abs(rev - num)
            rel_err = abs_err / abs(num) if num != 0 else float("inf")
            message = (f"{what}: {label} disagrees at element "
                       f"{j}: {sides[0]} {rev!r}, {sides[1]} {num!r}, "
                       f"abs error {abs_err:.3g}, rel error {rel_err:.3g} "
                       f"(atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives of `fn(*inputs)`, as PyTorch's gradgradcheck does.

    The first gradients g_k = d sum(fn(x) * w) / d x_k are built with
    `grad(..., create_graph=True)` (w: random weights on the output, itself a Value), and
    the scalar s = sum_k sum(g_k * u_k) (u_k: random weights) is differentiated again by
    reverse mode, with respect to every input and to w. Those second derivatives are
    compared with central differences of s, whose g_k come from plain `grad()` calls
    (recording stays on, unlike `numerical_grad`). The first gradients themselves must
    equal those of plain mode. Everything runs in float64; weights come from `seed`.

    Returns True when all agree; otherwise raises `GradcheckError` (or returns False)
    naming the input (or "grad_outputs" for w), the worst element and both values.

    >>> gradgradcheck(lambda a, b: (a * b).tanh(), [Value(np.ones(3)), Value(2.0)])
    True
    """
    inputs = _as_float64_leaves([inputs] if isinstance(inputs, Value) else inputs)
    out = fn(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradgradcheck: fn must return a Value, got {type(out).__name__}")
    rng = np.random.default_rng(seed)

    def draw(like):
        w = rng.standard_normal(np.shape(like))
        return float(w) if type(like) is float else w

    w0 = draw(out.data)
    us = [draw(x.data) for x in inputs]

    def first(xs, w, create_graph):
        return grad(fn(*xs), xs, grad_outputs=w, create_graph=create_graph)

    def s_of(xs, w) -> float:  # plain floats all the way: the finite-difference side
        return sum(float(np.sum(np.asarray(g.data, np.float64) * u))
                   for g, u in zip(first(xs, w, False), us))

    w = Value(w0)
    firsts = first(inputs, w, True)
    plain = first(inputs, w0, False)
    labels = [f"input {k} (shape {x.shape})" for k, x in enumerate(inputs)]
    if not _verdict("gradgradcheck", [g.data for g in firsts], [g.data for g in plain],
                    [f"the first derivative for {label}" for label in labels], atol, rtol,
                    raise_exception, sides=("with create_graph=True", "without")):
        return False
    s = sum(((g * u).sum() for g, u in zip(firsts, us)), Value(0.0, requires_grad=False))
    reverse = grad(s, inputs + [w])

    numeric = _central_differences(lambda xs: s_of(xs[:-1], xs[-1].data), inputs + [w], eps)
    labels.append(f"grad_outputs (shape {out.shape})")
    return _verdict("gradgradcheck", [r.data for r in reverse], numeric,
                    [f"the second derivative for {label}" for label in labels], atol, rtol,
                    raise_exception)
