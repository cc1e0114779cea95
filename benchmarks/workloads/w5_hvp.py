"""W5 higher order: a Hessian-vector product of a small MLP's loss.

A 10-32-1 tanh MLP on a batch of 64 with MSE loss. One iteration computes the gradient
with ``create_graph=True``, forms ``g . v`` for a fixed direction v and differentiates it
again (ours: ``autograd.grad``; torch: ``torch.autograd.grad``; double backward both).
Check value: the sum of all elements of H v.
"""
import numpy as np

from benchmarks.data import SEED, mlp_weights
from benchmarks.workloads.spec import Workload, torch_cpu

SIZES = [10, 32, 1]


def _data(batch):
    """Inputs, targets, flat parameters [W1, b1, W2, b2] and the direction v, float64."""
    rng = np.random.default_rng(SEED + 2)
    X = rng.standard_normal((batch, SIZES[0]))
    Y = rng.standard_normal((batch, SIZES[-1]))
    params = [a for layer in mlp_weights(SIZES) for a in layer]
    return X, Y, params, [rng.standard_normal(p.shape) for p in params]


def setup_autograd(batch):
    from autograd import Value, grad
    X, Y, arrays, v = _data(batch)
    params = [Value(a) for a in arrays]
    x, y = Value(X, requires_grad=False), Value(Y, requires_grad=False)

    def step():
        W1, b1, W2, b2 = params
        loss = ((((x @ W1 + b1).tanh() @ W2 + b2) - y) ** 2).mean()
        g = grad(loss, params, create_graph=True)
        hv = grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)
        return float(sum(h.data.sum() for h in hv))
    return step


def setup_torch(batch):
    torch = torch_cpu()
    X, Y, arrays, v = _data(batch)
    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    v = [torch.from_numpy(a) for a in v]

    def step():
        W1, b1, W2, b2 = params
        loss = ((((x @ W1 + b1).tanh() @ W2 + b2) - y) ** 2).mean()
        g = torch.autograd.grad(loss, params, create_graph=True)
        hv = torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)
        return sum(h.sum().item() for h in hv)
    return step


WORKLOAD = Workload(
    name="W5", title="Hessian-vector product, 10-32-1 tanh MLP, MSE (double backward)",
    size_name="batch", sizes=(64,), quick_size=8,
    systems={"autograd": setup_autograd, "torch": setup_torch},
    check="sum of H v", rtol=1e-8)
