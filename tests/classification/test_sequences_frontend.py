"""The sequence classifier's front ends (issue 21): ``ConvBlocks`` (FCN's convolutions)
before the RNN (``"conv"``) or beside it (``"lstm-fcn"``): shapes, padding kept out (a row
gives the same probabilities at any padded length, checked against the model itself),
save/load, a bad name refused."""

import os
import tempfile

import keras
import numpy as np
import pytest

import seqkit
from seqkit.classification.models import FRONTENDS, ConvBlocks, build_sequence_model
from seqkit.errors import ConfigError
from seqkit.fit.options import RNNSpec


def _padded(lengths, t, f=3, seed=0):
    """Rows of ``lengths`` real steps (none all-zero), post-padded with zeros to ``t``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(lengths), t, f)).astype("float32") + 3.0
    mask = np.arange(t)[None, :] < np.asarray(lengths)[:, None]
    return np.where(mask[..., None], x, 0.0).astype("float32"), mask


def _probs(model, x):
    return np.asarray(model(x, training=False))


def _model(frontend, patch=1, seed=0):
    keras.utils.set_random_seed(seed)
    return build_sequence_model(3, 4, rnn=RNNSpec("lstm", 4), input_mean=[3.0, 2.0, 1.0],
                                input_std=[1.0, 2.0, 0.5], patch=patch, head="last+mean",
                                frontend=frontend)


def test_conv_blocks_shapes_and_zeros_at_padding():
    x, mask = _padded([6, 2], t=6)
    out = ConvBlocks((5, 7), (4, 3))(x, mask=mask).numpy()
    assert out.shape == (2, 6, 7)
    assert np.all(out[1, 2:] == 0.0) and np.any(out[1, :2] != 0.0)
    model = _model("lstm-fcn")
    assert model.get_layer("conv_blocks").output.shape == (None, None, 128)
    assert model.get_layer("rnn_and_conv").output.shape == (None, 4 + 4 + 128)  # last+mean
    assert _probs(model, x).shape == (2, 4)


def test_conv_blocks_batch_statistics_ignore_padding():
    """In training the normalisation's moments are over the real steps only: more padding
    changes nothing at the real steps."""
    x, mask = _padded([5, 3], t=5)
    layer = ConvBlocks((4,), (3,))
    short = layer(x, mask=mask, training=True).numpy()
    longer_x = np.concatenate([x, np.zeros((2, 4, 3), "float32")], axis=1)
    longer_mask = np.concatenate([mask, np.zeros((2, 4), bool)], axis=1)
    longer = layer(longer_x, mask=longer_mask, training=True).numpy()
    np.testing.assert_allclose(longer[:, :5], short, atol=1e-5)


@pytest.mark.parametrize(("frontend", "patch"), [("conv", 1), ("conv", 3), ("lstm-fcn", 3)])
def test_a_row_gives_the_same_probabilities_at_any_padded_length(frontend, patch):
    x, _ = _padded([7, 4, 2], t=7)
    model = _model(frontend, patch)
    probs = _probs(model, x)
    alone = _probs(model, x[1:2, :4])  # row 1 unpadded
    longer = _probs(model, np.pad(x, [(0, 0), (0, 9), (0, 0)]))
    np.testing.assert_allclose(alone[0], probs[1], atol=1e-5)
    np.testing.assert_allclose(longer, probs, atol=1e-5)


def test_front_ends_survive_save_and_load():
    x, _ = _padded([7, 3], t=7)
    model = _model("lstm-fcn", patch=2)
    probs = _probs(model, x)
    path = os.path.join(tempfile.mkdtemp(), "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("conv_blocks"), ConvBlocks)
    np.testing.assert_allclose(_probs(loaded, x), probs, atol=1e-6)
    layer = ConvBlocks((3, 2), (5, 3), name="c")
    assert ConvBlocks.from_config(layer.get_config()).get_config() == layer.get_config()


def test_a_bad_frontend_is_a_config_error_naming_it():
    assert FRONTENDS == ("patches", "conv", "lstm-fcn")
    x = np.random.default_rng(0).normal(size=(20, 5, 1)).astype("float32") + 2.0
    y = np.where(x[:, 0, 0] > 2.0, "a", "b")
    with pytest.raises(ConfigError, match="frontend.*'fcn'"):
        seqkit.fit_sequence_classifier(x, y, frontend="fcn", units=2, epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="frontend"):
        build_sequence_model(1, 2, frontend="cnn")
    with pytest.raises(ConfigError, match="one entry per block"):
        ConvBlocks((4, 4), (3,))
