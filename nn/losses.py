"""Loss functions, and the same losses as modules (`nn.MSELoss()(pred, target)`).

Every loss takes `reduction`: "mean" (default), "sum", or "none" for the per-element (per
row, for cross-entropy) losses. Predictions are Values; targets may be Values, numpy arrays,
lists or numbers. A target that is not a Value is converted to the prediction's dtype, so a
float32 model keeps a float32 loss. Shapes must match exactly: broadcasting a (N, 1)
prediction against a (N,) target would silently compare every pair.
"""
from __future__ import annotations

import numpy as np

from autograd import Value, maximum, where

from .module import Module

_REDUCTIONS = ("mean", "sum", "none")

# binary_cross_entropy follows PyTorch: each log term is clamped at BCE_LOG_FLOOR, so p = 0
# or 1 gives a finite loss, and the gradient (p - t) / (p (1 - p)) has its denominator
# clamped at BCE_GRAD_EPS, so it stays finite there too.
BCE_LOG_FLOOR = -100.0
BCE_GRAD_EPS = 1e-12


def _check_reduction(reduction: str, name: str) -> None:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: unknown reduction {reduction!r}; valid are "
                         f"{', '.join(map(repr, _REDUCTIONS))} (the loss's other options, "
                         "such as weight, are keyword arguments)")


def _reduce(loss: Value, reduction: str, name: str, negate: bool = False) -> Value:
    """The per-element `loss` (or -loss, with `negate`) averaged, summed or left as is.

    Negative log-likelihoods pass the log-likelihood and `negate`: for "mean" the sign
    then rides on the 1/n scale factor, one graph node fewer on the hot path. Otherwise
    "mean" is `loss.mean()`, which graph drawings show as one `mean` op.
    """
    _check_reduction(reduction, name)
    if reduction == "mean":
        if loss.size == 0:  # as numpy: the mean of nothing is nan
            return loss.sum() * float("nan")
        return loss.sum() * (-1.0 / loss.size) if negate else loss.mean()
    total = loss.sum() if reduction == "sum" else loss
    return -total if negate else total


def _as_target(target, like: Value):
    """A non-Value target as an array of the prediction's dtype (a float for a scalar)."""
    if isinstance(target, Value):
        return target
    arr = np.asarray(target, dtype=like.dtype)
    return float(arr) if type(like.data) is float and arr.shape == () else arr


def _check_same_shape(name: str, pred: Value, target) -> None:
    shape = target.shape if isinstance(target, Value) else np.shape(target)
    if pred.shape != shape:
        raise ValueError(f"{name}: prediction of shape {pred.shape} and target of shape "
                         f"{shape} must match (reshape one of them)")


def mse_loss(pred: Value, target, reduction: str = "mean") -> Value:
    """Mean squared error: (pred - target)^2, averaged ("mean"), summed ("sum") or not.

    >>> mse_loss(Value([1.0, 2.0]), [1.0, 4.0]).item()
    2.0
    """
    target = _as_target(target, pred)
    _check_same_shape("mse_loss", pred, target)
    diff = pred - target
    return _reduce(diff * diff, reduction, "mse_loss")


def binary_cross_entropy(prob: Value, target, reduction: str = "mean") -> Value:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1] (e.g. a sigmoid output).

    As in PyTorch: each log term is clamped at -100, so p = 0 or 1 gives a finite loss
    (100 for a certainly wrong prediction), and the gradient is (p - t) / max(p (1 - p),
    1e-12): a confidently wrong p = 1e-8 for t = 1 gets -1e8 and learns, p = 0 gets -1e12.
    Where p (1 - p) >= 1e-12 that is the exact derivative; nearer 0 or 1 the loss is the
    clamped one and the gradient PyTorch's (there its second derivative is 0). A p outside
    [0, 1], or nan, raises ValueError. `binary_cross_entropy_with_logits` on the raw
    scores needs none of this and is more accurate.
    """
    name = "binary_cross_entropy"
    target = _as_target(target, prob)
    _check_same_shape(name, prob, target)
    p = prob.data  # a float for a scalar Value, so the loss stays a float
    outside = ~((np.asarray(p) >= 0) & (np.asarray(p) <= 1))  # nan too
    if outside.any():
        bad = np.asarray(p)[outside].flat[0].item()
        raise ValueError(f"{name}: probabilities must lie in [0, 1], got {bad!r} (apply "
                         "sigmoid first, or pass the raw scores to "
                         "binary_cross_entropy_with_logits)")
    exact = p * (1 - p) >= BCE_GRAD_EPS
    if np.all(exact):  # the usual case: no log is near its clamp
        log_likelihood = target * prob.log() + (1 - target) * (1 - prob).log()
    else:
        t = np.asarray(target.data if isinstance(target, Value) else target)
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped at once
            log_p = np.maximum(np.log(p), BCE_LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), BCE_LOG_FLOOR)
        # Near 0 and 1: the clamped value (prob - p is exactly 0) with PyTorch's slope.
        edge = (target * log_p + (1 - target) * log_q
                - (prob - p) * ((p - t) / BCE_GRAD_EPS))
        safe = where(exact, prob, 0.5)  # keeps log(0) out of the graph (and of anomaly mode)
        exact_part = target * safe.log() + (1 - target) * (1 - safe).log()
        log_likelihood = where(exact, exact_part, edge)
    return _reduce(log_likelihood, reduction, name, negate=True)


def binary_cross_entropy_with_logits(logits: Value, target, reduction: str = "mean") -> Value:
    """Binary cross-entropy of sigmoid(logits), computed stably from the logits x.

    Uses max(x, 0) - x t + log(1 + exp(-|x|)), equal to -(t log s + (1 - t) log(1 - s))
    with s = sigmoid(x), where exp never overflows: finite for logits of +-1000 too.
    """
    target = _as_target(target, logits)
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    # maximum() rather than relu(): at x == 0 it splits the gradient 1/2 : 1/2, and the
    # log term's gradient is 0 there (|x| has slope 0 at 0), so the total is the exact
    # sigmoid(0) - t. relu's slope 0 at 0 would give -t.
    loss = maximum(logits, 0.0) - logits * target + ((-logits.abs()).exp() + 1).log()
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def cross_entropy(logits: Value, target, reduction: str = "mean", *, weight=None,
                  ignore_index: int = -100, label_smoothing: float = 0.0) -> Value:
    """Softmax cross-entropy of `logits` of shape (..., C) against `target`, which is either

    - class indices, one per row: shape logits.shape[:-1], integers in [0, C) (rows whose
      label is `ignore_index` add nothing, and "mean" averages over the others); or
    - probability rows (one-hot or soft labels): the same shape as `logits`.

    The loss of a row is -log softmax(logits)[class], or -sum(target * log softmax(logits)).
    log_softmax subtracts the row's max first, so logits of 1e4 stay finite. As in PyTorch,
    `weight` (C,) weighs each class (with class indices, "mean" divides by the summed weights
    of the rows), and `label_smoothing` = e mixes the target with the uniform distribution:
    (1 - e) * target + e / C. The class axis is the last (PyTorch's is 1: the same for
    (N, C) logits).

    >>> cross_entropy(Value([[2.0, 0.0], [0.0, 2.0]]), [0, 1]).item()  # -log(e^2/(e^2+1))
    0.1269280110429727
    """
    name = "cross_entropy"
    if logits.ndim < 1:
        raise ValueError(f"{name}: logits need a class axis, got shape {logits.shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    log_probs = logits.log_softmax(axis=-1)
    t = target.data if isinstance(target, Value) else np.asarray(target)
    if t.shape == logits.shape:
        target = _as_target(target, logits)
        if label_smoothing:
            target = target * (1.0 - label_smoothing) + label_smoothing / logits.shape[-1]
        if weight is not None:
            target = target * _class_weights(name, weight, logits)
        return _reduce((target * log_probs).sum(axis=-1), reduction, name, negate=True)
    if t.shape != logits.shape[:-1]:
        raise ValueError(f"{name}: target of shape {t.shape} fits logits of shape "
                         f"{logits.shape} neither as class indices (shape "
                         f"{logits.shape[:-1]}) nor as probability rows (shape {logits.shape})")
    return _nll(name, log_probs, t, weight, ignore_index, reduction, label_smoothing)


def nll_loss(input: Value, target, reduction: str = "mean", *, weight=None,
             ignore_index: int = -100) -> Value:
    """The negative log-likelihood of class indices `target` (shape input.shape[:-1]) under
    log-probabilities `input` (..., C): -input[row, target[row]], weighted by `weight[class]`
    if given; rows labelled ignore_index add nothing. "mean" divides by the summed weights
    (the number of rows that count, without weights). cross_entropy is nll_loss of
    log_softmax. The class axis is the last, as in `cross_entropy`.

    >>> nll_loss(Value([[-0.1, -2.4], [-1.2, -0.4]]), [0, 1]).item()  # (0.1 + 0.4) / 2
    0.25
    """
    name = "nll_loss"
    t = target.data if isinstance(target, Value) else np.asarray(target)
    if input.ndim < 1 or t.shape != input.shape[:-1]:
        raise ValueError(f"{name}: target of shape {t.shape} does not fit input of shape "
                         f"{input.shape}: it needs one class index per row, shape "
                         f"{input.shape[:-1]}")
    return _nll(name, input, t, weight, ignore_index, reduction)


def _nll(name: str, log_probs: Value, t: np.ndarray, weight, ignore_index: int,
         reduction: str, smoothing: float = 0.0) -> Value:
    """-log_probs at the labels t, weighted, ignoring, smoothed (see cross_entropy)."""
    _check_reduction(reduction, name)
    ignored = t == ignore_index if t.dtype.kind in "biuf" else np.zeros(t.shape, bool)
    labels = _class_indices(np.where(ignored, 0, t) if ignored.any() else t, log_probs.shape,
                            name)
    rows = np.indices(t.shape, sparse=True)
    log_likelihood = log_probs[(*rows, labels)]
    if weight is None and not ignored.any() and not smoothing:
        return _reduce(log_likelihood, reduction, name, negate=True)
    counts = ~ignored  # each row's weight: 0 if ignored, else its class's weight (or 1)
    class_weights = None if weight is None else _class_weights(name, weight, log_probs)
    row_weights = counts if class_weights is None else class_weights[labels] * counts
    log_likelihood = log_likelihood * row_weights.astype(log_probs.dtype)
    if smoothing:  # the uniform target's part: each class's log-probability, weighted
        spread = (log_probs if class_weights is None else log_probs * class_weights).sum(-1)
        log_likelihood = (log_likelihood * (1.0 - smoothing)
                          + spread * (counts * (smoothing / log_probs.shape[-1])).astype(
                              log_probs.dtype))
    if reduction != "mean":
        return _reduce(log_likelihood, reduction, name, negate=True)
    total = float(np.sum(row_weights))  # all rows ignored: 0 / 0 = nan, as in PyTorch
    return log_likelihood.sum() * (-1.0 / total if total else float("nan"))


def _class_weights(name: str, weight, like: Value) -> np.ndarray:
    """The per-class weights as an array of the logits' dtype, shape (C,): constants."""
    weight = np.asarray(weight.data if isinstance(weight, Value) else weight, like.dtype)
    if weight.shape != like.shape[-1:]:
        raise ValueError(f"{name}: weight of shape {weight.shape} needs one entry per class, "
                         f"shape {like.shape[-1:]}")
    return weight


def _class_indices(t: np.ndarray, shape: tuple, name: str = "cross_entropy") -> np.ndarray:
    """t checked to hold whole numbers in [0, n_classes), as an integer array."""
    n_classes = shape[-1]
    if t.dtype.kind not in "biuf":
        raise ValueError(f"{name}: class labels must be integers, got dtype {t.dtype}")
    if t.dtype.kind == "f" and not np.array_equal(t, np.round(t)):
        raise ValueError(f"{name}: class labels must be whole numbers; got "
                         f"{t[t != np.round(t)].flat[0].item()!r}")
    bad = (t < 0) | (t >= n_classes)
    if bad.any():
        raise ValueError(f"{name}: label {t[bad].flat[0].item()!r} is out of range for "
                         f"n_classes={n_classes} (labels run from 0 to {n_classes - 1})")
    return t.astype(np.intp, copy=False)


class _Loss(Module):
    """A loss function as a module: `loss = Loss(reduction)(pred, target)`."""

    function = None  # set by each subclass

    def __init__(self, reduction: str = "mean", **options):
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction
        self.options = options  # the function's keyword arguments

    def forward(self, pred: Value, target) -> Value:
        return type(self).function(pred, target, self.reduction, **self.options)

    def __repr__(self):
        options = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}(reduction={self.reduction!r}{options})"


class MSELoss(_Loss):
    """`mse_loss` as a module."""
    function = mse_loss


class BCELoss(_Loss):
    """`binary_cross_entropy` (on probabilities) as a module."""
    function = binary_cross_entropy


class BCEWithLogitsLoss(_Loss):
    """`binary_cross_entropy_with_logits` as a module."""
    function = binary_cross_entropy_with_logits


class CrossEntropyLoss(_Loss):
    """`cross_entropy` (on logits, with class indices or probability rows) as a module."""
    function = cross_entropy

    def __init__(self, reduction: str = "mean", *, weight=None, ignore_index: int = -100,
                 label_smoothing: float = 0.0):
        super().__init__(reduction, **_options(weight, ignore_index, label_smoothing))


class NLLLoss(_Loss):
    """`nll_loss` (on log-probabilities, with class indices) as a module."""
    function = nll_loss

    def __init__(self, reduction: str = "mean", *, weight=None, ignore_index: int = -100):
        super().__init__(reduction, **_options(weight, ignore_index))


def _options(weight=None, ignore_index: int = -100, label_smoothing: float = 0.0) -> dict:
    """The keyword arguments that differ from the defaults (the repr shows just those)."""
    options = {} if weight is None else {"weight": np.asarray(weight)}
    if ignore_index != -100:
        options["ignore_index"] = ignore_index
    if label_smoothing:
        options["label_smoothing"] = label_smoothing
    return options
