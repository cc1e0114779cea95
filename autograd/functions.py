"""The functions of `autograd` (`autograd.where(...)`, `autograd.einsum(...)`, ...).

Each checks its arguments, then calls ops of the table (`ops.py`) or composes them. Every
public function defined here is exported by `autograd/__init__.py` (see `__all__` below).
"""
from __future__ import annotations

import numpy as np

from . import ops
from .mode import AxisError, ShapeError
from .value import Value


def _as_values(values, name: str) -> list:
    values = [v if isinstance(v, Value) else Value(v, requires_grad=False) for v in values]
    if not values:
        raise ValueError(f"{name}: needs at least one Value")
    return values


def maximum(a, b) -> Value:
    """Elementwise maximum (numpy.maximum); where a and b tie each gets half the gradient."""
    return ops.maximum(ops.as_value(a, Value(0.0)), b)


def minimum(a, b) -> Value:
    """Elementwise minimum (numpy.minimum); where a and b tie each gets half the gradient."""
    return ops.minimum(ops.as_value(a, Value(0.0)), b)


def concat(values, axis: int | None = None, dim: int | None = None) -> Value:
    """Join Values along an existing axis, 0 by default (numpy.concatenate, torch.cat)."""
    values = _as_values(values, "concat")
    axis = ops.as_axis(ops.one_of("concat", axis=axis, dim=dim) or 0, values[0], "concat")
    if not axis:
        raise ShapeError("concat: cannot join scalars; use stack")
    offsets = tuple(np.cumsum([0] + [v.shape[axis[0]] if v.ndim > axis[0] else 0
                                     for v in values]).tolist())
    return ops.concat_op(len(values))(*values, axis[0], offsets)


def stack(values, axis: int | None = None, dim: int | None = None) -> Value:
    """Join Values along a new axis, 0 by default (numpy.stack, torch.stack)."""
    values = _as_values(values, "stack")
    axis = ops.one_of("stack", axis=axis, dim=dim) or 0
    ndim = values[0].ndim + 1
    if not -ndim <= axis < ndim:
        raise AxisError(f"stack: axis {axis} is out of range for the result's {ndim} axes")
    axis %= ndim
    shapes = {v.shape for v in values}
    if len(shapes) > 1:
        raise ShapeError(f"stack: all Values need the same shape, got {sorted(shapes)}")
    shape = values[0].shape
    return concat([v.reshape(shape[:axis] + (1,) + shape[axis:]) for v in values], axis)


def where(condition, a, b) -> Value:
    """Elementwise `a` where `condition` holds, else `b`; differentiable in a and b."""
    condition = np.asarray(ops.data_of(condition), dtype=bool)
    shapes = [np.shape(ops.data_of(x)) for x in (a, b)]
    try:
        np.broadcast_shapes(condition.shape, *shapes)
    except ValueError:
        raise ShapeError(f"where: condition of shape {condition.shape} and values of shapes "
                         f"{shapes[0]} and {shapes[1]} do not broadcast together") from None
    if not isinstance(b, Value):
        a = ops.as_value(a, Value(b, requires_grad=False))  # the result is a Value either way
    return ops.where(a, b, condition)


# ---- comparisons and logic (no gradient) ---------------------------------------------------


# ---- elementwise math ------------------------------------------------------------------------


# ---- reductions and scans ----------------------------------------------------------------------


# ---- shapes and indexing -------------------------------------------------------------------------
# PyTorch's functions of the Value methods of the same names (value.py), and those with no
# method: cat, meshgrid, pad.
def _value(x) -> Value:
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


cat = concatenate = concat


def reshape(input, shape) -> Value:
    return _value(input).reshape(shape)


def permute(input, dims) -> Value:
    return _value(input).permute(dims)


def transpose(input, dim0: int, dim1: int) -> Value:
    """Swap two dims (PyTorch's transpose; numpy's is permute)."""
    return _value(input).swapaxes(dim0, dim1)


def swapaxes(input, axis0: int, axis1: int) -> Value:
    return _value(input).swapaxes(axis0, axis1)


swapdims = swapaxes


def movedim(input, source, destination) -> Value:
    return _value(input).movedim(source, destination)


moveaxis = movedim


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Value:
    return _value(input).flatten(start_dim, end_dim)


def unflatten(input, dim: int, sizes) -> Value:
    return _value(input).unflatten(dim, sizes)


def squeeze(input, dim=None, axis=None) -> Value:
    return _value(input).squeeze(dim, axis)


def unsqueeze(input, dim: int) -> Value:
    return _value(input).unsqueeze(dim)


def broadcast_to(input, shape) -> Value:
    return _value(input).broadcast_to(shape)


def tile(input, dims) -> Value:
    return _value(input).tile(dims)


def flip(input, dims=None, axis=None) -> Value:
    return _value(input).flip(*(() if dims is None else (dims,)), axis=axis)


def roll(input, shifts, dims=None, axis=None) -> Value:
    return _value(input).roll(shifts, dims, axis)


def split(input, split_size_or_sections, dim: int = 0) -> tuple:
    return _value(input).split(split_size_or_sections, dim)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    return _value(input).chunk(chunks, dim)


def gather(input, dim: int, index) -> Value:
    return _value(input).gather(dim, index)


def take_along_dim(input, indices, dim=None, axis=None) -> Value:
    return _value(input).take_along_dim(indices, dim, axis)


def index_select(input, dim: int, index) -> Value:
    return _value(input).index_select(dim, index)


def masked_select(input, mask) -> Value:
    return _value(input).masked_select(mask)


def nonzero(input, as_tuple: bool = False):
    return _value(input).nonzero(as_tuple)


def repeat_interleave(input, repeats, dim=None) -> Value:
    return _value(input).repeat_interleave(repeats, dim)


def scatter_add(input, dim: int, index, src) -> Value:
    return _value(input).scatter_add(dim, index, src)


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):
    return _value(input).scatter_reduce(dim, index, src, reduce, include_self=include_self)


def tril(input, diagonal: int = 0) -> Value:
    return _value(input).tril(diagonal)


def triu(input, diagonal: int = 0) -> Value:
    return _value(input).triu(diagonal)


def diag(input, diagonal: int = 0) -> Value:
    return _value(input).diag(diagonal)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Value:
    return _value(input).diagonal(offset, dim1, dim2)


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    return _value(input).sort(dim, descending, stable)


def argsort(input, dim=None, descending: bool = False, stable: bool = False, axis=None):
    return _value(input).argsort(dim, descending, stable, axis)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    return _value(input).topk(k, dim, largest, sorted)


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Grids from 1-d Values: the i-th result holds tensors[i] along dim i, repeated along
    the others. indexing="xy" swaps the first two dims (numpy's default; PyTorch's and
    ours is "ij")."""
    values = _as_values(ops.varargs(tensors), "meshgrid")
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', not {indexing!r}")
    if any(v.ndim > 1 for v in values):
        raise ShapeError(f"meshgrid: needs 0-d or 1-d Values, got shapes "
                         f"{[v.shape for v in values]}")
    dims = list(range(len(values)))
    if indexing == "xy" and len(values) > 1:
        dims[:2] = [1, 0]
    shape = [0] * len(values)
    for d, v in zip(dims, values):
        shape[d] = v.size
    return tuple(v.reshape([v.size if k == d else 1 for k in range(len(values))]).expand(shape)
                 for d, v in zip(dims, values))


_PAD_MODES = {"constant": None, "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
"""torch.nn.functional.pad's modes, and numpy.pad's name for each."""


def pad(input, pad, mode: str = "constant", value: float | None = None) -> Value:
    """torch.nn.functional.pad: `pad` is (left, right) pairs from the last dim backwards,
    so pad=(1, 1, 2, 0) adds a column on each side and two rows on top (numpy.pad's
    order is the opposite). Negative widths crop. Modes: "constant" (`value`, default 0),
    "reflect" (mirrored, the edge not repeated), "replicate" (the edge repeated),
    "circular" (wrapped around). Unlike PyTorch, every mode pads any number of dims."""
    x = _value(input)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {list(_PAD_MODES)}, not {mode!r}")
    if value is not None and mode != "constant":
        raise ValueError(f"pad: mode {mode!r} takes no value (only 'constant' does)")
    if len(pad) % 2 or len(pad) > 2 * x.ndim:
        raise ShapeError(f"pad: {len(pad)} widths do not make (left, right) pairs for the "
                         f"dims of the Value of shape {x.shape}")
    widths = [(0, 0)] * (x.ndim - len(pad) // 2) + [
        (int(pad[i]), int(pad[i + 1])) for i in range(len(pad) - 2, -1, -2)]
    kept = [n - max(-left, 0) - max(-right, 0) for n, (left, right) in zip(x.shape, widths)]
    if min(kept, default=0) < 0:
        raise ShapeError(f"pad: widths {tuple(pad)} crop more than the Value of shape "
                         f"{x.shape} holds")
    if any(left < 0 or right < 0 for left, right in widths):
        x = x[tuple(slice(max(-left, 0), max(-left, 0) + k) for (left, right), k in
                    zip(widths, kept))]
        widths = [(max(left, 0), max(right, 0)) for left, right in widths]
    if mode == "constant":
        shape = tuple(n + left + right for n, (left, right) in zip(x.shape, widths))
        inside = tuple(slice(left, left + n) for n, (left, _) in zip(x.shape, widths))
        out = ops.scatter(x, inside, shape)
        if not value:
            return out
        border = np.full(shape, value, dtype=x.dtype)
        border[inside] = 0
        return out + border
    most = {"reflect": -1, "replicate": np.inf, "circular": 0}[mode]
    if any(max(w) > n + most for n, w in zip(x.shape, widths)):
        raise ShapeError(f"pad: widths {tuple(pad)} are too wide for mode {mode!r} on the "
                         f"Value of shape {x.shape} (reflect: less than the size, circular: "
                         "at most the size)")
    padded = len(pad) // 2
    index = [np.pad(np.arange(n), w, mode=_PAD_MODES[mode])
             for n, w in zip(x.shape[-padded:], widths[-padded:])]
    return x[(slice(None),) * (x.ndim - padded) + np.ix_(*index)]


# ---- linear algebra ----------------------------------------------------------------------------


__all__ = [name for name, f in list(globals().items())
           if not name.startswith("_") and getattr(f, "__module__", None) == __name__]
