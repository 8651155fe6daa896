"""The LSTM-vs-GRU comparison in a tiny configuration: the table, JSON and chart exist and
agree with independent counts."""

import json

from seqkit.cli import main
from seqkit.fit import FitResult


def test_compare_writes_consistent_table(tmp_path):
    out = tmp_path / "compare"
    assert main(["compare", "--tasks", "sequences", "--cells", "lstm,gru", "--epochs", "1",
                 "--units", "6", "--seeds", "2", "--out-dir", str(out),
                 "--saved-models-dir", str(tmp_path / "sm"), "--latency-repeats", "2"]) == 0
    results = json.loads((out / "compare.json").read_text())
    rows = results["tasks"]["sequences"]["rows"]
    assert set(rows) == {"lstm", "gru"}
    for cell, row in rows.items():
        model = FitResult.load(out / "runs" / f"sequences-{cell}-seed0" / "model").model
        assert row["params"] == model.count_params()  # the report's count, independently
        assert row["accuracy"]["n"] == 2 and 0 <= row["accuracy"]["mean"] <= 1
        assert row["p50_b1_ms"] <= row["p99_b1_ms"]
        assert row["peak_train_rss_mb"]["mean"] > 0
    assert rows["gru"]["params"] < rows["lstm"]["params"]
    table = (out / "compare.md").read_text()
    assert "| lstm |" in table and "| gru |" in table and "**gru/lstm**" in table
    assert f"{rows['gru']['params'] / rows['lstm']['params']:.2f}" in table
    assert (out / "compare.png").read_bytes()[:4] == b"\x89PNG"
