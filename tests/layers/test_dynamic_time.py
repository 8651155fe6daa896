"""A graph traced with a static batch and a dynamic time axis (a TFLite conversion at
batch 1, a traced predict with a fixed batch) runs every step: Keras' backend ``rnn`` reads
the batch axis of time-major inputs as the length when ``input_length`` is None."""

import keras
import numpy as np
import pytest

from seqkit.layers import make_rnn

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="traces a tf.function with a partial input signature")


@pytest.mark.parametrize("name", ["lstm", "gru", "peephole", "layernorm_gru"])
@pytest.mark.parametrize("batch", [1, 3])
def test_static_batch_dynamic_time_equals_the_builtin(name, batch):
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(batch, 7, 2)).astype("float32")
    layer = make_rnn(name, 4)
    layer.build((None, None, 2))
    traced = tf.function(layer, input_signature=[tf.TensorSpec([batch, None, 2])])
    want = keras.ops.convert_to_numpy(layer(x))  # eager: every shape known
    np.testing.assert_allclose(traced(tf.constant(x)).numpy(), want, rtol=0, atol=1e-6)
    if name in ("lstm", "gru"):  # and equal to Keras' own layer on the same weights
        builtin = getattr(keras.layers, name.upper())(4)
        builtin.build((None, None, 2))
        builtin.set_weights(layer.get_weights())
        np.testing.assert_allclose(want, builtin(x).numpy(), rtol=0, atol=1e-5)
