"""A convolutional network on the 8x8 digits: filters that slide, and why that helps.

The same 1,797 scikit-learn digits and the same train/test split as demos.digits. A small
CNN (Conv2d 1->16 3x3, ReLU, MaxPool 2x2, Conv2d 16->32 3x3, ReLU, Linear 512->10) learns
16 little 3x3 filters that it slides over every image, instead of one weight per pixel.
It trains on the training digits moved by up to one pixel in each direction (fresh moves
every epoch), and so does the MLP of demos.digits (64-64-10): each must learn what a digit
looks like wherever it sits. The CNN, whose filters and pooling see the same stroke
anywhere, reaches at least 98% test accuracy and beats that MLP on the test digits, as
they are and moved by one pixel. The MLP of demos.digits itself, trained on the digits as
they are, scores as high on those (99.6% with seed 0: the test digits sit where the
training digits do) and fails on the moved ones. Pictures: the first layer's filters and
the test digits the CNN gets wrong.

    python -m demos.cnn_digits [--quick] [--seed N] [--out DIR]
"""
from __future__ import annotations

import numpy as np

import nn
from autograd import Value

from .common import check, out_dir, parse_args, pyplot, run, save_figure, timer
from .digits import load_digits, predict, split

BAR = 0.98  # the CNN's test accuracy must reach it (quick mode too)
MOVES = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]


def moved(images, dy, dx) -> np.ndarray:
    """(n, 8, 8) images each moved by (dy[i], dx[i]) pixels (-1, 0 or 1), zeros coming in."""
    n = len(images)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    rows = (1 - np.asarray(dy))[:, None, None] + np.arange(8)[None, :, None]
    cols = (1 - np.asarray(dx))[:, None, None] + np.arange(8)[None, None, :]
    return padded[np.arange(n)[:, None, None], rows, cols]


def make_cnn(rng: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, rng=rng, dtype=np.float32), nn.ReLU(),
                         nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1, rng=rng + 1, dtype=np.float32),
                         nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, 10, rng=rng + 2,
                                                            dtype=np.float32))


def train(model, images, labels, shape, epochs: int, lr: float, rng) -> list[float]:
    """Adam on minibatches of 32, each epoch on freshly moved copies of the images, the
    learning rate falling from lr to lr / 100 along a cosine; the mean loss of each epoch."""
    optimizer = nn.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.lr = lr * (0.01 + 0.99 * (1 + np.cos(np.pi * epoch / epochs)) / 2)
        x = moved(images, *rng.integers(-1, 2, (2, len(images)))).reshape((-1,) + shape)
        order, total = rng.permutation(len(x)), 0.0
        for start in range(0, len(x), 32):
            batch = order[start:start + 32]
            loss = nn.cross_entropy(model(Value(x[batch], requires_grad=False)), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
    return losses


def accuracies(model, images, labels, shape) -> tuple[float, float, np.ndarray]:
    """Accuracy on the images, on all eight one-pixel moves of them, and the predictions."""
    predicted = predict(model, images.reshape((-1,) + shape))
    n = len(images)
    shifted = np.concatenate([moved(images, [dy] * n, [dx] * n) for dy, dx in MOVES])
    moved_right = predict(model, shifted.reshape((-1,) + shape)) == np.tile(labels, len(MOVES))
    return float(np.mean(predicted == labels)), float(np.mean(moved_right)), predicted


def draw_filters(weight: np.ndarray, path):
    plt = pyplot()
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.3))
    bound = np.abs(weight).max()
    for ax, w in zip(axes.flat, weight[:, 0]):
        ax.imshow(w, cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("The CNN's 16 first-layer 3x3 filters (red +, blue -)")
    return save_figure(fig, path)


def draw_mistakes(images, truth, predicted, path):
    plt = pyplot()
    wrong = np.nonzero(predicted != truth)[0]
    columns = max(len(wrong), 1)
    fig, axes = plt.subplots(1, columns, figsize=(1.2 * columns, 1.6), squeeze=False)
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{truth[i]} read as {predicted[i]}", fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"The test digits the CNN gets wrong ({len(wrong)} of {len(truth)})",
                 y=1.08 if len(wrong) < 5 else 1.0)
    return save_figure(fig, path)


def main(argv=None) -> dict:
    args = parse_args("demos.cnn_digits", __doc__, argv)
    rng = np.random.default_rng(args.seed)
    X, y = load_digits()
    X_train, y_train, X_test, y_test = split(X, y, 0.25, rng)  # demos.digits' split
    X_train, X_test = (a.reshape(-1, 8, 8).astype(np.float32) for a in (X_train, X_test))
    epochs = 25 if args.quick else 40
    print(f"{len(X_train)} digits to train on, {len(X_test)} to test; both models train "
          f"{epochs} epochs on copies moved by up to a pixel (Adam, minibatches of 32).\n")

    models = {"CNN": (make_cnn(args.seed), (1, 8, 8), 0.01),
              "MLP 64-64-10": (nn.MLP([64, 64, 10], activation="relu", rng=args.seed,
                                      dtype=np.float32), (64,), 0.01)}
    results = {}
    for name, (model, shape, lr) in models.items():
        with timer() as elapsed:
            losses = train(model, X_train, y_train, shape, epochs, lr,
                           np.random.default_rng(args.seed))
        test, moved_test, predicted = accuracies(model, X_test, y_test, shape)
        results[name] = {"parameters": model.num_parameters(), "test_accuracy": test,
                         "moved_test_accuracy": moved_test, "losses": losses,
                         "seconds": elapsed(), "predicted": predicted}
        print(f"  {name}: {model.num_parameters()} parameters, loss {losses[0]:.3f} -> "
              f"{losses[-1]:.3f}, test accuracy {test:.1%}, on the test digits moved by a "
              f"pixel {moved_test:.1%} ({elapsed():.1f} s)")

    # the MLP of demos.digits as that demo trains it: on the digits as they are
    unmoved = nn.MLP([64, 64, 10], activation="relu", rng=args.seed, dtype=np.float32)
    nn.fit(unmoved, X_train.reshape(-1, 64), y_train, nn.cross_entropy,
           nn.optim.Adam(unmoved.parameters(), lr=0.01), epochs=20 if args.quick else 30,
           batch_size=32, rng=args.seed, progress=False)
    digits_test, digits_moved, _ = accuracies(unmoved, X_test, y_test, (64,))
    print(f"  MLP of demos.digits (trained on unmoved digits): test accuracy {digits_test:.1%}, "
          f"on the moved test digits {digits_moved:.1%}\n")

    cnn, mlp = results["CNN"], results["MLP 64-64-10"]
    folder = out_dir(args)
    files = [draw_filters(models["CNN"][0].layers[0].weight.data, folder / "cnn_filters.png"),
             draw_mistakes(X_test, y_test, cnn["predicted"], folder / "cnn_mistakes.png")]
    check(cnn["test_accuracy"] >= BAR,
          f"the CNN's test accuracy {cnn['test_accuracy']:.1%} is below {BAR:.0%}")
    check(cnn["test_accuracy"] > mlp["test_accuracy"]
          and cnn["moved_test_accuracy"] > mlp["moved_test_accuracy"],
          f"the CNN ({cnn['test_accuracy']:.1%}, moved {cnn['moved_test_accuracy']:.1%}) does "
          f"not beat the MLP ({mlp['test_accuracy']:.1%}, moved {mlp['moved_test_accuracy']:.1%})")
    check(cnn["moved_test_accuracy"] > digits_moved,
          f"on moved digits the CNN ({cnn['moved_test_accuracy']:.1%}) does not beat the MLP "
          f"of demos.digits ({digits_moved:.1%})")
    for r in results.values():
        del r["predicted"]
    return {"cnn_test_accuracy": cnn["test_accuracy"], "mlp_test_accuracy": mlp["test_accuracy"],
            "cnn_moved_accuracy": cnn["moved_test_accuracy"],
            "mlp_moved_accuracy": mlp["moved_test_accuracy"],
            "digits_mlp_test_accuracy": digits_test, "digits_mlp_moved_accuracy": digits_moved,
            "models": results,
            "files": [str(f) for f in files]}


if __name__ == "__main__":
    raise SystemExit(run(main))
