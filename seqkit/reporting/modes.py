"""The SavedModel measuring modes of the worker: ``cold`` and ``measure``.

Both load the SavedModel with ``tf.saved_model.load`` (TensorFlow only) and call its
``serving_default`` signature on synthetic batches (:mod:`seqkit.serving.signature`, with the
model's own words for texts from the export metadata):

- :func:`mode_cold`: load, then the first and second call on one batch (nothing warmed up);
- :func:`mode_measure`: load, replay the warmup records (each through the signature it
  names, as TF Serving does), first call after warmup, the time
  grid (batch sizes × sequence lengths; percentiles per repeat, medians over repeats), N
  threads sharing one signature, parameters by dtype, RSS at each stage, GPU peak memory.

The examples measure a tiny exported GRU (``window float32 [B, T, 1]`` in).

Latency per new point: the streaming step signature against the full-window call.

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

The TFLite (LiteRT) modes of the worker: ``tflite_convert`` and ``tflite_measure``.

Conversion is :mod:`seqkit.serving.litert`'s (the one LiteRT converter). Batch 1 uses the
export's own ``assets.extra/model.tflite`` when the version has one (``export(...,
litert=True)``: fused ``UNIDIRECTIONAL_SEQUENCE_LSTM`` where the math allows, else the
``WHILE`` loop); other batch sizes, and versions without the file, are converted from the
reloaded signature (:func:`seqkit.serving.litert.convert_signature`: always the ``WHILE``
loop). Every conversion says its ``source`` (``"export"`` / ``"converted"``) and ``path``
(``fused`` / ``loop`` / ``mixed``, read from the flatbuffer's ops). Files run in
``ai_edge_litert``'s interpreter (``tf.lite.Interpreter`` is deprecated and only used when
``ai-edge-litert`` cannot be imported; ``interpreter`` in the result says which and why).

Why the conversion is not ``from_saved_model`` with builtins: it fails for Keras 3 LSTM/GRU
graphs in TF 2.21 (TensorList ops need static element shapes); ``SELECT_TF_OPS`` converts
but the ``tf.lite.Interpreter`` in the TensorFlow wheel has no Flex delegate to run it.
:func:`mode_tflite_measure` times the grid with the LiteRT interpreter (XNNPACK) and
compares its outputs with the SavedModel's on the same inputs.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from seqkit.errors import DataError
from seqkit.reporting.estimates import reference_seq_len
from seqkit.reporting.probes import environment, rss_point
from seqkit.reporting.timing import time_grid_point
from seqkit.serving import signature as signature_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.litert import (
    convert_signature,
    interpreter_class,
    litert_path,
    op_names,
    op_summary,
    short_error,
)
from seqkit.serving.metadata import read_metadata
from seqkit.serving.signature import SIGNATURE_NAME
from seqkit.serving.verify import compare_outputs

STAGE = {"name": "start"}  # what the worker is doing, reported when it fails
CONCURRENT_BATCH = 8


def load(tf, path):
    """Load a SavedModel and its signature, timing it (``STAGE`` is ``"load"`` meanwhile).

    Args:
        tf: the ``tensorflow`` module.
        path: the version folder.

    Returns:
        ``(loaded, signature, load_s)``; keep ``loaded``: it owns the variables.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> loaded, signature, load_s = load(tf, path)
    >>> signature_specs(signature), load_s > 0
    ({'window': {'dtype': 'float32', 'shape': [None, None, 1]}}, True)
    >>> tmp.cleanup()
    """
    STAGE["name"] = "load"
    start = time.perf_counter()
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures[SIGNATURE_NAME]
    load_s = time.perf_counter() - start
    STAGE["name"] = "run"
    return loaded, signature, load_s


def signature_specs(signature) -> dict:
    """The input specs of a loaded signature (``{name: {"dtype", "shape"}}``).

    Args:
        signature: a loaded ``serving_default`` signature.

    Returns:
        The specs, as :mod:`seqkit.serving.signature` takes them.

    Example: see :func:`load`.
    """
    specs = {}
    for name, spec in signature.structured_input_signature[1].items():
        specs[name] = {"dtype": "string" if spec.dtype.name == "string" else spec.dtype.name,
                       "shape": spec.shape.as_list()}
    return specs


def grid_seq_lens(specs, requested) -> list[int]:
    """The lengths to measure: requested ones (or defaults), mapped to what the model
    really gets (a fixed time axis wins), without duplicates.

    Args:
        specs: the signature's input specs.
        requested: the lengths asked for, or ``None`` (:func:`default_seq_lens`).

    Returns:
        Sorted, unique lengths.

    Example:

    >>> grid_seq_lens({"window": {"dtype": "float32", "shape": [None, 5, 2]}}, [3, 9])
    [5]
    """
    lens = requested or default_seq_lens(specs)
    return sorted({signature_lib.effective_seq_len(specs, int(t)) for t in lens})


def default_seq_lens(specs) -> list[int]:
    """The model's fixed length, else ``[8, 32, 128]`` words for texts, else
    ``[16, 64, 256]`` steps.

    Args:
        specs: the signature's input specs.

    Returns:
        The default lengths.

    Example:

    >>> default_seq_lens({"text": {"dtype": "string", "shape": [None]}})
    [8, 32, 128]
    """
    fixed = [signature_lib.fixed_time(s) for s in specs.values()]
    fixed = [t for t in fixed if t is not None]
    if fixed:
        return [fixed[0]]
    if signature_lib.is_text(specs):
        return [8, 32, 128]
    return [16, 64, 256]


def feeds_for(tf, specs, batch, seq_len, seed, words) -> dict:
    """A synthetic batch as ``{input name: tf.Tensor}``, ready to feed the signature.

    Args:
        tf: the ``tensorflow`` module.
        specs: the signature's input specs.
        batch: rows.
        seq_len: steps, or words per text.
        seed: the random seed.
        words: the vocabulary for texts.

    Returns:
        ``{input name: tensor}``.

    Example:

    >>> import tensorflow as tf
    >>> specs = {"window": {"dtype": "float32", "shape": [None, None, 1]}}
    >>> feeds_for(tf, specs, 2, 3, seed=0, words=None)["window"].shape
    TensorShape([2, 3, 1])
    """
    return {k: tf.constant(v) for k, v in signature_lib.synthetic_batch(
        specs, batch, seq_len, seed=seed, words=words).items()}


def to_numpy(outputs) -> dict:
    """``{name: tensor}`` → ``{name: array}`` (waits for the result).

    Args:
        outputs: a signature's outputs.

    Returns:
        NumPy arrays.

    Example:

    >>> import tensorflow as tf
    >>> to_numpy({"y": tf.constant([1.0])})
    {'y': array([1.], dtype=float32)}
    """
    return {k: v.numpy() for k, v in outputs.items()}


def _time_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def mode_cold(tf, config) -> dict:
    """Load, then time the first and second call at batch 1 (nothing warmed up).

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "seq_lens"}`` (the middle length is used).

    Returns:
        ``{"load_s", "first_call_ms", "second_call_ms", "seq_len", "rss"}``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> cold = mode_cold(tf, {"path": path, "seq_lens": [4]})
    >>> cold["seq_len"], cold["first_call_ms"] > 0
    (4, True)
    >>> tmp.cleanup()
    """
    after_import = rss_point()
    _, signature, load_s = load(tf, config["path"])
    after_load = rss_point()
    specs = signature_specs(signature)
    seq_len = reference_seq_len(grid_seq_lens(specs, config.get("seq_lens")))
    feeds = feeds_for(tf, specs, 1, seq_len, 0, read_metadata(config["path"]).get("sample_words"))
    times = [_time_ms(lambda: to_numpy(signature(**feeds))) for _ in range(2)]
    return {"load_s": load_s, "first_call_ms": times[0], "second_call_ms": times[1],
            "seq_len": seq_len,
            "rss": {"after_import": after_import, "after_load": after_load,
                    "after_first_calls": rss_point()}}


def variables_summary(loaded, signature) -> dict:
    """Parameters by dtype, from the variables the SavedModel holds.

    Keras' seed-generator state is a variable, not a parameter: it is counted apart.

    Args:
        loaded: the loaded SavedModel.
        signature: its signature (its variables are used when ``loaded`` lists none).

    Returns:
        ``{"params", "params_by_dtype", "param_bytes", "param_bytes_by_dtype",
        "variables", "other_variables"}``.

    Example:

    >>> import tempfile, tensorflow as tf
    >>> tmp = tempfile.TemporaryDirectory(); module = tf.Module()
    >>> module.w = tf.Variable(tf.ones([3, 2]))
    >>> module.f = tf.function(lambda x: {"y": x @ module.w},
    ...                        input_signature=[tf.TensorSpec([None, 3], name="x")])
    >>> tf.saved_model.save(module, tmp.name, signatures={"serving_default": module.f})
    >>> loaded, signature, _ = load(tf, tmp.name)
    >>> variables_summary(loaded, signature)["params_by_dtype"]
    {'float32': 6}
    >>> tmp.cleanup()
    """
    variables = list(getattr(loaded, "variables", None) or []) or list(signature.variables)
    seen, rows = set(), []
    for v in variables:
        key = v.name
        if key in seen:
            continue
        seen.add(key)
        rows.append(v)
    params = [v for v in rows if "seed_generator" not in v.name]
    by_dtype, bytes_by_dtype = {}, {}
    for v in params:
        n = int(np.prod(v.shape)) if v.shape.rank else 1
        by_dtype[v.dtype.name] = by_dtype.get(v.dtype.name, 0) + n
        bytes_by_dtype[v.dtype.name] = bytes_by_dtype.get(v.dtype.name, 0) + n * v.dtype.size
    return {"params": sum(by_dtype.values()), "params_by_dtype": by_dtype,
            "param_bytes": sum(bytes_by_dtype.values()), "param_bytes_by_dtype": bytes_by_dtype,
            "variables": len(params), "other_variables": len(rows) - len(params)}


def replay_warmup(tf, signatures, path) -> dict | None:
    """Time the replay of the version's warmup records, as TF Serving does on load: each
    record through the signature it names (``model_spec.signature_name``).

    Args:
        tf: the ``tensorflow`` module.
        signatures: the loaded SavedModel's ``.signatures`` (every record replayed), or
            one loaded signature (the records of ``serving_default`` only).
        path: the version folder.

    Returns:
        ``{"records", "by_signature", "total_ms", "first_record_ms"}``
        (``by_signature``: ``{signature name: records replayed}``), or ``None`` without
        warmup file.

    Raises:
        DataError: given ``.signatures``, a record naming a signature the SavedModel lacks
            (TF Serving would fail to load the version).

    Example:

    >>> import tempfile, tensorflow as tf
    >>> with tempfile.TemporaryDirectory() as version_dir:
    ...     replay_warmup(tf, None, version_dir) is None
    True
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = warmup_lib.write_warmup_file(
    ...     warmup_lib.warmup_path(tmp.name), [{"x": np.ones(2, "float32")}], "m",
    ...     more={"serving_step": [{"x": np.ones(1, "float32")}] * 2})
    >>> replay_warmup(tf, {"serving_default": lambda x: {"y": x},
    ...                    "serving_step": lambda x: {"y": x}}, tmp.name)["by_signature"]
    {'serving_default': 1, 'serving_step': 2}
    >>> tmp.cleanup()
    """
    file = warmup_lib.warmup_path(path)
    if not file.is_file():
        return None
    every = isinstance(signatures, Mapping)
    functions = signatures if every else {SIGNATURE_NAME: signatures}
    times, counts = [], {}
    for i, request in enumerate(warmup_lib.read_warmup_requests(file)):
        name = warmup_lib.signature_of(request)
        function = functions.get(name)
        if function is None:
            if every:
                raise DataError(f"warmup record {i} calls signature {name!r}, which the "
                                f"SavedModel lacks (it has {sorted(functions)})")
            continue
        feeds = {k: tf.constant(v) for k, v in warmup_lib.request_arrays(request).items()}
        times.append(_time_ms(lambda f=feeds, fn=function: to_numpy(fn(**f))))
        counts[name] = counts.get(name, 0) + 1
    return {"records": len(times), "by_signature": counts, "total_ms": float(sum(times)),
            "first_record_ms": times[0] if times else None}


def concurrency(tf, signature, specs, seq_len, words, threads, calls) -> dict:
    """``threads`` threads calling one loaded signature ``calls`` times each.

    Every output is compared with the single-thread output of the same batch (4 batches
    of :data:`CONCURRENT_BATCH` rows, cycled).

    Args:
        tf: the ``tensorflow`` module.
        signature: the loaded signature.
        specs: its input specs.
        seq_len: the batches' length.
        words: the vocabulary for texts.
        threads: how many threads.
        calls: calls per thread.

    Returns:
        ``{"threads", "calls_per_thread", "batch", "seq_len", "calls", "errors",
        "error_samples", "identical_outputs", "max_abs_diff", "all_equal", "wall_s",
        "throughput_eps", "single_thread_throughput_eps"}``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> loaded, signature, _ = load(tf, path)
    >>> conc = concurrency(tf, signature, signature_specs(signature), 4, None, 2, 3)
    >>> conc["calls"], conc["errors"], conc["all_equal"]
    (6, 0, True)
    >>> tmp.cleanup()
    """
    inputs = [feeds_for(tf, specs, CONCURRENT_BATCH, seq_len, 1000 + i, words) for i in range(4)]
    refs = [to_numpy(signature(**x)) for x in inputs]
    n_single = max(4, calls // 4)
    start = time.perf_counter()
    for i in range(n_single):
        to_numpy(signature(**inputs[i % 4]))
    single_s = time.perf_counter() - start
    tally = _Tally()
    barrier = threading.Barrier(threads)

    def worker(tid):
        barrier.wait()
        for i in range(calls):
            k = (tid + i) % 4
            try:
                out = to_numpy(signature(**inputs[k]))
            except Exception as err:  # noqa: BLE001
                tally.error(err)
                continue
            tally.compare(out, refs[k])

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    return {"threads": threads, "calls_per_thread": calls, "batch": CONCURRENT_BATCH,
            "seq_len": seq_len, "calls": tally.total, "errors": len(tally.errors),
            "error_samples": tally.errors[:3], "identical_outputs": tally.identical,
            "max_abs_diff": tally.max_diff,
            "all_equal": (not tally.errors and tally.max_diff <= 1e-6
                          and tally.total == threads * calls),
            "wall_s": wall,
            "throughput_eps": CONCURRENT_BATCH * tally.total / wall if wall else None,
            "single_thread_throughput_eps": CONCURRENT_BATCH * n_single / single_s}


class _Tally:
    """What the threads of :func:`concurrency` found (updated under a lock)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.errors, self.max_diff, self.identical, self.total = [], 0.0, 0, 0

    def error(self, err):
        with self.lock:
            self.errors.append(f"{type(err).__name__}: {err}")

    def compare(self, out, ref):
        diff, same = 0.0, True
        for key, want in ref.items():
            if want.dtype.kind in "fc":
                diff = max(diff, float(np.max(np.abs(out[key] - want))) if want.size else 0.0)
            same = same and np.array_equal(out[key], want)
            if want.dtype.kind not in "fc" and not np.array_equal(out[key], want):
                diff = float("inf")
        with self.lock:
            self.max_diff = max(self.max_diff, diff)
            self.identical += int(same)
            self.total += 1


def mode_measure(tf, config) -> dict:
    """Load, warm up, then the time grid, the concurrency check and memory readings.

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "batch_sizes", "repeats", "calls_per_repeat", "seq_lens",
            "threads", "concurrency", "concurrent_calls"}`` (``warmup``, ``warmup_calls``
            optional); ``_import_s`` / ``_rss_before_import`` are set by the worker.

    Returns:
        ``{"environment", "signature", "seq_lens", "import_s", "load_s", "warmup",
        "first_call_after_warmup_ms", "first_call_seq_len", "grid", "concurrency",
        "variables", "rss", "gpu_peak_bytes"}``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> measured = mode_measure(tf, {"path": path, "batch_sizes": [1, 2], "repeats": 1,
    ...                              "calls_per_repeat": 2, "seq_lens": [3]})
    >>> [(row["batch"], row["seq_len"]) for row in measured["grid"]]
    [(1, 3), (2, 3)]
    >>> tmp.cleanup()
    """
    path = config["path"]
    env = environment(tf, config.get("threads"))
    after_import = rss_point()
    loaded, signature, load_s = load(tf, path)
    after_load = rss_point()
    specs = signature_specs(signature)
    words = read_metadata(path).get("sample_words")
    seq_lens = grid_seq_lens(specs, config.get("seq_lens"))
    gpu = bool(tf.config.list_physical_devices("GPU"))
    warm = replay_warmup(tf, loaded.signatures, path) if config.get("warmup", True) else None
    after_warmup = rss_point()
    ref_len = reference_seq_len(seq_lens)
    feeds = feeds_for(tf, specs, 1, ref_len, 7, words)
    first_after_warmup = _time_ms(lambda: to_numpy(signature(**feeds)))
    if gpu:
        with contextlib.suppress(Exception):
            tf.config.experimental.reset_memory_stats("GPU:0")
    grid = _time_grid(tf, signature, specs, seq_lens, words, config)
    after_inference = rss_point()
    gpu_peak = None
    if gpu:
        with contextlib.suppress(Exception):
            gpu_peak = tf.config.experimental.get_memory_info("GPU:0")["peak"]
    conc = None
    if config.get("concurrency", 0):
        conc = concurrency(tf, signature, specs, ref_len, words, config["concurrency"],
                           config.get("concurrent_calls", 200))
    return {
        "environment": env, "signature": {"inputs": specs, "outputs": {
            k: {"dtype": v.dtype.name, "shape": v.shape.as_list()}
            for k, v in signature.structured_outputs.items()}},
        "seq_lens": seq_lens, "import_s": config.get("_import_s"), "load_s": load_s,
        "warmup": warm, "first_call_after_warmup_ms": first_after_warmup,
        "first_call_seq_len": ref_len, "grid": grid, "concurrency": conc,
        "variables": variables_summary(loaded, signature),
        "rss": {"before_import": config.get("_rss_before_import"), "after_import": after_import,
                "after_load": after_load, "after_warmup": after_warmup,
                "after_inference": after_inference,
                "after_concurrency": rss_point()},
        "gpu_peak_bytes": gpu_peak,
    }


def _time_grid(tf, signature, specs, seq_lens, words, config) -> list[dict]:
    """One row per (batch size, length): :func:`~seqkit.reporting.timing.time_grid_point`."""
    grid = []
    for batch in config["batch_sizes"]:
        for seq_len in seq_lens:
            feeds = feeds_for(tf, specs, batch, seq_len, batch * 1000 + seq_len, words)
            point = time_grid_point(lambda f=feeds: to_numpy(signature(**f)), batch,
                                    config["repeats"], config.get("calls_per_repeat"),
                                    config.get("warmup_calls", 2))
            grid.append({"batch": batch,
                         "seq_len": signature_lib.effective_seq_len(specs, seq_len), **point})
    return grid


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
    data = signature_lib.synthetic_batch({k: v for k, v in specs.items() if k not in states},
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
            feeds = {k: tf.constant(v) for k, v in signature_lib.synthetic_batch(
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


def mode_tflite_convert(tf, config) -> dict:
    """Convert the signature once per batch size into ``out_dir/model_b<batch>.tflite``.

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "batch_sizes", "out_dir"}``.

    Returns:
        ``{"conversions": [{"batch", "ok", "file", "bytes", "inputs", "outputs",
        "patched_shapes", "convert_s", "source", "path", "reset_variables"} or
        {"batch", "ok": False, "reason"}]}``; ``source`` is ``"export"`` for the
        version's own ``assets.extra/model.tflite`` (batch 1), else ``"converted"``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> result = mode_tflite_convert(tf, {"path": path, "batch_sizes": [1],
    ...                                   "out_dir": f"{tmp.name}/tflite"})
    >>> [(c["batch"], c["ok"], Path(c["file"]).name, c["source"], c["path"])
    ...  for c in result["conversions"]]
    [(1, True, 'model_b1.tflite', 'converted', 'loop')]
    >>> tmp.cleanup()
    """
    loaded, signature, _ = load(tf, config["path"])  # `loaded` owns the variables: keep it
    out_dir = Path(config["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    hint = None
    if signature_lib.is_text(signature_specs(signature)):
        hint = ("string inputs need TensorFlow text ops (Select TF ops / Flex), "
                "which tf.lite.Interpreter in the TensorFlow wheel cannot run")
    exported = _exported(config["path"], signature)
    results = []
    for batch in config["batch_sizes"]:
        if batch == 1 and exported:
            results.append(exported)
            continue
        start = time.perf_counter()
        try:
            flatbuffer, inputs, outputs, patched = convert_signature(tf, signature, batch)
        except Exception as err:  # noqa: BLE001
            reason = short_error(err)
            results.append({"batch": batch, "ok": False,
                            "reason": f"{reason} ({hint})" if hint else reason})
            continue
        file = out_dir / f"model_b{batch}.tflite"
        file.write_bytes(flatbuffer)
        results.append({"batch": batch, "ok": True, "file": str(file), "bytes": len(flatbuffer),
                        "inputs": inputs, "outputs": outputs, "patched_shapes": patched,
                        "convert_s": time.perf_counter() - start, "source": "converted",
                        "path": op_summary(op_names(flatbuffer))["path"],
                        "reset_variables": False})
    return {"conversions": results}


def _exported(version_dir, signature) -> dict | None:
    """The export's batch-1 ``model.tflite`` as a conversion entry, or ``None``."""
    file = litert_path(version_dir)
    entry = (read_metadata(version_dir).get("litert") or {}) if file.is_file() else {}
    if not entry.get("available") or entry.get("batch") != 1:
        return None
    flatbuffer = file.read_bytes()
    return {"batch": 1, "ok": True, "file": str(file), "bytes": len(flatbuffer),
            "inputs": sorted(signature_specs(signature)), "outputs": entry["outputs"],
            "patched_shapes": 0, "convert_s": 0.0, "source": "export",
            "path": op_summary(op_names(flatbuffer))["path"],
            "reset_variables": bool(entry.get("reset_variables"))}


def _input_index(details, names) -> dict:
    by_name = {d["name"]: d for d in details}
    index = {}
    for i, name in enumerate(names):
        detail = by_name.get(name) or by_name.get(f"serving_default_{name}") or details[i]
        index[name] = detail["index"]
    return index


def mode_tflite_measure(tf, config) -> dict:
    """Time the grid with the LiteRT interpreter, then compare with the SavedModel.

    The interpreter is ``ai_edge_litert``'s (:func:`~seqkit.serving.litert.
    interpreter_class`; ``tf.lite.Interpreter`` only without ``ai-edge-litert``). A file
    with the fused LSTM op gets ``reset_all_variables()`` before every call (the op keeps
    its state between calls), inside the timed call: that is its cost per sequence.

    Args:
        tf: the ``tensorflow`` module.
        config: ``{"path", "conversions" (the successful ones), "specs", "seq_lens",
            "repeats", "calls_per_repeat", "threads"}``.

    Returns:
        ``{"grid", "checks", "load_s", "threads", "rss", "interpreter"}``; each grid row
        and check names its ``source`` and ``path`` (fused / loop / mixed); each check is
        ``{"batch", "seq_len", "source", "path", "max_abs_diff", "close", "mismatched"}``.

    Example:

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving import export
    >>> inp = keras.Input((None, 1), name="window")
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = export(keras.Model(inp, keras.layers.GRU(2)(inp)), tmp.name, warmup=False).path
    >>> config = {"path": path, "batch_sizes": [2], "out_dir": f"{tmp.name}/t"}
    >>> conversions = mode_tflite_convert(tf, config)["conversions"]
    >>> specs = {"window": {"dtype": "float32", "shape": [None, None, 1]}}
    >>> result = mode_tflite_measure(tf, {**config, "conversions": conversions,
    ...                                   "specs": specs, "seq_lens": [3], "repeats": 1,
    ...                                   "calls_per_repeat": 2, "threads": 1})
    >>> [(c["batch"], c["seq_len"], c["close"]) for c in result["checks"]]
    [(2, 3, True)]
    >>> tmp.cleanup()
    """
    cls, interpreter_name = interpreter_class()
    words = read_metadata(config["path"]).get("sample_words")
    threads = config.get("threads") or os.cpu_count()
    after_import = rss_point()
    interpreters, loads = {}, {}
    for conv in config["conversions"]:
        start = time.perf_counter()
        interpreter = cls(model_path=conv["file"], num_threads=threads)
        interpreter.allocate_tensors()
        loads[conv["batch"]] = time.perf_counter() - start
        interpreters[conv["batch"]] = (interpreter, conv)
    after_load = rss_point()
    rows, samples = _tflite_grid(interpreters, config, words)
    after_inference = rss_point()
    return {"grid": rows, "checks": _compare_with_saved_model(tf, config["path"], samples),
            "load_s": loads, "threads": threads, "interpreter": interpreter_name,
            "rss": {"after_import": after_import, "after_load": after_load,
                    "after_inference": after_inference}}


def _tflite_grid(interpreters, config, words):
    """The time grid through each interpreter; also the last outputs of each grid point."""
    specs = config["specs"]
    rows, samples = [], {}
    for batch, (interpreter, conv) in interpreters.items():
        label = {"source": conv.get("source", "converted"), "path": conv.get("path")}
        for seq_len in config["seq_lens"]:
            data = signature_lib.synthetic_batch(specs, batch, seq_len, seed=batch * 1000 + seq_len,
                                              words=words)
            call = _invoker(interpreter, conv, data)
            point = time_grid_point(call, batch, config["repeats"],
                                    config.get("calls_per_repeat"),
                                    config.get("warmup_calls", 2))
            rows.append({"batch": batch, "seq_len": seq_len, **label, **point})
            samples[(batch, seq_len)] = (data, call(), label)
    return rows, samples


def _invoker(interpreter, conv, data):
    """A no-argument call running ``data`` once: ``{output key: array}``."""
    if conv.get("source") == "export":  # the export's file has a serving_default signature
        runner = interpreter.get_signature_runner("serving_default")
        runner(**data)  # resizes and allocates for this shape

        def call():
            if conv.get("reset_variables"):
                interpreter.reset_all_variables()
            return runner(**data)
        return call
    index = _input_index(interpreter.get_input_details(), conv["inputs"])
    for name, value in data.items():
        interpreter.resize_tensor_input(index[name], list(value.shape))
    interpreter.allocate_tensors()
    outs = interpreter.get_output_details()

    def call():
        for name, value in data.items():
            interpreter.set_tensor(index[name], value)
        interpreter.invoke()
        return dict(zip(conv["outputs"], [interpreter.get_tensor(d["index"]) for d in outs],
                        strict=True))
    return call


def _compare_with_saved_model(tf, path, samples) -> list[dict]:
    loaded, signature, _ = load(tf, path)  # `loaded` owns the variables: keep it
    checks = []
    for (batch, seq_len), (data, got, label) in samples.items():
        want = to_numpy(signature(**{k: tf.constant(v) for k, v in data.items()}))
        check = compare_outputs(want, got, "litert_report")
        checks.append({"batch": batch, "seq_len": seq_len, **label,
                       "max_abs_diff": check.max_abs_diff, "close": not check.far,
                       "mismatched": check.mismatched})
    return checks
