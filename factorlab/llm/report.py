"""What :meth:`Analyst.report <factorlab.llm.Analyst.report>` returns, as fields and markdown.

Its numbers are checked against the figures the model was given; the markdown marks any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from factorlab.llm.guard import mark_unverified

__all__ = ["Report"]


@dataclass
class Report:
    """The analyst's report on one result: structured fields, and markdown to read.

    ``source`` is ``"llm"`` or ``"rule-based"``; ``label`` says which model wrote it, or why
    the rule-based text stands in. ``unverified_numbers`` lists numbers in the text that are
    not among the figures the model was given; the markdown marks them.

    Attributes
    ----------
    kind : str
        What the report is on: ``"screen"``, ``"scores"``, ``"backtest"``, ``"factor"`` or
        ``"alerts"``.
    summary : str
        The summary: three to five sentences on what the figures show, as the model is asked
        for (the rule-based text has one sentence).
    strengths : list of str
        What looks good, one sentence each; may be empty.
    concerns : list of str
        What looks weak or fragile, one sentence each; may be empty.
    suggested_checks : list of str
        What to test next, one sentence each; may be empty.
    source : str
        ``"llm"`` or ``"rule-based"``.
    label : str
        Which model wrote it (``"llm: <model>"``), or why the rule-based text stands in
        (``"rule-based: ..."``).
    unverified_numbers : list of str
        The numbers, as written, in the text that are not among the figures the model was
        given (default: none; always none in a rule-based report).
    """

    kind: str
    summary: str
    strengths: list[str]
    concerns: list[str]
    suggested_checks: list[str]
    source: str
    label: str
    unverified_numbers: list[str] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        """The report as markdown, each unverified number flagged ``[unverified]``.

        A heading naming the ``kind``, the ``label`` in italics, the summary, then the
        strengths, concerns and suggested checks as bulleted lists (each only when it has
        items), and last a note listing the unverified numbers, if any. ``str(report)`` and a
        notebook's display show it.
        """

        def mark(text: str) -> str:
            return mark_unverified(text, self.unverified_numbers)

        lines = [f"### Analyst report: {self.kind}", f"*{self.label}*", "", mark(self.summary)]
        for title, items in (
            ("Strengths", self.strengths),
            ("Concerns", self.concerns),
            ("Suggested checks", self.suggested_checks),
        ):
            if items:
                lines += ["", f"**{title}**", *(f"- {mark(item)}" for item in items)]
        if self.unverified_numbers:
            lines += [
                "",
                f"*Numbers not found in the figures given to the model: "
                f"{', '.join(self.unverified_numbers)}.*",
            ]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown
