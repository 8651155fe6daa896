"""TF Serving's batching parameters, chosen from the report's measured latency grid.

``tensorflow_model_server --enable_batching --batching_parameters_file=FILE`` reads a text
``tensorflow.serving.BatchingParameters`` (``session_bundle_config.proto``; the batching
guide, https://github.com/tensorflow/serving/blob/master/tensorflow_serving/batching/README.md).
:func:`choose_batching` picks, for a p99 budget B (ms), from the grid batch × length:

- per measured batch size b, its p99 = the worst measured p99 over the lengths (a request
  may come at any of them);
- ``max_batch_size`` M = the largest measured b with p99(b) < B (a batch waits at most the
  timeout, then runs: its latency ≤ timeout + p99(M));
- ``batch_timeout_micros`` = half the remaining budget (B − p99(M)) / 2; the other half is
  left for queueing behind a running batch and measurement noise;
- ``allowed_batch_sizes`` = the measured sizes ≤ M whose p99 + timeout ≤ B (a batch is
  padded up to the next allowed size; the proto requires the last entry to equal M);
- ``num_batch_threads`` = the cores the measuring process had (the guide: CPU-only
  serving, one batch thread per core); ``max_enqueued_batches`` = ``num_batch_threads``:
  at most one batch waits per thread, further requests are refused (UNAVAILABLE) instead
  of queueing past the budget.

Length buckets: when the model's time axis is dynamic, requests of different lengths do
not batch together (TF Serving batches equal shapes unless ``pad_variable_length_inputs``,
which pads with zeros — wrong for an RNN without masking), so the measured lengths are
proposed as buckets, and each needs a warmup record (:func:`warmup_lengths` says which the
export already has; ``buckets["export_argument"]`` is the ``export(warmup_seq_lens=...)``
that writes them, :func:`seqkit.serving.warmup.bucket_seq_lens` reads it from a report).
NumPy-free and TensorFlow-free except :func:`warmup_lengths`.

This module is seqkit's one writer of the file: :func:`write_batching_parameters` writes
parameters chosen by hand (also ``seqkit.serving.write_batching_parameters``),
:func:`write_batching` those chosen from a report; both go through :func:`batching_text`
and are checked by parsing with the ``BatchingParameters`` message (:func:`parse_batching`)
before they are written. With variable-length sequence inputs, requests batched together
must have the same ``T`` unless ``pad_variable_length_inputs`` is true; padding adds steps at
the end, which changes the result of a model without masking.
"""

from __future__ import annotations

import math
from pathlib import Path

from seqkit.errors import ConfigError
from seqkit.fileio import write_text_atomic
from seqkit.validation import check_bool, check_int, check_number

BATCHING_FILE = "batching_parameters.txt"
GUIDE = "https://github.com/tensorflow/serving/blob/master/tensorflow_serving/batching/README.md"


def per_batch_p99(grid) -> dict[int, dict]:
    """The worst p99 of each measured batch size over the lengths.

    Args:
        grid: the report's latency grid rows (``batch``, ``seq_len``, ``p99_ms``).

    Returns:
        ``{batch: {"p99_ms", "seq_len"}}`` (the length where the worst p99 was measured).

    Example:

    >>> per_batch_p99([{"batch": 1, "seq_len": 8, "p99_ms": 2.0},
    ...                {"batch": 1, "seq_len": 32, "p99_ms": 5.0}])
    {1: {'p99_ms': 5.0, 'seq_len': 32}}
    """
    worst = {}
    for row in grid:
        b = row["batch"]
        if b not in worst or row["p99_ms"] > worst[b]["p99_ms"]:
            worst[b] = {"p99_ms": float(row["p99_ms"]), "seq_len": row["seq_len"]}
    return dict(sorted(worst.items()))


def choose_batching(grid, p99_ms, *, cores, dynamic_length=False, warmup=None) -> dict:
    """Choose TF Serving's batching parameters so that the p99 budget holds.

    Args:
        grid: the latency grid rows (``batch``, ``seq_len``, ``p99_ms``).
        p99_ms: the p99 latency budget, ms.
        cores: ``num_batch_threads`` (the measuring process's cores).
        dynamic_length: the model's time axis is dynamic (propose length buckets).
        warmup: ``{signature: [lengths in the warmup records]}`` (:func:`warmup_lengths`),
            or ``None``.

    Returns:
        ``{"feasible", "p99_budget_ms", "per_batch", "parameters", "excluded",
        "reasoning", "buckets", "notice"}``; ``parameters`` is ``None`` and ``notice``
        names the fastest measured p99 when no measured batch meets the budget.

    Raises:
        ConfigError: a budget that is not a positive number, or an empty grid.

    Example:

    >>> grid = [{"batch": b, "seq_len": 16, "p99_ms": p} for b, p in ((1, 2.0), (8, 4.0),
    ...                                                                (64, 30.0))]
    >>> choose_batching(grid, 10, cores=2)["parameters"]
    {'max_batch_size': 8, 'batch_timeout_micros': 3000, 'allowed_batch_sizes': [1, 8],
     'num_batch_threads': 2, 'max_enqueued_batches': 2}
    >>> choose_batching(grid, 1, cores=2)["notice"]
    'no measured batch size meets a p99 of 1 ms: the fastest measured p99 is 2 ms (batch 1)'
    """
    budget = check_number("p99_ms", p99_ms, positive=True)
    cores = check_int("cores", cores)
    per = per_batch_p99(grid)
    if not per:
        raise ConfigError("choose_batching needs a non-empty latency grid")
    result = {"feasible": False, "p99_budget_ms": budget, "per_batch": per,
              "parameters": None, "excluded": [], "reasoning": [], "notice": None,
              "buckets": _buckets(grid, warmup) if dynamic_length else None}
    fits = [b for b, cell in per.items() if cell["p99_ms"] < budget]
    if not fits:
        fastest = min(per, key=lambda b: per[b]["p99_ms"])
        result["notice"] = (f"no measured batch size meets a p99 of {budget:g} ms: the fastest "
                            f"measured p99 is {per[fastest]['p99_ms']:.3g} ms (batch {fastest})")
        result["excluded"] = [{"batch": b, **c, "reason": "p99 over the budget"}
                              for b, c in per.items()]
        return result
    top = max(fits)
    timeout_ms = (budget - per[top]["p99_ms"]) / 2
    timeout_us = int(math.floor(timeout_ms * 1000))
    allowed, excluded = [], []
    for b, cell in per.items():
        if b > top:
            excluded.append({"batch": b, **cell, "reason": f"p99 {cell['p99_ms']:.3g} ms ≥ "
                             f"the {budget:g} ms budget"})
        elif b < top and cell["p99_ms"] + timeout_us / 1000 > budget:
            excluded.append({"batch": b, **cell, "reason": "p99 + timeout over the budget "
                             f"(measured slower than batch {top}: noise)"})
        else:
            allowed.append(b)
    result.update(feasible=True, excluded=excluded, parameters={
        "max_batch_size": top, "batch_timeout_micros": timeout_us,
        "allowed_batch_sizes": allowed, "num_batch_threads": cores,
        "max_enqueued_batches": cores})
    result["reasoning"] = [
        f"max_batch_size {top}: the largest measured batch whose p99 "
        f"({per[top]['p99_ms']:.3g} ms, worst at length {per[top]['seq_len']}) is below the "
        f"{budget:g} ms budget",
        f"batch_timeout_micros {timeout_us}: half the remaining budget "
        f"(({budget:g} − {per[top]['p99_ms']:.3g}) / 2 ms); the other half is margin for "
        f"queueing and noise, so p99 + timeout = {per[top]['p99_ms'] + timeout_us / 1000:.3g}"
        f" ms ≤ {budget:g} ms",
        f"allowed_batch_sizes {allowed}: the measured sizes up to {top} (a batch is padded "
        f"to the next allowed size)",
        f"num_batch_threads {cores}: the cores of the measuring process (one batch thread "
        f"per core for CPU serving, {GUIDE})",
        f"max_enqueued_batches {cores}: one waiting batch per thread; more requests are "
        f"refused (UNAVAILABLE) rather than queued past the budget"]
    return result


def _buckets(grid, warmup) -> dict:
    lengths = sorted({r["seq_len"] for r in grid})
    have = sorted(set((warmup or {}).get("serving_default", [])))
    missing = [t for t in lengths if t not in have]
    return {"lengths": lengths, "warmup_lengths": have, "missing_warmup": missing,
            "note": "requests batch only with equal lengths: send lengths at these buckets "
                    "(right-padded only if the model masks padding); one warmup record per "
                    "bucket makes every bucket's first batch fast",
            # seqkit.serving.warmup.bucket_seq_lens(entry) reads it back from report.json
            "export_argument": f"warmup_seq_lens={lengths}"}


def batching_text(parameters) -> str:
    """The text-format ``BatchingParameters`` of chosen parameters.

    Args:
        parameters: ``choose_batching(...)["parameters"]``, or any dict with the four
            wrapped fields, ``allowed_batch_sizes`` (may be empty) and optionally
            ``pad_variable_length_inputs`` (written when given).

    Returns:
        The file's text (wrapper fields as ``name { value: N }``).

    Example:

    >>> print(batching_text({"max_batch_size": 8, "batch_timeout_micros": 3000,
    ...                      "allowed_batch_sizes": [1, 8], "num_batch_threads": 2,
    ...                      "max_enqueued_batches": 2}))
    max_batch_size { value: 8 }
    batch_timeout_micros { value: 3000 }
    max_enqueued_batches { value: 2 }
    num_batch_threads { value: 2 }
    allowed_batch_sizes: 1
    allowed_batch_sizes: 8
    <BLANKLINE>
    """
    lines = [f"{name} {{ value: {int(parameters[name])} }}" for name in (
        "max_batch_size", "batch_timeout_micros", "max_enqueued_batches", "num_batch_threads")]
    lines += [f"allowed_batch_sizes: {int(b)}" for b in parameters["allowed_batch_sizes"]]
    if "pad_variable_length_inputs" in parameters:
        lines.append("pad_variable_length_inputs: "
                     + str(bool(parameters["pad_variable_length_inputs"])).lower())
    return "\n".join(lines) + "\n"


def write_batching_parameters(path, *, max_batch_size=32, batch_timeout_micros=1000,
                              max_enqueued_batches=100, num_batch_threads=None,
                              allowed_batch_sizes=None, pad_variable_length_inputs=False) -> Path:
    """Write a ``--batching_parameters_file`` from parameters chosen by hand.

    The text (:func:`batching_text`) is parsed as ``BatchingParameters``
    (:func:`parse_batching`) before it is written, atomically.

    Args:
        path: the file to write.
        max_batch_size: the largest batch the server forms.
        batch_timeout_micros: how long a batch waits for more requests (0 or more).
        max_enqueued_batches: the queue length.
        num_batch_threads: threads running batches; default ``os.cpu_count()``.
        allowed_batch_sizes: increasing batch sizes the server pads to, ending with
            ``max_batch_size``; default: any size.
        pad_variable_length_inputs: pad requests of different lengths to batch them
            (changes the result of models without masking).

    Returns:
        The path written.

    Raises:
        ConfigError: a value out of range (nothing is written then).

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_batching_parameters(Path(tmp.name) / "batching.txt", max_batch_size=16,
    ...                                  num_batch_threads=2, allowed_batch_sizes=[4, 16])
    >>> print(path.read_text(), end="")
    max_batch_size { value: 16 }
    batch_timeout_micros { value: 1000 }
    max_enqueued_batches { value: 100 }
    num_batch_threads { value: 2 }
    allowed_batch_sizes: 4
    allowed_batch_sizes: 16
    pad_variable_length_inputs: false
    >>> read_batching_parameters(path)["allowed_batch_sizes"]
    [4, 16]
    >>> tmp.cleanup()
    """
    import os

    values = {"max_batch_size": max_batch_size, "batch_timeout_micros": batch_timeout_micros,
              "max_enqueued_batches": max_enqueued_batches,
              "num_batch_threads": num_batch_threads or os.cpu_count() or 1}
    for key, value in values.items():
        check_int(key, value, minimum=0 if key == "batch_timeout_micros" else 1)
    sizes = list(allowed_batch_sizes or [])
    if sizes and (any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes)
                  or sizes != sorted(set(sizes)) or sizes[-1] != max_batch_size):
        raise ConfigError(f"allowed_batch_sizes must be increasing positive integers ending "
                          f"with max_batch_size={max_batch_size}, got {sizes}")
    check_bool("pad_variable_length_inputs", pad_variable_length_inputs)
    text = batching_text({**values, "allowed_batch_sizes": sizes,
                          "pad_variable_length_inputs": pad_variable_length_inputs})
    parse_batching(text)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(path, text)


def read_batching_parameters(text_or_path) -> dict:
    """A batching parameters file (or its text) as a dict, parsed as ``BatchingParameters``.

    Args:
        text_or_path: the text (it holds ``{`` or ``:``), or the file's path.

    Returns:
        ``{parameter: value}`` for the parameters set (``allowed_batch_sizes`` as a list,
        ``pad_variable_length_inputs`` only when true).

    Raises:
        ConfigError: the text does not parse (:func:`parse_batching`).

    Example:

    >>> read_batching_parameters("max_batch_size { value: 8 }\\nallowed_batch_sizes: 8\\n")
    {'max_batch_size': 8, 'allowed_batch_sizes': [8]}
    """
    text = text_or_path
    if isinstance(text, Path) or ("{" not in text and ":" not in text):
        text = Path(text_or_path).read_text()
    message = parse_batching(text)
    out = {name: getattr(message, name).value for name in (
        "max_batch_size", "batch_timeout_micros", "max_enqueued_batches", "num_batch_threads")
        if message.HasField(name)}
    if message.allowed_batch_sizes:
        out["allowed_batch_sizes"] = list(message.allowed_batch_sizes)
    if message.pad_variable_length_inputs:
        out["pad_variable_length_inputs"] = True
    return out


def batching_parameters_class():
    """TF Serving's ``BatchingParameters`` message class, and where it came from.

    ``tensorflow_serving.servables.tensorflow.session_bundle_config_pb2`` when importable
    (it is not in the ``tensorflow-serving-api`` wheel); else the message built from the
    upstream ``session_bundle_config.proto`` definition (same package, names, numbers and
    types), so ``text_format.Parse`` checks the file the way the server does.

    Returns:
        ``(message class, "tensorflow_serving" | "session_bundle_config.proto copy")``.

    Example:

    >>> cls, source = batching_parameters_class()
    >>> cls.DESCRIPTOR.full_name
    'tensorflow.serving.BatchingParameters'
    """
    try:
        from tensorflow_serving.servables.tensorflow import session_bundle_config_pb2 as pb
        return pb.BatchingParameters, "tensorflow_serving"
    except ImportError:
        return _local_class(), "session_bundle_config.proto copy"


_LOCAL = {}


def _local_class():
    if "cls" in _LOCAL:
        return _LOCAL["cls"]
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, wrappers_pb2

    pool = descriptor_pool.DescriptorPool()
    wrappers = descriptor_pb2.FileDescriptorProto()
    wrappers_pb2.DESCRIPTOR.CopyToProto(wrappers)
    pool.Add(wrappers)
    proto = descriptor_pb2.FileDescriptorProto(
        name="tensorflow_serving/servables/tensorflow/seqkit_batching.proto",
        package="tensorflow.serving", syntax="proto3",
        dependency=["google/protobuf/wrappers.proto"])
    msg = proto.message_type.add(name="BatchingParameters")
    field = descriptor_pb2.FieldDescriptorProto
    for name, number, kind in (("max_batch_size", 1, "Int64Value"),
                               ("batch_timeout_micros", 2, "Int64Value"),
                               ("max_enqueued_batches", 3, "Int64Value"),
                               ("num_batch_threads", 4, "Int64Value"),
                               ("thread_pool_name", 5, "StringValue")):
        msg.field.add(name=name, number=number, type=field.TYPE_MESSAGE,
                      type_name=f".google.protobuf.{kind}", label=field.LABEL_OPTIONAL)
    msg.field.add(name="allowed_batch_sizes", number=6, type=field.TYPE_INT64,
                  label=field.LABEL_REPEATED)
    msg.field.add(name="pad_variable_length_inputs", number=7, type=field.TYPE_BOOL,
                  label=field.LABEL_OPTIONAL)
    pool.Add(proto)
    _LOCAL["cls"] = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("tensorflow.serving.BatchingParameters"))
    return _LOCAL["cls"]


def parse_batching(text):
    """Parse a batching parameters file's text as ``BatchingParameters``.

    Args:
        text: the file's text.

    Returns:
        The message (:func:`batching_parameters_class`).

    Raises:
        ConfigError: the text does not parse, or breaks the proto's documented rules
            (``allowed_batch_sizes`` increasing, the last one = ``max_batch_size``).

    Example:

    >>> parse_batching("max_batch_size { value: 8 }\\nallowed_batch_sizes: 8").max_batch_size.value
    8
    >>> parse_batching("max_batch_size: 8")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: not a BatchingParameters text: ...
    """
    from google.protobuf import text_format

    cls, _ = batching_parameters_class()
    try:
        message = text_format.Parse(text, cls())
    except text_format.ParseError as err:
        raise ConfigError(f"not a BatchingParameters text: {err}") from err
    sizes = list(message.allowed_batch_sizes)
    if sizes and (sizes != sorted(set(sizes)) or sizes[-1] != message.max_batch_size.value):
        raise ConfigError(f"allowed_batch_sizes must increase and end at max_batch_size "
                          f"{message.max_batch_size.value}, got {sizes}")
    return message


def write_batching(model, p99_ms, out_dir, file_name=BATCHING_FILE) -> dict:
    """Choose the batching of one report model entry and write the file when it can.

    Args:
        model: one entry of ``report["models"]`` (its ``latency.grid``, ``environment``,
            ``signature``, ``warmup_lengths``).
        p99_ms: the p99 budget, ms.
        out_dir: the folder to write into.
        file_name: the file's name.

    Returns:
        :func:`choose_batching`'s result plus ``"file"`` (the path, or ``None`` when no
        measured batch meets the budget) and ``"proto"`` (which class checked it).

    Example: ``seqkit.report(path, batching_p99_ms=10)`` calls it for each model; a saved
    ``report.json`` works too: ``write_batching(json.load(f)["models"][0], 50, "out")``.
    """
    env = model.get("environment") or {}
    cores = env.get("cpus_available") or env.get("cpu_count") or 1
    specs = (model.get("signature") or {}).get("inputs") or {}
    dynamic = any(len(s["shape"]) >= 2 and s["shape"][1] is None and s["dtype"] != "string"
                  for s in specs.values())
    choice = choose_batching(model["latency"]["grid"], p99_ms, cores=cores,
                             dynamic_length=dynamic, warmup=model.get("warmup_lengths"))
    choice["file"] = choice["proto"] = None
    if choice["feasible"]:
        text = batching_text(choice["parameters"])
        parse_batching(text)
        path = write_text_atomic(Path(out_dir) / file_name, text)
        choice["file"], choice["proto"] = str(path), batching_parameters_class()[1]
    return choice


def warmup_lengths(version_dir) -> dict | None:
    """The sequence lengths (axis 1) of each signature's warmup records (TensorFlow).

    Args:
        version_dir: the version folder.

    Returns:
        ``{signature: sorted lengths}`` over the rank ≥ 2 non-string inputs, or ``None``
        when there is no warmup file.

    Example:

    >>> warmup_lengths("/no/such/version") is None
    True
    """
    from seqkit.serving import warmup as warmup_lib

    if not warmup_lib.warmup_path(version_dir).is_file():
        return None
    out = {}
    for request in warmup_lib.read_warmup_requests(version_dir):
        for proto in request.inputs.values():
            dims = [d.size for d in proto.tensor_shape.dim]
            if len(dims) >= 2 and proto.dtype != 7:  # 7: DT_STRING
                out.setdefault(warmup_lib.signature_of(request), set()).add(dims[1])
    return {k: sorted(v) for k, v in out.items()}


def batching_lines(choice) -> list[str]:
    """The ``### Batching`` section of a model in ``report.md``.

    Args:
        choice: a model's ``"batching"`` entry (:func:`write_batching`), or ``None``.

    Returns:
        Markdown lines.

    Example:

    >>> grid = [{"batch": 1, "seq_len": 4, "p99_ms": 3.0}]
    >>> print(batching_lines(choose_batching(grid, 2, cores=1))[-1])
    **No batching file written**: no measured batch size meets a p99 of 2 ms: the
    fastest measured p99 is 3 ms (batch 1)
    """
    if not choice:
        return []
    out = ["", f"### Batching (p99 ≤ {choice['p99_budget_ms']:g} ms)", "",
           "Grid cells used (worst p99 over the measured lengths, per batch size): "
           + ", ".join(f"b{b} {c['p99_ms']:.3g} ms @ T={c['seq_len']}"
                       for b, c in choice["per_batch"].items()) + "."]
    if not choice["feasible"]:
        return out + ["", f"**No batching file written**: {choice['notice']}"]
    out += [""] + [f"- {line}" for line in choice["reasoning"]]
    out += [f"- excluded: batch {e['batch']} ({e['reason']})" for e in choice["excluded"]]
    if choice.get("file"):
        out += ["", f"Written to `{Path(choice['file']).name}` (checked with "
                    f"{choice['proto']}'s BatchingParameters); serve with "
                    f"`--enable_batching --batching_parameters_file=...`."]
    buckets = choice.get("buckets")
    if buckets:
        out += ["", f"Length buckets (the time axis is dynamic): {buckets['lengths']}; "
                    f"{buckets['note']}. Warmup records have lengths "
                    f"{buckets['warmup_lengths'] or 'none'}; missing for "
                    f"{buckets['missing_warmup'] or 'none'}."]
        if buckets["missing_warmup"]:
            out += ["", f"Re-export with `export(..., {buckets['export_argument']})` "
                        f"(`seqkit.serving.warmup.bucket_seq_lens(report_model)` reads it "
                        f"from report.json) for one warmup record per bucket and batch size."]
    return out
