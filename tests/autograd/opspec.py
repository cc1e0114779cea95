"""The op spec: every op of the table, listed once with its sample inputs and a reference.

`test_opspec.py` expands each entry into its tests: the value against the reference (a
closed form in numpy, and PyTorch where installed), finite-difference gradients,
second derivatives, float32 in and out, the scalar (Python float) path against 0-d
tensors, and anomaly mode. A test fails when an op of the table (`autograd.ops.TABLE`)
appears in no entry's graph, so adding an op means: one table entry, one spec entry here.

An entry: `spec(name, fn, ref, layouts, domains=..., torch=...)`.
- `fn(*values)` applies the op to Values; `ref(*arrays)` computes the same on float64
  numpy arrays, written independently (a closed form, not the engine's own forward);
  `torch(torch, *tensors)` is the same in PyTorch (None: no comparison).
- `layouts`: name -> the input shapes (None: a Python float, the scalar path), covering
  broadcasting and size-1 axes; the standard sets are UNARY, BINARY, and REDUCE below.
- `domains`: one per input, mapping grid values (distinct, odd multiples of 0.05 in
  (-2, 2): no ties, none within 0.025 of 0 or of +-0.5; finer for inputs of more than 80
  values in all, see `grid`) into the op's domain, away from poles; ANY leaves them as
  they are.
- `differentiable=False` for ops without a gradient (checked to give none), `float32=False`
  where a float64 constant in `fn` widens the result, `tol` to loosen the comparisons.
"""
from __future__ import annotations

import operator
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import autograd
import nn.functional as F
from autograd import ops

S = None  # the "shape" of a Python float: the scalar path


# ---- domains: grid values -> the op's domain --------------------------------------------------
def ANY(x):
    return x


def POSITIVE(x):
    """[0.5, 2.5): log, sqrt, bases of **, divisors."""
    return 0.5 + abs(x) if type(x) is float else 0.5 + np.abs(x)


def NONZERO(x):
    """Keep the sign, |x| in [0.5, 2.5): divisors of either sign."""
    return (0.5 + abs(x)) * (1.0 if x > 0 else -1.0) if type(x) is float else \
        (0.5 + np.abs(x)) * np.sign(x)


# ---- standard layouts -----------------------------------------------------------------------
UNARY = {"scalar": (S,), "0d": ((),), "vector": ((4,),), "matrix": ((2, 3),),
         "size-1": ((1, 3),)}
BINARY = {"same": ((2, 3), (2, 3)), "broadcast": ((2, 1), (1, 3)), "trailing": ((2, 3), (3,)),
          "size-1": ((1,), (3,)), "0d-tensor": ((), (2, 3)), "scalar-tensor": (S, (2, 3)),
          "tensor-scalar": ((3, 2), S), "scalar-scalar": (S, S)}


@dataclass(frozen=True)
class Spec:
    name: str
    fn: Callable
    ref: Callable
    layouts: dict
    domains: tuple = ()
    torch: Callable | None = None
    differentiable: bool = True
    float32: bool = True
    tol: dict = field(default_factory=dict)


SPECS: list[Spec] = []


def spec(name, fn, ref, layouts, domains=(), torch=None, **options) -> None:
    SPECS.append(Spec(name, fn, ref, layouts, domains, torch, **options))


def _torch_same(method):
    """The torch function of the same name as a tensor method: t.exp(), t.tanh(), ..."""
    return lambda torch, *ts: getattr(ts[0], method)(*ts[1:])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


# ---- elementwise binary ---------------------------------------------------------------------
spec("add", operator.add, np.add, BINARY, torch=lambda t, a, b: a + b)
spec("sub", operator.sub, np.subtract, BINARY, torch=lambda t, a, b: a - b)
spec("mul", operator.mul, np.multiply, BINARY, torch=lambda t, a, b: a * b)
spec("div", operator.truediv, np.divide, BINARY, (ANY, NONZERO), torch=lambda t, a, b: a / b)
spec("pow", operator.pow, lambda a, b: np.exp(b * np.log(a)), BINARY, (POSITIVE, ANY),
     torch=lambda t, a, b: a ** b)
spec("maximum", autograd.maximum, lambda a, b: np.where(a > b, a, b), BINARY,
     torch=lambda t, a, b: t.maximum(a, b))
spec("minimum", autograd.minimum, lambda a, b: np.where(a < b, a, b), BINARY,
     torch=lambda t, a, b: t.minimum(a, b))

# ---- elementwise unary ----------------------------------------------------------------------
spec("neg", operator.neg, lambda a: 0.0 - a, UNARY, torch=lambda t, a: -a)
spec("exp", lambda a: a.exp(), lambda a: np.e ** a, UNARY, torch=_torch_same("exp"))
spec("log", lambda a: a.log(), np.log, UNARY, (POSITIVE,), torch=_torch_same("log"))
spec("sqrt", lambda a: a.sqrt(), lambda a: a ** 0.5, UNARY, (POSITIVE,),
     torch=_torch_same("sqrt"))
spec("sin", lambda a: a.sin(), lambda a: np.imag(np.exp(1j * a)), UNARY,
     torch=_torch_same("sin"))
spec("cos", lambda a: a.cos(), lambda a: np.real(np.exp(1j * a)), UNARY,
     torch=_torch_same("cos"))
spec("abs", lambda a: a.abs(), lambda a: np.where(a < 0, -a, a), UNARY,
     torch=_torch_same("abs"))
spec("tanh", lambda a: a.tanh(), lambda a: (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1), UNARY,
     torch=_torch_same("tanh"))
spec("sigmoid", lambda a: a.sigmoid(), _sigmoid, UNARY, torch=_torch_same("sigmoid"))
spec("relu", lambda a: a.relu(), lambda a: np.where(a > 0, a, 0.0), UNARY,
     torch=_torch_same("relu"))
spec("leaky_relu", lambda a: a.leaky_relu(), lambda a: np.where(a > 0, a, 0.01 * a), UNARY,
     torch=lambda t, a: t.nn.functional.leaky_relu(a))
spec("leaky_relu(0.3)", lambda a: a.leaky_relu(0.3), lambda a: np.where(a > 0, a, 0.3 * a),
     UNARY, torch=lambda t, a: t.nn.functional.leaky_relu(a, 0.3))
spec("clip(-0.5,0.5)", lambda a: a.clip(-0.5, 0.5), lambda a: np.minimum(np.maximum(a, -0.5), 0.5),
     UNARY, torch=lambda t, a: a.clamp(-0.5, 0.5))
spec("clip(low)", lambda a: a.clip(low=-0.5), lambda a: np.maximum(a, -0.5), UNARY,
     torch=lambda t, a: a.clamp(min=-0.5))
spec("clip(high)", lambda a: a.clip(high=0.5), lambda a: np.minimum(a, 0.5), UNARY,
     torch=lambda t, a: a.clamp(max=0.5))
spec("round", round, np.round, UNARY, torch=lambda t, a: t.round(a))
spec("round(1)", lambda a: round(a, 1), lambda a: np.round(a, 1), UNARY,
     torch=lambda t, a: t.round(a, decimals=1))
spec("square", lambda a: a ** 2, lambda a: a * a, UNARY, torch=lambda t, a: a ** 2)
spec("pow(-1.5)", lambda a: a ** -1.5, lambda a: 1 / (a * np.sqrt(a)), UNARY, (POSITIVE,),
     torch=lambda t, a: a ** -1.5)
spec("rpow", lambda a: 1.7 ** a, lambda a: np.exp(a * np.log(1.7)), UNARY,
     torch=lambda t, a: 1.7 ** a)
spec("rdiv", lambda a: 1.5 / a, lambda a: 1.5 * a ** -1.0, UNARY, (NONZERO,),
     torch=lambda t, a: 1.5 / a)
spec("rsub", lambda a: 1.5 - a, lambda a: -(a - 1.5), UNARY, torch=lambda t, a: 1.5 - a)

# ---- reductions -----------------------------------------------------------------------------
REDUCE_REFS = {
    "sum": lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims),
    "mean": lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims)
    * (np.size(np.add.reduce(x, axis=axis, keepdims=keepdims)) / x.size),
    "max": lambda x, axis, keepdims: np.maximum.reduce(x, axis=axis, keepdims=keepdims),
    "min": lambda x, axis, keepdims: np.minimum.reduce(x, axis=axis, keepdims=keepdims),
    "logsumexp": lambda x, axis, keepdims: np.log(np.add.reduce(np.exp(x), axis=axis,
                                                                keepdims=keepdims)),
}
TORCH_REDUCE = {"sum": "sum", "mean": "mean", "max": "amax", "min": "amin",
                "logsumexp": "logsumexp"}


def _torch_reduce(name, axis, keepdims):
    def f(torch, a):
        dim = tuple(range(a.ndim)) if axis is None else axis
        if name == "logsumexp" and dim == ():
            return a  # torch.logsumexp needs a dim; over no axes it is the identity
        return getattr(a, TORCH_REDUCE[name])(dim=dim, keepdim=keepdims)
    return f


for _name, _ref in REDUCE_REFS.items():
    for _axis in (None, 0, -1, (0, 2), 1):
        for _keep in (False, True):
            spec(f"{_name}(axis={_axis},keepdims={_keep})",
                 lambda a, n=_name, ax=_axis, k=_keep: getattr(a, n)(axis=ax, keepdims=k),
                 lambda x, r=_ref, ax=_axis, k=_keep: r(x, ax, k),
                 {"3d": ((2, 3, 2),)}, torch=_torch_reduce(_name, _axis, _keep))
    spec(f"{_name}(size-1 axis)", lambda a, n=_name: getattr(a, n)(axis=1),
         lambda x, r=_ref: r(x, 1, False), {"3d": ((3, 1, 2),)})
    spec(f"{_name}(all)", lambda a, n=_name: getattr(a, n)(),
         lambda x, r=_ref: r(x, None, False), UNARY)

# ---- softmax and log_softmax ----------------------------------------------------------------
for _axis, _shape in ((0, (3, 2)), (1, (2, 3)), (-2, (2, 3, 2)), (-1, (3, 1))):
    spec(f"softmax(axis={_axis})", lambda a, ax=_axis: a.softmax(axis=ax),
         lambda x, ax=_axis: _softmax(x, ax), {"": (_shape,)},
         torch=lambda t, a, ax=_axis: a.softmax(dim=ax))
    spec(f"log_softmax(axis={_axis})", lambda a, ax=_axis: a.log_softmax(axis=ax),
         lambda x, ax=_axis: np.log(_softmax(x, ax)), {"": (_shape,)},
         torch=lambda t, a, ax=_axis: a.log_softmax(dim=ax))
spec("softmax(scalar)", lambda a: a.softmax(), lambda x: x * 0 + 1.0, {"scalar": (S,)})
spec("log_softmax(scalar)", lambda a: a.log_softmax(), lambda x: x * 0.0, {"scalar": (S,)})

# ---- matmul ---------------------------------------------------------------------------------


def _matmul_ref(a, b):
    """Matmul as sums of products, so the reference does not rest on np.matmul."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    out = (a2[..., :, :, None] * b2[..., None, :, :]).sum(axis=-2)
    if a.ndim == 1:
        out = out[..., 0, :]
    if b.ndim == 1:
        out = out[..., 0]
    return out


spec("matmul", operator.matmul, _matmul_ref, {
    "vec-vec": ((3,), (3,)), "vec-mat": ((3,), (3, 2)), "mat-vec": ((2, 3), (3,)),
    "mat-mat": ((2, 3), (3, 2)), "1x1": ((1, 1), (1, 1)), "batch-mat": ((2, 2, 3), (3, 2)),
    "vec-batch": ((2,), (2, 2, 3)), "batch-vec": ((2, 3, 2), (2,)),
    "broadcast-batch": ((2, 1, 2, 2), (3, 2, 2)), "mat-batch": ((2, 3), (2, 3, 2))},
    torch=lambda t, a, b: a @ b)

# ---- shapes ---------------------------------------------------------------------------------
spec("reshape", lambda a: a.reshape(3, 2), lambda x: x.reshape(3, 2), {"": ((2, 3),)},
     torch=lambda t, a: a.reshape(3, 2))
spec("reshape(-1)", lambda a: a.reshape(-1), lambda x: x.ravel(), {"": ((2, 1, 3),)})
spec("reshape(list)", lambda a: a.reshape([1, 6]), lambda x: x.reshape(1, 6), {"": ((2, 3),)})
spec("reshape(scalar)", lambda a: a.reshape(1, 1), lambda x: np.full((1, 1), x),
     {"scalar": (S,)})
spec("transpose", lambda a: a.transpose(2, 0, 1), lambda x: np.einsum("ijk->kij", x),
     {"": ((2, 3, 2),)}, torch=lambda t, a: a.permute(2, 0, 1))
spec("transpose(negative axes)", lambda a: a.transpose(-1, 0, -2),
     lambda x: np.einsum("ijk->kij", x), {"": ((2, 3, 2),)})
spec("T", lambda a: a.T, lambda x: np.einsum("ij->ji", x), {"": ((2, 3),)},
     torch=lambda t, a: a.T)
spec("T(scalar)", lambda a: a.T, lambda x: x, {"scalar": (S,)})

def _torch_index(torch, index):
    """An index for torch: lists and arrays as tensors (inside tuples too)."""
    if isinstance(index, tuple):
        return tuple(_torch_index(torch, i) for i in index)
    return torch.as_tensor(index) if isinstance(index, (list, np.ndarray)) else index


_MASK = np.array([[True, False], [False, False], [True, True]])
for _label, _index in [("int", 1), ("negative step", (slice(None, None, -2), slice(1, None))),
                       ("repeated ints", [0, 2, 2, 0]),
                       ("int arrays", (np.array([0, 2, 2]), np.array([1, 1, 0]))),
                       ("bool mask", _MASK), ("ellipsis,newaxis", (Ellipsis, None, 0)),
                       ("slice and array", (slice(1, None), np.array([1, 1, 0])))]:
    spec(f"getitem({_label})", lambda a, i=_index: a[i], lambda x, i=_index: x[i],
         {"": ((3, 2),)}, torch=None if _label == "negative step" else  # torch has none
         lambda t, a, i=_index: a[_torch_index(t, i)])
spec("getitem(0d)", lambda a: a[()], lambda x: x[()], {"0d": ((),)})

spec("concat(axis=0)", lambda a, b: autograd.concat([a, b], axis=0),
     lambda a, b: np.concatenate([a, b], 0), {"": ((2, 3), (1, 3))},
     torch=lambda t, a, b: t.cat([a, b], 0))
spec("concat(axis=-1, 3 inputs)", lambda a, b, c: autograd.concat([a, b, c], axis=-1),
     lambda a, b, c: np.concatenate([a, b, c], -1), {"": ((2, 1), (2, 3), (2, 2))})
spec("concat(reused)", lambda a, b: autograd.concat([a, b, a]),
     lambda a, b: np.concatenate([a, b, a]), {"": ((2,), (3,))})
spec("concat(one)", lambda a: autograd.concat([a], axis=1), lambda a: a, {"": ((2, 3),)})
spec("stack(axis=0)", lambda a, b: autograd.stack([a, b]), lambda a, b: np.stack([a, b]),
     {"": ((2, 3), (2, 3))}, torch=lambda t, a, b: t.stack([a, b]))
spec("stack(axis=-1)", lambda a, b: autograd.stack([a, b, a], axis=-1),
     lambda a, b: np.stack([a, b, a], -1), {"": ((3,), (3,))})
spec("stack(scalars)", lambda a, b: autograd.stack([a, b, a]),
     lambda a, b: np.array([a, b, a]), {"scalars": (S, S)})

_COND = np.array([True, False, True])
spec("where", lambda a, b: autograd.where(_COND, a, b), lambda a, b: np.where(_COND, a, b),
     {"same": ((2, 3), (2, 3)), "broadcast": ((1, 3), (2, 1)), "scalar-branch": (S, (3,))},
     torch=lambda t, a, b: t.where(t.as_tensor(_COND), a, b))
spec("where(constant branch)", lambda a: autograd.where(_COND, a, 0.5),
     lambda a: np.where(_COND, a, 0.5), {"": ((3,),)})

# Ops the backward passes of others use (sum, max, getitem), called directly.
spec("broadcast_to", lambda a: ops.broadcast_to(a, (2, 3, 2)),
     lambda x: x + np.zeros((2, 3, 2)), {"": ((3, 1),), "scalar": (S,)},
     torch=lambda t, a: a.broadcast_to((2, 3, 2)))
spec("scatter", lambda a: ops.scatter(a, (np.array([0, 2, 0]),), (4, 2)),
     lambda x: np.stack([x[0] + x[2], np.zeros(2), x[1], np.zeros(2)]), {"": ((3, 2),)})
spec("scatter(slice)", lambda a: ops.scatter(a, (slice(1, 3),), (4,)),
     lambda x: np.concatenate([[0.0], x, [0.0]]), {"": ((2,),)})

# ---- comparisons and logic (no gradient) ----------------------------------------------------
# Results are bool (int64 for argmax/argmin) constants; the grid has no ties, so the "ties"
# entries compare with a clipped copy, equal to the input wherever the clip lets it through.
for _name, _op in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt),
                   ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]:
    spec(_name, _op, _op, BINARY, torch=lambda t, a, b, f=_op: f(a, b),
         differentiable=False, float32=False)
spec("eq(ties)", lambda a: a == a.clip(-0.5, 0.5), lambda a: np.abs(a) <= 0.5, UNARY,
     torch=lambda t, a: a == a.clamp(-0.5, 0.5), differentiable=False, float32=False)
spec("le(ties)", lambda a: a.le(a.clip(high=0.5)), lambda a: a <= 0.5, UNARY,
     torch=lambda t, a: a.le(a.clamp(max=0.5)), differentiable=False, float32=False)
spec("ne(ties)", lambda a: autograd.ne(a, a.clip(low=-0.5)), lambda a: a < -0.5, UNARY,
     torch=lambda t, a: t.ne(a, a.clamp(min=-0.5)), differentiable=False, float32=False)
spec("isclose(atol=0.3)", lambda a, b: a.isclose(b, atol=0.3),
     lambda a, b: np.abs(a - b) <= 0.3 + 1e-5 * np.abs(b), BINARY,
     torch=lambda t, a, b: t.isclose(a, b, atol=0.3), differentiable=False, float32=False)
for _name, _ref in [("logical_and", np.bitwise_and), ("logical_or", np.bitwise_or),
                    ("logical_xor", np.bitwise_xor)]:
    spec(_name, lambda a, b, n=_name: getattr(autograd, n)(a > 0, b < 0.5),
         lambda a, b, r=_ref: r(a > 0, b < 0.5), BINARY, differentiable=False, float32=False,
         torch=lambda t, a, b, n=_name: getattr(t, n)(a > 0, b < 0.5))
spec("logical_not", lambda a: (a > 0).logical_not(), lambda a: a <= 0, UNARY,
     torch=lambda t, a: (a > 0).logical_not(), differentiable=False, float32=False)
for _name, _ref in [("all", np.logical_and.reduce), ("any", np.logical_or.reduce)]:
    for _axis in (None, 1, (0, 2)):
        for _keep in (False, True):
            spec(f"{_name}(dim={_axis},keepdim={_keep})",
                 lambda a, n=_name, ax=_axis, k=_keep: getattr(a > 0.5, n)(dim=ax, keepdim=k),
                 lambda a, r=_ref, ax=_axis, k=_keep: r(a > 0.5, axis=ax, keepdims=k),
                 {"3d": ((2, 3, 2),)}, differentiable=False, float32=False,
                 torch=None if _axis is None else
                 lambda t, a, n=_name, ax=_axis, k=_keep: getattr(a > 0.5, n)(dim=ax, keepdim=k))
    spec(f"{_name}(scalar)", lambda a, n=_name: getattr(a > 0.5, n)(), lambda a: a > 0.5,
         {"scalar": (S,)}, differentiable=False, float32=False)


def _first_extreme(x, axis, keepdims, extreme):
    """The index of the first extreme along axis: the count of leading elements that are
    not it (flattened for axis None)."""
    if axis is None:
        index = _first_extreme(x.reshape(-1), 0, False, extreme)
        return np.reshape(index, (1,) * x.ndim) if keepdims else index
    before = np.cumprod(x != extreme(x, axis=axis, keepdims=True), axis=axis)
    return np.sum(before, axis=axis, keepdims=keepdims)


for _name, _extreme in [("argmax", np.max), ("argmin", np.min)]:
    for _axis in (None, 0, -1):
        for _keep in (False, True):
            spec(f"{_name}(dim={_axis},keepdim={_keep})",
                 lambda a, n=_name, ax=_axis, k=_keep: getattr(a, n)(dim=ax, keepdim=k),
                 lambda a, e=_extreme, ax=_axis, k=_keep: _first_extreme(a, ax, k, e),
                 {"3d": ((2, 3, 2),)}, differentiable=False, float32=False,
                 torch=lambda t, a, n=_name, ax=_axis, k=_keep: getattr(a, n)(dim=ax, keepdim=k))
    spec(f"{_name}(scalar)", lambda a, n=_name: getattr(a, n)(), lambda a: np.int64(0),
         {"scalar": (S,), "0d": ((),)}, differentiable=False, float32=False)

_FILL = np.array([[True, False, True], [False, False, True]])
spec("masked_fill", lambda a: a.masked_fill(_FILL, 0.5), lambda a: np.where(_FILL, 0.5, a),
     {"same": ((2, 3),), "broadcast self": ((1, 3),), "0d": ((),)},
     torch=lambda t, a: a.masked_fill(t.as_tensor(_FILL), 0.5))
spec("masked_fill(Value)", lambda a, b: autograd.masked_fill(a, _FILL[0] > 0, b),
     lambda a, b: np.where(_FILL[0], b, a), {"scalar value": ((2, 3), S), "0d value": ((3,), ())},
     torch=lambda t, a, b: a.masked_fill(t.as_tensor(_FILL[0]), b))

# ---- PyTorch habits ---------------------------------------------------------------------------
spec("clone", lambda a: a.clone(), lambda a: np.array(a, copy=True), UNARY,
     torch=lambda t, a: a.clone())


# ---- elementwise math and activations ---------------------------------------------------------
def UNIT(x):
    """(-0.9, 0.9): asin, acos, atanh, log1p."""
    return 0.45 * x


def ABOVE_ONE(x):
    """[1.5, 3.5): acosh."""
    return 1.0 + POSITIVE(x)


def WIDE(x):
    """(-7, 7), odd multiples of 0.175: past relu6's 6, and at least 0.025 from the
    activations' kinks (0, +-1, +-3, 6)."""
    return 3.5 * x


def DIVISOR(x):
    """NONZERO times sqrt(2): a grid value divided by it is never near an integer, where
    fmod, remainder and the rounded quotients jump."""
    return NONZERO(x) * 2 ** 0.5


MATH = {"scalar": (S,), "matrix": ((2, 3),)}
MATH2 = {"broadcast": ((2, 1), (1, 3)), "scalar-tensor": (S, (2, 3)), "scalar-scalar": (S, S)}


def _erf(x):
    """erf by the series 2/sqrt(pi) exp(-x^2) sum_n x (2x^2)^n / (1*3*...*(2n+1)), whose
    terms share one sign (no cancellation)."""
    term = total = np.asarray(x, np.float64)
    for n in range(1, 200):
        term = term * 2 * x * x / (2 * n + 1)
        total = total + term
    return 2 / np.sqrt(np.pi) * np.exp(-x * x) * total


_UNARY_MATH = [  # name, reference, domain
    ("tan", lambda a: np.sin(a) / np.cos(a), ANY),
    ("asin", lambda a: np.arctan(a / np.sqrt(1 - a * a)), UNIT),
    ("acos", lambda a: np.arctan2(np.sqrt(1 - a * a), a), UNIT),
    ("atan", lambda a: np.angle(1 + 1j * a), ANY),
    ("sinh", lambda a: (np.exp(a) - np.exp(-a)) / 2, ANY),
    ("cosh", lambda a: (np.exp(a) + np.exp(-a)) / 2, ANY),
    ("asinh", lambda a: np.sign(a) * np.log(np.abs(a) + np.sqrt(a * a + 1)), ANY),
    ("acosh", lambda a: np.log(a + np.sqrt(a * a - 1)), ABOVE_ONE),
    ("atanh", lambda a: 0.5 * np.log((1 + a) / (1 - a)), UNIT),
    ("erf", _erf, ANY),
    ("log1p", lambda a: np.log(1 + a), UNIT),
    ("expm1", lambda a: np.exp(a) - 1, ANY),
    ("log2", lambda a: np.log(a) / np.log(2), POSITIVE),
    ("log10", lambda a: np.log(a) / np.log(10), POSITIVE),
    ("exp2", lambda a: np.exp(a * np.log(2)), ANY),
    ("square", lambda a: a * a, ANY),
    ("reciprocal", lambda a: np.ones_like(a) / a, NONZERO),
    ("rsqrt", lambda a: 1 / np.sqrt(a), POSITIVE),
    ("sign", lambda a: np.where(a > 0, 1.0, -1.0), ANY),
    ("floor", lambda a: a - np.mod(a, 1.0), ANY),
    ("ceil", lambda a: a - np.mod(a, 1.0) + 1, ANY),
    ("trunc", lambda a: np.where(a < 0, a - np.mod(a, -1.0), a - np.mod(a, 1.0)), ANY),
]
for _name, _ref, _domain in _UNARY_MATH:
    spec(f"{_name}()", lambda a, n=_name: getattr(a, n)(), _ref, MATH, (_domain,),
         torch=_torch_same(_name))
spec("round()", lambda a: a.round(), lambda a: np.floor(a + 0.5), MATH,
     torch=_torch_same("round"))
for _name in ("isfinite", "isinf", "isnan"):  # a Python float's test is a 0-d bool array
    spec(_name, lambda a, n=_name: getattr(a, n)(), lambda a, n=_name: getattr(np, n)(a),
         {"matrix": ((2, 3),)}, torch=_torch_same(_name), differentiable=False, float32=False)

spec("logaddexp", lambda a, b: a.logaddexp(b), lambda a, b: np.log(np.exp(a) + np.exp(b)),
     BINARY, torch=_torch_same("logaddexp"))
spec("copysign", lambda a, b: a.copysign(b), lambda a, b: np.abs(a) * np.sign(b), MATH2,
     torch=_torch_same("copysign"))
spec("fmod", lambda a, b: a.fmod(b), lambda a, b: a - np.fix(a / b) * b, BINARY,
     (ANY, DIVISOR), torch=_torch_same("fmod"))
spec("%", operator.mod, lambda a, b: a - np.floor(a / b) * b, MATH2, (ANY, DIVISOR),
     torch=lambda t, a, b: a % b)
spec("//", operator.floordiv, lambda a, b: np.floor(a / b), MATH2, (ANY, DIVISOR),
     torch=lambda t, a, b: a.div(b, rounding_mode="floor"))  # torch has no gradient for //
spec("div(trunc)", lambda a, b: autograd.div(a, b, rounding_mode="trunc"),
     lambda a, b: np.fix(a / b), MATH2, (ANY, DIVISOR),
     torch=lambda t, a, b: t.div(a, b, rounding_mode="trunc"))
spec("div(floor)", lambda a, b: a.div(b, rounding_mode="floor"), lambda a, b: np.floor(a / b),
     MATH2, (ANY, DIVISOR), torch=lambda t, a, b: a.div(b, rounding_mode="floor"))
spec("lerp", lambda a, b, w: autograd.lerp(a, b, w), lambda a, b, w: a * (1 - w) + b * w,
     {"broadcast": ((2, 3), (3,), (2, 1)), "scalars": (S, S, S)}, torch=_torch_same("lerp"))
spec("lerp(0.3)", lambda a, b: a.lerp(b, 0.3), lambda a, b: 0.7 * a + 0.3 * b, MATH2,
     torch=lambda t, a, b: a.lerp(b, 0.3))
spec("pow(function)", lambda a, b: autograd.pow(a, b), lambda a, b: np.exp(b * np.log(a)),
     MATH2, (POSITIVE, ANY), torch=lambda t, a, b: t.pow(a, b))
spec("pow(number, Value)", lambda a: autograd.pow(2.5, a), lambda a: np.exp(a * np.log(2.5)),
     MATH, torch=lambda t, a: t.pow(2.5, a))


def _torch_f(name, **kwargs):
    return lambda t, a: getattr(t.nn.functional, name)(a, **kwargs)


def _erf_gelu(a):
    return a / 2 * (1 + _erf(a / np.sqrt(2)))


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)
_ACTIVATIONS = [  # name, keyword arguments, reference, domain
    ("relu", {}, lambda a: np.where(a > 0, a, 0.0), ANY),
    ("relu6", {}, lambda a: np.where(a > 6, 6.0, np.where(a > 0, a, 0.0)), WIDE),
    ("leaky_relu", {"negative_slope": 0.2}, lambda a: np.where(a > 0, a, 0.2 * a), ANY),
    ("sigmoid", {}, _sigmoid, ANY),
    ("tanh", {}, lambda a: 1 - 2 / (np.exp(2 * a) + 1), ANY),
    ("hardtanh", {}, lambda a: np.where(np.abs(a) < 1, a, np.sign(a)), WIDE),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.0},
     lambda a: np.where(a < -0.5, -0.5, np.where(a > 2, 2.0, a)), ANY),
    ("hardsigmoid", {}, lambda a: np.where(a < -3, 0.0, np.where(a > 3, 1.0, a / 6 + 0.5)),
     WIDE),
    ("hardswish", {}, lambda a: np.where(a < -3, 0.0, np.where(a > 3, a, a * (a + 3) / 6)),
     WIDE),
    ("softsign", {}, lambda a: a / (1 + np.abs(a)), ANY),
    ("softplus", {}, lambda a: np.log(1 + np.exp(a)), WIDE),
    ("softplus", {"beta": 2.0, "threshold": 5.0},
     lambda a: np.where(a > 2.5, a, np.log(1 + np.exp(2 * a)) / 2), WIDE),
    ("logsigmoid", {}, lambda a: -np.log(1 + np.exp(-a)), WIDE),
    ("silu", {}, lambda a: a * _sigmoid(a), WIDE),
    ("mish", {}, lambda a: a * np.tanh(np.log(1 + np.exp(a))), WIDE),
    ("gelu", {}, _erf_gelu, WIDE),
    ("gelu", {"approximate": "tanh"},
     lambda a: a / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3))), WIDE),
    ("elu", {}, lambda a: np.where(a > 0, a, np.exp(a) - 1), WIDE),
    ("elu", {"alpha": 0.5}, lambda a: np.where(a > 0, a, 0.5 * (np.exp(a) - 1)), ANY),
    ("celu", {"alpha": 0.5}, lambda a: np.where(a > 0, a, 0.5 * (np.exp(2 * a) - 1)), ANY),
    ("selu", {}, lambda a: _SELU[1] * np.where(a > 0, a, _SELU[0] * (np.exp(a) - 1)), WIDE),
]
# torch's own hardsigmoid is float32-exact only, in float64 too (it multiplies by 1/6 as a
# float): compare with its formula instead.
_TORCH_ACTIVATIONS = {"hardsigmoid": lambda t, a: t.nn.functional.relu6(a + 3) / 6}
for _name, _kwargs, _ref, _domain in _ACTIVATIONS:
    spec(f"F.{_name}({', '.join(f'{k}={v}' for k, v in _kwargs.items())})",
         lambda a, n=_name, kw=_kwargs: getattr(F, n)(a, **kw), _ref, MATH, (_domain,),
         torch=_TORCH_ACTIVATIONS.get(_name, _torch_f(_name, **_kwargs)))
for _f in ("softmax", "log_softmax", "softmin"):
    spec(f"F.{_f}(dim=0)", lambda a, f=_f: getattr(F, f)(a, dim=0),
         lambda x, f=_f: (np.log if f == "log_softmax" else np.array)(
             _softmax(-x if f == "softmin" else x, 0)), {"": ((3, 2),)},
         torch=_torch_f(_f, dim=0))
for _p, _dim in ((2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)):
    spec(f"F.normalize(p={_p}, dim={_dim})", lambda a, p=_p, d=_dim: F.normalize(a, p, d),
         lambda x, p=_p, d=_dim: x / np.linalg.norm(x, ord=p, axis=d, keepdims=True),
         {"": ((2, 3),)}, torch=_torch_f("normalize", p=_p, dim=_dim))


# ---- reductions and scans (more) ----------------------------------------------------------------
_3D = {"3d": ((2, 3, 2),)}


def _product(x, axis):
    """The product along axis as repeated multiplication."""
    out = np.ones(np.delete(x.shape, axis))
    for part in np.moveaxis(x, axis, 0):
        out = out * part
    return out


def _running(x, axis, step):
    """A cumulative op along axis: out_0 = x_0, out_i = step(out_(i-1), x_i) (x for 0-d x)."""
    if x.ndim == 0:
        return x
    parts = list(np.moveaxis(x, axis, 0))
    for i in range(1, len(parts)):
        parts[i] = step(parts[i - 1], parts[i])
    return np.moveaxis(np.stack(parts), 0, axis)


def _where_running(x, step):
    """Along axis 0: the last j <= i where x_j is the running extreme of x_0 ... x_i."""
    best, out = _running(x, 0, step), np.zeros(x.shape, np.int64)
    for i in range(len(x)):
        for j in range(i + 1):
            out[i] = np.where(x[j] == best[i], j, out[i])
    return out


def _spread_and_mean(pair):
    """var_mean's or std_mean's pair as one result, so that both are checked."""
    spread, mean = pair
    return spread - 2 * mean


def _pnorm(x, p, axis, keepdims=False):
    return (np.abs(x) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


# PyTorch's spellings: dim (int or tuple), keepdim; max and min with dim give (values, indices)
spec("sum(dim=(0,2),keepdim=True)", lambda a: a.sum(dim=(0, 2), keepdim=True),
     lambda x: np.add.reduce(x, axis=(0, 2), keepdims=True), _3D,
     torch=lambda t, a: a.sum(dim=(0, 2), keepdim=True))
spec("mean(dim=1)", lambda a: a.mean(dim=1), lambda x: np.add.reduce(x, axis=1) / 3, _3D,
     torch=lambda t, a: a.mean(dim=1))
spec("logsumexp(dim=-1,keepdim=True)", lambda a: a.logsumexp(dim=-1, keepdim=True),
     lambda x: np.log(np.exp(x).sum(axis=-1, keepdims=True)), _3D,
     torch=lambda t, a: a.logsumexp(dim=-1, keepdim=True))
spec("softmax(dim=0)", lambda a: a.softmax(dim=0), lambda x: _softmax(x, 0), {"": ((3, 2),)},
     torch=lambda t, a: a.softmax(dim=0))
spec("log_softmax(dim=0)", lambda a: a.log_softmax(dim=0), lambda x: np.log(_softmax(x, 0)),
     {"": ((3, 2),)}, torch=lambda t, a: a.log_softmax(dim=0))
for _name, _reduce, _arg in (("max", np.maximum, np.argmax), ("min", np.minimum, np.argmin)):
    spec(f"{_name}(dim=1).values", lambda a, n=_name: getattr(a, n)(dim=1).values,
         lambda x, r=_reduce: r.reduce(x, axis=1), _3D,
         torch=lambda t, a, n=_name: getattr(a, n)(dim=1).values)
    spec(f"{_name}(dim=-1,keepdim=True).values",
         lambda a, n=_name: getattr(a, n)(dim=-1, keepdim=True).values,
         lambda x, r=_reduce: r.reduce(x, axis=-1, keepdims=True), {"": ((3, 2),)},
         torch=lambda t, a, n=_name: getattr(a, n)(dim=-1, keepdim=True).values)
    spec(f"{_name}(dim=0).indices", lambda a, n=_name: getattr(a, n)(dim=0).indices,
         lambda x, f=_arg: f(x, axis=0), _3D, differentiable=False, float32=False,
         torch=lambda t, a, n=_name: getattr(a, n)(dim=0).indices)
spec("amax(dim=(0,2))", lambda a: a.amax(dim=(0, 2)), lambda x: np.maximum.reduce(x, axis=(0, 2)),
     _3D, torch=lambda t, a: a.amax(dim=(0, 2)))
spec("amin(dim=1,keepdim=True)", lambda a: a.amin(1, keepdim=True),
     lambda x: np.minimum.reduce(x, axis=1, keepdims=True), _3D,
     torch=lambda t, a: a.amin(1, keepdim=True))

spec("prod", lambda a: a.prod(), lambda x: _product(np.ravel(x), 0),
     {"scalar": (S,), "vector": ((4,),), "matrix": ((2, 3),)}, torch=lambda t, a: a.prod())
spec("prod(dim=1)", lambda a: a.prod(dim=1), lambda x: _product(x, 1), _3D,
     torch=lambda t, a: a.prod(dim=1))
spec("prod(dim=0,keepdim=True)", lambda a: a.prod(0, keepdim=True),
     lambda x: _product(x, 0)[None], {"": ((3, 2),)}, torch=lambda t, a: a.prod(0, keepdim=True))
spec("var", lambda a: a.var(), lambda x: np.var(x, ddof=1),
     {"vector": ((4,),), "matrix": ((2, 3),)}, torch=lambda t, a: a.var())
spec("var(dim=1)", lambda a: a.var(dim=1), lambda x: np.var(x, axis=1, ddof=1), _3D,
     torch=lambda t, a: a.var(dim=1))
spec("var(dim=(0,2),correction=0,keepdim=True)",
     lambda a: a.var(dim=(0, 2), correction=0, keepdim=True),
     lambda x: np.var(x, axis=(0, 2), keepdims=True), _3D,
     torch=lambda t, a: a.var(dim=(0, 2), correction=0, keepdim=True))
spec("var(0,unbiased=False)", lambda a: a.var(0, unbiased=False), lambda x: np.var(x, axis=0),
     {"": ((3, 2),)}, torch=lambda t, a: a.var(0, unbiased=False))
spec("std(dim=-1)", lambda a: a.std(dim=-1), lambda x: np.std(x, axis=-1, ddof=1), _3D,
     torch=lambda t, a: a.std(dim=-1))
spec("std(correction=2)", lambda a: a.std(correction=2), lambda x: np.std(x, ddof=2),
     {"": ((2, 3),)}, torch=lambda t, a: a.std(correction=2))
spec("var_mean(dim=1)", lambda a: _spread_and_mean(autograd.var_mean(a, 1)),
     lambda x: np.var(x, axis=1, ddof=1) - 2 * np.mean(x, axis=1), _3D,
     torch=lambda t, a: _spread_and_mean(t.var_mean(a, 1)))
spec("std_mean", lambda a: _spread_and_mean(autograd.std_mean(a)),
     lambda x: np.std(x, ddof=1) - 2 * np.mean(x), {"": ((2, 3),)},
     torch=lambda t, a: _spread_and_mean(t.std_mean(a)))

for _p, _dim, _keep, _ref in [
        (2, None, False, lambda x: np.sqrt((x * x).sum())),
        ("fro", (0, 1), False, lambda x: np.sqrt((x * x).sum(axis=(0, 1)))),
        (1, 1, False, lambda x: np.abs(x).sum(axis=1)),
        (np.inf, -1, True, lambda x: np.abs(x).max(axis=-1, keepdims=True)),
        (-np.inf, None, False, lambda x: np.abs(x).min()),
        (3, (0, 2), True, lambda x: _pnorm(x, 3, (0, 2), True)),
        (0.5, 1, False, lambda x: _pnorm(x, 0.5, 1)),
        (-1, None, False, lambda x: _pnorm(x, -1, None))]:
    spec(f"norm(p={_p},dim={_dim},keepdim={_keep})",
         lambda a, p=_p, d=_dim, k=_keep: a.norm(p, dim=d, keepdim=k), _ref, _3D,
         torch=lambda t, a, p=_p, d=_dim, k=_keep: a.norm(p, dim=d, keepdim=k))
spec("norm(p=0)", lambda a: a.norm(0, dim=1), lambda x: (x != 0).sum(axis=1) + 0.0,
     {"": ((2, 3),)}, differentiable=False, torch=lambda t, a: a.norm(0, dim=1))

spec("cumsum(dim=0)", lambda a: a.cumsum(dim=0), lambda x: _running(x, 0, np.add),
     {"": ((3, 2),), "scalar": (S,)}, torch=lambda t, a: a.cumsum(dim=0))
spec("cumsum(-1)", lambda a: a.cumsum(-1), lambda x: _running(x, -1, np.add), _3D,
     torch=lambda t, a: a.cumsum(-1))
spec("cumprod(dim=1)", lambda a: a.cumprod(dim=1), lambda x: _running(x, 1, np.multiply),
     {"": ((2, 4),)}, torch=lambda t, a: a.cumprod(dim=1))
spec("cumprod(axis=0)", lambda a: a.cumprod(axis=0), lambda x: _running(x, 0, np.multiply),
     _3D, torch=lambda t, a: a.cumprod(0))
spec("logcumsumexp(dim=1)", lambda a: a.logcumsumexp(dim=1),
     lambda x: np.log(_running(np.exp(x), 1, np.add)), {"": ((2, 4),)},
     torch=lambda t, a: a.logcumsumexp(dim=1))
spec("logcumsumexp(dim=0)", lambda a: a.logcumsumexp(dim=0),
     lambda x: np.log(_running(np.exp(x), 0, np.add)), {**_3D, "scalar": (S,)},
     torch=lambda t, a: a.logcumsumexp(dim=0))
for _name, _step in (("cummax", np.maximum), ("cummin", np.minimum)):
    spec(f"{_name}(dim=1).values", lambda a, n=_name: getattr(a, n)(dim=1).values,
         lambda x, f=_step: _running(x, 1, f), {"": ((2, 4),)},
         torch=lambda t, a, n=_name: getattr(a, n)(dim=1).values)
    spec(f"{_name}(0).indices", lambda a, n=_name: getattr(a, n)(0).indices,
         lambda x, f=_step: _where_running(x, f), {"": ((4, 2),)}, differentiable=False,
         float32=False,
         torch=lambda t, a, n=_name: getattr(a, n)(0).indices)


# ---- shapes and indexing (more) -------------------------------------------------------------------
def _ours_and_torchs(source: str):
    """A call on `a` spelled as in PyTorch (`a.flip(0)`, `autograd.f(a, ...)`, `t.tensor(...)`
    for an index) as a function of a Value, and as one of a torch tensor."""
    ours = source.replace("t.tensor", "np.array")
    theirs = source.replace("autograd.", "t.")
    return (lambda a: eval(ours, {"np": np, "autograd": autograd, "a": a}),
            lambda t, a: eval(theirs, {"t": t, "a": a}))


for _call, _ref, _shapes in [
        ("a.permute(1, 2, 0)", lambda x: np.einsum("ijk->jki", x), ((2, 3, 2),)),
        ("a.transpose(0, 2)", lambda x: np.einsum("ijk->kji", x), ((2, 3, 1),)),
        ("a.transpose(1, 0)", lambda x: np.einsum("ij->ji", x), ((2, 3),)),
        ("autograd.movedim(a, (0, 1), (2, 0))", lambda x: np.einsum("ijk->jki", x), ((2, 3, 2),)),
        ("autograd.swapaxes(a, -1, 0)", lambda x: np.einsum("ijk->kji", x), ((2, 1, 3),)),
        ("a.view(-1, 2)", lambda x: x.reshape(3, 2), ((2, 3),)),
        ("a.flatten(1)", lambda x: x.reshape(2, 6), ((2, 3, 2),)),
        ("autograd.flatten(a)", lambda x: np.reshape(x, (1,)), (S,)),
        ("a.unflatten(-1, (2, -1))", lambda x: x.reshape(2, 2, 3), ((2, 6),)),
        ("a.squeeze()", lambda x: x.reshape(3), ((1, 3, 1),)),
        ("autograd.squeeze(a, (0, 1))", lambda x: x.reshape(3, 1), ((1, 3, 1),)),
        ("a.unsqueeze(-1)", lambda x: np.reshape(x, np.shape(x) + (1,)), ((2, 3),)),
        ("a.unsqueeze(0)", lambda x: np.reshape(x, (1,)), (S,)),
        ("a.expand(2, -1, 3)", lambda x: x + np.zeros((2, 2, 3)), ((2, 1),)),
        ("a.broadcast_to((2, 3))", lambda x: x + np.zeros((2, 3)), (S,)),
        ("a.repeat(2, 1, 3)", lambda x: np.tile(x, (2, 1, 3)), ((2, 2),)),
        ("autograd.tile(a, (2,))", lambda x: np.concatenate([x, x], 1), ((2, 3),)),
        ("a.flip(0, 2)", lambda x: x[::-1, :, ::-1], ((2, 3, 2),)),
        ("a.roll((1, -2), (0, 1))", lambda x: np.roll(np.roll(x, 1, 0), -2, 1), ((3, 4),)),
        ("autograd.roll(a, 4)", lambda x: np.roll(x.ravel(), 4).reshape(x.shape), ((2, 3),)),
        ("autograd.cat([a, a * 2], dim=1)", lambda x: np.concatenate([x, x * 2], 1), ((2, 1),)),
        ("a.gather(0, t.tensor([[2, 0, 2], [1, 1, 0]]))",
         lambda x: x[[[2, 0, 2], [1, 1, 0]], [[0, 1, 2]]], ((3, 3),)),
        ("autograd.gather(a, 1, t.tensor([[1, 1], [0, 2]]))",
         lambda x: x[[[0], [1]], [[1, 1], [0, 2]]], ((3, 3),)),
        ("a.take_along_dim(t.tensor([[-1, 0]]), 1)", lambda x: x[:, [2, 0]], ((2, 3),)),
        ("autograd.take_along_dim(a, t.tensor([5, 0, 5]))", lambda x: x.ravel()[[5, 0, 5]],
         ((2, 3),)),
        ("a.index_select(1, t.tensor([2, 0, 2]))", lambda x: x[:, [2, 0, 2]], ((2, 3),)),
        ("a.masked_select(t.tensor([True, False, True]))", lambda x: x[:, [0, 2]].ravel(),
         ((2, 3),)),
        ("a.repeat_interleave(t.tensor([2, 0, 1]), dim=1)", lambda x: x[:, [0, 0, 2]], ((2, 3),)),
        ("autograd.repeat_interleave(a, 2)", lambda x: np.repeat(x, 2), (S,)),
        ("a.unfold(1, 3, 2)", lambda x: np.stack([x[:, 0:3], x[:, 2:5], x[:, 4:7]], 1),
         ((2, 7),)),
        ("a.unfold(1, 2, 1)", lambda x: np.stack([x[:, :2], x[:, 1:3]], 1).swapaxes(2, 3),
         ((2, 3, 2),)),
        ("a.tril(-1)", lambda x: x * (np.arange(3)[:, None] > np.arange(4)), ((3, 4),)),
        ("autograd.tril(a)", lambda x: x * (np.arange(3)[:, None] >= np.arange(3)), ((2, 3, 3),)),
        ("a.triu(1)", lambda x: x * (np.arange(3)[:, None] < np.arange(4)), ((3, 4),)),
        ("a.diag(1)", lambda x: np.pad(x * np.eye(3), ((0, 1), (1, 0))), ((3,),)),
        ("autograd.diag(a, -1)", lambda x: x[[1, 2], [0, 1]], ((3, 4),)),
        ("a.diagonal(1, 2, 0)", lambda x: np.stack([x[1, :, 0], x[2, :, 1], x[3, :, 2]], -1),
         ((4, 2, 4),)),
        ("a.sort(dim=0).values", lambda x: np.sort(x, 0), ((3, 2),)),
        ("autograd.sort(a, descending=True).values", lambda x: -np.sort(-x, -1), ((2, 4),)),
        ("a.topk(2).values", lambda x: -np.sort(-x, -1)[:, :2], ((2, 4),)),
        ("autograd.topk(a, 2, 0, largest=False).values", lambda x: np.sort(x, 0)[:2], ((3, 2),)),
]:
    _fn, _torch = _ours_and_torchs(_call)
    spec(_call, _fn, _ref, {"": _shapes}, torch=_torch)

for _call, _ref in [("a.sort(1, descending=True).indices", lambda x: np.argsort(-x, 1)),
                    ("autograd.argsort(a, 0)", lambda x: np.argsort(x, 0)),
                    ("a.topk(2).indices", lambda x: np.argsort(-x, -1)[:, :2]),
                    ("autograd.nonzero(a.relu())", lambda x: np.argwhere(x > 0))]:
    _fn, _torch = _ours_and_torchs(_call)
    spec(_call, _fn, _ref, {"": ((3, 4),)}, torch=_torch, differentiable=False, float32=False)

for _mode, _numpy in [("constant", "constant"), ("reflect", "reflect"), ("replicate", "edge"),
                      ("circular", "wrap")]:
    spec(f"pad({_mode})", lambda a, m=_mode: autograd.pad(a, (1, 2, 2, 0), m),
         lambda x, m=_numpy: np.pad(x, ((0, 0), (2, 0), (1, 2)), mode=m), {"": ((1, 3, 4),)},
         torch=lambda t, a, m=_mode: t.nn.functional.pad(a, (1, 2, 2, 0), m))
spec("pad(value, negative widths)", lambda a: autograd.pad(a, (-1, 2, 1, 0), value=0.5),
     lambda x: np.pad(x[:, 1:], ((1, 0), (0, 2)), constant_values=0.5), {"": ((2, 3),)},
     torch=lambda t, a: t.nn.functional.pad(a, (-1, 2, 1, 0), value=0.5))


def _weighted(pieces, dim):
    """The pieces of a split joined again, piece i times i + 1: each gets its own gradient."""
    return autograd.concat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def _torch_weighted(t, pieces, dim):
    return t.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


spec("split", lambda a: _weighted(a.split(2, dim=1), 1),
     lambda x: x * np.array([1, 1, 2, 2, 3]), {"": ((2, 5),)},
     torch=lambda t, a: _torch_weighted(t, a.split(2, dim=1), 1))
spec("split(sections)", lambda a: _weighted(autograd.split(a, [1, 3]), 0),
     lambda x: x * np.array([[1], [2], [2], [2]]), {"": ((4, 2),)},
     torch=lambda t, a: _torch_weighted(t, t.split(a, [1, 3]), 0))
spec("chunk", lambda a: _weighted(a.chunk(3), 0), lambda x: x * np.array([1, 1, 2, 2, 3]),
     {"": ((5,),)}, torch=lambda t, a: _torch_weighted(t, a.chunk(3), 0))
spec("meshgrid", lambda a, b: autograd.stack(autograd.meshgrid(a, b)),
     lambda x, y: np.stack([x[:, None] + 0 * y, 0 * x[:, None] + y]), {"": ((3,), (2,))},
     torch=lambda t, a, b: t.stack(t.meshgrid(a, b, indexing="ij")))
spec("meshgrid(xy)", lambda a, b, c: autograd.stack(autograd.meshgrid([a, b, c], indexing="xy")),
     lambda x, y, z: np.stack(np.meshgrid(x, y, z)), {"": ((3,), (2,), (2,))},
     torch=lambda t, a, b, c: t.stack(t.meshgrid(a, b, c, indexing="xy")))

# scatter_add and scatter_reduce: self (3, 4), index and src (2, 3): row 0 gets several
# values, row 1 none, column 3 none. (A src larger than index: PyTorch uses its corner, and
# its backward fails, so that layout is compared with the reference only.)
_SCATTER = np.array([[0, 2, 0], [0, 0, 2]])


def _scatter_ref(x, src, reduce, include_self=True):
    """torch.scatter_reduce along dim 0, one element at a time."""
    out, groups = x.copy(), {}
    for (i, j), row in np.ndenumerate(_SCATTER):
        groups.setdefault((row, j), [x[row, j]] if include_self else []).append(src[i, j])
    combine = {"sum": sum, "prod": np.prod, "mean": np.mean, "amax": max, "amin": min}[reduce]
    for at, values in groups.items():
        out[at] = combine(values)
    return out


spec("scatter_add", lambda a, b: a.scatter_add(0, _SCATTER, b),
     lambda x, y: _scatter_ref(x, y, "sum"), {"": ((3, 4), (2, 3))},
     torch=lambda t, a, b: a.scatter_add(0, t.tensor(_SCATTER), b))
spec("scatter_add(larger src)", lambda a, b: autograd.scatter_add(a, 0, _SCATTER, b),
     lambda x, y: _scatter_ref(x, y, "sum"), {"": ((3, 4), (3, 4))})
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _self in (True, False):
        spec(f"scatter_reduce({_reduce}, include_self={_self})",
             lambda a, b, r=_reduce, i=_self: autograd.scatter_reduce(a, 0, _SCATTER, b, r,
                                                                     include_self=i),
             lambda x, y, r=_reduce, i=_self: _scatter_ref(x, y, r, i), {"": ((3, 4), (2, 3))},
             torch=lambda t, a, b, r=_reduce, i=_self: a.scatter_reduce(
                 0, t.tensor(_SCATTER), b, r, include_self=i))


# ---- linear algebra (more) ----------------------------------------------------------------------
def _diagonal(x):
    return np.array([x[i, i] for i in range(len(x))])


for _equation, _ref, _layouts in [
        ("ij,jk->ik", _matmul_ref, {"": ((2, 3), (3, 2)), "size-1": ((2, 1), (3, 2))}),
        ("ii->", lambda x: _diagonal(x).sum(), {"": ((3, 3),)}),
        ("ii->i", _diagonal, {"": ((3, 3),)}),
        ("iij->j", lambda x: x[0, 0] + x[1, 1], {"": ((2, 2, 3),)}),
        ("ji", lambda x: x.T, {"": ((2, 3),)}),
        ("i,j", lambda a, b: a[:, None] * b[None, :], {"": ((3,), (2,))}),
        ("bij,bjk->bik", _matmul_ref, {"": ((2, 2, 3), (2, 3, 2))}),
        ("...ij,...jk", _matmul_ref, {"broadcast": ((2, 1, 2, 3), (3, 3, 2))}),
        ("...i->i", lambda x: x.sum(axis=(0, 1)), {"": ((2, 2, 3),)}),
        ("ij,ij->i", lambda a, b: (a * b).sum(axis=1), {"size-1": ((2, 3), (1, 3))}),
        ("ij,jk,kl->il", lambda a, b, c: _matmul_ref(_matmul_ref(a, b), c),
         {"": ((2, 3), (3, 2), (2, 2))}),
        (",->", lambda a, b: a * b, {"scalars": (S, S)})]:
    spec(f"einsum({_equation})", lambda *vs, e=_equation: autograd.einsum(e, *vs), _ref,
         _layouts, torch=lambda t, *ts, e=_equation: t.einsum(e, *ts))
spec("einsum(sublists)", lambda a, b: autograd.einsum(a, [0, 1], b, [1, Ellipsis], [Ellipsis, 0]),
     lambda a, b: _matmul_ref(a, b).T, {"": ((2, 3), (3, 2))},
     torch=lambda t, a, b: t.einsum(a, [0, 1], b, [1, Ellipsis], [Ellipsis, 0]))
spec("einsum(list)", lambda a, b: autograd.einsum("ij,ij", [a, b]), lambda a, b: (a * b).sum(),
     {"": ((2, 3), (2, 3))}, torch=lambda t, a, b: t.einsum("ij,ij", [a, b]))
spec("dot", lambda a, b: a.dot(b), lambda a, b: (a * b).sum(), {"": ((3,), (3,))},
     torch=lambda t, a, b: a.dot(b))
spec("outer", lambda a, b: autograd.outer(a, b), lambda a, b: a[:, None] * b[None, :],
     {"": ((3,), (2,))}, torch=lambda t, a, b: t.outer(a, b))
spec("matmul(batches)", lambda a, b: a.matmul(b), _matmul_ref,
     {"batch-batch": ((2, 2, 3), (2, 3, 2)), "size-1 batch": ((1, 2, 3), (3, 3, 2)),
      "vec-4d": ((2,), (2, 1, 2, 3))}, torch=lambda t, a, b: a.matmul(b))


# ---- sliding windows: convolution, pooling, resizing (nn.functional) ------------------------
# References are loops over the output, one window at a time, in PyTorch's definitions.
spec("windows(2 axes)", lambda a: ops.windows(a, (1, 2), (2, 3), (2, 1), (1, 2)),
     lambda x: np.stack([np.stack([x[:, i:i + 2, j:j + 5:2] for j in range(3)], 1)
                         for i in range(0, 4, 2)], 1), {"": ((2, 5, 7),)})
spec("window_sum", lambda a: ops.window_sum(a, (2, 6), (1,), (2,), (3,), (2,)),
     lambda x: sum(np.pad(x[:, i, k][:, None], ((0, 0), (3 * i + 2 * k, 6 - 3 * i - 2 * k - 1)))
                   for i in range(2) for k in range(2)), {"": ((2, 2, 2),)})
spec("window_sum(tiling)", lambda a: ops.window_sum(a, (4, 2, 6), (0, 2), (2, 3), (2, 3), (1, 1)),
     lambda x: np.einsum("ajbkl->akjbl", x).reshape(4, 2, 6), {"": ((2, 2, 2, 2, 3),)})


def _conv_ref(x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1),
              groups=1):
    """2-d cross-correlation, one output pixel at a time."""
    x = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    (n, _, h, wd), (o, cg, kh, kw) = x.shape, w.shape
    (s0, s1), (d0, d1), og = stride, dilation, o // groups
    oh, ow = (h - d0 * (kh - 1) - 1) // s0 + 1, (wd - d1 * (kw - 1) - 1) // s1 + 1
    out = np.zeros((n, o, oh, ow))
    for k in range(o):
        g = k // og
        for i in range(oh):
            for j in range(ow):
                patch = x[:, g * cg:(g + 1) * cg, i * s0:i * s0 + d0 * (kh - 1) + 1:d0,
                          j * s1:j * s1 + d1 * (kw - 1) + 1:d1]
                out[:, k, i, j] = (patch * w[k]).sum(axis=(1, 2, 3))
    return out if b is None else out + b[:, None, None]


def _conv1d_ref(x, w, b=None, stride=1, padding=(0, 0), dilation=1, groups=1):
    return _conv_ref(x[:, :, None], w[:, :, None], b, (1, stride), ((0, 0), padding),
                     (1, dilation), groups)[:, :, 0]


def _conv_transpose_ref(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                        groups=1, dilation=(1, 1)):
    """Each input pixel scatters itself times the weight into the output, then the padding
    is cut off both sides."""
    (n, c, h, wd), (_, og, kh, kw) = x.shape, w.shape
    cg = c // groups
    full = [(h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0],
            (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]]
    out = np.zeros((n, og * groups, *full))
    for g in range(groups):
        block = slice(g * cg, (g + 1) * cg)
        for i in range(h):
            for j in range(wd):
                for p in range(kh):
                    for q in range(kw):
                        out[:, g * og:(g + 1) * og, i * stride[0] + p * dilation[0],
                            j * stride[1] + q * dilation[1]] += x[:, block, i, j] @ w[block, :, p, q]
    out = out[:, :, padding[0]:full[0] - padding[0], padding[1]:full[1] - padding[1]]
    return out if b is None else out + b[:, None, None]


def _pool_ref(x, kernel, stride, padding, dilation=(1, 1), ceil_mode=False, reduce=np.max,
              count_include_pad=True):
    """max or mean pooling, one window at a time, with PyTorch's output sizes and divisors."""
    (n, c, h, wd), out_sizes = x.shape, []
    for size, k, s, p, d in zip((h, wd), kernel, stride, padding, dilation):
        span = d * (k - 1) + 1
        count = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        out_sizes.append(count - 1 if ceil_mode and (count - 1) * s >= size + p else count)
    out = np.zeros((n, c, *out_sizes))
    for i in range(out_sizes[0]):
        for j in range(out_sizes[1]):
            rows = [i * stride[0] - padding[0] + a * dilation[0] for a in range(kernel[0])]
            cols = [j * stride[1] - padding[1] + a * dilation[1] for a in range(kernel[1])]
            inside_rows = [r for r in rows if 0 <= r < h]
            inside_cols = [q for q in cols if 0 <= q < wd]
            window = x[:, :, inside_rows][:, :, :, inside_cols]
            if reduce is np.max:
                out[:, :, i, j] = window.max(axis=(2, 3))
            else:  # divisor: the window's cells inside the padded input (or the input)
                if count_include_pad:
                    divisor = len([r for r in rows if r < h + padding[0]]) * \
                        len([q for q in cols if q < wd + padding[1]])
                else:
                    divisor = len(inside_rows) * len(inside_cols)
                out[:, :, i, j] = window.sum(axis=(2, 3)) / divisor
    return out


def _adaptive_ref(x, sizes):
    out = np.zeros(x.shape[:2] + tuple(sizes))
    (h, w), (oh, ow) = x.shape[2:], sizes
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            out[:, :, i, j] = x[:, :, rows, cols].mean(axis=(2, 3))
    return out


def _bilinear_ref(x, sizes, align_corners=False, scales=None):
    """Each output pixel from its four neighbours, weights from PyTorch's source index."""
    (h, w), out = x.shape[2:], np.zeros(x.shape[:2] + tuple(sizes))

    def source(i, size, out_size, scale):
        if align_corners:
            return i * (size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return max((i + 0.5) * (scale or size / out_size) - 0.5, 0.0)
    for i in range(sizes[0]):
        for j in range(sizes[1]):
            y = source(i, h, sizes[0], scales and scales[0])
            z = source(j, w, sizes[1], scales and scales[1])
            y0, z0 = int(y), int(z)
            y1, z1 = min(y0 + 1, h - 1), min(z0 + 1, w - 1)
            a, c = y - y0, z - z0
            out[:, :, i, j] = ((1 - a) * ((1 - c) * x[:, :, y0, z0] + c * x[:, :, y0, z1])
                               + a * ((1 - c) * x[:, :, y1, z0] + c * x[:, :, y1, z1]))
    return out


def _functional(source: str):
    """A call of nn.functional on inputs a, b, c as `F.conv2d(a, b, c, ...)`, as a function
    of Values, and as one of torch tensors (through torch.nn.functional)."""
    return (lambda *vs: eval(source, {"F": F, "np": np}, dict(zip("abc", vs))),
            lambda t, *ts: eval(source, {"F": t.nn.functional}, dict(zip("abc", ts))))


_IMAGE = {"": ((1, 1, 5, 6),)}
for _call, _ref, _shapes in [
        ("F.conv2d(a, b, c)", lambda x, w, b: _conv_ref(x, w, b),
         ((2, 2, 3, 4), (2, 2, 2, 2), (2,))),
        ("F.conv2d(a, b, stride=2, padding=1)",
         lambda x, w: _conv_ref(x, w, None, (2, 2), ((1, 1), (1, 1))), ((1, 1, 5, 6), (2, 1, 3, 3))),
        ("F.conv2d(a, b, c, stride=(1, 2), padding=(2, 0), dilation=(2, 1))",
         lambda x, w, b: _conv_ref(x, w, b, (1, 2), ((2, 2), (0, 0)), (2, 1)),
         ((1, 1, 5, 7), (2, 1, 3, 2), (2,))),
        ("F.conv2d(a, b, c, groups=2, padding='same')",
         lambda x, w, b: _conv_ref(x, w, b, padding=((0, 1), (1, 1)), groups=2),
         ((1, 4, 3, 4), (2, 2, 2, 3), (2,))),
        ("F.conv2d(a, b, padding='same', dilation=2)",
         lambda x, w: _conv_ref(x, w, padding=((2, 2), (2, 2)), dilation=(2, 2)),
         ((1, 1, 5, 6), (1, 1, 3, 3))),
        ("F.conv2d(a, b, groups=3, stride=2, padding='valid')",
         lambda x, w: _conv_ref(x, w, stride=(2, 2), groups=3), ((1, 3, 4, 5), (3, 1, 2, 2))),
        ("F.conv1d(a, b, c)", lambda x, w, b: _conv1d_ref(x, w, b), ((2, 2, 6), (2, 2, 3), (2,))),
        ("F.conv1d(a, b, stride=2, padding=2, dilation=2, groups=2)",
         lambda x, w: _conv1d_ref(x, w, None, 2, (2, 2), 2, 2), ((1, 4, 7), (2, 2, 3))),
        ("F.conv1d(a, b, padding='same')", lambda x, w: _conv1d_ref(x, w, padding=(1, 2)),
         ((1, 2, 6), (3, 2, 4))),
        ("F.conv1d(a, b)", lambda x, w: _conv1d_ref(x[None], w)[0], ((2, 7), (3, 2, 3))),
        ("F.conv_transpose2d(a, b, c)", lambda x, w, b: _conv_transpose_ref(x, w, b),
         ((2, 2, 2, 3), (2, 2, 2, 3), (2,))),
        ("F.conv_transpose2d(a, b, stride=2, padding=1, output_padding=1)",
         lambda x, w: _conv_transpose_ref(x, w, None, (2, 2), (1, 1), (1, 1)),
         ((1, 2, 3, 3), (2, 1, 3, 3))),
        ("F.conv_transpose2d(a, b, c, stride=(1, 2), groups=2, dilation=(2, 1), padding=(1, 0))",
         lambda x, w, b: _conv_transpose_ref(x, w, b, (1, 2), (1, 0), (0, 0), 2, (2, 1)),
         ((1, 4, 2, 3), (4, 1, 2, 2), (2,))),
        ("F.conv_transpose1d(a, b, stride=3, output_padding=2)",
         lambda x, w: _conv_transpose_ref(x[:, :, None], w[:, :, None], None, (1, 3), (0, 0),
                                          (0, 2))[:, :, 0], ((2, 2, 4), (2, 2, 3))),
        ("F.max_pool2d(a, 2)", lambda x: _pool_ref(x, (2, 2), (2, 2), (0, 0)), _IMAGE[""]),
        ("F.max_pool2d(a, 3, stride=2, padding=1)",
         lambda x: _pool_ref(x, (3, 3), (2, 2), (1, 1)), _IMAGE[""]),
        ("F.max_pool2d(a, (2, 3), stride=(2, 1), dilation=(2, 1), ceil_mode=True)",
         lambda x: _pool_ref(x, (2, 3), (2, 1), (0, 0), (2, 1), True), ((2, 1, 6, 5),)),
        ("F.max_pool2d(a, 2, padding=1, ceil_mode=True, return_indices=True)[0]",
         lambda x: _pool_ref(x, (2, 2), (2, 2), (1, 1), ceil_mode=True), ((1, 1, 5, 4),)),
        ("F.max_pool1d(a, 3, 2, 1)",
         lambda x: _pool_ref(x[:, :, None], (1, 3), (1, 2), (0, 1))[:, :, 0], ((2, 2, 8),)),
        ("F.avg_pool2d(a, 2)", lambda x: _pool_ref(x, (2, 2), (2, 2), (0, 0), reduce=np.mean),
         _IMAGE[""]),
        ("F.avg_pool2d(a, 3, stride=2, padding=1, count_include_pad=False)",
         lambda x: _pool_ref(x, (3, 3), (2, 2), (1, 1), reduce=np.mean, count_include_pad=False),
         _IMAGE[""]),
        ("F.avg_pool2d(a, (3, 2), stride=(2, 3), padding=1, ceil_mode=True)",
         lambda x: _pool_ref(x, (3, 2), (2, 3), (1, 1), ceil_mode=True, reduce=np.mean),
         ((1, 1, 6, 7),)),
        ("F.avg_pool2d(a, 2, divisor_override=3)",
         lambda x: _pool_ref(x, (2, 2), (2, 2), (0, 0), reduce=np.mean) * 4 / 3, _IMAGE[""]),
        ("F.avg_pool1d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False)",
         lambda x: _pool_ref(x[:, :, None], (1, 3), (1, 2), (0, 1), ceil_mode=True,
                             reduce=np.mean, count_include_pad=False)[:, :, 0], ((2, 2, 8),)),
        ("F.adaptive_avg_pool2d(a, (2, 4))", lambda x: _adaptive_ref(x, (2, 4)), _IMAGE[""]),
        ("F.adaptive_avg_pool2d(a, (None, 4))", lambda x: _adaptive_ref(x, (5, 4)), _IMAGE[""]),
        ("F.adaptive_avg_pool1d(a, 3)", lambda x: _adaptive_ref(x[:, :, None], (1, 3))[:, :, 0],
         ((1, 2, 7),)),
        ("F.interpolate(a, size=(7, 4))",
         lambda x: x[:, :, [0, 0, 1, 2, 2, 3, 4]][:, :, :, [0, 1, 3, 4]], _IMAGE[""]),
        ("F.interpolate(a, scale_factor=(2, 0.5))",
         lambda x: x[:, :, np.arange(10) // 2][:, :, :, [0, 2, 4]], _IMAGE[""]),
        ("F.interpolate(a, size=(7, 4), mode='bilinear')",
         lambda x: _bilinear_ref(x, (7, 4)), _IMAGE[""]),
        ("F.interpolate(a, size=(3, 8), mode='bilinear', align_corners=True)",
         lambda x: _bilinear_ref(x, (3, 8), True), _IMAGE[""]),
        ("F.interpolate(a, scale_factor=1.5, mode='bilinear')",
         lambda x: _bilinear_ref(x, (7, 9), scales=(1 / 1.5, 1 / 1.5)), _IMAGE[""]),
        ("F.interpolate(a, scale_factor=2, mode='linear')",
         lambda x: _bilinear_ref(x[:, :, None], (1, 10), scales=(0.5, 0.5))[:, :, 0],
         ((1, 2, 5),)),
]:
    _fn, _torch = _functional(_call)
    spec(_call, _fn, _ref, {"": _shapes}, torch=_torch)


def _max_pool_indices(x, kernel, stride, padding):
    """Each window's first largest element's flat index in its (H, W) plane."""
    (h, w), out = x.shape[2:], []
    for i in range(0, h + 2 * padding - kernel + 1, stride):
        row = []
        for j in range(0, w + 2 * padding - kernel + 1, stride):
            cells = [(r, q) for r in range(i - padding, i - padding + kernel)
                     for q in range(j - padding, j - padding + kernel)
                     if 0 <= r < h and 0 <= q < w]
            values = np.stack([x[:, :, r, q] for r, q in cells], -1)
            flat = np.array([r * w + q for r, q in cells])
            row.append(flat[values.argmax(-1)])
        out.append(np.stack(row, -1))
    return np.stack(out, -2)


_fn, _torch = _functional("F.max_pool2d(a, 3, 2, 1, return_indices=True)[1]")
spec("F.max_pool2d(return_indices).indices", _fn, lambda x: _max_pool_indices(x, 3, 2, 1),
     _IMAGE, torch=_torch, differentiable=False, float32=False)


# ---- constants mixed in: numbers and numpy arrays on either side ----------------------------
spec("tensor*constant array", lambda a: a * np.array([0.5, -1.5, 2.0]),
     lambda a: a * np.array([0.5, -1.5, 2.0]), {"": ((2, 3),)}, float32=False)
spec("constant array/tensor", lambda a: np.array([0.5, -1.5, 2.0]) / (a * a + 0.5),
     lambda a: np.array([0.5, -1.5, 2.0]) / (a * a + 0.5), {"": ((2, 3),)}, float32=False)
spec("array@value", lambda a: np.array([[0.5, -1.0], [2.0, 0.25]]) @ a,
     lambda a: _matmul_ref(np.array([[0.5, -1.0], [2.0, 0.25]]), a), {"": ((2, 3),)},
     float32=False)
spec("value**value mixed", lambda a, b: (a * a + 0.5) ** b,
     lambda a, b: np.exp(b * np.log(a * a + 0.5)), {"": (S, (2, 3))})


# ---- normalisation, embedding, losses, attention, dropout (nn.functional) ------------------------
def _standardized(x, axes, eps=1e-5):
    """(x - mean) / sqrt(biased variance + eps) over axes."""
    deviation = x - np.mean(x, axis=axes, keepdims=True)
    return deviation / np.sqrt(np.mean(deviation ** 2, axis=axes, keepdims=True) + eps)


_RUNNING = (np.array([0.3, -0.2, 0.1]), np.array([0.5, 1.5, 2.0]))  # mean, variance
_C = (1, 3, 1)  # a (3,) per-channel array as it broadcasts over (N, 3, L)
spec("F.batch_norm(training)",
     lambda x, w, b: F.batch_norm(x, np.zeros(3), np.ones(3), w, b, training=True),
     lambda x, w, b: _standardized(x, (0, 2)) * w.reshape(_C) + b.reshape(_C),
     {"": ((4, 3, 2), (3,), (3,))},
     torch=lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True))
spec("F.batch_norm(eval)", lambda x, w, b: F.batch_norm(x, *_RUNNING, w, b, eps=0.1),
     lambda x, w, b: ((x - _RUNNING[0].reshape(_C)) / np.sqrt(_RUNNING[1].reshape(_C) + 0.1)
                      * w.reshape(_C) + b.reshape(_C)), {"": ((2, 3, 2), (3,), (3,))},
     torch=lambda t, x, w, b: t.nn.functional.batch_norm(
         x, *map(t.tensor, _RUNNING), w, b, eps=0.1))
spec("F.batch_norm(2d input, no affine)", lambda x: F.batch_norm(x, None, None, training=True),
     lambda x: _standardized(x, (0,)), {"": ((5, 3),)},
     torch=lambda t, x: t.nn.functional.batch_norm(x, None, None, training=True))
spec("F.layer_norm", lambda x, w, b: F.layer_norm(x, (3, 2), w, b),
     lambda x, w, b: _standardized(x, (1, 2)) * w + b, {"": ((2, 3, 2), (3, 2), (3, 2))},
     torch=lambda t, x, w, b: t.nn.functional.layer_norm(x, (3, 2), w, b))
spec("F.layer_norm(no affine, eps)", lambda x: F.layer_norm(x, 4, eps=0.1),
     lambda x: _standardized(x, -1, 0.1), {"": ((3, 4),)},
     torch=lambda t, x: t.nn.functional.layer_norm(x, (4,), eps=0.1))
spec("F.group_norm", lambda x, w, b: F.group_norm(x, 2, w, b),
     lambda x, w, b: (np.concatenate([_standardized(x[:, :2], (1, 2)),
                                      _standardized(x[:, 2:], (1, 2))], 1)
                      * w.reshape(1, 4, 1) + b.reshape(1, 4, 1)),
     {"": ((2, 4, 3), (4,), (4,))},
     torch=lambda t, x, w, b: t.nn.functional.group_norm(x, 2, w, b))

_INDICES = np.array([[0, 4, 2], [2, 2, 1]])
spec("F.embedding", lambda w: F.embedding(_INDICES, w), lambda w: w[_INDICES],
     {"": ((5, 2),)}, torch=lambda t, w: t.nn.functional.embedding(t.tensor(_INDICES), w))

_LABELS = np.array([0, 2, 1, 2])
_IGNORED = np.array([0, -100, 1, 2])
_CLASS_WEIGHTS = np.array([0.5, 2.0, 1.5])
for _label, _target, _options in [
        ("", _LABELS, {}), ("weight", _LABELS, {"weight": _CLASS_WEIGHTS}),
        ("ignore_index", _IGNORED, {}), ("ignore_index=1, sum", _LABELS,
                                         {"ignore_index": 1, "reduction": "sum"}),
        ("weight, ignored, none", _IGNORED, {"weight": _CLASS_WEIGHTS, "reduction": "none"})]:
    def _nll_ref(x, target=_target, o=_options):
        keep = target != o.get("ignore_index", -100)
        w = o.get("weight", np.ones(3))[np.where(keep, target, 0)] * keep
        losses = -x[np.arange(len(x)), np.where(keep, target, 0)] * w
        reduction = o.get("reduction", "mean")
        return losses if reduction == "none" else losses.sum() / (
            w.sum() if reduction == "mean" else 1)

    def _torch_options(t, o):
        return {k: t.tensor(v) if k == "weight" else v for k, v in o.items()}

    spec(f"F.nll_loss({_label})", lambda x, y=_target, o=_options: F.nll_loss(x, y, **o),
         _nll_ref, {"": ((4, 3),)},
         torch=lambda t, x, y=_target, o=_options: t.nn.functional.nll_loss(
             x, t.tensor(y), **_torch_options(t, o)))

    def _ce_ref(x, target=_target, o=_options, e=0.2):
        log_p = np.log(_softmax(x, -1))
        smoothed = (1 - e) * _nll_ref(log_p, target, o)
        keep = target != o.get("ignore_index", -100)
        spread = -(log_p * o.get("weight", np.ones(3))).sum(-1) * keep * e / 3
        reduction = o.get("reduction", "mean")
        if reduction == "none":
            return smoothed + spread
        w = o.get("weight", np.ones(3))[np.where(keep, target, 0)] * keep
        return smoothed + spread.sum() / (w.sum() if reduction == "mean" else 1)

    spec(f"F.cross_entropy(label_smoothing=0.2, {_label})",
         lambda x, y=_target, o=_options: F.cross_entropy(x, y, label_smoothing=0.2, **o),
         _ce_ref, {"": ((4, 3),)},
         torch=lambda t, x, y=_target, o=_options: t.nn.functional.cross_entropy(
             x, t.tensor(y), label_smoothing=0.2, **_torch_options(t, o)))
spec("F.cross_entropy(probabilities, weight, label_smoothing)",
     lambda x, p: F.cross_entropy(x, p.softmax(-1), weight=_CLASS_WEIGHTS, label_smoothing=0.3),
     lambda x, p: -np.mean((0.7 * _softmax(p, -1) + 0.1) * _CLASS_WEIGHTS
                           * np.log(_softmax(x, -1)), 0).sum(), {"": ((2, 3), (2, 3))},
     torch=lambda t, x, p: t.nn.functional.cross_entropy(
         x, p.softmax(-1), weight=t.tensor(_CLASS_WEIGHTS), label_smoothing=0.3))


def _attention_ref(q, k, v, allowed=None, added=0.0, scale=None):
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.einsum("...le,...se->...ls", q, k) * scale + added
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    with np.errstate(invalid="ignore"):
        weights = np.nan_to_num(_softmax(scores - scores.max(-1, keepdims=True), -1))
    return np.einsum("...ls,...sd->...ld", weights, v)


_ALLOWED = np.array([[True, False, True, True], [False, False, False, False],
                     [False, True, True, False]])  # the second query may attend to nothing
_ADDED = np.array([[0.5, -1.0, 0.0, 2.0], [-np.inf, 0.3, 0.0, -0.5],
                   [1.0, -np.inf, -np.inf, 0.25]])
_SDPA = {"": ((2, 3, 4), (2, 4, 4), (2, 4, 2)), "broadcast batch": ((2, 1, 3, 2), (3, 4, 2),
                                                                     (3, 4, 1))}
for _label, _options, _ref_options in [
        ("", {}, {}), ("scale=0.3", {"scale": 0.3}, {"scale": 0.3}),
        ("bool mask", {"attn_mask": _ALLOWED}, {"allowed": _ALLOWED}),
        ("float mask", {"attn_mask": _ADDED}, {"added": _ADDED})]:
    spec(f"F.scaled_dot_product_attention({_label})",
         lambda q, k, v, o=_options: F.scaled_dot_product_attention(q, k, v, **o),
         lambda q, k, v, o=_ref_options: _attention_ref(q, k, v, **o), _SDPA,
         torch=lambda t, q, k, v, o=_options: t.nn.functional.scaled_dot_product_attention(
             q, k, v, **{key: t.tensor(x) for key, x in o.items() if key == "attn_mask"},
             **{key: x for key, x in o.items() if key != "attn_mask"}))
spec("F.scaled_dot_product_attention(is_causal)",
     lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
     lambda q, k, v: _attention_ref(q, k, v, np.tril(np.ones((3, 3), bool))),
     {"": ((2, 3, 2), (2, 3, 2), (2, 3, 3))},
     torch=lambda t, q, k, v: t.nn.functional.scaled_dot_product_attention(q, k, v,
                                                                           is_causal=True))
spec("F.scaled_dot_product_attention(float mask Value)",
     lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
     lambda q, k, v, m: _attention_ref(q, k, v, added=m), {"": ((3, 2), (4, 2), (4, 2), (3, 4))},
     torch=lambda t, q, k, v, m: t.nn.functional.scaled_dot_product_attention(q, k, v, m))

def _dropped_attention_ref(q, k, v, p=0.4):
    """Attention whose weights lose what a mask drawn as autograd.rand(generator=0) drops."""
    weights = _softmax(np.einsum("...le,...se->...ls", q, k) / np.sqrt(q.shape[-1]), -1)
    keep = np.random.default_rng(0).random(weights.shape) >= p
    return np.einsum("...ls,...sd->...ld", weights * keep / (1 - p), v)


spec("F.scaled_dot_product_attention(dropout_p=0.4)",
     lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=0.4, generator=0),
     _dropped_attention_ref, {"": ((2, 3, 2), (2, 4, 2), (2, 4, 3))})
spec("F.dropout(p=0.4)", lambda x: F.dropout(x, 0.4, generator=0),
     lambda x: x * (np.random.default_rng(0).random(x.shape) >= 0.4) / 0.6, {"": ((3, 4),)})


# ---- the cases: one per entry and layout ----------------------------------------------------
def grid(shapes, seed: int) -> list:
    """One input per shape (None: a Python float), all values distinct grid points: odd
    multiples of 1/m in (-2, 2), with m = 40 (0.05 apart) unless more than 80 values are
    needed, then finer."""
    total = sum(1 if shape is None else int(np.prod(shape)) for shape in shapes)
    m = max(40, -(-total // 2))
    ks = np.random.default_rng(seed).permutation(np.arange(-m, m))
    values, out, start = (ks + 0.5) * (2.0 / m), [], 0
    for shape in shapes:
        n = 1 if shape is None else int(np.prod(shape))
        chunk = values[start:start + n]
        out.append(float(chunk[0]) if shape is None else chunk.reshape(shape))
        start += n
    return out


def _cases() -> dict:
    """case id -> (spec, inputs), one case per spec and layout."""
    cases = {}
    for s in SPECS:
        for layout, shapes in s.layouts.items():
            name = f"{s.name}-{layout}" if layout else s.name
            domains = s.domains or (ANY,) * len(shapes)
            args = [d(x) for d, x in zip(domains, grid(shapes, zlib.crc32(name.encode())))]
            assert name not in cases, f"two op spec cases are called {name!r}"
            cases[name] = (s, args)
    return cases


CASES = _cases()
