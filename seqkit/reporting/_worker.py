"""Measurement worker: ``python -m seqkit.reporting._worker CONFIG.json``.

Runs in a fresh process, loads the SavedModel with TensorFlow only (no Keras, no seqkit
model code: only seqkit's NumPy input generator and proto readers are imported), measures,
and prints one line ``SEQKIT_REPORT_JSON {...}`` on stdout. On failure it prints
``SEQKIT_REPORT_JSON {"error": ..., "stage": ...}`` and exits with status 1.

Modes (``config["mode"]``):

- ``cold``: load, then the first and second call on one batch (nothing warmed up).
- ``measure``: load, replay the warmup records, first call after warmup, the latency grid
  (batch sizes × sequence lengths; percentiles per repeat, medians over repeats), N threads
  sharing one signature, parameters by dtype, peak RSS at each stage, GPU peak memory.
- ``tflite_convert``: freeze the signature, fix the batch size, convert with TFLite
  builtins only (one ``.tflite`` per batch size; see ``convert_tflite``).
- ``tflite_measure``: the same grid with ``tf.lite.Interpreter`` (XNNPACK by default),
  then equality against the SavedModel on the same inputs.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import importlib.metadata  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

MARKER = "SEQKIT_REPORT_JSON "
METADATA = ("assets.extra", "seqkit_export.json")
_STAGE = {"name": "start"}


# ------------------------------------------------------------------------------ memory


def peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def current_rss() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def rss_point() -> dict:
    return {"peak_bytes": peak_rss(), "current_bytes": current_rss()}


# ------------------------------------------------------------------------- environment


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(tf, threads) -> dict:
    try:
        keras_version = importlib.metadata.version("keras")
    except importlib.metadata.PackageNotFoundError:
        keras_version = None
    gpus = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(gpu)
        except Exception:  # noqa: BLE001
            details = {}
        gpus.append(details.get("device_name", gpu.name))
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras_version,
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": affinity,
        "threads_requested": threads,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "gpus": gpus,
        # TensorFlow's own import loads Keras when it is installed; the worker never
        # calls it (the SavedModel runs without Keras, see tests/serving/test_standalone).
        "keras_in_process": any(m.split(".")[0] == "keras" for m in sys.modules),
    }


# ------------------------------------------------------------------------------ inputs


def signature_specs(signature) -> dict:
    specs = {}
    for name, spec in signature.structured_input_signature[1].items():
        specs[name] = {"dtype": "string" if spec.dtype.name == "string" else spec.dtype.name,
                       "shape": spec.shape.as_list()}
    return specs


def metadata(path) -> dict:
    file = Path(path).joinpath(*METADATA)
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError):
        return {}


def grid_seq_lens(specs, requested) -> list[int]:
    """The lengths to measure: requested ones (or defaults), mapped to what the model
    really gets (a fixed time axis wins), without duplicates."""
    from seqkit.serving import inputs as inputs_lib

    lens = requested or default_seq_lens(specs)
    return sorted({inputs_lib.effective_seq_len(specs, int(t)) for t in lens})


def default_seq_lens(specs) -> list[int]:
    from seqkit.serving import inputs as inputs_lib

    fixed = [inputs_lib.fixed_time(s) for s in specs.values()]
    fixed = [t for t in fixed if t is not None]
    if fixed:
        return [fixed[0]]
    if inputs_lib.is_text(specs):
        return [8, 32, 128]
    return [16, 64, 256]


def batch_for(specs, batch, seq_len, seed, words):
    from seqkit.serving import inputs as inputs_lib

    return inputs_lib.synthetic_batch(specs, batch, seq_len, seed=seed, words=words)


def to_numpy(outputs) -> dict:
    return {k: v.numpy() for k, v in outputs.items()}


# ------------------------------------------------------------------------------ timing


def stats(latencies_s, batch) -> dict:
    ms = np.asarray(latencies_s) * 1000.0
    return {"p50_ms": float(np.percentile(ms, 50)), "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()),
            "mean_ms": float(ms.mean()),
            "throughput_eps": float(batch * len(ms) / (ms.sum() / 1000.0))}


def median_stats(per_repeat: list[dict]) -> dict:
    """Median over repeats of each statistic (order is kept: p50 ≤ p90 ≤ p99 ≤ max)."""
    return {key: float(np.median([r[key] for r in per_repeat])) for key in per_repeat[0]}


def time_cell(call, batch, repeats, calls, warmup_calls, target_s=0.25) -> dict:
    for _ in range(warmup_calls):
        call()
    if not calls:
        start = time.perf_counter()
        call()
        one = max(time.perf_counter() - start, 1e-6)
        calls = int(min(200, max(10, target_s / one)))
    per_repeat = []
    for _ in range(repeats):
        lat = []
        for _ in range(calls):
            start = time.perf_counter()
            call()
            lat.append(time.perf_counter() - start)
        per_repeat.append(stats(lat, batch))
    return {**median_stats(per_repeat), "calls_per_repeat": calls, "repeats": repeats}


# ------------------------------------------------------------------------------- modes


def load(tf, path):
    _STAGE["name"] = "load"
    start = time.perf_counter()
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures["serving_default"]
    load_s = time.perf_counter() - start
    _STAGE["name"] = "run"
    return loaded, signature, load_s


def ref_seq_len(seq_lens):
    return seq_lens[len(seq_lens) // 2]


def mode_cold(tf, config) -> dict:
    after_import = rss_point()
    _, signature, load_s = load(tf, config["path"])
    after_load = rss_point()
    specs = signature_specs(signature)
    seq_lens = grid_seq_lens(specs, config.get("seq_lens"))
    feeds = {k: tf.constant(v) for k, v in batch_for(
        specs, 1, ref_seq_len(seq_lens), 0, metadata(config["path"]).get("sample_words")).items()}
    times = []
    for _ in range(2):
        start = time.perf_counter()
        to_numpy(signature(**feeds))
        times.append((time.perf_counter() - start) * 1000.0)
    return {"load_s": load_s, "first_call_ms": times[0], "second_call_ms": times[1],
            "seq_len": ref_seq_len(seq_lens),
            "rss": {"after_import": after_import, "after_load": after_load,
                    "after_first_calls": rss_point()}}


def variables_summary(loaded, signature) -> dict:
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


def replay_warmup(tf, signature, path) -> dict | None:
    from seqkit.serving import warmup

    file = warmup.warmup_path(path)
    if not file.is_file():
        return None
    requests = warmup.read_warmup_requests(file)
    times = []
    for request in requests:
        feeds = {k: tf.constant(v) for k, v in warmup.request_arrays(request).items()}
        start = time.perf_counter()
        to_numpy(signature(**feeds))
        times.append((time.perf_counter() - start) * 1000.0)
    return {"records": len(times), "total_ms": float(sum(times)),
            "first_record_ms": times[0] if times else None}


def concurrency(tf, signature, specs, seq_len, words, threads, calls) -> dict:
    inputs = [{k: tf.constant(v) for k, v in batch_for(specs, 8, seq_len, 1000 + i, words).items()}
              for i in range(4)]
    refs = [to_numpy(signature(**x)) for x in inputs]
    n_single = max(4, calls // 4)
    start = time.perf_counter()
    for i in range(n_single):
        to_numpy(signature(**inputs[i % 4]))
    single_s = time.perf_counter() - start
    barrier = threading.Barrier(threads)
    errors, max_diff, identical, total = [], [0.0], [0], [0]
    lock = threading.Lock()

    def worker(tid):
        barrier.wait()
        for i in range(calls):
            k = (tid + i) % 4
            try:
                out = to_numpy(signature(**inputs[k]))
            except Exception as err:  # noqa: BLE001
                with lock:
                    errors.append(f"{type(err).__name__}: {err}")
                continue
            diff, same = 0.0, True
            for key, ref in refs[k].items():
                if ref.dtype.kind in "fc":
                    diff = max(diff, float(np.max(np.abs(out[key] - ref))) if ref.size else 0.0)
                same = same and np.array_equal(out[key], ref)
                if ref.dtype.kind not in "fc" and not np.array_equal(out[key], ref):
                    diff = float("inf")
            with lock:
                max_diff[0] = max(max_diff[0], diff)
                identical[0] += int(same)
                total[0] += 1

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    return {"threads": threads, "calls_per_thread": calls, "batch": 8, "seq_len": seq_len,
            "calls": total[0], "errors": len(errors), "error_samples": errors[:3],
            "identical_outputs": identical[0], "max_abs_diff": max_diff[0],
            "all_equal": not errors and max_diff[0] <= 1e-6 and total[0] == threads * calls,
            "wall_s": wall, "throughput_eps": 8 * total[0] / wall if wall else None,
            "single_thread_throughput_eps": 8 * n_single / single_s}


def mode_measure(tf, config) -> dict:
    path = config["path"]
    env = environment(tf, config.get("threads"))
    after_import = rss_point()
    loaded, signature, load_s = load(tf, path)
    after_load = rss_point()
    specs = signature_specs(signature)
    words = metadata(path).get("sample_words")
    seq_lens = grid_seq_lens(specs, config.get("seq_lens"))
    from seqkit.serving import inputs as inputs_lib

    gpu = bool(tf.config.list_physical_devices("GPU"))
    warm = replay_warmup(tf, signature, path) if config.get("warmup", True) else None
    after_warmup = rss_point()
    ref_len = ref_seq_len(seq_lens)
    feeds = {k: tf.constant(v) for k, v in batch_for(specs, 1, ref_len, 7, words).items()}
    start = time.perf_counter()
    to_numpy(signature(**feeds))
    first_after_warmup = (time.perf_counter() - start) * 1000.0

    if gpu:
        with _suppress():
            tf.config.experimental.reset_memory_stats("GPU:0")
    grid = []
    for batch in config["batch_sizes"]:
        for seq_len in seq_lens:
            data = batch_for(specs, batch, seq_len, batch * 1000 + seq_len, words)
            cell_feeds = {k: tf.constant(v) for k, v in data.items()}
            cell = time_cell(lambda f=cell_feeds: to_numpy(signature(**f)), batch,
                             config["repeats"], config.get("calls_per_repeat"),
                             config.get("warmup_calls", 2))
            grid.append({"batch": batch, "seq_len": inputs_lib.effective_seq_len(
                specs, seq_len), **cell})
    after_inference = rss_point()
    gpu_peak = None
    if gpu:
        with _suppress():
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


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


# ------------------------------------------------------------------------------ TFLite


def _fix_batch(graph_def, input_names, batch):
    """Copy of a frozen GraphDef with the batch axis fixed to ``batch``.

    TFLite's builtin ``WHILE`` lowering of TensorList ops needs static element shapes;
    Keras' RNN loop creates its TensorLists with element shape ``[-1, units]`` (dynamic
    batch). Inputs get ``[batch, ...]`` and every TensorList ``element_shape`` constant
    whose first entry is -1 gets ``batch`` (Keras lists hold ``[batch, ...]`` elements).
    """
    import tensorflow as tf

    fixed = tf.compat.v1.GraphDef()
    fixed.CopyFrom(graph_def)
    wanted = {n.split(":")[0] for n in input_names}
    patched = 0
    for nodes in [fixed.node] + [f.node_def for f in fixed.library.function]:
        by_name = {n.name: n for n in nodes}
        for node in nodes:
            if node.op == "Placeholder" and node.name in wanted:
                dims = node.attr["shape"].shape.dim
                if dims and dims[0].size == -1:
                    dims[0].size = batch
            if node.op.startswith("TensorList") or node.op == "EmptyTensorList":
                for inp in node.input:
                    src = by_name.get(inp.split(":")[0].lstrip("^"))
                    if src is None or src.op != "Const" or not src.name.endswith("element_shape"):
                        continue
                    value = tf.make_ndarray(src.attr["value"].tensor)
                    if value.ndim == 1 and value.size and value[0] == -1:
                        value = value.copy()
                        value[0] = batch
                        src.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
                        patched += 1
    return fixed, patched


def convert_tflite(tf, signature, batch):
    """SavedModel signature → TFLite flatbuffer (builtins only) for one batch size.

    What works for Keras 3 LSTM/GRU graphs in TF 2.21: ``from_saved_model`` with builtins
    fails (TensorList ops need static element shapes); ``SELECT_TF_OPS`` converts but the
    ``tf.lite.Interpreter`` in the TensorFlow wheel has no Flex delegate to run it. So:
    freeze the signature (variables → constants, also inside the ``While`` body), fix the
    batch axis (:func:`_fix_batch`; the time axis stays dynamic), convert that function
    with ``TFLITE_BUILTINS`` (the loop becomes a TFLite ``WHILE``).
    """
    from tensorflow.python.eager import wrap_function
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    frozen = convert_variables_to_constants_v2(signature)
    graph_def = frozen.graph.as_graph_def()
    input_names = [t.name for t in frozen.inputs]
    output_tensors = [t.name for t in frozen.outputs]
    # the frozen function returns the signature's dict flattened: keys in sorted order
    output_keys = sorted(signature.structured_outputs)
    for key, tensor in zip(output_keys, frozen.outputs, strict=True):
        if tensor.dtype != signature.structured_outputs[key].dtype:
            raise RuntimeError(f"cannot match frozen output {tensor.name} to {key!r}")
    fixed, patched = _fix_batch(graph_def, input_names, batch)
    function = wrap_function.function_from_graph_def(fixed, input_names, output_tensors)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    flatbuffer = converter.convert()
    return flatbuffer, [n.split(":")[0] for n in input_names], output_keys, patched


def _short_error(err) -> str:
    text = str(err)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if ("error:" in line or "Ops that" in line or line.startswith("tf.")) and \
                line not in lines:
            lines.append(line.split("error: ", 1)[-1][:300])
    summary = " | ".join(lines[:4]) if lines else text[:600]
    return f"{type(err).__name__}: {summary}"


def mode_tflite_convert(tf, config) -> dict:
    loaded, signature, _ = load(tf, config["path"])  # `loaded` owns the variables: keep it
    out_dir = Path(config["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    specs = signature_specs(signature)
    for batch in config["batch_sizes"]:
        start = time.perf_counter()
        try:
            if any(s["dtype"] == "string" for s in specs.values()):
                hint = ("string inputs need TensorFlow text ops (Select TF ops / Flex), "
                        "which tf.lite.Interpreter in the TensorFlow wheel cannot run")
            else:
                hint = None
            flatbuffer, inputs, outputs, patched = convert_tflite(tf, signature, batch)
        except Exception as err:  # noqa: BLE001
            reason = _short_error(err)
            results.append({"batch": batch, "ok": False,
                             "reason": f"{reason} ({hint})" if hint else reason})
            continue
        file = out_dir / f"model_b{batch}.tflite"
        file.write_bytes(flatbuffer)
        results.append({"batch": batch, "ok": True, "file": str(file), "bytes": len(flatbuffer),
                        "inputs": inputs, "outputs": outputs, "patched_shapes": patched,
                        "convert_s": time.perf_counter() - start})
    return {"conversions": results}


def _input_index(details, names) -> dict:
    by_name = {d["name"]: d for d in details}
    index = {}
    for i, name in enumerate(names):
        detail = by_name.get(name) or by_name.get(f"serving_default_{name}") or details[i]
        index[name] = detail["index"]
    return index


def mode_tflite_measure(tf, config) -> dict:
    warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
    path = config["path"]
    words = metadata(path).get("sample_words")
    threads = config.get("threads") or os.cpu_count()
    rows, checks, loads = [], [], {}
    interpreters = {}
    after_import = rss_point()
    for conv in config["conversions"]:
        start = time.perf_counter()
        interpreter = tf.lite.Interpreter(model_path=conv["file"], num_threads=threads)
        interpreter.allocate_tensors()
        loads[conv["batch"]] = time.perf_counter() - start
        interpreters[conv["batch"]] = (interpreter, conv)
    after_load = rss_point()
    specs = config["specs"]
    samples = {}
    for batch, (interpreter, conv) in interpreters.items():
        index = _input_index(interpreter.get_input_details(), conv["inputs"])
        out_details = interpreter.get_output_details()
        for seq_len in config["seq_lens"]:
            data = batch_for(specs, batch, seq_len, batch * 1000 + seq_len, words)
            for name, value in data.items():
                interpreter.resize_tensor_input(index[name], list(value.shape))
            interpreter.allocate_tensors()

            def call(interp=interpreter, data=data, index=index, outs=out_details):
                for name, value in data.items():
                    interp.set_tensor(index[name], value)
                interp.invoke()
                return [interp.get_tensor(d["index"]) for d in outs]

            cell = time_cell(call, batch, config["repeats"], config.get("calls_per_repeat"),
                             config.get("warmup_calls", 2))
            rows.append({"batch": batch, "seq_len": seq_len, **cell})
            samples[(batch, seq_len)] = (data, dict(zip(conv["outputs"], call(), strict=True)))
    after_inference = rss_point()
    loaded, signature, _ = load(tf, path)
    for (batch, seq_len), (data, got) in samples.items():
        want = to_numpy(signature(**{k: tf.constant(v) for k, v in data.items()}))
        diff, mismatched, close = 0.0, 0, True
        for key, ref in want.items():
            value = got.get(key)
            if value is None or value.shape != ref.shape:
                mismatched += 1
                continue
            if ref.dtype.kind in "fc":
                diff = max(diff, float(np.max(np.abs(value - ref))) if ref.size else 0.0)
                close = close and bool(np.allclose(value, ref, rtol=1e-5, atol=1e-5))
            elif not np.array_equal(value, ref):
                mismatched += int(np.sum(value != ref))
        checks.append({"batch": batch, "seq_len": seq_len, "max_abs_diff": diff,
                       "close": close, "mismatched": mismatched})
    return {"grid": rows, "checks": checks, "load_s": loads, "threads": threads,
            "rss": {"after_import": after_import, "after_load": after_load,
                    "after_inference": after_inference}}


MODES = {"cold": mode_cold, "measure": mode_measure, "tflite_convert": mode_tflite_convert,
         "tflite_measure": mode_tflite_measure}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(argv[0]).read_text())
    try:
        threads = config.get("threads")
        rss_before = rss_point()
        start = time.perf_counter()
        _STAGE["name"] = "import"
        import tensorflow as tf

        config["_import_s"] = time.perf_counter() - start
        config["_rss_before_import"] = rss_before
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(int(threads))
        _STAGE["name"] = "run"
        result = MODES[config["mode"]](tf, config)
        result["worker_s"] = time.perf_counter() - _T0
        print(MARKER + json.dumps(result), flush=True)
        return 0
    except Exception as err:  # noqa: BLE001
        print(MARKER + json.dumps({"error": f"{type(err).__name__}: {err}",
                                   "stage": _STAGE["name"],
                                   "traceback": traceback.format_exc()[-4000:]}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
