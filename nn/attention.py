"""`MultiheadAttention`, PyTorch's layer: its arguments, its parameters (`in_proj_weight`,
`in_proj_bias`, `out_proj`), their initial values and its (output, weights) result, so its
weights convert both ways (`nn.to_torch`, `nn.from_torch`).
"""
from __future__ import annotations

import math

import numpy as np

from autograd import Value

from . import functional as F
from .layers import Linear
from .module import Module


class MultiheadAttention(Module):
    """Attention with num_heads heads of size embed_dim / num_heads: queries, keys and values
    are projected by the rows of `in_proj_weight` (3 * embed_dim, embed_dim), each head
    attends (`F.scaled_dot_product_attention`), and `out_proj` mixes the heads.

    Inputs are (L, N, E) (or (N, L, E) with `batch_first=True`, or unbatched (L, E)).
    `forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)` returns (output, attention weights averaged
    over the heads (N, L, S), or per head (N, num_heads, L, S), or None). As in PyTorch,
    masks mark with True where attention is NOT allowed (the opposite of
    `scaled_dot_product_attention`'s bool mask), or are floats added to the scores:
    attn_mask (L, S) or (N * num_heads, L, S), key_padding_mask (N, S). `is_causal=True`
    without an attn_mask makes the causal one. Dropout on the weights acts in training mode.
    A query that may attend to nothing gets zero weights (PyTorch: nan weights with
    need_weights, zeros without).

    batch_first, rng and dtype are keyword arguments (PyTorch has add_bias_kv, ... in those
    places). Initial values as PyTorch's: in_proj_weight Xavier-uniform, out_proj.weight
    U(-1/sqrt(E), 1/sqrt(E)), biases zero. `rng=`: a numpy Generator or an int seed (also
    for dropout).

    >>> mha = MultiheadAttention(8, 2, batch_first=True, rng=0)
    >>> out, weights = mha(x, x, x)          # x: (N, L, 8) -> out (N, L, 8), weights (N, L, L)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 *, batch_first: bool = False, rng=None, dtype=None):
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, float(dropout)
        self.batch_first = batch_first
        self.rng = np.random.default_rng(rng)
        bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))  # Xavier: fan_in E, fan_out 3E
        self.in_proj_weight = Value(self.rng.uniform(-bound, bound, (3 * embed_dim, embed_dim)),
                                    name="in_proj_weight", dtype=dtype)
        self.in_proj_bias = (Value(np.zeros(3 * embed_dim), name="in_proj_bias", dtype=dtype)
                             if bias else None)
        self.out_proj = Linear(embed_dim, embed_dim, bias, rng=self.rng, dtype=dtype)
        bound = 1.0 / math.sqrt(embed_dim)  # PyTorch's Linear: kaiming_uniform_(a=sqrt(5))
        self.out_proj.weight.data = self.rng.uniform(-bound, bound, (embed_dim, embed_dim)).astype(
            self.out_proj.weight.dtype)
        if rng is None:
            self.rng = None  # dropout draws from autograd's default generator

    def _project(self, x: Value, which: slice) -> Value:
        """x @ W[which].T + b[which]."""
        out = x @ self.in_proj_weight[which].T
        return out if self.in_proj_bias is None else out + self.in_proj_bias[which]

    def _heads(self, x: Value) -> Value:
        n, length = x.shape[0], x.shape[1]
        return x.reshape(n, length, self.num_heads, -1).transpose(0, 2, 1, 3)

    def forward(self, query: Value, key: Value, value: Value, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False):
        batched, self_attention = query.ndim == 3, query is key is value
        if batched and not self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        elif not batched:
            query, key, value = (x.unsqueeze(0) for x in (query, key, value))
        if query.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query of shape {query.shape} does not end in "
                             f"embed_dim={self.embed_dim}")
        e = self.embed_dim
        if self_attention:  # one matmul for all three projections
            q, k, v = self._project(query, slice(None)).chunk(3, dim=-1)
        else:
            q, k, v = (self._project(x, slice(i * e, (i + 1) * e))
                       for i, x in enumerate((query, key, value)))
        q, k, v = (self._heads(x) for x in (q, k, v))
        n, length, source = q.shape[0], q.shape[2], k.shape[2]
        mask = _merged_mask(attn_mask, key_padding_mask, is_causal,
                            (n, self.num_heads, length, source))
        weights = F._attention_weights(q, k, mask, False, None)
        weights = F.dropout(weights, self.dropout, self.training, generator=self.rng)
        out = (weights @ v).transpose(0, 2, 1, 3).reshape(n, length, e)
        out = self.out_proj(out)
        if batched and not self.batch_first:
            out = out.transpose(0, 1)
        elif not batched:
            out = out[0]
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(axis=1)
        return out, (weights if batched else weights[0])

    def __repr__(self):
        return (f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first})")


def _merged_mask(attn_mask, key_padding_mask, is_causal: bool, shape: tuple):
    """PyTorch's two masks (True: not allowed, or floats to add) and is_causal as one mask in
    `scaled_dot_product_attention`'s terms, of a shape that broadcasts to (N, H, L, S):
    bool True where allowed, or floats with -inf where not. None if nothing is masked."""
    n, heads, length, source = shape
    if attn_mask is None and is_causal:
        attn_mask = ~np.tril(np.ones((length, source), bool))
    masks = []
    if attn_mask is not None:  # (L, S), or (N * H, L, S): one per batch and head
        mask = _array(attn_mask)
        masks.append(mask.reshape(n, heads, length, source) if mask.ndim == 3 else mask)
    if key_padding_mask is not None:  # (N, S): keys to leave out, per batch
        masks.append(_array(key_padding_mask).reshape(n, 1, 1, source))
    masked = np.zeros((), bool)
    added = [mask for mask in masks if mask.dtype != bool]
    for mask in masks:
        if mask.dtype == bool:
            masked = masked | mask
    if not added:
        return ~masked if masked.any() else None
    return np.where(masked, -np.inf, sum(added))


def _array(mask) -> np.ndarray:
    return np.asarray(mask.data if isinstance(mask, Value) else mask)
