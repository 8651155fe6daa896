"""TF Serving's folder layout: ``base_path/<integer version>/`` (standard library only).

TF Serving watches ``base_path``, ignores children whose names are not integers, and serves
the highest version (by default). seqkit writes a version into a hidden temporary folder
``base_path/.tmp-<version>-<pid>`` and renames it into place, so the server never sees a
half-written version (serving#1086). Temporary folders left by a killed export are removed
by the next export once their process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from seqkit.errors import ConfigError, DataError

SAVED_MODEL_PB = "saved_model.pb"
_TMP_RE = re.compile(r"^\.(?:tmp|old)-(\d+)-(\d+)(?:\.paused)?$")


def check_version(version) -> int:
    """``version`` as a non-negative ``int``; ``ConfigError`` for anything else."""
    if isinstance(version, bool) or not isinstance(version, int):
        try:  # numpy integers
            import numpy as np

            if isinstance(version, np.integer):
                version = int(version)
        except ImportError:  # pragma: no cover
            pass
    if isinstance(version, bool) or not isinstance(version, int):
        raise ConfigError(
            f"version must be a non-negative integer (TF Serving version folders are "
            f"integers), got {version!r} of type {type(version).__name__}")
    if version < 0:
        raise ConfigError(f"version must be a non-negative integer, got {version}")
    return version


def numeric_children(base_path) -> list[int]:
    """Integer-named child folders of ``base_path`` (complete or not), sorted."""
    base = Path(base_path)
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.name.isdigit() and p.is_dir())


def list_versions(base_path) -> list[int]:
    """Versions under ``base_path`` that hold a ``saved_model.pb``, sorted ascending."""
    return [v for v in numeric_children(base_path)
            if (Path(base_path) / str(v) / SAVED_MODEL_PB).is_file()]


def latest_version(base_path) -> int | None:
    """The version TF Serving would serve (the highest), or None."""
    versions = list_versions(base_path)
    return versions[-1] if versions else None


def next_version(base_path) -> int:
    """One more than the highest integer-named child (1 for an empty base path)."""
    children = numeric_children(base_path)
    return (children[-1] + 1) if children else 1


def temp_dir(base_path, version: int, pid: int | None = None) -> Path:
    return Path(base_path) / f".tmp-{version}-{os.getpid() if pid is None else pid}"


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
    that is an integer); a base path resolves to its highest version. ``DataError`` when
    neither applies.
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
