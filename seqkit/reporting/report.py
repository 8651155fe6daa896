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
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seqkit.errors import ConfigError, DataError, SeqkitError
from seqkit.serving.graph import dir_size, read_saved_model_proto, rnn_path
from seqkit.serving.layout import resolve_saved_model

MARKER = "SEQKIT_REPORT_JSON "
REPORT_FORMAT = 1
DEFAULT_BATCH_SIZES = (1, 8, 64, 256)


class ReportError(SeqkitError, RuntimeError):
    """A measurement process failed (not because of the SavedModel itself)."""


def report(export_path, *, out_dir=None, batch_sizes=DEFAULT_BATCH_SIZES, seq_lens=None,
           repeats=5, compare=None, tflite=False, threads=None, calls_per_repeat=None,
           concurrency=8, concurrent_calls=200, cold_start=True, plots=True,
           timeout_s=1800) -> dict:
    """Measure one or more exported models in fresh processes; write and return the report.

    Args:
        export_path: a version folder (``base/3``), a base path (its highest version), or a
            list of them (comparison mode).
        out_dir: where to write ``report.json``, ``report.md`` and the plots (see module doc).
        batch_sizes: the grid's batch sizes.
        seq_lens: the grid's sequence lengths (steps; words for text models); default
            ``(8, 32, 128)`` words for text, ``(16, 64, 256)`` steps for sequences, the fixed
            length for fixed-length models.
        repeats: repeats per grid cell; statistics are medians over repeats.
        compare: more models to compare with the first.
        tflite: also convert to TFLite and measure it (its failures are reported, not raised).
        threads: TensorFlow intra-/inter-op threads (and TFLite threads) in the workers;
            default TensorFlow's (all cores).
        calls_per_repeat: calls per repeat; default adaptive (about 0.25 s, 10..200 calls).
        concurrency, concurrent_calls: threads and calls per thread of the multi-threaded
            check (``concurrency=0`` skips it).
        cold_start: also measure the cold first call in its own fresh process.
        plots: write the PNG plots.
        timeout_s: limit per worker process.
    """
    paths = list(export_path) if isinstance(export_path, (list, tuple)) else [export_path]
    if compare:
        paths += list(compare) if isinstance(compare, (list, tuple)) else [compare]
    if not paths:
        raise ConfigError("report needs at least one export path")
    options = _check_options(batch_sizes, seq_lens, repeats, threads, calls_per_repeat,
                             concurrency, concurrent_calls, timeout_s)
    targets = [_resolve(p) for p in paths]
    names = _names(targets)

    first_base, first_version = targets[0][0], targets[0][1]
    if out_dir is None:
        label = f"v{first_version}" if first_version is not None else targets[0][2].name
        out_dir = first_base / (f"report-compare-{label}" if len(targets) > 1 else
                                f"report-{label}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"out_dir {str(out_dir)!r} is a file")
    out_dir.mkdir(parents=True, exist_ok=True)

    models = []
    for i, (name, (base, version, version_dir)) in enumerate(zip(names, targets, strict=True)):
        tflite_dir = out_dir / ("tflite" if len(targets) == 1 else f"tflite-{i}")
        models.append(_measure_model(name, base, version, version_dir, options,
                                     tflite_dir if tflite else None, cold_start))
    result = {
        "format": REPORT_FORMAT,
        "created_unix": round(time.time(), 3),
        "out_dir": str(out_dir),
        "options": {**options, "tflite": tflite, "cold_start": cold_start},
        "models": models,
        "comparison": comparison_rows(models) if len(models) > 1 else None,
        "files": {},
    }
    from seqkit.reporting import render

    files = {"json": str(out_dir / "report.json"), "markdown": str(out_dir / "report.md")}
    if plots:
        files.update(render.plots(result, out_dir))
    result["files"] = files
    Path(files["markdown"]).write_text(render.markdown(result))
    Path(files["json"]).write_text(json.dumps(result, indent=2, default=str))
    return result


# ----------------------------------------------------------------------------- checks


def _positive_ints(name, values, allow_empty=False):
    if isinstance(values, int) and not isinstance(values, bool):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise ConfigError(f"{name} must be a list of positive integers, got {values!r}") from None
    if (not values and not allow_empty) or any(
            isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise ConfigError(f"{name} must be a list of positive integers, got {values!r}")
    return sorted(set(values))


def _check_options(batch_sizes, seq_lens, repeats, threads, calls_per_repeat, concurrency,
                   concurrent_calls, timeout_s) -> dict:
    options = {"batch_sizes": _positive_ints("batch_sizes", batch_sizes),
               "seq_lens": None if seq_lens is None else _positive_ints("seq_lens", seq_lens)}
    for name, value, minimum, optional in (
            ("repeats", repeats, 1, False), ("threads", threads, 1, True),
            ("calls_per_repeat", calls_per_repeat, 1, True),
            ("concurrency", concurrency, 0, False),
            ("concurrent_calls", concurrent_calls, 1, False)):
        if value is None and optional:
            options[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
        options[name] = value
    if not isinstance(timeout_s, (int, float)) or timeout_s <= 0:
        raise ConfigError(f"timeout_s must be positive, got {timeout_s!r}")
    options["timeout_s"] = timeout_s
    return options


def _resolve(path):
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError(f"export paths must be paths, got {type(path).__name__}")
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


# ---------------------------------------------------------------------------- workers


def run_worker(config: dict, timeout_s: float) -> dict:
    """Run ``python -m seqkit.reporting._worker`` on ``config``; return its JSON result."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
        config_path = f.name
    try:
        proc = subprocess.run([sys.executable, "-m", "seqkit.reporting._worker", config_path],
                              capture_output=True, text=True, env=env, timeout=timeout_s,
                              cwd=package_root)
    except subprocess.TimeoutExpired as err:
        raise ReportError(f"{config['mode']} worker for {config['path']} took longer than "
                          f"{timeout_s} s") from err
    finally:
        os.unlink(config_path)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise ReportError(f"{config['mode']} worker for {config['path']} exited with "
                          f"{proc.returncode} and no result:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len(MARKER):])
    if "error" in result:
        if result.get("stage") == "load":
            raise DataError(f"cannot load the SavedModel at {config['path']!r}: "
                            f"{result['error']}")
        raise ReportError(f"{config['mode']} worker for {config['path']} failed at "
                          f"{result.get('stage')}: {result['error']}\n"
                          f"{result.get('traceback', '')}")
    return result


def _measure_model(name, base, version, version_dir, options, tflite_dir, cold_start) -> dict:
    common = {"path": str(version_dir), "threads": options["threads"],
              "seq_lens": options["seq_lens"]}
    cold = run_worker({**common, "mode": "cold"}, options["timeout_s"]) if cold_start else None
    measured = run_worker({
        **common, "mode": "measure", "batch_sizes": options["batch_sizes"],
        "repeats": options["repeats"], "calls_per_repeat": options["calls_per_repeat"],
        "concurrency": options["concurrency"],
        "concurrent_calls": options["concurrent_calls"]}, options["timeout_s"])
    meta = _metadata(version_dir)
    graph = rnn_path(version_dir)
    seq_lens = measured["seq_lens"]
    variables = measured["variables"]
    sizes = {"saved_model_bytes": dir_size(version_dir),
             "saved_model_pb_bytes": (version_dir / "saved_model.pb").stat().st_size,
             "variables_bytes": dir_size(version_dir / "variables")}
    rss = measured["rss"]
    memory = {
        **variables, **sizes,
        "metadata_params": meta.get("params"),
        "rss": rss,
        "peak_rss_bytes": rss["after_concurrency"]["peak_bytes"],
        "rss_model_bytes": rss["after_load"]["current_bytes"] - rss["after_import"][
            "current_bytes"] if rss["after_load"]["current_bytes"] else None,
        "gpu_peak_bytes": measured["gpu_peak_bytes"],
        "activation_estimate": activation_estimate(meta, measured["signature"]["inputs"],
                                                   seq_lens, options["batch_sizes"]),
    }
    latency = {
        "import_s": measured["import_s"], "load_s": measured["load_s"],
        "cold": cold, "warmup": measured["warmup"],
        "first_call_after_warmup_ms": measured["first_call_after_warmup_ms"],
        "first_call_seq_len": measured["first_call_seq_len"],
        "seq_lens": seq_lens, "grid": measured["grid"],
    }
    model = {
        "name": name, "path": str(version_dir), "base_path": str(base), "version": version,
        "task": meta.get("task"), "class_names": meta.get("class_names"),
        "rnn_layers": meta.get("rnn_layers"),
        "text_vectorization": meta.get("text_vectorization"),
        "environment": measured["environment"], "graph": graph,
        "signature": measured["signature"], "memory": memory, "latency": latency,
        "concurrency": measured["concurrency"], "tflite": None,
    }
    if tflite_dir is not None:
        model["tflite"] = _tflite(common, measured, options, tflite_dir)
    return model


def _metadata(version_dir) -> dict:
    try:
        return json.loads((version_dir / "assets.extra" / "seqkit_export.json").read_text())
    except (OSError, ValueError):
        return {}


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
    ratios = []
    by_cell = {(r["batch"], r["seq_len"]): r for r in measured["grid"]}
    for row in measured_tfl["grid"]:
        ref = by_cell.get((row["batch"], row["seq_len"]))
        if ref:
            row["speedup_p50"] = ref["p50_ms"] / row["p50_ms"] if row["p50_ms"] else None
            ratios.append(row["speedup_p50"])
    ratios = [r for r in ratios if r]
    result["median_speedup_p50"] = sorted(ratios)[len(ratios) // 2] if ratios else None
    return result


# -------------------------------------------------------------------- derived numbers


ACTIVATION_FORMULA = (
    "per example at length T: Σ_rnn n_states·units·b (carried state: LSTM h,c; GRU h) "
    "+ Σ_rnn with return_sequences T·units·b (sequence outputs) + T·d·b (the first RNN's "
    "input: embedding or scaled window, d wide), b = bytes per value; ×B for a batch. "
    "A lower bound: TensorFlow's loop also keeps per-step temporaries.")


def activation_estimate(meta, input_specs, seq_lens, batch_sizes) -> dict | None:
    """The documented estimate of live activation/state bytes (``ACTIVATION_FORMULA``)."""
    layers = meta.get("rnn_layers") or []
    if not layers:
        return {"formula": ACTIVATION_FORMULA, "per_example_bytes": None,
                "reason": "no RNN layer summary (assets.extra/seqkit_export.json missing)"}
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


def _cell(model, batch):
    seq_lens = model["latency"]["seq_lens"]
    ref = seq_lens[len(seq_lens) // 2]
    for row in model["latency"]["grid"]:
        if row["batch"] == batch and row["seq_len"] == ref:
            return row
    return None


def comparison_rows(models) -> list[dict]:
    """One row per model: params, size, memory, latency at batch 1 and 64 (or the
    smallest/largest batch measured), and ratios to the first model."""
    batches = sorted({row["batch"] for row in models[0]["latency"]["grid"]})
    small = 1 if 1 in batches else batches[0]
    large = 64 if 64 in batches else batches[-1]
    rows = []
    for model in models:
        a, b = _cell(model, small) or {}, _cell(model, large) or {}
        rows.append({
            "model": model["name"], "task": model["task"],
            "rnn": ", ".join(sorted({lay["class"] for lay in model["rnn_layers"] or []})) or "?",
            "params": model["memory"]["params"],
            "saved_model_bytes": model["memory"]["saved_model_bytes"],
            "peak_rss_bytes": model["memory"]["peak_rss_bytes"],
            "load_s": model["latency"]["load_s"],
            "seq_len": model["latency"]["seq_lens"][len(model["latency"]["seq_lens"]) // 2],
            "batch_small": small, "batch_large": large,
            "p50_small_ms": a.get("p50_ms"), "p99_small_ms": a.get("p99_ms"),
            "p50_large_ms": b.get("p50_ms"), "p99_large_ms": b.get("p99_ms"),
            "throughput_large_eps": b.get("throughput_eps"),
        })
    first = rows[0]
    for row in rows:
        row["ratios"] = {key: (row[key] / first[key] if first[key] and row[key] is not None
                               else None)
                         for key in ("params", "saved_model_bytes", "peak_rss_bytes",
                                     "p50_small_ms", "p99_small_ms", "p50_large_ms",
                                     "p99_large_ms", "throughput_large_eps")}
    return rows
