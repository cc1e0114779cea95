"""A small reverse-mode autograd engine on Python floats and numpy arrays.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> a.grad, b.grad
    (1.0, 2.0)

`Value` records the graph as operations run; `backward()` fills in `.grad`; `grad()` returns
gradients, differentiable again with `create_graph=True`; `gradcheck` compares them with
finite differences, `gradgradcheck` the second derivatives; `explain` narrates a backward
pass, the chain rule edge by edge; `draw_graph` draws the graph with graphviz.

The files, from the bottom up (each imports only those before it, except that `value` and
`ops` know each other): `mode` (per-thread switches, `unbroadcast`), `value` (`Value`),
`ops` (the op table), `functions` (functions of several Values), `creation` (zeros, arange,
rand, ...), `interop` (numpy's functions on Values), `backward` (the reverse sweep, `grad`),
`gradcheck`, `explain` (backward, narrated), `viz` (drawings), and `compile` (a training
step traced once and replayed as straight-line Python).
"""
from . import creation, functions, interop  # noqa: F401  (interop: numpy on Values)
from .backward import grad
from .compile import compile
from .creation import *  # noqa: F401,F403  (zeros, arange, rand, ..., manual_seed)
from .explain import explain
from .functions import *  # noqa: F401,F403  (every public function of functions.py)
# torch.all and torch.any; left out of __all__, so that `from autograd import *` keeps Python's
from .functions import _all as all, _any as any  # noqa: F401,A001
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .mode import detect_anomaly, enable_grad, no_grad
from .value import Value


def __getattr__(name):
    # `autograd.draw_graph` imports graphviz only when first used, not with `import autograd`.
    if name in ("draw_graph", "save_graph"):
        from . import viz
        return getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


__all__ = ["Value", "no_grad", "enable_grad", "grad", "compile", "gradcheck", "gradgradcheck",
           "numerical_grad", "GradcheckError", "draw_graph", "save_graph", "explain",
           "detect_anomaly", *functions.__all__, *creation.__all__]
