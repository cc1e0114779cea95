"""Two moons: an MLP learns a boundary that no straight line can draw.

The two-moons data set (made by `demos.common.make_moons`: two interleaving half circles
with Gaussian noise) is the classic first test of a non-linear classifier. A ReLU network
with two hidden layers, binary cross-entropy on its logits and Adam reach at least 98%
training accuracy. The demo saves the decision boundary and the loss curve as PNGs, and the
computation graph of one neuron (with its gradients) as an SVG.

    python -m demos.moons [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value, no_grad

from .common import (check, make_moons, out_dir, parse_args, pyplot, run, save_figure,
                     show_progress, timer)

BAR = 0.98  # training accuracy to reach, in full and quick mode alike
NOISE = 0.15  # standard deviation of the noise: the moons touch but barely overlap


def predict_proba(model, X: np.ndarray) -> np.ndarray:
    """P(class 1) for each row of X: the sigmoid of the model's logit."""
    with no_grad():
        return model(Value(X, requires_grad=False)).sigmoid().data[:, 0]


def plot_boundary(model, X, y, path):
    """The model's P(class 1) over the plane, its 0.5 contour, and the data on top."""
    plt = pyplot()
    x0, x1 = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y0, y1 = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    prob = predict_proba(model, np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    filled = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.5)
    for label, colour in ((0, "#1d4ed8"), (1, "#b91c1c")):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=16, c=colour, edgecolors="black", linewidths=0.4,
                   label=f"class {label}")
    fig.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set(title="Two moons: decision boundary (black) of the MLP", xlabel="$x_1$",
           ylabel="$x_2$")
    ax.legend(loc="lower left")
    return save_figure(fig, path)


def plot_losses(losses, path):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(np.arange(1, len(losses) + 1), losses, color="#1d4ed8")
    ax.set(title="Two moons: training loss", xlabel="epoch",
           ylabel="binary cross-entropy (mean)", yscale="log")
    ax.grid(True, which="both", alpha=0.3)
    return save_figure(fig, path)


def one_neuron_graph(model, X: np.ndarray, path):
    """One hidden neuron of the first layer, relu(w1*x1 + w2*x2 + b), on one data point,
    written with scalar Values so each multiplication and addition is its own node. We pick
    a neuron and point where the ReLU is active (else every gradient would be 0); after
    backward() each node shows its gradient. Returns the path, or None without Graphviz."""
    W, B = model.layers[0].weight.data, model.layers[0].bias.data
    active = X @ W + B > 0
    j = int(np.argmax(active.any(axis=0)))  # the first neuron that fires for some point
    i = int(np.argmax(active[:, j]))        # the first point it fires for
    x1, x2 = Value(float(X[i, 0]), name="x1"), Value(float(X[i, 1]), name="x2")
    w1, w2 = Value(float(W[0, j]), name="w1"), Value(float(W[1, j]), name="w2")
    bias = Value(float(B[j]), name="b")
    out = (x1 * w1 + x2 * w2 + bias).relu()
    out.name = f"neuron {j}"
    out.backward()
    print(f"  graph of neuron {j} of the first hidden layer on point {i}, "
          f"x = ({X[i, 0]:.2f}, {X[i, 1]:.2f}):")
    try:
        from autograd.viz import GraphvizNotFoundError, save_graph
    except ImportError as err:
        print(f"  skipped the neuron's graph: {err}")
        return None
    try:
        save_graph(out, path)
    except GraphvizNotFoundError:
        print("  skipped the neuron's graph: Graphviz's `dot` program is not installed "
              "(apt-get install graphviz, brew install graphviz or conda install graphviz)")
        return None
    print(f"  wrote {path}")
    return path


def main(argv=None) -> dict:
    args = parse_args("demos.moons", __doc__, argv)
    folder = out_dir(args)
    pyplot()  # fail early, before any training, if matplotlib is missing
    n, epochs = (200, 100) if args.quick else (300, 200)
    X, y = make_moons(n, noise=NOISE, rng=args.seed)
    print(f"{n} points of two moons (noise {NOISE}, seed {args.seed}), {int(y.sum())} in class 1.")

    # One output: the logit of class 1. binary_cross_entropy_with_logits applies the sigmoid
    # itself, in a form that cannot overflow.
    model = nn.MLP([2, 16, 16, 1], activation="relu", rng=args.seed)
    print(f"Model: MLP 2-16-16-1, ReLU, {model.num_parameters()} parameters; Adam (lr 0.01), "
          f"minibatches of 32, {epochs} epochs.")
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    with timer() as elapsed:
        losses = nn.fit(model, X, y.reshape(-1, 1).astype(float),
                        nn.binary_cross_entropy_with_logits, optimizer, epochs=epochs,
                        batch_size=32, rng=args.seed, progress=show_progress())
    accuracy = float(np.mean((predict_proba(model, X) >= 0.5) == y))
    print(f"Trained in {elapsed():.1f} s: loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
          f"training accuracy {accuracy:.1%} ({int(round(accuracy * n))} of {n}).")

    print("\nFiles:")
    files = [plot_boundary(model, X, y, folder / "moons_boundary.png"),
             plot_losses(losses, folder / "moons_loss.png")]
    graph = one_neuron_graph(model, X, folder / "moons_neuron.svg")
    if graph is not None:
        files.append(graph)

    check(accuracy >= BAR, f"training accuracy {accuracy:.1%} is below {BAR:.0%}")
    return {"accuracy": accuracy, "losses": losses, "files": [str(f) for f in files],
            "boundary_png": str(files[0]), "loss_png": str(files[1]),
            "graph_svg": str(graph) if graph is not None else None}


if __name__ == "__main__":
    raise SystemExit(run(main))
