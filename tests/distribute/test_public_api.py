"""The package's import surface: every public name importable from ``seqkit.distribute``,
the helpers seqkit.fit uses public."""

from __future__ import annotations

import importlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit.distribute as sd
from seqkit.errors import ConfigError

MODULES = ("custom_loop", "data", "losses", "strategy")


def test_every_public_name_is_exported_and_documented():
    for name in sd.__all__:
        value = getattr(sd, name)
        if callable(value):
            doc = value.__doc__ or ""
            for section in ("Args:", "Example:"):
                assert section in doc, f"{name}: no {section} section"
    for module_name in MODULES:
        module = importlib.import_module(f"seqkit.distribute.{module_name}")
        public = [n for n, v in vars(module).items() if not n.startswith("_")
                  and getattr(v, "__module__", None) == module.__name__]
        assert set(public) <= set(sd.__all__), f"{module_name}: {public} not re-exported"


def test_the_names_seqkit_fit_uses():
    from seqkit.distribute import (  # noqa: F401 - the import is the test
        describe_strategy,
        distribute_dataset,
        fit_supported,
        get_strategy,
        is_chief,
        per_example_loss,
        train_custom_loop,
        unpack_batch,
        weighted_per_example_loss,
    )


def test_unpack_batch():
    assert sd.unpack_batch((1, 2)) == (1, 2, None)
    assert sd.unpack_batch([1, 2, 3]) == (1, 2, 3)
    for bad in ((1,), (1, 2, 3, 4), {"x": 1}, np.zeros(2)):
        with pytest.raises(ConfigError, match=r"must be \(x, y\) or \(x, y, sample_weight\)"):
            sd.unpack_batch(bad)


def test_distribute_dataset_both_inputs():
    strategy = tf.distribute.get_strategy()
    ds = tf.data.Dataset.from_tensor_slices((np.arange(5.0), np.arange(5.0))).batch(2)
    assert [int(b[0].shape[0]) for b in sd.distribute_dataset(strategy, ds)] == [2, 2, 1]
    fn = sd.dataset_fn_from_arrays(np.arange(5.0), np.arange(5.0), global_batch_size=2)
    assert [int(b[0].shape[0]) for b in sd.distribute_dataset(strategy, fn)] == [2, 2, 1]
    with pytest.raises(ConfigError, match="dataset_fn must be a callable"):
        sd.distribute_dataset(strategy, [1, 2])


def test_per_example_loss_keeps_functions_and_drops_reductions():
    def fn(y_true, y_pred):
        return y_pred

    assert sd.per_example_loss(fn) is fn
    y, pred = tf.zeros((4, 1)), tf.ones((4, 1))
    for loss in ("mse", keras.losses.MeanSquaredError(reduction="sum_over_batch_size")):
        assert sd.per_example_loss(loss)(y, pred).shape == (4,)
