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

from autograd import Value

from .activations import GELU, Identity, LeakyReLU, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh
from .attention import MultiheadAttention
from .conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Flatten,
                   MaxPool2d, Unflatten)
from .layers import MLP, Layer, Linear, Perceptron, Sequential
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, Dropout, Embedding, GroupNorm, LayerNorm


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
    net.load_state_dict({name: torch.tensor(_data(p, axes).reshape(shapes[name]))
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
    ours = {id(p): name for name, p in model.named_parameters() + model.named_buffers()}
    problems = [f"missing {name!r}" for name in params if name not in state]
    problems += [f"unexpected {name!r}" for name in state if name not in params]
    converted = {}
    for name, (p, axes) in params.items():
        if name not in state or id(p) not in ours:  # loaded are parameters and buffers
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


def _data(x, axes) -> np.ndarray:
    """A parameter's data, or a buffer (an array) itself, with its axes in torch's order."""
    data = np.asarray(x.data if isinstance(x, Value) else x)
    return data if axes is None else np.transpose(data, axes)


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
    piece, params = convert(module, torch)
    if not isinstance(piece, list):
        piece.training = module.training  # the mode, as train() and eval() set it
    return piece, params


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
    converted = convert(module, torch)
    converted.training = module.training
    return converted


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


# ---- normalisation, embedding, attention, dropout, more activations ---------------------------
def _as_stored(m: Module) -> dict:
    """{name: (parameter or buffer, None)}: a layer that stores everything as torch does."""
    return {name: (x, None) for name, x in m.named_parameters() + m.named_buffers()}


def _dtype_of(m: Module, torch):
    """The torch dtype of a layer's floating parameters or buffers (float64 if it has none)."""
    floats = [x for _, x in m.named_parameters() + m.named_buffers() if x.dtype.kind == "f"]
    return _torch_dtype(torch, floats[0]) if floats else torch.float64


def _batch_norm_to_torch(m, torch):
    layer = getattr(torch.nn, type(m).__name__)(m.num_features, m.eps, m.momentum, m.affine,
                                                m.track_running_stats, dtype=_dtype_of(m, torch))
    return layer, _as_stored(m)


def _batch_norm_from_torch(t, torch):
    cls = {"BatchNorm1d": BatchNorm1d, "BatchNorm2d": BatchNorm2d}[type(t).__name__]
    stats = t.weight if t.affine else t.running_mean
    return cls(t.num_features, t.eps, t.momentum, t.affine, t.track_running_stats,
               dtype=np.float64 if stats is None else _numpy_dtype(stats, torch))


def _mha_to_torch(m: MultiheadAttention, torch):
    bias = m.in_proj_bias is not None
    layer = torch.nn.MultiheadAttention(m.embed_dim, m.num_heads, m.dropout, bias,
                                        batch_first=m.batch_first, dtype=_dtype_of(m, torch))
    params = {"in_proj_weight": (m.in_proj_weight, None),  # stored as torch stores it
              "out_proj.weight": (m.out_proj.weight, (1, 0))}  # a Linear: ours (in, out)
    if bias:
        params.update({"in_proj_bias": (m.in_proj_bias, None),
                       "out_proj.bias": (m.out_proj.bias, None)})
    return layer, params


def _mha_from_torch(t, torch):
    if not t._qkv_same_embed_dim or t.bias_k is not None or t.add_zero_attn:
        raise ValueError("from_torch: MultiheadAttention with kdim or vdim other than "
                         "embed_dim, add_bias_kv or add_zero_attn has no gradlab equivalent")
    return MultiheadAttention(t.embed_dim, t.num_heads, t.dropout, t.in_proj_bias is not None,
                              batch_first=t.batch_first,
                              dtype=_numpy_dtype(t.in_proj_weight, torch))


TO_TORCH.update({
    Dropout: lambda m, torch: (torch.nn.Dropout(m.p), {}),
    BatchNorm1d: _batch_norm_to_torch,
    BatchNorm2d: _batch_norm_to_torch,
    LayerNorm: lambda m, torch: (torch.nn.LayerNorm(
        m.normalized_shape, m.eps, m.elementwise_affine, bias=m.bias is not None,
        dtype=_dtype_of(m, torch)), _as_stored(m)),
    GroupNorm: lambda m, torch: (torch.nn.GroupNorm(
        m.num_groups, m.num_channels, m.eps, m.affine, dtype=_dtype_of(m, torch)),
        _as_stored(m)),
    Embedding: lambda m, torch: (torch.nn.Embedding(
        m.num_embeddings, m.embedding_dim, m.padding_idx, dtype=_dtype_of(m, torch)),
        _as_stored(m)),
    MultiheadAttention: _mha_to_torch,
    GELU: lambda m, torch: (torch.nn.GELU(m.approximate), {}),
    SiLU: lambda m, torch: (torch.nn.SiLU(), {}),
    Softplus: lambda m, torch: (torch.nn.Softplus(m.beta, m.threshold), {}),
})

ACTIVATIONS_FROM_TORCH.update({
    "GELU": lambda t, torch: GELU(t.approximate),
    "SiLU": lambda t, torch: SiLU(),
    "Softplus": lambda t, torch: Softplus(t.beta, t.threshold),
})

FROM_TORCH.update({
    **ACTIVATIONS_FROM_TORCH,
    "Dropout": lambda t, torch: Dropout(t.p),
    "BatchNorm1d": _batch_norm_from_torch,
    "BatchNorm2d": _batch_norm_from_torch,
    "LayerNorm": lambda t, torch: LayerNorm(
        t.normalized_shape, t.eps, t.elementwise_affine, bias=t.bias is not None,
        dtype=np.float64 if t.weight is None else _numpy_dtype(t.weight, torch)),
    "GroupNorm": lambda t, torch: GroupNorm(
        t.num_groups, t.num_channels, t.eps, t.affine,
        dtype=np.float64 if t.weight is None else _numpy_dtype(t.weight, torch)),
    "Embedding": lambda t, torch: Embedding(t.num_embeddings, t.embedding_dim, t.padding_idx,
                                            dtype=_numpy_dtype(t.weight, torch)),
    "MultiheadAttention": _mha_from_torch,
})
