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
