"""nn.fit: minibatches, seeded shuffling, loss history, inputs as arrays or Values."""
import sys

import numpy as np
import pytest

import nn
from autograd import Value
from nn.optim import SGD


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
