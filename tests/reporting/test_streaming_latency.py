"""The report's streaming rows: present (positive, finite, both calls at batch 1 and 64) for
an export with serving_step, absent with the export's reason for one without. Timings are
never asserted, only their signs and order."""

from __future__ import annotations

import json
import math
from pathlib import Path

import tensorflow as tf

from seqkit.reporting.modes import measure_streaming, streaming_lines
from seqkit.serving import export
from tests.serving import models


def _check_point(point):
    for key in ("p50_ms", "p99_ms", "throughput_eps"):
        assert math.isfinite(point[key]) and point[key] > 0
    assert point["p50_ms"] <= point["p99_ms"]


def test_streaming_rows_for_a_streaming_export(forecaster_report):
    _, _, result = forecaster_report  # an LSTM forecaster, lengths (3, 9), batches (1, 4)
    streaming = result["models"][0]["streaming"]
    assert streaming["available"] and streaming["signature"] == "serving_step"
    assert streaming["k"] == 1 and streaming["states"] == ["rnn_0_h", "rnn_0_c"]
    assert streaming["seq_len"] == 9  # dynamic time axis: the middle of [3, 9]
    assert [row["batch"] for row in streaming["rows"]] == [1, 64]
    for row in streaming["rows"]:
        _check_point(row["step"])
        _check_point(row["full"])
        assert math.isclose(row["ratio_p50"], row["full"]["p50_ms"] / row["step"]["p50_ms"])
    # batch 1 at length 9 is a grid point (taken from it); batch 64 is measured
    assert [row["full"]["source"] for row in streaming["rows"]] == ["grid", "measured"]
    grid = {(r["batch"], r["seq_len"]): r for r in result["models"][0]["latency"]["grid"]}
    assert streaming["rows"][0]["full"]["p50_ms"] == grid[(1, 9)]["p50_ms"]
    saved = json.loads(Path(result["files"]["json"]).read_text())
    assert saved["models"][0]["streaming"]["rows"][1]["batch"] == 64
    md = Path(result["files"]["markdown"]).read_text()
    assert "### Streaming (latency per new point)" in md
    assert md.count("| serving_step (k=1) |") == 2 and md.count("| full window (T=9) |") == 2
    assert md.count("| ratio full/step |") == 2


def test_no_rows_and_the_reason_for_a_declined_export(tmp_path):
    info = export(models.forecaster("gru", units=4), tmp_path / "fc", task="forecasting",
                  step_signature=False, warmup=False)
    streaming = measure_streaming(tf, {"path": str(info.path)}, {})
    assert streaming == {"available": False,
                         "reason": "not asked for (export(..., step_signature=False))"}
    lines = streaming_lines(streaming)
    assert lines[-1] == ("No `serving_step` signature: not asked for "
                         "(export(..., step_signature=False)).")
    assert not any("serving_step (k=1)" in line for line in lines)


def test_an_old_export_without_the_entry(tmp_path):
    info = export(models.forecaster("gru", units=4), tmp_path / "fc", task="forecasting",
                  warmup=False)
    meta_path = Path(info.path) / "assets.extra" / "seqkit_export.json"
    meta = json.loads(meta_path.read_text())
    del meta["streaming"]
    meta_path.write_text(json.dumps(meta))
    streaming = measure_streaming(tf, {"path": str(info.path)}, {})
    assert not streaming["available"] and "no 'streaming' entry" in streaming["reason"]
