"""``serving_step``: streamed step by step (k=1) and in chunks (k=7) through the exported,
reloaded SavedModel, it gives the full call's output (the independent reference: the
Keras model itself, and the reloaded ``serving_default``); models that cannot stream are
declined with their reason; the default signature and warmup stay as they were."""

from __future__ import annotations

import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit.conformance import GOLDEN_CASES
from seqkit.fit.options import RNNSpec
from seqkit.forecasting.model import build_forecast_model
from seqkit.serving import export, read_metadata, read_warmup_requests
from seqkit.serving.signature import OutputNaming, input_specs
from seqkit.serving.step import plan_step, prepare_step
from seqkit.serving.warmup import replay, request_arrays
from tests.serving import models

TOL = 1e-5
STREAMING = [c for c in GOLDEN_CASES
             if not c.bidirectional and not c.layer_kwargs.get("go_backwards")]


def _zero_states(info, batch):
    return {s["name"]: np.zeros((batch, s["units"]), "float32")
            for s in info.streaming["states"]}


def _stream(signature, info, x, k, extra=None):
    """Feed ``x [B, T, F]`` in chunks of ``k`` steps from zero states (written here, not
    seqkit's client); returns the last outputs and every intermediate state."""
    seq = info.streaming["sequence_input"]
    states = _zero_states(info, len(x))
    out = None
    for start in range(0, x.shape[1], k):
        feeds = {seq: x[:, start:start + k], **(extra or {}), **states}
        out = {key: v.numpy() for key, v in
               signature(**{n: tf.constant(v) for n, v in feeds.items()}).items()}
        states = {name: out[name] for name in states}
    return out


#: golden cases exported in the default run (masking, stacking, a variant); every other
#: one is exported in the slow run, and all of them stream in memory below
EXPORTED = ("lstm_sequences_masked", "gru_stacked", "layernorm_lstm", "peephole")


@pytest.fixture(scope="module")
def golden_exports(tmp_path_factory):
    """``name -> (case, model, info, loaded)``, each exported on first use."""
    root = tmp_path_factory.mktemp("step_golden")
    cache = {}

    def get(name):
        if name not in cache:
            case = next(c for c in STREAMING if c.name == name)
            model = case.build_model()
            info = export(model, root / name, warmup=False)
            cache[name] = (case, model, info, tf.saved_model.load(info.path))
        return cache[name]

    return get


def _check_golden_export(golden_exports, name):
    case, model, info, loaded = golden_exports(name)
    x = dataclasses.replace(case, time=15).inputs(seed=1)   # 15 steps: chunks 7, 7, 1
    want = keras.ops.convert_to_numpy(model(x))
    full = loaded.signatures["serving_default"](sequence=tf.constant(x))["output"].numpy()
    np.testing.assert_allclose(full, want, atol=TOL)
    step = loaded.signatures["serving_step"]
    for k in (1, 7):
        got = _stream(step, info, x, k)
        np.testing.assert_allclose(got["output"], want, atol=TOL, rtol=0, err_msg=f"k={k}")
    n_layers = 2 if case.stacked else 1
    names = [s["name"] for s in info.streaming["states"]]
    per_layer = ("h", "c") if seqkit.layers.cell_family(model.layers[-2]) == "lstm" else ("h",)
    assert names == [f"rnn_{i}_{p}" for i in range(n_layers) for p in per_layer]
    assert set(step.structured_outputs) == {"output", *names}
    assert info.streaming["inputs"]["sequence"]["shape"] == [None, None, case.features]


@pytest.mark.parametrize("name", EXPORTED)
def test_exported_golden_case_streams_like_the_full_call(golden_exports, name):
    _check_golden_export(golden_exports, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in STREAMING if c.name not in EXPORTED])
def test_every_exported_golden_case_streams_like_the_full_call(golden_exports, name):
    _check_golden_export(golden_exports, name)


@pytest.mark.parametrize("name", [c.name for c in STREAMING])
def test_step_function_of_every_golden_case(name):
    """The function export traces as serving_step, traced here with the same signature."""
    case = next(c for c in STREAMING if c.name == name)
    model = case.build_model()
    specs = input_specs(model)
    step = prepare_step(model, specs, OutputNaming(model, "generic", None))
    function = tf.function(step.function, input_signature=[
        {k: tf.TensorSpec(v["shape"], v["dtype"], name=k) for k, v in step.specs.items()}])
    x = dataclasses.replace(case, time=15).inputs(seed=2)
    want = keras.ops.convert_to_numpy(model(x))
    for k in (1, 7):
        states = {s.name: np.zeros((len(x), s.units), "float32") for s in step.plan.states}
        for start in range(0, 15, k):
            out = function({"sequence": x[:, start:start + k], **states})
            states = {n: out[n].numpy() for n in states}
        np.testing.assert_allclose(out["output"].numpy(), want, atol=TOL, err_msg=f"k={k}")


def test_state_outputs_are_the_layers_own_final_states(golden_exports):
    """h and c after streaming equal the LSTM layer's return_state=True on the full input."""
    case, model, info, loaded = golden_exports("peephole")
    x = case.inputs(seed=2)
    got = _stream(loaded.signatures["serving_step"], info, x, 4)
    layer = model.layers[1]
    twin = type(layer).from_config({**layer.get_config(), "return_state": True})
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    _, h, c = (keras.ops.convert_to_numpy(t) for t in twin(x))
    np.testing.assert_allclose(got["rnn_0_h"], h, atol=TOL)
    np.testing.assert_allclose(got["rnn_0_c"], c, atol=TOL)


def test_sequence_classifier_streams_without_its_padding(tmp_path):
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 11, size=60)
    x = [rng.normal(size=(n, 2)).astype("float32") for n in lengths]
    y = [int(s[0, 0] > 0) for s in x]
    # head="last", frontend="patches": the default head also pools the outputs over time
    # (MaskedPooling) and the default front end has convolutions beside the RNN, neither
    # with a per-step state, so the default export declines the step signature
    result = seqkit.fit_sequence_classifier(x, y, cell="gru", units=4, layers=2, epochs=1,
                                            verbose=0, val_fraction=0.2, head="last",
                                            frontend="patches")
    info = result.export(tmp_path / "seq")
    assert info.streaming["available"], info.streaming
    signature = tf.saved_model.load(info.path).signatures["serving_step"]
    padded = np.zeros((4, 10, 2), "float32")
    for i in range(4):
        padded[i, :lengths[i]] = x[i]
    want = result.model.predict(padded, verbose=0)
    for i in range(4):
        row = x[i][None]  # only the real steps
        for k in (1, 7):
            got = _stream(signature, info, row, k)
            np.testing.assert_allclose(got["probabilities"], want[i:i + 1], atol=TOL)
            assert got["class_ids"][0] == np.argmax(want[i])
    # padding steps (all features 0, the Masking value) leave every state unchanged
    after_real = _stream(signature, info, x[0][None], 1)
    after_padding = _stream(signature, info, padded[:1], 1)
    for name in ("rnn_0_h", "rnn_1_h", "probabilities"):
        np.testing.assert_allclose(after_padding[name], after_real[name], atol=TOL)
    assert "do not send padding" in read_metadata(info.path)["streaming"]["padding"]


def test_absolute_global_forecaster_streams_its_window(tmp_path):
    t = np.arange(300, dtype="float32")
    series = 5 + np.sin(t / 6) + np.random.default_rng(1).normal(scale=0.1, size=300)
    result = seqkit.fit_forecaster(series.astype("float32"), window=12, horizon=3, units=4,
                                   epochs=1, verbose=0, window_inputs="absolute",
                                   scaling="global", baselines=(), combine="none")
    info = result.export(tmp_path / "forecast")
    assert info.streaming["available"] and info.streaming["window"] == 12
    assert "exactly `window` steps from zero states" in info.streaming["window_note"]
    loaded = tf.saved_model.load(info.path)
    windows = np.stack([series[i:i + 12] for i in (0, 50, 170)])[..., None].astype("float32")
    want = result.model.predict(windows, verbose=0)
    full = loaded.signatures["serving_default"](window=tf.constant(windows))["forecast"]
    np.testing.assert_allclose(full.numpy(), want, atol=TOL)
    for k in (1, 7):   # the residual adds the last step's value, which the last chunk has
        got = _stream(loaded.signatures["serving_step"], info, windows, k)
        np.testing.assert_allclose(got["forecast"], want, atol=TOL, err_msg=f"k={k}")


def test_quantile_forecaster_with_covariates_streams(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_forecast_model(10, 2, 3, 1, input_mean=[0.0, 1.0], input_std=[1.0, 2.0],
                                 window_inputs="absolute", quantiles=(0.1, 0.5, 0.9),
                                 future_stats=([0.0], [1.0]), static_stats=([0.0], [1.0]),
                                 rnn=RNNSpec("lstm", 4, layers=2))
    info = export(model, tmp_path / "q", task="forecasting", warmup=False)
    assert info.streaming["extra_inputs"] == ["future_covariates", "static_covariates"]
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 10, 2)).astype("float32")
    extra = {"future_covariates": rng.normal(size=(2, 3, 1)).astype("float32"),
             "static_covariates": rng.normal(size=(2, 1)).astype("float32")}
    want = model.predict([x, extra["future_covariates"], extra["static_covariates"]],
                         verbose=0)
    signature = tf.saved_model.load(info.path).signatures["serving_step"]
    for k in (1, 7):
        got = _stream(signature, info, x, k, extra)
        for key in ("forecast", "quantiles"):
            np.testing.assert_allclose(got[key], want[key], atol=TOL)


@pytest.mark.parametrize("build, reason", [
    (lambda: next(c for c in GOLDEN_CASES if c.bidirectional).build_model(),
     "is bidirectional"),
    (lambda: next(c for c in GOLDEN_CASES if c.layer_kwargs.get("go_backwards")).build_model(),
     "go_backwards=True"),
    (lambda: models.text_classifier("lstm"), "a raw-text model"),
    (lambda: build_forecast_model(8, 1, 2, 1, input_mean=[0.0], input_std=[1.0],
                                  window_inputs="relative", rnn=RNNSpec("gru", 3)),
     "'relative_inputs' (Subtract) combines the steps with a value of the whole window"),
    (lambda: build_forecast_model(8, 1, 2, 1, input_mean=[0.0], input_std=[1.0],
                                  window_inputs="both", rnn=RNNSpec("gru", 3)),
     "'relative_inputs' (Subtract)"),
    (lambda: build_forecast_model(8, 1, 2, 1, window_inputs="absolute", scaling="window",
                                  rnn=RNNSpec("gru", 3)),
     "(WindowStats) before the last recurrent layer cannot be streamed: it scales by each "
     "window's own statistics"),
    (lambda: keras.Sequential([keras.Input((None, 2)), keras.layers.Conv1D(3, 2),
                               keras.layers.GRU(2)]), "(Conv1D)"),
    (lambda: keras.Sequential([keras.Input((None, 2)), keras.layers.Dense(2)]),
     "no recurrent layer"),
    (lambda: keras.Sequential([keras.Input((None, 2)), keras.Sequential([
        keras.Input((None, 2)), keras.layers.GRU(2)], name="inner")]),
     "'inner' is a nested model"),
])
def test_models_that_cannot_stream_are_declined_with_the_reason(build, reason):
    plan = plan_step(build())
    assert not plan.available and reason in plan.reason, plan.reason


def test_a_declined_export_says_why_and_has_one_signature(tmp_path):
    model = next(c for c in GOLDEN_CASES if c.bidirectional).build_model()
    info = export(model, tmp_path / "bi", warmup=False)
    entry = read_metadata(info.path)["streaming"]
    assert entry == info.streaming and entry["available"] is False
    assert "bidirectional" in entry["reason"]
    assert list(tf.saved_model.load(info.path).signatures) == ["serving_default"]
    off = export(models.sequence_classifier("gru"), tmp_path / "off", warmup=False,
                 step_signature=False)
    assert "step_signature=False" in off.streaming["reason"]
    assert list(tf.saved_model.load(off.path).signatures) == ["serving_default"]


def test_step_warmup_records_follow_the_default_ones(tmp_path):
    model = models.sequence_classifier("lstm", stacked=True)
    info = export(model, tmp_path / "warm", warmup_batch_sizes=(1, 4), step_warmup=True)
    requests = read_warmup_requests(info.path)
    names = [r.model_spec.signature_name for r in requests]
    # the default records as without step_warmup (2 batch sizes × 2 lengths), then k in (1, 8)
    assert names == ["serving_default"] * 4 + ["serving_step"] * 4
    assert [request_arrays(r)["sequence"].shape[:2] for r in requests[:4]] == [
        (1, 16), (1, 64), (4, 16), (4, 64)]
    assert info.warmup_records == 8 and info.streaming["warmup_records"] == 4
    steps = [request_arrays(r) for r in requests[4:]]
    assert [a["sequence"].shape[:2] for a in steps] == [(1, 1), (1, 8), (4, 1), (4, 8)]
    assert all(not a["rnn_0_h"].any() and not a["rnn_1_c"].any() for a in steps)
    loaded = tf.saved_model.load(info.path)
    assert len(replay(loaded.signatures["serving_default"], info.path)) == 4
    ran = replay({"serving_step": loaded.signatures["serving_step"],
                  "serving_default": loaded.signatures["serving_default"]}, info.path)
    assert len(ran) == 8 and all("rnn_1_h" in out for out in ran[4:])
    json.dumps(read_metadata(info.path)["streaming"])   # JSON-able as written


@pytest.mark.slow
def test_saved_model_cli_runs_serving_step_through_the_tf1_loader(golden_exports, tmp_path):
    """``saved_model_cli run`` loads as TF Serving does; the second chunk, sent with the
    states the first one returned, ends where the full call ends."""
    from tests.serving.test_standalone import _cli

    case, model, info, loaded = golden_exports("peephole")
    x = case.inputs(seed=4)
    first = _stream(loaded.signatures["serving_step"], info, x[:, :2], 2)
    files = {"sequence": x[:, 2:], "rnn_0_h": first["rnn_0_h"], "rnn_0_c": first["rnn_0_c"]}
    for key, value in files.items():
        np.save(tmp_path / f"{key}.npy", value)
    inputs = ";".join(f"{key}={tmp_path / key}.npy" for key in files)
    out = _cli("run", "--dir", info.path, "--tag_set", "serve", "--signature_def",
               "serving_step", "--inputs", inputs, "--outdir", str(tmp_path / "out"))
    assert "Result for output key rnn_0_c:" in out
    np.testing.assert_allclose(np.load(tmp_path / "out" / "output.npy"),
                               keras.ops.convert_to_numpy(model(x)), atol=TOL)
