"""Numbers derived from the measurements: the activation estimate and the comparison rows.

Both :mod:`seqkit.reporting.report` (which computes them) and
:mod:`seqkit.reporting.render` (which prints the formula) import this module; neither
imports the other. Pure Python, no TensorFlow.
"""

from __future__ import annotations

from seqkit.serving.layout import ASSETS_EXTRA
from seqkit.serving.metadata import METADATA_FILE

ACTIVATION_FORMULA = (
    "per example at length T: Σ_rnn n_states·units·b (carried state: LSTM h,c; GRU h) "
    "+ Σ_rnn with return_sequences T·units·b (sequence outputs) + T·d·b (the first RNN's "
    "input: embedding or scaled window, d wide), b = bytes per value; ×B for a batch. "
    "A lower bound: TensorFlow's loop also keeps per-step temporaries.")


def activation_estimate(meta, input_specs, seq_lens, batch_sizes) -> dict | None:
    """The documented estimate of live activation/state bytes (:data:`ACTIVATION_FORMULA`).

    Args:
        meta: the export metadata (:func:`seqkit.serving.metadata.read_metadata`); its
            ``rnn_layers`` and ``text_vectorization`` are used.
        input_specs: the signature's input specs (unused; kept for the callers).
        seq_lens: the lengths measured (a ``TextVectorization`` with
            ``output_sequence_length`` fixes the real length).
        batch_sizes: the batch sizes measured (the largest is reported too).

    Returns:
        ``{"formula", "state_bytes", "fixed_text_length", "per_step_bytes",
        "per_example_bytes": {str(T): bytes}, "largest_batch", "largest_batch_bytes"}``,
        or ``{"formula", "per_example_bytes": None, "reason"}`` without RNN layers.

    Example:

    >>> meta = {"rnn_layers": [{"units": 8, "n_states": 2, "return_sequences": False,
    ...                         "input_dim": 3, "dtype_bytes": 4}]}
    >>> est = activation_estimate(meta, {}, [10], [1, 64])
    >>> est["state_bytes"], est["per_example_bytes"], est["largest_batch_bytes"]
    (64, {'10': 184}, {'10': 11776})
    """
    layers = meta.get("rnn_layers") or []
    if not layers:
        return {"formula": ACTIVATION_FORMULA, "per_example_bytes": None,
                "reason": f"no RNN layer summary ({ASSETS_EXTRA}/{METADATA_FILE} missing)"}
    state = sum(lay["n_states"] * lay["units"] * lay["dtype_bytes"] for lay in layers)
    seq = sum(lay["units"] * lay["dtype_bytes"] for lay in layers if lay["return_sequences"])
    first = layers[0]
    width = (first.get("input_dim") or 0) * first["dtype_bytes"]
    fixed = [t.get("output_sequence_length") for t in meta.get("text_vectorization") or []]
    fixed = [t for t in fixed if t]
    # a TextVectorization with output_sequence_length pads/truncates: T is that, not words
    per_example = {str(t): state + (fixed[0] if fixed else t) * (seq + width) for t in seq_lens}
    largest = max(batch_sizes)
    return {"formula": ACTIVATION_FORMULA, "state_bytes": state,
            "fixed_text_length": fixed[0] if fixed else None,
            "per_step_bytes": seq + width, "per_example_bytes": per_example,
            "largest_batch": largest,
            "largest_batch_bytes": {t: v * largest for t, v in per_example.items()}}


def reference_seq_len(seq_lens) -> int:
    """The length the single-length figures use: the middle of the measured ones.

    Args:
        seq_lens: the measured lengths, sorted.

    Returns:
        ``seq_lens[len(seq_lens) // 2]``.

    Example:

    >>> reference_seq_len([8, 32, 128])
    32
    """
    return seq_lens[len(seq_lens) // 2]


def grid_row(model, batch) -> dict | None:
    """The latency-grid row of ``model`` at ``batch`` and the reference length.

    Args:
        model: one entry of ``report["models"]``.
        batch: the batch size.

    Returns:
        The grid row (``p50_ms``, ...), or ``None`` when that batch was not measured.

    Example:

    >>> model = {"latency": {"seq_lens": [3, 9], "grid": [
    ...     {"batch": 1, "seq_len": 9, "p50_ms": 0.4}, {"batch": 1, "seq_len": 3}]}}
    >>> grid_row(model, 1)["p50_ms"]
    0.4
    """
    ref = reference_seq_len(model["latency"]["seq_lens"])
    for row in model["latency"]["grid"]:
        if row["batch"] == batch and row["seq_len"] == ref:
            return row
    return None


_RATIO_KEYS = ("params", "saved_model_bytes", "peak_rss_bytes", "p50_small_ms", "p99_small_ms",
               "p50_large_ms", "p99_large_ms", "throughput_large_eps")


def comparison_rows(models) -> list[dict]:
    """One row per model: params, size, memory, latency at batch 1 and 64 (or the
    smallest/largest batch measured), and ratios to the first model.

    Args:
        models: ``report["models"]``.

    Returns:
        Rows with ``model``, ``task``, ``rnn``, ``params``, ``saved_model_bytes``,
        ``peak_rss_bytes``, ``load_s``, ``seq_len``, ``batch_small``, ``batch_large``,
        ``p50_small_ms``, ``p99_small_ms``, ``p50_large_ms``, ``p99_large_ms``,
        ``throughput_large_eps`` and ``ratios`` (same keys, divided by the first row's).

    Example:

    >>> def model(name, params, p50):
    ...     return {"name": name, "task": "forecasting", "rnn_layers": [{"class": "GRU"}],
    ...             "memory": {"params": params, "saved_model_bytes": 1000,
    ...                        "peak_rss_bytes": 10**8},
    ...             "latency": {"load_s": 0.1, "seq_lens": [16], "grid": [
    ...                 {"batch": 1, "seq_len": 16, "p50_ms": p50, "p99_ms": 2 * p50,
    ...                  "throughput_eps": 1000 / p50}]}}
    >>> rows = comparison_rows([model("a", 100, 1.0), model("b", 150, 0.5)])
    >>> rows[1]["ratios"]["params"], rows[1]["ratios"]["p50_small_ms"]
    (1.5, 0.5)
    """
    batches = sorted({row["batch"] for row in models[0]["latency"]["grid"]})
    small = 1 if 1 in batches else batches[0]
    large = 64 if 64 in batches else batches[-1]
    rows = []
    for model in models:
        a, b = grid_row(model, small) or {}, grid_row(model, large) or {}
        rows.append({
            "model": model["name"], "task": model["task"],
            "rnn": ", ".join(sorted({lay["class"] for lay in model["rnn_layers"] or []})) or "?",
            "params": model["memory"]["params"],
            "saved_model_bytes": model["memory"]["saved_model_bytes"],
            "peak_rss_bytes": model["memory"]["peak_rss_bytes"],
            "load_s": model["latency"]["load_s"],
            "seq_len": reference_seq_len(model["latency"]["seq_lens"]),
            "batch_small": small, "batch_large": large,
            "p50_small_ms": a.get("p50_ms"), "p99_small_ms": a.get("p99_ms"),
            "p50_large_ms": b.get("p50_ms"), "p99_large_ms": b.get("p99_ms"),
            "throughput_large_eps": b.get("throughput_eps"),
        })
    first = rows[0]
    for row in rows:
        row["ratios"] = {key: (row[key] / first[key] if first[key] and row[key] is not None
                               else None) for key in _RATIO_KEYS}
    return rows
