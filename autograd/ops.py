"""The op table: every operation's forward and its vector-Jacobian products, side by side.

Each entry reads like a line of a formula sheet:

    mul = Op("mul", operator.mul,
             lambda g, out, a, b: g * b,      # d(a*b)/da, times the upstream gradient g
             lambda g, out, a, b: g * a)      # d(a*b)/db

One VJP per input, called with the upstream gradient `g`, the forward output `out`, the
inputs and then the op's parameters (axis, shape, ...); None for an input that gets no
gradient, and an op whose VJPs are all None (a comparison) records no node: its result is
a constant, as in PyTorch. An op declared with
`vjps_take_inputs=False` (concat) gets only `g`, `out` and the parameters. The same
formula serves two modes: on raw floats and arrays for a fast `backward()`, and on Values
when `grad(..., create_graph=True)` asks for a differentiable gradient. That works because
VJPs use only Python operators and the ops of this table, and an op called on raw data
just computes. (A VJP that used numpy on an input's data would still pass a first-order
check, and give a wrong second derivative: the op spec's second-order tests catch that.)
Broadcasting is undone once, by `unbroadcast` in the backward sweep, not in each formula.

Adding an op: one `Op(...)` entry here, its entry in the op spec (tests/autograd/opspec.py),
and, if it is a method, one line on `Value`.
"""
from __future__ import annotations

import math
import operator
from collections import namedtuple

import numpy as np

from .mode import AxisError, ShapeError, check_forward, state, unbroadcast
from .value import Value

TABLE: dict[str, Op] = {}
"""Every op of the table by name (the op spec's tests check that each one is covered)."""


class Op:
    """An operation: its name, its forward function, and one VJP per input.

    `forward` takes the inputs' data (floats or arrays) then the parameters; `scalar`, when
    given, is a faster forward for all-float inputs (the `math` module instead of numpy).
    `vjps_take_inputs=False` is for ops with many inputs whose VJPs do not need them:
    concat's n VJPs would otherwise be handed all n inputs each, O(n^2) work per backward.
    """

    __slots__ = ("name", "forward", "scalar", "vjps", "arity", "vjps_take_inputs",
                 "differentiable")

    def __init__(self, name, forward, *vjps, scalar=None, vjps_take_inputs=True):
        self.name = name
        self.forward = forward
        self.scalar = scalar
        self.vjps = vjps
        self.arity = len(vjps)
        self.vjps_take_inputs = vjps_take_inputs
        self.differentiable = any(vjp is not None for vjp in vjps)
        TABLE[name] = self

    def __repr__(self):
        return f"Op({self.name!r})"

    def apply(self, *args):
        """Apply the op to its inputs, then its parameters: the one way nodes are made.

        On raw data (floats, arrays) it only computes. If an input is a Value, the others
        become constants and the result is a Value, linked to its inputs when recording
        is on and one of them requires grad (else a constant). `op(...)` is the same call;
        Value's operators write `op.apply(...)`, which Python runs without a round trip
        through C (a tenth of the cost of a small op).
        """
        n = self.arity
        if n == 2 and len(args) == 2 and self.scalar is not None:
            # Fast path for two floats, one or both in Values, recording, no anomaly: most
            # nodes of a scalar graph (micrograd's MLP, long chains) are such + and *, and
            # skipping the general steps below makes each in about half the time.
            a, b = args
            x = a._data if type(a) is Value else a
            y = b._data if type(b) is Value else b
            if type(x) is float and type(y) is float and (a is not x or b is not y) \
                    and state.recording and not state.anomaly:
                try:
                    data = self.scalar(x, y)
                except (ArithmeticError, ValueError):
                    pass  # the general path follows IEEE arithmetic instead
                else:
                    if a is x:
                        a = Value._make(x)
                    elif b is y:
                        b = Value._make(y)
                    if (a.requires_grad or b.requires_grad) and self.differentiable:
                        return Value._make(data, self, (a, b))
                    return Value._make(data)
        inputs, params = (args, ()) if len(args) == n else (args[:n], args[n:])
        datas, like, constants = [], None, False
        for x in inputs:
            if isinstance(x, Value):
                datas.append(x._data)
                like = x
            else:
                datas.append(x)
                constants = True
        if like is None:
            return compute(self, datas, params)
        if constants:
            inputs = tuple([as_value(x, like) for x in inputs])
            datas = [v._data for v in inputs]
        data = compute(self, datas, params)
        if state.recording and self.differentiable:
            for v in inputs:
                if v.requires_grad:
                    out = Value._make(data, self, inputs, owned(params) if params else ())
                    if state.anomaly:
                        check_forward(out)
                    return out
        return Value._make(data)

    __call__ = apply


def compute(op: Op, datas, params: tuple = ()):
    """Run op's forward on raw data: all-float inputs give a float, others an ndarray."""
    if op.scalar is not None:
        for d in datas:
            if type(d) is not float:
                break
        else:
            try:
                return op.scalar(*datas, *params)
            except (ArithmeticError, ValueError):
                # math raises where IEEE arithmetic gives inf or nan (log(0), 1/0, exp(1000)):
                # redo it with numpy scalars, so scalar and tensor Values agree.
                with np.errstate(all="ignore"):
                    return float(op.forward(*[np.float64(d) for d in datas], *params))
    try:
        out = op.forward(*datas, *params)
    except (ValueError, IndexError) as err:  # shapes that do not fit, indices out of range
        shapes = " and ".join(str(np.shape(d)) for d in datas)
        kind = IndexError if isinstance(err, IndexError) else ShapeError
        raise kind(f"{op.name}: cannot apply to shapes {shapes}: {err}") from None
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if out.ndim == 0 and all(type(d) is float for d in datas):  # ops without a math forward
        return float(out)
    return out


def as_value(x, like: Value) -> Value:
    """x itself if it is a Value, else x as a constant.

    Numbers, numpy's included (as in PyTorch), become Python floats, which numpy does not
    let widen an array's dtype: float32 stays float32. Integer arrays take like's dtype.
    """
    if isinstance(x, Value):
        return x
    if type(x) is float:
        return Value._make(x)
    if isinstance(x, (int, float, np.integer, np.floating, np.bool_)):
        return Value._make(float(x))
    if isinstance(x, np.ndarray) and x.dtype.kind in "biu" and like.dtype.kind == "f":
        return Value(x, requires_grad=False, dtype=like.dtype)
    return Value(x, requires_grad=False)


def owned(params: tuple) -> tuple:
    """`params` with each array (also inside tuples, as in an index) replaced by a read-only
    copy: backward reads them later, and the caller may change their arrays in between."""
    out = []
    for p in params:
        if isinstance(p, np.ndarray):
            p = np.array(p)
            p.flags.writeable = False
        elif type(p) is tuple:
            p = owned(p)
        out.append(p)
    return tuple(out)


# ---- helpers that VJPs use: each works on raw data and on Values ---------------------------
def data_of(x):
    """The raw data of a Value (a constant inside a formula, e.g. a mask), or x itself."""
    return x._data if isinstance(x, Value) else x


def shape_of(x) -> tuple:
    return () if type(x) is float else x.shape  # Values, arrays and numpy scalars have .shape


def _kept_shape(shape, axis):
    """`shape` with the reduced axes set to 1, as keepdims=True would leave it."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def keep_dims(x, shape, axis, keepdims):
    """Put back the axes a reduction over `shape` removed, so x broadcasts against it."""
    return x if keepdims else reshape(x, _kept_shape(shape, axis))


def expand_reduced(g, shape, axis, keepdims):
    """The gradient of a reduction, spread back over the reduced axes."""
    return broadcast_to(keep_dims(g, shape, axis, keepdims), shape)


def _matrix_views(g, a, b):
    """a, b and g with 1-d operands viewed as matrices, numpy's rule for matmul."""
    a_vec, b_vec = len(shape_of(a)) == 1, len(shape_of(b)) == 1
    gshape = shape_of(g)
    if b_vec:
        b, gshape = reshape(b, shape_of(b) + (1,)), gshape + (1,)
    if a_vec:
        a, gshape = reshape(a, (1,) + shape_of(a)), gshape[:-1] + (1,) + gshape[-1:]
    return _reshaped(g, gshape), a, b


def _swap_last(x):
    axes = list(range(len(shape_of(x))))
    axes[-2:] = axes[:-3:-1]
    return x.transpose(tuple(axes))  # Value.transpose or ndarray.transpose (a view)


def _reshaped(x, shape):
    return x if shape_of(x) == shape else reshape(x, shape)


def _matmul_grad_a(g, out, a, b):
    g2, a2, b2 = _matrix_views(g, a, b)
    return _reshaped(unbroadcast(g2 @ _swap_last(b2), shape_of(a2)), shape_of(a))


def _matmul_grad_b(g, out, a, b):
    g2, a2, b2 = _matrix_views(g, a, b)
    return _reshaped(unbroadcast(_swap_last(a2) @ g2, shape_of(b2)), shape_of(b))


def _pow_grad_base(g, out, a, b):
    """b * a**(b-1); where a == b == 0 it would be 0 * inf, and base 1 there gives
    PyTorch's 0 instead (elsewhere the formula, and its derivatives, are untouched)."""
    zero = (data_of(a) == 0) & (data_of(b) == 0)
    if np.any(zero):
        a = where(1.0, a, zero)
    return g * b * pow_(a, b - 1)


def _pow_grad_exponent(g, out, a, b):
    """a**b * log(a), taken as its limit 0 where a == 0 and b >= 0 instead of 0 * -inf."""
    zero = (data_of(a) == 0) & (data_of(b) >= 0)
    if np.any(zero):
        return where(0.0, g * out * log(where(1.0, a, zero)), zero)
    return g * out * log(a)


def _tie_share(x, y):
    """1 where x wins, 1/2 where x and y tie, 0 where y wins (for maximum/minimum)."""
    x, y = data_of(x), data_of(y)
    return (x > y) + 0.5 * (x == y)


def _max_share(a, out, axis, keepdims):
    """Where the max was attained, each tied position's share of the gradient."""
    a = np.asarray(data_of(a))
    hit = (a == keep_dims(np.asarray(data_of(out)), a.shape, axis, keepdims)).astype(a.dtype)
    return hit / hit.sum(axis=axis, keepdims=True)


def _inside(a, low, high):
    """Mask of the elements that clip(low, high) let through unchanged."""
    a = data_of(a)
    mask = True
    if low is not None:
        mask = mask & (a >= low)
    if high is not None:
        mask = mask & (a <= high)
    return mask


def _pow_scalar(a, b):
    # numpy computes x ** 0.5 as sqrt(x), so (-inf) ** 0.5 is nan rather than C's inf:
    # Python floats do the same, so that scalar and tensor Values agree.
    return math.sqrt(a) if b == 0.5 else math.pow(a, b)


def _sigmoid_scalar(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # for x < 0 this form cannot overflow
    return e / (1.0 + e)


def _sigmoid_array(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _shifted(a, axis):
    """a minus its max along axis (0 where the max is not finite): exp of it cannot overflow.
    Over an empty axis the max is -inf: softmax is empty, logsumexp -inf, as in PyTorch."""
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    return a - m, m


def _logsumexp(a, axis, keepdims):
    # log sum exp(a) = m + log sum exp(a - m), with m the max.
    z, m = _shifted(a, axis)
    out = np.log(np.sum(np.exp(z), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


def _log_softmax(a, axis):
    # (a - m) - log sum exp(a - m): subtracting m first keeps full precision for huge logits.
    z, _ = _shifted(a, axis)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _softmax(a, axis):
    e = np.exp(_shifted(a, axis)[0])
    return e / np.sum(e, axis=axis, keepdims=True)


def _scatter(g, index, shape):
    """Zeros of `shape` with g added at `index` (repeated indices add up)."""
    out = np.zeros(shape, dtype=np.result_type(g))
    parts = index if type(index) is tuple else (index,)
    if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in parts):
        np.add.at(out, index, g)
    else:  # slices, ints and masks name each element once: assigning is 30x faster
        out[index] = g
    return out


# ---- the table ---------------------------------------------------------------------------
add = Op("add", operator.add,
         lambda g, out, a, b: g,
         lambda g, out, a, b: g, scalar=operator.add)
sub = Op("sub", operator.sub,
         lambda g, out, a, b: g,
         lambda g, out, a, b: -g, scalar=operator.sub)
mul = Op("mul", operator.mul,
         lambda g, out, a, b: g * b,
         lambda g, out, a, b: g * a, scalar=operator.mul)
div = Op("div", operator.truediv,
         lambda g, out, a, b: g / b,
         lambda g, out, a, b: -g * out / b, scalar=operator.truediv)
pow_ = Op("pow", np.power, _pow_grad_base, _pow_grad_exponent, scalar=_pow_scalar)
matmul = Op("matmul", np.matmul, _matmul_grad_a, _matmul_grad_b)
neg = Op("neg", operator.neg,
         lambda g, out, a: -g, scalar=operator.neg)
exp = Op("exp", np.exp,
         lambda g, out, a: g * out, scalar=math.exp)
log = Op("log", np.log,
         lambda g, out, a: g / a, scalar=math.log)
sqrt = Op("sqrt", np.sqrt,
          lambda g, out, a: g * 0.5 / out, scalar=math.sqrt)
sin = Op("sin", np.sin,
         lambda g, out, a: g * cos(a), scalar=math.sin)
cos = Op("cos", np.cos,
         lambda g, out, a: -g * sin(a), scalar=math.cos)
abs_ = Op("abs", np.abs,
          lambda g, out, a: g * np.sign(data_of(a)), scalar=abs)
tanh = Op("tanh", np.tanh,
          lambda g, out, a: g * (1 - out * out), scalar=math.tanh)
sigmoid = Op("sigmoid", _sigmoid_array,
             lambda g, out, a: g * out * (1 - out), scalar=_sigmoid_scalar)
relu = Op("relu", lambda a: np.maximum(a, 0),
          lambda g, out, a: g * (data_of(a) > 0), scalar=lambda a: 0.0 if a <= 0 else a)
leaky_relu = Op("leaky_relu", lambda a, slope: np.where(a > 0, a, a * slope),
                lambda g, out, a, slope: where(g, g * slope, data_of(a) > 0),
                scalar=lambda a, slope: a if a > 0 else a * slope)
round_ = Op("round", lambda a, decimals: np.round(a, decimals),
            lambda g, out, a, decimals: g * 0.0)  # piecewise constant: zero gradient, as torch
clip = Op("clip", np.clip,
          lambda g, out, a, low, high: g * _inside(a, low, high))
maximum = Op("maximum", np.maximum,
             lambda g, out, a, b: g * _tie_share(a, b),
             lambda g, out, a, b: g * _tie_share(b, a))
minimum = Op("minimum", np.minimum,
             lambda g, out, a, b: g * _tie_share(b, a),
             lambda g, out, a, b: g * _tie_share(a, b))
where = Op("where", lambda a, b, cond: np.where(cond, a, b),
           lambda g, out, a, b, cond: where(g, 0.0, cond),
           lambda g, out, a, b, cond: where(0.0, g, cond))
sum_ = Op("sum", lambda a, axis, keepdims: np.sum(a, axis=axis, keepdims=keepdims),
          lambda g, out, a, axis, keepdims: expand_reduced(g, shape_of(a), axis, keepdims))
max_ = Op("max", lambda a, axis, keepdims: np.max(a, axis=axis, keepdims=keepdims),
          lambda g, out, a, axis, keepdims:
          expand_reduced(g, shape_of(a), axis, keepdims) * _max_share(a, out, axis, keepdims))
logsumexp = Op("logsumexp", _logsumexp,
               lambda g, out, a, axis, keepdims: expand_reduced(g, shape_of(a), axis, keepdims)
               * exp(a - keep_dims(out, shape_of(a), axis, keepdims)))
softmax = Op("softmax", _softmax,
             lambda g, out, a, axis: out * (g - sum_(g * out, axis, True)))
log_softmax = Op("log_softmax", _log_softmax,
                 lambda g, out, a, axis: g - exp(out) * sum_(g, axis, True))
reshape = Op("reshape", np.reshape,
             lambda g, out, a, shape: reshape(g, shape_of(a)))
transpose = Op("transpose", np.transpose,
               lambda g, out, a, axes: transpose(g, tuple(np.argsort(axes))))
broadcast_to = Op("broadcast_to", np.broadcast_to,
                  lambda g, out, a, shape: unbroadcast(g, shape_of(a)))
getitem = Op("getitem", lambda a, index: a[index],
             lambda g, out, a, index: scatter(g, index, shape_of(a)))
scatter = Op("scatter", _scatter,
             lambda g, out, a, index, shape: getitem(g, index))

# ---- comparisons and logic: no gradient, results are constants (0.0 and 1.0) ------------
# (PyTorch's comparisons give bool tensors; a Value holds floats, usable as a mask in
# `where` and as numbers in arithmetic.)


# ---- elementwise math and activations -------------------------------------------------
# (each with its VJP written in table ops, so that second derivatives work)


# ---- reductions and scans ---------------------------------------------------------------
# (sum, max, logsumexp above; their VJPs spread the gradient back with expand_reduced)


# ---- shapes and indexing -----------------------------------------------------------------
# (reshape, transpose, broadcast_to, getitem, scatter above)
# The shape and index ops of value.py compose those five: views are a reshape, a transpose,
# a broadcast_to or a getitem of slices, index ops (gather, flip, roll, pad, sort) a getitem
# whose gradient is a scatter-add. Primitives only where nothing composes: argsort and
# nonzero (no gradient), and scatter_reduce's prod, amax and amin (numpy's ufunc.at).
ValuesIndices = namedtuple("ValuesIndices", "values indices")
"""What sort and topk return, as torch.return_types do: `values, indices = v.sort()`."""


def varargs(args: tuple) -> tuple:
    """Sizes or dims given either way, `f(2, 3)` or `f((2, 3))`, as one tuple."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def as_dim(dim, value, op: str) -> int:
    """One dim of `value` (at least 1-d) as a non-negative int; errors name `op`."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    if value.ndim == 0:
        raise ShapeError(f"{op}: needs a Value with at least one dimension, got shape ()")
    return as_axis(dim, value, op)[0]


def new_dim(dim, value, op: str) -> int:
    """Where a new axis goes (unsqueeze): -ndim-1 <= dim <= ndim, as a non-negative int."""
    rank = value.ndim + 1
    if not isinstance(dim, (int, np.integer)) or not -rank <= dim < rank:
        raise AxisError(f"{op}: dim {dim!r} is out of range for a Value of shape {value.shape} "
                        f"(valid: {-rank} to {rank - 1})")
    return int(dim) % rank


def sized(size: int, target: tuple, op: str, shape: tuple) -> tuple:
    """`target` with its one -1 (if any) worked out so that it holds `size` elements (those
    of a Value of `shape`, named in the error)."""
    target = tuple(int(n) for n in target)
    known = math.prod(n for n in target if n != -1)
    if target.count(-1) == 1:
        fits = known > 0 and size % known == 0
    else:
        fits = -1 not in target and known == size
    if not fits or any(n < -1 for n in target):
        raise ShapeError(f"{op}: cannot view {size} elements (of a Value of shape {shape}) as "
                         f"shape {target}")
    return tuple(size // known if n == -1 else n for n in target)


def expanded(shape: tuple, target: tuple, op: str) -> tuple:
    """`target` (-1: keep that size) checked as broadcasting allows: each size of `shape`
    is the target's or 1; new axes go in front."""
    lead = len(target) - len(shape)
    out = tuple(shape[i - lead] if n == -1 and i >= lead else int(n)
                for i, n in enumerate(target))
    if lead < 0 or any(n < 0 for n in out) or \
            any(m not in (1, n) for m, n in zip(shape, out[lead:])):
        raise ShapeError(f"{op}: cannot expand a Value of shape {shape} to shape {target} "
                         "(each size must match or be 1; new dimensions go in front)")
    return out


def permutation(dims: tuple, value, op: str) -> tuple:
    """dims checked to be a permutation of value's axes (negative ones allowed)."""
    if len(dims) != value.ndim:
        raise ShapeError(f"{op}: axes {dims} are not a permutation of the {value.ndim} axes "
                         f"of shape {value.shape}")
    return as_axis(dims, value, op, sort=False)


def swapped(value, dim0, dim1, op: str) -> tuple:
    """The permutation of value's axes that swaps dim0 and dim1 (for 0-d, the empty one)."""
    perm = list(range(value.ndim))
    a, b = as_axis(dim0, value, op), as_axis(dim1, value, op)
    if value.ndim:
        perm[a[0]], perm[b[0]] = perm[b[0]], perm[a[0]]
    return tuple(perm)


def broadcast_shape(op: str, *shapes) -> tuple:
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"{op}: shapes {' and '.join(map(str, shapes))} do not broadcast "
                         "together") from None


def triangle(value, diagonal: int, op: str) -> np.ndarray:
    """Mask of the last two dims of value: True on and below `diagonal` (numpy's tri)."""
    if value.ndim < 2:
        raise ShapeError(f"{op}: needs a Value with at least 2 dimensions, got shape "
                         f"{value.shape}")
    return np.tri(*value.shape[-2:], int(diagonal), dtype=bool)


def index_array(index, op: str) -> np.ndarray:
    """An index (a Value of integers such as argsort's, an integer array, a list, an int) as
    an int64 array."""
    data = np.asarray(data_of(index))
    if data.dtype.kind not in "iu" and not (data.size == 0 and data.dtype.kind == "f"):
        raise TypeError(f"{op}: index must hold integers, not {data.dtype}")
    return data.astype(np.int64)


def check_range(index: np.ndarray, size: int, op: str, dim: int, shape: tuple,
                negative: bool = False) -> None:
    """IndexError naming op unless 0 <= index < size (-size <= index if `negative`)."""
    low = -size if negative else 0
    if index.size and (index.min() < low or index.max() >= size):
        bad = index[(index < low) | (index >= size)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of range for dimension {dim} of size "
                         f"{size} (Value of shape {shape})")


def along(index: np.ndarray, dim: int) -> tuple:
    """torch.gather's index as numpy's: `index` along dim, and elsewhere each element's own
    position (aranges that broadcast against it)."""
    return tuple(index if d == dim else np.arange(n).reshape((n,) + (1,) * (index.ndim - 1 - d))
                 for d, n in enumerate(index.shape))


def gather_index(value, dim, index, op: str, src_shape: tuple | None = None) -> tuple:
    """dim and the numpy index for torch.gather of `value` (or for scattering a source of
    `src_shape` into it), checked as torch checks them: index has value's number of dims
    and fits inside value (and the source) in every other dim; its entries are in range."""
    index = index_array(index, op)
    dim = as_dim(dim, value, op)
    if index.ndim != value.ndim:
        raise ShapeError(f"{op}: index of shape {index.shape} needs as many dimensions as the "
                         f"Value of shape {value.shape}")
    too_big = any(m > n for d, (m, n) in enumerate(zip(index.shape, value.shape)) if d != dim)
    if too_big or (src_shape is not None and any(m > n for m, n in zip(index.shape, src_shape))):
        raise ShapeError(f"{op}: index of shape {index.shape} must be no larger than the Value of "
                         f"shape {value.shape} in every dimension but {dim}"
                         + ("" if src_shape is None else f", nor than src of shape {src_shape}"))
    check_range(index, value.shape[dim], op, dim, value.shape)
    return dim, along(index, dim)


def scatter_index(value, dim, index, src, op: str) -> tuple:
    """The numpy index for scattering src into value along dim (checked as torch checks
    it), and src as a Value cut to index's shape (PyTorch uses only that corner of it)."""
    src = as_value(src, value)
    if src.ndim != value.ndim:
        raise ShapeError(f"{op}: src of shape {src.shape} needs as many dimensions as the "
                         f"Value of shape {value.shape}")
    dim, at = gather_index(value, dim, index, op, src.shape)
    if at[dim].shape != src.shape:
        src = src[tuple(slice(0, m) for m in at[dim].shape)]
    return at, src


def _argsort(a, axis, descending):
    """Stable: ties keep their order, NaN sorts as the largest (as torch.sort(stable=True))."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # descending and still stable: sort the reversed axis, then undo the reversal
    n = a.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


def sort_indices(value, dim, descending: bool, op: str) -> Value:
    """argsort's int64 indices along dim, a constant (for a 0-d Value, 0 as in PyTorch)."""
    if value.ndim == 0:
        as_axis(dim, value, op)  # 0 and -1 only
        return Value._make(np.zeros((), np.int64))
    return argsort(value, as_dim(dim, value, op), bool(descending))


_SCATTER_UFUNC = {"prod": (np.multiply, 1.0), "amax": (np.maximum, -np.inf),
                  "amin": (np.minimum, np.inf)}  # the ufunc and its identity


def touched(index, shape) -> np.ndarray:
    """Mask of the positions of `shape` that `index` scatters to."""
    hit = np.zeros(shape, dtype=bool)
    hit[index] = True
    return hit


def _scatter_reduce(a, src, index, reduce, include_self):
    ufunc, identity = _SCATTER_UFUNC[reduce]
    out = np.array(a, dtype=np.result_type(a, src))
    if not include_self:
        out[index] = identity
    ufunc.at(out, index, src)
    return out


def _extreme_shares(out, a, src, index, include_self):
    """Each input's share of an amax/amin slot's gradient: the inputs equal to the result
    share it equally, as in torch (but an excluded self value never takes a share)."""
    out, a, src = data_of(out), data_of(a), data_of(src)
    a_wins = a == out
    if not include_self:
        a_wins &= ~touched(index, out.shape)
    src_wins = src == out[index]
    count = a_wins.astype(out.dtype)
    np.add.at(count, index, src_wins)
    count[count == 0] = 1  # a NaN result: no input equals it
    return a_wins / count, src_wins / count[index]


def _scatter_reduce_grad_a(g, out, a, src, index, reduce, include_self):
    if reduce == "prod":
        # the product of the slot's other inputs; a zero a is replaced by 1 (torch's formula)
        one_for_zero = where(1.0, a, data_of(a) == 0)
        grad = g * scatter_reduce(one_for_zero, src, index, reduce, include_self) / one_for_zero
    else:
        grad = g * _extreme_shares(out, a, src, index, include_self)[0]
    return grad if include_self else where(0.0, grad, touched(index, shape_of(a)))


def _scatter_reduce_grad_src(g, out, a, src, index, reduce, include_self):
    if reduce != "prod":
        return getitem(g, index) * _extreme_shares(out, a, src, index, include_self)[1]
    # out / src, except for a src that is its slot's only zero: the product with it set to 1
    zero = data_of(src) == 0
    zeros_in_slot = np.zeros(shape_of(a))
    np.add.at(zeros_in_slot, index, zero)
    lone_zero = zero & (zeros_in_slot[index] == 1)
    without = scatter_reduce(a, where(1.0, src, lone_zero), index, reduce, include_self)
    return where(getitem(g * without, index), getitem(g * out, index) / where(1.0, src, zero),
                 lone_zero)


argsort = Op("argsort", _argsort, None)
nonzero = Op("nonzero", lambda a: np.argwhere(a), None)
scatter_reduce = Op("scatter_reduce", _scatter_reduce, _scatter_reduce_grad_a,
                    _scatter_reduce_grad_src)


# ---- linear algebra ------------------------------------------------------------------------
# (matmul above)


def concat_op(n: int) -> Op:
    """The concat op for n inputs; its parameters are the axis and the inputs' start
    offsets along it (n + 1 of them), so input i's gradient is g[offsets[i]:offsets[i+1]]."""
    op = _concat_ops.get(n)
    if op is None:
        def grad_of(i):
            def vjp(g, out, axis, offsets):
                return getitem(g, (slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),))
            return vjp
        op = _concat_ops[n] = Op("concat", lambda *args: np.concatenate(args[:-2], axis=args[-2]),
                                 *[grad_of(i) for i in range(n)], vjps_take_inputs=False)
    return op


_concat_ops: dict[int, Op] = {}
concat_op(1)  # in TABLE from the start


# ---- argument normalisation for the public methods and functions ---------------------------
def as_axis(axis, value, op: str, sort: bool = True):
    """axis as a tuple of non-negative ints, sorted unless `sort=False` (None stays None),
    checked against value: out of range is numpy's AxisError, a repeated axis a ShapeError
    (errors name `op`)."""
    if axis is None:
        return None
    ndim = value.ndim
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    if not isinstance(axes, (tuple, list)) or not all(
            isinstance(ax, (int, np.integer)) and not isinstance(ax, bool) for ax in axes):
        raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, got {axis!r}")
    rank = max(ndim, 1)  # like PyTorch, a 0-d Value accepts axis 0 or -1
    for ax in axes:
        if not -rank <= ax < rank:
            raise AxisError(f"{op}: axis {ax} is out of range for a Value of shape "
                            f"{value.shape} (valid: {-rank} to {rank - 1})")
    if ndim == 0:
        return ()
    axes = tuple(int(ax) % ndim for ax in axes)
    if len(set(axes)) != len(axes):
        raise ShapeError(f"{op}: axis {axis!r} names an axis more than once (Value of shape "
                         f"{value.shape})")
    return tuple(sorted(axes)) if sort else axes


def one_of(op: str, **given):
    """The one argument given under either of its names, numpy's or PyTorch's
    (`one_of("sum", axis=axis, dim=dim)`); None if neither. Both given is a TypeError."""
    named = [(name, value) for name, value in given.items() if value is not None]
    if len(named) > 1:
        raise TypeError(f"{op}: give {' or '.join(given)}, not both (they are the same "
                        "argument, in numpy's and PyTorch's words)")
    return named[0][1] if named else None


def as_index(index):
    """An index with Values replaced by their (integer or boolean) data and lists by arrays."""
    if isinstance(index, tuple):
        return tuple(as_index(i) for i in index)
    if isinstance(index, Value):  # a mask from a comparison, indices from argmax or sort
        index = index._data
        if type(index) is float or index.dtype.kind == "f":
            raise TypeError("getitem: index with ints, slices, or integer or boolean arrays "
                            "(a comparison's or argmax's result), not floating point data")
    if isinstance(index, list):
        index = np.asarray(index)
        if index.size == 0:  # np.asarray([]) is float64; an empty index selects nothing
            index = index.astype(np.intp)
    if isinstance(index, np.ndarray) and index.dtype.kind == "f":
        raise TypeError(f"getitem: index arrays must hold integers or bools, not {index.dtype}")
    return index
