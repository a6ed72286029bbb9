"""``briefgen new``: a commented starter brief that validates and builds as it is."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jinja2

from briefgen.errors import UsageError
from briefgen.model.schema import brief_schema_text
from briefgen.text import slugify

SCHEMA_NAME = "brief-v1.schema.json"


def brief_id_for(title: str) -> str:
    """A slug for ``title`` (``Visite en Chine`` → ``visite-en-chine``), ``brief`` if none is left."""
    return slugify(title) or "brief"


def starter_brief(path: Path, title: str, languages: list[str], today: dt.date) -> str:
    """The text of a starter brief to be written at ``path``."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("briefgen", "starter"), trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    # A JSON string is a valid YAML scalar, whatever the text holds.
    environment.filters["quoted"] = _quoted
    template = environment.get_template("brief.yaml.j2")
    # A bilingual brief gets every text in both languages, the title too: the user translates them.
    shown_title = _quoted(title) if len(languages) == 1 else \
        "{" + ", ".join(f"{language}: {_quoted(title)}" for language in languages) + "}"
    return template.render(schema=SCHEMA_NAME, filename=path.name, id=brief_id_for(title),
                           title=shown_title, languages=languages, today=today.isoformat())


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_starter(path: Path, title: str, languages: list[str], today: dt.date | None = None) -> list[Path]:
    """Write a starter brief at ``path`` and, beside it, the schema editors validate it with.

    Raises :class:`UsageError` rather than overwrite an existing brief.
    """
    if path.exists():
        raise UsageError(f"{path}: already exists; choose another name or remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_brief(path, title, languages, today or dt.date.today()), encoding="utf-8")
    written = [path]
    schema = path.parent / SCHEMA_NAME
    if not schema.exists():
        schema.write_text(brief_schema_text(), encoding="utf-8")
        written.append(schema)
    return written
