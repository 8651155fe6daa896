"""seqkit.anomaly.data against aeon's own loaders (load_kdd_tsad_135, load_daphnet_s06r02e0)."""

from __future__ import annotations

import dataclasses
import sys
import warnings

import numpy as np
import pytest

from seqkit.anomaly import data
from seqkit.anomaly.data import AnomalySeries, list_anomaly_series, load_anomaly_series
from seqkit.errors import DataError, DatasetUnavailableError

aeon_datasets = pytest.importorskip("aeon.datasets")


def test_list_anomaly_series():
    assert list_anomaly_series() == ["daphnet_s06r02e0", "kdd_tsad_135"]


def test_kdd_tsad_135_is_aeons_series_with_its_training_prefix():
    x_test, y_test = aeon_datasets.load_kdd_tsad_135("test")
    x_train, y_train = aeon_datasets.load_kdd_tsad_135("train")
    series = load_anomaly_series("kdd_tsad_135")
    assert isinstance(series, AnomalySeries) and series.name == "kdd_tsad_135"
    assert series.values.shape == (x_test.shape[0], 1) == (7501, 1)
    assert series.values.dtype == np.float64 and series.labels.dtype == np.int64
    np.testing.assert_array_equal(series.values[:, 0], x_test)
    np.testing.assert_array_equal(series.labels, y_test)
    # the training file is the anomaly-free prefix: its length is train_end
    assert series.train_end == x_train.shape[0] == 1200
    np.testing.assert_array_equal(series.values[:series.train_end, 0], x_train)
    assert not y_train.any() and not series.labels[:series.train_end].any()
    # the one labelled range, read off aeon's labels directly
    idx = np.flatnonzero(y_test)
    assert series.ranges == [(int(idx[0]), int(idx[-1]))] == [(4187, 4198)]
    assert len(idx) == idx[-1] - idx[0] + 1  # contiguous
    assert "KDD-TSAD_135" in series.source and "_TEST.csv" in series.source


def test_daphnet_is_aeons_series():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated in aeon 1.6
        x, y = aeon_datasets.load_daphnet_s06r02e0()
    series = load_anomaly_series("daphnet_s06r02e0")
    assert series.values.shape == x.shape == (7040, 9)
    np.testing.assert_array_equal(series.values, x.astype(np.float64))
    np.testing.assert_array_equal(series.labels, y)
    assert series.train_end is None
    assert int(series.labels.sum()) == 0  # this excerpt has no freezing episode
    assert "no labelled anomaly" in series.source


def test_series_is_frozen():
    series = load_anomaly_series("kdd_tsad_135")
    with pytest.raises(dataclasses.FrozenInstanceError):
        series.train_end = 0


def test_unknown_name_lists_the_names():
    with pytest.raises(DataError, match=r"name must be one of \('daphnet_s06r02e0', "
                                        r"'kdd_tsad_135'\), got 'ucr_135'"):
        load_anomaly_series("ucr_135")


def test_missing_file_names_the_path_and_never_downloads(monkeypatch):
    gone = data._Source("Daphnet_Gone", "S06R02E0.csv", None, "gone")
    monkeypatch.setitem(data._SOURCES, "daphnet_s06r02e0", gone)
    with pytest.raises(DatasetUnavailableError) as info:
        load_anomaly_series("daphnet_s06r02e0")
    message = str(info.value)
    assert "Daphnet_Gone/S06R02E0.csv" in message and "never downloads" in message
    assert "aeon>=1.6,<1.7" in message


def test_without_aeon_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "aeon", None)
    with pytest.raises(DatasetUnavailableError, match=r"aeon is not installed.*"
                                                      r"seqkit\[ucr\].*never downloads"):
        load_anomaly_series("kdd_tsad_135")


def _write(path, rows, header="timestamp,value,is_anomaly"):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")


def _fake_root(monkeypatch, tmp_path, test_rows, train_rows):
    folder = tmp_path / "Fake"
    folder.mkdir()
    _write(folder / "TEST.csv", test_rows)
    _write(folder / "TRAIN.csv", train_rows)
    monkeypatch.setitem(data._SOURCES, "kdd_tsad_135",
                        data._Source("Fake", "TEST.csv", "TRAIN.csv", "fake"))
    monkeypatch.setattr(data, "_aeon_data_root", lambda name: (
        tmp_path, aeon_datasets.load_from_timeeval_csv_file))


def test_bad_files_are_named(monkeypatch, tmp_path):
    _fake_root(monkeypatch, tmp_path, [(0, 1.0, 0), (1, 2.0, 2)], [(0, 1.0, 0)])
    with pytest.raises(DataError, match=r"labels\[1\] of .*TEST.csv must be 0 or 1, got 2"):
        load_anomaly_series("kdd_tsad_135")


def test_training_file_must_be_the_anomaly_free_prefix(monkeypatch, tmp_path):
    test_rows = [(0, 1.0, 0), (1, 2.0, 0), (2, 3.0, 1)]
    _fake_root(monkeypatch, tmp_path, test_rows, [(0, 1.0, 0), (1, 2.5, 0)])
    with pytest.raises(DataError, match="must be the first points of the series"):
        load_anomaly_series("kdd_tsad_135")
    _write(tmp_path / "Fake" / "TRAIN.csv", [(0, 1.0, 0), (1, 2.0, 1)])
    with pytest.raises(DataError, match="must be anomaly-free, got 1 labelled points"):
        load_anomaly_series("kdd_tsad_135")
    _write(tmp_path / "Fake" / "TRAIN.csv", [(0, 1.0, 0), (1, 2.0, 0)])
    series = load_anomaly_series("kdd_tsad_135")
    assert series.train_end == 2 and series.ranges == [(2, 2)]
