"""The contract every registered task passes (aeon's pattern), from its own small test case
(``FitTask.test_case``): tiny fit → save → load → the same predictions → export →
``saved_model_cli run`` and a fresh TensorFlow-only process give the same outputs →
``serving_step`` equal to the full call where the task declares it → a report of the
export → its recipe's configuration round-trips. A task added to ``seqkit.tasks`` is
tested here with no edit to this file."""

from __future__ import annotations

import dataclasses
import inspect
import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import seqkit
from seqkit import tasks
from seqkit.errors import ConfigError, DataError
from seqkit.fit import FitOptions, FitResult
from seqkit.recipes.config import (
    build_config,
    config_class,
    to_dict,
    unreachable_fit_parameters,
)
from seqkit.serving.signature import OutputNaming
from tests.serving.test_standalone import ENV, LOADER, _cli, _site_without_keras_or_seqkit

NAMES = tasks.names()
TOL = 1e-5


def _first_output(result) -> str:
    """The signature output that ``FitResult.predict`` returns (the first named)."""
    return OutputNaming(result.model, result.task, result.class_names).expected()[0]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """``task name -> (case, result, export info, {input key: .npy path})``."""
    root = tmp_path_factory.mktemp("contract")
    out = {}
    for name in NAMES:
        case = tasks.task_class(name).test_case()
        result = case["fit"](**case["kwargs"])
        info = result.export(root / name)
        key = next(iter(info.inputs))
        path = root / f"{name}.{key}.npy"
        np.save(path, case["inputs"], allow_pickle=True)
        out[name] = (case, result, info, {key: str(path)})
    return out


def test_every_task_is_registered_once_with_its_own_name():
    for name in NAMES:
        assert tasks.task_class(name).name == name
    with pytest.raises(ConfigError, match="unknown task 'forecast'"):
        tasks.task_class("forecast")


@pytest.mark.parametrize("name", NAMES)
def test_fit_save_load_predicts_the_same(fitted, tmp_path, name):
    case, result, _, _ = fitted[name]
    assert result.task == name
    again = FitResult.load(result.save(tmp_path / "saved"))
    assert again.task == name and again.class_names == result.class_names
    np.testing.assert_allclose(again.predict(case["inputs"]), result.predict(case["inputs"]),
                               rtol=0, atol=1e-6)
    assert again.summary().splitlines()[0] == result.summary().splitlines()[0]


@pytest.mark.parametrize("name", NAMES)
def test_saved_model_cli_run_equals_predict(fitted, tmp_path, name):
    case, result, info, files = fitted[name]
    inputs = ";".join(f"{key}={path}" for key, path in files.items())
    _cli("run", "--dir", info.path, "--tag_set", "serve", "--signature_def",
         "serving_default", "--inputs", inputs, "--outdir", str(tmp_path))
    np.testing.assert_allclose(np.load(tmp_path / f"{_first_output(result)}.npy"),
                               result.predict(case["inputs"]), rtol=TOL, atol=TOL)


def test_fresh_tensorflow_only_process_equals_predict(fitted, tmp_path):
    job = [(name, info.path, files) for name, (_, _, info, files) in fitted.items()]
    site = _site_without_keras_or_seqkit(tmp_path / "site")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LOADER, json.dumps(job),
                           str(site)], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "IMPORTABLE" not in proc.stdout
    results = json.loads(next(line.split(" ", 1)[1] for line in proc.stdout.splitlines()
                              if line.startswith("RESULTS ")))
    for name, (case, result, _, _) in fitted.items():
        got = np.load(results[name][_first_output(result)], allow_pickle=True)
        np.testing.assert_allclose(got, result.predict(case["inputs"]), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", NAMES)
def test_serving_step_equals_the_full_call_where_declared(fitted, name):
    case, result, info, _ = fitted[name]
    assert bool(info.streaming.get("available")) == case["streams"], info.streaming
    if not case["streams"]:
        return
    step = tf.saved_model.load(info.path).signatures["serving_step"]
    x = np.asarray(result.prepare_inputs(case["inputs"]))
    x = x.astype("float32") if x.dtype.kind == "f" else x  # token ids stay integers
    states = {s["name"]: np.zeros((len(x), s["units"]), "float32")
              for s in info.streaming["states"]}
    out = None
    for t in range(x.shape[1]):  # one step at a time, from zero states
        feeds = {info.streaming["sequence_input"]: x[:, t:t + 1], **states}
        out = {k: v.numpy() for k, v in step(**{k: tf.constant(v)
                                                 for k, v in feeds.items()}).items()}
        states = {k: out[k] for k in states}
    np.testing.assert_allclose(out[_first_output(result)], result.predict(case["inputs"]),
                               rtol=TOL, atol=TOL)


def test_each_export_has_a_report(fitted, tmp_path):
    paths = [fitted[name][2].path for name in NAMES]
    rep = seqkit.report(paths, out_dir=tmp_path / "report", batch_sizes=(1, 4), repeats=1,
                        concurrency=0, cold_start=False, plots=False, seq_lens=(6,))
    assert [m["task"] for m in rep["models"]] == NAMES
    for model, name in zip(rep["models"], NAMES, strict=True):
        assert model["memory"]["params"] == fitted[name][2].params
        for row in model["latency"]["grid"]:
            assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert (tmp_path / "report" / "report.md").read_text().count("|") > 20


@pytest.mark.parametrize("name", NAMES)
def test_a_saved_result_with_corrupt_json_is_a_data_error_naming_the_file(fitted, tmp_path,
                                                                          name):
    folder = fitted[name][1].save(tmp_path / "saved")
    (folder / "fit_result.json").write_text('{"task": "forecasting", "metrics": {')
    with pytest.raises(DataError, match="fit_result.json' is not valid JSON"):
        FitResult.load(folder)
    (folder / "fit_result.json").write_text('["not", "a", "result"]')
    with pytest.raises(DataError, match="holds no task name"):
        FitResult.load(folder)
    (folder / "fit_result.json").write_text('{"task": "forecast"}')
    with pytest.raises(ConfigError, match="unknown task 'forecast'"):
        FitResult.load(folder)


@pytest.mark.parametrize("name", NAMES)
def test_every_fit_parameter_is_a_recipe_option_or_says_why_not(name):
    unreachable = unreachable_fit_parameters(name)
    missing = {p: why for p, why in unreachable.items() if why.startswith("no field")}
    assert not missing, f"{name}: fit parameters without a field: {sorted(missing)}"
    assert unreachable, "the data parameter is never a recipe option"


@pytest.mark.parametrize("name", NAMES)
def test_fit_function_defaults_are_the_fields_defaults(name):
    """The fit function's signature and the task's fields agree, and the shared options
    come only through ``**options`` (their defaults: FitOptions' and the task's
    option_defaults): one default per option."""
    cls = tasks.task_class(name)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    shared = {f.name: f for f in dataclasses.fields(FitOptions)}
    params = inspect.signature(cls.fit_function).parameters.values()
    assert not {p.name for p in params} & set(shared), "a shared option in the signature"
    for param in params:
        if param.default is inspect.Parameter.empty:
            continue
        want = fields[param.name].default
        got = tuple(param.default) if isinstance(param.default, list) else param.default
        assert got == want, f"{name}: {param.name} defaults to {got!r} in the fit " \
                            f"function, {want!r} in the fields"


@pytest.mark.parametrize("name", NAMES)
def test_recipe_configuration_round_trips_through_a_json_file(name, tmp_path):
    case = tasks.task_class(name).test_case()
    config_cls = config_class(name)
    config = config_cls(**case["recipe"])
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_dict(config)))
    again = build_config(config_cls, {}, path)
    assert again == config and to_dict(again) == to_dict(config)
    assert config.task == name and again.fit_options() == config.fit_options()
