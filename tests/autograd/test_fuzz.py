"""Gradient fuzzing: random expression graphs over the whole op list, checked against
central finite differences (float64) with `autograd.gradcheck`.

A graph is built as Python source, one line per node, and run with `exec`; a failing
example prints that program (hypothesis `note` and the assertion message), so it can be
pasted into a file and replayed as it is. Each graph has 1-3 leaves (Python-float scalars,
0-d and n-d tensors up to 3x3x3) and 2-10 ops drawn from: unary math, binary arithmetic
against other nodes (reused freely), new leaves, Python floats and numpy arrays with
broadcasting (0-d and size-1 axes included), pow with a Value exponent, matmul,
reductions with axis/keepdims, softmax/log_softmax/logsumexp, reshape, transpose,
getitem (ints, slices, integer lists, boolean masks, newaxis), concat, stack, where,
maximum, minimum and clip.

Inputs stay away from kinks and poles: log, sqrt and the base of `**` see `x * x + 0.5`,
divisors `x * x + 0.5`; relu/abs/leaky_relu/clip, maximum/minimum and max/min reductions
are only applied where no element is within MARGIN of the kink or of a tie (the node's
value is known while the graph is built), otherwise the node becomes `tanh`. Nodes whose
values leave [-1e3, 1e3] are replaced the same way, so finite differences stay accurate;
a disagreement counts only if it persists with a 10x smaller step (see `check`).

How many graphs: each fuzz test runs twice, on EXAMPLES graphs in the default run
(`AUTOGRAD_FUZZ_EXAMPLES`, default 100: a few seconds in all) and on LONG_EXAMPLES (2,000)
behind the `slow` marker, which CI runs (`python -m pytest -q -m slow`). On CI (`CI` set)
the examples are derandomized, so a run is reproducible; elsewhere every run draws new
graphs.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import GradcheckError, Value, gradcheck, gradgradcheck, grad, no_grad

EXAMPLES = int(os.environ.get("AUTOGRAD_FUZZ_EXAMPLES", "100"))
LONG_EXAMPLES = 2000
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
HOW_MANY = pytest.mark.parametrize(
    "examples", [EXAMPLES, pytest.param(LONG_EXAMPLES, marks=pytest.mark.slow)],
    ids=["default", "long"])
MARGIN = 1e-3    # distance kept from kinks and ties
LIMIT = 1e3      # largest |value| a node may hold
MAX_SIZE = 36    # most elements a node may hold
MAX_NDIM = 3

NAMESPACE = {"np": np, "autograd": autograd, "Value": Value}


def literal(x) -> str:
    """Python source that rebuilds x exactly: a float, or np.array(<nested list>)."""
    if type(x) is float:
        return repr(x)
    x = np.asarray(x)
    return f"np.array({x.tolist()!r})"


class Graph:
    """A random expression graph, as replayable source code plus its inputs."""

    def __init__(self):
        self.params: list[str] = []      # names of the leaves, in call order
        self.inputs: list = []           # their data (float or ndarray)
        self.lines: list[str] = []       # "vK = <expression>"
        self.env: dict[str, Value] = {}  # every node's Value (evaluated under no_grad)
        self.used: set[str] = set()
        self.out = ""

    def name(self) -> str:
        return f"v{len(self.env)}"

    def add_leaf(self, data) -> str:
        name = self.name()
        self.params.append(name)
        self.inputs.append(data)
        self.env[name] = Value(data)
        return name

    def try_line(self, expr: str):
        """Evaluate `expr` over the nodes; returns its Value (nothing is committed)."""
        with no_grad():
            return eval(expr, NAMESPACE, dict(self.env))

    def commit(self, expr: str, value: Value, operands) -> str:
        name = self.name()
        self.lines.append(f"{name} = {expr}")
        self.env[name] = value
        self.used.update(operands)
        return name

    def source(self) -> str:
        body = "\n".join(f"    {line}" for line in self.lines) or "    pass"
        out = self.out or (list(self.env)[-1] if self.env else "None")
        return f"def f({', '.join(self.params)}):\n{body}\n    return {out}\n"

    def program(self) -> str:
        """The whole replayable check, as Python source."""
        args = ",\n    ".join(literal(x) for x in self.inputs)
        return ("import numpy as np\nimport autograd\nfrom autograd import Value\n\n"
                f"{self.source()}\ninputs = [\n    {args},\n]\n"
                "autograd.gradcheck(f, inputs)\n")

    def function(self):
        namespace = dict(NAMESPACE)
        exec(self.source(), namespace)
        return namespace["f"]

    def __repr__(self):
        return self.program()


# ---- strategies --------------------------------------------------------------------------------
ELEMENT = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def leaf_data(draw, shape):
    """Data for a new leaf: a Python float if shape is None, else a float64 array."""
    if shape is None:
        return draw(ELEMENT)
    return draw(hnp.arrays(np.float64, shape, elements=ELEMENT))


def shape_of(v: Value):
    """None for a Python-float scalar, else the shape (so 0-d arrays stay arrays)."""
    return None if type(v.data) is float else v.shape


def partner_shape(draw, shape):
    """A shape (None: a Python float) that broadcasts with `shape`: fewer leading axes,
    axes set to 1, size-1 axes stretched, or one extra leading axis."""
    shape = () if shape is None else shape
    kind = draw(st.sampled_from(["float", "same", "broadcast", "broadcast", "lead"]))
    if kind == "float":
        return None
    if kind == "same":
        return shape
    if kind == "lead" and len(shape) < MAX_NDIM:
        return (draw(st.integers(1, 3)),) + tuple(
            draw(st.sampled_from([1, n])) for n in shape)
    cut = draw(st.integers(0, len(shape)))
    return tuple(draw(st.integers(1, 3)) if n == 1 else draw(st.sampled_from([1, n]))
                 for n in shape[cut:])


def broadcasts(a, b) -> bool:
    try:
        shape = np.broadcast_shapes(() if a is None else a, () if b is None else b)
    except ValueError:
        return False
    return int(np.prod(shape)) <= MAX_SIZE


def draw_axis(draw, ndim, single=False):
    """axis=None, an int (maybe negative) or a tuple of axes; for 0-d, None, 0 or -1."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    choices = [st.integers(-ndim, ndim - 1)]
    if not single:
        choices += [st.none(), hnp.valid_tuple_axes(ndim, min_size=1)]
    return draw(st.one_of(choices))


def far_from(data, points) -> bool:
    """No element of data within MARGIN of any of `points`."""
    data = np.asarray(data)
    return all(np.all(np.abs(data - p) > MARGIN) for p in points)


def no_ties(data, axis, largest) -> bool:
    """The max (largest) or min of data over `axis` is MARGIN clear of the runner-up."""
    data = np.asarray(data)
    if data.ndim == 0:
        return True
    axes = tuple(range(data.ndim)) if axis is None else \
        tuple(a % data.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    moved = np.moveaxis(data, axes, tuple(range(-len(axes), 0)))
    flat = np.sort(moved.reshape(moved.shape[:moved.ndim - len(axes)] + (-1,)), axis=-1)
    if flat.shape[-1] < 2:
        return True
    gap = flat[..., -1] - flat[..., -2] if largest else flat[..., 1] - flat[..., 0]
    return bool(np.all(gap > MARGIN))


UNARY = ["neg", "exp", "tanh", "sigmoid", "log", "sqrt", "pow_const", "rpow", "rdiv",
         "abs", "relu", "leaky_relu", "clip"]
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where", "const"]
SHAPE = ["reshape", "transpose", "getitem", "concat", "stack"]
REDUCE = ["sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax"]
OPS = BINARY + ["matmul"] + REDUCE + SHAPE + UNARY  # the first is drawn most often
SCALAR_OPS = [op for op in OPS if op not in ("getitem", "concat", "matmul")]


class Reject(Exception):
    """This op does not fit here (a kink, a tie, a shape): use the fallback node."""


def build_step(draw, g: Graph, op: str, a: str):
    """(expression, operands, new leaves) for `op` applied to node `a`; raise Reject."""
    va = g.env[a]
    sa, da = shape_of(va), va.data
    nd = 0 if sa is None else len(sa)
    new = []  # (name, data) of leaves this op would add

    def partner(shape_pred=None, fresh_shape=None):
        """An existing node (reuse) or a new leaf that fits."""
        fits = [n for n, v in g.env.items()
                if (shape_pred or (lambda s: broadcasts(sa, s)))(shape_of(v))]
        choice = draw(st.sampled_from(fits + ["new"]))
        if choice != "new":
            return choice
        shape = fresh_shape if fresh_shape is not None else partner_shape(draw, sa)
        if shape_pred is None and not broadcasts(sa, shape):
            raise Reject
        name = f"v{len(g.env) + len(new)}"  # numbered after the committed nodes
        new.append((name, leaf_data(draw, None if shape == "float" else shape)))
        return name

    if op == "neg":
        return f"-{a}", [a], new
    if op in ("exp", "tanh", "sigmoid"):
        return f"{a}.{op}()", [a], new
    if op in ("log", "sqrt"):
        return f"({a} * {a} + 0.5).{op}()", [a], new
    if op == "pow_const":
        c = draw(st.sampled_from([2.0, 3.0, -1.0, 0.5, -1.5, 1.7]))
        return f"({a} * {a} + 0.5) ** {c!r}", [a], new
    if op == "rpow":
        c = draw(st.sampled_from([0.5, 1.7, 2.0]))
        return f"{c!r} ** {a}", [a], new
    if op == "rdiv":
        return f"1.5 / ({a} * {a} + 0.5)", [a], new
    if op in ("abs", "relu"):
        if not far_from(da, [0.0]):
            raise Reject
        return f"{a}.{op}()", [a], new
    if op == "leaky_relu":
        if not far_from(da, [0.0]):
            raise Reject
        return f"{a}.leaky_relu({draw(st.sampled_from([0.01, 0.3]))!r})", [a], new
    if op == "clip":
        low, high = draw(st.sampled_from([(-0.5, 0.5), (None, 0.3), (-1.0, None), (0.0, 2.0)]))
        if not far_from(da, [p for p in (low, high) if p is not None]):
            raise Reject
        return f"{a}.clip({low!r}, {high!r})", [a], new

    if op in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"):
        b = partner()
        if b == a and op in ("maximum", "minimum"):
            raise Reject  # a tie everywhere
        names = [a, b]
        if draw(st.booleans()):
            names.reverse()
        x, y = names
        if op in ("maximum", "minimum"):
            db = dict(new)[b] if b in dict(new) else g.env[b].data
            if not far_from(np.asarray(da) - np.asarray(db), [0.0]):
                raise Reject
            return f"autograd.{op}({x}, {y})", [a, b], new
        if op == "div":
            return f"{x} / ({y} * {y} + 0.5)", [a, b], new
        if op == "pow":
            return f"({x} * {x} + 0.5) ** {y}", [a, b], new
        if op == "where":
            db = dict(new)[b] if b in dict(new) else g.env[b].data
            out_shape = np.broadcast_shapes(np.shape(da), np.shape(db))
            cshape = partner_shape(draw, out_shape)
            cond = draw(hnp.arrays(bool, () if cshape is None else cshape))
            return f"autograd.where({literal(cond)}, {x}, {y})", [a, b], new
        symbol = {"add": "+", "sub": "-", "mul": "*"}[op]
        return f"{x} {symbol} {y}", [a, b], new
    if op == "const":
        symbol = draw(st.sampled_from(["+", "-", "*"]))
        shape = partner_shape(draw, sa)
        c = draw(ELEMENT) if shape is None else draw(
            hnp.arrays(np.float64, shape, elements=ELEMENT))
        if not broadcasts(sa, np.shape(c)):
            raise Reject
        first, second = (a, literal(c)) if draw(st.booleans()) else (literal(c), a)
        return f"{first} {symbol} {second}", [a], new

    if op == "reshape":
        if sa is None:
            return f"{a}.reshape({draw(st.sampled_from(['1', '1, 1', '()']))})", [a], new
        n = int(np.prod(sa))
        targets = [(-1,), sa[::-1], (1,) + sa, sa + (1,)]
        targets += [(n // d, d) for d in (2, 3) if n % d == 0]
        target = draw(st.sampled_from([t for t in targets if len(t) <= MAX_NDIM + 1]))
        return f"{a}.reshape({target!r})", [a], new
    if op == "transpose":
        if nd < 2:
            return f"{a}.T", [a], new
        perm = tuple(draw(st.permutations(range(nd))))
        return f"{a}.transpose{perm!r}", [a], new
    if op == "getitem":
        if nd == 0:
            raise Reject
        n0 = sa[0]
        kind = draw(st.sampled_from(["int", "slice", "list", "mask", "newaxis", "pair",
                                     "col"]))
        if kind == "int":
            return f"{a}[{draw(st.integers(-n0, n0 - 1))}]", [a], new
        if kind == "slice":
            start, stop = draw(st.integers(-n0, n0 - 1)), draw(st.integers(-n0, n0))
            step = draw(st.sampled_from([1, 2, -1]))
            if not len(range(n0)[start:stop:step]):
                raise Reject
            return f"{a}[{start}:{stop}:{step}]", [a], new
        if kind == "list":
            idx = draw(st.lists(st.integers(-n0, n0 - 1), min_size=1, max_size=4))
            return f"{a}[{idx!r}]", [a], new
        if kind == "mask":
            mask = draw(hnp.arrays(bool, sa))
            if not mask.any():
                raise Reject
            return f"{a}[{literal(mask)}]", [a], new
        if kind == "newaxis":
            return f"{a}[None, ..., {draw(st.integers(0, sa[-1] - 1))}]", [a], new
        if nd < 2:
            raise Reject
        n1 = sa[1]
        if kind == "pair":
            k = draw(st.integers(1, 3))
            rows = draw(st.lists(st.integers(0, n0 - 1), min_size=k, max_size=k))
            cols = draw(st.lists(st.integers(0, n1 - 1), min_size=k, max_size=k))
            return f"{a}[{literal(np.array(rows))}, {literal(np.array(cols))}]", [a], new
        return f"{a}[:, {draw(st.integers(-n1, n1 - 1))}]", [a], new
    if op == "concat":
        if nd == 0:
            raise Reject
        axis = draw(st.integers(-nd, nd - 1))
        ax = axis % nd
        size = draw(st.integers(1, 3))
        b = partner(lambda s: s is not None and len(s) == nd and
                    all(m == n for i, (m, n) in enumerate(zip(s, sa)) if i != ax),
                    sa[:ax] + (size,) + sa[ax + 1:])
        parts = draw(st.sampled_from([[a, b], [b, a], [a, b, a], [a]]))
        return f"autograd.concat([{', '.join(parts)}], axis={axis})", [a, b], new
    if op == "stack":
        b = partner(lambda s: s == sa, sa if sa is not None else "float")
        axis = draw(st.integers(-nd - 1, nd))
        parts = draw(st.sampled_from([[a, b], [b, a, a]]))
        return f"autograd.stack([{', '.join(parts)}], axis={axis})", [a, b], new
    if op in ("sum", "mean", "logsumexp", "max", "min"):
        axis = draw_axis(draw, nd)
        keep = draw(st.booleans())
        if op in ("max", "min") and not no_ties(da, axis, op == "max"):
            raise Reject
        return f"{a}.{op}(axis={axis!r}, keepdims={keep})", [a], new
    if op in ("softmax", "log_softmax"):
        axis = draw_axis(draw, nd, single=True) if nd else -1
        return f"{a}.{op}(axis={axis})", [a], new
    if op == "matmul":
        if nd == 0:
            raise Reject
        k = sa[-1]
        if draw(st.booleans()) and nd <= 2:  # reuse: a @ a.T or a @ a
            return (f"{a} @ {a}.T" if nd == 2 else f"{a} @ {a}"), [a], new
        if draw(st.booleans()):  # a @ b
            batch = draw(st.sampled_from([1, 2] if nd < 3 else [1, sa[-3]]))
            shape = draw(st.sampled_from([(k,), (k, 2), (batch, k, 1)]))
            name = f"v{len(g.env)}"
            new.append((name, leaf_data(draw, shape)))
            return f"{a} @ {name}", [a, name], new
        m = sa[-2] if nd >= 2 else k  # b @ a
        shape = draw(st.sampled_from([(m,), (2, m)]))
        name = f"v{len(g.env)}"
        new.append((name, leaf_data(draw, shape)))
        return f"{name} @ {a}", [a, name], new
    raise AssertionError(op)


@st.composite
def graphs(draw, max_ops: int = 10) -> Graph:
    """A random Graph of 1-3 leaves and 2 to `max_ops` ops."""
    g = Graph()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["float", "0-d", "tensor", "tensor", "tensor"]))
        shape = {"float": None, "0-d": ()}.get(kind) if kind != "tensor" else draw(
            hnp.array_shapes(min_dims=1, max_dims=MAX_NDIM, min_side=1, max_side=3))
        g.add_leaf(leaf_data(draw, shape))
    for _ in range(draw(st.integers(2, max_ops))):
        a = draw(st.sampled_from(list(g.env)))
        op = draw(st.sampled_from(OPS if g.env[a].ndim else SCALAR_OPS))
        expr, operands, new = None, [a], []
        try:
            expr, operands, new = build_step(draw, g, op, a)
            env = dict(g.env, **{n: Value(d) for n, d in new})
            with no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow: rejected below
                value = eval(expr, NAMESPACE, env)
            data = np.asarray(value.data)
            if data.size > MAX_SIZE or data.size == 0 or not np.all(np.abs(data) <= LIMIT):
                raise Reject
        except Reject:
            expr, operands, new = f"{a}.tanh()", [a], []
            value = g.try_line(expr)
        except Exception as err:  # the engine failed on a valid graph: show it
            raise AssertionError(f"{type(err).__name__}: {err}\nwhile adding\n    {expr}\n"
                                 f"to\n{g.program()}") from err
        for n, d in new:
            g.add_leaf(d)
        g.commit(expr, value, operands)
    last = list(g.env)[-1]
    sinks = [n for n in g.env if n not in g.used and n != last and n not in g.params]
    g.out = " + ".join([last] + [f"{n}.sum()" for n in sinks])
    return g


def run(graph: Graph, inputs):
    return graph.function()(*[Value(x) for x in inputs])


# ---- the tests ----------------------------------------------------------------------------------
def check(checker, graph: Graph, program: str) -> None:
    """Run gradcheck or gradgradcheck; a disagreement must persist with a 10x smaller step.

    Chained powers can amplify a leaf's change 1000-fold, and then the eps^2 truncation
    error of central differences at eps=1e-6 exceeds the tolerance although reverse mode is
    right; that error shrinks 100-fold at eps=1e-7, a wrong derivative does not.
    """
    try:
        checker(graph.function(), graph.inputs)
    except GradcheckError as err:
        try:
            checker(graph.function(), graph.inputs, eps=1e-7)
        except GradcheckError:
            raise AssertionError(f"{err}\n\nreplay with:\n{program}") from None


def fuzz(check_graph, examples: int, max_ops: int = 10) -> None:
    """Run `check_graph(graph)` on `examples` random graphs of up to `max_ops` ops."""
    on_graphs = given(graph=graphs(max_ops=max_ops))(check_graph)
    settings(FUZZ, max_examples=examples)(on_graphs)()


@HOW_MANY
def test_random_graphs_match_finite_differences(examples):
    fuzz(gradient_matches_finite_differences, examples)


@HOW_MANY
def test_random_graphs_backward_agrees_with_grad_and_accumulates(examples):
    fuzz(backward_agrees_with_grad_and_accumulates, examples)


@HOW_MANY
def test_random_graphs_second_derivatives(examples):
    fuzz(second_derivative_matches_finite_differences, max(1, examples // 4), max_ops=5)


def gradient_matches_finite_differences(graph):
    program = graph.program()
    note(program)
    check(gradcheck, graph, program)


def backward_agrees_with_grad_and_accumulates(graph):
    """backward() fills .grad with what grad() returns, create_graph=True gives the same
    numbers, and a second backward() doubles exactly."""
    note(graph.program())
    leaves = [Value(x) for x in graph.inputs]
    out = graph.function()(*leaves)
    seed = np.random.default_rng(0).standard_normal(out.shape)
    seed = float(seed) if type(out.data) is float else seed
    plain = grad(out, leaves, grad_outputs=seed)
    graphed = grad(out, leaves, grad_outputs=seed, create_graph=True)
    out.backward(seed)
    for leaf, p, q in zip(leaves, plain, graphed):
        if type(leaf.data) is float:
            assert type(leaf.grad) is float
        else:
            assert np.shape(leaf.grad) == leaf.shape
            assert np.asarray(leaf.grad).dtype == leaf.dtype
            assert type(leaf.grad) is np.ndarray
        np.testing.assert_array_equal(leaf.grad, p.data)
        np.testing.assert_allclose(np.asarray(q.data), p.data, rtol=1e-12, atol=1e-12)
    first = [np.copy(leaf.grad) for leaf in leaves]
    out.backward(seed)
    for leaf, once in zip(leaves, first):
        np.testing.assert_array_equal(leaf.grad, 2 * once)


def second_derivative_matches_finite_differences(graph):
    program = graph.program().replace("gradcheck", "gradgradcheck")
    note(program)
    check(gradgradcheck, graph, program)


@settings(FUZZ, max_examples=5)
@given(graph=graphs())
def test_a_printed_program_replays_the_same_graph(graph):
    """The text a failure prints is runnable and computes what the test computed."""
    namespace: dict = {}
    exec(graph.program().replace("autograd.gradcheck(f, inputs)\n", ""), namespace)
    ours = run(graph, graph.inputs)
    theirs = namespace["f"](*[Value(x) for x in namespace["inputs"]])
    np.testing.assert_array_equal(np.asarray(theirs.data), np.asarray(ours.data))


# ---- sweep details that random graphs rarely reach (found by mutation testing) ------------------
def test_a_0d_leaf_used_once_gets_an_ndarray_grad():
    x = Value(np.array(2.0))
    (x * 3.0).backward()  # 0-d array * float is a numpy scalar; the sweep makes it an array
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == 3.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_each_leaf_keeps_its_dtype_when_precisions_mix(dtype):
    x = Value(np.array([1.0, 2.0], dtype=dtype))
    w = Value(np.array([1.5, 2.5]))  # float64: the product is float64
    (x * w).sum().backward()
    assert x.grad.dtype == dtype and w.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, np.array([1.5, 2.5], dtype=dtype))
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_the_same_output_twice_counts_twice():
    x = Value(np.array([1.0, -2.0]))
    y = (x * x).sum()
    (gx,) = grad([y, y], x)
    np.testing.assert_array_equal(gx.data, 4 * x.data)
    (gx,) = grad([y, y], x, grad_outputs=[1.0, 0.5], create_graph=True)
    np.testing.assert_array_equal(gx.data, 3 * x.data)


# ---- found by the fuzzer ------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["used twice", "backward twice"])
def test_a_0d_leaf_used_twice_keeps_an_ndarray_grad(case):
    x = Value(np.array(2.0))
    if case == "used twice":
        (x * x).backward()
        expected = 4.0
    else:
        (x * 3.0).backward()
        (x * 3.0).backward()
        expected = 6.0
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad == expected
