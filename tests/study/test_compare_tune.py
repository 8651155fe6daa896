"""``seqkit compare --tune``: the same KerasTuner trial budget per cell, units within the
reference cell's parameters, the seeds run with what was found, trials reloaded on resume.

The run processes are stand-ins (tests/study/study_fakes.py) whose validation loss has a
known minimum; one real trial process is run by the slow test at the end."""

import json
import math

import pytest

from seqkit.errors import ConfigError
from seqkit.study import driver
from seqkit.study.config import CompareConfig
from seqkit.study.sizes import rnn_params
from seqkit.study.tuning import units_choices
from tests.study.study_fakes import FakeChildren, fake_serve


def study(tmp_path, **overrides):
    options = {"tasks": ["forecast"], "sizes": [16], "seeds": 3, "epochs": 2, "tune": 8,
               "layer_bench": False, "out_dir": str(tmp_path / "compare"),
               "saved_models_dir": str(tmp_path / "sm")}
    return CompareConfig(**{**options, **overrides})


def test_tune_same_trials_per_cell_budgeted_units_and_runs_use_the_result(
        tmp_path, monkeypatch):
    children = FakeChildren(tmp_path, best_lr=2e-3, best_units=12)
    monkeypatch.setattr(driver, "_run_child", children)
    monkeypatch.setattr(driver, "_serve_group", fake_serve)
    results = driver.run_compare(study(tmp_path), echo=lambda *_: None)

    (group,) = results["groups"]
    tuning = group["tuning"]
    trials = [o for o in children.options if not o["export"]]
    assert [sum(o["cell"] == c for o in trials) for c in ("lstm", "gru")] == [8, 8]
    assert all(o["seed"] == 0 and o["epochs"] == 2 and o["patience"] is None for o in trials)
    # the GRU may get more units than the LSTM, never more recurrent parameters
    gru_choices = units_choices("lstm", 16, "gru", input_dim=1)
    assert tuning["gru"]["units_choices"] == gru_choices and max(gru_choices) > 16
    assert 16 in gru_choices and len(gru_choices) == 5
    assert rnn_params("gru", max(gru_choices), input_dim=1) <= rnn_params("lstm", 16,
                                                                           input_dim=1)
    assert tuning["lstm"]["units_choices"] == [4, 8, 12, 16]
    # the first trial of each cell is the untuned setting (the study's learning rate and
    # units): tuning can only improve on it on validation
    first = {c: next(o for o in trials if o["cell"] == c) for c in ("lstm", "gru")}
    assert first["lstm"]["learning_rate"] == pytest.approx(3e-3) and first["lstm"]["units"] == 16
    assert first["gru"]["learning_rate"] == pytest.approx(3e-3)
    assert first["gru"]["units"] == 16  # the study's units: within the LSTM's parameters
    for cell, best in tuning.items():
        assert len(best["trials"]) == 8
        assert best["objective"] == min(t["objective"] for t in best["trials"])
        tried = {(t["learning_rate"], t["units"]) for t in best["trials"]}
        assert (best["learning_rate"], best["units"]) in tried
        assert 1e-4 <= best["learning_rate"] <= 1e-2
        # the fake's loss, recomputed: the tuner kept what the trial measured
        expected = math.log10(best["learning_rate"] / 2e-3) ** 2 + (
            (best["units"] - 12) / 4) ** 2
        assert best["objective"] == pytest.approx(expected)
        runs = [o for o in children.options if o["export"] and o["cell"] == cell]
        assert len(runs) == 3
        assert {(o["units"], o["learning_rate"]) for o in runs} == {
            (best["units"], best["learning_rate"])}
    md = (tmp_path / "compare" / "compare.md").read_text()
    assert "tuned with KerasTuner" in md and "forecast · 16u · tuned" in md

    # resume with the group's file gone: KerasTuner reloads its trials, none runs again
    (tmp_path / "compare" / "groups" / "forecast-16u.json").unlink()
    again = FakeChildren(tmp_path, best_lr=2e-3, best_units=12)
    monkeypatch.setattr(driver, "_run_child", again)
    resumed = driver.run_compare(study(tmp_path, resume=True), echo=lambda *_: None)
    assert again.names == []  # trials from KerasTuner's folder, runs from their records
    assert resumed["groups"][0]["tuning"]["gru"]["units"] == tuning["gru"]["units"]


def test_tune_checks():
    with pytest.raises(ConfigError, match="tune must be None or an integer >= 1, got 0"):
        CompareConfig(tune=0)
    with pytest.raises(ConfigError, match="equal_params must be False when tune is set"):
        CompareConfig(tune=4, equal_params=True)


@pytest.mark.slow
def test_one_real_trial_reports_the_final_validation_loss(tmp_path):
    config = study(tmp_path, tasks=["sequences"]).resolved()
    options = {**driver.job_options(config, "sequences", "gru", 4, 0, "digits"),
               "name": "trial", "export": False, "epochs": 1,
               "baselines": [],  # DTW and MiniRocket: seconds the trial does not use
               "runs_dir": str(tmp_path / "runs")}
    record = driver._run_child("sequences", options, None)
    saved = json.loads((tmp_path / "runs" / "trial" / "model" / "fit_result.json").read_text())
    assert record["objective"] == pytest.approx(saved["history"]["val_loss"][-1])
    assert len(saved["history"]["val_loss"]) == 1 and "test_loss" not in saved["history"]
    assert record["rnn_params"] == rnn_params("gru", 4, input_dim=record["rnn_input_dim"])
