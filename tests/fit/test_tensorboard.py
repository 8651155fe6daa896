"""TensorBoard logs of the fits (seqkit.fit.tensorboard): the event files exist and parse
(read back as TFRecords of ``tf.compat.v1.Event``, not through seqkit), their epoch
scalars equal the history, the gate-trace heatmap image is there with the size its
figure has (a text model's attribution image beside it); the opt-out writes nothing;
FitResult traces raw inputs; a text heatmap's time axis carries the tokens.

The suite runs with SEQKIT_TENSORBOARD=0 (tests/conftest.py); these tests opt in."""

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit.classification.attribution import attribution_image
from seqkit.classification.sequences import SequenceClassification
from seqkit.classification.text import TextClassification
from seqkit.fit.options import FitOptions
from seqkit.fit.pipeline import run_fit
from seqkit.fit.tensorboard import (
    FigureImage,
    GateTraceImage,
    TensorBoardLogger,
    tensorboard_callbacks,
)
from seqkit.layers.trace import gate_trace_figure
from tests.helpers import keyword_texts

TINY = {"units": 4, "epochs": 2, "patience": None, "lr_schedule": None, "verbose": 0,
        "cell": "lstm", "seed": 0}


def read_events(folder) -> dict:
    """``{tag: [(step, Summary.Value)]}`` of the event files directly in ``folder``."""
    files = sorted(Path(folder).glob("events.out.tfevents.*"))
    assert files, f"no event file in {folder}"
    tags: dict = {}
    for path in files:
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append((event.step, value))
    return tags


def scalars(tags: dict, tag: str) -> list[float]:
    """The values of a scalar tag in step order."""
    points = sorted(tags[tag], key=lambda p: p[0])
    assert all(v.metadata.plugin_data.plugin_name == "scalars" for _, v in points)
    return [float(tf.make_ndarray(v.tensor)) for _, v in points]


def image(tags: dict, tag: str) -> tuple[int, np.ndarray]:
    """(step, decoded RGB pixels) of an image tag: TensorBoard's [width, height, png]."""
    [(step, value)] = tags[tag]
    assert value.metadata.plugin_data.plugin_name == "images"
    width, height, png = tf.make_ndarray(value.tensor)
    pixels = tf.io.decode_png(png).numpy()
    assert pixels.shape[:2] == (int(height), int(width))
    return step, pixels


def heatmap_size(gates: int, steps: int) -> tuple[int, int]:
    """The figure gate_trace_figure makes, in pixels at 100 dpi: (height, width)."""
    return round(100 * (1.6 * gates + 0.8)), round(100 * max(6, 0.25 * steps + 2))


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    """One tiny text fit logging into an explicit folder."""
    folder = tmp_path_factory.mktemp("tb") / "logs"
    texts, labels = keyword_texts(80, seed=1)  # validation: 24 (at least 20 are kept)
    task = TextClassification(x=texts, y=labels, embedding_dim=4, val_fraction=0.3,
                              test_fraction=0.05)
    result = run_fit(task, FitOptions(**TINY, tensorboard=str(folder)))
    return folder, task, result


def test_text_fit_logs_the_history_and_the_heatmap(text_run):
    folder, task, result = text_run
    assert result.config["tensorboard"] == str(folder)
    train, val = read_events(folder / "train"), read_events(folder / "validation")
    assert scalars(train, "epoch_loss") == pytest.approx(result.history["loss"], rel=1e-6)
    assert scalars(val, "epoch_loss") == pytest.approx(result.history["val_loss"], rel=1e-6)
    assert scalars(val, "epoch_accuracy") == pytest.approx(result.history["val_accuracy"])
    [layer] = [t for t in val if t.startswith("gate_trace/")]
    step, pixels = image(val, layer)
    assert step == 1  # the last epoch (Keras' epoch scalars count from 0)
    words = task.val_x[0].split()  # the first validation text, all words in the vocabulary
    assert pixels.shape == (*heatmap_size(6, len(words)), 3)  # LSTM: i, f, g, o, c, h
    assert pixels.std() > 0  # a picture, not a blank
    step, pixels = image(val, "attribution/text")  # beside it: the tokens by their scores
    rows = -(-len(words) // 8)  # attribution_figure: 8 tokens a row, 100 dpi
    assert step == 1 and pixels.shape == (round(100 * (0.45 * rows + 1.0)), 1030, 3)
    assert pixels.std() > 0


def test_trace_of_raw_text_equals_trace_of_prepared_inputs(text_run):
    _, task, result = text_run
    texts = np.array(task.test_x[:3], dtype=str)  # a NumPy unicode array, as users pass
    raw = result.trace_gates(texts)
    prepared = seqkit.trace_gates(result.model, result.prepare_inputs(texts))
    assert raw.names == prepared.names
    for name in raw.names:
        np.testing.assert_array_equal(raw[name], prepared[name])
    np.testing.assert_array_equal(raw.mask, prepared.mask)
    assert raw.extra["tokens"] == [t.split() for t in texts]


def test_text_heatmap_time_axis_has_the_tokens(text_run, tmp_path):
    _, task, result = text_run
    text = task.test_x[0]
    figure = gate_trace_figure(result.trace_gates(text))
    bottom = figure.axes[-1]  # colorbars come after the panels
    panels = [ax for ax in figure.axes if ax.get_ylabel().endswith("unit")]
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == text.split()
    assert panels[-1].get_xlabel() == "token" and bottom is not None
    png = result.plot_gate_trace([text], tmp_path / "gates" / "text.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_default_folder_and_opt_out(tmp_path, monkeypatch):
    """On by default (seqkit_logs/<task>-<cell>/version_<N>; no validation split: the
    heatmap of a training example in train/), off with tensorboard=False even when the
    environment allows the default."""
    monkeypatch.setenv("SEQKIT_TENSORBOARD", "1")
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(int(n), 2)) for n in rng.integers(3, 7, 24)]
    ys = [int(x[:, 0].sum() > 0) for x in xs]
    one_epoch = {**TINY, "epochs": 1}

    def fit(**options):
        task = SequenceClassification(x=xs, y=ys, val_fraction=0.0, test_fraction=0.0)
        with pytest.warns(UserWarning, match="test_fraction=0"):
            return run_fit(task, FitOptions(**one_epoch, **options))

    result = fit()
    folder = tmp_path / "seqkit_logs" / "sequence_classification-lstm" / "version_0"
    assert Path(result.config["tensorboard"]).resolve() == folder
    train = read_events(folder / "train")
    assert scalars(train, "epoch_loss") == pytest.approx(result.history["loss"], rel=1e-6)
    assert any(tag.startswith("gate_trace/") for tag in train)
    assert not any(tag.startswith("attribution/") for tag in train)  # text models only

    off = tmp_path / "off"
    off.mkdir()
    monkeypatch.chdir(off)
    assert fit(tensorboard=False).config["tensorboard"] is False
    assert list(off.iterdir()) == []


def test_the_custom_loop_writes_the_same_logs(tmp_path, monkeypatch):
    """The multi-worker custom loop (forced here under a one-device strategy) writes the
    same epoch scalars and the heatmap."""
    import seqkit.fit.train as train

    x, y = np.ones((8, 5, 2), "float32"), np.ones((8, 1), "float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    monkeypatch.setattr(train, "_fit_supported", lambda strategy: False)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        inp = keras.Input((None, 2))
        rnn = seqkit.make_rnn("lstm", 4, name="rnn")
        model = keras.Model(inp, keras.layers.Dense(1)(rnn(inp)))
    history, _ = train.compile_and_fit(model, ds, ds, epochs=2, loss="mse", metrics=None,
                                       verbose=0, tensorboard=str(tmp_path), strategy=strategy)
    assert scalars(read_events(tmp_path / "train"), "epoch_loss") == pytest.approx(
        history["loss"], rel=1e-6)
    val = read_events(tmp_path / "validation")
    assert scalars(val, "epoch_loss") == pytest.approx(history["val_loss"], rel=1e-6)
    assert image(val, "gate_trace/rnn")[1].shape == (*heatmap_size(6, 5), 3)  # LSTM: 6


def test_own_tensorboard_callback_is_the_logger_and_gets_the_heatmap(tmp_path):
    own = keras.callbacks.TensorBoard(str(tmp_path / "mine"))
    val = tf.data.Dataset.from_tensor_slices((np.ones((2, 3, 1)), np.ones(2))).batch(2)
    [heatmap] = tensorboard_callbacks(str(tmp_path / "default"), [own], val, None)
    assert isinstance(heatmap, GateTraceImage) and heatmap.log_dir == own.log_dir
    assert heatmap.run == "validation"
    logger, heatmap, figure = tensorboard_callbacks(str(tmp_path / "default"), [], None, val,
                                                    images=[attribution_image])
    assert isinstance(logger, TensorBoardLogger) and heatmap.run == figure.run == "train"
    assert isinstance(figure, FigureImage) and figure.draw is attribution_image
    assert tensorboard_callbacks(None, [], val, val) == []


def test_recipe_fit_arguments_carry_the_run_folder_or_nothing(tmp_path, monkeypatch):
    from seqkit import tasks
    from seqkit.fit import FitOptions
    from seqkit.recipes.config import SequenceConfig
    from seqkit.recipes.run import _fit_kwargs

    assert FitOptions().tensorboard is True  # every fit function's default
    for name in tasks.names():
        assert "tensorboard" not in tasks.task_class(name).option_defaults
    monkeypatch.setenv("SEQKIT_TENSORBOARD", "1")
    kwargs = _fit_kwargs(SequenceConfig(), None, tmp_path, progress=False)
    assert kwargs["tensorboard"] == str(tmp_path / "tensorboard")
    assert _fit_kwargs(SequenceConfig(tensorboard=False), None, tmp_path,
                       progress=False)["tensorboard"] is False
    monkeypatch.setenv("SEQKIT_TENSORBOARD", "0")
    assert _fit_kwargs(SequenceConfig(), None, tmp_path, progress=False)["tensorboard"] is False
