"""Per-run measurements: steady state leaves the first epoch out; counts agree with Keras;
the activation estimate is the documented formula."""

import statistics

import keras
import numpy as np
import pytest

from seqkit.fit.train import TimingCallback
from seqkit.study.measure import model_counts, steady_state, training_activation_estimate


def test_steady_state_excludes_the_first_epoch():
    secs = [30.0, 2.0, 4.0, 3.0]  # the first one traced and compiled
    timing = {"epoch_seconds": secs, "epochs_run": 4, "steps_run": 40, "train_examples": 640}
    s = steady_state(timing)
    steady = statistics.median(secs[1:])
    assert s["steady_epoch_s"] == steady == 3.0
    assert s["s_per_step"] == pytest.approx(steady / 10)
    assert s["examples_per_s"] == pytest.approx(640 / steady)
    assert s["first_epoch_extra_s"] == pytest.approx(30.0 - steady)
    # the fit's own timer agrees on which epochs are steady
    timer = TimingCallback()
    timer.epoch_seconds = secs
    assert timer.summary(640)["steady_epoch_seconds"] == steady


def test_one_epoch_gives_no_steady_state():
    s = steady_state({"epoch_seconds": [5.0], "epochs_run": 1, "steps_run": 3})
    assert s["s_per_step"] is None and s["steps_run"] == 3


def test_model_counts_against_keras():
    x = keras.Input((7, 3))
    lstm = keras.layers.LSTM(5)
    model = keras.Model(x, keras.layers.Dense(2)(lstm(x)))
    c = model_counts(model)
    assert c["params"] == model.count_params()
    assert c["rnn_params"] == lstm.count_params()
    assert c["param_bytes"] == 4 * model.count_params()  # float32
    assert c["macs_per_step"] == (3 + 5) * 4 * 5
    assert (c["rnn_units"], c["rnn_input_dim"]) == (5, 3)


def test_activation_estimate_formula():
    b, t, d, u = 8, 20, 3, 16
    lstm = training_activation_estimate("lstm", u, input_dim=d, batch=b, length=t)
    gru = training_activation_estimate("gru", u, input_dim=d, batch=b, length=t)
    assert lstm["bytes"] == b * t * (d + 7 * u) * np.dtype("float32").itemsize
    assert gru["bytes"] == b * t * (d + 5 * u) * 4
