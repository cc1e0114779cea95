"""`draw_graph(root, module=model)`: nn's module boxes (nn.drawing's rules), on real modules."""
import gc
import shutil
import struct

import numpy as np
import pytest

pytest.importorskip("graphviz")

import nn  # noqa: E402
from autograd import Value, draw_graph  # noqa: E402
from autograd import viz  # noqa: E402
from drawn import Drawing  # noqa: E402
from nn import drawing  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed")


def mlp_loss(model):
    x = Value(np.array([[0.5, -1.0]]), requires_grad=False, name="x")
    y = Value(np.array([[1.0]]), requires_grad=False, name="y")
    loss = ((model(x) - y) ** 2).sum()
    loss.name = "loss"
    loss.backward()
    return loss


def test_parameters_get_dotted_names_and_the_parameter_style():
    model = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    fill = viz._PALETTE["parameter"][0]
    for name in ("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"):
        assert f'fillcolor="{fill}"' in d.values[d.value(f"<B>{name}</B>")]
    assert "<B>weight</B>" not in d.source  # the module's name wins over Value.name


def test_each_layer_gets_a_box_with_its_parameters_ops_and_activation():
    model = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    assert set(d.parent_cluster) == {"layers.0 \u00b7 Layer", "layers.1 \u00b7 Layer"}
    for i in (0, 1):
        weight, bias = d.value(f"layers.{i}.weight"), d.value(f"layers.{i}.bias")
        cluster = d.cluster_of[weight]
        assert cluster == f"layers.{i} \u00b7 Layer" and d.cluster_of[bias] == cluster
        matmul = [b for a, b, _ in d.edges if a == weight][0]
        add = [b for a, b, _ in d.edges if a == bias][0]
        assert (d.ops[matmul], d.ops[add]) == ("matmul", "add")
        outputs = [b for a, b, _ in d.edges if a in (matmul, add)]
        assert all(d.cluster_of[n] == cluster for n in (matmul, add, *outputs))
    (tanh,) = [n for n, name in d.ops.items() if name == "tanh"]  # the Layer returned it
    assert d.cluster_of[tanh] == "layers.0 \u00b7 Layer"
    for name in ("sub", "pow", "sum"):  # the loss is no module's
        (op,) = [n for n, op_name in d.ops.items() if op_name == name]
        assert d.cluster_of[op] is None
    assert d.cluster_of[d.value("<B>x</B>")] is None
    assert d.cluster_of[d.value("<B>loss</B>")] is None


def test_an_activation_module_between_layers_stays_outside_them():
    """In a Sequential the Tanh module returns the tanh; it has no box of its own and the
    Sequential around it has no parameters of its own, so the tanh is drawn between boxes."""
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1))
    d = Drawing(draw_graph(mlp_loss(model), module=model))
    (tanh,) = [n for n, name in d.ops.items() if name == "tanh"]
    assert d.cluster_of[tanh] is None
    assert len(d.parent_cluster) == 2  # the boxes of the two Linear layers


def test_a_module_with_direct_parameters_is_one_box_named_after_its_class():
    p = nn.Perceptron(2, activation="sigmoid", rng=0)
    out = p(Value(np.array([1.0, 2.0]), name="x", requires_grad=False))
    d = Drawing(draw_graph(out, module=p))
    assert set(d.parent_cluster) == {"Perceptron"}
    assert d.cluster_of[d.value("<B>weight</B>")] == "Perceptron"
    assert d.cluster_of[d.value("<B>x</B>")] is None


class ScalarNeuron(nn.Module):
    """A micrograd-style neuron on scalar Values: sum of w_i * x_i, plus b."""

    def __init__(self, weights):
        self.w = [Value(w) for w in weights]
        self.b = Value(0.5)

    def forward(self, xs):
        total = self.w[0] * xs[0]
        for w, x in zip(self.w[1:], xs[1:]):
            total = total + w * x
        return (total + self.b).tanh()


class ScalarLayer(nn.Module):
    def __init__(self):
        self.neurons = [ScalarNeuron([0.1, -0.2]), ScalarNeuron([0.3, 0.4])]

    def forward(self, xs):
        return [n(xs) for n in self.neurons]


class ScalarNet(nn.Module):
    def __init__(self):
        self.layers = [ScalarLayer()]

    def forward(self, xs):
        h = self.layers[0](xs)
        return h[0] + h[1]


def test_scalar_neurons_nest_in_their_layer_and_keep_their_running_sums():
    net = ScalarNet()
    out = net([Value(1.0, requires_grad=False), Value(2.0, requires_grad=False)])
    d = Drawing(draw_graph(out, module=net))
    # the list `w` is no module: w.0 belongs to the neuron, and the layer wraps the neurons
    assert d.parent_cluster == {"layers.0 · ScalarLayer": None,
                                "layers.0.neurons.0 · ScalarNeuron": "layers.0 · ScalarLayer",
                                "layers.0.neurons.1 · ScalarNeuron": "layers.0 · ScalarLayer"}
    neuron0 = "layers.0.neurons.0 · ScalarNeuron"
    in_neuron0 = [d.ops[n] for n, c in d.cluster_of.items() if c == neuron0 and n in d.ops]
    # w0*x0, w1*x1, their sum, + b, and the tanh the neuron returned
    assert sorted(in_neuron0) == ["add", "add", "mul", "mul", "tanh"]
    (top_add,) = [n for n, c in d.cluster_of.items() if c is None and d.ops.get(n) == "add"]
    assert top_add  # the net's own sum of the two neurons stays outside the layer


def test_the_map_of_returned_values_holds_no_value_alive():
    model = nn.Linear(2, 1, rng=0)
    out = model(Value(np.ones((1, 2)), requires_grad=False))
    assert drawing.returned_by.get(out) is model
    before = len(drawing.returned_by._items)
    del out
    gc.collect()
    assert len(drawing.returned_by._items) == before - 1


@needs_dot
def test_a_module_graph_renders(tmp_path):
    model = nn.MLP([2, 3, 1], rng=0)
    path = viz.save_graph(mlp_loss(model), tmp_path / "mlp.png", module=model)
    assert path.stat().st_size > 10_000


# ---- a whole MLP on a screen --------------------------------------------------------------
def mse_mlp(sizes):
    """An MLP of `sizes` and its MSE loss on a batch of 4, after backward."""
    model = nn.MLP(sizes, activation="sigmoid", rng=0)
    x = np.random.default_rng(0).normal(size=(4, sizes[0]))
    loss = nn.mse_loss(model(Value(x, requires_grad=False)), np.zeros((4, sizes[-1])))
    loss.backward()
    return model, loss


def png_size(path) -> tuple:
    return struct.unpack(">II", path.read_bytes()[16:24])


@needs_dot
def test_a_3_5_5_5_2_mlp_fits_a_screen(tmp_path):
    """The issue measured 7,654 x 1,434 px for this drawing, in one line."""
    model, loss = mse_mlp([3, 5, 5, 5, 2])
    default = png_size(viz.save_graph(loss, tmp_path / "mlp.png"))
    boxed = png_size(viz.save_graph(loss, tmp_path / "boxed.png", module=model))
    print(f"3-5-5-5-2 MLP: {default}, with module boxes {boxed}")
    assert max(default) <= 2000 and max(boxed) <= 2000


@needs_dot
def test_a_collapsed_3_5_5_5_2_mlp_fits_a_page(tmp_path):
    """Left to right (API.md's default direction) it fits a page; with the direction left
    to the layout (rankdir=None) it fits in 800 px, the issue's mark."""
    model, loss = mse_mlp([3, 5, 5, 5, 2])
    collapsed = png_size(viz.save_graph(loss, tmp_path / "collapsed.png", module=model,
                                        collapse=1))
    chosen = png_size(viz.save_graph(loss, tmp_path / "chosen.png", module=model,
                                     collapse=1, rankdir=None))
    print(f"3-5-5-5-2 MLP collapsed: {collapsed}, direction chosen: {chosen}")
    a4_inside_2cm_margins = (6.7 * 144, 10.1 * 144)  # inches at save_graph's 144 dpi
    assert all(s <= p for s, p in zip(sorted(collapsed), a4_inside_2cm_margins))
    assert max(chosen) <= 800


def test_each_layer_of_a_wrapped_mlp_is_one_band():
    model, loss = mse_mlp([3, 5, 5, 5, 2])
    d = Drawing(draw_graph(loss, module=model, rankdir="LR"))
    for i in range(4):
        weight = d.value(f"<B>layers.{i}.weight</B>")
        layer = [n for n, c in d.cluster_of.items() if c == f"layers.{i} \u00b7 Layer"]
        assert {d.band_of[n] for n in layer} == {i}, "a band holds one whole layer"
        assert weight in layer


def test_collapse_1_draws_each_layer_as_one_box_in_a_chain():
    model, loss = mse_mlp([3, 5, 5, 5, 2])
    d = Drawing(draw_graph(loss, module=model, collapse=1))
    boxes = [d.box(f"<B>layers.{i} \u00b7 Layer</B>") for i in range(4)]
    counts = [20, 30, 30, 12]
    for box, count, width in zip(boxes, counts, (5, 5, 5, 2)):
        assert f"{count} parameters \u00b7 out (4, {width})" in d.boxes[box]
    assert sum(counts) == model.num_parameters()
    assert d.inputs_of(boxes[0]) == [d.value("(4, 3) float64")]  # the data
    for a, b in zip(boxes, boxes[1:]):
        assert d.outputs_of(a) == [b]
    assert [d.ops[op] for op in d.outputs_of(boxes[3])] == ["sub"]
    assert sorted(d.ops.values()) == ["mean", "mul", "sub"]  # the loss stays open


def test_expand_opens_one_layer_of_a_collapsed_mlp():
    model, loss = mse_mlp([3, 5, 5, 5, 2])
    d = Drawing(draw_graph(loss, module=model, collapse=1, expand="layers.1"))
    assert len(d.boxes) == 3 and set(d.parent_cluster) == {"layers.1 \u00b7 Layer"}
    inside = sorted(d.ops[n] for n, c in d.cluster_of.items()
                    if c == "layers.1 \u00b7 Layer" and n in d.ops)
    assert inside == ["add", "matmul", "sigmoid"]
    (matmul,) = [n for n in d.ops if d.ops[n] == "matmul"]
    assert d.box("layers.0 \u00b7 Layer") in d.inputs_of(matmul)


def test_mse_loss_is_drawn_as_a_mean():
    model, loss = mse_mlp([2, 1])
    assert loss.op == "mul"  # the engine's graph: a sum scaled by 1/n
    d = Drawing(draw_graph(loss, module=model))
    assert sorted(d.ops.values()) == ["add", "matmul", "mean", "mul", "sub"]
    assert "shape=plaintext" not in d.source  # no 1/n constant
