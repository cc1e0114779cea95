"""The backward pass: the graph ordering, the one reverse sweep, and its two callers.

`backward(root)` adds every gradient to `.grad`; `grad(outputs, inputs)` returns the
gradients of `inputs` and touches no `.grad`. Both call `sweep`, which calls each node's
VJPs (the formulas in `ops.py`) in reverse topological order and returns every gradient.
"""
from __future__ import annotations

import threading

import numpy as np

from .mode import anomaly_paused, check_backward, state, unbroadcast
from .value import Value, as_data


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


def sweep(roots: list, seeds: list, create_graph: bool = False) -> dict:
    """The total gradient of every Value that leads to `roots` and requires grad, starting
    from the `seeds` of the roots: raw floats and arrays, or Values with their own graph if
    `create_graph`.

    Nodes are visited in reverse topological order, so each node's gradient is complete
    before its VJPs (the formulas in ops.py) pass it on to its inputs.
    """
    order = toposort(roots)
    grads = {}
    for root, seed in zip(roots, seeds):
        grads[root] = grads[root] + seed if root in grads else seed
    anomaly = state.anomaly
    for node in reversed(order):
        op = node._op
        if op is None:
            continue
        g = grads[node]  # every node in `order` leads to a root, so it has a gradient
        parents = node.parents
        if create_graph:
            out, args = node, list(parents) if op.vjps_take_inputs else []
        else:
            out, args = node._data, [p._data for p in parents] if op.vjps_take_inputs else []
        if node._params:
            args += node._params
        for i, vjp in enumerate(op.vjps):
            parent = parents[i]
            if not parent.requires_grad or vjp is None:
                continue
            if create_graph:
                gp = _vjp_value(vjp, g, out, args, parent)
            else:
                try:
                    gp = vjp(g, out, *args)
                except ArithmeticError:
                    gp = _vjp_as_ieee(vjp, g, out, args)
                if type(gp) is not float:
                    gp = _fitted(gp, parent._data)
            if anomaly:
                check_backward(node, i, gp)
            previous = grads.get(parent)
            grads[parent] = gp if previous is None else previous + gp
    return grads


def _fitted(g, like):
    """A raw gradient shaped, typed and kinded like the data `like`: a float for a float,
    else an ndarray of like's shape (broadcast axes summed) and dtype."""
    if type(g) is np.ndarray and type(like) is not float and g.shape == like.shape \
            and g.dtype is like.dtype:
        return g  # most gradients already fit: the check is the hot path
    if type(like) is float:
        return float(np.sum(g))
    g = unbroadcast(np.asarray(g), like.shape)
    return g if g.dtype == like.dtype else g.astype(like.dtype)


def _vjp_value(vjp, g, out, args, parent):
    """A VJP on Values (create_graph): a differentiable gradient shaped like `parent`.
    Under anomaly mode the result is checked as this op's backward, not op by op."""
    if state.anomaly:
        with anomaly_paused():
            gp = vjp(g, out, *args)
    else:
        gp = vjp(g, out, *args)
    return unbroadcast(gp, parent.shape) if gp.shape != parent.shape else gp


def _vjp_as_ieee(vjp, g, out, args):
    """Redo a float VJP with numpy scalars: 1/0 gives inf, as it does for arrays."""
    def f(x):
        return np.float64(x) if type(x) is float else x
    with np.errstate(all="ignore"):
        return vjp(f(g), f(out), *[f(a) for a in args])


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
    g = gradient._data if isinstance(gradient, Value) else as_data(gradient)
    if np.shape(g) != value.shape:
        raise ValueError(f"{what}: gradient has shape {np.shape(g)} but the Value has shape "
                         f"{value.shape}; they must match")
    if type(value._data) is float:
        return float(g)
    return np.asarray(g, dtype=value.dtype)


# Held while a backward pass adds its gradients to `.grad`: threads whose graphs share a
# leaf (a model's weights) must not lose each other's additions. The sweeps run unlocked.
_accumulating = threading.Lock()


def backward(root: Value, gradient=None) -> None:
    """Add d(root)/d(v) to `v.grad` for every v in root's graph that requires grad."""
    if not root.requires_grad:
        raise RuntimeError("backward(): this Value does not require grad and has no graph "
                           "(was it made under no_grad(), or from constants only?)")
    seed = _seed(root, gradient, "backward()")
    if state.tracer is not None:  # autograd.compile is recording this backward pass
        state.tracer.on_backward(root, seed)
    grads = sweep([root], [seed])
    with _accumulating:
        for node, g in grads.items():
            total = g if node._grad is None else node._grad + g
            # 0-d array + 0-d array is a numpy scalar; a tensor's grad stays an ndarray
            node._grad = total if type(total) is float or type(total) is np.ndarray \
                else np.asarray(total)


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
    if state.tracer is not None:
        state.tracer.on_grad_call()
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for v in outputs + inputs:
        if not isinstance(v, Value):
            raise TypeError(f"grad: outputs and inputs must be Values, got {type(v).__name__}")
    for i, v in enumerate(inputs):
        if not v.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {v.shape}) does not require grad, so "
                               "it has no gradient; make it with requires_grad=True")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Value) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")

    seeds = [_seed(out, go, "grad") for out, go in zip(outputs, grad_outputs)]
    if create_graph:  # a Value given as grad_output stays in the graph: it is differentiable
        seeds = [go if isinstance(go, Value) else Value._make(s)
                 for go, s in zip(grad_outputs, seeds)]
    roots = [out for out in outputs if out.requires_grad]
    seeds = [s for out, s in zip(outputs, seeds) if out.requires_grad]
    found = sweep(roots, seeds, create_graph)

    result = []
    for v in inputs:
        g = found.get(v)
        if g is None:
            g = 0.0 if type(v._data) is float else np.zeros(v.shape, v.dtype)
        result.append(g if isinstance(g, Value) else Value._make(
            g if type(g) is float else np.asarray(g)))
    return tuple(result)
