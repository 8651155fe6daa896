"""seqkit.classification.task and the model builders: metric functions against
hand-computed values and scikit-learn, and the pure model builders (names, units,
masking) without training."""

import keras
import numpy as np
import pytest
from sklearn.metrics import f1_score

from seqkit.classification.metrics import classification_metrics
from seqkit.classification.models import build_sequence_model, build_text_model
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import RNNSpec
from seqkit.forecasting.model import build_forecast_model, forecast_training_view

# ----------------------------------------------------------------------------- metrics


def test_classification_metrics_hand_computed():
    y_true = [0, 0, 1, 1, 2]
    pred = [0, 1, 1, 1, 0]
    probs = np.eye(3)[pred] * 0.8 + 0.2 / 3
    m = classification_metrics(y_true, probs, ["a", "b", "c"])
    assert m["accuracy"] == pytest.approx(3 / 5)
    # per class F1: a: P=1/2 R=1/2 -> 1/2; b: P=2/3 R=1 -> 4/5; c: never predicted -> 0
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert m["n"] == 5 and m["class_names"] == ["a", "b", "c"]


def test_classification_metrics_match_sklearn_on_random_data():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 200)
    probs = rng.random((200, 4))
    m = classification_metrics(y, probs)
    pred = probs.argmax(1)
    assert m["accuracy"] == pytest.approx(np.mean(pred == y))
    assert m["macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert np.sum(m["confusion_matrix"]) == 200
    assert np.trace(m["confusion_matrix"]) == np.sum(pred == y)


def test_classification_metrics_shape_error():
    with pytest.raises(DataError, match="probs"):
        classification_metrics([0, 1, 1], np.zeros((2, 2)))


def _forecaster(residual, window_inputs="both"):
    return build_forecast_model(6, 2, 3, 1, input_mean=[1000.0, -5.0], input_std=[10.0, 2.0],
                                target_mean=[1000.0], target_std=[10.0], target_indices=[0],
                                residual=residual, window_inputs=window_inputs,
                                rnn=RNNSpec("gru", units=4))


def _zero_head(model, bias=0.0):
    head = model.get_layer("head")
    kernel, b = head.get_weights()
    head.set_weights([np.zeros_like(kernel), np.full_like(b, bias)])


def _windows():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(5, 6, 2)) * [10.0, 2.0] + [1000.0, -5.0]).astype("float32")


def test_forecast_model_scales_inside_and_answers_in_original_units():
    model = _forecaster(residual=False)
    assert model.inputs[0].name == "window" and tuple(model.input_shape) == (None, 6, 2)
    assert model.output_shape == (None, 3, 1) and model.layers[-1].name == "forecast"
    x = _windows()
    scaled = keras.Model(model.inputs, model.get_layer("scale_inputs").output).predict(
        x, verbose=0)
    np.testing.assert_allclose(scaled, (x - [1000.0, -5.0]) / [10.0, 2.0], rtol=1e-4,
                               atol=1e-4)
    # head output 0 -> the training mean; 1 -> mean + std (inverse scaling in the graph)
    _zero_head(model)
    np.testing.assert_allclose(model.predict(x, verbose=0), 1000.0, rtol=1e-6)
    _zero_head(model, 1.0)
    np.testing.assert_allclose(model.predict(x, verbose=0), 1010.0, rtol=1e-6)
    np.testing.assert_allclose(forecast_training_view(model).predict(x, verbose=0), 1.0,
                               rtol=1e-6)


def test_residual_forecast_model_starts_from_the_last_value():
    model = _forecaster(residual=True)
    x = _windows()
    last = np.repeat(x[:, -1:, :1], 3, axis=1)  # target column 0 at the last step
    _zero_head(model)  # no change predicted -> the naive forecast, in original units
    np.testing.assert_allclose(model.predict(x, verbose=0), last, rtol=1e-5)
    _zero_head(model, 0.5)  # +0.5 std of the target = +5
    np.testing.assert_allclose(model.predict(x, verbose=0), last + 5.0, rtol=1e-5)
    view = forecast_training_view(model).predict(x, verbose=0)
    np.testing.assert_allclose(view, (last - 1000.0) / 10.0 + 0.5, rtol=1e-4, atol=1e-5)
    assert not model.get_layer("select_targets").trainable


def test_relative_window_inputs_make_the_forecast_shift_equivariant():
    x = _windows()
    shift = np.array([37.0, 0.0], "float32")  # move the target column's level by +37
    rel = _forecaster(residual=True, window_inputs="relative")
    np.testing.assert_allclose(rel.predict(x + shift, verbose=0),
                               rel.predict(x, verbose=0) + 37.0, rtol=1e-5)
    both = _forecaster(residual=True, window_inputs="both")  # sees the level as well
    assert not np.allclose(both.predict(x + shift, verbose=0),
                           both.predict(x, verbose=0) + 37.0, rtol=1e-5)
    assert both.get_layer("rnn_0").input.shape[-1] == 4  # absolute + relative features
    with pytest.raises(ConfigError, match="window_inputs"):
        _forecaster(residual=True, window_inputs="deltas")


def test_text_model_takes_raw_strings():
    vec = keras.layers.TextVectorization(max_tokens=50, output_sequence_length=5)
    vec.adapt(np.array(["good movie", "bad movie", "very good"], dtype=object))
    model = build_text_model(vec, 3, rnn=RNNSpec("cifg", units=4, bidirectional=True),
                             embedding_dim=4)
    assert model.inputs[0].name == "text" and model.inputs[0].dtype == "string"
    assert model.layers[-1].name == "probabilities"
    probs = model.predict(np.array(["good", "an unseen movie"], dtype=object), verbose=0)
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert model.get_layer("embedding").mask_zero


def test_sequence_model_masks_post_padding():
    model = build_sequence_model(2, 2, rnn=RNNSpec("lstm", units=4, layers=2))
    assert model.inputs[0].name == "sequence" and model.input_shape == (None, None, 2)
    x = np.random.default_rng(1).normal(size=(3, 5, 2)).astype("float32")
    padded = np.concatenate([x, np.zeros((3, 4, 2), "float32")], axis=1)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(padded, verbose=0),
                               rtol=1e-5, atol=1e-6)
    # and the padding really is what makes the difference: non-zero padding changes it
    noisy = padded.copy()
    noisy[:, 5:] = 1.0
    assert not np.allclose(model.predict(x, verbose=0), model.predict(noisy, verbose=0))


@pytest.mark.parametrize("kwargs, match", [
    ({"units": 0}, "units"),
    ({"layers": 0}, "layers"),
    ({"cell": "lsmt"}, "lstm, gru"),
    ({"dropout": 1.5}, "dropout"),
])
def test_rnn_spec_errors_name_the_value(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        build_sequence_model(2, 2, rnn=RNNSpec(**kwargs))


def test_forecast_model_keeps_float32_units_under_mixed_precision():
    # bfloat16 has 8 bits of mantissa: 1000.3 would come back as 1000.0 (error 0.3)
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = _forecaster(residual=True)
        text = build_text_model(_tiny_vectorizer(), 2)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    assert model.get_layer("rnn_0").compute_dtype == "bfloat16"  # the policy is in effect
    x = _windows()
    _zero_head(model)
    out = model.predict(x, verbose=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.repeat(x[:, -1:, :1], 3, axis=1), rtol=1e-6)
    assert text.output.dtype == "float32"


def _tiny_vectorizer():
    vec = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(np.array(["a b", "c d"], dtype=object))
    return vec
