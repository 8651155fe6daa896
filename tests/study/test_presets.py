"""The table of study tasks (seqkit.study.presets.STUDY_TASKS) against what reads it: every
name in it must exist where the driver looks it up, and the driver itself names no task."""

import dataclasses
import re
from pathlib import Path

import pytest

from seqkit.recipes.config import config_class
from seqkit.study.config import CompareConfig
from seqkit.study.driver import job_options, task_data
from seqkit.study.presets import PRESETS, STUDY_TASKS, TASKS


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("task", TASKS)
def test_every_study_task_points_at_real_fields(task):
    spec = STUDY_TASKS[task]
    recipe_fields = _fields(config_class(spec.recipe))
    assert spec.data_option in _fields(CompareConfig)
    assert spec.direction in ("lower", "higher")
    assert set(spec.fixed_options) <= recipe_fields
    if spec.limit is not None:
        assert spec.limit[0] in _fields(CompareConfig) and spec.limit[1] in recipe_fields
    options = job_options(CompareConfig(text_max_examples=50).resolved(), task, "gru", 8, 1,
                          "data")
    config_class(spec.recipe)(**options)  # the recipe takes every option the study gives it


def test_the_table_keeps_what_the_driver_did_by_name():
    config = CompareConfig(text_data="t.tsv", text_max_examples=50).resolved()
    forecast = job_options(config, "forecast", "lstm", 8, 0, "co2")
    text = job_options(config, "text", "lstm", 8, 0, "t.tsv")
    assert forecast["baselines"] == [] and "max_examples" not in forecast
    assert forecast["combine"] == "none"  # the study scores the RNN alone
    assert text["max_examples"] == 50 and "max_examples" not in forecast
    # the study measures the cells: no baselines, and the text RNN without a linear branch
    assert text["baselines"] == [] and text["wide"] is False
    assert "max_examples" not in job_options(CompareConfig().resolved(), "text", "lstm", 8,
                                             0, "t.tsv")
    assert {t: (s.recipe, s.metric, s.direction) for t, s in STUDY_TASKS.items()} == {
        "forecast": ("forecasting", "mase", "lower"),
        "sequences": ("sequence_classification", "accuracy", "higher"),
        "text": ("text_classification", "accuracy", "higher"),
        "ucr": ("sequence_classification", "accuracy", "higher")}
    assert task_data(config) == {"forecast": "co2", "sequences": "digits", "text": "t.tsv",
                                 "ucr": "ucr:ArrowHead"}
    assert all(set(p["tasks"]) <= set(TASKS) for p in PRESETS.values())


def test_the_driver_compares_no_task_names():
    source = (Path(__file__).resolve().parents[2] / "seqkit/study/driver.py").read_text()
    names = "|".join(TASKS)
    assert not re.search(rf"""[=!]=\s*["']({names})["']|["']({names})["']\s*[=!]=""", source)
