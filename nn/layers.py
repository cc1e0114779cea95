"""Layers and models: `Perceptron`, `Linear`, `Layer`, `Sequential` and `MLP`.

Weights are stored as (n_in, n_out), so a layer is `x @ W + b` on a batch of row vectors
with no transpose. They are drawn at random (reproducibly through `rng=`, a numpy
Generator or an int seed) with the scale that suits the activation that follows; biases
start at zero.
"""
from __future__ import annotations

import numpy as np

from autograd import Value

from .activations import get_activation, uses_he_init
from .module import Module


def _init_weight(shape: tuple, fan_in: int, fan_out: int, init: str, rng, dtype) -> Value:
    """Uniform random weights with Xavier/Glorot or He (Kaiming) variance.

    Xavier: U(-a, a), a = sqrt(6 / (fan_in + fan_out)), variance 2 / (fan_in + fan_out).
    He: U(-a, a), a = sqrt(6 / fan_in), variance 2 / fan_in (made up for ReLU's zeros).
    """
    if init == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
    elif init == "he":
        bound = np.sqrt(6.0 / fan_in)
    else:
        raise ValueError(f"unknown init {init!r}; valid are 'xavier' and 'he'")
    return Value(np.random.default_rng(rng).uniform(-bound, bound, shape), name="weight",
                 dtype=dtype)


def _check_size(what: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


class Linear(Module):
    """An affine map `x @ weight + bias`, weight of shape (n_in, n_out), bias (n_out,).

    `init` picks the weight scale: "xavier" (default, for what is near-linear at 0) or
    "he" (for ReLU). `dtype=np.float32` makes a float32 layer.

    >>> layer = Linear(3, 2, rng=0)
    >>> layer(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(self, n_in: int, n_out: int, bias: bool = True, rng=None, dtype=None,
                 init: str = "xavier"):
        self.n_in = _check_size("n_in", n_in)
        self.n_out = _check_size("n_out", n_out)
        self.weight = _init_weight((n_in, n_out), n_in, n_out, init, rng, dtype)
        self.bias = Value(np.zeros(n_out, self.weight.dtype), name="bias") if bias else None

    def forward(self, x) -> Value:
        out = x @ self.weight
        return out + self.bias if self.bias is not None else out

    def __repr__(self):
        extra = "" if self.bias is not None else ", bias=False"
        return f"{type(self).__name__}({self.n_in}, {self.n_out}{extra})"


class Layer(Linear):
    """A dense layer of perceptrons: `Linear` then the activation, applied to each neuron.

    Weights use He init before ReLU/LeakyReLU, Xavier otherwise.

    >>> Layer(3, 4, activation="relu", rng=0)(np.ones((2, 3))).shape
    (2, 4)
    """

    def __init__(self, n_in: int, n_out: int, activation="sigmoid", bias: bool = True,
                 rng=None, dtype=None):
        act = get_activation(activation)
        super().__init__(n_in, n_out, bias, rng, dtype, "he" if uses_he_init(act) else "xavier")
        self.activation = act

    def forward(self, x) -> Value:
        return self.activation(super().forward(x))

    def __repr__(self):
        return f"{super().__repr__()[:-1]}, activation={self.activation!r})"


class Sequential(Module):
    """Modules (or callables) applied one after the other; parameters named `layers.i.*`.

    >>> model = Sequential(Linear(2, 8, rng=0), ReLU(), Linear(8, 1, rng=1))
    >>> [name for name, _ in model.named_parameters()][:2]
    ['layers.0.weight', 'layers.0.bias']
    """

    def __init__(self, *modules):
        self.layers = list(modules)

    def forward(self, x) -> Value:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)


class MLP(Sequential):
    """A multilayer perceptron: one `Layer` per pair of consecutive widths in `sizes`.

    Hidden layers use `activation`; the last uses `output_activation` (None: plain
    logits/regression outputs, which the losses expect).

    >>> model = MLP([3, 5, 5, 5, 2], activation="sigmoid", rng=0)
    >>> model.num_parameters()      # 75 weights + 17 biases
    92
    """

    def __init__(self, sizes, activation="relu", output_activation=None, bias: bool = True,
                 rng=None, dtype=None):
        sizes = [_check_size("each MLP size", n) for n in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got {sizes}")
        get_activation(activation)  # reject a bad name even when there is no hidden layer
        rng = np.random.default_rng(rng)  # one Generator, so the layers get different weights
        last = len(sizes) - 2
        super().__init__(*[Layer(n_in, n_out, output_activation if i == last else activation,
                                 bias, rng, dtype)
                           for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))])


class Perceptron(Module):
    """One neuron: `activation(x @ weight + bias)`, weight of shape (n_inputs,).

    With activation "step" (the default) it is Rosenblatt's perceptron: it outputs
    `labels[1]` where x @ weight + bias >= 0, else `labels[0]` (use `labels=(-1, 1)` for
    the +-1 convention), and learns with `fit`, the perceptron rule. With "sigmoid",
    "tanh", "relu", "leaky_relu" or "identity" it is an ordinary trainable neuron whose
    forward returns a differentiable Value (train it with `nn.fit` and a loss).

    >>> p = Perceptron(2, rng=0)
    >>> p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])[-1]   # AND: no mistakes left
    0
    >>> p.predict([[1, 1], [0, 1]])
    array([1, 0])
    """

    def __init__(self, n_inputs: int, activation="step", labels=(0, 1), rng=None, dtype=None):
        self.n_inputs = _check_size("n_inputs", n_inputs)
        if len(labels) != 2 or not labels[0] < labels[1]:
            raise ValueError(f"labels must be (negative, positive) with negative < positive, "
                             f"such as (0, 1) or (-1, 1); got {labels!r}")
        self.labels = tuple(labels)
        if activation == "softmax":
            raise ValueError("a single neuron has nothing for softmax to normalise over; "
                             "use 'sigmoid' for a probability")
        self.activation = "step" if activation == "step" else get_activation(activation)
        init = "he" if uses_he_init(self.activation) else "xavier"
        self.weight = _init_weight((n_inputs,), n_inputs, 1, init, rng, dtype)
        self.bias = Value(np.zeros((), self.weight.dtype), name="bias")

    def _net_input(self, X) -> np.ndarray:
        """x @ weight + bias on raw data, for prediction and the perceptron rule."""
        X = np.asarray(X.data if isinstance(X, Value) else X, dtype=self.weight.dtype)
        if X.shape[-1:] != (self.n_inputs,):
            raise ValueError(f"Perceptron({self.n_inputs}): input of shape {X.shape} does not "
                             f"end in {self.n_inputs} features")
        return X @ self.weight.data + self.bias.data

    def forward(self, x) -> Value:
        """The neuron's output; for "step", its labels as a Value that needs no gradient."""
        if self.activation == "step":
            return Value(self.predict(x), requires_grad=False, dtype=self.weight.dtype)
        return self.activation(x @ self.weight + self.bias)

    def predict(self, X) -> np.ndarray:
        """Class labels as a numpy array: `labels[1]` where x @ weight + bias >= 0.

        For sigmoid, tanh and identity neurons this is thresholding the output at 0.5, 0
        and 0.
        """
        return np.where(self._net_input(X) >= 0, *self.labels[::-1])

    def fit(self, X, y, epochs: int = 100, lr: float = 1.0) -> list[int]:
        """Learn with the perceptron rule; returns the number of mistakes in each epoch.

        Goes through the samples in order; after each mistake it moves the weights by
        `lr * (target - prediction) * x` and the bias by `lr * (target - prediction)`.
        It stops after the first epoch without mistakes (nothing would change after it)
        or after `epochs`. On linearly separable data it always gets there.
        """
        if self.activation != "step":
            raise ValueError("Perceptron.fit is the perceptron rule of the 'step' activation; "
                             f"train a {self.activation!r} neuron with nn.fit and a loss")
        X = np.asarray(X.data if isinstance(X, Value) else X, dtype=self.weight.dtype)
        y = np.asarray(y.data if isinstance(y, Value) else y)
        if X.ndim != 2 or X.shape[1] != self.n_inputs or y.shape != X.shape[:1]:
            raise ValueError(f"Perceptron({self.n_inputs}).fit: needs X of shape (n, "
                             f"{self.n_inputs}) and y of shape (n,), got {X.shape} and {y.shape}")
        bad = ~np.isin(y, self.labels)
        if bad.any():
            raise ValueError(f"Perceptron.fit: label {y[bad][0].item()!r} is not one of "
                             f"{self.labels}")
        w, b = np.array(self.weight.data), float(self.bias.data)
        negative, positive = self.labels
        history = []
        for _ in range(epochs):
            mistakes = 0
            for x, target in zip(X, y):
                error = target - (positive if x @ w + b >= 0 else negative)
                if error:
                    w += lr * error * x
                    b += lr * error
                    mistakes += 1
            history.append(mistakes)
            if not mistakes:
                break
        self.weight.data = w
        self.bias.data = np.array(b, w.dtype)
        return history

    def __repr__(self):
        return (f"Perceptron({self.n_inputs}, activation={self.activation!r}, "
                f"labels={self.labels})")
