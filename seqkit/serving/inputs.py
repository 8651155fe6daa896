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
"""

from __future__ import annotations

import numpy as np

from seqkit.errors import DataError

DEFAULT_WORDS = (
    "the movie was good and the plot made sense but the ending felt slow while the cast "
    "did a great job with a weak script this film is one of the best of the year"
).split()


def fixed_time(spec: dict) -> int | None:
    """The fixed length of axis 1 of a sequence input, or None (dynamic or no such axis)."""
    shape = spec["shape"]
    if spec["dtype"] == "string" or len(shape) < 2:
        return None
    return shape[1]


def effective_seq_len(specs: dict, seq_len: int) -> int:
    """``seq_len``, unless every sequence input has a fixed time axis (then that)."""
    fixed = [fixed_time(s) for s in specs.values()]
    fixed = [t for t in fixed if t is not None]
    return fixed[0] if fixed else seq_len


def is_text(specs: dict) -> bool:
    return any(s["dtype"] == "string" for s in specs.values())


def synthetic_input(spec: dict, batch: int, seq_len: int, rng, words=None) -> np.ndarray:
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
    """One batch ``{input name: array}`` for all inputs of a signature."""
    rng = np.random.default_rng(seed)
    return {name: synthetic_input(spec, batch, seq_len, rng, words)
            for name, spec in specs.items()}


def as_input_array(value, spec: dict, name: str) -> np.ndarray:
    """User-supplied example rows for one input as an array matching ``spec``.

    Strings become an object array of ``bytes``; numbers are cast to the spec's dtype. The
    rank and every fixed axis (except the batch) must match; non-finite floats are refused
    (``keras.layers.Masking`` does not mask NaN: one NaN makes the output NaN).
    """
    dtype = spec["dtype"]
    if dtype == "string":
        if isinstance(value, (str, bytes)):
            value = [value]
        arr = np.asarray(value, dtype=object)
        flat = [v.encode() if isinstance(v, str) else v for v in arr.ravel()]
        if not all(isinstance(v, bytes) for v in flat):
            raise DataError(f"input {name!r} takes strings, got {arr.ravel()[:3]!r}...")
        arr = np.array(flat, dtype=object).reshape(arr.shape)
    else:
        try:
            arr = np.asarray(value, dtype=np.dtype(dtype))
        except (TypeError, ValueError) as err:
            raise DataError(f"input {name!r} takes {dtype} values: {err}") from err
        if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
            raise DataError(f"input {name!r} holds NaN or infinite values; impute them first")
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


def rows(arrays: dict[str, np.ndarray], batch: int, start: int = 0) -> dict[str, np.ndarray]:
    """A batch of ``batch`` rows cycled from ``arrays`` (all with the same row count)."""
    n = len(next(iter(arrays.values())))
    idx = [(start + i) % n for i in range(batch)]
    return {name: arr[idx] for name, arr in arrays.items()}


def _fmt(shape) -> str:
    return "[" + ", ".join("B" if i == 0 and d is None else ("?" if d is None else str(d))
                           for i, d in enumerate(shape)) + "]"
