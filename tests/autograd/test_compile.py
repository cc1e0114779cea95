"""autograd.compile: replays agree with eager mode to the last bit, read live data, write
live gradients, and are refused (traced anew, or run eagerly) whenever they could be wrong.

"Agree" means bit for bit here: every comparison is `assert_array_equal` (or ==) between
a compiled run and an eager run of the same function on equal copies of its inputs.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings

import autograd
import nn
from autograd import Value, detect_anomaly, no_grad
from nn.optim import SGD, Adam

import test_fuzz

compile_module = sys.modules["autograd.compile"]


def assert_same(a, b):
    """Two numbers or arrays equal bit for bit (NaNs alike), with the same type and dtype."""
    assert type(a) is type(b), (type(a), type(b))
    if type(a) is np.ndarray:
        assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def twins(make):
    """Two equal copies of whatever `make()` builds: one for eager mode, one compiled."""
    return make(), make()


# ---- the README's example, and what the code looks like --------------------------------------
def readme_step(a, b):
    c = a * b + a ** 2 - b / a
    c.backward()
    return c


def test_the_readme_example_replays_with_the_same_numbers():
    step = autograd.compile(readme_step)
    for a_data, b_data in [(2.0, -3.0), (2.0, -3.0), (0.5, 4.0)]:
        a, b = Value(a_data, name="a"), Value(b_data, name="b")
        c = step(a, b)
        ea, eb = Value(a_data), Value(b_data)
        ec = readme_step(ea, eb)
        assert (c.data, c.grad, a.grad, b.grad) == (ec.data, ec.grad, ea.grad, eb.grad)
        assert c.requires_grad is False and c.parents == ()  # results hold no graph
    assert len(step.traces) == 1


def test_the_code_has_a_line_per_op_and_per_vjp_term_with_the_values_names():
    step = autograd.compile(readme_step)
    assert step.code is None
    step(Value(2.0, name="a"), Value(-3.0, name="b"))
    lines = step.code.splitlines()
    assert lines[0] == "def readme_step(a_value, b_value):"
    body = [line.strip() for line in lines[1:]]
    # forward: one line per op, the constant 2 written as a literal
    assert body[2:7] == ["t1 = a * b", "t2 = pow_(a, 2.0)", "t3 = t1 + t2", "t4 = div(b, a)",
                         "out = t3 - t4"]
    # backward: add passes g on, sub negates it, mul's terms are inline, the others call
    # their VJP in the table; a's three terms add up in the order of the eager sweep
    assert body.index("g_t3 = g_out") < body.index("g_t1 = g_t3")
    assert "g_t4 = -g_out" in body and "g_a = g_t1 * b" in body
    a_terms = [line for line in body if line.startswith("g_a = g_a + ")]
    assert a_terms == ["g_a = g_a + pow_vjp0(g_t2, t2, a, 2.0)",
                       "g_a = g_a + div_vjp1(g_t4, t4, b, a)"]
    assert body[-4:] == ["accumulate(out_value, g_out)", "accumulate(a_value, g_a)",
                         "accumulate(b_value, g_b)", "return (out_value,)"]


# ---- random graphs: every op of the fuzzer, floats and arrays, broadcasting ---------------
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(graph=test_fuzz.graphs())
def test_random_graphs_replay_like_eager_mode(graph):
    note(graph.program())
    f = graph.function()

    def step(*leaves):
        out = f(*leaves)
        seed = np.random.default_rng(0).standard_normal(out.shape)
        out.backward(float(seed) if type(out.data) is float else seed)
        return out

    compiled = autograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(2):  # the trace, then a replay, each into gradients already there
            eager, mine = twins(lambda: [Value(x) for x in graph.inputs])
            for leaves in eager, mine:
                for leaf in leaves:
                    leaf.grad = np.ones(leaf.shape) if leaf.shape else 1.0
            e, c = step(*eager), compiled(*mine)
            assert_same(c.data, e.data)
            assert_same(c.grad, e.grad)
            for le, lc in zip(eager, mine):
                assert_same(lc.grad, le.grad)
    assert len(compiled.traces) == 1


@pytest.mark.parametrize("kind", ["float", "array", "float32", "broadcast"])
@pytest.mark.parametrize("name", sorted(set(compile_module._FORWARD["array"]) |
                                        set(compile_module._VJPS["array"])))
def test_each_inline_op_is_the_expression_eager_mode_computes(name, kind):
    """The inline forms repeat ops.py's formulas: if one drifted, results would differ."""
    op = autograd.ops.TABLE[name]
    rng = np.random.default_rng(1)
    dtype = np.float32 if kind == "float32" else np.float64
    shapes = {"float": [None, None], "broadcast": [(3, 1), (4,)]}.get(kind, [(2, 3), (2, 3)])
    if name == "matmul":
        shapes = [(3, 2), (2, 4)] if kind != "float" else None
    if shapes is None:
        pytest.skip("matmul needs arrays")

    def data(shape):
        x = rng.uniform(0.5, 2.0) if shape is None else rng.uniform(0.5, 2.0, shape)
        x = x * rng.choice([-1.0, 1.0], np.shape(x))
        return float(x) if shape is None else x.astype(dtype)

    inputs = [data(s) for s in shapes[:op.arity]]
    params = (0.3,) if name == "leaky_relu" else ()
    if name in ("log", "sqrt", "pow"):
        inputs[0] = abs(inputs[0])

    def step(*leaves):
        out = op(*leaves, *params)
        out.backward(np.full(out.shape, 0.7, out.dtype) if out.shape else 0.7)
        return out

    compiled = autograd.compile(step)
    for _ in range(2):
        eager, mine = twins(lambda: [Value(x) for x in inputs])
        e, c = step(*eager), compiled(*mine)
        assert_same(c.data, e.data)
        for le, lc in zip(eager, mine):
            assert_same(lc.grad, le.grad)


# ---- whole training steps: every demo's model, loss and optimizer -------------------------
DEMOS = {  # demo: (model, loss, optimizer, features, targets, batch size)
    "logic_gates": (lambda: nn.MLP([2, 4, 1], activation="tanh", output_activation="sigmoid",
                                   rng=0), nn.binary_cross_entropy,
                    lambda p: Adam(p, lr=0.05), 2, "binary", None),
    "above_line": (lambda: nn.MLP([2, 5, 1], activation="sigmoid",
                                  output_activation="sigmoid", rng=0), nn.mse_loss,
                   lambda p: Adam(p, lr=0.05), 2, "binary", 16),
    "moons": (lambda: nn.MLP([2, 16, 16, 1], activation="relu", rng=0),
              nn.binary_cross_entropy_with_logits, lambda p: Adam(p, lr=0.01), 2, "binary",
              16),
    "digits softmax": (lambda: nn.Linear(64, 10, rng=0), nn.cross_entropy,
                       lambda p: Adam(p, lr=0.01), 64, "classes", None),
    "digits MLP": (lambda: nn.MLP([64, 64, 10], activation="relu", rng=0), nn.cross_entropy,
                   lambda p: Adam(p, lr=0.01), 64, "classes", None),
    "numeric_vs_reverse": (lambda: nn.MLP([2, 3, 1], activation="sigmoid",
                                          output_activation="sigmoid", rng=0),
                           nn.mse_loss, lambda p: SGD(p, lr=2.0), 2, "binary", None),
}


@pytest.mark.parametrize("demo", DEMOS)
def test_fit_compiled_trains_every_demo_model_exactly_as_eager_fit(demo):
    make_model, loss_fn, make_optimizer, features, targets, batch_size = DEMOS[demo]
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, features))
    y = (X[:, :1] > 0).astype(float) if targets == "binary" else rng.integers(0, 10, 40)
    models = twins(make_model)
    histories = [nn.fit(model, X, y, loss_fn, make_optimizer(model.parameters()), epochs=3,
                        batch_size=batch_size, rng=0, compile=compiled)
                 for model, compiled in zip(models, (False, True))]
    assert histories[0] == histories[1]
    for pe, pc in zip(*(model.parameters() for model in models)):
        assert_same(pc.data, pe.data)
        assert_same(pc.grad, pe.grad)


def test_a_training_step_with_its_optimizer_replays_and_reads_the_new_weights():
    def setup():
        model = nn.MLP([3, 8, 2], activation="tanh", rng=1)
        optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)

        def train_step(x, y):
            loss = nn.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss
        return model, train_step
    (m_eager, eager), (m_mine, mine) = setup(), setup()
    mine = autograd.compile(mine)
    rng = np.random.default_rng(2)
    for _ in range(4):
        x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
        le = eager(Value(x, requires_grad=False), Value(y, requires_grad=False))
        lc = mine(Value(x, requires_grad=False), Value(y, requires_grad=False))
        assert lc.item() == le.item()
    for pe, pc in zip(m_eager.parameters(), m_mine.parameters()):
        assert_same(pc.data, pe.data)
    assert len(mine.traces) == 1
    assert "SGD_step()" in mine.code and "Optimizer_zero_grad()" in mine.code


def test_gradients_accumulate_over_calls_as_in_eager_mode():
    w = Value(np.array([0.5, -1.0]))
    step = autograd.compile(lambda x: (w * x).sum().backward())
    for k in range(1, 4):
        step(Value(np.array([2.0, 3.0]), requires_grad=False))
        np.testing.assert_array_equal(w.grad, k * np.array([2.0, 3.0]))


def test_scalar_step_with_its_own_update_and_grad_reset():
    """micrograd's style: p.grad = 0.0 is replayed, the update runs as a @replayed function."""
    def setup():
        params = [Value(v) for v in (0.3, -0.7, 0.2)]

        @autograd.compile.replayed
        def update():
            for p in params:
                p.data -= 0.1 * p.grad

        def train_step(x):
            loss = ((params[0] * x + params[1]).tanh() * params[2] - 1.0) ** 2
            for p in params:
                p.grad = 0.0
            loss.backward()
            update()
            return loss
        return params, train_step
    (pe, eager), (pc, mine) = setup(), setup()
    mine = autograd.compile(mine)
    for x in (1.5, -0.5, 2.0, 0.25):
        assert mine(Value(x)).data == eager(Value(x)).data
    assert [p.data for p in pc] == [p.data for p in pe]
    assert [p.grad for p in pc] == [p.grad for p in pe]


# ---- what a replay reads and returns -------------------------------------------------------
def test_constants_made_outside_fn_are_read_live_and_those_made_inside_are_literals():
    scale = Value(2.0, requires_grad=False)
    step = autograd.compile(lambda x: x * scale + 3.0)
    x = Value(np.array([1.0, 2.0]), name="x")
    np.testing.assert_array_equal(step(x).data, [5.0, 7.0])
    scale.data = 10.0
    np.testing.assert_array_equal(step(x).data, [13.0, 23.0])
    assert "scale = scale_value._data" in step.code and "out = t1 + 3.0" in step.code


def test_ops_on_arguments_that_need_no_gradient_are_recorded_too():
    """x * 2 on a constant argument makes no node in eager mode; a trace still sees it."""
    w = Value(np.array([1.0, -1.0]))
    step = autograd.compile(lambda x: (w * (x * 2.0 + 1.0).exp()).sum())
    for data in ([0.0, 1.0], [1.0, 2.0]):
        x = Value(np.array(data), requires_grad=False)
        expected = (w.data * np.exp(np.array(data) * 2.0 + 1.0)).sum()
        assert step(x).item() == expected


def test_ops_that_link_no_node_are_computed_again_from_live_data(monkeypatch):
    """Between constants, under no_grad(), or without a gradient (a comparison, say), an op
    makes a constant in eager mode; a replay still computes it from the current data."""
    monkeypatch.setattr(autograd.ops, "TABLE", dict(autograd.ops.TABLE))
    sign = autograd.ops.Op("sign_for_this_test", np.sign, None)  # no gradient
    scale = Value(np.array([2.0, -1.0]), requires_grad=False)
    w = Value(np.array([1.0, 0.5]))

    def fn(x):
        with no_grad():
            shift = x * 3.0
        loss = (w * x * sign(x) * (scale * 2.0) + shift).sum()
        loss.backward()
        return loss
    step = autograd.compile(fn)
    for data, scale_data in [([1.0, -2.0], [2.0, -1.0]), ([-3.0, 4.0], [2.0, -1.0]),
                             ([-3.0, 4.0], [0.5, 5.0])]:
        scale.data = np.array(scale_data)
        w.grad = None
        mine = step(Value(np.array(data)))
        w_grad = w.grad
        w.grad = None
        eager = fn(Value(np.array(data)))
        assert_same(mine.data, eager.data)
        assert_same(w_grad, w.grad)
    assert len(step.traces) == 1


def test_returned_parameters_are_the_parameters_and_detached_arguments_are_live():
    w = Value(1.5, name="w")

    def fn(x):
        return w, x.detach() * 2.0, x
    step = autograd.compile(fn)
    x = Value(3.0)
    step(x)
    for data in (4.0, 5.0):
        x = Value(data)
        got_w, doubled, same_x = step(x)
        assert got_w is w and same_x is x and doubled.data == 2 * data


def test_several_results_and_backward_passes_in_one_function():
    w = Value(np.array([0.5, -1.5]), name="w")

    def fn(x, *, scale):
        h = (w * x).tanh()
        total, mean = h.sum(), (h * h).mean() * scale
        total.backward()
        mean.backward()
        return {"total": total, "both": [total, mean], "h": h}
    step = autograd.compile(fn)
    for k in range(3):
        w.grad = None
        mine = step(Value(np.array([1.0, 2.0 + k])), scale=Value(2.0, requires_grad=False))
        w_grad = w.grad
        w.grad = None
        eager = fn(Value(np.array([1.0, 2.0 + k])), scale=Value(2.0, requires_grad=False))
        assert_same(w_grad, w.grad)
        assert mine["total"] is mine["both"][0]
        for got, expected in [(mine["h"], eager["h"]), (mine["both"][1], eager["both"][1])]:
            assert_same(got.data, expected.data)
            assert_same(got.grad, expected.grad)
    assert step.code.count(".backward()") == 2


def test_a_function_that_returns_a_number_is_refused():
    step = autograd.compile(lambda x: (x * x).item())
    with pytest.raises(TypeError, match="returned a float"):
        step(Value(2.0))


# ---- when a replay would be wrong: a new trace, or eager mode ----------------------------
def test_new_shapes_dtypes_and_requires_grad_make_new_traces(capsys):
    step = autograd.compile(lambda x: (x * x).sum(), debug=True)
    for x in [Value(np.ones(3)), Value(np.ones(3)), Value(np.ones(4)),
              Value(np.ones(4, np.float32)), Value(np.ones(3)), Value(1.0),
              Value(np.ones(3), requires_grad=False)]:
        np.testing.assert_array_equal(step(x).data, np.sum(x.data * x.data))
    assert len(step.traces) == 5
    err = capsys.readouterr().err
    assert "because the first call" in err
    assert "argument x is shape (4,) float64, the trace's was shape (3,) float64" in err
    assert "requires_grad=False" in err


def test_a_replaced_or_added_parameter_makes_a_new_trace():
    model = nn.Linear(2, 1, rng=0)
    step = autograd.compile(lambda x: model(x).sum())
    x = Value(np.ones((1, 2)), requires_grad=False)
    step(x)
    model.weight = Value(np.full((2, 1), 3.0))  # same shape: only identity tells
    assert step(x).item() == 6.0
    model.extra = Value(np.zeros(1))
    step(x)
    assert len(step.traces) == 3


def test_non_value_arguments_are_trace_constants_compared_on_every_call():
    step = autograd.compile(lambda x, k, shift: x * k + np.asarray(shift).sum())
    x = Value(2.0)
    assert step(x, 3.0, np.array([1.0])).data == 7.0
    assert step(x, 3.0, np.array([1.0])).data == 7.0
    assert step(x, 4.0, np.array([1.0])).data == 9.0
    assert step(x, 4.0, np.array([2.0])).data == 10.0
    assert len(step.traces) == 3


def test_reading_an_argument_s_data_in_python_makes_it_part_of_the_check():
    step = autograd.compile(lambda x: x * float(x.data.sum() > 0))
    for data, expected in [([1.0], [1.0]), ([2.0], [2.0]), ([-1.0], [-0.0])]:
        np.testing.assert_array_equal(step(Value(np.array(data))).data, expected)
    assert len(step.traces) == 3


def test_after_max_traces_it_runs_eagerly(capsys):
    step = autograd.compile(lambda x: x * 2.0, debug=True)
    for n in range(compile_module.MAX_TRACES + 2):
        assert step(Value(np.ones(n + 1))).shape == (n + 1,)
    assert step.traced == compile_module.MAX_TRACES
    assert "runs eagerly from now on" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_no_grad_anomaly_mode_and_an_outer_trace_run_eagerly(capsys):
    inner = autograd.compile(lambda x: x.exp(), debug=True)
    outer = autograd.compile(lambda x: inner(x) * 2.0)
    x = Value(np.array([0.0, 1.0]))
    with no_grad():
        assert inner(x).requires_grad is False and inner(x).parents == ()
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="exp"):
            inner(Value(np.array([1000.0])))
    outer(x)
    x2 = Value(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(outer(x2).data, np.exp([1.0, 2.0]) * 2.0)
    assert "exp" in outer.code  # the inner function's graph is part of the outer trace
    err = capsys.readouterr().err
    assert err.count("no_grad() is on") == 1 and "detect_anomaly() is on" in err
    assert "called while another function is traced" in err


def test_check_mode_raises_where_python_control_flow_depends_on_data():
    w = Value(np.array([1.0, -2.0]))

    def fn(x):
        return (w * x).sum() if w.data[0] > 0 else (w * x).exp().sum()
    step = autograd.compile(fn, check=True)
    x = Value(np.array([0.5, 0.5]))
    step(x)
    step(x)  # the same branch: replay and eager agree
    w.data = np.array([-1.0, -2.0])
    with pytest.raises(RuntimeError, match="check=True.*differs"):
        step(x)


def test_check_mode_puts_back_what_the_replay_changed():
    model = nn.Linear(2, 1, rng=0)
    optimizer = Adam(model.parameters(), lr=0.1)

    def train_step(x):
        loss = model(x).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    eager_model = nn.Linear(2, 1, rng=0)
    eager_optimizer = Adam(eager_model.parameters(), lr=0.1)
    step = autograd.compile(train_step, check=True)
    x = Value(np.array([[1.0, 2.0]]), requires_grad=False)
    for _ in range(3):
        step(x)
        loss = eager_model(x).sum()
        eager_optimizer.zero_grad()
        loss.backward()
        eager_optimizer.step()
    assert optimizer.steps == [3, 3]
    for pc, pe in zip(model.parameters(), eager_model.parameters()):
        assert_same(pc.data, pe.data)


# ---- what fn may not do -----------------------------------------------------------------
def test_what_a_replay_cannot_repeat_is_refused_at_the_first_call():
    w = Value(np.array([1.0, 2.0]))
    optimizer = SGD([w], lr=0.1)

    def assigns_data(x):
        w.data = w.data * 2
        return w * x

    def sets_a_gradient(x):
        (w * x).sum().backward()
        w.grad = np.array([1.0, 1.0])

    def calls_grad(x):
        return autograd.grad((w * x).sum(), w)[0]

    def builds_after_the_step(x):
        (w * x).sum().backward()
        optimizer.step()
        return w * x
    x = Value(np.array([3.0, 4.0]))
    for fn, message in [(assigns_data, "assigns new data"), (sets_a_gradient, "nonzero"),
                        (calls_grad, "autograd.grad"), (builds_after_the_step, "after an")]:
        with pytest.raises(RuntimeError, match=message):
            autograd.compile(fn)(x)
