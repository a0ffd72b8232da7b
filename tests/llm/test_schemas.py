"""The reply schemas: what counts as an answer."""

from __future__ import annotations

from factorlab.llm.schemas import RatingReply, RatingsReply, ReportReply, copied_descriptions


def rating(**fields) -> RatingReply:
    base = {"ticker": "AAA", "rating": "BUY", "confidence": 0.5,
            "rationale": "Composite score of +1.2 sd, cheap at 8x earnings.",
            "risks": "Margins may fall."}  # fmt: skip
    return RatingReply(**{**base, **fields})


def test_a_real_rationale_is_not_a_copied_description():
    assert copied_descriptions(RatingsReply(ratings=[rating()])) == ""


def test_a_near_copy_of_a_description_is_named_with_its_field():
    reply = RatingsReply(
        ratings=[
            rating(),
            rating(rationale="At least two sentences, citing figures from the table."),
        ]
    )
    assert copied_descriptions(reply).startswith("ratings[1].rationale repeats")


def test_copied_descriptions_in_report_lists_are_found():
    reply = ReportReply(summary="Steady.", strengths=["what looks good, one sentence each"],
                        concerns=[], suggested_checks=["Vary the costs."])  # fmt: skip
    assert copied_descriptions(reply).startswith("strengths[0] repeats")


def test_many_copies_are_summarised_not_listed():
    copied = rating(
        rationale="at most two sentences, citing figures from the table",
        risks="the main risk in one sentence",
    )
    problem = copied_descriptions(RatingsReply(ratings=[copied] * 3))
    assert problem.endswith("and 5 more fields do the same")
