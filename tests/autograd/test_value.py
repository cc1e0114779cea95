"""The Value class: what it holds (dtype rules, scalars vs tensors), its attributes, the
operators with numbers and arrays on either side, and IEEE behaviour of scalar math."""
import math
import operator

import numpy as np
import pytest

from autograd import Value


# ---- what a Value holds ---------------------------------------------------------------------
@pytest.mark.parametrize("x", [2.5, -0.0, 3, True, 10**20], ids=repr)
def test_python_number_gives_a_scalar_holding_a_float(x):
    v = Value(x)
    assert type(v.data) is float and v.data == float(x)
    assert type(v.grad) is float and v.grad == 0.0
    assert (v.shape, v.ndim, v.size, v.dtype) == ((), 0, 1, np.float64)


@pytest.mark.parametrize("x, expected", [
    ([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])),
    ([1.5, -2.0], np.array([1.5, -2.0])),
    (np.arange(3), np.array([0.0, 1.0, 2.0])),
    (np.array([True, False]), np.array([1.0, 0.0])),
    (np.array(2.5), np.array(2.5)),
    (np.float64(2.0), np.array(2.0)),
    (np.int64(3), np.array(3.0)),
], ids=["nested-int-list", "float-list", "int-array", "bool-array", "0-d-array",
        "np.float64", "np.int64"])
def test_array_like_gives_a_float64_tensor(x, expected):
    v = Value(x)
    assert isinstance(v.data, np.ndarray)
    assert v.data.dtype == np.float64 and v.dtype == np.float64
    assert v.shape == expected.shape and v.ndim == expected.ndim and v.size == expected.size
    np.testing.assert_array_equal(v.data, expected)


def test_numpy_scalar_gives_a_0d_tensor_not_a_float():
    v = Value(np.float64(2.0))
    assert isinstance(v.data, np.ndarray) and v.data.shape == ()
    assert type(v.grad) is np.ndarray and v.grad.shape == ()


@pytest.mark.parametrize("x", [np.ones((2, 3), np.float32), np.float32(1.5),
                               np.ones(2, np.float16)], ids=["f32-array", "f32-scalar", "f16"])
def test_floating_arrays_keep_their_dtype(x):
    v = Value(x)
    assert v.dtype == x.dtype and v.data.dtype == x.dtype
    assert v.grad.dtype == x.dtype and v.grad.shape == np.shape(x)


@pytest.mark.parametrize("x", [1.0, 3, [1, 2], np.arange(3), np.ones(2)], ids=repr)
def test_dtype_argument(x):
    v = Value(x, dtype=np.float32)
    assert v.dtype == np.float32 and v.data.dtype == np.float32
    assert v.grad.dtype == np.float32
    np.testing.assert_array_equal(v.data, np.asarray(x, dtype=np.float32))


def test_dtype_argument_must_be_floating():
    with pytest.raises(TypeError, match="int32"):
        Value([1, 2], dtype=np.int32)


@pytest.mark.parametrize("bad, named", [
    ("hello", "str"), (b"xy", "bytes"), (None, "None"), (1 + 2j, "complex"),
    (np.array([1 + 1j]), "complex"), (np.array([1.0, None], dtype=object), "object"),
    ([[1, 2], [3]], "list"), (Value(1.0), "Value"),
], ids=["str", "bytes", "None", "complex", "complex-array", "object-array", "ragged-list",
        "Value"])
def test_bad_data_raises_type_error_naming_it(bad, named):
    with pytest.raises(TypeError, match=named):
        Value(bad)


def test_value_copies_the_callers_array():
    arr = np.array([1.0, 2.0, 3.0])
    v = Value(arr)
    assert arr.flags.writeable
    arr[0] = 100.0
    np.testing.assert_array_equal(v.data, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("hand_over", ["constructor", "assignment"])
@pytest.mark.parametrize("view", [
    lambda a: a[:],
    lambda a: np.broadcast_to(a, (3,)),
], ids=["read-only-slice", "broadcast_to"])
def test_a_read_only_view_of_a_writable_array_is_copied_too(hand_over, view):
    """Its owner can still write through the base array, so it must not be kept as is."""
    base = np.ones(3)
    ro = view(base)
    ro.flags.writeable = False
    x = Value(ro) if hand_over == "constructor" else Value(np.zeros(3))
    if hand_over == "assignment":
        x.data = ro
    y = (x * x).sum()
    base[0] = 5.0
    y.backward()
    np.testing.assert_array_equal(x.data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_assigning_data_leaves_the_callers_array_writable():
    arr = np.array([1.0, 2.0])
    v = Value(np.zeros(2))
    v.data = arr
    arr[0] = 7.0  # still the caller's
    np.testing.assert_array_equal(v.data, [1.0, 2.0])


@pytest.mark.parametrize("make", [
    lambda: Value(np.ones(3)),
    lambda: Value(np.ones(3)) * 2.0,
    lambda: Value(np.ones((2, 2))).T,
    lambda: Value(np.ones(3))[1:],
], ids=["leaf", "op-result", "transpose-view", "slice-view"])
def test_tensor_data_is_read_only(make):
    v = make()
    with pytest.raises(ValueError, match="read-only"):
        v.data[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        v.numpy()[0] = 5.0


def test_assigning_data_is_allowed_and_the_new_data_is_read_only_too():
    v = Value(np.ones(3))
    new = np.array([4.0, 5.0, 6.0])
    v.data = new
    np.testing.assert_array_equal(v.data, [4.0, 5.0, 6.0])
    with pytest.raises(ValueError, match="read-only"):
        v.data[0] = 0.0
    v.data = [1, 2, 3]  # converted like the constructor does
    assert v.data.dtype == np.float64
    np.testing.assert_array_equal(v.data, [1.0, 2.0, 3.0])


def test_assigning_data_to_a_scalar_keeps_a_float():
    v = Value(1.0)
    v.data = 3
    assert type(v.data) is float and v.data == 3.0


# ---- attributes -----------------------------------------------------------------------------
def test_leaf_attributes():
    v = Value(np.ones((2, 3)), name="w")
    assert v.name == "w" and v.op == "" and v.parents == () and v.is_leaf
    assert v.requires_grad is True
    assert (v.shape, v.ndim, v.size) == ((2, 3), 2, 6)
    assert Value(1.0, requires_grad=False).requires_grad is False


def test_op_result_records_op_name_and_ordered_parents():
    a, b = Value(2.0), Value(3.0)
    c = b * a
    assert c.op == "mul" and not c.is_leaf and c.requires_grad
    assert type(c.parents) is tuple and c.parents[0] is b and c.parents[1] is a
    d = a - 1.0
    assert d.op == "sub" and d.parents[0] is a
    assert d.parents[1].data == 1.0 and d.parents[1].requires_grad is False


@pytest.mark.parametrize("expr, op", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a ** b, "pow"), (lambda a, b: -a, "neg"),
    (lambda a, b: a.exp(), "exp"), (lambda a, b: a.tanh(), "tanh"),
    (lambda a, b: a.relu(), "relu"), (lambda a, b: a.sigmoid(), "sigmoid"),
])
def test_op_names(expr, op):
    assert expr(Value(2.0), Value(3.0)).op == op


def test_item_and_float():
    assert Value(2.5).item() == 2.5 and type(Value(2.5).item()) is float
    for shape in [(), (1,), (1, 1)]:
        v = Value(np.full(shape, 4.0))
        assert v.item() == 4.0 and type(v.item()) is float
        assert float(v) == 4.0
    with pytest.raises(ValueError, match="3"):
        Value(np.ones(3)).item()


def test_numpy_returns_an_array_equal_to_data():
    assert isinstance(Value(2.0).numpy(), np.ndarray) and Value(2.0).numpy() == 2.0
    np.testing.assert_array_equal(Value([[1.0, 2.0]]).numpy(), [[1.0, 2.0]])


def test_len():
    assert len(Value(np.ones((4, 2)))) == 4
    with pytest.raises(TypeError):
        len(Value(1.0))


def test_repr_shows_name_data_grad_and_op():
    a = Value(2.0, name="a")
    b = a * 3.0
    b.backward()
    assert repr(a) == "Value(name='a', data=2.0, grad=3.0)"
    assert "data=6.0" in repr(b) and "grad=1.0" in repr(b) and "op='mul'" in repr(b)
    text = repr(Value(np.arange(1000.0)))
    assert len(text) < 200 and "999" in text  # abbreviated, not 1000 numbers


@pytest.mark.parametrize("make, zero", [
    (lambda: Value(2.0), 0.0),
    (lambda: Value(np.ones((2, 3))), np.zeros((2, 3))),
    (lambda: Value(np.ones((2, 3), np.float32)), np.zeros((2, 3), np.float32)),
    (lambda: Value(np.array(5.0)), np.zeros(())),
    (lambda: Value(2.0) * Value(np.ones(4)), np.zeros(4)),
], ids=["scalar", "tensor", "float32", "0-d", "intermediate"])
def test_grad_is_zero_of_the_right_kind_before_backward(make, zero):
    v = make()
    assert type(v.grad) is type(zero)
    assert np.shape(v.grad) == np.shape(zero)
    assert np.asarray(v.grad).dtype == np.asarray(zero).dtype
    np.testing.assert_array_equal(v.grad, zero)


@pytest.mark.parametrize("data", [1.0, np.ones((2, 2)), np.ones(3, np.float32)],
                         ids=["scalar", "tensor", "float32"])
def test_zero_grad_resets_to_zero(data):
    v = Value(data)
    (v * v).sum().backward()
    assert np.all(np.asarray(v.grad) == 2.0)
    v.zero_grad()
    assert type(v.grad) is type(Value(data).grad)
    assert np.asarray(v.grad).dtype == v.dtype and np.shape(v.grad) == np.shape(data)
    assert np.all(np.asarray(v.grad) == 0.0)


def test_detach_shares_data_and_has_no_history():
    x = Value(np.array([1.0, 2.0]))
    y = x * 3.0
    d = y.detach()
    assert np.shares_memory(d.data, y.data) and d._data is y._data
    assert d.requires_grad is False and d.parents == () and d.op == "" and d.is_leaf
    s = Value(2.0).detach()
    assert type(s.data) is float and s.data == 2.0


def test_detach_blocks_the_gradient():
    x = Value(3.0)
    (x * x.detach()).backward()
    assert x.grad == 3.0  # not 2x = 6


# ---- operators with numbers and arrays on either side ---------------------------------------
BINARY_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": operator.pow,
}


@pytest.mark.parametrize("sym", BINARY_OPERATORS)
@pytest.mark.parametrize("side", ["left", "right"])
def test_ndarray_and_value_give_a_value(sym, side):
    f = BINARY_OPERATORS[sym]
    arr = np.array([1.5, 2.0, 2.5])
    v = Value(np.array([0.5, 1.0, 3.0]))
    out = f(arr, v) if side == "left" else f(v, arr)
    assert isinstance(out, Value)
    expected = f(arr, v.data) if side == "left" else f(v.data, arr)
    np.testing.assert_allclose(out.data, expected, rtol=1e-14)
    out.sum().backward()
    assert np.all(v.grad != 0)  # the gradient reached the Value through the reflected op


@pytest.mark.parametrize("side", ["left", "right"])
def test_ndarray_matmul_value_gives_a_value(side):
    arr = np.arange(6.0).reshape(2, 3)
    v = Value(np.ones((3, 2)) if side == "left" else np.ones((2, 3)))
    out = arr @ v if side == "left" else v.T @ arr
    assert isinstance(out, Value)
    np.testing.assert_array_equal(out.data, arr @ np.ones((3, 2)) if side == "left"
                                  else np.ones((3, 2)) @ arr)


@pytest.mark.parametrize("sym", BINARY_OPERATORS)
def test_python_numbers_on_either_side(sym):
    f = BINARY_OPERATORS[sym]
    v = Value(1.5)
    left, right = f(2.0, v), f(v, 2)
    assert type(left.data) is float and type(right.data) is float
    assert left.data == pytest.approx(f(2.0, 1.5), rel=1e-15)
    assert right.data == pytest.approx(f(1.5, 2.0), rel=1e-15)


def test_numpy_scalar_defers_to_value():
    out = np.float64(2.0) * Value(3.0)
    assert isinstance(out, Value) and float(out.data) == 6.0


@pytest.mark.parametrize("sym", BINARY_OPERATORS)
@pytest.mark.parametrize("other", [2.0, 2, Value(2.0), np.int64(2) * np.ones(3, np.int64),
                                   np.float64(2.0), np.int64(2), np.float16(2.0), np.True_],
                         ids=["float", "int", "scalar-Value", "int-array", "np.float64",
                              "np.int64", "np.float16", "np.bool_"])
def test_float32_stays_float32_with_python_numbers(sym, other):
    f = BINARY_OPERATORS[sym]
    x = Value(np.array([1.0, 2.0, 3.0], np.float32))
    for out in (f(x, other), f(other, x)):
        assert out.dtype == np.float32
        out.backward(np.ones(3, np.float32))
    assert x.grad.dtype == np.float32


def test_float32_with_float64_tensor_promotes_like_numpy_and_grads_keep_their_dtype():
    x32, x64 = Value(np.ones(2, np.float32)), Value(np.ones(2))
    out = x32 * x64
    assert out.dtype == np.float64
    out.sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64


def test_scalar_value_times_tensor_is_a_tensor_and_scalar_grad_is_summed():
    s, t = Value(2.0), Value(np.array([1.0, 2.0, 3.0]))
    out = s * t
    assert isinstance(out.data, np.ndarray) and out.shape == (3,)
    out.sum().backward()
    assert type(s.grad) is float and s.grad == 6.0
    np.testing.assert_array_equal(t.grad, [2.0, 2.0, 2.0])


# ---- scalar math is IEEE arithmetic, like numpy's -------------------------------------------
IEEE_CASES = {
    "1/0": (lambda x: x / 0.0, 1.0, math.inf),
    "-1/0": (lambda x: x / 0.0, -1.0, -math.inf),
    "0/0": (lambda x: x / 0.0, 0.0, math.nan),
    "1/Value(0)": (lambda x: 1.0 / x, 0.0, math.inf),
    "log(-1)": (lambda x: x.log(), -1.0, math.nan),
    "log(0)": (lambda x: x.log(), 0.0, -math.inf),
    "sqrt(-1)": (lambda x: x.sqrt(), -1.0, math.nan),
    "exp(1000)": (lambda x: x.exp(), 1000.0, math.inf),
    "exp(-1000)": (lambda x: x.exp(), -1000.0, 0.0),
    "0**-1": (lambda x: x ** -1.0, 0.0, math.inf),
    "(-8)**(1/3)": (lambda x: x ** (1 / 3), -8.0, math.nan),
    "10**400": (lambda x: x ** 400.0, 10.0, math.inf),
    "tanh(1000)": (lambda x: x.tanh(), 1000.0, 1.0),
    "sigmoid(-1000)": (lambda x: x.sigmoid(), -1000.0, 0.0),
    "sigmoid(1000)": (lambda x: x.sigmoid(), 1000.0, 1.0),
    "inf-inf": (lambda x: x - x, math.inf, math.nan),
}


@pytest.mark.parametrize("case", IEEE_CASES)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_scalar_math_follows_ieee_and_agrees_with_tensors(case):
    f, x, expected = IEEE_CASES[case]
    scalar, tensor = f(Value(x)), f(Value(np.array(x)))
    assert type(scalar.data) is float
    np.testing.assert_equal(scalar.data, expected)
    np.testing.assert_equal(float(tensor.data), expected)


@pytest.mark.parametrize("f, x, expected", [
    (lambda x: x.sqrt(), 0.0, math.inf),
    (lambda x: x.log(), 0.0, math.inf),
    (lambda x: 1.0 / x, 0.0, -math.inf),
    (lambda x: x ** 0.5, 0.0, math.inf),
], ids=["sqrt", "log", "reciprocal", "pow"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_scalar_gradient_at_a_pole_is_ieee_too(f, x, expected):
    s, t = Value(x), Value(np.array(x))
    f(s).backward()
    f(t).backward()
    assert type(s.grad) is float
    np.testing.assert_equal(s.grad, expected)
    np.testing.assert_equal(float(t.grad), expected)
