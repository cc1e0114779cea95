"""Making Values (autograd/creation.py): PyTorch's names, sizes and dtypes; random draws
checked by their closed-form moments and bounds, and by exact reproducibility (the numbers
are numpy's, not PyTorch's)."""
import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.mode import ShapeError

N = 20_000  # draws per moment check: 5 standard errors of the mean are ~0.035 sigma


@pytest.mark.parametrize("make, value", [(autograd.zeros, 0.0), (autograd.ones, 1.0),
                                         (autograd.empty, 0.0)])
def test_filled_values_take_sizes_as_ints_or_a_tuple(make, value):
    for out in (make(2, 3), make((2, 3)), make([2, 3])):
        assert out.shape == (2, 3) and out.dtype == np.float64
        np.testing.assert_array_equal(out.data, np.full((2, 3), value))
        assert out.requires_grad is False and out.is_leaf
    assert make(()).shape == () and type(make().data) is not float  # a 0-d array Value
    assert make(3, dtype=np.float32).dtype == np.float32


def test_requires_grad_makes_a_leaf_that_gets_a_gradient():
    w = autograd.ones(3, requires_grad=True)
    (w * Value([1.0, 2.0, 3.0]) * autograd.full((3,), 2.0)).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0, 6.0])


def test_dtypes_follow_pytorch_with_float64_as_the_default_float(torch):
    cases = [(autograd.arange(5), torch.arange(5)),
             (autograd.arange(1, 2, 0.25), torch.arange(1, 2, 0.25, dtype=torch.float64)),
             (autograd.arange(5, 0, -2), torch.arange(5, 0, -2)),
             (autograd.full((2,), 3), torch.full((2,), 3)),
             (autograd.full((2,), True), torch.full((2,), True)),
             (autograd.full(2, 0.5), torch.full((2,), 0.5, dtype=torch.float64)),
             (autograd.linspace(-1, 1, 5), torch.linspace(-1, 1, 5, dtype=torch.float64)),
             (autograd.eye(2, 3), torch.eye(2, 3, dtype=torch.float64)),
             (autograd.zeros(2, dtype=torch.int64), torch.zeros(2, dtype=torch.int64))]
    for ours, theirs in cases:
        expected = theirs.numpy()
        assert ours.dtype == expected.dtype, (ours, theirs)
        np.testing.assert_array_equal(ours.data, expected)


def test_dtype_spellings():
    for dtype in (np.float32, "float32", np.dtype("float32")):
        assert autograd.ones(2, dtype=dtype).dtype == np.float32
    assert autograd.ones(2, dtype=int).dtype == np.int64
    assert autograd.arange(3, dtype=float).dtype == np.float64


def test_bad_arguments_name_the_function():
    with pytest.raises(ShapeError, match="zeros: sizes cannot be negative"):
        autograd.zeros(2, -1)
    with pytest.raises(TypeError, match="ones: sizes are ints"):
        autograd.ones(2.5)
    with pytest.raises(ValueError, match="arange: step"):
        autograd.arange(0, 1, 0)
    with pytest.raises(TypeError, match="full: .*complex"):
        autograd.full((2,), 1.0, dtype=complex)
    with pytest.raises(TypeError, match="arange: only floating point Values can require"):
        autograd.arange(3, requires_grad=True)
    with pytest.raises(TypeError, match="rand: draws floating point numbers"):
        autograd.rand(3, dtype=np.int64)


# ---- random draws ----------------------------------------------------------------------------
def _moments_close(x, mean, var):
    """The sample mean and variance within 5 standard errors of the closed forms (the
    variance's is var * sqrt(2 / n) for normal draws, less for uniform ones)."""
    x = np.asarray(x, np.float64).ravel()
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / x.size)
    assert abs(x.var() - var) < 5 * var * np.sqrt(2 / x.size)


def test_rand_is_uniform_on_zero_to_one():
    x = autograd.rand(N, generator=1).data
    assert 0 <= x.min() and x.max() < 1
    _moments_close(x, 0.5, 1 / 12)


def test_randn_and_normal_have_their_mean_and_variance():
    _moments_close(autograd.randn(N, generator=2).data, 0.0, 1.0)
    mean, std = np.array([-1.0, 3.0]), np.array([0.5, 2.0])
    x = autograd.normal(Value(mean), std, (N, 2), generator=3).data
    for j in range(2):
        _moments_close(x[:, j], mean[j], std[j] ** 2)
    assert autograd.normal(mean, std, generator=0).shape == (2,)  # their broadcast shape


def test_uniform_lies_in_low_to_high():
    x = autograd.uniform(-2.0, 3.0, (N,), generator=4).data
    assert -2 <= x.min() and x.max() < 3
    _moments_close(x, 0.5, 25 / 12)


def test_random_parameters_are_checked():
    with pytest.raises(ValueError, match="normal: std"):
        autograd.normal(0.0, -1.0, 3)
    with pytest.raises(ValueError, match="uniform: high"):
        autograd.uniform(1.0, 0.0, 3)
    with pytest.raises(ShapeError, match=r"normal: parameters of shapes \[\(2,\), \(\)\]"):
        autograd.normal(np.zeros(2), 1.0, (3,))


def test_draws_are_numpys_and_reproducible_by_seed_generator_or_manual_seed():
    expected = np.random.default_rng(7).standard_normal((2, 3))
    np.testing.assert_array_equal(autograd.randn(2, 3, generator=7).data, expected)
    np.testing.assert_array_equal(
        autograd.randn((2, 3), rng=np.random.default_rng(7)).data, expected)
    autograd.manual_seed(7)
    first = autograd.randn(2, 3).data
    autograd.manual_seed(7)
    np.testing.assert_array_equal(autograd.randn(2, 3).data, first)
    np.testing.assert_array_equal(first, expected)
    assert not np.array_equal(autograd.randn(2, 3).data, first)  # the stream goes on
    with pytest.raises(TypeError, match="not both"):
        autograd.rand(2, generator=0, rng=0)


def test_float32_draws_are_the_float64_draws_rounded_and_rand_stays_below_one():
    x64 = autograd.rand(100, generator=5).data
    x32 = autograd.rand(100, generator=5, dtype=np.float32).data
    assert x32.dtype == np.float32
    np.testing.assert_array_equal(x32, x64.astype(np.float32))

    class AlmostOne(np.random.Generator):  # a draw that float32 would round up to 1
        def random(self, size=None):
            return np.full(size, 1 - 1e-10)
    x = autograd.rand(3, generator=AlmostOne(np.random.PCG64()), dtype=np.float32).data
    assert (x < 1).all()


def test_like_forms_take_shape_and_dtype():
    x = Value(np.ones((2, 3), np.float32))
    for out in (autograd.zeros_like(x), autograd.ones_like(x), autograd.empty_like(x),
                autograd.full_like(x, 7), autograd.rand_like(x, generator=0),
                autograd.randn_like(x, generator=0)):
        assert out.shape == (2, 3) and out.dtype == np.float32 and not out.requires_grad
    np.testing.assert_array_equal(autograd.full_like(x, 7).data, np.full((2, 3), 7.0))
    assert autograd.zeros_like(Value(2.0)).shape == ()
    assert autograd.ones_like(np.arange(3), dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(autograd.randn_like(x, generator=3).data,
                                  autograd.randn(2, 3, generator=3, dtype=np.float32).data)


def test_one_hot_matches_pytorch(torch):
    labels = np.array([[0, 2], [1, 2]])
    expected = torch.nn.functional.one_hot(torch.tensor(labels)).numpy()
    for indices in (labels, Value(labels), labels.tolist()):  # Value(labels) holds floats
        out = autograd.one_hot(indices)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.data, expected)
    np.testing.assert_array_equal(autograd.one_hot(Value(labels).argmax(dim=1), 2).data,
                                  [[0, 1], [0, 1]])
    np.testing.assert_array_equal(autograd.one_hot(Value([1.0]), num_classes=4).data,
                                  [[0, 1, 0, 0]])


def test_one_hot_checks_its_indices():
    with pytest.raises(ValueError, match=r"one_hot: class indices must lie in \[0, 2\)"):
        autograd.one_hot([0, 2], num_classes=2)
    with pytest.raises(ValueError, match="lie in"):
        autograd.one_hot([-1, 0], num_classes=3)
    with pytest.raises(TypeError, match="whole numbers"):
        autograd.one_hot(Value([0.5]))
    with pytest.raises(ValueError, match="num_classes"):
        autograd.one_hot(np.zeros(0, int))
