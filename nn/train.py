"""`fit`: the training loop everyone writes, once.

    >>> model = nn.MLP([2, 8, 1], activation="tanh", rng=0)
    >>> history = nn.fit(model, X, y, nn.mse_loss, SGD(model.parameters(), lr=0.1),
    ...                  epochs=100, batch_size=32, rng=0)
"""
from __future__ import annotations

import sys
from typing import Callable

import numpy as np

import autograd
from autograd import Value, no_grad

from .layers import _check_size
from .module import Module


def fit(model: Module, X, y, loss_fn: Callable, optimizer, epochs: int,
        batch_size: int | None = None, shuffle: bool = True, rng=None,
        progress: bool = True, compile: bool = False) -> list[float]:
    """Train `model` on (X, y) for `epochs` passes; return each epoch's mean loss.

    Each step takes a minibatch of `batch_size` rows (all rows if None), computes
    `loss_fn(model(x_batch), y_batch)`, then runs `optimizer.zero_grad()`, `backward()`
    and `optimizer.step()`. `x_batch` is a Value that needs no gradient, `y_batch` a numpy
    array (so integer class labels stay integers). X and y may be numpy arrays, lists or
    Values with the samples along the first axis.

    With `shuffle` the rows are visited in a new random order every epoch, drawn from
    `rng` (a numpy Generator or an int seed, for reproducible runs). An epoch's loss is
    the mean of its batch losses weighted by batch size, i.e. the mean per sample for a
    loss with reduction "mean". A progress bar (tqdm) shows the epochs and the latest
    loss when `progress` is on and stderr is a terminal.

    Every argument is checked before the first update, so a call that raises for a bad
    argument changes no weight and no optimizer state. (An error that only the data of a
    later batch triggers, inside the model or the loss, keeps the steps taken before it.)

    `compile=True` runs the step through `autograd.compile`: the first batch of each shape
    is traced, the others replay it. Targets are then passed as Values of the prediction's
    dtype, so a loss that uses them through ops (mse, the binary cross-entropies) replays;
    one that reads them in Python (cross_entropy with class indices) is traced anew for
    each new batch of targets, and runs eagerly after 8 such traces.
    The losses are the same, bit for bit.
    """
    X, y, batch_size = _checked_arguments(model, X, y, loss_fn, optimizer, epochs, batch_size)
    n = len(X)
    rng = np.random.default_rng(rng)
    epoch_iter = range(epochs)
    if progress and sys.stderr.isatty():
        from tqdm import tqdm  # only needed when there is a terminal to draw on
        epoch_iter = tqdm(epoch_iter, desc="fit", unit="epoch")
    step = _train_step(model, loss_fn, optimizer)
    if compile:
        step = autograd.compile(step)
        with no_grad():  # the dtype a loss converts its numpy targets to
            dtype = model(Value(X[:1], requires_grad=False)).dtype
    whole = [(Value(X, requires_grad=False), y)] if batch_size >= n else None
    history = []
    for _ in epoch_iter:
        total = 0.0
        order = rng.permutation(n) if shuffle and whole is None else None
        for xb, yb in whole or _minibatches(X, y, batch_size, order):
            loss = step(xb, Value(yb, requires_grad=False, dtype=dtype) if compile else yb)
            total += loss.item() * len(yb)
        history.append(total / n)
        if not isinstance(epoch_iter, range):
            epoch_iter.set_postfix(loss=f"{history[-1]:.4g}")
    return history


def _checked_arguments(model, X, y, loss_fn, optimizer, epochs, batch_size):
    """X and y as numeric arrays and the batch size, after checking everything `fit` uses."""
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    params = model.parameters()
    if not params:
        raise ValueError(f"fit: {type(model).__name__} has no parameters to train")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a function such as nn.mse_loss, got "
                        f"{type(loss_fn).__name__}")
    if isinstance(optimizer, type) or not all(callable(getattr(optimizer, method, None))
                                              for method in ("zero_grad", "step")):
        raise TypeError(f"fit: optimizer must be an optimizer object with zero_grad() and "
                        f"step(), such as SGD(model.parameters(), lr=0.1); got {optimizer!r}")
    if hasattr(optimizer, "params") and not {id(p) for p in params} & \
            {id(p) for p in optimizer.params}:
        raise ValueError(f"fit: the optimizer holds none of the parameters of "
                         f"{type(model).__name__} (was it made for another model?)")
    _check_size("fit: epochs", epochs)
    X = np.asarray(X.data if isinstance(X, Value) else X)
    y = np.asarray(y.data if isinstance(y, Value) else y)
    for name, arr in (("X", X), ("y", y)):
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"fit: {name} must hold numbers, got dtype {arr.dtype}")
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"fit: X and y need the same number of samples along the first "
                         f"axis, got shapes {X.shape} and {y.shape}")
    if len(X) == 0:
        raise ValueError(f"fit: the dataset is empty (X has shape {X.shape})")
    return X, y, len(X) if batch_size is None else _check_size("fit: batch_size", batch_size)


def _train_step(model: Module, loss_fn: Callable, optimizer):
    """fit's step: the loss of a batch, zero_grad(), backward(), step(); returns the loss."""
    def train_step(x, y):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return train_step


def _minibatches(X: np.ndarray, y: np.ndarray, batch_size: int, order):
    """(x batch as a Value, y batch) pairs, the rows taken in `order` (None: as stored)."""
    for start in range(0, len(X), batch_size):
        rows = slice(start, start + batch_size) if order is None else \
            order[start:start + batch_size]
        yield Value(X[rows], requires_grad=False), y[rows]
