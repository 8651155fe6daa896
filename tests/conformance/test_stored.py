"""Saves written by earlier seqkit versions keep loading and give the same outputs.

``stored/v<version>/`` holds, per case, a ``.keras`` file, a SavedModel and an ``.npz``
with a fixed input and the output that version computed (written by ``make_stored.py``).
Every stored version is checked, old ones included: users' saved models must keep loading.
"""

from pathlib import Path

import keras
import numpy as np
import pytest

import seqkit.layers as seqkit_layers

STORED = Path(__file__).resolve().parent / "stored"
CASES = sorted(STORED.glob("v*/*.npz"))
IDS = [f"{path.parent.name}/{path.stem}" for path in CASES]
#: seqkit's serializable classes, as a user passes them to ``load_model``.
CUSTOM_OBJECTS = {cls.__name__: cls for cls in (
    seqkit_layers.ExplicitLSTM, seqkit_layers.ExplicitLSTMCell,
    seqkit_layers.ExplicitGRU, seqkit_layers.ExplicitGRUCell)}


def _stored(npz_path):
    data = np.load(npz_path)
    return data["inputs"], data["expected"]


def test_there_are_stored_saves():
    assert len(CASES) >= 4, f"expected stored saves under {STORED}"


@pytest.mark.parametrize("npz_path", CASES, ids=IDS)
@pytest.mark.parametrize("custom_objects", [None, CUSTOM_OBJECTS],
                         ids=["registered", "custom_objects"])
def test_keras_file_loads_and_reproduces(npz_path, custom_objects):
    x, expected = _stored(npz_path)
    model = keras.saving.load_model(npz_path.with_suffix(".keras"),
                                    custom_objects=custom_objects)
    got = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="a SavedModel is TensorFlow's format (tf.saved_model.load)")
@pytest.mark.parametrize("npz_path", CASES, ids=IDS)
def test_saved_model_loads_and_reproduces(npz_path):
    import tensorflow as tf

    x, expected = _stored(npz_path)
    loaded = tf.saved_model.load(str(npz_path.with_name(f"{npz_path.stem}_saved_model")))
    got = loaded.serve(tf.constant(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
