"""compare.md and compare.png from a synthetic results dict; the progress estimate."""

from seqkit.study.driver import Progress
from seqkit.study.render import plot_ratios, study_markdown
from seqkit.study.summary import CLAIMS, summarize_group


def synthetic_results():
    runs = {cell: [{"seed": s, "units": 8, "params": p, "s_per_step": t + 0.01 * s,
                    "activation_mb": m, "activation_estimate_mb": m / 2,
                    "p50_b64_ms": t * 10, "metric": 0.9 + 0.01 * s} for s in range(3)]
            for cell, p, t, m in (("lstm", 400, 1.0, 40.0), ("gru", 300, 0.8, 30.0))}
    group = {"task": "sequences", "size": 8, "data": "digits", "metric": "accuracy",
             "direction": "higher", "units": {"lstm": 8, "gru": 8}, "equal_params": False,
             "same_steps": True, "serving_report": "r.md",
             "summary": summarize_group(runs, direction="higher")}
    verdicts = [{"claim": c, "overall": group["summary"]["verdicts"][i]["verdict"],
                 "by_group": {"sequences · 8u": group["summary"]["verdicts"][i]}}
                for i, c in enumerate(CLAIMS)]
    config = {"preset": "quick", "epochs": 3, "seeds": 3, "sizes": [8]}
    return {"config": config, "groups": [group], "verdicts": verdicts,
            "layers": {"skipped": "off"}, "skipped": {"text": "no data"}}


def test_markdown_starts_with_the_seed_table_then_verdicts():
    md = study_markdown(synthetic_results())
    assert md.index("| quantity | lstm | gru |") < md.index("## Verdicts")
    assert "| parameters (model) | 400 | 300 | 0.75× |" in md
    # 0.9, 0.91, 0.92: mean 0.91, half-width t(0.975, 2) * 0.01 / sqrt(3) = 0.0248
    assert "| accuracy (higher is better) | 0.9100 ± 0.0248 | 0.9100 ± 0.0248 |" in md
    assert "| GRU has fewer parameters | **confirmed** |" in md
    assert "| GRU trains faster | **confirmed** |" in md
    assert "text skipped: no data" in md
    assert "measured activation memory / estimate = 2.00" in md


def test_plot_is_a_png(tmp_path):
    path = plot_ratios(synthetic_results()["groups"], tmp_path / "c.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_progress_eta_is_mean_time_per_run_times_runs_left():
    times = iter([0.0, 10.0, 30.0, 30.0])
    p = Progress(5, clock=lambda: next(times))
    p.finished()
    p.finished()  # 2 runs in 30 s: 15 s each, 3 left
    assert p.remaining_seconds() == 45.0
    assert p.line("forecast", "lstm", 64, 2) == (
        "[compare 2/5 · 30s elapsed · ~45s left] forecast lstm 64u seed 2")
