"""numerical_grad and gradcheck: right numbers, float64 throughout, and a gradcheck that
catches wrong gradients and says where."""
import re

import numpy as np
import pytest

from autograd import GradcheckError, Value, grad, gradcheck, numerical_grad


# ---- numerical_grad -------------------------------------------------------------------------
def test_numerical_grad_of_known_functions(rng):
    a, b = rng.standard_normal((2, 3)), 0.7
    ga, gb = numerical_grad(lambda x, s: (x * x * s).sum(), [Value(a), Value(b)])
    assert type(gb) is float and gb == pytest.approx(np.sum(a * a), rel=1e-8)
    assert isinstance(ga, np.ndarray) and ga.shape == (2, 3)
    np.testing.assert_allclose(ga, 2 * a * b, rtol=1e-7, atol=1e-9)


def test_numerical_grad_is_a_central_difference_with_the_given_eps():
    # (f(x + e) - f(x - e)) / 2e for x^3 at x = 1 is exactly 3 + e^2
    (g,) = numerical_grad(lambda x: x ** 3, [Value(1.0)], eps=1e-3)
    assert g == pytest.approx(3.0 + 1e-6, rel=1e-10)


def test_numerical_grad_accepts_a_single_value_and_raw_numbers():
    assert numerical_grad(lambda x: x * x, Value(3.0))[0] == pytest.approx(6.0, rel=1e-8)
    assert numerical_grad(lambda x: x * x, [3.0])[0] == pytest.approx(6.0, rel=1e-8)
    (g,) = numerical_grad(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-8)


def test_numerical_grad_works_in_float64_even_for_float32_inputs():
    x = np.array([0.1, 0.3], np.float32)
    (g,) = numerical_grad(lambda v: (v * v).sum(), [Value(x)])
    # float32 arithmetic with eps=1e-6 would be off by ~10%; float64 is exact to ~1e-9
    np.testing.assert_allclose(g, 2 * x.astype(np.float64), rtol=1e-7)


def test_numerical_grad_projects_a_non_scalar_output_on_fixed_weights(rng):
    x = rng.standard_normal(4)
    (w,) = numerical_grad(lambda v: v * 1.0, [x])  # the weights themselves
    assert np.all(w != 0) and not np.allclose(w, w[0])  # random, not all ones
    (again,) = numerical_grad(lambda v: v * 1.0, [x])
    np.testing.assert_array_equal(again, w)  # fixed
    (g,) = numerical_grad(lambda v: v * v, [x])
    np.testing.assert_allclose(g, 2 * x * w, rtol=1e-6, atol=1e-8)


def test_numerical_grad_leaves_the_inputs_alone():
    x = Value(np.array([1.0, 2.0]))
    x.grad = np.array([5.0, 5.0])
    numerical_grad(lambda v: (v * v).sum(), [x])
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


# ---- gradcheck passes on right gradients ----------------------------------------------------
@pytest.mark.parametrize("fn, args", [
    (lambda a, b: (a * b).tanh(), [np.ones(3), 2.0]),
    (lambda a: (a @ a.T).sum(), [np.arange(6.0).reshape(2, 3) / 5]),
    (lambda a, b: (a / b).exp(), [np.linspace(-1, 1, 4).reshape(2, 2), np.array([1.5, 2.5])]),
    (lambda s: s ** 3, [1.3]),
], ids=["mixed", "matmul", "broadcast", "scalar"])
def test_gradcheck_passes_on_right_gradients(fn, args):
    assert gradcheck(fn, [Value(a) for a in args]) is True
    assert gradcheck(fn, args) is True  # raw numbers and arrays are fine too


def test_gradcheck_with_float32_inputs_is_done_in_float64():
    x = Value(np.array([0.3, -1.2], np.float32))
    assert gradcheck(lambda v: (v * 3.0).tanh(), [x], atol=1e-8, rtol=1e-6) is True


def test_gradcheck_leaves_the_inputs_alone():
    x = Value(np.array([1.0, 2.0]))
    gradcheck(lambda v: (v * v).sum(), [x])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_gradcheck_needs_fn_to_return_a_value():
    with pytest.raises(TypeError, match="Value"):
        gradcheck(lambda v: 3.0, [Value(1.0)])


# ---- gradcheck catches wrong gradients ------------------------------------------------------
def x_times_detached_x(x):
    """x * x whose reverse-mode gradient is x instead of 2x (one factor is detached)."""
    return (x * x.detach()).sum()


def test_gradcheck_catches_a_wrong_gradient():
    with pytest.raises(GradcheckError):
        gradcheck(x_times_detached_x, [Value(np.array([1.0, 2.0, 3.0]))])
    with pytest.raises(GradcheckError):
        gradcheck(lambda s: s * s.detach(), [Value(1.5)])


def test_gradcheck_returns_false_instead_of_raising_when_asked():
    assert gradcheck(x_times_detached_x, [np.array([1.0, 2.0, 3.0])],
                     raise_exception=False) is False
    assert gradcheck(lambda v: (v * v).sum(), [np.array([1.0, 2.0])],
                     raise_exception=False) is True


def numbers_in(text):
    return [float(n) for n in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


def test_gradcheck_error_names_input_element_values_and_errors():
    # reverse mode gives x = [1, 2, 3]; finite differences give 2x = [2, 4, 6]
    with pytest.raises(GradcheckError) as err:
        gradcheck(x_times_detached_x, [Value(np.array([1.0, 2.0, 3.0]))])
    message = str(err.value)
    assert "input 0" in message
    assert "(2,)" in message  # the worst element
    assert "reverse" in message and "finite" in message
    assert re.search(r"abs(olute)? error", message) and re.search(r"rel(ative)? error", message)
    numbers = numbers_in(message)
    assert 3.0 in numbers  # reverse-mode value
    assert any(abs(n - 6.0) < 1e-6 for n in numbers)  # finite-difference value
    assert 0.5 in numbers  # relative error |3 - 6| / 6


def test_gradcheck_error_names_the_right_input():
    def fn(a, b):
        return (a * b.detach()).sum()  # b's gradient is lost

    with pytest.raises(GradcheckError, match="input 1") as err:
        gradcheck(fn, [np.array([[1.0, 2.0]]), np.array([[3.0, -4.0]])])
    # b's true gradient is a = [[1, 2]] and reverse mode gives 0: worst at element (0, 1)
    assert "(0, 1)" in str(err.value)


def test_gradcheck_tolerances():
    def slightly_off(x):
        return x * x + 1e-4 * x.detach()  # reverse 2x, numeric 2x + 1e-4

    args = [np.array([0.5, 1.0])]
    assert gradcheck(slightly_off, args, atol=1e-5, rtol=0.0, raise_exception=False) is False
    assert gradcheck(slightly_off, args, atol=1e-3, rtol=0.0) is True
    assert gradcheck(slightly_off, args, atol=0.0, rtol=1e-3) is True  # 1e-4 / 1 < 1e-3


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_gradcheck_fails_on_nan():
    # forward is sqrt(0) = 0; finite differences see sqrt(-eps) = nan
    assert gradcheck(lambda x: (x - x.detach()).sqrt(), [1.0], raise_exception=False) is False


# ---- second order ---------------------------------------------------------------------------
def test_second_order_gradcheck():
    """gradcheck of a gradient (PyTorch's gradgradcheck): d/dx of 3x^2 is 6x."""
    def first_derivative(x):
        return grad((x ** 3).sum(), x, create_graph=True)[0]

    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(numerical_grad(lambda v: first_derivative(v).sum(), [x])[0],
                               6 * x, rtol=1e-6)
    assert gradcheck(first_derivative, [x]) is True
