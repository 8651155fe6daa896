"""TF_CONFIG validation: every bad field gets a ConfigError that names it."""

from __future__ import annotations

import json

import pytest

from seqkit.distribute import get_strategy, parse_tf_config
from seqkit.errors import ConfigError

GOOD = {"cluster": {"worker": ["localhost:2222", "localhost:2223"]},
        "task": {"type": "worker", "index": 1}}


def _with(**changes):
    config = json.loads(json.dumps(GOOD))
    for dotted, value in changes.items():
        node = config
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return config


_DELETE = object()


def test_valid_config_values():
    info = parse_tf_config(json.dumps(GOOD))
    assert info["cluster"] == GOOD["cluster"]
    assert info["task_type"] == "worker"
    assert info["task_index"] == 1
    assert info["num_workers"] == 2
    assert info["is_chief"] is False
    assert parse_tf_config(_with(task__index=0))["is_chief"] is True


def test_explicit_chief_job():
    config = {"cluster": {"chief": ["h0:1000"], "worker": ["h1:1000", "h2:1000"]},
              "task": {"type": "worker", "index": 0}}
    info = parse_tf_config(config)
    assert info["num_workers"] == 3
    assert info["is_chief"] is False  # worker 0 is not chief when a chief job exists
    config["task"] = {"type": "chief", "index": 0}
    assert parse_tf_config(config)["is_chief"] is True


@pytest.mark.parametrize(
    ("config", "field", "what", "got"),
    [
        ("{not json", "", "valid JSON", "'{not json'"),
        ("[1, 2]", "", "a JSON object", "[1, 2]"),
        (_with(cluster=_DELETE), "cluster", "an object like", "None"),
        (_with(cluster={"chief": ["c:1"]}), "cluster.worker", "a non-empty list", "None"),
        (_with(cluster={}), "cluster", "an object like", "{}"),
        (_with(cluster__worker="localhost:2222"), "cluster.worker", "a non-empty list",
         "'localhost:2222'"),
        (_with(cluster__worker=[]), "cluster.worker", "a non-empty list", "[]"),
        (_with(cluster__worker=["localhost"]), "cluster.worker[0]", "a 'host:port' string",
         "'localhost'"),
        (_with(cluster__worker=["localhost:2222", "localhost:http"]), "cluster.worker[1]",
         "a 'host:port' string with a port in 1..65535", "'localhost:http'"),
        (_with(cluster__worker=["localhost:2222", "localhost:99999"]), "cluster.worker[1]",
         "a 'host:port' string with a port in 1..65535", "'localhost:99999'"),
        (_with(cluster__worker=["a:1", "a:1"]), "cluster.worker[1]",
         "an address that appears once", "'a:1'"),
        (_with(cluster__ps=["p:1"]), "cluster job", "'worker' or 'chief' (parameter servers "
         "need ParameterServerStrategy", "'ps'"),
        (_with(cluster__trainer=["p:1"]), "cluster job", "one of ('chief', 'worker', "
         "'evaluator')", "'trainer'"),
        (_with(cluster__chief=["c:1", "c:2"]), "cluster.chief", "a list of one 'host:port'",
         "['c:1', 'c:2']"),
        (_with(task=_DELETE), "task", "an object like", "None"),
        (_with(task__type="chief"), "task.type", "a job of the cluster ['worker']", "'chief'"),
        (_with(task__type=_DELETE), "task.type", "a job of the cluster", "None"),
        (_with(task__index=2), "task.index", "an integer index into cluster.worker "
         "(2 entries: valid indices 0..1)", "2"),
        (_with(task__index=-1), "task.index", "an integer index into cluster.worker", "-1"),
        (_with(task__index="0"), "task.index", "an integer index", "'0'"),
        (_with(task__index=True), "task.index", "an integer index", "True"),
        (_with(task__index=_DELETE), "task.index", "an integer index", "None"),
    ],
)
def test_invalid_config_names_the_field(config, field, what, got):
    """Each message reads ``TF_CONFIG <field> must be <what>, got <value!r>``."""
    raw = config if isinstance(config, str) else json.dumps(config)
    with pytest.raises(ConfigError) as info:
        parse_tf_config(raw)
    message = str(info.value)
    assert message.startswith(f"TF_CONFIG {field} must be ".replace("  ", " ")), message
    assert what in message
    assert message.endswith(f", got {got}"), message
    assert isinstance(info.value, ValueError)


def test_multiworker_without_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="needs the TF_CONFIG environment variable"):
        get_strategy("multiworker")


def test_multiworker_with_bad_tf_config_fails_before_creating_the_strategy(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps(_with(task__index=5)))
    with pytest.raises(ConfigError, match=r"TF_CONFIG task\.index must be an integer index "
                                          r"into cluster\.worker .*, got 5$"):
        get_strategy("multiworker")
