"""Family weights: every way papermill or a user writes them, and every mistake, named."""

from __future__ import annotations

import pytest

from factorlab.errors import ConfigError
from factorlab.factors.weights import DEFAULT_WEIGHTS, parse_weights


@pytest.mark.parametrize(
    "given",
    [
        {"value": 0.5, "momentum": 0.5},
        {"value": "0.5", "momentum": "0.5"},
        '{"value": 0.5, "momentum": 0.5}',
        "value=0.5,momentum=0.5",
        "value: 0.5, momentum: 0.5",
        " Value=0.5 momentum=0.5 ",
    ],
)
def test_weights_are_read_from_dicts_json_and_key_value_strings(given):
    assert parse_weights(given) == {"value": 0.5, "momentum": 0.5}


def test_no_weights_gives_the_seeds_mix():
    assert parse_weights(None) == DEFAULT_WEIGHTS == {"value": 0.3, "growth": 0.4, "momentum": 0.3}


def test_an_unknown_family_is_named_with_a_suggestion():
    with pytest.raises(
        ConfigError, match="Unknown factor family 'valeu' in weights. Did you mean 'value'?"
    ):
        parse_weights({"valeu": 1})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "lots", None])
def test_a_weight_that_is_not_a_finite_number_is_rejected(bad):
    with pytest.raises(ConfigError, match="the weight of value must be a"):
        parse_weights({"value": bad})


def test_negative_weights_need_allow_short():
    with pytest.raises(
        ConfigError, match="negative weight shorts the family. Pass allow_short=True"
    ):
        parse_weights({"value": 1.25, "momentum": -0.25})
    assert parse_weights({"value": 0.75, "momentum": -0.25}, allow_short=True) == {
        "value": 0.75,
        "momentum": -0.25,
    }


def test_weights_not_summing_to_one_are_rescaled_with_a_warning():
    with pytest.warns(
        UserWarning,
        match="Weights sum to 2 in absolute value, not 1; rescaled to value=0.5, growth=0.5",
    ):
        assert parse_weights({"value": 1, "growth": 1}) == {"value": 0.5, "growth": 0.5}


def test_all_zero_weights_are_rejected():
    with pytest.raises(ConfigError, match="all zero"):
        parse_weights("value=0,growth=0")


@pytest.mark.parametrize("bad", ["value", "value=", "=0.3", "[1, 2]", 42])
def test_unreadable_weight_strings_show_the_expected_form(bad):
    with pytest.raises(ConfigError, match="value=0.3,growth=0.4|must be a dict"):
        parse_weights(bad)


def test_json_that_does_not_parse_is_reported():
    with pytest.raises(ConfigError, match="weights look like JSON but do not parse"):
        parse_weights('{"value": 0.5,')


def test_a_python_dict_string_is_read_too():
    assert parse_weights("{'value': 0.5, 'momentum': 0.5}") == {"value": 0.5, "momentum": 0.5}


def test_a_family_named_twice_is_an_error():
    with pytest.raises(ConfigError, match="weights name 'value' twice"):
        parse_weights("value=0.5,value=0.5")
