"""One real report of a small LSTM forecaster export, shared by the reporting tests that
read different parts of it (fields and TFLite in test_report.py, the batching file in
test_batching.py, the streaming rows in test_streaming_latency.py): each report starts
fresh TensorFlow processes (cold start, measure, TFLite), the dominant cost of these
tests, so the export is measured once instead of once per test."""

from __future__ import annotations

import pytest

from seqkit.reporting import report
from seqkit.serving import export
from tests.serving import models

#: the grid of the shared report (small: every option's code path, few calls)
SMALL = {"batch_sizes": (1, 4), "seq_lens": (3, 9), "repeats": 3, "calls_per_repeat": 8,
         "concurrent_calls": 25}
BATCHING_P99_MS = 1000  # every measured batch fits: the file's content is known


@pytest.fixture(scope="session")
def forecaster_report(tmp_path_factory):
    """``(model, export info, report result)``: an LSTM forecaster (8 units) with its
    serving_step signature, reported with cold start, concurrency, TFLite, plots and a
    batching budget."""
    model = models.forecaster("lstm")
    info = export(model, tmp_path_factory.mktemp("forecaster") / "forecaster",
                  task="forecasting")
    result = report(info.base_path, tflite=True, batching_p99_ms=BATCHING_P99_MS, **SMALL)
    return model, info, result
