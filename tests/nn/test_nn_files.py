"""Weights files: atomic saves, any parameter name, and loading that checks headers first,
reads only what it loads, names the file in every error and never unpickles."""
import io
import os
import pickle
import tracemalloc
import zipfile

import numpy as np
import pytest

import nn
from autograd import Value


class Named(nn.Module):
    """Parameters under any names, including np.savez's keywords `file` and `allow_pickle`."""

    def __init__(self, names, seed=0):
        rng = np.random.default_rng(seed)
        for i, name in enumerate(names):
            setattr(self, name, Value(rng.standard_normal(i + 1)))


def _weights(model):
    return {name: np.array(p.data) for name, p in model.named_parameters()}


def _assert_weights(model, expected):
    assert list(_weights(model)) == list(expected)
    for name, arr in _weights(model).items():
        np.testing.assert_array_equal(arr, expected[name])


# ---- item 14: any parameter name round-trips ---------------------------------------------------
NAMES = ["file", "allow_pickle", "args", "kwds", "x.npy", "a/b", "poids_é", "weight"]


def test_any_parameter_name_round_trips_and_np_load_reads_the_file(tmp_path):
    path = tmp_path / "named.npz"
    model = Named(NAMES)
    model.save(path)
    _assert_weights(Named(NAMES, seed=1).load(path), _weights(model))
    assert list(nn.load_state(path)) == NAMES
    with np.load(path, allow_pickle=False) as archive:  # still an ordinary .npz file
        assert sorted(archive.files) == sorted(NAMES)
        np.testing.assert_array_equal(archive["allow_pickle"], model.allow_pickle.data)


def test_a_parameter_named_file_does_not_truncate_the_old_checkpoint(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    Named(["file"]).save(path)
    assert nn.load_state(path)["file"].shape == (1,)


# ---- item 13: a failed save leaves the old file as it was ---------------------------------------
def _fail_midway(monkeypatch, error):
    """Make the second array's write raise `error` after half its bytes are written."""
    real = np.lib.format.write_array
    calls = []

    def write_array(fp, array, **kw):
        calls.append(1)
        if len(calls) == 2:
            buffer = io.BytesIO()
            real(buffer, array, **kw)
            fp.write(buffer.getvalue()[:len(buffer.getvalue()) // 2])
            raise error
        return real(fp, array, **kw)
    monkeypatch.setattr(np.lib.format, "write_array", write_array)


@pytest.mark.parametrize("failure", ["disk-full", "interrupt", "fsync", "replace"])
def test_a_failed_save_leaves_the_previous_checkpoint_loadable(tmp_path, monkeypatch, failure):
    path = tmp_path / "model.npz"
    old = nn.MLP([3, 4, 2], rng=0)
    old.save(path)
    before = path.read_bytes()
    error = {"disk-full": OSError(28, "No space left on device"),
             "interrupt": KeyboardInterrupt(), "fsync": OSError(5, "Input/output error"),
             "replace": OSError(13, "Permission denied")}[failure]
    if failure in ("disk-full", "interrupt"):
        _fail_midway(monkeypatch, error)
    else:
        def fail(*args):
            raise error
        monkeypatch.setattr(os, failure, fail)
    with pytest.raises(type(error)):
        nn.MLP([3, 4, 2], rng=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    _assert_weights(nn.MLP([3, 4, 2], rng=2).load(path), _weights(old))
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_a_failed_first_save_leaves_no_file(tmp_path, monkeypatch):
    _fail_midway(monkeypatch, OSError(28, "No space left on device"))
    with pytest.raises(OSError):
        nn.MLP([3, 4, 2], rng=0).save(tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_a_save_replaces_the_file_and_keeps_a_symbolic_link(tmp_path):
    target = tmp_path / "real.npz"
    link = tmp_path / "latest.npz"
    nn.MLP([3, 4, 2], rng=0).save(target)
    link.symlink_to(target)
    model = nn.MLP([3, 4, 2], rng=1)
    model.save(link)
    assert link.is_symlink()
    _assert_weights(nn.MLP([3, 4, 2], rng=2).load(target), _weights(model))
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "real.npz"]


# ---- item 15: headers first, only what is loaded, errors name the file --------------------------
def _write_member(archive, name, header, data=b""):
    """A .npy member with this header dict (descr, fortran_order, shape) and raw data."""
    with archive.open(name, "w") as member:
        np.lib.format.write_array_header_1_0(member, header)
        member.write(data)


def _with_extra_member(path, model, name, shape, data, compress=zipfile.ZIP_STORED):
    """`model`'s weights plus one member that declares `shape` but holds `data`."""
    model.save(path)
    with zipfile.ZipFile(path, "a", compress) as archive:
        _write_member(archive, name + ".npy", {"descr": "<f8", "fortran_order": False,
                                               "shape": shape}, data)


def _peak_bytes(call):
    """(result or raised exception, peak traced memory) of `call()`."""
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except ValueError as err:
            outcome = err
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


HUGE = (1 << 28,)  # 2 GiB of float64 declared in the header; the member holds 1 MB


def test_an_unexpected_huge_member_is_never_read(tmp_path):
    path = tmp_path / "extra.npz"
    model = nn.MLP([3, 4, 2], rng=0)
    _with_extra_member(path, nn.MLP([3, 4, 2], rng=1), "huge", HUGE, b"\0" * 1_000_000)
    before = _weights(model)
    err, peak = _peak_bytes(lambda: model.load(path))
    assert isinstance(err, ValueError)
    assert str(err) == f"load {str(path)!r} into MLP: unexpected 'huge' (no parameter was " \
                       "changed)"
    assert peak < 200_000, peak  # the 1 MB of data (let alone 2 GiB) was never read
    _assert_weights(model, before)


def test_a_member_whose_header_lies_about_its_size_costs_no_memory(tmp_path):
    path = tmp_path / "lying.npz"
    _with_extra_member(path, nn.MLP([3, 4, 2], rng=1), "huge", HUGE, b"\0" * 1_000_000)
    err, peak = _peak_bytes(lambda: nn.load_state(path))
    assert str(err) == (f"{str(path)!r} is damaged: 'huge' declares shape (268435456,) of "
                        "float64 (2147483648 bytes) but holds 1000000 bytes")
    assert peak < 3_000_000, peak  # at most the bytes that are really there


def test_shapes_and_dtypes_are_checked_from_the_headers_before_any_data(tmp_path):
    """The members below hold no data at all: reading any would say "damaged"."""
    path = tmp_path / "headers.npz"
    model = nn.MLP([3, 4, 2], rng=0)
    with zipfile.ZipFile(path, "w") as archive:
        for name, p in model.named_parameters():
            shape = (9, 9) if name == "layers.0.weight" else p.shape
            descr = "<U3" if name == "layers.1.bias" else "<f8"
            _write_member(archive, name + ".npy", {"descr": descr, "fortran_order": False,
                                                   "shape": shape})
    before = _weights(model)
    with pytest.raises(ValueError) as err:
        model.load(path)
    assert str(err.value) == (f"load {str(path)!r} into MLP: 'layers.0.weight' has shape "
                              "(9, 9), the parameter (3, 4); 'layers.1.bias' holds <U3 data, "
                              "not numbers (no parameter was changed)")
    _assert_weights(model, before)


def test_load_reads_only_the_members_it_loads(tmp_path, monkeypatch):
    import nn.npz
    path = tmp_path / "model.npz"
    model = nn.MLP([3, 4, 2], rng=0)
    model.save(path)
    read = []
    real = nn.npz._read_data
    monkeypatch.setattr(nn.npz, "_read_data", lambda archive, info, *rest:
                        read.append(info.filename) or real(archive, info, *rest))
    nn.MLP([3, 4, 2], rng=1).load(path)
    assert read == [name + ".npy" for name, _ in model.named_parameters()]


def _damage(path, kind):
    """Spoil the first member, layers.0.weight, of the archive at `path` in one way."""
    if kind == "data-byte":  # one byte of its data: zip's CRC check catches it
        raw = bytearray(path.read_bytes())
        raw[raw.index(b"NUMPY") + 200] ^= 0xFF
        path.write_bytes(bytes(raw))
        return
    state = nn.load_state(path)
    with zipfile.ZipFile(path, "w") as archive:  # members with valid CRCs but bad contents
        for name, arr in state.items():
            if name != "layers.0.weight":
                with archive.open(name + ".npy", "w") as member:
                    np.lib.format.write_array(member, arr)
            elif kind == "magic":
                archive.writestr(name + ".npy", b"PKnot an array")
            else:
                archive.writestr(name + ".npy", np.lib.format.magic(1, 0) + b"\x0a\x00{'descr'")


@pytest.mark.parametrize("kind, words", [
    ("data-byte", ["member 'layers.0.weight'", "CRC"]),
    ("magic", ["member 'layers.0.weight'", "magic string"]),
    ("header", ["member 'layers.0.weight'", "header"]),
], ids=["data-byte", "magic", "header"])
def test_a_damaged_member_names_the_file_and_the_member(tmp_path, kind, words):
    path = tmp_path / "model.npz"
    nn.MLP([3, 5, 2], rng=0).save(path)  # layers.0.weight: 15 numbers, 120 bytes + header
    _damage(path, kind)
    model = nn.MLP([3, 5, 2], rng=1)
    before = _weights(model)
    for load in (nn.load_state, model.load):
        with pytest.raises(ValueError) as err:
            load(path)
        assert str(err.value).startswith(f"{str(path)!r} is not a readable .npz file "
                                         "(truncated or damaged?): ")
        for word in words:
            assert word in str(err.value)
    _assert_weights(model, before)


@pytest.mark.parametrize("content, words, absent", [
    (b"layers.0.weight = [1, 2, 3]\n", ["is not an .npz archive", "b'layers.0.weight '"],
     "pickled"),
    (b"", ["not a readable .npz file"], "pickled"),
    (pickle.dumps({"w": 1.0}), ["looks like pickled Python objects", "refusing"], None),
], ids=["text", "empty", "pickle"])
def test_files_that_are_no_archive_say_what_they_are(tmp_path, content, words, absent):
    path = tmp_path / "weights.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError) as err:
        nn.load_state(path)
    assert str(err.value).startswith(repr(str(path)))
    for word in words:
        assert word in str(err.value)
    assert absent is None or absent not in str(err.value)


def test_archives_with_foreign_or_repeated_members_are_refused(tmp_path):
    path = tmp_path / "foreign.npz"
    nn.Linear(2, 1, rng=0).save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="member 'notes.txt' is not a .npy file"):
        nn.load_state(path)
    path = tmp_path / "twice.npz"
    nn.Linear(2, 1, rng=0).save(path)
    with pytest.warns(UserWarning, match="Duplicate name"), \
            zipfile.ZipFile(path, "a") as archive:
        with archive.open("bias.npy", "w") as member:
            np.lib.format.write_array(member, np.ones(1))
    with pytest.raises(ValueError, match="damaged: it holds 'bias' twice"):
        nn.load_state(path)


def test_files_numpy_wrote_load_too(tmp_path):
    """np.savez, np.savez_compressed (deflated members) and Fortran-ordered arrays."""
    weight = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / f"{save.__name__}.npz"
        save(path, weight=weight, bias=np.arange(3, dtype=np.float32))
        state = nn.load_state(path)
        np.testing.assert_array_equal(state["weight"], weight)
        assert state["bias"].dtype == np.float32
        state["weight"][0, 0] = 7.0  # the arrays are the caller's own
        layer = nn.Linear(2, 3, rng=0).load(path)
        np.testing.assert_array_equal(layer.weight.data, weight)


def test_loading_never_unpickles(tmp_path, monkeypatch):
    """Neither pickle nor np.load is called, whatever the file holds."""
    def forbidden(*args, **kwargs):
        raise AssertionError("unpickling or np.load was called")
    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    good = tmp_path / "good.npz"
    nn.Linear(2, 1, rng=0).save(good)
    nn.Linear(2, 1, rng=1).load(good)
    evil = tmp_path / "evil.npz"
    with zipfile.ZipFile(evil, "w") as archive:
        _write_member(archive, "weight.npy", {"descr": "|O", "fortran_order": False,
                                              "shape": (1,)}, pickle.dumps([1.0]))
    with pytest.raises(ValueError, match="holds pickled Python objects .*'weight' has dtype "
                                         "object.*refusing"):
        nn.load_state(evil)
