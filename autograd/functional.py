"""The backward pass: graph ordering, the reverse sweep, `grad`, `no_grad`, anomaly mode."""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager

import numpy as np


class _Mode(threading.local):
    """Per-thread switches: is the graph being recorded, is anomaly detection on."""
    enabled = True
    anomaly = False


_state = _Mode()


@contextmanager
def no_grad():
    """Within this block (or decorated function) operations record no graph.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False, y.parents == ()
    """
    previous = _state.enabled
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = previous


@contextmanager
def detect_anomaly():
    """Within this block the first op whose output or gradient holds NaN or inf raises
    `FloatingPointError`, naming the op, its input shapes and the line that created it."""
    previous = _state.anomaly
    _state.anomaly = True
    try:
        yield
    finally:
        _state.anomaly = previous


# ---- anomaly detection: where did the first NaN or inf come from? --------------------------
# Frames in these folders are the library's; the line to report is the user's, above them.
_LIBRARY_DIRS = {os.path.dirname(os.path.abspath(__file__)),
                 os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "nn")}


def _user_line() -> str:
    """'file:line in function' of the innermost caller outside autograd and nn."""
    frame = sys._getframe(1)
    while frame is not None and \
            os.path.dirname(os.path.abspath(frame.f_code.co_filename)) in _LIBRARY_DIRS:
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _check_forward(out):
    out._trace = _user_line()
    if not np.all(np.isfinite(out._data)):
        shapes = ", ".join(str(p.shape) for p in out.parents)
        raise FloatingPointError(f"detect_anomaly: {out.op} gave NaN or inf from inputs of "
                                 f"shape {shapes}, at {out._trace}")


def _check_backward(node, parent, g):
    data = g._data if hasattr(g, "_data") else g
    if not np.all(np.isfinite(data)):
        trace = getattr(node, "_trace", "an unknown line (made outside detect_anomaly)")
        shapes = ", ".join(str(p.shape) for p in node.parents)
        raise FloatingPointError(f"detect_anomaly: the backward of {node.op} (inputs of shape "
                                 f"{shapes}, created at {trace}) gave NaN or inf for input "
                                 f"{node.parents.index(parent)}")


def unbroadcast(grad, shape: tuple):
    """Sum `grad` over the axes that broadcasting added or stretched, so it has `shape`.

    Works on arrays and on Values (it only calls `.sum` and `.reshape`).
    """
    gshape = grad.shape if type(grad) is not float else ()
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and gshape[lead + i] != 1)
    if lead < 0 or any(n != 1 and n != gshape[lead + i] for i, n in enumerate(shape)):
        # Only a VJP that returns a wrongly shaped gradient can get here.
        raise ValueError(f"unbroadcast: a gradient of shape {gshape} cannot be reduced to "
                         f"shape {shape}")
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def toposort(roots) -> list:
    """The Values that require grad and lead to `roots`, each after all of its inputs.

    Iterative depth-first search (no recursion, so a million-op chain is fine) and
    deterministic: inputs are visited in the order of each node's `parents`.
    """
    order, expanded, done = [], set(), set()
    stack = [root for root in reversed(roots) if root.requires_grad]
    while stack:
        node = stack.pop()
        if node in expanded:
            if node not in done:  # second visit: all its inputs are in `order` now
                done.add(node)
                order.append(node)
            continue
        expanded.add(node)
        stack.append(node)
        for p in node.parents:
            if p._version > node._version:  # checked before the sweep changes any .grad
                raise _replaced_data_error(node, p)
            if p.requires_grad and p not in expanded:
                stack.append(p)
    return order


def _fit(g, parent):
    """A raw gradient shaped, typed and kinded like `parent`'s data."""
    d = parent._data
    if type(d) is float:
        return float(np.sum(g))
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != d.shape:
        g = unbroadcast(g, d.shape)
    if g.dtype != d.dtype:
        g = g.astype(d.dtype)
    return g


def _fit_value(g, parent):
    """A differentiable gradient shaped like `parent` (create_graph mode)."""
    return unbroadcast(g, parent.shape) if g.shape != parent.shape else g


def _vjp_as_ieee(vjp, g, out, args):
    """Redo a float VJP with numpy scalars: 1/0 gives inf, as it does for arrays."""
    def f(x):
        return np.float64(x) if type(x) is float else x
    with np.errstate(all="ignore"):
        return vjp(f(g), f(out), *[f(a) for a in args])


def _backprop(roots, seeds, create_graph=False, keep=None):
    """The reverse sweep, shared by `backward()` and `grad()`.

    Visits nodes in reverse topological order, so each node's gradient is complete when it
    is used. Gradients of this sweep live in a local dict: with keep=None each node's total
    is added to its `.grad` (so two sweeps give exactly twice); otherwise nothing is
    touched and the gradients of the nodes in `keep` are returned.
    """
    order = toposort(roots)
    grads = {}
    for root, seed in zip(roots, seeds):
        grads[root] = grads[root] + seed if root in grads else seed
    kept = {}
    anomaly = _state.anomaly
    for node in reversed(order):
        g = grads.pop(node)  # every node in `order` leads to a root, so it has a gradient
        if keep is None:
            total = g if node._grad is None else node._grad + g
            # 0-d array + 0-d array is a numpy scalar; a tensor's grad stays an ndarray
            node._grad = total if type(total) is float or type(total) is np.ndarray \
                else np.asarray(total)
        elif node in keep:
            kept[node] = g
        op = node._op
        if op is None:
            continue
        parents = node.parents
        out = node if create_graph else node._data
        if not op.vjps_take_inputs:
            args = []
        else:
            args = list(parents) if create_graph else [p._data for p in parents]
        if node._params:
            args += node._params
        for vjp, parent in zip(op.vjps, parents):
            if not parent.requires_grad:
                continue
            if create_graph:
                _state.anomaly = False  # the VJP's own ops are checked below, as this backward
                try:
                    gp = _fit_value(vjp(g, out, *args), parent)
                finally:
                    _state.anomaly = anomaly
            else:
                try:
                    gp = vjp(g, out, *args)
                except ArithmeticError:
                    gp = _vjp_as_ieee(vjp, g, out, args)
                if type(gp) is not float:
                    d = parent._data  # most gradients already fit: check that inline, it's hot
                    if type(gp) is not np.ndarray or type(d) is float or gp.shape != d.shape \
                            or gp.dtype is not d.dtype:
                        gp = _fit(gp, parent)
            if anomaly:
                _check_backward(node, parent, gp)
            previous = grads.get(parent)
            grads[parent] = gp if previous is None else previous + gp
    return kept


def _replaced_data_error(node, parent):
    return RuntimeError(
        f"backward: an input of {node.op} (shape {parent.shape}) was given new data after "
        "the op used it, so its gradient would be wrong; run the forward pass again after "
        "changing .data (for example after optimizer.step())")


def _seed(value, gradient, what):
    """The starting gradient for `value`: ones if it has one element, else `gradient`."""
    if gradient is None:
        if value.size != 1:
            raise ValueError(f"{what}: the Value has shape {value.shape}; pass a gradient of "
                             "that shape, or reduce it first (e.g. .sum() or .mean())")
        return 1.0 if type(value._data) is float else np.ones(value.shape, value.dtype)
    from .value import Value, as_data
    g = gradient._data if isinstance(gradient, Value) else as_data(gradient)
    if np.shape(g) != value.shape:
        raise ValueError(f"{what}: gradient has shape {np.shape(g)} but the Value has shape "
                         f"{value.shape}; they must match")
    if type(value._data) is float:
        return float(g)
    return np.asarray(g, dtype=value.dtype)


def backward(root, gradient=None) -> None:
    """Add d(root)/d(v) to `v.grad` for every v in root's graph that requires grad."""
    if not root.requires_grad:
        raise RuntimeError("backward(): this Value does not require grad and has no graph "
                           "(was it made under no_grad(), or from constants only?)")
    _backprop([root], [_seed(root, gradient, "backward()")])


def grad(outputs, inputs, grad_outputs=None, create_graph: bool = False) -> tuple:
    """Gradients of `outputs` with respect to `inputs`, as a tuple of Values; `.grad` is
    left untouched.

    `outputs` and `inputs` are Values or lists of them; `grad_outputs` (one per output)
    weights a non-scalar output. With `create_graph=True` the returned Values carry a graph
    of their own, so they can be differentiated again (Hessian-vector products, ...).
    An input that the outputs do not depend on gets a zero gradient.

    >>> x = Value(3.0)
    >>> (dx,) = grad(x ** 3, x, create_graph=True)    # 3x^2 = 27
    >>> grad(dx, x)[0].data                            # 6x = 18
    18.0
    """
    from .value import Value

    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for v in outputs + inputs:
        if not isinstance(v, Value):
            raise TypeError(f"grad: outputs and inputs must be Values, got {type(v).__name__}")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Value) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")

    if create_graph:
        seeds = [go if isinstance(go, Value) else
                 Value._result(_seed(out, go, "grad"), None, (), ())
                 for out, go in zip(outputs, grad_outputs)]
        for out, seed in zip(outputs, seeds):
            if seed.shape != out.shape:
                raise ValueError(f"grad: grad_outputs shape {seed.shape} does not match "
                                 f"output shape {out.shape}")
    else:
        seeds = [_seed(out, go, "grad") for out, go in zip(outputs, grad_outputs)]
    roots = [out for out in outputs if out.requires_grad]
    seeds = [s for out, s in zip(outputs, seeds) if out.requires_grad]
    kept = _backprop(roots, seeds, create_graph, keep=set(inputs))

    result = []
    for v in inputs:
        g = kept.get(v)
        if g is None:
            g = 0.0 if type(v._data) is float else np.zeros(v.shape, v.dtype)
        result.append(g if isinstance(g, Value) else Value._result(
            g if type(g) is float else np.asarray(g), None, (), ()))
    return tuple(result)
