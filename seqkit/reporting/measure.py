"""One model's entry of the report, assembled from its worker runs.

:func:`measure_model` runs the ``cold`` worker (a fresh process, nothing warmed up), the
``measure`` worker (load, warmup, the time grid, concurrency, memory), and with
``tflite=True`` the ``tflite_convert`` and ``tflite_measure`` workers, then adds what the
parent can read itself: the export metadata, the graph scan and the sizes on disk.
"""

from __future__ import annotations

from seqkit.errors import DataError
from seqkit.reporting.estimates import activation_estimate
from seqkit.reporting.runner import ReportError, run_worker
from seqkit.serving.graph import dir_size, rnn_path
from seqkit.serving.layout import SAVED_MODEL_PB
from seqkit.serving.metadata import read_metadata


def measure_model(name, base, version, version_dir, options, tflite_dir, cold_start) -> dict:
    """Measure one exported model; returns its entry of ``report["models"]``.

    Args:
        name: the model's display name (``"text_lstm v1"``).
        base: its base path.
        version: its version (or ``None``).
        version_dir: the version folder measured.
        options: the checked options of :func:`seqkit.report`.
        tflite_dir: where to write the ``.tflite`` files, or ``None`` (no TFLite).
        cold_start: also run the ``cold`` worker.

    Returns:
        ``{"name", "path", "base_path", "version", "task", "class_names", "rnn_layers",
        "text_vectorization", "environment", "graph", "signature", "memory", "latency",
        "concurrency", "tflite", "streaming", "warmup_lengths"}``.

    Raises:
        DataError: the SavedModel could not be loaded.
        ReportError: a worker failed (TFLite failures are reported, not raised).

    Example: ``seqkit.report`` calls it once per model (see :func:`seqkit.report`).
    """
    common = {"path": str(version_dir), "threads": options["threads"],
              "seq_lens": options["seq_lens"]}
    cold = run_worker({**common, "mode": "cold"}, options["timeout_s"]) if cold_start else None
    measured = run_worker({
        **common, "mode": "measure", "batch_sizes": options["batch_sizes"],
        "repeats": options["repeats"], "calls_per_repeat": options["calls_per_repeat"],
        "concurrency": options["concurrency"],
        "concurrent_calls": options["concurrent_calls"]}, options["timeout_s"])
    meta = read_metadata(version_dir)
    model = {
        "name": name, "path": str(version_dir), "base_path": str(base), "version": version,
        "task": meta.get("task"), "class_names": meta.get("class_names"),
        "rnn_layers": meta.get("rnn_layers"),
        "text_vectorization": meta.get("text_vectorization"),
        "environment": measured["environment"], "graph": rnn_path(version_dir),
        "signature": measured["signature"],
        "memory": _memory(measured, meta, version_dir, options["batch_sizes"]),
        "latency": _latency(measured, cold), "concurrency": measured["concurrency"],
        "tflite": None, "streaming": measured.get("streaming"),
        "warmup_lengths": measured.get("warmup_lengths"),
    }
    if tflite_dir is not None:
        model["tflite"] = _tflite(common, measured, options, tflite_dir)
    return model


def _memory(measured, meta, version_dir, batch_sizes) -> dict:
    rss = measured["rss"]
    sizes = {"saved_model_bytes": dir_size(version_dir),
             "saved_model_pb_bytes": (version_dir / SAVED_MODEL_PB).stat().st_size,
             "variables_bytes": dir_size(version_dir / "variables")}
    return {
        **measured["variables"], **sizes,
        "metadata_params": meta.get("params"),
        "rss": rss,
        "peak_rss_bytes": rss["after_concurrency"]["peak_bytes"],
        "rss_model_bytes": rss["after_load"]["current_bytes"] - rss["after_import"][
            "current_bytes"] if rss["after_load"]["current_bytes"] else None,
        "gpu_peak_bytes": measured["gpu_peak_bytes"],
        "activation_estimate": activation_estimate(meta, measured["signature"]["inputs"],
                                                   measured["seq_lens"], batch_sizes),
    }


def _latency(measured, cold) -> dict:
    return {
        "import_s": measured["import_s"], "load_s": measured["load_s"],
        "cold": cold, "warmup": measured["warmup"],
        "first_call_after_warmup_ms": measured["first_call_after_warmup_ms"],
        "first_call_seq_len": measured["first_call_seq_len"],
        "seq_lens": measured["seq_lens"], "grid": measured["grid"],
    }


def _tflite(common, measured, options, out_dir) -> dict:
    try:
        converted = run_worker({**common, "mode": "tflite_convert",
                                "batch_sizes": options["batch_sizes"],
                                "out_dir": str(out_dir)}, options["timeout_s"])
    except (ReportError, DataError) as err:
        return {"status": "failed", "reason": f"conversion process failed: {err}"[:1500]}
    ok = [c for c in converted["conversions"] if c["ok"]]
    failed = [c for c in converted["conversions"] if not c["ok"]]
    result = {"status": "ok" if ok else "failed", "conversions": converted["conversions"],
              "reason": failed[0]["reason"] if failed else None, "folder": str(out_dir)}
    if not ok:
        return result
    try:
        measured_tfl = run_worker({
            **common, "mode": "tflite_measure", "conversions": ok,
            "seq_lens": measured["seq_lens"], "specs": measured["signature"]["inputs"],
            "repeats": options["repeats"], "calls_per_repeat": options["calls_per_repeat"]},
            options["timeout_s"])
    except (ReportError, DataError) as err:
        return {**result, "status": "failed", "reason": f"measurement failed: {err}"[:1500]}
    result.update(measured_tfl)
    checks = measured_tfl["checks"]
    result["max_abs_diff"] = max((c["max_abs_diff"] for c in checks), default=None)
    result["mismatched"] = sum(c["mismatched"] for c in checks)
    # equal: integer/string outputs identical, floats within rtol=1e-5, atol=1e-5
    result["equal"] = result["mismatched"] == 0 and all(c["close"] for c in checks)
    result["median_speedup_p50"] = _speedups(measured["grid"], measured_tfl["grid"])
    return result


def _speedups(saved_model_grid, tflite_grid):
    """Adds ``speedup_p50`` to each TFLite grid row; returns the median speed-up."""
    by_point = {(r["batch"], r["seq_len"]): r for r in saved_model_grid}
    ratios = []
    for row in tflite_grid:
        ref = by_point.get((row["batch"], row["seq_len"]))
        if ref:
            row["speedup_p50"] = ref["p50_ms"] / row["p50_ms"] if row["p50_ms"] else None
            ratios.append(row["speedup_p50"])
    ratios = [r for r in ratios if r]
    return sorted(ratios)[len(ratios) // 2] if ratios else None
