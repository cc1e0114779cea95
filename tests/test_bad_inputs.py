"""A catalogue of bad inputs across `autograd` and `nn`.

Each entry checks the exception type, the parts of the message a user needs (the op, the
shapes, the offending value or key), and that nothing was half-changed: data, gradients,
weights and optimizer state are exactly as before the failed call.

Decisions recorded here (what "sensible" means for edge cases):
- empty arrays are ordinary arrays: `sum` of an empty array is 0 and its backward gives an
  empty gradient; `max`/`min` over an empty axis raise numpy's ValueError, named by the op;
  `softmax`/`log_softmax` over an empty axis are empty and `logsumexp` is -inf, as in
  PyTorch; `mean` over an empty axis gives nan with numpy's "Mean of empty slice"
  RuntimeWarning, as `np.mean` does (and its gradient is empty);
- an axis out of range is numpy's AxisError (a ValueError and an IndexError); shapes that
  do not fit, and an axis named twice, raise `autograd.mode.ShapeError` (a ValueError and a
  RuntimeError), so numpy's and PyTorch's habits both catch them;
- `bool()` of a Value with several elements, `clip()` without bounds, finite differences
  with `eps <= 0`, and `grad()` for an input that does not require grad raise;
- a truncated or empty weights file raises ValueError naming the file; a file holding
  pickled objects raises ValueError and is never unpickled; a text file is "not an .npz
  archive" (never called pickled); a damaged member names the file and the member; a member
  whose header declares more data than it holds is "damaged", found after reading at most
  the bytes really there; `Module.load` checks names, shapes and dtypes from the headers
  and reads no data of a file it rejects;
- `binary_cross_entropy` follows PyTorch: a probability outside [0, 1], or nan, raises
  ValueError naming it; p = 0 or 1 is valid (logs clamped at -100, a finite loss);
- an optimizer takes an iterable of leaf Values: a single Value or a module raises
  TypeError saying what to pass, a computed (non-leaf) Value ValueError; a parameter with
  no gradient this step is skipped, not an error (as in PyTorch);
- `fit` checks every argument before the first update: an empty dataset, epochs that are
  not a positive integer, a model without parameters and an optimizer that holds none of
  the model's parameters raise ValueError; a non-Module model, a loss that is not callable,
  an optimizer class instead of an instance and non-numeric X or y raise TypeError.
"""
import os
import pickle
import warnings

import numpy as np
import pytest

import autograd
from autograd import Value, grad

nn = pytest.importorskip("nn")
from nn.optim import SGD, Adam  # noqa: E402


def snapshot(values):
    """Copies of each Value's data and grad, to compare after a failed call."""
    return [(np.array(v.data, copy=True), np.array(v.grad, copy=True)) for v in values]


def assert_unchanged(values, before):
    for v, (data, g) in zip(values, before):
        np.testing.assert_array_equal(v.data, data)
        np.testing.assert_array_equal(v.grad, g)


# ---- wrong types -------------------------------------------------------------------------------
@pytest.mark.parametrize("make, named", [
    (lambda: Value("3.0"), "str"),
    (lambda: Value(None), "None"),
    (lambda: Value(2 + 1j), "complex"),
    (lambda: Value({"a": 1}), "dict"),
    (lambda: Value(np.array(["a", "b"])), "<U1"),
    (lambda: Value(np.array([object()])), "object"),
    (lambda: Value([[1.0, 2.0], [3.0]]), "list"),
    (lambda: Value(Value(1.0)), "detach"),
    (lambda: Value([1.0], dtype=np.int64), "floating dtype"),
], ids=["str", "None", "complex", "dict", "str-array", "object-array", "ragged", "Value",
        "int-dtype"])
def test_value_rejects_non_numbers_with_type_error_naming_them(make, named):
    with pytest.raises(TypeError, match=named):
        make()


@pytest.mark.parametrize("f, named", [
    (lambda v: v + "a", "str"),
    (lambda v: "a" * v, "str"),
    (lambda v: v * None, "None"),
    (lambda v: v @ "x", "str"),
    (lambda v: v - {"k": 1}, "dict"),
    (lambda v: np.array(["a", "b", "c"]) + v, "<U1"),
    (lambda v: v ** (1 + 2j), "complex"),
    (lambda v: autograd.maximum(v, "a"), "str"),
    (lambda v: autograd.where(np.array([True, False, True]), v, "a"), "str"),
    (lambda v: v.clip("a", 1.0), "clip"),
    (lambda v: v[np.array([0.0, 1.0])], "float64"),
], ids=["add-str", "rmul-str", "mul-None", "matmul-str", "sub-dict", "str-array",
        "pow-complex", "maximum-str", "where-str", "clip-str", "float-index"])
def test_ops_reject_non_numbers_and_leave_the_operand_alone(f, named):
    v = Value(np.array([1.0, 2.0, 3.0]))
    before = snapshot([v])
    with pytest.raises(TypeError, match=named):
        f(v)
    assert_unchanged([v], before)


@pytest.mark.parametrize("axis", ["0", 1.5, (1.5,), True, (0, True)],
                         ids=["str", "float", "float-in-tuple", "bool", "bool-in-tuple"])
@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "logsumexp", "softmax",
                                    "log_softmax"])
def test_an_axis_of_the_wrong_type_is_refused(method, axis):
    """A bool or a float is no axis, not even inside a tuple (int(1.5) would pick axis 1)."""
    with pytest.raises(TypeError) as err:
        getattr(Value(np.ones((2, 3))), method)(axis=axis)
    assert str(err.value) == f"{method}: axis must be None, an int or a tuple of ints, " \
                             f"got {axis!r}"


def test_leaky_relu_slope_that_is_no_number():
    with pytest.raises(ValueError, match="'x'"):
        Value(np.ones(2)).leaky_relu("x")


def test_indexing_a_scalar_and_bad_indices():
    with pytest.raises(TypeError, match="scalar"):
        Value(1.0)[0]
    v = Value(np.arange(6.0).reshape(2, 3))
    with pytest.raises(IndexError, match="out of bounds"):
        v[5]
    with pytest.raises(IndexError, match="only integers"):
        v[1.5]


def test_grad_with_a_number_as_input_says_what_it_wants():
    with pytest.raises(TypeError, match="grad: .*must be Values, got float"):
        grad(Value(1.0) * 2.0, 3.0)


def test_grad_with_a_non_value_in_a_list():
    x = Value(2.0)
    with pytest.raises(TypeError, match="must be Values, got str"):
        grad(x * x, [x, "x"])
    with pytest.raises(TypeError, match="must be Values, got float"):
        grad([x * x, 1.0], x)
    assert x.grad == 0.0


# ---- mismatched shapes --------------------------------------------------------------------------
@pytest.mark.parametrize("f, a, b, words", [
    (lambda a, b: a @ b, (2, 3), (4, 5), ["matmul", "(2, 3)", "(4, 5)"]),
    (lambda a, b: a @ b, (3,), (4,), ["matmul", "(3,)", "(4,)"]),
    (lambda a, b: a + b, (2, 3), (4,), ["add", "(2, 3)", "(4,)"]),
    (lambda a, b: a * b, (3, 1), (2, 2), ["mul", "(3, 1)", "(2, 2)"]),
    (lambda a, b: a / b, (2,), (3,), ["div", "(2,)", "(3,)"]),
    (lambda a, b: a ** b, (2,), (3,), ["pow", "(2,)", "(3,)"]),
    (lambda a, b: autograd.maximum(a, b), (2,), (3,), ["maximum", "(2,)", "(3,)"]),
    (lambda a, b: autograd.where(np.ones(4, bool), a, b), (2,), (2,), ["where", "(4,)"]),
    (lambda a, b: autograd.concat([a, b], axis=0), (2, 3), (2, 4), ["concat", "(2, 3)",
                                                                    "(2, 4)"]),
    (lambda a, b: autograd.concat([a, b], axis=1), (2, 3), (3,), ["concat", "(2, 3)",
                                                                  "(3,)"]),
    (lambda a, b: autograd.stack([a, b]), (2,), (3,), ["stack", "(2,)", "(3,)"]),
], ids=["matmul", "dot", "add", "mul", "div", "pow", "maximum", "where", "concat",
        "concat-ndim", "stack"])
def test_mismatched_shapes_raise_value_error_naming_op_and_shapes(f, a, b, words):
    va, vb = Value(np.ones(a)), Value(np.ones(b))
    before = snapshot([va, vb])
    with pytest.raises(ValueError) as err:
        f(va, vb)
    for word in words:
        assert word in str(err.value)
    assert_unchanged([va, vb], before)


@pytest.mark.parametrize("f, words", [
    (lambda v: v.reshape(4), ["reshape", "(2, 3)", "(4,)"]),
    (lambda v: v.transpose((0, 0)), ["transpose", "(2, 3)"]),
    (lambda v: v.transpose(1, 0, 2), ["transpose", "(2, 3)"]),
    (lambda v: v.sum(axis=2), ["sum", "axis 2", "(2, 3)"]),
    (lambda v: v.softmax(axis=-3), ["softmax", "axis -3", "(2, 3)"]),
    (lambda v: v.max(axis=(0, 5)), ["max", "axis 5", "(2, 3)"]),
    (lambda v: autograd.stack([v, v], axis=3), ["stack", "axis 3"]),
    (lambda v: autograd.concat([]), ["concat", "at least one"]),
    (lambda v: autograd.stack([]), ["stack", "at least one"]),
    (lambda v: autograd.concat([Value(1.0), Value(2.0)]), ["concat", "stack"]),
    (lambda v: v[0].sum(axis=1), ["sum", "axis 1", "(3,)"]),
    (lambda v: Value(np.array(2.0)).sum(axis=1), ["sum", "axis 1", "()"]),
    (lambda v: Value(np.array(2.0)).max(axis=-2), ["max", "axis -2", "()"]),
    (lambda v: v.transpose(0, 5), ["transpose", "axis 5", "(2, 3)"]),
    (lambda v: v.sum(axis=(0, 0)), ["sum", "more than once", "(2, 3)"]),
    (lambda v: v.clip(None, None), ["clip", "low, high"]),
    (lambda v: bool(v), ["bool()", "ambiguous", "(2, 3)", "any()"]),
    (lambda v: autograd.gradcheck(lambda x: x, [v], eps=0), ["finite differences", "eps > 0"]),
], ids=["reshape", "transpose-repeated", "transpose-too-many", "sum-axis", "softmax-axis",
        "max-axis", "stack-axis", "concat-empty", "stack-empty", "concat-scalars",
        "vector-axis-1", "0d-axis-1", "0d-axis-minus-2", "transpose-axis-out-of-range",
        "sum-repeated-axis", "clip-without-bounds", "bool-of-six", "gradcheck-eps-0"])
def test_bad_shape_arguments_raise_value_error(f, words):
    v = Value(np.ones((2, 3)))
    with pytest.raises(ValueError) as err:
        f(v)
    for word in words:
        assert word in str(err.value)
    assert str(err.value).startswith(words[0])  # the op comes first


@pytest.mark.parametrize("f, message", [
    (lambda: Value(np.ones((2, 3))) @ Value(np.ones((4, 5))),
     "matmul: cannot apply to shapes (2, 3) and (4, 5): "),
    (lambda: Value(np.ones(3)) + np.ones(4), "add: cannot apply to shapes (3,) and (4,): "),
    (lambda: autograd.concat([]), "concat: needs at least one Value"),
    (lambda: autograd.stack([]), "stack: needs at least one Value"),
    (lambda: autograd.concat([Value(1.0)]), "concat: cannot join scalars; use stack"),
    (lambda: autograd.stack([Value(np.ones(2))], axis=2),
     "stack: axis 2 is out of range for the result's 2 axes"),
    (lambda: autograd.stack([Value(np.ones(2)), Value(np.ones(3))]),
     "stack: all Values need the same shape, got [(2,), (3,)]"),
    (lambda: Value(np.ones(2)).sum(axis=3),
     "sum: axis 3 is out of range for a Value of shape (2,)"),
    (lambda: Value(np.ones((2, 3))).softmax(axis=-3),
     "softmax: axis -3 is out of range for a Value of shape (2, 3)"),
    (lambda: autograd.concat([Value(np.ones((2, 3)))] * 2, axis=2),
     "concat: axis 2 is out of range for a Value of shape (2, 3)"),
    (lambda: autograd.where(np.ones(3, bool), Value(np.ones(2)), Value(np.ones(4))),
     "where: condition of shape (3,) and values of shapes (2,) and (4,) do not broadcast"),
], ids=["matmul", "add", "concat-empty", "stack-empty", "concat-scalar", "stack-axis",
        "stack-shapes", "axis", "softmax-axis", "concat-axis", "where"])
def test_shape_error_messages_read_exactly(f, message):
    """The first words of the message are what a user sees first: the op, then the shapes."""
    with pytest.raises(ValueError) as err:
        f()
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize("index", [5, (0, 0), -4], ids=["past-the-end", "too-many", "before"])
def test_an_index_out_of_range_names_getitem_and_the_shape(index):
    x = Value(np.arange(3.0))
    with pytest.raises(IndexError) as err:
        x[index]
    assert str(err.value).startswith("getitem: cannot apply to shapes (3,): "), str(err.value)


@pytest.mark.parametrize("index, message", [
    (Value(np.array([0.0])), "getitem: index with ints, slices, or integer or boolean arrays "
                             "(a comparison's or argmax's result), not floating point data"),
    (np.array([0.5]), "getitem: index arrays must hold integers or bools, not float64"),
], ids=["float-Value", "float-array"])
def test_float_indices_read_exactly(index, message):
    with pytest.raises(TypeError) as err:
        Value(np.arange(3.0))[index]
    assert str(err.value) == message


@pytest.mark.parametrize("loss, pred, target, words", [
    ("mse_loss", (4, 1), (4,), ["mse_loss", "(4, 1)", "(4,)"]),
    ("binary_cross_entropy", (3,), (3, 1), ["binary_cross_entropy", "(3,)", "(3, 1)"]),
    ("binary_cross_entropy_with_logits", (2, 2), (4,), ["with_logits", "(2, 2)", "(4,)"]),
    ("cross_entropy", (2, 3), (3,), ["cross_entropy", "(3,)", "(2, 3)"]),
    ("cross_entropy", (2, 3), (2, 4), ["cross_entropy", "(2, 4)", "(2, 3)"]),
], ids=["mse", "bce", "bce-logits", "ce-labels", "ce-probabilities"])
def test_losses_reject_mismatched_shapes_without_broadcasting(loss, pred, target, words):
    p = Value(np.full(pred, 0.5))
    with pytest.raises(ValueError) as err:
        getattr(nn, loss)(p, np.zeros(target))
    for word in words:
        assert word in str(err.value)
    assert_unchanged([p], snapshot([Value(np.full(pred, 0.5))]))


def test_a_layer_given_the_wrong_width_names_both_shapes():
    layer = nn.Linear(3, 2, rng=0)
    before = snapshot(layer.parameters())
    with pytest.raises(ValueError) as err:
        layer(np.ones((4, 5)))
    assert "matmul" in str(err.value) and "(4, 5)" in str(err.value) \
        and "(3, 2)" in str(err.value)
    assert_unchanged(layer.parameters(), before)


# ---- backward with bad gradients, replaced data, read-only data --------------------------------
@pytest.mark.parametrize("gradient, words", [
    (None, ["(2, 3)", "pass a gradient"]),
    (np.ones(3), ["(3,)", "(2, 3)"]),
    (np.ones((3, 2)), ["(3, 2)", "(2, 3)"]),
    (np.ones((1, 2, 3)), ["(1, 2, 3)", "(2, 3)"]),
], ids=["none", "too-small", "transposed", "extra-axis"])
def test_backward_with_a_missing_or_misshaped_gradient_changes_no_grad(gradient, words):
    x = Value(np.ones((2, 3)))
    h = x * 2.0
    y = h.exp()
    before = snapshot([x, h, y])
    with pytest.raises(ValueError) as err:
        y.backward(gradient)
    for word in words:
        assert word in str(err.value)
    assert "backward" in str(err.value)
    assert_unchanged([x, h, y], before)


def _replaced():
    w = Value(np.ones(2))
    loss = (w * 3.0).sum()
    w.data = np.zeros(2)
    loss.backward()


def _y():
    return Value(np.array([1.0, 2.0])) * 2.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: (Value(np.ones((2, 3))) * 2.0).backward(), ValueError,
     "backward(): the Value has shape (2, 3); pass a gradient of that shape, or reduce it "
     "first (e.g. .sum() or .mean())"),
    (lambda: (Value(np.ones((2, 3))) * 2.0).backward(np.ones(3)), ValueError,
     "backward(): gradient has shape (3,) but the Value has shape (2, 3); they must match"),
    (lambda: (Value(1.0, requires_grad=False) * 2.0).backward(), RuntimeError,
     "backward(): this Value does not require grad and has no graph (was it made under "
     "no_grad(), or from constants only?)"),
    (_replaced, RuntimeError,
     "backward: an input of mul (shape (2,)) was given new data after the op used it, so its "
     "gradient would be wrong; run the forward pass again after changing .data (for example "
     "after optimizer.step())"),
    (lambda: grad(_y(), [Value(1.0), "x"]), TypeError,
     "grad: outputs and inputs must be Values, got str"),
    (lambda: grad([_y(), _y()], Value(1.0), grad_outputs=[np.ones(2)]), ValueError,
     "grad: 2 outputs but 1 grad_outputs"),
    (lambda: grad(_y(), Value(1.0)), ValueError,
     "grad: the Value has shape (2,); pass a gradient of that shape, or reduce it first "
     "(e.g. .sum() or .mean())"),
    (lambda: grad(_y(), Value(1.0), grad_outputs=np.ones(3)), ValueError,
     "grad: gradient has shape (3,) but the Value has shape (2,); they must match"),
    (lambda: grad(_y(), Value(1.0), grad_outputs=np.ones(3), create_graph=True), ValueError,
     "grad: gradient has shape (3,) but the Value has shape (2,); they must match"),
    (lambda: grad(_y(), Value(1.0), grad_outputs=Value(np.ones(3)), create_graph=True),
     ValueError, "grad: gradient has shape (3,) but the Value has shape (2,); they must match"),
    (lambda: autograd.mode.unbroadcast(np.ones((2, 3)), (4, 3)), ValueError,
     "unbroadcast: a gradient of shape (2, 3) cannot be reduced to shape (4, 3)"),
    (lambda: autograd.mode.unbroadcast(np.ones(3), (2, 3)), ValueError,
     "unbroadcast: a gradient of shape (3,) cannot be reduced to shape (2, 3)"),
], ids=["no-gradient", "gradient-shape", "no-graph", "replaced-data", "grad-input-type",
        "grad-outputs-count", "grad-no-gradient", "grad-outputs-shape",
        "grad-outputs-shape-create-graph", "grad-outputs-value-shape", "unbroadcast",
        "unbroadcast-fewer-axes"])
def test_backward_and_grad_messages_read_exactly(call, error, message):
    with pytest.raises(error) as err:
        call()
    assert str(err.value) == message


def test_backward_with_a_gradient_that_is_no_number():
    x = Value(np.ones(2))
    with pytest.raises(TypeError, match="str"):
        (x * 2.0).backward("ab")
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_backward_of_a_value_without_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Value(np.ones(2), requires_grad=False) * 2.0).sum().backward()


@pytest.mark.parametrize("data", [2.0, np.ones(3)], ids=["scalar", "tensor"])
def test_backward_after_data_was_replaced_raises_runtime_error(data):
    w = Value(data)
    loss = (w * w + w).sum()
    w.data = np.asarray(data) * 3.0 if type(data) is not float else data * 3.0
    with pytest.raises(RuntimeError) as err:
        loss.backward()
    assert "new data" in str(err.value) and f"an input of add (shape {w.shape})" \
        in str(err.value)
    np.testing.assert_array_equal(w.grad, np.zeros_like(np.asarray(data)))


def test_backward_that_raises_for_replaced_data_changes_no_grad_at_all():
    a, w = Value(np.array([1.0, 2.0])), Value(np.array([3.0, 4.0]))
    loss = (a * 2.0).sum() + (w * w).sum()
    w.data = np.zeros(2)
    with pytest.raises(RuntimeError, match="new data"):
        loss.backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    assert loss.grad == 0.0


@pytest.mark.parametrize("write", [
    lambda v: v.data.__setitem__(0, 5.0),
    lambda v: v.numpy().__setitem__(0, 5.0),
    lambda v: np.multiply(v.data, 2.0, out=v.data),
    lambda v: v.data.fill(0.0),
], ids=["setitem", "numpy()", "ufunc-out", "fill"])
def test_in_place_writes_to_data_raise_and_change_nothing(write):
    v = Value(np.array([1.0, 2.0, 3.0]))
    y = (v * v).sum()
    with pytest.raises(ValueError, match="read-only"):
        write(v)
    np.testing.assert_array_equal(v.data, [1.0, 2.0, 3.0])
    y.backward()  # the recorded graph is still valid
    np.testing.assert_array_equal(v.grad, [2.0, 4.0, 6.0])


def test_in_place_writes_to_grad_after_backward_raise():
    v = Value(np.array([1.0, 2.0]))
    (v * 3.0).sum().backward()
    with pytest.raises(ValueError, match="read-only"):
        v.grad[0] = 0.0
    np.testing.assert_array_equal(v.grad, [3.0, 3.0])


def test_assigning_bad_data_or_grad_leaves_the_value_as_it_was():
    v = Value(np.array([1.0, 2.0]))
    y = (v * v).sum()
    with pytest.raises(TypeError, match="str"):
        v.data = "abc"
    with pytest.raises(TypeError, match="complex"):
        v.data = np.array([1j, 2j])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        v.grad = np.ones(3)
    np.testing.assert_array_equal(v.data, [1.0, 2.0])
    np.testing.assert_array_equal(v.grad, [0.0, 0.0])
    y.backward()  # a failed assignment did not count as new data
    np.testing.assert_array_equal(v.grad, [2.0, 4.0])


# ---- cross_entropy labels -----------------------------------------------------------------------
@pytest.mark.parametrize("labels, words", [
    ([0, 3], ["label 3", "n_classes=3", "0 to 2"]),
    ([-1, 0], ["label -1", "n_classes=3"]),
    ([0.0, 7.0], ["label 7.0", "n_classes=3"]),
    ([0.5, 1.0], ["whole numbers", "0.5"]),
    (["a", "b"], ["integers", "<U1"]),
    ([[0, 1]], ["(1, 2)", "(2, 3)"]),
], ids=["too-large", "negative", "float-too-large", "fraction", "strings", "shape"])
def test_cross_entropy_rejects_bad_labels(labels, words):
    logits = Value(np.zeros((2, 3)))
    with pytest.raises(ValueError) as err:
        nn.cross_entropy(logits, labels)
    for word in words:
        assert word in str(err.value)
    np.testing.assert_array_equal(logits.grad, np.zeros((2, 3)))


# ---- empty arrays -------------------------------------------------------------------------------
def test_sum_of_an_empty_array_is_zero_and_its_gradient_is_empty():
    x = Value(np.zeros((0, 3)))
    s = x.sum()
    assert float(s.data) == 0.0
    s.backward()
    assert x.grad.shape == (0, 3)
    rows = x.sum(axis=0)  # three sums of nothing
    np.testing.assert_array_equal(rows.data, [0.0, 0.0, 0.0])
    rows.backward(np.ones(3))
    assert x.grad.shape == (0, 3)


def test_elementwise_ops_and_matmul_on_empty_arrays():
    x = Value(np.zeros((0, 3)))
    y = (x * 2.0 + 1.0).exp().tanh()
    assert y.shape == (0, 3)
    y.backward(np.zeros((0, 3)))
    w = Value(np.ones((3, 2)))
    out = x @ w
    assert out.shape == (0, 2)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, np.zeros((3, 2)))  # sum over no rows
    e = Value(np.array([]))
    dot = e @ e
    assert float(dot.data) == 0.0
    dot.backward()
    assert e.grad.shape == (0,)


@pytest.mark.parametrize("method", ["max", "min"])
def test_max_min_of_nothing_raise_value_error_naming_the_op(method):
    x = Value(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"max: cannot apply to shapes \(0, 3\)"):
        getattr(x, method)(axis=0)


def test_softmax_family_over_an_empty_axis_is_empty_or_minus_inf_as_in_pytorch():
    x = Value(np.zeros((3, 0)))
    assert x.softmax(axis=1).shape == (3, 0) and x.log_softmax(axis=1).shape == (3, 0)
    np.testing.assert_array_equal(x.logsumexp(axis=1).data, [-np.inf] * 3)
    assert x.softmax(axis=0).shape == (3, 0)
    x.softmax(axis=1).sum().backward()
    assert x.grad.shape == (3, 0)


def test_mean_of_nothing_is_nan_with_numpys_warning():
    x = Value(np.zeros((0, 3)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = x.mean()
        cols = x.mean(axis=0)
    assert np.isnan(m.data)
    assert np.isnan(cols.data).all() and cols.shape == (3,)
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)
    cols.backward(np.ones(3))
    assert x.grad.shape == (0, 3)


def test_mse_loss_of_an_empty_batch_is_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        loss = nn.mse_loss(Value(np.zeros((0, 1))), np.zeros((0, 1)))
    assert np.isnan(loss.data)


def test_indexing_with_an_empty_list_gives_an_empty_result():
    v = Value(np.arange(3.0))
    out = v[[]]
    assert out.shape == (0,)
    out.sum().backward()
    np.testing.assert_array_equal(v.grad, [0.0, 0.0, 0.0])


def test_softmax_of_an_empty_batch_is_empty():
    x = Value(np.zeros((0, 4)))
    out = x.softmax(axis=-1)
    assert out.shape == (0, 4)
    out.backward(np.zeros((0, 4)))
    assert x.grad.shape == (0, 4)


# ---- backward twice, nn arguments -------------------------------------------------------------
def test_backward_twice_needs_no_retained_graph_and_adds_exactly():
    """Nothing is freed after backward (unlike PyTorch without retain_graph): a second
    call works and adds the same gradient again."""
    x = Value(np.array([0.5, -1.5]))
    y = (x.tanh() * x).sum()
    y.backward()
    once = np.copy(x.grad)
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * once)
    (g,) = grad(y, x)  # and grad() still works on the same graph
    np.testing.assert_array_equal(g.data, once)


@pytest.mark.parametrize("call, words", [
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((3, 2)), nn.mse_loss, opt, epochs=1),
     ["fit", "(4, 3)", "(3, 2)"]),
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((4, 2)), nn.mse_loss, opt, epochs=1,
                           batch_size=0), ["batch_size", "0"]),
    (lambda m, opt: nn.mse_loss(m(np.ones((4, 3))), np.ones((4, 2)), reduction="avg"),
     ["mse_loss", "'avg'"]),
    (lambda m, opt: nn.MLP([3]), ["MLP", "[3]"]),
    (lambda m, opt: nn.MLP([3, 0, 2]), ["positive integer", "0"]),
    (lambda m, opt: nn.Linear(2.5, 1), ["n_in", "2.5"]),
    (lambda m, opt: nn.MLP([3, 2], activation="nope"), ["'nope'", "relu"]),
    (lambda m, opt: nn.Perceptron(2).fit([[0, 0], [1, 1]], [0, 2]), ["label 2"]),
    (lambda m, opt: nn.fit(m, np.ones((0, 3)), np.ones((0, 2)), nn.mse_loss, opt, epochs=1,
                           batch_size=8), ["fit", "empty", "(0, 3)"]),
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((4, 2)), nn.mse_loss, opt, epochs=0),
     ["fit: epochs", "positive integer", "0"]),
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((4, 2)), nn.mse_loss,
                           SGD(nn.MLP([3, 2], rng=0).parameters(), lr=0.1), epochs=1),
     ["fit", "none of the parameters of MLP"]),
    (lambda m, opt: nn.fit(nn.Sequential(nn.Tanh()), np.ones((4, 3)), np.ones((4, 3)),
                           nn.mse_loss, opt, epochs=1), ["fit", "Sequential has no parameters"]),
    (lambda m, opt: nn.binary_cross_entropy(m(np.ones((4, 3))), np.ones((4, 2))),
     ["binary_cross_entropy", "[0, 1]", "got"]),
    (lambda m, opt: SGD([m(np.ones((4, 3)))], lr=0.1), ["SGD", "parameter 0", "not a leaf"]),
], ids=["fit-lengths", "fit-batch-size", "reduction", "mlp-one-size", "mlp-zero", "linear-float",
        "activation", "perceptron-label", "fit-empty", "fit-epochs", "fit-other-optimizer",
        "fit-no-parameters", "bce-logits-as-probabilities", "optimizer-non-leaf"])
def test_nn_arguments_are_checked_before_anything_changes(model, call, words):
    opt = SGD(model.parameters(), lr=0.5)
    before = snapshot(model.parameters())
    with pytest.raises(ValueError) as err:
        call(model, opt)
    for word in words:
        assert word in str(err.value)
    assert_unchanged(model.parameters(), before)


# ---- load_state_dict -------------------------------------------------------------------------
@pytest.fixture
def model():
    return nn.MLP([3, 4, 2], rng=0)


def _state(model, **changes):
    state = model.state_dict()
    for key, value in changes.items():
        key = key.replace("__", ".")
        if value is None:
            del state[key]
        else:
            state[key] = value
    return state


@pytest.mark.parametrize("change, words", [
    ({"layers__1__bias": None}, ["missing 'layers.1.bias'"]),
    ({"layers__9__weight": np.ones(2)}, ["unexpected 'layers.9.weight'"]),
    ({"layers__0__weight": np.ones((4, 3))}, ["'layers.0.weight' has shape (4, 3)",
                                               "(3, 4)"]),
    ({"layers__0__bias": np.array(["a"] * 4)}, ["'layers.0.bias'", "<U1"]),
    ({"layers__0__weight": None, "extra": np.ones(1), "layers__1__bias": np.ones(7)},
     ["missing 'layers.0.weight'", "unexpected 'extra'", "'layers.1.bias' has shape (7,)"]),
], ids=["missing", "unexpected", "misshaped", "not-numbers", "all-at-once"])
def test_load_state_dict_with_bad_entries_changes_no_weight(model, change, words):
    before = snapshot(model.parameters())
    state = _state(nn.MLP([3, 4, 2], rng=1), **change)  # other weights: would show a change
    with pytest.raises(ValueError) as err:
        model.load_state_dict(state)
    for word in words:
        assert word in str(err.value)
    assert "no parameter was changed" in str(err.value)
    assert_unchanged(model.parameters(), before)


def test_load_state_dict_accepts_a_good_state_after_a_bad_one(model):
    good = nn.MLP([3, 4, 2], rng=1).state_dict()
    with pytest.raises(ValueError):
        model.load_state_dict({**good, "extra": np.ones(1)})
    model.load_state_dict(good)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, good[name])


# ---- optimizers --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)], ids=["SGD", "Adam"])
def test_optimizer_step_with_a_mismatched_gradient_changes_no_parameter(model, make):
    params = model.parameters()
    opt = make(params)
    nn.mse_loss(model(np.ones((5, 3))), np.zeros((5, 2))).backward()
    opt.step()  # one good step, so momentum/moments exist
    model.zero_grad()
    nn.mse_loss(model(np.ones((5, 3))), np.zeros((5, 2))).backward()
    params[-1].data = np.zeros(7)  # the last parameter changes shape; its grad does not
    state = {k: ([np.copy(x) for x in v] if isinstance(v, list) else v)
             for k, v in vars(opt).items() if k != "params"}
    before = snapshot(params[:-1])
    with pytest.raises(ValueError) as err:
        opt.step()
    message = str(err.value)
    assert "parameter 3" in message and "(7,)" in message and "(2,)" in message
    assert "no parameter was changed" in message
    assert_unchanged(params[:-1], before)
    for key, value in state.items():  # momentum buffers, moments and the step count too
        now = getattr(opt, key)
        if isinstance(value, list):
            for x, y in zip(value, now):
                np.testing.assert_array_equal(x, y)
        else:
            assert now == value


@pytest.mark.parametrize("make, words", [
    (lambda ps: SGD(ps, lr=-0.1), ["lr", "-0.1"]),
    (lambda ps: SGD(ps, lr=0.1, momentum=-1.0), ["momentum"]),
    (lambda ps: Adam(ps, betas=(0.9, 1.0)), ["betas[1]", "1.0"]),
    (lambda ps: Adam(ps, eps=-1e-8), ["eps"]),
    (lambda ps: SGD([], lr=0.1), ["empty"]),
], ids=["negative-lr", "negative-momentum", "beta-one", "negative-eps", "no-params"])
def test_optimizer_arguments_out_of_range(model, make, words):
    with pytest.raises(ValueError) as err:
        make(model.parameters())
    for word in words:
        assert word in str(err.value)


def test_optimizer_rejects_things_that_are_not_parameters():
    with pytest.raises(TypeError, match="require grad"):
        SGD([Value(1.0), np.ones(3)], lr=0.1)
    with pytest.raises(TypeError, match="require grad"):
        Adam([Value(1.0, requires_grad=False)])


@pytest.mark.parametrize("call, message", [
    (lambda m, opt: SGD(m.layers[0].weight, lr=0.1),
     "SGD: params must be an iterable of Values, got a single Value of shape (3, 4); pass a "
     "list such as [w]"),
    (lambda m, opt: Adam(m), "Adam: params must be an iterable of Values, got the module MLP "
                             "itself; pass model.parameters()"),
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((4, 2)), nn.mse_loss, SGD, epochs=1),
     "fit: optimizer must be an optimizer object with zero_grad() and step(), such as "
     "SGD(model.parameters(), lr=0.1); got <class 'nn.optim.SGD'>"),
    (lambda m, opt: nn.fit(m, np.ones((4, 3)), np.ones((4, 2)), "mse", opt, epochs=1),
     "fit: loss_fn must be a function such as nn.mse_loss, got str"),
    (lambda m, opt: nn.fit(m, [["a"] * 3] * 4, np.ones((4, 2)), nn.mse_loss, opt, epochs=1),
     "fit: X must hold numbers, got dtype <U1"),
], ids=["optimizer-of-a-Value", "optimizer-of-a-module", "fit-optimizer-class",
        "fit-loss-string", "fit-string-X"])
def test_wrong_kinds_of_nn_arguments_raise_type_error_saying_what_to_pass(model, call,
                                                                          message):
    opt = Adam(model.parameters(), lr=0.1)
    before = snapshot(model.parameters())
    with pytest.raises(TypeError) as err:
        call(model, opt)
    assert str(err.value) == message
    assert_unchanged(model.parameters(), before)


# ---- weight files -------------------------------------------------------------------------------
@pytest.fixture
def saved(model, tmp_path):
    path = tmp_path / "model.npz"
    model.save(path)
    return path


def _load_fails(model, path, error, words):
    """Both ways of loading fail with `error` naming `words`; the weights stay as they were."""
    before = snapshot(model.parameters())
    for load in (nn.load_state, model.load):
        with pytest.raises(error) as err:
            load(path)
        for word in words:
            assert word in str(err.value)
    assert_unchanged(model.parameters(), before)


def test_a_saved_file_round_trips(model, saved):
    other = nn.MLP([3, 4, 2], rng=5).load(saved)
    for (_, p), (_, q) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("keep", [0.5, 0.95, 0.0], ids=["half", "most", "empty"])
def test_a_truncated_file_raises_value_error_naming_it(model, saved, keep):
    raw = saved.read_bytes()
    saved.write_bytes(raw[:int(len(raw) * keep)])
    _load_fails(model, saved, ValueError, [str(saved), "not a readable .npz file"])


def test_a_file_with_the_wrong_keys(model, tmp_path):
    path = tmp_path / "other.npz"
    nn.MLP([3, 5, 2], rng=0).save(path)  # same names, other shapes
    _load_fails_into(model, path, ["'layers.0.weight' has shape (3, 5)", "(3, 4)"])
    path = tmp_path / "renamed.npz"
    np.savez(path, **{f"net.{k}": v for k, v in model.state_dict().items()})
    _load_fails_into(model, path, ["missing 'layers.0.weight'",
                                   "unexpected 'net.layers.0.weight'"])


def _load_fails_into(model, path, words):
    before = snapshot(model.parameters())
    with pytest.raises(ValueError) as err:
        model.load(path)
    for word in words:
        assert word in str(err.value)
    assert_unchanged(model.parameters(), before)


class _Boom:
    """Unpickling this creates a marker directory: proof that a file was unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


@pytest.mark.parametrize("kind", ["pickle", "object-array-in-npz"])
def test_files_that_hold_pickled_objects_are_refused_and_never_unpickled(model, tmp_path,
                                                                         kind):
    marker = tmp_path / "unpickled"
    path = tmp_path / "evil.npz"
    if kind == "pickle":
        path.write_bytes(pickle.dumps({"layers.0.weight": _Boom(marker)}))
    else:
        np.savez(path, **{"layers.0.weight": np.array([_Boom(marker)], dtype=object)})
    _load_fails(model, path, ValueError, ["pickled", "refusing", str(path)])
    assert not marker.exists()


@pytest.mark.parametrize("content, words", [
    (b"layers.0.weight = [1, 2, 3]\n", ["is not an .npz archive", "Module.save"]),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), ["is not an .npz archive", "PNG"]),
], ids=["text", "png"])
def test_a_file_that_is_no_archive_is_not_called_pickled(model, tmp_path, content, words):
    path = tmp_path / "weights.npz"
    path.write_bytes(content)
    _load_fails(model, path, ValueError, [str(path), *words])
    with pytest.raises(ValueError) as err:
        nn.load_state(path)
    assert "pickled" not in str(err.value)


def test_a_file_with_an_unexpected_member_is_rejected_before_reading_it(model, tmp_path):
    """The extra member declares 2 GiB and holds 8 bytes: reading it would say "damaged"."""
    path = tmp_path / "extra.npz"
    nn.MLP([3, 4, 2], rng=1).save(path)
    import zipfile
    with zipfile.ZipFile(path, "a") as archive, archive.open("extra.npy", "w") as member:
        np.lib.format.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (1 << 28,)})
        member.write(bytes(8))
    _load_fails_into(model, path, ["unexpected 'extra'", "no parameter was changed"])
    with pytest.raises(ValueError, match="damaged: 'extra' declares shape"):
        nn.load_state(path)


def test_a_single_array_file_and_a_missing_file(model, tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.ones(3))
    _load_fails(model, path, ValueError, ["single array", str(path)])
    _load_fails(model, tmp_path / "nothing.npz", FileNotFoundError, ["nothing.npz"])


def test_drawing_without_the_graphviz_package_says_how_to_install_it(monkeypatch):
    """autograd imports and runs without the graphviz package; drawing names what is
    missing instead of failing at import."""
    from autograd import viz
    monkeypatch.setattr(viz, "graphviz", None)
    y = Value(2.0) * 3.0
    for draw in (lambda: autograd.draw_graph(y), lambda: autograd.save_graph(y, "g.svg")):
        with pytest.raises(ImportError, match="pip install graphviz") as err:
            draw()
        assert "_graph" in str(err.value)
