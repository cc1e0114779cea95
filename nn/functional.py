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


# ---- normalisation, embedding, attention, dropout ---------------------------------------------
# Each composes engine ops. Normalising layers divide by sqrt(var + eps) with the biased
# variance (dividing by N), as PyTorch; batch norm's running variance is the unbiased one.
import numpy as np  # noqa: E402

import autograd  # noqa: E402
from autograd.mode import ShapeError, state  # noqa: E402

from .losses import nll_loss  # noqa: E402,F401


def _not_traced(op: str, what: str) -> None:
    """Refuse what a replay of `autograd.compile` would silently skip: it replays the graph,
    not the Python and numpy work around it (a fresh random mask, a running statistic)."""
    if state.tracer is not None:
        raise RuntimeError(f"autograd.compile: {op} {what}, which a replay would not repeat; "
                           "compile the evaluation step (model.eval()) only, or train "
                           "without compile")


def dropout(input: Value, p: float = 0.5, training: bool = True, *, generator=None,
            rng=None) -> Value:
    """Zero each element with probability p and scale the others by 1 / (1 - p) (inverted
    dropout: the expected value is unchanged, so evaluation needs no rescaling). The input
    itself when not `training` or p == 0. The mask is drawn as `autograd.rand` draws:
    `generator=` (or `rng=`) a numpy Generator or an int seed, else the default generator
    (`autograd.manual_seed`)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:  # everything dropped (1 / (1 - p) would be inf)
        return input * 0.0
    _not_traced("dropout", "draws a new random mask at each call")
    keep = autograd.rand(input.shape, generator=generator, rng=rng).data >= p
    return input * (keep * (1.0 / (1.0 - p))).astype(input.dtype)


def _normalized(input: Value, axes: tuple, eps: float) -> tuple[Value, Value, Value]:
    """(input - mean) / sqrt(var + eps) over `axes`, the biased variance, with (mean, var)."""
    var, mean = autograd.var_mean(input, dim=axes, correction=0, keepdim=True)
    return (input - mean) * (var + eps).rsqrt(), mean, var


def _channel_shape(ndim: int) -> tuple:
    """(1, -1, 1, ...): a (C,) parameter or statistic reshaped to broadcast over (N, C, ...)."""
    return (1, -1) + (1,) * (ndim - 2)


def _affine(out: Value, weight, bias, shape) -> Value:
    """out * weight + bias, each reshaped to `shape` (skipped when None)."""
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _stat_array(x, what: str, channels: int) -> np.ndarray:
    """A running statistic as the numpy array that batch_norm updates in place."""
    array = x.data if isinstance(x, Value) else x
    if not isinstance(array, np.ndarray) or array.shape != (channels,):
        raise ShapeError(f"batch_norm: {what} must be an array of shape ({channels},), one "
                         f"per channel, got {np.shape(array)}")
    return array


def batch_norm(input: Value, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Value:
    """Normalise each channel (axis 1 of (N, C, ...)) to mean 0 and variance 1, then scale by
    weight and shift by bias (each of shape (C,), optional).

    In training (or when there are no running statistics: both None), the statistics are
    the batch's, over every axis but 1, and running_mean and running_var (numpy arrays or
    Values, shape (C,)) are updated in place: new = (1 - momentum) * old + momentum *
    batch statistic, with the unbiased variance, as PyTorch. Otherwise the running
    statistics normalise, and no gradient flows into them.
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: input of shape {input.shape} needs a batch and a "
                         "channel axis, (N, C) or (N, C, ...)")
    channels, axes = input.shape[1], (0, *range(2, input.ndim))
    count = input.size // max(channels, 1)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    if not training and running_mean is not None:
        shape = _channel_shape(input.ndim)
        mean = _stat_array(running_mean, "running_mean", channels).reshape(shape)
        var = _stat_array(running_var, "running_var", channels).reshape(shape)
        out = (input - mean.astype(input.dtype)) * (1.0 / np.sqrt(var + eps)).astype(input.dtype)
        return _affine(out, weight, bias, shape)
    if count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {input.shape}")
    out, mean, var = _normalized(input, axes, eps)
    if running_mean is not None:
        _not_traced("batch_norm", "updates its running statistics in training")
        for stat, batch, name in ((running_mean, mean.data, "running_mean"),
                                  (running_var, var.data * (count / (count - 1)),  # unbiased
                                   "running_var")):
            old = _stat_array(stat, name, channels)
            new = (1.0 - momentum) * old + momentum * batch.reshape(channels)
            if isinstance(stat, Value):
                stat.data = new.astype(old.dtype)  # (a Value's array is read-only)
            else:
                old[...] = new
    return _affine(out, weight, bias, mean.shape)


def layer_norm(input: Value, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> Value:
    """Normalise over the last len(normalized_shape) axes (each sample on its own), then
    scale by weight and shift by bias, both of shape normalized_shape (optional)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or input.ndim < len(shape) or input.shape[input.ndim - len(shape):] != shape:
        raise ShapeError(f"layer_norm: input of shape {input.shape} does not end in "
                         f"normalized_shape {shape}")
    out = _normalized(input, tuple(range(-len(shape), 0)), eps)[0]
    return _affine(out, weight, bias, shape)


def group_norm(input: Value, num_groups: int, weight=None, bias=None,
               eps: float = 1e-5) -> Value:
    """Split the channels (axis 1 of (N, C, ...)) into num_groups groups and normalise each
    group of each sample on its own; then weight and bias (shape (C,)) per channel."""
    if input.ndim < 2 or num_groups < 1 or input.shape[1] % num_groups:
        raise ShapeError(f"group_norm: input of shape {input.shape} needs a channel axis 1 "
                         f"whose size is divisible by num_groups={num_groups}")
    grouped = input.reshape(input.shape[0], num_groups, -1)
    out = _normalized(grouped, (2,), eps)[0].reshape(input.shape)
    return _affine(out, weight, bias, _channel_shape(input.ndim))


def embedding(input, weight: Value, padding_idx: int | None = None) -> Value:
    """The rows of `weight` (num_embeddings, embedding_dim) at the integer indices `input`
    (any shape; floats that are whole numbers count): the result has shape input.shape +
    (embedding_dim,). The row padding_idx (if given; negative counts from the end) gets no
    gradient, as in PyTorch."""
    indices = np.asarray(input.data if isinstance(input, Value) else input)
    if indices.dtype.kind == "f" and np.array_equal(indices, np.round(indices)):
        indices = indices.astype(np.intp)  # whole numbers in a float Value, as nn.fit makes
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {indices.dtype}"
                        + (" holding fractions" if indices.dtype.kind == "f" else ""))
    n = weight.shape[0]
    bad = (indices < 0) | (indices >= n)  # numpy would take negatives from the end
    if bad.any():
        raise IndexError(f"embedding: index {indices[bad].flat[0].item()} is out of range "
                         f"for {n} embeddings (0 to {n - 1})")
    rows = weight[indices]
    if padding_idx is None:
        return rows
    if not -n <= padding_idx < n:
        raise ValueError(f"embedding: padding_idx {padding_idx} must be within the number of "
                         f"embeddings, {n}")
    padding = (indices == padding_idx % n)[..., None]
    return where(padding, weight.data[indices], rows)


def scaled_dot_product_attention(query: Value, key: Value, value: Value, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, *, generator=None,
                                 rng=None) -> Value:
    """softmax(query @ key^T * scale + mask) @ value over the last two axes: queries
    (..., L, E), keys (..., S, E), values (..., S, Ev) give (..., L, Ev); batch axes
    broadcast. scale defaults to 1 / sqrt(E).

    attn_mask (broadcast to (..., L, S)): bool, True where a query may attend; or float,
    added to the scores (-inf masks). is_causal: query i attends to keys 0..i only. As in
    PyTorch, a query that may attend to nothing gets zeros. dropout_p drops attention
    weights (seeded like `dropout`; pass 0 in evaluation).
    """
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
    weights = _attention_weights(query, key, attn_mask, is_causal, scale)
    return dropout(weights, dropout_p, generator=generator, rng=rng) @ value


def _attention_weights(query: Value, key: Value, attn_mask, is_causal: bool,
                       scale: float | None) -> Value:
    """softmax(query @ key^T * scale + mask), rows that may attend to nothing zeroed."""
    if query.shape[-1] != key.shape[-1] or query.ndim < 2 or key.ndim < 2:
        raise ShapeError(f"scaled_dot_product_attention: query {query.shape} and key "
                         f"{key.shape} need shapes (..., L, E) and (..., S, E)")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.swapaxes(-2, -1) * scale
    masked = None  # True where a query must not attend
    if is_causal:
        masked = ~np.tril(np.ones((query.shape[-2], key.shape[-2]), bool))  # no later keys
    elif attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Value) else np.asarray(attn_mask)
        if mask.dtype == bool:
            masked = ~mask
        else:
            masked = np.isneginf(mask)
            if not isinstance(attn_mask, Value):
                attn_mask = mask.astype(scores.dtype)  # float32 scores stay float32
            scores = scores + (where(masked, 0.0, attn_mask) if masked.any() else attn_mask)
    if masked is None or not masked.any():
        return scores.softmax(-1)
    # The smallest float instead of -inf: exp gives exactly 0 all the same, and no inf
    # enters the graph (where anomaly mode would stop).
    weights = scores.masked_fill(masked, np.finfo(scores.dtype).min).softmax(-1)
    nowhere = np.broadcast_to(masked, weights.shape).all(-1, keepdims=True)
    return weights.masked_fill(nowhere, 0.0) if nowhere.any() else weights
