"""What a study leaves on disk as it goes, and reading it back to resume.

The full study runs for an hour or more; a crash, a reboot or a bug in its last task must
not cost the runs already finished. Two kinds of file live under the study's ``out_dir``:

- ``records/<run name>.json``: one finished (task, cell, size, seed) run — the options it
  was asked to run with and what it measured — written the moment its process reports;
- ``groups/<task>-<size>u.json``: one finished (task, size) group — its runs with their
  serving figures and its summary — written before the next group starts, beside a
  partial ``compare.json``/``compare.md``.

With ``resume`` a later run reuses a record only when the options match exactly (same
data, units, seed, epochs, batch, learning rate, probe ...) and a group only when the
study's settings that shape it (:func:`study_key`) match; anything else runs again.

Example:

>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> options = {"name": "forecast-gru-64u-seed0", "units": 64, "seed": 0}
>>> _ = save_run(out, options, {"probe": 1}, {"s_per_step": 0.01})
>>> load_run(out, options, {"probe": 1})
{'s_per_step': 0.01}
>>> load_run(out, {**options, "units": 65}, {"probe": 1}) is None
True
"""

from __future__ import annotations

import json
from pathlib import Path

from seqkit.fileio import jsonable, write_json_atomic

#: CompareConfig fields that choose *which* groups run or how they are shown, not what a
#: group measures: a group finished under other values of these is still valid
NOT_IN_KEY = ("preset", "tasks", "sizes", "layer_bench", "resume", "verbose", "out_dir")


def _same(a, b) -> bool:
    """Equal once both are JSON (tuples and lists, NumPy and Python numbers alike)."""
    return json.loads(json.dumps(jsonable(a), default=str)) == \
        json.loads(json.dumps(jsonable(b), default=str))


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):  # absent, or cut short by a crash: run it again
        return None


def run_path(out_dir, name: str) -> Path:
    """The record file of one run.

    Args:
        out_dir: the study's output folder.
        name: the run's name (``<task>-<cell>-<units>u-seed<seed>``).

    Returns:
        ``out_dir/records/<name>.json``.

    Example:

    >>> run_path("runs/compare", "text-lstm-64u-seed0").as_posix()
    'runs/compare/records/text-lstm-64u-seed0.json'
    """
    return Path(out_dir) / "records" / f"{name}.json"


def save_run(out_dir, options: dict, probe: dict, record: dict) -> Path:
    """Write one finished run (atomically: a crash leaves the old file or none).

    Args:
        out_dir: the study's output folder.
        options: the recipe options it ran with (``options["name"]`` names the file).
        probe: the activation-memory probe's options.
        record: what the run measured.

    Returns:
        The file written.

    Example: see the module docstring.
    """
    path = run_path(out_dir, options["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_json_atomic(path, {"options": jsonable(options), "probe": jsonable(probe),
                                    "record": jsonable(record)})


def load_run(out_dir, options: dict, probe: dict) -> dict | None:
    """The record of a run finished earlier with exactly these options, else ``None``.

    Args:
        out_dir: the study's output folder.
        options: the recipe options the run would get now.
        probe: the activation-memory probe's options now.

    Returns:
        The run's record, or ``None`` (no file, a damaged one, or other options).

    Example: see the module docstring.
    """
    saved = _read(run_path(out_dir, options["name"]))
    if saved and _same(saved.get("options"), options) and _same(saved.get("probe"), probe):
        return saved["record"]
    return None


def study_key(config) -> dict:
    """The study settings a finished group depends on (every field but :data:`NOT_IN_KEY`).

    Args:
        config: a resolved :class:`seqkit.study.config.CompareConfig`.

    Returns:
        ``{field: value}``.

    Example:

    >>> from seqkit.study.config import CompareConfig
    >>> key = study_key(CompareConfig().resolved())
    >>> key["seeds"], key["epochs"], "sizes" in key
    (3, 3, False)
    """
    from seqkit.recipes.config import to_dict

    return {k: v for k, v in to_dict(config).items() if k not in NOT_IN_KEY}


def group_path(out_dir, task: str, size: int) -> Path:
    """The file of one finished (task, size) group.

    Args:
        out_dir: the study's output folder.
        task: the task.
        size: the reference cell's units.

    Returns:
        ``out_dir/groups/<task>-<size>u.json``.

    Example:

    >>> group_path("out", "ucr", 256).as_posix()
    'out/groups/ucr-256u.json'
    """
    return Path(out_dir) / "groups" / f"{task}-{size}u.json"


def save_group(out_dir, key: dict, group: dict) -> Path:
    """Write one finished group with the study settings it ran under.

    Args:
        out_dir: the study's output folder.
        key: :func:`study_key` of the study.
        group: the group (``task``, ``size``, runs, summary, ...).

    Returns:
        The file written.

    Example:

    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> _ = save_group(out, {"seeds": 3}, {"task": "ucr", "size": 64, "data": "ucr:X"})
    >>> load_group(out, {"seeds": 3}, "ucr", 64, "ucr:X")["size"]
    64
    >>> load_group(out, {"seeds": 5}, "ucr", 64, "ucr:X") is None
    True
    """
    path = group_path(out_dir, group["task"], group["size"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_json_atomic(path, {"study": jsonable(key), "group": jsonable(group)})


def load_group(out_dir, key: dict, task: str, size: int, data: str) -> dict | None:
    """A group finished earlier under the same study settings and data, else ``None``.

    Args:
        out_dir: the study's output folder.
        key: :func:`study_key` of the study now.
        task: the task.
        size: the reference cell's units.
        data: the task's data now.

    Returns:
        The group, or ``None``.

    Example: see :func:`save_group`.
    """
    saved = _read(group_path(out_dir, task, size))
    if saved and _same(saved.get("study"), key) and saved["group"].get("data") == data:
        return saved["group"]
    return None
