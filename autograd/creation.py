"""Making Values, as PyTorch does: `zeros ones full empty arange linspace eye`, the random
`rand randn uniform normal`, the `*_like` forms, and `one_hot`.

    >>> autograd.zeros(2, 3).shape, autograd.arange(5).tolist()
    ((2, 3), [0, 1, 2, 3, 4])

Sizes are ints or one tuple (`zeros(2, 3)`, `zeros((2, 3))`); every result is an array Value
(0-d for size `()`), a constant unless `requires_grad=True` asks for a leaf that gets a
gradient (floating dtypes only). dtypes follow PyTorch, except that the default floating
dtype is float64 (as everywhere in the engine): `arange` and `full` of ints give int64.

Random draws come from numpy's `Generator` (PCG64), not from PyTorch's generator, so a seed
gives other numbers than in PyTorch. They are reproducible in two ways:
- `manual_seed(n)` reseeds the default generator that every random function uses, as
  `torch.manual_seed(n)` does (without it, the draws differ from run to run);
- `generator=` (or numpy's word `rng=`) on each call: a numpy Generator, or an int seed for a
  fresh one. `randn(3, generator=0)` holds `np.random.default_rng(0).standard_normal(3)`.
Numbers are drawn in float64 and rounded to `dtype`, so a seed gives the same numbers (up
to rounding) in every precision.
"""
from __future__ import annotations

import numpy as np

from . import ops
from .mode import ShapeError
from .value import Value

_default_generator = [np.random.default_rng()]  # a list, so manual_seed can replace it


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator that `rand randn uniform normal` use by default (as
    torch.manual_seed); returns it."""
    _default_generator[0] = np.random.default_rng(_seed(seed, "manual_seed"))
    return _default_generator[0]


# ---- arguments ---------------------------------------------------------------------------------
def _seed(seed, op: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{op}: a seed is an int, got {type(seed).__name__}")
    return int(seed)


def _generator(generator, rng, op: str) -> np.random.Generator:
    """The generator a call asks for: a numpy Generator, an int seed, or the default."""
    generator = ops.one_of(op, generator=generator, rng=rng)
    if generator is None:
        return _default_generator[0]
    if isinstance(generator, np.random.Generator):
        return generator
    return np.random.default_rng(_seed(generator, op))


def _shape(size: tuple, op: str) -> tuple:
    """PyTorch's size arguments, ints (`zeros(2, 3)`) or one tuple or list, as a shape."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{op}: sizes are ints, got {n!r} in {size}")
        if n < 0:
            raise ShapeError(f"{op}: sizes cannot be negative, got {size}")
    return tuple(int(n) for n in size)


def _dtype(dtype, default, op: str) -> np.dtype:
    return ops.as_dtype(default if dtype is None else dtype, op)


def _leaf(data: np.ndarray, requires_grad: bool, op: str) -> Value:
    """The Value of freshly made data: a constant, or a leaf that requires grad."""
    if requires_grad and data.dtype.kind != "f":
        raise TypeError(f"{op}: only floating point Values can require gradients, not "
                        f"{data.dtype}")
    out = Value._make(data)
    out.requires_grad = bool(requires_grad)
    return out


# ---- filled ------------------------------------------------------------------------------------
def zeros(*size, dtype=None, requires_grad: bool = False) -> Value:
    """A Value of zeros: `zeros(2, 3)` or `zeros((2, 3))`."""
    return _leaf(np.zeros(_shape(size, "zeros"), _dtype(dtype, float, "zeros")),
                 requires_grad, "zeros")


def ones(*size, dtype=None, requires_grad: bool = False) -> Value:
    """A Value of ones: `ones(2, 3)` or `ones((2, 3))`."""
    return _leaf(np.ones(_shape(size, "ones"), _dtype(dtype, float, "ones")),
                 requires_grad, "ones")


def empty(*size, dtype=None, requires_grad: bool = False) -> Value:
    """A Value to be overwritten: here zeros (PyTorch leaves them uninitialised; nothing is
    gained by that here, as Values are made once and never written into)."""
    return _leaf(np.zeros(_shape(size, "empty"), _dtype(dtype, float, "empty")),
                 requires_grad, "empty")


def full(size, fill_value, *, dtype=None, requires_grad: bool = False) -> Value:
    """A Value of `size` filled with `fill_value`; its dtype is the number's (bool, int64,
    float64) unless `dtype` says otherwise, as in PyTorch."""
    size = size if isinstance(size, (tuple, list)) else (size,)
    dtype = _dtype(dtype, np.asarray(ops.data_of(fill_value)).dtype, "full")
    return _leaf(np.full(_shape(size, "full"), ops.data_of(fill_value), dtype),
                 requires_grad, "full")


def eye(n: int, m: int | None = None, *, dtype=None, requires_grad: bool = False) -> Value:
    """The n x m identity matrix (n x n if m is None)."""
    shape = _shape((n, n if m is None else m), "eye")
    return _leaf(np.eye(*shape, dtype=_dtype(dtype, float, "eye")), requires_grad, "eye")


# ---- ranges ------------------------------------------------------------------------------------
def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False) -> Value:
    """start, start + step, ... up to but without `end`; `arange(n)` is 0 .. n-1. int64 if
    all arguments are ints, else float64 (as PyTorch, with float64 for its float32)."""
    if end is None:
        start, end = 0, start
    start, end, step = (ops.data_of(x) for x in (start, end, step))
    if step == 0:
        raise ValueError("arange: step must not be zero")
    dtype = _dtype(dtype, np.result_type(start, end, step), "arange")
    return _leaf(np.arange(start, end, step, dtype=dtype), requires_grad, "arange")


def linspace(start, end, steps: int, *, dtype=None, requires_grad: bool = False) -> Value:
    """`steps` evenly spaced numbers from start to end, both included."""
    (steps,) = _shape((steps,), "linspace")
    dtype = _dtype(dtype, float, "linspace")
    return _leaf(np.linspace(ops.data_of(start), ops.data_of(end), steps, dtype=dtype),
                 requires_grad, "linspace")


# ---- random ------------------------------------------------------------------------------------
def _random(generator, rng, dtype, op: str) -> tuple:
    """(the numpy Generator to draw from, the floating dtype to round the draws to)."""
    dtype = _dtype(dtype, float, op)
    if dtype.kind != "f":
        raise TypeError(f"{op}: draws floating point numbers, not {dtype}")
    return _generator(generator, rng, op), dtype


def rand(*size, generator=None, rng=None, dtype=None, requires_grad: bool = False) -> Value:
    """Uniform numbers in [0, 1)."""
    gen, dtype = _random(generator, rng, dtype, "rand")
    data = gen.random(_shape(size, "rand")).astype(dtype)
    below_one = np.nextafter(dtype.type(1), dtype.type(0))  # float32 may round a draw up to 1
    return _leaf(np.minimum(data, below_one), requires_grad, "rand")


def randn(*size, generator=None, rng=None, dtype=None, requires_grad: bool = False) -> Value:
    """Standard normal numbers (mean 0, standard deviation 1)."""
    gen, dtype = _random(generator, rng, dtype, "randn")
    return _leaf(gen.standard_normal(_shape(size, "randn")).astype(dtype), requires_grad,
                 "randn")


def uniform(low=0.0, high=1.0, size=None, *, generator=None, rng=None, dtype=None,
            requires_grad: bool = False) -> Value:
    """Uniform numbers in [low, high) (numpy's Generator.uniform, PyTorch's uniform_);
    low and high may be arrays or Values, `size` defaults to their broadcast shape."""
    gen, dtype = _random(generator, rng, dtype, "uniform")
    low, high = np.asarray(ops.data_of(low)), np.asarray(ops.data_of(high))
    if np.any(high < low):
        raise ValueError("uniform: high must not be less than low")
    shape = _random_shape(size, "uniform", low, high)
    return _leaf(gen.uniform(low, high, shape).astype(dtype), requires_grad, "uniform")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, rng=None, dtype=None,
           requires_grad: bool = False) -> Value:
    """Normal numbers of mean `mean` and standard deviation `std` (torch.normal); both may
    be arrays or Values, `size` defaults to their broadcast shape."""
    gen, dtype = _random(generator, rng, dtype, "normal")
    mean, std = np.asarray(ops.data_of(mean)), np.asarray(ops.data_of(std))
    if np.any(std < 0):
        raise ValueError("normal: std must not be negative")
    shape = _random_shape(size, "normal", mean, std)
    return _leaf(gen.normal(mean, std, shape).astype(dtype), requires_grad, "normal")


def _random_shape(size, op: str, *params) -> tuple:
    """`size` as a shape, checked to broadcast with the parameters; their shape if None."""
    shapes = [p.shape for p in params]
    shape = _shape(size if isinstance(size, (tuple, list)) else (size,), op) \
        if size is not None else np.broadcast_shapes(*shapes)
    try:
        np.broadcast_shapes(shape, *shapes)
    except ValueError:
        raise ShapeError(f"{op}: parameters of shapes {shapes} do not broadcast to size "
                         f"{shape}") from None
    return shape


# ---- like another Value --------------------------------------------------------------------------
def _like(input, dtype, op: str) -> tuple:
    """(shape, dtype) of a Value, array or number, the dtype replaced by `dtype` if given."""
    data = np.asarray(ops.data_of(input))
    return data.shape, _dtype(dtype, data.dtype, op)


def zeros_like(input, *, dtype=None, requires_grad: bool = False) -> Value:
    """Zeros of input's shape and dtype."""
    return _leaf(np.zeros(*_like(input, dtype, "zeros_like")), requires_grad, "zeros_like")


def ones_like(input, *, dtype=None, requires_grad: bool = False) -> Value:
    """Ones of input's shape and dtype."""
    return _leaf(np.ones(*_like(input, dtype, "ones_like")), requires_grad, "ones_like")


def empty_like(input, *, dtype=None, requires_grad: bool = False) -> Value:
    """Zeros of input's shape and dtype (see `empty`)."""
    return _leaf(np.zeros(*_like(input, dtype, "empty_like")), requires_grad, "empty_like")


def full_like(input, fill_value, *, dtype=None, requires_grad: bool = False) -> Value:
    """`fill_value` in input's shape and dtype."""
    shape, dtype = _like(input, dtype, "full_like")
    return _leaf(np.full(shape, ops.data_of(fill_value), dtype), requires_grad, "full_like")


def rand_like(input, *, generator=None, rng=None, dtype=None,
              requires_grad: bool = False) -> Value:
    """`rand` in input's shape and dtype."""
    shape, dtype = _like(input, dtype, "rand_like")
    return rand(shape, generator=generator, rng=rng, dtype=dtype, requires_grad=requires_grad)


def randn_like(input, *, generator=None, rng=None, dtype=None,
               requires_grad: bool = False) -> Value:
    """`randn` in input's shape and dtype."""
    shape, dtype = _like(input, dtype, "randn_like")
    return randn(shape, generator=generator, rng=rng, dtype=dtype, requires_grad=requires_grad)


# ---- one_hot -------------------------------------------------------------------------------------
def one_hot(tensor, num_classes: int = -1) -> Value:
    """Class indices as one-hot rows: shape tensor.shape + (num_classes,), int64, as
    torch.nn.functional.one_hot. `num_classes=-1` takes the largest index + 1. The indices
    may be integers, or floats holding whole numbers (a Value made from Python ints)."""
    index = np.asarray(ops.data_of(tensor))
    if index.dtype.kind not in "iuf" or (index.dtype.kind == "f"
                                          and not np.array_equal(index, np.round(index))):
        raise TypeError(f"one_hot: class indices must be whole numbers, got {index.dtype} data")
    if num_classes == -1:
        if index.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from no indices; "
                             "give num_classes")
        num_classes = int(index.max()) + 1
    if index.size and (index.min() < 0 or index.max() >= num_classes):
        raise ValueError(f"one_hot: class indices must lie in [0, {num_classes}), got "
                         f"{index.min()} to {index.max()}")
    return _leaf(np.eye(num_classes, dtype=np.int64)[index.astype(np.int64)], False, "one_hot")


__all__ = [name for name, f in list(globals().items())
           if not name.startswith("_") and getattr(f, "__module__", None) == __name__]
