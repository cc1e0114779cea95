"""explain(): the printed chain rule against hand-worked examples (micrograd's lecture neuron,
the README's first example), tensors, the size limit and its errors."""
import io
import math

import numpy as np
import pytest

from agtest import micrograd_neuron
from autograd import Value, explain


def narrated(root, **kwargs) -> list:
    out = io.StringIO()
    explain(root, file=out, **kwargs)
    return out.getvalue().splitlines()


def test_micrograd_neuron_by_hand():
    o, (x1, x2, w1, w2, b) = micrograd_neuron()
    lines = narrated(o)
    assert lines[2:5] == ["o = tanh(n) = 0.7071",
                          "    o.grad = 1  (the seed)",
                          "    local derivative: d(o)/d(n) = 0.5"]  # 1 - o**2
    assert "    n.grad = d(o)/d(n) * o.grad = 0.5 * 1 = 0.5" in lines
    assert "    local derivatives: d(n)/d(x1w1x2w2) = 1, d(n)/d(b) = 1" in lines  # + spreads
    assert "    b.grad = d(n)/d(b) * n.grad = 1 * 0.5 = 0.5" in lines
    assert "    local derivatives: d(x1w1)/d(x1) = -3, d(x1w1)/d(w1) = 2" in lines  # * swaps
    assert "    w1.grad = d(x1w1)/d(w1) * x1w1.grad = 2 * 0.5 = 1" in lines
    assert "    x1.grad = d(x1w1)/d(x1) * x1w1.grad = (-3) * 0.5 = -1.5" in lines
    assert "    w2.grad = d(x2w2)/d(w2) * x2w2.grad = 0 * 0.5 = 0" in lines
    assert "    x2.grad = d(x2w2)/d(x2) * x2w2.grad = 1 * 0.5 = 0.5" in lines
    # backward ran: the numbers printed are the gradients
    assert (x1.grad, x2.grad, w1.grad, w2.grad, b.grad) == pytest.approx(
        (-1.5, 0.5, 1.0, 0.0, 0.5))
    assert o.data == pytest.approx(math.sqrt(0.5))


def test_nodes_come_in_backward_order_output_first():
    o, _ = micrograd_neuron()
    heads = [line.split(" = ")[0] for line in narrated(o)[2:] if not line.startswith(" ")]
    assert heads == ["o", "n", "b", "x1w1x2w2", "x2w2", "w2", "x2", "x1w1", "w1", "x1"]


def test_the_readme_example_adds_up_each_use():
    a, b = Value(2.0, name="a"), Value(-3.0, name="b")
    c = a * b + a ** 2 - b / a
    c.name = "c"
    lines = narrated(c)
    assert "c = sub(add1, div1) = -0.5" in lines
    assert "pow1 = pow(a, 2) = 4" in lines  # the constant 2 by its value
    assert "    local derivatives: d(div1)/d(b) = 0.5, d(div1)/d(a) = 0.75" in lines  # 1/a, -b/a^2
    i = lines.index("a = 2  (leaf)")
    assert lines[i + 1:i + 4] == [
        "    a.grad = d(div1)/d(a) * div1.grad + d(pow1)/d(a) * pow1.grad "
        "+ d(mul1)/d(a) * mul1.grad",
        "           = 0.75 * (-1) + 4 * 1 + (-3) * 1",
        "           = 0.25"]  # dc/da = b + 2a + b/a^2
    i = lines.index("b = -3  (leaf)")
    assert lines[i + 2:i + 4] == ["           = 0.5 * (-1) + 2 * 1", "           = 1.5"]
    assert (a.grad, b.grad) == (0.25, 1.5)


def test_a_value_used_twice_by_one_op_is_one_term():
    x = Value(3.0, name="x")
    y = x * x
    y.name = "y"
    lines = narrated(y)
    assert "    local derivative: d(y)/d(x) = 6" in lines
    assert "    x.grad = d(y)/d(x) * y.grad = 6 * 1 = 6" in lines


def test_tensors_show_shapes_ranges_and_vector_jacobian_products():
    x = Value(np.arange(8.0).reshape(4, 2), name="x", requires_grad=False)
    w = Value(np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]), name="w")
    h = x @ w
    h.name = "h"
    loss = (h * h).mean()
    loss.name = "loss"
    lines = narrated(loss)
    # h = x @ w = [[1, 0, -0.5], [4, -2, 2.5], [7, -4, 5.5], [10, -6, 8.5]]
    assert "loss = mean(mul1) = 27.58" in lines  # a mean is one op, as in the drawings
    assert "mul1 = mul(h, h) = (4, 3) 0 \u2026 100" in lines
    assert "    local derivative: d(loss)/d(mul1) = (4, 3) all 0.08333" in lines  # 1/12
    assert "    local derivative: d(mul1)/d(h) is a (4, 3) x (4, 3) Jacobian" in lines
    assert "    h.grad = mul1.grad . d(mul1)/d(h) = (4, 3) -1 \u2026 1.667" in lines  # 2h/12
    assert "w = [[0.5, -1, 2], [1, 0, -0.5]]  (leaf)" in lines
    assert "    w.grad = h.grad . d(h)/d(w) = [[16, -9.333, 13], [19.67, -11.33, 15.67]]" \
        in lines  # x.T @ h.grad
    assert not any(line.startswith("x") for line in lines)  # data needs no gradient
    np.testing.assert_allclose(w.grad, 2 * x.data.T @ (x.data @ w.data) / 12)


def test_names_for_unnamed_values_and_repeated_names():
    a, b = Value(1.0, name="w"), Value(2.0, name="w")
    lines = narrated((a * b).exp() + Value(0.5))
    assert "exp1 = exp(mul1) = 7.389" in lines
    assert "mul1 = mul(w, w#2) = 2" in lines
    assert "add1 = add(exp1, leaf1) = 7.889" in lines  # an unnamed Value that needs a grad


def test_module_names_its_parameters():
    w = Value(np.array([1.0, -2.0]), name="weight")

    class Module:
        def named_parameters(self):
            return [("layer.weight", w)]

    lines = narrated((w * w).sum(), module=Module())
    assert "layer.weight = [1, -2]  (leaf)" in lines
    assert "    local derivative: d(mul1)/d(layer.weight) is a (2,) x (2,) Jacobian" in lines


def test_max_nodes_narrates_the_nearest_and_says_what_it_skipped():
    x = Value(0.5, name="x")
    y = x
    for _ in range(10):
        y = y.tanh()
    lines = narrated(y, max_nodes=4)
    assert sum(not line.startswith(" ") for line in lines[2:-1]) == 4
    assert lines[-1] == ("... and 7 more Values nearer the inputs, not narrated "
                         "(explain(..., max_nodes=11) shows them all)")
    assert x.grad == pytest.approx(np.prod([1 - math.tanh(v) ** 2 for v in _chain(0.5, 10)]))


def _chain(x: float, n: int) -> list:
    values = []
    for _ in range(n):
        values.append(x)
        x = math.tanh(x)
    return values


def test_explain_prints_to_standard_output_by_default(capsys):
    explain(Value(2.0, name="x") * 3.0)
    assert "x.grad = d(mul1)/d(x) * mul1.grad = 3 * 1 = 3" in capsys.readouterr().out


def test_bad_arguments_say_what_to_do():
    with pytest.raises(TypeError, match="explain: root must be a Value"):
        explain(3.0)
    with pytest.raises(ValueError, match=r"explain: the Value has shape \(2,\).*\.sum\(\)"):
        explain(Value([1.0, 2.0]) * 2.0)
    with pytest.raises(ValueError, match="max_nodes"):
        explain(Value(1.0) * 2.0, max_nodes=0)
