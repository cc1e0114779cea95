"""Every op: forward values against numpy (and `math` for scalars), gradients against
central finite differences (`gradcheck`, float64) on scalar, tensor and broadcast shapes,
the gradient conventions at kinks and ties, and second derivatives."""
import math
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Value, grad, numerical_grad
from agtest import (ANY, FAST, NONZERO, POSITIVE, SCALAR, assert_close, broadcast_shapes,
                    check_grad, inputs, shapes)


# ---- elementwise unary ops ------------------------------------------------------------------
# name: (op on a Value, numpy reference, math reference, input domain)
UNARY = {
    "neg": (lambda v: -v, np.negative, operator.neg, ANY),
    "exp": (lambda v: v.exp(), np.exp, math.exp, ANY),
    "log": (lambda v: v.log(), np.log, math.log, POSITIVE),
    "sqrt": (lambda v: v.sqrt(), np.sqrt, math.sqrt, POSITIVE),
    "abs": (lambda v: v.abs(), np.abs, abs, "distinct"),
    "tanh": (lambda v: v.tanh(), np.tanh, math.tanh, ANY),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + np.exp(-x)),
                lambda x: 1 / (1 + math.exp(-x)), ANY),
    "relu": (lambda v: v.relu(), lambda x: np.maximum(x, 0.0), lambda x: max(x, 0.0),
             "distinct"),
    "leaky_relu": (lambda v: v.leaky_relu(), lambda x: np.where(x > 0, x, 0.01 * x),
                   lambda x: x if x > 0 else 0.01 * x, "distinct"),
    "leaky_relu(0.3)": (lambda v: v.leaky_relu(negative_slope=0.3),
                        lambda x: np.where(x > 0, x, 0.3 * x),
                        lambda x: x if x > 0 else 0.3 * x, "distinct"),
    "clip(-1,1)": (lambda v: v.clip(-1.0, 1.0), lambda x: np.minimum(np.maximum(x, -1), 1),
                   lambda x: min(max(x, -1.0), 1.0), "distinct"),
    "clip(low)": (lambda v: v.clip(low=-0.5), lambda x: np.maximum(x, -0.5),
                  lambda x: max(x, -0.5), "distinct"),
    "clip(high)": (lambda v: v.clip(high=0.5), lambda x: np.minimum(x, 0.5),
                   lambda x: min(x, 0.5), "distinct"),
    "square": (lambda v: v ** 2, lambda x: x * x, lambda x: x * x, ANY),
    "cube": (lambda v: v ** 3.0, lambda x: x * x * x, lambda x: x * x * x, ANY),
    "pow(-1.5)": (lambda v: v ** -1.5, lambda x: 1 / (x * np.sqrt(x)),
                  lambda x: 1 / (x * math.sqrt(x)), POSITIVE),
    "rpow": (lambda v: 2.0 ** v, lambda x: np.exp(x * np.log(2.0)),
             lambda x: math.exp(x * math.log(2.0)), ANY),
    "rdiv": (lambda v: 1.5 / v, lambda x: 1.5 / x, lambda x: 1.5 / x, NONZERO),
    "rsub": (lambda v: 1.5 - v, lambda x: 1.5 - x, lambda x: 1.5 - x, ANY),
}


def one_input(domain, shape):
    return inputs(domain if domain == "distinct" else (domain,), [shape]).map(lambda xs: xs[0])


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(data=st.data())
def test_unary_forward_on_tensors_matches_numpy(name, data):
    f, ref, _, domain = UNARY[name]
    x = data.draw(one_input(domain, data.draw(shapes())))
    assert_close(f(Value(x)).data, ref(x))


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(data=st.data())
def test_unary_forward_on_scalars_matches_math(name, data):
    f, _, ref, domain = UNARY[name]
    x = data.draw(one_input(domain, SCALAR))
    out = f(Value(x))
    assert type(out.data) is float
    assert out.data == pytest.approx(ref(x), rel=1e-12, abs=1e-15)
    # a scalar Value and a 0-d tensor Value agree
    assert float(f(Value(np.array(x))).data) == pytest.approx(out.data, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(data=st.data())
def test_unary_gradient_on_tensors(name, data):
    f, _, _, domain = UNARY[name]
    check_grad(f, data.draw(one_input(domain, data.draw(shapes()))))


@pytest.mark.parametrize("name", UNARY)
@FAST
@given(data=st.data())
def test_unary_gradient_on_scalars(name, data):
    f, _, _, domain = UNARY[name]
    check_grad(f, data.draw(one_input(domain, SCALAR)))


# ---- gradient conventions at kinks ----------------------------------------------------------
@pytest.mark.parametrize("f, x, expected", [
    (lambda v: v.relu(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    (lambda v: v.abs(), [-1.0, 0.0, 2.0], [-1.0, 0.0, 1.0]),
    (lambda v: v.leaky_relu(0.1), [-1.0, 2.0], [0.1, 1.0]),
    (lambda v: v.clip(0.0, 1.0), [-0.5, 0.0, 0.5, 1.0, 1.5], [0.0, 1.0, 1.0, 1.0, 0.0]),
    (lambda v: v.clip(low=0.0), [-0.5, 0.0, 7.0], [0.0, 1.0, 1.0]),
    (lambda v: v.clip(high=1.0), [-9.0, 1.0, 1.5], [1.0, 1.0, 0.0]),
], ids=["relu'(0)=0", "abs'(0)=0", "leaky_relu", "clip-inclusive", "clip-low", "clip-high"])
@pytest.mark.parametrize("kind", ["tensor", "scalar"])
def test_gradient_at_kinks(f, x, expected, kind):
    if kind == "tensor":
        v = Value(np.array(x))
        f(v).sum().backward()
        np.testing.assert_array_equal(v.grad, expected)
    else:
        for xi, ei in zip(x, expected):
            v = Value(xi)
            f(v).backward()
            assert type(v.grad) is float and v.grad == ei, (xi, v.grad, ei)


# ---- elementwise binary ops, with broadcasting ----------------------------------------------
# name: (function of two Values, numpy reference, input domains)
BINARY = {
    "add": (operator.add, np.add, (ANY, ANY)),
    "sub": (operator.sub, np.subtract, (ANY, ANY)),
    "mul": (operator.mul, np.multiply, (ANY, ANY)),
    "div": (operator.truediv, np.divide, (ANY, NONZERO)),
    "pow": (operator.pow, lambda a, b: np.exp(b * np.log(a)), (POSITIVE, ANY)),
    "maximum": (autograd.maximum, lambda a, b: np.where(a > b, a, b), "distinct"),
    "minimum": (autograd.minimum, lambda a, b: np.where(a < b, a, b), "distinct"),
}

LAYOUTS = {
    "tensor-tensor": broadcast_shapes(2),
    "scalar-tensor": shapes().map(lambda s: (SCALAR, s)),
    "tensor-scalar": shapes().map(lambda s: (s, SCALAR)),
    "scalar-scalar": st.just((SCALAR, SCALAR)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", BINARY)
@FAST
@given(data=st.data())
def test_binary_forward_matches_numpy(name, layout, data):
    f, ref, domains = BINARY[name]
    a, b = data.draw(inputs(domains, data.draw(LAYOUTS[layout])))
    out = f(Value(a), Value(b))
    assert type(out.data) is (float if layout == "scalar-scalar" else np.ndarray)
    assert_close(out.data, ref(np.asarray(a), np.asarray(b)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", BINARY)
@FAST
@given(data=st.data())
def test_binary_gradient(name, layout, data):
    f, _, domains = BINARY[name]
    check_grad(f, *data.draw(inputs(domains, data.draw(LAYOUTS[layout]))))


NAMED_BROADCASTS = [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)),
                    ((), (2, 3)), ((1,), (3,)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("shape_a, shape_b", NAMED_BROADCASTS, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_gradient_on_named_broadcast_shapes(name, shape_a, shape_b, rng):
    f, ref, _ = BINARY[name]
    a = rng.uniform(0.5, 2.0, shape_a)  # positive: fine for every op's domain
    b = rng.uniform(0.5, 2.0, shape_b)  # (continuous draws: no ties for maximum/minimum)
    va, vb = Value(a), Value(b)
    out = f(va, vb)
    assert_close(out.data, ref(a, b))
    out.backward(np.ones(out.shape))
    assert va.grad.shape == shape_a and vb.grad.shape == shape_b
    check_grad(f, a, b)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("const", [1.7, np.array([0.6, 1.3, 2.4])], ids=["float", "array"])
def test_binary_gradient_with_a_constant_operand(name, const):
    f, ref, _ = BINARY[name]
    x = np.array([[0.7, 1.2, 2.1], [0.45, 1.9, 2.7]])  # positive, no ties with the consts
    assert_close(f(Value(x), const).data, ref(x, const))
    assert_close(f(const, Value(x)).data, ref(const, x))
    check_grad(lambda v: f(v, const), x)
    check_grad(lambda v: f(const, v), x)


def test_scalar_value_mixed_with_tensor_value_gradient():
    check_grad(lambda s, t: (s * t + s / t - t ** s).tanh(), 0.7, np.array([[0.5, 1.5, 2.0]]))


@pytest.mark.parametrize("name", BINARY)
def test_broadcast_mismatch_raises_value_error_naming_op_and_shapes(name):
    f, _, _ = BINARY[name]
    with pytest.raises(ValueError) as err:
        f(Value(np.ones(3)), Value(np.ones(4)))
    message = str(err.value)
    assert name in message and "(3,)" in message and "(4,)" in message


def test_maximum_minimum_ties_give_half_to_each():
    a, b = Value(np.array([1.0, 2.0, 3.0])), Value(np.array([3.0, 2.0, 1.0]))
    autograd.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [1.0, 0.5, 0.0])
    a.zero_grad(), b.zero_grad()
    autograd.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 0.5, 1.0])
    s, t = Value(2.0), Value(2.0)
    autograd.maximum(s, t).backward()
    assert (s.grad, t.grad) == (0.5, 0.5)


def test_maximum_with_a_number_or_array_first():
    v = Value(np.array([-1.0, 2.0]))
    out = autograd.maximum(0.0, v)
    assert isinstance(out, Value)
    np.testing.assert_array_equal(out.data, [0.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(v.grad, [0.0, 1.0])
    out = autograd.minimum(np.array([0.0, 0.0]), v)
    np.testing.assert_array_equal(out.data, [-1.0, 0.0])


def test_pow_differentiates_in_base_and_exponent():
    a, b = Value(2.0), Value(3.0)
    (a ** b).backward()
    assert a.grad == pytest.approx(3.0 * 2.0 ** 2)  # b a^(b-1)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))  # a^b log a


ZERO_BASES = {"scalar": 0.0, "tensor": np.array([0.0, 2.0])}


@pytest.mark.parametrize("kind", ZERO_BASES)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_gradient_of_x_to_the_zero_at_zero_is_zero(kind):
    x = Value(ZERO_BASES[kind])
    (x ** 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros_like(ZERO_BASES[kind]))


@pytest.mark.parametrize("kind", ZERO_BASES)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_exponent_gradient_at_a_zero_base_is_finite(kind):
    a, b = Value(ZERO_BASES[kind]), Value(2.0)
    (a ** b).sum().backward()
    expected = 0.0 if kind == "scalar" else 4.0 * math.log(2.0)  # sum of a^b log a, 0 at a=0
    assert b.grad == pytest.approx(expected, rel=1e-14, abs=0.0)


# ---- matmul ---------------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                 ((1, 1), (1, 1)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,)),
                 ((2, 1, 3, 4), (5, 4, 2)), ((2, 3), (4, 3, 2))]


def matmul_reference(a, b):
    """Matmul as sums of products, so the check does not rest on np.matmul."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    out = (a2[..., :, :, None] * b2[..., None, :, :]).sum(axis=-2)
    if a.ndim == 1:
        out = out[..., 0, :]
    if b.ndim == 1:
        out = out[..., 0]
    return out


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES, ids=str)
def test_matmul_forward_and_gradient(shape_a, shape_b, rng):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    assert_close((Value(a) @ Value(b)).data, matmul_reference(a, b))
    check_grad(operator.matmul, a, b)


@FAST
@given(batch=broadcast_shapes(2, max_dims=2), nkm=st.tuples(*[st.integers(1, 4)] * 3),
       data=st.data())
def test_matmul_batched_with_broadcasting(batch, nkm, data):
    n, k, m = nkm
    a = data.draw(hnp.arrays(np.float64, batch[0] + (n, k), elements=ANY))
    b = data.draw(hnp.arrays(np.float64, batch[1] + (k, m), elements=ANY))
    assert_close((Value(a) @ Value(b)).data, matmul_reference(a, b))
    check_grad(operator.matmul, a, b)


def test_matmul_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError) as err:
        Value(np.ones((2, 3))) @ Value(np.ones((4, 5)))
    message = str(err.value)
    assert "matmul" in message and "(2, 3)" in message and "(4, 5)" in message


def test_matmul_of_scalars_raises_value_error():
    with pytest.raises(ValueError, match="matmul"):
        Value(2.0) @ Value(np.ones(3))


# ---- reductions -----------------------------------------------------------------------------
def mean_reference(x, axis, keepdims):
    total = np.sum(x, axis=axis, keepdims=keepdims)
    return total * (np.size(total) / x.size)  # divided by the number of summed elements


REDUCTIONS = {
    "sum": (Value.sum, np.sum, ANY),
    "mean": (Value.mean, lambda x, axis, keepdims: mean_reference(x, axis, keepdims), ANY),
    "max": (Value.max, np.max, "distinct"),
    "min": (Value.min, np.min, "distinct"),
    "logsumexp": (Value.logsumexp, lambda x, axis, keepdims:
                  np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims)), ANY),
}


@st.composite
def shape_and_axis(draw):
    """A shape, then axis=None, an int (maybe negative) or a tuple of axes, and keepdims."""
    shape = draw(shapes())
    ndim = len(shape)
    choices = [st.none()]
    if ndim:
        choices += [st.integers(-ndim, ndim - 1), hnp.valid_tuple_axes(ndim, min_size=1)]
    return shape, draw(st.one_of(choices)), draw(st.booleans())


@pytest.mark.parametrize("name", REDUCTIONS)
@FAST
@given(data=st.data())
def test_reduction_forward_matches_numpy(name, data):
    method, ref, domain = REDUCTIONS[name]
    shape, axis, keepdims = data.draw(shape_and_axis())
    x = data.draw(one_input(domain, shape))
    assert_close(method(Value(x), axis=axis, keepdims=keepdims).data,
                 ref(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", REDUCTIONS)
@FAST
@given(data=st.data())
def test_reduction_gradient(name, data):
    method, _, domain = REDUCTIONS[name]
    shape, axis, keepdims = data.draw(shape_and_axis())
    check_grad(lambda v: method(v, axis=axis, keepdims=keepdims),
               data.draw(one_input(domain, shape)))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_a_scalar_is_the_scalar(name):
    method = REDUCTIONS[name][0]
    v = Value(-1.25)
    out = method(v)
    assert type(out.data) is float and out.data == -1.25
    out.backward()
    assert type(v.grad) is float and v.grad == 1.0


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [0, -1, (0,)])
def test_reduction_of_a_0d_tensor_accepts_axis_0_like_torch(name, axis):
    method = REDUCTIONS[name][0]
    out = method(Value(np.array(1.5)), axis=axis)
    assert float(out.data) == 1.5 and np.shape(out.data) == ()


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [2, -3, (0, 2)])
def test_reduction_axis_out_of_range_raises_value_error(name, axis):
    with pytest.raises(ValueError, match="axis"):
        REDUCTIONS[name][0](Value(np.ones((2, 3))), axis=axis)


@pytest.mark.parametrize("method, x, axis, expected", [
    (Value.max, [1.0, 3.0, 3.0, 2.0], None, [0.0, 0.5, 0.5, 0.0]),
    (Value.min, [1.0, 3.0, 1.0, 2.0], None, [0.5, 0.0, 0.5, 0.0]),
    (Value.max, [[1.0, 1.0], [0.0, 2.0]], 1, [[0.5, 0.5], [0.0, 1.0]]),
    (Value.max, [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]], None, np.full((2, 3), 1 / 6)),
    (Value.min, [[0.0, 5.0], [0.0, -1.0]], 0, [[0.5, 0.0], [0.5, 1.0]]),
], ids=["max", "min", "max-axis", "all-tied", "min-axis"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_ties_share_the_gradient_equally(method, x, axis, expected, keepdims):
    v = Value(np.array(x))
    method(v, axis=axis, keepdims=keepdims).sum().backward()
    np.testing.assert_allclose(v.grad, expected, rtol=1e-15)


def test_mean_gradient_is_one_over_count():
    v = Value(np.ones((2, 3, 4)))
    v.mean(axis=(0, 2)).sum().backward()
    np.testing.assert_allclose(v.grad, np.full((2, 3, 4), 1 / 8), rtol=1e-15)


@pytest.mark.parametrize("x, axis, expected", [
    ([1000.0, 1000.0], None, 1000.0 + math.log(2.0)),
    ([-1000.0, -1000.0], None, -1000.0 + math.log(2.0)),
    ([-math.inf, 0.0], None, 0.0),
    ([-math.inf, -math.inf], None, -math.inf),
    ([[1000.0, 0.0], [-1000.0, -1000.0]], 1, [1000.0, -1000.0 + math.log(2.0)]),
], ids=["large", "very-negative", "one-minus-inf", "all-minus-inf", "rows"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(0), as numpy itself warns
def test_logsumexp_is_stable(x, axis, expected):
    out = Value(np.array(x)).logsumexp(axis=axis)
    np.testing.assert_allclose(out.data, expected, rtol=1e-15)


def test_logsumexp_gradient_is_softmax_even_for_large_inputs():
    v = Value(np.array([1000.0, 1000.0, 0.0]))
    v.logsumexp().backward()
    np.testing.assert_allclose(v.grad, [0.5, 0.5, 0.0], atol=1e-300)


# ---- softmax and log_softmax ----------------------------------------------------------------
def softmax_reference(x, axis):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


SOFTMAXES = {
    "softmax": (Value.softmax, softmax_reference),
    "log_softmax": (Value.log_softmax, lambda x, axis: np.log(softmax_reference(x, axis))),
}


@st.composite
def shape_and_one_axis(draw):
    shape = draw(shapes(min_dims=1))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@pytest.mark.parametrize("name", SOFTMAXES)
@FAST
@given(shape_axis=shape_and_one_axis(), data=st.data())
def test_softmax_forward_and_gradient(name, shape_axis, data):
    method, ref = SOFTMAXES[name]
    shape, axis = shape_axis
    x = data.draw(one_input(ANY, shape))
    assert_close(method(Value(x), axis=axis).data, ref(x, axis))
    check_grad(lambda v: method(v, axis=axis), x)


def test_softmax_default_axis_is_last(rng):
    x = rng.standard_normal((2, 3))
    assert_close(Value(x).softmax().data, softmax_reference(x, -1))
    assert_close(Value(x).log_softmax().data, np.log(softmax_reference(x, -1)))


def test_softmax_and_log_softmax_are_stable_for_large_inputs():
    x = Value(np.array([[1000.0, 1000.0, -1000.0], [0.0, -1e4, 1e4]]))
    np.testing.assert_allclose(x.softmax().data, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]],
                               atol=1e-300)
    np.testing.assert_allclose(x.log_softmax().data,
                               [[-math.log(2), -math.log(2), -2000 - math.log(2)],
                                [-1e4, -2e4, 0.0]], rtol=1e-12)
    (x.log_softmax()[0, 0] + x.softmax()[1, 2]).backward()
    assert np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(x.grad[0], [0.5, -0.5, 0.0], atol=1e-12)


@pytest.mark.parametrize("name, value", [("softmax", 1.0), ("log_softmax", 0.0)])
def test_softmax_of_a_scalar(name, value):
    v = Value(3.0)
    out = SOFTMAXES[name][0](v)
    assert type(out.data) is float and out.data == value
    out.backward()
    assert v.grad == 0.0


# ---- shape ops: reshape, transpose, getitem, concat, stack ----------------------------------
RESHAPES = {
    "reversed": lambda v, s: v.reshape(s[::-1]),
    "flat": lambda v, s: v.reshape(-1),
    "leading-1-tuple": lambda v, s: v.reshape((1,) + s),
    "args": lambda v, s: v.reshape(*s, 1),
    "list": lambda v, s: v.reshape(list(s)),
}


@pytest.mark.parametrize("how", RESHAPES)
@FAST
@given(shape=shapes(), data=st.data())
def test_reshape(how, shape, data):
    x = data.draw(one_input(ANY, shape))
    f = RESHAPES[how]
    target = {"reversed": shape[::-1], "flat": (-1,), "leading-1-tuple": (1,) + shape,
              "args": shape + (1,), "list": shape}[how]
    assert_close(f(Value(x), shape).data, x.reshape(target))
    check_grad(lambda v: f(v, shape), x)


def test_reshape_of_a_scalar_gives_a_tensor_and_a_float_gradient():
    s = Value(2.0)
    out = s.reshape(1, 1)
    assert out.shape == (1, 1) and type(out.data) is np.ndarray
    (out * 3.0).sum().backward()
    assert type(s.grad) is float and s.grad == 3.0


@FAST
@given(shape=shapes(), data=st.data())
def test_transpose(shape, data):
    x = data.draw(one_input(ANY, shape))
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    assert_close(Value(x).transpose(*axes).data, np.transpose(x, axes))
    assert_close(Value(x).transpose(axes).data, np.transpose(x, axes))
    assert_close(Value(x).transpose().data, np.transpose(x))
    assert_close(Value(x).T.data, x.T)
    check_grad(lambda v: v.transpose(*axes), x)
    check_grad(lambda v: v.T, x)


@pytest.mark.parametrize("shape, axes", [((2, 3), (-1, 0)), ((2, 3, 4), (0, -1, 1)),
                                         ((2, 3, 4), (-2, 0, -1))], ids=str)
def test_transpose_with_negative_axes(shape, axes, rng):
    x = rng.standard_normal(shape)
    assert_close(Value(x).transpose(*axes).data, np.transpose(x, axes))
    check_grad(lambda v: v.transpose(*axes), x)


def test_transpose_of_a_scalar_is_itself():
    assert Value(2.0).T.data == 2.0


X45 = np.arange(20.0).reshape(4, 5) / 7.0
INDICES = {
    "int": 2, "negative-int": -1, "slice": slice(1, 3), "step": slice(None, None, 2),
    "row-col": (1, 3), "col": (slice(None), 2), "mixed": (1, slice(None, None, -2)),
    "list": [0, 2, 2, 3], "int-array": np.array([[0, 1], [1, 1]]),
    "pairs-repeated": (np.array([0, 0, 3]), np.array([1, 1, 4])),
    "bool-rows": np.array([True, False, True, True]),
    "bool-mask": X45 > 1.0, "ellipsis": (Ellipsis, 0), "newaxis": (None, 1),
    "array-and-slice": (slice(1, None), np.array([4, 4, 0])),
}


@pytest.mark.parametrize("name", INDICES)
def test_getitem_forward_and_gradient(name):
    index = INDICES[name]
    assert_close(Value(X45)[index].data, X45[index])
    check_grad(lambda v: v[index], X45)


def test_getitem_repeated_indices_add_up():
    v = Value(np.zeros(4))
    v[[0, 2, 2, 2, 3, 0]].sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 0.0, 3.0, 1.0])


def test_getitem_boolean_mask_gradient_is_the_mask():
    x = np.array([[1.0, -2.0], [-3.0, 4.0]])
    v = Value(x)
    v[x > 0].sum().backward()
    np.testing.assert_array_equal(v.grad, [[1.0, 0.0], [0.0, 1.0]])


def test_getitem_float_index_array_raises_type_error():
    with pytest.raises(TypeError, match="float64"):
        Value(np.arange(4.0))[np.array([0.0, 1.0])]


CONCATS = [([(2, 3), (1, 3)], 0), ([(2, 3), (2, 1), (2, 2)], 1), ([(2, 3), (2, 2)], -1),
           ([(3,), (1,)], 0), ([(2, 1, 2), (2, 3, 2)], 1), ([(2,)], 0)]


@pytest.mark.parametrize("shapes_, axis", CONCATS, ids=str)
def test_concat(shapes_, axis, rng):
    xs = [rng.standard_normal(s) for s in shapes_]
    assert_close(autograd.concat([Value(x) for x in xs], axis=axis).data,
                 np.concatenate(xs, axis=axis))
    check_grad(lambda *vs: autograd.concat(list(vs), axis=axis), *xs)


def test_concat_with_constants_and_default_axis():
    v = Value(np.ones(2))
    out = autograd.concat([np.zeros(1), v, [5.0]])
    np.testing.assert_array_equal(out.data, [0.0, 1.0, 1.0, 5.0])
    (out * np.arange(4.0)).sum().backward()
    np.testing.assert_array_equal(v.grad, [1.0, 2.0])


def test_concat_shape_mismatch_raises_value_error_naming_concat():
    with pytest.raises(ValueError, match="concat"):
        autograd.concat([Value(np.ones((2, 3))), Value(np.ones((2, 4)))])


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack(axis, rng):
    xs = [rng.standard_normal((2, 3)) for _ in range(3)]
    assert_close(autograd.stack([Value(x) for x in xs], axis=axis).data,
                 np.stack(xs, axis=axis))
    check_grad(lambda *vs: autograd.stack(list(vs), axis=axis), *xs)


def test_stack_of_scalar_values():
    a, b = Value(1.0), Value(2.0)
    out = autograd.stack([a, b, a])
    np.testing.assert_array_equal(out.data, [1.0, 2.0, 1.0])
    (out * np.array([1.0, 10.0, 100.0])).sum().backward()
    assert (a.grad, b.grad) == (101.0, 10.0)


def test_stack_needs_equal_shapes():
    with pytest.raises(ValueError, match="stack"):
        autograd.stack([Value(np.ones(2)), Value(np.ones(3))])


# ---- where ----------------------------------------------------------------------------------
@FAST
@given(shapes3=broadcast_shapes(3), data=st.data())
def test_where_forward_and_gradient(shapes3, data):
    cond = data.draw(hnp.arrays(bool, shapes3[0]))
    a, b = data.draw(inputs((ANY, ANY), shapes3[1:]))
    assert_close(autograd.where(cond, Value(a), Value(b)).data, np.where(cond, a, b))
    check_grad(lambda va, vb: autograd.where(cond, va, vb), a, b)


@pytest.mark.parametrize("cond", [np.array([True, False, True]), [True, False, True],
                                  Value(np.array([1.0, 0.0, 1.0]), requires_grad=False)],
                         ids=["bool-array", "list", "Value"])
def test_where_condition_forms_and_gradient(cond):
    a, b = Value(np.array([1.0, 2.0, 3.0])), Value(np.array([-1.0, -2.0, -3.0]))
    out = autograd.where(cond, a, b)
    np.testing.assert_array_equal(out.data, [1.0, -2.0, 3.0])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0])


def test_where_with_scalar_and_number_branches():
    a = Value(2.0)
    out = autograd.where(np.array([True, False]), a, 0.0)
    np.testing.assert_array_equal(out.data, [2.0, 0.0])
    out.sum().backward()
    assert type(a.grad) is float and a.grad == 1.0


# ---- every op: float32 in, float32 out; second derivatives ----------------------------------
def _positive(*shape, seed):
    """Positive values in [0.3, 2] (continuous draws: no ties, none near 1 +- 1e-3)."""
    return np.random.default_rng(seed).uniform(0.3, 2.0, shape)


X, Y, M = _positive(2, 3, seed=1), _positive(2, 3, seed=2), _positive(3, 2, seed=3)
# name: (function of Values, its inputs); the inputs keep away from kinks.
OPS = {
    "add": (operator.add, [X, Y]),
    "sub": (operator.sub, [X, Y[0]]),
    "mul": (operator.mul, [X, Y[:, :1]]),
    "div": (operator.truediv, [X, Y]),
    "pow": (operator.pow, [X, Y]),
    "scalar*tensor": (lambda s, t: (s * t) / (t + s), [1.7, X]),
    "matmul": (operator.matmul, [X, M]),
    "matvec": (operator.matmul, [X, M[:, 0]]),
    "batched-matmul": (operator.matmul, [_positive(2, 1, 2, 3, seed=4),
                                         _positive(3, 3, 2, seed=5)]),
    "vec-batched-matmul": (operator.matmul, [M[:, 0], _positive(2, 3, 4, seed=6)]),
    "neg": (operator.neg, [X]),
    "exp": (lambda a: a.exp(), [X]),
    "log": (lambda a: a.log(), [X]),
    "sqrt": (lambda a: a.sqrt(), [X]),
    "abs": (lambda a: (a - 1.0).abs(), [X]),
    "tanh": (lambda a: a.tanh(), [X]),
    "sigmoid": (lambda a: a.sigmoid(), [X]),
    "relu": (lambda a: (a - 1.0).relu(), [X]),
    "leaky_relu": (lambda a: (a - 1.0).leaky_relu(0.2), [X]),
    "clip": (lambda a: a.clip(0.8, 1.4), [X]),
    "sum": (lambda a: a.sum(axis=1), [X]),
    "mean": (lambda a: a.mean(axis=0, keepdims=True), [X]),
    "max": (lambda a: a.max(axis=1), [X]),
    "min": (lambda a: a.min(), [X]),
    "logsumexp": (lambda a: a.logsumexp(axis=0), [X]),
    "softmax": (lambda a: a.softmax(axis=1), [X]),
    "log_softmax": (lambda a: a.log_softmax(axis=0), [X]),
    "reshape": (lambda a: a.reshape(3, 2), [X]),
    "transpose": (lambda a: a.T, [X]),
    "getitem": (lambda a: a[[0, 1, 1], 1:], [X]),
    "concat": (lambda a, b: autograd.concat([a, b], axis=1), [X, Y]),
    "stack": (lambda a, b: autograd.stack([a, b], axis=-1), [X, Y]),
    "where": (lambda a, b: autograd.where(X > 1.0, a, b), [X, Y]),
    "maximum": (autograd.maximum, [X, Y]),
    "minimum": (autograd.minimum, [X, Y]),
}


@pytest.mark.parametrize("name", OPS)
def test_float32_in_float32_out(name):
    f, args = OPS[name]
    values = [Value(a if type(a) is float else a.astype(np.float32)) for a in args]
    out = f(*values)
    assert out.dtype == np.float32 and out.data.dtype == np.float32
    out.backward(np.ones(out.shape, np.float32))
    for v in values:
        if v.ndim:
            assert v.grad.dtype == np.float32 and v.grad.shape == v.shape
        else:
            assert type(v.grad) is float


@pytest.mark.parametrize("name", OPS)
def test_second_derivatives_match_finite_differences(name, rng):
    """grad(create_graph=True) gives the plain gradient, and differentiating it again agrees
    with central differences of that gradient (a second-order gradcheck)."""
    f, args = OPS[name]
    weights = rng.standard_normal(f(*[Value(a) for a in args]).shape)
    for i in range(len(args)):
        def gradient(*values):  # d sum(f * weights) / d input i, itself differentiable
            return grad((f(*values) * weights).sum(), values[i], create_graph=True)[0]

        values = [Value(a) for a in args]
        (f(*values) * weights).sum().backward()
        first = gradient(*values)
        assert_close(first.data, values[i].grad, rtol=1e-12)

        u = rng.standard_normal(np.shape(args[i]))
        second = grad((first * u).sum(), values)  # zero if the gradient is constant
        numeric = numerical_grad(lambda *xs: (gradient(*xs) * u).sum(), args)
        for s, n in zip(second, numeric):
            assert_close(s.data, n, rtol=1e-5, atol=1e-6)


# ---- comparison with PyTorch ----------------------------------------------------------------
TORCH_CASES = {
    # name: (our function, torch function, inputs)
    "softmax": (lambda a: a.softmax(axis=0), lambda torch, a: a.softmax(dim=0), [(3, 4)]),
    "log_softmax": (lambda a: a.log_softmax(), lambda torch, a: a.log_softmax(dim=-1),
                    [(3, 4)]),
    "logsumexp": (lambda a: a.logsumexp(axis=(0, 2), keepdims=True),
                  lambda torch, a: a.logsumexp(dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    "matmul": (operator.matmul, lambda torch, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    "div-pow": (lambda a, b: (a / b) ** b.tanh(), lambda torch, a, b: (a / b) ** b.tanh(),
                [(3, 1), (1, 4)]),
    "sigmoid-mean": (lambda a: a.sigmoid().mean(axis=1),
                     lambda torch, a: a.sigmoid().mean(dim=1), [(3, 4)]),
    "getitem": (lambda a: a[[0, 2, 2], 1:], lambda torch, a: a[[0, 2, 2], 1:], [(3, 4)]),
    "where-stack": (lambda a, b: autograd.stack([autograd.where(a.data > 1, a, b), b], 1),
                    lambda torch, a, b: torch.stack([torch.where(a > 1, a, b), b], 1),
                    [(3, 4), (3, 4)]),
}


@pytest.mark.parametrize("name", TORCH_CASES)
def test_matches_torch(name, torch, rng):
    ours, theirs, arg_shapes = TORCH_CASES[name]
    args = [rng.uniform(0.5, 2.0, s) for s in arg_shapes]
    values = [Value(a) for a in args]
    tensors = [torch.tensor(a, requires_grad=True) for a in args]
    out, ref = ours(*values), theirs(torch, *tensors)
    assert_close(out.data, ref.detach().numpy())
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    for v, t in zip(values, tensors):
        assert_close(v.grad, t.grad.numpy())


@pytest.mark.parametrize("ours, theirs", [
    (lambda a: a.relu(), lambda torch, a: a.relu()),
    (lambda a: a.abs(), lambda torch, a: a.abs()),
    (lambda a: a.leaky_relu(0.1), lambda torch, a: torch.nn.functional.leaky_relu(a, 0.1)),
    (lambda a: a.clip(0.0, 1.0), lambda torch, a: a.clamp(0.0, 1.0)),
    (lambda a: a.max(axis=1), lambda torch, a: a.amax(dim=1)),
    (lambda a: a.min(), lambda torch, a: a.amin()),
    (lambda a: autograd.maximum(a, a.T), lambda torch, a: torch.maximum(a, a.T)),
    (lambda a: autograd.minimum(a, 0.0),
     lambda torch, a: torch.minimum(a, torch.zeros_like(a))),
], ids=["relu", "abs", "leaky_relu", "clip", "max", "min", "maximum", "minimum"])
def test_gradients_at_kinks_and_ties_match_torch(ours, theirs, torch):
    x = np.array([[0.0, 1.0, 1.0], [-1.0, 0.0, 1.0], [1.0, -2.0, 0.0]])
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    out, ref = ours(v), theirs(torch, t)
    assert_close(out.data, ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    assert_close(v.grad, t.grad.numpy())


def test_large_logits_match_torch(torch):
    x = np.array([[1000.0, 999.0, -1000.0], [-5e3, 5e3, 0.0]])
    for ours, theirs in [(Value.softmax, torch.softmax), (Value.log_softmax, torch.log_softmax)]:
        v, t = Value(x), torch.tensor(x, requires_grad=True)
        out, ref = ours(v, axis=1), theirs(t, dim=1)
        assert_close(out.data, ref.detach().numpy())
        out[:, 0].sum().backward()
        ref[:, 0].sum().backward()
        assert_close(v.grad, t.grad.numpy())
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    v.logsumexp(axis=1).sum().backward()
    t.logsumexp(dim=1).sum().backward()
    assert_close(v.grad, t.grad.numpy())
