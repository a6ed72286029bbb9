"""Page budgets: a laid-out document, or an issue note in it, no longer than the brief allows,
and a message that helps when it is longer.

The layout knows the pages; the brief's line map knows where each text is. So the check
raises :class:`~briefgen.errors.PageBudgetError` carrying an :class:`Overrun`, and the command
that prepared the brief turns it into a located message with :func:`located`: the note's
longest text and its line, the pages against the budget, and the ``page_budgets`` entry that
would allow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.errors import PageBudgetError
from briefgen.model.registry import DocumentType, document

if TYPE_CHECKING:  # the check runs where the layout is, which needs neither the model nor YAML
    import weasyprint

    from briefgen.load.yamlfile import KeyPath, LineMap
    from briefgen.model.brief import Brief
    from briefgen.model.facts import BriefFacts


@dataclass(frozen=True)
class Overrun:
    """What is over its budget: a document in a language, or one issue's note in it."""

    document_id: str
    language: str
    pages: int
    budget: int
    #: The page_budgets key that sets the budget: the document id or a section budget (issue-note).
    budget_name: str
    #: The issue whose note is over, for a section budget.
    issue_id: str | None = None

    def __str__(self) -> str:
        what = f"issue note '{self.issue_id}'" if self.issue_id else None
        return f"{self.document_id}: {what + ': ' if what else ''}{self.pages} pages, budget {self.budget}"


def check_page_budgets(facts: BriefFacts, declared: DocumentType, language: str,
                       laid_out: weasyprint.Document) -> None:
    """Raise :class:`PageBudgetError` if ``laid_out`` or one of its budgeted sections is over the
    budgets of the brief ``facts`` tells of (:attr:`~briefgen.model.brief.Brief.facts`)."""
    budgets = facts.budgets
    pages = len(laid_out.pages)
    if declared.id in budgets and pages > budgets[declared.id]:
        overrun = Overrun(declared.id, language, pages, budgets[declared.id], declared.id)
        raise PageBudgetError(str(overrun), overrun)
    sections = {anchor: section for section in declared.sections for anchor in section.anchors(facts.issue_ids)}
    if not any(section.budget for section in sections.values()):
        return
    # Every section starts on a page of its own, so it runs from the page of its own anchor to
    # the page before the next section's.
    section_starts = sorted((index, anchor) for index, page in enumerate(laid_out.pages)
                            for anchor in page.anchors if anchor in sections)
    for (start, anchor), (next_start, _) in zip(section_starts, section_starts[1:] + [(pages, "")]):
        section, section_pages = sections[anchor], next_start - start
        if section.budget and section_pages > budgets[section.budget]:
            issue_id = anchor.removeprefix(section.anchor.partition("{id}")[0]) if section.per_issue else None
            overrun = Overrun(declared.id, language, section_pages, budgets[section.budget], section.budget, issue_id)
            raise PageBudgetError(str(overrun), overrun)


def located(error: PageBudgetError, brief: Brief, line_map: LineMap) -> PageBudgetError:
    """``error`` told where the brief can be changed: at the over-long note's longest text (or
    the letter's, for the letter), with the ``page_budgets`` entry that would allow its pages."""
    overrun: Overrun | None = error.overrun
    if overrun is None:
        return error
    from briefgen.render.document import output_name  # the file the reader knows the document by

    name = output_name(overrun.document_id, overrun.language, "pdf", brief.unnamed_language)
    raise_it = f"page_budgets: {{{overrun.budget_name}: {overrun.pages}}}"
    default = "" if overrun.budget_name in brief.page_budgets else " (the default)"
    if overrun.issue_id is not None:
        index = next(index for index, issue in enumerate(brief.issues) if issue.id == overrun.issue_id)
        scope: KeyPath | None = ("issues", index)
        what = f"{name}: the note on issue '{overrun.issue_id}' is"
    else:
        # The letter's length is its texts'; a pack's is the whole brief's, where no one text says much.
        scope = ("letter",) if document(overrun.document_id).needs_letter else None
        what = f"{name} is"
    longest = None if scope is None else _longest_text(brief, scope, brief.fallbacks(overrun.language))
    over = f"{what} {overrun.pages} pages, over its budget of {overrun.budget}{default}"
    if longest is None:
        problem = line_map.problem(("page_budgets", overrun.budget_name) if default == "" else (), (
            f"{over}: shorten its texts, or allow it more pages in the brief ({raise_it})"))
    else:
        key_path, length = longest
        problem = line_map.problem(key_path, (
            f"{over}; this is its longest text ({length:,} characters): shorten it, or allow more pages in "
            f"the brief ({raise_it})"), value=True)
    return PageBudgetError(str(problem), overrun)


def _longest_text(brief: Brief, scope: KeyPath, languages: list[str]) -> tuple[KeyPath, int] | None:
    """The key path (with its language, for a text in several) and length of the longest text
    under ``scope``, read in the first of ``languages`` it has; None when ``scope`` has no text."""
    from briefgen.model.brief import Localized
    from briefgen.model.validate import model_values

    value = brief
    for part in scope:
        value = value[part] if isinstance(part, int) else getattr(value, part)
    texts = []
    for key_path, text in model_values(value):
        if isinstance(text, Localized):
            language = next((language for language in languages if language in text), next(iter(text)))
            texts.append(((*scope, *key_path, language), len(text[language])))
        elif isinstance(text, str):
            texts.append(((*scope, *key_path), len(text)))
    return max(texts, key=lambda item: item[1], default=None)
