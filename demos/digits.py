"""Handwritten digits: a softmax classifier and an MLP on 8x8 images, with cross-entropy.

scikit-learn ships 1,797 handwritten digits as 8x8 grey images inside its package (no
download). We hold out a quarter of them as a test set, then train two models with
cross-entropy and Adam on minibatches: a softmax classifier (one Linear layer, 64 pixels ->
10 scores) and an MLP with a hidden layer. The MLP reaches at least 95% test accuracy; the
confusion matrix shows which digits it still mixes up.

    python -m demos.digits [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value, no_grad

from .common import DEMOS_EXTRA, MissingExtra, check, parse_args, run, show_progress, timer

BAR = 0.95  # test accuracy the MLP must reach (quick mode too: it trains fewer epochs)


def load_digits():
    """(X, y): 1,797 images as rows of 64 pixel values scaled to [0, 1], and their digits."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise MissingExtra("the digits demo needs scikit-learn, which is not installed; install "
                           f"the demos extra: {DEMOS_EXTRA}") from None
    digits = sklearn_digits()
    return digits.data / 16.0, digits.target  # pixel values run from 0 to 16


def split(X, y, test_fraction: float, rng):
    """A random train/test split: shuffle the rows, keep the last `test_fraction` for testing."""
    order = rng.permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    train, test = order[:-n_test], order[-n_test:]
    return X[train], y[train], X[test], y[test]


def predict(model, X) -> np.ndarray:
    """The class with the highest score for each row."""
    with no_grad():
        return np.argmax(model(Value(X, requires_grad=False)).data, axis=1)


def confusion_matrix(truth, predicted, n_classes: int = 10) -> np.ndarray:
    """counts[i, j]: how many images of digit i were predicted as j."""
    counts = np.zeros((n_classes, n_classes), int)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def print_confusion(counts) -> None:
    print("  true \\ predicted " + "".join(f"{j:>4}" for j in range(len(counts))))
    for i, row in enumerate(counts):
        print(f"  {i:>16} " + "".join(f"{c:>4}" if c else "   ." for c in row))


def main(argv=None) -> dict:
    args = parse_args("demos.digits", __doc__, argv)
    rng = np.random.default_rng(args.seed)
    X, y = load_digits()
    X_train, y_train, X_test, y_test = split(X, y, 0.25, rng)
    epochs = 20 if args.quick else 30
    print(f"{len(X)} images of 8x8 pixels: {len(X_train)} to train on, {len(X_test)} to test.")
    print(f"Cross-entropy, Adam (lr 0.01), minibatches of 32, {epochs} epochs.\n")

    models = {
        "softmax classifier (Linear 64-10)": nn.Linear(64, 10, rng=args.seed),
        "MLP 64-64-10 (ReLU)": nn.MLP([64, 64, 10], activation="relu", rng=args.seed),
    }
    results = {}
    for name, model in models.items():
        optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
        with timer() as elapsed:
            # The models output 10 scores (logits); cross_entropy takes the integer labels.
            losses = nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=epochs,
                            batch_size=32, rng=args.seed, progress=show_progress())
        train_acc = float(np.mean(predict(model, X_train) == y_train))
        test_acc = float(np.mean(predict(model, X_test) == y_test))
        results[name] = {"parameters": model.num_parameters(), "train_accuracy": train_acc,
                         "test_accuracy": test_acc, "losses": losses, "seconds": elapsed()}
        print(f"  {name}: {model.num_parameters()} parameters, loss {losses[0]:.3f} -> "
              f"{losses[-1]:.3f}, train accuracy {train_acc:.1%}, test accuracy {test_acc:.1%} "
              f"({elapsed():.1f} s)")

    mlp = models["MLP 64-64-10 (ReLU)"]
    counts = confusion_matrix(y_test, predict(mlp, X_test))
    print("\nConfusion matrix of the MLP on the test set (the diagonal is right, '.' is zero):\n")
    print_confusion(counts)
    off = counts - np.diag(np.diag(counts))
    i, j = np.unravel_index(np.argmax(off), off.shape)
    if off[i, j]:
        n = int(off[i, j])
        print(f"\nMost frequent mistake: {n} image{'s' if n > 1 else ''} of the digit {i} "
              f"read as {j}.")

    mlp_acc = results["MLP 64-64-10 (ReLU)"]["test_accuracy"]
    check(mlp_acc >= BAR, f"the MLP's test accuracy {mlp_acc:.1%} is below {BAR:.0%}")
    return {"softmax_test_accuracy": results["softmax classifier (Linear 64-10)"]["test_accuracy"],
            "mlp_test_accuracy": mlp_acc, "confusion": counts.tolist(), "models": results,
            "files": []}


if __name__ == "__main__":
    raise SystemExit(run(main))
