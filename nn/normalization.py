"""Layers with a mode or running state, and lookups: `Dropout`, `BatchNorm1d`, `BatchNorm2d`,
`LayerNorm`, `GroupNorm` and `Embedding`, as in PyTorch (arguments, defaults, initial values).

Dropout and batch norm follow the module's mode (`model.train()`, `model.eval()`): dropout
drops only in training; batch norm normalises with the batch's statistics in training and
keeps running averages of them, which evaluation then uses. The running statistics are
buffers: saved and loaded with the weights, never trained.
"""
from __future__ import annotations

import numpy as np

from autograd import Value

from . import functional as F
from .module import Module

# rng= and dtype= are keyword-only where PyTorch has other arguments in their places
# (device, max_norm, inplace), so a positional call in PyTorch's order cannot mean them.


def _ones(shape, dtype) -> Value:
    return Value(np.ones(shape), name="weight", dtype=dtype)


def _zeros(shape, dtype) -> Value:
    return Value(np.zeros(shape), name="bias", dtype=dtype)


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1 / (1 - p);
    in evaluation, the identity. `rng=`: a numpy Generator or an int seed for the masks
    (None: autograd's default generator, which `autograd.manual_seed` seeds).

    >>> Dropout(0.5, rng=0).eval()(x) is x
    True
    """

    def __init__(self, p: float = 0.5, *, rng=None):
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)
        self.rng = None if rng is None else np.random.default_rng(rng)

    def forward(self, x: Value) -> Value:
        return F.dropout(x, self.p, self.training, generator=self.rng)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class _BatchNorm(Module):
    """Batch norm over axis 1 (the channels) of its input; see `F.batch_norm`."""

    ndims = ()  # the input ranks the layer takes

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *, dtype=None):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = _ones(num_features, dtype) if affine else None
        self.bias = _zeros(num_features, dtype) if affine else None
        if track_running_stats:
            dtype = np.dtype(dtype or np.float64)
            self.register_buffer("running_mean", np.zeros(num_features, dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, np.int64))

    def forward(self, x: Value) -> Value:
        if x.ndim not in self.ndims:
            raise ValueError(f"{type(self).__name__}: expected "
                             f"{' or '.join(f'{n}D' for n in self.ndims)} input (got "
                             f"{x.ndim}D input of shape {x.shape})")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:  # a cumulative average of all batches so far
                momentum = 1.0 / float(self.num_batches_tracked)
        stats = (self.running_mean, self.running_var) if self.track_running_stats else (None,) * 2
        return F.batch_norm(x, *stats, self.weight, self.bias,
                            self.training or not self.track_running_stats, momentum, self.eps)

    def __repr__(self):
        return (f"{type(self).__name__}({self.num_features}, eps={self.eps}, momentum="
                f"{self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats})")


class BatchNorm1d(_BatchNorm):
    """Batch norm of (N, C) or (N, C, L) inputs, per channel C.

    >>> bn = BatchNorm1d(3)
    >>> bn(Value(np.random.randn(8, 3))).shape, bn.running_mean.shape
    ((8, 3), (3,))
    """
    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm of (N, C, H, W) images, per channel C."""
    ndims = (4,)


class LayerNorm(Module):
    """Normalise each sample over its last axes (`normalized_shape`), then an elementwise
    weight (ones) and bias (zeros) of that shape, as in transformers."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, *, dtype=None):
        shape = normalized_shape
        self.normalized_shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = _ones(self.normalized_shape, dtype) if elementwise_affine else None
        self.bias = _zeros(self.normalized_shape, dtype) if elementwise_affine and bias else None

    def forward(self, x: Value) -> Value:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def __repr__(self):
        return (f"LayerNorm({self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine})")


class GroupNorm(Module):
    """Normalise each of num_groups groups of channels per sample, then a per-channel
    weight (ones) and bias (zeros)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, *, dtype=None):
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        self.weight = _ones(num_channels, dtype) if affine else None
        self.bias = _zeros(num_channels, dtype) if affine else None

    def forward(self, x: Value) -> Value:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def __repr__(self):
        return (f"GroupNorm({self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine})")


class Embedding(Module):
    """A lookup table: integer indices of any shape -> rows of `weight` (num_embeddings,
    embedding_dim), drawn from N(0, 1) as in PyTorch. The row padding_idx starts at zero and
    gets no gradient. `rng=`: a numpy Generator or an int seed.

    >>> Embedding(10, 3, rng=0)(np.array([[1, 2], [3, 9]])).shape
    (2, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 *, rng=None, dtype=None):
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within "
                                 f"num_embeddings ({num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        weight = np.random.default_rng(rng).standard_normal((num_embeddings, embedding_dim))
        if padding_idx is not None:
            weight[padding_idx] = 0.0
        self.weight = Value(weight, name="weight", dtype=dtype)

    def forward(self, indices) -> Value:
        return F.embedding(indices, self.weight, self.padding_idx)

    def __repr__(self):
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"Embedding({self.num_embeddings}, {self.embedding_dim}{padding})"
