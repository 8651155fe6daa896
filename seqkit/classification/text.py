"""fit_text_classifier: raw texts and labels in, a trained string-in model out."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from seqkit.classification.baselines import TEXT_BASELINES, check_baselines
from seqkit.classification.models import HEADS, build_text_model, fit_wide
from seqkit.classification.task import ClassificationTask, check_class_weight, class_counts
from seqkit.errors import ConfigError, DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import (
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_optional_int,
    fail,
)

DEFAULT_EMBEDDING_DIM = 64
DEFAULT_HEAD = "last"
DEFAULT_HEAD_DROPOUT = 0.0
DEFAULT_WIDE = True


@dataclass
class TextClassification(ClassificationTask):
    """The text task's hooks: ``load_text`` splits, a vectorizer adapted on the training
    split, optional pretrained word vectors, ``build_text_model``, string datasets."""

    name = "text_classification"
    title = "text classification (IMDB via tensorflow-datasets, or local files)"

    x: object = option(recipe_reason="the data: the recipe's data option")
    y: object = option(None, recipe_reason=(
        "the labels come with the recipe's data (a tensorflow-datasets name or a labelled "
        "file)"))
    embedding_dim: int | None = option(
        None, "embedding width; None: the embeddings file's, else 64")
    max_tokens: int = option(20000, "vocabulary size (training split only)")
    sequence_length: int | None = option(
        None, "tokens kept per text; None: the length_percentile of training lengths")
    length_percentile: float = option(
        95, "the percentile of training lengths kept when sequence_length is None")
    val_fraction: float = option(0.1, "validation share (stratified), in [0, 1)")
    test_fraction: float = option(0.1, "test share (stratified), in [0, 1)")
    data_dir: str | None = option(None, "tensorflow-datasets data_dir (prepared offline)")
    text_column: str | None = option(None, "a CSV/TSV/JSONL file's text column")
    label_column: str | None = option(None, "a CSV/TSV/JSONL file's label column")
    empty_policy: str = option("error", "error|drop for empty texts")
    max_examples: int | None = option(
        None, "keep at most this many examples (stratified)")
    classes: list[str] | None = option(
        None, "the class names in output order; default the sorted labels")
    encoding: str = option("utf-8", "the text files' encoding")
    class_weight: str | None = option(
        None, "balanced: weight each class by the inverse of its training share (a dict of "
        "weights in Python or a JSON config); None: unweighted")
    embeddings: str | None = option(
        None, "a word-vector file (GloVe/word2vec text) for the initial embeddings")
    trainable_embeddings: bool = option(True, "fine-tune the embeddings (False: frozen)")
    baselines: list[str] | str | None = option(
        "auto", "baselines fitted on the same splits (tfidf_logreg); auto: all; none: off")
    head: str = option(DEFAULT_HEAD, "last|mean|max or a +-joined mix (e.g. last+max): "
                                     "what the classifier reads of the RNN's outputs")
    head_dropout: float = option(DEFAULT_HEAD_DROPOUT, "dropout before the softmax")
    wide: bool = option(DEFAULT_WIDE, "start from a TF-IDF logistic regression fitted on the "
                                      "training split, in the graph; the RNN learns a "
                                      "correction to its logits")

    #: ``epochs="auto"`` trains for at most this long (the wide branch is fitted first and
    #: the RNN only corrects it; issue 21 asks a 5k-document fit to take under 2 minutes)
    auto_max_seconds = 90.0

    #: ``seqkit train text_classification``: its defaults where they differ, its own options
    recipe_defaults = {"epochs": 5, "batch_size": 32, "patience": 3, "embedding_dim": 64}
    recipe_options = {"data": (str, "imdb_reviews", "a tensorflow-datasets name or a local "
                               "TSV/CSV/JSONL file or folder")}
    word_vectors = None

    def check(self) -> None:
        self.embedding_dim = _check_embedding_dim(self.embedding_dim, self.embeddings)
        check_class_weight(self.class_weight)
        self.baselines = check_baselines(self.baselines, TEXT_BASELINES)
        check_choice("head", self.head, HEADS)
        self.head_dropout = check_fraction("head_dropout", self.head_dropout)
        self.wide = check_bool("wide", self.wide)
        self.trainable_embeddings = check_bool("trainable_embeddings",
                                               self.trainable_embeddings)
        self.max_tokens = check_int("max_tokens", self.max_tokens)
        self.sequence_length = check_optional_int("sequence_length", self.sequence_length)
        self.val_fraction = check_fraction("val_fraction", self.val_fraction)
        self.test_fraction = check_fraction("test_fraction", self.test_fraction)
        from seqkit.data.text.load import check_encoding

        check_encoding(self.encoding)

    def load(self, seed: int) -> None:
        from seqkit.data.text import load_text

        self.seed = seed
        self.splits = load_text(
            self.x, labels=self.y, data_dir=self.data_dir, text_column=self.text_column,
            label_column=self.label_column, val_fraction=self.val_fraction,
            test_fraction=self.test_fraction, seed=seed, empty_policy=self.empty_policy,
            max_examples=self.max_examples, classes=self.classes, encoding=self.encoding)
        self.train_x, self.train_y = self.splits.train
        self.val_x, self.val_y = self.splits.val if self.splits.val is not None else ((), ())
        self.test_x, self.test_y = (self.splits.test if self.splits.test is not None
                                    else ((), ()))
        self.class_names = list(self.splits.class_names)
        self.check_classes()

    def build_model(self, rnn):
        from seqkit.data.text import make_vectorizer

        self.vectorizer = make_vectorizer(self.train_x, max_tokens=self.max_tokens,
                                          sequence_length=self.sequence_length,
                                          length_percentile=self.length_percentile)
        matrix = self.pretrained_matrix()
        wide = (fit_wide(self.model_inputs(self.train_x), self.train_y,
                         len(self.class_names), seed=self.seed,
                         unlabelled_texts=self.model_inputs(self.val_x)) if self.wide
                else None)
        self.wide_model = wide
        self.wide_info = wide.fit_info if wide is not None else None
        return build_text_model(self.vectorizer, len(self.class_names), rnn=rnn,
                                embedding_dim=self.embedding_dim, embedding_matrix=matrix,
                                trainable_embeddings=self.trainable_embeddings,
                                head=self.head, head_dropout=self.head_dropout, wide=wide)

    def pretrained_matrix(self):
        """The ``embeddings`` file's matrix for the vocabulary (None without a file); sets
        ``embedding_dim`` to the file's dimension when it was None."""
        if self.embeddings is None:
            return None
        from seqkit.data.text import load_word_vectors

        self.word_vectors = load_word_vectors(self.embeddings,
                                              self.vectorizer.get_vocabulary(),
                                              encoding=self.encoding, seed=self.seed)
        dim = self.word_vectors.dimension
        if self.embedding_dim is None:
            self.embedding_dim = dim
        elif self.embedding_dim != dim:
            raise ConfigError(f"embedding_dim={self.embedding_dim} does not match the "
                              f"dimension {dim} of the embeddings file {str(self.embeddings)!r};"
                              " pass embedding_dim=None to take the file's")
        return self.word_vectors.matrix

    def dataset(self, x, y, batch_size: int, *, shuffle: bool, seed: int):
        from seqkit.data.text import text_dataset

        return text_dataset(x, y, batch_size, shuffle=shuffle, seed=seed)

    def model_inputs(self, x):
        from seqkit.data.text import to_text_array

        return to_text_array(x)

    @classmethod
    def test_case(cls) -> dict:
        """120 five-word texts labelled by whether they hold a positive word, 4 units, one
        epoch; a raw-text model's export does not stream (see :meth:`FitTask.test_case`).

        Returns:
            The case.

        Example:

        >>> TextClassification.test_case()["inputs"][1]
        'awful poor'
        """
        import numpy as np

        words = ["good", "bad", "fine", "awful", "great", "poor", "nice", "meh"]
        rng = np.random.default_rng(0)
        texts = [" ".join(rng.choice(words, size=5)) for _ in range(120)]
        labels = [int("good" in t or "great" in t) for t in texts]
        return {"fit": fit_text_classifier, "streams": False,
                "kwargs": {"x": np.array(texts), "y": labels, "units": 4,
                           "embedding_dim": 4, "epochs": 1, "verbose": 0, "max_tokens": 50},
                "inputs": np.array(["good nice fine", "awful poor"], dtype=object),
                "recipe": {"units": 4, "epochs": 1, "embedding_dim": 4}}

    @classmethod
    def prepare_inputs(cls, result, x):
        """Texts as the model takes them: an object array of strings (one string is a
        batch of one; Keras' fit refuses NumPy unicode arrays).

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            x: a string, a list of strings or a NumPy unicode array.

        Returns:
            An object array of strings.
        """
        from seqkit.data.text import to_text_array

        return to_text_array([x] if isinstance(x, (str, bytes)) else x)

    @classmethod
    def trace_extra(cls, result, prepared) -> dict:
        """Each text's tokens, the time axis of a gate heatmap.

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            prepared: the texts as :meth:`prepare_inputs` returned them.

        Returns:
            ``{"tokens": [[token, ...] per text]}``.
        """
        from seqkit.layers.trace import trace_tokens

        return {"tokens": trace_tokens(result.model, prepared)}

    @property
    def used_length(self) -> int:
        """The tokens kept per text (chosen from ``length_percentile`` when not given)."""
        return int(self.vectorizer.get_config()["output_sequence_length"])

    def config(self) -> dict:
        return {
            "source": describe_source(self.x),
            "labels": describe_source(self.y) if self.y is not None else None,
            **self.option_config(), "sequence_length": self.used_length,
            "embeddings": str(self.embeddings) if self.embeddings is not None else None,
            **self.class_weight_config(),
        }

    def after_training(self, model, batch_size: int) -> None:
        """With ``wide``: keep the RNN's correction only if, on the validation split, it
        lowers the log-loss below the linear model's alone (the deep logits zeroed) and
        loses no accuracy (``wide_choice`` says which was kept and the figures); then
        refit the linear model on the training and validation texts
        (:func:`seqkit.classification.models.refit_wide`)."""
        if not self.wide or not len(self.val_x):
            return
        from sklearn.metrics import log_loss

        texts, y = self.model_inputs(self.val_x), np.asarray(self.val_y)
        labels = list(range(len(self.class_names)))
        both = model.predict(texts, batch_size=256, verbose=0)
        alone = _softmax(self._wide_logits(texts))
        figures = {"val_loss_rnn_plus_linear": float(log_loss(y, both, labels=labels)),
                   "val_loss_linear": float(log_loss(y, alone, labels=labels)),
                   "val_accuracy_rnn_plus_linear": float(np.mean(both.argmax(1) == y)),
                   "val_accuracy_linear": float(np.mean(alone.argmax(1) == y))}
        better = (figures["val_loss_rnn_plus_linear"] < figures["val_loss_linear"]
                  and figures["val_accuracy_rnn_plus_linear"] >= figures["val_accuracy_linear"])
        if not better:
            dense = model.get_layer("deep_logits")
            dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
        self.wide_choice = {"kept": "rnn+linear" if better else "linear", **figures}
        from seqkit.classification.models import refit_wide

        refit_wide(self.wide_model, np.concatenate([self.model_inputs(self.train_x), texts]),
                   np.concatenate([np.asarray(self.train_y), y]), seed=self.seed)

    def _stacked(self):
        """The cross-fitted logits the RNN trains against (None: train as built)."""
        wide = getattr(self, "wide_model", None) if self.wide else None
        return None if wide is None else wide.out_of_fold

    def training_model(self, model):
        """With ``wide``: the stacked model (the RNN trained against the linear model's
        cross-fitted logits, :func:`seqkit.classification.models.stacked_training_model`)."""
        if self._stacked() is None:
            return model
        from seqkit.classification.models import stacked_training_model

        return stacked_training_model(model)

    def datasets(self, batch_size: int, seed: int) -> tuple:
        """With ``wide``: ``({"text", "wide_logits"}, y)`` batches: the training texts
        with their cross-fitted logits, the validation texts with the linear model's."""
        if self._stacked() is None:
            return super().datasets(batch_size, seed)
        import tensorflow as tf

        from seqkit.classification.task import with_sample_weights

        def stacked(texts, logits, y, shuffle):
            ds = tf.data.Dataset.from_tensor_slices(
                ({"text": self.model_inputs(texts).astype(str), "wide_logits": logits},
                 np.asarray(y, "int32")))
            if shuffle:
                ds = ds.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
            return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

        train = stacked(self.train_x, self.wide_model.out_of_fold, self.train_y, True)
        if self.weights is not None:
            train = with_sample_weights(train, self.weights)
        val = (stacked(self.val_x, self._wide_logits(self.model_inputs(self.val_x)),
                       self.val_y, False) if len(self.val_x) else None)
        return train, val

    def _wide_logits(self, texts) -> np.ndarray:
        return np.concatenate([np.asarray(self.wide_model(texts[i:i + 256]))
                               for i in range(0, len(texts), 256)])

    def evaluate(self, model, batch_size: int) -> dict:
        """The classification metrics; with ``wide``, ``metrics["wide_only"]``: the
        linear branch alone on the same test split (what the RNN's correction adds)."""
        metrics = super().evaluate(model, batch_size)
        if not metrics or not self.wide:
            return metrics
        from seqkit.classification.metrics import classification_metrics

        logits = self._wide_logits(self.model_inputs(self.test_x))
        wide = classification_metrics(np.asarray(self.test_y), logits, self.class_names)
        metrics["wide_only"] = {k: wide[k] for k in ("accuracy", "macro_f1",
                                                     "per_class_recall")}
        metrics["wide_choice"] = getattr(self, "wide_choice", None)
        return metrics

    def data_info(self) -> dict:
        return {
            "source": str(getattr(self.splits, "source", describe_source(self.x))),
            "split_sizes": {"train": len(self.train_x), "val": len(self.val_x),
                            "test": len(self.test_x)},
            "sequence_length": self.used_length,
            "sequence_length_source": getattr(self.vectorizer, "seqkit_length_source", None),
            "vocabulary_size": int(self.vectorizer.vocabulary_size()),
            "class_counts_train": class_counts(self.train_y, self.class_names),
            **self.validation_info(),
            "embeddings": self.word_vectors.info() if self.word_vectors is not None else None,
            "wide": getattr(self, "wide_info", None),
        }

    @classmethod
    def explain(cls, result, x, *, target=None, steps: int = 50, batch_size: int = 256):
        """Per-token integrated-gradients attributions of raw texts
        (:func:`seqkit.classification.attribution.explain_result`).

        Args:
            result: the fitted :class:`~seqkit.fit.FitResult`.
            x: a string, a list of strings or a NumPy unicode array.
            target: a class name (or one per text); None: the predicted class.
            steps: the path's intervals.
            batch_size: path points per model call.

        Returns:
            One :class:`~seqkit.classification.attribution.Attribution` per text.
        """
        from seqkit.classification.attribution import explain_result

        return explain_result(result, cls.prepare_inputs(result, x), target=target,
                              steps=steps, batch_size=batch_size)

    @classmethod
    def tensorboard_images(cls) -> tuple:
        """The TensorBoard figure beside the gate heatmap: the example's tokens coloured
        by their attributions (:func:`seqkit.classification.attribution.attribution_image`).

        Returns:
            ``(attribution_image,)``.
        """
        from seqkit.classification.attribution import attribution_image

        return (attribution_image,)


def _softmax(logits) -> np.ndarray:
    z = np.asarray(logits, dtype="float64")
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _check_embedding_dim(embedding_dim, embeddings):
    """``embedding_dim`` as an int, or None to take the ``embeddings`` file's dimension
    (``"auto"`` is None; without a file None is the default width)."""
    if embeddings is not None and not isinstance(embeddings, (str, os.PathLike)):
        fail("embeddings", "None or the path of a word-vector file", embeddings)
    if embeddings is not None and not os.path.isfile(embeddings):
        raise DataError(f"embeddings file {str(embeddings)!r} not found")
    if embedding_dim is None or embedding_dim == "auto":
        return None if embeddings is not None else DEFAULT_EMBEDDING_DIM
    return check_int("embedding_dim", embedding_dim)


def fit_text_classifier(
    x,
    y=None,
    *,
    embedding_dim: int | str | None = None,
    max_tokens: int = 20000,
    sequence_length: int | None = None,
    length_percentile: float = 95,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    data_dir=None,
    text_column: str | None = None,
    label_column: str | None = None,
    empty_policy: str = "error",
    max_examples: int | None = None,
    classes=None,
    encoding: str = "utf-8",
    class_weight=None,
    embeddings=None,
    trainable_embeddings: bool = True,
    baselines="auto",
    head: str = DEFAULT_HEAD,
    head_dropout: float = DEFAULT_HEAD_DROPOUT,
    wide: bool = DEFAULT_WIDE,
    **options,
) -> FitResult:
    """Train a text classifier: ``strings → TextVectorization → Embedding(mask_zero) →
    RNN stack → softmax``, and evaluate it on a held-out test split.

    Args:
        x: texts in any form ``seqkit.data.text.load_text`` accepts: a TFDS name
            (e.g. ``"imdb_reviews"``; offline it needs ``data_dir``), a file or folder path,
            a list / NumPy (unicode arrays included) / pandas Series of strings with
            labels in ``y``, or a DataFrame with ``text_column`` / ``label_column``.
        y: labels when ``x`` holds the texts: strings, integers, booleans or a pandas
            Categorical. The class names are the sorted unique labels, of their type
            (``"1"``/``"2"`` are two string classes; ``{3, 7}`` two integer classes); a
            file's labels are strings. See :mod:`seqkit.data.text.convert`.
        embedding_dim: the embedding width; None or ``"auto"`` (default): 64, or the
            dimension of the ``embeddings`` file (a width given with a file must equal it).
        max_tokens: the vocabulary size (from the training split only).
        sequence_length: tokens kept per text (post padding/truncation); None picks the
            ``length_percentile`` percentile of the training lengths.
        val_fraction, test_fraction: split sizes (``val_fraction=0``: no validation and no
            early stopping; ``test_fraction=0``: no test metrics).
        data_dir: tensorflow-datasets' data folder (for a TFDS name).
        text_column, label_column: column names in a table file or DataFrame.
        empty_policy: ``"error"`` (default) or ``"drop"`` for empty/whitespace texts.
        max_examples: keep at most this many examples (stratified subsample).
        classes: the class names in output order, of the labels' type; may hold classes
            the data lacks (the model still gets an output for each); a label not among
            them is a DataError naming it. None: the sorted unique labels.
        encoding: the encoding of text files (default ``"utf-8"``); undecodable bytes are
            a DataError naming the file, the line and the encoding. The ``embeddings``
            file is read with it too.
        class_weight: None (default: every example counts the same), ``"balanced"``
            (class ``c`` weighs ``n_train / (n_classes * count_c)``, scikit-learn's
            ``compute_class_weight("balanced")``) or a ``{class name: weight}`` dict
            naming every class (keys of the labels' type). It weights the training loss
            only: ``val_loss`` (early stopping) and the test metrics are unweighted.
            ``FitResult.config["class_weights"]`` holds the weights used.
        embeddings: None (default), or the path of a local word-vector file in the GloVe
            or word2vec text format (:func:`seqkit.data.text.load_word_vectors`): the
            embedding layer starts from the file's vectors, the vocabulary words the file
            lacks from random vectors of the file's scale (seeded), padding from zeros.
            ``FitResult.data_info["embeddings"]`` has the file, its dimension and the
            coverage (words found / words looked up).
        trainable_embeddings: with ``embeddings``, False freezes the embedding layer.
        baselines: ``"auto"`` (default): TF-IDF (word 1-2-grams) + logistic regression
            (``"tfidf_logreg"``, :mod:`seqkit.classification.baselines`) fitted on the
            training and validation texts and scored on the test split, in
            ``metrics["baselines"]`` with ``metrics["beats"]`` and a warning naming it
            when it wins; ``()`` or None: none.
        head: what the softmax reads of the RNN (one of
            :data:`seqkit.classification.models.HEADS`): ``"last"`` (the final state),
            ``"mean"`` / ``"max"`` of the outputs over the real tokens, or a ``+`` join.
        head_dropout: the dropout rate before the softmax (the RNN's input dropout, on the
            embeddings, is the shared option ``dropout``).
        wide: a linear branch: a logistic regression over TF-IDF word 1-2-grams fitted
            by scikit-learn on the training split (:func:`seqkit.classification.models.
            fit_wide`), held in the graph frozen; the RNN's logits, zero at the start,
            add to its logits, so training learns a correction to the linear model and
            early stopping on ``val_loss`` keeps the best. ``metrics["wide_only"]`` is
            the linear branch's own test accuracy and macro-F1.
        **options: the shared fit options, :class:`seqkit.fit.FitOptions` (``cell``,
            ``units``, ``epochs``, ``learning_rate``, ``strategy``, ...); an unknown name
            is a ConfigError naming it.

    Returns:
        :class:`FitResult` whose ``model`` takes raw strings (input ``text``) and returns
        ``probabilities``; ``result.predict`` also takes NumPy unicode arrays;
        ``result.class_names`` are the labels' names of their own type, and
        ``result.predict_labels`` returns them.

    Example:

    >>> import seqkit
    >>> texts = ["good film", "great film", "bad film", "awful film"] * 10
    >>> labels = ["pos", "pos", "neg", "neg"] * 10
    >>> result = seqkit.fit_text_classifier(texts, labels, units=4, embedding_dim=4,
    ...                                     epochs=1, verbose=0)
    >>> result.class_names, result.data_info["split_sizes"]  # 4 held out: too few to judge
    (['neg', 'pos'], {'train': 36, 'val': 0, 'test': 4})
    >>> result.predict(["good film"]).shape
    (1, 2)
    >>> stars = seqkit.fit_text_classifier(texts, [5, 5, 1, 1] * 10, classes=[1, 3, 5],
    ...                                    units=4, embedding_dim=4, epochs=1, verbose=0)
    >>> stars.class_names, stars.predict(["good film"]).shape  # 3 absent from the data
    ([1, 3, 5], (1, 3))
    """
    task = TextClassification.pick(locals())
    return run_fit(task, FitOptions.for_task(TextClassification, options))


TextClassification.fit_function = staticmethod(fit_text_classifier)
