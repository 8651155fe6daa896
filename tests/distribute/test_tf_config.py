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
    ("config", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (_with(cluster=_DELETE), "TF_CONFIG cluster=None"),
        (_with(cluster={"chief": ["c:1"]}), "cluster.worker=None"),
        (_with(cluster={}), "TF_CONFIG cluster={}"),
        (_with(cluster__worker="localhost:2222"), "cluster.worker='localhost:2222'"),
        (_with(cluster__worker=[]), "cluster.worker=[]"),
        (_with(cluster__worker=["localhost"]), "cluster.worker[0]='localhost'"),
        (_with(cluster__worker=["localhost:2222", "localhost:http"]), "cluster.worker[1]"),
        (_with(cluster__worker=["localhost:2222", "localhost:99999"]), "cluster.worker[1]"),
        (_with(cluster__worker=["a:1", "a:1"]), "appears twice"),
        (_with(cluster__ps=["p:1"]), "cluster.ps"),
        (_with(cluster__trainer=["p:1"]), "cluster.trainer"),
        (_with(cluster__chief=["c:1", "c:2"]), "cluster.chief has 2 entries"),
        (_with(task=_DELETE), "TF_CONFIG task=None"),
        (_with(task__type="chief"), "task.type='chief'"),
        (_with(task__type=_DELETE), "task.type=None"),
        (_with(task__index=2), "task.index=2 is out of range for cluster.worker"),
        (_with(task__index=-1), "task.index=-1 is out of range"),
        (_with(task__index="0"), "task.index='0': expected an integer"),
        (_with(task__index=True), "task.index=True"),
        (_with(task__index=_DELETE), "task.index=None"),
    ],
)
def test_invalid_config_names_the_field(config, expected):
    raw = config if isinstance(config, str) else json.dumps(config)
    with pytest.raises(ConfigError) as info:
        parse_tf_config(raw)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_multiworker_without_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="needs the TF_CONFIG environment variable"):
        get_strategy("multiworker")


def test_multiworker_with_bad_tf_config_fails_before_creating_the_strategy(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps(_with(task__index=5)))
    with pytest.raises(ConfigError, match=r"task\.index=5 is out of range"):
        get_strategy("multiworker")
