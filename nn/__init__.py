"""Neural networks on top of `autograd`: modules, layers, losses, optimizers, training.

    >>> import nn
    >>> from nn.optim import SGD
    >>> model = nn.MLP([3, 5, 5, 5, 2], activation="sigmoid", rng=0)
    >>> model.num_parameters()              # 75 weights + 17 biases
    92
    >>> loss = nn.mse_loss(model(X), Y)     # X: (batch, 3), Y: (batch, 2)
    >>> model.zero_grad(); loss.backward(); SGD(model.parameters(), lr=0.1).step()

`nn.fit` runs that loop over minibatches for you; `model.save(path)` and `model.load(path)`
store the weights in a numpy `.npz` file. `nn.to_torch(model)` makes the same model in
PyTorch, with its weights, and `nn.from_torch(net)` brings one back.
"""
import autograd.mode

from . import functional, optim
from .activations import GELU, Identity, LeakyReLU, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh
from .attention import MultiheadAttention
from .conv import (AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, ConvTranspose2d, Flatten,
                   MaxPool2d, Unflatten)
from .convert import from_torch, to_torch
from .layers import MLP, Layer, Linear, Perceptron, Sequential
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss,
                     binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     mse_loss)
from .losses import NLLLoss, nll_loss
from .module import Module, load_state
from .normalization import BatchNorm1d, BatchNorm2d, Dropout, Embedding, GroupNorm, LayerNorm
from .train import fit

# Anomaly reports name the user's line, not one inside nn.
autograd.mode.LIBRARY_PACKAGES.add(__name__)

__all__ = ["Module", "load_state", "Perceptron", "Linear", "Layer", "MLP", "Sequential",
           "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softmax", "Identity",
           "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "Flatten", "Unflatten",
           "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "fit", "optim", "functional", "to_torch", "from_torch",
           "nll_loss", "NLLLoss", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "GroupNorm", "Embedding", "GELU", "SiLU", "Softplus", "MultiheadAttention"]
