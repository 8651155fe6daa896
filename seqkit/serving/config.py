"""TF Serving configuration files: ``models.config`` and the batching parameters file.

``models.config`` is a text-format ``ModelServerConfig`` (``--model_config_file``)::

    model_config_list {
      config { name: "lstm" base_path: "/models/lstm" model_platform: "tensorflow" }
      config { name: "gru" base_path: "/models/gru" model_platform: "tensorflow" }
    }

It is built with ``tensorflow_serving.config.model_server_config_pb2`` and parsed back
before it is written, so what is on disk always parses.

The batching parameters file (``--enable_batching --batching_parameters_file=...``) is a
text-format ``BatchingParameters`` proto, which is not in the ``tensorflow-serving-api``
wheel; it is written in its documented text form::

    max_batch_size { value: 32 }
    batch_timeout_micros { value: 1000 }
    max_enqueued_batches { value: 100 }
    num_batch_threads { value: 4 }
    allowed_batch_sizes: 8
    allowed_batch_sizes: 32
    pad_variable_length_inputs: true

and read back by :func:`read_batching_parameters`. With variable-length sequence inputs
(``window``/``sequence`` with a dynamic time axis), requests batched together must have the
same ``T`` unless ``pad_variable_length_inputs`` is true; padding adds steps at the end, which
changes the result of a model without masking — prefer clients that send equal lengths.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from seqkit.errors import ConfigError, DataError
from seqkit.serving.layout import list_versions
from seqkit.validation import check_bool, check_int

MODELS_CONFIG = "models.config"
_WRAPPED = ("max_batch_size", "batch_timeout_micros", "max_enqueued_batches",
            "num_batch_threads")


def find_models(saved_models_root) -> dict[str, Path]:
    """``{name: base_path}`` for every child folder of the root holding ≥ 1 version.

    Args:
        saved_models_root: the folder holding one folder per model.

    Returns:
        The models by folder name, sorted (hidden folders and folders without a complete
        version are skipped).

    Raises:
        ConfigError: the root is not a folder.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = Path(tmp.name)
    >>> (root / "gru" / "1").mkdir(parents=True)
    >>> _ = (root / "gru" / "1" / "saved_model.pb").write_bytes(b"")
    >>> (root / "notes").mkdir()
    >>> list(find_models(root))
    ['gru']
    >>> tmp.cleanup()
    """
    root = Path(saved_models_root)
    if not root.is_dir():
        raise ConfigError(f"saved_models_root {str(root)!r} is not a folder")
    return {child.name: child.absolute() for child in sorted(root.iterdir())
            if child.is_dir() and not child.name.startswith(".") and list_versions(child)}


def models_config_text(models: dict, *, base_path_prefix=None) -> str:
    """The ``ModelServerConfig`` text for ``{name: base_path}`` (validated by parsing).

    Args:
        models: ``{model name: base path}``.
        base_path_prefix: if given, each ``base_path`` is ``<prefix>/<name>`` (the folder
            as the server sees it) instead of the local path.

    Returns:
        The text-format proto.

    Example:

    >>> print(models_config_text({"gru": "/tmp/gru"}, base_path_prefix="/models"))
    model_config_list {
      config {
        name: "gru"
        base_path: "/models/gru"
        model_platform: "tensorflow"
      }
    }
    <BLANKLINE>
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = model_server_config_pb2.ModelServerConfig()
    for name, base_path in models.items():
        entry = config.model_config_list.config.add()
        entry.name = name
        entry.base_path = (str(base_path) if base_path_prefix is None
                           else f"{str(base_path_prefix).rstrip('/')}/{name}")
        entry.model_platform = "tensorflow"
    text = text_format.MessageToString(config)
    parsed = parse_models_config(text)
    if [c.name for c in parsed.model_config_list.config] != list(models):
        raise ConfigError("models.config did not round-trip")  # pragma: no cover
    return text


def parse_models_config(text_or_path):
    """Parse a ``models.config`` (text or path) into a ``ModelServerConfig``.

    Args:
        text_or_path: the text (it holds ``{``) or the file's path.

    Returns:
        A ``tensorflow_serving.config.model_server_config_pb2.ModelServerConfig``.

    Raises:
        DataError: the text does not parse.

    Example:

    >>> config = parse_models_config('model_config_list { config { name: "gru" } }')
    >>> [c.name for c in config.model_config_list.config]
    ['gru']
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    text = text_or_path
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str)
                                          and "{" not in text_or_path):
        text = Path(text_or_path).read_text()
    config = model_server_config_pb2.ModelServerConfig()
    try:
        text_format.Parse(text, config)
    except text_format.ParseError as err:
        raise DataError(f"not a valid ModelServerConfig: {err}") from err
    return config


def write_models_config(saved_models_root, path=None, *, base_path_prefix=None) -> Path:
    """Write ``models.config`` listing every model under ``saved_models_root``.

    A model is a child folder with at least one integer version holding ``saved_model.pb``
    (report folders and hidden temporary folders are skipped).

    Args:
        saved_models_root: the folder holding one folder per model.
        path: where to write; default ``saved_models_root/models.config``.
        base_path_prefix: replaces the local folder in ``base_path`` (e.g. ``"/models"``
            when the root is mounted there in the ``tensorflow/serving`` container);
            default: the absolute local path.

    Returns:
        The path written.

    Raises:
        ConfigError: no model under the root, or folder names unusable in URLs.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = Path(tmp.name)
    >>> for name in ("gru", "lstm"):
    ...     (root / name / "1").mkdir(parents=True)
    ...     _ = (root / name / "1" / "saved_model.pb").write_bytes(b"")
    >>> path = write_models_config(root, base_path_prefix="/models")
    >>> path.name
    'models.config'
    >>> [c.base_path for c in parse_models_config(path).model_config_list.config]
    ['/models/gru', '/models/lstm']
    >>> tmp.cleanup()
    """
    models = find_models(saved_models_root)
    if not models:
        raise ConfigError(f"no exported model under {str(saved_models_root)!r} (expected "
                          f"<root>/<name>/<version>/saved_model.pb)")
    bad = [n for n in models if not re.match(r"^[A-Za-z0-9_.\-]+$", n)]
    if bad:
        raise ConfigError(f"model folder names {bad} are not usable as model names in URLs")
    text = models_config_text(models, base_path_prefix=base_path_prefix)
    out = Path(path) if path is not None else Path(saved_models_root) / MODELS_CONFIG
    _atomic_write(out, text)
    return out


def batching_parameters_text(*, max_batch_size=32, batch_timeout_micros=1000,
                             max_enqueued_batches=100, num_batch_threads=None,
                             allowed_batch_sizes=None, pad_variable_length_inputs=False) -> str:
    """The batching parameters file's text (arguments as in :func:`write_batching_parameters`).

    Returns:
        The text, one parameter per line.

    Raises:
        ConfigError: a value out of range.

    Example:

    >>> print(batching_parameters_text(max_batch_size=8, num_batch_threads=2), end="")
    max_batch_size { value: 8 }
    batch_timeout_micros { value: 1000 }
    max_enqueued_batches { value: 100 }
    num_batch_threads { value: 2 }
    pad_variable_length_inputs: false
    """
    values = {"max_batch_size": max_batch_size, "batch_timeout_micros": batch_timeout_micros,
              "max_enqueued_batches": max_enqueued_batches,
              "num_batch_threads": num_batch_threads or os.cpu_count() or 1}
    for key, value in values.items():
        check_int(key, value, minimum=0 if key == "batch_timeout_micros" else 1)
    lines = [f"{key} {{ value: {value} }}" for key, value in values.items()]
    if allowed_batch_sizes:
        sizes = list(allowed_batch_sizes)
        if (any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes)
                or sizes != sorted(set(sizes)) or sizes[-1] != max_batch_size):
            raise ConfigError(
                f"allowed_batch_sizes must be increasing positive integers ending with "
                f"max_batch_size={max_batch_size}, got {sizes}")
        lines += [f"allowed_batch_sizes: {s}" for s in sizes]
    check_bool("pad_variable_length_inputs", pad_variable_length_inputs)
    lines.append(f"pad_variable_length_inputs: {str(pad_variable_length_inputs).lower()}")
    return "\n".join(lines) + "\n"


def write_batching_parameters(path, *, max_batch_size=32, batch_timeout_micros=1000,
                              max_enqueued_batches=100, num_batch_threads=None,
                              allowed_batch_sizes=None, pad_variable_length_inputs=False) -> Path:
    """Write a ``--batching_parameters_file`` (see the module docstring).

    The text is read back with :func:`read_batching_parameters` and compared with the
    arguments before it is kept.

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
        ConfigError: a value out of range, or a parameter that did not round-trip.

    Example:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_batching_parameters(Path(tmp.name) / "batching.txt", max_batch_size=16,
    ...                                  num_batch_threads=2, allowed_batch_sizes=[4, 16])
    >>> read_batching_parameters(path)["allowed_batch_sizes"]
    [4, 16]
    >>> tmp.cleanup()
    """
    params = {"max_batch_size": max_batch_size, "batch_timeout_micros": batch_timeout_micros,
              "max_enqueued_batches": max_enqueued_batches,
              "num_batch_threads": num_batch_threads,
              "allowed_batch_sizes": allowed_batch_sizes,
              "pad_variable_length_inputs": pad_variable_length_inputs}
    text = batching_parameters_text(**params)
    parsed = read_batching_parameters(text)
    expected = {k: v for k, v in params.items() if v is not None and v is not False}
    for key, value in expected.items():
        got = parsed.get(key)
        if (list(value) if key == "allowed_batch_sizes" else value) != got:
            raise ConfigError(f"batching parameter {key} did not round-trip: {got!r}")
    out = Path(path)
    _atomic_write(out, text)
    return out


_WRAPPED_RE = re.compile(r"^(\w+)\s*\{\s*value\s*:\s*(-?\d+)\s*\}$")
_SCALAR_RE = re.compile(r"^(\w+)\s*:\s*(\S+)$")


def read_batching_parameters(text_or_path) -> dict:
    """Parse the batching parameters text format into a dict (strict, small parser).

    Args:
        text_or_path: the text, or the path of a file holding it.

    Returns:
        ``{parameter: value}`` (``allowed_batch_sizes`` as a list).

    Raises:
        DataError: a line that is not a batching parameter.

    Example:

    >>> read_batching_parameters("max_batch_size { value: 8 }\\nallowed_batch_sizes: 8\\n")
    {'max_batch_size': 8, 'allowed_batch_sizes': [8]}
    """
    text = text_or_path
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str)
                                          and "\n" not in text_or_path
                                          and Path(text_or_path).is_file()):
        text = Path(text_or_path).read_text()
    out: dict = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        wrapped = _WRAPPED_RE.match(line)
        scalar = _SCALAR_RE.match(line)
        if wrapped and wrapped.group(1) in _WRAPPED:
            out[wrapped.group(1)] = int(wrapped.group(2))
        elif scalar and scalar.group(1) == "allowed_batch_sizes":
            out.setdefault("allowed_batch_sizes", []).append(int(scalar.group(2)))
        elif scalar and scalar.group(1) == "pad_variable_length_inputs":
            if scalar.group(2) not in ("true", "false"):
                raise DataError(f"line {number}: pad_variable_length_inputs must be true/false")
            out["pad_variable_length_inputs"] = scalar.group(2) == "true"
        else:
            raise DataError(f"line {number}: not a batching parameter: {raw!r}")
    return out


def _atomic_write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
