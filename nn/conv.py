"""Layers for images and signals: convolution, pooling, and the reshapes between them.

`Conv1d Conv2d ConvTranspose2d MaxPool2d AvgPool2d AdaptiveAvgPool2d Flatten Unflatten`,
with PyTorch's arguments, weight layouts and default initialisation: weight and bias
uniform in +-1/sqrt(fan_in) (kaiming_uniform with a=sqrt(5), fan_in = in_channels / groups
* kernel size; for a transposed convolution, out_channels / groups * kernel size), drawn
reproducibly through `rng=` (a numpy Generator or an int seed). The computations are
`nn.functional`'s (nn/spatial.py).
"""
from __future__ import annotations

import math

import numpy as np

from autograd import Value, pad

from . import spatial
from .layers import _check_size
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _uniform(shape: tuple, bound: float, rng, dtype, name: str) -> Value:
    return Value(rng.uniform(-bound, bound, shape), name=name, dtype=dtype)


def _arguments(self, names: tuple) -> str:
    """`name=value` for each of the layer's arguments that differs from PyTorch's default."""
    defaults = {"stride": (1,) * getattr(self, "dims", 1), "padding": 0, "dilation": 1,
                "groups": 1, "output_padding": 0, "bias": True, "padding_mode": "zeros"}
    parts = []
    for name in names:
        if not hasattr(self, name):
            continue
        value = getattr(self, name)
        if name == "bias":
            value = value is not None
        if value != defaults.get(name) and value != (defaults.get(name),) * self.dims:
            parts.append(f"{name}={value!r}")
    return ", ".join(parts)


class _Conv(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: sizes, weights, their repr."""

    dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, rng, dtype):
        self.in_channels = _check_size("in_channels", in_channels)
        self.out_channels = _check_size("out_channels", out_channels)
        self.groups = _check_size("groups", groups)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: groups ({groups}) must divide "
                             f"in_channels ({in_channels}) and out_channels ({out_channels})")
        op = type(self).__name__
        self.kernel_size = spatial._tuple(kernel_size, self.dims, "kernel_size", op)
        self.stride = spatial._tuple(stride, self.dims, "stride", op)
        self.dilation = spatial._tuple(dilation, self.dims, "dilation", op)
        self.padding = padding if isinstance(padding, str) else \
            spatial._tuple(padding, self.dims, "padding", op)
        rng = np.random.default_rng(rng)
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        bound = 1 / math.sqrt(shape[1] * math.prod(self.kernel_size))
        self.weight = _uniform(shape, bound, rng, dtype, "weight")
        self.bias = _uniform((out_channels,), bound, rng, self.weight.dtype, "bias") \
            if bias else None

    def __repr__(self):
        extra = _arguments(self, ("stride", "padding", "output_padding", "dilation", "groups",
                                  "bias", "padding_mode"))
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}{', ' + extra if extra else ''})")


class _ConvForward(_Conv):
    """Conv1d and Conv2d: padding_mode pads first, then the convolution pads no more."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", *, rng=None, dtype=None):
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{type(self).__name__}: padding_mode must be one of "
                             f"{_PADDING_MODES}, not {padding_mode!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, rng, dtype)
        self.padding_mode = padding_mode

    def forward(self, x) -> Value:
        conv = spatial.conv1d if self.dims == 1 else spatial.conv2d
        padding = self.padding
        if self.padding_mode != "zeros":
            widths = spatial._conv_padding(padding, self.kernel_size, self.stride,
                                           self.dilation, type(self).__name__)
            x = pad(x, [w for pair in reversed(widths) for w in pair], self.padding_mode)
            padding = 0
        return conv(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_ConvForward):
    """1-d convolution over (N, C_in, L): weight (C_out, C_in / groups, k), bias (C_out,).

    >>> Conv1d(2, 4, 3, padding="same", rng=0)(np.ones((5, 2, 10))).shape
    (5, 4, 10)
    """

    dims = 1


class Conv2d(_ConvForward):
    """2-d convolution over (N, C_in, H, W): weight (C_out, C_in / groups, kH, kW), bias
    (C_out,). padding: an int, a pair, "valid" or "same"; padding_mode "zeros", "reflect",
    "replicate" or "circular".

    >>> Conv2d(1, 8, 3, padding=1, rng=0)(np.ones((64, 1, 28, 28))).shape
    (64, 8, 28, 28)
    """


class ConvTranspose2d(_Conv):
    """The transpose of Conv2d, to upsample: weight (C_in, C_out / groups, kH, kW).

    >>> ConvTranspose2d(4, 2, 2, stride=2, rng=0)(np.ones((1, 4, 5, 5))).shape
    (1, 2, 10, 10)
    """

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, *, rng=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, rng, dtype)
        self.output_padding = spatial._tuple(output_padding, 2, "output_padding",
                                             "ConvTranspose2d")
        self.padding_mode = "zeros"

    def forward(self, x) -> Value:
        return spatial.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                        self.output_padding, self.groups, self.dilation)


class _Pool(Module):
    """A layer holding a pooling function's arguments."""

    dims = 2

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._arguments)
        return f"{type(self).__name__}({args})"


class MaxPool2d(_Pool):
    """The max of each window (see nn.functional.max_pool2d); stride defaults to the
    kernel_size."""

    _arguments = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        return spatial.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                                  self.ceil_mode, self.return_indices)


class AvgPool2d(_Pool):
    """The mean of each window (see nn.functional.avg_pool2d)."""

    _arguments = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x) -> Value:
        return spatial.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                                  self.ceil_mode, self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool2d(_Pool):
    """Averages over an output_size grid of near-equal bins, whatever the input's size."""

    _arguments = ("output_size",)

    def __init__(self, output_size):
        self.output_size = output_size

    def forward(self, x) -> Value:
        return spatial.adaptive_avg_pool2d(x, self.output_size)


class Flatten(Module):
    """Dims start_dim to end_dim merged into one (by default all but the batch dim).

    >>> Flatten()(np.ones((64, 16, 7, 7))).shape
    (64, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x) -> Value:
        return spatial._as_value(x).flatten(self.start_dim, self.end_dim)

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"


class Unflatten(Module):
    """Dim `dim` split into `unflattened_size` (one size may be -1).

    >>> Unflatten(1, (16, 7, 7))(np.ones((64, 784))).shape
    (64, 16, 7, 7)
    """

    def __init__(self, dim: int, unflattened_size):
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x) -> Value:
        return spatial._as_value(x).unflatten(self.dim, self.unflattened_size)

    def __repr__(self):
        return f"Unflatten(dim={self.dim}, unflattened_size={self.unflattened_size})"
