"""Every op of the table, from its entry in the op spec (opspec.py): the value against a
reference, gradients and second derivatives against finite differences, float32, the
scalar path, anomaly mode and PyTorch; and a check that no op of the table lacks a spec.

Inputs come from a grid of distinct values (odd multiples of 0.05 in (-2, 2), one random
permutation per case, then each entry's domain map; see opspec.grid): no two are equal and
none is within 0.025 of a kink (0 for relu and abs, +-0.5 for the clips), so ties and kinks
never meet a finite-difference step.
"""
import numpy as np
import pytest

from autograd import Value, detect_anomaly, gradcheck, gradgradcheck, ops
from agtest import assert_close
from opspec import BINARY, CASES

TOL = dict(atol=1e-6, rtol=1e-5)  # both sides are exact to ~1e-9 on these inputs


DIFFERENTIABLE = [name for name, (s, _) in CASES.items() if s.differentiable]
WITH_SCALARS = [name for name, (_, args) in CASES.items() if float in map(type, args)]
WITH_TORCH = [name for name, (s, _) in CASES.items() if s.torch is not None]
FLOAT32 = [name for name, (s, args) in CASES.items()
           if s.float32 and any(type(a) is not float for a in args)]


def first_layout_by_default(names: list) -> list:
    """`names` with each spec entry's later layouts marked slow: the default run checks
    every op once, CI (`-m slow`) every layout. For the costliest checks, to keep the
    default run under a minute."""
    seen = set()
    params = []
    for name in names:
        s = CASES[name][0]
        params.append(name if s.name not in seen else pytest.param(name, marks=pytest.mark.slow))
        seen.add(s.name)
    return params


def graph_ops(out: Value) -> set:
    """The names of the ops in out's graph."""
    seen, stack, names = set(), [out], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            names.add(v.op)
            stack.extend(v.parents)
    return names - {""}


def test_every_op_of_the_table_has_a_spec(monkeypatch):
    """Every op is applied by some spec entry (also ops without a gradient, which leave no
    node in a graph to find)."""
    applied = set()
    original = ops.Op.apply

    def recording(op, *args):
        applied.add(op.name)
        return original(op, *args)

    monkeypatch.setattr(ops.Op, "apply", recording)
    monkeypatch.setattr(ops.Op, "__call__", recording)
    for s, args in CASES.values():
        s.fn(*[Value(a) for a in args])
    missing = sorted(set(ops.TABLE) - applied)
    assert not missing, f"ops with no entry in tests/autograd/opspec.py: {missing}"


@pytest.mark.parametrize("case", [name for name, (s, _) in CASES.items()
                                  if not s.differentiable])
def test_ops_without_a_gradient_give_constants(case):
    s, args = CASES[case]
    out = s.fn(*[Value(a) for a in args])
    assert out.requires_grad is False and out.is_leaf


@pytest.mark.parametrize("case", CASES)
def test_value_matches_the_reference(case):
    s, args = CASES[case]
    out = s.fn(*[Value(a) for a in args])
    expected = s.ref(*[np.asarray(a, np.float64) for a in args])
    assert_close(out.data, expected, **({"rtol": 1e-10, "atol": 1e-12} | s.tol))


@pytest.mark.parametrize("case", DIFFERENTIABLE)
def test_gradient_matches_finite_differences(case):
    s, args = CASES[case]
    assert gradcheck(s.fn, args) is True


@pytest.mark.parametrize("case", first_layout_by_default(DIFFERENTIABLE))
def test_second_derivative_matches_finite_differences(case):
    s, args = CASES[case]
    assert gradgradcheck(s.fn, args, **TOL) is True


@pytest.mark.parametrize("case", first_layout_by_default(FLOAT32))
def test_float32_in_float32_out(case):
    s, args = CASES[case]
    values = [Value(a if type(a) is float else np.asarray(a, np.float32)) for a in args]
    out = s.fn(*values)
    assert out.dtype == np.float32 and out.data.dtype == np.float32
    out64 = s.fn(*[Value(a) for a in args])
    np.testing.assert_allclose(out.data, out64.data, rtol=1e-5, atol=1e-6)
    if s.differentiable:
        out.backward(np.ones(out.shape, np.float32))
        for v in values:
            if type(v.data) is float:
                assert type(v.grad) is float
            else:
                assert v.grad.dtype == np.float32 and v.grad.shape == v.shape


@pytest.mark.parametrize("case", WITH_SCALARS)
def test_the_scalar_path_agrees_with_0d_tensors(case):
    """Python floats run on the `math` module, 0-d arrays on numpy: same values and grads."""
    s, args = CASES[case]
    scalars = [Value(a) for a in args]
    tensors = [Value(np.array(a)) for a in args]
    out_s, out_t = s.fn(*scalars), s.fn(*tensors)
    if out_s.shape == () and all(type(a) is float for a in args) and out_s.dtype.kind == "f":
        assert type(out_s.data) is float  # (bools and ints stay 0-d arrays, as in PyTorch)
    assert_close(np.asarray(out_s.data), np.asarray(out_t.data), rtol=1e-12, atol=1e-15)
    if s.differentiable:
        weights = np.random.default_rng(0).standard_normal(out_s.shape)
        out_s.backward(weights)
        out_t.backward(weights)
        for vs, vt in zip(scalars, tensors):
            assert type(vs.grad) is (float if type(vs.data) is float else np.ndarray)
            assert_close(np.asarray(vs.grad), vt.grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", first_layout_by_default(list(CASES)))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_mode(case):
    """Finite inputs: the same result, no error. A NaN input whose NaN reaches the output:
    FloatingPointError naming an op of the graph (the first that made a NaN)."""
    s, args = CASES[case]
    plain = s.fn(*[Value(a) for a in args])
    with detect_anomaly():
        watched = s.fn(*[Value(a) for a in args])
        if s.differentiable:
            watched.backward(np.ones(watched.shape))
    assert_close(np.asarray(watched.data), np.asarray(plain.data), rtol=0, atol=0)

    first = np.array(args[0], dtype=np.float64)
    first.flat[0] = np.nan
    poisoned = [float(first) if type(args[0]) is float else first] + list(args[1:])
    out = s.fn(*[Value(a) for a in poisoned])
    if np.all(np.isfinite(out.data)):
        return  # the NaN did not reach the output (an index or mask skipped it)
    with detect_anomaly():
        with pytest.raises(FloatingPointError) as err:
            s.fn(*[Value(a) for a in poisoned])
    named = str(err.value).split(" gave ")[0].removeprefix("detect_anomaly: ")
    assert named in graph_ops(out), str(err.value)


@pytest.mark.parametrize("case", first_layout_by_default(WITH_TORCH))
def test_matches_torch(case, torch):
    s, args = CASES[case]
    values = [Value(a) for a in args]
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=s.differentiable)
               for a in args]
    out, ref = s.fn(*values), s.torch(torch, *tensors)
    assert_close(np.asarray(out.data), ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    if s.differentiable:
        upstream = np.random.default_rng(1).standard_normal(out.shape)
        out.backward(upstream)
        ref.backward(torch.tensor(upstream))
        for v, t in zip(values, tensors):
            assert_close(np.asarray(v.grad), t.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted({s.name for s, _ in CASES.values()
                                          if s.layouts is BINARY}))
def test_binary_ops_name_themselves_and_the_shapes_that_do_not_broadcast(name):
    s = next(s for s, _ in CASES.values() if s.name == name)
    with pytest.raises(ValueError) as err:
        s.fn(Value(np.ones(3)), Value(np.ones(4)))
    message = str(err.value)
    assert "(3,)" in message and "(4,)" in message
    # (an op without a gradient leaves no node to find: its spec's name says which it is)
    named = graph_ops(s.fn(Value(1.0), Value(2.0))) or {s.name.partition("(")[0]}
    assert any(op in message for op in named), message
