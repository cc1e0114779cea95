"""numpy on Values (autograd/interop.py) and PyTorch's habits on Value (`clone`, `to`,
`item`, `size()`, ...)."""
import operator

import numpy as np
import pytest

import autograd
from autograd import Value, grad
from autograd.mode import AxisError
from autograd.value import ReadOnlyArray

X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])


def needs(name: str):
    """Skip a test of an op that another part of the engine provides, until it is there."""
    if not hasattr(autograd, name) and not hasattr(Value, name):
        pytest.skip(f"the engine has no {name} yet")


def gradient(f, x):
    """d sum(f(x)) / dx, for a Value x."""
    return grad(f(x).sum(), x)[0].data


# ---- ufuncs ------------------------------------------------------------------------------------
def test_ufuncs_give_values_with_gradients():
    x = Value(X)
    out = np.exp(x)
    assert isinstance(out, Value) and out.op == "exp"
    np.testing.assert_allclose(gradient(np.exp, x), np.exp(X))
    np.testing.assert_allclose(gradient(lambda v: np.maximum(v, 0), x), X > 0)
    np.testing.assert_allclose(gradient(lambda v: np.sqrt(np.abs(v)), x),
                               np.sign(X) / (2 * np.sqrt(np.abs(X))))
    np.testing.assert_array_equal(np.greater(x, 0).data, X > 0)
    np.testing.assert_array_equal(np.logical_not(x > 0).data, X <= 0)


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv,
                                operator.pow, operator.lt, operator.eq])
def test_an_array_or_numpy_number_on_the_left_gives_what_the_reflected_operator_gives(op):
    x, left = Value(np.abs(X) + 0.5), np.array([1.5, 2.0, 0.5])
    for a in (left, np.float64(1.5), Value(left).data):  # .data is a ReadOnlyArray
        out, expected = op(a, x), op(Value(a, requires_grad=False), x)
        assert isinstance(out, Value) and out.op == expected.op
        np.testing.assert_array_equal(out.data, expected.data)
    assert isinstance(x.data, ReadOnlyArray) and isinstance(op(x.data, x), Value)


def test_matmul_and_the_ufuncs_of_python_operators():
    x, w = Value(X), np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose((X @ Value(w)).data, X @ w)
    np.testing.assert_allclose(np.matmul(x, w).data, X @ w)
    np.testing.assert_allclose(np.add(x, 1).data, X + 1)
    np.testing.assert_allclose(np.negative(x).data, -X)
    np.testing.assert_allclose(np.power(2.0, x).data, 2.0 ** X)


def test_ufunc_forms_that_write_or_reduce_are_refused_by_name():
    x = Value(X)
    with pytest.raises(TypeError, match=r"np.add.reduce is not supported"):
        np.add.reduce(x)
    with pytest.raises(TypeError, match=r"np.exp: out= cannot be a Value"):
        np.exp(np.ones(3), out=Value(np.ones(3)))
    with pytest.raises(TypeError, match=r"np.exp: where= not supported"):
        np.exp(x, where=X > 0)
    with pytest.raises(TypeError, match="np.heaviside is not supported on Values"):
        np.heaviside(x, 0.5)


def test_an_array_given_as_out_gets_the_data_as_from_a_tensor():
    total = np.zeros(3)
    total += Value([1.0, 2.0, 3.0])
    assert type(total) is np.ndarray and total.tolist() == [1.0, 2.0, 3.0]
    out = np.empty(3)
    assert np.exp(Value(np.zeros(3)), out=out) is out and out.tolist() == [1.0, 1.0, 1.0]


# ---- functions ---------------------------------------------------------------------------------
def test_numpy_functions_give_values_with_gradients():
    x, w = Value(X), Value(X[::-1].copy())
    np.testing.assert_allclose(np.sum(x, axis=0).data, X.sum(axis=0))
    np.testing.assert_allclose(np.mean(x, 1, keepdims=True).data, X.mean(1, keepdims=True))
    np.testing.assert_allclose(np.reshape(x, (3, 2)).data, X.reshape(3, 2))
    np.testing.assert_allclose(np.transpose(x).data, X.T)
    np.testing.assert_allclose(np.max(x, axis=1).data, X.max(axis=1))
    np.testing.assert_allclose(np.concatenate([x, w], axis=1).data,
                               np.concatenate([X, X[::-1]], axis=1))
    np.testing.assert_allclose(np.stack([x, w]).data, np.stack([X, X[::-1]]))
    np.testing.assert_allclose(gradient(lambda v: np.where(v > 0, v, 0), x), X > 0)
    np.testing.assert_allclose(gradient(lambda v: np.concatenate([v, v * 2]), x), 3.0)
    np.testing.assert_array_equal(np.argmax(x, axis=1).data, X.argmax(axis=1))
    assert np.all(x > -5).item() is True and np.allclose(x, X) is True


def test_numpy_functions_keep_numpys_meaning_where_pytorchs_differs():
    x = Value(X)
    parts = np.split(x, 3, axis=1)  # three equal parts (torch.split(3) takes size-3 parts)
    assert [p.shape for p in parts] == [(2, 1)] * 3
    cuts = np.array_split(x, [1], axis=1)
    np.testing.assert_allclose(cuts[1].data, X[:, 1:])
    np.testing.assert_allclose(gradient(lambda v: np.split(v, [2], axis=1)[1], x),
                               [[0, 0, 1], [0, 0, 1]])
    np.testing.assert_allclose(np.dot(x, X.T).data, X @ X.T)  # numpy's dot of matrices
    np.testing.assert_allclose(np.dot(2.0, x).data, 2 * X)
    assert (np.shape(x), np.ndim(x), np.size(x)) == ((2, 3), 2, 6)


def test_functions_of_other_parts_of_the_engine_keep_numpys_meaning():
    x = Value(X)
    for name, call, expected in [
            ("var", lambda: np.var(x, axis=1), X.var(axis=1)),  # ddof=0, not PyTorch's 1
            ("std", lambda: np.std(x, ddof=1), X.std(ddof=1)),
            ("sort", lambda: np.sort(x, axis=0), np.sort(X, axis=0)),  # values only
            ("cumsum", lambda: np.cumsum(x), np.cumsum(X)),  # no axis: flattened
            ("einsum", lambda: np.einsum("ij,kj->ik", x, x), X @ X.T),
            ("norm", lambda: np.linalg.norm(x), np.linalg.norm(X)),
            ("sin", lambda: np.sin(x), np.sin(X)),
            ("pad", lambda: np.pad(x, ((1, 0), (0, 2))), np.pad(X, ((1, 0), (0, 2)))),
            ("pad", lambda: np.pad(x, 1, mode="edge"), np.pad(X, 1, mode="edge")),
            ("meshgrid", lambda: np.meshgrid(x[0], x[1, :2])[0], np.meshgrid(X[0], X[1, :2])[0]),
            # numpy's repeat is PyTorch's repeat_interleave, whose axis is called dim
            ("repeat_interleave", lambda: np.repeat(x, 2, axis=0), np.repeat(X, 2, axis=0))]:
        if hasattr(autograd, name) or hasattr(Value, name):
            np.testing.assert_allclose(call().data, expected, err_msg=name)


def test_np_where_of_one_argument_is_nonzero():
    needs("nonzero")
    rows, cols = np.where(Value(X) > 0)
    np.testing.assert_array_equal(rows.data, np.nonzero(X > 0)[0])
    np.testing.assert_array_equal(cols.data, np.nonzero(X > 0)[1])


def test_functions_without_an_op_or_with_arguments_it_does_not_take_raise_by_name():
    x = Value(X)
    with pytest.raises(TypeError, match="np.median is not supported on Values"):
        np.median(x)
    with pytest.raises(TypeError, match="np.sum on Values: .*'dtype'"):
        np.sum(x, dtype=np.float32)
    with pytest.raises(TypeError, match="np.linalg.det is not supported"):
        np.linalg.det(x)
    with pytest.raises(TypeError, match="np.dot on Values"):
        np.dot(Value(np.ones((2, 2, 2))), x)


def test_another_librarys_array_type_is_left_to_that_library():
    class Other:
        def __array_function__(self, func, types, args, kwargs):
            return "other"
    assert Value.__array_function__(Value(X), np.sum, (Value, Other), (), {}) \
        is NotImplemented
    assert np.concatenate([Value(X), Other()]) == "other"


# ---- np.asarray and plots ------------------------------------------------------------------------
def test_asarray_gives_the_data_never_an_object_array():
    x = Value(X)
    data = np.asarray(x)
    assert type(data) is np.ndarray and data.dtype == np.float64 and not data.flags.writeable
    np.testing.assert_array_equal(data, X)
    copy = np.array(x)
    assert copy.flags.writeable and np.asarray(x, dtype=np.float32).dtype == np.float32
    assert np.asarray(Value(2.0)).shape == () and np.asarray(Value(2.0)) == 2.0
    assert np.array([Value(1.0), Value(2.0)]).dtype == np.float64


def test_matplotlib_plots_values_as_their_data():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = Value(np.linspace(-2, 2, 9))
    fig, ax = plt.subplots()
    (line,) = ax.plot(x, x.tanh())
    np.testing.assert_allclose(line.get_ydata(), np.tanh(x.data))
    ax.plot(Value(1.0), Value(0.5), "o")  # a 0-d Value is a number, not a sequence
    ax.bar(x, x.abs())
    plt.close(fig)


# ---- PyTorch habits ------------------------------------------------------------------------------
def test_clone_is_a_new_node_gradients_flow_through():
    for data in (2.0, X):
        x = Value(data)
        y = x.clone()
        assert y is not x and y.op == "copy" and type(y.data) is type(x.data)
        (y * 3).sum().backward()
        np.testing.assert_array_equal(x.grad, np.full(np.shape(data), 3.0))


def test_float_casts_are_differentiable_and_cast_the_gradient_back():
    x = Value(X)
    y = x.to(np.float32)
    assert y.dtype == np.float32 and x.float().dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, 2 * X, rtol=1e-6)
    (g,) = grad((x.float() ** 3).sum(), x, create_graph=True)  # 3x^2, then 6x
    np.testing.assert_allclose(grad(g.sum(), x)[0].data, 6 * X, rtol=1e-6)
    s = Value(1.5)
    assert s.float().shape == () and s.float().dtype == np.float32
    s.float().backward()
    assert s.grad == 1.0 and type(s.grad) is float


def test_casts_to_or_from_bools_and_ints_are_constants_and_no_change_is_the_value_itself():
    x = Value(X)
    assert x.to(np.float64) is x and x.double() is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(Value(np.ones(1, np.float32))).dtype == np.float32
    assert x.to("cpu", np.float32).dtype == np.float32 and x.astype("float32").dtype == np.float32
    m = (x > 0).float()
    assert m.dtype == np.float32 and not m.requires_grad
    ints = x.long()
    assert ints.dtype == np.int64 and not ints.requires_grad
    np.testing.assert_array_equal(ints.data, X.astype(np.int64))
    with pytest.raises(ValueError, match="CPU only"):
        x.to("cuda")
    with pytest.raises(TypeError, match="to: .*complex"):
        x.to(np.complex128)


def test_to_takes_pytorchs_dtypes_and_devices(torch):
    x = Value(X)
    assert x.to(torch.float32).dtype == np.float32 and x.to(torch.device("cpu")) is x
    assert autograd.zeros(2, dtype=torch.bool).dtype == np.bool_


def test_requires_grad_():
    x = Value(X, requires_grad=False)
    assert x.requires_grad_() is x and x.requires_grad
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))
    with pytest.raises(RuntimeError, match="only a leaf"):
        (x * 2).requires_grad_(False)
    with pytest.raises(TypeError, match="only floating point"):
        (x > 0).requires_grad_()


def test_size_is_numpys_count_and_pytorchs_method():
    x = Value(X)
    assert x.size == 6 and isinstance(x.size, int) and x.size * 2 == 12
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-2) == 2
    assert x.numel() == 6 and x.dim() == 2 and Value(2.0).size() == ()
    with pytest.raises(AxisError, match=r"size: dim 2 .*\(2, 3\)"):
        x.size(2)


def test_item_and_tolist_give_python_numbers_of_the_datas_kind(torch):
    t = torch.tensor(X)
    for ours, theirs in [(Value(X) > 0, t > 0), (Value(X).argmax(), t.argmax()),
                         (Value(X)[0, 1], t[0, 1])]:
        if ours.size == 1:
            assert type(ours.item()) is type(theirs.item()) and ours.item() == theirs.item()
        assert ours.tolist() == theirs.tolist()
    assert Value(2.0).tolist() == 2.0 and (Value([1.0]) > 0).item() is True


def test_numpy_stays_read_only_and_iteration_follows_pytorch():
    x = Value(X)
    with pytest.raises(ValueError):
        x.numpy()[0, 0] = 1.0
    rows = list(x)
    assert len(rows) == 2 and all(isinstance(r, Value) for r in rows)
    with pytest.raises(TypeError, match="iteration over a 0-d Value"):
        iter(Value(2.0))
