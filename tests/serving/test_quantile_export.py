"""A quantile forecaster (outputs ``forecast`` and ``quantiles``) exports both: names and
shapes, warmup, metadata, the reloaded signature in a fresh process equal to Keras, the
report; and forecasting models with other outputs are refused with a clear message."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from seqkit.errors import ConfigError
from seqkit.forecasting.quantiles import NonCrossingQuantiles
from seqkit.serving import export
from seqkit.serving.metadata import read_metadata
from seqkit.serving.signature import OutputNaming, output_structure_names, quantile_levels
from seqkit.serving.warmup import read_warmup_requests, request_arrays, signature_of
from tests.serving import models

LEVELS = (0.1, 0.5, 0.9)
HORIZON, TARGETS, FEATURES = 4, 2, 3


def quantile_forecaster(as_dict: bool = True, seed: int = 0) -> keras.Model:
    """Like ``build_forecast_model``: a raw window, scaling inside, GRU, a head of
    horizon × Q × T values, the non-crossing layer, the median slice as ``forecast``."""
    keras.utils.set_random_seed(seed)
    q_count = len(LEVELS)
    inp = keras.Input((None, FEATURES), name="window")
    x = keras.layers.Normalization(mean=[1.0] * FEATURES, variance=[4.0] * FEATURES)(inp)
    x = keras.layers.GRU(6)(x)
    x = keras.layers.Dense(HORIZON * q_count * TARGETS)(x)
    x = keras.layers.Reshape((HORIZON, q_count, TARGETS))(x)
    q = NonCrossingQuantiles(LEVELS, name="quantiles_scaled")(x)
    q = keras.layers.Rescaling(2.0, offset=1.0, name="quantiles")(q)  # back to user units
    median = keras.layers.Identity(name="forecast")(q[:, :, LEVELS.index(0.5), :])
    if as_dict:
        return keras.Model(inp, {"quantiles": q, "forecast": median}, name="quantile_fc")
    return keras.Model(inp, [median, q], name="quantile_fc")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = quantile_forecaster()
    info = export(model, tmp_path_factory.mktemp("quantile") / "qf", task="forecasting")
    return model, info


def test_both_outputs_are_named_for_either_model_style():
    for as_dict in (True, False):
        model = quantile_forecaster(as_dict)
        assert sorted(output_structure_names(model)) == ["forecast", "quantiles"]
        naming = OutputNaming(model, "forecasting", None)
        assert naming.expected() == ["forecast", "quantiles"]
        assert naming.quantile_levels == list(LEVELS)
        x = models.windows(2, 5)
        out = naming.postprocess(model(x))
        assert {k: tuple(v.shape) for k, v in out.items()} == {
            "forecast": (2, HORIZON, TARGETS), "quantiles": (2, HORIZON, 3, TARGETS)}
        np.testing.assert_array_equal(out["forecast"], np.asarray(out["quantiles"])[:, :, 1])
    single = models.forecaster("gru")
    assert OutputNaming(single, "forecasting", None).expected() == ["forecast"]
    assert quantile_levels(single) is None


def test_other_forecasting_outputs_are_refused():
    inp = keras.Input((None, 2), name="window")
    h = keras.layers.GRU(3)(inp)
    two = keras.Model(inp, {"mean": keras.layers.Dense(4)(h), "scale": keras.layers.Dense(4)(h)})
    with pytest.raises(ConfigError, match=r"outputs \['mean', 'scale'\].*task='generic'"):
        OutputNaming(two, "forecasting", None)
    assert OutputNaming(two, "generic", None).expected() is None  # generic keeps its rules
    q = keras.layers.Reshape((4, 3, 1))(keras.layers.Dense(12)(h))
    bad = keras.Model(inp, {"forecast": keras.layers.Dense(5)(h), "quantiles": q})
    with pytest.raises(ConfigError, match=r"forecast \(None, 5\) and quantiles \(None, 4, 3, 1\)"):
        OutputNaming(bad, "forecasting", None)
    raw = keras.layers.Reshape((4, 2, 1))(keras.layers.Dense(8)(h))
    upper = keras.Model(inp, {"forecast": keras.layers.Reshape((4, 1))(keras.layers.Dense(4)(h)),
                              "quantiles": NonCrossingQuantiles([0.5, 0.9])(raw)})
    assert OutputNaming(upper, "forecasting", None).quantile_levels == [0.5, 0.9]


def test_export_signature_warmup_and_metadata(exported):
    model, info = exported
    shapes = {"forecast": [None, HORIZON, TARGETS], "quantiles": [None, HORIZON, 3, TARGETS]}
    assert info.outputs == {k: {"dtype": "float32", "shape": s} for k, s in shapes.items()}
    requests = read_warmup_requests(info.path)
    # 3 batch sizes × 2 lengths for serving_default, then 3 batch sizes × 2 k for serving_step
    assert [signature_of(r) for r in requests] == ["serving_default"] * 6 + ["serving_step"] * 6
    assert len(requests) == info.warmup_records == 12 and info.streaming["warmup_records"] == 6
    assert {request_arrays(r)["window"].shape[0] for r in requests} == {1, 8, 32}
    meta = read_metadata(info.path)
    assert meta["task"] == "forecasting" and meta["outputs"] == info.outputs
    assert meta["quantile_levels"] == [0.1, 0.5, 0.9]  # the Q axis, for clients


FRESH = r"""
import json, sys
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

path, x_file, out_prefix = sys.argv[1:4]
loaded = tf.saved_model.load(path)
out = loaded.signatures["serving_default"](window=tf.constant(np.load(x_file)))
for key, value in out.items():
    np.save(f"{out_prefix}.{key}.npy", value.numpy())
replayed = {}  # as TF Serving: each record through the signature it names ("" = default)
for raw in tf.data.TFRecordDataset(f"{path}/assets.extra/tf_serving_warmup_requests"):
    request = prediction_log_pb2.PredictionLog.FromString(raw.numpy()).predict_log.request
    name = request.model_spec.signature_name or "serving_default"
    feeds = {k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
    keys = sorted(loaded.signatures[name](**feeds))
    replayed.setdefault(name, []).append(keys)
print("RESULT", json.dumps({"keys": sorted(out), "replayed": replayed,
                           "modules": sorted({m.split(".")[0] for m in sys.modules} &
                                             {"keras", "seqkit"})}))
"""


def test_fresh_process_serves_forecast_and_quantiles(exported, tmp_path):
    model, info = exported
    x = models.windows(5, 9, FEATURES, seed=3)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", FRESH, info.path, str(tmp_path / "x.npy"),
                           str(tmp_path / "out")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["keys"] == ["forecast", "quantiles"]
    names = [signature_of(r) for r in read_warmup_requests(info.path)]
    assert sum(map(len, result["replayed"].values())) == len(names) == info.warmup_records
    assert result["replayed"] == {  # every record ran, each through its own signature
        "serving_default": [["forecast", "quantiles"]] * names.count("serving_default"),
        "serving_step": [["forecast", "quantiles", "rnn_0_h"]] * names.count("serving_step")}
    assert "seqkit" not in result["modules"]  # the custom layer's Python code is not needed
    want = model.predict(x, verbose=0)
    for key in ("forecast", "quantiles"):
        got = np.load(tmp_path / f"out.{key}.npy")
        np.testing.assert_allclose(got, want[key], rtol=1e-5, atol=1e-5)
    quantiles = np.load(tmp_path / "out.quantiles.npy")
    assert quantiles.shape == (5, HORIZON, 3, TARGETS)
    assert np.all(np.diff(quantiles, axis=2) >= 0)


@pytest.mark.slow
def test_report_accepts_a_quantile_forecaster(exported):
    from seqkit.reporting import report

    _, info = exported
    result = report(info.path, batch_sizes=(1, 4), seq_lens=(3,), repeats=1,
                    calls_per_repeat=2, concurrency=2, concurrent_calls=4, cold_start=False,
                    plots=False, tflite=True)
    (entry,) = result["models"]
    assert entry["task"] == "forecasting"
    assert sorted(entry["signature"]["outputs"]) == ["forecast", "quantiles"]
    assert entry["tflite"]["status"] == "ok" and entry["tflite"]["equal"]
    assert all(c["outputs"] == ["forecast", "quantiles"] for c in entry["tflite"]["conversions"])
    assert entry["concurrency"]["errors"] == 0
    markdown = open(result["files"]["markdown"]).read()
    assert "`quantiles` float32" in markdown
