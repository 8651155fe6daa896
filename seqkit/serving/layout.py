"""TF Serving's folder layout, and publishing a version into it (no TensorFlow needed).

TF Serving watches ``base_path``, ignores children whose names are not integers, and serves
the highest version (by default)::

    base_path/<version>/saved_model.pb, variables/, assets/, fingerprint.pb
    base_path/<version>/assets.extra/...      (warmup records, seqkit's export metadata)

seqkit writes a version into a hidden temporary folder ``base_path/.tmp-<version>-<pid>``,
flushes it to disk (:func:`fsync_tree`) and renames it into place (:func:`publish`), so the
server never sees a half-written version (serving#1086). Temporary folders left by a killed
export are removed by the next export once their process is gone
(:func:`clean_stale_temp`).

A server holding several models reads ``models.config``, a text-format
``ModelServerConfig`` (``--model_config_file``) listing one ``base_path`` per model::

    model_config_list {
      config { name: "lstm" base_path: "/models/lstm" model_platform: "tensorflow" }
      config { name: "gru" base_path: "/models/gru" model_platform: "tensorflow" }
    }

:func:`write_models_config` builds it with ``tensorflow_serving.config.
model_server_config_pb2`` for every model folder under a root and parses it back before it
is written, so what is on disk always parses. (The batching parameters file is written by
:mod:`seqkit.reporting.batching`.)
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from seqkit.errors import ConfigError, DataError, ExportError
from seqkit.fileio import write_text_atomic
from seqkit.validation import check_int, fail

SAVED_MODEL_PB = "saved_model.pb"
ASSETS_EXTRA = "assets.extra"
MODELS_CONFIG = "models.config"
_TMP_RE = re.compile(r"^\.(?:tmp|old)-(\d+)-(\d+)$")


# ----------------------------------------------------------------------------- versions


def check_version(version) -> int:
    """``version`` as a non-negative ``int`` (TF Serving version folders are integers).

    Args:
        version: the version asked for (Python or NumPy integer; booleans are refused).

    Returns:
        ``int(version)``.

    Raises:
        ConfigError: anything but a non-negative integer.

    Example:

    >>> check_version(3)
    3
    >>> check_version("2")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: version must be an integer >= 0, got '2'
    """
    return check_int("version", version, minimum=0)


def numeric_children(base_path) -> list[int]:
    """Integer-named child folders of ``base_path`` (complete or not), sorted.

    Args:
        base_path: a model's folder; a missing one has no children.

    Returns:
        The integers, ascending.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> for name in ("2", "10", "report-v2", ".tmp-11-1"):
    ...     (base / name).mkdir()
    >>> numeric_children(base)
    [2, 10]
    >>> tmp.cleanup()
    """
    base = Path(base_path)
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.name.isdigit() and p.is_dir())


def list_versions(base_path) -> list[int]:
    """Versions under ``base_path`` that hold a ``saved_model.pb``, sorted ascending.

    Args:
        base_path: a model's folder (TF Serving's ``--model_base_path``).

    Returns:
        The complete versions (an integer folder without ``saved_model.pb`` is skipped).

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> (base / "1").mkdir(); (base / "2").mkdir()
    >>> _ = (base / "1" / SAVED_MODEL_PB).write_bytes(b"")
    >>> list_versions(base)
    [1]
    >>> tmp.cleanup()
    """
    return [v for v in numeric_children(base_path)
            if (Path(base_path) / str(v) / SAVED_MODEL_PB).is_file()]


def latest_version(base_path) -> int | None:
    """The version TF Serving would serve (the highest complete one), or None.

    Args:
        base_path: a model's folder.

    Returns:
        The highest of :func:`list_versions`, or ``None`` when there is none.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as base:
    ...     latest_version(base) is None
    True
    """
    versions = list_versions(base_path)
    return versions[-1] if versions else None


def next_version(base_path) -> int:
    """One more than the highest integer-named child (1 for an empty base path).

    Args:
        base_path: a model's folder (need not exist).

    Returns:
        The version a new export gets by default.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> next_version(base)
    1
    >>> (base / "7").mkdir()
    >>> next_version(base)
    8
    >>> tmp.cleanup()
    """
    children = numeric_children(base_path)
    return (children[-1] + 1) if children else 1


def temp_dir(base_path, version: int, pid: int | None = None) -> Path:
    """The hidden folder an export of ``version`` writes into before it is published.

    Args:
        base_path: a model's folder.
        version: the version being written.
        pid: the exporting process (default: this one).

    Returns:
        ``base_path/.tmp-<version>-<pid>``.

    Example:

    >>> temp_dir("models/gru", 3, pid=42).as_posix()
    'models/gru/.tmp-3-42'
    """
    return Path(base_path) / f".tmp-{version}-{os.getpid() if pid is None else pid}"


def prepare_base_path(base_path) -> Path:
    """``base_path`` as an absolute folder, created if missing and checked writable.

    Args:
        base_path: a model's folder (``str`` or ``os.PathLike``).

    Returns:
        The absolute path of the folder.

    Raises:
        ConfigError: ``base_path`` is not a path.
        ExportError: it (or one of its parents) is a file, or it cannot be created or
            written.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = Path(tmp.name)
    >>> prepare_base_path(root / "models" / "gru").is_dir()
    True
    >>> prepare_base_path(3)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: base_path must be a path (str or os.PathLike), got 3
    >>> tmp.cleanup()
    """
    if not isinstance(base_path, (str, os.PathLike)):
        fail("base_path", "a path (str or os.PathLike)", base_path)
    base = Path(base_path).expanduser().absolute()
    if base.exists() and not base.is_dir():
        raise ExportError(f"base_path {str(base)!r} is a file; it must be a folder "
                          f"(TF Serving's --model_base_path)")
    for parent in base.parents:
        if parent.exists() and not parent.is_dir():
            raise ExportError(f"cannot create {str(base)!r}: {str(parent)!r} is a file")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create base_path {str(base)!r}: {err}") from err
    if not os.access(base, os.W_OK):
        raise ExportError(f"base_path {str(base)!r} is not writable")
    return base


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temp(base_path) -> list[str]:
    """Remove ``.tmp-*``/``.old-*`` leftovers whose exporting process no longer runs.

    An ``.old-<version>-<pid>`` folder is the previous version moved aside by an overwrite;
    if that export died before its replacement was renamed in (no ``<version>`` folder),
    the old version is renamed back instead of deleted.

    Args:
        base_path: a model's folder.

    Returns:
        What was removed (``".tmp-1-999"``) or restored (``".old-2-999 (restored as 2)"``).

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> (base / ".tmp-1-999999999").mkdir()     # no such process
    >>> (base / ".old-2-999999999").mkdir()
    >>> clean_stale_temp(base)
    ['.old-2-999999999 (restored as 2)', '.tmp-1-999999999']
    >>> sorted(p.name for p in base.iterdir())
    ['2']
    >>> tmp.cleanup()
    """
    removed = []
    base = Path(base_path)
    if not base.is_dir():
        return removed
    for child in sorted(base.iterdir()):
        match = _TMP_RE.match(child.name)
        if not match or _pid_alive(int(match.group(2))):
            continue
        target = base / match.group(1)
        if child.name.startswith(".old-") and child.is_dir() and not target.exists():
            os.rename(child, target)
            removed.append(f"{child.name} (restored as {target.name})")
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        removed.append(child.name)
    return removed


def resolve_saved_model(path) -> tuple[Path, int | None, Path]:
    """``(base_path, version, version_dir)`` for a version folder or a base path.

    A folder holding ``saved_model.pb`` is taken as it is (its version is its name when
    that is an integer); a base path resolves to its highest version.

    Args:
        path: a version folder or a model's folder.

    Returns:
        The model's folder, the version (``None`` for a non-integer folder name) and the
        version folder.

    Raises:
        DataError: the path is missing, a file, or holds no version.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> (base / "4").mkdir()
    >>> _ = (base / "4" / SAVED_MODEL_PB).write_bytes(b"")
    >>> _, version, version_dir = resolve_saved_model(base)
    >>> version, version_dir.name
    (4, '4')
    >>> tmp.cleanup()
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"no SavedModel at {str(p)!r}: the path does not exist")
    if not p.is_dir():
        raise DataError(f"{str(p)!r} is a file, not a SavedModel folder or a base path")
    if (p / SAVED_MODEL_PB).is_file():
        version = int(p.name) if p.name.isdigit() else None
        return p.parent, version, p
    version = latest_version(p)
    if version is None:
        raise DataError(
            f"{str(p)!r} holds neither saved_model.pb nor an integer version folder with one")
    return p, version, p / str(version)


# --------------------------------------------------------------------------- publishing


def fsync_tree(path):
    """``fsync`` every file and folder under ``path``, so a rename publishes written data.

    Args:
        path: the folder to flush.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); folder = Path(tmp.name)
    >>> _ = (folder / "saved_model.pb").write_bytes(b"x")
    >>> fsync_tree(folder)
    >>> tmp.cleanup()
    """
    for root, dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for name in [*dirs, "."]:
            fsync_dir(os.path.join(root, name))


def fsync_dir(path):
    """``fsync`` one folder (its entries); silently skipped where folders cannot be opened.

    Args:
        path: the folder.

    Example:

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     fsync_dir(folder)
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, target: Path, overwrite: bool):
    """Rename the written folder ``tmp`` to the version folder ``target`` (atomic).

    With ``overwrite``, an existing ``target`` is first renamed aside to
    ``.old-<version>-<pid>`` (restored if the second rename fails), then deleted.

    Args:
        tmp: the complete, flushed temporary folder.
        target: ``base_path/<version>``.
        overwrite: whether an existing version may be replaced.

    Raises:
        ExportError: ``target`` exists without ``overwrite``, or the rename failed.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); base = Path(tmp.name)
    >>> (base / ".tmp-1-42").mkdir()
    >>> publish(base / ".tmp-1-42", base / "1", overwrite=False)
    >>> sorted(p.name for p in base.iterdir())
    ['1']
    >>> tmp.cleanup()
    """
    old = None
    if target.exists():
        if not overwrite:
            raise ExportError(f"version folder {str(target)!r} appeared during the export")
        old = target.parent / f".old-{target.name}-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError as err:
        if old is not None and not target.exists():
            os.rename(old, target)
        raise ExportError(f"could not publish {str(target)!r}: {err}") from err
    fsync_dir(str(target.parent))
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------ models.config


def find_models(saved_models_root) -> dict[str, Path]:
    """``{name: base_path}`` for every child folder of the root holding ≥ 1 version.

    Args:
        saved_models_root: the folder holding one folder per model.

    Returns:
        The models by folder name, sorted (hidden folders and folders without a complete
        version are skipped).

    Raises:
        ConfigError: the root is not a folder.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = Path(tmp.name)
    >>> (root / "gru" / "1").mkdir(parents=True)
    >>> _ = (root / "gru" / "1" / "saved_model.pb").write_bytes(b"")
    >>> (root / "notes").mkdir()
    >>> list(find_models(root))
    ['gru']
    >>> tmp.cleanup()
    """
    root = Path(saved_models_root)
    if not root.is_dir():
        raise ConfigError(f"saved_models_root {str(root)!r} is not a folder")
    return {child.name: child.absolute() for child in sorted(root.iterdir())
            if child.is_dir() and not child.name.startswith(".") and list_versions(child)}


def models_config_text(models: dict, *, base_path_prefix=None) -> str:
    """The ``ModelServerConfig`` text for ``{name: base_path}`` (validated by parsing).

    Args:
        models: ``{model name: base path}``.
        base_path_prefix: if given, each ``base_path`` is ``<prefix>/<name>`` (the folder
            as the server sees it) instead of the local path.

    Returns:
        The text-format proto.

    Example:

    >>> print(models_config_text({"gru": "/tmp/gru"}, base_path_prefix="/models"))
    model_config_list {
      config {
        name: "gru"
        base_path: "/models/gru"
        model_platform: "tensorflow"
      }
    }
    <BLANKLINE>
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = model_server_config_pb2.ModelServerConfig()
    for name, base_path in models.items():
        entry = config.model_config_list.config.add()
        entry.name = name
        entry.base_path = (str(base_path) if base_path_prefix is None
                           else f"{str(base_path_prefix).rstrip('/')}/{name}")
        entry.model_platform = "tensorflow"
    text = text_format.MessageToString(config)
    parsed = parse_models_config(text)
    if [c.name for c in parsed.model_config_list.config] != list(models):
        raise ConfigError("models.config did not round-trip")  # pragma: no cover
    return text


def parse_models_config(text_or_path):
    """Parse a ``models.config`` (text or path) into a ``ModelServerConfig``.

    Args:
        text_or_path: the text (it holds ``{``) or the file's path.

    Returns:
        A ``tensorflow_serving.config.model_server_config_pb2.ModelServerConfig``.

    Raises:
        DataError: the text does not parse.

    Example:

    >>> config = parse_models_config('model_config_list { config { name: "gru" } }')
    >>> [c.name for c in config.model_config_list.config]
    ['gru']
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    text = text_or_path
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str)
                                          and "{" not in text_or_path):
        text = Path(text_or_path).read_text()
    config = model_server_config_pb2.ModelServerConfig()
    try:
        text_format.Parse(text, config)
    except text_format.ParseError as err:
        raise DataError(f"not a valid ModelServerConfig: {err}") from err
    return config


def write_models_config(saved_models_root, path=None, *, base_path_prefix=None) -> Path:
    """Write ``models.config`` listing every model under ``saved_models_root``.

    A model is a child folder with at least one integer version holding ``saved_model.pb``
    (report folders and hidden temporary folders are skipped).

    Args:
        saved_models_root: the folder holding one folder per model.
        path: where to write; default ``saved_models_root/models.config``.
        base_path_prefix: replaces the local folder in ``base_path`` (e.g. ``"/models"``
            when the root is mounted there in the ``tensorflow/serving`` container);
            default: the absolute local path.

    Returns:
        The path written.

    Raises:
        ConfigError: no model under the root, or folder names unusable in URLs.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = Path(tmp.name)
    >>> for name in ("gru", "lstm"):
    ...     (root / name / "1").mkdir(parents=True)
    ...     _ = (root / name / "1" / "saved_model.pb").write_bytes(b"")
    >>> path = write_models_config(root, base_path_prefix="/models")
    >>> path.name
    'models.config'
    >>> [c.base_path for c in parse_models_config(path).model_config_list.config]
    ['/models/gru', '/models/lstm']
    >>> tmp.cleanup()
    """
    models = find_models(saved_models_root)
    if not models:
        raise ConfigError(f"no exported model under {str(saved_models_root)!r} (expected "
                          f"<root>/<name>/<version>/saved_model.pb)")
    bad = [n for n in models if not re.match(r"^[A-Za-z0-9_.\-]+$", n)]
    if bad:
        raise ConfigError(f"model folder names {bad} are not usable as model names in URLs")
    text = models_config_text(models, base_path_prefix=base_path_prefix)
    out = Path(path) if path is not None else Path(saved_models_root) / MODELS_CONFIG
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(out, text)
