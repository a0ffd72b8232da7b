"""The reply schemas: what counts as an answer."""

from __future__ import annotations

import pytest

from factorlab.llm.schemas import (
    MOST_CHARS,
    RatingReply,
    RatingsReply,
    ReportReply,
    non_answers,
    ratings_schema,
)


def rating(**fields) -> RatingReply:
    base = {
        "ticker": "AAA",
        "rating": "BUY",
        "confidence": 0.5,
        "rationale": "Composite score of +1.2 sd, cheap at 8x earnings.",
        "risks": "Margins may fall.",
    }
    return RatingReply(**{**base, **fields})


@pytest.mark.parametrize(
    "risk",
    [
        "Leverage.",
        "The main risk is one client.",
        "The main risk is sentiment.",
        "The main risk is in one name.",
        "円高。",
        "Санкции.",
    ],
)
def test_short_or_non_english_risks_are_answers(risk):
    assert non_answers(RatingsReply(ratings=[rating(risks=risk)])) == ""


def test_a_ticker_that_is_a_rating_word_is_not_a_non_answer():
    assert non_answers(RatingsReply(ratings=[rating(ticker="HOLD", rating="HOLD")])) == ""


def test_a_near_copy_of_a_description_is_named_with_its_field():
    reply = RatingsReply(
        ratings=[
            rating(),
            rating(rationale="At least two sentences, citing figures from the table."),
        ]
    )
    assert non_answers(reply) == (
        "ratings[1].rationale repeats the schema's description instead of answering"
    )


def test_a_bare_ticker_or_an_empty_text_says_nothing():
    reply = RatingsReply(ratings=[rating(rationale="AAA"), rating(risks=" ")])
    assert non_answers(reply) == "ratings[0].rationale says nothing; ratings[1].risks says nothing"


def test_copied_descriptions_in_report_lists_are_found():
    reply = ReportReply(
        summary="Steady.",
        strengths=["what looks good, one sentence each"],
        concerns=[],
        suggested_checks=["Vary the costs."],
    )
    assert non_answers(reply).startswith("strengths[0] repeats")


def test_many_non_answers_are_summarised_not_listed():
    copied = rating(
        rationale="at most two sentences, citing figures from the table",
        risks="the main risk in one sentence",
    )
    problem = non_answers(RatingsReply(ratings=[copied] * 3))
    assert problem.endswith("and 5 more texts that answer nothing")


def test_the_batch_schema_asks_for_exactly_its_tickers():
    schema = ratings_schema(["AAA", "BBB"])
    ratings = schema["properties"]["ratings"]
    assert ratings["minItems"] == ratings["maxItems"] == 2
    assert schema["$defs"]["RatingReply"]["properties"]["ticker"]["enum"] == ["AAA", "BBB"]


def test_the_batch_schema_leaves_the_shared_schema_alone():
    ratings_schema(["AAA"])
    assert (
        "enum"
        not in RatingsReply.model_json_schema()["$defs"]["RatingReply"]["properties"]["ticker"]
    )


def test_text_lengths_are_capped_in_the_schema_so_a_grammar_closes_the_string():
    rating_fields = RatingsReply.model_json_schema()["$defs"]["RatingReply"]["properties"]
    assert rating_fields["rationale"]["maxLength"] == 300
    report_fields = ReportReply.model_json_schema()["properties"]
    assert report_fields["concerns"]["maxItems"] == 6
    assert report_fields["concerns"]["items"]["maxLength"] == 250


def test_a_reply_longer_than_the_caps_still_validates():
    reply = ReportReply(
        summary="Long. " * 400, strengths=["Fine."] * 9, concerns=[], suggested_checks=[]
    )
    assert len(reply.strengths) == 9
    assert rating(risks="Rates may rise. " * 30).risks == ("Rates may rise. " * 30).strip()


def test_no_length_cap_is_beyond_what_llama_cpp_grammars_accept():
    def caps(node):
        if isinstance(node, dict):
            yield from ([node["maxLength"]] if "maxLength" in node else [])
            for value in node.values():
                yield from caps(value)
        elif isinstance(node, list):
            for value in node:
                yield from caps(value)

    found = [*caps(RatingsReply.model_json_schema()), *caps(ReportReply.model_json_schema())]
    assert found and max(found) <= MOST_CHARS
    assert MOST_CHARS < 1000  # llama-cpp-python's grammars fail beyond; 1200 crashed its server


def test_a_text_cut_at_its_cap_loses_its_broken_end():
    cut = ("Rates may rise. " * 20)[:200]  # the risks' cap, ending in "Rates ma"
    assert rating(risks=cut).risks == ("Rates may rise. " * 12).strip()
    assert rating(risks="y" * 200).risks == "y" * 200 + "…"  # no sentence to fall back on
    assert rating(risks="Margins may fall").risks == "Margins may fall"  # short: left alone


def test_blank_items_in_a_report_list_are_dropped():
    reply = ReportReply(
        summary="Steady.", strengths=["", "Diversified."], concerns=[" "], suggested_checks=[]
    )
    assert reply.strengths == ["Diversified."] and reply.concerns == []
