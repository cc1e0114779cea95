"""Activation functions and their derivatives, as the engine computes them.

For ReLU, leaky ReLU, sigmoid and tanh, which act on each number separately, the gradient of
sum(f(x)) with respect to x is f'(x) at every x at once: one backward pass draws the whole
derivative curve. Softmax mixes its inputs, so we vary one score x of three, (x, 0, 1), and
take the derivative of each probability with `autograd.grad`. Every curve is checked against
central finite differences (`autograd.numerical_grad`) and the textbook formula, then plotted.

    python -m demos.activations [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

from autograd import Value, grad, numerical_grad, stack

from .common import check, out_dir, parse_args, pyplot, run, save_figure

SLOPE = 0.1  # leaky ReLU's slope for x < 0 (0.01 is the usual default, too small to see)
TOLERANCE = 1e-6


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (the function on Values, its derivative by the textbook formula on arrays)
ELEMENTWISE = {
    "ReLU": (lambda v: v.relu(), lambda x: (x > 0).astype(float)),
    f"leaky ReLU ({SLOPE})": (lambda v: v.leaky_relu(SLOPE), lambda x: np.where(x > 0, 1.0, SLOPE)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (lambda v: v.tanh(), lambda x: 1 - np.tanh(x) ** 2),
}


def softmax_of(v: Value) -> Value:
    """Softmax over the three scores (x, 0, 1), for each x in v: shape (n, 3)."""
    zero = Value(np.zeros(v.shape), requires_grad=False)
    return stack([v, zero, zero + 1], axis=1).softmax(axis=1)


def main(argv=None) -> dict:
    args = parse_args("demos.activations", __doc__, argv)
    folder = out_dir(args)
    pyplot()  # fail early, before any training, if matplotlib is missing
    # An even number of points, so that none falls on the kink of ReLU at 0.
    xs = np.linspace(-4, 4, 100 if args.quick else 400)
    curves, errors = {}, {}

    print(f"{len(xs)} points in [-4, 4]; engine's derivative vs finite differences and formula:\n")
    print(f"  {'function':<20}{'vs finite differences':>22}{'vs formula':>14}")
    for name, (f, formula) in ELEMENTWISE.items():
        x = Value(xs)
        y = f(x)
        y.sum().backward()  # d sum(f(x)) / dx_i = f'(x_i): the whole curve in one pass
        numeric = numerical_grad(lambda v: f(v).sum(), [Value(xs)])[0]
        errors[name] = (float(np.max(np.abs(x.grad - numeric))),
                        float(np.max(np.abs(x.grad - formula(xs)))))
        curves[name] = (y.data, x.grad, numeric)
        print(f"  {name:<20}{errors[name][0]:>22.1e}{errors[name][1]:>14.1e}")

    # Softmax: three probabilities p_k of the scores (x, 0, 1); dp_k/dx = p_k (delta_k0 - p_0).
    x = Value(xs)
    p = softmax_of(x)
    engine = [grad(p[:, k].sum(), x)[0].data for k in range(3)]  # grad returns Values
    numeric = [numerical_grad(lambda v, k=k: softmax_of(v)[:, k].sum(), [Value(xs)])[0]
               for k in range(3)]
    formula = [p.data[:, k] * ((k == 0) - p.data[:, 0]) for k in range(3)]
    for k in range(3):
        name = f"softmax p{k}"
        errors[name] = (float(np.max(np.abs(engine[k] - numeric[k]))),
                        float(np.max(np.abs(engine[k] - formula[k]))))
        print(f"  {name:<20}{errors[name][0]:>22.1e}{errors[name][1]:>14.1e}")

    worst = max(max(e) for e in errors.values())
    print(f"\nLargest disagreement: {worst:.1e}: the rounding error of finite differences "
          f"(eps = 1e-6) of a sum over {len(xs)} points.")
    check(worst < TOLERANCE, f"an activation's derivative disagrees by {worst:.1e} "
                             f"(tolerance {TOLERANCE:g}): {errors}")

    path = plot(xs, curves, p.data, engine, numeric, folder / "activations.png")
    return {"errors": errors, "max_error": worst, "files": [str(path)], "png": str(path)}


def plot(xs, curves, probs, engine, numeric, path):
    """A panel per function: the function (solid), the engine's derivative (dashed), and
    some finite-difference values (dots) on top of the derivative."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.6), sharex=True)
    every = max(1, len(xs) // 20)  # dots for every n-th finite difference, so the line shows
    for ax, (name, (y, derivative, fd)) in zip(axes.flat, curves.items()):
        ax.plot(xs, y, color="#1d4ed8", label="f(x)")
        ax.plot(xs, derivative, "--", color="#dc2626", label="f'(x), reverse mode")
        ax.plot(xs[::every], fd[::every], "o", ms=3.5, color="black",
                label="finite differences")
        ax.set_title(name)
    colours = ("#1d4ed8", "#059669", "#d97706")
    for k, colour in enumerate(colours):
        axes.flat[4].plot(xs, probs[:, k], color=colour, label=f"$p_{k}$")
        axes.flat[5].plot(xs, engine[k], "--", color=colour, label=f"$dp_{k}/dx$")
        axes.flat[5].plot(xs[::every], numeric[k][::every], "o", ms=3, color=colour)
    axes.flat[4].set_title("softmax of scores (x, 0, 1)")
    axes.flat[5].set_title("softmax: derivatives with respect to x")
    for ax in axes.flat:
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("x")
    fig.suptitle("Activation functions and their derivatives (dots: finite differences)")
    fig.tight_layout()
    return save_figure(fig, path)


if __name__ == "__main__":
    raise SystemExit(run(main))
