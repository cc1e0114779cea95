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
import string
import warnings
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
                    out = Value._make(data)
                    if state.tracer is not None:  # autograd.compile records constants too
                        state.tracer.on_constant(out, self, (a, b), ())
                    return out
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
        out = Value._make(data)
        if state.tracer is not None:  # autograd.compile records constants too
            state.tracer.on_constant(out, self, inputs, params)
        return out

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


def _max_grad(g, out, a, axis, keepdims):
    """g spread back to where the max was attained, tied positions sharing it equally:
    g / (the number of ties), a small array, then broadcast onto the mask of the ties."""
    a = np.asarray(data_of(a))
    hit = a == keep_dims(np.asarray(data_of(out)), a.shape, axis, keepdims)
    ties = np.sum(hit, axis=axis, keepdims=keepdims, dtype=a.dtype)
    return expand_reduced(g / ties, a.shape, axis, keepdims) * hit


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
          _max_grad)
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

# ---- comparisons and logic: no gradient, results are constants ----------------------------
# As in PyTorch, comparisons and logic give bool data and argmax/argmin int64 data: constant
# Values holding numpy bool or int64 arrays, usable as masks and indices (`where`, `v[mask]`)
# and as numbers in arithmetic, with numpy's promotion (a bool mask times a float32 Value
# stays float32). Each has a `scalar=` forward, so that two Python floats also give a 0-d
# array: `compute` turns other 0-d results of floats into Python floats.
def _constant_op(name: str, forward, arity: int) -> Op:
    """A table op without a gradient, whose result keeps numpy's dtype (bool, int64)."""
    return Op(name, forward, *[None] * arity, scalar=lambda *args: np.asarray(forward(*args)))


def _arg_extreme(pick):
    """argmax or argmin over one axis (None: of the flattened data), as int64."""
    def forward(a, axis, keepdims):
        return np.asarray(pick(a, axis=axis, keepdims=keepdims), dtype=np.int64)
    return forward


eq = _constant_op("eq", np.equal, 2)
ne = _constant_op("ne", np.not_equal, 2)
lt = _constant_op("lt", np.less, 2)
le = _constant_op("le", np.less_equal, 2)
gt = _constant_op("gt", np.greater, 2)
ge = _constant_op("ge", np.greater_equal, 2)
isclose = _constant_op("isclose", lambda a, b, rtol, atol, equal_nan:
                       np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), 2)
logical_and = _constant_op("logical_and", np.logical_and, 2)
logical_or = _constant_op("logical_or", np.logical_or, 2)
logical_xor = _constant_op("logical_xor", np.logical_xor, 2)
logical_not = _constant_op("logical_not", np.logical_not, 1)
all_ = _constant_op("all", lambda a, axis, keepdims: np.all(a, axis=axis, keepdims=keepdims), 1)
any_ = _constant_op("any", lambda a, axis, keepdims: np.any(a, axis=axis, keepdims=keepdims), 1)
argmax = _constant_op("argmax", _arg_extreme(np.argmax), 1)
argmin = _constant_op("argmin", _arg_extreme(np.argmin), 1)


def compare(op: Op, a, b):
    """op(a, b) for a comparison operator (`==`, `<`, ...); NotImplemented when b is no number
    or array (None, a string, ...), so that Python falls back as for PyTorch tensors: `==`
    to identity (False), `<` to a TypeError naming both types."""
    if isinstance(b, (Value, float, int, np.ndarray, np.generic, list, tuple)):
        return op.apply(a, b)
    return NotImplemented


def arg_extreme(op: Op, value, dim, keepdim, axis, keepdims):
    """argmax/argmin: the index of the first extreme element along one dim, or in the
    flattened data (dim=None), as int64."""
    axis, keepdims = reduction_args(op.name, value, axis, dim, keepdims, keepdim)
    if axis is not None and len(axis) > 1:
        raise TypeError(f"{op.name}: give one dim or none, not {axis}")
    axis = axis[0] if axis else None  # a 0-d Value's dim 0 or -1 is ()
    if (value.size if axis is None else value.shape[axis]) == 0:
        raise ShapeError(f"{op.name}: cannot take the index of an extreme of nothing (shape "
                         f"{value.shape}{'' if axis is None else f', dim {axis}'})")
    return op.apply(value, axis, keepdims)


def masked_fill(x, mask, value):
    """x with `value` where `mask` holds (torch.masked_fill): where(mask, value, x),
    differentiable in x and in value (a number or a one-element Value)."""
    mask_data = np.asarray(data_of(mask))
    if mask_data.dtype != bool:
        raise TypeError(f"masked_fill: the mask must hold bools (a comparison's result), "
                        f"not {mask_data.dtype}")
    if np.size(data_of(value)) != 1:
        raise ShapeError(f"masked_fill: value must be a number or a one-element Value, got "
                         f"shape {np.shape(data_of(value))}")
    try:
        np.broadcast_shapes(mask_data.shape, shape_of(x))
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {mask_data.shape} does not broadcast "
                         f"with the Value's shape {shape_of(x)}") from None
    return where(value, x, mask_data)


# PyTorch's dtype conversions (`to`, `float`, `clone`) and numpy's `astype`: a copy in a dtype.
# A primitive, since no other op changes a dtype; its gradient is cast back to the input's.
def _dtype_of(a) -> np.dtype:
    return np.dtype(np.float64) if type(a) is float else a.dtype


copy = Op("copy", lambda a, dtype: a.astype(dtype),
          lambda g, out, a, dtype: copy(g, _dtype_of(a)), scalar=lambda a, dtype: a)


def as_dtype(dtype, op: str) -> np.dtype:
    """A numpy dtype from numpy's, Python's (float, int, bool) or PyTorch's (torch.float32,
    read by name: torch is not imported) spelling; only real numbers and bools."""
    if type(dtype).__module__ == "torch":
        dtype = str(dtype).removeprefix("torch.")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biuf":
        raise TypeError(f"{op}: a Value holds bools, integers or floating point numbers; "
                        f"{dtype!r} is none of these")
    return dtype


def convert(x: Value, dtype, op: str) -> Value:
    """x in `dtype`: x itself if it has it; between floating dtypes differentiable; to or
    from bools and integers a constant, as in PyTorch."""
    dtype = as_dtype(dtype, op)
    if dtype == x.dtype:
        return x
    if dtype.kind == "f" and x.dtype.kind == "f":
        if type(x._data) is float:  # compute gives a float's 0-d results back as floats
            return reshape(copy(broadcast_to(x, (1,)), dtype), ())
        return copy(x, dtype)
    return Value._make(np.asarray(x._data).astype(dtype))


def to_args(x: Value, args: tuple, dtype, device):
    """The dtype that `Value.to(...)` asks for, in PyTorch's forms: to(dtype), to(device),
    to(device, dtype), to(other Value), dtype=, device=. The only device is the CPU."""
    for arg in args:
        if isinstance(arg, str) or type(arg).__name__ == "device":  # "cpu", torch.device
            device = arg
        else:
            dtype = arg.dtype if isinstance(arg, Value) else arg
    if device is not None and str(device).partition(":")[0] != "cpu":
        raise ValueError(f"to: gradlab computes on the CPU only, not on {device!r}")
    return x.dtype if dtype is None else dtype


# ---- elementwise math and activations -------------------------------------------------
# (each with its VJP written in table ops, so that second derivatives work)
# Primitives only where no composition of other ops is as exact: the inverse and hyperbolic
# functions (sinh from exp loses every digit near 0; asinh and acosh from log lose digits or
# overflow), erf (none exists), the near-zero pair log1p/expm1, log2/log10 (exact at powers:
# log(1000) / log(10) is 2.9999999999999996), copysign (the sign bit of -0.0), fmod,
# remainder and floor_divide (a - trunc(a / b) * b rounds: fmod(1, 0.1) would be 0, not
# 0.0999...; floor(1 / 0.1) is 10, 1 // 0.1 is 9), and the piecewise-constant ones. tan and
# logaddexp compose in principle, but as one node instead of 3 and 6, with numpy's
# handling of infinities. square, reciprocal, rsqrt, exp2, lerp, div(rounding_mode="trunc")
# and the activations of nn.functional compose (value.py, nn/functional.py).
def _zero_grad(g, out, *args):
    """The gradient of a piecewise-constant op (floor, sign, ...): zero, as in PyTorch."""
    return g * 0.0


_erf_each = np.frompyfunc(math.erf, 1, 1)


def _erf(a):
    # numpy has no erf: math.erf element by element (about 0.1 us each) is exact.
    return np.asarray(_erf_each(a), dtype=np.result_type(a))


tan = Op("tan", np.tan,
         lambda g, out, a: g * (1 + out * out), scalar=math.tan)
asin = Op("asin", np.arcsin,
          lambda g, out, a: g / sqrt(1 - a * a), scalar=math.asin)
acos = Op("acos", np.arccos,
          lambda g, out, a: -g / sqrt(1 - a * a), scalar=math.acos)
atan = Op("atan", np.arctan,
          lambda g, out, a: g / (1 + a * a), scalar=math.atan)
sinh = Op("sinh", np.sinh,
          lambda g, out, a: g * cosh(a), scalar=math.sinh)
cosh = Op("cosh", np.cosh,
          lambda g, out, a: g * sinh(a), scalar=math.cosh)
asinh = Op("asinh", np.arcsinh,
           lambda g, out, a: g / sqrt(a * a + 1), scalar=math.asinh)
acosh = Op("acosh", np.arccosh,
           lambda g, out, a: g / sqrt(a * a - 1), scalar=math.acosh)
atanh = Op("atanh", np.arctanh,
           lambda g, out, a: g / (1 - a * a), scalar=math.atanh)
erf = Op("erf", _erf,  # d erf(a) = 2 / sqrt(pi) * exp(-a^2)
         lambda g, out, a: g * (2 / math.sqrt(math.pi)) * exp(-(a * a)), scalar=math.erf)
log1p = Op("log1p", np.log1p,
           lambda g, out, a: g / (1 + a), scalar=math.log1p)
expm1 = Op("expm1", np.expm1,
           lambda g, out, a: g * (out + 1), scalar=math.expm1)
log2 = Op("log2", np.log2,
          lambda g, out, a: g / (a * math.log(2)), scalar=math.log2)
log10 = Op("log10", np.log10,
           lambda g, out, a: g / (a * math.log(10)), scalar=math.log10)
sign = Op("sign", np.sign, _zero_grad)
floor = Op("floor", np.floor, _zero_grad)
ceil = Op("ceil", np.ceil, _zero_grad)
trunc = Op("trunc", np.trunc, _zero_grad)
logaddexp = Op("logaddexp", np.logaddexp,  # log(e^a + e^b): d/da = e^a / (e^a + e^b)
               lambda g, out, a, b: g * exp(a - out),
               lambda g, out, a, b: g * exp(b - out))
copysign = Op("copysign", np.copysign,  # |a| with b's sign: slope +-1, and 0 at a = 0 (torch)
              lambda g, out, a, b: g * (np.sign(data_of(a)) * np.sign(data_of(out))),
              _zero_grad, scalar=math.copysign)
floor_divide = Op("floor_divide", np.floor_divide, _zero_grad, _zero_grad,
                  scalar=operator.floordiv)
# a - b * q for the quotient q rounded toward zero (fmod) or down (remainder), so the
# gradient is g for a and -g * q for b, as in PyTorch.
fmod = Op("fmod", np.fmod,
          lambda g, out, a, b: g,
          lambda g, out, a, b: -g * trunc(a / b), scalar=math.fmod)
remainder = Op("remainder", np.remainder,
               lambda g, out, a, b: g,
               lambda g, out, a, b: -g * floor_divide(a, b), scalar=operator.mod)
# Tests without a gradient: bool arrays, also a 0-d one for a Python float (as a float, a
# result would read as a number; PyTorch gives a bool tensor).
isfinite = Op("isfinite", np.isfinite, None, scalar=lambda a: np.array(math.isfinite(a)))
isinf = Op("isinf", np.isinf, None, scalar=lambda a: np.array(math.isinf(a)))
isnan = Op("isnan", np.isnan, None, scalar=lambda a: np.array(math.isnan(a)))


# ---- reductions and scans ---------------------------------------------------------------
# (sum, max, logsumexp above; their VJPs spread the gradient back with expand_reduced)
def _along(axis: int, index) -> tuple:
    """An index that applies `index` to axis `axis` and takes all of the axes before it."""
    return (slice(None),) * axis + (index,)


def _flip(x, axis: int):
    return getitem(x, _along(axis, slice(None, None, -1)))


def _reverse_cumsum(x, axis: int):
    """x_i + x_(i+1) + ... + x_last along axis: cumsum's VJP."""
    return _flip(cumsum(_flip(x, axis), axis), axis)


def _exclusive_cumprod(x, axis: int):
    """x_0 * ... * x_(i-1) along axis (1 for i = 0): cumprod of x shifted one step on, 1 in
    front. It divides by nothing, so it is exact where x holds zeros."""
    shape, n = shape_of(x), shape_of(x)[axis]
    shifted = scatter(getitem(x, _along(axis, slice(0, n - 1))), _along(axis, slice(1, None)),
                      shape)
    first = (np.arange(n) == 0).reshape((n,) + (1,) * (len(shape) - axis - 1))
    return cumprod(where(1.0, shifted, first), axis)


def _prod_grad(g, out, a, axis, keepdims):
    """d prod / d a_k is the product of the other elements: (those before k) * (those after
    k). Exact with one zero or several, where out / a_k would divide 0 by 0."""
    before = _exclusive_cumprod(a, axis)
    after = _flip(_exclusive_cumprod(_flip(a, axis), axis), axis)
    return expand_reduced(g, shape_of(a), (axis,), keepdims) * before * after


def _cumprod_grad(g, out, a, axis):
    """d out_i / d a_k (k <= i) is the product of a_0 ... a_i without a_k: out_i / a_k, so
    the VJP is reverse_cumsum(g * out) / a when a has no zeros. With zeros, the products
    themselves: row k of a square holds a with a_k set to 1, and its cumprod along the row
    gives them all (O(n^2) along the axis; exact, and differentiable again)."""
    if np.all(data_of(a) != 0):
        return _reverse_cumsum(g * out, axis) / a
    shape, n = shape_of(a), shape_of(a)[axis]
    square = shape[:axis] + (1,) + shape[axis:]  # a new axis k before the axis i
    k, i = np.ogrid[:n, :n]
    trailing = (1,) * (len(shape) - axis - 1)
    rows = where(1.0, reshape(a, square), (k == i).reshape((n, n) + trailing))
    upto = reshape(g, square) * (k <= i).reshape((n, n) + trailing)
    return sum_(cumprod(rows, axis + 1) * upto, (axis + 1,), False)


def _logcumsumexp_grad(g, out, a, axis):
    """d out_i / d a_k = exp(a_k - out_i) for k <= i: at most 1, but exp(a_k) and exp(-out_i)
    apart overflow for large |a|, so the sum over i >= k is taken in log space:
    log sum w_i exp(a_k - out_i) = a_k + reverse_logcumsumexp(log w - out)_k, for w >= 0.
    As in torch, the VJP is that sum for g's positive part minus that for its negative part
    (log 0 is a huge negative number, whose exp is 0). Where g is 0 it is s - s instead, with
    s > 0 and the first s standing for g + s: the derivative with respect to g is kept there."""
    gd = data_of(g)
    zero = gd == 0
    s = np.max(np.abs(gd), initial=0.0) or 1.0

    def weighted_sum(w, kept):
        log_w = where(log(where(w, 1.0, kept)), _LOG_ZERO, kept)
        return exp(a + _flip(logcumsumexp(_flip(log_w - out, axis), axis), axis))
    return weighted_sum(g + zero * s, gd >= 0) - weighted_sum(where(s, -g, zero), gd <= 0)


_LOG_ZERO = -1e30  # log 0 for the sums above: finite (no inf - inf = nan), even in float32


# Primitives, as composing them would be slower or wrong: cumsum as a product with a
# triangular matrix is O(n^2); cumprod as exp(cumsum(log)) fails at zeros and negatives;
# logcumsumexp as log(cumsum(exp)) overflows; prod as cumprod's last element would store the
# whole cumprod and need its O(n^2) VJP where there are zeros.
prod = Op("prod", lambda a, axis, keepdims: np.prod(a, axis=axis, keepdims=keepdims),
          _prod_grad)
cumsum = Op("cumsum", lambda a, axis: np.cumsum(a, axis=axis),
            lambda g, out, a, axis: _reverse_cumsum(g, axis))
cumprod = Op("cumprod", lambda a, axis: np.cumprod(a, axis=axis), _cumprod_grad)
logcumsumexp = Op("logcumsumexp", lambda a, axis: np.logaddexp.accumulate(a, axis=axis),
                  _logcumsumexp_grad)

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = """(values, indices), as torch.max(x, dim), cummax, sort and topk return them:
values differentiable, indices a constant Value of int64 data."""


def reduction_args(op: str, value: Value, axis, dim, keepdims, keepdim) -> tuple:
    """(axis as a sorted tuple or None, keepdims as a bool) from numpy's or PyTorch's words."""
    if dim is not None or keepdim is not None:  # (only then: sum is on backward's hot path)
        axis = one_of(op, axis=axis, dim=dim)
        keepdims = one_of(op, keepdims=keepdims, keepdim=keepdim)
    return as_axis(axis, value, op), bool(keepdims)


def one_axis(op: str, value: Value, dim, axis=None):
    """The one axis an op along a dim works on (None for a 0-d Value); dim is required."""
    dim = one_of(op, dim=dim, axis=axis)
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: give dim, one int (got {dim!r}) for the Value of shape "
                        f"{value.shape}")
    axes = as_axis(dim, value, op)
    return axes[0] if axes else None


def take_along(value: Value, index: np.ndarray, axis: int) -> Value:
    """value's elements at `index` along `axis` (numpy's take_along_axis): a getitem, so the
    gradient goes to exactly those elements."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[axis] = index
    return getitem(value, tuple(grid))


def _no_axis(value: Value) -> ValuesIndices:
    """A 0-d Value along its one (virtual) dim: itself, at index 0 (as torch)."""
    return ValuesIndices(value * 1.0, Value._make(np.zeros((), np.int64)))


def extreme_along(op: str, value: Value, dim, keepdims=None, keepdim=None) -> ValuesIndices:
    """torch.max(x, dim) (op "max") or torch.min: (values, indices) along one dim, the index
    of the first maximum where several tie, which gets all the gradient (as in torch)."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim= gives (values, indices) along one dim, as torch.{op}; "
                        f"over several dims use a{op}(dim=...) or {op}(axis=...)")
    axis, keepdims = one_axis(op, value, dim), one_of(op, keepdims=keepdims, keepdim=keepdim)
    if axis is None:
        return _no_axis(value)
    data = value._data
    if data.shape[axis] == 0:
        raise IndexError(f"{op}: dim {dim} of the Value of shape {data.shape} is empty, so it "
                         f"has no {op}")
    index = (np.argmax if op == "max" else np.argmin)(data, axis=axis, keepdims=True)
    values = take_along(value, index, axis)
    if not keepdims:
        index = index.squeeze(axis)
        values = reshape(values, index.shape)
    return ValuesIndices(values, Value._make(index))


def cumulative_extreme(op: str, value: Value, dim, axis=None) -> ValuesIndices:
    """torch.cummax (op "cummax") or torch.cummin: the running max or min along dim and where
    it was attained (the last such index where several tie, as torch; NaN propagates)."""
    axis = one_axis(op, value, dim, axis)
    if axis is None:
        return _no_axis(value)
    a = value._data
    best = (np.maximum if op == "cummax" else np.minimum).accumulate(a, axis=axis)
    steps = np.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - axis - 1))
    index = np.maximum.accumulate(np.where((a == best) | np.isnan(a), steps, 0), axis=axis)
    return ValuesIndices(take_along(value, index, axis), Value._make(index))


def var_mean(op: str, value: Value, dim=None, unbiased=None, keepdim=None, *,
             correction=None, axis=None, keepdims=None, ddof=None) -> tuple:
    """(variance, mean) over dim (all elements for None), as torch.var_mean: the variance
    divides the sum of squared deviations by N - correction (at least 0). The correction is
    1 by default (Bessel's, unbiased, as torch; numpy's ddof is 0 by default),
    `unbiased=False` means 0, and numpy's `ddof=` is another name for it."""
    axis, keepdims = reduction_args(op, value, axis, dim, keepdims, keepdim)
    correction = one_of(op, correction=correction, ddof=ddof)
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: give unbiased or correction, not both")
        correction = 1 if unbiased else 0
    correction = 1 if correction is None else correction
    count = value.size if axis is None else math.prod(value.shape[i] for i in axis)
    dof = max(0, count - correction)
    mean = value.mean(axis, keepdims=True)
    deviation = value - mean
    if dof == 0:
        warnings.warn(f"{op}: {count} elements and a correction of {correction} leave no "
                      "degrees of freedom; the result is inf or nan", RuntimeWarning,
                      stacklevel=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = sum_(deviation * deviation, axis, keepdims) / float(dof)
    return var, _reshaped(mean, var.shape)


def norm(value: Value, p="fro", dim=None, keepdim=None, *, axis=None, keepdims=None) -> Value:
    """The p-norm over dim (all elements for None), as torch.norm: (sum |x|^p)^(1/p), the
    largest |x| for p = inf, the smallest for -inf, the number of nonzeros for 0 (a constant);
    "fro" is the 2-norm over at most two dims. Where the slope is infinite the gradient is 0,
    as torch defines it: at a zero norm, and at zero elements for p < 1."""
    axis, keepdims = reduction_args("norm", value, axis, dim, keepdims, keepdim)
    if isinstance(p, str):
        if p != "fro" or (axis is not None and len(axis) > 2):
            raise ValueError(f"norm: p={p!r} over dims {axis} of a Value of shape "
                             f"{value.shape} is not supported: p is a number, or 'fro' "
                             "over at most two dims (p=2 is the same over any number)")
        p = 2
    if p == 0:
        count = np.sum(np.asarray(value._data) != 0, axis=axis, keepdims=keepdims)
        return Value._make(float(count) if type(value._data) is float
                           else np.asarray(count, value.dtype))
    if p == 2:
        powered = value * value
    else:
        a = abs_(value)
        if p in (math.inf, -math.inf):
            return (a.max if p > 0 else a.min)(axis, keepdims)
        if p == 1:
            return sum_(a, axis, keepdims)
        zero = data_of(a) == 0  # |x|^p at 0 has an infinite slope (p < 1) or value (p < 0)
        powered = where(0.0 if p > 0 else math.inf, where(1.0, a, zero) ** p, zero) \
            if p < 1 and np.any(zero) else a ** p
    total = sum_(powered, axis, keepdims)
    zero = data_of(total) == 0  # the root's slope is infinite there: the root of 1, then 0
    safe = where(1.0, total, zero) if np.any(zero) else total
    root = sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return root if safe is total else where(0.0, root, zero)



# ---- shapes and indexing -----------------------------------------------------------------
# (reshape, transpose, broadcast_to, getitem, scatter above)
# The shape and index ops of value.py compose those five: views are a reshape, a transpose,
# a broadcast_to or a getitem of slices, index ops (gather, flip, roll, pad, sort) a getitem
# whose gradient is a scatter-add. Primitives only where nothing composes: argsort and
# nonzero (no gradient), and scatter_reduce's prod, amax and amin (numpy's ufunc.at).
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


# ---- sliding windows -------------------------------------------------------------------------
# The primitive under unfold, convolution and pooling. `windows` views every window of
# `size` elements, `step` apart and with `dilation` between their elements, along `axes`:
# those axes count the windows, and one new trailing axis per window axis holds each
# window's elements (numpy's sliding_window_view, strided). Its VJP `window_sum` adds each
# window's gradient back where the window came from (overlapping windows add up), and the
# VJP of that sum is `windows` again, so both differentiate to any order. The forward is a
# read-only view of the input (which the engine never writes to): no copy until a reshape
# needs one, as im2col does.
def window_count(n: int, size: int, step: int, dilation: int) -> int:
    """How many windows fit along an axis of n elements (0 if none)."""
    return max((n - dilation * (size - 1) - 1) // step + 1, 0)


def _windows(a, axes, size, step, dilation):
    # numpy's sliding_window_view, strided, in one as_strided call (a tenth of the time)
    shape, strides = list(a.shape), list(a.strides)
    for axis, k, s, d in zip(axes, size, step, dilation):
        shape[axis] = window_count(a.shape[axis], k, s, d)
        strides[axis] = a.strides[axis] * s
    shape += size
    strides += [a.strides[axis] * d for axis, d in zip(axes, dilation)]
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)


def _window_sum(g, shape, axes, size, step, dilation):
    """Zeros of `shape` with each window of g added back in place: one strided slice per
    position inside the window (prod(size) adds, each over all windows at once). Windows
    that do not overlap (pooling's) are assigned instead, into uninitialised memory where
    they tile the axes."""
    counts = [g.shape[axis] for axis in axes]
    spans = [d * (k - 1) + 1 for k, d in zip(size, dilation)]
    apart = all(s >= span for s, span in zip(step, spans))
    tiled = apart and all(n * k == shape[axis] and d == 1
                          for n, k, d, axis in zip(counts, size, dilation, axes))
    # laid out in memory as g's windows are (as the input of the convolution was): the
    # strided adds then run along the memory of both
    order = np.argsort([-abs(stride) for stride in g.strides[:len(shape)]], kind="stable")
    out = (np.empty if tiled else np.zeros)([shape[i] for i in order], dtype=np.result_type(g))
    out = out.transpose(np.argsort(order))
    for offsets in np.ndindex(*size):
        at = [slice(None)] * len(shape)
        for axis, k, n, s, d in zip(axes, offsets, counts, step, dilation):
            at[axis] = slice(k * d, k * d + s * (n - 1) + 1, s)
        if apart:
            out[tuple(at)] = g[(Ellipsis, *offsets)]
        else:
            out[tuple(at)] += g[(Ellipsis, *offsets)]
    return out


windows = Op("windows", _windows,
             lambda g, out, a, axes, size, step, dilation:
             window_sum(g, shape_of(a), axes, size, step, dilation))
window_sum = Op("window_sum", _window_sum,
                lambda g, out, a, shape, axes, size, step, dilation:
                windows(g, axes, size, step, dilation))


# ---- linear algebra ------------------------------------------------------------------------
# (matmul above)
def einsum_op(n: int) -> Op:
    """The einsum op for n operands; its parameters are the operands' subscripts and the
    output's, letters only (functions.einsum spells out ellipses and implicit outputs).

    A primitive, because its VJP for each operand is itself an einsum (of g and the other
    operands), so one formula covers every contraction to any order; einsum composed from
    broadcast products and sums would hold the product of all the index sizes in memory
    and never reach a matrix-product routine.
    """
    op = _einsum_ops.get(n)
    if op is None:
        op = _einsum_ops[n] = Op("einsum", _einsum, *[_einsum_grad(k) for k in range(n)])
    return op


def _einsum(*args):
    *operands, subscripts, output = args
    # numpy plans the order of pairwise contractions only when asked; two need no plan
    return np.einsum(",".join(subscripts) + "->" + output, *operands,
                     optimize=len(operands) > 2 and "greedy")


def _einsum_grad(k: int):
    """The VJP for operand k: the einsum of g (subscripted like the output) and the other
    operands into operand k's subscripts. A letter repeated in operand k (a diagonal) is
    renamed and tied to the first by an identity matrix; a letter whose size in operand k
    none of those terms has (summed over, or broadcast from size 1) gets a vector of ones,
    since the gradient is the same all along it."""
    def vjp(g, out, *args):
        *operands, subscripts, output = args
        terms, subs = [g], [output]
        for j, (x, s) in enumerate(zip(operands, subscripts)):
            if j != k:
                terms.append(x)
                subs.append(s)
        dtype = np.result_type(data_of(g))
        free = (c for c in string.ascii_letters if c not in output + "".join(subscripts))
        target, shape = "", shape_of(operands[k])
        for c, n in zip(subscripts[k], shape):
            if c in target:  # a diagonal: a fresh letter, tied to c by an identity matrix
                fresh = next(free)
                terms.append(np.eye(n, dtype=dtype))
                subs.append(c + fresh)
                c = fresh
            target += c
        sizes = {}
        for x, s in zip(terms, subs):
            for c, n in zip(s, shape_of(x)):
                sizes[c] = max(sizes.get(c, 1), n)
        for c, n in zip(target, shape):
            if sizes.get(c, 1) < n:
                terms.append(np.ones(n, dtype=dtype))
                subs.append(c)
        return einsum_op(len(terms))(*terms, tuple(subs), target)
    return vjp


_einsum_ops: dict[int, Op] = {}
einsum_op(1)  # in TABLE from the start


def _vectors(op: str, a, b) -> None:
    if len(shape_of(a)) != 1 or len(shape_of(b)) != 1:
        raise ShapeError(f"{op}: needs two 1-d Values (as torch.{op}), got shapes "
                         f"{shape_of(a)} and {shape_of(b)}; for others use matmul or einsum")


def dot(a, b):
    """The inner product of two 1-d Values of the same length (torch.dot)."""
    _vectors("dot", a, b)
    if shape_of(a) != shape_of(b):
        raise ShapeError(f"dot: the vectors have lengths {shape_of(a)[0]} and "
                         f"{shape_of(b)[0]}; they must match")
    return matmul(a, b)


def outer(a, b):
    """The outer product of two 1-d Values (torch.outer): out[i, j] = a[i] * b[j]."""
    _vectors("outer", a, b)
    return reshape(a, (-1, 1)) * b



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
