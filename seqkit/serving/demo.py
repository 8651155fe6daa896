"""A tiny SavedModel with a ``serving_default`` signature, for examples and quick checks.

The docstring examples of :mod:`seqkit.serving` and :mod:`seqkit.reporting` measure and scan
this model instead of each building their own: it takes ``window float32 [B, T, 1]`` and
returns ``output`` = ``2 · window`` (or, with ``loop=True``, the running sum over time,
computed in a ``While`` loop like an RNN's). TensorFlow only, no Keras.
"""

from __future__ import annotations

from pathlib import Path


def save_demo_model(folder, *, loop: bool = False) -> Path:
    """Save the demo model as a SavedModel in ``folder``.

    Args:
        folder: where to write (``saved_model.pb``, ``variables/``).
        loop: compute a running sum in a ``tf.while_loop`` (the graph holds a ``While``
            op) instead of doubling.

    Returns:
        ``Path(folder)``.

    Example:

    >>> import tempfile, tensorflow as tf
    >>> tmp = tempfile.TemporaryDirectory()
    >>> signature = tf.saved_model.load(str(save_demo_model(tmp.name, loop=True))).signatures[
    ...     "serving_default"]
    >>> signature(window=tf.ones([1, 3, 1]))["output"].numpy()[0, :, 0]
    array([1., 2., 3.], dtype=float32)
    >>> tmp.cleanup()
    """
    import tensorflow as tf

    spec = tf.TensorSpec([None, None, 1], tf.float32, name="window")

    @tf.function(input_signature=[spec])
    def serve(window):
        if not loop:
            return {"output": 2.0 * window}
        steps = tf.shape(window)[1]
        sums = tf.TensorArray(tf.float32, size=steps)

        def step(t, total, sums):
            total = total + window[:, t]
            return t + 1, total, sums.write(t, total)

        _, _, sums = tf.while_loop(lambda t, *_: t < steps, step,
                                   (0, tf.zeros_like(window[:, 0]), sums))
        return {"output": tf.transpose(sums.stack(), [1, 0, 2])}

    module = tf.Module()
    module.serve = serve
    tf.saved_model.save(module, str(folder), signatures={"serving_default": serve})
    return Path(folder)
