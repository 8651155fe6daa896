"""Files written so that a reader never sees half of one, and values made JSON-able.

Example:

>>> import json, tempfile, pathlib, numpy as np
>>> from seqkit.fileio import jsonable, write_json_atomic
>>> jsonable({"n": np.int64(3), "shape": (2, 3), "ok": np.bool_(True)})
{'n': 3, 'shape': [2, 3], 'ok': True}
>>> path = write_json_atomic(pathlib.Path(tempfile.mkdtemp()) / "m.json", {"mae": 0.5})
>>> json.loads(path.read_text())
{'mae': 0.5}
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def write_text_atomic(path, text: str, *, fsync: bool = False) -> Path:
    """Write ``text`` to ``path`` through a hidden temp file beside it and a rename.

    A reader (TF Serving polling a folder, a resumed run, another worker) sees the old
    file or the new one, never a half-written one.

    Args:
        path: the file to write; its folder must exist.
        text: the content (UTF-8).
        fsync: also flush the temp file to disk before the rename (survives a power cut).

    Returns:
        ``Path(path)``.

    Example:

    >>> import tempfile, pathlib
    >>> p = write_text_atomic(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        if fsync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def write_json_atomic(path, data, *, fsync: bool = False) -> Path:
    """``data`` as indented JSON, written with :func:`write_text_atomic`.

    Args:
        path: the file to write.
        data: JSON-able data (anything else is written as ``str(value)``).
        fsync: flush to disk before the rename.

    Returns:
        ``Path(path)``.

    Example:

    >>> import tempfile, pathlib
    >>> write_json_atomic(pathlib.Path(tempfile.mkdtemp()) / "b.json", [1, 2]).read_text()
    '[\\n  1,\\n  2\\n]'
    """
    return write_text_atomic(path, json.dumps(data, indent=2, default=str), fsync=fsync)


def write_png_atomic(path, fig, *, dpi: int = 100) -> Path:
    """Write a matplotlib figure as a PNG beside ``path`` and rename it into place.

    Args:
        path: the file to write (its folder is created).
        fig: a ``matplotlib.figure.Figure``.
        dpi: dots per inch.

    Returns:
        ``Path(path)``.

    Example:

    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> out = write_png_atomic(pathlib.Path(tempfile.mkdtemp()) / "f.png", Figure())
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            fig.savefig(f, format="png", dpi=dpi)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def jsonable(obj):
    """``obj`` with NumPy scalars/arrays, tuples and paths turned into JSON types.

    Args:
        obj: nested dicts, lists, tuples, NumPy values, paths, plain values.

    Returns:
        The same structure of ``dict``/``list``/``int``/``float``/``bool``/``str``/``None``;
        NaN and infinities stay floats, anything else becomes its ``repr``.

    Example:

    >>> jsonable([np.float32(0.5), np.array([1, 2])])
    [0.5, [1, 2]]
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)  # NaN/inf stay floats (Python's json writes NaN/Infinity)
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    return repr(obj) if not hasattr(obj, "__fspath__") else str(obj)
