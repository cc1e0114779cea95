"""`nn.functional`: the functions behind the layers, as `torch.nn.functional` has them.

    >>> import nn.functional as F
    >>> F.relu(x), F.cross_entropy(logits, labels)

Losses are defined in `nn.losses` and re-exported here; activations and the functions of
layers (convolution, pooling, normalisation, attention) compose the engine's ops.
"""
from __future__ import annotations

import math
import warnings

from autograd import Value  # noqa: F401  (used by the sections below)
from autograd import where
from autograd.ops import as_axis, one_of

from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                     cross_entropy, mse_loss)

# ---- activations -------------------------------------------------------------------------------
# Each composes engine ops in a line or two; numerically stable for any finite input
# (softplus and logsigmoid go through logaddexp, never exp of a large number). At kinks the
# gradient is PyTorch's: hardtanh, relu6 and hardsigmoid have slope 0 at their bounds, elu
# and selu take the exponential side's slope at 0.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu(input: Value) -> Value:
    return input.relu()


def relu6(input: Value) -> Value:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Value, negative_slope: float = 0.01) -> Value:
    return input.leaky_relu(negative_slope)


def sigmoid(input: Value) -> Value:
    return input.sigmoid()


def tanh(input: Value) -> Value:
    return input.tanh()


def hardtanh(input: Value, min_val: float = -1.0, max_val: float = 1.0) -> Value:
    """x clipped to [min_val, max_val]. Unlike `clip`, whose gradient passes at the bounds,
    the slope is 1 only strictly inside (PyTorch's)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    inside = (input.data > min_val) & (input.data < max_val)
    return where(inside, input, input.detach().clip(min_val, max_val))


def hardsigmoid(input: Value) -> Value:
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""
    return hardtanh(input + 3.0, 0.0, 6.0) / 6.0


def hardswish(input: Value) -> Value:
    """x * hardsigmoid(x)."""
    return input * hardsigmoid(input)


def softsign(input: Value) -> Value:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def softplus(input: Value, beta: float = 1.0, threshold: float = 20.0) -> Value:
    """log(1 + exp(beta * x)) / beta, a smooth relu; x itself where beta * x > threshold."""
    scaled = input * beta
    return where(scaled.data > threshold, input, scaled.logaddexp(0.0) / beta)


def logsigmoid(input: Value) -> Value:
    """log(sigmoid(x)) = -log(1 + exp(-x))."""
    return -(-input).logaddexp(0.0)


def silu(input: Value) -> Value:
    """x * sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def mish(input: Value) -> Value:
    """x * tanh(softplus(x))."""
    return input * softplus(input).tanh()


def gelu(input: Value, approximate: str = "none") -> Value:
    """x * P(X <= x) for a standard normal X: x / 2 * (1 + erf(x / sqrt(2))); with
    approximate="tanh", x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))."""
    if approximate == "none":
        return input * 0.5 * ((input * (1 / math.sqrt(2))).erf() + 1.0)
    if approximate == "tanh":
        inner = (input + input ** 3 * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (inner.tanh() + 1.0)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', not {approximate!r}")


def _exponential_linear(x: Value, alpha: float, input_scale: float) -> Value:
    """x where x > 0, else alpha * (exp(x * input_scale) - 1): elu, celu and selu."""
    # exp sees min(x, 0): where() would turn an overflow in the branch it drops into
    # 0 * inf = nan gradients. clip's slope at 0 is 1, so the slope at 0 is the
    # exponential side's, alpha * input_scale, as in PyTorch.
    negative = (x.clip(high=0.0) * input_scale).expm1() * alpha
    return where(x.data > 0, x, negative)


def elu(input: Value, alpha: float = 1.0) -> Value:
    """x for x > 0, else alpha * (exp(x) - 1)."""
    return _exponential_linear(input, alpha, 1.0)


def celu(input: Value, alpha: float = 1.0) -> Value:
    """x for x > 0, else alpha * (exp(x / alpha) - 1): elu with slope 1 at 0 for any alpha."""
    return _exponential_linear(input, alpha, 1.0 / alpha)


def selu(input: Value) -> Value:
    """scale * elu(x, alpha) with the constants that keep activations normalised
    (Klambauer et al., 2017)."""
    return _exponential_linear(input, _SELU_ALPHA, 1.0) * _SELU_SCALE


def _softmax_dim(op: str, input: Value, dim, axis) -> int:
    """dim (or numpy's axis); if neither, PyTorch's old implicit choice, with its warning."""
    dim = one_of(op, axis=axis, dim=dim)
    if dim is None:
        warnings.warn(f"{op}: implicit dimension choice is deprecated (as in PyTorch); "
                      "pass dim", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return dim


def softmax(input: Value, dim: int | None = None, *, axis: int | None = None) -> Value:
    return input.softmax(_softmax_dim("softmax", input, dim, axis))


def log_softmax(input: Value, dim: int | None = None, *, axis: int | None = None) -> Value:
    return input.log_softmax(_softmax_dim("log_softmax", input, dim, axis))


def softmin(input: Value, dim: int | None = None, *, axis: int | None = None) -> Value:
    """softmax(-x): the smallest entries get the largest weights."""
    return (-input).softmax(_softmax_dim("softmin", input, dim, axis))


def normalize(input: Value, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Value:
    """x / max(||x||_p, eps) along dim: each slice scaled to unit p-norm (p > 0 or inf)."""
    if not p > 0:
        raise ValueError(f"normalize: p must be positive or math.inf, not {p}")
    axis = as_axis(dim, input, "normalize")
    if p == math.inf:
        norm = input.abs().max(axis, keepdims=True)
    else:
        total = (input.abs() ** p).sum(axis, keepdims=True)
        # An all-zero slice: 0 ** (1/p) has an infinite slope, kept out of the graph (the
        # denominator there is eps anyway).
        zero = total.data == 0
        norm = where(zero, 0.0, where(zero, 1.0, total) ** (1.0 / p))
    return input / where(norm.data >= eps, norm, eps)


# ---- convolution and pooling ---------------------------------------------------------------------
from autograd import pad  # noqa: E402,F401  (the engine's torch.nn.functional.pad)

from .spatial import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d,  # noqa: E402,F401
                      avg_pool2d, conv1d, conv2d, conv_transpose1d, conv_transpose2d,
                      interpolate, max_pool1d, max_pool2d)


# ---- normalisation, embedding, attention, dropout ---------------------------------------------------
