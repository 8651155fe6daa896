"""A model from each fit function exports, runs under ``saved_model_cli run`` and in a
fresh process without seqkit or Keras, equal to ``FitResult.predict``, and has a report."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import seqkit
from tests.serving.test_standalone import ENV, LOADER, _cli, _site_without_keras_or_seqkit

RNG = np.random.default_rng(0)
WORDS = ["good", "bad", "fine", "awful", "great", "poor", "nice", "meh"]


def _text():
    texts = [" ".join(RNG.choice(WORDS, size=5)) for _ in range(120)]
    labels = [int("good" in t or "great" in t) for t in texts]
    result = seqkit.fit_text_classifier(np.array(texts), labels, units=4, embedding_dim=4,
                                        epochs=1, verbose=0, max_tokens=50)
    return result, {"text": np.array(["good nice fine", "awful poor"], dtype=object)}


def _forecast():
    t = np.arange(400, dtype="float32")
    series = 10 + np.sin(t / 8) + RNG.normal(scale=0.05, size=t.shape).astype("float32")
    result = seqkit.fit_forecaster(series, window=16, horizon=2, units=4, epochs=1, verbose=0)
    return result, {"window": series[:48].reshape(3, 16, 1)}


def _sequences():
    x = RNG.normal(size=(150, 6, 2)).astype("float32")
    result = seqkit.fit_sequence_classifier(x, (x[:, 0, 0] > 0).astype(int), units=4,
                                            epochs=1, verbose=0)
    return result, {"sequence": x[:3]}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("fit_exports")
    out = {}
    for name, make in (("text", _text), ("forecast", _forecast), ("sequences", _sequences)):
        result, inputs = make()
        info = result.export(root / name)
        files = {}
        for key, value in inputs.items():
            files[key] = str(root / f"{name}.{key}.npy")
            np.save(files[key], value, allow_pickle=True)
        key = "forecast" if name == "forecast" else "probabilities"
        expected = {key: result.predict(next(iter(inputs.values())))}
        out[name] = (info, files, expected)
    return out


@pytest.mark.parametrize("name", ["text", "forecast", "sequences"])
def test_saved_model_cli_run_equals_predict(fitted, tmp_path, name):
    info, files, expected = fitted[name]
    inputs = ";".join(f"{key}={path}" for key, path in files.items())
    _cli("run", "--dir", info.path, "--tag_set", "serve", "--signature_def",
         "serving_default", "--inputs", inputs, "--outdir", str(tmp_path))
    for key, want in expected.items():
        np.testing.assert_allclose(np.load(tmp_path / f"{key}.npy"), want, rtol=1e-5,
                                   atol=1e-5)


def test_fresh_process_without_seqkit_equals_predict(fitted, tmp_path):
    job = [(name, info.path, files) for name, (info, files, _) in fitted.items()]
    site = _site_without_keras_or_seqkit(tmp_path / "site")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LOADER, json.dumps(job),
                           str(site)], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "IMPORTABLE" not in proc.stdout
    results = json.loads(next(line.split(" ", 1)[1] for line in proc.stdout.splitlines()
                              if line.startswith("RESULTS ")))
    for name, (_, _, expected) in fitted.items():
        for key, want in expected.items():
            got = np.load(results[name][key], allow_pickle=True)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_each_export_has_a_report(fitted, tmp_path):
    paths = [fitted[name][0].path for name in ("text", "forecast", "sequences")]
    rep = seqkit.report(paths, out_dir=tmp_path / "report", batch_sizes=(1, 4), repeats=1,
                        concurrency=0, cold_start=False, plots=False, seq_lens=(6,))
    assert [m["task"] for m in rep["models"]] == ["text_classification", "forecasting",
                                                 "sequence_classification"]
    for model, name in zip(rep["models"], ("text", "forecast", "sequences"), strict=True):
        assert model["memory"]["params"] == fitted[name][0].params
        for row in model["latency"]["grid"]:
            assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert (tmp_path / "report" / "report.md").read_text().count("|") > 20
