"""Numeric vs reverse mode: two ways to get the same gradient, at very different costs.

Finite differences nudge one weight at a time: with forward differences,
dL/dw ~ (L(w + eps) - L(w)) / eps, so a network with n weights needs n + 1 forward passes
per gradient. Reverse mode (backpropagation, `loss.backward()`) gets all n derivatives from
one forward and one backward pass. We train the same network from the same starting
weights both ways with plain gradient descent: the losses agree, and reverse mode wins by a
factor that grows with the number of weights.

    python -m demos.numeric_vs_reverse [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import time

import numpy as np
from tqdm import tqdm

import nn
from autograd import Value, no_grad

from .common import check, parse_args, run, show_progress

# Forward differences err by ~eps * L''/2 (truncation) plus ~1e-16 / eps (rounding).
EPS = 1e-7


def loss_of(model, X, y) -> Value:
    return nn.mse_loss(model(X), y)


def numeric_gradients(model, X, y) -> float:
    """Fill every parameter's .grad with forward differences: one forward pass per weight,
    plus one for the loss itself, which is returned."""
    with no_grad():
        base = loss_of(model, X, y).item()
        for p in model.parameters():
            original, g = p.data, np.zeros(p.shape)
            for j in range(p.size):
                nudged = original.copy()
                nudged.flat[j] += EPS
                p.data = nudged  # data is read-only: assign a new array, never edit in place
                g.flat[j] = (loss_of(model, X, y).item() - base) / EPS
            p.data = original
            p.grad = g
    return base


def reverse_gradients(model, X, y) -> float:
    """Fill every parameter's .grad by backpropagation: one forward and one backward pass.
    Returns the loss."""
    model.zero_grad()
    loss = loss_of(model, X, y)
    loss.backward()
    return loss.item()


def train(sizes, gradients, X, y, steps: int, seed: int) -> tuple[list, float]:
    """Gradient descent with `gradients` filling .grad; returns (losses, seconds).

    losses[k] is the loss before step k; the last one is after the final step."""
    model = nn.MLP(sizes, activation="sigmoid", output_activation="sigmoid", rng=seed)
    optimizer = nn.optim.SGD(model.parameters(), lr=2.0)
    losses = []
    start = time.perf_counter()
    for _ in tqdm(range(steps), desc=gradients.__name__, disable=not show_progress(), leave=False):
        losses.append(gradients(model, X, y))
        optimizer.step()
    seconds = time.perf_counter() - start
    with no_grad():
        losses.append(loss_of(model, X, y).item())
    return losses, seconds


def forward_only(model, X, y) -> float:
    """Just the loss, recording nothing: the unit the other two are measured in."""
    with no_grad():
        return loss_of(model, X, y).item()


def seconds(sizes, compute, X, y, repeats: int) -> float:
    """Best of `repeats` timings of `compute` on a fresh model of the given sizes (the
    best, because other programs on a shared machine only ever make a run slower)."""
    model = nn.MLP(sizes, activation="sigmoid", output_activation="sigmoid", rng=0)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        compute(model, X, y)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> dict:
    args = parse_args("demos.numeric_vs_reverse", __doc__, argv)
    rng = np.random.default_rng(args.seed)
    steps, n_points = (30, 64) if args.quick else (200, 128)
    table_sizes = [[2, 5, 1], [2, 10, 10, 1], [2, 16, 16, 1]]
    if not args.quick:
        table_sizes += [[2, 32, 32, 1], [2, 48, 48, 1]]

    # The task of demos.above_line: is the point above the line y = x?
    points = rng.uniform(0.0, 1.0, (n_points, 2))
    X = Value(points, requires_grad=False)
    y = (points[:, 1] > points[:, 0]).astype(float).reshape(-1, 1)
    sizes = [2, 5, 1]
    n_weights = nn.MLP(sizes).num_parameters()
    print(f"Network {'-'.join(map(str, sizes))} ({n_weights} weights and biases), {n_points} "
          f"points, MSE loss,\n{steps} steps of gradient descent from the same starting weights "
          f"(seed {args.seed}).")

    # First the two gradients at the start, side by side.
    model_a = nn.MLP(sizes, activation="sigmoid", output_activation="sigmoid", rng=args.seed)
    model_b = nn.MLP(sizes, activation="sigmoid", output_activation="sigmoid", rng=args.seed)
    numeric_gradients(model_a, X, y)
    reverse_gradients(model_b, X, y)
    gap = max(float(np.max(np.abs(a.grad - b.grad)))
              for a, b in zip(model_a.parameters(), model_b.parameters()))
    w_a, w_b = model_a.layers[0].weight, model_b.layers[0].weight
    print(f"\nAt the start, d loss / d (first weight): numeric {w_a.grad.flat[0]:+.8f}, "
          f"reverse {w_b.grad.flat[0]:+.8f}")
    print(f"Largest difference over all {n_weights} derivatives: {gap:.1e} "
          f"(forward differences with eps = {EPS:g})")

    numeric, t_numeric = train(sizes, numeric_gradients, X, y, steps, args.seed)
    reverse, t_reverse = train(sizes, reverse_gradients, X, y, steps, args.seed)
    print(f"\n  {'':22}{'loss at start':>14}{'final loss':>14}{'time':>10}")
    print(f"  {'finite differences':22}{numeric[0]:>14.6f}{numeric[-1]:>14.8f}{t_numeric:>9.2f}s")
    print(f"  {'reverse mode':22}{reverse[0]:>14.6f}{reverse[-1]:>14.8f}{t_reverse:>9.2f}s")
    speedup = t_numeric / t_reverse
    print(f"\nSame loss (difference {abs(numeric[-1] - reverse[-1]):.1e}); "
          f"reverse mode was {speedup:.1f}x faster.")
    check(abs(numeric[-1] - reverse[-1]) <= 1e-5 * max(1.0, abs(reverse[-1])),
          f"the final losses differ: numeric {numeric[-1]:.8f}, reverse {reverse[-1]:.8f}")
    check(reverse[-1] < reverse[0], "training did not lower the loss")

    print("\nHow the gap grows with the number of weights (time for one gradient):\n")
    print(f"  {'network':<14}{'weights':>8}{'forward':>12}{'numeric':>12}{'reverse':>12}"
          f"{'speed-up':>10}")
    table = []
    for net in table_sizes:
        n = nn.MLP(net).num_parameters()
        t_fwd = seconds(net, forward_only, X, y, repeats=20)
        t_num = seconds(net, numeric_gradients, X, y, repeats=2 if n > 1000 else 3)
        t_rev = seconds(net, reverse_gradients, X, y, repeats=20)
        table.append({"sizes": net, "weights": n, "forward_s": t_fwd, "numeric_s": t_num,
                      "reverse_s": t_rev, "speedup": t_num / t_rev})
        print(f"  {'-'.join(map(str, net)):<14}{n:>8}" + "".join(
            f"{t * 1e3:>10.2f}ms" for t in (t_fwd, t_num, t_rev)) + f"{t_num / t_rev:>9.0f}x")
    last = table[-1]
    print(f"\nCounted in forward passes, for {last['weights']} weights: the numeric gradient "
          f"took the time of {last['numeric_s'] / last['forward_s']:.0f} (it runs "
          f"{last['weights'] + 1}), the reverse one {last['reverse_s'] / last['forward_s']:.1f}.\n"
          f"Reverse mode costs a few forward passes, whatever the number of weights.")
    check(last["speedup"] > 1, f"reverse mode was not faster for {last['weights']} weights")

    return {"numeric_loss": numeric[-1], "reverse_loss": reverse[-1], "start_loss": reverse[0],
            "max_grad_difference": gap, "speedup": speedup, "table": table, "files": []}


if __name__ == "__main__":
    raise SystemExit(run(main))
