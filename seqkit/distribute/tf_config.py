"""``TF_CONFIG``: read and validate the cluster description of a multi-worker run.

Every field error is a :class:`seqkit.errors.ConfigError` that reads
``TF_CONFIG <field> must be <what>, got <value!r>``, so the bad entry of a long cluster
list is named (``cluster.worker[1]``), before any strategy is created.
"""

from __future__ import annotations

import json
import os
from typing import Any

from seqkit.errors import ConfigError
from seqkit.validation import fail

TASK_TYPES = ("chief", "worker", "evaluator")

_MISSING = (
    "strategy 'multiworker' needs the TF_CONFIG environment variable, e.g. "
    'TF_CONFIG=\'{"cluster":{"worker":["host1:12345","host2:12345"]},'
    '"task":{"type":"worker","index":0}}\' (one index per host)'
)


def _fail(field: str, what: str, value: Any):
    fail(f"TF_CONFIG {field}" if field else "TF_CONFIG", what, value)


def _load(raw: str | dict | None) -> dict:
    """The decoded ``TF_CONFIG`` object (from the environment when ``raw`` is None)."""
    if raw is None:
        raw = os.environ.get("TF_CONFIG")
        if raw is None or not raw.strip():
            raise ConfigError(_MISSING)
    config = raw
    if isinstance(raw, str):
        try:
            config = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"TF_CONFIG must be valid JSON ({exc}), got {raw[:200]!r}"
            ) from exc
    if not isinstance(config, dict):
        _fail("", "a JSON object", config)
    return config


def _check_address(field: str, address: Any) -> str:
    """``address`` if it is a ``'host:port'`` string with a port in 1..65535."""
    ok = isinstance(address, str) and ":" in address
    if ok:
        host, _, port = address.rpartition(":")
        ok = bool(host) and port.isdigit() and 0 < int(port) < 65536
    if not ok:
        _fail(field, "a 'host:port' string with a port in 1..65535", address)
    return address


def _check_job_names(cluster: Any) -> None:
    if not isinstance(cluster, dict) or not cluster:
        _fail("cluster", 'an object like {"worker": ["host1:port", "host2:port"]}', cluster)
    for job in cluster:
        if job == "ps":
            _fail("cluster job", "'worker' or 'chief' (parameter servers need "
                  "ParameterServerStrategy, which seqkit does not support)", job)
        if job not in TASK_TYPES:
            _fail("cluster job", f"one of {TASK_TYPES!r}", job)


def _check_jobs(cluster: dict) -> None:
    """Each job a list of distinct addresses; one ``chief`` / ``evaluator`` at most."""
    seen: set[str] = set()
    for job, addresses in cluster.items():
        single = job in ("chief", "evaluator")
        if not isinstance(addresses, list) or not addresses or (single and len(addresses) != 1):
            what = "a list of one 'host:port'" if single else "a non-empty list of 'host:port'"
            _fail(f"cluster.{job}", what, addresses)
        for i, address in enumerate(addresses):
            field = f"cluster.{job}[{i}]"
            if _check_address(field, address) in seen:
                _fail(field, "an address that appears once in the cluster", address)
            seen.add(address)


def _check_task(task: Any, cluster: dict) -> tuple[str, int]:
    """``(task.type, task.index)`` once they name an entry of ``cluster``."""
    if not isinstance(task, dict):
        _fail("task", 'an object like {"type": "worker", "index": 0}', task)
    task_type = task.get("type")
    if task_type not in cluster:
        _fail("task.type", f"a job of the cluster {sorted(cluster)}", task_type)
    index = task.get("index")
    n = len(cluster[task_type])
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        _fail("task.index", f"an integer index into cluster.{task_type} "
              f"({n} entr{'y' if n == 1 else 'ies'}: valid indices 0..{n - 1})", index)
    return task_type, index


def parse_tf_config(raw: str | dict | None = None) -> dict:
    """Validate ``TF_CONFIG`` (the environment variable when ``raw`` is None).

    Checked, in this order: JSON; ``cluster`` an object whose jobs are ``chief`` /
    ``worker`` / ``evaluator`` (``ps`` is refused: parameter servers are not supported);
    ``cluster.worker`` present; every job a non-empty list of distinct ``host:port``
    (``chief`` and ``evaluator`` one entry); ``task.type`` a job of the cluster;
    ``task.index`` an int in range.

    Args:
        raw: a JSON string, an already decoded dict, or None to read ``$TF_CONFIG``.

    Returns:
        ``{"cluster", "task_type", "task_index", "num_workers", "is_chief"}``, where
        ``num_workers`` counts chief + workers (the processes that train) and the chief is
        the ``chief`` task, or worker 0 when there is no ``chief`` job.

    Raises:
        ConfigError: naming the bad field (or saying that ``TF_CONFIG`` is unset).

    Example:

    >>> from seqkit.distribute import parse_tf_config
    >>> info = parse_tf_config('{"cluster": {"worker": ["h1:2222", "h2:2222"]},'
    ...                        ' "task": {"type": "worker", "index": 1}}')
    >>> info["task_type"], info["task_index"], info["num_workers"], info["is_chief"]
    ('worker', 1, 2, False)
    >>> parse_tf_config({"cluster": {"worker": ["h1:2222", "h2"]},
    ...                  "task": {"type": "worker", "index": 0}})
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: TF_CONFIG cluster.worker[1] must be a 'host:port' string \
with a port in 1..65535, got 'h2'
    """
    config = _load(raw)
    cluster = config.get("cluster")
    _check_job_names(cluster)
    workers = cluster.get("worker")
    if not isinstance(workers, list) or not workers:
        _fail("cluster.worker", "a non-empty list of 'host:port'", workers)
    _check_jobs(cluster)
    task_type, index = _check_task(config.get("task"), cluster)
    chief = task_type == "chief" or (
        task_type == "worker" and index == 0 and "chief" not in cluster
    )
    return {
        "cluster": cluster,
        "task_type": task_type,
        "task_index": index,
        "num_workers": len(workers) + len(cluster.get("chief", [])),
        "is_chief": chief,
    }
