"""Weights files: numpy `.npz` archives, written so that no failure loses the old file and
read without trusting them.

An `.npz` file is a zip archive with one `<name>.npy` member per array, as `np.savez`
writes it; `np.load` reads what `write_npz` writes. We write it ourselves because
`np.savez(file, **arrays)` reserves the names `file` and `allow_pickle`, and we read it
ourselves so that every member's header (its name, shape and dtype) is checked before any
array data is read, and only then the data. Nothing is ever unpickled.
"""
from __future__ import annotations

import math
import os
import secrets
import zipfile
import zlib

import numpy as np

_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` (name -> array) to `path` as an `.npz` archive, atomically.

    The archive goes to a new file in the same folder, which then replaces `path` in one
    step (`os.replace`), so a failure at any point (a full disk, an interrupt, an array
    that cannot be written) leaves the previous file at `path` as it was. Through a
    symbolic link, the file it points to is replaced.
    """
    path = os.path.realpath(path)
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
                for key, array in arrays.items():
                    with archive.open(key + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asarray(array),
                                                  allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def read_npz(path: str | os.PathLike, check=None) -> dict[str, np.ndarray]:
    """The arrays of the `.npz` archive at `path`, by name (a member `w.npy` is `w`).

    First every member's header is read and checked: it must be a `.npy` array of plain
    data (an object array would need unpickling: refused). Then `check(headers)`, if
    given, sees {name: (shape, dtype)} and may raise before any array data is read. Then
    the data is read, each member at most as long as its header declares. Every problem
    raises ValueError naming the file (FileNotFoundError and other OS errors as they are).
    """
    where = repr(os.fspath(path))
    with open(path, "rb") as f:
        try:
            archive = zipfile.ZipFile(f)
        except zipfile.BadZipFile:
            f.seek(0)
            raise _not_an_archive(where, f.read(16)) from None
        with archive:
            headers = {}
            for info in archive.infolist():
                name, header = _read_header(archive, info, where)
                if name in headers:
                    raise ValueError(f"{where} is damaged: it holds {name!r} twice")
                headers[name] = header
            if check is not None:
                check({name: (shape, dtype) for name, (_, shape, _, dtype) in headers.items()})
            return {name: _read_data(archive, *header, where)
                    for name, header in headers.items()}


def _not_an_archive(where: str, start: bytes) -> ValueError:
    """The error for a file that is no zip archive, saying what it seems to be instead."""
    if start.startswith(np.lib.format.MAGIC_PREFIX):
        return ValueError(f"{where} holds a single array, not an .npz archive of named "
                          "parameters (write one with Module.save)")
    if start[:1] == b"\x80":  # the first byte of every pickle since protocol 2
        return ValueError(f"{where} looks like pickled Python objects; refusing to load it, "
                          "because unpickling can run arbitrary code. Only .npz archives of "
                          "plain numeric arrays, as Module.save writes them, are accepted.")
    if not start or start.startswith(b"PK"):  # a zip archive's first bytes
        return ValueError(f"{where} is not a readable .npz file (truncated or damaged?)")
    return ValueError(f"{where} is not an .npz archive (it starts with {start!r}); write "
                      "one with Module.save")


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple:
    """(name, (info, shape, fortran_order, dtype)) of one member, from its .npy header."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{where} is no archive of arrays: member {info.filename!r} is not "
                         "a .npy file")
    name = info.filename[:-len(".npy")]
    try:
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version not in _HEADER_READERS:
                raise ValueError(f"unsupported .npy format version {version}")
            shape, fortran_order, dtype = _HEADER_READERS[version](member)
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise ValueError(f"{where} is not a readable .npz file (truncated or damaged?): "
                         f"member {name!r}: {err}") from None
    if dtype.hasobject:
        raise ValueError(f"{where} holds pickled Python objects ({name!r} has dtype "
                         f"{dtype}); refusing to load it, because unpickling can run "
                         "arbitrary code. Only plain numeric arrays, as Module.save writes "
                         "them, are accepted.")
    return name, (info, shape, fortran_order, dtype)


def _read_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shape: tuple,
               fortran_order: bool, dtype: np.dtype, where: str) -> np.ndarray:
    """The array of one member: no more bytes are read than its header declares (plus one,
    to tell a member that holds more), so a lying header cannot cost memory."""
    name = info.filename[:-len(".npy")]
    nbytes = math.prod(shape) * dtype.itemsize
    try:
        with archive.open(info) as member:
            _HEADER_READERS[np.lib.format.read_magic(member)](member)
            data = member.read(nbytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise ValueError(f"{where} is not a readable .npz file (truncated or damaged?): "
                         f"member {name!r}: {err}") from None
    if len(data) != nbytes:
        raise ValueError(f"{where} is damaged: {name!r} declares shape {shape} of {dtype} "
                         f"({nbytes} bytes) but holds {len(data)}"
                         f"{' or more' if len(data) > nbytes else ''} bytes")
    flat = np.frombuffer(data, dtype)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy()  # writable
