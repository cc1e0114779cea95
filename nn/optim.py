"""Optimizers: `SGD` (momentum, weight decay) and `Adam`, with PyTorch's update rules.

They work on the raw numbers, not on Values: each step reads `p.data` and `p.grad` (a
float for a scalar parameter, an array otherwise) and builds no graph. It gives each
parameter a new array rather than writing into the old one: arrays inside Values are
read-only, because the ops that used them keep references for their backward pass.
As in PyTorch, a step skips a parameter that got no gradient since `zero_grad()` (the
loss did not use it) or that no longer requires grad, and leaves its state alone.
`step()` and `zero_grad()` are `@replayed`: a function compiled with `autograd.compile`
that calls them calls them again on every replay.

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss.backward(); opt.step()
"""
from __future__ import annotations

import numpy as np

from autograd import Value
from autograd.compile import replayed


def _check_range(name: str, value: float, low: float, high: float = np.inf) -> float:
    if not low <= value < high:
        bounds = f"[{low}, {high})" if high != np.inf else f">= {low}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return float(value)


def _zeros_like(p: Value):
    return 0.0 if type(p.data) is float else np.zeros_like(p.data)


class Optimizer:
    """What SGD and Adam share: the parameter list, `zero_grad`, checked gradients and
    the update of a parameter's data. Subclasses define `step()`."""

    def __init__(self, params):
        name = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{name}: params must be an iterable of Values, got a single Value "
                            f"of shape {params.shape}; pass a list such as [w]")
        if hasattr(params, "named_parameters"):
            raise TypeError(f"{name}: params must be an iterable of Values, got the module "
                            f"{type(params).__name__} itself; pass model.parameters()")
        try:
            params = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of Values such as [w, b] or "
                            f"model.parameters(), got {type(params).__name__}") from None
        for i, p in enumerate(params):
            if not isinstance(p, Value) or not p.requires_grad:
                raise TypeError(f"{name}: parameters must be Values that require grad, "
                                f"got {p!r}")
            if not p.is_leaf:
                # As in PyTorch: a step would replace its data and cut it off its graph.
                raise ValueError(f"{name}: parameter {i} (shape {p.shape}) is the result of "
                                 f"{p.op!r}, not a leaf; pass the Values the model holds "
                                 "(e.g. model.parameters()), not results computed from them")
        # One entry per Value: a parameter listed twice must not be stepped twice.
        self.params = list({id(p): p for p in params}.values())
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")

    @replayed
    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero (call before each backward pass)."""
        for p in self.params:
            p.zero_grad()

    def _updates(self, state: list) -> list:
        """(index, parameter, gradient in the data's dtype) for each parameter this step
        updates, after checking that the gradient and the optimizer's per-parameter `state`
        arrays (None before the first step) match the data's shape. Checking all first
        means a failed step changes nothing.

        As in PyTorch, a parameter with no gradient this step (not used by the loss since
        `zero_grad()`), or that no longer requires grad, is skipped: its data and its
        optimizer state stay as they are. `p.grad` cannot tell: it reads as zeros when
        nothing was accumulated, so `p._grad is None` is PyTorch's `p.grad is None` here
        (backward sets it for every parameter the loss used, zero gradients included).
        """
        updates = []
        for i, (p, buffers) in enumerate(zip(self.params, state)):
            if p._grad is None or not p.requires_grad:
                continue
            data, g = p.data, p.grad
            shapes = [np.shape(g)] + [np.shape(b) for b in buffers if b is not None]
            if any(shape != np.shape(data) for shape in shapes):
                label = f" {p.name!r}" if p.name else ""
                raise ValueError(
                    f"{type(self).__name__}.step: parameter {i}{label} has data of shape "
                    f"{np.shape(data)} but its gradient or optimizer state has shape "
                    f"{next(s for s in shapes if s != np.shape(data))} (was its data "
                    "replaced after backward?); no parameter was changed")
            updates.append((i, p, float(g) if type(data) is float
                            else np.asarray(g, data.dtype)))
        return updates

    @staticmethod
    def _descend(p: Value, lr: float, direction) -> None:
        """p.data = p.data - lr * direction, making one new array rather than two."""
        new = np.asarray(direction * -lr)  # a 0-d array times a number is a numpy scalar
        new += p.data
        # A scalar parameter keeps a Python float: numpy math on it gives numpy scalars.
        # `new` is a fresh array that nothing else refers to, so it need not be copied.
        p._replace_data(float(new) if type(p.data) is float else new)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and L2 weight decay.

    As in PyTorch: g = grad + weight_decay * p; with momentum, v = g at the first step
    and v = momentum * v + g after; then p = p - lr * v (or p - lr * g without momentum).
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr = _check_range("lr", lr, 0.0)
        self.momentum = _check_range("momentum", momentum, 0.0)
        self.weight_decay = _check_range("weight_decay", weight_decay, 0.0)
        self.velocity = [None] * len(self.params)

    @replayed
    def step(self) -> None:
        """Update each parameter that has a gradient once (see `Optimizer._updates`)."""
        for i, p, g in self._updates([(v,) for v in self.velocity]):
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                v = self.velocity[i]
                g = self.velocity[i] = g if v is None else self.momentum * v + g
            self._descend(p, self.lr, g)


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and its square.

    As in PyTorch (L2 weight decay, not AdamW): g = grad + weight_decay * p,
    m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, both starting at 0; the bias
    corrections m / (1 - b1^t) and v / (1 - b2^t) undo that start at 0 in early steps t
    (counted per parameter: a step that skips a parameter does not count for it);
    p = p - lr * m_hat / (sqrt(v_hat) + eps).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr = _check_range("lr", lr, 0.0)
        self.betas = (_check_range("betas[0]", betas[0], 0.0, 1.0),
                      _check_range("betas[1]", betas[1], 0.0, 1.0))
        self.eps = _check_range("eps", eps, 0.0)
        self.weight_decay = _check_range("weight_decay", weight_decay, 0.0)
        self.steps = [0] * len(self.params)  # per parameter, as in PyTorch: t counts its updates
        self.m = [_zeros_like(p) for p in self.params]
        self.v = [_zeros_like(p) for p in self.params]

    @replayed
    def step(self) -> None:
        """Update each parameter that has a gradient once (see `Optimizer._updates`)."""
        b1, b2 = self.betas
        for i, p, g in self._updates(list(zip(self.m, self.v))):
            self.steps[i] += 1
            correction1, correction2 = 1 - b1 ** self.steps[i], 1 - b2 ** self.steps[i]
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            m = self.m[i] = b1 * self.m[i] + (1 - b1) * g
            v = self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            self._descend(p, self.lr, (m / correction1) / (np.sqrt(v / correction2)
                                                            + self.eps))
