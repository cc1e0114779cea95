"""numpy on Values: numpy's ufuncs and functions called with Values give Values.

    >>> np.exp(v), np.maximum(v, 0), np.sum(v, axis=0), np.concatenate([v, w])

numpy hands every call that involves a Value to `Value.__array_ufunc__` (ufuncs: np.exp,
np.add, and so `ndarray + Value`) or to `Value.__array_function__` (np.sum, np.where, ...),
which call `array_ufunc` and `array_function` here. Both find the engine's op **by name**,
so an op added to the engine works from numpy at once:
- numpy's ufuncs for Python's operators (np.add, np.power, ...) are the Value's operator,
  reflected when the Value is on the right: `ndarray + Value` is `Value.__radd__`;
- a name PyTorch spells otherwise is translated (`RENAMED`: concatenate -> concat, less ->
  lt, ...); a few names PyTorch gives another meaning have their own entry (`NUMPY_MEANING`:
  np.var divides by N, np.sort returns only the values, np.split cuts n equal parts, ...);
- then, if the first argument is a Value, its method of that name (Value's methods follow
  numpy where PyTorch differs: `transpose(axes)`, `sum(axis)`), else autograd's function.
numpy's `axis=` and `keepdims=` reach an op that takes only PyTorch's words as `dim=` and
`keepdim=`. A name with no op raises TypeError naming the numpy function, and so do
arguments the op does not take (`dtype=`; `out=` a Value: Values are never written into). `np.asarray(v)` gives the data
(`Value.__array__`), so `plt.plot(v)` plots it.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from . import creation, functions, ops
from .value import Value

# numpy's ufuncs for Python's operators -> the operator's name (`__add__`, `__radd__`).
OPERATORS = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "truediv",
             "floor_divide": "floordiv", "remainder": "mod", "power": "pow",
             "matmul": "matmul", "negative": "neg", "absolute": "abs"}

# numpy's names that PyTorch (and so the engine) spells otherwise.
RENAMED = {"less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge",
           "equal": "eq", "not_equal": "ne", "concatenate": "concat", "copy": "clone",
           "around": "round", "rint": "round", "fix": "trunc", "expand_dims": "unsqueeze",
           "moveaxis": "movedim", "ravel": "flatten", "take_along_axis": "take_along_dim",
           "repeat": "repeat_interleave", "argwhere": "nonzero"}

# numpy's argument names -> PyTorch's, for an op that takes only PyTorch's.
TORCH_WORDS = {"axis": "dim", "keepdims": "keepdim"}


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """`ufunc(*inputs, **kwargs)` (Value.__array_ufunc__), where an input is a Value. With
    `out=` an array (`array += value`) the array gets the result's data, as from a tensor."""
    name = ufunc.__name__
    if method != "__call__":
        raise TypeError(f"np.{name}.{method} is not supported on Values; call np.{name} "
                        "itself, or the engine's reduction (np.add.reduce: sum)")
    out = kwargs.pop("out", None)
    if kwargs:
        raise TypeError(f"np.{name}: {', '.join(kwargs)}= not supported on Values")
    if out is not None and (len(out) > 1 or isinstance(out[0], Value)):
        raise TypeError(f"np.{name}: out= cannot be a Value (a Value is never written into: "
                        "use the result)")
    result = _operator(name, inputs) if name in OPERATORS else _call(name, inputs, {})
    if out is None:
        return result
    np.copyto(out[0], np.asarray(result), casting="same_kind")
    return out[0]


def _operator(name: str, inputs: tuple) -> Value:
    """The Value's own operator; reflected (numpy deferring to it) when it is on the right."""
    a, *rest = inputs
    if isinstance(a, Value) or not rest:
        value, method, others = a, f"__{OPERATORS[name]}__", rest
    else:
        value, method, others = rest[0], f"__r{OPERATORS[name]}__", [a]
    operator = getattr(value, method, None)
    if operator is None:
        raise TypeError(f"np.{name} is not supported on Values: Value has no {method}")
    return operator(*others)


def array_function(func, types, args: tuple, kwargs: dict):
    """`func(*args, **kwargs)` (Value.__array_function__), where an argument holds a Value."""
    if not all(issubclass(t, (Value, np.ndarray)) for t in types):
        return NotImplemented  # another library's array: let it answer
    module = func.__module__.removeprefix("numpy").lstrip(".")
    return _call(f"{module}.{func.__name__}" if module else func.__name__, args, kwargs)


def _call(name: str, args: tuple, kwargs: dict):
    """numpy's `name` called on args that hold Values, as the engine's op of that meaning."""
    target = NUMPY_MEANING.get(name) or _engine(RENAMED.get(name, name), args)
    if target is None:
        raise TypeError(f"np.{name} is not supported on Values: gradlab has no such op. To "
                        "compute on the data without gradients, use np.asarray(v) or v.numpy()")
    if target is getattr(Value, target.__name__, None) and args and \
            not isinstance(args[0], Value):
        like = next((a for a in (*args, *kwargs.values()) if isinstance(a, Value)), Value(0.0))
        args = (ops.as_value(args[0], like), *args[1:])
    signature = _signature(target)
    taken = signature.parameters
    # numpy's words for PyTorch's where the op takes only PyTorch's; numpy's own defaults
    # passed on (out=None, dtype=None) are dropped where not taken
    kwargs = {TORCH_WORDS[k] if k not in taken and TORCH_WORDS.get(k) in taken else k: v
              for k, v in kwargs.items() if v is not None or k in taken}
    try:
        signature.bind(*args, **kwargs)
    except TypeError as err:
        raise TypeError(f"np.{name} on Values: {err} (it calls {target.__qualname__}"
                        f"{signature})") from None
    return target(*args, **kwargs)


def _engine(name: str, args: tuple):
    """The engine's op `name`: the first argument's method if it is a Value, else
    autograd's function, else Value's method; None if there is none."""
    method = getattr(Value, name, None) if not name.startswith("_") else None
    method = method if callable(method) else None  # not a property (shape, T, data)
    if method is not None and args and isinstance(args[0], Value):
        return method
    for module in (functions, creation):
        if name in module.__all__:
            return getattr(module, name)
    return method


@functools.lru_cache(maxsize=None)
def _signature(f) -> inspect.Signature:
    return inspect.signature(f)


# ---- numpy's meaning where PyTorch's differs -------------------------------------------------
def _op(name: str, numpy_name: str):
    """The engine's op `name` for the numpy function `numpy_name`; TypeError if absent."""
    target = _engine(name, ())
    if target is None:
        raise TypeError(f"np.{numpy_name} is not supported on Values: gradlab has no {name}")
    return target


def _var(a, axis=None, *, ddof=0, keepdims=False):
    """np.var divides by N - ddof, N by default (PyTorch's var by N - 1)."""
    return _op("var", "var")(a, axis=axis, ddof=ddof, keepdims=keepdims)


def _std(a, axis=None, *, ddof=0, keepdims=False):
    return _op("std", "std")(a, axis=axis, ddof=ddof, keepdims=keepdims)


def _cumulative(name: str):
    def f(a, axis=None):
        """Running sums or products; with no axis over the flattened Value, as numpy."""
        a = ops.as_value(a, Value(0.0))
        return _op(name, name)(a.reshape(-1) if axis is None else a, 0 if axis is None else axis)
    return f


def _split(numpy_split, numpy_name: str):
    def f(a, indices_or_sections, axis=0):
        """numpy's split: n equal parts, or cut before the given indices (PyTorch's split
        takes the parts' sizes); a list of Values, each a slice of `a`."""
        axis = ops.as_axis(axis, a, numpy_name)[0]
        sizes = [len(p) for p in numpy_split(np.arange(a.shape[axis]), indices_or_sections)]
        ends = np.cumsum(sizes).tolist()
        return [a[(slice(None),) * axis + (slice(end - n, end),)] for n, end in zip(sizes, ends)]
    return f


def _sort(a, axis=-1):
    """np.sort: the sorted values only (PyTorch's sort also returns the indices)."""
    return _op("sort", "sort")(a, axis)[0]


def _nonzero(a):
    """np.nonzero: one index array per axis (PyTorch's nonzero(as_tuple=True))."""
    return _op("nonzero", "nonzero")(a, as_tuple=True)


def _where(condition, *branches):
    """np.where(c, a, b) chooses; np.where(c) is np.nonzero(c)."""
    return functions.where(condition, *branches) if branches else _nonzero(condition)


def _meshgrid(*xi, indexing="xy"):
    """numpy's meshgrid indexes as "xy" by default, PyTorch's as "ij"."""
    return _op("meshgrid", "meshgrid")(*xi, indexing=indexing)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate",
              "wrap": "circular"}


def _pad(array, pad_width, mode="constant", *, constant_values=0):
    """np.pad: (before, after) widths per axis from the first; PyTorch's pad lists them from
    the last axis, flat, and calls numpy's modes edge and wrap replicate and circular."""
    if mode not in _PAD_MODES:
        raise ValueError(f"np.pad on Values: mode {mode!r} is not supported (only "
                         f"{', '.join(_PAD_MODES)})")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64),
                             (np.ndim(ops.data_of(array)), 2))
    flat = tuple(int(w) for pair in widths[::-1] for w in pair)
    value = {"value": float(constant_values)} if mode == "constant" else {}
    return _op("pad", "pad")(array, flat, _PAD_MODES[mode], **value)


def _dot(a, b):
    """np.dot: a product with a number, the inner product of vectors, else matmul (for
    matrices and vectors; numpy's dot of higher-dimensional arrays is not matmul)."""
    ndims = np.ndim(ops.data_of(a)), np.ndim(ops.data_of(b))
    if min(ndims) == 0:
        return ops.mul(ops.as_value(a, Value(0.0)), b)
    if max(ndims) > 2:
        raise TypeError("np.dot on Values: only for numbers, vectors and matrices; use "
                        "np.matmul or np.einsum for more dimensions")
    return ops.matmul(ops.as_value(a, Value(0.0)), b)


def _norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm: the vector norms and the Frobenius norm (PyTorch's norm reads an
    `ord` of a matrix as a vector norm of all its elements, numpy as a matrix norm)."""
    matrix = axis is None and np.ndim(ops.data_of(x)) == 2 or isinstance(axis, tuple)
    if ord is not None and ord != "fro" and matrix:
        raise TypeError(f"np.linalg.norm on Values: the matrix norm ord={ord!r} is not "
                        "supported (only 'fro', and vector norms along one axis)")
    return _op("norm", "linalg.norm")(x, "fro" if ord is None else ord, axis, keepdims)


def _atleast_1d(*arys):
    """np.atleast_1d: 0-d Values as 1-element ones (matplotlib calls it on what it plots)."""
    out = [x.reshape(1) if isinstance(x, Value) and x.ndim == 0 else x for x in arys]
    return out[0] if len(out) == 1 else out


def _broadcast_arrays(*args):
    """np.broadcast_arrays: each Value broadcast to the common shape (a differentiable
    view), each array as numpy does it (matplotlib's bar calls it)."""
    shape = np.broadcast_shapes(*map(np.shape, map(ops.data_of, args)))
    return tuple(ops.broadcast_to(x, shape) if isinstance(x, Value) else np.broadcast_to(x, shape)
                 for x in args)


NUMPY_MEANING = {
    "var": _var, "std": _std, "cumsum": _cumulative("cumsum"),
    "cumprod": _cumulative("cumprod"), "split": _split(np.split, "split"),
    "array_split": _split(np.array_split, "array_split"), "sort": _sort,
    "nonzero": _nonzero, "where": _where, "meshgrid": _meshgrid, "pad": _pad, "dot": _dot,
    "linalg.norm": _norm, "shape": lambda a: np.shape(ops.data_of(a)),
    "ndim": lambda a: np.ndim(ops.data_of(a)), "size": lambda a: np.size(ops.data_of(a)),
    "atleast_1d": _atleast_1d, "broadcast_arrays": _broadcast_arrays,
}
"""numpy's functions whose PyTorch namesake means something else, as numpy means them."""
