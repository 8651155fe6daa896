"""TensorBoard logs of a fit: Keras' epoch scalars, a gate-trace heatmap at the end (and a
task's own figures, e.g. a text model's per-token attributions).

Every fit function and recipe writes them by default (``FitOptions.tensorboard``):

- ``True`` (the fit functions' default): ``seqkit_logs/<task>-<cell>/version_<N>`` under
  the working directory, the next free ``N``, as PyTorch Lightning writes
  ``lightning_logs/version_<N>`` (a recipe writes ``runs/<name>/tensorboard``);
- a folder path: that folder; ``False``: nothing.

The environment variable ``SEQKIT_TENSORBOARD=0`` (also ``false``/``off``/``no``) turns
the *default* off, as ``WANDB_MODE=disabled`` does for Weights & Biases; a folder given
explicitly is still written. The test suite sets it.

Inside the folder, :class:`TensorBoardLogger` (``keras.callbacks.TensorBoard``) writes
``train/`` and ``validation/`` event files with the scalars ``epoch_loss``,
``epoch_<metric>`` and ``epoch_learning_rate`` per epoch (Keras' tags: ``val_loss`` is
``epoch_loss`` in ``validation/``); :class:`GateTraceImage` adds, when training ends, the
image ``gate_trace/<layer>`` in ``validation/``: the heatmap of
:func:`seqkit.layers.trace.gate_trace_figure` for the first validation example (its
tokens on the time axis for a text model; the first training example when there is no
validation split). A task may draw more of the same example beside it
(:class:`FigureImage`): a text classifier adds ``attribution/text``, its tokens coloured by
their integrated-gradients scores (:mod:`seqkit.classification.attribution`). View them
with ``pip install tensorboard`` and ``tensorboard --logdir seqkit_logs`` (or ``runs``).

TensorFlow 2.21 no longer installs the ``tensorboard`` package, which implements
``tf.summary.scalar`` and ``tf.summary.image``; without it the scalars and the image are
written through TensorFlow's own ``tf.summary.write`` with the metadata TensorBoard's
own summaries write (``tensorboard/plugins/scalar/summary_v2.py``,
``tensorboard/plugins/image/summary_v2.py``), so the files read the same.

Example:

>>> import tempfile
>>> from seqkit.fit.tensorboard import resolve_log_dir
>>> resolve_log_dir(False, name="forecasting") is None
True
>>> folder = tempfile.mkdtemp()
>>> resolve_log_dir(folder, name="forecasting") == folder
True
>>> resolve_log_dir(3, name="forecasting")
Traceback (most recent call last):
...
seqkit.errors.ConfigError: tensorboard must be True, False or a folder path, got 3
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import keras
import numpy as np

from seqkit.errors import ConfigError
from seqkit.validation import fail

ENV_VAR = "SEQKIT_TENSORBOARD"
DEFAULT_ROOT = "seqkit_logs"
_OFF = ("0", "false", "off", "no", "disabled")
_ON = ("", "1", "true", "on", "yes")


def check_tensorboard(value):
    """``value`` if it is a valid ``tensorboard`` option: a bool or a folder path.

    Args:
        value: ``True``, ``False`` or a ``str`` / ``os.PathLike`` folder.

    Returns:
        ``value`` (a path as ``str``).

    Raises:
        seqkit.errors.ConfigError: anything else.

    Example:

    >>> check_tensorboard(True), check_tensorboard(Path("logs"))
    (True, 'logs')
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, os.PathLike)) and str(value):
        return str(value)
    fail("tensorboard", "True, False or a folder path", value)


def default_enabled() -> bool:
    """Whether the default logs are on: ``SEQKIT_TENSORBOARD`` is unset or not an off word.

    Returns:
        False when the variable is ``0``, ``false``, ``off``, ``no`` or ``disabled``.

    Raises:
        seqkit.errors.ConfigError: another value.

    Example:

    >>> import os
    >>> os.environ["SEQKIT_TENSORBOARD"] = "off"
    >>> default_enabled()
    False
    >>> os.environ["SEQKIT_TENSORBOARD"] = "0"  # the test suite's setting
    """
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    raise ConfigError(f"environment variable {ENV_VAR} must be one of {_ON + _OFF}, got "
                      f"{os.environ[ENV_VAR]!r}")


def resolve_log_dir(value, *, name: str, root=DEFAULT_ROOT) -> str | None:
    """The folder a fit writes its TensorBoard logs to, or None for none.

    Args:
        value: the ``tensorboard`` option (see :func:`check_tensorboard`).
        name: the run's name under ``root`` for ``True`` (e.g. ``"forecasting-gru"``).
        root: the default folder.

    Returns:
        ``value`` for a path; for ``True`` ``root/name/version_<N>`` (created, the next
        free ``N``) unless :func:`default_enabled` says no; None for ``False``.

    Example:

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> os.environ["SEQKIT_TENSORBOARD"] = "1"
    >>> first = resolve_log_dir(True, name="text", root=root)
    >>> second = resolve_log_dir(True, name="text", root=root)
    >>> Path(first).name, Path(second).name
    ('version_0', 'version_1')
    >>> os.environ["SEQKIT_TENSORBOARD"] = "0"
    >>> resolve_log_dir(True, name="text", root=root) is None
    True
    """
    value = check_tensorboard(value)
    if value is False or (value is True and not default_enabled()):
        return None
    if value is not True:
        return value
    base = Path(root) / name
    base.mkdir(parents=True, exist_ok=True)
    n = len(list(base.glob("version_*")))
    while True:  # mkdir claims the folder: two fits at once get two versions
        try:
            (base / f"version_{n}").mkdir()
            return str(base / f"version_{n}")
        except FileExistsError:
            n += 1


def fit_log_dir(value, callbacks, *, name: str) -> str | None:
    """The folder a fit's logs go to: that of a ``keras.callbacks.TensorBoard`` among
    ``callbacks`` (the user's logger, see :func:`tensorboard_callbacks`), else
    :func:`resolve_log_dir` of the ``tensorboard`` option.

    Args:
        value: the ``tensorboard`` option.
        callbacks: the fit's extra callbacks (or None).
        name: the default run's name (see :func:`resolve_log_dir`).

    Returns:
        The folder, or None for no logs.

    Example:

    >>> fit_log_dir(True, [keras.callbacks.TensorBoard("mine")], name="text")
    'mine'
    """
    own = [c for c in callbacks or () if isinstance(c, keras.callbacks.TensorBoard)]
    return own[0].log_dir if own else resolve_log_dir(value, name=name)


class _CoreSummary:
    """``tf.summary`` with ``scalar`` and ``image`` written by TensorFlow's own
    ``tf.summary.write`` when the ``tensorboard`` package (their implementation) is
    missing; the tag, tensor and metadata are those TensorBoard's summaries write."""

    def __init__(self):
        import tensorflow as tf

        self._tf = tf

    def __getattr__(self, name):
        return getattr(self._tf.summary, name)

    def _metadata(self, plugin: str, data_class: int, description):
        from tensorflow.core.framework import summary_pb2

        return summary_pb2.SummaryMetadata(
            summary_description=description or "", data_class=data_class,
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin))

    def scalar(self, name, data, step=None, description=None):
        tf = self._tf
        metadata = self._metadata("scalars", 1, description)  # DATA_CLASS_SCALAR
        with tf.summary.experimental.summary_scope(name, "scalar_summary",
                                                   values=[data, step]) as (tag, _):
            return tf.summary.write(tag=tag, tensor=tf.cast(data, tf.float32), step=step,
                                    metadata=metadata)

    def image(self, name, data, step=None, max_outputs=3, description=None):
        tf = self._tf
        metadata = self._metadata("images", 3, description)  # DATA_CLASS_BLOB_SEQUENCE
        with tf.summary.experimental.summary_scope(name, "image_summary",
                                                   values=[data, step]) as (tag, _):
            images = tf.image.convert_image_dtype(data, tf.uint8, saturate=True)
            shape = tf.shape(images)
            encoded = [tf.image.encode_png(images[i])
                       for i in range(min(int(images.shape[0]), max_outputs))]
            tensor = tf.concat([tf.stack([tf.as_string(shape[2]), tf.as_string(shape[1])]),
                                tf.stack(encoded) if encoded else tf.constant([], tf.string)],
                               axis=0)
            return tf.summary.write(tag=tag, tensor=tensor, step=step, metadata=metadata)


def summary_module():
    """``tf.summary`` when the ``tensorboard`` package is installed, else a stand-in whose
    ``scalar`` and ``image`` use TensorFlow's ``tf.summary.write``.

    Returns:
        A module-like object with ``create_file_writer``, ``scalar``, ``image``, ...

    Example:

    >>> hasattr(summary_module(), "scalar")
    True
    """
    try:
        import tensorboard.summary  # noqa: F401  (implements tf.summary.scalar/image)
    except ImportError:
        return _CoreSummary()
    import tensorflow as tf

    return tf.summary


class TensorBoardLogger(keras.callbacks.TensorBoard):
    """``keras.callbacks.TensorBoard`` that also writes without the ``tensorboard``
    package (see :func:`summary_module`); by default no graph (cheap: seconds per fit
    matter in a suite of hundreds), epoch scalars only.

    Args:
        log_dir: the folder; ``train/`` and ``validation/`` are written inside.
        **kwargs: ``keras.callbacks.TensorBoard``'s other arguments.

    Example:

    >>> TensorBoardLogger("logs").write_graph
    False
    """

    def __init__(self, log_dir, **kwargs):
        super().__init__(log_dir=str(log_dir), **{"write_graph": False, **kwargs})

    @property
    def summary(self):
        if self._summary_module is None:
            self._summary_module = summary_module()
        return self._summary_module


def _first_example(dataset):
    """The inputs of the first example of a batched ``(x, y[, w])`` dataset, as a batch
    of one (a dict of inputs stays a dict)."""
    batch = next(iter(dataset.take(1)))
    x = batch[0] if isinstance(batch, (tuple, list)) else batch
    return keras.tree.map_structure(lambda t: np.asarray(t)[:1], x)


class _EndOfTrainingImage(keras.callbacks.Callback):
    """What the end-of-training images share: the folder, the example's dataset, the run
    and the last epoch (the image's step); ``written`` is the image's shape once written."""

    def __init__(self, log_dir, dataset, *, run: str = "validation"):
        super().__init__()
        self.log_dir, self.dataset, self.run = str(log_dir), dataset, run
        self.last_epoch = 0
        self.written = None

    def on_epoch_end(self, epoch, logs=None):
        self.last_epoch = epoch


class GateTraceImage(_EndOfTrainingImage):
    """At the end of training, the gate-trace heatmap of one example as a TensorBoard image.

    Traces ``self.model`` (the trained model, best weights restored: put it after
    ``EarlyStopping``) on the first example of ``dataset`` with
    :func:`seqkit.layers.trace.trace_gates`, labels a text model's time axis with its
    tokens, and writes ``gate_trace/<layer>`` at the last epoch's step into
    ``log_dir/run``. A model it cannot trace (e.g. no seqkit RNN layer) gets a warning,
    not an error: training is done.

    Args:
        log_dir: the TensorBoard folder.
        dataset: a batched ``tf.data`` dataset of ``(inputs, targets)``.
        run: the sub-folder (``"validation"`` or ``"train"``).
        max_units: draw at most this many units per gate.

    Example:

    >>> GateTraceImage("logs", None).run
    'validation'
    """

    def __init__(self, log_dir, dataset, *, run: str = "validation", max_units: int = 64):
        super().__init__(log_dir, dataset, run=run)
        self.max_units = max_units

    def on_train_end(self, logs=None):
        from seqkit.layers.trace import gate_trace_figure, trace_gates, trace_tokens

        try:
            model, inputs = _traced(self.model, _first_example(self.dataset))
            trace = trace_gates(model, inputs)
            tokens = trace_tokens(model, inputs)
        except Exception as error:  # noqa: BLE001  (a picture must never fail a finished fit)
            warnings.warn(f"no gate-trace image in TensorBoard: {error}", stacklevel=2)
            return
        figure = gate_trace_figure(trace, tokens=None if tokens is None else tokens[0],
                                   max_units=self.max_units)
        self.written = write_image(
            os.path.join(self.log_dir, self.run), f"gate_trace/{trace.layer_name}",
            figure_to_array(figure), step=self.last_epoch,
            description=f"gate activations (units x time) of the first {self.run} example")


def _traced(model, inputs):
    """The network a picture shows and its inputs: a stacked training model (inputs a dict,
    the served network nested in it as the layer ``deep``, e.g. the text classifier's RNN
    trained against precomputed linear logits) is drawn through that network.

    Args:
        model: the trained model.
        inputs: the example as the dataset gives it.

    Returns:
        ``(model, inputs)`` to trace.
    """
    names = [layer.name for layer in model.layers]
    if isinstance(inputs, dict) and "deep" in names:
        deep = model.get_layer("deep")
        return deep, inputs[deep.inputs[0].name]
    return model, inputs


class FigureImage(_EndOfTrainingImage):
    """At the end of training, a figure a task draws of one example, as a TensorBoard
    image (a text classifier's per-token attributions: see
    :meth:`seqkit.fit.pipeline.FitTask.tensorboard_images`).

    ``draw(model, inputs)`` gets the trained model and the first example of ``dataset``
    (a batch of one) and returns ``(tag, figure, description)``, or None for nothing (a
    model it does not apply to); a failure is a warning, not an error.

    Args:
        log_dir: the TensorBoard folder.
        dataset: a batched ``tf.data`` dataset of ``(inputs, targets)``.
        draw: the figure maker.
        run: the sub-folder (``"validation"`` or ``"train"``).

    Example:

    >>> FigureImage("logs", None, lambda model, inputs: None, run="train").run
    'train'
    """

    def __init__(self, log_dir, dataset, draw, *, run: str = "validation"):
        super().__init__(log_dir, dataset, run=run)
        self.draw = draw

    def on_train_end(self, logs=None):
        try:
            drawn = self.draw(*_traced(self.model, _first_example(self.dataset)))
        except Exception as error:  # noqa: BLE001  (a picture must never fail a finished fit)
            warnings.warn(f"no {getattr(self.draw, '__name__', 'figure')} image in "
                          f"TensorBoard: {error}", stacklevel=2)
            return
        if drawn is not None:
            tag, figure, description = drawn
            self.written = write_image(os.path.join(self.log_dir, self.run), tag,
                                       figure_to_array(figure), step=self.last_epoch,
                                       description=description)


def write_image(folder, tag: str, image: np.ndarray, *, step: int, description: str):
    """Write one RGB image into the event files of ``folder`` (:func:`summary_module`).

    Args:
        folder: the run's folder (``log_dir/validation``).
        tag: the image's tag.
        image: ``uint8 [height, width, 3]``.
        step: the step it is shown at.
        description: TensorBoard's description of the tag.

    Returns:
        ``image.shape``.

    Example:

    >>> import tempfile
    >>> write_image(tempfile.mkdtemp(), "demo", np.zeros((2, 3, 3), "uint8"), step=0,
    ...             description="a black image")
    (2, 3, 3)
    """
    summary = summary_module()
    writer = summary.create_file_writer(str(folder))
    with writer.as_default():
        summary.image(tag, image[None], step=step, description=description)
    writer.close()
    return image.shape


def figure_to_array(figure) -> np.ndarray:
    """A matplotlib figure rendered to ``uint8 [height, width, 3]`` RGB.

    Args:
        figure: a ``matplotlib.figure.Figure``.

    Returns:
        The pixels, ``figure.dpi`` per inch.

    Example:

    >>> from matplotlib.figure import Figure
    >>> figure_to_array(Figure(figsize=(2, 1), dpi=50)).shape
    (50, 100, 3)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def tensorboard_callbacks(log_dir, callbacks, val_ds, train_ds, images=()) -> list:
    """The callbacks a fit adds for ``log_dir``: the logger, the heatmap and the task's
    own figures (:class:`FigureImage`).

    A ``keras.callbacks.TensorBoard`` already among ``callbacks`` is the logger (none is
    added) and its folder gets the images.

    Args:
        log_dir: the folder, or None for no logs.
        callbacks: the user's callbacks.
        val_ds: the validation dataset (the heatmap's example) or None.
        train_ds: the training dataset (the example when there is no validation).
        images: figure makers ``draw(model, inputs)`` (see :class:`FigureImage`), e.g.
            :meth:`seqkit.fit.pipeline.FitTask.tensorboard_images`.

    Returns:
        The callbacks to append after every other one.

    Example:

    >>> tensorboard_callbacks(None, [], None, None)
    []
    """
    own = [c for c in callbacks or () if isinstance(c, keras.callbacks.TensorBoard)]
    if log_dir is None and not own:
        return []
    added = [] if own else [TensorBoardLogger(log_dir)]
    folder = own[0].log_dir if own else log_dir
    run, data = ("validation", val_ds) if val_ds is not None else ("train", train_ds)
    return [*added, GateTraceImage(folder, data, run=run),
            *(FigureImage(folder, data, draw, run=run) for draw in images)]
