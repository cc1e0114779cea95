"""The functions of `autograd` (`autograd.where(...)`, `autograd.einsum(...)`, ...).

Each checks its arguments, then calls ops of the table (`ops.py`) or composes them. Every
public function defined here is exported by `autograd/__init__.py` (see `__all__` below).
"""
from __future__ import annotations

import string

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
# torch.f(x, ...) is x.f(...), on x as a Value (a number or array becomes a constant).
def _value(x) -> Value:
    return ops.as_value(x, Value(0.0))


def eq(input, other) -> Value: return _value(input).eq(other)
def ne(input, other) -> Value: return _value(input).ne(other)
def lt(input, other) -> Value: return _value(input).lt(other)
def le(input, other) -> Value: return _value(input).le(other)
def gt(input, other) -> Value: return _value(input).gt(other)
def ge(input, other) -> Value: return _value(input).ge(other)
def logical_and(input, other) -> Value: return _value(input).logical_and(other)
def logical_or(input, other) -> Value: return _value(input).logical_or(other)
def logical_xor(input, other) -> Value: return _value(input).logical_xor(other)
def logical_not(input) -> Value: return _value(input).logical_not()
def masked_fill(input, mask, value) -> Value: return _value(input).masked_fill(mask, value)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Value:
    """|input - other| <= atol + rtol * |other|, elementwise (torch.isclose)."""
    return _value(input).isclose(other, rtol, atol, equal_nan)


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if isclose holds everywhere (a Python bool, as torch.allclose)."""
    return _value(input).allclose(other, rtol, atol, equal_nan)


def argmax(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """Index of the (first) largest element along dim, or in the flattened data (int64)."""
    return _value(input).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """Index of the (first) smallest element along dim, or in the flattened data (int64)."""
    return _value(input).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


# torch.all and torch.any; named _all and _any here so that this module's code keeps Python's
# all() and any(); autograd/__init__.py exports them as autograd.all and autograd.any.
def _all(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """True where every element along dim (default all) is nonzero (torch.all)."""
    return _value(input).all(dim, keepdim, axis=axis, keepdims=keepdims)


def _any(input, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """True where some element along dim (default all) is nonzero (torch.any)."""
    return _value(input).any(dim, keepdim, axis=axis, keepdims=keepdims)


# ---- elementwise math ------------------------------------------------------------------------
# torch.f(x) is x.f(): each function is the method of the same name, on x as a Value (a
# number or array becomes a constant). Python's own abs(v), round(v, n) and pow(v, w) work
# on Values; `pow` is here too, as torch.pow.
def exp(input) -> Value: return _value(input).exp()
def exp2(input) -> Value: return _value(input).exp2()
def expm1(input) -> Value: return _value(input).expm1()
def log(input) -> Value: return _value(input).log()
def log2(input) -> Value: return _value(input).log2()
def log10(input) -> Value: return _value(input).log10()
def log1p(input) -> Value: return _value(input).log1p()
def sqrt(input) -> Value: return _value(input).sqrt()
def rsqrt(input) -> Value: return _value(input).rsqrt()
def square(input) -> Value: return _value(input).square()
def reciprocal(input) -> Value: return _value(input).reciprocal()
def sin(input) -> Value: return _value(input).sin()
def cos(input) -> Value: return _value(input).cos()
def tan(input) -> Value: return _value(input).tan()
def asin(input) -> Value: return _value(input).asin()
def acos(input) -> Value: return _value(input).acos()
def atan(input) -> Value: return _value(input).atan()
def sinh(input) -> Value: return _value(input).sinh()
def cosh(input) -> Value: return _value(input).cosh()
def tanh(input) -> Value: return _value(input).tanh()
def asinh(input) -> Value: return _value(input).asinh()
def acosh(input) -> Value: return _value(input).acosh()
def atanh(input) -> Value: return _value(input).atanh()
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
def erf(input) -> Value: return _value(input).erf()
def sigmoid(input) -> Value: return _value(input).sigmoid()
def relu(input) -> Value: return _value(input).relu()
def sign(input) -> Value: return _value(input).sign()
def floor(input) -> Value: return _value(input).floor()
def ceil(input) -> Value: return _value(input).ceil()
def trunc(input) -> Value: return _value(input).trunc()
def isfinite(input) -> Value: return _value(input).isfinite()
def isinf(input) -> Value: return _value(input).isinf()
def isnan(input) -> Value: return _value(input).isnan()
def logaddexp(input, other) -> Value: return _value(input).logaddexp(other)
def copysign(input, other) -> Value: return _value(input).copysign(other)
def lerp(input, end, weight) -> Value: return _value(input).lerp(end, weight)
def fmod(input, other) -> Value: return _value(input).fmod(other)
def remainder(input, other) -> Value: return _value(input).remainder(other)


def div(input, other, *, rounding_mode: str | None = None) -> Value:
    """input / other, its quotient rounded as `rounding_mode` says (see `Value.div`)."""
    return _value(input).div(other, rounding_mode=rounding_mode)


def pow(input, exponent):
    """input ** exponent (torch.pow): either or both may be Values; broadcasts."""
    return input ** exponent


# ---- reductions and scans ----------------------------------------------------------------------
def var_mean(input, *args, **kwargs) -> tuple:
    """(variance, mean) computed together, as torch.var_mean; the arguments of Value.var."""
    return ops.var_mean("var_mean", _as_values([input], "var_mean")[0], *args, **kwargs)


def std_mean(input, *args, **kwargs) -> tuple:
    """(standard deviation, mean), as torch.std_mean; the arguments of Value.var."""
    var, mean = ops.var_mean("std_mean", _as_values([input], "std_mean")[0], *args, **kwargs)
    return ops.sqrt(var), mean


def _function_of(method: str):
    """torch.<method>(input, ...) as a function: the Value method of that name."""
    def function(input, *args, **kwargs):
        return getattr(_as_values([input], method)[0], method)(*args, **kwargs)
    function.__name__ = function.__qualname__ = method
    function.__doc__ = getattr(Value, method).__doc__
    return function


# Reductions that are Value methods, also as functions (as in torch). `sum`, `max` and `min`
# are not: `from autograd import *` would hide Python's own.
for _method in ("mean", "amax", "amin", "logsumexp", "softmax", "log_softmax", "prod", "var",
                "std", "norm", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"):
    globals()[_method] = _function_of(_method)



# ---- shapes and indexing -------------------------------------------------------------------------
# PyTorch's functions of the Value methods of the same names (value.py), and those with no
# method: cat, meshgrid, pad.
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
def matmul(a, b) -> Value:
    """The matrix product `a @ b` (numpy's and torch's matmul: 1-d operands are vectors,
    leading axes are batches that broadcast)."""
    return ops.matmul(*_as_values([a, b], "matmul"))


def dot(a, b) -> Value:
    """The inner product of two 1-d Values of the same length (torch.dot)."""
    return ops.dot(*_as_values([a, b], "dot"))


def outer(a, b) -> Value:
    """The outer product of two 1-d Values (torch.outer): out[i, j] = a[i] * b[j]."""
    return ops.outer(*_as_values([a, b], "outer"))


def einsum(*args) -> Value:
    """Sums of products over indices named by letters, as torch.einsum and numpy.einsum.

    `einsum("ij,jk->ik", a, b)` is `a @ b`; "ii->" is the trace, "ii->i" the diagonal,
    "i,j->ij" the outer product, "bij,bjk->bik" a batched matmul, "...ij->...ji" swaps the
    last two axes of any batch (an ellipsis stands for the axes the letters leave, and
    broadcasts). Without "->" the output is the letters that appear once, in alphabetical
    order, after the ellipsis's axes. The operands follow the equation, or come as one list
    (`einsum("ij,jk", [a, b])`), or in numpy's sublist form, integers for letters
    (`einsum(a, [0, 1], b, [1, 2], [0, 2])`). The gradient of each operand is an einsum too.
    """
    equation, operands = _einsum_arguments(args)
    operands = _as_values(operands, "einsum")
    subscripts, output = _einsum_subscripts(equation, [v.shape for v in operands])
    return ops.einsum_op(len(operands))(*operands, subscripts, output)


def _einsum_arguments(args) -> tuple:
    """(equation, operands) from torch's forms or numpy's sublist form."""
    if args and isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
        return args[0], list(operands)
    body, output = (args[:-1], args[-1]) if len(args) % 2 else (args, None)
    equation = ",".join(_sublist(s) for s in body[1::2])
    return equation + ("" if output is None else "->" + _sublist(output)), list(body[0::2])


def _sublist(labels) -> str:
    """numpy's sublist ([0, 1, Ellipsis]) as subscripts ("ab...")."""
    if not isinstance(labels, (list, tuple)):
        raise TypeError(f"einsum: give an equation then operands, or operands each followed "
                        f"by a list of its axes' labels (numpy's sublist form), not {labels!r}")
    letters = string.ascii_letters
    for x in labels:
        if x is not Ellipsis and not (isinstance(x, (int, np.integer)) and 0 <= x < 52):
            raise ValueError(f"einsum: sublist labels are integers from 0 to 51 or ..., "
                             f"got {x!r}")
    return "".join("..." if x is Ellipsis else letters[x] for x in labels)


def _einsum_subscripts(equation: str, shapes: list) -> tuple:
    """The operands' subscripts and the output's, in letters only. An ellipsis becomes
    fresh letters (right-aligned, as many as its operand has axes left over, so shorter ones
    broadcast); with no "->" the output is the ellipsis's letters then those that appear once,
    sorted (numpy's and torch's rule)."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} has subscripts for {len(terms)} "
                         f"operands, but {len(shapes)} were given")
    for term in terms + [rhs]:
        if term.count("...") > 1 or any(c not in string.ascii_letters
                                         for c in term.replace("...", "")):
            raise ValueError(f"einsum: in {equation!r}, {term!r} is not letters with at most "
                             "one '...'")
    spans = []
    for term, shape in zip(terms, shapes):
        span = len(shape) - len(term.replace("...", ""))
        if span < 0 or (span > 0 and "..." not in term):
            raise ShapeError(f"einsum: {term!r} in {equation!r} names {len(shape) - span} "
                             f"axes, but its operand has shape {shape}")
        spans.append(span)
    free = [c for c in string.ascii_letters if c not in equation]
    ellipsis = "".join(free[:max(spans, default=0)])
    subscripts = tuple(t.replace("...", ellipsis[len(ellipsis) - n:]) for t, n in zip(terms, spans))
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        named = lhs.replace("...", "").replace(",", "")
        output = ellipsis + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    for c in output:
        if output.count(c) > 1 or not any(c in s for s in subscripts):
            raise ValueError(f"einsum: in {equation!r}, the output's {c!r} "
                             + ("appears more than once" if output.count(c) > 1
                                else "is in no operand's subscripts"))
    return subscripts, output



__all__ = [name for name, f in list(globals().items())
           if not name.startswith("_") and getattr(f, "__module__", None) == __name__]
