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
  (-2, 2): no ties, none within 0.025 of 0 or of +-0.5) into the op's domain, away from
  poles; ANY leaves them as they are.
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


# ---- elementwise math and activations ---------------------------------------------------------


# ---- reductions and scans (more) ----------------------------------------------------------------


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
        ("a.transpose(0, 1)", lambda x: np.einsum("ij->ji", x), ((2, 3),)),
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


# ---- the cases: one per entry and layout ----------------------------------------------------
def grid(shapes, seed: int) -> list:
    """One input per shape (None: a Python float), all values distinct grid points."""
    ks = np.random.default_rng(seed).permutation(np.arange(-40, 40))
    values, out, start = (ks + 0.5) * 0.05, [], 0
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
