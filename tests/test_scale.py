"""Scale: very deep and very wide graphs give exact gradients, training does not leak
memory, and `no_grad` holds per thread.

Each size test runs twice: at a tenth of its size in the default run (well past
Python's recursion limit, well inside a second), and at the full size of the issue (a
1,000,000-op chain, a Value used 100,000 times, 10,000 training steps) behind the `slow`
marker, which CI runs (`python -m pytest -q -m slow`; about 40 s together).
`AUTOGRAD_LONG=1` (or `pytest --long`) makes the full chain 5,000,000 ops and the
training 50,000 steps.
"""
import gc
import math
import os
import threading
import tracemalloc

import numpy as np
import pytest

import autograd
from autograd import Value, grad, no_grad
from autograd import ops

LONG = os.environ.get("AUTOGRAD_LONG") == "1"


def sizes(quick, full):
    """Parametrize a test's `n`: `quick` in the default run, `full` behind the slow marker."""
    return pytest.mark.parametrize("n", [quick, pytest.param(full, marks=pytest.mark.slow)],
                                   ids=["quick", "full"])


# ---- depth --------------------------------------------------------------------------------------
@sizes(20_000, 5_000_000 if LONG else 1_000_000)
def test_a_long_scalar_chain_matches_the_closed_form(n):
    """y <- y * a + b, repeated n / 2 times (n ops): y = a^k x + b (a^k - 1) / (a - 1) and
    dy/dx = a^k for k = n / 2. Rounding adds up over the chain, so the tolerance is 1e-9."""
    a, b, k = 1.000001, 1e-6, n // 2
    x = Value(0.5)
    y = x
    for _ in range(k):
        y = y * a + b
    power = a ** k
    assert y.data == pytest.approx(power * 0.5 + b * (power - 1) / (a - 1), rel=1e-9)
    y.backward()
    assert type(x.grad) is float
    assert x.grad == pytest.approx(power, rel=1e-9)
    assert y.grad == 1.0
    del y  # freeing the chain must not overflow the C stack


@sizes(2_000, 20_000)
def test_a_deep_tensor_chain_and_grad_agree(n):
    x = Value(np.array([0.5, -0.25]))
    y = x
    for _ in range(n):
        y = (y * 0.9999).tanh() + 0.0001
    (gx,) = grad(y.sum(), x)
    y.sum().backward()
    np.testing.assert_array_equal(gx.data, x.grad)
    assert np.all(np.isfinite(x.grad)) and np.all(x.grad > 0)


# ---- width --------------------------------------------------------------------------------------
@sizes(10_000, 100_000)
def test_one_value_used_many_times(n):
    """x feeds n products; its gradient is the exact sum of their weights."""
    x = Value(0.5)
    weights = [float(i % 7 - 3) for i in range(n)]
    total = Value(0.0)
    for w in weights:
        total = total + x * w
    total.backward()
    assert x.grad == sum(weights) != 0  # small whole numbers: every sum is exact
    assert total.data == pytest.approx(0.5 * sum(weights))


@sizes(10_000, 100_000)
def test_one_tensor_used_many_times_by_a_single_op(n):
    """Fan-out inside one op's inputs: x appears n times in a sum of Values."""
    x = Value(np.array([1.0, 2.0]))
    terms = [x] * n
    total = terms[0]
    for t in terms[1:]:
        total = t + total
    total.sum().backward()
    np.testing.assert_array_equal(x.grad, [float(n), float(n)])


def test_stack_of_many_copies_gives_the_summed_gradient():
    x = Value(0.5)
    out = autograd.stack([x] * 2_000)
    weights = np.arange(2_000.0) % 5
    (out * weights).sum().backward()
    assert x.grad == weights.sum()


def test_backward_of_stack_does_linear_work_in_the_number_of_inputs(monkeypatch):
    """Counts what concat's VJPs are handed (shape look-ups and arguments) instead of
    timing the backward pass: it must grow linearly with the number of inputs."""
    n = 2_000
    x = Value(0.5)
    out = autograd.stack([x] * n)
    lookups, handed = [], []
    original = ops.shape_of

    def counting_shape_of(v):
        lookups.append(1)
        return original(v)

    def counting(vjp):
        def wrapped(g, out, *args):
            handed.append(len(args))
            return vjp(g, out, *args)
        return wrapped

    monkeypatch.setattr(ops, "shape_of", counting_shape_of)
    monkeypatch.setattr(out._op, "vjps", tuple(counting(v) for v in out._op.vjps))
    out.sum().backward()
    assert x.grad == float(n)
    assert len(lookups) <= 10 * n, f"{len(lookups)} shape look-ups for {n} inputs"
    assert sum(handed) <= 10 * n, f"{sum(handed)} arguments handed to {n} VJPs"


# ---- memory -------------------------------------------------------------------------------------
def _live_values() -> int:
    return sum(type(o) is Value for o in gc.get_objects())


@sizes(500, 50_000 if LONG else 10_000)
def test_training_memory_stays_flat(n):
    """A tiny MLP trained for n steps: the memory in use and the number of live Values
    after the first tenth of the steps and at the end are the same (within 1 MB and
    exactly), with the cycle collector off, so no graph is kept alive by reference cycles
    either."""
    nn = pytest.importorskip("nn")
    from nn.optim import Adam

    rng = np.random.default_rng(0)
    x = Value(rng.standard_normal((8, 2)), requires_grad=False)
    y = rng.standard_normal((8, 1))
    model = nn.MLP([2, 4, 1], activation="tanh", rng=0)
    opt = Adam(model.parameters(), lr=1e-2)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for step in range(1, n + 1):
            loss = nn.mse_loss(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step == n // 10:
                current_early, peak_early = tracemalloc.get_traced_memory()
                tracemalloc.stop()  # gc.get_objects() below must not count
                values_early = _live_values()
                tracemalloc.start()
        current_late, peak_late = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    values_late = _live_values()
    assert math.isfinite(loss.item())
    assert values_late == values_early, "Values pile up between steps"
    # the first window started from nothing, so compare the late one with the early one
    assert current_late < 1_000_000, current_late
    assert peak_late < peak_early + 1_000_000, (peak_early, peak_late)
    assert abs(current_late - current_early) < 1_000_000, (current_early, current_late)


@pytest.mark.parametrize("f", [
    lambda c: c * np.array([1, 2]),              # integer array constant
    lambda c: c + np.array([0.5, 1.5]),          # float array constant
    lambda c: np.array([1.0, 2.0]) @ (c * 1.0),
    lambda c: autograd.concat([c, np.ones(2)]),
    lambda c: autograd.stack([c, [3.0, 4.0]]),
    lambda c: autograd.where(np.array([True, False]), 7.0, c),
    lambda c: autograd.maximum(np.array([0.0, 5.0]), c),
], ids=["int-array", "float-array", "matmul", "concat", "stack", "where", "maximum"])
def test_constants_only_build_no_graph(f):
    """Numbers and arrays mixed with a Value that needs no grad record nothing: no node,
    and nothing kept alive."""
    c = Value(np.array([1.0, 2.0]), requires_grad=False)
    out = f(c)
    assert out.requires_grad is False and out.parents == () and out.op == ""


def test_a_discarded_graph_is_freed_at_once():
    """Dropping the loss frees its whole graph by reference counting (no cycles)."""
    w = Value(np.ones((50, 50)))
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        for _ in range(20):
            loss = ((w @ w).tanh() * 2.0).sum()
            loss.backward()
        del loss
        after = _live_values()
    finally:
        gc.enable()
    assert after == before


# ---- threads ------------------------------------------------------------------------------------
def test_no_grad_in_one_thread_while_another_records():
    """Two threads in lock-step: one inside no_grad, one recording. Each sees its own
    mode at every step, and the recording thread's backward is right."""
    steps = 300
    barrier = threading.Barrier(2, timeout=30)
    seen = {"quiet": [], "recording": []}
    failures = []

    def quiet():
        try:
            with no_grad():
                for i in range(steps):
                    barrier.wait()
                    y = Value(float(i)) * 2.0 + 1.0
                    seen["quiet"].append(y.requires_grad or bool(y.parents))
        except Exception as err:  # pragma: no cover - reported below
            failures.append(err)

    def recording():
        try:
            for i in range(steps):
                barrier.wait()
                x = Value(float(i))
                y = x * 2.0 + x * x
                y.backward()
                seen["recording"].append(y.requires_grad and x.grad == 2.0 + 2 * i)
        except Exception as err:  # pragma: no cover - reported below
            failures.append(err)

    threads = [threading.Thread(target=quiet), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    assert seen["quiet"] == [False] * steps
    assert seen["recording"] == [True] * steps


def test_many_threads_with_mixed_modes_build_independent_graphs():
    results = {}

    def work(k):
        x = Value(np.full(3, float(k)))
        if k % 2:
            with no_grad():
                y = (x * x).sum()
            results[k] = ("off", y.requires_grad, float(y.data))
        else:
            y = (x * x).sum()
            y.backward()
            results[k] = ("on", y.requires_grad, float(x.grad[0]))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for k in range(16):
        if k % 2:
            assert results[k] == ("off", False, 3.0 * k * k)
        else:
            assert results[k] == ("on", True, 2.0 * k)
