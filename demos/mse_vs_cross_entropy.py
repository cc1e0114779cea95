"""MSE or cross-entropy for a sigmoid output? Cross-entropy: MSE stalls where the neuron is
confidently wrong.

A sigmoid neuron outputs p = sigmoid(z), z = w x + b. By the chain rule, each loss's
derivative with respect to z is

    MSE            (p - y)^2                         ->  2 (p - y) p (1 - p)
    cross-entropy  -(y log p + (1 - y) log(1 - p))   ->  p - y

A confidently wrong neuron has p near 0 where y = 1 (or near 1 where y = 0), so p (1 - p)
is nearly 0: MSE's gradient all but vanishes and its loss is a flat plateau, while
cross-entropy's gradient p - y is nearly -1 (or +1): its loss is a bowl that keeps sloping
towards the answer.

The data: points x in [-2, 2], each labelled 1 with probability sigmoid(2 x), as a neuron
with w = 2, b = 0 would label them. One `nn.Perceptron(1, activation="sigmoid")` is
trained twice by plain gradient descent (learning rate 1, full batch), once on each loss,
from the same badly wrong start w = -6, b = 0: it says "no" with confidence where the
answer is mostly "yes". A run reaches its target when its loss is within 5% of that of the
neuron that made the labels. (Adam, used by demos.above_line, divides each step by the
gradient's recent size, which hides much of MSE's plateau; plain gradient descent shows it.)

    python -m demos.mse_vs_cross_entropy [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value

from .common import check, out_dir, parse_args, pyplot, run, save_figure

TRUE_WEIGHT = 2.0    # the neuron that labels the data (its bias is 0)
START_WEIGHT = -6.0  # the badly wrong start of both runs (bias 0)
LEARNING_RATE = 1.0
SLACK = 1.05         # target: within 5% of the labelling neuron's loss
LOSSES = {"MSE": nn.mse_loss, "cross-entropy": nn.binary_cross_entropy}
COLOURS = {"MSE": "#dc2626", "cross-entropy": "#1d4ed8"}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def labelled_points(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """n points x uniform in [-2, 2], labelled 1 with probability sigmoid(TRUE_WEIGHT * x)."""
    x = rng.uniform(-2.0, 2.0, n)
    return x, (rng.uniform(size=n) < sigmoid(TRUE_WEIGHT * x)).astype(float)


def loss_curves(weights: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict:
    """name -> (loss, dloss/dw) at each of `weights` with bias 0, from one backward pass per
    loss: row i of the (len(weights), n) grid is the neuron with weight weights[i], and the
    rows do not interact, so the gradient of the sum of row losses is each row's dL/dw."""
    curves = {}
    for name, loss_fn in LOSSES.items():
        w = Value(weights[:, None])
        p = (w * x).sigmoid()
        row_loss = loss_fn(p, np.broadcast_to(y, p.shape), reduction="none").mean(axis=1)
        row_loss.sum().backward()
        curves[name] = (row_loss.data, w.grad[:, 0])
    return curves


def train(loss_fn, x: np.ndarray, y: np.ndarray, steps: int, seed: int) -> dict:
    """Gradient descent on one sigmoid neuron from (START_WEIGHT, 0); the loss, weight and
    dloss/dw before each step."""
    model = nn.Perceptron(1, activation="sigmoid", rng=seed)
    model.weight.data = np.array([START_WEIGHT])  # the bias starts at 0
    optimizer = nn.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    X = Value(x[:, None], requires_grad=False)
    history = {"loss": [], "weight": [], "grad": []}
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        history["loss"].append(loss.item())
        history["weight"].append(float(model.weight.data[0]))
        history["grad"].append(float(model.weight.grad[0]))
        optimizer.step()
    return history


def first_step(values, below: float):
    """The first step at which values[step] <= below, or None."""
    return next((step for step, v in enumerate(values) if v <= below), None)


def main(argv=None) -> dict:
    args = parse_args("demos.mse_vs_cross_entropy", __doc__, argv)
    folder = out_dir(args)
    pyplot()  # fail early, before any training, if matplotlib is missing
    n, steps = (100, 500) if args.quick else (200, 1000)
    x, y = labelled_points(n, np.random.default_rng(args.seed))
    print(f"{n} points x in [-2, 2], labelled 1 with probability sigmoid({TRUE_WEIGHT:g} x): "
          f"{int(y.sum())} ones, {n - int(y.sum())} zeros.")
    p_start = sigmoid(START_WEIGHT * x)
    print(f"Start: w = {START_WEIGHT:g}, b = 0. Where x > 1 the answer is mostly 1; the "
          f"neuron says p <= {p_start[x > 1].max():.4f} there.")

    # The labelling neuron's loss on these points sets each run's target.
    p_true = Value(sigmoid(TRUE_WEIGHT * x))
    targets = {name: SLACK * loss_fn(p_true, y).item() for name, loss_fn in LOSSES.items()}
    runs = {name: train(loss_fn, x, y, steps, args.seed) for name, loss_fn in LOSSES.items()}
    reached = {name: first_step(runs[name]["loss"], targets[name]) for name in LOSSES}
    crossed = {name: first_step([-w for w in runs[name]["weight"]], 0.0) for name in LOSSES}

    print(f"\nPlain gradient descent, learning rate {LEARNING_RATE:g}, {steps} steps each:\n")
    print(f"  {'loss':<15}{'|dL/dw| at start':>18}{'w > 0 after':>13}{'target':>9}"
          f"{'reached after':>15}{'final w':>9}")
    for name, history in runs.items():
        print(f"  {name:<15}{abs(history['grad'][0]):>18.4f}{describe(crossed[name]):>13}"
              f"{targets[name]:>9.4f}{describe(reached[name]):>15}{history['weight'][-1]:>9.3f}")
    mse, ce = runs["MSE"], runs["cross-entropy"]
    ratio = abs(ce["grad"][0]) / abs(mse["grad"][0])
    print(f"\nAt the wrong start cross-entropy's gradient is {ratio:.0f}x MSE's: MSE's carries "
          f"the factor p (1 - p), nearly 0 for a confidently wrong neuron.")
    check(ratio >= 10, f"cross-entropy's gradient at the start is only {ratio:.1f}x MSE's")
    check(reached["cross-entropy"] is not None,
          f"cross-entropy did not reach its target {targets['cross-entropy']:.4f} in {steps} "
          f"steps (loss {ce['loss'][-1]:.4f})")
    check(reached["MSE"] is not None,
          f"MSE did not reach its target in {steps} steps; give it more steps")
    check(reached["MSE"] >= 5 * reached["cross-entropy"],
          f"MSE reached its target in {reached['MSE']} steps, cross-entropy in "
          f"{reached['cross-entropy']}: not 5x fewer")
    print(f"Cross-entropy reached its target in {reached['cross-entropy']} steps, MSE in "
          f"{reached['MSE']}: {reached['MSE'] / reached['cross-entropy']:.0f}x as many.")

    weights = np.linspace(-8.0, 8.0, 321)
    path = plot(weights, loss_curves(weights, x, y), runs, targets, reached,
                folder / "mse_vs_cross_entropy.png")
    return {"grad_mse": abs(mse["grad"][0]), "grad_cross_entropy": abs(ce["grad"][0]),
            "grad_ratio": ratio, "steps_mse": reached["MSE"],
            "steps_cross_entropy": reached["cross-entropy"], "targets": targets,
            "losses_mse": mse["loss"], "losses_cross_entropy": ce["loss"],
            "final_weight_mse": mse["weight"][-1], "final_weight_cross_entropy": ce["weight"][-1],
            "png": str(path), "files": [str(path)]}


def describe(step) -> str:
    return "never" if step is None else f"{step} steps"


def plot(weights, curves, runs, targets, reached, path):
    """Top: each loss and |dL/dw| over the weight (bias 0), the start marked. Bottom: each
    run's loss per step with its target, and the weight of both runs per step."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.6))
    start = dict(color="black", marker="o", ms=6, ls="none", zorder=3)
    for ax, name in zip(axes[0], LOSSES):
        loss, _ = curves[name]
        ax.plot(weights, loss, color=COLOURS[name])
        ax.plot(runs[name]["weight"][0], runs[name]["loss"][0], label="start", **start)
        ax.axvline(TRUE_WEIGHT, color="grey", ls=":", label=f"w = {TRUE_WEIGHT:g} (labels)")
        ax.set(title=f"{name} over the weight (bias 0)", xlabel="w", ylabel=name)
    axes[0, 0].annotate("plateau: confidently wrong,\nalmost no slope", xy=(-6.5, 0.8),
                        xytext=(-5, 0.45), arrowprops=dict(arrowstyle="->"), fontsize=9)
    ax = axes[0, 2]
    for name in LOSSES:
        ax.semilogy(weights, np.abs(curves[name][1]), color=COLOURS[name], label=name)
        g0 = abs(runs[name]["grad"][0])
        ax.plot(START_WEIGHT, g0, **start)
        ax.annotate(f"{g0:.3g}", (START_WEIGHT, g0), xytext=(6, 4), textcoords="offset points")
    ax.set(title="|dL/dw| over the weight (start: dots)", xlabel="w", ylabel="|dL/dw|")

    for ax, name in zip(axes[1], LOSSES):
        losses = runs[name]["loss"]
        ax.plot(losses, color=COLOURS[name], label=f"{name} run")
        ax.axhline(targets[name], color="grey", ls="--", label="target")
        if reached[name] is not None:
            ax.axvline(reached[name], color=COLOURS[name], ls=":",
                       label=f"reached at step {reached[name]}")
        ax.set(title=f"training with {name}", xlabel="step", ylabel=name)
    ax = axes[1, 2]
    for name in LOSSES:
        ax.plot(runs[name]["weight"], color=COLOURS[name], label=f"{name} run")
    ax.axhline(TRUE_WEIGHT, color="grey", ls=":", label=f"w = {TRUE_WEIGHT:g} (labels)")
    ax.set(title="the weight during training", xlabel="step", ylabel="w")
    for ax in axes[1]:  # steps 0-1 linear, then logarithmic: both runs' scales show
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(0, len(runs["MSE"]["loss"]))
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle("A sigmoid neuron from the same wrong start: MSE stalls, cross-entropy does not")
    fig.tight_layout()
    return save_figure(fig, path)


if __name__ == "__main__":
    raise SystemExit(run(main))
