"""Optimizers against hand-computed numpy steps and against torch.optim, step for step."""
import numpy as np
import pytest

import nn
from autograd import Value
from nn.optim import SGD, Adam

A = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
B = np.array([[0.5, 1.0, -1.0], [2.0, 1.0, 0.0]])
W0 = np.array([[0.3, -0.1, 0.8], [-0.5, 0.2, 0.1]])
S0 = 1.5


def _loss(w, s, a=A, b=B):
    """sum((w * a - b)^2) + 3 s^2: gradients 2 a (w a - b) and 6 s."""
    return ((w * a - b) ** 2).sum() + 3 * s * s


def _grads(w, s):
    return 2 * A * (w * A - B), 6 * s


def _run(optimizer_cls, steps=3, **options):
    """Parameters after each of `steps` steps with our optimizer (W array, s scalar)."""
    w, s = Value(W0), Value(S0)
    optimizer = optimizer_cls([w, s], **options)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        _loss(w, s).backward()
        optimizer.step()
        assert type(s.data) is float       # a scalar parameter stays a Python float
        trajectory.append((w.data.copy(), s.data))
    return trajectory


def _sgd_by_hand(lr, momentum, weight_decay, steps=3):
    w, s = W0.copy(), S0
    vw, vs = np.zeros_like(w), 0.0
    trajectory = []
    for t in range(steps):
        gw, gs = _grads(w, s)
        gw, gs = gw + weight_decay * w, gs + weight_decay * s
        vw = gw if t == 0 else momentum * vw + gw
        vs = gs if t == 0 else momentum * vs + gs
        w, s = w - lr * vw, s - lr * vs
        trajectory.append((w, s))
    return trajectory


def _adam_by_hand(lr, betas, eps, weight_decay, steps=3):
    b1, b2 = betas
    params = [W0.copy(), np.array(S0)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    trajectory = []
    for t in range(1, steps + 1):
        grads = _grads(*params)
        for i, g in enumerate(grads):
            g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g ** 2
            m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        trajectory.append((params[0], float(params[1])))
    return trajectory


def _assert_same(ours, expected, rtol=1e-12):
    # atol: Adam moves W[1, 2] from 0.1 to 5e-9, so its last digits are cancellation noise
    for step, ((w, s), (w_ref, s_ref)) in enumerate(zip(ours, expected)):
        np.testing.assert_allclose(w, w_ref, rtol=rtol, atol=1e-15, err_msg=f"step {step + 1}")
        assert s == pytest.approx(s_ref, rel=rtol), f"step {step + 1}"


SGD_CASES = [dict(lr=0.1, momentum=0.0, weight_decay=0.0),
             dict(lr=0.05, momentum=0.9, weight_decay=0.0),
             dict(lr=0.05, momentum=0.9, weight_decay=0.1),
             dict(lr=0.02, momentum=0.0, weight_decay=0.5)]
ADAM_CASES = [dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
              dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.2)]


@pytest.mark.parametrize("options", SGD_CASES)
def test_sgd_matches_hand_computed_steps(options):
    _assert_same(_run(SGD, **options), _sgd_by_hand(**options))


@pytest.mark.parametrize("options", ADAM_CASES)
def test_adam_matches_hand_computed_steps(options):
    _assert_same(_run(Adam, **options), _adam_by_hand(**options))


def test_adam_first_step_moves_each_parameter_by_lr():
    # With bias correction m_hat = g and v_hat = g^2 at t = 1, so the step is lr * sign(g)
    # (W[1, 1] has gradient 0: it stays).
    (w, s), = _run(Adam, steps=1, lr=0.01, eps=1e-300)
    np.testing.assert_allclose(w, W0 - 0.01 * np.sign(_grads(W0, S0)[0]), rtol=1e-12)
    assert s == pytest.approx(S0 - 0.01)


def _torch_run(torch, optimizer_name, steps=3, **options):
    w = torch.tensor(W0, requires_grad=True)
    s = torch.tensor(S0, dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, optimizer_name)([w, s], **options)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        _loss(w, s, torch.tensor(A), torch.tensor(B)).backward()
        optimizer.step()
        trajectory.append((w.detach().numpy().copy(), s.item()))
    return trajectory


@pytest.mark.parametrize("name, cls, options",
                         [("SGD", SGD, o) for o in SGD_CASES]
                         + [("Adam", Adam, o) for o in ADAM_CASES])
def test_optimizers_match_torch_step_for_step(name, cls, options):
    torch = pytest.importorskip("torch")
    _assert_same(_run(cls, steps=5, **options), _torch_run(torch, name, steps=5, **options),
                 rtol=1e-10)


@pytest.mark.parametrize("cls", [SGD, Adam])
@pytest.mark.parametrize("data, kind", [(3.0, float), (np.array(3.0), np.ndarray),
                                        (np.array([3.0]), np.ndarray)],
                         ids=["float", "0-d", "1-d"])
def test_a_step_keeps_the_kind_of_the_data(cls, data, kind):
    """A scalar stays a Python float and a tensor (0-d too) a read-only ndarray."""
    p = Value(data)
    (p * p).sum().backward()  # gradient 6
    cls([p], lr=0.1).step()
    assert isinstance(p.data, kind)
    np.testing.assert_allclose(p.data, 3.0 - 0.1 * (6.0 if cls is SGD else 1.0))
    if kind is np.ndarray:
        assert not p.data.flags.writeable


def test_step_on_a_model_updates_every_parameter_by_its_gradient():
    model = nn.MLP([3, 4, 2], rng=0)
    before = model.state_dict()
    loss = nn.mse_loss(model(np.ones((5, 3))), np.zeros((5, 2)))
    optimizer = SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    optimizer.step()
    for (name, p), g in zip(model.named_parameters(), grads):
        np.testing.assert_allclose(p.data, before[name] - 0.1 * g, rtol=1e-12)


def test_a_graph_from_before_a_step_never_gives_a_wrong_gradient():
    w = Value(np.array([1.0, 2.0]))
    loss = (w * w).sum()             # built with the old data
    w.grad = np.array([1.0, 1.0])
    SGD([w], lr=0.5).step()
    np.testing.assert_array_equal(w.data, [0.5, 1.5])
    w.zero_grad()
    try:                             # API.md: a clear error, or the gradient at the old data
        loss.backward()
    except RuntimeError as err:
        assert "new data" in str(err)
    else:
        np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_a_bad_gradient_shape_fails_before_any_parameter_changes():
    good, bad = Value(np.ones(3)), Value(np.ones(2), name="b")
    good.grad, bad.grad = np.ones(3), np.ones(2)
    bad.data = np.ones(4)            # replaced after backward: grad no longer fits
    for optimizer in (SGD([good, bad], lr=0.1, momentum=0.9), Adam([good, bad])):
        with pytest.raises(ValueError, match=r"parameter 1 'b' .*\(4,\).*\(2,\).*no "
                                             r"parameter was changed"):
            optimizer.step()
        np.testing.assert_array_equal(good.data, np.ones(3))


def test_stale_optimizer_state_is_caught():
    p = Value(np.ones(3))
    optimizer = Adam([p])
    p.data = np.ones(5)
    p.grad = np.ones(5)
    with pytest.raises(ValueError, match=r"optimizer state has shape \(3,\)"):
        optimizer.step()


def test_parameter_checks():
    w = Value(np.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Values that require grad"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="Values that require grad"):
        Adam([Value(1.0, requires_grad=False)])
    with pytest.raises(ValueError, match="lr must be >= 0"):
        SGD([w], lr=-1)
    with pytest.raises(ValueError, match=r"betas\[1\] must be \[0.0, 1.0\)"):
        Adam([w], betas=(0.9, 1.0))
    assert len(SGD([w, w], lr=0.1).params) == 1   # listed twice, stepped once


def test_zero_grad_resets_the_optimizers_parameters():
    w = Value(np.ones(2))
    (w * 3).sum().backward()
    optimizer = Adam([w])
    optimizer.zero_grad()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])


# ---- parameters without a gradient this step: skipped, as in PyTorch -------------------------
U0 = np.array([0.7, -1.2])
F0 = np.array([[0.4, -0.6]])
USES_U = (2, 3, 5)   # u is left out of the loss on the other steps (Adam's t counts its own)
FREEZE_AT = 2        # f gets requires_grad=False from this step on


def _gappy_run(make_optimizer, tensor, freeze, steps=6):
    """Parameters after each step when u has no gradient on some steps and f is frozen
    after the optimizer was made. `tensor(array, requires_grad)` makes a Value or a torch
    tensor, `freeze(p)` sets its requires_grad to False."""
    w, s, u, f = (tensor(x, requires_grad=True) for x in (W0, np.array(S0), U0, F0))
    a, b = tensor(A, requires_grad=False), tensor(B, requires_grad=False)
    optimizer = make_optimizer([w, s, u, f])
    trajectory = []
    for step in range(steps):
        if step == FREEZE_AT:
            freeze(f)
        optimizer.zero_grad()
        loss = _loss(w, s, a, b) + (f * w[:1, :2]).sum()
        if step in USES_U:
            loss = loss + (u * u * u).sum()
        loss.backward()
        optimizer.step()
        trajectory.append([np.array(x.detach().numpy()) for x in (w, s, u, f)])
    return trajectory


GAPPY_CASES = [("SGD", dict(lr=0.05)), ("SGD", dict(lr=0.05, momentum=0.9)),
               ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1)),
               ("SGD", dict(lr=0.02, weight_decay=0.5)),
               ("Adam", dict(lr=0.1)), ("Adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3,
                                                      weight_decay=0.2))]


@pytest.mark.parametrize("name, options", GAPPY_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(GAPPY_CASES)])
def test_parameters_without_a_gradient_follow_torch_step_for_step(torch, name, options):
    """A parameter the loss did not use since zero_grad(), or frozen with requires_grad=False
    after the optimizer was made, keeps its data, momentum and Adam moments and step count."""
    ours = _gappy_run(lambda ps: {"SGD": SGD, "Adam": Adam}[name](ps, **options),
                      lambda a, requires_grad: Value(float(a) if a.ndim == 0 else a,
                                                     requires_grad=requires_grad),
                      lambda v: setattr(v, "requires_grad", False))
    theirs = _gappy_run(lambda ps: getattr(torch.optim, name)(ps, **options),
                        torch.tensor,
                        lambda t: t.requires_grad_(False))
    for step, (mine, ref) in enumerate(zip(ours, theirs)):
        for label, x, y in zip("wsuf", mine, ref):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-15,
                                       err_msg=f"{name} {options} step {step + 1}: {label}")
    assert np.array_equal(ours[0][2], U0) and np.array_equal(ours[1][2], U0)  # u waited
    assert not np.array_equal(ours[2][2], U0)                               # then moved
    assert np.array_equal(ours[-1][3], ours[FREEZE_AT - 1][3])              # f stayed


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
                                  lambda ps: Adam(ps, lr=0.1, weight_decay=0.1)],
                         ids=["SGD", "Adam"])
def test_a_skipped_parameter_keeps_its_data_object_and_its_state(make):
    used, unused, frozen = Value(np.ones(2)), Value(np.ones(3)), Value(2.0)
    optimizer = make([used, unused, frozen])
    (used * frozen).sum().backward()   # frozen gets a gradient, then is frozen before step
    frozen.requires_grad = False
    before = {k: [np.copy(x) if x is not None else None for x in v]
              for k, v in vars(optimizer).items() if k in ("velocity", "m", "v", "steps")}
    data = unused._data  # the array itself (.data hands out a new read-only view each time)
    optimizer.step()
    assert unused._data is data and frozen.data == 2.0      # not even a new array
    assert not np.array_equal(used.data, np.ones(2))
    for key, values in before.items():
        for i in (1, 2):
            np.testing.assert_array_equal(getattr(optimizer, key)[i], values[i])
    if isinstance(optimizer, Adam):
        assert optimizer.steps == [1, 0, 0]


def test_explicit_zero_gradients_still_step_as_in_torch():
    """A gradient of zeros is a gradient (the loss used the parameter): weight decay and
    momentum still act on it. Only "no gradient at all" is skipped."""
    p = Value(np.array([1.0, -2.0]))
    (p * 0.0).sum().backward()
    assert p._grad is not None
    SGD([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [1.0 - 0.05, -2.0 + 0.1])


@pytest.mark.parametrize("cls", [SGD, Adam])
@pytest.mark.parametrize("params, error, words", [
    (lambda: Value(np.ones((3, 2))), TypeError, ["single Value of shape (3, 2)", "[w]"]),
    (lambda: Value(1.5), TypeError, ["single Value of shape ()", "[w]"]),
    (lambda: nn.MLP([2, 3, 1], rng=0), TypeError, ["module MLP", "model.parameters()"]),
    (lambda: nn.Linear(2, 1, rng=0), TypeError, ["module Linear", "model.parameters()"]),
    (lambda: 3.0, TypeError, ["iterable of Values", "got float"]),
    (lambda: [Value(np.ones(2)) * 2.0], ValueError, ["parameter 0", "'mul'", "not a leaf"]),
    (lambda: [Value(1.0), Value(np.ones((2, 2))).T], ValueError, ["parameter 1", "(2, 2)",
                                                                  "'transpose'"]),
], ids=["Value", "scalar-Value", "module", "module-with-no-len", "number", "non-leaf",
        "non-leaf-second"])
def test_optimizers_reject_what_is_not_a_list_of_leaf_parameters(cls, params, error, words):
    with pytest.raises(error) as err:
        cls(params(), lr=0.1)
    assert str(err.value).startswith(cls.__name__ + ": ")
    for word in words:
        assert word in str(err.value)
