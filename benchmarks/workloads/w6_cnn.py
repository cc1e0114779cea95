"""W6 CNN training step: conv3x3(1->8)+ReLU+maxpool2, conv3x3(8->16)+ReLU+maxpool2,
flatten, linear 784->10; softmax cross-entropy, plain SGD, float32.

One iteration is forward, backward and the SGD update (lr 0.01) on one batch of random
1x28x28 inputs with integer labels (convolutions padded by 1, so 28 -> 14 -> 7). Ours uses
``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.Flatten``, ``nn.Linear``, ``nn.cross_entropy`` and
``nn.optim.SGD``; torch the same in ``torch.nn``; numpy is the hand-written floor: im2col
on channel-major arrays, pooling as the max of four strided corners (its gradient
through their masks), a fused softmax-cross-entropy gradient, col2im as nine strided adds,
in-place updates.
Every system's setup first calls ``steady_malloc()`` (see spec.py): with glibc's default
thresholds a step's freed temporaries come back as fresh zero-filled pages, which cost the
numpy step 2x and ours 2.5x.
Check value: the loss of the 2nd iteration, so it depends on one update.
"""
import numpy as np

from benchmarks.data import SEED
from benchmarks.workloads.spec import (Workload, classifier_step, compiled, sgd_update,
                                       softmax_cross_entropy, steady_malloc,
                                       torch_classifier_step, torch_cpu)

LR = 0.01
SHAPES = {"conv1.weight": (8, 1, 3, 3), "conv1.bias": (8,), "conv2.weight": (16, 8, 3, 3),
          "conv2.bias": (16,), "linear.weight": (10, 784), "linear.bias": (10,)}
"""PyTorch's names and layouts (weight (out, in, kH, kW), linear weight (out, in))."""


def _data(batch):
    """Inputs (batch, 1, 28, 28) float32, labels (batch,) and float32 weights, each uniform
    in +-1/sqrt(fan_in) as PyTorch draws them."""
    rng = np.random.default_rng(SEED + 3)
    X = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    weights, fan_in = {}, None
    for name, shape in SHAPES.items():
        if name.endswith("weight"):
            fan_in = int(np.prod(shape[1:]))
        bound = fan_in ** -0.5
        weights[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return X, labels, weights


def setup_autograd(batch, compile=None):
    """Ours; with ``compile`` (``autograd.compile``) the step is compiled."""
    import nn
    steady_malloc()
    X, labels, weights = _data(batch)
    f32 = np.float32
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, dtype=f32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1, dtype=f32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(784, 10, dtype=f32))
    for p, name in zip(model.parameters(), SHAPES, strict=True):  # our Linear is (in, out)
        p.data = weights[name].T if name == "linear.weight" else weights[name]
    return classifier_step(model, X, labels, LR, compile)


def setup_torch(batch):
    steady_malloc()
    torch = torch_cpu()
    X, labels, weights = _data(batch)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Conv2d(8, 16, 3, padding=1),
                                torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(784, 10))
    with torch.no_grad():
        for p, name in zip(model.parameters(), SHAPES):
            p.copy_(torch.from_numpy(weights[name]))
    return torch_classifier_step(torch, model, X, labels, LR)


# The numpy version keeps activations channel-major, (C, N, H, W): im2col's copy then reads
# whole rows of the input, and every product is one large matrix product.
def _im2col(h):
    """(C, N, H, W), padded by 1 -> columns (C*9, N*H*W) of 3x3 windows, in the weight's
    (C, kH, kW) order."""
    c, n, height, width = h.shape
    padded = np.zeros((c, n, height + 2, width + 2), h.dtype)
    padded[:, :, 1:-1, 1:-1] = h
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(c * 9, -1)


def _col2im(cols, shape):
    """The adjoint of _im2col: each window's gradient added back where it came from."""
    c, n, height, width = shape
    cols = cols.reshape(c, 3, 3, n, height, width)
    padded = np.zeros((c, n, height + 2, width + 2), cols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, :, i:i + height, j:j + width] += cols[:, i, j]
    return padded[:, :, 1:-1, 1:-1]


_CORNERS = [(slice(i, None, 2), slice(j, None, 2)) for i in range(2) for j in range(2)]


def _pool(h):
    """2x2 max pool of (C, N, H, W): the elementwise max of the four strided corners."""
    corners = [h[:, :, i, j] for i, j in _CORNERS]
    return np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))


def _pool_relu_grad(g, pooled, h):
    """The gradient through the max pool (to each window's max) and the ReLU before it,
    as rows (C, N*H*W). (A tie sends it to each tied element: after a ReLU ties are at 0,
    where the ReLU stops it.)"""
    out = np.empty_like(h)
    for i, j in _CORNERS:
        np.multiply(g, h[:, :, i, j] == pooled, out=out[:, :, i, j])
    out *= h > 0
    return out.reshape(len(h), -1)


def setup_numpy(batch):
    steady_malloc()
    X, labels, weights = _data(batch)
    W1, b1, W2, b2, W3, b3 = params = [weights[name].copy() for name in SHAPES]
    x = X.transpose(1, 0, 2, 3)  # channel-major

    def conv_relu(h, W, b):
        cols = _im2col(h)
        out = W.reshape(len(W), -1) @ cols
        out += b[:, None]
        np.maximum(out, 0, out=out)
        return cols, out.reshape((len(W),) + h.shape[1:])

    def step():
        cols1, h1 = conv_relu(x, W1, b1)
        p1 = _pool(h1)
        cols2, h2 = conv_relu(p1, W2, b2)
        p2 = _pool(h2)
        flat = p2.transpose(1, 0, 2, 3).reshape(batch, -1)  # PyTorch's (C, H, W) order
        z = flat @ W3.T
        z += b3
        loss = softmax_cross_entropy(z, labels)  # z is now d loss / d z
        dp2 = (z @ W3).reshape(batch, 16, 7, 7).transpose(1, 0, 2, 3)
        d2 = _pool_relu_grad(dp2, p2, h2)
        dp1 = _col2im(W2.reshape(16, -1).T @ d2, p1.shape)
        d1 = _pool_relu_grad(dp1, p1, h1)
        grads = [(d1 @ cols1.T).reshape(W1.shape), d1.sum(1), (d2 @ cols2.T).reshape(W2.shape),
                 d2.sum(1), z.T @ flat, z.sum(0)]
        sgd_update(params, grads, LR)
        return loss
    return step


WORKLOAD = Workload(
    name="W6", title="CNN step: 2 x (conv3x3 + ReLU + maxpool2), linear; 1x28x28, softmax "
    "CE, SGD, float32", size_name="batch", sizes=(64,), quick_size=4,
    systems={"autograd": setup_autograd, "autograd-compiled": compiled(setup_autograd),
             "torch": setup_torch, "numpy": setup_numpy},
    check="loss of the 2nd iteration (after one SGD step)", rtol=1e-5,
    requires={"autograd": ("nn",), "autograd-compiled": ("nn",)})
