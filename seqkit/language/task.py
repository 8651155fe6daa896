"""fit_language_model: text in, a recurrent next-token model out (characters or words),
scored in bits per token on held-out text beside an interpolated Kneser–Ney n-gram model
of the same text, with seeded sampling (:func:`generate`)."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.errors import DataError
from seqkit.fit.options import FitOptions, describe_source, option
from seqkit.fit.pipeline import FitTask, run_fit
from seqkit.fit.result import FitResult
from seqkit.validation import check_choice, check_fraction, check_int

LEVELS = ("char", "word")
PAD, UNK = 0, 1  # token ids; the vocabulary's tokens are 2, 3, ...
UNK_NAME = "<unk>"
#: the n-gram baseline's order per level
NGRAM_ORDER = {"char": 5, "word": 3}
#: the named texts that ship offline
TEXTS = ("python-docs",)


@dataclass
class LanguageModelling(FitTask):
    """The language model's hooks: the text cut in time (train, then validation, then
    test), windows of ``window + 1`` tokens, a per-step model trained and a last-step model
    served (same weights), bits per token on the test text beside Kneser–Ney."""

    name = "language_modelling"
    title = "a character or word language model (CPython's bundled docs by default)"
    loss = "sparse_categorical_crossentropy"
    metrics = ()

    text: object = option(recipe_reason="the data: the recipe's data option")
    level: str = option("char", "char or word (whitespace-separated, lower-cased)")
    window: int = option(100, "tokens per training window")
    max_tokens: int = option(20000, "the vocabulary's size at most (the most frequent)")
    embedding_dim: int = option(32, "the token embedding's width")
    val_fraction: float = option(0.05, "the validation share: the text before the test")
    test_fraction: float = option(0.1, "the test share: the end of the text")

    option_defaults = {"learning_rate": 3e-3}
    recipe_options = {"data": (str, "python-docs", "python-docs (CPython's pydoc topics, "
                               "~700k characters, in every Python) or a .txt file")}

    def check(self) -> None:
        check_choice("level", self.level, LEVELS)
        self.window = check_int("window", self.window, minimum=2)
        self.max_tokens = check_int("max_tokens", self.max_tokens)
        self.embedding_dim = check_int("embedding_dim", self.embedding_dim)
        self.val_fraction = check_fraction("val_fraction", self.val_fraction,
                                           allow_zero=False)
        self.test_fraction = check_fraction("test_fraction", self.test_fraction,
                                            allow_zero=False)

    def load(self, seed: int) -> None:
        self.seed = seed
        raw, self.source = load_text(self.text)
        tokens = tokenize(raw, self.level)
        n = len(tokens)
        test_start = n - int(round(self.test_fraction * n))
        val_start = test_start - int(round(self.val_fraction * n))
        if val_start < 2 * (self.window + 1) or test_start - val_start < self.window + 1:
            raise DataError(f"the text has {n} {self.level} tokens: too few for windows of "
                            f"{self.window} with these fractions; give more text or a "
                            "smaller window")
        counts = Counter(tokens[:val_start])
        kept = sorted(counts, key=lambda t: (-counts[t], t))[: self.max_tokens]
        self.vocabulary = sorted(kept)
        index = {t: i + 2 for i, t in enumerate(self.vocabulary)}
        ids = np.array([index.get(t, UNK) for t in tokens], dtype="int64")
        self.tokens, self.cuts = tokens, (val_start, test_start)
        self.train_windows = _windows(ids[:val_start], self.window + 1, self.window)
        self.val_windows = _windows(ids[val_start:test_start], self.window + 1, self.window)
        self.test_ids = ids[test_start:]
        self.class_names = [UNK_NAME, *self.vocabulary]

    def build_model(self, rnn):
        from seqkit.language.model import build_language_model

        self.trained = build_language_model(len(self.vocabulary), rnn=rnn,
                                            embedding_dim=self.embedding_dim, every_step=True)
        return build_language_model(len(self.vocabulary), rnn=rnn,
                                    embedding_dim=self.embedding_dim, every_step=False)

    def training_model(self, model):
        return self.trained

    def datasets(self, batch_size: int, seed: int) -> tuple:
        import tensorflow as tf

        def make(windows, shuffle):
            ds = tf.data.Dataset.from_tensor_slices((windows[:, :-1], windows[:, 1:] - 1))
            if shuffle:
                ds = ds.shuffle(len(windows), seed=seed, reshuffle_each_iteration=True)
            return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

        return make(self.train_windows, True), make(self.val_windows, False)

    @property
    def train_examples(self) -> int:
        return len(self.train_windows)

    def after_training(self, model, batch_size: int) -> None:
        """The served model takes the trained per-step model's weights (same layers)."""
        model.set_weights(self.trained.get_weights())

    def evaluate(self, model, batch_size: int) -> dict:
        """Bits per token of the test text (the RNN reads it whole, from zero states) beside
        the Kneser–Ney model of the training and validation text."""
        from seqkit.language.ngram import KneserNey

        probs = self.trained.predict(self.test_ids[None, :-1], verbose=0)[0]
        target = self.test_ids[1:] - 1
        bits = float(-np.mean(np.log2(np.maximum(probs[np.arange(len(target)), target],
                                                 1e-30))))
        test_start = self.cuts[1]
        order = NGRAM_ORDER[self.level]
        known = set(self.vocabulary)  # out-of-vocabulary tokens are one token, as <unk> is
        ngram = KneserNey(order=order).fit([t if t in known else None
                                            for t in self.tokens[:test_start]])
        test_tokens = [t if t in known else None for t in self.tokens[test_start:]]
        base = _ngram_bits(ngram, test_tokens, order)
        metrics = {"bits_per_token": bits, "perplexity": float(2 ** bits),
                   "n_tokens": int(len(target)), "level": self.level,
                   "baselines": {"kneser_ney": {"bits_per_token": base,
                                                "perplexity": float(2 ** base),
                                                "order": order}}}
        metrics["beats"] = {"kneser_ney": bool(bits <= base)}
        return metrics

    @classmethod
    def test_case(cls) -> dict:
        """A repetitive text of 3,000 characters, windows of 10, 8 units, one epoch; it
        streams (one token per step).

        Returns:
            The case.

        Example:

        >>> LanguageModelling.test_case()["inputs"].shape
        (3, 6)
        """
        text = "the cat sat on the mat. the dog sat on the log. " * 60
        return {"fit": fit_language_model, "streams": True,
                "kwargs": {"text": text, "window": 10, "units": 8, "epochs": 1,
                           "verbose": 0},
                "inputs": np.array([[2, 3, 4, 5, 6, 7], [9, 8, 7, 6, 5, 4],
                                    [10, 11, 12, 13, 0, 0]], "int64"),
                "recipe": {"units": 8, "epochs": 1, "window": 10}}

    # ------------------------------------------------ what a fitted model does

    outputs = "classification"  # the next token's probabilities, id and name

    @classmethod
    def prepare_inputs(cls, result, x):
        """Prefixes as the model takes them: int64 token ids ``[N, T]``, post-padded with 0.

        Args:
            result: the fitted result.
            x: a string, a list of strings (each a prefix, tokenized as the text was), or
                token ids ``[N, T]`` (2 and up: the vocabulary's tokens; 1: unknown; 0:
                padding).

        Returns:
            The int64 array.

        Raises:
            DataError: ids out of the vocabulary's range, an empty prefix.
        """
        if isinstance(x, str):
            x = [x]
        arr = np.asarray(x) if not isinstance(x, list) else None
        if arr is not None and arr.dtype.kind in "iu":
            top = len(result.class_names) + 1
            if arr.ndim != 2 or arr.min(initial=0) < 0 or arr.max(initial=0) > top:
                raise DataError(f"token ids must be [N, T] in 0..{top}, got shape "
                                f"{arr.shape}")
            return arr.astype("int64")
        rows = [encode(str(text), result) for text in x]
        if not all(len(r) for r in rows):
            raise DataError("every prefix must hold at least one token")
        out = np.zeros((len(rows), max(len(r) for r in rows)), "int64")
        for i, r in enumerate(rows):
            out[i, :len(r)] = r
        return out

    @classmethod
    def summary_lines(cls, result) -> list[str]:
        """Bits per token on the test text beside Kneser–Ney.

        Args:
            result: the fitted result.

        Returns:
            Lines of text.
        """
        m = result.metrics
        base = m["baselines"]["kneser_ney"]
        verdict = "beaten" if m["beats"]["kneser_ney"] else "NOT beaten"
        return [f"test: {m['bits_per_token']:.4f} bits per {m['level']} (perplexity "
                f"{m['perplexity']:.2f}, {m['n_tokens']} tokens)",
                f"baseline kneser_ney (order {base['order']}): {base['bits_per_token']:.4f} "
                f"bits ({verdict})"]

    @classmethod
    def generate(cls, result, prompt: str, n: int = 200, **options) -> str:
        """See :func:`generate`.

        Args:
            result: the fitted result.
            prompt: the text to continue.
            n: tokens to generate.
            **options: :func:`generate`'s.

        Returns:
            The generated text.
        """
        return generate(result, prompt, n, **options)

    def config(self) -> dict:
        return {"source": describe_source(self.text), **self.option_config()}

    def data_info(self) -> dict:
        val_start, test_start = self.cuts
        return {"source": self.source, "tokens": len(self.tokens),
                "vocabulary_size": len(self.vocabulary), "level": self.level,
                "split_sizes": {"train": val_start, "val": test_start - val_start,
                                "test": len(self.tokens) - test_start},
                "windows": {"train": len(self.train_windows), "val": len(self.val_windows)}}


def fit_language_model(
    text,
    *,
    level: str = "char",
    window: int = 100,
    max_tokens: int = 20000,
    embedding_dim: int = 32,
    val_fraction: float = 0.05,
    test_fraction: float = 0.1,
    **options,
) -> FitResult:
    """Train a recurrent next-token model of ``text`` and score it beside Kneser–Ney.

    The text is cut in time: the first part trains (windows of ``window + 1`` tokens, one
    after another), then ``val_fraction`` validates (early stopping), and the last
    ``test_fraction`` is the test. The model (:mod:`seqkit.language.model`) is embedding →
    RNN stack → softmax over the vocabulary and ``<unk>``; it is trained on every step of
    the windows and served on the last step of a prefix (the same weights). The metrics
    are bits per token (per character for ``level="char"``) and perplexity of the test
    text, read by the RNN from zero states in one pass, beside an interpolated
    Kneser–Ney model (:class:`seqkit.language.ngram.KneserNey`, order 5 for characters, 3
    for words) of the training and validation text on the same tokens.

    Args:
        text: a string, a list of strings (joined with newlines), the path of a UTF-8
            ``.txt`` file, or ``"python-docs"`` (CPython's bundled pydoc topics, in every
            Python: about 700k characters of English).
        level: ``"char"`` or ``"word"`` (lower-cased words and punctuation marks).
        window: tokens per training window.
        max_tokens: the vocabulary's size at most (the most frequent training tokens; the
            others are ``<unk>``).
        embedding_dim: the embedding's width.
        val_fraction, test_fraction: the shares of the text, cut from its end.
        **options: the shared fit options (:class:`seqkit.fit.FitOptions`).

    Returns:
        :class:`FitResult`: ``predict(prefixes)`` gives the next token's probabilities
        ``[N, V + 1]`` (``class_names``: ``<unk>`` and the vocabulary);
        ``result.generate(prompt, n)`` samples a continuation.

    Raises:
        DataError: a text too short for its windows, an unreadable file.
        ConfigError: a bad option.

    Example:

    >>> import seqkit
    >>> text = "abcabcabd " * 200
    >>> lm = seqkit.fit_language_model(text, window=8, units=8, epochs=2, verbose=0)
    >>> lm.class_names[:3], len(lm.generate("abc", 5, seed=0))
    (['<unk>', ' ', 'a'], 8)
    """
    task = LanguageModelling.pick(locals())
    return run_fit(task, FitOptions.for_task(LanguageModelling, options))


LanguageModelling.fit_function = staticmethod(fit_language_model)


def load_text(text) -> tuple[str, str]:
    """The text of ``text`` and a description of its source.

    Args:
        text: see :func:`fit_language_model`.

    Returns:
        ``(text, source)``.

    Raises:
        DataError: an empty text, a file that cannot be read as UTF-8.

    Example:

    >>> body, source = load_text("python-docs")
    >>> len(body) > 100000, source.startswith("CPython")
    (True, True)
    """
    if isinstance(text, (list, tuple)):
        body, source = "\n".join(str(t) for t in text), f"{len(text)} strings"
    elif isinstance(text, os.PathLike) or (isinstance(text, str) and text.endswith(".txt")
                                           and Path(text).is_file()):
        try:
            body = Path(text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read {str(text)!r} as UTF-8 text: {exc}") from None
        source = str(text)
    elif text == "python-docs":
        from pydoc_data.topics import topics

        body = "\n\n".join(topics[k] for k in sorted(topics))
        source = "CPython's pydoc_data.topics (the language reference's topics, PSF licence)"
    elif isinstance(text, str):
        body, source = text, f"a string of {len(text)} characters"
    else:
        raise DataError(f"text must be a string, a list of strings or a .txt path, got "
                        f"{type(text).__name__}")
    if not body.strip():
        raise DataError("text must hold some non-blank characters, got an empty text")
    return body, source


_WORD = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str, level: str) -> list[str]:
    """Characters, or lower-cased words and punctuation marks.

    Args:
        text: the text.
        level: ``"char"`` or ``"word"``.

    Returns:
        The tokens.

    Example:

    >>> tokenize("Hi, there", "word"), tokenize("ab", "char")
    (['hi', ',', 'there'], ['a', 'b'])
    """
    return list(text) if level == "char" else _WORD.findall(text.lower())


def encode(text: str, result: FitResult) -> np.ndarray:
    """A text's token ids for a fitted model (unknown tokens 1).

    Args:
        text: the text.
        result: the fitted result (its vocabulary is ``class_names[1:]``).

    Returns:
        int64 ``[T]``.
    """
    index = {t: i + 2 for i, t in enumerate(result.class_names[1:])}
    return np.array([index.get(t, UNK) for t in tokenize(text, result.config["level"])],
                    dtype="int64")


def generate(result: FitResult, prompt: str, n: int = 200, *, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, seed: int = 0,
             max_context: int = 512) -> str:
    """Sample ``n`` tokens after ``prompt``, one at a time (same seed, same text).

    Args:
        result: a fitted language model.
        prompt: the text to continue (at least one token).
        n: tokens to generate.
        temperature, top_k, top_p: :func:`seqkit.language.sampling.next_distribution`.
        seed: the draws' seed.
        max_context: the model reads at most this many of the last tokens.

    Returns:
        ``prompt`` followed by the generated tokens (words joined by spaces); ``<unk>``
        is never drawn.

    Raises:
        DataError: an empty prompt.
        ConfigError: bad sampling options.
    """
    from seqkit.language.sampling import check_sampling, sample_next

    options = dict(zip(("temperature", "top_k", "top_p"),
                       check_sampling(temperature, top_k, top_p), strict=True))
    n, max_context = check_int("n", n, minimum=0), check_int("max_context", max_context)
    ids = list(encode(prompt, result))
    if not ids:
        raise DataError(f"prompt must hold at least one token, got {prompt!r}")
    rng, names, out = np.random.default_rng(seed), result.class_names, []
    for _ in range(n):
        context = np.array([ids[-max_context:]], "int64")
        probs = np.array(result.model(context, training=False))[0]
        probs[0] = 0.0  # never <unk>: it names no token
        k = sample_next(probs, rng, **options)
        ids.append(k + 1)
        out.append(names[k])
    if result.config["level"] == "char":
        return prompt + "".join(out)
    return " ".join([prompt, *out])


def _windows(ids: np.ndarray, length: int, stride: int) -> np.ndarray:
    starts = range(0, len(ids) - length + 1, stride)
    return np.stack([ids[i:i + length] for i in starts]).astype("int64")


def _ngram_bits(ngram, tokens: list, order: int) -> float:
    """Kneser–Ney's bits per token for tokens 1.. of ``tokens``, each from the test tokens
    before it (at most ``order - 1``), as the RNN reads them."""
    import math

    total = 0.0
    for i in range(1, len(tokens)):
        total -= math.log2(ngram.prob(tokens[i], tokens[max(0, i - order + 1):i]))
    return total / (len(tokens) - 1)
