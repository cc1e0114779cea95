"""Shape and index ops beyond the op spec: ties in sort, topk and scatter_reduce (PyTorch's
conventions), zeros in scatter_reduce's product, the two readings of transpose, index
Values from argsort and nonzero, and the errors PyTorch raises, naming op and shapes."""
import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Value
from autograd.mode import AxisError
from agtest import assert_close


def both(torch, data):
    """The same float64 data as a Value and as a torch tensor that requires grad."""
    data = np.asarray(data, dtype=np.float64)
    return Value(data), torch.tensor(data, requires_grad=True)


# ---- ties and NaN in sort and topk ------------------------------------------------------------
TIED = [[1.0, 3.0, 1.0, np.nan, 3.0, 0.0, 1.0], [2.0, 2.0, 2.0, -1.0, np.inf, -np.inf, 2.0]]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_and_puts_nan_where_torch_does(torch, descending):
    v, t = both(torch, TIED)
    values, indices = v.sort(descending=descending)
    expected = t.sort(descending=descending, stable=True)
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert_close(indices.data, expected.indices.numpy(), rtol=0, atol=0)
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(v.argsort(descending=descending).data, indices.data)


def test_sort_values_take_their_elements_gradient(torch):
    v, t = both(torch, [[3.0, 1.0, 3.0, 2.0]])
    upstream = np.array([[1.0, 2.0, 3.0, 4.0]])
    v.sort(descending=True).values.backward(upstream)
    t.sort(descending=True, stable=True).values.backward(torch.tensor(upstream))
    assert_close(v.grad, t.grad.numpy())


def test_topk_takes_the_first_of_tied_elements():
    """PyTorch leaves the order of ties in topk unspecified; ours is sort's (stable)."""
    values, indices = Value(np.array([1.0, 2.0, 2.0, 0.0, 2.0])).topk(2)
    assert indices.data.tolist() == [1, 2] and values.data.tolist() == [2.0, 2.0]
    values, indices = Value(np.array([1.0, 0.0, 0.0])).topk(2, largest=False)
    assert indices.data.tolist() == [1, 2]


# ---- scatter_reduce: ties, zeros, the self it leaves out ---------------------------------------
INDEX = np.array([0, 0, 1, 1, 2])


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_amax_amin_share_the_gradient_among_ties_as_torch(torch, reduce):
    # slot 0: self and one src tie; slot 1: two srcs tie; slot 2: self wins alone; slot 3 untouched
    (x, tx), (src, tsrc) = both(torch, [5.0, -1.0, 9.0, 4.0]), both(torch, [5.0, 2.0, 7.0, 7.0, 3.0])
    if reduce == "amin":
        (x, tx), (src, tsrc) = both(torch, -x.data), both(torch, -src.data)
    upstream = np.array([1.0, 2.0, 3.0, 4.0])
    x.scatter_reduce(0, INDEX, src, reduce).backward(upstream)
    tx.scatter_reduce(0, torch.tensor(INDEX), tsrc, reduce).backward(torch.tensor(upstream))
    assert_close(x.grad, tx.grad.numpy())
    assert_close(src.grad, tsrc.grad.numpy())
    assert x.grad.tolist() == [0.5, 0.0, 3.0, 4.0] and src.grad.tolist() == [0.5, 0, 1, 1, 0]


def test_scatter_amax_without_self_gives_a_tied_self_no_share():
    """PyTorch counts an excluded self equal to the result among the ties and then gives
    its share to no one (the gradients add up to 0.5, not 1); ours go to the src."""
    x, src = Value(np.array([5.0])), Value(np.array([5.0, 3.0]))
    x.scatter_reduce(0, np.array([0, 0]), src, "amax", include_self=False).backward(np.ones(1))
    assert x.grad.tolist() == [0.0] and src.grad.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("self_data, src_data", [
    ([2.0, 0.0, 3.0], [0.0, 5.0, 4.0, 0.0, 0.0]),   # a lone zero in src, a zero self, two zeros
    ([0.0, 1.5, 0.0], [2.0, 0.0, 0.5, 3.0, 1.0]),
], ids=["zeros-in-src", "zeros-in-self"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_prod_gradient_with_zeros_is_the_product_of_the_others(torch, self_data,
                                                                        src_data, include_self):
    index = np.array([0, 0, 1, 2, 2])
    (x, tx), (src, tsrc) = both(torch, self_data), both(torch, src_data)
    upstream = np.array([1.0, -2.0, 3.0])
    x.scatter_reduce(0, index, src, "prod", include_self=include_self).backward(upstream)
    tx.scatter_reduce(0, torch.tensor(index), tsrc, "prod",
                      include_self=include_self).backward(torch.tensor(upstream))
    assert_close(x.grad, tx.grad.numpy())
    assert_close(src.grad, tsrc.grad.numpy())


def test_scatter_mean_without_self_keeps_untouched_positions():
    x = Value(np.array([1.0, 2.0, 3.0]))
    out = x.scatter_reduce(0, np.array([0, 0, 2]), np.array([4.0, 6.0, 8.0]), "mean",
                           include_self=False)
    assert out.data.tolist() == [5.0, 2.0, 8.0]


# ---- transpose: numpy's permutation and PyTorch's swap ---------------------------------------
def test_two_ints_permute_a_matrix_as_in_numpy_and_swap_other_ranks_as_in_torch():
    m, t = Value(np.arange(6.0).reshape(2, 3)), Value(np.arange(24.0).reshape(2, 3, 4))
    # the API's transpose(*axes) is numpy's: on a matrix (0, 1) keeps the order, (1, 0) swaps
    assert m.transpose(0, 1).shape == (2, 3) and m.transpose(1, 0).shape == (3, 2)
    assert m.transpose(1, 0).data.tolist() == np.arange(6.0).reshape(2, 3).T.tolist()
    assert m.transpose((0, 1)).shape == (2, 3) and m.permute(0, 1).shape == (2, 3)
    assert m.T.shape == (3, 2) and autograd.swapaxes(m, 0, 1).shape == (3, 2)
    with pytest.raises(ValueError, match="transpose"):
        m.transpose(1, 1)  # a permutation that repeats an axis
    # on other ranks numpy would refuse two ints, so they are PyTorch's swap
    assert t.transpose(0, 2).shape == (4, 3, 2) and t.transpose(-1, -2).shape == (2, 4, 3)
    assert t.transpose(1, 1).shape == (2, 3, 4)  # PyTorch: swapping a dim with itself
    assert t.transpose(1, 2, 0).shape == (3, 4, 2) and t.transpose().shape == (4, 3, 2)
    assert autograd.transpose(t, 0, 1).shape == (3, 2, 4)


# ---- indices as Values, and the functions ---------------------------------------------------
def test_argsort_and_nonzero_results_index_other_values():
    x = Value(np.array([[3.0, -1.0, 2.0], [0.0, 5.0, -4.0]]))
    order = x.argsort(dim=1)
    assert_close(x.gather(1, order).data, np.sort(x.data, 1))
    assert_close(x.take_along_dim(order, 1).data, np.sort(x.data, 1))
    rows, cols = x.relu().nonzero(as_tuple=True)
    assert rows.dtype == np.int64 and x[rows, cols].data.tolist() == [3.0, 2.0, 5.0]
    assert x.relu().nonzero().data.tolist() == [[0, 0], [0, 2], [1, 1]]


def test_split_chunk_and_meshgrid_give_tuples_of_values():
    x = Value(np.arange(5.0))
    assert [p.shape for p in x.split(2)] == [(2,), (2,), (1,)]
    assert [p.shape for p in autograd.chunk(x, 4)] == [(2,), (2,), (1,)]  # fewer, as torch
    a, b = autograd.meshgrid(x, Value(np.arange(2.0)))
    assert a.shape == b.shape == (5, 2)
    a, b = autograd.meshgrid(x, Value(np.arange(2.0)), indexing="xy")
    assert a.shape == b.shape == (2, 5)


def test_squeeze_keeps_a_named_dim_whose_size_is_not_one_and_flip_of_nothing_flips_all():
    x = Value(np.arange(6.0).reshape(1, 2, 3))
    assert x.squeeze(1).shape == (1, 2, 3) and x.squeeze(axis=0).shape == (2, 3)
    assert_close(x.flip().data, x.data[::-1, ::-1, ::-1])
    assert_close(autograd.flip(x, 2).data, x.data[..., ::-1])


def test_cat_concat_and_stack_take_dim_or_axis():
    a, b = Value(np.ones((2, 3))), Value(np.zeros((2, 1)))
    assert autograd.cat([a, b], dim=1).shape == autograd.concatenate([a, b], axis=-1).shape
    assert autograd.stack([a, a], dim=2).shape == (2, 3, 2)
    with pytest.raises(TypeError, match="concat: give axis or dim"):
        autograd.concat([a, b], axis=1, dim=1)


def test_pad_is_also_nn_functional_pad():
    assert F.pad is autograd.pad
    out = F.pad(Value(np.ones((2, 2))), (1, 0), value=-1.0)
    assert out.data.tolist() == [[-1.0, 1.0, 1.0], [-1.0, 1.0, 1.0]]


# ---- errors PyTorch raises, naming the op and the shapes -------------------------------------
@pytest.mark.parametrize("f, error, words", [
    (lambda v: v.view(4, -1), ValueError, ["view", "(2, 3)", "(4, -1)"]),
    (lambda v: v.permute(1, 0, 2), ValueError, ["permute", "(2, 3)"]),
    (lambda v: v.flatten(1, 0), ValueError, ["flatten", "(2, 3)"]),
    (lambda v: v.unflatten(1, (2, -1)), ValueError, ["unflatten", "(2, 3)", "(2, -1)"]),
    (lambda v: v.unsqueeze(3), AxisError, ["unsqueeze", "3", "(2, 3)"]),
    (lambda v: v.squeeze(2), AxisError, ["squeeze", "axis 2", "(2, 3)"]),
    (lambda v: v.expand(4, 3), ValueError, ["expand", "(2, 3)", "(4, 3)"]),
    (lambda v: v.expand(3), ValueError, ["expand", "(2, 3)"]),
    (lambda v: v.repeat(2), ValueError, ["repeat", "(2, 3)"]),
    (lambda v: v.roll((1, 2), 0), ValueError, ["roll", "2 shifts", "(2, 3)"]),
    (lambda v: v.split(0, 1), ValueError, ["split", "(2, 3)"]),
    (lambda v: v.split([1, 1], 1), ValueError, ["split", "[1, 1]", "(2, 3)"]),
    (lambda v: v.chunk(0), ValueError, ["chunk", "positive"]),
    (lambda v: v.gather(1, np.array([[3]])), IndexError, ["gather", "index 3", "(2, 3)"]),
    (lambda v: v.gather(1, np.array([-1])), ValueError, ["gather", "(1,)", "(2, 3)"]),
    (lambda v: v.gather(0, np.array([[0, 0, 0, 0]])), ValueError, ["gather", "(1, 4)", "(2, 3)"]),
    (lambda v: v.gather(0, np.array([[0.0]])), TypeError, ["gather", "integers", "float64"]),
    (lambda v: v.index_select(1, [0, 3]), IndexError, ["index_select", "index 3", "(2, 3)"]),
    (lambda v: v.index_select(1, [[0]]), ValueError, ["index_select", "1-d", "(1, 1)"]),
    (lambda v: v.take_along_dim(np.array([[0, 1]]), 0), ValueError,
     ["take_along_dim", "(1, 3)", "(1, 2)"]),
    (lambda v: v.masked_select(np.ones(3)), TypeError, ["masked_select", "bools"]),
    (lambda v: v.masked_select(np.ones(2, bool)), ValueError, ["masked_select", "(2, 3)", "(2,)"]),
    (lambda v: v.scatter_add(0, np.array([[2]]), np.ones((1, 1))), IndexError,
     ["scatter_add", "index 2", "(2, 3)"]),
    (lambda v: v.scatter_add(0, np.array([[0, 1]]), np.ones((1, 1))), ValueError,
     ["scatter_add", "(1, 2)", "(1, 1)"]),
    (lambda v: v.scatter_add(0, np.array([[0]]), np.ones(1)), ValueError,
     ["scatter_add", "src", "(1,)", "(2, 3)"]),
    (lambda v: v.scatter_reduce(0, np.array([[0]]), np.ones((1, 1)), "max"), ValueError,
     ["scatter_reduce", "'amax'", "'max'"]),
    (lambda v: v.repeat_interleave([1, 2], 1), ValueError, ["repeat_interleave", "size 3"]),
    (lambda v: v.repeat_interleave(-1), ValueError, ["repeat_interleave", "non-negative"]),
    (lambda v: v.unfold(1, 4, 1), ValueError, ["unfold", "size 4", "(2, 3)"]),
    (lambda v: v.unfold(1, 2, 0), ValueError, ["unfold", "step 0", "(2, 3)"]),
    (lambda v: v[0].tril(), ValueError, ["tril", "(3,)"]),
    (lambda v: v.reshape(1, 2, 3).diag(), ValueError, ["diag", "(1, 2, 3)"]),
    (lambda v: v.diagonal(0, 1, 1), ValueError, ["diagonal", "(2, 3)"]),
    (lambda v: v.topk(4), ValueError, ["topk", "k=4", "(2, 3)"]),
    (lambda v: v.sort(2), AxisError, ["sort", "axis 2", "(2, 3)"]),
    (lambda v: v.movedim((0, 1), 0), ValueError, ["movedim", "(2, 3)"]),
    (lambda v: autograd.meshgrid(v), ValueError, ["meshgrid", "(2, 3)"]),
    (lambda v: F.pad(v, (1, 1, 1)), ValueError, ["pad", "(2, 3)"]),
    (lambda v: F.pad(v, (1,) * 6), ValueError, ["pad", "(2, 3)"]),
    (lambda v: F.pad(v, (3, 0), "reflect"), ValueError, ["pad", "reflect", "(2, 3)"]),
    (lambda v: F.pad(v, (4, 0), "circular"), ValueError, ["pad", "circular", "(2, 3)"]),
    (lambda v: F.pad(v, (-2, -2)), ValueError, ["pad", "(2, 3)"]),
    (lambda v: F.pad(v, (1, 1), "reflect", value=1.0), ValueError, ["pad", "value"]),
    (lambda v: F.pad(v, (1, 1), "wrap"), ValueError, ["pad", "'wrap'", "circular"]),
])
def test_what_torch_rejects_raises_naming_the_op_and_shapes(f, error, words):
    with pytest.raises(error) as err:
        f(Value(np.ones((2, 3))))
    message = str(err.value)
    assert message.startswith(words[0]), message
    for word in words[1:]:
        assert word in message, message
