"""The LSTM-vs-GRU study end to end in a tiny configuration (one task, 6 units, 2 epochs,
one seed, equal parameters: two training processes and one serving report; the statistics
over seeds are tested on synthetic numbers in tests/study), and its configuration's
checks. The runs fit no baselines (DTW, MiniRocket): the study reads none of them, and
they add their fits to each run process."""

import dataclasses
import json

import keras
import pytest

from seqkit.cli import main
from seqkit.errors import ConfigError
from seqkit.fit import FitResult
from seqkit.study.config import CompareConfig
from seqkit.study.presets import STUDY_TASKS


def test_presets_and_checks():
    quick, full = CompareConfig().resolved(), CompareConfig(preset="full").resolved()
    assert quick.seeds >= 3 and len(quick.tasks) == 1 and len(quick.sizes) == 1
    assert set(full.tasks) == {"forecast", "sequences", "ucr", "text"}
    assert full.sizes == [64, 256] and full.seeds >= 3
    assert CompareConfig(preset="full", sizes=[32]).resolved().sizes == [32]
    for bad, words in [({"preset": "huge"}, "preset must be"),
                       ({"sizes": [64, 0]}, "sizes must be an integer >= 1"),
                       ({"cells": ["lstm"]}, "cells must be a list of at least two"),
                       ({"seeds": 0}, "seeds must be")]:
        with pytest.raises(ConfigError, match=words):
            CompareConfig(**bad)


@pytest.mark.slow
def test_tiny_study_writes_tables_verdicts_and_plot(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(STUDY_TASKS, "sequences", dataclasses.replace(
        STUDY_TASKS["sequences"], fixed_options={"baselines": []}))  # the runs' options
    out = tmp_path / "compare"
    assert main(["compare", "--tasks", "sequences", "--sizes", "6", "--equal-params",
                 "--epochs", "2", "--seeds", "1", "--out-dir", str(out),
                 "--saved-models-dir", str(tmp_path / "sm"), "--latency-repeats", "2",
                 "--layer-bench", "false"]) == 0
    assert "[compare 1/2 ·" in capsys.readouterr().out  # progress with elapsed and ETA
    results = json.loads((out / "compare.json").read_text())
    (group,) = results["groups"]
    assert group["same_steps"] and set(group["runs"]) == {"lstm", "gru"}
    for cell, runs in group["runs"].items():
        (run,) = runs
        model = FitResult.load(out / "runs" / f"sequences-{cell}-{run['units']}u-seed0"
                               / "model").model
        assert run["params"] == model.count_params()  # our count against Keras'
        layer = getattr(keras.layers, cell.upper())(run["units"])
        layer.build((None, None, run["rnn_input_dim"]))
        assert run["rnn_params"] == layer.count_params()
        assert run["steps_run"] == group["runs"]["lstm"][0]["steps_run"] > 0
        assert run["s_per_step"] > 0 and run["p50_b1_ms"] <= run["p99_b1_ms"]
    lstm, gru = group["runs"]["lstm"][0], group["runs"]["gru"][0]
    assert gru["units"] > lstm["units"]  # equal params: the GRU gets more units
    assert abs(gru["rnn_params"] - lstm["rnn_params"]) / lstm["rnn_params"] < 0.1
    verdicts = {v["claim"]: v["overall"] for v in results["verdicts"]}
    assert verdicts["GRU trains faster"] == "not resolved at this budget"  # 1 seed < 3
    table = (out / "compare.md").read_text()
    assert table.index("| quantity | lstm | gru |") < table.index("## Verdicts")
    assert (out / "compare.png").read_bytes()[:4] == b"\x89PNG"
