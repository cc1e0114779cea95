"""W1 scalar MLP: micrograd's own demo, one full-batch SGD step per iteration.

A 2-16-16-1 MLP (ReLU hidden layers, linear output) on two-moons points, SVM max-margin
loss ``mean(relu(1 - y*score)) + 1e-4 * sum(p*p)``, SGD with a fixed lr of 0.1. The
scalar engines (ours and micrograd) run the very operations of micrograd's demo: every
input, weight and product is a scalar Value, neurons compute ``sum(w*x, b)`` as
``micrograd.nn`` does. torch and numpy compute the same function on arrays.
"""
import numpy as np

from benchmarks.data import mlp_weights, two_moons
from benchmarks.workloads.spec import Workload, scalar_setups, torch_cpu

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4  # L2 weight
LR = 0.1


def _data(n):
    """Two-moons points, labels in {-1, +1} and micrograd-range weights U(-1, 1)."""
    X, y = two_moons(n)
    return X, y, mlp_weights(SIZES, scale=1.0)


def _scalar_step(Value, n, compile=None):
    """The demo's training step for any micrograd-like scalar ``Value`` class; with
    ``compile`` (``autograd.compile``), the step compiled, its SGD update replayed."""
    X, y, layers = _data(n)
    neurons = [[([Value(float(w)) for w in W[:, j]], Value(float(b[j])))
                for j in range(W.shape[1])] for W, b in layers]
    params = [p for layer in neurons for w, b in layer for p in (*w, b)]
    inputs = [[Value(float(v)) for v in row] for row in X]
    targets = [float(t) for t in y]

    def forward(x):
        for i, layer in enumerate(neurons):
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            if i < len(neurons) - 1:
                x = [a.relu() for a in x]
        return x[0]

    def update():
        for p in params:
            p.data -= LR * p.grad

    def train_step():
        scores = [forward(x) for x in inputs]
        losses = [(1 + -t * s).relu() for t, s in zip(targets, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        update()
        return loss

    if compile is not None:
        update = compile.replayed(update)
        train_step = compile(train_step)
    return lambda: float(train_step().data)


def setup_compiled(n):
    import autograd
    from autograd import Value
    return _scalar_step(Value, n, autograd.compile)


def setup_torch(n):
    torch = torch_cpu()
    X, y, layers = _data(n)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    params = [torch.tensor(a, requires_grad=True) for layer in layers for a in layer]

    def step():
        h = X
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        loss = (1 - y * h[:, 0]).relu().mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()
    return step


def setup_numpy(n):
    X, y, layers = _data(n)
    W1, b1, W2, b2, W3, b3 = params = [a.copy() for layer in layers for a in layer]

    def step():
        z1 = X @ W1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2 + b2
        h2 = np.maximum(z2, 0)
        margin = 1 - y * (h2 @ W3 + b3)[:, 0]
        loss = np.maximum(margin, 0).mean() + ALPHA * sum((p * p).sum() for p in params)
        ds = (np.where(margin > 0, -y, 0.0) / n)[:, None]
        dz2 = (ds @ W3.T) * (z2 > 0)
        dz1 = (dz2 @ W2.T) * (z1 > 0)
        grads = [X.T @ dz1, dz1.sum(0), h1.T @ dz2, dz2.sum(0), h2.T @ ds, ds.sum(0)]
        for p, g in zip(params, grads):
            p -= LR * (g + 2 * ALPHA * p)
        return float(loss)
    return step


WORKLOAD = Workload(
    name="W1", title="scalar MLP 2-16-16-1, SVM loss + L2, SGD (micrograd's demo)",
    size_name="points", sizes=(100,), quick_size=10,
    systems={**scalar_setups(_scalar_step), "autograd-compiled": setup_compiled,
             "torch": setup_torch, "numpy": setup_numpy},
    check="loss of the 2nd iteration (after one SGD step); torch and numpy use arrays",
    rtol=1e-7)
