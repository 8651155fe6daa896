"""seqkit.validation: every check accepts what it should, refuses the rest, and its message
reads ``<name> must be <what>, got <value!r>``."""

import math

import numpy as np
import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.validation import (
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_number,
    check_optional_int,
)


def test_check_int_accepts_numpy_ints_and_refuses_the_rest():
    assert check_int("epochs", 3) == 3
    assert type(check_int("epochs", np.int64(3))) is int
    assert check_int("seed", 0, minimum=0) == 0
    for bad in (0, -1, 1.5, True, "2", None):
        with pytest.raises(ConfigError, match=rf"^epochs must be an integer >= 1, got {bad!r}$"):
            check_int("epochs", bad)


def test_error_class_can_be_chosen():
    with pytest.raises(DataError, match="window must be an integer >= 1, got 0"):
        check_int("window", 0, error=DataError)


def test_check_optional_int():
    assert check_optional_int("patience", None, minimum=0) is None
    assert check_optional_int("patience", 0, minimum=0) == 0
    with pytest.raises(ConfigError, match=r"patience must be None or an integer >= 0, got -1"):
        check_optional_int("patience", -1, minimum=0)


@pytest.mark.parametrize("bad", [0, -1e-3, math.inf, math.nan, "x", None, True])
def test_check_number_positive(bad):
    with pytest.raises(ConfigError, match=r"^learning_rate must be a positive finite number"):
        check_number("learning_rate", bad, positive=True)


def test_check_number_accepts_numpy_and_strings_of_numbers():
    assert check_number("lr", np.float32(0.5)) == 0.5
    assert check_number("lr", "0.25", positive=True) == 0.25
    assert check_number("x", -2) == -2.0


@pytest.mark.parametrize("value,allow_zero,ok", [
    (0, True, True), (0.0, False, False), (0.5, False, True), (1.0, True, False),
    (-0.1, True, False), (math.nan, True, False), (True, True, False), ("a", True, False)])
def test_check_fraction_bounds(value, allow_zero, ok):
    if ok:
        assert check_fraction("f", value, allow_zero=allow_zero) == float(value)
    else:
        bound = r"\[0, 1\)" if allow_zero else r"\(0, 1\)"
        with pytest.raises(ConfigError, match=rf"^f must be a number in {bound}, got "):
            check_fraction("f", value, allow_zero=allow_zero)


def test_check_bool_and_choice():
    assert check_bool("b", np.bool_(True)) is True
    with pytest.raises(ConfigError, match=r"^b must be True or False, got 1$"):
        check_bool("b", 1)
    assert check_choice("k", "a", ("a", "b")) == "a"
    with pytest.raises(ConfigError, match=r"^k must be one of \('a', 'b'\), got \['a'\]$"):
        check_choice("k", ["a"], ("a", "b"))
