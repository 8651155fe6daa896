"""models.config (parsed with the ModelServerConfig proto); the batching parameters file is
tests/reporting/test_batching.py's."""

from __future__ import annotations

import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.serving import export, write_models_config
from seqkit.serving.layout import parse_models_config
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
