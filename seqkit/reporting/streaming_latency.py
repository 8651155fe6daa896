"""Latency per new point: the streaming step signature against the full-window call.

A client that forecasts from a live sensor (or scores a growing sequence) either resends
the whole window to ``serving_default`` on every new point — O(T) work per point — or
sends the new point and the RNN states to ``serving_step`` (:mod:`seqkit.serving.step`)
and keeps the returned states — O(1) work per point. This module times both in the
report's ``measure`` worker (same process, after the grid), at batch 1 and 64:

- *step*: ``serving_step`` with k = 1 new step per row, the states returned by one call
  fed as inputs of the next (zeros first: the start of a sequence), every output read back
  as NumPy (as the grid does);
- *full window*: ``serving_default`` at the model's window length (its fixed time axis;
  for a dynamic one the report's reference length, the middle measured length): the grid's
  row at that point when the grid has it, else measured the same way.

Statistics are those of the grid (:func:`seqkit.reporting.timing.time_grid_point`:
p50/p99 per repeat, medians over repeats); ``ratio_p50`` = full p50 / step p50 (how many
times cheaper a new point is through the step signature).
"""

from __future__ import annotations

import math

from seqkit.reporting.estimates import reference_seq_len
from seqkit.reporting.timing import time_grid_point
from seqkit.serving import inputs as inputs_lib
from seqkit.serving.metadata import read_metadata

STREAM_BATCHES = (1, 64)
_NO_ENTRY = ("the export's metadata has no 'streaming' entry (exported before serving_step "
             "existed): export it again")


def with_extras(measure):
    """Wrap the worker's ``measure`` mode: after it, time ``serving_step`` (when the export
    has it) and read the warmup records' lengths (for the batching buckets).

    Args:
        measure: :func:`seqkit.reporting.modes.mode_measure`.

    Returns:
        ``mode(tf, config)``: ``measure``'s result plus ``"streaming"``
        (:func:`measure_streaming`; skipped with ``config["streaming"] = False``) and
        ``"warmup_lengths"`` (:func:`seqkit.reporting.batching.warmup_lengths`).

    Example:

    >>> mode = with_extras(lambda tf, config: {"grid": []})
    >>> sorted(mode(None, {"path": "/no/such", "streaming": False}))
    ['grid', 'streaming', 'warmup_lengths']
    """
    def mode(tf, config):
        from seqkit.reporting.batching import warmup_lengths

        result = measure(tf, config)
        result["streaming"] = (measure_streaming(tf, config, result)
                               if config.get("streaming", True) else None)
        result["warmup_lengths"] = warmup_lengths(config["path"]) if tf is not None else None
        return result

    return mode


def _numpy(outputs) -> dict:
    return {k: v.numpy() for k, v in outputs.items()}


def _step_call(tf, signature, entry, batch, seed):
    """``call()`` running one k = 1 step and feeding the returned states back."""
    specs = entry["inputs"]
    states = {s["name"] for s in entry["states"]}
    data = inputs_lib.synthetic_batch({k: v for k, v in specs.items() if k not in states},
                                      batch, 1, seed=seed)
    feeds = {k: tf.constant(v) for k, v in data.items()}
    feeds.update({s["name"]: tf.zeros([batch, s["units"]], tf.float32)
                  for s in entry["states"]})

    def call():
        out = _numpy(signature(**feeds))
        for name in states:
            feeds[name] = tf.constant(out[name])
        return out

    return call


def _point(row) -> dict:
    return {k: row[k] for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "throughput_eps",
                                "repeats", "calls_per_repeat")}


def measure_streaming(tf, config, measured, batches=STREAM_BATCHES) -> dict:
    """Time ``serving_step`` (k = 1, states fed back) and the full-window call.

    Args:
        tf: the ``tensorflow`` module.
        config: the worker's configuration (``path``, ``repeats``, ``calls_per_repeat``,
            ``warmup_calls``).
        measured: ``mode_measure``'s result (its ``grid``, ``seq_lens``, ``signature``).
        batches: the batch sizes.

    Returns:
        ``{"available": False, "reason"}`` for an export without ``serving_step``; else
        ``{"available": True, "signature", "k": 1, "seq_len", "seq_len_source", "rows"}``,
        one row per batch: ``{"batch", "step": {p50_ms, p99_ms, ...}, "full": {...,
        "source": "grid" | "measured"}, "ratio_p50", "ratio_p99"}``.

    Example:

    >>> measure_streaming(None, {"path": "/no/such"}, {})["available"]
    False
    """
    try:
        entry = read_metadata(config["path"]).get("streaming")
    except Exception as err:  # noqa: BLE001 - no metadata: no step signature to time
        return {"available": False, "reason": f"no export metadata: {err}"}
    if not isinstance(entry, dict) or "available" not in entry:
        return {"available": False, "reason": _NO_ENTRY}
    if not entry["available"]:
        return {"available": False, "reason": entry.get("reason")}
    loaded = tf.saved_model.load(config["path"])
    step = loaded.signatures[entry["signature_name"]]
    full = loaded.signatures["serving_default"]
    seq_len = entry.get("window") or reference_seq_len(measured["seq_lens"])
    source = "the model's fixed window" if entry.get("window") else \
        "the reference length (middle measured length; the time axis is dynamic)"
    grid = {(r["batch"], r["seq_len"]): r for r in measured["grid"]}
    timing = (config.get("repeats", 5), config.get("calls_per_repeat"),
              config.get("warmup_calls", 2))
    rows = []
    for batch in batches:
        step_point = _point(time_grid_point(_step_call(tf, step, entry, batch, batch), batch,
                                            *timing))
        if (batch, seq_len) in grid:
            full_point = {**_point(grid[(batch, seq_len)]), "source": "grid"}
        else:
            feeds = {k: tf.constant(v) for k, v in inputs_lib.synthetic_batch(
                measured["signature"]["inputs"], batch, seq_len, seed=batch).items()}
            full_point = {**_point(time_grid_point(lambda f=feeds: _numpy(full(**f)),
                                                   batch, *timing)), "source": "measured"}
        rows.append({"batch": batch, "step": step_point, "full": full_point,
                     "ratio_p50": _ratio(full_point["p50_ms"], step_point["p50_ms"]),
                     "ratio_p99": _ratio(full_point["p99_ms"], step_point["p99_ms"])})
    return {"available": True, "signature": entry["signature_name"], "k": 1,
            "seq_len": seq_len, "seq_len_source": source,
            "states": [s["name"] for s in entry["states"]], "rows": rows}


def _ratio(a, b):
    return a / b if b and math.isfinite(a) and math.isfinite(b) else None


def streaming_lines(streaming) -> list[str]:
    """The ``### Streaming`` section of a model in ``report.md``.

    Args:
        streaming: a model's ``"streaming"`` entry (:func:`measure_streaming`), or ``None``.

    Returns:
        Markdown lines (none for ``None``; the reason for an export without the step).

    Example:

    >>> streaming_lines({"available": False, "reason": "a bidirectional layer"})[-1]
    'No `serving_step` signature: a bidirectional layer.'
    """
    if not streaming:
        return []
    out = ["", "### Streaming (latency per new point)", ""]
    if not streaming["available"]:
        return out + [f"No `serving_step` signature: {streaming['reason']}."]
    out += [f"A new point sent to `{streaming['signature']}` (k = 1 new step per row, the "
            f"states {', '.join(f'`{s}`' for s in streaming['states'])} fed back) against "
            f"resending the whole window to `serving_default` (length {streaming['seq_len']}"
            f": {streaming['seq_len_source']}). Medians over repeats; ratio = full / step.",
            "", "| batch | call | p50 ms | p99 ms | examples/s | source |",
            "|---|---:|---:|---:|---:|---:|"]
    for row in streaming["rows"]:
        step, full = row["step"], row["full"]
        out.append(f"| {row['batch']} | full window (T={streaming['seq_len']}) | "
                   f"{_ms(full['p50_ms'])} | {_ms(full['p99_ms'])} | "
                   f"{full['throughput_eps']:,.0f} | {full['source']} |")
        out.append(f"| {row['batch']} | serving_step (k=1) | {_ms(step['p50_ms'])} | "
                   f"{_ms(step['p99_ms'])} | {step['throughput_eps']:,.0f} | measured |")
        out.append(f"| {row['batch']} | ratio full/step | {_x(row['ratio_p50'])} | "
                   f"{_x(row['ratio_p99'])} | | |")
    return out


def _ms(x) -> str:
    return "–" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def _x(x) -> str:
    return "–" if x is None else f"{x:.2f}×"
