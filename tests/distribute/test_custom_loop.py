"""train_custom_loop in-process (default and one-device strategies) against plain Keras
``fit``: sample weights, a short last batch, both input paths, callbacks, argument errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkit import distribute as sd
from seqkit.errors import ConfigError

N, D, BATCH, EPOCHS, SEED = 50, 4, 16, 3, 7  # 50 rows / 16 -> a last batch of 2


def _data():
    rng = np.random.RandomState(3)
    x = rng.randn(N, D).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32") + 0.3).astype("float32")
    w = rng.uniform(0.2, 2.0, size=(N,)).astype("float32")
    return x, y, w


def _build():
    return keras.Sequential([keras.Input((D,)), keras.layers.Dense(3, activation="tanh"),
                             keras.layers.Dense(1)])


def _sgd():
    return keras.optimizers.SGD(0.05)


@pytest.fixture(scope="module")
def keras_reference():
    x, y, w = _data()
    keras.utils.set_random_seed(SEED)
    model = _build()
    model.compile(_sgd(), "mse", metrics=["mae"])
    hist = model.fit(x, y, sample_weight=w, batch_size=BATCH, epochs=EPOCHS, shuffle=False,
                     verbose=0)
    return hist.history, model.get_weights()


def _check(history, model, reference):
    ref_history, ref_weights = reference
    assert history["epoch"] == list(range(1, EPOCHS + 1))
    np.testing.assert_allclose(history["loss"], ref_history["loss"], rtol=1e-5)
    for a, b in zip(model.get_weights(), ref_weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


@pytest.mark.parametrize("strategy_name", ["default", "cpu"])
def test_weighted_uneven_batches_match_keras_fit(strategy_name, keras_reference):
    x, y, w = _data()
    strategy = (tf.distribute.get_strategy() if strategy_name == "default"
                else sd.get_strategy("cpu"))
    history = sd.train_custom_loop(
        _build, sd.dataset_fn_from_arrays(x, y, sample_weight=w, global_batch_size=BATCH),
        strategy=strategy, epochs=EPOCHS, loss="mse", optimizer_fn=_sgd, metrics=["mae"],
        seed=SEED)
    _check(history, history.model, keras_reference)
    assert history.steps == [4] * EPOCHS
    assert history.examples == [N] * EPOCHS
    assert set(history) == {"epoch", "loss", "mae"}


def test_global_dataset_and_loss_object_paths(keras_reference):
    """A tf.data.Dataset batched globally (experimental_distribute_dataset, DATA sharding)
    and a keras Loss object with its own reduction give the same training."""
    x, y, w = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y, w)).batch(BATCH)
    history = sd.train_custom_loop(
        _build, dataset, strategy=tf.distribute.get_strategy(), epochs=EPOCHS,
        loss=keras.losses.MeanSquaredError(reduction="sum"), optimizer_fn=_sgd, seed=SEED)
    _check(history, history.model, keras_reference)


def test_callbacks_and_stop_training():
    x, y, _ = _data()
    seen = []

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

    history = sd.train_custom_loop(
        _build, sd.dataset_fn_from_arrays(x, y, global_batch_size=BATCH),
        strategy=tf.distribute.get_strategy(), epochs=5, loss="mse", optimizer_fn=_sgd,
        metrics=["mae"], callbacks=[Stop()], seed=SEED)
    assert history["epoch"] == [1, 2]
    assert seen == [(0, ["loss", "mae"]), (1, ["loss", "mae"])]


def test_steps_per_epoch_continues_through_a_repeated_dataset():
    x, y, _ = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(10).repeat()
    history = sd.train_custom_loop(
        _build, dataset, strategy=tf.distribute.get_strategy(), epochs=2, steps_per_epoch=3,
        loss="mse", optimizer_fn=_sgd, seed=SEED)
    assert history.steps == [3, 3]
    assert history.examples == [30, 30]


def _run(**overrides):
    x, y, _ = _data()
    kwargs = dict(strategy=tf.distribute.get_strategy(), epochs=1, loss="mse",
                  optimizer_fn=_sgd)
    kwargs.update(overrides)
    build = kwargs.pop("build", _build)
    data = kwargs.pop("data", sd.dataset_fn_from_arrays(x, y, global_batch_size=BATCH))
    return sd.train_custom_loop(build, data, **kwargs)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"epochs": 0}, "^epochs must be an integer >= 1, got 0$"),
    ({"epochs": True}, "^epochs must be an integer >= 1, got True$"),
    ({"steps_per_epoch": 0}, "^steps_per_epoch must be None or an integer >= 1, got 0$"),
    ({"loss": "no_such_loss"}, "^loss must be a Keras loss name, .*, got 'no_such_loss'$"),
    ({"loss": 3}, "^loss must be a Keras loss name, a keras Loss or a function, got 3$"),
    ({"metrics": ["no_such_metric"]},
     "^each metric must be a Keras metric name, .*, got 'no_such_metric'$"),
    ({"metrics": ["mae", "mae"]}, "^metric names must be unique and not 'loss' or 'epoch'"),
    ({"metrics": [keras.metrics.Mean(name="loss")]}, "^metric names must be unique"),
    ({"build": lambda: keras.Sequential([keras.layers.Dense(1)])}, "must return a built model"),
    ({"data": [1, 2, 3]}, "dataset_fn must be a callable"),
    ({"data": tf.data.Dataset.from_tensor_slices(np.zeros((4, 4), "float32")).batch(2)},
     "must be \\(x, y\\) or \\(x, y, sample_weight\\)"),
])
def test_argument_errors(overrides, expected):
    with pytest.raises(ConfigError, match=expected):
        _run(**overrides)


def test_dataset_fn_checks():
    x, y, _ = _data()
    with pytest.raises(ConfigError, match="needs a seed"):
        sd.dataset_fn_from_arrays(x, y, global_batch_size=8, shuffle=True)
    with pytest.raises(ConfigError, match="^global_batch_size must be an integer >= 1, got 0$"):
        sd.dataset_fn_from_arrays(x, y, global_batch_size=0)
    fn = sd.dataset_fn_from_arrays(x, y, global_batch_size=16)
    with pytest.raises(ConfigError, match="not divisible by the 3 replicas"):
        fn(tf.distribute.InputContext(num_input_pipelines=1, input_pipeline_id=0,
                                      num_replicas_in_sync=3))
    # Two input pipelines (workers) with 2 replicas: each keeps every other row, batch 8.
    parts = [fn(tf.distribute.InputContext(2, i, 2)) for i in range(2)]
    first = [next(iter(p))[0].numpy() for p in parts]
    assert [f.shape for f in first] == [(8, D), (8, D)]
    np.testing.assert_array_equal(np.sort(np.concatenate(first), axis=0),
                                  np.sort(x[:16], axis=0))
