"""Every demo in its quick mode, its claim asserted on the numbers its `main` returns.

Each demo also checks its own claim and raises `ClaimFailed` if it fails; these tests assert
the claims again from the outside, so a demo that stopped checking would still be caught.
The three slowest of the older demos are marked slow (CI runs them; so does `python -m
demos`, which checks every claim in full).
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing, too

from demos import DEMOS, common  # noqa: E402


def quick(name: str, tmp_path, *extra) -> dict:
    """Run demos.<name> in quick mode with its output in tmp_path; return its numbers."""
    module = __import__(f"demos.{name}", fromlist=["main"])
    return module.main(["--quick", "--out", str(tmp_path), *extra])


def needs_matplotlib():
    pytest.importorskip("matplotlib", reason="the demos extra (matplotlib) is not installed: "
                                             'pip install -e ".[demos]"')


def assert_nonempty_files(paths):
    for path in paths:
        assert Path(path).is_file() and Path(path).stat().st_size > 0, path


def test_logic_gates(tmp_path):
    r = quick("logic_gates", tmp_path)
    assert r["hand_set"] == {"AND": [0, 0, 0, 1], "NOR": [1, 0, 0, 0]}
    assert r["learned"] == {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NOR": [1, 0, 0, 0]}
    assert r["xor_single_accuracy"] < 1.0
    assert r["xor_mlp_outputs"] == [0, 1, 1, 0] and r["xor_mlp_accuracy"] == 1.0


def test_perceptron_xy(tmp_path):
    r = quick("perceptron_xy", tmp_path)
    assert r["accuracy"] >= 0.97
    assert r["w_x"] > 0 > r["w_y"]
    assert r["w_x"] / -r["w_y"] == pytest.approx(1.0, abs=0.1)       # w_x ~ -w_y
    assert abs(r["bias"]) <= 0.05 * np.hypot(r["w_x"], r["w_y"])      # bias ~ 0


def test_above_line(tmp_path):
    r = quick("above_line", tmp_path)
    assert r["below"] < 0.5 < r["above"]  # (0.5, 0.1) below y = x, (0.3, 0.7) above


def test_parameters(tmp_path):
    r = quick("parameters", tmp_path)
    assert (r["weights"], r["biases"], r["total"]) == (75, 17, 92)
    assert r["others"]["2-5-1"] == 2 * 5 + 5 + 5 * 1 + 1


def test_numeric_vs_reverse(tmp_path):
    r = quick("numeric_vs_reverse", tmp_path)
    assert r["numeric_loss"] == pytest.approx(r["reverse_loss"], rel=1e-5)
    assert r["reverse_loss"] < r["start_loss"]
    assert r["max_grad_difference"] < 1e-6
    assert [row["weights"] for row in r["table"]] == sorted(row["weights"] for row in r["table"])


@pytest.mark.slow  # 1-3 s each: CI runs them; the default run keeps under a minute
def test_mse_vs_cross_entropy(tmp_path):
    needs_matplotlib()
    from demos.mse_vs_cross_entropy import START_WEIGHT, labelled_points
    r = quick("mse_vs_cross_entropy", tmp_path)
    # The gradients at the start by the textbook formulas: dL/dz is 2 (p - y) p (1 - p) for
    # MSE and p - y for cross-entropy, and dz/dw = x.
    x, y = labelled_points(100, np.random.default_rng(0))  # quick mode's data, seed 0
    p = 1 / (1 + np.exp(-START_WEIGHT * x))
    assert r["grad_mse"] == pytest.approx(abs(np.mean(2 * (p - y) * p * (1 - p) * x)), rel=1e-9)
    assert r["grad_cross_entropy"] == pytest.approx(abs(np.mean((p - y) * x)), rel=1e-9)
    assert r["grad_ratio"] == pytest.approx(r["grad_cross_entropy"] / r["grad_mse"])
    assert r["grad_ratio"] >= 10
    assert 0 < r["steps_cross_entropy"] and 5 * r["steps_cross_entropy"] <= r["steps_mse"]
    for name, losses in (("MSE", r["losses_mse"]), ("cross-entropy", r["losses_cross_entropy"])):
        steps = r["steps_mse" if name == "MSE" else "steps_cross_entropy"]
        assert losses[steps] <= r["targets"][name] < min(losses[:steps])
    assert r["final_weight_mse"] > 0 and r["final_weight_cross_entropy"] > 0  # right side
    assert_nonempty_files([r["png"]])


def test_moons(tmp_path):
    needs_matplotlib()
    r = quick("moons", tmp_path)
    assert r["accuracy"] >= 0.98  # the same bar as the full run
    assert_nonempty_files([r["boundary_png"], r["loss_png"]])
    if r["graph_svg"] is not None:  # None when Graphviz's `dot` is missing
        assert_nonempty_files([r["graph_svg"]])
        assert Path(r["graph_svg"]).read_text().lstrip().startswith(("<?xml", "<svg"))


@pytest.mark.slow  # 1-3 s each: CI runs them; the default run keeps under a minute
def test_digits(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn (the demos extra) is not installed: "
                                          'pip install -e ".[demos]"')
    r = quick("digits", tmp_path)
    assert r["mlp_test_accuracy"] >= 0.95
    assert r["softmax_test_accuracy"] >= 0.85
    confusion = np.array(r["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 449  # a quarter of 1,797 digits


def test_cnn_digits(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn (the demos extra) is not installed: "
                                          'pip install -e ".[demos]"')
    needs_matplotlib()
    r = quick("cnn_digits", tmp_path)
    assert r["cnn_test_accuracy"] >= 0.98
    assert r["cnn_test_accuracy"] > r["mlp_test_accuracy"]
    assert r["cnn_moved_accuracy"] > max(r["mlp_moved_accuracy"], r["digits_mlp_moved_accuracy"])
    assert r["models"]["CNN"]["parameters"] == 16 * 9 + 16 + 32 * 16 * 9 + 32 + 512 * 10 + 10
    assert_nonempty_files(r["files"])


@pytest.mark.slow  # 1-3 s each: CI runs them; the default run keeps under a minute
def test_activations(tmp_path):
    needs_matplotlib()
    r = quick("activations", tmp_path)
    assert r["max_error"] < 1e-6
    assert set(r["errors"]) >= {"ReLU", "sigmoid", "tanh", "softmax p0"}
    assert_nonempty_files([r["png"]])


def test_attention(tmp_path):
    needs_matplotlib()
    from demos.attention import IGNORE, SEP, copying, make_batch
    tokens, targets = make_batch(3, 2, np.random.default_rng(0))
    digits = tokens[:, :3]
    np.testing.assert_array_equal(tokens[:, 3], SEP)
    np.testing.assert_array_equal(tokens[:, 4:], digits[:, ::-1][:, :2])
    np.testing.assert_array_equal(targets[:, :2], IGNORE)  # the random digits: not learnable
    np.testing.assert_array_equal(targets[:, 2:], np.concatenate([tokens[:, 3:], digits[:, :1]],
                                                                 axis=1))
    queries, keys = copying(3)  # position 3 (the separator) predicts the copy of digit 2, ...
    assert queries.tolist() == [3, 4, 5] and keys.tolist() == [2, 1, 0]
    r = quick("attention", tmp_path)
    assert r["accuracy"] >= 0.95 and r["digit_accuracy"] >= r["accuracy"]
    assert r["focus"] >= 0.5
    assert np.mean(r["losses"][-10:]) < 0.05 < r["losses"][0]
    assert_nonempty_files([r["png"]])


def test_seed_makes_runs_reproducible(tmp_path):
    first = quick("above_line", tmp_path, "--seed", "3")
    again = quick("above_line", tmp_path, "--seed", "3")
    other = quick("above_line", tmp_path, "--seed", "4")
    assert first["losses"] == again["losses"] and first["below"] == again["below"]
    assert first["losses"] != other["losses"]


def test_make_moons():
    X, y = common.make_moons(101, noise=0.0, rng=0)
    assert X.shape == (101, 2) and sorted(set(y.tolist())) == [0, 1] and y.sum() == 51
    upper = X[y == 0]  # noise-free: on the unit circle, upper half
    assert np.allclose(np.hypot(*upper.T), 1.0) and (upper[:, 1] >= 0).all()
    assert np.array_equal(common.make_moons(50, rng=1)[0], common.make_moons(50, rng=1)[0])


def test_a_failed_claim_exits_nonzero(capsys):
    def main():
        common.check(1 + 1 == 3, "arithmetic is broken")
    assert common.run(main) == 1
    assert "CLAIM FAILED: arithmetic is broken" in capsys.readouterr().err


def test_command_line(tmp_path):
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, "-m", "demos.parameters", "--quick", "--out", "pics"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "92" in done.stdout


def test_tour_runs_every_demo(tmp_path, monkeypatch, capsys):
    """`python -m demos --quick` calls each demo in order; the demos are stubbed here (each
    has its own test above), so this checks the tour itself: headers, summary, files."""
    from demos import __main__ as tour
    calls = []

    class Stub:
        def __init__(self, name):
            self.name = name

        def main(self, argv):
            calls.append((self.name, argv))
            if self.name == "digits":
                raise common.MissingExtra("no scikit-learn")
            return {"files": [f"{self.name}.png"]}

    monkeypatch.setattr(tour.importlib, "import_module", lambda m: Stub(m.split(".")[1]))
    assert tour.main(["--quick", "--seed", "5", "--out", str(tmp_path)]) == 0
    assert [name for name, _ in calls] == list(DEMOS)
    assert calls[0][1] == ["--seed", "5", "--out", str(tmp_path), "--quick"]
    out = capsys.readouterr().out
    assert "Summary (quick mode, seed 5)" in out and "skipped" in out and "moons.png" in out
