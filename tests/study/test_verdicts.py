"""Verdict rules on synthetic inputs: each claim confirmed, refuted or not resolved."""

import pytest

from seqkit.study.summary import (
    CONFIRMED,
    REFUTED,
    UNRESOLVED,
    accuracy_verdict,
    cost_verdict,
    overall,
    params_verdict,
    summarize_group,
)


def ratio(low, high, n=3):
    return {"ratio": (low * high) ** 0.5, "low": low, "high": high, "n": n}


def test_cost_claims():
    claim = "GRU trains faster"
    assert cost_verdict(claim, ratio(0.7, 0.9))["verdict"] == CONFIRMED
    assert cost_verdict(claim, ratio(1.0, 1.3))["verdict"] == REFUTED
    assert cost_verdict(claim, ratio(0.8, 1.2))["verdict"] == UNRESOLVED
    within = cost_verdict(claim, ratio(0.97, 1.02))
    assert within["verdict"] == REFUTED and "no material difference" in within["number"]
    few = cost_verdict(claim, ratio(0.5, 0.6, n=2))
    assert few["verdict"] == UNRESOLVED and "fewer than 3 seeds" in few["number"]
    assert cost_verdict(claim, {})["verdict"] == UNRESOLVED


def test_parameter_claim_is_exact():
    assert params_verdict(0.75)["verdict"] == CONFIRMED
    assert params_verdict(1.02)["verdict"] == REFUTED
    assert params_verdict(None)["verdict"] == UNRESOLVED


def test_accuracy_non_inferiority_with_margin():
    def diff(low, high, n=3):
        return {"mean": (low + high) / 2, "low": low, "high": high, "n": n}

    assert accuracy_verdict("higher", diff(-0.019, 0.01))["verdict"] == CONFIRMED
    assert accuracy_verdict("higher", diff(-0.08, -0.021))["verdict"] == REFUTED
    assert accuracy_verdict("higher", diff(-0.05, 0.01))["verdict"] == UNRESOLVED
    assert accuracy_verdict("higher", diff(0.0, 0.01, n=2))["verdict"] == UNRESOLVED
    assert accuracy_verdict("lower", ratio(0.9, 1.04))["verdict"] == CONFIRMED
    assert accuracy_verdict("lower", ratio(1.06, 1.2))["verdict"] == REFUTED
    assert accuracy_verdict("lower", ratio(0.9, 1.2))["verdict"] == UNRESOLVED


def test_group_summary_pairs_by_seed_and_overall():
    runs = {"lstm": [{"seed": s, "s_per_step": 1.0 + 0.01 * s, "metric": 0.90, "params": 4}
                     for s in range(3)],
            "gru": [{"seed": s, "s_per_step": 0.8 + 0.01 * s, "metric": 0.90, "params": 3}
                    for s in reversed(range(3))]}  # order must not matter: paired by seed
    group = summarize_group(runs, direction="higher")
    per_seed = group["ratios"]["gru"]["s_per_step"]["ratios"]
    assert per_seed == pytest.approx([0.8 / 1.0, 0.81 / 1.01, 0.82 / 1.02])
    words = {v["claim"]: v["verdict"] for v in group["verdicts"]}
    assert words["GRU trains faster"] == CONFIRMED
    assert words["GRU has fewer parameters"] == CONFIRMED
    assert words["GRU uses less training memory"] == UNRESOLVED  # not measured
    assert words["GRU is as accurate"] == CONFIRMED  # identical accuracies
    assert overall([{"verdict": REFUTED}] * 2) == REFUTED
