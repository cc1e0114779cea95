"""nn.to_torch / nn.from_torch / load_state_dict of a torch state dict: same numbers both ways."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from nn.convert import state_from_torch

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


@pytest.fixture(scope="module")
def torch():
    """PyTorch, for the converted models; the test is skipped where it is not installed."""
    return pytest.importorskip("torch")


MODELS = {
    "mlp relu": lambda dtype: nn.MLP([3, 8, 8, 2], activation="relu", rng=0, dtype=dtype),
    "mlp sigmoid, softmax out": lambda dtype: nn.MLP([3, 6, 4], activation="sigmoid",
                                                     output_activation="softmax", rng=1,
                                                     dtype=dtype),
    "nested sequential": lambda dtype: nn.Sequential(
        nn.Linear(3, 4, rng=2, dtype=dtype), nn.LeakyReLU(0.2),
        nn.Layer(4, 4, activation="tanh", bias=False, rng=3, dtype=dtype),
        nn.Sequential(nn.Linear(4, 5, rng=4, dtype=dtype), nn.Identity(), nn.Softmax(axis=0))),
    "square linear": lambda dtype: nn.Linear(3, 3, rng=5, dtype=dtype),
    "layer": lambda dtype: nn.Layer(3, 5, activation="leaky_relu", rng=6, dtype=dtype),
    "perceptron": lambda dtype: nn.Perceptron(3, activation="tanh", rng=7, dtype=dtype),
}


def _randomize_biases(model):
    """Biases start at zero, where a transposed or misplaced bias would go unnoticed."""
    rng = np.random.default_rng(10)
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.data = rng.standard_normal(p.shape).astype(p.dtype)
    return model


def _forward_backward(model, x, weights):
    """Our output and gradients (input, then {name: grad}) of sum(output * weights)."""
    x = Value(x)
    model.zero_grad()
    out = model(x)
    (out * weights).sum().backward()
    return out.data, x.grad, {name: p.grad for name, p in model.named_parameters()}


def _torch_forward_backward(torch, net, x, weights):
    x = torch.tensor(x, requires_grad=True)
    out = net(x)
    (out * torch.tensor(weights)).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), {n: p.grad for n, p in net.named_parameters()}


def test_importing_autograd_and_nn_never_imports_torch():
    code = "import sys, autograd, nn; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_without_torch_the_conversions_say_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails as if not installed
    with pytest.raises(ModuleNotFoundError, match=r"to_torch needs PyTorch: pip install torch"):
        nn.to_torch(nn.Linear(2, 2))
    with pytest.raises(ModuleNotFoundError, match=r"from_torch needs PyTorch"):
        nn.from_torch(object())


def test_an_mlp_becomes_the_sequential_one_writes_in_torch(torch):
    model = _randomize_biases(nn.MLP([2, 16, 1], activation="tanh", rng=0))
    net = nn.to_torch(model)
    assert [type(m) for m in net] == [torch.nn.Linear, torch.nn.Tanh, torch.nn.Linear]
    assert (net[0].in_features, net[0].out_features, net[2].out_features) == (2, 16, 1)
    for ours, theirs in [(model[0], net[0]), (model[1], net[2])]:
        assert theirs.weight.dtype == torch.float64
        np.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.weight.data.T)
        np.testing.assert_array_equal(theirs.bias.detach().numpy(), ours.bias.data)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", MODELS)
def test_converted_models_give_the_same_outputs_and_gradients(torch, kind, dtype):
    model = _randomize_biases(MODELS[kind](dtype))
    net = nn.to_torch(model)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 3)).astype(dtype)
    weights = rng.standard_normal(model(x).shape).astype(dtype)
    ours = _forward_backward(model, x, weights)
    theirs = _torch_forward_backward(torch, net, x, weights)
    assert {p.dtype for p in net.parameters()} == {getattr(torch, np.dtype(dtype).name)}
    assert theirs[0].dtype == dtype
    np.testing.assert_allclose(theirs[0], ours[0], **TOLERANCE[dtype])
    np.testing.assert_allclose(theirs[1], ours[1], **TOLERANCE[dtype])
    # torch's parameter gradients, brought to our names and layouts like its weights are
    grads, problems = state_from_torch(model, theirs[2])
    assert not problems and grads.keys() == ours[2].keys()
    for name, grad in ours[2].items():
        np.testing.assert_allclose(grads[name], grad, err_msg=name, **TOLERANCE[dtype])


@pytest.mark.parametrize("kind", MODELS)
def test_a_round_trip_through_torch_gives_identical_outputs(torch, kind):
    model = _randomize_biases(MODELS[kind](np.float64))
    again = nn.from_torch(nn.to_torch(model))
    x = np.random.default_rng(2).standard_normal((7, 3))
    np.testing.assert_array_equal(again(x).data, model(x).data)
    assert again(x).dtype == np.float64


def test_an_mlp_comes_back_with_its_layers_and_parameter_names(torch):
    model = _randomize_biases(nn.MLP([3, 5, 5, 2], activation="relu", rng=0))
    again = nn.from_torch(nn.to_torch(model))
    assert [type(m) for m in again] == [nn.Layer, nn.Layer, nn.Linear]
    assert [type(m.activation) for m in again[:2]] == [nn.ReLU, nn.ReLU]
    assert again.state_dict().keys() == model.state_dict().keys()
    model.load_state_dict(again.state_dict())  # so gradlab state dicts carry over too


def test_from_torch_converts_a_hand_written_torch_model(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8),
        torch.nn.LeakyReLU(0.1), torch.nn.Linear(8, 4, bias=False), torch.nn.Identity(),
        torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Sigmoid()),
        torch.nn.Linear(3, 3), torch.nn.Softmax(dim=1))
    model = nn.from_torch(net)
    assert [type(m) for m in model] == [nn.Layer, nn.Layer, nn.Linear, nn.Identity,
                                        nn.Sequential, nn.Layer]
    assert model[1].activation.negative_slope == pytest.approx(0.1)
    assert model[2].bias is None and model[5].activation.axis == 1
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 3)).astype(np.float32)
    weights = rng.standard_normal((6, 3)).astype(np.float32)
    ours = _forward_backward(model, x, weights)
    theirs = _torch_forward_backward(torch, net, x, weights)
    assert ours[0].dtype == np.float32
    for mine, its in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(mine, its, **TOLERANCE[np.float32])


def test_from_torch_converts_single_modules(torch):
    linear = torch.nn.Linear(3, 2, dtype=torch.float64)
    ours = nn.from_torch(linear)
    assert type(ours) is nn.Linear and ours.weight.dtype == np.float64
    np.testing.assert_array_equal(ours.weight.data, linear.weight.detach().numpy().T)
    np.testing.assert_array_equal(ours.bias.data, linear.bias.detach().numpy())
    converted = [nn.from_torch(m) for m in (torch.nn.ReLU(), torch.nn.LeakyReLU(0.3),
                                            torch.nn.Tanh(), torch.nn.Sigmoid(),
                                            torch.nn.Softmax(dim=0), torch.nn.Identity())]
    assert [repr(m) for m in converted] == ["ReLU()", "LeakyReLU(negative_slope=0.3)",
                                            "Tanh()", "Sigmoid()", "Softmax(axis=0)",
                                            "Identity()"]


def test_a_perceptron_keeps_its_output_shape_and_comes_back_as_one(torch):
    p = nn.Perceptron(4, activation="sigmoid", rng=0)
    p.bias.data = np.array(0.25)
    net = nn.to_torch(p)
    x = np.random.default_rng(4).standard_normal((5, 4))
    assert tuple(net(torch.tensor(x)).shape) == (5,)
    again = nn.from_torch(net)
    assert [type(m) for m in again] == [nn.Perceptron]
    assert type(again[0].activation) is nn.Sigmoid
    np.testing.assert_array_equal(again(x).data, p(x).data)
    assert again[0].bias.data == 0.25 and again[0].bias.shape == ()


def test_load_state_dict_takes_the_weights_of_a_model_trained_in_torch(torch):
    model = nn.MLP([3, 4, 2], activation="tanh", rng=0)
    net = nn.to_torch(model)
    x = np.random.default_rng(5).standard_normal((8, 3))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        net(torch.tensor(x)).square().sum().backward()
        optimizer.step()
    before = model(x).data
    model.load_state_dict(net.state_dict())
    after = model(x).data
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, net(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_load_state_dict_casts_torch_tensors_to_each_parameters_dtype(torch):
    model = nn.Linear(2, 3, rng=0)
    state = {"weight": torch.arange(6, dtype=torch.float32).reshape(3, 2),
             "bias": torch.ones(3, requires_grad=True)}
    model.load_state_dict(state)
    assert model.weight.dtype == np.float64
    np.testing.assert_array_equal(model.weight.data, [[0, 2, 4], [1, 3, 5]])


def test_a_bad_torch_state_dict_names_every_problem_and_changes_nothing(torch):
    model = nn.MLP([3, 4, 2], rng=0)
    before = model.state_dict()
    state = dict(nn.to_torch(model).state_dict())
    state["0.weight"] = state["0.weight"].T            # our layout, not torch's
    del state["2.bias"]
    state["1.weight"] = torch.zeros(4)                  # index 1 is the ReLU
    state["0.bias"] = state["0.bias"].to(torch.bfloat16)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("load_state_dict into MLP from a PyTorch state dict: ")
    for part in ["missing '2.bias'", "unexpected '1.weight'",
                 "'0.weight' has shape (3, 4), torch's Linear (0) expects (4, 3)",
                 "'0.bias' holds torch.bfloat16", "(no parameter was changed)"]:
        assert part in message
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


def test_models_without_a_torch_equivalent_are_refused_by_name(torch):
    class Doubler(nn.Module):
        def forward(self, x):
            return 2 * x

    with pytest.raises(ValueError, match="'step' activation has no PyTorch"):
        nn.to_torch(nn.Perceptron(2))
    with pytest.raises(TypeError, match="no PyTorch conversion for Doubler"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Doubler()))
    with pytest.raises(TypeError, match="no PyTorch conversion for function"):
        nn.to_torch(nn.Layer(2, 2, activation=lambda x: x.tanh()))
    with pytest.raises(TypeError, match="no gradlab conversion for torch.nn.modules.*Hardshrink"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Hardshrink()))
    with pytest.raises(ValueError, match=r"Softmax\(\) without dim"):
        nn.from_torch(torch.nn.Softmax())
    with pytest.raises(TypeError, match="parameters are torch.float16"):
        nn.from_torch(torch.nn.Linear(2, 2, dtype=torch.float16))


def test_the_readme_example_runs(torch, tmp_path, monkeypatch):
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(
        "## Graduating to PyTorch", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, "README.md (Graduating to PyTorch)", "exec"), namespace)
    model, net, again = namespace["model"], namespace["net"], namespace["again"]
    x = np.random.default_rng(6).uniform(-1, 1, (4, 2))
    untrained = nn.MLP([2, 16, 1], activation="tanh", rng=0)
    assert not np.allclose(model(x).data, untrained(x).data)  # trained in torch, loaded back
    np.testing.assert_allclose(model(x).data, net(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(again(x).data, model(x).data)
