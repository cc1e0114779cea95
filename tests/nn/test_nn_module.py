"""Module: finding parameters, their names and order, state dicts, saving and loading."""
import contextlib
import signal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value


def test_mlp_counts_75_weights_and_17_biases():
    model = nn.MLP([3, 5, 5, 5, 2], activation="sigmoid", rng=0)
    shapes = [p.shape for p in model.parameters()]
    assert shapes == [(3, 5), (5,), (5, 5), (5,), (5, 5), (5,), (5, 2), (2,)]
    assert sum(p.size for p in model.parameters() if p.ndim == 2) == 75
    assert sum(p.size for p in model.parameters() if p.ndim == 1) == 17
    assert model.num_parameters() == 92


def test_named_parameters_order_and_names():
    model = nn.MLP([3, 5, 2], rng=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.parameters()[0] is model.layers[0].weight


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_num_parameters_of_any_mlp(sizes):
    model = nn.MLP(sizes, rng=0)
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert model.num_parameters() == expected
    assert len(model.parameters()) == 2 * (len(sizes) - 1)


class Block(nn.Module):
    """Parameters spread over a Value, a list of modules, a tuple and a shared Value."""

    def __init__(self):
        self.scale = Value(np.ones(2))
        self.constant = Value(np.zeros(2), requires_grad=False)
        self.parts = [nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 2, bias=False, rng=1)]
        self.pair = (Value(1.0), [Value(2.0)])
        self.again = self.scale       # shared: listed once, under its first name
        self.label = "not a parameter"

    def forward(self, x):
        return x


def test_walk_follows_definition_order_through_lists_and_tuples():
    names = [name for name, _ in Block().named_parameters()]
    assert names == ["scale", "parts.0.weight", "parts.0.bias", "parts.2.weight",
                     "pair.0", "pair.1.0"]
    assert Block().num_parameters() == 2 + 4 + 2 + 4 + 1 + 1


def test_named_modules_lists_each_module_once():
    block = Block()
    block.alias = block.parts[0]
    names = [name for name, _ in block.named_modules()]
    assert names == ["", "parts.0", "parts.1", "parts.2"]


@contextlib.contextmanager
def _within(seconds):
    """Fail (rather than hang the test run) if the block takes longer than `seconds`."""
    if not hasattr(signal, "setitimer"):
        pytest.skip("needs signal.setitimer")

    def timeout(*_):
        raise TimeoutError(f"did not finish within {seconds} s (an endless walk?)")
    previous = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Child(nn.Module):
    """A sub-module that keeps a reference to the module that holds it."""

    def __init__(self, parent):
        self.parent = parent
        self.linear = nn.Linear(1, 2, rng=0)

    def forward(self, x):
        return self.linear(x)


class Cyclic(nn.Module):
    """Every kind of cycle: a list that holds itself, two lists that hold each other, a
    tuple inside a list that holds the list, a child pointing back, the module itself."""

    def __init__(self):
        self.scale = Value(np.ones(2))
        self.items = [nn.Tanh()]
        self.items.append(self.items)
        a, b = [Value(3.0)], [nn.Sigmoid()]
        a.append(b)
        b.append(a)
        self.pair = a
        self.nested = [(Value(np.zeros(3)),)]
        self.nested.append((self.nested,))
        self.child = Child(self)
        self.me = self

    def forward(self, x):
        return self.child(x) * self.scale


def test_cycles_are_walked_once_without_hanging(tmp_path):
    """As PyTorch: each object once, under its first name; a cycle ends the walk."""
    model = Cyclic()
    with _within(5):
        names = [name for name, _ in model.named_parameters()]
        modules = [name for name, _ in model.named_modules()]
        model.zero_grad()
        state = model.state_dict()
        model.save(tmp_path / "cyclic.npz")
        Cyclic().load(tmp_path / "cyclic.npz")
        nn.optim.SGD(model.parameters(), lr=0.1)
    assert names == ["scale", "pair.0", "nested.0.0", "child.linear.weight",
                     "child.linear.bias"]
    assert modules == ["", "items.0", "pair.1.0", "child", "child.linear"]
    assert list(state) == names
    assert model.num_parameters() == 2 + 1 + 3 + 2 + 2


def test_repr_shows_a_module_already_being_printed_as_dots():
    with _within(5):
        text = repr(Cyclic())
    assert text == "\n".join([
        "Cyclic(",
        "  (items.0): Tanh()",
        "  (pair.1.0): Sigmoid()",
        "  (child): Child(",
        "    (parent): ...",
        "    (linear): Linear(1, 2)",
        "  )",
        "  (me): ...",
        ")"])
    lone = Child(None)
    lone.parent = lone
    assert repr(lone) == "Child(\n  (parent): ...\n  (linear): Linear(1, 2)\n)"
    assert repr(Child(None)) == "Child(\n  (linear): Linear(1, 2)\n)"  # no cycle, no dots


def test_a_cyclic_module_trains_and_draws():
    model = Cyclic()
    with _within(5):
        loss = model(np.ones((3, 1))).sum()
        loss.backward()
    assert model.child.linear.weight.grad.shape == (1, 2)
    pytest.importorskip("graphviz")
    from autograd import draw_graph
    with _within(5):
        graph = draw_graph(loss, module=model)
    assert "child.linear.weight" in graph.source


def test_zero_grad_resets_every_parameter():
    model = nn.MLP([2, 3, 1], rng=0)
    model(np.ones((4, 2))).sum().backward()
    assert any(np.any(p.grad != 0) for p in model.parameters())
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


def test_state_dict_holds_copies():
    model = nn.Linear(2, 3, rng=0)
    state = model.state_dict()
    assert list(state) == ["weight", "bias"]
    state["weight"][:] = 7.0
    assert not np.any(model.weight.data == 7.0)


def test_load_state_dict_sets_values_as_copies_in_the_parameter_dtype():
    model = nn.Linear(2, 3, rng=0, dtype=np.float32)
    source = {"weight": np.arange(6.0).reshape(2, 3), "bias": Value(np.ones(3))}
    model.load_state_dict(source)
    np.testing.assert_array_equal(model.weight.data, np.arange(6.0).reshape(2, 3))
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32
    source["weight"][0, 0] = 99.0
    assert model.weight.data[0, 0] == 0.0


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("layers.1.bias"), "missing 'layers.1.bias'"),
    (lambda s: s.update(extra=np.ones(2)), "unexpected 'extra'"),
    (lambda s: s.update({"layers.0.weight": np.ones((3, 2))}), "has shape (3, 2)"),
    (lambda s: s.update({"layers.0.bias": np.array(["a"] * 4)}), "not numbers"),
])
def test_load_state_dict_errors_leave_the_model_unchanged(change, message):
    model = nn.MLP([2, 4, 1], rng=0)
    before = model.state_dict()
    state = {name: arr + 1.0 for name, arr in before.items()}
    change(state)
    with pytest.raises(ValueError, match="no parameter was changed") as info:
        model.load_state_dict(state)
    assert message in str(info.value)
    for name, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[name])


def test_load_state_dict_reports_every_problem_at_once():
    model = nn.MLP([2, 4, 1], rng=0)
    state = model.state_dict()
    del state["layers.0.bias"]
    state["layers.1.weight"] = np.zeros((1, 4))
    state["stray"] = np.zeros(1)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    for part in ("missing 'layers.0.bias'", "unexpected 'stray'", "'layers.1.weight'"):
        assert part in str(info.value)


def test_save_and_load_roundtrip_gives_identical_outputs(tmp_path):
    X = np.random.default_rng(1).standard_normal((5, 3))
    model = nn.MLP([3, 6, 2], activation="tanh", rng=0)
    path = tmp_path / "weights.npz"
    model.save(path)
    fresh = nn.MLP([3, 6, 2], activation="tanh", rng=123)
    assert not np.array_equal(fresh(X).data, model(X).data)
    assert fresh.load(path) is fresh
    np.testing.assert_array_equal(fresh(X).data, model(X).data)
    state = nn.load_state(path)
    assert list(state) == [name for name, _ in model.named_parameters()]


def test_save_writes_exactly_the_given_path(tmp_path):
    path = tmp_path / "weights.bin"
    nn.Linear(2, 2, rng=0).save(str(path))
    assert path.exists() and not (tmp_path / "weights.bin.npz").exists()


def test_scalar_and_float32_parameters_roundtrip(tmp_path):
    block = Block()
    block.pair[0].data = 3.5
    block.save(tmp_path / "b.npz")
    other = Block().load(tmp_path / "b.npz")
    assert type(other.pair[0].data) is float and other.pair[0].data == 3.5
    model = nn.MLP([2, 3, 1], dtype=np.float32, rng=0)
    model.save(tmp_path / "m.npz")
    loaded = nn.MLP([2, 3, 1], dtype=np.float32, rng=1).load(tmp_path / "m.npz")
    assert all(p.dtype == np.float32 for p in loaded.parameters())


def test_a_pickled_npz_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"weight": np.array([{"payload": 1}, None], dtype=object)})
    with pytest.raises(ValueError, match="pickled Python objects.*refusing"):
        nn.load_state(path)
    model = nn.Linear(2, 1, rng=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match="pickled"):
        model.load(path)
    np.testing.assert_array_equal(model.weight.data, before["weight"])


def test_a_plain_pickle_and_a_single_array_are_refused(tmp_path):
    import pickle
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"weight": [1.0]}))
    with pytest.raises(ValueError, match="pickled"):
        nn.load_state(pickled)
    single = tmp_path / "w.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single array"):
        nn.load_state(single)


def test_repr_shows_the_module_tree():
    assert repr(nn.MLP([3, 4, 1], activation="tanh")) == "\n".join([
        "MLP(",
        "  (layers.0): Layer(3, 4, activation=Tanh())",
        "  (layers.1): Layer(4, 1, activation=Identity())",
        ")"])
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(2, 3, bias=False)"
    assert repr(nn.CrossEntropyLoss("sum")) == "CrossEntropyLoss(reduction='sum')"


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1.0)
