"""Convolution, pooling and resizing over the trailing (spatial) dims, as in
`torch.nn.functional` (re-exported from `nn.functional`).

Inputs are (batch, channels, *spatial), or without the batch dim; a 2-d convolution's
weight is (out_channels, in_channels / groups, kH, kW), as in PyTorch. Everything stands
on one engine primitive, `windows` (a strided view of every window, autograd/ops.py),
whose gradient is a scatter-add:
- convolution is im2col: the windows, reordered into rows of (channels x kernel) values,
  times the weight as a matrix: one matrix product per group;
- transposed convolution is the adjoint: each input pixel times the weight gives a window,
  and `window_sum` adds the overlapping windows up;
- pooling reduces the windows (max, or sum over a count); adaptive average pooling and
  bilinear resizing are products with a small averaging (interpolation) matrix per dim,
  nearest resizing an index.
"""
from __future__ import annotations

import math

import numpy as np

from autograd import Value, pad
from autograd import ops
from autograd.mode import ShapeError


# ---- arguments ---------------------------------------------------------------------------
def _as_value(x) -> Value:
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def _tuple(x, n: int, what: str, op: str) -> tuple:
    """An int or a sequence of n ints as a tuple of n ints."""
    items = (x,) * n if isinstance(x, (int, np.integer)) else tuple(x)
    if len(items) != n or not all(isinstance(i, (int, np.integer)) for i in items):
        raise ValueError(f"{op}: {what} must be an int or {n} ints, got {x!r}")
    return tuple(int(i) for i in items)


def _batched(x: Value, n: int, op: str) -> tuple[Value, bool]:
    """x with a batch dim (PyTorch also takes one unbatched (channels, *spatial) input)."""
    if x.ndim == n + 1:
        return x.reshape((1,) + x.shape), False
    if x.ndim != n + 2:
        raise ShapeError(f"{op}: input must be (batch, channels{', *spatial' if n > 1 else ''}"
                         f") with {n} spatial dims ({n + 2}-d, or {n + 1}-d unbatched), got "
                         f"shape {x.shape}")
    return x, True


def _unbatched(out: Value, batched: bool) -> Value:
    return out if batched else out.reshape(out.shape[1:])


def _padded(x: Value, widths, value: float = 0.0) -> Value:
    """x with (before, after) widths on its trailing dims, in order (F.pad's are reversed)."""
    if not any(any(w) for w in widths):
        return x
    return pad(x, [w for pair in reversed(widths) for w in pair], value=value)


def _window_axes(x: Value, n: int) -> tuple:
    return tuple(range(x.ndim - n, x.ndim))


def _window_counts(x: Value, kernel, stride, dilation, op: str) -> tuple:
    n = len(kernel)
    counts = tuple(ops.window_count(size, k, s, d) for size, k, s, d in
                   zip(x.shape[-n:], kernel, stride, dilation))
    if min(counts) < 1:
        raise ShapeError(f"{op}: the kernel {kernel} (dilation {dilation}) is larger than the "
                         f"padded input's spatial size {x.shape[-n:]}")
    return counts


# ---- convolution ---------------------------------------------------------------------------
def _conv_padding(padding, kernel, stride, dilation, op: str) -> list:
    """(before, after) per spatial dim from an int, ints, "valid" or "same"."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, {n} ints, 'valid' or 'same', not "
                             f"{padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride {stride}); give the padding as numbers")
        # the output keeps the input's size; an odd total puts the extra one after (PyTorch)
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    return [(p, p) for p in _tuple(padding, n, "padding", op)]


def _conv(input, weight, bias, stride, padding, dilation, groups, n: int, op: str) -> Value:
    x, w = _as_value(input), _as_value(weight)
    x, batched = _batched(x, n, op)
    if w.ndim != n + 2:
        raise ShapeError(f"{op}: weight must be (out_channels, in_channels / groups, "
                         f"*kernel) with {n} kernel dims, got shape {w.shape}")
    (batch, channels), (out_channels, group_channels), kernel = x.shape[:2], w.shape[:2], \
        w.shape[2:]
    if not isinstance(groups, (int, np.integer)) or groups < 1 or out_channels % groups:
        raise ValueError(f"{op}: groups must be a positive int dividing out_channels "
                         f"({out_channels}), got {groups!r}")
    if channels != group_channels * groups:
        raise ShapeError(f"{op}: input of shape {x.shape} has {channels} channels, but the "
                         f"weight of shape {w.shape} with groups={groups} expects "
                         f"{group_channels * groups}")
    stride, dilation = (_tuple(stride, n, "stride", op), _tuple(dilation, n, "dilation", op))
    x = _padded(x, _conv_padding(padding, kernel, stride, dilation, op))
    counts = _window_counts(x, kernel, stride, dilation, op)
    # im2col: the windows (N, C, *counts, *kernel) as columns (groups, C/g * kernel,
    # N * windows): each row of the copy is a run of output positions, which reads the
    # input in its own order (its last dim contiguous, for stride 1), and the products
    # and their gradients stay large contiguous blocks.
    cols = ops.windows(x, _window_axes(x, n), kernel, stride, dilation)
    cols = cols.reshape((batch, groups, group_channels) + cols.shape[2:])
    cols = cols.transpose((1, 2, *range(3 + n, 3 + 2 * n), 0, *range(3, 3 + n)))
    size = group_channels * math.prod(kernel)
    cols = cols.reshape(groups, size, -1)
    matrix = w.reshape(groups, out_channels // groups, size)
    out = (matrix @ cols).reshape((out_channels, batch) + counts)
    out = out.transpose((1, 0, *range(2, n + 2)))
    if bias is not None:
        out = out + _as_value(bias).reshape((out_channels,) + (1,) * n)
    return _unbatched(out, batched)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Value:
    """1-d convolution (cross-correlation, as in PyTorch) of (N, C_in, L) with a weight
    (C_out, C_in / groups, k): out[n, o, i] = bias[o] + sum_c,j w[o, c, j] x[n, c, i*s + j*d].
    padding: an int, "valid" (none) or "same" (output as long as the input; stride 1)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Value:
    """2-d convolution (cross-correlation, as in PyTorch) of (N, C_in, H, W) with a weight
    (C_out, C_in / groups, kH, kW). stride, padding and dilation: an int or a pair; padding
    also "valid" (none) or "same" (output as large as the input; stride 1). groups splits
    the channels into that many independent convolutions."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                    n: int, op: str) -> Value:
    x, w = _as_value(input), _as_value(weight)
    x, batched = _batched(x, n, op)
    if w.ndim != n + 2:
        raise ShapeError(f"{op}: weight must be (in_channels, out_channels / groups, *kernel) "
                         f"with {n} kernel dims, got shape {w.shape}")
    (batch, channels), kernel = x.shape[:2], w.shape[2:]
    if not isinstance(groups, (int, np.integer)) or groups < 1 or channels % groups:
        raise ValueError(f"{op}: groups must be a positive int dividing in_channels "
                         f"({channels}), got {groups!r}")
    if w.shape[0] != channels:
        raise ShapeError(f"{op}: input of shape {x.shape} has {channels} channels, the weight "
                         f"of shape {w.shape} expects {w.shape[0]}")
    stride, padding, output_padding, dilation = (
        _tuple(a, n, what, op) for a, what in [(stride, "stride"), (padding, "padding"),
                                               (output_padding, "output_padding"),
                                               (dilation, "dilation")])
    if any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding {output_padding} must be smaller than the "
                         f"stride {stride} or the dilation {dilation}")
    group_channels, out_group = channels // groups, w.shape[1]
    counts = x.shape[2:]
    # each input pixel times the weight is one output window: (N, C_out, *counts, *kernel)
    rows = x.reshape((batch, groups, group_channels, -1)).transpose(1, 2, 0, 3)
    rows = rows.reshape(groups, group_channels, -1)
    matrix = w.reshape(groups, group_channels, -1).transpose(0, 2, 1)
    cols = (matrix @ rows).reshape((groups, out_group) + kernel + (batch,) + counts)
    cols = cols.transpose((n + 2, 0, 1, *range(n + 3, 2 * n + 3), *range(2, n + 2)))
    cols = cols.reshape((batch, groups * out_group) + counts + kernel)
    full = tuple((c - 1) * s + d * (k - 1) + 1 + p for c, s, d, k, p in
                 zip(counts, stride, dilation, kernel, output_padding))
    out = ops.window_sum(cols, (batch, groups * out_group) + full, tuple(range(2, n + 2)),
                         kernel, stride, dilation)
    if any(p >= f for p, f in zip(padding, full)):  # (2p >= full: nothing left)
        raise ShapeError(f"{op}: padding {padding} leaves nothing of the output of size {full}")
    out = out[(Ellipsis, *(slice(p, f - p) for p, f in zip(padding, full)))]
    if bias is not None:
        out = out + _as_value(bias).reshape((groups * out_group,) + (1,) * n)
    return _unbatched(out, batched)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Value:
    """The transpose (adjoint) of conv1d, weight (C_in, C_out / groups, k): each input
    element scatters weight-times-itself into the output; output length
    (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups: int = 1, dilation=1) -> Value:
    """The transpose (adjoint, "deconvolution") of conv2d, weight (C_in, C_out / groups, kH,
    kW): the gradient of conv2d with respect to its input, used to upsample. Output size
    per dim: (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


# ---- pooling -------------------------------------------------------------------------------
def _pool_geometry(x: Value, kernel_size, stride, padding, dilation, ceil_mode, n, op):
    """kernel, stride, dilation, counts and the (before, after) padding per spatial dim,
    the after side extended so that ceil_mode's last, partial windows fit."""
    kernel = _tuple(kernel_size, n, "kernel_size", op)
    stride = kernel if stride is None or stride == () else _tuple(stride, n, "stride", op)
    padding, dilation = _tuple(padding, n, "padding", op), _tuple(dilation, n, "dilation", op)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size "
                         f"{kernel}")
    counts, widths = [], []
    for size, k, s, p, d in zip(x.shape[-n:], kernel, stride, padding, dilation):
        span = d * (k - 1) + 1
        count = ((size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s) + 1
        if ceil_mode and (count - 1) * s >= size + p:  # the last window would start in padding
            count -= 1
        if count < 1:
            raise ShapeError(f"{op}: the kernel {kernel} (dilation {dilation}) is larger than "
                             f"the padded input's spatial size {x.shape[-n:]}")
        counts.append(count)
        widths.append((p, max((count - 1) * s + span - size - p, p)))
    return kernel, stride, dilation, tuple(counts), widths


def _window_first(win: Value, n: int) -> Value:
    """The windows as (window size, *windows' shape): the window's elements in one front
    axis, so that reducing over it compares or adds whole arrays elementwise (numpy reduces
    over the small last axes of a strided view some 30 times slower). The copy keeps the
    input's memory order (a convolution's output is channel-major), and so do the results
    and gradients computed from it: no copy back and forth."""
    lead = win.ndim - n
    order = sorted(range(lead), key=lambda i: -abs(win.data.strides[i]))
    front = win.transpose((*range(lead, win.ndim), *order))
    front = front.reshape((-1,) + front.shape[n:])
    return front.transpose((0, *[1 + order.index(i) for i in range(lead)]))


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, n, op):
    x, batched = _batched(_as_value(input), n, op)
    kernel, stride, dilation, counts, widths = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode, n, op)
    # Padding holds the lowest finite number rather than -inf, which anomaly mode would
    # flag; no window is all padding (padding <= kernel / 2), so it never wins.
    low = float(np.finfo(x.dtype).min)
    win = ops.windows(_padded(x, widths, low), _window_axes(x, n), kernel, stride, dilation)
    # The max of each window's elements: at ties each gets an equal share of the gradient
    # (torch.amax's rule; PyTorch's max_pool2d gives it all to the first). After a ReLU the
    # ties are at 0, where the ReLU passes no gradient anyway.
    out = _unbatched(_window_first(win, n).max(axis=0), batched)
    if not return_indices:
        return out
    # the flat index (over the input's spatial dims) of each window's max, as PyTorch's
    spatial = x.shape[-n:]
    origin = np.pad(np.arange(math.prod(spatial)).reshape(spatial), widths, constant_values=-1)
    origin = ops._windows(origin, tuple(range(n)), kernel, stride, dilation)
    size = math.prod(kernel)
    best = np.asarray(win.data).reshape(win.shape[:-n] + (size,)).argmax(axis=-1)[..., None]
    origin = np.broadcast_to(origin.reshape(counts + (size,)), best.shape[:-1] + (size,))
    index = np.take_along_axis(origin, best, axis=-1)[..., 0]
    # a constant of int64 data, as the engine's argmax makes it
    return out, Value._make(index if batched else index[0])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The max of each window of kernel_size elements along the last dim (stride: the
    kernel_size unless given; padding, at most half the kernel, never wins; ceil_mode
    keeps a last partial window). With return_indices also each max's position."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The max of each kH x kW window of (N, C, H, W) (stride: the kernel_size unless given;
    padding, at most half the kernel, never wins; ceil_mode keeps last partial windows).
    Where a window's largest elements tie, they share its gradient equally (PyTorch gives
    it all to the first). With return_indices also each max's (first) flat index into the
    input's H x W plane."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2, "max_pool2d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, n, op):
    x, batched = _batched(_as_value(input), n, op)
    kernel, stride, dilation, counts, widths = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode, n, op)
    win = ops.windows(_padded(x, widths), _window_axes(x, n), kernel, stride, dilation)
    total = _window_first(win, n).sum(axis=0)
    if divisor_override:
        return _unbatched(total / float(divisor_override), batched)
    # PyTorch divides by the window's elements inside the padded input (or, without
    # count_include_pad, inside the input): ceil_mode's extra windows overhang it.
    spatial = x.shape[-n:]
    if count_include_pad:
        inside = np.pad(np.ones(tuple(size + 2 * p for size, (p, _) in zip(spatial, widths))),
                        [(0, after - before) for before, after in widths])
    else:
        inside = np.pad(np.ones(spatial), widths)
    count = ops._windows(inside, tuple(range(n)), kernel, stride, dilation)
    count = count.sum(axis=tuple(range(-n, 0))).astype(x.dtype)
    return _unbatched(total / count, batched)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Value:
    """The mean of each window of kernel_size elements along the last dim (see avg_pool2d)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None) -> Value:
    """The mean of each kH x kW window of (N, C, H, W) (stride: the kernel_size unless
    given). Zero padding counts in the mean unless count_include_pad=False; ceil_mode
    keeps last partial windows (averaged over what they cover); divisor_override divides
    every window's sum by that number instead."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


# ---- matrices along the spatial dims: adaptive pooling, resizing ------------------------------
def _along_dims(x: Value, matrices: list) -> Value:
    """x with its trailing dims each multiplied by a matrix (out_i, in_i): separable maps."""
    n = len(matrices)
    for k, m in enumerate(matrices):
        axis = x.ndim - n + k
        x = (x.movedim(axis, -1) @ m.T.astype(x.dtype)).movedim(-1, axis)
    return x


def _output_size(output_size, spatial: tuple, op: str) -> tuple:
    """adaptive pooling's output_size: an int or a tuple, None keeping the input's size."""
    n = len(spatial)
    sizes = (output_size,) * n if not isinstance(output_size, (tuple, list)) else output_size
    if len(sizes) != n:
        raise ValueError(f"{op}: output_size must be an int or {n} sizes, got {output_size!r}")
    return tuple(size if s is None else int(s) for s, size in zip(sizes, spatial))


def _adaptive_matrix(size: int, out: int) -> np.ndarray:
    """Averages over PyTorch's bins: bin i spans [floor(i * size / out), ceil((i + 1) *
    size / out))."""
    m = np.zeros((out, size))
    for i in range(out):
        start, stop = (i * size) // out, -(-(i + 1) * size // out)
        m[i, start:stop] = 1.0 / (stop - start)
    return m


def adaptive_avg_pool1d(input, output_size) -> Value:
    """The mean over output_size bins of near-equal length along the last dim."""
    x, batched = _batched(_as_value(input), 1, "adaptive_avg_pool1d")
    (out,) = _output_size(output_size, x.shape[-1:], "adaptive_avg_pool1d")
    return _unbatched(_along_dims(x, [_adaptive_matrix(x.shape[-1], out)]), batched)


def adaptive_avg_pool2d(input, output_size) -> Value:
    """(N, C, H, W) averaged over an output_size grid of near-equal bins (PyTorch's bins);
    output_size an int or (h, w), None keeping that dim's size."""
    x, batched = _batched(_as_value(input), 2, "adaptive_avg_pool2d")
    sizes = _output_size(output_size, x.shape[-2:], "adaptive_avg_pool2d")
    return _unbatched(_along_dims(x, [_adaptive_matrix(size, out) for size, out in
                                      zip(x.shape[-2:], sizes)]), batched)


def _linear_matrix(size: int, out: int, scale: float, align_corners: bool) -> np.ndarray:
    """Linear interpolation weights (out, size) with PyTorch's source coordinates."""
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        src = dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = src - low
    m = np.zeros((out, size))
    np.add.at(m, (np.arange(out), low), 1.0 - frac)
    np.add.at(m, (np.arange(out), high), frac)
    return m


_INTERPOLATE_DIMS = {"nearest": None, "linear": 1, "bilinear": 2}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Value:
    """Resize (N, C, *spatial) to `size`, or by `scale_factor` (output size floor(in *
    factor)). mode "nearest" (each output takes the input element at floor(i * in / out)),
    "linear" (3-d input) or "bilinear" (4-d): weighted means of the two nearest inputs per
    dim, with align_corners=True putting the corner pixels' centres on each other."""
    x = _as_value(input)
    if mode not in _INTERPOLATE_DIMS:
        raise ValueError(f"interpolate: mode must be one of {list(_INTERPOLATE_DIMS)} (others "
                         f"are not implemented), not {mode!r}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not implemented")
    n = x.ndim - 2
    if n < 1 or _INTERPOLATE_DIMS[mode] not in (None, n):
        raise ShapeError(f"interpolate: mode {mode!r} needs (N, C, {'L' if n == 1 else 'H, W'})"
                         f" input, got shape {x.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only goes with the linear modes")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give either size or scale_factor, not both or neither")
    spatial = x.shape[2:]
    if size is not None:
        sizes = _tuple(size, n, "size", "interpolate")
        scales = [s / o for s, o in zip(spatial, sizes)]
    else:
        factors = (scale_factor,) * n if not isinstance(scale_factor, (tuple, list)) \
            else tuple(scale_factor)
        if len(factors) != n:
            raise ValueError(f"interpolate: scale_factor must be a number or {n} numbers, got "
                             f"{scale_factor!r}")
        sizes = tuple(int(math.floor(s * f)) for s, f in zip(spatial, factors))
        scales = [s / o if recompute_scale_factor else 1.0 / f
                  for s, o, f in zip(spatial, sizes, factors)]
    if min(sizes) < 1:
        raise ValueError(f"interpolate: the output size {sizes} must be positive")
    if mode == "nearest":
        # PyTorch computes floor(i * scale) in float32
        index = [np.minimum(np.floor(np.arange(o, dtype=np.float32) * np.float32(scale))
                            .astype(np.int64), s - 1)
                 for s, o, scale in zip(spatial, sizes, scales)]
        return x[(Ellipsis, *np.ix_(*index))]
    return _along_dims(x, [_linear_matrix(s, o, scale, bool(align_corners))
                           for s, o, scale in zip(spatial, sizes, scales)])
