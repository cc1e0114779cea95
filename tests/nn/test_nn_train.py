"""nn.fit: minibatches, seeded shuffling, loss history, inputs as arrays or Values."""
import sys

import numpy as np
import pytest

import nn
from autograd import Value
from nn.optim import SGD, Adam


def _line_data(n=40, seed=0):
    """y = 3 x - 1 plus a little noise: an easy regression problem."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 1))
    return X, 3 * X - 1 + 0.01 * rng.standard_normal((n, 1))


class Recorder(nn.Module):
    """A linear model that remembers which rows each forward pass saw (via a row-id column)."""

    def __init__(self):
        self.linear = nn.Linear(1, 1, rng=0)
        self.batches = []

    def forward(self, x):
        self.batches.append(x.data[:, 1].astype(int).tolist())
        return self.linear(x[:, :1])


def _recorded_batches(n, batch_size, shuffle, rng, epochs=2):
    X, y = _line_data(n)
    model = Recorder()
    nn.fit(model, np.hstack([X, np.arange(n)[:, None]]), y, nn.mse_loss,
           SGD(model.parameters(), lr=0.1), epochs=epochs, batch_size=batch_size,
           shuffle=shuffle, rng=rng, progress=False)
    return model.batches


def test_minibatches_cover_every_row_once_per_epoch():
    batches = _recorded_batches(10, batch_size=4, shuffle=True, rng=0)
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    for epoch in (batches[:3], batches[3:]):
        assert sorted(sum(epoch, [])) == list(range(10))
    assert sum(batches[:3], []) != sum(batches[3:], [])     # a new order every epoch


def test_shuffle_is_reproducible_with_a_seed_and_off_when_asked():
    assert _recorded_batches(10, 3, True, rng=5) == _recorded_batches(10, 3, True, rng=5)
    assert _recorded_batches(10, 3, True, rng=5) != _recorded_batches(10, 3, True, rng=6)
    generator = _recorded_batches(10, 3, True, rng=np.random.default_rng(5))
    assert generator == _recorded_batches(10, 3, True, rng=5)
    assert sum(_recorded_batches(10, 3, False, rng=None, epochs=1), []) == list(range(10))


def test_full_batch_by_default():
    assert _recorded_batches(7, None, True, rng=0) == [list(range(7))] * 2


def test_fit_returns_decreasing_losses_and_learns_the_line():
    X, y = _line_data()
    model = nn.Linear(1, 1, rng=0)
    history = nn.fit(model, X, y, nn.mse_loss, SGD(model.parameters(), lr=0.1), epochs=20,
                     batch_size=8, rng=0, progress=False)
    assert len(history) == 20 and all(isinstance(h, float) for h in history)
    assert all(later < earlier for earlier, later in zip(history[:10], history[1:11]))
    assert history[-1] < 1e-3
    assert model.weight.data[0, 0] == pytest.approx(3, abs=0.05)
    assert model.bias.data[0] == pytest.approx(-1, abs=0.05)


def test_fit_is_reproducible_and_accepts_values():
    X, y = _line_data()
    runs = []
    for inputs in ((X, y), (Value(X), Value(y)), (X.tolist(), y.tolist())):
        model = nn.Linear(1, 1, rng=0)
        runs.append(nn.fit(model, *inputs, nn.mse_loss, SGD(model.parameters(), lr=0.1),
                           epochs=3, batch_size=16, rng=1, progress=False))
    assert runs[0] == runs[1] == runs[2]


def test_epoch_loss_is_the_mean_over_samples():
    # With lr 0 nothing changes, so the epoch loss must equal the full-batch loss.
    X, y = _line_data(10)
    model = nn.Linear(1, 1, rng=0)
    history = nn.fit(model, X, y, nn.mse_loss, SGD(model.parameters(), lr=0.0), epochs=1,
                     batch_size=4, rng=0, progress=False)
    assert history[0] == pytest.approx(nn.mse_loss(model(X), y).item(), rel=1e-12)


def test_fit_with_integer_labels_and_cross_entropy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)   # 3 classes
    model = nn.MLP([2, 16, 3], activation="tanh", rng=0)
    history = nn.fit(model, X, labels, nn.cross_entropy, SGD(model.parameters(), lr=0.5),
                     epochs=60, batch_size=20, rng=0, progress=False)
    assert history[-1] < 0.5 * history[0]
    assert (model(X).data.argmax(axis=1) == labels).mean() > 0.9


def test_fit_checks_its_arguments():
    model = nn.Linear(1, 1, rng=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"same number of samples.*\(5, 1\) and \(4,\)"):
        nn.fit(model, np.ones((5, 1)), np.ones(4), nn.mse_loss, optimizer, epochs=1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        nn.fit(model, np.ones((5, 1)), np.ones((5, 1)), nn.mse_loss, optimizer, epochs=1,
               batch_size=0)


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    X, y = _line_data(8)
    model = nn.Linear(1, 1, rng=0)

    def run():
        nn.fit(model, X, y, nn.mse_loss, SGD(model.parameters(), lr=0.1), epochs=3)
        return capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert run() == ""
    pytest.importorskip("tqdm")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    err = run()
    assert "fit" in err and "3/3" in err and "loss=" in err


class _NoParameters(nn.Module):
    def forward(self, x):
        return x


_X, _Y = np.ones((6, 2)), np.zeros((6, 1))


@pytest.mark.parametrize("change, error, message", [
    (dict(X=np.zeros((0, 2)), y=np.zeros((0, 1))), ValueError,
     "fit: the dataset is empty (X has shape (0, 2))"),
    (dict(X=np.zeros((0, 2)), y=np.zeros((0, 1)), batch_size=4), ValueError,
     "fit: the dataset is empty"),
    (dict(y=np.zeros((5, 1))), ValueError, "fit: X and y need the same number of samples "
                                        "along the first axis, got shapes (6, 2) and (5, 1)"),
    (dict(X=np.ones(6), y=np.float64(0.0)), ValueError, "fit: X and y need the same number"),
    (dict(X=np.array([["a", "b"]] * 6)), TypeError, "fit: X must hold numbers, got dtype <U1"),
    (dict(y=[None] * 6), TypeError, "fit: y must hold numbers, got dtype object"),
    (dict(batch_size=0), ValueError, "fit: batch_size must be a positive integer, got 0"),
    (dict(batch_size=2.5), ValueError, "fit: batch_size must be a positive integer, got 2.5"),
    (dict(batch_size=True), ValueError, "fit: batch_size must be a positive integer, got True"),
    (dict(epochs=0), ValueError, "fit: epochs must be a positive integer, got 0"),
    (dict(epochs=-3), ValueError, "fit: epochs must be a positive integer, got -3"),
    (dict(epochs=2.0), ValueError, "fit: epochs must be a positive integer, got 2.0"),
    (dict(epochs=None), ValueError, "fit: epochs must be a positive integer, got None"),
    (dict(model=_NoParameters()), ValueError, "fit: _NoParameters has no parameters"),
    (dict(model=lambda x: x), TypeError, "fit: model must be an nn.Module, got function"),
    (dict(loss_fn="mse"), TypeError, "fit: loss_fn must be a function"),
    (dict(optimizer=SGD), TypeError, "fit: optimizer must be an optimizer object"),
    (dict(optimizer=None), TypeError, "fit: optimizer must be an optimizer object"),
    (dict(optimizer=SGD(nn.Linear(2, 1, rng=1).parameters(), lr=0.1)), ValueError,
     "fit: the optimizer holds none of the parameters of MLP (was it made for another"),
    (dict(rng="seed"), TypeError, ""),
], ids=["empty", "empty-batched", "lengths", "scalar-y", "string-X", "object-y",
        "batch-zero", "batch-float", "batch-bool", "epochs-zero", "epochs-negative",
        "epochs-float", "epochs-None", "no-parameters", "function-model", "loss-not-callable",
        "optimizer-class", "optimizer-None", "optimizer-of-another-model", "bad-rng"])
def test_a_rejected_fit_changes_no_weight_and_no_optimizer_state(change, error, message):
    model = nn.MLP([2, 3, 1], rng=0)
    optimizer = Adam(model.parameters(), lr=0.1)
    nn.fit(model, _X, _Y, nn.mse_loss, optimizer, epochs=1, progress=False)  # state exists
    weights = model.state_dict()
    state = [np.copy(x) for x in optimizer.m + optimizer.v] + [list(optimizer.steps)]
    arguments = {**dict(model=model, X=_X, y=_Y, loss_fn=nn.mse_loss, optimizer=optimizer,
                        epochs=2, progress=False), **change}
    with pytest.raises(error) as err:
        nn.fit(**arguments)
    assert str(err.value).startswith(message)
    for name, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, weights[name])
    for before, now in zip(state, [*optimizer.m, *optimizer.v, optimizer.steps]):
        np.testing.assert_array_equal(now, before)


def test_fit_trains_when_the_optimizer_holds_only_some_of_the_parameters():
    """Fine-tuning one layer is legitimate: only an optimizer with none of them is refused."""
    model = nn.MLP([1, 4, 1], activation="tanh", rng=0)
    first = model.layers[0].weight._data  # the array itself, not a view of it
    X, y = _line_data(16)
    history = nn.fit(model, X, y, nn.mse_loss, SGD(model.layers[1].parameters(), lr=0.1),
                     epochs=5, progress=False)
    assert history[-1] < history[0]
    assert model.layers[0].weight._data is first
