"""Above the line: a small sigmoid network learns which side of y = x a point lies on.

The network MLP([2, 5, 1]) has sigmoid activations throughout, so its output is a number
between 0 and 1. It is trained with the mean squared error on 1,000 random points in the unit
square, labelled 1 above the line y = x and 0 below it. Then we ask it about two new points:
(0.5, 0.1), below the line (expect near 0), and (0.3, 0.7), above it (expect near 1).

    python -m demos.above_line [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value, no_grad

from .common import check, parse_args, run, show_progress, timer

QUERIES = {"below": (0.5, 0.1), "above": (0.3, 0.7)}


def main(argv=None) -> dict:
    args = parse_args("demos.above_line", __doc__, argv)
    rng = np.random.default_rng(args.seed)
    n, epochs = (300, 40) if args.quick else (1000, 100)

    X = rng.uniform(0.0, 1.0, (n, 2))
    # Label 1 above y = x, 0 below; shape (n, 1), the shape of the model's output.
    y = (X[:, 1] > X[:, 0]).astype(float).reshape(-1, 1)
    print(f"{n} random points in the unit square: {int(y.sum())} above the line y = x "
          f"(label 1), {n - int(y.sum())} below (label 0).")

    model = nn.MLP([2, 5, 1], activation="sigmoid", output_activation="sigmoid", rng=args.seed)
    print(f"\nModel: {model.num_parameters()} parameters")
    print(model)

    # Adam rather than plain SGD: sigmoids with MSE learn slowly, and Adam scales each step.
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    with timer() as elapsed:
        losses = nn.fit(model, X, y, nn.mse_loss, optimizer, epochs=epochs, batch_size=32,
                        rng=args.seed, progress=show_progress())
    print(f"\nTrained {epochs} epochs (minibatches of 32) in {elapsed():.1f} s: "
          f"MSE {losses[0]:.4f} -> {losses[-1]:.4f}")

    with no_grad():
        train_pred = model(Value(X, requires_grad=False)).data
        queries = np.array(list(QUERIES.values()))
        pred = model(Value(queries, requires_grad=False)).data[:, 0]
    accuracy = float(np.mean((train_pred >= 0.5) == (y == 1)))
    print(f"Training accuracy (output >= 0.5 means 'above'): {accuracy:.1%}\n")
    for (side, (px, py)), p in zip(QUERIES.items(), pred):
        expect = "near 1" if side == "above" else "near 0"
        print(f"  prediction for ({px}, {py}): {p:.4f}   ({side} the line: expect {expect})")

    below, above = float(pred[0]), float(pred[1])
    check(below < 0.5 < above, f"wrong side: (0.5, 0.1) -> {below:.3f}, (0.3, 0.7) -> {above:.3f}")
    return {"below": below, "above": above, "accuracy": accuracy, "losses": losses, "files": []}


if __name__ == "__main__":
    raise SystemExit(run(main))
