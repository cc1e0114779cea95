"""Graph drawing: the DOT source of known graphs (nodes, edges, labels, styles, clusters,
the node cap), rendering with Graphviz's `dot`, and the error when `dot` is missing."""
import math
import shutil
import struct
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

from agtest import micrograd_neuron  # noqa: E402
from drawn import Drawing  # noqa: E402


def png_size(path) -> tuple:
    """(width, height) in pixels, from a PNG file's header."""
    return struct.unpack(">II", Path(path).read_bytes()[16:24])


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


def test_numbers_are_plain_values_and_data_is_an_input_box_without_grad():
    x = Value(1.5, name="x")
    c = Value([4.0, 5.0], requires_grad=False)  # unnamed, but an array: data, not a number
    d = Drawing(draw_graph((x * 2.0 + c).sum()))
    (two,) = [n for n, a in d.values.items() if "shape=plaintext" in a]
    assert d.values[two].startswith('label="2"')  # the 2 of x * 2.0: no box, no data row
    (mul,) = [op for op, name in d.ops.items() if name == "mul"]
    assert sorted(d.inputs_of(mul)) == sorted([d.value("<B>x</B>"), two])
    data = d.value("[4, 5]")
    assert f'fillcolor="{viz._PALETTE["input"][0]}"' in d.values[data]
    assert ">grad<" not in d.values[data]  # no gradient: no grad row
    assert ">grad<" in d.values[d.value("<B>x</B>")]
    named = Drawing(draw_graph(x * Value(4.0, requires_grad=False, name="c")))
    assert f'fillcolor="{viz._PALETTE["input"][0]}"' in named.values[named.value("<B>c</B>")]


def test_leaves_root_and_intermediates_have_their_own_styles():
    d = Drawing(draw_graph(neuron()))
    fill = {kind: colours[0] for kind, colours in viz._PALETTE.items()}
    assert f'fillcolor="{fill["parameter"]}"' in d.values[d.value("<B>w1</B>")]
    assert f'fillcolor="{fill["root"]}"' in d.values[d.value("<B>o</B>")]
    assert "penwidth=2" in d.values[d.value("<B>o</B>")]
    middle = [a for a in d.values.values() if "<B>" not in a]
    assert len(middle) == 4 and all(f'fillcolor="{fill["intermediate"]}"' in a for a in middle)
    assert len(set(fill.values())) == len(fill) - 1  # constants and intermediates: white


def test_inputs_and_parameters_differ_in_colour_and_legend():
    w = Value([0.5, -1.0], name="w")
    x = Value([2.0, 3.0], name="x", requires_grad=False)
    source = draw_graph((w * x).sum()).source
    fill = {kind: colours[0] for kind, colours in viz._PALETTE.items()}
    assert fill["input"] != fill["parameter"]
    legend = source[source.rindex("label=<"):]
    assert f'BGCOLOR="{fill["input"]}"' in legend and ">input (data)<" in legend
    assert f'BGCOLOR="{fill["parameter"]}"' in legend and ">parameter<" in legend


def test_a_mean_is_one_op_of_its_input():
    x = Value(np.array([1.0, 2.0, 3.0, 5.0]), name="x")
    m = x.mean()
    m.backward()
    assert m.op == "mul" and [p.op for p in m.parents] == ["sum", ""]  # the graph is unchanged
    d = Drawing(draw_graph(m))
    assert d.op_names() == ["mean"] and len(d.values) == 2  # no sum, no 0.25 constant
    (mean,) = d.ops
    assert d.inputs_of(mean) == [d.value("<B>x</B>")]
    assert ">0.25<" not in d.source  # only x's grad row shows it
    assert "[0.25, 0.25, 0.25, 0.25]" in d.values[d.value("<B>x</B>")]


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


def test_large_tensors_show_shape_dtype_and_range():
    v = Value(np.arange(12, dtype=np.float32).reshape(3, 4), name="big")
    out = v.sum()
    out.backward()
    d = Drawing(draw_graph(out))
    label = d.values[d.value("<B>big</B>")]
    assert "(3, 4) float32" in label
    assert ">0 \u2026 11<" in label  # data: min ... max
    assert ">all 1<" in label  # grad


def test_small_tensors_too_wide_or_tall_for_a_box_show_their_range():
    wide = Value(np.array([0.001234, -0.005678, 0.009101, -0.001112, 0.001314]), name="w")
    column = Value(np.arange(4.0).reshape(4, 1), name="c")
    d = Drawing(draw_graph((wide.sum() + column.sum())))
    assert "(5,) float64" in d.values[d.value("<B>w</B>")]
    assert "-0.005678 \u2026 0.009101" in d.values[d.value("<B>w</B>")]
    assert ">0 \u2026 3<" in d.values[d.value("<B>c</B>")]


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
    assert all(word in legend for word in ("parameter", "intermediate", "output"))
    assert "input" not in legend and "constant" not in legend and "module" not in legend


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


# ---- the layout: a long graph is wrapped into rows or columns ----------------------------------
def test_a_graph_that_fits_a_screen_is_drawn_left_to_right_in_one_line():
    d = Drawing(draw_graph(neuron()))
    assert "rankdir=LR" in d.source and set(d.band_of.values()) == {0}
    assert "constraint=false" not in d.source and "wrap" not in d.source


def test_a_long_chain_wraps_into_bands_in_data_flow_order():
    root = chain(40)
    d = Drawing(draw_graph(root))
    values = sorted(d.values, key=lambda n: int(n[1:]))  # ids number the Values inputs first
    bands = [d.band_of[n] for n in values]
    assert bands == sorted(bands) and bands[-1] >= 2  # in order, several bands
    for a, b, attrs in d.edges:  # only edges within a band place the nodes
        assert ("constraint=false" in (attrs or "")) == (d.band_of[a] != d.band_of[b])
    order = [line.split("->")[1].split()[0] for line in d.source.splitlines()
             if line.strip().startswith("wrap ->")]
    assert [d.band_of[n] for n in order] == list(range(bands[-1] + 1))  # bands in order
    flat = Drawing(draw_graph(root, wrap=False))
    assert set(flat.band_of.values()) == {0} and "rankdir=LR" in flat.source
    assert "rankdir=TB" in draw_graph(root, rankdir="TB").source


@needs_dot
def test_a_wrapped_chain_fits_a_screen_and_one_line_would_not(tmp_path):
    wrapped = png_size(viz.save_graph(chain(40), tmp_path / "wrapped.png"))
    assert max(wrapped) <= 2000
    line = png_size(viz.save_graph(chain(40), tmp_path / "line.png", wrap=False))
    assert max(line) > 4 * max(wrapped)


# ---- collapsed boxes -------------------------------------------------------------------------
def boxed_layer():
    """small_layer's graph with its matmul and add in box "layer", inside box "net"."""
    out, w, b = small_layer()
    add = out.parents[0].parents[0].parents[0]
    matmul = add.parents[0]
    inner = ("net", "layer")
    return out, {w: inner, b: inner, matmul: inner, add: inner}


def test_collapse_draws_a_box_as_one_node_with_its_edges_and_parameter_count():
    out, groups = boxed_layer()
    d = Drawing(draw_graph(out, groups=groups, collapse=1))
    (box,) = d.boxes
    assert "<B>net</B>" in d.boxes[box]
    assert "3 parameters \u00b7 out (1, 1)" in d.boxes[box]  # weight (2, 1) and bias (1,)
    assert d.inputs_of(box) == [d.value("<B>x</B>")]
    (tanh,) = [op for op, name in d.ops.items() if name == "tanh"]
    assert d.outputs_of(box) == [tanh] and d.inputs_of(tanh) == [box]
    assert sorted(d.ops.values()) == ["sub", "sum", "tanh"]  # matmul and add are in the box
    assert "weight" not in d.source and not d.parent_cluster
    assert f'fillcolor="{viz._PALETTE["module"][0]}"' in d.boxes[box]
    assert "module (collapsed)" in d.source[d.source.rindex("label=<"):]


def test_collapse_by_depth_or_label_and_expand_one_box():
    out, groups = boxed_layer()
    inner = Drawing(draw_graph(out, groups=groups, collapse=2))
    (box,) = inner.boxes
    assert "<B>layer</B>" in inner.boxes[box] and inner.cluster_of[box] == "net"
    assert inner.parent_cluster == {"net": None}
    by_label = draw_graph(out, groups=groups, collapse="layer").source
    assert by_label == inner.source
    expanded = draw_graph(out, groups=groups, collapse=1, expand="net").source
    assert expanded == inner.source  # net is open, and layer, at depth 2, stays shut
    everything = draw_graph(out, groups=groups, collapse=1, expand=["net", "layer"]).source
    assert everything == draw_graph(out, groups=groups).source
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(out, groups=groups, collapse=0)


def test_a_collapsed_box_holding_the_output_is_drawn_as_the_output():
    x = Value(2.0, name="x")
    y = x * 3.0
    y.backward()
    d = Drawing(draw_graph(y, groups={y: ("f",)}, collapse=1))
    (box,) = d.boxes
    assert "penwidth=2" in d.boxes[box] and "0 parameters \u00b7 out scalar" in d.boxes[box]
    assert d.inputs_of(box) == [d.value("<B>x</B>"), d.value('label="3"')]


# ---- explain=True: local derivatives and gradients on the edges ------------------------------
def edge_label(d: Drawing, tail: str, head_op: str) -> str:
    (attrs,) = [attrs for a, b, attrs in d.edges if a == d.value(f"<B>{tail}</B>")
                and d.ops.get(b) == head_op]
    return attrs


def test_explain_labels_edges_with_local_derivatives_and_gradients():
    o, _ = micrograd_neuron()
    o.backward()
    d = Drawing(draw_graph(o, explain=True))
    assert "local -3<BR/>grad -1.5" in edge_label(d, "x1", "mul")  # dx1 = w1 * do/dx1w1
    assert "local 2<BR/>grad 1" in edge_label(d, "w1", "mul")
    assert "local 0<BR/>grad 0" in edge_label(d, "w2", "mul")
    assert "local 0.5<BR/>grad 0.5" in edge_label(d, "n", "tanh")  # 1 - o**2
    assert "local 1<BR/>grad 0.5" in edge_label(d, "b", "add")
    assert all(attrs is None for a, b, attrs in d.edges if a.startswith("o"))
    assert "edges: local derivative" in d.source[d.source.rindex("label=<"):]
    assert "<BR/>grad" not in draw_graph(o).source


def test_explain_on_tensors_shows_the_gradient_passed_and_local_derivatives_of_a_number():
    x = Value(np.array([[1.0, 2.0]]), name="x")
    w = Value(np.array([[3.0, 1.0], [0.5, -1.0]]), name="w")
    h = x @ w
    h.name = "h"
    y = h.sum()
    y.backward()
    d = Drawing(draw_graph(y, explain=True))
    assert "local [[1, 1]]<BR/>grad [[1, 1]]" in edge_label(d, "h", "sum")  # y is a number
    assert "local" not in edge_label(d, "w", "matmul")  # h is a tensor: a Jacobian
    assert "grad [[1, 1], [2, 2]]<" in edge_label(d, "w", "matmul")  # x.T @ h.grad


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
    graph = draw_graph(neuron())
    assert "<svg" in graph._repr_mimebundle_()["image/svg+xml"]
    assert "<svg" in graph._repr_svg_() and "tanh" in graph._repr_svg_()


def test_save_graph_and_explain_import_from_autograd():
    import autograd
    assert autograd.save_graph is viz.save_graph and autograd.draw_graph is viz.draw_graph
    assert {"save_graph", "draw_graph", "explain"} <= set(autograd.__all__)


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
                graph._repr_mimebundle_, graph._repr_svg_]
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
