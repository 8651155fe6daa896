"""Batching parameters chosen from a latency grid: hand-checked choices on synthetic grids,
the file parsed as TF Serving's BatchingParameters (field numbers checked against the wire
bytes the upstream session_bundle_config.proto gives), and one real tiny report (the
forecaster report shared by tests/reporting, conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqkit.errors import ConfigError
from seqkit.reporting.batching import (
    BATCHING_FILE,
    batching_lines,
    batching_parameters_class,
    batching_text,
    choose_batching,
    parse_batching,
    read_batching_parameters,
    write_batching_parameters,
)

# worst p99 per batch (over T=16, 64): b1 2.0, b8 3.0, b64 8.0, b256 40.0
P99 = {(1, 16): 1.0, (1, 64): 2.0, (8, 16): 1.5, (8, 64): 3.0, (64, 16): 4.0, (64, 64): 8.0,
       (256, 16): 15.0, (256, 64): 40.0}
GRID = [{"batch": b, "seq_len": t, "p99_ms": p} for (b, t), p in P99.items()]


def test_budget_10_ms():
    choice = choose_batching(GRID, 10, cores=2)
    # 256 (40 ms) is over; 64 (8 ms) fits; timeout (10 - 8) / 2 ms = 1000 us
    assert choice["feasible"]
    assert choice["parameters"] == {"max_batch_size": 64, "batch_timeout_micros": 1000,
                                    "allowed_batch_sizes": [1, 8, 64],
                                    "num_batch_threads": 2, "max_enqueued_batches": 2}
    assert [e["batch"] for e in choice["excluded"]] == [256]
    assert choice["per_batch"][64] == {"p99_ms": 8.0, "seq_len": 64}
    assert choice["buckets"] is None


def test_budget_50_ms():
    choice = choose_batching(GRID, 50, cores=4)
    # every size fits; timeout (50 - 40) / 2 ms = 5000 us
    assert choice["parameters"] == {"max_batch_size": 256, "batch_timeout_micros": 5000,
                                    "allowed_batch_sizes": [1, 8, 64, 256],
                                    "num_batch_threads": 4, "max_enqueued_batches": 4}
    assert choice["excluded"] == []


def test_a_smaller_batch_measured_slower_is_left_out():
    grid = [{"batch": 1, "seq_len": 8, "p99_ms": 2.0}, {"batch": 8, "seq_len": 8, "p99_ms": 9.5},
            {"batch": 64, "seq_len": 8, "p99_ms": 8.0}]
    choice = choose_batching(grid, 10, cores=1)
    # M = 64, timeout 1 ms; batch 8: 9.5 + 1 > 10
    assert choice["parameters"]["allowed_batch_sizes"] == [1, 64]
    assert [e["batch"] for e in choice["excluded"]] == [8]


def test_impossible_budget_names_the_fastest_p99():
    choice = choose_batching(GRID, 1.5, cores=2)
    assert not choice["feasible"] and choice["parameters"] is None
    assert "fastest measured p99 is 2 ms (batch 1)" in choice["notice"]


def test_buckets_for_a_dynamic_length():
    choice = choose_batching(GRID, 10, cores=2, dynamic_length=True,
                             warmup={"serving_default": [16], "serving_step": [1]})
    assert choice["buckets"]["lengths"] == [16, 64]
    assert choice["buckets"]["missing_warmup"] == [64]
    assert choice["buckets"]["export_argument"] == "warmup_seq_lens=[16, 64]"
    md = "\n".join(batching_lines(choice))
    assert "export(..., warmup_seq_lens=[16, 64])" in md


@pytest.mark.parametrize("bad", [0, -1, float("nan")])
def test_bad_budget(bad):
    with pytest.raises(ConfigError, match="p99_ms must be"):
        choose_batching(GRID, bad, cores=2)


def test_file_parses_as_batching_parameters():
    params = choose_batching(GRID, 10, cores=2)["parameters"]
    message = parse_batching(batching_text(params))
    cls, source = batching_parameters_class()
    assert isinstance(message, cls) and source
    assert message.DESCRIPTOR.full_name == "tensorflow.serving.BatchingParameters"
    assert message.max_batch_size.value == 64
    assert message.batch_timeout_micros.value == 1000
    assert message.num_batch_threads.value == 2 and message.max_enqueued_batches.value == 2
    assert list(message.allowed_batch_sizes) == [1, 8, 64]
    # wire bytes from session_bundle_config.proto: max_batch_size = 1 (Int64Value, tag
    # 0x0a), num_batch_threads = 4 (tag 0x22), allowed_batch_sizes = 6 (packed, tag 0x32)
    wire = cls(max_batch_size={"value": 64}).SerializeToString()
    assert wire == bytes([0x0A, 0x02, 0x08, 64])
    assert cls(num_batch_threads={"value": 2}).SerializeToString() == bytes([0x22, 2, 8, 2])
    assert cls(allowed_batch_sizes=[1, 8]).SerializeToString() == bytes([0x32, 2, 1, 8])


def test_parse_refuses_bad_files():
    with pytest.raises(ConfigError, match="not a BatchingParameters"):
        parse_batching("max_batch_size: 8")
    with pytest.raises(ConfigError, match="end at max_batch_size"):
        parse_batching("max_batch_size { value: 8 }\nallowed_batch_sizes: 4")


def test_real_report_writes_the_file(forecaster_report):
    _, _, result = forecaster_report  # batch sizes (1, 4), lengths (3, 9), p99 ≤ 1000 ms
    (model,) = result["models"]
    choice = model["batching"]
    path = Path(result["out_dir"]) / BATCHING_FILE
    assert choice["file"] == str(path) == result["files"]["batching-0"]
    message = parse_batching(path.read_text())
    assert message.max_batch_size.value == 4  # 1000 ms: every measured batch fits
    assert list(message.allowed_batch_sizes) == [1, 4]
    assert choice["buckets"]["lengths"] == [3, 9]  # the window's time axis is dynamic
    md = (Path(result["out_dir"]) / "report.md").read_text()
    assert "### Batching (p99 ≤ 1000 ms)" in md and "max_batch_size 4" in md
    assert "Length buckets" in md


# hand-chosen parameters (seqkit.serving.write_batching_parameters)


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
    with pytest.raises(ConfigError, match="not a BatchingParameters text: 2:1 .*max_batch_sise"):
        read_batching_parameters("max_batch_size { value: 8 }\nmax_batch_sise { value: 8 }\n")


def test_public_names_in_serving_are_the_report_writer():
    import seqkit.serving as serving

    assert serving.write_batching_parameters is write_batching_parameters
    assert serving.read_batching_parameters is read_batching_parameters
