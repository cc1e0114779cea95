"""Graph drawing: the DOT source of known graphs (nodes, edges, labels, styles, clusters,
the node cap), rendering with Graphviz's `dot`, and the error when `dot` is missing."""
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

graphviz = pytest.importorskip("graphviz")

from autograd import Value, draw_graph  # noqa: E402
from autograd import viz  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
CLUSTER_LABEL = re.compile(r'^\s*graph \[.*label="?([^"]*?)"? \w+=')


class Drawing:
    """A draw_graph result taken apart: value labels, op names, edges and clusters by id."""

    def __init__(self, graph):
        self.source = graph.source
        self.values, self.ops, self.edges, self.cluster_of = {}, {}, [], {}
        self.more = None  # the attributes of the "... N more values" node
        self.parent_cluster, stack = {}, []
        for line in self.source.splitlines():
            if line.strip().startswith("subgraph cluster_"):
                stack.append(None)  # its label comes on the next line
            elif stack and stack[-1] is None and CLUSTER_LABEL.match(line):
                stack[-1] = CLUSTER_LABEL.match(line).group(1)
                self.parent_cluster[stack[-1]] = stack[-2] if len(stack) > 1 else None
            elif line.strip() == "}" and stack:
                stack.pop()
            elif EDGE.match(line):
                self.edges.append(EDGE.match(line).groups())
            elif NODE.match(line):
                node, attrs = NODE.match(line).groups()
                if node == "more":
                    self.more = attrs
                if node in ("graph", "node", "edge", "more"):
                    continue
                if node.startswith("v"):
                    self.values[node] = attrs
                else:
                    self.ops[node] = re.match(r'label="?(\w+)', attrs).group(1)
                self.cluster_of[node] = stack[-1] if stack else None

    def value(self, text: str) -> str:
        """The id of the one value node whose label contains `text`."""
        found = [n for n, attrs in self.values.items() if text in attrs]
        assert len(found) == 1, f"{len(found)} value nodes contain {text!r}"
        return found[0]

    def op_names(self) -> list:
        return sorted(self.ops.values())

    def inputs_of(self, node: str) -> list:
        return [a for a, b, _ in self.edges if b == node]


def neuron():
    """o = tanh(x1*w1 + x2*w2 + b) = tanh(0.5) after o.backward(); every leaf is named."""
    x1, x2 = Value(1.0, name="x1"), Value(-2.0, name="x2")
    w1, w2, b = Value(0.5, name="w1"), Value(0.25, name="w2"), Value(0.5, name="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.name = "o"
    o.backward()
    return o


# ---- nodes, edges and labels ------------------------------------------------------------------
def test_neuron_has_one_node_per_value_and_op_and_edges_in_data_flow_direction():
    d = Drawing(draw_graph(neuron()))
    assert len(d.values) == 10  # 5 leaves, 2 products, 2 sums, the output
    assert d.op_names() == ["add", "add", "mul", "mul", "tanh"]
    assert len(d.edges) == 14  # 9 inputs into ops + 5 op outputs
    for a, b, _ in d.edges:  # value -> op -> value, never value -> value
        assert (a.startswith("v"), b.startswith("v")) in ((True, False), (False, True))
    tanh = next(op for op, name in d.ops.items() if name == "tanh")
    assert [b for a, b, _ in d.edges if a == tanh] == [d.value("<B>o</B>")]
    assert "rankdir=LR" in d.source


def test_labels_show_name_data_and_grad_with_four_significant_digits():
    o = neuron()
    d = Drawing(draw_graph(o))
    label = d.values[d.value("<B>o</B>")]
    assert ">0.4621<" in label  # tanh(0.5) to 4 significant digits
    assert ">1<" in label  # the root's grad
    w1 = d.values[d.value("<B>w1</B>")]
    expected_grad = 1.0 * (1 - math.tanh(0.5) ** 2)  # x1 * tanh'
    assert ">0.5<" in w1 and f">{expected_grad:.4g}<" in w1
    assert label.index("<B>o</B>") < label.index(">data<") < label.index(">grad<")


def test_show_data_and_show_grad_leave_out_those_rows():
    o = neuron()
    only_data = Drawing(draw_graph(o, show_grad=False))
    assert all(">grad<" not in a for a in only_data.values.values())
    assert all(">data<" in a for a in only_data.values.values())
    bare = Drawing(draw_graph(o, show_data=False, show_grad=False))
    assert all(">data<" not in a and ">grad<" not in a for a in bare.values.values())
    unnamed = [a for a in bare.values.values() if "<B>" not in a]
    assert unnamed and all("scalar" in a for a in unnamed)  # something to show in the box


def test_a_value_used_twice_has_two_edges_into_its_op():
    a = Value(3.0, name="a")
    d = Drawing(draw_graph(a * a))
    (op,) = d.ops
    assert d.inputs_of(op) == [d.value("<B>a</B>")] * 2


def test_constants_are_drawn_muted_and_without_grad():
    x = Value(1.5, name="x")
    d = Drawing(draw_graph(x * 2.0 + Value(4.0, requires_grad=False, name="c")))
    constants = [n for n, a in d.values.items() if viz._PALETTE["constant"][0] in a]
    assert len(constants) == 2
    assert all(">grad<" not in d.values[n] for n in constants)
    assert ">2<" in d.values[constants[0]] + d.values[constants[1]]
    assert ">grad<" in d.values[d.value("<B>x</B>")]


def test_leaves_root_and_intermediates_have_their_own_styles():
    d = Drawing(draw_graph(neuron()))
    fill = {kind: colours[0] for kind, colours in viz._PALETTE.items()}
    assert f'fillcolor="{fill["leaf"]}"' in d.values[d.value("<B>w1</B>")]
    assert f'fillcolor="{fill["root"]}"' in d.values[d.value("<B>o</B>")]
    assert "penwidth=2" in d.values[d.value("<B>o</B>")]
    middle = [a for a in d.values.values() if "<B>" not in a]
    assert len(middle) == 4 and all(f'fillcolor="{fill["intermediate"]}"' in a for a in middle)


def test_names_are_escaped_for_the_html_label():
    d = Drawing(draw_graph(Value(1.0, name="a<b & c>") * 2))
    assert "a&lt;b &amp; c&gt;" in d.source


def test_nan_and_inf_are_drawn_in_the_warning_colour():
    x = Value(float("nan"), name="x")
    y = Value(1.0, name="y")
    z = x * y
    z.backward()  # y.grad = nan as well
    d = Drawing(draw_graph(z))
    warn = viz._PALETTE["nonfinite"][0]
    for name in ("x", "y"):
        assert f'fillcolor="{warn}"' in d.values[d.value(f"<B>{name}</B>")]
    ok = Value(2.0, name="ok")
    d = Drawing(draw_graph(ok * Value(np.array([1.0, np.inf]), name="t")))
    assert f'fillcolor="{warn}"' in d.values[d.value("<B>t</B>")]
    assert f'fillcolor="{warn}"' not in d.values[d.value("<B>ok</B>")]
    assert f'<FONT COLOR="{viz._WARN}"><B>[1, inf]' in d.source  # the bad row is red too


def test_small_tensors_show_their_values():
    v = Value(np.array([[1.0, 2.5], [-3.0, 0.125]]), name="m")
    d = Drawing(draw_graph(v.sum()))
    label = d.values[d.value("<B>m</B>")]
    assert "[[1, 2.5]," in label and "[-3, 0.125]]" in label


def test_large_tensors_show_shape_dtype_and_min_mean_max():
    v = Value(np.arange(12, dtype=np.float32).reshape(3, 4), name="big")
    out = v.sum()
    out.backward()
    d = Drawing(draw_graph(out))
    label = d.values[d.value("<B>big</B>")]
    assert "(3, 4) float32" in label
    assert "min 0  mean 5.5  max 11" in label  # data
    assert "min 1  mean 1  max 1" in label  # grad


def test_large_tensor_with_nan_counts_the_bad_elements():
    data = np.zeros(10)
    data[[2, 5]] = np.nan
    d = Drawing(draw_graph(Value(data, name="t").sum()))
    assert "(2 not finite)" in d.values[d.value("<B>t</B>")]


def test_draw_graph_returns_a_digraph_and_checks_its_root():
    assert isinstance(draw_graph(neuron()), graphviz.Digraph)
    with pytest.raises(TypeError, match="Value"):
        draw_graph(3.0)


def test_the_source_is_deterministic():
    o = neuron()
    assert draw_graph(o).source == draw_graph(o).source


def test_rankdir_is_passed_on():
    assert "rankdir=TB" in draw_graph(neuron(), rankdir="TB").source


def test_a_legend_names_the_kinds_present():
    source = draw_graph(neuron()).source
    legend = source[source.rindex("label=<"):]
    assert all(word in legend for word in ("input", "intermediate", "output"))
    assert "parameter" not in legend and "constant" not in legend


# ---- modules and clusters ---------------------------------------------------------------------
class FakeLinear:
    """Just enough of nn.Linear: a weight, a bias and named_parameters()."""

    def __init__(self, n_in, n_out, rng):
        self.weight = Value(rng.normal(size=(n_in, n_out)), name="weight")
        self.bias = Value(np.zeros(n_out), name="bias")

    def named_parameters(self):
        return [("weight", self.weight), ("bias", self.bias)]

    def __call__(self, x):
        return x @ self.weight + self.bias


class FakeMLP:
    """Linear layers with tanh between them, parameters named layers.i.weight/bias."""

    def __init__(self, sizes):
        rng = np.random.default_rng(0)
        self.layers = [FakeLinear(a, b, rng) for a, b in zip(sizes, sizes[1:])]

    def named_parameters(self):
        return [(f"layers.{i}.{n}", p) for i, layer in enumerate(self.layers)
                for n, p in layer.named_parameters()]

    def __call__(self, x):
        x = self.layers[0](x)
        for layer in self.layers[1:]:
            x = layer(x.tanh())
        return x


def mlp_loss(model):
    x = Value(np.array([[0.5, -1.0]]), requires_grad=False, name="x")
    y = Value(np.array([[1.0]]), requires_grad=False, name="y")
    loss = ((model(x) - y) ** 2).sum()
    loss.name = "loss"
    loss.backward()
    return loss


def test_module_parameters_get_dotted_names_and_the_parameter_style():
    model = FakeMLP([2, 3, 1])
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    fill = viz._PALETTE["parameter"][0]
    for name in ("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"):
        assert f'fillcolor="{fill}"' in d.values[d.value(f"<B>{name}</B>")]
    assert "<B>weight</B>" not in d.source  # the module's name wins over Value.name


def test_each_submodule_gets_a_cluster_with_its_parameters_and_their_ops():
    model = FakeMLP([2, 3, 1])
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    assert d.source.count("subgraph cluster_") == 2
    for i in (0, 1):
        weight, bias = d.value(f"layers.{i}.weight"), d.value(f"layers.{i}.bias")
        cluster = d.cluster_of[weight]
        assert cluster.startswith(f"layers.{i}") and d.cluster_of[bias] == cluster
        matmul = [b for a, b, _ in d.edges if a == weight][0]
        add = [b for a, b, _ in d.edges if a == bias][0]
        assert (d.ops[matmul], d.ops[add]) == ("matmul", "add")
        outputs = [b for a, b, _ in d.edges if a in (matmul, add)]
        assert all(d.cluster_of[n] == cluster for n in (matmul, add, *outputs))
    # the activation, the loss and the data take no parameter: outside every cluster
    for name in ("tanh", "sub", "pow", "sum"):
        (op,) = [n for n, op_name in d.ops.items() if op_name == name]
        assert d.cluster_of[op] is None
    assert d.cluster_of[d.value("<B>x</B>")] is None
    assert d.cluster_of[d.value("<B>loss</B>")] is None


def test_a_module_with_direct_parameters_is_one_cluster_named_after_its_class():
    class Neuron:
        def __init__(self):
            self.w = Value(np.array([0.5, -0.5]))
            self.b = Value(0.1)

        def named_parameters(self):
            return [("w", self.w), ("b", self.b)]

    n = Neuron()
    out = (Value(np.array([1.0, 2.0]), name="x") @ n.w + n.b).sigmoid()
    d = Drawing(draw_graph(out, module=n))
    assert set(d.parent_cluster) == {"Neuron"}
    assert d.cluster_of[d.value("<B>w</B>")] == "Neuron"


class ScalarNeuron:
    """A micrograd-style neuron on scalar Values: sum of w_i * x_i, plus b."""

    def __init__(self, weights):
        self.w = [Value(w) for w in weights]
        self.b = Value(0.5)

    def named_parameters(self):
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def __call__(self, xs):
        total = self.w[0] * xs[0]
        for w, x in zip(self.w[1:], xs[1:]):
            total = total + w * x
        return (total + self.b).tanh()


class ScalarLayer:
    def __init__(self):
        self.neurons = [ScalarNeuron([0.1, -0.2]), ScalarNeuron([0.3, 0.4])]

    def named_parameters(self):
        return [(f"neurons.{i}.{n}", p) for i, neuron in enumerate(self.neurons)
                for n, p in neuron.named_parameters()]

    def __call__(self, xs):
        return [n(xs) for n in self.neurons]


class ScalarNet:
    def __init__(self):
        self.layers = [ScalarLayer()]

    def named_parameters(self):
        return [(f"layers.0.{n}", p) for n, p in self.layers[0].named_parameters()]


def test_scalar_neurons_nest_in_their_layer_and_keep_their_running_sums():
    net = ScalarNet()
    xs = [Value(1.0, requires_grad=False), Value(2.0, requires_grad=False)]
    h = net.layers[0](xs)
    out = h[0] + h[1]
    d = Drawing(draw_graph(out, module=net))
    # the list `w` is no module: w.0 belongs to the neuron, and the layer wraps the neurons
    assert d.parent_cluster == {"layers.0 · ScalarLayer": None,
                                "layers.0.neurons.0 · ScalarNeuron": "layers.0 · ScalarLayer",
                                "layers.0.neurons.1 · ScalarNeuron": "layers.0 · ScalarLayer"}
    neuron0 = "layers.0.neurons.0 · ScalarNeuron"
    in_neuron0 = [d.ops[n] for n, c in d.cluster_of.items() if c == neuron0 and n in d.ops]
    # w0*x0, w1*x1, their sum and + b; the tanh stays outside
    assert sorted(in_neuron0) == ["add", "add", "mul", "mul"]


def test_module_given_by_nn_if_available():
    nn = pytest.importorskip("nn")
    model = nn.MLP([2, 3, 1], rng=0)
    loss = nn.mse_loss(model(Value(np.ones((4, 2)), requires_grad=False)),
                       Value(np.zeros((4, 1)), requires_grad=False))
    loss.backward()
    d = Drawing(draw_graph(loss, module=model))
    names = [name for name, _ in model.named_parameters()]
    for name in names:
        assert d.cluster_of[d.value(f"<B>{name}</B>")] is not None
    owners = {name.rpartition(".")[0] for name in names}
    assert len(d.parent_cluster) == len(owners) == 2
    assert all(label.startswith(tuple(owners)) for label in d.parent_cluster)


# ---- the node cap -----------------------------------------------------------------------------
def chain(n):
    x = Value(0.5, name="x")
    for _ in range(n):
        x = x.tanh()
    return x


def test_max_nodes_keeps_the_values_nearest_the_root_and_marks_the_cut():
    root = chain(20)  # 21 values in a line
    d = Drawing(draw_graph(root, max_nodes=5))
    assert len(d.values) == 5 and len(d.ops) == 5
    assert "\u2026 16 more values" in d.more
    cut = [(a, b, attrs) for a, b, attrs in d.edges if a == "more"]
    assert len(cut) == 1 and "dashed" in cut[0][2]
    assert "<B>x</B>" not in d.source  # the leaf is the farthest node
    assert all(d.inputs_of(op) for op in d.ops)  # every op still has an input


def test_max_nodes_counts_by_breadth_first_distance():
    a, b = Value(1.0, name="a"), Value(2.0, name="b")
    deep = a
    for _ in range(5):
        deep = deep * 2.0
    root = deep + b  # b is 1 step from the root, a is 6
    d = Drawing(draw_graph(root, max_nodes=3))
    assert "<B>b</B>" in d.source and "<B>a</B>" not in d.source


def test_max_nodes_at_or_above_the_graph_size_changes_nothing():
    o = neuron()
    assert draw_graph(o, max_nodes=10).source == draw_graph(o).source
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(o, max_nodes=0)


def test_deep_chain_draws_without_recursion_error():
    x = Value(1.0)
    for _ in range(100_000):
        x = x + 1.0
    d = draw_graph(x, max_nodes=20)
    assert "more values" in d.source


def test_thousands_of_scalar_nodes_build_quickly():
    rng = np.random.default_rng(0)
    values = [Value(float(v)) for v in rng.normal(size=50)]
    while len(values) < 5000:  # each step adds a product and its tanh
        other = values[rng.integers(len(values))]
        values.append(values[-1] * other)
        values.append(values[-1].tanh())
    root = values[-1]
    root.backward()
    start = time.perf_counter()
    source = draw_graph(root).source
    elapsed = time.perf_counter() - start
    n_values = source.count("shape=box")
    assert n_values > 4900  # all but the few leaves never drawn as `other`
    print(f"draw_graph of {n_values} Values: {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0  # about 0.07 s here; generous for slow CI machines


# ---- rendering --------------------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF")])
def test_save_graph_renders_real_files(tmp_path, suffix, magic):
    path = viz.save_graph(neuron(), tmp_path / f"g{suffix}")
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 1000
    if suffix == ".svg":
        assert b"tanh" in data and b"0.4621" in data


@needs_dot
def test_module_graph_renders(tmp_path):
    model = FakeMLP([2, 3, 1])
    path = viz.save_graph(mlp_loss(model), tmp_path / "mlp.png", module=model)
    assert path.stat().st_size > 10_000


@needs_dot
def test_jupyter_display_gives_svg():
    bundle = draw_graph(neuron())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_save_graph_dot_writes_the_source_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    o = neuron()
    for suffix in (".dot", ".gv"):
        path = viz.save_graph(o, tmp_path / f"g{suffix}", rankdir="TB")
        assert path.read_text(encoding="utf-8") == draw_graph(o, rankdir="TB").source


def test_save_graph_needs_a_known_suffix(tmp_path):
    for name in ("graph", "graph.txt"):
        with pytest.raises(ValueError, match="suffix"):
            viz.save_graph(neuron(), tmp_path / name)


def test_missing_dot_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no executables at all: graphviz cannot start dot
    graph = draw_graph(neuron())
    assert "tanh" in graph.source  # building needs no dot
    attempts = [lambda: viz.save_graph(neuron(), tmp_path / "g.png"),
                lambda: graph.render(tmp_path / "g", format="svg"),
                lambda: graph.pipe(format="svg"),
                graph._repr_mimebundle_]
    for attempt in attempts:
        with pytest.raises(viz.GraphvizNotFoundError) as info:
            attempt()
        message = str(info.value)
        assert isinstance(info.value, RuntimeError)
        for fix in ("apt-get install graphviz", "brew install graphviz",
                    "conda install graphviz"):
            assert fix in message


# ---- the command line -------------------------------------------------------------------------
@needs_dot
def test_main_draws_the_example_neuron(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert viz.main([]) == 0
    assert (tmp_path / "graph.svg").read_bytes().startswith(b"<?xml")
    assert str((tmp_path / "graph.svg").resolve()) in capsys.readouterr().out
    assert viz.main([str(tmp_path / "n.png")]) == 0
    assert (tmp_path / "n.png").stat().st_size > 1000


@needs_dot
def test_python_dash_m_autograd_viz(tmp_path):
    out = tmp_path / "neuron.svg"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "autograd.viz", str(out)], cwd=root,
                          capture_output=True, text=True, check=True)
    assert str(out.resolve()) in done.stdout and b"tanh" in out.read_bytes()


def test_main_without_dot_fails_with_the_install_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SystemExit) as info:
        viz.main([str(tmp_path / "g.svg")])
    assert info.value.code == 1
    assert "apt-get install graphviz" in capsys.readouterr().err


def test_main_help(capsys):
    with pytest.raises(SystemExit) as info:
        viz.main(["--help"])
    assert info.value.code == 0 and "usage" in capsys.readouterr().out


def test_a_layers_activation_is_drawn_in_the_layers_cluster():
    """nn.Layer is Linear then activation: the tanh it returns goes in its box."""
    import nn
    model = nn.MLP([2, 2, 1], activation="tanh", output_activation=None, rng=0)
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    (tanh,) = [n for n, name in d.ops.items() if name == "tanh"]
    assert d.cluster_of[tanh].startswith("layers.0")
    (tanh_out,) = [b for a, b, _ in d.edges if a == tanh]
    assert d.cluster_of[tanh_out] == d.cluster_of[tanh]
    for name in ("sub", "pow", "sum"):  # the loss is no module's
        (op,) = [n for n, op_name in d.ops.items() if op_name == name]
        assert d.cluster_of[op] is None


def test_an_activation_module_between_layers_stays_outside_them():
    """In a Sequential the Tanh module returns the tanh; it has no box of its own and the
    Sequential around it has no parameters of its own, so the tanh is drawn between boxes."""
    import nn
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1))
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    (tanh,) = [n for n, name in d.ops.items() if name == "tanh"]
    assert d.cluster_of[tanh] is None
    assert d.source.count("subgraph cluster_") == 2
