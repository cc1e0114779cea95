"""Layers: forward formulas, initialisation, activations, dtype, and learning XOR/AND/NOR."""
import numpy as np
import pytest

import nn
from autograd import Value, gradcheck
from nn.optim import SGD, Adam

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def test_linear_is_x_at_w_plus_b():
    layer = nn.Linear(3, 2, rng=0)
    layer.bias.data = np.array([0.5, -1.0])
    x = np.random.default_rng(1).standard_normal((4, 3))
    out = layer(Value(x))
    np.testing.assert_allclose(out.data, x @ layer.weight.data + [0.5, -1.0], rtol=1e-12)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (2,)
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=0).bias.data, np.zeros(2))


def test_linear_accepts_numpy_input_and_no_bias():
    layer = nn.Linear(3, 2, bias=False, rng=0)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((4, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data)


def test_linear_gradients_match_finite_differences():
    layer = nn.Layer(3, 2, activation="tanh", rng=0)
    x = np.random.default_rng(1).standard_normal((4, 3))

    def f(w, b):
        layer.weight, layer.bias = w, b
        return layer(x)
    assert gradcheck(f, [layer.weight, layer.bias])


def test_rng_seed_and_generator_reproduce_weights():
    a = nn.MLP([4, 8, 3], rng=7).state_dict()
    b = nn.MLP([4, 8, 3], rng=np.random.default_rng(7)).state_dict()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(nn.MLP([4, 8, 3], rng=8).layers[0].weight.data,
                              a["layers.0.weight"])
    # one Generator feeds all layers, so same-shaped layers still differ
    model = nn.MLP([5, 5, 5], rng=0)
    assert not np.array_equal(model.layers[0].weight.data, model.layers[1].weight.data)


@pytest.mark.parametrize("activation, bound", [
    ("relu", np.sqrt(6 / 400)), ("leaky_relu", np.sqrt(6 / 400)),
    ("tanh", np.sqrt(6 / 600)), ("sigmoid", np.sqrt(6 / 600)), (None, np.sqrt(6 / 600)),
])
def test_init_is_he_for_relu_and_xavier_otherwise(activation, bound):
    w = nn.Layer(400, 200, activation=activation, rng=0).weight.data
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound          # uniform fills its range
    np.testing.assert_allclose(w.var(), bound ** 2 / 3, rtol=0.02)   # var of U(-a, a)


@pytest.mark.parametrize("name, numpy_fn", [
    ("relu", lambda z: np.maximum(z, 0)),
    ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
    ("tanh", np.tanh),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
    ("identity", lambda z: z),
    (None, lambda z: z),
])
def test_layer_applies_its_activation(name, numpy_fn):
    layer = nn.Layer(3, 4, activation=name, rng=0)
    x = np.random.default_rng(1).standard_normal((5, 3))
    z = x @ layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(x).data, numpy_fn(z), rtol=1e-12, atol=1e-15)


def test_activation_modules_and_callables():
    x = Value(np.array([-2.0, 0.5]))
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(x).data, [-0.4, 0.5])
    np.testing.assert_allclose(nn.Softmax()(x).data.sum(), 1.0)
    assert nn.Identity()(x) is x
    layer = nn.Layer(2, 2, activation=lambda v: v * 2, rng=0)
    np.testing.assert_allclose(layer(np.ones((1, 2))).data,
                               2 * (np.ones((1, 2)) @ layer.weight.data))
    assert isinstance(nn.Layer(2, 2, activation=nn.ReLU, rng=0).activation, nn.ReLU)


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*'relu'.*'tanh'"):
        nn.MLP([2, 2], activation="swish")
    with pytest.raises(ValueError, match="activation must be a name"):
        nn.Layer(2, 2, activation=3)


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="positive integer"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="positive integer"):
        nn.MLP([2, 2.5, 1])


def test_mlp_output_activation_and_sequential():
    model = nn.MLP([3, 4, 2], activation="tanh", output_activation="softmax", rng=0)
    out = model(np.ones((5, 3))).data
    np.testing.assert_allclose(out.sum(axis=1), np.ones(5))
    assert isinstance(model.layers[0].activation, nn.Tanh) and len(model) == 2
    seq = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 1, rng=1))
    x = np.random.default_rng(2).standard_normal((6, 3))
    manual = np.maximum(x @ seq[0].weight.data, 0) @ seq[2].weight.data
    np.testing.assert_allclose(seq(x).data, manual, rtol=1e-12)
    assert [n for n, _ in seq.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]


def test_float32_model_stays_float32_end_to_end():
    model = nn.MLP([4, 8, 3], dtype=np.float32, rng=0)
    assert all(p.dtype == np.float32 for p in model.parameters())
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    labels = np.array([0, 1, 2, 0, 1, 2])
    for optimizer in (SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01),
                      Adam(model.parameters(), weight_decay=0.01)):
        out = model(Value(x, requires_grad=False))
        loss = nn.cross_entropy(out, labels)
        assert out.dtype == np.float32 and loss.dtype == np.float32
        optimizer.zero_grad()
        loss.backward()
        assert all(p.grad.dtype == np.float32 for p in model.parameters())
        optimizer.step()
        assert all(p.dtype == np.float32 for p in model.parameters())
    history = nn.fit(model, x, labels, nn.cross_entropy, SGD(model.parameters(), lr=0.1),
                     epochs=2, batch_size=4, rng=0, progress=False)
    assert all(p.dtype == np.float32 for p in model.parameters()) and len(history) == 2
    for loss_fn, target in [(nn.mse_loss, np.ones((6, 3))),
                            (nn.binary_cross_entropy_with_logits, np.ones((6, 3))),
                            (nn.binary_cross_entropy, np.ones((6, 3)))]:
        assert loss_fn(model(x).sigmoid(), target).dtype == np.float32


def test_mlp_learns_xor():
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    model = nn.MLP([2, 4, 1], activation="tanh", rng=0)
    history = nn.fit(model, XOR_X, y, nn.binary_cross_entropy_with_logits,
                     SGD(model.parameters(), lr=0.5, momentum=0.9), epochs=300,
                     progress=False)
    assert history[-1] < 0.01 < history[0]
    np.testing.assert_array_equal(model(XOR_X).data > 0, y > 0.5)


@pytest.mark.parametrize("targets", [[0, 0, 0, 1], [1, 0, 0, 0]], ids=["AND", "NOR"])
def test_step_perceptron_learns_and_and_nor(targets):
    p = nn.Perceptron(2, rng=0)
    mistakes = p.fit(XOR_X, targets, epochs=100, lr=0.5)
    assert mistakes[-1] == 0 and all(m > 0 for m in mistakes[:-1])
    np.testing.assert_array_equal(p.predict(XOR_X), targets)
    out = p(Value(XOR_X))
    np.testing.assert_array_equal(out.data, targets)
    assert not out.requires_grad


def test_perceptron_rule_is_the_classic_update():
    p = nn.Perceptron(2, rng=0)
    p.weight.data, p.bias.data = np.array([0.0, 0.0]), np.array(0.0)
    # Sample (1, 2) with target 0: predicted 1 (net input 0 >= 0), so w -= lr * x, b -= lr.
    assert p.fit([[1.0, 2.0]], [0], epochs=1, lr=0.5) == [1]
    np.testing.assert_array_equal(p.weight.data, [-0.5, -1.0])
    assert p.bias.data == -0.5


def test_perceptron_with_plus_minus_one_labels():
    p = nn.Perceptron(2, labels=(-1, 1), rng=1)
    targets = np.array([-1, 1, 1, 1])               # OR
    assert p.fit(XOR_X, targets)[-1] == 0
    np.testing.assert_array_equal(p.predict(XOR_X), targets)
    with pytest.raises(ValueError, match="label 0 is not one of \\(-1, 1\\)"):
        p.fit(XOR_X, [0, 1, 1, 1])


def test_differentiable_perceptron_is_a_trainable_neuron():
    p = nn.Perceptron(2, activation="sigmoid", rng=0)
    out = p(Value(XOR_X))
    z = XOR_X @ p.weight.data + p.bias.data
    np.testing.assert_allclose(out.data, 1 / (1 + np.exp(-z)))
    assert out.requires_grad
    history = nn.fit(p, XOR_X, np.array([0.0, 1, 1, 1]), nn.binary_cross_entropy,
                     SGD(p.parameters(), lr=1.0), epochs=200, progress=False)
    assert history[-1] < history[0]
    np.testing.assert_array_equal(p.predict(XOR_X), [0, 1, 1, 1])
    with pytest.raises(ValueError, match="perceptron rule of the 'step' activation"):
        p.fit(XOR_X, [0, 1, 1, 1])


def test_perceptron_checks_its_inputs():
    with pytest.raises(ValueError, match="labels must be"):
        nn.Perceptron(2, labels=(1, 0))
    with pytest.raises(ValueError, match="softmax"):
        nn.Perceptron(2, activation="softmax")
    p = nn.Perceptron(3, rng=0)
    with pytest.raises(ValueError, match="does not end in 3 features"):
        p.predict(np.ones((2, 2)))
    with pytest.raises(ValueError, match="X of shape \\(n, 3\\)"):
        p.fit(np.ones((2, 3)), [0, 1, 1])


def test_perceptron_float32():
    p = nn.Perceptron(2, dtype=np.float32, rng=0)
    p.fit(XOR_X, [0, 0, 0, 1])
    assert p.weight.dtype == np.float32 and p.bias.dtype == np.float32
    assert p(XOR_X.astype(np.float32)).dtype == np.float32
