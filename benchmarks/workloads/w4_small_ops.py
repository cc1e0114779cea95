"""W4 small-op overhead: 500 times ``x = exp(tanh(x * c + b))`` on a (16,) vector.

Then backward of ``x.sum()``. With only 16 elements the arithmetic is nothing and the
time is the engine's own per-operation cost. The constants are chosen so that each
element sits near a fixed point of the map where its slope is +-(0.98..1): values stay
finite and the gradient neither vanishes nor explodes over 500 steps.
Check value: the sum of the gradient with respect to the starting x.
"""
import numpy as np

from benchmarks.data import SEED
from benchmarks.workloads.spec import Workload, torch_cpu

DIM = 16


def _data():
    """Starting x and the constants c, b, all float64 of shape (16,)."""
    rng = np.random.default_rng(SEED)
    t = rng.uniform(-0.5, 0.5, DIM)          # tanh value at the fixed point
    x_fixed = np.exp(t)
    slope = rng.uniform(0.98, 1.0, DIM) * rng.choice([-1.0, 1.0], DIM)
    c = slope / (x_fixed * (1 - t * t))      # d/dx exp(tanh(c*x+b)) = c * x * (1 - t^2)
    b = np.arctanh(t) - c * x_fixed
    return x_fixed + rng.uniform(-0.01, 0.01, DIM), c, b


def setup_autograd(steps):
    from autograd import Value
    x_start, c, b = _data()
    # Constants made once, as torch's are tensors made once; a raw numpy array would be
    # copied by every op (the engine cannot know it will not change before backward).
    c, b = Value(c, requires_grad=False), Value(b, requires_grad=False)

    def step():
        x0 = x = Value(x_start.copy())
        for _ in range(steps):
            x = (x * c + b).tanh().exp()
        x.sum().backward()
        return float(x0.grad.sum())
    return step


def setup_compiled(steps):
    """Ours, compiled: the same ops on a starting Value made once, its gradient reset."""
    import autograd
    from autograd import Value
    x_start, c, b = _data()
    c, b = Value(c, requires_grad=False), Value(b, requires_grad=False)
    x0 = Value(x_start.copy())

    @autograd.compile
    def forward_backward(x):
        x.zero_grad()
        for _ in range(steps):
            x = (x * c + b).tanh().exp()
        x.sum().backward()

    def step():
        forward_backward(x0)
        return float(x0.grad.sum())
    return step


def setup_torch(steps):
    torch = torch_cpu()
    x_start, c, b = (torch.from_numpy(a) for a in _data())

    def step():
        x0 = x = x_start.clone().requires_grad_()
        for _ in range(steps):
            x = torch.exp(torch.tanh(x * c + b))
        x.sum().backward()
        return x0.grad.sum().item()
    return step


def setup_numpy(steps):
    x_start, c, b = _data()

    def step():
        x, saved = x_start, []
        for _ in range(steps):
            t = np.tanh(x * c + b)
            x = np.exp(t)
            saved.append((t, x))
        g = np.ones(DIM)
        for t, out in reversed(saved):
            g *= out * (1 - t * t) * c
        return float(g.sum())
    return step


WORKLOAD = Workload(
    name="W4", title="small-op overhead: 500 x exp(tanh(x*c + b)) on (16,) float64, backward",
    size_name="steps", sizes=(500,), quick_size=10,
    systems={"autograd": setup_autograd, "autograd-compiled": setup_compiled,
             "torch": setup_torch, "numpy": setup_numpy},
    check="sum of d(sum x_500)/dx_0", rtol=1e-8)
