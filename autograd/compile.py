"""`compile(fn)`: trace a training step once, then replay it as straight-line Python.

    >>> @autograd.compile
    ... def train_step(x, y):
    ...     loss = nn.mse_loss(model(x), y)
    ...     optimizer.zero_grad()
    ...     loss.backward()
    ...     optimizer.step()
    ...     return loss
    >>> loss = train_step(x, y)     # runs fn as usual, and records what it did
    >>> loss = train_step(x2, y2)   # replays the record: no Values, no sorting, no dispatch
    >>> print(train_step.code)      # the replay as Python source: backpropagation, line by line

The first call runs `fn` eagerly and records its graph (from the Values it returns and the
roots it calls `backward()` on), each `backward()`, each gradient it resets and each call
of a `@replayed` function (the optimizers' `step()` and `zero_grad()`); hooks in ops.py,
value.py and backward.py report to the tracer while it runs. From that record
it writes one Python function: one line per op forward, one line per VJP term, in the
order the eager sweep runs them, so the replay gives the same numbers to the last bit.
Most ops call their table entry (`op.forward`, `op.vjps[i]`, exactly as eager mode does);
the hottest (+ - * / neg relu tanh exp ...) are written inline (`_FORWARD`, `_VJPS`).

What a replay reads and writes:
- every Value argument's current data, and the current data of every Value the graph used
  that outlives the call (parameters, constants made outside fn); each `.grad` it fills,
  adding to what is there as `backward()` does; the results are new Values holding the
  data and `.grad` eager mode would give them, but no graph;
- every op fn runs is computed again, also those that link no graph node in eager mode
  (between Values that need no gradient, under `no_grad()`, ops without a gradient);
- what fn computes in Python is fixed at the first call: a number read with `.item()`,
  an array made with numpy, a Value made from such data, an index (class labels, or a
  Value used as an index, whose data getitem reads). So data-dependent Python control
  flow cannot be seen by a trace (`if loss.item() > 1:` takes the branch of the first
  call). Reading a Value argument's data in Python (`.data`, `.item()`, `float()`) makes
  that data part of the check below (a new trace when it changes); for anything else,
  `check=True` runs eager mode beside every replay and raises on the first difference.

Before each replay the call is checked against the trace: the same structure of
arguments, numbers and arrays that are not Values equal to the traced ones, each Value
argument and each Value the graph reads with its shape, dtype and `requires_grad`, the
same `parameters()` for every module that fn is given or refers to by name, and neither
`no_grad()` nor `detect_anomaly()` on (in those modes fn runs eagerly: there is no graph
to record, or every op must be checked as it runs). On a mismatch fn is traced anew (up
to `MAX_TRACES` traces are kept; after that it runs eagerly); `debug=True` prints each
reason once. A replay never runs on a mismatch.

What fn may do besides building the graph: call `backward()` (not `autograd.grad()`),
reset gradients (`zero_grad()`, `p.grad = 0`), and call `@replayed` functions, which the
replay calls again at the same point with the same arguments (that is how an optimizer
step inside fn works: its arithmetic on raw data is not traced, it is run). Assigning
`.data` anywhere else raises: a replay could not repeat it. Graph built after an
optimizer step raises too (the forward must come first).

The generated source has about three lines per op of the graph; CPython compiles it at
some 40,000 lines a second, with a transient peak of about 2.5 KB per line, so the first
call of a 65,000-op scalar graph takes seconds. Replays of one compiled function run one
at a time (a lock): they are meant for one training loop.
"""
from __future__ import annotations

import builtins
import functools
import inspect
import itertools
import keyword
import linecache
import math
import sys
import threading
import weakref

import numpy as np

from . import value as _value_module
from .backward import _fitted, _vjp_as_ieee, toposort
from .mode import state
from .ops import compute, owned
from .value import Value

MAX_TRACES = 8
"""Traces a compiled function keeps (one per shape of its inputs, say); past that it runs
eagerly, as `torch.compile` does after 8 recompilations."""

# ---- inline forms of the hottest ops ----------------------------------------------------------
# Each is the very expression eager mode evaluates (see ops.py), so the replay agrees to the
# last bit. {0}, {1}, ... are the inputs, then the parameters; VJPs also get {g} and {out}.
# Float forms only where math cannot raise (eager mode redoes those ops with numpy on an
# error), array forms only for outputs of one axis or more (0-d results go through compute).
_FORWARD = {
    "float": {"add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "neg": "-{0}",
              "tanh": "tanh({0})", "relu": "0.0 if {0} <= 0 else {0}",
              "leaky_relu": "{0} if {0} > 0 else {0} * {1}"},
    "array": {"add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
              "neg": "-{0}", "matmul": "{0} @ {1}", "pow": "np.power({0}, {1})",
              "exp": "np.exp({0})", "log": "np.log({0})", "sqrt": "np.sqrt({0})",
              "tanh": "np.tanh({0})", "sin": "np.sin({0})", "cos": "np.cos({0})",
              "relu": "np.maximum({0}, 0)",
              "leaky_relu": "np.where({0} > 0, {0}, {0} * {1})"},
}
_COMMON_VJPS = {"add": ("{g}", "{g}"), "sub": ("{g}", "-{g}"),
                "mul": ("{g} * {1}", "{g} * {0}"), "neg": ("-{g}",),
                "exp": ("{g} * {out}",), "tanh": ("{g} * (1 - {out} * {out})",),
                "sigmoid": ("{g} * {out} * (1 - {out})",), "relu": ("{g} * ({0} > 0)",)}
_VJPS = {
    "float": {**_COMMON_VJPS, "leaky_relu": ("{g} if {0} > 0 else {g} * {1}",)},
    "array": {**_COMMON_VJPS, "div": ("{g} / {1}", "-{g} * {out} / {1}"),
              "log": ("{g} / {0}",), "sqrt": ("{g} * 0.5 / {out}",),
              "leaky_relu": ("np.where({0} > 0, {g}, {g} * {1})",)},
}


def _kind(data) -> str:
    """Which inline forms fit this data: "float", "array" (one axis or more) or "0-d"."""
    return "float" if type(data) is float else "array" if data.ndim else "0-d"


def _signature(data):
    """What a replay needs to be the same: float, or an array's shape and dtype."""
    return float if type(data) is float else (data.shape, data.dtype)


def _describe(signature) -> str:
    return "a float" if signature is float else f"shape {signature[0]} {signature[1]}"


# ---- functions the replay calls again ---------------------------------------------------------
def replayed(function):
    """Mark `function` (an optimizer's `step`, say) as a side effect of a compiled function:
    a trace records each call made inside fn, and every replay calls it again at the same
    point with the same arguments, instead of tracing what it does.

    The function runs on the current `.data` and `.grad` of the Values it reaches, like an
    optimizer does; its arguments and return value are fixed at the first call.
    """
    @functools.wraps(function)
    def call(*args, **kwargs):
        tracer = state.tracer
        if tracer is None:
            return function(*args, **kwargs)
        return tracer.effect(function, args, kwargs)
    return call


# ---- the first call: running fn and recording what it does -------------------------------
class _Argument(Value):
    """A Value argument during a trace: it requires grad, so that every op on it is
    recorded (an op on Values that need no gradient makes no graph node), and reading its
    data in Python is noted, so that the data becomes part of the check of later calls."""

    __slots__ = ()

    @property
    def data(self):
        _note_read(self)
        return Value.data.fget(self)

    @data.setter
    def data(self, new):
        Value.data.fset(self, new)

    def item(self) -> float:
        _note_read(self)
        return Value.item(self)

    __float__ = item

    def detach(self) -> Value:
        tracer = state.tracer
        return Value.detach(self) if tracer is None else tracer.stand_in(self)


def _note_read(argument: _Argument) -> None:
    tracer = state.tracer
    if tracer is not None and id(argument) in tracer.slots:
        tracer.read.add(tracer.slots[id(argument)][0])


class _Tracer:
    """What happens during the first call: the hooks in value.py and backward.py and the
    `@replayed` functions report to it (through `state.tracer`)."""

    def __init__(self):
        self.slots = {}      # id(stand-in) -> (argument slot, requires_grad in eager mode,
        self.stand_ins = []  # whether it is the argument itself or a detached copy)
        self.read = set()    # slots whose data fn read in Python
        self.events = []     # ("backward", root, seed, order), ("grad", Value, its new
        #                      grad), ("effect", function, args, kwargs), in call order
        self.made = {}       # id(constant) -> (it, op, inputs, params): ops that linked no node
        self.depth = 0       # > 0 while a @replayed function runs: its doings are its own
        self.data_since = None  # data clock after the first effect that changed data

    def stand_in(self, value: Value, slot: int | None = None) -> _Argument:
        """The stand-in for argument `slot`, the Value `value`; without a slot, a detached
        copy of the stand-in `value`."""
        if slot is None:
            slot, requires_grad, original = self.slots[id(value)][0], False, False
        else:
            requires_grad, original = value.requires_grad, True
        arg = _Argument._make(value._data)
        arg.requires_grad = True
        arg.name = value.name
        arg._grad = value._grad if requires_grad else None
        self.slots[id(arg)] = (slot, requires_grad, original)
        self.stand_ins.append(arg)
        return arg

    def on_backward(self, root: Value, seed) -> None:
        if self.depth:
            return
        # The nodes the eager sweep visits: stand-ins of arguments that need no gradient
        # (and what is made from them alone) are no part of it.
        needs_grad = set()
        order = toposort([root])
        for v in order:
            slot = self.slots.get(id(v))
            if (slot[1] if slot else v.requires_grad) if v._op is None else \
                    any(id(p) in needs_grad for p in v.parents):
                needs_grad.add(id(v))
        if id(root) not in needs_grad:
            raise RuntimeError("backward(): this Value does not require grad and has no graph")
        self.events.append(("backward", root, seed,
                            [v for v in order if id(v) in needs_grad]))

    def on_constant(self, out: Value, op, inputs: tuple, params: tuple) -> None:
        """An op made a constant (no input needs a gradient, no_grad(), or an op without
        gradient, as a comparison): the replay computes it again from its inputs' data."""
        if not self.depth:
            self.made[id(out)] = (out, op, tuple(inputs), owned(params) if params else ())

    def on_grad_call(self) -> None:
        if not self.depth:
            raise RuntimeError("autograd.compile: fn calls autograd.grad(), which a replay "
                               "cannot repeat (its results are Values made from raw data); "
                               "call backward() instead, or do not compile this function")

    def on_new_data(self, value: Value) -> None:
        if self.depth:
            self.data_changed = True
            return
        raise RuntimeError(
            f"autograd.compile: fn assigns new data to a Value (shape {value.shape}) outside "
            "an optimizer step; a replay cannot repeat Python arithmetic on data. Do it in "
            "a function marked @autograd.compile.replayed (as nn.optim's step() is), or "
            "outside the compiled function")

    def on_new_grad(self, value: Value) -> None:
        if self.depth:
            return
        g = value._grad
        if g is not None and np.any(g):
            raise RuntimeError(
                f"autograd.compile: fn sets .grad of a Value (shape {value.shape}) to nonzero "
                "numbers, which a replay cannot recompute; only resetting it (zero_grad(), "
                "p.grad = 0) is replayed. Do it in a @autograd.compile.replayed function")
        self.events.append(("grad", value, g))

    def effect(self, function, args, kwargs):
        if self.depth:
            return function(*args, **kwargs)
        self.depth += 1
        self.data_changed = False
        try:
            result = function(*args, **kwargs)
        finally:
            self.depth -= 1
        self.events.append(("effect", function, args, kwargs))
        if self.data_changed and self.data_since is None:
            self.data_since = _value_module._data_clock
        return result


class _Node:
    """A Value of the traced graph, as plain facts (the graph itself is not kept)."""

    __slots__ = ("op", "inputs", "params", "data", "name", "grad", "slot", "requires_grad",
                 "original", "value")

    def __init__(self, v: Value, index: dict, slots: dict, made: dict):
        _, self.op, parents, self.params = made.get(id(v)) or (v, v._op, v.parents, v._params)
        self.inputs = tuple(index[id(p)] for p in parents)
        self.data = v._data
        self.name = v.name
        self.grad = v._grad
        self.slot, self.requires_grad, self.original = slots.get(id(v),
                                                                (None, v.requires_grad, False))
        # A leaf that is not an argument: a weak reference, to tell afterwards whether
        # anything but the graph holds it (a parameter) or not (a constant made inside fn).
        self.value = weakref.ref(v) if self.op is None and self.slot is None else None


class _Record:
    """Everything a trace saw, with no reference to its graph's Values."""

    def __init__(self, tracer: _Tracer, returned: list):
        roots = returned + [e[1] for e in tracer.events if e[0] == "backward"]
        roots += [e[1] for e in tracer.events if e[0] == "grad"]
        made = tracer.made
        values = _topological(roots, made)
        index = {id(v): i for i, v in enumerate(values)}
        self.nodes = [_Node(v, index, tracer.slots, made) for v in values]
        for v, node in zip(values, self.nodes):  # eager mode links a node only if an input
            if v._op is not None:                 # needs a gradient
                node.requires_grad = any(self.nodes[i].requires_grad for i in node.inputs)
        if tracer.data_since is not None and any(
                v._version >= tracer.data_since for v, node in zip(values, self.nodes)
                if node.op is not None):
            raise RuntimeError("autograd.compile: fn builds graph after an optimizer step "
                               "changed data; a replay computes the forward first. Call "
                               "step() at the end of fn")
        self.events = []
        for event in tracer.events:
            if event[0] == "backward":
                _, root, seed, order = event
                self.events.append(("backward", index[id(root)], seed,
                                    [index[id(v)] for v in order]))
            elif event[0] == "grad":
                self.events.append(("grad", index[id(event[1])], event[2]))
            else:
                self.events.append(event)
        self.returned = [index[id(v)] for v in returned]
        self.read = tracer.read


def _topological(roots, made: dict) -> list:
    """Every Value that leads to `roots` (through nodes, and constants `made` by ops),
    inputs before the Values made from them: the order of a depth-first search, which for
    straight code is the order it ran in."""
    order, seen = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.append((v, True))
        parents = made[id(v)][2] if id(v) in made else v.parents
        stack.extend((p, False) for p in reversed(parents) if id(p) not in seen)
    return order


# ---- writing the replay ------------------------------------------------------------------------
_BUILTINS = frozenset(dir(builtins))


class _Source:
    """Lines of Python being written, and the objects their names refer to."""

    def __init__(self):
        self.lines = []
        self.namespace = {"np": np, "tanh": math.tanh, "inf": math.inf, "nan": math.nan,
                          "fit": _fitted, "accumulate": _accumulate, "result": _result}
        self.taken = set(self.namespace) | _BUILTINS | set(keyword.kwlist)
        self.counts = {}
        self.bound = {}

    def name(self, base: str, numbered: bool = False) -> str:
        """A new identifier: `base` (or base2, base3, ...), or base1, base2, ... if numbered."""
        if not base.isidentifier() or keyword.iskeyword(base):
            base, numbered = "v", True
        if base in _BUILTINS:  # sum, max, pow: as ops.py names them
            base += "_"
        while True:
            k = self.counts[base] = self.counts.get(base, 0) + 1
            name = f"{base}{k}" if numbered else base if k == 1 else f"{base}_{k}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def bind(self, base: str, obj, numbered: bool = False) -> str:
        """The name of `obj` in the replay's namespace (each object is bound once)."""
        if id(obj) not in self.bound:
            name = self.name(base, numbered)
            self.namespace[name] = obj
            self.bound[id(obj)] = (name, obj)
        return self.bound[id(obj)][0]

    def literal(self, x) -> str:
        """Source for a parameter: its repr if that reads back as it, else a bound name."""
        if x is None or type(x) in (bool, int, str) or (type(x) is float and math.isfinite(x)):
            return repr(x)
        if type(x) is tuple:
            items = [self.literal(item) for item in x]
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if type(x) is slice:
            return f"slice({self.literal(x.start)}, {self.literal(x.stop)}, " \
                   f"{self.literal(x.step)})"
        return self.bind("k", x, numbered=True)

    def constant(self, data) -> str:
        """Source for a constant's data: a float literal, else a bound array."""
        if type(data) is float:
            return repr(data) if math.isfinite(data) or math.isnan(data) else \
                ("inf" if data > 0 else "-inf")
        return self.bind("c", data, numbered=True)

    def forward(self, op) -> str:
        """The name of op's forward (as eager mode runs it)."""
        return self._op_part(op, None, op.name, _forward_of)

    def vjp(self, op, i: int) -> str:
        """The name of op's VJP for input i (as the eager sweep calls it)."""
        return self._op_part(op, i, f"{op.name}_vjp{i}", lambda op: _vjp_of(op, i))

    def _op_part(self, op, i, base: str, make) -> str:
        key = (id(op), i)
        if key not in self.bound:
            self.bound[key] = (self.bind(base, make(op)), op)
        return self.bound[key][0]


def _forward_of(op):
    """op's forward on raw data, exactly as eager mode computes it (`ops.compute`)."""
    n = op.arity

    def forward(*args):
        return compute(op, args[:n], args[n:])
    forward.__qualname__ = f"forward of {op.name}"
    return forward


def _vjp_of(op, i: int):
    """op's VJP for input i as the eager sweep calls it: numpy's IEEE results where math
    raises, and the result fitted to the input's shape and dtype. It is called with the
    inputs (or, for ops whose VJPs do not take them, input i alone), then the parameters."""
    vjp, take_inputs = op.vjps[i], op.vjps_take_inputs

    def term(g, out, *args):
        like, args = (args[i], args) if take_inputs else (args[0], args[1:])
        try:
            gp = vjp(g, out, *args)
        except ArithmeticError:
            gp = _vjp_as_ieee(vjp, g, out, args)
        return gp if type(gp) is float else _fitted(gp, like)
    term.__qualname__ = f"vjp {i} of {op.name}"
    return term


def _accumulate(value: Value, g) -> None:
    """value.grad += g, as backward() adds a sweep's gradient to `.grad`."""
    total = g if value._grad is None else value._grad + g
    value._grad = total if type(total) is float or type(total) is np.ndarray \
        else np.asarray(total)


def _result(data, name=None) -> Value:
    """A returned Value of the replay: the data, no graph (its `.grad` is added later)."""
    out = Value._make(data)
    out.name = name
    return out


class _Writer:
    """Turns a _Record into the replay's source, in three passes: which gradients and
    forward values are needed, their names, then the lines."""

    def __init__(self, record: _Record, fn_name: str, argument_names: list, leaf_names: dict):
        self.record, self.nodes, self.returned = record, record.nodes, set(record.returned)
        self.src = _Source()
        self.value_names = {}   # node -> name of its Value object (live ones, arguments)
        self.names = {}         # node -> name (or literal) of its data
        self.needed = set()     # nodes whose forward value the replay computes
        self.blocks = [self._plan(event) if event[0] == "backward" else None
                       for event in record.events]
        self._name_everything(argument_names, leaf_names)
        self.src.lines.append(f"def {fn_name}({', '.join(self.parameters)}):")
        self._write()

    def _live(self, i: int) -> bool:
        """Does node i outlive the call, so that its .grad must be written?"""
        node = self.nodes[i]
        return node.original or node.value is not None or i in self.returned

    def _plan(self, event):
        """The eager sweep of one backward() as a list of (node, input position) terms,
        leaving out gradients that reach no Value outside the call."""
        _, root, _, order = event
        nodes = self.nodes
        reaches = {}
        for i in order:
            node = nodes[i]
            reaches[i] = (node.requires_grad and self._live(i)) or any(
                reaches.get(p, False) for p in node.inputs)
        terms = []
        for i in reversed(order):
            node = nodes[i]
            if node.op is None or not reaches[i]:
                continue
            templates = self._templates(i)
            for k, p in enumerate(node.inputs):
                if node.op.vjps[k] is not None and nodes[p].requires_grad and \
                        reaches.get(p, False):
                    terms.append((i, k))
                    if templates is None:  # the VJP gets out and the inputs
                        self.needed.add(i)
                        self.needed.update(node.inputs if node.op.vjps_take_inputs else (p,))
                    else:  # the forward values the inline form reads
                        if "{out}" in templates[k]:
                            self.needed.add(i)
                        self.needed.update(p for n, p in enumerate(node.inputs)
                                           if "{%d}" % n in templates[k])
        return terms

    def _templates(self, i: int):
        """The inline VJP forms of node i's op, or None."""
        node = self.nodes[i]
        return _VJPS.get(_kind(node.data), {}).get(node.op.name)

    def _name_everything(self, argument_names: list, leaf_names: dict) -> None:
        src, nodes = self.src, self.nodes
        self.needed.update(self.record.returned)
        for i in reversed(range(len(nodes))):  # inputs of needed values are needed
            if i in self.needed and nodes[i].op is not None:
                self.needed.update(nodes[i].inputs)
        slot_names = {}
        self.parameters = []
        for slot, base in enumerate(argument_names):
            slot_names[slot] = src.name(base)
            self.parameters.append(src.name(f"{base}_value"))
        for i, node in enumerate(nodes):
            if node.slot is not None:
                self.names[i] = slot_names[node.slot]
                if node.original:  # the argument itself, not a detached copy
                    self.value_names[i] = self.parameters[node.slot]
            elif node.op is None and node.value is None:
                self.names[i] = src.constant(node.data)
            elif node.op is None:
                base = leaf_names.get(id(node.value)) or node.name
                self.names[i] = src.name(base or "v", numbered=not base)
                self.value_names[i] = src.bind(f"{self.names[i]}_value", node.value)
            elif i in self.needed:
                returned = i in self.record.returned
                self.names[i] = src.name(node.name or ("out" if returned else "t"),
                                         numbered=not (node.name or returned))

    def _write(self) -> None:
        src, nodes, names = self.src, self.nodes, self.names
        lines = src.lines
        loaded = set()
        for i, node in enumerate(nodes):  # the data of the Values outside the call
            if node.op is None and i in self.needed and names[i] not in loaded:
                if node.slot is not None:
                    loaded.add(names[i])
                    lines.append(f"    {names[i]} = {self.parameters[node.slot]}._data")
                elif node.value is not None:
                    loaded.add(names[i])
                    lines.append(f"    {names[i]} = {self.value_names[i]}._data")
        for i, node in enumerate(nodes):
            if node.op is not None and i in self.needed:
                lines.append(f"    {names[i]} = {self._forward_expression(i)}")
        for i in self.record.returned:
            if i not in self.value_names:
                self.value_names[i] = src.name(f"{names[i]}_value")
                name = f", {nodes[i].name!r}" if nodes[i].name else ""
                lines.append(f"    {self.value_names[i]} = result({names[i]}{name})")
        for event, block in zip(self.record.events, self.blocks):
            if event[0] == "backward":
                self._write_block(event, block)
            elif event[0] == "grad":
                _, i, g = event
                if self._live(i):
                    lines.append(f"    {self.value_names[i]}._grad = "
                                 f"{'None' if g is None else src.constant(g)}")
            else:
                _, function, args, kwargs = event
                qualname = function.__qualname__.rpartition("<locals>.")[2]  # SGD.step
                call = src.bind(qualname.replace(".", "_"),
                                functools.partial(function, *args, **kwargs))
                lines.append(f"    {call}()")
        returned = [self.value_names[i] for i in self.record.returned]
        lines.append(f"    return ({returned[0]},)" if len(returned) == 1 else
                     f"    return ({', '.join(returned)})")

    def _forward_expression(self, i: int) -> str:
        node, src = self.nodes[i], self.src
        args = [self.names[p] for p in node.inputs] + [src.literal(x) for x in node.params]
        template = _FORWARD.get(_kind(node.data), {}).get(node.op.name)
        if template is not None:
            return template.format(*args)
        return f"{src.forward(node.op)}({', '.join(args)})"

    def _write_block(self, event, terms) -> None:
        _, root, seed, _ = event
        src, nodes, names = self.src, self.nodes, self.names
        lines = src.lines
        grads = {}  # node -> name of its gradient so far, in the order the sweep adds them
        lines.append(f"    # {names.get(root, 'the root')}.backward()")
        grads[root] = self._gradient_name(root)
        if type(seed) is float:
            lines.append(f"    {grads[root]} = {seed!r}")
        elif np.all(seed == 1):
            dtype = src.bind(str(seed.dtype), seed.dtype)
            lines.append(f"    {grads[root]} = np.ones({seed.shape}, {dtype})")
        else:
            lines.append(f"    {grads[root]} = {src.constant(seed)}")
        for i, k in terms:
            if i not in grads:  # its only consumers pass no gradient (VJPs of None)
                continue
            node = nodes[i]
            p = node.inputs[k]
            term = self._term(i, k, grads[i])
            if p in grads:
                term = f"({term})" if " if " in term else term
                lines.append(f"    {grads[p]} = {grads[p]} + {term}")
            else:
                grads[p] = self._gradient_name(p)
                lines.append(f"    {grads[p]} = {term}")
        for i, g in grads.items():
            if i in self.value_names and nodes[i].requires_grad:
                lines.append(f"    accumulate({self.value_names[i]}, {g})")

    def _gradient_name(self, i: int) -> str:
        return self.src.name(f"g_{self.names.get(i, 't')}")

    def _term(self, i: int, k: int, g: str) -> str:
        node, src, names = self.nodes[i], self.src, self.names
        parent = self.nodes[node.inputs[k]]
        args = [names[p] for p in node.inputs]
        params = [src.literal(x) for x in node.params]
        templates = self._templates(i)
        template = None if templates is None else templates[k]
        if template is None:
            operands = args if node.op.vjps_take_inputs else [args[k]]
            return f"{src.vjp(node.op, k)}({', '.join([g, names[i], *operands, *params])})"
        term = template.format(*args, *params, g=g, out=names[i])
        if _kind(node.data) == "array" and (
                type(parent.data) is float or _signature(parent.data) != _signature(node.data)):
            term = f"fit({term}, {args[k]})"
        return term


# ---- calls: arguments, checks, replays ------------------------------------------------------
def _flatten(tree, values: list, others: list):
    """The skeleton of `tree` (tuples, lists, dicts); its Values are appended to `values`,
    everything else to `others`, in order."""
    if isinstance(tree, Value):
        values.append(tree)
        return Value
    if type(tree) in (tuple, list):
        return type(tree), tuple(_flatten(x, values, others) for x in tree)
    if type(tree) is dict:
        return dict, tuple(tree), tuple(_flatten(x, values, others) for x in tree.values())
    others.append(tree)
    return None


def _unflatten(skeleton, values, others):
    """The tree of `skeleton` with its Values and other leaves taken from two iterators."""
    if skeleton is Value:
        return next(values)
    if skeleton is None:
        return next(others)
    if skeleton[0] is dict:
        return {key: _unflatten(s, values, others) for key, s in zip(skeleton[1], skeleton[2])}
    return skeleton[0](_unflatten(s, values, others) for s in skeleton[1])


_NONES = itertools.repeat(None)  # what fn returns besides Values: only None


def _same(a, b) -> bool:
    """Is the argument `a` what the trace saw as `b`? Arrays and numbers by value, other
    objects (a model, a function) by identity."""
    if type(a) is not type(b):
        return False
    if type(a) is np.ndarray:
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b))
    if a is None or isinstance(a, (bool, int, float, complex, str, bytes, np.generic)):
        return bool(a == b)
    return a is b


def _kept(x):
    """x as a trace keeps it to compare later calls with: arrays copied (the caller may
    change theirs), everything else as it is."""
    return np.array(x) if type(x) is np.ndarray else x


def _argument_names(fn, args: tuple, kwargs: dict) -> list:
    """A readable name for each Value argument, in `_flatten` order: the Value's name, else
    fn's parameter name (with positions inside tuples and lists)."""
    try:
        positional = [p.name for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):  # no signature to read
        positional = []
    names = []

    def walk(tree, base):
        if isinstance(tree, Value):
            names.append(tree.name or base)
        elif type(tree) in (tuple, list):
            for i, x in enumerate(tree):
                walk(x, f"{base}_{i}")
        elif type(tree) is dict:
            for key, x in tree.items():
                walk(x, f"{base}_{key}")
    for i, arg in enumerate(args):
        walk(arg, positional[i] if i < len(positional) else f"arg{i}")
    for key, arg in kwargs.items():
        walk(arg, key)
    return names


def _seen_by(fn, others: list) -> tuple[list, dict]:
    """What fn reaches by name: the modules (objects with `parameters()`) it is given, is,
    or names in its closure or globals, whose parameters later calls compare (a parameter
    replaced or added means a new trace); and a name for each Value among those, for the
    replay's source (a parameter's dotted name, else the variable's)."""
    found = [(None, x) for x in others] + [(None, fn), (None, getattr(fn, "__self__", None))]
    code = getattr(fn, "__code__", None)
    if code is not None:
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                found.append((name, cell.cell_contents))
            except ValueError:  # a cell not filled yet
                pass
        found += [(name, fn.__globals__[name]) for name in code.co_names
                  if name in fn.__globals__]
    modules, names = {}, {}
    for name, obj in found:
        if isinstance(obj, Value):
            names.setdefault(id(obj), name)
        elif not isinstance(obj, type) and callable(getattr(obj, "parameters", None)):
            modules[id(obj)] = obj
            for dotted, p in getattr(obj, "named_parameters", lambda: ())():
                names[id(p)] = dotted.replace(".", "_")
    return list(modules.values()), names


def _run_and_record(fn, skeleton, values: list, others: list):
    """Run fn once on stand-ins of its Value arguments, recording; return the _Record and
    the skeleton of what fn returned. No Value of the graph outlives this function."""
    tracer = _Tracer()
    stand_ins = [tracer.stand_in(v, slot) for slot, v in enumerate(values)]
    args, kwargs = _unflatten(skeleton, iter(stand_ins), iter(others))
    state.tracer = tracer
    try:
        out = fn(*args, **kwargs)
    finally:
        state.tracer = None
    for arg, v in zip(stand_ins, values):
        if v.requires_grad:  # the gradient eager mode gave the argument
            v._grad = arg._grad
    returned, constants = [], []
    out_skeleton = _flatten(out, returned, constants)
    for x in constants:
        if x is not None:
            raise TypeError(f"autograd.compile: fn returned a {type(x).__name__}, which a "
                            "replay would return unchanged; return Values (or tuples, lists, "
                            "dicts of them) and read numbers from them outside fn")
    return _Record(tracer, returned), out_skeleton


class _Trace:
    """One recorded call: its replay function and what a later call must match to use it."""

    def __init__(self, fn, record: _Record, skeleton, values, others, names, out_skeleton):
        fn_name = getattr(fn, "__name__", "")
        fn_name = fn_name if fn_name.isidentifier() and fn_name != "<lambda>" else "step"
        modules, leaf_names = _seen_by(fn, others)
        writer = _Writer(record, fn_name, names, leaf_names)
        self.source = "\n".join(writer.src.lines)
        filename = f"<autograd.compile of {fn_name}>"
        linecache.cache[filename] = (len(self.source), None, writer.src.lines, filename)
        namespace = writer.src.namespace
        exec(builtins.compile(self.source, filename, "exec"), namespace)
        self.function = namespace[fn_name]
        self.out_skeleton = out_skeleton
        self.skeleton, self.others = skeleton, [_kept(x) for x in others]
        self.names = names
        self.arguments = [(_signature(v._data), v.requires_grad) for v in values]
        self.read = {slot: _kept(values[slot]._data) for slot in record.read}
        self.live = [(node.value, _signature(node.value._data), node.value.requires_grad)
                     for node in record.nodes if node.value is not None]
        self.modules = [(m, tuple(m.parameters())) for m in modules]
        self.effect_objects = list({id(x): x for event in record.events
                                    if event[0] == "effect" for x in event[2]
                                    if hasattr(x, "__dict__") and not callable(x)}.values())

    def mismatch(self, values: list, others: list, skeleton) -> tuple | None:
        """None if this call can replay the trace, else (how far it got, why not)."""
        if skeleton != self.skeleton:
            return 0, "the arguments are not the same kinds of things as before"
        for x, kept in zip(others, self.others):
            if not _same(x, kept):
                return 1, f"an argument that is not a Value changed ({type(x).__name__}); " \
                          "such arguments are constants of a trace (pass a Value for an input)"
        for name, v, (signature, requires_grad) in zip(self.names, values, self.arguments):
            if _signature(v._data) != signature:
                return 2, f"argument {name} is {_describe(_signature(v._data))}, the " \
                          f"trace's was {_describe(signature)}"
            if v.requires_grad != requires_grad:
                return 3, f"argument {name} has requires_grad={v.requires_grad} now"
        for slot, kept in self.read.items():
            if not _same(values[slot]._data, kept):
                return 4, f"fn reads the data of argument {self.names[slot]} in Python, and " \
                          "it changed"
        for v, signature, requires_grad in self.live:
            if _signature(v._data) != signature or v.requires_grad != requires_grad:
                return 5, f"a Value the graph uses ({v.name or 'unnamed'}, " \
                          f"{_describe(signature)}) is {_describe(_signature(v._data))} " \
                          f"with requires_grad={v.requires_grad} now"
        for module, parameters in self.modules:
            now = module.parameters()
            if len(now) != len(parameters) or any(a is not b for a, b in zip(now, parameters)):
                return 6, f"a parameter of {type(module).__name__} was added or replaced"
        return None


def _why_eager() -> str | None:
    """Why a compiled function must run eagerly now (in this thread), or None."""
    if state.tracer is not None:
        return "called while another function is traced: runs eagerly, so that trace " \
               "sees its graph"
    if not state.recording:
        return "no_grad() is on: runs eagerly (no graph is recorded to trace)"
    if state.anomaly:
        return "detect_anomaly() is on: runs eagerly, so that every op is checked"
    return None


class Compiled:
    """A function compiled by `compile`: call it as you would call fn. `code` is the source
    of its most recent trace's replay."""

    def __init__(self, fn, check: bool = False, debug: bool = False):
        functools.update_wrapper(self, fn, updated=())
        self.fn, self.check, self.debug = fn, check, debug
        self.traces: list[_Trace] = []  # the most recently used first
        self.traced = 0
        self._said = set()
        self._lock = threading.Lock()  # replays share the generated functions' names

    @property
    def code(self) -> str | None:
        """The replay of the most recent trace, as Python source (None before the first call)."""
        return self.traces[0].source if self.traces else None

    def _say(self, message: str) -> None:
        if self.debug and message not in self._said:
            self._said.add(message)
            print(f"autograd.compile({getattr(self.fn, '__name__', 'fn')}): {message}",
                  file=sys.stderr)

    def __call__(self, *args, **kwargs):
        eager = _why_eager()
        if eager:
            self._say(eager)
            return self.fn(*args, **kwargs)
        values, others = [], []
        skeleton = _flatten((args, kwargs), values, others)
        with self._lock:
            reason = (-1, "the first call")
            for n, trace in enumerate(self.traces):
                mismatch = trace.mismatch(values, others, skeleton)
                reason = max(reason, mismatch or reason)  # from the trace that fits best
                if mismatch is None:
                    self.traces.insert(0, self.traces.pop(n))
                    if self.check:
                        return self._checked(trace, args, kwargs, values)
                    return _unflatten(trace.out_skeleton, iter(trace.function(*values)),
                                      _NONES)
            if self.traced >= MAX_TRACES:
                self._say(f"{MAX_TRACES} traces made already: runs eagerly from now on "
                          f"(the last reason: {reason[1]})")
                return self.fn(*args, **kwargs)
            self._say(f"tracing, because {reason[1]}")
            self.traced += 1
            record, out_skeleton = _run_and_record(self.fn, skeleton, values, others)
            for node in record.nodes:  # a leaf nothing else holds is a constant now
                node.value = node.value() if node.value is not None else None
            trace = _Trace(self.fn, record, skeleton, values, others,
                           _argument_names(self.fn, args, kwargs), out_skeleton)
            self.traces.insert(0, trace)
            del self.traces[MAX_TRACES:]
            results = {}  # what the replay would have returned
            for i in record.returned:
                node = record.nodes[i]
                if node.original or node.value is not None:
                    results[i] = values[node.slot] if node.original else node.value
                elif i not in results:
                    results[i] = _result(node.data, node.name)
                    results[i]._grad = node.grad
            return _unflatten(out_skeleton, (results[i] for i in record.returned), _NONES)

    def _checked(self, trace: _Trace, args, kwargs, values: list):
        """Replay, put every Value and effect's object back as it was, run fn eagerly, and
        raise at the first difference; return the eager results."""
        live = list(values) + [v for v, _, _ in trace.live]
        before = [(v._data, v._grad, v._version) for v in live]
        states = [_state_of(obj) for obj in trace.effect_objects]
        results = trace.function(*values)
        after = [(v._data, v._grad) for v in live]
        for v, (data, g, version) in zip(live, before):
            v._data, v._grad, v._version = data, g, version
        for obj, saved in zip(trace.effect_objects, states):
            vars(obj).clear()
            vars(obj).update(saved)
        out = self.fn(*args, **kwargs)
        eager, constants = [], []
        if _flatten(out, eager, constants) != trace.out_skeleton:
            raise RuntimeError("autograd.compile(check=True): fn returned something else "
                               "than in its trace")
        pairs = [(f"returned Value {n}", (r._data, r._grad), e)
                 for n, (r, e) in enumerate(zip(results, eager))]
        pairs += [(f"Value {v.name or n} (shape {v.shape})", a, v)
                  for n, (v, a) in enumerate(zip(live, after))]
        for what, replayed_state, v in pairs:
            for field, a, b in zip(("data", "grad"), replayed_state, (v._data, v._grad)):
                if _differs(a, b):
                    raise RuntimeError(
                        f"autograd.compile(check=True): the {field} of {what} differs: "
                        f"replay {a!r}, eager mode {b!r}. Does fn's graph depend on data "
                        "(Python control flow, numbers read with .item())?")
        return out


def _state_of(obj) -> dict:
    """A copy of obj's attributes deep enough to undo a step (lists and arrays copied)."""
    return {k: v.copy() if type(v) in (list, dict, np.ndarray) else v
            for k, v in vars(obj).items()}


def _differs(a, b) -> bool:
    if type(a) is not type(b):
        return True
    if type(a) is float:
        return not (a == b or (a != a and b != b))
    if type(a) is np.ndarray:
        return a.shape != b.shape or a.dtype != b.dtype or \
            not np.array_equal(a, b, equal_nan=True)
    return a is not None


def compile(fn=None, *, check: bool = False, debug: bool = False):
    """Compile `fn` (a training step, say): the first call runs it and records its graph,
    later calls with inputs of the same shapes and dtypes replay that record as
    straight-line Python. Usable as `@compile` or `@compile(check=True)`.

    `check=True` runs eager mode beside every replay (and undoes the replay first) and
    raises at the first difference in a result, a `.data` or a `.grad`: slow, for finding
    what a trace cannot see. `debug=True` prints, once each, why fn was traced again or
    ran eagerly. `compiled.code` is the replay's source. See the module's docstring for
    what a replay reads, writes and checks.

    Values fn reads in Python (`loss.item()`, `v.data`) are trace-time constants, and
    data-dependent Python control flow cannot be seen by a trace.
    """
    if fn is None:
        return lambda fn: Compiled(fn, check, debug)
    return Compiled(fn, check, debug)


compile.replayed = replayed  # @autograd.compile.replayed, as the error messages say
