"""Shared pieces of the autograd tests: hypothesis strategies, checking helpers, and
micrograd's lecture neuron (`micrograd_neuron`), a graph worked by hand.

Strategies draw float64 inputs that keep away from kinks and poles, so that central finite
differences are a fair reference:

- `ANY`       smooth ops (exp, tanh, +, ...): values in [-3, 3];
- `POSITIVE`  log, sqrt, the base of `**`: values in [0.2, 4];
- `NONZERO`   divisors: |values| in [0.5, 3];
- `distinct`  kinks and ties (relu, abs, clip, max, maximum): every element is an odd
              multiple of 0.01, all different, so none is 0, +-1 or equal to another.

A shape of `None` stands for a Python float, i.e. a scalar Value.
"""
from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Value, gradcheck

FAST = settings(max_examples=25, deadline=None)
"""Every hypothesis test uses this: few examples, no deadline (CI machines are slow)."""

SCALAR = None  # the "shape" of a Python float


def floats(lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


ANY = floats(-3.0, 3.0)
POSITIVE = floats(0.2, 4.0)
NONZERO = st.one_of(floats(0.5, 3.0), floats(-3.0, -0.5))


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes with up to `max_dims` axes of 1..max_side elements (0-d included)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1,
                            max_side=max_side)


def broadcast_shapes(n: int = 2, max_dims: int = 3) -> st.SearchStrategy:
    """`n` shapes that broadcast together, e.g. (3, 1) with (1, 4), or (2, 3, 4) with (4,)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=max_dims,
                                             min_side=1, max_side=4).map(
        lambda b: b.input_shapes)


def data(shape, elements: st.SearchStrategy = ANY) -> st.SearchStrategy:
    """A float64 array of `shape` (or a Python float if shape is None)."""
    if shape is SCALAR:
        return elements
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def distinct(draw, *shapes):
    """One input per shape; across all of them every element differs from the others by at
    least 0.02 and from 0 and +-1 by at least 0.01 (odd multiples of 0.01 in [-4, 4])."""
    total = sum(size(shape) for shape in shapes)
    ks = draw(st.lists(st.integers(-200, 199), min_size=total, max_size=total, unique=True))
    return split((np.array(ks, dtype=np.float64) + 0.5) * 0.02, shapes)


def size(shape) -> int:
    return 1 if shape is SCALAR else int(np.prod(shape))


def split(values, shapes) -> list:
    """The flat array `values` cut into one input per shape, in order (SCALAR: a float)."""
    out, start = [], 0
    for shape in shapes:
        chunk = values[start:start + size(shape)]
        out.append(float(chunk[0]) if shape is SCALAR else chunk.reshape(shape))
        start += size(shape)
    return out


def inputs(domains, shapes) -> st.SearchStrategy:
    """Inputs for an op: `domains` is "distinct" or one element strategy per input."""
    if domains == "distinct":
        return distinct(*shapes)
    return st.tuples(*[data(s, d) for s, d in zip(shapes, domains)]).map(list)


def check_grad(fn, *args, **kwargs) -> None:
    """Assert that fn's reverse-mode gradients match central differences (in float64).

    gradcheck raises GradcheckError (an AssertionError) naming the input, the element and
    both values when they disagree.
    """
    assert gradcheck(fn, list(args), **kwargs) is True


def assert_close(actual, expected, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Values equal to numerical precision, with shapes that match exactly; bools and
    integers (masks, indices) exactly, and of the same kind."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "biu":
        assert actual.dtype.kind == expected.dtype.kind, f"{actual.dtype} != {expected.dtype}"
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def micrograd_neuron():
    """The neuron micrograd's lecture backpropagates by hand, before backward: o = tanh(n) =
    0.7071 with n = x1*w1 + x2*w2 + b = 0.8814 (x1=2, x2=0, w1=-3, w2=1); every node named.
    Returns o and the leaves (x1, x2, w1, w2, b)."""
    x1, x2 = Value(2.0, name="x1"), Value(0.0, name="x2")
    w1, w2 = Value(-3.0, name="w1"), Value(1.0, name="w2")
    b = Value(6.8813735870195432, name="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.name, x2w2.name = "x1w1", "x2w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.name = "x1w1x2w2"
    n = x1w1x2w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return o, (x1, x2, w1, w2, b)
