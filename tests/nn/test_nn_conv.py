"""The convolution and pooling layers (nn/conv.py): PyTorch's shapes, initialisation and
numbers, and conversion both ways with nn.to_torch / nn.from_torch."""
import math

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.mode import ShapeError
from nn.convert import state_from_torch

TOLERANCE = {np.float64: dict(rtol=1e-11, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-6)}


def _cnn(dtype):
    """Every layer of nn/conv.py in one model, with options away from the defaults."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, rng=0, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, (3, 2), padding="same", padding_mode="reflect", groups=2, rng=1,
                  dtype=dtype),
        nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False),
        nn.ConvTranspose2d(6, 4, 2, stride=2, groups=2, rng=2, dtype=dtype),
        nn.MaxPool2d(3, stride=1, padding=1, dilation=1, ceil_mode=True),
        nn.AdaptiveAvgPool2d((3, 2)), nn.Flatten(), nn.Unflatten(1, (4, -1)), nn.Flatten(),
        nn.Linear(24, 3, rng=3, dtype=dtype))


def _cnn1d(dtype):
    return nn.Sequential(nn.Conv1d(3, 4, 3, stride=2, dilation=2, padding=2, rng=4, dtype=dtype),
                         nn.Tanh(), nn.Conv1d(4, 2, 2, padding_mode="circular", padding=1,
                                              bias=False, rng=5, dtype=dtype), nn.Flatten())


MODELS = {"cnn": (_cnn, (5, 2, 12, 11)), "cnn1d": (_cnn1d, (3, 3, 11))}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", MODELS)
def test_converted_models_give_torchs_outputs_and_gradients(torch, kind, dtype):
    make, shape = MODELS[kind]
    model = make(dtype)
    net = nn.to_torch(model)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    ours_x = Value(x)
    out = model(ours_x)
    weights = rng.standard_normal(out.shape).astype(dtype)
    (out * weights).sum().backward()
    torch_x = torch.tensor(x, requires_grad=True)
    ref = net(torch_x)
    (ref * torch.tensor(weights)).sum().backward()
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOLERANCE[dtype])
    np.testing.assert_allclose(ours_x.grad, torch_x.grad.numpy(), **TOLERANCE[dtype])
    grads, problems = state_from_torch(model, {n: p.grad for n, p in net.named_parameters()})
    assert not problems
    for name, p in model.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad, err_msg=name, **TOLERANCE[dtype])


@pytest.mark.parametrize("kind", MODELS)
def test_a_round_trip_through_torch_gives_identical_outputs(torch, kind):
    make, shape = MODELS[kind]
    model = make(np.float64)
    again = nn.from_torch(nn.to_torch(model))
    assert [type(m) for m in again] == [type(m) for m in model]
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_array_equal(again(x).data, model(x).data)


def test_a_torch_cnn_comes_over_with_its_weights(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, stride=2, bias=False), torch.nn.ReLU(),
                              torch.nn.AvgPool2d(2, padding=1), torch.nn.Flatten(),
                              torch.nn.Linear(27, 2)).double()
    model = nn.from_torch(net)
    x = np.random.default_rng(2).standard_normal((4, 1, 9, 9))
    np.testing.assert_allclose(model(x).data, net(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("make, fan_in, shape", [
    (lambda: nn.Conv2d(6, 8, (3, 2), groups=2, rng=0), 3 * 3 * 2, (8, 3, 3, 2)),
    (lambda: nn.Conv1d(4, 5, 7, rng=0), 4 * 7, (5, 4, 7)),
    (lambda: nn.ConvTranspose2d(4, 6, 3, groups=2, rng=0), 3 * 3 * 3, (4, 3, 3, 3))])
def test_pytorchs_default_initialisation(make, fan_in, shape):
    """kaiming_uniform(a=sqrt(5)) and PyTorch's bias: both uniform in +-1/sqrt(fan_in)."""
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    assert layer.weight.shape == shape and layer.bias.shape == (layer.out_channels,)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
    # the weights fill the range: their std is near bound / sqrt(3), a uniform's
    assert abs(layer.weight.data.std() * math.sqrt(3) / bound - 1) < 0.15
    np.testing.assert_array_equal(make().weight.data, layer.weight.data)  # seeded
    assert not np.array_equal(nn.Conv2d(6, 8, (3, 2), groups=2, rng=1).weight.data[:3, :3],
                              layer.weight.data[:3, :3])


def test_layers_give_pytorchs_shapes():
    x = np.ones((2, 3, 10, 9))
    assert nn.Conv2d(3, 4, 3, stride=2, padding=1, rng=0)(x).shape == (2, 4, 5, 5)
    assert nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1,
                              rng=0)(x).shape == (2, 2, 20, 18)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 5, 4)
    assert nn.MaxPool2d(2, ceil_mode=True)(x).shape == (2, 3, 5, 5)
    assert nn.AvgPool2d(3, stride=2, padding=1)(x).shape == (2, 3, 5, 5)
    assert nn.AdaptiveAvgPool2d((None, 2))(x).shape == (2, 3, 10, 2)
    assert nn.Flatten()(x).shape == (2, 270)
    assert nn.Flatten(0, 1)(x).shape == (6, 10, 9)
    assert nn.Unflatten(-1, (3, -1))(x).shape == (2, 3, 10, 3, 3)
    out, index = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == index.shape == (2, 3, 5, 4) and index.dtype == np.int64
    assert nn.Conv1d(3, 2, 3, rng=0)(np.ones((3, 7))).shape == (2, 5)  # unbatched


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="groups .3. must divide in_channels .4."):
        nn.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="kernel_size must be an int or 2 ints"):
        nn.Conv2d(1, 1, (3, 3, 3))
    with pytest.raises(ShapeError, match=r"conv2d: input of shape \(1, 3, 5, 5\) has 3 "
                                         r"channels.*expects 2"):
        nn.Conv2d(2, 1, 3)(np.ones((1, 3, 5, 5)))
    with pytest.raises(ShapeError, match=r"conv2d: the kernel \(3, 3\).*larger"):
        nn.Conv2d(1, 1, 3)(np.ones((1, 1, 2, 5)))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")(np.ones((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="max_pool2d: padding .2, 2. must be at most half"):
        nn.MaxPool2d(2, padding=2)(np.ones((1, 1, 5, 5)))
