"""The backward pass: seeding, accumulation, shared nodes, deep graphs, no_grad, data
changes between forward and backward, `grad()` with higher-order gradients, anomaly mode."""
import math
import threading

import numpy as np
import pytest

import autograd
from autograd import Value, detect_anomaly, grad, no_grad, numerical_grad
from autograd.backward import toposort
from autograd.mode import unbroadcast
from agtest import assert_close


# ---- seeding --------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [3.0, np.array(3.0), np.array([3.0]), np.array([[3.0]])],
                         ids=["scalar", "0-d", "(1,)", "(1, 1)"])
def test_backward_seeds_a_one_element_value_with_one(data):
    x = Value(data)
    y = x * x
    y.backward()
    np.testing.assert_array_equal(x.grad, np.full(np.shape(data), 6.0))
    np.testing.assert_array_equal(y.grad, np.ones(np.shape(data)))


def test_float32_graph_gets_float32_gradients_everywhere():
    x = Value(np.array([1.0, 2.0], np.float32))
    h = (x * 3.0).tanh()
    loss = h.sum()
    loss.backward()
    for v in (x, h, loss):
        assert v.grad.dtype == np.float32, v


@pytest.mark.parametrize("data", [1.5, np.array([1.5])], ids=["scalar", "(1,)"])
def test_backward_gradient_scales_a_one_element_root(data):
    x = Value(data)
    (x * x).backward(np.full(np.shape(data), 3.0) if np.ndim(data) else 3.0)
    np.testing.assert_array_equal(x.grad, np.full(np.shape(data), 3.0 * 2 * 1.5))


def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Value(np.ones((2, 3))) * 2.0
    with pytest.raises(ValueError, match=r"\(2, 3\)") as err:
        y.backward()
    assert "gradient" in str(err.value)


@pytest.mark.parametrize("gradient", [np.array([1.0, 2.0, 3.0]), [1, 2, 3],
                                      Value(np.array([1.0, 2.0, 3.0]))],
                         ids=["array", "list", "Value"])
def test_backward_with_a_gradient(gradient):
    x = Value(np.array([1.0, -1.0, 0.5]))
    (x * x).backward(gradient)
    np.testing.assert_array_equal(x.grad, [2.0, -4.0, 3.0])


def test_backward_and_grad_leave_the_callers_gradient_array_alone():
    x = Value(np.arange(3.0))
    y = x * 2.0
    gradient = np.ones(3)
    y.backward(gradient)
    grad(y, x, grad_outputs=gradient)
    assert gradient.flags.writeable
    gradient[0] = 7.0  # and using it again later is still fine
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


@pytest.mark.parametrize("shape, gradient_shape", [((3,), (4,)), ((2, 3), (3, 2)),
                                                   ((2, 3), (3,)), ((), (2,))], ids=str)
def test_backward_gradient_of_the_wrong_shape_raises_value_error(shape, gradient_shape):
    y = Value(np.ones(shape) if shape else 1.0) * 2.0
    with pytest.raises(ValueError) as err:
        y.backward(np.ones(gradient_shape))
    assert str(gradient_shape) in str(err.value) and str(shape) in str(err.value)


def test_backward_on_a_value_without_graph_raises():
    with pytest.raises(RuntimeError, match="require"):
        Value(2.0, requires_grad=False).backward()


# ---- accumulation and shared nodes ----------------------------------------------------------
@pytest.mark.parametrize("data", [1.5, np.array([[1.5, -2.0], [0.5, 3.0]])],
                         ids=["scalar", "tensor"])
def test_backward_twice_gives_exactly_twice(data):
    x = Value(data)
    h = (x * x).tanh()
    y = (h * 3.0).sum()
    y.backward()
    once = {"x": np.copy(x.grad), "h": np.copy(h.grad), "y": np.copy(y.grad)}
    np.testing.assert_allclose(once["x"], 3.0 * (1 - np.tanh(np.square(data)) ** 2) * 2 * data,
                               rtol=1e-14)
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * once["x"])
    np.testing.assert_array_equal(h.grad, 2 * once["h"])
    np.testing.assert_array_equal(y.grad, 2 * once["y"])


def test_gradients_accumulate_across_different_outputs():
    x = Value(2.0)
    (x * 3.0).backward()
    (x * x).backward()
    assert x.grad == 3.0 + 4.0


@pytest.mark.parametrize("f, expected", [
    (lambda x: x * x, lambda x: 2 * x),
    (lambda x: x + x, lambda x: 2.0 + 0 * x),
    (lambda x: x - x, lambda x: 0.0 * x),
    (lambda x: x / x, lambda x: 0.0 * x),
    (lambda x: x * x + x, lambda x: 2 * x + 1),
    (lambda x: x ** x, lambda x: x ** x * (np.log(x) + 1)),
], ids=["x*x", "x+x", "x-x", "x/x", "x*x+x", "x**x"])
@pytest.mark.parametrize("data", [1.5, np.array([0.5, 2.0])], ids=["scalar", "tensor"])
def test_a_value_used_several_times_gets_the_sum_of_its_uses(f, expected, data):
    x = Value(data)
    f(x).sum().backward()
    np.testing.assert_allclose(x.grad, expected(data), rtol=1e-14)


def test_shared_intermediate_gets_the_sum_and_passes_it_on():
    a = Value(3.0)
    h = a * 2.0            # h = 6
    y = h * h + h.tanh()   # dy/dh = 2h + 1 - tanh(h)^2
    y.backward()
    dh = 2 * 6.0 + 1 - math.tanh(6.0) ** 2
    assert h.grad == pytest.approx(dh, rel=1e-15)
    assert a.grad == pytest.approx(2 * dh, rel=1e-15)


def test_every_intermediate_gets_its_grad():
    a, b = Value(2.0), Value(-3.0)
    c = a * b                 # -6
    d = c + a ** 2            # -2
    e = d.tanh()
    f = e * e                 # tanh(d)^2
    f.backward()
    t = math.tanh(-2.0)
    expected = {"f": 1.0, "e": 2 * t, "d": 2 * t * (1 - t * t)}
    expected["c"] = expected["d"]
    expected["a"] = expected["d"] * (b.data + 2 * a.data)
    expected["b"] = expected["d"] * a.data
    for name, value in zip("abcdef", [a, b, c, d, e, f]):
        assert value.grad == pytest.approx(expected[name], rel=1e-14), name


def test_tensor_intermediates_get_grads_of_their_own_shape():
    x = Value(np.ones((3, 1)))
    w = Value(np.full((1, 4), 2.0))
    h = x * w                 # (3, 4) by broadcasting
    s = h.sum(axis=0)         # (4,)
    loss = (s * s).sum()
    loss.backward()
    np.testing.assert_array_equal(s.grad, np.full(4, 12.0))
    np.testing.assert_array_equal(h.grad, np.full((3, 4), 12.0))
    np.testing.assert_array_equal(x.grad, np.full((3, 1), 96.0))
    np.testing.assert_array_equal(w.grad, np.full((1, 4), 36.0))


def test_constants_and_leaves_that_do_not_require_grad_get_none():
    x = Value(np.array([1.0, 2.0]))
    c = Value(np.array([3.0, 4.0]), requires_grad=False)
    (x * c + 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    np.testing.assert_array_equal(c.grad, [0.0, 0.0])


def test_no_graph_is_built_when_no_input_requires_grad():
    c = Value(2.0, requires_grad=False)
    y = (c * 3.0).exp()
    assert y.requires_grad is False and y.parents == () and y.op == ""


def test_backward_from_an_intermediate_only_reaches_its_inputs():
    a, b = Value(2.0), Value(5.0)
    h = a * 3.0
    _ = h + b
    h.backward()
    assert (a.grad, b.grad, h.grad) == (3.0, 0.0, 1.0)


# ---- deep graphs ----------------------------------------------------------------------------
def test_a_100000_op_chain_runs_backward_without_recursion_error():
    x = Value(0.5)
    y = x
    for i in range(100_000):
        y = y * 1.0 if i % 2 else y + 1.0
    assert y.data == 0.5 + 50_000
    y.backward()
    assert x.grad == 1.0
    (dx,) = grad(y, x)
    assert dx.data == 1.0
    del y  # freeing the chain must not overflow the C stack either


def test_a_deep_tensor_chain_with_shared_nodes():
    x = Value(np.ones(3))
    y = x
    for _ in range(2_000):
        y = y + x * 0.001  # x is used 2001 times
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.full(3, 1 + 2_000 * 0.001), rtol=1e-12)


def test_toposort_is_a_deterministic_topological_order():
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, requires_grad=False)
    d = a * b
    e = d + a * c
    f = e * d
    order = toposort([f])
    assert order == toposort([f])
    assert order[-1] is f and {id(v) for v in order} >= {id(a), id(b), id(d), id(e)}
    assert all(id(v) != id(c) for v in order)  # it does not require grad
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for p in v.parents:
            if p.requires_grad:
                assert position[id(p)] < position[id(v)]


@pytest.mark.parametrize("grad_shape, shape, expected", [
    ((2, 3, 4), (3, 1), np.full((3, 1), 8.0)),
    ((2, 3, 4), (4,), np.full(4, 6.0)),
    ((2, 3, 4), (), np.array(24.0)),
    ((3, 4), (1, 4), np.full((1, 4), 3.0)),
    ((2, 3, 4), (2, 1, 1), np.full((2, 1, 1), 12.0)),
], ids=str)
def test_unbroadcast_sums_the_broadcast_axes(grad_shape, shape, expected):
    out = unbroadcast(np.ones(grad_shape), shape)
    assert out.shape == shape
    np.testing.assert_array_equal(out, expected)


def test_unbroadcast_returns_the_same_array_when_shapes_match():
    g = np.ones((2, 3))
    assert unbroadcast(g, (2, 3)) is g


# ---- no_grad and detach ---------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = Value(np.array([1.0, 2.0]))
    with no_grad():
        y = (x * 2.0).exp().sum()
        z = autograd.stack([x, x])
    for v in (y, z):
        assert v.requires_grad is False and v.parents == () and v.op == ""
    np.testing.assert_allclose(y.data, np.exp(2.0) + np.exp(4.0), rtol=1e-15)
    w = x * 2.0  # recording is back on
    assert w.requires_grad and w.parents[0] is x


def test_no_grad_nests_and_restores_after_an_exception():
    x = Value(1.0)
    with no_grad():
        with no_grad():
            pass
        assert (x * 2.0).requires_grad is False
    assert (x * 2.0).requires_grad is True
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    assert (x * 2.0).requires_grad is True


def test_no_grad_as_a_decorator():
    @no_grad()
    def double(v):
        return v * 2.0

    y = double(Value(1.0))
    assert y.data == 2.0 and y.requires_grad is False
    assert (Value(1.0) * 2.0).requires_grad is True


def test_no_grad_is_per_thread():
    results = []
    with no_grad():
        thread = threading.Thread(target=lambda: results.append((Value(1.0) * 2.0).requires_grad))
        thread.start()
        thread.join()
    assert results == [True]


def test_detach_cuts_the_graph_in_the_middle():
    x = Value(np.array([1.0, 2.0]))
    h = x * x
    y = (h.detach() * x + h).sum()  # d/dx = h + 2x
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0 + 2.0, 4.0 + 4.0])


# ---- changing data between forward and backward ---------------------------------------------
@pytest.mark.parametrize("data, new", [(2.0, 5.0), (np.ones(3), np.full(3, 5.0))],
                         ids=["scalar", "tensor"])
def test_assigning_data_after_use_makes_backward_raise(data, new):
    w = Value(data)
    loss = (w * w).sum()
    w.data = new
    with pytest.raises(RuntimeError, match="new data"):
        loss.backward()
    loss = (w * w).sum()  # a fresh forward pass uses the new data
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * np.asarray(new))


def test_changing_a_constant_input_after_use_makes_backward_raise():
    x = Value(np.array([1.0, 2.0]))
    batch = Value(np.array([3.0, 4.0]), requires_grad=False)
    loss = (x * batch).sum()  # x's gradient is batch's data
    batch.data = np.array([30.0, 40.0])
    with pytest.raises(RuntimeError, match="new data"):
        loss.backward()


def test_grad_function_also_refuses_replaced_data():
    w = Value(np.ones(2))
    loss = (w * 3.0).sum()
    w.data = np.zeros(2)
    with pytest.raises(RuntimeError, match="new data"):
        grad(loss, w)


def test_an_optimizer_style_update_then_a_new_forward_is_correct():
    w = Value(np.array([1.0, -2.0]))
    for _ in range(3):
        w.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        np.testing.assert_array_equal(w.grad, 2 * w.data)
        w.data = w.data - 0.25 * w.grad
    np.testing.assert_array_equal(w.data, np.array([1.0, -2.0]) * 0.5 ** 3)


@pytest.mark.parametrize("data", [2.0, np.array([2.0, -1.0])], ids=["scalar", "tensor"])
def test_the_data_of_an_intermediate_cannot_be_replaced(data):
    """Its data is its inputs' result; replacing it would leave backward to choose between
    the op and the new data (x.grad silently 0, or a gradient at the wrong point)."""
    x = Value(data)
    h = x * 3.0
    for assign in (lambda: setattr(h, "data", 10.0), lambda: h.__setattr__("data", h.data - 1)):
        with pytest.raises(RuntimeError, match="result of mul.*Value\\(new\\) or v.detach"):
            assign()
    np.testing.assert_array_equal(h.data, np.asarray(data) * 3.0)
    h.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(np.shape(data), 3.0))
    d = h.detach()
    d.data = 10.0  # a detached copy is a leaf of its own
    assert d.data == 10.0


# ---- grad() ---------------------------------------------------------------------------------
def test_grad_returns_a_tuple_of_values_in_input_order_and_leaves_grad_untouched():
    a, b = Value(2.0), Value(np.array([1.0, 3.0]))
    h = a * b
    y = (h * h).sum()
    ga, gb = grad(y, [a, b])
    assert isinstance(ga, Value) and isinstance(gb, Value)
    assert type(ga.data) is float and ga.data == pytest.approx(2 * 2.0 * 10.0)
    np.testing.assert_allclose(gb.data, 2 * 4.0 * np.array([1.0, 3.0]))
    assert grad(y, [b, a])[0].shape == (2,)
    for v in (a, b, h, y):
        assert np.all(np.asarray(v.grad) == 0), "grad() must not touch .grad"


def test_grad_of_a_single_input_is_a_one_tuple():
    x = Value(3.0)
    result = grad(x * x, x)
    assert type(result) is tuple and len(result) == 1 and result[0].data == 6.0


def test_grad_with_respect_to_an_intermediate():
    x = Value(np.array([1.0, 2.0]))
    h = x * 3.0
    (gh,) = grad((h * h).sum(), h)
    np.testing.assert_array_equal(gh.data, 2 * h.data)


@pytest.mark.parametrize("other", [Value(1.0), Value(np.ones((2, 3)), name="t"),
                                   Value(np.ones(2, np.float32))],
                         ids=["scalar", "tensor", "float32"])
def test_grad_of_an_unreachable_input_is_zero(other):
    x = Value(2.0)
    gx, go = grad(x * x, [x, other])
    assert gx.data == 4.0
    assert type(go.data) is type(other.data) and np.shape(go.data) == other.shape
    assert np.asarray(go.data).dtype == other.dtype and np.all(np.asarray(go.data) == 0)


def test_grad_of_several_outputs_sums_them():
    x = Value(np.array([1.0, 2.0]))
    (gx,) = grad([(x * x).sum(), (x * 3.0).sum()], x)
    np.testing.assert_array_equal(gx.data, 2 * x.data + 3.0)


def test_grad_outputs_weights_non_scalar_outputs():
    x = Value(np.array([1.0, 2.0]))
    y, z = x * x, x.exp()
    (gx,) = grad([y, z], x, grad_outputs=[np.array([1.0, -1.0]), np.array([0.5, 0.0])])
    np.testing.assert_allclose(gx.data, [2.0 + 0.5 * math.e, -4.0], rtol=1e-15)
    with pytest.raises(ValueError):
        grad(y, x)  # non-scalar output without grad_outputs
    with pytest.raises(ValueError):
        grad(y, x, grad_outputs=np.ones(3))
    with pytest.raises(ValueError):
        grad([y, z], x, grad_outputs=[np.ones(2)])


def test_grad_rejects_non_values():
    with pytest.raises(TypeError):
        grad(Value(1.0) * 2.0, 3.0)


def test_grad_without_create_graph_gives_values_without_history():
    x = Value(np.array([1.0, 2.0]))
    (gx,) = grad((x ** 3).sum(), x)
    assert gx.requires_grad is False and gx.parents == ()


# ---- higher-order gradients -----------------------------------------------------------------
def test_scalar_second_and_third_derivatives():
    x = Value(3.0)
    (d1,) = grad(x ** 3, x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x)
    assert (d1.data, d2.data, d3.data) == (27.0, 18.0, 6.0)
    assert x.grad == 0.0


@pytest.mark.parametrize("f, d1, d2", [
    (lambda x: x.exp() * x, lambda x: math.exp(x) * (x + 1), lambda x: math.exp(x) * (x + 2)),
    (lambda x: x.tanh(), lambda x: 1 - math.tanh(x) ** 2,
     lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
    (lambda x: x.sigmoid(), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
     lambda x: math.exp(-x) * (math.exp(-x) - 1) / (1 + math.exp(-x)) ** 3),
    (lambda x: x.log() / x, lambda x: (1 - math.log(x)) / x ** 2,
     lambda x: (2 * math.log(x) - 3) / x ** 3),
    (lambda x: x.sqrt(), lambda x: 0.5 / math.sqrt(x), lambda x: -0.25 * x ** -1.5),
], ids=["x*exp", "tanh", "sigmoid", "log/x", "sqrt"])
@pytest.mark.parametrize("x", [0.7, 1.9])
def test_second_derivatives_against_closed_forms(f, d1, d2, x):
    for data in (x, np.array(x)):  # scalar and 0-d tensor paths
        v = Value(data)
        (g,) = grad(f(v), v, create_graph=True)
        (h,) = grad(g, v)
        assert float(g.data) == pytest.approx(d1(x), rel=1e-12)
        assert float(h.data) == pytest.approx(d2(x), rel=1e-10)


def test_hessian_vector_product_of_sum_of_cubes_is_6x_v(rng):
    x = Value(rng.standard_normal(5))
    v = rng.standard_normal(5)
    (g,) = grad((x ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2, rtol=1e-14)
    (hv,) = grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.data, 6 * x.data * v, rtol=1e-14)  # Hessian diag(6x)


def test_full_hessian_of_a_quadratic_form_is_a_plus_a_transpose(rng):
    a = rng.standard_normal((4, 4))
    x = Value(rng.standard_normal(4))
    (g,) = grad(x @ (Value(a, requires_grad=False) @ x), x, create_graph=True)
    rows = [grad(g[i], x)[0].data for i in range(4)]
    np.testing.assert_allclose(np.stack(rows), a + a.T, rtol=1e-12, atol=1e-14)


def test_hessian_of_logsumexp_is_diag_p_minus_p_p_transpose(rng):
    x = Value(rng.standard_normal(4))
    p = np.exp(x.data) / np.exp(x.data).sum()
    (g,) = grad(x.logsumexp(), x, create_graph=True)
    np.testing.assert_allclose(g.data, p, rtol=1e-14)
    hessian = np.stack([grad(g[i], x)[0].data for i in range(4)])
    np.testing.assert_allclose(hessian, np.diag(p) - np.outer(p, p), atol=1e-14)


def test_hessian_vector_products_of_a_tanh_layer_match_finite_differences(rng):
    w0, x0 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    u = rng.standard_normal(4)  # the vector of the Hessian-vector product

    def directional_gradient(w, x):
        """(d/dx sum(tanh(w @ x)^2)) . u, as a differentiable Value."""
        (gx,) = grad(((w @ x).tanh() ** 2).sum(), x, create_graph=True)
        return (gx * u).sum()

    w, x = Value(w0), Value(x0)
    hw, hx = grad(directional_gradient(w, x), [w, x])
    numeric = numerical_grad(directional_gradient, [w0, x0])
    assert_close(hw.data, numeric[0], rtol=1e-5, atol=1e-7)
    assert_close(hx.data, numeric[1], rtol=1e-5, atol=1e-7)


def test_jacobian_vector_product_by_differentiating_through_grad_outputs(rng):
    """J u = d/dv (v^T J u): grad_outputs given as a Value is part of the new graph."""
    x0, u = rng.standard_normal(3), rng.standard_normal(3)
    x = Value(x0)
    v = Value(np.zeros(3))  # any value: v^T J is linear in v
    y = (x * x).tanh() * 2.0
    (vjp,) = grad(y, x, grad_outputs=v, create_graph=True)
    (jvp,) = grad((vjp * u).sum(), v)
    jacobian_diagonal = 2.0 * (1 - np.tanh(x0 * x0) ** 2) * 2 * x0
    np.testing.assert_allclose(jvp.data, jacobian_diagonal * u, rtol=1e-13)


def test_backward_through_a_create_graph_gradient():
    x = Value(np.array([1.0, 2.0]))
    (g,) = grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad and x.grad.tolist() == [0.0, 0.0]
    g.sum().backward()
    np.testing.assert_array_equal(x.grad, 6 * x.data)


def test_gradient_penalty_style_training_signal():
    """A loss that contains a gradient norm (as in WGAN-GP) differentiates correctly."""
    w = Value(np.array([0.5, -1.5]))
    x = Value(np.array([1.0, 2.0]))
    (gx,) = grad(((w * x).tanh()).sum(), x, create_graph=True)
    penalty = (gx * gx).sum()  # sum_i w_i^2 (1 - tanh(w_i x_i)^2)^2
    penalty.backward()
    t = np.tanh(w.data * x.data)
    s = 1 - t ** 2
    expected = 2 * w.data * s ** 2 + w.data ** 2 * 2 * s * (-2 * t * s * x.data)
    np.testing.assert_allclose(w.grad, expected, rtol=1e-12)


# ---- detect_anomaly -------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_forward_op_its_shapes_and_the_line():
    x = Value(np.array([1.0, -1.0]))
    with detect_anomaly():
        y = x * 2.0
        with pytest.raises(FloatingPointError) as err:
            (y - 4.0).log()
    message = str(err.value)
    assert "log" in message and "(2,)" in message and "test_backward.py" in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_op_whose_gradient_is_not_finite():
    x = Value(np.array([0.0, 4.0]))
    with detect_anomaly():
        y = x.sqrt().sum()  # finite forward, infinite gradient at 0
        with pytest.raises(FloatingPointError, match="sqrt"):
            y.backward()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_without_detect_anomaly_nan_passes_silently():
    x = Value(np.array([0.0, 4.0]))
    x.sqrt().sum().backward()
    assert np.isinf(x.grad[0]) and x.grad[1] == 0.25


# ---- a small MLP against PyTorch ------------------------------------------------------------
def test_tensor_mlp_loss_and_gradients_match_torch(torch, rng):
    x, labels = rng.standard_normal((8, 3)), rng.integers(0, 4, 8)
    params = {"w1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
              "w2": rng.standard_normal((5, 4)), "b2": rng.standard_normal(4)}

    def loss_of(p, inputs, log_softmax, rows):
        h = (inputs @ p["w1"] + p["b1"]).tanh()
        logits = h @ p["w2"] + p["b2"]
        return -log_softmax(logits)[rows, labels].mean()

    ours = {k: Value(v) for k, v in params.items()}
    theirs = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    loss = loss_of(ours, Value(x), lambda z: z.log_softmax(axis=1), np.arange(8))
    ref = loss_of(theirs, torch.tensor(x), lambda z: z.log_softmax(dim=1), torch.arange(8))
    loss.backward()
    ref.backward()
    assert float(loss.data) == pytest.approx(ref.item(), rel=1e-12)
    for k in params:
        assert_close(ours[k].grad, theirs[k].grad.numpy(), rtol=1e-10)


def test_scalar_mlp_gradients_match_torch(torch, rng):
    """The same network written neuron by neuron with scalar Values (the `math` path)."""
    w1, w2, x = rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal(4)
    s1 = [[Value(float(w)) for w in row] for row in w1]
    s2 = [Value(float(w)) for w in w2]
    hidden = [sum((w * float(xi) for w, xi in zip(row, x)), Value(0.0)).relu() for row in s1]
    out = sum((w * h for w, h in zip(s2, hidden)), Value(0.0)).sigmoid()
    out.backward()
    t1, t2 = torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)
    ref = (t2 @ (t1 @ torch.tensor(x)).relu()).sigmoid()
    ref.backward()
    assert type(out.data) is float and out.data == pytest.approx(ref.item(), rel=1e-12)
    assert_close([[w.grad for w in row] for row in s1], t1.grad.numpy(), rtol=1e-10)
    assert_close([w.grad for w in s2], t2.grad.numpy(), rtol=1e-10)
