"""What changed between two versions of a brief, as one audience sees them: the addendum's content.

Both briefs go through the same audience filter as the documents (:func:`visible_data`), so a
change to a field the audience may not see (``internal_notes`` for the public) is no change
for it. Only what changed is listed, by issue — the note added, removed or changed (which of
its parts), its facts, points to make and responsive lines added, removed or changed, and the
asks that belong to it — then the signatories and the programme items added, removed or
changed, then the other parts of the brief that changed (the visit overview, the letter…).

How items are matched: issues, asks and signatories by their ``id``; programme items by day
and time (in order, for two on the same day and time); facts, points to make and responsive
lines, which have no id, by position among those that did not change (difflib aligns the two
lists; a changed run pairs its items in order, the longer side's extra ones added or
removed). A reference that follows only from an added or removed signatory or ask (the
signatory dropped from an ask's ``by`` or the letter's ``signed_by``, the ask from the letter's
``asks``) is not counted again. The date and version of the brief, the documents it lists
and its page budgets are not content.

Each changed or added note is reissued in full: the note as the new brief has it, its texts
marked word by word with ``<ins>`` and ``<del>`` (:mod:`briefgen.view.worddiff`) against the
old ones, a fact, point, person or responsive line that went standing struck through where it was
(a text of the note that went is left out: the list of changes says so).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from briefgen.model.brief import Brief
from briefgen.model.registry import Audience
from briefgen.view.context import build_context, visible_data
from briefgen.view.markdown import render_block, render_inline
from briefgen.view.translations import translations
from briefgen.view.worddiff import Marks, diff_html

#: The parts of a note that are texts, in the order the note prints them, and how each is rendered.
NOTE_TEXTS = {"title": "text", "summary": "block", "background": "block", "current_status": "block",
              "considerations": "block", "recommendation": "block", "internal_notes": "block"}
#: The lists of a note whose items are listed one by one, in the order the note prints them.
NOTE_LISTS = ("facts", "people", "points_to_make", "responsive_lines")
#: Fields of the brief that are no content of its documents: they are not compared.
NOT_CONTENT = frozenset({"briefgen", "date", "version", "documents", "page_budgets", "language", "languages",
                         "sign_ons"})
#: Fields of the brief compared item by item; the others are listed as a whole when they change.
ITEMISED = frozenset({"issues", "asks", "signatories"})


def brief_changes(old: Brief, new: Brief, audience: Audience, language: str) -> dict[str, Any]:
    """What changed from ``old`` to ``new`` for ``audience``, in ``language`` (see the module).

    Returns ``{"issues": [...], "signatories": [...], "programme": [...], "other": [...]}``: each
    issue ``{"id", "title", "number", "change", "parts", "removed", "entries", "note"}``
    (``change`` one of added, removed, changed or None when only its asks changed; ``parts`` the
    note's texts that changed, ``removed`` those of them it no longer has; ``entries`` its facts,
    points, people, lines and asks that changed; ``note`` the note to reissue, marked, or None);
    each item ``{"kind", "change", "text", "was"}``; ``other`` the names of the other fields that
    changed. Everything empty when nothing changed.
    """
    before = visible_data(old, audience, old.fallbacks(language))
    after = visible_data(new, audience, new.fallbacks(language))
    gone = _ids_gone_or_new(before, after)
    marks = Marks(f"{new.date.isoformat()}T00:00:00Z", translations(language).gettext("inserted"),
                  translations(language).gettext("deleted"))
    diff = _Differ(language, marks)
    asks = [{**item, "issue": ask["issue"]}
            for item, ask in diff.by_id(before["asks"], after["asks"], "ask", lambda ask: ask["text"], gone)]
    issues = diff.issues(before["issues"], after["issues"], asks)
    signatories = [item for item, _ in diff.by_id(before["signatories"], after["signatories"], "signatory",
                                                  lambda signatory: escape(signatory["name"]), gone)]
    programme = diff.programme(before["visit"]["programme"], after["visit"]["programme"])
    other = [name for name in after if name not in NOT_CONTENT | ITEMISED
             and _without(before.get(name), name, gone) != _without(after.get(name), name, gone)]
    return {"issues": issues, "signatories": signatories, "programme": programme, "other": other}


def has_changes(changes: dict[str, Any]) -> bool:
    """Whether :func:`brief_changes` found anything."""
    return any(changes.values())


def addendum_context(old: Brief, new: Brief, document_id: str, number: int, language: str) -> dict[str, Any]:
    """The context of the addendum ``number`` of ``new`` since ``old``: the document's context
    (:func:`build_context`) and ``addendum`` — its number, the earlier version's version and date,
    and what changed for the document's audience (:func:`brief_changes`)."""
    context = build_context(new, document_id, language=language)
    changes = brief_changes(old, new, context["document"]["audience"], language)
    sources = {source["id"]: source for source in context["brief"]["sources"]}
    cited: set[str] = set()
    for issue in changes["issues"]:
        for fact in issue["note"]["facts"] if issue["note"] else ():
            # The footnotes start afresh in the addendum: the first citing a source gives it in full.
            refs = fact.get("sources") or []
            fact["cited"] = [{**sources[ref], "first": ref not in cited} for ref in refs if ref in sources]
            cited.update(refs)
    context["addendum"] = {"number": number, "since_version": old.version, "since_date": old.date,
                           "changes": changes}
    return context


def _ids_gone_or_new(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The ids of the signatories and asks in one version only."""
    ids: set[str] = set()
    for name in ("signatories", "asks"):
        old_ids = {item["id"] for item in before[name]}
        new_ids = {item["id"] for item in after[name]}
        ids |= old_ids ^ new_ids
    return ids


def _without(value: Any, name: str, ids: set[str]) -> Any:
    """``value`` (an ask or the letter) without its references to ``ids``; the visit without its
    programme, which is compared item by item."""
    if name == "letter" and isinstance(value, dict):
        value = dict(value)
        for field in ("asks", "signed_by"):
            if isinstance(value.get(field), list):
                value[field] = [ref for ref in value[field] if ref not in ids]
    if name == "visit" and isinstance(value, dict):
        value = {key: item for key, item in value.items() if key != "programme"}
    if name == "ask" and isinstance(value, dict):
        value = {**value, "by": [ref for ref in value["by"] if ref not in ids]}
    return value


class _Differ:
    """Compares the parts of two versions in one language, marking texts with ``marks``."""

    def __init__(self, language: str, marks: Marks):
        self.language = language
        self.marks = marks

    def html(self, kind: str, text: Any) -> str:
        """A text as the note prints it: Markdown rendered, plain text escaped."""
        if text is None:
            return ""
        if kind == "block":
            return str(render_block(text, self.language))
        if kind == "inline":
            return str(render_inline(text, self.language))
        return str(escape(text))

    def marked(self, kind: str, old: Any, new: Any) -> Markup:
        """The new text's HTML, marked against the old one's."""
        return diff_html(self.html(kind, old), self.html(kind, new), self.marks, inline=kind != "block")

    def by_id(self, before: list[dict], after: list[dict], kind: str, text: Callable[[dict], Any],
              gone: set[str]) -> list[tuple[dict[str, Any], dict]]:
        """The items added, changed and removed (in the new order, the removed ones last), each
        with the item it is about."""
        old = {item["id"]: item for item in before}
        found = []
        for item in after:
            previous = old.get(item["id"])
            if previous is None:
                found.append(({"kind": kind, "change": "added", "text": self._text(text(item)), "was": None}, item))
            elif _without(previous, kind, gone) != _without(item, kind, gone):
                was = self._text(text(previous)) if text(previous) != text(item) else None
                found.append(({"kind": kind, "change": "changed", "text": self._text(text(item)), "was": was}, item))
        new_ids = {item["id"] for item in after}
        found += [({"kind": kind, "change": "removed", "text": self._text(text(item)), "was": None}, item)
                  for item in before if item["id"] not in new_ids]
        return found

    def _text(self, text: Any) -> Markup:
        return text if isinstance(text, Markup) else render_inline(text, self.language)

    def issues(self, before: list[dict], after: list[dict], asks: list[dict]) -> list[dict[str, Any]]:
        """Each issue with a change, in the new order, the removed ones last."""
        old = {issue["id"]: issue for issue in before}
        found = []
        for number, issue in enumerate(after, start=1):
            previous = old.get(issue["id"])
            own_asks = [ask for ask in asks if ask["issue"] == issue["id"]]
            if previous is None:
                found.append(self._issue(issue, number, "added", [], [], own_asks, self.note(None, issue)))
                continue
            parts = [name for name in NOTE_TEXTS if previous.get(name) != issue.get(name)]
            removed = [name for name in parts if issue.get(name) is None]
            items = [item for name in NOTE_LISTS
                     for item in self.items(name, previous.get(name, []), issue.get(name, []))]
            changed = bool(parts or items or previous.get("priority") != issue.get("priority"))
            if previous.get("priority") != issue.get("priority"):
                parts.insert(1, "priority")
            if changed or own_asks:
                found.append({**self._issue(issue, number, "changed" if changed else None, parts, items, own_asks,
                                            self.note(previous, issue) if changed else None), "removed": removed})
        new_ids = {issue["id"] for issue in after}
        for issue in before:
            if issue["id"] not in new_ids:
                own_asks = [ask for ask in asks if ask["issue"] == issue["id"]]
                found.append(self._issue(issue, None, "removed", [], [], own_asks, None))
        return found

    @staticmethod
    def _issue(issue: dict, number: int | None, change: str | None, parts: list[str], items: list[dict],
               asks: list[dict], note: dict | None) -> dict[str, Any]:
        return {"id": issue["id"], "title": issue["title"], "number": number, "change": change, "parts": parts,
                "removed": [], "entries": items + asks, "note": note}

    def items(self, name: str, before: list, after: list) -> list[dict[str, Any]]:
        """The items of the list ``name`` of a note that were added, removed or changed."""
        kind = {"facts": "fact", "people": "person", "points_to_make": "point", "responsive_lines": "line"}[name]
        return [{"kind": kind, "change": change, "text": self._item_text(name, new if new is not None else old),
                 "was": self._item_text(name, old) if change == "changed" else None}
                for change, old, new in _aligned(before, after) if change]

    def _item_text(self, name: str, item: Any) -> Markup:
        if name == "facts":
            return render_inline(item["text"], self.language)
        if name == "people":
            return escape(item["name"])
        if name == "responsive_lines":
            return escape(item["question"])
        return render_inline(item, self.language)

    def note(self, old: dict | None, new: dict) -> dict[str, Any]:
        """The note of ``new`` as it is reissued: its texts marked against ``old`` (None: all new)."""
        old = old or {}
        note = dict(new)
        for name, kind in NOTE_TEXTS.items():
            # A part that went is left out, heading and all, as the new note has it: the list of
            # changes says it went ("Summary (removed)").
            if old.get(name) != new.get(name) and new.get(name) is not None:
                note[name] = self.marked(kind, old.get(name), new.get(name))
        note["facts"] = [self._marked_item(change, old_fact, fact, lambda f: f["text"], "inline",
                                           lambda f, text: {**f, "text": text})
                         for change, old_fact, fact in _aligned(old.get("facts", []), new.get("facts", []))]
        note["points_to_make"] = [self._marked_item(change, old_point, point, lambda p: p, "inline",
                                                    lambda p, text: text)
                                  for change, old_point, point in _aligned(old.get("points_to_make", []),
                                                                           new.get("points_to_make", []))]
        note["responsive_lines"] = [
            self._marked_line(change, old_line, line)
            for change, old_line, line in _aligned(old.get("responsive_lines", []), new.get("responsive_lines", []))]
        note["people"] = [self._marked_person(change, old_person, person)
                          for change, old_person, person in _aligned(old.get("people", []), new.get("people", []))]
        return note

    def _marked_person(self, change: str | None, old: dict | None, new: dict | None) -> dict:
        if change is None:
            return new
        if new is None:
            # Struck through as one text, the words between name and status too, so that the item
            # goes whole; a name in its own script has no word to mark, and goes unprinted.
            words = old["name"] if not old.get("status") else translations(self.language).gettext(
                "%(name)s: %(status)s") % {"name": old["name"], "status": old["status"]}
            return {**old, "name": self.marked("text", words, None), "native_name": None, "status": None}
        status = [(person or {}).get("status") for person in (old, new)]
        return {**new, "name": self.marked("text", (old or {}).get("name"), new.get("name")),
                "status": self.marked("text", *status) if any(status) else None}

    def _marked_item(self, change: str | None, old: Any, new: Any, text: Callable, kind: str,
                     make: Callable) -> Any:
        if change is None:
            return new
        marked = self.marked(kind, text(old) if old is not None else None, text(new) if new is not None else None)
        if new is None:  # a removed fact cites nothing any more
            return make({**old, "sources": []} if isinstance(old, dict) else old, marked)
        return make(new, marked)

    def _marked_line(self, change: str | None, old: dict | None, new: dict | None) -> dict:
        if change is None:
            return new
        base = new if new is not None else old
        return {**base, "question": self.marked("text", (old or {}).get("question"), (new or {}).get("question")),
                "answer": self.marked("block", (old or {}).get("answer"), (new or {}).get("answer"))}

    def programme(self, before: list[dict], after: list[dict]) -> list[dict[str, Any]]:
        """The programme items added, changed and removed, matched by day and time."""
        def key(event: dict) -> tuple:
            return event["date"], event["time"] or ""

        unmatched = list(before)
        found = []
        for event in after:
            previous = next((item for item in unmatched if key(item) == key(event)), None)
            if previous is None:
                found.append({"kind": "event", "change": "added", "text": self._event(event), "was": None})
                continue
            unmatched.remove(previous)
            if previous != event:
                found.append({"kind": "event", "change": "changed", "text": self._event(event),
                              "was": self._event(previous)})
        found += [{"kind": "event", "change": "removed", "text": self._event(event), "was": None}
                  for event in unmatched]
        return found

    def _event(self, event: dict) -> dict[str, Any]:
        return {**event, "event": escape(event["event"])}


def _aligned(before: list, after: list) -> list[tuple[str | None, Any, Any]]:
    """The items of two lists aligned: ``(change, old, new)``, change None for an item that stayed."""
    pairs: list[tuple[str | None, Any, Any]] = []
    matcher = difflib.SequenceMatcher(None, [repr(item) for item in before], [repr(item) for item in after],
                                      autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = before[i1:i2], after[j1:j2]
        if operation == "equal":
            pairs += [(None, item, item2) for item, item2 in zip(old, new)]
            continue
        common = min(len(old), len(new))
        pairs += [("changed", old[index], new[index]) for index in range(common)]
        pairs += [("removed", item, None) for item in old[common:]]
        pairs += [("added", None, item) for item in new[common:]]
    return pairs
