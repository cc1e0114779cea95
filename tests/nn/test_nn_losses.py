"""Losses against closed forms written independently in numpy, finite differences, torch."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, gradcheck

REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}
SETTINGS = settings(max_examples=25, deadline=None)


def _reference(name, x, t):
    """Per-element (per-row for cross-entropy) losses in plain numpy."""
    if name == "mse":
        return (x - t) ** 2
    if name == "bce":
        return -(t * np.log(x) + (1 - t) * np.log1p(-x))
    if name == "bce_logits":
        return np.logaddexp(0, x) - x * t                  # softplus(x) - x t
    lse = np.logaddexp.reduce(x, axis=-1)
    if name == "ce_labels":
        return lse - np.take_along_axis(x, t[..., None], axis=-1)[..., 0]
    return -(t * (x - lse[..., None])).sum(axis=-1)      # ce_probs


FUNCTIONS = {"mse": nn.mse_loss, "bce": nn.binary_cross_entropy,
             "bce_logits": nn.binary_cross_entropy_with_logits,
             "ce_labels": nn.cross_entropy, "ce_probs": nn.cross_entropy}
MODULES = {"mse": nn.MSELoss, "bce": nn.BCELoss, "bce_logits": nn.BCEWithLogitsLoss,
           "ce_labels": nn.CrossEntropyLoss, "ce_probs": nn.CrossEntropyLoss}


def _inputs(name, shape, seed):
    """Predictions and targets for a loss; BCE's probabilities away from 0 and 1."""
    rng = np.random.default_rng(seed)
    if name in ("ce_labels", "ce_probs"):
        x = rng.standard_normal(shape) * 3
        if name == "ce_labels":
            return x, rng.integers(0, shape[-1], shape[:-1])
        return x, rng.dirichlet(np.ones(shape[-1]), shape[:-1])
    if name == "bce":
        return rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    return rng.standard_normal(shape) * 3, rng.uniform(0, 1, shape)


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@SETTINGS
@given(name=st.sampled_from(sorted(FUNCTIONS)), shape=shapes, seed=st.integers(0, 2 ** 16),
       reduction=st.sampled_from(sorted(REDUCE)))
def test_losses_match_their_closed_forms(name, shape, seed, reduction):
    x, t = _inputs(name, shape, seed)
    expected = REDUCE[reduction](_reference(name, x, t))
    out = FUNCTIONS[name](Value(x), t, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    module_out = MODULES[name](reduction)(Value(x), t)
    np.testing.assert_allclose(module_out.data, out.data, rtol=0, atol=0)


@SETTINGS
@given(name=st.sampled_from(sorted(FUNCTIONS)), shape=shapes, seed=st.integers(0, 2 ** 16),
       reduction=st.sampled_from(sorted(REDUCE)))
def test_loss_gradients_match_finite_differences(name, shape, seed, reduction):
    x, t = _inputs(name, shape, seed)
    assert gradcheck(lambda v: FUNCTIONS[name](v, t, reduction=reduction), [Value(x)])


def test_gradients_with_respect_to_value_targets():
    x, t = _inputs("mse", (3, 2), 0)
    assert gradcheck(lambda a, b: nn.mse_loss(a, b), [Value(x), Value(t)])
    x, t = _inputs("ce_probs", (3, 4), 0)
    assert gradcheck(lambda a, b: nn.cross_entropy(a, b), [Value(x), Value(t)])
    x, t = _inputs("bce_logits", (5,), 0)
    assert gradcheck(nn.binary_cross_entropy_with_logits, [Value(x), Value(t)])


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    logits = Value(z)
    nn.cross_entropy(logits, [2, 0]).backward()
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad, (softmax - np.eye(3)[[2, 0]]) / 2, rtol=1e-12)


def test_integer_labels_equal_one_hot_rows_and_accept_values_and_lists():
    z = Value(np.random.default_rng(0).standard_normal((4, 3)))
    labels = [2, 0, 1, 1]
    by_index = nn.cross_entropy(z, np.array(labels)).data
    np.testing.assert_allclose(nn.cross_entropy(z, np.eye(3)[labels]).data, by_index)
    assert nn.cross_entropy(z, labels).data == by_index
    assert nn.cross_entropy(z, Value(np.array(labels, float))).data == by_index
    assert nn.cross_entropy(z, np.eye(3, dtype=int)[labels]).data == pytest.approx(by_index)
    single = nn.cross_entropy(z[0], 2)        # one unbatched row and a scalar label
    assert single.shape == ()
    assert single.item() == pytest.approx(_reference("ce_labels", z.data[0], np.array(2)))


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Value(np.array([[1e4, 0.0, -1e4], [1e4, 1e4 - 1, 0.0]]))
    loss = nn.cross_entropy(logits, [1, 0], reduction="none")
    # log_softmax's a - (m + log sum exp(a - m)) loses the bits of 1e4's ulp (1.8e-12)
    np.testing.assert_allclose(loss.data, [1e4, np.log1p(np.exp(-1.0))], rtol=1e-10)
    nn.cross_entropy(logits, [1, 0]).backward()
    assert np.all(np.isfinite(logits.grad))
    np.testing.assert_allclose(logits.grad[0], [0.5, -0.5, 0.0], atol=1e-12)
    z32 = Value(np.array([[1e4, -1e4]], dtype=np.float32))
    assert nn.cross_entropy(z32, [0]).data == 0.0


def test_bce_with_logits_is_stable_for_logits_of_1000():
    x = Value(np.array([1000.0, 1000.0, -1000.0, -1000.0]))
    t = np.array([1.0, 0.0, 1.0, 0.0])
    loss = nn.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 1000.0, 1000.0, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, -1.0, 0.0])   # sigmoid(x) - t


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    x = Value(np.zeros(3))
    nn.binary_cross_entropy_with_logits(x, [0.0, 0.3, 1.0], reduction="sum").backward()
    np.testing.assert_allclose(x.grad, [0.5, 0.2, -0.5], rtol=1e-12)
    assert gradcheck(lambda v: nn.binary_cross_entropy_with_logits(v, [0.0, 0.3, 1.0]),
                     [Value(np.zeros(3))])


# Probabilities where PyTorch clamps a log at -100 or the gradient's denominator at 1e-12,
# those just inside, and ordinary ones; each against targets 1, 0 and a soft 0.3.
EDGE_PROBS = [0.0, 1.0, 1e-8, 1 - 1e-8, 1e-13, 1e-50, 1e-300, 0.5, 0.3]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_bce_matches_torch_at_and_near_0_and_1(torch, dtype, reduction):
    """Values and gradients, also where torch's log clamp (-100) and its gradient's clamped
    denominator max(p (1 - p), 1e-12) act: p = 1e-8 for t = 1 gets -1e8, p = 0 gets -1e12."""
    F = torch.nn.functional
    p = np.repeat(np.array(EDGE_PROBS, dtype), 3)
    t = np.tile(np.array([1.0, 0.0, 0.3], dtype), len(EDGE_PROBS))
    ours = Value(p)
    loss = nn.binary_cross_entropy(ours, t, reduction=reduction)
    loss.backward(np.ones(loss.shape, dtype))
    theirs = torch.tensor(p, requires_grad=True)
    expected = F.binary_cross_entropy(theirs, torch.tensor(t), reduction=reduction)
    expected.backward(torch.ones_like(expected))
    assert loss.dtype == dtype and ours.grad.dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-8  # torch's 1e-12 is a float32 constant
    # atol: torch takes log1p(-p), so for p = 1e-8, t = 0 in float32 it gets 1e-8 where
    # log(1 - p) gives 0; the engine has no log1p (a loss of 1e-8 is below float32's ulp at 1)
    atol = 1e-7 if dtype == np.float32 else 1e-30
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=rtol, atol=1e-30)


def test_bce_of_a_confidently_wrong_prediction_is_finite_and_learns():
    p = Value(np.array([1e-8, 0.0, 1.0, 1 - 1e-8]))
    loss = nn.binary_cross_entropy(p, [1.0, 1.0, 0.0, 0.0], reduction="none")
    np.testing.assert_allclose(loss.data, [-np.log(1e-8), 100.0, 100.0, -np.log(1e-8)],
                               rtol=1e-7)
    loss.sum().backward()
    np.testing.assert_allclose(p.grad, [-1e8, -1e12, 1e12, 1e8], rtol=1e-7)
    scalar = Value(0.0)  # the scalar path: floats stay floats
    loss = nn.binary_cross_entropy(scalar, 1.0)
    loss.backward()
    assert type(loss.data) is float and loss.data == 100.0 and scalar.grad == -1e12


def test_bce_at_0_and_1_gives_no_warning_and_no_anomaly():
    import warnings
    from autograd import detect_anomaly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with detect_anomaly():
            p = Value(np.array([0.0, 0.5, 1.0]))
            nn.binary_cross_entropy(p, [0.0, 1.0, 1.0]).backward()
    np.testing.assert_allclose(p.grad, [0.0, -2 / 3, 0.0])


def test_bce_gradients_where_exact_match_finite_differences_next_to_clamped_ones():
    """Elements at 0 and 1 do not disturb the exact derivative of the others."""
    t = np.array([1.0, 0.0, 0.3, 0.7])
    p = Value(np.array([0.0, 0.2, 0.6, 1.0]))
    nn.binary_cross_entropy(p, t, reduction="sum").backward()
    np.testing.assert_allclose(p.grad[1:3], [1 / 0.8, (0.6 - 0.3) / (0.6 * 0.4)], rtol=1e-12)
    assert gradcheck(lambda v: nn.binary_cross_entropy(v, t[1:3]), [Value(p.data[1:3])])


@pytest.mark.parametrize("prob", [-3.0, 1.5, float("nan"), np.array([0.5, -1e-9]),
                                  np.array([[0.2, np.inf]])],
                         ids=["negative", "above-one", "nan", "just-below-0", "inf"])
def test_bce_rejects_probabilities_outside_0_1(prob):
    p = Value(prob)
    with pytest.raises(ValueError) as err:
        nn.binary_cross_entropy(p, np.zeros_like(prob))
    bad = np.asarray(prob)[~((np.asarray(prob) >= 0) & (np.asarray(prob) <= 1))].flat[0]
    assert str(err.value).startswith(f"binary_cross_entropy: probabilities must lie in "
                                     f"[0, 1], got {bad.item()!r}")
    with pytest.raises(ValueError, match="must lie in"):
        nn.BCELoss()(p, np.zeros_like(prob))


def test_scalar_values_give_scalar_losses():
    loss = nn.mse_loss(Value(3.0), 1.0)
    assert type(loss.data) is float and loss.data == 4.0
    assert nn.binary_cross_entropy_with_logits(Value(0.0), 1.0).data == pytest.approx(
        np.log(2))


@pytest.mark.parametrize("fn", [nn.mse_loss, nn.binary_cross_entropy,
                                nn.binary_cross_entropy_with_logits])
def test_shape_mismatch_names_the_loss_and_both_shapes(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: .*\(4, 1\).*\(4,\)"):
        fn(Value(np.full((4, 1), 0.5)), np.ones(4))


def test_cross_entropy_target_errors():
    logits = Value(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"target of shape \(3, 2\).*\(3, 4\)"):
        nn.cross_entropy(logits, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="label 4 is out of range for n_classes=4"):
        nn.cross_entropy(logits, [0, 4, 1])
    with pytest.raises(ValueError, match="label -1 is out of range for n_classes=4"):
        nn.cross_entropy(logits, [0, -1, 1])
    with pytest.raises(ValueError, match="whole numbers; got 1.5"):
        nn.cross_entropy(logits, [0, 1.5, 1])
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        nn.cross_entropy(logits, [0, 1, 1], reduction="avg")
    with pytest.raises(ValueError, match="unknown reduction"):
        nn.MSELoss("avg")


def test_losses_match_torch(torch):
    F = torch.nn.functional
    pairs = [("mse", F.mse_loss), ("bce", F.binary_cross_entropy),
             ("bce_logits", F.binary_cross_entropy_with_logits),
             ("ce_labels", F.cross_entropy), ("ce_probs", F.cross_entropy)]
    for name, torch_fn in pairs:
        x, t = _inputs(name, (5, 3), 1)
        for reduction in REDUCE:
            ours = Value(x)
            FUNCTIONS[name](ours, t, reduction=reduction).sum().backward()
            theirs = torch.tensor(x, requires_grad=True)
            torch_fn(theirs, torch.tensor(t), reduction=reduction).sum().backward()
            np.testing.assert_allclose(
                FUNCTIONS[name](Value(x), t, reduction=reduction).data,
                torch_fn(torch.tensor(x), torch.tensor(t), reduction=reduction).numpy(),
                rtol=1e-10, err_msg=f"{name} {reduction}")
            np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10,
                                       err_msg=f"{name} {reduction} gradient")
