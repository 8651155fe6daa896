"""Example inputs for a serving signature, from its input specs (NumPy only).

An input spec is ``{"dtype": "float32" | "string" | "int64" | ..., "shape": [None, None, 4]}``
(``None`` = dynamic), as written in ``assets.extra/seqkit_export.json`` and as read from a
loaded signature. Synthetic batches follow these rules:

- axis 0 is the batch (a fixed batch size in the spec wins over the one asked for);
- a dynamic axis 1 is the sequence length (time steps, or words for a string input);
  other dynamic axes get size 1;
- ``string`` inputs of shape ``[B]`` (or ``[B, 1]``) hold texts of ``seq_len`` words drawn
  from ``words`` (the model's vocabulary when known);
- floating inputs are standard normal, integer inputs uniform in ``[1, 10)``, booleans random.

Example:

>>> specs = {"window": {"dtype": "float32", "shape": [None, None, 2]}}
>>> synthetic_batch(specs, batch=4, seq_len=6)["window"].shape
(4, 6, 2)
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError

DEFAULT_WORDS = (
    "the movie was good and the plot made sense but the ending felt slow while the cast "
    "did a great job with a weak script this film is one of the best of the year"
).split()
SAMPLE_SEQ_LEN = 7  # length of the sample compared before/after reload, where it is free


def fixed_time(spec: dict) -> int | None:
    """The fixed length of axis 1 of a sequence input, or None (dynamic or no such axis).

    Args:
        spec: one input spec.

    Returns:
        ``shape[1]`` of a non-string input of rank ≥ 2 (``None`` when dynamic), else ``None``.

    Example:

    >>> fixed_time({"dtype": "float32", "shape": [None, 24, 1]})
    24
    >>> fixed_time({"dtype": "string", "shape": [None]}) is None
    True
    """
    shape = spec["shape"]
    if spec["dtype"] == "string" or len(shape) < 2:
        return None
    return shape[1]


def effective_seq_len(specs: dict, seq_len: int) -> int:
    """``seq_len``, unless every sequence input has a fixed time axis (then that).

    Args:
        specs: the signature's input specs.
        seq_len: the length asked for.

    Returns:
        The length the model really gets.

    Example:

    >>> effective_seq_len({"window": {"dtype": "float32", "shape": [None, 5, 2]}}, 64)
    5
    """
    fixed = [fixed_time(s) for s in specs.values()]
    fixed = [t for t in fixed if t is not None]
    return fixed[0] if fixed else seq_len


def sample_seq_len(specs: dict) -> int:
    """The length of the reload sample: :data:`SAMPLE_SEQ_LEN`, or the model's fixed one.

    Args:
        specs: the signature's input specs.

    Returns:
        ``effective_seq_len(specs, SAMPLE_SEQ_LEN)``.

    Example:

    >>> sample_seq_len({"window": {"dtype": "float32", "shape": [None, None, 2]}})
    7
    """
    return effective_seq_len(specs, SAMPLE_SEQ_LEN)


def is_text(specs: dict) -> bool:
    """Whether any input takes strings.

    Args:
        specs: the signature's input specs.

    Returns:
        ``True`` for a text model.

    Example:

    >>> is_text({"text": {"dtype": "string", "shape": [None]}})
    True
    """
    return any(s["dtype"] == "string" for s in specs.values())


def synthetic_input(spec: dict, batch: int, seq_len: int, rng, words=None) -> np.ndarray:
    """One synthetic input array for ``spec`` (rules in the module docstring).

    Args:
        spec: the input spec.
        batch: rows (unless the spec fixes axis 0).
        seq_len: steps of a dynamic axis 1, or words per text.
        rng: a ``numpy.random.Generator``.
        words: the vocabulary for texts (default :data:`DEFAULT_WORDS`).

    Returns:
        An array of the spec's dtype (``object`` array of ``bytes`` for strings).

    Raises:
        DataError: a scalar spec, or a dtype it cannot fill.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> synthetic_input({"dtype": "string", "shape": [None]}, 2, 3, rng, words=["ab"])
    array([b'ab ab ab', b'ab ab ab'], dtype=object)
    """
    shape = list(spec["shape"])
    dtype = spec["dtype"]
    if not shape:
        raise DataError(f"cannot synthesize a batch for a scalar input spec {spec}")
    dims = []
    for axis, dim in enumerate(shape):
        if axis == 0:
            dims.append(batch if dim is None else dim)
        elif dim is None:
            dims.append(seq_len if axis == 1 and dtype != "string" else 1)
        else:
            dims.append(dim)
    if dtype == "string":
        vocab = list(words) if words else DEFAULT_WORDS
        n = int(np.prod(dims))
        picks = rng.integers(0, len(vocab), size=(n, max(1, seq_len)))
        texts = [" ".join(vocab[i] for i in row) for row in picks]
        return np.array([t.encode() for t in texts], dtype=object).reshape(dims)
    np_dtype = np.dtype(dtype)
    if np.issubdtype(np_dtype, np.floating):
        return rng.standard_normal(dims).astype(np_dtype)
    if np.issubdtype(np_dtype, np.integer):
        return rng.integers(1, 10, size=dims).astype(np_dtype)
    if np_dtype == np.bool_:
        return rng.random(dims) < 0.5
    raise DataError(f"cannot synthesize inputs of dtype {dtype!r} (spec {spec})")


def synthetic_batch(specs: dict, batch: int, seq_len: int, seed: int = 0,
                    words=None) -> dict[str, np.ndarray]:
    """One batch ``{input name: array}`` for all inputs of a signature.

    Args:
        specs: the signature's input specs.
        batch: rows.
        seq_len: steps, or words per text.
        seed: the random seed (the same seed gives the same batch).
        words: the vocabulary for texts.

    Returns:
        ``{input name: array}``.

    Example:

    >>> specs = {"text": {"dtype": "string", "shape": [None]}}
    >>> [len(t.split()) for t in synthetic_batch(specs, 2, seq_len=4)["text"]]
    [4, 4]
    """
    rng = np.random.default_rng(seed)
    return {name: synthetic_input(spec, batch, seq_len, rng, words)
            for name, spec in specs.items()}


def as_input_array(value, spec: dict, name: str) -> np.ndarray:
    """User-supplied example rows for one input as an array matching ``spec``.

    Strings become an object array of ``bytes``; numbers are cast to the spec's dtype. The
    rank and every fixed axis (except the batch) must match; non-finite floats are refused
    (``keras.layers.Masking`` does not mask NaN: one NaN makes the output NaN).

    Args:
        value: the rows (array-like; one string is one row).
        spec: the input spec.
        name: the input's name (for messages).

    Returns:
        The rows as an array.

    Raises:
        DataError: another rank or fixed size, wrong dtype, NaN/infinity, no rows.

    Example:

    >>> as_input_array([[[1], [2]]], {"dtype": "float32", "shape": [None, None, 1]}, "window")
    array([[[1.],
            [2.]]], dtype=float32)
    >>> as_input_array(np.zeros((2, 3)), {"dtype": "float32", "shape": [None, None, 1]}, "window")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: input 'window' needs rank 3 (shape [B, ?, 1]), got an array \
of shape (2, 3)
    """
    arr = _string_rows(value, name) if spec["dtype"] == "string" else _number_rows(
        value, spec["dtype"], name)
    shape = spec["shape"]
    if arr.ndim != len(shape):
        raise DataError(
            f"input {name!r} needs rank {len(shape)} (shape {_fmt(shape)}), got an array "
            f"of shape {arr.shape}")
    for axis, (got, want) in enumerate(zip(arr.shape, shape, strict=True)):
        if axis and want is not None and got != want:
            raise DataError(
                f"input {name!r} needs shape {_fmt(shape)}, got {arr.shape} (axis {axis})")
    if arr.shape[0] == 0:
        raise DataError(f"input {name!r}: no example rows given")
    return arr


def _string_rows(value, name) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        value = [value]
    arr = np.asarray(value, dtype=object)
    flat = [v.encode() if isinstance(v, str) else v for v in arr.ravel()]
    if not all(isinstance(v, bytes) for v in flat):
        raise DataError(f"input {name!r} takes strings, got {arr.ravel()[:3]!r}...")
    return np.array(flat, dtype=object).reshape(arr.shape)


def _number_rows(value, dtype, name) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.dtype(dtype))
    except (TypeError, ValueError) as err:
        raise DataError(f"input {name!r} takes {dtype} values: {err}") from err
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise DataError(f"input {name!r} holds NaN or infinite values; impute them first")
    return arr


def example_arrays(examples, specs: dict) -> dict[str, np.ndarray] | None:
    """User example rows for every input of a signature (``export(warmup_examples=...)``).

    Args:
        examples: ``None``, rows for the only input (array-like), or
            ``{input name: rows}`` with exactly the signature's inputs.
        specs: the signature's input specs.

    Returns:
        ``{input name: array}`` (see :func:`as_input_array`), or ``None``.

    Raises:
        DataError: other input names, rows that do not fit, different row counts.

    Example:

    >>> specs = {"text": {"dtype": "string", "shape": [None]}}
    >>> example_arrays(["a great film", "dull"], specs)
    {'text': array([b'a great film', b'dull'], dtype=object)}
    """
    if examples is None:
        return None
    if isinstance(examples, dict):
        unknown = set(examples) - set(specs)
        missing = set(specs) - set(examples)
        if unknown or missing:
            raise DataError(f"warmup_examples keys {sorted(examples)} must be the "
                            f"signature inputs {sorted(specs)}")
        arrays = {n: as_input_array(examples[n], specs[n], n) for n in specs}
    else:
        if len(specs) != 1:
            raise DataError(f"the model has inputs {sorted(specs)}; give warmup_examples "
                            f"as a dict {{name: rows}}")
        name = next(iter(specs))
        arrays = {name: as_input_array(examples, specs[name], name)}
    counts = {len(a) for a in arrays.values()}
    if len(counts) != 1:
        raise DataError(f"warmup_examples inputs have different row counts {sorted(counts)}")
    return arrays


def rows(arrays: dict[str, np.ndarray], batch: int, start: int = 0) -> dict[str, np.ndarray]:
    """A batch of ``batch`` rows cycled from ``arrays`` (all with the same row count).

    Args:
        arrays: ``{input name: rows}``.
        batch: rows wanted.
        start: the first row (cycling from there).

    Returns:
        ``{input name: array of batch rows}``.

    Example:

    >>> rows({"x": np.arange(3)}, 5, start=1)
    {'x': array([1, 2, 0, 1, 2])}
    """
    n = len(next(iter(arrays.values())))
    idx = [(start + i) % n for i in range(batch)]
    return {name: arr[idx] for name, arr in arrays.items()}


def _fmt(shape) -> str:
    return "[" + ", ".join("B" if i == 0 and d is None else ("?" if d is None else str(d))
                           for i, d in enumerate(shape)) + "]"
