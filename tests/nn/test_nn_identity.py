"""Values compare elementwise (`==` is PyTorch's eq), so the library must find a Value by
identity (`is`, id-keyed or hash-keyed dicts and sets), never with `==`, `in` on a list,
`list.index` or `remove`: on a tensor those raise (the truth of many elements), on a
scalar they silently mix up Values of equal data. Here the library's main paths run with
`==` and `!=` on Values made to fail the test, on parameters whose data are all equal."""
import numpy as np
import pytest

import nn
from autograd import Value, grad, gradcheck, gradgradcheck
from nn.optim import SGD, Adam


@pytest.fixture
def equality_refused(monkeypatch):
    def refuse(self, other):
        raise AssertionError("library code compared Values with == or != (find a Value "
                             "with `is`, or key a dict by the Value)")
    monkeypatch.setattr(Value, "__eq__", refuse)
    monkeypatch.setattr(Value, "__ne__", refuse)


class Twins(nn.Module):
    """Scalar parameters (as in micrograd) that all hold 0.5, and a tensor pair of zeros."""

    def __init__(self):
        self.a, self.b = Value(0.5), Value(0.5)
        self.w = [Value(0.5), Value(0.5)]
        self.u, self.v = Value(np.zeros(2)), Value(np.zeros(2))

    def forward(self, x):
        return ((x * self.a).tanh() * self.b + self.w[0] * self.w[1] * 3
                + (x * self.u + self.v).sum())


def test_parameters_and_their_gradients_stay_apart(equality_refused):
    model = Twins()
    assert [n for n, _ in model.named_parameters()] == ["a", "b", "w.0", "w.1", "u", "v"]
    out = model(Value(2.0, requires_grad=False))
    ga, gb, gw0, gw1 = grad(out, [model.a, model.b, *model.w])
    assert ga.data != gb.data and gw0.data == gw1.data == 1.5
    model.zero_grad()
    out.backward()
    assert model.w[0].grad == 1.5 and model.a.grad == ga.data and model.b.grad == gb.data


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_optimizers_update_each_parameter_by_its_own_gradient(equality_refused, make):
    model = Twins()
    optimizer = make(model.parameters())
    for _ in range(2):
        optimizer.zero_grad()
        model(Value(2.0, requires_grad=False)).backward()
        optimizer.step()
    assert model.a.data != model.b.data and model.w[0].data == model.w[1].data != 0.5
    assert not np.array_equal(model.u.data, model.v.data)


def test_a_training_loop_fit_and_state_dicts(equality_refused):
    model = nn.MLP([2, 4, 1], activation="tanh", rng=0)  # its biases are all zeros
    X = np.random.default_rng(0).uniform(-1, 1, (16, 2))
    y = X[:, :1] * X[:, 1:]
    losses = nn.fit(model, X, y, nn.mse_loss, Adam(model.parameters(), lr=0.05), epochs=5,
                    batch_size=8, rng=0, progress=False)
    assert len(losses) == 5 and losses[-1] < losses[0]
    copy = nn.MLP([2, 4, 1], activation="tanh", rng=1)
    copy.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(copy(Value(X)).data, model(Value(X)).data)


def test_draw_graph_names_every_parameter_of_equal_data(equality_refused):
    pytest.importorskip("graphviz")
    from autograd import draw_graph
    model = Twins()
    source = draw_graph(model(Value(2.0, requires_grad=False)), module=model).source
    for name in ("a", "b", "w.0", "w.1", "u", "v"):
        assert source.count(f"<B>{name}</B>") == 1, name


def test_gradcheck_on_inputs_of_equal_data(equality_refused):
    def f(a, b, c):
        return (a * b.tanh() + c * c).sum()
    inputs = [Value(np.full(3, 0.5)), Value(np.full(3, 0.5)), Value(0.5)]
    assert gradcheck(f, inputs) is True and gradgradcheck(f, inputs) is True
