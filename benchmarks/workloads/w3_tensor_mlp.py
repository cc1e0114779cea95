"""W3 tensor MLP step: 784-256-128-10, ReLU, softmax cross-entropy, plain SGD, float32.

One iteration is forward, backward and the SGD update (lr 0.01) on one batch of random
inputs with integer labels. Ours uses ``nn.MLP``, ``nn.cross_entropy`` and
``nn.optim.SGD``; torch uses ``torch.nn`` and ``torch.optim.SGD``; numpy is the
hand-written floor: fused softmax-cross-entropy gradient and in-place updates.
Check value: the loss of the 2nd iteration, so it depends on one update.
"""
import numpy as np

from benchmarks.data import SEED, mlp_weights
from benchmarks.workloads.spec import Workload, torch_cpu

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
    from autograd import Value
    from nn.optim import SGD
    X, labels, layers = _data(batch)
    model = nn.MLP(SIZES, activation="relu", rng=SEED)
    _load_ours(model, layers)
    optimizer = SGD(model.parameters(), lr=LR)
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


def setup_compiled(batch):
    import autograd
    return setup_autograd(batch, autograd.compile)


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
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, y = torch.from_numpy(X), torch.from_numpy(labels)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def setup_numpy(batch):
    X, labels, layers = _data(batch)
    W1, b1, W2, b2, W3, b3 = params = [a.copy() for layer in layers for a in layer]
    rows = np.arange(batch)

    def step():
        h1 = X @ W1
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ W2
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ W3
        z += b3
        z -= z.max(axis=1, keepdims=True)     # log-sum-exp shift
        target_logit = z[rows, labels].mean()
        # loss = mean(log sum exp z - z_label); d loss / d z = (softmax(z) - onehot) / batch,
        # both from one exp computed in place
        np.exp(z, out=z)
        total = z.sum(axis=1, keepdims=True)
        loss = np.log(total).mean() - target_logit
        z /= total
        z[rows, labels] -= 1
        z /= batch
        dh2 = z @ W3.T
        dh2 *= h2 > 0
        dh1 = dh2 @ W2.T
        dh1 *= h1 > 0
        grads = [X.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ z, z.sum(0)]
        for p, g in zip(params, grads):
            g *= LR
            p -= g
        return float(loss)
    return step


WORKLOAD = Workload(
    name="W3", title="tensor MLP 784-256-128-10, ReLU, softmax CE, SGD, float32",
    size_name="batch", sizes=(32, 512), quick_size=4,
    systems={"autograd": setup_autograd, "autograd-compiled": setup_compiled,
             "torch": setup_torch, "numpy": setup_numpy},
    check="loss of the 2nd iteration (after one SGD step)", rtol=1e-5,
    requires={"autograd": ("nn",), "autograd-compiled": ("nn",)})
