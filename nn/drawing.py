"""Which module box each Value of a graph is drawn in: `nn`'s side of `draw_graph(module=)`.

`autograd.draw_graph` knows nothing of modules: it asks the object passed as `module=` for
`named_parameters()` (to name them) and `graph_groups(values)` (to box them), which
`Module` answers with `groups` below. The rules, in order:

- a parameter goes in the box of the sub-module that owns it (`layers.0.weight` ->
  `layers.0`);
- a Value returned by a module's call goes in the innermost box around that module (a
  Layer's activation inside the layer); `Module.__call__` notes who returned what in
  `returned_by`, a map that holds no Value alive;
- an op that takes parameters directly goes in the innermost box holding all of them (a
  Linear layer's matmul and add);
- an op with no parameter but two or more inputs, all in one box, joins it (a scalar
  neuron's running sum).

Other Values, losses among them, stay outside every box.
"""
from __future__ import annotations

from autograd.value import WeakIdentityMap

returned_by = WeakIdentityMap()
"""Value -> the innermost module whose call returned it (noted by `Module.__call__`)."""


def groups(module, values) -> dict:
    """Value -> its nested boxes, outermost first, as labels such as ("layers.0 · Layer",)."""
    names = {}
    for name, p in module.named_parameters():
        names.setdefault(p, name)
    param_owner = {p: _owner_of(name, module) for p, name in names.items()}
    owner = _owners(values, param_owner, module)
    boxed = _boxed_paths(set(owner.values()), module)
    return {v: tuple(_label(a, module) for a in _prefixes(path) + [path] if a in boxed)
            for v, path in owner.items()}


def _owners(values, param_owner: dict, module) -> dict:
    """Value -> the module path of its box (see the rules above)."""
    returned = _returning_modules(values, module, set(param_owner.values()))
    owner = {}
    for v in values:  # inputs come first, so their owners are known
        if v in param_owner:
            owner[v] = param_owner[v]
        elif v in returned:
            owner[v] = returned[v]
        elif v.parents:
            params = [param_owner[p] for p in v.parents if p in param_owner]
            if params:
                owner[v] = _common_path(params)
            elif len(v.parents) > 1:
                inputs = {owner.get(p) for p in v.parents}
                if len(inputs) == 1 and None not in inputs:
                    owner[v] = inputs.pop()
    return owner


def _returning_modules(values, module, boxed: set) -> dict:
    """Value -> path of the innermost module with a box whose call returned it: a module
    without parameters of its own (an activation) hands its result to the one around it."""
    paths = {id(m): name for name, m in module.named_modules()}
    found = {}
    for v in values:
        path = paths.get(id(returned_by.get(v)))
        while path and path not in boxed:
            path = path.rpartition(".")[0]
        if path in boxed:
            found[v] = path
    return found


def _owner_of(name: str, module) -> str:
    """The sub-module that owns a parameter: `layers.0.weight` -> `layers.0`.

    Containers that are not modules are skipped (a scalar neuron's `neurons.1.w.0` belongs to
    `neurons.1`, not to its list `w`) when the path can be followed through `module`.
    """
    path = name.rpartition(".")[0]
    while path:
        sub = _submodule(module, path)
        if sub is None or hasattr(sub, "named_parameters"):
            break
        path = path.rpartition(".")[0]
    return path


def _common_path(paths: list) -> str:
    """The innermost module path containing all `paths` ("" is the top module)."""
    parts = [p.split(".") if p else [] for p in paths]
    common = []
    for level in zip(*parts):
        if any(x != level[0] for x in level):
            break
        common.append(level[0])
    return ".".join(common)


def _prefixes(path: str) -> list:
    """The proper prefixes of a module path, outermost first: "a.b" -> ["", "a"]."""
    parts = path.split(".") if path else []
    return [".".join(parts[:k]) for k in range(len(parts))]


def _submodule(module, path: str):
    """The object at a dotted path inside `module` (attributes or list indices), or None."""
    obj = module
    for part in path.split(".") if path else ():
        nxt = getattr(obj, part, None)
        if nxt is None and part.isdigit():
            try:
                nxt = obj[int(part)]
            except (TypeError, IndexError, KeyError):
                return None
        if nxt is None:
            return None
        obj = nxt
    return obj


def _boxed_paths(owners: set, module) -> set:
    """The module paths drawn as boxes: the owners, and the sub-modules around them (so a
    layer's box holds its neurons' boxes); the top module ("") only when it owns nodes
    itself (a Perceptron's weight), and containers that are not modules (lists) never."""
    paths = set(owners)
    for path in owners:
        paths.update(a for a in _prefixes(path)
                     if a and hasattr(_submodule(module, a), "named_parameters"))
    return paths


def _label(path: str, module) -> str:
    sub = _submodule(module, path)
    return " \u00b7 ".join(x for x in (path, type(sub).__name__ if sub is not None else "") if x)
