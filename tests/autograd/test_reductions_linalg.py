"""Reductions, scans and linear algebra beyond what the op spec checks: PyTorch's
(values, indices) results, ties, zeros in products, large inputs, corrections, gradients at
zero, and the errors (opspec.py covers values, gradients and second derivatives)."""
import numpy as np
import pytest

import autograd
from autograd import Value, grad
from autograd.mode import AxisError, ShapeError

TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, 0.0, 2.0], [5.0, -1.0, 5.0, -1.0]])


def torch_grads(torch, f_ours, f_torch, x, second=True):
    """Values, gradients (random upstream) and Hessian-vector products of f_ours and f_torch
    at x: pairs (ours, torch) of arrays."""
    v, t = Value(x), torch.tensor(x, requires_grad=True)
    out, ref = f_ours(v), f_torch(t)
    upstream = np.random.default_rng(0).standard_normal(out.shape)
    (gv,) = grad(out, v, grad_outputs=Value(upstream), create_graph=second)
    (gt,) = torch.autograd.grad(ref, t, torch.tensor(upstream), create_graph=second)
    pairs = [(out.data, ref.detach().numpy()), (gv.data, gt.detach().numpy())]
    if second:
        u = np.random.default_rng(1).standard_normal(x.shape)
        pairs.append((grad((gv * u).sum(), v)[0].data,
                      torch.autograd.grad((gt * torch.tensor(u)).sum(), t)[0].numpy()))
    return pairs


def assert_pairs(pairs, **tol):
    for ours, ref in pairs:
        np.testing.assert_allclose(ours, ref, **({"rtol": 1e-10, "atol": 1e-12} | tol))


# ---- max and min along a dim: (values, indices) -----------------------------------------
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim,keepdim", [(0, False), (1, True), (-1, False)])
def test_max_and_min_with_dim_give_values_and_indices_as_torch(torch, name, dim, keepdim):
    v, t = Value(TIES), torch.tensor(TIES, requires_grad=True)
    result, expected = getattr(v, name)(dim=dim, keepdim=keepdim), \
        getattr(t, name)(dim=dim, keepdim=keepdim)
    values, indices = result  # a namedtuple, as torch's
    assert result.values is values and result.indices is indices
    assert indices.data.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    upstream = np.arange(values.size, dtype=float).reshape(values.shape) + 1
    values.backward(upstream)
    expected.values.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(v.grad, t.grad.numpy())  # all to the first tied extreme


def test_max_with_axis_stays_one_value_whose_ties_share_the_gradient():
    v = Value(TIES)
    out = v.max(axis=1)  # the fixed API: numpy's spelling gives one Value
    assert isinstance(out, Value)
    out.sum().backward()
    np.testing.assert_array_equal(v.grad[0], [0, 0.5, 0.5, 0])
    assert isinstance(v.max(1), Value) and isinstance(v.amax(dim=(0, 1)), Value)


def test_max_with_dim_rejects_what_torch_rejects():
    v = Value(TIES)
    with pytest.raises(TypeError, match="amax"):
        v.max(dim=(0, 1))
    with pytest.raises(TypeError, match="not both"):
        v.min(axis=0, dim=0)
    with pytest.raises(AxisError, match="max"):
        v.max(dim=2)
    with pytest.raises(IndexError, match=r"max: dim 1 .*\(2, 0\)"):
        Value(np.ones((2, 0))).max(dim=1)
    values, indices = Value(3.0).max(dim=0)  # a 0-d Value is its own max, at index 0
    assert values.data == 3.0 and indices.data == 0


def test_dim_and_keepdim_are_aliases_of_axis_and_keepdims():
    x = Value(np.arange(24.0).reshape(2, 3, 4))
    for name in ("sum", "mean", "logsumexp", "amax", "amin"):
        np.testing.assert_array_equal(getattr(x, name)(dim=(0, 2), keepdim=True).data,
                                      getattr(x, name)(axis=(0, 2), keepdims=True).data)
    np.testing.assert_array_equal(x.softmax(dim=0).data, x.softmax(axis=0).data)
    with pytest.raises(TypeError, match="sum: give keepdims or keepdim"):
        x.sum(0, keepdims=True, keepdim=True)


# ---- scans ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_and_cummin_ties_and_nan_as_torch(torch, name):
    for x in (TIES, np.array([1.0, np.nan, 3.0, np.nan, 0.0])):
        values, indices = getattr(Value(x), name)(dim=-1)
        expected = getattr(torch.tensor(x), name)(dim=-1)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    v, t = Value(TIES), torch.tensor(TIES, requires_grad=True)
    getattr(v, name)(0).values.backward(TIES + 10)
    getattr(t, name)(0).values.backward(torch.tensor(TIES + 10))
    np.testing.assert_array_equal(v.grad, t.grad.numpy())


def test_scans_need_a_dim_as_in_torch():
    with pytest.raises(TypeError, match="cumsum: give dim"):
        Value(np.ones(3)).cumsum()
    assert Value(2.0).cumprod(0).data == 2.0  # a 0-d Value scans to itself


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 0.5], [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0],
                               [[1.0, 0.0, 2.0], [0.0, 3.0, 0.5]]], ids=["one zero",
                                                                         "two zeros",
                                                                         "all zeros", "rows"])
def test_prod_and_cumprod_with_zeros_match_torch_to_second_order(torch, x):
    x = np.array(x)
    for ours, theirs in [(lambda v: v.prod(), lambda t: t.prod()),
                         (lambda v: v.prod(-1, keepdim=True), lambda t: t.prod(-1, keepdim=True)),
                         (lambda v: v.cumprod(-1), lambda t: t.cumprod(-1)),
                         (lambda v: v.cumprod(0), lambda t: t.cumprod(0))]:
        assert_pairs(torch_grads(torch, ours, theirs, x))


def test_prod_takes_one_dim_or_none():
    with pytest.raises(TypeError, match="prod: give one dim"):
        Value(np.ones((2, 3))).prod(dim=(0, 1))
    assert Value(np.ones((2, 0))).prod(dim=1).data.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("x", [[1000.0, 1001.0, 999.0, 1002.0], [-1000.0, 0.0, 1000.0, 5.0],
                               [-1e4, -2e4, 3.0, 1e4]])
def test_logcumsumexp_is_stable_for_large_inputs(torch, x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        pairs = torch_grads(torch, lambda v: v.logcumsumexp(0), lambda t: t.logcumsumexp(0),
                            np.array(x), second=False)
    assert_pairs(pairs, rtol=1e-9)
    v = Value(np.array(x, np.float32))  # float32 holds 1e4 to within 1e-3
    v.logcumsumexp(0).backward(np.ones(4, np.float32))
    out = np.logaddexp.accumulate(x)
    exact = [np.exp(x[k] - out[k:]).sum() for k in range(4)]  # sum of d out_i / d x_k
    assert v.grad.dtype == np.float32
    np.testing.assert_allclose(v.grad, exact, rtol=1e-3, atol=1e-3)


def test_logcumsumexp_second_derivative_where_the_upstream_gradient_is_zero():
    """d/dw of the gradient of sum(w * logcumsumexp(x)) is, summed over x's entries, the sum
    of exp(x_k - out_i) over k <= i: 1, also where w is 0."""
    x, w = Value(np.array([0.3, -1.0, 2.0, 0.5])), Value(np.array([0.0, 1.0, 0.0, -2.0]))
    (gx,) = grad((w * x.logcumsumexp(0)).sum(), x, create_graph=True)
    np.testing.assert_allclose(grad(gx.sum(), w)[0].data, np.ones(4), rtol=1e-12)


# ---- var, std, norm -------------------------------------------------------------------------
def test_var_corrections_as_torch_and_numpy(torch):
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    v, t = Value(x), torch.tensor(x)
    for ours, theirs in [(v.var(), t.var()), (v.var(1, True), t.var(1, True)),
                         (v.var(1, unbiased=False), t.var(1, unbiased=False)),
                         (v.std(0, correction=2, keepdim=True), t.std(0, correction=2,
                                                                    keepdim=True)),
                         (v.var(axis=0, ddof=0), torch.tensor(np.var(x, axis=0)))]:
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    for ours, theirs in zip(autograd.std_mean(v, dim=1), torch.std_mean(t, dim=1)):
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match="unbiased or correction"):
        v.var(unbiased=True, correction=1)
    with pytest.raises(TypeError, match="correction or ddof"):
        v.var(correction=1, ddof=1)


def test_var_without_degrees_of_freedom_warns_and_gives_what_torch_gives(torch):
    with pytest.warns(RuntimeWarning, match="var: 1 elements and a correction of 1 "):
        assert np.isnan(Value(np.array([2.0])).var().data)
    with pytest.warns(RuntimeWarning, match="no degrees of freedom"):
        assert Value(np.array([1.0, 2.0])).var(correction=3).data == np.inf


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, 1.5, np.inf, -np.inf, "fro", -1])
def test_norm_gradient_at_zero_as_torch(torch, p):
    for x in ([0.0, 0.0, 0.0], [0.0, 1.0, -2.0]):
        assert_pairs(torch_grads(torch, lambda v: v.norm(p), lambda t: t.norm(p), np.array(x),
                                 second=False))


def test_norm_rejects_what_it_does_not_compute():
    v = Value(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="'nuc'"):
        v.norm("nuc")
    with pytest.raises(ValueError, match="at most two dims"):
        v.norm("fro", dim=(0, 1, 2))
    count = v.norm(0)
    assert count.data == 8 and not count.requires_grad


# ---- linear algebra ------------------------------------------------------------------------
def test_einsum_errors_name_the_problem():
    a, b = Value(np.ones((2, 3))), Value(np.ones((4, 2)))
    with pytest.raises(ValueError, match="subscripts for 1 operands, but 2"):
        autograd.einsum("ij", a, b)
    with pytest.raises(ValueError, match="not letters"):
        autograd.einsum("i1,jk", a, b)
    with pytest.raises(ValueError, match="'i' appears more than once"):
        autograd.einsum("ij,jk->ii", a, a)
    with pytest.raises(ValueError, match="'z' is in no operand"):
        autograd.einsum("ij->iz", a)
    with pytest.raises(ShapeError, match=r"'ijk'.*names 3 axes.*\(2, 3\)"):
        autograd.einsum("ijk->i", a)
    with pytest.raises(ShapeError, match=r"einsum: .*\(2, 3\) and \(4, 2\)"):
        autograd.einsum("ij,jk->ik", a, b)
    with pytest.raises(ValueError, match="sublist labels"):
        autograd.einsum(a, [0, 99])


def test_einsum_with_constants_and_its_gradient_of_a_diagonal():
    x = Value(np.arange(9.0).reshape(3, 3))
    out = autograd.einsum("ii,i->", x, np.array([1.0, 2.0, 3.0]))
    assert out.data == 0 * 1 + 4 * 2 + 8 * 3
    out.backward()
    np.testing.assert_array_equal(x.grad, np.diag([1.0, 2.0, 3.0]))
    assert not autograd.einsum("i,i", np.ones(2), np.ones(2)).requires_grad


def test_dot_outer_and_matmul_reject_what_torch_rejects():
    with pytest.raises(ShapeError, match=r"dot: needs two 1-d .*\(2, 2\) and \(2,\)"):
        Value(np.ones((2, 2))).dot(np.ones(2))
    with pytest.raises(ShapeError, match="dot: the vectors have lengths 2 and 3"):
        autograd.dot(np.ones(2), Value(np.ones(3)))
    with pytest.raises(ShapeError, match="outer: needs two 1-d"):
        autograd.outer(Value(np.ones(2)), Value(2.0))
    with pytest.raises(ShapeError, match=r"matmul: .*\(\) and \(2,\)"):
        Value(np.array(2.0)).matmul(Value(np.ones(2)))
    with pytest.raises(ShapeError, match=r"matmul: .*\(2, 3\) and \(2, 3\)"):
        autograd.matmul(Value(np.ones((2, 3))), np.ones((2, 3)))


def test_reductions_are_functions_too_as_in_torch():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(autograd.cumsum(x, 1).data, np.cumsum(x, 1))
    assert autograd.var(Value(x), dim=0).op == Value(x).var(dim=0).op
    assert autograd.cummax(Value(x), dim=0).indices.data.dtype == np.int64
    assert autograd.norm.__doc__ == Value.norm.__doc__
    for builtin in ("sum", "max", "min"):  # `from autograd import *` keeps Python's own
        assert builtin not in autograd.__all__
