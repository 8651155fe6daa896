"""An interrupted study keeps what it finished and ``resume`` goes on from there.

The training processes and the serving report are replaced by stand-ins that count their
calls (tests/study/study_fakes.py): what is checked is which runs the study asks for
again, not what they measure."""

import json

import pytest

from seqkit.study import driver
from seqkit.study.config import CompareConfig
from tests.study.study_fakes import FakeChildren, fake_serve


def study(tmp_path, **overrides):
    options = {"tasks": ["forecast"], "sizes": [8, 16], "seeds": 3, "epochs": 2,
               "layer_bench": False, "out_dir": str(tmp_path / "compare"),
               "saved_models_dir": str(tmp_path / "sm")}
    return CompareConfig(**{**options, **overrides})


def test_interrupted_study_keeps_finished_groups_and_resume_reruns_only_the_rest(
        tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "_serve_group", fake_serve)
    crashing = FakeChildren(tmp_path, crash_at=9)  # group 2's third run
    monkeypatch.setattr(driver, "_run_child", crashing)
    with pytest.raises(RuntimeError, match="forecast-lstm-16u-seed2 failed"):
        driver.run_compare(study(tmp_path), echo=lambda *_: None)

    out = tmp_path / "compare"
    partial = json.loads((out / "compare.json").read_text())
    assert partial["complete"] is False and len(partial["groups"]) == 1
    assert "**Partial**: 1 of 2" in (out / "compare.md").read_text()
    assert (out / "groups" / "forecast-8u.json").is_file()
    assert not (out / "groups" / "forecast-16u.json").exists()
    assert sorted(p.stem for p in (out / "records").iterdir()) == sorted(crashing.names[:8])

    resumed, lines = FakeChildren(tmp_path), []
    monkeypatch.setattr(driver, "_run_child", resumed)
    results = driver.run_compare(study(tmp_path, resume=True), echo=lines.append)
    # group 1 comes from its file, group 2's two finished runs from their records
    assert resumed.names == ["forecast-lstm-16u-seed2", "forecast-gru-16u-seed0",
                             "forecast-gru-16u-seed1", "forecast-gru-16u-seed2"]
    assert results["complete"] and len(results["groups"]) == 2
    assert results["reused_runs"] == 8
    assert results["groups"][0]["runs"] == partial["groups"][0]["runs"]
    assert sum("(reused)" in line for line in lines) == 2
    assert any("reusing the group" in line for line in lines)
    params = {v["claim"]: v["overall"] for v in results["verdicts"]}["GRU has fewer parameters"]
    assert params == "confirmed"  # 0.75× in every seed of both groups

    other, lines = FakeChildren(tmp_path), []  # other epochs: nothing may be reused
    monkeypatch.setattr(driver, "_run_child", other)
    driver.run_compare(study(tmp_path, resume=True, epochs=3), echo=lines.append)
    assert len(other.names) == 12 and not any("reus" in line for line in lines)


def test_resume_reruns_a_run_whose_export_is_gone(tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "_serve_group", fake_serve)
    monkeypatch.setattr(driver, "_run_child", FakeChildren(tmp_path))
    driver.run_compare(study(tmp_path, sizes=[8]), echo=lambda *_: None)
    (tmp_path / "compare" / "groups" / "forecast-8u.json").unlink()  # group not finished
    (tmp_path / "sm" / "forecast-gru-8u-seed1").rmdir()
    again = FakeChildren(tmp_path)
    monkeypatch.setattr(driver, "_run_child", again)
    driver.run_compare(study(tmp_path, sizes=[8], resume=True), echo=lambda *_: None)
    assert again.names == ["forecast-gru-8u-seed1"]


def test_resume_must_be_a_bool():
    with pytest.raises(Exception, match="resume must be"):
        CompareConfig(resume="yes please")
