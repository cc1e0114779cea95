"""Backpropagation, narrated: `explain(loss)` runs backward and prints the chain rule edge by edge.

    >>> from autograd import Value, explain
    >>> x, w = Value(3.0, name="x"), Value(-2.0, name="w")
    >>> y = x * w
    >>> y.name = "y"
    >>> explain(y)
    Backpropagation from y = -6, output first: each gradient is the sum, over the ops
    that use the value, of (local derivative) * (that op's gradient).
    y = mul(x, w) = -6
        y.grad = 1  (the seed)
        local derivatives: d(y)/d(x) = -2, d(y)/d(w) = 3
    w = -2  (leaf)
        w.grad = d(y)/d(w) * y.grad = 3 * 1 = 3
    x = 3  (leaf)
        x.grad = d(y)/d(x) * y.grad = (-2) * 1 = -2

Nodes come in the order the backward pass visits them, so each gradient is complete when its
node is reached. A local derivative is d(op's output)/d(input) at the current values; when
the output is a tensor it is a Jacobian, which backward never builds: it applies it to the
gradient (a vector-Jacobian product, written `y.grad . d(y)/d(x)`). Tensors show their
shape and range, or their values if they have at most 6 elements.

The helpers here are shared with the drawings (`viz.py`, above this file): how a Value is
shown (its op and inputs, a mean as one op, numbers folded in as constants), a walk over the
shown graph, and the gradient each edge carries.
"""
from __future__ import annotations

import sys

import numpy as np

from .backward import sweep
from .value import Value, shown_as

SMALL = 6
"""Tensors with at most this many elements are shown by their values."""


# ---- how Values are shown (also by viz.py) ------------------------------------------------
def shown(v: Value) -> tuple:
    """(op name, inputs) of v as drawings and `explain` show it: its op and parents, or for a
    composition recorded in `value.shown_as` (a mean) that composition's name and input."""
    if v._op is not None:
        record = shown_as.get(v)
        if record is not None:
            return record
    return v.op, v.parents


def walk(root: Value, keep: set | None = None, inputs=lambda v: shown(v)[1]) -> list:
    """The Values `root` depends on (only those in `keep`, if given), each after its
    `inputs` (by default as `shown`), iteratively: graphs may have a million nodes."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:  # all of v's inputs are in `order` now
            order.append(v)
        elif v not in visited:
            visited.add(v)
            stack.append((v, True))
            stack.extend((p, False) for p in reversed(inputs(v))
                         if p not in visited and (keep is None or p in keep))
    return order


def is_constant(v: Value) -> bool:
    """A number folded into the graph (`x * 2`): an unnamed leaf holding a Python float
    that needs no gradient. It is shown by its value, not as a box."""
    return v._op is None and not v.requires_grad and v.name is None and type(v._data) is float


def parameter_names(module) -> dict:
    """Value -> dotted parameter name, from `module.named_parameters()` (first name wins)."""
    names = {}
    if module is not None:
        for name, p in module.named_parameters():
            names.setdefault(p, name)
    return names


def number(x) -> str:
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def listing(x, width: int | None = None) -> list | None:
    """A tensor's values as lines of text, if it has at most SMALL elements and (if `width`
    is given) they fit in 3 lines of at most `width` characters; else None."""
    if x.size > SMALL:
        return None
    text = np.array2string(x, separator=", ", max_line_width=10**6,
                           formatter={"float_kind": number})
    lines = [line.strip() for line in text.split("\n")]
    return lines if width is None or (len(lines) <= 3 and max(map(len, lines)) <= width) \
        else None


def summary(x, width: int | None = None) -> list:
    """A float or array as lines of text: a number, the values (`listing`), or the range
    (and how many elements are NaN or inf)."""
    if type(x) is float or x.ndim == 0:
        return [number(float(x))]
    lines = listing(x, width)
    if lines is not None:
        return lines
    low, high = x.min(), x.max()
    bad = x.size - int(np.isfinite(x).sum())
    spread = f"all {number(low)}" if low == high else f"{number(low)} \u2026 {number(high)}"
    return [spread + (f"  ({bad} not finite)" if bad else "")]


def text(x) -> str:
    """A float or array on one line: a tensor of more than SMALL elements with its shape."""
    line = " ".join(summary(x))
    return line if type(x) is float or x.size <= SMALL else f"{x.shape} {line}"


# ---- the gradient along each edge ---------------------------------------------------------
def edge_grads(v: Value, g) -> list:
    """The gradient that each input of v (as `shown` lists them) gets from v alone, when v's
    gradient is g (a float or array); None for an input that needs no gradient.

    These are the VJPs of v's op (or of the ops inside a shown composition), run by the
    backward sweep itself on a copy of v whose inputs are fresh leaves.
    """
    _, inputs = shown(v)
    leaves = []
    for p in inputs:
        leaf = Value._make(p._data)
        leaf.requires_grad = p.requires_grad
        leaves.append(leaf)
    record = shown_as.get(v)
    if record is None:
        copy = Value._make(v._data, v._op, tuple(leaves), v._params)
    else:  # copy the hidden nodes between the composition's inputs and v
        copies = dict(zip(inputs, leaves))
        for u in walk(v, inputs=lambda u: () if u in copies else u.parents):
            if u._op is not None and u not in copies:
                copies[u] = Value._make(u._data, u._op, tuple(copies.get(p, p) for p in u.parents),
                                        u._params)
        copy = copies[v]
    grads = sweep([copy], [g])
    return [grads.get(leaf) if leaf.requires_grad else None for leaf in leaves]


def ones_like(v: Value):
    """The gradient that seeds backward from v: 1, or ones of v's shape."""
    return 1.0 if type(v._data) is float else np.ones(v.shape, v.dtype)


# ---- the narration ------------------------------------------------------------------------
def _names(order: list, module) -> dict:
    """Value -> the name `explain` calls it: its parameter name, its own name (a repeated
    one numbered: weight, weight#2), a constant's value, else its op and a count (mul1)."""
    params = parameter_names(module)
    names, counts = {}, {}
    for v in order:
        if is_constant(v):
            names[v] = number(v._data)
            continue
        base = params.get(v) or v.name
        if base is None:
            base = shown(v)[0] if v._op is not None else \
                ("leaf" if v.requires_grad else "input")
            counts[base] = counts.get(base, 0) + 1
            names[v] = f"{base}{counts[base]}"
        else:
            counts[base] = counts.get(base, 0) + 1
            names[v] = base if counts[base] == 1 else f"{base}#{counts[base]}"
    return names


def _signed(x) -> str:
    s = text(x)
    return f"({s})" if s.startswith("-") else s


def _grad_lines(name: str, uses: list, total, names: dict, grads: dict) -> list:
    """How `name`.grad adds up to `total`, one term per use (an op's output, the local
    derivative or None for a Jacobian, the gradient this use passes): symbols, numbers, sum."""
    symbols, numbers = [], []
    for out, local, g in uses:
        o = names[out]
        if local is None:
            symbols.append(f"{o}.grad . d({o})/d({name})")
            numbers.append(_signed(g))
        else:
            symbols.append(f"d({o})/d({name}) * {o}.grad")
            numbers.append(f"{_signed(local)} * {_signed(grads[out])}")
    steps = [" + ".join(symbols)]
    if len(uses) > 1 or uses[0][1] is not None:
        steps.append(" + ".join(numbers))
    steps.append(text(total))
    head = f"    {name}.grad = "
    if len(uses) == 1:
        return [head + " = ".join(steps)]
    return [head + steps[0]] + [" " * (len(head) - 2) + "= " + step for step in steps[1:]]


def _local_line(v: Value, merged: dict, names: dict) -> str:
    parts = [f"d({names[v]})/d({names[p]}) " +
             (f"is a {v.shape} x {p.shape} Jacobian" if local is None else f"= {text(local)}")
             for p, (local, _) in merged.items()]
    return "    local derivative" + ("s: " if len(parts) > 1 else ": ") + ", ".join(parts)


def explain(root: Value, max_nodes: int = 50, module=None, file=None) -> None:
    """Run `root.backward()` and print how the chain rule builds each gradient, edge by edge.

    For each Value that needs a gradient, output first (the order backward visits them): its
    op and value, how its gradient adds up (one product of a local derivative and an op's
    gradient per use), and the local derivatives it passes to its inputs. `root` must hold
    one number (a loss). Only the first `max_nodes` Values are narrated; the last line says
    how many more there were. `module` (an `nn.Module`) names its parameters by their dotted
    names; `file` is where to print (default: standard output). The numbers are this
    backward pass's; `.grad` accumulates as `backward()` does.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: root must be a Value, got {type(root).__name__}")
    if root.size != 1:
        raise ValueError(f"explain: the Value has shape {root.shape}; explain a single number, "
                         "e.g. the loss, or reduce it first (.sum() or .mean())")
    if max_nodes < 1:
        raise ValueError(f"explain: max_nodes must be at least 1, got {max_nodes}")
    root.backward()
    everything = walk(root)
    names = _names(everything, module)
    order = [v for v in reversed(everything) if v.requires_grad]
    grads, uses = {root: ones_like(root)}, {}
    lines = [f"Backpropagation from {names[root]} = {text(root._data)}, output first: each "
             "gradient is the sum, over the ops\nthat use the value, of (local derivative) * "
             "(that op's gradient)."]
    for v in order[:max_nodes]:
        op, inputs = shown(v)
        if v._op is None:
            lines.append(f"{names[v]} = {text(v._data)}  (leaf)")
        else:
            args = ", ".join(names[p] for p in inputs)
            lines.append(f"{names[v]} = {op}({args}) = {text(v._data)}")
        if v is root:
            lines.append(f"    {names[v]}.grad = 1  (the seed)")
        else:
            lines += _grad_lines(names[v], uses.pop(v), grads[v], names, grads)
        if v._op is None:
            continue
        passed = edge_grads(v, grads[v])
        locals_ = edge_grads(v, ones_like(v)) if v.size == 1 else [None] * len(inputs)
        merged = {}  # input -> (local derivative, gradient passed); x * x adds its two slots
        for p, local, g in zip(inputs, locals_, passed):
            if g is not None:
                if p in merged:
                    local0, g0 = merged[p]
                    local, g = (None if local is None else local0 + local), g0 + g
                merged[p] = (local, g)
        if merged:
            lines.append(_local_line(v, merged, names))
        for p, (local, g) in merged.items():
            uses.setdefault(p, []).append((v, local, g))
            grads[p] = g if p not in grads else grads[p] + g
    if len(order) > max_nodes:
        lines.append(f"... and {len(order) - max_nodes} more Values nearer the inputs, not "
                     f"narrated (explain(..., max_nodes={len(order)}) shows them all)")
    print("\n".join(lines), file=sys.stdout if file is None else file)
