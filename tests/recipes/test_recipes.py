"""Each recipe runs end to end in a tiny configuration; its outputs exist and parse."""

import json
from pathlib import Path

import numpy as np

from seqkit.cli import main


def _tiny(tmp_path, *extra):
    return ["--epochs", "1", "--units", "4", "--runs-dir", str(tmp_path / "runs"),
            "--saved-models-dir", str(tmp_path / "saved_models"), "--verbose", "0",
            "--no-report", *extra]


def _check_run(tmp_path, name, task):
    run_dir = tmp_path / "runs" / name
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["task"] == task
    config = json.loads((run_dir / "config.json").read_text())
    assert config["options"]["epochs"] == 1 and config["fit"]["units"] == 4
    assert json.loads((run_dir / "metrics.json").read_text()) == summary["metrics"]
    assert (run_dir / "history.png").read_bytes()[:4] == b"\x89PNG"
    export = Path(summary["outputs"]["export"])
    assert export.parent == tmp_path / "saved_models" / name and export.name.isdigit()
    assert (export / "saved_model.pb").is_file()
    assert not (run_dir / "backup").exists()  # removed once training finished
    assert json.loads((run_dir / "progress.json").read_text())["epoch"] == 1
    return summary


def test_forecast_recipe(tmp_path):
    assert main(["train", "forecasting", *_tiny(tmp_path, "--window", "12", "--horizon", "2",
                                              "--name", "co2")]) == 0
    summary = _check_run(tmp_path, "co2", "forecasting")
    assert {"mae", "rmse", "smape", "mase", "beats_naive"} <= set(summary["metrics"])
    assert np.isfinite(summary["metrics"]["mase"])


def test_sequence_recipe_with_config_file(tmp_path):
    config = tmp_path / "seq.json"
    config.write_text(json.dumps({"data": "digits", "cell": "gru", "name": "digits"}))
    assert main(["train", "sequence_classification", "--config", str(config),
                 *_tiny(tmp_path)]) == 0
    summary = _check_run(tmp_path, "digits", "sequence_classification")
    assert 0.0 <= summary["metrics"]["accuracy"] <= 1.0
    assert len(summary["metrics"]["confusion_matrix"]) == 10


def test_text_recipe_on_local_tsv(tmp_path, shared_dir):
    data = shared_dir / "data" / "sentiment_sentences" / "yelp_labelled.txt"
    assert main(["train", "text_classification",
                 *_tiny(tmp_path, "--data", str(data), "--name", "yelp", "--cell", "cifg",
                        "--max-tokens", "2000")]) == 0
    summary = _check_run(tmp_path, "yelp", "text_classification")
    assert summary["metrics"]["confusion_matrix"] and summary["metrics"]["n"] == 100
