"""`autograd.detect_anomaly()`: the first op whose output or gradient holds NaN or inf raises
`FloatingPointError` naming the op, its input shapes and the user's line that created it.

Behaviour pinned down here:
- forward: checked when the op is recorded (an input requires grad, recording is on); the
  error names the op, the shapes of its inputs and `file:line` of the caller outside the
  `autograd` package. Ops that record nothing (under `no_grad()`, or on constants only)
  are not checked, as in PyTorch, whose anomaly mode also watches only the graph.
- backward: each gradient is checked as the sweep computes it, so the error names the op
  whose VJP made the first NaN/inf, and the line that created that op (if it was created
  inside detect_anomaly; else it says the line is unknown). `grad()` and
  `create_graph=True` are checked too.
- outside the block nothing is checked; the mode is per thread, like `no_grad`.
"""
import inspect
import threading

import numpy as np
import pytest

import autograd
from autograd import Value, detect_anomaly, grad, no_grad

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's log(0) etc.
FILE = "test_anomaly.py"


def here() -> int:
    """The caller's line number: `line, y = here(), op(...)` pins the op's line (or
    `line = here() + 1` before a line that raises)."""
    return inspect.currentframe().f_back.f_lineno


# ---- forward -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, op, shapes", [
    (lambda: Value(np.array([1.0, -1.0])).log(), "log", "(2,)"),
    (lambda: Value(0.0).log(), "log", "()"),
    (lambda: Value(np.array([[1.0, 2.0, 3.0]] * 2)) / np.array([1.0, 0.0, 2.0]), "div",
     "(2, 3), (3,)"),
    (lambda: Value(1.0) / 0.0, "div", "(), ()"),
    (lambda: Value(np.array([-4.0, 4.0])).sqrt(), "sqrt", "(2,)"),
    (lambda: Value(np.array([800.0])).exp(), "exp", "(1,)"),
    (lambda: Value(np.array([[1e200, 1e200]])) @ np.array([[1e200], [1.0]]), "matmul",
     "(1, 2), (2, 1)"),
    (lambda: Value(-8.0) ** 0.5, "pow", "(), ()"),
    (lambda: Value(np.array([[np.inf, 0.0]])).sum(axis=1), "sum", "(1, 2)"),
], ids=["log-tensor", "log-scalar", "div-broadcast", "div-scalar", "sqrt", "exp-overflow",
        "matmul-overflow", "pow-nan", "sum-of-inf"])
def test_forward_raises_naming_op_shapes_and_line(make, op, shapes):
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            make()
    message = str(err.value)
    assert f"detect_anomaly: {op} gave NaN or inf" in message
    assert f"of shape {shapes}," in message
    # the lambda runs on the line where make was defined; the frame found is the test's
    assert FILE in message


@pytest.mark.parametrize("make, op", [
    (lambda: Value(1e308) * 10.0, "mul"),
    (lambda: 1e308 + Value(1e308), "add"),
    (lambda: Value(float("inf")) - float("inf"), "sub"),
    (lambda: Value(1e308) / 1e-10, "div"),
], ids=["mul-overflow", "radd-overflow", "inf-minus-inf", "div-overflow"])
def test_scalar_operators_are_checked_where_python_floats_raise_nothing(make, op):
    """Python's float * + - / overflow to inf or give nan without an exception, so the
    operators' shortcut for two floats must still be checked under detect_anomaly."""
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            make()
    message = str(err.value)
    assert message.startswith(f"detect_anomaly: {op} gave NaN or inf from inputs of shape "
                              "(), (), at ")
    assert FILE in message


def test_an_op_shows_its_name():
    assert repr(autograd.ops.log_softmax) == "Op('log_softmax')"


def test_forward_names_the_exact_line_and_function_of_the_user():
    x = Value(np.array([2.0, 0.0]))
    with detect_anomaly():
        y = x * 3.0
        with pytest.raises(FloatingPointError) as err:
            line = here() + 1
            y.log()
    assert f"{FILE}:{line} in test_forward_names_the_exact_line_and_function_of_the_user" \
        in str(err.value)


def test_forward_reports_the_first_bad_op_and_runs_nothing_after_it():
    x = Value(np.array([1.0, -2.0]))
    ran = []
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            h = x.tanh() * 2.0          # finite
            line = here() + 1
            bad = h.sqrt()                # the first NaN
            ran.append("after")
            bad.exp().log()               # NaN too, but never reached
    message = str(err.value)
    assert "sqrt" in message and f"{FILE}:{line}" in message
    assert "exp" not in message.split(" at ")[0] and ran == []


def test_forward_line_is_the_users_even_for_composite_methods():
    """mean, min and the scalar-to-tensor mixes go through several internal ops; the line
    reported is still the caller's, never one inside the autograd package."""
    x = Value(np.array([[np.inf, 1.0]]))
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            line = here() + 1
            x.mean(axis=1)
    assert f"{FILE}:{line}" in str(err.value)
    assert "value.py" not in str(err.value) and "ops.py" not in str(err.value)
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            line = here() + 1
            (Value(np.array([-np.inf, 0.0])) * 1.0).min()
    assert f"{FILE}:{line}" in str(err.value)


def test_forward_inside_a_helper_function_names_the_helper_line():
    def layer(v):
        return (v - 3.0).log()  # the line that creates the NaN

    line = inspect.getsourcelines(layer)[1] + 1
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            layer(Value(np.array([1.0, 4.0])))
    assert f"{FILE}:{line} in layer" in str(err.value)


def test_finite_forward_passes_and_backward_works_under_anomaly():
    x = Value(np.array([0.5, 2.0]))
    with detect_anomaly():
        y = (x.log() * x).sum()
        y.backward()
    np.testing.assert_allclose(x.grad, np.log(x.data) + 1, rtol=1e-14)


def test_ops_that_record_nothing_are_not_checked():
    """Documented scope: no graph, no check (no_grad, or only constants), as in PyTorch."""
    with detect_anomaly():
        with no_grad():
            assert np.isneginf((Value(np.array([0.0])).log()).data).all()
        constant = Value(np.array([-1.0]), requires_grad=False)
        assert np.isnan(constant.sqrt().data).all()


# ---- backward -----------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [0.0, np.array([0.0, 4.0])], ids=["scalar", "tensor"])
def test_nan_only_in_backward_names_the_op_and_its_creation_line(data):
    x = Value(data)
    with detect_anomaly():
        line, y = here(), x.sqrt()  # forward sqrt(0) = 0 is finite; its gradient is inf
        loss = (y * 2.0).sum()
        with pytest.raises(FloatingPointError) as err:
            loss.backward()
    message = str(err.value)
    assert "the backward of sqrt" in message
    assert f"{FILE}:{line}" in message
    assert "gave NaN or inf for input 0" in message
    shape = "()" if type(data) is float else "(2,)"
    assert f"inputs of shape {shape}" in message


def test_a_scalar_operator_made_under_anomaly_keeps_its_line_for_backward():
    x = Value(0.0)
    with detect_anomaly():
        line, y = here(), x ** 0.5  # two floats: 0 ** 0.5 = 0 is finite, d/dx = 0.5 / 0 is not
        with pytest.raises(FloatingPointError) as err:
            y.backward()
    message = str(err.value)
    assert "the backward of pow (inputs of shape (), ()" in message
    assert f"{FILE}:{line}" in message and "for input 0" in message


def test_backward_names_the_op_and_the_first_input_whose_gradient_is_bad():
    p, q = Value(np.array([0.0, 1.0])), Value(np.array([0.5, 0.5]))
    with detect_anomaly():
        line, y = here(), p ** q  # d/dp = q p^(q-1) = inf at p = 0 (d/dq = p^q log p: nan)
        with pytest.raises(FloatingPointError) as err:
            y.sum().backward()
    message = str(err.value)
    assert "the backward of pow (inputs of shape (2,), (2,)" in message
    assert f"{FILE}:{line}" in message and "for input 0" in message
    b = Value(np.array([0.0, 1.0]))
    with detect_anomaly():
        line, y = here(), Value(np.array([1.0, 2.0]), requires_grad=False) * b.sqrt()
        with pytest.raises(FloatingPointError) as err:
            y.sum().backward()  # mul's gradients are finite; sqrt's is not
    assert "the backward of sqrt" in str(err.value)


def test_backward_nan_from_zero_times_inf():
    x = Value(0.0)
    with detect_anomaly():
        line, y = here(), x.sqrt()
        with pytest.raises(FloatingPointError, match=r"backward of sqrt") as err:
            (y * 0.0).backward()  # upstream 0, then 0 * 0.5 / 0 = nan
    assert f"{FILE}:{line}" in str(err.value)


def test_backward_of_a_graph_made_outside_the_block_says_the_line_is_unknown():
    x = Value(np.array([0.0]))
    y = x.sqrt().sum()  # recorded without anomaly mode: no line kept
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            y.backward()
    assert "the backward of sqrt" in str(err.value)
    assert "unknown line" in str(err.value)


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_function_is_checked_too(create_graph):
    """With create_graph=True the VJP's own ops (here a div) are recorded too; the error
    still names the op whose backward failed and where it was created."""
    x = Value(np.array([0.0, 1.0]))
    with detect_anomaly():
        line, y = here(), x.sqrt()
        with pytest.raises(FloatingPointError) as err:
            grad(y.sum(), x, create_graph=create_graph)
    assert "the backward of sqrt" in str(err.value) and f"{FILE}:{line}" in str(err.value)


def test_second_order_nan_is_caught_in_the_second_backward():
    x = Value(np.array([0.0, 1.0]))
    with detect_anomaly():
        (g,) = grad((x ** 3.0).sum(), x, create_graph=True)  # 3 x^2: finite everywhere
        line, r = here(), g.sqrt()                            # finite forward too: 0, sqrt 3
        with pytest.raises(FloatingPointError) as err:
            grad(r.sum(), x)                                  # d sqrt(g) at g = 0: inf
    assert "the backward of sqrt" in str(err.value) and f"{FILE}:{line}" in str(err.value)


# ---- outside the block, restoring, threads ------------------------------------------------------
def test_nothing_is_checked_outside_the_block():
    x = Value(np.array([-1.0, 0.0]))
    y = x.log() + x.sqrt()
    assert np.isnan(y.data[0]) and np.isneginf(y.data[1])
    z = Value(0.0).sqrt()
    z.backward()  # inf gradient, silently
    s = Value(0.0)
    s.sqrt().backward()
    assert s.grad == float("inf")


def test_the_mode_is_restored_after_an_error_and_when_nested():
    x = Value(np.array([-1.0]))
    with pytest.raises(FloatingPointError):
        with detect_anomaly():
            x.log()
    x.log()  # off again: no error
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(FloatingPointError):
            x.log()  # still on after the inner block
    x.log()


def test_detect_anomaly_works_as_a_decorator():
    @detect_anomaly()
    def step(v):
        return v.log()

    with pytest.raises(FloatingPointError, match="log"):
        step(Value(np.array([-1.0])))
    assert np.isnan(Value(np.array([-1.0])).log().data).all()


def test_anomaly_mode_is_per_thread():
    """A thread inside detect_anomaly raises; another thread, running at the same time
    outside it, computes the same NaN silently."""
    inside_ready, outside_done = threading.Event(), threading.Event()
    results = {}

    def inside():
        with detect_anomaly():
            inside_ready.set()
            outside_done.wait(10)
            try:
                Value(np.array([-1.0])).log()
                results["inside"] = "no error"
            except FloatingPointError as err:
                results["inside"] = str(err)

    def outside():
        inside_ready.wait(10)
        try:
            results["outside"] = float(Value(np.array([-1.0])).log().data[0])
        except FloatingPointError as err:  # pragma: no cover - the bug this test catches
            results["outside"] = err
        outside_done.set()

    threads = [threading.Thread(target=inside), threading.Thread(target=outside)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert "log" in results["inside"]
    assert np.isnan(results["outside"])


def test_a_new_thread_does_not_inherit_the_mode():
    seen = []
    with detect_anomaly():
        t = threading.Thread(target=lambda: seen.append(np.isnan(
            Value(np.array([-1.0])).log().data[0])))
        t.start()
        t.join()
    assert seen == [True]


def test_anomaly_and_no_grad_are_independent_switches():
    with no_grad():
        with detect_anomaly():
            pass
        assert (Value(1.0) * 2.0).requires_grad is False
    with detect_anomaly():
        with no_grad():
            pass
        with pytest.raises(FloatingPointError):
            Value(np.array([-1.0])).log()
    assert autograd.mode.state.anomaly is False
