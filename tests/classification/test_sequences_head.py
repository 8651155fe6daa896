"""The sequence classifier's front and head: patches of k steps (``TimePatches``), pooled
outputs (``MaskedPooling``), ``patch="auto"``; checked against NumPy re-implementations and
hand-computed sizes."""

import os
import tempfile

import keras
import numpy as np
import pytest

import seqkit
from seqkit.classification.models import MaskedPooling, TimePatches, build_sequence_model
from seqkit.classification.sequences import resolve_patch
from seqkit.errors import ConfigError
from seqkit.fit.options import RNNSpec


def _rows(lengths, t=7, f=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(lengths), t, f)).astype("float32") + 3.0  # no all-zero step
    mask = np.arange(t)[None, :] < np.asarray(lengths)[:, None]
    return np.where(mask[..., None], x, 0.0).astype("float32"), mask


def test_time_patches_match_a_numpy_reshape_and_an_any_mask():
    x, mask = _rows([7, 4])
    layer = TimePatches(3)
    out = layer(x, mask=mask).numpy()
    padded = np.concatenate([x * mask[..., None], np.zeros((2, 2, 3), "float32")], axis=1)
    np.testing.assert_array_equal(out, padded.reshape(2, 3, 9))
    patch_mask = np.asarray(layer.compute_mask(x, keras.ops.convert_to_tensor(mask)))
    assert patch_mask.tolist() == [[True, True, True], [True, True, False]]  # 4 steps: 2


@pytest.mark.parametrize("mode", ["mean", "max", "last"])
def test_masked_pooling_matches_numpy_over_the_real_steps(mode):
    x, mask = _rows([7, 4, 1], seed=1)
    out = MaskedPooling(mode)(x, mask=mask).numpy()
    for i, n in enumerate([7, 4, 1]):
        real = x[i, :n]
        want = {"mean": real.mean(0), "max": real.max(0), "last": real[-1]}[mode]
        np.testing.assert_allclose(out[i], want, rtol=1e-6)


@pytest.mark.parametrize(("length", "want"), [(251, 6), (100, 2), (50, 1), (51, 2), (8, 1)])
def test_auto_patch_leaves_at_most_50_steps(length, want):
    assert resolve_patch("auto", length) == want  # ceil(251 / 6) = 42, ceil(251 / 5) = 51
    assert resolve_patch(4, length) == 4


def test_patched_pooled_model_ignores_padding_and_survives_save_load():
    keras.utils.set_random_seed(0)
    x, _ = _rows([7, 4])
    model = build_sequence_model(3, 2, rnn=RNNSpec("gru", 4), patch=3, head="last+mean")
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(x[1:, :4], verbose=0)[0], probs[1], atol=1e-6)
    path = os.path.join(tempfile.mkdtemp(), "model.keras")
    model.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0), probs,
                               atol=1e-6)


def test_fit_records_the_auto_patch_and_refuses_bad_heads():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 120, 1)).astype("float32") + 5.0
    y = np.where(x[:, :10, 0].mean(axis=1) > 5.0, "a", "b")
    r = seqkit.fit_sequence_classifier(x, y, units=2, epochs=1, verbose=0)
    assert (r.config["patch"], r.config["patch_size"], r.config["head"]) == ("auto", 3,
                                                                            "last+mean")
    with pytest.raises(ConfigError, match="head must be"):
        seqkit.fit_sequence_classifier(x, y, head="avg", units=2, epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="patch"):
        seqkit.fit_sequence_classifier(x, y, patch=0, units=2, epochs=1, verbose=0)
