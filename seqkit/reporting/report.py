"""``report``: memory and latency of exported models, measured the way they are served.

Every measurement runs in a fresh ``python -m seqkit.reporting._worker`` process that loads
the SavedModel with ``tf.saved_model.load`` (TensorFlow only) and calls its
``serving_default`` signature, as a Python server would; the numbers are for that process,
not for ``tensorflow_model_server`` itself (which uses the same TensorFlow kernels from C++).

Per model (``report["models"][i]``):

- ``environment``: Python/TensorFlow/Keras versions, CPU model and counts, TF thread
  settings, GPU names; ``graph``: which RNN path the graph holds (``CudnnRNN*`` → cuDNN,
  ``While`` → the step loop), node counts.
- ``memory``: parameters and bytes by dtype (from the variables the signature uses;
  Keras' seed-generator state is not a parameter), SavedModel size on disk, peak RSS
  (``ru_maxrss``) before/after import, after load, after warmup, after inference, GPU peak
  (``tf.config.experimental.get_memory_info``) when a GPU is present, and an activation/state
  estimate per example (:func:`activation_estimate`).
- ``latency``: import and load time; cold first and second call (a separate fresh process,
  nothing warmed up); warmup replay; first call after warmup; then the grid batch × sequence
  length (texts: N words; sequences: T steps) with p50/p90/p99/max/mean in ms and throughput
  in examples/s — per repeat, then the median over repeats.
- ``concurrency``: N threads calling one loaded signature; errors, equality of every output
  with the single-thread output, throughput.
- ``tflite`` (``tflite=True``): conversion (builtins only, batch fixed, time dynamic) and the
  same grid with ``tf.lite.Interpreter`` (XNNPACK), equality with the SavedModel, speed
  ratio; a failed conversion is reported with its reason.

Several models (``report([a, b])`` or ``compare=[b]``) add ``report["comparison"]``: one row
per model (params, size, memory, latency at batch 1 and 64, ratios to the first).

Files: ``report.json``, ``report.md`` and PNG plots in ``out_dir`` (default
``<base_path>/report-v<version>/`` for one model, ``<base_path of the first>/
report-compare-v<version>/`` for a comparison: next to the versions, which TF Serving
ignores because the name is not an integer).

Modules: this one checks the arguments and writes the files; :mod:`~seqkit.reporting.
measure` assembles one model's entry from its worker runs (:mod:`~seqkit.reporting.runner`,
:mod:`~seqkit.reporting._worker`); :mod:`~seqkit.reporting.estimates` derives the
activation estimate and the comparison rows; :mod:`~seqkit.reporting.render` writes
``report.md`` and the plots.

One model's entry of the report, assembled from its worker runs.

:func:`measure_model` runs the ``cold`` worker (a fresh process, nothing warmed up), the
``measure`` worker (load, warmup, the time grid, concurrency, memory), and with
``tflite=True`` the ``tflite_convert`` and ``tflite_measure`` workers, then adds what the
parent can read itself: the export metadata, the graph scan and the sizes on disk.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from seqkit.errors import ConfigError, DataError
from seqkit.reporting import render
from seqkit.reporting.batching import BATCHING_FILE, write_batching
from seqkit.reporting.estimates import ACTIVATION_FORMULA, activation_estimate, comparison_rows
from seqkit.reporting.runner import MARKER, ReportError, run_worker
from seqkit.serving.layout import SAVED_MODEL_PB, resolve_saved_model
from seqkit.serving.metadata import read_metadata
from seqkit.serving.verify import dir_size, read_saved_model_proto, rnn_path
from seqkit.validation import check_int, check_number, check_optional_int, fail

__all__ = ["ACTIVATION_FORMULA", "DEFAULT_BATCH_SIZES", "MARKER", "REPORT_FORMAT",
           "ReportError", "activation_estimate", "comparison_rows", "report", "run_worker"]

REPORT_FORMAT = 1
DEFAULT_BATCH_SIZES = (1, 8, 64, 256)


def report(export_path, *, out_dir=None, batch_sizes=DEFAULT_BATCH_SIZES, seq_lens=None,
           repeats=5, compare=None, tflite=False, threads=None, calls_per_repeat=None,
           concurrency=8, concurrent_calls=200, cold_start=True, plots=True,
           timeout_s=1800, batching_p99_ms=None) -> dict:
    """Measure one or more exported models in fresh processes; write and return the report.

    Args:
        export_path: a version folder (``base/3``), a base path (its highest version), or a
            list of them (comparison mode).
        out_dir: where to write ``report.json``, ``report.md`` and the plots (see module doc).
        batch_sizes: the time grid's batch sizes.
        seq_lens: the time grid's sequence lengths (steps; words for text models); default
            ``(8, 32, 128)`` words for text, ``(16, 64, 256)`` steps for sequences, the fixed
            length for fixed-length models.
        repeats: repeats per grid point; statistics are medians over repeats.
        compare: more models to compare with the first.
        tflite: also convert to TFLite and measure it (its failures are reported, not raised).
        threads: TensorFlow intra-/inter-op threads (and TFLite threads) in the workers;
            default TensorFlow's (all cores).
        calls_per_repeat: calls per repeat; default adaptive (about 0.25 s, 10..200 calls).
        concurrency: threads of the multi-threaded check (``0`` skips it).
        concurrent_calls: calls per thread of the multi-threaded check.
        cold_start: also measure the cold first call in its own fresh process.
        plots: write the PNG plots.
        timeout_s: limit per worker process.
        batching_p99_ms: a p99 budget (ms): also choose TF Serving's batching parameters
            from the grid and write ``batching_parameters.txt``
            (:mod:`seqkit.reporting.batching`; ``batching_parameters-<i>.txt`` per model
            when several); no measured batch within the budget → no file, a notice in
            ``report["models"][i]["batching"]`` and report.md.

    Returns:
        The report (also written as ``report.json``): ``format``, ``created_unix``,
        ``out_dir``, ``options``, ``models`` (one entry per model, see the module
        docstring), ``comparison`` (rows, or ``None`` for one model), ``files``.

    Raises:
        ConfigError: bad options.
        DataError: a path that holds no SavedModel, or one that is corrupt.
        ReportError: a measuring process failed.

    Example (a real report takes tens of seconds: each measurement is a fresh process)::

        seqkit.report("saved_models/text_lstm")                            # one model
        seqkit.report(["saved_models/text_lstm", "saved_models/text_gru"]) # LSTM vs GRU

    The arguments are checked before anything runs:

    >>> report("saved_models/text_lstm", repeats=0)
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: repeats must be an integer >= 1, got 0
    >>> report("/no/such/model")
    Traceback (most recent call last):
    ...
    seqkit.errors.DataError: no SavedModel at '/no/such/model': the path does not exist
    """
    paths = list(export_path) if isinstance(export_path, (list, tuple)) else [export_path]
    if compare:
        paths += list(compare) if isinstance(compare, (list, tuple)) else [compare]
    if not paths:
        raise ConfigError("report needs at least one export path")
    options = _check_options(batch_sizes, seq_lens, repeats, threads, calls_per_repeat,
                             concurrency, concurrent_calls, timeout_s)
    if batching_p99_ms is not None:
        check_number("batching_p99_ms", batching_p99_ms, positive=True)
    targets = [_resolve(p) for p in paths]
    out_dir = _out_dir(out_dir, targets)

    models = []
    for i, (name, (base, version, version_dir)) in enumerate(
            zip(_names(targets), targets, strict=True)):
        tflite_dir = out_dir / ("tflite" if len(targets) == 1 else f"tflite-{i}")
        models.append(measure_model(name, base, version, version_dir, options,
                                    tflite_dir if tflite else None, cold_start))
    if batching_p99_ms is not None:
        for i, model in enumerate(models):
            model["batching"] = write_batching(
                model, batching_p99_ms, out_dir,
                BATCHING_FILE if len(models) == 1 else f"batching_parameters-{i}.txt")
    result = {
        "format": REPORT_FORMAT,
        "created_unix": round(time.time(), 3),
        "out_dir": str(out_dir),
        "options": {**options, "tflite": tflite, "cold_start": cold_start,
                    "batching_p99_ms": batching_p99_ms},
        "models": models,
        "comparison": comparison_rows(models) if len(models) > 1 else None,
        "files": {},
    }
    _write_files(result, out_dir, plots)
    return result


def _write_files(result, out_dir: Path, plots: bool):
    files = {"json": str(out_dir / "report.json"), "markdown": str(out_dir / "report.md")}
    files.update({f"batching-{i}": m["batching"]["file"] for i, m in enumerate(result["models"])
                  if (m.get("batching") or {}).get("file")})
    if plots:
        files.update(render.plots(result, out_dir))
    result["files"] = files
    Path(files["markdown"]).write_text(render.markdown(result))
    Path(files["json"]).write_text(json.dumps(result, indent=2, default=str))


# ----------------------------------------------------------------------------- checks


def _positive_ints(name, values) -> list[int]:
    """A non-empty list of integers ≥ 1 (one integer is a list of one), sorted, unique."""
    if isinstance(values, int) and not isinstance(values, bool):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        fail(name, "a list of positive integers", values)
    if not values:
        fail(name, "a non-empty list of positive integers", values)
    return sorted({check_int(f"{name}[{i}]", v) for i, v in enumerate(values)})


def _check_options(batch_sizes, seq_lens, repeats, threads, calls_per_repeat, concurrency,
                   concurrent_calls, timeout_s) -> dict:
    check_number("timeout_s", timeout_s, positive=True, finite=False)
    return {
        "batch_sizes": _positive_ints("batch_sizes", batch_sizes),
        "seq_lens": None if seq_lens is None else _positive_ints("seq_lens", seq_lens),
        "repeats": check_int("repeats", repeats),
        "threads": check_optional_int("threads", threads),
        "calls_per_repeat": check_optional_int("calls_per_repeat", calls_per_repeat),
        "concurrency": check_int("concurrency", concurrency, minimum=0),
        "concurrent_calls": check_int("concurrent_calls", concurrent_calls),
        "timeout_s": timeout_s,
    }


def _resolve(path):
    if not isinstance(path, (str, os.PathLike)):
        fail("export_path", "a path (str or os.PathLike)", path)
    base, version, version_dir = resolve_saved_model(path)
    try:
        read_saved_model_proto(version_dir)
    except (OSError, ValueError) as err:
        raise DataError(f"corrupt SavedModel at {str(version_dir)!r}: {err}") from err
    if not (version_dir / "variables").is_dir():
        raise DataError(f"corrupt SavedModel at {str(version_dir)!r}: no variables/ folder")
    return base.absolute(), version, version_dir.absolute()


def _names(targets) -> list[str]:
    names = [f"{base.name} v{version}" if version is not None else version_dir.name
             for base, version, version_dir in targets]
    seen = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _out_dir(out_dir, targets) -> Path:
    """The folder given, or ``report-v<version>`` / ``report-compare-v<version>`` beside
    the first model's versions; created, and refused when it is a file."""
    first_base, first_version = targets[0][0], targets[0][1]
    if out_dir is None:
        label = f"v{first_version}" if first_version is not None else targets[0][2].name
        out_dir = first_base / (f"report-compare-{label}" if len(targets) > 1 else
                                f"report-{label}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"out_dir {str(out_dir)!r} is a file")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


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
