"""A small reverse-mode autograd engine on Python floats and numpy arrays.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> a.grad, b.grad
    (1.0, 2.0)

`Value` records the graph as operations run; `backward()` fills in `.grad`; `grad()` returns
gradients, differentiable again with `create_graph=True`; `gradcheck` compares them with
finite differences, `gradgradcheck` the second derivatives; `draw_graph` draws the graph
with graphviz.
"""
from .functional import detect_anomaly, grad, no_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .ops import concat, maximum, minimum, stack, where
from .value import Value


def draw_graph(root, *args, **kwargs):
    """Draw root's computation graph as a `graphviz.Digraph` (see `autograd.viz`)."""
    from .viz import draw_graph as draw
    return draw(root, *args, **kwargs)


__all__ = ["Value", "no_grad", "grad", "gradcheck", "gradgradcheck", "numerical_grad",
           "GradcheckError", "draw_graph", "detect_anomaly", "concat", "stack", "where",
           "maximum", "minimum"]
