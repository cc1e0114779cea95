"""Activation functions as modules, and the one place that turns an activation name into one.

Every layer that takes `activation=` accepts a name ("relu", "leaky_relu", "sigmoid",
"tanh", "softmax", "gelu", "silu", "softplus", "identity" or None), a Module, a Module
class, or any callable.
"""
from __future__ import annotations

from autograd import Value

from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Value) -> Value:
        return x.relu()


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x: unlike ReLU, never a zero gradient."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x: Value) -> Value:
        return x.leaky_relu(self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Tanh(Module):
    """tanh(x), elementwise: squashes to (-1, 1)."""

    def forward(self, x: Value) -> Value:
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise: squashes to (0, 1), a probability."""

    def forward(self, x: Value) -> Value:
        return x.sigmoid()


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `axis`: each slice becomes a probability distribution.

    For training, prefer returning logits and using `nn.cross_entropy`, which is stabler.
    """

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x: Value) -> Value:
        return x.softmax(self.axis)

    def __repr__(self):
        return f"Softmax(axis={self.axis})"


class GELU(Module):
    """x * P(X <= x) for a standard normal X (approximate="tanh": the tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate

    def forward(self, x: Value) -> Value:
        return F.gelu(x, self.approximate)

    def __repr__(self):
        return f"GELU(approximate={self.approximate!r})"


class SiLU(Module):
    """x * sigmoid(x) (swish)."""

    def forward(self, x: Value) -> Value:
        return F.silu(x)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, a smooth ReLU (x itself where beta * x > threshold)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Value) -> Value:
        return F.softplus(x, self.beta, self.threshold)

    def __repr__(self):
        return f"Softplus(beta={self.beta}, threshold={self.threshold})"


class Identity(Module):
    """Returns its input unchanged (a layer with no activation)."""

    def forward(self, x: Value) -> Value:
        return x


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh,
               "softmax": Softmax, "identity": Identity, "gelu": GELU, "silu": SiLU,
               "softplus": Softplus}


def get_activation(activation):
    """The activation module (or callable) that `activation` names.

    >>> get_activation("tanh")
    Tanh()
    >>> get_activation(None)
    Identity()
    """
    if activation is None:
        return Identity()
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; valid names are "
                             f"{', '.join(map(repr, ACTIVATIONS))} or None")
        return ACTIVATIONS[activation]()
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    if callable(activation):
        return activation
    raise ValueError(f"activation must be a name ({', '.join(map(repr, ACTIVATIONS))}), "
                     f"None, a Module or a callable, not {type(activation).__name__}")


def uses_he_init(activation) -> bool:
    """Whether weights feeding `activation` should use He rather than Xavier init.

    ReLU zeroes half its inputs, so He init doubles the variance to keep signals from
    shrinking layer after layer; sigmoid, tanh, softmax and identity are near-linear at 0,
    where Xavier keeps the variance of forward and backward signals balanced.
    """
    return isinstance(activation, (ReLU, LeakyReLU))
