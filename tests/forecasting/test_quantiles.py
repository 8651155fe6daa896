"""Quantile levels, the non-crossing layer and the pinball loss, against NumPy references
and against the known quantiles of Gaussian noise (scipy.stats.norm.ppf)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.stats import norm

from seqkit.distribute import per_example_loss
from seqkit.errors import ConfigError
from seqkit.forecasting.quantiles import (
    NonCrossingQuantiles,
    PinballLoss,
    check_quantiles,
)

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------- NumPy references


def _softplus(x):
    return np.logaddexp(0.0, x)


def numpy_non_crossing(raw, levels):
    """The layer's equations written as a loop over the level axis (float64)."""
    raw = np.asarray(raw, dtype="float64")
    a = list(levels).index(0.5)
    out = np.empty_like(raw)
    out[..., a, :] = raw[..., a, :]
    for j in range(a + 1, len(levels)):
        out[..., j, :] = out[..., j - 1, :] + _softplus(raw[..., j, :])
    for j in range(a - 1, -1, -1):
        out[..., j, :] = out[..., j + 1, :] - _softplus(raw[..., j, :])
    return out


def numpy_pinball(y, pred, levels):
    """Per-example mean over (horizon, level, target) of max(q e, (q - 1) e), e = y - pred."""
    y = np.asarray(y, dtype="float64")
    pred = np.asarray(pred, dtype="float64")
    total = np.zeros(y.shape[0])
    for j, q in enumerate(levels):
        e = y - pred[:, :, j, :]
        total += np.where(e >= 0, q * e, (q - 1.0) * e).sum(axis=(1, 2))
    return total / (y.shape[1] * len(levels) * y.shape[2])


# ------------------------------------------------------------------ the levels


def test_check_quantiles_adds_the_median_in_order():
    assert check_quantiles([0.1, 0.9]) == (0.1, 0.5, 0.9)
    assert check_quantiles([0.6, 0.7]) == (0.5, 0.6, 0.7)
    assert check_quantiles(np.array([0.5])) == (0.5,)
    assert all(isinstance(q, float) for q in check_quantiles(np.array([0.25, 0.75])))


@pytest.mark.parametrize("bad, match", [
    ([], r"quantiles must be a non-empty sequence"),
    (0.5, r"quantiles must be a sequence of numbers in \(0, 1\), got 0.5"),
    ("0.5", r"quantiles must be a sequence"),
    ([0.1, 1.0], r"quantiles\[1\] must be a number in \(0, 1\), got 1.0"),
    ([0.0, 0.5], r"quantiles\[0\] must be a number in \(0, 1\), got 0.0"),
    ([0.2, float("nan")], r"quantiles\[1\] must be a number in \(0, 1\), got nan"),
    ([0.3, "x"], r"quantiles\[1\] must be a number in \(0, 1\), got 'x'"),
    ([True], r"quantiles\[0\] must be a number in \(0, 1\), got True"),
    ([0.5, 0.5], r"quantiles\[1\] must be a number in \(0, 1\) greater than quantiles\[0\] "
                 r"= 0.5, got 0.5"),
])
def test_check_quantiles_names_the_bad_value(bad, match):
    with pytest.raises(ConfigError, match=match):
        check_quantiles(bad)


# ------------------------------------------------------------------- the layer


@pytest.mark.parametrize("levels", [(0.1, 0.5, 0.9), (0.02, 0.1, 0.25, 0.5, 0.75, 0.9),
                                    (0.5, 0.8), (0.2, 0.5), (0.5,)])
def test_layer_matches_numpy_and_never_crosses(levels):
    rng = np.random.default_rng(len(levels))
    raw = rng.normal(0.0, 10.0, size=(16, 4, len(levels), 3)).astype("float32")
    raw[0] = -1e4    # softplus underflows to 0: levels may tie, never cross
    raw[1] = 1e4
    raw[2, :, ::2] = -1e30
    out = np.asarray(NonCrossingQuantiles(levels)(raw))
    a = levels.index(0.5)
    np.testing.assert_array_equal(out[..., a, :], raw[..., a, :])
    assert np.all(np.diff(out, axis=-2) >= 0)
    np.testing.assert_allclose(out, numpy_non_crossing(raw, levels), rtol=1e-6, atol=1e-4)


def test_layer_adds_the_median_and_refuses_another_level_count():
    layer = NonCrossingQuantiles([0.1, 0.9], name="q")
    assert layer.quantiles == (0.1, 0.5, 0.9) and layer.median_index == 1
    with pytest.raises(ConfigError, match=r"Q = 3 .*got shape \(None, 4, 2, 1\)"):
        layer(keras.Input((4, 2, 1)))
    with pytest.raises(ConfigError, match=r"quantiles\[0\]"):
        NonCrossingQuantiles([1.5])


def test_layer_config_and_keras_file_round_trip(tmp_path):
    layer = NonCrossingQuantiles([0.05, 0.5, 0.95], name="quantiles")
    clone = NonCrossingQuantiles.from_config(layer.get_config())
    assert clone.quantiles == layer.quantiles and clone.name == "quantiles"

    keras.utils.set_random_seed(1)
    inp = keras.Input((6, 2), name="window")
    x = keras.layers.Dense(4 * 3 * 2)(keras.layers.GRU(5)(inp))
    q = layer(keras.layers.Reshape((4, 3, 2))(x))
    model = keras.Model(inp, {"forecast": q[:, :, 1, :], "quantiles": q})
    path = tmp_path / "quantile_model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(2).normal(size=(5, 6, 2)).astype("float32")
    want, got = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    for key in ("forecast", "quantiles"):
        np.testing.assert_array_equal(got[key], want[key])
    assert loaded.get_layer("quantiles").quantiles == (0.05, 0.5, 0.95)


# -------------------------------------------------------------------- the loss


def test_pinball_loss_matches_numpy():
    levels = (0.1, 0.25, 0.5, 0.9)
    rng = np.random.default_rng(3)
    y = rng.normal(size=(7, 5, 2)).astype("float32")
    pred = rng.normal(size=(7, 5, 4, 2)).astype("float32")
    want = numpy_pinball(y, pred, levels)
    loss = PinballLoss(levels)
    np.testing.assert_allclose(np.asarray(loss.call(y, pred)), want, rtol=1e-5)
    np.testing.assert_allclose(float(loss(y, pred)), want.mean(), rtol=1e-5)
    per_example = per_example_loss(loss)  # rebuilt from its config without reduction
    assert isinstance(per_example, PinballLoss) and per_example.quantiles == levels
    np.testing.assert_allclose(np.asarray(per_example(y, pred)), want, rtol=1e-5)
    revived = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(revived, PinballLoss) and revived.quantiles == levels


def test_pinball_loss_under_a_strategy_in_compile():
    levels = (0.1, 0.5, 0.9)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 2, 1)).astype("float32")
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        inp = keras.Input((3,))
        raw = keras.layers.Reshape((2, 3, 1))(keras.layers.Dense(6)(inp))
        model = keras.Model(inp, NonCrossingQuantiles(levels)(raw))
        model.compile("sgd", loss=PinballLoss(levels))
    evaluated = model.evaluate(x, y, batch_size=32, verbose=0)
    want = numpy_pinball(y, model.predict(x, verbose=0), levels).mean()
    np.testing.assert_allclose(evaluated, want, rtol=1e-5)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history["loss"]
    assert np.all(np.isfinite(history))


def test_learns_the_quantiles_of_gaussian_noise():
    """A Dense on a constant input + the layer, trained with the pinball loss on
    y ~ N(3, 2²), must land on mu + sigma Φ⁻¹(q) (and on the sample's own quantiles)."""
    levels, mu, sigma = (0.1, 0.5, 0.9), 3.0, 2.0
    keras.utils.set_random_seed(0)
    y = np.random.default_rng(0).normal(mu, sigma, size=(5000, 1, 1)).astype("float32")
    x = np.ones((5000, 1), "float32")
    inp = keras.Input((1,))
    raw = keras.layers.Reshape((1, 3, 1))(keras.layers.Dense(3)(inp))
    model = keras.Model(inp, NonCrossingQuantiles(levels)(raw))
    steps = 300
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(0.2, steps)),
                  loss=PinballLoss(levels))
    data = tf.data.Dataset.from_tensors((x, y)).repeat()
    model.fit(data, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=0)
    learnt = model.predict(x[:1], verbose=0)[0, 0, :, 0]
    np.testing.assert_allclose(learnt, mu + sigma * norm.ppf(levels), atol=0.1 * sigma)
    np.testing.assert_allclose(learnt, np.quantile(y, levels), atol=0.02 * sigma)


TORCH_CHECK = r"""
import json, sys
import keras, numpy as np
from seqkit.forecasting.quantiles import NonCrossingQuantiles, PinballLoss
raw = np.asarray(json.loads(sys.argv[1]), "float32")
q = keras.ops.convert_to_numpy(NonCrossingQuantiles([0.1, 0.5, 0.9])(raw))
loss = keras.ops.convert_to_numpy(PinballLoss([0.1, 0.5, 0.9]).call(raw[:, :, 1], raw))
print("RESULT", json.dumps({"backend": keras.backend.backend(), "q": q.tolist(),
                           "loss": loss.tolist()}))
"""


def test_backend_agnostic_under_torch():
    pytest.importorskip("torch")
    raw = np.random.default_rng(5).normal(0, 3, size=(2, 3, 3, 2)).astype("float32")
    env = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", TORCH_CHECK, json.dumps(raw.tolist())],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["backend"] == "torch"
    levels = (0.1, 0.5, 0.9)
    np.testing.assert_allclose(result["q"], numpy_non_crossing(raw, levels), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(result["loss"], numpy_pinball(raw[:, :, 1], raw, levels),
                               rtol=1e-5)
