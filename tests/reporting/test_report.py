"""report(): fields present and consistent, comparison, TFLite, bad inputs. Timings are
never asserted, only their internal order (p50 ≤ p90 ≤ p99 ≤ max) and signs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.reporting import ACTIVATION_FORMULA, report
from seqkit.reporting.estimates import activation_estimate
from seqkit.reporting.timing import median_stats, stats
from seqkit.serving import export
from tests.reporting.conftest import SMALL
from tests.serving import models


@pytest.fixture(scope="module")
def exported(tmp_path_factory, forecaster_report):
    root = tmp_path_factory.mktemp("saved_models")
    forecaster, forecaster_info, _ = forecaster_report
    built = {
        "forecaster": forecaster,
        "text_lstm": models.text_classifier("lstm"),
        "text_gru": models.text_classifier("gru"),
    }
    infos = {
        "forecaster": forecaster_info,
        "text_lstm": export(built["text_lstm"], root / "text_lstm",
                            class_names=models.CLASS_NAMES),
        "text_gru": export(built["text_gru"], root / "text_gru",
                           class_names=models.CLASS_NAMES),
    }
    return root, built, infos


def _check_latency_rows(rows, batch_sizes, seq_lens):
    assert {(r["batch"], r["seq_len"]) for r in rows} == {
        (b, t) for b in batch_sizes for t in seq_lens}
    for r in rows:
        assert 0 < r["p50_ms"] <= r["p90_ms"] <= r["p99_ms"] <= r["max_ms"]
        assert r["throughput_eps"] > 0


def test_single_model_report_with_tflite(forecaster_report):
    built_model, info, result = forecaster_report

    out_dir = Path(info.base_path) / "report-v1"
    assert result["out_dir"] == str(out_dir)
    for key in ("json", "markdown", "latency_vs_seq_len", "latency_vs_batch", "concurrency"):
        assert Path(result["files"][key]).stat().st_size > 0
    assert json.loads((out_dir / "report.json").read_text())["models"][0]["name"] == \
        "forecaster v1"
    (model,) = result["models"]
    assert result["comparison"] is None

    env = model["environment"]
    assert env["tensorflow"] and env["cpu_model"] and env["cpu_count"] >= 1
    assert env["gpus"] == []
    assert model["graph"]["path"] == "loop" and model["graph"]["cudnn_ops"] == []

    mem = model["memory"]
    assert mem["params"] == built_model.count_params() == mem["metadata_params"]
    assert mem["params_by_dtype"] == {"float32": mem["params"]}
    assert mem["param_bytes"] == 4 * mem["params"]
    assert mem["saved_model_bytes"] > mem["variables_bytes"] > mem["param_bytes"] > 0
    rss = mem["rss"]
    assert 0 < rss["before_import"]["peak_bytes"] <= rss["after_import"]["peak_bytes"] <= \
        rss["after_load"]["peak_bytes"] <= rss["after_inference"]["peak_bytes"] <= \
        mem["peak_rss_bytes"]
    assert mem["gpu_peak_bytes"] is None
    est = mem["activation_estimate"]
    assert est["formula"] == ACTIVATION_FORMULA
    assert est["state_bytes"] == 2 * 8 * 4  # one LSTM, 8 units, h and c, float32
    assert est["per_example_bytes"] == {"3": 64 + 3 * 3 * 4, "9": 64 + 9 * 3 * 4}

    lat = model["latency"]
    assert lat["load_s"] > 0 and lat["import_s"] > 0
    assert lat["cold"]["first_call_ms"] > 0 and lat["cold"]["second_call_ms"] > 0
    assert lat["warmup"]["records"] == info.warmup_records == 12  # each through its signature
    assert lat["warmup"]["by_signature"] == {"serving_default": 6, "serving_step": 6}
    assert lat["first_call_after_warmup_ms"] > 0
    _check_latency_rows(lat["grid"], (1, 4), (3, 9))

    conc = model["concurrency"]
    assert conc["threads"] == 8 and conc["calls"] == 8 * 25
    assert conc["errors"] == 0 and conc["all_equal"] and conc["max_abs_diff"] <= 1e-6
    assert conc["throughput_eps"] > 0 and conc["single_thread_throughput_eps"] > 0

    tfl = model["tflite"]
    assert tfl["status"] == "ok", tfl.get("reason")
    assert [c["batch"] for c in tfl["conversions"] if c["ok"]] == [1, 4]
    assert all(Path(c["file"]).is_file() for c in tfl["conversions"])
    assert tfl["equal"] and tfl["max_abs_diff"] <= 1e-4 and tfl["mismatched"] == 0
    _check_latency_rows(tfl["grid"], (1, 4), (3, 9))
    assert tfl["median_speedup_p50"] > 0

    md = (out_dir / "report.md").read_text()
    for text in ("## forecaster v1", "### Memory", "### Latency", "| batch | length | p50 ms",
                 "### Concurrency", "### TFLite", "RNN path in the graph: **loop**",
                 "Activation estimate:"):
        assert text in md


def test_lstm_vs_gru_comparison(exported, tmp_path):
    _, built, infos = exported
    out_dir = tmp_path / "cmp"
    result = report([infos["text_lstm"].path], compare=[infos["text_gru"].base_path],
                    out_dir=out_dir, cold_start=False, tflite=True,
                    **{**SMALL, "concurrent_calls": 5})
    names = [m["name"] for m in result["models"]]
    assert names == ["text_lstm v1", "text_gru v1"]
    rows = result["comparison"]
    assert [r["model"] for r in rows] == names
    assert [r["rnn"] for r in rows] == ["LSTM", "GRU"]
    assert rows[0]["params"] == built["text_lstm"].count_params()
    assert rows[1]["params"] == built["text_gru"].count_params()
    assert rows[0]["batch_small"] == 1 and rows[0]["batch_large"] == 4
    assert all(v == pytest.approx(1.0) for v in rows[0]["ratios"].values() if v is not None)
    assert rows[1]["ratios"]["params"] == pytest.approx(rows[1]["params"] / rows[0]["params"])
    for row in rows:
        assert 0 < row["p50_small_ms"] <= row["p99_small_ms"]
        assert 0 < row["p50_large_ms"] <= row["p99_large_ms"]
    for model in result["models"]:
        assert model["latency"]["cold"] is None
        assert model["signature"]["inputs"] == {"text": {"dtype": "string", "shape": [None]}}
        _check_latency_rows(model["latency"]["grid"], (1, 4), (3, 9))
        tfl = model["tflite"]  # string ops have no TFLite builtin: reported, not raised
        assert tfl["status"] == "failed" and "Flex" in tfl["reason"]
    md = (out_dir / "report.md").read_text()
    assert "## Comparison" in md and "| text_gru v1 | GRU |" in md
    assert "Conversion failed:" in md
    assert (out_dir / "comparison.png").stat().st_size > 0
    assert (out_dir / "latency_vs_batch-text-gru-v1.png").is_file()


# ------------------------------------------------------------------------- bad inputs


def test_missing_file_and_empty_paths(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        report(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file"):
        report(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither saved_model.pb nor"):
        report(tmp_path / "empty")


def test_corrupt_saved_models(exported, tmp_path):
    _, _, infos = exported
    broken = tmp_path / "broken"
    shutil.copytree(infos["forecaster"].path, broken / "1")
    (broken / "1" / "saved_model.pb").write_bytes(b"\x00garbage\xff" * 10)
    with pytest.raises(DataError, match=r"corrupt SavedModel at '.*broken/1'"):
        report(broken)
    shutil.copytree(infos["forecaster"].path, broken / "2")
    shutil.rmtree(broken / "2" / "variables")
    with pytest.raises(DataError, match="no variables/ folder"):
        report(broken / "2")
    shutil.copytree(infos["forecaster"].path, broken / "3")
    for f in (broken / "3" / "variables").iterdir():
        f.write_bytes(b"truncated")
    with pytest.raises(DataError, match=r"cannot load the SavedModel at '.*broken/3'"):
        report(broken / "3", cold_start=False, concurrency=0, **{
            k: v for k, v in SMALL.items() if k != "concurrent_calls"})


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_sizes": [0, 8]}, "batch_sizes"),
    ({"batch_sizes": []}, "batch_sizes"),
    ({"seq_lens": [4, "x"]}, "seq_lens"),
    ({"repeats": 0}, "repeats"),
    ({"threads": -2}, "threads"),
    ({"concurrency": 1.5}, "concurrency"),
])
def test_bad_options(exported, kwargs, match):
    _, _, infos = exported
    with pytest.raises(ConfigError, match=match):
        report(infos["forecaster"].path, **kwargs)


# -------------------------------------------------------------------------- pieces


def test_median_of_percentiles_keeps_their_order():
    repeats = [stats([0.001 * (i + 1) * (r + 1) for i in range(20)], batch=4) for r in range(5)]
    med = median_stats(repeats)
    assert med["p50_ms"] <= med["p90_ms"] <= med["p99_ms"] <= med["max_ms"]
    assert med["throughput_eps"] > 0


def test_activation_estimate_formula():
    meta = {"rnn_layers": [
        {"class": "LSTM", "units": 10, "n_states": 2, "return_sequences": True,
         "input_dim": 8, "dtype_bytes": 4},
        {"class": "GRU", "units": 6, "n_states": 1, "return_sequences": False,
         "input_dim": 10, "dtype_bytes": 4}]}
    est = activation_estimate(meta, {}, [5], [1, 32])
    state = (2 * 10 + 6) * 4
    per_step = 10 * 4 + 8 * 4
    assert est["per_example_bytes"] == {"5": state + 5 * per_step}
    assert est["largest_batch_bytes"] == {"5": 32 * (state + 5 * per_step)}
    assert activation_estimate({}, {}, [5], [1])["per_example_bytes"] is None


def test_cli_and_fixed_length_model(tmp_path, capsys):
    from seqkit.reporting.__main__ import main

    model = models.fixed_time_model(steps=5)
    info = export(model, tmp_path / "fixed")
    code = main([info.path, "--seq-lens", "3", "9", "--batch-sizes", "2", "--repeats", "1",
                 "--calls-per-repeat", "3", "--concurrency", "0", "--no-cold-start",
                 "--no-plots", "--out-dir", str(tmp_path / "out")])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out" / "report.md")
    result = json.loads((tmp_path / "out" / "report.json").read_text())
    (model_report,) = result["models"]
    assert [(r["batch"], r["seq_len"]) for r in model_report["latency"]["grid"]] == [(2, 5)]
    assert model_report["memory"]["params"] == model.count_params()
    assert model_report["graph"]["path"] == "none"  # unroll=True: no While loop
    assert main([str(tmp_path / "missing")]) == 2


def test_import_paths_kept_after_the_split():
    """seqkit.study.driver and older code import these from seqkit.reporting.report."""
    import importlib

    from seqkit.reporting import estimates, runner

    report_module = importlib.import_module("seqkit.reporting.report")
    assert report_module.comparison_rows is estimates.comparison_rows
    assert report_module.activation_estimate is estimates.activation_estimate
    assert report_module.ACTIVATION_FORMULA is ACTIVATION_FORMULA
    assert report_module.ReportError is runner.ReportError
