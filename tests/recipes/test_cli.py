"""The seqkit command: usage errors exit 2, failures exit 1 with one readable line,
configuration precedence is defaults < --config file < flags."""

import json
from pathlib import Path

import pytest

from seqkit.cli import main
from seqkit.errors import ConfigError
from seqkit.recipes import ForecastConfig, build_config


def _exit_code(argv):
    try:
        return main(argv)
    except SystemExit as exc:  # argparse usage errors
        return exc.code


@pytest.mark.parametrize("argv,needle", [
    ([], "required: COMMAND"),
    (["train"], "required: RECIPE"),
    (["train", "poetry"], "invalid choice: 'poetry'"),
    (["train", "forecasting", "--epochs", "three"], "--epochs expects int, got 'three'"),
    (["train", "forecasting", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
])
def test_usage_errors_exit_2_with_one_line(argv, needle, capsys):
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_failures_exit_1_with_one_readable_line(tmp_path, capsys):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"epochs": 1, "colour": "red"}))
    assert main(["train", "forecasting", "--config", str(config)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("seqkit: error: ConfigError: unknown option(s) ['colour']")
    assert len(err.splitlines()) == 1
    assert main(["train", "forecasting", "--cell", "lstmm", "--epochs", "1",
                 "--runs-dir", str(tmp_path)]) == 1
    assert "unknown cell 'lstmm'" in capsys.readouterr().err
    with pytest.raises(ConfigError):  # --debug: the real exception and its traceback
        main(["--debug", "train", "forecasting", "--config", str(config)])


def test_help_everywhere(capsys):
    for argv in (["--help"], ["train", "--help"], ["train", "text_classification", "--help"],
                 ["compare", "--help"], ["report", "--help"], ["export", "--help"],
                 ["models-config", "--help"]):
        assert _exit_code(argv) == 0
        assert "usage: seqkit" in capsys.readouterr().out


def test_config_precedence_defaults_file_flags(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"window": 10, "horizon": 3, "cell": "gru"}))
    config = build_config(ForecastConfig, {"horizon": 5}, path)
    assert (config.window, config.horizon, config.cell) == (10, 5, "gru")
    assert config.units == ForecastConfig().units
    with pytest.raises(ConfigError, match="does not exist"):
        build_config(ForecastConfig, {}, tmp_path / "missing.json")


def test_variants_lists_every_named_cell(capsys):
    from seqkit.layers import VARIANTS

    assert main(["variants"]) == 0
    out = capsys.readouterr().out
    for name in VARIANTS:
        assert name in out


def _parsers(parser):
    """Every parser reachable from ``parser`` (subcommands included)."""
    import argparse

    yield parser
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_flag_has_a_help_line_with_words():
    import re

    from seqkit.cli import build_parser

    missing = []
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if not action.option_strings or action.help == "==SUPPRESS==":
                continue
            words = re.sub(r"\(default: [^)]*\)", "", action.help or "").strip()
            if len(words.split()) < 2:
                missing.append(f"{parser.prog} {action.option_strings[-1]}: {action.help!r}")
    assert not missing, "flags without a help line:\n" + "\n".join(missing)


def test_bad_fit_option_in_a_config_fails_before_training(tmp_path, capsys):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"dropout": 1.5}))
    assert main(["train", "sequence_classification", "--config", str(config)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("seqkit: error: ConfigError: dropout must be a number in [0, 1), "
                   "got 1.5")


def test_budget_flags_take_auto_or_an_integer():
    from seqkit.cli import build_parser
    from seqkit.recipes import SequenceConfig, TextConfig, config_from_namespace

    args = build_parser().parse_args(["train", "text_classification", "--epochs", "auto",
                                      "--batch-size", "16", "--patience", "None"])
    config = config_from_namespace(TextConfig, args)
    assert (config.epochs, config.batch_size, config.patience) == ("auto", 16, None)
    assert config.fit_options().epochs == "auto"
    defaults = SequenceConfig()  # small UCR sets: the step budget is the default
    assert (defaults.epochs, defaults.batch_size, defaults.patience) == ("auto",) * 3
    assert _exit_code(["train", "text_classification", "--epochs", "several"]) == 2


def test_every_shipped_recipe_config_file_builds():
    """recipes/configs/*.json are the scripts' defaults: each builds its configuration."""
    from seqkit.recipes.config import config_class
    from seqkit.study.config import CompareConfig

    folder = Path(__file__).resolve().parents[2] / "recipes" / "configs"
    files = sorted(folder.glob("*.json"))
    assert {p.stem for p in files} >= {"compare", "forecasting", "text_classification",
                                       "sequence_classification"}
    for path in files:
        cls = CompareConfig if path.stem == "compare" else config_class(path.stem)
        build_config(cls, {}, path)
