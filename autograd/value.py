"""The `Value` class: a Python float or a numpy array that remembers how it was made.

A Value made from a Python number is a *scalar*: its `.data` and `.grad` are Python floats
and its math runs on the `math` module, which is what makes scalar graphs fast. A Value made
from anything array-like is a *tensor*: `.data` is a numpy array (0-d included).

Every operator and method is one line: a call of an op of the table in `ops.py` (which
computes the result and records the graph node), or a composition of such calls.

The backward pass reads each op's inputs' data, so that data must not change in between:
- the arrays that `.data` and `.grad` hand out are read-only (`.data` as a `ReadOnlyArray`
  view), so `v.data[0] = 1` raises; they are frozen when first handed out, which costs nothing on
  the many intermediate arrays nobody looks at (nothing inside the engine writes in place);
- assigning `v.data = new` (what optimizers do, also as `p.data -= lr * p.grad`) is
  allowed for a leaf, and stamps it with a newer version than every op recorded so far;
  backward through such an op raises instead of silently using the new data. Run the
  forward pass again after changing data. A Value computed by an op cannot be given new
  data: its data is its inputs' result, which backward relies on.
"""
from __future__ import annotations

import operator
import warnings
import weakref

import numpy as np

from .mode import AxisError, ShapeError, state

FLOAT = np.dtype(np.float64)
# Counts assignments to `Value.data`; each Value keeps the count of its birth or last change.
_data_clock = 0
_new = object.__new__


def as_data(x, dtype=None):
    """Turn a user's number or array-like into a Python float or a read-only float array.

    Python int/float/bool give a float (a 0-d array if `dtype` asks for another dtype);
    anything else goes through numpy: integers and bools become float64 (or `dtype`),
    floating arrays keep their dtype, and arrays are always copied (a read-only array may
    still be a view of one its owner can write to).
    """
    if type(x) is float and dtype is None:
        return x
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        if dtype is None or np.dtype(dtype) == FLOAT:
            return float(x)
    elif isinstance(x, Value):
        raise TypeError("Value(): got a Value; use v.detach() or Value(v.data) to copy one")
    elif x is None or isinstance(x, (str, bytes, complex)):
        raise TypeError(f"Value(): cannot hold {type(x).__name__} {x!r}; "
                        "give a real number, a nested list of numbers or a numpy array")
    try:
        arr = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise TypeError(f"Value(): cannot make an array from {type(x).__name__}: {err}") from None
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"Value(): cannot hold an array of dtype {arr.dtype} "
                        f"(from {type(x).__name__}); only real numbers are differentiable")
    target = np.dtype(dtype) if dtype is not None else (arr.dtype if kind == "f" else FLOAT)
    if target.kind != "f":
        raise TypeError(f"Value(): dtype must be a floating dtype, got {target}")
    arr = np.array(arr, dtype=target)  # a copy: the caller's array stays theirs and writable
    arr.flags.writeable = False
    return arr


def frozen(x):
    """x, made read-only first if it is a writable array."""
    if type(x) is not float and x.flags.writeable:
        x.flags.writeable = False
    return x


class ReadOnlyArray(np.ndarray):
    """A Value's data as `.data` hands it out: an ndarray view that cannot be written to
    (backward reads the data later).

    Arithmetic on it gives plain arrays. An augmented assignment (`a -= x`, `a *= x`, ...)
    computes a new array instead of writing into this one, so `p.data -= lr * p.grad`
    assigns new data through the setter, as it does for a scalar Value. Writing into it
    (`a[0] = 1`, a ufunc's `out=`) raises, saying what to do instead.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if out is not None:
            if any(isinstance(o, ReadOnlyArray) and not o.flags.writeable for o in out):
                raise ValueError(_READ_ONLY)
            kwargs["out"] = tuple(_plain(o) for o in out)
        return getattr(ufunc, method)(*map(_plain, inputs), **kwargs)

    def __setitem__(self, index, value):
        if not self.flags.writeable:
            raise ValueError(_READ_ONLY)
        super().__setitem__(index, value)

    def copy(self, order="C"):
        return np.array(self, order=order)

    def __repr__(self):
        return repr(self.view(np.ndarray))

    def __str__(self):
        return str(self.view(np.ndarray))


_READ_ONLY = ("this array is a Value's data, and read-only: backward reads it later. Assign "
              "new data instead (v.data = new, or v.data -= x), or work on a copy, "
              "np.array(v.data)")


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, ReadOnlyArray) else x


for _name, _operator in [("__iadd__", operator.add), ("__isub__", operator.sub),
                         ("__imul__", operator.mul), ("__itruediv__", operator.truediv),
                         ("__ifloordiv__", operator.floordiv), ("__imod__", operator.mod),
                         ("__ipow__", operator.pow), ("__imatmul__", operator.matmul)]:
    setattr(ReadOnlyArray, _name, lambda self, other, f=_operator: f(_plain(self), other))


def read_only(x):
    """x as `.data` hands it out: a float, or a ReadOnlyArray of the array."""
    return x if type(x) is float else frozen(x).view(ReadOnlyArray)


class WeakIdentityMap:
    """Value -> object, by identity, forgetting a Value when it is freed. (A
    WeakKeyDictionary would compare keys with ==, which is elementwise on Values.)"""

    def __init__(self):
        self._items = {}

    def add(self, key, obj) -> None:
        if id(key) not in self._items:
            forget = self._items.pop
            self._items[id(key)] = (obj, weakref.ref(key, lambda _, k=id(key): forget(k, None)))

    def get(self, key):
        item = self._items.get(id(key))
        return item[0] if item is not None and item[1]() is key else None


shown_as = WeakIdentityMap()
"""Value -> (name, inputs): how drawings and `explain` show a Value that a composition of ops
made, as one op `name` of `inputs`, hiding the nodes in between: `Value.mean`'s sum and
scaling by 1/n are one `mean` of its input. The graph itself is unchanged (op stays "mul")."""


class Size(int):
    """`Value.size`: the number of elements as an int (numpy's `size`), which can also be
    called as PyTorch's `size()`: `v.size()` is the shape, `v.size(dim)` one length."""

    def __new__(cls, n: int, shape: tuple):
        size = super().__new__(cls, n)
        size.shape = shape
        return size

    def __call__(self, dim: int | None = None):
        if dim is None:
            return self.shape
        if not -len(self.shape) <= dim < len(self.shape):
            raise AxisError(f"size: dim {dim} is out of range for a Value of shape {self.shape}")
        return self.shape[dim]


class Value:
    """A scalar or tensor in a computation graph, with its gradient.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> a.grad, b.grad
    (1.0, 2.0)
    """

    # `_op` is the Op that made this Value (None for a leaf), `_params` its arguments that
    # are not Values (axis, shape, ...), `_version` the data clock when `_data` was set,
    # `_trace` the user's line that made it (only under detect_anomaly). Its inputs (see
    # `parents`) are in `_a`, `_b` (None if absent) and `_more` (the third on; concat's):
    # slots, not a tuple per node, because Python's garbage collector walks every object
    # a graph keeps alive, and one tuple per node made a scalar MLP's step 35% slower.
    __slots__ = ("_data", "_grad", "requires_grad", "name", "_op", "_a", "_b", "_more",
                 "_params", "_version", "_trace", "__weakref__")

    def __init__(self, data, requires_grad: bool = True, name: str | None = None, dtype=None):
        self._data = as_data(data, dtype)
        self._grad = None  # None stands for zero, so that no node allocates zeros it never uses
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = self._a = self._b = None
        self._more = self._params = ()
        self._version = _data_clock

    @classmethod
    def _make(cls, data, op=None, parents: tuple = (), params: tuple = ()) -> Value:
        """The Value of an op's output `data` (a float or an array the engine owns; nothing
        is checked or copied), a graph node if `op` is given, else a constant."""
        out = _new(cls)
        out._data = data
        out._grad = None
        out.requires_grad = op is not None
        out.name = None
        out._op = op
        if parents:
            out._a = parents[0]
            out._b = parents[1] if len(parents) > 1 else None
            out._more = parents[2:]  # the empty tuple () for all but concat
        else:
            out._a = out._b = None
            out._more = ()
        out._params = params
        out._version = _data_clock
        return out

    @property
    def parents(self) -> tuple:
        """The Values this one was computed from, in the op's argument order; () for a leaf."""
        if self._b is None:
            return () if self._a is None else (self._a,)
        return (self._a, self._b, *self._more)

    # ---- data, grad and shape -------------------------------------------------------
    @property
    def data(self):
        """A Python float (scalar Value) or a read-only numpy array (tensor Value)."""
        return read_only(self._data)

    @data.setter
    def data(self, new):
        if self._op is not None:
            raise RuntimeError(
                f"data: this Value is the result of {self._op.name}, so its data comes from "
                "its inputs and backward relies on that; it cannot be replaced. For new data "
                "without that history make a new leaf: Value(new) or v.detach()")
        # Copied, as Value(new) does: the caller's array stays theirs and writable.
        self._replace_data(as_data(new))

    def _replace_data(self, data) -> None:
        """Make `data` (a float, or an array that nothing else refers to: it is frozen, not
        copied) this leaf's data. It gets a newer version than every op recorded so far."""
        global _data_clock
        if state.tracer is not None:  # autograd.compile is recording: it must know
            state.tracer.on_new_data(self)
        self._data = frozen(data)
        _data_clock += 1
        self._version = _data_clock

    @property
    def grad(self):
        """The accumulated gradient: same kind, shape and dtype as `data`; zero at first."""
        g = self._grad
        if g is None:
            d = self._data
            return 0.0 if type(d) is float else np.zeros(d.shape, d.dtype)
        return frozen(g)

    @grad.setter
    def grad(self, new):
        d = self._data
        if new is None:
            self._grad = None
        elif type(d) is float:
            self._grad = float(new)
        else:
            new = np.asarray(new, dtype=d.dtype)
            if new.shape != d.shape:
                raise ValueError(f"grad: shape {new.shape} does not match data shape {d.shape}")
            self._grad = new
        if state.tracer is not None:
            state.tracer.on_new_grad(self)

    @property
    def op(self) -> str:
        """Name of the operation that produced this Value; "" for a leaf."""
        return self._op.name if self._op is not None else ""

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    @property
    def shape(self) -> tuple:
        return () if type(self._data) is float else self._data.shape

    @property
    def ndim(self) -> int:
        return 0 if type(self._data) is float else self._data.ndim

    @property
    def size(self) -> int:
        """The number of elements (numpy's `size`); callable as PyTorch's `size(dim=None)`."""
        return Size(1 if type(self._data) is float else self._data.size, self.shape)

    @property
    def dtype(self) -> np.dtype:
        return FLOAT if type(self._data) is float else self._data.dtype

    def __len__(self) -> int:
        if type(self._data) is float or self._data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self._data)

    def item(self) -> float | int | bool:
        """The single number this Value holds, as a Python float (a bool or an int for bool
        or integer data, as in PyTorch)."""
        if type(self._data) is float:
            return self._data
        if self._data.size != 1:
            raise ValueError(f"item(): Value of shape {self._data.shape} has "
                             f"{self._data.size} elements, not 1")
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer Value as an index (`names[v.argmax()]`), as in PyTorch."""
        if self.dtype.kind not in "iu" or self.size != 1:
            raise TypeError(f"only integer Values of one element can be used as an index, "
                            f"not {self.dtype} of shape {self.shape}")
        return self.item()

    def __bool__(self) -> bool:
        """The truth value of a one-element Value; more elements are ambiguous, as in numpy
        and PyTorch."""
        if self.size != 1:
            raise ValueError(f"bool(): the truth value of a Value of shape {self.shape} "
                             f"({self.size} elements) is ambiguous; reduce it first, e.g. "
                             "(v > 0).any() or .all(), or compare v.item() for one element")
        return bool(self.item())

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (read-only; shares memory with the Value)."""
        return np.asarray(self.data)

    def detach(self) -> Value:
        """A Value with the same data and no history, that does not require grad."""
        return Value._make(self._data)

    def zero_grad(self) -> None:
        """Reset `.grad` to zero."""
        self._grad = None
        if state.tracer is not None:
            state.tracer.on_new_grad(self)

    def backward(self, gradient=None) -> None:
        """Add d(self)/d(v) to `v.grad` for every Value v in the graph that requires grad.

        A scalar (or one-element) Value is seeded with 1; any other shape needs `gradient`,
        an array of the same shape. Calling it twice adds the gradient twice.
        """
        from .backward import backward  # the sweep sits above Value: hand it this root
        backward(self, gradient)

    def __repr__(self) -> str:
        def show(x):
            if type(x) is float:
                return repr(x)
            return np.array2string(x, precision=4, threshold=8, edgeitems=2,
                                   separator=", ").replace("\n", "")
        parts = [f"data={show(self._data)}"]
        if self.dtype.kind == "f":  # bools and integers (masks, indices) have no gradient
            parts.append(f"grad={show(self.grad)}")
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        if self.name:
            parts.insert(0, f"name={self.name!r}")
        return f"Value({', '.join(parts)})"

    # ---- operators and methods: each applies an op of the table in ops.py ------------
    def __add__(self, other): return ops.add.apply(self, other)
    def __radd__(self, other): return ops.add.apply(other, self)
    def __sub__(self, other): return ops.sub.apply(self, other)
    def __rsub__(self, other): return ops.sub.apply(other, self)
    def __mul__(self, other): return ops.mul.apply(self, other)
    def __rmul__(self, other): return ops.mul.apply(other, self)
    def __truediv__(self, other): return ops.div.apply(self, other)
    def __rtruediv__(self, other): return ops.div.apply(other, self)
    def __pow__(self, other): return ops.pow_.apply(self, other)
    def __rpow__(self, other): return ops.pow_.apply(other, self)
    def __matmul__(self, other): return ops.matmul.apply(self, other)
    def __rmatmul__(self, other): return ops.matmul.apply(other, self)
    def __neg__(self): return ops.neg.apply(self)
    def __abs__(self): return ops.abs_.apply(self)

    def __round__(self, ndigits=None):
        """Round to `ndigits` decimals (elementwise, a zero gradient), as torch.round."""
        return ops.round_.apply(self, 0 if ndigits is None else int(ndigits))

    def __getitem__(self, index):
        if type(self._data) is float:
            raise TypeError("getitem: a scalar Value cannot be indexed")
        return ops.getitem.apply(self, ops.as_index(index))

    def exp(self): return ops.exp.apply(self)
    def log(self): return ops.log.apply(self)
    def sqrt(self): return ops.sqrt.apply(self)
    def abs(self): return ops.abs_.apply(self)
    def tanh(self): return ops.tanh.apply(self)
    def sigmoid(self): return ops.sigmoid.apply(self)
    def relu(self): return ops.relu.apply(self)
    def sin(self): return ops.sin.apply(self)
    def cos(self): return ops.cos.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01):
        return ops.leaky_relu.apply(self, float(negative_slope))

    def clip(self, low=None, high=None):
        """Limit the data to [low, high]; the gradient flows where the input was inside."""
        if low is None and high is None:
            raise ValueError("clip: give low, high or both (with neither it would do nothing)")
        return ops.clip.apply(self, low, high)

    def sum(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        return ops.sum_.apply(self, *ops.reduction_args("sum", self, axis, dim, keepdims, keepdim))

    def mean(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        axis, keepdims = ops.reduction_args("mean", self, axis, dim, keepdims, keepdim)
        count = self.size if axis is None else int(np.prod([self.shape[i] for i in axis]))
        if count == 0:  # as numpy: the mean of nothing is nan, with a warning
            warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
        out = ops.sum_.apply(self, axis, keepdims) * (1.0 / count if count else float("nan"))
        if out._op is not None:
            shown_as.add(out, ("mean", (self,)))
        return out

    def max(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        """Largest element(s); tied maxima share the gradient equally. With PyTorch's `dim=`
        (one int) it is torch.max(x, dim): a namedtuple (values, indices), the gradient going
        to the first maximum, as in torch. (`amax` takes several dims and ties share.)"""
        if dim is not None:
            return ops.extreme_along("max", self, ops.one_of("max", axis=axis, dim=dim),
                                     keepdims, keepdim)
        return ops.max_.apply(self, *ops.reduction_args("max", self, axis, dim, keepdims, keepdim))

    def min(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        """Smallest element(s); tied minima share the gradient equally. `dim=` gives
        (values, indices), as `max` does."""
        if dim is not None:
            return ops.extreme_along("min", self, ops.one_of("min", axis=axis, dim=dim),
                                     keepdims, keepdim)
        return -ops.max_.apply(-self, *ops.reduction_args("min", self, axis, dim, keepdims,
                                                          keepdim))

    def logsumexp(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        """log(sum(exp(x))) computed without overflow (the max is taken out first)."""
        return ops.logsumexp.apply(self, *ops.reduction_args("logsumexp", self, axis, dim,
                                                             keepdims, keepdim))

    def softmax(self, axis=None, *, dim=None):
        axis = ops.one_of("softmax", axis=axis, dim=dim)
        return ops.softmax.apply(self, ops.as_axis(-1 if axis is None else axis, self, "softmax"))

    def log_softmax(self, axis=None, *, dim=None):
        axis = ops.one_of("log_softmax", axis=axis, dim=dim)
        return ops.log_softmax.apply(self, ops.as_axis(-1 if axis is None else axis, self,
                                                       "log_softmax"))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.reshape.apply(self, shape)

    def transpose(self, *axes):
        """numpy's transpose(*axes), a permutation of all axes (none given: reversed), or
        PyTorch's transpose(dim0, dim1), which swaps two. On a 2-d Value two ints are a
        permutation, as the API has always read them: transpose(0, 1) leaves it as it is,
        where PyTorch would swap (use .T, swapaxes or permute for that). On other Values
        two ints are PyTorch's swap, which numpy would refuse."""
        if len(axes) == 2 and self.ndim != 2 and all(isinstance(a, (int, np.integer))
                                                      for a in axes):
            return ops.transpose.apply(self, ops.swapped(self, *axes, "transpose"))
        axes = ops.varargs(axes) or tuple(range(self.ndim))[::-1]
        return ops.transpose.apply(self, ops.permutation(axes, self, "transpose"))

    @property
    def T(self):
        return self.transpose()

    # ---- comparisons and logic (no gradient) -------------------------------------------
    # Comparisons are elementwise, as in PyTorch; __hash__ stays identity, so Values keep
    # working as dict keys and in sets (the backward sweep relies on that). Look a Value up
    # in a list with `is` (`any(v is p for p in params)`): `v in params` compares with ==.
    def __eq__(self, other): return ops.compare(ops.eq, self, other)
    def __ne__(self, other): return ops.compare(ops.ne, self, other)
    def __lt__(self, other): return ops.compare(ops.lt, self, other)
    def __le__(self, other): return ops.compare(ops.le, self, other)
    def __gt__(self, other): return ops.compare(ops.gt, self, other)
    def __ge__(self, other): return ops.compare(ops.ge, self, other)
    __hash__ = object.__hash__  # defining __eq__ would otherwise make Values unhashable
    def eq(self, other): return ops.eq.apply(self, other)
    def ne(self, other): return ops.ne.apply(self, other)
    def lt(self, other): return ops.lt.apply(self, other)
    def le(self, other): return ops.le.apply(self, other)
    def gt(self, other): return ops.gt.apply(self, other)
    def ge(self, other): return ops.ge.apply(self, other)
    def logical_and(self, other): return ops.logical_and.apply(self, other)
    def logical_or(self, other): return ops.logical_or.apply(self, other)
    def logical_xor(self, other): return ops.logical_xor.apply(self, other)
    def logical_not(self): return ops.logical_not.apply(self)

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
        """|self - other| <= atol + rtol * |other|, elementwise (torch.isclose)."""
        return ops.isclose.apply(self, other, float(rtol), float(atol), bool(equal_nan))

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """True if isclose holds everywhere (a Python bool, as torch.allclose)."""
        return bool(np.all(self.isclose(other, rtol, atol, equal_nan)._data))

    def all(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """True where every element along dim (default all) is nonzero."""
        return ops.all_.apply(self, *ops.reduction_args("all", self, axis, dim, keepdims, keepdim))

    def any(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """True where some element along dim (default all) is nonzero."""
        return ops.any_.apply(self, *ops.reduction_args("any", self, axis, dim, keepdims, keepdim))

    def argmax(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Index of the (first) largest element along dim, or in the flattened data."""
        return ops.arg_extreme(ops.argmax, self, dim, keepdim, axis, keepdims)

    def argmin(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Index of the (first) smallest element along dim, or in the flattened data."""
        return ops.arg_extreme(ops.argmin, self, dim, keepdim, axis, keepdims)

    def masked_fill(self, mask, value):
        """`value` where the bool `mask` holds, self elsewhere; differentiable in both."""
        return ops.masked_fill(self, mask, value)

    # ---- elementwise math and activations -----------------------------------------------
    def tan(self): return ops.tan.apply(self)
    def asin(self): return ops.asin.apply(self)
    def acos(self): return ops.acos.apply(self)
    def atan(self): return ops.atan.apply(self)
    def sinh(self): return ops.sinh.apply(self)
    def cosh(self): return ops.cosh.apply(self)
    def asinh(self): return ops.asinh.apply(self)
    def acosh(self): return ops.acosh.apply(self)
    def atanh(self): return ops.atanh.apply(self)
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
    def erf(self): return ops.erf.apply(self)
    def log1p(self): return ops.log1p.apply(self)
    def expm1(self): return ops.expm1.apply(self)
    def log2(self): return ops.log2.apply(self)
    def log10(self): return ops.log10.apply(self)
    def exp2(self): return ops.pow_.apply(2.0, self)
    def square(self): return ops.mul.apply(self, self)
    def reciprocal(self): return ops.div.apply(1.0, self)
    def rsqrt(self): return ops.pow_.apply(self, -0.5)
    def pow(self, exponent): return ops.pow_.apply(self, exponent)
    def sign(self): return ops.sign.apply(self)
    def floor(self): return ops.floor.apply(self)
    def ceil(self): return ops.ceil.apply(self)
    def trunc(self): return ops.trunc.apply(self)
    def round(self, decimals: int = 0): return ops.round_.apply(self, int(decimals))
    def isfinite(self): return ops.isfinite.apply(self)
    def isinf(self): return ops.isinf.apply(self)
    def isnan(self): return ops.isnan.apply(self)
    def logaddexp(self, other): return ops.logaddexp.apply(self, other)
    def copysign(self, other): return ops.copysign.apply(self, other)
    def lerp(self, end, weight): return self + weight * (end - self)
    def fmod(self, other): return ops.fmod.apply(self, other)
    def remainder(self, other): return ops.remainder.apply(self, other)
    def __mod__(self, other): return ops.remainder.apply(self, other)
    def __rmod__(self, other): return ops.remainder.apply(other, self)
    def __floordiv__(self, other): return ops.floor_divide.apply(self, other)
    def __rfloordiv__(self, other): return ops.floor_divide.apply(other, self)

    def div(self, other, *, rounding_mode: str | None = None):
        """self / other; rounding_mode "trunc" rounds the quotient toward zero and "floor"
        down (`//`), both with a zero gradient, as in PyTorch."""
        if rounding_mode is None:
            return ops.div.apply(self, other)
        if rounding_mode == "trunc":
            return ops.trunc.apply(ops.div.apply(self, other))
        if rounding_mode == "floor":
            return ops.floor_divide.apply(self, other)
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', not "
                         f"{rounding_mode!r}")

    # ---- reductions and scans -----------------------------------------------------------
    def amax(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Largest elements over dim (one int or a tuple; all for None); ties share the
        gradient equally, as torch.amax."""
        return ops.max_.apply(self, *ops.reduction_args("amax", self, axis, dim, keepdims, keepdim))

    def amin(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Smallest elements over dim; ties share the gradient equally, as torch.amin."""
        return -ops.max_.apply(-self, *ops.reduction_args("amin", self, axis, dim, keepdims,
                                                          keepdim))

    def prod(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Product over one dim, or of all elements for None (torch.prod); the gradient is
        exact with zeros in the input."""
        axis, keepdims = ops.reduction_args("prod", self, axis, dim, keepdims, keepdim)
        if axis is not None and len(axis) > 1:
            raise TypeError(f"prod: give one dim or none (as torch.prod), got {axis}")
        if self.ndim == 0:
            return self * 1.0
        if axis is None:
            total = ops.prod(self.reshape(-1), 0, False)
            return total.reshape((1,) * self.ndim) if keepdims else total
        return ops.prod(self, axis[0], keepdims)

    def var(self, dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        """Variance over dim (one int, a tuple, or all for None), as torch.var: dividing by
        N - correction, 1 by default (`unbiased=False` or `correction=0` divides by N; numpy's
        `ddof=` is the same as correction, but defaults to 0 there)."""
        return ops.var_mean("var", self, dim, unbiased, keepdim, correction=correction,
                            axis=axis, keepdims=keepdims, ddof=ddof)[0]

    def std(self, dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        """Standard deviation: the square root of `var` (same arguments)."""
        return ops.sqrt(ops.var_mean("std", self, dim, unbiased, keepdim, correction=correction,
                                     axis=axis, keepdims=keepdims, ddof=ddof)[0])

    def norm(self, p="fro", dim=None, keepdim=None, *, axis=None, keepdims=None):
        """The p-norm (torch.norm): p a number, inf, -inf or "fro"; see ops.norm."""
        return ops.norm(self, p, dim, keepdim, axis=axis, keepdims=keepdims)

    def cumsum(self, dim=None, *, axis=None):
        """Running sums along dim (required, as in torch)."""
        axis = ops.one_axis("cumsum", self, dim, axis)
        return self * 1.0 if axis is None else ops.cumsum(self, axis)

    def cumprod(self, dim=None, *, axis=None):
        """Running products along dim; the gradient is exact with zeros in the input."""
        axis = ops.one_axis("cumprod", self, dim, axis)
        return self * 1.0 if axis is None else ops.cumprod(self, axis)

    def logcumsumexp(self, dim=None, *, axis=None):
        """log(cumsum(exp(x))) along dim, without overflow or underflow (forward and
        backward), as torch.logcumsumexp."""
        axis = ops.one_axis("logcumsumexp", self, dim, axis)
        return self * 1.0 if axis is None else ops.logcumsumexp(self, axis)

    def cummax(self, dim=None, *, axis=None):
        """(values, indices) of the running maximum along dim, as torch.cummax."""
        return ops.cumulative_extreme("cummax", self, dim, axis)

    def cummin(self, dim=None, *, axis=None):
        """(values, indices) of the running minimum along dim, as torch.cummin."""
        return ops.cumulative_extreme("cummin", self, dim, axis)

    # ---- shapes and indexing --------------------------------------------------------------
    # Compositions of reshape, transpose, broadcast_to and getitem (ops.py). An index can be
    # a Value of integers (argsort's, nonzero's), an integer array or a list.
    def view(self, *shape):
        """The data in another shape (as reshape; one size may be -1)."""
        return ops.reshape.apply(self, ops.sized(self.size, ops.varargs(shape), "view",
                                                 self.shape))

    def permute(self, *dims):
        """Reorder the axes: axis i of the result is axis dims[i] (numpy's transpose)."""
        return ops.transpose.apply(self, ops.permutation(ops.varargs(dims), self, "permute"))

    def swapaxes(self, axis0: int, axis1: int):
        """Swap two axes (PyTorch's transpose(dim0, dim1))."""
        return ops.transpose.apply(self, ops.swapped(self, axis0, axis1, "swapaxes"))

    swapdims = swapaxes

    def movedim(self, source, destination):
        """Move the axes `source` (an int or a tuple) to positions `destination`; the
        others keep their order (numpy's moveaxis)."""
        src = ops.as_axis(source, self, "movedim", sort=False)
        dst = ops.as_axis(destination, self, "movedim", sort=False)
        if len(src) != len(dst):
            raise ShapeError(f"movedim: source {source} and destination {destination} need "
                             f"as many axes (Value of shape {self.shape})")
        order = [d for d in range(self.ndim) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return ops.transpose.apply(self, tuple(order))

    moveaxis = movedim

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dims start_dim to end_dim (all by default) into one."""
        if self.ndim == 0:
            return ops.reshape.apply(self, (1,))
        start, end = ops.as_dim(start_dim, self, "flatten"), ops.as_dim(end_dim, self, "flatten")
        if start > end:
            raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                             f"(Value of shape {self.shape})")
        shape = self.shape
        merged = int(np.prod(shape[start:end + 1]))
        return ops.reshape.apply(self, shape[:start] + (merged,) + shape[end + 1:])

    def unflatten(self, dim: int, sizes):
        """Split dim into dims of `sizes` (one may be -1), the inverse of flatten."""
        d = ops.as_dim(dim, self, "unflatten")
        sizes = ops.sized(self.shape[d], tuple(sizes), "unflatten", self.shape)
        return ops.reshape.apply(self, self.shape[:d] + sizes + self.shape[d + 1:])

    def squeeze(self, dim=None, axis=None):
        """Drop the size-1 dims, all or those among `dim` (an int or a tuple); as in
        PyTorch, a dim named whose size is not 1 stays (numpy would raise)."""
        dim = ops.one_of("squeeze", dim=dim, axis=axis)
        dims = range(self.ndim) if dim is None else ops.as_axis(dim, self, "squeeze")
        return ops.reshape.apply(self, tuple(n for d, n in enumerate(self.shape)
                                             if n != 1 or d not in dims))

    def unsqueeze(self, dim: int):
        """Insert a size-1 dim at position dim (-ndim-1 <= dim <= ndim)."""
        d = ops.new_dim(dim, self, "unsqueeze")
        return ops.reshape.apply(self, self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *sizes):
        """This Value stretched along its size-1 dims and new leading ones, as broadcasting
        does (-1 keeps a size); the gradient sums back."""
        shape = ops.expanded(self.shape, ops.varargs(sizes), "expand")
        return ops.broadcast_to.apply(self, shape)

    def broadcast_to(self, shape):
        return ops.broadcast_to.apply(self, ops.expanded(self.shape, tuple(shape), "broadcast_to"))

    def repeat(self, *sizes):
        """Tile the data: sizes[i] copies along dim i, more sizes than dims adding leading
        dims (PyTorch's repeat is numpy's tile). A broadcast between two reshapes."""
        sizes = ops.varargs(sizes)
        if len(sizes) < self.ndim or any(r < 0 for r in sizes):
            raise ShapeError(f"repeat: sizes {sizes} must be non-negative and at least one per "
                             f"dim of the Value of shape {self.shape}")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        spread = ops.reshape.apply(self, tuple(k for n in shape for k in (1, n)))
        tiled = ops.broadcast_to.apply(spread, tuple(k for pair in zip(sizes, shape) for k in pair))
        return ops.reshape.apply(tiled, tuple(r * n for r, n in zip(sizes, shape)))

    def tile(self, *dims):
        """repeat, with fewer sizes than dims allowed (the first dims are repeated once)."""
        dims = ops.varargs(dims)
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def flip(self, *dims, axis=None):
        """Reverse the order along dims (an int or a tuple; none given: all, as numpy)."""
        dims = ops.one_of("flip", dims=ops.varargs(dims) if dims else None, axis=axis)
        dims = range(self.ndim) if dims is None else ops.as_axis(dims, self, "flip")
        reverse = slice(None, None, -1)
        return self[tuple(reverse if d in dims else slice(None) for d in range(self.ndim))]

    def roll(self, shifts, dims=None, axis=None):
        """Shift the elements along dims by shifts (ints or tuples), those pushed past the
        end coming back at the start; with no dims, over the flattened Value."""
        dims = ops.one_of("roll", dims=dims, axis=axis)
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        if dims is None and len(shifts) == 1:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        dims = () if dims is None else (dims,) if isinstance(dims, (int, np.integer)) else dims
        if len(shifts) != len(dims):
            raise ShapeError(f"roll: {len(shifts)} shifts and {len(dims)} dims must pair up "
                             f"(Value of shape {self.shape})")
        index = [np.arange(n) for n in self.shape]
        for shift, dim in zip(shifts, dims):
            d = ops.as_dim(dim, self, "roll")
            index[d] = (index[d] - shift) % max(self.shape[d], 1)
        return ops.getitem.apply(self, np.ix_(*index))

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Cut along dim into pieces of split_size (the last may be smaller) or of the
        sizes listed; a tuple of slices of this Value."""
        d, sizes = ops.as_dim(dim, self, "split"), split_size_or_sections
        n = self.shape[d]
        if isinstance(sizes, (int, np.integer)):
            if sizes < 0 or (sizes == 0 and n):
                raise ShapeError(f"split: split size {sizes} cannot cut dim {d} of size {n} "
                                 f"(Value of shape {self.shape})")
            sizes = [sizes] * (n // sizes) + [n % sizes] * bool(n % sizes) if sizes else [0]
        elif sum(sizes) != n or any(k < 0 for k in sizes):
            raise ShapeError(f"split: sizes {list(sizes)} do not add up to {n}, the size of "
                             f"dim {d} of the Value of shape {self.shape}")
        ends = np.cumsum(sizes).tolist()
        return tuple(self[(slice(None),) * d + (slice(end - k, end),)]
                     for k, end in zip(sizes, ends))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Split into `chunks` pieces of equal size (the last smaller; as in PyTorch, fewer
        pieces when the sizes work out so)."""
        if chunks <= 0:
            raise ValueError(f"chunk: chunks must be positive, got {chunks}")
        n = self.shape[ops.as_dim(dim, self, "chunk")]
        return self.split(-(-n // chunks), dim)

    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim 0, and so on (torch.gather); index has as
        many dims as self. The gradient adds up where an element was taken more than once."""
        _, at = ops.gather_index(self, dim, index, "gather")
        return ops.getitem.apply(self, at)

    def take_along_dim(self, indices, dim=None, axis=None):
        """gather, with indices broadcast against self in the other dims and negative ones
        counted from the end (numpy's take_along_axis); no dim: over the flattened Value."""
        dim = ops.one_of("take_along_dim", dim=dim, axis=axis)
        index = ops.index_array(indices, "take_along_dim")
        x = self
        if dim is None:
            x, index, dim = self.reshape(-1), index.reshape(-1), 0
        d = ops.as_dim(dim, x, "take_along_dim")
        if index.ndim != x.ndim:
            raise ShapeError(f"take_along_dim: indices of shape {index.shape} need as many "
                             f"dimensions as the Value of shape {x.shape}")
        ops.check_range(index, x.shape[d], "take_along_dim", d, x.shape, negative=True)
        others = ops.broadcast_shape("take_along_dim", x.shape[:d] + (1,) + x.shape[d + 1:],
                                     index.shape[:d] + (1,) + index.shape[d + 1:])
        if x.shape != others[:d] + (x.shape[d],) + others[d + 1:]:
            x = x.expand(others[:d] + (x.shape[d],) + others[d + 1:])
        index = np.broadcast_to(index % max(x.shape[d], 1),
                                others[:d] + (index.shape[d],) + others[d + 1:])
        return ops.getitem.apply(x, ops.along(index, d))

    def index_select(self, dim: int, index):
        """The entries index (a 1-d integer index) along dim."""
        d, index = ops.as_dim(dim, self, "index_select"), ops.index_array(index, "index_select")
        if index.ndim > 1:
            raise ShapeError(f"index_select: index must be 1-d, got shape {index.shape}")
        ops.check_range(index, self.shape[d], "index_select", d, self.shape)
        return ops.getitem.apply(self, (slice(None),) * d + (index.reshape(-1),))

    def masked_select(self, mask):
        """The elements where mask (bools, broadcast against self) holds, as a 1-d Value."""
        mask = np.asarray(ops.data_of(mask))
        if mask.dtype != bool:
            raise TypeError(f"masked_select: mask must hold bools (a comparison's result), "
                            f"not {mask.dtype}")
        shape = ops.broadcast_shape("masked_select", self.shape, mask.shape)
        flat = ops.broadcast_to.apply(self, shape).reshape(-1)
        return ops.getitem.apply(flat, np.broadcast_to(mask, shape).reshape(-1))

    def nonzero(self, as_tuple: bool = False):
        """The indices of the nonzero elements: an int64 constant of shape (count, ndim), or
        with as_tuple one 1-d index per dim (usable as v[...])."""
        found = ops.nonzero.apply(self)
        return tuple(found[:, d] for d in range(found.shape[1])) if as_tuple else found

    def repeat_interleave(self, repeats, dim=None):
        """Each element repeated `repeats` times (an int, or one count per element) along
        dim, or over the flattened Value (numpy's repeat)."""
        x = self if dim is not None else self.reshape(-1)
        d = ops.as_dim(0 if dim is None else dim, x, "repeat_interleave")
        counts, n = ops.index_array(repeats, "repeat_interleave").reshape(-1), x.shape[d]
        if counts.size not in (1, n) or (counts < 0).any():
            raise ShapeError(f"repeat_interleave: repeats must be non-negative, one or one per "
                             f"element of dim {d} (size {n}), got {counts.size}")
        index = np.repeat(np.arange(n), np.broadcast_to(counts, (n,)))
        return ops.getitem.apply(x, (slice(None),) * d + (index,))

    def unfold(self, dimension: int, size: int, step: int):
        """The windows of `size` elements along dimension, `step` apart, in a new last dim
        (dimension's size becomes the number of windows). Overlapping windows' gradients add."""
        d = ops.as_dim(dimension, self, "unfold")
        n = self.shape[d]
        if not 0 <= size <= n or step <= 0:
            raise ShapeError(f"unfold: windows of size {size} and step {step} do not fit dim {d} "
                             f"of size {n} (Value of shape {self.shape})")
        return ops.windows.apply(self, (d,), (size,), (step,), (1,))

    def tril(self, diagonal: int = 0):
        """The last two dims' lower triangle (on and below `diagonal`), zeros above it."""
        return ops.where.apply(self, 0.0, ops.triangle(self, diagonal, "tril"))

    def triu(self, diagonal: int = 0):
        """The last two dims' upper triangle (on and above `diagonal`), zeros below it."""
        return ops.where.apply(self, 0.0, ~ops.triangle(self, diagonal - 1, "triu"))

    def diag(self, diagonal: int = 0):
        """A 1-d Value as the `diagonal` of a square matrix of zeros; a 2-d Value's diagonal."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise ShapeError(f"diag: needs a 1-d or 2-d Value, got shape {self.shape}")
        i, size = np.arange(self.shape[0]), self.shape[0] + abs(diagonal)
        at = (i + max(-diagonal, 0), i + max(diagonal, 0))
        return ops.scatter.apply(self, at, (size, size))

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        """The diagonal of the planes of dims dim1, dim2 (offset above it, or below if
        negative), as a new last dim."""
        a, b = ops.as_axis((dim1, dim2), self, "diagonal", sort=False)
        rows, cols = self.shape[a], self.shape[b]
        i = np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
        return self.movedim((a, b), (-2, -1))[..., i + max(-offset, 0), i + max(offset, 0)]

    def argsort(self, dim=None, descending: bool = False, stable: bool = False, axis=None):
        """The int64 indices that sort along dim (default -1). Always stable (ties keep
        their order, also descending) and NaN counts as the largest, as
        torch.sort(stable=True)."""
        dim = ops.one_of("argsort", dim=dim, axis=axis)
        return ops.sort_indices(self, -1 if dim is None else dim, descending, "argsort")

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """(values, indices) sorted along dim, as argsort orders them; the values are
        differentiable (each gets its element's gradient), the indices int64 constants."""
        indices = ops.sort_indices(self, dim, descending, "sort")
        if self.ndim == 0:
            return ops.ValuesIndices(self.reshape(()), indices)
        values = ops.getitem.apply(self, ops.along(indices._data, dim % self.ndim))
        return ops.ValuesIndices(values, indices)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
        """(values, indices) of the k largest (or smallest) along dim, in order. Of tied
        elements the first comes first (PyTorch leaves their order unspecified)."""
        if self.ndim == 0:
            values, indices = self.reshape(1).topk(k, dim, largest)
            return ops.ValuesIndices(values.reshape(()), indices.reshape(()))
        d = ops.as_dim(dim, self, "topk")
        if not 0 <= k <= self.shape[d]:
            raise ShapeError(f"topk: k={k} is out of range for dim {d} of size "
                             f"{self.shape[d]} (Value of shape {self.shape})")
        first = (slice(None),) * d + (slice(0, k),)
        indices = ops.sort_indices(self, d, largest, "topk")[first]
        return ops.ValuesIndices(ops.getitem.apply(self, ops.along(indices._data, d)), indices)

    def scatter_add(self, dim: int, index, src):
        """A copy of self with src[i][j] added at [index[i][j]][j] for dim 0, and so on
        (torch.scatter_add; only src's first index.shape elements are used)."""
        at, src = ops.scatter_index(self, dim, index, src, "scatter_add")
        return self + ops.scatter.apply(src, at, self.shape)

    def scatter_reduce(self, dim: int, index, src, reduce: str, *, include_self: bool = True):
        """self with the src elements index sends to each position combined with it by
        `reduce`: "sum", "prod", "mean", "amax" or "amin"; include_self=False leaves the
        positions' own values out. Gradients as PyTorch's: amax/amin split a position's
        gradient equally among the inputs equal to its result (an excluded self takes no
        share; PyTorch lets it take one and give it to no one)."""
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise ValueError(f"scatter_reduce: reduce must be 'sum', 'prod', 'mean', 'amax' or "
                             f"'amin', not {reduce!r}")
        at, src = ops.scatter_index(self, dim, index, src, "scatter_reduce")
        if reduce not in ("sum", "mean"):
            return ops.scatter_reduce.apply(self, src, at, reduce, bool(include_self))
        kept = self if include_self else ops.where.apply(0.0, self, ops.touched(at, self.shape))
        total = kept + ops.scatter.apply(src, at, self.shape)
        if reduce == "sum":
            return total
        count = ops.scatter(np.ones(np.shape(ops.data_of(src)), self.dtype), at, self.shape)
        return total / (count + (1.0 if include_self else count == 0))

    # ---- linear algebra -------------------------------------------------------------------
    def matmul(self, other): return ops.matmul.apply(self, other)
    def dot(self, other): return ops.dot(self, other)
    def outer(self, other): return ops.outer(self, other)

    # ---- PyTorch habits and numpy interop -------------------------------------------------
    def __iter__(self):
        """The Values v[0], v[1], ... along the first axis; a 0-d Value is not iterable (as
        in PyTorch), so that numpy and matplotlib treat it as a number."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d Value")
        return (self[i] for i in range(len(self)))

    def numel(self) -> int: return int(self.size)
    def dim(self) -> int: return self.ndim
    def tolist(self): return self._data if type(self._data) is float else self._data.tolist()
    def cpu(self): return self  # the only device

    def clone(self):
        """A copy that stays in the graph: gradients flow through it to self."""
        return ops.copy.apply(self, self.dtype)

    def to(self, *args, dtype=None, device=None):
        """self in another dtype (`to(np.float32)`, `to(torch.float32)`, `to(other)`), or on
        the CPU (`to("cpu")`); self itself if nothing changes, as in PyTorch. Floating casts
        are differentiable; casts to or from bools and integers give constants."""
        return ops.convert(self, ops.to_args(self, args, dtype, device), "to")

    def astype(self, dtype):
        """numpy's spelling of `to(dtype)`."""
        return ops.convert(self, dtype, "astype")

    def float(self): return ops.convert(self, np.float32, "float")
    def double(self): return ops.convert(self, np.float64, "double")
    def long(self): return ops.convert(self, np.int64, "long")

    def requires_grad_(self, requires_grad: bool = True):
        """Set requires_grad in place and return self (a leaf's; only floats get gradients)."""
        if self._op is not None and not requires_grad:
            raise RuntimeError("requires_grad_: only a leaf's flag can be changed; for a Value "
                               "without this history use v.detach()")
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(f"requires_grad_: only floating point Values can require "
                            f"gradients, not {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def __array__(self, dtype=None, copy=None):
        """The data as an array, for np.asarray(v) and plt.plot(v): read-only unless copied."""
        data = np.asarray(self._data) if type(self._data) is float else frozen(self._data)
        if copy or (dtype is not None and np.dtype(dtype) != data.dtype):
            return np.array(data, dtype=dtype)
        return data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy's ufuncs on Values give Values (np.exp(v), ndarray + Value); see interop.py."""
        from .interop import array_ufunc  # interop sits above the functions
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """numpy's functions on Values give Values (np.sum(v), np.concatenate); interop.py."""
        from .interop import array_function
        return array_function(func, types, args, kwargs)


from . import ops  # noqa: E402  (the op table makes Values: the one pair that know each other)
