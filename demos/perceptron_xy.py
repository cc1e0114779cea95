"""Perceptron x > y: the perceptron rule finds the line that separates two classes.

Points in the square [-1, 1]^2 are labelled +1 when x > y and -1 otherwise. The boundary is
the line x = y, i.e. 1*x - 1*y + 0 = 0, so the learned weights should point along (1, -1):
w_x close to -w_y, and the bias close to 0 (relative to the size of w).

    python -m demos.perceptron_xy [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn

from .common import check, parse_args, run


def labelled_points(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in [-1, 1]^2, labelled +1 where x > y and -1 elsewhere."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, np.where(X[:, 0] > X[:, 1], 1, -1)


def main(argv=None) -> dict:
    args = parse_args("demos.perceptron_xy", __doc__, argv)
    rng = np.random.default_rng(args.seed)
    n_train = 100 if args.quick else 1000
    X, y = labelled_points(n_train, rng)
    print(f"{n_train} training points in [-1, 1]^2, labelled +1 where x > y, -1 where x <= y.")

    # labels=(-1, 1): the perceptron outputs +1 where w.x + b >= 0 and -1 elsewhere.
    p = nn.Perceptron(2, labels=(-1, 1), rng=args.seed)
    mistakes = p.fit(X, y, epochs=1000, lr=0.1)
    shown = mistakes if len(mistakes) <= 12 else mistakes[:6] + ["..."] + mistakes[-3:]
    print(f"\nThe perceptron rule ran {len(mistakes)} epochs; mistakes per epoch: {shown}")
    check(mistakes[-1] == 0, f"the perceptron rule still made {mistakes[-1]} mistakes "
                             f"after {len(mistakes)} epochs")

    X_new, y_new = labelled_points(10_000, rng)
    accuracy = float(np.mean(p.predict(X_new) == y_new))
    (w_x, w_y), b = p.weight.data, float(p.bias.data)
    norm = float(np.hypot(w_x, w_y))
    # The angle between the learned normal vector w and the true one, (1, -1) / sqrt(2).
    angle = float(np.degrees(np.arccos(np.clip((w_x - w_y) / (norm * np.sqrt(2)), -1, 1))))
    print(f"\nAccuracy on 10,000 fresh points: {accuracy:.2%}")
    print(f"Learned weights: w_x = {w_x:+.4f}, w_y = {w_y:+.4f}, bias = {b:+.4f}")
    print(f"  w_x / w_y = {w_x / w_y:+.3f}   (the line x = y has -1)")
    print(f"  bias / |w| = {b / norm:+.4f}  (the line's distance from the origin; ideally 0)")
    print(f"  angle between w and (1, -1): {angle:.2f} degrees")
    print("The learned line is w_x*x + w_y*y + b = 0; only its direction and offset matter, "
          "not the size of w.")
    check(accuracy >= 0.97, f"accuracy on fresh points is only {accuracy:.2%}")
    check(angle < 5 and abs(b) / norm < 0.05,
          f"the learned line is far from x = y: angle {angle:.1f} deg, offset {b / norm:+.3f}")

    return {"epochs": len(mistakes), "accuracy": accuracy, "w_x": float(w_x), "w_y": float(w_y),
            "bias": b, "angle_degrees": angle, "files": []}


if __name__ == "__main__":
    raise SystemExit(run(main))
