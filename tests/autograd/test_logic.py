"""Comparisons and logic: elementwise bool (and int64) constants, as PyTorch's; `==` is
elementwise while hash() stays identity. The op spec (opspec.py) checks each op's values
against numpy and PyTorch; this file checks the rest of their contract."""
import numpy as np
import pytest

import autograd
from autograd import Value, grad
from autograd.mode import AxisError, ShapeError

X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])


def test_comparisons_give_bool_constants_with_numbers_and_arrays_on_either_side():
    x = Value(X)
    row = np.array([1.0, 0.0, 3.0])
    for out, expected in [(x > 0, X > 0), (0 < x, X > 0), (x <= row, X <= row),
                          (row >= x, X <= row), (x == row, X == row), (row != x, X != row),
                          (np.float64(1.0) < x, X > 1), (x.data > x, np.zeros((2, 3), bool)),
                          (x == x, np.ones((2, 3), bool))]:
        assert isinstance(out, Value) and out.dtype == np.bool_
        np.testing.assert_array_equal(out.data, expected)
        assert out.requires_grad is False and out.is_leaf


def test_two_python_floats_compare_to_a_0d_bool_array():
    out = Value(2.0) < 3
    assert type(out.data) is not float and out.shape == () and out.dtype == np.bool_
    assert out.item() is True and bool(Value(2.0) == Value(2.0)) is True


def test_a_comparison_of_values_that_need_grad_records_nothing():
    x = Value(X)
    assert (x * 2 > x).parents == () and not (x * 2 > x).requires_grad


def test_eq_with_what_is_no_number_falls_back_to_identity_and_order_raises():
    v = Value(X)
    assert (v == None) is False and (v != "text") is True  # noqa: E711
    with pytest.raises(TypeError, match="'<' not supported"):
        v < None  # noqa: B015


def test_hash_stays_identity_so_values_work_in_sets_and_dicts():
    a, b = Value(1.5), Value(1.5)  # equal data, two Values
    assert hash(a) != hash(b) and len({a, b}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"


def test_the_truth_of_a_multi_element_comparison_is_ambiguous():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Value(X) > 0)
    with pytest.raises(ValueError, match="ambiguous"):
        Value(X) in [Value(X)]  # `in` compares with ==: find Values with `is`


def test_masks_work_in_arithmetic_indexing_and_where_with_numpys_promotion():
    x = Value(X.astype(np.float32))
    assert ((x > 0) * x).dtype == np.float32
    np.testing.assert_array_equal(x[x > 0].data, X[X > 0].astype(np.float32))
    y = Value(X)
    out = autograd.where(y > 0, y, 0.0).sum() + (y > 1).sum()
    out.backward()
    np.testing.assert_array_equal(y.grad, (X > 0).astype(float))
    assert (Value(X) > 0).sum().item() == 4  # bools sum to an int, as in PyTorch


def test_functions_methods_and_operators_agree():
    x, w = Value(X), X[::-1]
    for f in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"):
        np.testing.assert_array_equal(getattr(autograd, f)(x, w).data, getattr(x, f)(w).data)
    np.testing.assert_array_equal(autograd.logical_not(X).data, x.logical_not().data)
    np.testing.assert_array_equal(autograd.lt(X, 1.0).data, X < 1)  # an array as input


def test_isclose_and_allclose_match_numpy_and_allclose_is_a_python_bool():
    a, b = Value(X), X + np.array([1e-9, 1e-3, 0.0])
    np.testing.assert_array_equal(a.isclose(b).data, np.isclose(X, b))
    assert a.allclose(X + 1e-9) is True and autograd.allclose(a, b) is False
    nan = Value([np.nan, 1.0])
    assert not nan.allclose(nan) and nan.allclose(nan, equal_nan=True)


def test_all_and_any_take_dim_or_axis_and_not_both():
    m = Value(X) > 0
    np.testing.assert_array_equal(m.all(dim=1).data, [False, False])
    np.testing.assert_array_equal(autograd.any(m, axis=0, keepdims=True).data,
                                  [[True, True, True]])
    assert autograd.all(Value([1.0, 2.0])).item() is True
    with pytest.raises(TypeError, match="not both"):
        m.all(dim=0, axis=0)


def test_argmax_and_argmin_give_int64_and_the_first_of_ties(torch):
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    t = torch.tensor(ties)
    for dim in (None, 0, 1):
        for name in ("argmax", "argmin"):
            out = getattr(Value(ties), name)(dim=dim)
            assert out.dtype == np.int64
            np.testing.assert_array_equal(out.data, getattr(t, name)(dim=dim).numpy())


def test_argmax_indexes_lists_values_and_arrays():
    scores = Value([0.1, 2.5, -1.0])
    assert ["a", "b", "c"][scores.argmax()] == "b" and scores.argmax().item() == 1
    assert scores[scores.argmax()].item() == 2.5
    with pytest.raises(TypeError, match="integer Values"):
        ["a", "b"][Value(1.0)]


def test_argmax_errors_name_the_op_and_the_shape():
    with pytest.raises(TypeError, match="argmax: give one dim"):
        Value(X).argmax(dim=(0, 1))
    with pytest.raises(AxisError, match="argmin: axis 2"):
        Value(X).argmin(dim=2)
    with pytest.raises(ShapeError, match=r"argmax: .*nothing \(shape \(0,\)"):
        Value(np.zeros(0)).argmax()


def test_masked_fill_is_differentiable_in_the_value_and_in_value():
    x, fill = Value(X), Value(0.5)
    out = x.masked_fill(x < 0, fill)
    np.testing.assert_array_equal(out.data, np.where(X < 0, 0.5, X))
    gx, gfill = grad(out.sum(), [x, fill])
    np.testing.assert_array_equal(gx.data, (X >= 0).astype(float))
    assert gfill.data == 2.0  # two elements were filled


def test_masked_fill_refuses_float_masks_wide_values_and_masks_that_do_not_broadcast():
    x = Value(X)
    with pytest.raises(TypeError, match="masked_fill: the mask must hold bools"):
        x.masked_fill(X * 1.0, 0.0)
    with pytest.raises(ShapeError, match="one-element"):
        x.masked_fill(X > 0, np.ones(3))
    with pytest.raises(ShapeError, match=r"masked_fill: mask of shape \(4,\)"):
        x.masked_fill(np.ones(4, bool), 0.0)
