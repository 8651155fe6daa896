"""Labelled anomaly series that ship offline, inside aeon's wheel.

Two series, read from aeon's bundled folder (``aeon/datasets/data``) with aeon's own
TimeEval CSV reader, ``aeon.datasets.load_from_timeeval_csv_file`` (``pandas.read_csv``
with the timestamp as index, the last column ``is_anomaly`` as labels, the columns in
between as values), exactly as ``aeon.datasets.load_kdd_tsad_135`` and
``load_daphnet_s06r02e0`` read them. seqkit never downloads: aeon's
``load_anomaly_detection`` would fetch the TimeEval index and collections from the
network, so it is not used.

- ``"kdd_tsad_135"``: series 135 of the UCR anomaly archive as the KDD 2021 competition
  (and TimeEval's "KDD-TSAD" collection) ships it, ``135_UCR_Anomaly_InternalBleeding16``:
  7,501 points (aeon: the heart rate of a patient with internal bleeding), one labelled
  anomaly, points 4187 to 4198 in TimeEval's labels. The archive's original file name,
  ``135_UCR_Anomaly_InternalBleeding16_1200_4187_4199.txt``, encodes the anomaly-free
  training prefix (1,200 points) and the anomaly; aeon drops that name and ships two
  TimeEval files instead: ``_TEST.csv``, the whole series with its labels, and
  ``_TRAIN.csv``, its first 1,200 points, all labelled 0 (TimeEval's "semi-supervised"
  learning type). Here ``values`` and ``labels`` are the test file, and ``train_end`` is
  the training file's length (checked to be the test file's prefix, anomaly-free).
- ``"daphnet_s06r02e0"``: subject 6, run 2 of the Daphnet freezing-of-gait recordings
  (Roggen, Plotnik & Hausdorff 2013, UCI), TimeEval's excerpt ``S06R02E0``: 7,040 points
  of 9 accelerometer channels (ankle, thigh and trunk, 3 axes each, in mg, 64 Hz), no
  training part (``train_end=None``, TimeEval's "unsupervised"). Beware: this excerpt
  holds no freezing episode, so every label is 0; aeon 1.6 deprecates it for that reason
  and aeon 1.7 removes the folder. It serves to run detectors on a real multivariate
  series (false alarms, run time), not to measure recall.

Example:

>>> from seqkit.anomaly.data import list_anomaly_series, load_anomaly_series
>>> list_anomaly_series()
['daphnet_s06r02e0', 'kdd_tsad_135']
>>> series = load_anomaly_series("kdd_tsad_135")
>>> series.values.shape, series.train_end, series.ranges
((7501, 1), 1200, [(4187, 4198)])
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from seqkit.anomaly.metrics import ranges_from_labels
from seqkit.errors import DataError, DatasetUnavailableError
from seqkit.validation import check_choice

__all__ = ["AnomalySeries", "list_anomaly_series", "load_anomaly_series"]

_INSTALL = "pip install 'seqkit[ucr]'"


@dataclasses.dataclass(frozen=True)
class _Source:
    folder: str  # inside aeon/datasets/data
    test_file: str  # the whole series with its labels
    train_file: str | None  # its anomaly-free prefix, when the source has one
    description: str


_SOURCES = {
    "kdd_tsad_135": _Source(
        "KDD-TSAD_135", "135_UCR_Anomaly_InternalBleeding16_TEST.csv",
        "135_UCR_Anomaly_InternalBleeding16_TRAIN.csv",
        "UCR anomaly archive 135 (InternalBleeding16), TimeEval KDD-TSAD, as aeon ships "
        "it (load_kdd_tsad_135)"),
    "daphnet_s06r02e0": _Source(
        "Daphnet_S06R02E0", "S06R02E0.csv", None,
        "Daphnet freezing of gait S06R02E0, TimeEval excerpt as aeon 1.6 ships it "
        "(load_daphnet_s06r02e0; no labelled anomaly in this excerpt)"),
}


@dataclasses.dataclass(frozen=True, eq=False)
class AnomalySeries:
    """One labelled series.

    Args:
        name: the name given to :func:`load_anomaly_series`.
        values: ``[T, F]`` float64, the series (``F = 1`` when univariate).
        labels: ``[T]`` int64 0/1, 1 on the labelled anomalous points.
        train_end: points ``[0, train_end)`` are anomaly-free training data when the
            source says so (a separate training file that is the series' prefix); else
            None.
        source: where the data came from (file and loader).
    """

    name: str
    values: np.ndarray
    labels: np.ndarray
    train_end: int | None
    source: str

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The labelled anomalies as inclusive ``(start, end)`` ranges."""
        return ranges_from_labels(self.labels)


def list_anomaly_series() -> list[str]:
    """The names :func:`load_anomaly_series` reads (offline, from aeon's wheel).

    Returns:
        Their sorted names.

    Example:

    >>> "kdd_tsad_135" in list_anomaly_series()
    True
    """
    return sorted(_SOURCES)


def _aeon_data_root(name: str) -> tuple[Path, object]:
    """aeon's bundled data folder and its TimeEval CSV reader."""
    try:
        import aeon
        from aeon.datasets import load_from_timeeval_csv_file
    except ImportError as exc:
        raise DatasetUnavailableError(
            f"anomaly series {name!r} is read from the files aeon ships, and aeon is not "
            f"installed ({exc}); install the extra: {_INSTALL}. seqkit never downloads "
            "data sets.") from None
    return Path(aeon.__file__).parent / "datasets" / "data", load_from_timeeval_csv_file


def _read(name: str, path: Path, reader) -> tuple[np.ndarray, np.ndarray]:
    """``(values [T, F] float64, labels [T] int64)`` of one TimeEval CSV file."""
    if not path.is_file():
        import aeon

        raise DatasetUnavailableError(
            f"anomaly series {name!r} needs {path}, which the installed aeon "
            f"{aeon.__version__} does not ship (aeon 1.7 drops Daphnet_S06R02E0). seqkit "
            f"never downloads data sets: install aeon>=1.6,<1.7 ({_INSTALL}).")
    x, y = reader(path)
    values = np.asarray(x, dtype=np.float64)
    values = values[:, None] if values.ndim == 1 else values
    labels = np.asarray(y)
    bad = ~((labels == 0) | (labels == 1))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"labels[{i}] of {path} must be 0 or 1, got {labels[i].item()!r}")
    if not np.isfinite(values).all():
        raise DataError(f"values of {path} must be finite, got a NaN or infinity")
    return values, labels.astype(np.int64)


def _train_end(name: str, path: Path, reader, values: np.ndarray) -> int:
    """The length of the training file, checked to be the series' anomaly-free prefix."""
    train, train_labels = _read(name, path, reader)
    end = train.shape[0]
    if end > values.shape[0] or not np.array_equal(train, values[:end]):
        raise DataError(f"the training file {path} must be the first points of the series "
                        f"({values.shape[0]} points), got {end} points that differ")
    if train_labels.any():
        raise DataError(f"the training file {path} must be anomaly-free, got "
                        f"{int(train_labels.sum())} labelled points")
    return end


def load_anomaly_series(name: str) -> AnomalySeries:
    """Read one labelled anomaly series that aeon ships, offline.

    Args:
        name: a name of :func:`list_anomaly_series`.

    Returns:
        An :class:`AnomalySeries` (values as aeon's reader gives them, as float64).

    Raises:
        DataError: an unknown name (lists the names), a file whose labels are not 0/1,
            a training file that is not the series' anomaly-free prefix.
        DatasetUnavailableError: aeon is not installed, or does not ship the file (names
            the path; nothing is downloaded).

    Example:

    >>> daphnet = load_anomaly_series("daphnet_s06r02e0")
    >>> daphnet.values.shape, daphnet.train_end, int(daphnet.labels.sum())
    ((7040, 9), None, 0)
    >>> load_anomaly_series("nab")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: name must be one of ('daphnet_s06r02e0', 'kdd_tsad_135'), \
got 'nab'
    """
    check_choice("name", name, tuple(list_anomaly_series()), error=DataError)
    spec = _SOURCES[name]
    root, reader = _aeon_data_root(name)
    folder = root / spec.folder
    values, labels = _read(name, folder / spec.test_file, reader)
    train_end = None
    if spec.train_file is not None:
        train_end = _train_end(name, folder / spec.train_file, reader, values)
    return AnomalySeries(name=name, values=values, labels=labels, train_end=train_end,
                         source=f"{spec.description}: {folder / spec.test_file}")
