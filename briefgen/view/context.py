"""Build the template context of one document: only what its audience may see.

The context is made of plain dicts and lists, not model objects, so a template cannot
reach a field that the audience filter left out: internal fields (marked ``internal`` in
the model) are absent from the context of every audience but ``officials``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel

from briefgen import __version__
from briefgen.model.brief import Brief

Audience = Literal["officials", "delegation", "public"]

#: Each document and the audience it is written for.
DOCUMENT_AUDIENCES: dict[str, Audience] = {
    "briefing-pack": "officials",
    "delegation-pack": "delegation",
    "leave-behind": "public",
    "letter": "public",
}


def visible_data(model: BaseModel, audience: Audience) -> dict[str, Any]:
    """``model`` as plain data, without the internal fields unless ``audience`` is officials."""
    data: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("internal") and audience != "officials":
            continue
        data[name] = _plain(getattr(model, name), audience)
    return data


def _plain(value: Any, audience: Audience) -> Any:
    if isinstance(value, BaseModel):
        return visible_data(value, audience)
    if isinstance(value, (list, tuple)):
        return [_plain(item, audience) for item in value]
    return value


def build_context(brief: Brief, document_id: str, recipient: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context for rendering ``document_id`` of ``brief``, filtered for its audience.

    ``recipient`` (name, title, salutation, constituency, address, …) personalises a letter.
    """
    audience = DOCUMENT_AUDIENCES[document_id]
    data = visible_data(brief, audience)
    sources_by_id = {source["id"]: source for source in data["sources"]}
    signatory_names = {signatory["id"]: signatory["name"] for signatory in data["signatories"]}
    issue_titles = {issue["id"]: issue["title"] for issue in data["issues"]}
    for ask in data["asks"]:
        ask["issue_title"] = issue_titles[ask["issue"]]
        ask["by_names"] = [signatory_names[ref] for ref in ask["by"]]
    cited_before: set[str] = set()
    for issue in data["issues"]:
        issue["asks"] = [ask for ask in data["asks"] if ask["issue"] == issue["id"]]
        for fact in issue["facts"]:
            # The first footnote citing a source gives it in full, later ones in short.
            fact["cited"] = [{**sources_by_id[ref], "first": ref not in cited_before} for ref in fact["sources"]]
            cited_before.update(fact["sources"])
    letter = data["letter"]
    if letter is not None:
        chosen = letter["asks"] if letter["asks"] is not None else [ask["id"] for ask in data["asks"]]
        asks_by_id = {ask["id"]: ask for ask in data["asks"]}
        letter["asks"] = [asks_by_id[ref] for ref in chosen]
        letter["signed_by"] = [signatory for ref in letter["signed_by"]
                               for signatory in data["signatories"] if signatory["id"] == ref]
    return {
        "brief": data,
        "document": {"id": document_id, "audience": audience},
        "language": brief.language,
        "marking": brief.classification if audience == "officials" else brief.public_marking,
        "programme_days": programme_by_day(data["visit"]["programme"]),
        "generator": f"briefgen {__version__}",
        "recipient": recipient,
    }


def programme_by_day(programme: list[dict[str, Any]]) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """Group programme events by day, in date and time order."""
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for event in sorted(programme, key=lambda e: (e["date"], e["time"] or "")):
        days.setdefault(event["date"], []).append(event)
    return list(days.items())
