"""models.config (parsed with the ModelServerConfig proto) and batching parameters."""

from __future__ import annotations

import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.serving import (
    export,
    read_batching_parameters,
    write_batching_parameters,
    write_models_config,
)
from seqkit.serving.config import parse_models_config
from tests.serving import models


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved_models")
    export(models.forecaster("lstm"), root / "lstm", warmup=False)
    export(models.forecaster("gru"), root / "gru", warmup=False)
    export(models.forecaster("gru"), root / "gru", warmup=False)
    (root / "notes").mkdir()                      # no versions: not a model
    (root / "empty_model" / "1").mkdir(parents=True)  # a version without saved_model.pb
    (root / ".tmp-1-123").mkdir()
    return root


def test_models_config_lists_every_model_and_parses(root):
    path = write_models_config(root)
    assert path == root / "models.config"
    config = parse_models_config(path)
    entries = {c.name: c for c in config.model_config_list.config}
    assert sorted(entries) == ["gru", "lstm"]
    for name, entry in entries.items():
        assert entry.base_path == str(root / name)
        assert entry.model_platform == "tensorflow"
    text = path.read_text()
    assert text.startswith("model_config_list {") and 'name: "gru"' in text


def test_models_config_with_container_prefix(root, tmp_path):
    path = write_models_config(root, tmp_path / "serving" / "models.config",
                               base_path_prefix="/models/")
    config = parse_models_config(path.read_text())
    assert {c.base_path for c in config.model_config_list.config} == {"/models/gru",
                                                                      "/models/lstm"}


def test_models_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not a folder"):
        write_models_config(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no exported model"):
        write_models_config(tmp_path)
    with pytest.raises(DataError, match="ModelServerConfig"):
        parse_models_config("model_config_list { config { nme: 'x' } }")


def test_batching_parameters_round_trip(tmp_path):
    path = write_batching_parameters(tmp_path / "batching.txt", max_batch_size=64,
                                     batch_timeout_micros=500, num_batch_threads=4,
                                     allowed_batch_sizes=[8, 16, 64],
                                     pad_variable_length_inputs=True)
    text = path.read_text()
    assert "max_batch_size { value: 64 }" in text
    assert "allowed_batch_sizes: 16" in text and "pad_variable_length_inputs: true" in text
    assert read_batching_parameters(path) == {
        "max_batch_size": 64, "batch_timeout_micros": 500, "max_enqueued_batches": 100,
        "num_batch_threads": 4, "allowed_batch_sizes": [8, 16, 64],
        "pad_variable_length_inputs": True}


@pytest.mark.parametrize("kwargs, match", [
    ({"max_batch_size": 0}, "max_batch_size"),
    ({"batch_timeout_micros": -1}, "batch_timeout_micros"),
    ({"max_batch_size": 32, "allowed_batch_sizes": [8, 16]}, "ending with"),
    ({"allowed_batch_sizes": [16, 8, 32]}, "increasing"),
    ({"pad_variable_length_inputs": "yes"}, "true or false|True or False"),
])
def test_batching_parameters_errors(tmp_path, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        write_batching_parameters(tmp_path / "b.txt", **kwargs)
    assert not (tmp_path / "b.txt").exists()


def test_batching_parser_rejects_unknown_lines():
    with pytest.raises(DataError, match="line 2"):
        read_batching_parameters("max_batch_size { value: 8 }\nmax_batch_sise { value: 8 }\n")
