"""Dropout, batch/layer/group norm, embedding, attention and the new losses as layers: values
and gradients against PyTorch, train()/eval(), buffers saved and loaded, conversions."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Value
from autograd.mode import ShapeError

TOL = dict(rtol=1e-10, atol=1e-12)


def randomized(model, seed=1):
    """Every parameter drawn at random: ones and zeros would hide a swapped weight and bias."""
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data = rng.standard_normal(p.shape).astype(p.dtype)
    return model


def torch_grads(net):
    """Each parameter's gradient (zeros where the output did not depend on it: torch's None)."""
    return {name: np.zeros(p.shape) if p.grad is None else p.grad.numpy()
            for name, p in net.named_parameters()}


def assert_same_outputs_and_grads(model, net, torch, *inputs):
    """model(*inputs) and net(*inputs) agree, and so do the gradients of a random projection
    of the output with respect to the parameters and the inputs."""
    values = [Value(x) if x.dtype.kind == "f" else x for x in inputs]
    tensors = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    out, ref = model(*values), net(*tensors)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    upstream = np.random.default_rng(2).standard_normal(out.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    mapped = _grads_in_torch_layout(model, torch)
    for name, grad in torch_grads(net).items():
        np.testing.assert_allclose(mapped[name], grad, err_msg=name, **TOL)
    for v, t in zip(values, tensors):
        if isinstance(v, Value):
            np.testing.assert_allclose(v.grad, t.grad.numpy(), **TOL)


def _grads_in_torch_layout(model, torch):
    """Our .grad of each parameter under torch's name and layout (to_torch with grads as data)."""
    saved = {id(p): p.data for p in model.parameters()}
    for p in model.parameters():
        p.data = p.grad
    try:
        return {name: t.detach().numpy() for name, t in nn.to_torch(model).named_parameters()}
    finally:
        for p in model.parameters():
            p.data = saved[id(p)]


# ---- train() and eval() -------------------------------------------------------------------------
def test_train_and_eval_set_every_module_and_return_it():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Dropout(0.5),
                          nn.Sequential(nn.BatchNorm1d(3), nn.ReLU()))
    assert model.training and all(m.training for _, m in model.named_modules())
    assert model.eval() is model
    assert not any(m.training for _, m in model.named_modules())
    assert model.train() is model and all(m.training for _, m in model.named_modules())
    model[2].eval()
    assert model.training and not model[2][0].training and model[1].training
    with pytest.raises(ValueError, match="bool"):
        model.train("no")


def test_dropout_follows_the_mode_and_scales_what_it_keeps():
    x = Value(np.ones((200, 50)))
    layer = nn.Dropout(0.3, rng=0)
    out = layer(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 10,000 draws: 0.7 +- 0.005 (one sd)
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    assert layer.eval()(x) is x
    assert F.dropout(x, 0.3, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, 0.0)


def test_dropout_is_reproducible_and_its_gradient_is_the_mask():
    x = Value(np.arange(12.0).reshape(3, 4))
    a = F.dropout(x, 0.5, generator=3)
    np.testing.assert_array_equal(a.data, F.dropout(x, 0.5, rng=np.random.default_rng(3)).data)
    autograd.manual_seed(5)
    b = F.dropout(x, 0.5)
    autograd.manual_seed(5)
    np.testing.assert_array_equal(b.data, F.dropout(x, 0.5).data)
    a.backward(np.ones(a.shape))
    keep = np.random.default_rng(3).random((3, 4)) >= 0.5  # as autograd.rand draws it
    np.testing.assert_array_equal(x.grad, keep * 2.0)
    first, second = nn.Dropout(0.5, rng=7), nn.Dropout(0.5, rng=7)
    np.testing.assert_array_equal(first(x).data, second(x).data)
    assert not np.array_equal(first(x).data, F.dropout(x, 0.5, generator=8).data)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)


def test_compile_refuses_what_a_replay_would_skip_and_replays_evaluation():
    x = Value(np.random.default_rng(0).standard_normal((4, 3)))
    for layer, words in [(nn.Dropout(0.5), "dropout draws a new random mask"),
                         (nn.BatchNorm1d(3), "batch_norm updates its running statistics")]:
        step = autograd.compile(lambda x, layer=layer: layer(x).sum())
        with pytest.raises(RuntimeError, match=words):
            step(x)
        layer.eval()
        step = autograd.compile(lambda x, layer=layer: layer(x).sum())
        assert step(x).item() == pytest.approx(layer(x).sum().item(), rel=1e-12)
        assert step(x).item() == pytest.approx(layer(x).sum().item(), rel=1e-12)  # replayed


# ---- batch norm: running statistics, buffers ------------------------------------------------------
@pytest.mark.parametrize("cls, shape, momentum", [
    ("BatchNorm1d", (6, 3), 0.1), ("BatchNorm1d", (5, 3, 4), 0.3),
    ("BatchNorm2d", (4, 3, 2, 3), None)])
def test_batch_norm_trains_and_evaluates_as_torch(cls, shape, momentum, torch):
    model = randomized(getattr(nn, cls)(3, momentum=momentum))
    net = getattr(torch.nn, cls)(3, momentum=momentum, dtype=torch.float64)
    net.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    rng = np.random.default_rng(0)
    for step in range(3):
        x = rng.standard_normal(shape) * 2 + 1
        assert_same_outputs_and_grads(model, net, torch, x)
        model.zero_grad(), net.zero_grad()
    for name, buffer in net.named_buffers():
        np.testing.assert_allclose(getattr(model, name), buffer.numpy(), **TOL)
    assert model.num_batches_tracked == 3
    model.eval(), net.eval()
    x = rng.standard_normal(shape)
    assert_same_outputs_and_grads(model, net, torch, x)
    np.testing.assert_array_equal(model.num_batches_tracked, 3)  # eval leaves them alone


def test_running_statistics_are_buffers_not_parameters(tmp_path):
    bn = nn.BatchNorm1d(2, affine=False)
    assert bn.parameters() == [] and [n for n, _ in bn.named_buffers()] == [
        "running_mean", "running_var", "num_batches_tracked"]
    model = nn.Sequential(nn.Linear(2, 2, rng=0), bn)
    assert [n for n, _ in model.named_parameters()] == ["layers.0.weight", "layers.0.bias"]
    assert list(model.state_dict()) == ["layers.0.weight", "layers.0.bias",
                                        "layers.1.running_mean", "layers.1.running_var",
                                        "layers.1.num_batches_tracked"]
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    model(Value(x)).sum().backward()
    hidden = x @ model[0].weight.data + model[0].bias.data
    np.testing.assert_allclose(bn.running_mean, 0.1 * hidden.mean(0), **TOL)
    assert all(isinstance(b, np.ndarray) for b in bn.buffers())  # arrays: no grad to give
    model.save(tmp_path / "m.npz")
    other = nn.Sequential(nn.Linear(2, 2, rng=1), nn.BatchNorm1d(2, affine=False))
    stats = other[1].running_mean
    other.load(tmp_path / "m.npz")
    assert other[1].running_mean is stats  # loaded in place
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[name], value)
    assert other[1].num_batches_tracked.dtype == np.int64 and other[1].num_batches_tracked == 1
    state = model.state_dict()
    state["layers.1.running_var"] = np.ones(3)
    with pytest.raises(ValueError, match="'layers.1.running_var' has shape .3,., the buffer"):
        other.load_state_dict(state)
    del state["layers.1.running_var"]
    with pytest.raises(ValueError, match="missing 'layers.1.running_var'"):
        other.load_state_dict(state)


def test_running_mean_and_unbiased_variance_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [8.0, 0.0]])
    bn = nn.BatchNorm1d(2, momentum=0.5)
    out = bn(Value(x))
    np.testing.assert_allclose(bn.running_mean, 0.5 * x.mean(0), **TOL)
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * x.var(0, ddof=1), **TOL)
    np.testing.assert_allclose(out.data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), **TOL)


def test_functional_batch_norm_updates_arrays_in_place_and_values_by_new_data():
    x = Value(np.array([[1.0, 4.0], [3.0, 0.0]]))
    mean, var = np.zeros(2), Value(np.ones(2))
    F.batch_norm(x, mean, var, training=True, momentum=1.0)
    np.testing.assert_array_equal(mean, [2.0, 2.0])
    np.testing.assert_array_equal(var.data, [2.0, 8.0])  # unbiased: divided by n - 1 = 1


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(Value(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D"):
        nn.BatchNorm1d(3)(Value(np.ones((2, 3, 1, 1))))
    with pytest.raises(ShapeError, match=r"running_mean must be an array of shape \(4,\)"):
        F.batch_norm(Value(np.ones((2, 4))), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="both running_mean and running_var"):
        F.batch_norm(Value(np.ones((2, 4))), np.zeros(4), None, training=True)


# ---- layer norm, group norm, embedding, activations --------------------------------------------
@pytest.mark.parametrize("make, make_torch, shape", [
    (lambda: nn.LayerNorm(4), lambda t: t.nn.LayerNorm(4, dtype=t.float64), (2, 3, 4)),
    (lambda: nn.LayerNorm((3, 4), eps=1e-3, bias=False),
     lambda t: t.nn.LayerNorm((3, 4), eps=1e-3, bias=False, dtype=t.float64), (2, 3, 4)),
    (lambda: nn.GroupNorm(2, 6), lambda t: t.nn.GroupNorm(2, 6, dtype=t.float64), (3, 6, 2, 2)),
    (lambda: nn.GroupNorm(3, 3, affine=False), lambda t: t.nn.GroupNorm(3, 3, affine=False),
     (4, 3, 5)),
    (lambda: nn.GELU(), lambda t: t.nn.GELU(), (3, 4)),
    (lambda: nn.GELU("tanh"), lambda t: t.nn.GELU("tanh"), (3, 4)),
    (lambda: nn.SiLU(), lambda t: t.nn.SiLU(), (3, 4)),
    (lambda: nn.Softplus(2.0, 1.0), lambda t: t.nn.Softplus(2.0, 1.0), (3, 4)),
], ids=["layer norm", "layer norm 2 axes", "group norm", "group norm no affine", "gelu",
        "gelu tanh", "silu", "softplus"])
def test_layers_match_torch(make, make_torch, shape, torch):
    model = randomized(make())
    net = make_torch(torch)
    net.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    assert_same_outputs_and_grads(model, net, torch, x)


def test_embedding_padding_row_gets_no_gradient_as_in_torch(torch):
    model = nn.Embedding(6, 3, padding_idx=-2, rng=0)
    assert model.padding_idx == 4
    np.testing.assert_array_equal(model.weight.data[4], 0.0)
    weight = np.array(model.weight.data)
    weight[4] = 1.5  # a padding row that is not zero still passes its value on
    model.weight.data = weight
    net = nn.to_torch(model)
    indices = np.array([[0, 4, 4], [5, 1, 0]])
    assert_same_outputs_and_grads(model, net, torch, indices)
    np.testing.assert_array_equal(model.weight.grad[4], 0.0)
    assert model.weight.grad[0].any()
    with pytest.raises(TypeError, match="integers, got dtype float64 holding fractions"):
        model(np.array([0.0, 1.5]))
    np.testing.assert_array_equal(model(Value([[5, 1]])).data, model(np.array([[5, 1]])).data)
    with pytest.raises(IndexError, match="index 6 is out of range for 6 embeddings"):
        model(np.array([0, 6]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        model(np.array([-1]))


def test_default_initialisations_are_pytorchs():
    bn, ln = nn.BatchNorm2d(4), nn.LayerNorm(5)
    for layer in (bn, ln, nn.GroupNorm(2, 4)):
        np.testing.assert_array_equal(layer.weight.data, 1.0)
        np.testing.assert_array_equal(layer.bias.data, 0.0)
    np.testing.assert_array_equal(bn.running_var, 1.0)
    weight = nn.Embedding(400, 50, rng=0).weight.data
    assert abs(weight.mean()) < 0.01 and abs(weight.std() - 1) < 0.01  # N(0, 1)
    np.testing.assert_array_equal(weight, nn.Embedding(400, 50, rng=0).weight.data)
    mha = nn.MultiheadAttention(64, 4, rng=0)
    bound = np.sqrt(6 / (64 + 3 * 64))
    assert np.abs(mha.in_proj_weight.data).max() <= bound
    assert np.abs(mha.in_proj_weight.data).max() > 0.95 * bound
    assert 0.95 / 8 < np.abs(mha.out_proj.weight.data).max() <= 1 / 8
    np.testing.assert_array_equal(mha.in_proj_bias.data, 0.0)
    np.testing.assert_array_equal(mha.out_proj.bias.data, 0.0)
    assert nn.LayerNorm(3, dtype=np.float32).weight.dtype == np.float32


# ---- attention ----------------------------------------------------------------------------------
def _mha_masks(rng, n=2, heads=2, length=4, source=5):
    key_padding = rng.random((n, source)) > 0.7
    key_padding[:, 0] = False  # every query keeps a key: PyTorch gives nan where none is left
    float_mask = rng.standard_normal((length, source))
    return [{}, {"key_padding_mask": key_padding},
            {"attn_mask": np.triu(np.ones((length, source), bool), 1)},
            {"attn_mask": float_mask, "key_padding_mask": key_padding},
            {"attn_mask": rng.standard_normal((n * heads, length, source)),
             "average_attn_weights": False},
            {"key_padding_mask": key_padding * -3.0}]


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
def test_multihead_attention_matches_torch(batch_first, torch):
    rng = np.random.default_rng(0)
    model = randomized(nn.MultiheadAttention(6, 2, batch_first=batch_first, rng=0))
    net = nn.to_torch(model)
    assert isinstance(net, torch.nn.MultiheadAttention) and net.batch_first == batch_first
    q, kv = rng.standard_normal((2, 4, 6)), rng.standard_normal((2, 5, 6))
    if not batch_first:
        q, kv = q.transpose(1, 0, 2), kv.transpose(1, 0, 2)
    for options in _mha_masks(rng):
        for pick in (lambda out: out[0], lambda out: out[1]):
            model.zero_grad(), net.zero_grad()
            masks = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v)
                     for k, v in options.items()}
            out = pick(model(Value(q), Value(kv), Value(kv), **options))
            ref = pick(net(torch.tensor(q), torch.tensor(kv), torch.tensor(kv), **masks))
            np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
            upstream = rng.standard_normal(out.shape)
            out.backward(upstream)
            ref.backward(torch.tensor(upstream))
            mapped = _grads_in_torch_layout(model, torch)
            for name, grad in torch_grads(net).items():
                np.testing.assert_allclose(mapped[name], grad, err_msg=name, **TOL)
    model.zero_grad(), net.zero_grad()
    x, t = Value(q), torch.tensor(q)  # self-attention: one Value as query, key and value
    out, ref = model(x, x, x)[0], net(t, t, t)[0]
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)


def test_self_attention_unbatched_causal_and_without_weights(torch):
    model = randomized(nn.MultiheadAttention(4, 4, bias=False, rng=1))
    net = nn.to_torch(model)
    x = np.random.default_rng(3).standard_normal((5, 4))  # unbatched (L, E)
    causal = np.triu(np.ones((5, 5), bool), 1)
    X = Value(x)
    out, weights = model(X, X, X, attn_mask=causal, is_causal=True)
    ref, ref_weights = net(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(causal),
                           is_causal=True)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    np.testing.assert_allclose(weights.data, ref_weights.detach().numpy(), **TOL)
    assert np.all(np.triu(weights.data, 1) == 0)
    again, none = model(X, X, X, need_weights=False, is_causal=True)  # the mask made for us
    assert none is None
    np.testing.assert_allclose(again.data, out.data, **TOL)


def test_attention_dropout_acts_in_training_only():
    model = nn.MultiheadAttention(4, 2, dropout=0.5, batch_first=True, rng=0)
    x = Value(np.random.default_rng(0).standard_normal((2, 3, 4)))
    _, dropped = model(x, x, x, average_attn_weights=False)
    model.eval()
    _, weights = model(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0)
    kept = dropped.data != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(dropped.data[kept], 2 * weights.data[kept], **TOL)


def test_sdpa_errors_and_fully_masked_rows():
    q = Value(np.ones((2, 3)))
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((2, 2), bool), is_causal=True)
    with pytest.raises(ShapeError, match=r"query \(2, 3\) and key \(2, 4\)"):
        F.scaled_dot_product_attention(q, Value(np.ones((2, 4))), q)
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=np.array([[True, True],
                                                                       [False, False]]))
    np.testing.assert_array_equal(out.data[1], 0.0)
    with autograd.detect_anomaly():  # masking never puts an inf into the graph
        F.scaled_dot_product_attention(q, q, q, is_causal=True).sum().backward()
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)


# ---- losses -------------------------------------------------------------------------------------
def test_loss_modules_take_pytorchs_options(torch):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 4)), np.array([0, 3, -1, 2, 2, -1])
    weight = rng.uniform(0.5, 2, 4)
    cases = [(nn.CrossEntropyLoss(weight=weight, ignore_index=-1, label_smoothing=0.1),
              torch.nn.CrossEntropyLoss(torch.tensor(weight), ignore_index=-1,
                                        label_smoothing=0.1), logits),
             (nn.NLLLoss("sum", ignore_index=-1),
              torch.nn.NLLLoss(ignore_index=-1, reduction="sum"), logits),
             (nn.NLLLoss(weight=weight, ignore_index=-1),
              torch.nn.NLLLoss(torch.tensor(weight), ignore_index=-1), logits)]
    for ours, theirs, x in cases:
        v, t = Value(x), torch.tensor(x, requires_grad=True)
        out, ref = ours(v, labels), theirs(t, torch.tensor(labels))
        np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
        out.backward()
        ref.backward()
        np.testing.assert_allclose(v.grad, t.grad.numpy(), **TOL)
    assert repr(cases[1][0]) == "NLLLoss(reduction='sum', ignore_index=-1)"


def test_loss_edge_cases():
    logits = Value(np.zeros((2, 3)))
    assert np.isnan(nn.cross_entropy(logits, [-100, -100]).data)  # nothing counts: 0 / 0
    assert nn.cross_entropy(logits, [-100, -100], "sum").data == 0
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        nn.cross_entropy(logits, [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight of shape \(2,\) needs one entry per class"):
        nn.nll_loss(logits, [0, 1], weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="unknown reduction.*keyword arguments"):
        nn.nll_loss(logits, [0, 1], np.ones(3))
    with pytest.raises(ValueError, match=r"nll_loss: target of shape \(3,\)"):
        nn.nll_loss(logits, [0, 1, 2])
    with pytest.raises(ValueError, match="nll_loss: label 5 is out of range"):
        nn.nll_loss(logits, [0, 5])


# ---- conversions both ways ------------------------------------------------------------------------
def _convertible_model(dtype):
    model = nn.Sequential(nn.Linear(4, 6, rng=0, dtype=dtype), nn.BatchNorm1d(6, dtype=dtype),
                          nn.GELU(), nn.Dropout(0.2), nn.LayerNorm(6, dtype=dtype), nn.SiLU(),
                          nn.Linear(6, 4, rng=1, dtype=dtype), nn.Softplus(beta=0.5))
    return randomized(model)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_models_with_the_new_layers_convert_both_ways(dtype, torch):
    tol = TOL if dtype == np.float64 else dict(rtol=1e-5, atol=1e-5)
    model = _convertible_model(dtype)
    rng = np.random.default_rng(0)
    for _ in range(2):  # running statistics that are not the initial ones
        model(Value(rng.standard_normal((8, 4)), dtype=dtype))
    model.eval()
    net = nn.to_torch(model)
    assert not net.training and not net[3].training and net[1].num_batches_tracked == 2
    x = rng.standard_normal((5, 4)).astype(dtype)
    np.testing.assert_allclose(model(Value(x)).data, net(torch.tensor(x)).detach().numpy(), **tol)
    back = nn.from_torch(net)
    assert not back.training and not back[1].training
    np.testing.assert_array_equal(back(Value(x)).data, model(Value(x)).data)
    np.testing.assert_array_equal(back[1].running_var, model[1].running_var)
    assert back[1].running_var.dtype == dtype
    net.train()  # trained one more step in torch, then loaded back by state dict
    net(torch.tensor(rng.standard_normal((8, 4)).astype(dtype)))
    model.load_state_dict(net.state_dict())
    assert model[1].num_batches_tracked == 3
    np.testing.assert_allclose(model[1].running_mean, net[1].running_mean.numpy(), **tol)


def test_embedding_group_norm_and_attention_convert_both_ways(torch):
    for model, x in [(nn.Embedding(5, 3, padding_idx=0, rng=0), np.array([[0, 3], [4, 4]])),
                     (randomized(nn.GroupNorm(2, 4)),
                      np.random.default_rng(0).standard_normal((2, 4, 3))),
                     (randomized(nn.BatchNorm2d(2, affine=False, track_running_stats=False)),
                      np.random.default_rng(1).standard_normal((3, 2, 2, 2)))]:
        net = nn.to_torch(model)
        inputs = Value(x) if x.dtype.kind == "f" else x
        np.testing.assert_allclose(model(inputs).data, net(torch.tensor(x)).detach().numpy(),
                                   **TOL)
        np.testing.assert_array_equal(nn.from_torch(net)(inputs).data, model(inputs).data)
    net = torch.nn.MultiheadAttention(6, 3, dropout=0.1, batch_first=True, dtype=torch.float64)
    net.eval()
    model = nn.from_torch(net)
    assert (model.embed_dim, model.num_heads, model.dropout, model.batch_first) == (6, 3, 0.1,
                                                                                    True)
    assert not model.training
    x = np.random.default_rng(2).standard_normal((2, 3, 6))
    out, weights = model(*[Value(x)] * 3)
    ref, ref_weights = net(*[torch.tensor(x)] * 3)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL)
    np.testing.assert_allclose(weights.data, ref_weights.detach().numpy(), **TOL)
    with pytest.raises(ValueError, match="kdim or vdim"):
        nn.from_torch(torch.nn.MultiheadAttention(6, 3, kdim=4))


@pytest.mark.parametrize("name", ["gelu", "silu", "softplus"])
def test_new_activations_by_name_in_an_mlp_convert_both_ways(name, torch):
    model = nn.MLP([3, 5, 2], activation=name, rng=0)
    net = nn.to_torch(model)
    assert type(net[1]).__name__ == {"gelu": "GELU", "silu": "SiLU", "softplus": "Softplus"}[name]
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(model(Value(x)).data, net(torch.tensor(x)).detach().numpy(), **TOL)
    back = nn.from_torch(net)
    assert [n for n, _ in back.named_parameters()] == [n for n, _ in model.named_parameters()]
    np.testing.assert_array_equal(back(Value(x)).data, model(Value(x)).data)
