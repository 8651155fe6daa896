"""UCR/UEA time-series classification files through aeon: find them on disk, read them.

Two kinds of source, both read offline (seqkit never downloads them):

- ``"ucr:<Name>"``: a problem of the UCR/UEA archive, read with
  ``aeon.datasets.load_classification(Name, split="train"/"test", extract_path=ROOT)``
  from the first ``ROOT`` that holds ``<Name>/<Name>_TRAIN.ts`` and ``<Name>_TEST.ts``:
  ``data_dir`` when given, then aeon's bundled data (``aeon/datasets/data``: ArrowHead,
  BasicMotions, JapaneseVowels, OSULeaf, ACSF1, GunPoint, ItalyPowerDemand, ... see
  :func:`list_ucr_datasets`), then aeon's download folder (``$AEON_DATA``, else
  ``~/aeon_data``). A name found in none of them is a
  :class:`~seqkit.errors.DatasetUnavailableError` that names the places and how to get the
  files; aeon is never asked to download.
- a path: a ``<Name>_TRAIN.ts`` file (its ``<Name>_TEST.ts`` beside it is the test split
  when present), a folder holding one ``*_TRAIN.ts``, or any other ``.ts`` file in the
  archive format (read with ``aeon.datasets.load_from_ts_file``; no test split of its own).

What this module returns is aeon's own: ``X`` as ``[N, channels, T]`` (a NumPy array) or,
for unequal lengths, a list of ``[channels, T_i]`` arrays, and ``y`` the labels as the file
writes them (strings: ``"1"``, ``"2"`` are two classes named ``"1"`` and ``"2"``).
:func:`seqkit.data.load_sequence_dataset` turns them into seqkit's ``[N, T, F]``.

aeon is an optional dependency: ``pip install 'seqkit[ucr]'``.

Example:

>>> from seqkit.data.ucr import load_ucr
>>> parts, description = load_ucr("ArrowHead")
>>> parts["train"][0].shape, parts["test"][0].shape, sorted(set(parts["train"][1].tolist()))
((36, 1, 251), (175, 1, 251), ['0', '1', '2'])
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from seqkit.errors import DataError, DatasetUnavailableError

__all__ = ["UCR_PREFIX", "list_ucr_datasets", "load_ts", "load_ucr", "ts_files", "ucr_roots"]

UCR_PREFIX = "ucr:"
_INSTALL = "pip install 'seqkit[ucr]'"
_ARCHIVE = "https://www.timeseriesclassification.com"


def _aeon_datasets(what: str):
    try:
        import aeon.datasets
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"{what} is read with aeon, which is not installed ({exc}); install the extra: "
            f"{_INSTALL}") from None
    return aeon.datasets


def _bundled_root() -> Path:
    return Path(_aeon_datasets("the UCR/UEA data").__file__).parent / "data"


def _aeon_home() -> Path:
    # aeon's download folder, resolved as aeon 1.6's dataset_collections._get_data_home
    # does (without creating it): $AEON_DATA, else ~/aeon_data.
    return Path(os.environ.get("AEON_DATA", "~/aeon_data")).expanduser()


def _has_pair(root: Path, name: str) -> bool:
    return all((root / name / f"{name}_{part}.ts").is_file() for part in ("TRAIN", "TEST"))


def _is_classification(train_file: Path) -> bool:
    with open(train_file, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = line.strip().lower().split()
            if words[:1] == ["@classlabel"]:
                return words[1:2] == ["true"]
            if words[:1] == ["@data"]:
                return False
    return False


def list_ucr_datasets() -> list[str]:
    """The UCR/UEA classification problems aeon ships in its package (read offline).

    Returns:
        Their sorted names (use them as ``"ucr:<Name>"``).

    Raises:
        DatasetUnavailableError: aeon is not installed (names the extra).

    Example:

    >>> {"ArrowHead", "BasicMotions", "JapaneseVowels"} <= set(list_ucr_datasets())
    True
    """
    root = _bundled_root()
    return sorted(p.name for p in root.iterdir()
                  if _has_pair(root, p.name) and _is_classification(
                      root / p.name / f"{p.name}_TRAIN.ts"))


def ucr_roots(data_dir=None) -> list[Path]:
    """Where ``"ucr:<Name>"`` is looked for, in order.

    Args:
        data_dir: a folder holding ``<Name>/<Name>_TRAIN.ts`` (and ``_TEST.ts``), or None.

    Returns:
        ``[data_dir (when given), aeon's bundled data, aeon's download folder]``.

    Example:

    >>> [p.name for p in ucr_roots("/tmp/ucr")][::2]
    ['ucr', 'aeon_data']
    """
    roots = [Path(data_dir).expanduser()] if data_dir is not None else []
    return roots + [_bundled_root(), _aeon_home()]


def _not_found(name: str, roots: list[Path]) -> DatasetUnavailableError:
    bundled = list_ucr_datasets()
    close = difflib.get_close_matches(name, bundled, n=3, cutoff=0.6)
    return DatasetUnavailableError(
        f"UCR/UEA problem {name!r} is not bundled with aeon and not on disk: looked for "
        f"{name}/{name}_TRAIN.ts and {name}/{name}_TEST.ts in "
        f"{[str(r) for r in roots]}. seqkit never downloads: get the two files from "
        f"{_ARCHIVE} (or run aeon.datasets.load_classification({name!r}, extract_path=DIR) "
        f"once on a machine with the network), then pass data_dir=DIR (the folder holding "
        f"{name}/) or the path of {name}_TRAIN.ts."
        + (f" Did you mean {close}?" if close else f" Bundled: {bundled}"))


def load_ucr(name: str, data_dir=None) -> tuple[dict, str]:
    """Read the official train and test splits of a UCR/UEA problem, offline.

    Args:
        name: the problem's name as the archive spells it (``"ArrowHead"``); the
            ``"ucr:"`` prefix is allowed.
        data_dir: a folder holding ``<name>/<name>_TRAIN.ts`` and ``_TEST.ts`` (looked at
            first), or None for aeon's bundled data and download folder only.

    Returns:
        ``({"train": (X, y), "test": (X, y)}, description)`` as aeon gives them: ``X``
        ``[N, channels, T]`` or a list of ``[channels, T_i]`` arrays, ``y`` strings.

    Raises:
        DatasetUnavailableError: aeon missing (names the extra), or the files are in none
            of :func:`ucr_roots` (names them and how to get the files).
        DataError: an empty or path-like name.

    Example:

    >>> parts, _ = load_ucr("ucr:BasicMotions")
    >>> parts["train"][0].shape  # 40 series, 6 channels, 100 steps
    (40, 6, 100)
    """
    if name.startswith(UCR_PREFIX):
        name = name[len(UCR_PREFIX):]
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise DataError(f"a UCR/UEA name must be a plain name like 'ArrowHead', got {name!r}")
    datasets = _aeon_datasets(f"ucr:{name}")
    roots = ucr_roots(data_dir)
    root = next((r for r in roots if _has_pair(r, name)), None)
    if root is None:
        raise _not_found(name, roots)
    parts = {split: datasets.load_classification(name, split=split, extract_path=str(root))
             for split in ("train", "test")}
    return parts, f"UCR/UEA {name} (aeon load_classification, {root / name})"


def ts_files(path) -> tuple[Path, Path | None]:
    """The ``(train, test or None)`` ``.ts`` files a path names.

    Args:
        path: a ``<Name>_TRAIN.ts`` file (its ``<Name>_TEST.ts`` sibling is the test file
            when present), a folder holding exactly one ``*_TRAIN.ts``, or another ``.ts``
            file (no test file).

    Returns:
        ``(train file, test file or None)``.

    Raises:
        DataError: a missing path, a folder without exactly one ``*_TRAIN.ts``, a file that
            is not ``.ts``.

    Example:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for part in ("TRAIN", "TEST"):
    ...     _ = (folder / f"Tiny_{part}.ts").write_text("@data\\n")
    >>> [p.name for p in ts_files(folder)]
    ['Tiny_TRAIN.ts', 'Tiny_TEST.ts']
    """
    path = Path(path).expanduser()
    if path.is_dir():
        found = sorted(path.glob("*_TRAIN.ts"))
        if len(found) != 1:
            raise DataError(f"folder {str(path)!r} must hold exactly one *_TRAIN.ts file "
                            f"(the archive's <Name>_TRAIN.ts), found {[p.name for p in found]}")
        path = found[0]
    if not path.is_file() or path.suffix.lower() != ".ts":
        raise DataError(f"{str(path)!r} is not an existing .ts file (the UCR/UEA archive "
                        "format) or a folder holding one <Name>_TRAIN.ts")
    if path.name.endswith("_TRAIN.ts"):
        test = path.with_name(path.name[: -len("_TRAIN.ts")] + "_TEST.ts")
        return path, (test if test.is_file() else None)
    return path, None


def _read_ts(path: Path):
    datasets = _aeon_datasets(f"the .ts file {str(path)!r}")
    try:
        out = datasets.load_from_ts_file(str(path))
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise DataError(f"cannot read {str(path)!r} as a .ts file (aeon: {exc})") from None
    if not isinstance(out, tuple) or len(out) < 2 or out[1] is None or not len(out[1]):
        raise DataError(f"{str(path)!r} holds no class labels (@classLabel true ... and a "
                        "label after each series)")
    return out[0], out[1]


def load_ts(path) -> tuple[dict, str]:
    """Read a ``.ts`` file (and its ``_TEST.ts`` sibling) with aeon's ``load_from_ts_file``.

    Args:
        path: as :func:`ts_files` takes it.

    Returns:
        ``({"train": (X, y), "test": (X, y) or None}, description)``, ``X`` and ``y`` as
        aeon gives them (see the module docstring).

    Raises:
        DataError: as :func:`ts_files`, a file aeon cannot parse, a file without labels.
        DatasetUnavailableError: aeon is not installed.

    Example:

    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "Tiny_TRAIN.ts"
    >>> _ = file.write_text("@problemName Tiny\\n@timeStamps false\\n@univariate true\\n"
    ...                     "@classLabel true a b\\n@data\\n1,2,3:a\\n4,5,6:b\\n")
    >>> parts, _ = load_ts(file)
    >>> parts["train"][0].shape, parts["train"][1].tolist(), parts["test"]
    ((2, 1, 3), ['a', 'b'], None)
    """
    train, test = ts_files(path)
    parts = {"train": _read_ts(train), "test": _read_ts(test) if test is not None else None}
    files = f"{train}" + (f" and {test.name}" if test is not None else "")
    return parts, f".ts file {files} (aeon load_from_ts_file)"
