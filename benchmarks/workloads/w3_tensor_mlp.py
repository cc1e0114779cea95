"""W3 tensor MLP step: 784-256-128-10, ReLU, softmax cross-entropy, plain SGD, float32.

One iteration is forward, backward and the SGD update (lr 0.01) on one batch of random
inputs with integer labels. Ours uses ``nn.MLP``, ``nn.cross_entropy`` and
``nn.optim.SGD``; torch uses ``torch.nn`` and ``torch.optim.SGD``; numpy is the
hand-written floor: fused softmax-cross-entropy gradient and in-place updates.
Check value: the loss of the 2nd iteration, so it depends on one update.
"""
import numpy as np

from benchmarks.data import SEED, mlp_weights
from benchmarks.workloads.spec import (Workload, classifier_step, compiled, sgd_update,
                                       softmax_cross_entropy, torch_classifier_step,
                                       torch_cpu)

SIZES = [784, 256, 128, 10]
LR = 0.01


def _data(batch):
    """Inputs (batch, 784) float32, labels (batch,) int64 and float32 weights."""
    rng = np.random.default_rng(SEED + 1)
    X = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], batch)
    return X, labels, mlp_weights(SIZES, dtype=np.float32)


def _load_ours(model, layers):
    """Put the float32 weights into ``nn.MLP`` (weight (in, out), then bias, per layer)."""
    arrays = [a for layer in layers for a in layer]
    for p, a in zip(model.parameters(), arrays, strict=True):
        if p.shape != a.shape:
            raise ValueError(f"nn.MLP parameter of shape {p.shape}, expected {a.shape}")
        p.data = a.copy()


def setup_autograd(batch, compile=None):
    """Ours; with ``compile`` (``autograd.compile``) the step is compiled."""
    import nn
    X, labels, layers = _data(batch)
    model = nn.MLP(SIZES, activation="relu", rng=SEED)
    _load_ours(model, layers)
    return classifier_step(model, X, labels, LR, compile)


def setup_torch(batch):
    torch = torch_cpu()
    X, labels, layers = _data(batch)
    linears = [torch.nn.Linear(*W.shape) for W, _ in layers]
    with torch.no_grad():
        for linear, (W, b) in zip(linears, layers):
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(b))
    model = torch.nn.Sequential(linears[0], torch.nn.ReLU(), linears[1], torch.nn.ReLU(),
                                linears[2])
    return torch_classifier_step(torch, model, X, labels, LR)


def setup_numpy(batch):
    X, labels, layers = _data(batch)
    W1, b1, W2, b2, W3, b3 = params = [a.copy() for layer in layers for a in layer]

    def step():
        h1 = X @ W1
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ W2
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ W3
        z += b3
        loss = softmax_cross_entropy(z, labels)  # z is now d loss / d z
        dh2 = z @ W3.T
        dh2 *= h2 > 0
        dh1 = dh2 @ W2.T
        dh1 *= h1 > 0
        grads = [X.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ z, z.sum(0)]
        sgd_update(params, grads, LR)
        return loss
    return step


WORKLOAD = Workload(
    name="W3", title="tensor MLP 784-256-128-10, ReLU, softmax CE, SGD, float32",
    size_name="batch", sizes=(32, 512), quick_size=4,
    systems={"autograd": setup_autograd, "autograd-compiled": compiled(setup_autograd),
             "torch": setup_torch, "numpy": setup_numpy},
    check="loss of the 2nd iteration (after one SGD step)", rtol=1e-5,
    requires={"autograd": ("nn",), "autograd-compiled": ("nn",)})
