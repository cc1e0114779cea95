"""What the op spec (opspec.py, test_opspec.py) does not say: the gradient conventions at
kinks and ties (PyTorch's), numerical stability at extreme inputs, argument forms, shape
errors, and batched matmul over hypothesis-drawn broadcasting shapes."""
import math
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn.functional as F
from autograd import Value
from agtest import ANY, FAST, assert_close, broadcast_shapes, check_grad


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


def test_scalar_value_mixed_with_tensor_value_gradient():
    check_grad(lambda s, t: (s * t + s / t - t ** s).tanh(), 0.7, np.array([[0.5, 1.5, 2.0]]))


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
@FAST
@given(batch=broadcast_shapes(2, max_dims=2), nkm=st.tuples(*[st.integers(1, 4)] * 3),
       data=st.data())
def test_matmul_batched_with_broadcasting(batch, nkm, data):
    n, k, m = nkm
    a = data.draw(hnp.arrays(np.float64, batch[0] + (n, k), elements=ANY))
    b = data.draw(hnp.arrays(np.float64, batch[1] + (k, m), elements=ANY))
    assert_close((Value(a) @ Value(b)).data, np.einsum("...ij,...jk->...ik", a, b))
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
REDUCTIONS = ("sum", "mean", "max", "min", "logsumexp")  # methods of Value, reducing over axis


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_a_scalar_is_the_scalar(name):
    method = getattr(Value, name)
    v = Value(-1.25)
    out = method(v)
    assert type(out.data) is float and out.data == -1.25
    out.backward()
    assert type(v.grad) is float and v.grad == 1.0


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [0, -1, (0,)])
def test_reduction_of_a_0d_tensor_accepts_axis_0_like_torch(name, axis):
    out = getattr(Value, name)(Value(np.array(1.5)), axis=axis)
    assert float(out.data) == 1.5 and np.shape(out.data) == ()


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [2, -3, (0, 2)])
def test_reduction_axis_out_of_range_raises_value_error(name, axis):
    with pytest.raises(ValueError, match="axis"):
        getattr(Value, name)(Value(np.ones((2, 3))), axis=axis)


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
    out = getattr(v, name)()
    assert type(out.data) is float and out.data == value
    out.backward()
    assert v.grad == 0.0


# ---- shape ops: reshape, transpose, getitem, concat, stack ----------------------------------
def test_reshape_of_a_scalar_gives_a_tensor_and_a_float_gradient():
    s = Value(2.0)
    out = s.reshape(1, 1)
    assert out.shape == (1, 1) and isinstance(out.data, np.ndarray)
    (out * 3.0).sum().backward()
    assert type(s.grad) is float and s.grad == 3.0


def test_transpose_of_a_scalar_is_itself():
    assert Value(2.0).T.data == 2.0


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


def test_concat_with_constants_and_default_axis():
    v = Value(np.ones(2))
    out = autograd.concat([np.zeros(1), v, [5.0]])
    np.testing.assert_array_equal(out.data, [0.0, 1.0, 1.0, 5.0])
    (out * np.arange(4.0)).sum().backward()
    np.testing.assert_array_equal(v.grad, [1.0, 2.0])


def test_concat_shape_mismatch_raises_value_error_naming_concat():
    with pytest.raises(ValueError, match="concat"):
        autograd.concat([Value(np.ones((2, 3))), Value(np.ones((2, 4)))])


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


# ---- conventions compared with PyTorch ------------------------------------------------------
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
    (lambda a: a.sign(), lambda torch, a: a.sign()),
    (lambda a: a.floor() + a.ceil() + a.trunc(), lambda torch, a: a.floor() + a.ceil() + a.trunc()),
    (lambda a: a.copysign(a.T), lambda torch, a: a.copysign(a.T)),
    (lambda a: a.logaddexp(a.T), lambda torch, a: a.logaddexp(a.T)),
    (lambda a: a.fmod(a.T + 3) + a % (a.T - 3), lambda torch, a: a.fmod(a.T + 3) + a % (a.T - 3)),
    (lambda a: a.div(a.T + 3, rounding_mode="floor"),
     lambda torch, a: a.div(a.T + 3, rounding_mode="floor")),
], ids=["relu", "abs", "leaky_relu", "clip", "max", "min", "maximum", "minimum", "sign",
        "floor-ceil-trunc", "copysign", "logaddexp", "fmod-remainder", "div-floor"])
def test_gradients_at_kinks_and_ties_match_torch(ours, theirs, torch):
    x = np.array([[0.0, 1.0, 1.0], [-1.0, 0.0, 1.0], [1.0, -2.0, 0.0]])
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    out, ref = ours(v), theirs(torch, t)
    assert_close(out.data, ref.detach().numpy())
    out.sum().backward()
    ref.sum().backward()
    assert_close(v.grad, t.grad.numpy())


@pytest.mark.parametrize("name, kwargs", [
    ("relu6", {}), ("hardtanh", {}), ("hardtanh", {"min_val": -3.0, "max_val": 6.0}),
    ("hardsigmoid", {}), ("hardswish", {}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("celu", {"alpha": 0.5}), ("selu", {}), ("softplus", {"beta": 0.5, "threshold": 3.0}),
    ("softsign", {}), ("logsigmoid", {}), ("leaky_relu", {}), ("silu", {}), ("mish", {}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"})])
def test_activation_gradients_at_kinks_match_torch(name, kwargs, torch):
    """At 0 (both signs), +-1, +-3 and 6: relu6, hardtanh and hardsigmoid have slope 0 at
    their bounds, elu and selu the exponential side's slope at 0, softplus is log(1 + e^x)
    at its threshold."""
    x = np.array([-6.0, -3.0, -1.0, -0.0, 0.0, 1.0, 3.0, 6.0])
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    out, ref = getattr(F, name)(v, **kwargs), getattr(torch.nn.functional, name)(t, **kwargs)
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10  # torch's hardsigmoid uses a float32 1/6
    assert_close(out.data, ref.detach().numpy(), rtol=rtol)
    out.sum().backward()
    ref.sum().backward()
    assert_close(v.grad, t.grad.numpy(), rtol=rtol)


@pytest.mark.parametrize("name, kwargs", [
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 50.0}), ("logsigmoid", {}),
    ("sigmoid", {}), ("tanh", {}), ("silu", {}), ("mish", {}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("elu", {}), ("celu", {"alpha": 2.0}), ("selu", {}),
    ("softsign", {}), ("hardswish", {})])
def test_activations_at_large_inputs_match_torch_without_overflow(name, kwargs, torch):
    x = np.array([-1e4, -800.0, -100.0, -30.0, -19.5, 0.5, 19.5, 30.0, 100.0, 800.0, 1e4])
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = getattr(F, name)(v, **kwargs)
        out.sum().backward()
    ref = getattr(torch.nn.functional, name)(t, **kwargs)
    ref.sum().backward()
    assert_close(out.data, ref.detach().numpy())
    assert_close(v.grad, t.grad.numpy())


def test_logaddexp_of_large_and_infinite_inputs_matches_torch(torch):
    a = np.array([1e4, -1e4, 800.0, -np.inf, np.inf, 3.0])
    b = np.array([1e4, 0.0, -800.0, -np.inf, 5.0, -np.inf])
    assert_close(Value(a).logaddexp(b).data, torch.logaddexp(torch.tensor(a), torch.tensor(b)))
    v, t = Value(a[:3]), torch.tensor(a[:3], requires_grad=True)
    v.logaddexp(b[:3]).sum().backward()
    torch.logaddexp(t, torch.tensor(b[:3])).sum().backward()
    assert_close(v.grad, t.grad.numpy())


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, math.inf])
def test_normalize_of_a_zero_slice_has_torchs_finite_gradient(p, torch):
    x = np.array([[0.0, 0.0, 0.0], [3.0, -4.0, 1e-13]])
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    out, ref = F.normalize(v, p), torch.nn.functional.normalize(t, p)
    assert_close(out.data, ref.detach().numpy())
    upstream = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    assert np.all(np.isfinite(v.grad))
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


# ---- elementwise math: tests, functions and arguments ---------------------------------------
@pytest.mark.parametrize("name", ["isfinite", "isinf", "isnan"])
def test_isfinite_isinf_isnan_give_bool_constants_as_torch(name, torch):
    x = np.array([1.5, -0.0, np.inf, -np.inf, np.nan])
    v = Value(x)
    out = getattr(autograd, name)(v)
    assert out.dtype == bool and not out.requires_grad
    np.testing.assert_array_equal(out.data, getattr(torch, name)(torch.tensor(x)).numpy())
    for number, expected in zip(x.tolist(), out.data):
        scalar = getattr(Value(number), name)()
        assert type(scalar.data) is not float and scalar.shape == ()
        assert scalar.data.dtype == bool and bool(scalar.data) == expected


def test_remainder_takes_the_divisors_sign_and_fmod_the_dividends(torch):
    a, b = np.array([5.5, -5.5, 5.5, -5.5]), np.array([2.0, 2.0, -2.0, -2.0])
    np.testing.assert_array_equal((Value(a) % b).data, [1.5, 0.5, -0.5, -1.5])
    np.testing.assert_array_equal(Value(a).fmod(b).data, [1.5, -1.5, 1.5, -1.5])
    np.testing.assert_array_equal((Value(a) // b).data, [2.0, -3.0, -3.0, 2.0])
    np.testing.assert_array_equal(Value(a).div(b, rounding_mode="trunc").data, [2, -2, -2, 2])
    assert (Value(1.0) // 0.1).data == 9.0 and (Value(1.0) % 0.1).data == 1.0 % 0.1  # exact
    assert (7.0 % Value(2.0)).data == 1.0 and (7.0 // Value(2.0)).data == 3.0
    ta, tb = torch.tensor(a), torch.tensor(b)
    assert_close((Value(a) % b).data, (ta % tb).numpy())
    assert_close(Value(a).fmod(b).data, ta.fmod(tb).numpy())
    b, tb = Value(0.1), torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    (1.0 % b).backward()
    torch.remainder(torch.tensor(1.0, dtype=torch.float64), tb).backward()
    assert b.grad == tb.grad.item() == -9.0  # -(1 // 0.1), not -floor(1 / 0.1)


def test_log2_log10_exp2_are_exact_at_powers():
    x = Value(np.array([1.0, 8.0, 1000.0, 1024.0]))
    np.testing.assert_array_equal(x.log2().data, [0.0, 3.0, np.log2(1000.0), 10.0])
    np.testing.assert_array_equal(x.log10().data, [0.0, np.log10(8.0), 3.0, np.log10(1024.0)])
    np.testing.assert_array_equal(Value(np.array([3.0, -2.0])).exp2().data, [8.0, 0.25])


_MATH_FUNCTIONS = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
                   "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                   "cosh", "tanh", "asinh", "atanh", "erf", "sigmoid", "relu",
                   "sign", "floor", "ceil", "trunc"]


@pytest.mark.parametrize("name", _MATH_FUNCTIONS)
def test_math_functions_are_the_methods_and_take_numbers(name):
    x = np.array([0.3, 0.6, 0.45])
    assert_close(getattr(autograd, name)(Value(x)).data, getattr(Value(x), name)().data)
    constant = getattr(autograd, name)(0.3)
    assert isinstance(constant, Value) and not constant.requires_grad
    assert constant.data == getattr(Value(0.3), name)().data


def test_arc_aliases_and_pow_forms():
    x = Value(np.array([0.2, -0.4]))
    assert Value.arcsin is Value.asin and autograd.arctanh is autograd.atanh
    w = Value(np.array([[1.5], [2.0]]))
    out = autograd.pow(x * x + 1, w) + 2 ** x + autograd.pow(2.0, x)
    assert out.shape == (2, 2)
    out.sum().backward()
    base = x.data * x.data + 1
    assert_close(w.grad, (base ** w.data * np.log(base)).sum(axis=1, keepdims=True))
    assert autograd.pow(2.0, 3.0) == 8.0


@pytest.mark.parametrize("call, message", [
    (lambda: Value(1.0).div(2.0, rounding_mode="round"), "div: rounding_mode"),
    (lambda: F.gelu(Value(1.0), approximate="erf"), "gelu: approximate"),
    (lambda: F.hardtanh(Value(1.0), 1.0, -1.0), "hardtanh: min_val"),
    (lambda: F.normalize(Value(np.ones((2, 2))), p=0), "normalize: p"),
    (lambda: F.softmin(Value(np.ones((2, 2))), dim=0, axis=1), "softmin: give axis or dim"),
])
def test_activation_and_math_arguments_are_checked(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_softmin_without_dim_warns_and_takes_torchs_implicit_dim(torch):
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    with pytest.warns(UserWarning, match="softmin: implicit dimension"):
        out = F.softmin(Value(x))
    with pytest.warns(UserWarning):
        ref = torch.nn.functional.softmin(torch.tensor(x))
    assert_close(out.data, ref.numpy())
