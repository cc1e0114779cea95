"""Graph drawing: the DOT source of known graphs (nodes, edges, labels, styles, clusters,
the node cap), rendering with Graphviz's `dot`, and the error when `dot` is missing."""
import math
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

from drawn import Drawing  # noqa: E402


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


# ---- parameters and boxes (the generic hooks; nn's boxes are tested in tests/nn) -------------
class Params:
    """Anything with named_parameters(): its parameters are drawn as such, named."""

    def __init__(self, **params):
        self.params = params

    def named_parameters(self):
        return list(self.params.items())


def small_layer():
    x = Value(np.array([[0.5, -1.0]]), requires_grad=False, name="x")
    w = Value(np.array([[1.0], [2.0]]), name="weight")
    b = Value(np.array([0.5]), name="bias")
    out = ((x @ w + b).tanh() - 1.0).sum()
    out.backward()
    return out, w, b


def test_module_parameters_get_dotted_names_and_the_parameter_style():
    out, w, b = small_layer()
    d = Drawing(draw_graph(out, module=Params(**{"layer.weight": w, "layer.bias": b})))
    fill = viz._PALETTE["parameter"][0]
    for name in ("layer.weight", "layer.bias"):
        assert f'fillcolor="{fill}"' in d.values[d.value(f"<B>{name}</B>")]
    assert "<B>weight</B>" not in d.source  # the module's name wins over Value.name
    assert "subgraph cluster_" not in d.source  # no graph_groups(): no boxes


def test_groups_draw_nested_boxes_with_their_values_and_ops():
    out, w, b = small_layer()
    matmul = out.parents[0].parents[0].parents[0].parents[0]
    add = out.parents[0].parents[0].parents[0]
    groups = {w: ("net", "layer"), b: ("net", "layer"), matmul: ("net", "layer"),
              add: ("net",)}
    d = Drawing(draw_graph(out, groups=groups))
    assert d.parent_cluster == {"net": None, "layer": "net"}
    assert d.cluster_of[d.value("<B>weight</B>")] == "layer"
    ops_in = {name: d.cluster_of[n] for n, name in d.ops.items()}
    assert ops_in == {"matmul": "layer", "add": "net", "tanh": None, "sub": None,
                      "sum": None}
    assert d.cluster_of[d.value("<B>x</B>")] is None


def test_groups_given_by_the_module_hook():
    out, w, b = small_layer()
    module = Params(weight=w, bias=b)
    module.graph_groups = lambda values: {v: ("box",) for v in values if v is w or v is b}
    d = Drawing(draw_graph(out, module=module))
    assert d.cluster_of[d.value("<B>weight</B>")] == "box"
    assert d.cluster_of[d.value("<B>bias</B>")] == "box"
