"""Graduating to PyTorch: `to_torch(model)` and `from_torch(module)` copy a model both ways.

    >>> net = nn.to_torch(nn.MLP([2, 16, 1], activation="tanh", rng=0))
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=16, bias=True)
      (1): Tanh()
      (2): Linear(in_features=16, out_features=1, bias=True)
    )
    >>> back = nn.from_torch(net)        # Sequential(Layer(2, 16, Tanh()), Linear(16, 1))

`model.load_state_dict(net.state_dict())` also takes torch's names and layouts.

How each class converts is one entry in a registry, so a new layer adds one entry each way:
- `TO_TORCH[cls](module, torch) -> (piece, params)`: `piece` is the torch module, or a list
  of torch modules that run one after the other (a `Layer` is a Linear then its activation,
  and a Sequential splices those in, as one writes it in PyTorch); `params` maps each torch
  parameter name inside the piece to `(our Value, axes)`, where `axes` says how torch orders
  the Value's axes (None: as we do). A layer stored as torch stores it needs
  `{name: (p, None) for name, p in module.named_parameters()}`.
- `FROM_TORCH["Name"](module, torch)` makes the gradlab module for `torch.nn.Name`, with the
  right shapes and dtype; the weights are then copied by `load_state_dict`, through the
  same `TO_TORCH` names, so the two registries are checked against each other.

torch is imported inside these functions only: `autograd` and `nn` never need it.
"""
from __future__ import annotations

import numpy as np

from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Flatten,
                   MaxPool2d, Unflatten)
from .layers import MLP, Layer, Linear, Perceptron, Sequential
from .module import Module


def to_torch(model: Module) -> "torch.nn.Module":
    """An equivalent `torch.nn.Module` holding a copy of `model`'s weights, in their dtype.

    Converts `MLP`, `Sequential`, `Linear`, `Layer`, `Perceptron` (not with the "step"
    activation), the activation modules, and the convolution, pooling and Flatten/Unflatten
    layers of nn/conv.py (stored as torch stores them); a Layer becomes its Linear and activation
    (none for Identity), spliced into the enclosing `torch.nn.Sequential`. `torch.nn.Linear`
    stores its weight as (out, in), the transpose of ours. A Perceptron becomes
    Linear(n, 1), Flatten(-2) and its activation, so it needs inputs with a batch axis.
    """
    torch = _import_torch("to_torch")
    net, params = _torch_twin(model, torch)
    shapes = {name: tensor.shape for name, tensor in net.state_dict().items()}
    net.load_state_dict({name: torch.tensor(
        (p.data if axes is None else np.transpose(p.data, axes)).reshape(shapes[name]))
        for name, (p, axes) in params.items()})
    return net


def from_torch(module: "torch.nn.Module") -> Module:
    """The gradlab model of a `torch.nn.Module`, with a copy of its weights, in their dtype.

    Converts `torch.nn.Sequential` (into an `nn.Sequential`), `Linear`, the activations
    `ReLU LeakyReLU Tanh Sigmoid Softmax Identity`, and `Conv1d Conv2d ConvTranspose2d
    MaxPool2d AvgPool2d AdaptiveAvgPool2d Flatten Unflatten`. Inside a Sequential, a Linear followed
    by an activation becomes one `Layer`, and Linear(n, 1), Flatten(-2) with an optional
    activation a `Perceptron`, so `from_torch(to_torch(model))` computes exactly what
    `model` does, and an MLP comes back with its parameter names.
    """
    torch = _import_torch("from_torch")
    model = _from_torch(module, torch)
    model.load_state_dict(module.state_dict())
    return model


def state_from_torch(model: Module, state: dict) -> tuple[dict, list[str]]:
    """A torch state dict of `to_torch(model)`'s architecture in our names and layouts.

    Returns (state, problems): problems lists every missing, unexpected or wrongly shaped
    entry, in torch's names; `Module.load_state_dict` refuses the state if there is any.
    """
    torch = _import_torch("load_state_dict of a torch state dict")
    net, params = _torch_twin(model, torch)
    shapes = {name: tuple(tensor.shape) for name, tensor in net.state_dict().items()}
    ours = {id(p): name for name, p in model.named_parameters()}
    problems = [f"missing {name!r}" for name in params if name not in state]
    problems += [f"unexpected {name!r}" for name in state if name not in params]
    converted = {}
    for name, (p, axes) in params.items():
        if name not in state or id(p) not in ours:  # loaded are parameters, as from ours
            continue
        array = state[name]
        if isinstance(array, torch.Tensor):
            array = array.detach().cpu()
            if array.dtype == torch.bfloat16:  # the one float type numpy has no counterpart for
                problems.append(f"{name!r} holds torch.bfloat16, which numpy cannot hold "
                                "(convert it with .float() first)")
                continue
        array = np.asarray(array)
        if array.shape != shapes[name]:
            problems.append(f"{name!r} has shape {array.shape}, torch's "
                            f"{_owner(net, name)} expects {shapes[name]}")
        elif axes is None:
            converted[ours[id(p)]] = array.reshape(p.shape)
        else:  # undo the transpose of to_torch
            torch_order = [p.shape[axis] for axis in axes]
            converted[ours[id(p)]] = np.transpose(array.reshape(torch_order), np.argsort(axes))
    return converted, problems


def _import_torch(caller: str):
    try:
        import torch
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(f"{caller} needs PyTorch: pip install torch (or install "
                                  "gradlab with its extra: pip install -e '.[torch]')") from err
    return torch


def _owner(net, name: str) -> str:
    """The torch module that holds parameter `name`, for error messages: 'Linear (0)'."""
    path = name.rpartition(".")[0]
    return f"{type(net.get_submodule(path)).__name__} ({path or 'the model'})"


def _torch_twin(model: Module, torch):
    """The torch module of `model` (its own random weights) and {torch name: (Value, axes)}."""
    piece, params = _to_torch(model, torch)
    return (torch.nn.Sequential(*piece) if isinstance(piece, list) else piece), params


def _to_torch(module, torch):
    convert = TO_TORCH.get(type(module))
    if convert is None:
        raise TypeError(f"to_torch: there is no PyTorch conversion for {type(module).__name__} "
                        f"({module!r}); add one to nn.convert.TO_TORCH")
    return convert(module, torch)


def _chain(steps: list) -> tuple[list, dict]:
    """Converted steps that run one after the other, as one list of torch modules whose
    parameter names start with their position in it."""
    modules, params = [], {}
    for piece, names in steps:
        if isinstance(piece, list):  # spliced in: its names start with their own positions
            for name, value in names.items():
                position, rest = name.split(".", 1)
                params[f"{len(modules) + int(position)}.{rest}"] = value
            modules += piece
        else:
            params.update({f"{len(modules)}.{name}": value for name, value in names.items()})
            modules.append(piece)
    return modules, params


def _torch_dtype(torch, value):
    return getattr(torch, np.dtype(value.dtype).name)


def _linear_to_torch(m: Linear, torch):
    linear = torch.nn.Linear(m.n_in, m.n_out, m.bias is not None,
                             dtype=_torch_dtype(torch, m.weight))
    params = {"weight": (m.weight, (1, 0))}  # ours (in, out), torch's (out, in)
    if m.bias is not None:
        params["bias"] = (m.bias, None)
    return linear, params


def _activation_steps(activation, torch) -> list:
    """A layer's activation as chain steps: none for Identity."""
    return [] if isinstance(activation, Identity) else [_to_torch(activation, torch)]


def _layer_to_torch(m: Layer, torch):
    return _chain([_linear_to_torch(m, torch), *_activation_steps(m.activation, torch)])


def _perceptron_to_torch(m: Perceptron, torch):
    if m.activation == "step":
        raise ValueError("to_torch: a Perceptron with the 'step' activation has no PyTorch "
                         "equivalent (the step has no gradient); make it with "
                         "activation='sigmoid' or another differentiable activation")
    linear = torch.nn.Linear(m.n_inputs, 1, dtype=_torch_dtype(torch, m.weight))
    # Our weight (n,) and bias () are torch's (1, n) and (1,) reshaped; Flatten(-2) then
    # drops the output axis of size 1, as our x @ weight does.
    return _chain([(linear, {"weight": (m.weight, None), "bias": (m.bias, None)}),
                   (torch.nn.Flatten(-2), {}), *_activation_steps(m.activation, torch)])


def _sequential_to_torch(m: Sequential, torch):
    modules, params = _chain([_to_torch(layer, torch) for layer in m.layers])
    return torch.nn.Sequential(*modules), params


def _as_stored(m: Module) -> dict:
    """Parameters that torch stores as we do (convolutions): {name: (Value, None)}."""
    return {name: (p, None) for name, p in m.named_parameters()}


def _conv_to_torch(m, torch):
    cls = {Conv1d: torch.nn.Conv1d, Conv2d: torch.nn.Conv2d}[type(m)]
    return cls(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation,
               m.groups, m.bias is not None, m.padding_mode,
               dtype=_torch_dtype(torch, m.weight)), _as_stored(m)


def _conv_transpose_to_torch(m: ConvTranspose2d, torch):
    return torch.nn.ConvTranspose2d(m.in_channels, m.out_channels, m.kernel_size, m.stride,
                                    m.padding, m.output_padding, m.groups, m.bias is not None,
                                    m.dilation, dtype=_torch_dtype(torch, m.weight)), _as_stored(m)


TO_TORCH = {
    Linear: _linear_to_torch,
    Layer: _layer_to_torch,
    Perceptron: _perceptron_to_torch,
    Sequential: _sequential_to_torch,
    MLP: _sequential_to_torch,
    ReLU: lambda m, torch: (torch.nn.ReLU(), {}),
    LeakyReLU: lambda m, torch: (torch.nn.LeakyReLU(m.negative_slope), {}),
    Tanh: lambda m, torch: (torch.nn.Tanh(), {}),
    Sigmoid: lambda m, torch: (torch.nn.Sigmoid(), {}),
    Softmax: lambda m, torch: (torch.nn.Softmax(dim=m.axis), {}),
    Identity: lambda m, torch: (torch.nn.Identity(), {}),
    Conv1d: _conv_to_torch,
    Conv2d: _conv_to_torch,
    ConvTranspose2d: _conv_transpose_to_torch,
    MaxPool2d: lambda m, torch: (torch.nn.MaxPool2d(m.kernel_size, m.stride, m.padding,
                                                    m.dilation, m.return_indices, m.ceil_mode), {}),
    AvgPool2d: lambda m, torch: (torch.nn.AvgPool2d(m.kernel_size, m.stride, m.padding,
                                                    m.ceil_mode, m.count_include_pad,
                                                    m.divisor_override), {}),
    AdaptiveAvgPool2d: lambda m, torch: (torch.nn.AdaptiveAvgPool2d(m.output_size), {}),
    Flatten: lambda m, torch: (torch.nn.Flatten(m.start_dim, m.end_dim), {}),
    Unflatten: lambda m, torch: (torch.nn.Unflatten(m.dim, m.unflattened_size), {}),
}


def _from_torch(module, torch) -> Module:
    convert = next((rule for name, rule in FROM_TORCH.items()
                    if type(module) is getattr(torch.nn, name)), None)
    if convert is None:
        raise TypeError(f"from_torch: there is no gradlab conversion for "
                        f"{type(module).__module__}.{type(module).__name__}; convertible are "
                        f"torch.nn.{', '.join(FROM_TORCH)} (add one to nn.convert.FROM_TORCH)")
    return convert(module, torch)


def _numpy_dtype(tensor, torch) -> type:
    dtype = {torch.float32: np.float32, torch.float64: np.float64}.get(tensor.dtype)
    if dtype is None:
        raise TypeError(f"from_torch: parameters are {tensor.dtype}; gradlab computes in "
                        "float32 or float64 (convert with .float() or .double() first)")
    return dtype


def _softmax_from_torch(t, torch) -> Softmax:
    if t.dim is None:
        raise ValueError("from_torch: torch.nn.Softmax() without dim picks its axis from the "
                         "input's shape; give it one, as in torch.nn.Softmax(dim=-1)")
    return Softmax(t.dim)


def _sequential_from_torch(t, torch) -> Sequential:
    """Each module converted, and Linear + activation joined into a Layer (or Perceptron)."""
    modules, layers = list(t), []
    activations = tuple(getattr(torch.nn, name) for name in ACTIVATIONS_FROM_TORCH)

    def next_is(*classes):
        return bool(modules) and type(modules[0]) in classes

    while modules:
        module = modules.pop(0)
        if type(module) is not torch.nn.Linear:
            layers.append(_from_torch(module, torch))
            continue
        n_in, n_out, bias = module.in_features, module.out_features, module.bias is not None
        dtype = _numpy_dtype(module.weight, torch)
        if (n_out == 1 and bias and next_is(torch.nn.Flatten)
                and (modules[0].start_dim, modules[0].end_dim) == (-2, -1)):
            modules.pop(0)
            activation = (_from_torch(modules.pop(0), torch) if next_is(*activations)
                          else "identity")
            layers.append(Perceptron(n_in, activation, dtype=dtype))
        elif next_is(*activations):
            layers.append(Layer(n_in, n_out, _from_torch(modules.pop(0), torch), bias,
                                dtype=dtype))
        else:
            layers.append(_from_torch(module, torch))
    return Sequential(*layers)


ACTIVATIONS_FROM_TORCH = {
    "ReLU": lambda t, torch: ReLU(),
    "LeakyReLU": lambda t, torch: LeakyReLU(t.negative_slope),
    "Tanh": lambda t, torch: Tanh(),
    "Sigmoid": lambda t, torch: Sigmoid(),
    "Softmax": _softmax_from_torch,
}

FROM_TORCH = {
    "Linear": lambda t, torch: Linear(t.in_features, t.out_features, t.bias is not None,
                                      dtype=_numpy_dtype(t.weight, torch)),
    **ACTIVATIONS_FROM_TORCH,
    "Identity": lambda t, torch: Identity(),
    "Sequential": _sequential_from_torch,
    "Conv1d": lambda t, torch: _conv_from_torch(t, torch, Conv1d),
    "Conv2d": lambda t, torch: _conv_from_torch(t, torch, Conv2d),
    "ConvTranspose2d": lambda t, torch: ConvTranspose2d(
        t.in_channels, t.out_channels, t.kernel_size, t.stride, t.padding, t.output_padding,
        t.groups, t.bias is not None, t.dilation, dtype=_numpy_dtype(t.weight, torch)),
    "MaxPool2d": lambda t, torch: MaxPool2d(t.kernel_size, t.stride, t.padding, t.dilation,
                                            t.return_indices, t.ceil_mode),
    "AvgPool2d": lambda t, torch: AvgPool2d(t.kernel_size, t.stride, t.padding, t.ceil_mode,
                                            t.count_include_pad, t.divisor_override),
    "AdaptiveAvgPool2d": lambda t, torch: AdaptiveAvgPool2d(t.output_size),
    "Flatten": lambda t, torch: Flatten(t.start_dim, t.end_dim),
    "Unflatten": lambda t, torch: Unflatten(t.dim, t.unflattened_size),
}


def _conv_from_torch(t, torch, cls):
    return cls(t.in_channels, t.out_channels, t.kernel_size, t.stride, t.padding, t.dilation,
               t.groups, t.bias is not None, t.padding_mode, dtype=_numpy_dtype(t.weight, torch))
