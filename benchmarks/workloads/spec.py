"""What a workload module declares, and the one way the torch peer is set up."""
import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# A setup function takes the size and returns ``step``: one iteration (forward, backward
# and update where there is one) that returns the check value as a float.
Step = Callable[[], float]
Setup = Callable[[int], Step]


@dataclass(frozen=True)
class Workload:
    """One benchmark: its sizes, its systems and how to read its numbers."""

    name: str                          # "W1"
    title: str                         # one line for the table's legend
    size_name: str                     # what the size counts: "points", "N", "batch"
    sizes: tuple[int, ...]             # sizes of the full run
    quick_size: int                    # size of ``--quick`` and the tests
    systems: dict[str, Setup]          # system name -> setup function
    check: str                         # what the check value is
    rtol: float                        # agreement tolerance of the check values
    unit: str = "iter"                 # the time column is seconds per unit
    units_per_iter: Callable[[int], int] = lambda size: 1
    requires: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra imports


def torch_cpu():
    """Import torch with as many intra-op threads as there are cores."""
    import torch
    torch.set_num_threads(os.cpu_count())
    return torch


def steady_malloc() -> None:
    """Keep glibc's malloc from handing freed memory back to the system between iterations.

    By default glibc serves large blocks with fresh mmap'ed pages or trims the top of its
    heap once enough is free, so a step that frees its temporaries gets them back as new,
    zero-filled pages next time: a page fault per 4 KiB. For W6 (some 30 MB of temporaries
    a step) that cost dominated: numpy's step ran 2x, ours 2.5x slower than with the two
    thresholds fixed at 1 GiB (what the MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
    environment variables also set). Every system of a workload that calls this gets it.
    Does nothing where the C library has no mallopt (not glibc).
    """
    import ctypes
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    for option in (M_TRIM_THRESHOLD, M_MMAP_THRESHOLD):
        mallopt(option, 1 << 30)


def scalar_setups(scalar_step: Callable[[type, int], Step]) -> dict[str, Setup]:
    """Setups for the two scalar engines, ours and micrograd, from one function of
    (the engine's ``Value`` class, size) that returns the step."""
    def ours(size):
        from autograd import Value
        return scalar_step(Value, size)

    def micrograd(size):
        from micrograd.engine import Value
        return scalar_step(Value, size)
    return {"autograd": ours, "micrograd": micrograd}


def classifier_step(model, X, labels, lr: float, compile=None) -> Step:
    """Ours: one SGD step (lr) of `model` on softmax cross-entropy of (X, labels), the loss
    as the check value; with ``compile`` (``autograd.compile``) the step is compiled."""
    import nn
    from autograd import Value
    from nn.optim import SGD
    optimizer = SGD(model.parameters(), lr=lr)
    x = Value(X, requires_grad=False)

    def train_step():
        loss = nn.cross_entropy(model(x), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    if compile is not None:
        train_step = compile(train_step)
    return lambda: float(train_step().item())


def compiled(setup_autograd: Callable) -> Setup:
    """The setup of our step compiled: ``setup_autograd(size, compile=autograd.compile)``."""
    def setup(size):
        import autograd
        return setup_autograd(size, autograd.compile)
    return setup


def torch_classifier_step(torch, model, X, labels, lr: float) -> Step:
    """The same step in PyTorch: torch.optim.SGD on torch.nn.functional.cross_entropy."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = torch.from_numpy(X), torch.from_numpy(labels)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def softmax_cross_entropy(z, labels) -> float:
    """numpy: the mean softmax cross-entropy of logits z (batch, classes), turning z in
    place into its gradient, (softmax(z) - onehot) / batch, from one exp."""
    rows = np.arange(len(z))
    z -= z.max(axis=1, keepdims=True)     # log-sum-exp shift
    target_logit = z[rows, labels].mean()
    np.exp(z, out=z)
    total = z.sum(axis=1, keepdims=True)
    loss = np.log(total).mean() - target_logit
    z /= total
    z[rows, labels] -= 1
    z /= len(z)
    return float(loss)


def sgd_update(params, grads, lr: float) -> None:
    """numpy: p -= lr * g for each pair, in place."""
    for p, g in zip(params, grads):
        g *= lr
        p -= g
