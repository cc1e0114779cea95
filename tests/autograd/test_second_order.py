"""Second derivatives of every op, checked like PyTorch's gradgradcheck.

For each case, `gradcheck` first checks the gradient against central differences; then
`gradgradcheck` builds that gradient with `grad(..., create_graph=True)`, differentiates
sum(g * u) (u random) again with respect to every input and to the output weights, and
compares with central differences of the plain gradient. Every op is run on scalars
(Python floats), 0-d and n-d tensors and broadcast shapes, alone ("plain") and followed
by tanh ("then-tanh"), so that its VJP also receives an upstream gradient that depends
on the inputs.

Inputs come from a grid of distinct values (odd multiples of 0.025 in (-2, 2)): no two are
equal and none is within 0.025 of a kink (0 for relu/abs/leaky_relu, +-0.5 for the clips
below), so ties and kinks never meet a finite-difference step. Bases of log, sqrt and `**`
and divisors are kept at least 0.5 away from 0.
"""
import operator

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Value, gradcheck, gradgradcheck
from autograd import ops
from agtest import size, split

TOL = dict(atol=1e-6, rtol=1e-5)  # both sides are exact to ~1e-9 on these inputs


def grid(shapes, seed):
    """One input per shape (None: a Python float), all values distinct grid points."""
    ks = np.random.default_rng(seed).permutation(np.arange(-40, 40))
    return split((ks[:sum(size(shape) for shape in shapes)] + 0.5) * 0.05, shapes)


def positive(x):
    """Map grid values into [0.5, 2.5): fine for log, sqrt, bases of **, divisors."""
    return 0.5 + abs(x) if type(x) is float else 0.5 + np.abs(x)


def away_from_zero(x):
    """Keep the sign, move |x| into [0.5, 2.5): divisors of either sign."""
    return (0.5 + abs(x)) * (1.0 if x > 0 else -1.0) if type(x) is float else \
        (0.5 + np.abs(x)) * np.sign(x)


S = None  # a Python-float scalar
# layout name: shapes of the two operands (broadcasting included)
LAYOUTS = {
    "same": [(2, 3), (2, 3)],
    "broadcast": [(2, 1), (1, 3)],
    "trailing": [(2, 3), (3,)],
    "0d-tensor": [(), (2, 3)],
    "scalar-tensor": [S, (2, 3)],
    "tensor-scalar": [(3, 2), S],
    "scalar-scalar": [S, S],
}

# name: (function, how to transform each grid input into the op's domain)
BINARY = {
    "add": (operator.add, (None, None)),
    "sub": (operator.sub, (None, None)),
    "mul": (operator.mul, (None, None)),
    "div": (operator.truediv, (None, away_from_zero)),
    "pow": (operator.pow, (positive, None)),
    "maximum": (autograd.maximum, (None, None)),
    "minimum": (autograd.minimum, (None, None)),
}

UNARY = {
    "neg": (operator.neg, None),
    "exp": (lambda a: a.exp(), None),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "abs": (lambda a: a.abs(), None),
    "tanh": (lambda a: a.tanh(), None),
    "sigmoid": (lambda a: a.sigmoid(), None),
    "relu": (lambda a: a.relu(), None),
    "leaky_relu": (lambda a: a.leaky_relu(), None),
    "leaky_relu(0.3)": (lambda a: a.leaky_relu(0.3), None),
    "clip(-0.5,0.5)": (lambda a: a.clip(-0.5, 0.5), None),
    "clip(low)": (lambda a: a.clip(low=-0.5), None),
    "clip(high)": (lambda a: a.clip(high=0.5), None),
    "square": (lambda a: a ** 2, None),
    "pow(-1.5)": (lambda a: a ** -1.5, positive),
    "rpow": (lambda a: 1.7 ** a, None),
    "rdiv": (lambda a: 1.5 / a, away_from_zero),
    "rsub": (lambda a: 1.5 - a, None),
    "sum": (lambda a: a.sum(), None),
    "mean": (lambda a: a.mean(), None),
    "softmax": (lambda a: a.softmax(), None),
    "log_softmax": (lambda a: a.log_softmax(), None),
    "logsumexp": (lambda a: a.logsumexp(), None),
    "max": (lambda a: a.max(), None),
    "min": (lambda a: a.min(), None),
}
UNARY_SHAPES = {"scalar": S, "0d": (), "vector": (4,), "matrix": (2, 3)}

# name: (function, input shapes, domain transforms)
REDUCTIONS = {}
for _name in ("sum", "mean", "max", "min", "logsumexp"):
    for _axis in (None, 0, -1, (0, 2), 1):
        for _keep in (False, True):
            REDUCTIONS[f"{_name}(axis={_axis},keepdims={_keep})"] = (
                lambda a, n=_name, ax=_axis, k=_keep: getattr(a, n)(axis=ax, keepdims=k),
                [(2, 3, 2)])
    REDUCTIONS[f"{_name}(size-1 axis)"] = (lambda a, n=_name: getattr(a, n)(axis=1),
                                           [(3, 1, 2)])

OTHERS = {
    # softmax family along each axis
    "softmax(axis=0)": (lambda a: a.softmax(axis=0), [(3, 2)]),
    "softmax(axis=1)": (lambda a: a.softmax(axis=1), [(2, 3)]),
    "softmax(axis=-2)": (lambda a: a.softmax(axis=-2), [(2, 3, 2)]),
    "log_softmax(axis=0)": (lambda a: a.log_softmax(axis=0), [(3, 2)]),
    "log_softmax(axis=1)": (lambda a: a.log_softmax(axis=1), [(2, 3)]),
    "log_softmax(size-1 axis)": (lambda a: a.log_softmax(axis=1), [(3, 1)]),
    # matmul: vectors, matrices, batches with broadcasting
    "matmul(vec,vec)": (operator.matmul, [(3,), (3,)]),
    "matmul(vec,mat)": (operator.matmul, [(3,), (3, 2)]),
    "matmul(mat,vec)": (operator.matmul, [(2, 3), (3,)]),
    "matmul(mat,mat)": (operator.matmul, [(2, 3), (3, 2)]),
    "matmul(batch,mat)": (operator.matmul, [(2, 2, 3), (3, 2)]),
    "matmul(vec,batch)": (operator.matmul, [(2,), (2, 2, 3)]),
    "matmul(broadcast batch)": (operator.matmul, [(2, 1, 2, 2), (3, 2, 2)]),
    # shape ops
    "reshape": (lambda a: a.reshape(3, 2), [(2, 3)]),
    "reshape(-1)": (lambda a: a.reshape(-1), [(2, 1, 3)]),
    "reshape(scalar)": (lambda a: a.reshape(1, 1), [S]),
    "transpose": (lambda a: a.transpose(2, 0, 1), [(2, 3, 2)]),
    "T": (lambda a: a.T, [(2, 3)]),
    "getitem(int)": (lambda a: a[1], [(3, 2)]),
    "getitem(negative step)": (lambda a: a[::-2, 1:], [(4, 3)]),
    "getitem(repeated ints)": (lambda a: a[[0, 2, 2, 0]], [(3, 2)]),
    "getitem(int arrays)": (lambda a: a[np.array([0, 2, 2]), np.array([1, 1, 0])], [(3, 2)]),
    "getitem(bool mask)": (lambda a: a[np.array([[True, False], [False, False],
                                                  [True, True]])], [(3, 2)]),
    "getitem(ellipsis,newaxis)": (lambda a: a[..., None, 0], [(2, 3)]),
    "getitem(0d)": (lambda a: a[()], [()]),
    "concat(axis=0)": (lambda a, b: autograd.concat([a, b], axis=0), [(2, 3), (1, 3)]),
    "concat(axis=-1,3 inputs)": (lambda a, b, c: autograd.concat([a, b, c], axis=-1),
                                 [(2, 1), (2, 3), (2, 2)]),
    "concat(reused)": (lambda a, b: autograd.concat([a, b, a], axis=0), [(2,), (3,)]),
    "stack(axis=0)": (lambda a, b: autograd.stack([a, b]), [(2, 3), (2, 3)]),
    "stack(axis=-1)": (lambda a, b: autograd.stack([a, b, a], axis=-1), [(3,), (3,)]),
    "stack(scalars)": (lambda a, b: autograd.stack([a, b, a]), [S, S]),
    "stack(one)": (lambda a: autograd.stack([a], axis=1), [(2, 3)]),
    "concat(one)": (lambda a: autograd.concat([a], axis=1), [(2, 3)]),
    "where": (lambda a, b: autograd.where(np.array([True, False, True]), a, b),
              [(2, 3), (2, 3)]),
    "where(broadcast)": (lambda a, b: autograd.where(np.array([[True], [False]]), a, b),
                         [(1, 3), (2, 1)]),
    "where(scalar branch)": (lambda a, b: autograd.where(np.array([True, False]), a, b),
                             [S, (2,)]),
    "where(constant branch)": (lambda a: autograd.where(np.array([False, True]), a, 0.5),
                               [(2,)]),
    # internal ops, called directly (sum/max backward and getitem backward use them)
    "broadcast_to": (lambda a: ops.broadcast_to(a, (2, 3, 2)), [(3, 1)]),
    "broadcast_to(scalar)": (lambda a: ops.broadcast_to(a, (2, 2)), [S]),
    "scatter": (lambda a: ops.scatter(a, (np.array([0, 2, 0]),), (4, 2)), [(3, 2)]),
    "scatter(slice)": (lambda a: ops.scatter(a, (slice(1, 3),), (4,)), [(2,)]),
    # constants mixed in, integer and numpy operands
    "tensor*constant array": (lambda a: a * np.array([0.5, -1.5, 2.0]), [(2, 3)]),
    "constant array/tensor": (lambda a: np.array([0.5, -1.5, 2.0]) / (a * a + 0.5),
                              [(2, 3)]),
    "array@value": (lambda a: np.array([[0.5, -1.0], [2.0, 0.25]]) @ a, [(2, 3)]),
    "value**value mixed": (lambda a, b: (a * a + 0.5) ** b, [S, (2, 3)]),
}


def then_tanh(f):
    return lambda *xs: f(*xs).tanh()


def cases():
    """(id, function, inputs) for every op, layout and variant."""
    seed = 0
    for name, (f, domains) in BINARY.items():
        for layout, shapes in LAYOUTS.items():
            seed += 1
            args = [d(x) if d else x for d, x in zip(domains, grid(shapes, seed))]
            yield f"{name}-{layout}", f, args
    for name, (f, domain) in UNARY.items():
        for kind, shape in UNARY_SHAPES.items():
            seed += 1
            (x,) = grid([shape], seed)
            yield f"{name}-{kind}", f, [domain(x) if domain else x]
    for table in (REDUCTIONS, OTHERS):
        for name, (f, shapes) in table.items():
            seed += 1
            yield name, f, grid(shapes, seed)


CASES = {name: (f, args) for name, f, args in cases()}


@pytest.mark.parametrize("variant", ["plain", "then-tanh"])
@pytest.mark.parametrize("name", CASES)
def test_first_and_second_derivatives(name, variant):
    f, args = CASES[name]
    fn = f if variant == "plain" else then_tanh(f)
    assert gradcheck(fn, args, **TOL) is True
    assert gradgradcheck(fn, args, **TOL) is True


@pytest.mark.parametrize("name", ["mul-broadcast", "pow-scalar-tensor", "matmul(mat,mat)",
                                  "softmax(axis=1)", "getitem(repeated ints)"])
def test_hessian_vector_products_against_dense_finite_differences(name):
    """An independent second route: the full Hessian of sum(f * w) by central differences
    of the plain gradient, times a vector, equals the reverse-over-reverse product."""
    f, args = CASES[name]
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
