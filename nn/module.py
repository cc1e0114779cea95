"""`Module`, the base class of every layer and model, saving and loading its weights.

A Module finds its parameters itself: it walks its attributes in the order they were
assigned and collects Values that require grad, sub-Modules, and lists or tuples of
either. Nothing has to be registered, as in micrograd and tinygrad. Buffers (state that
is saved with the weights but not trained, such as batch norm's running statistics) are
the one thing a module registers, with `register_buffer`, as in PyTorch.
"""
from __future__ import annotations

import os
import reprlib
import sys

import numpy as np

from autograd import Value
from autograd.compile import replayed

from . import drawing
from .npz import read_npz, write_npz


class Module:
    """Base class of layers and models: subclass it, assign parameters, define `forward`.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale = Value(np.ones(3))
    ...         self.shift = Value(np.zeros(3))
    ...     def forward(self, x):
    ...         return x * self.scale + self.shift
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale', 'shift']
    """

    training = True
    """Training mode (the default) or evaluation mode: see `train` and `eval`."""

    def forward(self, *args, **kwargs):
        """The computation of this module; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        if isinstance(out, Value) and not out.is_leaf:
            drawing.returned_by.add(out, self)  # the innermost module's call comes first
        return out

    def graph_groups(self, values) -> dict:
        """The module boxes of `autograd.draw_graph(root, module=self)`: Value -> nested
        box labels (see `nn.drawing`)."""
        return drawing.groups(self, values)

    @reprlib.recursive_repr()  # a module already being printed (a cycle) shows as "..."
    def __repr__(self):
        children = [(name, obj) for name, obj in self._members() if isinstance(obj, Module)]
        if not children:
            return f"{type(self).__name__}()"
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        return "\n".join([f"{type(self).__name__}(", *lines, ")"])

    def _members(self):
        """(name, Value or Module) for each attribute, lists and tuples flattened as name.i
        (each list or tuple once, under its first name: a list may hold itself)."""
        flattened = set()
        stack = list(reversed(vars(self).items()))
        while stack:
            name, obj = stack.pop()
            if isinstance(obj, (Value, Module)):
                yield name, obj
            elif isinstance(obj, (list, tuple)) and id(obj) not in flattened:
                flattened.add(id(obj))
                stack.extend((f"{name}.{i}", item) for i, item in reversed(list(enumerate(obj))))

    def _walk(self):
        """(dotted name, object) for this module (named "") and every Value and Module below
        it: depth first, in the order the attributes were assigned, each object once (as in
        PyTorch, so a child that refers back to its parent ends the walk, not hangs it)."""
        seen = set()
        stack = [("", self)]
        while stack:
            name, obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield name, obj
            if isinstance(obj, Module):
                prefix = name + "." if name else ""
                stack.extend(reversed([(prefix + n, o) for n, o in obj._members()]))

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named "") and every sub-module below it, each once, with dotted names.

        >>> [name for name, _ in nn.MLP([2, 3, 1]).named_modules()][:3]
        ['', 'layers.0', 'layers.0.activation']
        """
        return [(name, obj) for name, obj in self._walk() if isinstance(obj, Module)]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter (a Value that requires grad), in the
        order the attributes were assigned, each once.

        >>> [name for name, _ in nn.MLP([2, 3, 1]).named_parameters()]
        ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
        """
        return [(name, obj) for name, obj in self._walk()
                if isinstance(obj, Value) and obj.requires_grad]

    def parameters(self) -> list[Value]:
        """Every parameter (a Value that requires grad), in the order of `named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name: str, array) -> None:
        """Keep `array` (a numpy array, updated in place) as the attribute `name`, saved and
        loaded with the parameters but never trained: batch norm's running statistics."""
        self.__dict__.setdefault("_buffer_names", {})[name] = None  # a dict keeps the order
        setattr(self, name, np.asarray(array))

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """(dotted name, array) for every buffer of this module and those below it."""
        return [(f"{prefix}.{name}" if prefix else name, getattr(module, name))
                for prefix, module in self.named_modules()
                for name in module.__dict__.get("_buffer_names", ())]

    def buffers(self) -> list[np.ndarray]:
        """Every buffer, in the order of `named_buffers`."""
        return [b for _, b in self.named_buffers()]

    def train(self, mode: bool = True) -> Module:
        """Set training mode (or evaluation mode for `mode=False`) on this module and every
        module below it; returns self. Dropout drops only in training mode, and batch norm
        normalises with the batch's statistics (and updates its running ones) only then."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode is expected to be a bool, got {type(mode).__name__}")
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode, `train(False)`: dropout off, batch norm on its running statistics."""
        return self.train(False)

    @replayed
    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero."""
        for p in self.parameters():
            p.zero_grad()

    def num_parameters(self) -> int:
        """How many numbers the parameters hold in total."""
        return sum(p.size for p in self.parameters())

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's data and every buffer as numpy arrays, keyed by
        dotted name (the parameters first)."""
        return {name: np.array(getattr(x, "data", x)) for name, x in self._state()}

    def _state(self) -> list[tuple[str, Value | np.ndarray]]:
        """(name, parameter or buffer): what state_dict, save and load hold."""
        return self.named_parameters() + self.named_buffers()

    def load_state_dict(self, state: dict) -> None:
        """Set the parameters and buffers from `state` (name -> array or Value), as
        `state_dict` gives.

        Everything is checked first: a missing, unexpected, non-numeric or wrongly shaped
        entry raises one `ValueError` listing them all, and the module is left unchanged.
        Arrays are copied and cast to each parameter's (or buffer's) dtype.

        A PyTorch state dict (torch tensors) is read in the names and layouts of
        `nn.to_torch(self)`: `model.load_state_dict(net.state_dict())`.
        """
        if _holds_torch_tensors(state):
            from .convert import state_from_torch  # here: convert builds on layers, on Module
            state, problems = state_from_torch(self, state)
            if problems:
                raise _refusal(self, problems, source=" from a PyTorch state dict")
        arrays = {name: np.asarray(arr.data if isinstance(arr, Value) else arr)
                  for name, arr in state.items()}
        self._check_fits({name: (arr.shape, arr.dtype) for name, arr in arrays.items()},
                         "load_state_dict into")
        for name, x in self._state():
            arr = arrays[name]
            if not isinstance(x, Value):
                x[...] = arr  # a buffer, in place: whoever holds it sees the new values
            else:
                x.data = float(arr) if type(x.data) is float else np.array(arr, dtype=x.dtype)

    def _check_fits(self, entries: dict, action: str) -> None:
        """Raise one ValueError listing every problem with loading `entries` (name ->
        (shape, dtype)) into the parameters and buffers: missing, unexpected, non-numeric,
        misshaped."""
        params = dict(self._state())
        problems = [f"missing {name!r}" for name in params if name not in entries]
        problems += [f"unexpected {name!r}" for name in entries if name not in params]
        for name, p in params.items():
            if name not in entries:
                continue
            shape, dtype = entries[name]
            if dtype.kind not in "biuf":
                problems.append(f"{name!r} holds {dtype} data, not numbers")
            elif shape != p.shape:
                kind = "parameter" if isinstance(p, Value) else "buffer"
                problems.append(f"{name!r} has shape {shape}, the {kind} {p.shape}")
        if problems:
            raise _refusal(self, problems, action)

    def save(self, path: str | os.PathLike) -> None:
        """Write the parameters (and buffers) to `path` as a numpy `.npz` archive (exactly
        that file name).

        Any parameter name works. The file is replaced in one step, so if saving fails the
        previous file at `path` is left as it was. Read it back with `model.load(path)` or
        `nn.load_state(path)` (or `np.load`).
        """
        write_npz(path, self.state_dict())

    def load(self, path: str | os.PathLike) -> Module:
        """Load parameters saved by `save` into this module and return the module.

        The names, shapes and dtypes in the file's headers are checked against the
        parameters before any array data is read; on any problem the module is unchanged.

        >>> model = nn.MLP([2, 3, 1]).load("weights.npz")    # doctest: +SKIP
        """
        def check(headers):  # called with every member's (shape, dtype), before any data
            self._check_fits(headers, f"load {os.fspath(path)!r} into")
        self.load_state_dict(read_npz(path, check))
        return self


def _refusal(module: Module, problems: list[str], action: str = "load_state_dict into",
             source: str = "") -> ValueError:
    return ValueError(f"{action} {type(module).__name__}{source}: "
                      + "; ".join(problems) + " (no parameter was changed)")


def _holds_torch_tensors(state: dict) -> bool:
    torch = sys.modules.get("torch")  # a torch tensor means torch is imported: never import it
    return torch is not None and any(isinstance(v, torch.Tensor) for v in state.values())


def load_state(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a state dict (name -> array) from an `.npz` file written by `Module.save`.

    Loading never unpickles: unpickling can run arbitrary code, so a file that holds
    pickled Python objects raises `ValueError` instead, as does a damaged file or one
    that is no `.npz` archive; the message names the file.
    """
    return read_npz(path)
