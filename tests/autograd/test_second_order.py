"""Second derivatives beyond the op spec's gradgradcheck of every op (test_opspec.py):
Hessian-vector products against dense finite-difference Hessians, pow's special points,
third derivatives, and gradgradcheck itself (it must catch a wrong second derivative)."""
import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Value, gradcheck, gradgradcheck
from autograd import ops
from opspec import CASES


@pytest.mark.parametrize("name", ["mul-broadcast", "pow-scalar-tensor", "matmul-mat-mat",
                                  "softmax(axis=1)", "getitem(repeated ints)"])
def test_hessian_vector_products_against_dense_finite_differences(name):
    """An independent second route: the full Hessian of sum(f * w) by central differences
    of the plain gradient, times a vector, equals the reverse-over-reverse product."""
    spec, args = CASES[name]
    f = spec.fn
    rng = np.random.default_rng(1)
    weights = rng.standard_normal(np.shape(f(*[Value(a) for a in args]).data))
    flat = np.concatenate([np.ravel(a) for a in args])
    sizes = [np.size(a) for a in args]

    def unflatten(vec):
        parts, start = [], 0
        for a, n in zip(args, sizes):
            part = vec[start:start + n]
            parts.append(float(part[0]) if type(a) is float else part.reshape(np.shape(a)))
            start += n
        return parts

    def gradient(vec, create_graph=False):
        xs = [Value(p) for p in unflatten(vec)]
        gs = autograd.grad((f(*xs) * weights).sum(), xs, create_graph=create_graph)
        return xs, gs

    eps = 1e-6
    hessian = np.stack([
        (np.concatenate([np.ravel(g.data) for g in gradient(flat + eps * e)[1]])
         - np.concatenate([np.ravel(g.data) for g in gradient(flat - eps * e)[1]])) / (2 * eps)
        for e in np.eye(flat.size)], axis=1)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-7)  # symmetric, as it must be
    v = rng.standard_normal(flat.size)
    xs, gs = gradient(flat, create_graph=True)
    vs = unflatten(v)
    hv = autograd.grad(sum(((g * u).sum() for g, u in zip(gs, vs)), Value(0.0)), xs)
    np.testing.assert_allclose(np.concatenate([np.ravel(h.data) for h in hv]), hessian @ v,
                               rtol=1e-6, atol=1e-8)


def test_backward_through_the_gradient_of_a_scalar_sum():
    """A reduction of a Python-float scalar inside a create_graph gradient (its backward
    once met a float where unbroadcast wanted an array)."""
    x = Value(0.3)
    (d,) = autograd.grad(x.sum() * x, x, create_graph=True)  # d = 2x
    assert d.data == 0.6
    d.backward()
    assert x.grad == 2.0


# a, b, a ** b, d/da, d/db at pow's special points: PyTorch's conventions (0 where the formula
# is 0 * inf but the limit is 0), elementwise within one tensor
POW_POINTS = [
    (0.0, 2.0, 0.0, 0.0, 0.0),        # b a^(b-1) = 0; a^b log a -> 0
    (0.0, 0.0, 1.0, 0.0, 0.0),        # 0^0 = 1; both gradients taken as 0
    (2.0, 0.0, 1.0, 0.0, np.log(2.0)),
    (0.0, 0.5, 0.0, np.inf, 0.0),     # the base gradient really is infinite
    (3.0, 1.5, 3.0 ** 1.5, 1.5 * 3.0 ** 0.5, 3.0 ** 1.5 * np.log(3.0)),
    (0.0, -1.0, np.inf, -np.inf, -np.inf),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_pow_gradients_at_zero_base_and_zero_exponent(kind):
    a0, b0, out0, da0, db0 = (np.array(column) for column in zip(*POW_POINTS))
    if kind == "tensor":
        a, b = Value(a0), Value(b0)
        y = a ** b
        y.sum().backward()
        results = [(y.data, a.grad, b.grad)]
    else:
        results = []
        for i in range(len(a0)):
            a, b = Value(float(a0[i])), Value(float(b0[i]))
            y = a ** b
            y.backward()
            results.append((y.data, a.grad, b.grad))
        results = [tuple(np.array(c) for c in zip(*results))]
    out, da, db = results[0]
    np.testing.assert_array_equal(out, out0)
    np.testing.assert_allclose(da, da0, rtol=1e-15)
    np.testing.assert_allclose(db, db0, rtol=1e-15)


@pytest.mark.parametrize("e0", [0.0, np.array([0.0, 0.5])], ids=["scalar", "tensor"])
def test_second_derivative_of_pow_at_a_zero_exponent(e0):
    e, b = Value(e0), Value(1.5)
    (gb,) = autograd.grad((b ** e).sum(), b, create_graph=True)  # e * b**(e-1)
    (gbe,) = autograd.grad(gb, e)                                  # b**(e-1) (1 + e log b)
    expected = 1.5 ** (np.asarray(e0) - 1) * (1 + np.asarray(e0) * np.log(1.5))
    np.testing.assert_allclose(gbe.data, expected, rtol=1e-12)


def test_third_derivatives_through_two_create_graph_levels():
    """grad of grad of grad: d^3/dx^3 of x^2 tanh(x) at scalars and tensors."""
    for x0 in (0.3, np.array([-0.7, 1.2])):
        x = Value(x0)
        (d1,) = autograd.grad((x * x * x.tanh()).sum(), x, create_graph=True)
        (d2,) = autograd.grad(d1.sum(), x, create_graph=True)
        (d3,) = autograd.grad(d2.sum(), x)
        t = np.tanh(x0)
        s = 1 - t * t  # tanh', and tanh'' = -2 t s, tanh''' = s (6 t^2 - 2)
        expected = 6 * s - 12 * x0 * t * s + x0 * x0 * s * (6 * t * t - 2)
        np.testing.assert_allclose(d3.data, expected, rtol=1e-12)


# ---- gradgradcheck itself ------------------------------------------------------------------
def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch):
    """A VJP that is right on raw numbers but wrong as a graph (the create_graph path)."""
    right = ops.tanh.vjps

    def wrong(g, out, a):
        if isinstance(g, Value):
            return g * (1 - out * out.detach())  # drops d/d(out) of one factor
        return right[0](g, out, a)

    monkeypatch.setattr(ops.tanh, "vjps", (wrong,))
    x = [np.array([0.3, -1.1])]
    assert gradcheck(lambda v: v.tanh(), x) is True  # first order is still right
    with pytest.raises(GradcheckError, match="second derivative for input 0"):
        gradgradcheck(lambda v: v.tanh(), x)
    assert gradgradcheck(lambda v: v.tanh(), x, raise_exception=False) is False


def test_gradgradcheck_catches_a_create_graph_gradient_that_differs(monkeypatch):
    right = ops.exp.vjps

    def wrong(g, out, a):
        return g * out * 2.0 if isinstance(g, Value) else right[0](g, out, a)

    monkeypatch.setattr(ops.exp, "vjps", (wrong,))
    with pytest.raises(GradcheckError, match="first derivative for input 0.*create_graph"):
        gradgradcheck(lambda v: v.exp(), [np.array([0.3, -1.1])])


def test_gradgradcheck_checks_the_derivative_in_the_output_weights(monkeypatch):
    """A VJP that is not linear in g is wrong even where the input Hessian is zero."""
    right = ops.reshape.vjps

    def wrong(g, out, a, shape):
        if isinstance(g, Value):
            return right[0](g + (g - g.detach()) * 0.5, out, a, shape)
        return right[0](g, out, a, shape)

    monkeypatch.setattr(ops.reshape, "vjps", (wrong,))
    # first derivatives agree (g - g.detach() is 0), but d/dw of them is 1.5x too big
    with pytest.raises(GradcheckError, match="grad_outputs"):
        gradgradcheck(lambda v: v.reshape(3, 2), [np.arange(6.0).reshape(2, 3)])


def test_gradgradcheck_needs_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradgradcheck(lambda v: 3.0, [1.0])


def test_gradgradcheck_leaves_inputs_and_grads_alone():
    x = Value(np.array([0.5, 1.5]))
    before = x.data.copy()
    assert gradgradcheck(lambda v: (v ** 3).sum(), [x]) is True
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
