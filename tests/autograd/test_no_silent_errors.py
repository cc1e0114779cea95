"""Nothing silently wrong around the engine (issue 15): arrays an op keeps for backward,
threads sharing a leaf, replaced data, the habits Python and PyTorch users bring, and the
error types numpy and PyTorch users catch."""
import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Value, grad, gradcheck
from autograd.mode import AxisError, ShapeError


# ---- arrays an op keeps for backward are its own frozen copies ---------------------------------
def _arrays_in(params):
    for p in params:
        if isinstance(p, np.ndarray):
            yield p
        elif isinstance(p, tuple):
            yield from _arrays_in(p)


MUTABLE = {  # name: (the caller's arrays, a function of x using them, d sum(f) / dx)
    "where condition": ([np.array([True, False, True])],
                        lambda x, c: autograd.where(c, x, 0.0), [1.0, 0.0, 1.0]),
    "clip bounds": ([np.array([0.0, 0.0, 0.0]), np.array([5.0, 5.0, 5.0])],
                    lambda x, lo, hi: x.clip(lo, hi), [1.0, 1.0, 1.0]),
    "index array": ([np.array([0, 0, 2])], lambda x, i: x[i], [2.0, 0.0, 1.0]),
    "boolean mask": ([np.array([True, True, False])], lambda x, m: x[m], [1.0, 1.0, 0.0]),
    "index tuple": ([np.array([1, 1])], lambda x, i: x[(i,)], [0.0, 2.0, 0.0]),
    "constant operand": ([np.array([2.0, 3.0, 4.0])], lambda x, c: x * c, [2.0, 3.0, 4.0]),
    "labels as in cross-entropy": (
        [np.array([2, 0])], lambda x, t: x.reshape(1, 3).log_softmax()[[0, 0], t],
        list(np.array([0.0, 0.0, 1.0]) + np.array([1.0, 0.0, 0.0])
             - 2 * np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum())),
}


@pytest.mark.parametrize("name", MUTABLE)
def test_changing_an_argument_after_the_forward_pass_does_not_change_the_gradient(name):
    arrays, f, expected = MUTABLE[name]
    x = Value(np.array([1.0, 2.0, 3.0]))
    out = f(x, *arrays)
    for a in arrays:  # the caller reuses its arrays before backward
        a[...] = np.flip(a) if a.dtype == bool else a[::-1] * 0 + (1 if a.dtype.kind == "i" else 7)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_every_array_a_node_keeps_is_frozen_and_shares_no_memory_with_the_caller():
    x = Value(np.array([1.0, 2.0, 3.0]))
    callers = []
    for arrays, f, _ in MUTABLE.values():
        out = f(x, *arrays)
        callers += arrays
        constants = [p._data for p in out.parents
                     if p.is_leaf and not p.requires_grad and isinstance(p._data, np.ndarray)]
        kept = list(_arrays_in(out._params)) + constants
        for k in kept:
            assert not k.flags.writeable
            assert not any(np.shares_memory(k, c) for c in callers)


# ---- threads sharing a leaf ----------------------------------------------------------------
@pytest.fixture
def frequent_thread_switches():
    """Switch threads every microsecond (default 5 ms), so that a race shows up at once."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.parametrize("shape", [(), (3,)], ids=["0-d", "vector"])
def test_gradients_from_many_threads_into_one_leaf_all_arrive(shape, frequent_thread_switches):
    """Without a lock, 8 x 2000 backward passes gave 14,683 instead of 16,000 here."""
    threads, steps = 8, 500
    w = Value(np.zeros(shape))
    barrier = threading.Barrier(threads)

    def work():
        barrier.wait()
        for _ in range(steps):
            (w * 1.0).sum().backward()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    np.testing.assert_array_equal(w.grad, np.full(shape, float(threads * steps)))


# ---- p.data -= lr * p.grad, the training-loop idiom -------------------------------------------
@pytest.mark.parametrize("data", [2.0, np.array(2.0), np.array([2.0, -1.0])],
                         ids=["scalar", "0-d", "vector"])
def test_augmented_assignment_to_data_assigns_new_data(data):
    p = Value(data)
    loss = (p * p).sum()
    loss.backward()
    before = p.data
    p.data -= 0.25 * p.grad
    np.testing.assert_allclose(p.data, np.asarray(data) * 0.5)
    p.data += 1.0
    p.data *= 2.0
    np.testing.assert_allclose(p.data, (np.asarray(data) * 0.5 + 1.0) * 2.0)
    np.testing.assert_array_equal(before, data)  # the old array was not written into
    assert type(p.data) is float if type(data) is float else not p.data.flags.writeable
    with pytest.raises(RuntimeError, match="new data"):
        loss.backward()  # the graph saw the old data
    p.zero_grad()
    (p * p).sum().backward()  # a new forward pass uses the new data
    np.testing.assert_allclose(p.grad, 2 * np.asarray(p.data))


def test_writing_into_data_says_what_to_do_instead():
    v = Value(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"read-only.*v\.data = new"):
        v.data[0] = 5.0
    with pytest.raises(ValueError, match=r"read-only.*v\.data = new"):
        np.add(v.data, 1.0, out=v.data)
    copy = v.data.copy()
    copy[0] = 5.0  # a copy is the caller's own
    assert copy[0] == 5.0 and v.data[0] == 1.0
    assert repr(v.data) == "array([1., 2.])"
    assert type(v.data + 1.0) is np.ndarray


# ---- bool, int, abs, round --------------------------------------------------------------------
@pytest.mark.parametrize("data, truth", [(0.0, False), (2.0, True), (np.array(0.0), False),
                                         (np.array([-1.0]), True), (np.zeros((1, 1)), False)])
def test_the_truth_value_of_one_element(data, truth):
    assert bool(Value(data)) is truth


@pytest.mark.parametrize("data", [np.zeros(3), np.ones((2, 2)), np.zeros(0)],
                         ids=["3", "2x2", "empty"])
def test_the_truth_value_of_several_elements_is_ambiguous(data):
    with pytest.raises(ValueError, match=r"ambiguous.*any\(\) or \.all\(\)"):
        bool(Value(data))


def test_abs_int_and_round_behave_as_on_a_tensor():
    v = Value(np.array([-1.25, 2.75]))
    np.testing.assert_array_equal(abs(v).data, [1.25, 2.75])
    assert int(Value(2.75)) == 2 and int(Value(np.array([-2.75]))) == -2
    r = round(v)
    np.testing.assert_array_equal(r.data, [-1.0, 3.0])
    np.testing.assert_array_equal(round(Value(np.array([2.567])), 2).data, [2.57])
    assert round(Value(2.5)).data == 2.0  # half to even, as numpy and torch
    (r * 5.0 + abs(v)).sum().backward()  # round has a zero gradient, abs its sign
    np.testing.assert_array_equal(v.grad, [-1.0, 1.0])


# ---- grad() of an input that does not require grad ---------------------------------------------
@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_with_respect_to_an_input_without_grad_raises(create_graph):
    x, c = Value(2.0), Value(3.0, requires_grad=False)
    with pytest.raises(RuntimeError, match="input 1.*does not require grad"):
        grad(x * c, [x, c], create_graph=create_graph)


# ---- errors numpy and PyTorch users can catch --------------------------------------------------
@pytest.mark.parametrize("f", [
    lambda v: v.transpose(0, 5), lambda v: v.sum(axis=2), lambda v: v.max(axis=-3),
    lambda v: v.softmax(axis=2), lambda v: autograd.stack([v, v], axis=4),
], ids=["transpose", "sum", "max", "softmax", "stack"])
def test_an_axis_out_of_range_is_numpys_axis_error(f):
    with pytest.raises(AxisError) as err:
        f(Value(np.ones((2, 3))))
    assert isinstance(err.value, ValueError) and isinstance(err.value, IndexError)


@pytest.mark.parametrize("f", [
    lambda v: v @ Value(np.ones((4, 2))), lambda v: v.reshape(4, 2),
    lambda v: v.transpose((0, 0)), lambda v: v.transpose(1, 0, 2),
    lambda v: autograd.concat([v, Value(np.ones((2, 4)))]), lambda v: v + np.ones(4),
    lambda v: v.sum(axis=(0, 0)), lambda v: v.sum(axis=(1, -1)),
    lambda v: autograd.stack([v, v.T]),
    lambda v: autograd.where(np.ones(4, bool), v, 0.0),
], ids=["matmul", "reshape", "transpose-repeated", "transpose-too-many", "concat",
        "broadcast", "sum-repeated", "sum-repeated-negative", "stack", "where"])
def test_a_shape_error_is_both_a_value_error_and_a_runtime_error(f):
    with pytest.raises(ShapeError) as err:
        f(Value(np.ones((2, 3))))
    assert isinstance(err.value, ValueError) and isinstance(err.value, RuntimeError)
    assert "(2, 3)" in str(err.value)


def test_clip_with_neither_bound_raises():
    with pytest.raises(ValueError, match="clip: give low, high or both"):
        Value(np.ones(2)).clip(None, None)


# ---- edge cases where the scalar and tensor paths, or PyTorch, disagreed -------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("base, exponent", [(-np.inf, 0.5), (-0.0, 0.5), (-4.0, 0.5),
                                            (-np.inf, 2.5), (-np.inf, -0.5), (0.0, -0.5)])
def test_pow_of_python_floats_agrees_with_arrays(base, exponent):
    scalar = (Value(float(base)) ** exponent).data
    tensor = (Value(np.array([base])) ** exponent).data[0]
    np.testing.assert_array_equal(scalar, tensor)
    assert np.signbit(scalar) == np.signbit(tensor)


def test_finite_differences_need_a_positive_step():
    for eps in (0.0, -1e-6):
        with pytest.raises(ValueError, match="eps > 0"):
            gradcheck(lambda v: v * v, [Value(1.0)], eps=eps)
    with pytest.raises(ValueError, match="eps > 0"):
        autograd.numerical_grad(lambda v: v * v, [Value(1.0)], eps=0.0)
    assert issubclass(GradcheckError, AssertionError)


def test_a_name_that_is_no_string_is_drawn():
    pytest.importorskip("graphviz")
    v = Value(2.0, name=7)
    out = v * v
    out.name = ("pair", 1)
    source = autograd.draw_graph(out).source
    assert "<B>7</B>" in source and "(&#x27;pair&#x27;, 1)" in source
